#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace over routed IPv6 (no NAT, as IPv6 is usually run): the
# NAT lab's host also routes fd01::/64 (guest, on virbr0) to fd02::/64
# (the wan, on up0).  Each fault is located and named, live and from the
# pcapng:
#  - forwarding off (net.ipv6.conf.all.forwarding = 0);
#  - an ip6tables (iptables-nft) FORWARD rule drops the echo requests:
#    named as ip6tables prints it;
#  - an nft ip6 reject: the host's ICMPv6 "administratively prohibited";
#  - the wan has no route back: its kernel drops the request it cannot
#    answer (trace keeps that drop of its own probe, from a netns no point
#    watches), and a ULA source routed to a ULA target is not called a
#    missing masquerade;
#  - up0's MTU below the probes: ICMPv6 "packet too big" for the first,
#    then the guest fragments (IPv6 routers do not), the fragments reach
#    the target and its whole reply dies entering up0.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft ip6tables-nft ip6tables-nft-save
LAB_NO_IPV6=	# IPv6 is the point here

lab_topo_nat
tr_points "$LAB_HOST" tap0 virbr0 up0
lab_ip "$LAB_GUEST" -6 addr add fd01::2/64 dev eth0 nodad
lab_ip "$LAB_HOST" -6 addr add fd01::1/64 dev virbr0 nodad
lab_ip "$LAB_HOST" -6 addr add fd02::1/64 dev up0 nodad
lab_ip "$LAB_WAN" -6 addr add fd02::2/64 dev eth0 nodad
lab_ip "$LAB_GUEST" -6 route add default via fd01::1
lab_ip "$LAB_WAN" -6 route add default via fd02::1
v6_trace() { tr_trace --ping fd02::2 --from "$LAB_GUEST" -c 2 --interval 0.2 "$@"; }
want_lost() {
	[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probes lost)"
	tr_expect "both probes lost" '.summary.lost == 2'
}

echo "== forwarding off"
v6_trace
want_lost
tr_expect "not forwarded by the host, after virbr0" \
	"$(jq_drop virbr0 up0 request) and any(.findings[]; .cause.code == \"forwarding_disabled\" and
	 .cause.params.fwd_sysctl == \"net.ipv6.conf.all.forwarding\")"
tr_same
lab_exec "$LAB_HOST" sysctl -qw net.ipv6.conf.all.forwarding=1

echo "== healthy"
v6_trace
[ "$TR_RC" = 0 ] || lab_die "healthy trace exited $TR_RC, want 0"
tr_expect "both answered" '.summary.answered == 2'
tr_same

echo "== ip6tables FORWARD rule"
lab_exec "$LAB_HOST" ip6tables-nft -A FORWARD -p ipv6-icmp --icmpv6-type echo-request -j DROP ||
	lab_die "ip6tables-nft -A"
want="-A FORWARD -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP"
lab_exec "$LAB_HOST" ip6tables-nft-save -t filter | grep -qxF -- "$want" ||
	lab_die "ip6tables-nft-save does not list '$want': $(lab_exec "$LAB_HOST" ip6tables-nft-save -t filter)"
v6_trace
want_lost
tr_expect "dropped after virbr0 by the ip6tables rule, named as ip6tables prints it" \
	"$(jq_drop virbr0 up0 request) and any(.findings[]; .cause.code == \"ipt_rule_drop\" and
	 .cause.params.ipt_chain == \"FORWARD\" and
	 .cause.params.ipt_rule == \"ip6tables -t filter $want\")"
tr_same
lab_exec "$LAB_HOST" ip6tables-nft -F FORWARD

echo "== nft reject"
lab_exec "$LAB_HOST" nft -f - <<'NFT' || lab_die "nft reject"
table ip6 dsrej {
	chain f {
		type filter hook forward priority 0;
		icmpv6 type echo-request reject with icmpv6 type admin-prohibited
	}
}
NFT
v6_trace
want_lost
tr_expect "rejected by the host (ICMPv6 admin prohibited)" \
	"$(jq_drop virbr0 up0 request) and any(.findings[]; .cause.code == \"icmp_admin_prohibited\" and
	 .cause.params.reporter == \"fd01::1\")"
tr_same
lab_exec "$LAB_HOST" nft delete table ip6 dsrej

echo "== no route back"
lab_ip "$LAB_WAN" -6 route del default via fd02::1
v6_trace
want_lost
# the target's kernel drops the request it cannot answer: trace keeps that
# record of its own probe from the wan's netns, which no point watches
tr_expect "lost past up0, the target cannot answer, no masquerade blamed" \
	"any(.findings[]; .kind == \"drop\" and .location.after_name == \"up0\" and
	 (.cause.code == \"target_silent\" or
	  (.cause.params.kernel_function == \"icmpv6_rcv\" and
	   (.cause.params.kernel_meaning | test(\"no route back\"))))) and
	 all(.findings[]; .cause.code != \"masquerade_missing\")"
tr_same
lab_ip "$LAB_WAN" -6 route add default via fd02::1

echo "== up0 MTU 1300, 1448-byte probes"
lab_ip "$LAB_HOST" link set up0 mtu 1300
v6_trace -s 1400
want_lost
tr_expect "the first: packet too big from the host" \
	"any(.findings[]; .cause.code == \"icmp_too_big\" and .cause.params.mtu == \"1300\")"
# the kernel's drop of the reply in the wan's netns (kept: our probe) says
# it; without that record, the state does
tr_expect "the next, fragmented by the guest: the whole reply cannot enter up0" \
	"any(.findings[]; .kind == \"drop\" and .location.after_name == \"up0\" and
	 ((.cause.code == \"reply_exceeds_mtu\" and .cause.params.dev_mtu == \"1300\" and
	   .cause.params.size == \"1448\") or
	  (.cause.params.kernel_function == \"__dev_forward_skb2\" and
	   (.cause.params.kernel_meaning | test(\"larger than that end's MTU\")))))"
tr_same
echo PASS

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host state: the NAT host answers no ARP on virbr0
# (net.ipv4.conf.virbr0.arp_ignore = 8, then the same through
# net.ipv4.conf.all), so the guest never resolves its gateway.  The ARP
# requests are seen reaching virbr0 and the verdict names the sysctl that
# silences it instead of "nobody answers", live and from the pcapng.
# arp_ignore = 1 (answer only for addresses on the device: the gateway's
# is) changes nothing: every probe answered.  Then an nft arp-family rule
# on the host drops the requests: the kernel's drop records of them join
# the neighbour entry, and the verdict names the rule.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_topo_nat
tr_points "$LAB_HOST" tap0 virbr0 up0
arp_case() {	# SYSCTL VALUE
	lab_exec "$LAB_HOST" sysctl -qw "$1=$2" || lab_die "sysctl $1"
	lab_exec "$LAB_GUEST" ip neigh flush all
	tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 2 --interval 0.2
}

for key in net.ipv4.conf.virbr0.arp_ignore net.ipv4.conf.all.arp_ignore; do
	echo "== $key = 8"
	arp_case "$key" 8
	[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probes lost)"
	tr_expect "both probes lost" '.summary.lost == 2'
	tr_expect "cause: virbr0 answers no ARP, by $key" \
		"any(.findings[]; .kind == \"drop\" and .cause.code == \"neighbour_arp_ignored\" and
		 .cause.params.neighbour == \"$LAB_HOST_IP\" and
		 .cause.params.arp_device == \"virbr0\" and
		 .cause.params.arp_sysctl == \"$key\")"
	tr_same
	lab_exec "$LAB_HOST" sysctl -qw "$key=0"
done

echo "== net.ipv4.conf.virbr0.arp_ignore = 1"
arp_case net.ipv4.conf.virbr0.arp_ignore 1
[ "$TR_RC" = 0 ] || lab_die "trace exited $TR_RC, want 0 (the gateway's address is on virbr0)"
tr_expect "both answered" '.summary.answered == 2'
lab_exec "$LAB_HOST" sysctl -qw net.ipv4.conf.virbr0.arp_ignore=0

echo "== an nft arp rule drops the requests"
lab_exec "$LAB_HOST" nft -f - <<'NFT' || lab_die "nft arp table"
table arp dsarp {
	chain i {
		type filter hook input priority 0;
		arp operation request drop
	}
}
NFT
lab_exec "$LAB_GUEST" ip neigh flush all
tr_trace --ping "$LAB_WAN_IP" --from "$LAB_GUEST" -c 2 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (probes lost)"
tr_expect "cause: the host's arp rule drops the requests" \
	"any(.findings[]; .kind == \"drop\" and .cause.code == \"neighbour_requests_dropped\" and
	 .cause.params.neighbour == \"$LAB_HOST_IP\" and
	 .cause.params.neigh_reason == \"NETFILTER_DROP\" and
	 (.cause.params.neigh_nft | test(\"of arp dsarp i \\\\(hook input\\\\): arp operation request drop\")))"
tr_same
echo PASS

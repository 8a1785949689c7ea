#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host state, a failure outside the catalogue: the target's
# host ignores pings (net.ipv4.icmp_echo_ignore_all = 1).  Its kernel
# consumes the requests without a drop record, so the wire alone can only
# guess ("host firewall suspected"); the state of the netns that owns the
# target names the sysctl, live and from the saved pcapng.  The guess is
# kept out, and with the sysctl back to 0 every probe is answered.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init ping

lab_netns A a
lab_netns B b
lab_veth "$A" ea "$B" eb
lab_addr "$A" ea 10.55.0.1/24
lab_addr "$B" eb 10.55.0.2/24
TR_POINTS=("$A/ea" "$B/eb")
TR_IFS=(ea eb)

lab_exec "$B" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
tr_trace --ping 10.55.0.2 --from "$A" -c 2 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost at eb, where the requests end" \
	'.summary.lost == 2 and any(.findings[]; .kind == "drop" and
	 .location.after_name == "eb" and .location.direction == "request")'
tr_expect "cause: the target's host ignores pings" \
	"any(.findings[]; .cause.code == \"echo_ignored\" and
	 .cause.params.echo_sysctl == \"net.ipv4.icmp_echo_ignore_all\" and
	 .cause.params.echo_netns == \"$B\" and
	 .cause.params.target == \"10.55.0.2\")"
tr_expect "no firewall guessed" \
	'all(.findings[]; (.cause.strength // "") != "guess")'
tr_same

lab_exec "$B" sysctl -qw net.ipv4.icmp_echo_ignore_all=0
tr_trace --ping 10.55.0.2 --from "$A" -c 2 --interval 0.2
[ "$TR_RC" = 0 ] || lab_die "trace exited $TR_RC once pings are answered"
tr_expect "answered once the sysctl is back" '.summary.answered == 2'
echo PASS

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The text report's ladder shows the kernel's drop as a column of its own,
# on the row of the packet it dropped (request or reply), and leaves it out
# when no shown probe has one that matters (the raw-socket copy's NO_SOCKET
# of an answered probe does not).
set -u
: "${DROPSPOT:?DROPSPOT must name the dropspot binary}"
: "${DROPSPOT_SRC:?}"
S=$DROPSPOT_SRC/samples
fail() { echo "FAIL: $*"; echo "$out" | sed 's/^/  | /'; exit 1; }

out=$("$DROPSPOT" analyze --no-color "$S/firewall-drop.pcapng.gz" 2>&1)
echo "$out" | grep -q '^  probe .* br0 .*kernel drop' ||
	fail "firewall-drop: no kernel drop column"
echo "$out" | grep -Eq '^  #1 .*req .* x NETFILTER_DROP \+[0-9]+us +lost' ||
	fail "firewall-drop: the request row does not show NETFILTER_DROP"

out=$("$DROPSPOT" analyze --no-color "$S/reply-lost.pcapng.gz" 2>&1)
echo "$out" | grep -Eq '^ +rep .*<- .* x NETFILTER_DROP' ||
	fail "reply-lost: the reply row does not show the kernel drop"
echo "$out" | grep -Eq '^  #1 .*req .*x NETFILTER_DROP' &&
	fail "reply-lost: the reply's drop is shown on the request row"

out=$("$DROPSPOT" analyze --no-color "$S/healthy-nat.pcapng.gz" 2>&1)
echo "$out" | grep -q 'kernel drop' &&
	fail "healthy-nat: a kernel drop column for answered probes"
echo PASS

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dropspot trace, host state (issue 13): the host's input chain has policy
# drop and no rule at all.  The saved ruleset's chain policy names family,
# table, chain and hook, live and offline.
. "$DROPSPOT_SRC/tests/integration/trace_lib.sh"
tr_init nft

lab_topo_bridged
lab_exec "$LAB_HOST" nft -f - <<-NFT
	table inet dsstate {
		chain input {
			type filter hook input priority filter; policy drop;
		}
	}
NFT
tr_points "$LAB_HOST" tap0 br0 up0
tr_trace --ping "$LAB_HOST_IP" --from "$LAB_GUEST" -c 3 --interval 0.2
[ "$TR_RC" = 1 ] || lab_die "trace exited $TR_RC, want 1 (problem found)"
tr_expect "every probe lost" '.summary.lost == 3 and .summary.answered == 0'
tr_expect "cause: the input chain's policy" \
	"any(.findings[]; .cause.code == \"chain_policy_drop\" and
	 .cause.params.nf_family == \"inet\" and
	 .cause.params.nf_table == \"dsstate\" and
	 .cause.params.nf_chain == \"input\" and
	 .cause.params.nf_hook == \"input\" and
	 .cause.params.nf_netns == \"$LAB_HOST\")"
tr_same
# diff reads the state from the capture as analyze does: the saved report
# and the capture it came from name the same cause, so no change
"$DROPSPOT" diff "$TR_JSON_FILE" "$LAB_DIR/trace.pcapng" >"$LAB_DIR/diff.out" 2>&1 ||
	lab_die "diff of the saved report and its capture: $(cat "$LAB_DIR/diff.out")"
echo "ok: diff of the saved report against its capture: no change"
echo PASS

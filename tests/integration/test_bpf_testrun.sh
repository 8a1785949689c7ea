#!/bin/bash
# BPF_PROG_TEST_RUN on crafted packets for every capture program: verdict,
# record fields and bytes, in-kernel filtering.  Loading proves the verifier
# accepts the programs on this kernel.
set -u
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
bin=${DROPSPOT_TESTBIN:?}/bpf_testrun
[ -x "$bin" ] || { echo "missing $bin"; exit 1; }
exec "$bin"

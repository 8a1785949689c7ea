#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The layers' include rule (CMakeLists.txt, README "Layout"): a directory
# includes headers of its own layer and of the layers on its left only.  The
# link of layer_check_* catches calls; this catches a header that would
# quietly pull a right-hand layer's types in.  Prints each offending line and
# fails; silent otherwise.
#
#   cmake/check_layers.sh SOURCE_DIR
src=${1:-.}
status=0

check() {	# DIR ALLOWED-DIRS...
	dir=$1
	shift
	allowed=$(printf '%s|' "$dir" "$@")
	allowed=${allowed%|}
	bad=$(grep -Hn '^#include "[A-Za-z_]*/' "$src/$dir"/*.c "$src/$dir"/*.h \
		2>/dev/null | grep -Ev "#include \"($allowed)/")
	if [ -n "$bad" ]; then
		echo "layer rule broken: $dir/ may include only $* and itself:" >&2
		echo "$bad" | sed "s@^$src/@  @" >&2
		status=1
	fi
}

check common
check dissect common
check capture common bpf
check analyze common dissect
exit $status

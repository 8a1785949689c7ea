#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shipping (issue 15): `cmake --install` into a temporary prefix puts the
# binary, the man pages, the docs and the bash completion where they
# belong; `dropspot --version` gives the project version and a git
# revision; every man page renders without a single warning and names every
# option of its --help (and no other); the completion offers the commands,
# every option of each, interfaces, netns names and files; CPack builds a
# .deb of this build dir with Depends on libbpf, libpcap and zlib, and, as
# root, it installs (`dropspot --version` from /usr/bin, `man -w`) and
# purges cleanly.
#
# The package is made from the build under test ($DROPSPOT_BUILD: under
# `./quickstart.sh test` the ASan build, which is fine to check the
# packaging; `./quickstart.sh package` makes the release one).  A dropspot
# package already installed, or any of the package's files already on the
# system, is left alone: the install/remove part is then skipped.  Not root,
# or no dpkg-deb/cpack: those parts are skipped and the test exits 77 after
# the rest passed.
set -u
: "${DROPSPOT:?}" "${DROPSPOT_SRC:?}" "${DROPSPOT_BUILD:?}"
for tool in cmake man gzip; do
	command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done
[ -f "$DROPSPOT_BUILD/cmake_install.cmake" ] ||
	{ echo "skip: $DROPSPOT_BUILD is not a configured build dir"; exit 77; }
TMP=$(mktemp -d) || exit 1
INSTALLED_PKG=
cleanup() {
	if [ -n "$INSTALLED_PKG" ]; then
		echo "cleanup: purging the dropspot package this test installed"
		dpkg -P dropspot >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
FAILED=0 SKIPPED=
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; FAILED=1; }

# the commands of `dropspot --help`; at least these five
COMMANDS=$("$DROPSPOT" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }' | tr '\n' ' ')
for c in trace analyze capture dissect diff; do
	[[ " $COMMANDS" == *" $c "* ]] || fail "dropspot --help lists no command $c ($COMMANDS)"
done
PAGES="dropspot"
for c in $COMMANDS; do PAGES="$PAGES dropspot-$c"; done

# The options of `dropspot [CMD] --help`, read independently of
# man/help2roff.awk: the first column of the option lines.
help_opts() {
	"$DROPSPOT" "$@" --help | sed -n 's/^ \{1,8\}\(-[^ ].*\)$/\1/p' |
		sed 's/   *.*//' | grep -oE -- '--?[a-zA-Z0-9][-a-zA-Z0-9]*' | sort -u
}

# --- install into a prefix ------------------------------------------------
PREFIX=$TMP/prefix
if cmake --install "$DROPSPOT_BUILD" --prefix "$PREFIX" >"$TMP/install.log" 2>&1; then
	ok "cmake --install $DROPSPOT_BUILD --prefix $PREFIX"
else
	fail "cmake --install: $(tail -5 "$TMP/install.log")"
	exit 1
fi
expect_files="bin/dropspot share/bash-completion/completions/dropspot
	share/doc/dropspot/README.md share/doc/dropspot/copyright"
for p in $PAGES; do expect_files="$expect_files share/man/man8/$p.8.gz"; done
for d in "$DROPSPOT_SRC"/docs/*.md "$DROPSPOT_SRC"/docs/*.json; do
	expect_files="$expect_files share/doc/dropspot/${d##*/}"
done
missing=
for f in $expect_files; do [ -s "$PREFIX/$f" ] || missing="$missing $f"; done
[ -x "$PREFIX/bin/dropspot" ] || missing="$missing bin/dropspot(executable)"
if [ -z "$missing" ]; then
	ok "installed: $(echo $expect_files | wc -w) files"
else
	fail "missing from the install:$missing"
fi

# --- --version --------------------------------------------------------------
want=$(sed -n 's/^project(dropspot VERSION \([0-9.]*\).*/\1/p' "$DROPSPOT_SRC/CMakeLists.txt")
ver=$("$PREFIX/bin/dropspot" --version)
if [[ $ver =~ ^dropspot\ ([0-9.]+)\ \(git\ ([^\)]+)\)$ ]] &&
   [ "${BASH_REMATCH[1]}" = "$want" ]; then
	rev=${BASH_REMATCH[2]}
	if git -C "$DROPSPOT_SRC" rev-parse --git-dir >/dev/null 2>&1; then
		hash=$(echo "$rev" | grep -oE '(^|-g)[0-9a-f]{7,}' | tail -1 | sed 's/^-g//')
		if [ -n "$hash" ] && git -C "$DROPSPOT_SRC" cat-file -e "$hash^{commit}" 2>/dev/null; then
			ok "--version: $ver"
		else
			fail "--version: '$rev' is not a revision of $DROPSPOT_SRC"
		fi
	else
		[ "$rev" = unknown ] && ok "--version outside git: $ver" ||
			fail "--version outside git: $ver"
	fi
else
	fail "--version: '$ver' (want 'dropspot $want (git REV)')"
fi
[ "$("$DROPSPOT" -V)" = "$ver" ] || fail "-V: $("$DROPSPOT" -V) != $ver"

# --- man pages ----------------------------------------------------------------
for p in $PAGES; do
	page=$PREFIX/share/man/man8/$p.8.gz
	[ -s "$page" ] || continue
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$TMP/$p.txt" 2>"$TMP/$p.err"
	if [ -s "$TMP/$p.err" ] || [ ! -s "$TMP/$p.txt" ]; then
		fail "$p(8) renders with warnings: $(head -5 "$TMP/$p.err")"
		continue
	fi
	# sections, from the roff source
	gzip -dc "$page" >"$TMP/$p.8"
	sections=$(sed -n 's/^\.SH "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$TMP/$p.8" | tr '\n' '|')
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
		[[ "|$sections" == *"|$s|"* ]] || fail "$p(8) has no section $s"
	done
	for ref in 'tcpdump (8)' 'tshark (1)' 'pwru (8)' 'ip\-netns (8)'; do
		grep -qF ".BR $ref" "$TMP/$p.8" || fail "$p(8) SEE ALSO lacks $ref"
	done
	# options: the OPTIONS tags of the page are exactly those of --help
	cmd=${p#dropspot}; cmd=${cmd#-}
	help_opts $cmd >"$TMP/$p.help_opts"
	sed -n '/^\.SH OPTIONS/,/^\.SH/p' "$TMP/$p.8" | sed -n '/^\.TP/{n;p}' |
		sed 's/\\-/-/g; s/\\f[BIR]//g' | sed 's/ [^-].*//; s/ \[.*//' |
		grep -oE -- '--?[a-zA-Z0-9][-a-zA-Z0-9]*' | sort -u >"$TMP/$p.man_opts"
	if [ -s "$TMP/$p.help_opts" ] && cmp -s "$TMP/$p.help_opts" "$TMP/$p.man_opts"; then
		ok "$p(8): renders without warnings, $(wc -l <"$TMP/$p.help_opts") options as in --help"
	else
		fail "$p(8) options differ from --help (< help, > page): $(diff "$TMP/$p.help_opts" "$TMP/$p.man_opts" | grep '^[<>]' | tr '\n' ' ')"
	fi
done

# --- bash completion --------------------------------------------------------
COMP=$PREFIX/share/bash-completion/completions/dropspot
# complete WORD...: what _dropspot offers for the last WORD
complete_words() {
	bash -c 'eval "${STUB:-}"; source "$1" || exit 1; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_dropspot || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' bash "$COMP" "$@"
}
got=$(complete_words dropspot "" | tr '\n' ' ')
miss=
for c in $COMMANDS; do [[ " $got" == *" $c "* ]] || miss="$miss $c"; done
[ -z "$miss" ] && ok "completion: commands: $got" || fail "completion: commands lack$miss (got: $got)"
for c in "" $COMMANDS; do
	if [ -n "$c" ]; then
		complete_words dropspot $c - | sort -u >"$TMP/comp"
	else
		complete_words dropspot - | sort -u >"$TMP/comp"
	fi
	help_opts $c >"$TMP/want"
	if [ -s "$TMP/want" ] && cmp -s "$TMP/want" "$TMP/comp"; then
		ok "completion: dropspot ${c:-(global)} -: $(wc -l <"$TMP/want") options"
	else
		fail "completion: dropspot $c - (< help, > offered): $(diff "$TMP/want" "$TMP/comp" | grep '^[<>]' | tr '\n' ' ')"
	fi
done
got=$(complete_words dropspot capture -i l | tr '\n' ' ')
[[ " $got" == *" lo "* ]] && ok "completion: capture -i l: $got" ||
	fail "completion: capture -i l offers no lo (got: $got)"
got=$(complete_words dropspot trace -i tap0,l | tr '\n' ' ')
[[ " $got" == *" tap0,lo "* ]] && ok "completion: trace -i tap0,l: $got" ||
	fail "completion: trace -i tap0,l offers no tap0,lo (got: $got)"
# netns names and their interfaces, from a stand-in for ip(8): the host's
# namespaces come and go with other tests' labs.
IP_STUB='ip() {
	case "$*" in
	"netns list") echo "ds-t1 (id: 3)"; echo "ds-t2" ;;
	"-n ds-t1 -o link show")
		echo "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN"
		echo "2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue" ;;
	*) command ip "$@" ;;
	esac
}'
got=$(STUB=$IP_STUB complete_words dropspot trace --from "" | tr '\n' ' ')
[ "$got" = "ds-t1 ds-t2 " ] && ok "completion: --from: $got" ||
	fail "completion: --from offers '$got' (want ds-t1 ds-t2)"
got=$(STUB=$IP_STUB complete_words dropspot capture -i ds-t | tr '\n' ' ')
[ "$got" = "ds-t1/ ds-t2/ " ] && ok "completion: -i ds-t: $got" ||
	fail "completion: -i ds-t offers '$got' (want ds-t1/ ds-t2/)"
got=$(STUB=$IP_STUB complete_words dropspot trace -i lo,ds-t1/e | tr '\n' ' ')
[ "$got" = "lo,ds-t1/eth0 " ] && ok "completion: -i lo,ds-t1/e: $got" ||
	fail "completion: -i lo,ds-t1/e offers '$got' (want lo,ds-t1/eth0)"
sample=$DROPSPOT_SRC/samples/firewall-drop.pcapng.gz
for c in analyze dissect diff; do
	got=$(complete_words dropspot $c "${sample%.pcapng.gz}")
	[[ $got == *"$sample"* ]] && ok "completion: $c FILE" ||
		fail "completion: $c ${sample%.pcapng.gz} offers no $sample (got: $got)"
done

# --- Debian package ---------------------------------------------------------
pkg_part() {
	for tool in cpack dpkg-deb dpkg-shlibdeps; do
		command -v $tool >/dev/null ||
			{ SKIPPED="$SKIPPED package (no $tool);"; return; }
	done
	if ! cpack -G DEB --config "$DROPSPOT_BUILD/CPackConfig.cmake" -B "$TMP/pkg" \
		>"$TMP/cpack.log" 2>&1; then
		fail "cpack: $(tail -5 "$TMP/cpack.log")"
		return
	fi
	deb=$(ls "$TMP"/pkg/dropspot_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || { fail "cpack made no .deb: $(tail -3 "$TMP/cpack.log")"; return; }
	dpkg -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$TMP/contents"
	missing=
	for f in $expect_files; do
		grep -qx "/usr/$f" "$TMP/contents" || missing="$missing /usr/$f"
	done
	[ -z "$missing" ] && ok "dpkg -c ${deb##*/}: $(grep -vc '/$' "$TMP/contents") files" ||
		fail "package lacks:$missing"
	deps=$(dpkg-deb -f "$deb" Depends)
	for lib in libbpf libpcap zlib1g libc6; do
		[[ $deps == *"$lib"* ]] || fail "Depends lacks $lib: $deps"
	done
	ok "Depends: $deps"

	if [ "$(id -u)" -ne 0 ]; then
		SKIPPED="$SKIPPED dpkg -i/-r (not root);"
		return
	fi
	command -v flock >/dev/null || { SKIPPED="$SKIPPED dpkg -i/-r (no flock);"; return; }
	# one such test at a time on this machine (other build dirs' suites):
	# flock on dpkg's database directory, which leaves no lock file behind
	# and does not conflict with dpkg's own (fcntl) lock
	exec 9</var/lib/dpkg
	flock -w 120 9 || { SKIPPED="$SKIPPED dpkg -i/-r (lock busy);"; return; }
	if dpkg-query -W -f='${Status}' dropspot 2>/dev/null | grep -q .; then
		SKIPPED="$SKIPPED dpkg -i/-r (a dropspot package is installed; left alone);"
		return
	fi
	for f in $(grep -v '/$' "$TMP/contents"); do
		if [ -e "$f" ]; then
			SKIPPED="$SKIPPED dpkg -i/-r ($f exists; left alone);"
			return
		fi
	done
	# dpkg -i, retried while apt or dpkg hold the dpkg lock
	local try
	for try in 1 2 3 4 5 6 7 8 9 10; do
		INSTALLED_PKG=1
		dpkg -i "$deb" >"$TMP/dpkg.log" 2>&1 && break
		grep -qi lock "$TMP/dpkg.log" || break
		INSTALLED_PKG=
		echo "dpkg is locked (try $try of 10), waiting"
		sleep 3
	done
	if ! dpkg-query -W -f='${Status}' dropspot 2>/dev/null | grep -q 'ok installed'; then
		fail "dpkg -i: $(tail -5 "$TMP/dpkg.log")"
		return
	fi
	ok "dpkg -i ${deb##*/}"
	sysver=$(/usr/bin/dropspot --version 2>&1)
	[ "$sysver" = "$ver" ] && ok "/usr/bin/dropspot --version: $sysver" ||
		fail "/usr/bin/dropspot --version: '$sysver' (want '$ver')"
	[ "$(man -w dropspot-trace 2>/dev/null)" = /usr/share/man/man8/dropspot-trace.8.gz ] &&
		ok "man -w dropspot-trace" || fail "man -w dropspot-trace: $(man -w dropspot-trace 2>&1)"
	if dpkg -P dropspot >"$TMP/dpkg.log" 2>&1; then
		INSTALLED_PKG=
	else
		fail "dpkg -P: $(tail -5 "$TMP/dpkg.log")"
		return
	fi
	left=
	for f in $(grep -v '/$' "$TMP/contents"); do [ -e "$f" ] && left="$left $f"; done
	if dpkg-query -W dropspot >/dev/null 2>&1 || [ -n "$left" ]; then
		fail "after dpkg -P: package or files left:$left"
	else
		ok "dpkg -P dropspot: no file left"
	fi
}
pkg_part

if [ $FAILED -ne 0 ]; then
	echo "FAIL"
	exit 1
fi
if [ -n "$SKIPPED" ]; then
	echo "skip (the rest passed):$SKIPPED"
	exit 77
fi
echo "PASS"

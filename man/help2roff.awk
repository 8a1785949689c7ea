# help2roff.awk: turns one `dropspot [COMMAND] --help` text into the parts of
# a man page, so the page is generated from the --help text and cannot drift
# from it (issue 15).  Plain POSIX awk (mawk on Debian).
#
#   awk -v mode=roff -f help2roff.awk   sections, each after a line @NAME@:
#                                       @SYNOPSIS@ @DESCRIPTION@ @OPTIONS@
#                                       @COMMANDS@ @EXIT_STATUS@
#   awk -v mode=opts -f help2roff.awk   one option a line: NAME ARG, where
#                                       ARG is 1 (takes a value), 2 (takes
#                                       an optional one) or 0
#   awk -v mode=cmds -f help2roff.awk   "NAME<TAB>SUMMARY" per command
#
# The --help layout it reads: "usage:" lines (continued by indented lines),
# paragraphs, headings of lowercase words ending in ':' ("options:",
# "global options:", "commands:"), two-column entries below them (an entry
# starts with an indent of at most 8 and '-', a deeper indent continues it),
# more paragraphs, and a paragraph starting "exit status:".  Other
# headings become paragraphs of the DESCRIPTION.

function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# Text: backslashes, option dashes (\-), `code` in bold, no control
# character at the start of a line.
function esc(s,    out, i, c, prev, bold) {
	out = ""; prev = " "; bold = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\") out = out "\\e"
		else if (c == "-" && index(" ([`,|'\"=-", prev)) out = out "\\-"
		else if (c == "`") { out = out (bold ? "\\fR" : "\\fB"); bold = !bold }
		else out = out c
		prev = c
	}
	if (bold) out = out "\\fR"
	if (out ~ /^[.']/) out = "\\&" out
	return out
}

# Synopsis and option specs: options bold, METAVARS italic.
function fmt(s,    out, i, c, prev, w, j) {
	out = ""; prev = " "
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "-" && index(" [|", prev)) {
			w = ""
			for (j = i; j <= length(s) && substr(s, j, 1) ~ /[-a-zA-Z0-9]/; j++)
				w = w substr(s, j, 1)
			gsub(/-/, "\\-", w)
			out = out "\\fB" w "\\fR"; i = j - 1; prev = "x"; continue
		}
		if (c ~ /[A-Z]/ && prev !~ /[A-Za-z0-9]/) {
			w = ""
			for (j = i; j <= length(s) && substr(s, j, 1) ~ /[A-Z0-9_]/; j++)
				w = w substr(s, j, 1)
			out = out "\\fI" w "\\fR"; i = j - 1; prev = "X"; continue
		}
		if (c == "\\") c = "\\e"
		out = out c
		prev = c
	}
	return out
}

function para_break(    ) { if (ndesc && desc[ndesc] != ".PP") desc[++ndesc] = ".PP" }

function add_opt(line,    s, spec, text, n, forms, k, f, arg, argkind) {
	s = trim(line)
	if (match(s, /  +/)) { spec = substr(s, 1, RSTART - 1); text = substr(s, RSTART + RLENGTH) }
	else { spec = s; text = "" }
	nopt++; optspec[nopt] = spec; opttext[nopt] = trim(text)
	if (mode != "opts") return
	n = split(spec, forms, /, /)
	arg = ""
	for (k = 1; k <= n; k++) {
		f = forms[k]
		if (index(f, " ")) arg = trim(substr(f, index(f, " ")))
	}
	argkind = arg == "" ? 0 : (arg ~ /^\[/ ? 2 : 1)
	for (k = 1; k <= n; k++) {
		f = forms[k]
		if (index(f, " ")) f = substr(f, 1, index(f, " ") - 1)
		print f, argkind
	}
}

BEGIN { state = "start"; nsyn = 0; ndesc = 0; nopt = 0; ncmd = 0; exittext = "" }

/^usage: / { s = $0; sub(/^usage: +/, "", s); syn[++nsyn] = s; state = "usage"; next }
state == "usage" && /^   +[a-z]/ { syn[++nsyn] = trim($0); next }
/^exit status:/ { s = $0; sub(/^exit status: */, "", s); exittext = s; state = "exit"; next }
state == "exit" { exittext = exittext " " trim($0); next }
/^[a-z][a-z ]*:$/ {
	if ($0 ~ /options:$/) state = "opts"
	else if ($0 == "commands:") state = "cmds"
	else {
		# another heading ("notes:"): a paragraph of the description
		state = "desc"; para_break(); desc[++ndesc] = esc($0)
	}
	next
}
/^[ \t]*$/ { if (state == "opts" || state == "cmds" || state == "usage") state = "desc"; para_break(); next }
state == "opts" {
	if ($0 ~ /^ ? ? ? ? ? ? ? ?-/) add_opt($0)
	else if (nopt) opttext[nopt] = opttext[nopt] (opttext[nopt] == "" ? "" : "\n") trim($0)
	next
}
state == "cmds" {
	s = trim($0); n = index(s, " ")
	ncmd++; cmdname[ncmd] = substr(s, 1, n - 1); cmdsum[ncmd] = trim(substr(s, n))
	next
}
{ state = "desc"; desc[++ndesc] = esc(trim($0)) }

END {
	if (mode == "cmds") {
		for (i = 1; i <= ncmd; i++) print cmdname[i] "\t" cmdsum[i]
		exit 0
	}
	if (mode == "opts") exit 0
	print "@SYNOPSIS@"
	print ".nf"
	for (i = 1; i <= nsyn; i++) {
		# "dropspot [COMMAND]" in bold, the rest as option specs
		s = syn[i]; head = ""
		if (match(s, /^dropspot( [a-z]+)?/)) {
			head = "\\fB" substr(s, 1, RLENGTH) "\\fR"
			s = substr(s, RLENGTH + 1)
		}
		print head fmt(s)
	}
	print ".fi"
	print "@DESCRIPTION@"
	while (ndesc && desc[ndesc] == ".PP") ndesc--
	for (i = 1; i <= ndesc; i++) print desc[i]
	print "@OPTIONS@"
	for (i = 1; i <= nopt; i++) {
		print ".TP"
		print fmt(optspec[i])
		n = split(opttext[i], lines, /\n/)
		for (k = 1; k <= n; k++) if (lines[k] != "") print esc(lines[k])
	}
	print "@COMMANDS@"
	for (i = 1; i <= ncmd; i++) {
		print ".TP"
		print "\\fBdropspot\\-" cmdname[i] "\\fR(8)"
		print esc(cmdsum[i])
	}
	print "@EXIT_STATUS@"
	# "0 ok, 1 ..., 2 ...": one tagged paragraph per status, in ascending
	# order; anything else stays one paragraph.
	s = trim(exittext); next_code = 0; cur = ""; code = ""
	n = split(s, w, / /)
	if (n && w[1] ~ /^[0-9]$/) {
		for (k = 1; k <= n; k++) {
			if (w[k] ~ /^[0-9]$/ && w[k] + 0 >= next_code && (k == 1 || w[k - 1] ~ /,$/)) {
				if (code != "") { sub(/,$/, "", cur); print ".TP"; print code; print esc(cur) }
				code = w[k]; next_code = w[k] + 1; cur = ""
			} else cur = cur (cur == "" ? "" : " ") w[k]
		}
		if (code != "") { print ".TP"; print code; print esc(cur) }
	} else if (s != "") print esc(s)
}

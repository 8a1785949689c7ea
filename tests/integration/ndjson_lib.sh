# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Checks over a `dropspot trace|capture --ndjson` stream and a --metrics
# textfile, for test_trace_ndjson.sh and test_capture_ndjson.sh.
#
#   nd_validate FILE     every line one object, valid against
#                        docs/ndjson-schema.json (with jq: a validator of
#                        the JSON Schema keywords the schema uses; also with
#                        python3's jsonschema when it is installed), one
#                        session_start first, one session_end last.
#   prom_check FILE      a strict parser of the Prometheus text exposition
#                        format; prints the samples as JSON lines.
#   prom_get F NAME [T]  the sum of the samples NAME (whose labels pass T)

ND_SCHEMA=$DROPSPOT_SRC/docs/ndjson-schema.json

# A JSON Schema (2020-12) validator in jq for the keywords the schema uses:
# $ref (local $defs), type (with integer), const, enum, pattern, minimum,
# minLength, required, properties, additionalProperties: false, items,
# allOf, if/then.  Keywords it does not know fail loudly, so the schema
# cannot grow a check this validator would skip.  Prints one line per error.
# shellcheck disable=SC2016 # jq program, not shell
ND_JQ='
def known: ["$schema","$id","title","description","$defs","$ref","type",
	"const","enum","pattern","minimum","minLength","required","properties",
	"additionalProperties","items","allOf","if","then"];
def jtype($x): ($x | type) as $t |
	if $t == "number" and ($x | floor) == $x then [$t, "integer"] else [$t] end;
def errs($root; $s; $x; $p):
	if ($s | has("$ref")) then
		errs($root; $root["$defs"][$s["$ref"] | ltrimstr("#/$defs/")]; $x; $p)
	else
	(($s | keys[]) as $k | select(known | index([$k]) | not) |
		"\($p): schema keyword \($k) unknown to this validator"),
	(select($s | has("type")) | ([$s.type] | flatten) as $ok |
		select([jtype($x)[] as $h | $ok | index([$h])] | all(. == null)) |
		"\($p): \($x | type) is not \($ok | join("|"))"),
	(select(($s | has("const")) and $x != $s.const) |
		"\($p): \($x | tojson) is not \($s.const | tojson)"),
	(select(($s | has("enum")) and ([$s.enum[] | . == $x] | any | not)) |
		"\($p): \($x | tojson) not in \($s.enum | tojson)"),
	(select(($x | type) == "string") |
		(select(($s | has("pattern")) and ($x | test($s.pattern) | not)) |
			"\($p): \($x | tojson) does not match \($s.pattern)"),
		(select(($s | has("minLength")) and ($x | length) < $s.minLength) |
			"\($p): shorter than \($s.minLength)")),
	(select(($x | type) == "number" and ($s | has("minimum")) and $x < $s.minimum) |
		"\($p): \($x) < \($s.minimum)"),
	(select(($x | type) == "object") |
		(($s.required // [])[] | select(. as $k | $x | has($k) | not) |
			"\($p): missing \(.)"),
		(($s.properties // {}) | to_entries[] | select(.key as $k | $x | has($k)) |
			errs($root; .value; $x[.key]; "\($p).\(.key)")),
		(select($s.additionalProperties == false) | $x | keys[] |
			select(. as $k | $s.properties | has($k) | not) |
			"\($p): unexpected member \(.)")),
	(select(($x | type) == "array" and ($s | has("items"))) |
		range($x | length) as $i | errs($root; $s.items; $x[$i]; "\($p)[\($i)]")),
	(($s.allOf // [])[] as $sub | errs($root; $sub; $x; $p)),
	(select($s | has("if")) |
		if [errs($root; $s.if; $x; $p)] | length == 0 then
			errs($root; $s.then // {}; $x; $p)
		else empty end)
	end;
errs($schema; $schema; .; "line \(input_line_number)")
'

nd_validate() {
	local file=$1 n bad
	[ -s "$file" ] || lab_die "$file: empty stream"
	[ "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" = '\n' ] ||
		lab_die "$file: the last line has no newline"
	# one object per line: each line parses alone
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		jq -e 'type == "object"' <<<"$line" >/dev/null 2>&1 ||
			lab_die "$file line $n is not one JSON object: $line"
	done <"$file"
	bad=$(jq -r --slurpfile schema "$ND_SCHEMA" \
		"\$schema[0] as \$schema | $ND_JQ" "$file") ||
		lab_die "jq validator failed on $file"
	[ -z "$bad" ] || lab_die "$file does not follow the schema:
$bad"
	if python3 -c 'import jsonschema' 2>/dev/null; then
		python3 - "$ND_SCHEMA" "$file" <<-'PY' || lab_die "jsonschema: $file"
			import json, sys, jsonschema
			schema = json.load(open(sys.argv[1]))
			jsonschema.Draft202012Validator.check_schema(schema)
			v = jsonschema.Draft202012Validator(schema)
			for i, line in enumerate(open(sys.argv[2]), 1):
			    for e in v.iter_errors(json.loads(line)):
			        sys.exit(f"line {i}: {e.message}")
		PY
		echo "ok: $(basename "$file"): $n lines valid (jq and python3 jsonschema)"
	else
		echo "ok: $(basename "$file"): $n lines valid (jq)"
	fi
	# framing: one session_start first, one session_end last, one session
	jq -se '(.[0].type == "session_start") and (.[-1].type == "session_end") and
		([.[] | select(.type == "session_start")] | length == 1) and
		([.[] | select(.type == "session_end")] | length == 1) and
		([.[].session] | unique | length == 1) and
		([.[].ts_ns] | . == sort)' "$file" >/dev/null ||
		lab_die "$file: not one session from session_start to session_end in time order"
	# ts and ts_ns say the same instant (to the second: ts_ns is a double in jq)
	jq -se 'all(.[]; ((.ts[0:19] + "Z") | fromdate) - (.ts_ns / 1e9 | floor) | fabs <= 1)' \
		"$file" >/dev/null || lab_die "$file: ts and ts_ns disagree"
	jq -se --arg h "$(hostname)" 'all(.[]; .host == $h)' "$file" >/dev/null ||
		lab_die "$file: host is not $(hostname)"
}

# prom_check FILE: the exposition format, strictly (text format 0.0.4 as
# node_exporter's textfile collector reads it).  Output: one JSON object
# {"name", "labels" (decoded), "value"} per sample, for asserts with jq.
prom_check() {
	python3 - "$1" <<-'PY'
		import json, re, sys
		NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*\Z')
		LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*\Z')
		FLOAT = re.compile(r'[+-]?(Inf|NaN|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\Z')
		TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
		def die(n, msg):
		    sys.exit(f"{sys.argv[1]}:{n}: {msg}")
		data = open(sys.argv[1], 'rb').read()
		if not data.endswith(b'\n'):
		    die(0, "does not end with a newline")
		try:
		    text = data.decode('utf-8')
		except UnicodeDecodeError as e:
		    die(0, f"not UTF-8: {e}")
		helps, types, done, series, out = set(), {}, set(), set(), []
		current = None
		for n, line in enumerate(text.split('\n')[:-1], 1):
		    if line.startswith('#'):
		        m = re.match(r'# (HELP|TYPE) (\S+) (.*)\Z', line)
		        if not m:
		            continue        # a plain comment
		        kind, name, rest = m.groups()
		        if not NAME.match(name):
		            die(n, f"bad metric name {name!r}")
		        if name in done or (current and current != name and name in types):
		            die(n, f"{kind} for {name} after its samples")
		        if kind == 'HELP':
		            if name in helps:
		                die(n, f"second HELP for {name}")
		            if re.search(r'\\[^\\n]', rest):
		                die(n, "bad escape in HELP")
		            helps.add(name)
		        else:
		            if name in types:
		                die(n, f"second TYPE for {name}")
		            if rest not in TYPES:
		                die(n, f"bad type {rest!r}")
		            types[name] = rest
		        continue
		    if not line.strip():
		        die(n, "blank line")
		    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)', line)
		    if not m:
		        die(n, f"bad sample {line!r}")
		    name, i, labels = m.group(1), m.end(), []
		    if name not in types:
		        die(n, f"sample of {name} before its TYPE")
		    if name not in helps:
		        die(n, f"sample of {name} before its HELP")
		    if current != name:
		        if current:
		            done.add(current)
		        if name in done:
		            die(n, f"samples of {name} not together")
		        current = name
		    if types[name] == 'counter' and not name.endswith('_total'):
		        die(n, f"counter {name} does not end in _total")
		    if i < len(line) and line[i] == '{':
		        i += 1
		        while line[i] != '}':
		            m = re.match(r'([^=]*)="', line[i:])
		            if not m or not LABEL.match(m.group(1)) or m.group(1).startswith('__'):
		                die(n, f"bad label name at {line[i:]!r}")
		            lname, i, val = m.group(1), i + m.end(), ''
		            while True:
		                if i >= len(line):
		                    die(n, "unterminated label value")
		                c = line[i]
		                if c == '"':
		                    i += 1
		                    break
		                if c == '\\':
		                    e = line[i + 1:i + 2]
		                    if e not in ('\\', '"', 'n'):
		                        die(n, f"bad escape \\{e} in a label value")
		                    val += '\n' if e == 'n' else e
		                    i += 2
		                    continue
		                val += c
		                i += 1
		            if lname in [l for l, _ in labels]:
		                die(n, f"label {lname} twice")
		            labels.append((lname, val))
		            if line[i] == ',':
		                i += 1
		            elif line[i] != '}':
		                die(n, f"expected , or }} at {line[i:]!r}")
		        i += 1
		    rest = line[i:]
		    if not rest.startswith(' '):
		        die(n, "no space before the value")
		    parts = rest[1:].split(' ')
		    if not 1 <= len(parts) <= 2 or not FLOAT.match(parts[0]):
		        die(n, f"bad value {rest!r}")
		    if len(parts) == 2 and not re.match(r'-?\d+\Z', parts[1]):
		        die(n, f"bad timestamp {parts[1]!r}")
		    key = (name, tuple(sorted(labels)))
		    if key in series:
		        die(n, f"duplicate series {name}{labels}")
		    series.add(key)
		    out.append(json.dumps({"name": name, "labels": dict(labels),
		                           "value": float(parts[0])}, sort_keys=True))
		for name in types:
		    if name not in helps:
		        die(0, f"{name} has a TYPE but no HELP")
		print('\n'.join(sorted(out)))
	PY
}

# prom_get FILE.json NAME [JQ-LABEL-TEST]: the sum of the matching samples.
prom_get() {
	jq -s --arg n "$2" "[.[] | select(.name == \$n) | select(${3:-true}) | .value] | add // 0" "$1"
}

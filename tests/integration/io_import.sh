#!/bin/bash
# nfsh import / export: schema examples validated (python3 stdlib walker of the
# schema), import applies atomically, errors carry the JSON pointer (also as a
# JSON object with --json), --dry-run applies nothing, export re-imports to
# the identical ruleset.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
SCHEMA=$SRCDIR/schemas/batch.schema.json
VALIDATE="python3 $SRCDIR/tests/lib/jsonschema_mini.py $SCHEMA"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ruleset() { nft -j list ruleset; }

for f in "$SRCDIR"/schemas/examples/*.json; do
	check "example $(basename "$f") valid against the schema" $VALIDATE "$f"
	check "example $(basename "$f") passes import --dry-run" "$NFSH" import --dry-run "$f"
done
for f in "$SRCDIR"/schemas/examples/invalid/*.json; do
	check "invalid $(basename "$f") refused by the schema" bash -c "! $VALIDATE '$f' >/dev/null"
	expect_status "invalid $(basename "$f") refused by import" 2 "$NFSH" import --dry-run "$f"
done
expect_eq "--dry-run applied nothing" "$(nft list ruleset)" ""

check "import host-firewall example" "$NFSH" import "$SRCDIR/schemas/examples/host-firewall.json"
expect_eq "imported ruleset" "$("$NFSH" save | grep -E '^(:INPUT|-A)')" "$(printf '%s\n' \
	':INPUT DROP [0:0]' \
	'-A INPUT -m state --state INVALID -j DROP' \
	'-A INPUT -i lo -j ACCEPT' \
	'-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' \
	'-A INPUT -s 10.0.0.0/8 -j LAN' \
	'-A LAN ! -p udp -m comment --comment "lan, not udp" -j ACCEPT')"
expect_eq "imported ipv6 operation" "$("$NFSH" save -6 | grep '^-A')" "-A INPUT -s 2001:db8::/32 -j DROP"
check "import kube-style example (nat)" "$NFSH" import "$SRCDIR/schemas/examples/kube-style-nat.json"
before=$(ruleset)

# Errors: JSON pointer of the item and field; nothing applied.
cat >"$TMP/bad.json" <<'J'
{"nfsh_batch": {"version": 1}, "operations": [
 "-A INPUT -j ACCEPT",
 {"rule": {"chain": "INPUT", "matches": [{"name": "state", "options": {"state": "NEW", "bogus": "x"}}]}}
]}
J
"$NFSH" import "$TMP/bad.json" 2>"$TMP/err"
expect_eq "bad option: exit 2" "$?" 2
check "bad option: pointer to the field" grep -q '/operations/1/rule/matches/0/options/bogus: unknown option "--bogus"' "$TMP/err"
"$NFSH" import --json "$TMP/bad.json" 2>"$TMP/err"
expect_eq "--json error is a JSON object with the pointer" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pointer"], d["word"])' "$TMP/err")" \
	"/operations/1/rule/matches/0/options/bogus --bogus"
printf '{"nfsh_batch": {"version": 1}, "operations": ["-A INPUT -j ACCEPT", {"rule": {"chain": "INPUT", "colour": "red"}}]}' >"$TMP/b2.json"
"$NFSH" import "$TMP/b2.json" 2>"$TMP/err"
check "unknown field: pointer" grep -q '/operations/1/rule/colour: unknown field "colour"' "$TMP/err"
printf '{"nfsh_batch": {"version": 1}, "operations": ["-A INPUT -j ACCEPT", {"rule": {"chain": "INPUT", "target": {"name": "NOWHERE"}}}]}' >"$TMP/b3.json"
"$NFSH" import "$TMP/b3.json" 2>"$TMP/err"
check "missing chain: pointer to target/name" grep -q '/operations/1/rule/target/name: .*"NOWHERE"' "$TMP/err"
printf '{"nfsh_batch": {"version": 1}, "operations": ["-A INPUT -j ACCEPT", "-A INPUT --dprt 22 -j ACCEPT"]}' >"$TMP/b4.json"
"$NFSH" import "$TMP/b4.json" 2>"$TMP/err"
check "bad command string: pointer to the operation and word" grep -q '/operations/1: .*"--dprt"' "$TMP/err"
printf '{"nfsh_batch": {"version": 1}, "operations": [' >"$TMP/b5.json"
expect_status "truncated JSON: exit 2" 2 "$NFSH" import "$TMP/b5.json"
expect_eq "bad batches: nothing applied" "$(ruleset)" "$before"
printf '{"nfsh_batch": {"version": 1}, "operations": [{"rule": {"chain": "INPUT", "position": 1, "target": {"name": "DROP"}}}]}' |
	"$NFSH" import --dry-run -
expect_eq "--dry-run from stdin: nothing applied" "$(ruleset)" "$before"

# Export: valid against the schema, and re-imports to the identical ruleset.
"$NFSH" restore "$SRCDIR/tests/integration/data/io_canon.v4"
"$NFSH" import "$SRCDIR/schemas/examples/host-firewall.json"
want=$(nft list ruleset)
for mode in strings --json; do
	opt=; [ "$mode" = --json ] && opt=--json
	"$NFSH" export $opt >"$TMP/exp.json"
	check "export ($mode) valid against the schema" $VALIDATE "$TMP/exp.json"
	nft flush ruleset
	check "export ($mode) re-imports" "$NFSH" import "$TMP/exp.json"
	expect_eq "export ($mode) round trip: identical ruleset" "$(nft list ruleset)" "$want"
done
check "export --json writes structured rules" grep -q '"matches"' "$TMP/exp.json"
"$NFSH" export -6 >"$TMP/exp6.json"
check "export -6: only ipv6" bash -c "grep -q ipv6 '$TMP/exp6.json' && ! grep -q ipv4 '$TMP/exp6.json'"
finish

#!/bin/bash
# The netlink reader (src/nft/nl_read.c) against libnftables: every rule and
# shared set it reads must be the JSON libnftables lists for it
# (NFSH_READ_CHECK=1 compares them one by one), rules it does not know fall
# back to libnftables, and save / -S / -L print the same bytes either way
# (NFSH_READER=nft forces the libnftables path).
# Rulesets: the benchmark generator's (host, docker, kube-proxy), and every
# iptables/ip6tables command of the iptables txlate corpus that nfsh accepts.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
CORPUS=${NFSH_CORPUS:-/work/shared/corpus}/iptables/txlate
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
nocomment() { grep -v '^#'; }

# "nfsh: read check: KEY: netlink ..." lines: a rule read differently.
mismatches() { grep -c '^nfsh: read check: [rs][0-9:].*: netlink ' "$1"; }
fallbacks() { grep -c '^nfsh: read check: .*read by libnftables\|libnftables path' "$1"; }

# Every printer that reads through table_read, both ways: identical bytes.
same_both_ways() {
	local what=$1
	shift
	"$NFSH" "$@" >"$TMP/fast" 2>&1
	NFSH_READER=nft "$NFSH" "$@" >"$TMP/slow" 2>&1
	expect_eq "$what: netlink and libnftables readers print the same" \
		"$(nocomment <"$TMP/fast" | md5sum)" "$(nocomment <"$TMP/slow" | md5sum)"
	[ "$(nocomment <"$TMP/fast" | wc -l)" -gt 2 ] || fail "$what printed next to nothing"
}

# 1. The generated ruleset: all of it on the netlink path, no difference.
python3 "$SRCDIR/tests/bench/gen_ruleset.py" 3000 >"$TMP/gen.v4"
check "restore the generated ruleset" "$NFSH" restore "$TMP/gen.v4"
for t in filter nat mangle; do
	NFSH_READ_CHECK=1 "$NFSH" save -c -t "$t" >/dev/null 2>"$TMP/chk"
	expect_eq "generated $t: no rule read differently" "$(mismatches "$TMP/chk")" 0
	expect_eq "generated $t: every rule read over netlink" "$(fallbacks "$TMP/chk")" 0
done
same_both_ways "generated save -c" save -c
same_both_ways "generated -S" -S
same_both_ways "generated -t nat -S" -t nat -S
same_both_ways "generated -L -n -v" -L -n -v
same_both_ways "generated -S one chain" -t nat -S KUBE-SERVICES
same_both_ways "generated -S chain with a shared set" -S HOST-IN
expect_eq "save byte for byte as iptables-nft-save would (canonical input)" \
	"$("$NFSH" save | nocomment)" "$(NFSH_READER=nft "$NFSH" save | nocomment)"

# A missing chain is missing on both paths.
"$NFSH" -S NO-SUCH-CHAIN >"$TMP/a" 2>&1
ra=$?
NFSH_READER=nft "$NFSH" -S NO-SUCH-CHAIN >"$TMP/b" 2>&1
expect_eq "missing chain: same status" "$ra" "$?"
expect_eq "missing chain: same message" "$(cat "$TMP/a")" "$(cat "$TMP/b")"

# 2. The txlate corpus: each command nfsh accepts, into fresh tables.
"$NFSH" restore <<<$'*filter\nCOMMIT\n*nat\nCOMMIT\n*mangle\nCOMMIT\n*raw\nCOMMIT'
ln -s "$NFSH" "$TMP/iptables"
ln -s "$NFSH" "$TMP/ip6tables"
applied=0
while IFS= read -r line; do
	cmd=${line#*-translate }
	if [[ $line == ip6tables-translate* ]]; then
		pers=ip6tables
	else
		pers=iptables
	fi
	# -I/-A only: the rules to read back.
	[[ " $cmd " == *" -A "* || " $cmd " == *" -I "* ]] || continue
	eval "set -- $cmd" 2>/dev/null || continue
	"$TMP/$pers" "$@" >/dev/null 2>&1 && applied=$((applied + 1))
done < <(grep -h '^ip6\?tables-translate ' "$CORPUS"/*.txlate)
[ "$applied" -gt 100 ] && pass "corpus: $applied commands applied" ||
	fail "corpus: only $applied commands applied"
for fam in -4 -6; do
	NFSH_READ_CHECK=1 "$NFSH" save -c $fam >/dev/null 2>"$TMP/chk$fam"
	expect_eq "corpus $fam: no rule read differently" "$(mismatches "$TMP/chk$fam")" 0
	echo "corpus $fam: $(grep -c 'read by libnftables' "$TMP/chk$fam") rules left to libnftables"
	same_both_ways "corpus save $fam" save -c $fam
done
same_both_ways "corpus -S" -S
same_both_ways "corpus -L -n -v" -L -n -v
"$TMP/ip6tables" -S >"$TMP/fast" 2>&1
NFSH_READER=nft "$TMP/ip6tables" -S >"$TMP/slow" 2>&1
expect_eq "corpus ip6tables -S: the same both ways" "$(md5sum <"$TMP/fast")" "$(md5sum <"$TMP/slow")"
# The corpus must have exercised the netlink path, not only the fallback.
total=$("$NFSH" save -4 | grep -c '^-A\|^# -A')
fast=$((total - $(grep -c 'read by libnftables' "$TMP/chk-4")))
[ "$fast" -gt 30 ] && pass "corpus: $fast of $total IPv4 rules read over netlink" ||
	fail "corpus: only $fast of $total IPv4 rules read over netlink"

finish

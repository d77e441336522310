#!/bin/bash
# nfsh restore: rule numbers and specs (-I n, -D n, -D spec, -R n, -Z) mean the
# rules as the file's earlier lines leave the chain, as iptables-restore reads
# them; -F, -X, -N and chain lines of the same file count. Each file is
# compared rule for rule with the reference loaders, each run in a namespace
# of its own: iptables-legacy-restore (the same iptables 1.8.9 line semantics
# over xtables) for every file, and iptables-nft-restore for the files it can
# load (1.8.9 crashes on -R and fails on inserts next to rules the same file
# added). Errors name the line and word, exit 2, and change nothing.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
DATA=$SRCDIR/tests/integration/data/restore_positions
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ref TOOL FILE [BASE]: TOOL-restore of FILE (after BASE, then FILE with
# --noflush) in a fresh namespace; prints TOOL-save without comments.
ref() {
	local tool=$1 file=$2 base=${3:-}
	unshare -n bash -c '
		tool=$1 file=$2 base=$3
		if [ -n "$base" ]; then
			"$tool-restore" <"$base" || exit 1
			"$tool-restore" --noflush <"$file" || exit 1
		else
			"$tool-restore" <"$file" || exit 1
		fi
		"$tool-save" -t filter | grep -v "^#"' _ "$tool" "$file" "$base"
}

mine() {
	local file=$1 base=${2:-}
	nft flush ruleset
	if [ -n "$base" ]; then
		"$NFSH" restore "$base" && "$NFSH" restore --noflush "$file" || return 1
	else
		"$NFSH" restore "$file" || return 1
	fi
	"$NFSH" save -t filter | grep -v '^#'
}

# compare NAME NFT_TOO [BASE]
compare() {
	local name=$1 nft_too=$2 base=${3:+$DATA/$3.v4} got want
	got=$(mine "$DATA/$name.v4" "$base" 2>&1)
	want=$(ref iptables-legacy "$DATA/$name.v4" "$base" 2>&1)
	expect_eq "$name: same rules as iptables-legacy-restore" "$got" "$want"
	[ "$(printf '%s\n' "$got" | grep -c '^-A')" -ge 3 ] && pass "$name: not trivially empty" ||
		fail "$name: too few rules to mean anything"
	if [ "$nft_too" = yes ]; then
		want=$(ref iptables-nft "$DATA/$name.v4" "$base" 2>&1)
		expect_eq "$name: same rules as iptables-nft-restore" "$got" "$want"
	fi
}

compare mixed_input no              # -A -D n -R n -I 1 -D spec -I n
compare mixed_no_replace yes        # the same without -R
compare expanded no                 # address lists: -I n -s a,b, -D spec -s one
compare flush_then_more yes         # -F then -A/-I n on the same chain, -D n in another
compare user_chains no              # user chains: -I n, -D n, -X of an emptied chain, -R
compare noflush_mixed no base       # --noflush: positions over kernel rules and staged ones

# Many inserts in the middle of a long chain, deletes between them, then
# more inserts (by index in a replaced table; flushed and re-added when a
# rule counted by later inserts goes).
python3 - >"$TMP/bulk.v4" <<'PY'
print("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]")
for i in range(300):
    print("-A INPUT -s 10.0.%d.%d -j ACCEPT" % (i // 200, i % 200))
for i in range(60):
    print("-I INPUT %d -s 10.1.0.%d -j DROP" % (150 + i % 7, i))
    if i % 10 == 9:
        print("-D INPUT %d" % (100 + i))
        print("-D INPUT -s 10.1.0.%d -j DROP" % (i - 3))
print("-R INPUT 2 -s 10.2.0.1 -j ACCEPT")
print("-I INPUT 151 -s 10.2.0.2 -j DROP")
print("COMMIT")
PY
expect_eq "bulk middle inserts: same rules as iptables-legacy-restore" \
	"$(mine "$TMP/bulk.v4" 2>&1)" "$(ref iptables-legacy "$TMP/bulk.v4" 2>&1)"

# -Z n zeroes the rule the earlier lines put there (with -c). iptables-legacy-
# restore keeps the file's counters through -Z and iptables-nft-restore 1.8.9
# crashes on it, so the expectation is written out.
nft flush ruleset
"$NFSH" restore -c "$DATA/counters_zero.v4"
expect_eq "counters_zero: -Z INPUT 2 zeroes the second rule at that point" \
	"$("$NFSH" save -c -t filter | grep -v '^#')" "$(cat "$DATA/counters_zero.want")"

# Errors: the line and the word named, exit 2, nothing applied.
nft flush ruleset
"$NFSH" restore "$DATA/base.v4"
before=$(nft -j list ruleset)
bad() { # bad DESC LINE WORD TEXT
	local desc=$1 line=$2 word=$3 text=$4
	printf '%b' "$text" >"$TMP/bad.v4"
	expect_status "$desc: exit 2" 2 "$NFSH" restore "$TMP/bad.v4"
	"$NFSH" restore "$TMP/bad.v4" 2>"$TMP/err" >/dev/null
	check "$desc: names line $line" grep -q ":$line:" "$TMP/err"
	[ -n "$word" ] && check "$desc: names \"$word\"" grep -q "\"$word\"\\|$word" "$TMP/err"
	expect_eq "$desc: nothing applied" "$(nft -j list ruleset)" "$before"
	if unshare -n bash -c 'iptables-legacy-restore <"$1"' _ "$TMP/bad.v4" 2>/dev/null; then
		fail "$desc: iptables-legacy-restore accepts it"
	else
		pass "$desc: iptables-legacy-restore refuses it too"
	fi
}
bad "-F then -D 1" 5 "" '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-F INPUT\n-D INPUT 1\nCOMMIT\n'
bad "-D n past the end" 5 3 '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\n-D INPUT 3\nCOMMIT\n'
bad "-R n past the end" 4 2 '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-R INPUT 2 -j DROP\nCOMMIT\n'
bad "-I n past the end" 4 3 '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-I INPUT 3 -j DROP\nCOMMIT\n'
bad "-D spec of a rule an earlier line deleted" 6 "" \
	'*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n-D INPUT 1\n-D INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n'
bad "-D n in a chain an earlier line deleted" 7 web \
	'*filter\n:INPUT ACCEPT [0:0]\n:web - [0:0]\n-A web -j ACCEPT\n-F web\n-X web\n-D web 1\nCOMMIT\n'

# A jump deleted by an earlier line makes no loop; a jump still there does.
printf '*filter\n:INPUT ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A a -j b\n-D a 1\n-A b -j a\n-A INPUT -j b\nCOMMIT\n' >"$TMP/loop.v4"
check "a deleted jump closes no loop" "$NFSH" restore "$TMP/loop.v4"
expect_eq "... and the rules after it are there" "$("$NFSH" save -t filter | grep -c '^-A')" 2
printf '*filter\n:INPUT ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A a -j b\n-R a 1 -j b\n-A b -j a\nCOMMIT\n' >"$TMP/loop2.v4"
expect_status "a replaced jump to the same chain still closes the loop" 2 "$NFSH" restore "$TMP/loop2.v4"

# --noflush: -D n and -D spec reach the kernel's rules through the file's own.
nft flush ruleset
"$NFSH" restore "$DATA/base.v4"
printf '*filter\n-I INPUT 1 -p tcp --dport 1 -j ACCEPT\n-D INPUT 3\n-D INPUT -i lo -j ACCEPT\nCOMMIT\n' >"$TMP/nf.v4"
"$NFSH" restore --noflush "$TMP/nf.v4"
expect_eq "--noflush: -D n counts the file's insert" \
	"$("$NFSH" -S INPUT | grep '^-A')" \
	"$(printf -- '-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 25 -j ACCEPT')"

finish

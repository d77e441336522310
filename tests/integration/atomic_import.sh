#!/bin/bash
# Atomicity of nfsh import: a batch of n operations whose operation k is
# invalid leaves `nft -j list ruleset` byte-identical, for k = first, middle,
# last, for a parse error (an iptables string and a structured rule), a jump
# to a missing chain, a rule in a chain that does not exist, and an error only
# the kernel raises (deleting a chain still jumped to). Each exits 2 and names
# the JSON pointer of operation k.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ruleset() { nft -j list ruleset; }

nft add table inet foreign
nft add chain inet foreign in '{ type filter hook input priority 10; }'
nft add rule inet foreign in tcp dport 9 counter drop
printf '%s\n' '*filter' ':INPUT DROP [0:0]' ':KEEP - [0:0]' '-A INPUT -j KEEP' \
	'-A KEEP -p tcp --dport 22 -j ACCEPT' 'COMMIT' | "$NFSH" restore
before=$(ruleset)

N=9
HEAD=3 # operations before the first rule operation
bad_op() {
	case $1 in
	parse) echo '"-A INPUT -p tcp --dprt 80 -j ACCEPT"' ;;
	sparse) echo '{"rule": {"chain": "INPUT", "protocol": "tcp", "matches": [{"name": "tcp", "options": {"dprt": "80"}}], "target": {"name": "ACCEPT"}}}' ;;
	jump) echo '{"rule": {"chain": "INPUT", "target": {"name": "MISSING"}}}' ;;
	nochain) echo '"-A NOCHAIN -j ACCEPT"' ;;
	kernel) echo '{"chain": {"name": "USED", "action": "delete"}}' ;;
	esac
}
bad_word() {
	case $1 in
	parse | sparse) echo 'dprt' ;; jump) echo 'MISSING' ;; nochain) echo 'NOCHAIN' ;; kernel) echo 'USED' ;;
	esac
}
make_batch() { # KIND K
	printf '{"nfsh_batch": {"version": 1, "flush": true}, "operations": [\n'
	printf '%s,\n' '{"chain": {"name": "USED"}}' '"-A USED -j RETURN"' '"-A FORWARD -j USED"'
	for i in $(seq 1 $N); do
		if [ "$i" = "$2" ]; then
			bad_op "$1"
		else
			printf '{"rule": {"chain": "INPUT", "protocol": "tcp", "matches": [{"name": "tcp", "options": {"dport": "%d"}}], "target": {"name": "ACCEPT"}}}\n' $((1000 + i))
		fi
		[ "$i" = "$N" ] || echo ,
	done
	printf ']}\n'
}

for kind in parse sparse jump nochain kernel; do
	for k in 1 5 $N; do
		f=$TMP/$kind-$k.json
		make_batch "$kind" "$k" >"$f"
		idx=$((HEAD + k - 1))
		"$NFSH" import "$f" 2>"$TMP/err"
		expect_eq "$kind error in operation $k of $N: exit 2" "$?" 2
		if grep -q "^$f:/operations/$idx[:/].*$(bad_word "$kind")" "$TMP/err"; then
			pass "$kind error in operation $k of $N: names /operations/$idx"
		else
			fail "$kind error in operation $k of $N: names /operations/$idx"
			sed 's/^/    /' "$TMP/err"
		fi
		expect_eq "$kind error in operation $k of $N: ruleset byte-identical" "$(ruleset)" "$before"
		"$NFSH" import --dry-run "$f" 2>/dev/null
		expect_eq "$kind error in operation $k of $N, --dry-run: exit 2" "$?" 2
		expect_eq "$kind error in operation $k of $N, --dry-run: unchanged" "$(ruleset)" "$before"
	done
done

make_batch parse 0 >"$TMP/good.json"
check "the batch without a bad operation applies" "$NFSH" import "$TMP/good.json"
check "and its last rule is there" bash -c "nft list chain ip nfsh-filter INPUT | grep -q 'dport $((1000 + N))'"
check "the foreign table is untouched" bash -c "nft list table inet foreign | grep -q 'dport 9'"
finish

#!/bin/bash
# Atomicity of nfsh restore: a file of n rule lines whose line k is invalid
# leaves the whole ruleset (nfsh's tables and a foreign one) byte-identical in
# `nft -j list ruleset`, for k = first, middle and last, for four kinds of
# error: a parse error, a jump to a missing chain, a rule in a chain that does
# not exist (both caught before the kernel sees the batch), and an error only
# the kernel raises (deleting a chain that is still jumped to). Each exits 2
# and names the file and the user's own line.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ruleset() { nft -j list ruleset; }

# A ruleset to keep: a foreign table and nfsh tables with rules in them.
nft add table inet foreign
nft add chain inet foreign in '{ type filter hook input priority 10; }'
nft add rule inet foreign in tcp dport 9 counter drop
printf '%s\n' '*filter' ':INPUT DROP [0:0]' ':KEEP - [0:0]' '-A INPUT -j KEEP' \
	'-A KEEP -p tcp --dport 22 -j ACCEPT' 'COMMIT' '*nat' ':POSTROUTING ACCEPT [0:0]' \
	'-A POSTROUTING -o eth9 -j MASQUERADE' 'COMMIT' | "$NFSH" restore
before=$(ruleset)
check "starting ruleset has rules" grep -q '"dport"' <<<"$before"

N=9
HEAD=6 # lines before the first rule line
# bad KIND: the invalid line of that kind, and the word its error must name.
bad_line() {
	case $1 in
	parse) echo '-A INPUT -p tcp --dprt 80 -j ACCEPT' ;;
	jump) echo '-A INPUT -p tcp -j MISSING' ;;
	nochain) echo '-A NOCHAIN -p tcp -j ACCEPT' ;;
	kernel) echo '-X USED' ;;
	esac
}
bad_word() {
	case $1 in
	parse) echo '--dprt' ;; jump) echo 'MISSING' ;; nochain) echo 'NOCHAIN' ;; kernel) echo 'USED' ;;
	esac
}
make_file() { # KIND K
	printf '%s\n' '# atomicity test' '*filter' ':INPUT ACCEPT [0:0]' ':USED - [0:0]' \
		'-A USED -j RETURN' '-A FORWARD -j USED'
	for i in $(seq 1 $N); do
		if [ "$i" = "$2" ]; then bad_line "$1"; else echo "-A INPUT -p tcp --dport $((1000 + i)) -j ACCEPT"; fi
	done
	printf '%s\n' 'COMMIT' '*nat' ':PREROUTING ACCEPT [0:0]' '-A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 80' 'COMMIT'
}

for kind in parse jump nochain kernel; do
	for k in 1 5 $N; do
		f=$TMP/$kind-$k.v4
		make_file "$kind" "$k" >"$f"
		line=$((HEAD + k))
		"$NFSH" restore "$f" 2>"$TMP/err"
		rc=$?
		expect_eq "$kind error at line $k of $N: exit 2" "$rc" 2
		if ! grep -q "^$f:$line: .*$(bad_word "$kind")" "$TMP/err"; then
			fail "$kind error at line $k of $N: names $f:$line and the word"
			sed 's/^/    /' "$TMP/err"
		else
			pass "$kind error at line $k of $N: names line $line and the word"
		fi
		expect_eq "$kind error at line $k of $N: ruleset byte-identical" "$(ruleset)" "$before"
		# The same file with --test changes nothing either.
		"$NFSH" restore --test "$f" 2>/dev/null
		expect_eq "$kind error at line $k of $N, --test: exit 2" "$?" 2
		expect_eq "$kind error at line $k of $N, --test: unchanged" "$(ruleset)" "$before"
	done
done

# The same file without the bad line applies: the errors above were the line's.
make_file parse 0 >"$TMP/good.v4"
check "the file without a bad line applies" "$NFSH" restore "$TMP/good.v4"
check "and its last rule is there" bash -c "nft list chain ip nfsh-filter INPUT | grep -q 'dport $((1000 + N))'"
check "the foreign table is untouched" bash -c "nft list table inet foreign | grep -q 'dport 9'"
finish

#!/usr/bin/env bash
# Bad input never changes the ruleset: for each kind of mistake, the exit status
# is iptables' (2 parameter problem, 1 otherwise), stderr is one line naming the
# offending word, and `nft -j list ruleset` is byte-identical before and after.
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A ruleset with something in it: nfsh's own rules and a foreign table.
nft -f - <<'NFT'
table inet other {
	chain c { type filter hook input priority 10; policy accept; tcp dport 9 counter drop; }
}
NFT
"$NFSH" -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
"$NFSH" -N USER
"$NFSH" -A USER -s 10.0.0.0/8 -j RETURN

# bad STATUS WORD ARGS...: exit STATUS, one stderr line containing WORD, no change.
bad() {
	local want=$1 word=$2 desc
	shift 2
	desc="nfsh $*"
	nft -j list ruleset >"$tmp/before"
	"$NFSH" "$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	nft -j list ruleset >"$tmp/after"
	expect_eq "$desc: exit status" "$got" "$want"
	expect_eq "$desc: one line on stderr" "$(wc -l <"$tmp/err")" 1
	if grep -qF -- "$word" "$tmp/err"; then
		pass "$desc: stderr names \"$word\""
	else
		fail "$desc: stderr names \"$word\""
		sed 's/^/    /' "$tmp/err"
	fi
	expect_eq "$desc: nothing on stdout" "$(cat "$tmp/out")" ""
	if cmp -s "$tmp/before" "$tmp/after"; then
		pass "$desc: ruleset unchanged"
	else
		fail "$desc: ruleset unchanged"
		diff "$tmp/before" "$tmp/after" | head -10
	fi
}

# Parameter problems (2).
bad 2 --bogus -A INPUT --bogus -j ACCEPT
bad 2 --sprot -A INPUT -m conntrack --sprot 1
bad 2 nosuchmatch -A INPUT -m nosuchmatch -j ACCEPT
bad 2 FOO -A INPUT -m state --state FOO -j ACCEPT
bad 2 BOGUS -A INPUT -m conntrack --ctstate NEW,BOGUS -j ACCEPT
bad 2 BOGUS -A INPUT -m conntrack --ctstatus BOGUS -j ACCEPT
bad 2 --dport -A INPUT --dport 22 -j ACCEPT
bad 2 --sport -A INPUT --sport 22 -j ACCEPT
bad 2 1.2.3.999 -A INPUT -s 1.2.3.999 -j ACCEPT
bad 2 10.0.0.0/33 -A INPUT -d 10.0.0.0/33 -j ACCEPT
bad 2 example.invalid -A INPUT -s 10.0.0.1,example.invalid -j ACCEPT
bad 2 255.0.255.256 -A INPUT -m conntrack --ctorigsrc 10.0.0.0/255.0.255.256 -j ACCEPT
bad 2 nosuchtable -t nosuchtable -A INPUT -j ACCEPT
bad 2 -X -A INPUT -X
bad 2 MAYBE -P INPUT MAYBE
bad 2 USER -P USER DROP
bad 2 --state -A INPUT -m state --state
bad 2 0 -D INPUT 0

# Other problems (1): the command is well formed, the ruleset disagrees.
bad 1 NOPE -A NOPE -j ACCEPT
bad 1 NOPE -A INPUT -j NOPE
bad 1 NOPE -A INPUT -g NOPE
bad 1 NOPE -I NOPE 1 -j ACCEPT
bad 1 NOPE -F NOPE
bad 1 NOPE -X NOPE
bad 1 USER -N USER
bad 1 9 -D INPUT 9
bad 1 9 -R INPUT 9 -j DROP

# Targets not allowed in a table: only for target extensions in this build.
# (translate turns an unknown target into a jump, so look at what it printed.)
if "$NFSH" translate -A INPUT -j REJECT 2>/dev/null | grep -q ' reject'; then
	bad 2 REJECT -t nat -A PREROUTING -j REJECT
else
	echo "# REJECT is not in this build: its table check is left out"
fi
if "$NFSH" translate -t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1 2>/dev/null |
	grep -q 'dnat'; then
	bad 2 DNAT -A INPUT -j DNAT --to-destination 10.0.0.1
else
	echo "# DNAT is not in this build: its table check is left out"
fi

finish

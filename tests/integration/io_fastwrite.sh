#!/bin/bash
# The netlink writer (src/nft/nl_write.c) against libnftables: the same
# commands, once each way (NFSH_WRITER=nft forces libnftables), must leave the
# kernel with the same bytecode, rule for rule; errors must read the same.
# Commands: every iptables/ip6tables -A/-I of the txlate corpus, and a few
# written here for the shapes the writer knows.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
CORPUS=${NFSH_CORPUS:-/work/shared/corpus}/iptables/txlate
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ln -s "$NFSH" "$TMP/iptables"
ln -s "$NFSH" "$TMP/ip6tables"

{
	grep -h '^ip6\?tables-translate ' "$CORPUS"/*.txlate | sed 's/-translate / /'
	cat <<'EOF'
iptables -N USER
iptables -A INPUT -s 10.0.0.0/8 -i eth0 -p tcp --dport 22 -m state --state NEW,ESTABLISHED -j ACCEPT
iptables -A INPUT ! -s 192.168.0.0/16 -d 10.1.2.3 -p udp --sport 53 -j DROP
iptables -A INPUT -i veth+ -p tcp -m multiport --dports 80,443 -j USER
iptables -A USER -m conntrack --ctstate INVALID,UNTRACKED -j DROP
iptables -A USER -p icmp -j RETURN
iptables -I USER -p tcp ! --dport 8080 -m comment --comment "a comment" -j ACCEPT
iptables -A FORWARD -o br-1 ! -i br-1 -j ACCEPT
iptables -A OUTPUT -d 172.16.0.0/12 -j ACCEPT
iptables -A OUTPUT -p 47 -j ACCEPT
iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080
iptables -t mangle -A PREROUTING -s 10.0.0.1 -j ACCEPT
ip6tables -A INPUT -s 2001:db8::/32 -d ::1 -p tcp --dport 22 -j ACCEPT
ip6tables -A INPUT ! -i lo -s fe80::/10 -j DROP
EOF
} >"$TMP/cmds"

# run MODE: every command, then the kernel's bytecode without handles.
run() {
	local n=0 mode=$1
	nft flush ruleset
	while IFS= read -r line; do
		eval "set -- $line" 2>/dev/null || continue
		pers=$1
		shift
		[[ " $* " == *" -A "* || " $* " == *" -I "* || " $* " == *" -N "* ]] || continue
		n=$((n + 1))
		echo "== $n: $line"
		NFSH_WRITE_TRACE=1 "$TMP/$pers" "$@" 2>&1
		echo "status $?"
	done <"$TMP/cmds" >"$TMP/out.$mode"
	# Handles differ; a hash set's elements come in no fixed order.
	nft --debug=netlink list ruleset 2>&1 | sed -E 's/^(ip6? nfsh-[a-z]+ [A-Za-z0-9_-]+) [0-9]+( [0-9]+)?$/\1/' |
		grep -v '^\s*$' >"$TMP/all.$mode"
	{
		grep -v '^\s*element ' "$TMP/all.$mode"
		grep '^\s*element ' "$TMP/all.$mode" | sort
	} >"$TMP/code.$mode"
}
run fast
NFSH_WRITER=nft run slow

expect_eq "same bytecode both ways" "$(md5sum <"$TMP/code.fast")" "$(md5sum <"$TMP/code.slow")"
diff "$TMP/code.fast" "$TMP/code.slow" | head -20
grep -v '^nfsh: write: ' "$TMP/out.fast" >"$TMP/msgs.fast"
grep -v '^nfsh: write: ' "$TMP/out.slow" >"$TMP/msgs.slow"
expect_eq "same messages and exit status both ways" "$(md5sum <"$TMP/msgs.fast")" "$(md5sum <"$TMP/msgs.slow")"
diff "$TMP/msgs.fast" "$TMP/msgs.slow" | head -20
fast=$(grep -c '^nfsh: write: netlink$' "$TMP/out.fast")
slow=$(grep -c '^nfsh: write: netlink$' "$TMP/out.slow")
[ "$fast" -gt 40 ] && pass "$fast commands written over netlink" ||
	fail "only $fast commands written over netlink"
expect_eq "NFSH_WRITER=nft: nothing over netlink" "$slow" 0
rules=$(grep -c '^\s*\[ counter' "$TMP/code.fast")
[ "$rules" -gt 100 ] && pass "$rules rules compared" || fail "only $rules rules compared"

# A rule the kernel refuses (jump to a missing chain): nothing applied, and
# libnftables' message, as without the writer.
nft flush ruleset
"$NFSH" -A INPUT -s 10.0.0.1 -j ACCEPT
NFSH_WRITE_TRACE=1 "$NFSH" -A INPUT -j NO-SUCH-CHAIN >"$TMP/a" 2>&1
sa=$?
NFSH_WRITER=nft "$NFSH" -A INPUT -j NO-SUCH-CHAIN >"$TMP/b" 2>&1
expect_eq "refused: same status" "$sa" "$?"
expect_eq "refused: same message" "$(grep -v '^nfsh: write:' "$TMP/a")" "$(cat "$TMP/b")"
expect_eq "refused: nothing added" "$("$NFSH" -S INPUT | grep -c '^-A')" 1

finish

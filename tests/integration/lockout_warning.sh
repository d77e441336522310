#!/bin/bash
# A ruleset that would drop this host's replies (INPUT policy DROP, nothing
# admitting ESTABLISHED) gets a warning in the shell BEFORE it is applied:
# a live -P INPUT DROP and a commit of a candidate; over SSH it says so.
# No warning once an ESTABLISHED accept is there.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NFSH_STATE_DIR=$TMP/state
W='warning: INPUT drops by policy and no rule accepts ESTABLISHED'

# before LINE_A LINE_B FILE: LINE_A's first match comes before LINE_B's.
before() {
	local a b
	a=$(grep -n -m1 -- "$1" "$3" | cut -d: -f1)
	b=$(grep -n -m1 -- "$2" "$3" | cut -d: -f1)
	[ -n "$a" ] && { [ -z "$b" ] || [ "$a" -lt "$b" ]; }
}

# Live: the warning comes before the policy is in the kernel (the shell
# lists it right after, and the -S line must come after the warning).
printf -- '-A INPUT -p tcp --dport 22 -j ACCEPT\n-P INPUT DROP\n-S INPUT\n' |
	SSH_CONNECTION="192.0.2.1 50000 192.0.2.2 22" "$NFSH" >"$TMP/out" 2>&1
check "live -P INPUT DROP: lockout warning" grep -q "$W" "$TMP/out"
check "live: said before the policy shows as applied" before "$W" "^-P INPUT DROP" "$TMP/out"
check "live: names the SSH session" grep -q "runs over SSH (192.0.2.1 50000" "$TMP/out"
expect_eq "live: said once" "$(grep -c "$W" "$TMP/out")" 1
"$NFSH" -P INPUT ACCEPT
"$NFSH" -F

# Candidate: warned before "committed".
printf 'begin\n-P INPUT DROP\ncommit\n' | "$NFSH" >"$TMP/out" 2>&1
check "commit: lockout warning" grep -q "$W" "$TMP/out"
check "commit: warned before it was applied" before "$W" "^committed" "$TMP/out"
"$NFSH" -P INPUT ACCEPT

# With an ESTABLISHED accept in place: no lockout warning.
printf -- '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-P INPUT DROP\n' |
	"$NFSH" >"$TMP/out" 2>&1
check "ESTABLISHED accepted: no lockout warning" bash -c "! grep -q '$W' '$TMP/out'"
"$NFSH" -P INPUT ACCEPT
"$NFSH" -F
printf 'begin\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-P INPUT DROP\ncommit\n' |
	"$NFSH" >"$TMP/out" 2>&1
check "candidate with ESTABLISHED: no lockout warning" bash -c "! grep -q '$W' '$TMP/out'"
finish

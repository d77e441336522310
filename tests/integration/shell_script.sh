#!/bin/bash
# The shell reading a script from stdin: no prompt, quoting/comments/
# continuation, stop at the first error with its line number, --keep-going.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
NFSH=${NFSH:-nfsh}
ST=$(mktemp -d)
trap 'rm -rf "$ST"' EXIT
export NFSH_STATE_DIR=$ST

out=$(printf '%s\n' '# set up' '-N web  # a chain' \
	"-A web -m comment --comment 'two words' \\" '   -j ACCEPT' \
	'iptables -S web' | $NFSH 2>&1)
expect_eq "script: comments, quotes and continuation" "$out" \
	"$(printf '%s\n' '-N web' '-A web -m comment --comment "two words" -j ACCEPT')"

out=$(printf '%s\n' '-F web' '-A web -j ACCEPT' '-A web --bogus' '-A web -j DROP' | $NFSH 2>&1)
rc=$?
check "script stops at the first error (exit status)" test "$rc" = 2
check "the error carries its line number" grep -q '^nfsh: line 3: error: unknown option "--bogus"' <<<"$out"
check "a caret points at the word" grep -q '^         \^~~~~~~$' <<<"$out"
expect_eq "nothing after the error ran" "$($NFSH -S web | grep -c DROP)" "0"

printf '%s\n' '-F web' '-A web --bogus' '-A web -j DROP' | $NFSH --keep-going >/dev/null 2>&1
expect_eq "--keep-going carries on" "$($NFSH -S web | grep -c DROP)" "1"

out=$(echo 'show rules' | NO_COLOR= $NFSH 2>&1)
check "no colour codes when stdout is not a terminal" bash -c "! grep -q $'\033' <<<'$out'"
check "built-ins work in scripts" grep -q '^-N web' <<<"$out"

out=$(echo 'shw rules' | $NFSH 2>&1)
check "unknown built-in: did you mean" grep -q 'did you mean "show"' <<<"$out"
out=$(echo 'co' | $NFSH 2>&1)
check "ambiguous built-in lists the choices" grep -q 'one of: commit, confirm, conntrack' <<<"$out"
out=$(echo "-A web -m comment --comment 'open" | $NFSH 2>&1)
check "an unterminated quote is an error" grep -q 'unterminated quote' <<<"$out"
out=$(echo '-A web -m conntrack --ctstate NEW,ESTABLSHED' | $NFSH 2>&1)
check "a bad list element gets its own caret" grep -qx -- '                                    \^~~~~~~~~~' <<<"$out"
out=$($NFSH help conntrack)
check "nfsh help conntrack lists --ctstate" grep -q -- '--ctstate STATE' <<<"$out"
out=$($NFSH help --ctstate)
check "help on one option names its match" grep -q -- '^--ctstate STATE\[,STATE...\] (-m conntrack)' <<<"$out"
out=$($NFSH help -j)
check "help on a generic option" grep -q -- '^-j, --jump TARGET: target of the rule' <<<"$out"
finish

#!/bin/bash
# nfsh --sandbox: commands run in a namespace of their own; the namespace the
# test runs in (itself private) never sees them.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
NFSH=${NFSH:-nfsh}

out=$($NFSH --sandbox -A INPUT -j DROP 2>&1)
check "the sandbox prints a banner saying so" grep -q '^nfsh sandbox: a private network namespace' <<<"$out"
expect_eq "a rule added in the sandbox is not outside it" "$($NFSH -S INPUT 2>&1 | grep -c DROP)" "0"
out=$(printf '%s\n' '-A INPUT -i lo -j ACCEPT' 'show rules' | $NFSH --sandbox 2>/dev/null)
check "the shell runs in the sandbox (script on stdin)" grep -qx -- '-A INPUT -i lo -j ACCEPT' <<<"$out"
expect_eq "and its rules stay there" "$($NFSH -S INPUT 2>&1 | grep -c 'lo')" "0"
out=$($NFSH --sandbox --complete -A INPUT -i '' 2>&1)
check "the sandbox has lo and a veth to its peer namespace" grep -qx veth0 <<<"$out"
check "the banner names the veth pair" grep -q 'veth0 10.99.0.1/24 <-> veth1 10.99.0.2/24' <<<"$out"
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true 2>/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp $NFSH --sandbox -A INPUT -j ACCEPT 2>&1)
	check "without root: user + network namespace" grep -q '^nfsh sandbox' <<<"$out"
else
	echo "# unprivileged user namespaces unavailable here: unprivileged sandbox not tried"
fi
finish

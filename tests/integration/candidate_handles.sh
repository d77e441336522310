#!/bin/bash
# The shell's candidate is simulated in a private namespace where the
# snapshot gets new rule handles; the staged commands' handles are mapped to
# them. Each table numbers its own rules, so ip and ip6 nfsh-filter may both
# hold handle 5: the map must tell them apart (it once took the ip6 table's
# handle for the ip rule, and diff and check failed with "No such file").
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
# ip INPUT: one rule at handle 5 (4 was used and deleted); ip6 INPUT: 4 and 5.
"$NFSH" -A INPUT -s 10.0.0.2 -j ACCEPT
"$NFSH" -D INPUT 1
"$NFSH" -A INPUT -s 10.0.0.1 -j ACCEPT
"$NFSH" -6 -A INPUT -s 2001:db8::1 -j ACCEPT
"$NFSH" -6 -A INPUT -s 2001:db8::2 -j ACCEPT
handle_of() { nft -a list chain "$1" nfsh-filter INPUT | sed -n "s/.*$2.* # handle \([0-9]*\)$/\1/p"; }
expect_eq "set-up: the ip rule has handle 5" "$(handle_of ip 10.0.0.1)" 5
expect_eq "set-up: an ip6 rule has handle 5 too" "$(handle_of ip6 2001:db8::2)" 5
before=$(nft list ruleset)

out=$(printf 'begin\n-R INPUT 1 -s 10.0.0.9 -j DROP\n-6 -D INPUT 2\ndiff\ncheck\nabort\n' | "$NFSH" 2>&1)
echo "$out" | sed 's/^/# /'
check "diff: the ip rule replaced" grep -qx -- '- -A INPUT -s 10.0.0.1/32 -j ACCEPT' <<<"$out"
check "diff: by the new one" grep -qx -- '+ -A INPUT -s 10.0.0.9/32 -j DROP' <<<"$out"
check "diff: the second ip6 rule deleted" grep -qx -- '- -A INPUT -s 2001:db8::2/128 -j ACCEPT' <<<"$out"
check "diff: the first ip6 rule kept" bash -c "! grep -q -- '2001:db8::1' <<<\"\$1\"" _ "$out"
check "check: the kernel accepts it" grep -q '^check: the kernel accepts the candidate' <<<"$out"
check "no error" bash -c "! grep -qi 'error' <<<\"\$1\"" _ "$out"
expect_eq "abort: nothing changed" "$(nft list ruleset)" "$before"
finish

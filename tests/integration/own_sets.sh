#!/bin/bash
# The sets nfsh declares for rules (restore's shared port lists "nfsh-p-*",
# connlimit's per-rule sets) go with the last rule that uses them: after a
# one-shot -D, -R, -F CHAIN or -X, and after a shell transaction, no set of
# nfsh's is left without a rule, and a set another rule still uses stays.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NFSH_STATE_DIR=$TMP/state

# sets: the names of the sets in nfsh's filter table, one line, sorted.
sets() { nft -j list sets ip 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)["nftables"]
print(" ".join(sorted(o["set"]["name"] for o in d if "set" in o and o["set"]["table"] == "nfsh-filter")))'; }

cat >"$TMP/r.v4" <<'R'
*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
-A A -p tcp -m multiport --dports 22,80,443 -j ACCEPT
-A A -p udp -m multiport --dports 53,123 -j ACCEPT
-A A -m connlimit --connlimit-above 3 -j DROP
-A B -p udp -m multiport --dports 67,68 -j ACCEPT
-A B -m connlimit --connlimit-above 5 -j DROP
COMMIT
R
load() { nft flush ruleset && "$NFSH" restore "$TMP/r.v4"; }

check "restore loads" load
all=$(sets)
expect_eq "restore declares two shared lists of three and two connlimit sets" \
	"$(wc -w <<<"$all")" 5
web=$("$NFSH" -S A | head -1)
shared_web=$(nft list chain ip nfsh-filter INPUT | grep -o 'nfsh-p-[0-9a-f]*')
dns=$(nft list chain ip nfsh-filter A | grep -o 'nfsh-p-[0-9a-f]*' | grep -v "$shared_web")

check "-D of the only rule using a list" "$NFSH" -D A 2
expect_eq "its list went with it" "$(sets | grep -c "$dns")" 0
check "-D of a rule whose list another rule uses" "$NFSH" -D INPUT 1
expect_eq "the list another rule uses stays" "$(sets | grep -c "$shared_web")" 1
check "-R of that other rule with a plain port" "$NFSH" -R A 1 -p tcp --dport 22 -j ACCEPT
expect_eq "-R took the now unused list" "$(sets | grep -c "$shared_web")" 0
check "-F of one chain" "$NFSH" -F A
expect_eq "-F CHAIN took the chain's connlimit set" "$(sets | wc -w)" 2
check "-F and -X of the other chain" "$NFSH" -F B
check "-X B" "$NFSH" -X B
expect_eq "no set of nfsh's left" "$(sets)" ""

# A shell transaction: the same, all at commit.
check "restore again" load
printf '%s\n' begin '-F A' '-D B 1' commit | "$NFSH" >"$TMP/out" 2>&1
expect_eq "the transaction committed" "$("$NFSH" -S A | grep -c '^-A')" 0
expect_eq "after the commit only INPUT's list and B's connlimit set are left" \
	"$(sets | wc -w)" 2
expect_eq "INPUT's list is one of them" "$(sets | grep -c "$shared_web")" 1

# restore --noflush with -D and -F lines: the same after its commit; and
# --test commits nothing, so it deletes nothing either.
check "restore again" load
printf '%s\n' '*filter' '-D A 2' '-F B' COMMIT >"$TMP/d.v4"
before=$(sets)
check "restore --test --noflush" "$NFSH" restore --test --noflush "$TMP/d.v4"
expect_eq "--test leaves the sets" "$(sets)" "$before"
check "restore --noflush of -D and -F lines" "$NFSH" restore --noflush "$TMP/d.v4"
expect_eq "--noflush -D took A's udp list, -F B its list and connlimit set" \
	"$(sets | wc -w)" 2
expect_eq "the list INPUT and A share stays" "$(sets | grep -c "$shared_web")" 1

# Nothing is touched that is not nfsh's: a set of another table stays.
check "restore again" load
nft add table ip other && nft add set ip other connlimit0 '{ type ipv4_addr; }'
check "-D in nfsh's table" "$NFSH" -D B 1
check "another table's set named like nfsh's stays" nft list set ip other connlimit0
# A transaction only checked (a dry run) and aborted changes nothing.
check "restore again" load
before=$(sets)
printf '%s\n' begin '-D A 2' check abort | "$NFSH" >"$TMP/out" 2>&1
expect_eq "check + abort leaves the sets" "$(sets)" "$before"
finish

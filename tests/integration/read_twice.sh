#!/bin/bash
# A listing that shows a rule twice is read again. The kernel resumes a rule
# dump by index, so a rule inserted at the top while nfsh's dump is between
# two parts makes the rule at the boundary appear twice (same handle), and a
# position counted in that listing is one off: -D 2 would delete rule 1.
# NFSH_READ_FAULT makes the listing look like that (cmd/table_read.c): once
# (it must be read again and the right rule go) or always (the command gives
# up, exit 1, nothing changed).
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
for p in 21 22 23 24; do "$NFSH" -A INPUT -p tcp --dport $p -j ACCEPT; done
ports() { "$NFSH" -S INPUT | grep -o 'dport [0-9]*' | cut -d' ' -f2 | tr '\n' ' '; }

check "-D 2 with one listing that shows a rule twice" env NFSH_READ_FAULT=twice "$NFSH" -D INPUT 2
expect_eq "the second rule went, not the first" "$(ports)" "21 23 24 "
check "-R 2 the same way" env NFSH_READ_FAULT=twice "$NFSH" -R INPUT 2 -p udp --dport 53 -j ACCEPT
expect_eq "-R replaced the second rule" "$("$NFSH" -S INPUT | sed -n 3p)" \
	"-A INPUT -p udp -m udp --dport 53 -j ACCEPT"
check "-I 2 the same way" env NFSH_READ_FAULT=twice "$NFSH" -I INPUT 2 -p tcp --dport 99 -j ACCEPT
expect_eq "-I put the rule second" "$(ports)" "21 99 53 24 "
before=$("$NFSH" -S)
out=$(NFSH_READ_FAULT=always "$NFSH" -D INPUT 2 2>&1)
expect_eq "every listing showing a rule twice: exit 1" "$?" 1
check "and it says why" grep -q 'kept changing while it was read' <<<"$out"
expect_eq "and nothing changed" "$("$NFSH" -S)" "$before"
expect_eq "-S gives up the same way" "$(NFSH_READ_FAULT=always "$NFSH" -S INPUT >/dev/null 2>&1; echo $?)" 1
finish

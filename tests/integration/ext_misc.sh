#!/usr/bin/env bash
# limit, comment, mark, iprange, mac, addrtype, pkttype, LOG, REJECT applied for
# real: -S, -L, -L -n and -L -n -v -x of nfsh's table are byte-identical to what
# iptables-nft prints for the same rules (loaded into a second private namespace),
# refusals exit 2 and leave the ruleset unchanged, and every rule's `nfsh
# translate` text loads back into nft. The corpus files of these extensions are run
# by tests/conformance (iptables_corpus.py --files ...).
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/rules4" <<'RULES'
-A INPUT -m limit --limit 60/minute --limit-burst 7
-A INPUT -m limit --limit 1000/day
-A INPUT -m limit
-A INPUT -m comment --comment "hi there" -j ACCEPT
-A INPUT -p tcp -m comment --comment x:y -m limit --limit 2/s -j DROP
-A INPUT -m mark ! --mark 0x3/0x7 -m mark --mark 1
-A INPUT -m iprange ! --src-range 1.1.1.1-1.1.1.10 --dst-range 2.2.2.2-2.2.2.3
-A INPUT -m mac ! --mac-source 42:01:02:03:04:0A
-A FORWARD -m mac --mac-source 42:01:02:03:04:0b
-A INPUT -m pkttype ! --pkt-type multicast -m pkttype --pkt-type unicast
-A INPUT -m addrtype ! --src-type LOCAL --dst-type UNICAST,BLACKHOLE --limit-iface-in
-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-out
-A INPUT -j LOG --log-prefix "test: " --log-level 1 --log-tcp-options --log-uid
-A INPUT -j LOG
-A INPUT -j LOG --log-level debug --log-macdecode --log-ip-options --log-tcp-sequence
-A INPUT -j REJECT
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT --reject-with icmp-admin-prohibited
-A FORWARD -j REJECT --reject-with icmp-proto-unreachable
RULES
cat >"$tmp/rules6" <<'RULES'
-A INPUT -m limit --limit 3/h
-A INPUT -m comment --comment x:y -j DROP
-A INPUT -m iprange --src-range 2001:db8::1-2001:db8::10 ! --dst-range ::1-::2
-A FORWARD -m mac --mac-source 42:01:02:03:04:0a
-A INPUT -m addrtype --dst-type LOCAL,MULTICAST
-A INPUT -j LOG --log-prefix "a b" --log-level 7
-A INPUT -j REJECT
-A INPUT -j REJECT --reject-with icmp6-no-route
-A INPUT -j REJECT --reject-with icmp6-adm-prohibited
-A INPUT -j REJECT --reject-with icmp6-addr-unreachable
-A INPUT -j REJECT --reject-with icmp6-policy-fail
-A INPUT -j REJECT --reject-with icmp6-reject-route
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
RULES

load() { # TOOL FAMILYFLAG FILE
	while IFS= read -r l; do
		eval "$1 $2 $l" || echo "LOAD FAILED: $1 $2 $l"
	done <"$3"
}

for fam in 4 6; do
	if [ $fam = 4 ]; then ipt=iptables-nft; else ipt=ip6tables-nft; fi
	load "$NFSH" -$fam "$tmp/rules$fam" >"$tmp/nfsh.load" 2>&1
	expect_eq "IPv$fam rules load into nfsh" "$(cat "$tmp/nfsh.load")" ""
	unshare -n bash -c "
		while IFS= read -r l; do eval \"$ipt \$l\"; done <'$tmp/rules$fam'
		$ipt -S >'$tmp/ipt.S'; $ipt -L >'$tmp/ipt.L'; $ipt -L -n >'$tmp/ipt.Ln'
		$ipt -L -n -v -x >'$tmp/ipt.Lv'"
	"$NFSH" -$fam -S >"$tmp/nfsh.S"
	"$NFSH" -$fam -L >"$tmp/nfsh.L"
	"$NFSH" -$fam -L -n >"$tmp/nfsh.Ln"
	"$NFSH" -$fam -L -n -v -x >"$tmp/nfsh.Lv"
	for o in S L Ln Lv; do
		expect_eq "IPv$fam -$o as iptables-nft" "$(diff "$tmp/ipt.$o" "$tmp/nfsh.$o")" ""
	done
done

# Refusals: exit 2, nothing added.
before=$(nft list ruleset)
expect_refusals <<'BAD'
-A INPUT -m comment --comment a -m comment --comment b
-A INPUT -m limit --limit 0/s
-A INPUT -m limit --limit 20000/s
-A OUTPUT -m mac --mac-source 42:01:02:03:04:05
-A INPUT -m mac --mac-source 42:01:02:03:04
-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in
-A INPUT -m addrtype --src-type LOCAL --limit-iface-out
-A INPUT -m iprange --src-range 1.1.1.9-1.1.1.1
-A INPUT -j REJECT --reject-with tcp-reset
-6 -A INPUT -j REJECT --reject-with icmp-host-prohibited
-t nat -A PREROUTING -j REJECT
-A INPUT -j LOG --log-level bad
-A INPUT -j LOG --log-prefix 0123456789012345678901234567890
-A INPUT -m comment --comment xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
BAD
expect_eq "refusals left the ruleset unchanged" "$(nft list ruleset)" "$before"

# nfsh translate prints nft text that nft itself loads.
unshare -n bash -c "
	for f in ip ip6; do nft add table \$f nfsh-filter
		for c in INPUT FORWARD OUTPUT; do nft add chain \$f nfsh-filter \$c; done; done
	while IFS= read -r l; do t=\$(eval \"'$NFSH' -4 translate \$l\") && eval \"\$t\" ||
		echo \"BAD TEXT: \$l -> \$t\"; done <'$tmp/rules4'
	while IFS= read -r l; do t=\$(eval \"'$NFSH' -6 translate \$l\") && eval \"\$t\" ||
		echo \"BAD TEXT: \$l -> \$t\"; done <'$tmp/rules6'" >"$tmp/text" 2>&1
expect_eq "translate text loads into nft" "$(cat "$tmp/text")" ""

echo "$T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" = 0 ]

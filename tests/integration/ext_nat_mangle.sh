#!/usr/bin/env bash
# Issue 3's targets and matches applied for real: DNAT, SNAT, MASQUERADE,
# REDIRECT, NETMAP, MARK, CONNMARK, CT, NOTRACK, DSCP, TTL, HL, CLASSIFY, NFLOG,
# TRACE and connmark, length, ttl, hl, dscp, ecn, owner. -S and -L -n of each
# table are byte-identical to what iptables-nft / ip6tables-nft print for the
# same rules (loaded into a second private namespace), refusals exit 2 and
# leave the ruleset unchanged, and every rule's `nfsh translate` text loads
# back into nft. The corpus files are run by tests/conformance.
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/rules4" <<'RULES'
-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535 --random --persistent
-t nat -A PREROUTING -i eth0 -j DNAT --to-destination 1.2.3.4
-t nat -A OUTPUT -p udp -j REDIRECT --to-ports 42-1234 --random
-t nat -A OUTPUT -j REDIRECT --random
-t nat -A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully --persistent
-t nat -A INPUT -p tcp -j SNAT --to-source 1.1.1.1:80
-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535 --random
-t nat -A POSTROUTING -j MASQUERADE --random-fully
-t nat -A POSTROUTING -j NETMAP --to 10.0.0.0/8
-t nat -A PREROUTING -j NETMAP --to 1.2.3.4
-t mangle -A PREROUTING -j MARK --set-xmark 0x40/0x32
-t mangle -A PREROUTING -j MARK --or-mark 0x40
-t mangle -A PREROUTING -j MARK --and-mark 0x40
-t mangle -A FORWARD -j MARK --xor-mark 0x40
-t mangle -A PREROUTING -j CONNMARK --set-xmark 0x16/0x12
-t mangle -A PREROUTING -j CONNMARK --save-mark --nfmask 0xfffffff
-t mangle -A OUTPUT -j CONNMARK --restore-mark --ctmask 0xff
-t mangle -A OUTPUT -m connmark ! --mark 0xa/0xa -m length --length 3:40 -m ttl --ttl-gt 4
-t mangle -A OUTPUT -m dscp ! --dscp 0x2e -p tcp -m ecn --ecn-tcp-ece ! --ecn-ip-ect 2
-t mangle -A OUTPUT -m owner --uid-owner 0-10 --gid-owner 5
-t mangle -A POSTROUTING -m owner --socket-exists -j DSCP --set-dscp 0x2e
-t mangle -A PREROUTING -j TTL --ttl-set 3
-t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10
-t mangle -A INPUT -j NFLOG --nflog-group 3 --nflog-prefix ab --nflog-threshold 2
-t mangle -A INPUT -j NFLOG
-t raw -A PREROUTING -j CT --notrack
-t raw -A OUTPUT -j NOTRACK
-t raw -A OUTPUT -j CT --zone-reply 5
-t raw -A PREROUTING -j CT --ctevents new,related,mark
-t raw -A OUTPUT -j TRACE
RULES
cat >"$tmp/rules6" <<'RULES'
-t nat -A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65535
-t nat -A PREROUTING -j DNAT --to-destination ::1-::5
-t nat -A POSTROUTING -p tcp -j SNAT --to-source [::1]:80 --persistent
-t nat -A POSTROUTING -j MASQUERADE --random
-t nat -A INPUT -j NETMAP --to dead::/64
-t mangle -A OUTPUT -m hl --hl-lt 3 -m dscp --dscp 1 -m ecn --ecn-ip-ect 1
-t mangle -A OUTPUT -j HL --hl-set 3
-t mangle -A OUTPUT -j CONNMARK --restore-mark
-t mangle -A OUTPUT -j MARK --set-mark 7
-t raw -A OUTPUT -j NOTRACK
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
		for t in nat mangle raw; do $ipt -t \$t -S >'$tmp/ipt.S.'\$t
			$ipt -t \$t -L -n >'$tmp/ipt.Ln.'\$t; done"
	for t in nat mangle raw; do
		"$NFSH" -$fam -t $t -S >"$tmp/nfsh.S.$t"
		"$NFSH" -$fam -t $t -L -n >"$tmp/nfsh.Ln.$t"
		for o in S Ln; do
			expect_eq "IPv$fam -t $t -$o as iptables-nft" \
				"$(diff "$tmp/ipt.$o.$t" "$tmp/nfsh.$o.$t")" ""
		done
	done
done

# Refusals: exit 2, nothing added.
"$NFSH" -t nat -N USER
before=$(nft list ruleset)
expect_refusals <<'BAD'
-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000
-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1:80
-t nat -A POSTROUTING -j DNAT --to-destination 1.1.1.1
-t nat -A PREROUTING -j MASQUERADE
-A INPUT -j SNAT --to-source 1.1.1.1
-t nat -A USER -j NETMAP --to 1.2.3.0/24
-t mangle -A OUTPUT -j CONNMARK --restore-mark --nfmask 0xff
-t raw -A OUTPUT -j CT --helper ftp
-t raw -A OUTPUT -j CT --expevents new
-t mangle -A OUTPUT -m owner ! --uid-owner 0
-t mangle -A INPUT -m owner --uid-owner 0
-A INPUT -m helper --helper ftp
-A INPUT -j NFQUEUE --queue-num 1
-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 1400
-t mangle -A OUTPUT -j TTL --ttl-dec 1
BAD
expect_eq "refusals left the ruleset unchanged" "$(nft list ruleset)" "$before"

# nfsh translate prints nft text that nft itself loads.
unshare -n bash -c "
	for f in ip ip6; do for t in nat mangle raw; do nft add table \$f nfsh-\$t
		for c in PREROUTING INPUT FORWARD OUTPUT POSTROUTING; do
			nft add chain \$f nfsh-\$t \$c; done; done; done
	while IFS= read -r l; do t=\$(eval \"'$NFSH' -4 translate \$l\") && eval \"\$t\" ||
		echo \"BAD TEXT: \$l -> \$t\"; done <'$tmp/rules4'
	while IFS= read -r l; do t=\$(eval \"'$NFSH' -6 translate \$l\") && eval \"\$t\" ||
		echo \"BAD TEXT: \$l -> \$t\"; done <'$tmp/rules6'" >"$tmp/text" 2>&1
expect_eq "translate text loads into nft" "$(cat "$tmp/text")" ""

echo "$T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" = 0 ]

#!/bin/bash
# The netlink reader (src/nft/nl_read.c) against libnftables: every rule and
# shared set it reads must be the JSON libnftables lists for it
# (NFSH_READ_CHECK=1 compares them one by one), rules it does not know fall
# back to libnftables, and save / -S / -L print the same bytes either way
# (NFSH_READER=nft forces the libnftables path).
# Rulesets: the benchmark generator's (host, docker, kube-proxy), and every
# iptables/ip6tables command of the iptables txlate corpus that nfsh accepts.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
CORPUS=${NFSH_CORPUS:-/work/shared/corpus}/iptables/txlate
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
nocomment() { grep -v '^#'; }

# "nfsh: read check: KEY: netlink ..." lines: a rule read differently.
mismatches() { grep -c '^nfsh: read check: [rs][0-9:].*: netlink ' "$1"; }
fallbacks() { grep -c '^nfsh: read check: .*read by libnftables\|libnftables path' "$1"; }

# Every printer that reads through table_read, both ways: identical bytes.
same_both_ways() {
	local what=$1
	shift
	"$NFSH" "$@" >"$TMP/fast" 2>&1
	NFSH_READER=nft "$NFSH" "$@" >"$TMP/slow" 2>&1
	expect_eq "$what: netlink and libnftables readers print the same" \
		"$(nocomment <"$TMP/fast" | md5sum)" "$(nocomment <"$TMP/slow" | md5sum)"
	[ "$(nocomment <"$TMP/fast" | wc -l)" -gt 2 ] || fail "$what printed next to nothing"
}

# Rules of the common shapes are read without JSON (xlate_read_fast);
# NFSH_READ_CHECK=fast reads each of them from its JSON too and compares the
# printed rules: "fast TABLE: N rules read without JSON, M differ" per table.
fast_differ() { grep -c '^nfsh: read check: fast r[0-9]' "$1"; }
fast_count() {
	grep -o '[0-9]* rules read without JSON' "$1" | awk '{n += $1} END {print n + 0}'
}

# 1. The generated ruleset: all of it on the netlink path, no difference.
python3 "$SRCDIR/tests/bench/gen_ruleset.py" 3000 >"$TMP/gen.v4"
check "restore the generated ruleset" "$NFSH" restore "$TMP/gen.v4"
NFSH_READ_CHECK=fast "$NFSH" save -c >/dev/null 2>"$TMP/fchk"
expect_eq "generated: rules read without JSON read as from their JSON" "$(fast_differ "$TMP/fchk")" 0
n=$(fast_count "$TMP/fchk")
[ "$n" -gt 2000 ] && pass "generated: $n rules read without JSON" ||
	fail "generated: only $n rules read without JSON"
expect_eq "generated save: the same with every rule read from JSON" \
	"$("$NFSH" save -c | nocomment)" "$(NFSH_READ_SLOW=1 "$NFSH" save -c | nocomment)"
for t in filter nat mangle; do
	NFSH_READ_CHECK=1 "$NFSH" save -c -t "$t" >/dev/null 2>"$TMP/chk"
	expect_eq "generated $t: no rule read differently" "$(mismatches "$TMP/chk")" 0
	expect_eq "generated $t: every rule read over netlink" "$(fallbacks "$TMP/chk")" 0
done
same_both_ways "generated save -c" save -c
same_both_ways "generated -S" -S
same_both_ways "generated -t nat -S" -t nat -S
same_both_ways "generated -L -n -v" -L -n -v
same_both_ways "generated -S one chain" -t nat -S KUBE-SERVICES
same_both_ways "generated -S chain with a shared set" -S HOST-IN
expect_eq "save byte for byte as iptables-nft-save would (canonical input)" \
	"$("$NFSH" save | nocomment)" "$(NFSH_READER=nft "$NFSH" save | nocomment)"

# A missing chain is missing on both paths.
"$NFSH" -S NO-SUCH-CHAIN >"$TMP/a" 2>&1
ra=$?
NFSH_READER=nft "$NFSH" -S NO-SUCH-CHAIN >"$TMP/b" 2>&1
expect_eq "missing chain: same status" "$ra" "$?"
expect_eq "missing chain: same message" "$(cat "$TMP/a")" "$(cat "$TMP/b")"

# 1b. The shapes read without JSON, at their edges (negations, wildcards,
# prefixes, ports both ways, port ranges, NAT with and without a port,
# comments before and after matches, tags, IPv6), each against its JSON
# reading and the whole save against libnftables'; and what else the
# netlink reader reads (icmp and icmpv6 types and codes, log levels, sport
# and dport in one load, NAT ranges and flags, REDIRECT, MASQUERADE ports,
# CONNMARK, connmark and owner matches, ! --ctstate, IPv6 REJECT).
cat >"$TMP/shapes.v4" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:SVC - [0:0]
-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080
-A PREROUTING -i eth+ -p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.2
-A PREROUTING -d 192.168.0.0/16 ! -i eth1 -p tcp -m comment --comment "x y" -m tcp -j DNAT --to-destination 10.0.0.3:80
-A PREROUTING -p tcp -m comment --comment svc -m tcp -j DNAT --to-destination 10.0.0.4:81
-A PREROUTING -d 10.1.0.0/17 -j SVC
-A PREROUTING -p tcp -m tcp ! --dport 22 -j RETURN
-A PREROUTING -p tcp -m tcp --dport 8000:8080 -j DNAT --to-destination 10.0.0.1
-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080
-A PREROUTING -p udp -m udp --dport 81 -j REDIRECT --to-ports 8080-8090 --random
-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination 10.0.0.1-10.0.0.9:80-90
-A PREROUTING -p tcp -m tcp --dport 82 -j DNAT --to-destination 10.0.0.1:80-90 --persistent
-A PREROUTING -d 10.9.0.0/16 -j DNAT --to-destination 10.0.0.1-10.0.0.9
-A OUTPUT -p tcp -m tcp -j DNAT --to-destination 127.0.0.1:81
-A POSTROUTING -o eth0 -j MASQUERADE
-A POSTROUTING -s 10.0.0.0/8 ! -d 10.0.0.0/8 -j SNAT --to-source 1.2.3.4
-A POSTROUTING -p tcp -m tcp --dport 80 -j SNAT --to-source 1.2.3.4:1000
-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1000-2000
-A POSTROUTING -o eth1 -j MASQUERADE --random
-A POSTROUTING -o eth2 -p udp -j MASQUERADE --to-ports 1000 --random-fully
-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 1.2.3.4 --persistent
-A POSTROUTING -s 10.0.0.0/9 -j SNAT --to-source 1.2.3.4-1.2.3.8 --random-fully
-A POSTROUTING -s 10.0.0.0/10 -j SNAT --to-source 1.2.3.4 --random --persistent
-A POSTROUTING -p tcp -j MASQUERADE --random
-A POSTROUTING -p udp -j MASQUERADE
-A SVC -s 10.2.0.0/15 -m comment --comment "kube: svc/x" -j RETURN
-A SVC -m comment --comment "-> 10.0.0.9:80" -j DNAT --to-destination 10.0.0.9
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xff
-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xffffffff
-A PREROUTING -j CONNMARK --set-xmark 0x5/0xffffffff
-A PREROUTING -j CONNMARK --set-xmark 0x5/0xff
-A PREROUTING -m connmark --mark 0x40 -j ACCEPT
-A PREROUTING -m connmark ! --mark 0x40/0xff -j ACCEPT
-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:U1 - [0:0]
:U2 - [0:0]
-A INPUT -s 1.2.3.4/32 -j ACCEPT
-A INPUT ! -s 1.2.3.0/24 -p tcp -m tcp --dport 22 -j DROP
-A INPUT -s 1.2.3.128/25 -d 5.6.7.0/31 -j ACCEPT
-A INPUT -p udp -m udp --sport 53 -j ACCEPT
-A INPUT -p udp -m udp ! --dport 0 -j ACCEPT
-A INPUT -p icmp -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 11 -m comment --comment ttl -j ACCEPT
-A INPUT -p tcp -m tcp --dport 1000:2000 -j ACCEPT
-A INPUT -p udp -m udp ! --sport 1000:2000 -j ACCEPT
-A INPUT -p udp -m udp ! --dport 1000:2000 -m comment --comment x -j DROP
-A INPUT -j LOG --log-level 6
-A INPUT -j LOG --log-prefix "x " --log-level 0
-A INPUT -j LOG --log-prefix "y "
-A INPUT ! -p tcp -j DROP
-A INPUT -p tcp -j U1
-A INPUT -g U2
-A INPUT -m comment --comment "only a comment"
-A INPUT -m comment --comment "nfsh:looks-like-a-tag" -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 443 -m comment --comment hello -j ACCEPT
-A INPUT -p tcp -m comment --comment first -m tcp --dport 1 -j ACCEPT
-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP
-A INPUT -m conntrack ! --ctstate NEW -j DROP
-A FORWARD -i br-1 ! -o br-1 -j U1
-A FORWARD -i veth+ -o eth0.100 -j ACCEPT
-A OUTPUT -m owner --uid-owner 0 -j ACCEPT
-A U1 -p tcp -m tcp --sport 7 -j RETURN
-A U1 -p tcp -m tcp --sport 1 --dport 2 -j ACCEPT
-A U1 -p udp -m udp --sport 1 --dport 2:3 -j ACCEPT
-A U1 -p udp -m udp ! --sport 1 --dport 2 -j ACCEPT
-A U1 -p icmp -m icmp --icmp-type 3/1 -j ACCEPT
-A U1 -p icmp -m icmp --icmp-type 3/4 -j ACCEPT
-A U1 -p icmp -m icmp --icmp-type 3/5 -j ACCEPT
-A U1 -p icmp -m icmp --icmp-type 11/1 -j ACCEPT
-A U1 -p tcp -j REJECT --reject-with tcp-reset
-A U1 -j REJECT --reject-with icmp-port-unreachable
-A U1 -j REJECT --reject-with icmp-net-unreachable
-A U1 -j REJECT --reject-with icmp-host-unreachable
-A U1 -j REJECT --reject-with icmp-proto-unreachable
-A U1 -j REJECT --reject-with icmp-net-prohibited
-A U1 -j REJECT --reject-with icmp-host-prohibited
-A U1 -j REJECT --reject-with icmp-admin-prohibited
-A U2 -j RETURN
-A U2
COMMIT
EOF
cat >"$TMP/shapes.v6" <<'EOF'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination [2001:db8::1]:8080
-A PREROUTING -d 2001:db8:1::/48 -p udp -m udp --dport 53 -j DNAT --to-destination 2001:db8::2
-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080-8090
-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination [2001:db8::1-2001:db8::9]:80-90
-A POSTROUTING -o eth0 -j MASQUERADE
-A POSTROUTING -s 2001:db8::/64 -j SNAT --to-source 2001:db8::3
-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000 --random
-A POSTROUTING -s 2001:db8::/60 -j SNAT --to-source 2001:db8::3 --persistent
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 2001:db8::1/128 -j ACCEPT
-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT ! -d ::1/128 -p udp -m udp --sport 5 -j DROP
-A INPUT -i eth+ -p tcp -m comment --comment v6 -j RETURN
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8000:8080 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 1 -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT --reject-with icmp6-adm-prohibited
-A INPUT -j REJECT --reject-with icmp6-port-unreachable
-A INPUT -j REJECT --reject-with icmp6-no-route
-A INPUT -j REJECT --reject-with icmp6-addr-unreachable
-A INPUT -p udp -j REJECT --reject-with icmp6-port-unreachable
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -m tcp --sport 1 --dport 2 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/3 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/2 -j ACCEPT
-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP
-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT
COMMIT
EOF
check "restore the shapes (IPv4)" "$NFSH" restore "$TMP/shapes.v4"
check "restore the shapes (IPv6)" "$NFSH" restore -6 "$TMP/shapes.v6"
for fam in -4 -6; do
	NFSH_READ_CHECK=fast "$NFSH" save -c $fam >/dev/null 2>"$TMP/fchk"
	expect_eq "shapes $fam: read without JSON as from JSON" "$(fast_differ "$TMP/fchk")" 0
	n=$(fast_count "$TMP/fchk")
	[ "$n" -gt 5 ] && pass "shapes $fam: $n rules read without JSON" ||
		fail "shapes $fam: only $n rules read without JSON"
	NFSH_READ_CHECK=1 "$NFSH" save -c $fam >/dev/null 2>"$TMP/chk"
	expect_eq "shapes $fam: every rule read over netlink" "$(fallbacks "$TMP/chk")" 0
	same_both_ways "shapes save $fam" save -c $fam
done
expect_eq "shapes: save -4 prints the file back" \
	"$({ "$NFSH" save -4 -t nat && "$NFSH" save -4 -t mangle && "$NFSH" save -4 -t filter; } | nocomment)" \
	"$(nocomment <"$TMP/shapes.v4")"
expect_eq "shapes: save -6 prints the file back" \
	"$("$NFSH" save -6 | nocomment)" "$(nocomment <"$TMP/shapes.v6")"

# 1c. Anonymous sets, as one-shot commands write them (restore shares port
# lists as named sets instead): port lists, interval sets (ranges, up to
# 65535), negated; and address sets as nft writes them (singles, ranges,
# prefixes), which nfsh prints as not expressible: still read over netlink.
for fam in -4 -6; do
	check "multiport list $fam" "$NFSH" $fam -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
	check "multiport ranges $fam" "$NFSH" $fam -A INPUT -p tcp -m multiport --dports 22,1000:2000 -j ACCEPT
	check "multiport sports $fam" "$NFSH" $fam -A INPUT -p udp -m multiport --sports 0:10,65000:65535 -j ACCEPT
	check "multiport negated $fam" "$NFSH" $fam -A INPUT -p udp -m multiport ! --dports 53,54 -m comment --comment x -j DROP
done
nft add rule ip nfsh-filter INPUT ip saddr '{ 10.0.0.0/8, 1.2.3.4, 5.5.5.5-5.5.5.9, 255.255.255.0/24 }' accept
nft add rule ip nfsh-filter INPUT ip daddr != '{ 1.2.3.4, 1.1.1.1 }' accept
nft add rule ip6 nfsh-filter INPUT ip6 saddr '{ 2001:db8::/32, ::1, ::5-::9 }' accept
for fam in -4 -6; do
	NFSH_READ_CHECK=1 "$NFSH" save -c $fam >/dev/null 2>"$TMP/chk"
	expect_eq "anonymous sets $fam: no rule read differently" "$(mismatches "$TMP/chk")" 0
	expect_eq "anonymous sets $fam: every rule read over netlink" "$(fallbacks "$TMP/chk")" 0
	same_both_ways "anonymous sets save $fam" save -c $fam
done
"$NFSH" -S INPUT >"$TMP/s"
for want in '--dports 22,80,443' '--dports 22,1000:2000' '--sports 0:10,65000:65535' '! --dports 53,54'; do
	grep -q -- "multiport $want" "$TMP/s" && pass "anonymous sets: -S prints $want" ||
		fail "anonymous sets: -S lost $want"
done

# 2. The txlate corpus: each command nfsh accepts, into fresh tables.
"$NFSH" restore <<<$'*filter\nCOMMIT\n*nat\nCOMMIT\n*mangle\nCOMMIT\n*raw\nCOMMIT'
ln -s "$NFSH" "$TMP/iptables"
ln -s "$NFSH" "$TMP/ip6tables"
applied=0
while IFS= read -r line; do
	cmd=${line#*-translate }
	if [[ $line == ip6tables-translate* ]]; then
		pers=ip6tables
	else
		pers=iptables
	fi
	# -I/-A only: the rules to read back.
	[[ " $cmd " == *" -A "* || " $cmd " == *" -I "* ]] || continue
	eval "set -- $cmd" 2>/dev/null || continue
	"$TMP/$pers" "$@" >/dev/null 2>&1 && applied=$((applied + 1))
done < <(grep -h '^ip6\?tables-translate ' "$CORPUS"/*.txlate)
[ "$applied" -gt 100 ] && pass "corpus: $applied commands applied" ||
	fail "corpus: only $applied commands applied"
for fam in -4 -6; do
	NFSH_READ_CHECK=fast "$NFSH" save -c $fam >/dev/null 2>"$TMP/fchk"
	expect_eq "corpus $fam: read without JSON as from JSON" "$(fast_differ "$TMP/fchk")" 0
	NFSH_READ_CHECK=1 "$NFSH" save -c $fam >/dev/null 2>"$TMP/chk$fam"
	expect_eq "corpus $fam: no rule read differently" "$(mismatches "$TMP/chk$fam")" 0
	echo "corpus $fam: $(grep -c 'read by libnftables' "$TMP/chk$fam") rules left to libnftables"
	same_both_ways "corpus save $fam" save -c $fam
done
same_both_ways "corpus -S" -S
same_both_ways "corpus -L -n -v" -L -n -v
"$TMP/ip6tables" -S >"$TMP/fast" 2>&1
NFSH_READER=nft "$TMP/ip6tables" -S >"$TMP/slow" 2>&1
expect_eq "corpus ip6tables -S: the same both ways" "$(md5sum <"$TMP/fast")" "$(md5sum <"$TMP/slow")"
# The corpus must have exercised the netlink path, not only the fallback.
total=$("$NFSH" save -4 | grep -c '^-A\|^# -A')
fast=$((total - $(grep -c 'read by libnftables' "$TMP/chk-4")))
[ "$fast" -gt 30 ] && pass "corpus: $fast of $total IPv4 rules read over netlink" ||
	fail "corpus: only $fast of $total IPv4 rules read over netlink"

finish

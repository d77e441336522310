#!/bin/bash
# The netlink writer (src/nft/nl_write.c) against libnftables: the same
# commands, once each way (NFSH_WRITER=nft forces libnftables), must leave the
# kernel with the same bytecode, rule for rule, the same `nft list ruleset`
# and `nft -j list ruleset` (set flags and udata show there); errors must
# read the same. Commands: every iptables/ip6tables -A/-I of the txlate
# corpus, and ones written here for the shapes nl_lin.c knows (conntrack,
# nat, marks, log, limit, reject, IPv6); then, from an empty ruleset, -N,
# -I N, -R, -D, -P, -F and -X. Both parts assert how many commands went
# over netlink (NFSH_WRITE_TRACE=1).
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
iptables -A INPUT -s 10.0.0.0/12 ! -d 10.1.0.0/17 -p tcp --sport 1000:2000 -j ACCEPT
iptables -A INPUT -p tcp ! --dport 1000:2000 -j ACCEPT
iptables -A INPUT -p tcp --sport 1 --dport 2 -j ACCEPT
iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT -p icmp --icmp-type 3/4 -j ACCEPT
iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT
iptables -A INPUT -m conntrack ! --ctstate NEW,INVALID -j ACCEPT
iptables -A INPUT -m conntrack --ctstatus ASSURED,SEEN_REPLY --ctdir REPLY -j ACCEPT
iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.0/8 --ctrepldst 10.1.2.3 --ctorigdst 10.0.0.0/12 -j ACCEPT
iptables -A INPUT -m conntrack --ctproto tcp --ctorigdstport 80 --ctreplsrcport 1000:2000 -j ACCEPT
iptables -A INPUT -m conntrack --ctexpire 10:100 -j ACCEPT
iptables -A INPUT -m conntrack ! --ctexpire 30 -j ACCEPT
iptables -A INPUT -m connmark --mark 0x10/0xff -m mark ! --mark 0x3 -j ACCEPT
iptables -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
iptables -A INPUT -m limit --limit 3/hour --limit-burst 7 -j LOG --log-prefix "x " --log-level 4 --log-tcp-sequence
iptables -A INPUT -m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-name hl -j ACCEPT
iptables -A INPUT -j NFLOG --nflog-group 5 --nflog-prefix "p"
iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited
iptables -A INPUT -j REJECT
iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x10/0xff
iptables -t mangle -A PREROUTING -j MARK --or-mark 0x4000
iptables -t mangle -A PREROUTING -j MARK --xor-mark 0x4000
iptables -t mangle -A PREROUTING -j MARK --and-mark 0xff
iptables -t mangle -A PREROUTING -j MARK --set-mark 5
iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark
iptables -t mangle -A PREROUTING -j CONNMARK --save-mark
iptables -t mangle -A PREROUTING -j CONNMARK --set-xmark 0x1/0xff
iptables -t raw -A PREROUTING -p udp --dport 53 -j CT --notrack
iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
iptables -t nat -A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1000-2000 --random-fully
iptables -t nat -A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4
iptables -t nat -A POSTROUTING -o eth0 -p tcp -j SNAT --to-source 1.2.3.4-1.2.3.10:1000-2000 --random --persistent
iptables -t nat -A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90
iptables -t nat -A PREROUTING -p tcp --dport 82 -j DNAT --to-destination :90
iptables -t nat -A PREROUTING -p tcp --dport 83 -j REDIRECT --to-ports 8080
ip6tables -A INPUT -s 2001:db8::/33 ! -d 2001:db8::1/127 -j ACCEPT
ip6tables -A INPUT -p ipv6-icmp --icmpv6-type 1/3 -j ACCEPT
ip6tables -A INPUT -m conntrack --ctorigsrc 2001:db8::/48 --ctrepldst 2001:db8::5 -j ACCEPT
ip6tables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
ip6tables -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
ip6tables -t nat -A POSTROUTING -o eth0 -p udp -j SNAT --to-source [2001:db8::1-2001:db8::9]:100-200
ip6tables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [2001:db8::5]:8080
EOF
} >"$TMP/cmds"

# Rule positions, replace, delete, policies, flush, delete of a chain: run
# from an empty ruleset (libnftables 1.0.6 itself crashes inserting before
# a handle once the corpus' "tcp sport . tcp dport { 0-65535 . 10, ... }"
# rule is in the ruleset: NFSH_WRITER=nft exits 139 there).
cat >"$TMP/cmds.pos" <<'EOF'
iptables -t raw -N POS
iptables -t raw -A POS -p udp --dport 1 -j DROP
iptables -t raw -A POS -p udp --dport 2 -j DROP
iptables -t raw -A POS -p udp --dport 3 -m comment --comment three -j DROP
iptables -t raw -I POS 3 -p udp --dport 7 -m comment --comment seven -j DROP
iptables -t raw -R POS 2 -p udp --dport 8 -j DROP
iptables -t raw -D POS -p udp --dport 1 -j DROP
iptables -t raw -D POS 2
iptables -P FORWARD DROP
iptables -t mangle -P PREROUTING DROP
iptables -t raw -F POS
iptables -t raw -X POS
EOF

# run MODE [CMDS]: every command, then the kernel's bytecode without handles.
run() {
	local n=0 mode=$1 cmds=${2:-$TMP/cmds}
	nft flush ruleset
	while IFS= read -r line; do
		eval "set -- $line" 2>/dev/null || continue
		pers=$1
		shift
		[[ " $* " =~ \ -[AINRDPFX]\  ]] || continue
		n=$((n + 1))
		echo "== $n: $line"
		NFSH_WRITE_TRACE=1 "$TMP/$pers" "$@" 2>&1
		echo "status $?"
	done <"$cmds" >"$TMP/out.$mode"
	# Handles differ; a hash set's elements come in no fixed order.
	nft --debug=netlink list ruleset 2>&1 | sed -E 's/^(ip6? nfsh-[a-z]+ [A-Za-z0-9_-]+) [0-9]+( [0-9]+)?$/\1/' |
		grep -v '^\s*$' >"$TMP/all.$mode"
	{
		grep -v '^\s*element ' "$TMP/all.$mode"
		grep '^\s*element ' "$TMP/all.$mode" | sort
	} >"$TMP/code.$mode"
	# The listings show what bytecode does not: set flags, udata.
	nft list ruleset | sed -E 's/ # handle [0-9]+//' >"$TMP/list.$mode"
	nft_json_ruleset >"$TMP/json.$mode"
}
# compare NAME FAST SLOW MIN: the two runs' kernel state, listings,
# messages and status are the same; at least MIN commands of FAST went over
# netlink, none of SLOW.
compare() {
	local name=$1 f=$2 s=$3 min=$4 fast slow rules
	expect_eq "$name: same bytecode both ways" "$(md5sum <"$TMP/code.$f")" "$(md5sum <"$TMP/code.$s")"
	diff "$TMP/code.$f" "$TMP/code.$s" | head -20
	expect_eq "$name: same nft list ruleset both ways" "$(md5sum <"$TMP/list.$f")" "$(md5sum <"$TMP/list.$s")"
	diff "$TMP/list.$f" "$TMP/list.$s" | head -10
	expect_eq "$name: same nft -j list ruleset both ways" "$(md5sum <"$TMP/json.$f")" "$(md5sum <"$TMP/json.$s")"
	grep -v '^nfsh: write: ' "$TMP/out.$f" >"$TMP/msgs.$f"
	grep -v '^nfsh: write: ' "$TMP/out.$s" >"$TMP/msgs.$s"
	expect_eq "$name: same messages and exit status both ways" "$(md5sum <"$TMP/msgs.$f")" "$(md5sum <"$TMP/msgs.$s")"
	diff "$TMP/msgs.$f" "$TMP/msgs.$s" | head -20
	fast=$(grep -c '^nfsh: write: netlink' "$TMP/out.$f")
	slow=$(grep -c '^nfsh: write: netlink' "$TMP/out.$s")
	[ "$fast" -ge "$min" ] && pass "$name: $fast of $(grep -c '^== ' "$TMP/out.$f") commands written over netlink" ||
		fail "$name: only $fast commands written over netlink (want $min)"
	expect_eq "$name: NFSH_WRITER=nft: nothing over netlink" "$slow" 0
}
run fast
NFSH_WRITER=nft run slow
compare corpus fast slow 180
rules=$(grep -c '^\s*\[ counter' "$TMP/code.fast")
[ "$rules" -gt 100 ] && pass "$rules rules compared" || fail "only $rules rules compared"
run pfast "$TMP/cmds.pos"
NFSH_WRITER=nft run pslow "$TMP/cmds.pos"
grep '^nfsh: write: libnftables' "$TMP/out.pfast"
compare positions pfast pslow 12

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

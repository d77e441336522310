#!/usr/bin/env bash
# The core, applied for real in a private network namespace:
#  - rules given to nfsh become exactly the expected nft expressions (nft -j);
#  - -S reads them back as written (iptables-save canonical form);
#  - -L, -L -v -n, -L -v -n -x --line-numbers are byte-identical to what
#    iptables-nft prints for the same rules, loaded with iptables-nft into a
#    SECOND private namespace (the two tools never share a ruleset);
#  - -C/-D/-I/-R/-N/-X/-E/-F/-Z/-P, step by step, leave the same -S as
#    iptables-nft does (and a few steps are checked against literal lines);
#  - a foreign table is never touched.
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One rule per line, as the user would type it after the command name.
cat >"$tmp/rules" <<'RULES'
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p icmp -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -s 10.0.0.0/8 -d 192.168.1.1 -i eth+ -j DROP
-A INPUT ! -s 172.16.0.0/12 -p udp -j DROP
-A INPUT -p 47 -j ACCEPT
-A INPUT -m conntrack --ctstatus ASSURED --ctdir ORIGINAL -j ACCEPT
-A INPUT -m conntrack --ctorigsrc 10.0.0.0/8 --ctrepldst 192.168.0.1 -j ACCEPT
-A INPUT -m conntrack --ctproto tcp --ctorigdstport 80 -j ACCEPT
-A INPUT -m conntrack --ctexpire 10:100 -j ACCEPT
-A INPUT -m conntrack ! --ctstate INVALID,UNTRACKED -j ACCEPT
-A INPUT -j USER
-A INPUT -g USER
-A INPUT
-A INPUT -g USER -m state --state NEW
-A FORWARD -o wg0 -m conntrack ! --ctstate INVALID --ctproto tcp -j ACCEPT
-A OUTPUT -d 1.2.3.4/255.255.0.255 -j DROP
-A OUTPUT ! -o eth0 -p tcp -f -j ACCEPT
-A USER -f -j RETURN
RULES

# What -S must print for them.
cat >"$tmp/want.S" <<'SAVE'
-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-N USER
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -s 10.0.0.0/8 -d 192.168.1.1/32 -i eth+ -j DROP
-A INPUT ! -s 172.16.0.0/12 -p udp -j DROP
-A INPUT -p gre -j ACCEPT
-A INPUT -m conntrack --ctstatus ASSURED --ctdir ORIGINAL -j ACCEPT
-A INPUT -m conntrack --ctorigsrc 10.0.0.0/8 --ctrepldst 192.168.0.1 -j ACCEPT
-A INPUT -m conntrack --ctproto 6 --ctorigdstport 80 -j ACCEPT
-A INPUT -m conntrack --ctexpire 10:100 -j ACCEPT
-A INPUT -m conntrack ! --ctstate INVALID,UNTRACKED -j ACCEPT
-A INPUT -j USER
-A INPUT -g USER
-A INPUT
-A INPUT -m state --state NEW -g USER
-A FORWARD -o wg0 -m conntrack ! --ctstate INVALID --ctproto 6 -j ACCEPT
-A OUTPUT -d 1.2.0.4/255.255.0.255 -j DROP
-A OUTPUT ! -o eth0 -p tcp -f -j ACCEPT
-A USER -f -j RETURN
SAVE

# The nft expressions the kernel lists for them, rule by rule (chain TAB expr);
# counter values are ignored.
cat >"$tmp/want.json" <<'JSON'
INPUT	[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"lo"}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":["established","related"]}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"protocol"}},"right":"icmp"}},{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":"new"}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"==","left":{"meta":{"key":"iifname"}},"right":"eth*"}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"10.0.0.0","len":8}}}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"daddr"}},"right":"192.168.1.1"}},{"counter":null},{"drop":null}]
INPUT	[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"protocol"}},"right":"udp"}},{"match":{"op":"!=","left":{"payload":{"protocol":"ip","field":"saddr"}},"right":{"prefix":{"addr":"172.16.0.0","len":12}}}},{"counter":null},{"drop":null}]
INPUT	[{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"protocol"}},"right":"gre"}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"==","left":{"ct":{"key":"direction"}},"right":"original"}},{"match":{"op":"in","left":{"ct":{"key":"status"}},"right":"assured"}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"==","left":{"ct":{"key":"ip saddr","dir":"original"}},"right":{"prefix":{"addr":"10.0.0.0","len":8}}}},{"match":{"op":"==","left":{"ct":{"key":"ip daddr","dir":"reply"}},"right":"192.168.0.1"}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"==","left":{"ct":{"key":"protocol"}},"right":"tcp"}},{"match":{"op":"==","left":{"ct":{"key":"proto-dst","dir":"original"}},"right":80}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"==","left":{"ct":{"key":"expiration"}},"right":{"range":[10,100]}}},{"counter":null},{"accept":null}]
INPUT	[{"match":{"op":"!","left":{"ct":{"key":"state"}},"right":["invalid","untracked"]}},{"counter":null},{"accept":null}]
INPUT	[{"counter":null},{"jump":{"target":"USER"}}]
INPUT	[{"counter":null},{"goto":{"target":"USER"}}]
INPUT	[{"counter":null}]
INPUT	[{"match":{"op":"in","left":{"ct":{"key":"state"}},"right":"new"}},{"counter":null},{"goto":{"target":"USER"}}]
FORWARD	[{"match":{"op":"==","left":{"meta":{"key":"oifname"}},"right":"wg0"}},{"match":{"op":"==","left":{"ct":{"key":"protocol"}},"right":"tcp"}},{"match":{"op":"!","left":{"ct":{"key":"state"}},"right":"invalid"}},{"counter":null},{"accept":null}]
OUTPUT	[{"match":{"op":"==","left":{"&":[{"payload":{"protocol":"ip","field":"daddr"}},"255.255.0.255"]},"right":"1.2.0.4"}},{"counter":null},{"drop":null}]
OUTPUT	[{"match":{"op":"!=","left":{"meta":{"key":"oifname"}},"right":"eth0"}},{"match":{"op":"!=","left":{"&":[{"payload":{"protocol":"ip","field":"frag-off"}},8191]},"right":0}},{"match":{"op":"==","left":{"payload":{"protocol":"ip","field":"protocol"}},"right":"tcp"}},{"counter":null},{"accept":null}]
USER	[{"match":{"op":"!=","left":{"&":[{"payload":{"protocol":"ip","field":"frag-off"}},8191]},"right":0}},{"counter":null},{"return":null}]
JSON

# Compare the rules of table ip nfsh-filter in a `nft -j list ruleset` (stdin)
# with want.json; prints the differences, exits 1 on any.
cat >"$tmp/cmp.py" <<'PY'
import json, sys

def norm(x):
    if isinstance(x, dict):
        return {k: (None if k == "counter" else norm(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x

got = [(o["rule"]["chain"], norm(o["rule"]["expr"]))
       for o in json.load(sys.stdin)["nftables"]
       if "rule" in o and o["rule"]["table"] == "nfsh-filter"]
want = []
for line in open(sys.argv[1]):
    chain, expr = line.rstrip("\n").split("\t", 1)
    want.append((chain, json.loads(expr)))
bad = 0
for i in range(max(len(got), len(want))):
    g = got[i] if i < len(got) else None
    w = want[i] if i < len(want) else None
    if g != w:
        bad = 1
        print("    rule %d\n      got:  %s\n      want: %s" % (i + 1, json.dumps(g), json.dumps(w)))
sys.exit(bad)
PY

# A foreign table nfsh must leave alone, with a rule, a set and a counter value.
nft -f - <<'NFT'
table inet other {
	set s { type ipv4_addr; elements = { 10.9.9.9 } }
	chain c { type filter hook input priority 10; policy accept; ip saddr @s counter drop; }
	chain d { counter; }
}
NFT
nft list table inet other >"$tmp/other.before"

# --- apply
"$NFSH" -N USER
n=0
while read -r -a words; do
	"$NFSH" "${words[@]}" || { fail "nfsh ${words[*]}: exit $?"; continue; }
	n=$((n + 1))
done <"$tmp/rules"
expect_eq "all $(wc -l <"$tmp/rules") rules applied" "$n" "$(wc -l <"$tmp/rules")"

nft -j list ruleset >"$tmp/ruleset.json"
if out=$(python3 "$tmp/cmp.py" "$tmp/want.json" <"$tmp/ruleset.json"); then
	pass "nft -j list ruleset: every rule is the expected native expression"
else
	fail "nft -j list ruleset: every rule is the expected native expression"
	echo "$out" | head -40
fi
if grep -q '"xt"' "$tmp/ruleset.json"; then
	fail "no xt compat expression anywhere"
else
	pass "no xt compat expression anywhere"
fi
expect_eq "-S reads every rule back as written" "$("$NFSH" -S)" "$(cat "$tmp/want.S")"
expect_eq "-S USER" "$("$NFSH" -S USER)" "$(printf -- '-N USER\n-A USER -f -j RETURN')"
expect_eq "-S INPUT 3" "$("$NFSH" -S INPUT 3)" "-A INPUT -p icmp -m conntrack --ctstate NEW -j ACCEPT"

# --- the same rules through iptables-nft, in a second namespace of its own
cat >"$tmp/oracle.sh" <<'SH'
tool=$1 dir=$2
if [ "$tool" = iptables-nft ]; then
	"$tool" -N USER
	while read -r -a words; do "$tool" "${words[@]}"; done <"$dir/rules"
fi
"$tool" -L >"$dir/$3.L"
"$tool" -L -v -n >"$dir/$3.Lvn"
"$tool" -L -v -n -x --line-numbers >"$dir/$3.Lvnx"
"$tool" -L INPUT -n >"$dir/$3.LINPUT"
"$tool" -L USER --line-numbers >"$dir/$3.LUSER"
"$tool" -S >"$dir/$3.S"
SH
if unshare -n bash "$tmp/oracle.sh" iptables-nft "$tmp" ipt 2>"$tmp/ipt.err"; then
	bash "$tmp/oracle.sh" "$NFSH" "$tmp" nfsh
	for k in L Lvn Lvnx LINPUT LUSER S; do
		if cmp -s "$tmp/ipt.$k" "$tmp/nfsh.$k"; then
			pass "-$k is byte-identical to iptables-nft's"
		else
			fail "-$k is byte-identical to iptables-nft's"
			diff "$tmp/ipt.$k" "$tmp/nfsh.$k" | head -20
		fi
	done
else
	fail "iptables-nft in a second namespace"
	head -5 "$tmp/ipt.err"
fi

# --- -C
expect_status "-C finds a rule" 0 "$NFSH" -C INPUT -p icmp -m conntrack --ctstate NEW -j ACCEPT
expect_status "-C finds a rule written differently" 0 "$NFSH" -C INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
expect_status "-C: other target" 1 "$NFSH" -C INPUT -p icmp -m conntrack --ctstate NEW -j DROP
expect_status "-C: -m conntrack is not -m state" 1 "$NFSH" -C INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
expect_status "-C: no such rule" 1 "$NFSH" -C OUTPUT -s 1.2.3.4 -j DROP

# --- commands step by step: the same -S as iptables-nft after each.
cat >"$tmp/steps.sh" <<'SH'
T=$1
# step ARGS: run, print the exit status, then -S (exit 4 from iptables-nft's
# kernel EBUSY is what nfsh reports as 1 after checking first: both are "refused").
step() {
	echo "### $*"
	"$T" "$@" >/dev/null 2>&1
	local rc=$?
	[ "$rc" = 4 ] && rc=1
	echo "rc=$rc"
	"$T" -S
}
"$T" -F
"$T" -X
step -N T
step -A T -s 1.1.1.1 -j ACCEPT
step -A T -s 2.2.2.2 -j ACCEPT
step -A T -s 3.3.3.3 -j ACCEPT
step -I T 2 -s 9.9.9.9 -j DROP
step -I T -s 8.8.8.8
step -R T 3 -s 7.7.7.7 -j DROP
step -D T -s 2.2.2.2 -j ACCEPT
step -D T 1
step -D T 9
step -C T -s 7.7.7.7 -j DROP
step -C T -s 7.7.7.7 -j ACCEPT
step -C T -s 1.1.1.1/32 -j ACCEPT
step -A T -c 5 100 -s 4.4.4.4 -j ACCEPT
echo "### -S T -v"; "$T" -S T -v
echo "### -L T -v -x -n"; "$T" -L T -v -x -n
step -Z T
echo "### -S T -v"; "$T" -S T -v
step -A T -c 7 700 -m conntrack --ctstate NEW -j DROP
step -A T -c 8 800 -m conntrack --ctstate NEW -j DROP
step -Z T 5
echo "### -S T -v"; "$T" -S T -v
echo "### -S T 2"; "$T" -S T 2
step -E T T2
step -S T
step -N A
step -A A -j T2
step -A INPUT -j A
step -X A
step -X T2
step -X
step -D INPUT -j A
step -F A
step -X A
step -N B
step -N C
step -X
step -F T2
step -X
step -P INPUT DROP
step -P FORWARD DROP
step -P INPUT ACCEPT
step -A OUTPUT -d 10.0.0.1,10.0.0.2 -s 10.1.0.0/16,10.2.0.0/16 -j DROP
step -D OUTPUT -d 10.0.0.1,10.0.0.2 -s 10.1.0.0/16,10.2.0.0/16 -j DROP
step -A OUTPUT -d 10.0.0.1,10.0.0.2 -j DROP
step -t filter -F OUTPUT
step -A FORWARD -m state --state NEW -j ACCEPT
step -I FORWARD 2 -m state ! --state NEW -j DROP
step -R FORWARD 1 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
step -Z
step -F
step -P FORWARD ACCEPT
step -L NOPE
SH
unshare -n bash "$tmp/steps.sh" iptables-nft >"$tmp/steps.ipt" 2>&1
bash "$tmp/steps.sh" "$NFSH" >"$tmp/steps.nfsh" 2>&1
if cmp -s "$tmp/steps.ipt" "$tmp/steps.nfsh"; then
	pass "-C -D -I -R -N -X -E -F -Z -P step by step: the same as iptables-nft ($(grep -c '^###' "$tmp/steps.nfsh") steps)"
else
	fail "-C -D -I -R -N -X -E -F -Z -P step by step: the same as iptables-nft"
	diff "$tmp/steps.ipt" "$tmp/steps.nfsh" | head -30
fi

# A few of those steps against literal lines, so the oracle is not the only judge.
block() { awk -v h="### $1" '$0 == h { on = 1; next } /^###/ { on = 0 } on' "$tmp/steps.nfsh"; }
expect_eq "after -D T 1" "$(block '-D T 1')" "$(printf -- 'rc=0\n-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N T\n-A T -s 1.1.1.1/32 -j ACCEPT\n-A T -s 7.7.7.7/32 -j DROP\n-A T -s 3.3.3.3/32 -j ACCEPT')"
expect_eq "-Z T 5 zeroes only rule 5" "$(block '-S T -v' | tail -3)" "$(printf -- '-A T -s 4.4.4.4/32 -c 0 0 -j ACCEPT\n-A T -m conntrack --ctstate NEW -c 0 0 -j DROP\n-A T -m conntrack --ctstate NEW -c 8 800 -j DROP')"
expect_eq "-X refuses a referenced chain" "$(block '-X A' | head -1)" "rc=1"
expect_eq "-X alone refuses while a user chain is not empty" "$(block '-X' | head -1)" "rc=1"

# --- nothing outside nfsh's tables changed
nft list table inet other >"$tmp/other.after"
if cmp -s "$tmp/other.before" "$tmp/other.after"; then
	pass "table inet other is unchanged"
else
	fail "table inet other is unchanged"
	diff "$tmp/other.before" "$tmp/other.after" | head
fi
expect_eq "only nfsh's table and the foreign one exist" "$(nft list tables)" "$(printf 'table inet other\ntable ip nfsh-filter')"

finish

#!/usr/bin/env bash
# -m hashlimit (an nft meter) and -m connlimit (ct count in a set of the rule's
# own) applied for real in a private namespace:
#  - -S and -L -n of nfsh's table are what iptables-nft prints for the same rules
#    (loaded into a second namespace, where they run as xt_hashlimit/xt_connlimit);
#  - `nft -j list ruleset` has the meters and one declared set per connlimit rule;
#  - save | restore gives the same save text back, and the sets stay one per rule;
#  - -Z keeps the sets, -D, -R and -F (of the table) take the rules' sets with them;
#  - -F and -X work, a set left behind by -F confuses neither -S, -L nor save, and
#    a later rule gets a set of its own;
#  - refusals exit 2 and change nothing; `nfsh translate` text loads into nft;
#  - packets: the same UDP packets are dropped by nfsh's meter and by
#    xt_hashlimit (iptables-nft), and connlimit --connlimit-above 2 lets two TCP
#    connections through and resets the third, as xt_connlimit does.
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ip link set lo up

cat >"$tmp/rules4" <<'RULES'
-A INPUT -p tcp --dport 443 -m hashlimit --hashlimit-above 20kb/s --hashlimit-burst 1mb --hashlimit-mode dstip --hashlimit-name https --hashlimit-dstmask 24 -j DROP
-A INPUT -m hashlimit --hashlimit-upto 300 --hashlimit-burst 15 --hashlimit-mode srcip,dstip --hashlimit-name web --hashlimit-htable-expire 300000 -j ACCEPT
-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name mini1
-A FORWARD -p udp -m hashlimit --hashlimit-above 10mb/s --hashlimit-mode srcip,srcport,dstport --hashlimit-name u --hashlimit-srcmask 16 --hashlimit-htable-max 2000
-A INPUT -m connlimit --connlimit-above 2
-A INPUT -p tcp --syn -m connlimit --connlimit-upto 10 --connlimit-mask 24 --connlimit-daddr -j ACCEPT
-A FORWARD -m connlimit ! --connlimit-upto 4294967295 --connlimit-saddr
-A OUTPUT -m connlimit --connlimit-upto 4294967295
RULES
cat >"$tmp/rules6" <<'RULES'
-A INPUT -m hashlimit --hashlimit-above 5/min --hashlimit-mode srcip --hashlimit-srcmask 64 --hashlimit-name v6
-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 64
RULES

load() { # TOOL FAMILYFLAG FILE
	while IFS= read -r l; do
		eval "$1 $2 $l" || echo "LOAD FAILED: $1 $2 $l"
	done <"$3"
}

# Each connlimit rule references a set of its own that the table declares.
sets_ok() { # FAMILY
	nft -j list ruleset | python3 -c '
import json, sys
fam, d = sys.argv[1], json.load(sys.stdin)["nftables"]
sets = {o["set"]["name"]: o["set"] for o in d if "set" in o and o["set"]["family"] == fam}
refs = [e["set"]["set"][1:] for o in d if "rule" in o and o["rule"]["family"] == fam
        for e in o["rule"]["expr"] if "set" in e and isinstance(e["set"], dict)]
want = "ipv6_addr" if fam == "ip6" else "ipv4_addr"
bad = [r for r in refs if r not in sets or sets[r]["type"] != want]
if bad or len(set(refs)) != len(refs):
    print("refs %s sets %s" % (refs, sorted(sets)))
print(len(refs))' "$1"
}

for fam in 4 6; do
	if [ $fam = 4 ]; then ipt=iptables-nft nf=ip; else ipt=ip6tables-nft nf=ip6; fi
	load "$NFSH" -$fam "$tmp/rules$fam" >"$tmp/nfsh.load" 2>&1
	expect_eq "IPv$fam rules load into nfsh" "$(cat "$tmp/nfsh.load")" ""
	unshare -n bash -c "
		while IFS= read -r l; do eval \"$ipt \$l\"; done <'$tmp/rules$fam'
		$ipt -S >'$tmp/ipt.S'; $ipt -L -n >'$tmp/ipt.Ln'"
	"$NFSH" -$fam -S >"$tmp/nfsh.S"
	"$NFSH" -$fam -L -n >"$tmp/nfsh.Ln"
	for o in S Ln; do
		expect_eq "IPv$fam -$o as iptables-nft" "$(diff "$tmp/ipt.$o" "$tmp/nfsh.$o")" ""
	done
	nconn=$(grep -c connlimit "$tmp/rules$fam")
	expect_eq "IPv$fam: one declared set per connlimit rule" "$(sets_ok $nf)" "$nconn"
done

# nfsh translate prints nft text that nft itself loads (each line in a fresh
# table, as iptables-translate's connlimit0 assumes).
unshare -n bash -c "
	for f in 4 6; do while IFS= read -r l; do
		if [ \$f = 4 ]; then nf=ip; else nf=ip6; fi
		nft flush ruleset; nft add table \$nf nfsh-filter
		for c in INPUT FORWARD OUTPUT; do nft add chain \$nf nfsh-filter \$c; done
		t=\$(eval \"'$NFSH' -\$f translate \$l\") && eval \"\$t\" || echo \"BAD TEXT: \$l -> \$t\"
	done <'$tmp/rules'\$f; done" >"$tmp/text" 2>&1
expect_eq "translate text loads into nft" "$(cat "$tmp/text")" ""

# The meters as libnftables lists them.
got=$(nft -j list ruleset | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "meter" in e:
            m = e["meter"]
            print(m["name"], m["size"], m["key"]["elem"]["timeout"], m["stmt"]["limit"].get("inv", False))')
expect_eq "meter sets of the IPv4 table" "$(nft -j list meters | python3 -c '
import json, sys
print(" ".join(o["meter"]["name"] for o in json.load(sys.stdin)["nftables"]
               if "meter" in o and o["meter"]["family"] == "ip"))')" "https web mini1 u"
expect_eq "meters listed with name, size, timeout, over" "$got" "https 65535 60 True
web 65535 300 False
mini1 65535 1 False
u 2000 15 True
v6 65535 60 True"

# save | restore: the same text, each connlimit rule still on a set of its own
# (one batch: the sets need patterns apart), and no set left over.
"$NFSH" save | grep -v '^#' >"$tmp/s1"
"$NFSH" restore <"$tmp/s1"
expect_eq "restore of the saved rules" "$?" 0
"$NFSH" save | grep -v '^#' >"$tmp/s2"
expect_eq "save | restore | save is stable" "$(diff "$tmp/s1" "$tmp/s2")" ""
expect_eq "after restore: one set per connlimit rule" "$(sets_ok ip)" 4
expect_eq "after restore: no set left over" \
	"$(nft list table ip nfsh-filter | grep -c '^	set ')" 4

# export | import (the JSON batch): the same rules, again one set per rule.
"$NFSH" export >"$tmp/e1"
"$NFSH" import "$tmp/e1"
expect_eq "import of the exported rules" "$?" 0
expect_eq "export | import | export is stable" "$("$NFSH" export | diff - "$tmp/e1")" ""
expect_eq "after import: one set per connlimit rule, none left over" \
	"$(sets_ok ip) $(nft list table ip nfsh-filter | grep -c '^	set ')" "4 4"

# -Z replaces each rule with itself: the sets (and their counts) stay. -D and
# -R take the rule's set with it, in the same batch.
nsets() { nft list table ip nfsh-filter | grep -c '^	set '; }
outset() { nft list chain ip nfsh-filter OUTPUT | grep -o '@connlimit[a-z0-9]*'; }
outpkts() { "$NFSH" -L OUTPUT -n -v -x | awk 'NR == 3 { print $1 }'; }
was=$(outset)
python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 9))'
check "packets went through the OUTPUT connlimit rule" [ "$(outpkts)" -gt 0 ]
"$NFSH" -Z OUTPUT
expect_eq "-Z of a connlimit rule" "$?" 0
expect_eq "-Z zeroed the counter and kept the rule's set" \
	"$(outpkts) $(outset) $(sets_ok ip) $(nsets)" "0 $was 4 4"
# A rule with a meter cannot be replaced (the kernel keeps its meter's name
# until the old rule goes): -Z and -R delete it and add it in its place.
inrules=$("$NFSH" -S INPUT)
"$NFSH" -Z
expect_eq "-Z of every chain, meters included" "$?" 0
expect_eq "-Z kept INPUT's rules and their order" "$("$NFSH" -S INPUT)" "$inrules"
hl=$("$NFSH" -S INPUT | grep -n -- '--hashlimit-name https' | cut -d: -f1)
"$NFSH" -R INPUT $((hl - 1)) -p tcp --dport 443 -m hashlimit --hashlimit-above 7/sec \
	--hashlimit-mode dstip --hashlimit-name https -j DROP
expect_eq "-R of a rule with a meter" "$?" 0
expect_eq "-R put the new meter rule in the old one's place" \
	"$("$NFSH" -S INPUT | sed -n "${hl}p")" \
	"-A INPUT -p tcp -m tcp --dport 443 -m hashlimit --hashlimit-above 7/sec --hashlimit-burst 5 --hashlimit-mode dstip --hashlimit-name https -j DROP"
expect_eq "-R left the other INPUT rules as they were" \
	"$("$NFSH" -S INPUT | sed "${hl}d")" "$(printf '%s\n' "$inrules" | sed "${hl}d")"
"$NFSH" -D INPUT -m connlimit --connlimit-above 2 --connlimit-mask 32 --connlimit-saddr
expect_eq "-D by spec takes its set along" "$(sets_ok ip) $(nsets)" "3 3"
n=$("$NFSH" -S OUTPUT | grep -n connlimit | cut -d: -f1)
"$NFSH" -R OUTPUT $((n - 1)) -m connlimit --connlimit-above 5
expect_eq "-R: the new rule gets a set, the old one's goes" "$(sets_ok ip) $(nsets)" "3 3"
"$NFSH" -D OUTPUT $((n - 1))
expect_eq "-D by number takes its set along" "$(sets_ok ip) $(nsets)" "2 2"
"$NFSH" restore <"$tmp/s1"

# -F of the table takes the connlimit sets with the rules in the same batch
# (meters, being anonymous, go with theirs); -F of one chain leaves its
# rules' sets behind until the table is flushed: nothing shows them.
check "connlimit sets before -F" [ "$(nsets)" -gt 0 ]
"$NFSH" -F
expect_eq "-F" "$?" 0
expect_eq "-F of the table left no set behind" "$(nsets)" 0
expect_eq "-S after -F" "$("$NFSH" -S | grep -c -- '^-A')" 0
expect_eq "save after -F has no rules" "$("$NFSH" save | grep -c -- '^-A')" 0
expect_eq "-L after -F shows no rules" "$("$NFSH" -L -n | grep -c '^[A-Z ]*[0-9]\+ ')" 0
meters() { nft -j list meters | python3 -c '
import json, sys
print(" ".join(o["meter"]["name"] for o in json.load(sys.stdin)["nftables"]
               if "meter" in o and o["meter"]["family"] == "ip"))'; }
expect_eq "meters went with their rules" "$(meters)" ""
"$NFSH" -A INPUT -m connlimit --connlimit-above 1
expect_eq "a new connlimit rule after -F gets a set of its own" "$(sets_ok ip)" 1
"$NFSH" -F && "$NFSH" -N user && "$NFSH" -A user -m hashlimit --hashlimit-upto 1/s --hashlimit-name h2 &&
	"$NFSH" -F user && "$NFSH" -X
expect_eq "-F and -X of a chain that held a meter" "$?" 0
expect_eq "-S after -X" "$("$NFSH" -S)" "-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT"

# Refusals: exit 2, nothing changes.
"$NFSH" -A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name taken
before=$(nft list ruleset)
expect_refusals <<'BAD'
-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-htable-gcinterval 1000
-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-htable-size 1024
-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-rate-match
-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-mode dstport
-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-htable-expire 1500
-A INPUT -m hashlimit --hashlimit-upto 1/s
-A INPUT -m connlimit --connlimit-upto 4294967296
-A INPUT -m connlimit --connlimit-saddr --connlimit-daddr --connlimit-above 1
-A INPUT -m connlimit
BAD
# A second rule naming a meter that exists: xt would share the table; a meter
# belongs to one rule and the kernel refuses (EOPNOTSUPP): nfsh names the rule.
"$NFSH" -A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name taken 2>"$tmp/err"
expect_eq "a second rule with the same --hashlimit-name is refused" "$?" 2
check "the refusal names the meter and the rule holding it" \
	grep -q '"taken" is taken: rule 1 of chain INPUT' "$tmp/err"
expect_eq "refusals left the ruleset unchanged" "$(nft list ruleset)" "$before"
"$NFSH" -F

# Packets: the same UDP packets through nfsh's meter and through xt_hashlimit.
cat >"$tmp/send.py" <<'PY'
import socket, sys
host, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(n):
    s.sendto(b"x" * size, (host, port))
PY
cat >"$tmp/hl" <<'RULES'
-A INPUT -p udp --dport 9999 -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name h -j DROP
-A INPUT -p udp --dport 9998 -m hashlimit --hashlimit-above 1kb/s --hashlimit-burst 4kb --hashlimit-mode srcip --hashlimit-name hb -j DROP
RULES
drops() { # TOOL
	load "$1" -4 "$tmp/hl"
	python3 "$tmp/send.py" 127.0.0.1 9999 10 1
	python3 "$tmp/send.py" 127.0.0.1 9998 10 972
	"$1" -L INPUT -n -v -x | awk '$3 == "DROP" { printf "%s ", $1 }'
}
mine=$(drops "$NFSH")
theirs=$(unshare -n bash -c "ip link set lo up; $(declare -f load drops); tmp='$tmp'; drops iptables-nft")
expect_eq "hashlimit drops the packets xt_hashlimit drops (packets, bytes)" "$mine" "$theirs"
expect_eq "hashlimit 1/hour burst 3 drops 7 of 10; 1kb/s burst 4kb drops 5 of 10 1000-byte packets" \
	"$mine" "7 5 "
"$NFSH" -F

# connlimit --connlimit-above 2: the third concurrent connection is reset.
cat >"$tmp/conn.py" <<'PY'
import socket, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
srv = socket.socket(fam, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((host, port))
srv.listen(16)
keep, out = [], []
for _ in range(n):
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.settimeout(3)
    try:
        c.connect((host, port))
        keep.append(c)
        out.append("ok")
    except ConnectionRefusedError:
        out.append("refused")
    except OSError:
        out.append("error")
print(" ".join(out))
PY
"$NFSH" -A INPUT -p tcp --syn --dport 7777 -m connlimit --connlimit-above 2 -j REJECT --reject-with tcp-reset
expect_eq "connlimit-above 2: two connections, the third and fourth reset" \
	"$(python3 "$tmp/conn.py" 127.0.0.1 7777 4)" "ok ok refused refused"
"$NFSH" -6 -A INPUT -p tcp --syn --dport 7777 -m connlimit --connlimit-above 1 -j REJECT --reject-with tcp-reset
expect_eq "IPv6 connlimit-above 1: one connection, then reset" \
	"$(python3 "$tmp/conn.py" ::1 7777 3)" "ok refused refused"

finish

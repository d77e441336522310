#!/usr/bin/env bash
# Issue 2, sentence by sentence: the corners an audit found against iptables-nft
# 1.8.9 (the oracle, in a second private namespace) and the running binary.
#  - -L CHAIN N, -S CHAIN N, -L/-S with -Z, -Z CHAIN N with real packets;
#  - -v: the rule line of -A/-I/-R/-C/-D, "Zeroing/Flushing/Deleting chain";
#  - -c with -A/-I/-R read back by -S -v and -L -v -x; -Z really zeroes;
#  - -I with N = count+1, -I of address lists (each at the same position in
#    turn, so in reverse, as iptables), -D of duplicate rules, -E onto an existing name,
#    -X of a referenced chain, references shown by -L;
#  - multiport lists -C/-D find as written (libnftables merges neighbours),
#    marks with a contiguous mask (listed as a prefix), -p 58 named ipv6-icmp,
#    comments that look like nfsh's own form tag;
#  - options iptables refuses with a command (-n/-x/--line-numbers outside -L,
#    -c with -D/-C/-P, -o in INPUT, -i in OUTPUT, DROP in nat) and conntrack
#    ports without --ctproto: exit 2, the word named, the ruleset unchanged;
#  - the personalities by argv[0], translate --json of a listing, and IPv6.
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

: "${NFSH:?NFSH must name the nfsh binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Packets through lo: N UDP datagrams of 10 bytes to 127.0.0.1:9 (or ::1).
send_udp() {
	python3 - "$1" "${2:-127.0.0.1}" <<'PY'
import socket, sys
n, host = int(sys.argv[1]), sys.argv[2]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for _ in range(n):
    s.sendto(b"x" * 10, (host, 9))
PY
}

# --- the same command list through both tools, outputs and exit statuses compared
cat >"$tmp/cmds" <<'CMDS'
-A INPUT -p udp -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -j ACCEPT -c 7 800
-N web
-A web -j RETURN
-A INPUT -j web
-A OUTPUT -g web
-L INPUT 2
-L INPUT 2 -v -n -x --line-numbers
-L INPUT 9
-L web 1 --line-numbers
-L web
-S INPUT 3 -v
-S INPUT 9
-I INPUT 5 -j DROP
-S INPUT
-A INPUT -p icmp -j DROP
-A INPUT -p icmp -j DROP
-D INPUT -p icmp -j DROP
-S INPUT
-N other
-E web other
-L -n
-Z INPUT -v
-A INPUT -n -j ACCEPT
-A INPUT -x -j ACCEPT
-I INPUT --line-numbers -j ACCEPT
-F -n
-S -n
-D INPUT -j ACCEPT -c 1 2
-C INPUT -j ACCEPT -c 1 2
-A INPUT -o eth0 -j ACCEPT
-A OUTPUT -i eth0 -j ACCEPT
-t nat -A PREROUTING -o eth0 -j ACCEPT
-t nat -A POSTROUTING -i eth0 -j ACCEPT
-t nat -P OUTPUT DROP
-t nat -A POSTROUTING -j DROP
-A FORWARD -p 58 -j ACCEPT
-A FORWARD -m mark --mark 0x10000/0xffff0000 -j ACCEPT
-A FORWARD -m mark ! --mark 0/0 -j ACCEPT
-C FORWARD -m mark --mark 0x10000/0xffff0000 -j ACCEPT
-L FORWARD
-I FORWARD 4 -s 1.1.1.1,2.2.2.2 -j ACCEPT
-I FORWARD -s 7.7.7.7,8.8.8.8 -j DROP
-I FORWARD 2 -s 3.3.3.3,4.4.4.4 -d 5.5.5.5,6.6.6.6 -j ACCEPT
-S FORWARD
-D FORWARD -s 8.8.8.8,7.7.7.7 -j DROP
-A FORWARD ! -p tcp ! -s 1.2.3.0/24 ! -d 5.5.5.5 ! -i lo -f -m comment --comment x -j LOG --log-prefix y -v
-I FORWARD 2 -s 1.1.1.1,2.2.2.2 -g other -v
-A FORWARD -p 135 -v
-R FORWARD 1 -p tcp --dport 22 -j ACCEPT -v
-C FORWARD -p tcp --dport 22 -j ACCEPT -v
-D FORWARD -p tcp --dport 22 -j ACCEPT -v
-D FORWARD 1 -v
-S
-Z FORWARD -v
-F -v
-X -v
-A FORWARD -m comment --comment "nfsh:m=state" -j ACCEPT
-A FORWARD -m state --state NEW -m comment --comment "a ;nfsh:c=0" -j ACCEPT
-C FORWARD -m comment --comment "nfsh:m=state" -j ACCEPT
-S
CMDS
cat >"$tmp/run.sh" <<'SH'
# run.sh TOOL CMDS: each line (split as the shell would, quotes and all), then
# its exit status; stderr dropped (the words differ).
while IFS= read -r line; do
	eval "w=($line)"
	echo "### ${w[*]}"
	"$1" "${w[@]}" 2>/dev/null
	echo "[exit $?]"
done <"$2"
SH
if unshare -n bash "$tmp/run.sh" iptables-nft "$tmp/cmds" >"$tmp/ipt.out" 2>"$tmp/ipt.err"; then
	bash "$tmp/run.sh" "$NFSH" "$tmp/cmds" >"$tmp/nfsh.out"
	# Statuses: iptables-nft answers a referenced or built-in chain's -X with
	# the kernel's EBUSY (4); nfsh checks first and says why (1, or 2 for a
	# built-in chain), as iptables(8) legacy does.
	if diff -u "$tmp/ipt.out" "$tmp/nfsh.out" >"$tmp/diff"; then
		pass "every command: the same output and exit status as iptables-nft"
	else
		fail "every command: the same output and exit status as iptables-nft"
		head -40 "$tmp/diff" | sed 's/^/    /'
	fi
else
	fail "iptables-nft in a second namespace"
	head -5 "$tmp/ipt.err"
fi
"$NFSH" -F && "$NFSH" -X

# --- counters with real packets
"$NFSH" -A INPUT -p udp --dport 9 -j ACCEPT
"$NFSH" -A INPUT -j ACCEPT -c 7 800
"$NFSH" -A OUTPUT -p udp --dport 9 -j ACCEPT
"$NFSH" -I OUTPUT -p udp -j ACCEPT -c 3 4
"$NFSH" -R OUTPUT 1 -p udp -j ACCEPT -c 5 6
expect_eq "-c on -A/-I/-R reads back with -S -v" "$("$NFSH" -S OUTPUT 1 -v; "$NFSH" -S INPUT 2 -v)" \
	"$(printf -- '-A OUTPUT -p udp -c 5 6 -j ACCEPT\n-A INPUT -c 7 800 -j ACCEPT')"
send_udp 3
expect_eq "3 datagrams counted on INPUT 1" "$("$NFSH" -S INPUT 1 -v)" \
	"-A INPUT -p udp -m udp --dport 9 -c 3 114 -j ACCEPT"
expect_eq "-L INPUT 1 -v -x -n shows them" "$("$NFSH" -L INPUT 1 -v -x -n)" \
	"$(printf '%8s %8s ACCEPT     17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:9' 3 114)"
expect_eq "-Z OUTPUT 1 zeroes that rule only" "$("$NFSH" -Z OUTPUT 1 && "$NFSH" -S OUTPUT -v)" \
	"$(printf -- '-P OUTPUT ACCEPT -c 0 0\n-A OUTPUT -p udp -c 0 0 -j ACCEPT\n-A OUTPUT -p udp -m udp --dport 9 -c 0 0 -j ACCEPT')"
got=$("$NFSH" -S INPUT -v -Z)
expect_eq "-S -v -Z prints the counters before zeroing" "$(echo "$got" | grep -c -- '-c 0 0 -j')" 0
expect_eq "... and zeroes them" "$("$NFSH" -S INPUT -v | grep -c -- '-c 0 0 -j')" 2
send_udp 2
got=$("$NFSH" -L INPUT -Z -v -x -n 2>&1)
if echo "$got" | grep -q '^ *2 *76 ACCEPT'; then pass "-L -Z lists the counters"; else fail "-L -Z lists the counters"; echo "$got" | head -5; fi
expect_eq "... then zeroes them" "$("$NFSH" -S INPUT 1 -v)" "-A INPUT -p udp -m udp --dport 9 -c 0 0 -j ACCEPT"
send_udp 1
expect_eq "-Z -v names each chain" "$("$NFSH" -Z -v)" \
	"$(printf 'Zeroing chain `INPUT'"'"'\nZeroing chain `FORWARD'"'"'\nZeroing chain `OUTPUT'"'"'')"
expect_eq "-Z zeroed every rule" "$("$NFSH" -S -v | grep -c -- '-A .* -c 0 0 ')" 4
expect_eq "every rule has a counter" "$(nft list table ip nfsh-filter | grep -c 'counter packets')" 4
"$NFSH" -F

# --- multiport: -C and -D find a list libnftables merged ({ 1-5 } for 1,2,3:5)
"$NFSH" -A INPUT -p tcp -m multiport --dports 1,2,3:5 -j ACCEPT
"$NFSH" -A INPUT -p tcp -m multiport --dports 22,23 -j ACCEPT
expect_eq "-S of merged lists" "$("$NFSH" -S INPUT)" \
	"$(printf -- '-P INPUT ACCEPT\n-A INPUT -p tcp -m multiport --dports 1:5 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22,23 -j ACCEPT')"
expect_status "-C finds --dports 1,2,3:5" 0 "$NFSH" -C INPUT -p tcp -m multiport --dports 1,2,3:5 -j ACCEPT
expect_status "-D finds --dports 23,22" 0 "$NFSH" -D INPUT -p tcp -m multiport --dports 23,22 -j ACCEPT
"$NFSH" -F

# --- refusals: exit 2, the word on stderr, nothing changed
"$NFSH" -A INPUT -j ACCEPT
bad() {
	local want=$1 word=$2
	shift 2
	nft -j list ruleset >"$tmp/before"
	"$NFSH" "$@" >/dev/null 2>"$tmp/err"
	local got=$?
	nft -j list ruleset >"$tmp/after"
	if [ "$got" = "$want" ] && grep -qF -- "$word" "$tmp/err" && cmp -s "$tmp/before" "$tmp/after"; then
		pass "nfsh $*: exit $want, names \"$word\", ruleset unchanged"
	else
		fail "nfsh $*: exit $got (want $want), names \"$word\", ruleset unchanged"
		sed 's/^/    /' "$tmp/err"
	fi
}
bad 2 -n -A INPUT -n -j ACCEPT
bad 2 --line-numbers -D INPUT --line-numbers -j ACCEPT
bad 2 -c -D INPUT -j ACCEPT -c 1 2
bad 2 -c -C INPUT -j ACCEPT -c 1 2
bad 2 -c -P INPUT DROP -c 1 2
bad 2 -o -A INPUT -o eth0 -j ACCEPT
bad 2 -i -I OUTPUT -i eth0 -j ACCEPT
bad 2 DROP -t nat -P OUTPUT DROP
bad 2 DROP -t nat -A POSTROUTING -j DROP
bad 2 --ctorigsrcport -A INPUT -m conntrack --ctorigsrcport 1000:2000 -j ACCEPT
bad 2 --ctrepldstport -A INPUT -m conntrack ! --ctproto tcp --ctrepldstport 53 -j ACCEPT
bad 2 "-p tcp (or udp" -A INPUT --dport 22 -j ACCEPT
bad 1 nosuch -E nosuch other
"$NFSH" -N web
"$NFSH" -N other
"$NFSH" -A INPUT -j web
bad 1 other -E web other
bad 1 web -X web
bad 1 web -X
expect_eq "-L shows the reference" "$("$NFSH" -L web | head -1)" "Chain web (1 references)"
expect_status "--ctproto with the port is applied" 0 "$NFSH" -A INPUT -m conntrack --ctproto udp --ctorigsrcport 1000:2000 -j ACCEPT
"$NFSH" -F && "$NFSH" -X

# --- personalities by argv[0], and IPv6
for n in iptables ip6tables iptables-translate ip6tables-translate; do ln -s "$NFSH" "$tmp/$n"; done
"$tmp/iptables" -A INPUT -s 10.0.0.1 -j ACCEPT
"$tmp/ip6tables" -A INPUT -s ::1 -p udp -j ACCEPT
expect_eq "iptables by argv[0]" "$("$tmp/iptables" -S INPUT 1)" "-A INPUT -s 10.0.0.1/32 -j ACCEPT"
expect_eq "ip6tables by argv[0]" "$("$tmp/ip6tables" -S INPUT 1)" "-A INPUT -s ::1/128 -p udp -j ACCEPT"
expect_eq "iptables-translate by argv[0]" "$("$tmp/iptables-translate" -A INPUT -p tcp --dport 22 -j ACCEPT)" \
	"nft 'add rule ip nfsh-filter INPUT tcp dport 22 counter accept'"
expect_eq "ip6tables-translate by argv[0]" "$("$tmp/ip6tables-translate" -P FORWARD DROP)" \
	"nft 'add chain ip6 nfsh-filter FORWARD { type filter hook forward priority 0; policy drop; }'"
expect_eq "translate --json of a listing is the libnftables list command" \
	"$("$NFSH" translate --json -6 -t nat -L | tr -d ' \n')" \
	'{"nftables":[{"list":{"table":{"family":"ip6","name":"nfsh-nat"}}}]}'
send_udp 2 ::1
expect_eq "-6 -L INPUT 1 counts IPv6 packets" "$("$NFSH" -6 -L INPUT 1 -v -x -n | awk '{print $1, $2}')" "2 116"
expect_eq "-6 -Z -v" "$("$NFSH" -6 -Z INPUT -v)" 'Zeroing chain `INPUT'"'"
expect_eq "-6 -S -v after -Z" "$("$NFSH" -6 -S INPUT 1 -v)" "-A INPUT -s ::1/128 -p udp -c 0 0 -j ACCEPT"

finish

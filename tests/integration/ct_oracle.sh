#!/bin/bash
# nfsh conntrack against the oracle (conntrack-tools' conntrack) on the same table,
# in a private namespace: -L with every filter and output format, -G, -C, -D, -U,
# -F, entries made with -I (ours and the oracle's) and by real traffic over lo.
# Every kernel-side filter is also checked against the user-space reference.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
ORACLE=${CT_ORACLE:-conntrack}
modprobe nf_conntrack 2>/dev/null
sysctl -qw net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_timestamp=1 2>/dev/null
# The entries of real traffic get the kernel's timeouts: 30 s for udp, 120 s
# in TIME_WAIT, shorter than this test takes on a slow machine (70 s under
# ASan on a loaded one), and one that expires between two listings of a
# comparison fails it. This namespace's own timeouts, long enough.
sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 net.netfilter.nf_conntrack_udp_timeout_stream=600 \
	net.netfilter.nf_conntrack_tcp_timeout_time_wait=600 net.netfilter.nf_conntrack_tcp_timeout_close=600 ||
	fail "sysctl: conntrack timeouts of this namespace"

# Timeouts tick and delta-time may cross a second between two listings.
norm() {
	sed -E -e 's/^((ipv[46] +[0-9]+ )?[a-z0-9]+ +[0-9]+ )[0-9]+ /\1T /' \
		-e 's/delta-time=[0-9]+/delta-time=D/' -e 's/-t [0-9]+ /-t T /' | sort
}

populate() {
	$ORACLE -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 500 -m 3
	$CT -I -s 1.1.1.2 -d 2.2.2.2 -p tcp --sport 11 --dport 22 --state SYN_SENT -t 500 -m 0x10
	$CT -I -s 1.1.2.1 -d 3.3.3.3 -p udp --sport 53 --dport 53 -t 500 -w 4
	$ORACLE -I -s 1.1.1.1 -d 4.4.4.4 -p udp --sport 1000 --dport 2000 -t 500 --dst-nat 5.5.5.5
	$CT -I -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 3000 --dport 80 -t 500 --src-nat 9.9.9.9 -u SEEN_REPLY
	$CT -I -t 500 -u SEEN_REPLY -s 1.1.1.1 -d 2.2.2.2 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77
	$ORACLE -I -t 500 -s 0.0.0.0 -d 224.0.0.22 -p 2
	$CT -I -s 2001:db8::1 -d 2001:db8::2 -p tcp --sport 10 --dport 20 --state ESTABLISHED -u SEEN_REPLY -t 500
	$ORACLE -I -s 2001:db8::1 -d 2001:db8::3 -p udp --sport 5 --dport 6 -t 500 -m 3
	$CT -I -s 2001:db8:1::7 -d 2001:db8::2 -p udp --sport 5 --dport 7 -t 500 --orig-zone 2
	$CT -I -s fd00::1 -d fd00::2 -p icmpv6 --icmp-type 128 --icmp-code 0 --icmp-id 9 -t 500
} >/dev/null 2>&1

traffic() {
	nft add table inet ctt &&
		nft add chain inet ctt out '{ type filter hook output priority 0; }' &&
		nft add rule inet ctt out ct state new counter || fail "nft hook for real traffic"
	python3 -c '
import socket,threading
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1",8080)); s.listen(5)
c=socket.create_connection(("127.0.0.1",8080)); a,_=s.accept()
c.sendall(b"x"*100); a.recv(100); a.sendall(b"y"*10); c.recv(10)
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.sendto(b"hi",("127.0.0.1",5353))
u6=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM); u6.sendto(b"hi",("::1",5353))
' 2>/dev/null
}

# other_netns PID: PID is in another network namespace than this shell.
other_netns() { [ "$(readlink /proc/"$1"/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }

# same_list DESC ARGS...: ours and the oracle print the same lines and exit status.
# Real traffic over a veth pair from a peer namespace (a sleeping process holds it).
veth_traffic() {
	local peer
	unshare -n sleep 60 &
	peer=$!
	# until the sleeper is in its own namespace (unshare done, sleep exec'd)
	await 20 other_netns "$peer"
	ip link add ctv0 type veth peer name ctv1 &&
		ip link set ctv1 netns "$peer" &&
		ip addr add 192.168.77.1/24 dev ctv0 && ip link set ctv0 up &&
		nsenter -t "$peer" -n ip addr add 192.168.77.2/24 dev ctv1 &&
		nsenter -t "$peer" -n ip link set ctv1 up &&
		nsenter -t "$peer" -n ip link set lo up || { fail "veth setup"; kill "$peer"; return; }
	nft add chain inet ctt pre '{ type filter hook prerouting priority 0; }' &&
		nft add rule inet ctt pre ct state new counter || fail "nft prerouting hook"
	python3 -c '
import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.77.1",8081)); s.listen(5); s.settimeout(10)
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(("192.168.77.1",5300)); u.settimeout(10)
print("ready", flush=True)
a,_=s.accept(); a.recv(1000); a.sendall(b"z"*500); a.close()
d,addr=u.recvfrom(100); u.sendto(b"pong",addr)
time.sleep(0.5)' >/tmp/ct_srv.$$ &
	local srv=$!
	await 20 grep -q ready /tmp/ct_srv.$$
	nsenter -t "$peer" -n python3 -c '
import socket
c=socket.create_connection(("192.168.77.1",8081),timeout=5); c.sendall(b"q"*1000); c.recv(500); c.close()
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.settimeout(5); u.sendto(b"ping",("192.168.77.1",5300)); u.recv(10)
' || fail "veth client"
	wait "$srv"
	rm -f /tmp/ct_srv.$$
	kill "$peer" 2>/dev/null
	wait "$peer" 2>/dev/null
}

same_list() {
	local desc=$1 a b sa sb
	shift
	a=$($CT "$@" 2>/dev/null | norm)
	sa=${PIPESTATUS[0]}
	b=$($ORACLE "$@" 2>/dev/null | norm)
	sb=${PIPESTATUS[0]}
	expect_eq "$desc ($*)" "$a" "$b"
	[ "$sa" = "$sb" ] || fail "$desc: exit $sa, oracle $sb"
}

# kernel_vs_user ARGS...: the kernel-filtered answer equals the user-space reference.
kernel_vs_user() {
	local k u
	k=$($CT -L "$@" --nfsh-kernel-only 2>/dev/null | norm)
	u=$($CT -L "$@" --nfsh-userspace-filter 2>/dev/null | norm)
	expect_eq "kernel filter = user-space reference ($*)" "$k" "$u"
}

populate
traffic
veth_traffic
check "veth traffic tracked" bash -c "$ORACLE -L -s 192.168.77.2 2>/dev/null | grep -q ."
n=$($ORACLE -C)
[ "$n" -ge 12 ] && pass "table populated ($n entries)" || fail "table populated ($n entries)"
expect_eq "-C" "$($CT -C)" "$n"

for o in "" "-o extended" "-o id" "-o save" "-o extended,id" "-o timestamp" "-o ktimestamp"; do
	# shellcheck disable=SC2086
	same_list "list" -L $o
done
FILTERS=(
	"-p tcp" "-p udp" "-p icmp" "-p 2" "-p icmpv6" "-f ipv4" "-f ipv6"
	"-s 1.1.1.1" "-d 2.2.2.2" "-s 1.1.1.0/24" "-s 1.1.0.0/16 -d 2.2.2.2" "-r 2.2.2.2" "-q 1.1.1.1"
	"-s 1.1.1.0 --mask-src 255.255.255.0" "-s 2001:db8::1" "-d 2001:db8::2" "-s 2001:db8::/32"
	"-s 2001:db8::/48" "-r 2001:db8::3"
	"-p tcp --sport 10" "-p tcp --dport 20" "-p udp --reply-port-src 53" "-p tcp --reply-port-dst 10"
	"-p tcp --orig-port-src 11" "-f ipv4 -p tcp --dport 22" "-f ipv6 -p udp --sport 5"
	"-s 1.1.1.1 -p tcp --sport 10 --dport 20" "-p tcp --state ESTABLISHED" "-p tcp --state SYN_SENT"
	"-p icmp --icmp-type 8" "-p icmp --icmp-id 77" "-p icmpv6 --icmpv6-type 128"
	"-m 3" "-m 0x10" "-m 0/0xf0" "-m 0x10/0x10" "-u SEEN_REPLY" "-u ASSURED" "-u UNREPLIED"
	"-u SEEN_REPLY,ASSURED" "-w 4" "-w 0" "--orig-zone 2" "--src-nat" "--dst-nat" "--any-nat"
	"--dst-nat 5.5.5.5" "--src-nat 9.9.9.9" "--any-nat 9.9.9.9" "-f ipv4 -m 3"
	"-s 192.168.77.2" "-d 192.168.77.1 -p tcp" "-s 192.168.77.0/24 -p udp" "-p tcp --dport 8081"
	"-f ipv4 -p tcp --dport 8081" "-u ASSURED -p tcp" "-p tcp --state TIME_WAIT"
)
for flt in "${FILTERS[@]}"; do
	# shellcheck disable=SC2086
	same_list "filter" -L $flt
	# shellcheck disable=SC2086
	kernel_vs_user $flt
done
same_list "get" -G -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20
same_list "get missing" -G -s 7.7.7.7 -d 2.2.2.2 -p tcp --sport 10 --dport 20
# Beyond conntrack 1.4.7, which refuses these ("invalid parameters", "Illegal option --zone"):
# the answer must be the entry -L shows for the same tuple.
expect_eq "get by reply tuple" \
	"$($CT -G -r 2.2.2.2 -q 1.1.1.2 -p tcp --reply-port-src 22 --reply-port-dst 11 2>/dev/null | norm | sed 's/use=[0-9]*/use=U/')" \
	"$($ORACLE -L -s 1.1.1.2 -p tcp --dport 22 2>/dev/null | norm | sed 's/use=[0-9]*/use=U/')"
expect_eq "get in a zone" \
	"$($CT -G -s 1.1.2.1 -d 3.3.3.3 -p udp --sport 53 --dport 53 -w 4 2>/dev/null | norm | sed 's/use=[0-9]*/use=U/')" \
	"$($ORACLE -L -w 4 2>/dev/null | norm | sed 's/use=[0-9]*/use=U/')"
# conntrack 1.4.7 returns nothing for -m with -u together; the reference is the
# intersection of the two filters, each checked against the oracle above.
expect_eq "mark and status together" "$($CT -L -f ipv4 -m 3 -u SEEN_REPLY 2>/dev/null | norm)" \
	"$(comm -12 <($ORACLE -L -f ipv4 -m 3 2>/dev/null | norm) <($ORACLE -L -u SEEN_REPLY 2>/dev/null | norm))"
kernel_vs_user -f ipv4 -m 3 -u SEEN_REPLY

# -o json: one valid object per entry, as many as the text lines.
js=$($CT -L -o json 2>/dev/null)
# A small structural check against schemas/conntrack-entry.schema.json (no validator
# library is a dependency): required keys, no unknown keys, enums.
check "json lines follow the schema" python3 -c '
import json,sys
sch=json.load(open(sys.argv[1])); P=sch["properties"]; T=sch["$defs"]["tuple"]["properties"]
n=0
for l in sys.stdin:
    o=json.loads(l); n+=1
    assert all(k in o for k in sch["required"]), o
    assert set(o) <= set(P), set(o) - set(P)
    assert o["family"] in P["family"]["enum"] and o["protocol"] in P["protocol"]["enum"]
    for d in ("orig","reply"): assert set(o[d]) <= set(T), o[d]
    assert set(o.get("status",[])) <= set(P["status"]["items"]["enum"])
print(n)' "${SRCDIR:-.}/schemas/conntrack-entry.schema.json" <<<"$js"
expect_eq "json count" "$(wc -l <<<"$js")" "$($ORACLE -L 2>/dev/null | wc -l)"
check "counters shown with acct=1" grep -q 'packets=' <(set +o pipefail; $CT -L -p tcp 2>/dev/null)

# Delete and update: run each on a fresh copy of the table, ours and the oracle's.
reset_table() { $ORACLE -F >/dev/null 2>&1; populate; }
after() { $ORACLE -L 2>/dev/null | norm; }
DELS=("-s 1.1.1.1" "-p tcp" "-f ipv6" "-m 3" "-w 4" "-s 1.1.1.0/24" "-s 2001:db8::1"
	"-u SEEN_REPLY" "--dst-nat" "-p udp --dport 53" "-f ipv4 -p tcp --sport 11" "-s 6.6.6.6"
	"-s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20" "-p tcp --state SYN_SENT" "-p tcp --dport 20"
	"-p udp --sport 5")
for d in "${DELS[@]}"; do
	reset_table
	# shellcheck disable=SC2086
	out_a=$($CT -D $d 2>/dev/null | norm; exit "${PIPESTATUS[0]}")
	sa=$?
	left_a=$(after)
	reset_table
	# shellcheck disable=SC2086
	out_b=$($ORACLE -D $d 2>/dev/null | norm; exit "${PIPESTATUS[0]}")
	sb=$?
	left_b=$(after)
	expect_eq "-D $d prints the same entries" "$out_a" "$out_b"
	expect_eq "-D $d leaves the same table" "$left_a" "$left_b"
	expect_eq "-D $d exit status" "$sa" "$sb"
done
UPDS=("-s 1.1.1.1 -m 42" "-p tcp -m 0/0xffff0000" "-s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 -t 77"
	"-s 1.1.1.2 -u ASSURED" "-s 2001:db8::1 -m 9" "-s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 -m 3")
for u in "${UPDS[@]}"; do
	reset_table
	# shellcheck disable=SC2086
	out_a=$($CT -U $u 2>/dev/null | norm; exit "${PIPESTATUS[0]}")
	sa=$?
	left_a=$(after)
	reset_table
	# shellcheck disable=SC2086
	out_b=$($ORACLE -U $u 2>/dev/null | norm; exit "${PIPESTATUS[0]}")
	sb=$?
	left_b=$(after)
	# conntrack 1.4.7 prints only one of the updated entries; ours prints each one
	expect_eq "-U $u prints what conntrack prints, and the rest updated" \
		"$(comm -13 <(echo "$out_a") <(echo "$out_b"))" ""
	expect_eq "-U $u prints entries as they are now" \
		"$(comm -23 <(echo "$out_a" | sed 's/use=[0-9]*//') <(echo "$left_a" | sed 's/use=[0-9]*//'))" ""
	expect_eq "-U $u gives the same table" "$left_a" "$left_b"
	expect_eq "-U $u exit status" "$sa" "$sb"
done

# -U without a tuple (conntrack 1.4.7: "Operation not supported"): every match updated.
reset_table
$CT -U -m 7/0xf >/dev/null 2>&1
expect_eq "-U -m 7/0xf sets the low nibble everywhere" \
	"$($ORACLE -L 2>/dev/null | grep -vc 'mark=\(7\|23\) ')" 0
# An entry with a tuple zone is found too (conntrack 1.4.7 loses the zone on update).
$CT -U --orig-zone 2 -m 11 >/dev/null 2>&1
expect_eq "-U in an orig-zone" "$($ORACLE -L --orig-zone 2 2>/dev/null | grep -c 'mark=11 ')" 1

# -F -f ipv6 removes only IPv6 entries (conntrack 1.4.7 flushes everything).
reset_table
v4=$($ORACLE -L -f ipv4 2>/dev/null | norm)
$CT -F -f ipv6 >/dev/null 2>&1
expect_eq "-F -f ipv6 keeps every IPv4 entry" "$($ORACLE -L -f ipv4 2>/dev/null | norm)" "$v4"
expect_eq "-F -f ipv6 removes every IPv6 entry" "$($ORACLE -L -f ipv6 2>/dev/null | wc -l)" 0
$CT -F >/dev/null 2>&1
expect_eq "-F empties the table" "$($ORACLE -C)" 0

# Labels (bit numbers; conntrack needs connlabel.conf for names). They stick only
# when the namespace has a `ct label set` rule.
nft add table inet labt && nft add chain inet labt c '{ type filter hook output priority 0; }' &&
	nft add rule inet labt c ct label set 1 || fail "nft ct label rule"
$CT -I -s 8.8.8.1 -d 8.8.8.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 50 -l 3 >/dev/null 2>&1
$CT -I -s 8.8.8.3 -d 8.8.8.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -t 50 >/dev/null 2>&1
expect_eq "-l filter" "$($CT -L -l 3 2>/dev/null | grep -c 'src=8.8.8.1 ')" 1
$CT -U -s 8.8.8.1 --label-add 5 >/dev/null 2>&1
expect_eq "--label-add" "$($CT -L -l 3,5 2>/dev/null | grep -c 'src=8.8.8.1 ')" 1
$CT -U -s 8.8.8.1 --label-del 3 >/dev/null 2>&1
expect_eq "--label-del" "$($CT -L -l 3 2>/dev/null | wc -l)" 0
check "labels in json" grep -q '"labels":\[5\]' <($CT -L -s 8.8.8.1 -o json 2>/dev/null)
expect_eq "unlabelled entry not matched" "$($CT -L -l 5 2>/dev/null | grep -c 'src=8.8.8.3 ')" 0

# Errors: exit codes as conntrack's.
expect_status "unknown option" 2 $CT -L --foo
expect_status "bad state" 2 $CT -L -p tcp --state XX
expect_status "bad family" 2 $CT -L -f ipv5
expect_status "mismatched family" 2 $CT -L -s 1.1.1.1 -d ::1
expect_status "nothing to delete" 1 $CT -D -s 9.9.9.9
expect_status "create without timeout" 2 $CT -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 1 --dport 2
finish

#!/bin/bash
# -j TOS and -m tos on real packets: UDP datagrams from a client namespace
# with a known TOS byte / traffic class (IP_TOS, IPV6_TCLASS), rewritten by
# nfsh's -j TOS in the client's mangle OUTPUT, received in a server namespace
# over a veth pair, which reads the byte it got (IP_RECVTOS, IPV6_RECVTCLASS).
# The byte must be what xt_DSCP's tos_tg writes, (old & ~MASK) ^ VALUE over the
# whole byte (values below worked out by hand from that formula). An IPv4
# datagram that arrives at all had a valid header checksum (ip_rcv_core drops
# the others). Then -m tos on the server's INPUT: a DROP of the matching byte
# keeps the datagram away, of another byte does not.
# Addresses are TEST-NET-1 and 2001:db8::/32, only inside these namespaces.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/veth.sh"
NFSH=${NFSH:-$here/../../build/nfsh}

veth_root_only

SRV=nfsh-tos-srv-$$
CLI=nfsh-tos-cli-$$
tmp=$(mktemp -d)
cleanup() {
	veth_del "$SRV" "$CLI"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

S() { ip netns exec "$SRV" "$@"; }
C() { ip netns exec "$CLI" "$@"; }

veth_pair "$SRV" "$CLI" "ts$$" "tc$$" 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64

# udp.py recv FAMILY PORT SENT | udp.py send FAMILY ADDR PORT TOS
# The receiver says timeout when nothing came 2 s after the file SENT
# appeared (the sender had finished): 2 s from its own start would count
# the sender's start-up too, which a loaded machine can make that long.
cat >"$tmp/udp.py" <<'PY'
import os, select, socket, sys, time
fam = socket.AF_INET6 if sys.argv[2] == "6" else socket.AF_INET
if sys.argv[1] == "recv":
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTOS, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", int(sys.argv[3])))
    print("ready", flush=True)
    sent_by = None
    while not select.select([s], [], [], 0.1)[0]:
        if sent_by is None and os.path.exists(sys.argv[4]):
            sent_by = time.monotonic()
        if sent_by is not None and time.monotonic() > sent_by + 2:
            print("timeout")
            sys.exit(0)
    _, anc, _, _ = s.recvmsg(64, 64)
    for level, kind, data in anc:
        if kind in (socket.IP_TOS, socket.IPV6_TCLASS):
            print("0x%02x" % data[0])
            sys.exit(0)
    print("no-tos")
else:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    tos = int(sys.argv[5], 16)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tos)
    s.sendto(b"tos", (sys.argv[3], int(sys.argv[4])))
PY

port=40000
# got FAMILY TOS: the byte the server receives from a datagram sent with TOS.
got() {
	local fam=$1 tos=$2 addr=192.0.2.1 pid
	[ "$fam" = 6 ] && addr=2001:db8::1
	port=$((port + 1))
	: >"$tmp/recv"
	rm -f "$tmp/sent"
	S timeout 20 python3 "$tmp/udp.py" recv "$fam" $port "$tmp/sent" >"$tmp/recv" &
	pid=$!
	await 20 grep -q ready "$tmp/recv"
	C python3 "$tmp/udp.py" send "$fam" $addr $port "$tos"
	touch "$tmp/sent"
	wait $pid
	sed -n 2p "$tmp/recv"
}
N() {
	if ! ip netns exec "$1" timeout 20 "$NFSH" "${@:2}" >"$tmp/out" 2>&1; then
		fail "nfsh ${*:2}: $(head -2 "$tmp/out")"
		return 1
	fi
}

expect_eq "no rules: the byte arrives as sent (IPv4)" "$(got 4 0xe3)" 0xe3
expect_eq "no rules: the byte arrives as sent (IPv6)" "$(got 6 0xe3)" 0xe3

# family|-j TOS options|sent|xt's result: (sent & ~MASK) ^ VALUE
while IFS='|' read -r fam opts sent want; do
	read -ra words <<<"$opts"
	N "$CLI" "-$fam" -t mangle -F OUTPUT
	N "$CLI" "-$fam" -t mangle -A OUTPUT -p udp -j TOS "${words[@]}" || continue
	expect_eq "IPv$fam -j TOS $opts on $sent" "$(got "$fam" "$sent")" "$want"
done <<'CASES'
4|--set-tos 0x1f|0xe0|0x1f
4|--set-tos 0x10/0xfc|0xe3|0x13
4|--set-tos 0x02/0x03|0xe1|0xe2
6|--set-tos 0x1f|0xe0|0x1f
6|--set-tos Minimize-Delay|0xe3|0xd0
6|--xor-tos 0x12|0xe3|0xf1
6|--or-tos 0x12|0x01|0x13
6|--set-tos 0x12/0x34|0xe3|0xd1
CASES
N "$CLI" -4 -t mangle -F OUTPUT
N "$CLI" -6 -t mangle -F OUTPUT

# -m tos on the server: (TOS & MASK) == VALUE, ! inverts.
while IFS='|' read -r fam opts sent want; do
	read -ra words <<<"$opts"
	N "$SRV" "-$fam" -F INPUT
	N "$SRV" "-$fam" -A INPUT -p udp -m tos "${words[@]}" -j DROP || continue
	expect_eq "IPv$fam -m tos $opts -j DROP, $sent sent" "$(got "$fam" "$sent")" "$want"
done <<'CASES'
4|--tos 0x10/0x3f|0xd0|timeout
4|--tos 0x10/0x3f|0xd1|0xd1
4|! --tos 0xd1|0xd1|0xd1
4|! --tos 0xd1|0xd0|timeout
6|--tos 0x0f/0x0f|0xef|timeout
6|--tos 0x0f/0x0f|0xee|0xee
6|! --tos 0x10/0xfc|0x11|0x11
6|! --tos 0x10/0xfc|0x21|timeout
CASES

finish

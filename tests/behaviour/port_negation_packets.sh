#!/bin/bash
# "! --sport A ! --dport B" with real packets: the rule matches a packet only
# when both ports differ, as in iptables. libnftables 1.0.6 merges two "!="
# port tests into one 4-byte compare that is true when either differs
# (io_nl_bytes holds the evidence; iptables-nft 1.8.9 applies it that way),
# so nfsh writes the second as a one-port range (src/xlate/emit.c). Each
# case sends one datagram (udp) or SYN (tcp) with a chosen source port from
# the client namespace over a veth pair, and reads the rule's counter on the
# server. Written by a one-shot command and by a restore (the netlink paths),
# and through libnftables (NFSH_WRITER=nft). Needs root (ip netns).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/veth.sh"
NFSH=${NFSH:-$here/../../build/nfsh}

veth_root_only

SRV=nfsh-pn-srv-$$
CLI=nfsh-pn-cli-$$
SIP=192.0.2.1
CIP=192.0.2.2
TMPD=$(mktemp -d)

cleanup() {
	veth_del "$SRV" "$CLI"
	rm -rf "$TMPD"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

S() { ip netns exec "$SRV" "$@"; }
C() { ip netns exec "$CLI" "$@"; }

veth_pair "$SRV" "$CLI" "vs$$" "vc$$" $SIP/24 $CIP/24
# No neighbour discovery in the way of the first packet.
S ip neigh replace $CIP lladdr "$(C cat /sys/class/net/"vc$$"/address)" dev "vs$$"
C ip neigh replace $SIP lladdr "$(S cat /sys/class/net/"vs$$"/address)" dev "vc$$"

# send PROTO SPORT DPORT: one udp datagram or tcp SYN from the client.
send() {
	C timeout 20 python3 - "$1" "$2" "$3" "$SIP" "$CIP" <<'EOF'
import socket, sys
proto, sport, dport, sip, cip = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((cip, sport))
if proto == "udp":
    s.sendto(b"x", (sip, dport))
else:
    s.setblocking(False)
    try:
        s.connect((sip, dport))
    except BlockingIOError:
        pass
s.close()
EOF
}

# The packets of rule 1 of INPUT (the test rule), from save -c.
count() { S "$NFSH" save -c -t filter | sed -n 's/^\[\([0-9]*\):[0-9]*\] -A INPUT .*/\1/p' | head -1; }
counted() { [ "$(count)" -ge 1 ]; }

# load HOW PROTO: the test rule, ACCEPT (so the SYN's RST does not count
# twice: only the client's packets reach INPUT on the server).
load() {
	local rule="-p $2 -m $2 ! --sport 5000 ! --dport 6000 -j ACCEPT"
	S nft flush ruleset
	case $1 in
	oneshot) S "$NFSH" -A INPUT $rule ;;
	restore) printf '*filter\n-A INPUT %s\nCOMMIT\n' "$rule" | S "$NFSH" restore ;;
	libnftables) S env NFSH_WRITER=nft "$NFSH" -A INPUT $rule ;;
	esac
}

for how in oneshot restore libnftables; do
	for proto in udp tcp; do
		if ! load $how $proto; then
			fail "$how $proto: rule loaded"
			continue
		fi
		expect_eq "$how $proto: read back as written" \
			"$(S "$NFSH" -S INPUT | sed -n 2p)" \
			"-A INPUT -p $proto -m $proto ! --sport 5000 ! --dport 6000 -j ACCEPT"
		send $proto 5000 7000 # sport is 5000: no match
		send $proto 5001 6000 # dport is 6000: no match
		expect_eq "$how $proto: a packet with one of the two ports is not matched" "$(count)" 0
		send $proto 5001 7000 # both differ: a match
		# (on a loaded machine the receiving side may run a little later)
		await 10 counted
		expect_eq "$how $proto: a packet with both ports other is matched" "$(count)" 1
	done
done

finish

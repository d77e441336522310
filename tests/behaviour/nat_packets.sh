#!/bin/bash
# Issue 3's NAT behaviour test: real connections through a router namespace.
#
#   client 198.51.100.2 --- 198.51.100.1 router 203.0.113.1 --- 203.0.113.2 server
#
# The server has NO route back to the client's network, so a reply reaches the
# client only if the router rewrote the source. The server's listener answers
# with the address it saw ("server IP PORT"), the router's own listener with
# "router IP PORT". The router (nfsh one-shot commands):
#   nat PREROUTING   -p tcp --dport 8080 -j DNAT --to-destination 203.0.113.2:80
#   nat PREROUTING   -p tcp --dport 2222 -j REDIRECT --to-ports 22
#   nat POSTROUTING  -o (server side) -j MASQUERADE   (round 1) / SNAT --to-source (round 2)
#   filter FORWARD   policy DROP; ESTABLISHED,RELATED accept; --ctstate DNAT accept
# Checks: the client reaches the forwarded port and the server sees the router's
# address; REDIRECT lands on the router's own listener; a direct (not DNATed)
# connection to the server is dropped by FORWARD, so the DNATed flow was let
# through by `--ctstate DNAT`; the rules' counters moved.
# Addresses are TEST-NET-2/3, only inside these namespaces. Needs root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/veth.sh"
NFSH=${NFSH:-$here/../../build/nfsh}
PROBE="python3 $here/../lib/probe.py"

veth_root_only

CN=nfsh-nat-cli-$$
RN=nfsh-nat-rtr-$$
SN=nfsh-nat-srv-$$
CIP=198.51.100.2
RCIP=198.51.100.1
RSIP=203.0.113.1
SIP=203.0.113.2
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	veth_del "$CN" "$RN" "$SN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

C() { ip netns exec "$CN" "$@"; }
R() { ip netns exec "$RN" "$@"; }
S() { ip netns exec "$SN" "$@"; }

for n in "$CN" "$RN" "$SN"; do ip netns add "$n" || { fail "create namespace $n"; finish; }; done
ip link add "nc$$" netns "$CN" type veth peer name "nrc$$" netns "$RN" &&
	ip link add "nrs$$" netns "$RN" type veth peer name "ns$$" netns "$SN" || {
	fail "create veth pairs"
	finish
}
C ip addr add $CIP/24 dev "nc$$"
R ip addr add $RCIP/24 dev "nrc$$"
R ip addr add $RSIP/24 dev "nrs$$"
S ip addr add $SIP/24 dev "ns$$"
for x in "C nc$$" "R nrc$$" "R nrs$$" "S ns$$"; do
	set -- $x
	$1 ip link set "$2" up
	$1 ip link set lo up
done
C ip route add default via $RCIP
R sysctl -qw net.ipv4.ip_forward=1
# No route on the server back to 198.51.100.0/24: replies need the source rewrite.

S env PROBE_LABEL=server timeout 300 $PROBE serve-peer 0.0.0.0 80 >/dev/null 2>&1 &
PIDS+=($!)
R env PROBE_LABEL=router timeout 300 $PROBE serve-peer 0.0.0.0 22 >/dev/null 2>&1 &
PIDS+=($!)

listening() { [ "$(R $PROBE connect $SIP 80 0.5)" = ok ] && [ "$(C $PROBE connect $RCIP 22 0.5)" = ok ]; }
await 20 listening && pass "listeners answer" || { fail "listeners answer"; finish; }
# Without NAT the client cannot talk to the server (no way back).
expect_eq "no NAT: client to server times out (no route back)" "$(C $PROBE connect $SIP 80 1)" timeout

nfsh_all() { # run each argument as one nfsh command on the router
	local ok=0 c out
	for c in "$@"; do
		# shellcheck disable=SC2086
		if ! out=$(R "$NFSH" $c 2>&1); then
			echo "    nfsh $c: $out"
			ok=1
		fi
	done
	return $ok
}

counter_of() { # counter_of TABLE CHAIN PATTERN: packets of the first rule matching
	R nft list chain ip "nfsh-$1" "$2" 2>/dev/null |
		grep -- "$3" | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -1
}

round() {
	local how=$1 post got n
	if [ "$how" = masquerade ]; then
		post="-t nat -A POSTROUTING -o nrs$$ -j MASQUERADE"
	else
		post="-t nat -A POSTROUTING -o nrs$$ -j SNAT --to-source $RSIP"
	fi
	if nfsh_all "-t nat -F" "-F" "-P FORWARD DROP" \
		"-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT" \
		"-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT" \
		"-t nat -A PREROUTING -i nrc$$ -p tcp --dport 8080 -j DNAT --to-destination $SIP:80" \
		"-t nat -A PREROUTING -i nrc$$ -p tcp --dport 2222 -j REDIRECT --to-ports 22" \
		"$post"; then
		pass "[$how] router rules loaded with nfsh"
	else
		fail "[$how] router rules loaded with nfsh"
		return
	fi
	R "$NFSH" -t nat -S | sed 's/^/    /'
	R "$NFSH" -S FORWARD | sed 's/^/    /'
	R conntrack -F >/dev/null 2>&1

	got=$(C $PROBE peer $RCIP 8080 2)
	expect_eq "[$how] DNAT: client reaches the forwarded port; the server sees the router's address" \
		"${got% *}" "server $RSIP"
	got=$(C $PROBE peer $RCIP 2222 2)
	expect_eq "[$how] REDIRECT: 2222 lands on the router's own listener on 22" \
		"${got% *}" "router $CIP"
	# Routed but not DNATed: FORWARD has no rule for it, so the DNATed flow
	# above got through on --ctstate DNAT.
	expect_eq "[$how] direct connection to the server (no DNAT) is dropped by FORWARD" \
		"$(C $PROBE connect $SIP 80 1)" timeout
	n=$(counter_of filter FORWARD 'ct status dnat')
	if [ -n "$n" ] && [ "$n" -gt 0 ]; then
		pass "[$how] --ctstate DNAT rule matched the forwarded flow ($n packets)"
	else
		fail "[$how] --ctstate DNAT rule matched the forwarded flow (got '${n}')"
	fi
	n=$(counter_of nat POSTROUTING "$([ "$how" = masquerade ] && echo masquerade || echo snat)")
	if [ -n "$n" ] && [ "$n" -gt 0 ]; then
		pass "[$how] the source-NAT rule counted the flow ($n)"
	else
		fail "[$how] the source-NAT rule counted the flow (got '${n}')"
	fi
}

round masquerade
round snat

finish

#!/bin/bash
# Issue 3's mangle/raw behaviour test: real ICMP echo between two namespaces
# over a veth pair; every rule is loaded on the server with nfsh one-shot
# commands and shown back with -S.
#   1. raw PREROUTING -j CT --notrack makes filter's --ctstate UNTRACKED match
#      (a DROP of untracked echo requests blocks the ping; without the notrack
#      rule the same DROP lets it through), and no conntrack entry is made;
#      -j NOTRACK does the same;
#   2. mangle PREROUTING -j MARK --set-mark is seen by filter's -m mark;
#   3. CONNMARK: a mark saved to the connection on the request (--save-mark)
#      comes back on the reply (--restore-mark in mangle OUTPUT) and is matched
#      by -m mark in filter OUTPUT; conntrack shows the mark on the entry.
# Addresses are TEST-NET-1 (192.0.2.0/24), only inside these namespaces; the
# host's ruleset is never touched. Needs root (ip netns); every probe is bounded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/veth.sh"
NFSH=${NFSH:-$here/../../build/nfsh}
PROBE="python3 $here/../lib/probe.py"

veth_root_only

SRV=nfsh-mg-srv-$$
CLI=nfsh-mg-cli-$$
SIP=192.0.2.1
CIP=192.0.2.2

cleanup() { veth_del "$SRV" "$CLI"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

S() { ip netns exec "$SRV" "$@"; }
C() { ip netns exec "$CLI" "$@"; }

veth_pair "$SRV" "$CLI" "ms$$" "mc$$" $SIP/24 $CIP/24

ping_ok() { [ "$(C $PROBE ping $SIP 2)" = ok ]; }
ping_blocked() { [ "$(C $PROBE ping $SIP 1)" = timeout ]; }
# nfsh on the server; a failing load is a failed check of its own.
N() {
	if ! S timeout 20 "$NFSH" "$@" >/tmp/nfsh-mg.$$ 2>&1; then
		fail "nfsh $*: $(head -3 /tmp/nfsh-mg.$$)"
		return 1
	fi
}
reset() {
	for t in filter mangle raw; do S timeout 20 "$NFSH" -t $t -F >/dev/null 2>&1; done
	S conntrack -F >/dev/null 2>&1
}
# saved TABLE LINE: -S of TABLE has LINE exactly.
saved() {
	if S timeout 20 "$NFSH" -t "$1" -S | grep -qxF -- "$2"; then
		pass "-t $1 -S shows: $2"
	else
		fail "-t $1 -S shows: $2"
		S timeout 20 "$NFSH" -t "$1" -S | sed 's/^/    /' | head -20
	fi
}

await 20 ping_ok && pass "ping answers without rules" || { fail "ping answers without rules"; finish; }

# 1. CT --notrack -> --ctstate UNTRACKED.
N -A INPUT -p icmp -m conntrack --ctstate UNTRACKED -j DROP
check "tracked echo is not UNTRACKED (ping passes the DROP)" ping_ok
N -t raw -A PREROUTING -p icmp -j CT --notrack
saved raw "-A PREROUTING -p icmp -j CT --notrack"
check "CT --notrack: echo is UNTRACKED (ping dropped)" ping_blocked
S conntrack -F >/dev/null 2>&1
C $PROBE ping $SIP 1 >/dev/null
expect_eq "no conntrack entry for the untracked requests" \
	"$(S conntrack -L -p icmp -s $CIP 2>/dev/null | grep -c "src=$CIP")" 0
N -t raw -F PREROUTING
N -t raw -A PREROUTING -p icmp -j NOTRACK
saved raw "-A PREROUTING -p icmp -j NOTRACK"
check "-j NOTRACK: echo is UNTRACKED (ping dropped)" ping_blocked
reset
check "ping passes again after the flush" ping_ok

# 2. MARK in mangle, -m mark in filter.
N -t mangle -A PREROUTING -p icmp -j MARK --set-mark 0x2a
saved mangle "-A PREROUTING -p icmp -j MARK --set-xmark 0x2a/0xffffffff"
N -A INPUT -p icmp -m mark --mark 0x2b -j DROP
check "MARK 0x2a does not match -m mark 0x2b" ping_ok
N -A INPUT -p icmp -m mark --mark 0x2a -j DROP
check "MARK 0x2a matches -m mark 0x2a (ping dropped)" ping_blocked
N -t mangle -F PREROUTING
N -t mangle -A PREROUTING -p icmp -j MARK --set-mark 0x20
N -t mangle -A PREROUTING -p icmp -j MARK --or-mark 0x0a
check "--set-mark 0x20 then --or-mark 0x0a gives 0x2a (ping dropped)" ping_blocked
reset

# 3. CONNMARK save on the request, restore on the reply.
N -t mangle -A PREROUTING -p icmp -j MARK --set-mark 9
N -t mangle -A PREROUTING -p icmp -j CONNMARK --save-mark
N -A OUTPUT -p icmp -m mark --mark 9 -j DROP
check "without --restore-mark the reply carries no mark" ping_ok
expect_eq "conntrack entry carries the saved mark 9" \
	"$(S conntrack -L -p icmp -s $CIP 2>/dev/null | grep -c 'mark=9 ')" 1
N -t mangle -A OUTPUT -p icmp -j CONNMARK --restore-mark
saved mangle "-A OUTPUT -p icmp -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"
saved mangle "-A PREROUTING -p icmp -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff"
check "--restore-mark puts mark 9 on the reply (dropped in OUTPUT)" ping_blocked
reset
N -t mangle -A PREROUTING -p icmp -j CONNMARK --set-mark 0x5
N -t mangle -A OUTPUT -p icmp -j CONNMARK --restore-mark --ctmask 0xf
N -A OUTPUT -p icmp -m mark --mark 0x5 -j DROP
check "CONNMARK --set-mark then --restore-mark --ctmask 0xf (reply dropped)" ping_blocked
reset

rm -f /tmp/nfsh-mg.$$
finish

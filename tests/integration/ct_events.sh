#!/bin/bash
# -E must not lose events silently: a burst of 100,000 new entries (ct_fill over
# ctnetlink) must reach the listener as 100,000 [NEW] lines, or as [NEW] plus a
# reported loss and a [RESYNC] dump that together cover every entry.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
FILL=$TOOLSDIR/ct_fill
N=${CT_EVENTS_N:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
modprobe nf_conntrack 2>/dev/null

# wait_quiet FILE: until FILE stops growing for half a second (max 60 s).
wait_quiet() {
	local last=-1 cur i
	for i in $(seq 120); do
		cur=$(stat -c %s "$1")
		[ "$cur" = "$last" ] && return 0
		last=$cur
		sleep 0.5
	done
}

listen() { # listen OUT ERR ARGS...: start a listener, return once it is subscribed
	local out=$1 err=$2
	shift 2
	"$@" >"$out" 2>"$err" &
	LPID=$!
	await_subscribed "$LPID"
}

# covered FILE: how many entries FILE reports, by event or resync line.
covered() { grep -E '^ *\[(NEW|RESYNC)\]' "$1" | awk '{print $5, $6, $7}' | sort -u | wc -l; }
covers() { [ "$(covered "$2")" -ge "$1" ]; } # covers N FILE
# count_at_least N REGEX FILE: FILE has N lines matching REGEX.
count_at_least() { [ "$(grep -c -- "$2" "$3")" -ge "$1" ]; }

# lost ERR: the events the listener said the kernel dropped.
lost() { sed -n 's/.*dropped \([0-9]*\) events.*/\1/p' "$1" | awk '{s+=$1} END {print s+0}'; }
# accounted N FILE ERR: each of the N events is a [NEW] line or counted lost.
accounted() { [ $(($(grep -c '^ *\[NEW\]' "$2") + $(lost "$3"))) -ge "$1" ]; }

# drained N FILE ERR: the listener has shown the N entries (a burst takes a
# while to come through on a loaded machine; the loss count and the resync
# come before the entries they cover) and has printed or counted every event
# (a resync can cover the last entries while [NEW] events of entries made
# during it still wait in the socket, and SIGTERM would drop them unprinted:
# a pause of the file for half a second is not the end on a loaded machine),
# then nothing more comes.
drained() {
	await 120 covers "$1" "$2"
	await 120 accounted "$1" "$2" "$3"
	wait_quiet "$2"
}

stop() {
	kill -TERM "$LPID" 2>/dev/null
	wait "$LPID" 2>/dev/null
}

listen "$tmp/new" "$tmp/new.err" $CT -E -e NEW
check "fill $N entries" "$FILL" "$N"
drained "$N" "$tmp/new" "$tmp/new.err"
stop
got_new=$(grep -c '^ *\[NEW\]' "$tmp/new")
got_resync=$(grep -c '^ *\[RESYNC\]' "$tmp/new")
lost=$(lost "$tmp/new.err")
echo "# events: $got_new [NEW] of $N, $lost reported lost, $got_resync [RESYNC] lines"
covered=$(grep -E '^ *\[(NEW|RESYNC)\]' "$tmp/new" | awk '{print $5, $6, $7}' | sort -u | wc -l)
expect_eq "every new entry reported (by event or resync)" "$covered" "$N"
if [ "$lost" = 0 ]; then
	expect_eq "no loss: one [NEW] per entry" "$got_new" "$N"
else
	check "loss was reported with a count" test "$lost" -gt 0
	expect_eq "[NEW] + lost = $N" "$((got_new + lost))" "$N"
fi
grep -q 'flow events have been shown' "$tmp/new.err" && pass "exit summary on SIGTERM" ||
	fail "exit summary on SIGTERM"

# Force a loss with a small buffer (-b): the loss is counted, and the resync dump
# brings every entry back. A fast machine reads a burst as quickly as ct_fill makes
# it even through 64 KiB (CI saw no loss), so the listener is stopped during the
# burst: 100,000 events cannot fit in the buffer, whatever the machine's speed.
$CT -F >/dev/null 2>&1
listen "$tmp/small" "$tmp/small.err" $CT -E -e NEW -b 65536
kill -STOP "$LPID"
"$FILL" "$N" --base 300000
kill -CONT "$LPID"
drained "$N" "$tmp/small" "$tmp/small.err"
stop
s_new=$(grep -c '^ *\[NEW\]' "$tmp/small")
s_lost=$(lost "$tmp/small.err")
s_cov=$(grep -E '^ *\[(NEW|RESYNC)\]' "$tmp/small" | awk '{print $5, $6, $7}' | sort -u | wc -l)
echo "# small buffer: $s_new [NEW], $s_lost reported lost, $s_cov entries covered"
check "small buffer: loss reported" test "$s_lost" -gt 0
expect_eq "small buffer: [NEW] + reported lost = $N" "$((s_new + s_lost))" "$N"
expect_eq "small buffer: resync covers every entry" "$s_cov" "$N"

# The oracle in the same conditions, for the record (no assertion: it loses events).
if command -v conntrack >/dev/null; then
	conntrack -F >/dev/null 2>&1
	listen "$tmp/onew" "$tmp/onew.err" conntrack -E -e NEW
	"$FILL" "$N" --base "$N"
	wait_quiet "$tmp/onew"
	stop
	echo "# conntrack -E (oracle): $(grep -c 'NEW' "$tmp/onew") [NEW] of $N"
fi

# DESTROY events for a flush, and the event filter.
conntrack -F >/dev/null 2>&1 || $CT -F >/dev/null 2>&1
listen "$tmp/all" "$tmp/all.err" $CT -E
"$FILL" 1000 --mark 5
"$FILL" 1000 --base 5000
await 20 count_at_least 2000 '^ *\[NEW\]' "$tmp/all"
ALLPID=$LPID
listen "$tmp/del" "$tmp/del.err" $CT -E -e DESTROY -m 5
$CT -F >/dev/null 2>&1
await 20 count_at_least 1000 '^\[DESTROY\]' "$tmp/del"
await 20 count_at_least 2000 '^\[DESTROY\]' "$tmp/all"
stop
LPID=$ALLPID
stop
expect_eq "[DESTROY] events filtered by mark" "$(grep -c '^\[DESTROY\]' "$tmp/del")" 1000
expect_eq "[NEW] lines of the unfiltered listener" "$(grep -c '^ *\[NEW\]' "$tmp/all")" 2000
# Same events, same lines as conntrack -E (new, update, destroy; timeouts tick).
$CT -F >/dev/null 2>&1
listen "$tmp/o1" "$tmp/o1.err" conntrack -E
OPID=$LPID
listen "$tmp/n1" "$tmp/n1.err" $CT -E
NPID=$LPID
conntrack -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state ESTABLISHED -u SEEN_REPLY -t 50 >/dev/null 2>&1
conntrack -I -s 2001:db8::1 -d 2001:db8::2 -p udp --sport 1 --dport 2 -t 50 -m 4 >/dev/null 2>&1
conntrack -U -s 1.1.1.1 -m 9 >/dev/null 2>&1
conntrack -D -s 2001:db8::1 >/dev/null 2>&1
conntrack -D -s 1.1.1.1 >/dev/null 2>&1
# The last of the five events is that DESTROY: both have shown all of them.
for f in "$tmp/o1" "$tmp/n1"; do await 20 grep -q '^\[DESTROY\] tcp .* src=1\.1\.1\.1 ' "$f"; done
LPID=$OPID
stop
LPID=$NPID
stop
# the requester's port id differs, and its name is there only while it lives
evnorm() { sed -E -e 's/^( *\[[A-Z]+\] [a-z0-9]+ +[0-9]+ )[0-9]+ /\1T /' \
	-e 's/ portid=[0-9]+( progname=[^ ]*)?/ portid=P/' "$1"; }
expect_eq "event lines as conntrack -E" "$(evnorm "$tmp/n1")" "$(evnorm "$tmp/o1")"
check "events seen" test "$(wc -l <"$tmp/n1")" -ge 5
finish

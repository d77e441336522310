#!/bin/bash
# nfsh restore --confirm SECONDS FILE (like iptables-apply): applied, then
# reverted to the previous ruleset unless confirmed in time: by `nfsh
# confirm`, by y on the terminal; reverted on n, on no answer, when nfsh is
# killed with SIGKILL while it asks, and when its terminal goes away. A
# restore that fails changes nothing and leaves no reverter armed.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(readlink -f "$(mktemp -d)")
trap 'rm -rf "$TMP"' EXIT
export NFSH_STATE_DIR=$TMP/state
rules() { nft list ruleset; } # without handles: a revert re-creates the tables
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n' >"$TMP/old.v4"
printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n' >"$TMP/new.v4"
printf '*filter\n-A INPUT -j NOWHERE\nCOMMIT\n' >"$TMP/bad.v4"
"$NFSH" restore "$TMP/old.v4"
old=$(rules)
"$NFSH" restore "$TMP/new.v4"
new=$(rules)
reset_old() { "$NFSH" restore "$TMP/old.v4"; }
pending() { ls "$NFSH_STATE_DIR" 2>/dev/null | grep -c '^pending-'; }
# await_rules WANT SECONDS: wait until the ruleset is WANT, at most SECONDS
# (the bounds only catch a hang: a revert is never early, see the checks of
# "still in" before each, and a loaded machine may be late by seconds).
await_rules() {
	local until=$((SECONDS + $2))
	while [ "$(rules)" != "$1" ] && [ $SECONDS -lt $until ]; do sleep 0.1; done
}
# reverter_gone: no process holds the state directory open. The reverter
# keeps it open for as long as it runs, and nfsh only while it runs itself.
# After a confirm the reverter leaves at once; had the confirm not taken, it
# would revert at the deadline and then leave: once it is gone, the ruleset
# is final, on a machine of any speed.
reverter_gone() { ! dir_held "$NFSH_STATE_DIR"; }
# The deadlines: nfsh's clock counts whole seconds, so --confirm N can
# revert as early as N-1 seconds after nfsh arms it (before it applies).
# Where a check needs the new ruleset still in (or nfsh still asking),
# N is 5 or 6: at least 4 s for nfsh to apply and the check to look, where
# --confirm 2 left as little as 1 s (not enough for ASan on a loaded machine).
# A confirm makes the reverter leave at once, so those cases take 15 s:
# the deadline costs nothing there, and the confirm has all the time it needs.
# on_tty SCRIPT: run SCRIPT (bash) on a fresh pseudo-terminal.
on_tty() { script -qfec "bash -c '$1'" /dev/null; }

# 1. No terminal, not confirmed: reverted at the deadline.
reset_old
out=$(setsid -w "$NFSH" restore --confirm 5 "$TMP/new.v4" </dev/null 2>&1)
expect_eq "no tty: exit 0" "$?" 0
check "no tty: says how to confirm" grep -q "nfsh confirm" <<<"$out"
expect_eq "no tty: the new ruleset is in" "$(rules)" "$new"
await_rules "$old" 25
expect_eq "no tty, not confirmed: reverted after 5 s" "$(rules)" "$old"
check "the revert is logged" await 20 grep -q "reverted: not confirmed in 5 s" "$NFSH_STATE_DIR/revert.log"

# 1b. The deadline is not early: --confirm 2 reverts no sooner than 2 s after
# nfsh started (the clock is taken before it starts, so a slow machine only
# makes the figure larger; whole seconds of time() once reverted after 1.5 s).
reset_old
await 20 reverter_gone
t0=$(date +%s%N)
setsid -w "$NFSH" restore --confirm 2 "$TMP/new.v4" </dev/null >/dev/null 2>&1
await_rules "$old" 25
t1=$(date +%s%N)
check "no tty: not reverted before the 2 s deadline ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -ge 2000

# 2. No terminal, nfsh confirm in time: kept.
reset_old
await 20 reverter_gone
setsid -w "$NFSH" restore --confirm 15 "$TMP/new.v4" </dev/null >/dev/null
check "nfsh confirm: exit 0" "$NFSH" confirm
check "confirmed: the reverter leaves" await 35 reverter_gone
expect_eq "confirmed: the new ruleset stays" "$(rules)" "$new"
expect_status "nfsh confirm with nothing pending: exit 1" 1 "$NFSH" confirm

# 3. y on the terminal: kept.
reset_old
out=$(printf 'y\n' | on_tty "$NFSH restore --confirm 15 $TMP/new.v4; echo rc=\$?")
check "tty y: asks" grep -q "Keep the new ruleset" <<<"$out"
check "tty y: exit 0" grep -q "rc=0" <<<"$out"
check "tty y: the reverter leaves" await 35 reverter_gone
expect_eq "tty y: the new ruleset stays" "$(rules)" "$new"

# 4. n on the terminal: reverted at once, exit 1.
reset_old
out=$(printf 'n\n' | on_tty "$NFSH restore --confirm 30 $TMP/new.v4; echo rc=\$?")
check "tty n: exit 1" grep -q "rc=1" <<<"$out"
expect_eq "tty n: reverted at once" "$(rules)" "$old"
expect_eq "tty n: no reverter left armed" "$(pending)" 0

# 5. No answer on the terminal: reverted at the deadline.
reset_old
out=$( (sleep 6) | on_tty "$NFSH restore --confirm 2 $TMP/new.v4; echo rc=\$?")
check "tty, no answer: exit 1" grep -q "rc=1" <<<"$out"
expect_eq "tty, no answer: reverted" "$(rules)" "$old"

# 6. nfsh killed with SIGKILL while it asks: the detached reverter reverts.
reset_old
# (The terminal's input stays open, without an answer, until the case is done.)
rm -f "$TMP/done"
hold_input() { await 60 test -e "$TMP/done"; }
hold_input | on_tty "echo \$\$ >$TMP/pid; exec $NFSH restore --confirm 6 $TMP/new.v4" >/dev/null &
new_in() { [ -s "$TMP/pid" ] && [ "$(rules)" = "$new" ]; }
await 20 new_in
expect_eq "SIGKILL: the new ruleset was in" "$(rules)" "$new"
kill -9 "$(cat "$TMP/pid")"
sleep 0.5
expect_eq "SIGKILL: still in right after the kill" "$(rules)" "$new"
await_rules "$old" 26
expect_eq "SIGKILL: reverted at the deadline" "$(rules)" "$old"
# The reverter's own word for why: the deadline (nfsh, killed, asked nothing).
await 20 reverter_gone
expect_eq "SIGKILL: logged as the deadline's revert" \
	"$(tail -1 "$NFSH_STATE_DIR/revert.log" | cut -d' ' -f3-)" "reverted: not confirmed in 6 s"
touch "$TMP/done"
wait
rm -f "$TMP/pid"

# 7. The terminal goes away (the pty's owner dies, nfsh gets SIGHUP).
reset_old
rm -f "$TMP/done"
hold_input | script -qfec "bash -c 'echo \$\$ >$TMP/pid; exec $NFSH restore --confirm 5 $TMP/new.v4'" /dev/null >/dev/null &
spid=$!
await 20 new_in
expect_eq "terminal gone: the new ruleset was in" "$(rules)" "$new"
kill -9 "$spid" # script holds the pty master: the terminal is gone
await_rules "$old" 25
expect_eq "terminal gone: reverted at the deadline" "$(rules)" "$old"
nfsh_gone() { ! kill -0 "$(cat "$TMP/pid")" 2>/dev/null; }
await 20 nfsh_gone
kill -0 "$(cat "$TMP/pid")" 2>/dev/null && fail "terminal gone: nfsh still running" || pass "terminal gone: nfsh ended"
touch "$TMP/done"
wait
rm -f "$TMP/pid"
# The terminal's SIGHUP comes after it has woken nfsh's read, so nfsh may
# have begun its answer "not kept" and die with it: the reverter must still
# have restored the ruleset and have left no token behind.
no_token() { [ "$(pending)" = 0 ]; }
await 20 no_token
expect_eq "terminal gone: no token left" "$(pending)" 0

# 7b. nfsh dies right after asking the reverter to revert (n): reverted all
# the same, at once, not at the deadline: nfsh only asks.
reset_old
printf 'n\n' | on_tty "NFSH_CONFIRM_FAULT=exit-after-ask $NFSH restore --confirm 30 $TMP/new.v4; echo rc=\$?" >"$TMP/out"
check "dies after asking: it died" grep -q "rc=9" "$TMP/out"
await_rules "$old" 20
expect_eq "dies after asking: reverted all the same" "$(rules)" "$old"
expect_eq "dies after asking: no token left" "$(pending)" 0
check "dies after asking: logged as not kept" grep -q "reverted: not kept" "$NFSH_STATE_DIR/revert.log"

# 7c. The reverter is killed before nfsh asks it (n): nfsh must not wait
# for it forever nor claim a revert; it says so and fails. The n is typed
# once the reverter is dead (not after a fixed 2 s, which a slow start of
# nfsh could outlast: the n would then have asked a live reverter).
reset_old
await 20 reverter_gone # 7b's, which find_reverter would take for this one
rm -f "$TMP/killed"
(await 30 test -e "$TMP/killed"; printf 'n\n') |
	on_tty "$NFSH restore --confirm 30 $TMP/new.v4; echo rc=\$?" >"$TMP/out" &
# The reverter is the nfsh without a terminal (its own session, setsid).
find_reverter() {
	rpid=$(ps -eo pid=,tty=,args= | awk -v nfsh="$NFSH" '$2 == "?" && $3 == nfsh && $4 == "restore" {print $1}')
	[ -n "$rpid" ]
}
rpid=
await 20 find_reverter
check "reverter killed: found it" test -n "$rpid"
kill -9 $rpid
touch "$TMP/killed"
wait
check "reverter killed: nfsh says so" grep -q "the reverter ended without restoring" "$TMP/out"
check "reverter killed: exit 4 (not a revert)" grep -q "rc=4" "$TMP/out"
expect_eq "reverter killed: the new ruleset is still in" "$(rules)" "$new"
expect_eq "reverter killed: no token left" "$(pending)" 0

# 7d. The state directory is moved away and another put in its place while
# nfsh asks: the answer n must still reach the reverter through the directory
# nfsh armed it in (its descriptor), not through a path that now names
# another directory (which would find no token and claim a confirm).
reset_old
await 20 reverter_gone
not_kept=$(grep -c "reverted: not kept" "$NFSH_STATE_DIR/revert.log")
one_pending() { [ "$(pending)" = 1 ]; }
(await 30 one_pending && mv "$NFSH_STATE_DIR" "$TMP/moved" &&
	mkdir -m 700 "$NFSH_STATE_DIR" && printf 'n\n') |
	on_tty "$NFSH restore --confirm 30 $TMP/new.v4; echo rc=\$?" >"$TMP/out"
check "dir swapped: the directory was moved" test -d "$TMP/moved"
check "dir swapped: tty n: exit 1" grep -q "rc=1" "$TMP/out"
expect_eq "dir swapped: reverted at once" "$(rules)" "$old"
expect_eq "dir swapped: logged in the armed directory" \
	"$(grep -c "reverted: not kept" "$TMP/moved/revert.log")" "$((not_kept + 1))"
check "dir swapped: nothing written to the new one" test -z "$(ls -A "$NFSH_STATE_DIR")"
rm -rf "$NFSH_STATE_DIR"
mv "$TMP/moved" "$NFSH_STATE_DIR"

# The same from a shell line.
reset_old
printf 'restore --confirm 5 %s\n' "$TMP/new.v4" | setsid -w "$NFSH" >/dev/null 2>&1
expect_eq "shell line restore --confirm: applied" "$(rules)" "$new"
await_rules "$old" 25
expect_eq "shell line restore --confirm: reverted" "$(rules)" "$old"

# 8. A restore that fails: nothing applied, nothing armed.
reset_old
setsid -w "$NFSH" restore --confirm 2 "$TMP/bad.v4" </dev/null 2>"$TMP/err"
expect_eq "bad file: exit 2" "$?" 2
check "bad file: names the line" grep -q "bad.v4:2:" "$TMP/err"
expect_eq "bad file: unchanged" "$(rules)" "$old"
expect_eq "bad file: no reverter armed" "$(pending)" 0
expect_status "--confirm without seconds: exit 2" 2 "$NFSH" restore --confirm "$TMP/new.v4"
expect_status "--confirm 0: exit 2" 2 "$NFSH" restore --confirm 0 "$TMP/new.v4"
check "snapshot files are 0600" bash -c "[ -z \"\$(find '$NFSH_STATE_DIR' -type f ! -perm 600)\" ]"
check "state dir is 0700" bash -c "[ \"\$(stat -c %a '$NFSH_STATE_DIR')\" = 700 ]"
finish

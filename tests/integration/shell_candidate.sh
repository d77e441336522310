#!/bin/bash
# Transcript test of the safe change loop: begin / show candidate / diff /
# check / commit / abort, commit confirmed reverting after the timeout and
# after the shell is killed with SIGKILL, confirm keeping a change, rollback.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
. "$(dirname "$0")/../lib/shell_tmux.sh"
NFSH=${NFSH:-nfsh}
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed"; exit 1; }
ST=$(readlink -f "$(mktemp -d)")
export NFSH_STATE_DIR=$ST/state
trap 'tm_stop; rm -rf "$ST"' EXIT
START="env NFSH_STATE_DIR=$ST/state XDG_STATE_HOME=$ST/xdg TERM=xterm NFSH_QUIET=1 $NFSH"

# wait_rules N SECONDS: until INPUT holds N rules (polls the kernel).
rules_are() { [ "$($NFSH -S INPUT 2>/dev/null | grep -c '^-A INPUT')" = "$1" ]; }
wait_rules() { await "$2" rules_are "$1"; }

$NFSH -A INPUT -i lo -j ACCEPT
check "shell starts" tm_start "$START"
check "begin opens a candidate" tm_run "begin" '^nfsh\(candidate\)> ?$'
check "commands are staged" tm_run "-A INPUT -p tcp --dport 22 -j ACCEPT" '^staged \(1\)$'
tm_run "-P INPUT DROP" '^staged \(2\)$' >/dev/null
expect_eq "nothing is applied while staged" "$($NFSH -S INPUT | grep -c dport)" "0"
check "show candidate lists the staged lines" tm_run "show candidate" '^  2  -P INPUT DROP$'
check "diff shows the removed policy" tm_run "diff" '^- -P INPUT ACCEPT$'
check "diff shows the new policy" tm_wait '^\+ -P INPUT DROP$' 20
check "diff shows the new rule in -S form" tm_wait '^\+ -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT$' 20
check "check: the kernel accepts it" tm_run "check" '^check: the kernel accepts the candidate'
check "check lints: no established accept under a DROP policy" tm_wait 'lint: INPUT: INPUT drops by policy and no rule accepts ESTABLISHED' 20
check "commit applies in one transaction" tm_run "commit" '^committed 2 commands in one transaction$'
expect_eq "the rule is live" "$($NFSH -S INPUT | grep -c 'dport 22')" "1"
expect_eq "the policy is live" "$($NFSH -S INPUT | head -1)" "-P INPUT DROP"

tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -j DROP" '^staged' >/dev/null
check "abort drops the candidate" tm_run "abort" '^candidate dropped \(1 staged command\)$'
expect_eq "aborted commands never reach the kernel" "$($NFSH -S INPUT | grep -c -- '-j DROP')" "0"

tm_run "-A INPUT -j DROP" '^nfsh> ?$' >/dev/null
check "a rule shadowed by an earlier catch-all is reported on entry" \
	tm_run "-A INPUT -p udp --dport 53 -j ACCEPT" 'warning: rule 4 of INPUT can never match: rule 3 before it matches every packet'
tm_run "-D INPUT 4" '^nfsh> ?$' >/dev/null
tm_run "-D INPUT 3" '^nfsh> ?$' >/dev/null
wait_rules 2 20

# commit confirmed: not confirmed in time -> reverted by the detached process.
# (10 s: nfsh's clock counts whole seconds, so the revert can come 9 s after
# the commit; the checks of what holds before it took 1.5 s of that (traced) on
# this 2-CPU machine under load with ASan, which a slower one can triple. The
# reverter logs after it has reverted.)
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -s 192.0.2.1 -j ACCEPT" '^staged' >/dev/null
check "commit confirmed applies" tm_run "commit confirmed 10" '^applied; reverting in 10 s unless you type confirm$'
check "the change is live at first" wait_rules 3 10
check "it is reverted after the timeout" wait_rules 2 30
check "the revert is logged" await 20 grep -q 'reverted: not confirmed in 10 s' "$ST/state/revert.log"

# confirm in time keeps the change. The confirm makes the reverter leave at
# once: a long deadline costs nothing and gives the confirm all the time it
# needs (5 s was 2.5 s from the commit to the confirm here under load).
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -s 192.0.2.2 -j ACCEPT" '^staged' >/dev/null
tm_run "commit confirmed 15" '^applied' >/dev/null
check "confirm keeps the change" tm_run "confirm" '^confirmed: the change is kept$'
# The reverter leaves when it sees the confirm; had the confirm not taken, it
# would revert at the deadline first (a fixed sleep past the deadline could
# end before a slow revert). Once it is gone, the ruleset is final.
reverter_gone() { ! dir_held "$ST/state"; }
check "the reverter leaves" await 35 reverter_gone
check "still there once the reverter has left" rules_are 3

# The shell is killed: the revert must still happen.
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -s 192.0.2.3 -j ACCEPT" '^staged' >/dev/null
tm_run "commit confirmed 10" '^applied' >/dev/null
check "live before the kill" wait_rules 4 10
kill -9 "$(tm list-panes -t "$TM_T" -F '#{pane_pid}')"
tm_stop
check "reverted although the shell was killed (SIGKILL) and its terminal is gone" wait_rules 3 30

# rollback: every commit kept a snapshot.
check "shell restarts" tm_start "$START"
check "show rollbacks lists snapshots" tm_run "show rollbacks" '^  0  .*before commit confirmed'
check "rollback restores a snapshot" tm_run "rollback 2" '^rolled back to snapshot 2$'
check "the ruleset is the one before the third commit" wait_rules 2 20
check "rollback 0 undoes the rollback" tm_run "rollback 0" '^rolled back to snapshot 0$'
check "back to the state before the rollback" wait_rules 3 20
mode=$(stat -c %a "$(ls "$ST"/state/rollback-*.json | head -1)")
expect_eq "snapshots are 0600" "$mode" "600"
expect_eq "snapshots are bounded" "$(ls "$ST"/state/rollback-*.json | wc -l | awk '{print ($1 <= 10)}')" "1"
check "rollback to a missing snapshot is an error with a caret" tm_run "rollback 99" '^ +\^~$'
# A kernel rule staged for deletion that another writer removes first: the
# commit fails (handles are never reused, so no other rule is hit).
$NFSH -F INPUT
$NFSH -A INPUT -p tcp --dport 1 -j ACCEPT
$NFSH -A INPUT -p tcp --dport 2 -j ACCEPT
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-D INPUT 1" '^staged' >/dev/null
$NFSH -D INPUT 1
check "a staged -D of a rule another writer removed fails at commit" \
	tm_run "commit" 'if another program changed the ruleset since, abort and stage'
expect_eq "... and deleted nothing else" "$($NFSH -S INPUT | grep -c 'dport 2')" "1"
tm_run "abort" '^candidate dropped' >/dev/null

# Rule numbers and specs of staged commands mean the rules as the earlier
# staged commands leave the chain (a script through a pipe: no terminal).
# The oracle runs the same commands one by one with iptables-nft in a
# namespace of its own.
STEPS=(
	"-A INPUT -p tcp --dport 80 -j ACCEPT"
	"-I INPUT 1 -p icmp -j ACCEPT"
	"-D INPUT 2"
	"-R INPUT 1 -p icmp --icmp-type echo-request -j ACCEPT"
	"-I INPUT 4 -p udp --dport 53 -j ACCEPT"
	"-D INPUT -p tcp --dport 80 -j ACCEPT"
	"-A INPUT -j DROP"
	"-I INPUT 5 -p tcp --dport 443 -j ACCEPT"
)
BASE=("-A INPUT -i lo -j ACCEPT" "-A INPUT -p tcp --dport 22 -j ACCEPT" "-A INPUT -p tcp --dport 25 -j ACCEPT")
$NFSH -F INPUT
$NFSH -P INPUT ACCEPT
for c in "${BASE[@]}"; do $NFSH $c; done
script=$(printf 'begin\n'; printf '%s\n' "${STEPS[@]}"; printf 'diff\ncommit\n')
out=$(printf '%s\n' "$script" | env NFSH_STATE_DIR="$ST/state" $NFSH shell 2>&1)
expect_eq "positions: every command staged" "$(printf '%s\n' "$out" | grep -c '^staged (')" "${#STEPS[@]}"
expect_eq "positions: diff shows what leaves and what comes, in -S form" \
	"$(printf '%s\n' "$out" | grep '^[-+] ')" \
	"$(printf '%s\n' '- -A INPUT -i lo -j ACCEPT' \
		'+ -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT' \
		'+ -A INPUT -p udp -m udp --dport 53 -j ACCEPT' \
		'+ -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT' \
		'+ -A INPUT -j DROP')"
check "positions: committed in one transaction" grep -q "committed ${#STEPS[@]} commands in one transaction" <<<"$out"
want=$(unshare -n bash -c 'for c in "$@"; do iptables-nft $c || exit 1; done; iptables-nft -S INPUT' _ "${BASE[@]}" "${STEPS[@]}")
expect_eq "positions: the committed chain is what iptables-nft gives one command at a time" \
	"$($NFSH -S INPUT)" "$want"
expect_eq "positions: the oracle is not trivial" "$(printf '%s\n' "$want" | grep -c '^-A')" "6"

# A staged -F counts: -D 1 after it has no rule to delete; the script stops
# there and nothing reaches the kernel.
before=$(nft -j list ruleset)
out=$(printf 'begin\n-A INPUT -j ACCEPT\n-F INPUT\n-D INPUT 1\ncommit\n' | env NFSH_STATE_DIR="$ST/state" $NFSH shell 2>&1)
rc=$?
check "positions: -D 1 after a staged -F is refused" grep -q 'chain INPUT has no rule number 1' <<<"$out"
check "positions: the script fails" [ "$rc" != 0 ]
expect_eq "positions: nothing applied" "$(nft -j list ruleset)" "$before"
finish

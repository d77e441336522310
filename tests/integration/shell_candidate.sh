#!/bin/bash
# Transcript test of the safe change loop: begin / show candidate / diff /
# check / commit / abort, commit confirmed reverting after the timeout and
# after the shell is killed with SIGKILL, confirm keeping a change, rollback.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
. "$(dirname "$0")/../lib/shell_tmux.sh"
NFSH=${NFSH:-nfsh}
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed"; exit 1; }
ST=$(mktemp -d)
export NFSH_STATE_DIR=$ST/state
trap 'tm_stop; rm -rf "$ST"' EXIT
START="env NFSH_STATE_DIR=$ST/state XDG_STATE_HOME=$ST/xdg TERM=xterm NFSH_QUIET=1 $NFSH"

# wait_rules N SECONDS: until INPUT holds N rules (polls the kernel).
wait_rules() {
	local n=0
	while [ "$n" -lt $(($2 * 10)) ]; do
		[ "$($NFSH -S INPUT 2>/dev/null | grep -c '^-A INPUT')" = "$1" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	return 1
}

$NFSH -A INPUT -i lo -j ACCEPT
check "shell starts" tm_start "$START"
check "begin opens a candidate" tm_run "begin" '^nfsh\(candidate\)> ?$'
check "commands are staged" tm_run "-A INPUT -p tcp --dport 22 -j ACCEPT" '^staged \(1\)$'
tm_run "-P INPUT DROP" '^staged \(2\)$' >/dev/null
expect_eq "nothing is applied while staged" "$($NFSH -S INPUT | grep -c dport)" "0"
check "show candidate lists the staged lines" tm_run "show candidate" '^  2  -P INPUT DROP$'
check "diff shows the removed policy" tm_run "diff" '^- -P INPUT ACCEPT$'
check "diff shows the new policy" tm_wait '^\+ -P INPUT DROP$'
check "diff shows the new rule in -S form" tm_wait '^\+ -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT$'
check "check: the kernel accepts it" tm_run "check" '^check: the kernel accepts the candidate'
check "check lints: no established accept under a DROP policy" tm_wait 'lint: INPUT: INPUT drops by policy and no rule accepts ESTABLISHED'
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
wait_rules 2 5

# commit confirmed: not confirmed in time -> reverted by the detached process.
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -s 192.0.2.1 -j ACCEPT" '^staged' >/dev/null
check "commit confirmed applies" tm_run "commit confirmed 2" '^applied; reverting in 2 s unless you type confirm$'
check "the change is live at first" wait_rules 3 2
check "it is reverted after the timeout" wait_rules 2 8
check "the revert is logged" grep -q 'reverted: not confirmed in 2 s' "$ST/state/revert.log"

# confirm in time keeps the change.
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -s 192.0.2.2 -j ACCEPT" '^staged' >/dev/null
tm_run "commit confirmed 3" '^applied' >/dev/null
check "confirm keeps the change" tm_run "confirm" '^confirmed: the change is kept$'
sleep 4
check "still there after the timeout" wait_rules 3 1

# The shell is killed: the revert must still happen.
tm_run "begin" '^nfsh\(candidate\)> ?$' >/dev/null
tm_run "-A INPUT -s 192.0.2.3 -j ACCEPT" '^staged' >/dev/null
tm_run "commit confirmed 2" '^applied' >/dev/null
check "live before the kill" wait_rules 4 2
kill -9 "$(tm list-panes -t "$TM_T" -F '#{pane_pid}')"
tm_stop
check "reverted although the shell was killed (SIGKILL) and its terminal is gone" wait_rules 3 8

# rollback: every commit kept a snapshot.
check "shell restarts" tm_start "$START"
check "show rollbacks lists snapshots" tm_run "show rollbacks" '^  0  .*before commit confirmed'
check "rollback restores a snapshot" tm_run "rollback 2" '^rolled back to snapshot 2$'
check "the ruleset is the one before the third commit" wait_rules 2 2
check "rollback 0 undoes the rollback" tm_run "rollback 0" '^rolled back to snapshot 0$'
check "back to the state before the rollback" wait_rules 3 2
mode=$(stat -c %a "$(ls "$ST"/state/rollback-*.json | head -1)")
expect_eq "snapshots are 0600" "$mode" "600"
expect_eq "snapshots are bounded" "$(ls "$ST"/state/rollback-*.json | wc -l | awk '{print ($1 <= 10)}')" "1"
check "rollback to a missing snapshot is an error with a caret" tm_run "rollback 99" '^ +\^~$'
finish

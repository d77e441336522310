# Helpers for transcript tests of the interactive shell: a private tmux server
# runs nfsh on a pseudo-terminal; keys go in with send-keys, the screen comes
# back with capture-pane. Every wait polls the screen with a deadline: no blind
# sleeps, nothing hangs.
TM_SOCK="nfsh-test-$$"
TM_T="t"

tm() { tmux -L "$TM_SOCK" -f /dev/null "$@"; }

# tm_start CMD...: start CMD in a 160x50 terminal and wait for the prompt.
tm_start() {
	tm new-session -d -x 160 -y 50 -s "$TM_T" "$*" || return 1
	tm set-option -t "$TM_T" remain-on-exit on >/dev/null 2>&1
	tm_wait 'nfsh> ?$' 30
}

tm_stop() { tm kill-server >/dev/null 2>&1; }

tm_screen() { tm capture-pane -p -t "$TM_T" -S -200 2>/dev/null; }

# tm_wait REGEX [SECONDS]: wait until the screen matches (grep -E). The
# bounds only catch a hang: a slow machine (ASan, a loaded CI) must not
# fail a check that is merely late.
tm_wait() {
	local re=$1 limit=${2:-20} n=0
	while [ "$n" -lt $((limit * 20)) ]; do
		if tm_screen | grep -Eq -- "$re"; then return 0; fi
		sleep 0.05
		n=$((n + 1))
	done
	echo "    (timeout waiting for /$re/; screen:)"
	tm_screen | grep -v '^$' | tail -15 | sed 's/^/    | /'
	return 1
}

# tm_type TEXT: type text literally (no Enter).
tm_type() { tm send-keys -t "$TM_T" -l -- "$1"; }
tm_key() { tm send-keys -t "$TM_T" "$@"; }

# tm_fresh: an empty line and a clean screen, then wait for the prompt.
tm_fresh() {
	tm_key C-u
	tm send-keys -R -t "$TM_T"
	tm clear-history -t "$TM_T"
	tm_key C-l
	tm_wait_top 20
}

# Wait until the screen holds nothing but an empty prompt on its first line.
tm_wait_top() {
	local n=0
	while [ "$n" -lt $((${1:-20} * 20)) ]; do
		if [ "$(tm_screen | grep -v '^$')" = "$(tm_screen | head -1)" ] &&
			tm_screen | head -1 | grep -Eq '^(\(sandbox\) )?nfsh(\(candidate\))?> ?$'; then
			return 0
		fi
		sleep 0.05
		n=$((n + 1))
	done
	echo "    (timeout waiting for a clean prompt)"
	return 1
}

# tm_run LINE REGEX [SECONDS]: type LINE, Enter, wait for REGEX (20 s, as
# every other wait here: a bound for a hang, not for a slow ASan command).
tm_run() {
	tm_fresh
	tm_type "$1"
	tm_key Enter
	tm_wait "$2" "${3:-20}"
}

# The last prompt line (what the user is typing).
tm_prompt_line() { tm_screen | grep -E '^(\(sandbox\) )?nfsh(\(candidate\))?> ' | tail -1; }

#!/bin/bash
# Transcript test of the interactive shell: TAB and ? on a real terminal
# (tmux), completion of a chain created in the same session, a mistyped option
# answered with a caret, history file permissions. Runs in a private netns.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
. "$(dirname "$0")/../lib/shell_tmux.sh"
NFSH=${NFSH:-nfsh}
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed"; exit 1; }
ST=$(mktemp -d)
trap 'tm_stop; rm -rf "$ST"' EXIT

check "shell starts on a terminal" tm_start "env NFSH_STATE_DIR=$ST/state XDG_STATE_HOME=$ST/xdg TERM=xterm NFSH_QUIET=1 $NFSH"

tm_fresh
tm_type "-A INPUT -m conntrack --ctstate NEW,ES"
tm_key Tab
check "TAB completes an element of a comma list" tm_wait '^nfsh> -A INPUT -m conntrack --ctstate NEW,ESTABLISHED$' 20

tm_fresh
tm_type "-A INPUT -m conntr"
tm_key Tab
check "TAB completes a match name" tm_wait '^nfsh> -A INPUT -m conntrack$' 20
tm_type "--ctst"
tm_key Tab
check "ambiguous prefix lists the choices" tm_wait '^--ctstate +--ctstatus$' 20

tm_fresh
tm_type "-A INPUT -m conntrack "
tm_key '?'
check "? lists the extension's options with descriptions" \
	tm_wait '^  --ctstate STATE\[,STATE\.\.\.\] +connection state' 20
check "? lists the generic options too" tm_wait '^  -j TARGET +target of the rule' 20
check "? leaves the line as it was" tm_wait '^nfsh> -A INPUT -m conntrack$' 20

if $NFSH help tcp >/dev/null 2>&1; then
	tm_fresh
	tm_type "-A INPUT -p tcp --dp"
	tm_key Tab
	check "after -p tcp, TAB completes the tcp options" tm_wait '^nfsh> -A INPUT -p tcp --dport$' 20
	tm_fresh
	tm_type "-A INPUT -p tcp "
	tm_key '?'
	check "after -p tcp, ? lists the tcp options" tm_wait '^  --dport ' 20
fi

tm_fresh
tm_type "sh"
tm_key '?'
check "? on a built-in prefix" tm_wait '^  show +show rules' 20

tm_fresh
tm_type "-A INPUT -s "
tm_key Tab
check "TAB where free text is expected says what it is" tm_wait '^  <ADDR\[/MASK\]\[,\.\.\.\]> +source address' 20

check "a user chain is created" tm_run "-N webchain" '^nfsh> ?$'
tm_fresh
tm_type "-A webc"
tm_key Tab
check "TAB completes the chain created in this session" tm_wait '^nfsh> -A webchain$' 20
tm_type "-j web"
tm_key Tab
check "TAB completes a user chain as a jump target" tm_wait '^nfsh> -A webchain -j webchain$' 20

tm_fresh
tm_type "-A INPUT -i l"
tm_key Tab
check "TAB completes interface names from the kernel" tm_wait '^nfsh> -A INPUT -i lo$' 20

check "a mistyped option is answered with a caret" \
	tm_run "-A INPUT -m conntrack --ctsate NEW -j ACCEPT" '^  +\^~~~~~~~$'
check "the caret error names the word" tm_wait 'error: unknown option "--ctsate"' 20
check "the error has a did-you-mean hint" tm_wait 'hint: did you mean "--ctstate"\?' 20
check "the shell carries on after an error" tm_run "show chains" '^filter +webchain'

check "abbreviated built-ins work" tm_run "sh rules" '^-N webchain$'
check "help for an extension comes from its option table" \
	tm_run "help conntrack" '^  \[!\] --ctstate STATE'

tm_fresh
tm_type "-A INPUT -j DR"
tm_key C-c
check "Ctrl-C drops the line and the shell stays" tm_run "show chains" '^filter +webchain'
check "history lists the lines typed" tm_run "history" '^ +[0-9]+  -N webchain$'

tm_run "quit" 'Pane is dead|^$' 5 >/dev/null
# The shell has left (and so written its history) once its pane is dead.
pane_dead() { [ "$(tm list-panes -t "$TM_T" -F '#{pane_dead}' 2>/dev/null)" = 1 ]; }
await 20 pane_dead || echo "    (the shell had not left 20 s after quit)"
mode=$(stat -c %a "$ST/xdg/nfsh/history" 2>/dev/null)
expect_eq "history file is 0600" "$mode" "600"
expect_eq "history directory is 0700" "$(stat -c %a "$ST/xdg/nfsh" 2>/dev/null)" "700"
check "history holds the lines typed" grep -q -- '-N webchain' "$ST/xdg/nfsh/history"

# The same engine behind `nfsh --complete`, as the bash/zsh/fish scripts call it.
expect_eq "--complete a comma list" "$($NFSH --complete -A INPUT -m conntrack --ctstate NEW,ES)" \
	"NEW,ESTABLISHED"
check "--complete lists user chains from the live ruleset" \
	bash -c "$NFSH --complete -A web | grep -qx webchain"
check "--complete --describe gives descriptions" \
	bash -c "$NFSH --complete --describe -A INPUT -m conntrack --ctdi | grep -q \$'^--ctdir\t'"
finish

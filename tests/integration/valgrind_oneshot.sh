#!/usr/bin/env bash
# One-shot commands under valgrind: each exits with the status it must (a
# crash or an abort is a failure, not "valgrind clean"), with no leaks
# (definite or indirect) and no memory errors in nfsh's own code
# (libnftables' netlink padding is suppressed). Covers the iptables
# commands, their error paths, translate, save/restore, import/export and the
# conntrack face (list, and an event listener stopped by SIGTERM while
# entries are created).
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

if ! command -v valgrind >/dev/null; then
	fail "valgrind is not installed (scripts/deps.sh installs it)"
	finish
fi
NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NFSH_STATE_DIR=$TMP/state
# The conntrack face runs in this process, not in the nfsh-conntrack it
# would exec (valgrind does not follow an exec here).
export NFSH_CT_INPROCESS=1
VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
	--error-exitcode=99 --suppressions="$SRCDIR/tests/valgrind.supp")

# vg DESC WANT ARGS...: nfsh ARGS under valgrind must exit WANT, valgrind clean.
vg() {
	local desc=$1 want=$2 rc
	shift 2
	"${VG[@]}" --log-file="$TMP/vg.log" "$NFSH" "$@" >"$TMP/out" 2>"$TMP/err" <"$TMP/stdin"
	rc=$?
	if [ "$rc" = 99 ] || [ -s "$TMP/vg.log" ]; then
		fail "$desc: valgrind found errors (exit $rc)"
		sed 's/^/    /' "$TMP/vg.log" | head -30
	elif [ "$rc" != "$want" ]; then
		fail "$desc: exit $rc, want $want"
		sed 's/^/    /' "$TMP/err" | head -10
	else
		pass "$desc (exit $rc, valgrind clean)"
	fi
}
: >"$TMP/stdin"

vg "append with address list" 0 -A INPUT -s 10.0.0.1,10.0.0.2 -m state --state NEW -j ACCEPT
vg "append conntrack" 0 -A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT --ctorigsrc 10.0.0.0/8 -j DROP
vg "new chain" 0 -N web
vg "jump" 0 -I INPUT 2 -j web
vg "append multiport, comment, limit" 0 -A web -p tcp -m multiport --dports 80,443 -m comment --comment "web in" -m limit --limit 5/s -j ACCEPT
vg "list verbose" 0 -L -v -n --line-numbers
vg "list-rules" 0 -S
vg "check (present)" 0 -C INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT --ctorigsrc 10.0.0.0/8 -j DROP
vg "check (absent)" 1 -C INPUT -p udp --dport 9 -j DROP
vg "zero" 0 -Z
vg "delete by number" 0 -D INPUT 1
vg "replace" 0 -R INPUT 1 -j ACCEPT
vg "policy" 0 -P FORWARD DROP
vg "bad option" 2 -A INPUT --bogus
vg "bad state" 2 -A INPUT -m state --state NEWW
vg "missing chain" 1 -A NOPE -j ACCEPT
vg "delete a rule that is not there" 1 -D INPUT -p udp --dport 9 -j DROP
vg "translate" 0 translate -A INPUT -m state --state NEW -j ACCEPT
vg "ip6tables personality" 0 -6 save
vg "save" 0 save
cp "$TMP/out" "$TMP/saved.v4"
vg "restore (the saved file)" 0 restore "$TMP/saved.v4"
expect_eq "restore of the saved file changed nothing" "$("$NFSH" save | grep -v '^#')" "$(grep -v '^#' "$TMP/saved.v4")"
printf '*filter\n-A INPUT -j ACCEPT\n-A NOPE -j DROP\nCOMMIT\n' >"$TMP/bad.v4"
vg "restore with a bad line (a missing chain)" 2 restore "$TMP/bad.v4"
vg "export" 0 export
cp "$TMP/out" "$TMP/batch.json"
vg "import (the exported batch)" 0 import "$TMP/batch.json"
printf '{"nfsh_batch": {"version": 1}, "operations": ["-A INPUT -j ACCEPT", "-A INPUT --bogus"]}\n' >"$TMP/bad.json"
vg "import with a bad operation" 2 import "$TMP/bad.json"

conntrack -I -s 10.8.0.1 -d 10.8.0.2 -p tcp --sport 1000 --dport 80 --state ESTABLISHED -t 60 -u SEEN_REPLY >/dev/null 2>&1
vg "conntrack -L" 0 conntrack -L
vg "conntrack -L -o extended,id" 0 conntrack -L -o extended,id
vg "conntrack bad option" 2 conntrack -L --bogus
# -E until SIGTERM, with entries created meanwhile so that events flow:
# created until the first event shows (valgrind takes a while to start),
# then 20 more, then SIGTERM to the listener's own pid.
"${VG[@]}" --log-file="$TMP/vg.log" "$NFSH" conntrack -E >"$TMP/out" 2>"$TMP/err" &
vpid=$!
p=2000
while [ "$p" -lt 2600 ] && ! grep -q NEW "$TMP/out" && kill -0 "$vpid" 2>/dev/null; do
	p=$((p + 1))
	conntrack -I -s 10.8.0.1 -d 10.8.0.2 -p tcp --sport "$p" --dport 80 --state ESTABLISHED \
		-t 60 -u SEEN_REPLY >/dev/null 2>&1
	sleep 0.1
done
for q in $(seq 3000 3019); do
	conntrack -I -s 10.8.0.1 -d 10.8.0.2 -p tcp --sport "$q" --dport 80 --state ESTABLISHED \
		-t 60 -u SEEN_REPLY >/dev/null 2>&1
done
# valgrind is slow, slower still on a loaded machine: the 20 are awaited.
shown_20() { [ "$(grep -c 'NEW.*sport=30[01][0-9] ' "$TMP/out")" -ge 20 ]; }
await 60 shown_20
kill -TERM "$vpid"
wait "$vpid"
rc=$?
if [ "$rc" = 99 ] || [ -s "$TMP/vg.log" ]; then
	fail "conntrack -E, stopped by SIGTERM: valgrind found errors (exit $rc)"
	sed 's/^/    /' "$TMP/vg.log" | head -30
else
	expect_eq "conntrack -E, stopped by SIGTERM: exit 0, valgrind clean" "$rc" 0
fi
check "conntrack -E under valgrind saw the 20 entries created while it ran" \
	test "$(grep -c 'NEW.*sport=30[01][0-9] ' "$TMP/out")" = 20

vg "flush" 0 -F
vg "delete chains" 0 -X
finish

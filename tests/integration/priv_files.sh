#!/bin/bash
# Privileges and files:
# - without CAP_NET_ADMIN over the network namespace (a user namespace of its
#   own mapped to nobody: full capabilities there, none over this netns),
#   one-shot, restore, import, save, export and conntrack say so and change
#   nothing; the nf_tables faces exit 4 and point at --sandbox;
# - run setuid (real uid != effective uid), nfsh and nfsh-conntrack refuse with exit 111;
# - the state directory is 0700, history and snapshots 0600, written through
#   a temporary file and rename, and a symlink planted before the shell
#   started or while it runs is never followed (nor a directory swapped in
#   under it: it writes through the descriptor it checked at start).
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
export NFSH_STATE_DIR=$TMP/state
printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n' >"$TMP/r.v4"
printf '{"nfsh_batch": {"version": 1}, "operations": ["-A INPUT -j DROP"]}\n' >"$TMP/b.json"
chmod 644 "$TMP/r.v4" "$TMP/b.json"
"$NFSH" -A INPUT -p tcp --dport 22 -j ACCEPT
before=$(nft list ruleset)

if unshare -U --map-user=65534 true 2>/dev/null; then
	for args in "-A INPUT -j DROP" "-D INPUT 1" "-S" "-P INPUT DROP" "restore $TMP/r.v4" \
		"import $TMP/b.json" "save" "export"; do
		# shellcheck disable=SC2086
		unshare -U --map-user=65534 "$NFSH" $args </dev/null >/dev/null 2>"$TMP/err"
		rc=$?
		if [ "$rc" = 4 ] && grep -q "needs CAP_NET_ADMIN" "$TMP/err" && grep -q -- "--sandbox" "$TMP/err"; then
			pass "no CAP_NET_ADMIN: nfsh $args: exit 4, says so"
		else
			fail "no CAP_NET_ADMIN: nfsh $args: exit $rc"
			sed 's/^/    /' "$TMP/err"
		fi
	done
	# conntrack keeps conntrack(8)'s own message and exit status (1).
	unshare -U --map-user=65534 "$NFSH" conntrack -L >/dev/null 2>"$TMP/err"
	rc=$?
	check "no CAP_NET_ADMIN: conntrack -L names the capability (exit $rc)" grep -q "CAP_NET_ADMIN" "$TMP/err"
	expect_eq "no CAP_NET_ADMIN: nothing changed" "$(nft list ruleset)" "$before"
else
	fail "cannot create a user namespace to drop CAP_NET_ADMIN"
fi

# Setuid: a copy owned by nobody with the setuid bit, run by root; where the
# file system ignores setuid, the same uids set up by hand before exec.
# Exactly 111 and nothing else on stderr, in the ASan build too: nfsh leaves
# with _exit before anything runs, so LeakSanitizer's exit check (which dies
# on the unreadable /proc/self of a setuid process) never starts.
refused() { # DESC CMD...
	local desc=$1 rc
	shift
	"$@" >/dev/null 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 111 ] && [ "$(cat "$TMP/err")" = "nfsh: refusing to run setuid or setgid" ]; then
		pass "$desc (exit $rc)"
	else
		fail "$desc (exit $rc)"
		sed 's/^/    /' "$TMP/err"
	fi
}
cp "$NFSH" "$TMP/nfsh-suid"
chown 65534 "$TMP/nfsh-suid" && chmod 4755 "$TMP/nfsh-suid"
if [ "$(stat -c %a "$TMP/nfsh-suid")" = 4755 ] && ! findmnt -no OPTIONS -T "$TMP" | grep -q nosuid; then
	refused "setuid copy: refused with 111" "$TMP/nfsh-suid" -S
else
	pass "setuid bit not honoured on $TMP (nosuid): checked by hand below"
fi
refused "real uid 0, effective uid 65534: refused with 111" \
	python3 -c 'import os,sys; os.setresuid(0, 65534, 0); os.execv(sys.argv[1], [sys.argv[1], "-S"])' "$NFSH"
refused "real gid 0, effective gid 65534: refused with 111" \
	python3 -c 'import os,sys; os.setresgid(0, 65534, 0); os.execv(sys.argv[1], [sys.argv[1], "-S"])' "$NFSH"
CT=$(dirname "$NFSH")/nfsh-conntrack
refused "nfsh-conntrack, real uid 0, effective uid 65534: refused with 111" \
	python3 -c 'import os,sys; os.setresuid(0, 65534, 0); os.execv(sys.argv[1], [sys.argv[1], "-L"])' "$CT"
refused "nfsh-conntrack, real gid 0, effective gid 65534: refused with 111" \
	python3 -c 'import os,sys; os.setresgid(0, 65534, 0); os.execv(sys.argv[1], [sys.argv[1], "-C"])' "$CT"
expect_eq "setuid: nothing changed" "$(nft list ruleset)" "$before"

# Snapshots: directory 0700, files 0600, no temporary left, complete JSON.
printf 'begin\n-A INPUT -j ACCEPT\ncommit\n' | "$NFSH" >/dev/null
expect_eq "state dir is 0700" "$(stat -c %a "$NFSH_STATE_DIR")" 700
expect_eq "snapshot is 0600" "$(stat -c %a "$NFSH_STATE_DIR"/rollback-000001.json)" 600
expect_eq "no temporary file left" "$(find "$NFSH_STATE_DIR" -name '*.tmp' | wc -l)" 0
check "snapshot is complete JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$NFSH_STATE_DIR"/rollback-000001.json
# A symlink planted among the snapshots is never written through (it only
# counts as a name taken) and never read (O_NOFOLLOW).
echo victim >"$TMP/victim"
ln -s "$TMP/victim" "$NFSH_STATE_DIR/rollback-000002.json"
printf 'begin\n-A INPUT -j ACCEPT\ncommit\n' | "$NFSH" >/dev/null
expect_eq "planted snapshot symlink: target untouched" "$(cat "$TMP/victim")" victim
check "planted snapshot symlink: the snapshot went to a new regular file" test -f "$NFSH_STATE_DIR/rollback-000003.json" -a ! -L "$NFSH_STATE_DIR/rollback-000003.json"
printf 'rollback 1\n' | "$NFSH" >/dev/null 2>"$TMP/err"
check "planted snapshot symlink: rollback refuses to read it" test -s "$TMP/err"
expect_eq "planted snapshot symlink: target still untouched" "$(cat "$TMP/victim")" victim
# The state directory itself a symlink, or writable by others: refused.
mkdir -m 700 "$TMP/elsewhere"
ln -s "$TMP/elsewhere" "$TMP/linkdir"
NFSH_STATE_DIR=$TMP/linkdir expect_status "state dir is a symlink: commit refused" 1 \
	bash -c "printf 'begin\n-A INPUT -j ACCEPT\ncommit\n' | '$NFSH'"
expect_eq "state dir is a symlink: nothing written through it" "$(ls "$TMP/elsewhere" | wc -l)" 0
mkdir -m 777 "$TMP/open"
NFSH_STATE_DIR=$TMP/open expect_status "state dir writable by others: commit refused" 1 \
	bash -c "printf 'begin\n-A INPUT -j ACCEPT\ncommit\n' | '$NFSH'"

# History: an interactive shell on a pty writes history 0600 through a
# temporary file and rename; a symlink planted as the history file, before the
# shell starts or while it runs, is replaced, never followed; a directory
# swapped in under the running shell gets nothing.
export HOME=$TMP/home XDG_STATE_HOME=
mkdir -p "$HOME"
hdir=$HOME/.local/state/nfsh
h=$hdir/history
# session FIRST PLANT SECOND: type FIRST, wait until the shell has saved it,
# run PLANT (while the shell runs), type SECOND, quit.
saved() { grep -qxF -- "$1" "$hdir.moved/history" "$h" 2>/dev/null; }
session() {
	{
		printf '%s\n' "$1"
		await 30 saved "$1" || echo "    (\"$1\" not in the history after 30 s)" >&2
		eval "$2"
		printf '%s\nquit\n' "$3"
	} | script -qfec "$NFSH" /dev/null >/dev/null
}
session "-S" ":" "-L -n"
check "history written" grep -qxF -- "-S" "$h"
check "history has the line typed after it" grep -qxF -- "-L -n" "$h"
expect_eq "history is 0600" "$(stat -c %a "$h")" 600
expect_eq "history dir is 0700" "$(stat -c %a "$hdir")" 700
expect_eq "history: no temporary file left" "$(find "$hdir" -name '.history.*' | wc -l)" 0
session "-S INPUT" ":" "quit"
check "history kept the earlier session's lines" grep -qxF -- "-L -n" "$h"

rm -f "$h"
ln -s "$TMP/victim" "$h"
session "-S OUTPUT" ":" "-L OUTPUT"
expect_eq "history symlink planted before start: target untouched" "$(cat "$TMP/victim")" victim
check "history symlink planted before start: replaced by a regular file" test -f "$h" -a ! -L "$h"
check "history symlink planted before start: the lines are in the new file" grep -qxF -- "-L OUTPUT" "$h"

session "-S FORWARD" "rm -f '$h'; ln -s '$TMP/victim' '$h'" "-L FORWARD"
expect_eq "history symlink planted while the shell runs: target untouched" "$(cat "$TMP/victim")" victim
check "history symlink planted while the shell runs: replaced by a regular file" test -f "$h" -a ! -L "$h"
check "history symlink planted while the shell runs: the line is in the new file" grep -qxF -- "-L FORWARD" "$h"

ln "$TMP/victim" "$TMP/victim-hard"
session "-S INPUT 1" "rm -f '$h'; ln '$TMP/victim' '$h'" "-L INPUT 1"
expect_eq "history hard link planted while the shell runs: target untouched" "$(cat "$TMP/victim")" victim

session "-S OUTPUT 1" "mv '$hdir' '$hdir.moved'; mkdir -m 700 '$hdir'; ln -s '$TMP/victim' '$h'" "-L OUTPUT 1"
expect_eq "history dir swapped while the shell runs: target untouched" "$(cat "$TMP/victim")" victim
check "history dir swapped while the shell runs: the planted symlink is left alone" test -L "$h"
check "history dir swapped while the shell runs: the line went to the directory checked at start" \
	grep -qxF -- "-L OUTPUT 1" "$hdir.moved/history"
finish

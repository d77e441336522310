#!/bin/bash
# Privileges and files:
# - without CAP_NET_ADMIN over the network namespace (a user namespace of its
#   own mapped to nobody: full capabilities there, none over this netns),
#   one-shot, restore, import, save, export and conntrack say so and change
#   nothing; the nf_tables faces exit 4 and point at --sandbox;
# - run setuid (real uid != effective uid), nfsh refuses with exit 111;
# - the state directory is 0700, history and snapshots 0600, written through
#   a temporary file and rename, and a planted symlink is never followed.
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
# Under ASan the refusal's exit status is LeakSanitizer's (1): with borrowed
# uids the process cannot read its own /proc/self/environ, so ASAN_OPTIONS
# cannot turn LSan off, and LSan dies at exit. The message is still checked.
refused() { # DESC CMD...
	local desc=$1 rc
	shift
	"$@" >/dev/null 2>"$TMP/err"
	rc=$?
	if grep -q "refusing to run setuid or setgid" "$TMP/err" && { [ "$rc" = 111 ] ||
		{ [ -n "${ASAN_OPTIONS:-}" ] && [ "$rc" = 1 ] && grep -q LeakSanitizer "$TMP/err"; }; }; then
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

# History: an interactive shell on a pty writes history 0600; a symlink
# planted as the history file is not followed.
export HOME=$TMP/home XDG_STATE_HOME=
mkdir -p "$HOME"
printf -- '-S\nquit\n' | script -qfec "$NFSH" /dev/null >/dev/null
h=$HOME/.local/state/nfsh/history
check "history written" grep -q -- "-S" "$h"
expect_eq "history is 0600" "$(stat -c %a "$h")" 600
expect_eq "history dir is 0700" "$(stat -c %a "$(dirname "$h")")" 700
rm -f "$h"
ln -s "$TMP/victim" "$h"
printf -- '-S\nquit\n' | script -qfec "$NFSH" /dev/null >/dev/null
expect_eq "planted history symlink: target untouched" "$(cat "$TMP/victim")" victim
finish

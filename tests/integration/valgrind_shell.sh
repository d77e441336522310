#!/bin/bash
# A long shell session in script mode (stdin, --keep-going): iptables
# commands that change the ruleset and read it back, parse errors, built-ins,
# translate, candidates with diff and commit.
#  - under valgrind (NFSH_VG_CMDS commands, default 1000; the issue's 10,000
#    took 347 s on a loaded 2-CPU machine, too long for every CI run: set
#    NFSH_VG_CMDS=10000 for it; the count used is printed): the exit status
#    the same session has natively (a crash is not "clean"), no definite or
#    indirect leaks and no memory errors;
#  - natively, 10,000 commands against 1,000 of the same mix: peak RSS flat
#    (within 1 MiB): nothing grows per command.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export NFSH_STATE_DIR=$TMP/state
VG_CMDS=${NFSH_VG_CMDS:-1000}
if [ "$VG_CMDS" -lt 10000 ]; then
	echo "scale: $VG_CMDS commands under valgrind (NFSH_VG_CMDS=10000 runs the issue's full session)"
fi
command -v valgrind >/dev/null || { fail "valgrind is not installed"; finish; }

# script N: the first N commands of the mix (the ruleset stays bounded).
script() {
	python3 - "$1" <<'PY'
import sys
n, out, i = int(sys.argv[1]), [], 0
while len(out) < n:
    i += 1
    k = i % 10
    out += [
        "-A INPUT -p tcp --dport %d -m conntrack --ctstate NEW -j ACCEPT" % (1000 + i % 500),
        "-I INPUT 1 -s 10.%d.0.0/16 -m comment --comment 'c %d' -j DROP" % (i % 200, i),
        "-S INPUT",
        "-D INPUT 1",
        "-D INPUT 1",
        "translate -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT",
        "-A INPUT --bogus-%d" % i,
        "-C INPUT -p tcp --dport 1 -j ACCEPT",
        "show rules" if k % 2 else "help conntrack",
        "-L -n -v --line-numbers" if k % 3 == 0 else
        "-A INPUT -m multiport -p tcp --dports 1,2,%d -j REJECT" % (3 + i % 100),
        "-D INPUT -m multiport -p tcp --dports 1,2,%d -j REJECT" % (3 + i % 100) if k % 3 else "-Z INPUT",
        "-N X%d" % (i % 7), "-X X%d" % (i % 7), "-F X",
        "# a comment",
    ]
    if i % 20 == 0:
        out += ["begin", "-A INPUT -j ACCEPT", "-D INPUT 1", "diff", "commit"]
print("\n".join(out[:n]))
PY
}

script "$VG_CMDS" >"$TMP/vg.txt"
"$NFSH" --keep-going < <(cat "$TMP/vg.txt") >/dev/null 2>&1
want_rc=$?
"$NFSH" -F
"$NFSH" -X
start=$SECONDS
valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--suppressions="$SRCDIR/tests/valgrind.supp" --log-file="$TMP/vg.log" \
	"$NFSH" --keep-going < <(cat "$TMP/vg.txt") >/dev/null 2>"$TMP/err"
rc=$?
# Through a pipe: with a seekable stdin, valgrind's libc cleanup in the forked
# children (simulation, reverter) seeks the shared descriptor back to their
# stdio position and the session would read lines again.
# --errors-for-leak-kinds makes definite and indirect leaks errors (exit 99);
# "possibly lost" blocks inside libnftables' cache are reported but allowed.
if [ "$rc" = 99 ] || grep -qE 'Invalid|uninitialised|definitely lost in|indirectly lost in' "$TMP/vg.log"; then
	fail "valgrind: $VG_CMDS shell commands (exit $rc)"
	head -40 "$TMP/vg.log" | sed 's/^/    /'
else
	pass "valgrind: $VG_CMDS shell commands, no leaks, no errors"
fi
echo "figures: $VG_CMDS commands under valgrind: $((SECONDS - start)) s"
expect_eq "valgrind: the session's exit status is the native one (the deliberate bad lines)" "$rc" "$want_rc"
expect_eq "the session ran each line once" "$(grep -c 'error: .*--bogus-' "$TMP/err")" "$(grep -c 'bogus-' "$TMP/vg.txt")"

"$NFSH" -F
for n in 1000 10000; do
	script $n >"$TMP/s$n.txt"
	start=$SECONDS
	/usr/bin/time -f %M -o "$TMP/rss$n" "$NFSH" --keep-going <"$TMP/s$n.txt" >/dev/null 2>&1
	echo "figures: $n commands natively: peak RSS $(tail -1 "$TMP/rss$n") kB, $((SECONDS - start)) s"
	"$NFSH" -F
done
r1=$(tail -1 "$TMP/rss1000")
r10=$(tail -1 "$TMP/rss10000")
check "memory flat: peak RSS after 10k commands ($r10 kB) within 1 MiB of 1k ($r1 kB)" \
	test "$r10" -le $((r1 + 1024))
finish

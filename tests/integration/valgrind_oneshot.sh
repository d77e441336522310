#!/usr/bin/env bash
# One-shot commands under valgrind: no leaks (definite or indirect), no memory
# errors in nfsh's own code (libnftables' netlink padding is suppressed).
. "$SRCDIR/tests/lib/netns.sh"
netns_enter "$@"

if ! command -v valgrind >/dev/null; then
	fail "valgrind is not installed (scripts/deps.sh installs it)"
	finish
fi
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
	--error-exitcode=99 --suppressions="$SRCDIR/tests/valgrind.supp")

vg() {
	local desc=$1
	shift
	"${VG[@]}" "$NFSH" "$@" >/dev/null 2>/tmp/vg.$$
	local rc=$?
	if [ $rc = 99 ]; then
		fail "$desc: valgrind found errors"
		sed 's/^/    /' /tmp/vg.$$ | head -30
	else
		pass "$desc (exit $rc, valgrind clean)"
	fi
	rm -f /tmp/vg.$$
}

vg "append with address list" -A INPUT -s 10.0.0.1,10.0.0.2 -m state --state NEW -j ACCEPT
vg "append conntrack" -A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT --ctorigsrc 10.0.0.0/8 -j DROP
vg "new chain" -N web
vg "jump" -I INPUT 2 -j web
vg "list verbose" -L -v -n --line-numbers
vg "list-rules" -S
vg "check" -C INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT --ctorigsrc 10.0.0.0/8 -j DROP
vg "zero" -Z
vg "delete by number" -D INPUT 1
vg "replace" -R INPUT 1 -j ACCEPT
vg "bad option" -A INPUT --bogus
vg "bad state" -A INPUT -m state --state NEWW
vg "missing chain" -A NOPE -j ACCEPT
vg "translate" translate -A INPUT -m state --state NEW -j ACCEPT
vg "flush" -F
vg "delete chains" -X
finish

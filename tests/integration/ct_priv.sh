#!/bin/bash
# conntrack without CAP_NET_ADMIN over the network namespace (a user namespace
# of its own mapped to nobody: full capabilities there, none over this netns):
# - `nfsh conntrack ...` and nfsh-conntrack under its own name follow nfsh's
#   convention (issue 7): "nfsh needs CAP_NET_ADMIN; try --sandbox", exit 4;
# - the drop-in named `conntrack` (a link to nfsh or to nfsh-conntrack) keeps
#   conntrack(8)'s message and exit status, compared with conntrack itself.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
CTBIN=$(dirname "$NFSH")/nfsh-conntrack
TMP=$(mktemp -d)
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
mkdir -m 755 "$TMP/a" "$TMP/b"
ln -s "$NFSH" "$TMP/a/conntrack"
ln -s "$CTBIN" "$TMP/b/conntrack"
# one entry, so a delete or update that got through would show
conntrack -I -s 10.9.9.1 -d 10.9.9.2 -p udp --sport 1 --dport 2 -t 100 2>/dev/null
# (the timeout ticks while the test runs: left out of the comparison)
listing() { conntrack -L 2>/dev/null | sed -E 's/^(udp +17) [0-9]+ /\1 T /'; }
before=$(listing)

if ! unshare -U --map-user=65534 true 2>/dev/null; then
	fail "cannot create a user namespace to drop CAP_NET_ADMIN"
	finish
fi

# -E and top run until interrupted when they work: bound them.
CMDS=("-L" "-L expect" "-C" "-S" "-F" "-D -p udp" "-U -p udp -m 3" "-E" "-E expect"
	"-G -s 10.9.9.1 -d 10.9.9.2 -p udp --sport 1 --dport 2"
	"-I -s 10.9.9.3 -d 10.9.9.4 -p udp --sport 1 --dport 2 -t 100")
for args in "${CMDS[@]}"; do
	for face in "$NFSH conntrack" "$CTBIN"; do
		# shellcheck disable=SC2086
		timeout 20 unshare -U --map-user=65534 $face $args </dev/null >/dev/null 2>"$TMP/err"
		rc=$?
		if [ "$rc" = 4 ] && grep -q "nfsh needs CAP_NET_ADMIN; try --sandbox" "$TMP/err"; then
			pass "no CAP_NET_ADMIN: ${face##*/} $args: exit 4, says so"
		else
			fail "no CAP_NET_ADMIN: ${face##*/} $args: exit $rc"
			sed 's/^/    /' "$TMP/err"
		fi
	done
done
timeout 20 unshare -U --map-user=65534 "$NFSH" conntrack top </dev/null >/dev/null 2>"$TMP/err"
expect_eq "no CAP_NET_ADMIN: nfsh conntrack top: exit 4" "$?" 4

# The drop-in: conntrack's own words and status.
for args in "-L" "-L expect" "-C" "-S" "-D -p udp" "-U -p udp -m 3" "-E" "-E expect" \
	"-G -s 10.9.9.1 -d 10.9.9.2 -p udp --sport 1 --dport 2"; do
	# shellcheck disable=SC2086
	want=$(timeout 20 unshare -U --map-user=65534 conntrack $args 2>&1 </dev/null >/dev/null |
		sed 's/(conntrack-tools)/(TOOL)/')
	# shellcheck disable=SC2086
	timeout 20 unshare -U --map-user=65534 conntrack $args </dev/null >/dev/null 2>&1
	wrc=$?
	for link in "$TMP/a/conntrack" "$TMP/b/conntrack"; do
		# shellcheck disable=SC2086
		got=$(timeout 20 unshare -U --map-user=65534 "$link" $args 2>&1 </dev/null >/dev/null |
			sed 's/(nfsh)/(TOOL)/')
		# shellcheck disable=SC2086
		timeout 20 unshare -U --map-user=65534 "$link" $args </dev/null >/dev/null 2>&1
		rc=$?
		expect_eq "drop-in ($link) $args: conntrack's message" "$got" "$want"
		expect_eq "drop-in ($link) $args: conntrack's exit status $wrc" "$rc" "$wrc"
	done
done
expect_eq "nothing changed" "$(listing)" "$before"
finish

#!/bin/bash
# nfsh-restore.service: the unit is ordered like netfilter-persistent, and its
# ExecStart line (with systemd's $$ unescaped), run in a private namespace with /etc/nfsh replaced by a test
# directory and the installed path by the built binary, restores both files.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
UNIT=${BUILDDIR:?}/systemd/nfsh-restore.service
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

check "unit configured into the build tree" test -r "$UNIT"
for kv in Type=oneshot DefaultDependencies=no Before=network-pre.target Wants=network-pre.target \
	RemainAfterExit=yes; do
	check "unit has $kv" grep -qx "$kv" "$UNIT"
done
check "unit does not flush on stop" bash -c "! grep -q '^ExecStop' '$UNIT'"
check "install rule for lib/systemd/system" grep -q 'lib/systemd/system' "$SRCDIR/cmake/install-extra.cmake"

line=$(sed -n 's/^ExecStart=//p' "$UNIT")
mkdir -p "$TMP/etc"
printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n' >"$TMP/etc/rules.v4"
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 2001:db8::/32 -j DROP\nCOMMIT\n' >"$TMP/etc/rules.v6"
ln -s "$NFSH" "$TMP/nfsh"
# The unit's own line, with only its two paths moved into the test.
# systemd turns $$ into $ (a lone $VAR would be systemd's own substitution).
check "ExecStart escapes its shell variables" bash -c "! printf '%s' \"\$1\" | grep -qE '(^|[^$])[$][a-z]'" _ "$line"
cmd=$(printf '%s' "$line" | sed "s/[$][$]/$/g; s#/etc/nfsh#$TMP/etc#g; s#[^ ']*/nfsh restore#$TMP/nfsh restore#")
eval "$cmd"
expect_eq "ExecStart exits 0" "$?" 0
expect_eq "rules.v4 restored" "$("$NFSH" save -4 | grep -E '^(:INPUT|-A)')" \
	"$(printf -- ':INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT')"
expect_eq "rules.v6 restored" "$("$NFSH" save -6 | grep '^-A')" "-A INPUT -s 2001:db8::/32 -j DROP"
rm "$TMP/etc/rules.v6"
eval "$cmd"
expect_eq "a missing file is skipped" "$?" 0
printf '*filter\n-A INPUT -j NOPE\nCOMMIT\n' >"$TMP/etc/rules.v4"
eval "$cmd" 2>/dev/null
expect_eq "a bad file makes the unit fail" "$?" 1
expect_eq "a bad file leaves the rules" "$("$NFSH" save -4 | grep -c '^-A')" 1
finish

#!/bin/bash
# -E of a chain the same transaction creates (a restore file, a shell
# candidate): the kernel cannot rename a chain added in the same batch (its
# rename looks the chain up by handle among committed chains; iptables-nft-
# restore 1.8.9 fails the same way), so the stage creates the chain under the
# new name instead. Its rules go with it, rules staged earlier that jump or go
# to the old name jump to the new one (as iptables-legacy-restore leaves
# them), the new name takes rule and chain commands, the old name is "no such
# chain". Renaming onto an existing or a built-in name is refused, nothing
# applied: exit 2 in a restore; in the shell the one-shot's status (1 for an
# existing name, as `nfsh -E`; 2 for a built-in). Also: -R over a kernel rule holding a meter (hashlimit).
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"
NFSH=$(readlink -f "${NFSH:-nfsh}")
TMP=$(mktemp -d)
export NFSH_STATE_DIR=$TMP/state
trap 'rm -rf "$TMP"' EXIT

save() { "$NFSH" save -t filter | grep -v '^#'; }
rules() { "$NFSH" -S 2>&1; }
# sh_run LINES...: the lines as a shell script; stdout+stderr to $TMP/out.
sh_run() { printf '%s\n' "$@" | "$NFSH" >"$TMP/out" 2>&1; }

# ---- restore --noflush: the rename of a chain its own line declared ----
nft flush ruleset
printf '*filter\n:sc - [0:0]\n-E sc sc2\nCOMMIT\n' >"$TMP/ren.v4"
expect_status "noflush: -E of a chain the file declared is applied" 0 \
	"$NFSH" restore --noflush "$TMP/ren.v4"
expect_eq "noflush: the chain exists under the new name only" \
	"$(rules | grep -- '^-N')" "-N sc2"

# ---- restore: rules in it, jumps to it before and after the rename ----
nft flush ruleset
cat >"$TMP/move.v4" <<'EOF'
*filter
:sc - [0:0]
:other - [0:0]
-A INPUT -s 1.1.1.1/32 -j sc
-A sc -s 2.2.2.2/32 -j ACCEPT
-A sc -s 3.3.3.3/32 -j other
-A INPUT -s 4.4.4.4/32 -g sc
-A INPUT -s 5.5.5.5/32 -j DROP
-E sc sc2
-A sc2 -s 6.6.6.6/32 -j RETURN
-I INPUT 2 -s 7.7.7.7/32 -j sc2
-D INPUT -s 1.1.1.1/32 -j sc2
-I sc2 1 -s 8.8.8.8/32 -j ACCEPT
COMMIT
EOF
want=$(unshare -n bash -c 'iptables-legacy-restore <"$1" && iptables-legacy-save -t filter' \
	_ "$TMP/move.v4" | grep -v '^#')
expect_status "restore: a file renaming its own chain is applied" 0 "$NFSH" restore "$TMP/move.v4"
got=$(save)
expect_eq "restore: same rules as iptables-legacy-restore" "$got" "$want"
expect_eq "restore: the jumps name the new chain (native listing)" \
	"$(nft -j list ruleset | grep -o '"target": *"[a-z0-9]*"' | sort | uniq -c | tr -s ' ')" \
	"$(printf ' 1 "target": "other"\n 2 "target": "sc2"')"
expect_eq "restore: rules of the old chain went with it" \
	"$(rules | grep -c -- '^-A sc2')" "4"

# ---- the same in the lazy (netlink) reading with a chain and rules after it ----
nft flush ruleset
printf '*filter\n:a - [0:0]\n-A a -j ACCEPT\n-E a b\n-N c\n-A c -j b\n-A INPUT -j c\nCOMMIT\n' >"$TMP/lazy.v4"
expect_status "restore: rename then a new chain jumping to the new name" 0 \
	"$NFSH" restore "$TMP/lazy.v4"
expect_eq "restore: ... leaves b, c and the jumps" "$(rules | grep -v '^-P')" \
	"$(printf '%s\n' '-N b' '-N c' '-A INPUT -j c' '-A b -j ACCEPT' '-A c -j b')"

# ---- chain commands on the new name after the rename ----
nft flush ruleset
printf '*filter\n:a - [0:0]\n-A a -j ACCEPT\n-E a b\n-F b\n-X b\nCOMMIT\n' >"$TMP/del.v4"
expect_status "restore: -F and -X of the new name" 0 "$NFSH" restore "$TMP/del.v4"
expect_eq "restore: ... the chain is gone" "$(rules | grep -c -- '^-N')" "0"

# ---- refusals: nothing changes ----
nft flush ruleset
"$NFSH" -N other
"$NFSH" -A INPUT -s 9.9.9.9 -j ACCEPT
before=$(nft list ruleset)
printf '*filter\n:sc - [0:0]\n-E sc sc2\n-A sc -j ACCEPT\nCOMMIT\n' >"$TMP/old.v4"
expect_status "refused: a rule on the old name after the rename" 2 \
	"$NFSH" restore --noflush "$TMP/old.v4"
"$NFSH" restore --noflush "$TMP/old.v4" 2>"$TMP/err"
check "... names the old chain on line 4" grep -q ':4: chain "sc" does not exist' "$TMP/err"
printf '*filter\n:sc - [0:0]\n-E sc other\nCOMMIT\n' >"$TMP/exists.v4"
expect_status "refused: rename onto an existing chain" 2 "$NFSH" restore --noflush "$TMP/exists.v4"
"$NFSH" restore --noflush "$TMP/exists.v4" 2>"$TMP/err"
check "... names the existing chain" grep -q 'chain "other" already exists' "$TMP/err"
printf '*filter\n:sc - [0:0]\n:sc2 - [0:0]\n-E sc sc2\nCOMMIT\n' >"$TMP/exists2.v4"
expect_status "refused: rename onto a chain the file declared" 2 \
	"$NFSH" restore --noflush "$TMP/exists2.v4"
printf '*filter\n:sc - [0:0]\n-E sc INPUT\nCOMMIT\n' >"$TMP/builtin.v4"
expect_status "refused: rename onto a built-in chain" 2 "$NFSH" restore --noflush "$TMP/builtin.v4"
expect_eq "refused files changed nothing" "$(nft list ruleset)" "$before"

# ---- the shell's candidate ----
nft flush ruleset
"$NFSH" -A INPUT -s 9.9.9.9 -j ACCEPT
sh_run begin '-N sc' '-A sc -j ACCEPT' '-I INPUT 1 -s 8.8.8.8 -j sc' '-E sc sc2' \
	'-A sc2 -j DROP' '-A INPUT -s 7.7.7.7 -g sc2' commit
expect_eq "shell: the candidate renaming its own chain commits" "$?" 0
grep -q '^committed 6 commands' "$TMP/out" && pass "shell: ... in one transaction" ||
	fail "shell: ... in one transaction ($(tail -2 "$TMP/out"))"
expect_eq "shell: the chain, its rules and the jumps under the new name" "$(rules)" \
	"$(printf '%s\n' '-P INPUT ACCEPT' '-P FORWARD ACCEPT' '-P OUTPUT ACCEPT' '-N sc2' \
		'-A INPUT -s 8.8.8.8/32 -j sc2' '-A INPUT -s 9.9.9.9/32 -j ACCEPT' \
		'-A INPUT -s 7.7.7.7/32 -g sc2' '-A sc2 -j ACCEPT' '-A sc2 -j DROP')"
before=$(nft list ruleset)
sh_run begin '-N x' '-E x y' '-A x -j ACCEPT' commit
expect_eq "shell: a rule on the old name is refused (exit 1, as the one-shot)" "$?" 1
check "shell: ... naming it" grep -q 'chain "x" does not exist' "$TMP/out"
sh_run begin '-N x' '-E x sc2' commit
expect_eq "shell: rename onto an existing chain is refused (exit 1, as -E one-shot)" "$?" 1
check "shell: ... naming it" grep -q 'chain "sc2" already exists' "$TMP/out"
sh_run begin '-N x' '-E x INPUT' commit
expect_eq "shell: rename onto a built-in chain is refused (exit 2)" "$?" 2
sh_run begin '-N x' '-A INPUT -j x' '-E x y' '-X y' commit
expect_eq "shell: -X of the new name still jumped to is refused (exit 1)" "$?" 1
check "shell: ... counting the moved jump" grep -q 'chain "y" is still referenced by 1 rule' \
	"$TMP/out"
expect_eq "shell: refused candidates changed nothing" "$(nft list ruleset)" "$before"

# ---- a kernel chain renamed, then rules on its new name in the same file ----
# (the kernel renames at the commit: until then the batch must call the chain
# by its old name, which is what the stage does)
nft flush ruleset
printf '%s\n' '*filter' ':old - [0:0]' '-A old -s 1.0.0.1/32 -j ACCEPT' \
	'-A old -s 1.0.0.2/32 -j ACCEPT' '-A INPUT -j old' COMMIT >"$TMP/kbase.v4"
printf '%s\n' '*filter' '-A old -s 1.0.0.3/32 -j ACCEPT' '-E old new' \
	'-A new -s 1.0.0.4/32 -j DROP' '-I new 1 -s 1.0.0.5/32 -j ACCEPT' '-D new 2' \
	'-R new 2 -s 1.0.0.6/32 -j ACCEPT' '-D new -s 1.0.0.3/32 -j ACCEPT' '-A OUTPUT -j new' \
	'-I INPUT 1 -s 1.0.0.7/32 -g new' COMMIT >"$TMP/kren.v4"
want=$(unshare -n bash -c 'iptables-legacy-restore <"$1" && iptables-legacy-restore --noflush <"$2" &&
	iptables-legacy-save -t filter' _ "$TMP/kbase.v4" "$TMP/kren.v4" | grep -v '^#')
"$NFSH" restore "$TMP/kbase.v4"
expect_status "noflush: rules on the new name of a kernel chain renamed in the file" 0 \
	"$NFSH" restore --noflush "$TMP/kren.v4"
expect_eq "noflush: ... same rules as iptables-legacy-restore" "$(save)" "$want"
printf '%s\n' '*filter' '-E old new' '-Z new' '-Z' '-D new -s 1.0.0.1/32 -j ACCEPT' \
	'-D INPUT -j new' COMMIT >"$TMP/kzero.v4"
want=$(unshare -n bash -c 'iptables-legacy-restore <"$1" && iptables-legacy-restore --noflush <"$2" &&
	iptables-legacy-save -t filter' _ "$TMP/kbase.v4" "$TMP/kzero.v4" | grep -v '^#')
nft flush ruleset
"$NFSH" restore "$TMP/kbase.v4"
expect_status "noflush: -Z, then -D by spec of kernel rules (in and to the renamed chain)" 0 \
	"$NFSH" restore --noflush "$TMP/kzero.v4"
expect_eq "noflush: ... same rules as iptables-legacy-restore" "$(save)" "$want"
nft flush ruleset
"$NFSH" -A INPUT -s 1.0.0.9/32 -j ACCEPT
printf '%s\n' '*filter' '-Z INPUT' '-D INPUT -s 1.0.0.9/32 -j ACCEPT' COMMIT >"$TMP/zdel.v4"
expect_status "noflush: -Z then -D by spec of the same kernel rule" 0 \
	"$NFSH" restore --noflush "$TMP/zdel.v4"
expect_eq "noflush: ... the rule is gone" "$(rules | grep -c -- '^-A')" "0"
nft flush ruleset
"$NFSH" restore "$TMP/kbase.v4"
sh_run begin '-E old new' '-A new -s 1.0.0.4/32 -j DROP' '-D new 1' '-A OUTPUT -j new' \
	'-F new' '-A new -j RETURN' commit
expect_eq "shell: rules on the new name of a renamed kernel chain commit" "$?" 0
expect_eq "shell: ... the chain holds them" "$(rules | grep -v '^-P')" \
	"$(printf '%s\n' '-N new' '-A INPUT -j new' '-A OUTPUT -j new' '-A new -j RETURN')"

# ---- -R over a kernel rule holding a meter (guards: pass before and after) ----
nft flush ruleset
HL='-p tcp --dport 80 -m hashlimit --hashlimit-above 10/s --hashlimit-mode srcip --hashlimit-name web -j DROP'
"$NFSH" -A INPUT $HL
sh_run begin '-R INPUT 1 -s 10.0.0.1 -j DROP' commit
expect_eq "shell: -R over a rule with a meter commits" "$?" 0
expect_eq "shell: ... the new rule is in its place" "$(rules | grep -- '^-A')" \
	"-A INPUT -s 10.0.0.1/32 -j DROP"
"$NFSH" -F INPUT
"$NFSH" -A INPUT $HL
"$NFSH" -A INPUT -j ACCEPT
sh_run begin "-R INPUT 1 ${HL/dport 80/dport 81}" commit
expect_eq "shell: -R with the same meter name commits" "$?" 0
expect_eq "shell: ... in place" "$(rules | grep -- '^-A' | cut -c1-40)" \
	"$(printf '%s\n' '-A INPUT -p tcp -m tcp --dport 81 -m has' '-A INPUT -j ACCEPT')"
"$NFSH" -F INPUT
"$NFSH" -A INPUT $HL
printf '*filter\n-R INPUT 1 -s 10.0.0.1/32 -j DROP\nCOMMIT\n' >"$TMP/r.v4"
expect_status "restore --noflush: -R over a rule with a meter" 0 \
	"$NFSH" restore --noflush "$TMP/r.v4"
expect_eq "restore --noflush: ... the new rule is in its place" "$(rules | grep -- '^-A')" \
	"-A INPUT -s 10.0.0.1/32 -j DROP"

finish

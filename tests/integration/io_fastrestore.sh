#!/bin/bash
# Whole restore and import batches over libnftnl (src/io/io_batch.c, sent by
# nlw_apply_msgs in src/nft/nl_write.c) against libnftables: every case runs
# once each way (NFSH_WRITER=nft forces libnftables) from the same starting
# ruleset, and must leave the same kernel bytecode (nft --debug=netlink) and
# the same JSON listing, with the same messages and exit status.
# The netlink path must really be taken (NFSH_WRITE_TRACE=1) wherever every
# item of the batch linearises; which ones do is probed with --test, whose
# trace names the first item nl_lin.c does not know. Cases: gen_ruleset.py's
# 2,000-rule mix; every rule of the txlate corpus nfsh accepts, for IPv4 and
# IPv6; the corpus rules nl_lin.c covers, restored with --noflush into
# existing tables; several tables in one file; --noflush into existing
# chains; import; refusals (one the kernel alone raises, a batch with an
# item nl_lin.c does not know) with the same error text, line and status
# both ways and nothing changed; a lost answer (exit 4, not resent).
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
# Every rule a restore builds without JSON (src/nft/nl_lin_rule.c), and
# every chain line (nll_chain_item), is built through JSON too and must give
# the same bytes (unset for the cases below
# that test the check itself).
export NFSH_WRITE_CHECK=fast
CORPUS=${NFSH_CORPUS:-/work/shared/corpus}/iptables/txlate
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The kernel's state: bytecode without handles (a hash set's elements come
# in no fixed order), and the JSON listing without handles.
state() {
	nft --debug=netlink list ruleset 2>&1 |
		sed -E 's/^(ip6? nfsh-[a-z]+ [A-Za-z0-9_.-]+) [0-9]+( [0-9]+)?$/\1/' |
		grep -v '^\s*$' >"$TMP/bc"
	grep -v '^\s*element ' "$TMP/bc"
	grep '^\s*element ' "$TMP/bc" | sort
	nft_json_ruleset
}

# setup_base: the starting ruleset of the --noflush cases, made through
# libnftables so that both runs start from the same kernel state.
setup_none() { nft flush ruleset; }
setup_base() {
	nft flush ruleset
	NFSH_WRITER=nft "$NFSH" restore "$TMP/base4.v4" && NFSH_WRITER=nft "$NFSH" restore -6 "$TMP/base6.v4"
}

# Does every item of this restore or import linearise? The --test trace
# names the first one that does not.
linearises() {
	NFSH_WRITE_TRACE=1 "$NFSH" "$@" 2>&1 >/dev/null | grep -q '^nfsh: write: libnftables ([0-9]* items; dry run)$'
}

NL_CASES=0
# both NAME SETUP WANT ARGS...: nfsh ARGS ($RUN ARGS when set) once each
# way after SETUP. WANT
# is "netlink" (must go over netlink), "probe" (over netlink exactly when
# the --test probe says every item linearises), "refused" (the netlink
# batch is sent and refused, libnftables reports) or "libnftables". A
# probed case whose input is refused before the kernel is asked, or which
# the kernel refuses both ways, is checked as that.
both() {
	local name=$1 setup=$2 want=$3 mode path probed=0
	shift 3
	if [ "$want" = probe ]; then
		probed=1
		$setup
		local targs=("$@")
		if [ "${targs[0]}" = restore ]; then
			targs=(restore --test "${targs[@]:1}")
		else
			targs=(import --dry-run "${targs[@]:1}")
		fi
		if linearises "${targs[@]}"; then want=netlink; else want=libnftables; fi
		echo "# $name: --test says $want"
	fi
	for mode in nl nft; do
		$setup
		state >"$TMP/pre.$mode"
		if [ $mode = nft ]; then export NFSH_WRITER=nft; fi
		NFSH_WRITE_TRACE=1 "${RUN:-$NFSH}" "$@" >"$TMP/out.$mode" 2>"$TMP/err.$mode"
		echo "status $?" >>"$TMP/out.$mode"
		unset NFSH_WRITER
		state >"$TMP/post.$mode"
	done
	expect_eq "$name: same bytecode and listing both ways" "$(md5sum <"$TMP/post.nl")" "$(md5sum <"$TMP/post.nft")"
	diff "$TMP/post.nl" "$TMP/post.nft" | head -10
	grep -v '^nfsh: write: ' "$TMP/err.nl" >>"$TMP/out.nl"
	grep -v '^nfsh: write: ' "$TMP/err.nft" >>"$TMP/out.nft"
	expect_eq "$name: same output, messages and status both ways" "$(cat "$TMP/out.nl")" "$(cat "$TMP/out.nft")"
	path=$(grep '^nfsh: write: ' "$TMP/err.nl" | tail -1)
	if [ "$probed" = 1 ] && [ -z "$path" ] && ! grep -q '^status 0$' "$TMP/out.nl"; then
		want=none # refused before the kernel was asked (both ways alike)
	elif [ "$probed" = 1 ] && [ "$want" = netlink ] && [[ $path == *"netlink batch not applied"* ]] &&
		! grep -q '^status 0$' "$TMP/out.nft"; then
		want=refused # a kernel error the --test probe does not see
	fi
	[ "$want" = none ] ||
		check "$name: NFSH_WRITER=nft goes through libnftables" grep -qE "^nfsh: write: libnftables \(.*NFSH_WRITER=nft[;)]" "$TMP/err.nft"
	case $want in
	none)
		expect_eq "$name: refused before the kernel, both ways" "$path$(grep '^nfsh: write: ' "$TMP/err.nft")" ""
		;;
	netlink)
		NL_CASES=$((NL_CASES + 1))
		check "$name: one netlink transaction ($path)" grep -q '^nfsh: write: netlink, one transaction' "$TMP/err.nl"
		# Read twice only when staged rules had to be placed again (the
		# first reading keeps no item to move).
		check "$name: the input read once, or twice to place staged rules again" \
			bash -c "! grep 'reading the input again' '$TMP/err.nl' | grep -qv '^nfsh: write: staged rules are placed again;'"
		;;
	refused)
		check "$name: netlink batch refused, then libnftables ($path)" grep -q '^nfsh: write: netlink batch not applied (.*); libnftables$' "$TMP/err.nl"
		expect_eq "$name: nothing changed" "$(md5sum <"$TMP/post.nl")" "$(md5sum <"$TMP/pre.nl")"
		;;
	libnftables)
		check "$name: libnftables, an item not linearised ($path)" grep -q '^nfsh: write: libnftables (.*not linearised' "$TMP/err.nl"
		;;
	esac
}

# ---- the inputs ----
python3 "$SRCDIR/tests/bench/gen_ruleset.py" 2000 >"$TMP/gen2000.v4"

# The txlate corpus's rules as restore lines, table by table, for each
# family; only those nfsh accepts (restore --emit-json of the one line).
corpus_file() {
	local pers=$1 fam=$2 out=$3 t line
	grep -h "^$pers-translate " "$CORPUS"/*.txlate | sed "s/^$pers-translate //" |
		grep -E '(^| )-[AI] (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) ' | sort -u >"$TMP/cands"
	for t in raw mangle nat filter; do
		echo "*$t"
		while IFS= read -r line; do
			local lt=filter
			[[ " $line " =~ \ -t\ ([a-z]+)\  ]] && lt=${BASH_REMATCH[1]}
			[ "$lt" = "$t" ] || continue
			line=$(sed -E 's/(^| )-t [a-z]+( |$)/\1/' <<<"$line")
			printf '*%s\n%s\nCOMMIT\n' "$t" "$line" >"$TMP/one.v4"
			"$NFSH" restore "$fam" --emit-json "$TMP/one.v4" >/dev/null 2>&1 && echo "$line"
		done <"$TMP/cands"
		echo COMMIT
	done >"$out"
}
corpus_file iptables -4 "$TMP/all4.v4"
corpus_file ip6tables -6 "$TMP/all6.v4"
n4=$(grep -c '^-' "$TMP/all4.v4")
n6=$(grep -c '^-' "$TMP/all6.v4")
[ "$n4" -gt 150 ] && pass "$n4 IPv4 corpus rules" || fail "only $n4 IPv4 corpus rules"
[ "$n6" -gt 20 ] && pass "$n6 IPv6 corpus rules" || fail "only $n6 IPv6 corpus rules"

# Starting point of the --noflush cases: every table with a user chain.
for f in 4 6; do
	for t in raw mangle nat filter; do printf '*%s\n:OLD - [0:0]\n-A OLD -s %s -j RETURN\nCOMMIT\n' \
		"$t" "$([ $f = 4 ] && echo 192.0.2.1 || echo 2001:db8::1)"; done >"$TMP/base$f.v4"
done

# The corpus rules whose batch linearises, one probe each (--noflush --test
# into the base tables: the table and chain items are there either way).
setup_base
nl_lines() {
	local fam=$1 in=$2 t=
	while IFS= read -r line; do
		case $line in
		\**) t=$line && echo "$line" && continue ;;
		COMMIT) echo COMMIT && continue ;;
		esac
		printf '%s\n%s\nCOMMIT\n' "$t" "$line" >"$TMP/one.v4"
		linearises restore "$fam" --noflush --test "$TMP/one.v4" && echo "$line"
	done <"$in"
}
nl_lines -4 "$TMP/all4.v4" >"$TMP/nl4.v4"
nl_lines -6 "$TMP/all6.v4" >"$TMP/nl6.v4"
k4=$(grep -c '^-' "$TMP/nl4.v4")
k6=$(grep -c '^-' "$TMP/nl6.v4")
echo "# nl_lin.c linearises $k4 of $n4 IPv4 and $k6 of $n6 IPv6 corpus rules"
[ "$k4" -gt 20 ] && pass "$k4 IPv4 corpus rules linearise" || fail "only $k4 IPv4 corpus rules linearise"
[ "$k6" -gt 5 ] && pass "$k6 IPv6 corpus rules linearise" || fail "only $k6 IPv6 corpus rules linearise"

# Several tables, user chains, policies, the shapes nl_lin.c has known
# from the start (addresses, interfaces, ports, ct state, comments, jumps).
cat >"$TMP/multi.v4" <<'EOF'
*raw
:PREROUTING ACCEPT [0:0]
:RAWC - [0:0]
-A PREROUTING -i eth0 -s 198.51.100.0/24 -j RAWC
-A RAWC -p udp --dport 53 -j ACCEPT
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -d 10.9.0.0/16 -j ACCEPT
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:LAN - [0:0]
:WAN - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -s 10.0.0.0/8 -i eth1 -j LAN
-A INPUT -i eth0 -j WAN
-A LAN -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT
-A LAN ! -s 10.1.0.0/16 -p udp --sport 67 -m comment --comment "dhcp relay" -j ACCEPT
-A LAN -j RETURN
-I LAN -o veth+ -j DROP
-A WAN -p tcp ! --dport 443 -j DROP
-A WAN -d 203.0.113.7 -j ACCEPT
-A FORWARD -i br0 -o br0 -j ACCEPT
-A OUTPUT -p 47 -j ACCEPT
COMMIT
EOF
sed 's/10\./fd00:/g; s/198\.51\.100\.0\/24/2001:db8:1::\/48/; s/203\.0\.113\.7/2001:db8::7/; s/fd00:9\.0\.0\/16/fd00:9::\/32/; s/fd00:0\.0\.0\/8/fd00::\/8/; s/fd00:1\.0\.0\/16/fd00:1::\/32/' \
	"$TMP/multi.v4" >"$TMP/multi6.v4"

# --noflush into existing chains: OLD is flushed (declared) and gets rules,
# new chains join the tables.
cat >"$TMP/noflush.v4" <<'EOF'
*filter
:NEW1 - [0:0]
-A INPUT -s 192.0.2.0/24 -j NEW1
-A NEW1 -p tcp --sport 1024 -j ACCEPT
-A OLD -d 192.0.2.9 -j DROP
COMMIT
*nat
:OLD - [0:0]
-A OLD -s 192.0.2.10 -j RETURN
COMMIT
EOF

# Chain lines of every kind, which a lazy batch builds without JSON (and the
# write check holds to their JSON): built-in chains of raw, mangle, nat and
# filter with policies and counters, user chains (one declared twice: with
# --noflush the second line flushes it), rules with counters.
cat >"$TMP/chains.v4" <<'EOF'
*raw
:PREROUTING DROP [12:3400]
:OUTPUT ACCEPT [5:600]
:R1 - [0:0]
[3:180] -A PREROUTING -s 192.0.2.0/24 -j R1
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT DROP [1:2]
:FORWARD ACCEPT [99999:123456789]
:OUTPUT DROP [0:0]
:POSTROUTING ACCEPT [7:8]
:M1 - [4:5]
:M-with.odd_name-0123456789 - [0:0]
-A OUTPUT -j M1
COMMIT
*nat
:PREROUTING ACCEPT [1:1]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [2:2]
:KUBE-SVC-ABCDEFGHIJKLMNOP - [0:0]
:OLD - [0:0]
[10:600] -A PREROUTING -d 198.51.100.1 -j KUBE-SVC-ABCDEFGHIJKLMNOP
COMMIT
*filter
:INPUT DROP [100:20000]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [300:40000]
:U1 - [0:0]
:U2 - [1:1]
:U1 - [0:0]
[1:60] -A INPUT -s 203.0.113.0/24 -j U1
-A U1 -j U2
COMMIT
EOF
sed 's/192\.0\.2\.0\/24/2001:db8:2::\/48/; s/198\.51\.100\.1/2001:db8::1/; s/203\.0\.113\.0\/24/2001:db8:3::\/48/' \
	"$TMP/chains.v4" >"$TMP/chains6.v4"

# ---- the cases ----
both "chain lines" setup_none netlink restore "$TMP/chains.v4"
both "chain lines, -c" setup_none netlink restore -c "$TMP/chains.v4"
both "chain lines, --noflush -c over existing tables" setup_base netlink restore --noflush -c "$TMP/chains.v4"
both "chain lines, -6 -c" setup_none netlink restore -6 -c "$TMP/chains6.v4"
both "chain lines, -6 --noflush" setup_base netlink restore -6 --noflush "$TMP/chains6.v4"
both "gen_ruleset 2000" setup_none netlink restore "$TMP/gen2000.v4"
both "corpus IPv4 ($n4 rules)" setup_none probe restore "$TMP/all4.v4"
both "corpus IPv6 ($n6 rules)" setup_none probe restore -6 "$TMP/all6.v4"
both "corpus IPv4 that linearises, --noflush" setup_base netlink restore --noflush "$TMP/nl4.v4"
both "corpus IPv6 that linearises, --noflush" setup_base netlink restore -6 --noflush "$TMP/nl6.v4"
both "corpus IPv4 that linearises" setup_base probe restore "$TMP/nl4.v4"
both "several tables" setup_none probe restore "$TMP/multi.v4"
both "several tables, --noflush into existing tables" setup_base netlink restore --noflush "$TMP/multi.v4"
both "several tables, IPv6 (-6)" setup_base probe restore -6 "$TMP/multi6.v4"
both "several tables, IPv6, --noflush" setup_base netlink restore -6 --noflush "$TMP/multi6.v4"
both "--noflush into existing chains" setup_base probe restore --noflush "$TMP/noflush.v4"
ln -s "$NFSH" "$TMP/ip6tables-restore"
RUN=$TMP/ip6tables-restore both "personality ip6tables-restore" setup_base netlink --noflush "$TMP/multi6.v4"

# Rule positions (-D n, -R n, -I n, -D spec inside the file): the stage
# cancels items already in the batch, which then send no messages. The
# files of restore_positions, alone and with --noflush over its base.
POS=$SRCDIR/tests/integration/data/restore_positions
setup_pos() {
	nft flush ruleset
	NFSH_WRITER=nft "$NFSH" restore "$POS/base.v4"
}
for f in "$POS"/*.v4; do
	b=$(basename "$f" .v4)
	[ "$b" = base ] && continue
	both "positions $b" setup_none probe restore "$f"
	grep -q '^nfsh: write: netlink.*[1-9][0-9]* cancelled' "$TMP/err.nl" && CANCELS=$((${CANCELS:-0} + 1))
	both "positions $b, --noflush over base" setup_pos probe restore --noflush "$f"
	grep -q '^nfsh: write: netlink.*[1-9][0-9]* cancelled' "$TMP/err.nl" && CANCELS=$((${CANCELS:-0} + 1))
done
[ "${CANCELS:-0}" -ge 2 ] && pass "${CANCELS:-0} batches with cancelled items over netlink" ||
	fail "only ${CANCELS:-0} batches with cancelled items over netlink"

# Import: the same batch path (no "flush": into the existing tables).
cat >"$TMP/imp.json" <<'EOF'
{"nfsh_batch": {"version": 1}, "operations": [
 {"chain": {"family": "ipv4", "table": "filter", "name": "IMP", "action": "create"}},
 "-A INPUT -s 10.0.0.0/8 -j IMP",
 {"rule": {"family": "ipv4", "table": "filter", "chain": "IMP", "protocol": {"value": "tcp"},
           "matches": [{"name": "tcp", "options": {"dport": "22"}}], "target": {"name": "ACCEPT"}}},
 {"rule": {"chain": "IMP", "position": 1, "source": "10.1.0.0/16", "target": {"name": "DROP"}}},
 "-6 -A INPUT -s 2001:db8::/32 -j DROP"
]}
EOF
both "import" setup_base netlink import "$TMP/imp.json"
sed 's/"version": 1}/"version": 1, "flush": true}/' "$TMP/imp.json" >"$TMP/impf.json"
both "import with flush" setup_base probe import "$TMP/impf.json"

# ---- refusals ----
# A jump to a built-in chain: only the kernel refuses it (EOPNOTSUPP), so
# the netlink batch goes out, is refused, and libnftables finds the line.
printf '*filter\n:OTHER - [0:0]\n-A OTHER -s 10.0.0.1 -j ACCEPT\n-A OTHER -j OUTPUT\nCOMMIT\n' >"$TMP/kref.v4"
both "kernel refuses (jump to a built-in chain)" setup_base refused restore --noflush "$TMP/kref.v4"
check "kernel refusal: line 4, word OUTPUT" grep -q "kref.v4:4: the kernel refused \"OUTPUT\"" "$TMP/out.nl"
check "kernel refusal: exit 2" grep -qx 'status 2' "$TMP/out.nl"
cat "$TMP/nl4.v4" | sed '$d' >"$TMP/kref2.v4"
printf -- '-A INPUT -j OUTPUT\nCOMMIT\n' >>"$TMP/kref2.v4"
both "kernel refuses the last of the linearised corpus" setup_base refused restore --noflush "$TMP/kref2.v4"
check "kernel refusal in a long batch: its line" grep -q "kref2.v4:$(wc -l <"$TMP/kref2.v4" | awk '{print $1 - 1}'): the kernel refused \"OUTPUT\"" "$TMP/out.nl"
# Refused by the kernel inside a multi-table batch: nothing of the first
# table either.
printf '*nat\n-A OLD -s 192.0.2.77 -j RETURN\nCOMMIT\n*filter\n-A OLD -j INPUT\nCOMMIT\n' >"$TMP/kref3.v4"
both "kernel refuses in the second table" setup_base refused restore --noflush "$TMP/kref3.v4"

# -t / --table on a rule line: refused with the word named (the *TABLE
# line says the table); words that only start like them are not.
for opt in -t --table; do
	printf '*filter\n-A INPUT -s 192.0.2.1 %s filter -j ACCEPT\nCOMMIT\n' "$opt" >"$TMP/topt.v4"
	setup_base
	state >"$TMP/pre.topt"
	"$NFSH" restore --noflush "$TMP/topt.v4" >"$TMP/out.topt" 2>&1
	expect_eq "$opt on a rule line: exit 2" "$?" 2
	check "$opt on a rule line: the word named, line 2" grep -q "topt.v4:2: \"$opt\" cannot be used in a restore file" "$TMP/out.topt"
	expect_eq "$opt on a rule line: nothing changed" "$(state | md5sum)" "$(md5sum <"$TMP/pre.topt")"
done
printf '*filter\n-A INPUT -m comment --comment -tab -j ACCEPT\n-A INPUT -m comment --comment --tables -j ACCEPT\n-A INPUT -m comment --comment -- -j ACCEPT\nCOMMIT\n' >"$TMP/topt.v4"
setup_none
"$NFSH" restore "$TMP/topt.v4"
expect_eq "-tab, --tables, -- as comments: exit 0" "$?" 0
expect_eq "-tab, --tables, -- as comments: three rules" "$("$NFSH" -S INPUT | grep -c -- '--comment')" 3

# An item nl_lin.c does not know (the first corpus rule that does not
# linearise, if any is left): libnftables for the whole batch, and a kernel
# error in the same batch is reported as before.
other=$(grep -vxF -f "$TMP/nl4.v4" "$TMP/all4.v4" | grep -m1 -- '^-A INPUT\|^-I INPUT')
if [ -n "$other" ]; then
	printf '*filter\n%s\n-A INPUT -j OUTPUT\nCOMMIT\n' "$other" >"$TMP/unk.v4"
	both "an item not linearised, and a kernel error" setup_base libnftables restore --noflush "$TMP/unk.v4"
	check "not linearised: kernel error on line 3" grep -q 'unk.v4:3: the kernel refused "OUTPUT"' "$TMP/out.nl"
else
	pass "every filter INPUT rule of the corpus linearises"
fi

# ---- rules built without JSON ----
# Most of the generated mix is of the shapes nl_lin_rule.c builds; the check
# above held each to its JSON form. The check can fail: one byte off (a
# fault for this test) stops the restore at the first such rule, unapplied.
setup_none
NFSH_WRITE_TRACE=1 "$NFSH" restore "$TMP/gen2000.v4" 2>"$TMP/fast"
expect_eq "gen2000, checked: exit 0" "$?" 0
nfast=$(sed -n 's/^nfsh: write: netlink, one transaction (.*, \([0-9]*\) rules without JSON, .*/\1/p' "$TMP/fast")
check "gen2000: most rules built without JSON (${nfast:-none} of 2000)" test "${nfast:-0}" -ge 1800
setup_none
state >"$TMP/pre.fault"
NFSH_WRITE_FAULT=fast-byte "$NFSH" restore "$TMP/gen2000.v4" >"$TMP/fault" 2>&1
expect_eq "write check, one byte off: exit 2" "$?" 2
check "write check, one byte off: says so, with its line" grep -q 'gen2000.v4:[0-9]*: write check: the rule built without JSON differs from its JSON form' "$TMP/fault"
check "write check, one byte off: both messages in hex" grep -q '^nfsh: write check: through JSON:' "$TMP/fault"
expect_eq "write check, one byte off: nothing applied" "$(state | md5sum)" "$(md5sum <"$TMP/pre.fault")"
NFSH_WRITE_CHECK= NFSH_WRITE_FAULT=fast-byte "$NFSH" restore "$TMP/gen2000.v4"
expect_eq "without the check the fault changes nothing: exit 0" "$?" 0

# Chain lines too: each is built without JSON in the lazy batch (the trace
# counts them) and checked against its JSON; one byte off (the chains' own
# fault) stops the restore at the first chain line, unapplied.
setup_none
NFSH_WRITE_TRACE=1 "$NFSH" restore "$TMP/chains.v4" 2>"$TMP/fast"
expect_eq "chain lines, checked: exit 0" "$?" 0
nch=$(sed -n 's/^nfsh: write: netlink, one transaction (.*, \([0-9]*\) chains without JSON, .*/\1/p' "$TMP/fast")
expect_eq "chain lines: every one built without JSON" "${nch:-none}" "$(grep -c '^:' "$TMP/chains.v4")"
setup_base
state >"$TMP/pre.fault"
NFSH_WRITE_FAULT=fast-chain-byte "$NFSH" restore --noflush "$TMP/chains.v4" >"$TMP/fault" 2>&1
expect_eq "write check of a chain, one byte off: exit 2" "$?" 2
check "write check of a chain, one byte off: says so, at the first chain line" grep -q 'chains.v4:2: write check: the chain built without JSON differs from its JSON form' "$TMP/fault"
check "write check of a chain, one byte off: both messages in hex" grep -q '^nfsh: write check: through JSON:' "$TMP/fault"
expect_eq "write check of a chain, one byte off: nothing applied" "$(state | md5sum)" "$(md5sum <"$TMP/pre.fault")"
# The second reading gets the chains' JSON: a kernel refusal after chain
# lines is found by libnftables, and the chains are not applied.
printf '*filter\n:INPUT DROP [0:0]\n:NEWC - [0:0]\n-A NEWC -j OUTPUT\nCOMMIT\n' >"$TMP/kref4.v4"
setup_base
state >"$TMP/pre.kref4"
NFSH_WRITE_TRACE=1 "$NFSH" restore "$TMP/kref4.v4" >"$TMP/again" 2>&1
expect_eq "chain lines, then a kernel refusal: exit 2" "$?" 2
check "chain lines, then a kernel refusal: read again" grep -q '^nfsh: write: the kernel refused the netlink batch; reading the input again' "$TMP/again"
check "chain lines, then a kernel refusal: line 4 named" grep -q 'kref4.v4:4: the kernel refused "OUTPUT"' "$TMP/again"
expect_eq "chain lines, then a kernel refusal: nothing changed" "$(state | md5sum)" "$(md5sum <"$TMP/pre.kref4")"

# ---- the second reading ----
# A restore's first reading builds only the netlink batch. Whatever leaves
# the batch to libnftables makes it read its input again, stdin included.
setup_base
NFSH_WRITE_TRACE=1 "$NFSH" restore --noflush <"$TMP/kref.v4" >"$TMP/again" 2>&1
expect_eq "kernel refusal, stdin: exit 2" "$?" 2
check "kernel refusal, stdin: read again" grep -q '^nfsh: write: the kernel refused the netlink batch; reading the input again' "$TMP/again"
check "kernel refusal, stdin: line 4 named" grep -q '^stdin:4: the kernel refused "OUTPUT"' "$TMP/again"
# -I between rules staged in the same restore needs the staged items again
# (and an index only libnftables resolves).
printf '*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.1 -j ACCEPT
-A INPUT -s 192.0.2.3 -j ACCEPT
-I INPUT 2 -s 192.0.2.2 -j ACCEPT
COMMIT
' >"$TMP/mid.v4"
cat "$TMP/mid.v4" | NFSH_WRITE_TRACE=1 "$NFSH" restore >"$TMP/again" 2>&1
expect_eq "insert between staged rules, stdin: exit 0" "$?" 0
check "insert between staged rules: read again" grep -q 'reading the input again' "$TMP/again"
expect_eq "insert between staged rules: the order of the file" \
	"$("$NFSH" -S INPUT | grep -o '192.0.2.[0-9]' | tr '\n' ' ')" "192.0.2.1 192.0.2.2 192.0.2.3 "
# Import reads its batch twice the same way: a kernel refusal names the
# operation through libnftables.
printf '{"nfsh_batch": {"version": 1}, "operations": ["-N OTHER", "-A OTHER -s 10.0.0.1 -j ACCEPT", "-A OTHER -j OUTPUT"]}\n' >"$TMP/kref.json"
setup_base
state >"$TMP/pre.imp"
NFSH_WRITE_TRACE=1 "$NFSH" import "$TMP/kref.json" >"$TMP/again" 2>&1
expect_eq "import, kernel refusal: exit 2" "$?" 2
check "import, kernel refusal: read again" grep -q '^nfsh: write: the kernel refused the netlink batch; reading the input again' "$TMP/again"
check "import, kernel refusal: the operation named" grep -q 'kref.json:/operations/2: ' "$TMP/again"
expect_eq "import, kernel refusal: nothing changed" "$(state | md5sum)" "$(md5sum <"$TMP/pre.imp")"
# An empty input: nothing to read twice, nothing applied.
setup_base
state >"$TMP/pre.empty"
"$NFSH" restore --noflush </dev/null
expect_eq "empty input: exit 0" "$?" 0
expect_eq "empty input: nothing changed" "$(state | md5sum)" "$(md5sum <"$TMP/pre.empty")"

# A batch longer than the socket may send: no line is blamed and
# libnftables, which would fail the same way, is not tried. As root the
# send buffer is forced; NFSH_WRITE_FAULT=small-sndbuf leaves it at 64 KiB.
setup_none
state >"$TMP/pre.big"
NFSH_WRITE_FAULT=small-sndbuf NFSH_WRITE_TRACE=1 "$NFSH" restore "$TMP/gen2000.v4" >"$TMP/big" 2>&1
expect_eq "batch too long for the socket: exit 2" "$?" 2
check "batch too long: says so, with its size and no line" grep -q "^$TMP/gen2000.v4: the batch ([0-9]* bytes) is longer than this netlink socket may send; nothing was applied" "$TMP/big"
check "batch too long: libnftables not tried" bash -c "! grep -q '^nfsh: write: libnftables' '$TMP/big'"
expect_eq "batch too long: nothing applied" "$(state | md5sum)" "$(md5sum <"$TMP/pre.big")"
# The same for real in a user namespace (no forced buffers there), both
# ways, with a batch longer than the kernel's cap on a plain SO_SNDBUF
# (twice net.core.wmem_max; the bench mix is ~390 bytes a rule).
wmem=$(cat /proc/sys/net/core/wmem_max)
if [ "$wmem" -le $((16 << 20)) ] && unshare -Urn true 2>/dev/null; then
	python3 "$SRCDIR/tests/bench/gen_ruleset.py" $((2 * wmem / 300 + 1000)) >"$TMP/huge.v4"
	unshare -Urn "$NFSH" restore "$TMP/huge.v4" >"$TMP/big" 2>&1
	expect_eq "user namespace, batch over wmem_max: exit 2" "$?" 2
	check "user namespace: too long, no line blamed" grep -q "^$TMP/huge.v4: the batch ([0-9]* bytes) is longer than" "$TMP/big"
	NFSH_WRITER=nft unshare -Urn "$NFSH" restore "$TMP/huge.v4" >"$TMP/big" 2>&1
	expect_eq "user namespace through libnftables: exit 2" "$?" 2
	check "user namespace through libnftables: too long, no line blamed" grep -q "^$TMP/huge.v4: the batch is longer than" "$TMP/big"
else
	echo "# not run: the user-namespace case (wmem_max $wmem, or no unshare -Urn here)"
fi

# The answer lost after the batch went out (NFSH_WRITE_FAULT=lose-answer):
# "not known whether applied", exit 4, and the batch is not sent again (nor
# through libnftables): the kernel holds it exactly once.
setup_base
NFSH_WRITE_TRACE=1 "$NFSH" restore --noflush "$TMP/multi.v4" >/dev/null 2>&1
state >"$TMP/once"
setup_base
NFSH_WRITE_FAULT=lose-answer NFSH_WRITE_TRACE=1 "$NFSH" restore --noflush "$TMP/multi.v4" >"$TMP/lost" 2>&1
expect_eq "answer lost: exit 4" "$?" 4
check "answer lost: says it is not known whether it was applied" grep -q 'whether it was applied is not known' "$TMP/lost"
check "answer lost: trace" grep -q '^nfsh: write: netlink batch sent, no answer$' "$TMP/lost"
check "answer lost: libnftables not tried" bash -c "! grep -q 'libnftables' '$TMP/lost'"
expect_eq "answer lost: applied once, not resent" "$(state | md5sum)" "$(md5sum <"$TMP/once")"
NFSH_WRITE_FAULT=lose-answer "$NFSH" import "$TMP/imp.json" >"$TMP/lost" 2>&1
expect_eq "answer lost (import): exit 4" "$?" 4

[ "$NL_CASES" -ge 6 ] && pass "$NL_CASES cases over netlink" || fail "only $NL_CASES cases over netlink"
finish

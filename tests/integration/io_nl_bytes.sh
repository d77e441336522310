#!/bin/bash
# nl_lin.c (nll_batch_item) against libnftables 1.0.6, byte for byte: the
# same JSON batch is sent once by `nft -j -f` (its sendmsg captured with
# strace) and once linearised by tests/tools/nll_batch; the two message
# lists must be equal but for what carries no meaning: sequence numbers and
# port ids, NLM_F_ACK (nl_write.c strips it before sending) and attribute
# padding (libnftables leaves whatever was in its buffer there).
# Then the kernel's state after each way (bytecode, `nft list ruleset`,
# `nft -j list ruleset`) is compared for whole restore batches.
# Cases: gen_ruleset.py 2,000 (every item must linearise), restores of
# conntrack/nat/mark/log/limit/reject rules for IPv4 and IPv6, restore -c
# (counters of 0, small and 64-bit values), comments of 253 characters and
# sport/dport pairs (also through nfsh restore itself), hand-written
# JSON for the verbs (flush, delete, replace, insert before a handle), the
# payload merges, and every rule of the txlate corpus whose restore batch
# linearises.
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
NLL=${TOOLSDIR:?}/nll_batch
DATA=$SRCDIR/tests/integration/data/nl_bytes
CORPUS=${NFSH_CORPUS:-/work/shared/corpus}/iptables/txlate
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
command -v strace >/dev/null || {
	fail "strace is needed to capture libnftables' messages"
	finish
}

# The normaliser: one line of hex per message of the batch(es).
cat >"$TMP/norm.py" <<'EOF'
import re, struct, sys

def strace_bufs(path):
    """The bytes of each sendmsg (all its buffers) that starts a batch."""
    bufs, cur = [], None
    for line in open(path):
        if 'sendmsg(' in line:
            cur = bytearray()
            bufs.append(cur)
            continue
        m = re.match(r'\s*\| ([0-9a-f]{5,8})  (.{49})', line)
        if m and cur is not None:
            cur.extend(bytes.fromhex(m.group(2).replace(' ', '')))
    return [b for b in bufs if len(b) >= 20 and struct.unpack_from('<H', b, 4)[0] == 0x10]

def zero_pad(m, o, end):
    while o + 4 <= end:
        ln, ty = struct.unpack_from('<HH', m, o)
        if ln < 4:
            return
        al = (ln + 3) & ~3
        if ty & 0x8000:
            zero_pad(m, o + 4, o + ln)
        for q in range(o + ln, min(o + al, end)):
            m[q] = 0
        o += al

def msgs(b):
    o = 0
    while o + 16 <= len(b):
        ln, ty, fl = struct.unpack_from('<IHH', b, o)
        m = bytearray(b[o:o + ln])
        m[8:16] = bytes(8)
        struct.pack_into('<H', m, 6, fl & ~4)
        if ln > 20:
            zero_pad(m, 20, ln)
        print(m.hex())
        o += (ln + 3) & ~3

if sys.argv[1] == 'strace':
    for b in strace_bufs(sys.argv[2]):
        msgs(b)
else:
    msgs(open(sys.argv[2], 'rb').read())
EOF

# same_bytes NAME JSON [SETUP]: libnftables' batch and nll_batch's, from the
# same starting ruleset (SETUP: nft commands).
same_bytes() {
	local name=$1 json=$2 setup=${3:-}
	nft flush ruleset
	[ -z "$setup" ] || eval "$setup"
	strace -f -e trace=sendmsg -e write=all -s 0 -o "$TMP/st" nft -j -f "$json" >/dev/null 2>&1
	python3 "$TMP/norm.py" strace "$TMP/st" >"$TMP/a"
	if ! "$NLL" dump "$json" >"$TMP/b.bin" 2>"$TMP/err"; then
		fail "$name: refused by nl_lin.c: $(head -c 300 "$TMP/err")"
		return 1
	fi
	python3 "$TMP/norm.py" raw "$TMP/b.bin" >"$TMP/b"
	if [ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b"; then
		pass "$name: $(wc -l <"$TMP/a") messages as libnftables sends them"
	else
		fail "$name: messages differ from libnftables'"
		diff "$TMP/a" "$TMP/b" | head -6 | cut -c1-200
		return 1
	fi
}

# state: the kernel's ruleset, without handles, three ways.
state() {
	nft --debug=netlink list ruleset 2>&1 |
		sed -E 's/^(ip6? [a-z-]+ [A-Za-z0-9_.-]+) [0-9]+( [0-9]+)?$/\1/' | grep -v '^\s*$' >"$TMP/bc"
	grep -v '^\s*element ' "$TMP/bc"
	grep '^\s*element ' "$TMP/bc" | sort
	nft list ruleset
	nft_json_ruleset
}

# same_state NAME JSON: applied by libnftables, then by nll_batch.
same_state() {
	nft flush ruleset
	nft -j -f "$2" && state >"$TMP/s.nft"
	nft flush ruleset
	"$NLL" apply "$2" && state >"$TMP/s.nll"
	if [ -s "$TMP/s.nft" ] && cmp -s "$TMP/s.nft" "$TMP/s.nll"; then
		pass "$1: same bytecode, listing and JSON listing both ways ($(grep -c '^ip' "$TMP/bc") rules)"
	else
		fail "$1: the kernel's state differs"
		diff "$TMP/s.nft" "$TMP/s.nll" | head -10
	fi
}

# nfsh_restore NAME FILE JSON [FLAGS]: nfsh restore FLAGS of FILE itself is
# one netlink transaction with rules built without JSON, and leaves the
# kernel as libnftables leaves it with JSON (the same restore's batch).
nfsh_restore() {
	nft flush ruleset
	nft -j -f "$3" && state >"$TMP/s.nft"
	nft flush ruleset
	NFSH_WRITE_TRACE=1 "$NFSH" restore $4 "$2" 2>"$TMP/trace" ||
		fail "$1: nfsh restore: $(cat "$TMP/trace")"
	check "$1: nfsh restore in one netlink transaction, rules built without JSON" \
		grep -Eq 'write: netlink, one transaction .* [1-9][0-9]* rules without JSON' "$TMP/trace"
	state >"$TMP/s.nll"
	check "$1: nfsh restore leaves the kernel's state as libnftables does" \
		cmp -s "$TMP/s.nft" "$TMP/s.nll"
}

# restore_json NAME FILE [FLAGS]: nfsh's JSON batch for a restore of FILE.
restore_json() {
	"$NFSH" restore $3 --emit-json "$2" >"$TMP/$1.json" || fail "$1: nfsh restore --emit-json"
}

# 1. The benchmark's mix: no item refused, bytes and state as libnftables'.
python3 "$SRCDIR/tests/bench/gen_ruleset.py" 2000 >"$TMP/bench.v4"
restore_json bench "$TMP/bench.v4"
expect_eq "gen_ruleset 2000: items nl_lin.c refuses" \
	"$("$NLL" count "$TMP/bench.json" | sed -n 's/.* refused //p' | head -1)" 0
same_bytes "gen_ruleset 2000" "$TMP/bench.json"
same_state "gen_ruleset 2000" "$TMP/bench.json"

# 2. conntrack, nat, marks, log, limit, reject, ports and prefixes.
restore_json ct4 "$DATA/ct_nat.v4"
restore_json ct6 "$DATA/ct_nat.v6" -6
for f in ct4 ct6; do
	expect_eq "$f: items nl_lin.c refuses" \
		"$("$NLL" count "$TMP/$f.json" | sed -n 's/.* refused //p' | head -1)" 0
	same_bytes "$f restore" "$TMP/$f.json"
	same_state "$f restore" "$TMP/$f.json"
done

# 2b. restore -c (iptables-save -c files): counters with values. libnftables
# sends NFTA_COUNTER_BYTES / _PACKETS only when not 0; 64-bit values, and
# those past INT64_MAX (negative in nfsh's JSON, as libnftables reads them).
restore_json ctr4 "$DATA/counters.v4" -c
restore_json ctr6 "$DATA/counters.v6" "-6 -c"
for f in ctr4 ctr6; do
	expect_eq "$f: items nl_lin.c refuses" \
		"$("$NLL" count "$TMP/$f.json" | sed -n 's/.* refused //p' | head -1)" 0
	same_bytes "$f restore -c" "$TMP/$f.json"
	same_state "$f restore -c" "$TMP/$f.json"
done
# nfsh restore -c itself: over netlink, the state libnftables leaves, and
# save -c gives the counters back.
for f in 4 6; do
	six=$([ $f = 6 ] && echo -6) file=$DATA/counters.v$f
	nfsh_restore "restore -c IPv$f" "$file" "$TMP/ctr$f.json" "-c $six"
	"$NFSH" save -c $six >"$TMP/save"
	expect_eq "save -c IPv$f: the rules' counters as restored" \
		"$(grep -o '^\[[0-9]*:[0-9]*\] -A' "$TMP/save" | cut -d' ' -f1 | tr '\n' ' ')" \
		"$(awk '/^\[/ { print $1 } /^-A/ { if (match($0, /-c [0-9]+[ ,][0-9]+/)) {
			split(substr($0, RSTART + 3, RLENGTH - 3), a, /[ ,]/); print "[" a[1] ":" a[2] "]"
		} else print "[0:0]" }' "$file" | tr '\n' ' ')"
done

# 2c. Comments up to the 253 characters libnftables takes (NLL_COMMENT_MAX),
# alone and with nfsh's form tag (m=state c=0, i=tcp:0, c=0).
restore_json cm4 "$DATA/comments.v4"
restore_json cm6 "$DATA/comments.v6" -6
for f in 4 6; do
	expect_eq "comments IPv$f: items nl_lin.c refuses" \
		"$("$NLL" count "$TMP/cm$f.json" | sed -n 's/.* refused //p' | head -1)" 0
	expect_eq "comments IPv$f: comments of 253 characters" \
		"$(grep -o '"comment": *"[^"]*"' "$TMP/cm$f.json" | sed 's/"comment": *"//; s/"$//' |
			awk 'length($0) == 253' | wc -l)" "$([ $f = 4 ] && echo 4 || echo 3)"
	same_bytes "comments IPv$f" "$TMP/cm$f.json"
	same_state "comments IPv$f" "$TMP/cm$f.json"
	nfsh_restore "comments IPv$f" "$DATA/comments.v$f" "$TMP/cm$f.json" "$([ $f = 6 ] && echo -6)"
done

# 2d. sport/dport pairs libnftables does not merge: each port alone. Two !=
# of single ports it merges into one != of both, true when either differs
# (not what "! --sport A ! --dport B" means): nl_lin.c refuses that pair,
# and xlate never writes it.
restore_json pt4 "$DATA/ports.v4"
restore_json pt6 "$DATA/ports.v6" -6
for f in 4 6; do
	expect_eq "port pairs IPv$f: items nl_lin.c refuses" \
		"$("$NLL" count "$TMP/pt$f.json" | sed -n 's/.* refused //p' | head -1)" 0
	same_bytes "port pairs IPv$f" "$TMP/pt$f.json"
	same_state "port pairs IPv$f" "$TMP/pt$f.json"
	nfsh_restore "port pairs IPv$f" "$DATA/ports.v$f" "$TMP/pt$f.json" "$([ $f = 6 ] && echo -6)"
done
# The JSON libnftables merges wrongly: nl_lin.c refuses it, and libnftables
# does merge it (the evidence).
python3 -c '
import json
print(json.dumps({"nftables": [
    {"add": {"table": {"family": "ip", "name": "t"}}},
    {"add": {"chain": {"family": "ip", "table": "t", "name": "c"}}},
    {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [
        {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "sport"}}, "right": 80}},
        {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 443}},
        {"accept": None}]}}}]}))' >"$TMP/neqraw.json"
expect_eq "two plain != of ports: the rule nl_lin.c refuses" \
	"$("$NLL" count "$TMP/neqraw.json" | sed -n 's/.* refused //p' | head -1)" 1
nft flush ruleset
nft -j -f "$TMP/neqraw.json"
nft --debug=netlink list chain ip t c | tr -d '\n' >"$TMP/neq.bc"
check "two plain != of ports: libnftables merges them into one != (why it is refused)" \
	grep -qF 'payload load 4b @ transport header + 0 => reg 1 ]  [ cmp neq reg 1 0xbb015000' "$TMP/neq.bc"
# What nfsh writes for "! --sport 80 ! --dport 443" (the later test as the
# one-port range 443-443, src/xlate/emit.c): linearised as libnftables sends
# it, and in the kernel each port tested on its own.
for f in 4 6; do
	printf '*filter\n-A INPUT -p tcp ! --sport 80 ! --dport 443 -j ACCEPT\n-A INPUT -p udp -m udp ! --dport 53 -m udp ! --sport 5353 -j ACCEPT\nCOMMIT\n' >"$TMP/neq$f.v4"
	restore_json neq$f "$TMP/neq$f.v4" "$([ $f = 6 ] && echo -6)"
	expect_eq "! --sport 80 ! --dport 443 IPv$f: items nl_lin.c refuses" \
		"$("$NLL" count "$TMP/neq$f.json" | sed -n 's/.* refused //p' | head -1)" 0
	same_bytes "! --sport 80 ! --dport 443 IPv$f" "$TMP/neq$f.json"
	nft flush ruleset
	nft -j -f "$TMP/neq$f.json"
	nft --debug=netlink list chain ip$([ $f = 6 ] && echo 6) nfsh-filter INPUT >"$TMP/neq.bc"
	expect_eq "! --sport ! --dport IPv$f: no merged 4-byte port load" "$(grep -c 'payload load 4b @ transport header' "$TMP/neq.bc")" 0
	expect_eq "! --sport ! --dport IPv$f: a range neq in each rule" "$(grep -c 'range neq reg 1' "$TMP/neq.bc")" 2
done

# 3. Hand-written batches: statements, verbs, libnftables' payload merges.
for f in shapes1 shapes2 verbs merge create log_group; do
	same_bytes "$f.json" "$DATA/$f.json"
done
same_bytes "positions.json (insert before, replace, delete by handle, policy)" \
	"$DATA/positions.json" 'nft add table t; nft add chain t c;
	nft add chain t INPUT "{ type filter hook input priority 0; }";
	nft add rule t c accept; nft add rule t c accept'

# 4. Sets of 1,024 elements (the most nl_lin.c writes in one message).
python3 - >"$TMP/set.json" <<'EOF'
import json
print(json.dumps({"nftables": [
    {"add": {"table": {"family": "ip", "name": "t"}}},
    {"add": {"set": {"family": "ip", "table": "t", "name": "s", "type": "inet_service",
                     "elem": list(range(1000, 2024))}}},
    {"add": {"set": {"family": "ip", "table": "t", "name": "a", "type": "ipv4_addr",
                     "elem": ["10.0.%d.%d" % (i // 250, i % 250 + 1) for i in range(1024)]}}},
    {"add": {"table": {"family": "ip6", "name": "t"}}},
    {"add": {"set": {"family": "ip6", "table": "t", "name": "a", "type": "ipv6_addr",
                     "elem": ["2001:db8::%x" % (i + 1) for i in range(1024)]}}},
    {"add": {"chain": {"family": "ip", "table": "t", "name": "c"}}},
    {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@a"}},
        {"match": {"op": "!=", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": "@s"}},
        {"drop": None}]}}}]}))
EOF
same_bytes "sets of 1,024 ports, IPv4 and IPv6 addresses, looked up" "$TMP/set.json"

# 5. The txlate corpus: each rule as a one-rule restore, compared when its
# whole batch linearises.
n=0 same=0 known=0
grep -h '^ip6\?tables-translate ' "$CORPUS"/*.txlate | sed 's/-translate / /' >"$TMP/corpus"
while IFS= read -r line; do
	eval "set -- $line" 2>/dev/null || continue
	fam=$1
	shift
	table=filter
	args=()
	while [ $# -gt 0 ]; do
		if [ "$1" = -t ]; then table=$2; shift 2; continue; fi
		args+=("$1")
		shift
	done
	[ "${args[0]}" = -A ] || [ "${args[0]}" = -I ] || continue
	n=$((n + 1))
	{
		echo "*$table"
		case ${args[1]} in
		INPUT | FORWARD | OUTPUT | PREROUTING | POSTROUTING) ;;
		*) echo ":${args[1]} - [0:0]" ;;
		esac
		for w in "${args[@]}"; do
			case $w in *" "*) printf '"%s" ' "$w" ;; *) printf '%s ' "$w" ;; esac
		done
		printf '\nCOMMIT\n'
	} >"$TMP/c.v4"
	"$NFSH" restore $([ "$fam" = ip6tables ] && echo -6) --emit-json "$TMP/c.v4" >"$TMP/c.json" 2>/dev/null || continue
	"$NLL" dump "$TMP/c.json" >/dev/null 2>&1 || continue
	known=$((known + 1))
	same_bytes "corpus: $line" "$TMP/c.json" >"$TMP/one" && same=$((same + 1))
	grep -q '^not ok' "$TMP/one" && cat "$TMP/one"
done <"$TMP/corpus"
[ "$known" -ge 100 ] && pass "corpus: $same of $known linearised batches as libnftables' ($n rules)" ||
	fail "corpus: only $known of $n rules' batches linearise"

finish

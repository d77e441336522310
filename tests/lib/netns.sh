# Shared helpers for shell tests. Source it, then call `netns_enter "$@"` first:
# the script re-executes itself inside a private network namespace, so nothing it
# does can touch the host's ruleset or conntrack table.
#
# As root: `unshare -n` (user namespaces may be refused in chroots/containers).
# Without root: `unshare -Urn`. If neither works the test FAILS: it never skips silently.

netns_enter() {
	if [ "${NFSH_IN_NETNS:-}" = "$$" ] || [ "${NFSH_IN_NETNS:-}" = "1" ]; then
		ip link set lo up 2>/dev/null
		return 0
	fi
	export NFSH_IN_NETNS=1
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		exec unshare -n bash "$0" "$@"
	fi
	if unshare -Urn true 2>/dev/null; then
		exec unshare -Urn bash "$0" "$@"
	fi
	echo "FAIL: cannot create a private network namespace (unshare -n / -Urn refused)" >&2
	exit 1
}

# Counters for the plain closing line "N passed, N failed".
T_PASS=0
T_FAIL=0
T_NAME=${T_NAME:-$(basename "$0" .sh)}

pass() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1"
		printf '    got:  %s\n    want: %s\n' "$2" "$3" | head -40
	fi
}

# expect_status DESC WANT CMD...: CMD must exit with status WANT.
expect_status() {
	local desc=$1 want=$2 got
	shift 2
	"$@" >/tmp/nfsh-test-out.$$ 2>&1
	got=$?
	if [ "$got" = "$want" ]; then
		pass "$desc"
	else
		fail "$desc (exit $got, want $want)"
		head -5 /tmp/nfsh-test-out.$$ | sed 's/^/    /'
	fi
	rm -f /tmp/nfsh-test-out.$$
}

# await SECONDS CMD...: run CMD every 0.1 s until it succeeds or SECONDS have
# passed; returns CMD's last status. For "eventually X" before asserting X: a
# slow or loaded machine gets the time it needs, a fast one does not wait.
await() {
	local end=$((SECONDS + $1)) st
	shift
	while :; do
		"$@"
		st=$?
		[ "$st" = 0 ] && return 0
		[ "$SECONDS" -lt "$end" ] || return "$st"
		sleep 0.1
	done
}

# ct_subscribed PID: PID holds a netfilter netlink socket bound to multicast
# groups, so an event listener sees everything that happens from now on
# (/proc/net/netlink: protocol 12, groups not 0, the socket's inode).
ct_subscribed() {
	local inodes
	inodes=$(readlink "/proc/$1"/fd/* 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	[ -n "$inodes" ] || return 1
	awk -v want=" $inodes" '$2 == 12 && $4 != "00000000" && index(want, " " $10 " ") { f = 1 }
		END { exit !f }' /proc/net/netlink
}

# await_subscribed PID: until PID listens to ctnetlink events (at most 20 s).
await_subscribed() {
	await 20 ct_subscribed "$1" || echo "    (pid $1 not subscribed to ctnetlink events after 20 s)"
}

# dir_held DIR: some process has DIR open (DIR as the kernel names it: no
# symlink in it). A commit confirmed's reverter keeps its state directory open
# for as long as it runs: its exit is the moment its ruleset is final.
dir_held() { find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null | grep -q .; }

# nft_json_ruleset: `nft -j list ruleset` without handles and metainfo, keys
# sorted: what two ways of loading the same rules must agree on.
nft_json_ruleset() {
	nft -j list ruleset | python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "handle"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
d = json.load(sys.stdin)["nftables"]
print(json.dumps([strip(x) for x in d if "metainfo" not in x], sort_keys=True, indent=0))'
}

# expect_refusals: every non-empty line on stdin holds nfsh's arguments, and
# each must be refused as a bad word (exit 2). Callers compare the ruleset
# before and after.
expect_refusals() {
	local l
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		eval "$NFSH $l" 2>/dev/null
		expect_eq "refused: $l" "$?" 2
	done
}

# Print the closing line and exit non-zero on any failure or when nothing ran.
finish() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ] && [ "$T_PASS" -gt 0 ]
	exit $?
}

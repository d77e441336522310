#!/bin/bash
# Bulk-load benchmark (run by hand as root, not a ctest test):
#   tests/bench/restore_bench.sh [BUILDDIR] [SIZES...]      default sizes: 1000 10000 50000
# For each generated ruleset, every loader runs 3 times, each into a fresh
# private namespace; medians of wall time and peak RSS are printed with the
# ratio against nfsh restore. nfsh restore is measured both ways: as it runs
# (the whole batch over netlink when every item linearises; the path it took
# is printed from NFSH_WRITE_TRACE) and through libnftables alone
# (NFSH_WRITER=nft). Then nfsh save vs iptables-nft-save at the largest size
# (time and peak RSS), and one rule appended into that namespace; nfsh also
# through libnftables alone (NFSH_READER=nft / NFSH_WRITER=nft). The load
# (uptime) is printed at the start and the end: the machine is shared.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(readlink -f "${1:-$SRC/build}")
shift || true
SIZES=${*:-1000 10000 50000}
NFSH=$B/nfsh
FLOOR=$B/tests/nft_apply_floor
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
[ -x "$NFSH" ] && [ -x "$FLOOR" ] || { echo "build nfsh and nft_apply_floor in $B first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# time_in_ns CMD...: run CMD in a fresh namespace, print "seconds maxrss_kib cpu_seconds".
# CPU time (user + system) is printed too: on a shared, loaded machine it is
# the steadier figure.
time_in_ns() {
	/usr/bin/time -f '%e %M %U %S' -o "$W/t" unshare -n "$@" >/dev/null 2>"$W/err" ||
		{ echo "FAILED: $*" >&2; head -3 "$W/err" >&2; }
	awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$W/t"
}

# The same 3 runs, medians.
median3() {
	local runs=() s
	for _ in 1 2 3; do runs+=("$(time_in_ns "$@")"); done
	printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p
}

# iptables-restore-translate drops -p on "-p tcp -j DNAT --to-destination IP:PORT"
# (FACTS.md): put the protocol back, matching rules 1:1 in order.
fixup_translate() {
	python3 - "$1" "$2" <<'PY'
import re, sys
ipt = [l for l in open(sys.argv[1]) if l.startswith("-A ")]
out, k = [], 0
for line in open(sys.argv[2]):
    if line.startswith("add rule"):
        m = re.search(r" -p (tcp|udp) ", ipt[k])
        if m and " dnat to " in line and m.group(1) + " " not in line.split(" counter")[0]:
            line = line.replace(" counter dnat", f" meta l4proto {m.group(1)} counter dnat", 1)
        k += 1
    out.append(line)
sys.stdout.write("".join(out))
PY
}

# ratio A B: A/B as "1.23x" (how many times B nfsh takes).
ratio() { python3 -c "import sys; a,b=map(float,sys.argv[1:]); print(f'{a/b:.2f}x' if b else '-')" "$1" "$2"; }

echo "load at start: $(uptime)"
declare -A PER=()
printf '%-7s %-34s %9s %8s %9s %8s %9s\n' rules loader median_s cpu_s rss_MiB ratio cpu_ratio
for n in $SIZES; do
	f=$W/r$n.v4
	python3 "$SRC/tests/bench/gen_ruleset.py" "$n" >"$f"
	iptables-restore-translate -f "$f" >"$W/raw.nft" 2>"$W/err" || { echo "translate failed" >&2; cat "$W/err" >&2; }
	fixup_translate "$f" "$W/raw.nft" >"$W/r$n.nft"
	"$NFSH" restore --emit-json "$f" >"$W/r$n.json" || exit 1
	path=$(unshare -n env NFSH_WRITE_TRACE=1 "$NFSH" restore "$f" 2>&1 | grep '^nfsh: write:' | cut -c1-150)
	echo "# $n rules: nfsh restore takes: ${path:-?}"
	declare -A T=() M=() C=()
	while IFS='|' read -r name cmd; do
		read -r t m c <<<"$(median3 bash -c "$cmd")"
		T[$name]=$t
		M[$name]=$m
		C[$name]=$c
	done <<EOF2
nfsh restore|$NFSH restore $f
nfsh restore via libnftables|NFSH_WRITER=nft $NFSH restore $f
floor (libnftables, nfsh's batch)|$FLOOR $W/r$n.json
iptables-nft-restore|iptables-nft-restore $f
nft -f (translate output)|nft -f $W/r$n.nft
EOF2
	for name in "nfsh restore" "nfsh restore via libnftables" "floor (libnftables, nfsh's batch)" "iptables-nft-restore" "nft -f (translate output)"; do
		printf '%-7s %-34s %9s %8s %9d %8s %9s\n' "$n" "$name" "${T[$name]}" "${C[$name]}" \
			"$((${M[$name]:-0} / 1024))" "$(ratio "${T["nfsh restore"]}" "${T[$name]}")" \
			"$(ratio "${C["nfsh restore"]}" "${C[$name]}")"
	done
	PER[$n]=${T["nfsh restore"]}
	unset T M C
done
# Linear growth: time per rule at each size against the smallest.
first=
for n in $SIZES; do
	[ -n "$first" ] || first=$n
	printf 'nfsh restore at %s: %s us/rule (%s of the per-rule time at %s)\n' "$n" \
		"$(python3 -c "import sys; print(f'{float(sys.argv[1]) / int(sys.argv[2]) * 1e6:.1f}')" "${PER[$n]}" "$n")" \
		"$(ratio "$(python3 -c "import sys; print(float(sys.argv[1]) / int(sys.argv[2]))" "${PER[$n]}" "$n")" \
			"$(python3 -c "import sys; print(float(sys.argv[1]) / int(sys.argv[2]))" "${PER[$first]}" "$first")")" "$first"
done

# Listing and one append at the largest size, in one namespace holding it.
n=${SIZES##* }
f=$W/r$n.v4
cat >"$W/inner.sh" <<EOF2
set -e
iptables-nft-restore $f
$NFSH restore $f
t() { local s=\$(date +%s%N); "\$@" >/dev/null; echo \$(( (\$(date +%s%N) - s) / 1000000 )); }
med() { local a=(\$(for i in 1 2 3; do t "\$@"; done | sort -n)); echo \${a[1]}; }
rss() { /usr/bin/time -f %M -o $W/rss "\$@" >/dev/null; echo \$((\$(cat $W/rss) / 1024)); }
# nfsh's own figures both ways: its netlink reader/writer, and libnftables
# (NFSH_READER=nft / NFSH_WRITER=nft, the path before them).
echo "save_ms -t nat: nfsh=\$(med $NFSH save -t nat) nfsh-via-libnftables=\$(NFSH_READER=nft med $NFSH save -t nat) iptables-nft-save=\$(med iptables-nft-save -t nat) nft-j-list-table=\$(med nft -j list table ip nfsh-nat)"
echo "save_ms all tables: nfsh=\$(med $NFSH save) iptables-nft-save=\$(med iptables-nft-save)"
echo "save_rss_MiB all tables: nfsh=\$(rss $NFSH save) nfsh-via-libnftables=\$(NFSH_READER=nft rss $NFSH save) iptables-nft-save=\$(rss iptables-nft-save)"
echo "append_ms nfsh=\$(med $NFSH -A INPUT -s 192.0.2.1 -j ACCEPT) nfsh-via-libnftables=\$(NFSH_WRITER=nft med $NFSH -A INPUT -s 192.0.2.1 -j ACCEPT) iptables-nft=\$(med iptables-nft -A INPUT -s 192.0.2.1 -j ACCEPT) nft-add-rule=\$(med nft add rule ip nfsh-filter INPUT ip saddr 192.0.2.1 counter accept)"
EOF2
echo "at $n rules (medians of 3, one namespace):"
unshare -n bash "$W/inner.sh"
echo "load at end: $(uptime)"

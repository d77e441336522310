#!/bin/bash
# Listing speed against conntrack -L, same table, same run (not a registered test).
#   TOOLSDIR=build/tests bash tests/bench/ct_list.sh [SIZES...]
# Fills the table of a fresh namespace through ctnetlink (ct_fill), then times
# `conntrack -L`, nfsh's `-L` and a bare libmnl dump (ct_floor), all > /dev/null:
# median wall time of RUNS runs and peak RSS, and the ratios.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

# nfsh-conntrack is what `nfsh conntrack` and the conntrack name exec (the
# ct_cli test driver links all of nfsh and is no measure of its memory).
CT=${NFSH_CT:-$TOOLSDIR/../nfsh-conntrack}
[ -x "${CT%% *}" ] || CT=$TOOLSDIR/ct_cli
RUNS=${RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} = 0 ] && SIZES=(10000 100000 262144)
TIME=/usr/bin/time
[ -x $TIME ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

# measure CMD...: prints "median_wall median_cpu peak_rss_kib" over RUNS runs
# (cpu = user + system: on a loaded machine the wall time also counts waiting;
# peak RSS is the largest of the runs: with address space randomisation the
# same binary varies by ~150 KiB from run to run, as libc's text is faulted in
# 64 KiB windows; `setarch -R` in front of the script makes it deterministic).
median() { sort -n | sed -n "$(((RUNS + 1) / 2))p"; }
measure() {
	local i out ts=() cs=() rss=0 e u s m
	for i in $(seq "$RUNS"); do
		out=$($TIME -f '%e %U %S %M' "$@" 2>&1 >/dev/null | tail -1)
		read -r e u s m <<<"$out"
		ts+=("$e")
		cs+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	printf '%s %s %s\n' "$(printf '%s\n' "${ts[@]}" | median)" \
		"$(printf '%s\n' "${cs[@]}" | median)" "$rss"
}

echo "# $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg); medians of $RUNS runs"
printf '%-8s %-24s %-24s %-24s %s\n' entries "conntrack -L wall/cpu/KiB" "nfsh -L wall/cpu/KiB" \
	"floor wall/cpu/KiB" "nfsh/conntrack nfsh/floor (wall; cpu)"
for n in "${SIZES[@]}"; do
	conntrack -F >/dev/null 2>&1
	"$TOOLSDIR/ct_fill" "$n" || echo "# ct_fill reported failures at $n"
	have=$("$TOOLSDIR/ct_floor")
	read -r tc cc rc <<<"$(measure conntrack -L)"
	# shellcheck disable=SC2086
	read -r tn cn rn <<<"$(measure $CT -L)"
	read -r tf cf rf <<<"$(measure "$TOOLSDIR/ct_floor")"
	printf '%-8s %-24s %-24s %-24s %s\n' "$have" "$tc $cc $rc" "$tn $cn $rn" "$tf $cf $rf" \
		"$(awk -v a="$tn" -v b="$tc" -v c="$tf" -v x="$cn" -v y="$cc" -v z="$cf" 'BEGIN {
			printf "%.2fx %.2fx; %.2fx %.2fx", a / b, (c > 0 ? a / c : 0), x / y, (z > 0 ? x / z : 0) }')"
done

# Filtered delete of 100k entries: nfsh lists them and removes them with one
# filtered flush (the filter is exact in the kernel); conntrack deletes one by one.
DN=${DEL_N:-100000}
conntrack -F >/dev/null 2>&1
"$TOOLSDIR/ct_fill" "$DN" --mark 5
tn=$($TIME -f "%e" $CT -D -m 5 2>&1 >/dev/null | tail -1)
left_n=$("$TOOLSDIR/ct_floor")
"$TOOLSDIR/ct_fill" "$DN" --mark 5
tc=$($TIME -f '%e' conntrack -D -m 5 2>&1 >/dev/null | tail -1)
left_c=$("$TOOLSDIR/ct_floor")
printf 'delete %s entries by mark: nfsh -D %ss (left %s), conntrack -D %ss (left %s), ratio %s\n' \
	"$DN" "$tn" "$left_n" "$tc" "$left_c" "$(awk -v a="$tn" -v b="$tc" 'BEGIN {printf "%.2fx", a / b}')"

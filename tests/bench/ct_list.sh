#!/bin/bash
# Listing speed against conntrack -L, same table, same run (not a registered test).
#   TOOLSDIR=build/tests bash tests/bench/ct_list.sh [SIZES...]
# Fills the table of a fresh namespace through ctnetlink (ct_fill), then times
# `conntrack -L`, nfsh's `-L` and a bare libmnl dump (ct_floor), all > /dev/null:
# median wall time of RUNS runs and peak RSS, and the ratios.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
RUNS=${RUNS:-5}
SIZES=("$@")
[ ${#SIZES[@]} = 0 ] && SIZES=(10000 100000 262144)
TIME=/usr/bin/time
[ -x $TIME ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 1; }

# measure CMD...: prints "median_seconds peak_rss_kib" over RUNS runs.
measure() {
	local i out ts=() rss=0 r
	for i in $(seq "$RUNS"); do
		out=$($TIME -f '%e %M' "$@" 2>&1 >/dev/null | tail -1)
		ts+=("${out% *}")
		r=${out#* }
		[ "$r" -gt "$rss" ] && rss=$r
	done
	printf '%s %s\n' "$(printf '%s\n' "${ts[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" "$rss"
}

printf '%-8s %-22s %-22s %-22s %s\n' entries "conntrack -L (s, KiB)" "nfsh -L (s, KiB)" \
	"libmnl floor (s, KiB)" "nfsh/conntrack nfsh/floor"
for n in "${SIZES[@]}"; do
	conntrack -F >/dev/null 2>&1
	"$TOOLSDIR/ct_fill" "$n" || echo "# ct_fill reported failures at $n"
	have=$("$TOOLSDIR/ct_floor")
	read -r tc rc <<<"$(measure conntrack -L)"
	read -r tn rn <<<"$(measure "$CT" -L)"
	read -r tf rf <<<"$(measure "$TOOLSDIR/ct_floor")"
	printf '%-8s %-22s %-22s %-22s %s\n' "$have" "$tc $rc" "$tn $rn" "$tf $rf" \
		"$(awk -v a="$tn" -v b="$tc" -v c="$tf" 'BEGIN {printf "%.2fx %.2fx", a / b, (c > 0 ? a / c : 0)}')"
done

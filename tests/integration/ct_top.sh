#!/bin/bash
# conntrack top: without a terminal one bounded snapshot, then exit; on a terminal
# (through script(1)) the live view answers keys and quits on q.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
modprobe nf_conntrack 2>/dev/null
sysctl -qw net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_timestamp=1 2>/dev/null
"$TOOLSDIR/ct_fill" 2000 >/dev/null
$CT -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state ESTABLISHED -u SEEN_REPLY -t 50 2>/dev/null

out=$(timeout 20 $CT top --rows 10 </dev/null)
expect_status "snapshot exits 0" 0 timeout 20 $CT top --rows 10
check "snapshot counts the whole table" grep -q '2001 entries' <<<"$out"
check "snapshot has at most 10 rows" test "$(grep -cE '^[0-9]' <<<"$out")" -le 10
check "totals per protocol" grep -q 'udp=2000' <<<"$out"
check "totals per TCP state" grep -q 'ESTABLISHED=1' <<<"$out"
expect_eq "filters as -L" "$(timeout 20 $CT top -p tcp | grep -cE '^[0-9]')" 1
check "expiry sort puts the 50 s entry first" \
	bash -c "timeout 20 $CT top --sort expiry --rows 1 | grep -q '^1.1.1.1:10 '"
expect_status "bad sort key" 2 $CT top --sort nope
expect_status "bad filter" 2 $CT top -p nope
if command -v script >/dev/null; then
	start=$(date +%s)
	# Each key once the screen shows that the one before has been acted on:
	# e once the table is drawn, q once the sort has changed.
	: >/tmp/ct_top.$$
	{
		await 15 grep -q 'nfsh conntrack top' /tmp/ct_top.$$
		printf 'e'
		await 15 grep -q 'sort: expiry' /tmp/ct_top.$$
		printf 'q'
	} | timeout 40 script -qec "$CT top" /dev/null >/tmp/ct_top.$$ 2>&1
	st=$?
	expect_eq "live view quits on q" "$st" 0
	check "live view drew the table" grep -q 'nfsh conntrack top' /tmp/ct_top.$$
	check "live view changed sort on e" grep -q 'sort: expiry' /tmp/ct_top.$$
	check "quit within the timeout" test $(($(date +%s) - start)) -lt 35
	rm -f /tmp/ct_top.$$
fi
finish

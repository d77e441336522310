# Two network namespaces joined by a veth pair, for the behaviour tests
# (sourced after netns.sh; root only, the host's namespaces are untouched).
#   veth_root_only
#       fail the test and exit unless run as root (ip netns, veth)
#   veth_pair SRV CLI SDEV CDEV SADDR CADDR [SADDR6 CADDR6]
#       make both namespaces and the pair SDEV (in SRV) - CDEV (in CLI), give
#       them the addresses (with /len; IPv6 without duplicate detection) and
#       set lo and the pair up; fail the test and finish when that cannot be done
#   veth_del NS...
#       remove the namespaces (for the test's cleanup; quiet when gone)

veth_root_only() {
	[ "$(id -u)" = 0 ] && return 0
	echo "FAIL: needs root for ip netns and veth" >&2
	echo "$T_NAME: 0 passed, 1 failed"
	exit 1
}

veth_pair() {
	local srv=$1 cli=$2 sdev=$3 cdev=$4 ns
	ip netns add "$srv" && ip netns add "$cli" || { fail "create namespaces"; finish; }
	ip link add "$sdev" netns "$srv" type veth peer name "$cdev" netns "$cli" || {
		fail "create veth pair"
		finish
	}
	ip -n "$srv" addr add "$5" dev "$sdev"
	ip -n "$cli" addr add "$6" dev "$cdev"
	if [ $# -ge 8 ]; then
		ip -n "$srv" addr add "$7" dev "$sdev" nodad
		ip -n "$cli" addr add "$8" dev "$cdev" nodad
	fi
	for ns in "$srv" "$cli"; do ip -n "$ns" link set lo up; done
	ip -n "$srv" link set "$sdev" up
	ip -n "$cli" link set "$cdev" up
}

veth_del() {
	local ns
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null; done
	return 0
}

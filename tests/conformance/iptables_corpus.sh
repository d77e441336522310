#!/bin/bash
# The iptables corpus files issue 2 names (state, conntrack, tcp, udp, icmp, icmp6,
# multiport, limit, comment, mark, iprange, mac, addrtype, pkttype, standard targets,
# REJECT, LOG), .txlate and .t: any failure in them fails this test. Skips (the
# expected text needs a newer libnftables, ...) are reported with their reason.
# The runner makes its own network namespaces (ip netns, as root).
here=$(cd "$(dirname "$0")" && pwd)
NFSH=${NFSH:-${BUILDDIR:-$here/../../build}/nfsh}
args=(--nfsh "$NFSH" --name iptables_corpus)
[ -n "$BUILDDIR" ] && args+=(--summary "$BUILDDIR/conformance-summary.txt")
[ -n "$NFSH_CONF_VERBOSE" ] && args+=(--verbose)
python3 "$here/iptables_corpus.py" "${args[@]}" "$@"
exit $?

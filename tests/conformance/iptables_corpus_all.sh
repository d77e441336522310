#!/bin/bash
# Every iptables/ip6tables file of the corpus (.txlate and .t), reported, not gated:
# always exits 0 so progress is visible without failing CI. The gated subset is
# iptables_corpus.sh. Full table in $BUILDDIR/conformance-summary-all.txt.
here=$(cd "$(dirname "$0")" && pwd)
NFSH=${NFSH:-${BUILDDIR:-$here/../../build}/nfsh}
args=(--nfsh "$NFSH" --all --no-gate --name iptables_corpus_all)
[ -n "$BUILDDIR" ] && args+=(--summary "$BUILDDIR/conformance-summary-all.txt")
[ -n "$NFSH_CONF_VERBOSE" ] && args+=(--verbose)
python3 "$here/iptables_corpus.py" "${args[@]}" "$@"
exit 0

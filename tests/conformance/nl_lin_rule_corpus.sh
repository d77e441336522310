#!/bin/bash
# nll_rule_fast (src/nft/nl_lin_rule.c) over every iptables/ip6tables rule of
# the shared corpus (iptables/txlate and iptables/t): each rule it builds
# must give the bytes and comment of the JSON path (xlate_rule + nll_rule);
# any mismatch fails. Rules of libxt_*.t files are tried in both families.
# Prints how many were built, refused (left to JSON) and did not parse.
# No kernel, no namespace: test_nl_lin_rule's sweep (NFSH_LIN_RULES) only.
here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=${SRCDIR:-$here/../..}
CORPUS=${IPT_CORPUS:-$SRCDIR/../shared/corpus/iptables}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus/iptables
BIN=${TOOLSDIR:-${BUILDDIR:-$SRCDIR/build}/tests}/test_nl_lin_rule
[ -x "$BIN" ] || { echo "FAIL: no $BIN"; exit 1; }
[ -d "$CORPUS/txlate" ] && [ -d "$CORPUS/t" ] || { echo "FAIL: no corpus at $CORPUS"; exit 1; }

rules=$(mktemp)
trap 'rm -f "$rules"' EXIT
python3 - "$CORPUS" >"$rules" <<'EOF'
import glob, os, sys

corpus = sys.argv[1]
out = []
for f in sorted(glob.glob(os.path.join(corpus, "txlate", "*.txlate"))):
    for line in open(f, encoding="utf-8", errors="replace"):
        w = line.split(None, 1)
        if len(w) == 2 and w[0] in ("iptables-translate", "ip6tables-translate"):
            out.append("@6" if w[0][2] == "6" else "@4")
            out.append(w[1].rstrip("\n"))
for f in sorted(glob.glob(os.path.join(corpus, "t", "*.t"))):
    base = os.path.basename(f)
    if base.startswith(("libipt_", "iptables")):
        fams = ["@4"]
    elif base.startswith(("libip6t_", "ip6tables")):
        fams = ["@6"]
    elif base.startswith("libxt_"):
        fams = ["@4", "@6"]
    else:
        continue
    table, chain = "filter", "INPUT"
    for line in open(f, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith(":"):
            chain = line[1:].split(",")[0]
        elif line.startswith("*"):
            table = line[1:]
        elif line and line[0] not in "#@%" and ";" in line:
            rule = line.split(";")[0]
            for fam in fams:
                out.append(fam)
                out.append(f"-t {table} -A {chain} {rule}")
print("\n".join(out))
EOF
echo "corpus rules (lines per family marker): $(grep -vc '^@' "$rules")"
log=$(NFSH_LIN_RULES=$rules "$BIN" 2>&1)
echo "$log" | grep -E '^(sweep|MISMATCH)'
if ! echo "$log" | grep -q '^sweep .* 0 mismatched$'; then
	echo "$log" | tail -20
	echo "FAIL: nl_lin_rule corpus sweep"
	exit 1
fi
echo "PASS: nl_lin_rule corpus sweep"

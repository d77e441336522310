#!/bin/bash
# Regenerate the corpus-derived fuzz seeds (tests/fuzz/seeds/*/tx-*) from the
# iptables-translate vectors of the shared corpus: one seed per iptables
# case for the argument grammar and the shell lexer, and per .txlate file,
# in a private network namespace, what nfsh made of the cases it accepts:
# the libnftables listing (read-back), the iptables-save text (restore) and
# the JSON batch (import); plus the listing of the corpus' expected nft rules
# loaded by nft itself (a foreign table: read-back of rules nfsh did not
# write). Hand-written seeds and regression inputs (regress-*) are kept.
#
#   tests/fuzz/make_seeds.sh NFSH [CORPUS]   (as root; touches only its netns)
set -euo pipefail
NFSH=$(readlink -f "${1:?usage: make_seeds.sh NFSH [CORPUS]}")
CORPUS=${2:-/work/shared/corpus}
SEEDS=$(cd "$(dirname "$0")" && pwd)/seeds
[ "${NFSH_SEEDS_IN_NETNS:-}" = 1 ] || exec env NFSH_SEEDS_IN_NETNS=1 unshare -n "$0" "$@"

rm -f "$SEEDS"/*/tx-*
python3 - "$NFSH" "$CORPUS/iptables/txlate" "$SEEDS" <<'PY'
import glob, json, os, shlex, subprocess, sys
nfsh, txdir, seeds = sys.argv[1:4]
MAX_LEN = 4096  # the -max_len the fuzz tests run with

def put_listing(name, text):
    """The rule objects of a listing (all the read-back target looks at), in
    seeds of at most MAX_LEN bytes."""
    try:
        rules = [o for o in json.loads(text)["nftables"] if "rule" in o]
    except (ValueError, KeyError):
        return
    chunk, k = [], 0
    for r in rules + [None]:
        doc = json.dumps({"nftables": chunk + ([r] if r else [])}, separators=(",", ":"))
        if r is None or len(doc) > MAX_LEN:
            if chunk:
                put("fuzz_read_rule", "%s-%d.json" % (name, k),
                    json.dumps({"nftables": chunk}, separators=(",", ":")) + "\n")
                k += 1
            chunk = []
        if r is not None:
            chunk.append(r)

def put(target, name, data):
    if data.strip():
        with open(os.path.join(seeds, target, "tx-" + name), "w") as f:
            f.write(data)

def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)

for path in sorted(glob.glob(os.path.join(txdir, "*.txlate"))):
    base = os.path.basename(path)[:-len(".txlate")]
    cases, expected, cur = [], [], None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("iptables-translate "):
            cur = line[len("iptables-translate "):]
            cases.append(cur)
        elif line.startswith("nft '") and cur is not None:
            expected.append(line[5:-1] if line.endswith("'") else line[5:])
            cur = None
    if not cases:
        continue
    for i, args in enumerate(cases):
        try:
            words = shlex.split(args)
        except ValueError:
            continue
        put("fuzz_cmd_parse", "%s-%d" % (base, i), "\n".join(words) + "\n")
        put("fuzz_shell_lex", "%s-%d" % (base, i), args + "\n")
    # What nfsh makes of the cases it accepts, from an empty ruleset.
    run(["nft", "flush", "ruleset"])
    for args in cases:
        try:
            words = shlex.split(args)
        except ValueError:
            continue
        run([nfsh] + words)
    put_listing(base, run(["nft", "-j", "list", "ruleset"]).stdout)
    put("fuzz_restore", base + ".v4", run([nfsh, "save"]).stdout)
    put("fuzz_import", base + ".json", run([nfsh, "export"]).stdout)
    # The corpus' own nft rules, loaded by nft into plain tables.
    run(["nft", "flush", "ruleset"])
    text = []
    for t in ("filter", "nat", "mangle", "raw"):
        text.append("add table ip %s" % t)
        for c in ("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"):
            text.append("add chain ip %s %s" % (t, c))
    ok = [r for r in expected if run(["nft", "-f", "-"], input="\n".join(text + [r]) + "\n").returncode == 0]
    run(["nft", "flush", "ruleset"])
    if ok and run(["nft", "-f", "-"], input="\n".join(text + ok) + "\n").returncode == 0:
        put_listing(base + "-nft", run(["nft", "-j", "list", "ruleset"]).stdout)
    run(["nft", "flush", "ruleset"])
PY
# ctnetlink events as they arrive (NEW, UPDATE, DESTROY) for entries of
# several kinds created, updated and flushed by conntrack(8).
python3 - "$SEEDS/fuzz_ct_attr" <<'PY'
import socket, subprocess, sys
out = sys.argv[1]
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0x7))  # NFNLGRP_CONNTRACK_NEW, _UPDATE, _DESTROY
s.settimeout(0.5)
entries = [
    "-s 10.1.0.1 -d 10.1.0.2 -p tcp --sport 1000 --dport 80 --state ESTABLISHED -u SEEN_REPLY,ASSURED",
    "-s 10.1.0.1 -d 10.1.0.2 -p tcp --sport 1001 --dport 22 --state SYN_SENT -m 7 --zone 3",
    "-s 10.1.0.1 -d 10.1.0.2 -p udp --sport 53 --dport 53 -u SEEN_REPLY",
    "-s 10.1.0.1 -d 10.1.0.2 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77",
    "-s 2001:db8::1 -d 2001:db8::2 -p tcp --sport 1002 --dport 443 --state ESTABLISHED",
    "-s 2001:db8::1 -d 2001:db8::2 -p udp --sport 5000 --dport 5001",
    "-s 2001:db8::1 -d 2001:db8::2 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 9",
    "-s 10.1.0.1 -d 10.1.0.2 -p sctp --sport 7 --dport 9 --state ESTABLISHED",
    "-s 10.1.0.1 -d 10.1.0.2 -p tcp --sport 1003 --dport 80 --state TIME_WAIT --dst-nat 10.2.0.2",
    "-s 10.1.0.1 -d 10.1.0.2 -p gre --srckey 1 --dstkey 2",
]
for e in entries:
    subprocess.run(["conntrack", "-I"] + e.split() + ["-t", "50"], capture_output=True)
    subprocess.run(["conntrack", "-U"] + e.split()[:4] + ["-m", "5"], capture_output=True)
subprocess.run(["conntrack", "-F"], capture_output=True)
n = 0
while True:
    try:
        msg = s.recv(65536)
    except socket.timeout:
        break
    n += 1
    with open("%s/tx-event-%02d" % (out, n), "wb") as f:
        f.write(msg)
PY
for d in "$SEEDS"/*/; do
	echo "$(basename "$d"): $(find "$d" -name 'tx-*' | wc -l) corpus seeds, $(find "$d" -type f ! -name 'tx-*' | wc -l) others"
done

#!/bin/bash
# Oversized and hostile input through one-shot, shell script, restore and
# import: 1 MB lines, 100k-element comma lists, deeply nested JSON, invalid
# UTF-8, NUL bytes, names longer than the kernel or iptables allow. Each must
# fail with a clear message, exit non-zero, change nothing, stay under
# RSS_MAX_KB of peak memory and not crash (exit < 128).
. "${SRCDIR:?}/tests/lib/netns.sh"
netns_enter "$@"

NFSH=$(readlink -f "${NFSH:?}")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RSS_MAX_KB=$((200 * 1024))
ruleset() { nft -j list ruleset; }
[ -x /usr/bin/time ] || { echo "FAIL: /usr/bin/time is missing"; exit 1; }

"$NFSH" -A INPUT -p tcp --dport 22 -j ACCEPT
before=$(ruleset)

# hostile DESC PATTERN CMD...: CMD (stdin from $IN, default /dev/null) fails
# with an exit in 1..127, stderr matching PATTERN, bounded RSS, no change.
hostile() {
	local desc=$1 pat=$2 rc rss
	shift 2
	/usr/bin/time -f %M -o "$TMP/rss" "$@" <"${IN:-/dev/null}" >/dev/null 2>"$TMP/err"
	rc=$?
	rss=$(tail -1 "$TMP/rss")
	if [ "$rc" -ge 1 ] && [ "$rc" -lt 128 ] && grep -aq -- "$pat" "$TMP/err" &&
		[ "$rss" -lt "$RSS_MAX_KB" ] && [ "$(ruleset)" = "$before" ]; then
		pass "$desc (exit $rc, peak RSS $((rss / 1024)) MiB)"
	else
		fail "$desc (exit $rc, peak RSS ${rss} kB)"
		head -c 600 "$TMP/err" | sed 's/^/    /'
		echo
	fi
}

python3 - "$TMP" <<'PY'
import sys
d = sys.argv[1]
w = lambda n, s: open(d + '/' + n, 'wb').write(s if isinstance(s, bytes) else s.encode())
meg = 'x' * (1 << 20)
src = ','.join('10.%d.%d.%d' % (i >> 16 & 255, i >> 8 & 255, i & 255) for i in range(100000))
ports = ','.join(str(1 + i % 65535) for i in range(100000))
w('src10k', ','.join('10.%d.%d.1' % (i >> 8, i & 255) for i in range(10000)))
w('ports20k', ','.join(str(1 + i) for i in range(20000)))
w('bigline.v4', '*filter\n-A INPUT -m comment --comment "%s" -j ACCEPT\nCOMMIT\n' % meg)
w('src.v4', '*filter\n-A INPUT -s %s -j ACCEPT\nCOMMIT\n' % src)
w('ports.v4', '*filter\n-A INPUT -p tcp -m multiport --dports %s -j ACCEPT\nCOMMIT\n' % ports)
w('utf8.v4', b'*filter\n-A INPUT -m comment --comment "\xff\xfe" -j ACCEPT\nCOMMIT\n')
w('nul.v4', b'*filter\n-A INPUT -j ACC\x00EPT\nCOMMIT\n')
# A chain line's name is checked too (fuzz_restore found one sent as it was).
w('utf8chain.v4', b'*filter\n:\xff\xff?LOGDROP - [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n')
w('chain.v4', '*filter\n:%s - [0:0]\nCOMMIT\n' % ('C' * 29))
w('chainN.v4', '*filter\n-N %s\nCOMMIT\n' % ('C' * 29))
w('comment.v4', '*filter\n-A INPUT -m comment --comment "%s" -j ACCEPT\nCOMMIT\n' % ('c' * 300))
w('prefix.v4', '*filter\n-A INPUT -j LOG --log-prefix "%s"\nCOMMIT\n' % ('p' * 128))
w('iface.v4', '*filter\n-A INPUT -i %s -j ACCEPT\nCOMMIT\n' % ('e' * 16))
w('big.sh', '-A INPUT -m comment --comment %s -j ACCEPT\n' % meg)
w('src.sh', '-A INPUT -s %s -j ACCEPT\n' % src)
w('nul.sh', b'-A INPUT -j ACC\x00EPT\n')
w('utf8.sh', b'-A INPUT -m comment --comment \xff -j ACCEPT\n')
head = '{"nfsh_batch": {"version": 1}, "operations": ['
w('src.json', head + '"-A INPUT -s %s -j ACCEPT"]}' % src)
w('ports.json', head + '{"rule": {"chain": "INPUT", "protocol": "tcp", "matches": [{"name": "multiport", "options": {"dports": "%s"}}], "target": {"name": "ACCEPT"}}}]}' % ports)
w('bigline.json', head + '"-A INPUT -m comment --comment %s -j ACCEPT"]}' % meg)
w('nested.json', head + '[' * 100000 + ']' * 100000 + ']}')
w('nested2.json', head + '{"rule": {"chain": "INPUT", "matches": [{"name": "tcp", "options": {"dport": ' + '{"value": ' * 50000 + '"1"' + '}' * 50000 + '}}]}}]}')
w('utf8.json', b'{"nfsh_batch": {"version": 1}, "operations": ["-A INPUT -m comment --comment \xff\xfe -j ACCEPT"]}')
w('nul.json', head + '"-A INPUT -j ACC\\u0000EPT"]}')
w('chain.json', head + '{"chain": {"name": "%s"}}]}' % ('C' * 29))
w('comment.json', head + '{"rule": {"chain": "INPUT", "matches": [{"name": "comment", "options": {"comment": "%s"}}], "target": {"name": "ACCEPT"}}}]}' % ('c' * 300))
w('prefix.json', head + '{"rule": {"chain": "INPUT", "target": {"name": "LOG", "options": {"log-prefix": "%s"}}}}]}' % ('p' * 128))
w('iface.json', head + '{"rule": {"chain": "INPUT", "in_interface": "%s", "target": {"name": "ACCEPT"}}}]}' % ('e' * 16))
PY

# One-shot: a word is at most 128 KiB (MAX_ARG_STRLEN), so 10k addresses / 20k ports.
hostile "one-shot: -s with 10k addresses" "too long" "$NFSH" -A INPUT -s "$(cat "$TMP/src10k")" -j ACCEPT
hostile "one-shot: --dports with 20k ports" "port" "$NFSH" -A INPUT -p tcp -m multiport --dports "$(cat "$TMP/ports20k")" -j ACCEPT
hostile "one-shot: --dport with 20k ports" "port" "$NFSH" -A INPUT -p tcp --dport "$(cat "$TMP/ports20k")" -j ACCEPT
hostile "one-shot: invalid UTF-8 comment" "UTF-8" "$NFSH" -A INPUT -m comment --comment $'a\xff' -j ACCEPT
hostile "one-shot: invalid UTF-8 chain" "UTF-8" "$NFSH" -N $'\xc0\xafX'
hostile "one-shot: chain name of 29" "too long" "$NFSH" -N "$(printf 'C%.0s' {1..29})"
hostile "one-shot: comment of 300" "at most" "$NFSH" -A INPUT -m comment --comment "$(printf 'c%.0s' {1..300})" -j ACCEPT
hostile "one-shot: log prefix of 128" "at most" "$NFSH" -A INPUT -j LOG --log-prefix "$(printf 'p%.0s' {1..128})"
hostile "one-shot: interface of 16" "1 to 15" "$NFSH" -A INPUT -i "$(printf 'e%.0s' {1..16})" -j ACCEPT
# Shell script mode on stdin.
IN=$TMP/big.sh hostile "shell: 1 MB line" "too long" "$NFSH"
IN=$TMP/src.sh hostile "shell: 100k addresses" "too long" "$NFSH"
IN=$TMP/nul.sh hostile "shell: NUL byte" "NUL" "$NFSH"
IN=$TMP/utf8.sh hostile "shell: invalid UTF-8" "UTF-8" "$NFSH"
# Restore.
for f in bigline:"too long" src:"too long" ports:"too long" utf8:"UTF-8" utf8chain:"UTF-8" nul:"NUL" \
	chain:"invalid chain name" \
	chainN:"too long" comment:"at most" prefix:"at most" iface:"1 to 15"; do
	hostile "restore: ${f%%:*}.v4" "${f#*:}" "$NFSH" restore "$TMP/${f%%:*}.v4"
done
# Import.
for f in src:"too long" ports:"port" bigline:"too long" nested:"depth" nested2:"depth" utf8:"JSON" \
	nul:"JSON" chain:"too long" comment:"at most" prefix:"at most" iface:"1 to 15"; do
	hostile "import: ${f%%:*}.json" "${f#*:}" "$NFSH" import "$TMP/${f%%:*}.json"
done
finish

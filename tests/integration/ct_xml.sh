#!/bin/bash
# -o xml against conntrack 1.4.7 on the same entries: -L (with extended, id,
# ktimestamp, timestamp beside it) and -E (with timestamp), byte for byte.
# Entries: tcp with mark, udp in a zone, icmp, IPv6 DNAT,
# icmpv6, an FTP control connection with the ftp helper; counters and
# timestamps on.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
ORACLE=${CT_ORACLE:-conntrack}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
sysctl -qw net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_timestamp=1
modprobe nf_conntrack_ftp 2>/dev/null

expect_eq "-L -o xml, empty table: nothing, as conntrack" "$($CT -L -o xml 2>/dev/null)" \
	"$($ORACLE -L -o xml 2>/dev/null)"

$CT -E -o xml >"$TMP/e.n" 2>"$TMP/e.n.err" &
E_N=$!
$ORACLE -E -o xml >"$TMP/e.o" 2>/dev/null &
E_O=$!
$CT -E -o xml,timestamp >"$TMP/et.n" 2>/dev/null &
ET_N=$!
$ORACLE -E -o xml,timestamp >"$TMP/et.o" 2>/dev/null &
ET_O=$!
for p in $E_N $E_O $ET_N $ET_O; do await_subscribed "$p"; done

nft -f - <<'NFT' || fail "nft ftp helper"
table inet h {
	ct helper ftph {
		type "ftp" protocol tcp
	}
	chain out {
		type filter hook output priority 0;
		tcp dport 21 ct helper set "ftph"
	}
}
NFT
# The control connection stays open until it is killed below, and the
# greeting has gone through before anything is listed.
python3 - >"$TMP/ftp" <<'PY' &
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1",21)); s.listen(1)
c=socket.create_connection(("127.0.0.1",21)); a,_=s.accept()
a.sendall(b"220 hi\r\n"); c.recv(100)
print("ready", flush=True)
time.sleep(300)
PY
FTP=$!
await 20 grep -q ready "$TMP/ftp"
$ORACLE -I -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20 --state ESTABLISHED \
	-u SEEN_REPLY,ASSURED -t 500 -m 7 2>/dev/null
$ORACLE -I -s 1.1.1.2 -d 2.2.2.2 -p udp --sport 10 --dport 20 -t 500 -w 3 2>/dev/null
$ORACLE -I -s 1.1.1.3 -d 2.2.2.2 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 500 2>/dev/null
$ORACLE -I -s 2001:db8::1 -d 2001:db8::2 -p udp --sport 10 --dport 20 -t 50 \
	--dst-nat 2001:db8::3 2>/dev/null
$ORACLE -I -s 2001:db8::5 -d 2001:db8::6 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 \
	--icmpv6-id 9 -t 50 2>/dev/null
n_entries=$($ORACLE -L 2>/dev/null | wc -l)
check "the entries exist ($n_entries)" test "$n_entries" -ge 6

# Timeouts and delta times tick between the two listings: read them as T.
norm() { sed -E 's#<(timeout|deltatime)>[0-9]+<#<\1>T<#g' | sort; }
for o in xml xml,extended xml,id xml,ktimestamp xml,timestamp; do
	expect_eq "-L -o $o" "$($CT -L -o $o 2>/dev/null | norm)" "$($ORACLE -L -o $o 2>/dev/null | norm)"
done
check "-L -o xml opens the document" test "$($CT -L -o xml 2>/dev/null | head -2 | tr -d '\n')" \
	= '<?xml version="1.0" encoding="utf-8"?><conntrack>'
expect_eq "-L -o xml closes it" "$($CT -L -o xml 2>/dev/null | tail -1)" "</conntrack>"
expect_eq "-L -o xml -p icmp" "$($CT -L -o xml -p icmp 2>/dev/null | norm)" \
	"$($ORACLE -L -o xml -p icmp 2>/dev/null | norm)"

# -U and -D report <flow> lines without a document around them, as conntrack.
idnorm() { sed -E 's#<(timeout|id|deltatime|mark)>[0-9]+<#<\1>T<#g'; }
mk() { $ORACLE -I -s 1.1.1.9 -d 2.2.2.2 -p udp --sport 1 --dport 2 -t 100 2>/dev/null; }
mk
a=$($CT -U -s 1.1.1.9 -m 5 -o xml 2>/dev/null | idnorm)
b=$($ORACLE -U -s 1.1.1.9 -m 6 -o xml 2>/dev/null | idnorm)
check "-U -o xml printed the entry" grep -q '^<flow><meta direction="original">' <<<"$a"
expect_eq "-U -o xml" "$a" "$b"
a=$($CT -D -s 1.1.1.9 -o xml 2>/dev/null | idnorm)
mk
b=$($ORACLE -D -s 1.1.1.9 -o xml 2>/dev/null | idnorm)
check "-D -o xml printed the entry" grep -q '^<flow>' <<<"$a"
expect_eq "-D -o xml" "$a" "$b"
$ORACLE -U -s 1.1.1.1 -m 9 >/dev/null 2>&1
$ORACLE -D >/dev/null 2>&1
kill "$FTP" 2>/dev/null
wait "$FTP" 2>/dev/null
# A marker entry, created after everything else: once every listener has
# shown it, none has anything left unshown to lose to SIGTERM. It lives
# 600 s: one of 10 s could expire while a loaded machine awaits the four
# listeners, and its DESTROY reach some of them before SIGTERM, not others.
$ORACLE -I -s 1.1.1.99 -d 2.2.2.2 -p udp --sport 9 --dport 9 -t 600 2>/dev/null
for f in e.n e.o et.n et.o; do await 20 grep -q '<flow type="new">.*<src>1\.1\.1\.99</src>' "$TMP/$f"; done
kill -TERM $E_N $E_O $ET_N $ET_O
wait $E_N $E_O $ET_N $ET_O 2>/dev/null
# The requester's name is read from /proc by each listener: it may have exited.
enorm() { sed -E 's/ \[USERSPACE\] portid=[0-9]+( progname=.*)?$/ [USERSPACE]/'; }
check "-E -o xml saw events" test "$(grep -c '<flow' "$TMP/e.o")" -ge 10
expect_eq "-E -o xml" "$(enorm <"$TMP/e.n")" "$(enorm <"$TMP/e.o")"
# <when> is the second of printing: the two listeners may straddle a second.
wnorm() { enorm | sed -E 's#<sec>[0-9]+</sec>#<sec>S</sec>#'; }
expect_eq "-E -o xml,timestamp" "$(wnorm <"$TMP/et.n")" "$(wnorm <"$TMP/et.o")"
finish

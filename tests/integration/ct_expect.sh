#!/bin/bash
# The expectation table against conntrack: an FTP control connection over lo with
# the ftp helper makes the kernel expect the data connection announced by PASV.
# -L/-G/-I/-D/-F/-E expect, text and XML, exit statuses; conntrack 1.4.7 is the
# oracle where it works (its -I expect stores a wrong protocol and its -D expect
# exits 1 after deleting, see the notes below).
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
ORACLE=${CT_ORACLE:-conntrack}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
modprobe nf_conntrack_ftp 2>/dev/null

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

# Both tools listen to expectation events from the start (text and XML).
$CT -E expect >"$TMP/ev.n" 2>"$TMP/ev.n.err" &
EV_N=$!
$ORACLE -E expect >"$TMP/ev.o" 2>/dev/null &
EV_O=$!
$CT -E expect -o xml >"$TMP/evx.n" 2>/dev/null &
EVX_N=$!
$CT -E expect -p udp >"$TMP/evf.udp" 2>/dev/null &
EVF_UDP=$!
$CT -E expect -e DESTROY --master-dst 127.0.0.1 >"$TMP/evf.del" 2>/dev/null &
EVF_DEL=$!
$ORACLE -E expect -o xml >"$TMP/evx.o" 2>/dev/null &
EVX_O=$!
for p in $EV_N $EV_O $EVX_N $EVF_UDP $EVF_DEL $EVX_O; do await_subscribed "$p"; done

# expect_ftp PORT: a control connection that stays open until the end (killed
# there), returning once the PASV reply has gone through the helper.
expect_ftp() {
	python3 - "$1" >"$TMP/ftp" <<'PY' &
import socket,sys,time
p=int(sys.argv[1])
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1",21)); s.listen(1)
c=socket.create_connection(("127.0.0.1",21)); a,_=s.accept()
a.sendall(b"220 hi\r\n"); c.recv(100); c.sendall(b"PASV\r\n"); a.recv(100)
a.sendall(b"227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n" % (p >> 8, p & 255)); c.recv(100)
print("ready", flush=True)
time.sleep(300)
PY
	FTP=$!
	await 20 grep -q ready "$TMP/ftp"
}

norm() { sed -E 's/^[0-9]+ /T /' | sort; }
xnorm() { sed -E 's#<timeout>[0-9]+</timeout>#<timeout>T</timeout>#g'; }
tool() { sed 's/(nfsh)/(TOOL)/; s/(conntrack-tools)/(TOOL)/'; }
expect_ftp 40000
check "an expectation exists" test "$($ORACLE -L expect 2>/dev/null | wc -l)" -ge 1
expect_eq "-L expect" "$($CT -L expect 2>/dev/null | norm)" "$($ORACLE -L expect 2>/dev/null | norm)"
expect_eq "-L expect -o xml" "$($CT -L expect -o xml 2>/dev/null | xnorm)" \
	"$($ORACLE -L expect -o xml 2>/dev/null | xnorm)"
wnorm() { xnorm | sed -E 's#<sec>[0-9]+</sec>#<sec>S</sec>#'; }
expect_eq "-L expect -o xml,timestamp" "$($CT -L expect -o xml,timestamp 2>/dev/null | wnorm)" \
	"$($ORACLE -L expect -o xml,timestamp 2>/dev/null | wnorm)"
expect_eq "-L expect: the same closing line" "$($CT -L expect 2>&1 >/dev/null | tool)" \
	"$($ORACLE -L expect 2>&1 >/dev/null | tool)"
expect_eq "-C expect" "$($CT -C expect 2>/dev/null)" "$($CT -L expect 2>/dev/null | wc -l)"
expect_eq "-L expect -p udp: filtered out" "$($CT -L expect -p udp 2>/dev/null | wc -l)" 0
expect_eq "-L expect --master-dst 127.0.0.1: kept" "$($CT -L expect --master-dst 127.0.0.1 2>/dev/null | wc -l)" 1

# -G: the expectation a connection 127.0.0.1:1234 -> 127.0.0.1:40000 would match.
# (conntrack insists on --reply-port-* for tcp and ignores them.)
G="-s 127.0.0.1 -d 127.0.0.1 -p tcp --sport 1234"
expect_eq "-G expect" "$($CT -G expect $G --dport 40000 2>/dev/null | norm)" \
	"$($ORACLE -G expect $G --dport 40000 --reply-port-src 1 --reply-port-dst 2 2>/dev/null | norm)"
expect_status "-G expect: no match, exit 1" 1 $CT -G expect $G --dport 40001
expect_status "-G expect: no match, conntrack exits 1 too" 1 $ORACLE -G expect $G --dport 40001 \
	--reply-port-src 1 --reply-port-dst 2
expect_eq "-G expect: no match, same message" "$($CT -G expect $G --dport 40001 2>&1 | tool)" \
	"$($ORACLE -G expect $G --dport 40001 --reply-port-src 1 --reply-port-dst 2 2>&1 | tool)"
expect_status "-G expect without --dport: parameter problem" 2 $CT -G expect $G

# -I: a second data connection for the same master (the ftp helper keeps one
# expectation per master, so the kernel replaces the PASV one).
SP=$($ORACLE -L -p tcp --dport 21 2>/dev/null | grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
M="-s 127.0.0.1 -d 127.0.0.1 -p tcp --sport $SP --dport 21"
X="--tuple-src 127.0.0.1 --tuple-dst 127.0.0.1 --mask-src 255.255.255.255 --mask-dst 255.255.255.255"
P="--tuple-port-src 0 --tuple-port-dst 41000 --mask-port-src 0 --mask-port-dst 65535"
expect_status "-I expect" 0 $CT -I expect $M $X $P -t 100
line=$($ORACLE -L expect 2>/dev/null | grep 'dport=41000')
check "-I expect: conntrack lists it with protocol tcp" grep -q ' proto=6 ' <<<"$line"
check "-I expect: -t 100 is honoured (the kernel starts it at the helper's 300)" \
	test "${line%% *}" -le 100
expect_status "-I expect: it exists, exit 1" 1 $CT -I expect $M $X $P -t 100
# (not against conntrack here: its -I would store protocol 160 and succeed)
expect_eq "-I expect: exists, says so" "$($CT -I expect $M $X $P -t 100 2>&1 | tool)" \
	"conntrack v1.4.7 (TOOL): Operation failed: File exists"
NM="-s 127.0.0.1 -d 127.0.0.1 -p tcp --sport 1 --dport 21"
P2="--tuple-port-src 0 --tuple-port-dst 42000 --mask-port-src 0 --mask-port-dst 65535"
expect_eq "-I expect: no master, same message as conntrack" \
	"$($CT -I expect $NM $X $P2 -t 100 2>&1 | tool)" "$($ORACLE -I expect $NM $X $P2 -t 100 2>&1 | tool)"
expect_status "-I expect: no master, exit 1" 1 $CT -I expect $NM $X $P2 -t 100
expect_status "-I expect: without --mask-src, parameter problem" 2 \
	$CT -I expect $M --tuple-src 127.0.0.1 --tuple-dst 127.0.0.1 $P -t 100
expect_eq "-I expect: missing option, same message as conntrack" \
	"$($CT -I expect $M --tuple-src 127.0.0.1 --tuple-dst 127.0.0.1 $P -t 100 2>&1 | tool)" \
	"$($ORACLE -I expect $M --tuple-src 127.0.0.1 --tuple-dst 127.0.0.1 $P -t 100 2>&1 | tool)"
expect_status "-A expect is refused" 2 $CT -A expect $M $X $P -t 100

# -D by tuple: prints what it deleted. (conntrack 1.4.7 says "0 expectations
# have been shown." and exits 1 after a successful delete; nfsh says what it did.)
out=$($CT -D expect $G --dport 41000 2>"$TMP/err")
rc=$?
expect_eq "-D expect by tuple: exit 0" "$rc" 0
check "-D expect: prints the deleted expectation" grep -q 'dport=41000' <<<"$out"
check "-D expect: says so" grep -q '1 expectations have been deleted' "$TMP/err"
expect_eq "-D expect: gone for conntrack" "$($ORACLE -L expect 2>/dev/null | grep -c 'dport=41000')" 0
expect_status "-D expect: nothing left to match, exit 1 as conntrack" 1 $CT -D expect $G --dport 41000

# -D with filters: only what matches goes.
$CT -I expect $M $X $P -t 100
expect_status "-D expect -p udp: nothing matches, exit 1" 1 $CT -D expect -p udp
expect_eq "-D expect -p udp: kept" "$($ORACLE -L expect 2>/dev/null | grep -c 'dport=41000')" 1
expect_status "-D expect -p tcp --master-dst 127.0.0.0/8" 0 $CT -D expect -p tcp --master-dst 127.0.0.0/8
expect_eq "-D expect with filters: gone" "$($ORACLE -L expect 2>/dev/null | wc -l)" 0

# -F
$CT -I expect $M $X $P -t 100
expect_status "-F expect" 0 $CT -F expect
expect_eq "-F expect empties it" "$($ORACLE -L expect 2>/dev/null | wc -l)" 0
expect_eq "conntrack table kept" "$($ORACLE -L -p tcp --dport 21 2>/dev/null | wc -l)" 1

# -E: the same event lines as conntrack -E expect saw, text and XML. The last
# event is -F's DESTROY, the third of an expectation of port 41000: every
# listener but the udp one has shown it before it is stopped.
destroyed_41000() { [ "$(grep -c "$1" "$2")" -ge 3 ]; }
for f in ev.n ev.o evf.del; do await 20 destroyed_41000 '^\[DESTROY\] .* dport=41000 ' "$TMP/$f"; done
for f in evx.n evx.o; do await 20 destroyed_41000 '<flow type="destroy">.*<dport>41000</dport>' "$TMP/$f"; done
kill -TERM $EV_N $EV_O $EVX_N $EVX_O $EVF_UDP $EVF_DEL
wait $EV_N $EV_O $EVX_N $EVX_O $EVF_UDP $EVF_DEL 2>/dev/null
check "-E expect saw events" test "$(wc -l <"$TMP/ev.o")" -ge 4
expect_eq "-E expect" "$(cat "$TMP/ev.n")" "$(cat "$TMP/ev.o")"
expect_eq "-E expect -o xml" "$(cat "$TMP/evx.n")" "$(cat "$TMP/evx.o")"
check "-E expect: counts them on exit" grep -q "expectation events have been shown" "$TMP/ev.n.err"
expect_eq "-E expect -p udp: no tcp expectation shown" "$(wc -l <"$TMP/evf.udp")" 0
expect_eq "-E expect -e DESTROY --master-dst 127.0.0.1: the DESTROY events only" \
	"$(cat "$TMP/evf.del")" "$(grep '^\[DESTROY\]' "$TMP/ev.o")"
check "-E expect -e DESTROY saw some" test -s "$TMP/evf.del"
kill "$FTP" 2>/dev/null
wait "$FTP" 2>/dev/null
finish

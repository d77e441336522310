#!/bin/bash
# The expectation table against conntrack: an FTP control connection over lo with
# the ftp helper makes the kernel expect the data connection announced by PASV.
. "$(dirname "$0")/../lib/netns.sh"
netns_enter "$@"

CT=${NFSH_CT:-$TOOLSDIR/ct_cli}
ORACLE=${CT_ORACLE:-conntrack}
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

# expect_ftp PORT: a control connection that stays open for a while.
expect_ftp() {
	python3 - "$1" <<'PY' &
import socket,sys,time
p=int(sys.argv[1])
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1",21)); s.listen(1)
c=socket.create_connection(("127.0.0.1",21)); a,_=s.accept()
a.sendall(b"220 hi\r\n"); c.recv(100); c.sendall(b"PASV\r\n"); a.recv(100)
a.sendall(b"227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n" % (p >> 8, p & 255)); c.recv(100)
time.sleep(8)
PY
	sleep 1
}

norm() { sed -E 's/^[0-9]+ /T /' | sort; }
expect_ftp 40000
expect_eq "-L expect" "$($CT -L expect 2>/dev/null | norm)" "$($ORACLE -L expect 2>/dev/null | norm)"
check "an expectation exists" test "$($CT -L expect 2>/dev/null | wc -l)" -ge 1
expect_eq "-C expect" "$($CT -C expect 2>/dev/null)" "$($CT -L expect 2>/dev/null | wc -l)"
expect_status "-F expect" 0 $CT -F expect
expect_eq "-F expect empties it" "$($ORACLE -L expect 2>/dev/null | wc -l)" 0
expect_eq "conntrack table kept" "$($ORACLE -L -p tcp --dport 21 2>/dev/null | wc -l)" 1
wait
finish

#!/usr/bin/env python3
"""Tiny network probes for the behaviour tests (stdlib only, every call bounded).

  probe.py serve ADDR PORT...          accept and close on each port, forever
  probe.py connect HOST PORT TIMEOUT   prints ok | timeout | refused | error:...
  probe.py burst HOST PORT N WAIT      N simultaneous connects; prints how many
                                       completed within WAIT seconds
  probe.py ping HOST TIMEOUT           ICMP echo (raw socket); prints ok | timeout
  probe.py peer HOST PORT TIMEOUT      connect, read the peer's address line
                                       (served by `serve-peer`); prints it
  probe.py serve-peer ADDR PORT...     accept, send "[$PROBE_LABEL ]IP PORT\\n" of the
                                       peer, close
"""
import errno
import os
import select
import socket
import struct
import sys
import time


def serve(addr, ports, tell_peer=False):
    socks = []
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(p)))
        s.listen(256)
        socks.append(s)
    print("listening", flush=True)
    while True:
        r, _, _ = select.select(socks, [], [], 1.0)
        for s in r:
            try:
                c, peer = s.accept()
            except OSError:
                continue
            if tell_peer:
                try:
                    label = os.environ.get("PROBE_LABEL", "")
                    c.sendall(((label + " " if label else "") + "%s %d\n" % peer[:2]).encode())
                except OSError:
                    pass
            c.close()


def connect(host, port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, int(port)))
        return "ok"
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        return "error:%s" % e
    finally:
        s.close()


def peer(host, port, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((host, int(port)))
        data = b""
        while not data.endswith(b"\n"):
            d = s.recv(100)
            if not d:
                break
            data += d
        return data.decode().strip() or "empty"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return "error:%s" % e
    finally:
        s.close()


def burst(host, port, n, wait):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        e = s.connect_ex((host, int(port)))
        if e not in (0, errno.EINPROGRESS):
            s.close()
            continue
        socks.append(s)
    done = 0
    pending = list(socks)
    end = time.monotonic() + wait
    while pending and time.monotonic() < end:
        _, w, _ = select.select([], pending, [], max(0.0, end - time.monotonic()))
        for s in w:
            pending.remove(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                done += 1
    for s in socks:
        s.close()
    return str(done)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xFFFF)
    t += t >> 16
    return ~t & 0xFFFF


def ping(host, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    payload = b"nfsh-probe"
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ident, 1) + payload
    s.sendto(pkt, (host, 0))
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
            if not r:
                break
            data, addr = s.recvfrom(2048)
            ihl = (data[0] & 0x0F) * 4
            typ, _, _, rid, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if typ == 0 and rid == ident and addr[0] == host:
                return "ok"
        return "timeout"
    finally:
        s.close()


def main(a):
    if a[0] == "serve":
        serve(a[1], a[2:])
    elif a[0] == "serve-peer":
        serve(a[1], a[2:], tell_peer=True)
    elif a[0] == "connect":
        print(connect(a[1], a[2], float(a[3])))
    elif a[0] == "peer":
        print(peer(a[1], a[2], float(a[3])))
    elif a[0] == "burst":
        print(burst(a[1], a[2], int(a[3]), float(a[4])))
    elif a[0] == "ping":
        print(ping(a[1], float(a[2])))
    else:
        sys.exit("unknown probe " + a[0])


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/env python3
"""Generate a realistic iptables-save ruleset of about N rules (IPv4): a host
firewall (conntrack/state, multiport, CIDRs, limit, LOG, REJECT), docker-style
filter/nat chains, and kube-proxy-style nat with thousands of service and
endpoint chains (comments, DNAT, MARK). Deterministic for a given N.

Left out because nfsh has no native translation for them yet: -m statistic
(kube-proxy's endpoint load balancing), -m recent, -m set, -m physdev.
Usage: gen_ruleset.py N > rules.v4"""
import random
import sys


def main():
    n = int(sys.argv[1])
    rnd = random.Random(n)
    flt, nat, mangle = [], [], []
    fchains, nchains = [], []

    # Host firewall: ~5% of the rules.
    port_lists = ["22,80,443", "25,465,587", "53,853", "8080,8443,9090", "3000,3001,3002,3003"]
    host = max(20, n // 20)
    flt += ["-A INPUT -i lo -j ACCEPT",
            "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
            "-A INPUT -m conntrack --ctstate INVALID -j DROP",
            "-A INPUT -p icmp -m limit --limit 10/sec --limit-burst 20 -j ACCEPT"]
    fchains += ["HOST-IN", "LOGDROP"]
    flt += ["-A INPUT -j HOST-IN"]
    for i in range(host):
        net = f"10.{rnd.randrange(256)}.{rnd.randrange(256)}.0/24"
        kind = i % 4
        if kind == 0:
            flt.append(f"-A HOST-IN -s {net} -p tcp -m multiport --dports {port_lists[i % 5]} "
                       f"-m conntrack --ctstate NEW -j ACCEPT")
        elif kind == 1:
            flt.append(f"-A HOST-IN -s {net} -p udp -m udp --dport {1024 + i % 50000} -j ACCEPT")
        elif kind == 2:
            flt.append(f"-A HOST-IN -s {net} -p tcp -m tcp --dport {1 + i % 1000} -j REJECT "
                       f"--reject-with tcp-reset")
        else:
            flt.append(f"-A HOST-IN -d {net} -m comment --comment \"blocklist {i}\" -j LOGDROP")
    flt += ["-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"drop: \" --log-level 4",
            "-A LOGDROP -j DROP",
            "-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
            "-A INPUT -j REJECT --reject-with icmp-port-unreachable"]

    # Docker-style: ~15%.
    fchains += ["DOCKER", "DOCKER-ISOLATION-STAGE-1", "DOCKER-ISOLATION-STAGE-2", "DOCKER-USER"]
    nchains += ["DOCKER"]
    flt += ["-A FORWARD -j DOCKER-USER", "-A FORWARD -j DOCKER-ISOLATION-STAGE-1",
            "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "-A FORWARD -o docker0 -j DOCKER", "-A DOCKER-USER -j RETURN"]
    nat += ["-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
            "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER"]
    containers = max(5, n * 15 // 100 // 4)
    for i in range(containers):
        br = f"br-{i:012x}"
        ip = f"172.{16 + i // 65536 % 16}.{i // 256 % 256}.{i % 256 or 1}"
        port = 10000 + i % 50000
        flt.append(f"-A DOCKER -d {ip}/32 ! -i {br} -o {br} -p tcp -m tcp --dport 80 -j ACCEPT")
        flt.append(f"-A DOCKER-ISOLATION-STAGE-1 -i {br} ! -o {br} -j DOCKER-ISOLATION-STAGE-2")
        nat.append(f"-A POSTROUTING -s {ip}/32 -d {ip}/32 -p tcp -m tcp --dport 80 -j MASQUERADE")
        nat.append(f"-A DOCKER ! -i {br} -p tcp -m tcp --dport {port} -j DNAT --to-destination {ip}:80")
    flt += ["-A DOCKER-ISOLATION-STAGE-1 -j RETURN", "-A DOCKER-ISOLATION-STAGE-2 -j RETURN"]

    # kube-proxy-style nat: the rest, one service chain and 1-3 endpoint chains each.
    nchains += ["KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-MARK-MASQ", "KUBE-NODEPORTS"]
    nat += ["-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
            "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
            "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
            "-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0",
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE"]
    svc = 0
    while len(flt) + len(nat) + len(mangle) < n:
        h = f"{rnd.getrandbits(64):016X}"
        name, ns = f"svc-{svc}", f"ns{svc % 40}"
        cip = f"10.96.{svc // 256 % 256}.{svc % 256}"
        proto = "tcp" if svc % 5 else "udp"
        port = [80, 443, 53, 8080, 9090][svc % 5]
        schain = f"KUBE-SVC-{h}"
        nchains.append(schain)
        nat.append(f"-A KUBE-SERVICES -d {cip}/32 -p {proto} -m comment --comment \"{ns}/{name}:http cluster IP\" "
                   f"-m {proto} --dport {port} -j {schain}")
        nat.append(f"-A {schain} ! -s 10.244.0.0/16 -d {cip}/32 -p {proto} -m comment --comment \"{ns}/{name}:http cluster IP\" "
                   f"-m {proto} --dport {port} -j KUBE-MARK-MASQ")
        for ep in range(1 + svc % 3):
            echain = f"KUBE-SEP-{rnd.getrandbits(64):016X}"
            nchains.append(echain)
            eip = f"10.244.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
            nat.append(f"-A {schain} -m comment --comment \"{ns}/{name}:http -> {eip}:{port}\" -j {echain}")
            nat.append(f"-A {echain} -s {eip}/32 -m comment --comment \"{ns}/{name}:http\" -j KUBE-MARK-MASQ")
            nat.append(f"-A {echain} -p {proto} -m comment --comment \"{ns}/{name}:http\" -m {proto} "
                       f"-j DNAT --to-destination {eip}:{port}")
        if svc % 10 == 0:
            mangle.append(f"-A PREROUTING -d {cip}/32 -p {proto} -m {proto} --dport {port} -j MARK --set-xmark 0x{svc % 256:x}/0xff")
        svc += 1
    nat.append("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")

    def table(name, builtins, chains, rules):
        out = [f"*{name}"] + [f":{b} ACCEPT [0:0]" for b in builtins]
        out += [f":{c} - [0:0]" for c in chains] + rules + ["COMMIT"]
        return out

    lines = ["# Generated by gen_ruleset.py " + str(n)]
    lines += table("mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"], [], mangle)
    lines += table("nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"], nchains, nat)
    lines += table("filter", ["INPUT", "FORWARD", "OUTPUT"], fchains, flt)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

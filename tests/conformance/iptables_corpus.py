#!/usr/bin/env python3
"""Conformance runner: nfsh against the iptables corpus (../shared/corpus/iptables).

Two modes, both run in private network namespaces (root: `ip netns add`; the
host ruleset is never touched):

  txlate  For each iptables/ip6tables case of a .txlate file:
          namespace A: `nfsh -4|-6 ARGS` (the `iptables-translate` word removed);
          namespace B: `nft -f -` with a plain table/chain and the expected line(s);
          both listed with `nft -j list ruleset`, the rules' `expr` arrays compared.
          Commands other than -A/-I are compared as text with `nfsh translate`.
          Expected text that libnftables here cannot load is SKIP (with nft's error).
  t       iptables-test.py semantics: for every rule line, every chain of the
          `:CHAINS` header, in the `*table`: `nfsh [-6] -t TABLE -A CHAIN RULE`;
          FAIL: non-zero exit and the ruleset unchanged; OK: exit 0 and
          `nfsh -t TABLE -S CHAIN` has the line; NOMATCH: accepted, line absent.

Normalisations applied before comparing expr arrays (and nothing else):
  * counter values dropped ({"counter": {...}} -> {"counter": null}): iptables
    rules always count and the values are traffic, not translation;
  * ct original/reply address keys: "ip saddr"/"ip6 saddr"/... -> "saddr"
    (the family-qualified and the bare key are the same kernel expression;
    libnftables 1.0.6 lists whichever key was used, see FACTS.md);
  * element order of anonymous sets and of flag lists on the right of a
    match (a set is unordered; `ct state new,related` == `related,new`);
  * the rule comment: nfsh keeps a form tag ("nfsh:m=state", or " ;nfsh:..."
    after the user's text) in it; only the user's part is compared with the
    expected rule's comment;
  * table names: nfsh's `nfsh-T` corresponds to iptables' `T`.
Handles are not part of expr arrays and are ignored. When the normalised
expr arrays differ but both rules have the same kernel bytecode
(`nft --debug=netlink list chain`, counter values dropped, anonymous sets
replaced by their sorted elements), the case passes and is named in the summary:
libnftables 1.0.6 lists one kernel expression differently depending on whether
it was built from text or from JSON (seen with CONNMARK --set-xmark).
Chains the corpus uses that are not built-in chains of the table (upstream's
replay mode uses plain chains, e.g. `-t nat -A prerouting`) are created with
`nfsh -N` first, as are the chains a rule jumps to.

Exit status: 0 when no case of the gated (must-pass) files failed, 1 otherwise
(always 0 with --no-gate). The last line is "N passed, N failed, N skipped".
"""
import argparse
import ctypes
import json
import os
import re
import shlex
import signal
import subprocess
import sys

CLONE_NEWNET = 0x40000000

# Issue 2: the files that must pass (state, conntrack, tcp, udp, icmp, icmp6,
# multiport, limit, comment, mark, iprange, mac, addrtype, pkttype, standard
# targets, REJECT, LOG).
GATED_TXLATE = [
    "generic.txlate", "libxt_conntrack.txlate", "libxt_tcp.txlate", "libxt_udp.txlate",
    "libipt_icmp.txlate", "libip6t_icmp6.txlate", "libxt_multiport.txlate",
    "libxt_limit.txlate", "libxt_comment.txlate", "libxt_mark.txlate",
    "libxt_iprange.txlate", "libxt_mac.txlate", "libxt_addrtype.txlate",
    "libxt_pkttype.txlate", "libipt_REJECT.txlate", "libip6t_REJECT.txlate",
    "libipt_LOG.txlate", "libip6t_LOG.txlate",
]
GATED_T = [
    "libxt_state.t", "libxt_conntrack.t", "libipt_conntrack.t", "libip6t_conntrack.t",
    "libxt_tcp.t", "libxt_udp.t", "libipt_icmp.t", "libip6t_icmp6.t", "libxt_multiport.t",
    "libxt_limit.t", "libxt_comment.t", "libxt_mark.t", "libxt_iprange.t",
    "libipt_iprange.t", "libip6t_iprange.t", "libxt_mac.t", "libxt_addrtype.t",
    "libxt_pkttype.t", "libxt_standard.t", "libipt_standard.t", "libip6t_standard.t",
    "iptables.t", "libipt_REJECT.t", "libip6t_REJECT.t", "libipt_LOG.t", "libip6t_LOG.t",
]

TIMEOUT = 20

BUILTIN = {
    "filter": {"INPUT", "FORWARD", "OUTPUT"},
    "nat": {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"},
    "mangle": {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"},
    "raw": {"PREROUTING", "OUTPUT"},
    "security": {"INPUT", "FORWARD", "OUTPUT"},
}

# Known limitations of this libnftables (1.0.6): a case that nfsh refuses with
# exactly this libnftables error, for a rule of this shape, is SKIP with the
# reason, never a silent pass. Each entry was checked by hand with plain nft.
KNOWN_LIMITS = [
    # `nft add rule ip t c ct original proto-src 3-4` fails the same way: the
    # port datatype comes from a ct protocol match, newer nft infers it.
    (lambda rule: re.search(r"--ct(orig|repl)(src|dst)port", rule)
     and "--ctproto" not in rule,
     "Can't parse symbolic invalid expressions",
     "libnftables 1.0.6 cannot parse ct proto-src/proto-dst without ct protocol "
     "(plain nft text fails too)"),
    # A native rule comment lives in the rule's userdata: NFT_USERDATA_MAXLEN is
    # 256 bytes, minus the TLV header (2) and the NUL: 253 characters. iptables'
    # xt comment holds 255. nfsh refuses with the reason (DESIGN: no xt compat).
    (lambda rule: any(len(m) > 253 for m in re.findall(r"--comment\s+(\S+)", rule)),
     "an nftables rule comment holds at most 253",
     "kernel limit: a native rule comment holds 253 characters (NFT_USERDATA_MAXLEN 256); "
     "iptables' xt comment holds 255"),
    # `ct expiration` is u32 milliseconds in nftables: at most 4294967 s;
    # iptables --ctexpire counts seconds up to 2^32-1. nfsh refuses larger values.
    (lambda rule: any(int(v) > 4294967 for v in
                      re.findall(r"--ctexpire\s+(?:\d+:)?(\d+)", rule)),
     "beyond what the kernel can hold",
     "nftables limit: ct expiration is u32 milliseconds (at most 4294967 s)"),
]


# Corpus vectors whose expected text does not mean what the iptables rule does.
# SKIP with the reason; each one checked against the kernel's xt code and the
# bytecode nft builds from the expected text.
CORPUS_ERRATA = {
    # xt_connmark: newmark = (ctmark & ~ctmask) ^ ctmark_value, i.e.
    # (m & 0xffffffed) ^ 0x16. The expected `ct mark xor 0x16 and 0xffffffed`
    # parses with nft's C-like precedence as m ^ (0x16 & 0xffffffed) = m ^ 0x4
    # (bytecode: ( reg 1 & 0xffffffff ) ^ 0x00000004), which leaves bits 0x12
    # alone instead of setting them. nfsh emits (m & 0xffffffed) ^ 0x16.
    ("libxt_CONNMARK.txlate", "-j CONNMARK --set-xmark 0x16/0x12"):
        "corpus erratum: the expected text is ct mark ^ 0x4 by nft's precedence; "
        "--set-xmark 0x16/0x12 is (ct mark & ~0x12) ^ 0x16 (xt_connmark.c)",
    # ip6t_ah: hdrlen = ipv6_authlen(ah) = (field + 2) * 4 bytes is compared with
    # --ahlen; the expected text compares the raw field with the byte count.
    # 120 bytes is "ah hdrlength 28". And --ahres matches only when the reserved
    # field is zero (!(hdrres && ah->reserved)); the expected "reserved 1" is the
    # opposite. nfsh emits "ah reserved 0".
    ("libip6t_ah.txlate", "-m ah ! --ahlen 120"):
        "corpus erratum: --ahlen counts bytes ((field+2)*4, ip6t_ah.c): 120 is hdrlength 28",
    ("libip6t_ah.txlate", "-m ah --ahspi 500 ! --ahlen 120 -j DROP"):
        "corpus erratum: --ahlen counts bytes ((field+2)*4, ip6t_ah.c): 120 is hdrlength 28",
    ("libip6t_ah.txlate", "-m ah --ahspi 500 --ahlen 120 --ahres -j ACCEPT"):
        "corpus erratum: --ahlen 120 is hdrlength 28, and --ahres means reserved == 0 "
        "(ip6t_ah.c: !(hdrres && ah->reserved))",
    ("libip6t_ah.txlate", "-m ah --ahres"):
        "corpus erratum: --ahres matches reserved == 0 (ip6t_ah.c: !(hdrres && ah->reserved)); "
        "the expected text tests reserved == 1",
    # ip6t_frag: !((flags & IP6T_FRAG_RES) && (fh->reserved || (frag_off & 0x6))):
    # --fragres wants both reserved fields zero; expected "reserved 1" is the opposite.
    ("libip6t_frag.txlate", "-m frag --fragid 100 --fragres --fragmore -j ACCEPT"):
        "corpus erratum: --fragres matches reserved == 0 and reserved2 == 0 (ip6t_frag.c); "
        "the expected text tests reserved == 1",
    # xt_cluster hashes jhash_1word(ntohl(saddr), seed); nft's jhash hashes the
    # address bytes as loaded in host order (get_unaligned_cpu32): on a
    # little-endian host another value, so the nodes would split the load
    # differently. The vectors also give node K as "eq K" (xt: hash == K-1).
    ("libxt_cluster.txlate", ""):
        "corpus erratum: nft jhash of ct original saddr is not xt_cluster's jhash_1word of the "
        "host-order address (little-endian hosts), and node K is hash K-1; nfsh refuses cluster",
    # libxt_devgroup's xlate keeps op = "!=" from the source group for the
    # destination group: the expected text inverts --dst-group, which is not
    # negated in the rule. nfsh emits oifgroup & 0xc == 0xc.
    ("libxt_devgroup.txlate", "-m devgroup ! --src-group 0x2 --dst-group 0xc/0xc -j ACCEPT"):
        "corpus erratum: only --src-group is negated; the expected text also negates "
        "--dst-group (libxt_devgroup xlate does not reset its operator)",
    # xt_DSCP.c tos_tg6: nv = (orig & ~tos_mask) ^ tos_value, written over the
    # whole traffic class (ipv6_change_dsfield(iph, 0, nv)), ECN bits included.
    # A number means VALUE/0xff, a name NAME/0x3f. The expected texts set the
    # 6-bit DSCP field only: 0x1f/0xff also sets ECN to 3 (CE), 0xff/0xff
    # likewise; with the names' mask 0x3f xt keeps the two top (precedence)
    # bits and writes the ECN bits, the expected text overwrites all six DSCP
    # bits and leaves ECN. nfsh emits dscp + ecn sets, or for 0x3f a raw
    # @nh,0,16 write keeping bits 7-6 (Normal-Service, 0x00/0x3f, is refused:
    # 1.0.6 lists that bare-AND write with the mask inverted).
    ("libxt_TOS.txlate", "-j TOS --set-tos 0x1f"):
        "corpus erratum: --set-tos 0x1f is 0x1f/0xff over the whole traffic class (xt_DSCP.c "
        "tos_tg6): ECN becomes 3 too; the expected text sets DSCP only",
    ("libxt_TOS.txlate", "-j TOS --set-tos 0xff"):
        "corpus erratum: --set-tos 0xff is 0xff/0xff over the whole traffic class (xt_DSCP.c "
        "tos_tg6): ECN becomes 3 too; the expected text sets DSCP only",
    ("libxt_TOS.txlate", "-j TOS --set-tos Minimize-Delay"):
        "corpus erratum: a name means NAME/0x3f (xt_DSCP.c tos_tg6): the two top bits are "
        "kept and ECN is cleared; the expected ip6 dscp set 0x04 overwrites all six DSCP bits "
        "and keeps ECN",
    ("libxt_TOS.txlate", "-j TOS --set-tos Minimize-Cost"):
        "corpus erratum: Minimize-Cost is 0x02/0x3f (xt_DSCP.c tos_tg6): ECN becomes 2 "
        "(ECT(0)) and the two top bits are kept; the expected ip6 dscp set cs0 does neither",
    ("libxt_TOS.txlate", "-j TOS --set-tos Normal-Service"):
        "corpus erratum: Normal-Service is 0x00/0x3f (xt_DSCP.c tos_tg6): ECN is cleared and "
        "the two top bits kept; the expected ip6 dscp set cs0 does neither (nfsh refuses it: "
        "1.0.6 lists the exact raw write with its mask inverted)",
    # xt_connmark.c connmark_tg_shift: newmark = ((ctmark & ~ctmask) ^ ctmark_value)
    # >> shift; --set-mark 0x23/0x42 is ctmask 0x63. The expected
    # `( ct mark xor 0x23 and 0xffffff9c ) >> 5` is ct mark ^ (0x23 & 0xffffff9c) =
    # ct mark ^ 0 by nft's precedence (as the --set-xmark vector above): the
    # bytecode is a bare ct mark >> 5.
    ("libxt_CONNMARK.txlate", "-j CONNMARK --set-mark 0x23/0x42 --right-shift-mark 5"):
        "corpus erratum: by nft's precedence the expected text is (ct mark ^ 0) >> 5; "
        "--set-mark 0x23/0x42 is ((ct mark & ~0x63) ^ 0x23) >> 5 (xt_connmark.c)",
    # xt_ecn.c match_tcp: inverted --ecn-tcp-ece means the ECE bit is clear. The
    # expected `tcp flags != ecn` compiles to "flags byte != 0x40" (cmp neq
    # 0x00000040 in --debug=netlink), true for ECE|ACK. nfsh emits tcp flags ! ecn.
    ("libxt_ecn.txlate", "-m ecn ! --ecn-tcp-ece"):
        "corpus erratum: ! --ecn-tcp-ece is \"ECE bit clear\" (xt_ecn.c); the expected "
        "tcp flags != ecn compares the whole flag byte with 0x40",
}


def erratum(fname, command):
    for (f, frag), why in CORPUS_ERRATA.items():
        if f == fname and command.rstrip().endswith(frag):
            return why
    return None


# Features the corpus' newer nftables has and 1.0.6 lacks (checked with plain
# nft text: "syntax error, unexpected ah|esp|option"): nfsh refuses with a
# message naming libnftables 1.0.6.
KNOWN_LIMITS += [
    (lambda rule: re.search(r"-m (ah|esp)\b", rule),
     "libnftables 1.0.6 does not support",
     "libnftables 1.0.6 has no \"exthdr ah|esp exists\" (an IPv6 AH/ESP header without a "
     "field test)"),
    (lambda rule: "--chunk-types" in rule,
     "libnftables 1.0.6 does not support",
     "libnftables 1.0.6 has no sctp chunk i-data, re-config, pad, i-forward-tsn (so no "
     "--chunk-types only either)"),
    # `nft add rule ip t c quota 18446744073709551615 bytes`: "Value too large
    # for defined data type" (the kernel's nft_quota refuses > S64_MAX).
    (lambda rule: any(int(v) > 2**63 - 1 for v in re.findall(r"--quota\s+(\d+)", rule)),
     "beyond what the kernel can hold",
     "kernel limit: an nftables quota is at most 2^63-1 bytes (EOVERFLOW); xt_quota holds 2^64-1"),
    # `nft add rule ... socket cgroupv2 level 0 "/"` loads, `nft -j list` shows
    # {"socket": {"key": "cgroupv2"}} == "1": level and path are gone.
    (lambda rule: re.search(r"-m cgroup .*--path", rule),
     "listed by libnftables 1.0.6 as a bare cgroup id",
     "libnftables 1.0.6 lists socket cgroupv2 without level or path: --path cannot be read back"),
    # No nftables version has these (not a 1.0.6 gap): nfsh refuses them by
    # design (DESIGN.md: no xt compat, no approximation), naming the match.
    (lambda rule: re.search(r"--monthdays|--kerneltz|--contiguous|--fraglen|--(hbh|dst)-opts|"
                            r"--rt-0-|--accept-local|-m policy .*--(strict|reqid|spi|proto|mode|tunnel)|"
                            r"-m (u32|string|bpf|osf|eui64|ipv6header|recent|physdev|cluster|set|nfacct|rateest|"
                            r"ipvs|srh)\b|-j (SET|IDLETIMER|LED|CHECKSUM|HMARK|RATEEST|SECMARK|"
                            r"CONNSECMARK|TCOPTSTRIP|TCPOPTSTRIP|ECN|DNPT|SNPT)\b", rule),
     "has no native nftables form",
     "no native nftables form: refused by design with the reason and an alternative"),
    # ip6tables compares --hbh-len/--dst-len/--rt-len (and --ahlen) in bytes,
    # ipv6_optlen() = (field+1)*8 (ipv6_authlen() = (field+2)*4): other values
    # are accepted by ip6tables and never match; nfsh refuses them.
    (lambda rule: re.search(r"--(hbh|dst|rt|ah)-?len", rule),
     "can never match",
     "the header length is compared in bytes (a multiple of 8, of 4 for AH): this value can "
     "never match, nfsh refuses it"),
    # {"mangle": {"key": meta mark, "value": {"socket": {"key": "mark"}}}}:
    # "Expression type socket not allowed in context (STMT)" (JSON only).
    (lambda rule: "--restore-skmark" in rule,
     "libnftables 1.0.6 does not support",
     "libnftables 1.0.6's JSON parser refuses a socket expression as a statement value "
     "(meta mark set socket mark)"),
    (lambda rule: "--dccp-option" in rule,
     "libnftables 1.0.6 does not support",
     "libnftables 1.0.6 has no \"dccp option N exists\""),
]


# Refused BY DESIGN: no exact native nftables form (or none this kernel or
# libnftables can load). Each was checked against the kernel's xt code and
# nft; the refusal text is what nfsh must print for the case to be SKIP. To
# add one: (shape of the rule, text nfsh prints, reason shown in the summary).
KNOWN_LIMITS += [
    # nft_bitwise has and/or/xor and shifts, no add; `ip ttl set ip ttl - 1`
    # is a syntax error in nft. xt_TTL/xt_HL add or subtract.
    (lambda rule: re.search(r"--(ttl|hl)-(inc|dec)\b", rule),
     "cannot add to or subtract from a header field",
     "no native form: --ttl-inc/--ttl-dec/--hl-inc/--hl-dec add to the field; nft_bitwise "
     "has and/or/xor and shifts only (nft: ip ttl set ip ttl - 1 is a syntax error)"),
    # xt NAT with NF_NAT_RANGE_PROTO_OFFSET (/BASE): nft 1.0.6 has no base
    # port (`dnat to 1.1.1.1:1000-2000/1000`: syntax error at '/').
    (lambda rule: re.search(r"--to-(destination|source)\s+\S*:\S*/", rule),
     "a port shift (/BASE) has no nftables form",
     "no native form here: the NAT port shift (/BASE) has no field in libnftables 1.0.6's "
     "nat statement (nft: syntax error at '/')"),
    # xt_TCPMSS tcpmss_mangle_packet inserts an MSS option into a SYN that has
    # none; nft's tcp option maxseg size set rewrites an existing one only.
    (lambda rule: re.search(r"-j TCPMSS\b", rule),
     "-j TCPMSS has no exact nftables form",
     "no exact native form: xt_TCPMSS also adds an MSS option to SYNs without one; nft's "
     "tcp option maxseg size set only rewrites an existing option"),
    # xt_helper tests nfct_help(ct->master); nft's ct helper the connection's own.
    (lambda rule: re.search(r"-m helper\b", rule),
     "-m helper has no nftables form",
     "no native form: xt_helper tests the helper of the connection's master (expected "
     "connections), nft's ct helper the connection's own helper"),
    # owner_mt: no socket -> (match ^ invert) == 0, true when inverted.
    (lambda rule: re.search(r"! --(uid|gid)-owner", rule),
     "has no exact nftables form: iptables also matches packets without a socket",
     "no exact native form: inverted, xt_owner matches packets without a socket; nft's "
     "meta skuid/skgid never match them"),
    (lambda rule: "--suppl-groups" in rule,
     "--suppl-groups has no nftables form",
     "no native form: --suppl-groups tests the socket file's supplementary groups "
     "(xt_owner); nft's meta skgid tests the primary group only"),
    # nft_ct NFT_CT_EVENTMASK sets the conntrack event mask; the expectation
    # event mask (xt_CT expmask) has no nft key.
    (lambda rule: "--expevents" in rule,
     "nftables has no expectation event mask",
     "no native form: nft's ct event set covers conntrack events only; xt_CT's "
     "expectation event mask has no nft key"),
    # xt_connmark: mark = (mark & ~nfmask) ^ (ctmark & ctmask) (restore) and
    # the mirror for save: a partial destination mask merges two registers;
    # nft_bitwise in 1.0.6 takes one register and constants.
    (lambda rule: re.search(r"--(restore|save)-mark", rule),
     "two registers in one expression",
     "no native form in libnftables 1.0.6: a partial destination mask merges packet and "
     "connection mark (two registers); nft_bitwise here combines one register with constants"),
    # FACTS.md: `nft add rule ip t c queue num 1` -> ENOENT on this kernel.
    (lambda rule: re.search(r"-j NFQUEUE\b", rule),
     "this kernel has no nft queue expression",
     "kernel limitation: no nft queue expression here (CONFIG_NFT_QUEUE unset; nft add rule "
     "... queue num 1: No such file or directory); nfsh uses no xt compat"),
    # xt_tcpmss: a TCP packet without an MSS option matches when inverted
    # ("out: return info->invert"); nft's exthdr load breaks the rule instead.
    (lambda rule: re.search(r"-m tcpmss\b.*! --mss", rule),
     "-m tcpmss ! --mss has no exact native form",
     "no exact native form: inverted, xt_tcpmss matches TCP packets without an MSS option; "
     "nft's tcp option maxseg size != N does not"),
    # xt_DSCP.c tos_tg: (orig & ~mask) ^ value over the whole byte. nft 1.0.6
    # sets the DSCP and ECN fields only to constants (a sub-byte field's value
    # must be constant) and a raw @nh,8,8 write leaves the IPv4 checksum stale
    # (csum_type 0 in --debug=netlink): a mask that splits a field is refused
    # for IPv4. For IPv6 the raw @nh,0,16 write is exact, except a bare AND
    # (VALUE 0), which 1.0.6 lists with the mask inverted.
    (lambda rule: re.search(r"-j TOS\b", rule),
     "which has no exact native form for IPv4",
     "no exact native form for IPv4: a mask that keeps or flips part of the DSCP or ECN field "
     "needs a raw @nh,8,8 write, which leaves the header checksum stale; 1.0.6 sets those "
     "fields only to constants"),
    # xt_hashlimit's bucket count and gc sweep have no nft counterpart (a meter
    # forgets an entry exactly at its timeout); --hashlimit-rate-match measures
    # a rate per interval where nft's limit is a token bucket.
    (lambda rule: re.search(r"--hashlimit-(htable-gcinterval|htable-size|rate-match|rate-interval)\b", rule),
     "has no native nftables form",
     "no native nftables form: xt_hashlimit's gc interval and bucket count have no nftables "
     "counterpart (nft expires meter entries exactly at their timeout), and "
     "--hashlimit-rate-match measures a rate per interval where nft's limit is a token bucket"),
    (lambda rule: re.search(r"-j TOS\b", rule),
     "is listed by libnftables 1.0.6 with the mask inverted",
     "libnftables 1.0.6 lists the exact raw write (@nh,0,16 set @nh,0,16 & K) with K inverted, "
     "so a reloaded listing would be another rule: refused"),
]


# .t lines that iptables refuses (;;FAIL) and nfsh accepts BY DESIGN, because
# the native form is exact and iptables-translate writes it: SKIP with the
# reason. (shape of the rule, reason.)
ACCEPTED_BEYOND_IPTABLES = [
    # xt_tcpmss has .proto = IPPROTO_TCP; nft_exthdr_tcp_eval finds no TCP
    # header in a non-TCP packet and breaks the rule: only TCP packets match.
    (lambda rule: re.search(r"-m tcpmss\b", rule) and not re.search(r"-p\s+tcp\b", rule),
     "accepted by design: iptables wants -p tcp for -m tcpmss (xt_tcpmss .proto); nft's tcp "
     "option maxseg tests the protocol itself (libxt_tcpmss.txlate translates it)"),
    # ecn_mt_check4 wants -p tcp for ECE/CWR; nft adds meta l4proto tcp before
    # tcp flags (--debug=netlink).
    (lambda rule: re.search(r"--ecn-tcp-(ece|cwr)", rule) and not re.search(r"-p\s+tcp\b", rule),
     "accepted by design: iptables wants -p tcp for --ecn-tcp-ece/cwr (xt_ecn); nft puts meta "
     "l4proto tcp before tcp flags itself (libxt_ecn.txlate translates it)"),
]


def accepted_beyond(rule):
    for shape, why in ACCEPTED_BEYOND_IPTABLES:
        if shape(rule):
            return why
    return None


def known_limit(rule, stderr):
    for shape, msg, why in KNOWN_LIMITS:
        if shape(rule) and msg in stderr:
            return why
    return None

_libc = ctypes.CDLL(None, use_errno=True)


class Netns:
    """A named network namespace (`ip netns add`), entered by child processes."""

    def __init__(self, name):
        self.name = name
        subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.path = "/run/netns/" + name
        fd = os.open(self.path, os.O_RDONLY)
        self.fd = fd
        # Fail loudly now rather than run something in the host namespace later.
        r = self.run(["ip", "link", "set", "lo", "up"])
        if r.returncode != 0:
            raise RuntimeError("cannot enter namespace %s: %s" % (name, r.stderr))
        # Some expected texts name interfaces by index (oif "eth0", TEE --oif):
        # the same dummy interfaces exist on both sides.
        # (no dummy module on this kernel: a veth pair gives both names)
        self.run(["ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth1"])
        me = os.readlink("/proc/self/ns/net")
        r = self.run(["readlink", "/proc/self/ns/net"])
        if r.stdout.strip() == me:
            raise RuntimeError("namespace %s is the host namespace" % name)

    def _enter(self):
        if _libc.setns(self.fd, CLONE_NEWNET) != 0:
            os._exit(126)

    def run(self, argv, stdin=None):
        try:
            return subprocess.run(argv, input=stdin, capture_output=True, text=True,
                                  preexec_fn=self._enter, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(argv, 124, "", "timeout after %ds" % TIMEOUT)

    def ruleset(self):
        r = self.run(["nft", "-j", "list", "ruleset"])
        if r.returncode != 0:
            raise RuntimeError("nft -j list ruleset: " + r.stderr.strip())
        return [o for o in json.loads(r.stdout)["nftables"] if "metainfo" not in o]

    def flush(self):
        r = self.run(["nft", "flush", "ruleset"])
        if r.returncode != 0:
            raise RuntimeError("nft flush ruleset: " + r.stderr.strip())

    def close(self):
        try:
            os.close(self.fd)
        except OSError:
            pass
        subprocess.run(["ip", "netns", "del", self.name], stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------- normalise

def split_comment(c):
    """The user's part of an nfsh rule comment (see xlate_split_comment)."""
    if c is None:
        return None
    if c.startswith("nfsh:"):
        return None
    i = c.rfind(" ;nfsh:")
    if i >= 0:
        c = c[:i]
    return c if c else None


def norm(x):
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k == "counter":
                out[k] = None
                continue
            if k == "ct" and isinstance(v, dict) and isinstance(v.get("key"), str):
                v = dict(v)
                m = re.match(r"^(ip|ip6) (saddr|daddr)$", v["key"])
                if m:
                    v["key"] = m.group(2)
            out[k] = norm(v)
        if "set" in out and isinstance(out["set"], list):
            out["set"] = sorted(out["set"], key=lambda e: json.dumps(e, sort_keys=True))
        if "match" in out and isinstance(out["match"], dict):
            r = out["match"].get("right")
            if isinstance(r, list):
                out["match"]["right"] = sorted(r, key=lambda e: json.dumps(e, sort_keys=True))
        return out
    if isinstance(x, list):
        return [norm(e) for e in x]
    return x


def rules_of(ruleset, family, table, chain=None):
    """[(expr, user comment)] of the rules of table (and chain), in order."""
    out = []
    for o in ruleset:
        r = o.get("rule")
        if not r or r["family"] != family or r["table"] != table:
            continue
        if chain is not None and r["chain"] != chain:
            continue
        out.append({"chain": r["chain"], "expr": norm(r.get("expr", [])),
                    "comment": split_comment(r.get("comment"))})
    return out


def canon(ruleset):
    """The ruleset without handles and counter values, for before/after checks."""
    def strip(x):
        if isinstance(x, dict):
            return {k: (None if k == "counter" else strip(v)) for k, v in x.items()
                    if k != "handle"}
        if isinstance(x, list):
            return [strip(e) for e in x]
        return x
    return json.dumps(strip(ruleset), sort_keys=True)


def brief(rules):
    return json.dumps([{"expr": r["expr"], **({"comment": r["comment"]} if r["comment"] else {})}
                       for r in rules], sort_keys=True)


# ---------------------------------------------------------------- results

class Stats:
    def __init__(self):
        self.files = {}  # (mode, file) -> [pass, fail, skip]
        self.failures = []  # (mode, file, desc, got, want)
        self.skips = []
        self.bytecode_passes = []  # passes decided by identical kernel bytecode

    def add(self, mode, fname, res, desc="", got="", want=""):
        c = self.files.setdefault((mode, fname), [0, 0, 0])
        if res == "pass":
            c[0] += 1
        elif res == "fail":
            c[1] += 1
            self.failures.append((mode, fname, desc, got, want))
        else:
            c[2] += 1
            self.skips.append((mode, fname, desc, got))


# ---------------------------------------------------------------- txlate

def parse_txlate(path):
    """[(lineno, command, [expected lines])] of iptables/ip6tables cases."""
    cases = []
    cur = None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                cur = None
                continue
            if re.match(r"^(ip6?tables|arptables|ebtables)-translate\b", line):
                cur = [n, line, []]
                cases.append(cur)
            elif cur is not None:
                cur[2].append(line)
    return [tuple(c) for c in cases if c[1].startswith(("iptables-", "ip6tables-"))]


def unwrap(line):
    line = line.strip()
    if line.startswith("nft '") and line.endswith("'"):
        return line[5:-1]
    if line.startswith("nft "):
        return line[4:]
    return line


def cmd_shape(args):
    """(table, command letter, chain) of an iptables argument list."""
    table, op, chain = "filter", None, None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-t", "--table") and i + 1 < len(args):
            table = args[i + 1]
            i += 2
            continue
        if a.startswith("--table="):
            table = a.split("=", 1)[1]
        elif a in ("-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace",
                   "-C", "--check", "-N", "--new-chain", "-X", "--delete-chain", "-F",
                   "--flush", "-P", "--policy", "-Z", "--zero", "-E", "--rename-chain",
                   "-L", "--list", "-S", "--list-rules"):
            op = {"--append": "A", "--insert": "I", "--delete": "D", "--replace": "R",
                  "--check": "C", "--new-chain": "N", "--delete-chain": "X", "--flush": "F",
                  "--policy": "P", "--zero": "Z", "--rename-chain": "E", "--list": "L",
                  "--list-rules": "S"}.get(a, a[1:])
            if i + 1 < len(args) and not args[i + 1].startswith("-"):
                chain = args[i + 1]
        i += 1
    return table, op, chain


def norm_text(line):
    """nft command text: nfsh's nfsh-T table named T, wrapper and spacing removed."""
    t = unwrap(line)
    t = re.sub(r"\bnfsh-(filter|nat|mangle|raw|security)\b", r"\1", t)
    return " ".join(t.split())


def ct_addr_misstored(nft_lines, want):
    """libnftables 1.0.6 stores `ct original saddr 10.100.0.0/255.255.0.0` (nft
    text, bare key) as the address 0.0.10.100 (FACTS.md): the expected rule
    cannot be built here. Detected from the outcome: the text has a masked ct
    address but the listing has no prefix/mask on the right."""
    if not any(re.search(r"\bct (original|reply) (ip6? )?(saddr|daddr) \S+/", l)
               for l in nft_lines):
        return None
    for r in want:
        for e in r["expr"]:
            m = e.get("match") if isinstance(e, dict) else None
            if m and isinstance(m.get("left"), dict) and "ct" in m["left"] \
                    and m["left"]["ct"].get("key") in ("saddr", "daddr") \
                    and isinstance(m.get("right"), str):
                return ("libnftables 1.0.6 mis-stores a masked `ct %s %s` given as text "
                        "(listed %s; FACTS.md)" % (m["left"]["ct"].get("dir"),
                                                   m["left"]["ct"]["key"], m["right"]))
    return None


def bytecode(ns, fam, table, chain):
    """Per rule of the chain, the kernel bytecode as `nft --debug=netlink` prints it;
    counter values dropped, anonymous set names replaced by their sorted elements.
    None when it cannot be listed."""
    r = ns.run(["nft", "--debug=netlink", "list", "chain", fam, table, chain])
    if r.returncode != 0:
        return None
    sets, rules, cur_set, cur_rule = {}, [], None, None
    for line in r.stdout.splitlines():
        if line.startswith("table "):
            break
        m = re.match(r"^\S+ \S+ @(\S+)$", line)
        if m:
            cur_set, cur_rule = m.group(1), None
            sets[cur_set] = []
            continue
        if re.match(r"^\S+ \S+ \S+ \d+$", line):
            cur_set, cur_rule = None, []
            rules.append(cur_rule)
            continue
        if line.startswith("\t") and cur_set is not None:
            sets[cur_set] += [e.strip() for e in line.split("\t") if e.strip()]
        elif line.startswith("  [") and cur_rule is not None:
            l = re.sub(r"\[ counter pkts \d+ bytes \d+ \]", "[ counter ]", line.strip())
            cur_rule.append(l)
    out = []
    for rule in rules:
        o = []
        for l in rule:
            m = re.search(r"\bset (\S+)", l)
            if m and m.group(1) in sets:
                l = l.replace("set " + m.group(1), "set {%s}" % ", ".join(sorted(sets[m.group(1)])))
            o.append(l)
        out.append(o)
    return out


def run_txlate_file(path, nfsh, A, B, st, verbose):
    fname = os.path.basename(path)
    for lineno, command, expected in parse_txlate(path):
        desc = "%s:%d: %s" % (fname, lineno, command)
        why = erratum(fname, command)
        if why:
            st.add("txlate", fname, "skip", desc, why)
            continue
        try:
            words = shlex.split(command)
        except ValueError as e:
            st.add("txlate", fname, "skip", desc, "cannot split the command: %s" % e)
            continue
        v6 = words[0].startswith("ip6")
        fam = "ip6" if v6 else "ip"
        args = words[1:]
        table, op, chain = cmd_shape(args)
        fflag = "-6" if v6 else "-4"

        if op not in ("A", "I"):
            # No rule to list: compare the text of `nfsh translate`.
            r = A.run([nfsh, fflag, "translate"] + args)
            got = [norm_text(l) for l in r.stdout.splitlines() if l.strip()]
            want = [norm_text(l) for l in expected]
            if r.returncode == 0 and got == want:
                st.add("txlate", fname, "pass")
            else:
                st.add("txlate", fname, "fail", desc + "  [compared as text: nfsh translate]",
                       "exit %d: %s %s" % (r.returncode, " | ".join(got), r.stderr.strip()),
                       " | ".join(want))
            continue

        # Namespace B: the expected text, in plain (hookless) chains.
        A.flush()
        B.flush()
        nft_lines = [unwrap(l) for l in expected]
        tables, chains, extra = set(), [], []
        for l in nft_lines:
            m = re.match(r"^(?:add|insert|create)\s+(\w+)\s+(ip6?|inet)\s+(\S+)\s+(\S+)", l)
            if m:
                tables.add((m.group(2), m.group(3)))
                if m.group(1) == "rule" and (m.group(2), m.group(3), m.group(4)) not in chains:
                    chains.append((m.group(2), m.group(3), m.group(4)))
            for j in re.findall(r"\b(?:jump|goto)\s+(\S+)", l):
                extra.append(j)
        if not tables:
            tables.add((fam, table))
        pre = ["add table %s %s" % t for t in sorted(tables)]
        pre += ["add chain %s %s %s" % c for c in chains]
        for c in chains:
            for j in extra:
                pre.append("add chain %s %s %s" % (c[0], c[1], j))
        r = B.run(["nft", "-f", "-"], stdin="\n".join(pre + nft_lines) + "\n")
        if r.returncode != 0:
            err = " ".join(r.stderr.strip().splitlines()[:1])
            if "No such file or directory" in err and any(" queue" in l for l in nft_lines):
                err += " (this kernel has no nft queue expression: CONFIG_NFT_QUEUE unset, FACTS.md)"
            st.add("txlate", fname, "skip", desc,
                   "expected text does not load with this libnftables: " + err)
            continue
        try:
            want = rules_of(B.ruleset(), fam, table, chain)
        except RuntimeError as e:
            st.add("txlate", fname, "skip", desc,
                   "expected rule loads but this libnftables cannot list it: %s" % e)
            continue
        bad = ct_addr_misstored(nft_lines, want)
        if bad:
            st.add("txlate", fname, "skip", desc, bad)
            continue

        # Namespace A: nfsh; user chains the rule jumps to are created first.
        setup_err = ""
        user_chains = list(extra)
        if chain and chain not in BUILTIN.get(table, set()):
            user_chains.insert(0, chain)
        for j in dict.fromkeys(user_chains):
            s = A.run([nfsh, fflag, "-t", table, "-N", j])
            if s.returncode != 0:
                setup_err = "setup -N %s: %s" % (j, s.stderr.strip())
        r = A.run([nfsh, fflag] + args)
        why = known_limit(command, r.stderr) if r.returncode != 0 else None
        if why:
            st.add("txlate", fname, "skip", desc, why)
            continue
        if r.returncode != 0:
            st.add("txlate", fname, "fail", desc,
                   "exit %d: %s %s" % (r.returncode, r.stderr.strip(), setup_err), brief(want))
            continue
        try:
            got = rules_of(A.ruleset(), fam, "nfsh-" + table, chain)
        except RuntimeError as e:
            st.add("txlate", fname, "fail", desc, "listing nfsh's rule: %s" % e, brief(want))
            continue
        if [(g["expr"], g["comment"]) for g in got] == [(w["expr"], w["comment"]) for w in want]:
            st.add("txlate", fname, "pass")
        elif [g["comment"] for g in got] == [w["comment"] for w in want] and \
                bytecode(A, fam, "nfsh-" + table, chain) == bytecode(B, fam, table, chain) and \
                bytecode(A, fam, "nfsh-" + table, chain):
            # Same kernel bytecode, different JSON listing: libnftables 1.0.6 lists
            # an expression differently depending on how it was built (text vs JSON).
            st.add("txlate", fname, "pass")
            st.bytecode_passes.append(desc)
        else:
            st.add("txlate", fname, "fail", desc, brief(got), brief(want))


# ---------------------------------------------------------------- .t

def t_families(fname):
    if fname.startswith("libxt_"):
        return ["-4", "-6"]
    if fname.startswith("libip6t_"):
        return ["-6"]
    return ["-4"]  # libipt_*, iptables.t


def t_expect(fields):
    """(result, listed) with upstream's LEGACY rule for an nftables-based tool."""
    rule = fields[0]
    listed = fields[1] if len(fields) > 1 else ""
    res = fields[2].strip() if len(fields) > 2 else ""
    if len(fields) > 3 and fields[3].strip() == "LEGACY":
        if len(fields) > 4 and fields[4].strip():
            alt = fields[4].strip()
            res = alt if alt in ("OK", "FAIL") else "NOMATCH"
        else:
            res = {"OK": "FAIL", "FAIL": "OK", "NOMATCH": "OK"}.get(res, res)
    if listed == "=":
        listed = rule
    return res, listed


def run_t_file(path, nfsh, A, st, verbose):
    fname = os.path.basename(path)
    for fflag in t_families(fname):
        mode = "t"
        tag = fname + (" (%s)" % fflag if fname.startswith("libxt_") else "")
        table, chains = "filter", []
        A.flush()
        broken_setup = None
        with open(path) as f:
            lines = list(enumerate(f, 1))
        for lineno, line in lines:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith(":"):
                chains = [c.strip() for c in line[1:].split(",") if c.strip()]
                continue
            if line.startswith("*"):
                table = line[1:].strip()
                continue
            if line[0] in "@%":
                cmd = shlex.split(line[1:])
                if cmd and cmd[0] in ("iptables", "ip6tables"):
                    cmd = [nfsh, "-6" if cmd[0] == "ip6tables" else "-4"] + cmd[1:]
                note = "setup line %d `%s`" % (lineno, line[1:])
                from shutil import which
                if not cmd or not (os.path.isabs(cmd[0]) or which(cmd[0])):
                    broken_setup = note + ": command not installed"
                else:
                    r = A.run(cmd)
                    if r.returncode != 0:
                        broken_setup = note + ": exit %d %s" % (r.returncode, r.stderr.strip())
                    elif verbose:
                        print("  note: %s: ran %s" % (tag, note))
                continue
            fields = line.split(";")
            res, listed = t_expect(fields)
            rule = fields[0]
            for chain in chains:
                desc = "%s:%d [%s -t %s -A %s] %s;%s" % (tag, lineno, fflag, table, chain,
                                                        rule, res)
                if broken_setup:
                    st.add(mode, tag, "skip", desc, broken_setup)
                    continue
                try:
                    words = shlex.split(rule)
                except ValueError as e:
                    st.add(mode, tag, "skip", desc, "cannot split: %s" % e)
                    continue
                try:
                    before = canon(A.ruleset())
                except RuntimeError as e:
                    A.flush()
                    before = canon(A.ruleset())
                r = A.run([nfsh, fflag, "-t", table, "-A", chain] + words)
                if res == "FAIL":
                    try:
                        after = canon(A.ruleset())
                    except RuntimeError as e:
                        after = "unlistable: %s" % e
                    if r.returncode != 0 and after == before:
                        st.add(mode, tag, "pass")
                    elif r.returncode == 0 and accepted_beyond(rule):
                        st.add(mode, tag, "skip", desc, accepted_beyond(rule))
                    elif r.returncode == 0:
                        st.add(mode, tag, "fail", desc, "accepted (exit 0)", "refused")
                    else:
                        st.add(mode, tag, "fail", desc, "refused, but the ruleset changed",
                               "ruleset unchanged")
                    if after != before:
                        A.flush()
                    continue
                if res not in ("OK", "NOMATCH"):
                    st.add(mode, tag, "skip", desc, "unknown result field %r" % res)
                    continue
                why = known_limit(rule, r.stderr) if r.returncode != 0 else None
                if why:
                    st.add(mode, tag, "skip", desc, why)
                    continue
                if r.returncode != 0:
                    st.add(mode, tag, "fail", desc, "exit %d: %s" % (r.returncode,
                                                                      r.stderr.strip()),
                           "accepted")
                    A.flush()
                    continue
                s = A.run([nfsh, fflag, "-t", table, "-S", chain])
                got = [l.rstrip() for l in s.stdout.splitlines()]
                line_want = "-A %s %s" % (chain, listed.strip()) if listed.strip() \
                    else "-A %s" % chain
                present = line_want in got
                if s.returncode != 0:
                    st.add(mode, tag, "fail", desc, "-S exit %d: %s" % (s.returncode,
                                                                         s.stderr.strip()),
                           line_want)
                elif res == "OK" and present:
                    st.add(mode, tag, "pass")
                elif res == "NOMATCH" and not present:
                    st.add(mode, tag, "pass")
                else:
                    st.add(mode, tag, "fail", desc,
                           " | ".join(l for l in got if l.startswith("-A")),
                           ("NOT " if res == "NOMATCH" else "") + line_want)
                A.flush()


# ---------------------------------------------------------------- main

def table_text(st, gated_names):
    rows = []
    tot = {"txlate": [0, 0, 0], "t": [0, 0, 0]}
    for (mode, f), c in sorted(st.files.items(), key=lambda kv: (kv[0][0] != "txlate", kv[0][1])):
        base = f.split(" ")[0]
        g = "*" if base in gated_names else " "
        rows.append("%-7s %s %-34s %5d %5d %5d" % (mode, g, f, c[0], c[1], c[2]))
        for i in range(3):
            tot[mode][i] += c[i]
    out = ["%-7s %s %-34s %5s %5s %5s" % ("mode", "g", "file", "pass", "fail", "skip")]
    out += rows
    out.append("")
    for mode in ("txlate", "t"):
        t = tot[mode]
        out.append("%-7s   %-34s %5d %5d %5d" % (mode, "TOTAL", t[0], t[1], t[2]))
    out.append("(g = * : gated by issue 2, must pass; .txlate counts cases, .t counts rule "
               "line x header chain, libxt_* once per family)")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nfsh", default=os.environ.get("NFSH", "nfsh"))
    ap.add_argument("--corpus", default=None, help="the corpus' iptables directory")
    ap.add_argument("--mode", choices=["txlate", "t", "both"], default="both")
    ap.add_argument("--all", action="store_true", help="every file, not only the gated ones")
    ap.add_argument("--files", default="", help="comma list of file names to run")
    ap.add_argument("--no-gate", action="store_true", help="always exit 0")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--summary", default=None, help="also write the table to this file")
    ap.add_argument("--name", default="iptables_corpus")
    a = ap.parse_args()

    if a.corpus is None:
        here = os.path.dirname(os.path.abspath(__file__))
        for c in (os.path.join(here, "../../../shared/corpus/iptables"),
                  "/work/shared/corpus/iptables"):
            if os.path.isdir(c):
                a.corpus = c
                break
    if not a.corpus or not os.path.isdir(a.corpus):
        print("FAIL: corpus not found (--corpus)", file=sys.stderr)
        print("%s: 0 passed, 1 failed" % a.name)
        return 1
    nfsh = os.path.abspath(a.nfsh) if os.path.exists(a.nfsh) else a.nfsh
    if os.geteuid() != 0:
        print("FAIL: needs root for ip netns (never touches the host ruleset)", file=sys.stderr)
        print("%s: 0 passed, 1 failed" % a.name)
        return 1

    tx_dir = os.path.join(a.corpus, "txlate")
    t_dir = os.path.join(a.corpus, "t")
    want_files = set(x for x in a.files.split(",") if x)
    tx_files, t_files = [], []
    if a.mode in ("txlate", "both"):
        tx_files = sorted(f for f in os.listdir(tx_dir) if f.endswith(".txlate")
                          and not f.startswith(("libarpt_", "libebt_")))
        if not a.all and not want_files:
            tx_files = [f for f in tx_files if f in GATED_TXLATE]
    if a.mode in ("t", "both"):
        t_files = sorted(f for f in os.listdir(t_dir) if f.endswith(".t")
                         and not f.startswith(("libarpt_", "libebt_")))
        if not a.all and not want_files:
            t_files = [f for f in t_files if f in GATED_T]
    if want_files:
        tx_files = [f for f in tx_files if f in want_files]
        t_files = [f for f in t_files if f in want_files]

    st = Stats()
    A = B = None
    tag = "nfshconf-%d" % os.getpid()
    # Namespaces left by a runner that was killed (SIGKILL, no cleanup): only
    # ours by name, and only when that runner's pid is gone.
    for name in os.listdir("/run/netns") if os.path.isdir("/run/netns") else []:
        m = re.match(r"^nfshconf-(\d+)-[ab]$", name)
        if m and not os.path.exists("/proc/" + m.group(1)):
            subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)

    def cleanup(*_):
        for ns in (A, B):
            if ns:
                ns.close()
        if _:
            sys.exit(130)
    signal.signal(signal.SIGTERM, cleanup)
    signal.signal(signal.SIGINT, cleanup)
    signal.signal(signal.SIGHUP, cleanup)
    try:
        A = Netns(tag + "-a")
        B = Netns(tag + "-b")
        for f in tx_files:
            run_txlate_file(os.path.join(tx_dir, f), nfsh, A, B, st, a.verbose)
        for f in t_files:
            run_t_file(os.path.join(t_dir, f), nfsh, A, st, a.verbose)
    finally:
        cleanup()

    gated = set(GATED_TXLATE) | set(GATED_T)
    if a.verbose:
        for mode, f, desc, got, want in st.failures:
            print("FAIL %s\n     got:  %s\n     want: %s" % (desc, got, want))
        for mode, f, desc, why in st.skips:
            print("SKIP %s\n     why:  %s" % (desc, why))
    if a.verbose:
        for desc in st.bytecode_passes:
            print("PASS(bytecode) %s\n     JSON listings differ, kernel bytecode identical" % desc)
    text = table_text(st, gated)
    if st.bytecode_passes:
        text += "\n%d txlate pass(es) decided by identical kernel bytecode (JSON listings " \
                "differ; --verbose names them)" % len(st.bytecode_passes)
    print(text)
    npass = sum(c[0] for c in st.files.values())
    nfail = sum(c[1] for c in st.files.values())
    nskip = sum(c[2] for c in st.files.values())
    gated_fail = sum(c[1] for (m, f), c in st.files.items() if f.split(" ")[0] in gated)
    closing = "%s: %d passed, %d failed, %d skipped" % (a.name, npass, nfail, nskip)
    if a.summary:
        os.makedirs(os.path.dirname(os.path.abspath(a.summary)), exist_ok=True)
        with open(a.summary, "w") as f:
            f.write(text + "\n" + closing + "\n")
    if not a.no_gate and gated_fail:
        print("%d failure(s) in gated files" % gated_fail)
    print(closing)
    if a.no_gate:
        return 0
    return 1 if gated_fail or npass == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

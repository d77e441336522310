/* iptables matches and targets with no exact native nftables form. Each is
 * registered under its iptables name with its options, so that using it (or
 * any of its options) is refused with the reason and the nearest native
 * alternative, instead of "unknown match" (DESIGN.md: never xt compat, never
 * an approximation). One table, one concern. */
#include "ext/refused.h"

#include <string.h>

int ext_refuse(const struct ext *x, const struct refusal *r, struct nfsh_err *e)
{
	err_set(e, NFSH_EPARAM, x->name, "%s %s %s: %s", x->type == EXT_MATCH ? "-m" : "-j",
	        x->name, r->verb, r->why);
	err_hint(e, "%s", r->alt);
	return -1;
}

#define O1(n)                                                                                      \
	{                                                                                          \
		n, 0, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_WORD, NULL, "VALUE", "(refused)"          \
	}
#define O0(n)                                                                                      \
	{                                                                                          \
		n, 0, 0, EXT_OPT_INV | EXT_OPT_MULTI, VK_NONE, NULL, NULL, "(refused)"             \
	}
#define O2(n)                                                                                      \
	{                                                                                          \
		n, 0, 2, EXT_OPT_INV | EXT_OPT_MULTI, VK_WORD, NULL, "A B", "(refused)"            \
	}

REFUSED(u32, "u32", EXT_MATCH,
        "nft payload expressions have fixed offsets; u32's offset arithmetic (@, >>) follows "
        "header lengths at run time",
        "match the field with a payload expression (e.g. ip dscp, tcp flags, @th,OFF,LEN)",
        O1("u32"));
REFUSED(string, "string", EXT_MATCH,
        "nftables cannot search packet contents for a string (no Boyer-Moore/KMP expression)",
        "match a fixed position with @th,OFF,LEN, or use a userspace queue", O1("algo"), O1("from"),
        O1("to"), O1("string"), O1("hex-string"), O0("icase"));
REFUSED(bpf, "bpf", EXT_MATCH, "nftables does not run BPF programs in a rule",
        "express the filter with nft expressions, or attach the BPF program with tc",
        O1("bytecode"), O1("object-pinned"));
REFUSED(osf, "osf", EXT_MATCH,
        "nft's osf expression needs the fingerprints loaded with nfnl_osf, and compares only "
        "the genre (and version), not xt_osf's --ttl and --log modes",
        "nft: osf name \"Linux\" (after loading pf.os with nfnl_osf)", O1("genre"), O1("ttl"),
        O1("log"));
REFUSED(recent, "recent", EXT_MATCH,
        "xt_recent keeps the times of the last packets of each address and counts hits within "
        "--seconds (--hitcount, --rcheck, --update, --reap); an nft set element holds one "
        "timeout and no hit history",
        "a dynamic set with timeout: add @NAME { ip saddr timeout 60s }, ip saddr @NAME drop; or "
        "per-address rates with meter/limit",
        O1("name"), O0("set"), O0("rcheck"), O0("update"), O0("remove"), O1("seconds"), O0("reap"),
        O1("hitcount"), O0("rttl"), O0("rsource"), O0("rdest"), O1("mask"));
REFUSED(physdev, "physdev", EXT_MATCH,
        "with br_netfilter, nft's meta ibrname/obrname name the bridge, not the bridge port "
        "that --physdev-in/--physdev-out test, and nothing tells bridged from routed packets",
        "filter bridged traffic in an nft bridge table: iifname/oifname are the ports there",
        O1("physdev-in"), O1("physdev-out"), O0("physdev-is-in"), O0("physdev-is-out"),
        O0("physdev-is-bridged"));
REFUSED(cluster, "cluster", EXT_MATCH,
        "xt_cluster hashes jhash_1word(address, seed) and scales it with reciprocal_scale; "
        "nft's jhash ... mod N is another function, so the nodes would not share the load "
        "the same way",
        "nft: jhash ct original saddr mod N seed S == K meta pkttype set host (on every node "
        "alike)",
        O1("cluster-total-nodes"), O1("cluster-local-node"), O1("cluster-local-nodemask"),
        O1("cluster-hash-seed"));
REFUSED(eui64, "eui64", EXT_MATCH,
        "nft cannot compare the source address with an EUI-64 derived from the source MAC",
        "match the expected address explicitly: ip6 saddr ADDR ether saddr MAC");
REFUSED(ipv6header, "ipv6header", EXT_MATCH,
        "--header lists headers that must be present and (without --soft) no others; "
        "libnftables 1.0.6 has no exthdr test for ah, esp or none",
        "exthdr hbh exists, exthdr frag exists ... (one test per header)", O1("header"),
        O0("soft"));
REFUSED(set, "set", EXT_MATCH, "ipset sets live outside nftables; nft rules look up nft sets",
        "an nft set: add set ... NAME { type ipv4_addr; }, then ip saddr @NAME", O2("match-set"),
        O1("return-nomatch"), O0("update-counters"), O0("update-subcounters"), O1("packets-eq"),
        O1("packets-lt"), O1("packets-gt"), O1("bytes-eq"), O1("bytes-lt"), O1("bytes-gt"));
REFUSED(SET, "SET", EXT_TARGET, "ipset sets live outside nftables; nft rules update nft sets",
        "an nft set: add @NAME { ip saddr }, or delete @NAME { ip saddr }", O2("add-set"),
        O2("del-set"), O2("map-set"), O1("timeout"), O0("exist"), O0("map-mark"), O0("map-prio"),
        O0("map-queue"));
REFUSED(nfacct, "nfacct", EXT_MATCH, "nfacct objects are outside nftables",
        "a named nft counter: counter name NAME", O1("nfacct-name"));
REFUSED(rateest, "rateest", EXT_MATCH, "nftables has no rate estimator",
        "limit rate (a token bucket) where a threshold is meant", O1("rateest"), O1("rateest1"),
        O1("rateest2"), O0("rateest-delta"), O1("rateest-bps"), O1("rateest-pps"),
        O1("rateest-bps1"), O1("rateest-pps1"), O1("rateest-bps2"), O1("rateest-pps2"),
        O0("rateest-lt"), O0("rateest-gt"), O0("rateest-eq"));
REFUSED(ipvs, "ipvs", EXT_MATCH, "nftables has no expression for IPVS connection state",
        "match the virtual service address and port directly", O0("ipvs"), O1("vproto"),
        O1("vaddr"), O1("vport"), O1("vdir"), O1("vmethod"), O1("vportctl"));
REFUSED(srh, "srh", EXT_MATCH,
        "libnftables 1.0.6's srh expression tests only flags, tag, last-entry and segments; "
        "not xt_srh's next header, length or segments-left ranges",
        "exthdr srh ...", O1("srh-next-hdr"), O1("srh-hdr-len-eq"), O1("srh-hdr-len-gt"),
        O1("srh-hdr-len-lt"), O1("srh-segs-left-eq"), O1("srh-segs-left-gt"),
        O1("srh-segs-left-lt"), O1("srh-last-entry-eq"), O1("srh-last-entry-gt"),
        O1("srh-last-entry-lt"), O1("srh-tag"), O1("srh-psid"), O1("srh-nsid"), O1("srh-lsid"));
REFUSED(IDLETIMER, "IDLETIMER", EXT_TARGET, "nftables has no idle timer objects",
        "a set with timeout to track activity", O1("timeout"), O1("label"), O0("alarm"));
REFUSED(LED, "LED", EXT_TARGET, "nftables cannot drive LED triggers",
        "count with a named counter and read it from userspace", O1("led-trigger-id"),
        O1("led-delay"), O0("led-always-blink"));
REFUSED(CHECKSUM, "CHECKSUM", EXT_TARGET,
        "nftables has no statement that fills in a missing checksum",
        "fix the offload settings (ethtool -K DEV tx off) of the virtual device",
        O0("checksum-fill"));
REFUSED(HMARK, "HMARK", EXT_TARGET,
        "HMARK's hash of selected tuple parts with offsets has no single nft form",
        "meta mark set jhash ip saddr . ip daddr mod N offset O", O1("hmark-tuple"),
        O1("hmark-mod"), O1("hmark-offset"), O1("hmark-src-prefix"), O1("hmark-dst-prefix"),
        O1("hmark-sport-mask"), O1("hmark-dport-mask"), O1("hmark-spi-mask"),
        O1("hmark-proto-mask"), O1("hmark-rnd"));
REFUSED(RATEEST, "RATEEST", EXT_TARGET, "nftables has no rate estimator",
        "limit rate, or a named counter read from userspace", O1("rateest-name"),
        O1("rateest-interval"), O1("rateest-ewmalog"));
REFUSED(SECMARK, "SECMARK", EXT_TARGET,
        "a native secmark needs a named secmark object, which nfsh does not create",
        "nft: add secmark ... NAME \"CONTEXT\"; meta secmark set \"NAME\"", O1("selctx"));
REFUSED(CONNSECMARK, "CONNSECMARK", EXT_TARGET,
        "it copies security marks between packet and connection; nfsh creates no secmark "
        "objects",
        "nft: ct secmark set meta secmark / meta secmark set ct secmark", O0("save"),
        O0("restore"));
REFUSED(TCPOPTSTRIP, "TCPOPTSTRIP", EXT_TARGET,
        "libnftables 1.0.6 cannot remove TCP options (reset tcp option came later)",
        "TCPMSS for the MSS option; newer nftables: reset tcp option sack-perm",
        O1("strip-options"));
REFUSED(ECN, "ECN", EXT_TARGET,
        "nftables cannot clear the ECN bits of the TCP header (ECE/CWR) it would need",
        "for the IP ECN field: ip ecn set not-ect", O0("ecn-tcp-remove"), O1("ecn-tcp-cwr"),
        O1("ecn-tcp-ece"), O1("ecn-ip-ect"));
REFUSED(DNPT, "DNPT", EXT_TARGET,
        "IPv6 prefix translation (RFC 6296) is checksum-neutral; nft's dnat to a prefix is "
        "stateful NAT",
        "nft: dnat ip6 prefix to PREFIX (stateful)", O1("src-pfx"), O1("dst-pfx"));
REFUSED(SNPT, "SNPT", EXT_TARGET,
        "IPv6 prefix translation (RFC 6296) is checksum-neutral; nft's snat to a prefix is "
        "stateful NAT",
        "nft: snat ip6 prefix to PREFIX (stateful)", O1("src-pfx"), O1("dst-pfx"));

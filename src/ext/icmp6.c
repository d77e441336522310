/* -m icmp6 (IPv6; loaded by -p icmpv6 / ipv6-icmp): --icmpv6-type [!] TYPE[/CODE]
 * or a name, as icmpv6 type / icmpv6 code. No wildcard type here: ip6tables'
 * kernel match compares the type exactly. The engine is icmp.c's (icmp.h). */
#include "ext/icmp.h"

/* libip6t_icmp6's table: canonical names first, aliases after them. */
static const struct icmp_name icmp6_names[] = {
    {"destination-unreachable", 1, 0, 255},
    {"no-route", 1, 0, 0},
    {"communication-prohibited", 1, 1, 1},
    {"beyond-scope", 1, 2, 2},
    {"address-unreachable", 1, 3, 3},
    {"port-unreachable", 1, 4, 4},
    {"failed-policy", 1, 5, 5},
    {"reject-route", 1, 6, 6},
    {"packet-too-big", 2, 0, 255},
    {"time-exceeded", 3, 0, 255},
    {"ttl-exceeded", 3, 0, 255},
    {"ttl-zero-during-transit", 3, 0, 0},
    {"ttl-zero-during-reassembly", 3, 1, 1},
    {"parameter-problem", 4, 0, 255},
    {"bad-header", 4, 0, 0},
    {"unknown-header-type", 4, 1, 1},
    {"unknown-option", 4, 2, 2},
    {"echo-request", 128, 0, 255},
    {"ping", 128, 0, 255},
    {"echo-reply", 129, 0, 255},
    {"pong", 129, 0, 255},
    {"mld-listener-query", 130, 0, 255},
    {"mld-listener-report", 131, 0, 255},
    {"mld-listener-done", 132, 0, 255},
    {"mld-listener-reduction", 132, 0, 255},
    {"router-solicitation", 133, 0, 255},
    {"router-advertisement", 134, 0, 255},
    {"neighbour-solicitation", 135, 0, 255},
    {"neighbor-solicitation", 135, 0, 255},
    {"neighbour-advertisement", 136, 0, 255},
    {"neighbor-advertisement", 136, 0, 255},
    {"redirect", 137, 0, 255},
    {NULL, 0, 0, 0},
};

/* How nftables 1.0.6 lists icmpv6 type and code values (measured). */
static const struct sym nft_icmp6_types[] = {
    {"destination-unreachable", 1}, {"packet-too-big", 2},
    {"time-exceeded", 3},           {"parameter-problem", 4},
    {"echo-request", 128},          {"echo-reply", 129},
    {"mld-listener-query", 130},    {"mld-listener-report", 131},
    {"mld-listener-done", 132},     {"mld-listener-reduction", 132},
    {"nd-router-solicit", 133},     {"nd-router-advert", 134},
    {"nd-neighbor-solicit", 135},   {"nd-neighbor-advert", 136},
    {"nd-redirect", 137},           {"router-renumbering", 138},
    {"ind-neighbor-solicit", 141},  {"ind-neighbor-advert", 142},
    {"mld2-listener-report", 143},  {NULL, 0},
};
static const struct sym nft_icmp6_codes[] = {
    {"no-route", 0},
    {"admin-prohibited", 1},
    {"addr-unreachable", 3},
    {"port-unreachable", 4},
    {"policy-fail", 5},
    {"reject-route", 6},
    {NULL, 0},
};

static const char *const icmp6_values[] = {
    "destination-unreachable",
    "no-route",
    "communication-prohibited",
    "beyond-scope",
    "address-unreachable",
    "port-unreachable",
    "failed-policy",
    "reject-route",
    "packet-too-big",
    "time-exceeded",
    "parameter-problem",
    "echo-request",
    "echo-reply",
    "mld-listener-query",
    "mld-listener-report",
    "mld-listener-done",
    "router-solicitation",
    "router-advertisement",
    "neighbour-solicitation",
    "neighbour-advertisement",
    "redirect",
    NULL,
};

static const struct icmp_desc icmp6 = {
    "icmp6",   "icmpv6-type", "icmpv6",    "ipv6-icmp",     58,
    NFSH_IPV6, false,         icmp6_names, nft_icmp6_types, nft_icmp6_codes,
};

static const struct ext_opt icmp6_opts[] = {
    {"icmpv6-type", 0, 1, EXT_OPT_INV, VK_ENUM, icmp6_values, "TYPE[/CODE]|NAME",
     "ICMPv6 type (and code): a name or numbers"},
};

static int icmp6_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	(void)opt;
	return icmp_parse_type(&icmp6, priv, invert, args[0], e);
}

static int icmp6_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	return icmp_check_common(&icmp6, c, priv, e);
}

static int icmp6_emit(struct emit_ctx *x, const void *priv)
{
	return icmp_emit_common(&icmp6, x, priv);
}

static int icmp6_recognise(struct read_ctx *r, void *priv)
{
	return icmp_recognise_common(&icmp6, r, priv);
}

static void icmp6_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	icmp_save_common(&icmp6, priv, sb);
}

static void icmp6_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	icmp_list_common(&icmp6, priv, numeric, sb);
}

const struct ext ext_icmp6 = {
    .name = "icmp6",
    .type = EXT_MATCH,
    .help = "ICMPv6 type and code (IPv6; loaded by -p icmpv6)",
    .families = NFSH_F_IPV6,
    .opts = icmp6_opts,
    .nopts = 1,
    .priv_size = sizeof(struct icmp_priv),
    .implicit_proto = 58,
    .parse = icmp6_parse,
    .check = icmp6_check,
    .emit = icmp6_emit,
    .recognise = icmp6_recognise,
    .save = icmp6_save,
    .list = icmp6_list,
};
EXT_REGISTER(ext_icmp6);

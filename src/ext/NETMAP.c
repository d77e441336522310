/* -j NETMAP --to NET/LEN: map a whole network onto another, keeping the host
 * bits. nftables does the same with a prefix nat and the netmap flag
 * (NF_NAT_RANGE_NETMAP): "dnat prefix to NET/LEN" in PREROUTING and OUTPUT,
 * "snat prefix to NET/LEN" in POSTROUTING and INPUT. iptables picks the
 * direction from the hook at run time; nftables fixes it in the rule, so
 * NETMAP is accepted only in the built-in nat chains. */
#include "ext/nat.h"

#include <string.h>

static const struct ext_opt netmap_opts[] = {
    {"to", NAT_TO, 1, 0, VK_ADDR, NULL, "ADDR[/MASK]",
     "network to map to (host bits of the packet are kept)"},
};

static int netmap_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct nat_priv *p = priv;

	(void)opt;
	(void)invert;
	if (addr_parse(args[0], c->family, &p->net) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid network \"%s\" for --to", args[0]);
		err_hint(e, c->family == NFSH_IPV6 ? "an IPv6 address with an optional /prefix"
		                                   : "an IPv4 address with an optional /prefix");
		return -1;
	}
	if (p->net.prefix < 0) {
		err_set(e, NFSH_EPARAM, args[0],
		        "NETMAP --to \"%s\": a non-contiguous mask has no nftables form (the "
		        "netmap nat takes a prefix)",
		        args[0]);
		err_hint(e, "use a prefix length, e.g. /24");
		return -1;
	}
	return 0;
}

/* "dnat" or "snat" for the chain, or NULL in a user-defined chain. */
static const char *netmap_stmt(int table, const char *chain)
{
	const struct builtin_chain *bc = table_builtin(table, chain);

	if (!bc)
		return NULL;
	if (bc->hook == HOOK_PREROUTING || bc->hook == HOOK_OUTPUT)
		return "dnat";
	return "snat";
}

static int netmap_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct nat_priv *p = priv;

	if (!p->net.set) {
		err_set(e, NFSH_EPARAM, "NETMAP", "-j NETMAP needs --to");
		err_hint(e, "e.g. -j NETMAP --to 198.51.100.0/24");
		return -1;
	}
	if (c->chain && !netmap_stmt(c->table, c->chain)) {
		err_set(e, NFSH_EPARAM, c->chain,
		        "NETMAP in user-defined chain %s: iptables chooses source or destination "
		        "by the hook at run time, nftables needs it fixed in the rule",
		        c->chain);
		err_hint(e, "put the rule in PREROUTING/OUTPUT (destination) or POSTROUTING/INPUT "
		            "(source)");
		return -1;
	}
	return 0;
}

static int netmap_emit(struct emit_ctx *x, const void *priv)
{
	const char *name = netmap_stmt(x->table, x->rule->chain);

	if (!name)
		return err_set(x->err, NFSH_EPARAM, x->rule->chain,
		               "NETMAP is accepted only in the built-in nat chains");
	return nat_emit(x, name, priv, true);
}

static int netmap_recognise(struct read_ctx *r, void *priv)
{
	if (nat_recognise(r, "dnat", priv, true, true) == 1)
		return 1;
	memset(priv, 0, sizeof(struct nat_priv));
	return nat_recognise(r, "snat", priv, true, true);
}

static void netmap_format(const struct nat_priv *p, struct strbuf *sb)
{
	char buf[80];

	addr_format(&p->net, buf, sizeof(buf), true);
	sb_add(sb, buf);
}

static void netmap_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	sb_add(sb, " --to ");
	netmap_format(priv, sb);
}

static void netmap_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	sb_add(sb, "to:");
	netmap_format(priv, sb);
}

const struct ext ext_NETMAP = {
    .name = "NETMAP",
    .type = EXT_TARGET,
    .help = "map a network onto another one, keeping host bits (nat table)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_NAT),
    .opts = netmap_opts,
    .nopts = sizeof(netmap_opts) / sizeof(netmap_opts[0]),
    .priv_size = sizeof(struct nat_priv),
    .parse = netmap_parse,
    .check = netmap_check,
    .emit = netmap_emit,
    .recognise = netmap_recognise,
    .save = netmap_save,
    .list = netmap_list,
};
EXT_REGISTER(ext_NETMAP);

/* -j SNAT: nftables' snat statement.
 *   --to-source ADDR[-ADDR][:PORT[-PORT]]   snat to ADDR[-ADDR][:PORT[-PORT]]
 *   --random, --random-fully, --persistent       flags random, fully-random, persistent */
#include "ext/nat.h"

static const struct ext_opt snat_opts[] = {
    {"to-source", NAT_TO, 1, 0, VK_WORD, NULL, "ADDR[-ADDR][:PORT[-PORT]]",
     "address (range) and optional port (range) to map the source to; IPv6 "
     "[ADDR]:PORT"},
    {"random", NAT_RANDOM, 0, 0, VK_NONE, NULL, NULL, "randomize the port mapping"},
    {"random-fully", NAT_FULLY, 0, 0, VK_NONE, NULL, NULL, "fully randomize the port mapping"},
    {"persistent", NAT_PERSISTENT, 0, 0, VK_NONE, NULL, NULL,
     "give a client the same address for every connection"},
};

static int snat_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct nat_priv *p = priv;

	(void)invert;
	if (opt->id == NAT_TO)
		return nat_parse_to(c, p, args[0], "--to-source", e);
	p->flags |= opt->id == NAT_RANDOM  ? NAT_F_RANDOM
	            : opt->id == NAT_FULLY ? NAT_F_FULLY
	                                   : NAT_F_PERSISTENT;
	return 0;
}

static int snat_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct nat_priv *p = priv;

	if (!p->has_addr && !p->has_port) {
		err_set(e, NFSH_EPARAM, "SNAT", "-j SNAT needs --to-source");
		err_hint(e, "e.g. -j SNAT --to-source 192.0.2.1 (with -p tcp)");
		return -1;
	}
	return nat_check_ports(c, p, "SNAT", e);
}

static int snat_emit(struct emit_ctx *x, const void *priv)
{
	return nat_emit(x, "snat", priv, false);
}

static int snat_recognise(struct read_ctx *r, void *priv)
{
	struct nat_priv *p = priv;

	if (nat_recognise(r, "snat", p, true, false) != 1)
		return 0;
	/* An empty snat (no address, no port) is no iptables SNAT. */
	if (!p->has_addr && !p->has_port) {
		r->pos--;
		return 0;
	}
	return 1;
}

static void snat_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	sb_add(sb, " --to-source ");
	nat_format_to(priv, sb);
	nat_format_flags(priv, true, sb);
}

static void snat_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	sb_add(sb, "to:");
	nat_format_to(priv, sb);
	nat_format_flags(priv, false, sb);
}

const struct ext ext_SNAT = {
    .name = "SNAT",
    .type = EXT_TARGET,
    .help = "rewrite the source address and port (nat POSTROUTING and INPUT)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_NAT),
    .hooks = HOOK_BIT(HOOK_POSTROUTING) | HOOK_BIT(HOOK_INPUT),
    .opts = snat_opts,
    .nopts = sizeof(snat_opts) / sizeof(snat_opts[0]),
    .priv_size = sizeof(struct nat_priv),
    .parse = snat_parse,
    .check = snat_check,
    .emit = snat_emit,
    .recognise = snat_recognise,
    .save = snat_save,
    .list = snat_list,
};
EXT_REGISTER(ext_SNAT);

/* -j DNAT: nftables' dnat statement.
 *   --to-destination ADDR[-ADDR][:PORT[-PORT]]   dnat to ADDR[-ADDR][:PORT[-PORT]]
 *   --random, --persistent                       flags random, persistent
 * The port shift form ":PORT-PORT/BASE" is refused (see nat.c). */
#include "ext/nat.h"

static const struct ext_opt dnat_opts[] = {
    {"to-destination", NAT_TO, 1, 0, VK_WORD, NULL, "ADDR[-ADDR][:PORT[-PORT]]",
     "address (range) and optional port (range) to map the destination to; IPv6 "
     "[ADDR]:PORT"},
    {"random", NAT_RANDOM, 0, 0, VK_NONE, NULL, NULL, "randomize the port mapping"},
    {"persistent", NAT_PERSISTENT, 0, 0, VK_NONE, NULL, NULL,
     "give a client the same address for every connection"},
};

static int dnat_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct nat_priv *p = priv;

	(void)invert;
	if (opt->id == NAT_TO)
		return nat_parse_to(c, p, args[0], "--to-destination", e);
	p->flags |= opt->id == NAT_RANDOM ? NAT_F_RANDOM : NAT_F_PERSISTENT;
	return 0;
}

static int dnat_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct nat_priv *p = priv;

	if (!p->has_addr && !p->has_port) {
		err_set(e, NFSH_EPARAM, "DNAT", "-j DNAT needs --to-destination");
		err_hint(e, "e.g. -j DNAT --to-destination 192.0.2.1:8080 (with -p tcp)");
		return -1;
	}
	return nat_check_ports(c, p, "DNAT", e);
}

static int dnat_emit(struct emit_ctx *x, const void *priv)
{
	return nat_emit(x, "dnat", priv, false);
}

static int dnat_recognise(struct read_ctx *r, void *priv)
{
	struct nat_priv *p = priv;

	if (nat_recognise(r, "dnat", p, true, false) != 1)
		return 0;
	/* fully-random has no DNAT option; an empty dnat is no iptables DNAT. */
	if ((p->flags & NAT_F_FULLY) || (!p->has_addr && !p->has_port)) {
		r->pos--;
		return 0;
	}
	return 1;
}

static void dnat_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	sb_add(sb, " --to-destination ");
	nat_format_to(priv, sb);
	nat_format_flags(priv, true, sb);
}

static void dnat_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	sb_add(sb, "to:");
	nat_format_to(priv, sb);
	nat_format_flags(priv, false, sb);
}

const struct ext ext_DNAT = {
    .name = "DNAT",
    .type = EXT_TARGET,
    .help = "rewrite the destination address and port (nat PREROUTING and OUTPUT)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_NAT),
    .hooks = HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_OUTPUT),
    .opts = dnat_opts,
    .nopts = sizeof(dnat_opts) / sizeof(dnat_opts[0]),
    .priv_size = sizeof(struct nat_priv),
    .parse = dnat_parse,
    .check = dnat_check,
    .emit = dnat_emit,
    .recognise = dnat_recognise,
    .save = dnat_save,
    .list = dnat_list,
};
EXT_REGISTER(ext_DNAT);

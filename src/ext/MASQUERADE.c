/* -j MASQUERADE: nftables' masquerade statement.
 *   --to-ports PORT[-PORT]          masquerade to :PORT[-PORT]
 *   --random, --random-fully        flags random, fully-random */
#include "ext/nat.h"

static const struct ext_opt masq_opts[] = {
    {"to-ports", NAT_PORTS, 1, 0, VK_PORT, NULL, "PORT[-PORT]",
     "source port (range) to map to (needs -p tcp/udp/...)"},
    {"random", NAT_RANDOM, 0, 0, VK_NONE, NULL, NULL, "randomize the source port"},
    {"random-fully", NAT_FULLY, 0, 0, VK_NONE, NULL, NULL, "fully randomize the source port"},
};

static int masq_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct nat_priv *p = priv;

	(void)c;
	(void)invert;
	if (opt->id == NAT_PORTS)
		return nat_parse_ports(p, args[0], "--to-ports", e);
	p->flags |= opt->id == NAT_RANDOM ? NAT_F_RANDOM : NAT_F_FULLY;
	return 0;
}

static int masq_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	return nat_check_ports(c, priv, "MASQUERADE", e);
}

static int masq_emit(struct emit_ctx *x, const void *priv)
{
	return nat_emit(x, "masquerade", priv, false);
}

static int masq_recognise(struct read_ctx *r, void *priv)
{
	struct nat_priv *p = priv;

	if (nat_recognise(r, "masquerade", p, false, false) != 1)
		return 0;
	if (p->flags & NAT_F_PERSISTENT) {
		r->pos--;
		return 0;
	}
	return 1;
}

static void masq_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	nat_save_to_ports(priv, sb);
}

static void masq_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	nat_list_to_ports(priv, "masq ports: ", sb);
}

const struct ext ext_MASQUERADE = {
    .name = "MASQUERADE",
    .type = EXT_TARGET,
    .help = "rewrite the source to the outgoing interface's address (nat POSTROUTING)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_NAT),
    .hooks = HOOK_BIT(HOOK_POSTROUTING),
    .opts = masq_opts,
    .nopts = sizeof(masq_opts) / sizeof(masq_opts[0]),
    .priv_size = sizeof(struct nat_priv),
    .parse = masq_parse,
    .check = masq_check,
    .emit = masq_emit,
    .recognise = masq_recognise,
    .save = masq_save,
    .list = masq_list,
};
EXT_REGISTER(ext_MASQUERADE);

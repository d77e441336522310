/* -j REDIRECT: nftables' redirect statement (to the local address of the
 * incoming interface, 127.0.0.1 / ::1 for locally generated packets).
 *   --to-ports PORT[-PORT]          redirect to :PORT[-PORT]
 *   --random                        flag random */
#include "ext/nat.h"

static const struct ext_opt redir_opts[] = {
    {"to-ports", NAT_PORTS, 1, 0, VK_PORT, NULL, "PORT[-PORT]",
     "destination port (range) to redirect to (needs -p tcp/udp/...)"},
    {"random", NAT_RANDOM, 0, 0, VK_NONE, NULL, NULL, "randomize the port mapping"},
};

static int redir_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct nat_priv *p = priv;

	(void)c;
	(void)invert;
	if (opt->id == NAT_PORTS)
		return nat_parse_ports(p, args[0], "--to-ports", e);
	p->flags |= NAT_F_RANDOM;
	return 0;
}

static int redir_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	return nat_check_ports(c, priv, "REDIRECT", e);
}

static int redir_emit(struct emit_ctx *x, const void *priv)
{
	return nat_emit(x, "redirect", priv, false);
}

static int redir_recognise(struct read_ctx *r, void *priv)
{
	struct nat_priv *p = priv;

	if (nat_recognise(r, "redirect", p, false, false) != 1)
		return 0;
	if (p->flags & (NAT_F_PERSISTENT | NAT_F_FULLY)) {
		r->pos--;
		return 0;
	}
	return 1;
}

static void redir_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	nat_save_to_ports(priv, sb);
}

static void redir_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	nat_list_to_ports(priv, "redir ports ", sb);
}

const struct ext ext_REDIRECT = {
    .name = "REDIRECT",
    .type = EXT_TARGET,
    .help = "send to a local port of this host (nat PREROUTING and OUTPUT)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_NAT),
    .hooks = HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_OUTPUT),
    .opts = redir_opts,
    .nopts = sizeof(redir_opts) / sizeof(redir_opts[0]),
    .priv_size = sizeof(struct nat_priv),
    .parse = redir_parse,
    .check = redir_check,
    .emit = redir_emit,
    .recognise = redir_recognise,
    .save = redir_save,
    .list = redir_list,
};
EXT_REGISTER(ext_REDIRECT);

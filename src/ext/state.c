/* -m state --state: a thin alias of -m conntrack --ctstate. It emits the same
 * ct state expression; read-back finds a conntrack match and the rule's form
 * tag turns it back into -m state. */
#include "ext/conntrack.h"

static const char *const state_names[] = {"INVALID",     "NEW",       "RELATED",
                                          "ESTABLISHED", "UNTRACKED", NULL};

static const struct ext_opt state_opts[] = {
    {"state", CT_STATE, 1, EXT_OPT_INV, VK_LIST, state_names, "STATE[,STATE...]",
     "connection state: INVALID NEW RELATED ESTABLISHED UNTRACKED"},
};

static int state_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ct_priv *p = priv;

	(void)c;
	(void)opt;
	if (ct_parse_state(p, invert, args[0], e) < 0)
		return -1;
	if (p->state & CTS_NAT) {
		err_set(e, NFSH_EPARAM, args[0], "-m state has no SNAT/DNAT states (in \"%s\")",
		        args[0]);
		err_hint(e, "use -m conntrack --ctstate SNAT,DNAT");
		return -1;
	}
	return 0;
}

static int state_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct ct_priv *p = priv;

	(void)c;
	if (!(p->given & (1u << CT_STATE))) {
		err_set(e, NFSH_EPARAM, "state", "-m state needs --state");
		err_hint(e, "e.g. -m state --state ESTABLISHED,RELATED");
		return -1;
	}
	return 0;
}

static void state_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	ct_save_state(priv, "--state", sb);
}

static void state_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ct_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, p->invert & (1u << CT_STATE) ? "! state " : "state ");
	sym_print_list(ct_state_syms, p->state, ",", sb);
}

const struct ext ext_state = {
    .name = "state",
    .type = EXT_MATCH,
    .help = "connection tracking state (same kernel expression as -m conntrack --ctstate)",
    .families = NFSH_F_ANY,
    .opts = state_opts,
    .nopts = 1,
    .priv_size = sizeof(struct ct_priv),
    .alias_of = "conntrack",
    .parse = state_parse,
    .check = state_check,
    .emit = ct_emit,
    .save = state_save,
    .list = state_list,
};
EXT_REGISTER(ext_state);

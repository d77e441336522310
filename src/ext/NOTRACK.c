/* -j NOTRACK: iptables' old name for -j CT --notrack. Emits the same notrack
 * statement; read-back finds a CT target and the rule's form tag gives it back
 * this name. */
#include "ext/ct_target.h"

static int notrack_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	struct ct_tgt_priv *p = priv;

	(void)c;
	(void)e;
	p->notrack = true;
	return 0;
}

static void notrack_save(const void *priv, int family, struct strbuf *sb)
{
	(void)priv;
	(void)family;
	(void)sb;
}

/* iptables -L: target column CT, then "NOTRACK". */
static void notrack_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)priv;
	(void)family;
	(void)numeric;
	sb_add(sb, "NOTRACK");
}

const struct ext ext_NOTRACK = {
    .name = "NOTRACK",
    .type = EXT_TARGET,
    .help = "do not track these packets (same as -j CT --notrack; raw table)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_RAW),
    .priv_size = sizeof(struct ct_tgt_priv),
    .alias_of = "CT",
    .check = notrack_check,
    .emit = ct_tgt_emit,
    .save = notrack_save,
    .list = notrack_list,
};
EXT_REGISTER(ext_NOTRACK);

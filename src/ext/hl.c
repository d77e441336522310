/* -m hl (IPv6): --hl-eq N (invertible), --hl-lt N, --hl-gt N as
 * "ip6 hoplimit N", "!= N", "< N", "> N" (comparison code in ttl.c). */
#include "ext/ttl.h"

static const struct ext_opt hl_opts[] = {
    {"hl-eq", TTL_EQ, 1, EXT_OPT_INV, VK_NUMBER, NULL, "HL", "hop limit equals (0-255)"},
    {"hl-lt", TTL_LT, 1, 0, VK_NUMBER, NULL, "HL", "hop limit is less than"},
    {"hl-gt", TTL_GT, 1, 0, VK_NUMBER, NULL, "HL", "hop limit is greater than"},
};

static int hl_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	return ttl_parse_opt(priv, opt, invert, args[0], "hl", e);
}

static int hl_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	return ttl_check_given(priv, "hl", e);
}

static int hl_emit(struct emit_ctx *x, const void *priv)
{
	return ttl_emit_field(x, priv, "ip6", "hoplimit");
}

static int hl_recognise(struct read_ctx *r, void *priv)
{
	return ttl_recognise_field(r, priv, "ip6", "hoplimit");
}

static void hl_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	ttl_save_opt(priv, "hl", sb);
}

static void hl_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ttl_priv *p = priv;
	static const char *const words[] = {"==", "<", ">"};

	(void)family;
	(void)numeric;
	sb_addf(sb, "HL match HL %s %u", p->invert ? "!=" : words[p->op], p->value);
}

const struct ext ext_hl = {
    .name = "hl",
    .type = EXT_MATCH,
    .help = "IPv6 hop limit (ip6 hoplimit)",
    .families = NFSH_F_IPV6,
    .opts = hl_opts,
    .nopts = sizeof(hl_opts) / sizeof(hl_opts[0]),
    .priv_size = sizeof(struct ttl_priv),
    .parse = hl_parse,
    .check = hl_check,
    .emit = hl_emit,
    .recognise = hl_recognise,
    .save = hl_save,
    .list = hl_list,
};
EXT_REGISTER(ext_hl);

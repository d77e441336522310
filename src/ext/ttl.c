/* -m ttl (IPv4): --ttl-eq N (invertible), --ttl-lt N, --ttl-gt N as
 * "ip ttl N", "ip ttl != N", "ip ttl < N", "ip ttl > N". The comparison code
 * is shared with -m hl (IPv6 hop limit). */
#include "ext/ttl.h"
#include "nft/json.h"

#include <string.h>

int ttl_parse_opt(struct ttl_priv *p, const struct ext_opt *opt, bool invert, const char *arg,
                  const char *what, struct nfsh_err *e)
{
	unsigned long long v;

	if (p->given) {
		err_set(e, NFSH_EPARAM, opt->name, "-m %s takes one of --%s-eq, --%s-lt, --%s-gt",
		        what, what, what, what);
		err_hint(e, "use two -m %s matches for a range", what);
		return -1;
	}
	if (parse_uint(arg, 255, &v) < 0) {
		err_set(e, NFSH_EPARAM, arg, "invalid --%s \"%s\"", opt->name, arg);
		err_hint(e, "a number 0-255");
		return -1;
	}
	p->given = true;
	p->invert = invert;
	p->op = opt->id;
	p->value = (unsigned)v;
	return 0;
}

int ttl_check_given(const struct ttl_priv *p, const char *what, struct nfsh_err *e)
{
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, what, "-m %s needs --%s-eq, --%s-lt or --%s-gt", what, what, what,
	        what);
	err_hint(e, "e.g. -m %s --%s-lt 5", what, what);
	return -1;
}

static const char *const ops[] = {"==", "<", ">"};

int ttl_emit_field(struct emit_ctx *x, const struct ttl_priv *p, const char *proto,
                   const char *field)
{
	const char *op = p->op == TTL_EQ && p->invert ? "!=" : ops[p->op];

	return ext_emit(x, nftj_match(op, nftj_payload(proto, field), nftj_int(p->value)));
}

int ttl_recognise_field(struct read_ctx *r, struct ttl_priv *p, const char *proto,
                        const char *field)
{
	const char *op, *pr, *f;
	json_t *left, *right;
	long long v;
	int k;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    !nftj_is_payload(left, &pr, &f) || strcmp(pr, proto) || strcmp(f, field) ||
	    !nftj_get_int(right, &v) || v < 0 || v > 255)
		return 0;
	p->invert = strcmp(op, "!=") == 0;
	for (k = 0; k < 3 && strcmp(op, ops[k]); k++)
		;
	if (k == 3 && !p->invert)
		return 0;
	p->op = p->invert ? TTL_EQ : k;
	p->value = (unsigned)v;
	p->given = true;
	read_take(r, 1);
	return 1;
}

void ttl_save_opt(const struct ttl_priv *p, const char *what, struct strbuf *sb)
{
	static const char *const sfx[] = {"eq", "lt", "gt"};

	sb_addf(sb, "%s --%s-%s %u", p->invert ? " !" : "", what, sfx[p->op], p->value);
}

static const struct ext_opt ttl_opts[] = {
    {"ttl-eq", TTL_EQ, 1, EXT_OPT_INV, VK_NUMBER, NULL, "TTL", "TTL equals (0-255)"},
    {"ttl-lt", TTL_LT, 1, 0, VK_NUMBER, NULL, "TTL", "TTL is less than"},
    {"ttl-gt", TTL_GT, 1, 0, VK_NUMBER, NULL, "TTL", "TTL is greater than"},
};

static int ttl_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	return ttl_parse_opt(priv, opt, invert, args[0], "ttl", e);
}

static int ttl_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	return ttl_check_given(priv, "ttl", e);
}

static int ttl_emit(struct emit_ctx *x, const void *priv)
{
	return ttl_emit_field(x, priv, "ip", "ttl");
}

static int ttl_recognise(struct read_ctx *r, void *priv)
{
	return ttl_recognise_field(r, priv, "ip", "ttl");
}

static void ttl_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	ttl_save_opt(priv, "ttl", sb);
}

static void ttl_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ttl_priv *p = priv;
	static const char *const words[] = {"==", "<", ">"};

	(void)family;
	(void)numeric;
	sb_addf(sb, "TTL match TTL %s %u", p->invert ? "!=" : words[p->op], p->value);
}

const struct ext ext_ttl = {
    .name = "ttl",
    .type = EXT_MATCH,
    .help = "IPv4 time to live (ip ttl)",
    .families = NFSH_F_IPV4,
    .opts = ttl_opts,
    .nopts = sizeof(ttl_opts) / sizeof(ttl_opts[0]),
    .priv_size = sizeof(struct ttl_priv),
    .parse = ttl_parse,
    .check = ttl_check,
    .emit = ttl_emit,
    .recognise = ttl_recognise,
    .save = ttl_save,
    .list = ttl_list,
};
EXT_REGISTER(ext_ttl);

/* -m length --length N[:M]: the layer-3 packet length, "meta length N[-M]".
 * Both are the skb length from the network header on. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

struct length_priv {
	bool given, invert;
	unsigned lo, hi;
};

static const struct ext_opt length_opts[] = {
    {"length", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "LEN[:LEN]",
     "packet length in bytes, or a range (0-65535)"},
};

static int length_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct length_priv *p = priv;
	unsigned long long lo, hi;

	(void)c;
	(void)opt;
	if (strchr(args[0], '-') || parse_range(args[0], 65535, &lo, &hi) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --length \"%s\"", args[0]);
		err_hint(e, "LEN or MIN:MAX, numbers 0-65535");
		return -1;
	}
	p->lo = (unsigned)lo;
	p->hi = (unsigned)hi;
	p->given = true;
	p->invert = invert;
	return 0;
}

static int length_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct length_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "length", "-m length needs --length");
	err_hint(e, "e.g. -m length --length 0:1280");
	return -1;
}

static int length_emit(struct emit_ctx *x, const void *priv)
{
	const struct length_priv *p = priv;
	json_t *v = p->lo == p->hi ? nftj_int(p->lo) : nftj_range(nftj_int(p->lo), nftj_int(p->hi));

	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", nftj_meta("length"), v));
}

static int length_recognise(struct read_ctx *r, void *priv)
{
	struct length_priv *p = priv;
	const char *op, *key;
	json_t *left, *right, *a, *b;
	long long lo, hi;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) || !nftj_is_meta(left, &key) ||
	    strcmp(key, "length") || (strcmp(op, "==") && strcmp(op, "!=")))
		return 0;
	if (nftj_get_int(right, &lo))
		hi = lo;
	else if (!nftj_get_range(right, &a, &b) || !nftj_get_int(a, &lo) || !nftj_get_int(b, &hi))
		return 0;
	if (lo < 0 || hi > 65535 || lo > hi)
		return 0;
	p->lo = (unsigned)lo;
	p->hi = (unsigned)hi;
	p->given = true;
	p->invert = strcmp(op, "!=") == 0;
	read_take(r, 1);
	return 1;
}

static void length_save(const void *priv, int family, struct strbuf *sb)
{
	const struct length_priv *p = priv;

	(void)family;
	sb_add(sb, p->invert ? " ! --length " : " --length ");
	if (p->lo == p->hi)
		sb_addf(sb, "%u", p->lo);
	else
		sb_addf(sb, "%u:%u", p->lo, p->hi);
}

static void length_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct length_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, p->invert ? "length !" : "length ");
	if (p->lo == p->hi)
		sb_addf(sb, "%u", p->lo);
	else
		sb_addf(sb, "%u:%u", p->lo, p->hi);
}

const struct ext ext_length = {
    .name = "length",
    .type = EXT_MATCH,
    .help = "layer-3 packet length (meta length)",
    .families = NFSH_F_ANY,
    .opts = length_opts,
    .nopts = 1,
    .priv_size = sizeof(struct length_priv),
    .parse = length_parse,
    .check = length_check,
    .emit = length_emit,
    .recognise = length_recognise,
    .save = length_save,
    .list = length_list,
};
EXT_REGISTER(ext_length);

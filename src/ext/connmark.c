/* -m connmark --mark VALUE[/MASK]: (ct mark & MASK) == VALUE.
 *   full mask   ct mark VALUE
 *   otherwise   ct mark & MASK == VALUE
 * The kernel lists a contiguous mask as a prefix ("ct mark 0xff000000/8"),
 * which read-back accepts too. */
#include "ext/markops.h"
#include "nft/json.h"

#include <string.h>

struct connmark_m_priv {
	bool given, invert;
	uint32_t value, mask;
};

static const struct ext_opt connmark_m_opts[] = {
    {"mark", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "VALUE[/MASK]",
     "connection mark, compared after AND with MASK"},
};

static int cm_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	struct connmark_m_priv *p = priv;

	(void)c;
	(void)opt;
	if (markop_parse(args[0], true, 0xffffffffu, &p->value, &p->mask, "--mark", e) < 0)
		return -1;
	p->given = true;
	p->invert = invert;
	return 0;
}

static int cm_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct connmark_m_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "connmark", "-m connmark needs --mark");
	err_hint(e, "e.g. -m connmark --mark 0x1/0xff");
	return -1;
}

static int cm_emit(struct emit_ctx *x, const void *priv)
{
	const struct connmark_m_priv *p = priv;
	json_t *left = nftj_ct("mark", NULL);

	if (p->mask != 0xffffffffu)
		left = nftj_binop("&", left, nftj_int(p->mask));
	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", left, nftj_int(p->value)));
}

static bool u32(json_t *v, uint32_t *out)
{
	long long x;

	if (!nftj_get_int(v, &x) || x < 0 || x > 0xffffffffll)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool is_ctmark(json_t *e)
{
	const char *key, *dir = NULL;

	return nftj_is_ct(e, &key, &dir) && strcmp(key, "mark") == 0 && !dir;
}

/* A contiguous mask comes back as {"prefix": {"addr": V, "len": L}}. */
static bool read_prefix(json_t *right, uint32_t *value, uint32_t *mask)
{
	json_t *pf = json_object_get(right, "prefix");
	long long len;

	if (!u32(json_object_get(pf, "addr"), value) ||
	    !nftj_get_int(json_object_get(pf, "len"), &len) || len < 0 || len > 32)
		return false;
	*mask = len ? (uint32_t)(0xffffffffu << (32 - len)) : 0;
	return true;
}

static int cm_recognise(struct read_ctx *r, void *priv)
{
	struct connmark_m_priv *p = priv;
	const char *op;
	json_t *left, *right, *bin;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    (strcmp(op, "==") && strcmp(op, "!=")))
		return 0;
	bin = json_object_get(left, "&");
	p->mask = 0xffffffffu;
	if (bin) {
		if (json_array_size(bin) != 2 || !is_ctmark(json_array_get(bin, 0)) ||
		    !u32(json_array_get(bin, 1), &p->mask))
			return 0;
	} else if (!is_ctmark(left)) {
		return 0;
	}
	if (!u32(right, &p->value) && (bin || !read_prefix(right, &p->value, &p->mask)))
		return 0;
	p->given = true;
	p->invert = strcmp(op, "!=") == 0;
	read_take(r, 1);
	return 1;
}

static void cm_format(const struct connmark_m_priv *p, struct strbuf *sb)
{
	sb_addf(sb, "0x%x", p->value);
	if (p->mask != 0xffffffffu)
		sb_addf(sb, "/0x%x", p->mask);
}

static void cm_save(const void *priv, int family, struct strbuf *sb)
{
	const struct connmark_m_priv *p = priv;

	(void)family;
	sb_add(sb, p->invert ? " ! --mark " : " --mark ");
	cm_format(p, sb);
}

static void cm_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct connmark_m_priv *p = priv;

	(void)family;
	(void)numeric;
	/* iptables prints "connmark match " then "!" then " VALUE". */
	sb_add(sb, p->invert ? "connmark match ! " : "connmark match  ");
	cm_format(p, sb);
}

const struct ext ext_connmark = {
    .name = "connmark",
    .type = EXT_MATCH,
    .help = "connection mark (ct mark)",
    .families = NFSH_F_ANY,
    .opts = connmark_m_opts,
    .nopts = 1,
    .priv_size = sizeof(struct connmark_m_priv),
    .parse = cm_parse,
    .check = cm_check,
    .emit = cm_emit,
    .recognise = cm_recognise,
    .save = cm_save,
    .list = cm_list,
};
EXT_REGISTER(ext_connmark);

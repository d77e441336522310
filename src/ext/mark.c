/* -m mark [!] --mark VALUE[/MASK]: meta mark [& MASK] ==|!= VALUE. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

struct mark_priv {
	bool given, invert;
	uint32_t mark, mask;
};

static const struct ext_opt mark_opts[] = {
    {"mark", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "VALUE[/MASK]",
     "packet mark, compared under MASK when given"},
};

/* VALUE[/MASK], each 0-0xffffffff in decimal or hex, as xtables_parse_mark_mask. */
static int parse_mark(const char *arg, uint32_t *mark, uint32_t *mask, struct nfsh_err *e)
{
	char buf[64];
	const char *slash = strchr(arg, '/');
	unsigned long long v, m = 0xffffffffull;

	if (strlen(arg) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", arg);
	if (slash) {
		buf[slash - arg] = '\0';
		if (parse_uint(slash + 1, 0xffffffffull, &m) < 0)
			goto bad;
	}
	if (parse_uint(buf, 0xffffffffull, &v) < 0)
		goto bad;
	*mark = (uint32_t)v;
	*mask = (uint32_t)m;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "bad mark \"%s\"", arg);
	err_hint(e, "VALUE or VALUE/MASK, each a number 0-0xffffffff");
	return -1;
}

static int mark_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct mark_priv *p = priv;

	(void)c;
	(void)opt;
	if (parse_mark(args[0], &p->mark, &p->mask, e) < 0)
		return -1;
	p->given = true;
	p->invert = invert;
	return 0;
}

static int mark_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct mark_priv *p = priv;

	(void)c;
	if (!p->given) {
		err_set(e, NFSH_EPARAM, "mark", "-m mark needs --mark VALUE[/MASK]");
		err_hint(e, "e.g. -m mark --mark 0x1/0xff");
		return -1;
	}
	return 0;
}

static int mark_emit(struct emit_ctx *x, const void *priv)
{
	const struct mark_priv *p = priv;
	json_t *left = nftj_meta("mark");

	if (p->mask != 0xffffffffu)
		left = nftj_binop("&", left, nftj_int(p->mask));
	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", left, nftj_int(p->mark)));
}

static bool get_u32(json_t *v, uint32_t *out)
{
	long long n;

	if (!nftj_get_int(v, &n) || n < 0 || n > 0xffffffffll)
		return false;
	*out = (uint32_t)n;
	return true;
}

/* libnftables lists a contiguous mask as a prefix (meta mark & 0xffff0000 ==
 * 0x10000 comes back as {"prefix": {"addr": 65536, "len": 16}}, & 0 == 0 as
 * len 0): the same value and mask. */
static bool read_prefix(json_t *right, uint32_t *value, uint32_t *mask)
{
	json_t *pf = json_object_get(right, "prefix");
	long long len;

	if (!get_u32(json_object_get(pf, "addr"), value) ||
	    !nftj_get_int(json_object_get(pf, "len"), &len) || len < 0 || len > 32)
		return false;
	*mask = len ? (uint32_t)(0xffffffffu << (32 - len)) : 0;
	return true;
}

static int mark_recognise(struct read_ctx *r, void *priv)
{
	struct mark_priv *p = priv;
	const char *op, *key;
	json_t *left, *right, *bin;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right))
		return 0;
	if (strcmp(op, "==") && strcmp(op, "!="))
		return 0;
	p->mask = 0xffffffffu;
	bin = json_object_get(left, "&");
	if (bin) {
		if (!json_is_array(bin) || json_array_size(bin) != 2 ||
		    !get_u32(json_array_get(bin, 1), &p->mask))
			return 0;
		left = json_array_get(bin, 0);
	}
	if (!nftj_is_meta(left, &key) || strcmp(key, "mark") ||
	    (!get_u32(right, &p->mark) && (bin || !read_prefix(right, &p->mark, &p->mask))))
		return 0;
	p->given = true;
	p->invert = strcmp(op, "!=") == 0;
	read_take(r, 1);
	return 1;
}

static void print_value(const struct mark_priv *p, struct strbuf *sb)
{
	if (p->mask != 0xffffffffu)
		sb_addf(sb, "0x%x/0x%x", p->mark, p->mask);
	else
		sb_addf(sb, "0x%x", p->mark);
}

static void mark_save(const void *priv, int family, struct strbuf *sb)
{
	const struct mark_priv *p = priv;

	(void)family;
	sb_add(sb, p->invert ? " ! --mark " : " --mark ");
	print_value(p, sb);
}

static void mark_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct mark_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, p->invert ? "mark match ! " : "mark match ");
	print_value(p, sb);
}

const struct ext ext_mark = {
    .name = "mark",
    .type = EXT_MATCH,
    .help = "packet mark (meta mark), with an optional mask",
    .families = NFSH_F_ANY,
    .opts = mark_opts,
    .nopts = 1,
    .priv_size = sizeof(struct mark_priv),
    .parse = mark_parse,
    .check = mark_check,
    .emit = mark_emit,
    .recognise = mark_recognise,
    .save = mark_save,
    .list = mark_list,
};
EXT_REGISTER(ext_mark);

/* -m devgroup [!] --src-group G[/M] [!] --dst-group G[/M]: the device group
 * of the input/output interface, iifgroup / oifgroup [& M] [!=] G. Group
 * names (/etc/iproute2/group) are not read: numbers only. */
#include "ext/markops.h"
#include "ext/metamask.h"
#include "nft/json.h"

enum { DG_SRC, DG_DST };

struct devgroup_priv {
	struct metamask src, dst;
};

static const struct ext_opt devgroup_opts[] = {
    {"src-group", DG_SRC, 1, EXT_OPT_INV, VK_NUMBER, NULL, "GROUP[/MASK]",
     "device group of the input interface"},
    {"dst-group", DG_DST, 1, EXT_OPT_INV, VK_NUMBER, NULL, "GROUP[/MASK]",
     "device group of the output interface"},
};

static int devgroup_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct devgroup_priv *p = priv;
	struct metamask *m = opt->id == DG_SRC ? &p->src : &p->dst;

	(void)c;
	if (markop_parse(args[0], true, UINT32_MAX, &m->value, &m->mask, opt->name, e) < 0)
		return -1;
	m->set = true;
	m->invert = invert;
	return 0;
}

static int devgroup_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct devgroup_priv *p = priv;

	(void)c;
	if (p->src.set || p->dst.set)
		return 0;
	err_set(e, NFSH_EPARAM, "devgroup", "-m devgroup needs --src-group or --dst-group");
	err_hint(e, "e.g. -m devgroup --src-group 2");
	return -1;
}

static int devgroup_emit(struct emit_ctx *x, const void *priv)
{
	const struct devgroup_priv *p = priv;
	int rc = 0;

	if (p->src.set)
		rc |= ext_emit(x, metamask_expr("iifgroup", &p->src));
	if (p->dst.set)
		rc |= ext_emit(x, metamask_expr("oifgroup", &p->dst));
	return rc ? -1 : 0;
}

static int devgroup_recognise(struct read_ctx *r, void *priv)
{
	struct devgroup_priv *p = priv;
	int n = 0;

	if (metamask_read(read_peek(r, 0), "iifgroup", &p->src)) {
		read_take(r, 1);
		n++;
	}
	if (metamask_read(read_peek(r, 0), "oifgroup", &p->dst)) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void devgroup_save(const void *priv, int family, struct strbuf *sb)
{
	const struct devgroup_priv *p = priv;

	(void)family;
	metamask_save(&p->src, "src-group", sb);
	metamask_save(&p->dst, "dst-group", sb);
}

static void list_one(const struct metamask *m, const char *what, bool *first, struct strbuf *sb)
{
	if (!m->set)
		return;
	sb_addf(sb, "%s%s%s 0x%x", *first ? "" : " ", m->invert ? "! " : "", what, m->value);
	if (m->mask != UINT32_MAX)
		sb_addf(sb, "/0x%x", m->mask);
	*first = false;
}

static void devgroup_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct devgroup_priv *p = priv;
	bool first = true;

	(void)family;
	(void)numeric;
	list_one(&p->src, "src-group", &first, sb);
	list_one(&p->dst, "dst-group", &first, sb);
}

const struct ext ext_devgroup = {
    .name = "devgroup",
    .type = EXT_MATCH,
    .help = "device group of the input/output interface (iifgroup, oifgroup)",
    .families = NFSH_F_ANY,
    .opts = devgroup_opts,
    .nopts = 2,
    .priv_size = sizeof(struct devgroup_priv),
    .parse = devgroup_parse,
    .check = devgroup_check,
    .emit = devgroup_emit,
    .recognise = devgroup_recognise,
    .save = devgroup_save,
    .list = devgroup_list,
};
EXT_REGISTER(ext_devgroup);

/* -m frag: the IPv6 fragment header, nft's exthdr frag.
 *   [!] --fragid ID[:ID]  frag id [!=] A[-B] (the full range alone: exthdr frag exists)
 *   --fragres             frag reserved 0 frag reserved2 0: the kernel's xt_frag
 *                         matches when both reserved fields are zero
 *                         (iptables-translate writes "reserved 1", the opposite)
 *   --fragfirst           frag frag-off 0
 *   --fragmore/--fraglast frag more-fragments 1 / 0
 *   --fraglen             refused: the fragment header has no length, and
 *                         xt_frag never tests it. */
#include "ext/exthdr.h"
#include "nft/json.h"

#include <string.h>

enum { F_ID, F_LEN, F_RES, F_FIRST, F_MORE, F_LAST };

struct frag_priv {
	struct idrange id;
	bool res, first, more, last;
};

static const struct ext_opt frag_opts[] = {
    {"fragid", F_ID, 1, EXT_OPT_INV, VK_NUMBER, NULL, "ID[:ID]",
     "fragment identification or range"},
    {"fraglen", F_LEN, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N", "(refused: not tested by the kernel)"},
    {"fragres", F_RES, 0, 0, VK_NONE, NULL, NULL, "reserved fields are zero"},
    {"fragfirst", F_FIRST, 0, 0, VK_NONE, NULL, NULL, "first fragment (offset 0)"},
    {"fragmore", F_MORE, 0, 0, VK_NONE, NULL, NULL, "more fragments follow"},
    {"fraglast", F_LAST, 0, 0, VK_NONE, NULL, NULL, "last fragment"},
};

static int frag_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct frag_priv *p = priv;

	(void)c;
	switch (opt->id) {
	case F_ID:
		if (idrange_parse(&p->id, invert, args[0], UINT32_MAX, "fragid", e) < 0)
			return -1;
		if (idrange_full(&p->id, UINT32_MAX))
			p->id.set = false;
		return 0;
	case F_LEN:
		err_set(e, NFSH_EPARAM, "--fraglen",
		        "--fraglen has no native nftables form: the fragment header has no length "
		        "field and the kernel's frag match never tests it");
		err_hint(e, "leave --fraglen out");
		return -1;
	case F_RES:
		p->res = true;
		return 0;
	case F_FIRST:
		p->first = true;
		return 0;
	case F_MORE:
		p->more = true;
		break;
	default:
		p->last = true;
		break;
	}
	if (p->more && p->last)
		return err_set(e, NFSH_EPARAM, opt->name,
		               "--fragmore and --fraglast exclude each other");
	return 0;
}

static int frag_emit(struct emit_ctx *x, const void *priv)
{
	const struct frag_priv *p = priv;
	int rc = 0;

	if (!p->id.set && !p->res && !p->first && !p->more && !p->last)
		return ext_emit(x, xh_exists("frag", true));
	if (p->id.set)
		rc |= ext_emit(x, idrange_expr(xh_left("frag", "id"), &p->id));
	if (p->res) {
		rc |= ext_emit(x, nftj_match("==", xh_left("frag", "reserved"), nftj_int(0)));
		rc |= ext_emit(x, nftj_match("==", xh_left("frag", "reserved2"), nftj_int(0)));
	}
	if (p->first)
		rc |= ext_emit(x, nftj_match("==", xh_left("frag", "frag-off"), nftj_int(0)));
	if (p->more || p->last)
		rc |= ext_emit(x, nftj_match("==", xh_left("frag", "more-fragments"),
		                             nftj_int(p->more ? 1 : 0)));
	return rc ? -1 : 0;
}

static int frag_recognise(struct read_ctx *r, void *priv)
{
	struct frag_priv *p = priv;
	uint32_t v;

	if (xh_read_exists(read_peek(r, 0), "frag")) {
		read_take(r, 1);
		return 1;
	}
	if (xh_read_range(read_peek(r, 0), "frag", "id", UINT32_MAX, &p->id))
		read_take(r, 1);
	if (xh_read_eq(read_peek(r, 0), "frag", "reserved", 0, &v) &&
	    xh_read_eq(read_peek(r, 1), "frag", "reserved2", 0, &v)) {
		p->res = true;
		read_take(r, 2);
	}
	if (xh_read_eq(read_peek(r, 0), "frag", "frag-off", 0, &v)) {
		p->first = true;
		read_take(r, 1);
	}
	if (xh_read_eq(read_peek(r, 0), "frag", "more-fragments", 1, &v)) {
		p->more = v == 1;
		p->last = v == 0;
		read_take(r, 1);
	}
	return p->id.set || p->res || p->first || p->more || p->last;
}

static void frag_save(const void *priv, int family, struct strbuf *sb)
{
	const struct frag_priv *p = priv;

	(void)family;
	idrange_save(&p->id, "fragid", sb);
	if (p->res)
		sb_add(sb, " --fragres");
	if (p->first)
		sb_add(sb, " --fragfirst");
	if (p->more)
		sb_add(sb, " --fragmore");
	if (p->last)
		sb_add(sb, " --fraglast");
}

static void frag_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct frag_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "frag");
	idrange_list(&p->id, "id", sb);
	if (p->res)
		sb_add(sb, " reserved");
	if (p->first)
		sb_add(sb, " first");
	if (p->more)
		sb_add(sb, " more");
	if (p->last)
		sb_add(sb, " last");
}

const struct ext ext_frag = {
    .name = "frag",
    .type = EXT_MATCH,
    .help = "IPv6 fragment header: id, first/more/last (exthdr frag)",
    .families = NFSH_F_IPV6,
    .opts = frag_opts,
    .nopts = sizeof(frag_opts) / sizeof(frag_opts[0]),
    .priv_size = sizeof(struct frag_priv),
    .parse = frag_parse,
    .emit = frag_emit,
    .recognise = frag_recognise,
    .save = frag_save,
    .list = frag_list,
};
EXT_REGISTER(ext_frag);

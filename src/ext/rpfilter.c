/* -m rpfilter: reverse-path filter, a FIB lookup of the source address,
 * as iptables-translate writes it:
 *   fib saddr [. mark] [. iif] oif != 0      (--invert: oif 0)
 * --validmark adds the mark to the lookup, --loose leaves out the input
 * interface. --accept-local (let local source addresses pass) is no single
 * fib test and is refused. PREROUTING only, as xt_rpfilter. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { RP_LOOSE, RP_VALIDMARK, RP_ACCEPT_LOCAL, RP_INVERT };

struct rpfilter_priv {
	bool loose, validmark, invert;
};

static const struct ext_opt rpfilter_opts[] = {
    {"loose", RP_LOOSE, 0, 0, VK_NONE, NULL, NULL,
     "any route back will do, not only via the input interface"},
    {"validmark", RP_VALIDMARK, 0, 0, VK_NONE, NULL, NULL, "use the packet mark in the lookup"},
    {"accept-local", RP_ACCEPT_LOCAL, 0, 0, VK_NONE, NULL, NULL, "(refused: no native form)"},
    {"invert", RP_INVERT, 0, 0, VK_NONE, NULL, NULL, "match packets that fail the check"},
};

static int rpfilter_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct rpfilter_priv *p = priv;

	(void)c;
	(void)invert;
	(void)args;
	switch (opt->id) {
	case RP_LOOSE:
		p->loose = true;
		return 0;
	case RP_VALIDMARK:
		p->validmark = true;
		return 0;
	case RP_INVERT:
		p->invert = true;
		return 0;
	default:
		err_set(e, NFSH_EPARAM, "--accept-local",
		        "-m rpfilter --accept-local has no native nftables form: a fib lookup "
		        "cannot also let local source addresses through in one test");
		err_hint(e, "add a rule before it: fib saddr type local accept");
		return -1;
	}
}

static int rpfilter_emit(struct emit_ctx *x, const void *priv)
{
	const struct rpfilter_priv *p = priv;
	json_t *fib = nftj_object(), *flags = nftj_array();

	nftj_push(flags, nftj_str("saddr"));
	if (p->validmark)
		nftj_push(flags, nftj_str("mark"));
	if (!p->loose)
		nftj_push(flags, nftj_str("iif"));
	nftj_put_str(fib, "result", "oif");
	nftj_put(fib, "flags", flags);
	return ext_emit(x, nftj_match(p->invert ? "==" : "!=", nftj_put(nftj_object(), "fib", fib),
	                              nftj_int(0)));
}

static int rpfilter_recognise(struct read_ctx *r, void *priv)
{
	struct rpfilter_priv *p = priv;
	const char *op, *res;
	json_t *left, *right, *fib, *flags, *f;
	bool saddr = false, iif = false;
	long long v;
	size_t i;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    (strcmp(op, "==") && strcmp(op, "!=")) || !nftj_get_int(right, &v) || v != 0)
		return 0;
	fib = json_object_get(left, "fib");
	res = json_string_value(json_object_get(fib, "result"));
	flags = json_object_get(fib, "flags");
	if (!res || strcmp(res, "oif") || !json_is_array(flags))
		return 0;
	json_array_foreach(flags, i, f)
	{
		const char *s = json_string_value(f);

		if (s && !strcmp(s, "saddr"))
			saddr = true;
		else if (s && !strcmp(s, "mark"))
			p->validmark = true;
		else if (s && !strcmp(s, "iif"))
			iif = true;
		else
			return 0;
	}
	if (!saddr)
		return 0;
	p->loose = !iif;
	p->invert = op[0] == '=';
	read_take(r, 1);
	return 1;
}

static void rpfilter_save(const void *priv, int family, struct strbuf *sb)
{
	const struct rpfilter_priv *p = priv;

	(void)family;
	if (p->loose)
		sb_add(sb, " --loose");
	if (p->validmark)
		sb_add(sb, " --validmark");
	if (p->invert)
		sb_add(sb, " --invert");
}

static void rpfilter_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct rpfilter_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "rpfilter");
	if (p->loose)
		sb_add(sb, " loose");
	if (p->validmark)
		sb_add(sb, " validmark");
	if (p->invert)
		sb_add(sb, " invert");
}

const struct ext ext_rpfilter = {
    .name = "rpfilter",
    .type = EXT_MATCH,
    .help = "reverse-path filter: a route back to the source exists (fib saddr)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_MANGLE) | TBL_BIT(TBL_RAW),
    .hooks = HOOK_BIT(HOOK_PREROUTING),
    .opts = rpfilter_opts,
    .nopts = 4,
    .priv_size = sizeof(struct rpfilter_priv),
    .parse = rpfilter_parse,
    .emit = rpfilter_emit,
    .recognise = rpfilter_recognise,
    .save = rpfilter_save,
    .list = rpfilter_list,
};
EXT_REGISTER(ext_rpfilter);

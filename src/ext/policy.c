/* -m policy --dir in|out --pol ipsec|none: was the packet (in) or will it be
 * (out) handled by IPsec: meta secpath exists|missing (in), rt ipsec
 * exists|missing (out).
 * The policy elements (--strict, --reqid, --spi, --proto, --mode,
 * --tunnel-src/-dst, --next) are refused: nft's ipsec expression reads one
 * fixed position of the SA path, while xt_policy searches the path (or, with
 * --strict, matches it element by element), so no native form is exact. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { P_DIR, P_POL, P_OTHER };

struct policy_priv {
	int dir; /* 0 none, 1 in, 2 out */
	int pol; /* 0 none given, 1 ipsec, 2 none */
};

static const char *const dirs[] = {"in", "out", NULL};
static const char *const pols[] = {"ipsec", "none", NULL};

static const struct ext_opt policy_opts[] = {
    {"dir", P_DIR, 1, 0, VK_ENUM, dirs, "in|out", "decapsulated (in) or to be encapsulated (out)"},
    {"pol", P_POL, 1, 0, VK_ENUM, pols, "ipsec|none", "IPsec processing or none"},
    {"strict", P_OTHER, 0, 0, VK_NONE, NULL, NULL, "(refused: no native form)"},
    {"reqid", P_OTHER, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_NUMBER, NULL, "ID", "(refused)"},
    {"spi", P_OTHER, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_NUMBER, NULL, "SPI", "(refused)"},
    {"proto", P_OTHER, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_WORD, NULL, "ah|esp|ipcomp", "(refused)"},
    {"mode", P_OTHER, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_WORD, NULL, "tunnel|transport",
     "(refused)"},
    {"tunnel-src", P_OTHER, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_ADDR, NULL, "ADDR[/MASK]",
     "(refused)"},
    {"tunnel-dst", P_OTHER, 1, EXT_OPT_INV | EXT_OPT_MULTI, VK_ADDR, NULL, "ADDR[/MASK]",
     "(refused)"},
    {"next", P_OTHER, 0, EXT_OPT_MULTI, VK_NONE, NULL, NULL, "(refused)"},
};

static int policy_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct policy_priv *p = priv;
	const char *const *tab = opt->id == P_DIR ? dirs : pols;
	int *slot = opt->id == P_DIR ? &p->dir : &p->pol;

	(void)c;
	(void)invert;
	if (opt->id == P_OTHER) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "-m policy --%s has no native nftables form: nft's ipsec expression reads "
		        "one fixed position of the SA path, xt_policy searches it",
		        opt->name);
		err_hint(e,
		         "only --dir in|out --pol ipsec|none (meta secpath / rt ipsec) is native");
		return -1;
	}
	for (int i = 0; tab[i]; i++)
		if (!strcmp(args[0], tab[i])) {
			*slot = i + 1;
			return 0;
		}
	err_set(e, NFSH_EPARAM, args[0], "unknown --%s \"%s\"", opt->name, args[0]);
	err_hint(e, "%s or %s", tab[0], tab[1]);
	return -1;
}

static int policy_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct policy_priv *p = priv;

	(void)c;
	if (p->dir && p->pol)
		return 0;
	err_set(e, NFSH_EPARAM, "policy", "-m policy needs --dir in|out and --pol ipsec|none");
	err_hint(e, "e.g. -m policy --dir in --pol ipsec");
	return -1;
}

static json_t *left_for(int dir)
{
	return dir == 1 ? nftj_meta("secpath")
	                : nftj_put(nftj_object(), "rt",
	                           nftj_put(nftj_object(), "key", nftj_str("ipsec")));
}

static int policy_emit(struct emit_ctx *x, const void *priv)
{
	const struct policy_priv *p = priv;

	return ext_emit(x, nftj_match("==", left_for(p->dir), nftj_bool(p->pol == 1)));
}

static int policy_recognise(struct read_ctx *r, void *priv)
{
	struct policy_priv *p = priv;
	const char *op, *key;
	json_t *left, *right;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) || strcmp(op, "==") ||
	    !json_is_boolean(right))
		return 0;
	if (nftj_is_meta(left, &key) && (!strcmp(key, "ipsec") || !strcmp(key, "secpath")))
		p->dir = 1;
	else if ((key = json_string_value(json_object_get(json_object_get(left, "rt"), "key"))) &&
	         !strcmp(key, "ipsec"))
		p->dir = 2;
	else
		return 0;
	p->pol = json_is_true(right) ? 1 : 2;
	read_take(r, 1);
	return 1;
}

static void policy_save(const void *priv, int family, struct strbuf *sb)
{
	const struct policy_priv *p = priv;

	(void)family;
	sb_addf(sb, " --dir %s --pol %s", dirs[p->dir - 1], pols[p->pol - 1]);
}

static void policy_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct policy_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "policy match dir %s pol %s", dirs[p->dir - 1], pols[p->pol - 1]);
}

const struct ext ext_policy = {
    .name = "policy",
    .type = EXT_MATCH,
    .help = "IPsec processing of the packet (meta secpath, rt ipsec)",
    .families = NFSH_F_ANY,
    .opts = policy_opts,
    .nopts = sizeof(policy_opts) / sizeof(policy_opts[0]),
    .priv_size = sizeof(struct policy_priv),
    .parse = policy_parse,
    .check = policy_check,
    .emit = policy_emit,
    .recognise = policy_recognise,
    .save = policy_save,
    .list = policy_list,
};
EXT_REGISTER(ext_policy);

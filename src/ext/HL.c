/* -j HL --hl-set N: "ip6 hoplimit set N".
 * --hl-inc/--hl-dec are refused: nftables has no arithmetic on payload
 * fields (its bitwise expression does and/or/xor/shift only), and xt_HL's
 * saturating add has no native form. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { HLT_SET, HLT_INC, HLT_DEC };

struct hl_tgt_priv {
	bool given;
	unsigned value;
};

static const struct ext_opt hl_tgt_opts[] = {
    {"hl-set", HLT_SET, 1, 0, VK_NUMBER, NULL, "VALUE", "set the hop limit to 0-255"},
    {"hl-inc", HLT_INC, 1, 0, VK_NUMBER, NULL, "VALUE",
     "increment the hop limit (no nftables form)"},
    {"hl-dec", HLT_DEC, 1, 0, VK_NUMBER, NULL, "VALUE",
     "decrement the hop limit (no nftables form)"},
};

static int hl_tgt_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct hl_tgt_priv *p = priv;
	unsigned long long v;

	(void)c;
	(void)invert;
	if (p->given)
		return err_set(e, NFSH_EPARAM, opt->name,
		               "-j HL takes one of --hl-set, --hl-inc, --hl-dec");
	if (parse_uint(args[0], 255, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --%s \"%s\"", opt->name, args[0]);
		err_hint(e, "a number 0-255");
		return -1;
	}
	if (opt->id != HLT_SET) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "--%s has no nftables form: nftables cannot add to or subtract from a "
		        "header field",
		        opt->name);
		err_hint(e, "use --hl-set VALUE (ip6 hoplimit set VALUE)");
		return -1;
	}
	p->value = (unsigned)v;
	p->given = true;
	return 0;
}

static int hl_tgt_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	if (((struct hl_tgt_priv *)priv)->given)
		return 0;
	err_set(e, NFSH_EPARAM, "HL", "-j HL needs --hl-set");
	err_hint(e, "e.g. -t mangle -A PREROUTING -j HL --hl-set 64");
	return -1;
}

static int hl_tgt_emit(struct emit_ctx *x, const void *priv)
{
	json_t *body = nftj_object();

	nftj_put(body, "key", nftj_payload("ip6", "hoplimit"));
	nftj_put(body, "value", nftj_int(((const struct hl_tgt_priv *)priv)->value));
	return ext_emit(x, nftj_stmt("mangle", body));
}

static int hl_tgt_recognise(struct read_ctx *r, void *priv)
{
	struct hl_tgt_priv *p = priv;
	json_t *body;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body), *proto, *field;
	long long n;

	if (!name || strcmp(name, "mangle") ||
	    !nftj_is_payload(json_object_get(body, "key"), &proto, &field) ||
	    strcmp(proto, "ip6") || strcmp(field, "hoplimit") ||
	    !nftj_get_int(json_object_get(body, "value"), &n) || n < 0 || n > 255)
		return 0;
	p->value = (unsigned)n;
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void hl_tgt_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	sb_addf(sb, " --hl-set %u", ((const struct hl_tgt_priv *)priv)->value);
}

static void hl_tgt_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	sb_addf(sb, "HL set to %u", ((const struct hl_tgt_priv *)priv)->value);
}

const struct ext ext_HL = {
    .name = "HL",
    .type = EXT_TARGET,
    .help = "set the IPv6 hop limit (ip6 hoplimit set)",
    .families = NFSH_F_IPV6,
    .opts = hl_tgt_opts,
    .nopts = sizeof(hl_tgt_opts) / sizeof(hl_tgt_opts[0]),
    .priv_size = sizeof(struct hl_tgt_priv),
    .parse = hl_tgt_parse,
    .check = hl_tgt_check,
    .emit = hl_tgt_emit,
    .recognise = hl_tgt_recognise,
    .save = hl_tgt_save,
    .list = hl_tgt_list,
};
EXT_REGISTER(ext_HL);

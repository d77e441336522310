/* -j TTL --ttl-set N: "ip ttl set N" (nft updates the checksum).
 * --ttl-inc/--ttl-dec are refused: nftables has no arithmetic on payload
 * fields (its bitwise expression does and/or/xor/shift only), and xt_TTL's
 * saturating add has no native form. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { TTLT_SET, TTLT_INC, TTLT_DEC };

struct ttl_tgt_priv {
	bool given;
	unsigned value;
};

static const struct ext_opt ttl_tgt_opts[] = {
    {"ttl-set", TTLT_SET, 1, 0, VK_NUMBER, NULL, "VALUE", "set the TTL to 0-255"},
    {"ttl-inc", TTLT_INC, 1, 0, VK_NUMBER, NULL, "VALUE", "increment the TTL (no nftables form)"},
    {"ttl-dec", TTLT_DEC, 1, 0, VK_NUMBER, NULL, "VALUE", "decrement the TTL (no nftables form)"},
};

static int ttl_tgt_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                         bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ttl_tgt_priv *p = priv;
	unsigned long long v;

	(void)c;
	(void)invert;
	if (p->given)
		return err_set(e, NFSH_EPARAM, opt->name,
		               "-j TTL takes one of --ttl-set, --ttl-inc, --ttl-dec");
	if (parse_uint(args[0], 255, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --%s \"%s\"", opt->name, args[0]);
		err_hint(e, "a number 0-255");
		return -1;
	}
	if (opt->id != TTLT_SET) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "--%s has no nftables form: nftables cannot add to or subtract from a "
		        "header field",
		        opt->name);
		err_hint(e, "use --ttl-set VALUE (ip ttl set VALUE)");
		return -1;
	}
	p->value = (unsigned)v;
	p->given = true;
	return 0;
}

static int ttl_tgt_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	if (((struct ttl_tgt_priv *)priv)->given)
		return 0;
	err_set(e, NFSH_EPARAM, "TTL", "-j TTL needs --ttl-set");
	err_hint(e, "e.g. -t mangle -A PREROUTING -j TTL --ttl-set 64");
	return -1;
}

static int ttl_tgt_emit(struct emit_ctx *x, const void *priv)
{
	json_t *body = nftj_object();

	nftj_put(body, "key", nftj_payload("ip", "ttl"));
	nftj_put(body, "value", nftj_int(((const struct ttl_tgt_priv *)priv)->value));
	return ext_emit(x, nftj_stmt("mangle", body));
}

static int ttl_tgt_recognise(struct read_ctx *r, void *priv)
{
	struct ttl_tgt_priv *p = priv;
	json_t *body;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body), *proto, *field;
	long long n;

	if (!name || strcmp(name, "mangle") ||
	    !nftj_is_payload(json_object_get(body, "key"), &proto, &field) || strcmp(proto, "ip") ||
	    strcmp(field, "ttl") || !nftj_get_int(json_object_get(body, "value"), &n) || n < 0 ||
	    n > 255)
		return 0;
	p->value = (unsigned)n;
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void ttl_tgt_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	sb_addf(sb, " --ttl-set %u", ((const struct ttl_tgt_priv *)priv)->value);
}

static void ttl_tgt_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	sb_addf(sb, "TTL set to %u", ((const struct ttl_tgt_priv *)priv)->value);
}

const struct ext ext_TTL = {
    .name = "TTL",
    .type = EXT_TARGET,
    .help = "set the IPv4 time to live (ip ttl set)",
    .families = NFSH_F_IPV4,
    .opts = ttl_tgt_opts,
    .nopts = sizeof(ttl_tgt_opts) / sizeof(ttl_tgt_opts[0]),
    .priv_size = sizeof(struct ttl_tgt_priv),
    .parse = ttl_tgt_parse,
    .check = ttl_tgt_check,
    .emit = ttl_tgt_emit,
    .recognise = ttl_tgt_recognise,
    .save = ttl_tgt_save,
    .list = ttl_tgt_list,
};
EXT_REGISTER(ext_TTL);

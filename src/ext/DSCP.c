/* -j DSCP --set-dscp V | --set-dscp-class NAME: "ip dscp set V" or
 * "ip6 dscp set V" (nft updates the IPv4 checksum). */
#include "ext/dscp.h"
#include "nft/json.h"

#include <string.h>
#include <strings.h>

struct dscp_tgt_priv {
	bool given;
	unsigned value;
};

static const struct ext_opt dscp_tgt_opts[] = {
    {"set-dscp", 0, 1, 0, VK_NUMBER, NULL, "VALUE", "set the DSCP field to 0-0x3f"},
    {"set-dscp-class", 1, 1, 0, VK_WORD, NULL, "CLASS",
     "set the DSCP field to a class: CS0-CS7, BE, AF11-AF43, EF"},
};

static int dscp_tgt_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct dscp_tgt_priv *p = priv;
	unsigned long long v;
	const struct sym *s;

	(void)c;
	(void)invert;
	if (p->given) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "-j DSCP takes one of --set-dscp, --set-dscp-class");
		err_hint(e, "a class is only a name for a --set-dscp value");
		return -1;
	}
	if (opt->id == 0) {
		if (parse_uint(args[0], 0x3f, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --set-dscp \"%s\"", args[0]);
			err_hint(e, "a number 0-0x3f, or --set-dscp-class NAME");
			return -1;
		}
		p->value = (unsigned)v;
	} else {
		s = sym_by_name(dscp_classes, args[0]);
		if (!s || !strcasecmp(s->name, "VA") || !strcasecmp(s->name, "LEPHB")) {
			err_set(e, NFSH_EPARAM, args[0], "unknown DSCP class \"%s\"", args[0]);
			err_hint(e, "CS0-CS7, BE, AF11-AF43 or EF");
			return -1;
		}
		p->value = s->value;
	}
	p->given = true;
	return 0;
}

static int dscp_tgt_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct dscp_tgt_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "DSCP", "-j DSCP needs --set-dscp or --set-dscp-class");
	err_hint(e, "e.g. -t mangle -A POSTROUTING -j DSCP --set-dscp-class EF");
	return -1;
}

static int dscp_tgt_emit(struct emit_ctx *x, const void *priv)
{
	const struct dscp_tgt_priv *p = priv;
	json_t *body = nftj_object();

	nftj_put(body, "key", nftj_payload(x->family == NFSH_IPV6 ? "ip6" : "ip", "dscp"));
	nftj_put(body, "value", nftj_int(p->value));
	return ext_emit(x, nftj_stmt("mangle", body));
}

static int dscp_tgt_recognise(struct read_ctx *r, void *priv)
{
	struct dscp_tgt_priv *p = priv;
	json_t *body, *v;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body), *proto, *field;
	const struct sym *s;
	long long n;
	char form[8];

	/* -j TOS writes the same statement; its form tag says so. */
	if (read_tag_target(r, "TOS", form, sizeof(form)))
		return 0;
	if (!name || strcmp(name, "mangle") ||
	    !nftj_is_payload(json_object_get(body, "key"), &proto, &field) ||
	    strcmp(proto, r->family == NFSH_IPV6 ? "ip6" : "ip") || strcmp(field, "dscp"))
		return 0;
	v = json_object_get(body, "value");
	if (nftj_get_int(v, &n) && n >= 0 && n <= 0x3f)
		p->value = (unsigned)n;
	else if (json_is_string(v) && (s = sym_by_name(dscp_classes, json_string_value(v))))
		p->value = s->value;
	else
		return 0;
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void dscp_tgt_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	sb_addf(sb, " --set-dscp 0x%02x", ((const struct dscp_tgt_priv *)priv)->value);
}

static void dscp_tgt_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	sb_addf(sb, "DSCP set 0x%02x", ((const struct dscp_tgt_priv *)priv)->value);
}

const struct ext ext_DSCP = {
    .name = "DSCP",
    .type = EXT_TARGET,
    .help = "set the DiffServ code point (ip dscp set / ip6 dscp set)",
    .families = NFSH_F_ANY,
    .opts = dscp_tgt_opts,
    .nopts = sizeof(dscp_tgt_opts) / sizeof(dscp_tgt_opts[0]),
    .priv_size = sizeof(struct dscp_tgt_priv),
    .parse = dscp_tgt_parse,
    .check = dscp_tgt_check,
    .emit = dscp_tgt_emit,
    .recognise = dscp_tgt_recognise,
    .save = dscp_tgt_save,
    .list = dscp_tgt_list,
};
EXT_REGISTER(ext_DSCP);

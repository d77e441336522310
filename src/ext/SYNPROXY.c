/* -j SYNPROXY [--sack-perm] [--timestamp] [--wscale N] [--mss N] (-p tcp):
 * synproxy [mss N] [wscale N] [timestamp] [sack-perm]. --ecn has no nft
 * synproxy flag and is refused. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { SP_SACK, SP_TS, SP_WSCALE, SP_MSS, SP_ECN };

struct synproxy_priv {
	bool sack, ts, wscale_set, mss_set;
	unsigned wscale, mss;
};

static const struct ext_opt synproxy_opts[] = {
    {"sack-perm", SP_SACK, 0, 0, VK_NONE, NULL, NULL, "offer selective acknowledgement"},
    {"timestamp", SP_TS, 0, 0, VK_NONE, NULL, NULL, "offer TCP timestamps"},
    {"wscale", SP_WSCALE, 1, 0, VK_NUMBER, NULL, "N", "window scale 0-14"},
    {"mss", SP_MSS, 1, 0, VK_NUMBER, NULL, "N", "maximum segment size 0-65535"},
    {"ecn", SP_ECN, 0, 0, VK_NONE, NULL, NULL, "(refused: no nft synproxy flag)"},
};

static int synproxy_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct synproxy_priv *p = priv;
	unsigned long long v;

	(void)c;
	(void)invert;
	switch (opt->id) {
	case SP_SACK:
		p->sack = true;
		return 0;
	case SP_TS:
		p->ts = true;
		return 0;
	case SP_ECN:
		err_set(e, NFSH_EPARAM, "--ecn",
		        "-j SYNPROXY --ecn has no native nftables form: nft's synproxy has no ECN "
		        "flag");
		err_hint(e, "leave --ecn out");
		return -1;
	default:
		if (parse_uint(args[0], opt->id == SP_MSS ? 65535 : 14, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --%s \"%s\"", opt->name, args[0]);
			err_hint(e, "a number 0-%u", opt->id == SP_MSS ? 65535 : 14);
			return -1;
		}
		if (opt->id == SP_MSS) {
			p->mss = (unsigned)v;
			p->mss_set = true;
		} else {
			p->wscale = (unsigned)v;
			p->wscale_set = true;
		}
		return 0;
	}
}

static int synproxy_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct rule *r = c->rule;

	(void)priv;
	if (r && r->proto_set && !r->proto_invert && r->proto == 6)
		return 0;
	err_set(e, NFSH_EPARAM, "SYNPROXY", "-j SYNPROXY needs -p tcp");
	err_hint(e, "e.g. -p tcp --dport 80 -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY");
	return -1;
}

static int synproxy_emit(struct emit_ctx *x, const void *priv)
{
	const struct synproxy_priv *p = priv;
	json_t *b = nftj_object(), *flags = nftj_array();

	if (p->mss_set)
		nftj_put_int(b, "mss", p->mss);
	if (p->wscale_set)
		nftj_put_int(b, "wscale", p->wscale);
	if (p->ts)
		nftj_push(flags, nftj_str("timestamp"));
	if (p->sack)
		nftj_push(flags, nftj_str("sack-perm"));
	if (json_array_size(flags))
		nftj_put(b, "flags", flags);
	else
		json_decref(flags);
	return ext_emit(x, nftj_stmt("synproxy", b));
}

static int synproxy_recognise(struct read_ctx *r, void *priv)
{
	struct synproxy_priv *p = priv;
	json_t *body, *flags, *f;
	const char *name = read_peek(r, 0) ? nftj_stmt_name(read_peek(r, 0), &body) : NULL;
	long long v;
	size_t i;

	if (!name || strcmp(name, "synproxy") || !json_is_object(body))
		return 0;
	if (nftj_get_int(json_object_get(body, "mss"), &v)) {
		if (v < 0 || v > 65535)
			return 0;
		p->mss = (unsigned)v;
		p->mss_set = true;
	}
	if (nftj_get_int(json_object_get(body, "wscale"), &v)) {
		if (v < 0 || v > 14)
			return 0;
		p->wscale = (unsigned)v;
		p->wscale_set = true;
	}
	flags = json_object_get(body, "flags");
	if (json_is_string(flags)) {
		p->ts = !strcmp(json_string_value(flags), "timestamp");
		p->sack = !strcmp(json_string_value(flags), "sack-perm");
	} else if (json_is_array(flags)) {
		json_array_foreach(flags, i, f)
		{
			const char *s = json_string_value(f);

			if (s && !strcmp(s, "timestamp"))
				p->ts = true;
			else if (s && !strcmp(s, "sack-perm"))
				p->sack = true;
			else
				return 0;
		}
	}
	read_take(r, 1);
	return 1;
}

static void synproxy_save(const void *priv, int family, struct strbuf *sb)
{
	const struct synproxy_priv *p = priv;

	(void)family;
	if (p->sack)
		sb_add(sb, " --sack-perm");
	if (p->ts)
		sb_add(sb, " --timestamp");
	if (p->wscale_set)
		sb_addf(sb, " --wscale %u", p->wscale);
	if (p->mss_set)
		sb_addf(sb, " --mss %u", p->mss);
}

static void synproxy_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct synproxy_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "SYNPROXY");
	if (p->sack)
		sb_add(sb, " sack-perm");
	if (p->ts)
		sb_add(sb, " timestamp");
	if (p->wscale_set)
		sb_addf(sb, " wscale %u", p->wscale);
	if (p->mss_set)
		sb_addf(sb, " mss %u", p->mss);
}

const struct ext ext_SYNPROXY = {
    .name = "SYNPROXY",
    .type = EXT_TARGET,
    .help = "answer TCP handshakes for the server (nft synproxy)",
    .families = NFSH_F_ANY,
    .opts = synproxy_opts,
    .nopts = sizeof(synproxy_opts) / sizeof(synproxy_opts[0]),
    .priv_size = sizeof(struct synproxy_priv),
    .parse = synproxy_parse,
    .check = synproxy_check,
    .emit = synproxy_emit,
    .recognise = synproxy_recognise,
    .save = synproxy_save,
    .list = synproxy_list,
};
EXT_REGISTER(ext_SYNPROXY);

/* -m realm [!] --realm VALUE[/MASK]: the routing realm (route classid) of
 * the packet's route, meta rtclassid [& MASK] [!=] VALUE. IPv4 only, as
 * libipt_realm. Realm names (/etc/iproute2/rt_realms) are not read. */
#include "ext/markops.h"
#include "ext/metamask.h"
#include "nft/json.h"

struct realm_priv {
	struct metamask m;
};

static const struct ext_opt realm_opts[] = {
    {"realm", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "VALUE[/MASK]", "routing realm of the route"},
};

static int realm_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct realm_priv *p = priv;

	(void)c;
	(void)opt;
	if (markop_parse(args[0], true, UINT32_MAX, &p->m.value, &p->m.mask, "realm", e) < 0)
		return -1;
	p->m.set = true;
	p->m.invert = invert;
	return 0;
}

static int realm_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct realm_priv *p = priv;

	(void)c;
	if (p->m.set)
		return 0;
	err_set(e, NFSH_EPARAM, "realm", "-m realm needs --realm VALUE[/MASK]");
	err_hint(e, "e.g. -m realm --realm 4");
	return -1;
}

static int realm_emit(struct emit_ctx *x, const void *priv)
{
	const struct realm_priv *p = priv;

	return ext_emit(x, metamask_expr("rtclassid", &p->m));
}

static int realm_recognise(struct read_ctx *r, void *priv)
{
	struct realm_priv *p = priv;

	if (!metamask_read(read_peek(r, 0), "rtclassid", &p->m))
		return 0;
	read_take(r, 1);
	return 1;
}

static void realm_save(const void *priv, int family, struct strbuf *sb)
{
	const struct realm_priv *p = priv;

	(void)family;
	metamask_save(&p->m, "realm", sb);
}

static void realm_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct realm_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "%sREALM match 0x%x", p->m.invert ? "! " : "", p->m.value);
	if (p->m.mask != UINT32_MAX)
		sb_addf(sb, "/0x%x", p->m.mask);
}

const struct ext ext_realm = {
    .name = "realm",
    .type = EXT_MATCH,
    .help = "routing realm of the packet's route (meta rtclassid), IPv4",
    .families = NFSH_F_IPV4,
    .opts = realm_opts,
    .nopts = 1,
    .priv_size = sizeof(struct realm_priv),
    .parse = realm_parse,
    .check = realm_check,
    .emit = realm_emit,
    .recognise = realm_recognise,
    .save = realm_save,
    .list = realm_list,
};
EXT_REGISTER(ext_realm);

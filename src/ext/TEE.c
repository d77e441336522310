/* -j TEE --gateway ADDR [--oif DEV]: send a copy of the packet to ADDR
 * (optionally through DEV): dup to ADDR [device DEV]. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { TEE_GW, TEE_OIF };

struct tee_priv {
	bool gw_set;
	uint8_t gw[16];
	char oif[NFSH_IFNAME_MAX];
};

static const struct ext_opt tee_opts[] = {
    {"gateway", TEE_GW, 1, 0, VK_ADDR, NULL, "ADDR", "where the copy is sent"},
    {"oif", TEE_OIF, 1, 0, VK_IFACE, NULL, "DEV", "interface to send it through"},
};

static int tee_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct tee_priv *p = priv;
	struct addr_match m;

	(void)invert;
	if (opt->id == TEE_OIF) {
		if (!args[0][0] || strlen(args[0]) >= sizeof(p->oif)) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --oif \"%s\"", args[0]);
			err_hint(e, "an interface name of 1-%d characters", NFSH_IFNAME_MAX - 1);
			return -1;
		}
		snprintf(p->oif, sizeof(p->oif), "%s", args[0]);
		return 0;
	}
	if (strchr(args[0], '/') || addr_parse(args[0], c->family, &m) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --gateway \"%s\"", args[0]);
		err_hint(e, "one %s address", c->family == NFSH_IPV6 ? "IPv6" : "IPv4");
		return -1;
	}
	memcpy(p->gw, m.addr, sizeof(p->gw));
	p->gw_set = true;
	return 0;
}

static int tee_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct tee_priv *p = priv;

	(void)c;
	if (p->gw_set)
		return 0;
	err_set(e, NFSH_EPARAM, "TEE", "-j TEE needs --gateway ADDR");
	err_hint(e, "e.g. -j TEE --gateway 192.0.2.1");
	return -1;
}

static int tee_emit(struct emit_ctx *x, const void *priv)
{
	const struct tee_priv *p = priv;
	json_t *b = nftj_object();
	char buf[64];

	addr_ntop(x->family, p->gw, buf, sizeof(buf));
	nftj_put_str(b, "addr", buf);
	if (p->oif[0])
		nftj_put_str(b, "dev", p->oif);
	return ext_emit(x, nftj_stmt("dup", b));
}

static int tee_recognise(struct read_ctx *r, void *priv)
{
	struct tee_priv *p = priv;
	json_t *body;
	const char *name = read_peek(r, 0) ? nftj_stmt_name(read_peek(r, 0), &body) : NULL;
	const char *a, *dev;
	struct addr_match m;

	if (!name || strcmp(name, "dup") || !json_is_object(body))
		return 0;
	a = json_string_value(json_object_get(body, "addr"));
	dev = json_string_value(json_object_get(body, "dev"));
	if (!a || addr_parse(a, r->family, &m) < 0 || (dev && strlen(dev) >= sizeof(p->oif)))
		return 0;
	memcpy(p->gw, m.addr, sizeof(p->gw));
	p->gw_set = true;
	if (dev)
		snprintf(p->oif, sizeof(p->oif), "%s", dev);
	read_take(r, 1);
	return 1;
}

static void tee_save(const void *priv, int family, struct strbuf *sb)
{
	const struct tee_priv *p = priv;
	char buf[64];

	addr_ntop(family, p->gw, buf, sizeof(buf));
	sb_addf(sb, " --gateway %s", buf);
	if (p->oif[0])
		sb_addf(sb, " --oif %s", p->oif);
}

static void tee_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct tee_priv *p = priv;
	char buf[64];

	(void)numeric;
	addr_ntop(family, p->gw, buf, sizeof(buf));
	sb_addf(sb, "TEE gw:%s", buf);
	if (p->oif[0])
		sb_addf(sb, " oif=%s", p->oif);
}

const struct ext ext_TEE = {
    .name = "TEE",
    .type = EXT_TARGET,
    .help = "send a copy of the packet to another host (dup to)",
    .families = NFSH_F_ANY,
    .opts = tee_opts,
    .nopts = 2,
    .priv_size = sizeof(struct tee_priv),
    .parse = tee_parse,
    .check = tee_check,
    .emit = tee_emit,
    .recognise = tee_recognise,
    .save = tee_save,
    .list = tee_list,
};
EXT_REGISTER(ext_TEE);

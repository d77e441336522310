/* -j TPROXY --on-port P [--on-ip ADDR] [--tproxy-mark V[/M]] (mangle
 * PREROUTING, -p tcp or udp): tproxy to [ADDR][:P], then the mark update
 * (mark & ~M) ^ V, then accept, since TPROXY is a terminal target and nft's
 * tproxy is not. Port 0 and address 0.0.0.0/:: mean the packet's own, as in
 * both. */
#include "ext/ext.h"
#include "ext/markops.h"
#include "nft/json.h"

#include <arpa/inet.h>
#include <string.h>

enum { TP_PORT, TP_IP, TP_MARK };

struct tproxy_priv {
	bool port_set, ip_set;
	unsigned port;
	uint8_t addr[16];
	uint32_t value, mask; /* mask 0: no mark update */
};

static const struct ext_opt tproxy_opts[] = {
    {"on-port", TP_PORT, 1, 0, VK_PORT, NULL, "PORT", "local port to divert to (0: the packet's)"},
    {"on-ip", TP_IP, 1, 0, VK_ADDR, NULL, "ADDR", "local address to divert to"},
    {"tproxy-mark", TP_MARK, 1, 0, VK_NUMBER, NULL, "VALUE[/MASK]", "mark the packet"},
};

static int tproxy_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct tproxy_priv *p = priv;
	struct addr_match m;

	(void)invert;
	switch (opt->id) {
	case TP_PORT:
		if (parse_port(args[0], &p->port) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --on-port \"%s\"", args[0]);
			err_hint(e, "a port 0-65535");
			return -1;
		}
		p->port_set = true;
		return 0;
	case TP_IP:
		if (addr_parse(args[0], c->family, &m) < 0 || strchr(args[0], '/')) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --on-ip \"%s\"", args[0]);
			err_hint(e, "one %s address", c->family == NFSH_IPV6 ? "IPv6" : "IPv4");
			return -1;
		}
		memcpy(p->addr, m.addr, sizeof(p->addr));
		p->ip_set = true;
		return 0;
	default:
		return markop_parse(args[0], true, UINT32_MAX, &p->value, &p->mask, "tproxy-mark",
		                    e);
	}
}

static bool addr_zero(const uint8_t *a)
{
	static const uint8_t z[16];

	return memcmp(a, z, sizeof(z)) == 0;
}

static int tproxy_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct tproxy_priv *p = priv;
	const struct rule *r = c->rule;

	if (!p->port_set)
		return err_set(e, NFSH_EPARAM, "TPROXY", "-j TPROXY needs --on-port PORT");
	if (!r || !r->proto_set || r->proto_invert || (r->proto != 6 && r->proto != 17)) {
		err_set(e, NFSH_EPARAM, "TPROXY", "-j TPROXY needs -p tcp or -p udp");
		err_hint(e, "e.g. -p tcp -j TPROXY --on-port 3128");
		return -1;
	}
	return 0;
}

static int tproxy_emit(struct emit_ctx *x, const void *priv)
{
	const struct tproxy_priv *p = priv;
	json_t *b = nftj_object();
	char buf[64];
	int rc;

	if (p->ip_set && !addr_zero(p->addr)) {
		addr_ntop(x->family, p->addr, buf, sizeof(buf));
		nftj_put_str(b, "addr", buf);
		if (p->port)
			nftj_put_int(b, "port", p->port);
	} else {
		nftj_put_int(b, "port", p->port);
	}
	rc = ext_emit(x, nftj_stmt("tproxy", b));
	if (!rc && p->mask)
		rc = ext_emit(x, markop_set(MK_META, markop_value(MK_META, p->value, p->mask)));
	if (!rc)
		rc = ext_emit(x, nftj_verdict("accept"));
	return rc;
}

static int tproxy_recognise(struct read_ctx *r, void *priv)
{
	struct tproxy_priv *p = priv;
	json_t *body, *v;
	const char *name = read_peek(r, 0) ? nftj_stmt_name(read_peek(r, 0), &body) : NULL;
	const char *a;
	long long port = 0;
	uint32_t keep, xr;
	size_t n = 1;
	struct addr_match m;

	if (!name || strcmp(name, "tproxy") || !json_is_object(body))
		return 0;
	if (json_object_get(body, "port") &&
	    (!nftj_get_int(json_object_get(body, "port"), &port) || port < 0 || port > 65535))
		return 0;
	a = json_string_value(json_object_get(body, "addr"));
	if (a) {
		if (addr_parse(a, r->family, &m) < 0)
			return 0;
		memcpy(p->addr, m.addr, sizeof(p->addr));
		p->ip_set = true;
	}
	p->port = (unsigned)port;
	p->port_set = true;
	if (markop_is_set(read_peek(r, n), MK_META, &v) && !markop_uses(v, MK_CT) &&
	    markop_fold(v, MK_META, &keep, &xr)) {
		p->value = xr;
		p->mask = ~keep;
		n++;
	}
	name = read_peek(r, n) ? nftj_stmt_name(read_peek(r, n), &body) : NULL;
	if (!name || strcmp(name, "accept"))
		return 0;
	read_take(r, n + 1);
	return 1;
}

/* As libxt_TPROXY prints revision 1: all three, always. */
static void tproxy_save(const void *priv, int family, struct strbuf *sb)
{
	const struct tproxy_priv *p = priv;
	char buf[64];

	addr_ntop(family, p->addr, buf, sizeof(buf));
	sb_addf(sb, " --on-port %u --on-ip %s --tproxy-mark 0x%x/0x%x", p->port, buf, p->value,
	        p->mask);
}

static void tproxy_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct tproxy_priv *p = priv;
	char buf[64];

	(void)numeric;
	addr_ntop(family, p->addr, buf, sizeof(buf));
	sb_addf(sb, "TPROXY redirect %s:%u mark 0x%x/0x%x", buf, p->port, p->value, p->mask);
}

const struct ext ext_TPROXY = {
    .name = "TPROXY",
    .type = EXT_TARGET,
    .help = "divert to a local socket without changing the packet (tproxy to)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_MANGLE),
    .hooks = HOOK_BIT(HOOK_PREROUTING),
    .opts = tproxy_opts,
    .nopts = 3,
    .priv_size = sizeof(struct tproxy_priv),
    .parse = tproxy_parse,
    .check = tproxy_check,
    .emit = tproxy_emit,
    .recognise = tproxy_recognise,
    .save = tproxy_save,
    .list = tproxy_list,
};
EXT_REGISTER(ext_TPROXY);

/* -m iprange [!] --src-range A-B [!] --dst-range A-B:
 * ip|ip6 saddr|daddr [!=] A-B (an nftables range on the address). */
#include "ext/ext.h"
#include "nft/json.h"

#include <arpa/inet.h>
#include <string.h>

enum { IPR_SRC, IPR_DST };

struct iprange_priv {
	bool given[2], invert[2];
	uint8_t lo[2][16], hi[2][16];
};

static const struct ext_opt iprange_opts[] = {
    {"src-range", IPR_SRC, 1, EXT_OPT_INV, VK_ADDR, NULL, "FROM-TO",
     "source address in the inclusive range FROM-TO"},
    {"dst-range", IPR_DST, 1, EXT_OPT_INV, VK_ADDR, NULL, "FROM-TO",
     "destination address in the inclusive range FROM-TO"},
};

static int af(int family)
{
	return family == NFSH_IPV6 ? AF_INET6 : AF_INET;
}

static size_t alen(int family)
{
	return family == NFSH_IPV6 ? 16 : 4;
}

static int iprange_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                         bool invert, const char *const *args, struct nfsh_err *e)
{
	struct iprange_priv *p = priv;
	const char *arg = args[0], *dash = strchr(arg, '-');
	char a[64], b[64];
	int k = opt->id;

	/* One address is the range from it to itself, as iptables takes it. */
	if (!dash && strlen(arg) < sizeof(a)) {
		snprintf(a, sizeof(a), "%s", arg);
		snprintf(b, sizeof(b), "%s", arg);
	} else if (!dash || (size_t)(dash - arg) >= sizeof(a) || strlen(dash + 1) >= sizeof(b)) {
		goto bad;
	} else {
		memcpy(a, arg, (size_t)(dash - arg));
		a[dash - arg] = '\0';
		snprintf(b, sizeof(b), "%s", dash + 1);
	}
	memset(p->lo[k], 0, 16);
	memset(p->hi[k], 0, 16);
	if (inet_pton(af(c->family), a, p->lo[k]) != 1 ||
	    inet_pton(af(c->family), b, p->hi[k]) != 1)
		goto bad;
	/* nftables refuses a range whose end is below its start. */
	if (memcmp(p->lo[k], p->hi[k], alen(c->family)) > 0) {
		err_set(e, NFSH_EPARAM, arg, "range \"%s\" ends below its start", arg);
		err_hint(e, "write the lower address first");
		return -1;
	}
	p->given[k] = true;
	p->invert[k] = invert;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "bad address range \"%s\" for --%s", arg, opt->name);
	err_hint(e, "FROM-TO, two %s addresses", c->family == NFSH_IPV6 ? "IPv6" : "IPv4");
	return -1;
}

static int iprange_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct iprange_priv *p = priv;

	(void)c;
	if (!p->given[IPR_SRC] && !p->given[IPR_DST]) {
		err_set(e, NFSH_EPARAM, "iprange", "-m iprange needs --src-range or --dst-range");
		err_hint(e, "e.g. -m iprange --src-range 10.0.0.1-10.0.0.9");
		return -1;
	}
	return 0;
}

static int iprange_emit(struct emit_ctx *x, const void *priv)
{
	static const char *const field[] = {"saddr", "daddr"};
	const struct iprange_priv *p = priv;
	char a[64], b[64];

	/* XXX: a one-address range (A-A) is listed by the kernel as plain "A" and
	 * then reads back as -s A/32. */
	for (int k = 0; k < 2; k++) {
		if (!p->given[k])
			continue;
		addr_ntop(x->family, p->lo[k], a, sizeof(a));
		addr_ntop(x->family, p->hi[k], b, sizeof(b));
		if (ext_emit(x, nftj_match(p->invert[k] ? "!=" : "==",
		                           nftj_payload(family_nft_name(x->family), field[k]),
		                           nftj_range(nftj_str(a), nftj_str(b)))) < 0)
			return -1;
	}
	return 0;
}

static bool read_one(struct read_ctx *r, struct iprange_priv *p)
{
	const char *op, *proto, *field;
	json_t *left, *right, *lo, *hi;
	int k;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    !nftj_is_payload(left, &proto, &field) || strcmp(proto, family_nft_name(r->family)))
		return false;
	if (strcmp(field, "saddr") == 0)
		k = IPR_SRC;
	else if (strcmp(field, "daddr") == 0)
		k = IPR_DST;
	else
		return false;
	/* iptables-translate writes saddr before daddr; one of each. */
	if (p->given[k] || (k == IPR_SRC && p->given[IPR_DST]))
		return false;
	if ((strcmp(op, "==") && strcmp(op, "!=")) || !nftj_get_range(right, &lo, &hi) ||
	    !json_is_string(lo) || !json_is_string(hi))
		return false;
	memset(p->lo[k], 0, 16);
	memset(p->hi[k], 0, 16);
	if (inet_pton(af(r->family), json_string_value(lo), p->lo[k]) != 1 ||
	    inet_pton(af(r->family), json_string_value(hi), p->hi[k]) != 1)
		return false;
	p->given[k] = true;
	p->invert[k] = strcmp(op, "!=") == 0;
	return true;
}

static int iprange_recognise(struct read_ctx *r, void *priv)
{
	int n = 0;

	while (read_peek(r, 0) && read_one(r, priv)) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void print_range(const struct iprange_priv *p, int k, int family, struct strbuf *sb)
{
	char a[64], b[64];

	addr_ntop(family, p->lo[k], a, sizeof(a));
	addr_ntop(family, p->hi[k], b, sizeof(b));
	sb_addf(sb, "%s-%s", a, b);
}

static void iprange_save(const void *priv, int family, struct strbuf *sb)
{
	static const char *const opt[] = {"--src-range", "--dst-range"};
	const struct iprange_priv *p = priv;

	for (int k = 0; k < 2; k++) {
		if (!p->given[k])
			continue;
		sb_addf(sb, "%s %s ", p->invert[k] ? " !" : "", opt[k]);
		print_range(p, k, family, sb);
	}
}

static void iprange_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	static const char *const what[] = {"source IP range", "destination IP range"};
	const struct iprange_priv *p = priv;
	bool first = true;

	(void)numeric;
	for (int k = 0; k < 2; k++) {
		if (!p->given[k])
			continue;
		sb_addf(sb, "%s%s%s ", first ? "" : " ", what[k], p->invert[k] ? " !" : "");
		print_range(p, k, family, sb);
		first = false;
	}
}

const struct ext ext_iprange = {
    .name = "iprange",
    .type = EXT_MATCH,
    .help = "source/destination address within an arbitrary range",
    .families = NFSH_F_ANY,
    .opts = iprange_opts,
    .nopts = sizeof(iprange_opts) / sizeof(iprange_opts[0]),
    .priv_size = sizeof(struct iprange_priv),
    .parse = iprange_parse,
    .check = iprange_check,
    .emit = iprange_emit,
    .recognise = iprange_recognise,
    .save = iprange_save,
    .list = iprange_list,
};
EXT_REGISTER(ext_iprange);

/* -m mh (needs -p mh): the IPv6 mobility header type,
 * [!] --mh-type TYPE[:TYPE] -> mh type [!=] A[-B]; the full range alone is
 * "exthdr mh exists" (the header right after the extension chain, what -p mh
 * tests), as iptables-translate writes it. Types by number or name. */
#include "ext/exthdr.h"
#include "ext/tcp.h"
#include "nft/json.h"

#include <stdlib.h>
#include <string.h>

#define MH_PROTO 135

struct mh_priv {
	struct idrange type;
	bool given; /* --mh-type written, even as the full range */
};

/* libip6t_mh's names (long and short), and nft's mh type names. */
static const struct {
	const char *name, *alias, *nft;
} mh_types[] = {
    {"binding-refresh-request", "brr", "binding-refresh-request"},
    {"home-test-init", "hoti", "home-test-init"},
    {"careof-test-init", "coti", "careof-test-init"},
    {"home-test", "hot", "home-test"},
    {"careof-test", "cot", "careof-test"},
    {"binding-update", "bu", "binding-update"},
    {"binding-acknowledgement", "ba", "binding-acknowledgement"},
    {"binding-error", "be", "binding-error"},
    {"fast-binding-update", NULL, "fast-binding-update"},
    {"fast-binding-acknowledgement", NULL, "fast-binding-acknowledgement"},
    {"fast-binding-advertisement", NULL, "fast-binding-advertisement"},
    {"experimental-mobility-header", NULL, "experimental-mobility-header"},
    {"home-agent-switch-message", NULL, "home-agent-switch-message"},
};
#define NTYPES (sizeof(mh_types) / sizeof(mh_types[0]))

static const struct ext_opt mh_opts[] = {
    {"mh-type", 0, 1, EXT_OPT_INV, VK_WORD, NULL, "TYPE[:TYPE]",
     "mobility header type (number or name), or a range"},
};

/* One end of a range: a number 0-255 or a type name; -1 otherwise. */
static int type_value(const char *s, size_t n)
{
	char buf[40];
	unsigned long long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_uint(buf, 255, &v) == 0)
		return (int)v;
	for (size_t i = 0; i < NTYPES; i++)
		if (!strcmp(buf, mh_types[i].name) ||
		    (mh_types[i].alias && !strcmp(buf, mh_types[i].alias)))
			return (int)i;
	return -1;
}

static int mh_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	struct mh_priv *p = priv;
	const char *a = args[0], *colon = strchr(a, ':');
	int lo, hi;

	(void)c;
	(void)opt;
	if (p->type.set)
		return err_set(e, NFSH_EPARAM, a, "--mh-type given twice");
	lo = colon ? (colon == a ? 0 : type_value(a, (size_t)(colon - a)))
	           : type_value(a, strlen(a));
	hi = colon ? (colon[1] ? type_value(colon + 1, strlen(colon + 1)) : 255) : lo;
	if (lo < 0 || hi < 0 || lo > hi) {
		err_set(e, NFSH_EPARAM, a, "invalid --mh-type \"%s\"", a);
		err_hint(e,
		         "a type 0-255 or name (binding-update, home-test, ...), or a range A:B");
		return -1;
	}
	p->type = (struct idrange){true, invert, (uint32_t)lo, (uint32_t)hi};
	p->given = true;
	if (idrange_full(&p->type, 255))
		p->type.set = false;
	return 0;
}

/* ip6tables refuses a bare -m mh without -p mh; with --mh-type, as
 * iptables-translate takes it, the header test brings the protocol. */
static int mh_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct mh_priv *p = priv;

	if (p->given && !(c->rule && c->rule->proto_set))
		return 0;
	return need_proto(c, MH_PROTO, "mh", e);
}

static int mh_emit(struct emit_ctx *x, const void *priv)
{
	const struct mh_priv *p = priv;

	if (!p->type.set)
		return ext_emit(x, xh_exists("mh", true));
	return ext_emit(x, idrange_expr(xh_left("mh", "type"), &p->type));
}

/* The listing names known types: map them back to numbers. */
static json_t *numeric(json_t *v)
{
	const char *s = json_string_value(v);
	json_t *a, *b;

	if (s) {
		for (size_t i = 0; i < NTYPES; i++)
			if (!strcmp(s, mh_types[i].nft))
				return nftj_int((long long)i);
		return NULL;
	}
	if (nftj_get_range(v, &a, &b)) {
		a = numeric(a);
		b = numeric(b);
		return a && b ? nftj_range(a, b) : (json_decref(a), json_decref(b), NULL);
	}
	return json_incref(v);
}

static int mh_recognise(struct read_ctx *r, void *priv)
{
	struct mh_priv *p = priv;
	json_t *s = read_peek(r, 0), *copy, *right;
	const char *op;
	json_t *left;
	bool ok;

	if (r->rule->proto_set && (r->rule->proto != MH_PROTO || r->rule->proto_invert))
		return 0;
	if (xh_read_exists(s, "mh")) {
		read_take(r, 1);
		read_claim_proto(r, MH_PROTO);
		return 1;
	}
	if (!nftj_get_match(s, &op, &left, &right) || !xh_is(left, "mh", "type"))
		return 0;
	right = numeric(right);
	if (!right)
		return 0;
	copy = nftj_match(op, json_incref(left), right);
	ok = xh_read_range(copy, "mh", "type", 255, &p->type);
	json_decref(copy);
	if (!ok)
		return 0;
	read_take(r, 1);
	read_claim_proto(r, MH_PROTO);
	return 1;
}

static void mh_save(const void *priv, int family, struct strbuf *sb)
{
	const struct mh_priv *p = priv;

	(void)family;
	idrange_save(&p->type, "mh-type", sb);
}

static void mh_list(const void *priv, int family, bool numeric_out, struct strbuf *sb)
{
	const struct mh_priv *p = priv;

	(void)family;
	(void)numeric_out;
	sb_add(sb, "mh");
	idrange_list(&p->type, "type", sb);
}

const struct ext ext_mh = {
    .name = "mh",
    .type = EXT_MATCH,
    .help = "IPv6 mobility header type (needs -p mh)",
    .families = NFSH_F_IPV6,
    .opts = mh_opts,
    .nopts = 1,
    .priv_size = sizeof(struct mh_priv),
    .implicit_proto = MH_PROTO,
    .parse = mh_parse,
    .check = mh_check,
    .emit = mh_emit,
    .recognise = mh_recognise,
    .save = mh_save,
    .list = mh_list,
};
EXT_REGISTER(ext_mh);

/* -m icmp (IPv4; loaded by -p icmp): --icmp-type [!] TYPE[/CODE[:CODE]] or a name.
 *   TYPE                     icmp type [!=] TYPE
 *   TYPE/CODE                icmp type TYPE icmp code CODE
 *   ! TYPE/CODE              icmp type . icmp code != { TYPE . CODE }
 *                            (iptables negates type AND code together)
 *   any (type 255, wildcard) ip protocol icmp, as iptables-translate writes it
 * Also the engine icmp6.c shares (icmp.h). */
#include "ext/icmp.h"
#include "nft/json.h"

#include <string.h>
#include <strings.h>

#define ICMP_ANY 255

static bool full_codes(const struct icmp_priv *p)
{
	return p->code_lo == 0 && p->code_hi == 255;
}

/* The wildcard; a zeroed instance put back by the form tag is one too. */
static bool is_any(const struct icmp_desc *d, const struct icmp_priv *p)
{
	return d->has_any && (!p->set || (p->type == ICMP_ANY && full_codes(p)));
}

static int parse_code(const char *s, struct icmp_priv *p)
{
	unsigned long long lo, hi;

	if (parse_range(s, 255, &lo, &hi) < 0 || strchr(s, '-'))
		return -1;
	p->code_lo = (unsigned)lo;
	p->code_hi = (unsigned)hi;
	return 0;
}

/* A name (or a unique prefix of one, as iptables accepts), or numbers. */
static const struct icmp_name *find_name(const struct icmp_desc *d, const char *arg,
                                         bool *ambiguous)
{
	const struct icmp_name *hit = NULL;
	size_t len = strlen(arg);

	*ambiguous = false;
	for (const struct icmp_name *n = d->names; n->name; n++) {
		if (strcasecmp(n->name, arg) == 0)
			return n;
		if (strncasecmp(n->name, arg, len) == 0) {
			if (hit && (hit->type != n->type || hit->code_lo != n->code_lo))
				*ambiguous = true;
			hit = n;
		}
	}
	return *ambiguous ? NULL : hit;
}

static int bad_type(const struct icmp_desc *d, const char *arg, bool ambiguous, struct nfsh_err *e)
{
	const char *names[96];
	int n = 0;
	const char *close;

	for (const struct icmp_name *q = d->names; q->name && n < 95; q++)
		names[n++] = q->name;
	err_set(e, NFSH_EPARAM, arg, "%s --%s \"%s\"", ambiguous ? "ambiguous" : "invalid", d->opt,
	        arg);
	close = ambiguous ? NULL : err_closest(arg, names, n);
	if (close)
		err_hint(e, "did you mean \"%s\"? (or TYPE[/CODE] as numbers 0-255)", close);
	else
		err_hint(e,
		         "a type name (see 'nfsh help %s') or TYPE[/CODE[:CODE]] as numbers "
		         "0-255",
		         d->ext);
	return -1;
}

int icmp_parse_type(const struct icmp_desc *d, struct icmp_priv *p, bool inv, const char *arg,
                    struct nfsh_err *e)
{
	char buf[32];
	const char *slash = strchr(arg, '/');
	const struct icmp_name *n;
	unsigned long long t;
	bool amb;

	if (p->set)
		return err_set(e, NFSH_EPARAM, arg, "--%s given twice", d->opt);
	n = slash ? NULL : find_name(d, arg, &amb);
	if (n) {
		p->type = n->type;
		p->code_lo = n->code_lo;
		p->code_hi = n->code_hi;
	} else {
		size_t tl = slash ? (size_t)(slash - arg) : strlen(arg);

		if (!slash && amb)
			return bad_type(d, arg, true, e);
		if (tl == 0 || tl >= sizeof(buf))
			return bad_type(d, arg, false, e);
		memcpy(buf, arg, tl);
		buf[tl] = '\0';
		if (parse_uint(buf, 255, &t) < 0)
			return bad_type(d, arg, false, e);
		p->type = (unsigned)t;
		p->code_lo = 0;
		p->code_hi = 255;
		if (slash && parse_code(slash + 1, p) < 0) {
			err_set(e, NFSH_EPARAM, arg, "invalid code in --%s \"%s\"", d->opt, arg);
			err_hint(e, "TYPE/CODE or TYPE/FIRST:LAST, numbers 0-255");
			return -1;
		}
	}
	p->set = true;
	p->inv = inv;
	return 0;
}

int icmp_check_common(const struct icmp_desc *d, const struct ext_parse_ctx *c,
                      const struct icmp_priv *p, struct nfsh_err *e)
{
	const struct rule *r = c->rule;

	/* -p loads the match without asking the family: say it here. */
	if (c->family != d->family) {
		err_set(e, NFSH_EPARAM, d->ext, "-m %s is for %s only", d->ext,
		        d->family == NFSH_IPV4 ? "IPv4 (iptables)" : "IPv6 (ip6tables)");
		err_hint(e, "%s",
		         d->family == NFSH_IPV4 ? "for IPv6 use -p icmpv6 --icmpv6-type"
		                                : "for IPv4 use -p icmp --icmp-type");
		return -1;
	}
	if (!p->set) {
		err_set(e, NFSH_EPARAM, d->ext, "-m %s needs --%s", d->ext, d->opt);
		err_hint(e, "e.g. -p %s -m %s --%s echo-request", d->pname, d->ext, d->opt);
		return -1;
	}
	/* Without -p the nftables payload match brings its own protocol test, so
	 * only a contradicting -p is an error. */
	if (r && r->proto_set && (r->proto != d->proto || r->proto_invert)) {
		err_set(e, NFSH_EPARAM, d->ext, "-m %s needs -p %s, not %s-p %d", d->ext, d->pname,
		        r->proto_invert ? "! " : "", r->proto);
		return -1;
	}
	if (is_any(d, p) && p->inv) {
		err_set(e, NFSH_EPARAM, "any",
		        "! --%s any would never match: every ICMP packet has some type", d->opt);
		err_hint(e, "use ! -p %s to match everything but ICMP", d->pname);
		return -1;
	}
	return 0;
}

static json_t *code_value(const struct icmp_priv *p)
{
	if (p->code_lo == p->code_hi)
		return nftj_int(p->code_lo);
	return nftj_range(nftj_int(p->code_lo), nftj_int(p->code_hi));
}

int icmp_emit_common(const struct icmp_desc *d, struct emit_ctx *x, const struct icmp_priv *p)
{
	json_t *el;

	if (is_any(d, p)) {
		x->keep_name = true;
		return ext_emit(
		    x, nftj_match("==", nftj_payload("ip", "protocol"), nftj_int(d->proto)));
	}
	if (full_codes(p))
		return ext_emit(x, nftj_match(p->inv ? "!=" : "==", nftj_payload(d->l4, "type"),
		                              nftj_int(p->type)));
	if (!p->inv)
		return ext_emit(x,
		                nftj_match("==", nftj_payload(d->l4, "type"), nftj_int(p->type))) |
		       ext_emit(x, nftj_match("==", nftj_payload(d->l4, "code"), code_value(p)));
	/* not (type T and code C): one test of the pair, exact. */
	el = nftj_put(nftj_object(), "concat",
	              nftj_push(nftj_push(nftj_array(), nftj_int(p->type)), code_value(p)));
	return ext_emit(
	    x, nftj_match("!=",
	                  nftj_put(nftj_object(), "concat",
	                           nftj_push(nftj_push(nftj_array(), nftj_payload(d->l4, "type")),
	                                     nftj_payload(d->l4, "code"))),
	                  nftj_set(nftj_push(nftj_array(), el))));
}

/* ---- read-back ---- */

static bool value_of(const struct sym *tab, json_t *v, unsigned *out)
{
	long long n;
	const struct sym *s;

	if (nftj_get_int(v, &n) && n >= 0 && n <= 255) {
		*out = (unsigned)n;
		return true;
	}
	if (!json_is_string(v) || !(s = sym_by_name(tab, json_string_value(v))))
		return false;
	*out = s->value;
	return true;
}

static bool codes_of(const struct icmp_desc *d, json_t *v, struct icmp_priv *p)
{
	json_t *a, *b;

	if (nftj_get_range(v, &a, &b))
		return value_of(d->nft_codes, a, &p->code_lo) &&
		       value_of(d->nft_codes, b, &p->code_hi) && p->code_lo <= p->code_hi;
	if (!value_of(d->nft_codes, v, &p->code_lo))
		return false;
	p->code_hi = p->code_lo;
	return true;
}

static bool is_field(const struct icmp_desc *d, json_t *left, const char *field)
{
	const char *proto, *f;

	return nftj_is_payload(left, &proto, &f) && strcmp(proto, d->l4) == 0 &&
	       strcmp(f, field) == 0;
}

/* icmp type . icmp code != { T . C } */
static bool read_pair(const struct icmp_desc *d, json_t *stmt, struct icmp_priv *p)
{
	const char *op;
	json_t *left, *right, *lc, *el, *ec;

	if (!nftj_get_match(stmt, &op, &left, &right) || strcmp(op, "!="))
		return false;
	lc = json_object_get(left, "concat");
	if (!json_is_array(lc) || json_array_size(lc) != 2 ||
	    !is_field(d, json_array_get(lc, 0), "type") ||
	    !is_field(d, json_array_get(lc, 1), "code"))
		return false;
	el = nftj_get_set(right) ? json_array_get(nftj_get_set(right), 0) : right;
	if (nftj_get_set(right) && json_array_size(nftj_get_set(right)) != 1)
		return false;
	ec = json_object_get(el, "concat");
	if (!json_is_array(ec) || json_array_size(ec) != 2 ||
	    !value_of(d->nft_types, json_array_get(ec, 0), &p->type) ||
	    !codes_of(d, json_array_get(ec, 1), p))
		return false;
	p->set = p->inv = true;
	return true;
}

int icmp_recognise_common(const struct icmp_desc *d, struct read_ctx *r, struct icmp_priv *p)
{
	const char *op;
	json_t *left, *right, *next;

	if (r->rule->proto_set && (r->rule->proto != d->proto || r->rule->proto_invert))
		return 0;
	if (!read_peek(r, 0))
		return 0;
	if (read_pair(d, read_peek(r, 0), p)) {
		read_take(r, 1);
	} else {
		if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
		    !is_field(d, left, "type") || (strcmp(op, "==") && strcmp(op, "!=")) ||
		    !value_of(d->nft_types, right, &p->type))
			return 0;
		p->set = true;
		p->inv = op[0] == '!';
		p->code_lo = 0;
		p->code_hi = 255;
		read_take(r, 1);
		next = read_peek(r, 0);
		if (!p->inv && next && nftj_get_match(next, &op, &left, &right) &&
		    strcmp(op, "==") == 0 && is_field(d, left, "code") && codes_of(d, right, p))
			read_take(r, 1);
	}
	/* "any" has no form of its own here: ip protocol icmp reads as -p icmp. */
	if (is_any(d, p))
		return 0;
	read_claim_proto(r, d->proto);
	return 1;
}

/* ---- printing ---- */

void icmp_save_common(const struct icmp_desc *d, const struct icmp_priv *p, struct strbuf *sb)
{
	sb_addf(sb, "%s --%s ", p->inv ? " !" : "", d->opt);
	if (is_any(d, p)) {
		sb_add(sb, "any");
		return;
	}
	sb_addf(sb, "%u", p->type);
	/* iptables-save prints only the first code of a range, which does not
	 * load back as it was: nfsh prints the range. */
	if (p->code_lo == p->code_hi)
		sb_addf(sb, "/%u", p->code_lo);
	else if (!full_codes(p))
		sb_addf(sb, "/%u:%u", p->code_lo, p->code_hi);
}

/* iptables -L: "icmp echo-request", "icmp !host-unreachable", numeric
 * "icmptype 8", "icmp !type 3 code 1", "icmptype 13 codes 1-3". */
void icmp_list_common(const struct icmp_desc *d, const struct icmp_priv *p, bool numeric,
                      struct strbuf *sb)
{
	unsigned type = is_any(d, p) ? ICMP_ANY : p->type;
	unsigned lo = is_any(d, p) ? 0 : p->code_lo, hi = is_any(d, p) ? 255 : p->code_hi;

	sb_add(sb, d->pname);
	if (!numeric)
		for (const struct icmp_name *n = d->names; n->name; n++)
			if (n->type == type && n->code_lo == lo && n->code_hi == hi) {
				sb_addf(sb, " %s%s", p->inv ? "!" : "", n->name);
				return;
			}
	sb_addf(sb, "%stype %u", p->inv ? " !" : "", type);
	if (lo == hi)
		sb_addf(sb, " code %u", lo);
	else if (lo != 0 || hi != 255)
		sb_addf(sb, " codes %u-%u", lo, hi);
}

/* ---- IPv4 tables ---- */

/* libxt_icmp's table: canonical names first, aliases after them. */
static const struct icmp_name icmp4_names[] = {
    {"any", 255, 0, 255},
    {"echo-reply", 0, 0, 255},
    {"pong", 0, 0, 255},
    {"destination-unreachable", 3, 0, 255},
    {"network-unreachable", 3, 0, 0},
    {"host-unreachable", 3, 1, 1},
    {"protocol-unreachable", 3, 2, 2},
    {"port-unreachable", 3, 3, 3},
    {"fragmentation-needed", 3, 4, 4},
    {"source-route-failed", 3, 5, 5},
    {"network-unknown", 3, 6, 6},
    {"host-unknown", 3, 7, 7},
    {"network-prohibited", 3, 9, 9},
    {"host-prohibited", 3, 10, 10},
    {"TOS-network-unreachable", 3, 11, 11},
    {"TOS-host-unreachable", 3, 12, 12},
    {"communication-prohibited", 3, 13, 13},
    {"host-precedence-violation", 3, 14, 14},
    {"precedence-cutoff", 3, 15, 15},
    {"source-quench", 4, 0, 255},
    {"redirect", 5, 0, 255},
    {"network-redirect", 5, 0, 0},
    {"host-redirect", 5, 1, 1},
    {"TOS-network-redirect", 5, 2, 2},
    {"TOS-host-redirect", 5, 3, 3},
    {"echo-request", 8, 0, 255},
    {"ping", 8, 0, 255},
    {"router-advertisement", 9, 0, 255},
    {"router-solicitation", 10, 0, 255},
    {"time-exceeded", 11, 0, 255},
    {"ttl-exceeded", 11, 0, 255},
    {"ttl-zero-during-transit", 11, 0, 0},
    {"ttl-zero-during-reassembly", 11, 1, 1},
    {"parameter-problem", 12, 0, 255},
    {"ip-header-bad", 12, 0, 0},
    {"required-option-missing", 12, 1, 1},
    {"timestamp-request", 13, 0, 255},
    {"timestamp-reply", 14, 0, 255},
    {"info-request", 15, 0, 255},
    {"info-reply", 16, 0, 255},
    {"address-mask-request", 17, 0, 255},
    {"address-mask-reply", 18, 0, 255},
    {NULL, 0, 0, 0},
};

/* How nftables 1.0.6 lists icmp type and code values (measured). */
static const struct sym nft_icmp_types[] = {
    {"echo-reply", 0},           {"destination-unreachable", 3},
    {"source-quench", 4},        {"redirect", 5},
    {"echo-request", 8},         {"router-advertisement", 9},
    {"router-solicitation", 10}, {"time-exceeded", 11},
    {"parameter-problem", 12},   {"timestamp-request", 13},
    {"timestamp-reply", 14},     {"info-request", 15},
    {"info-reply", 16},          {"address-mask-request", 17},
    {"address-mask-reply", 18},  {NULL, 0},
};
static const struct sym nft_icmp_codes[] = {
    {"net-unreachable", 0},  {"host-unreachable", 1},  {"prot-unreachable", 2},
    {"port-unreachable", 3}, {"frag-needed", 4},       {"net-prohibited", 9},
    {"host-prohibited", 10}, {"admin-prohibited", 13}, {NULL, 0},
};

static const char *const icmp4_values[] = {
    "any",
    "echo-reply",
    "destination-unreachable",
    "network-unreachable",
    "host-unreachable",
    "protocol-unreachable",
    "port-unreachable",
    "fragmentation-needed",
    "source-quench",
    "redirect",
    "echo-request",
    "router-advertisement",
    "router-solicitation",
    "time-exceeded",
    "parameter-problem",
    "timestamp-request",
    "timestamp-reply",
    "info-request",
    "info-reply",
    "address-mask-request",
    "address-mask-reply",
    NULL,
};

static const struct icmp_desc icmp4 = {
    "icmp",    "icmp-type", "icmp",      "icmp",         1,
    NFSH_IPV4, true,        icmp4_names, nft_icmp_types, nft_icmp_codes,
};

static const struct ext_opt icmp_opts[] = {
    {"icmp-type", 0, 1, EXT_OPT_INV, VK_ENUM, icmp4_values, "TYPE[/CODE]|NAME",
     "ICMP type (and code): a name, any, or numbers"},
};

static int icmp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	(void)opt;
	return icmp_parse_type(&icmp4, priv, invert, args[0], e);
}

static int icmp_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	return icmp_check_common(&icmp4, c, priv, e);
}

static int icmp_emit(struct emit_ctx *x, const void *priv)
{
	return icmp_emit_common(&icmp4, x, priv);
}

static int icmp_recognise(struct read_ctx *r, void *priv)
{
	return icmp_recognise_common(&icmp4, r, priv);
}

static void icmp_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	icmp_save_common(&icmp4, priv, sb);
}

static void icmp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	icmp_list_common(&icmp4, priv, numeric, sb);
}

const struct ext ext_icmp = {
    .name = "icmp",
    .type = EXT_MATCH,
    .help = "ICMP type and code (IPv4; loaded by -p icmp)",
    .families = NFSH_F_IPV4,
    .opts = icmp_opts,
    .nopts = 1,
    .priv_size = sizeof(struct icmp_priv),
    .implicit_proto = 1,
    .parse = icmp_parse,
    .check = icmp_check,
    .emit = icmp_emit,
    .recognise = icmp_recognise,
    .save = icmp_save,
    .list = icmp_list,
};
EXT_REGISTER(ext_icmp);

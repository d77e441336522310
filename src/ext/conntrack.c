/* -m conntrack: every option a native ct expression.
 *   --ctstate     ct state (SNAT/DNAT: ct status snat/dnat)
 *   --ctproto     ct original protocol
 *   --ctorigsrc.. ct original|reply ip|ip6 saddr|daddr
 *   --ct*port     ct original|reply proto-src|proto-dst
 *   --ctstatus    ct status
 *   --ctexpire    ct expiration
 *   --ctdir       ct direction
 * Flag sets are compared with "in" (bit test) and negated with "!" (no bit
 * set): "==" would be an exact comparison and "!=" of a list true for every
 * packet (FACTS.md). */
#include "ext/conntrack.h"
#include "nft/json.h"

#include <string.h>

const struct sym ct_state_syms[] = {
    {"INVALID", CTS_INVALID},     {"NEW", CTS_NEW},
    {"RELATED", CTS_RELATED},     {"ESTABLISHED", CTS_ESTABLISHED},
    {"UNTRACKED", CTS_UNTRACKED}, {"SNAT", CTS_SNAT},
    {"DNAT", CTS_DNAT},           {NULL, 0},
};

const struct sym ct_status_syms[] = {
    {"NONE", 0},
    {"EXPECTED", CTST_EXPECTED},
    {"SEEN_REPLY", CTST_SEEN_REPLY},
    {"ASSURED", CTST_ASSURED},
    {"CONFIRMED", CTST_CONFIRMED},
    {NULL, 0},
};

/* nftables' names for the same bits, in the kernel's bit order. */
static const struct sym nft_state_syms[] = {
    {"invalid", CTS_INVALID}, {"established", CTS_ESTABLISHED}, {"related", CTS_RELATED},
    {"new", CTS_NEW},         {"untracked", CTS_UNTRACKED},     {NULL, 0},
};
static const struct sym nft_status_syms[] = {
    {"expected", CTST_EXPECTED},
    {"seen-reply", CTST_SEEN_REPLY},
    {"assured", CTST_ASSURED},
    {"confirmed", CTST_CONFIRMED},
    {"snat", CTST_SNAT},
    {"dnat", CTST_DNAT},
    {NULL, 0},
};

static const char *const state_names[] = {"INVALID",   "NEW",  "RELATED", "ESTABLISHED",
                                          "UNTRACKED", "SNAT", "DNAT",    NULL};
static const char *const status_names[] = {"NONE",    "EXPECTED",  "SEEN_REPLY",
                                           "ASSURED", "CONFIRMED", NULL};
static const char *const dir_names[] = {"ORIGINAL", "REPLY", NULL};

static const struct ext_opt ct_opts[] = {
    {"ctstate", CT_STATE, 1, EXT_OPT_INV, VK_LIST, state_names, "STATE[,STATE...]",
     "connection state: INVALID NEW RELATED ESTABLISHED UNTRACKED SNAT DNAT"},
    {"ctproto", CT_PROTO, 1, EXT_OPT_INV, VK_WORD, NULL, "PROTO",
     "layer-4 protocol of the original direction"},
    {"ctorigsrc", CT_ORIGSRC, 1, EXT_OPT_INV, VK_ADDR, NULL, "ADDR[/MASK]",
     "original source address"},
    {"ctorigdst", CT_ORIGDST, 1, EXT_OPT_INV, VK_ADDR, NULL, "ADDR[/MASK]",
     "original destination address"},
    {"ctreplsrc", CT_REPLSRC, 1, EXT_OPT_INV, VK_ADDR, NULL, "ADDR[/MASK]", "reply source address"},
    {"ctrepldst", CT_REPLDST, 1, EXT_OPT_INV, VK_ADDR, NULL, "ADDR[/MASK]",
     "reply destination address"},
    {"ctorigsrcport", CT_ORIGSRCPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "original source port or range"},
    {"ctorigdstport", CT_ORIGDSTPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "original destination port or range"},
    {"ctreplsrcport", CT_REPLSRCPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "reply source port or range"},
    {"ctrepldstport", CT_REPLDSTPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "reply destination port or range"},
    {"ctstatus", CT_STATUS, 1, EXT_OPT_INV, VK_LIST, status_names, "STATUS[,STATUS...]",
     "connection status: NONE EXPECTED SEEN_REPLY ASSURED CONFIRMED"},
    {"ctexpire", CT_EXPIRE, 1, EXT_OPT_INV, VK_NUMBER, NULL, "SECONDS[:SECONDS]",
     "remaining lifetime in seconds, or a range"},
    {"ctdir", CT_DIR, 1, EXT_OPT_INV, VK_ENUM, dir_names, "ORIGINAL|REPLY",
     "direction of the packet"},
};

int ct_parse_state(struct ct_priv *p, bool invert, const char *arg, struct nfsh_err *e)
{
	if (sym_parse_list(ct_state_syms, arg, &p->state, "connection state", e) < 0)
		return -1;
	/* A positive list mixing states with SNAT/DNAT means "state is X OR status
	 * has nat": two kernel fields with no single native expression. A negated
	 * list is an AND of two negations and is exact. */
	if (!invert && (p->state & CTS_REAL) && (p->state & CTS_NAT)) {
		err_set(e, NFSH_EPARAM, arg,
		        "--ctstate \"%s\" mixes states with SNAT/DNAT: in nftables that is two "
		        "fields (ct state, ct status) and an OR of them has no native form",
		        arg);
		err_hint(e, "write two rules: one with the states, one with --ctstate SNAT/DNAT");
		return -1;
	}
	p->given |= 1u << CT_STATE;
	if (invert)
		p->invert |= 1u << CT_STATE;
	return 0;
}

static int parse_ports(struct ct_priv *p, int k, const char *arg, struct nfsh_err *e)
{
	unsigned long long lo, hi;

	if (parse_range(arg, 65535, &lo, &hi) < 0)
		return err_set(e, NFSH_EPARAM, arg, "invalid port or range \"%s\"", arg);
	p->port_lo[k] = (unsigned)lo;
	p->port_hi[k] = (unsigned)hi;
	return 0;
}

static int parse_proto(struct ct_priv *p, const char *arg, struct nfsh_err *e)
{
	unsigned long long v;
	int num;

	if (parse_uint(arg, 255, &v) == 0)
		num = (int)v;
	else
		num = proto_lookup(arg);
	if (num <= 0) {
		err_set(e, NFSH_EPARAM, arg, "invalid --ctproto \"%s\"", arg);
		err_hint(e, "a protocol name or a number 1-255");
		return -1;
	}
	p->proto = num;
	return 0;
}

static int ct_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ct_priv *p = priv;
	const char *arg = args[0];
	unsigned long long lo, hi;

	if (opt->id == CT_STATE)
		return ct_parse_state(p, invert, arg, e);
	p->given |= 1u << opt->id;
	if (invert)
		p->invert |= 1u << opt->id;
	switch (opt->id) {
	case CT_PROTO:
		return parse_proto(p, arg, e);
	case CT_ORIGSRC:
	case CT_ORIGDST:
	case CT_REPLSRC:
	case CT_REPLDST:
		if (addr_parse(arg, c->family, &p->addr[opt->id - CT_ORIGSRC]) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid address \"%s\" for --%s", arg,
			               opt->name);
		return 0;
	case CT_ORIGSRCPORT:
	case CT_ORIGDSTPORT:
	case CT_REPLSRCPORT:
	case CT_REPLDSTPORT:
		return parse_ports(p, opt->id - CT_ORIGSRCPORT, arg, e);
	case CT_STATUS:
		return sym_parse_list(ct_status_syms, arg, &p->status, "connection status", e);
	case CT_EXPIRE:
		if (parse_range(arg, 4294967295ull, &lo, &hi) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid --ctexpire \"%s\"", arg);
		p->expire_lo = lo;
		p->expire_hi = hi;
		return 0;
	case CT_DIR:
		if (strcasecmp(arg, "ORIGINAL") == 0)
			p->reply_dir = false;
		else if (strcasecmp(arg, "REPLY") == 0)
			p->reply_dir = true;
		else {
			err_set(e, NFSH_EPARAM, arg, "invalid --ctdir \"%s\"", arg);
			err_hint(e, "ORIGINAL or REPLY");
			return -1;
		}
		return 0;
	}
	return err_set(e, NFSH_EPARAM, opt->name, "unhandled option --%s", opt->name);
}

static int ct_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct ct_priv *p = priv;

	(void)c;
	if (!p->given) {
		err_set(e, NFSH_EPARAM, "conntrack", "-m conntrack needs at least one option");
		err_hint(e, "e.g. --ctstate NEW; see 'nfsh help conntrack'");
		return -1;
	}
	/* libnftables 1.0.6 types ct proto-src/proto-dst from a ct protocol test
	 * before them: without one even plain nft text fails at apply time. Say
	 * so here, naming the option, rather than hand the kernel a bare error. */
	for (int k = 0; k < 4; k++) {
		if (!(p->given & (1u << (CT_ORIGSRCPORT + k))) ||
		    ((p->given & (1u << CT_PROTO)) && !(p->invert & (1u << CT_PROTO))))
			continue;
		char word[32];

		snprintf(word, sizeof(word), "--%s", ct_opts[CT_ORIGSRCPORT + k].name);
		err_set(e, NFSH_EPARAM, word,
		        "%s needs --ctproto (libnftables 1.0.6 cannot type a conntrack port "
		        "without one: \"Can't parse symbolic invalid expressions\")",
		        word);
		err_hint(e, "add --ctproto tcp (or udp, sctp, dccp) to the same -m conntrack");
		return -1;
	}
	return 0;
}

static bool has(const struct ct_priv *p, int id)
{
	return p->given & (1u << id);
}

static bool inv(const struct ct_priv *p, int id)
{
	return p->invert & (1u << id);
}

/* A flag set: one name, or an array of names, in the nft symbol table's order. */
static json_t *flag_value(const struct sym *tab, unsigned mask)
{
	json_t *arr = nftj_array();
	int n = 0;

	for (; tab->name; tab++)
		if (mask & tab->value) {
			nftj_push(arr, nftj_str(tab->name));
			n++;
		}
	if (n == 1) {
		json_t *one = json_incref(json_array_get(arr, 0));

		json_decref(arr);
		return one;
	}
	return arr;
}

static int emit_flags(struct emit_ctx *x, const char *key, const struct sym *tab, unsigned mask,
                      bool negate)
{
	/* --ctstatus NONE is an empty mask: iptables tests (status & 0) != 0, which
	 * never holds, and its negation always does (for tracked packets). The
	 * same bit test, exactly: */
	if (!mask)
		return ext_emit(x, nftj_match(negate ? "==" : "!=",
		                              nftj_binop("&", nftj_ct(key, NULL), nftj_int(0)),
		                              nftj_int(0)));
	return ext_emit(x,
	                nftj_match(negate ? "!" : "in", nftj_ct(key, NULL), flag_value(tab, mask)));
}

static json_t *addr_value(const struct addr_match *m)
{
	char a[64], k[64];
	int full = m->family == NFSH_IPV6 ? 128 : 32;

	addr_ntop(m->family, m->addr, a, sizeof(a));
	if (m->prefix == full)
		return nftj_str(a);
	if (m->prefix >= 0)
		return nftj_prefix(a, m->prefix);
	addr_ntop(m->family, m->mask, k, sizeof(k));
	return NULL; /* non-contiguous: handled by the caller with a bitwise and */
}

static int emit_addr(struct emit_ctx *x, const struct ct_priv *p, int k)
{
	static const char *const field[] = {"saddr", "daddr", "saddr", "daddr"};
	const struct addr_match *m = &p->addr[k];
	const char *dir = k < 2 ? "original" : "reply";
	char key[16], a[64], mk[64];
	const char *op = inv(p, CT_ORIGSRC + k) ? "!=" : "==";
	json_t *v;

	/* The family-qualified key: the bare "saddr" key mis-stores prefixes
	 * through libnftables 1.0.6's JSON parser (FACTS.md). */
	snprintf(key, sizeof(key), "%s %s", m->family == NFSH_IPV6 ? "ip6" : "ip", field[k]);
	v = addr_value(m);
	if (v)
		return ext_emit(x, nftj_match(op, nftj_ct(key, dir), v));
	addr_ntop(m->family, m->addr, a, sizeof(a));
	addr_ntop(m->family, m->mask, mk, sizeof(mk));
	return ext_emit(
	    x, nftj_match(op, nftj_binop("&", nftj_ct(key, dir), nftj_str(mk)), nftj_str(a)));
}

static json_t *range_value(unsigned long long lo, unsigned long long hi)
{
	if (lo == hi)
		return nftj_int((long long)lo);
	return nftj_range(nftj_int((long long)lo), nftj_int((long long)hi));
}

static int emit_port(struct emit_ctx *x, const struct ct_priv *p, int k)
{
	static const char *const key[] = {"proto-src", "proto-dst", "proto-src", "proto-dst"};

	return ext_emit(x, nftj_match(inv(p, CT_ORIGSRCPORT + k) ? "!=" : "==",
	                              nftj_ct(key[k], k < 2 ? "original" : "reply"),
	                              range_value(p->port_lo[k], p->port_hi[k])));
}

/* ct expiration counts milliseconds in a u32: larger second values can never
 * be reached, so the upper bound is clamped without changing the meaning. */
#define CT_EXPIRE_MAX_S 4294967ull

static int emit_expire(struct emit_ctx *x, const struct ct_priv *p)
{
	unsigned long long lo = p->expire_lo, hi = p->expire_hi;

	if (hi > CT_EXPIRE_MAX_S)
		hi = CT_EXPIRE_MAX_S;
	if (lo > CT_EXPIRE_MAX_S) {
		err_set(x->err, NFSH_EPARAM, NULL,
		        "--ctexpire %llu is beyond what the kernel can hold (%llu s)", lo,
		        CT_EXPIRE_MAX_S);
		return -1;
	}
	return ext_emit(x, nftj_match(inv(p, CT_EXPIRE) ? "!=" : "==", nftj_ct("expiration", NULL),
	                              range_value(lo, hi)));
}

/* Statement order as iptables-translate writes it. */
int ct_emit(struct emit_ctx *x, const void *priv)
{
	const struct ct_priv *p = priv;
	int rc = 0;

	if (has(p, CT_DIR))
		rc |=
		    ext_emit(x, nftj_match(inv(p, CT_DIR) ? "!=" : "==", nftj_ct("direction", NULL),
		                           nftj_str(p->reply_dir ? "reply" : "original")));
	if (has(p, CT_PROTO))
		rc |= ext_emit(x, nftj_match(inv(p, CT_PROTO) ? "!=" : "==",
		                             nftj_ct("protocol", "original"), nftj_int(p->proto)));
	if (has(p, CT_STATE) && (p->state & CTS_REAL))
		rc |= emit_flags(x, "state", nft_state_syms, p->state & CTS_REAL, inv(p, CT_STATE));
	if (has(p, CT_STATE) && (p->state & CTS_NAT))
		rc |= emit_flags(x, "status", nft_status_syms,
		                 (p->state & CTS_SNAT ? CTST_SNAT : 0) |
		                     (p->state & CTS_DNAT ? CTST_DNAT : 0),
		                 inv(p, CT_STATE));
	if (has(p, CT_STATUS))
		rc |= emit_flags(x, "status", nft_status_syms, p->status, inv(p, CT_STATUS));
	if (has(p, CT_EXPIRE))
		rc |= emit_expire(x, p);
	for (int k = 0; k < 4; k++)
		if (has(p, CT_ORIGSRC + k))
			rc |= emit_addr(x, p, k);
	for (int k = 0; k < 4; k++)
		if (has(p, CT_ORIGSRCPORT + k))
			rc |= emit_port(x, p, k);
	return rc ? -1 : 0;
}

/* ---- read-back ---- */

static bool flags_from_json(const struct sym *tab, json_t *v, unsigned *mask)
{
	size_t i;
	json_t *el;

	*mask = 0;
	if (json_is_string(v)) {
		const struct sym *s = sym_by_name(tab, json_string_value(v));

		if (!s)
			return false;
		*mask = s->value;
		return true;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach(v, i, el)
	{
		const struct sym *s =
		    json_is_string(el) ? sym_by_name(tab, json_string_value(el)) : NULL;

		if (!s)
			return false;
		*mask |= s->value;
	}
	return true;
}

/* op of a flag match: "in" (or "==" of one flag as older listings show) is
 * positive, "!" negative; "!="/"==" of a list would not mean what iptables means. */
static int flag_op(const char *op, json_t *right, int *negated)
{
	if (strcmp(op, "in") == 0)
		*negated = 0;
	else if (strcmp(op, "!") == 0)
		*negated = 1;
	else if (strcmp(op, "==") == 0 && !json_is_array(right))
		*negated = 0;
	else
		return -1;
	return 0;
}

static bool read_range(json_t *v, unsigned long long *lo, unsigned long long *hi)
{
	json_t *a, *b;
	long long x, y;

	if (nftj_get_int(v, &x) && x >= 0) {
		*lo = *hi = (unsigned long long)x;
		return true;
	}
	if (nftj_get_range(v, &a, &b) && nftj_get_int(a, &x) && nftj_get_int(b, &y) && x >= 0 &&
	    y >= x) {
		*lo = (unsigned long long)x;
		*hi = (unsigned long long)y;
		return true;
	}
	return false;
}

static int addr_index(const char *key, const char *dir)
{
	bool reply;
	const char *f = key;

	if (!dir)
		return -1;
	reply = strcmp(dir, "reply") == 0;
	if (strncmp(f, "ip6 ", 4) == 0)
		f += 4;
	else if (strncmp(f, "ip ", 3) == 0)
		f += 3;
	if (strcmp(f, "saddr") == 0)
		return reply ? 2 : 0;
	if (strcmp(f, "daddr") == 0)
		return reply ? 3 : 1;
	return -1;
}

static bool read_addr_value(int family, json_t *left, json_t *right, struct addr_match *m)
{
	const char *a;
	int len;
	char text[160];
	json_t *bin = json_object_get(left, "&");

	if (bin) {
		json_t *mask = json_array_get(bin, 1);

		if (!json_is_string(mask) || !json_is_string(right))
			return false;
		snprintf(text, sizeof(text), "%s/%s", json_string_value(right),
		         json_string_value(mask));
	} else if (nftj_get_prefix(right, &a, &len)) {
		snprintf(text, sizeof(text), "%s/%d", a, len);
	} else if (json_is_string(right)) {
		snprintf(text, sizeof(text), "%s", json_string_value(right));
	} else {
		return false;
	}
	return addr_parse(text, family, m) == 0;
}

/* One ct statement into p; false when it is not one conntrack produces. */
static bool read_one(struct read_ctx *r, struct ct_priv *p, json_t *stmt)
{
	const char *op, *key, *dir = NULL;
	json_t *left, *right, *inner;
	int neg, k;
	unsigned mask;
	bool ne;

	if (!nftj_get_match(stmt, &op, &left, &right))
		return false;
	inner = json_object_get(left, "&") ? json_array_get(json_object_get(left, "&"), 0) : left;
	if (!nftj_is_ct(inner, &key, &dir))
		return false;
	ne = strcmp(op, "!=") == 0;
	if (strcmp(key, "state") == 0 && !has(p, CT_STATE)) {
		if (flag_op(op, right, &neg) < 0 || !flags_from_json(nft_state_syms, right, &mask))
			return false;
		p->state |= mask;
		p->given |= 1u << CT_STATE;
		p->invert |= neg ? 1u << CT_STATE : 0;
		return true;
	}
	if (strcmp(key, "status") == 0) {
		long long zero;

		/* The empty-mask bit test of --ctstatus NONE: as emitted, (status & 0)
		 * != 0 (negated ==), and as the kernel lists it, "in 0" / "! 0". */
		if (inner != left &&
		    nftj_get_int(json_array_get(json_object_get(left, "&"), 1), &zero) &&
		    zero == 0 && nftj_get_int(right, &zero) && zero == 0 && !has(p, CT_STATUS) &&
		    (ne || strcmp(op, "==") == 0)) {
			p->given |= 1u << CT_STATUS;
			p->invert |= ne ? 0 : 1u << CT_STATUS;
			p->status = 0;
			return true;
		}
		if (inner != left)
			return false;
		if ((strcmp(op, "in") == 0 || strcmp(op, "!") == 0) && nftj_get_int(right, &zero) &&
		    zero == 0 && !has(p, CT_STATUS)) {
			p->given |= 1u << CT_STATUS;
			p->invert |= op[0] == '!' ? 1u << CT_STATUS : 0;
			p->status = 0;
			return true;
		}
		if (flag_op(op, right, &neg) < 0 || !flags_from_json(nft_status_syms, right, &mask))
			return false;
		if (mask & (CTST_SNAT | CTST_DNAT)) {
			/* --ctstate SNAT/DNAT; alone, or negated together with states. */
			if ((mask & ~(unsigned)(CTST_SNAT | CTST_DNAT)) || (p->state & CTS_NAT))
				return false;
			if (has(p, CT_STATE) && (!(p->invert & (1u << CT_STATE)) || !neg))
				return false;
			p->state |=
			    (mask & CTST_SNAT ? CTS_SNAT : 0) | (mask & CTST_DNAT ? CTS_DNAT : 0);
			p->given |= 1u << CT_STATE;
			p->invert |= neg ? 1u << CT_STATE : 0;
			return true;
		}
		if (has(p, CT_STATUS))
			return false;
		p->status = mask;
		p->given |= 1u << CT_STATUS;
		p->invert |= neg ? 1u << CT_STATUS : 0;
		return true;
	}
	if (strcmp(op, "==") && !ne)
		return false;
	if (strcmp(key, "direction") == 0 && !has(p, CT_DIR) && json_is_string(right)) {
		const char *d = json_string_value(right);

		if (strcmp(d, "original") && strcmp(d, "reply"))
			return false;
		p->reply_dir = strcmp(d, "reply") == 0;
		p->given |= 1u << CT_DIR;
		p->invert |= ne ? 1u << CT_DIR : 0;
		return true;
	}
	if (strcmp(key, "protocol") == 0 && !has(p, CT_PROTO)) {
		long long v;

		if (nftj_get_int(right, &v))
			p->proto = (int)v;
		else if (json_is_string(right))
			p->proto = proto_lookup(json_string_value(right));
		else
			return false;
		if (p->proto <= 0 || p->proto > 255)
			return false;
		p->given |= 1u << CT_PROTO;
		p->invert |= ne ? 1u << CT_PROTO : 0;
		return true;
	}
	if (strcmp(key, "expiration") == 0 && !has(p, CT_EXPIRE)) {
		if (!read_range(right, &p->expire_lo, &p->expire_hi))
			return false;
		/* The clamped top of the range reads back as iptables' maximum. */
		if (p->expire_hi == CT_EXPIRE_MAX_S)
			p->expire_hi = 4294967295ull;
		p->given |= 1u << CT_EXPIRE;
		p->invert |= ne ? 1u << CT_EXPIRE : 0;
		return true;
	}
	if ((strcmp(key, "proto-src") == 0 || strcmp(key, "proto-dst") == 0) && dir) {
		unsigned long long lo, hi;

		k = (strcmp(dir, "reply") == 0 ? 2 : 0) + (key[6] == 'd' ? 1 : 0);
		if (has(p, CT_ORIGSRCPORT + k) || !read_range(right, &lo, &hi) || hi > 65535)
			return false;
		p->port_lo[k] = (unsigned)lo;
		p->port_hi[k] = (unsigned)hi;
		p->given |= 1u << (CT_ORIGSRCPORT + k);
		p->invert |= ne ? 1u << (CT_ORIGSRCPORT + k) : 0;
		return true;
	}
	k = addr_index(key, dir);
	if (k >= 0 && !has(p, CT_ORIGSRC + k)) {
		if (!read_addr_value(r->family, left, right, &p->addr[k]))
			return false;
		p->given |= 1u << (CT_ORIGSRC + k);
		p->invert |= ne ? 1u << (CT_ORIGSRC + k) : 0;
		return true;
	}
	return false;
}

static int ct_recognise(struct read_ctx *r, void *priv)
{
	struct ct_priv *p = priv;
	int n = 0;

	while (read_peek(r, 0) && read_one(r, p, read_peek(r, 0))) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

/* ---- printing ---- */

void ct_save_state(const struct ct_priv *p, const char *opt, struct strbuf *sb)
{
	sb_addf(sb, "%s %s ", p->invert & (1u << CT_STATE) ? " !" : "", opt);
	sym_print_list(ct_state_syms, p->state, ",", sb);
}

static void save_opt(const struct ct_priv *p, int id, const char *name, struct strbuf *sb)
{
	sb_addf(sb, "%s --%s ", inv(p, id) ? " !" : "", name);
}

static void save_range(struct strbuf *sb, unsigned long long lo, unsigned long long hi)
{
	if (lo == hi)
		sb_addf(sb, "%llu", lo);
	else
		sb_addf(sb, "%llu:%llu", lo, hi);
}

static void ct_save(const void *priv, int family, struct strbuf *sb)
{
	const struct ct_priv *p = priv;
	char buf[128];

	(void)family;
	if (has(p, CT_STATE))
		ct_save_state(p, "--ctstate", sb);
	if (has(p, CT_PROTO)) {
		save_opt(p, CT_PROTO, "ctproto", sb);
		sb_addf(sb, "%d", p->proto);
	}
	for (int k = 0; k < 4; k++)
		if (has(p, CT_ORIGSRC + k)) {
			save_opt(p, CT_ORIGSRC + k, ct_opts[CT_ORIGSRC + k].name, sb);
			addr_format(&p->addr[k], buf, sizeof(buf), false);
			sb_add(sb, buf);
		}
	for (int k = 0; k < 4; k++)
		if (has(p, CT_ORIGSRCPORT + k)) {
			save_opt(p, CT_ORIGSRCPORT + k, ct_opts[CT_ORIGSRCPORT + k].name, sb);
			save_range(sb, p->port_lo[k], p->port_hi[k]);
		}
	if (has(p, CT_STATUS)) {
		save_opt(p, CT_STATUS, "ctstatus", sb);
		if (p->status)
			sym_print_list(ct_status_syms, p->status, ",", sb);
		else
			sb_add(sb, "NONE");
	}
	if (has(p, CT_EXPIRE)) {
		save_opt(p, CT_EXPIRE, "ctexpire", sb);
		save_range(sb, p->expire_lo, p->expire_hi);
	}
	if (has(p, CT_DIR)) {
		save_opt(p, CT_DIR, "ctdir", sb);
		sb_add(sb, p->reply_dir ? "REPLY" : "ORIGINAL");
	}
}

/* iptables -L: "ctstate RELATED,ESTABLISHED ctproto 6 ..." */
static void ct_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ct_priv *p = priv;
	struct strbuf tmp;

	sb_init(&tmp);
	ct_save(priv, family, &tmp);
	/* The -L form is the save form without the leading dashes. */
	for (const char *s = sb_str(&tmp) + 1; *s; s++) {
		if (s[0] == '-' && s[1] == '-' && (s == sb_str(&tmp) || s[-1] == ' '))
			s += 1;
		else
			sb_addc(sb, *s);
	}
	(void)p;
	(void)numeric;
	sb_free(&tmp);
}

const struct ext ext_conntrack = {
    .name = "conntrack",
    .type = EXT_MATCH,
    .help = "connection tracking state, status, tuple, expiry and direction",
    .families = NFSH_F_ANY,
    .opts = ct_opts,
    .nopts = sizeof(ct_opts) / sizeof(ct_opts[0]),
    .priv_size = sizeof(struct ct_priv),
    .parse = ct_parse,
    .check = ct_check,
    .emit = ct_emit,
    .recognise = ct_recognise,
    .save = ct_save,
    .list = ct_list,
};
EXT_REGISTER(ext_conntrack);

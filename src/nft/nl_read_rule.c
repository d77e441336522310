/* One rule of nfsh's table listing (nl_read.c), from libnftnl expressions.
 *
 * The rule conversion is the inverse of what libnftables 1.0.6 linearises
 * for the expressions nfsh emits, and gives the JSON its listing would give:
 * the payload dependency "meta l4proto P" is left out when the next
 * expression loads that protocol's header (as libnftables does), byte-aligned
 * prefixes are short loads, masks are bitwise expressions, a merged load of
 * adjacent fields (sport+dport, icmp type+code) is listed as two matches,
 * anonymous sets (their elements dumped before the rules) are listed inline
 * with intervals decomposed. Where libnftables' own post-processing could
 * differ from this straight reading (a dependency not directly before its
 * payload, unusual registers, concatenations, flags not known here) the
 * whole table is handed back as unsupported rather than guessed.
 * tests/integration/io_fastread.sh compares this reader with libnftables
 * rule by rule (NFSH_READ_CHECK=1). */
#include "util/strbuf.h"
#include "nft/nl_read_int.h"
#include "rule/rule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#define NREGS 32

/* What a register holds: the JSON left side of a match, and how it was
 * loaded, until a cmp, lookup or set statement consumes it. */
struct reg {
	enum { R_NONE, R_PAYLOAD, R_META, R_CT, R_FIB, R_IMM } kind;
	uint32_t base, offset, len, key;
	bool masked;
	uint8_t mask[16], xor[16];
	uint8_t data[16]; /* R_IMM */
	uint32_t dlen;
	int lo; /* a port range's lower bound (cmp gte) waiting for its lte, or -1 */
};

struct conv {
	int family; /* NFSH_IPV4 / NFSH_IPV6 */
	struct leaf_cache *cache;
	json_t *anon; /* anonymous set name -> its right side {"set": [...]}, or NULL */
	json_t *exprs;
	struct reg regs[NREGS];
	int l4proto; /* protocol the transport header is known to be, or -1 */
	/* A "meta l4proto P" or "ip protocol P" match is a payload dependency
	 * to libnftables: it leaves it out of the listing once a later
	 * expression loads P's header. Its index in exprs, or -1. */
	int dep_index;
	bool dep_is_meta;
	bool unsupported;
	int nexpr;           /* expressions seen */
	const char *stopped; /* the one that made the rule unsupported */
	/* Set: the statements go here instead of exprs (nl_read.h's shapes
	 * only); not_fast when the rule has any other. */
	struct nlr_fast *fast;
	bool not_fast;
	/* A "cmp gte" on a port: libnftables lists it and the "cmp lte" right
	 * after it as one range match. */
	struct reg *range_reg;
};

/* The next statement of a rule read without JSON, or NULL (not_fast set). */
static struct nlr_fstmt *fpush(struct conv *c, enum nlr_fkind kind, bool neq)
{
	struct nlr_fstmt *st;

	if (c->fast->n >= NLR_FAST_MAX) {
		c->not_fast = true;
		return NULL;
	}
	st = &c->fast->s[c->fast->n++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->neq = neq;
	return st;
}

/* The statement index the next one gets, in either form. */
static int stmt_count(const struct conv *c)
{
	return c->fast ? c->fast->n : (int)json_array_size(c->exprs);
}

static void stmt_remove(struct conv *c, int k)
{
	if (!c->fast) {
		json_array_remove(c->exprs, (size_t)k);
		return;
	}
	memmove(&c->fast->s[k], &c->fast->s[k + 1],
	        (size_t)(c->fast->n - k - 1) * sizeof(c->fast->s[0]));
	c->fast->n--;
}

static const char *l4_name(int p)
{
	switch (p) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 58:
		return "ipv6-icmp";
	default:
		return NULL;
	}
}

/* ICMP and ICMPv6 type names as libnftables lists them; NULL for the others
 * (listed as numbers there: its path). */
static const char *icmp_type_name(int l4, unsigned type)
{
	static const char *const v4[] = {
	    [0] = "echo-reply",           [3] = "destination-unreachable",
	    [4] = "source-quench",        [5] = "redirect",
	    [8] = "echo-request",         [9] = "router-advertisement",
	    [10] = "router-solicitation", [11] = "time-exceeded",
	    [12] = "parameter-problem",   [13] = "timestamp-request",
	    [14] = "timestamp-reply",     [15] = "info-request",
	    [16] = "info-reply",          [17] = "address-mask-request",
	    [18] = "address-mask-reply"};
	static const char *const v6low[] = {[1] = "destination-unreachable",
	                                    [2] = "packet-too-big",
	                                    [3] = "time-exceeded",
	                                    [4] = "parameter-problem"};
	static const char *const v6[] = {
	    "echo-request",       "echo-reply",        "mld-listener-query", "mld-listener-report",
	    "mld-listener-done",  "nd-router-solicit", "nd-router-advert",   "nd-neighbor-solicit",
	    "nd-neighbor-advert", "nd-redirect"};

	if (l4 == 1)
		return type < sizeof(v4) / sizeof(v4[0]) ? v4[type] : NULL;
	if (type < sizeof(v6low) / sizeof(v6low[0]))
		return v6low[type];
	return type >= 128 && type - 128 < sizeof(v6) / sizeof(v6[0]) ? v6[type - 128] : NULL;
}

/* An icmp or icmpv6 code as libnftables lists it: by name where its
 * table has one, else the number. */
static json_t *icmp_code_right(int l4, unsigned code)
{
	static const char *const v4[] = {
	    [0] = "net-unreachable",  [1] = "host-unreachable", [2] = "prot-unreachable",
	    [3] = "port-unreachable", [4] = "frag-needed",      [9] = "net-prohibited",
	    [10] = "host-prohibited", [13] = "admin-prohibited"};
	static const char *const v6[] = {
	    [0] = "no-route",         [1] = "admin-prohibited", [3] = "addr-unreachable",
	    [4] = "port-unreachable", [5] = "policy-fail",      [6] = "reject-route"};
	const char *name = NULL;

	if (l4 == 1 && code < sizeof(v4) / sizeof(v4[0]))
		name = v4[code];
	else if (l4 == 58 && code < sizeof(v6) / sizeof(v6[0]))
		name = v6[code];
	return name ? json_string_nocheck(name) : json_integer(code);
}

static void unsupported(struct conv *c)
{
	c->unsupported = true;
}

static struct reg *reg_get(struct conv *c, const struct nftnl_expr *e, uint16_t attr)
{
	uint32_t r;

	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	r = nftnl_expr_get_u32(e, attr);
	return r < NREGS ? &c->regs[r] : NULL;
}

static void push(struct conv *c, json_t *stmt)
{
	if (!stmt)
		unsupported(c);
	else
		json_array_append_new(c->exprs, stmt);
}

/* A protocol match: out as a statement; with == it is also the dependency a
 * later transport header load will remove. */
static void push_proto(struct conv *c, json_t *stmt, bool eq, int proto, bool is_meta)
{
	if (eq && c->dep_index >= 0) {
		unsupported(c); /* two dependencies: which one libnftables keeps, not known here */
		json_decref(stmt);
		return;
	}
	push(c, stmt);
	if (eq && stmt) {
		c->dep_index = stmt_count(c) - 1;
		c->dep_is_meta = is_meta;
		c->l4proto = proto;
	}
}

static const char *l4_name(int p);

/* The same without JSON. */
static void fast_proto(struct conv *c, bool eq, int proto, bool is_meta)
{
	struct nlr_fstmt *st;

	if (eq && c->dep_index >= 0) {
		unsupported(c);
		return;
	}
	if (!(st = fpush(c, NLF_PROTO, !eq)))
		return;
	st->meta = is_meta;
	str_copy(st->text, sizeof(st->text), l4_name(proto));
	if (eq) {
		c->dep_index = c->fast->n - 1;
		c->dep_is_meta = is_meta;
		c->l4proto = proto;
	}
}

/* o with key k set to v (stolen), or NULL (o released) when v is NULL or
 * memory runs out. json_pack would parse a format string per object: this
 * is the reader's inner loop. */
static json_t *put(json_t *o, const char *k, json_t *v)
{
	if (!o || !v || json_object_set_new_nocheck(o, k, v) < 0) {
		json_decref(o);
		if (!o)
			json_decref(v);
		return NULL;
	}
	return o;
}

json_t *nlr_obj1(const char *k, json_t *v)
{
	return put(json_object(), k, v);
}

json_t *nlr_obj2(const char *k1, json_t *v1, const char *k2, json_t *v2)
{
	json_t *o = nlr_obj1(k1, v1);

	if (!o) {
		json_decref(v2);
		return NULL;
	}
	return put(o, k2, v2);
}

static json_t *match(const char *op, json_t *left, json_t *right)
{
	json_t *b = nlr_obj1("op", json_string_nocheck(op));

	if (!b) {
		json_decref(left);
		json_decref(right);
		return NULL;
	}
	if (!(b = put(b, "left", left))) {
		json_decref(right);
		return NULL;
	}
	return nlr_obj1("match", put(b, "right", right));
}

static json_t *leaf_build(const char *kind, const char *a, const char *b)
{
	if (!strcmp(kind, "meta"))
		return nlr_obj1("meta", nlr_obj1("key", json_string_nocheck(a)));
	if (!strcmp(kind, "payload"))
		return nlr_obj1("payload", nlr_obj2("protocol", json_string_nocheck(a), "field",
		                                    json_string_nocheck(b)));
	if (!strcmp(kind, "ct"))
		return nlr_obj1("ct", nlr_obj1("key", json_string_nocheck(a)));
	return nlr_obj1(a, json_null()); /* "verdict": accept, drop, ... */
}

/* A new reference to the shared object kind(a, b). Every caller passes
 * string literals, so the cache compares pointers (a literal seen at two
 * addresses only costs a second entry). */
static json_t *leaf(struct conv *c, const char *kind, const char *a, const char *b)
{
	struct leaf_cache *lc = c->cache;
	json_t *v;

	for (int i = 0; lc && i < lc->n; i++)
		if (lc->e[i].kind == kind && lc->e[i].a == a && lc->e[i].b == b)
			return json_incref(lc->e[i].v);
	v = leaf_build(kind, a, b);
	if (v && lc && lc->n < (int)(sizeof(lc->e) / sizeof(lc->e[0]))) {
		lc->e[lc->n].kind = kind;
		lc->e[lc->n].a = a;
		lc->e[lc->n].b = b;
		lc->e[lc->n++].v = json_incref(v);
	}
	return v;
}

void nlr_leaf_cache_free(struct leaf_cache *lc)
{
	for (int i = 0; i < lc->n; i++)
		json_decref(lc->e[i].v);
	lc->n = 0;
}

#define meta_left(key)             leaf(c, "meta", (key), NULL)
#define payload_left(proto, field) leaf(c, "payload", (proto), (field))

static uint32_t get_u32_host(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The prefix length of a mask that is ones then zeros, or -1. */
static int prefix_len(const uint8_t *mask, uint32_t len)
{
	int n = 0;
	uint32_t i = 0;

	for (; i < len && mask[i] == 0xff; i++)
		n += 8;
	if (i < len) {
		uint8_t b = mask[i];
		int bits = 0;

		while (b & 0x80) {
			bits++;
			b = (uint8_t)(b << 1);
		}
		if (b)
			return -1;
		n += bits;
		for (i++; i < len; i++)
			if (mask[i])
				return -1;
	}
	return n;
}

/* ip/ip6 saddr or daddr compared with data: the address in text, and its
 * prefix length (that of the whole address when it is one). */
static bool addr_text(const struct reg *r, int family, const uint8_t *data, uint32_t dlen,
                      char *text, int *plen)
{
	uint32_t full = family == NFSH_IPV6 ? 16 : 4;
	uint8_t addr[16] = {0};
	int len;

	if (dlen != r->len || r->len > full)
		return false;
	memcpy(addr, data, dlen);
	if (r->masked) {
		if (r->len != full)
			return false;
		for (uint32_t i = 0; i < full; i++)
			if (r->xor [i] || (addr[i] & ~r->mask[i]))
				return false;
		len = prefix_len(r->mask, full);
		if (len < 0)
			return false;
	} else {
		len = (int)r->len * 8;
	}
	*plen = len;
	return len != 0 &&
	       inet_ntop(family == NFSH_IPV6 ? AF_INET6 : AF_INET, addr, text, INET6_ADDRSTRLEN);
}

static json_t *addr_right(const struct reg *r, int family, const uint8_t *data, uint32_t dlen)
{
	char text[INET6_ADDRSTRLEN];
	int len;

	if (!addr_text(r, family, data, dlen, text, &len))
		return NULL;
	if ((uint32_t)len == (family == NFSH_IPV6 ? 128u : 32u))
		return json_string(text);
	return nlr_obj1("prefix",
	                nlr_obj2("addr", json_string_nocheck(text), "len", json_integer(len)));
}

/* Which ip/ip6 header field a network-header load is, or NULL. */
static const char *net_field(const struct reg *r, int family, bool *is_addr)
{
	*is_addr = true;
	if (family == NFSH_IPV4) {
		if (r->offset == 12 && r->len >= 1 && r->len <= 4)
			return "saddr";
		if (r->offset == 16 && r->len >= 1 && r->len <= 4)
			return "daddr";
		*is_addr = false;
		if (r->offset == 9 && r->len == 1)
			return "protocol";
		return NULL;
	}
	if (r->offset == 8 && r->len >= 1 && r->len <= 16)
		return "saddr";
	if (r->offset == 24 && r->len >= 1 && r->len <= 16)
		return "daddr";
	*is_addr = false;
	return NULL;
}

static json_t *fast_addr(struct conv *c, const struct reg *r, const char *op, const uint8_t *data,
                         uint32_t dlen, bool daddr)
{
	struct nlr_fstmt st = {.kind = NLF_ADDR, .neq = strcmp(op, "==") != 0, .out = daddr};
	struct nlr_fstmt *slot;

	if (!addr_text(r, c->family, data, dlen, st.text, &st.plen))
		return NULL;
	if ((uint32_t)st.plen == (c->family == NFSH_IPV6 ? 128u : 32u))
		st.plen = -1;
	if ((slot = fpush(c, NLF_ADDR, st.neq)))
		*slot = st;
	return json_null(); /* recorded */
}

/* The left side of a match on a loaded payload, with the right side built
 * from data (NULL data: a set lookup, the right side is the caller's). */
static json_t *payload_match(struct conv *c, struct reg *r, const char *op, const uint8_t *data,
                             uint32_t dlen, json_t *set_right)
{
	const char *fam = c->family == NFSH_IPV6 ? "ip6" : "ip";

	if (r->base == NFT_PAYLOAD_NETWORK_HEADER) {
		bool is_addr;
		const char *field = net_field(r, c->family, &is_addr);

		if (!field)
			goto fail;
		if (is_addr) {
			if (set_right && (r->masked || r->len != (c->family == NFSH_IPV6 ? 16 : 4)))
				goto fail;
			if (c->fast)
				return fast_addr(c, r, op, data, dlen, field[0] == 'd');
			return match(op, payload_left(fam, field),
			             set_right ? set_right : addr_right(r, c->family, data, dlen));
		}
		if (set_right || r->masked || dlen != 1 || !l4_name(data[0]))
			goto fail;
		if (c->fast) {
			fast_proto(c, !strcmp(op, "=="), data[0], false);
			return json_null();
		}
		push_proto(c, match(op, payload_left(fam, field), json_string(l4_name(data[0]))),
		           !strcmp(op, "=="), data[0], false);
		return json_null(); /* pushed already: the caller's NULL means unsupported */
	}
	if (r->base == NFT_PAYLOAD_TRANSPORT_HEADER &&
	    (c->l4proto == 1 || (c->l4proto == 58 && c->family == NFSH_IPV6))) {
		/* icmp type / icmpv6 type: one byte at 0, by name; with the code
		 * after it, two bytes (libnftables merges the two matches). */
		const char *name =
		    dlen == r->len && !set_right ? icmp_type_name(c->l4proto, data[0]) : NULL;
		const char *proto = c->l4proto == 1 ? "icmp" : "icmpv6";

		if (r->offset != 0 || (r->len != 1 && (r->len != 2 || strcmp(op, "=="))) ||
		    r->masked || !name)
			goto fail;
		if (c->fast) {
			c->not_fast = true;
			return json_null();
		}
		if (r->len == 1)
			return match(op, payload_left(proto, "type"), json_string_nocheck(name));
		push(c, match(op, payload_left(proto, "type"), json_string_nocheck(name)));
		return match(op, payload_left(proto, "code"), icmp_code_right(c->l4proto, data[1]));
	}
	if (r->base == NFT_PAYLOAD_TRANSPORT_HEADER && r->offset == 0 && r->len == 4 &&
	    !r->masked && !set_right && dlen == 4 && !strcmp(op, "==") &&
	    (c->l4proto == 6 || c->l4proto == 17)) {
		/* sport and dport in one load: libnftables merges the two matches
		 * and lists them apart again. */
		struct reg half = *r;
		json_t *first;

		half.len = 2;
		first = payload_match(c, &half, op, data, 2, NULL);
		if (!first)
			goto fail;
		if (!json_is_null(first))
			push(c, first);
		half.offset = 2;
		return payload_match(c, &half, op, data + 2, 2, NULL);
	}
	if (r->base == NFT_PAYLOAD_TRANSPORT_HEADER) {
		const char *proto =
		    c->l4proto == 6 || c->l4proto == 17 ? l4_name(c->l4proto) : NULL;
		const char *field = r->offset == 0 ? "sport" : r->offset == 2 ? "dport" : NULL;
		uint16_t port;

		if (!proto || !field || r->len != 2 || r->masked)
			goto fail;
		if (set_right)
			return match(op, payload_left(proto, field), set_right);
		if (dlen != 2)
			goto fail;
		memcpy(&port, data, 2);
		if (c->fast) {
			struct nlr_fstmt *st = fpush(c, NLF_PORT, strcmp(op, "=="));

			if (st) {
				st->l4 = c->l4proto;
				st->out = field[0] == 'd';
				st->port = ntohs(port);
				st->port_hi = st->port;
			}
			return json_null();
		}
		return match(op, payload_left(proto, field), json_integer(ntohs(port)));
	}
fail:
	json_decref(set_right); /* ours on every path */
	return NULL;
}

/* An interface name compared with data, as libnftables lists it, into
 * name (IFNAMSIZ + 2 bytes). */
static bool iface_text(const uint8_t *data, uint32_t dlen, char *name)
{
	uint32_t n;
	bool exact;

	if (dlen == 0 || dlen > IFNAMSIZ)
		return false;
	/* An exact name is compared NUL-padded over IFNAMSIZ; a wildcard
	 * ("eth+" / nft "eth*") over its prefix only. */
	n = (uint32_t)strnlen((const char *)data, dlen);
	exact = n < dlen;
	if (n == 0 || (exact && dlen != IFNAMSIZ))
		return false;
	for (uint32_t i = n; i < dlen; i++)
		if (data[i])
			return false;
	for (uint32_t i = 0; i < n; i++) {
		char ch = (char)data[i];

		/* Characters libnftables prints as they are; others (quotes,
		 * '*', '\\', '/') take the libnftables path. */
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '@'))
			return false;
	}
	memcpy(name, data, n);
	name[n] = '\0';
	if (!exact)
		strcat(name, "*");
	return true;
}

static json_t *iface_right(const uint8_t *data, uint32_t dlen)
{
	char name[IFNAMSIZ + 2];

	return iface_text(data, dlen, name) ? json_string(name) : NULL;
}

static const char *const ct_state_names[] = {"invalid", "established", "related",  "new",
                                             NULL,      NULL,          "untracked"};

/* ct state's bits as libnftables lists them: one name, or a list in bit order. */
static json_t *ct_state_right(uint32_t bits)
{
	json_t *list = json_array();

	if (!list)
		return NULL;
	if (bits == 0) {
		json_decref(list);
		return NULL;
	}
	for (unsigned b = 0; b < 32; b++) {
		if (!(bits & (1u << b)))
			continue;
		if (b >= sizeof(ct_state_names) / sizeof(ct_state_names[0]) || !ct_state_names[b]) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, json_string(ct_state_names[b]));
	}
	if (json_array_size(list) == 1) {
		json_t *one = json_incref(json_array_get(list, 0));

		json_decref(list);
		return one;
	}
	return list;
}

static const char *const addrtype_names[] = {"unspec",   "unicast",   "local",     "broadcast",
                                             "anycast",  "multicast", "blackhole", "unreachable",
                                             "prohibit", "throw",     "nat",       "xresolve"};

static json_t *fib_left(uint32_t flags)
{
	const char *f = flags == NFTA_FIB_F_DADDR   ? "daddr"
	                : flags == NFTA_FIB_F_SADDR ? "saddr"
	                                            : NULL;

	if (!f)
		return NULL;
	return json_pack("{s:{s:s,s:[s]}}", "fib", "result", "type", "flags", f);
}

/* on_cmp's meta matches without JSON: interfaces and the protocol. */
static void fast_meta_cmp(struct conv *c, const struct reg *r, bool neq, const uint8_t *data,
                          uint32_t dlen)
{
	struct nlr_fstmt *st;
	char name[IFNAMSIZ + 2];

	if (r->masked) {
		c->not_fast = true;
	} else if (r->key == NFT_META_IIFNAME || r->key == NFT_META_OIFNAME) {
		if (!iface_text(data, dlen, name))
			unsupported(c);
		else if ((st = fpush(c, NLF_IFACE, neq))) {
			st->out = r->key == NFT_META_OIFNAME;
			str_copy(st->text, sizeof(st->text), name);
		}
	} else if (r->key == NFT_META_L4PROTO && dlen == 1 && l4_name(data[0])) {
		fast_proto(c, !neq, data[0], true);
	} else {
		c->not_fast = true;
	}
}

static bool is_port_load(const struct conv *c, const struct reg *r)
{
	return r->kind == R_PAYLOAD && r->base == NFT_PAYLOAD_TRANSPORT_HEADER &&
	       (c->l4proto == 6 || c->l4proto == 17) && (r->offset == 0 || r->offset == 2) &&
	       r->len == 2 && !r->masked;
}

/* A port range, lo to hi: "==" or "!=" {"range": [lo, hi]}. */
static void port_range(struct conv *c, struct reg *r, bool neq, unsigned lo, unsigned hi)
{
	const char *proto = l4_name(c->l4proto), *field = r->offset == 0 ? "sport" : "dport";
	struct nlr_fstmt *st;

	r->kind = R_NONE;
	if (lo > hi) {
		unsupported(c);
	} else if (c->fast) {
		if ((st = fpush(c, NLF_PORT, neq))) {
			st->l4 = c->l4proto;
			st->out = field[0] == 'd';
			st->port = (int)lo;
			st->port_hi = (int)hi;
		}
	} else {
		push(c,
		     match(neq ? "!=" : "==", payload_left(proto, field),
		           nlr_obj1("range", json_pack("[I,I]", (json_int_t)lo, (json_int_t)hi))));
	}
}

/* "cmp gte" then "cmp lte" on the same port load, as nfsh (and
 * libnftables) write "tcp dport 1000-2000". */
static bool on_cmp_range(struct conv *c, struct reg *r, uint32_t op, const uint8_t *data,
                         uint32_t dlen)
{
	uint16_t v;

	if (op != NFT_CMP_GTE && op != NFT_CMP_LTE) {
		if (c->range_reg)
			unsupported(c); /* a gte without its lte right after it */
		return c->range_reg != NULL;
	}
	if (!is_port_load(c, r) || dlen != 2 || (op == NFT_CMP_GTE) != !c->range_reg ||
	    (c->range_reg && c->range_reg != r)) {
		unsupported(c);
		return true;
	}
	memcpy(&v, data, 2);
	if (op == NFT_CMP_GTE) {
		c->range_reg = r;
		r->lo = ntohs(v);
	} else {
		c->range_reg = NULL;
		port_range(c, r, false, (unsigned)r->lo, ntohs(v));
	}
	return true;
}

static void on_range(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *r = reg_get(c, e, NFTNL_EXPR_RANGE_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), flen = 0, tlen = 0;
	const void *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &flen);
	const void *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tlen);
	uint16_t lo, hi;

	if (!r || !is_port_load(c, r) || !from || !to || flen != 2 || tlen != 2 ||
	    (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ)) {
		unsupported(c);
		return;
	}
	memcpy(&lo, from, 2);
	memcpy(&hi, to, 2);
	port_range(c, r, op == NFT_RANGE_NEQ, ntohs(lo), ntohs(hi));
}

/* meta mark / ct mark (-m mark, -m connmark) compared, maybe under a mask. */
static json_t *mark_match(struct conv *c, const struct reg *r, const char *ops, const uint8_t *data)
{
	json_t *left = r->kind == R_CT ? leaf(c, "ct", "mark", NULL) : meta_left("mark");

	if (r->masked) {
		if (get_u32_host(r->xor) != 0) {
			json_decref(left);
			return NULL;
		}
		left = json_pack("{s:[o,I]}", "&", left, (json_int_t)get_u32_host(r->mask));
	}
	return match(ops, left, json_integer((json_int_t)get_u32_host(data)));
}

static void on_cmp(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *r = reg_get(c, e, NFTNL_EXPR_CMP_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), dlen = 0;
	const uint8_t *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &dlen);
	const char *ops = op == NFT_CMP_EQ ? "==" : op == NFT_CMP_NEQ ? "!=" : NULL;
	json_t *stmt = NULL;

	if (r && data && on_cmp_range(c, r, op, data, dlen))
		return;
	if (!r || !data || !ops) {
		unsupported(c);
		return;
	}
	if (c->fast && r->kind != R_PAYLOAD && r->kind != R_META) {
		c->not_fast = true;
		return;
	}
	switch (r->kind) {
	case R_PAYLOAD:
		stmt = payload_match(c, r, ops, data, dlen, NULL);
		break;
	case R_META:
		if (c->fast) {
			fast_meta_cmp(c, r, op == NFT_CMP_NEQ, data, dlen);
			r->kind = R_NONE;
			return;
		}
		if (r->key == NFT_META_IIFNAME || r->key == NFT_META_OIFNAME) {
			if (!r->masked)
				stmt = match(
				    ops,
				    meta_left(r->key == NFT_META_IIFNAME ? "iifname" : "oifname"),
				    iface_right(data, dlen));
		} else if (r->key == NFT_META_L4PROTO) {
			if (!r->masked && dlen == 1 && l4_name(data[0])) {
				push_proto(
				    c,
				    match(ops, meta_left("l4proto"), json_string(l4_name(data[0]))),
				    op == NFT_CMP_EQ, data[0], true);
				r->kind = R_NONE;
				return;
			}
		} else if (r->key == NFT_META_MARK && dlen == 4) {
			stmt = mark_match(c, r, ops, data);
		} else if ((r->key == NFT_META_SKUID || r->key == NFT_META_SKGID) && dlen == 4 &&
		           !r->masked) {
			stmt = match(ops, meta_left(r->key == NFT_META_SKUID ? "skuid" : "skgid"),
			             json_integer((json_int_t)get_u32_host(data)));
		}
		break;
	case R_CT:
		/* Flags: (state & bits) != 0, which libnftables lists as "in", and
		 * == 0 ("!": ! --ctstate). */
		if (r->key == NFT_CT_STATE && r->masked && dlen == 4 && get_u32_host(data) == 0 &&
		    get_u32_host(r->xor) == 0)
			stmt = match(op == NFT_CMP_NEQ ? "in" : "!", leaf(c, "ct", "state", NULL),
			             ct_state_right(get_u32_host(r->mask)));
		else if (r->key == NFT_CT_MARK && dlen == 4)
			stmt = mark_match(c, r, ops, data);
		break;
	case R_FIB:
		if (!r->masked && dlen == 4 && get_u32_host(data) < 12)
			stmt = match(ops, fib_left(r->key),
			             json_string(addrtype_names[get_u32_host(data)]));
		break;
	default:
		break;
	}
	r->kind = R_NONE;
	if (!json_is_null(stmt)) /* null: a protocol match, pushed already */
		push(c, stmt);
}

static void on_lookup(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *r = reg_get(c, e, NFTNL_EXPR_LOOKUP_SREG);
	const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	uint32_t flags = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS)
	                     ? nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS)
	                     : 0;
	char ref[300];
	json_t *stmt = NULL, *anon;

	if (c->fast) {
		c->not_fast = true;
		return;
	}
	/* Shared named sets, and anonymous ones ("__set%d", read before the
	 * rules), which libnftables lists inline. */
	anon = set && c->anon ? json_object_get(c->anon, set) : NULL;
	if (!r || !set || (!anon && strncmp(set, SHARED_SET_PREFIX, strlen(SHARED_SET_PREFIX))) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) || (flags & ~NFT_LOOKUP_F_INV) ||
	    r->kind != R_PAYLOAD) {
		unsupported(c);
		return;
	}
	snprintf(ref, sizeof(ref), "@%s", set);
	stmt = payload_match(c, r, flags ? "!=" : "==", NULL, 0,
	                     anon ? json_incref(anon) : json_string(ref));
	r->kind = R_NONE;
	push(c, stmt);
}

static json_t *verdict(struct conv *c, const struct nftnl_expr *e)
{
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

	switch (v) {
	case NF_ACCEPT:
		return leaf(c, "verdict", "accept", NULL);
	case NF_DROP:
		return leaf(c, "verdict", "drop", NULL);
	case NFT_RETURN:
		return leaf(c, "verdict", "return", NULL);
	case NFT_JUMP:
	case NFT_GOTO:
		if (!chain)
			return NULL;
		return nlr_obj1(v == NFT_JUMP ? "jump" : "goto",
		                nlr_obj1("target", json_string(chain)));
	default:
		return NULL;
	}
}

static void fast_verdict(struct conv *c, const struct nftnl_expr *e)
{
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
	struct nlr_fstmt *st;

	if (v != NF_ACCEPT && v != NF_DROP && v != NFT_RETURN &&
	    ((v != NFT_JUMP && v != NFT_GOTO) || !chain)) {
		unsupported(c);
		return;
	}
	if ((st = fpush(c, NLF_VERDICT, false))) {
		st->verdict = v;
		st->chain = v == NFT_JUMP || v == NFT_GOTO ? chain : NULL;
	}
}

static void on_immediate(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), dlen = 0;
	const void *data;

	if (dreg == NFT_REG_VERDICT) {
		if (c->fast)
			fast_verdict(c, e);
		else
			push(c, verdict(c, e));
		return;
	}
	data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &dlen);
	if (dreg >= NREGS || !data || dlen > 16) {
		unsupported(c);
		return;
	}
	c->regs[dreg] = (struct reg){.kind = R_IMM, .dlen = dlen};
	memcpy(c->regs[dreg].data, data, dlen);
}

static void on_bitwise(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *s = reg_get(c, e, NFTNL_EXPR_BITWISE_SREG);
	struct reg *d = reg_get(c, e, NFTNL_EXPR_BITWISE_DREG);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN), mlen = 0, xlen = 0;
	const void *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	const void * xor = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xlen);

	if (!s || s != d || s->kind == R_NONE || s->kind == R_IMM || s->masked ||
	    (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL) ||
	    !mask || !xor || mlen != len || xlen != len || len > 16 ||
	    (s->kind == R_PAYLOAD ? len != s->len : len != 4)) {
		unsupported(c);
		return;
	}
	s->masked = true;
	memcpy(s->mask, mask, len);
	memcpy(s->xor, xor, len);
}

/* A mark set's value: an immediate, the other mark (meta mark set ct mark,
 * ct mark set meta mark: CONNMARK --restore-mark / --save-mark), or either
 * mark through one bitwise, listed as libnftables does: "&" with mask|xor
 * unless that is all ones, then "|" with xor when mask and xor share no
 * bit, or "^" when the mask is all ones. own: the key being set. */
static json_t *mark_value(struct conv *c, const struct reg *r, int own)
{
	uint32_t m, x;
	json_t *v;

	if (r->kind == R_IMM)
		return r->dlen == 4 ? json_integer(get_u32_host(r->data)) : NULL;
	if (!(r->kind == R_META && r->key == NFT_META_MARK) &&
	    !(r->kind == R_CT && r->key == NFT_CT_MARK))
		return NULL;
	if ((int)r->kind != own && !r->masked)
		return r->kind == R_CT ? leaf(c, "ct", "mark", NULL) : meta_left("mark");
	if (!r->masked)
		return NULL; /* the mark set to itself */
	v = r->kind == R_CT ? leaf(c, "ct", "mark", NULL) : meta_left("mark");
	m = get_u32_host(r->mask);
	x = get_u32_host(r->xor);
	if (x == 0 && m != 0xffffffffu)
		return json_pack("{s:[o,I]}", "&", v, (json_int_t)m);
	if (m == 0xffffffffu && x != 0)
		return json_pack("{s:[o,I]}", "^", v, (json_int_t)x);
	if (x != 0 && (m & x) == 0) {
		if ((m | x) != 0xffffffffu)
			v = json_pack("{s:[o,I]}", "&", v, (json_int_t)(m | x));
		return v ? json_pack("{s:[o,I]}", "|", v, (json_int_t)x) : NULL;
	}
	json_decref(v);
	return NULL;
}

/* meta mark set / ct mark set with the value in r. */
static void mark_set(struct conv *c, struct reg *r, int own)
{
	json_t *value, *key;

	if (c->fast) {
		c->not_fast = true;
		return;
	}
	value = r ? mark_value(c, r, own) : NULL;
	if (r)
		r->kind = R_NONE;
	if (!value) {
		unsupported(c);
		return;
	}
	key = own == R_CT ? leaf(c, "ct", "mark", NULL) : meta_left("mark");
	push(c, json_pack("{s:{s:o,s:o}}", "mangle", "key", key, "value", value));
}

static void on_meta(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	struct reg *r;

	if ((r = reg_get(c, e, NFTNL_EXPR_META_DREG))) {
		if (key != NFT_META_IIFNAME && key != NFT_META_OIFNAME && key != NFT_META_L4PROTO &&
		    key != NFT_META_MARK && key != NFT_META_SKUID && key != NFT_META_SKGID) {
			unsupported(c);
			return;
		}
		*r = (struct reg){.kind = R_META, .key = key};
		return;
	}
	if (key != NFT_META_MARK) {
		unsupported(c);
		return;
	}
	mark_set(c, reg_get(c, e, NFTNL_EXPR_META_SREG), R_META);
}

static const char *const icmp_codes[] = {"net-unreachable",
                                         "host-unreachable",
                                         "prot-unreachable",
                                         "port-unreachable",
                                         NULL,
                                         NULL,
                                         NULL,
                                         NULL,
                                         NULL,
                                         "net-prohibited",
                                         "host-prohibited",
                                         NULL,
                                         NULL,
                                         "admin-prohibited"};

/* ip6 reject: tcp reset or an icmpv6 code, which libnftables' JSON names
 * even for the default (port-unreachable) that its text leaves out. It
 * keeps a "meta l4proto" match before either (unlike ip's). */
static json_t *reject6(uint32_t type, uint32_t code)
{
	json_t *expr;

	if (type == NFT_REJECT_TCP_RST)
		return json_pack("{s:{s:s}}", "reject", "type", "tcp reset");
	if (type != NFT_REJECT_ICMP_UNREACH)
		return NULL;
	expr = icmp_code_right(58, code);
	if (!json_is_string(expr)) {
		json_decref(expr);
		return NULL;
	}
	return json_pack("{s:{s:s,s:o}}", "reject", "type", "icmpv6", "expr", expr);
}

static json_t *reject(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE);
	uint32_t code = nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE); /* a u8 */

	/* libnftables may fold a "meta l4proto" match standing before a reject
	 * into it; "ip protocol tcp ... reject with tcp reset" it lists as it is. */
	if (c->family == NFSH_IPV6)
		return reject6(type, code);
	if (c->dep_index >= 0 && c->dep_is_meta)
		return NULL;
	if (type == NFT_REJECT_TCP_RST)
		return json_pack("{s:{s:s}}", "reject", "type", "tcp reset");
	if (type == NFT_REJECT_ICMP_UNREACH && code < sizeof(icmp_codes) / sizeof(icmp_codes[0]) &&
	    icmp_codes[code])
		return json_pack("{s:{s:s,s:s}}", "reject", "type", "icmp", "expr",
		                 icmp_codes[code]);
	return NULL;
}

/* A NAT statement's registers and flags, whichever expression holds them. */
struct nat_regs {
	struct reg *amin, *amax, *pmin, *pmax;
	uint32_t flags;
};

static struct reg *nat_reg(struct conv *c, const struct nftnl_expr *e, uint16_t attr, bool *bad)
{
	struct reg *r;

	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	r = reg_get(c, e, attr);
	if (!r || r->kind != R_IMM)
		*bad = true;
	return r;
}

/* nat_flags as libnftables lists them: one name, or a list in its order;
 * the flags nfsh never shows (addresses or ports given) left out. */
static json_t *nat_flags(uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} order[] = {{NF_NAT_RANGE_PROTO_RANDOM, "random"},
	             {NF_NAT_RANGE_PROTO_RANDOM_FULLY, "fully-random"},
	             {NF_NAT_RANGE_PERSISTENT, "persistent"}};
	json_t *list = json_array();

	for (size_t i = 0; list && i < sizeof(order) / sizeof(order[0]); i++)
		if (flags & order[i].bit)
			json_array_append_new(list, json_string_nocheck(order[i].name));
	if (list && json_array_size(list) == 1) {
		json_t *one = json_incref(json_array_get(list, 0));

		json_decref(list);
		return one;
	}
	return list;
}

static json_t *port_json(const struct reg *lo, const struct reg *hi)
{
	uint16_t a, b;

	memcpy(&a, lo->data, 2);
	if (!hi || hi == lo)
		return json_integer(ntohs(a));
	memcpy(&b, hi->data, 2);
	return nlr_obj1("range", json_pack("[I,I]", (json_int_t)ntohs(a), (json_int_t)ntohs(b)));
}

static json_t *addr_json(const struct reg *lo, const struct reg *hi, int af)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!inet_ntop(af, lo->data, a, sizeof(a)))
		return NULL;
	if (!hi || hi == lo)
		return json_string(a);
	if (!inet_ntop(af, hi->data, b, sizeof(b)))
		return NULL;
	return nlr_obj1("range", json_pack("[s,s]", a, b));
}

/* {"snat"|"dnat"|"masquerade"|"redirect": {addr, port, flags}}, the
 * registers it used released; NULL when libnftables would list it in a
 * way not known here. */
static json_t *nat_json(const char *kind, const struct nat_regs *n, int af)
{
	uint32_t alen = af == AF_INET6 ? 16u : 4u;
	json_t *body = json_object(), *flags;

	if ((n->amin && n->amin->dlen != alen) ||
	    (n->amax && (!n->amin || n->amax->dlen != alen)) || (n->pmin && n->pmin->dlen != 2) ||
	    (n->pmax && (!n->pmin || n->pmax->dlen != 2)) ||
	    (n->flags & ~(uint32_t)(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED |
	                            NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT |
	                            NF_NAT_RANGE_PROTO_RANDOM_FULLY))) {
		json_decref(body);
		return NULL;
	}
	if (n->amin)
		body = put(body, "addr", addr_json(n->amin, n->amax, af));
	if (n->pmin)
		body = put(body, "port", port_json(n->pmin, n->pmax));
	flags = nat_flags(n->flags);
	if (flags && json_array_size(flags) == 0 && json_is_array(flags))
		json_decref(flags);
	else
		body = put(body, "flags", flags);
	if (!body)
		return NULL;
	for (struct reg *const *r = &n->amin; r <= &n->pmax; r++)
		if (*r)
			(*r)->kind = R_NONE;
	if (json_object_size(body) == 0) {
		json_decref(body);
		return json_pack("{s:n}", kind);
	}
	return nlr_obj1(kind, body);
}

/* The simple SNAT/DNAT that nlr_fast records: one address, at most one port. */
static bool nat_fast(struct conv *c, uint32_t type, const struct nat_regs *n, int af)
{
	struct nlr_fstmt *st;
	char text[INET6_ADDRSTRLEN];
	uint16_t port;

	if (!n->amin || (n->amax && n->amax != n->amin) || (n->pmax && n->pmax != n->pmin) ||
	    (n->flags & ~(uint32_t)(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED)) ||
	    n->amin->dlen != (af == AF_INET6 ? 16u : 4u) || (n->pmin && n->pmin->dlen != 2) ||
	    !inet_ntop(af, n->amin->data, text, sizeof(text)))
		return false;
	if ((st = fpush(c, NLF_NAT, false))) {
		st->out = type == NFT_NAT_DNAT;
		str_copy(st->text, sizeof(st->text), text);
		if (n->pmin)
			memcpy(&port, n->pmin->data, 2);
		st->port = n->pmin ? ntohs(port) : -1;
	}
	n->amin->kind = R_NONE;
	if (n->pmin)
		n->pmin->kind = R_NONE;
	return true;
}

static json_t *nat(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint32_t fam = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
	bool bad = false;
	struct nat_regs n = {.amin = nat_reg(c, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, &bad),
	                     .amax = nat_reg(c, e, NFTNL_EXPR_NAT_REG_ADDR_MAX, &bad),
	                     .pmin = nat_reg(c, e, NFTNL_EXPR_NAT_REG_PROTO_MIN, &bad),
	                     .pmax = nat_reg(c, e, NFTNL_EXPR_NAT_REG_PROTO_MAX, &bad),
	                     .flags = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS)
	                                  ? nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS)
	                                  : 0};
	int af = fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET;

	/* "meta l4proto tcp ... dnat to A:P" lists as it is, and "ip protocol
	 * tcp" before ports; before an address alone it has not been seen. */
	if (bad || (c->dep_index >= 0 && !c->dep_is_meta && !n.pmin) ||
	    (fam != NFPROTO_IPV4 && fam != NFPROTO_IPV6) ||
	    (fam == NFPROTO_IPV6) != (c->family == NFSH_IPV6) ||
	    (type != NFT_NAT_SNAT && type != NFT_NAT_DNAT) || !n.amin)
		return NULL;
	if (c->fast) {
		if (!nat_fast(c, type, &n, af))
			c->not_fast = true;
		return json_null(); /* recorded */
	}
	return nat_json(type == NFT_NAT_SNAT ? "snat" : "dnat", &n, af);
}

/* masquerade and redirect: ports and flags, no address. */
static json_t *masq_redir(struct conv *c, const struct nftnl_expr *e, bool redir)
{
	bool bad = false;
	struct nat_regs n = {
	    .pmin = nat_reg(
	        c, e, redir ? NFTNL_EXPR_REDIR_REG_PROTO_MIN : NFTNL_EXPR_MASQ_REG_PROTO_MIN, &bad),
	    .pmax = nat_reg(c, e,
	                    redir ? NFTNL_EXPR_REDIR_REG_PROTO_MAX : NFTNL_EXPR_MASQ_REG_PROTO_MAX,
	                    &bad)};
	uint16_t fattr = redir ? NFTNL_EXPR_REDIR_FLAGS : NFTNL_EXPR_MASQ_FLAGS;

	n.flags = nftnl_expr_is_set(e, fattr) ? nftnl_expr_get_u32(e, fattr) : 0;
	if (bad)
		return NULL;
	return nat_json(redir ? "redirect" : "masquerade", &n,
	                c->family == NFSH_IPV6 ? AF_INET6 : AF_INET);
}

static json_t *limit(const struct nftnl_expr *e)
{
	uint64_t rate = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE);
	uint64_t unit = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT);
	uint32_t burst = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST);
	const char *per = unit == 1        ? "second"
	                  : unit == 60     ? "minute"
	                  : unit == 3600   ? "hour"
	                  : unit == 86400  ? "day"
	                  : unit == 604800 ? "week"
	                                   : NULL;

	if (!per || burst == 0 || nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) != NFT_LIMIT_PKTS ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS) != 0)
		return NULL;
	return json_pack("{s:{s:I,s:I,s:s}}", "limit", "rate", (json_int_t)rate, "burst",
	                 (json_int_t)burst, "per", per);
}

static json_t *log_stmt(const struct nftnl_expr *e)
{
	static const char *const levels[] = {"emerg", "alert",  "crit", "err",
	                                     "warn",  "notice", "info", "debug"};
	const char *prefix = nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX);
	uint32_t level = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_LEVEL)
	                     ? nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL)
	                     : 4;
	json_t *body;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_SNAPLEN) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_QTHRESHOLD) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_FLAGS) || level >= 8 ||
	    /* Prefixes with quotes or backslashes: libnftables' escaping, not ours. */
	    (prefix && strpbrk(prefix, "\"\\")))
		return NULL;
	/* level 4 (warn) is the default, which libnftables does not list */
	if (!prefix && level == 4)
		return json_pack("{s:n}", "log");
	body = json_object();
	if (prefix)
		body = put(body, "prefix", json_string(prefix));
	if (level != 4)
		body = put(body, "level", json_string_nocheck(levels[level]));
	return nlr_obj1("log", body);
}

static void on_expr_load(struct conv *c, const struct nftnl_expr *e, const char *name)
{
	struct reg *r;

	if (!strcmp(name, "payload")) {
		r = reg_get(c, e, NFTNL_EXPR_PAYLOAD_DREG);
		if (!r || nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) {
			unsupported(c);
			return;
		}
		*r = (struct reg){.kind = R_PAYLOAD,
		                  .base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
		                  .offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
		                  .len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN)};
		if (r->base == NFT_PAYLOAD_TRANSPORT_HEADER && c->dep_index >= 0) {
			/* The dependency of this load: libnftables drops it. */
			stmt_remove(c, c->dep_index);
			c->dep_index = -1;
		}
		return;
	}
	if (!strcmp(name, "ct")) {
		uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);

		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) ||
		    (key != NFT_CT_STATE && key != NFT_CT_MARK)) {
			unsupported(c);
			return;
		}
		if (!(r = reg_get(c, e, NFTNL_EXPR_CT_DREG))) {
			/* ct mark set */
			if (key != NFT_CT_MARK)
				unsupported(c);
			else
				mark_set(c, reg_get(c, e, NFTNL_EXPR_CT_SREG), R_CT);
			return;
		}
		*r = (struct reg){.kind = R_CT, .key = key};
		return;
	}
	if (!strcmp(name, "fib")) {
		r = reg_get(c, e, NFTNL_EXPR_FIB_DREG);
		if (!r || nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT) != NFT_FIB_RESULT_ADDRTYPE) {
			unsupported(c);
			return;
		}
		*r =
		    (struct reg){.kind = R_FIB, .key = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS)};
		return;
	}
	unsupported(c);
}

/* The statements on_expr builds as JSON, recorded without it; true when
 * e was one of them (or can only be given as JSON: not_fast). */
static bool on_expr_fast(struct conv *c, const struct nftnl_expr *e, const char *name)
{
	struct nlr_fstmt *st;

	/* Most expressions are loads and compares: out before five strcmp. */
	if (name[0] != 'c' && name[0] != 'n' && name[0] != 'm' && name[0] != 'r' && name[0] != 'l')
		return false;
	if (!strcmp(name, "counter")) {
		if ((st = fpush(c, NLF_COUNTER, false))) {
			st->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			st->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
		}
	} else if (!strcmp(name, "nat")) {
		if (!nat(c, e))
			unsupported(c);
	} else if (!strcmp(name, "masq")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS) ||
		    nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN))
			c->not_fast = true;
		else
			fpush(c, NLF_MASQ, false);
	} else if (!strcmp(name, "reject") || !strcmp(name, "limit") || !strcmp(name, "log") ||
	           !strcmp(name, "redir")) {
		c->not_fast = true;
	} else {
		return false;
	}
	return true;
}

static int on_expr(struct nftnl_expr *e, void *data)
{
	struct conv *c = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (c->unsupported || !name) {
		c->unsupported = true;
		return -1;
	}
	if (c->not_fast)
		return -1;
	c->nexpr++;
	if (c->range_reg && strcmp(name, "cmp")) {
		unsupported(c); /* a gte without its lte right after it */
		c->stopped = name;
		return -1;
	}
	if (c->fast && on_expr_fast(c, e, name))
		return c->unsupported || c->not_fast ? -1 : 0;
	if (!strcmp(name, "cmp"))
		on_cmp(c, e);
	else if (!strcmp(name, "lookup"))
		on_lookup(c, e);
	else if (!strcmp(name, "range"))
		on_range(c, e);
	else if (!strcmp(name, "bitwise"))
		on_bitwise(c, e);
	else if (!strcmp(name, "immediate"))
		on_immediate(c, e);
	else if (!strcmp(name, "meta"))
		on_meta(c, e);
	else if (!strcmp(name, "counter"))
		push(c, nlr_obj1("counter", nlr_obj2("packets",
		                                     json_integer((json_int_t)nftnl_expr_get_u64(
		                                         e, NFTNL_EXPR_CTR_PACKETS)),
		                                     "bytes",
		                                     json_integer((json_int_t)nftnl_expr_get_u64(
		                                         e, NFTNL_EXPR_CTR_BYTES)))));
	else if (!strcmp(name, "nat"))
		push(c, nat(c, e));
	else if (!strcmp(name, "masq") || !strcmp(name, "redir"))
		push(c, masq_redir(c, e, name[0] == 'r'));
	else if (!strcmp(name, "reject"))
		push(c, reject(c, e));
	else if (!strcmp(name, "limit"))
		push(c, limit(e));
	else if (!strcmp(name, "log"))
		push(c, log_stmt(e));
	else
		on_expr_load(c, e, name);
	if (c->unsupported && !c->stopped)
		c->stopped = name;
	return c->unsupported ? -1 : 0;
}

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;
	uint8_t len = nftnl_udata_len(attr);
	const char *v = nftnl_udata_get(attr);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
		/* A comment is stored NUL-terminated; anything else is not ours. */
		if (len == 0 || v[len - 1] != '\0')
			return -1;
		*comment = v;
	}
	return 0;
}

/* One dumped rule as libnftables' {"rule": ...}, or NULL when unsupported. */
json_t *nlr_rule_json(struct nftnl_rule *nr, int family, struct leaf_cache *cache, json_t *anon)
{
	struct conv c = {
	    .family = family, .cache = cache, .anon = anon, .l4proto = -1, .dep_index = -1};
	const char *comment = NULL, *dq;
	json_t *rule;
	uint32_t ulen = 0;
	const void *udata = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &ulen);

	if (udata && nftnl_udata_parse(udata, ulen, comment_cb, &comment) < 0)
		return NULL;
	/* A comment libnftables would print with escapes: its path. */
	if (comment && (dq = strpbrk(comment, "\"\\")))
		return NULL;
	c.exprs = json_array();
	if (!c.exprs)
		return NULL;
	nftnl_expr_foreach(nr, on_expr, &c);
	for (int i = 0; i < NREGS; i++)
		if (c.regs[i].kind != R_NONE)
			c.unsupported = true; /* loaded and never used */
	if ((c.unsupported || json_array_size(c.exprs) == 0) && getenv("NFSH_READ_CHECK"))
		fprintf(
		    stderr,
		    "nfsh: read check: rule %llu in %s: read by libnftables (expression %d, %s)\n",
		    (unsigned long long)nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE),
		    nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN) ?: "?", c.nexpr,
		    c.stopped ? c.stopped : "end");
	if (c.unsupported || json_array_size(c.exprs) == 0) {
		json_decref(c.exprs);
		return NULL;
	}
	rule = nlr_obj2("family", json_string_nocheck(family == NFSH_IPV6 ? "ip6" : "ip"), "table",
	                json_string(nftnl_rule_get_str(nr, NFTNL_RULE_TABLE)));
	rule = put(rule, "chain", json_string(nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN)));
	rule = put(rule, "handle",
	           json_integer((json_int_t)nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE)));
	if (rule && comment)
		rule = put(rule, "comment", json_string(comment));
	if (!rule) {
		json_decref(c.exprs);
		return NULL;
	}
	return nlr_obj1("rule", put(rule, "expr", c.exprs));
}

/* The rule in nl_read.h's shapes, into f: true when it is one of them. */
bool nlr_rule_fast(struct nftnl_rule *nr, int family, struct nlr_fast *f)
{
	struct conv c = {.family = family, .l4proto = -1, .dep_index = -1, .fast = f};
	const char *comment = NULL;
	uint32_t ulen = 0;
	const void *udata = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &ulen);

	if ((udata && nftnl_udata_parse(udata, ulen, comment_cb, &comment) < 0) ||
	    (comment && strpbrk(comment, "\"\\")))
		return false;
	f->family = family;
	f->chain = nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN);
	f->comment = comment;
	f->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
	f->n = 0;
	nftnl_expr_foreach(nr, on_expr, &c);
	for (int i = 0; i < NREGS; i++)
		if (c.regs[i].kind != R_NONE)
			return false;
	return f->chain && !c.unsupported && !c.not_fast && f->n > 0;
}

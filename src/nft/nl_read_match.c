/* The matches of a rule read back (nl_read_conv.h): a cmp, range or lookup
 * on what a register holds: addresses and prefixes, interfaces, ports and
 * port ranges, protocols, ICMP types, ct state, marks, fib addrtype, anonymous
 * and shared sets. */
#include "nft/nl_read_conv.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statement index the next one gets, in either form. */
static int stmt_count(const struct conv *c)
{
	return c->fast ? c->fast->n : (int)json_array_size(c->exprs);
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

/* A protocol match: out as a statement; with == it is also the dependency a
 * later transport header load will remove. */
static void push_proto(struct conv *c, json_t *stmt, bool eq, int proto, bool is_meta)
{
	if (eq && c->dep_index >= 0) {
		cv_unsupported(
		    c); /* two dependencies: which one libnftables keeps, not known here */
		json_decref(stmt);
		return;
	}
	cv_push(c, stmt);
	if (eq && stmt) {
		c->dep_index = stmt_count(c) - 1;
		c->dep_is_meta = is_meta;
		c->l4proto = proto;
	}
}

/* The same without JSON. */
static void fast_proto(struct conv *c, bool eq, int proto, bool is_meta)
{
	struct nlr_fstmt *st;

	if (eq && c->dep_index >= 0) {
		cv_unsupported(c);
		return;
	}
	if (!(st = cv_fpush(c, NLF_PROTO, !eq)))
		return;
	st->meta = is_meta;
	str_copy(st->text, sizeof(st->text), l4_name(proto));
	if (eq) {
		c->dep_index = c->fast->n - 1;
		c->dep_is_meta = is_meta;
		c->l4proto = proto;
	}
}

static json_t *match(const char *op, json_t *left, json_t *right)
{
	json_t *b = nlr_obj1("op", json_string_nocheck(op));

	if (!b) {
		json_decref(left);
		json_decref(right);
		return NULL;
	}
	if (!(b = cv_put(b, "left", left))) {
		json_decref(right);
		return NULL;
	}
	return nlr_obj1("match", cv_put(b, "right", right));
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
	if ((slot = cv_fpush(c, NLF_ADDR, st.neq)))
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
		cv_push(c, match(op, payload_left(proto, "type"), json_string_nocheck(name)));
		return match(op, payload_left(proto, "code"),
		             cv_icmp_code_right(c->l4proto, data[1]));
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
			cv_push(c, first);
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
			struct nlr_fstmt *st = cv_fpush(c, NLF_PORT, strcmp(op, "=="));

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
			cv_unsupported(c);
		else if ((st = cv_fpush(c, NLF_IFACE, neq))) {
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
		cv_unsupported(c);
	} else if (c->fast) {
		if ((st = cv_fpush(c, NLF_PORT, neq))) {
			st->l4 = c->l4proto;
			st->out = field[0] == 'd';
			st->port = (int)lo;
			st->port_hi = (int)hi;
		}
	} else {
		cv_push(c, match(neq ? "!=" : "==", payload_left(proto, field),
		                 nlr_obj1("range",
		                          json_pack("[I,I]", (json_int_t)lo, (json_int_t)hi))));
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
			cv_unsupported(c); /* a gte without its lte right after it */
		return c->range_reg != NULL;
	}
	if (!is_port_load(c, r) || dlen != 2 || (op == NFT_CMP_GTE) != !c->range_reg ||
	    (c->range_reg && c->range_reg != r)) {
		cv_unsupported(c);
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

void cv_range(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *r = cv_reg(c, e, NFTNL_EXPR_RANGE_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), flen = 0, tlen = 0;
	const void *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &flen);
	const void *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tlen);
	uint16_t lo, hi;

	if (!r || !is_port_load(c, r) || !from || !to || flen != 2 || tlen != 2 ||
	    (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ)) {
		cv_unsupported(c);
		return;
	}
	memcpy(&lo, from, 2);
	memcpy(&hi, to, 2);
	port_range(c, r, op == NFT_RANGE_NEQ, ntohs(lo), ntohs(hi));
}

/* meta mark / ct mark (-m mark, -m connmark) compared, maybe under a mask. */
static json_t *mark_match(struct conv *c, const struct reg *r, const char *ops, const uint8_t *data)
{
	json_t *left = r->kind == R_CT ? cv_leaf(c, "ct", "mark", NULL) : meta_left("mark");

	if (r->masked) {
		if (cv_u32_host(r->xor) != 0) {
			json_decref(left);
			return NULL;
		}
		left = json_pack("{s:[o,I]}", "&", left, (json_int_t)cv_u32_host(r->mask));
	}
	return match(ops, left, json_integer((json_int_t)cv_u32_host(data)));
}

void cv_cmp(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *r = cv_reg(c, e, NFTNL_EXPR_CMP_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), dlen = 0;
	const uint8_t *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &dlen);
	const char *ops = op == NFT_CMP_EQ ? "==" : op == NFT_CMP_NEQ ? "!=" : NULL;
	json_t *stmt = NULL;

	if (r && data && on_cmp_range(c, r, op, data, dlen))
		return;
	if (!r || !data || !ops) {
		cv_unsupported(c);
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
			             json_integer((json_int_t)cv_u32_host(data)));
		}
		break;
	case R_CT:
		/* Flags: (state & bits) != 0, which libnftables lists as "in", and
		 * == 0 ("!": ! --ctstate). */
		if (r->key == NFT_CT_STATE && r->masked && dlen == 4 && cv_u32_host(data) == 0 &&
		    cv_u32_host(r->xor) == 0)
			stmt =
			    match(op == NFT_CMP_NEQ ? "in" : "!", cv_leaf(c, "ct", "state", NULL),
			          ct_state_right(cv_u32_host(r->mask)));
		else if (r->key == NFT_CT_MARK && dlen == 4)
			stmt = mark_match(c, r, ops, data);
		break;
	case R_FIB:
		if (!r->masked && dlen == 4 && cv_u32_host(data) < 12)
			stmt = match(ops, fib_left(r->key),
			             json_string(addrtype_names[cv_u32_host(data)]));
		break;
	default:
		break;
	}
	r->kind = R_NONE;
	if (!json_is_null(stmt)) /* null: a protocol match, pushed already */
		cv_push(c, stmt);
}

void cv_lookup(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *r = cv_reg(c, e, NFTNL_EXPR_LOOKUP_SREG);
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
	if (!r || !set ||
	    (!anon && strncmp(set, NFSH_SHARED_SET_PREFIX, strlen(NFSH_SHARED_SET_PREFIX))) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) || (flags & ~NFT_LOOKUP_F_INV) ||
	    r->kind != R_PAYLOAD) {
		cv_unsupported(c);
		return;
	}
	snprintf(ref, sizeof(ref), "@%s", set);
	stmt = payload_match(c, r, flags ? "!=" : "==", NULL, 0,
	                     anon ? json_incref(anon) : json_string(ref));
	r->kind = R_NONE;
	cv_push(c, stmt);
}

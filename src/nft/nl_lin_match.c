/* A rule's matches as libnftables 1.0.6 linearises them (nl_lin_expr.c):
 * addresses and prefixes, interfaces, protocols and their dependencies,
 * ports, ICMP types, ct state/status/direction/addresses/expiration, fib,
 * marks, set lookups. */
#include "nft/nl_lin_int.h"

#include <arpa/inet.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <string.h>

static int l4_number(json_t *v)
{
	static const char *const names[] = {
	    [1] = "icmp", [6] = "tcp", [17] = "udp", [58] = "ipv6-icmp"};
	json_int_t x;

	if (nll_int_in(v, 0, 255, &x))
		return (int)x;
	return nll_name_index(json_string_value(v), names, NLL_NAMES(names));
}

static bool op_cmp(const char *ops, uint32_t *op)
{
	if (!strcmp(ops, "=="))
		*op = NFT_CMP_EQ;
	else if (!strcmp(ops, "!="))
		*op = NFT_CMP_NEQ;
	else
		return false;
	return true;
}

/* An address or a prefix, in network order; *plen its prefix length. */
bool nll_addr_of(json_t *right, bool v6, uint8_t *addr, uint32_t *plen)
{
	uint32_t full = v6 ? 128 : 32;
	const char *text = json_string_value(right);
	json_t *pfx = json_object_get(right, "prefix");

	*plen = full;
	if (pfx) {
		json_int_t n;

		text = json_string_value(json_object_get(pfx, "addr"));
		if (json_object_size(pfx) != 2 || json_object_size(right) != 1 ||
		    !nll_int_in(json_object_get(pfx, "len"), 1, (json_int_t)full - 1, &n))
			return false;
		*plen = (uint32_t)n;
	}
	if (!text || inet_pton(v6 ? AF_INET6 : AF_INET, text, addr) != 1)
		return false;
	/* libnftables keeps the host bits as written: refuse them. */
	for (uint32_t b = *plen; b < full; b++)
		if (addr[b / 8] & (0x80 >> (b % 8)))
			return false;
	return true;
}

static void prefix_mask(uint8_t *mask, uint32_t bytes, uint32_t plen)
{
	memset(mask, 0, bytes);
	for (uint32_t b = 0; b < plen; b++)
		mask[b / 8] |= (uint8_t)(0x80 >> (b % 8));
}

/* Address compare on what reg 1 holds: a byte-aligned prefix compares
 * its bytes only (a payload load was made that short by the caller); any
 * other prefix is masked. */
void nll_cmp_addr(struct lin *l, uint32_t op, const uint8_t *addr, uint32_t len, uint32_t plen)
{
	uint8_t mask[16], zero[16] = {0};

	if (plen % 8 == 0) {
		nll_cmp(l, op, addr, plen / 8);
		return;
	}
	prefix_mask(mask, len, plen);
	nll_bitwise(l, mask, zero, len, false);
	nll_cmp(l, op, addr, len);
}

static void lookup(struct lin *l, const char *set, uint32_t id, bool inv)
{
	struct nftnl_expr *e = nll_expr("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
		if (inv)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	}
	nll_add(l, e);
}

/* "@name" of a set this batch added, with keys of len bytes. */
static bool lin_lookup(struct lin *l, uint32_t op, json_t *right, uint32_t len)
{
	const char *ref = json_string_value(right);
	const char *table = nftnl_rule_get_str(l->r, NFTNL_RULE_TABLE);
	uint32_t keylen = 0, id;

	if (!l->ctx || !ref || ref[0] != '@' ||
	    !(id = nll_ctx_set(l->ctx, l->nfproto, table, ref + 1, &keylen)) || keylen != len)
		return false;
	lookup(l, ref + 1, id, op == NFT_CMP_NEQ);
	return true;
}

/* ip/ip6 saddr/daddr == / != address, prefix or a set of this batch. */
static bool lin_addr(struct lin *l, const char *field, uint32_t op, json_t *right)
{
	bool v6 = l->nfproto == NFPROTO_IPV6;
	uint32_t full = v6 ? 16 : 4, off, plen;
	uint8_t addr[16];

	if (!strcmp(field, "saddr"))
		off = v6 ? 8 : 12;
	else if (!strcmp(field, "daddr"))
		off = v6 ? 24 : 16;
	else
		return false;
	if (json_is_string(right) && json_string_value(right)[0] == '@') {
		nll_load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, off, full);
		return lin_lookup(l, op, right, full);
	}
	if (!nll_addr_of(right, v6, addr, &plen))
		return false;
	/* A byte-aligned prefix: a short load; any other: all of the
	 * address, masked. */
	nll_load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, off, plen % 8 == 0 ? plen / 8 : full);
	nll_cmp_addr(l, op, addr, full, plen);
	return true;
}

static bool lin_iface(struct lin *l, const char *key, uint32_t op, json_t *right)
{
	const char *name = json_string_value(right);
	char buf[IFNAMSIZ] = {0};
	size_t n;
	bool wild;

	if (!name || (n = strlen(name)) == 0 || n >= IFNAMSIZ)
		return false;
	wild = name[n - 1] == '*';
	for (size_t i = 0; i < n - (wild ? 1 : 0); i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '@'))
			return false;
	}
	if (wild && n == 1)
		return false;
	memcpy(buf, name, n - (wild ? 1 : 0));
	nll_load_meta(l, !strcmp(key, "iifname") ? NFT_META_IIFNAME : NFT_META_OIFNAME);
	nll_cmp(l, op, buf, wild ? (uint32_t)(n - 1) : IFNAMSIZ);
	return true;
}

void nll_note_l4(struct lin *l, uint32_t op, int proto)
{
	if (op == NFT_CMP_EQ)
		l->l4 = proto;
	else
		l->l4_unknown = true;
}

/* The "meta l4proto P" libnftables puts before a transport header field
 * when no protocol match came before; false when another protocol did. */
bool nll_l4_dependency(struct lin *l, int p)
{
	uint8_t dep = (uint8_t)p;

	if (l->l4_unknown || (l->l4 >= 0 && l->l4 != p))
		return false;
	if (l->l4 < 0) {
		nll_load_meta(l, NFT_META_L4PROTO);
		nll_cmp(l, NFT_CMP_EQ, &dep, 1);
		l->l4 = p;
	}
	return true;
}

/* == / != of a 16-bit value in network order: a number, a range or a set. */
static bool match_be16(struct lin *l, uint32_t op, json_t *right)
{
	json_t *r = json_object_get(right, "range");
	json_int_t a, b;
	uint16_t v, w;

	if (json_is_string(right))
		return lin_lookup(l, op, right, 2);
	if (r) {
		/* != a one-port range: what xlate writes for the second of two
		 * port tests with != (keep_port_neqs_apart, emit.c); libnftables
		 * sends it as a range expression too. */
		if (json_object_size(right) != 1 || json_array_size(r) != 2 ||
		    !nll_int_in(json_array_get(r, 0), 0, 65535, &a) ||
		    !nll_int_in(json_array_get(r, 1), op == NFT_CMP_NEQ ? a : a + 1, 65535, &b))
			return false;
		v = htons((uint16_t)a);
		w = htons((uint16_t)b);
		/* == a range: two compares; != : one range expression. */
		if (op == NFT_CMP_EQ) {
			nll_cmp(l, NFT_CMP_GTE, &v, 2);
			nll_cmp(l, NFT_CMP_LTE, &w, 2);
		} else {
			nll_range(l, NFT_RANGE_NEQ, &v, &w, 2);
		}
		return true;
	}
	if (!nll_int_in(right, 0, 65535, &a))
		return false;
	v = htons((uint16_t)a);
	nll_cmp(l, op, &v, 2);
	return true;
}

static bool lin_port(struct lin *l, const char *proto, const char *field, uint32_t op,
                     json_t *right)
{
	int p = !strcmp(proto, "tcp") ? 6 : !strcmp(proto, "udp") ? 17 : -1;

	if (p < 0 || (strcmp(field, "sport") && strcmp(field, "dport")))
		return false;
	if (json_is_object(right) && !json_object_get(right, "range"))
		return false;
	if (!nll_l4_dependency(l, p))
		return false;
	nll_load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, field[0] == 's' ? 0 : 2, 2);
	return match_be16(l, op, right);
}

/* icmp / icmpv6 type and code: one byte each. */
static bool lin_icmp(struct lin *l, const char *proto, const char *field, uint32_t op,
                     json_t *right)
{
	bool v6 = !strcmp(proto, "icmpv6");
	json_int_t v;
	uint8_t b;

	if ((v6 ? l->nfproto != NFPROTO_IPV6 : l->nfproto != NFPROTO_IPV4) ||
	    (strcmp(field, "type") && strcmp(field, "code")) || !nll_int_in(right, 0, 255, &v))
		return false;
	if (!nll_l4_dependency(l, v6 ? 58 : 1))
		return false;
	b = (uint8_t)v;
	nll_load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, field[0] == 't' ? 0 : 1, 1);
	nll_cmp(l, op, &b, 1);
	return true;
}

static bool lin_payload(struct lin *l, json_t *pl, uint32_t op, json_t *right)
{
	const char *proto = json_string_value(json_object_get(pl, "protocol"));
	const char *field = json_string_value(json_object_get(pl, "field"));

	if (!proto || !field || json_object_size(pl) != 2)
		return false;
	if (!strcmp(proto, l->nfproto == NFPROTO_IPV6 ? "ip6" : "ip")) {
		if (!strcmp(field, "protocol") && l->nfproto == NFPROTO_IPV4) {
			int p = l4_number(right);
			uint8_t b = (uint8_t)p;

			if (p < 0)
				return false;
			nll_load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, 9, 1);
			nll_cmp(l, op, &b, 1);
			nll_note_l4(l, op, p);
			return true;
		}
		return lin_addr(l, field, op, right);
	}
	if (!strcmp(proto, "icmp") || !strcmp(proto, "icmpv6"))
		return lin_icmp(l, proto, field, op, right);
	return lin_port(l, proto, field, op, right);
}

/* ct state / ct status: flag lists; "in" any of them, "!" none. */
static bool lin_ct_flags(struct lin *l, uint32_t key, const char *ops, json_t *right)
{
	static const char *const states[] = {"invalid", "established", "related",  "new",
	                                     NULL,      NULL,          "untracked"};
	static const char *const status[] = {"expected", "seen-reply", "assured", "confirmed",
	                                     "snat",     "dnat",       NULL,      NULL,
	                                     NULL,       "dying"};
	const char *const *names = key == NFT_CT_STATE ? states : status;
	size_t nnames = key == NFT_CT_STATE ? NLL_NAMES(states) : NLL_NAMES(status);
	uint32_t mask = 0, zero = 0;
	json_t *list = json_is_array(right) ? right : NULL;
	size_t i, n = list ? json_array_size(list) : 1;

	for (i = 0; i < n; i++) {
		int b = nll_name_index(json_string_value(list ? json_array_get(list, i) : right),
		                       names, nnames);

		if (b < 0)
			return false;
		mask |= 1u << b;
	}
	if (!mask)
		return false;
	nll_load_ct(l, key, -1);
	nll_bitwise(l, &mask, &zero, 4, false);
	nll_cmp(l, !strcmp(ops, "in") ? NFT_CMP_NEQ : NFT_CMP_EQ, &zero, 4);
	return true;
}

static int ct_dir(json_t *ct)
{
	const char *d = json_string_value(json_object_get(ct, "dir"));

	if (!json_object_get(ct, "dir"))
		return -1;
	return !d                       ? -2
	       : !strcmp(d, "original") ? IP_CT_DIR_ORIGINAL
	       : !strcmp(d, "reply")    ? IP_CT_DIR_REPLY
	                                : -2;
}

/* ct original/reply ip(6) saddr/daddr: the key is the family's own. */
static bool lin_ct_addr(struct lin *l, const char *key, int dir, uint32_t op, json_t *right)
{
	bool v6 = l->nfproto == NFPROTO_IPV6;
	uint32_t plen, len = v6 ? 16 : 4, k;
	uint8_t addr[16];

	if (!strcmp(key, v6 ? "ip6 saddr" : "ip saddr"))
		k = v6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP;
	else if (!strcmp(key, v6 ? "ip6 daddr" : "ip daddr"))
		k = v6 ? NFT_CT_DST_IP6 : NFT_CT_DST_IP;
	else
		return false;
	if (dir < 0 || !nll_addr_of(right, v6, addr, &plen))
		return false;
	nll_load_ct(l, k, dir);
	nll_cmp_addr(l, op, addr, len, plen);
	return true;
}

/* ct expiration (seconds; the kernel counts milliseconds in host order;
 * libnftables compares a range in network order). */
static bool lin_ct_expiration(struct lin *l, uint32_t op, json_t *right)
{
	json_t *r = json_object_get(right, "range");
	json_int_t a, b = 0;
	uint32_t lo, hi;
	struct nftnl_expr *e;

	if (r ? json_object_size(right) != 1 || json_array_size(r) != 2 ||
	            !nll_int_in(json_array_get(r, 0), 0, 4294967, &a) ||
	            !nll_int_in(json_array_get(r, 1), a + 1, 4294967, &b)
	      : !nll_int_in(right, 0, 4294967, &a))
		return false;
	nll_load_ct(l, NFT_CT_EXPIRATION, -1);
	if (!r) {
		lo = (uint32_t)a * 1000;
		nll_cmp(l, op, &lo, 4);
		return true;
	}
	/* A range compares in network order: the value is turned first. */
	if ((e = nll_expr("byteorder"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	}
	nll_add(l, e);
	lo = htonl((uint32_t)a * 1000);
	hi = htonl((uint32_t)b * 1000);
	if (op == NFT_CMP_EQ) {
		nll_cmp(l, NFT_CMP_GTE, &lo, 4);
		nll_cmp(l, NFT_CMP_LTE, &hi, 4);
	} else {
		nll_range(l, NFT_RANGE_NEQ, &lo, &hi, 4);
	}
	return true;
}

static bool lin_ct(struct lin *l, json_t *ct, const char *ops, json_t *right)
{
	const char *key = json_string_value(json_object_get(ct, "key"));
	int dir = ct_dir(ct);
	uint32_t op, v32;
	json_int_t v;
	uint8_t b;

	if (!key || dir == -2 || json_object_size(ct) != (dir >= 0 ? 2u : 1u))
		return false;
	if (!strcmp(ops, "in") || !strcmp(ops, "!")) {
		if (dir >= 0 || (strcmp(key, "state") && strcmp(key, "status")))
			return false;
		return lin_ct_flags(l, !strcmp(key, "state") ? NFT_CT_STATE : NFT_CT_STATUS, ops,
		                    right);
	}
	if (!op_cmp(ops, &op))
		return false;
	if (!strcmp(key, "direction") && dir < 0) {
		const char *d = json_string_value(right);

		if (!d || (strcmp(d, "original") && strcmp(d, "reply")))
			return false;
		b = d[0] == 'o' ? IP_CT_DIR_ORIGINAL : IP_CT_DIR_REPLY;
		nll_load_ct(l, NFT_CT_DIRECTION, -1);
		nll_cmp(l, op, &b, 1);
		return true;
	}
	if (!strcmp(key, "mark") && dir < 0 && nll_u32_of(right, &v32)) {
		nll_load_ct(l, NFT_CT_MARK, -1);
		nll_cmp(l, op, &v32, 4);
		return true;
	}
	if (!strcmp(key, "protocol") && dir >= 0 && nll_int_in(right, 0, 255, &v)) {
		b = (uint8_t)v;
		nll_load_ct(l, NFT_CT_PROTOCOL, dir);
		nll_cmp(l, op, &b, 1);
		return true;
	}
	if (!strcmp(key, "expiration") && dir < 0)
		return lin_ct_expiration(l, op, right);
	if ((!strcmp(key, "proto-src") || !strcmp(key, "proto-dst")) && dir >= 0 &&
	    !json_is_string(right)) {
		nll_load_ct(l, key[6] == 's' ? NFT_CT_PROTO_SRC : NFT_CT_PROTO_DST, dir);
		return match_be16(l, op, right);
	}
	return lin_ct_addr(l, key, dir, op, right);
}

/* fib daddr type local (and the other address types nfsh writes). */
static bool lin_fib(struct lin *l, json_t *fib, uint32_t op, json_t *right)
{
	static const char *const types[] = {"unspec",    "unicast",     "local",
	                                    "broadcast", "anycast",     "multicast",
	                                    "blackhole", "unreachable", "prohibit"};
	json_t *flags = json_object_get(fib, "flags");
	const char *result = json_string_value(json_object_get(fib, "result"));
	const char *f = json_string_value(json_array_get(flags, 0));
	int t = nll_name_index(json_string_value(right), types, NLL_NAMES(types));
	uint32_t v;
	struct nftnl_expr *e;

	if (!result || strcmp(result, "type") || json_object_size(fib) != 2 ||
	    json_array_size(flags) != 1 || !f || (strcmp(f, "daddr") && strcmp(f, "saddr")) ||
	    t < 0)
		return false;
	if ((e = nll_expr("fib"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS,
		                   f[0] == 'd' ? NFTA_FIB_F_DADDR : NFTA_FIB_F_SADDR);
	}
	nll_add(l, e);
	v = (uint32_t)t;
	nll_cmp(l, op, &v, 4);
	return true;
}

/* meta mark / ct mark: reg 1 gets the key. */
bool nll_load_mark(struct lin *l, json_t *key)
{
	const char *m = nll_key_of(key, "meta"), *c = nll_key_of(key, "ct");

	if (m && !strcmp(m, "mark") && json_object_size(json_object_get(key, "meta")) == 1)
		nll_load_meta(l, NFT_META_MARK);
	else if (c && !strcmp(c, "mark") && json_object_size(json_object_get(key, "ct")) == 1)
		nll_load_ct(l, NFT_CT_MARK, -1);
	else
		return false;
	return true;
}

/* (mark & MASK) == / != VALUE */
static bool lin_masked_mark(struct lin *l, json_t *and, uint32_t op, json_t *right)
{
	uint32_t mask, v, zero = 0;

	if (json_array_size(and) != 2 || !nll_u32_of(json_array_get(and, 1), &mask) ||
	    !nll_u32_of(right, &v) || mask == 0 || mask == 0xffffffffu || (v & ~mask))
		return false;
	if (!nll_load_mark(l, json_array_get(and, 0)))
		return false;
	nll_bitwise(l, &mask, &zero, 4, true);
	nll_cmp(l, op, &v, 4);
	return true;
}

bool nll_match(struct lin *l, json_t *m)
{
	const char *ops = json_string_value(json_object_get(m, "op"));
	json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right");
	json_t *meta = json_object_get(left, "meta"), *ct = json_object_get(left, "ct");
	uint32_t op;
	uint32_t v;

	if (!ops || !right || json_object_size(m) != 3 || json_object_size(left) != 1)
		return false;
	if (ct)
		return lin_ct(l, ct, ops, right);
	if (!op_cmp(ops, &op))
		return false;
	if (json_object_get(left, "payload"))
		return lin_payload(l, json_object_get(left, "payload"), op, right);
	if (json_object_get(left, "fib"))
		return lin_fib(l, json_object_get(left, "fib"), op, right);
	if (json_object_get(left, "&"))
		return lin_masked_mark(l, json_object_get(left, "&"), op, right);
	if (meta) {
		const char *key = json_string_value(json_object_get(meta, "key"));

		if (!key || json_object_size(meta) != 1)
			return false;
		if (!strcmp(key, "iifname") || !strcmp(key, "oifname"))
			return lin_iface(l, key, op, right);
		if (!strcmp(key, "mark") && nll_u32_of(right, &v)) {
			nll_load_meta(l, NFT_META_MARK);
			nll_cmp(l, op, &v, 4);
			return true;
		}
		if (!strcmp(key, "l4proto")) {
			int p = l4_number(right);
			uint8_t b = (uint8_t)p;

			if (p < 0)
				return false;
			nll_load_meta(l, NFT_META_L4PROTO);
			nll_cmp(l, op, &b, 1);
			nll_note_l4(l, op, p);
			return true;
		}
	}
	return false;
}

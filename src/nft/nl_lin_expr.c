/* A rule's expressions as libnftables 1.0.6 linearises them (see nl_lin.h).
 *
 * Each function here was checked against the bytes libnftables sends for
 * the JSON nfsh emits (tests/integration/io_nl_bytes.sh captures them);
 * a shape not handled exactly so returns false and the batch goes through
 * libnftables. Values in registers: payload data in network order, meta
 * and ct keys in host order (as the kernel stores them). */
#include "nft/nl_lin_int.h"

#include <arpa/inet.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <string.h>

#define NAMES(a) (sizeof(a) / sizeof((a)[0]))

static void add(struct lin *l, struct nftnl_expr *e)
{
	if (!e || ++l->nexprs > NLL_EXPRS_MAX) {
		nftnl_expr_free(e);
		l->bad = true;
	} else {
		nftnl_rule_add_expr(l->r, e);
	}
}

static struct nftnl_expr *expr(const char *name)
{
	return nftnl_expr_alloc(name);
}

static void load_payload(struct lin *l, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = expr("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	add(l, e);
}

static void load_meta(struct lin *l, uint32_t key)
{
	struct nftnl_expr *e = expr("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	add(l, e);
}

/* dir < 0: no direction attribute. */
static void load_ct(struct lin *l, uint32_t key, int dir)
{
	struct nftnl_expr *e = expr("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		if (dir >= 0)
			nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	add(l, e);
}

static void cmp(struct lin *l, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	add(l, e);
}

static void range(struct lin *l, uint32_t op, const void *lo, const void *hi, uint32_t len)
{
	struct nftnl_expr *e = expr("range");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, len);
		nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, len);
	}
	add(l, e);
}

/* reg 1 = (reg 1 & mask) ^ xor. libnftables names the operation for a
 * binary operator of the rule (mark & MASK) but not for the masks it makes
 * itself (flag tests, prefixes): op false. */
static void bitwise_op(struct lin *l, const void *mask, const void * xor, uint32_t len, bool op)
{
	struct nftnl_expr *e = expr("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		if (op)
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
	}
	add(l, e);
}

static void bitwise(struct lin *l, const void *mask, const void * xor, uint32_t len)
{
	bitwise_op(l, mask, xor, len, false);
}

static void imm_data(struct lin *l, uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	}
	add(l, e);
}

/* ---- values ---- */

static bool int_in(json_t *v, json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool u32_of(json_t *v, uint32_t *out)
{
	json_int_t x;

	if (!int_in(v, 0, 0xffffffffll, &x))
		return false;
	*out = (uint32_t)x;
	return true;
}

static int name_index(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

static const char *key_of(json_t *o, const char *kind)
{
	json_t *b = json_object_get(o, kind);

	return json_object_size(o) == 1 ? json_string_value(json_object_get(b, "key")) : NULL;
}

static int l4_number(json_t *v)
{
	static const char *const names[] = {
	    [1] = "icmp", [6] = "tcp", [17] = "udp", [58] = "ipv6-icmp"};
	json_int_t x;

	if (int_in(v, 0, 255, &x))
		return (int)x;
	return name_index(json_string_value(v), names, NAMES(names));
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

/* ---- matches ---- */

/* An address or a prefix, in network order; *plen its prefix length. */
static bool addr_of(json_t *right, bool v6, uint8_t *addr, uint32_t *plen)
{
	uint32_t full = v6 ? 128 : 32;
	const char *text = json_string_value(right);
	json_t *pfx = json_object_get(right, "prefix");

	*plen = full;
	if (pfx) {
		json_int_t n;

		text = json_string_value(json_object_get(pfx, "addr"));
		if (json_object_size(pfx) != 2 || json_object_size(right) != 1 ||
		    !int_in(json_object_get(pfx, "len"), 1, (json_int_t)full - 1, &n))
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
static void cmp_addr(struct lin *l, uint32_t op, const uint8_t *addr, uint32_t len, uint32_t plen)
{
	uint8_t mask[16], zero[16] = {0};

	if (plen % 8 == 0) {
		cmp(l, op, addr, plen / 8);
		return;
	}
	prefix_mask(mask, len, plen);
	bitwise(l, mask, zero, len);
	cmp(l, op, addr, len);
}

static void lookup(struct lin *l, const char *set, uint32_t id, bool inv)
{
	struct nftnl_expr *e = expr("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
		if (inv)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	}
	add(l, e);
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
		load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, off, full);
		return lin_lookup(l, op, right, full);
	}
	if (!addr_of(right, v6, addr, &plen))
		return false;
	/* A byte-aligned prefix: a short load; any other: all of the
	 * address, masked. */
	load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, off, plen % 8 == 0 ? plen / 8 : full);
	cmp_addr(l, op, addr, full, plen);
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
	load_meta(l, !strcmp(key, "iifname") ? NFT_META_IIFNAME : NFT_META_OIFNAME);
	cmp(l, op, buf, wild ? (uint32_t)(n - 1) : IFNAMSIZ);
	return true;
}

static void note_l4(struct lin *l, uint32_t op, int proto)
{
	if (op == NFT_CMP_EQ)
		l->l4 = proto;
	else
		l->l4_unknown = true;
}

/* The "meta l4proto P" libnftables puts before a transport header field
 * when no protocol match came before; false when another protocol did. */
static bool l4_dependency(struct lin *l, int p)
{
	uint8_t dep = (uint8_t)p;

	if (l->l4_unknown || (l->l4 >= 0 && l->l4 != p))
		return false;
	if (l->l4 < 0) {
		load_meta(l, NFT_META_L4PROTO);
		cmp(l, NFT_CMP_EQ, &dep, 1);
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
		    !int_in(json_array_get(r, 0), 0, 65535, &a) ||
		    !int_in(json_array_get(r, 1), op == NFT_CMP_NEQ ? a : a + 1, 65535, &b))
			return false;
		v = htons((uint16_t)a);
		w = htons((uint16_t)b);
		/* == a range: two compares; != : one range expression. */
		if (op == NFT_CMP_EQ) {
			cmp(l, NFT_CMP_GTE, &v, 2);
			cmp(l, NFT_CMP_LTE, &w, 2);
		} else {
			range(l, NFT_RANGE_NEQ, &v, &w, 2);
		}
		return true;
	}
	if (!int_in(right, 0, 65535, &a))
		return false;
	v = htons((uint16_t)a);
	cmp(l, op, &v, 2);
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
	if (!l4_dependency(l, p))
		return false;
	load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, field[0] == 's' ? 0 : 2, 2);
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
	    (strcmp(field, "type") && strcmp(field, "code")) || !int_in(right, 0, 255, &v))
		return false;
	if (!l4_dependency(l, v6 ? 58 : 1))
		return false;
	b = (uint8_t)v;
	load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, field[0] == 't' ? 0 : 1, 1);
	cmp(l, op, &b, 1);
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
			load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, 9, 1);
			cmp(l, op, &b, 1);
			note_l4(l, op, p);
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
	size_t nnames = key == NFT_CT_STATE ? NAMES(states) : NAMES(status);
	uint32_t mask = 0, zero = 0;
	json_t *list = json_is_array(right) ? right : NULL;
	size_t i, n = list ? json_array_size(list) : 1;

	for (i = 0; i < n; i++) {
		int b = name_index(json_string_value(list ? json_array_get(list, i) : right), names,
		                   nnames);

		if (b < 0)
			return false;
		mask |= 1u << b;
	}
	if (!mask)
		return false;
	load_ct(l, key, -1);
	bitwise(l, &mask, &zero, 4);
	cmp(l, !strcmp(ops, "in") ? NFT_CMP_NEQ : NFT_CMP_EQ, &zero, 4);
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
	if (dir < 0 || !addr_of(right, v6, addr, &plen))
		return false;
	load_ct(l, k, dir);
	cmp_addr(l, op, addr, len, plen);
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
	            !int_in(json_array_get(r, 0), 0, 4294967, &a) ||
	            !int_in(json_array_get(r, 1), a + 1, 4294967, &b)
	      : !int_in(right, 0, 4294967, &a))
		return false;
	load_ct(l, NFT_CT_EXPIRATION, -1);
	if (!r) {
		lo = (uint32_t)a * 1000;
		cmp(l, op, &lo, 4);
		return true;
	}
	/* A range compares in network order: the value is turned first. */
	if ((e = expr("byteorder"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	}
	add(l, e);
	lo = htonl((uint32_t)a * 1000);
	hi = htonl((uint32_t)b * 1000);
	if (op == NFT_CMP_EQ) {
		cmp(l, NFT_CMP_GTE, &lo, 4);
		cmp(l, NFT_CMP_LTE, &hi, 4);
	} else {
		range(l, NFT_RANGE_NEQ, &lo, &hi, 4);
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
		load_ct(l, NFT_CT_DIRECTION, -1);
		cmp(l, op, &b, 1);
		return true;
	}
	if (!strcmp(key, "mark") && dir < 0 && u32_of(right, &v32)) {
		load_ct(l, NFT_CT_MARK, -1);
		cmp(l, op, &v32, 4);
		return true;
	}
	if (!strcmp(key, "protocol") && dir >= 0 && int_in(right, 0, 255, &v)) {
		b = (uint8_t)v;
		load_ct(l, NFT_CT_PROTOCOL, dir);
		cmp(l, op, &b, 1);
		return true;
	}
	if (!strcmp(key, "expiration") && dir < 0)
		return lin_ct_expiration(l, op, right);
	if ((!strcmp(key, "proto-src") || !strcmp(key, "proto-dst")) && dir >= 0 &&
	    !json_is_string(right)) {
		load_ct(l, key[6] == 's' ? NFT_CT_PROTO_SRC : NFT_CT_PROTO_DST, dir);
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
	int t = name_index(json_string_value(right), types, NAMES(types));
	uint32_t v;
	struct nftnl_expr *e;

	if (!result || strcmp(result, "type") || json_object_size(fib) != 2 ||
	    json_array_size(flags) != 1 || !f || (strcmp(f, "daddr") && strcmp(f, "saddr")) ||
	    t < 0)
		return false;
	if ((e = expr("fib"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS,
		                   f[0] == 'd' ? NFTA_FIB_F_DADDR : NFTA_FIB_F_SADDR);
	}
	add(l, e);
	v = (uint32_t)t;
	cmp(l, op, &v, 4);
	return true;
}

/* meta mark / ct mark: reg 1 gets the key. */
static bool load_mark(struct lin *l, json_t *key)
{
	const char *m = key_of(key, "meta"), *c = key_of(key, "ct");

	if (m && !strcmp(m, "mark") && json_object_size(json_object_get(key, "meta")) == 1)
		load_meta(l, NFT_META_MARK);
	else if (c && !strcmp(c, "mark") && json_object_size(json_object_get(key, "ct")) == 1)
		load_ct(l, NFT_CT_MARK, -1);
	else
		return false;
	return true;
}

/* (mark & MASK) == / != VALUE */
static bool lin_masked_mark(struct lin *l, json_t *and, uint32_t op, json_t *right)
{
	uint32_t mask, v, zero = 0;

	if (json_array_size(and) != 2 || !u32_of(json_array_get(and, 1), &mask) ||
	    !u32_of(right, &v) || mask == 0 || mask == 0xffffffffu || (v & ~mask))
		return false;
	if (!load_mark(l, json_array_get(and, 0)))
		return false;
	bitwise_op(l, &mask, &zero, 4, true);
	cmp(l, op, &v, 4);
	return true;
}

static bool lin_match(struct lin *l, json_t *m)
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
		if (!strcmp(key, "mark") && u32_of(right, &v)) {
			load_meta(l, NFT_META_MARK);
			cmp(l, op, &v, 4);
			return true;
		}
		if (!strcmp(key, "l4proto")) {
			int p = l4_number(right);
			uint8_t b = (uint8_t)p;

			if (p < 0)
				return false;
			load_meta(l, NFT_META_L4PROTO);
			cmp(l, op, &b, 1);
			note_l4(l, op, p);
			return true;
		}
	}
	return false;
}

/* ---- statements ---- */

static bool lin_verdict(struct lin *l, const char *name, json_t *body)
{
	struct nftnl_expr *e;
	int v;
	const char *target = NULL;

	if (!strcmp(name, "accept"))
		v = NF_ACCEPT;
	else if (!strcmp(name, "drop"))
		v = NF_DROP;
	else if (!strcmp(name, "return"))
		v = NFT_RETURN;
	else if (!strcmp(name, "jump") || !strcmp(name, "goto")) {
		v = name[0] == 'j' ? NFT_JUMP : NFT_GOTO;
		target = json_string_value(json_object_get(body, "target"));
		if (!target || json_object_size(body) != 1 ||
		    strlen(target) >= NFT_CHAIN_MAXNAMELEN)
			return false;
	} else
		return false;
	if (!target && !json_is_null(body))
		return false;
	if ((e = expr("immediate"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
		if (target)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, target);
	}
	add(l, e);
	return true;
}

/* The mark value forms nfsh writes (src/ext/markops.c): N; KEY; KEY & M;
 * KEY | V; KEY ^ V; (KEY & M) ^ V, KEY one of meta mark, ct mark. */
static bool mark_value(struct lin *l, json_t *v)
{
	json_t *a = json_object_get(v, "&"), *o = json_object_get(v, "|");
	json_t *x = json_object_get(v, "^"), *ops = a ? a : o ? o : x;
	uint32_t n, mask, xor = 0;

	if (u32_of(v, &n)) {
		imm_data(l, NFT_REG_1, &n, 4);
		return true;
	}
	if (!ops)
		return load_mark(l, v);
	if (json_object_size(v) != 1 || json_array_size(ops) != 2 ||
	    !u32_of(json_array_get(ops, 1), &n))
		return false;
	if (x && json_object_get(json_array_get(ops, 0), "&")) {
		json_t *in = json_object_get(json_array_get(ops, 0), "&");

		if (json_object_size(json_array_get(ops, 0)) != 1 || json_array_size(in) != 2 ||
		    !u32_of(json_array_get(in, 1), &mask) || mask == 0xffffffffu || n == 0 ||
		    !load_mark(l, json_array_get(in, 0)))
			return false;
		xor = n;
	} else {
		if (n == 0 || n == 0xffffffffu || !load_mark(l, json_array_get(ops, 0)))
			return false;
		mask = a ? n : o ? ~n : 0xffffffffu;
		xor = a ? 0 : n;
	}
	bitwise_op(l, &mask, &xor, 4, true);
	return true;
}

static bool lin_mangle(struct lin *l, json_t *body)
{
	json_t *key = json_object_get(body, "key");
	const char *m = key_of(key, "meta"), *c = key_of(key, "ct");
	struct nftnl_expr *e;

	if (json_object_size(body) != 2 ||
	    !(m ? !strcmp(m, "mark") && json_object_size(json_object_get(key, "meta")) == 1
	        : c && !strcmp(c, "mark") && json_object_size(json_object_get(key, "ct")) == 1) ||
	    !mark_value(l, json_object_get(body, "value")))
		return false;
	if (m && (e = expr("meta"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	} else if (!m && (e = expr("ct"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	}
	add(l, e);
	return true;
}

static bool lin_limit(struct lin *l, json_t *body)
{
	static const char *const keys[] = {"rate",      "burst",      "per",
	                                   "rate_unit", "burst_unit", "inv"};
	static const char *const units[] = {"bytes", "kbytes", "mbytes"};
	static const char *const pers[] = {"second", "minute", "hour", "day", "week"};
	static const uint64_t secs[] = {1, 60, 3600, 86400, 604800};
	const char *ru = json_string_value(json_object_get(body, "rate_unit"));
	const char *bu = json_string_value(json_object_get(body, "burst_unit"));
	int per = name_index(json_string_value(json_object_get(body, "per")), pers, NAMES(pers));
	int rs = ru ? name_index(ru, units, NAMES(units)) : -1;
	int bs = bu ? name_index(bu, units, NAMES(units)) : rs >= 0 ? 0 : -1;
	json_t *inv = json_object_get(body, "inv");
	json_int_t rate, burst = -1;
	const char *k;
	json_t *v;
	struct nftnl_expr *e;
	bool bytes = ru != NULL;

	json_object_foreach(body, k, v) if (name_index(k, keys, NAMES(keys)) < 0) return false;
	if (per < 0 || !int_in(json_object_get(body, "rate"), 1, 0xffffffffll, &rate) ||
	    (json_object_get(body, "burst") &&
	     !int_in(json_object_get(body, "burst"), 0, 0xffffffffll, &burst)) ||
	    (inv && !json_is_boolean(inv)) || (ru && rs < 0) || (bu && (bs < 0 || !bytes)) ||
	    (bytes && burst < 0))
		return false;
	/* Packets: burst 5 when none is given; bytes: refused without one. */
	if (!bytes && burst < 0)
		burst = 5;
	if ((e = expr("limit"))) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE,
		                   (uint64_t)rate << (bytes ? 10 * rs : 0));
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, secs[per]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST,
		                   (uint32_t)((uint64_t)burst << (bytes ? 10 * bs : 0)));
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE,
		                   bytes ? NFT_LIMIT_PKT_BYTES : NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS,
		                   json_is_true(inv) ? NFT_LIMIT_F_INV : 0);
	}
	add(l, e);
	return true;
}

static bool log_flags(json_t *f, uint32_t *out)
{
	static const char *const names[] = {"tcp sequence", "tcp options", "ip options",
	                                    "skuid",        NULL,          "ether"};
	json_t *list = json_is_array(f) ? f : NULL;
	size_t i, n = list ? json_array_size(list) : 1;

	*out = 0;
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(list ? json_array_get(list, i) : f);
		int b = name_index(s, names, NAMES(names));

		if (s && !strcmp(s, "all"))
			*out |= NF_LOG_MASK;
		else if (b < 0)
			return false;
		else
			*out |= 1u << b;
	}
	return n > 0;
}

static bool lin_log(struct lin *l, json_t *body)
{
	static const char *const keys[] = {"prefix", "level",   "flags",
	                                   "group",  "snaplen", "queue-threshold"};
	static const char *const levels[] = {"emerg",  "alert", "crit",  "err",  "warn",
	                                     "notice", "info",  "debug", "audit"};
	const char *prefix = json_string_value(json_object_get(body, "prefix"));
	json_t *lv = json_object_get(body, "level"), *fl = json_object_get(body, "flags");
	json_t *gr = json_object_get(body, "group"), *v;
	json_t *sl = json_object_get(body, "snaplen"),
	       *qt = json_object_get(body, "queue-threshold");
	json_int_t snaplen = 0, qthreshold = 0;
	int level = lv ? name_index(json_string_value(lv), levels, NAMES(levels)) : -1;
	uint32_t flags = 0;
	json_int_t group = 0;
	const char *k;
	struct nftnl_expr *e;

	if (!json_is_null(body)) {
		json_object_foreach(body, k,
		                    v) if (name_index(k, keys, NAMES(keys)) < 0) return false;
		if ((json_object_get(body, "prefix") &&
		     (!prefix || !*prefix || strlen(prefix) > 127)) ||
		    (lv && level < 0) || (fl && !log_flags(fl, &flags)) ||
		    (gr && (!int_in(gr, 0, 65535, &group) || lv || fl)) ||
		    (sl && (!gr || !int_in(sl, 0, 0xffffffffll, &snaplen))) ||
		    (qt && (!gr || !int_in(qt, 0, 65535, &qthreshold))))
			return false;
	}
	/* The prefix is written as is: no variables in it. */
	if (prefix && strchr(prefix, '$'))
		return false;
	if ((e = expr("log"))) {
		if (prefix)
			nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
		if (gr) {
			nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, (uint16_t)group);
			if (sl)
				nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, (uint32_t)snaplen);
			if (qt)
				nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD,
				                   (uint16_t)qthreshold);
		} else {
			if (lv)
				nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, (uint32_t)level);
			if (flags)
				nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_FLAGS, flags);
		}
	}
	add(l, e);
	return true;
}

/* The ICMP and ICMPv6 codes of reject checked here, by their names. */
static const char *const reject_icmp[] = {
    "net-unreachable",      "host-unreachable", "prot-unreachable",       "port-unreachable",
    [9] = "net-prohibited", "host-prohibited",  [13] = "admin-prohibited"};
static const char *const reject_icmp6[] = {"no-route", "admin-prohibited", NULL, "addr-unreachable",
                                           "port-unreachable"};

bool nll_reject_code(int nfproto, int code)
{
	bool v6 = nfproto == NFPROTO_IPV6;

	return code >= 0 && (size_t)code < (v6 ? NAMES(reject_icmp6) : NAMES(reject_icmp)) &&
	       (v6 ? reject_icmp6 : reject_icmp)[code];
}

static bool lin_reject(struct lin *l, json_t *body)
{
	bool v6 = l->nfproto == NFPROTO_IPV6;
	const char *type = json_string_value(json_object_get(body, "type"));
	const char *code = json_string_value(json_object_get(body, "expr"));
	uint32_t t = NFT_REJECT_ICMP_UNREACH;
	int c = v6 ? 4 : 3; /* port-unreachable */
	struct nftnl_expr *e;

	if (!json_is_null(body)) {
		if (!type || json_object_size(body) != (code ? 2u : 1u))
			return false;
		if (!strcmp(type, "tcp reset") && !code) {
			/* libnftables adds a dependency when no tcp match came. */
			if (l->l4 != 6 || l->l4_unknown)
				return false;
			t = NFT_REJECT_TCP_RST;
			c = 0;
		} else if (!strcmp(type, v6 ? "icmpv6" : "icmp") && code) {
			c = v6 ? name_index(code, reject_icmp6, NAMES(reject_icmp6))
			       : name_index(code, reject_icmp, NAMES(reject_icmp));
			if (c < 0)
				return false;
		} else {
			return false;
		}
	}
	if ((e = expr("reject"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, t);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, (uint8_t)c);
	}
	add(l, e);
	return true;
}

static bool nat_flags(json_t *f, uint32_t *out)
{
	static const char *const names[] = {"random", "persistent", "fully-random"};
	static const uint32_t bits[] = {NF_NAT_RANGE_PROTO_RANDOM, NF_NAT_RANGE_PERSISTENT,
	                                NF_NAT_RANGE_PROTO_RANDOM_FULLY};
	json_t *list = json_is_array(f) ? f : NULL;
	size_t i, n = list ? json_array_size(list) : 1;

	for (i = 0; i < n; i++) {
		int b = name_index(json_string_value(list ? json_array_get(list, i) : f), names,
		                   NAMES(names));

		if (b < 0)
			return false;
		*out |= bits[b];
	}
	return n > 0;
}

/* A nat address or port: one value or a range; registers from reg. */
static bool nat_value(struct lin *l, json_t *v, bool port, uint32_t reg, bool *is_range)
{
	json_t *r = json_object_get(v, "range");
	uint8_t a[2][16];
	bool v6 = l->nfproto == NFPROTO_IPV6;
	uint32_t len = port ? 2 : v6 ? 16 : 4, plen;

	*is_range = r != NULL;
	for (size_t i = 0; i < (r ? 2u : 1u); i++) {
		json_t *x = r ? json_array_get(r, i) : v;
		json_int_t p;

		if (port) {
			uint16_t be;

			if (!int_in(x, 0, 65535, &p))
				return false;
			be = htons((uint16_t)p);
			memcpy(a[i], &be, 2);
		} else if (!json_is_string(x) || !addr_of(x, v6, a[i], &plen)) {
			return false;
		}
	}
	if (r && (json_object_size(v) != 1 || json_array_size(r) != 2 || !memcmp(a[0], a[1], len)))
		return false;
	imm_data(l, reg, a[0], len);
	if (r)
		imm_data(l, reg + 1, a[1], len);
	return true;
}

/* snat / dnat / masquerade / redirect. */
static bool lin_nat(struct lin *l, const char *name, json_t *body)
{
	static const char *const keys[] = {"addr", "port", "flags"};
	bool masq = !strcmp(name, "masquerade"), redir = !strcmp(name, "redirect");
	json_t *addr = json_object_get(body, "addr"), *port = json_object_get(body, "port");
	json_t *fl = json_object_get(body, "flags"), *v;
	uint32_t flags = 0, reg = NFT_REG_1, areg = 0, preg = 0;
	bool arange = false, prange = false;
	const char *k;

	if (!json_is_null(body)) {
		json_object_foreach(body, k,
		                    v) if (name_index(k, keys, NAMES(keys)) < 0) return false;
		if ((fl && !nat_flags(fl, &flags)) || ((masq || redir) && addr) ||
		    (!masq && !redir && !addr && !port))
			return false;
	} else if (!masq && !redir) {
		return false;
	}
	/* A port needs the transport protocol known, as libnftables checks. */
	if (port && (l->l4 != 6 && l->l4 != 17))
		return false;
	if (addr) {
		if (!nat_value(l, addr, false, reg, &arange))
			return false;
		areg = reg;
		reg += arange ? 2 : 1;
	}
	if (port) {
		if (!nat_value(l, port, true, reg, &prange))
			return false;
		preg = reg;
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	}
	nll_nat_stmt(l,
	             masq             ? "masq"
	             : redir          ? "redir"
	             : name[0] == 's' ? "snat"
	                              : "dnat",
	             areg, arange, preg, prange, flags);
	return true;
}

void nll_nat_stmt(struct lin *l, const char *kind, uint32_t areg, bool arange, uint32_t preg,
                  bool prange, uint32_t flags)
{
	bool masq = !strcmp(kind, "masq"), redir = !strcmp(kind, "redir");
	struct nftnl_expr *e;

	/* No NF_NAT_RANGE_MAP_IPS: libnftables leaves it to the kernel. */
	if (masq || redir) {
		if ((e = expr(kind))) {
			if (preg) {
				nftnl_expr_set_u32(e,
				                   masq ? NFTNL_EXPR_MASQ_REG_PROTO_MIN
				                        : NFTNL_EXPR_REDIR_REG_PROTO_MIN,
				                   preg);
				if (prange)
					nftnl_expr_set_u32(e,
					                   masq ? NFTNL_EXPR_MASQ_REG_PROTO_MAX
					                        : NFTNL_EXPR_REDIR_REG_PROTO_MAX,
					                   preg + 1);
			}
			if (flags)
				nftnl_expr_set_u32(
				    e, masq ? NFTNL_EXPR_MASQ_FLAGS : NFTNL_EXPR_REDIR_FLAGS,
				    flags);
		}
		add(l, e);
		return;
	}
	if ((e = expr("nat"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE,
		                   kind[0] == 's' ? NFT_NAT_SNAT : NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, (uint32_t)l->nfproto);
		if (areg) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, areg);
			if (arange)
				nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, areg + 1);
		}
		if (preg) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, preg);
			if (prange)
				nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, preg + 1);
		}
		if (flags)
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
	}
	add(l, e);
}

void nll_counter(struct lin *l, uint64_t packets, uint64_t bytes)
{
	struct nftnl_expr *e = expr("counter");

	/* libnftables sets a value only when it is not 0 (the kernel starts
	 * from 0 without it); libnftnl sends bytes, then packets. */
	if (e && packets)
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, packets);
	if (e && bytes)
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, bytes);
	add(l, e);
}

/* null: a new counter; {"packets": P, "bytes": B}: one starting from those
 * (iptables-restore -c). libnftables reads both with json_unpack's "I"
 * into uint64_t, so a negative number is its 64-bit pattern (nftj_counter
 * writes counts past INT64_MAX so). Anything else in the object would be a
 * named counter's reference or a key libnftables ignores: refused. */
static bool lin_counter(struct lin *l, json_t *body)
{
	json_t *p = json_object_get(body, "packets"), *b = json_object_get(body, "bytes");

	if (json_is_null(body)) {
		add(l, expr("counter"));
		return true;
	}
	if (json_object_size(body) != 2 || !json_is_integer(p) || !json_is_integer(b))
		return false;
	nll_counter(l, (uint64_t)json_integer_value(p), (uint64_t)json_integer_value(b));
	return true;
}

static bool lin_stmt(struct lin *l, json_t *st)
{
	const char *name;
	json_t *body;
	void *it = json_object_iter(st);

	if (!it || json_object_size(st) != 1)
		return false;
	name = json_object_iter_key(it);
	body = json_object_iter_value(it);
	if (!strcmp(name, "match"))
		return lin_match(l, body);
	if (!strcmp(name, "counter"))
		return lin_counter(l, body);
	if (!strcmp(name, "notrack")) {
		if (!json_is_null(body))
			return false;
		add(l, expr(name));
		return true;
	}
	if (!strcmp(name, "mangle"))
		return lin_mangle(l, body);
	if (!strcmp(name, "limit"))
		return lin_limit(l, body);
	if (!strcmp(name, "log"))
		return lin_log(l, body);
	if (!strcmp(name, "reject"))
		return lin_reject(l, body);
	if (!strcmp(name, "snat") || !strcmp(name, "dnat") || !strcmp(name, "masquerade") ||
	    !strcmp(name, "redirect"))
		return lin_nat(l, name, body);
	return lin_verdict(l, name, body);
}

/* A transport header field a match of st tests, as libnftables' payload
 * merge sees it: *proto, *first (the field at offset 0: sport, type), *eq
 * (op "==", else "!="), *value (the right side a plain number: only those
 * are merged), *range (a {"range": ...}). false: not such a match, or an
 * op other than == and !=. */
static bool th_field(json_t *st, const char **proto, bool *first, bool *eq, bool *value,
                     bool *range)
{
	json_t *m = json_object_get(st, "match");
	json_t *pl = json_object_get(json_object_get(m, "left"), "payload");
	const char *op = json_string_value(json_object_get(m, "op"));
	const char *f = json_string_value(json_object_get(pl, "field"));
	json_t *right = json_object_get(m, "right");

	*proto = json_string_value(json_object_get(pl, "protocol"));
	if (!pl || !*proto || !f || !op || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	if (!strcmp(*proto, "tcp") || !strcmp(*proto, "udp"))
		*first = !strcmp(f, "sport");
	else if (!strcmp(*proto, "icmp") || !strcmp(*proto, "icmpv6"))
		*first = !strcmp(f, "type");
	else
		return false;
	*eq = op[0] == '=';
	*value = json_is_integer(right);
	*range = json_object_size(right) == 1 && json_object_get(right, "range");
	return true;
}

/* A sport match followed by a dport one (icmp type and code), as
 * libnftables 1.0.6 linearises the pair (measured, io_nl_bytes.sh):
 *  - two == of plain numbers: one load of both fields, one compare;
 *  - ports, where either side is a range or the ops differ: each match
 *    alone, as without the other (return 0);
 *  - ports, two != of plain numbers: libnftables merges them too, into one
 *    != of both fields, which is true when EITHER differs: not iptables'
 *    "! --sport A ! --dport B" (both differ). A packet from port A to
 *    another port than B matches it (measured: iptables-legacy's rule
 *    counted 1 of a SYN and its RST, libnftables' and iptables-nft 1.8.9's
 *    2). Refused, so nothing here sends it; xlate writes the second as a
 *    one-port range instead (keep_port_neqs_apart, emit.c).
 * Any other pair of those two fields in a row is refused. Returns 1 when
 * both were linearised, 0 when they are not such a pair (or each goes
 * alone), -1 when refused. */
static int merge_pair(struct lin *l, json_t *a, json_t *b)
{
	const char *pa, *pb;
	bool fa, fb, ea, eb, va, vb, ra, rb;
	json_int_t x, y;
	uint8_t data[4];
	bool ports;

	if (!th_field(a, &pa, &fa, &ea, &va, &ra) || !th_field(b, &pb, &fb, &eb, &vb, &rb) ||
	    strcmp(pa, pb) || !fa || fb)
		return 0;
	ports = pa[0] != 'i';
	if (ports && (va || ra) && (vb || rb) && (ra || rb || ea != eb))
		return 0;
	if (!ea || !eb || !va || !vb)
		return -1;
	x = json_integer_value(json_object_get(json_object_get(a, "match"), "right"));
	y = json_integer_value(json_object_get(json_object_get(b, "match"), "right"));
	if (x < 0 || y < 0 || x > (ports ? 65535 : 255) || y > (ports ? 65535 : 255))
		return -1;
	if (ports ? !l4_dependency(l, !strcmp(pa, "tcp") ? 6 : 17)
	          : (!strcmp(pa, "icmpv6") ? l->nfproto != NFPROTO_IPV6
	                                   : l->nfproto != NFPROTO_IPV4) ||
	                !l4_dependency(l, pa[4] ? 58 : 1))
		return -1;
	if (ports) {
		uint16_t v[2] = {htons((uint16_t)x), htons((uint16_t)y)};

		memcpy(data, v, 4);
	} else {
		data[0] = (uint8_t)x;
		data[1] = (uint8_t)y;
	}
	load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, 0, ports ? 4 : 2);
	cmp(l, NFT_CMP_EQ, data, ports ? 4 : 2);
	return 1;
}

bool nll_exprs(struct lin *l, json_t *exprs)
{
	size_t i, n = json_array_size(exprs);

	if (!json_is_array(exprs) || n == 0 || n > NLL_EXPRS_MAX)
		return false;
	for (i = 0; i < n; i++) {
		json_t *st = json_array_get(exprs, i);
		int m = i + 1 < n ? merge_pair(l, st, json_array_get(exprs, i + 1)) : 0;

		if (m < 0 || (m == 0 && !lin_stmt(l, st)) || l->bad)
			return false;
		i += m == 1;
	}
	return true;
}

/* ---- for nl_lin_rule.c (nl_lin_int.h) ---- */

void nll_add(struct lin *l, struct nftnl_expr *e)
{
	add(l, e);
}

void nll_load_payload(struct lin *l, uint32_t base, uint32_t off, uint32_t len)
{
	load_payload(l, base, off, len);
}

void nll_load_meta(struct lin *l, uint32_t key)
{
	load_meta(l, key);
}

void nll_load_ct(struct lin *l, uint32_t key, int dir)
{
	load_ct(l, key, dir);
}

void nll_cmp(struct lin *l, uint32_t op, const void *data, uint32_t len)
{
	cmp(l, op, data, len);
}

void nll_range(struct lin *l, uint32_t op, const void *lo, const void *hi, uint32_t len)
{
	range(l, op, lo, hi, len);
}

void nll_bitwise(struct lin *l, const void *mask, const void * xor, uint32_t len, bool op)
{
	bitwise_op(l, mask, xor, len, op);
}

void nll_imm_data(struct lin *l, uint32_t reg, const void *data, uint32_t len)
{
	imm_data(l, reg, data, len);
}

void nll_cmp_addr(struct lin *l, uint32_t op, const uint8_t *addr, uint32_t len, uint32_t plen)
{
	cmp_addr(l, op, addr, len, plen);
}

void nll_note_l4(struct lin *l, uint32_t op, int proto)
{
	note_l4(l, op, proto);
}

bool nll_l4_dependency(struct lin *l, int proto)
{
	return l4_dependency(l, proto);
}

/* A rule's expressions as libnftables 1.0.6 linearises them (see nl_lin.h).
 *
 * Each function here was checked against the bytes libnftables sends for
 * the JSON nfsh emits (tests/integration/io_nl_bytes.sh captures them);
 * a shape not handled exactly so returns false and the batch goes through
 * libnftables. Values in registers: payload data in network order, meta
 * and ct keys in host order (as the kernel stores them).
 *
 * This file has the expression builders, the JSON value readers and the
 * walk over a rule's "expr" array (with the port pairs libnftables merges
 * into one load); the matches are nl_lin_match.c's, the statements
 * nl_lin_stmt.c's. */
#include "nft/nl_lin_int.h"

#include <arpa/inet.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

void nll_add(struct lin *l, struct nftnl_expr *e)
{
	if (!e || ++l->nexprs > NLL_EXPRS_MAX) {
		nftnl_expr_free(e);
		l->bad = true;
	} else {
		nftnl_rule_add_expr(l->r, e);
	}
}

struct nftnl_expr *nll_expr(const char *name)
{
	return nftnl_expr_alloc(name);
}

void nll_load_payload(struct lin *l, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nll_expr("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	nll_add(l, e);
}

void nll_load_meta(struct lin *l, uint32_t key)
{
	struct nftnl_expr *e = nll_expr("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	nll_add(l, e);
}

/* dir < 0: no direction attribute. */
void nll_load_ct(struct lin *l, uint32_t key, int dir)
{
	struct nftnl_expr *e = nll_expr("ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		if (dir >= 0)
			nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	nll_add(l, e);
}

void nll_cmp(struct lin *l, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nll_expr("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	nll_add(l, e);
}

void nll_range(struct lin *l, uint32_t op, const void *lo, const void *hi, uint32_t len)
{
	struct nftnl_expr *e = nll_expr("range");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, len);
		nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, len);
	}
	nll_add(l, e);
}

/* reg 1 = (reg 1 & mask) ^ xor. libnftables names the operation for a
 * binary operator of the rule (mark & MASK) but not for the masks it makes
 * itself (flag tests, prefixes): op false. */
void nll_bitwise(struct lin *l, const void *mask, const void * xor, uint32_t len, bool op)
{
	struct nftnl_expr *e = nll_expr("bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		if (op)
			nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
	}
	nll_add(l, e);
}

void nll_imm_data(struct lin *l, uint32_t reg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nll_expr("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	}
	nll_add(l, e);
}

/* ---- values ---- */

bool nll_int_in(json_t *v, json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

bool nll_u32_of(json_t *v, uint32_t *out)
{
	json_int_t x;

	if (!nll_int_in(v, 0, 0xffffffffll, &x))
		return false;
	*out = (uint32_t)x;
	return true;
}

int nll_name_index(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

const char *nll_key_of(json_t *o, const char *kind)
{
	json_t *b = json_object_get(o, kind);

	return json_object_size(o) == 1 ? json_string_value(json_object_get(b, "key")) : NULL;
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
	if (ports ? !nll_l4_dependency(l, !strcmp(pa, "tcp") ? 6 : 17)
	          : (!strcmp(pa, "icmpv6") ? l->nfproto != NFPROTO_IPV6
	                                   : l->nfproto != NFPROTO_IPV4) ||
	                !nll_l4_dependency(l, pa[4] ? 58 : 1))
		return -1;
	if (ports) {
		uint16_t v[2] = {htons((uint16_t)x), htons((uint16_t)y)};

		memcpy(data, v, 4);
	} else {
		data[0] = (uint8_t)x;
		data[1] = (uint8_t)y;
	}
	nll_load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, 0, ports ? 4 : 2);
	nll_cmp(l, NFT_CMP_EQ, data, ports ? 4 : 2);
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

		if (m < 0 || (m == 0 && !nll_stmt(l, st)) || l->bad)
			return false;
		i += m == 1;
	}
	return true;
}

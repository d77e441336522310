/* -m tos [!] --tos VALUE[/MASK] | NAME: (TOS & MASK) == VALUE over the whole
 * TOS byte, ECN bits included (xt_dscp.c tos_mt; IPv6: the traffic class).
 * nft 1.0.6 has no "ip tos" field, so the test is a raw payload match:
 *   IPv4  @nh,8,8 & MASK == VALUE
 *   IPv6  @nh,0,16 & MASK<<4 == VALUE<<4   (the class spans bits 4-11; a
 *         bit-aligned "@nh,4,8 & MASK" builds wrong bytecode in 1.0.6)
 * nft lists a mask that covers whole fields as "ip dscp"/"ip ecn" tests. For
 * 0xfc and 0x03 that is one test and reloads the same; the form tag (i=tos:K)
 * says it is this match's. For the whole byte, "@nh,8,8 != 0x10" is listed as
 * "ip dscp != 0x04 ip ecn != not-ect", which reloads (nfsh's snapshots, nft -j
 * list | nft -j -f) as an AND of two tests: another rule. A one-value range,
 * "@nh,8,8 != 0x10-0x10" (nft_range), is listed raw and reloads the same. */
#include "ext/dscp.h"
#include "nft/json.h"

#include <string.h>

struct tos_priv {
	bool given, invert;
	unsigned value, mask;
};

static const struct ext_opt tos_opts[] = {
    {"tos", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "VALUE[/MASK]|NAME",
     "TOS byte: 0-0xff with a mask (0xff), or Minimize-Delay, Maximize-Throughput, "
     "Maximize-Reliability, Minimize-Cost, Normal-Service (mask 0x3f)"},
};

static int tos_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct tos_priv *p = priv;

	(void)c;
	(void)opt;
	if (tos_parse_value(args[0], &p->value, &p->mask, "--tos", e) < 0)
		return -1;
	p->given = true;
	p->invert = invert;
	return 0;
}

static int tos_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct tos_priv *p = priv;

	(void)c;
	if (!p->given) {
		err_set(e, NFSH_EPARAM, "tos", "-m tos needs --tos VALUE[/MASK]");
		err_hint(e, "e.g. -m tos --tos 0x10/0x3f or -m tos --tos Minimize-Delay");
		return -1;
	}
	if (p->value & ~p->mask) {
		err_set(e, NFSH_EPARAM, "--tos",
		        "--tos 0x%02x/0x%02x can never match: VALUE has bits outside MASK",
		        p->value, p->mask);
		err_hint(e, "use --tos 0x%02x/0x%02x", p->value & p->mask, p->mask);
		return -1;
	}
	if (!p->mask) {
		err_set(e, NFSH_EPARAM, "--tos", "--tos 0/0 tests no bit: it matches every packet");
		err_hint(e, "leave the match out");
		return -1;
	}
	return 0;
}

static json_t *tos_raw(int family)
{
	json_t *b = nftj_object();

	nftj_put_str(b, "base", "nh");
	nftj_put_int(b, "offset", family == NFSH_IPV6 ? 0 : 8);
	nftj_put_int(b, "len", family == NFSH_IPV6 ? 16 : 8);
	return nftj_put(nftj_object(), "payload", b);
}

static int tos_emit(struct emit_ctx *x, const void *priv)
{
	const struct tos_priv *p = priv;
	bool v6 = x->family == NFSH_IPV6;
	unsigned shift = v6 ? 4 : 0;
	json_t *left = tos_raw(x->family), *right = nftj_int((long long)p->value << shift);

	x->keep_name = p->mask == TOS_DSCP_BITS || p->mask == TOS_ECN_BITS;
	if (p->mask != 0xff || v6)
		left = nftj_binop("&", left, nftj_int((long long)p->mask << shift));
	if (p->mask == 0xff)
		right = nftj_range(right, nftj_int((long long)p->value << shift));
	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", left, right));
}

/* The raw form: [@nh & MASK] ==|!= VALUE or VALUE-VALUE. IPv4 @nh,8,8; IPv6
 * @nh,0,16 with the class at bit 4, or, as nft lists a one-value range,
 * @nh,4,8. */
static bool read_raw(struct read_ctx *r, struct tos_priv *p, const char *op, json_t *left,
                     json_t *right)
{
	json_t *bin = json_object_get(left, "&"), *pl = bin ? json_array_get(bin, 0) : left, *b;
	json_t *lo, *hi;
	long long off, len, mask, val, val2;
	unsigned shift;
	const char *base;

	b = json_object_get(pl, "payload");
	base = json_string_value(json_object_get(b, "base"));
	if (!base || strcmp(base, "nh") || !nftj_get_int(json_object_get(b, "offset"), &off) ||
	    !nftj_get_int(json_object_get(b, "len"), &len))
		return false;
	if (r->family == NFSH_IPV6 && off == 0 && len == 16)
		shift = 4;
	else if ((r->family == NFSH_IPV6 && off == 4 && len == 8) ||
	         (r->family != NFSH_IPV6 && off == 8 && len == 8))
		shift = 0;
	else
		return false;
	mask = 0xffll << shift;
	if (bin && (json_array_size(bin) != 2 || !nftj_get_int(json_array_get(bin, 1), &mask)))
		return false;
	if (nftj_get_range(right, &lo, &hi)) {
		if (!nftj_get_int(lo, &val) || !nftj_get_int(hi, &val2) || val != val2)
			return false;
	} else if (!nftj_get_int(right, &val)) {
		return false;
	}
	/* A 16-bit IPv6 test must leave version and flow label out. */
	if ((mask & ~(0xffll << shift)) || (val & ~mask) || !mask)
		return false;
	p->mask = (unsigned)(mask >> shift);
	p->value = (unsigned)(val >> shift);
	p->invert = op[0] == '!';
	return true;
}

/* One "ip dscp" or "ip ecn" test: how nft lists a mask of 0xfc or 0x03. */
static bool read_field(const struct read_ctx *r, json_t *stmt, const char **op, unsigned *bits,
                       unsigned *val)
{
	const char *proto, *field;
	json_t *left, *right;
	unsigned v;

	if (!nftj_get_match(stmt, op, &left, &right) || !nftj_is_payload(left, &proto, &field) ||
	    strcmp(proto, r->family == NFSH_IPV6 ? "ip6" : "ip") ||
	    (strcmp(*op, "==") && strcmp(*op, "!=")))
		return false;
	if (strcmp(field, "dscp") == 0 && dscp_read_value(right, &v)) {
		*bits = TOS_DSCP_BITS;
		*val = v << 2;
	} else if (strcmp(field, "ecn") == 0 && ecn_read_value(right, &v)) {
		*bits = TOS_ECN_BITS;
		*val = v;
	} else {
		return false;
	}
	return true;
}

static int tos_recognise(struct read_ctx *r, void *priv)
{
	struct tos_priv *p = priv;
	const char *op;
	json_t *left, *right;
	unsigned bits, val;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right))
		return 0;
	if ((!strcmp(op, "==") || !strcmp(op, "!=")) && read_raw(r, p, op, left, right)) {
		p->given = true;
		read_take(r, 1);
		return 1;
	}
	if (!tos_match_pending(r) || !read_field(r, read_peek(r, 0), &op, &bits, &val))
		return 0;
	p->given = true;
	p->invert = op[0] == '!';
	p->mask = bits;
	p->value = val;
	read_take(r, 1);
	return 1;
}

static void tos_save(const void *priv, int family, struct strbuf *sb)
{
	const struct tos_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --tos 0x%02x/0x%02x", p->invert ? " !" : "", p->value, p->mask);
}

static void tos_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct tos_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "tos match %s0x%02x/0x%02x", p->invert ? "!" : "", p->value, p->mask);
}

const struct ext ext_tos = {
    .name = "tos",
    .type = EXT_MATCH,
    .help = "TOS byte / IPv6 traffic class under a mask (@nh payload match)",
    .families = NFSH_F_ANY,
    .opts = tos_opts,
    .nopts = sizeof(tos_opts) / sizeof(tos_opts[0]),
    .priv_size = sizeof(struct tos_priv),
    .parse = tos_parse,
    .check = tos_check,
    .emit = tos_emit,
    .recognise = tos_recognise,
    .save = tos_save,
    .list = tos_list,
};
EXT_REGISTER(ext_tos);

/* -j TOS --set-tos VALUE[/MASK] | NAME, --and-tos B, --or-tos B, --xor-tos B:
 * new = (old & ~MASK) ^ VALUE over the whole TOS byte, ECN bits included
 * (xt_DSCP.c tos_tg: ipv4_change_dsfield(iph, 0, nv); tos_tg6 the same on
 * the traffic class). A name means NAME/0x3f, a number NUMBER/0xff;
 * --and-tos B is 0/~B, --or-tos B is B/B, --xor-tos B is B/0.
 *
 * The byte is two nft fields, DSCP (bits 7-2) and ECN (bits 1-0). nftables
 * 1.0.6 sets a sub-byte field only to a constant ("ip dscp set ip dscp and
 * 0x30" fails: "Right hand side of binary operation (^) must be constant"), so
 * a field the mask covers whole becomes "ip dscp set D" / "ip ecn set E" (the
 * IPv4 header checksum is updated: csum_type 1 in --debug=netlink), a field the
 * mask leaves alone (with no VALUE bits in it) no statement, and anything else
 * keeps or flips part of a field:
 *   IPv6  a raw write of the first 16 bits, "@nh,0,16 set @nh,0,16 & K ^ X",
 *         which keeps version and flow label (IPv6 has no header checksum);
 *         but not with VALUE 0 (a bare "& K"): nft 1.0.6 lists that mask
 *         inverted (bytecode & 0xf12f, listed & 0xed0), so a reloaded listing
 *         (nfsh's snapshots, nft -j list | nft -j -f) would be another rule;
 *   IPv4  refused: a raw "@nh,8,8 set" does not update the header checksum
 *         (csum_type 0), so the packet would be dropped at the next hop.
 * The form tag (j=TOS) keeps the rule from reading back as -j DSCP. */
#include "ext/dscp.h"
#include "nft/json.h"

#include <string.h>

enum { TOS_SET, TOS_AND, TOS_OR, TOS_XOR };

struct tos_tgt_priv {
	bool given;
	unsigned value, mask;
};

static const struct ext_opt tos_tgt_opts[] = {
    {"set-tos", TOS_SET, 1, 0, VK_NUMBER, NULL, "VALUE[/MASK]|NAME",
     "TOS = (TOS & ~MASK) ^ VALUE; 0-0xff, mask 0xff, or a name (Minimize-Delay, ...: mask "
     "0x3f)"},
    {"and-tos", TOS_AND, 1, 0, VK_NUMBER, NULL, "BITS", "binary AND the TOS byte"},
    {"or-tos", TOS_OR, 1, 0, VK_NUMBER, NULL, "BITS", "binary OR the TOS byte"},
    {"xor-tos", TOS_XOR, 1, 0, VK_NUMBER, NULL, "BITS", "binary XOR the TOS byte"},
};

static int tos_tgt_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                         bool invert, const char *const *args, struct nfsh_err *e)
{
	struct tos_tgt_priv *p = priv;
	unsigned long long b;

	(void)c;
	(void)invert;
	if (p->given) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "-j TOS takes one of --set-tos, --and-tos, --or-tos, --xor-tos");
		err_hint(e, "all four are --set-tos VALUE/MASK: give one");
		return -1;
	}
	if (opt->id == TOS_SET) {
		if (tos_parse_value(args[0], &p->value, &p->mask, "--set-tos", e) < 0)
			return -1;
	} else {
		if (parse_uint(args[0], 0xff, &b) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --%s \"%s\"", opt->name, args[0]);
			err_hint(e, "a number 0-0xff");
			return -1;
		}
		p->value = opt->id == TOS_AND ? 0 : (unsigned)b;
		p->mask = opt->id == TOS_AND  ? (unsigned)~b & 0xff
		          : opt->id == TOS_OR ? (unsigned)b
		                              : 0;
	}
	p->given = true;
	return 0;
}

/* Does the update give field (bits) a constant value, or leave it alone? */
static bool field_const(const struct tos_tgt_priv *p, unsigned bits)
{
	return (p->mask & bits) == bits;
}

static bool field_kept(const struct tos_tgt_priv *p, unsigned bits)
{
	return !(p->mask & bits) && !(p->value & bits);
}

static bool fields_exact(const struct tos_tgt_priv *p)
{
	return (field_const(p, TOS_DSCP_BITS) || field_kept(p, TOS_DSCP_BITS)) &&
	       (field_const(p, TOS_ECN_BITS) || field_kept(p, TOS_ECN_BITS));
}

static int tos_tgt_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct tos_tgt_priv *p = priv;

	if (!p->given) {
		err_set(e, NFSH_EPARAM, "TOS",
		        "-j TOS needs --set-tos, --and-tos, --or-tos or --xor-tos");
		err_hint(e, "e.g. -t mangle -A OUTPUT -j TOS --set-tos 0x10/0xff");
		return -1;
	}
	if (!p->mask && !p->value) {
		err_set(e, NFSH_EPARAM, "TOS", "this -j TOS changes no bit of the TOS byte");
		err_hint(e, "leave the rule out");
		return -1;
	}
	if (fields_exact(p) || (c->family == NFSH_IPV6 && p->value))
		return 0;
	if (c->family == NFSH_IPV6) {
		err_set(e, NFSH_EPARAM, "TOS",
		        "-j TOS --set-tos 0x00/0x%02x clears part of the DSCP or ECN field: its "
		        "native form, @nh,0,16 set @nh,0,16 & 0x%04x, is listed by libnftables "
		        "1.0.6 with the mask inverted, so a reloaded listing would change it",
		        p->mask, 0xffff & ~(p->mask << 4));
		err_hint(e, "a mask over whole fields is exact: 0xff, 0xfc (DSCP) or 0x03 (ECN)");
		return -1;
	}
	err_set(e, NFSH_EPARAM, "TOS",
	        "-j TOS --set-tos 0x%02x/0x%02x keeps or flips part of the DSCP or ECN field, "
	        "which has no exact native form for IPv4: nftables 1.0.6 sets those fields only "
	        "to constants, and a raw @nh,8,8 write does not update the IPv4 header checksum",
	        p->value, p->mask);
	err_hint(e,
	         "a mask over whole fields is exact: 0xff (ip dscp set 0x%02x ip ecn set %u), "
	         "0xfc (DSCP only, as -j DSCP --set-dscp 0x%02x) or 0x03 (ECN only)",
	         p->value >> 2, p->value & 3, p->value >> 2);
	return -1;
}

static json_t *field_set(int family, const char *field, unsigned v)
{
	json_t *b = nftj_object();

	nftj_put(b, "key", nftj_payload(family == NFSH_IPV6 ? "ip6" : "ip", field));
	nftj_put(b, "value", nftj_int(v));
	return nftj_stmt("mangle", b);
}

static json_t *raw16(void)
{
	json_t *b = nftj_object();

	nftj_put_str(b, "base", "nh");
	nftj_put_int(b, "offset", 0);
	nftj_put_int(b, "len", 16);
	return nftj_put(nftj_object(), "payload", b);
}

/* IPv6: @nh,0,16 set (@nh,0,16 & ~(MASK << 4)) ^ (VALUE << 4). */
static json_t *raw_set(const struct tos_tgt_priv *p)
{
	json_t *b = nftj_object();
	json_t *v = nftj_binop("&", raw16(), nftj_int(0xffff & ~(p->mask << 4)));

	if (p->value)
		v = nftj_binop("^", v, nftj_int(p->value << 4));
	nftj_put(b, "key", raw16());
	nftj_put(b, "value", v);
	return nftj_stmt("mangle", b);
}

static int tos_tgt_emit(struct emit_ctx *x, const void *priv)
{
	const struct tos_tgt_priv *p = priv;
	int rc = 0;

	x->target_form = "";
	if (!fields_exact(p))
		return ext_emit(x, raw_set(p));
	if (field_const(p, TOS_DSCP_BITS))
		rc |= ext_emit(x, field_set(x->family, "dscp", p->value >> 2));
	if (field_const(p, TOS_ECN_BITS))
		rc |= ext_emit(x, field_set(x->family, "ecn", p->value & TOS_ECN_BITS));
	return rc ? -1 : 0;
}

/* A mangle of the family's dscp or ecn field with a constant. */
static bool read_field_set(const struct read_ctx *r, json_t *stmt, unsigned *bits, unsigned *val)
{
	json_t *body;
	const char *name = stmt ? nftj_stmt_name(stmt, &body) : NULL, *proto, *field;
	unsigned v;

	if (!name || strcmp(name, "mangle") ||
	    !nftj_is_payload(json_object_get(body, "key"), &proto, &field) ||
	    strcmp(proto, r->family == NFSH_IPV6 ? "ip6" : "ip"))
		return false;
	if (!strcmp(field, "dscp") && dscp_read_value(json_object_get(body, "value"), &v)) {
		*bits = TOS_DSCP_BITS;
		*val = v << 2;
	} else if (!strcmp(field, "ecn") && ecn_read_value(json_object_get(body, "value"), &v)) {
		*bits = TOS_ECN_BITS;
		*val = v;
	} else {
		return false;
	}
	return true;
}

static bool is_raw16(json_t *v)
{
	json_t *b = json_object_get(v, "payload");
	const char *base = json_string_value(json_object_get(b, "base"));
	long long off, len;

	return base && !strcmp(base, "nh") && nftj_get_int(json_object_get(b, "offset"), &off) &&
	       nftj_get_int(json_object_get(b, "len"), &len) && off == 0 && len == 16;
}

/* Fold &, | and ^ with constants over @nh,0,16 into (x & *keep) ^ *xr. */
static bool fold_raw(json_t *v, unsigned *keep, unsigned *xr)
{
	static const char *const ops[] = {"&", "|", "^"};
	long long c;
	json_t *a;

	if (is_raw16(v)) {
		*keep = 0xffff, *xr = 0;
		return true;
	}
	for (int k = 0; k < 3; k++) {
		a = json_object_get(v, ops[k]);
		if (!json_is_array(a) || json_array_size(a) != 2 ||
		    !nftj_get_int(json_array_get(a, 1), &c) || c < 0 || c > 0xffff ||
		    !fold_raw(json_array_get(a, 0), keep, xr))
			continue;
		if (k == 0)
			*keep &= (unsigned)c, *xr &= (unsigned)c;
		else if (k == 1)
			*keep &= ~(unsigned)c, *xr |= (unsigned)c;
		else
			*xr ^= (unsigned)c;
		return true;
	}
	return false;
}

static bool read_raw_set(const struct read_ctx *r, json_t *stmt, struct tos_tgt_priv *p)
{
	json_t *body;
	const char *name = stmt ? nftj_stmt_name(stmt, &body) : NULL;
	unsigned keep, xr;

	if (r->family != NFSH_IPV6 || !name || strcmp(name, "mangle") ||
	    !is_raw16(json_object_get(body, "key")) ||
	    !fold_raw(json_object_get(body, "value"), &keep, &xr))
		return false;
	/* Version and flow label must pass through untouched. */
	if ((keep & 0xf00f) != 0xf00f || (xr & ~0x0ff0u))
		return false;
	p->mask = (~keep & 0x0ff0) >> 4;
	p->value = xr >> 4;
	return true;
}

static int tos_tgt_recognise(struct read_ctx *r, void *priv)
{
	struct tos_tgt_priv *p = priv;
	unsigned bits, val, bits2, val2;
	char form[8];

	if (read_raw_set(r, read_peek(r, 0), p)) {
		p->given = true;
		read_take(r, 1);
		return 1;
	}
	/* "ip dscp set" alone is -j DSCP's, unless the tag says TOS. */
	if (!read_field_set(r, read_peek(r, 0), &bits, &val) ||
	    (bits == TOS_DSCP_BITS && !read_tag_target(r, "TOS", form, sizeof(form))))
		return 0;
	p->mask = bits;
	p->value = val;
	read_take(r, 1);
	if (bits == TOS_DSCP_BITS && read_field_set(r, read_peek(r, 0), &bits2, &val2) &&
	    bits2 == TOS_ECN_BITS) {
		p->mask |= bits2;
		p->value |= val2;
		read_take(r, 1);
	}
	p->given = true;
	return 1;
}

static void tos_tgt_save(const void *priv, int family, struct strbuf *sb)
{
	const struct tos_tgt_priv *p = priv;

	(void)family;
	sb_addf(sb, " --set-tos 0x%02x/0x%02x", p->value, p->mask);
}

/* iptables -L, as libxt_TOS prints revision 1. */
static void tos_tgt_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct tos_tgt_priv *p = priv;

	(void)family;
	(void)numeric;
	if (p->value == 0)
		sb_addf(sb, "TOS and 0x%02x", ~p->mask & 0xff);
	else if (p->value == p->mask)
		sb_addf(sb, "TOS or 0x%02x", p->value);
	else if (p->mask == 0)
		sb_addf(sb, "TOS xor 0x%02x", p->value);
	else
		sb_addf(sb, "TOS set 0x%02x/0x%02x", p->value, p->mask);
}

const struct ext ext_TOS = {
    .name = "TOS",
    .type = EXT_TARGET,
    .help = "set bits of the TOS byte / IPv6 traffic class (ip dscp set, ip ecn set)",
    .families = NFSH_F_ANY,
    .opts = tos_tgt_opts,
    .nopts = sizeof(tos_tgt_opts) / sizeof(tos_tgt_opts[0]),
    .priv_size = sizeof(struct tos_tgt_priv),
    .parse = tos_tgt_parse,
    .check = tos_tgt_check,
    .emit = tos_tgt_emit,
    .recognise = tos_tgt_recognise,
    .save = tos_tgt_save,
    .list = tos_tgt_list,
};
EXT_REGISTER(ext_TOS);

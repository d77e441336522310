/* -m ah: the IPsec authentication header.
 *   IPv4 (libipt_ah):  [!] --ahspi SPI[:SPI]                 needs -p ah
 *   IPv6 (libip6t_ah): [!] --ahspi, [!] --ahlen BYTES, --ahres   no -p needed
 * --ahres is "ah reserved 0": ip6t_ah matches only when the reserved field is
 * zero (iptables-translate writes "reserved 1", the opposite).
 * ah spi|hdrlength|reserved [!=] V. Without a test it is the protocol alone:
 * meta l4proto ah for IPv4, as iptables-translate writes it. IPv6 would need
 * "exthdr ah exists", which libnftables 1.0.6 does not know: refused. */
#include "ext/idrange.h"
#include "ext/tcp.h"
#include "nft/json.h"

#include <string.h>

#define AH_PROTO 51

enum { AH_SPI, AH_LEN, AH_RES };

struct ah_priv {
	struct idrange spi, len;
	bool res;
};

static const struct ext_opt ah_opts[] = {
    {"ahspi", AH_SPI, 1, EXT_OPT_INV, VK_NUMBER, NULL, "SPI[:SPI]",
     "security parameter index, or a range (0-4294967295)"},
    {"ahlen", AH_LEN, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N", "header length in bytes (IPv6 only)"},
    {"ahres", AH_RES, 0, 0, VK_NONE, NULL, NULL, "reserved field is zero (IPv6 only)"},
};

/* --ahlen counts bytes, as the kernel's ipv6_authlen(): (field + 2) * 4; nft's
 * "ah hdrlength" is the raw field. Other byte counts can never match.
 * (iptables-translate writes the bytes as the field, a different test.) */
static int parse_len(struct ah_priv *p, bool invert, const char *arg, struct nfsh_err *e)
{
	struct idrange t = {0};

	if (strchr(arg, ':'))
		return err_set(e, NFSH_EPARAM, arg, "invalid --ahlen \"%s\": one length in bytes",
		               arg);
	if (idrange_parse(&t, invert, arg, UINT32_MAX, "ahlen", e) < 0)
		return -1;
	if (t.lo < 8 || t.lo % 4 || t.lo / 4 - 2 > 255) {
		err_set(
		    e, NFSH_EPARAM, arg,
		    "--ahlen %s can never match: the kernel compares the header's length in bytes, "
		    "a multiple of 4 from 8 to 1028",
		    arg);
		err_hint(e, "e.g. --ahlen %u", t.lo < 8 ? 8 : (t.lo + 3) / 4 * 4);
		return -1;
	}
	p->len = t;
	p->len.lo = p->len.hi = t.lo / 4 - 2;
	return 0;
}

static int ah_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ah_priv *p = priv;

	if (opt->id != AH_SPI && c->family != NFSH_IPV6)
		return err_set(e, NFSH_EPARAM, opt->name, "--%s is an ip6tables option of -m ah",
		               opt->name);
	switch (opt->id) {
	case AH_SPI:
		if (idrange_parse(&p->spi, invert, args[0], UINT32_MAX, "ahspi", e) < 0)
			return -1;
		if (idrange_full(&p->spi, UINT32_MAX))
			p->spi.set = false;
		return 0;
	case AH_LEN:
		return parse_len(p, invert, args[0], e);
	default:
		p->res = true;
		return 0;
	}
}

static int ah_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct ah_priv *p = priv;

	if (c->family != NFSH_IPV6)
		return need_proto(c, AH_PROTO, "ah", e);
	if (!p->spi.set && !p->len.set && !p->res) {
		err_set(e, NFSH_EPARAM, "ah",
		        "-m ah without a test needs \"exthdr ah exists\", which libnftables 1.0.6 "
		        "does not support");
		err_hint(e, "give --ahspi, --ahlen or --ahres, or use -p ah (the last header)");
		return -1;
	}
	return 0;
}

static int ah_emit(struct emit_ctx *x, const void *priv)
{
	const struct ah_priv *p = priv;
	int rc = 0;

	if (!p->spi.set && !p->len.set && !p->res) {
		x->keep_name = true;
		return ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(AH_PROTO)));
	}
	if (p->spi.set)
		rc |= ext_emit(x, idrange_expr(nftj_payload("ah", "spi"), &p->spi));
	if (p->len.set)
		rc |= ext_emit(x, idrange_expr(nftj_payload("ah", "hdrlength"), &p->len));
	if (p->res)
		rc |= ext_emit(x, nftj_match("==", nftj_payload("ah", "reserved"), nftj_int(0)));
	return rc ? -1 : 0;
}

static bool read_res(json_t *s, struct ah_priv *p)
{
	const char *op, *proto, *field;
	json_t *left, *right;
	long long v;

	if (p->res || !nftj_get_match(s, &op, &left, &right) ||
	    !nftj_is_payload(left, &proto, &field) || strcmp(proto, "ah") ||
	    strcmp(field, "reserved") || strcmp(op, "==") || !nftj_get_int(right, &v) || v != 0)
		return false;
	p->res = true;
	return true;
}

static int ah_recognise(struct read_ctx *r, void *priv)
{
	struct ah_priv *p = priv;
	bool v6 = r->family == NFSH_IPV6;
	int n = 0;
	json_t *s;

	if (r->rule->proto_set && (r->rule->proto != AH_PROTO || r->rule->proto_invert))
		return 0;
	while ((s = read_peek(r, 0)) && (idrange_read(s, "ah", "spi", UINT32_MAX, &p->spi) ||
	                                 (v6 && idrange_read(s, "ah", "hdrlength", 255, &p->len)) ||
	                                 (v6 && read_res(s, p)))) {
		read_take(r, 1);
		n++;
	}
	if (n && !v6)
		read_claim_proto(r, AH_PROTO);
	return n > 0;
}

static void ah_save(const void *priv, int family, struct strbuf *sb)
{
	const struct ah_priv *p = priv;

	(void)family;
	idrange_save(&p->spi, "ahspi", sb);
	if (p->len.set)
		sb_addf(sb, "%s --ahlen %u", p->len.invert ? " !" : "", (p->len.lo + 2) * 4);
	if (p->res)
		sb_add(sb, " --ahres");
}

static void ah_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ah_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "ah");
	idrange_list(&p->spi, "spi", sb);
	if (p->len.set)
		sb_addf(sb, " length:%s%u", p->len.invert ? "!" : "", (p->len.lo + 2) * 4);
	if (p->res)
		sb_add(sb, " reserved");
}

const struct ext ext_ah = {
    .name = "ah",
    .type = EXT_MATCH,
    .help = "IPsec authentication header: SPI (and on IPv6 length, reserved)",
    .families = NFSH_F_ANY,
    .opts = ah_opts,
    .nopts = sizeof(ah_opts) / sizeof(ah_opts[0]),
    .priv_size = sizeof(struct ah_priv),
    .implicit_proto = AH_PROTO,
    .proto_optional = NFSH_F_IPV6,
    .parse = ah_parse,
    .check = ah_check,
    .emit = ah_emit,
    .recognise = ah_recognise,
    .save = ah_save,
    .list = ah_list,
};
EXT_REGISTER(ext_ah);

/* -m rt: the IPv6 routing header, nft's exthdr rt.
 *   [!] --rt-type N            rt type [!=] N
 *   [!] --rt-segsleft N[:M]    rt seg-left [!=] N[-M] (full range alone: exthdr rt exists)
 *   [!] --rt-len BYTES         rt hdrlength [!=] BYTES/8-1 (the kernel counts bytes)
 * --rt-0-res, --rt-0-addrs and --rt-0-not-strict (type 0 internals) have no
 * native form here and are refused. Order as iptables-translate: type,
 * seg-left, hdrlength. */
#include "ext/exthdr.h"
#include "nft/json.h"

#include <string.h>

enum { R_TYPE, R_SEGS, R_LEN, R_RES, R_ADDRS, R_NSTRICT };

struct rt_priv {
	struct idrange type, segs, len;
};

static const struct ext_opt rt_opts[] = {
    {"rt-type", R_TYPE, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N", "routing type"},
    {"rt-segsleft", R_SEGS, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N[:N]", "segments left, or a range"},
    {"rt-len", R_LEN, 1, EXT_OPT_INV, VK_NUMBER, NULL, "BYTES",
     "header length in bytes (a multiple of 8)"},
    {"rt-0-res", R_RES, 0, 0, VK_NONE, NULL, NULL, "(refused: no native form)"},
    {"rt-0-addrs", R_ADDRS, 1, 0, VK_WORD, NULL, "ADDR,...", "(refused: no native form)"},
    {"rt-0-not-strict", R_NSTRICT, 0, 0, VK_NONE, NULL, NULL, "(refused: no native form)"},
};

static int rt_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	struct rt_priv *p = priv;

	(void)c;
	switch (opt->id) {
	case R_TYPE:
		if (strchr(args[0], ':'))
			return err_set(e, NFSH_EPARAM, args[0],
			               "invalid --rt-type \"%s\": one number 0-255", args[0]);
		return idrange_parse(&p->type, invert, args[0], 255, "rt-type", e);
	case R_SEGS:
		if (idrange_parse(&p->segs, invert, args[0], UINT32_MAX, "rt-segsleft", e) < 0)
			return -1;
		if (idrange_full(&p->segs, UINT32_MAX))
			p->segs.set = false;
		else if (p->segs.lo > 255)
			return err_set(e, NFSH_EPARAM, args[0],
			               "--rt-segsleft %s can never match: the field is 8 bits",
			               args[0]);
		return 0;
	case R_LEN:
		return xh_len_parse(&p->len, invert, args[0], "rt-len", e);
	default:
		err_set(e, NFSH_EPARAM, opt->name,
		        "--%s has no native nftables form: nft cannot test type-0 routing header "
		        "internals",
		        opt->name);
		err_hint(e, "type 0 routing headers are deprecated (RFC 5095): drop them with "
		            "--rt-type 0");
		return -1;
	}
}

static int rt_emit(struct emit_ctx *x, const void *priv)
{
	const struct rt_priv *p = priv;
	struct idrange segs = p->segs;
	int rc = 0;

	if (!p->type.set && !p->segs.set && !p->len.set)
		return ext_emit(x, xh_exists("rt", true));
	if (p->type.set)
		rc |= ext_emit(x, idrange_expr(xh_left("rt", "type"), &p->type));
	if (segs.set) {
		/* The field is 8 bits: an upper end above 255 is the same test (and
		 * nft refuses larger values). Read back, 255 shows as 4294967295. */
		if (segs.hi > 255)
			segs.hi = 255;
		rc |= ext_emit(x, idrange_expr(xh_left("rt", "seg-left"), &segs));
	}
	if (p->len.set)
		rc |= ext_emit(x, idrange_expr(xh_left("rt", "hdrlength"), &p->len));
	return rc ? -1 : 0;
}

static int rt_recognise(struct read_ctx *r, void *priv)
{
	struct rt_priv *p = priv;
	int n = 0;

	if (xh_read_exists(read_peek(r, 0), "rt")) {
		read_take(r, 1);
		return 1;
	}
	if (xh_read_range(read_peek(r, 0), "rt", "type", 255, &p->type)) {
		read_take(r, 1);
		n++;
	}
	if (xh_read_range(read_peek(r, 0), "rt", "seg-left", UINT32_MAX, &p->segs)) {
		if (p->segs.hi == 255)
			p->segs.hi = UINT32_MAX;
		read_take(r, 1);
		n++;
	}
	if (xh_read_range(read_peek(r, 0), "rt", "hdrlength", 255, &p->len)) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void rt_save(const void *priv, int family, struct strbuf *sb)
{
	const struct rt_priv *p = priv;

	(void)family;
	idrange_save(&p->type, "rt-type", sb);
	idrange_save(&p->segs, "rt-segsleft", sb);
	if (p->len.set)
		sb_addf(sb, "%s --rt-len %u", p->len.invert ? " !" : "", (p->len.lo + 1) * 8);
}

static void rt_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct rt_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "rt");
	if (p->type.set)
		sb_addf(sb, " type:%s%u", p->type.invert ? "!" : "", p->type.lo);
	idrange_list(&p->segs, "segsleft", sb);
	if (p->len.set)
		sb_addf(sb, " length:%s%u", p->len.invert ? "!" : "", (p->len.lo + 1) * 8);
}

const struct ext ext_rt = {
    .name = "rt",
    .type = EXT_MATCH,
    .help = "IPv6 routing header: type, segments left, length (exthdr rt)",
    .families = NFSH_F_IPV6,
    .opts = rt_opts,
    .nopts = sizeof(rt_opts) / sizeof(rt_opts[0]),
    .priv_size = sizeof(struct rt_priv),
    .parse = rt_parse,
    .emit = rt_emit,
    .recognise = rt_recognise,
    .save = rt_save,
    .list = rt_list,
};
EXT_REGISTER(ext_rt);

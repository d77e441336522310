/* -m ipcomp [!] --ipcompspi CPI[:CPI] [--compres]: comp cpi [!=] A[-B].
 * The header's CPI is 16 bits; iptables takes 32-bit values and compares the
 * 16-bit field, so a range end above 65535 is the same test as 65535, and a
 * range starting above it never matches (refused). Read back, 65535 as the
 * upper end is shown as 4294967295, iptables' own full range. --compres is
 * refused: the kernel's xt_ipcomp never looks at the reserved field. */
#include "ext/idrange.h"
#include "nft/json.h"

#define COMP_PROTO 108
#define CPI_MAX    0xffffu

enum { COMP_SPI, COMP_RES };

struct ipcomp_priv {
	struct idrange spi;
};

static const struct ext_opt ipcomp_opts[] = {
    {"ipcompspi", COMP_SPI, 1, EXT_OPT_INV, VK_NUMBER, NULL, "CPI[:CPI]",
     "compression parameter index, or a range"},
    {"compres", COMP_RES, 0, 0, VK_NONE, NULL, NULL, "(not tested by the kernel; refused)"},
};

static int ipcomp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ipcomp_priv *p = priv;

	(void)c;
	/* xt_ipcomp takes the flag but never tests the field: no test to emit,
	 * and keeping a flag that does nothing would mislead. */
	if (opt->id == COMP_RES)
		return err_set(
		    e, NFSH_EPARAM, "--compres",
		    "--compres is not tested by the kernel's ipcomp match; leave it out");
	if (idrange_parse(&p->spi, invert, args[0], UINT32_MAX, "ipcompspi", e) < 0)
		return -1;
	if (p->spi.lo > CPI_MAX) {
		err_set(e, NFSH_EPARAM, args[0],
		        "--ipcompspi %s can never match: the CPI is 16 bits", args[0]);
		err_hint(e, "values 0-65535");
		return -1;
	}
	if (idrange_full(&p->spi, UINT32_MAX))
		p->spi.set = false;
	return 0;
}

static int ipcomp_emit(struct emit_ctx *x, const void *priv)
{
	const struct ipcomp_priv *p = priv;
	struct idrange m = p->spi;
	int rc = 0;

	if (!m.set) {
		x->keep_name = true;
		return ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(COMP_PROTO)));
	}
	if (m.set) {
		if (m.hi > CPI_MAX)
			m.hi = CPI_MAX;
		rc |= ext_emit(x, idrange_expr(nftj_payload("comp", "cpi"), &m));
	}
	return rc ? -1 : 0;
}

static int ipcomp_recognise(struct read_ctx *r, void *priv)
{
	struct ipcomp_priv *p = priv;

	if (r->rule->proto_set && (r->rule->proto != COMP_PROTO || r->rule->proto_invert))
		return 0;
	if (!idrange_read(read_peek(r, 0), "comp", "cpi", CPI_MAX, &p->spi))
		return 0;
	read_take(r, 1);
	if (p->spi.hi == CPI_MAX)
		p->spi.hi = UINT32_MAX;
	read_claim_proto(r, COMP_PROTO);
	return 1;
}

static void ipcomp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct ipcomp_priv *p = priv;

	(void)family;
	idrange_save(&p->spi, "ipcompspi", sb);
}

static void ipcomp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ipcomp_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "ipcomp");
	idrange_list(&p->spi, "spi", sb);
}

const struct ext ext_ipcomp = {
    .name = "ipcomp",
    .type = EXT_MATCH,
    .help = "IPComp compression parameter index (comp cpi)",
    .families = NFSH_F_ANY,
    .opts = ipcomp_opts,
    .nopts = sizeof(ipcomp_opts) / sizeof(ipcomp_opts[0]),
    .priv_size = sizeof(struct ipcomp_priv),
    .implicit_proto = COMP_PROTO,
    .parse = ipcomp_parse,
    .check = NULL,
    .emit = ipcomp_emit,
    .recognise = ipcomp_recognise,
    .save = ipcomp_save,
    .list = ipcomp_list,
};
EXT_REGISTER(ext_ipcomp);

/* -m tcpmss --mss MIN[:MAX]: the MSS option of TCP packets,
 * tcp option maxseg size MIN[-MAX].
 * Without -p tcp too, as iptables-translate writes it: the kernel's tcp
 * option load (nft_exthdr_tcp_eval) finds no TCP header in a packet whose
 * transport protocol is not TCP and breaks the rule, so only TCP packets
 * match, which is what -p tcp -m tcpmss means (iptables itself insists on
 * -p tcp: xt_tcpmss has .proto = IPPROTO_TCP). Read back, -S shows -p tcp.
 * "! --mss" is refused: xt_tcpmss matches a TCP packet WITHOUT an MSS option
 * when inverted ("out: return info->invert"), nft's "maxseg size != 42" does
 * not (the missing option breaks the rule), and "option missing OR size !=
 * 42" is no single nftables expression. */
#include "ext/idrange.h"
#include "ext/tcp.h"
#include "nft/json.h"

#include <string.h>

struct tcpmss_priv {
	struct idrange mss;
};

static const struct ext_opt tcpmss_opts[] = {
    {"mss", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "MIN[:MAX]", "MSS option value or range (0-65535)"},
};

static int tcpmss_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct tcpmss_priv *p = priv;

	(void)c;
	(void)opt;
	return idrange_parse(&p->mss, invert, args[0], 65535, "mss", e);
}

static int tcpmss_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct tcpmss_priv *p = priv;

	if (!p->mss.set)
		return err_set(e, NFSH_EPARAM, "tcpmss", "-m tcpmss needs --mss MIN[:MAX]");
	if (p->mss.invert) {
		err_set(e, NFSH_EPARAM, "--mss",
		        "-m tcpmss ! --mss has no exact native form: iptables' inverted match "
		        "also takes TCP packets without an MSS option (every non-SYN one), "
		        "nftables' \"tcp option maxseg size != N\" takes none of them");
		err_hint(e, "two rules are exact: -m tcpmss --mss with the complementary "
		            "range(s), and -p tcp ! --tcp-option 2 (no MSS option)");
		return -1;
	}
	/* No -p: the tcp option load tests the protocol itself (see above). */
	if (!c->rule || !c->rule->proto_set || (c->rule->proto == 6 && !c->rule->proto_invert))
		return 0;
	err_set(e, NFSH_EPARAM, "tcpmss", "-m tcpmss needs -p tcp (or no -p)");
	err_hint(e, "the MSS is a TCP option");
	return -1;
}

static json_t *mss_left(void)
{
	json_t *b = nftj_object();

	nftj_put_str(b, "name", "maxseg");
	nftj_put_str(b, "field", "size");
	return nftj_put(nftj_object(), "tcp option", b);
}

static int tcpmss_emit(struct emit_ctx *x, const void *priv)
{
	const struct tcpmss_priv *p = priv;

	return ext_emit(x, idrange_expr(mss_left(), &p->mss));
}

static int tcpmss_recognise(struct read_ctx *r, void *priv)
{
	struct tcpmss_priv *p = priv;
	const char *op, *name, *field;
	json_t *left, *right, *b, *lo, *hi;
	long long a, z;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    (strcmp(op, "==") && strcmp(op, "!=")))
		return 0;
	b = json_object_get(left, "tcp option");
	name = json_string_value(json_object_get(b, "name"));
	field = json_string_value(json_object_get(b, "field"));
	if (!name || !field || strcmp(name, "maxseg") || strcmp(field, "size"))
		return 0;
	if (nftj_get_int(right, &a))
		z = a;
	else if (!nftj_get_range(right, &lo, &hi) || !nftj_get_int(lo, &a) || !nftj_get_int(hi, &z))
		return 0;
	if (a < 0 || z > 65535 || a > z)
		return 0;
	p->mss = (struct idrange){true, op[0] == '!', (uint32_t)a, (uint32_t)z};
	read_take(r, 1);
	read_claim_proto(r, 6);
	return 1;
}

static void tcpmss_save(const void *priv, int family, struct strbuf *sb)
{
	const struct tcpmss_priv *p = priv;

	(void)family;
	idrange_save(&p->mss, "mss", sb);
}

static void tcpmss_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct tcpmss_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "tcpmss match %s%u", p->mss.invert ? "!" : "", p->mss.lo);
	if (p->mss.hi != p->mss.lo)
		sb_addf(sb, ":%u", p->mss.hi);
}

const struct ext ext_tcpmss = {
    .name = "tcpmss",
    .type = EXT_MATCH,
    .help = "TCP MSS option value (tcp option maxseg size)",
    .families = NFSH_F_ANY,
    .opts = tcpmss_opts,
    .nopts = 1,
    .priv_size = sizeof(struct tcpmss_priv),
    .parse = tcpmss_parse,
    .check = tcpmss_check,
    .emit = tcpmss_emit,
    .recognise = tcpmss_recognise,
    .save = tcpmss_save,
    .list = tcpmss_list,
};
EXT_REGISTER(ext_tcpmss);

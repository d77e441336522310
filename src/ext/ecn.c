/* -m ecn: ECN bits of TCP and IP.
 *   --ecn-tcp-ece, --ecn-tcp-cwr   bit tests on tcp flags: "in" (set) and "!"
 *                                  (clear); "tcp flags != ecn" would compare the
 *                                  whole flag byte, which is not what ! means
 *   --ecn-ip-ect 0-3               ip|ip6 ecn not-ect|ect1|ect0|ce */
#include "ext/dscp.h"
#include "nft/json.h"

#include <string.h>

enum { ECN_ECE, ECN_CWR, ECN_IPECT };

struct ecn_priv {
	unsigned given, invert; /* bit per option id */
	unsigned ect;
};

static const char *const ect_names[] = {"not-ect", "ect1", "ect0", "ce"};

static const struct ext_opt ecn_opts[] = {
    {"ecn-tcp-ece", ECN_ECE, 0, EXT_OPT_INV, VK_NONE, NULL, NULL, "TCP ECE flag is set"},
    {"ecn-tcp-cwr", ECN_CWR, 0, EXT_OPT_INV, VK_NONE, NULL, NULL, "TCP CWR flag is set"},
    {"ecn-ip-ect", ECN_IPECT, 1, EXT_OPT_INV, VK_NUMBER, NULL, "0-3",
     "ECN field of the IP header: 0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE"},
};

static int ecn_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ecn_priv *p = priv;
	unsigned long long v;

	(void)c;
	if (opt->id == ECN_IPECT) {
		if (parse_uint(args[0], 3, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --ecn-ip-ect \"%s\"", args[0]);
			err_hint(e, "0, 1, 2 or 3");
			return -1;
		}
		p->ect = (unsigned)v;
	}
	p->given |= 1u << opt->id;
	if (invert)
		p->invert |= 1u << opt->id;
	return 0;
}

static int ecn_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct ecn_priv *p = priv;
	const struct rule *r = c->rule;

	if (!p->given) {
		err_set(e, NFSH_EPARAM, "ecn",
		        "-m ecn needs --ecn-tcp-ece, --ecn-tcp-cwr or "
		        "--ecn-ip-ect");
		err_hint(e, "e.g. -p tcp -m ecn --ecn-tcp-cwr");
		return -1;
	}
	/* Without -p tcp is fine: nft puts "meta l4proto tcp" in front of "tcp
	 * flags" itself (seen with --debug=netlink), so the rule means -p tcp -m
	 * ecn, as iptables-translate writes it; read back, -S shows -p tcp. */
	if ((p->given & ((1u << ECN_ECE) | (1u << ECN_CWR))) && r && r->proto_set &&
	    !(r->proto == 6 && !r->proto_invert)) {
		err_set(e, NFSH_EPARAM, "ecn",
		        "--ecn-tcp-ece and --ecn-tcp-cwr need -p tcp (or no -p)");
		err_hint(e, "add -p tcp before -m ecn");
		return -1;
	}
	return 0;
}

static int emit_flag(struct emit_ctx *x, const struct ecn_priv *p, int id, const char *flag)
{
	bool neg = p->invert & (1u << id);

	return ext_emit(x,
	                nftj_match(neg ? "!" : "in", nftj_payload("tcp", "flags"), nftj_str(flag)));
}

static int ecn_emit(struct emit_ctx *x, const void *priv)
{
	const struct ecn_priv *p = priv;
	int rc = 0;

	if (p->given & (1u << ECN_ECE))
		rc |= emit_flag(x, p, ECN_ECE, "ecn");
	if (p->given & (1u << ECN_CWR))
		rc |= emit_flag(x, p, ECN_CWR, "cwr");
	if (p->given & (1u << ECN_IPECT))
		rc |= ext_emit(
		    x, nftj_match(p->invert & (1u << ECN_IPECT) ? "!=" : "==",
		                  nftj_payload(x->family == NFSH_IPV6 ? "ip6" : "ip", "ecn"),
		                  nftj_str(ect_names[p->ect])));
	return rc ? -1 : 0;
}

static bool read_one(struct read_ctx *r, struct ecn_priv *p, json_t *stmt)
{
	const char *op, *proto, *field, *s;
	json_t *left, *right;
	long long v;
	int id;

	if (!nftj_get_match(stmt, &op, &left, &right) || !nftj_is_payload(left, &proto, &field))
		return false;
	if (strcmp(proto, "tcp") == 0 && strcmp(field, "flags") == 0) {
		s = json_string_value(right);
		if (!s || (strcmp(op, "in") && strcmp(op, "!")))
			return false;
		id = strcmp(s, "ecn") == 0 ? ECN_ECE : strcmp(s, "cwr") == 0 ? ECN_CWR : -1;
		if (id < 0 || (p->given & (1u << id)))
			return false;
		/* nft hides the "-p tcp" in front of tcp flags as a dependency. */
		read_claim_proto(r, 6);
	} else if (strcmp(proto, r->family == NFSH_IPV6 ? "ip6" : "ip") == 0 &&
	           strcmp(field, "ecn") == 0 && !(p->given & (1u << ECN_IPECT))) {
		if (strcmp(op, "==") && strcmp(op, "!="))
			return false;
		id = ECN_IPECT;
		if (nftj_get_int(right, &v) && v >= 0 && v <= 3) {
			p->ect = (unsigned)v;
		} else {
			s = json_string_value(right);
			for (v = 0; s && v < 4 && strcmp(s, ect_names[v]); v++)
				;
			if (!s || v == 4)
				return false;
			p->ect = (unsigned)v;
		}
	} else {
		return false;
	}
	p->given |= 1u << id;
	if (op[0] == '!')
		p->invert |= 1u << id;
	return true;
}

static int ecn_recognise(struct read_ctx *r, void *priv)
{
	int n = 0;

	if (tos_match_pending(r))
		return 0;
	while (read_peek(r, 0) && read_one(r, priv, read_peek(r, 0))) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void ecn_save(const void *priv, int family, struct strbuf *sb)
{
	const struct ecn_priv *p = priv;

	(void)family;
	if (p->given & (1u << ECN_ECE))
		sb_addf(sb, "%s --ecn-tcp-ece", p->invert & (1u << ECN_ECE) ? " !" : "");
	if (p->given & (1u << ECN_CWR))
		sb_addf(sb, "%s --ecn-tcp-cwr", p->invert & (1u << ECN_CWR) ? " !" : "");
	if (p->given & (1u << ECN_IPECT))
		sb_addf(sb, "%s --ecn-ip-ect %u", p->invert & (1u << ECN_IPECT) ? " !" : "",
		        p->ect);
}

static void ecn_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ecn_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "ECN match");
	if (p->given & (1u << ECN_ECE))
		sb_addf(sb, " %sECE", p->invert & (1u << ECN_ECE) ? "!" : "");
	if (p->given & (1u << ECN_CWR))
		sb_addf(sb, " %sCWR", p->invert & (1u << ECN_CWR) ? "!" : "");
	if (p->given & (1u << ECN_IPECT))
		sb_addf(sb, " %sECT=%u", p->invert & (1u << ECN_IPECT) ? "!" : "", p->ect);
}

const struct ext ext_ecn = {
    .name = "ecn",
    .type = EXT_MATCH,
    .help = "ECN bits: TCP ECE/CWR flags and the IP ECN field",
    .families = NFSH_F_ANY,
    .opts = ecn_opts,
    .nopts = sizeof(ecn_opts) / sizeof(ecn_opts[0]),
    .priv_size = sizeof(struct ecn_priv),
    .parse = ecn_parse,
    .check = ecn_check,
    .emit = ecn_emit,
    .recognise = ecn_recognise,
    .save = ecn_save,
    .list = ecn_list,
};
EXT_REGISTER(ext_ecn);

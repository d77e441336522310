/* -m pkttype [!] --pkt-type unicast|broadcast|multicast: meta pkttype [!=] TYPE.
 * iptables' "unicast" is the kernel's PACKET_HOST, which nftables names "host". */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

struct pkttype_priv {
	bool given, invert;
	unsigned type; /* PACKET_* */
};

/* iptables' names; the first name of a value is the one printed. */
static const struct sym ipt_types[] = {
    {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"host", 0}, {"otherhost", 3}, {NULL, 0},
};
/* nftables' names of the same values. */
static const struct sym nft_types[] = {
    {"host", 0}, {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"other", 3}, {NULL, 0},
};

static const char *const type_names[] = {"unicast", "broadcast", "multicast",
                                         "host",    "otherhost", NULL};

static const struct ext_opt pkttype_opts[] = {
    {"pkt-type", 0, 1, EXT_OPT_INV, VK_ENUM, type_names, "unicast|broadcast|multicast",
     "link-layer packet type"},
};

static int pkttype_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                         bool invert, const char *const *args, struct nfsh_err *e)
{
	struct pkttype_priv *p = priv;
	const struct sym *s = sym_by_name(ipt_types, args[0]);

	(void)c;
	(void)opt;
	if (!s) {
		const char *close = err_closest(args[0], type_names, 5);

		err_set(e, NFSH_EPARAM, args[0], "unknown packet type \"%s\"", args[0]);
		if (close)
			err_hint(e,
			         "did you mean \"%s\"? (unicast, broadcast, multicast, otherhost)",
			         close);
		else
			err_hint(e, "unicast, broadcast, multicast or otherhost");
		return -1;
	}
	p->given = true;
	p->invert = invert;
	p->type = s->value;
	return 0;
}

static int pkttype_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct pkttype_priv *p = priv;

	(void)c;
	if (!p->given) {
		err_set(e, NFSH_EPARAM, "pkttype", "-m pkttype needs --pkt-type");
		err_hint(e, "e.g. -m pkttype --pkt-type broadcast");
		return -1;
	}
	return 0;
}

static int pkttype_emit(struct emit_ctx *x, const void *priv)
{
	const struct pkttype_priv *p = priv;

	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", nftj_meta("pkttype"),
	                              nftj_str(sym_by_value(nft_types, p->type)->name)));
}

static int pkttype_recognise(struct read_ctx *r, void *priv)
{
	struct pkttype_priv *p = priv;
	const char *op, *key;
	const struct sym *s = NULL;
	json_t *left, *right;
	long long v;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) || !nftj_is_meta(left, &key) ||
	    strcmp(key, "pkttype") || (strcmp(op, "==") && strcmp(op, "!=")))
		return 0;
	if (json_is_string(right))
		s = sym_by_name(nft_types, json_string_value(right));
	if (!s && nftj_get_int(right, &v) && v >= 0 && v <= 3)
		s = sym_by_value(nft_types, (unsigned)v);
	if (!s)
		return 0;
	p->given = true;
	p->invert = strcmp(op, "!=") == 0;
	p->type = s->value;
	read_take(r, 1);
	return 1;
}

static void pkttype_save(const void *priv, int family, struct strbuf *sb)
{
	const struct pkttype_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --pkt-type %s", p->invert ? " !" : "",
	        sym_by_value(ipt_types, p->type)->name);
}

static void pkttype_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct pkttype_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "PKTTYPE %s %s", p->invert ? "!=" : "=",
	        sym_by_value(ipt_types, p->type)->name);
}

const struct ext ext_pkttype = {
    .name = "pkttype",
    .type = EXT_MATCH,
    .help = "link-layer packet type: unicast, broadcast, multicast (meta pkttype)",
    .families = NFSH_F_ANY,
    .opts = pkttype_opts,
    .nopts = 1,
    .priv_size = sizeof(struct pkttype_priv),
    .parse = pkttype_parse,
    .check = pkttype_check,
    .emit = pkttype_emit,
    .recognise = pkttype_recognise,
    .save = pkttype_save,
    .list = pkttype_list,
};
EXT_REGISTER(ext_pkttype);

/* -m connlabel [!] --label N [--set]: bit N (0-127) of the connection's
 * labels. Label names need /etc/xtables/connlabel.conf, which nfsh does not
 * read: numbers only.
 *   --label N            ct label N           (op "in": the bit is set)
 *   ! --label N          ct label ! N         (the bit is clear)
 *   --label N --set      ct label set N       (sets the bit; always matches)
 *   ! --label N --set    ct label set N ct label & N != N (sets it; never
 *                        matches), as xt_connlabel and iptables-translate. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { CL_LABEL, CL_SET };

struct connlabel_priv {
	bool given, invert, set;
	unsigned bit;
};

static const struct ext_opt connlabel_opts[] = {
    {"label", CL_LABEL, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N", "connection label bit 0-127"},
    {"set", CL_SET, 0, 0, VK_NONE, NULL, NULL, "set the label bit (and match)"},
};

static int connlabel_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                           bool invert, const char *const *args, struct nfsh_err *e)
{
	struct connlabel_priv *p = priv;
	unsigned long long v;

	(void)c;
	if (opt->id == CL_SET) {
		p->set = true;
		return 0;
	}
	if (parse_uint(args[0], 127, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --label \"%s\"", args[0]);
		err_hint(e, "a label bit 0-127 (names from connlabel.conf are not read)");
		return -1;
	}
	p->bit = (unsigned)v;
	p->invert = invert;
	p->given = true;
	return 0;
}

static int connlabel_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct connlabel_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "connlabel", "-m connlabel needs --label N");
	return -1;
}

static int connlabel_emit(struct emit_ctx *x, const void *priv)
{
	const struct connlabel_priv *p = priv;
	json_t *m;
	int rc;

	if (!p->set)
		return ext_emit(x, nftj_match(p->invert ? "!" : "in", nftj_ct("label", NULL),
		                              nftj_int(p->bit)));
	m = nftj_object();
	nftj_put(m, "key", nftj_ct("label", NULL));
	nftj_put(m, "value", nftj_int(p->bit));
	rc = ext_emit(x, nftj_stmt("mangle", m));
	if (!rc && p->invert)
		rc = ext_emit(
		    x, nftj_match("!=", nftj_binop("&", nftj_ct("label", NULL), nftj_int(p->bit)),
		                  nftj_int(p->bit)));
	return rc;
}

static bool is_label(json_t *v)
{
	const char *k, *dir;

	return nftj_is_ct(v, &k, &dir) && !strcmp(k, "label") && !dir;
}

static bool bit_of(json_t *v, unsigned *bit)
{
	long long n;

	if (!nftj_get_int(v, &n) || n < 0 || n > 127)
		return false;
	*bit = (unsigned)n;
	return true;
}

static int connlabel_recognise(struct read_ctx *r, void *priv)
{
	struct connlabel_priv *p = priv;
	const char *op, *name;
	json_t *left, *right, *body, *bin;
	unsigned b2;

	if (nftj_get_match(read_peek(r, 0), &op, &left, &right)) {
		if (!is_label(left) || (strcmp(op, "in") && strcmp(op, "!")) ||
		    !bit_of(right, &p->bit))
			return 0;
		p->invert = op[0] == '!';
		p->given = true;
		read_take(r, 1);
		return 1;
	}
	name = read_peek(r, 0) ? nftj_stmt_name(read_peek(r, 0), &body) : NULL;
	if (!name || strcmp(name, "mangle") || !is_label(json_object_get(body, "key")) ||
	    !bit_of(json_object_get(body, "value"), &p->bit))
		return 0;
	p->given = p->set = true;
	read_take(r, 1);
	if (nftj_get_match(read_peek(r, 0), &op, &left, &right) && !strcmp(op, "!=") &&
	    (bin = json_object_get(left, "&")) && json_is_array(bin) &&
	    is_label(json_array_get(bin, 0)) && bit_of(json_array_get(bin, 1), &b2) &&
	    b2 == p->bit && bit_of(right, &b2) && b2 == p->bit) {
		p->invert = true;
		read_take(r, 1);
	}
	return 1;
}

static void connlabel_save(const void *priv, int family, struct strbuf *sb)
{
	const struct connlabel_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --label \"%u\"%s", p->invert ? " !" : "", p->bit, p->set ? " --set" : "");
}

static void connlabel_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct connlabel_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "connlabel%s '%u'%s", p->invert ? " !" : "", p->bit, p->set ? " set" : "");
}

const struct ext ext_connlabel = {
    .name = "connlabel",
    .type = EXT_MATCH,
    .help = "connection label bits (ct label)",
    .families = NFSH_F_ANY,
    .opts = connlabel_opts,
    .nopts = 2,
    .priv_size = sizeof(struct connlabel_priv),
    .parse = connlabel_parse,
    .check = connlabel_check,
    .emit = connlabel_emit,
    .recognise = connlabel_recognise,
    .save = connlabel_save,
    .list = connlabel_list,
};
EXT_REGISTER(ext_connlabel);

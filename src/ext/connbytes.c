/* -m connbytes [!] --connbytes FROM[:TO] --connbytes-dir original|reply|both
 *              --connbytes-mode packets|bytes|avgpkt
 * The connection's counters: ct [DIR] packets|bytes|avgpkt with "both"
 * leaving out the direction (the sum, as xt_connbytes adds them).
 *   FROM (no upper end)  >= FROM       ! FROM      < FROM
 *   FROM:TO              FROM-TO       ! FROM:TO   != FROM-TO
 * as xt_connbytes tests them. JSON integers are signed: values above 2^63-1
 * are refused. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

#define CB_MAX 0x7fffffffffffffffull
#define CB_INF UINT64_MAX

enum { CB_RANGE, CB_DIR, CB_MODE };

struct connbytes_priv {
	bool range_set, invert;
	uint64_t from, to; /* to = CB_INF: no upper end */
	int dir, mode;     /* index + 1 into the tables below; 0 = not given */
};

static const char *const dirs[] = {"original", "reply", "both", NULL};
static const char *const modes[] = {"packets", "bytes", "avgpkt", NULL};

static const struct ext_opt connbytes_opts[] = {
    {"connbytes", CB_RANGE, 1, EXT_OPT_INV, VK_NUMBER, NULL, "FROM[:TO]",
     "counter at least FROM (and at most TO)"},
    {"connbytes-dir", CB_DIR, 1, 0, VK_ENUM, dirs, "original|reply|both", "which direction counts"},
    {"connbytes-mode", CB_MODE, 1, 0, VK_ENUM, modes, "packets|bytes|avgpkt", "what is counted"},
};

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	char buf[32];
	unsigned long long v;

	if (n >= sizeof(buf) || (n && s[0] == '-'))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_uint(buf, ~0ull, &v) < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_fromto(struct connbytes_priv *p, bool invert, const char *arg, struct nfsh_err *e)
{
	const char *colon = strchr(arg, ':');

	p->from = 0;
	p->to = CB_INF;
	if (colon) {
		if ((colon > arg && parse_u64(arg, (size_t)(colon - arg), &p->from) < 0) ||
		    (colon[1] && parse_u64(colon + 1, strlen(colon + 1), &p->to) < 0))
			goto bad;
	} else if (parse_u64(arg, strlen(arg), &p->from) < 0) {
		goto bad;
	}
	if (p->from > p->to)
		goto bad;
	if (p->from > CB_MAX || (p->to != CB_INF && p->to > CB_MAX)) {
		err_set(e, NFSH_EPARAM, arg,
		        "--connbytes %s: nftables takes counter values up to %llu in JSON", arg,
		        CB_MAX);
		return -1;
	}
	p->range_set = true;
	p->invert = invert;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "invalid --connbytes \"%s\"", arg);
	err_hint(e, "FROM or FROM:TO (FROM <= TO), numbers 0-%llu", CB_MAX);
	return -1;
}

static int pick(const char *const *tab, const char *arg, const char *opt, struct nfsh_err *e)
{
	for (int i = 0; tab[i]; i++)
		if (!strcmp(tab[i], arg))
			return i + 1;
	err_set(e, NFSH_EPARAM, arg, "unknown --%s \"%s\"", opt, arg);
	err_hint(e, "%s, %s or %s", tab[0], tab[1], tab[2]);
	return -1;
}

static int connbytes_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                           bool invert, const char *const *args, struct nfsh_err *e)
{
	struct connbytes_priv *p = priv;

	(void)c;
	if (opt->id == CB_RANGE)
		return parse_fromto(p, invert, args[0], e);
	if (opt->id == CB_DIR)
		return (p->dir = pick(dirs, args[0], opt->name, e)) < 0 ? -1 : 0;
	return (p->mode = pick(modes, args[0], opt->name, e)) < 0 ? -1 : 0;
}

static int connbytes_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct connbytes_priv *p = priv;

	(void)c;
	if (p->range_set && p->dir > 0 && p->mode > 0)
		return 0;
	err_set(e, NFSH_EPARAM, "connbytes",
	        "-m connbytes needs --connbytes, --connbytes-dir and --connbytes-mode");
	err_hint(
	    e, "e.g. -m connbytes --connbytes 10000: --connbytes-dir both --connbytes-mode bytes");
	return -1;
}

static int connbytes_emit(struct emit_ctx *x, const void *priv)
{
	const struct connbytes_priv *p = priv;
	json_t *left = nftj_ct(modes[p->mode - 1], p->dir == 3 ? NULL : dirs[p->dir - 1]);

	if (p->to == CB_INF)
		return ext_emit(
		    x, nftj_match(p->invert ? "<" : ">=", left, nftj_int((long long)p->from)));
	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", left,
	                              p->from == p->to ? nftj_int((long long)p->from)
	                                               : nftj_range(nftj_int((long long)p->from),
	                                                            nftj_int((long long)p->to))));
}

static int connbytes_recognise(struct read_ctx *r, void *priv)
{
	struct connbytes_priv *p = priv;
	const char *op, *key, *dir;
	json_t *left, *right, *a, *b;
	long long lo, hi;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) || !nftj_is_ct(left, &key, &dir))
		return 0;
	p->mode = 0;
	for (int i = 0; modes[i]; i++)
		if (!strcmp(key, modes[i]))
			p->mode = i + 1;
	p->dir = 3;
	for (int i = 0; dir && i < 2; i++)
		if (!strcmp(dir, dirs[i]))
			p->dir = i + 1;
	if (!p->mode || (dir && p->dir == 3))
		return 0;
	if (!strcmp(op, ">=") || !strcmp(op, "<")) {
		if (!nftj_get_int(right, &lo) || lo < 0)
			return 0;
		p->from = (uint64_t)lo;
		p->to = CB_INF;
		p->invert = op[0] == '<';
	} else if (!strcmp(op, "==") || !strcmp(op, "!=")) {
		if (nftj_get_int(right, &lo))
			hi = lo;
		else if (!nftj_get_range(right, &a, &b) || !nftj_get_int(a, &lo) ||
		         !nftj_get_int(b, &hi))
			return 0;
		if (lo < 0 || hi < lo)
			return 0;
		p->from = (uint64_t)lo;
		p->to = (uint64_t)hi;
		p->invert = op[0] == '!';
	} else {
		return 0;
	}
	p->range_set = true;
	read_take(r, 1);
	return 1;
}

static void print_range(const struct connbytes_priv *p, struct strbuf *sb)
{
	sb_addf(sb, "%llu", (unsigned long long)p->from);
	if (p->to != CB_INF)
		sb_addf(sb, ":%llu", (unsigned long long)p->to);
}

static void connbytes_save(const void *priv, int family, struct strbuf *sb)
{
	const struct connbytes_priv *p = priv;

	(void)family;
	sb_add(sb, p->invert ? " ! --connbytes " : " --connbytes ");
	print_range(p, sb);
	sb_addf(sb, " --connbytes-mode %s --connbytes-dir %s", modes[p->mode - 1],
	        dirs[p->dir - 1]);
}

static void connbytes_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct connbytes_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, p->invert ? "! connbytes " : "connbytes ");
	print_range(p, sb);
	sb_addf(sb, " connbytes mode %s connbytes direction %s", modes[p->mode - 1],
	        dirs[p->dir - 1]);
}

const struct ext ext_connbytes = {
    .name = "connbytes",
    .type = EXT_MATCH,
    .help = "connection packet/byte counters (ct packets, bytes, avgpkt)",
    .families = NFSH_F_ANY,
    .opts = connbytes_opts,
    .nopts = 3,
    .priv_size = sizeof(struct connbytes_priv),
    .parse = connbytes_parse,
    .check = connbytes_check,
    .emit = connbytes_emit,
    .recognise = connbytes_recognise,
    .save = connbytes_save,
    .list = connbytes_list,
};
EXT_REGISTER(ext_connbytes);

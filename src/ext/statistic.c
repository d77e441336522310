/* -m statistic:
 *   --mode random [!] --probability P   meta random & 0x7fffffff <|>= round(P * 2^31),
 *                                       the kernel's own test (xt_statistic);
 *   --mode nth [!] --every N --packet P numgen inc mod N [!=] P, as iptables-translate.
 * nth: iptables starts the rule's counter at (N-1)-P and the kernel matches
 * the packet that wraps it to 0, the (P+1)-th of every N; numgen inc starts at
 * 0, so "== P" is the same packet. nfsh's counter starts when the rule is
 * loaded, as xt_statistic's does. */
#include "ext/ext.h"
#include "nft/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RND_MASK 0x7fffffffu

enum { ST_MODE, ST_PROB, ST_EVERY, ST_PACKET };
enum { M_NONE, M_RANDOM, M_NTH };

struct statistic_priv {
	int mode;
	bool invert, prob_set, every_set, packet_set;
	uint32_t prob; /* round(P * 2^31) */
	uint32_t every, packet;
};

static const char *const modes[] = {"random", "nth", NULL};

static const struct ext_opt statistic_opts[] = {
    {"mode", ST_MODE, 1, 0, VK_ENUM, modes, "random|nth", "random sampling or every Nth packet"},
    {"probability", ST_PROB, 1, EXT_OPT_INV, VK_WORD, NULL, "P",
     "random mode: probability 0.0-1.0"},
    {"every", ST_EVERY, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N", "nth mode: one packet in N"},
    {"packet", ST_PACKET, 1, 0, VK_NUMBER, NULL, "P", "nth mode: which one (0 to N-1)"},
};

static int parse_num(const char *arg, const char *opt, unsigned long long max,
                     unsigned long long *v, struct nfsh_err *e)
{
	if (arg[0] != '-' && parse_uint(arg, max, v) == 0)
		return 0;
	err_set(e, NFSH_EPARAM, arg, "invalid --%s \"%s\"", opt, arg);
	err_hint(e, "a number 0-%llu", max);
	return -1;
}

static int statistic_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                           bool invert, const char *const *args, struct nfsh_err *e)
{
	struct statistic_priv *p = priv;
	unsigned long long v;
	char *end;
	double d;

	(void)c;
	switch (opt->id) {
	case ST_MODE:
		if (strcmp(args[0], "random") && strcmp(args[0], "nth")) {
			err_set(e, NFSH_EPARAM, args[0], "unknown --mode \"%s\"", args[0]);
			err_hint(e, "random or nth");
			return -1;
		}
		p->mode = args[0][0] == 'r' ? M_RANDOM : M_NTH;
		return 0;
	case ST_PROB:
		d = strtod(args[0], &end);
		if (end == args[0] || *end || !(d >= 0.0 && d <= 1.0)) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --probability \"%s\"", args[0]);
			err_hint(e, "a number from 0.0 to 1.0");
			return -1;
		}
		p->prob = (uint32_t)lround(0x80000000 * d);
		p->prob_set = true;
		p->invert |= invert;
		return 0;
	case ST_EVERY:
		if (parse_num(args[0], "every", UINT32_MAX, &v, e) < 0)
			return -1;
		if (v == 0)
			return err_set(e, NFSH_EPARAM, args[0], "--every must be at least 1");
		p->every = (uint32_t)v;
		p->every_set = true;
		p->invert |= invert;
		return 0;
	default:
		if (parse_num(args[0], "packet", UINT32_MAX, &v, e) < 0)
			return -1;
		p->packet = (uint32_t)v;
		p->packet_set = true;
		return 0;
	}
}

static int statistic_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct statistic_priv *p = priv;

	(void)c;
	if (p->mode == M_NONE)
		return err_set(e, NFSH_EPARAM, "statistic", "-m statistic needs --mode random|nth");
	if (p->mode == M_RANDOM && (p->every_set || p->packet_set))
		return err_set(e, NFSH_EPARAM, p->every_set ? "--every" : "--packet",
		               "--every and --packet belong to --mode nth");
	if (p->mode == M_NTH && p->prob_set)
		return err_set(e, NFSH_EPARAM, "--probability",
		               "--probability belongs to --mode random");
	if (p->mode == M_RANDOM && !p->prob_set)
		return err_set(e, NFSH_EPARAM, "random", "--mode random needs --probability P");
	if (p->mode == M_NTH && (!p->every_set || !p->packet_set))
		return err_set(e, NFSH_EPARAM, "nth", "--mode nth needs --every N and --packet P");
	if (p->mode == M_NTH && p->packet >= p->every) {
		err_set(e, NFSH_EPARAM, "--packet", "--packet %u is not below --every %u",
		        p->packet, p->every);
		err_hint(e, "packets are counted 0 to N-1");
		return -1;
	}
	return 0;
}

static int statistic_emit(struct emit_ctx *x, const void *priv)
{
	const struct statistic_priv *p = priv;
	json_t *ng;

	if (p->mode == M_RANDOM)
		return ext_emit(x,
		                nftj_match(p->invert ? ">=" : "<",
		                           nftj_binop("&", nftj_meta("random"), nftj_int(RND_MASK)),
		                           nftj_int(p->prob)));
	ng = nftj_object();
	nftj_put_str(ng, "mode", "inc");
	nftj_put_int(ng, "mod", p->every);
	nftj_put_int(ng, "offset", 0);
	return ext_emit(x, nftj_match(p->invert ? "!=" : "==",
	                              nftj_put(nftj_object(), "numgen", ng), nftj_int(p->packet)));
}

static bool read_random(json_t *s, struct statistic_priv *p)
{
	const char *op, *key;
	json_t *left, *right, *bin;
	long long mask, v;

	if (!nftj_get_match(s, &op, &left, &right) || (strcmp(op, "<") && strcmp(op, ">=")))
		return false;
	bin = json_object_get(left, "&");
	if (!json_is_array(bin) || !nftj_is_meta(json_array_get(bin, 0), &key) ||
	    strcmp(key, "random") || !nftj_get_int(json_array_get(bin, 1), &mask) ||
	    mask != RND_MASK || !nftj_get_int(right, &v) || v < 0 || v > 0x80000000ll)
		return false;
	p->mode = M_RANDOM;
	p->prob_set = true;
	p->prob = (uint32_t)v;
	p->invert = op[0] == '>';
	return true;
}

static bool read_nth(json_t *s, struct statistic_priv *p)
{
	const char *op, *mode;
	json_t *left, *right, *ng;
	long long mod, off = 0, v;

	if (!nftj_get_match(s, &op, &left, &right) || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	ng = json_object_get(left, "numgen");
	mode = json_string_value(json_object_get(ng, "mode"));
	if (!mode || strcmp(mode, "inc") || !nftj_get_int(json_object_get(ng, "mod"), &mod) ||
	    (json_object_get(ng, "offset") && !nftj_get_int(json_object_get(ng, "offset"), &off)) ||
	    off != 0 || mod < 1 || mod > UINT32_MAX || !nftj_get_int(right, &v) || v < 0 ||
	    v >= mod)
		return false;
	p->mode = M_NTH;
	p->every_set = p->packet_set = true;
	p->every = (uint32_t)mod;
	p->packet = (uint32_t)v;
	p->invert = op[0] == '!';
	return true;
}

static int statistic_recognise(struct read_ctx *r, void *priv)
{
	json_t *s = read_peek(r, 0);

	if (!s || (!read_random(s, priv) && !read_nth(s, priv)))
		return 0;
	read_take(r, 1);
	return 1;
}

static void statistic_save(const void *priv, int family, struct strbuf *sb)
{
	const struct statistic_priv *p = priv;

	(void)family;
	if (p->mode == M_RANDOM)
		sb_addf(sb, " --mode random%s --probability %.11f", p->invert ? " !" : "",
		        1.0 * p->prob / 0x80000000u);
	else
		sb_addf(sb, " --mode nth%s --every %u --packet %u", p->invert ? " !" : "", p->every,
		        p->packet);
}

static void statistic_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct statistic_priv *p = priv;

	(void)family;
	(void)numeric;
	if (p->mode == M_RANDOM)
		sb_addf(sb, "statistic mode random%s probability %.11f", p->invert ? " !" : "",
		        1.0 * p->prob / 0x80000000u);
	else
		sb_addf(sb, "statistic mode nth%s every %u packet %u", p->invert ? " !" : "",
		        p->every, p->packet);
}

const struct ext ext_statistic = {
    .name = "statistic",
    .type = EXT_MATCH,
    .help = "random sampling (meta random) or every Nth packet (numgen inc)",
    .families = NFSH_F_ANY,
    .opts = statistic_opts,
    .nopts = sizeof(statistic_opts) / sizeof(statistic_opts[0]),
    .priv_size = sizeof(struct statistic_priv),
    .parse = statistic_parse,
    .check = statistic_check,
    .emit = statistic_emit,
    .recognise = statistic_recognise,
    .save = statistic_save,
    .list = statistic_list,
};
EXT_REGISTER(ext_statistic);

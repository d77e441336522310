/* -m limit: nftables' limit statement.
 *   --limit N/UNIT    limit rate R/UNIT (canonicalised as iptables does)
 *   --limit-burst N   burst N packets
 * iptables keeps the rate as a period (1/10000 s per packet) and prints it back
 * in the largest unit that stays exact: 60/minute is saved as 1/sec. nfsh keeps
 * the same period so -S and the emitted rate agree with iptables-translate. */
#include "ext/ext.h"
#include "nft/json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIMIT_SCALE         10000u /* XT_LIMIT_SCALE */
#define LIMIT_BURST_DEFAULT 5u
#define LIMIT_AVG_DEFAULT   (LIMIT_SCALE * 3600u / 3u) /* 3/hour */

enum { LIM_RATE, LIM_BURST };

struct limit_priv {
	bool init;       /* defaults applied */
	uint32_t period; /* LIMIT_SCALE * seconds per packet */
	uint32_t burst;
};

/* Units largest first, as iptables' print_rate walks them. */
static const struct {
	const char *save; /* iptables -S name */
	const char *nft;  /* nftables "per" */
	uint32_t mult;    /* LIMIT_SCALE * seconds */
} units[] = {
    {"day", "day", LIMIT_SCALE * 24 * 60 * 60},
    {"hour", "hour", LIMIT_SCALE * 60 * 60},
    {"min", "minute", LIMIT_SCALE * 60},
    {"sec", "second", LIMIT_SCALE},
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

static const struct ext_opt limit_opts[] = {
    {"limit", LIM_RATE, 1, 0, VK_WORD, NULL, "N/second|minute|hour|day",
     "average rate (default 3/hour); units may be abbreviated"},
    {"limit-burst", LIM_BURST, 1, 0, VK_NUMBER, NULL, "N",
     "packets allowed in a burst before the rate applies (default 5)"},
};

static void limit_defaults(struct limit_priv *p)
{
	if (p->init)
		return;
	p->init = true;
	p->period = LIMIT_AVG_DEFAULT;
	p->burst = LIMIT_BURST_DEFAULT;
}

/* "N/unit" with unit a prefix of second|minute|hour|day, as xtables' parse_rate. */
static int parse_rate(const char *arg, uint32_t *period, struct nfsh_err *e)
{
	static const struct {
		const char *name;
		uint32_t mult;
	} in[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
	const char *slash = strchr(arg, '/');
	char num[32];
	unsigned long long r;
	uint32_t mult = 1;
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);

	if (n == 0 || n >= sizeof(num))
		goto bad;
	memcpy(num, arg, n);
	num[n] = '\0';
	if (strspn(num, "0123456789") != n || parse_uint(num, 0xffffffffull, &r) < 0 || r == 0)
		goto bad;
	if (slash) {
		size_t len = strlen(slash + 1);
		size_t k;

		for (k = 0; k < 4; k++)
			if (len && strncasecmp(in[k].name, slash + 1, len) == 0)
				break;
		if (k == 4)
			goto bad;
		mult = in[k].mult;
	}
	/* The kernel counts in 1/10000 s: a faster rate cannot be represented. */
	if (r > (unsigned long long)LIMIT_SCALE * mult) {
		err_set(e, NFSH_EPARAM, arg, "rate \"%s\" is too fast", arg);
		err_hint(e, "at most %u per second", LIMIT_SCALE);
		return -1;
	}
	*period = (uint32_t)((unsigned long long)LIMIT_SCALE * mult / r);
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "bad rate \"%s\"", arg);
	err_hint(e, "N/second, N/minute, N/hour or N/day (N > 0; units may be abbreviated)");
	return -1;
}

static int limit_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct limit_priv *p = priv;
	unsigned long long v;

	(void)c;
	(void)invert;
	limit_defaults(p);
	if (opt->id == LIM_RATE)
		return parse_rate(args[0], &p->period, e);
	if (parse_uint(args[0], 10000, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "bad --limit-burst \"%s\"", args[0]);
		err_hint(e, "a number 0-10000");
		return -1;
	}
	/* The nftables kernel takes burst 0 as its default of 5 (iptables-nft
	 * stores it so too, and legacy xt_limit refuses 0): say what happens. */
	p->burst = v ? (uint32_t)v : LIMIT_BURST_DEFAULT;
	return 0;
}

static int limit_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	(void)e;
	limit_defaults(priv); /* a bare -m limit is 3/hour burst 5, as in iptables */
	return 0;
}

/* The unit iptables would print the period in: the largest exact one. */
static size_t rate_unit(uint32_t period)
{
	size_t i;

	for (i = 1; i < NUNITS; i++)
		if (period > units[i].mult || units[i].mult / period < units[i].mult % period)
			break;
	return i - 1;
}

static int limit_emit(struct emit_ctx *x, const void *priv)
{
	const struct limit_priv *p = priv;
	size_t u;
	json_t *b;

	if (!p->period) {
		err_set(x->err, NFSH_EPARAM, "limit", "-m limit with a zero period");
		return -1;
	}
	u = rate_unit(p->period);
	b = nftj_object();
	nftj_put_int(b, "rate", units[u].mult / p->period);
	nftj_put_int(b, "burst", p->burst);
	nftj_put_str(b, "per", units[u].nft);
	return ext_emit(x, nftj_stmt("limit", b));
}

static int limit_recognise(struct read_ctx *r, void *priv)
{
	struct limit_priv *p = priv;
	json_t *body, *stmt = read_peek(r, 0);
	const char *name = stmt ? nftj_stmt_name(stmt, &body) : NULL;
	const char *per;
	long long rate, burst = LIMIT_BURST_DEFAULT;
	size_t u;

	if (!name || strcmp(name, "limit") || !json_is_object(body))
		return 0;
	/* Byte rates ("unit": "bytes"), inverted limits ("inv") and anything else
	 * iptables' limit cannot express stay foreign. */
	if (json_object_get(body, "inv") && json_is_true(json_object_get(body, "inv")))
		return 0;
	if (json_object_get(body, "rate_unit") &&
	    strcmp(json_string_value(json_object_get(body, "rate_unit")) ?: "", "packets"))
		return 0;
	if (!nftj_get_int(json_object_get(body, "rate"), &rate) || rate <= 0)
		return 0;
	per = json_string_value(json_object_get(body, "per"));
	for (u = 0; u < NUNITS; u++)
		if (per && strcmp(per, units[u].nft) == 0)
			break;
	if (u == NUNITS || (unsigned long long)rate > units[u].mult)
		return 0;
	if (json_object_get(body, "burst") &&
	    (!nftj_get_int(json_object_get(body, "burst"), &burst) || burst < 0 ||
	     burst > 0xffffffffll))
		return 0;
	p->init = true;
	p->period = (uint32_t)(units[u].mult / (unsigned long long)rate);
	p->burst = (uint32_t)burst;
	read_take(r, 1);
	return 1;
}

static void print_rate(const struct limit_priv *p, struct strbuf *sb)
{
	size_t u = rate_unit(p->period);

	sb_addf(sb, "%u/%s", units[u].mult / p->period, units[u].save);
}

static void limit_save(const void *priv, int family, struct strbuf *sb)
{
	const struct limit_priv *p = priv;

	(void)family;
	sb_add(sb, " --limit ");
	print_rate(p, sb);
	if (p->burst != LIMIT_BURST_DEFAULT)
		sb_addf(sb, " --limit-burst %u", p->burst);
}

static void limit_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct limit_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "limit: avg ");
	print_rate(p, sb);
	sb_addf(sb, " burst %u", p->burst);
}

const struct ext ext_limit = {
    .name = "limit",
    .type = EXT_MATCH,
    .help = "match at a limited average rate, with bursts (nft limit)",
    .families = NFSH_F_ANY,
    .opts = limit_opts,
    .nopts = sizeof(limit_opts) / sizeof(limit_opts[0]),
    .priv_size = sizeof(struct limit_priv),
    .parse = limit_parse,
    .check = limit_check,
    .emit = limit_emit,
    .recognise = limit_recognise,
    .save = limit_save,
    .list = limit_list,
};
EXT_REGISTER(ext_limit);

/* -m dscp --dscp V | --dscp-class NAME: the 6-bit DSCP field, "ip dscp V" or
 * "ip6 dscp V". */
#include "ext/dscp.h"
#include "nft/json.h"

#include <string.h>
#include <strings.h>

struct dscp_priv {
	bool given, invert;
	unsigned value;
};

/* DiffServ class names (RFC 2474, 2597, 3246, 8622), as iptables and nft know
 * them; nft lists some values by name ("ef", "lephb"). */
const struct sym dscp_classes[] = {
    {"CS0", 0x00},  {"CS1", 0x08},  {"CS2", 0x10},  {"CS3", 0x18},   {"CS4", 0x20},
    {"CS5", 0x28},  {"CS6", 0x30},  {"CS7", 0x38},  {"BE", 0x00},    {"AF11", 0x0a},
    {"AF12", 0x0c}, {"AF13", 0x0e}, {"AF21", 0x12}, {"AF22", 0x14},  {"AF23", 0x16},
    {"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e}, {"AF41", 0x22},  {"AF42", 0x24},
    {"AF43", 0x26}, {"EF", 0x2e},   {"VA", 0x2c},   {"LEPHB", 0x01}, {NULL, 0},
};
static const char *const class_names[] = {
    "CS0",  "CS1",  "CS2",  "CS3",  "CS4",  "CS5",  "CS6",  "CS7",  "BE",   "AF11", "AF12", "AF13",
    "AF21", "AF22", "AF23", "AF31", "AF32", "AF33", "AF41", "AF42", "AF43", "EF",   NULL};

static const struct ext_opt dscp_opts[] = {
    {"dscp", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "VALUE", "DSCP value 0-0x3f"},
    {"dscp-class", 1, 1, EXT_OPT_INV, VK_ENUM, class_names, "CLASS",
     "DiffServ class: CS0-CS7, BE, AF11-AF43, EF"},
};

bool dscp_read_value(json_t *v, unsigned *out)
{
	const struct sym *s;
	long long n;

	if (nftj_get_int(v, &n) && n >= 0 && n <= 0x3f)
		*out = (unsigned)n;
	else if (json_is_string(v) && (s = sym_by_name(dscp_classes, json_string_value(v))))
		*out = s->value;
	else
		return false;
	return true;
}

static const char *const ecn_names[] = {"not-ect", "ect1", "ect0", "ce", NULL};

bool ecn_read_value(json_t *v, unsigned *out)
{
	const char *s = json_string_value(v);
	long long n;

	if (nftj_get_int(v, &n) && n >= 0 && n <= 3) {
		*out = (unsigned)n;
		return true;
	}
	for (unsigned k = 0; s && ecn_names[k]; k++)
		if (strcmp(s, ecn_names[k]) == 0) {
			*out = k;
			return true;
		}
	return false;
}

/* RFC 1349 names, as libxt_tos_helper.h knows them. */
static const struct sym tos_names[] = {
    {"Minimize-Delay", 0x10}, {"Maximize-Throughput", 0x08}, {"Maximize-Reliability", 0x04},
    {"Minimize-Cost", 0x02},  {"Normal-Service", 0x00},      {NULL, 0},
};

int tos_parse_value(const char *arg, unsigned *value, unsigned *mask, const char *what,
                    struct nfsh_err *e)
{
	char num[32];
	const char *slash = strchr(arg, '/');
	const struct sym *s = sym_by_name(tos_names, arg);
	unsigned long long v, m = 0xff;
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);

	if (s) {
		*value = s->value;
		*mask = 0x3f;
		return 0;
	}
	if (n < sizeof(num)) {
		memcpy(num, arg, n);
		num[n] = '\0';
	}
	if (n >= sizeof(num) || parse_uint(num, 0xff, &v) < 0 ||
	    (slash && parse_uint(slash + 1, 0xff, &m) < 0)) {
		err_set(e, NFSH_EPARAM, arg, "invalid %s \"%s\"", what, arg);
		err_hint(e,
		         "VALUE[/MASK] with both 0-0xff, or Minimize-Delay, Maximize-Throughput, "
		         "Maximize-Reliability, Minimize-Cost, Normal-Service");
		return -1;
	}
	*value = (unsigned)v;
	*mask = (unsigned)m;
	return 0;
}

bool tos_match_pending(const struct read_ctx *r)
{
	if (!read_tag_names(r, "tos"))
		return false;
	for (int k = 0; k < r->rule->nmatches; k++)
		if (strcmp(r->rule->matches[k].ext->name, "tos") == 0)
			return false;
	return true;
}

static int dscp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct dscp_priv *p = priv;
	unsigned long long v;
	const struct sym *s;

	(void)c;
	if (p->given) {
		err_set(e, NFSH_EPARAM, opt->name, "-m dscp takes one of --dscp, --dscp-class");
		err_hint(e, "a class is only a name for a --dscp value");
		return -1;
	}
	if (opt->id == 0) {
		if (parse_uint(args[0], 0x3f, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --dscp \"%s\"", args[0]);
			err_hint(e, "a number 0-0x3f, or --dscp-class NAME");
			return -1;
		}
		p->value = (unsigned)v;
	} else {
		s = sym_by_name(dscp_classes, args[0]);
		if (!s || strcasecmp(s->name, "VA") == 0 || strcasecmp(s->name, "LEPHB") == 0) {
			err_set(e, NFSH_EPARAM, args[0], "unknown DSCP class \"%s\"", args[0]);
			err_hint(e, "CS0-CS7, BE, AF11-AF43 or EF");
			return -1;
		}
		p->value = s->value;
	}
	p->given = true;
	p->invert = invert;
	return 0;
}

static int dscp_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct dscp_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "dscp", "-m dscp needs --dscp or --dscp-class");
	err_hint(e, "e.g. -m dscp --dscp-class EF");
	return -1;
}

static int dscp_emit(struct emit_ctx *x, const void *priv)
{
	const struct dscp_priv *p = priv;

	return ext_emit(x, nftj_match(p->invert ? "!=" : "==",
	                              nftj_payload(x->family == NFSH_IPV6 ? "ip6" : "ip", "dscp"),
	                              nftj_int(p->value)));
}

static int dscp_recognise(struct read_ctx *r, void *priv)
{
	struct dscp_priv *p = priv;
	const char *op, *proto, *field;
	json_t *left, *right;
	long long v;
	const struct sym *s;

	if (tos_match_pending(r) || !nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    !nftj_is_payload(left, &proto, &field) || strcmp(field, "dscp") ||
	    strcmp(proto, r->family == NFSH_IPV6 ? "ip6" : "ip") ||
	    (strcmp(op, "==") && strcmp(op, "!=")))
		return 0;
	if (nftj_get_int(right, &v) && v >= 0 && v <= 0x3f)
		p->value = (unsigned)v;
	else if (json_is_string(right) && (s = sym_by_name(dscp_classes, json_string_value(right))))
		p->value = s->value;
	else
		return 0;
	p->given = true;
	p->invert = strcmp(op, "!=") == 0;
	read_take(r, 1);
	return 1;
}

static void dscp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct dscp_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --dscp 0x%02x", p->invert ? " !" : "", p->value);
}

static void dscp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct dscp_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "DSCP match %s0x%02x", p->invert ? "!" : "", p->value);
}

const struct ext ext_dscp = {
    .name = "dscp",
    .type = EXT_MATCH,
    .help = "DiffServ code point (ip dscp / ip6 dscp)",
    .families = NFSH_F_ANY,
    .opts = dscp_opts,
    .nopts = sizeof(dscp_opts) / sizeof(dscp_opts[0]),
    .priv_size = sizeof(struct dscp_priv),
    .parse = dscp_parse,
    .check = dscp_check,
    .emit = dscp_emit,
    .recognise = dscp_recognise,
    .save = dscp_save,
    .list = dscp_list,
};
EXT_REGISTER(ext_dscp);

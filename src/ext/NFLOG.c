/* -j NFLOG: nftables' log statement with a group (nfnetlink_log).
 *   --nflog-group N      log group N (0 is the default and not printed)
 *   --nflog-prefix STR   prefix STR (at most 127 characters, nft's limit)
 *   --nflog-size N       snaplen N
 *   --nflog-threshold N  queue-threshold N
 *   --nflog-range N      accepted and dropped: without the copy-length flag the
 *                        kernel ignores it (iptables calls it broken), so it
 *                        changes nothing. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { NFL_GROUP, NFL_PREFIX, NFL_RANGE, NFL_SIZE, NFL_THRESHOLD };

struct nflog_priv {
	unsigned given; /* bit per option id */
	unsigned group, threshold;
	unsigned long long size;
	char prefix[128];
};

static const struct ext_opt nflog_opts[] = {
    {"nflog-group", NFL_GROUP, 1, 0, VK_NUMBER, NULL, "GROUP", "netlink group 0-65535"},
    {"nflog-prefix", NFL_PREFIX, 1, 0, VK_WORD, NULL, "PREFIX", "prefix of the messages"},
    {"nflog-range", NFL_RANGE, 1, 0, VK_NUMBER, NULL, "SIZE",
     "obsolete, ignored by the kernel; use --nflog-size"},
    {"nflog-size", NFL_SIZE, 1, 0, VK_NUMBER, NULL, "SIZE", "bytes of the packet to copy"},
    {"nflog-threshold", NFL_THRESHOLD, 1, 0, VK_NUMBER, NULL, "COUNT",
     "packets to queue in the kernel before sending"},
};

static int nflog_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct nflog_priv *p = priv;
	unsigned long long v,
	    max = opt->id == NFL_GROUP || opt->id == NFL_THRESHOLD ? 65535 : 4294967295ull;

	(void)c;
	(void)invert;
	if (opt->id == NFL_PREFIX) {
		if (strlen(args[0]) >= sizeof(p->prefix)) {
			err_set(e, NFSH_EPARAM, args[0],
			        "--nflog-prefix is longer than %zu characters",
			        sizeof(p->prefix) - 1);
			err_hint(e, "shorten the prefix");
			return -1;
		}
		snprintf(p->prefix, sizeof(p->prefix), "%s", args[0]);
		p->given |= 1u << NFL_PREFIX;
		return 0;
	}
	if (parse_uint(args[0], max, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --%s \"%s\"", opt->name, args[0]);
		err_hint(e, "a number 0-%llu", max);
		return -1;
	}
	if (opt->id == NFL_RANGE)
		return 0;
	if (opt->id == NFL_GROUP)
		p->group = (unsigned)v;
	else if (opt->id == NFL_THRESHOLD)
		p->threshold = (unsigned)v;
	else
		p->size = v;
	p->given |= 1u << opt->id;
	return 0;
}

static int nflog_emit(struct emit_ctx *x, const void *priv)
{
	const struct nflog_priv *p = priv;
	json_t *body = nftj_object();

	if (p->given & (1u << NFL_PREFIX))
		nftj_put_str(body, "prefix", p->prefix);
	nftj_put_int(body, "group", p->group);
	if (p->given & (1u << NFL_SIZE))
		nftj_put_int(body, "snaplen", (long long)p->size);
	if (p->given & (1u << NFL_THRESHOLD))
		nftj_put_int(body, "queue-threshold", p->threshold);
	return ext_emit(x, nftj_stmt("log", body));
}

static int nflog_recognise(struct read_ctx *r, void *priv)
{
	struct nflog_priv *p = priv;
	json_t *body, *v;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body), *key;
	long long n;

	if (!name || strcmp(name, "log") || !json_is_object(body) ||
	    !nftj_get_int(json_object_get(body, "group"), &n) || n < 0 || n > 65535)
		return 0;
	p->group = (unsigned)n;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "group") == 0)
			continue;
		if (strcmp(key, "prefix") == 0 && json_is_string(v) &&
		    strlen(json_string_value(v)) < sizeof(p->prefix)) {
			snprintf(p->prefix, sizeof(p->prefix), "%s", json_string_value(v));
			p->given |= 1u << NFL_PREFIX;
		} else if (strcmp(key, "snaplen") == 0 && nftj_get_int(v, &n) && n >= 0) {
			p->size = (unsigned long long)n;
			p->given |= 1u << NFL_SIZE;
		} else if (strcmp(key, "queue-threshold") == 0 && nftj_get_int(v, &n) && n >= 0 &&
		           n <= 65535) {
			p->threshold = (unsigned)n;
			p->given |= 1u << NFL_THRESHOLD;
		} else {
			return 0;
		}
	}
	read_take(r, 1);
	return 1;
}

static void nflog_format(const struct nflog_priv *p, const char *dashes, struct strbuf *sb)
{
	if (p->given & (1u << NFL_PREFIX)) {
		sb_addf(sb, " %snflog-prefix", dashes);
		ext_save_string(sb, p->prefix);
	}
	if (p->group)
		sb_addf(sb, " %snflog-group %u", dashes, p->group);
	if (p->given & (1u << NFL_SIZE))
		sb_addf(sb, " %snflog-size %llu", dashes, p->size);
	if (p->given & (1u << NFL_THRESHOLD))
		sb_addf(sb, " %snflog-threshold %u", dashes, p->threshold);
}

static void nflog_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	nflog_format(priv, "--", sb);
}

static void nflog_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	struct strbuf tmp;

	(void)family;
	(void)numeric;
	sb_init(&tmp);
	nflog_format(priv, "", &tmp);
	sb_add(sb, tmp.len ? sb_str(&tmp) + 1 : "");
	sb_free(&tmp);
}

const struct ext ext_NFLOG = {
    .name = "NFLOG",
    .type = EXT_TARGET,
    .help = "send packets to a netlink log group (log group N)",
    .families = NFSH_F_ANY,
    .opts = nflog_opts,
    .nopts = sizeof(nflog_opts) / sizeof(nflog_opts[0]),
    .priv_size = sizeof(struct nflog_priv),
    .parse = nflog_parse,
    .emit = nflog_emit,
    .recognise = nflog_recognise,
    .save = nflog_save,
    .list = nflog_list,
};
EXT_REGISTER(ext_NFLOG);

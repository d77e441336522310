/* -j LOG: nftables' log statement (kernel log, nf_log).
 *   --log-prefix P          log prefix "P"
 *   --log-level L           log level NAME (name or 0-7; 4/warning is the default)
 *   --log-tcp-sequence, --log-tcp-options, --log-ip-options, --log-uid,
 *   --log-macdecode         log flags tcp sequence / tcp options / ip options /
 *                           skuid / ether
 * LOG is not terminal: the rule has no verdict, as in iptables. */
#include "ext/LOG.h"
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

/* XT_LOG_* bits, the same as nftables' NF_LOG_* flags. */
enum {
	LF_TCPSEQ = 0x01,
	LF_TCPOPT = 0x02,
	LF_IPOPT = 0x04,
	LF_UID = 0x08,
	LF_MACDECODE = 0x20,
};
#define LF_ALL (LF_TCPSEQ | LF_TCPOPT | LF_IPOPT | LF_UID | LF_MACDECODE)

enum { LOG_PREFIX, LOG_LEVEL, LOG_TCPSEQ, LOG_TCPOPT, LOG_IPOPT, LOG_UID, LOG_MACDECODE };

/* Names accepted for --log-level: iptables' and nftables' spellings. */
static const struct sym level_in[] = {
    {"emerg", 0}, {"alert", 1}, {"crit", 2},  {"error", 3}, {"warning", 4}, {"notice", 5},
    {"info", 6},  {"debug", 7}, {"panic", 0}, {"err", 3},   {"warn", 4},    {NULL, 0},
};
/* nftables' names, index = level; iptables-nft -L prints these too. */
static const char *const level_nft[] = {"emerg", "alert",  "crit", "err",
                                        "warn",  "notice", "info", "debug"};

static const char *const level_names[] = {"emerg",  "alert", "crit",  "error", "warning",
                                          "notice", "info",  "debug", NULL};

static const struct {
	unsigned bit;
	const char *opt;  /* iptables -S */
	const char *list; /* iptables -L */
	const char *nft;  /* nftables log flag */
} flag_tab[] = {
    {LF_TCPSEQ, "--log-tcp-sequence", "tcp-sequence", "tcp sequence"},
    {LF_TCPOPT, "--log-tcp-options", "tcp-options", "tcp options"},
    {LF_IPOPT, "--log-ip-options", "ip-options", "ip options"},
    {LF_UID, "--log-uid", "uid", "skuid"},
    {LF_MACDECODE, "--log-macdecode", "macdecode", "ether"},
};
#define NFLAGS (sizeof(flag_tab) / sizeof(flag_tab[0]))

static const struct ext_opt log_opts[] = {
    {"log-prefix", LOG_PREFIX, 1, 0, VK_WORD, NULL, "PREFIX",
     "text put before each log line (at most 29 characters)"},
    {"log-level", LOG_LEVEL, 1, 0, VK_ENUM, level_names, "LEVEL",
     "syslog level: a name or 0-7 (default warning)"},
    {"log-tcp-sequence", LOG_TCPSEQ, 0, 0, VK_NONE, NULL, NULL, "log TCP sequence numbers"},
    {"log-tcp-options", LOG_TCPOPT, 0, 0, VK_NONE, NULL, NULL, "log TCP options"},
    {"log-ip-options", LOG_IPOPT, 0, 0, VK_NONE, NULL, NULL, "log IP/IPv6 options"},
    {"log-uid", LOG_UID, 0, 0, VK_NONE, NULL, NULL, "log the UID of the sending process"},
    {"log-macdecode", LOG_MACDECODE, 0, 0, VK_NONE, NULL, NULL, "decode the MAC header"},
};

static int parse_level(struct log_priv *p, const char *arg, struct nfsh_err *e)
{
	unsigned long long v;
	const struct sym *s = sym_by_name(level_in, arg);

	if (s)
		p->level = s->value;
	else if (parse_uint(arg, 7, &v) == 0)
		p->level = (unsigned)v;
	else {
		const char *close = err_closest(arg, level_names, 8);

		err_set(e, NFSH_EPARAM, arg, "unknown log level \"%s\"", arg);
		if (close)
			err_hint(e, "did you mean \"%s\"? (a syslog level name or 0-7)", close);
		else
			err_hint(e, "emerg alert crit error warning notice info debug, or 0-7");
		return -1;
	}
	p->level_set = true;
	return 0;
}

static int log_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct log_priv *p = priv;
	size_t n;

	(void)c;
	(void)invert;
	switch (opt->id) {
	case LOG_PREFIX:
		n = strlen(args[0]);
		if (n == 0)
			return err_set(e, NFSH_EPARAM, "--log-prefix", "empty --log-prefix");
		if (n > LOG_PREFIX_MAX) {
			err_set(e, NFSH_EPARAM, args[0], "--log-prefix is %zu characters long", n);
			err_hint(e, "at most %d", LOG_PREFIX_MAX);
			return -1;
		}
		if (strchr(args[0], '\n'))
			return err_set(e, NFSH_EPARAM, args[0], "newline in --log-prefix");
		memcpy(p->prefix, args[0], n + 1);
		return 0;
	case LOG_LEVEL:
		return parse_level(p, args[0], e);
	default:
		p->flags |= flag_tab[opt->id - LOG_TCPSEQ].bit;
		return 0;
	}
}

static int log_emit(struct emit_ctx *x, const void *priv)
{
	const struct log_priv *p = priv;
	json_t *b, *flags;

	if (!p->prefix[0] && (!p->level_set || p->level == LOG_LEVEL_DEFAULT) && !p->flags)
		return ext_emit(x, nftj_stmt("log", NULL));
	b = nftj_object();
	if (p->prefix[0])
		nftj_put_str(b, "prefix", p->prefix);
	if (p->level_set && p->level != LOG_LEVEL_DEFAULT)
		nftj_put_str(b, "level", level_nft[p->level]);
	if (p->flags == LF_ALL) {
		nftj_put_str(b, "flags", "all");
	} else if (p->flags) {
		flags = nftj_array();
		for (size_t i = 0; i < NFLAGS; i++)
			if (p->flags & flag_tab[i].bit)
				nftj_push(flags, nftj_str(flag_tab[i].nft));
		nftj_put(b, "flags", flags);
	}
	return ext_emit(x, nftj_stmt("log", b));
}

static bool read_flag(struct log_priv *p, const char *f)
{
	if (strcmp(f, "all") == 0) {
		p->flags |= LF_ALL;
		return true;
	}
	for (size_t i = 0; i < NFLAGS; i++)
		if (strcmp(f, flag_tab[i].nft) == 0) {
			p->flags |= flag_tab[i].bit;
			return true;
		}
	return false;
}

static int log_recognise(struct read_ctx *r, void *priv)
{
	struct log_priv *p = priv;
	json_t *body, *v, *el;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body);
	const char *key;
	size_t i;

	if (!name || strcmp(name, "log"))
		return 0;
	p->level = LOG_LEVEL_DEFAULT;
	if (json_is_object(body)) {
		json_object_foreach(body, key, v)
		{
			if (strcmp(key, "prefix") == 0 && json_is_string(v) &&
			    strlen(json_string_value(v)) <= LOG_PREFIX_MAX) {
				snprintf(p->prefix, sizeof(p->prefix), "%s", json_string_value(v));
			} else if (strcmp(key, "level") == 0 && json_is_string(v)) {
				unsigned k;

				for (k = 0; k < 8; k++)
					if (strcmp(level_nft[k], json_string_value(v)) == 0)
						break;
				if (k == 8)
					return 0; /* "audit" has no iptables LOG form */
				p->level = k;
				p->level_set = true;
			} else if (strcmp(key, "flags") == 0 && json_is_string(v)) {
				if (!read_flag(p, json_string_value(v)))
					return 0;
			} else if (strcmp(key, "flags") == 0 && json_is_array(v)) {
				json_array_foreach(v, i, el)
				{
					if (!json_is_string(el) ||
					    !read_flag(p, json_string_value(el)))
						return 0;
				}
			} else {
				return 0; /* group, snaplen, ...: NFLOG's, not LOG's */
			}
		}
	} else if (!json_is_null(body)) {
		return 0;
	}
	read_take(r, 1);
	return 1;
}

static void log_save(const void *priv, int family, struct strbuf *sb)
{
	const struct log_priv *p = priv;

	(void)family;
	if (p->prefix[0]) {
		sb_add(sb, " --log-prefix");
		ext_save_string(sb, p->prefix);
	}
	if (p->level_set && p->level != LOG_LEVEL_DEFAULT)
		sb_addf(sb, " --log-level %u", p->level);
	for (size_t i = 0; i < NFLAGS; i++)
		if (p->flags & flag_tab[i].bit)
			sb_addf(sb, " %s", flag_tab[i].opt);
}

static void log_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct log_priv *p = priv;
	unsigned level = p->level_set ? p->level : LOG_LEVEL_DEFAULT;

	(void)family;
	sb_add(sb, "LOG");
	if (numeric) {
		sb_addf(sb, " flags %u level %u", p->flags, level);
	} else {
		sb_addf(sb, " level %s", level_nft[level]);
		for (size_t i = 0; i < NFLAGS; i++)
			if (p->flags & flag_tab[i].bit)
				sb_addf(sb, " %s", flag_tab[i].list);
	}
	if (p->prefix[0])
		sb_addf(sb, " prefix \"%s\"", p->prefix);
}

const struct ext ext_LOG = {
    .name = "LOG",
    .type = EXT_TARGET,
    .help = "log the packet to the kernel log (nft log), then continue",
    .families = NFSH_F_ANY,
    .opts = log_opts,
    .nopts = sizeof(log_opts) / sizeof(log_opts[0]),
    .priv_size = sizeof(struct log_priv),
    .parse = log_parse,
    .emit = log_emit,
    .recognise = log_recognise,
    .save = log_save,
    .list = log_list,
};
EXT_REGISTER(ext_LOG);

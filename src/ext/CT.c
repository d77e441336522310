/* -j CT: conntrack template settings, each one a native statement:
 *   --notrack                 notrack
 *   --zone[-orig|-reply] N    ct [original|reply] zone set N
 *   --ctevents LIST           ct event set LIST
 * What needs a named object in nftables (--helper: a ct helper object,
 * --timeout: a ct timeout object) or has no nftables statement at all
 * (--expevents; --zone mark) is refused with the nearest native form. */
#include "ext/ct_target.h"
#include "nft/json.h"

#include <string.h>

enum {
	CTT_NOTRACK,
	CTT_ZONE,
	CTT_ZONE_ORIG,
	CTT_ZONE_REPLY,
	CTT_EVENTS,
	CTT_EXPEVENTS,
	CTT_HELPER,
	CTT_TIMEOUT
};

/* iptables' event names in its print order, and nftables' name for each. */
static const struct sym ct_event_syms[] = {
    {"new", 1 << 0},        {"related", 1 << 1},   {"destroy", 1 << 2}, {"reply", 1 << 3},
    {"assured", 1 << 4},    {"protoinfo", 1 << 5}, {"helper", 1 << 6},  {"mark", 1 << 7},
    {"natseqinfo", 1 << 8}, {"secmark", 1 << 9},   {NULL, 0},
};
static const struct sym nft_event_syms[] = {
    {"new", 1 << 0},     {"related", 1 << 1},   {"destroy", 1 << 2}, {"reply", 1 << 3},
    {"assured", 1 << 4}, {"protoinfo", 1 << 5}, {"helper", 1 << 6},  {"mark", 1 << 7},
    {"seqadj", 1 << 8},  {"secmark", 1 << 9},   {NULL, 0},
};
static const char *const event_names[] = {"new",        "related",   "destroy", "reply",
                                          "assured",    "protoinfo", "helper",  "mark",
                                          "natseqinfo", "secmark",   NULL};

static const struct ext_opt ct_tgt_opts[] = {
    {"notrack", CTT_NOTRACK, 0, 0, VK_NONE, NULL, NULL, "do not track these packets"},
    {"zone", CTT_ZONE, 1, 0, VK_NUMBER, NULL, "ID", "conntrack zone 0-65535"},
    {"zone-orig", CTT_ZONE_ORIG, 1, 0, VK_NUMBER, NULL, "ID",
     "conntrack zone of the original direction"},
    {"zone-reply", CTT_ZONE_REPLY, 1, 0, VK_NUMBER, NULL, "ID",
     "conntrack zone of the reply direction"},
    {"ctevents", CTT_EVENTS, 1, 0, VK_LIST, event_names, "EVENT[,EVENT...]",
     "conntrack events to generate"},
    {"expevents", CTT_EXPEVENTS, 1, 0, VK_WORD, NULL, "EVENT[,EVENT...]",
     "expectation events (no nftables form)"},
    {"helper", CTT_HELPER, 1, 0, VK_WORD, NULL, "NAME",
     "conntrack helper (needs an nft ct helper object)"},
    {"timeout", CTT_TIMEOUT, 1, 0, VK_WORD, NULL, "NAME",
     "timeout policy (needs an nft ct timeout object)"},
};

static int refuse(const char *word, struct nfsh_err *e, const char *why, const char *hint)
{
	err_set(e, NFSH_EPARAM, word, "-j CT --%s: %s", word, why);
	err_hint(e, "%s", hint);
	return -1;
}

static int parse_zone(struct ct_tgt_priv *p, const struct ext_opt *opt, const char *arg,
                      struct nfsh_err *e)
{
	unsigned long long v;

	if (p->zone_set)
		return err_set(e, NFSH_EPARAM, opt->name, "-j CT takes one --zone option");
	if (strcmp(arg, "mark") == 0)
		return refuse(opt->name, e,
		              "a zone taken from the packet mark is not offered: the 16-bit zone "
		              "register load of a 32-bit mark is byte-order dependent",
		              "give a number, or write nft 'ct zone set meta mark' yourself");
	if (parse_uint(arg, 65535, &v) < 0) {
		err_set(e, NFSH_EPARAM, arg, "invalid zone \"%s\"", arg);
		err_hint(e, "a number 0-65535");
		return -1;
	}
	p->zone = (unsigned)v;
	p->zone_set = true;
	p->zone_dir = opt->id == CTT_ZONE ? 0 : opt->id == CTT_ZONE_ORIG ? 1 : 2;
	return 0;
}

static int ct_tgt_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct ct_tgt_priv *p = priv;

	(void)c;
	(void)invert;
	switch (opt->id) {
	case CTT_NOTRACK:
		p->notrack = true;
		return 0;
	case CTT_ZONE:
	case CTT_ZONE_ORIG:
	case CTT_ZONE_REPLY:
		return parse_zone(p, opt, args[0], e);
	case CTT_EVENTS:
		return sym_parse_list(ct_event_syms, args[0], &p->events, "conntrack event", e);
	case CTT_EXPEVENTS:
		return refuse(opt->name, e, "nftables has no expectation event mask",
		              "leave it out; 'ct event set' covers conntrack events only");
	case CTT_HELPER:
		return refuse(
		    opt->name, e,
		    "nftables assigns helpers through a named ct helper object, which "
		    "one iptables rule cannot declare",
		    "nft add ct helper FAMILY TABLE NAME '{ type \"ftp\" protocol tcp; }' "
		    "then a rule with ct helper set \"NAME\"");
	default:
		return refuse(opt->name, e,
		              "nftables sets timeouts through a named ct timeout object, which one "
		              "iptables rule cannot declare",
		              "nft add ct timeout ... then a rule with ct timeout set \"NAME\"");
	}
}

static int ct_tgt_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct ct_tgt_priv *p = priv;

	(void)c;
	if (p->notrack && (p->zone_set || p->events)) {
		err_set(e, NFSH_EPARAM, "--notrack",
		        "-j CT --notrack leaves the packet untracked: zones and events would "
		        "have no connection to apply to");
		err_hint(e, "use --notrack alone");
		return -1;
	}
	if (!p->notrack && !p->zone_set && !p->events) {
		err_set(e, NFSH_EPARAM, "CT", "-j CT needs --notrack, --zone or --ctevents");
		err_hint(e, "e.g. -t raw -A PREROUTING -j CT --notrack");
		return -1;
	}
	return 0;
}

static json_t *set_stmt(json_t *key, json_t *value)
{
	json_t *body = nftj_object();

	nftj_put(body, "key", key);
	nftj_put(body, "value", value);
	return nftj_stmt("mangle", body);
}

static json_t *events_value(unsigned mask)
{
	json_t *arr = nftj_array();

	for (const struct sym *s = nft_event_syms; s->name; s++)
		if (mask & s->value)
			nftj_push(arr, nftj_str(s->name));
	if (json_array_size(arr) == 1) {
		json_t *one = json_incref(json_array_get(arr, 0));

		json_decref(arr);
		return one;
	}
	return arr;
}

int ct_tgt_emit(struct emit_ctx *x, const void *priv)
{
	const struct ct_tgt_priv *p = priv;
	static const char *const dirs[] = {NULL, "original", "reply"};
	int rc = 0;

	if (p->notrack)
		return ext_emit(x, nftj_stmt("notrack", NULL));
	if (p->zone_set)
		rc |= ext_emit(x, set_stmt(nftj_ct("zone", dirs[p->zone_dir]), nftj_int(p->zone)));
	if (p->events)
		rc |= ext_emit(x, set_stmt(nftj_ct("event", NULL), events_value(p->events)));
	return rc ? -1 : 0;
}

/* ---- read-back ---- */

static bool read_events(json_t *v, unsigned *mask)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	for (size_t i = 0; i < n; i++) {
		json_t *el = json_is_array(v) ? json_array_get(v, i) : v;
		const struct sym *s =
		    json_is_string(el) ? sym_by_name(nft_event_syms, json_string_value(el)) : NULL;

		if (!s)
			return false;
		*mask |= s->value;
	}
	return n > 0;
}

static bool read_one(struct ct_tgt_priv *p, json_t *stmt)
{
	json_t *body, *v;
	const char *name = nftj_stmt_name(stmt, &body), *key, *dir = NULL;
	long long z;

	if (!name)
		return false;
	if (strcmp(name, "notrack") == 0 && !p->notrack && !p->zone_set && !p->events)
		return p->notrack = true;
	if (strcmp(name, "mangle") || p->notrack || !json_is_object(body) ||
	    !nftj_is_ct(json_object_get(body, "key"), &key, &dir))
		return false;
	v = json_object_get(body, "value");
	if (strcmp(key, "zone") == 0 && !p->zone_set && nftj_get_int(v, &z) && z >= 0 &&
	    z <= 65535) {
		p->zone_dir = !dir ? 0 : strcmp(dir, "original") == 0 ? 1 : 2;
		p->zone = (unsigned)z;
		return p->zone_set = true;
	}
	if (strcmp(key, "event") == 0 && !dir && !p->events)
		return read_events(v, &p->events);
	return false;
}

static int ct_tgt_recognise(struct read_ctx *r, void *priv)
{
	int n = 0;

	while (read_peek(r, 0) && read_one(priv, read_peek(r, 0))) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void ct_tgt_save(const void *priv, int family, struct strbuf *sb)
{
	const struct ct_tgt_priv *p = priv;
	static const char *const dirs[] = {"", "-orig", "-reply"};

	(void)family;
	if (p->notrack)
		sb_add(sb, " --notrack");
	if (p->events) {
		sb_add(sb, " --ctevents ");
		sym_print_list(ct_event_syms, p->events, ",", sb);
	}
	/* iptables prints no zone 0 (the default zone). */
	if (p->zone_set && p->zone)
		sb_addf(sb, " --zone%s %u", dirs[p->zone_dir], p->zone);
}

static void ct_tgt_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct ct_tgt_priv *p = priv;
	static const char *const dirs[] = {"", "-orig", "-reply"};

	(void)family;
	(void)numeric;
	sb_add(sb, "CT");
	if (p->notrack)
		sb_add(sb, " notrack");
	if (p->events) {
		sb_add(sb, " ctevents ");
		sym_print_list(ct_event_syms, p->events, ",", sb);
	}
	if (p->zone_set && p->zone)
		sb_addf(sb, " zone%s %u", dirs[p->zone_dir], p->zone);
}

const struct ext ext_CT = {
    .name = "CT",
    .type = EXT_TARGET,
    .help = "conntrack settings for new connections: notrack, zone, events (raw table)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_RAW),
    .opts = ct_tgt_opts,
    .nopts = sizeof(ct_tgt_opts) / sizeof(ct_tgt_opts[0]),
    .priv_size = sizeof(struct ct_tgt_priv),
    .parse = ct_tgt_parse,
    .check = ct_tgt_check,
    .emit = ct_tgt_emit,
    .recognise = ct_tgt_recognise,
    .save = ct_tgt_save,
    .list = ct_tgt_list,
};
EXT_REGISTER(ext_CT);

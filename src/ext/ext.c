#include "ext/ext.h"
#include "nft/json.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Bounds of the "nfsh_ext" section, provided by the linker. */
extern const struct ext *const __start_nfsh_ext[];
extern const struct ext *const __stop_nfsh_ext[];

const struct ext *const *ext_begin(void)
{
	return __start_nfsh_ext;
}

const struct ext *const *ext_end(void)
{
	return __stop_nfsh_ext;
}

/* The extensions by type and exact name, for ext_find: an open-addressing
 * table filled on first use (a linker section cannot be sorted when it is
 * built). A name registered twice under one type keeps its first, as a scan
 * of the section finds it. Looked up a few times for every line of a bulk
 * restore; ~80 extensions, so the table stays under a quarter full. */
#define EXT_SLOTS 512

struct ext_index {
	bool built, full; /* full: more extensions than fit; ext_find scans */
	const struct ext *slot[EXT_SLOTS];
};

static size_t ext_slot(const char *name, enum ext_type type)
{
	return (size_t)(str_hash(name) + (unsigned long long)type * 0x9e3779b97f4a7c15ull) &
	       (EXT_SLOTS - 1);
}

/* The slot of (name, type), or the empty one where it would go. */
static size_t ext_probe(const struct ext *const *slot, const char *name, enum ext_type type)
{
	size_t i = ext_slot(name, type);

	while (slot[i] && (slot[i]->type != type || strcmp(slot[i]->name, name)))
		i = (i + 1) & (EXT_SLOTS - 1);
	return i;
}

static const struct ext_index *ext_index(void)
{
	static struct ext_index ix;

	if (ix.built)
		return &ix;
	ix.built = true;
	ix.full = ext_end() - ext_begin() > EXT_SLOTS / 2;
	for (const struct ext *const *p = ext_begin(); !ix.full && p < ext_end(); p++) {
		size_t i = ext_probe(ix.slot, (*p)->name, (*p)->type);

		if (!ix.slot[i])
			ix.slot[i] = *p;
	}
	return &ix;
}

static const struct ext *ext_scan(const char *name, enum ext_type type)
{
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		if ((*p)->type == type && strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

const struct ext *ext_find(const char *name, enum ext_type type)
{
	const struct ext_index *ix = ext_index();
	const struct ext *x =
	    ix->full ? ext_scan(name, type) : ix->slot[ext_probe(ix->slot, name, type)];

	if (x)
		return x;
	/* iptables accepts match names case-insensitively only where they are
	 * unique; targets are upper case by convention and matched exactly. */
	if (type == EXT_MATCH)
		for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
			if ((*p)->type == type && strcasecmp((*p)->name, name) == 0)
				return *p;
	return NULL;
}

const struct ext *ext_for_proto(int proto)
{
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		if ((*p)->type == EXT_MATCH && (*p)->implicit_proto == proto && proto)
			return *p;
	return NULL;
}

const struct ext_opt *ext_opt_find(const struct ext *x, const char *name, bool *ambiguous)
{
	const struct ext_opt *hit = NULL;
	size_t len = strlen(name);
	int nhits = 0;

	*ambiguous = false;
	for (size_t i = 0; i < x->nopts; i++) {
		if (strcmp(x->opts[i].name, name) == 0)
			return &x->opts[i];
		if (strncmp(x->opts[i].name, name, len) == 0) {
			hit = &x->opts[i];
			nhits++;
		}
	}
	if (nhits > 1) {
		*ambiguous = true;
		return NULL;
	}
	return hit;
}

int ext_emit(struct emit_ctx *x, json_t *stmt)
{
	if (!stmt) {
		if (!x->err->status)
			err_set(x->err, NFSH_EOTHER, NULL, "out of memory building the rule");
		return -1;
	}
	nftj_push(x->exprs, stmt);
	return 0;
}

json_t *read_peek(const struct read_ctx *r, size_t k)
{
	return json_array_get(r->exprs, r->pos + k);
}

void read_take(struct read_ctx *r, size_t k)
{
	r->pos += k;
}

void read_claim_proto(struct read_ctx *r, int proto)
{
	if (r->rule->proto_set)
		return;
	r->rule->proto_set = true;
	r->rule->proto = proto;
	r->rule->proto_invert = false;
}

bool read_tag_names(const struct read_ctx *r, const char *name)
{
	size_t n = strlen(name);

	for (const char *t = r->tag; t && (t = strstr(t, "i=")); t += 2)
		if ((t == r->tag || t[-1] == ' ') && strncmp(t + 2, name, n) == 0 &&
		    t[2 + n] == ':')
			return true;
	return false;
}

bool read_tag_target(const struct read_ctx *r, const char *name, char *form, size_t len)
{
	size_t n = strlen(name), k;

	for (const char *t = r->tag; t && (t = strstr(t, "j=")); t += 2) {
		if ((t != r->tag && t[-1] != ' ') || strncmp(t + 2, name, n) ||
		    (t[2 + n] != ':' && t[2 + n] != ' ' && t[2 + n] != '\0'))
			continue;
		t += 2 + n + (t[2 + n] == ':');
		for (k = 0; t[k] && t[k] != ' ' && k + 1 < len; k++)
			form[k] = t[k];
		if (len)
			form[k] = '\0';
		return true;
	}
	return false;
}

const struct sym *sym_by_name(const struct sym *tab, const char *name)
{
	for (; tab->name; tab++)
		if (strcasecmp(tab->name, name) == 0)
			return tab;
	return NULL;
}

const struct sym *sym_by_value(const struct sym *tab, unsigned value)
{
	for (; tab->name; tab++)
		if (tab->value == value)
			return tab;
	return NULL;
}

int sym_parse_list(const struct sym *tab, const char *text, unsigned *mask, const char *what,
                   struct nfsh_err *e)
{
	char buf[512], *save = NULL, *tok;

	if (strlen(text) >= sizeof(buf))
		return err_set(e, NFSH_EPARAM, text, "%s list too long", what);
	if (!*text || text[strlen(text) - 1] == ',' || text[0] == ',' || strstr(text, ",,"))
		return err_set(e, NFSH_EPARAM, text, "bad %s list \"%s\"", what, text);
	strcpy(buf, text);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct sym *s = sym_by_name(tab, tok);

		if (!s) {
			const char *names[64];
			int n = 0;
			struct strbuf sb;

			for (const struct sym *t = tab; t->name && n < 63; t++)
				names[n++] = t->name;
			names[n] = NULL;
			err_set(e, NFSH_EPARAM, tok, "unknown %s \"%s\"", what, tok);
			sb_init(&sb);
			sym_print_list(tab, ~0u, ", ", &sb);
			{
				const char *close = err_closest(tok, names, n);

				if (close)
					err_hint(e, "did you mean \"%s\"? (one of: %s)", close,
					         sb_str(&sb));
				else
					err_hint(e, "one of: %s", sb_str(&sb));
			}
			sb_free(&sb);
			return -1;
		}
		*mask |= s->value;
	}
	return 0;
}

void sym_print_list(const struct sym *tab, unsigned mask, const char *sep, struct strbuf *sb)
{
	bool first = true;
	unsigned done = 0;

	for (; tab->name; tab++) {
		/* Each value once: a table may hold aliases of one value. */
		if (!(mask & tab->value) || (done & tab->value) == tab->value)
			continue;
		if (!tab->value && mask != ~0u)
			continue;
		if (!first)
			sb_add(sb, sep);
		sb_add(sb, tab->name);
		first = false;
		done |= tab->value;
	}
}

int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_range(const char *s, unsigned long long max, unsigned long long *lo,
                unsigned long long *hi)
{
	char buf[64];
	const char *colon = strchr(s, ':');

	if (!colon)
		colon = strchr(s, '-') && s[0] != '-' ? strchr(s, '-') : NULL;
	if (!colon) {
		if (parse_uint(s, max, lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	if ((size_t)(colon - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(colon - s));
	buf[colon - s] = '\0';
	if (!buf[0])
		*lo = 0;
	else if (parse_uint(buf, max, lo) < 0)
		return -1;
	if (!colon[1])
		*hi = max;
	else if (parse_uint(colon + 1, max, hi) < 0)
		return -1;
	return *lo <= *hi ? 0 : -1;
}

/* The service names iptables users commonly write; numbers always work. */
static const struct sym services[] = {
    {"ftp-data", 20}, {"ftp", 21},         {"ssh", 22},           {"telnet", 23},
    {"smtp", 25},     {"domain", 53},      {"bootps", 67},        {"bootpc", 68},
    {"tftp", 69},     {"http", 80},        {"www", 80},           {"kerberos", 88},
    {"pop3", 110},    {"sunrpc", 111},     {"ntp", 123},          {"netbios-ns", 137},
    {"imap", 143},    {"imap2", 143},      {"snmp", 161},         {"bgp", 179},
    {"ldap", 389},    {"https", 443},      {"microsoft-ds", 445}, {"isakmp", 500},
    {"syslog", 514},  {"submission", 587}, {"ldaps", 636},        {"imaps", 993},
    {"pop3s", 995},   {"openvpn", 1194},   {"mysql", 3306},       {"postgresql", 5432},
    {NULL, 0},
};

int parse_port(const char *s, unsigned *port)
{
	unsigned long long v;
	const struct sym *svc;

	if (parse_uint(s, 65535, &v) == 0) {
		*port = (unsigned)v;
		return 0;
	}
	svc = sym_by_name(services, s);
	if (!svc)
		return -1;
	*port = svc->value;
	return 0;
}

int parse_port_range(const char *s, unsigned *lo, unsigned *hi)
{
	char a[64], b[64];
	const char *colon = strchr(s, ':');

	if (!colon) {
		if (parse_port(s, lo) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	if ((size_t)(colon - s) >= sizeof(a) || strlen(colon + 1) >= sizeof(b))
		return -1;
	memcpy(a, s, (size_t)(colon - s));
	a[colon - s] = '\0';
	strcpy(b, colon + 1);
	if (!a[0])
		*lo = 0;
	else if (parse_port(a, lo) < 0)
		return -1;
	if (!b[0])
		*hi = 65535;
	else if (parse_port(b, hi) < 0)
		return -1;
	return 0;
}

void ext_save_string(struct strbuf *sb, const char *s)
{
	static const char bare[] =
	    "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, bare);

	if (n > 0 && s[n] == '\0') {
		sb_addf(sb, " %s", s);
		return;
	}
	sb_add(sb, " \"");
	for (; *s; s++) {
		if (strchr("\"\\'", *s))
			sb_addc(sb, '\\');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '"');
}

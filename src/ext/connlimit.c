/* -m connlimit: connections per address (group), nftables' ct count in a set.
 *
 *   -m connlimit --connlimit-above 2 --connlimit-mask 24
 *   add set ip nfsh-filter connlimit0 { type ipv4_addr; flags dynamic; }
 *   add @connlimit0 { ip saddr & 255.255.255.0 ct count over 2 }
 *
 * As iptables-translate writes it. xt_connlimit keeps, per rule, a table from
 * the masked address to the conntrack entries seen with it (nf_conncount) and
 * matches when their number is above (or up to) N; nft_connlimit is the same
 * nf_conncount list held by each element of the set, created by the first
 * packet of the key. XXX: xt_connlimit also keys by conntrack zone; the set
 * key is the address only, so with several zones one address counts together.
 *
 * The set belongs to the rule: each rule gets its own (two rules sharing one
 * would count each other's connections, and an element keeps the limit of the
 * rule that created it). Its name is "connlimit%d" and the kernel picks the
 * first free number (nf_tables_set_alloc_name), so a first rule gets
 * connlimit0 as iptables-translate writes it; a second declaration in the
 * same batch needs another pattern ("connlimitb%d", ...) because libnftables
 * looks sets up by name within a batch. A rule read back keeps its set's name,
 * so that -Z (which replaces rules) keeps the counts. nftables deletes only
 * anonymous sets with their
 * rule, so nfsh deletes it in the batch that deletes the rule (-D) or
 * replaces it with another (-R). XXX: -F of a chain does not (the flush does
 * not read the rules): that set is left behind, holding nothing any rule
 * uses, and -S/-L/save ignore it; a restore replaces the whole table.
 */
#include "ext/ext.h"
#include "nft/json.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define CL_SET_PREFIX "connlimit"
#define CL_SET_NAME   64

enum { CO_UPTO, CO_ABOVE, CO_MASK, CO_SADDR, CO_DADDR };

struct connlimit_priv {
	bool have_limit, above, daddr, addr_set;
	uint32_t limit;
	int mask; /* -1: the family's full length */
	bool mask_set;
	char set[CL_SET_NAME]; /* read back: the set's name; "" when new */
};

static const struct ext_opt connlimit_opts[] = {
    {"connlimit-upto", CO_UPTO, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N",
     "match while the address has at most N connections"},
    {"connlimit-above", CO_ABOVE, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N",
     "match when the address has more than N connections"},
    {"connlimit-mask", CO_MASK, 1, 0, VK_NUMBER, NULL, "PREFIXLEN",
     "count per network of this prefix length (default 32, 128 for IPv6)"},
    {"connlimit-saddr", CO_SADDR, 0, 0, VK_NONE, NULL, NULL,
     "count per source address (the default)"},
    {"connlimit-daddr", CO_DADDR, 0, 0, VK_NONE, NULL, NULL, "count per destination address"},
};

static int full_len(int family)
{
	return family == NFSH_IPV6 ? 128 : 32;
}

static int connlimit_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                           bool invert, const char *const *args, struct nfsh_err *e)
{
	struct connlimit_priv *p = priv;
	unsigned long long v;

	switch (opt->id) {
	case CO_UPTO:
	case CO_ABOVE:
		if (p->have_limit) {
			err_set(e, NFSH_EPARAM, args[0], "-m connlimit takes one limit");
			err_hint(e, "give either --connlimit-upto or --connlimit-above, once");
			return -1;
		}
		if (parse_uint(args[0], UINT32_MAX, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "bad connection count \"%s\"", args[0]);
			err_hint(e, "a number 0-4294967295");
			return -1;
		}
		p->have_limit = true;
		p->limit = (uint32_t)v;
		p->above = (opt->id == CO_ABOVE) != invert;
		return 0;
	case CO_MASK:
		if (parse_uint(args[0], (unsigned long long)full_len(c->family), &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "bad --connlimit-mask \"%s\"", args[0]);
			err_hint(e, "a prefix length 0-%d", full_len(c->family));
			return -1;
		}
		p->mask = (int)v;
		p->mask_set = true;
		return 0;
	case CO_SADDR:
	case CO_DADDR:
		if (p->addr_set && p->daddr != (opt->id == CO_DADDR)) {
			err_set(e, NFSH_EPARAM,
			        opt->id == CO_DADDR ? "--connlimit-daddr" : "--connlimit-saddr",
			        "--connlimit-saddr and --connlimit-daddr exclude each other");
			return -1;
		}
		p->addr_set = true;
		p->daddr = opt->id == CO_DADDR;
		return 0;
	default:
		return -1;
	}
}

static int connlimit_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	struct connlimit_priv *p = priv;

	if (!p->have_limit) {
		err_set(e, NFSH_EPARAM, "connlimit", "-m connlimit needs a limit");
		err_hint(e, "--connlimit-above N or --connlimit-upto N");
		return -1;
	}
	if (!p->mask_set)
		p->mask = full_len(c->family);
	return 0;
}

static json_t *count_key(const struct connlimit_priv *p, int family)
{
	json_t *pl = nftj_payload(family == NFSH_IPV6 ? "ip6" : "ip", p->daddr ? "daddr" : "saddr");
	uint8_t m[16] = {0};
	char text[64];

	if (p->mask == full_len(family))
		return pl;
	for (int b = 0; b < p->mask; b++)
		m[b / 8] |= (uint8_t)(0x80 >> (b % 8));
	addr_ntop(family, m, text, sizeof(text));
	return nftj_binop("&", pl, nftj_str(text));
}

/* The k-th set declared in a batch: "connlimit%d", then k in base 26 with
 * letters ("connlimitb%d", ..., "connlimitba%d"): no leading 'a', so each k has
 * its own pattern, and a pattern's names (letters, then the kernel's digits)
 * cannot be another's. The kernel takes a pattern of at most 15 characters. */
static int set_pattern(unsigned k, char *buf, size_t len)
{
	char letters[5];
	int n = 0;

	if (k >= 26u * 26 * 26 * 26)
		return -1;
	for (unsigned v = k; v > 0; v /= 26)
		letters[n++] = (char)('a' + v % 26);
	for (int i = 0; i < n / 2; i++) {
		char t = letters[i];

		letters[i] = letters[n - 1 - i];
		letters[n - 1 - i] = t;
	}
	letters[n] = '\0';
	snprintf(buf, len, CL_SET_PREFIX "%s%%d", letters);
	return 0;
}

static int declare_set(struct emit_ctx *x, char *name, size_t len)
{
	struct ext_decls *d = x->decls;
	json_t *set;

	if (!d) {
		err_set(x->err, NFSH_EOTHER, "connlimit",
		        "-m connlimit needs its set declared in the rule's batch, and this caller "
		        "builds the rule without one (XXX: a bug in nfsh)");
		return -1;
	}
	if (set_pattern(d->nsets, name, len) < 0) {
		err_set(x->err, NFSH_EPARAM, "connlimit",
		        "too many -m connlimit rules in one batch");
		err_hint(x->err, "split the batch");
		return -1;
	}
	set = nftj_object();
	nftj_put_str(set, "family", x->family == NFSH_IPV6 ? "ip6" : "ip");
	nftj_put_str(set, "table", table_by_id(x->table)->nftname);
	nftj_put_str(set, "name", name);
	nftj_put_str(set, "type", x->family == NFSH_IPV6 ? "ipv6_addr" : "ipv4_addr");
	/* libnftables marks it dynamic itself (its JSON has no "dynamic" flag). */
	nftj_push(d->cmds, nftj_stmt("add", nftj_stmt("set", set)));
	d->nsets++;
	return 0;
}

static int connlimit_emit(struct emit_ctx *x, const void *priv)
{
	const struct connlimit_priv *p = priv;
	char name[CL_SET_NAME], ref[CL_SET_NAME + 1];
	json_t *st, *count;

	if (p->set[0])
		snprintf(name, sizeof(name), "%s", p->set);
	else if (declare_set(x, name, sizeof(name)) < 0)
		return -1;
	snprintf(ref, sizeof(ref), "@%s", name);
	count = nftj_object();
	nftj_put_int(count, "val", p->limit);
	if (p->above)
		nftj_put(count, "inv", nftj_bool(true));
	st = nftj_object();
	nftj_put_str(st, "op", "add");
	nftj_put(st, "elem", count_key(p, x->family));
	nftj_put_str(st, "set", ref);
	nftj_put(st, "stmt", nftj_push(nftj_array(), nftj_stmt("ct count", count)));
	return ext_emit(x, nftj_stmt("set", st));
}

/* The rule goes: so does its set (each rule has its own; -Z keeps the rule,
 * and the set, by replacing the rule with itself). */
static int connlimit_release(struct emit_ctx *x, const void *priv)
{
	const struct connlimit_priv *p = priv;
	json_t *set;

	if (!p->set[0] || !x->decls)
		return 0;
	set = nftj_object();
	nftj_put_str(set, "family", x->family == NFSH_IPV6 ? "ip6" : "ip");
	nftj_put_str(set, "table", table_by_id(x->table)->nftname);
	nftj_put_str(set, "name", p->set);
	nftj_push(x->decls->cmds, nftj_stmt("delete", nftj_stmt("set", set)));
	return 0;
}

static int read_key(struct connlimit_priv *p, int family, json_t *elem)
{
	json_t *bin = json_object_get(elem, "&"), *pl = elem;
	const char *proto, *field;
	int len = full_len(family);

	if (bin) {
		uint8_t a[16] = {0};
		int bytes = family == NFSH_IPV6 ? 16 : 4;

		if (!json_is_array(bin) || json_array_size(bin) != 2 ||
		    !json_is_string(json_array_get(bin, 1)) ||
		    inet_pton(family == NFSH_IPV6 ? AF_INET6 : AF_INET,
		              json_string_value(json_array_get(bin, 1)), a) != 1)
			return -1;
		pl = json_array_get(bin, 0);
		for (len = 0; len < bytes * 8 && (a[len / 8] & (0x80 >> (len % 8))); len++)
			;
		for (int b = len; b < bytes * 8; b++)
			if (a[b / 8] & (0x80 >> (b % 8)))
				return -1;
	}
	if (!nftj_is_payload(pl, &proto, &field) ||
	    strcmp(proto, family == NFSH_IPV6 ? "ip6" : "ip") ||
	    (strcmp(field, "saddr") && strcmp(field, "daddr")))
		return -1;
	p->daddr = strcmp(field, "daddr") == 0;
	p->mask = len;
	return 0;
}

static int connlimit_recognise(struct read_ctx *r, void *priv)
{
	struct connlimit_priv *p = priv, t = {0};
	json_t *body, *stmt = read_peek(r, 0), *stmts, *count;
	const char *name = stmt ? nftj_stmt_name(stmt, &body) : NULL, *set, *op;
	long long v;

	if (!name || strcmp(name, "set") || !json_is_object(body))
		return 0;
	op = json_string_value(json_object_get(body, "op"));
	set = json_string_value(json_object_get(body, "set"));
	stmts = json_object_get(body, "stmt");
	/* Only the sets iptables-nft and nfsh name so: another set may be shared. */
	if (!op || strcmp(op, "add") || !set || strncmp(set, "@" CL_SET_PREFIX, 10) ||
	    strlen(set + 1) >= sizeof(t.set) || !json_is_array(stmts) ||
	    json_array_size(stmts) != 1)
		return 0;
	count = json_object_get(json_array_get(stmts, 0), "ct count");
	if (!json_is_object(count) || !nftj_get_int(json_object_get(count, "val"), &v))
		return 0;
	/* libnftables 1.0.6 lists the u32 as a signed int: 4294967295 is -1. */
	if (v < 0 && v >= INT32_MIN)
		v += 1ll << 32;
	if (v < 0 || v > UINT32_MAX || read_key(&t, r->family, json_object_get(body, "elem")) < 0)
		return 0;
	t.have_limit = t.mask_set = true;
	t.limit = (uint32_t)v;
	t.above = json_is_true(json_object_get(count, "inv"));
	snprintf(t.set, sizeof(t.set), "%s", set + 1);
	*p = t;
	read_take(r, 1);
	return 1;
}

/* As libxt_connlimit: the mask and the address are always printed. */
static void connlimit_save(const void *priv, int family, struct strbuf *sb)
{
	const struct connlimit_priv *p = priv;

	(void)family;
	sb_addf(sb, " --connlimit-%s %u --connlimit-mask %d --connlimit-%s",
	        p->above ? "above" : "upto", p->limit, p->mask, p->daddr ? "daddr" : "saddr");
}

static void connlimit_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct connlimit_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "#conn %s/%d %s %u", p->daddr ? "dst" : "src", p->mask,
	        p->above ? ">" : "<=", p->limit);
}

const struct ext ext_connlimit = {
    .name = "connlimit",
    .type = EXT_MATCH,
    .help = "limit connections per address or network (nft ct count in a set)",
    .families = NFSH_F_ANY,
    .opts = connlimit_opts,
    .nopts = sizeof(connlimit_opts) / sizeof(connlimit_opts[0]),
    .priv_size = sizeof(struct connlimit_priv),
    .parse = connlimit_parse,
    .check = connlimit_check,
    .emit = connlimit_emit,
    .release = connlimit_release,
    .recognise = connlimit_recognise,
    .save = connlimit_save,
    .list = connlimit_list,
};
EXT_REGISTER(ext_connlimit);

/* -m addrtype: the routing type of an address, through nftables' fib.
 *   [!] --src-type T[,T...]   fib saddr type [!=] T | { T, ... }
 *   [!] --dst-type T[,T...]   fib daddr type ...
 *   --limit-iface-in|out      adds iif|oif to the fib lookup (fib daddr . iif)
 * A packet's address has one type, so a list is set membership and its
 * negation "not in the set": exactly iptables' bitmask test. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { AT_SRC, AT_DST, AT_IN, AT_OUT };

struct addrtype_priv {
	unsigned types[2]; /* bit 1 << RTN_* */
	bool given[2], invert[2];
	bool iface_in, iface_out;
};

/* RTN_* order: iptables and nftables both print in it. */
static const struct sym at_syms[] = {
    {"UNSPEC", 1u << 0},
    {"UNICAST", 1u << 1},
    {"LOCAL", 1u << 2},
    {"BROADCAST", 1u << 3},
    {"ANYCAST", 1u << 4},
    {"MULTICAST", 1u << 5},
    {"BLACKHOLE", 1u << 6},
    {"UNREACHABLE", 1u << 7},
    {"PROHIBIT", 1u << 8},
    {"THROW", 1u << 9},
    {"NAT", 1u << 10},
    {"XRESOLVE", 1u << 11},
    {NULL, 0},
};
/* The same types as IPv6 routing has none of (the kernel refuses them). */
#define AT_NOT_IPV6 ((1u << 3) | (1u << 6) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11))

static const char *const type_names[] = {
    "UNSPEC",      "UNICAST",  "LOCAL", "BROADCAST", "ANYCAST",  "MULTICAST", "BLACKHOLE",
    "UNREACHABLE", "PROHIBIT", "THROW", "NAT",       "XRESOLVE", NULL};

static const struct ext_opt addrtype_opts[] = {
    {"src-type", AT_SRC, 1, EXT_OPT_INV, VK_LIST, type_names, "TYPE[,TYPE...]",
     "source address type: UNICAST LOCAL BROADCAST ANYCAST MULTICAST ..."},
    {"dst-type", AT_DST, 1, EXT_OPT_INV, VK_LIST, type_names, "TYPE[,TYPE...]",
     "destination address type"},
    {"limit-iface-in", AT_IN, 0, 0, VK_NONE, NULL, NULL,
     "look the type up on the incoming interface only"},
    {"limit-iface-out", AT_OUT, 0, 0, VK_NONE, NULL, NULL,
     "look the type up on the outgoing interface only"},
};

static int addrtype_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct addrtype_priv *p = priv;
	int k = opt->id;

	if (k == AT_IN || k == AT_OUT) {
		*(k == AT_IN ? &p->iface_in : &p->iface_out) = true;
		return 0;
	}
	if (sym_parse_list(at_syms, args[0], &p->types[k], "address type", e) < 0)
		return -1;
	if (c->family == NFSH_IPV6 && (p->types[k] & AT_NOT_IPV6)) {
		struct strbuf sb;

		sb_init(&sb);
		sym_print_list(at_syms, p->types[k] & AT_NOT_IPV6, ",", &sb);
		err_set(e, NFSH_EPARAM, args[0], "IPv6 has no address type %s", sb_str(&sb));
		sb_free(&sb);
		err_hint(e, "UNSPEC, UNICAST, LOCAL, ANYCAST, MULTICAST or UNREACHABLE");
		return -1;
	}
	p->given[k] = true;
	p->invert[k] = invert;
	return 0;
}

static int addrtype_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct addrtype_priv *p = priv;
	const struct builtin_chain *bc = table_builtin(c->table, c->chain);

	if (!p->given[AT_SRC] && !p->given[AT_DST]) {
		err_set(e, NFSH_EPARAM, "addrtype", "-m addrtype needs --src-type or --dst-type");
		err_hint(e, "e.g. -m addrtype --dst-type LOCAL");
		return -1;
	}
	if (p->iface_in && p->iface_out) {
		err_set(e, NFSH_EPARAM, "--limit-iface-out",
		        "--limit-iface-in and --limit-iface-out exclude each other");
		err_hint(e, "give one of them");
		return -1;
	}
	/* The fib lookup needs the interface the packet has at that hook. */
	if (bc && p->iface_in && (bc->hook == HOOK_OUTPUT || bc->hook == HOOK_POSTROUTING)) {
		err_set(e, NFSH_EPARAM, "--limit-iface-in",
		        "--limit-iface-in is not valid in chain %s (no input interface)", c->chain);
		err_hint(e, "use it in PREROUTING, INPUT or FORWARD, or --limit-iface-out");
		return -1;
	}
	if (bc && p->iface_out && (bc->hook == HOOK_PREROUTING || bc->hook == HOOK_INPUT)) {
		err_set(e, NFSH_EPARAM, "--limit-iface-out",
		        "--limit-iface-out is not valid in chain %s (no output interface)",
		        c->chain);
		err_hint(e, "use it in FORWARD, OUTPUT or POSTROUTING, or --limit-iface-in");
		return -1;
	}
	return 0;
}

static json_t *types_value(unsigned mask)
{
	json_t *arr = nftj_array();
	json_t *one = NULL;
	int n = 0;
	char lower[16];

	for (const struct sym *s = at_syms; s->name; s++) {
		if (!(mask & s->value))
			continue;
		for (size_t i = 0; i < sizeof(lower); i++) {
			lower[i] = (char)(s->name[i] >= 'A' && s->name[i] <= 'Z' ? s->name[i] + 32
			                                                         : s->name[i]);
			if (!s->name[i])
				break;
		}
		lower[sizeof(lower) - 1] = '\0';
		nftj_push(arr, nftj_str(lower));
		n++;
	}
	if (n == 1) {
		one = json_incref(json_array_get(arr, 0));
		json_decref(arr);
		return one;
	}
	return nftj_set(arr);
}

static int addrtype_emit(struct emit_ctx *x, const void *priv)
{
	const struct addrtype_priv *p = priv;

	for (int k = AT_SRC; k <= AT_DST; k++) {
		json_t *fib, *flags;

		if (!p->given[k])
			continue;
		flags = nftj_push(nftj_array(), nftj_str(k == AT_SRC ? "saddr" : "daddr"));
		if (p->iface_in || p->iface_out)
			nftj_push(flags, nftj_str(p->iface_in ? "iif" : "oif"));
		fib = nftj_object();
		nftj_put_str(fib, "result", "type");
		nftj_put(fib, "flags", flags);
		if (ext_emit(x, nftj_match(p->invert[k] ? "!=" : "==", nftj_stmt("fib", fib),
		                           types_value(p->types[k]))) < 0)
			return -1;
	}
	return 0;
}

static bool read_types(json_t *v, unsigned *mask)
{
	json_t *set = nftj_get_set(v), *el;
	size_t i;

	*mask = 0;
	if (json_is_string(v)) {
		const struct sym *s = sym_by_name(at_syms, json_string_value(v));

		*mask = s ? s->value : 0;
		return s != NULL;
	}
	if (!set || !json_array_size(set))
		return false;
	json_array_foreach(set, i, el)
	{
		const struct sym *s =
		    json_is_string(el) ? sym_by_name(at_syms, json_string_value(el)) : NULL;

		if (!s)
			return false;
		*mask |= s->value;
	}
	return true;
}

/* One fib ... type match into p; false when it is not one addrtype makes. */
static bool read_one(struct addrtype_priv *p, json_t *stmt)
{
	const char *op, *name, *f;
	json_t *left, *right, *fib, *flags, *el;
	bool in = false, out = false;
	int k = -1;
	size_t i;

	if (!nftj_get_match(stmt, &op, &left, &right) || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	name = nftj_stmt_name(left, &fib);
	if (!name || strcmp(name, "fib") || !json_is_object(fib) ||
	    strcmp(json_string_value(json_object_get(fib, "result")) ?: "", "type"))
		return false;
	flags = json_object_get(fib, "flags");
	if (json_is_string(flags)) {
		f = json_string_value(flags);
		k = strcmp(f, "saddr") == 0 ? AT_SRC : strcmp(f, "daddr") == 0 ? AT_DST : -1;
	} else {
		json_array_foreach(flags, i, el)
		{
			f = json_string_value(el);
			if (!f)
				return false;
			if (strcmp(f, "saddr") == 0 && k < 0)
				k = AT_SRC;
			else if (strcmp(f, "daddr") == 0 && k < 0)
				k = AT_DST;
			else if (strcmp(f, "iif") == 0)
				in = true;
			else if (strcmp(f, "oif") == 0)
				out = true;
			else
				return false;
		}
	}
	if (k < 0 || p->given[k] || (in && out) || (k == AT_SRC && p->given[AT_DST]))
		return false;
	/* Both lookups of one match use the same interface limit. */
	if ((p->given[AT_SRC] || p->given[AT_DST]) && (in != p->iface_in || out != p->iface_out))
		return false;
	if (!read_types(right, &p->types[k]))
		return false;
	p->given[k] = true;
	p->invert[k] = strcmp(op, "!=") == 0;
	p->iface_in = in;
	p->iface_out = out;
	return true;
}

static int addrtype_recognise(struct read_ctx *r, void *priv)
{
	int n = 0;

	while (read_peek(r, 0) && read_one(priv, read_peek(r, 0))) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void addrtype_save(const void *priv, int family, struct strbuf *sb)
{
	const struct addrtype_priv *p = priv;

	(void)family;
	for (int k = AT_SRC; k <= AT_DST; k++) {
		if (!p->given[k])
			continue;
		sb_addf(sb, "%s --%s ", p->invert[k] ? " !" : "",
		        k == AT_SRC ? "src-type" : "dst-type");
		sym_print_list(at_syms, p->types[k], ",", sb);
	}
	if (p->iface_in)
		sb_add(sb, " --limit-iface-in");
	if (p->iface_out)
		sb_add(sb, " --limit-iface-out");
}

static void addrtype_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct addrtype_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "ADDRTYPE match");
	for (int k = AT_SRC; k <= AT_DST; k++) {
		if (!p->given[k])
			continue;
		sb_addf(sb, " %s %s", k == AT_SRC ? "src-type" : "dst-type",
		        p->invert[k] ? "!" : "");
		sym_print_list(at_syms, p->types[k], ",", sb);
	}
	if (p->iface_in)
		sb_add(sb, " limit-in");
	if (p->iface_out)
		sb_add(sb, " limit-out");
}

const struct ext ext_addrtype = {
    .name = "addrtype",
    .type = EXT_MATCH,
    .help = "address type of source/destination (local, broadcast, ...) through fib",
    .families = NFSH_F_ANY,
    .opts = addrtype_opts,
    .nopts = sizeof(addrtype_opts) / sizeof(addrtype_opts[0]),
    .priv_size = sizeof(struct addrtype_priv),
    .parse = addrtype_parse,
    .check = addrtype_check,
    .emit = addrtype_emit,
    .recognise = addrtype_recognise,
    .save = addrtype_save,
    .list = addrtype_list,
};
EXT_REGISTER(ext_addrtype);

/* -m dccp (loaded by -p dccp):
 *   [!] --sport/--dport P[:P]      dccp sport|dport [!=] P[-P] (kept as given,
 *                                  even 0:65535, as iptables saves it)
 *   [!] --dccp-types T[,T...]      dccp type [!=] { request, ..., 10-15 }
 *   [!] --dccp-option N            refused: libnftables 1.0.6 has no dccp option */
#include "ext/tcp.h"
#include "nft/json.h"

#include <string.h>

#define DCCP_PROTO 33
#define T_INVALID  10 /* INVALID stands for types 10-15 */

enum { DCCP_SPORT, DCCP_DPORT, DCCP_TYPES, DCCP_OPTION };

struct dccp_priv {
	struct port_match sport, dport;
	bool types_set, types_inv;
	unsigned types; /* bit per type 0-10 */
};

static const struct sym dccp_types[] = {
    {"REQUEST", 1u << 0}, {"RESPONSE", 1u << 1}, {"DATA", 1u << 2},     {"ACK", 1u << 3},
    {"DATAACK", 1u << 4}, {"CLOSEREQ", 1u << 5}, {"CLOSE", 1u << 6},    {"RESET", 1u << 7},
    {"SYNC", 1u << 8},    {"SYNCACK", 1u << 9},  {"INVALID", 1u << 10}, {NULL, 0},
};
static const char *const nft_types[] = {"request",  "response", "data",  "ack",  "dataack",
                                        "closereq", "close",    "reset", "sync", "syncack"};
static const char *const type_names[] = {"REQUEST", "RESPONSE", "DATA",    "ACK",
                                         "DATAACK", "CLOSEREQ", "CLOSE",   "RESET",
                                         "SYNC",    "SYNCACK",  "INVALID", NULL};

static const struct ext_opt dccp_opts[] = {
    {"source-port", DCCP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "source port or range"},
    {"sport", DCCP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]", "source port or range"},
    {"destination-port", DCCP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port or range"},
    {"dport", DCCP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port or range"},
    {"dccp-types", DCCP_TYPES, 1, EXT_OPT_INV, VK_LIST, type_names, "TYPE[,TYPE...]",
     "packet types"},
    {"dccp-option", DCCP_OPTION, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N",
     "DCCP option present (not supported by libnftables 1.0.6)"},
};

static int dccp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct dccp_priv *p = priv;
	unsigned long long v;

	(void)c;
	switch (opt->id) {
	case DCCP_SPORT:
		return port_match_parse(&p->sport, invert, args[0], "sport", e);
	case DCCP_DPORT:
		return port_match_parse(&p->dport, invert, args[0], "dport", e);
	case DCCP_TYPES:
		if (sym_parse_list(dccp_types, args[0], &p->types, "DCCP packet type", e) < 0)
			return -1;
		p->types_set = true;
		p->types_inv = invert;
		return 0;
	default:
		if (parse_uint(args[0], 255, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --dccp-option \"%s\"", args[0]);
			err_hint(e, "a DCCP option type 0-255");
			return -1;
		}
		err_set(
		    e, NFSH_EPARAM, "--dccp-option",
		    "--dccp-option needs \"dccp option %s exists\", which libnftables 1.0.6 does "
		    "not support",
		    args[0]);
		err_hint(e, "no native test for DCCP options here (newer nftables has it)");
		return -1;
	}
}

static json_t *type_elem(unsigned i)
{
	return i == T_INVALID ? nftj_range(nftj_int(10), nftj_int(15)) : nftj_str(nft_types[i]);
}

static json_t *types_expr(const struct dccp_priv *p)
{
	json_t *set = nftj_array(), *right;
	unsigned n = 0, last = 0;

	for (unsigned i = 0; i <= T_INVALID; i++)
		if (p->types & (1u << i)) {
			nftj_push(set, type_elem(i));
			n++;
			last = i;
		}
	if (n == 1) {
		json_decref(set);
		right = type_elem(last);
	} else {
		right = nftj_set(set);
	}
	return nftj_match(p->types_inv ? "!=" : "==", nftj_payload("dccp", "type"), right);
}

static int dccp_emit(struct emit_ctx *x, const void *priv)
{
	const struct dccp_priv *p = priv;
	int rc = 0;

	if (p->sport.set)
		rc |= ext_emit(x, port_match_expr("dccp", "sport", &p->sport));
	if (p->dport.set)
		rc |= ext_emit(x, port_match_expr("dccp", "dport", &p->dport));
	if (p->types_set)
		rc |= ext_emit(x, types_expr(p));
	if (!p->sport.set && !p->dport.set && !p->types_set) {
		x->keep_name = true;
		rc |= ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(DCCP_PROTO)));
	}
	return rc ? -1 : 0;
}

/* A type as listed: its name or number (0-15); -1 otherwise. */
static int type_num(json_t *v)
{
	long long n;
	const char *s = json_string_value(v);

	if (s) {
		for (unsigned i = 0; i < T_INVALID; i++)
			if (strcmp(s, nft_types[i]) == 0)
				return (int)i;
		return -1;
	}
	return nftj_get_int(v, &n) && n >= 0 && n <= 15 ? (int)n : -1;
}

/* One element (a type, or a range the kernel's set merged adjacent types
 * into) as type bits; INVALID stands for all of 10-15 and only for all. */
static bool read_type(json_t *v, unsigned *bits)
{
	json_t *a, *b;
	int lo, hi;

	if (nftj_get_range(v, &a, &b)) {
		lo = type_num(a);
		hi = type_num(b);
	} else {
		lo = hi = type_num(v);
	}
	if (lo < 0 || hi < lo)
		return false;
	if (hi >= T_INVALID && hi != 15)
		return false;
	if (hi == 15 && lo > T_INVALID)
		return false;
	for (int i = lo; i <= hi && i <= T_INVALID; i++)
		*bits |= 1u << i;
	return true;
}

static bool read_types(json_t *s, struct dccp_priv *p)
{
	const char *op, *proto, *field;
	json_t *left, *right, *els, *v;
	size_t i;

	if (p->types_set || !nftj_get_match(s, &op, &left, &right) ||
	    !nftj_is_payload(left, &proto, &field) || strcmp(proto, "dccp") ||
	    strcmp(field, "type") || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	els = nftj_get_set(right);
	if (els) {
		json_array_foreach(els, i, v) if (!read_type(v, &p->types)) return false;
	} else if (!read_type(right, &p->types)) {
		return false;
	}
	p->types_set = true;
	p->types_inv = op[0] == '!';
	return true;
}

static int dccp_recognise(struct read_ctx *r, void *priv)
{
	struct dccp_priv *p = priv;
	int n = 0;
	json_t *s;

	if (r->rule->proto_set && (r->rule->proto != DCCP_PROTO || r->rule->proto_invert))
		return 0;
	while ((s = read_peek(r, 0)) &&
	       (port_match_read(s, "dccp", "sport", &p->sport) ||
	        port_match_read(s, "dccp", "dport", &p->dport) || read_types(s, p))) {
		read_take(r, 1);
		n++;
	}
	if (n)
		read_claim_proto(r, DCCP_PROTO);
	return n > 0;
}

static void save_port(const struct port_match *m, const char *opt, struct strbuf *sb)
{
	if (!m->set)
		return;
	sb_addf(sb, "%s --%s %u", m->invert ? " !" : "", opt, m->lo);
	if (m->hi != m->lo)
		sb_addf(sb, ":%u", m->hi);
}

static void dccp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct dccp_priv *p = priv;

	(void)family;
	save_port(&p->sport, "sport", sb);
	save_port(&p->dport, "dport", sb);
	if (p->types_set) {
		sb_add(sb, p->types_inv ? " ! --dccp-types " : " --dccp-types ");
		sym_print_list(dccp_types, p->types, ",", sb);
	}
}

static void dccp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct dccp_priv *p = priv;

	(void)family;
	sb_add(sb, "dccp");
	port_match_list(&p->sport, "spt", "dccp", numeric, sb);
	port_match_list(&p->dport, "dpt", "dccp", numeric, sb);
	if (p->types_set) {
		sb_add(sb, p->types_inv ? " !" : " ");
		sym_print_list(dccp_types, p->types, ",", sb);
	}
}

const struct ext ext_dccp = {
    .name = "dccp",
    .type = EXT_MATCH,
    .help = "DCCP ports and packet types (loaded by -p dccp)",
    .families = NFSH_F_ANY,
    .opts = dccp_opts,
    .nopts = sizeof(dccp_opts) / sizeof(dccp_opts[0]),
    .priv_size = sizeof(struct dccp_priv),
    .implicit_proto = DCCP_PROTO,
    .parse = dccp_parse,
    .emit = dccp_emit,
    .recognise = dccp_recognise,
    .save = dccp_save,
    .list = dccp_list,
};
EXT_REGISTER(ext_dccp);

/* -m tcp (loaded implicitly by -p tcp): every option a native tcp expression.
 *   --sport/--dport [!] P[:P]     tcp sport|dport [!=] P[-P]
 *   --tcp-flags [!] MASK COMP     tcp flags [!=] COMP / MASK  (& MASK == COMP)
 *   --syn                         --tcp-flags FIN,SYN,RST,ACK SYN
 *   --tcp-option [!] N            tcp option N exists|missing
 * Without any test it still means "protocol tcp": meta l4proto tcp, as
 * iptables-translate writes it, and the form tag keeps "-m tcp" for -S.
 * Also home of the port helpers udp.c and multiport.c share (tcp.h). */
#include "ext/tcp.h"
#include "nft/json.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>

/* ---- shared port helpers ---- */

int port_match_parse(struct port_match *m, bool invert, const char *arg, const char *opt,
                     struct nfsh_err *e)
{
	if (m->set)
		return err_set(e, NFSH_EPARAM, arg, "--%s given twice", opt);
	if (parse_port_range(arg, &m->lo, &m->hi) < 0) {
		err_set(e, NFSH_EPARAM, arg, "invalid port or range \"%s\" for --%s", arg, opt);
		err_hint(e, "a port 0-65535 or service name, or a range FIRST:LAST (either may be "
		            "left out)");
		return -1;
	}
	if (m->lo > m->hi) {
		err_set(e, NFSH_EPARAM, arg, "port range \"%s\" for --%s runs backwards", arg, opt);
		err_hint(e, "write the lower port first: %u:%u", m->hi, m->lo);
		return -1;
	}
	m->set = true;
	m->invert = invert;
	return 0;
}

bool port_match_active(const struct port_match *m)
{
	return m->set && (m->invert || m->lo != 0 || m->hi != 65535);
}

json_t *port_match_expr(const char *proto, const char *field, const struct port_match *m)
{
	json_t *v = m->lo == m->hi ? nftj_int(m->lo) : nftj_range(nftj_int(m->lo), nftj_int(m->hi));

	return nftj_match(m->invert ? "!=" : "==", nftj_payload(proto, field), v);
}

bool port_match_read(json_t *stmt, const char *proto, const char *field, struct port_match *m)
{
	const char *op, *p, *f;
	json_t *left, *right, *a, *b;
	long long lo, hi;

	if (m->set || !nftj_get_match(stmt, &op, &left, &right) || !nftj_is_payload(left, &p, &f) ||
	    strcmp(p, proto) || strcmp(f, field))
		return false;
	if (strcmp(op, "==") && strcmp(op, "!="))
		return false;
	if (nftj_get_int(right, &lo))
		hi = lo;
	else if (!nftj_get_range(right, &a, &b) || !nftj_get_int(a, &lo) || !nftj_get_int(b, &hi))
		return false;
	if (lo < 0 || hi > 65535 || lo > hi)
		return false;
	m->set = true;
	m->invert = op[0] == '!';
	m->lo = (unsigned)lo;
	m->hi = (unsigned)hi;
	return true;
}

void port_match_save(const struct port_match *m, const char *opt, struct strbuf *sb)
{
	if (!port_match_active(m))
		return;
	sb_add(sb, m->invert ? " ! --" : " --");
	sb_add(sb, opt);
	sb_addc(sb, ' ');
	sb_add_uint(sb, m->lo);
	if (m->hi != m->lo) {
		sb_addc(sb, ':');
		sb_add_uint(sb, m->hi);
	}
}

void port_print(unsigned port, const char *l4, bool numeric, struct strbuf *sb)
{
	struct servent se, *res = NULL;
	char buf[1024];

	/* iptables -L asks the services database, so the names follow /etc/services. */
	if (!numeric &&
	    getservbyport_r(htons((uint16_t)port), l4, &se, buf, sizeof(buf), &res) == 0 && res &&
	    res->s_name)
		sb_add(sb, res->s_name);
	else
		sb_addf(sb, "%u", port);
}

void port_match_list(const struct port_match *m, const char *name, const char *l4, bool numeric,
                     struct strbuf *sb)
{
	if (!port_match_active(m))
		return;
	sb_addf(sb, " %s%s:%s", name, m->lo == m->hi ? "" : "s", m->invert ? "!" : "");
	port_print(m->lo, l4, numeric, sb);
	if (m->lo != m->hi) {
		sb_addc(sb, ':');
		port_print(m->hi, l4, numeric, sb);
	}
}

int need_proto(const struct ext_parse_ctx *c, int proto, const char *name, struct nfsh_err *e)
{
	const struct rule *r = c->rule;

	if (r && r->proto_set && r->proto == proto && !r->proto_invert)
		return 0;
	err_set(e, NFSH_EPARAM, name, "-m %s needs -p %s%s", name, name,
	        r && r->proto_set && r->proto_invert ? " (not ! -p)" : "");
	err_hint(e, "write -p %s before or after the %s options", name, name);
	return -1;
}

/* ---- tcp ---- */

enum tcp_opt_id { TCP_SPORT, TCP_DPORT, TCP_SYN, TCP_FLAGS, TCP_OPTION };

/* iptables' flag names; ALL and NONE only when parsing (print_flags never
 * reaches them, as in libxt_tcp). */
static const struct sym tcp_flag_syms[] = {
    {"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08}, {"ACK", 0x10},
    {"URG", 0x20}, {"ALL", 0x3f}, {"NONE", 0},   {NULL, 0},
};
static const char *const nft_flag_names[] = {"fin", "syn", "rst", "psh", "ack", "urg"};
#define SYN_MASK 0x17 /* FIN,SYN,RST,ACK */

static const char *const flag_names[] = {"FIN", "SYN", "RST",  "PSH", "ACK",
                                         "URG", "ALL", "NONE", NULL};

static const struct ext_opt tcp_opts[] = {
    {"source-port", TCP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "source port, service name or range"},
    {"sport", TCP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "source port, service name or range"},
    {"destination-port", TCP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port, service name or range"},
    {"dport", TCP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port, service name or range"},
    {"syn", TCP_SYN, 0, EXT_OPT_INV, VK_NONE, NULL, NULL,
     "SYN set, FIN RST ACK clear: --tcp-flags FIN,SYN,RST,ACK SYN"},
    {"tcp-flags", TCP_FLAGS, 2, EXT_OPT_INV, VK_LIST, flag_names, "MASK COMP",
     "flags in MASK, of which those in COMP are set: FIN SYN RST PSH ACK URG ALL NONE"},
    {"tcp-option", TCP_OPTION, 1, EXT_OPT_INV, VK_NUMBER, NULL, "NUMBER",
     "TCP option kind 0-255 is present"},
};

static int set_flags(struct tcp_priv *p, bool inv, unsigned mask, unsigned cmp, const char *word,
                     struct nfsh_err *e)
{
	if (p->flags_set) {
		err_set(e, NFSH_EPARAM, word,
		        "--syn and --tcp-flags set the same test: give one, once");
		return -1;
	}
	p->flags_set = true;
	p->flags_inv = inv;
	p->mask = mask;
	p->cmp = cmp;
	return 0;
}

static int tcp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct tcp_priv *p = priv;
	unsigned mask, cmp;
	unsigned long long v;

	(void)c;
	switch (opt->id) {
	case TCP_SPORT:
		return port_match_parse(&p->sport, invert, args[0], "sport", e);
	case TCP_DPORT:
		return port_match_parse(&p->dport, invert, args[0], "dport", e);
	case TCP_SYN:
		return set_flags(p, invert, SYN_MASK, 0x02, "--syn", e);
	case TCP_FLAGS:
		if (sym_parse_list(tcp_flag_syms, args[0], &mask, "TCP flag", e) < 0 ||
		    sym_parse_list(tcp_flag_syms, args[1], &cmp, "TCP flag", e) < 0)
			return -1;
		return set_flags(p, invert, mask, cmp, args[0], e);
	case TCP_OPTION:
		if (parse_uint(args[0], 255, &v) < 0) {
			err_set(e, NFSH_EPARAM, args[0], "invalid --tcp-option \"%s\"", args[0]);
			err_hint(
			    e, "a TCP option kind, 0-255 (2 is MSS, 3 window scale, 8 timestamps)");
			return -1;
		}
		p->opt_set = true;
		p->opt_inv = invert;
		p->option = (unsigned)v;
		return 0;
	}
	return err_set(e, NFSH_EPARAM, opt->name, "unhandled option --%s", opt->name);
}

static int tcp_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)priv;
	return need_proto(c, 6, "tcp", e);
}

/* A flag set as nftables writes it: 0, one name, or a list of names. */
static json_t *flag_value(unsigned bits)
{
	json_t *arr;
	int n = 0, last = 0;

	for (int i = 0; i < 6; i++)
		if (bits & (1u << i)) {
			n++;
			last = i;
		}
	if (n == 0)
		return nftj_int(0);
	if (n == 1)
		return nftj_str(nft_flag_names[last]);
	arr = nftj_array();
	for (int i = 0; i < 6; i++)
		if (bits & (1u << i))
			nftj_push(arr, nftj_str(nft_flag_names[i]));
	return arr;
}

static int tcp_emit(struct emit_ctx *x, const void *priv)
{
	const struct tcp_priv *p = priv;
	int rc = 0, n = 0;

	if (port_match_active(&p->sport) && ++n)
		rc |= ext_emit(x, port_match_expr("tcp", "sport", &p->sport));
	if (port_match_active(&p->dport) && ++n)
		rc |= ext_emit(x, port_match_expr("tcp", "dport", &p->dport));
	if (p->opt_set && ++n) {
		json_t *o = nftj_object();

		nftj_put_int(o, "base", p->option);
		nftj_put_int(o, "offset", 0);
		nftj_put_int(o, "len", 8);
		rc |= ext_emit(x, nftj_match("==", nftj_put(nftj_object(), "tcp option", o),
		                             nftj_bool(!p->opt_inv)));
	}
	/* An empty mask tests nothing (iptables neither saves nor lists it). */
	if (p->flags_set && (p->mask || p->flags_inv) && ++n)
		rc |= ext_emit(x, nftj_match(p->flags_inv ? "!=" : "==",
		                             nftj_binop("&", nftj_payload("tcp", "flags"),
		                                        flag_value(p->mask)),
		                             flag_value(p->cmp)));
	if (n == 0) {
		rc |= ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(6)));
		x->keep_name = true;
	}
	return rc ? -1 : 0;
}

/* ---- read-back ---- */

static bool flags_from_json(json_t *v, unsigned *bits)
{
	long long n;
	size_t i;
	json_t *el;

	*bits = 0;
	if (nftj_get_int(v, &n) && n >= 0 && n <= 0xff) {
		*bits = (unsigned)n;
		return true;
	}
	if (json_is_string(v)) {
		for (int k = 0; k < 6; k++)
			if (strcmp(json_string_value(v), nft_flag_names[k]) == 0) {
				*bits = 1u << k;
				return true;
			}
		return false;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach(v, i, el)
	{
		unsigned one;

		if (!flags_from_json(el, &one) || json_is_array(el))
			return false;
		*bits |= one;
	}
	return true;
}

/* The listing writes "& MASK == COMP" as such, except COMP 0: "== 0" becomes
 * "! MASK" (no bit of MASK set) and "!= 0" becomes "in MASK" (some bit set). */
static bool read_flags(struct tcp_priv *p, json_t *stmt)
{
	const char *op, *proto, *field;
	json_t *left, *right, *bin;
	unsigned mask, cmp;

	if (p->flags_set || !nftj_get_match(stmt, &op, &left, &right))
		return false;
	bin = json_object_get(left, "&");
	if (!bin) {
		if ((strcmp(op, "!") && strcmp(op, "in")) ||
		    !nftj_is_payload(left, &proto, &field) || strcmp(proto, "tcp") ||
		    strcmp(field, "flags") || !flags_from_json(right, &mask))
			return false;
		cmp = 0;
	} else {
		if ((strcmp(op, "==") && strcmp(op, "!=")) || !json_is_array(bin) ||
		    json_array_size(bin) != 2 ||
		    !nftj_is_payload(json_array_get(bin, 0), &proto, &field) ||
		    strcmp(proto, "tcp") || strcmp(field, "flags") ||
		    !flags_from_json(json_array_get(bin, 1), &mask) ||
		    !flags_from_json(right, &cmp))
			return false;
	}
	/* iptables knows six flags; ECE/CWR tests have no --tcp-flags form. */
	if ((mask | cmp) & ~0x3fu)
		return false;
	p->flags_set = true;
	p->flags_inv = bin ? op[0] == '!' : strcmp(op, "in") == 0;
	p->mask = mask;
	p->cmp = cmp;
	return true;
}

/* nftables' names of the TCP options it knows; others list as a number. */
static const struct sym tcpopt_syms[] = {
    {"eol", 0},   {"nop", 1},       {"maxseg", 2},  {"window", 3}, {"sack-perm", 4}, {"sack", 5},
    {"sack0", 5}, {"timestamp", 8}, {"md5sig", 19}, {"mptcp", 30}, {"fastopen", 34}, {NULL, 0},
};

static bool read_option(struct tcp_priv *p, json_t *stmt)
{
	const char *op;
	json_t *left, *right, *o;
	long long base;

	if (p->opt_set || !nftj_get_match(stmt, &op, &left, &right) || strcmp(op, "==") ||
	    !json_is_boolean(right) || !(o = json_object_get(left, "tcp option")))
		return false;
	if (json_object_get(o, "field"))
		return false; /* a field of the option, not its presence */
	if (nftj_get_int(json_object_get(o, "base"), &base) && base >= 0 && base <= 255)
		p->option = (unsigned)base;
	else if (json_is_string(json_object_get(o, "name")) &&
	         sym_by_name(tcpopt_syms, json_string_value(json_object_get(o, "name"))))
		p->option =
		    sym_by_name(tcpopt_syms, json_string_value(json_object_get(o, "name")))->value;
	else
		return false;
	p->opt_set = true;
	p->opt_inv = !json_is_true(right);
	return true;
}

static int tcp_recognise(struct read_ctx *r, void *priv)
{
	struct tcp_priv *p = priv;
	int n = 0;
	json_t *s;

	if (r->rule->proto_set && (r->rule->proto != 6 || r->rule->proto_invert))
		return 0;
	while ((s = read_peek(r, 0)) && (port_match_read(s, "tcp", "sport", &p->sport) ||
	                                 port_match_read(s, "tcp", "dport", &p->dport) ||
	                                 read_flags(p, s) || read_option(p, s))) {
		read_take(r, 1);
		n++;
	}
	if (n)
		read_claim_proto(r, 6);
	return n > 0;
}

/* ---- printing ---- */

/* As libxt_tcp's print_tcpf: names in bit order, NONE for no bit. */
static void print_flags(unsigned bits, struct strbuf *sb)
{
	bool first = true;

	for (int i = 0; i < 6; i++)
		if (bits & (1u << i)) {
			sb_addf(sb, "%s%s", first ? "" : ",", tcp_flag_syms[i].name);
			first = false;
		}
	if (first)
		sb_add(sb, "NONE");
}

static bool flags_active(const struct tcp_priv *p)
{
	return p->flags_set && (p->mask || p->flags_inv);
}

static void tcp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct tcp_priv *p = priv;

	(void)family;
	port_match_save(&p->sport, "sport", sb);
	port_match_save(&p->dport, "dport", sb);
	if (p->opt_set)
		sb_addf(sb, "%s --tcp-option %u", p->opt_inv ? " !" : "", p->option);
	if (flags_active(p)) {
		sb_addf(sb, "%s --tcp-flags ", p->flags_inv ? " !" : "");
		print_flags(p->mask, sb);
		sb_addc(sb, ' ');
		print_flags(p->cmp, sb);
	}
}

/* iptables -L: "tcp spt:ssh dpts:1024:65535 option=!2 flags:FIN,SYN,RST,ACK/SYN". */
static void tcp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct tcp_priv *p = priv;

	(void)family;
	sb_add(sb, "tcp");
	port_match_list(&p->sport, "spt", "tcp", numeric, sb);
	port_match_list(&p->dport, "dpt", "tcp", numeric, sb);
	if (p->opt_set)
		sb_addf(sb, " option=%s%u", p->opt_inv ? "!" : "", p->option);
	if (flags_active(p)) {
		sb_addf(sb, " flags:%s", p->flags_inv ? "!" : "");
		if (numeric) {
			sb_addf(sb, "0x%02X/0x%02X", p->mask, p->cmp);
		} else {
			print_flags(p->mask, sb);
			sb_addc(sb, '/');
			print_flags(p->cmp, sb);
		}
	}
}

const struct ext ext_tcp = {
    .name = "tcp",
    .type = EXT_MATCH,
    .help = "TCP ports, flags and options (loaded by -p tcp)",
    .families = NFSH_F_ANY,
    .opts = tcp_opts,
    .nopts = sizeof(tcp_opts) / sizeof(tcp_opts[0]),
    .priv_size = sizeof(struct tcp_priv),
    .implicit_proto = 6,
    .parse = tcp_parse,
    .check = tcp_check,
    .emit = tcp_emit,
    .recognise = tcp_recognise,
    .save = tcp_save,
    .list = tcp_list,
};
EXT_REGISTER(ext_tcp);

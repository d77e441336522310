/* -j REJECT [--reject-with TYPE]: nftables' reject statement.
 *   icmp-*  (IPv4)   reject with icmp type NAME
 *   icmp6-* (IPv6)   reject with icmpv6 type NAME
 *   tcp-reset        reject with tcp reset (needs -p tcp, as in iptables)
 * The default is icmp-port-unreachable / icmp6-port-unreachable, which is what
 * a bare nft "reject" sends; -S always prints the type, as iptables does. */
#include "ext/REJECT.h"
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>
#include <strings.h>

struct reject_type {
	const char *name;  /* iptables canonical name */
	const char *alias; /* iptables' short alias */
	const char *nft;   /* nftables ICMP code name; NULL for tcp-reset */
	int code;          /* its ICMP(v6) code; REJECT_TCP_RESET */
};

/* In iptables' table order: a prefix of a name or alias picks the first hit. */
static const struct reject_type types4[] = {
    {"icmp-net-unreachable", "net-unreach", "net-unreachable", 0},
    {"icmp-host-unreachable", "host-unreach", "host-unreachable", 1},
    {"icmp-proto-unreachable", "proto-unreach", "prot-unreachable", 2},
    {"icmp-port-unreachable", "port-unreach", "port-unreachable", 3},
    {"icmp-net-prohibited", "net-prohib", "net-prohibited", 9},
    {"icmp-host-prohibited", "host-prohib", "host-prohibited", 10},
    {"tcp-reset", "tcp-rst", NULL, REJECT_TCP_RESET},
    {"icmp-admin-prohibited", "admin-prohib", "admin-prohibited", 13},
    {NULL, NULL, NULL, 0},
};
static const struct reject_type types6[] = {
    {"icmp6-no-route", "no-route", "no-route", 0},
    {"icmp6-adm-prohibited", "adm-prohibited", "admin-prohibited", 1},
    {"icmp6-addr-unreachable", "addr-unreach", "addr-unreachable", 3},
    {"icmp6-port-unreachable", "port-unreach", "port-unreachable", 4},
    {"tcp-reset", "tcp-reset", NULL, REJECT_TCP_RESET},
    {"icmp6-policy-fail", "policy-fail", "policy-fail", 5},
    {"icmp6-reject-route", "reject-route", "reject-route", 6},
    {NULL, NULL, NULL, 0},
};
#define DEFAULT4 3 /* icmp-port-unreachable */
#define DEFAULT6 3 /* icmp6-port-unreachable */

/* For completion: the IPv4 and IPv6 names together. */
static const char *const type_names[] = {
    "icmp-net-unreachable",
    "icmp-host-unreachable",
    "icmp-proto-unreachable",
    "icmp-port-unreachable",
    "icmp-net-prohibited",
    "icmp-host-prohibited",
    "icmp-admin-prohibited",
    "tcp-reset",
    "icmp6-no-route",
    "icmp6-adm-prohibited",
    "icmp6-addr-unreachable",
    "icmp6-port-unreachable",
    "icmp6-policy-fail",
    "icmp6-reject-route",
    NULL,
};

static const struct ext_opt reject_opts[] = {
    {"reject-with", 0, 1, 0, VK_ENUM, type_names, "TYPE",
     "ICMP/ICMPv6 error to send, or tcp-reset (default port unreachable)"},
};

static const struct reject_type *table_for(int family)
{
	return family == NFSH_IPV6 ? types6 : types4;
}

static int reject_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct reject_priv *p = priv;
	const struct reject_type *t = table_for(c->family);
	size_t n = strlen(args[0]);

	(void)opt;
	(void)invert;
	for (int k = 0; n && t[k].name; k++)
		if (strncasecmp(t[k].name, args[0], n) == 0 ||
		    strncasecmp(t[k].alias, args[0], n) == 0) {
			p->given = true;
			p->type = k;
			return 0;
		}
	err_set(e, NFSH_EPARAM, args[0], "unknown reject type \"%s\"", args[0]);
	if (c->family == NFSH_IPV6)
		err_hint(e, "icmp6-no-route, icmp6-adm-prohibited, icmp6-addr-unreachable, "
		            "icmp6-port-unreachable, icmp6-policy-fail, icmp6-reject-route, "
		            "tcp-reset");
	else
		err_hint(e, "icmp-net-unreachable, icmp-host-unreachable, icmp-proto-unreachable, "
		            "icmp-port-unreachable, icmp-net-prohibited, icmp-host-prohibited, "
		            "icmp-admin-prohibited, tcp-reset");
	return -1;
}

static int reject_type(const struct reject_priv *p, int family)
{
	if (p->given)
		return p->type;
	return family == NFSH_IPV6 ? DEFAULT6 : DEFAULT4;
}

int reject_icmp_code(const struct reject_priv *p, int family)
{
	const struct reject_type *t = table_for(family);
	int k = reject_type(p, family), n = 0;

	while (t[n].name)
		n++;
	return k >= 0 && k < n ? t[k].code : -2;
}

static int reject_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct reject_priv *p = priv;
	const struct rule *r = c->rule;

	/* A TCP reset answers a TCP segment: the kernel refuses it for any other
	 * protocol, and so does iptables. */
	if (!table_for(c->family)[reject_type(p, c->family)].nft &&
	    (!r->proto_set || r->proto != 6 || r->proto_invert)) {
		err_set(e, NFSH_EPARAM, "tcp-reset", "--reject-with tcp-reset needs -p tcp");
		err_hint(e, "add -p tcp, or reject with an ICMP type");
		return -1;
	}
	return 0;
}

static int reject_emit(struct emit_ctx *x, const void *priv)
{
	const struct reject_priv *p = priv;
	const struct reject_type *t = &table_for(x->family)[reject_type(p, x->family)];
	json_t *b;

	/* The default is a bare reject, as iptables-translate writes it. */
	if (!p->given ||
	    reject_type(p, x->family) == (x->family == NFSH_IPV6 ? DEFAULT6 : DEFAULT4))
		return ext_emit(x, nftj_stmt("reject", NULL));
	b = nftj_object();
	if (!t->nft) {
		nftj_put_str(b, "type", "tcp reset");
	} else {
		nftj_put_str(b, "type", x->family == NFSH_IPV6 ? "icmpv6" : "icmp");
		nftj_put_str(b, "expr", t->nft);
	}
	return ext_emit(x, nftj_stmt("reject", b));
}

static int reject_recognise(struct read_ctx *r, void *priv)
{
	struct reject_priv *p = priv;
	const struct reject_type *t = table_for(r->family);
	json_t *body;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body);
	const char *type, *code;

	if (!name || strcmp(name, "reject"))
		return 0;
	p->given = true;
	p->type = r->family == NFSH_IPV6 ? DEFAULT6 : DEFAULT4;
	if (json_is_null(body)) {
		read_take(r, 1);
		return 1;
	}
	type = json_string_value(json_object_get(body, "type"));
	code = json_string_value(json_object_get(body, "expr"));
	if (!type)
		return 0;
	if (strcmp(type, "tcp reset") == 0) {
		for (p->type = 0; t[p->type].nft; p->type++)
			;
		read_take(r, 1);
		return 1;
	}
	/* icmpx (inet family) and numeric codes have no iptables name. */
	if (strcmp(type, r->family == NFSH_IPV6 ? "icmpv6" : "icmp") || !code)
		return 0;
	for (int k = 0; t[k].name; k++)
		if (t[k].nft && strcmp(t[k].nft, code) == 0) {
			p->type = k;
			read_take(r, 1);
			return 1;
		}
	return 0;
}

static void reject_save(const void *priv, int family, struct strbuf *sb)
{
	sb_addf(sb, " --reject-with %s", table_for(family)[reject_type(priv, family)].name);
}

static void reject_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)numeric;
	sb_addf(sb, "reject-with %s", table_for(family)[reject_type(priv, family)].name);
}

const struct ext ext_REJECT = {
    .name = "REJECT",
    .type = EXT_TARGET,
    .help = "drop the packet and answer with an ICMP error or a TCP reset",
    .families = NFSH_F_ANY,
    .hooks = HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_FORWARD) | HOOK_BIT(HOOK_OUTPUT),
    .opts = reject_opts,
    .nopts = 1,
    .priv_size = sizeof(struct reject_priv),
    .parse = reject_parse,
    .check = reject_check,
    .emit = reject_emit,
    .recognise = reject_recognise,
    .save = reject_save,
    .list = reject_list,
};
EXT_REGISTER(ext_REJECT);

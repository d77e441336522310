/* -m udp (loaded implicitly by -p udp): --sport/--dport [!] P[:P] become
 * udp sport|dport [!=] P[-P]. Without a test it means "protocol udp", written
 * meta l4proto udp as iptables-translate does; the form tag keeps "-m udp".
 * The port helpers are tcp.c's (tcp.h). */
#include "ext/tcp.h"
#include "nft/json.h"

enum udp_opt_id { UDP_SPORT, UDP_DPORT };

static const struct ext_opt udp_opts[] = {
    {"source-port", UDP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "source port, service name or range"},
    {"sport", UDP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "source port, service name or range"},
    {"destination-port", UDP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port, service name or range"},
    {"dport", UDP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port, service name or range"},
};

static int udp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct udp_priv *p = priv;

	(void)c;
	if (opt->id == UDP_SPORT)
		return port_match_parse(&p->sport, invert, args[0], "sport", e);
	return port_match_parse(&p->dport, invert, args[0], "dport", e);
}

static int udp_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)priv;
	return need_proto(c, 17, "udp", e);
}

static int udp_emit(struct emit_ctx *x, const void *priv)
{
	const struct udp_priv *p = priv;
	int rc = 0;
	bool any = false;

	if (port_match_active(&p->sport)) {
		rc |= ext_emit(x, port_match_expr("udp", "sport", &p->sport));
		any = true;
	}
	if (port_match_active(&p->dport)) {
		rc |= ext_emit(x, port_match_expr("udp", "dport", &p->dport));
		any = true;
	}
	if (!any) {
		rc |= ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(17)));
		x->keep_name = true;
	}
	return rc ? -1 : 0;
}

static int udp_recognise(struct read_ctx *r, void *priv)
{
	struct udp_priv *p = priv;
	int n = 0;
	json_t *s;

	if (r->rule->proto_set && (r->rule->proto != 17 || r->rule->proto_invert))
		return 0;
	while ((s = read_peek(r, 0)) && (port_match_read(s, "udp", "sport", &p->sport) ||
	                                 port_match_read(s, "udp", "dport", &p->dport))) {
		read_take(r, 1);
		n++;
	}
	if (n)
		read_claim_proto(r, 17);
	return n > 0;
}

static void udp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct udp_priv *p = priv;

	(void)family;
	port_match_save(&p->sport, "sport", sb);
	port_match_save(&p->dport, "dport", sb);
}

/* iptables -L: "udp spt:53 dpts:1024:65535". */
static void udp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct udp_priv *p = priv;

	(void)family;
	sb_add(sb, "udp");
	port_match_list(&p->sport, "spt", "udp", numeric, sb);
	port_match_list(&p->dport, "dpt", "udp", numeric, sb);
}

const struct ext ext_udp = {
    .name = "udp",
    .type = EXT_MATCH,
    .help = "UDP ports (loaded by -p udp)",
    .families = NFSH_F_ANY,
    .opts = udp_opts,
    .nopts = sizeof(udp_opts) / sizeof(udp_opts[0]),
    .priv_size = sizeof(struct udp_priv),
    .implicit_proto = 17,
    .parse = udp_parse,
    .check = udp_check,
    .emit = udp_emit,
    .recognise = udp_recognise,
    .save = udp_save,
    .list = udp_list,
};
EXT_REGISTER(ext_udp);

/* Shared by tcp.c, udp.c and multiport.c: one port field of a transport
 * header (--sport/--dport), its native match, read-back and printed forms.
 * Implemented in tcp.c, as conntrack.c carries what state.c shares. Also
 * -m tcp's and -m udp's private data, which src/nft/nl_lin_rule.c reads to
 * build a rule's netlink expressions without the JSON of their emit. */
#ifndef NFSH_EXT_TCP_H
#define NFSH_EXT_TCP_H

#include "ext/ext.h"

/* A zeroed port_match is "not given". */
struct port_match {
	bool set, invert;
	unsigned lo, hi;
};

/* -m tcp's private data. */
struct tcp_priv {
	struct port_match sport, dport;
	bool flags_set, flags_inv;
	unsigned mask, cmp; /* TCP header flag bits, FIN = 1 ... URG = 0x20 */
	bool opt_set, opt_inv;
	unsigned option;
};

/* -m udp's. */
struct udp_priv {
	struct port_match sport, dport;
};

/* "PORT", "A:B", ":B", "A:", ":" with service names; opt names the option
 * in messages. Refuses a second use of the same field. */
int port_match_parse(struct port_match *m, bool invert, const char *arg, const char *opt,
                     struct nfsh_err *e);
/* Does it test anything? A full range without ! matches every packet. */
bool port_match_active(const struct port_match *m);
/* PROTO FIELD ==|!= PORT|LO-HI. */
json_t *port_match_expr(const char *proto, const char *field, const struct port_match *m);
/* The inverse: a single port or range of proto/field (no sets). */
bool port_match_read(json_t *stmt, const char *proto, const char *field, struct port_match *m);
/* " [!] --OPT A[:B]" as iptables-save prints it; nothing for an inactive one. */
void port_match_save(const struct port_match *m, const char *opt, struct strbuf *sb);
/* " spt:A", " spts:!A:B" (name is "spt" or "dpt") as iptables -L prints it. */
void port_match_list(const struct port_match *m, const char *name, const char *l4, bool numeric,
                     struct strbuf *sb);
/* One port as iptables -L prints it: the service name unless numeric. */
void port_print(unsigned port, const char *l4, bool numeric, struct strbuf *sb);

/* The protocol an implicit transport match needs (-p NAME, not inverted);
 * 0 or an error naming the match. */
int need_proto(const struct ext_parse_ctx *c, int proto, const char *name, struct nfsh_err *e);

#endif

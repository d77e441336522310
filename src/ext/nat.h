/* Shared by the NAT targets (DNAT.c, SNAT.c, MASQUERADE.c, REDIRECT.c,
 * NETMAP.c): the private data, the parser of iptables' address/port range
 * syntax, and the emit/read/print of nftables' dnat, snat, masquerade and
 * redirect statements. Not an extension itself. */
#ifndef NFSH_EXT_NAT_H
#define NFSH_EXT_NAT_H

#include "ext/ext.h"

#include <stdint.h>

/* nftables' nat flags, in the order nft prints them. */
#define NAT_F_RANDOM     0x1 /* --random: NF_NAT_RANGE_PROTO_RANDOM */
#define NAT_F_FULLY      0x2 /* --random-fully: NF_NAT_RANGE_PROTO_RANDOM_FULLY */
#define NAT_F_PERSISTENT 0x4 /* --persistent: NF_NAT_RANGE_PERSISTENT */

/* Option ids shared by the NAT targets. */
enum nat_opt_id {
	NAT_TO,
	NAT_PORTS,
	NAT_RANDOM,
	NAT_FULLY,
	NAT_PERSISTENT,
};

struct nat_priv {
	bool has_addr, has_port;
	int family;             /* of the addresses */
	uint8_t lo[16], hi[16]; /* address range; lo == hi for one address */
	unsigned port_lo, port_hi;
	unsigned flags;        /* NAT_F_* */
	struct addr_match net; /* NETMAP --to */
};

/* "ADDR[-ADDR][:PORT[-PORT]]", IPv6 "[ADDR[-ADDR]]:PORT[-PORT]" or bare
 * "ADDR[-ADDR]"; what names the option in errors. */
int nat_parse_to(const struct ext_parse_ctx *c, struct nat_priv *p, const char *arg,
                 const char *what, struct nfsh_err *e);
/* "PORT[-PORT]" (a service name only as a single port, as iptables). */
int nat_parse_ports(struct nat_priv *p, const char *arg, const char *what, struct nfsh_err *e);
/* Ports need a layer-4 protocol with ports (-p tcp/udp/sctp/dccp/udplite). */
int nat_check_ports(const struct ext_parse_ctx *c, const struct nat_priv *p, const char *target,
                    struct nfsh_err *e);

/* Emit {"NAME": {"addr", "port", "flags"}} (null body when empty). netmap adds
 * the prefix flags of iptables' NETMAP. */
int nat_emit(struct emit_ctx *x, const char *name, const struct nat_priv *p, bool netmap);
/* Claim one statement NAME at the cursor. Returns 1, or 0 when it is not of
 * that name or carries something the target cannot express (want_addr says
 * whether addresses are allowed; netmap selects the NETMAP form). */
int nat_recognise(struct read_ctx *r, const char *name, struct nat_priv *p, bool want_addr,
                  bool netmap);

/* The address/port part as iptables-save prints it ("1.1.1.1-1.1.1.10:80",
 * "[dead::1]:80"). */
void nat_format_to(const struct nat_priv *p, struct strbuf *sb);
/* " --random --random-fully --persistent" (save) or " random ..." (list). */
void nat_format_flags(const struct nat_priv *p, bool save, struct strbuf *sb);
void nat_format_ports(const struct nat_priv *p, struct strbuf *sb);

/* " --to-ports P[-Q]" and the flags, as MASQUERADE and REDIRECT save them. */
void nat_save_to_ports(const struct nat_priv *p, struct strbuf *sb);
/* The -L form of the same: LABEL then the ports, then the flags. */
void nat_list_to_ports(const struct nat_priv *p, const char *label, struct strbuf *sb);

#endif

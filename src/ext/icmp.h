/* Shared by icmp.c and icmp6.c: one ICMP type with a code range, as
 * --icmp-type and --icmpv6-type hold it. The engine is in icmp.c; each
 * file brings its tables in a struct icmp_desc. */
#ifndef NFSH_EXT_ICMP_H
#define NFSH_EXT_ICMP_H

#include "ext/ext.h"

/* iptables' names: a type with a code range (0-255 = every code). */
struct icmp_name {
	const char *name;
	unsigned type, code_lo, code_hi;
};

struct icmp_desc {
	const char *ext;   /* "icmp", "icmp6" */
	const char *opt;   /* "icmp-type", "icmpv6-type" */
	const char *l4;    /* nftables payload protocol: "icmp", "icmpv6" */
	const char *pname; /* iptables' protocol word: "icmp", "ipv6-icmp" */
	int proto;         /* 1, 58 */
	int family;        /* NFSH_IPV4, NFSH_IPV6 */
	bool has_any;      /* IPv4: type 255 is iptables' wildcard "any" */
	const struct icmp_name *names;
	const struct sym *nft_types, *nft_codes; /* how nftables lists values */
};

/* Zeroed = not given. */
struct icmp_priv {
	bool set, inv;
	unsigned type, code_lo, code_hi;
};

int icmp_parse_type(const struct icmp_desc *d, struct icmp_priv *p, bool inv, const char *arg,
                    struct nfsh_err *e);
int icmp_check_common(const struct icmp_desc *d, const struct ext_parse_ctx *c,
                      const struct icmp_priv *p, struct nfsh_err *e);
int icmp_emit_common(const struct icmp_desc *d, struct emit_ctx *x, const struct icmp_priv *p);
int icmp_recognise_common(const struct icmp_desc *d, struct read_ctx *r, struct icmp_priv *p);
void icmp_save_common(const struct icmp_desc *d, const struct icmp_priv *p, struct strbuf *sb);
void icmp_list_common(const struct icmp_desc *d, const struct icmp_priv *p, bool numeric,
                      struct strbuf *sb);

#endif

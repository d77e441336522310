/* -j REJECT's private data and the ICMP code of its type, for
 * src/nft/nl_lin_rule.c, which builds the netlink reject expression
 * straight from it (see LOG.h for why one header per extension read so).
 * The type table and its order stay in REJECT.c. */
#ifndef NFSH_EXT_REJECT_H
#define NFSH_EXT_REJECT_H

#include <stdbool.h>

struct reject_priv {
	bool given;
	int type; /* index into the family's table (REJECT.c) */
};

/* reject_icmp_code's answer for tcp-reset, which has no ICMP code. */
#define REJECT_TCP_RESET (-1)

/* The ICMP (NFSH_IPV4) or ICMPv6 (NFSH_IPV6) code p sends, the default
 * (port unreachable) when no type was given; REJECT_TCP_RESET; -2 for a
 * type index that is not the family's. */
int reject_icmp_code(const struct reject_priv *p, int family);

#endif

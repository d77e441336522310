/* -j MARK's private data, for src/nft/nl_lin_rule.c, which builds the
 * netlink mark statement straight from it (see LOG.h for why one header
 * per extension read so). The forms of the update are markops.h's. */
#ifndef NFSH_EXT_MARK_H
#define NFSH_EXT_MARK_H

#include <stdbool.h>
#include <stdint.h>

/* new = (mark & ~mask) ^ value. */
struct mark_priv {
	bool given;
	uint32_t value, mask;
};

#endif

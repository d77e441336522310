/* -j LOG's private data, declared beside LOG.c for the one reader outside
 * the extension: src/nft/nl_lin_rule.c builds the netlink log expression
 * straight from it (restores skip the JSON of log_emit). One header per
 * extension read so, named as its .c, so what each one lets other layers
 * see stays next to it. */
#ifndef NFSH_EXT_LOG_H
#define NFSH_EXT_LOG_H

#include <stdbool.h>

#define LOG_PREFIX_MAX    29 /* iptables' prefix[30] */
#define LOG_LEVEL_DEFAULT 4  /* warning: not written (nft's default too) */

struct log_priv {
	char prefix[LOG_PREFIX_MAX + 1];
	unsigned level;
	bool level_set; /* level given or read back; else the default */
	unsigned flags; /* XT_LOG_* bits, the same as nftables' NF_LOG_* */
};

#endif

/* A small batch applied straight over libmnl/libnftnl, without libnftables.
 * libnftables 1.0.6 dumps every chain of every table before it adds one rule
 * (its cache): 100+ ms in a namespace holding 50k rules, against a few ms for
 * the batch itself. For the batches one command makes (add table, add chain,
 * append/insert one rule) made of expressions this writer linearises exactly
 * as libnftables would, it sends the batch itself; anything else, or any
 * error from the kernel, is left to libnftables (which then reports it). */
#ifndef NFSH_NFT_NL_WRITE_H
#define NFSH_NFT_NL_WRITE_H

#include <jansson.h>
#include <stdbool.h>

enum nlw_result {
	NLW_APPLIED,     /* cmds (the "nftables" array nfsh built): one transaction, done */
	NLW_NOT_APPLIED, /* nothing changed: use libnftables */
	NLW_UNKNOWN,     /* sent, but the kernel's answer was lost: do not send it again */
};

enum nlw_result nlw_apply(json_t *cmds);

#endif

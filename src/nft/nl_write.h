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
#include <stddef.h>
#include <stdint.h>

enum nlw_result {
	NLW_APPLIED,     /* cmds (the "nftables" array nfsh built): one transaction, done */
	NLW_NOT_APPLIED, /* nothing changed: use libnftables */
	NLW_UNKNOWN,     /* sent, but the kernel's answer was lost: do not send it again */
};

enum nlw_result nlw_apply(json_t *cmds);

/* A whole batch: the messages of its items as nll_item() appended them
 * (nl_lin.h), len bytes at msgs, without the begin and end markers, which
 * are added here numbered seq and seq + 1. Sent as ONE transaction in one
 * sendmsg, with no per-message ACK (as libnftables 1.0.6 and iptables-nft
 * send a batch); msgs is modified (the ACK flags are cleared).
 * NLW_APPLIED only when the kernel answered a generation request sent after
 * the batch with a new generation and no error came before it;
 * NLW_NOT_APPLIED when an error came (the kernel aborted the whole
 * transaction), the batch could not be sent, or the generation did not move
 * (nothing was committed). *err gets the error (a positive errno, 0 when
 * none was seen). */
enum nlw_result nlw_apply_msgs(char *msgs, size_t len, uint32_t seq, int *err);

#endif

/* nfsh's JSON batch items as the netlink messages libnftables 1.0.6 sends
 * for them, built with libnftnl, for the writers that bypass libnftables
 * (nl_write.c). An item this file does not linearise exactly as libnftables
 * would is refused (-1 / NULL): the caller then leaves the whole batch to
 * libnftables. tests/integration/io_fastwrite.sh holds both paths to the
 * same kernel bytecode. */
#ifndef NFSH_NFT_NL_LIN_H
#define NFSH_NFT_NL_LIN_H

#include "util/strbuf.h"

#include <jansson.h>
#include <stdint.h>

struct nftnl_chain;
struct nftnl_rule;
struct nftnl_table;

/* No single message is longer (libnftnl does not check bounds itself). */
#define NLL_MSG_MAX 65536

/* NFPROTO_IPV4 / NFPROTO_IPV6 of an object's "family", or -1. */
int nll_nfproto(json_t *o);

/* The libnftnl object of a JSON "table", "chain" or "rule" object. */
struct nftnl_table *nll_table(json_t *o);
struct nftnl_chain *nll_chain(json_t *o);
struct nftnl_rule *nll_rule(json_t *o, int *nfproto);

/* Appends the messages of one batch item ({"add": {...}}, {"insert":
 * {...}}, ...) to out, numbered from *seq on (advanced past them). Returns
 * how many messages, or -1 when the item is not one this file linearises
 * (out as it was). */
int nll_item(struct strbuf *out, json_t *item, uint32_t *seq);

#endif

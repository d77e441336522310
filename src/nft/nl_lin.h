/* nfsh's JSON batch items as the netlink messages libnftables 1.0.6 sends
 * for them, built with libnftnl, for the writers that bypass libnftables
 * (nl_write.c for one command, io_batch.c for restores and imports). An
 * item this file does not linearise exactly as libnftables would is refused
 * (-1 / NULL): the caller then leaves the whole batch to libnftables.
 *
 * Known: add/create/delete of tables and chains (base chains, policies),
 * flush of tables and chains, add/insert/replace/delete of rules (insert
 * before a handle; an "index" is refused: libnftables resolves it against
 * its cache), named sets of ports or addresses with up to 1,024 elements and
 * their lookups. In rules: ip/ip6 addresses, prefixes and sets, interface
 * names, protocols, tcp/udp ports (values, ranges, sets), icmp/icmpv6
 * type/code, fib address types, meta/ct mark (masked), ct state/status/
 * direction/addresses/protocol/ports/expiration; counter (new, or with
 * its starting packets and bytes), verdicts, mark
 * set (meta and ct), limit, log, reject, snat/dnat/masquerade/redirect,
 * notrack, comment. Anonymous sets and the rest are refused.
 * tests/integration/io_nl_bytes.sh holds the messages to libnftables'. */
#ifndef NFSH_NFT_NL_LIN_H
#define NFSH_NFT_NL_LIN_H

#include "util/strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nftnl_chain;
struct nftnl_rule;
struct nftnl_table;

/* No single message is longer (libnftnl does not check bounds itself). */
#define NLL_MSG_MAX 65536

/* The longest rule comment linearised: what libnftables 1.0.6 takes from
 * JSON (measured: 253 characters apply; 254 and more make it abort with
 * "netlink_linearize.c:1686: Memory allocation failure", the comment's TLV
 * and NUL no longer fitting the kernel's 256 bytes of rule user data). */
#define NLL_COMMENT_MAX 253

/* NFPROTO_IPV4 / NFPROTO_IPV6 of an object's "family", or of the family
 * name ("ip", "ip6"; NULL too), or -1. */
int nll_nfproto(json_t *o);
int nll_family(const char *name);

/* The libnftnl object of a JSON "table", "chain" or "rule" object (a rule
 * without its comment: libnftables puts that after the expressions, see
 * nl_lin.c). */
struct nftnl_table *nll_table(json_t *o);
struct nftnl_chain *nll_chain(json_t *o);
struct nftnl_rule *nll_rule(json_t *o, int *nfproto);

/* What one batch's items left for the later ones: the sets it added (their
 * ids, which libnftables numbers from 1 in each batch, and key lengths),
 * for the rules that look them up. */
struct nll_ctx {
	uint32_t set_id; /* the last id given out */
	json_t *sets;    /* "nfproto table name" -> [id, key length] */
};

void nll_ctx_init(struct nll_ctx *ctx);
void nll_ctx_free(struct nll_ctx *ctx);

/* Appends the messages of one batch item of the batch ctx belongs to
 * ({"add": {...}}, {"insert": {...}}, {"delete": ...}, {"flush": ...},
 * {"replace": ...}) to out, numbered from *seq on (advanced past them; a
 * set's elements share one number, as libnftables sends them). Returns how
 * many messages, or -1 when the item is not one this file linearises (out
 * as it was). Items that name a set ("add set", a rule's "@set") need ctx:
 * with NULL they are refused. */
int nll_batch_item(struct nll_ctx *ctx, struct strbuf *out, json_t *item, uint32_t *seq);

/* The message of {verb: {"rule": ...}} for a rule already built as r (not
 * freed; a replace sets its handle), as nll_batch_item would write it:
 * verb add, insert (before handle, 0: at the top) or replace (of handle),
 * comment (NULL: none) after the expressions. 1, or -1 (out as it was). */
int nll_rule_item(struct strbuf *out, const char *verb, struct nftnl_rule *r, uint64_t handle,
                  const char *comment, uint32_t *seq);

/* A chain as nll_batch_item reads it from {"add"|"create": {"chain": ...}}:
 * a base chain has hook ("input", ...), type and prio, maybe a policy
 * ("accept" or "drop"); a user chain has hook, type and policy NULL. The
 * strings are the caller's. */
struct nll_chain_def {
	int nfproto;
	const char *table, *name;
	const char *hook, *type, *policy;
	int32_t prio;
};

/* The NEWCHAIN of an add (create: NLM_F_EXCL) of d, as nll_batch_item
 * writes it for the JSON item: 1, or -1 when d is not what that takes (out
 * as it was). */
int nll_chain_item(struct strbuf *out, const struct nll_chain_def *d, bool create, uint32_t *seq);

/* nll_batch_item without a batch context (no sets). */
int nll_item(struct strbuf *out, json_t *item, uint32_t *seq);

#endif

/* Shared between the parts of the linearisation (nl_lin.c: objects and
 * batch items; nl_lin_expr.c: a rule's expressions). Not for other files. */
#ifndef NFSH_NFT_NL_LIN_INT_H
#define NFSH_NFT_NL_LIN_INT_H

#include "nft/nl_lin.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct nftnl_rule;

/* More expressions than a rule nfsh writes has: refused, so no message
 * comes near NLL_MSG_MAX. */
#define NLL_EXPRS_MAX 128

/* One rule being linearised. */
struct lin {
	struct nftnl_rule *r;
	struct nll_ctx *ctx; /* the batch's sets; NULL: no set lookups */
	int nfproto;
	int l4;          /* protocol the transport header is known to be, or -1 */
	bool l4_unknown; /* a negated protocol match: libnftables' choice, not ours */
	bool bad;
	int nexprs;
};

/* Appends the expressions of a rule's "expr" array; false when one is not
 * linearised here. */
bool nll_exprs(struct lin *l, json_t *exprs);

/* The set id this batch gave the set table/name (its NEWSET came earlier in
 * the batch), or 0. *keylen: its key length. */
uint32_t nll_ctx_set(struct nll_ctx *ctx, int nfproto, const char *table, const char *name,
                     uint32_t *keylen);

#define NLL_NAMES(a) (sizeof(a) / sizeof((a)[0]))

/* nl_lin_expr.c's expression builders, for the matches and statements and
 * for nl_lin_rule.c (a rule built from the model without JSON): the same
 * calls, so the same bytes. */
struct nftnl_expr;
struct nftnl_expr *nll_expr(const char *name);
void nll_add(struct lin *l, struct nftnl_expr *e);
void nll_load_payload(struct lin *l, uint32_t base, uint32_t off, uint32_t len);
void nll_load_meta(struct lin *l, uint32_t key);
void nll_load_ct(struct lin *l, uint32_t key, int dir);
void nll_cmp(struct lin *l, uint32_t op, const void *data, uint32_t len);
void nll_range(struct lin *l, uint32_t op, const void *lo, const void *hi, uint32_t len);
void nll_bitwise(struct lin *l, const void *mask, const void * xor, uint32_t len, bool op);
void nll_imm_data(struct lin *l, uint32_t reg, const void *data, uint32_t len);
/* Is code an ICMP (nfproto IPv4) or ICMPv6 code of reject that
 * nl_lin_expr.c linearises (one it has the name of)? */
bool nll_reject_code(int nfproto, int code);
/* A counter starting from packets/bytes (0, 0: a new counter). */
void nll_counter(struct lin *l, uint64_t packets, uint64_t bytes);
void nll_cmp_addr(struct lin *l, uint32_t op, const uint8_t *addr, uint32_t len, uint32_t plen);
void nll_note_l4(struct lin *l, uint32_t op, int proto);
bool nll_l4_dependency(struct lin *l, int proto);

/* nl_lin_expr.c's readers of JSON values: an integer in [lo, hi]; a u32; the
 * index of s in names (-1); the "key" of {kind: {"key": K}}. */
bool nll_int_in(json_t *v, json_int_t lo, json_int_t hi, json_int_t *out);
bool nll_u32_of(json_t *v, uint32_t *out);
int nll_name_index(const char *s, const char *const *names, size_t n);
const char *nll_key_of(json_t *o, const char *kind);

/* nl_lin_match.c's, for the statements too: an address or prefix in network
 * order (*plen its length); load the mark {"meta"|"ct": {"key": "mark"}}. */
bool nll_addr_of(json_t *right, bool v6, uint8_t *addr, uint32_t *plen);
bool nll_load_mark(struct lin *l, json_t *key);

/* One {"match": ...} (nl_lin_match.c), one statement of any other kind
 * (nl_lin_stmt.c): false when it is not linearised here. */
bool nll_match(struct lin *l, json_t *m);
bool nll_stmt(struct lin *l, json_t *st);

/* The nat statement's expression once its values are in registers: kind
 * "snat", "dnat", "masq" or "redir"; areg / preg 0 when not given, a range
 * also using the register after. */
void nll_nat_stmt(struct lin *l, const char *kind, uint32_t areg, bool arange, uint32_t preg,
                  bool prange, uint32_t flags);

#endif

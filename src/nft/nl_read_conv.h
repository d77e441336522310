/* The reading of one rule's expressions (nl_read_int.h's nlr_rule_json and
 * nlr_rule_fast) in three files that share what is here, not for others:
 * nl_read_rule.c walks the expressions, loads the registers and makes the
 * rule; nl_read_match.c reads the compares, ranges and set lookups (the
 * matches); nl_read_stmt.c the verdicts, mark settings, reject, NAT, limit
 * and log (the statements). Each statement goes out as libnftables' JSON
 * (exprs) or, for nlr_rule_fast, as struct nlr_fstmt (fast). */
#ifndef NFSH_NFT_NL_READ_CONV_H
#define NFSH_NFT_NL_READ_CONV_H

#include "nft/nl_read_int.h"
#include "rule/rule.h"

#include <jansson.h>
#include <libnftnl/expr.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define NREGS 32

/* What a register holds: the JSON left side of a match, and how it was
 * loaded, until a cmp, lookup or set statement consumes it. */
struct reg {
	enum { R_NONE, R_PAYLOAD, R_META, R_CT, R_FIB, R_IMM } kind;
	uint32_t base, offset, len, key;
	bool masked;
	uint8_t mask[16], xor[16];
	uint8_t data[16]; /* R_IMM */
	uint32_t dlen;
	int lo; /* a port range's lower bound (cmp gte) waiting for its lte, or -1 */
};

struct conv {
	int family; /* NFSH_IPV4 / NFSH_IPV6 */
	struct leaf_cache *cache;
	json_t *anon; /* anonymous set name -> its right side {"set": [...]}, or NULL */
	json_t *exprs;
	struct reg regs[NREGS];
	int l4proto; /* protocol the transport header is known to be, or -1 */
	/* A "meta l4proto P" or "ip protocol P" match is a payload dependency
	 * to libnftables: it leaves it out of the listing once a later
	 * expression loads P's header. Its index in exprs, or -1. */
	int dep_index;
	bool dep_is_meta;
	bool unsupported;
	int nexpr;           /* expressions seen */
	const char *stopped; /* the one that made the rule unsupported */
	/* Set: the statements go here instead of exprs (nl_read.h's shapes
	 * only); not_fast when the rule has any other. */
	struct nlr_fast *fast;
	bool not_fast;
	/* A "cmp gte" on a port: libnftables lists it and the "cmp lte" right
	 * after it as one range match. */
	struct reg *range_reg;
};

/* ---- nl_read_rule.c: the reader's state and its JSON ---- */

/* The next statement of a rule read without JSON, or NULL (not_fast set). */
struct nlr_fstmt *cv_fpush(struct conv *c, enum nlr_fkind kind, bool neq);
/* The rule is not one this reader knows: libnftables reads it. */
void cv_unsupported(struct conv *c);
/* The register an expression names in attr, or NULL. */
struct reg *cv_reg(struct conv *c, const struct nftnl_expr *e, uint16_t attr);
/* stmt out as the next statement (NULL: unsupported). */
void cv_push(struct conv *c, json_t *stmt);
/* An ICMP or ICMPv6 code as libnftables lists it: a name, or the number. */
json_t *cv_icmp_code_right(int l4, unsigned code);
/* o with k set to v (stolen), or NULL (o released); a shared left side or
 * verdict from the rule's leaf cache. */
json_t *cv_put(json_t *o, const char *k, json_t *v);
json_t *cv_leaf(struct conv *c, const char *kind, const char *a, const char *b);
#define meta_left(key)             cv_leaf(c, "meta", (key), NULL)
#define payload_left(proto, field) cv_leaf(c, "payload", (proto), (field))

static inline uint32_t cv_u32_host(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* ---- nl_read_match.c ---- */
void cv_cmp(struct conv *c, const struct nftnl_expr *e);
void cv_range(struct conv *c, const struct nftnl_expr *e);
void cv_lookup(struct conv *c, const struct nftnl_expr *e);

/* ---- nl_read_stmt.c ---- */
json_t *cv_verdict(struct conv *c, const struct nftnl_expr *e);
void cv_fast_verdict(struct conv *c, const struct nftnl_expr *e);
/* meta mark set (own R_META) / ct mark set (R_CT) with the value in r. */
void cv_mark_set(struct conv *c, struct reg *r, int own);
/* The statements as JSON / without it: true when e was one of them. */
bool cv_stmt(struct conv *c, const struct nftnl_expr *e, const char *name);
bool cv_stmt_fast(struct conv *c, const struct nftnl_expr *e, const char *name);

#endif

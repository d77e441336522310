/* What nl_read.c (the dumps) and nl_read_rule.c (one rule's expressions
 * as libnftables' JSON, or as struct nlr_fast) share; not for other files. */
#ifndef NFSH_NFT_NL_READ_INT_H
#define NFSH_NFT_NL_READ_INT_H

#include "nft/nl_read.h"

#include <jansson.h>
#include <libnftnl/rule.h>
#include <stdbool.h>

#include "nft/shared_sets.h"

/* The kernel fills up to ~32 KiB per recv (FACTS.md); room for that. */
#define NLR_RECV_SIZE 65536
/* A request: a header and a table, chain or set name. */
#define NLR_REQ_SIZE 1024

/* Left sides and verdicts are the same few objects in thousands of rules,
 * and nothing that reads a listing changes them: one shared instance each
 * (jansson counts the references) instead of a fresh tree per rule. */
struct leaf_cache {
	struct {
		const char *kind, *a, *b;
		json_t *v;
	} e[48];
	int n;
};

/* {k: v} and {k1: v1, k2: v2}, the values stolen. */
json_t *nlr_obj1(const char *k, json_t *v);
json_t *nlr_obj2(const char *k1, json_t *v1, const char *k2, json_t *v2);
/* The rule as libnftables' listing gives it ({"rule": ...}), or NULL when
 * it holds anything this reader does not know; anon maps anonymous set
 * names to their right sides. */
json_t *nlr_rule_json(struct nftnl_rule *nr, int family, struct leaf_cache *cache, json_t *anon);
/* The rule as struct nlr_fast when it is made of nl_read.h's common shapes. */
bool nlr_rule_fast(struct nftnl_rule *nr, int family, struct nlr_fast *f);
void nlr_leaf_cache_free(struct leaf_cache *lc);

#endif

/* The JSON building blocks: small builders over jansson for libnftables' JSON
 * dialect (libnftables-json(5)), and the matching readers used by read-back.
 * Builders return a new reference; functions taking json_t * arguments steal them
 * (NULL arguments are tolerated and make the result NULL), so expressions nest:
 *   nftj_match("in", nftj_ct("state", NULL), nftj_str("new"))
 */
#ifndef NFSH_NFT_JSON_H
#define NFSH_NFT_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Scalars and containers. */
json_t *nftj_str(const char *s);
json_t *nftj_int(long long v);
json_t *nftj_bool(bool v); /* true/false, as "tcp option N exists|missing" compares */
json_t *nftj_array(void);
json_t *nftj_object(void);
/* Append v to array a (steals v); returns a. */
json_t *nftj_push(json_t *a, json_t *v);
/* Set o[key] = v (steals v); returns o. */
json_t *nftj_put(json_t *o, const char *key, json_t *v);
void nftj_put_str(json_t *o, const char *key, const char *s);
void nftj_put_int(json_t *o, const char *key, long long v);

/* Expressions (left or right side of a match). */
json_t *nftj_ct(const char *key, const char *dir);          /* {"ct": {"key", "dir"?}} */
json_t *nftj_payload(const char *proto, const char *field); /* {"payload": {...}} */
json_t *nftj_meta(const char *key);                         /* {"meta": {"key"}} */
json_t *nftj_prefix(const char *addr, int len);             /* {"prefix": {"addr", "len"}} */
json_t *nftj_range(json_t *lo, json_t *hi);                 /* {"range": [lo, hi]} */
json_t *nftj_set(json_t *elems);                            /* {"set": [...]} (steals array) */
json_t *nftj_binop(const char *op, json_t *l, json_t *r);   /* {"&": [l, r]} and friends */

/* Statements. */
json_t *nftj_match(const char *op, json_t *left, json_t *right);
json_t *nftj_stmt(const char *name, json_t *body); /* {"name": body}; NULL body -> null */
json_t *nftj_counter(bool with_values, uint64_t packets, uint64_t bytes);
json_t *nftj_verdict(const char *verdict);               /* accept, drop, return, continue */
json_t *nftj_jump(const char *kind, const char *target); /* kind: "jump" or "goto" */

/* Readers. Each returns false when expr is not of that shape. Returned strings
 * and objects are borrowed from the expression. */
const char *nftj_stmt_name(json_t *stmt, json_t **body);
bool nftj_get_match(json_t *stmt, const char **op, json_t **left, json_t **right);
bool nftj_is_ct(json_t *left, const char **key, const char **dir);
bool nftj_is_payload(json_t *left, const char **proto, const char **field);
bool nftj_is_meta(json_t *left, const char **key);
bool nftj_get_prefix(json_t *v, const char **addr, int *len);
bool nftj_get_range(json_t *v, json_t **lo, json_t **hi);
json_t *nftj_get_set(json_t *v); /* the element array of {"set": [...]}, or NULL */
/* Integer value of v (a number, or a numeric string); false otherwise. */
bool nftj_get_int(json_t *v, long long *out);

#endif

/* Shared by the IPv6 extension-header matches (frag.c, hbh.c, dst.c, rt.c,
 * mh.c): nft's exthdr expression, "exthdr NAME exists" and "NAME FIELD", and
 * the header-length conversion they need. Not an extension.
 *
 * Lengths: ip6tables' --hbh-len, --dst-len and --rt-len count bytes, what
 * the kernel's ipv6_optlen() gives ((field + 1) * 8); nft's "hdrlength" is
 * the raw field. A byte count that is no multiple of 8 (or below 8) can never
 * match, and is refused: iptables-translate writes the bytes as the raw field,
 * a different test. */
#ifndef NFSH_EXT_EXTHDR_H
#define NFSH_EXT_EXTHDR_H

#include "ext/idrange.h"

/* {"exthdr": {"name": NAME[, "field": FIELD]}} */
json_t *xh_left(const char *name, const char *field);
/* exthdr NAME exists|missing */
json_t *xh_exists(const char *name, bool present);
bool xh_is(json_t *left, const char *name, const char *field);
/* Is stmt "exthdr NAME exists"? */
bool xh_read_exists(json_t *stmt, const char *name);
/* NAME FIELD ==|!= A[-B], as idrange_read for an exthdr field. */
bool xh_read_range(json_t *stmt, const char *name, const char *field, uint32_t max,
                   struct idrange *m);
/* NAME FIELD == V (no !=), V in [0, max]. */
bool xh_read_eq(json_t *stmt, const char *name, const char *field, uint32_t max, uint32_t *v);

/* A length in bytes as --*-len takes it, checked for an 8-byte multiple;
 * *raw gets the header field value. */
int xh_len_parse(struct idrange *m, bool invert, const char *arg, const char *opt,
                 struct nfsh_err *e);

/* The options headers, hop-by-hop (hbh) and destination (dst): one shared
 * implementation for hbh.c and dst.c. -m NAME alone is "exthdr NAME exists";
 * [!] --NAME-len BYTES is "NAME hdrlength [!=] BYTES/8-1"; --NAME-opts (option
 * type/length lists) has no native form and is refused. */
struct optshdr_priv {
	struct idrange len; /* raw field */
};
int optshdr_parse(const char *name, struct optshdr_priv *p, bool is_opts, bool invert,
                  const char *arg, struct nfsh_err *e);
int optshdr_emit(const char *name, struct emit_ctx *x, const struct optshdr_priv *p);
int optshdr_recognise(const char *name, struct read_ctx *r, struct optshdr_priv *p);
void optshdr_save(const char *name, const struct optshdr_priv *p, struct strbuf *sb);
void optshdr_list(const char *label, const struct optshdr_priv *p, struct strbuf *sb);

#endif

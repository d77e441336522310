/* Shared by ttl.c (IPv4 ttl) and hl.c (IPv6 hop limit): one 8-bit header
 * field compared with ==, !=, < or >. */
#ifndef NFSH_EXT_TTL_H
#define NFSH_EXT_TTL_H

#include "ext/ext.h"

enum { TTL_EQ, TTL_LT, TTL_GT };

struct ttl_priv {
	bool given, invert;
	int op; /* TTL_EQ, TTL_LT, TTL_GT */
	unsigned value;
};

/* what: "ttl" or "hl", for messages and the option names (--ttl-eq...). */
int ttl_parse_opt(struct ttl_priv *p, const struct ext_opt *opt, bool invert, const char *arg,
                  const char *what, struct nfsh_err *e);
int ttl_check_given(const struct ttl_priv *p, const char *what, struct nfsh_err *e);
int ttl_emit_field(struct emit_ctx *x, const struct ttl_priv *p, const char *proto,
                   const char *field);
int ttl_recognise_field(struct read_ctx *r, struct ttl_priv *p, const char *proto,
                        const char *field);
/* " --ttl-eq 3", " ! --hl-eq 3", ... */
void ttl_save_opt(const struct ttl_priv *p, const char *what, struct strbuf *sb);

#endif

/* Shared by esp.c, ah.c, ipcomp.c and the IPv6 extension-header matches: one
 * numeric header field tested against a value or an inclusive range
 * ([!] --OPT A[:B], either end may be left out), as libxt_esp's
 * xtables_parse_spis, and its native match PROTO FIELD ==|!= A[-B]. */
#ifndef NFSH_EXT_IDRANGE_H
#define NFSH_EXT_IDRANGE_H

#include "ext/ext.h"

/* A zeroed idrange is "not given". */
struct idrange {
	bool set, invert;
	uint32_t lo, hi;
};

/* Refuses a second use, a reversed range and values above max; opt names the
 * option in messages. */
int idrange_parse(struct idrange *m, bool invert, const char *arg, uint32_t max, const char *opt,
                  struct nfsh_err *e);
/* Given, not inverted, and covering 0..max: tests nothing but the header. */
bool idrange_full(const struct idrange *m, uint32_t max);
/* OP LEFT A|A-B with left stolen. */
json_t *idrange_expr(json_t *left, const struct idrange *m);
/* The inverse for a payload PROTO FIELD match (single value or range). */
bool idrange_read(json_t *stmt, const char *proto, const char *field, uint32_t max,
                  struct idrange *m);
/* " [!] --OPT A[:B]" as iptables-save prints it; nothing when not given. */
void idrange_save(const struct idrange *m, const char *opt, struct strbuf *sb);
/* " NAME:A" or " NAMEs:A:B", with "!" after the colon, as iptables -L prints spis. */
void idrange_list(const struct idrange *m, const char *name, struct strbuf *sb);

#endif

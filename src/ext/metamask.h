/* Shared by devgroup.c, realm.c (and any match of the shape
 * "meta KEY [& MASK] ==|!= VALUE"): the statement and its read-back.
 * Not an extension. */
#ifndef NFSH_EXT_METAMASK_H
#define NFSH_EXT_METAMASK_H

#include "ext/ext.h"

#include <stdint.h>

/* A zeroed metamask is "not given". */
struct metamask {
	bool set, invert;
	uint32_t value, mask; /* mask 0xffffffff = no mask */
};

json_t *metamask_expr(const char *key, const struct metamask *m);
/* Is stmt meta KEY [& M] ==|!= V? Fills m. */
bool metamask_read(json_t *stmt, const char *key, struct metamask *m);
/* " [!] --OPT 0xV[/0xM]" (iptables-save's hex form). */
void metamask_save(const struct metamask *m, const char *opt, struct strbuf *sb);

#endif

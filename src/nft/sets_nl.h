/* Named sets nfsh itself declares in its tables, listed over libmnl. */
#ifndef NFSH_SETS_NL_H
#define NFSH_SETS_NL_H

#include <jansson.h>

#include "util/err.h"

/* Append {"delete": {"set": ...}} to cmds for every set of nfsh's table
 * (family, nftname) that nfsh declares on behalf of rules: connlimit's
 * per-rule sets ("connlimit...") and restore's shared lists ("nfsh-p-...").
 * For a batch that has just flushed the whole table: nothing refers to them
 * any more. A table that does not exist has none. Returns the count or -1. */
int nl_drop_own_sets(json_t *cmds, int family, const char *nftname, struct nfsh_err *e);

/* After a committed batch that removed rules from the table: each of those
 * sets that no rule uses any more is deleted (best effort, one transaction
 * a set; a set still in use is left). Returns how many went. */
int nl_gc_own_sets(int family, const char *nftname);

/* Whether name is one of those sets' names. */
int nl_is_own_set(const char *name);

#endif

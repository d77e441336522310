/* Restore's shared lists: a port or address list that many rules of a
 * restore use is one named set (io/sets.c writes them), named by a hash of
 * its elements. Read back, a rule shows the anonymous set it stands for, so
 * it reads as it was written. */
#ifndef NFSH_SHARED_SETS_H
#define NFSH_SHARED_SETS_H

#include <jansson.h>
#include <stdbool.h>

#define NFSH_SHARED_SET_PREFIX "nfsh-p-"

/* The elements of each shared set of a libnftables listing (objs), or of one
 * listed object o, into sets by name. */
void nfsh_shared_sets_collect(json_t *objs, json_t *sets);
void nfsh_shared_set_collect(json_t *o, json_t *sets);
/* Whether a listed rule object matches against "@nfsh-p-...". */
bool nfsh_rule_uses_shared_set(json_t *rule);
/* Each "@nfsh-p-..." of a listed rule object whose elements sets holds
 * becomes {"set": elements}. */
void nfsh_rule_resolve_shared_sets(json_t *rule, json_t *sets);

#endif

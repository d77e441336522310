/* Commands of a libnftables JSON batch: {"add": {"rule": {...}}} and friends. */
#ifndef NFSH_BATCH_H
#define NFSH_BATCH_H

#include <jansson.h>
#include <stdint.h>

#include "rule/rule.h"

/* Append {verb: {objtype: obj}} to the command array (obj stolen). */
void nftb_cmd(json_t *cmds, const char *verb, const char *objtype, json_t *obj);

/* {"add": obj} for an object as libnftables lists it (obj is not stolen). */
void nftb_add_listed(json_t *cmds, json_t *obj);

json_t *nftb_table(int family, const char *table);
/* A chain object; bc non-NULL makes it a base chain (type, hook, prio), policy
 * NULL leaves an existing chain's policy alone. */
json_t *nftb_chain(int family, const char *table, const char *name, const struct builtin_chain *bc,
                   const char *policy);
json_t *nftb_rule(int family, const char *table, const char *chain, json_t *exprs,
                  const char *comment);
void nftb_set_handle(json_t *obj, uint64_t handle);
void nftb_set_index(json_t *obj, long index);

/* add table + add each built-in chain of nfsh's table (created on demand; an
 * existing chain keeps its policy). */
void nftb_ensure_table(json_t *cmds, int family, int table);

#endif

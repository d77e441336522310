/* Commands of a libnftables JSON batch: {"add": {"rule": {...}}} and friends. */
#ifndef NFSH_BATCH_H
#define NFSH_BATCH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "rule/rule.h"

/* Append {verb: {objtype: obj}} to the command array (obj stolen). */
void nftb_cmd(json_t *cmds, const char *verb, const char *objtype, json_t *obj);

/* The command {verb: {objtype: obj}} alone (obj stolen). Unlike nftb_cmd, a
 * NULL obj (memory ran out building it) gives NULL, not {objtype: null}. */
json_t *nftb_command(const char *verb, const char *objtype, json_t *obj);

/* {"nftables": cmds}, the document libnftables reads (cmds is not stolen). */
json_t *nftb_document(json_t *cmds);

/* Append cmd (stolen) to the command array: its index, or -1. */
int nftb_push_cmd(json_t *cmds, json_t *cmd);
/* Turn command item of cmds into {"metainfo": {}}, which libnftables skips
 * anywhere in a batch, so the later items keep their index: 0 or -1. */
int nftb_cancel_cmd(json_t *cmds, size_t item);
/* Drop the commands after the first n. */
void nftb_truncate(json_t *cmds, size_t n);
/* The rule object of a rule command {verb: {"rule": rule}} (borrowed), or
 * NULL. */
json_t *nftb_cmd_rule(json_t *cmd);

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
void nftb_unset_handle(json_t *obj);
void nftb_unset_index(json_t *obj);
/* A copy of a rule object for the caller to change (NULL rule or no memory:
 * NULL). */
json_t *nftb_rule_copy(json_t *rule);
/* Make the counters of a rule object new ones (null); true when it had any
 * with values. */
bool nftb_zero_counters(json_t *rule);

/* add table + add each built-in chain of nfsh's table (created on demand; an
 * existing chain keeps its policy). */
void nftb_ensure_table(json_t *cmds, int family, int table);

/* Handles of the same rules in two rulesets (the shell's simulation of a
 * candidate). nftb_own_rule_handles: the handles of the rules of nfsh's tables
 * (nfsh-*) in a listing, in listing order, by "family table chain".
 * nftb_map_handles: a copy of cmds where each rule handle found in from's
 * lists becomes the handle at the same place in to's; NULL when a chain has
 * not as many rules in both. A handle is known by its family and table too:
 * each table numbers its own. */
json_t *nftb_own_rule_handles(json_t *listing);
json_t *nftb_map_handles(json_t *cmds, json_t *from, json_t *to);

/* The jumps and gotos of a rule object to chain from go to `to` instead. */
void nftb_retarget_jumps(json_t *rule, const char *from, const char *to);
/* A rule object (or a handle object) that names a chain names chain instead. */
void nftb_rename_rule_chain(json_t *rule, const char *chain);

#endif

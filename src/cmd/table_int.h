/* What reading a table (table_read.c) and its model (table_model.c) share.
 * Private to src/cmd. */
#ifndef NFSH_CMD_TABLE_INT_H
#define NFSH_CMD_TABLE_INT_H

#include <jansson.h>
#include <stddef.h>

#include "cmd/run.h"

/* Chain name -> index, rebuilt when the chain array moves: a listing of
 * 15k chains and 50k rules made the linear table_find_chain per rule and
 * per jump quadratic (tens of seconds for one save). */
struct chain_index {
	int *slot; /* index + 1, 0 when empty */
	size_t cap;
};

void tm_index_free(struct chain_index *ix);
/* The index of ti's chains as they are now; -1 out of memory. */
int tm_index_build(struct chain_index *ix, const struct table_info *ti);
/* The chain called name, or NULL (a linear search without an index). */
struct chain_info *tm_index_find(const struct chain_index *ix, struct table_info *ti,
                                 const char *name);
/* The chain called name, added when new; the index follows the array. */
struct chain_info *tm_get_chain(struct chain_index *ix, struct table_info *ti, const char *name);
/* body (a libnftables rule object) as ch's next rule: a model, or the reason
 * it is not one; -1 out of memory. */
int tm_add_rule(struct chain_info *ch, json_t *body, int table);
/* Built-in chains in iptables' order (those not created yet too, policy
 * ACCEPT), then user chains by name; -1 out of memory. */
int tm_order_chains(struct table_info *ti);
/* Each chain's number of references (jumps and gotos to it). */
void tm_count_refs(struct table_info *ti);

#endif

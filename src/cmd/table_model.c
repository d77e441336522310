/* The table being read back: its chains, their rules as models (or the
 * reason a rule is not one), a hash index of the chain names, the order
 * iptables-nft-save lists chains in and the references between them. */
#include "cmd/table_int.h"
#include "util/strbuf.h"
#include "xlate/xlate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void table_info_free(struct table_info *ti)
{
	for (int i = 0; i < ti->nchains; i++) {
		struct chain_info *ch = &ti->chains[i];

		for (int k = 0; k < ch->nrules; k++) {
			rule_release(&ch->rules[k]);
			if (ch->foreign)
				free(ch->foreign[k]);
		}
		free(ch->rules);
		free(ch->foreign);
	}
	free(ti->chains);
	memset(ti, 0, sizeof(*ti));
}

struct chain_info *table_find_chain(struct table_info *ti, const char *name)
{
	for (int i = 0; i < ti->nchains; i++)
		if (strcmp(ti->chains[i].name, name) == 0)
			return &ti->chains[i];
	return NULL;
}

void tm_index_free(struct chain_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->cap = 0;
}

int tm_index_build(struct chain_index *ix, const struct table_info *ti)
{
	tm_index_free(ix);
	ix->cap = 64;
	while (ix->cap < (size_t)ti->nchains * 2)
		ix->cap *= 2;
	ix->slot = calloc(ix->cap, sizeof(*ix->slot));
	if (!ix->slot)
		return -1;
	for (int i = 0; i < ti->nchains; i++) {
		size_t k = (size_t)str_hash(ti->chains[i].name) & (ix->cap - 1);

		while (ix->slot[k])
			k = (k + 1) & (ix->cap - 1);
		ix->slot[k] = i + 1;
	}
	return 0;
}

struct chain_info *tm_index_find(const struct chain_index *ix, struct table_info *ti,
                                 const char *name)
{
	if (!ix->slot)
		return table_find_chain(ti, name);
	for (size_t k = (size_t)str_hash(name) & (ix->cap - 1); ix->slot[k];
	     k = (k + 1) & (ix->cap - 1))
		if (strcmp(ti->chains[ix->slot[k] - 1].name, name) == 0)
			return &ti->chains[ix->slot[k] - 1];
	return NULL;
}

static struct chain_info *add_chain(struct table_info *ti, const char *name)
{
	struct chain_info *n;

	/* Grow by doubling: the capacity is the next power of two of nchains. */
	if ((ti->nchains & (ti->nchains - 1)) == 0) {
		n = realloc(ti->chains, (size_t)(ti->nchains ? ti->nchains * 2 : 1) * sizeof(*n));
		if (!n)
			return NULL;
		ti->chains = n;
	}
	n = &ti->chains[ti->nchains++];
	memset(n, 0, sizeof(*n));
	str_copy(n->name, sizeof(n->name), name);
	return n;
}

int tm_add_rule(struct chain_info *ch, json_t *body, int table)
{
	size_t cap = ch->nrules ? (size_t)ch->nrules * 2 : 1;
	char why[512];

	/* Grow by doubling (the capacity is the next power of two of nrules). */
	if ((ch->nrules & (ch->nrules - 1)) == 0) {
		struct rule *nr = realloc(ch->rules, cap * sizeof(*nr));
		char **nf;

		if (!nr)
			return -1;
		ch->rules = nr;
		nf = realloc(ch->foreign, cap * sizeof(*nf));
		if (!nf)
			return -1;
		ch->foreign = nf;
	}
	ch->foreign[ch->nrules] = NULL;
	if (xlate_read_rule(body, table, &ch->rules[ch->nrules], why, sizeof(why)) != 0)
		ch->foreign[ch->nrules] = strdup(why);
	ch->nrules++;
	return 0;
}

static int cmp_user_chains(const void *a, const void *b)
{
	const struct chain_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void tm_count_refs(struct table_info *ti)
{
	struct chain_index ix = {0};

	tm_index_build(&ix, ti); /* without it (no memory) the linear search still works */
	for (int i = 0; i < ti->nchains; i++)
		for (int k = 0; k < ti->chains[i].nrules; k++) {
			const struct rule *r = &ti->chains[i].rules[k];
			struct chain_info *to;

			if (r->target_kind != TGT_JUMP && r->target_kind != TGT_GOTO)
				continue;
			to = tm_index_find(&ix, ti, r->jump);
			if (to)
				to->refs++;
		}
	tm_index_free(&ix);
}

/* Built-in chains in iptables' order (also those not created yet: they are
 * shown with policy ACCEPT, as iptables shows a fresh table), then user chains
 * by name. */
int tm_order_chains(struct table_info *ti)
{
	const struct table_desc *t = table_by_id(ti->table);
	struct chain_info *sorted =
	    calloc((size_t)ti->nchains + (size_t)t->nchains, sizeof(*sorted));
	int n = 0;

	if (!sorted)
		return -1;
	for (int b = 0; b < t->nchains; b++) {
		struct chain_info *c = table_find_chain(ti, t->chains[b].name);

		if (c) {
			sorted[n] = *c;
			c->name[0] = '\0';
		} else {
			str_copy(sorted[n].name, sizeof(sorted[n].name), t->chains[b].name);
			snprintf(sorted[n].policy, sizeof(sorted[n].policy), "ACCEPT");
		}
		sorted[n++].builtin = true;
	}
	for (int i = 0; i < ti->nchains; i++)
		if (ti->chains[i].name[0])
			sorted[n++] = ti->chains[i];
	qsort(sorted + t->nchains, (size_t)(n - t->nchains), sizeof(*sorted), cmp_user_chains);
	free(ti->chains);
	ti->chains = sorted;
	ti->nchains = n;
	return 0;
}

/* The chain called name, added when new; the index follows the array. */
struct chain_info *tm_get_chain(struct chain_index *ix, struct table_info *ti, const char *name)
{
	struct chain_info *ch = tm_index_find(ix, ti, name);

	if (ch)
		return ch;
	if (!(ch = add_chain(ti, name)))
		return NULL;
	if ((size_t)ti->nchains * 2 > ix->cap || (ti->nchains & (ti->nchains - 1)) == 0) {
		if (tm_index_build(ix, ti) < 0)
			tm_index_free(ix);
		return &ti->chains[ti->nchains - 1];
	}
	for (size_t k = (size_t)str_hash(name) & (ix->cap - 1);; k = (k + 1) & (ix->cap - 1))
		if (!ix->slot[k]) {
			ix->slot[k] = ti->nchains;
			break;
		}
	return ch;
}

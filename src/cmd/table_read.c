/* Reading nfsh's own table back from the kernel into chains of rule models. */
#include "cmd/run.h"
#include "nft/json.h"
#include "xlate/xlate.h"

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

static struct chain_info *add_chain(struct table_info *ti, const char *name)
{
	struct chain_info *n = realloc(ti->chains, (size_t)(ti->nchains + 1) * sizeof(*n));

	if (!n)
		return NULL;
	ti->chains = n;
	n = &ti->chains[ti->nchains++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	return n;
}

static int add_rule(struct chain_info *ch, json_t *body, int table)
{
	struct rule *nr = realloc(ch->rules, (size_t)(ch->nrules + 1) * sizeof(*nr));
	char **nf;
	char why[512];

	if (!nr)
		return -1;
	ch->rules = nr;
	nf = realloc(ch->foreign, (size_t)(ch->nrules + 1) * sizeof(*nf));
	if (!nf)
		return -1;
	ch->foreign = nf;
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

static void count_refs(struct table_info *ti)
{
	for (int i = 0; i < ti->nchains; i++)
		for (int k = 0; k < ti->chains[i].nrules; k++) {
			const struct rule *r = &ti->chains[i].rules[k];
			struct chain_info *to;

			if (r->target_kind != TGT_JUMP && r->target_kind != TGT_GOTO)
				continue;
			to = table_find_chain(ti, r->jump);
			if (to)
				to->refs++;
		}
}

/* Built-in chains in iptables' order (also those not created yet: they are
 * shown with policy ACCEPT, as iptables shows a fresh table), then user chains
 * by name. */
static int order_chains(struct table_info *ti)
{
	const struct table_desc *t = table_by_id(ti->table);
	struct chain_info *sorted = calloc((size_t)ti->nchains + (size_t)t->nchains, sizeof(*sorted));
	int n = 0;

	if (!sorted)
		return -1;
	for (int b = 0; b < t->nchains; b++) {
		struct chain_info *c = table_find_chain(ti, t->chains[b].name);

		if (c) {
			sorted[n] = *c;
			c->name[0] = '\0';
		} else {
			snprintf(sorted[n].name, sizeof(sorted[n].name), "%s", t->chains[b].name);
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

static int fill(struct table_info *ti, json_t *objs, const char *only_chain)
{
	size_t i;
	json_t *o;

	json_array_foreach(objs, i, o)
	{
		json_t *b;
		const char *name;
		struct chain_info *ch;

		if ((b = json_object_get(o, "chain"))) {
			name = json_string_value(json_object_get(b, "name"));
			if (!name || (only_chain && strcmp(name, only_chain)))
				continue;
			ch = table_find_chain(ti, name);
			if (!ch && !(ch = add_chain(ti, name)))
				return -1;
			ch->builtin = json_object_get(b, "hook") != NULL;
			snprintf(ch->policy, sizeof(ch->policy), "%s",
				 json_string_value(json_object_get(b, "policy")) ?: "accept");
			for (char *p = ch->policy; *p; p++)
				*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		} else if ((b = json_object_get(o, "rule"))) {
			name = json_string_value(json_object_get(b, "chain"));
			if (!name || (only_chain && strcmp(name, only_chain)))
				continue;
			ch = table_find_chain(ti, name);
			if (!ch && !(ch = add_chain(ti, name)))
				return -1;
			if (add_rule(ch, b, ti->table) < 0)
				return -1;
		}
	}
	return 0;
}

int table_read(struct nfsh_session *s, int family, int table, const char *chain,
	       struct table_info *ti, struct nfsh_err *e)
{
	const struct table_desc *t = table_by_id(table);
	char what[160];
	bool missing;
	json_t *objs;

	memset(ti, 0, sizeof(*ti));
	ti->family = family;
	ti->table = table;
	if (!s) {
		err_set(e, NFSH_EKERNEL, NULL, "this command needs to read the live ruleset");
		err_hint(e, "run it with CAP_NET_ADMIN (as root, or in 'nfsh --sandbox')");
		return -1;
	}
	if (chain)
		snprintf(what, sizeof(what), "list chain %s %s %s", family_nft_name(family),
			 t->nftname, chain);
	else
		snprintf(what, sizeof(what), "list table %s %s", family_nft_name(family),
			 t->nftname);
	objs = sess_list(s, what, &missing, e);
	if (!objs)
		return -1;
	ti->exists = !missing;
	if (fill(ti, objs, chain) < 0 || (!chain && order_chains(ti) < 0)) {
		json_decref(objs);
		table_info_free(ti);
		return err_set(e, NFSH_EOTHER, NULL, "out of memory reading the ruleset");
	}
	json_decref(objs);
	if (!chain)
		count_refs(ti);
	return 0;
}

#include "nft/batch.h"
#include "nft/json.h"

void nftb_cmd(json_t *cmds, const char *verb, const char *objtype, json_t *obj)
{
	nftj_push(cmds, nftj_stmt(verb, nftj_stmt(objtype, obj)));
}

void nftb_add_listed(json_t *cmds, json_t *obj)
{
	nftj_push(cmds, nftj_stmt("add", json_incref(obj)));
}

json_t *nftb_table(int family, const char *table)
{
	json_t *o = nftj_object();

	nftj_put_str(o, "family", family_nft_name(family));
	nftj_put_str(o, "name", table);
	return o;
}

json_t *nftb_chain(int family, const char *table, const char *name, const struct builtin_chain *bc,
                   const char *policy)
{
	json_t *o = nftj_object();

	nftj_put_str(o, "family", family_nft_name(family));
	nftj_put_str(o, "table", table);
	nftj_put_str(o, "name", name);
	if (bc) {
		nftj_put_str(o, "type", bc->type);
		nftj_put_str(o, "hook", hook_nft_name(bc->hook));
		nftj_put_int(o, "prio", bc->prio);
		if (policy)
			nftj_put_str(o, "policy", policy);
	}
	return o;
}

json_t *nftb_rule(int family, const char *table, const char *chain, json_t *exprs,
                  const char *comment)
{
	json_t *o = nftj_object();

	nftj_put_str(o, "family", family_nft_name(family));
	nftj_put_str(o, "table", table);
	nftj_put_str(o, "chain", chain);
	nftj_put(o, "expr", exprs);
	if (comment && *comment)
		nftj_put_str(o, "comment", comment);
	return o;
}

void nftb_set_handle(json_t *obj, uint64_t handle)
{
	nftj_put_int(obj, "handle", (long long)handle);
}

void nftb_set_index(json_t *obj, long index)
{
	nftj_put_int(obj, "index", index);
}

void nftb_ensure_table(json_t *cmds, int family, int table)
{
	const struct table_desc *t = table_by_id(table);

	nftb_cmd(cmds, "add", "table", nftb_table(family, t->nftname));
	for (int i = 0; i < t->nchains; i++)
		nftb_cmd(cmds, "add", "chain",
		         nftb_chain(family, t->nftname, t->chains[i].name, &t->chains[i], NULL));
}

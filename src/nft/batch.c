#include "nft/batch.h"
#include "nft/json.h"

#include <stdio.h>
#include <string.h>

void nftb_cmd(json_t *cmds, const char *verb, const char *objtype, json_t *obj)
{
	nftj_push(cmds, nftj_stmt(verb, nftj_stmt(objtype, obj)));
}

json_t *nftb_command(const char *verb, const char *objtype, json_t *obj)
{
	json_t *body = obj ? nftj_stmt(objtype, obj) : NULL;

	return body ? nftj_stmt(verb, body) : NULL;
}

json_t *nftb_document(json_t *cmds)
{
	json_t *doc = nftj_object();

	if (doc && cmds && json_object_set(doc, "nftables", cmds) == 0)
		return doc;
	json_decref(doc);
	return NULL;
}

int nftb_push_cmd(json_t *cmds, json_t *cmd)
{
	if (json_array_append_new(cmds, cmd) < 0)
		return -1;
	return (int)json_array_size(cmds) - 1;
}

int nftb_cancel_cmd(json_t *cmds, size_t item)
{
	return json_array_set_new(cmds, item, nftj_stmt("metainfo", nftj_object()));
}

void nftb_truncate(json_t *cmds, size_t n)
{
	while (json_array_size(cmds) > n)
		json_array_remove(cmds, json_array_size(cmds) - 1);
}

json_t *nftb_cmd_rule(json_t *cmd)
{
	void *it = json_is_object(cmd) ? json_object_iter(cmd) : NULL;

	return it ? json_object_get(json_object_iter_value(it), "rule") : NULL;
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

void nftb_unset_handle(json_t *obj)
{
	json_object_del(obj, "handle");
}

void nftb_unset_index(json_t *obj)
{
	json_object_del(obj, "index");
}

json_t *nftb_rule_copy(json_t *rule)
{
	return rule ? json_deep_copy(rule) : NULL;
}

bool nftb_zero_counters(json_t *rule)
{
	size_t i;
	json_t *st;
	bool had = false;

	json_array_foreach(json_object_get(rule, "expr"), i, st)
	{
		json_t *ctr = json_object_get(st, "counter");

		if (json_is_object(ctr)) {
			had = true;
			json_object_set_new(st, "counter", json_null());
		}
	}
	return had;
}

void nftb_ensure_table(json_t *cmds, int family, int table)
{
	const struct table_desc *t = table_by_id(table);

	nftb_cmd(cmds, "add", "table", nftb_table(family, t->nftname));
	for (int i = 0; i < t->nchains; i++)
		nftb_cmd(cmds, "add", "chain",
		         nftb_chain(family, t->nftname, t->chains[i].name, &t->chains[i], NULL));
}

json_t *nftb_own_rule_handles(json_t *listing)
{
	json_t *map = json_object(), *o;
	size_t i;

	json_array_foreach(listing, i, o)
	{
		json_t *r = json_object_get(o, "rule"), *list;
		const char *t = json_string_value(json_object_get(r, "table"));
		char key[160];

		if (!t || strncmp(t, "nfsh-", 5))
			continue;
		snprintf(key, sizeof(key), "%s %s %s",
		         json_string_value(json_object_get(r, "family")), t,
		         json_string_value(json_object_get(r, "chain")));
		if (!(list = json_object_get(map, key)))
			json_object_set_new(map, key, list = json_array());
		json_array_append(list, json_object_get(r, "handle"));
	}
	return map;
}

/* The key of a rule handle: handles are numbered per table, so two of
 * nfsh's tables (ip and ip6 nfsh-filter, say) may both hold handle 5. */
static void handle_key(char *buf, size_t len, const char *family, const char *table,
                       json_int_t handle)
{
	snprintf(buf, len, "%s %s %" JSON_INTEGER_FORMAT, family, table, handle);
}

/* "family table handle" at each place of from's lists, to the handle at the
 * same place of to's; NULL when a chain's lists differ in length. */
static json_t *handle_map(json_t *from, json_t *to)
{
	json_t *map = json_object(), *a;
	const char *key;

	json_object_foreach(from, key, a)
	{
		json_t *b = json_object_get(to, key);
		char family[16], table[64];

		/* The lists' keys are "family table chain" (nftb_own_rule_handles). */
		if (json_array_size(a) != json_array_size(b) ||
		    sscanf(key, "%15s %63s", family, table) != 2) {
			json_decref(map);
			return NULL;
		}
		for (size_t k = 0; k < json_array_size(a); k++) {
			char h[112];

			handle_key(h, sizeof(h), family, table,
			           json_integer_value(json_array_get(a, k)));
			json_object_set(map, h, json_array_get(b, k));
		}
	}
	return map;
}

json_t *nftb_map_handles(json_t *cmds, json_t *from, json_t *to)
{
	json_t *map = handle_map(from, to), *copy, *cmd;
	size_t i;

	if (!map)
		return NULL;
	copy = json_deep_copy(cmds);
	json_array_foreach(copy, i, cmd)
	{
		json_t *r = nftb_cmd_rule(cmd);
		json_t *h = json_object_get(r, "handle"), *n;
		const char *family = json_string_value(json_object_get(r, "family"));
		const char *table = json_string_value(json_object_get(r, "table"));
		char buf[112];

		if (!h || !family || !table)
			continue;
		handle_key(buf, sizeof(buf), family, table, json_integer_value(h));
		if ((n = json_object_get(map, buf)))
			json_object_set(r, "handle", n);
	}
	json_decref(map);
	return copy;
}

void nftb_retarget_jumps(json_t *rule, const char *from, const char *to)
{
	static const char *const verdicts[] = {"jump", "goto"};
	json_t *stmt;
	size_t i;

	json_array_foreach(json_object_get(rule, "expr"), i, stmt)
	{
		for (size_t k = 0; k < 2; k++) {
			json_t *v = json_object_get(stmt, verdicts[k]);
			const char *t = json_string_value(json_object_get(v, "target"));

			if (t && !strcmp(t, from))
				json_object_set_new(v, "target", json_string(to));
		}
	}
}

void nftb_rename_rule_chain(json_t *rule, const char *chain)
{
	if (json_object_get(rule, "chain"))
		json_object_set_new(rule, "chain", json_string(chain));
}

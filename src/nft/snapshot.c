#include "nft/snapshot.h"
#include "nft/batch.h"
#include "nft/json.h"

#include <stdio.h>
#include <string.h>

static bool is_nfsh_obj(json_t *o, json_t **body)
{
	const char *kinds[] = {"table", "chain", "rule", "set", "map", "element", "flowtable"};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		json_t *b = json_object_get(o, kinds[k]);
		const char *t;

		if (!b)
			continue;
		t = json_string_value(json_object_get(b, k == 0 ? "name" : "table"));
		*body = b;
		return t && !strncmp(t, "nfsh-", 5);
	}
	return false;
}

json_t *snap_take(struct nfsh_session *s, struct nfsh_err *e)
{
	json_t *all = sess_list(s, "list ruleset", NULL, e), *out, *o;
	size_t i;

	if (!all)
		return NULL;
	out = json_array();
	json_array_foreach(all, i, o)
	{
		json_t *body, *copy;

		if (!is_nfsh_obj(o, &body))
			continue;
		copy = json_deep_copy(o);
		json_object_del(json_object_get(copy, json_object_iter_key(json_object_iter(copy))),
		                "handle");
		nftj_push(out, copy);
	}
	json_decref(all);
	return out;
}

/* A table object named by its listed family word ("ip", "ip6"). */
static json_t *table_obj(const char *fam, const char *name)
{
	json_t *o = nftj_object();

	nftj_put_str(o, "family", fam);
	nftj_put_str(o, "name", name);
	return o;
}

static void add_drop_table(json_t *cmds, json_t *seen, const char *fam, const char *name)
{
	char key[96];

	snprintf(key, sizeof(key), "%s %s", fam, name);
	if (json_object_get(seen, key))
		return;
	json_object_set_new(seen, key, json_true());
	nftb_cmd(cmds, "add", "table", table_obj(fam, name));
	nftb_cmd(cmds, "delete", "table", table_obj(fam, name));
}

static void drop_tables_of(json_t *cmds, json_t *seen, json_t *objs)
{
	size_t i;
	json_t *o;

	json_array_foreach(objs, i, o)
	{
		json_t *t = json_object_get(o, "table");
		const char *f = json_string_value(json_object_get(t, "family"));
		const char *n = json_string_value(json_object_get(t, "name"));

		if (f && n && !strncmp(n, "nfsh-", 5))
			add_drop_table(cmds, seen, f, n);
	}
}

json_t *snap_restore_batch(struct nfsh_session *s, json_t *snap, struct nfsh_err *e)
{
	json_t *now = sess_list(s, "list tables", NULL, e), *cmds, *seen, *o;
	size_t i;

	if (!now)
		return NULL;
	cmds = json_array();
	seen = json_object();
	drop_tables_of(cmds, seen, now);
	drop_tables_of(cmds, seen, snap);
	json_array_foreach(snap, i, o) nftb_add_listed(cmds, o);
	json_decref(seen);
	json_decref(now);
	return cmds;
}

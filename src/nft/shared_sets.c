/* Restore's shared lists read back (shared_sets.h). */
#include "nft/shared_sets.h"
#include "nft/json.h"

#include <string.h>

/* "@nfsh-p-...": a rule's reference to a shared set. */
static bool is_shared_ref(const char *right)
{
	return right[0] == '@' &&
	       !strncmp(right + 1, NFSH_SHARED_SET_PREFIX, strlen(NFSH_SHARED_SET_PREFIX));
}

void nfsh_shared_set_collect(json_t *o, json_t *sets)
{
	json_t *b;
	const char *name;

	if (!(b = json_object_get(o, "set")) ||
	    !(name = json_string_value(json_object_get(b, "name"))) ||
	    strncmp(name, NFSH_SHARED_SET_PREFIX, strlen(NFSH_SHARED_SET_PREFIX)))
		return;
	if (json_is_array(json_object_get(b, "elem")))
		json_object_set(sets, name, json_object_get(b, "elem"));
}

void nfsh_shared_sets_collect(json_t *objs, json_t *sets)
{
	size_t i;
	json_t *o;

	json_array_foreach(objs, i, o) nfsh_shared_set_collect(o, sets);
}

bool nfsh_rule_uses_shared_set(json_t *rule)
{
	size_t i;
	json_t *st;

	json_array_foreach(json_object_get(rule, "expr"), i, st)
	{
		const char *r =
		    json_string_value(json_object_get(json_object_get(st, "match"), "right"));

		if (r && is_shared_ref(r))
			return true;
	}
	return false;
}

void nfsh_rule_resolve_shared_sets(json_t *rule, json_t *sets)
{
	size_t i;
	json_t *st, *m, *elem;

	json_array_foreach(json_object_get(rule, "expr"), i, st)
	{
		const char *r =
		    json_string_value(json_object_get(m = json_object_get(st, "match"), "right"));

		if (r && is_shared_ref(r) && (elem = json_object_get(sets, r + 1)))
			nftj_put(m, "right", nftj_set(json_incref(elem)));
	}
}

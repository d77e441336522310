/* Shared named sets for a bulk load. Every anonymous set bound in one batch
 * makes the kernel walk the whole transaction (__nft_set_trans_bind, see
 * FACTS.md), so a restore with thousands of multiport rules loads
 * quadratically. The same port list used by several rules is one named set,
 * named by a hash of its contents ("nfsh-p-<hex>"), so that a set already in
 * the kernel (--noflush) with that name holds exactly these elements.
 * Read-back (table_read) puts the elements back in place of "@nfsh-p-...". */
#include "io/io.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "nft/shared_sets.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The set type for a match's left side, or NULL when not shared. */
static const char *set_type(json_t *left)
{
	const char *proto, *field;

	if (!nftj_is_payload(left, &proto, &field))
		return NULL;
	if ((!strcmp(proto, "tcp") || !strcmp(proto, "udp") || !strcmp(proto, "sctp")) &&
	    (!strcmp(field, "dport") || !strcmp(field, "sport")))
		return "inet_service";
	return NULL;
}

/* Only plain integer elements: ranges would need an interval set, whose
 * listing merges adjacent elements and would not print back the same. */
static bool plain_ints(json_t *elems)
{
	size_t i;
	json_t *v;

	if (json_array_size(elems) < 2)
		return false;
	json_array_foreach(elems, i, v)
	{
		if (!json_is_integer(v))
			return false;
	}
	return true;
}

int io_share_sets(struct io_ctx *r, json_t *rule, struct nfsh_err *e)
{
	json_t *exprs = json_object_get(rule, "expr"), *st;
	const char *table = json_string_value(json_object_get(rule, "table"));
	size_t i;

	if (!r->sets && !(r->sets = json_object()))
		return err_set(e, NFSH_EKERNEL, NULL, "out of memory");
	json_array_foreach(exprs, i, st)
	{
		const char *op, *type;
		json_t *left, *right, *elems, *set;
		char *txt, name[40], key[120], ref[48];

		if (!nftj_get_match(st, &op, &left, &right) || !(elems = nftj_get_set(right)) ||
		    !(type = set_type(left)) || !plain_ints(elems))
			continue;
		if (!(txt = json_dumps(elems, JSON_COMPACT)))
			return err_set(e, NFSH_EKERNEL, NULL, "out of memory");
		snprintf(name, sizeof(name), NFSH_SHARED_SET_PREFIX "%016llx", str_hash(txt));
		free(txt);
		snprintf(key, sizeof(key), "%d %s %s", r->family, table, name);
		if (!json_object_get(r->sets, key)) {
			set = nftj_object();
			nftj_put_str(set, "family", family_nft_name(r->family));
			nftj_put_str(set, "table", table);
			nftj_put_str(set, "name", name);
			nftj_put_str(set, "type", type);
			nftj_put(set, "elem", json_deep_copy(elems));
			if (io_batch_add(&r->b, nftj_stmt("add", nftj_stmt("set", set))) < 0)
				return err_set(e, NFSH_EKERNEL, NULL, "out of memory");
			json_object_set_new(r->sets, key, json_true());
		}
		snprintf(ref, sizeof(ref), "@%s", name);
		json_object_set_new(json_object_get(st, "match"), "right", json_string(ref));
	}
	return 0;
}

/* nll_chain_item (src/nft/nl_lin.c), which a lazy restore batch uses for
 * its chain lines, against the JSON path it stands in for: for every
 * built-in chain of every table and family, with each policy, and for user
 * chains of several name lengths (attribute padding), the NEWCHAIN must be
 * byte for byte what nll_item makes of nftb_chain's {"add"|"create":
 * {"chain": ...}}; what the JSON path refuses, it refuses too, leaving the
 * buffer as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft/batch.h"
#include "nft/json.h"
#include "nft/nl_lin.h"
#include "rule/rule.h"
#include "util/strbuf.h"

/* {verb: {"chain": obj}} (obj taken over). */
static json_t *item(const char *verb, json_t *obj)
{
	json_t *a = nftj_array(), *c;

	nftb_cmd(a, verb, "chain", obj);
	c = json_incref(json_array_get(a, 0));
	json_decref(a);
	return c;
}

/* The chain as apply.c's chain_def describes it. */
static struct nll_chain_def def_of(int family, int table, const char *name,
                                   const struct builtin_chain *bc, const char *policy)
{
	struct nll_chain_def d = {.nfproto = nll_family(family_nft_name(family)),
	                          .table = table_by_id(table)->nftname,
	                          .name = name};

	if (bc) {
		d.hook = hook_nft_name(bc->hook);
		d.type = bc->type;
		d.prio = bc->prio;
		d.policy = policy;
	}
	return d;
}

static int count_attr(const struct nlattr *a, void *data)
{
	(void)a;
	++*(int *)data;
	return MNL_CB_OK;
}

/* Both ways for one chain, add and create; the message's type and flags
 * checked. Returns how many were compared (2). */
static int both_ways(int family, int table, const char *name, const struct builtin_chain *bc,
                     const char *policy)
{
	struct nll_chain_def d = def_of(family, table, name, bc, policy);
	int n = 0;

	for (int create = 0; create < 2; create++) {
		json_t *j = item(create ? "create" : "add",
		                 nftb_chain(family, table_by_id(table)->nftname, name, bc, policy));
		struct strbuf a, b;
		uint32_t sa = 7, sb = 7;
		const struct nlmsghdr *h;

		sb_init(&a);
		sb_init(&b);
		assert_int_equal(nll_chain_item(&a, &d, create, &sa), 1);
		assert_int_equal(nll_item(&b, j, &sb), 1);
		assert_int_equal(sa, 8);
		assert_int_equal(sb, 8);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.buf, b.buf, a.len);
		h = (const struct nlmsghdr *)a.buf;
		assert_int_equal(h->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN);
		assert_int_equal(h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
		                 NLM_F_CREATE | (create ? NLM_F_EXCL : 0));
		/* Table and name; a base chain its type and hook, maybe a policy. */
		int attrs = 0;

		assert_int_equal(mnl_attr_parse(h, sizeof(struct nfgenmsg), count_attr, &attrs),
		                 MNL_CB_OK);
		assert_int_equal(attrs, bc ? 4 + (policy != NULL) : 2);
		sb_free(&a);
		sb_free(&b);
		json_decref(j);
		n++;
	}
	return n;
}

static void test_builtin_chains(void **state)
{
	static const int families[] = {NFSH_IPV4, NFSH_IPV6};
	static const char *const policies[] = {NULL, "accept", "drop"};
	int n = 0;

	(void)state;
	for (size_t f = 0; f < 2; f++)
		for (int t = 0; t < TBL_COUNT; t++) {
			const struct table_desc *td = table_by_id(t);

			for (int c = 0; c < td->nchains; c++)
				for (size_t p = 0; p < 3; p++)
					n += both_ways(families[f], t, td->chains[c].name,
					               &td->chains[c], policies[p]);
		}
	/* filter 3, nat 4, mangle 5, raw 2, security 3 chains. */
	assert_int_equal(n, 2 * 17 * 3 * 2);
}

static void test_user_chains(void **state)
{
	char name[NFSH_CHAIN_MAX + 1];

	(void)state;
	for (size_t len = 1; len <= NFSH_CHAIN_MAX; len++) {
		memset(name, 'A' + (int)(len % 26), len);
		name[len] = '\0';
		assert_int_equal(both_ways(NFSH_IPV4, TBL_FILTER, name, NULL, NULL), 2);
		assert_int_equal(both_ways(NFSH_IPV6, TBL_NAT, name, NULL, NULL), 2);
	}
	assert_int_equal(both_ways(NFSH_IPV4, TBL_RAW, "KUBE-SVC-ABCDEF0123456789", NULL, NULL), 2);
}

/* One refused both ways: -1, out and seq untouched. */
static void refused(struct nll_chain_def d, json_t *j)
{
	struct strbuf a, b;
	uint32_t sa = 3, sb = 3;

	sb_init(&a);
	sb_init(&b);
	sb_add(&a, "x");
	sb_add(&b, "x");
	assert_int_equal(nll_chain_item(&a, &d, false, &sa), -1);
	assert_int_equal(nll_item(&b, j, &sb), -1);
	assert_int_equal(a.len, 1);
	assert_int_equal(b.len, 1);
	assert_int_equal(sa, 3);
	assert_int_equal(sb, 3);
	sb_free(&a);
	sb_free(&b);
	json_decref(j);
}

static json_t *obj(const char *type, const char *hook, const char *policy, bool prio)
{
	json_t *o = nftb_chain(NFSH_IPV4, "nfsh-filter", "C", NULL, NULL);

	if (type)
		nftj_put_str(o, "type", type);
	if (hook)
		nftj_put_str(o, "hook", hook);
	if (prio)
		nftj_put_int(o, "prio", 0);
	if (policy)
		nftj_put_str(o, "policy", policy);
	return item("add", o);
}

static void test_refused(void **state)
{
	const struct nll_chain_def base = {.nfproto = NFPROTO_IPV4,
	                                   .table = "nfsh-filter",
	                                   .name = "C",
	                                   .hook = "input",
	                                   .type = "filter"};
	struct nll_chain_def d;
	json_t *o;

	(void)state;
	d = base, d.type = "bogus";
	refused(d, obj("bogus", "input", NULL, true));
	d = base, d.hook = "ingress";
	refused(d, obj("filter", "ingress", NULL, true));
	d = base, d.policy = "reject";
	refused(d, obj("filter", "input", "reject", true));
	d = base, d.type = NULL;
	refused(d, obj(NULL, "input", NULL, true));
	d = base, d.hook = NULL; /* a user chain with a type */
	refused(d, obj("filter", NULL, NULL, false));
	d = base, d.hook = NULL, d.type = NULL, d.policy = "drop";
	refused(d, obj(NULL, NULL, "drop", false));
	/* A family nl_lin does not know; no table. */
	d = base, d.nfproto = nll_family("inet");
	assert_int_equal(d.nfproto, -1);
	o = nftb_chain(NFSH_IPV4, "nfsh-filter", "C", NULL, NULL);
	nftj_put_str(o, "family", "inet");
	refused(d, item("add", o));
	d = base, d.table = NULL;
	o = nftb_chain(NFSH_IPV4, "nfsh-filter", "C", NULL, NULL);
	json_object_del(o, "table");
	refused(d, item("add", o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtin_chains),
	    cmocka_unit_test(test_user_chains),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

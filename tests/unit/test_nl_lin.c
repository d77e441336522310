/* nl_lin.c's pure parts: what nll_item / nll_batch_item append for a batch
 * item (message count, lengths, types, NLM flags, sequence numbers, set
 * ids), and that an item it does not know leaves the buffer as it was.
 * Whether the bytes are libnftables' is tests/integration/io_nl_bytes.sh's
 * job. JSON literals use ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft/nl_lin.h"
#include "util/strbuf.h"

#define R(x)   "{'add':{'rule':{'family':'ip','table':'t','chain':'c','expr':[" x "]}}}"
#define ACCEPT "{'accept':null}"

static json_t *js(const char *s)
{
	char *d = strdup(s);
	json_t *j;

	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(d, 0, NULL);
	free(d);
	assert_non_null(j);
	return j;
}

/* One message of out: its header at off. */
static const struct nlmsghdr *msg_at(const struct strbuf *out, size_t off)
{
	assert_true(off + sizeof(struct nlmsghdr) <= out->len);
	return (const struct nlmsghdr *)(out->buf + off);
}

/* Every message aligned, under NLL_MSG_MAX, and filling out exactly;
 * returns how many. */
static int walk(const struct strbuf *out)
{
	size_t off = 0;
	int n = 0;

	while (off < out->len) {
		const struct nlmsghdr *h = msg_at(out, off);

		assert_true(h->nlmsg_len >= sizeof(*h) + sizeof(struct nfgenmsg));
		assert_true(h->nlmsg_len <= NLL_MSG_MAX);
		assert_int_equal(off % NLMSG_ALIGNTO, 0);
		off += NLMSG_ALIGN(h->nlmsg_len);
		n++;
	}
	assert_int_equal(off, out->len);
	return n;
}

/* The item gives one message of type and flags (NLM_F_REQUEST and
 * NLM_F_ACK aside), numbered 7. */
static void one(struct nll_ctx *ctx, const char *item, uint16_t type, uint16_t flags)
{
	json_t *j = js(item);
	struct strbuf out;
	uint32_t seq = 7;
	const struct nlmsghdr *h;

	sb_init(&out);
	assert_int_equal(nll_batch_item(ctx, &out, j, &seq), 1);
	assert_int_equal(walk(&out), 1);
	h = msg_at(&out, 0);
	assert_int_equal(NFNL_MSG_TYPE(h->nlmsg_type), type);
	assert_int_equal(h->nlmsg_type >> 8, NFNL_SUBSYS_NFTABLES);
	assert_int_equal(h->nlmsg_flags & ~(NLM_F_REQUEST | NLM_F_ACK), flags);
	assert_int_equal(h->nlmsg_seq, 7);
	assert_int_equal(seq, 8);
	sb_free(&out);
	json_decref(j);
}

static void test_verbs(void **state)
{
	(void)state;
	one(NULL, "{'add':{'table':{'family':'ip','name':'t'}}}", NFT_MSG_NEWTABLE, 0);
	one(NULL, "{'delete':{'table':{'family':'ip6','name':'t'}}}", NFT_MSG_DELTABLE, 0);
	one(NULL, "{'flush':{'table':{'family':'ip','name':'t'}}}", NFT_MSG_DELRULE, 0);
	one(NULL, "{'add':{'chain':{'family':'ip','table':'t','name':'c'}}}", NFT_MSG_NEWCHAIN,
	    NLM_F_CREATE);
	one(NULL,
	    "{'add':{'chain':{'family':'ip','table':'t','name':'INPUT','type':'filter',"
	    "'hook':'input','prio':0,'policy':'drop'}}}",
	    NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	one(NULL, "{'flush':{'chain':{'family':'ip','table':'t','name':'c'}}}", NFT_MSG_DELRULE, 0);
	one(NULL, "{'delete':{'chain':{'family':'ip','table':'t','name':'c'}}}", NFT_MSG_DELCHAIN,
	    0);
	one(NULL, R(ACCEPT), NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	one(NULL, "{'insert':{'rule':{'family':'ip','table':'t','chain':'c','expr':[" ACCEPT "]}}}",
	    NFT_MSG_NEWRULE, NLM_F_CREATE);
	one(NULL,
	    "{'insert':{'rule':{'family':'ip','table':'t','chain':'c','handle':4,'expr':[" ACCEPT
	    "]}}}",
	    NFT_MSG_NEWRULE, NLM_F_CREATE);
	one(NULL,
	    "{'replace':{'rule':{'family':'ip','table':'t','chain':'c','handle':4,'expr':[" ACCEPT
	    "]}}}",
	    NFT_MSG_NEWRULE, NLM_F_REPLACE);
	one(NULL, "{'delete':{'rule':{'family':'ip','table':'t','chain':'c','handle':4}}}",
	    NFT_MSG_DELRULE, 0);
}

static void test_statements(void **state)
{
	(void)state;
	one(NULL,
	    R("{'match':{'op':'==','left':{'fib':{'result':'type','flags':['daddr']}},'right':"
	      "'local'}}," ACCEPT),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	one(NULL,
	    R("{'mangle':{'key':{'meta':{'key':'mark'}},'value':{'^':[{'&':[{'meta':{'key':"
	      "'mark'}},4294967040]},10]}}}"),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	one(NULL, R("{'limit':{'rate':10,'burst':20,'per':'second'}},{'log':{'prefix':'x '}}"),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	one(NULL,
	    R("{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	      "'right':6}},{'reject':{'type':'tcp reset'}}"),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	one(NULL,
	    R("{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':6}},"
	      "{'dnat':{'addr':{'range':['10.0.0.1','10.0.0.5']},'port':{'range':[80,90]}}}"),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	one(NULL, R("{'counter':{'packets':5,'bytes':300}}," ACCEPT), NFT_MSG_NEWRULE,
	    NLM_F_CREATE | NLM_F_APPEND);
	/* A sport range before a dport: not merged, each alone. */
	one(NULL,
	    R("{'match':{'op':'==','left':{'payload':{'protocol':'tcp','field':'sport'}},"
	      "'right':{'range':[1,2]}}},{'match':{'op':'==','left':{'payload':{'protocol':"
	      "'tcp','field':'dport'}},'right':3}}"),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
}

/* The item is refused and out keeps what it held. */
static void refused(struct nll_ctx *ctx, const char *item)
{
	json_t *j = js(item);
	struct strbuf out;
	uint32_t seq = 3;

	sb_init(&out);
	sb_add(&out, "before");
	assert_int_equal(nll_batch_item(ctx, &out, j, &seq), -1);
	assert_int_equal(out.len, 6);
	assert_memory_equal(out.buf, "before", 6);
	sb_free(&out);
	json_decref(j);
}

static void test_refused(void **state)
{
	struct nll_ctx ctx;

	(void)state;
	nll_ctx_init(&ctx);
	refused(&ctx, "{'list':{'ruleset':null}}");
	refused(&ctx,
	        "{'add':{'rule':{'family':'inet','table':'t','chain':'c','expr':[" ACCEPT "]}}}");
	/* libnftables places an index against its cache. */
	refused(&ctx,
	        "{'add':{'rule':{'family':'ip','table':'t','chain':'c','index':2,'expr':[" ACCEPT
	        "]}}}");
	refused(&ctx, R("{'queue':{'num':1}}"));
	refused(&ctx, R("{'match':{'op':'==','left':{'meta':{'key':'cpu'}},'right':1}}"));
	/* An anonymous set would need its own NEWSET first. */
	refused(&ctx, R("{'match':{'op':'==','left':{'payload':{'protocol':'tcp','field':"
	                "'dport'}},'right':{'set':[22,80]}}}"));
	/* A set this batch did not add; a set without a context. */
	refused(&ctx, R("{'match':{'op':'==','left':{'payload':{'protocol':'tcp','field':"
	                "'dport'}},'right':'@nope'}}"));
	refused(NULL, "{'add':{'set':{'family':'ip','table':'t','name':'s','type':"
	              "'inet_service','elem':[1]}}}");
	/* Host bits in a prefix; tcp reset with no tcp match before. */
	refused(&ctx, R("{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':"
	                "'saddr'}},'right':{'prefix':{'addr':'10.0.0.1','len':8}}}}"));
	refused(&ctx, R("{'reject':{'type':'tcp reset'}}"));
	/* Two != of single ports: libnftables merges them into one != of both
	 * (either differs), not what the two matches mean. */
	refused(&ctx, R("{'match':{'op':'!=','left':{'payload':{'protocol':'tcp','field':"
	                "'sport'}},'right':80}},{'match':{'op':'!=','left':{"
	                "'payload':{'protocol':'tcp','field':'dport'}},'right':443}}"));
	/* A counter with values needs both, as numbers; anything else is a named
	 * counter's reference or a key libnftables ignores. */
	refused(&ctx, R("{'counter':{'packets':1}}"));
	refused(&ctx, R("{'counter':{'packets':'1','bytes':2}}"));
	refused(&ctx, R("{'counter':{'packets':1,'bytes':2,'x':3}}"));
	refused(&ctx, R("{'counter':{}}"));
	nll_ctx_free(&ctx);
}

static void test_expression_count_bounded(void **state)
{
	struct strbuf item;

	(void)state;
	sb_init(&item);
	sb_add(&item, "{'add':{'rule':{'family':'ip','table':'t','chain':'c','expr':[");
	for (int i = 0; i < 200; i++)
		sb_add(&item, "{'counter':null},");
	sb_add(&item, ACCEPT "]}}}");
	refused(NULL, sb_str(&item));
	sb_free(&item);
}

/* A set of n inet_service elements: NEWSET then one NEWSETELEM holding
 * them all, each with its own sequence number; the set id is the batch's
 * next, and a rule's lookup of it is accepted after it. */
static void set_of(struct nll_ctx *ctx, const char *name, int n, uint32_t want_id)
{
	struct strbuf item, out;
	uint32_t seq = 10;
	json_t *j;
	const struct nlmsghdr *h;
	const struct nlattr *a, *list = NULL, *e;
	int elems = 0;
	uint32_t id = 0;

	sb_init(&item);
	sb_init(&out);
	sb_addf(&item,
	        "{'add':{'set':{'family':'ip','table':'t','name':'%s','type':"
	        "'inet_service','elem':[",
	        name);
	for (int i = 0; i < n; i++)
		sb_addf(&item, "%s%d", i ? "," : "", 1000 + i);
	sb_add(&item, "]}}}");
	j = js(sb_str(&item));
	assert_int_equal(nll_batch_item(ctx, &out, j, &seq), 2);
	assert_int_equal(walk(&out), 2);
	assert_int_equal(seq, 12);
	h = msg_at(&out, 0);
	assert_int_equal(NFNL_MSG_TYPE(h->nlmsg_type), NFT_MSG_NEWSET);
	mnl_attr_for_each(a, h, sizeof(struct nfgenmsg)) if (mnl_attr_get_type(a) == NFTA_SET_ID)
	    id = ntohl(mnl_attr_get_u32(a));
	assert_int_equal(id, want_id);
	h = msg_at(&out, NLMSG_ALIGN(h->nlmsg_len));
	assert_int_equal(NFNL_MSG_TYPE(h->nlmsg_type), NFT_MSG_NEWSETELEM);
	assert_int_equal(h->nlmsg_seq, 11);
	mnl_attr_for_each(a, h, sizeof(struct nfgenmsg)) if (mnl_attr_get_type(a) ==
	                                                     NFTA_SET_ELEM_LIST_ELEMENTS) list = a;
	assert_non_null(list);
	mnl_attr_for_each_nested(e, list) elems++;
	assert_int_equal(elems, n);
	json_decref(j);
	sb_free(&item);
	sb_free(&out);
}

static void test_sets(void **state)
{
	struct nll_ctx ctx;
	struct strbuf big;

	(void)state;
	nll_ctx_init(&ctx);
	set_of(&ctx, "a", 1, 1);
	set_of(&ctx, "b", 1024, 2);
	one(&ctx,
	    R("{'match':{'op':'!=','left':{'payload':{'protocol':'tcp','field':'dport'}},"
	      "'right':'@b'}}," ACCEPT),
	    NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	/* The same set twice in a batch; no elements; more than one message
	 * surely holds (libnftables' split is not reproduced). */
	refused(&ctx, "{'add':{'set':{'family':'ip','table':'t','name':'a','type':"
	              "'inet_service','elem':[5]}}}");
	refused(&ctx, "{'add':{'set':{'family':'ip','table':'t','name':'c','type':"
	              "'inet_service','elem':[]}}}");
	sb_init(&big);
	sb_add(&big, "{'add':{'set':{'family':'ip','table':'t','name':'d','type':'inet_service',"
	             "'elem':[");
	for (int i = 0; i < 1025; i++)
		sb_addf(&big, "%s%d", i ? "," : "", i);
	sb_add(&big, "]}}}");
	refused(&ctx, sb_str(&big));
	sb_free(&big);
	/* The refusals gave out no id. */
	set_of(&ctx, "e", 3, 3);
	nll_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verbs),   cmocka_unit_test(test_statements),
	    cmocka_unit_test(test_refused), cmocka_unit_test(test_expression_count_bounded),
	    cmocka_unit_test(test_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

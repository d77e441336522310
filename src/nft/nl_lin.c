/* The linearisation of nfsh's JSON into netlink messages (see nl_lin.h):
 * batch items and the objects they name (tables, chains, named sets and
 * their elements, rules' framing: handle, position, comment). A rule's
 * expressions are nl_lin_expr.c's.
 *
 * What is here is what libnftables 1.0.6 makes of the JSON nfsh emits;
 * everything else is refused, so the batch goes through libnftables.
 * tests/integration/io_nl_bytes.sh compares the messages with libnftables'
 * byte for byte, io_fastwrite.sh and io_fastrestore.sh the kernel's state
 * after both paths. */
#include "nft/nl_lin.h"
#include "nft/nl_lin_int.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int nll_family(const char *f)
{
	return !f ? -1 : !strcmp(f, "ip") ? NFPROTO_IPV4 : !strcmp(f, "ip6") ? NFPROTO_IPV6 : -1;
}

int nll_nfproto(json_t *o)
{
	return nll_family(json_string_value(json_object_get(o, "family")));
}

/* Only keys from the list: anything else in the object is not ours. */
static bool only_keys(json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
	{
		const char *const *p;

		for (p = keys; *p && strcmp(*p, k); p++)
			;
		if (!*p)
			return false;
	}
	return true;
}

/* The rule of o, with its expressions; *nfproto its family. handle: the
 * rule's "handle" is allowed (the caller says what it means). */
static struct nftnl_rule *rule_of(json_t *o, int *nfproto, struct nll_ctx *ctx, bool handle)
{
	static const char *const keys[] = {"family",  "table",  "chain", "expr",
	                                   "comment", "handle", NULL};
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *chain = json_string_value(json_object_get(o, "chain"));
	const char *comment = json_string_value(json_object_get(o, "comment"));
	struct lin l = {.nfproto = nll_nfproto(o), .l4 = -1, .ctx = ctx};

	if (!table || !chain || l.nfproto < 0 || !only_keys(o, keys) ||
	    (!handle && json_object_get(o, "handle")) ||
	    (json_object_get(o, "comment") && (!comment || strlen(comment) > NLL_COMMENT_MAX)))
		return NULL;
	if (!(l.r = nftnl_rule_alloc()))
		return NULL;
	nftnl_rule_set_u32(l.r, NFTNL_RULE_FAMILY, (uint32_t)l.nfproto);
	nftnl_rule_set_str(l.r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(l.r, NFTNL_RULE_CHAIN, chain);
	if (!nll_exprs(&l, json_object_get(o, "expr"))) {
		nftnl_rule_free(l.r);
		return NULL;
	}
	*nfproto = l.nfproto;
	return l.r;
}

/* The comment's udata after the expressions, where libnftables puts it
 * (libnftnl would put it before them). */
static bool put_comment(struct nlmsghdr *nlh, const char *comment)
{
	struct nftnl_udata_buf *u;

	if (!comment)
		return true;
	u = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!u || !nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, comment)) {
		nftnl_udata_buf_free(u);
		return false;
	}
	mnl_attr_put(nlh, NFTA_RULE_USERDATA, nftnl_udata_buf_len(u), nftnl_udata_buf_data(u));
	nftnl_udata_buf_free(u);
	return true;
}

struct nftnl_rule *nll_rule(json_t *o, int *nfproto)
{
	return rule_of(o, nfproto, NULL, false);
}

static int hook_number(const char *h)
{
	static const char *const names[] = {"prerouting", "input", "forward", "output",
	                                    "postrouting"};

	for (int i = 0; h && i < 5; i++)
		if (!strcmp(names[i], h))
			return i;
	return -1;
}

/* The chain of a JSON "chain" object; false when a key is not ours, a
 * value not of its type, or a base chain has no integer prio, a user chain
 * (no "hook") a prio (type and policy: chain_def_ok). */
static bool chain_def_of(json_t *o, struct nll_chain_def *d)
{
	static const char *const keys[] = {"family", "table", "name",   "type",
	                                   "hook",   "prio",  "policy", NULL};
	json_t *prio = json_object_get(o, "prio");

	d->nfproto = nll_nfproto(o);
	d->table = json_string_value(json_object_get(o, "table"));
	d->name = json_string_value(json_object_get(o, "name"));
	d->type = json_string_value(json_object_get(o, "type"));
	d->hook = json_string_value(json_object_get(o, "hook"));
	d->policy = json_string_value(json_object_get(o, "policy"));
	d->prio = (int32_t)json_integer_value(prio);
	if (!only_keys(o, keys) || (json_object_get(o, "hook") && !d->hook) ||
	    (json_object_get(o, "type") && !d->type) ||
	    (json_object_get(o, "policy") && !d->policy))
		return false;
	return d->hook ? json_is_integer(prio) : !prio;
}

/* The values libnftables takes from nfsh: a base chain (with a hook) has a
 * type, its policy is accept or drop; a user chain has neither. */
static bool chain_def_ok(const struct nll_chain_def *d)
{
	const char *t = d->type, *p = d->policy;

	if (!d->table || !d->name || d->nfproto < 0)
		return false;
	if (!d->hook)
		return !t && !p;
	return hook_number(d->hook) >= 0 && t &&
	       (!strcmp(t, "filter") || !strcmp(t, "nat") || !strcmp(t, "route")) &&
	       (!p || !strcmp(p, "accept") || !strcmp(p, "drop"));
}

struct nftnl_chain *nll_chain(json_t *o)
{
	struct nll_chain_def d;
	struct nftnl_chain *c;

	if (!chain_def_of(o, &d) || !chain_def_ok(&d) || !(c = nftnl_chain_alloc()))
		return NULL;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)d.nfproto);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, d.table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, d.name);
	if (d.hook) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook_number(d.hook));
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, d.prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, d.type);
	}
	if (d.policy)
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY,
		                    !strcmp(d.policy, "accept") ? NF_ACCEPT : NF_DROP);
	return c;
}

struct nftnl_table *nll_table(json_t *o)
{
	static const char *const keys[] = {"family", "name", NULL};
	const char *name = json_string_value(json_object_get(o, "name"));
	struct nftnl_table *t;

	if (!name || nll_nfproto(o) < 0 || !only_keys(o, keys) || !(t = nftnl_table_alloc()))
		return NULL;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)nll_nfproto(o));
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0); /* as libnftables sends it */
	return t;
}

/* ---- the batch's sets ---- */

void nll_ctx_init(struct nll_ctx *ctx)
{
	ctx->set_id = 0;
	ctx->sets = json_object();
}

void nll_ctx_free(struct nll_ctx *ctx)
{
	json_decref(ctx->sets);
	ctx->sets = NULL;
}

static char *set_key(char *buf, size_t n, int nfproto, const char *table, const char *name)
{
	snprintf(buf, n, "%d %s %s", nfproto, table, name);
	return buf;
}

uint32_t nll_ctx_set(struct nll_ctx *ctx, int nfproto, const char *table, const char *name,
                     uint32_t *keylen)
{
	char key[3 * NFT_NAME_MAXLEN];
	json_t *s = json_object_get(ctx->sets, set_key(key, sizeof(key), nfproto, table, name));

	if (!s)
		return 0;
	*keylen = (uint32_t)json_integer_value(json_array_get(s, 1));
	return (uint32_t)json_integer_value(json_array_get(s, 0));
}

/* XXX: libnftables splits an element list over several messages once one
 * nears 64 KiB (5,000 ports: 65,568 + 14,528 bytes; 1,000: one message of
 * 16,048); that split is not reproduced, so a set is refused past what
 * stays far below it (1,024 IPv6 addresses: 28 KiB). */
#define NLL_SET_ELEMS_MAX 1024

/* The key types of the named sets nfsh declares: data type number and
 * length (libnftables' datatype.h), all in network byte order. */
static bool set_type(const char *type, uint32_t *dtype, uint32_t *len)
{
	if (!strcmp(type, "inet_service"))
		*dtype = 13, *len = 2;
	else if (!strcmp(type, "ipv4_addr"))
		*dtype = 7, *len = 4;
	else if (!strcmp(type, "ipv6_addr"))
		*dtype = 8, *len = 16;
	else
		return false;
	return true;
}

static bool elem_key(json_t *v, uint32_t len, uint8_t *out)
{
	if (len == 2) {
		uint16_t be;

		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 65535)
			return false;
		be = htons((uint16_t)json_integer_value(v));
		memcpy(out, &be, 2);
		return true;
	}
	return json_is_string(v) &&
	       inet_pton(len == 4 ? AF_INET : AF_INET6, json_string_value(v), out) == 1;
}

/* A plain named set ("add set" with a type and maybe "elem"): its libnftnl
 * object, elements included. */
static struct nftnl_set *set_of(json_t *o, struct nll_ctx *ctx)
{
	static const char *const keys[] = {"family", "table", "name", "type", "elem", NULL};
	static const uint8_t byteorder[] = {0, 4, 2, 0, 0, 0}; /* udata: big endian */
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *type = json_string_value(json_object_get(o, "type"));
	json_t *elems = json_object_get(o, "elem"), *v;
	int nfproto = nll_nfproto(o);
	uint32_t dtype = 0, len = 0;
	uint8_t key[16];
	char k[3 * NFT_NAME_MAXLEN];
	struct nftnl_set *s;
	size_t i;

	if (!ctx || !table || !name || !type || nfproto < 0 || !only_keys(o, keys) ||
	    !set_type(type, &dtype, &len) || strlen(name) >= NFT_NAME_MAXLEN ||
	    strlen(table) >= NFT_NAME_MAXLEN ||
	    (elems && (!json_is_array(elems) || json_array_size(elems) == 0 ||
	               json_array_size(elems) > NLL_SET_ELEMS_MAX)) ||
	    json_object_get(ctx->sets, set_key(k, sizeof(k), nfproto, table, name)) ||
	    !(s = nftnl_set_alloc()))
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)nfproto);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, 0);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, dtype);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, ctx->set_id + 1);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, byteorder, sizeof(byteorder));
	json_array_foreach(elems, i, v)
	{
		struct nftnl_set_elem *e;

		if (!elem_key(v, len, key) || !(e = nftnl_set_elem_alloc())) {
			nftnl_set_free(s);
			return NULL;
		}
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
		nftnl_set_elem_add(s, e);
	}
	return s;
}

/* ---- one batch item as messages ---- */

/* Room past NLL_MSG_MAX, so a message that overran it is caught. */
#define NLL_MSG_SLACK 4096

/* Every message is built in a zeroed scratch page first (libnftnl leaves
 * attribute padding as it finds it, and does not check bounds), then
 * appended. */
static char page[NLL_MSG_MAX + NLL_MSG_SLACK]; /* zeroed: see put_msg */

static bool put_msg(struct strbuf *out)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)page;
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);
	bool ok = len <= NLL_MSG_MAX;

	if (ok)
		sb_addn(out, page, len);
	/* Zeroed again for the next message: only what this one used. */
	memset(page, 0, ok ? len : NLL_MSG_MAX + NLL_MSG_SLACK);
	return ok && !out->oom;
}

/* NLM_F_ACK on every message: the writers count the answers (libnftables
 * 1.0.6 asks for none and reads errors only; the kernel's state is the
 * same). */
static struct nlmsghdr *hdr(uint16_t type, int nfproto, uint16_t flags, uint32_t seq)
{
	return nftnl_nlmsg_build_hdr(page, type, (uint16_t)nfproto, flags | NLM_F_ACK, seq);
}

/* The elements of s in one NEWSETELEM: table, set name, set id, then the
 * list, as libnftables 1.0.6 writes it (mnl_nft_setelem_batch). A list
 * libnftables would split over several messages is refused by set_of. */
static void put_elems(struct nlmsghdr *nlh, struct nftnl_set *s)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	struct nftnl_set_elem *e;
	struct nlattr *list;
	int i = 0;

	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, nftnl_set_get_str(s, NFTNL_SET_TABLE));
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, nftnl_set_get_str(s, NFTNL_SET_NAME));
	mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID, htonl(nftnl_set_get_u32(s, NFTNL_SET_ID)));
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	/* _next gives the current element and moves on. */
	while (it && (e = nftnl_set_elems_iter_next(it)))
		nftnl_set_elem_nlmsg_build(nlh, e, ++i);
	mnl_attr_nest_end(nlh, list);
	if (it)
		nftnl_set_elems_iter_destroy(it);
}

/* NEWSET, then its elements (one NEWSETELEM, its own sequence number). */
static int put_set(struct strbuf *out, struct nll_ctx *ctx, json_t *o, uint32_t *seq)
{
	struct nftnl_set *s = set_of(o, ctx);
	char key[3 * NFT_NAME_MAXLEN];
	int nfproto = nll_nfproto(o), n = 1;
	uint32_t dtype = 0, len = 0;
	bool ok;

	if (!s)
		return -1;
	nftnl_set_nlmsg_build_payload(hdr(NFT_MSG_NEWSET, nfproto, NLM_F_CREATE, (*seq)++), s);
	ok = put_msg(out);
	if (ok && json_array_size(json_object_get(o, "elem")) > 0) {
		put_elems(hdr(NFT_MSG_NEWSETELEM, nfproto, NLM_F_CREATE, (*seq)++), s);
		ok = put_msg(out);
		n++;
	}
	nftnl_set_free(s);
	if (!ok)
		return -1;
	ctx->set_id++;
	set_type(json_string_value(json_object_get(o, "type")), &dtype, &len);
	json_object_set_new(ctx->sets,
	                    set_key(key, sizeof(key), nfproto,
	                            json_string_value(json_object_get(o, "table")),
	                            json_string_value(json_object_get(o, "name"))),
	                    json_pack("[II]", (json_int_t)ctx->set_id, (json_int_t)len));
	return n;
}

static bool handle_of(json_t *o, uint64_t *h)
{
	json_t *v = json_object_get(o, "handle");

	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return false;
	*h = (uint64_t)json_integer_value(v);
	return true;
}

/* NEWRULE of an add, insert or replace of r. libnftables 1.0.6 ignores an
 * "add"'s handle (appends), places an "insert" before its handle (POSITION)
 * and replaces the rule of a "replace"'s handle. */
static bool put_newrule(const char *verb, struct nftnl_rule *r, uint64_t h, const char *comment,
                        uint32_t seq)
{
	bool add = !strcmp(verb, "add"), ins = !strcmp(verb, "insert");
	bool repl = !strcmp(verb, "replace");
	int nfproto = (int)nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	struct nlmsghdr *nlh;
	uint16_t flags;

	if ((!add && !ins && !repl) || (repl && !h) ||
	    (comment && strlen(comment) > NLL_COMMENT_MAX))
		return false;
	flags = repl ? NLM_F_REPLACE : (uint16_t)(NLM_F_CREATE | (add ? NLM_F_APPEND : 0));
	nlh = hdr(NFT_MSG_NEWRULE, nfproto, flags, seq);
	if (repl)
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, h);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	/* The position goes after the expressions. */
	if (ins && h)
		mnl_attr_put_u64(nlh, NFTA_RULE_POSITION, htobe64(h));
	return put_comment(nlh, comment);
}

/* add / insert / replace of a JSON rule. "index" is resolved against
 * libnftables' cache: refused (rule_of knows no such key). */
static bool put_rule(const char *verb, json_t *o, struct nll_ctx *ctx, uint32_t seq)
{
	uint64_t h = 0;
	int nfproto;
	struct nftnl_rule *r;
	bool ok;

	if ((json_object_get(o, "handle") && !handle_of(o, &h)) ||
	    !(r = rule_of(o, &nfproto, ctx, true)))
		return false;
	ok = put_newrule(verb, r, h, json_string_value(json_object_get(o, "comment")), seq);
	nftnl_rule_free(r);
	return ok;
}

/* delete of a rule (by handle): DELRULE with table, chain, handle; flush
 * of a chain or table: DELRULE with what names it. */
static bool put_delrule(json_t *o, bool flush_table, bool flush_chain, uint32_t seq)
{
	static const char *const rkeys[] = {"family", "table", "chain", "handle", NULL};
	static const char *const ckeys[] = {"family", "table", "name", NULL};
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *chain = json_string_value(json_object_get(o, flush_chain   ? "name"
	                                                         : flush_table ? "-"
	                                                                       : "chain"));
	int nfproto = nll_nfproto(o);
	struct nftnl_rule *r;
	uint64_t h = 0;

	if (flush_table) {
		table = json_string_value(json_object_get(o, "name"));
		if (!only_keys(o, (const char *const[]){"family", "name", NULL}))
			return false;
	} else if (!chain || !only_keys(o, flush_chain ? ckeys : rkeys) ||
	           (!flush_chain && !handle_of(o, &h))) {
		return false;
	}
	if (!table || nfproto < 0 || !(r = nftnl_rule_alloc()))
		return false;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)nfproto);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	if (chain)
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	if (h)
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, h);
	nftnl_rule_nlmsg_build_payload(hdr(NFT_MSG_DELRULE, nfproto, 0, seq), r);
	nftnl_rule_free(r);
	return true;
}

/* delete of a table or chain, by name. */
static bool put_delobj(bool table, json_t *o, uint32_t seq)
{
	static const char *const tkeys[] = {"family", "name", NULL};
	static const char *const ckeys[] = {"family", "table", "name", NULL};
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *tname = json_string_value(json_object_get(o, "table"));
	int nfproto = nll_nfproto(o);

	if (!name || nfproto < 0 || !only_keys(o, table ? tkeys : ckeys) || (!table && !tname))
		return false;
	if (table) {
		struct nftnl_table *t = nftnl_table_alloc();

		if (!t)
			return false;
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)nfproto);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
		nftnl_table_nlmsg_build_payload(hdr(NFT_MSG_DELTABLE, nfproto, 0, seq), t);
		nftnl_table_free(t);
	} else {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (!c)
			return false;
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)nfproto);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, tname);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
		nftnl_chain_nlmsg_build_payload(hdr(NFT_MSG_DELCHAIN, nfproto, 0, seq), c);
		nftnl_chain_free(c);
	}
	return true;
}

/* NEWCHAIN of d (checked), in libnftables' order: table, name, type,
 * policy, hook. excl: "create" (NLM_F_EXCL: the kernel refuses an existing
 * one). */
static void put_newchain(const struct nll_chain_def *d, bool excl, uint32_t seq)
{
	uint16_t x = excl ? NLM_F_EXCL : 0;
	struct nlmsghdr *nlh = hdr(NFT_MSG_NEWCHAIN, d->nfproto, NLM_F_CREATE | x, seq);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, d->table);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, d->name);
	if (d->hook)
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, d->type);
	if (d->policy)
		mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY,
		                 htonl(!strcmp(d->policy, "accept") ? NF_ACCEPT : NF_DROP));
	if (d->hook) {
		nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
		mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl((uint32_t)hook_number(d->hook)));
		mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl((uint32_t)d->prio));
		mnl_attr_nest_end(nlh, nest);
	}
}

/* add of a table (sent without NLM_F_CREATE, as libnftables does) or chain;
 * excl: "create" (NLM_F_EXCL: the kernel refuses an existing one). */
static bool put_addobj(const char *kind, json_t *o, uint32_t seq, bool excl)
{
	uint16_t x = excl ? NLM_F_EXCL : 0;

	if (!strcmp(kind, "table")) {
		struct nftnl_table *t = nll_table(o);

		if (!t)
			return false;
		nftnl_table_nlmsg_build_payload(hdr(NFT_MSG_NEWTABLE, nll_nfproto(o), x, seq), t);
		nftnl_table_free(t);
		return true;
	}
	if (!strcmp(kind, "chain")) {
		struct nll_chain_def d;

		if (!chain_def_of(o, &d) || !chain_def_ok(&d))
			return false;
		put_newchain(&d, excl, seq);
		return true;
	}
	return false;
}

/* One message for the item; false when it is not one of ours. */
static bool put_one(const char *verb, const char *kind, json_t *o, struct nll_ctx *ctx,
                    uint32_t seq)
{
	if (!strcmp(kind, "rule"))
		return !strcmp(verb, "delete") ? put_delrule(o, false, false, seq)
		                               : put_rule(verb, o, ctx, seq);
	if (!strcmp(verb, "add") || !strcmp(verb, "create"))
		return put_addobj(kind, o, seq, verb[0] == 'c');
	if (!strcmp(verb, "flush"))
		return (!strcmp(kind, "table") || !strcmp(kind, "chain")) &&
		       put_delrule(o, kind[0] == 't', kind[0] == 'c', seq);
	if (!strcmp(verb, "delete"))
		return (!strcmp(kind, "table") || !strcmp(kind, "chain")) &&
		       put_delobj(kind[0] == 't', o, seq);
	return false;
}

/* The message built in page (built: whether it could be) appended to out
 * and numbered: 1, or -1 with out as it was (from start). */
static int end_msg(struct strbuf *out, size_t start, bool built, uint32_t *seq)
{
	if (!built) {
		memset(page, 0, NLL_MSG_MAX + NLL_MSG_SLACK);
		return -1;
	}
	(*seq)++;
	if (!put_msg(out)) {
		out->len = start;
		return -1;
	}
	return 1;
}

int nll_batch_item(struct nll_ctx *ctx, struct strbuf *out, json_t *item, uint32_t *seq)
{
	void *it = json_object_iter(item);
	const char *verb, *kind;
	json_t *what, *o;
	size_t start = out->len;
	int n;

	if (!it || json_object_size(item) != 1)
		return -1;
	verb = json_object_iter_key(it);
	what = json_object_iter_value(it);
	if (!json_is_object(what) || json_object_size(what) != 1)
		return -1;
	kind = json_object_iter_key(json_object_iter(what));
	o = json_object_iter_value(json_object_iter(what));
	if (!json_is_object(o))
		return -1;
	if (!strcmp(verb, "add") && !strcmp(kind, "set")) {
		if ((n = put_set(out, ctx, o, seq)) < 0)
			out->len = start;
		return n;
	}
	return end_msg(out, start, put_one(verb, kind, o, ctx, *seq), seq);
}

int nll_rule_item(struct strbuf *out, const char *verb, struct nftnl_rule *r, uint64_t handle,
                  const char *comment, uint32_t *seq)
{
	return end_msg(out, out->len, put_newrule(verb, r, handle, comment, *seq), seq);
}

int nll_chain_item(struct strbuf *out, const struct nll_chain_def *d, bool create, uint32_t *seq)
{
	bool ok = chain_def_ok(d);

	if (ok)
		put_newchain(d, create, *seq);
	return end_msg(out, out->len, ok, seq);
}

int nll_item(struct strbuf *out, json_t *item, uint32_t *seq)
{
	return nll_batch_item(NULL, out, item, seq);
}

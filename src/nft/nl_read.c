/* nfsh's table listing over libmnl + libnftnl (see nl_read.h): the dumps of
 * chains and rules; each rule is converted by nl_read_rule.c, the sets are
 * read by nl_read_sets.c. */
#include "nft/nl_read_dump.h"
#include "rule/rule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <net/if.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- netlink plumbing ---- */

/* Hand one object (stolen) to the caller. */
int nlr_dump_emit(struct dump *d, json_t *o)
{
	int rc;

	if (!o)
		return -1;
	rc = d->stopped ? 0 : d->emit(o, d->ctx);
	json_decref(o);
	if (rc < 0)
		d->stopped = true; /* the caller gave up: nothing more for it */
	return 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;

	if (d->parse(nlh, d) < 0)
		d->nomem = true;
	return MNL_CB_OK;
}

static int nfproto(int family)
{
	return family == NFSH_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

/* Send one request and run every answer through d->parse. 0, or -errno. */
int nlr_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, struct dump *d)
{
	char *buf = malloc(NLR_RECV_SIZE);
	uint32_t seq = nlh->nlmsg_seq, port = mnl_socket_get_portid(nl);
	ssize_t len;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		free(buf);
		return -errno;
	}
	while ((len = mnl_socket_recvfrom(nl, buf, NLR_RECV_SIZE)) > 0) {
		rc = mnl_cb_run(buf, (size_t)len, seq, port, dump_cb, d);
		if (rc <= MNL_CB_STOP)
			break;
	}
	if (len < 0)
		rc = -errno;
	else if (rc < 0)
		rc = errno ? -errno : -EIO;
	else
		rc = 0;
	free(buf);
	return rc;
}

static const char *hook_name(uint32_t hook)
{
	static const char *const names[] = {"prerouting", "input", "forward", "output",
	                                    "postrouting"};

	return hook < 5 ? names[hook] : NULL;
}

/* What a listing needs of one chain. */
struct chain_rec {
	const char *table, *name, *type;
	uint64_t handle;
	bool base; /* has a hook */
	uint32_t hook, policy;
	int32_t prio;
};

struct nlr_chains {
	int family;
	struct chain_rec *v;
	size_t n, cap;
	bool nomem;
};

/* The parts of ch (borrowed: they live in ch), false for a chain without
 * a table or name. */
static bool chain_rec_of(const struct nftnl_chain *ch, struct chain_rec *r)
{
	r->table = nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE);
	r->name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	if (!r->table || !r->name)
		return false;
	r->handle = nftnl_chain_get_u64(ch, NFTNL_CHAIN_HANDLE);
	r->base = nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM);
	r->hook = r->base ? nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) : 0;
	r->policy = nftnl_chain_is_set(ch, NFTNL_CHAIN_POLICY)
	                ? nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY)
	                : NF_ACCEPT;
	r->prio = r->base ? (int32_t)nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO) : 0;
	r->type = r->base ? nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE) : NULL;
	return true;
}

static int add_name(struct dump *d, const char *name)
{
	if (d->nnames == d->names_cap) {
		size_t cap = d->names_cap ? d->names_cap * 2 : 64;
		char **v = realloc(d->names, cap * sizeof(*v));

		if (!v)
			return -1;
		d->names = v;
		d->names_cap = cap;
	}
	if (!(d->names[d->nnames] = strdup(name)))
		return -1;
	d->nnames++;
	return 0;
}

/* One chain of d's table, given as libnftables lists it (or to d->chain_fn). */
static int chain_emit(struct dump *d, const struct chain_rec *r)
{
	const char *hook = r->base ? hook_name(r->hook) : NULL;
	json_t *o;

	if (r->base && (!hook || (r->policy != NF_ACCEPT && r->policy != NF_DROP))) {
		d->unsupported = true;
		return 0;
	}
	if (add_name(d, r->name) < 0)
		return -1;
	if (d->chain_fn) {
		if (!d->stopped &&
		    d->chain_fn(r->name, r->base, r->policy == NF_ACCEPT ? "accept" : "drop",
		                d->ctx) < 0)
			d->stopped = true;
		return 0;
	}
	o = json_pack("{s:s,s:s,s:s,s:I}", "family", d->family == NFSH_IPV6 ? "ip6" : "ip", "table",
	              r->table, "name", r->name, "handle", (json_int_t)r->handle);
	if (o && r->base) {
		json_object_set_new(o, "type", json_string(r->type ?: "filter"));
		json_object_set_new(o, "hook", json_string(hook));
		json_object_set_new(o, "prio", json_integer(r->prio));
		json_object_set_new(o, "policy",
		                    json_string(r->policy == NF_ACCEPT ? "accept" : "drop"));
	}
	return nlr_dump_emit(d, nlr_obj1("chain", o));
}

static int parse_chain(const struct nlmsghdr *nlh, struct dump *d)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct chain_rec r;
	int rc = 0;

	if (!ch)
		return -1;
	if (nftnl_chain_nlmsg_parse(nlh, ch) == 0 && chain_rec_of(ch, &r) &&
	    !strcmp(r.table, d->table))
		rc = chain_emit(d, &r);
	nftnl_chain_free(ch);
	return rc;
}

/* A chain of any table, kept (its strings copied) in d->all. */
static int keep_chain(const struct nlmsghdr *nlh, struct dump *d)
{
	struct nlr_chains *cs = d->all;
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct chain_rec r, *v;

	if (!ch)
		return -1;
	if (nftnl_chain_nlmsg_parse(nlh, ch) < 0 || !chain_rec_of(ch, &r)) {
		nftnl_chain_free(ch);
		return 0;
	}
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 256;
		if (!(v = realloc(cs->v, cs->cap * sizeof(*v)))) {
			nftnl_chain_free(ch);
			return -1;
		}
		cs->v = v;
	}
	v = &cs->v[cs->n];
	*v = r;
	v->table = strdup(r.table);
	v->name = strdup(r.name);
	v->type = r.type ? strdup(r.type) : NULL;
	nftnl_chain_free(ch);
	if (!v->table || !v->name || (r.type && !v->type)) {
		free((char *)v->table);
		free((char *)v->name);
		free((char *)v->type);
		return -1;
	}
	cs->n++;
	return 0;
}

static int parse_rule(const struct nlmsghdr *nlh, struct dump *d)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	json_t *o;
	const char *table;

	if (!nr)
		return -1;
	if (nftnl_rule_nlmsg_parse(nlh, nr) < 0 ||
	    !(table = nftnl_rule_get_str(nr, NFTNL_RULE_TABLE)) || strcmp(table, d->table) ||
	    (d->chain && strcmp(nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN) ?: "", d->chain))) {
		nftnl_rule_free(nr);
		return 0;
	}
	if (!d->unsupported && d->fast && !d->stopped) {
		struct nlr_fast f;
		int taken = nlr_rule_fast(nr, d->family, &f) ? d->fast(&f, d->ctx) : 0;

		if (taken != 0) {
			if (taken < 0)
				d->stopped = true;
			nftnl_rule_free(nr);
			return 0;
		}
	}
	if (!d->unsupported) {
		o = nlr_rule_json(nr, d->family, &d->cache, d->anon);
		if (!o)
			d->unsupported = !d->partial;
		else if (nlr_dump_emit(d, o) < 0)
			d->nomem = true;
	}
	nftnl_rule_free(nr);
	return 0;
}

struct nlmsghdr *nlr_hdr(char *buf, uint16_t type, int family, uint16_t flags, uint32_t *seq)
{
	return nftnl_nlmsg_build_hdr(buf, type, (uint16_t)nfproto(family), flags, ++*seq);
}

static int noop_parse(const struct nlmsghdr *nlh, struct dump *d)
{
	(void)nlh;
	(void)d;
	return 0;
}

static int table_exists(struct mnl_socket *nl, int family, const char *table, uint32_t *seq,
                        struct dump *d)
{
	char buf[NLR_REQ_SIZE] = {0}; /* zeroed: attribute padding goes out as it is */
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh = nlr_hdr(buf, NFT_MSG_GETTABLE, family, NLM_F_ACK, seq);
	int (*saved)(const struct nlmsghdr *, struct dump *) = d->parse;
	int rc;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	d->parse = noop_parse;
	rc = nlr_talk(nl, nlh, d);
	d->parse = saved;
	return rc == -ENOENT ? 0 : rc < 0 ? rc : 1;
}

/* The rules of the table, or of one chain of it. */
static int read_rules(struct mnl_socket *nl, struct dump *d, uint32_t *seq, const char *chain)
{
	char buf[NLR_REQ_SIZE] = {0}; /* zeroed: attribute padding goes out as it is */
	struct nlmsghdr *nlh;
	struct nftnl_rule *r;

	if (!(r = nftnl_rule_alloc()))
		return -ENOMEM;
	nlh = nlr_hdr(buf, NFT_MSG_GETRULE, d->family, NLM_F_DUMP, seq);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, d->table);
	if (chain)
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	d->parse = parse_rule;
	return nlr_talk(nl, nlh, d);
}

static int read_all(struct mnl_socket *nl, struct dump *d, bool *missing)
{
	char buf[NLR_REQ_SIZE] = {0}; /* zeroed: attribute padding goes out as it is */
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh;
	size_t n;
	int rc;

	d->parse = noop_parse;
	rc = table_exists(nl, d->family, d->table, &seq, d);
	if (rc <= 0) {
		*missing = rc == 0;
		return rc;
	}
	if (d->cached) {
		for (size_t i = 0; i < d->cached->n && !d->unsupported; i++)
			if (!strcmp(d->cached->v[i].table, d->table) &&
			    chain_emit(d, &d->cached->v[i]) < 0)
				return -ENOMEM;
	} else {
		/* The kernel does not filter chain dumps by table: filtered here. */
		nlh = nlr_hdr(buf, NFT_MSG_GETCHAIN, d->family, NLM_F_DUMP, &seq);
		d->parse = parse_chain;
		if ((rc = nlr_talk(nl, nlh, d)) < 0)
			return rc;
	}
	if (d->unsupported)
		return 0;
	if ((rc = nlr_read_sets(nl, d, &seq)) < 0 || d->unsupported)
		return rc;
	/* NFSH_NL_WHOLE: one dump of the table (for measuring the kernel). */
	if (d->chain || (!d->order && getenv("NFSH_NL_WHOLE")))
		return read_rules(nl, d, &seq, d->chain);
	if (d->order && !d->stopped && d->order(d->names, d->nnames, d->ctx) < 0) {
		d->stopped = true;
		return 0;
	}
	/* Chain by chain: a dump resumed after each ~32 KiB skips again
	 * over every rule before its place, so one dump of a 50k-rule table
	 * costs the kernel a quadratic walk (half a second here); a dump per
	 * chain walks only that chain. Same order as the table dump. */
	n = d->nnames;
	for (size_t i = 0; i < n && rc == 0 && !d->unsupported && !d->stopped; i++) {
		const char *name = d->names[i];

		if (name)
			rc = read_rules(nl, d, &seq, name);
	}
	return rc;
}

enum nlr_result nlr_read_table(const struct nlr_req *q, bool *missing, struct nfsh_err *e)
{
	struct dump d = {.family = q->family,
	                 .table = q->table,
	                 .chain = q->chain,
	                 .partial = q->partial,
	                 .emit = q->emit,
	                 .order = q->order,
	                 .fast = q->fast,
	                 .chain_fn = q->chain_fn,
	                 .ctx = q->ctx,
	                 .cached = q->chains && q->chains->family == q->family ? q->chains : NULL};
	const char *table = q->table;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int rc;

	*missing = false;
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl)
			mnl_socket_close(nl);
		err_set(e, NFSH_EKERNEL, NULL, "cannot open a netfilter netlink socket: %m");
		return NLR_ERROR;
	}
	d.sets = json_array();
	d.anon_types = json_object();
	d.anon = json_object();
	rc = d.sets && d.anon_types && d.anon ? read_all(nl, &d, missing) : -ENOMEM;
	mnl_socket_close(nl);
	json_decref(d.sets);
	json_decref(d.anon_types);
	json_decref(d.anon);
	for (size_t i = 0; i < d.nnames; i++)
		free(d.names[i]);
	free(d.names);
	nlr_leaf_cache_free(&d.cache);
	if (rc == -EINTR)
		return NLR_UNSUPPORTED; /* changed under the dump: libnftables retries */
	if (rc < 0 || d.nomem || d.stopped) {
		err_set(e, NFSH_EKERNEL, NULL, "cannot list table %s: %s", table,
		        strerror(rc < 0 ? -rc : ENOMEM));
		return NLR_ERROR;
	}
	return d.unsupported ? NLR_UNSUPPORTED : NLR_OK;
}

static int append(json_t *o, void *ctx)
{
	return json_array_append(ctx, o);
}

enum nlr_result nlr_list_table(int family, const char *table, const char *chain, bool partial,
                               json_t **out, bool *missing, struct nfsh_err *e)
{
	json_t *arr = json_array();
	enum nlr_result r;

	*out = NULL;
	*missing = false;
	if (!arr) {
		err_set(e, NFSH_EOTHER, NULL, "out of memory");
		return NLR_ERROR;
	}
	r = nlr_read_table(&(struct nlr_req){.family = family,
	                                     .table = table,
	                                     .chain = chain,
	                                     .partial = partial,
	                                     .emit = append,
	                                     .ctx = arr},
	                   missing, e);
	if (r == NLR_OK)
		*out = arr;
	else
		json_decref(arr);
	return r;
}

void nlr_chains_free(struct nlr_chains *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		free((char *)cs->v[i].table);
		free((char *)cs->v[i].name);
		free((char *)cs->v[i].type);
	}
	free(cs->v);
	free(cs);
}

struct nlr_chains *nlr_chains_dump(int family, struct nfsh_err *e)
{
	char buf[NLR_REQ_SIZE] = {0}; /* zeroed: attribute padding goes out as it is */
	struct nlr_chains *cs = calloc(1, sizeof(*cs));
	struct dump d = {.family = family, .all = cs, .parse = keep_chain};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	uint32_t seq = (uint32_t)time(NULL);
	int rc = -ENOMEM;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		if (nl)
			mnl_socket_close(nl);
		nlr_chains_free(cs);
		err_set(e, NFSH_EKERNEL, NULL, "cannot open a netfilter netlink socket: %m");
		return NULL;
	}
	if (cs) {
		cs->family = family;
		rc = nlr_talk(nl, nlr_hdr(buf, NFT_MSG_GETCHAIN, family, NLM_F_DUMP, &seq), &d);
	}
	mnl_socket_close(nl);
	if (rc < 0 || d.nomem) {
		nlr_chains_free(cs);
		err_set(e, NFSH_EKERNEL, NULL, "cannot list chains: %s",
		        strerror(rc < 0 ? -rc : ENOMEM));
		return NULL;
	}
	return cs;
}

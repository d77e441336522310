/* The linearisation of nfsh's JSON into netlink messages (see nl_lin.h).
 *
 * What is here is what libnftables 1.0.6 makes of the JSON nfsh emits, for
 * the statements listed in nl_lin.h; everything else is refused, so the
 * batch goes through libnftables. tests/integration/io_fastwrite.sh compares
 * the kernel's bytecode of both paths command by command. */
#include "nft/nl_lin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
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

/* libnftables refuses longer comments. */
#define NLL_COMMENT_MAX 128

struct lin {
	struct nftnl_rule *r;
	int nfproto;
	int l4;          /* protocol the transport header is known to be, or -1 */
	bool l4_unknown; /* a negated protocol match: libnftables' choice, not ours */
	bool bad;
};

static void add(struct lin *l, struct nftnl_expr *e)
{
	if (!e)
		l->bad = true;
	else
		nftnl_rule_add_expr(l->r, e);
}

static void load_payload(struct lin *l, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	add(l, e);
}

static void load_meta(struct lin *l, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	add(l, e);
}

static void cmp(struct lin *l, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	add(l, e);
}

static int l4_number(json_t *v)
{
	const char *s = json_string_value(v);

	if (json_is_integer(v))
		return json_integer_value(v) >= 0 && json_integer_value(v) <= 255
		           ? (int)json_integer_value(v)
		           : -1;
	if (!s)
		return -1;
	return !strcmp(s, "tcp") ? 6 : !strcmp(s, "udp") ? 17 : !strcmp(s, "icmp") ? 1 : -1;
}

/* ip/ip6 saddr/daddr == / != address or byte-aligned prefix. */
static bool lin_addr(struct lin *l, const char *field, uint32_t op, json_t *right)
{
	bool v6 = l->nfproto == NFPROTO_IPV6;
	uint32_t full = v6 ? 16 : 4, off, len = full;
	const char *text = json_string_value(right);
	uint8_t addr[16];
	json_t *pfx = json_object_get(right, "prefix");

	if (!strcmp(field, "saddr"))
		off = v6 ? 8 : 12;
	else if (!strcmp(field, "daddr"))
		off = v6 ? 24 : 16;
	else
		return false;
	if (pfx) {
		json_t *plen = json_object_get(pfx, "len");

		text = json_string_value(json_object_get(pfx, "addr"));
		if (!json_is_integer(plen) || json_integer_value(plen) <= 0 ||
		    json_integer_value(plen) >= (json_int_t)full * 8 ||
		    json_integer_value(plen) % 8 || json_object_size(pfx) != 2)
			return false;
		len = (uint32_t)json_integer_value(plen) / 8;
	}
	if (!text || inet_pton(v6 ? AF_INET6 : AF_INET, text, addr) != 1)
		return false;
	load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, off, len);
	cmp(l, op, addr, len);
	return true;
}

static bool lin_iface(struct lin *l, const char *key, uint32_t op, json_t *right)
{
	const char *name = json_string_value(right);
	char buf[IFNAMSIZ] = {0};
	size_t n;
	bool wild;

	if (!name || (n = strlen(name)) == 0 || n >= IFNAMSIZ)
		return false;
	wild = name[n - 1] == '*';
	for (size_t i = 0; i < n - (wild ? 1 : 0); i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '@'))
			return false;
	}
	if (wild && n == 1)
		return false;
	memcpy(buf, name, n - (wild ? 1 : 0));
	load_meta(l, !strcmp(key, "iifname") ? NFT_META_IIFNAME : NFT_META_OIFNAME);
	cmp(l, op, buf, wild ? (uint32_t)(n - 1) : IFNAMSIZ);
	return true;
}

static void note_l4(struct lin *l, uint32_t op, int proto)
{
	if (op == NFT_CMP_EQ)
		l->l4 = proto;
	else
		l->l4_unknown = true;
}

static bool lin_port(struct lin *l, const char *proto, const char *field, uint32_t op,
                     json_t *right)
{
	int p = !strcmp(proto, "tcp") ? 6 : !strcmp(proto, "udp") ? 17 : -1;
	uint16_t port;
	uint8_t dep;

	if (p < 0 || !json_is_integer(right) || json_integer_value(right) < 0 ||
	    json_integer_value(right) > 65535 || l->l4_unknown || (l->l4 >= 0 && l->l4 != p))
		return false;
	if (strcmp(field, "sport") && strcmp(field, "dport"))
		return false;
	if (l->l4 < 0) {
		/* The dependency libnftables adds in ip and ip6 tables. */
		dep = (uint8_t)p;
		load_meta(l, NFT_META_L4PROTO);
		cmp(l, NFT_CMP_EQ, &dep, 1);
		l->l4 = p;
	}
	port = htons((uint16_t)json_integer_value(right));
	load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, field[0] == 's' ? 0 : 2, 2);
	cmp(l, op, &port, 2);
	return true;
}

static bool lin_ct_state(struct lin *l, json_t *right)
{
	static const char *const names[] = {"invalid", "established", "related",  "new",
	                                    NULL,      NULL,          "untracked"};
	uint32_t mask = 0, zero = 0;
	json_t *list = json_is_array(right) ? right : NULL;
	size_t i, n = list ? json_array_size(list) : 1;
	struct nftnl_expr *e;

	for (i = 0; i < n; i++) {
		const char *s = json_string_value(list ? json_array_get(list, i) : right);
		unsigned b;

		for (b = 0; s && b < sizeof(names) / sizeof(names[0]); b++)
			if (names[b] && !strcmp(names[b], s))
				break;
		if (!s || b == sizeof(names) / sizeof(names[0]))
			return false;
		mask |= 1u << b;
	}
	if (!mask)
		return false;
	if ((e = nftnl_expr_alloc("ct"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	add(l, e);
	if ((e = nftnl_expr_alloc("bitwise"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	}
	add(l, e);
	cmp(l, NFT_CMP_NEQ, &zero, 4);
	return true;
}

static bool lin_match(struct lin *l, json_t *m)
{
	const char *ops = json_string_value(json_object_get(m, "op"));
	json_t *left = json_object_get(m, "left"), *right = json_object_get(m, "right");
	json_t *pl = json_object_get(left, "payload"), *meta = json_object_get(left, "meta");
	uint32_t op;

	if (!ops || !right || json_object_size(m) != 3 || json_object_size(left) != 1)
		return false;
	if (!strcmp(ops, "in") && json_object_get(left, "ct"))
		return json_object_size(json_object_get(left, "ct")) == 1 &&
		       !strcmp(
		           json_string_value(json_object_get(json_object_get(left, "ct"), "key"))
		               ?: "",
		           "state") &&
		       lin_ct_state(l, right);
	if (!strcmp(ops, "=="))
		op = NFT_CMP_EQ;
	else if (!strcmp(ops, "!="))
		op = NFT_CMP_NEQ;
	else
		return false;
	if (pl) {
		const char *proto = json_string_value(json_object_get(pl, "protocol"));
		const char *field = json_string_value(json_object_get(pl, "field"));

		if (!proto || !field || json_object_size(pl) != 2)
			return false;
		if (!strcmp(proto, l->nfproto == NFPROTO_IPV6 ? "ip6" : "ip")) {
			if (!strcmp(field, "protocol") && l->nfproto == NFPROTO_IPV4) {
				int p = l4_number(right);
				uint8_t b = (uint8_t)p;

				if (p < 0)
					return false;
				load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, 9, 1);
				cmp(l, op, &b, 1);
				note_l4(l, op, p);
				return true;
			}
			return lin_addr(l, field, op, right);
		}
		return lin_port(l, proto, field, op, right);
	}
	if (meta) {
		const char *key = json_string_value(json_object_get(meta, "key"));

		if (!key || json_object_size(meta) != 1)
			return false;
		if (!strcmp(key, "iifname") || !strcmp(key, "oifname"))
			return lin_iface(l, key, op, right);
		if (!strcmp(key, "l4proto")) {
			int p = l4_number(right);
			uint8_t b = (uint8_t)p;

			if (p < 0)
				return false;
			load_meta(l, NFT_META_L4PROTO);
			cmp(l, op, &b, 1);
			note_l4(l, op, p);
			return true;
		}
	}
	return false;
}

static bool lin_verdict(struct lin *l, const char *name, json_t *body)
{
	struct nftnl_expr *e;
	int v;
	const char *target = NULL;

	if (!strcmp(name, "accept"))
		v = NF_ACCEPT;
	else if (!strcmp(name, "drop"))
		v = NF_DROP;
	else if (!strcmp(name, "return"))
		v = NFT_RETURN;
	else if (!strcmp(name, "jump") || !strcmp(name, "goto")) {
		v = name[0] == 'j' ? NFT_JUMP : NFT_GOTO;
		target = json_string_value(json_object_get(body, "target"));
		if (!target || json_object_size(body) != 1 ||
		    strlen(target) >= NFT_CHAIN_MAXNAMELEN)
			return false;
	} else
		return false;
	if (!target && !json_is_null(body))
		return false;
	if ((e = nftnl_expr_alloc("immediate"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
		if (target)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, target);
	}
	add(l, e);
	return true;
}

static bool lin_stmt(struct lin *l, json_t *st)
{
	const char *name;
	json_t *body;
	void *it = json_object_iter(st);

	if (!it || json_object_size(st) != 1)
		return false;
	name = json_object_iter_key(it);
	body = json_object_iter_value(it);
	if (!strcmp(name, "match"))
		return lin_match(l, body);
	if (!strcmp(name, "counter")) {
		if (!json_is_null(body))
			return false;
		add(l, nftnl_expr_alloc("counter"));
		return true;
	}
	return lin_verdict(l, name, body);
}

int nll_nfproto(json_t *o)
{
	const char *f = json_string_value(json_object_get(o, "family"));

	return !f ? -1 : !strcmp(f, "ip") ? NFPROTO_IPV4 : !strcmp(f, "ip6") ? NFPROTO_IPV6 : -1;
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

struct nftnl_rule *nll_rule(json_t *o, int *nfproto)
{
	static const char *const keys[] = {"family", "table", "chain", "expr", "comment", NULL};
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *chain = json_string_value(json_object_get(o, "chain"));
	const char *comment = json_string_value(json_object_get(o, "comment"));
	json_t *exprs = json_object_get(o, "expr"), *st;
	struct lin l = {.nfproto = nll_nfproto(o), .l4 = -1};
	size_t i;

	if (!table || !chain || !json_is_array(exprs) || json_array_size(exprs) == 0 ||
	    l.nfproto < 0 || !only_keys(o, keys) ||
	    (json_object_get(o, "comment") && (!comment || strlen(comment) >= NLL_COMMENT_MAX)))
		return NULL;
	if (!(l.r = nftnl_rule_alloc()))
		return NULL;
	nftnl_rule_set_u32(l.r, NFTNL_RULE_FAMILY, (uint32_t)l.nfproto);
	nftnl_rule_set_str(l.r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(l.r, NFTNL_RULE_CHAIN, chain);
	json_array_foreach(exprs, i, st)
	{
		if (!lin_stmt(&l, st) || l.bad) {
			nftnl_rule_free(l.r);
			return NULL;
		}
	}
	if (comment) {
		struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

		if (!u || !nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, comment)) {
			nftnl_udata_buf_free(u);
			nftnl_rule_free(l.r);
			return NULL;
		}
		nftnl_rule_set_data(l.r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(u),
		                    nftnl_udata_buf_len(u));
		nftnl_udata_buf_free(u);
	}
	*nfproto = l.nfproto;
	return l.r;
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

struct nftnl_chain *nll_chain(json_t *o)
{
	static const char *const keys[] = {"family", "table", "name",   "type",
	                                   "hook",   "prio",  "policy", NULL};
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *policy = json_string_value(json_object_get(o, "policy"));
	json_t *prio = json_object_get(o, "prio");
	int hook = hook_number(json_string_value(json_object_get(o, "hook")));
	bool base = json_object_get(o, "hook") != NULL;
	struct nftnl_chain *c;

	if (!table || !name || nll_nfproto(o) < 0 || !only_keys(o, keys) ||
	    (base && (hook < 0 || !type || !json_is_integer(prio))) ||
	    (!base && (type || prio || policy)) ||
	    (policy && strcmp(policy, "accept") && strcmp(policy, "drop")) ||
	    (type && strcmp(type, "filter") && strcmp(type, "nat") && strcmp(type, "route")))
		return NULL;
	if (!(c = nftnl_chain_alloc()))
		return NULL;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)nll_nfproto(o));
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (base) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, (int32_t)json_integer_value(prio));
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	}
	if (policy)
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY,
		                    !strcmp(policy, "accept") ? NF_ACCEPT : NF_DROP);
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

/* ---- one batch item as messages ---- */

/* Room past NLL_MSG_MAX, so a message that overran it is caught. */
#define NLL_MSG_SLACK 4096

/* Every message is built in a zeroed scratch page first (libnftnl leaves
 * attribute padding as it finds it, and does not check bounds), then
 * appended. */
static bool put_msg(struct strbuf *out, char *page)
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

int nll_item(struct strbuf *out, json_t *item, uint32_t *seq)
{
	static char page[NLL_MSG_MAX + NLL_MSG_SLACK]; /* zeroed: see put_msg */
	json_t *add = json_object_get(item, "add"), *ins = json_object_get(item, "insert");
	json_t *what = add ? add : ins, *o;
	struct nlmsghdr *nlh;
	size_t start = out->len;
	int nfproto;

	if (json_object_size(item) != 1 || !what || json_object_size(what) != 1)
		return -1;
	if ((o = json_object_get(what, "rule"))) {
		struct nftnl_rule *r = nll_rule(o, &nfproto);

		if (!r)
			return -1;
		/* append: NLM_F_APPEND; insert without a position: at the top. */
		nlh = nftnl_rule_nlmsg_build_hdr(
		    page, NFT_MSG_NEWRULE, (uint16_t)nfproto,
		    (uint16_t)(NLM_F_CREATE | NLM_F_ACK | (add ? NLM_F_APPEND : 0)), (*seq)++);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
	} else if (add && (o = json_object_get(what, "chain"))) {
		struct nftnl_chain *c = nll_chain(o);

		if (!c)
			return -1;
		nlh = nftnl_chain_nlmsg_build_hdr(page, NFT_MSG_NEWCHAIN, (uint16_t)nll_nfproto(o),
		                                  NLM_F_CREATE | NLM_F_ACK, (*seq)++);
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
	} else if (add && (o = json_object_get(what, "table"))) {
		struct nftnl_table *t = nll_table(o);

		if (!t)
			return -1;
		nlh = nftnl_table_nlmsg_build_hdr(page, NFT_MSG_NEWTABLE, (uint16_t)nll_nfproto(o),
		                                  NLM_F_CREATE | NLM_F_ACK, (*seq)++);
		nftnl_table_nlmsg_build_payload(nlh, t);
		nftnl_table_free(t);
	} else {
		return -1;
	}
	if (!put_msg(out, page)) {
		out->len = start;
		return -1;
	}
	return 1;
}

/* The statements of a rule read back (nl_read_conv.h): verdicts, meta/ct
 * mark set, reject, snat/dnat/masquerade/redirect, limit, log, counter. */
#include "nft/nl_read_conv.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

json_t *cv_verdict(struct conv *c, const struct nftnl_expr *e)
{
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

	switch (v) {
	case NF_ACCEPT:
		return cv_leaf(c, "verdict", "accept", NULL);
	case NF_DROP:
		return cv_leaf(c, "verdict", "drop", NULL);
	case NFT_RETURN:
		return cv_leaf(c, "verdict", "return", NULL);
	case NFT_JUMP:
	case NFT_GOTO:
		if (!chain)
			return NULL;
		return nlr_obj1(v == NFT_JUMP ? "jump" : "goto",
		                nlr_obj1("target", json_string(chain)));
	default:
		return NULL;
	}
}

void cv_fast_verdict(struct conv *c, const struct nftnl_expr *e)
{
	int32_t v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
	struct nlr_fstmt *st;

	if (v != NF_ACCEPT && v != NF_DROP && v != NFT_RETURN &&
	    ((v != NFT_JUMP && v != NFT_GOTO) || !chain)) {
		cv_unsupported(c);
		return;
	}
	if ((st = cv_fpush(c, NLF_VERDICT, false))) {
		st->verdict = v;
		st->chain = v == NFT_JUMP || v == NFT_GOTO ? chain : NULL;
	}
}

/* A mark set's value: an immediate, the other mark (meta mark set ct mark,
 * ct mark set meta mark: CONNMARK --restore-mark / --save-mark), or either
 * mark through one bitwise, listed as libnftables does: "&" with mask|xor
 * unless that is all ones, then "|" with xor when mask and xor share no
 * bit, or "^" when the mask is all ones. own: the key being set. */
static json_t *mark_value(struct conv *c, const struct reg *r, int own)
{
	uint32_t m, x;
	json_t *v;

	if (r->kind == R_IMM)
		return r->dlen == 4 ? json_integer(cv_u32_host(r->data)) : NULL;
	if (!(r->kind == R_META && r->key == NFT_META_MARK) &&
	    !(r->kind == R_CT && r->key == NFT_CT_MARK))
		return NULL;
	if ((int)r->kind != own && !r->masked)
		return r->kind == R_CT ? cv_leaf(c, "ct", "mark", NULL) : meta_left("mark");
	if (!r->masked)
		return NULL; /* the mark set to itself */
	v = r->kind == R_CT ? cv_leaf(c, "ct", "mark", NULL) : meta_left("mark");
	m = cv_u32_host(r->mask);
	x = cv_u32_host(r->xor);
	if (x == 0 && m != 0xffffffffu)
		return json_pack("{s:[o,I]}", "&", v, (json_int_t)m);
	if (m == 0xffffffffu && x != 0)
		return json_pack("{s:[o,I]}", "^", v, (json_int_t)x);
	if (x != 0 && (m & x) == 0) {
		if ((m | x) != 0xffffffffu)
			v = json_pack("{s:[o,I]}", "&", v, (json_int_t)(m | x));
		return v ? json_pack("{s:[o,I]}", "|", v, (json_int_t)x) : NULL;
	}
	json_decref(v);
	return NULL;
}

/* meta mark set / ct mark set with the value in r. */
void cv_mark_set(struct conv *c, struct reg *r, int own)
{
	json_t *value, *key;

	if (c->fast) {
		c->not_fast = true;
		return;
	}
	value = r ? mark_value(c, r, own) : NULL;
	if (r)
		r->kind = R_NONE;
	if (!value) {
		cv_unsupported(c);
		return;
	}
	key = own == R_CT ? cv_leaf(c, "ct", "mark", NULL) : meta_left("mark");
	cv_push(c, json_pack("{s:{s:o,s:o}}", "mangle", "key", key, "value", value));
}

/* reject with an ICMP or ICMPv6 code: only a code with a name (the number of
 * another one libnftables lists in its own way); frag-needed is not a reject. */
static json_t *reject_icmp(int l4, const char *type, uint32_t code)
{
	json_t *expr = l4 == 1 && code == 4 ? NULL : cv_icmp_code_right(l4, code);

	if (!json_is_string(expr)) {
		json_decref(expr);
		return NULL;
	}
	return json_pack("{s:{s:s,s:o}}", "reject", "type", type, "expr", expr);
}

/* ip6 reject: tcp reset or an icmpv6 code, which libnftables' JSON names
 * even for the default (port-unreachable) that its text leaves out. It
 * keeps a "meta l4proto" match before either (unlike ip's). */
static json_t *reject6(uint32_t type, uint32_t code)
{
	if (type == NFT_REJECT_TCP_RST)
		return json_pack("{s:{s:s}}", "reject", "type", "tcp reset");
	if (type != NFT_REJECT_ICMP_UNREACH)
		return NULL;
	return reject_icmp(58, "icmpv6", code);
}

static json_t *reject(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE);
	uint32_t code = nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE); /* a u8 */

	/* libnftables may fold a "meta l4proto" match standing before a reject
	 * into it; "ip protocol tcp ... reject with tcp reset" it lists as it is. */
	if (c->family == NFSH_IPV6)
		return reject6(type, code);
	if (c->dep_index >= 0 && c->dep_is_meta)
		return NULL;
	if (type == NFT_REJECT_TCP_RST)
		return json_pack("{s:{s:s}}", "reject", "type", "tcp reset");
	if (type == NFT_REJECT_ICMP_UNREACH)
		return reject_icmp(1, "icmp", code);
	return NULL;
}

/* A NAT statement's registers and flags, whichever expression holds them. */
struct nat_regs {
	struct reg *amin, *amax, *pmin, *pmax;
	uint32_t flags;
};

static struct reg *nat_reg(struct conv *c, const struct nftnl_expr *e, uint16_t attr, bool *bad)
{
	struct reg *r;

	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	r = cv_reg(c, e, attr);
	if (!r || r->kind != R_IMM)
		*bad = true;
	return r;
}

/* nat_flags as libnftables lists them: one name, or a list in its order;
 * the flags nfsh never shows (addresses or ports given) left out. */
static json_t *nat_flags(uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} order[] = {{NF_NAT_RANGE_PROTO_RANDOM, "random"},
	             {NF_NAT_RANGE_PROTO_RANDOM_FULLY, "fully-random"},
	             {NF_NAT_RANGE_PERSISTENT, "persistent"}};
	json_t *list = json_array();

	for (size_t i = 0; list && i < sizeof(order) / sizeof(order[0]); i++)
		if (flags & order[i].bit)
			json_array_append_new(list, json_string_nocheck(order[i].name));
	if (list && json_array_size(list) == 1) {
		json_t *one = json_incref(json_array_get(list, 0));

		json_decref(list);
		return one;
	}
	return list;
}

static json_t *port_json(const struct reg *lo, const struct reg *hi)
{
	uint16_t a, b;

	memcpy(&a, lo->data, 2);
	if (!hi || hi == lo)
		return json_integer(ntohs(a));
	memcpy(&b, hi->data, 2);
	return nlr_obj1("range", json_pack("[I,I]", (json_int_t)ntohs(a), (json_int_t)ntohs(b)));
}

static json_t *addr_json(const struct reg *lo, const struct reg *hi, int af)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!inet_ntop(af, lo->data, a, sizeof(a)))
		return NULL;
	if (!hi || hi == lo)
		return json_string(a);
	if (!inet_ntop(af, hi->data, b, sizeof(b)))
		return NULL;
	return nlr_obj1("range", json_pack("[s,s]", a, b));
}

/* {"snat"|"dnat"|"masquerade"|"redirect": {addr, port, flags}}, the
 * registers it used released; NULL when libnftables would list it in a
 * way not known here. */
static json_t *nat_json(const char *kind, const struct nat_regs *n, int af)
{
	uint32_t alen = af == AF_INET6 ? 16u : 4u;
	json_t *body = json_object(), *flags;

	if ((n->amin && n->amin->dlen != alen) ||
	    (n->amax && (!n->amin || n->amax->dlen != alen)) || (n->pmin && n->pmin->dlen != 2) ||
	    (n->pmax && (!n->pmin || n->pmax->dlen != 2)) ||
	    (n->flags & ~(uint32_t)(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED |
	                            NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PERSISTENT |
	                            NF_NAT_RANGE_PROTO_RANDOM_FULLY))) {
		json_decref(body);
		return NULL;
	}
	if (n->amin)
		body = cv_put(body, "addr", addr_json(n->amin, n->amax, af));
	if (n->pmin)
		body = cv_put(body, "port", port_json(n->pmin, n->pmax));
	flags = nat_flags(n->flags);
	if (flags && json_array_size(flags) == 0 && json_is_array(flags))
		json_decref(flags);
	else
		body = cv_put(body, "flags", flags);
	if (!body)
		return NULL;
	for (struct reg *const *r = &n->amin; r <= &n->pmax; r++)
		if (*r)
			(*r)->kind = R_NONE;
	if (json_object_size(body) == 0) {
		json_decref(body);
		return json_pack("{s:n}", kind);
	}
	return nlr_obj1(kind, body);
}

/* The simple SNAT/DNAT that nlr_fast records: one address, at most one port. */
static bool nat_fast(struct conv *c, uint32_t type, const struct nat_regs *n, int af)
{
	struct nlr_fstmt *st;
	char text[INET6_ADDRSTRLEN];
	uint16_t port;

	if (!n->amin || (n->amax && n->amax != n->amin) || (n->pmax && n->pmax != n->pmin) ||
	    (n->flags & ~(uint32_t)(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED)) ||
	    n->amin->dlen != (af == AF_INET6 ? 16u : 4u) || (n->pmin && n->pmin->dlen != 2) ||
	    !inet_ntop(af, n->amin->data, text, sizeof(text)))
		return false;
	if ((st = cv_fpush(c, NLF_NAT, false))) {
		st->out = type == NFT_NAT_DNAT;
		str_copy(st->text, sizeof(st->text), text);
		if (n->pmin)
			memcpy(&port, n->pmin->data, 2);
		st->port = n->pmin ? ntohs(port) : -1;
	}
	n->amin->kind = R_NONE;
	if (n->pmin)
		n->pmin->kind = R_NONE;
	return true;
}

static json_t *nat(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
	uint32_t fam = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
	bool bad = false;
	struct nat_regs n = {.amin = nat_reg(c, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, &bad),
	                     .amax = nat_reg(c, e, NFTNL_EXPR_NAT_REG_ADDR_MAX, &bad),
	                     .pmin = nat_reg(c, e, NFTNL_EXPR_NAT_REG_PROTO_MIN, &bad),
	                     .pmax = nat_reg(c, e, NFTNL_EXPR_NAT_REG_PROTO_MAX, &bad),
	                     .flags = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS)
	                                  ? nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS)
	                                  : 0};
	int af = fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET;

	/* "meta l4proto tcp ... dnat to A:P" lists as it is, and "ip protocol
	 * tcp" before ports; before an address alone it has not been seen. */
	if (bad || (c->dep_index >= 0 && !c->dep_is_meta && !n.pmin) ||
	    (fam != NFPROTO_IPV4 && fam != NFPROTO_IPV6) ||
	    (fam == NFPROTO_IPV6) != (c->family == NFSH_IPV6) ||
	    (type != NFT_NAT_SNAT && type != NFT_NAT_DNAT) || !n.amin)
		return NULL;
	if (c->fast) {
		if (!nat_fast(c, type, &n, af))
			c->not_fast = true;
		return json_null(); /* recorded */
	}
	return nat_json(type == NFT_NAT_SNAT ? "snat" : "dnat", &n, af);
}

/* masquerade and redirect: ports and flags, no address. */
static json_t *masq_redir(struct conv *c, const struct nftnl_expr *e, bool redir)
{
	bool bad = false;
	struct nat_regs n = {
	    .pmin = nat_reg(
	        c, e, redir ? NFTNL_EXPR_REDIR_REG_PROTO_MIN : NFTNL_EXPR_MASQ_REG_PROTO_MIN, &bad),
	    .pmax = nat_reg(c, e,
	                    redir ? NFTNL_EXPR_REDIR_REG_PROTO_MAX : NFTNL_EXPR_MASQ_REG_PROTO_MAX,
	                    &bad)};
	uint16_t fattr = redir ? NFTNL_EXPR_REDIR_FLAGS : NFTNL_EXPR_MASQ_FLAGS;

	n.flags = nftnl_expr_is_set(e, fattr) ? nftnl_expr_get_u32(e, fattr) : 0;
	if (bad)
		return NULL;
	return nat_json(redir ? "redirect" : "masquerade", &n,
	                c->family == NFSH_IPV6 ? AF_INET6 : AF_INET);
}

static json_t *limit(const struct nftnl_expr *e)
{
	uint64_t rate = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE);
	uint64_t unit = nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT);
	uint32_t burst = nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_BURST);
	const char *per = unit == 1        ? "second"
	                  : unit == 60     ? "minute"
	                  : unit == 3600   ? "hour"
	                  : unit == 86400  ? "day"
	                  : unit == 604800 ? "week"
	                                   : NULL;

	if (!per || burst == 0 || nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_TYPE) != NFT_LIMIT_PKTS ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_LIMIT_FLAGS) != 0)
		return NULL;
	return json_pack("{s:{s:I,s:I,s:s}}", "limit", "rate", (json_int_t)rate, "burst",
	                 (json_int_t)burst, "per", per);
}

static json_t *log_stmt(const struct nftnl_expr *e)
{
	static const char *const levels[] = {"emerg", "alert",  "crit", "err",
	                                     "warn",  "notice", "info", "debug"};
	const char *prefix = nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX);
	uint32_t level = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_LEVEL)
	                     ? nftnl_expr_get_u32(e, NFTNL_EXPR_LOG_LEVEL)
	                     : 4;
	json_t *body;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_SNAPLEN) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_QTHRESHOLD) ||
	    nftnl_expr_is_set(e, NFTNL_EXPR_LOG_FLAGS) || level >= 8 ||
	    /* Prefixes with quotes or backslashes: libnftables' escaping, not ours. */
	    (prefix && strpbrk(prefix, "\"\\")))
		return NULL;
	/* level 4 (warn) is the default, which libnftables does not list */
	if (!prefix && level == 4)
		return json_pack("{s:n}", "log");
	body = json_object();
	if (prefix)
		body = cv_put(body, "prefix", json_string(prefix));
	if (level != 4)
		body = cv_put(body, "level", json_string_nocheck(levels[level]));
	return nlr_obj1("log", body);
}

/* The statements on_expr builds as JSON, recorded without it; true when
 * e was one of them (or can only be given as JSON: not_fast). */
bool cv_stmt_fast(struct conv *c, const struct nftnl_expr *e, const char *name)
{
	struct nlr_fstmt *st;

	/* Most expressions are loads and compares: out before five strcmp. */
	if (name[0] != 'c' && name[0] != 'n' && name[0] != 'm' && name[0] != 'r' && name[0] != 'l')
		return false;
	if (!strcmp(name, "counter")) {
		if ((st = cv_fpush(c, NLF_COUNTER, false))) {
			st->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			st->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
		}
	} else if (!strcmp(name, "nat")) {
		if (!nat(c, e))
			cv_unsupported(c);
	} else if (!strcmp(name, "masq")) {
		if (nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS) ||
		    nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_REG_PROTO_MIN))
			c->not_fast = true;
		else
			cv_fpush(c, NLF_MASQ, false);
	} else if (!strcmp(name, "reject") || !strcmp(name, "limit") || !strcmp(name, "log") ||
	           !strcmp(name, "redir")) {
		c->not_fast = true;
	} else {
		return false;
	}
	return true;
}

/* The statements as libnftables' JSON: true when e is one of them (pushed,
 * or the rule marked unsupported). */
bool cv_stmt(struct conv *c, const struct nftnl_expr *e, const char *name)
{
	if (!strcmp(name, "counter"))
		cv_push(c, nlr_obj1("counter", nlr_obj2("packets",
		                                        json_integer((json_int_t)nftnl_expr_get_u64(
		                                            e, NFTNL_EXPR_CTR_PACKETS)),
		                                        "bytes",
		                                        json_integer((json_int_t)nftnl_expr_get_u64(
		                                            e, NFTNL_EXPR_CTR_BYTES)))));
	else if (!strcmp(name, "nat"))
		cv_push(c, nat(c, e));
	else if (!strcmp(name, "masq") || !strcmp(name, "redir"))
		cv_push(c, masq_redir(c, e, name[0] == 'r'));
	else if (!strcmp(name, "reject"))
		cv_push(c, reject(c, e));
	else if (!strcmp(name, "limit"))
		cv_push(c, limit(e));
	else if (!strcmp(name, "log"))
		cv_push(c, log_stmt(e));
	else
		return false;
	return true;
}

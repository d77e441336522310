/* One rule of nfsh's table listing (nl_read.c), from libnftnl expressions.
 *
 * The rule conversion is the inverse of what libnftables 1.0.6 linearises
 * for the expressions nfsh emits, and gives the JSON its listing would give:
 * the payload dependency "meta l4proto P" is left out when the next
 * expression loads that protocol's header (as libnftables does), byte-aligned
 * prefixes are short loads, masks are bitwise expressions, a merged load of
 * adjacent fields (sport+dport, icmp type+code) is listed as two matches,
 * anonymous sets (their elements dumped before the rules) are listed inline
 * with intervals decomposed. Where libnftables' own post-processing could
 * differ from this straight reading (a dependency not directly before its
 * payload, unusual registers, concatenations, flags not known here) the
 * whole table is handed back as unsupported rather than guessed.
 * tests/integration/io_fastread.sh compares this reader with libnftables
 * rule by rule (NFSH_READ_CHECK=1).
 *
 * This file walks a rule's expressions, keeps what the loads put in the
 * registers and makes the rule; the matches are nl_read_match.c's, the
 * statements nl_read_stmt.c's (nl_read_conv.h is what the three share). */
#include "nft/nl_read_conv.h"
#include "util/strbuf.h"

#include <libnftnl/rule.h>
#include <libnftnl/udata.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next statement of a rule read without JSON, or NULL (not_fast set). */
struct nlr_fstmt *cv_fpush(struct conv *c, enum nlr_fkind kind, bool neq)
{
	struct nlr_fstmt *st;

	if (c->fast->n >= NLR_FAST_MAX) {
		c->not_fast = true;
		return NULL;
	}
	st = &c->fast->s[c->fast->n++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->neq = neq;
	return st;
}

static void stmt_remove(struct conv *c, int k)
{
	if (!c->fast) {
		json_array_remove(c->exprs, (size_t)k);
		return;
	}
	memmove(&c->fast->s[k], &c->fast->s[k + 1],
	        (size_t)(c->fast->n - k - 1) * sizeof(c->fast->s[0]));
	c->fast->n--;
}

/* An icmp or icmpv6 code as libnftables lists it: by name where its
 * table has one, else the number. */
json_t *cv_icmp_code_right(int l4, unsigned code)
{
	static const char *const v4[] = {
	    [0] = "net-unreachable",  [1] = "host-unreachable", [2] = "prot-unreachable",
	    [3] = "port-unreachable", [4] = "frag-needed",      [9] = "net-prohibited",
	    [10] = "host-prohibited", [13] = "admin-prohibited"};
	static const char *const v6[] = {
	    [0] = "no-route",         [1] = "admin-prohibited", [3] = "addr-unreachable",
	    [4] = "port-unreachable", [5] = "policy-fail",      [6] = "reject-route"};
	const char *name = NULL;

	if (l4 == 1 && code < sizeof(v4) / sizeof(v4[0]))
		name = v4[code];
	else if (l4 == 58 && code < sizeof(v6) / sizeof(v6[0]))
		name = v6[code];
	return name ? json_string_nocheck(name) : json_integer(code);
}

void cv_unsupported(struct conv *c)
{
	c->unsupported = true;
}

struct reg *cv_reg(struct conv *c, const struct nftnl_expr *e, uint16_t attr)
{
	uint32_t r;

	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	r = nftnl_expr_get_u32(e, attr);
	return r < NREGS ? &c->regs[r] : NULL;
}

void cv_push(struct conv *c, json_t *stmt)
{
	if (!stmt)
		cv_unsupported(c);
	else
		json_array_append_new(c->exprs, stmt);
}

/* o with key k set to v (stolen), or NULL (o released) when v is NULL or
 * memory runs out. json_pack would parse a format string per object: this
 * is the reader's inner loop. */
json_t *cv_put(json_t *o, const char *k, json_t *v)
{
	if (!o || !v || json_object_set_new_nocheck(o, k, v) < 0) {
		json_decref(o);
		if (!o)
			json_decref(v);
		return NULL;
	}
	return o;
}

json_t *nlr_obj1(const char *k, json_t *v)
{
	return cv_put(json_object(), k, v);
}

json_t *nlr_obj2(const char *k1, json_t *v1, const char *k2, json_t *v2)
{
	json_t *o = nlr_obj1(k1, v1);

	if (!o) {
		json_decref(v2);
		return NULL;
	}
	return cv_put(o, k2, v2);
}

static json_t *leaf_build(const char *kind, const char *a, const char *b)
{
	if (!strcmp(kind, "meta"))
		return nlr_obj1("meta", nlr_obj1("key", json_string_nocheck(a)));
	if (!strcmp(kind, "payload"))
		return nlr_obj1("payload", nlr_obj2("protocol", json_string_nocheck(a), "field",
		                                    json_string_nocheck(b)));
	if (!strcmp(kind, "ct"))
		return nlr_obj1("ct", nlr_obj1("key", json_string_nocheck(a)));
	return nlr_obj1(a, json_null()); /* "verdict": accept, drop, ... */
}

/* A new reference to the shared object kind(a, b). Every caller passes
 * string literals, so the cache compares pointers (a literal seen at two
 * addresses only costs a second entry). */
json_t *cv_leaf(struct conv *c, const char *kind, const char *a, const char *b)
{
	struct leaf_cache *lc = c->cache;
	json_t *v;

	for (int i = 0; lc && i < lc->n; i++)
		if (lc->e[i].kind == kind && lc->e[i].a == a && lc->e[i].b == b)
			return json_incref(lc->e[i].v);
	v = leaf_build(kind, a, b);
	if (v && lc && lc->n < (int)(sizeof(lc->e) / sizeof(lc->e[0]))) {
		lc->e[lc->n].kind = kind;
		lc->e[lc->n].a = a;
		lc->e[lc->n].b = b;
		lc->e[lc->n++].v = json_incref(v);
	}
	return v;
}

void nlr_leaf_cache_free(struct leaf_cache *lc)
{
	for (int i = 0; i < lc->n; i++)
		json_decref(lc->e[i].v);
	lc->n = 0;
}

static void on_immediate(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), dlen = 0;
	const void *data;

	if (dreg == NFT_REG_VERDICT) {
		if (c->fast)
			cv_fast_verdict(c, e);
		else
			cv_push(c, cv_verdict(c, e));
		return;
	}
	data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &dlen);
	if (dreg >= NREGS || !data || dlen > 16) {
		cv_unsupported(c);
		return;
	}
	c->regs[dreg] = (struct reg){.kind = R_IMM, .dlen = dlen};
	memcpy(c->regs[dreg].data, data, dlen);
}

static void on_bitwise(struct conv *c, const struct nftnl_expr *e)
{
	struct reg *s = cv_reg(c, e, NFTNL_EXPR_BITWISE_SREG);
	struct reg *d = cv_reg(c, e, NFTNL_EXPR_BITWISE_DREG);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN), mlen = 0, xlen = 0;
	const void *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	const void * xor = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xlen);

	if (!s || s != d || s->kind == R_NONE || s->kind == R_IMM || s->masked ||
	    (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL) ||
	    !mask || !xor || mlen != len || xlen != len || len > 16 ||
	    (s->kind == R_PAYLOAD ? len != s->len : len != 4)) {
		cv_unsupported(c);
		return;
	}
	s->masked = true;
	memcpy(s->mask, mask, len);
	memcpy(s->xor, xor, len);
}

static void on_meta(struct conv *c, const struct nftnl_expr *e)
{
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	struct reg *r;

	if ((r = cv_reg(c, e, NFTNL_EXPR_META_DREG))) {
		if (key != NFT_META_IIFNAME && key != NFT_META_OIFNAME && key != NFT_META_L4PROTO &&
		    key != NFT_META_MARK && key != NFT_META_SKUID && key != NFT_META_SKGID) {
			cv_unsupported(c);
			return;
		}
		*r = (struct reg){.kind = R_META, .key = key};
		return;
	}
	if (key != NFT_META_MARK) {
		cv_unsupported(c);
		return;
	}
	cv_mark_set(c, cv_reg(c, e, NFTNL_EXPR_META_SREG), R_META);
}

static void on_expr_load(struct conv *c, const struct nftnl_expr *e, const char *name)
{
	struct reg *r;

	if (!strcmp(name, "payload")) {
		r = cv_reg(c, e, NFTNL_EXPR_PAYLOAD_DREG);
		if (!r || nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) {
			cv_unsupported(c);
			return;
		}
		*r = (struct reg){.kind = R_PAYLOAD,
		                  .base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
		                  .offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
		                  .len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN)};
		if (r->base == NFT_PAYLOAD_TRANSPORT_HEADER && c->dep_index >= 0) {
			/* The dependency of this load: libnftables drops it. */
			stmt_remove(c, c->dep_index);
			c->dep_index = -1;
		}
		return;
	}
	if (!strcmp(name, "ct")) {
		uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);

		if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR) ||
		    (key != NFT_CT_STATE && key != NFT_CT_MARK)) {
			cv_unsupported(c);
			return;
		}
		if (!(r = cv_reg(c, e, NFTNL_EXPR_CT_DREG))) {
			/* ct mark set */
			if (key != NFT_CT_MARK)
				cv_unsupported(c);
			else
				cv_mark_set(c, cv_reg(c, e, NFTNL_EXPR_CT_SREG), R_CT);
			return;
		}
		*r = (struct reg){.kind = R_CT, .key = key};
		return;
	}
	if (!strcmp(name, "fib")) {
		r = cv_reg(c, e, NFTNL_EXPR_FIB_DREG);
		if (!r || nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT) != NFT_FIB_RESULT_ADDRTYPE) {
			cv_unsupported(c);
			return;
		}
		*r =
		    (struct reg){.kind = R_FIB, .key = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS)};
		return;
	}
	cv_unsupported(c);
}

static int on_expr(struct nftnl_expr *e, void *data)
{
	struct conv *c = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (c->unsupported || !name) {
		c->unsupported = true;
		return -1;
	}
	if (c->not_fast)
		return -1;
	c->nexpr++;
	if (c->range_reg && strcmp(name, "cmp")) {
		cv_unsupported(c); /* a gte without its lte right after it */
		c->stopped = name;
		return -1;
	}
	if (c->fast && cv_stmt_fast(c, e, name))
		return c->unsupported || c->not_fast ? -1 : 0;
	if (!strcmp(name, "cmp"))
		cv_cmp(c, e);
	else if (!strcmp(name, "lookup"))
		cv_lookup(c, e);
	else if (!strcmp(name, "range"))
		cv_range(c, e);
	else if (!strcmp(name, "bitwise"))
		on_bitwise(c, e);
	else if (!strcmp(name, "immediate"))
		on_immediate(c, e);
	else if (!strcmp(name, "meta"))
		on_meta(c, e);
	else if (!cv_stmt(c, e, name))
		on_expr_load(c, e, name);
	if (c->unsupported && !c->stopped)
		c->stopped = name;
	return c->unsupported ? -1 : 0;
}

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;
	uint8_t len = nftnl_udata_len(attr);
	const char *v = nftnl_udata_get(attr);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
		/* A comment is stored NUL-terminated; anything else is not ours. */
		if (len == 0 || v[len - 1] != '\0')
			return -1;
		*comment = v;
	}
	return 0;
}

/* One dumped rule as libnftables' {"rule": ...}, or NULL when unsupported. */
json_t *nlr_rule_json(struct nftnl_rule *nr, int family, struct leaf_cache *cache, json_t *anon)
{
	struct conv c = {
	    .family = family, .cache = cache, .anon = anon, .l4proto = -1, .dep_index = -1};
	const char *comment = NULL, *dq;
	json_t *rule;
	uint32_t ulen = 0;
	const void *udata = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &ulen);

	if (udata && nftnl_udata_parse(udata, ulen, comment_cb, &comment) < 0)
		return NULL;
	/* A comment libnftables would print with escapes: its path. */
	if (comment && (dq = strpbrk(comment, "\"\\")))
		return NULL;
	c.exprs = json_array();
	if (!c.exprs)
		return NULL;
	nftnl_expr_foreach(nr, on_expr, &c);
	for (int i = 0; i < NREGS; i++)
		if (c.regs[i].kind != R_NONE)
			c.unsupported = true; /* loaded and never used */
	if ((c.unsupported || json_array_size(c.exprs) == 0) && getenv("NFSH_READ_CHECK"))
		fprintf(
		    stderr,
		    "nfsh: read check: rule %llu in %s: read by libnftables (expression %d, %s)\n",
		    (unsigned long long)nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE),
		    nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN) ?: "?", c.nexpr,
		    c.stopped ? c.stopped : "end");
	if (c.unsupported || json_array_size(c.exprs) == 0) {
		json_decref(c.exprs);
		return NULL;
	}
	rule = nlr_obj2("family", json_string_nocheck(family == NFSH_IPV6 ? "ip6" : "ip"), "table",
	                json_string(nftnl_rule_get_str(nr, NFTNL_RULE_TABLE)));
	rule = cv_put(rule, "chain", json_string(nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN)));
	rule = cv_put(rule, "handle",
	              json_integer((json_int_t)nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE)));
	if (rule && comment)
		rule = cv_put(rule, "comment", json_string(comment));
	if (!rule) {
		json_decref(c.exprs);
		return NULL;
	}
	return nlr_obj1("rule", cv_put(rule, "expr", c.exprs));
}

/* The rule in nl_read.h's shapes, into f: true when it is one of them. */
bool nlr_rule_fast(struct nftnl_rule *nr, int family, struct nlr_fast *f)
{
	struct conv c = {.family = family, .l4proto = -1, .dep_index = -1, .fast = f};
	const char *comment = NULL;
	uint32_t ulen = 0;
	const void *udata = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &ulen);

	if ((udata && nftnl_udata_parse(udata, ulen, comment_cb, &comment) < 0) ||
	    (comment && strpbrk(comment, "\"\\")))
		return false;
	f->family = family;
	f->chain = nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN);
	f->comment = comment;
	f->handle = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
	f->n = 0;
	nftnl_expr_foreach(nr, on_expr, &c);
	for (int i = 0; i < NREGS; i++)
		if (c.regs[i].kind != R_NONE)
			return false;
	return f->chain && !c.unsupported && !c.not_fast && f->n > 0;
}

/* Rule model -> native nftables statements, in the order iptables-translate
 * writes them: interfaces, fragment, protocol, addresses, matches, counter,
 * target; the comment goes to the rule's comment. */
#include "util/strbuf.h"
#include "xlate/xlate.h"
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

/* As iptables-translate: a trailing + is nftables' trailing * wildcard; a literal
 * trailing * is escaped (\*); `-i +` matches every interface and emits nothing;
 * `! -i +` matches none: iifname "INVAL/D" (no interface can have a '/'). */
static bool iface_any(const struct iface_match *m)
{
	return strcmp(m->name, "+") == 0;
}

static json_t *iface_expr(const struct iface_match *m, const char *key)
{
	char name[NFSH_IFNAME_MAX + 2];
	size_t n = strlen(m->name);

	if (iface_any(m))
		return nftj_match("==", nftj_meta(key), nftj_str("INVAL/D"));
	str_copy(name, sizeof(name), m->name);
	if (n && name[n - 1] == '+')
		name[n - 1] = '*';
	else if (n && name[n - 1] == '*' && n + 1 < sizeof(name)) {
		name[n - 1] = '\\';
		name[n] = '*';
		name[n + 1] = '\0';
	}
	return nftj_match(m->invert ? "!=" : "==", nftj_meta(key), nftj_str(name));
}

static json_t *addr_expr(const struct addr_match *m, const char *field)
{
	const char *proto = m->family == NFSH_IPV6 ? "ip6" : "ip";
	int full = m->family == NFSH_IPV6 ? 128 : 32;
	char a[64], k[64];
	json_t *right;

	addr_ntop(m->family, m->addr, a, sizeof(a));
	if (m->prefix < 0) {
		addr_ntop(m->family, m->mask, k, sizeof(k));
		return nftj_match(m->invert ? "!=" : "==",
		                  nftj_binop("&", nftj_payload(proto, field), nftj_str(k)),
		                  nftj_str(a));
	}
	right = m->prefix == full ? nftj_str(a) : nftj_prefix(a, m->prefix);
	return nftj_match(m->invert ? "!=" : "==", nftj_payload(proto, field), right);
}

static bool addr_is_any(const struct addr_match *m)
{
	return !m->set || (m->prefix == 0 && !m->invert);
}

static json_t *proto_expr(const struct rule *r)
{
	json_t *left =
	    r->family == NFSH_IPV6 ? nftj_meta("l4proto") : nftj_payload("ip", "protocol");

	return nftj_match(r->proto_invert ? "!=" : "==", left, nftj_int(r->proto));
}

/* A bounded writer that counts what it could not write, as snprintf does,
 * without snprintf: xlate_comment runs for every rule of a restore. */
struct cwriter {
	char *out;
	size_t len, n; /* n: the whole length so far */
};

static void cw_put(struct cwriter *w, const char *text)
{
	size_t k = strlen(text);

	if (w->n + 1 < w->len)
		memcpy(w->out + w->n, text, w->n + k < w->len ? k : w->len - 1 - w->n);
	w->n += k;
}

static void cw_num(struct cwriter *w, unsigned v)
{
	char d[12];
	int i = (int)sizeof(d) - 1;

	d[i] = '\0';
	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	cw_put(w, d + i);
}

/* The separator before a tag entry: the prefix before the first. */
static void cw_sep(struct cwriter *w, bool *first)
{
	cw_put(w, *first ? NFSH_TAG_PREFIX : " ");
	*first = false;
}

/* The form tag: names of alias extensions (state for conntrack, ...), in order,
 * so read-back can print the rule the way it was written. */
static void form_tag(const struct rule *r, const bool *kept, const char *target_form,
                     struct cwriter *w)
{
	bool first = true;

	for (int k = 0; k < r->nmatches; k++) {
		if (!r->matches[k].ext->alias_of)
			continue;
		cw_put(w, first ? NFSH_TAG_PREFIX "m=" : ",");
		cw_put(w, r->matches[k].ext->name);
		first = false;
	}
	/* The comment is no statement, so read-back cannot see where -m comment
	 * stood: keep its position when it was not the last match. */
	for (int k = 0; k + 1 < r->nmatches; k++)
		if (strcmp(r->matches[k].ext->name, "comment") == 0) {
			cw_sep(w, &first);
			cw_put(w, "c=");
			cw_num(w, (unsigned)k);
		}
	if (r->target_kind == TGT_EXT && (r->target.ext->alias_of || target_form)) {
		cw_sep(w, &first);
		cw_put(w, "j=");
		cw_put(w, r->target.ext->name);
		if (!r->target.ext->alias_of && target_form[0]) {
			cw_put(w, ":");
			cw_put(w, target_form);
		}
	}
	/* "i=NAME:K": match K emitted only what reads back as generic (-p tcp -m tcp
	 * is meta l4proto tcp); read-back puts an empty instance there again. */
	for (int k = 0; k < r->nmatches; k++)
		if (kept[k]) {
			cw_sep(w, &first);
			cw_put(w, "i=");
			cw_put(w, r->matches[k].ext->name);
			cw_put(w, ":");
			cw_num(w, (unsigned)k);
		}
}

size_t xlate_comment(const struct rule *r, const bool *kept, const char *target_form,
                     const char *user, char *out, size_t outlen)
{
	struct cwriter w = {.out = out, .len = outlen};
	size_t tag;

	cw_put(&w, user);
	if (user[0])
		cw_put(&w, " ;");
	tag = w.n;
	form_tag(r, kept, target_form, &w);
	/* A user comment that itself looks like a tag ("nfsh:m=state", "a ;nfsh:x")
	 * gets an empty tag after it, so read-back, which takes the last " ;nfsh:",
	 * gives the user's text back whole instead of taking it for ours. */
	if (user[0] && w.n == tag &&
	    (strncmp(user, NFSH_TAG_PREFIX, strlen(NFSH_TAG_PREFIX)) == 0 ||
	     strstr(user, " ;" NFSH_TAG_PREFIX)))
		cw_put(&w, NFSH_TAG_PREFIX);
	if (user[0] && w.n == tag)
		w.n -= 2; /* no tag: no " ;" */
	if (outlen)
		out[w.n < outlen ? w.n : outlen - 1] = '\0';
	return w.n;
}

static int emit_target(const struct rule *r, struct emit_ctx *x)
{
	switch (r->target_kind) {
	case TGT_ACCEPT:
		return ext_emit(x, nftj_verdict("accept"));
	case TGT_DROP:
		return ext_emit(x, nftj_verdict("drop"));
	case TGT_RETURN:
		return ext_emit(x, nftj_verdict("return"));
	case TGT_JUMP:
		return ext_emit(x, nftj_jump("jump", r->jump));
	case TGT_GOTO:
		return ext_emit(x, nftj_jump("goto", r->jump));
	case TGT_EXT:
		return r->target.ext->emit ? r->target.ext->emit(x, r->target.priv) : 0;
	default:
		return 0;
	}
}

/* Does a match named after the protocol (tcp for -p tcp) emit statements that
 * already imply it? Then the explicit protocol test is left out, as
 * iptables-translate does. */
static bool proto_implied(const struct rule *r, json_t *match_exprs, const int *first, int n)
{
	for (int k = 0; k < n; k++) {
		const struct ext *x = r->matches[k].ext;
		int cnt = first[k + 1] - first[k];

		if (x->implicit_proto && x->implicit_proto == r->proto && cnt > 0)
			return true;
	}
	(void)match_exprs;
	return false;
}

/* A transport header's port test "PROTO sport|dport != VALUE"? *proto: its
 * protocol. */
static bool port_neq(json_t *stmt, const char **proto, json_t **right)
{
	const char *op, *field;
	json_t *left;

	return nftj_get_match(stmt, &op, &left, right) && !strcmp(op, "!=") &&
	       nftj_is_payload(left, proto, &field) &&
	       (!strcmp(field, "sport") || !strcmp(field, "dport")) && json_is_integer(*right);
}

/* libnftables 1.0.6 merges the payload tests of one rule that compare
 * adjacent fields with the same operator into one load and compare, also
 * for "!=": "tcp sport != 80 tcp dport != 22" becomes one 4-byte "cmp neq",
 * true when either port differs, where iptables' "! --sport 80 ! --dport 22"
 * wants both to differ (measured with packets; iptables-nft 1.8.9 applies it
 * the same wrong way). A range is never merged: the later of two such tests
 * of one protocol is written as the one-port range VALUE-VALUE, which the
 * kernel tests as "range neq" and the readers take back as one port. */
static void keep_port_neqs_apart(json_t *exprs)
{
	const char *seen = NULL, *proto;
	size_t i;
	json_t *stmt, *right;

	json_array_foreach(exprs, i, stmt)
	{
		if (!port_neq(stmt, &proto, &right))
			continue;
		if (!seen) {
			seen = proto;
			continue;
		}
		if (!strcmp(seen, proto)) {
			json_t *m = json_object_get(stmt, "match");

			nftj_put(m, "right", nftj_range(json_incref(right), json_incref(right)));
		}
	}
}

int xlate_rule_exprs(const struct rule *r, struct ext_decls *decls, json_t **exprs_out,
                     char *comment, size_t commentlen, struct nfsh_err *e)
{
	json_t *exprs = nftj_array(), *mexprs = nftj_array();
	struct emit_ctx x = {.family = r->family,
	                     .table = r->table,
	                     .rule = r,
	                     .exprs = mexprs,
	                     .err = e,
	                     .decls = decls};
	int first[NFSH_MAX_MATCHES + 1];
	bool kept[NFSH_MAX_MATCHES] = {false};
	size_t i, n;
	json_t *v;

	for (int k = 0; k < r->nmatches; k++) {
		first[k] = (int)json_array_size(mexprs);
		x.keep_name = false;
		if (r->matches[k].ext->emit && r->matches[k].ext->emit(&x, r->matches[k].priv) < 0)
			goto fail;
		kept[k] = x.keep_name;
	}
	first[r->nmatches] = (int)json_array_size(mexprs);

	if (r->in.set && !(iface_any(&r->in) && !r->in.invert))
		nftj_push(exprs, iface_expr(&r->in, "iifname"));
	if (r->out.set && !(iface_any(&r->out) && !r->out.invert))
		nftj_push(exprs, iface_expr(&r->out, "oifname"));
	if (r->frag_set)
		nftj_push(exprs, nftj_match(r->frag_invert ? "==" : "!=",
		                            nftj_binop("&", nftj_payload("ip", "frag-off"),
		                                       nftj_int(0x1fff)),
		                            nftj_int(0)));
	if (r->proto_set && (r->proto || r->proto_invert) &&
	    !proto_implied(r, mexprs, first, r->nmatches))
		nftj_push(exprs, proto_expr(r));
	if (!addr_is_any(&r->src))
		nftj_push(exprs, addr_expr(&r->src, "saddr"));
	if (!addr_is_any(&r->dst))
		nftj_push(exprs, addr_expr(&r->dst, "daddr"));
	json_array_foreach(mexprs, i, v) nftj_push(exprs, json_incref(v));
	json_decref(mexprs);
	mexprs = NULL;
	keep_port_neqs_apart(exprs);

	nftj_push(exprs, nftj_counter(r->counters_set, r->packets, r->bytes));
	x.exprs = exprs;
	if (emit_target(r, &x) < 0)
		goto fail;

	n = xlate_comment(r, kept, x.target_form, x.comment, comment, commentlen);
	/* The kernel keeps at most 253 characters of rule comment (measured). */
	if (n > NFSH_NFT_COMMENT_MAX) {
		err_set(
		    e, NFSH_EPARAM, x.comment,
		    "comment too long: with nfsh's form tag it needs %zu of the %d characters an "
		    "nftables rule comment holds",
		    n, NFSH_NFT_COMMENT_MAX);
		err_hint(e, "shorten the comment");
		json_decref(exprs);
		return -1;
	}
	*exprs_out = exprs;
	return 0;
fail:
	json_decref(mexprs);
	json_decref(exprs);
	if (!e->status)
		err_set(e, NFSH_EPARAM, NULL, "cannot translate this rule");
	return -1;
}

json_t *xlate_rule_decls(const struct rule *r, struct ext_decls *decls, struct nfsh_err *e)
{
	json_t *exprs, *o;
	char comment[NFSH_COMMENT_MAX + 64];

	if (xlate_rule_exprs(r, decls, &exprs, comment, sizeof(comment), e) < 0)
		return NULL;
	o = nftj_object();
	nftj_put_str(o, "family", family_nft_name(r->family));
	nftj_put_str(o, "table", table_by_id(r->table)->nftname);
	nftj_put_str(o, "chain", r->chain);
	nftj_put(o, "expr", exprs);
	if (comment[0])
		nftj_put_str(o, "comment", comment);
	return o;
}

json_t *xlate_rule(const struct rule *r, struct nfsh_err *e)
{
	return xlate_rule_decls(r, NULL, e);
}

int xlate_rule_release(const struct rule *r, struct ext_decls *decls, struct nfsh_err *e)
{
	struct emit_ctx x = {
	    .family = r->family, .table = r->table, .rule = r, .err = e, .decls = decls};

	for (int k = 0; k < r->nmatches; k++) {
		const struct ext *m = r->matches[k].ext;

		if (m->release && m->release(&x, r->matches[k].priv) < 0)
			return -1;
	}
	return 0;
}

/* IPv6 extension-header expressions (exthdr.h). */
#include "ext/exthdr.h"
#include "nft/json.h"

#include <string.h>

json_t *xh_left(const char *name, const char *field)
{
	json_t *b = nftj_object();

	nftj_put_str(b, "name", name);
	if (field)
		nftj_put_str(b, "field", field);
	return nftj_put(nftj_object(), "exthdr", b);
}

json_t *xh_exists(const char *name, bool present)
{
	return nftj_match("==", xh_left(name, NULL), nftj_bool(present));
}

bool xh_is(json_t *left, const char *name, const char *field)
{
	json_t *b = json_object_get(left, "exthdr");
	const char *n = json_string_value(json_object_get(b, "name"));
	const char *f = json_string_value(json_object_get(b, "field"));

	if (!b || !n || strcmp(n, name))
		return false;
	if (!field)
		return !f;
	return f && !strcmp(f, field);
}

bool xh_read_exists(json_t *stmt, const char *name)
{
	const char *op;
	json_t *left, *right;

	return nftj_get_match(stmt, &op, &left, &right) && !strcmp(op, "==") &&
	       xh_is(left, name, NULL) && json_is_true(right);
}

static bool get_num(json_t *v, uint32_t max, uint32_t *out)
{
	long long n;

	if (!nftj_get_int(v, &n) || n < 0 || n > (long long)max)
		return false;
	*out = (uint32_t)n;
	return true;
}

bool xh_read_range(json_t *stmt, const char *name, const char *field, uint32_t max,
                   struct idrange *m)
{
	const char *op;
	json_t *left, *right, *a, *b;
	struct idrange t = {true, false, 0, 0};

	if (m->set || !nftj_get_match(stmt, &op, &left, &right) || !xh_is(left, name, field) ||
	    (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	if (get_num(right, max, &t.lo))
		t.hi = t.lo;
	else if (!nftj_get_range(right, &a, &b) || !get_num(a, max, &t.lo) ||
	         !get_num(b, max, &t.hi) || t.lo > t.hi)
		return false;
	t.invert = op[0] == '!';
	*m = t;
	return true;
}

bool xh_read_eq(json_t *stmt, const char *name, const char *field, uint32_t max, uint32_t *v)
{
	const char *op;
	json_t *left, *right;

	return nftj_get_match(stmt, &op, &left, &right) && !strcmp(op, "==") &&
	       xh_is(left, name, field) && get_num(right, max, v);
}

int xh_len_parse(struct idrange *m, bool invert, const char *arg, const char *opt,
                 struct nfsh_err *e)
{
	struct idrange t = {0};

	if (strchr(arg, ':'))
		return err_set(e, NFSH_EPARAM, arg, "invalid --%s \"%s\": one length in bytes", opt,
		               arg);
	if (idrange_parse(&t, invert, arg, UINT32_MAX, opt, e) < 0)
		return -1;
	if (t.lo < 8 || t.lo % 8 || t.lo / 8 - 1 > 255) {
		err_set(
		    e, NFSH_EPARAM, arg,
		    "--%s %s can never match: the kernel compares the header's length in bytes, "
		    "a multiple of 8 from 8 to 2048",
		    opt, arg);
		err_hint(e, "e.g. --%s %u", opt, t.lo < 8 ? 8 : (t.lo + 7) / 8 * 8);
		return -1;
	}
	m->set = true;
	m->invert = invert;
	m->lo = m->hi = t.lo / 8 - 1; /* the raw field */
	return 0;
}

int optshdr_parse(const char *name, struct optshdr_priv *p, bool is_opts, bool invert,
                  const char *arg, struct nfsh_err *e)
{
	char opt[16];

	snprintf(opt, sizeof(opt), "%s-%s", name, is_opts ? "opts" : "len");
	if (is_opts) {
		err_set(e, NFSH_EPARAM, arg,
		        "--%s has no native nftables form: nft cannot test the options inside a "
		        "%s header",
		        opt, name);
		err_hint(e, "match the header with -m %s, or its length with --%s-len", name, name);
		return -1;
	}
	return xh_len_parse(&p->len, invert, arg, opt, e);
}

int optshdr_emit(const char *name, struct emit_ctx *x, const struct optshdr_priv *p)
{
	if (!p->len.set)
		return ext_emit(x, xh_exists(name, true));
	return ext_emit(x, idrange_expr(xh_left(name, "hdrlength"), &p->len));
}

int optshdr_recognise(const char *name, struct read_ctx *r, struct optshdr_priv *p)
{
	json_t *s = read_peek(r, 0);

	if (!xh_read_exists(s, name) && !xh_read_range(s, name, "hdrlength", 255, &p->len))
		return 0;
	if (p->len.set && p->len.lo != p->len.hi) {
		p->len.set = false;
		return 0;
	}
	read_take(r, 1);
	return 1;
}

void optshdr_save(const char *name, const struct optshdr_priv *p, struct strbuf *sb)
{
	if (p->len.set)
		sb_addf(sb, "%s --%s-len %u", p->len.invert ? " !" : "", name, (p->len.lo + 1) * 8);
}

void optshdr_list(const char *label, const struct optshdr_priv *p, struct strbuf *sb)
{
	sb_add(sb, label);
	if (p->len.set)
		sb_addf(sb, " length:%s%u", p->len.invert ? "!" : "", (p->len.lo + 1) * 8);
}

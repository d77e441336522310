#include "nft/json.h"

#include <stdlib.h>
#include <string.h>

json_t *nftj_str(const char *s)
{
	return json_string(s);
}

json_t *nftj_int(long long v)
{
	return json_integer(v);
}

json_t *nftj_bool(bool v)
{
	return json_boolean(v);
}

json_t *nftj_array(void)
{
	return json_array();
}

json_t *nftj_object(void)
{
	return json_object();
}

json_t *nftj_push(json_t *a, json_t *v)
{
	if (!a || !v) {
		json_decref(v);
		return a;
	}
	json_array_append_new(a, v);
	return a;
}

json_t *nftj_put(json_t *o, const char *key, json_t *v)
{
	if (!o || !v) {
		json_decref(v);
		return o;
	}
	json_object_set_new(o, key, v);
	return o;
}

void nftj_put_str(json_t *o, const char *key, const char *s)
{
	nftj_put(o, key, json_string(s));
}

void nftj_put_int(json_t *o, const char *key, long long v)
{
	nftj_put(o, key, json_integer(v));
}

/* {"name": body} with body stolen. */
static json_t *wrap(const char *name, json_t *body)
{
	json_t *o = json_object();

	if (!body)
		body = json_null();
	json_object_set_new(o, name, body);
	return o;
}

json_t *nftj_ct(const char *key, const char *dir)
{
	json_t *b = json_object();

	json_object_set_new(b, "key", json_string(key));
	if (dir)
		json_object_set_new(b, "dir", json_string(dir));
	return wrap("ct", b);
}

json_t *nftj_payload(const char *proto, const char *field)
{
	json_t *b = json_object();

	json_object_set_new(b, "protocol", json_string(proto));
	json_object_set_new(b, "field", json_string(field));
	return wrap("payload", b);
}

json_t *nftj_meta(const char *key)
{
	json_t *b = json_object();

	json_object_set_new(b, "key", json_string(key));
	return wrap("meta", b);
}

json_t *nftj_prefix(const char *addr, int len)
{
	json_t *b = json_object();

	json_object_set_new(b, "addr", json_string(addr));
	json_object_set_new(b, "len", json_integer(len));
	return wrap("prefix", b);
}

json_t *nftj_range(json_t *lo, json_t *hi)
{
	json_t *a;

	if (!lo || !hi) {
		json_decref(lo);
		json_decref(hi);
		return NULL;
	}
	a = json_array();
	json_array_append_new(a, lo);
	json_array_append_new(a, hi);
	return wrap("range", a);
}

json_t *nftj_set(json_t *elems)
{
	if (!elems)
		return NULL;
	return wrap("set", elems);
}

json_t *nftj_binop(const char *op, json_t *l, json_t *r)
{
	json_t *a;

	if (!l || !r) {
		json_decref(l);
		json_decref(r);
		return NULL;
	}
	a = json_array();
	json_array_append_new(a, l);
	json_array_append_new(a, r);
	return wrap(op, a);
}

json_t *nftj_match(const char *op, json_t *left, json_t *right)
{
	json_t *b;

	if (!left || !right) {
		json_decref(left);
		json_decref(right);
		return NULL;
	}
	b = json_object();
	json_object_set_new(b, "op", json_string(op));
	json_object_set_new(b, "left", left);
	json_object_set_new(b, "right", right);
	return wrap("match", b);
}

json_t *nftj_stmt(const char *name, json_t *body)
{
	return wrap(name, body);
}

json_t *nftj_counter(bool with_values, uint64_t packets, uint64_t bytes)
{
	json_t *b;

	/* {"counter": {}} is rejected by libnftables 1.0.6; null means "new counter". */
	if (!with_values)
		return wrap("counter", NULL);
	b = json_object();
	json_object_set_new(b, "packets", json_integer((json_int_t)packets));
	json_object_set_new(b, "bytes", json_integer((json_int_t)bytes));
	return wrap("counter", b);
}

json_t *nftj_verdict(const char *verdict)
{
	return wrap(verdict, NULL);
}

json_t *nftj_jump(const char *kind, const char *target)
{
	json_t *b = json_object();

	json_object_set_new(b, "target", json_string(target));
	return wrap(kind, b);
}

const char *nftj_stmt_name(json_t *stmt, json_t **body)
{
	const char *key;
	json_t *val;

	if (!json_is_object(stmt) || json_object_size(stmt) != 1)
		return NULL;
	json_object_foreach(stmt, key, val)
	{
		if (body)
			*body = val;
		return key;
	}
	return NULL;
}

bool nftj_get_match(json_t *stmt, const char **op, json_t **left, json_t **right)
{
	json_t *b = json_object_get(stmt, "match");
	json_t *o, *l, *r;

	if (!json_is_object(b))
		return false;
	o = json_object_get(b, "op");
	l = json_object_get(b, "left");
	r = json_object_get(b, "right");
	if (!json_is_string(o) || !l || !r)
		return false;
	*op = json_string_value(o);
	*left = l;
	*right = r;
	return true;
}

bool nftj_is_ct(json_t *left, const char **key, const char **dir)
{
	json_t *b = json_object_get(left, "ct");
	json_t *k;

	if (!json_is_object(b))
		return false;
	k = json_object_get(b, "key");
	if (!json_is_string(k))
		return false;
	*key = json_string_value(k);
	if (dir)
		*dir = json_string_value(json_object_get(b, "dir"));
	return true;
}

bool nftj_is_payload(json_t *left, const char **proto, const char **field)
{
	json_t *b = json_object_get(left, "payload");
	json_t *p, *f;

	if (!json_is_object(b))
		return false;
	p = json_object_get(b, "protocol");
	f = json_object_get(b, "field");
	if (!json_is_string(p) || !json_is_string(f))
		return false;
	*proto = json_string_value(p);
	*field = json_string_value(f);
	return true;
}

bool nftj_is_meta(json_t *left, const char **key)
{
	json_t *b = json_object_get(left, "meta");
	json_t *k;

	if (!json_is_object(b))
		return false;
	k = json_object_get(b, "key");
	if (!json_is_string(k))
		return false;
	*key = json_string_value(k);
	return true;
}

bool nftj_get_prefix(json_t *v, const char **addr, int *len)
{
	json_t *b = json_object_get(v, "prefix");
	json_t *a, *l;

	if (!json_is_object(b))
		return false;
	a = json_object_get(b, "addr");
	l = json_object_get(b, "len");
	if (!json_is_string(a) || !json_is_integer(l))
		return false;
	*addr = json_string_value(a);
	*len = (int)json_integer_value(l);
	return true;
}

bool nftj_get_range(json_t *v, json_t **lo, json_t **hi)
{
	json_t *a = json_object_get(v, "range");

	if (!json_is_array(a) || json_array_size(a) != 2)
		return false;
	*lo = json_array_get(a, 0);
	*hi = json_array_get(a, 1);
	return true;
}

json_t *nftj_get_set(json_t *v)
{
	json_t *a = json_object_get(v, "set");

	return json_is_array(a) ? a : NULL;
}

bool nftj_get_int(json_t *v, long long *out)
{
	const char *s;
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	if (!*s)
		return false;
	*out = strtoll(s, &end, 0);
	return *end == '\0';
}

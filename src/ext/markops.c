/* Mark arithmetic shared by MARK and CONNMARK. The kernel's bitwise expression
 * is new = (old & mask) ^ xor; nft lists it as "&", "|", "^" chains. Folding
 * those back through the identities
 *   ((c & m) ^ x) & k = (c & (m & k)) ^ (x & k)
 *   ((c & m) ^ x) | k = (c & (m & ~k)) ^ (x | k)
 *   ((c & m) ^ x) ^ k = (c & m) ^ (x ^ k)
 * recovers iptables' (value, mask) from whatever form the listing uses. */
#include "ext/markops.h"
#include "nft/json.h"

#include <string.h>

json_t *markop_key(enum mark_key k)
{
	return k == MK_CT ? nftj_ct("mark", NULL) : nftj_meta("mark");
}

enum markop_form markop_form(uint32_t value, uint32_t mask)
{
	if (mask == 0xffffffffu)
		return MF_VALUE;
	if (value == 0)
		return MF_AND;
	if (value == mask)
		return MF_OR;
	if (mask == 0)
		return MF_XOR;
	return MF_AND_XOR;
}

json_t *markop_value(enum mark_key k, uint32_t value, uint32_t mask)
{
	switch (markop_form(value, mask)) {
	case MF_VALUE:
		return nftj_int(value);
	case MF_AND:
		return nftj_binop("&", markop_key(k), nftj_int((uint32_t)~mask));
	case MF_OR:
		return nftj_binop("|", markop_key(k), nftj_int(value));
	case MF_XOR:
		return nftj_binop("^", markop_key(k), nftj_int(value));
	case MF_AND_XOR:
		break;
	}
	return nftj_binop("^", nftj_binop("&", markop_key(k), nftj_int((uint32_t)~mask)),
	                  nftj_int(value));
}

json_t *markop_set(enum mark_key dst, json_t *v)
{
	json_t *body;

	if (!v)
		return NULL;
	body = nftj_object();
	nftj_put(body, "key", markop_key(dst));
	nftj_put(body, "value", v);
	return nftj_stmt("mangle", body);
}

static bool is_key(json_t *e, enum mark_key k)
{
	const char *key, *dir = NULL;

	if (k == MK_CT)
		return nftj_is_ct(e, &key, &dir) && strcmp(key, "mark") == 0 && !dir;
	return nftj_is_meta(e, &key) && strcmp(key, "mark") == 0;
}

bool markop_is_set(json_t *stmt, enum mark_key dst, json_t **value)
{
	json_t *body;
	const char *name = nftj_stmt_name(stmt, &body);

	if (!name || strcmp(name, "mangle") || !json_is_object(body))
		return false;
	if (!is_key(json_object_get(body, "key"), dst))
		return false;
	*value = json_object_get(body, "value");
	return *value != NULL;
}

static bool u32(json_t *v, uint32_t *out)
{
	long long x;

	if (!nftj_get_int(v, &x) || x < 0 || x > 0xffffffffll)
		return false;
	*out = (uint32_t)x;
	return true;
}

bool markop_fold(json_t *v, enum mark_key src, uint32_t *keep, uint32_t *x)
{
	static const char *const ops[] = {"&", "|", "^"};
	uint32_t k;

	if (u32(v, x)) {
		*keep = 0;
		return true;
	}
	if (is_key(v, src)) {
		*keep = 0xffffffffu;
		*x = 0;
		return true;
	}
	for (int i = 0; i < 3; i++) {
		json_t *args = json_object_get(v, ops[i]);

		if (!json_is_array(args) || json_array_size(args) != 2)
			continue;
		if (!markop_fold(json_array_get(args, 0), src, keep, x) ||
		    !u32(json_array_get(args, 1), &k))
			return false;
		if (i == 0) {
			*keep &= k;
			*x &= k;
		} else if (i == 1) {
			*keep &= ~k;
			*x |= k;
		} else {
			*x ^= k;
		}
		return true;
	}
	return false;
}

bool markop_uses(json_t *v, enum mark_key src)
{
	static const char *const ops[] = {"&", "|", "^"};

	if (is_key(v, src))
		return true;
	for (int i = 0; i < 3; i++) {
		json_t *args = json_object_get(v, ops[i]);

		if (json_is_array(args) && json_array_size(args) == 2)
			return markop_uses(json_array_get(args, 0), src);
	}
	return false;
}

int markop_parse(const char *arg, bool allow_mask, uint32_t def_mask, uint32_t *value,
                 uint32_t *mask, const char *what, struct nfsh_err *e)
{
	char buf[64], *slash;
	unsigned long long v, m = def_mask;

	if (strlen(arg) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		if (!allow_mask)
			goto bad;
		*slash++ = '\0';
		if (parse_uint(slash, 0xffffffffull, &m) < 0)
			goto bad;
	}
	if (parse_uint(buf, 0xffffffffull, &v) < 0)
		goto bad;
	*value = (uint32_t)v;
	*mask = (uint32_t)m;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "invalid %s \"%s\"", what, arg);
	err_hint(e, allow_mask ? "VALUE[/MASK], numbers 0-0xffffffff" : "a number 0-0xffffffff");
	return -1;
}

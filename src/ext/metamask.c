/* meta KEY [& MASK] ==|!= VALUE (metamask.h). */
#include "ext/metamask.h"
#include "nft/json.h"

#include <string.h>

json_t *metamask_expr(const char *key, const struct metamask *m)
{
	json_t *left = nftj_meta(key);

	if (m->mask != UINT32_MAX)
		left = nftj_binop("&", left, nftj_int(m->mask));
	return nftj_match(m->invert ? "!=" : "==", left, nftj_int(m->value));
}

/* A number, or the numeric string libnftables lists rtclassid values as. */
static bool get_u32(json_t *v, uint32_t *out)
{
	long long n;

	if (!nftj_get_int(v, &n) || n < 0 || n > UINT32_MAX)
		return false;
	*out = (uint32_t)n;
	return true;
}

/* A contiguous mask is listed as a prefix: {"prefix": {"addr": V, "len": L}}. */
static bool read_prefix(json_t *right, uint32_t *value, uint32_t *mask)
{
	json_t *pf = json_object_get(right, "prefix");
	long long len;

	if (!get_u32(json_object_get(pf, "addr"), value) ||
	    !nftj_get_int(json_object_get(pf, "len"), &len) || len < 0 || len > 32)
		return false;
	*mask = len ? (uint32_t)(0xffffffffu << (32 - len)) : 0;
	return true;
}

bool metamask_read(json_t *stmt, const char *key, struct metamask *m)
{
	const char *op, *k;
	json_t *left, *right, *bin;
	struct metamask t = {true, false, 0, UINT32_MAX};

	if (m->set || !nftj_get_match(stmt, &op, &left, &right) ||
	    (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	bin = json_object_get(left, "&");
	if (bin) {
		if (!json_is_array(bin) || json_array_size(bin) != 2 ||
		    !get_u32(json_array_get(bin, 1), &t.mask))
			return false;
		left = json_array_get(bin, 0);
	}
	if (!nftj_is_meta(left, &k) || strcmp(k, key) ||
	    (!get_u32(right, &t.value) && (bin || !read_prefix(right, &t.value, &t.mask))))
		return false;
	t.invert = op[0] == '!';
	*m = t;
	return true;
}

void metamask_save(const struct metamask *m, const char *opt, struct strbuf *sb)
{
	if (!m->set)
		return;
	sb_addf(sb, "%s --%s 0x%x", m->invert ? " !" : "", opt, m->value);
	if (m->mask != UINT32_MAX)
		sb_addf(sb, "/0x%x", m->mask);
}

/* Header field values and ranges for esp, ah, ipcomp and friends (idrange.h). */
#include "ext/idrange.h"
#include "nft/json.h"

#include <string.h>

int idrange_parse(struct idrange *m, bool invert, const char *arg, uint32_t max, const char *opt,
                  struct nfsh_err *e)
{
	unsigned long long lo, hi;

	if (m->set)
		return err_set(e, NFSH_EPARAM, arg, "--%s given twice", opt);
	/* parse_range also takes A-B; iptables' spi ranges are A:B only, and a
	 * leading '-' is a negative number it refuses. */
	if (strchr(arg, '-') || parse_range(arg, max, &lo, &hi) < 0) {
		err_set(e, NFSH_EPARAM, arg, "invalid --%s \"%s\"", opt, arg);
		err_hint(
		    e,
		    "a number 0-%u, or a range FIRST:LAST (either may be left out, FIRST <= LAST)",
		    max);
		return -1;
	}
	m->lo = (uint32_t)lo;
	m->hi = (uint32_t)hi;
	m->set = true;
	m->invert = invert;
	return 0;
}

bool idrange_full(const struct idrange *m, uint32_t max)
{
	return m->set && !m->invert && m->lo == 0 && m->hi == max;
}

json_t *idrange_expr(json_t *left, const struct idrange *m)
{
	json_t *v = m->lo == m->hi ? nftj_int(m->lo) : nftj_range(nftj_int(m->lo), nftj_int(m->hi));

	return nftj_match(m->invert ? "!=" : "==", left, v);
}

bool idrange_read(json_t *stmt, const char *proto, const char *field, uint32_t max,
                  struct idrange *m)
{
	const char *op, *p, *f;
	json_t *left, *right, *a, *b;
	long long lo, hi;

	if (m->set || !nftj_get_match(stmt, &op, &left, &right) || !nftj_is_payload(left, &p, &f) ||
	    strcmp(p, proto) || strcmp(f, field) || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	if (nftj_get_int(right, &lo))
		hi = lo;
	else if (!nftj_get_range(right, &a, &b) || !nftj_get_int(a, &lo) || !nftj_get_int(b, &hi))
		return false;
	if (lo < 0 || hi > (long long)max || lo > hi)
		return false;
	m->set = true;
	m->invert = op[0] == '!';
	m->lo = (uint32_t)lo;
	m->hi = (uint32_t)hi;
	return true;
}

void idrange_save(const struct idrange *m, const char *opt, struct strbuf *sb)
{
	if (!m->set)
		return;
	sb_addf(sb, "%s --%s %u", m->invert ? " !" : "", opt, m->lo);
	if (m->hi != m->lo)
		sb_addf(sb, ":%u", m->hi);
}

void idrange_list(const struct idrange *m, const char *name, struct strbuf *sb)
{
	if (!m->set)
		return;
	if (m->lo == m->hi)
		sb_addf(sb, " %s:%s%u", name, m->invert ? "!" : "", m->lo);
	else
		sb_addf(sb, " %ss:%s%u:%u", name, m->invert ? "!" : "", m->lo, m->hi);
}

/* -m quota [!] --quota BYTES: nft's quota statement, "quota [over] N bytes".
 * The kernel's nft quota is a signed 64-bit count (larger values are
 * EOVERFLOW), so iptables' values above 2^63-1 are refused. The listing may
 * show the quota in kbytes/mbytes/gbytes; it is read back in bytes. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

#define QUOTA_MAX 0x7fffffffffffffffull

struct quota_priv {
	bool given, invert;
	uint64_t bytes;
};

static const struct ext_opt quota_opts[] = {
    {"quota", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "BYTES",
     "match until BYTES were seen (! : once they were)"},
};

static int quota_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct quota_priv *p = priv;
	unsigned long long v;

	(void)c;
	(void)opt;
	if (args[0][0] == '-' || parse_uint(args[0], ~0ull, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --quota \"%s\"", args[0]);
		err_hint(e, "a byte count 0-%llu", QUOTA_MAX);
		return -1;
	}
	if (v > QUOTA_MAX) {
		err_set(
		    e, NFSH_EPARAM, args[0],
		    "--quota %s is beyond what the kernel can hold: an nftables quota is at most "
		    "%llu bytes",
		    args[0], QUOTA_MAX);
		err_hint(e, "a byte count 0-%llu", QUOTA_MAX);
		return -1;
	}
	p->bytes = v;
	p->invert = invert;
	p->given = true;
	return 0;
}

static int quota_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct quota_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "quota", "-m quota needs --quota BYTES");
	err_hint(e, "e.g. -m quota --quota 1000000");
	return -1;
}

static int quota_emit(struct emit_ctx *x, const void *priv)
{
	const struct quota_priv *p = priv;
	json_t *b = nftj_object();

	nftj_put_int(b, "val", (long long)p->bytes);
	nftj_put_str(b, "val_unit", "bytes");
	if (p->invert)
		nftj_put(b, "inv", nftj_bool(true));
	return ext_emit(x, nftj_stmt("quota", b));
}

static int quota_recognise(struct read_ctx *r, void *priv)
{
	static const struct {
		const char *name;
		unsigned shift;
	} units[] = {{"bytes", 0}, {"kbytes", 10}, {"mbytes", 20}, {"gbytes", 30}};
	struct quota_priv *p = priv;
	json_t *body, *stmt = read_peek(r, 0);
	const char *name = stmt ? nftj_stmt_name(stmt, &body) : NULL;
	const char *unit;
	long long val;
	size_t u;

	if (!name || strcmp(name, "quota") || !json_is_object(body) ||
	    !nftj_get_int(json_object_get(body, "val"), &val) || val < 0)
		return 0;
	unit = json_string_value(json_object_get(body, "val_unit"));
	for (u = 0; u < 4; u++)
		if (strcmp(unit ? unit : "bytes", units[u].name) == 0)
			break;
	if (u == 4 || (unsigned long long)val > (QUOTA_MAX >> units[u].shift))
		return 0;
	p->bytes = (uint64_t)val << units[u].shift;
	p->invert = json_is_true(json_object_get(body, "inv"));
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void quota_save(const void *priv, int family, struct strbuf *sb)
{
	const struct quota_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --quota %llu", p->invert ? " !" : "", (unsigned long long)p->bytes);
}

static void quota_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct quota_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "%squota: %llu bytes", p->invert ? "! " : "", (unsigned long long)p->bytes);
}

const struct ext ext_quota = {
    .name = "quota",
    .type = EXT_MATCH,
    .help = "match until a byte quota is used up (nft quota)",
    .families = NFSH_F_ANY,
    .opts = quota_opts,
    .nopts = 1,
    .priv_size = sizeof(struct quota_priv),
    .parse = quota_parse,
    .check = quota_check,
    .emit = quota_emit,
    .recognise = quota_recognise,
    .save = quota_save,
    .list = quota_list,
};
EXT_REGISTER(ext_quota);

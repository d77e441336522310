/* -m cgroup [!] --cgroup CLASSID: the net_cls class id of the packet's
 * socket, meta cgroup [!=] CLASSID.
 * --path (cgroup v2) is refused: its native form, socket cgroupv2 level N
 * "PATH", is turned into a cgroup id when loaded and libnftables 1.0.6 lists
 * only that id (no level, no path), so the rule could not be read back; the
 * socket expression is also not allowed in POSTROUTING, where xt_cgroup is. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { CG_ID, CG_PATH };

struct cgroup_priv {
	bool given, invert;
	uint32_t id;
};

static const struct ext_opt cgroup_opts[] = {
    {"cgroup", CG_ID, 1, EXT_OPT_INV, VK_NUMBER, NULL, "CLASSID", "net_cls class id of the socket"},
    {"path", CG_PATH, 1, EXT_OPT_INV, VK_WORD, NULL, "PATH",
     "cgroup v2 path (refused: cannot be read back with libnftables 1.0.6)"},
};

static int cgroup_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct cgroup_priv *p = priv;
	unsigned long long v;

	(void)c;
	if (opt->id == CG_PATH) {
		err_set(
		    e, NFSH_EPARAM, "--path",
		    "-m cgroup --path: \"socket cgroupv2 level N PATH\" is listed by libnftables "
		    "1.0.6 as a bare cgroup id, which nfsh cannot read back as --path");
		err_hint(e, "use nft directly: socket cgroupv2 level N \"%s\"", args[0]);
		return -1;
	}
	if (args[0][0] == '-' || parse_uint(args[0], UINT32_MAX, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --cgroup \"%s\"", args[0]);
		err_hint(e, "a net_cls class id 0-4294967295");
		return -1;
	}
	p->id = (uint32_t)v;
	p->invert = invert;
	p->given = true;
	return 0;
}

static int cgroup_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct cgroup_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "cgroup", "-m cgroup needs --cgroup CLASSID");
	err_hint(e, "e.g. -m cgroup --cgroup 0x100001");
	return -1;
}

static int cgroup_emit(struct emit_ctx *x, const void *priv)
{
	const struct cgroup_priv *p = priv;

	return ext_emit(x,
	                nftj_match(p->invert ? "!=" : "==", nftj_meta("cgroup"), nftj_int(p->id)));
}

static int cgroup_recognise(struct read_ctx *r, void *priv)
{
	struct cgroup_priv *p = priv;
	const char *op, *key;
	json_t *left, *right;
	long long v;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) || !nftj_is_meta(left, &key) ||
	    strcmp(key, "cgroup") || (strcmp(op, "==") && strcmp(op, "!=")) ||
	    !nftj_get_int(right, &v) || v < 0 || v > UINT32_MAX)
		return 0;
	p->id = (uint32_t)v;
	p->invert = op[0] == '!';
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void cgroup_save(const void *priv, int family, struct strbuf *sb)
{
	const struct cgroup_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --cgroup %u", p->invert ? " !" : "", p->id);
}

static void cgroup_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct cgroup_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "cgroup %s%u", p->invert ? "! " : "", p->id);
}

const struct ext ext_cgroup = {
    .name = "cgroup",
    .type = EXT_MATCH,
    .help = "net_cls class id of the socket (meta cgroup)",
    .families = NFSH_F_ANY,
    .opts = cgroup_opts,
    .nopts = 2,
    .priv_size = sizeof(struct cgroup_priv),
    .parse = cgroup_parse,
    .check = cgroup_check,
    .emit = cgroup_emit,
    .recognise = cgroup_recognise,
    .save = cgroup_save,
    .list = cgroup_list,
};
EXT_REGISTER(ext_cgroup);

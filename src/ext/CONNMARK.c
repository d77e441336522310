/* -j CONNMARK: the connection mark, "ct mark set ...", and copying between
 * packet and connection mark (xt_CONNMARK revision 1):
 *   --set-xmark V[/M] (and --set-mark, --and/--or/--xor-mark, as MARK)
 *        ctmark = (ctmark & ~M) ^ V             ct mark set ...
 *   --save-mark [--nfmask N] [--ctmask C]
 *        ctmark = (ctmark & ~C) ^ (mark & N)    ct mark set mark and N
 *   --restore-mark [--nfmask N] [--ctmask C]
 *        mark = (mark & ~N) ^ (ctmark & C)      meta mark set ct mark and C
 * A copy with a partial destination mask (--ctmask for save, --nfmask for
 * restore) combines two registers, which nftables 1.0.6 cannot express: it is
 * refused.
 * Revision 2's --right-shift-mark N / --left-shift-mark N shift the value
 * computed above before it is stored (connmark_tg_shift: for --set-mark the
 * whole new mark, for --save/--restore-mark the masked source before the
 * merge): "ct mark set (ct mark & K ^ V) >> N", "ct mark set mark and N >> S",
 * a bitwise shift (nft_bitwise takes 0-31). */
#include "ext/markops.h"
#include "nft/json.h"

enum {
	CM_SETX,
	CM_SET,
	CM_AND,
	CM_OR,
	CM_XOR,
	CM_SAVE,
	CM_RESTORE,
	CM_NFMASK,
	CM_CTMASK,
	CM_MASK,
	CM_LSHIFT,
	CM_RSHIFT
};
enum { MODE_NONE, MODE_SET, MODE_SAVE, MODE_RESTORE };

struct connmark_priv {
	int mode;
	uint32_t value, ctmask, nfmask;
	bool ctmask_set, nfmask_set;
	int shift_op; /* 0, CM_LSHIFT or CM_RSHIFT */
	unsigned shift;
};

static const struct ext_opt connmark_opts[] = {
    {"set-xmark", CM_SETX, 1, 0, VK_NUMBER, NULL, "VALUE[/MASK]",
     "clear the MASK bits and xor VALUE into the connection mark"},
    {"set-mark", CM_SET, 1, 0, VK_NUMBER, NULL, "VALUE[/MASK]",
     "clear the MASK bits and or VALUE into the connection mark"},
    {"and-mark", CM_AND, 1, 0, VK_NUMBER, NULL, "BITS", "binary AND the connection mark"},
    {"or-mark", CM_OR, 1, 0, VK_NUMBER, NULL, "BITS", "binary OR the connection mark"},
    {"xor-mark", CM_XOR, 1, 0, VK_NUMBER, NULL, "BITS", "binary XOR the connection mark"},
    {"save-mark", CM_SAVE, 0, 0, VK_NONE, NULL, NULL,
     "copy the packet mark to the connection mark"},
    {"restore-mark", CM_RESTORE, 0, 0, VK_NONE, NULL, NULL,
     "copy the connection mark to the packet mark"},
    {"nfmask", CM_NFMASK, 1, 0, VK_NUMBER, NULL, "MASK", "packet mark bits to copy/keep"},
    {"ctmask", CM_CTMASK, 1, 0, VK_NUMBER, NULL, "MASK", "connection mark bits to copy/keep"},
    {"mask", CM_MASK, 1, 0, VK_NUMBER, NULL, "MASK", "both --nfmask and --ctmask"},
    {"left-shift-mark", CM_LSHIFT, 1, 0, VK_NUMBER, NULL, "BITS",
     "shift the new mark left by 0-31 bits"},
    {"right-shift-mark", CM_RSHIFT, 1, 0, VK_NUMBER, NULL, "BITS",
     "shift the new mark right by 0-31 bits"},
};

static int parse_shift(struct connmark_priv *p, const struct ext_opt *opt, const char *arg,
                       struct nfsh_err *e)
{
	unsigned long long n;

	if (p->shift_op) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "-j CONNMARK takes one of --left-shift-mark, --right-shift-mark");
		return -1;
	}
	if (parse_uint(arg, 31, &n) < 0) {
		err_set(e, NFSH_EPARAM, arg, "invalid --%s \"%s\"", opt->name, arg);
		err_hint(e, "0-31: the mark has 32 bits (nft_bitwise shifts by less than 32)");
		return -1;
	}
	p->shift_op = opt->id;
	p->shift = (unsigned)n;
	return 0;
}

static int set_mode(struct connmark_priv *p, int mode, const char *word, struct nfsh_err *e)
{
	if (p->mode != MODE_NONE) {
		err_set(e, NFSH_EPARAM, word,
		        "-j CONNMARK takes one action: a --set/--and/--or/--xor-mark, --save-mark "
		        "or --restore-mark");
		err_hint(e, "write one rule per action");
		return -1;
	}
	p->mode = mode;
	return 0;
}

static int connmark_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct connmark_priv *p = priv;
	uint32_t v, m;
	bool masked = opt->id == CM_SETX || opt->id == CM_SET;

	(void)c;
	(void)invert;
	if (opt->id == CM_SAVE || opt->id == CM_RESTORE)
		return set_mode(p, opt->id == CM_SAVE ? MODE_SAVE : MODE_RESTORE, opt->name, e);
	if (opt->id == CM_LSHIFT || opt->id == CM_RSHIFT)
		return parse_shift(p, opt, args[0], e);
	if (markop_parse(args[0], masked, 0xffffffffu, &v, &m, opt->name, e) < 0)
		return -1;
	switch (opt->id) {
	case CM_NFMASK:
	case CM_CTMASK:
	case CM_MASK:
		if (opt->id != CM_CTMASK)
			p->nfmask = v, p->nfmask_set = true;
		if (opt->id != CM_NFMASK)
			p->ctmask = v, p->ctmask_set = true;
		return 0;
	}
	if (set_mode(p, MODE_SET, opt->name, e) < 0)
		return -1;
	switch (opt->id) {
	case CM_SETX:
		p->value = v, p->ctmask = m;
		break;
	case CM_SET:
		p->value = v, p->ctmask = m | v;
		break;
	case CM_AND:
		p->value = 0, p->ctmask = ~v;
		break;
	case CM_OR:
		p->value = p->ctmask = v;
		break;
	case CM_XOR:
		p->value = v, p->ctmask = 0;
		break;
	}
	return 0;
}

static int connmark_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	struct connmark_priv *p = priv;

	(void)c;
	if (p->mode == MODE_NONE) {
		err_set(e, NFSH_EPARAM, "CONNMARK",
		        "-j CONNMARK needs --set-mark, --set-xmark, --and-mark, --or-mark, "
		        "--xor-mark, --save-mark or --restore-mark");
		err_hint(e, "e.g. -j CONNMARK --save-mark");
		return -1;
	}
	if (p->mode == MODE_SET) {
		if (p->nfmask_set || p->ctmask_set) {
			err_set(
			    e, NFSH_EPARAM, "CONNMARK",
			    "--nfmask, --ctmask and --mask go with --save-mark or --restore-mark");
			err_hint(e, "give the mask as --set-xmark VALUE/MASK");
			return -1;
		}
		return 0;
	}
	if (!p->nfmask_set)
		p->nfmask = 0xffffffffu;
	if (!p->ctmask_set)
		p->ctmask = 0xffffffffu;
	if (p->mode == MODE_SAVE && p->ctmask != 0xffffffffu) {
		err_set(e, NFSH_EPARAM, "--ctmask",
		        "--save-mark with --ctmask 0x%x keeps part of the old connection mark and "
		        "mixes in the packet mark: two registers in one expression, which nftables "
		        "here cannot express",
		        p->ctmask);
		err_hint(e, "use --ctmask 0xffffffff (ct mark set meta mark and NFMASK)");
		return -1;
	}
	if (p->mode == MODE_RESTORE && p->nfmask != 0xffffffffu) {
		err_set(e, NFSH_EPARAM, "--nfmask",
		        "--restore-mark with --nfmask 0x%x keeps part of the old packet mark and "
		        "mixes in the connection mark: two registers in one expression, which "
		        "nftables here cannot express",
		        p->nfmask);
		err_hint(e, "use --nfmask 0xffffffff (meta mark set ct mark and CTMASK)");
		return -1;
	}
	return 0;
}

static json_t *copy_value(enum mark_key src, uint32_t mask)
{
	if (mask == 0xffffffffu)
		return markop_key(src);
	return nftj_binop("&", markop_key(src), nftj_int(mask));
}

static json_t *shifted(const struct connmark_priv *p, json_t *v)
{
	if (!p->shift_op || !p->shift)
		return v;
	return nftj_binop(p->shift_op == CM_RSHIFT ? ">>" : "<<", v, nftj_int(p->shift));
}

static int connmark_emit(struct emit_ctx *x, const void *priv)
{
	const struct connmark_priv *p = priv;

	switch (p->mode) {
	case MODE_SET:
		return ext_emit(
		    x, markop_set(MK_CT, shifted(p, markop_value(MK_CT, p->value, p->ctmask))));
	case MODE_SAVE:
		return ext_emit(x, markop_set(MK_CT, shifted(p, copy_value(MK_META, p->nfmask))));
	default:
		return ext_emit(x, markop_set(MK_META, shifted(p, copy_value(MK_CT, p->ctmask))));
	}
}

/* An outer "<<"/">>" by a constant: peel it off into p, give the inner value. */
static json_t *read_shift(json_t *v, struct connmark_priv *p)
{
	static const char *const ops[] = {"<<", ">>"};
	long long n;

	for (int k = 0; k < 2; k++) {
		json_t *a = json_object_get(v, ops[k]);

		if (json_is_array(a) && json_array_size(a) == 2 &&
		    nftj_get_int(json_array_get(a, 1), &n) && n > 0 && n < 32) {
			p->shift_op = k ? CM_RSHIFT : CM_LSHIFT;
			p->shift = (unsigned)n;
			return json_array_get(a, 0);
		}
	}
	return v;
}

/* A copy "DST set SRC [and M]": the fold must keep no constant part. */
static bool read_copy(json_t *v, enum mark_key src, enum mark_key other, uint32_t *mask)
{
	uint32_t xr;

	if (!markop_uses(v, src) || markop_uses(v, other) || !markop_fold(v, src, mask, &xr))
		return false;
	return xr == 0;
}

static int connmark_recognise(struct read_ctx *r, void *priv)
{
	struct connmark_priv *p = priv;
	json_t *v, *stmt = read_peek(r, 0);
	uint32_t keep, xr;

	if (markop_is_set(stmt, MK_CT, &v)) {
		v = read_shift(v, p);
		if (markop_uses(v, MK_META)) {
			if (!read_copy(v, MK_META, MK_CT, &p->nfmask))
				return 0;
			p->mode = MODE_SAVE;
			p->ctmask = 0xffffffffu;
		} else {
			if (!markop_fold(v, MK_CT, &keep, &xr))
				return 0;
			p->mode = MODE_SET;
			p->value = xr;
			p->ctmask = ~keep;
		}
	} else if (markop_is_set(stmt, MK_META, &v)) {
		v = read_shift(v, p);
		if (!read_copy(v, MK_CT, MK_META, &p->ctmask))
			return 0;
		p->mode = MODE_RESTORE;
		p->nfmask = 0xffffffffu;
	} else {
		return 0;
	}
	read_take(r, 1);
	return 1;
}

static void connmark_save(const void *priv, int family, struct strbuf *sb)
{
	const struct connmark_priv *p = priv;

	(void)family;
	if (p->mode == MODE_SET)
		sb_addf(sb, " --set-xmark 0x%x/0x%x", p->value, p->ctmask);
	else
		sb_addf(sb, " --%s --nfmask 0x%x --ctmask 0x%x",
		        p->mode == MODE_SAVE ? "save-mark" : "restore-mark", p->nfmask, p->ctmask);
	if (p->shift_op && p->shift)
		sb_addf(sb, " --%s-shift-mark %u", p->shift_op == CM_RSHIFT ? "right" : "left",
		        p->shift);
}

/* iptables -L, as xt_CONNMARK revision 1 prints it. */
static void connmark_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct connmark_priv *p = priv;
	uint32_t v = p->value, m = p->ctmask;

	(void)family;
	(void)numeric;
	if (p->mode == MODE_SET) {
		if (v == 0)
			sb_addf(sb, "CONNMARK and 0x%x", (uint32_t)~m);
		else if (v == m)
			sb_addf(sb, "CONNMARK or 0x%x", v);
		else if (m == 0)
			sb_addf(sb, "CONNMARK xor 0x%x", v);
		else if (m == 0xffffffffu)
			sb_addf(sb, "CONNMARK set 0x%x", v);
		else
			sb_addf(sb, "CONNMARK xset 0x%x/0x%x", v, m);
		return;
	}
	sb_add(sb, p->mode == MODE_SAVE ? "CONNMARK save" : "CONNMARK restore");
	if (p->nfmask == 0xffffffffu && p->ctmask == 0xffffffffu)
		return;
	if (p->nfmask == p->ctmask)
		sb_addf(sb, " mask 0x%x", p->nfmask);
	else if (p->mode == MODE_SAVE)
		sb_addf(sb, " nfmask 0x%x ctmask ~0x%x", p->nfmask, p->ctmask);
	else
		sb_addf(sb, " ctmask 0x%x nfmask ~0x%x", p->ctmask, p->nfmask);
}

const struct ext ext_CONNMARK = {
    .name = "CONNMARK",
    .type = EXT_TARGET,
    .help = "set the connection mark, or copy it from/to the packet mark (ct mark set)",
    .families = NFSH_F_ANY,
    .opts = connmark_opts,
    .nopts = sizeof(connmark_opts) / sizeof(connmark_opts[0]),
    .priv_size = sizeof(struct connmark_priv),
    .parse = connmark_parse,
    .check = connmark_check,
    .emit = connmark_emit,
    .recognise = connmark_recognise,
    .save = connmark_save,
    .list = connmark_list,
};
EXT_REGISTER(ext_CONNMARK);

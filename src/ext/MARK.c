/* -j MARK: set the packet mark, "meta mark set ...". Every option is iptables'
 * new = (mark & ~mask) ^ value (xt_MARK revision 2):
 *   --set-xmark V[/M]  value V, mask M (default 0xffffffff)
 *   --set-mark V[/M]   value V, mask M|V
 *   --and-mark V       value 0, mask ~V
 *   --or-mark V        value V, mask V
 *   --xor-mark V       value V, mask 0
 * and iptables-save prints them all as --set-xmark V/M. */
#include "ext/MARK.h"
#include "ext/markops.h"

enum { MARK_SETX, MARK_SET, MARK_AND, MARK_OR, MARK_XOR };

static const struct ext_opt mark_opts[] = {
    {"set-xmark", MARK_SETX, 1, 0, VK_NUMBER, NULL, "VALUE[/MASK]",
     "clear the MASK bits and xor VALUE into the mark"},
    {"set-mark", MARK_SET, 1, 0, VK_NUMBER, NULL, "VALUE[/MASK]",
     "clear the MASK bits and or VALUE into the mark"},
    {"and-mark", MARK_AND, 1, 0, VK_NUMBER, NULL, "BITS", "binary AND the mark with BITS"},
    {"or-mark", MARK_OR, 1, 0, VK_NUMBER, NULL, "BITS", "binary OR the mark with BITS"},
    {"xor-mark", MARK_XOR, 1, 0, VK_NUMBER, NULL, "BITS", "binary XOR the mark with BITS"},
};

static int mark_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct mark_priv *p = priv;
	uint32_t v, m;
	bool masked = opt->id == MARK_SETX || opt->id == MARK_SET;

	(void)c;
	(void)invert;
	if (p->given) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "-j MARK takes one of --set-xmark, --set-mark, --and-mark, --or-mark, "
		        "--xor-mark");
		err_hint(e, "combine the operations into one --set-xmark VALUE/MASK");
		return -1;
	}
	if (markop_parse(args[0], masked, 0xffffffffu, &v, &m, opt->name, e) < 0)
		return -1;
	switch (opt->id) {
	case MARK_SETX:
		p->value = v, p->mask = m;
		break;
	case MARK_SET:
		p->value = v, p->mask = m | v;
		break;
	case MARK_AND:
		p->value = 0, p->mask = ~v;
		break;
	case MARK_OR:
		p->value = p->mask = v;
		break;
	case MARK_XOR:
		p->value = v, p->mask = 0;
		break;
	}
	p->given = true;
	return 0;
}

static int mark_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct mark_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "MARK",
	        "-j MARK needs one of --set-xmark, --set-mark, --and-mark, "
	        "--or-mark, --xor-mark");
	err_hint(e, "e.g. -j MARK --set-mark 0x1");
	return -1;
}

static int mark_emit(struct emit_ctx *x, const void *priv)
{
	const struct mark_priv *p = priv;

	return ext_emit(x, markop_set(MK_META, markop_value(MK_META, p->value, p->mask)));
}

static int mark_recognise(struct read_ctx *r, void *priv)
{
	struct mark_priv *p = priv;
	json_t *v;
	uint32_t keep, xr;

	if (!markop_is_set(read_peek(r, 0), MK_META, &v) || markop_uses(v, MK_CT) ||
	    !markop_fold(v, MK_META, &keep, &xr))
		return 0;
	p->given = true;
	p->value = xr;
	p->mask = ~keep;
	read_take(r, 1);
	return 1;
}

static void mark_save(const void *priv, int family, struct strbuf *sb)
{
	const struct mark_priv *p = priv;

	(void)family;
	sb_addf(sb, " --set-xmark 0x%x/0x%x", p->value, p->mask);
}

/* iptables -L, as xt_MARK revision 2 prints it. */
static void mark_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct mark_priv *p = priv;

	(void)family;
	(void)numeric;
	if (p->value == 0)
		sb_addf(sb, "MARK and 0x%x", (uint32_t)~p->mask);
	else if (p->value == p->mask)
		sb_addf(sb, "MARK or 0x%x", p->value);
	else if (p->mask == 0)
		sb_addf(sb, "MARK xor 0x%x", p->value);
	else if (p->mask == 0xffffffffu)
		sb_addf(sb, "MARK set 0x%x", p->value);
	else
		sb_addf(sb, "MARK xset 0x%x/0x%x", p->value, p->mask);
}

const struct ext ext_MARK = {
    .name = "MARK",
    .type = EXT_TARGET,
    .help = "set, clear or flip bits of the packet mark (meta mark set)",
    .families = NFSH_F_ANY,
    .opts = mark_opts,
    .nopts = sizeof(mark_opts) / sizeof(mark_opts[0]),
    .priv_size = sizeof(struct mark_priv),
    .parse = mark_parse,
    .check = mark_check,
    .emit = mark_emit,
    .recognise = mark_recognise,
    .save = mark_save,
    .list = mark_list,
};
EXT_REGISTER(ext_MARK);

/* -m cpu [!] --cpu N: the CPU handling the packet, meta cpu [!=] N. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

struct cpu_priv {
	bool given, invert;
	uint32_t cpu;
};

static const struct ext_opt cpu_opts[] = {
    {"cpu", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "N", "number of the CPU processing the packet"},
};

static int cpu_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct cpu_priv *p = priv;
	unsigned long long v;

	(void)c;
	(void)opt;
	if (args[0][0] == '-' || parse_uint(args[0], UINT32_MAX, &v) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --cpu \"%s\"", args[0]);
		err_hint(e, "a CPU number 0-4294967295");
		return -1;
	}
	p->cpu = (uint32_t)v;
	p->invert = invert;
	p->given = true;
	return 0;
}

static int cpu_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct cpu_priv *p = priv;

	(void)c;
	if (p->given)
		return 0;
	err_set(e, NFSH_EPARAM, "cpu", "-m cpu needs --cpu N");
	err_hint(e, "e.g. -m cpu --cpu 0");
	return -1;
}

static int cpu_emit(struct emit_ctx *x, const void *priv)
{
	const struct cpu_priv *p = priv;

	return ext_emit(x, nftj_match(p->invert ? "!=" : "==", nftj_meta("cpu"), nftj_int(p->cpu)));
}

static int cpu_recognise(struct read_ctx *r, void *priv)
{
	struct cpu_priv *p = priv;
	const char *op, *key;
	json_t *left, *right;
	long long v;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) || !nftj_is_meta(left, &key) ||
	    strcmp(key, "cpu") || (strcmp(op, "==") && strcmp(op, "!=")) ||
	    !nftj_get_int(right, &v) || v < 0 || v > UINT32_MAX)
		return 0;
	p->cpu = (uint32_t)v;
	p->invert = op[0] == '!';
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void cpu_save(const void *priv, int family, struct strbuf *sb)
{
	const struct cpu_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --cpu %u", p->invert ? " !" : "", p->cpu);
}

static void cpu_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct cpu_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "cpu %s%u", p->invert ? "! " : "", p->cpu);
}

const struct ext ext_cpu = {
    .name = "cpu",
    .type = EXT_MATCH,
    .help = "CPU handling the packet (meta cpu)",
    .families = NFSH_F_ANY,
    .opts = cpu_opts,
    .nopts = 1,
    .priv_size = sizeof(struct cpu_priv),
    .parse = cpu_parse,
    .check = cpu_check,
    .emit = cpu_emit,
    .recognise = cpu_recognise,
    .save = cpu_save,
    .list = cpu_list,
};
EXT_REGISTER(ext_cpu);

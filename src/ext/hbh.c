/* -m hbh: the IPv6 hop-by-hop options header (exthdr.h's optshdr: exists,
 * [!] --hbh-len BYTES; --hbh-opts refused). */
#include "ext/exthdr.h"

enum { O_LEN, O_OPTS };

static const struct ext_opt hbh_opts[] = {
    {"hbh-len", O_LEN, 1, EXT_OPT_INV, VK_NUMBER, NULL, "BYTES",
     "header length in bytes (a multiple of 8)"},
    {"hbh-opts", O_OPTS, 1, 0, VK_WORD, NULL, "TYPE[:LEN],...",
     "options (refused: no native form)"},
};

static int hbh_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	return optshdr_parse("hbh", priv, opt->id == O_OPTS, invert, args[0], e);
}

static int hbh_emit(struct emit_ctx *x, const void *priv)
{
	return optshdr_emit("hbh", x, priv);
}

static int hbh_recognise(struct read_ctx *r, void *priv)
{
	return optshdr_recognise("hbh", r, priv);
}

static void hbh_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	optshdr_save("hbh", priv, sb);
}

static void hbh_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	optshdr_list("hbh", priv, sb);
}

const struct ext ext_hbh = {
    .name = "hbh",
    .type = EXT_MATCH,
    .help = "IPv6 hop-by-hop options header present, its length (exthdr hbh)",
    .families = NFSH_F_IPV6,
    .opts = hbh_opts,
    .nopts = 2,
    .priv_size = sizeof(struct optshdr_priv),
    .parse = hbh_parse,
    .emit = hbh_emit,
    .recognise = hbh_recognise,
    .save = hbh_save,
    .list = hbh_list,
};
EXT_REGISTER(ext_hbh);

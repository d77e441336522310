/* -m dst: the IPv6 destination options header (exthdr.h's optshdr: exists,
 * [!] --dst-len BYTES; --dst-opts refused). */
#include "ext/exthdr.h"

enum { O_LEN, O_OPTS };

static const struct ext_opt dst_opts[] = {
    {"dst-len", O_LEN, 1, EXT_OPT_INV, VK_NUMBER, NULL, "BYTES",
     "header length in bytes (a multiple of 8)"},
    {"dst-opts", O_OPTS, 1, 0, VK_WORD, NULL, "TYPE[:LEN],...",
     "options (refused: no native form)"},
};

static int dst_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	return optshdr_parse("dst", priv, opt->id == O_OPTS, invert, args[0], e);
}

static int dst_emit(struct emit_ctx *x, const void *priv)
{
	return optshdr_emit("dst", x, priv);
}

static int dst_recognise(struct read_ctx *r, void *priv)
{
	return optshdr_recognise("dst", r, priv);
}

static void dst_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	optshdr_save("dst", priv, sb);
}

static void dst_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	(void)family;
	(void)numeric;
	optshdr_list("dst", priv, sb);
}

const struct ext ext_dst = {
    .name = "dst",
    .type = EXT_MATCH,
    .help = "IPv6 destination options header present, its length (exthdr dst)",
    .families = NFSH_F_IPV6,
    .opts = dst_opts,
    .nopts = 2,
    .priv_size = sizeof(struct optshdr_priv),
    .parse = dst_parse,
    .emit = dst_emit,
    .recognise = dst_recognise,
    .save = dst_save,
    .list = dst_list,
};
EXT_REGISTER(ext_dst);

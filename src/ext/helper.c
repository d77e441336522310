/* -m helper --helper NAME: refused. xt_helper tests the helper of the
 * connection's MASTER (it matches e.g. the FTP data connections an ftp helper
 * expected); nftables' "ct helper" reads the helper attached to the
 * connection itself (the control connection). There is no native expression
 * for the master's helper, so translating one into the other would match
 * different packets. */
#include "ext/ext.h"

static const struct ext_opt helper_opts[] = {
    {"helper", 0, 1, EXT_OPT_INV, VK_WORD, NULL, "NAME",
     "helper of the master connection (no nftables form)"},
};

static int refuse(struct nfsh_err *e, const char *word)
{
	err_set(e, NFSH_EPARAM, word,
	        "-m helper has no nftables form: it tests the helper of the connection's "
	        "master (the connections a helper expected), nft's ct helper tests the "
	        "connection's own helper");
	err_hint(e, "for expected connections use -m conntrack --ctstate RELATED (ct state "
	            "related); for the control connection nft 'ct helper \"NAME\"'");
	return -1;
}

static int helper_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	(void)priv;
	(void)opt;
	(void)invert;
	return refuse(e, args[0]);
}

static int helper_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	(void)priv;
	return refuse(e, "helper");
}

const struct ext ext_helper = {
    .name = "helper",
    .type = EXT_MATCH,
    .help = "conntrack helper of the master connection (refused: no nftables form)",
    .families = NFSH_F_ANY,
    .opts = helper_opts,
    .nopts = 1,
    .parse = helper_parse,
    .check = helper_check,
};
EXT_REGISTER(ext_helper);

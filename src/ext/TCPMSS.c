/* -j TCPMSS: refused. nft's "tcp option maxseg size set rt mtu|N" lowers an
 * MSS option that is there, as xt_TCPMSS does, but xt_TCPMSS also INSERTS an
 * MSS option into a SYN that has none (RFC 879 default 536), which nftables
 * cannot do: the two differ on such SYNs. */
#include "ext/ext.h"

static const struct ext_opt tcpmss_opts[] = {
    {"set-mss", 0, 1, 0, VK_NUMBER, NULL, "VALUE", "lower the MSS option to VALUE"},
    {"clamp-mss-to-pmtu", 1, 0, 0, VK_NONE, NULL, NULL, "lower the MSS to the path MTU"},
};

static int refuse(struct nfsh_err *e)
{
	err_set(e, NFSH_EPARAM, "TCPMSS",
	        "-j TCPMSS has no exact nftables form: it also adds an MSS option to SYNs "
	        "without one, nft's tcp option maxseg only changes an existing option");
	err_hint(e, "nearest native rule: nft 'tcp flags syn / syn,rst tcp option maxseg size "
	            "set rt mtu'");
	return -1;
}

static int tcpmss_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	(void)priv;
	(void)opt;
	(void)invert;
	(void)args;
	return refuse(e);
}

static int tcpmss_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	(void)priv;
	return refuse(e);
}

const struct ext ext_TCPMSS = {
    .name = "TCPMSS",
    .type = EXT_TARGET,
    .help = "change the TCP MSS option (refused: no exact nftables form)",
    .families = NFSH_F_ANY,
    .opts = tcpmss_opts,
    .nopts = sizeof(tcpmss_opts) / sizeof(tcpmss_opts[0]),
    .parse = tcpmss_parse,
    .check = tcpmss_check,
};
EXT_REGISTER(ext_TCPMSS);

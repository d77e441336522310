/* -j NFQUEUE: refused on this host. nftables' queue statement needs the
 * kernel's nft queue expression (CONFIG_NFT_QUEUE), which this kernel does
 * not have (FACTS.md), and nfsh never falls back to xt compat. The options are
 * listed so the error names the target rather than an unknown option. */
#include "ext/ext.h"

static const struct ext_opt nfqueue_opts[] = {
    {"queue-num", 0, 1, 0, VK_NUMBER, NULL, "NUM", "queue number (nft queue num)"},
    {"queue-balance", 1, 1, 0, VK_NUMBER, NULL, "FROM:TO", "spread over queues"},
    {"queue-bypass", 2, 0, 0, VK_NONE, NULL, NULL, "accept when no program listens"},
    {"queue-cpu-fanout", 3, 0, 0, VK_NONE, NULL, NULL, "queue by CPU"},
    {"fail-open", 4, 0, 0, VK_NONE, NULL, NULL, "accept when the queue is full"},
};

static int refuse(struct nfsh_err *e)
{
	err_set(e, NFSH_EPARAM, "NFQUEUE",
	        "-j NFQUEUE cannot be native here: this kernel has no nft queue expression "
	        "(CONFIG_NFT_QUEUE unset)");
	err_hint(e, "on a kernel with nft_queue the native form is 'queue num N [bypass]'; "
	            "nfsh does not use xt compat");
	return -1;
}

static int nfqueue_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                         bool invert, const char *const *args, struct nfsh_err *e)
{
	(void)c;
	(void)priv;
	(void)opt;
	(void)invert;
	(void)args;
	return refuse(e);
}

static int nfqueue_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	(void)priv;
	return refuse(e);
}

const struct ext ext_NFQUEUE = {
    .name = "NFQUEUE",
    .type = EXT_TARGET,
    .help = "queue to user space (refused: no nft queue expression in this kernel)",
    .families = NFSH_F_ANY,
    .opts = nfqueue_opts,
    .nopts = sizeof(nfqueue_opts) / sizeof(nfqueue_opts[0]),
    .parse = nfqueue_parse,
    .check = nfqueue_check,
};
EXT_REGISTER(ext_NFQUEUE);

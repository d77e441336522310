/* -j NFQUEUE: refused on this host. nftables' queue statement needs the
 * kernel's nft queue expression (CONFIG_NFT_QUEUE), which this kernel does
 * not have (FACTS.md), and nfsh never falls back to xt compat. The options are
 * listed so the error names the target rather than an unknown option. */
#include "ext/refused.h"

REFUSED_AS(NFQUEUE, "NFQUEUE", EXT_TARGET, "cannot be native here",
           "this kernel has no nft queue expression (CONFIG_NFT_QUEUE unset)",
           "queue to user space (refused: no nft queue expression in this kernel)",
           "on a kernel with nft_queue the native form is 'queue num N [bypass]'; nfsh does not "
           "use xt compat",
           {"queue-num", 0, 1, 0, VK_NUMBER, NULL, "NUM", "queue number (nft queue num)"},
           {"queue-balance", 1, 1, 0, VK_NUMBER, NULL, "FROM:TO", "spread over queues"},
           {"queue-bypass", 2, 0, 0, VK_NONE, NULL, NULL, "accept when no program listens"},
           {"queue-cpu-fanout", 3, 0, 0, VK_NONE, NULL, NULL, "queue by CPU"},
           {"fail-open", 4, 0, 0, VK_NONE, NULL, NULL, "accept when the queue is full"});

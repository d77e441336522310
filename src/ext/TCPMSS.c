/* -j TCPMSS: refused. nft's "tcp option maxseg size set rt mtu|N" lowers an
 * MSS option that is there, as xt_TCPMSS does, but xt_TCPMSS also INSERTS an
 * MSS option into a SYN that has none (RFC 879 default 536), which nftables
 * cannot do: the two differ on such SYNs. */
#include "ext/refused.h"

REFUSED_AS(TCPMSS, "TCPMSS", EXT_TARGET, "has no exact nftables form",
           "it also adds an MSS option to SYNs without one, nft's tcp option maxseg only changes "
           "an existing option",
           "change the TCP MSS option (refused: no exact nftables form)",
           "nearest native rule: nft 'tcp flags syn / syn,rst tcp option maxseg size set rt mtu'",
           {"set-mss", 0, 1, 0, VK_NUMBER, NULL, "VALUE", "lower the MSS option to VALUE"},
           {"clamp-mss-to-pmtu", 1, 0, 0, VK_NONE, NULL, NULL, "lower the MSS to the path MTU"});

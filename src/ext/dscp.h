/* Shared by the dscp match and the DSCP target: DiffServ class names. */
#ifndef NFSH_EXT_DSCP_H
#define NFSH_EXT_DSCP_H

#include "ext/ext.h"

/* CS0-CS7, BE, AF11-AF43, EF, and nft's listing names VA, LEPHB. */
extern const struct sym dscp_classes[];

#endif

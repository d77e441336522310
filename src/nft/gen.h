/* The ruleset generation id (NFT_MSG_GETGEN over libmnl): a cheap probe of
 * netlink permissions, and the guard against lost updates between a listing
 * and the batch built from it. */
#ifndef NFSH_NFT_GEN_H
#define NFSH_NFT_GEN_H

#include <stdint.h>

/* 0 and *gen set, or a negative errno (-EPERM without CAP_NET_ADMIN). */
int nft_genid(uint32_t *gen);

#endif

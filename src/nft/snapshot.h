/* Snapshots of nfsh's own tables (every nfsh-* table): the libnftables
 * listing with handles removed, and the one batch that puts such a snapshot
 * back. Restoring adds (a no-op if present) and deletes every nfsh table that
 * exists now or in the snapshot, then adds the snapshot's objects: the kernel
 * applies all of it or nothing. Used by the shell's commit confirmed and
 * rollback, and by restore --confirm. */
#ifndef NFSH_NFT_SNAPSHOT_H
#define NFSH_NFT_SNAPSHOT_H

#include <jansson.h>

#include "nft/session.h"

/* nfsh's tables as a listing array; NULL with e set. */
json_t *snap_take(struct nfsh_session *s, struct nfsh_err *e);
/* The batch that replaces nfsh's current tables by snapshot snap. */
json_t *snap_restore_batch(struct nfsh_session *s, json_t *snap, struct nfsh_err *e);

#endif

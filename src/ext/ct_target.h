/* Shared by CT.c and its alias NOTRACK.c: the private data and emitter of the
 * CT target. */
#ifndef NFSH_EXT_CT_TARGET_H
#define NFSH_EXT_CT_TARGET_H

#include "ext/ext.h"

struct ct_tgt_priv {
	bool notrack;
	bool zone_set;
	unsigned zone;
	int zone_dir;    /* 0 both, 1 original, 2 reply */
	unsigned events; /* bit per ct_event_syms value */
};

int ct_tgt_emit(struct emit_ctx *x, const void *priv);

#endif

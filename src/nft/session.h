/* The session: one libnftables context, and the only place that talks to it.
 * Everything that changes the kernel arrives here as one JSON batch. */
#ifndef NFSH_SESSION_H
#define NFSH_SESSION_H

#include <jansson.h>
#include <stdbool.h>

#include "util/err.h"

struct nft_ctx;

struct nfsh_session {
	struct nft_ctx *nft;
	bool dry_run; /* check against the kernel, commit nothing (-n of pfctl) */
	bool debug;   /* print each batch to stderr (NFSH_DEBUG=1) */
};

int sess_open(struct nfsh_session *s, struct nfsh_err *e);
void sess_close(struct nfsh_session *s);

/* Run the command array cmds ({"nftables": cmds} is added) as one transaction.
 * cmds is not stolen. 0, or -1 with e set from libnftables' message. */
int sess_apply(struct nfsh_session *s, json_t *cmds, struct nfsh_err *e);
/* The same for a batch already serialised as {"nftables": [...]} text. */
int sess_apply_text(struct nfsh_session *s, const char *json_text, struct nfsh_err *e);

/* Run a list command ("list table ip nfsh-filter") and return its "nftables"
 * array (new reference). A missing table/chain gives an empty array and
 * *missing = true (missing may be NULL). NULL with e set on other errors. */
json_t *sess_list(struct nfsh_session *s, const char *what, bool *missing, struct nfsh_err *e);

/* Turn a libnftables error text into the error record (first "Error:" line,
 * errno text mapped to an exit status and a hint). */
void sess_error_from_text(const char *text, struct nfsh_err *e);

#endif

/* Carrying out a parsed command against the kernel through the session, and
 * the offline translation of a command (nfsh translate). */
#ifndef NFSH_RUN_H
#define NFSH_RUN_H

#include <stdio.h>

#include "cmd/cmd.h"
#include "nft/session.h"

/* Run c; listings go to out. Returns an exit status (0, or e set). */
int cmd_run(struct nfsh_session *s, const struct cmd *c, FILE *out, struct nfsh_err *e);

/* Build the batch c would apply (listing the kernel read-only where a rule
 * number or spec must be resolved). Appends to cmds. 0 or -1. For
 * commands that only read (-L, -S, -C), returns 1 and appends nothing. */
int cmd_build(struct nfsh_session *s, const struct cmd *c, json_t *cmds, struct nfsh_err *e);
/* The same within a longer transaction: rule numbers and specs resolve
 * against st (cmd/stage.h), whose sink must append to cmds too. */
struct stage;
int cmd_build_staged(struct nfsh_session *s, struct stage *st, const struct cmd *c, json_t *cmds,
                     struct nfsh_err *e);

/* The chain listing of nfsh's table for c's family and table: rules read back. */
struct chain_info {
	char name[NFSH_CHAIN_MAX + 1];
	bool builtin;
	char policy[16];
	uint64_t handle;
	int refs; /* jumps/gotos to it from this table */
	struct rule *rules;
	int nrules;
	char **foreign; /* rules not expressible in iptables syntax, as JSON text (NULL: none) */
};
struct table_info {
	int family, table;
	bool exists;
	struct chain_info *chains;
	int nchains;
};
/* Read nfsh's table (or just one chain when chain != NULL). */
int table_read(struct nfsh_session *s, int family, int table, const char *chain,
               struct table_info *ti, struct nfsh_err *e);
void table_info_free(struct table_info *ti);
/* nfsh's whole table for save, handed over as it is read, so that no more
 * than one rule is held at a time. begin gets the chains in iptables' order
 * (no rules, no jump counts) before any rule; a second begin means that what
 * was given so far is to be discarded (the netlink reader gave up on the
 * table, and libnftables reads it again). rule gets each rule in that order;
 * why is set for a rule not expressible in iptables syntax. A negative
 * return from either stops the read. With chains (from nlr_chains_dump), the
 * chain list is taken from there instead of a chain dump of its own. */
struct table_sink {
	int (*begin)(const struct table_info *ti, void *ctx);
	int (*rule)(const struct chain_info *ch, const struct rule *r, const char *why, void *ctx);
	void *ctx;
};
struct nlr_chains; /* nft/nl_read.h: the family's chains, dumped once; NULL: dumped here */
int table_stream(struct nfsh_session *s, int family, int table, const struct nlr_chains *chains,
                 const struct table_sink *sink, struct nfsh_err *e);
struct chain_info *table_find_chain(struct table_info *ti, const char *name);

#endif

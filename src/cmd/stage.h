/* The staged state of the chains one transaction touches.
 *
 * A transaction (a shell candidate, a restore file, one command) is built
 * from many iptables commands, and a rule number or spec in a later command
 * means the rule as the earlier commands left the chain, as iptables-restore
 * resolves it. A stage keeps, for every chain a rule command touched, the
 * ordered rules of that chain as the batch built so far would leave it: a
 * kernel rule (by its handle) or a rule this transaction adds (by the batch
 * item that adds it).
 *
 * The batch only ever addresses kernel rules by handle (which the kernel
 * never reuses, so a concurrent writer can make the batch fail but never hit
 * another rule) and places new rules before or after a kernel rule, at the
 * top or at the end. A rule the transaction added earlier is deleted or
 * replaced by cancelling the item that added it (a metainfo no-op); a new
 * rule that must sit between two such rules is placed by re-adding the short
 * run of added rules up to the nearest kernel rule or an end. In a chain
 * created after the transaction replaced its table (a restore), which holds
 * only the transaction's rules, rules are placed by index instead, which
 * libnftables 1.0.6 resolves against the batch's own rules. The whole
 * transaction stays one batch. */
#ifndef NFSH_STAGE_H
#define NFSH_STAGE_H

#include <jansson.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "nft/session.h"

/* Where a stage writes its batch. */
struct stage_sink {
	void *ctx;
	/* Append cmd (stolen), standing for source line `line` (0: none).
	 * Returns the item's index, or -1 when out of memory. */
	int (*emit)(void *ctx, json_t *cmd, int line);
	/* The same for the rule command {verb: {"rule": rule}} (rule stolen), for a
	 * sink that need not build it (a restore's rules built without JSON). May
	 * be NULL: then emit gets the command. */
	int (*emit_rule)(void *ctx, const char *verb, json_t *rule, int line);
	/* Make item a no-op: the rule it added is gone again. 0 or -1. */
	int (*cancel)(void *ctx, int item);
	/* The rule object of item (an add or insert rule command): new reference,
	 * NULL when out of memory. */
	json_t *(*rule_of)(void *ctx, int item);
	/* The rule object for r, NULL with e set (NULL hook: xlate_rule). */
	json_t *(*make_rule)(void *ctx, struct rule *r, struct nfsh_err *e);
	/* A rule jumping to chain `jump` left chain `chain` (deleted, or replaced
	 * by another rule). May be NULL. */
	void (*dropped)(void *ctx, int family, int table, const char *chain, const char *jump);
};

struct stage;

/* s may be NULL: then only chains the stage is told are empty can be used. */
struct stage *stage_new(struct nfsh_session *s, const struct stage_sink *sink);
void stage_free(struct stage *st);
/* The source line of the rules staged from now on (restore files). */
void stage_set_line(struct stage *st, int line);
/* The words of the next stage_rule_cmd, as given to cmd_parse with family
 * (restore files): the rules it adds keep a copy, and their specs are printed
 * from them only if a later -D by spec needs them. Without words (the shell,
 * one command) a rule's spec is printed when it is staged. st may be NULL;
 * argv need only live until that stage_rule_cmd returns. */
void stage_set_words(struct stage *st, int family, int argc, char *const *argv);

/* -A, -I, -D, -R or -Z of c, resolved against the staged state; the batch
 * items go to the sink. 0, or -1 with e set (the stage is then unchanged
 * for -D/-R/-I with a bad number; a failed -A/-I of several expanded rules
 * may leave the first ones staged: callers drop the transaction). */
int stage_rule_cmd(struct stage *st, const struct cmd *c, struct nfsh_err *e);

/* What the transaction's other commands do to chains (no batch items). */
void stage_table_replaced(struct stage *st, int family, int table); /* every chain empty */
void stage_chain_created(struct stage *st, int family, int table, const char *name);
/* name NULL: every chain of the table. */
void stage_chain_flushed(struct stage *st, int family, int table, const char *name);
/* name NULL: every user chain of the table. */
void stage_chain_deleted(struct stage *st, int family, int table, const char *name);
/* -E of a kernel chain (the caller emitted the rename): its model, staged
 * rules and all, is the new name's, which the batch calls by the old one. */
void stage_chain_renamed(struct stage *st, int family, int table, const char *from, const char *to);
/* The name the batch gives chain `name` of the table: the kernel's name of a
 * chain renamed to `name` earlier in this transaction, else name. */
const char *stage_batch_name(struct stage *st, int family, int table, const char *name);
/* -E from to of a chain this transaction created (the kernel cannot rename
 * a chain added in the same batch: it looks the chain up by handle among
 * the committed ones). The stage makes the batch create `to` instead: its
 * rules are added there again (and their first items cancelled), rules
 * staged earlier that jump or go to `from` are placed again jumping to
 * `to`, and `from` is deleted at the end. Returns 1 when it did, 0 when
 * `from` is not this transaction's chain (the caller emits the kernel's
 * rename), -1 with e set (`to` exists: nothing staged). */
int stage_chain_move(struct stage *st, int family, int table, const char *from, const char *to,
                     struct nfsh_err *e);

/* 1: the transaction created (or flushed, or loaded) the chain and it
 * exists; -1: it deleted or renamed it; 0: the stage knows nothing of it. */
int stage_chain_known(struct stage *st, int family, int table, const char *name);
/* The staged number of rules of a chain whose kernel listing has `listed`. */
int stage_chain_rules(struct stage *st, int family, int table, const char *name, int listed);
/* The number of rules that will jump or go to chain `to` of the table, given
 * the kernel's count `listed` from the listing ti (table_read of the whole
 * table): modelled chains count their staged rules instead. */
int stage_refs(struct stage *st, const struct table_info *ti, const char *to, int listed);

/* The staged rules of a chain in order, as iptables-save text (for tests and
 * diagnostics): calls fn once per rule; handle 0 for rules this transaction
 * adds. Returns the count, or -1 when the chain is not modelled. */
int stage_walk(struct stage *st, int family, int table, const char *name,
               void (*fn)(void *arg, uint64_t handle, int item, const char *spec), void *arg);

/* A sink that appends to the command array cmds (not referenced): rules
 * cancelled become {"metainfo": {}}, which libnftables skips. */
void stage_array_sink(struct stage_sink *sk, json_t *cmds);

/* Seed a chain as if read from the kernel (ch's rules are taken over and ch
 * is left empty). For tests; the stage loads chains itself otherwise. */
int stage_load(struct stage *st, int family, int table, struct chain_info *ch);

#endif

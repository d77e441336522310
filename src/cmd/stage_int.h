/* What stage.c (the model of the chains: lookup, kernel rules read once,
 * specs, what chain commands do to it, the array sink) and stage_rules.c
 * (the rule commands -A/-I/-D/-R/-Z and how their batch items are placed)
 * share; not for other files. */
#ifndef NFSH_CMD_STAGE_INT_H
#define NFSH_CMD_STAGE_INT_H

#include "cmd/stage.h"

#include <stdbool.h>
#include <stdint.h>

/* One rule of a staged chain. */
struct stage_rule {
	uint64_t handle; /* a kernel rule; 0: added by this transaction */
	int item;        /* added: the batch item that adds it */
	int line;        /* added: its source line */
	int listed;      /* kernel rule: its index in the chain's listing, -1 after -R */
	json_t *body;    /* kernel rule replaced by -R: the new rule object */
	char *spec;      /* canonical iptables-save text; NULL for a foreign rule, or not yet */
	char *jump;      /* jump or goto target, NULL for none */
	/* An added rule of a restore: the words of its command (NUL-separated),
	 * its spec printed from them only when a -D by spec first compares
	 * against it (entry_spec). Most rules never are, and printing every
	 * rule at once was ~9% of a bulk restore's instructions. */
	char *words;
	int nwords, family; /* cmd_parse's argc and default family */
	int expanded;       /* which of the command's expanded rules it is */
};

struct stage_chain {
	int family, table;
	char name[NFSH_CHAIN_MAX + 1];
	bool gone;    /* deleted (or renamed away) in this transaction */
	bool renamed; /* renamed to this name in this transaction */
	bool created; /* created by this transaction (not in the kernel before it) */
	/* Renamed to name earlier in this transaction: the kernel's name of the
	 * chain until the commit ("" for name). The kernel renames a chain only
	 * at the commit (nft_chain_commit_update), so a later item of the batch
	 * finds it by this name only (checked on 6.18). */
	char kname[NFSH_CHAIN_MAX + 1];
	/* The kernel's rules are read only when a position or spec must be
	 * resolved: until then v holds the rules inserted at the top (nhead of
	 * them) and those appended, and the kernel's go between them. */
	bool loaded;
	/* Created after this transaction replaced its table: in the transaction
	 * it holds exactly the rules staged here, so a rule's place can be given
	 * by index (libnftables counts the batch's own rules then; measured on
	 * 1.0.6), and no other writer's rule can shift it. Not after a "flush"
	 * of it in the batch: libnftables' cache still counts the flushed rules
	 * (measured), so then the batch places rules by their neighbours. */
	bool by_index;
	int last_index; /* the last item placed by index, -1 for none */
	int nhead;
	struct chain_info listed; /* the kernel's rules when they were read */
	struct stage_rule *v;
	int n, cap;
};

/* Per family and table: what the transaction did to all its chains at once. */
struct stage_table {
	bool empty;     /* replaced or flushed: chains not modelled yet are empty */
	bool replaced;  /* replaced (and not flushed since): see by_index */
	bool user_gone; /* -X without a chain: user chains not modelled yet are gone */
};

struct stage {
	struct nfsh_session *s;
	struct stage_sink sink;
	int line;
	/* The words of the command being staged (stage_set_words), or none. */
	int argc, family;
	char *const *argv;
	bool top; /* the rule being staged goes to the top of an unread chain */
	struct stage_table tables[3][TBL_COUNT];
	struct stage_chain **chains; /* open addressing by family, table and name */
	size_t cap, n;
	unsigned decl_sets; /* sets rules declared so far (ext_decls.nsets) */
	int naliases;       /* chains with a kname */
};

/* The model of a chain, or NULL. */
struct stage_chain *stg_find(struct stage *st, int family, int table, const char *name);
/* The model of a chain; with rules, its kernel rules are read the first time. */
struct stage_chain *stg_chain_get(struct stage *st, int family, int table, const char *name,
                                  bool rules, struct nfsh_err *e);
/* A zeroed entry at index at of c (the later ones move up), or NULL. */
struct stage_rule *stg_push_slot(struct stage_chain *c, int at);
/* Release entry at of c (the later ones move down). */
void stg_drop_slot(struct stage_chain *c, int at);
/* A rule's canonical iptables-save text (malloc'ed), or NULL. */
char *stg_spec_of(const struct rule *r);
/* A rule's jump or goto target (malloc'ed), or NULL. */
char *stg_jump_of(const struct rule *r);
/* Keep the words of the command being staged in x, its spec printed later. */
int stg_keep_words(const struct stage *st, struct stage_rule *x, int expanded);
/* Set e to "out of memory staging the command"; -1. */
int stg_oom(struct nfsh_err *e);
/* Read the kernel's rules of c (once). */
int stg_load_rules(struct stage *st, struct stage_chain *c, struct nfsh_err *e);
/* What the transaction did to a table as a whole. */
struct stage_table *stg_table_state(struct stage *st, int family, int table);
/* x's spec, printed from its words or its listed rule the first time. */
const char *stg_entry_spec(struct stage_chain *c, struct stage_rule *x);
/* The name batch items must give chain c (its kname, or its name). */
const char *stg_bname(const struct stage_chain *c);
/* stage_rules.c: {verb: {"rule": rule}} to the sink, placed relative to
 * handle (0: none); the item's index or -1. */
int stg_put(struct stage *st, const char *verb, json_t *rule, uint64_t handle, int line);
/* Rule at of c becomes body (r its model, or NULL to keep the entry's). */
int stg_replace_at(struct stage *st, struct stage_chain *c, int at, struct rule *r, json_t *body,
                   struct nfsh_err *e);
/* stage_rename.c: */
/* The specs of c's rules start "-A name" instead of "-A from". 0 or -1. */
int stg_rename_specs(struct stage_chain *c, const char *from);
/* The rules of c (listed and staged) that jump or go to from name `to`:
 * a kernel chain renamed in this transaction (their batch items are left:
 * the kernel knows the chain by from until the commit). */
void stg_rename_jumps(struct stage_chain *c, const char *from, const char *to);
/* The model of a chain, made empty when there is none, or NULL. */
struct stage_chain *stg_model(struct stage *st, int family, int table, const char *name);
/* Forget c's rules: it is gone (deleted or renamed away). */
void stg_make_gone(struct stage_chain *c);
/* Does the table hold chain name as this transaction leaves it? 1 yes,
 * 0 no, -1 with e set (the kernel could not be read). */
int stg_chain_exists(struct stage *st, int family, int table, const char *name, struct nfsh_err *e);

#endif

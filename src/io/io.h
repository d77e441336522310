/* iptables-save / iptables-restore formats and JSON batch import/export.
 * Internal interface between the files of src/io. */
#ifndef NFSH_IO_H
#define NFSH_IO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nft/nl_lin.h"
#include "nft/session.h"
#include "util/err.h"
#include "util/strbuf.h"

#define IO_MAX_WORDS 512 /* words on one restore line */

/* One line split into words with iptables-restore's quoting rules: blanks
 * separate words, "..." quotes (also in the middle of a word), and inside
 * quotes a backslash takes the next character literally. Words point into
 * buf. Returns the number of words, or -1 with e set (unterminated quote,
 * too many words, line too long). */
struct io_words {
	char buf[65536];
	char *w[IO_MAX_WORDS];
	int n;
};
int io_split_line(const char *line, struct io_words *out, struct nfsh_err *e);

/* "[PKTS:BYTES]" -> counters; 0, or -1 when w is not of that form. */
int io_parse_counters(const char *w, uint64_t *packets, uint64_t *bytes);

/* The batch under construction, streamed as text: {"nftables": [ item, item, ...
 * For every item the offset where it ends and the source line it came from, so
 * a kernel error can be mapped back to the user's line. */
/* Alongside, while every item so far is one nl_lin.c linearises, the same
 * batch as netlink messages (msgs; item i's are msg_len[i] bytes at
 * msg_at[i]): then the whole batch goes to the kernel over libnftnl in one
 * transaction, and the text only serves a refusal (libnftables reports it),
 * --emit-json and the stage's re-reading of items. */
struct io_batch {
	struct strbuf text;
	size_t *ends;
	int *lines;
	char (*words)[32]; /* the word an item stands for (a jump target), or "" */
	int n, cap;
	int cur_line;      /* source line of items added now (0: none) */
	char cur_word[32]; /* word of items added now */
	struct strbuf msgs;
	struct nll_ctx lin; /* what the items so far left for later ones (sets) */
	size_t *msg_at;
	uint32_t *msg_len; /* 0: the item was cancelled */
	uint32_t seq;      /* next message number */
	bool text_only;    /* an item nl_lin.c does not know: no msgs */
	int refused;       /* that item (-1: none) */
	bool unknown;      /* applied over netlink, but the answer was lost */
	/* A lazy batch has no text: it is the netlink batch or nothing. When an
	 * item or the kernel leaves it to libnftables, need_text is set, adding
	 * and applying fail, and the caller reads its input again into a batch
	 * with text (restore.c); no_netlink: the kernel refused it, so that one
	 * goes to libnftables alone, which names the line. */
	bool lazy, need_text, no_netlink;
	const char *why_text; /* why need_text (NFSH_WRITE_TRACE) */
	/* Rules built without JSON (lazy batches only; nl_lin_rule.h), each
	 * standing in the batch as a placeholder body until it is added. */
	struct io_fast_rule *fast;
	int nfast, fastcap;
	int nchains; /* chains added without JSON (lazy batches only) */
};
void io_batch_init(struct io_batch *b);
/* A batch without text for a first reading (see lazy above), when nothing
 * rules netlink out from the start (a dry run, NFSH_DEBUG, NFSH_WRITER=nft). */
bool io_batch_may_be_lazy(const struct nfsh_session *s);
void io_batch_init_lazy(struct io_batch *b);
/* A batch with text for the second reading; no_netlink as above. */
void io_batch_init_text(struct io_batch *b, bool no_netlink);
/* Lazy batches: the placeholder rule body the stage carries for a rule built
 * as r (taken over) and comment (copied; NULL: none), or NULL when out of
 * memory (r freed). */
struct nftnl_rule;
json_t *io_batch_fast_body(struct io_batch *b, struct nftnl_rule *r, const char *comment);
/* Something needs the batch's text: a lazy batch gives up (need_text). */
void io_batch_want_text(struct io_batch *b, const char *why);
void io_batch_free(struct io_batch *b);
/* Append cmd (serialised, then released). 0, or -1 on allocation failure. */
int io_batch_add(struct io_batch *b, json_t *cmd);
/* Append the rule command {verb: {"rule": rule}} (rule released): a
 * placeholder's messages are made without building the command. */
int io_batch_add_rule(struct io_batch *b, const char *verb, json_t *rule);
/* Lazy batches: append the "add chain" of d (nl_lin.h) as its message,
 * without the JSON command (-1 for a batch with text). */
struct nll_chain_def;
int io_batch_add_chain(struct io_batch *b, const struct nll_chain_def *d);
/* Item i (text already made a no-op) sends no messages either. */
void io_batch_cancel_msgs(struct io_batch *b, int i);
/* Append every element of the array cmds (released). */
int io_batch_add_all(struct io_batch *b, json_t *cmds);
/* The batch of the first n items as a complete document (malloc'ed). */
char *io_batch_doc(const struct io_batch *b, int n);

/* Apply the batch: over netlink in one transaction when every item has its
 * messages (not for a dry run, NFSH_DEBUG or NFSH_WRITER=nft), otherwise or
 * when the kernel refuses that, through libnftables. On a kernel error, find
 * the first item whose prefix fails in a dry run and return its index in
 * *culprit (-1 when not found). When the netlink batch went out but its
 * answer was lost, -1 with b->unknown set: it must not be sent again. */
int io_batch_apply(struct nfsh_session *s, struct io_batch *b, int *culprit, struct nfsh_err *e);

/* The key of a chain in the sets below: "F T NAME" into k[len] (len > 5;
 * family and table are one digit each), cut to fit. No printf: it runs
 * several times for each line of a bulk restore. */
void io_chain_key(char *k, size_t len, int family, int table, const char *name);

/* Chain name set keyed by family, table and name (open addressing). */
struct io_chainset {
	char (*keys)[40];
	size_t cap, n;
};
void io_cs_init(struct io_chainset *cs);
void io_cs_free(struct io_chainset *cs);
int io_cs_add(struct io_chainset *cs, int family, int table, const char *name);
bool io_cs_has(const struct io_chainset *cs, int family, int table, const char *name);
void io_cs_del(struct io_chainset *cs, int family, int table, const char *name);

/* Render "where:line: msg; hint" on stderr. */
void io_report(const char *where, int line, const struct nfsh_err *e);

/* nfsh's tables of family as the kernel holds them, in its listing order (as
 * iptables-nft-save prints them), read with one listing. Fills tis (at most
 * TBL_COUNT) and returns the count, or -1 with e set. */
struct table_info;
/* The ids of nfsh's tables of family in kernel order, by one netlink dump. */
int io_list_tables_nl(int family, int *ids, int max, struct nfsh_err *e);
int io_read_family(struct nfsh_session *s, int family, struct table_info *tis, struct nfsh_err *e);

/* Jumps of a restore (and of the kernel's chains with --noflush), in input
 * order, to find a loop of chains before the kernel does: libnftables' dry
 * run does not report one (checked on 1.0.6 / 6.18), the commit does. */
struct io_jump {
	char from[40], to[40]; /* io_chainset keys */
	int line;              /* 0: already in the kernel */
	bool dead;             /* its chain was flushed or deleted later */
};
struct io_jumps {
	struct io_jump *v;
	int n, cap;
};
int io_jumps_add(struct io_jumps *j, int family, int table, const char *from, const char *to,
                 int line);
/* Drop the jumps out of chain from (flush) or of the whole table (from NULL). */
void io_jumps_drop(struct io_jumps *j, int family, int table, const char *from);
/* Index of the jump that first closes a loop, -1 when there is none, -2 on
 * allocation failure. */
int io_jumps_find_loop(const struct io_jumps *j);
void io_jumps_free(struct io_jumps *j);

/* One restore or import under construction. */
struct cmd;
struct io_ctx {
	struct nfsh_session s;
	struct io_batch b;
	struct io_chainset cs;
	struct io_jumps jumps;
	int family;
	bool noflush, test, counters, emit_json, verbose;
	int only_table; /* -T: enum nfsh_table, -1 for all */
	const char *where;
	int line;
	int table;           /* table being read (between *T and COMMIT), -1 outside */
	int table_line;      /* where it started */
	unsigned started[3]; /* tables already begun, per family (TBL_BIT) */
	bool skipping;       /* inside a table -T excludes */
	json_t *sets;        /* named sets added so far ("F TABLE NAME" -> true) */
	unsigned decl_sets;  /* sets rules declared so far (ext_decls.nsets) */
	struct stage *stage; /* the chains as the lines so far leave them (cmd/stage.h) */
	bool line_ctr;       /* the current line's [PKTS:BYTES], with -c */
	uint64_t line_p, line_b;
};

/* Start (family, table) in the batch once: replace it (or, with noflush,
 * learn its chains from the kernel) and ensure its built-in chains. */
int io_ctx_table(struct io_ctx *r, struct nfsh_err *e);
/* ":CHAIN POLICY [p:b]" of the current table. */
int io_ctx_chain_line(struct io_ctx *r, struct io_words *w, struct nfsh_err *e);
/* One parsed command (its family and table become current). */
int io_ctx_cmd(struct io_ctx *r, struct cmd *c, bool have_ctr, uint64_t p, uint64_t b,
               struct nfsh_err *e);
/* Replace the rule's shareable anonymous sets (port lists) by named sets,
 * adding each set to the batch the first time. */
int io_share_sets(struct io_ctx *r, json_t *rule, struct nfsh_err *e);
/* Check loops, then apply (or dry-run, or print with emit_json); on error
 * r->line is the culprit's line and e names its word. */
int io_ctx_apply(struct io_ctx *r, struct nfsh_err *e);
/* Free what reading put in r (batch, chain sets, jumps, stage, shared sets),
 * leaving r ready for another read; the session is the caller's. */
void io_ctx_release(struct io_ctx *r);
/* r ready for a (first or second) reading of the same input: a fresh batch,
 * lazy (no text; see struct io_batch) when lazy is set and nothing rules
 * netlink out, else with text (no_netlink: libnftables alone), and the
 * reading's position cleared. After io_ctx_release, or on a zeroed r. */
void io_ctx_begin(struct io_ctx *r, bool lazy, bool no_netlink);
/* Did the first reading give up for one with text? Then r is released and
 * begun again for it, with e cleared, and true is returned. */
bool io_ctx_read_again(struct io_ctx *r, struct nfsh_err *e);

/* The readers without the apply, for nfsh's own callers and the fuzzers: the
 * restore lines of in, or the JSON batch root (ptr gets the JSON pointer of an
 * error), translated into r's batch. Nothing reaches the kernel unless
 * r->noflush is set: rule numbers and specs resolve against the lines before
 * (r->stage), and a table the input replaces starts empty. */
int io_restore_read(struct io_ctx *r, FILE *in, struct nfsh_err *e);
int io_import_read(struct io_ctx *r, json_t *root, char *ptr, size_t ptrlen, struct nfsh_err *e);

#endif

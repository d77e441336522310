/* The interactive shell's state and the entry points its files share. */
#ifndef NFSH_SHELL_SHELL_H
#define NFSH_SHELL_SHELL_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "cmd/cmd.h"
#include "nft/session.h"
#include "nft/snapshot.h"
#include "shell/lex.h"
#include "util/strbuf.h"

#define SHELL_MAX_STAGED 1024

struct shell {
	struct nfsh_session sess;
	bool sess_ok;
	int family;       /* for lines without iptables/ip6tables */
	bool interactive; /* a terminal: prompt, history, completion */
	bool color;       /* stdout is a terminal and NO_COLOR is unset */
	bool keep_going;  /* scripts: carry on after an error */
	bool quit;
	int lineno;      /* scripts: current line number */
	int history_dir; /* the state directory the history file lives in; -1: none */

	/* The candidate (begin ... commit). */
	bool cand;
	json_t *cand_cmds;              /* the staged batch, in order */
	struct stage *cand_stage;       /* the chains as the staged commands leave them */
	char *staged[SHELL_MAX_STAGED]; /* the staged lines, as typed */
	int nstaged;
	char cand_chains[64][NFSH_CHAIN_MAX + 1]; /* chains created by staged -N */
	int ncand_chains;
};

/* shell/exec.c: run one (complete) line. Returns 0 or an exit status. */
int shell_exec(struct shell *sh, const char *line);
/* Print an error under the line with a caret below word index argi of l. */
void shell_error(struct shell *sh, const char *line, const struct lex_line *l, int argi,
                 const struct nfsh_err *e);
void shell_warn(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int shell_session(struct shell *sh, struct nfsh_err *e); /* open on first use */

/* shell/show.c */
int shell_show(struct shell *sh, int argc, char **argv, struct nfsh_err *e);
/* Every nfsh table of both families in -S form, with "*ip filter" headers. */
void shell_print_ruleset(struct nfsh_session *s, FILE *out);

/* shell/help.c */
int help_print(FILE *out, const char *topic, struct nfsh_err *e);

/* shell/candidate.c */
int cand_begin(struct shell *sh, struct nfsh_err *e);
int cand_stage(struct shell *sh, const struct cmd *c, const char *line, struct nfsh_err *e);
int cand_show(struct shell *sh);
int cand_diff(struct shell *sh, struct nfsh_err *e);
int cand_check(struct shell *sh, struct nfsh_err *e);
int cand_commit(struct shell *sh, int argc, char **argv, struct nfsh_err *e);
int cand_abort(struct shell *sh);
void cand_free(struct shell *sh);

/* shell/confirm.c */
/* snap_take, snap_restore_batch: nft/snapshot.h */
/* Keep snap as the newest rollback point. */
int snap_save_rollback(json_t *snap, const char *why, struct nfsh_err *e);
/* Apply cmds; with secs > 0, revert unless confirmed within secs. */
int confirm_apply(struct shell *sh, json_t *cmds, int secs, struct nfsh_err *e);
int confirm_keep(struct shell *sh, struct nfsh_err *e);
/* An armed commit confirmed: the token file's name in the state directory,
 * that directory's descriptor (checked once by confirm_arm, every later access
 * goes through it) and the reverter's pid (0 when unknown). */
struct confirm_token {
	int dfd;
	char name[64];
	pid_t reverter;
};
/* Fork the detached reverter: it restores snap in secs unless the token file
 * is removed first (confirm). t is filled; confirm_release closes it. */
int confirm_arm(json_t *snap, int secs, struct confirm_token *t, struct nfsh_err *e);
/* Remove the token (confirm, or disarm when nothing was applied); false when
 * it was not there any more (the deadline came first). */
bool confirm_disarm(const struct confirm_token *t);
void confirm_release(struct confirm_token *t);
/* Have the reverter of t restore its snapshot now (or let it finish one
 * begun at the deadline) and wait until it has: 0 when it has restored it, 1
 * when the token was confirmed first (`nfsh confirm`), -1 with e set when it
 * failed or ended without restoring. */
int confirm_revert(const struct confirm_token *t, struct nfsh_err *e);
/* Milliseconds of the monotonic clock, for the deadlines: whole seconds of
 * time() would revert a --confirm N up to a second early, and a clock set
 * back or forth would move the deadline. */
long long confirm_clock_ms(void);
/* shell/restore_confirm.c: restore ARGS with --confirm SECONDS in them. */
int confirm_restore_main(int family, int argc, char **argv);
int rollback_run(struct shell *sh, int argc, char **argv, struct nfsh_err *e);
int rollback_show(struct shell *sh, struct nfsh_err *e);
/* $NFSH_STATE_DIR, /var/lib/nfsh (root) or $XDG_STATE_HOME/nfsh (history):
 * created 0700, its path in buf, opened and checked as a private directory
 * (util/privfile.h). Returns the descriptor, or -1 with e set. */
int state_dir_open(char *buf, size_t len, bool for_history, struct nfsh_err *e);

/* shell/lint.c: warnings over -S text (one line per rule). */
struct lint_msg {
	char chain[NFSH_CHAIN_MAX + 1];
	int rulenum; /* 0: about the chain (policy) */
	char text[256];
};
/* Lint the -S text of one table; returns the number of messages (at most max). */
int lint_spec(const char *spec, struct lint_msg *out, int max);
/* Lint nfsh's live filter tables and print the warnings; returns their number. */
int lint_live(struct shell *sh, FILE *out);
/* Warn (before applying) when spec, a filter table's -S text, would drop
 * replies to this host's own connections, an SSH session among them. */
int lint_lockout_warn(struct shell *sh, const char *spec);

#endif

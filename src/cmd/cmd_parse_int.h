/* What the three parts of the iptables command-line parser share: the
 * parser's state and the helpers cmd_parse.c (words, long and short options),
 * cmd_generic.c (iptables' own options: commands, -p, -s, -i, -m, -j, -c ...)
 * and cmd_finish.c (checks across options, address lists expanded into
 * rules) call each other by. Private to src/cmd. */
#ifndef NFSH_CMD_PARSE_INT_H
#define NFSH_CMD_PARSE_INT_H

#include <stdbool.h>

#include "cmd/cmd.h"

/* Index into cmd_options (cmd_parse.c). */
enum {
	GO_APPEND,
	GO_CHECK,
	GO_DELETE,
	GO_INSERT,
	GO_REPLACE,
	GO_LIST,
	GO_SPEC,
	GO_FLUSH,
	GO_ZERO,
	GO_NEWCHAIN,
	GO_DELCHAIN,
	GO_RENAME,
	GO_POLICY,
	GO_HELP,
	GO_VERSION,
	GO_PROTO,
	GO_SRC,
	GO_DST,
	GO_IN,
	GO_OUT,
	GO_FRAG,
	GO_JUMP,
	GO_GOTO,
	GO_MATCH,
	GO_NUMERIC,
	GO_VERBOSE,
	GO_EXACT,
	GO_LINENUM,
	GO_TABLE,
	GO_COUNTERS,
	GO_WAIT,
	GO_WAITINT,
	GO_IPV4,
	GO_IPV6,
	GO_MODPROBE,
	GO_SRC2,
	GO_DST2,
};

#define ADDR_LIST_MAX 4096 /* bytes of one -s or -d list */

struct parser {
	int argc;
	char *const *argv;
	int i; /* next word */
	struct cmd *c;
	struct rule r; /* the rule being built; expanded at the end */
	/* -s and -d lists as given: argv words, alive while the command is parsed */
	const char *srcs, *dsts;
	bool inv; /* a `!` is pending */
	int inv_argi;
	bool rule_opts_seen;     /* an option that only makes sense with a rule */
	char first_rule_opt[64]; /* a copy: short options are spelled in a stack buffer */
	char list_opt[32];       /* the first of -n, -x, --line-numbers: -L only */
	char counters_opt[32];   /* -c as written: not with -D or -C */
	bool table_given;
	unsigned long long opt_seen[NFSH_MAX_MATCHES + 1]; /* per instance: options given */
	struct nfsh_err *e;
};

/* Set a parameter error on word (argv index argi); returns -1. */
int cp_perr(struct parser *p, int argi, const char *word, const char *fmt, const char *a);
/* The next word, when it is an argument (not an option, not `!`). */
const char *cp_peek_arg(struct parser *p);
bool cp_is_number(const char *s);
/* cmd_generic.c */
void cp_note_rule_opt(struct parser *p, const char *word);
int cp_load_match(struct parser *p, const struct ext *x, int argi);
int cp_do_generic(struct parser *p, int go, const char *word, const char *arg, int argi);
/* cmd_finish.c: the checks once every word is read, and the rules made. */
int cp_finish(struct parser *p);

#endif

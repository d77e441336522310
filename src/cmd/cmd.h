/* The iptables command grammar: words -> struct cmd. Parsing never exits and
 * never prints: it returns -1 with an error record naming the offending word. */
#ifndef NFSH_CMD_H
#define NFSH_CMD_H

#include "rule/rule.h"
#include "util/err.h"

enum cmd_op {
	OP_NONE,
	OP_APPEND,   /* -A */
	OP_INSERT,   /* -I */
	OP_DELETE,   /* -D */
	OP_REPLACE,  /* -R */
	OP_CHECK,    /* -C */
	OP_NEWCHAIN, /* -N */
	OP_DELCHAIN, /* -X */
	OP_RENAME,   /* -E */
	OP_FLUSH,    /* -F */
	OP_ZERO,     /* -Z */
	OP_POLICY,   /* -P */
	OP_LIST,     /* -L */
	OP_SPEC,     /* -S */
	OP_HELP,     /* -h */
	OP_VERSION,  /* -V */
};

#define NFSH_MAX_EXPANDED 4096 /* rules one command may expand to (-s a,b -d c,d) */

struct cmd {
	int op;
	int family;
	int table;
	char chain[NFSH_CHAIN_MAX + 1];   /* "" when the command takes none or got none */
	char newname[NFSH_CHAIN_MAX + 1]; /* -E */
	char policy[16];                  /* -P */
	int rulenum;                      /* -I/-D/-R/-Z/-S position, 0 when none */
	bool zero_after_list;             /* -L -Z together */
	bool verbose, numeric, exact, line_numbers;

	/* The rule of -A/-I/-D/-R/-C, expanded over address lists. */
	struct rule *rules;
	int nrules;
};

/* Parse argv[0..argc-1] (without the program name). family is the default
 * (-4/-6 override it). On error c is released and -1 returned. */
int cmd_parse(int argc, char *const *argv, int family, struct cmd *c, struct nfsh_err *e);
void cmd_release(struct cmd *c);
const char *cmd_op_letter(int op); /* "-A", ... for messages */

/* Generic option table, shared with completion and help. */
struct cmd_option {
	const char *longname;
	char shortname;
	int nargs; /* words after it (-1: optional, taken when it does not look like an option) */
	bool invertible; /* `!` allowed before it */
	const char *metavar;
	const char *help;
};
extern const struct cmd_option cmd_options[];
extern const int cmd_noptions;

#endif

/* The completion engine: given the words before the cursor and the partial
 * word under it, what may come next. It reads the same tables the parser
 * does (cmd_options[], the extension registry) and asks the caller for the
 * live names (chains, interfaces, files) through callbacks, so it is pure and
 * unit-testable. One engine serves TAB, `?`, and `nfsh --complete`. */
#ifndef NFSH_SHELL_COMPLETE_H
#define NFSH_SHELL_COMPLETE_H

#include <stdbool.h>

#define COMPL_MAX      512
#define COMPL_TEXT_MAX 256
#define COMPL_HELP_MAX 128

struct compl_item {
	char text[COMPL_TEXT_MAX]; /* the whole word to put in place of the partial one */
	char help[COMPL_HELP_MAX]; /* one line for `?`, may be "" */
	char meta[64];             /* what the option takes (STATE[,STATE...]), may be "" */
	bool value;                /* false: a description only (<ADDR>), not insertable */
};

struct compl_res {
	int n;
	struct compl_item it[COMPL_MAX];
	bool no_space; /* do not append a blank (comma lists, directories, `--opt=`) */
};

enum compl_dyn {
	CD_CHAIN,      /* chain names of (family, table) */
	CD_USER_CHAIN, /* user-defined chains only */
	CD_IFACE,      /* interface names */
	CD_FILE,       /* file names starting with the prefix */
};

/* Where completion runs: the shell accepts built-ins, the command line
 * (`nfsh --complete`) accepts nfsh's subcommands. */
enum compl_mode {
	CM_SHELL,
	CM_ARGV,
};

struct compl_env {
	enum compl_mode mode;
	int family; /* default family (NFSH_IPV4 / NFSH_IPV6) */
	/* Add the live names of kind (with compl_add) that start with prefix. NULL: none. */
	void (*dyn)(void *arg, enum compl_dyn kind, int family, int table, const char *prefix,
	            struct compl_res *res);
	void *arg;
};

/* Complete: words[0..nwords-1] are the complete words before the cursor, cur
 * the partial word ("" at a blank). Fills res (sorted, without duplicates). */
void compl_run(const struct compl_env *env, int nwords, char *const *words, const char *cur,
               struct compl_res *res);

/* Add text with help when it starts with prefix (helpers for callbacks too). */
void compl_add(struct compl_res *res, const char *prefix, const char *text, const char *help);
/* Add a description-only entry ("<ADDR[/MASK]>  source address"). */
void compl_note(struct compl_res *res, const char *what, const char *help);

/* The shell's built-in words (help, show, begin, ...) with one-line help; the
 * shell's dispatcher uses the same table for unique-prefix abbreviation. */
struct shell_builtin {
	const char *name;
	const char *args; /* metavar text, may be NULL */
	const char *help;
};
extern const struct shell_builtin shell_builtins[];
extern const int shell_nbuiltins;
/* Subtopics of `show`. */
extern const struct shell_builtin shell_show_topics[];
extern const int shell_nshow_topics;
/* Resolve a built-in name by exact name or unique prefix: index, -1 unknown,
 * -2 ambiguous. */
int compl_builtin_lookup(const struct shell_builtin *tab, int n, const char *word);

#endif

/* One error record type for the whole program: message, offending word, hint.
 * Parsers fill one of these and return; nothing below main() ever exits. */
#ifndef NFSH_ERR_H
#define NFSH_ERR_H

#include <stdio.h>

/* Exit codes as iptables(8). */
enum nfsh_status {
	NFSH_OK = 0,
	NFSH_EOTHER = 1,  /* other problem (rule not found, chain exists, ...) */
	NFSH_EPARAM = 2,  /* parameter problem: bad word on the command line */
	NFSH_EKERNEL = 4, /* resource or kernel problem */
};

#define NFSH_ERR_MSG  512
#define NFSH_ERR_WORD 256
#define NFSH_ERR_HINT 256

struct nfsh_err {
	int status;               /* enum nfsh_status; 0 while no error */
	int argi;                 /* index of the offending word in its argv, -1 if none */
	char msg[NFSH_ERR_MSG];   /* what is wrong, one line */
	char word[NFSH_ERR_WORD]; /* the offending word, "" if none */
	char hint[NFSH_ERR_HINT]; /* what would be accepted / did you mean, "" if none */
};

void err_clear(struct nfsh_err *e);

/* Fill e and return -1, so callers can write `return err_set(...)`. */
int err_set(struct nfsh_err *e, int status, const char *word, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Add or replace the hint of an error already set. */
void err_hint(struct nfsh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Render "prog: msg" plus the hint on one line (hint after "; "). */
void err_print(FILE *f, const char *prog, const struct nfsh_err *e);

/* Every word ends up as a JSON string or a netlink attribute that nftables
 * reads as text; jansson refuses a string that is not UTF-8 by returning
 * NULL, which the builders would drop without a word (a comment match
 * vanished from its rule). 0 when word is UTF-8, else -1 with e set (the
 * byte named, no word: it is not text). */
int err_check_utf8(struct nfsh_err *e, const char *word);

/* Best "did you mean" candidate among names (NULL-terminated array or count),
 * by edit distance; NULL if nothing is close enough. */
const char *err_closest(const char *word, const char *const *names, int n);

#endif

/* The shell's line lexer: POSIX-like words (single and double quotes,
 * backslash escapes, # comments, trailing \ continuation), each with the span
 * it came from in the line so errors can put a caret under it. */
#ifndef NFSH_SHELL_LEX_H
#define NFSH_SHELL_LEX_H

#include <stdbool.h>

#include "util/err.h"

#define LEX_MAX_WORDS 256
#define LEX_MAX_CHARS 8192

struct lex_word {
	const char *text; /* unquoted text, NUL-terminated, inside lex_line.buf */
	int start, end;   /* byte offsets [start, end) of the word in the line */
};

struct lex_line {
	int nwords;
	struct lex_word w[LEX_MAX_WORDS];
	char *argv[LEX_MAX_WORDS + 1]; /* the texts, NULL-terminated */
	char buf[LEX_MAX_CHARS];
	char open_quote;     /* '\'' or '"' when the line ended inside quotes, else 0 */
	bool continued;      /* the line ended with an unquoted backslash */
	bool trailing_blank; /* the line ended outside any word (completion: new word) */
	bool comment;        /* a # comment ended the line */
};

enum {
	LEX_OK = 0,
	LEX_INCOMPLETE = 1, /* open quote or trailing backslash: more input needed */
};

/* Split line into words. Returns LEX_OK, LEX_INCOMPLETE (words so far kept,
 * the last one partial), or -1 with e naming the problem (too many words, too
 * long). */
int lex_split(const char *line, struct lex_line *l, struct nfsh_err *e);

/* Append s to out (bounded by outlen) quoted so that lex_split gives s back. */
void lex_quote(const char *s, char *out, size_t outlen);

#endif

/* POSIX-like word splitting for shell lines. Offsets are kept per word so that
 * a parser error (which names a word index) can be drawn under the line. */
#include "shell/lex.h"

#include <stdio.h>
#include <string.h>

struct lexer {
	const char *s;
	int i;
	struct lex_line *l;
	size_t used; /* bytes of l->buf taken */
	struct nfsh_err *e;
};

static int put(struct lexer *x, char c)
{
	if (x->used + 1 >= sizeof(x->l->buf))
		return err_set(x->e, NFSH_EPARAM, NULL, "line too long (over %d characters)",
		               LEX_MAX_CHARS);
	x->l->buf[x->used++] = c;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Inside "...": backslash escapes only $ ` " \ and newline, as POSIX says. */
static int dquote(struct lexer *x)
{
	for (;;) {
		char c = x->s[x->i];

		if (!c) {
			x->l->open_quote = '"';
			return LEX_INCOMPLETE;
		}
		x->i++;
		if (c == '"')
			return 0;
		if (c == '\\' && x->s[x->i] && strchr("$`\"\\\n", x->s[x->i])) {
			c = x->s[x->i++];
			if (c == '\n')
				continue;
		}
		if (put(x, c) < 0)
			return -1;
	}
}

static int squote(struct lexer *x)
{
	for (;;) {
		char c = x->s[x->i];

		if (!c) {
			x->l->open_quote = '\'';
			return LEX_INCOMPLETE;
		}
		x->i++;
		if (c == '\'')
			return 0;
		if (put(x, c) < 0)
			return -1;
	}
}

/* One word starting at x->i (not blank, not #). */
static int word(struct lexer *x)
{
	struct lex_line *l = x->l;
	struct lex_word *w;
	int rc = 0;

	if (l->nwords >= LEX_MAX_WORDS)
		return err_set(x->e, NFSH_EPARAM, NULL, "too many words (over %d)", LEX_MAX_WORDS);
	w = &l->w[l->nwords];
	w->start = x->i;
	w->text = l->buf + x->used;
	while (rc == 0 && x->s[x->i] && !is_blank(x->s[x->i])) {
		char c = x->s[x->i++];

		if (c == '\'')
			rc = squote(x);
		else if (c == '"')
			rc = dquote(x);
		else if (c == '\\') {
			if (!x->s[x->i]) {
				l->continued = true;
				rc = LEX_INCOMPLETE;
			} else if (x->s[x->i] == '\n') {
				x->i++;
			} else {
				rc = put(x, x->s[x->i++]);
			}
		} else {
			rc = put(x, c);
		}
	}
	if (rc < 0)
		return -1;
	w->end = x->i;
	if (put(x, '\0') < 0)
		return -1;
	l->argv[l->nwords] = (char *)w->text;
	l->nwords++;
	return rc;
}

int lex_split(const char *line, struct lex_line *l, struct nfsh_err *e)
{
	struct lexer x = {line, 0, l, 0, e};
	int rc = LEX_OK;

	err_clear(e);
	l->nwords = 0;
	l->open_quote = 0;
	l->continued = false;
	l->comment = false;
	l->trailing_blank = true;
	for (;;) {
		while (is_blank(line[x.i]))
			x.i++;
		if (!line[x.i])
			break;
		if (line[x.i] == '#') {
			l->comment = true;
			break;
		}
		/* A backslash-newline between words is a blank. */
		if (line[x.i] == '\\' && line[x.i + 1] == '\n') {
			x.i += 2;
			continue;
		}
		/* A lone trailing backslash after a blank continues the line too. */
		if (line[x.i] == '\\' && !line[x.i + 1]) {
			l->continued = true;
			rc = LEX_INCOMPLETE;
			break;
		}
		rc = word(&x);
		if (rc < 0) {
			l->argv[l->nwords] = NULL;
			return -1;
		}
		if (rc == LEX_INCOMPLETE) {
			l->trailing_blank = l->continued && l->w[l->nwords - 1].text[0] == '\0';
			if (l->continued && l->w[l->nwords - 1].text[0] == '\0')
				l->nwords--;
			break;
		}
		l->trailing_blank = line[x.i] != '\0';
	}
	l->argv[l->nwords] = NULL;
	return rc;
}

void lex_quote(const char *s, char *out, size_t outlen)
{
	size_t n = 0;
	bool plain = *s != '\0';

	for (const char *p = s; *p; p++)
		if (!strchr(
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/+=@%",
		        *p))
			plain = false;
	if (!outlen)
		return;
	if (plain) {
		snprintf(out, outlen, "%s", s);
		return;
	}
	out[n++] = '\'';
	for (const char *p = s; *p && n + 5 < outlen; p++) {
		if (*p == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *p;
		}
	}
	if (n + 1 < outlen)
		out[n++] = '\'';
	out[n < outlen ? n : outlen - 1] = '\0';
}

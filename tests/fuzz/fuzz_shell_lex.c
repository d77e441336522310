/* The shell's line lexer (shell/lex.h) on arbitrary lines: it must never
 * crash, every word must lie inside the line and inside the buffer, and what
 * lex_quote makes of a word must lex back to that word. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell/lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lex_line l, back;
	char *line = malloc(size + 1);
	struct nfsh_err e;
	int rc;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	err_clear(&e);
	rc = lex_split(line, &l, &e);
	if (rc < 0 && !e.msg[0])
		abort(); /* a failure without an error record */
	if (rc >= 0) {
		size_t len = strlen(line);

		if (l.nwords < 0 || l.nwords > LEX_MAX_WORDS || l.argv[l.nwords])
			abort();
		for (int i = 0; i < l.nwords; i++) {
			const struct lex_word *w = &l.w[i];
			char q[2 * LEX_MAX_CHARS + 8];

			if (w->start < 0 || w->end < w->start || (size_t)w->end > len ||
			    w->text < l.buf || w->text >= l.buf + sizeof(l.buf) ||
			    l.argv[i] != w->text)
				abort();
			if (rc != LEX_OK || strlen(w->text) >= sizeof(q) / 4)
				continue;
			q[0] = '\0';
			lex_quote(w->text, q, sizeof(q));
			err_clear(&e);
			if (lex_split(q, &back, &e) != LEX_OK || back.nwords != 1 ||
			    strcmp(back.w[0].text, w->text))
				abort(); /* quoting does not round-trip */
		}
	}
	free(line);
	return 0;
}

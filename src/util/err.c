#include "err.h"
#include "strbuf.h"

#include <stdarg.h>
#include <string.h>

void err_clear(struct nfsh_err *e)
{
	memset(e, 0, sizeof(*e));
	e->argi = -1;
}

int err_set(struct nfsh_err *e, int status, const char *word, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->status = status ? status : NFSH_EOTHER;
	snprintf(e->word, sizeof(e->word), "%s", word ? word : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->hint[0] = '\0';
	return -1;
}

void err_hint(struct nfsh_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
}

void err_print(FILE *f, const char *prog, const struct nfsh_err *e)
{
	if (e->hint[0])
		fprintf(f, "%s: %s; %s\n", prog, e->msg, e->hint);
	else
		fprintf(f, "%s: %s\n", prog, e->msg);
}

/* Levenshtein distance, bounded to short words (option and keyword names). */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64], prev, tmp;

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			int best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *err_closest(const char *word, const char *const *names, int n)
{
	const char *best = NULL;
	int bestd = 3, limit = (int)strlen(word) / 3 + 1;

	if (limit > 2)
		limit = 2;
	for (int i = 0; (n < 0 ? names[i] != NULL : i < n); i++) {
		int d = edit_distance(word, names[i]);

		if (d < bestd && d <= limit) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}

int err_check_utf8(struct nfsh_err *e, const char *word)
{
	long bad = str_utf8_bad(word);

	if (bad < 0)
		return 0;
	/* The word itself is not printed whole: it is not text. */
	if (bad == 0)
		err_set(e, NFSH_EPARAM, NULL,
		        "a word starts with byte 0x%02x, which is not valid UTF-8",
		        (unsigned char)word[0]);
	else
		err_set(e, NFSH_EPARAM, NULL,
		        "\"%.*s\" is followed by byte 0x%02x, which is not valid UTF-8",
		        (int)(bad < 40 ? bad : 40), word + (bad < 40 ? 0 : bad - 40),
		        (unsigned char)word[bad]);
	err_hint(e, "nftables keeps names, comments and prefixes as UTF-8 text");
	return -1;
}

/* Lexing iptables-restore input: words with its quoting rules, "[p:b]"
 * counters, and the small chain-name set used to check jumps before the
 * kernel sees them. */
#include "io/io.h"
#include "util/strbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push_word(struct io_words *out, char *start, struct nfsh_err *e)
{
	if (out->n >= IO_MAX_WORDS)
		return err_set(e, NFSH_EPARAM, NULL, "too many words on one line (at most %d)",
		               IO_MAX_WORDS);
	out->w[out->n++] = start;
	return 0;
}

int io_split_line(const char *line, struct io_words *out, struct nfsh_err *e)
{
	size_t o = 0, cap = sizeof(out->buf);
	bool quoted = false, escaped = false, inword = false;
	char *start = out->buf;

	out->n = 0;
	for (const char *p = line;; p++) {
		char c = *p;

		if (o + 2 >= cap)
			return err_set(e, NFSH_EPARAM, NULL, "line too long (at most %zu bytes)",
			               cap - 2);
		if (c == '\0') {
			if (quoted)
				return err_set(e, NFSH_EPARAM, NULL, "unterminated quote");
			if (inword) {
				out->buf[o++] = '\0';
				if (push_word(out, start, e) < 0)
					return -1;
			}
			return out->n;
		}
		if (quoted) {
			if (escaped) {
				out->buf[o++] = c;
				escaped = false;
			} else if (c == '\\') {
				escaped = true;
			} else if (c == '"') {
				/* As iptables-restore: a closing quote ends the word, even "". */
				quoted = false;
				out->buf[o++] = '\0';
				if (push_word(out, start, e) < 0)
					return -1;
				start = out->buf + o;
				inword = false;
			} else {
				out->buf[o++] = c;
			}
			continue;
		}
		if (c == '"') {
			quoted = true;
			inword = true;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (!inword)
				continue;
			out->buf[o++] = '\0';
			if (push_word(out, start, e) < 0)
				return -1;
			start = out->buf + o;
			inword = false;
			continue;
		}
		out->buf[o++] = c;
		inword = true;
	}
}

/* strtoull, as sscanf's %u reads (blanks and a sign before the digits), but
 * not through sscanf: its set-up for every chain line's "[0:0]" cost more
 * than the rest of the line. NULL when there is no digit. */
static const char *read_u64(const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 10);
	return end == s ? NULL : end;
}

int io_parse_counters(const char *w, uint64_t *packets, uint64_t *bytes)
{
	const char *p;

	if (w[0] != '[' || strchr(w, '-') || !(p = read_u64(w + 1, packets)) || *p != ':' ||
	    !(p = read_u64(p + 1, bytes)) || *p != ']' || w[strlen(w) - 1] != ']')
		return -1;
	return 0;
}

void io_report(const char *where, int line, const struct nfsh_err *e)
{
	if (line > 0)
		fprintf(stderr, "%s:%d: %s", where, line, e->msg);
	else
		fprintf(stderr, "%s: %s", where, e->msg);
	if (e->hint[0])
		fprintf(stderr, "; %s", e->hint);
	fputc('\n', stderr);
}

/* Chain set: keys "F T NAME" in a power-of-two table with linear probing;
 * deleted slots keep a tombstone ("\x01"). */
void io_chain_key(char *k, size_t len, int family, int table, const char *name)
{
	size_t n = strnlen(name, len - 5);

	k[0] = (char)('0' + family % 10);
	k[1] = ' ';
	k[2] = (char)('0' + table % 10);
	k[3] = ' ';
	memcpy(k + 4, name, n);
	k[4 + n] = '\0';
}

void io_cs_init(struct io_chainset *cs)
{
	memset(cs, 0, sizeof(*cs));
}

void io_cs_free(struct io_chainset *cs)
{
	free(cs->keys);
	memset(cs, 0, sizeof(*cs));
}

static long find_slot(const struct io_chainset *cs, const char *k, bool for_insert)
{
	size_t i;

	if (!cs->cap)
		return -1;
	i = str_hash(k) & (cs->cap - 1);
	for (size_t probes = 0; probes < cs->cap; probes++, i = (i + 1) & (cs->cap - 1)) {
		const char *s = cs->keys[i];

		if (!s[0])
			return for_insert ? (long)i : -1;
		if (strcmp(s, k) == 0)
			return (long)i;
	}
	return -1;
}

static int grow(struct io_chainset *cs)
{
	struct io_chainset n = {.cap = cs->cap ? cs->cap * 2 : 256};

	n.keys = calloc(n.cap, sizeof(*n.keys));
	if (!n.keys)
		return -1;
	for (size_t i = 0; i < cs->cap; i++) {
		long s;

		if (!cs->keys[i][0] || cs->keys[i][0] == '\x01')
			continue;
		s = find_slot(&n, cs->keys[i], true);
		memcpy(n.keys[s], cs->keys[i], sizeof(n.keys[s]));
		n.n++;
	}
	free(cs->keys);
	*cs = n;
	return 0;
}

int io_cs_add(struct io_chainset *cs, int family, int table, const char *name)
{
	char k[40];
	long s;

	io_chain_key(k, sizeof(k), family, table, name);
	if (find_slot(cs, k, false) >= 0)
		return 0;
	if ((cs->n + 1) * 2 > cs->cap && grow(cs) < 0)
		return -1;
	s = find_slot(cs, k, true);
	memcpy(cs->keys[s], k, sizeof(k));
	cs->n++;
	return 0;
}

bool io_cs_has(const struct io_chainset *cs, int family, int table, const char *name)
{
	char k[40];

	io_chain_key(k, sizeof(k), family, table, name);
	return find_slot(cs, k, false) >= 0;
}

void io_cs_del(struct io_chainset *cs, int family, int table, const char *name)
{
	char k[40];
	long s;

	io_chain_key(k, sizeof(k), family, table, name);
	s = find_slot(cs, k, false);
	if (s >= 0)
		snprintf(cs->keys[s], sizeof(cs->keys[s]), "\x01");
}

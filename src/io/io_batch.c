/* The batch of a whole restore or import, streamed as JSON text item by item
 * (no jansson tree of the whole ruleset is kept), with the source line of
 * every item, and the search for the item the kernel refused. */
#include "io/io.h"

#include <stdlib.h>
#include <string.h>

#define DOC_HEAD "{\"nftables\": ["
#define DOC_TAIL "]}"

void io_batch_init(struct io_batch *b)
{
	memset(b, 0, sizeof(*b));
	sb_init(&b->text);
	sb_add(&b->text, DOC_HEAD);
}

void io_batch_free(struct io_batch *b)
{
	sb_free(&b->text);
	free(b->ends);
	free(b->lines);
	free(b->words);
	memset(b, 0, sizeof(*b));
}

/* Compact JSON text of v appended to sb. jansson's json_dumps was 40% of a
 * bulk restore's own time (a callback and a printf per token); this writes
 * straight into the buffer. Object keys keep jansson's insertion order. */
static void dump_int(struct strbuf *sb, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	sb_addn(sb, p, (size_t)(buf + sizeof(buf) - p));
}

static void dump_str(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	sb_addc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		sb_addn(sb, s + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			sb_addn(sb, esc, 2);
		} else {
			sb_addn(sb, esc, 6);
		}
	}
	sb_addn(sb, s + len - run, run);
	sb_addc(sb, '"');
}

static void dump(struct strbuf *sb, json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		sb_addc(sb, '{');
		json_object_foreach(v, k, x)
		{
			if (!first)
				sb_addc(sb, ',');
			first = false;
			dump_str(sb, k, strlen(k));
			sb_addc(sb, ':');
			dump(sb, x);
		}
		sb_addc(sb, '}');
		break;
	case JSON_ARRAY:
		sb_addc(sb, '[');
		json_array_foreach(v, i, x)
		{
			if (i)
				sb_addc(sb, ',');
			dump(sb, x);
		}
		sb_addc(sb, ']');
		break;
	case JSON_STRING:
		dump_str(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		dump_int(sb, json_integer_value(v));
		break;
	case JSON_REAL:
		sb_addf(sb, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		sb_add(sb, "true");
		break;
	case JSON_FALSE:
		sb_add(sb, "false");
		break;
	default:
		sb_add(sb, "null");
	}
}

int io_batch_add(struct io_batch *b, json_t *cmd)
{
	if (!cmd)
		return -1;
	if (b->n == b->cap) {
		int cap = b->cap ? b->cap * 2 : 1024;
		size_t *ends = realloc(b->ends, (size_t)cap * sizeof(*ends));
		int *lines;
		char(*words)[32];

		if (!ends) {
			json_decref(cmd);
			return -1;
		}
		b->ends = ends;
		lines = realloc(b->lines, (size_t)cap * sizeof(*lines));
		if (!lines) {
			json_decref(cmd);
			return -1;
		}
		b->lines = lines;
		words = realloc(b->words, (size_t)cap * sizeof(*words));
		if (!words) {
			json_decref(cmd);
			return -1;
		}
		b->words = words;
		b->cap = cap;
	}
	if (b->n)
		sb_addc(&b->text, ',');
	dump(&b->text, cmd);
	json_decref(cmd);
	if (b->text.oom)
		return -1;
	b->ends[b->n] = b->text.len;
	b->lines[b->n] = b->cur_line;
	memcpy(b->words[b->n], b->cur_word, sizeof(b->words[b->n]));
	b->n++;
	return 0;
}

int io_batch_add_all(struct io_batch *b, json_t *cmds)
{
	size_t i;
	json_t *c;
	int rc = 0;

	json_array_foreach(cmds, i, c)
	{
		if (rc == 0 && io_batch_add(b, json_incref(c)) < 0)
			rc = -1;
	}
	json_decref(cmds);
	return rc;
}

char *io_batch_doc(const struct io_batch *b, int n)
{
	size_t len = n > 0 ? b->ends[n - 1] : strlen(DOC_HEAD);
	char *doc = malloc(len + sizeof(DOC_TAIL));

	if (!doc)
		return NULL;
	memcpy(doc, b->text.buf, len);
	memcpy(doc + len, DOC_TAIL, sizeof(DOC_TAIL));
	return doc;
}

/* Does a dry run of the first n items fail? */
static bool fails(struct nfsh_session *s, const struct io_batch *b, int n)
{
	char *doc = io_batch_doc(b, n);
	struct nfsh_err e2;
	int rc;

	if (!doc)
		return false;
	err_clear(&e2);
	rc = sess_apply_text(s, doc, &e2);
	free(doc);
	return rc < 0;
}

/* Smallest n such that the first n items fail in a dry run: the n-1'th item
 * is the culprit. Prefixes of a batch that is valid up to k stay valid, so a
 * binary search finds it in log2(n) dry runs. */
static int bisect(struct nfsh_session *s, const struct io_batch *b)
{
	int lo = 1, hi = b->n; /* invariant: prefix hi fails */
	bool dry = s->dry_run;

	s->dry_run = true;
	/* An error only the commit raises cannot be bisected with dry runs:
	 * then no item is blamed rather than the wrong one. */
	if (!fails(s, b, hi)) {
		s->dry_run = dry;
		return -1;
	}
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (fails(s, b, mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	s->dry_run = dry;
	return hi - 1;
}

int io_batch_apply(struct nfsh_session *s, struct io_batch *b, int *culprit, struct nfsh_err *e)
{
	char *doc;
	int rc;

	*culprit = -1;
	if (!b->n)
		return 0;
	/* Close the document in place and reopen it afterwards. */
	sb_add(&b->text, DOC_TAIL);
	if (b->text.oom)
		return err_set(e, NFSH_EKERNEL, NULL, "out of memory building the batch");
	doc = b->text.buf;
	rc = sess_apply_text(s, doc, e);
	b->text.len -= strlen(DOC_TAIL);
	b->text.buf[b->text.len] = '\0';
	if (rc < 0)
		*culprit = bisect(s, b);
	return rc;
}

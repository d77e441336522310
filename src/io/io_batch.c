/* The batch of a whole restore or import, streamed as JSON text item by item
 * (no jansson tree of the whole ruleset is kept), with the source line of
 * every item, and the search for the item the kernel refused. Alongside, the
 * same batch as netlink messages; a lazy batch (a restore's first reading)
 * is only those, and rules built without JSON stand in it as placeholders. */
#include "io/io.h"
#include "nft/batch.h"
#include "nft/nl_lin.h"
#include "nft/nl_write.h"

#include <libnftnl/rule.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DOC_HEAD "{\"nftables\": ["
#define DOC_TAIL "]}"

/* A placeholder rule body: {"nfsh-fast": index into b->fast}. */
#define FAST_KEY "nfsh-fast"

struct io_fast_rule {
	struct nftnl_rule *r; /* NULL once its message is made */
	char *comment;
};

void io_batch_init(struct io_batch *b)
{
	memset(b, 0, sizeof(*b));
	sb_init(&b->text);
	sb_add(&b->text, DOC_HEAD);
	sb_init(&b->msgs);
	nll_ctx_init(&b->lin);
	b->seq = (uint32_t)time(NULL);
	b->refused = -1;
}

void io_batch_init_lazy(struct io_batch *b)
{
	io_batch_init(b);
	b->lazy = true;
}

/* no_netlink: the messages would only be made to be thrown away. */
void io_batch_init_text(struct io_batch *b, bool no_netlink)
{
	io_batch_init(b);
	if (no_netlink) {
		sb_free(&b->msgs);
		nll_ctx_free(&b->lin);
		b->text_only = true;
		b->no_netlink = true;
	}
}

static bool trace(void)
{
	const char *t = getenv("NFSH_WRITE_TRACE");

	return t && !strcmp(t, "1");
}

void io_batch_want_text(struct io_batch *b, const char *why)
{
	if (!b->lazy || b->need_text)
		return;
	b->need_text = true;
	b->why_text = why;
	if (trace())
		fprintf(stderr, "nfsh: write: %s; reading the input again for libnftables\n", why);
}

static void free_fast(struct io_fast_rule *f)
{
	if (f->r)
		nftnl_rule_free(f->r);
	free(f->comment);
	f->r = NULL;
	f->comment = NULL;
}

json_t *io_batch_fast_body(struct io_batch *b, struct nftnl_rule *r, const char *comment)
{
	struct io_fast_rule *f;
	json_t *o;

	if (b->nfast == b->fastcap) {
		int cap = b->fastcap ? b->fastcap * 2 : 1024;
		struct io_fast_rule *v = realloc(b->fast, (size_t)cap * sizeof(*v));

		if (!v) {
			nftnl_rule_free(r);
			return NULL;
		}
		b->fast = v;
		b->fastcap = cap;
	}
	f = &b->fast[b->nfast];
	f->r = r;
	f->comment = comment ? strdup(comment) : NULL;
	o = json_object();
	if ((comment && !f->comment) || !o ||
	    json_object_set_new_nocheck(o, FAST_KEY, json_integer(b->nfast)) < 0) {
		free_fast(f);
		json_decref(o);
		return NULL;
	}
	b->nfast++;
	return o;
}

/* No netlink batch any more: everything goes through libnftables. */
static void drop_msgs(struct io_batch *b)
{
	sb_free(&b->msgs);
	nll_ctx_free(&b->lin);
	free(b->msg_at);
	free(b->msg_len);
	b->msg_at = NULL;
	b->msg_len = NULL;
	b->text_only = true;
}

void io_batch_free(struct io_batch *b)
{
	for (int i = 0; i < b->nfast; i++)
		free_fast(&b->fast[i]);
	free(b->fast);
	sb_free(&b->text);
	free(b->ends);
	free(b->lines);
	free(b->words);
	drop_msgs(b);
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

/* One character: the common case writes in place (sb_addc's call chain
 * was a third of dump's samples in a 50k-rule restore). */
static inline void put(struct strbuf *sb, char c)
{
	if (!sb->oom && sb->len + 1 < sb->cap) {
		sb->buf[sb->len++] = c;
		sb->buf[sb->len] = '\0';
	} else {
		sb_addc(sb, c);
	}
}

static void dump_str(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	put(sb, '"');
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
	put(sb, '"');
}

static void dump(struct strbuf *sb, json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put(sb, '{');
		json_object_foreach(v, k, x)
		{
			if (!first)
				put(sb, ',');
			first = false;
			dump_str(sb, k, strlen(k));
			put(sb, ':');
			dump(sb, x);
		}
		put(sb, '}');
		break;
	case JSON_ARRAY:
		put(sb, '[');
		json_array_foreach(v, i, x)
		{
			if (i)
				put(sb, ',');
			dump(sb, x);
		}
		put(sb, ']');
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

/* Room for cap items in every per-item array; false on allocation failure
 * (the arrays that grew stay valid). */
static bool grow(struct io_batch *b, int cap)
{
	size_t *ends = realloc(b->ends, (size_t)cap * sizeof(*ends)), *at;
	int *lines;
	char(*words)[32];
	uint32_t *len;

	if (!ends)
		return false;
	b->ends = ends;
	if (!(lines = realloc(b->lines, (size_t)cap * sizeof(*lines))))
		return false;
	b->lines = lines;
	if (!(words = realloc(b->words, (size_t)cap * sizeof(*words))))
		return false;
	b->words = words;
	if (!b->text_only) {
		if (!(at = realloc(b->msg_at, (size_t)cap * sizeof(*at))))
			return false;
		b->msg_at = at;
		if (!(len = realloc(b->msg_len, (size_t)cap * sizeof(*len))))
			return false;
		b->msg_len = len;
	}
	b->cap = cap;
	return true;
}

/* The rule a placeholder rule object {"nfsh-fast": k[, "handle": h]} stands
 * for: 1 with *f and *h; 0: body is no placeholder; -1: a placeholder with
 * more (an "index" only libnftables resolves). */
static int fast_rule(struct io_batch *b, json_t *body, struct io_fast_rule **f, uint64_t *h)
{
	json_t *k = b->nfast ? json_object_get(body, FAST_KEY) : NULL, *hv;
	size_t n = json_object_size(body);
	json_int_t i;

	if (!k)
		return 0;
	/* Alone, the key is the placeholder's: no handle to look for. */
	hv = n > 1 ? json_object_get(body, "handle") : NULL;
	i = json_integer_value(k);
	if (n != (hv ? 2u : 1u) || i < 0 || i >= b->nfast || !b->fast[i].r ||
	    (hv && json_integer_value(hv) <= 0))
		return -1;
	*f = &b->fast[i];
	*h = hv ? (uint64_t)json_integer_value(hv) : 0;
	return 1;
}

/* The messages of a placeholder's rule after the others, 1 or -1; the rule
 * is spent (a lazy batch re-adds no item: rule_of wants the text). */
static int fast_msgs(struct io_batch *b, const char *verb, struct io_fast_rule *f, uint64_t h)
{
	int n = nll_rule_item(&b->msgs, verb, f->r, h, f->comment, &b->seq);

	free_fast(f);
	return n;
}

/* The messages of cmd after the others: 1 or more, or -1. A placeholder
 * item is {verb: {"rule": placeholder}}. */
static int item_msgs(struct io_batch *b, json_t *cmd)
{
	void *it = b->nfast ? json_object_iter(cmd) : NULL;
	json_t *body = it ? json_object_get(json_object_iter_value(it), "rule") : NULL;
	struct io_fast_rule *f;
	uint64_t h;
	int n = body ? fast_rule(b, body, &f, &h) : 0;

	if (n == 0)
		return nll_batch_item(&b->lin, &b->msgs, cmd, &b->seq);
	return n < 0 ? -1 : fast_msgs(b, json_object_iter_key(it), f, h);
}

/* The item's messages (n of them, or -1: made from b->msgs.len at on) are
 * the next item's; the first item nl_lin.c does not know (or a batch too
 * long to count in 32 bits) ends the netlink batch. */
static void note_msgs(struct io_batch *b, size_t at, int n)
{
	if (n < 0 || b->msgs.oom || b->msgs.len - at > UINT32_MAX) {
		b->refused = b->n;
		drop_msgs(b);
		io_batch_want_text(b, "an item netlink does not take");
		return;
	}
	b->msg_at[b->n] = at;
	b->msg_len[b->n] = (uint32_t)(b->msgs.len - at);
}

static void linearise(struct io_batch *b, json_t *cmd)
{
	size_t at = b->msgs.len;

	if (!b->text_only)
		note_msgs(b, at, item_msgs(b, cmd));
}

void io_batch_cancel_msgs(struct io_batch *b, int i)
{
	if (!b->text_only && i >= 0 && i < b->n)
		b->msg_len[i] = 0;
}

/* Room for one more item; -1 when there is none or the batch gave up. */
static int make_room(struct io_batch *b)
{
	if (b->need_text || (b->n == b->cap && !grow(b, b->cap ? b->cap * 2 : 1024)))
		return -1;
	return 0;
}

/* The item whose text and messages were just made is the next. */
static int end_item(struct io_batch *b)
{
	if (b->need_text || b->text.oom)
		return -1;
	b->ends[b->n] = b->text.len;
	b->lines[b->n] = b->cur_line;
	memcpy(b->words[b->n], b->cur_word, sizeof(b->words[b->n]));
	b->n++;
	return 0;
}

int io_batch_add(struct io_batch *b, json_t *cmd)
{
	if (!cmd)
		return -1;
	if (make_room(b) < 0) {
		json_decref(cmd);
		return -1;
	}
	linearise(b, cmd);
	if (!b->lazy) {
		if (b->n)
			sb_addc(&b->text, ',');
		dump(&b->text, cmd);
	}
	json_decref(cmd);
	return end_item(b);
}

int io_batch_add_rule(struct io_batch *b, const char *verb, json_t *rule)
{
	struct io_fast_rule *f;
	size_t at = b->msgs.len;
	uint64_t h;
	int n;

	/* A placeholder is only ever in a lazy batch, which has no text. */
	if (!b->lazy || b->text_only || !rule || (n = fast_rule(b, rule, &f, &h)) == 0)
		return io_batch_add(b, rule ? nftb_command(verb, "rule", rule) : NULL);
	if (make_room(b) < 0) {
		json_decref(rule);
		return -1;
	}
	note_msgs(b, at, n < 0 ? -1 : fast_msgs(b, verb, f, h));
	json_decref(rule);
	return end_item(b);
}

int io_batch_add_chain(struct io_batch *b, const struct nll_chain_def *d)
{
	size_t at = b->msgs.len;

	/* Only a lazy batch, which has no text, goes without the JSON. */
	if (!b->lazy || make_room(b) < 0)
		return -1;
	if (!b->text_only)
		note_msgs(b, at, nll_chain_item(&b->msgs, d, false, &b->seq));
	b->nchains++;
	return end_item(b);
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

/* Why the batch goes through libnftables, for NFSH_WRITE_TRACE: why (a dry
 * run, ...; NULL: none but the item) and the first item not linearised. */
static void trace_text_only(const struct io_batch *b, const char *why)
{
	int i = b->refused;
	size_t at, len;

	if (!trace())
		return;
	fprintf(stderr, "nfsh: write: libnftables (%d items%s%s", b->n, why ? "; " : "",
	        why ? why : "");
	if (i >= 0) {
		at = i ? b->ends[i - 1] + 1 : strlen(DOC_HEAD);
		len = b->ends[i] - at;
		fprintf(stderr, "; item %d, line %d, not linearised: %.*s%s", i + 1, b->lines[i],
		        len > 160 ? 160 : (int)len, b->text.buf + at, len > 160 ? "..." : "");
	}
	fprintf(stderr, ")\n");
}

/* Why netlink is not even tried (NULL: it is). */
static const char *not_netlink(const struct nfsh_session *s, const struct io_batch *b)
{
	const char *w = getenv("NFSH_WRITER");

	if (s->dry_run)
		return "dry run";
	if (s->debug)
		return "NFSH_DEBUG";
	if (w && !strcmp(w, "nft"))
		return "NFSH_WRITER=nft";
	if (!b)
		return NULL;
	if (b->no_netlink)
		return "the kernel refused the netlink batch";
	return b->text_only ? "" : NULL;
}

bool io_batch_may_be_lazy(const struct nfsh_session *s)
{
	return !not_netlink(s, NULL);
}

/* The messages of the items not cancelled, moved together; *gone counts
 * the cancelled items. */
static size_t compact_msgs(struct io_batch *b, int *gone)
{
	size_t to = 0;

	*gone = 0;
	for (int i = 0; i < b->n; i++) {
		if (!b->msg_len[i])
			++*gone;
		else if (b->msg_at[i] != to)
			memmove(b->msgs.buf + to, b->msgs.buf + b->msg_at[i], b->msg_len[i]);
		to += b->msg_len[i];
	}
	return to;
}

/* The whole batch over netlink; the messages are spent either way. */
static enum nlw_result apply_msgs(struct io_batch *b, int *errp, size_t *lenp)
{
	int err = 0, gone;
	size_t len = compact_msgs(b, &gone);
	enum nlw_result rc = NLW_APPLIED;

	if (len)
		rc = nlw_apply_msgs(b->msgs.buf, len, b->seq, &err);
	*errp = err;
	*lenp = len;
	if (trace()) {
		fprintf(stderr, "nfsh: write: ");
		if (rc == NLW_APPLIED)
			fprintf(
			    stderr,
			    "netlink, one transaction (%d items, %d cancelled, %d rules without "
			    "JSON, %d chains without JSON, %zu bytes)\n",
			    b->n, gone, b->nfast, b->nchains, len);
		else if (rc == NLW_NOT_APPLIED && err == EMSGSIZE)
			fprintf(stderr, "netlink batch not sent (%s)\n", strerror(err));
		else if (rc == NLW_NOT_APPLIED)
			fprintf(stderr, "netlink batch not applied (%s); libnftables\n",
			        err ? strerror(err) : "generation unchanged");
		else
			fprintf(stderr, "netlink batch sent, no answer\n");
	}
	drop_msgs(b);
	b->refused = -1;
	return rc;
}

/* A batch longer than the socket may send (EMSGSIZE): no line is to blame,
 * and libnftables fails the same way (it too sends the transaction as one
 * datagram). len: its bytes, 0 when not known. */
static int too_long(size_t len, struct nfsh_err *e)
{
	char size[48] = "";

	if (len)
		snprintf(size, sizeof(size), " (%zu bytes)", len);
	err_set(e, NFSH_EKERNEL, NULL,
	        "the batch%s is longer than this netlink socket may send; nothing was applied",
	        size);
	err_hint(e, "raise net.core.wmem_max above it (a larger send buffer needs CAP_NET_ADMIN "
	            "in the initial namespace, which a user namespace lacks), or load the rules "
	            "in parts");
	return -1;
}

int io_batch_apply(struct nfsh_session *s, struct io_batch *b, int *culprit, struct nfsh_err *e)
{
	const char *why;
	char *doc;
	int rc;

	*culprit = -1;
	if (!b->n)
		return 0;
	why = not_netlink(s, b);
	if (!why) {
		size_t len;
		int err;
		enum nlw_result w = apply_msgs(b, &err, &len);

		if (w == NLW_APPLIED)
			return 0;
		if (w == NLW_NOT_APPLIED && err == EMSGSIZE)
			return too_long(len, e);
		if (w == NLW_UNKNOWN) {
			b->unknown = true;
			return err_set(e, NFSH_EKERNEL, NULL,
			               "no answer from the kernel after the batch was sent; "
			               "whether it was applied is not known");
		}
		if (b->lazy) {
			/* Nothing was applied; libnftables is to say which line. */
			b->no_netlink = true;
			io_batch_want_text(b, "the kernel refused the netlink batch");
			return err_set(e, NFSH_EKERNEL, NULL, "the kernel refused the batch");
		}
	} else if (b->lazy) {
		io_batch_want_text(b, why);
		return err_set(e, NFSH_EKERNEL, NULL, "the batch needs libnftables");
	} else {
		trace_text_only(b, *why ? why : NULL);
		drop_msgs(b);
	}
	/* Close the document in place and reopen it afterwards. */
	sb_add(&b->text, DOC_TAIL);
	if (b->text.oom)
		return err_set(e, NFSH_EKERNEL, NULL, "out of memory building the batch");
	doc = b->text.buf;
	rc = sess_apply_text(s, doc, e);
	b->text.len -= strlen(DOC_TAIL);
	b->text.buf[b->text.len] = '\0';
	if (rc < 0 && strstr(e->msg, strerror(EMSGSIZE)))
		return too_long(0, e);
	if (rc < 0)
		*culprit = bisect(s, b);
	return rc;
}

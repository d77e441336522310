/* nfsh import: a JSON batch (schemas/batch.schema.json) applied as one
 * transaction. Each operation becomes the words of one iptables command, with
 * the JSON pointer each word came from, so that a grammar error names the
 * field (/operations/3/rule/matches/0/options/dport) and not a word index. */
#include "cmd/cmd.h"
#include "cmd/stage.h"
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON pointers are bounded; a pointer cut short at PTR_MAX still locates the
 * item, so truncation is accepted here on purpose. */
#if defined(__GNUC__) && !defined(__clang__) /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#define PTR_MAX  160
#define OP_WORDS 256

struct words {
	char *w[OP_WORDS];
	char ptr[OP_WORDS][PTR_MAX];
	int n;
	char store[16384];
	size_t used;
};

struct imp {
	struct io_ctx r;
	bool json_errors;
	char ptr[PTR_MAX]; /* where the error is */
};

static int bad(struct imp *m, struct nfsh_err *e, const char *ptr, const char *fmt, const char *a)
{
	snprintf(m->ptr, sizeof(m->ptr), "%s", ptr);
	err_set(e, NFSH_EPARAM, a, fmt, a);
	return -1;
}

static int push(struct imp *m, struct words *w, const char *word, const char *ptr,
                struct nfsh_err *e)
{
	size_t len = strlen(word) + 1;

	if (w->n >= OP_WORDS || w->used + len > sizeof(w->store))
		return bad(m, e, ptr, "operation too long (at \"%s\")", word);
	w->w[w->n] = memcpy(w->store + w->used, word, len);
	w->used += len;
	snprintf(w->ptr[w->n], PTR_MAX, "%s", ptr);
	w->n++;
	return 0;
}

/* Allowed keys of an object; the first unknown one is an error. */
static int keys_ok(struct imp *m, json_t *o, const char *ptr, const char *const *allowed,
                   struct nfsh_err *e)
{
	const char *k;
	json_t *v;
	char p[PTR_MAX];

	json_object_foreach(o, k, v)
	{
		bool ok = false;

		for (int i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(k, allowed[i]);
		if (!ok) {
			snprintf(p, sizeof(p), "%s/%s", ptr, k);
			return bad(m, e, p, "unknown field \"%s\"", k);
		}
	}
	return 0;
}

/* A value: "text", or {"value": "text", "invert": true}; true for a flag. */
static int add_value(struct imp *m, struct words *w, const char *opt, json_t *v, const char *ptr,
                     struct nfsh_err *e)
{
	static const char *const vkeys[] = {"value", "invert", NULL};
	bool inv = false;
	json_t *val = v;
	char p[PTR_MAX];

	if (json_is_object(v)) {
		if (keys_ok(m, v, ptr, vkeys, e) < 0)
			return -1;
		inv = json_is_true(json_object_get(v, "invert"));
		val = json_object_get(v, "value");
		if (json_object_get(v, "invert") &&
		    !json_is_boolean(json_object_get(v, "invert"))) {
			snprintf(p, sizeof(p), "%s/invert", ptr);
			return bad(m, e, p, "\"%s\" must be true or false", "invert");
		}
		snprintf(p, sizeof(p), "%s/value", ptr);
	} else {
		snprintf(p, sizeof(p), "%s", ptr);
	}
	if (inv && push(m, w, "!", ptr, e) < 0)
		return -1;
	if (push(m, w, opt, ptr, e) < 0)
		return -1;
	if (json_is_true(val) || (!val && json_is_object(v)))
		return 0; /* a flag without an argument */
	if (json_is_integer(val)) {
		char num[32];

		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(val));
		return push(m, w, num, p, e);
	}
	if (!json_is_string(val))
		return bad(m, e, p, "%s needs a string value, a number or true", opt);
	return push(m, w, json_string_value(val), p, e);
}

static int add_options(struct imp *m, struct words *w, json_t *opts, const char *ptr,
                       struct nfsh_err *e)
{
	const char *k;
	json_t *v;
	char p[PTR_MAX], opt[80];

	if (!opts)
		return 0;
	if (!json_is_object(opts))
		return bad(m, e, ptr, "\"%s\" must be an object of option: value", "options");
	json_object_foreach(opts, k, v)
	{
		snprintf(p, sizeof(p), "%s/%s", ptr, k);
		snprintf(opt, sizeof(opt), "--%s", k);
		if (add_value(m, w, opt, v, p, e) < 0)
			return -1;
	}
	return 0;
}

static int str_field(struct imp *m, json_t *o, const char *key, const char *ptr, const char **out,
                     bool required, struct nfsh_err *e)
{
	json_t *v = json_object_get(o, key);
	char p[PTR_MAX];

	*out = NULL;
	snprintf(p, sizeof(p), "%s/%s", ptr, key);
	if (!v && required)
		return bad(m, e, ptr, "missing field \"%s\"", key);
	if (v && !json_is_string(v))
		return bad(m, e, p, "\"%s\" must be a string", key);
	*out = v ? json_string_value(v) : NULL;
	return 0;
}

/* family and table shared by rule, chain and policy operations. */
static int where(struct imp *m, struct words *w, json_t *o, const char *ptr, struct nfsh_err *e)
{
	const char *fam, *tbl;
	char p[PTR_MAX];

	if (str_field(m, o, "family", ptr, &fam, false, e) < 0 ||
	    str_field(m, o, "table", ptr, &tbl, false, e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/family", ptr);
	if (fam && strcmp(fam, "ipv4") && strcmp(fam, "ipv6"))
		return bad(m, e, p, "family \"%s\" is not ipv4 or ipv6", fam);
	if (push(m, w, fam && !strcmp(fam, "ipv6") ? "-6" : "-4", p, e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/table", ptr);
	return push(m, w, "-t", p, e) < 0 ? -1 : push(m, w, tbl ? tbl : "filter", p, e);
}

static int rule_words(struct imp *m, struct words *w, json_t *o, const char *ptr,
                      struct nfsh_err *e)
{
	static const char *const keys[] = {
	    "family",        "table",    "chain",       "position",
	    "protocol",      "source",   "destination", "in_interface",
	    "out_interface", "fragment", "matches",     "target",
	    "counters",      NULL};
	static const struct {
		const char *key, *opt;
	} fields[] = {{"source", "-s"},        {"destination", "-d"}, {"in_interface", "-i"},
	              {"out_interface", "-o"}, {"protocol", "-p"},    {"fragment", "-f"}};
	const char *chain;
	json_t *pos = json_object_get(o, "position"), *ms, *t, *c;
	char p[PTR_MAX];
	size_t i;

	if (keys_ok(m, o, ptr, keys, e) < 0 || where(m, w, o, ptr, e) < 0 ||
	    str_field(m, o, "chain", ptr, &chain, true, e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/position", ptr);
	if (pos && !json_is_integer(pos) &&
	    !(json_is_string(pos) && !strcmp(json_string_value(pos), "append")))
		return bad(m, e, p, "\"%s\" must be a rule number or \"append\"", "position");
	if (push(m, w, json_is_integer(pos) ? "-I" : "-A", p, e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/chain", ptr);
	if (push(m, w, chain, p, e) < 0)
		return -1;
	if (json_is_integer(pos)) {
		char num[32];

		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(pos));
		snprintf(p, sizeof(p), "%s/position", ptr);
		if (push(m, w, num, p, e) < 0)
			return -1;
	}
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		json_t *v = json_object_get(o, fields[f].key);

		snprintf(p, sizeof(p), "%s/%s", ptr, fields[f].key);
		if (v && !json_is_false(v) && add_value(m, w, fields[f].opt, v, p, e) < 0)
			return -1;
	}
	ms = json_object_get(o, "matches");
	snprintf(p, sizeof(p), "%s/matches", ptr);
	if (ms && !json_is_array(ms))
		return bad(m, e, p, "\"%s\" must be an array", "matches");
	json_array_foreach(ms, i, c)
	{
		static const char *const mkeys[] = {"name", "options", NULL};
		const char *name;
		char mp[PTR_MAX], op[PTR_MAX];

		snprintf(mp, sizeof(mp), "%s/matches/%zu", ptr, i);
		if (!json_is_object(c))
			return bad(m, e, mp, "a match must be an object {\"name\", \"options\"}%s",
			           "");
		if (keys_ok(m, c, mp, mkeys, e) < 0 ||
		    str_field(m, c, "name", mp, &name, true, e) < 0)
			return -1;
		snprintf(op, sizeof(op), "%s/name", mp);
		if (push(m, w, "-m", op, e) < 0 || push(m, w, name, op, e) < 0)
			return -1;
		snprintf(op, sizeof(op), "%s/options", mp);
		if (add_options(m, w, json_object_get(c, "options"), op, e) < 0)
			return -1;
	}
	t = json_object_get(o, "target");
	snprintf(p, sizeof(p), "%s/target", ptr);
	if (t) {
		static const char *const tkeys[] = {"name", "options", "goto", NULL};
		const char *name;
		char tp[PTR_MAX];

		if (!json_is_object(t))
			return bad(m, e, p, "\"%s\" must be an object {\"name\", \"options\"}",
			           "target");
		if (keys_ok(m, t, p, tkeys, e) < 0 ||
		    str_field(m, t, "name", p, &name, true, e) < 0)
			return -1;
		snprintf(tp, sizeof(tp), "%s/name", p);
		if (push(m, w, json_is_true(json_object_get(t, "goto")) ? "-g" : "-j", tp, e) < 0 ||
		    push(m, w, name, tp, e) < 0)
			return -1;
		snprintf(tp, sizeof(tp), "%s/options", p);
		if (add_options(m, w, json_object_get(t, "options"), tp, e) < 0)
			return -1;
	}
	c = json_object_get(o, "counters");
	snprintf(p, sizeof(p), "%s/counters", ptr);
	if (c) {
		json_t *pk = json_object_get(c, "packets"), *by = json_object_get(c, "bytes");
		char a[32], b[32];

		if (!json_is_integer(pk) || !json_is_integer(by))
			return bad(m, e, p, "\"%s\" needs integer packets and bytes", "counters");
		snprintf(a, sizeof(a), "%lld", (long long)json_integer_value(pk));
		snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(by));
		if (push(m, w, "-c", p, e) < 0 || push(m, w, a, p, e) < 0 ||
		    push(m, w, b, p, e) < 0)
			return -1;
	}
	return 0;
}

static int chain_words(struct imp *m, struct words *w, json_t *o, const char *ptr, bool policy,
                       struct nfsh_err *e)
{
	static const char *const ckeys[] = {"family", "table", "name", "action", NULL};
	static const char *const pkeys[] = {"family", "table", "chain", "policy", NULL};
	const char *name, *what;
	char p[PTR_MAX];

	if (keys_ok(m, o, ptr, policy ? pkeys : ckeys, e) < 0 || where(m, w, o, ptr, e) < 0 ||
	    str_field(m, o, policy ? "chain" : "name", ptr, &name, true, e) < 0 ||
	    str_field(m, o, policy ? "policy" : "action", ptr, &what, policy, e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/%s", ptr, policy ? "policy" : "action");
	if (policy) {
		if (push(m, w, "-P", p, e) < 0)
			return -1;
	} else if (!what || !strcmp(what, "create")) {
		if (push(m, w, "-N", p, e) < 0)
			return -1;
	} else if (!strcmp(what, "flush") || !strcmp(what, "delete")) {
		if (push(m, w, what[0] == 'f' ? "-F" : "-X", p, e) < 0)
			return -1;
	} else {
		return bad(m, e, p, "action \"%s\" is not create, flush or delete", what);
	}
	snprintf(p, sizeof(p), "%s/%s", ptr, policy ? "chain" : "name");
	if (push(m, w, name, p, e) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/policy", ptr);
	return policy ? push(m, w, what, p, e) : 0;
}

/* An iptables command string, split with iptables-restore's quoting rules. */
static int string_words(struct imp *m, struct words *w, const char *s, const char *ptr,
                        struct nfsh_err *e)
{
	struct io_words *iw = malloc(sizeof(*iw));
	int rc = 0;

	if (!iw)
		return bad(m, e, ptr, "out of memory%s", "");
	if (io_split_line(s, iw, e) < 0) {
		snprintf(m->ptr, sizeof(m->ptr), "%s", ptr);
		rc = -1;
	}
	for (int i = 0; rc == 0 && i < iw->n; i++)
		rc = push(m, w, iw->w[i], ptr, e);
	free(iw);
	return rc;
}

static int one_op(struct imp *m, json_t *op, size_t idx, struct nfsh_err *e)
{
	struct words *w = calloc(1, sizeof(*w));
	char ptr[PTR_MAX], sub[PTR_MAX];
	struct cmd c;
	int rc = -1;
	json_t *v;

	if (!w)
		return bad(m, e, "", "out of memory%s", "");
	snprintf(ptr, sizeof(ptr), "/operations/%zu", idx);
	if (json_is_string(op)) {
		rc = string_words(m, w, json_string_value(op), ptr, e);
	} else if (json_is_object(op) && json_object_size(op) == 1) {
		const char *kind = json_object_iter_key(json_object_iter(op));

		v = json_object_get(op, kind);
		snprintf(sub, sizeof(sub), "%s/%s", ptr, kind);
		if (!json_is_object(v))
			rc = bad(m, e, sub, "\"%s\" must be an object", kind);
		else if (!strcmp(kind, "rule"))
			rc = rule_words(m, w, v, sub, e);
		else if (!strcmp(kind, "chain") || !strcmp(kind, "policy"))
			rc = chain_words(m, w, v, sub, kind[0] == 'p', e);
		else
			rc = bad(m, e, sub, "unknown operation \"%s\"; use rule, chain or policy",
			         kind);
	} else {
		rc = bad(m, e, ptr,
		         "an operation is an iptables command string or an object with one key%s",
		         "");
	}
	if (rc == 0) {
		m->r.b.cur_line = (int)idx + 1;
		if (cmd_parse(w->n, w->w, NFSH_IPV4, &c, e) < 0) {
			snprintf(m->ptr, sizeof(m->ptr), "%s",
			         e->argi >= 0 && e->argi < w->n ? w->ptr[e->argi] : ptr);
			rc = -1;
		} else {
			rc = io_ctx_cmd(&m->r, &c, false, 0, 0, e);
			cmd_release(&c);
			if (rc < 0) {
				/* Point at the field holding the word the error names. */
				snprintf(m->ptr, sizeof(m->ptr), "%s", ptr);
				for (int k = w->n - 1; k >= 0 && e->word[0]; k--)
					if (!strcmp(w->w[k], e->word)) {
						snprintf(m->ptr, sizeof(m->ptr), "%s", w->ptr[k]);
						break;
					}
			}
		}
	}
	free(w);
	return rc;
}

static int read_batch(struct imp *m, json_t *root, struct nfsh_err *e)
{
	static const char *const keys[] = {"$schema", "nfsh_batch", "operations", NULL};
	static const char *const mkeys[] = {"version", "generator", "comment", "flush", NULL};
	json_t *meta = json_object_get(root, "nfsh_batch"),
	       *ops = json_object_get(root, "operations");
	json_t *op;
	size_t i;

	if (!json_is_object(root))
		return bad(m, e, "", "a batch is a JSON object%s", "");
	if (keys_ok(m, root, "", keys, e) < 0)
		return -1;
	if (!json_is_object(meta))
		return bad(m, e, "/nfsh_batch", "missing or bad \"%s\" metadata object",
		           "nfsh_batch");
	if (keys_ok(m, meta, "/nfsh_batch", mkeys, e) < 0)
		return -1;
	if (!json_is_integer(json_object_get(meta, "version")) ||
	    json_integer_value(json_object_get(meta, "version")) != 1)
		return bad(m, e, "/nfsh_batch/version", "\"%s\" must be 1", "version");
	if (json_object_get(meta, "flush") && !json_is_boolean(json_object_get(meta, "flush")))
		return bad(m, e, "/nfsh_batch/flush", "\"%s\" must be true or false", "flush");
	/* flush: the tables the batch names are replaced, as restore does. */
	m->r.noflush = !json_is_true(json_object_get(meta, "flush"));
	if (!json_is_array(ops))
		return bad(m, e, "/operations", "missing or bad \"%s\" array", "operations");
	json_array_foreach(ops, i, op)
	{
		if (one_op(m, op, i, e) < 0)
			return -1;
	}
	return 0;
}

int io_import_read(struct io_ctx *r, json_t *root, char *ptr, size_t ptrlen, struct nfsh_err *e)
{
	struct imp *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return err_set(e, NFSH_EKERNEL, NULL, "out of memory");
	m->r = *r;
	rc = read_batch(m, root, e);
	*r = m->r;
	snprintf(ptr, ptrlen, "%s", m->ptr);
	free(m);
	return rc;
}

static void report(const struct imp *m, const char *file, const struct nfsh_err *e)
{
	if (m->json_errors) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "error", e->msg, "file", file,
		                      "pointer", m->ptr, "word", e->word, "hint", e->hint);
		char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;

		fprintf(stderr, "%s\n", txt ? txt : "{\"error\": \"out of memory\"}");
		free(txt);
		json_decref(o);
		return;
	}
	fprintf(stderr, "%s:%s: %s", file, m->ptr[0] ? m->ptr : "/", e->msg);
	if (e->hint[0])
		fprintf(stderr, "; %s", e->hint);
	fputc('\n', stderr);
}

/* One reading of the batch, then the apply; m->ptr names the operation the
 * kernel refused. */
static int read_and_apply(struct imp *m, json_t *root, struct nfsh_err *e)
{
	int rc = read_batch(m, root, e);

	if (rc == 0 && (rc = io_ctx_apply(&m->r, e)) < 0 && m->r.line > 0)
		snprintf(m->ptr, sizeof(m->ptr), "/operations/%d", m->r.line - 1);
	return rc;
}

int io_import_main(int argc, char **argv)
{
	struct imp m = {.r = {.family = NFSH_IPV4, .only_table = -1, .table = -1}};
	const char *file = NULL;
	json_error_t jerr;
	struct nfsh_err e;
	json_t *root;
	int rc;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n"))
			m.r.test = true;
		else if (!strcmp(argv[i], "--json"))
			m.json_errors = true;
		else if (!strcmp(argv[i], "--emit-json"))
			m.r.emit_json = true;
		else if (!file && (argv[i][0] != '-' || !strcmp(argv[i], "-")))
			file = argv[i];
		else {
			fprintf(stderr, "Usage: nfsh import [--dry-run] [--json] FILE|-\n");
			return NFSH_EPARAM;
		}
	}
	if (!file) {
		fprintf(stderr, "Usage: nfsh import [--dry-run] [--json] FILE|-\n");
		return NFSH_EPARAM;
	}
	root = strcmp(file, "-") ? json_load_file(file, JSON_REJECT_DUPLICATES, &jerr)
	                         : json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		err_set(&e, NFSH_EPARAM, NULL, "not valid JSON at line %d column %d: %s", jerr.line,
		        jerr.column, jerr.text);
		report(&m, file, &e);
		return NFSH_EPARAM;
	}
	if (sess_open(&m.r.s, &e) < 0) {
		json_decref(root);
		report(&m, file, &e);
		return e.status;
	}
	/* As restore: a first reading into the netlink batch alone, and a
	 * second one with text when that must go to libnftables. */
	io_ctx_begin(&m.r, true, false);
	rc = read_and_apply(&m, root, &e);
	if (rc < 0 && io_ctx_read_again(&m.r, &e)) {
		m.ptr[0] = '\0';
		rc = read_and_apply(&m, root, &e);
	}
	if (rc < 0) {
		report(&m, file, &e);
		/* Exit 4 when the batch went out and its answer was lost. */
		rc = m.r.b.unknown ? NFSH_EKERNEL : NFSH_EPARAM;
	}
	json_decref(root);
	io_ctx_release(&m.r);
	sess_close(&m.r.s);
	return rc;
}

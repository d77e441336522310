/* The staged state of chains within one transaction: see stage.h. */
#include "util/strbuf.h"
#include "cmd/stage.h"
#include "ext/ext.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "xlate/xlate.h"

#include <stdlib.h>
#include <string.h>

/* One rule of a staged chain. */
struct stage_rule {
	uint64_t handle; /* a kernel rule; 0: added by this transaction */
	int item;        /* added: the batch item that adds it */
	int line;        /* added: its source line */
	int listed;      /* kernel rule: its index in the chain's listing, -1 after -R */
	json_t *body;    /* kernel rule replaced by -R: the new rule object */
	char *spec;      /* canonical iptables-save text; NULL for a foreign rule, or not yet */
	char *jump;      /* jump or goto target, NULL for none */
	/* An added rule of a restore: the words of its command (NUL-separated),
	 * its spec printed from them only when a -D by spec first compares
	 * against it (entry_spec). Most rules never are, and printing every
	 * rule at once was ~9% of a bulk restore's instructions. */
	char *words;
	int nwords, family; /* cmd_parse's argc and default family */
	int expanded;       /* which of the command's expanded rules it is */
};

struct stage_chain {
	int family, table;
	char name[NFSH_CHAIN_MAX + 1];
	bool gone;    /* deleted (or renamed away) in this transaction */
	bool renamed; /* renamed to this name in this transaction */
	/* The kernel's rules are read only when a position or spec must be
	 * resolved: until then v holds the rules inserted at the top (nhead of
	 * them) and those appended, and the kernel's go between them. */
	bool loaded;
	/* Created after this transaction replaced its table: in the transaction
	 * it holds exactly the rules staged here, so a rule's place can be given
	 * by index (libnftables counts the batch's own rules then; measured on
	 * 1.0.6), and no other writer's rule can shift it. Not after a "flush"
	 * of it in the batch: libnftables' cache still counts the flushed rules
	 * (measured), so then the batch places rules by their neighbours. */
	bool by_index;
	int last_index; /* the last item placed by index, -1 for none */
	int nhead;
	struct chain_info listed; /* the kernel's rules when they were read */
	struct stage_rule *v;
	int n, cap;
};

/* Per family and table: what the transaction did to all its chains at once. */
struct stage_table {
	bool empty;     /* replaced or flushed: chains not modelled yet are empty */
	bool replaced;  /* replaced (and not flushed since): see by_index */
	bool user_gone; /* -X without a chain: user chains not modelled yet are gone */
};

struct stage {
	struct nfsh_session *s;
	struct stage_sink sink;
	int line;
	/* The words of the command being staged (stage_set_words), or none. */
	int argc, family;
	char *const *argv;
	bool top; /* the rule being staged goes to the top of an unread chain */
	struct stage_table tables[3][TBL_COUNT];
	struct stage_chain **chains; /* open addressing by family, table and name */
	size_t cap, n;
	unsigned decl_sets; /* sets rules declared so far (ext_decls.nsets) */
};

static size_t chain_hash(int family, int table, const char *name)
{
	size_t h = 5381u + (size_t)family * 31u + (size_t)table;

	while (*name)
		h = h * 33 + (unsigned char)*name++;
	return h;
}

static struct stage_chain **slot_of(struct stage *st, int family, int table, const char *name)
{
	size_t k = chain_hash(family, table, name) & (st->cap - 1);

	for (;; k = (k + 1) & (st->cap - 1)) {
		struct stage_chain *c = st->chains[k];

		if (!c || (c->family == family && c->table == table && !strcmp(c->name, name)))
			return &st->chains[k];
	}
}

static int grow_map(struct stage *st)
{
	struct stage_chain **old = st->chains;
	size_t oldcap = st->cap;

	st->cap = oldcap ? oldcap * 2 : 64;
	st->chains = calloc(st->cap, sizeof(*st->chains));
	if (!st->chains) {
		st->chains = old;
		st->cap = oldcap;
		return -1;
	}
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			*slot_of(st, old[i]->family, old[i]->table, old[i]->name) = old[i];
	free(old);
	return 0;
}

struct stage *stage_new(struct nfsh_session *s, const struct stage_sink *sink)
{
	struct stage *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->s = s;
	st->sink = *sink;
	if (grow_map(st) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

static void entry_release(struct stage_rule *r)
{
	json_decref(r->body);
	free(r->spec);
	free(r->jump);
	free(r->words);
}

static void chain_clear(struct stage_chain *c)
{
	for (int i = 0; i < c->n; i++)
		entry_release(&c->v[i]);
	c->n = 0;
}

static void chain_free(struct stage_chain *c)
{
	chain_clear(c);
	free(c->v);
	for (int k = 0; k < c->listed.nrules; k++) {
		rule_release(&c->listed.rules[k]);
		if (c->listed.foreign)
			free(c->listed.foreign[k]);
	}
	free(c->listed.rules);
	free(c->listed.foreign);
	free(c);
}

void stage_free(struct stage *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->cap; i++)
		if (st->chains[i])
			chain_free(st->chains[i]);
	free(st->chains);
	free(st);
}

void stage_set_line(struct stage *st, int line)
{
	st->line = line;
}

void stage_set_words(struct stage *st, int family, int argc, char *const *argv)
{
	if (!st)
		return;
	st->family = family;
	st->argc = argc;
	st->argv = argv;
}

static struct stage_table *table_state(struct stage *st, int family, int table)
{
	return &st->tables[family == NFSH_IPV6 ? 1 : 0][table];
}

static struct stage_chain *find(struct stage *st, int family, int table, const char *name)
{
	return *slot_of(st, family, table, name);
}

/* A new, empty model of the chain (replacing none: callers look first). */
static struct stage_chain *add_model(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c;

	if ((st->n + 1) * 2 > st->cap && grow_map(st) < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->family = family;
	c->table = table;
	str_copy(c->name, sizeof(c->name), name);
	*slot_of(st, family, table, name) = c;
	st->n++;
	return c;
}

static struct stage_rule *push_slot(struct stage_chain *c, int at)
{
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 16;
		struct stage_rule *v = realloc(c->v, (size_t)cap * sizeof(*v));

		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	memmove(&c->v[at + 1], &c->v[at], (size_t)(c->n - at) * sizeof(*c->v));
	c->n++;
	memset(&c->v[at], 0, sizeof(c->v[at]));
	return &c->v[at];
}

static void drop_slot(struct stage_chain *c, int at)
{
	entry_release(&c->v[at]);
	memmove(&c->v[at], &c->v[at + 1], (size_t)(c->n - at - 1) * sizeof(*c->v));
	c->n--;
}

static char *spec_of(const struct rule *r)
{
	struct strbuf sb;
	char *s;

	sb_init(&sb);
	print_rule_save(r, false, &sb);
	s = sb.oom ? NULL : strdup(sb_str(&sb));
	sb_free(&sb);
	return s;
}

static char *jump_of(const struct rule *r)
{
	if (r->target_kind != TGT_JUMP && r->target_kind != TGT_GOTO)
		return NULL;
	return strdup(r->jump);
}

/* The words of the command being staged, NUL-separated, into x. */
static int keep_words(const struct stage *st, struct stage_rule *x, int expanded)
{
	size_t len = 0;
	char *p;

	for (int i = 0; i < st->argc; i++)
		len += strlen(st->argv[i]) + 1;
	if (!(x->words = p = malloc(len ? len : 1)))
		return -1;
	for (int i = 0; i < st->argc; i++) {
		size_t n = strlen(st->argv[i]) + 1;

		memcpy(p, st->argv[i], n);
		p += n;
	}
	x->nwords = st->argc;
	x->family = st->family;
	x->expanded = expanded;
	return 0;
}

/* The spec of an added rule kept as words: its command parsed again
 * (cmd_parse is deterministic), the expanded rule printed. NULL when out of
 * memory. */
static char *spec_of_words(const struct stage_rule *x)
{
	char **argv = malloc((size_t)(x->nwords ? x->nwords : 1) * sizeof(*argv)), *p = x->words;
	struct nfsh_err e;
	struct cmd c;
	char *spec = NULL;

	if (!argv)
		return NULL;
	for (int i = 0; i < x->nwords; p += strlen(p) + 1)
		argv[i++] = p;
	if (cmd_parse(x->nwords, argv, x->family, &c, &e) == 0) {
		if (x->expanded < c.nrules)
			spec = spec_of(&c.rules[x->expanded]);
		cmd_release(&c);
	}
	free(argv);
	return spec;
}

/* Put the listed rules of ch (taken over) between c's head and tail. */
static int splice(struct stage_chain *c, struct chain_info *ch)
{
	c->listed = *ch;
	memset(ch, 0, sizeof(*ch));
	for (int k = 0; k < c->listed.nrules; k++) {
		const struct rule *r = &c->listed.rules[k];
		struct stage_rule *e = push_slot(c, c->nhead + k);
		bool foreign = c->listed.foreign && c->listed.foreign[k];

		if (!e)
			return -1;
		e->handle = r->handle;
		e->listed = k;
		e->item = -1;
		/* The spec is printed when a -D by spec needs it (entry_spec). */
		e->jump = foreign ? NULL : jump_of(r);
	}
	c->loaded = true;
	return 0;
}

int stage_load(struct stage *st, int family, int table, struct chain_info *ch)
{
	struct stage_chain *c = find(st, family, table, ch->name);

	if (!c && !(c = add_model(st, family, table, ch->name)))
		return -1;
	if (c->loaded)
		return 0;
	return splice(c, ch);
}

static int no_chain(int table, const char *name, struct nfsh_err *e)
{
	err_set(e, NFSH_EOTHER, name, "chain \"%s\" does not exist in table %s", name,
	        table_by_id(table)->name);
	err_hint(e, "create it with -N %s", name);
	return -1;
}

static int oom(struct nfsh_err *e)
{
	return err_set(e, NFSH_EOTHER, NULL, "out of memory staging the command");
}

/* Read the kernel's rules of c (once). */
static int load_rules(struct stage *st, struct stage_chain *c, struct nfsh_err *e)
{
	struct table_info ti;
	struct chain_info *ch;
	int rc = 0;

	if (c->loaded)
		return 0;
	if (table_read(st->s, c->family, c->table, c->name, &ti, e) < 0)
		return -1;
	ch = table_find_chain(&ti, c->name);
	if (!ch && !table_builtin(c->table, c->name))
		rc = no_chain(c->table, c->name, e);
	else if (ch && splice(c, ch) < 0)
		rc = oom(e);
	else
		c->loaded = true;
	table_info_free(&ti);
	return rc;
}

/* The model of a chain; with rules, its kernel rules are read the first time. */
static struct stage_chain *chain_get(struct stage *st, int family, int table, const char *name,
                                     bool rules, struct nfsh_err *e)
{
	struct stage_chain *c = find(st, family, table, name);
	struct stage_table *t = table_state(st, family, table);

	if (c && c->gone) {
		no_chain(table, name, e);
		return NULL;
	}
	if (c && c->renamed) {
		err_set(e, NFSH_EOTHER, name,
		        "chain \"%s\" was renamed earlier in this transaction", name);
		err_hint(e, "nf_tables finds a renamed chain by its new name only after the "
		            "commit: change its rules in a second transaction");
		return NULL;
	}
	if (!c && t->user_gone && !table_builtin(table, name)) {
		no_chain(table, name, e);
		return NULL;
	}
	if (!c) {
		if (!(c = add_model(st, family, table, name))) {
			oom(e);
			return NULL;
		}
		c->loaded = t->empty;
		c->by_index = t->replaced;
		c->last_index = -1;
	}
	if (rules && load_rules(st, c, e) < 0)
		return NULL;
	return c;
}

/* ---- emitting ---- */

/* The rule object of r. The sets its matches declare (connlimit) go to the
 * sink first, as items of their own. */
static json_t *rule_obj(struct stage *st, struct rule *r, struct nfsh_err *e)
{
	struct ext_decls d = {NULL, st->decl_sets};
	json_t *o, *cmd;
	size_t i;

	if (st->sink.make_rule)
		return st->sink.make_rule(st->sink.ctx, r, e);
	d.cmds = json_array();
	o = xlate_rule_decls(r, &d, e);
	st->decl_sets = d.nsets;
	json_array_foreach(d.cmds, i, cmd)
	{
		if (o && st->sink.emit(st->sink.ctx, json_incref(cmd), st->line) < 0) {
			json_decref(o);
			o = NULL;
			oom(e);
		}
	}
	json_decref(d.cmds);
	return o;
}

/* {verb: {"rule": rule}} (rule stolen) to the sink: the item, or -1. */
static int emit_rule(struct stage *st, const char *verb, json_t *rule, int line)
{
	json_t *cmd;

	if (st->sink.emit_rule)
		return st->sink.emit_rule(st->sink.ctx, verb, rule, line);
	cmd = json_pack("{s:{s:o}}", verb, "rule", rule);
	return cmd ? st->sink.emit(st->sink.ctx, cmd, line) : -1;
}

/* {verb: {"rule": rule}} with the rule placed relative to handle (0: none). */
static int put(struct stage *st, const char *verb, json_t *rule, uint64_t handle, int line)
{
	json_object_del(rule, "index");
	if (handle)
		nftb_set_handle(rule, handle);
	else
		json_object_del(rule, "handle");
	return emit_rule(st, verb, rule, line);
}

static json_t *handle_obj(const struct stage_chain *c, uint64_t handle)
{
	json_t *o = nftb_rule(c->family, table_by_id(c->table)->nftname, c->name, NULL, NULL);

	nftb_set_handle(o, handle);
	return o;
}

/* Put the added rules bodies[0..n-1] (stolen) where the rules at positions
 * lo..lo+n-1 of c are meant to be; items[] gets their items. The anchor is the
 * kernel rule after them (insert before it), the end, or the top (insert in
 * reverse). libnftables 1.0.6 ignores the handle of an "add" in JSON (it
 * appends; measured), so "after a kernel rule" is never used: callers make
 * the run reach a kernel rule, the end or the top. */
static int put_run(struct stage *st, struct stage_chain *c, int lo, json_t **bodies, int *lines,
                   int n, int *items)
{
	int hi = lo + n; /* c->v[lo..hi-1] is the run, already in place */
	int rc = 0;

	if (hi == c->n || c->v[hi].handle) {
		uint64_t h = hi < c->n ? c->v[hi].handle : 0;

		for (int i = 0; i < n; i++) {
			items[i] = put(st, h ? "insert" : "add", bodies[i], h, lines[i]);
			rc |= items[i] < 0;
		}
	} else {
		for (int i = n - 1; i >= 0; i--) {
			items[i] = put(st, "insert", bodies[i], 0, lines[i]);
			rc |= items[i] < 0;
		}
	}
	return rc ? -1 : 0;
}

/* Make the batch place the rule at position at of c (already in c->v[at],
 * body stolen). When the rule after it is not a kernel rule and it is not
 * at either end, the added rules after it up to a kernel rule or the end (or
 * those before it, when they reach the top and are fewer) are cancelled and
 * added again around it. */
static int place(struct stage *st, struct stage_chain *c, int at, json_t *body, struct nfsh_err *e)
{
	int lo = at, hi = at + 1, n, rc = 0;
	json_t **bodies;
	int *lines, *items;

	/* In a chain of this transaction's own rules, by index. */
	if (c->by_index) {
		json_object_del(body, "handle");
		if (at + 1 < c->n)
			json_object_set_new(body, "index", json_integer(at));
		c->v[at].item = emit_rule(st, at + 1 < c->n ? "insert" : "add", body, st->line);
		if (at + 1 < c->n)
			c->last_index = c->v[at].item;
		return c->v[at].item < 0 ? oom(e) : 0;
	}
	/* Before the kernel's rules are read, a rule goes to the top or the end. */
	if (!c->loaded) {
		bool top = at < c->nhead || (at == c->nhead && st->top);

		c->v[at].item = put(st, top ? "insert" : "add", body, 0, st->line);
		return c->v[at].item < 0 ? oom(e) : 0;
	}

	if (!(hi == c->n || c->v[hi].handle || at == 0)) {
		int after = 0, before = 0;

		while (hi + after < c->n && !c->v[hi + after].handle)
			after++;
		while (at - before > 0 && !c->v[at - before - 1].handle)
			before++;
		/* The run before it counts only when it reaches the top. */
		if (before < at || after <= before)
			hi += after;
		else
			lo = 0;
	}
	n = hi - lo;
	bodies = calloc((size_t)n, sizeof(*bodies));
	lines = calloc((size_t)n, sizeof(*lines));
	items = calloc((size_t)n, sizeof(*items));
	if (!bodies || !lines || !items) {
		json_decref(body);
		rc = -1;
		goto out;
	}
	for (int i = lo; i < hi; i++) {
		lines[i - lo] = c->v[i].line;
		bodies[i - lo] = i == at ? body : st->sink.rule_of(st->sink.ctx, c->v[i].item);
		if (!bodies[i - lo])
			rc = -1;
	}
	for (int i = lo; rc == 0 && i < hi; i++)
		if (i != at && st->sink.cancel(st->sink.ctx, c->v[i].item) < 0)
			rc = -1;
	if (rc == 0) {
		rc = put_run(st, c, lo, bodies, lines, n, items);
		for (int i = lo; i < hi; i++)
			c->v[i].item = items[i - lo];
	} else {
		for (int i = 0; i < n; i++)
			json_decref(bodies[i]);
	}
out:
	free(bodies);
	free(lines);
	free(items);
	return rc < 0 ? oom(e) : 0;
}

/* ---- the commands ---- */

static int no_rule_number(const struct stage_chain *c, int num, const char *what,
                          struct nfsh_err *e)
{
	char word[16];

	snprintf(word, sizeof(word), "%d", num);
	err_set(e, NFSH_EOTHER, word, "chain %s has no rule number %d%s", c->name, num, what);
	err_hint(e, "it has %d rule%s at this point", c->n, c->n == 1 ? "" : "s");
	return -1;
}

static int bad_rule(const struct stage_chain *c, struct nfsh_err *e)
{
	err_set(e, NFSH_EOTHER, NULL, "no such rule in chain %s", c->name);
	err_hint(e, "-S %s shows the rules as they must be written", c->name);
	return -1;
}

/* The spec of x, the command's expanded rule r: kept as the command's words
 * when the caller gave them, else printed now. */
static int note_spec(const struct stage *st, struct stage_rule *x, const struct rule *r,
                     int expanded)
{
	if (st->argc)
		return keep_words(st, x, expanded);
	x->spec = spec_of(r);
	return x->spec ? 0 : -1;
}

/* Stage rule r (the command's expanded rule number `expanded`), its rule
 * object body (stolen), at position at (0-based) of c. */
static int insert_at(struct stage *st, struct stage_chain *c, int at, const struct rule *r,
                     int expanded, json_t *body, struct nfsh_err *e)
{
	struct stage_rule *x = push_slot(c, at);

	if (!x || note_spec(st, x, r, expanded) < 0) {
		if (x)
			drop_slot(c, at);
		json_decref(body);
		return oom(e);
	}
	x->line = st->line;
	x->listed = -1;
	x->jump = jump_of(r);
	return place(st, c, at, body, e);
}

/* A kernel rule that goes: the sets it alone used (connlimit's) go in the
 * same batch, after it. */
static int release_listed(struct stage *st, struct stage_chain *c, int listed, struct nfsh_err *e)
{
	struct ext_decls d = {json_array(), 0};
	json_t *cmd;
	size_t i;
	int rc = 0;

	if (listed < 0 || (c->listed.foreign && c->listed.foreign[listed])) {
		json_decref(d.cmds);
		return 0;
	}
	if (xlate_rule_release(&c->listed.rules[listed], &d, e) < 0)
		rc = -1;
	json_array_foreach(d.cmds, i, cmd)
	{
		if (!rc && st->sink.emit(st->sink.ctx, json_incref(cmd), st->line) < 0)
			rc = oom(e);
	}
	json_decref(d.cmds);
	return rc;
}

/* The jump of a rule that goes is no longer a jump of the transaction. */
static void dropped(struct stage *st, const struct stage_chain *c, const struct stage_rule *x)
{
	if (x->jump && st->sink.dropped)
		st->sink.dropped(st->sink.ctx, c->family, c->table, c->name, x->jump);
}

/* Taking back an added rule by cancelling its item would
 * shift the index of every later rule placed by index: then the chain is
 * flushed and its rules added again in order. The rule at `at` gets body
 * (stolen) when body is not NULL. */
static bool must_rebuild(const struct stage_chain *c, const struct stage_rule *x)
{
	return c->by_index && x->item < c->last_index;
}

static int rebuild_own(struct stage *st, struct stage_chain *c, int at, json_t *body,
                       struct nfsh_err *e)
{
	json_t **bodies = calloc((size_t)c->n + 1, sizeof(*bodies)), *cmd;
	int rc = bodies ? 0 : -1;

	for (int i = 0; rc == 0 && i < c->n; i++) {
		bodies[i] = i == at && body ? body : st->sink.rule_of(st->sink.ctx, c->v[i].item);
		if (i == at)
			body = NULL;
		rc = bodies[i] ? 0 : -1;
	}
	cmd = json_pack("{s:{s:o}}", "flush", "chain",
	                nftb_chain(c->family, table_by_id(c->table)->nftname, c->name, NULL, NULL));
	if (rc == 0 && (!cmd || st->sink.emit(st->sink.ctx, cmd, st->line) < 0))
		rc = -1;
	for (int i = 0; i < c->n; i++) {
		if (rc == 0 && bodies) {
			c->v[i].item = put(st, "add", bodies[i], 0, c->v[i].line);
			rc = c->v[i].item < 0 ? -1 : 0;
		} else if (bodies) {
			json_decref(bodies[i]);
		}
	}
	json_decref(body);
	free(bodies);
	c->last_index = -1;
	c->by_index = false; /* the flush: see by_index */
	return rc < 0 ? oom(e) : 0;
}

static int delete_at(struct stage *st, struct stage_chain *c, int at, struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];

	if (x->handle) {
		json_t *cmd = json_pack("{s:{s:o}}", "delete", "rule", handle_obj(c, x->handle));

		if (!cmd || st->sink.emit(st->sink.ctx, cmd, st->line) < 0)
			return oom(e);
		if (release_listed(st, c, x->listed, e) < 0)
			return -1;
	} else if (must_rebuild(c, x)) {
		dropped(st, c, x);
		drop_slot(c, at);
		return rebuild_own(st, c, -1, NULL, e);
	} else if (st->sink.cancel(st->sink.ctx, x->item) < 0) {
		return oom(e);
	}
	dropped(st, c, x);
	drop_slot(c, at);
	return 0;
}

/* Slot x now holds rule r (its canonical text spec, stolen) instead of the
 * one it held: -R. */
static void take_rule(struct stage *st, const struct stage_chain *c, struct stage_rule *x,
                      const struct rule *r, char *spec)
{
	dropped(st, c, x);
	free(x->spec);
	free(x->jump);
	free(x->words);
	x->words = NULL;
	x->spec = spec;
	x->jump = jump_of(r);
}

static bool has_meter(json_t *body)
{
	json_t *st;
	size_t i;

	json_array_foreach(json_object_get(body, "expr"), i,
	                   st) if (json_object_get(st, "meter")) return true;
	return false;
}

/* A rule with a meter (-m hashlimit) cannot be replaced: the new rule's meter
 * names the set of the old one, which is bound to it (the kernel answers
 * EOPNOTSUPP, measured on 6.18). Deleting the old rule and placing the new one
 * where it was, in the same batch, is accepted; the meter starts empty, also
 * for -Z (xt_hashlimit keeps its table: the note in hashlimit.c). The rule is
 * then one this transaction adds. */
static int reseat_at(struct stage *st, struct stage_chain *c, int at, struct rule *r, json_t *body,
                     char *spec, struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];
	json_t *cmd = json_pack("{s:{s:o}}", "delete", "rule", handle_obj(c, x->handle));

	if (!cmd || st->sink.emit(st->sink.ctx, cmd, st->line) < 0) {
		free(spec);
		json_decref(body);
		return oom(e);
	}
	if (r && release_listed(st, c, x->listed, e) < 0) {
		free(spec);
		json_decref(body);
		return -1;
	}
	json_decref(x->body);
	x->body = NULL;
	x->handle = 0;
	x->listed = -1;
	x->line = st->line;
	if (r)
		take_rule(st, c, x, r, spec);
	return place(st, c, at, body, e);
}

/* A kernel rule keeps its handle through "replace" (checked on 6.18), so it
 * stays an anchor; an added rule is cancelled and staged anew in its place. */
static int replace_at(struct stage *st, struct stage_chain *c, int at, struct rule *r, json_t *body,
                      struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];
	char *spec = r ? spec_of(r) : NULL;

	if (r && !spec) {
		json_decref(body);
		return oom(e);
	}
	if (!x->handle) {
		int line = x->line;
		bool rebuild = must_rebuild(c, x);

		if (!rebuild && st->sink.cancel(st->sink.ctx, x->item) < 0) {
			free(spec);
			json_decref(body);
			return oom(e);
		}
		if (r) {
			take_rule(st, c, x, r, spec);
			x->line = st->line;
		} else {
			x->line = line;
		}
		return rebuild ? rebuild_own(st, c, at, body, e) : place(st, c, at, body, e);
	}
	if (has_meter(body))
		return reseat_at(st, c, at, r, body, spec, e);
	if (put(st, "replace", json_incref(body), x->handle, st->line) < 0) {
		json_decref(body);
		free(spec);
		return oom(e);
	}
	/* -R puts another rule there (-Z, r NULL, the same one). */
	if (r && release_listed(st, c, x->listed, e) < 0) {
		json_decref(body);
		free(spec);
		return -1;
	}
	json_decref(x->body);
	x->body = body;
	x->listed = -1;
	if (r)
		take_rule(st, c, x, r, spec);
	return 0;
}

static int stage_append_insert(struct stage *st, struct stage_chain *c, const struct cmd *c0,
                               struct nfsh_err *e)
{
	int at = c->n, rc = 0;
	json_t **bodies;

	if (c0->op == OP_INSERT) {
		at = c0->rulenum ? c0->rulenum - 1 : 0;
		/* -I n with n = count + 1 appends, as iptables allows. */
		if (at > c->n)
			return no_rule_number(c, c0->rulenum, " to insert before", e);
	}
	/* All rule objects first: a rule nftables cannot express stages nothing. */
	bodies = calloc((size_t)c0->nrules, sizeof(*bodies));
	if (!bodies)
		return oom(e);
	for (int i = 0; rc == 0 && i < c0->nrules; i++)
		if (!(bodies[i] = rule_obj(st, &c0->rules[i], e)))
			rc = -1;
	/* Expanded rules: -A appends them in order; -I inserts each at the same
	 * position in turn, as iptables does, so they end up in reverse. */
	for (int i = 0; i < c0->nrules; i++) {
		if (rc == 0) {
			st->top = c0->op == OP_INSERT;
			rc = insert_at(st, c, c0->op == OP_INSERT ? at : c->n, &c0->rules[i], i,
			               bodies[i], e);
			st->top = false;
			if (rc == 0 && !c->loaded && c0->op == OP_INSERT)
				c->nhead++; /* at the top, before the unread kernel rules */
		} else
			json_decref(bodies[i]);
	}
	free(bodies);
	return rc;
}

/* The canonical text of a rule; NULL for a foreign one (or no memory). */
static const char *entry_spec(struct stage_chain *c, struct stage_rule *x)
{
	if (!x->spec && x->words)
		x->spec = spec_of_words(x);
	else if (!x->spec && x->listed >= 0 && !(c->listed.foreign && c->listed.foreign[x->listed]))
		x->spec = spec_of(&c->listed.rules[x->listed]);
	return x->spec;
}

static int cmp_desc(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

static int stage_delete(struct stage *st, struct stage_chain *c, const struct cmd *c0,
                        struct nfsh_err *e)
{
	int *at, rc = 0;

	if (c0->rulenum) {
		if (c0->rulenum > c->n)
			return no_rule_number(c, c0->rulenum, "", e);
		return delete_at(st, c, c0->rulenum - 1, e);
	}
	/* Each expanded rule deletes its first match not taken by an earlier
	 * one; all are found before any is deleted. */
	if (!(at = calloc((size_t)c0->nrules, sizeof(*at))))
		return oom(e);
	for (int k = 0; rc == 0 && k < c0->nrules; k++) {
		char *spec = spec_of(&c0->rules[k]);

		at[k] = -1;
		if (!spec) {
			rc = oom(e);
			break;
		}
		for (int i = 0; i < c->n && at[k] < 0; i++) {
			bool taken = false;

			for (int j = 0; j < k; j++)
				taken |= at[j] == i;
			const char *have = taken ? NULL : entry_spec(c, &c->v[i]);

			if (have && !strcmp(have, spec))
				at[k] = i;
		}
		free(spec);
		if (at[k] < 0)
			rc = bad_rule(c, e);
	}
	qsort(at, (size_t)c0->nrules, sizeof(*at), cmp_desc);
	for (int k = 0; rc == 0 && k < c0->nrules; k++)
		rc = delete_at(st, c, at[k], e);
	free(at);
	return rc;
}

static int stage_replace(struct stage *st, struct stage_chain *c, const struct cmd *c0,
                         struct nfsh_err *e)
{
	json_t *body;

	if (c0->nrules != 1)
		return err_set(e, NFSH_EPARAM, NULL,
		               "-R replaces one rule; the addresses expand to %d", c0->nrules);
	if (c0->rulenum < 1 || c0->rulenum > c->n)
		return no_rule_number(c, c0->rulenum, "", e);
	body = rule_obj(st, &c0->rules[0], e);
	if (!body)
		return -1;
	return replace_at(st, c, c0->rulenum - 1, &c0->rules[0], body, e);
}

/* Zero the counters of a rule object; true when it had any. */
static bool zero_counters(json_t *rule)
{
	size_t i;
	json_t *st;
	bool had = false;

	json_array_foreach(json_object_get(rule, "expr"), i, st)
	{
		json_t *ctr = json_object_get(st, "counter");

		if (json_is_object(ctr)) {
			had = true;
			json_object_set_new(st, "counter", json_null());
		}
	}
	return had;
}

/* -Z of one rule: a kernel rule is replaced by itself (libnftables 1.0.6 has
 * no "reset rules"), an added rule only when it carries counters (-c). */
static int zero_at(struct stage *st, struct stage_chain *c, int at, struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];
	json_t *body;

	if (x->handle && !x->body && x->listed >= 0) {
		struct rule *r = &c->listed.rules[x->listed];

		if (c->listed.foreign && c->listed.foreign[x->listed])
			return 0;
		r->packets = r->bytes = 0;
		if (!(body = xlate_rule(r, e)))
			return -1;
	} else if (x->handle && x->body) {
		body = json_deep_copy(x->body);
		if (!body)
			return oom(e);
		zero_counters(body);
	} else if (!x->handle) {
		body = st->sink.rule_of(st->sink.ctx, x->item);
		if (!body)
			return oom(e);
		if (!zero_counters(body)) {
			json_decref(body);
			return 0;
		}
	} else {
		return 0;
	}
	return replace_at(st, c, at, NULL, body, e);
}

static int zero_chain(struct stage *st, struct stage_chain *c, int rulenum, struct nfsh_err *e)
{
	if (rulenum) {
		if (rulenum > c->n)
			return no_rule_number(c, rulenum, "", e);
		return zero_at(st, c, rulenum - 1, e);
	}
	for (int i = 0; i < c->n; i++)
		if (zero_at(st, c, i, e) < 0)
			return -1;
	return 0;
}

/* -Z without a chain: every chain of the table, listed or modelled. */
static int zero_table(struct stage *st, const struct cmd *c0, struct nfsh_err *e)
{
	struct stage_table *t = table_state(st, c0->family, c0->table);
	struct table_info ti = {0};
	int rc = 0;

	if (!t->empty && table_read(st->s, c0->family, c0->table, NULL, &ti, e) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < ti.nchains; i++) {
		struct stage_chain *c = find(st, c0->family, c0->table, ti.chains[i].name);

		if (c && (c->gone || c->renamed))
			continue;
		if (!c && !(t->user_gone && !ti.chains[i].builtin)) {
			if (stage_load(st, c0->family, c0->table, &ti.chains[i]) < 0) {
				rc = oom(e);
				break;
			}
		}
	}
	table_info_free(&ti);
	for (size_t k = 0; rc == 0 && k < st->cap; k++) {
		struct stage_chain *c = st->chains[k];

		if (c && c->family == c0->family && c->table == c0->table && !c->gone &&
		    !c->renamed) {
			rc = load_rules(st, c, e);
			if (rc == 0)
				rc = zero_chain(st, c, 0, e);
		}
	}
	return rc;
}

static int rule_cmd(struct stage *st, const struct cmd *c0, struct nfsh_err *e)
{
	struct stage_chain *c;
	/* Appending, or inserting at the top, needs no kernel listing. */
	bool rules = !(c0->op == OP_APPEND || (c0->op == OP_INSERT && c0->rulenum <= 1));

	if (c0->op == OP_ZERO && !c0->chain[0])
		return zero_table(st, c0, e);
	c = chain_get(st, c0->family, c0->table, c0->chain, rules, e);
	if (!c)
		return -1;
	switch (c0->op) {
	case OP_APPEND:
	case OP_INSERT:
		return stage_append_insert(st, c, c0, e);
	case OP_DELETE:
		return stage_delete(st, c, c0, e);
	case OP_REPLACE:
		return stage_replace(st, c, c0, e);
	case OP_ZERO:
		return zero_chain(st, c, c0->rulenum, e);
	default:
		return err_set(e, NFSH_EOTHER, NULL, "internal error: %s is not a rule command",
		               cmd_op_letter(c0->op));
	}
}

int stage_rule_cmd(struct stage *st, const struct cmd *c0, struct nfsh_err *e)
{
	int rc = rule_cmd(st, c0, e);

	st->argc = 0; /* the words were this command's */
	return rc;
}

/* ---- what other commands do ---- */

static void each_chain(struct stage *st, int family, int table, bool user_only,
                       void (*fn)(struct stage_chain *))
{
	for (size_t k = 0; k < st->cap; k++) {
		struct stage_chain *c = st->chains[k];

		if (c && c->family == family && c->table == table &&
		    !(user_only && table_builtin(table, c->name)))
			fn(c);
	}
}

/* Forget the rules: the chain is empty (flushed, new) or gone. */
static void make_empty(struct stage_chain *c)
{
	chain_clear(c);
	c->nhead = 0;
	c->loaded = true;
	c->by_index = false;
	c->last_index = -1;
}

static void make_gone(struct stage_chain *c)
{
	make_empty(c);
	c->gone = true;
	c->renamed = false;
}

static void allow_index(struct stage_chain *c)
{
	c->by_index = !c->gone;
}

static struct stage_chain *model_or_new(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c = find(st, family, table, name);

	return c ? c : add_model(st, family, table, name);
}

void stage_table_replaced(struct stage *st, int family, int table)
{
	struct stage_table *t = table_state(st, family, table);

	each_chain(st, family, table, true, make_gone);
	each_chain(st, family, table, false, make_empty);
	each_chain(st, family, table, false, allow_index);
	t->empty = true;
	t->user_gone = true;
	t->replaced = true;
}

void stage_chain_created(struct stage *st, int family, int table, const char *name)
{
	bool fresh = !find(st, family, table, name);
	struct stage_chain *c = model_or_new(st, family, table, name);

	/* Without memory the chain stays unmodelled: a later rule command reads
	 * the kernel, which does not have it, and fails. */
	if (c) {
		make_empty(c);
		c->gone = c->renamed = false;
		c->by_index = fresh && table_state(st, family, table)->replaced;
	}
}

void stage_chain_flushed(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c;

	if (!name) {
		each_chain(st, family, table, false, make_empty);
		table_state(st, family, table)->empty = true;
		table_state(st, family, table)->replaced = false;
		return;
	}
	c = model_or_new(st, family, table, name);
	if (c)
		make_empty(c);
}

void stage_chain_deleted(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c;

	if (!name) {
		each_chain(st, family, table, true, make_gone);
		table_state(st, family, table)->user_gone = true;
		return;
	}
	if ((c = model_or_new(st, family, table, name)))
		make_gone(c);
}

void stage_chain_renamed(struct stage *st, int family, int table, const char *from, const char *to)
{
	struct stage_chain *c = model_or_new(st, family, table, from);

	if (c)
		make_gone(c);
	if ((c = model_or_new(st, family, table, to))) {
		make_empty(c);
		c->gone = false;
		c->renamed = true;
	}
}

int stage_chain_known(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c = find(st, family, table, name);

	if (!c)
		return table_state(st, family, table)->user_gone && !table_builtin(table, name) ? -1
		                                                                                : 0;
	return c->gone || c->renamed ? -1 : 1;
}

int stage_chain_rules(struct stage *st, int family, int table, const char *name, int listed)
{
	struct stage_chain *c = find(st, family, table, name);

	if (!c || c->renamed)
		return listed;
	return c->loaded ? c->n : listed + c->n;
}

int stage_refs(struct stage *st, const struct table_info *ti, const char *to, int listed)
{
	int refs = listed;

	for (size_t k = 0; k < st->cap; k++) {
		const struct stage_chain *c = st->chains[k];

		if (!c || c->family != ti->family || c->table != ti->table || c->renamed)
			continue;
		/* A loaded chain's listed rules are in v, or were deleted. */
		for (int i = 0; i < c->listed.nrules; i++) {
			const struct rule *r = &c->listed.rules[i];

			if ((r->target_kind == TGT_JUMP || r->target_kind == TGT_GOTO) &&
			    !strcmp(r->jump, to))
				refs--;
		}
		for (int i = 0; i < c->n; i++)
			if (c->v[i].jump && !strcmp(c->v[i].jump, to))
				refs++;
	}
	return refs;
}

int stage_walk(struct stage *st, int family, int table, const char *name,
               void (*fn)(void *arg, uint64_t handle, int item, const char *spec), void *arg)
{
	struct stage_chain *c = find(st, family, table, name);

	if (!c || c->gone)
		return -1;
	for (int i = 0; i < c->n; i++)
		fn(arg, c->v[i].handle, c->v[i].handle ? -1 : c->v[i].item,
		   entry_spec(c, &c->v[i]));
	return c->n;
}

/* ---- the sink over a command array (one command, the shell's candidate) ---- */

static int array_emit(void *ctx, json_t *cmd, int line)
{
	(void)line;
	if (json_array_append_new(ctx, cmd) < 0)
		return -1;
	return (int)json_array_size(ctx) - 1;
}

static int array_cancel(void *ctx, int item)
{
	/* libnftables skips metainfo objects anywhere in the batch. */
	return json_array_set_new(ctx, (size_t)item, json_pack("{s:{}}", "metainfo"));
}

static json_t *array_rule_of(void *ctx, int item)
{
	json_t *cmd = json_array_get(ctx, (size_t)item);
	void *it = json_is_object(cmd) ? json_object_iter(cmd) : NULL;
	json_t *rule = it ? json_object_get(json_object_iter_value(it), "rule") : NULL;

	return rule ? json_deep_copy(rule) : NULL;
}

void stage_array_sink(struct stage_sink *sk, json_t *cmds)
{
	memset(sk, 0, sizeof(*sk));
	sk->ctx = cmds;
	sk->emit = array_emit;
	sk->cancel = array_cancel;
	sk->rule_of = array_rule_of;
}

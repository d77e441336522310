/* The staged state of chains within one transaction: see stage.h. This
 * file keeps the model; the rule commands are stage_rules.c's. */
#include "util/strbuf.h"
#include "cmd/stage_int.h"
#include "ext/ext.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "xlate/xlate.h"

#include <stdlib.h>
#include <string.h>

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

static void chain_free_listed(struct stage_chain *c)
{
	for (int k = 0; k < c->listed.nrules; k++) {
		rule_release(&c->listed.rules[k]);
		if (c->listed.foreign)
			free(c->listed.foreign[k]);
	}
	free(c->listed.rules);
	free(c->listed.foreign);
	memset(&c->listed, 0, sizeof(c->listed));
}

static void chain_free(struct stage_chain *c)
{
	chain_clear(c);
	free(c->v);
	chain_free_listed(c);
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

struct stage_table *stg_table_state(struct stage *st, int family, int table)
{
	return &st->tables[family == NFSH_IPV6 ? 1 : 0][table];
}

struct stage_chain *stg_find(struct stage *st, int family, int table, const char *name)
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

struct stage_rule *stg_push_slot(struct stage_chain *c, int at)
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

void stg_drop_slot(struct stage_chain *c, int at)
{
	entry_release(&c->v[at]);
	memmove(&c->v[at], &c->v[at + 1], (size_t)(c->n - at - 1) * sizeof(*c->v));
	c->n--;
}

char *stg_spec_of(const struct rule *r)
{
	struct strbuf sb;
	char *s;

	sb_init(&sb);
	print_rule_save(r, false, &sb);
	s = sb.oom ? NULL : strdup(sb_str(&sb));
	sb_free(&sb);
	return s;
}

char *stg_jump_of(const struct rule *r)
{
	if (r->target_kind != TGT_JUMP && r->target_kind != TGT_GOTO)
		return NULL;
	return strdup(r->jump);
}

/* The words of the command being staged, NUL-separated, into x. */
int stg_keep_words(const struct stage *st, struct stage_rule *x, int expanded)
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
			spec = stg_spec_of(&c.rules[x->expanded]);
		cmd_release(&c);
	}
	free(argv);
	return spec;
}

/* The canonical text of a rule; NULL for a foreign one (or no memory). */
const char *stg_entry_spec(struct stage_chain *c, struct stage_rule *x)
{
	if (!x->spec && x->words)
		x->spec = spec_of_words(x);
	else if (!x->spec && x->listed >= 0 && !(c->listed.foreign && c->listed.foreign[x->listed]))
		x->spec = stg_spec_of(&c->listed.rules[x->listed]);
	return x->spec;
}

/* Put the listed rules of ch (taken over) between c's head and tail. */
static int splice(struct stage_chain *c, struct chain_info *ch)
{
	c->listed = *ch;
	memset(ch, 0, sizeof(*ch));
	for (int k = 0; k < c->listed.nrules; k++) {
		const struct rule *r = &c->listed.rules[k];
		struct stage_rule *e = stg_push_slot(c, c->nhead + k);
		bool foreign = c->listed.foreign && c->listed.foreign[k];

		if (!e)
			return -1;
		e->handle = r->handle;
		e->listed = k;
		e->item = -1;
		/* The spec is printed when a -D by spec needs it (entry_spec). */
		e->jump = foreign ? NULL : stg_jump_of(r);
	}
	c->loaded = true;
	return 0;
}

/* The jumps of c's listed rules to a chain renamed in this transaction name
 * it by its new name (the kernel lists the old one until the commit). */
static void follow_aliases(struct stage *st, struct stage_chain *c)
{
	for (size_t k = 0; st->naliases && k < st->cap; k++) {
		const struct stage_chain *a = st->chains[k];

		if (a && a->kname[0] && !a->gone && a->family == c->family && a->table == c->table)
			stg_rename_jumps(c, a->kname, a->name);
	}
}

int stage_load(struct stage *st, int family, int table, struct chain_info *ch)
{
	struct stage_chain *c = stg_find(st, family, table, ch->name);

	if (!c && !(c = add_model(st, family, table, ch->name)))
		return -1;
	if (c->loaded)
		return 0;
	if (splice(c, ch) < 0)
		return -1;
	follow_aliases(st, c);
	return 0;
}

static int no_chain(int table, const char *name, struct nfsh_err *e)
{
	err_set(e, NFSH_EOTHER, name, "chain \"%s\" does not exist in table %s", name,
	        table_by_id(table)->name);
	err_hint(e, "create it with -N %s", name);
	return -1;
}

int stg_oom(struct nfsh_err *e)
{
	return err_set(e, NFSH_EOTHER, NULL, "out of memory staging the command");
}

/* Read the kernel's rules of c (once). */
int stg_load_rules(struct stage *st, struct stage_chain *c, struct nfsh_err *e)
{
	struct table_info ti;
	struct chain_info *ch;
	int rc = 0;

	if (c->loaded)
		return 0;
	if (table_read(st->s, c->family, c->table, stg_bname(c), &ti, e) < 0)
		return -1;
	ch = table_find_chain(&ti, stg_bname(c));
	if (!ch && !table_builtin(c->table, c->name))
		rc = no_chain(c->table, c->name, e);
	else if (ch && splice(c, ch) < 0)
		rc = stg_oom(e);
	else
		c->loaded = true;
	/* The rules of a renamed chain print (for -D by spec) under its name. */
	for (int k = 0; rc == 0 && c->kname[0] && k < c->listed.nrules; k++)
		str_copy(c->listed.rules[k].chain, sizeof(c->listed.rules[k].chain), c->name);
	if (rc == 0)
		follow_aliases(st, c);
	table_info_free(&ti);
	return rc;
}

/* The model of a chain; with rules, its kernel rules are read the first time. */
struct stage_chain *stg_chain_get(struct stage *st, int family, int table, const char *name,
                                  bool rules, struct nfsh_err *e)
{
	struct stage_chain *c = stg_find(st, family, table, name);
	struct stage_table *t = stg_table_state(st, family, table);

	if (c && c->gone) {
		no_chain(table, name, e);
		return NULL;
	}
	if (c && c->renamed && !c->kname[0]) {
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
			stg_oom(e);
			return NULL;
		}
		c->loaded = t->empty;
		c->by_index = t->replaced;
		c->last_index = -1;
	}
	if (rules && stg_load_rules(st, c, e) < 0)
		return NULL;
	return c;
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
	c->created = false;
}

void stg_make_gone(struct stage_chain *c)
{
	make_gone(c);
}

static void allow_index(struct stage_chain *c)
{
	c->by_index = !c->gone;
}

static struct stage_chain *model_or_new(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c = stg_find(st, family, table, name);

	return c ? c : add_model(st, family, table, name);
}

struct stage_chain *stg_model(struct stage *st, int family, int table, const char *name)
{
	return model_or_new(st, family, table, name);
}

int stg_chain_exists(struct stage *st, int family, int table, const char *name, struct nfsh_err *e)
{
	const struct stage_chain *c = stg_find(st, family, table, name);
	int known = c && c->renamed ? 1 : stage_chain_known(st, family, table, name);
	struct table_info ti;
	int found;

	/* A chain renamed to name exists; one renamed away or deleted does not. */
	if (known || table_builtin(table, name) || stg_table_state(st, family, table)->user_gone)
		return known > 0 || table_builtin(table, name);
	if (!st->s)
		return 0;
	if (table_read(st->s, family, table, name, &ti, e) < 0)
		return -1;
	found = table_find_chain(&ti, name) != NULL;
	table_info_free(&ti);
	return found;
}

void stage_table_replaced(struct stage *st, int family, int table)
{
	struct stage_table *t = stg_table_state(st, family, table);

	each_chain(st, family, table, true, make_gone);
	each_chain(st, family, table, false, make_empty);
	each_chain(st, family, table, false, allow_index);
	t->empty = true;
	t->user_gone = true;
	t->replaced = true;
}

void stage_chain_created(struct stage *st, int family, int table, const char *name)
{
	bool fresh = !stg_find(st, family, table, name);
	struct stage_chain *c = model_or_new(st, family, table, name);

	/* Without memory the chain stays unmodelled: a later rule command reads
	 * the kernel, which does not have it, and fails. */
	if (c) {
		make_empty(c);
		c->gone = c->renamed = false;
		c->created = true;
		c->by_index = fresh && stg_table_state(st, family, table)->replaced;
	}
}

void stage_chain_flushed(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c;

	if (!name) {
		each_chain(st, family, table, false, make_empty);
		stg_table_state(st, family, table)->empty = true;
		stg_table_state(st, family, table)->replaced = false;
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
		stg_table_state(st, family, table)->user_gone = true;
		return;
	}
	if ((c = model_or_new(st, family, table, name)))
		make_gone(c);
}

const char *stg_bname(const struct stage_chain *c)
{
	return c->kname[0] ? c->kname : c->name;
}

const char *stage_batch_name(struct stage *st, int family, int table, const char *name)
{
	const struct stage_chain *c = name && name[0] ? stg_find(st, family, table, name) : NULL;

	return c && !c->gone ? stg_bname(c) : name;
}

/* n (empty) takes over c's staged rules and its listing; c is left empty. */
static void take_model(struct stage_chain *n, struct stage_chain *c)
{
	chain_clear(n);
	free(n->v);
	n->v = c->v;
	n->n = c->n;
	n->cap = c->cap;
	n->nhead = c->nhead;
	n->loaded = c->loaded;
	n->listed = c->listed;
	n->by_index = false;
	n->last_index = -1;
	c->v = NULL;
	c->n = c->cap = 0;
	memset(&c->listed, 0, sizeof(c->listed));
	for (int k = 0; k < n->listed.nrules; k++)
		str_copy(n->listed.rules[k].chain, sizeof(n->listed.rules[k].chain), n->name);
}

void stage_chain_renamed(struct stage *st, int family, int table, const char *from, const char *to)
{
	struct stage_chain *c = model_or_new(st, family, table, from);
	struct stage_chain *n = c ? model_or_new(st, family, table, to) : NULL;
	char kname[NFSH_CHAIN_MAX + 1];

	if (!n) {
		/* Without memory: the new name takes no rules in this transaction. */
		if (c)
			make_gone(c);
		if ((c = stg_find(st, family, table, to))) {
			make_empty(c);
			c->gone = false;
			c->renamed = true;
			c->created = false;
			c->kname[0] = '\0';
		}
		return;
	}
	str_copy(kname, sizeof(kname), stg_bname(c));
	if (n->listed.nrules)
		chain_free_listed(n);
	take_model(n, c);
	make_gone(c);
	n->gone = false;
	n->renamed = true;
	n->created = false;
	str_copy(n->kname, sizeof(n->kname), kname);
	st->naliases++;
	for (size_t k = 0; k < st->cap; k++) {
		struct stage_chain *m = st->chains[k];

		if (m && m->family == family && m->table == table)
			stg_rename_jumps(m, from, to);
	}
	/* Without memory a spec keeps the old name: a -D by spec then finds no
	 * rule (refused), never another one. */
	(void)stg_rename_specs(n, from);
}

int stage_chain_known(struct stage *st, int family, int table, const char *name)
{
	struct stage_chain *c = stg_find(st, family, table, name);

	if (!c)
		return stg_table_state(st, family, table)->user_gone && !table_builtin(table, name)
		           ? -1
		           : 0;
	return c->gone || c->renamed ? -1 : 1;
}

int stage_chain_rules(struct stage *st, int family, int table, const char *name, int listed)
{
	struct stage_chain *c = stg_find(st, family, table, name);

	if (!c || c->renamed)
		return listed;
	return c->loaded ? c->n : listed + c->n;
}

int stage_refs(struct stage *st, const struct table_info *ti, const char *to, int listed)
{
	int refs = listed;

	for (size_t k = 0; k < st->cap; k++) {
		const struct stage_chain *c = st->chains[k];

		if (!c || c->family != ti->family || c->table != ti->table)
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
	struct stage_chain *c = stg_find(st, family, table, name);

	if (!c || c->gone)
		return -1;
	for (int i = 0; i < c->n; i++)
		fn(arg, c->v[i].handle, c->v[i].handle ? -1 : c->v[i].item,
		   stg_entry_spec(c, &c->v[i]));
	return c->n;
}

/* ---- the sink over a command array (one command, the shell's candidate) ---- */

static int array_emit(void *ctx, json_t *cmd, int line)
{
	(void)line;
	return nftb_push_cmd(ctx, cmd);
}

static int array_cancel(void *ctx, int item)
{
	return nftb_cancel_cmd(ctx, (size_t)item);
}

static json_t *array_rule_of(void *ctx, int item)
{
	return nftb_rule_copy(nftb_cmd_rule(json_array_get(ctx, (size_t)item)));
}

void stage_array_sink(struct stage_sink *sk, json_t *cmds)
{
	memset(sk, 0, sizeof(*sk));
	sk->ctx = cmds;
	sk->emit = array_emit;
	sk->cancel = array_cancel;
	sk->rule_of = array_rule_of;
}

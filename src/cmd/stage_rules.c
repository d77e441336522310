/* The rule commands of a stage (stage.h, stage_int.h): -A, -I, -D, -R and -Z
 * on the model of a chain, and the batch items that make the kernel's chain
 * end as the model says: added rules placed by a kernel neighbour, by index
 * or by re-adding a short run; kernel rules addressed by handle. */
#include "util/strbuf.h"
#include "cmd/stage_int.h"
#include "ext/ext.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "xlate/xlate.h"

#include <stdlib.h>
#include <string.h>

/* ---- emitting ---- */

/* A rule object for chain c names it as the batch must (stg_bname). */
static void aim(const struct stage_chain *c, json_t *body)
{
	if (c->kname[0])
		nftb_rename_rule_chain(body, c->kname);
}

/* A jump of rule object o (r's) to a chain renamed in this transaction
 * names it as the kernel does until the commit. */
static void aim_jump(struct stage *st, const struct rule *r, json_t *o)
{
	if (o && (r->target_kind == TGT_JUMP || r->target_kind == TGT_GOTO)) {
		const char *k = stage_batch_name(st, r->family, r->table, r->jump);

		if (strcmp(k, r->jump))
			nftb_retarget_jumps(o, r->jump, k);
	}
}

/* The rule object of r. The sets its matches declare (connlimit) go to the
 * sink first, as items of their own. */
static json_t *rule_obj(struct stage *st, struct rule *r, struct nfsh_err *e)
{
	struct ext_decls d = {NULL, st->decl_sets};
	json_t *o, *cmd;
	size_t i;

	if (st->sink.make_rule) {
		o = st->sink.make_rule(st->sink.ctx, r, e);
		goto aimed;
	}
	d.cmds = nftj_array();
	o = xlate_rule_decls(r, &d, e);
	st->decl_sets = d.nsets;
	json_array_foreach(d.cmds, i, cmd)
	{
		if (o && st->sink.emit(st->sink.ctx, json_incref(cmd), st->line) < 0) {
			json_decref(o);
			o = NULL;
			stg_oom(e);
		}
	}
	json_decref(d.cmds);
aimed:
	aim_jump(st, r, o);
	return o;
}

/* {verb: {"rule": rule}} (rule stolen) to the sink: the item, or -1. */
static int emit_rule(struct stage *st, const char *verb, json_t *rule, int line)
{
	json_t *cmd;

	if (st->sink.emit_rule)
		return st->sink.emit_rule(st->sink.ctx, verb, rule, line);
	cmd = nftb_command(verb, "rule", rule);
	return cmd ? st->sink.emit(st->sink.ctx, cmd, line) : -1;
}

/* {verb: {"rule": rule}} with the rule placed relative to handle (0: none). */
int stg_put(struct stage *st, const char *verb, json_t *rule, uint64_t handle, int line)
{
	nftb_unset_index(rule);
	if (handle)
		nftb_set_handle(rule, handle);
	else
		nftb_unset_handle(rule);
	return emit_rule(st, verb, rule, line);
}

static json_t *handle_obj(const struct stage_chain *c, uint64_t handle)
{
	json_t *o = nftb_rule(c->family, table_by_id(c->table)->nftname, stg_bname(c), NULL, NULL);

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
			items[i] = stg_put(st, h ? "insert" : "add", bodies[i], h, lines[i]);
			rc |= items[i] < 0;
		}
	} else {
		for (int i = n - 1; i >= 0; i--) {
			items[i] = stg_put(st, "insert", bodies[i], 0, lines[i]);
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

	aim(c, body);
	/* In a chain of this transaction's own rules, by index. */
	if (c->by_index) {
		nftb_unset_handle(body);
		if (at + 1 < c->n)
			nftb_set_index(body, at);
		c->v[at].item = emit_rule(st, at + 1 < c->n ? "insert" : "add", body, st->line);
		if (at + 1 < c->n)
			c->last_index = c->v[at].item;
		return c->v[at].item < 0 ? stg_oom(e) : 0;
	}
	/* Before the kernel's rules are read, a rule goes to the top or the end. */
	if (!c->loaded) {
		bool top = at < c->nhead || (at == c->nhead && st->top);

		c->v[at].item = stg_put(st, top ? "insert" : "add", body, 0, st->line);
		return c->v[at].item < 0 ? stg_oom(e) : 0;
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
	return rc < 0 ? stg_oom(e) : 0;
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
		return stg_keep_words(st, x, expanded);
	x->spec = stg_spec_of(r);
	return x->spec ? 0 : -1;
}

/* Stage rule r (the command's expanded rule number `expanded`), its rule
 * object body (stolen), at position at (0-based) of c. */
static int insert_at(struct stage *st, struct stage_chain *c, int at, const struct rule *r,
                     int expanded, json_t *body, struct nfsh_err *e)
{
	struct stage_rule *x = stg_push_slot(c, at);

	if (!x || note_spec(st, x, r, expanded) < 0) {
		if (x)
			stg_drop_slot(c, at);
		json_decref(body);
		return stg_oom(e);
	}
	x->line = st->line;
	x->listed = -1;
	x->jump = stg_jump_of(r);
	return place(st, c, at, body, e);
}

/* A kernel rule that goes: the sets it alone used (connlimit's) go in the
 * same batch, after it. */
static int release_listed(struct stage *st, struct stage_chain *c, int listed, struct nfsh_err *e)
{
	struct ext_decls d = {nftj_array(), 0};
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
			rc = stg_oom(e);
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
	cmd = nftb_command(
	    "flush", "chain",
	    nftb_chain(c->family, table_by_id(c->table)->nftname, stg_bname(c), NULL, NULL));
	if (rc == 0 && (!cmd || st->sink.emit(st->sink.ctx, cmd, st->line) < 0))
		rc = -1;
	for (int i = 0; i < c->n; i++) {
		if (rc == 0 && bodies) {
			c->v[i].item = stg_put(st, "add", bodies[i], 0, c->v[i].line);
			rc = c->v[i].item < 0 ? -1 : 0;
		} else if (bodies) {
			json_decref(bodies[i]);
		}
	}
	json_decref(body);
	free(bodies);
	c->last_index = -1;
	c->by_index = false; /* the flush: see by_index */
	return rc < 0 ? stg_oom(e) : 0;
}

static int delete_at(struct stage *st, struct stage_chain *c, int at, struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];

	if (x->handle) {
		json_t *cmd = nftb_command("delete", "rule", handle_obj(c, x->handle));

		if (!cmd || st->sink.emit(st->sink.ctx, cmd, st->line) < 0)
			return stg_oom(e);
		if (release_listed(st, c, x->listed, e) < 0)
			return -1;
	} else if (must_rebuild(c, x)) {
		dropped(st, c, x);
		stg_drop_slot(c, at);
		return rebuild_own(st, c, -1, NULL, e);
	} else if (st->sink.cancel(st->sink.ctx, x->item) < 0) {
		return stg_oom(e);
	}
	dropped(st, c, x);
	stg_drop_slot(c, at);
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
	x->jump = stg_jump_of(r);
}

/* A -R or -Z that stops half way stages nothing of the new rule: its object
 * and its spec (both stolen, either NULL) go. Returns rc. */
static int drop_new_rule(json_t *body, char *spec, int rc)
{
	json_decref(body);
	free(spec);
	return rc;
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
	json_t *cmd = nftb_command("delete", "rule", handle_obj(c, x->handle));

	if (!cmd || st->sink.emit(st->sink.ctx, cmd, st->line) < 0)
		return drop_new_rule(body, spec, stg_oom(e));
	if (r && release_listed(st, c, x->listed, e) < 0)
		return drop_new_rule(body, spec, -1);
	if (!r)
		stg_entry_spec(c, x); /* as in replace_at */
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
int stg_replace_at(struct stage *st, struct stage_chain *c, int at, struct rule *r, json_t *body,
                   struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];
	char *spec = r ? stg_spec_of(r) : NULL;

	aim(c, body);
	if (r && !spec)
		return drop_new_rule(body, NULL, stg_oom(e));
	if (!x->handle) {
		int line = x->line;
		bool rebuild = must_rebuild(c, x);

		if (!rebuild && st->sink.cancel(st->sink.ctx, x->item) < 0)
			return drop_new_rule(body, spec, stg_oom(e));
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
	if (stg_put(st, "replace", json_incref(body), x->handle, st->line) < 0)
		return drop_new_rule(body, spec, stg_oom(e));
	/* -R puts another rule there (-Z, r NULL, the same one). */
	if (r && release_listed(st, c, x->listed, e) < 0)
		return drop_new_rule(body, spec, -1);
	/* -Z keeps the rule: its spec is printed from the listing while it has
	 * one, for a later -D by spec. */
	if (!r)
		stg_entry_spec(c, x);
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
		return stg_oom(e);
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
		return stg_oom(e);
	for (int k = 0; rc == 0 && k < c0->nrules; k++) {
		char *spec = stg_spec_of(&c0->rules[k]);

		at[k] = -1;
		if (!spec) {
			rc = stg_oom(e);
			break;
		}
		for (int i = 0; i < c->n && at[k] < 0; i++) {
			bool taken = false;

			for (int j = 0; j < k; j++)
				taken |= at[j] == i;
			const char *have = taken ? NULL : stg_entry_spec(c, &c->v[i]);

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
	return stg_replace_at(st, c, c0->rulenum - 1, &c0->rules[0], body, e);
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
		aim_jump(st, r, body);
	} else if (x->handle && x->body) {
		body = nftb_rule_copy(x->body);
		if (!body)
			return stg_oom(e);
		nftb_zero_counters(body);
	} else if (!x->handle) {
		body = st->sink.rule_of(st->sink.ctx, x->item);
		if (!body)
			return stg_oom(e);
		if (!nftb_zero_counters(body)) {
			json_decref(body);
			return 0;
		}
	} else {
		return 0;
	}
	return stg_replace_at(st, c, at, NULL, body, e);
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
	struct stage_table *t = stg_table_state(st, c0->family, c0->table);
	struct table_info ti = {0};
	int rc = 0;

	if (!t->empty && table_read(st->s, c0->family, c0->table, NULL, &ti, e) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < ti.nchains; i++) {
		struct stage_chain *c = stg_find(st, c0->family, c0->table, ti.chains[i].name);

		if (c && (c->gone || (c->renamed && !c->kname[0])))
			continue;
		if (!c && !(t->user_gone && !ti.chains[i].builtin)) {
			if (stage_load(st, c0->family, c0->table, &ti.chains[i]) < 0) {
				rc = stg_oom(e);
				break;
			}
		}
	}
	table_info_free(&ti);
	for (size_t k = 0; rc == 0 && k < st->cap; k++) {
		struct stage_chain *c = st->chains[k];

		if (c && c->family == c0->family && c->table == c0->table && !c->gone &&
		    (!c->renamed || c->kname[0])) {
			rc = stg_load_rules(st, c, e);
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
	c = stg_chain_get(st, c0->family, c0->table, c0->chain, rules, e);
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

/* -E in a stage (stage.h, stage_int.h). A chain this transaction created is
 * made again under its new name (the kernel's rename finds only committed
 * chains), its rules with it, and the rules that jump to it point at the new
 * name; the specs and jumps of a kernel chain renamed in the transaction
 * follow its new name while its batch items keep the old one. */
#include "cmd/stage_int.h"
#include "nft/batch.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* spec with "-A from" at its start (chain) or its " -j from" / " -g from"
 * word (else) naming `to` (malloc'ed), NULL when out of memory. The spec
 * is iptables-save's canonical text: a chain name holds no blank. */
static char *respec(const char *spec, const char *from, const char *to, bool chain)
{
	size_t fl = strlen(from);
	const char *at = NULL;
	struct strbuf sb;
	char *out;

	if (chain && !strncmp(spec, "-A ", 3) && !strncmp(spec + 3, from, fl) &&
	    (spec[3 + fl] == ' ' || !spec[3 + fl]))
		at = spec + 3;
	for (const char *p = spec; !chain && (p = strstr(p, " -")); p++)
		if ((p[2] == 'j' || p[2] == 'g') && p[3] == ' ' && !strncmp(p + 4, from, fl) &&
		    (p[4 + fl] == ' ' || !p[4 + fl]))
			at = p + 4;
	if (!at)
		return strdup(spec);
	sb_init(&sb);
	sb_addn(&sb, spec, (size_t)(at - spec));
	sb_add(&sb, to);
	sb_add(&sb, at + fl);
	out = sb.oom ? NULL : strdup(sb_str(&sb));
	sb_free(&sb);
	return out;
}

/* x of c now names `to` where it named from: its chain (chain) or its jump. */
static int rename_entry(struct stage_chain *c, struct stage_rule *x, const char *from,
                        const char *to, bool chain)
{
	const char *spec = stg_entry_spec(c, x);
	char *s = spec ? respec(spec, from, to, chain) : NULL;

	if (spec && !s)
		return -1;
	free(x->spec);
	free(x->words);
	x->words = NULL;
	x->spec = s;
	if (!chain) {
		free(x->jump);
		if (!(x->jump = strdup(to)))
			return -1;
	}
	return 0;
}

/* Rule at of c jumps to `to` instead of from: placed again where it is (an
 * added rule) or replaced by handle (a kernel rule replaced earlier by -R;
 * a kernel rule as listed cannot jump to a chain this transaction made). */
static int repoint(struct stage *st, struct stage_chain *c, int at, const char *from,
                   const char *to, struct nfsh_err *e)
{
	struct stage_rule *x = &c->v[at];
	json_t *body;

	if (x->handle && !x->body)
		return 0;
	body = x->handle ? nftb_rule_copy(x->body) : st->sink.rule_of(st->sink.ctx, x->item);
	if (!body)
		return stg_oom(e);
	nftb_retarget_jumps(body, from, to);
	if (rename_entry(c, x, from, to, false) < 0) {
		json_decref(body);
		return stg_oom(e);
	}
	return stg_replace_at(st, c, at, NULL, body, e);
}

/* Every staged rule of the table that jumps or goes to from. */
static int repoint_all(struct stage *st, const struct stage_chain *moved, const char *from,
                       const char *to, struct nfsh_err *e)
{
	for (size_t k = 0; k < st->cap; k++) {
		struct stage_chain *c = st->chains[k];
		bool jumps = false;

		if (!c || c == moved || c->gone || c->family != moved->family ||
		    c->table != moved->table)
			continue;
		for (int i = 0; i < c->n; i++)
			jumps |= c->v[i].jump && !strcmp(c->v[i].jump, from);
		/* Placing an added rule again needs its kernel neighbours. */
		if (jumps && stg_load_rules(st, c, e) < 0)
			return -1;
		for (int i = 0; jumps && i < c->n; i++)
			if (c->v[i].jump && !strcmp(c->v[i].jump, from) &&
			    repoint(st, c, i, from, to, e) < 0)
				return -1;
	}
	return 0;
}

static int emit_chain_cmd(struct stage *st, const char *verb, int family, int table,
                          const char *name, struct nfsh_err *e)
{
	json_t *cmd = nftb_command(
	    verb, "chain", nftb_chain(family, table_by_id(table)->nftname, name, NULL, NULL));

	return cmd && st->sink.emit(st->sink.ctx, cmd, st->line) >= 0 ? 0 : stg_oom(e);
}

/* The rules of from's model go to n's (empty), and to the new chain in the
 * batch, in order: appended there, their first items cancelled. */
static int move_rules(struct stage *st, struct stage_chain *c, struct stage_chain *n,
                      struct nfsh_err *e)
{
	free(n->v);
	n->v = c->v;
	n->n = c->n;
	n->cap = c->cap;
	c->v = NULL;
	c->n = c->cap = 0;
	n->gone = n->renamed = false;
	n->created = n->loaded = true;
	n->by_index = false;
	n->last_index = -1;
	n->nhead = 0;
	for (int i = 0; i < n->n; i++) {
		struct stage_rule *x = &n->v[i];
		json_t *body = st->sink.rule_of(st->sink.ctx, x->item);

		if (!body || rename_entry(n, x, c->name, n->name, true) < 0 ||
		    st->sink.cancel(st->sink.ctx, x->item) < 0) {
			json_decref(body);
			return stg_oom(e);
		}
		nftb_rename_rule_chain(body, n->name);
		if ((x->item = stg_put(st, "add", body, 0, x->line)) < 0)
			return stg_oom(e);
	}
	return 0;
}

int stage_chain_move(struct stage *st, int family, int table, const char *from, const char *to,
                     struct nfsh_err *e)
{
	struct stage_chain *c = stg_find(st, family, table, from), *n;
	int exists;

	if (!c || c->gone || c->renamed || !c->created)
		return 0;
	if ((exists = stg_chain_exists(st, family, table, to, e)) < 0)
		return -1;
	if (exists) {
		err_set(e, NFSH_EOTHER, to, "chain \"%s\" already exists", to);
		return -1;
	}
	if (!(n = stg_model(st, family, table, to)))
		return stg_oom(e);
	if (emit_chain_cmd(st, "create", family, table, to, e) < 0 || move_rules(st, c, n, e) < 0 ||
	    repoint_all(st, n, from, to, e) < 0 ||
	    emit_chain_cmd(st, "delete", family, table, from, e) < 0)
		return -1;
	stg_make_gone(c);
	return 1;
}

int stg_rename_specs(struct stage_chain *c, const char *from)
{
	int rc = 0;

	for (int i = 0; i < c->n; i++)
		rc |= rename_entry(c, &c->v[i], from, c->name, true);
	return rc ? -1 : 0;
}

void stg_rename_jumps(struct stage_chain *c, const char *from, const char *to)
{
	for (int k = 0; k < c->listed.nrules; k++) {
		struct rule *r = &c->listed.rules[k];

		if ((r->target_kind == TGT_JUMP || r->target_kind == TGT_GOTO) &&
		    !strcmp(r->jump, from))
			str_copy(r->jump, sizeof(r->jump), to);
	}
	/* Without memory a spec keeps the old name: a -D by spec finds no rule. */
	for (int i = 0; i < c->n; i++)
		if (c->v[i].jump && !strcmp(c->v[i].jump, from))
			(void)rename_entry(c, &c->v[i], from, to, false);
}

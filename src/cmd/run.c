/* Carrying out one command: build one batch, apply it as one transaction.
 * Commands that name a rule by number or by spec resolve it through a stage
 * (cmd/stage.c: the chain as the transaction leaves it, read from a listing)
 * and address kernel rules by their handle. */
#include "cmd/run.h"
#include "cmd/print.h"
#include "cmd/stage.h"
#include "nft/batch.h"
#include "nft/gen.h"
#include "nft/json.h"
#include "nft/sets_nl.h"
#include "xlate/xlate.h"

#include <stdlib.h>
#include <string.h>

static const char *nft_table(const struct cmd *c)
{
	return table_by_id(c->table)->nftname;
}

static int no_chain(const struct cmd *c, const char *name, struct nfsh_err *e)
{
	err_set(e, NFSH_EOTHER, name, "chain \"%s\" does not exist in table %s", name,
	        table_by_id(c->table)->name);
	err_hint(e, "create it with -N %s", name);
	return -1;
}

/* The listed rules of c's chain. */
static int read_chain(struct nfsh_session *s, const struct cmd *c, struct table_info *ti,
                      struct chain_info **ch, struct nfsh_err *e)
{
	if (table_read(s, c->family, c->table, c->chain, ti, e) < 0)
		return -1;
	*ch = table_find_chain(ti, c->chain);
	if (!*ch && !table_builtin(c->table, c->chain)) {
		table_info_free(ti);
		return no_chain(c, c->chain, e);
	}
	return 0;
}

/* The first listed rule equal to r (compared in canonical iptables-save form,
 * counters ignored), or -1. */
static int find_rule(struct chain_info *ch, const struct rule *r)
{
	struct strbuf want, got;
	int hit = -1;

	if (!ch)
		return -1;
	sb_init(&want);
	sb_init(&got);
	print_rule_save(r, false, &want);
	for (int k = 0; k < ch->nrules && hit < 0; k++) {
		if (ch->foreign && ch->foreign[k])
			continue;
		sb_reset(&got);
		print_rule_save(&ch->rules[k], false, &got);
		if (strcmp(sb_str(&got), sb_str(&want)) == 0)
			hit = k;
	}
	sb_free(&want);
	sb_free(&got);
	return hit;
}

static int bad_rule(struct nfsh_err *e)
{
	err_set(e, NFSH_EOTHER, NULL, "no such rule in that chain");
	err_hint(e, "-S CHAIN shows the rules as they must be written");
	return -1;
}

/* A chain -X may delete: refused while rules jump to it or it has rules,
 * counting what the transaction staged so far. */
static int delchain_check(struct stage *st, const struct table_info *ti, const struct cmd *c,
                          const char *name, int refs, int nrules, struct nfsh_err *e)
{
	refs = stage_refs(st, ti, name, refs);
	nrules = stage_chain_rules(st, c->family, c->table, name, nrules);
	/* With or without a chain name, as iptables(8) and iptables-nft 1.8.9:
	 * a chain still referenced or not empty is refused, and then nothing is
	 * deleted (-X alone is one batch). */
	if (refs) {
		err_set(e, NFSH_EOTHER, name, "chain \"%s\" is still referenced by %d rule%s", name,
		        refs, refs == 1 ? "" : "s");
		err_hint(e, "delete the rules that jump to it first");
		return -1;
	}
	if (nrules) {
		err_set(e, NFSH_EOTHER, name, "chain \"%s\" is not empty", name);
		err_hint(e, "flush it first with -F %s", name);
		return -1;
	}
	return 0;
}

static bool delchain_skip(struct stage *st, const struct cmd *c, const struct chain_info *ch)
{
	return ch->builtin || (c->chain[0] && strcmp(ch->name, c->chain)) ||
	       stage_chain_known(st, c->family, c->table, ch->name) < 0;
}

static int build_delchain(struct nfsh_session *s, struct stage *st, const struct cmd *c,
                          json_t *cmds, struct nfsh_err *e)
{
	struct table_info ti;
	int n = 0, rc = 0;

	if (table_read(s, c->family, c->table, NULL, &ti, e) < 0)
		return -1;
	for (int i = 0; rc == 0 && i < ti.nchains; i++) {
		struct chain_info *ch = &ti.chains[i];

		if (!delchain_skip(st, c, ch)) {
			rc = delchain_check(st, &ti, c, ch->name, ch->refs, ch->nrules, e);
			n++;
		}
	}
	/* A chain this transaction created is not listed yet. */
	if (rc == 0 && c->chain[0] && !n && !table_builtin(c->table, c->chain) &&
	    stage_chain_known(st, c->family, c->table, c->chain) > 0) {
		rc = delchain_check(st, &ti, c, c->chain, 0, 0, e);
		if (rc == 0)
			nftb_cmd(cmds, "delete", "chain",
			         nftb_chain(c->family, nft_table(c), c->chain, NULL, NULL));
		n = 1;
	}
	for (int i = 0; rc == 0 && i < ti.nchains; i++) {
		struct chain_info *ch = &ti.chains[i];

		if (!delchain_skip(st, c, ch))
			nftb_cmd(cmds, "delete", "chain",
			         nftb_chain(c->family, nft_table(c), ch->name, NULL, NULL));
	}
	table_info_free(&ti);
	if (rc == 0 && c->chain[0] && !n)
		return no_chain(c, c->chain, e);
	if (rc == 0)
		stage_chain_deleted(st, c->family, c->table, c->chain[0] ? c->chain : NULL);
	return rc;
}

/* The rule commands go through the stage; -A and -I make sure the table and
 * its built-in chains exist first. */
static int build_rules(struct stage *st, const struct cmd *c, json_t *cmds, struct nfsh_err *e)
{
	if (c->op == OP_APPEND || c->op == OP_INSERT)
		nftb_ensure_table(cmds, c->family, c->table);
	return stage_rule_cmd(st, c, e);
}

/* -F of a whole table: every rule goes, and with them the last references to
 * the sets nfsh declared for rules (connlimit's, restore's shared lists),
 * which go in the same batch instead of staying behind empty. Listing them
 * is best effort: without it (translate without privileges) the flush is
 * the same, the sets only stay. */
static void flush_table(json_t *cmds, int family, const char *nftname)
{
	struct nfsh_err ignored;

	err_clear(&ignored);
	nftb_cmd(cmds, "flush", "table", nftb_table(family, nftname));
	nl_drop_own_sets(cmds, family, nftname, &ignored);
}

int cmd_build_staged(struct nfsh_session *s, struct stage *st, const struct cmd *c, json_t *cmds,
                     struct nfsh_err *e)
{
	const struct table_desc *t = table_by_id(c->table);

	switch (c->op) {
	case OP_APPEND:
	case OP_INSERT:
	case OP_DELETE:
	case OP_REPLACE:
	case OP_ZERO:
		return build_rules(st, c, cmds, e);
	case OP_NEWCHAIN:
		nftb_ensure_table(cmds, c->family, c->table);
		nftb_cmd(cmds, "create", "chain",
		         nftb_chain(c->family, t->nftname, c->chain, NULL, NULL));
		stage_chain_created(st, c->family, c->table, c->chain);
		return 0;
	case OP_DELCHAIN:
		return build_delchain(s, st, c, cmds, e);
	case OP_RENAME: {
		json_t *o;
		int moved = stage_chain_move(st, c->family, c->table, c->chain, c->newname, e);

		if (moved)
			return moved < 0 ? -1 : 0;
		o = nftb_chain(c->family, t->nftname, c->chain, NULL, NULL);
		nftj_put_str(o, "newname", c->newname);
		nftb_cmd(cmds, "rename", "chain", o);
		stage_chain_renamed(st, c->family, c->table, c->chain, c->newname);
		return 0;
	}
	case OP_FLUSH:
		nftb_ensure_table(cmds, c->family, c->table);
		if (c->chain[0])
			nftb_cmd(cmds, "flush", "chain",
			         nftb_chain(c->family, t->nftname,
			                    stage_batch_name(st, c->family, c->table, c->chain),
			                    NULL, NULL));
		else
			flush_table(cmds, c->family, t->nftname);
		stage_chain_flushed(st, c->family, c->table, c->chain[0] ? c->chain : NULL);
		return 0;
	case OP_POLICY:
		nftb_ensure_table(cmds, c->family, c->table);
		nftb_cmd(cmds, "add", "chain",
		         nftb_chain(c->family, t->nftname, c->chain,
		                    table_builtin(c->table, c->chain),
		                    strcmp(c->policy, "DROP") == 0 ? "drop" : "accept"));
		return 0;
	default:
		return 1;
	}
}

int cmd_build(struct nfsh_session *s, const struct cmd *c, json_t *cmds, struct nfsh_err *e)
{
	struct stage_sink sink;
	struct stage *st;
	int rc;

	stage_array_sink(&sink, cmds);
	if (!(st = stage_new(s, &sink)))
		return err_set(e, NFSH_EOTHER, NULL, "out of memory");
	rc = cmd_build_staged(s, st, c, cmds, e);
	stage_free(st);
	return rc;
}

/* The name of the meter (-m hashlimit) rule r declares, or NULL. */
static const char *meter_of(const struct rule *r, json_t **body)
{
	struct nfsh_err e;
	json_t *st;
	size_t i;

	err_clear(&e);
	*body = xlate_rule(r, &e);
	json_array_foreach(json_object_get(*body, "expr"), i, st)
	{
		json_t *m = json_object_get(st, "meter");

		if (m)
			return json_string_value(json_object_get(m, "name"));
	}
	return NULL;
}

/* A meter belongs to one rule: a second rule naming it is refused by the
 * kernel as "Operation not supported" (xt_hashlimit shares its table between
 * rules of the same --hashlimit-name). Name the rule that holds it. */
static bool meter_clash(struct nfsh_session *s, const struct cmd *c, struct nfsh_err *e)
{
	struct table_info ti;
	struct nfsh_err e2;
	bool found = false;

	err_clear(&e2);
	if (!strstr(e->msg, "Operation not supported") ||
	    table_read(s, c->family, c->table, NULL, &ti, &e2) < 0)
		return false;
	for (int k = 0; k < c->nrules && !found; k++) {
		json_t *mine, *theirs;
		const char *name = meter_of(&c->rules[k], &mine);

		for (int i = 0; name && !found && i < ti.nchains; i++) {
			for (int j = 0; !found && j < ti.chains[i].nrules; j++) {
				const char *other = meter_of(&ti.chains[i].rules[j], &theirs);

				if (other && !strcmp(other, name)) {
					err_set(
					    e, NFSH_EPARAM, name,
					    "--hashlimit-name \"%s\" is taken: rule %d of chain %s "
					    "holds the nftables meter of that name, and a meter "
					    "belongs to one rule",
					    name, j + 1, ti.chains[i].name);
					err_hint(
					    e, "give this rule its own --hashlimit-name (iptables "
					       "would share one table between the two rules)");
					found = true;
				}
				json_decref(theirs);
			}
		}
		json_decref(mine);
	}
	table_info_free(&ti);
	return found;
}

/* After a failed apply, find the cause the kernel could not name: a missing
 * chain (the rule's own, or its jump target). */
static void diagnose(struct nfsh_session *s, const struct cmd *c, struct nfsh_err *e)
{
	struct table_info ti;
	struct nfsh_err e2;

	if (strstr(e->msg, "File exists") && (c->op == OP_NEWCHAIN || c->op == OP_RENAME)) {
		const char *name = c->op == OP_NEWCHAIN ? c->chain : c->newname;

		err_set(e, NFSH_EOTHER, name, "chain \"%s\" already exists", name);
		return;
	}
	if (meter_clash(s, c, e))
		return;
	if (!strstr(e->msg, "No such file or directory"))
		return;
	err_clear(&e2);
	if (table_read(s, c->family, c->table, NULL, &ti, &e2) < 0)
		return;
	if (c->chain[0] && !table_find_chain(&ti, c->chain)) {
		no_chain(c, c->chain, e);
	} else {
		for (int k = 0; k < c->nrules; k++) {
			const struct rule *r = &c->rules[k];

			if ((r->target_kind == TGT_JUMP || r->target_kind == TGT_GOTO) &&
			    !table_find_chain(&ti, r->jump)) {
				static const char *const std[] = {"ACCEPT", "DROP", "RETURN", NULL};
				const char *close = err_closest(r->jump, std, -1);

				err_set(e, NFSH_EOTHER, r->jump, "no target or chain named \"%s\"",
				        r->jump);
				if (close)
					err_hint(e, "did you mean \"%s\"?", close);
				else
					err_hint(e,
					         "create the chain with -N %s, or see 'nfsh help "
					         "targets'",
					         r->jump);
				break;
			}
		}
	}
	table_info_free(&ti);
}

static int run_check(struct nfsh_session *s, const struct cmd *c, struct nfsh_err *e)
{
	struct table_info ti;
	struct chain_info *ch;
	int rc = 0;

	if (read_chain(s, c, &ti, &ch, e) < 0)
		return -1;
	for (int k = 0; k < c->nrules && rc == 0; k++)
		if (find_rule(ch, &c->rules[k]) < 0)
			rc = bad_rule(e);
	table_info_free(&ti);
	return rc;
}

/* -Z, -F and -X with -v name each chain they zero, flush or delete, as
 * iptables does: "Zeroing chain `INPUT'". The names are read before the
 * command runs (-X removes them). */
struct verbose_names {
	const char *verb; /* NULL: nothing to say */
	char (*names)[NFSH_CHAIN_MAX + 1];
	int n;
};

static void names_collect(struct nfsh_session *s, const struct cmd *c, struct verbose_names *v)
{
	struct table_info ti;
	struct nfsh_err e2;

	memset(v, 0, sizeof(*v));
	if (!c->verbose || (c->op == OP_ZERO && c->rulenum) ||
	    (c->op != OP_ZERO && c->op != OP_FLUSH && c->op != OP_DELCHAIN))
		return;
	err_clear(&e2);
	if (table_read(s, c->family, c->table, NULL, &ti, &e2) < 0)
		return;
	v->names = calloc((size_t)ti.nchains + 1, sizeof(*v->names));
	for (int i = 0; v->names && i < ti.nchains; i++) {
		if ((c->chain[0] && strcmp(ti.chains[i].name, c->chain)) ||
		    (c->op == OP_DELCHAIN && ti.chains[i].builtin))
			continue;
		snprintf(v->names[v->n++], sizeof(v->names[0]), "%s", ti.chains[i].name);
	}
	v->verb = c->op == OP_ZERO ? "Zeroing" : c->op == OP_FLUSH ? "Flushing" : "Deleting";
	table_info_free(&ti);
}

static void names_say(struct verbose_names *v, bool done, FILE *out)
{
	for (int i = 0; done && v->verb && i < v->n; i++)
		fprintf(out, "%s chain `%s'\n", v->verb, v->names[i]);
	free(v->names);
	v->names = NULL;
}

/* -v with a command that carries a rule prints it first, as iptables does. */
static void say_rules(const struct cmd *c, FILE *out)
{
	bool rule_op = c->op == OP_APPEND || c->op == OP_INSERT || c->op == OP_REPLACE ||
	               c->op == OP_CHECK || (c->op == OP_DELETE && !c->rulenum);

	for (int k = 0; c->verbose && rule_op && k < c->nrules; k++)
		print_rule_brief(&c->rules[k], out);
}

int cmd_run(struct nfsh_session *s, const struct cmd *c, FILE *out, struct nfsh_err *e)
{
	json_t *cmds;
	struct verbose_names vn = {0};
	int rc;

	switch (c->op) {
	case OP_LIST:
	case OP_SPEC:
		rc = print_listing(s, c, out, e);
		if (rc == 0 && c->zero_after_list) {
			struct cmd z = *c;

			z.op = OP_ZERO;
			return cmd_run(s, &z, out, e);
		}
		return rc < 0 ? e->status : 0;
	case OP_CHECK:
		say_rules(c, out);
		return run_check(s, c, e) < 0 ? e->status : 0;
	default:
		break;
	}
	say_rules(c, out);
	names_collect(s, c, &vn);
	for (int attempt = 0;; attempt++) {
		uint32_t gen_before = 0, gen_after = 0;
		bool have_gen = nft_genid(&gen_before) == 0;

		cmds = nftj_array();
		rc = cmd_build(s, c, cmds, e);
		if (rc == 0 && json_array_size(cmds) > 0)
			rc = sess_apply(s, cmds, e);
		json_decref(cmds);
		if (rc >= 0) {
			names_say(&vn, true, out);
			return 0;
		}
		/* Rules are addressed by handle, which the kernel never reuses, so a
		 * concurrent writer can only make the batch fail, never hit another
		 * rule. If the ruleset moved on since the listing, resolve again. */
		if (have_gen && nft_genid(&gen_after) == 0 && gen_after != gen_before &&
		    attempt < 3 && strstr(e->msg, "No such file or directory")) {
			err_clear(e);
			continue;
		}
		if (have_gen && gen_after != gen_before && attempt >= 3) {
			err_set(e, NFSH_EOTHER, NULL,
			        "the ruleset kept changing while this command was applied; nothing "
			        "was changed");
			err_hint(e, "another program is writing the same chain; try again");
			names_say(&vn, false, out);
			return NFSH_EOTHER;
		}
		names_say(&vn, false, out);
		diagnose(s, c, e);
		return e->status ? e->status : NFSH_EOTHER;
	}
}

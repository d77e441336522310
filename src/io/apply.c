/* Translating parsed iptables commands into the batch of a whole restore or
 * import: tables replaced or extended, chains tracked so jumps and loops are
 * checked before the kernel sees anything, rule numbers and specs resolved
 * against what the earlier lines staged (cmd/stage.c), and the apply that
 * maps a refusal back to the user's line (or operation) and word. */
#include "cmd/cmd.h"
#include "cmd/run.h"
#include "cmd/stage.h"
#include "ext/ext.h"
#include "io/io.h"
#include "io/write_check.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "nft/nl_lin.h"
#include "nft/nl_lin_rule.h"
#include "nft/sets_nl.h"
#include "xlate/xlate.h"

#include <libnftnl/rule.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The word the next batch items stand for. */
static void set_word(struct io_ctx *r, const char *w)
{
	str_copy(r->b.cur_word, sizeof(r->b.cur_word), w);
}

static int oom(struct nfsh_err *e)
{
	return err_set(e, NFSH_EKERNEL, NULL, "out of memory building the batch");
}

static int add(struct io_ctx *r, json_t *cmd, struct nfsh_err *e)
{
	return io_batch_add(&r->b, cmd) < 0 ? oom(e) : 0;
}

static json_t *wrap(const char *verb, const char *type, json_t *obj)
{
	json_t *a = nftj_array();

	nftb_cmd(a, verb, type, obj);
	json_t *c = json_incref(json_array_get(a, 0));
	json_decref(a);
	return c;
}

static const char *nftname(int table)
{
	return table_by_id(table)->nftname;
}

/* ---- the stage's sink: the streamed batch ---- */

/* x to the batch, standing for source line `line` (0: the current one): the
 * command x, or with verb the rule command {verb: {"rule": x}}. The item, or
 * -1. */
static int add_at_line(struct io_ctx *r, int line, const char *verb, json_t *x)
{
	int saved = r->b.cur_line, rc;

	if (line)
		r->b.cur_line = line;
	rc = verb ? io_batch_add_rule(&r->b, verb, x) : io_batch_add(&r->b, x);
	r->b.cur_line = saved;
	return rc < 0 ? -1 : r->b.n - 1;
}

static int sink_emit(void *ctx, json_t *cmd, int line)
{
	return add_at_line(ctx, line, NULL, cmd);
}

static int sink_emit_rule(void *ctx, const char *verb, json_t *rule, int line)
{
	return add_at_line(ctx, line, verb, rule);
}

/* Where item i's text starts: after the comma before it, or after "[". */
static size_t item_start(const struct io_batch *b, int i)
{
	return i ? b->ends[i - 1] + 1 : (size_t)(strchr(b->text.buf, '[') - b->text.buf) + 1;
}

/* The item is overwritten in place by a no-op libnftables skips, padded
 * with blanks: every rule command is longer than it. */
static int sink_cancel(void *ctx, int item)
{
	static const char noop[] = "{\"metainfo\":{}}";
	struct io_ctx *r = ctx;
	size_t at, len;

	if (r->b.lazy) {
		io_batch_cancel_msgs(&r->b, item);
		return 0;
	}
	at = item_start(&r->b, item);
	len = r->b.ends[item] - at;
	if (len < sizeof(noop) - 1)
		return -1;
	memcpy(r->b.text.buf + at, noop, sizeof(noop) - 1);
	memset(r->b.text.buf + at + sizeof(noop) - 1, ' ', len - (sizeof(noop) - 1));
	io_batch_cancel_msgs(&r->b, item);
	return 0;
}

static json_t *sink_rule_of(void *ctx, int item)
{
	struct io_ctx *r = ctx;
	size_t at;
	json_t *cmd, *rule = NULL;
	void *it;

	/* A lazy batch keeps no item to read back: moving staged rules around
	 * (an insert between them) is left to the reading with text. */
	if (r->b.lazy) {
		io_batch_want_text(&r->b, "staged rules are placed again");
		return NULL;
	}
	at = item_start(&r->b, item);
	cmd = json_loadb(r->b.text.buf + at, r->b.ends[item] - at, 0, NULL);
	it = json_is_object(cmd) ? json_object_iter(cmd) : NULL;
	if (it)
		rule = json_incref(json_object_get(json_object_iter_value(it), "rule"));
	json_decref(cmd);
	return rule;
}

static int check_jump(struct io_ctx *r, const struct rule *ru, struct nfsh_err *e);
static json_t *rule_with_decls(struct io_ctx *r, const struct rule *ru, struct nfsh_err *e);

/* A lazy batch's rule of the common shapes, built without JSON
 * (nl_lin_rule.c) as a placeholder body; NULL for the JSON way (e untouched
 * unless the write check failed: then *failed). */
static json_t *fast_body(struct io_ctx *r, const struct rule *ru, bool *failed, struct nfsh_err *e)
{
	struct nftnl_rule *nr = NULL;
	char comment[256];

	*failed = false;
	if (!r->b.lazy || nll_rule_fast(ru, &nr, comment, sizeof(comment)) != 0)
		return NULL;
	if (io_write_check_on() &&
	    io_write_check_rule(ru, nr, comment[0] ? comment : NULL, e) < 0) {
		nftnl_rule_free(nr);
		*failed = true;
		return NULL;
	}
	return io_batch_fast_body(&r->b, nr, comment[0] ? comment : NULL);
}

/* The JSON rule object of ru, port lists as shared sets. */
static json_t *json_body(struct io_ctx *r, const struct rule *ru, struct nfsh_err *e)
{
	json_t *o = rule_with_decls(r, ru, e);

	if (o && io_share_sets(r, o, e) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool renamed_chain(struct io_ctx *r, const struct rule *ru)
{
	bool jumps = ru->target_kind == TGT_JUMP || ru->target_kind == TGT_GOTO;

	return strcmp(stage_batch_name(r->stage, r->family, r->table, ru->chain), ru->chain) ||
	       (jumps &&
	        strcmp(stage_batch_name(r->stage, r->family, r->table, ru->jump), ru->jump));
}

/* A rule of the current line: its jump checked and recorded, the line's
 * counters, port lists as shared sets. */
static json_t *sink_make_rule(void *ctx, struct rule *ru, struct nfsh_err *e)
{
	struct io_ctx *r = ctx;
	bool failed;
	json_t *o;

	if (check_jump(r, ru, e) < 0)
		return NULL;
	if (r->line_ctr) {
		ru->counters_set = true;
		ru->packets = r->line_p;
		ru->bytes = r->line_b;
	}
	/* A rule in or to a chain renamed earlier in the file names it by the
	 * kernel's name (stage_batch_name), which only its JSON can be given. */
	failed = false;
	o = renamed_chain(r, ru) ? NULL : fast_body(r, ru, &failed, e);
	if (!o && (failed || !(o = json_body(r, ru, e))))
		return NULL;
	set_word(r, ru->chain);
	if (ru->target_kind == TGT_JUMP || ru->target_kind == TGT_GOTO) {
		set_word(r, ru->jump);
		if (io_jumps_add(&r->jumps, r->family, r->table, ru->chain, ru->jump, r->line) <
		    0) {
			json_decref(o);
			oom(e);
			return NULL;
		}
	}
	return o;
}

/* A rule with a jump was deleted or replaced: its jump no longer counts
 * for the loop check (io_jumps_find_loop). */
static void sink_dropped(void *ctx, int family, int table, const char *chain, const char *jump)
{
	struct io_ctx *r = ctx;
	char from[40], to[40];

	io_chain_key(from, sizeof(from), family, table, chain);
	io_chain_key(to, sizeof(to), family, table, jump);
	for (int i = 0; i < r->jumps.n; i++) {
		struct io_jump *j = &r->jumps.v[i];

		if (!j->dead && !strcmp(j->from, from) && !strcmp(j->to, to)) {
			j->dead = true;
			return;
		}
	}
}

/* The stage, made on first use. */
static struct stage *stage_of(struct io_ctx *r)
{
	struct stage_sink sink = {.ctx = r,
	                          .emit = sink_emit,
	                          .emit_rule = sink_emit_rule,
	                          .cancel = sink_cancel,
	                          .rule_of = sink_rule_of,
	                          .make_rule = sink_make_rule,
	                          .dropped = sink_dropped};

	if (!r->stage)
		r->stage = stage_new(&r->s, &sink);
	return r->stage;
}

/* Known chains of a table nfsh already holds (--noflush). */
static int read_kernel_chains(struct io_ctx *r, int table, struct nfsh_err *e)
{
	struct table_info ti;

	if (table_read(&r->s, r->family, table, NULL, &ti, e) < 0)
		return -1;
	for (int i = 0; i < ti.nchains; i++) {
		const struct chain_info *ch = &ti.chains[i];

		if (io_cs_add(&r->cs, r->family, table, ch->name) < 0)
			goto nomem;
		for (int k = 0; k < ch->nrules; k++) {
			const struct rule *ru = &ch->rules[k];

			if ((ru->target_kind == TGT_JUMP || ru->target_kind == TGT_GOTO) &&
			    io_jumps_add(&r->jumps, r->family, table, ch->name, ru->jump, 0) < 0)
				goto nomem;
		}
	}
	table_info_free(&ti);
	return 0;
nomem:
	table_info_free(&ti);
	return oom(e);
	return 0;
}

/* The table is replaced: its named sets go with it. */
static void forget_sets(struct io_ctx *r, const char *nftname)
{
	char prefix[64];
	const char *k;
	json_t *v;
	void *tmp;
	size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "%d %s ", r->family, nftname);

	json_object_foreach_safe(r->sets, tmp, k, v)
	{
		if (!strncmp(k, prefix, pl))
			json_object_del(r->sets, k);
	}
}

int io_ctx_table(struct io_ctx *r, struct nfsh_err *e)
{
	const struct table_desc *t;
	json_t *ensure;
	int id = r->table;

	if (r->started[r->family] & TBL_BIT(id))
		return 0;
	r->started[r->family] |= TBL_BIT(id);
	t = table_by_id(id);
	if (!stage_of(r))
		return oom(e);
	if (r->noflush) {
		if (read_kernel_chains(r, id, e) < 0)
			return -1;
	} else {
		/* Replace the table: deleting it in the same transaction removes
		 * its user chains and rules; add first so a missing one is fine. */
		io_jumps_drop(&r->jumps, r->family, id, NULL);
		forget_sets(r, t->nftname);
		stage_table_replaced(r->stage, r->family, id);
		if (add(r, wrap("add", "table", nftb_table(r->family, t->nftname)), e) < 0 ||
		    add(r, wrap("delete", "table", nftb_table(r->family, t->nftname)), e) < 0)
			return -1;
	}
	ensure = nftj_array();
	nftb_ensure_table(ensure, r->family, id);
	if (io_batch_add_all(&r->b, ensure) < 0)
		return oom(e);
	for (int i = 0; i < t->nchains; i++)
		if (io_cs_add(&r->cs, r->family, id, t->chains[i].name) < 0)
			return oom(e);
	return 0;
}

/* {"add": {"chain": ...}} of name in the current table: bc a built-in
 * chain, with policy ("accept", "drop") or NULL; NULL a user chain. */
static json_t *chain_json(const struct io_ctx *r, const char *name, const struct builtin_chain *bc,
                          const char *policy)
{
	return wrap("add", "chain", nftb_chain(r->family, nftname(r->table), name, bc, policy));
}

/* The same chain as nl_lin reads it from that JSON. */
static void chain_def(const struct io_ctx *r, const char *name, const struct builtin_chain *bc,
                      const char *policy, struct nll_chain_def *d)
{
	memset(d, 0, sizeof(*d));
	d->nfproto = nll_family(family_nft_name(r->family));
	d->table = nftname(r->table);
	d->name = name;
	if (bc) {
		d->hook = hook_nft_name(bc->hook);
		d->type = bc->type;
		d->prio = bc->prio;
		d->policy = policy;
	}
}

/* "add chain" of name (bc, policy: see chain_json): a lazy batch takes its
 * message built without JSON; the reading with text gets the JSON. */
static int add_chain(struct io_ctx *r, const char *name, const struct builtin_chain *bc,
                     const char *policy, struct nfsh_err *e)
{
	struct nll_chain_def d;

	if (!r->b.lazy)
		return add(r, chain_json(r, name, bc, policy), e);
	chain_def(r, name, bc, policy, &d);
	if (io_write_check_on()) {
		json_t *j = chain_json(r, name, bc, policy);
		int rc = j ? io_write_check_chain(&d, j, e) : oom(e);

		json_decref(j);
		if (rc < 0)
			return -1;
	}
	return io_batch_add_chain(&r->b, &d) < 0 ? oom(e) : 0;
}

int io_ctx_chain_line(struct io_ctx *r, struct io_words *w, struct nfsh_err *e)
{
	const char *name = w->w[0] + 1, *policy = w->n > 1 ? w->w[1] : NULL;
	const struct builtin_chain *bc = table_builtin(r->table, name);
	uint64_t p, b;

	if (err_check_utf8(e, name) < 0)
		return -1;
	if (!name[0] || strlen(name) > NFSH_CHAIN_MAX || name[0] == '-' || name[0] == '!')
		return err_set(e, NFSH_EPARAM, name, "invalid chain name \"%s\"", name);
	if (!policy)
		return err_set(e, NFSH_EPARAM, w->w[0], "chain line \"%s\" needs a policy",
		               w->w[0]);
	if (w->n > 2 && io_parse_counters(w->w[2], &p, &b) < 0)
		return err_set(e, NFSH_EPARAM, w->w[2], "bad counters \"%s\"", w->w[2]);
	if (w->n > 3)
		return err_set(e, NFSH_EPARAM, w->w[3], "unexpected word \"%s\"", w->w[3]);
	if (bc) {
		if (strcmp(policy, "ACCEPT") && strcmp(policy, "DROP")) {
			err_set(e, NFSH_EPARAM, policy, "bad policy \"%s\" for built-in chain %s",
			        policy, name);
			err_hint(e, "use ACCEPT or DROP");
			return -1;
		}
		return add_chain(r, name, bc, policy[0] == 'D' ? "drop" : "accept", e);
	}
	if (strcmp(policy, "-")) {
		err_set(e, NFSH_EPARAM, policy, "user chain %s cannot have a policy (\"%s\")", name,
		        policy);
		err_hint(e, "write \":%s - [0:0]\"", name);
		return -1;
	}
	if (add_chain(r, name, NULL, NULL, e) < 0)
		return -1;
	/* As iptables-restore --noflush: a declared chain that exists is flushed. */
	if (r->noflush && io_cs_has(&r->cs, r->family, r->table, name) &&
	    add(r,
	        wrap("flush", "chain", nftb_chain(r->family, nftname(r->table), name, NULL, NULL)),
	        e) < 0)
		return -1;
	if (r->noflush && io_cs_has(&r->cs, r->family, r->table, name))
		stage_chain_flushed(r->stage, r->family, r->table, name);
	else
		stage_chain_created(r->stage, r->family, r->table, name);
	return io_cs_add(&r->cs, r->family, r->table, name) < 0 ? oom(e) : 0;
}

static int need_chain(struct io_ctx *r, const char *name, struct nfsh_err *e)
{
	if (io_cs_has(&r->cs, r->family, r->table, name))
		return 0;
	err_set(e, NFSH_EOTHER, name, "chain \"%s\" does not exist in table %s", name,
	        table_by_id(r->table)->name);
	err_hint(e, "declare it first with \":%s - [0:0]\" or -N %s", name, name);
	return -1;
}

static int check_jump(struct io_ctx *r, const struct rule *ru, struct nfsh_err *e)
{
	set_word(r, ru->jump);
	if (ru->target_kind != TGT_JUMP && ru->target_kind != TGT_GOTO)
		return 0;
	if (io_cs_has(&r->cs, r->family, r->table, ru->jump))
		return 0;
	err_set(e, NFSH_EOTHER, ru->jump, "no target or chain named \"%s\"", ru->jump);
	err_hint(e, "declare the chain before this line with \":%s - [0:0]\"", ru->jump);
	return -1;
}

/* The rule object of ru; the sets its matches declare (connlimit) go to the
 * batch first. */
static json_t *rule_with_decls(struct io_ctx *r, const struct rule *ru, struct nfsh_err *e)
{
	struct ext_decls d = {nftj_array(), r->decl_sets};
	json_t *o = xlate_rule_decls(ru, &d, e), *cmd;
	size_t i;

	r->decl_sets = d.nsets;
	json_array_foreach(d.cmds, i, cmd)
	{
		if (o && add(r, json_incref(cmd), e) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	json_decref(d.cmds);
	return o;
}

/* -X without a chain: every user chain of the table known so far. */
static int delete_all_user_chains(struct io_ctx *r, struct nfsh_err *e)
{
	char prefix[16];
	size_t pl = (size_t)snprintf(prefix, sizeof(prefix), "%d %d ", r->family, r->table);

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->cs.cap; i++) {
			const char *k = r->cs.keys[i], *name = k + pl;

			if (strncmp(k, prefix, pl) || table_builtin(r->table, name))
				continue;
			if (add(r,
			        wrap(pass ? "delete" : "flush", "chain",
			             nftb_chain(r->family, nftname(r->table), name, NULL, NULL)),
			        e) < 0)
				return -1;
		}
	for (size_t i = 0; i < r->cs.cap; i++) {
		const char *k = r->cs.keys[i];

		if (!strncmp(k, prefix, pl) && !table_builtin(r->table, k + pl))
			snprintf(r->cs.keys[i], sizeof(r->cs.keys[i]), "\x01");
	}
	return 0;
}

/* The {"chain"} object of name in the current table, for delete and flush. */
static json_t *chain_obj(const struct io_ctx *r, const char *name)
{
	return nftb_chain(r->family, nftname(r->table), name, NULL, NULL);
}

static int chain_cmd(struct io_ctx *r, struct cmd *c, struct nfsh_err *e)
{
	json_t *ch;

	switch (c->op) {
	case OP_NEWCHAIN:
		if (io_cs_has(&r->cs, r->family, r->table, c->chain))
			return err_set(e, NFSH_EOTHER, c->chain, "chain \"%s\" already exists",
			               c->chain);
		if (io_cs_add(&r->cs, r->family, r->table, c->chain) < 0)
			return oom(e);
		stage_chain_created(r->stage, r->family, r->table, c->chain);
		return add(r, chain_json(r, c->chain, NULL, NULL), e);
	case OP_DELCHAIN:
		if (!c->chain[0]) {
			stage_chain_deleted(r->stage, r->family, r->table, NULL);
			return delete_all_user_chains(r, e);
		}
		if (need_chain(r, c->chain, e) < 0)
			return -1;
		io_cs_del(&r->cs, r->family, r->table, c->chain);
		io_jumps_drop(&r->jumps, r->family, r->table, c->chain);
		stage_chain_deleted(r->stage, r->family, r->table, c->chain);
		return add(r, wrap("delete", "chain", chain_obj(r, c->chain)), e);
	case OP_FLUSH:
		if (!c->chain[0]) {
			stage_chain_flushed(r->stage, r->family, r->table, NULL);
			return add(
			    r, wrap("flush", "table", nftb_table(r->family, nftname(r->table))), e);
		}
		if (need_chain(r, c->chain, e) < 0)
			return -1;
		io_jumps_drop(&r->jumps, r->family, r->table, c->chain);
		/* A chain renamed earlier in the file is flushed by the kernel's name. */
		ch = chain_obj(r, stage_batch_name(r->stage, r->family, r->table, c->chain));
		stage_chain_flushed(r->stage, r->family, r->table, c->chain);
		return add(r, wrap("flush", "chain", ch), e);
	default:
		return 0;
	}
}

/* -A, -I, -D, -R and -Z: positions and specs mean the rules as the file's
 * earlier lines leave the chain, as iptables-restore resolves them. */
static int rule_cmd(struct io_ctx *r, struct cmd *c, bool have_ctr, uint64_t p, uint64_t b,
                    struct nfsh_err *e)
{
	int rc;

	if (c->chain[0] && need_chain(r, c->chain, e) < 0)
		return -1;
	r->line_ctr = have_ctr;
	r->line_p = p;
	r->line_b = b;
	stage_set_line(r->stage, r->line);
	rc = stage_rule_cmd(r->stage, c, e);
	r->line_ctr = false;
	return rc;
}

/* The jumps out of and into chain from are now those of `to`. */
static void jumps_rename(struct io_ctx *r, const char *from, const char *to)
{
	char kf[40], kt[40];

	io_chain_key(kf, sizeof(kf), r->family, r->table, from);
	io_chain_key(kt, sizeof(kt), r->family, r->table, to);
	for (int i = 0; i < r->jumps.n; i++) {
		struct io_jump *j = &r->jumps.v[i];

		if (!strcmp(j->from, kf))
			memcpy(j->from, kt, sizeof(kt));
		if (!strcmp(j->to, kf))
			memcpy(j->to, kt, sizeof(kt));
	}
}

/* -E of a chain the file created: the stage moves it (stage_chain_move).
 * 1 done, 0 not such a chain, -1 with e. */
static int rename_own_chain(struct io_ctx *r, struct cmd *c, struct nfsh_err *e)
{
	int rc;

	if (need_chain(r, c->chain, e) < 0)
		return -1;
	stage_set_line(r->stage, r->line);
	rc = stage_chain_move(r->stage, r->family, r->table, c->chain, c->newname, e);
	if (rc <= 0)
		return rc;
	io_cs_del(&r->cs, r->family, r->table, c->chain);
	jumps_rename(r, c->chain, c->newname);
	return io_cs_add(&r->cs, r->family, r->table, c->newname) < 0 ? oom(e) : 1;
}

/* Everything else goes through the one-command builder. */
static int generic_cmd(struct io_ctx *r, struct cmd *c, struct nfsh_err *e)
{
	json_t *cmds;
	int rc = c->op == OP_RENAME ? rename_own_chain(r, c, e) : 0;

	if (rc)
		return rc < 0 ? -1 : 0;
	cmds = nftj_array();
	rc = cmd_build(&r->s, c, cmds, e);

	if (rc == 1) {
		json_decref(cmds);
		return err_set(e, NFSH_EPARAM, cmd_op_letter(c->op),
		               "%s only reads; it has no place in a restore file",
		               cmd_op_letter(c->op));
	}
	if (rc < 0) {
		json_decref(cmds);
		return -1;
	}
	if (c->op == OP_RENAME) {
		stage_chain_renamed(r->stage, r->family, r->table, c->chain, c->newname);
		io_cs_del(&r->cs, r->family, r->table, c->chain);
		if (io_cs_add(&r->cs, r->family, r->table, c->newname) < 0) {
			json_decref(cmds);
			return oom(e);
		}
	}
	return io_batch_add_all(&r->b, cmds) < 0 ? oom(e) : 0;
}

int io_ctx_cmd(struct io_ctx *r, struct cmd *cp, bool have_ctr, uint64_t p, uint64_t b,
               struct nfsh_err *e)
{
	struct cmd c = *cp;
	int rc;

	r->family = c.family;
	r->table = c.table;
	if (io_ctx_table(r, e) < 0)
		return -1;
	set_word(r, c.chain);
	switch (c.op) {
	case OP_APPEND:
	case OP_INSERT:
	case OP_DELETE:
	case OP_REPLACE:
	case OP_ZERO:
		rc = rule_cmd(r, &c, have_ctr, p, b, e);
		break;
	case OP_NEWCHAIN:
	case OP_DELCHAIN:
	case OP_FLUSH:
		rc = chain_cmd(r, &c, e);
		break;
	case OP_POLICY:
		rc = add(r,
		         wrap("add", "chain",
		              nftb_chain(r->family, nftname(r->table), c.chain,
		                         table_builtin(r->table, c.chain),
		                         strcmp(c.policy, "DROP") == 0 ? "drop" : "accept")),
		         e);
		break;
	default:
		rc = generic_cmd(r, &c, e);
	}
	r->b.cur_word[0] = '\0';
	return rc;
}

/* A loop of chains, named by the jump that closes it. */
static int check_loops(struct io_ctx *r, struct nfsh_err *e)
{
	int k = io_jumps_find_loop(&r->jumps);
	const struct io_jump *j;
	const char *to;

	if (k == -1)
		return 0;
	if (k == -2)
		return oom(e);
	j = &r->jumps.v[k];
	to = strchr(strchr(j->to, ' ') + 1, ' ') + 1;
	r->line = j->line;
	err_set(e, NFSH_EPARAM, to, "the jump to \"%s\" makes a loop of chains", to);
	err_hint(e, "a chain may not be reached again from itself");
	return -1;
}

void io_ctx_release(struct io_ctx *r)
{
	io_batch_free(&r->b);
	io_cs_free(&r->cs);
	io_jumps_free(&r->jumps);
	stage_free(r->stage);
	r->stage = NULL;
	json_decref(r->sets);
	r->sets = NULL;
}

void io_ctx_begin(struct io_ctx *r, bool lazy, bool no_netlink)
{
	r->line = 0;
	r->table = -1;
	r->skipping = false;
	r->decl_sets = 0;
	memset(r->started, 0, sizeof(r->started));
	if (lazy && !r->test && !r->emit_json && io_batch_may_be_lazy(&r->s))
		io_batch_init_lazy(&r->b);
	else
		io_batch_init_text(&r->b, no_netlink);
	io_cs_init(&r->cs);
}

bool io_ctx_read_again(struct io_ctx *r, struct nfsh_err *e)
{
	bool no_netlink = r->b.no_netlink;

	if (!r->b.need_text)
		return false;
	io_ctx_release(r);
	err_clear(e);
	io_ctx_begin(r, false, no_netlink);
	return true;
}

/* After a committed --noflush batch: -D, -R and -F lines may have taken the
 * last rule using one of nfsh's own sets (sets_nl.c). Without --noflush
 * every table was replaced, its sets with it. */
static void collect_own_sets(const struct io_ctx *r)
{
	static const int families[] = {NFSH_IPV4, NFSH_IPV6};

	if (!r->noflush)
		return;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (int t = 0; t < TBL_COUNT; t++)
			if (r->started[families[f]] & TBL_BIT(t))
				nl_gc_own_sets(families[f], nftname(t));
}

int io_ctx_apply(struct io_ctx *r, struct nfsh_err *e)
{
	int culprit;

	if (check_loops(r, e) < 0)
		return -1;
	if (r->emit_json) {
		char *doc = io_batch_doc(&r->b, r->b.n);

		if (!doc)
			return oom(e);
		fputs(doc, stdout);
		fputc('\n', stdout);
		free(doc);
		return 0;
	}
	r->s.dry_run = r->test;
	if (io_batch_apply(&r->s, &r->b, &culprit, e) == 0) {
		if (!r->test)
			collect_own_sets(r);
		return 0;
	}
	r->line = culprit >= 0 ? r->b.lines[culprit] : 0;
	if (culprit >= 0 && r->b.words[culprit][0]) {
		char msg[NFSH_ERR_MSG], hint[NFSH_ERR_HINT];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		snprintf(hint, sizeof(hint), "%s", e->hint);
		err_set(e, NFSH_EOTHER, r->b.words[culprit], "the kernel refused \"%s\": %s",
		        r->b.words[culprit], msg);
		err_hint(e, "%s", hint);
	}
	return -1;
}

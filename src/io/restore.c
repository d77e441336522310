/* nfsh restore: iptables-restore input -> one libnftables transaction.
 *
 * Every line is parsed by the iptables grammar (cmd_parse) and translated
 * here, item by item, into a batch streamed as text; the chains each line
 * names are checked against a set of known chains as the batch is built, so
 * a jump to a missing chain is reported against its own line and word before
 * the kernel sees anything. An error the kernel still raises is mapped back
 * to the line through the batch's item -> line map (io_batch_apply). */
#include "cmd/cmd.h"
#include "cmd/run.h"
#include "io/io.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "xlate/xlate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rst {
	struct nfsh_session s;
	struct io_batch b;
	struct io_chainset cs;
	struct io_jumps jumps;
	int family;
	bool noflush, test, counters, emit_json, verbose;
	int only_table; /* -T: enum nfsh_table, -1 for all */
	const char *where;
	int line;
	int table;        /* table being read (between *T and COMMIT), -1 outside */
	int table_line;   /* where it started */
	unsigned started; /* tables already begun (TBL_BIT) */
	bool skipping;    /* inside a table -T excludes */
};

static int oom(struct nfsh_err *e)
{
	return err_set(e, NFSH_EKERNEL, NULL, "out of memory building the batch");
}

static int add(struct rst *r, json_t *cmd, struct nfsh_err *e)
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

/* Known chains of a table nfsh already holds (--noflush). */
static int read_kernel_chains(struct rst *r, int table, struct nfsh_err *e)
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

static int begin_table(struct rst *r, const char *name, struct nfsh_err *e)
{
	const struct table_desc *t;
	json_t *ensure;
	int id = table_lookup(name);

	if (r->table >= 0)
		return err_set(e, NFSH_EPARAM, name,
		               "table \"%s\" starts before COMMIT of table %s", name,
		               table_by_id(r->table)->name);
	if (id < 0) {
		static const char *const names[] = {"filter", "nat",      "mangle",
		                                    "raw",    "security", NULL};
		const char *close = err_closest(name, names, -1);

		err_set(e, NFSH_EPARAM, name, "unknown table \"%s\"", name);
		if (close)
			err_hint(e, "did you mean \"%s\"?", close);
		else
			err_hint(e, "tables are filter, nat, mangle, raw and security");
		return -1;
	}
	r->table = id;
	r->table_line = r->line;
	r->skipping = r->only_table >= 0 && r->only_table != id;
	if (r->skipping || (r->started & TBL_BIT(id)))
		return 0;
	r->started |= TBL_BIT(id);
	t = table_by_id(id);
	if (r->noflush) {
		if (read_kernel_chains(r, id, e) < 0)
			return -1;
	} else {
		/* Replace the table: deleting it in the same transaction removes
		 * its user chains and rules; add first so a missing one is fine. */
		io_jumps_drop(&r->jumps, r->family, id, NULL);
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

static int chain_line(struct rst *r, struct io_words *w, struct nfsh_err *e)
{
	const char *name = w->w[0] + 1, *policy = w->n > 1 ? w->w[1] : NULL;
	const struct builtin_chain *bc = table_builtin(r->table, name);
	uint64_t p, b;

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
		return add(r,
		           wrap("add", "chain",
		                nftb_chain(r->family, nftname(r->table), name, bc,
		                           policy[0] == 'D' ? "drop" : "accept")),
		           e);
	}
	if (strcmp(policy, "-")) {
		err_set(e, NFSH_EPARAM, policy, "user chain %s cannot have a policy (\"%s\")", name,
		        policy);
		err_hint(e, "write \":%s - [0:0]\"", name);
		return -1;
	}
	if (add(r, wrap("add", "chain", nftb_chain(r->family, nftname(r->table), name, NULL, NULL)),
	        e) < 0)
		return -1;
	/* As iptables-restore --noflush: a declared chain that exists is flushed. */
	if (r->noflush && io_cs_has(&r->cs, r->family, r->table, name) &&
	    add(r,
	        wrap("flush", "chain", nftb_chain(r->family, nftname(r->table), name, NULL, NULL)),
	        e) < 0)
		return -1;
	return io_cs_add(&r->cs, r->family, r->table, name) < 0 ? oom(e) : 0;
}

static int need_chain(struct rst *r, const char *name, struct nfsh_err *e)
{
	if (io_cs_has(&r->cs, r->family, r->table, name))
		return 0;
	err_set(e, NFSH_EOTHER, name, "chain \"%s\" does not exist in table %s", name,
	        table_by_id(r->table)->name);
	err_hint(e, "declare it first with \":%s - [0:0]\" or -N %s", name, name);
	return -1;
}

static int check_jump(struct rst *r, const struct rule *ru, struct nfsh_err *e)
{
	if (ru->target_kind != TGT_JUMP && ru->target_kind != TGT_GOTO)
		return 0;
	if (io_cs_has(&r->cs, r->family, r->table, ru->jump))
		return 0;
	err_set(e, NFSH_EOTHER, ru->jump, "no target or chain named \"%s\"", ru->jump);
	err_hint(e, "declare the chain before this line with \":%s - [0:0]\"", ru->jump);
	return -1;
}

static int add_rules(struct rst *r, struct cmd *c, bool have_ctr, uint64_t p, uint64_t b,
                     struct nfsh_err *e)
{
	bool insert = c->op == OP_INSERT;
	int rc;

	if (need_chain(r, c->chain, e) < 0)
		return -1;
	/* Inserting at the top: the last expanded rule first keeps their order. */
	for (int i = 0; i < c->nrules; i++) {
		struct rule *ru = &c->rules[insert ? c->nrules - 1 - i : i];
		json_t *o;

		if (check_jump(r, ru, e) < 0)
			return -1;
		if (have_ctr) {
			ru->counters_set = true;
			ru->packets = p;
			ru->bytes = b;
		}
		o = xlate_rule(ru, e);
		if (!o)
			return -1;
		if (ru->target_kind == TGT_JUMP || ru->target_kind == TGT_GOTO) {
			snprintf(r->b.cur_word, sizeof(r->b.cur_word), "%s", ru->jump);
			if (io_jumps_add(&r->jumps, r->family, r->table, ru->chain, ru->jump,
			                 r->line) < 0)
				return oom(e);
		}
		rc = add(r, wrap(insert ? "insert" : "add", "rule", o), e);
		snprintf(r->b.cur_word, sizeof(r->b.cur_word), "%s", c->chain);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* -X without a chain: every user chain of the table known so far. */
static int delete_all_user_chains(struct rst *r, struct nfsh_err *e)
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

static int chain_cmd(struct rst *r, struct cmd *c, struct nfsh_err *e)
{
	json_t *ch = nftb_chain(r->family, nftname(r->table), c->chain, NULL, NULL);

	switch (c->op) {
	case OP_NEWCHAIN:
		if (io_cs_has(&r->cs, r->family, r->table, c->chain)) {
			json_decref(ch);
			return err_set(e, NFSH_EOTHER, c->chain, "chain \"%s\" already exists",
			               c->chain);
		}
		if (io_cs_add(&r->cs, r->family, r->table, c->chain) < 0) {
			json_decref(ch);
			return oom(e);
		}
		return add(r, wrap("add", "chain", ch), e);
	case OP_DELCHAIN:
		if (!c->chain[0]) {
			json_decref(ch);
			return delete_all_user_chains(r, e);
		}
		if (need_chain(r, c->chain, e) < 0) {
			json_decref(ch);
			return -1;
		}
		io_cs_del(&r->cs, r->family, r->table, c->chain);
		io_jumps_drop(&r->jumps, r->family, r->table, c->chain);
		return add(r, wrap("delete", "chain", ch), e);
	case OP_FLUSH:
		if (!c->chain[0]) {
			json_decref(ch);
			return add(
			    r, wrap("flush", "table", nftb_table(r->family, nftname(r->table))), e);
		}
		if (need_chain(r, c->chain, e) < 0) {
			json_decref(ch);
			return -1;
		}
		io_jumps_drop(&r->jumps, r->family, r->table, c->chain);
		return add(r, wrap("flush", "chain", ch), e);
	default:
		json_decref(ch);
		return 0;
	}
}

/* Everything else goes through the one-command builder. XXX: commands that
 * address a rule by number or spec (-D, -R, -Z, -I n) resolve it against the
 * kernel, which does not yet see this file's earlier lines. */
static int generic_cmd(struct rst *r, struct cmd *c, struct nfsh_err *e)
{
	json_t *cmds = nftj_array();
	int rc = cmd_build(&r->s, c, cmds, e);

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
		io_cs_del(&r->cs, r->family, r->table, c->chain);
		if (io_cs_add(&r->cs, r->family, r->table, c->newname) < 0) {
			json_decref(cmds);
			return oom(e);
		}
	}
	return io_batch_add_all(&r->b, cmds) < 0 ? oom(e) : 0;
}

static int command_line(struct rst *r, struct io_words *w, struct nfsh_err *e)
{
	char *argv[IO_MAX_WORDS + 2];
	int argc = 0, first = 0, rc;
	bool have_ctr = false;
	uint64_t p = 0, b = 0;
	struct cmd c;

	if (w->w[0][0] == '[') {
		if (io_parse_counters(w->w[0], &p, &b) < 0)
			return err_set(e, NFSH_EPARAM, w->w[0], "bad counters \"%s\"", w->w[0]);
		have_ctr = r->counters;
		first = 1;
	}
	for (int i = first; i < w->n; i++)
		if (!strcmp(w->w[i], "-t") || !strcmp(w->w[i], "--table"))
			return err_set(e, NFSH_EPARAM, w->w[i],
			               "\"%s\" cannot be used in a restore file; the table is the "
			               "*TABLE line's",
			               w->w[i]);
	argv[argc++] = (char *)"-t";
	argv[argc++] = (char *)table_by_id(r->table)->name;
	for (int i = first; i < w->n; i++)
		argv[argc++] = w->w[i];
	if (cmd_parse(argc, argv, r->family, &c, e) < 0)
		return -1;
	if (c.family != r->family) {
		/* "-6 ..." in an IPv4 file: iptables-restore skips the line. */
		cmd_release(&c);
		return 0;
	}
	snprintf(r->b.cur_word, sizeof(r->b.cur_word), "%s", c.chain);
	switch (c.op) {
	case OP_APPEND:
		rc = add_rules(r, &c, have_ctr, p, b, e);
		break;
	case OP_INSERT:
		rc = c.rulenum > 1 ? generic_cmd(r, &c, e) : add_rules(r, &c, have_ctr, p, b, e);
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
	cmd_release(&c);
	return rc;
}

static int one_line(struct rst *r, char *line, struct io_words *w, struct nfsh_err *e)
{
	int n;

	r->b.cur_line = r->line;
	line[strcspn(line, "\r\n")] = '\0';
	line += strspn(line, " \t");
	if (!line[0] || line[0] == '#')
		return 0;
	n = io_split_line(line, w, e);
	if (n <= 0)
		return n;
	if (w->w[0][0] == '*' && r->table < 0)
		return begin_table(r, w->w[0] + 1, e);
	if (r->table < 0)
		return err_set(e, NFSH_EPARAM, w->w[0], "\"%s\" outside a table", w->w[0]);
	if (!strcmp(w->w[0], "COMMIT")) {
		r->table = -1;
		return 0;
	}
	if (w->w[0][0] == '*')
		return begin_table(r, w->w[0] + 1, e);
	if (r->skipping)
		return 0;
	if (w->w[0][0] == ':')
		return chain_line(r, w, e);
	return command_line(r, w, e);
}

static int read_input(struct rst *r, FILE *in, struct nfsh_err *e)
{
	struct io_words *w = malloc(sizeof(*w));
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	if (!w)
		return oom(e);
	while (rc == 0 && getline(&line, &cap, in) >= 0) {
		r->line++;
		rc = one_line(r, line, w, e);
	}
	free(line);
	free(w);
	if (rc == 0 && r->table >= 0) {
		r->line = r->table_line;
		rc = err_set(e, NFSH_EPARAM, table_by_id(r->table)->name, "table %s has no COMMIT",
		             table_by_id(r->table)->name);
	}
	return rc;
}

static int usage(const char *prog)
{
	fprintf(stderr, "Usage: %s [-4|-6] [--noflush] [--test] [-c] [-T TABLE] [-v] [FILE]\n",
	        prog);
	return NFSH_EPARAM;
}

static int parse_opts(struct rst *r, int argc, char **argv, const char **file)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-4") || !strcmp(a, "-6"))
			r->family = a[1] == '6' ? NFSH_IPV6 : NFSH_IPV4;
		else if (!strcmp(a, "-n") || !strcmp(a, "--noflush"))
			r->noflush = true;
		else if (!strcmp(a, "-t") || !strcmp(a, "--test"))
			r->test = true;
		else if (!strcmp(a, "-c") || !strcmp(a, "--counters"))
			r->counters = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			r->verbose = true;
		else if (!strcmp(a, "--emit-json")) /* hidden: print the batch, apply nothing */
			r->emit_json = true;
		else if ((!strcmp(a, "-T") || !strcmp(a, "--table")) && i + 1 < argc) {
			r->only_table = table_lookup(argv[++i]);
			if (r->only_table < 0) {
				fprintf(stderr, "nfsh restore: unknown table \"%s\"\n", argv[i]);
				return -1;
			}
		} else if (!strcmp(a, "-w") || !strcmp(a, "--wait")) {
			/* iptables' lock: nfsh is atomic without it. */
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "nfsh restore: unknown option \"%s\"\n", a);
			return -1;
		} else if (*file) {
			fprintf(stderr, "nfsh restore: more than one file (\"%s\")\n", a);
			return -1;
		} else {
			*file = a;
		}
	}
	return 0;
}

/* A loop of chains, named by the jump that closes it. */
static int check_loops(struct rst *r, struct nfsh_err *e)
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

static int apply(struct rst *r, struct nfsh_err *e)
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
	if (io_batch_apply(&r->s, &r->b, &culprit, e) == 0)
		return 0;
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

int io_restore_main(int family, int argc, char **argv)
{
	struct rst r = {.family = family, .only_table = -1, .table = -1};
	const char *file = NULL;
	struct nfsh_err e;
	FILE *in = stdin;
	int rc;

	err_clear(&e);
	if (parse_opts(&r, argc, argv, &file) < 0)
		return usage("nfsh restore");
	r.where = file && strcmp(file, "-") ? file : "stdin";
	if (file && strcmp(file, "-") && !(in = fopen(file, "r"))) {
		fprintf(stderr, "nfsh restore: cannot open %s: %m\n", file);
		return NFSH_EOTHER;
	}
	if (sess_open(&r.s, &e) < 0) {
		io_report("nfsh restore", 0, &e);
		if (in != stdin)
			fclose(in);
		return e.status;
	}
	io_batch_init(&r.b);
	io_cs_init(&r.cs);
	rc = read_input(&r, in, &e);
	if (in != stdin)
		fclose(in);
	if (rc == 0)
		rc = apply(&r, &e);
	if (rc < 0) {
		/* A parse error is exit 2 as iptables-restore; so is a refused batch:
		 * nothing was applied either way. */
		io_report(r.where, r.line, &e);
		rc = NFSH_EPARAM;
	}
	io_batch_free(&r.b);
	io_cs_free(&r.cs);
	io_jumps_free(&r.jumps);
	sess_close(&r.s);
	return rc;
}

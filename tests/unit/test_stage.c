/* The stage (cmd/stage.c): rule numbers and specs of a transaction's commands
 * resolve against what its earlier commands did, and the batch it emits
 * leaves the chain exactly as the model says. The batch is checked by a
 * small interpreter of the rule commands as libnftables 1.0.6 and nf_tables
 * carry them out (insert before a handle, before an index (libnftables counts
 * the batch's own rules) or at the top, add at the end;
 * replace and delete by handle; flush chain; metainfo a no-op; an "add" with a handle is
 * refused, since libnftables' JSON ignores that handle); rules are named by
 * their comment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "cmd/stage.h"
#include "xlate/xlate.h"

#define MAXW 64
#define MAXR 64

/* ---- commands ---- */

static int parse(const char *line, struct cmd *c, struct nfsh_err *e)
{
	char buf[1024], *argv[MAXW];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < MAXW; t = strtok(NULL, " "))
		argv[n++] = t;
	return cmd_parse(n, argv, NFSH_IPV4, c, e);
}

/* Stage one line; returns stage_rule_cmd's result, e filled. */
static int run(struct stage *st, const char *line, struct nfsh_err *e)
{
	struct cmd c;
	int rc;

	err_clear(e);
	if (parse(line, &c, e) < 0)
		fail_msg("\"%s\" does not parse: %s", line, e->msg);
	rc = stage_rule_cmd(st, &c, e);
	cmd_release(&c);
	return rc;
}

static void ok(struct stage *st, const char *line)
{
	struct nfsh_err e;

	if (run(st, line, &e) < 0)
		fail_msg("\"%s\" refused: %s", line, e.msg);
}

/* ---- the chain's name list from the model ---- */

/* "-A INPUT -m comment --comment NAME -j ACCEPT" -> NAME */
static void name_of_spec(const char *spec, char *out, size_t len)
{
	const char *p = strstr(spec, "--comment ");

	snprintf(out, len, "%s", p ? p + 10 : "?");
	out[strcspn(out, " ")] = '\0';
}

struct names {
	char v[MAXR][32];
	int n;
};

static void walk_fn(void *arg, uint64_t handle, int item, const char *spec)
{
	struct names *nm = arg;

	(void)handle;
	(void)item;
	if (nm->n < MAXR)
		name_of_spec(spec ? spec : "?", nm->v[nm->n++], sizeof(nm->v[0]));
}

static void join(const struct names *nm, char *out, size_t len)
{
	size_t k = 0;

	out[0] = '\0';
	for (int i = 0; i < nm->n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%s", i ? " " : "", nm->v[i]);
}

static void model(struct stage *st, char *out, size_t len)
{
	struct names nm = {.n = 0};

	assert_true(stage_walk(st, NFSH_IPV4, TBL_FILTER, "INPUT", walk_fn, &nm) >= 0);
	join(&nm, out, len);
}

/* ---- the interpreter ---- */

struct sim {
	char name[MAXR][32];
	uint64_t handle[MAXR];
	int n;
	uint64_t next;
	bool flushed;
};

static int sim_find(const struct sim *s, uint64_t h)
{
	for (int i = 0; i < s->n; i++)
		if (s->handle[i] == h)
			return i;
	fail_msg("the batch names handle %llu, which the chain does not have",
	         (unsigned long long)h);
	return -1;
}

static void sim_put(struct sim *s, int at, const char *name)
{
	assert_true(s->n < MAXR);
	memmove(&s->name[at + 1], &s->name[at], (size_t)(s->n - at) * sizeof(s->name[0]));
	memmove(&s->handle[at + 1], &s->handle[at], (size_t)(s->n - at) * sizeof(s->handle[0]));
	snprintf(s->name[at], sizeof(s->name[0]), "%s", name);
	s->handle[at] = s->next++;
	s->n++;
}

static void rule_name(json_t *rule, char *out, size_t len)
{
	const char *c = json_string_value(json_object_get(rule, "comment"));

	snprintf(out, len, "%s", c ? c : "?");
	out[strcspn(out, " ;")] = '\0';
}

static void sim_run(struct sim *s, json_t *cmds)
{
	size_t i;
	json_t *cmd;

	json_array_foreach(cmds, i, cmd)
	{
		const char *verb = json_object_iter_key(json_object_iter(cmd));
		json_t *rule = json_object_get(json_object_get(cmd, verb), "rule");
		json_int_t h = json_integer_value(json_object_get(rule, "handle"));
		char name[32];

		if (!strcmp(verb, "flush")) {
			json_t *ch = json_object_get(json_object_get(cmd, verb), "chain");

			assert_string_equal(json_string_value(json_object_get(ch, "name")),
			                    "INPUT");
			s->n = 0;
			s->flushed = true;
			continue;
		}
		if (!rule)
			continue; /* metainfo, tables, chains */
		assert_string_equal(json_string_value(json_object_get(rule, "chain")), "INPUT");
		rule_name(rule, name, sizeof(name));
		if (!strcmp(verb, "add") && json_object_get(rule, "index"))
			fail_msg("\"add\" by index: the stage only inserts by index");
		else if (!strcmp(verb, "add") && h)
			fail_msg("\"add\" with a handle: libnftables 1.0.6 JSON ignores the "
			         "handle and appends");
		else if (!strcmp(verb, "add"))
			sim_put(s, s->n, name);
		else if (!strcmp(verb, "insert") && json_object_get(rule, "index")) {
			json_int_t ix = json_integer_value(json_object_get(rule, "index"));

			if (s->flushed)
				fail_msg(
				    "an index after a flush: libnftables 1.0.6 still counts the "
				    "flushed rules");
			assert_true(ix >= 0 && ix < s->n);
			sim_put(s, (int)ix, name);
		} else if (!strcmp(verb, "insert"))
			sim_put(s, h ? sim_find(s, (uint64_t)h) : 0, name);
		else if (!strcmp(verb, "replace"))
			snprintf(s->name[sim_find(s, (uint64_t)h)], sizeof(s->name[0]), "%s", name);
		else if (!strcmp(verb, "delete")) {
			int at = sim_find(s, (uint64_t)h);

			memmove(&s->name[at], &s->name[at + 1],
			        (size_t)(s->n - at - 1) * sizeof(s->name[0]));
			memmove(&s->handle[at], &s->handle[at + 1],
			        (size_t)(s->n - at - 1) * sizeof(s->handle[0]));
			s->n--;
		} else
			fail_msg("unexpected verb %s", verb);
	}
}

static void sim_text(const struct sim *s, char *out, size_t len)
{
	size_t k = 0;

	out[0] = '\0';
	for (int i = 0; i < s->n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%s", i ? " " : "", s->name[i]);
}

/* ---- fixtures ---- */

struct fx {
	json_t *cmds;
	struct stage *st;
	struct sim kernel; /* the chain before the batch */
};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct stage_sink sink;

	assert_non_null(f);
	f->cmds = json_array();
	stage_array_sink(&sink, f->cmds);
	f->st = stage_new(NULL, &sink);
	assert_non_null(f->st);
	f->kernel.next = 1000;
	return f;
}

/* An empty INPUT, as in a restore that replaces the table. */
static struct fx *fx_empty(void)
{
	struct fx *f = fx_new();

	stage_table_replaced(f->st, NFSH_IPV4, TBL_FILTER);
	return f;
}

/* INPUT holding rules named by names (space separated), handles 11, 12, ... */
static struct fx *fx_kernel(const char *names)
{
	struct fx *f = fx_new();
	struct chain_info ch = {.name = "INPUT", .builtin = true};
	char buf[256], words[MAXR][32], line[160];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", names);
	/* All names first: parse() uses strtok too. */
	for (char *t = strtok(buf, " "); t && n < MAXR; t = strtok(NULL, " "))
		snprintf(words[n++], sizeof(words[0]), "%s", t);
	ch.rules = calloc(MAXR, sizeof(*ch.rules));
	assert_non_null(ch.rules);
	for (int i = 0; i < n; i++) {
		struct cmd c;
		struct nfsh_err e;

		snprintf(line, sizeof(line), "-A INPUT -m comment --comment %.31s -j ACCEPT",
		         words[i]);
		assert_int_equal(parse(line, &c, &e), 0);
		ch.rules[i] = c.rules[0];
		ch.rules[i].handle = (uint64_t)(11 + i);
		ch.rules[i].counters_set = true;
		ch.rules[i].packets = 5;
		c.nrules = 0; /* the rule now belongs to ch */
		cmd_release(&c);
		snprintf(f->kernel.name[i], sizeof(f->kernel.name[0]), "%.31s", words[i]);
		f->kernel.handle[i] = (uint64_t)(11 + i);
	}
	ch.nrules = f->kernel.n = n;
	assert_int_equal(stage_load(f->st, NFSH_IPV4, TBL_FILTER, &ch), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	stage_free(f->st);
	json_decref(f->cmds);
	free(f);
}

/* The model and the batch run over the kernel chain both give want. */
static void expect_chain(struct fx *f, const char *want)
{
	char got[1024];
	struct sim s = f->kernel;

	model(f->st, got, sizeof(got));
	assert_string_equal(got, want);
	sim_run(&s, f->cmds);
	sim_text(&s, got, sizeof(got));
	assert_string_equal(got, want);
}

#define R(n) " -m comment --comment " #n " -j ACCEPT"

/* ---- tests ---- */

static void append_insert_delete_replace_on_staged_rules(void **state)
{
	struct fx *f = fx_empty();

	(void)state;
	ok(f->st, "-A INPUT" R(a));
	ok(f->st, "-A INPUT" R(b));
	ok(f->st, "-A INPUT" R(c));
	expect_chain(f, "a b c");
	ok(f->st, "-I INPUT 2" R(d)); /* between two staged rules */
	expect_chain(f, "a d b c");
	ok(f->st, "-D INPUT 3");
	expect_chain(f, "a d c");
	ok(f->st, "-R INPUT 1" R(e));
	expect_chain(f, "e d c");
	ok(f->st, "-I INPUT 3" R(g));
	expect_chain(f, "e d g c");
	ok(f->st, "-D INPUT" R(d)); /* by spec */
	expect_chain(f, "e g c");
	ok(f->st, "-I INPUT 4" R(h)); /* count + 1 appends */
	expect_chain(f, "e g c h");
	ok(f->st, "-I INPUT" R(top));
	expect_chain(f, "top e g c h");
	fx_free(f);
}

static void expanded_addresses_keep_iptables_order(void **state)
{
	struct fx *f = fx_empty();

	(void)state;
	ok(f->st, "-A INPUT" R(a));
	ok(f->st, "-A INPUT" R(b));
	/* -I n -s x,y inserts each at n in turn: y lands before x. */
	ok(f->st, "-I INPUT 2 -s 10.0.0.1,10.0.0.2 -m comment --comment x -j ACCEPT");
	expect_chain(f, "a x x b");
	{
		struct names nm = {.n = 0};
		struct nfsh_err e;

		assert_int_equal(stage_walk(f->st, NFSH_IPV4, TBL_FILTER, "INPUT", walk_fn, &nm),
		                 4);
		/* -D by spec with a list deletes each address's first match. */
		assert_int_equal(
		    run(f->st, "-D INPUT -s 10.0.0.2,10.0.0.1 -m comment --comment x -j ACCEPT",
		        &e),
		    0);
	}
	expect_chain(f, "a b");
	fx_free(f);
}

static void kernel_rules_are_addressed_by_handle(void **state)
{
	struct fx *f = fx_kernel("k1 k2 k3 k4");

	(void)state;
	ok(f->st, "-D INPUT 2");
	expect_chain(f, "k1 k3 k4");
	ok(f->st, "-I INPUT 2" R(a));
	ok(f->st, "-A INPUT" R(b));
	expect_chain(f, "k1 a k3 k4 b");
	ok(f->st, "-I INPUT 5" R(c)); /* after k4, before the staged b */
	expect_chain(f, "k1 a k3 k4 c b");
	ok(f->st, "-I INPUT 6" R(d)); /* between two staged rules */
	expect_chain(f, "k1 a k3 k4 c d b");
	ok(f->st, "-R INPUT 2" R(e)); /* a staged rule between kernel rules */
	expect_chain(f, "k1 e k3 k4 c d b");
	ok(f->st, "-R INPUT 3" R(k3new)); /* a kernel rule keeps its handle */
	ok(f->st, "-I INPUT 3" R(g));
	expect_chain(f, "k1 e g k3new k4 c d b");
	ok(f->st, "-D INPUT" R(k4));
	ok(f->st, "-D INPUT 1");
	expect_chain(f, "e g k3new c d b");
	ok(f->st, "-Z INPUT");
	expect_chain(f, "e g k3new c d b");
	fx_free(f);
}

static void errors_name_the_number_and_change_nothing(void **state)
{
	struct fx *f = fx_empty();
	struct nfsh_err e;
	size_t items;

	(void)state;
	ok(f->st, "-A INPUT" R(a));
	ok(f->st, "-A INPUT" R(b));
	items = json_array_size(f->cmds);
	assert_int_equal(run(f->st, "-D INPUT 3", &e), -1);
	assert_string_equal(e.word, "3");
	assert_non_null(strstr(e.msg, "no rule number 3"));
	assert_int_equal(run(f->st, "-R INPUT 5" R(x), &e), -1);
	assert_string_equal(e.word, "5");
	assert_int_equal(run(f->st, "-I INPUT 4" R(x), &e), -1);
	assert_int_equal(run(f->st, "-D INPUT" R(zz), &e), -1);
	assert_non_null(strstr(e.msg, "no such rule"));
	/* Two addresses, one of them missing: neither is deleted. */
	assert_int_equal(run(f->st, "-D INPUT -s 1.1.1.1,2.2.2.2" R(a), &e), -1);
	assert_int_equal(json_array_size(f->cmds), items);
	expect_chain(f, "a b");
	fx_free(f);
}

static void flush_and_delete_chain_are_respected(void **state)
{
	struct fx *f = fx_kernel("k1 k2");
	struct nfsh_err e;

	(void)state;
	ok(f->st, "-A INPUT" R(a));
	stage_chain_flushed(f->st, NFSH_IPV4, TBL_FILTER, "INPUT");
	assert_int_equal(run(f->st, "-D INPUT 1", &e), -1);
	assert_int_equal(stage_chain_rules(f->st, NFSH_IPV4, TBL_FILTER, "INPUT", 2), 0);
	ok(f->st, "-A INPUT" R(b));
	assert_int_equal(stage_chain_rules(f->st, NFSH_IPV4, TBL_FILTER, "INPUT", 2), 1);
	/* A user chain created, used, then deleted in the same transaction. */
	stage_chain_created(f->st, NFSH_IPV4, TBL_FILTER, "web");
	ok(f->st, "-A web -j ACCEPT");
	ok(f->st, "-A INPUT -j web");
	{
		struct table_info ti = {.family = NFSH_IPV4, .table = TBL_FILTER};

		assert_int_equal(stage_refs(f->st, &ti, "web", 0), 1);
		ok(f->st, "-D INPUT -j web");
		assert_int_equal(stage_refs(f->st, &ti, "web", 0), 0);
	}
	ok(f->st, "-D web 1");
	assert_int_equal(stage_chain_rules(f->st, NFSH_IPV4, TBL_FILTER, "web", 0), 0);
	stage_chain_deleted(f->st, NFSH_IPV4, TBL_FILTER, "web");
	assert_int_equal(run(f->st, "-A web -j ACCEPT", &e), -1);
	assert_string_equal(e.word, "web");
	fx_free(f);
}

static void unread_chain_takes_appends_and_top_inserts(void **state)
{
	struct fx *f = fx_new(); /* no session, nothing known: must not read */
	struct nfsh_err e;

	(void)state;
	ok(f->st, "-A INPUT" R(a));
	ok(f->st, "-I INPUT" R(b));
	ok(f->st, "-I INPUT 1" R(c));
	ok(f->st, "-A INPUT" R(d));
	expect_chain(f, "c b a d");
	/* A position needs the kernel's rules, and there is no session. */
	assert_int_equal(run(f->st, "-D INPUT 2", &e), -1);
	fx_free(f);
}

/* In a replaced table rules go by index; taking back a rule that later
 * index placements counted flushes and re-adds the chain, and after a flush
 * no index is used (the interpreter refuses one). */
static void index_placement_and_rebuild(void **state)
{
	struct fx *f = fx_empty();

	(void)state;
	ok(f->st, "-A INPUT" R(a));
	ok(f->st, "-A INPUT" R(b));
	ok(f->st, "-A INPUT" R(c));
	ok(f->st, "-I INPUT 2" R(d));
	ok(f->st, "-I INPUT 4" R(e));
	expect_chain(f, "a d b e c");
	ok(f->st, "-D INPUT 3"); /* b, counted by the two inserts after it */
	expect_chain(f, "a d e c");
	ok(f->st, "-I INPUT 2" R(g));
	ok(f->st, "-R INPUT 4" R(h));
	ok(f->st, "-D INPUT 1");
	expect_chain(f, "g d h c");
	/* -F INPUT: its caller emits the flush, the stage forgets the rules. */
	json_array_append_new(f->cmds,
	                      json_pack("{s:{s:{s:s}}}", "flush", "chain", "name", "INPUT"));
	stage_chain_flushed(f->st, NFSH_IPV4, TBL_FILTER, "INPUT");
	ok(f->st, "-A INPUT" R(x));
	ok(f->st, "-A INPUT" R(y));
	ok(f->st, "-I INPUT 2" R(z));
	expect_chain(f, "x z y");
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(append_insert_delete_replace_on_staged_rules),
	    cmocka_unit_test(expanded_addresses_keep_iptables_order),
	    cmocka_unit_test(kernel_rules_are_addressed_by_handle),
	    cmocka_unit_test(errors_name_the_number_and_change_nothing),
	    cmocka_unit_test(flush_and_delete_chain_are_respected),
	    cmocka_unit_test(unread_chain_takes_appends_and_top_inserts),
	    cmocka_unit_test(index_placement_and_rebuild),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

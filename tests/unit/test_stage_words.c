/* The stage (cmd/stage.c) with the words of each command (stage_set_words,
 * as a restore stages): an added rule's spec is printed from its words only
 * when it is needed, and must then be what printing it at once gives. Two
 * stages take the same commands, one with words and one without; their
 * models (stage_walk's specs) and batches must not differ, and -D by spec,
 * -R and expanded address lists must resolve the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "cmd/stage.h"
#include "nft/json.h"

#define MAXW 64

struct pair {
	struct stage *st[2]; /* [0] without words, [1] with */
	json_t *cmds[2];
};

/* Stage line on st, with its words when words; returns stage_rule_cmd's rc. */
static int run(struct stage *st, const char *line, bool words, struct nfsh_err *e)
{
	char buf[1024], *argv[MAXW];
	struct cmd c;
	int n = 0, rc;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < MAXW; t = strtok(NULL, " "))
		argv[n++] = t;
	err_clear(e);
	if (cmd_parse(n, argv, NFSH_IPV4, &c, e) < 0)
		fail_msg("\"%s\" does not parse: %s", line, e->msg);
	if (words)
		stage_set_words(st, NFSH_IPV4, n, argv);
	rc = stage_rule_cmd(st, &c, e);
	/* The stage keeps its own copy: the words may go now. */
	memset(buf, 'x', sizeof(buf) - 1);
	cmd_release(&c);
	return rc;
}

static void walk_fn(void *arg, uint64_t handle, int item, const char *spec)
{
	json_t *a = arg;

	(void)handle;
	(void)item;
	json_array_append_new(a, json_string(spec ? spec : "(none)"));
}

static json_t *model(struct stage *st, const char *chain)
{
	json_t *a = json_array();

	assert_true(stage_walk(st, NFSH_IPV4, TBL_FILTER, chain, walk_fn, a) >= 0);
	return a;
}

/* Both stages take line with the same result; then their models and
 * batches are the same. */
static void both(struct pair *p, const char *line, int want_rc)
{
	struct nfsh_err e0, e1;
	json_t *m0, *m1;

	assert_int_equal(run(p->st[0], line, false, &e0), want_rc);
	assert_int_equal(run(p->st[1], line, true, &e1), want_rc);
	if (want_rc < 0)
		assert_string_equal(e0.msg, e1.msg);
	m0 = model(p->st[0], "INPUT");
	m1 = model(p->st[1], "INPUT");
	if (!json_equal(m0, m1)) {
		char *a = json_dumps(m0, 0), *b = json_dumps(m1, 0);

		fail_msg("after \"%s\": without words %s, with words %s", line, a, b);
	}
	assert_true(json_equal(p->cmds[0], p->cmds[1]));
	json_decref(m0);
	json_decref(m1);
}

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	for (int i = 0; i < 2; i++) {
		struct stage_sink sink;

		p->cmds[i] = json_array();
		stage_array_sink(&sink, p->cmds[i]);
		p->st[i] = stage_new(NULL, &sink);
		assert_non_null(p->st[i]);
		stage_table_replaced(p->st[i], NFSH_IPV4, TBL_FILTER);
	}
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	for (int i = 0; i < 2; i++) {
		stage_free(p->st[i]);
		json_decref(p->cmds[i]);
	}
	free(p);
	return 0;
}

static void specs_from_words_are_the_printed_specs(void **state)
{
	struct pair *p = *state;
	json_t *m;

	both(p, "-A INPUT -s 10.0.0.1 -p tcp --dport 22 -m comment --comment ssh -j ACCEPT", 0);
	both(p, "-A INPUT -s 10.0.0.2,10.0.0.3 -d 192.168.0.0/16 -j DROP", 0);
	both(p, "-I INPUT 2 -p udp -m multiport --dports 53,5353 -j ACCEPT", 0);
	m = model(p->st[1], "INPUT");
	assert_int_equal(json_array_size(m), 4);
	assert_string_equal(json_string_value(json_array_get(m, 2)),
	                    "-A INPUT -s 10.0.0.2/32 -d 192.168.0.0/16 -j DROP");
	json_decref(m);
}

static void delete_by_spec_finds_rules_kept_as_words(void **state)
{
	struct pair *p = *state;

	both(p, "-A INPUT -s 10.0.0.1 -j ACCEPT", 0);
	both(p, "-A INPUT -s 10.0.0.2,10.0.0.3 -j DROP", 0);
	both(p, "-A INPUT -s 10.0.0.4 -j ACCEPT", 0);
	/* The second of the expanded rules: its own spec, not the first's. */
	both(p, "-D INPUT -s 10.0.0.3 -j DROP", 0);
	both(p, "-D INPUT -s 10.0.0.9 -j DROP", -1);
	both(p, "-D INPUT -s 10.0.0.1 -j ACCEPT", 0);
	both(p, "-D INPUT -s 10.0.0.2 -j DROP", 0);
}

static void replace_takes_the_new_rules_spec(void **state)
{
	struct pair *p = *state;

	both(p, "-A INPUT -s 10.0.0.1 -j ACCEPT", 0);
	both(p, "-A INPUT -s 10.0.0.2 -j ACCEPT", 0);
	both(p, "-R INPUT 1 -s 10.0.0.5 -j DROP", 0);
	both(p, "-D INPUT -s 10.0.0.1 -j ACCEPT", -1);
	both(p, "-D INPUT -s 10.0.0.5 -j DROP", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(specs_from_words_are_the_printed_specs, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(delete_by_spec_finds_rules_kept_as_words, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(replace_takes_the_new_rules_spec, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

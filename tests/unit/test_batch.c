/* The batch builders of nft/batch.c that the stage, the one-shot translation
 * and the shell's candidate use: each object checked as the JSON text
 * libnftables gets (jansson keeps the order of the keys), and the edge cases
 * their callers count on (a NULL object, a cancelled item keeping the index
 * of the later ones, a chain whose rules do not match in the simulation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nft/batch.h"
#include "nft/json.h"

/* v as compact JSON text, then released. */
static void expect_json(json_t *v, const char *want)
{
	char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	json_decref(v);
}

static json_t *parse(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	assert_non_null(v);
	return v;
}

static void commands_and_documents(void **state)
{
	json_t *cmds = nftj_array();

	(void)state;
	expect_json(nftb_command("delete", "rule",
	                         nftb_rule(NFSH_IPV4, "nfsh-filter", "INPUT", NULL, NULL)),
	            "{\"delete\":{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\",\"chain\":"
	            "\"INPUT\"}}}");
	/* An object that could not be built is no command (nftb_cmd would
	 * append {"rule": null}). */
	assert_null(nftb_command("add", "rule", NULL));
	nftb_cmd(cmds, "list", "table", nftb_table(NFSH_IPV6, "nfsh-nat"));
	expect_json(
	    nftb_document(cmds),
	    "{\"nftables\":[{\"list\":{\"table\":{\"family\":\"ip6\",\"name\":\"nfsh-nat\"}}}]}");
	/* The document holds a reference of its own. */
	assert_int_equal(json_array_size(cmds), 1);
	json_decref(cmds);
	assert_null(nftb_document(NULL));
}

static void push_cancel_truncate(void **state)
{
	json_t *cmds = nftj_array();

	(void)state;
	assert_int_equal(nftb_push_cmd(cmds, parse("{\"add\":{\"rule\":{\"chain\":\"a\"}}}")), 0);
	assert_int_equal(nftb_push_cmd(cmds, parse("{\"add\":{\"rule\":{\"chain\":\"b\"}}}")), 1);
	assert_int_equal(nftb_push_cmd(cmds, NULL), -1);
	assert_int_equal(nftb_cancel_cmd(cmds, 0), 0);
	assert_int_equal(nftb_cancel_cmd(cmds, 5), -1);
	assert_int_equal(nftb_push_cmd(cmds, parse("{\"flush\":{\"chain\":{\"name\":\"c\"}}}")), 2);
	nftb_truncate(cmds, 2);
	nftb_truncate(cmds, 7);
	expect_json(cmds, "[{\"metainfo\":{}},{\"add\":{\"rule\":{\"chain\":\"b\"}}}]");
}

static void rule_of_a_command(void **state)
{
	json_t *cmd = parse("{\"insert\":{\"rule\":{\"chain\":\"a\",\"handle\":3}}}");
	json_t *other = parse("{\"add\":{\"chain\":{\"name\":\"a\"}}}");
	json_t *rule = nftb_cmd_rule(cmd), *copy;

	(void)state;
	assert_non_null(rule);
	assert_null(nftb_cmd_rule(other));
	assert_null(nftb_cmd_rule(NULL));
	assert_null(nftb_rule_copy(NULL));
	copy = nftb_rule_copy(rule);
	nftb_unset_handle(copy);
	nftb_set_index(copy, 4);
	expect_json(copy, "{\"chain\":\"a\",\"index\":4}");
	/* The copy is the caller's: the command is as it was. */
	nftb_unset_index(rule);
	expect_json(cmd, "{\"insert\":{\"rule\":{\"chain\":\"a\",\"handle\":3}}}");
	json_decref(other);
}

static void counters_zeroed(void **state)
{
	json_t *with =
	    parse("{\"expr\":[{\"counter\":{\"packets\":5,\"bytes\":600}},{\"accept\":null}]}");
	json_t *without = parse("{\"expr\":[{\"counter\":null},{\"drop\":null}]}");

	(void)state;
	assert_true(nftb_zero_counters(with));
	expect_json(with, "{\"expr\":[{\"counter\":null},{\"accept\":null}]}");
	assert_false(nftb_zero_counters(without));
	expect_json(without, "{\"expr\":[{\"counter\":null},{\"drop\":null}]}");
}

/* A listing of two nfsh chains and a foreign table, as libnftables lists it. */
static json_t *listing(int h1, int h2, int h3)
{
	char text[512];

	snprintf(text, sizeof(text),
	         "[{\"table\":{\"family\":\"ip\",\"name\":\"nfsh-filter\"}},"
	         "{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\",\"chain\":\"INPUT\","
	         "\"handle\":%d}},"
	         "{\"rule\":{\"family\":\"ip\",\"table\":\"filter\",\"chain\":\"INPUT\","
	         "\"handle\":99}},"
	         "{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\",\"chain\":\"INPUT\","
	         "\"handle\":%d}},"
	         "{\"rule\":{\"family\":\"ip6\",\"table\":\"nfsh-filter\",\"chain\":\"web\","
	         "\"handle\":%d}}]",
	         h1, h2, h3);
	return parse(text);
}

static void handles_mapped(void **state)
{
	/* Handle 7 in both tables: each table numbers its own rules. */
	json_t *live_list = listing(4, 7, 7), *sim_list = listing(10, 11, 12);
	json_t *live = nftb_own_rule_handles(live_list), *sim = nftb_own_rule_handles(sim_list);
	json_t *cmds = parse("[{\"replace\":{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\","
	                     "\"chain\":\"INPUT\",\"handle\":7}}},"
	                     "{\"add\":{\"table\":{\"name\":\"nfsh-filter\"}}},"
	                     "{\"delete\":{\"rule\":{\"family\":\"ip6\",\"table\":\"nfsh-filter\","
	                     "\"chain\":\"web\",\"handle\":7}}},"
	                     "{\"delete\":{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\","
	                     "\"chain\":\"INPUT\",\"handle\":500}}}]");
	json_t *empty = parse("[]"), *none;

	(void)state;
	/* The foreign table's rule is left out. */
	expect_json(json_incref(live),
	            "{\"ip nfsh-filter INPUT\":[4,7],\"ip6 nfsh-filter web\":[7]}");
	expect_json(nftb_map_handles(cmds, live, sim),
	            "[{\"replace\":{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\","
	            "\"chain\":\"INPUT\",\"handle\":11}}},"
	            "{\"add\":{\"table\":{\"name\":\"nfsh-filter\"}}},"
	            "{\"delete\":{\"rule\":{\"family\":\"ip6\",\"table\":\"nfsh-filter\","
	            "\"chain\":\"web\",\"handle\":12}}},"
	            "{\"delete\":{\"rule\":{\"family\":\"ip\",\"table\":\"nfsh-filter\","
	            "\"chain\":\"INPUT\",\"handle\":500}}}]");
	/* cmds itself is untouched. */
	assert_int_equal(
	    json_integer_value(json_object_get(nftb_cmd_rule(json_array_get(cmds, 0)), "handle")),
	    7);
	/* A chain with another number of rules: the ruleset changed. */
	none = nftb_own_rule_handles(empty);
	assert_null(nftb_map_handles(cmds, live, none));
	json_decref(none);
	json_decref(empty);
	json_decref(cmds);
	json_decref(live);
	json_decref(sim);
	json_decref(live_list);
	json_decref(sim_list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(commands_and_documents), cmocka_unit_test(push_cancel_truncate),
	    cmocka_unit_test(rule_of_a_command),      cmocka_unit_test(counters_zeroed),
	    cmocka_unit_test(handles_mapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Regression tests for crashes found by the fuzzers (tests/fuzz). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"

/* fuzz_cmd_parse: a short rule option (-s) given with a non-rule command (-L)
 * left the error naming a word in a stack buffer of the short-option parser. */
static void short_rule_option_with_list(void **state)
{
	char *argv[] = { "-nvL", "-s", "10.0.0.1" };
	struct cmd c;
	struct nfsh_err e;

	(void)state;
	assert_int_equal(cmd_parse(3, argv, NFSH_IPV4, &c, &e), -1);
	assert_int_equal(e.status, NFSH_EPARAM);
	assert_string_equal(e.word, "-s");
	assert_non_null(strstr(e.msg, "-s"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(short_rule_option_with_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

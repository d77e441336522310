/* Restore input pieces (io/restore_lex.c, io/jumps.c): "[p:b]" counters read
 * as sscanf("[%u:%u%c") read them before, and the jump that closes a loop of
 * chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "io/io.h"
#include "rule/rule.h"

static void counters_as_iptables_restore_reads_them(void **state)
{
	static const char *const bad[] = {
	    "[-1:2]", "[1:2", "[:2]",   "[1:]",   "[1:2] ", "[1 :2]", "[1:2 ]", "[0x10:1]",
	    "[]",     "[",    "x[1:2]", "[1:2]x", "[1: ]",  "1:2]",   "[1;2]",  "[1:-2]",
	};
	uint64_t p = 0, b = 0;

	(void)state;
	assert_int_equal(io_parse_counters("[0:0]", &p, &b), 0);
	assert_true(p == 0 && b == 0);
	assert_int_equal(io_parse_counters("[12:34567]", &p, &b), 0);
	assert_true(p == 12 && b == 34567);
	/* Blanks and a plus before the digits, as %u takes them. */
	assert_int_equal(io_parse_counters("[ 1:+2]", &p, &b), 0);
	assert_true(p == 1 && b == 2);
	assert_int_equal(io_parse_counters("[18446744073709551615:1]", &p, &b), 0);
	assert_true(p == UINT64_MAX && b == 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (io_parse_counters(bad[i], &p, &b) == 0)
			fail_msg("\"%s\" read as counters", bad[i]);
}

static void the_jump_that_closes_a_loop_is_named(void **state)
{
	struct io_jumps j = {0};

	(void)state;
	assert_int_equal(io_jumps_find_loop(&j), -1);
	assert_int_equal(io_jumps_add(&j, NFSH_IPV4, TBL_FILTER, "INPUT", "a", 1), 0);
	assert_int_equal(io_jumps_add(&j, NFSH_IPV4, TBL_FILTER, "a", "b", 2), 0);
	assert_int_equal(io_jumps_add(&j, NFSH_IPV4, TBL_FILTER, "b", "c", 3), 0);
	/* The same names in another table are other chains. */
	assert_int_equal(io_jumps_add(&j, NFSH_IPV4, TBL_NAT, "c", "a", 4), 0);
	assert_int_equal(io_jumps_find_loop(&j), -1);
	assert_int_equal(io_jumps_add(&j, NFSH_IPV4, TBL_FILTER, "c", "a", 5), 0);
	assert_int_equal(io_jumps_add(&j, NFSH_IPV4, TBL_FILTER, "b", "a", 6), 0);
	assert_int_equal(io_jumps_find_loop(&j), 4);
	/* c flushed: its jump is gone, and b -> a closes the loop. */
	io_jumps_drop(&j, NFSH_IPV4, TBL_FILTER, "c");
	assert_int_equal(io_jumps_find_loop(&j), 5);
	io_jumps_drop(&j, NFSH_IPV4, TBL_FILTER, "b");
	assert_int_equal(io_jumps_find_loop(&j), -1);
	io_jumps_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counters_as_iptables_restore_reads_them),
	    cmocka_unit_test(the_jump_that_closes_a_loop_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

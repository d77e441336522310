/* ext_find (src/ext/ext.c) looks extensions up in a hash index built on
 * first use; it must answer what a scan of the linker section answers: for
 * every registered (type, name) the first extension so registered, match
 * names case-insensitively as a second try, target names exactly, and NULL
 * for names nothing registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "ext/ext.h"

static const struct ext *scan(const char *name, enum ext_type type, bool nocase)
{
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		if ((*p)->type == type &&
		    (nocase ? strcasecmp((*p)->name, name) : strcmp((*p)->name, name)) == 0)
			return *p;
	return NULL;
}

static void test_every_extension(void **state)
{
	int n = 0, matches = 0, targets = 0;

	(void)state;
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++, n++) {
		const struct ext *x = *p;

		assert_ptr_equal(ext_find(x->name, x->type), scan(x->name, x->type, false));
		assert_string_equal(ext_find(x->name, x->type)->name, x->name);
		matches += x->type == EXT_MATCH;
		targets += x->type == EXT_TARGET;
	}
	/* The section holds the extensions at all (a test that finds nothing
	 * proves nothing). */
	assert_true(n > 50);
	assert_true(matches > 20);
	assert_true(targets > 10);
}

static void test_case_and_type(void **state)
{
	(void)state;
	assert_non_null(ext_find("tcp", EXT_MATCH));
	/* Matches: case-insensitive as a second try; targets exactly. */
	assert_ptr_equal(ext_find("TCP", EXT_MATCH), ext_find("tcp", EXT_MATCH));
	assert_ptr_equal(ext_find("Conntrack", EXT_MATCH), scan("conntrack", EXT_MATCH, true));
	assert_non_null(ext_find("DNAT", EXT_TARGET));
	assert_null(ext_find("dnat", EXT_TARGET));
	/* The same name under the other type is another lookup. */
	assert_null(ext_find("tcp", EXT_TARGET));
	assert_ptr_equal(ext_find("MARK", EXT_TARGET), scan("MARK", EXT_TARGET, false));
	assert_ptr_equal(ext_find("mark", EXT_MATCH), scan("mark", EXT_MATCH, false));
	assert_ptr_not_equal(ext_find("mark", EXT_MATCH), ext_find("MARK", EXT_TARGET));
	/* Unknown names, the empty one, a prefix of a known one. */
	assert_null(ext_find("no-such-extension", EXT_MATCH));
	assert_null(ext_find("", EXT_MATCH));
	assert_null(ext_find("", EXT_TARGET));
	assert_null(ext_find("conntr", EXT_MATCH));
	assert_null(ext_find("DNATX", EXT_TARGET));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_extension),
	    cmocka_unit_test(test_case_and_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

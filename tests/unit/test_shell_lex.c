/* The shell's line lexer: quoting, escapes, comments, continuation, and the
 * word spans the caret errors are drawn from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell/lex.h"

static struct lex_line L;

static int lex(const char *s)
{
	struct nfsh_err e;

	return lex_split(s, &L, &e);
}

static void plain_words(void **state)
{
	(void)state;
	assert_int_equal(lex("  -A INPUT\t-j  ACCEPT "), LEX_OK);
	assert_int_equal(L.nwords, 4);
	assert_string_equal(L.argv[0], "-A");
	assert_string_equal(L.argv[3], "ACCEPT");
	assert_null(L.argv[4]);
	assert_int_equal(L.w[1].start, 5);
	assert_int_equal(L.w[1].end, 10);
	assert_true(L.trailing_blank);
}

static void quotes(void **state)
{
	(void)state;
	assert_int_equal(lex("--comment 'two words' \"a \\\"b\\\" $c\" x'y'z"), LEX_OK);
	assert_int_equal(L.nwords, 4);
	assert_string_equal(L.argv[1], "two words");
	assert_string_equal(L.argv[2], "a \"b\" $c");
	assert_string_equal(L.argv[3], "xyz");
	/* The span covers the quotes as typed. */
	assert_int_equal(L.w[1].start, 10);
	assert_int_equal(L.w[1].end, 21);
	assert_int_equal(lex("'\\n'"), LEX_OK);
	assert_string_equal(L.argv[0], "\\n");
	assert_int_equal(lex("''"), LEX_OK);
	assert_int_equal(L.nwords, 1);
	assert_string_equal(L.argv[0], "");
}

static void backslash(void **state)
{
	(void)state;
	assert_int_equal(lex("a\\ b c\\#d"), LEX_OK);
	assert_int_equal(L.nwords, 2);
	assert_string_equal(L.argv[0], "a b");
	assert_string_equal(L.argv[1], "c#d");
}

static void comments(void **state)
{
	(void)state;
	assert_int_equal(lex("-F # flush all"), LEX_OK);
	assert_int_equal(L.nwords, 1);
	assert_true(L.comment);
	assert_int_equal(lex("# only a comment"), LEX_OK);
	assert_int_equal(L.nwords, 0);
	assert_int_equal(lex("a#b"), LEX_OK);
	assert_string_equal(L.argv[0], "a#b");
	assert_int_equal(lex("'#x'"), LEX_OK);
	assert_string_equal(L.argv[0], "#x");
}

static void continuation(void **state)
{
	(void)state;
	assert_int_equal(lex("-A INPUT \\"), LEX_INCOMPLETE);
	assert_true(L.continued);
	assert_int_equal(L.nwords, 2);
	assert_int_equal(lex("-A INP\\"), LEX_INCOMPLETE);
	assert_int_equal(lex("-A INPUT \\\n-j ACCEPT"), LEX_OK);
	assert_int_equal(L.nwords, 4);
	assert_string_equal(L.argv[3], "ACCEPT");
	assert_int_equal(lex("-A INPUT \\\n   -j ACCEPT"), LEX_OK);
	assert_int_equal(L.nwords, 4);
	assert_int_equal(lex("-A INP\\\nUT"), LEX_OK);
	assert_string_equal(L.argv[1], "INPUT");
}

static void open_quotes(void **state)
{
	(void)state;
	assert_int_equal(lex("--comment 'abc"), LEX_INCOMPLETE);
	assert_int_equal(L.open_quote, '\'');
	assert_int_equal(L.nwords, 2);
	assert_string_equal(L.argv[1], "abc");
	assert_int_equal(lex("x \"a"), LEX_INCOMPLETE);
	assert_int_equal(L.open_quote, '"');
	assert_int_equal(lex("x \"a\nb\""), LEX_OK);
	assert_string_equal(L.argv[1], "a\nb");
}

static void partial_word(void **state)
{
	(void)state;
	assert_int_equal(lex("-A IN"), LEX_OK);
	assert_false(L.trailing_blank);
	assert_int_equal(lex(""), LEX_OK);
	assert_int_equal(L.nwords, 0);
	assert_true(L.trailing_blank);
}

static void limits(void **state)
{
	char *big = malloc(LEX_MAX_CHARS * 2 + 1);
	struct nfsh_err e;
	struct strbuf;

	(void)state;
	memset(big, 'x', LEX_MAX_CHARS * 2);
	big[LEX_MAX_CHARS * 2] = '\0';
	assert_int_equal(lex_split(big, &L, &e), -1);
	assert_non_null(strstr(e.msg, "too long"));
	for (int i = 0; i < LEX_MAX_CHARS; i++)
		big[i] = i % 2 ? ' ' : 'a';
	big[LEX_MAX_CHARS] = '\0';
	assert_int_equal(lex_split(big, &L, &e), -1);
	assert_non_null(strstr(e.msg, "too many words"));
	free(big);
}

static void quoting_round_trip(void **state)
{
	const char *cases[] = {"plain", "two words", "it's", "", "a\"b", "$x", NULL};
	char q[256];

	(void)state;
	for (int i = 0; cases[i]; i++) {
		lex_quote(cases[i], q, sizeof(q));
		assert_int_equal(lex(q), LEX_OK);
		assert_int_equal(L.nwords, 1);
		assert_string_equal(L.argv[0], cases[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_words),        cmocka_unit_test(quotes),
	    cmocka_unit_test(backslash),          cmocka_unit_test(comments),
	    cmocka_unit_test(continuation),       cmocka_unit_test(open_quotes),
	    cmocka_unit_test(partial_word),       cmocka_unit_test(limits),
	    cmocka_unit_test(quoting_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* cmd_parse refuses a word that is not UTF-8 (jansson would drop it), names
 * the word and the byte, and takes every valid sequence: ASCII runs, 2-, 3-
 * and 4-byte characters, against overlong forms, surrogates, code points
 * above U+10FFFF, stray and missing continuation bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "util/strbuf.h"

/* -A INPUT -m comment --comment TEXT -j ACCEPT: 0 or -1 with e. */
static int with_comment(const char *text, struct nfsh_err *e)
{
	char buf[64];
	char *argv[] = {"-A", "INPUT", "-m", "comment", "--comment", buf, "-j", "ACCEPT"};
	struct cmd c;

	snprintf(buf, sizeof(buf), "%s", text);
	if (cmd_parse(8, argv, NFSH_IPV4, &c, e) < 0)
		return -1;
	cmd_release(&c);
	return 0;
}

static void valid_utf8_is_taken(void **state)
{
	static const char *const ok[] = {
	    "plain ascii",      "caf\xc3\xa9",  "\xe2\x82\xac 5", "\xf0\x9f\x94\xa5",
	    "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "a\xc2\x80z",
	};
	struct nfsh_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (with_comment(ok[i], &e) < 0)
			fail_msg("valid \"%s\" refused: %s", ok[i], e.msg);
}

static void invalid_utf8_names_the_byte(void **state)
{
	static const struct {
		const char *text;
		const char *byte;
	} bad[] = {
	    {"a\xff", "0xff"},
	    {"ab\xc0\xaf", "0xc0"},
	    {"\xe0\x80\xaf", "0xe0"},
	    {"x\xed\xa0\x80", "0xed"},
	    {"\xf4\x90\x80\x80", "0xf4"},
	    {"\xc3", "0xc3"},
	    {"ok\xc3(", "0xc3"},
	    {"\x80 lone", "0x80"},
	    {"\xf8\x88\x80\x80\x80", "0xf8"},
	};
	struct nfsh_err e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (with_comment(bad[i].text, &e) == 0)
			fail_msg("invalid case %zu taken", i);
		assert_int_equal(e.argi, 5);
		if (!strstr(e.msg, "not valid UTF-8") || !strstr(e.msg, bad[i].byte))
			fail_msg("case %zu: \"%s\"", i, e.msg);
	}
}

/* The validator itself (util/strbuf.c): the offset of the first bad byte,
 * which the messages above quote the text before. */
static void validator_gives_the_offset(void **state)
{
	static const struct {
		const char *text;
		long at;
	} cases[] = {
	    {"", -1},
	    {"plain", -1},
	    {"caf\xc3\xa9", -1},
	    {"\xf0\x9f\x94\xa5!", -1},
	    {"\xff", 0},
	    {"abc\xff", 3},
	    {"caf\xc3\xa9\xc3", 5},                  /* truncated after a valid 2-byte */
	    {"x\xe0\x80\xaf", 1},                    /* overlong 3-byte */
	    {"ab\xed\xa0\x80", 2},                   /* surrogate */
	    {"\xf4\x8f\xbf\xbf\xf4\x90\x80\x80", 4}, /* U+10FFFF then above */
	    {"a\x80", 1},                            /* lone continuation */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (str_utf8_bad(cases[i].text) != cases[i].at)
			fail_msg("case %zu: %ld, want %ld", i, str_utf8_bad(cases[i].text),
			         cases[i].at);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid_utf8_is_taken),
	    cmocka_unit_test(invalid_utf8_names_the_byte),
	    cmocka_unit_test(validator_gives_the_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

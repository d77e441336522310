/* Regression tests for crashes found by the fuzzers (tests/fuzz). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "ct/ct_int.h"
#include "io/io.h"

/* fuzz_cmd_parse: a short rule option (-s) given with a non-rule command (-L)
 * left the error naming a word in a stack buffer of the short-option parser. */
static void short_rule_option_with_list(void **state)
{
	char *argv[] = {"-nvL", "-s", "10.0.0.1"};
	struct cmd c;
	struct nfsh_err e;

	(void)state;
	assert_int_equal(cmd_parse(3, argv, NFSH_IPV4, &c, &e), -1);
	assert_int_equal(e.status, NFSH_EPARAM);
	assert_string_equal(e.word, "-s");
	assert_non_null(strstr(e.msg, "-s"));
}

/* Hostile input (issue 7): a comment that is not UTF-8 became a NULL JSON
 * string, and the rule went in without its comment match. */
static void non_utf8_word_refused(void **state)
{
	char *argv[] = {"-A", "INPUT", "-m", "comment", "--comment", "ab\xff\xfe", "-j", "ACCEPT"};
	char *ok[] = {"-A", "INPUT", "-m", "comment", "--comment", "caf\xc3\xa9 \xe2\x82\xac",
	              "-j", "ACCEPT"};
	char *overlong[] = {"-N", "\xc0\xafX"};
	struct cmd c;
	struct nfsh_err e;

	(void)state;
	assert_int_equal(cmd_parse(8, argv, NFSH_IPV4, &c, &e), -1);
	assert_int_equal(e.status, NFSH_EPARAM);
	assert_int_equal(e.argi, 5);
	assert_non_null(strstr(e.msg, "UTF-8"));
	assert_int_equal(cmd_parse(2, overlong, NFSH_IPV4, &c, &e), -1);
	assert_int_equal(cmd_parse(8, ok, NFSH_IPV4, &c, &e), 0);
	cmd_release(&c);
}

/* iptables refuses chain names of 29 characters and more ("must be under 29
 * chars"); nfsh took 29. */
static void chain_name_of_29_refused(void **state)
{
	char n28[29], n29[30];
	char *a28[] = {"-N", n28}, *a29[] = {"-N", n29};
	struct cmd c;
	struct nfsh_err e;

	(void)state;
	memset(n28, 'C', 28);
	n28[28] = '\0';
	memset(n29, 'C', 29);
	n29[29] = '\0';
	assert_int_equal(cmd_parse(2, a28, NFSH_IPV4, &c, &e), 0);
	cmd_release(&c);
	assert_int_equal(cmd_parse(2, a29, NFSH_IPV4, &c, &e), -1);
	assert_int_equal(e.status, NFSH_EPARAM);
}

/* A NUL byte inside a restore line cut the line there: "-j ACC\0EPT" was read
 * as a jump to ACC, and what followed the NUL was never looked at. */
static void restore_line_with_nul_refused(void **state)
{
	static const char text[] = "*filter\n-A INPUT -j ACC\0EPT\nCOMMIT\n";
	struct io_ctx r = {.family = NFSH_IPV4, .only_table = -1, .table = -1};
	struct nfsh_err e;
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");

	(void)state;
	assert_non_null(in);
	err_clear(&e);
	io_batch_init(&r.b);
	io_cs_init(&r.cs);
	assert_int_equal(io_restore_read(&r, in, &e), -1);
	assert_int_equal(r.line, 2);
	assert_non_null(strstr(e.msg, "NUL"));
	fclose(in);
	io_ctx_release(&r);
}

/* fuzz_ct_attr: a message length of 2 GiB or more is negative as the int that
 * mnl_nlmsg_ok compares, so the message passed it and ct_msg_parse read the
 * nfgenmsg past the end of a 16-byte buffer. */
static void ct_msg_huge_length_refused(void **state)
{
	static const uint8_t crash[16] = {0x00, 0x27, 0xd7, 0xd7, 0xd7, 0xd7, 0x00, 0x08,
	                                  0xd7, 0xd7, 0xd7, 0xd7, 0x00, 0x00, 0x00, 0x4c};
	uint8_t *buf = malloc(sizeof(crash));
	static struct ct_msg m;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, crash, sizeof(crash));
	assert_true(mnl_nlmsg_ok((struct nlmsghdr *)buf, (int)sizeof(crash)));
	assert_int_equal(ct_msg_parse((struct nlmsghdr *)buf, &m), MNL_CB_ERROR);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(short_rule_option_with_list),
	    cmocka_unit_test(non_utf8_word_refused),
	    cmocka_unit_test(chain_name_of_29_refused),
	    cmocka_unit_test(restore_line_with_nul_refused),
	    cmocka_unit_test(ct_msg_huge_length_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

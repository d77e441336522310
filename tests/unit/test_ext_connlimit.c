/* -m connlimit: words through cmd_parse(), the set declaration and the
 * "add @set { KEY ct count }" statement xlate_rule_decls() emits (as
 * iptables-translate writes them, libxt_connlimit.txlate), the save text of
 * the corpus' .t files, read-back of listings, and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "ext/ext.h"
#include "xlate/xlate.h"
#include "harness/xw.h"

#define MAXW 32

static char *canon(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void expect_json(json_t *got, const char *want, const char *what)
{
	json_t *w = json_loads(want, 0, NULL);
	char *a, *b;

	if (!w)
		fail_msg("bad expected JSON for %s: %s", what, want);
	a = canon(got);
	b = canon(w);
	if (strcmp(a, b))
		fail_msg("%s\n  emitted  %s\n  expected %s", what, a, b);
	free(a);
	free(b);
	json_decref(w);
}

/* Parse line (words at blanks), emit with a batch that has declared nsets sets
 * so far; check the declarations, the statements, the save text and the
 * read-back of the emitted rule (the set's pattern stands for its name). */
static void cl_check(int family, unsigned nsets, const char *line, const char *want_decls,
                     const char *want_expr, const char *want_save)
{
	char buf[512], *argv[MAXW], why[256];
	int n = 0;
	struct cmd c;
	struct nfsh_err e;
	struct ext_decls d = {json_array(), nsets};
	struct rule back;
	struct strbuf sb;
	json_t *o;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < MAXW; t = strtok(NULL, " "))
		argv[n++] = t;
	if (cmd_parse(n, argv, family, &c, &e) < 0)
		fail_msg("\"%s\" refused: %s [word \"%s\"]", line, e.msg, e.word);
	o = xlate_rule_decls(&c.rules[0], &d, &e);
	if (!o)
		fail_msg("\"%s\": no translation: %s", line, e.msg);
	expect_json(d.cmds, want_decls, line);
	assert_int_equal(d.nsets, nsets + 1);
	expect_json(json_object_get(o, "expr"), want_expr, line);
	sb_init(&sb);
	print_rule_save(&c.rules[0], false, &sb);
	if (strcmp(sb_str(&sb), want_save))
		fail_msg("\"%s\"\n  saved    %s\n  expected %s", line, sb_str(&sb), want_save);
	sb_reset(&sb);
	if (xlate_read_rule(o, TBL_FILTER, &back, why, sizeof(why)) != 0)
		fail_msg("\"%s\": read-back refused: %s", line, why);
	print_rule_save(&back, false, &sb);
	if (strcmp(sb_str(&sb), want_save))
		fail_msg("\"%s\"\n  read back %s\n  expected  %s", line, sb_str(&sb), want_save);
	sb_free(&sb);
	rule_release(&back);
	json_decref(o);
	json_decref(d.cmds);
	cmd_release(&c);
}

#define DECL4(NAME)                                                                                \
	"[{\"add\":{\"set\":{\"family\":\"ip\",\"table\":\"nfsh-filter\",\"name\":\"" NAME         \
	"\",\"type\":\"ipv4_addr\"}}}]"
#define ADD(ELEM, SET, COUNT)                                                                      \
	"[{\"set\":{\"op\":\"add\",\"elem\":" ELEM ",\"set\":\"@" SET                              \
	"\",\"stmt\":[{\"ct count\":" COUNT "}]}}," C "]"
#define SADDR4 "{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}}"
#define DADDR4 "{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}}"

static void test_corpus_txlate(void **state)
{
	(void)state;
	/* libxt_connlimit.txlate: the kernel names the first set connlimit0. */
	cl_check(V4, 0, "-A INPUT -m connlimit --connlimit-above 2", DECL4("connlimit%d"),
	         ADD(SADDR4, "connlimit%d", "{\"val\":2,\"inv\":true}"),
	         "-A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 32 --connlimit-saddr");
	cl_check(V4, 0, "-A INPUT -m connlimit --connlimit-upto 2", DECL4("connlimit%d"),
	         ADD(SADDR4, "connlimit%d", "{\"val\":2}"),
	         "-A INPUT -m connlimit --connlimit-upto 2 --connlimit-mask 32 --connlimit-saddr");
	cl_check(V4, 0, "-A INPUT -m connlimit --connlimit-upto 2 --connlimit-mask 24",
	         DECL4("connlimit%d"),
	         ADD("{\"&\":[" SADDR4 ",\"255.255.255.0\"]}", "connlimit%d", "{\"val\":2}"),
	         "-A INPUT -m connlimit --connlimit-upto 2 --connlimit-mask 24 --connlimit-saddr");
	cl_check(V4, 0, "-A INPUT -m connlimit --connlimit-upto 2 --connlimit-daddr",
	         DECL4("connlimit%d"), ADD(DADDR4, "connlimit%d", "{\"val\":2}"),
	         "-A INPUT -m connlimit --connlimit-upto 2 --connlimit-mask 32 --connlimit-daddr");
}

static void test_names_and_families(void **state)
{
	(void)state;
	/* Later sets of one batch get patterns of their own (libnftables finds a
	 * batch's sets by name). */
	cl_check(V4, 1, "-A INPUT -m connlimit --connlimit-above 1", DECL4("connlimitb%d"),
	         ADD(SADDR4, "connlimitb%d", "{\"val\":1,\"inv\":true}"),
	         "-A INPUT -m connlimit --connlimit-above 1 --connlimit-mask 32 --connlimit-saddr");
	cl_check(V4, 27, "-A INPUT -m connlimit --connlimit-above 1", DECL4("connlimitbb%d"),
	         ADD(SADDR4, "connlimitbb%d", "{\"val\":1,\"inv\":true}"),
	         "-A INPUT -m connlimit --connlimit-above 1 --connlimit-mask 32 --connlimit-saddr");
	/* ! --connlimit-above is --connlimit-upto. */
	cl_check(V4, 0, "-A INPUT -m connlimit ! --connlimit-above 4294967295",
	         DECL4("connlimit%d"), ADD(SADDR4, "connlimit%d", "{\"val\":4294967295}"),
	         "-A INPUT -m connlimit --connlimit-upto 4294967295 --connlimit-mask 32 "
	         "--connlimit-saddr");
	cl_check(
	    V6, 0, "-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 64",
	    "[{\"add\":{\"set\":{\"family\":\"ip6\",\"table\":\"nfsh-filter\",\"name\":"
	    "\"connlimit%d\",\"type\":\"ipv6_addr\"}}}]",
	    ADD("{\"&\":[{\"payload\":{\"protocol\":\"ip6\",\"field\":\"saddr\"}},"
	        "\"ffff:ffff:ffff:ffff::\"]}",
	        "connlimit%d", "{\"val\":10,\"inv\":true}"),
	    "-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 64 --connlimit-saddr");
}

static void test_refusals(void **state)
{
	(void)state;
	/* libipt_connlimit.t / libip6t_connlimit.t FAIL lines. */
	xw_refuse(V4, "-A INPUT -m connlimit --connlimit-upto 4294967296", "4294967296");
	xw_refuse(V4, "-A INPUT -m connlimit --connlimit-above -1", "-1");
	xw_refuse(V6,
	          "-A INPUT -m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr",
	          "--connlimit-daddr");
	xw_refuse(V4, "-A INPUT -m connlimit", "connlimit");
	xw_refuse(V4, "-A INPUT -m connlimit --connlimit-upto 1 --connlimit-above 1", "1");
	xw_refuse(V4, "-A INPUT -m connlimit --connlimit-upto 1 --connlimit-mask 33", "33");
	xw_refuse(V6, "-A INPUT -m connlimit --connlimit-upto 1 --connlimit-mask 129", "129");
}

/* Without a batch to declare its set in, the rule cannot be made. */
static void test_needs_a_batch(void **state)
{
	char l[] = "-A INPUT -m connlimit --connlimit-above 2";
	char *argv[MAXW];
	int n = 0;
	struct cmd c;
	struct nfsh_err e;

	(void)state;
	for (char *t = strtok(l, " "); t; t = strtok(NULL, " "))
		argv[n++] = t;
	assert_int_equal(cmd_parse(n, argv, V4, &c, &e), 0);
	assert_null(xlate_rule(&c.rules[0], &e));
	assert_string_equal(e.word, "connlimit");
	cmd_release(&c);
}

static void test_listed(void **state)
{
	(void)state;
	/* libnftables 1.0.6 lists the u32 count as a signed int. */
	xw_listed(V4,
	          "[{\"set\":{\"op\":\"add\",\"elem\":" SADDR4 ",\"set\":\"@connlimit0\",\"stmt\":"
	          "[{\"ct count\":{\"val\":-1}}]}},{\"counter\":{\"packets\":0,\"bytes\":0}}]",
	          NULL,
	          "-A INPUT -m connlimit --connlimit-upto 4294967295 --connlimit-mask 32 "
	          "--connlimit-saddr");
	xw_listed(
	    V4,
	    "[{\"set\":{\"op\":\"add\",\"elem\":{\"&\":[" DADDR4 ",\"255.255.0.0\"]},\"set\":"
	    "\"@connlimitb3\",\"stmt\":[{\"ct count\":{\"val\":7,\"inv\":true}}]}},{\"counter\":"
	    "{\"packets\":0,\"bytes\":0}},{\"drop\":null}]",
	    NULL,
	    "-A INPUT -m connlimit --connlimit-above 7 --connlimit-mask 16 --connlimit-daddr "
	    "-j DROP");
}

/* A rule read back names its set: when it goes, the set goes; a new rule has none. */
static void test_release(void **state)
{
	json_t *o = json_pack(
	    "{s:s,s:s,s:s,s:o}", "family", "ip", "table", "nfsh-filter", "chain", "INPUT", "expr",
	    json_loads("[{\"set\":{\"op\":\"add\",\"elem\":" SADDR4 ",\"set\":\"@connlimit3\","
	               "\"stmt\":[{\"ct count\":{\"val\":2}}]}}]",
	               0, NULL));
	struct ext_decls d = {json_array(), 0};
	struct nfsh_err e;
	struct rule r;
	char why[128];

	(void)state;
	assert_int_equal(xlate_read_rule(o, TBL_FILTER, &r, why, sizeof(why)), 0);
	assert_int_equal(xlate_rule_release(&r, &d, &e), 0);
	expect_json(d.cmds,
	            "[{\"delete\":{\"set\":{\"family\":\"ip\",\"table\":\"nfsh-filter\",\"name\":"
	            "\"connlimit3\"}}}]",
	            "release of a read-back rule");
	/* -Z emits the rule again: it keeps the set and declares none. */
	json_decref(o);
	assert_non_null(o = xlate_rule_decls(&r, &d, &e));
	assert_int_equal(json_array_size(d.cmds), 1);
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_object_get(json_array_get(json_object_get(o, "expr"), 0), "set"), "set")),
	    "@connlimit3");
	json_decref(o);
	json_decref(d.cmds);
	rule_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus_txlate), cmocka_unit_test(test_names_and_families),
	    cmocka_unit_test(test_refusals),      cmocka_unit_test(test_needs_a_batch),
	    cmocka_unit_test(test_listed),        cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

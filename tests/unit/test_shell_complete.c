/* The completion engine, with fake live names: what TAB and `?` offer at each
 * point of a command. Everything comes from cmd_options[] and the registry, so
 * these tests name only extensions the core ships (conntrack, state) plus
 * whatever -p tcp loads when a tcp extension is registered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ext/ext.h"
#include "rule/rule.h"
#include "shell/complete.h"

static struct compl_res R;
static int last_kind = -1;

static void fake_dyn(void *arg, enum compl_dyn kind, int family, int table, const char *prefix,
                     struct compl_res *res)
{
	(void)arg;
	(void)family;
	(void)table;
	last_kind = (int)kind;
	if (kind == CD_CHAIN || kind == CD_USER_CHAIN)
		compl_add(res, prefix, "web-in", "user chain");
	if (kind == CD_CHAIN)
		compl_add(res, prefix, "INPUT", "built-in chain");
	if (kind == CD_IFACE) {
		compl_add(res, prefix, "lo", "interface");
		compl_add(res, prefix, "eth0", "interface");
	}
	if (kind == CD_FILE)
		compl_add(res, prefix, "rules.v4", "file");
}

/* Complete a line: the text after the last blank is the partial word. */
static void run(enum compl_mode mode, const char *line)
{
	struct compl_env env = {mode, NFSH_IPV4, fake_dyn, NULL};
	char buf[512], *words[64];
	int n = 0;
	const char *cur;
	char *last = strrchr(strcpy(buf, line), ' ');

	cur = last ? last + 1 : buf;
	if (last) {
		*last = '\0';
		for (char *t = strtok(buf, " "); t && n < 64; t = strtok(NULL, " "))
			words[n++] = t;
	}
	compl_run(&env, n, words, cur, &R);
}

static bool has(const char *text)
{
	for (int i = 0; i < R.n; i++)
		if (!strcmp(R.it[i].text, text))
			return true;
	return false;
}

static void first_word(void **state)
{
	(void)state;
	run(CM_SHELL, "sh");
	assert_true(has("show"));
	assert_true(has("shell") == false);
	run(CM_SHELL, "");
	assert_true(has("help"));
	assert_true(has("-A"));
	assert_true(has("begin"));
	run(CM_ARGV, "tr");
	assert_true(has("translate"));
	run(CM_ARGV, "--app");
	assert_int_equal(R.n, 1);
	assert_string_equal(R.it[0].text, "--append");
}

static void chains(void **state)
{
	(void)state;
	run(CM_SHELL, "-A ");
	assert_true(has("INPUT"));
	assert_true(has("FORWARD"));
	assert_true(has("web-in"));
	run(CM_SHELL, "-t nat -A P");
	assert_true(has("PREROUTING"));
	assert_true(has("POSTROUTING"));
	assert_false(has("INPUT"));
	run(CM_SHELL, "-X ");
	assert_true(has("web-in"));
	assert_false(has("INPUT"));
	run(CM_SHELL, "-P INPUT ");
	assert_true(has("ACCEPT"));
	assert_true(has("DROP"));
}

static void matches_and_options(void **state)
{
	(void)state;
	run(CM_SHELL, "-A INPUT -m con");
	assert_true(has("conntrack"));
	run(CM_SHELL, "-A INPUT -m conntrack --ctst");
	assert_true(has("--ctstate"));
	assert_true(has("--ctstatus"));
	run(CM_SHELL, "-A INPUT -m conntrack --ctsta");
	assert_true(has("--ctstate"));
	/* Options of an extension not loaded are not offered. */
	run(CM_SHELL, "-A INPUT --ct");
	assert_false(has("--ctstate"));
	/* Once a command is given, commands are no longer offered. */
	run(CM_SHELL, "-A INPUT -");
	assert_false(has("-A"));
	assert_true(has("-p"));
	assert_true(has("-j"));
	run(CM_SHELL, "-A INPUT -j ACCEPT ");
	assert_true(has("<cr>"));
	assert_false(R.it[0].value);
	run(CM_SHELL, "-A INPUT --");
	assert_false(has("<cr>"));
	assert_true(has("--protocol"));
	assert_true(has("--jump"));
}

static void values(void **state)
{
	(void)state;
	run(CM_SHELL, "-A INPUT -m conntrack --ctstate NEW,ES");
	assert_int_equal(R.n, 1);
	assert_string_equal(R.it[0].text, "NEW,ESTABLISHED");
	assert_true(R.no_space);
	run(CM_SHELL, "-A INPUT -m conntrack --ctstate NEW,");
	assert_false(has("NEW,NEW"));
	assert_true(has("NEW,RELATED"));
	run(CM_SHELL, "-A INPUT -m state --state e");
	assert_true(has("ESTABLISHED"));
	run(CM_SHELL, "-A INPUT -m conntrack --ctdir ");
	assert_true(has("ORIGINAL"));
	assert_true(has("REPLY"));
	run(CM_SHELL, "-A INPUT -p ");
	assert_true(has("tcp"));
	assert_true(has("icmp"));
	assert_false(has("icmpv6"));
	run(CM_SHELL, "-t ");
	assert_true(has("filter"));
	assert_true(has("nat"));
	run(CM_SHELL, "-A INPUT -i e");
	assert_int_equal(last_kind, CD_IFACE);
	assert_true(has("eth0"));
	assert_false(has("lo"));
	/* Free text: a description, nothing to insert. */
	run(CM_SHELL, "-A INPUT -s ");
	assert_int_equal(R.n, 1);
	assert_false(R.it[0].value);
	assert_non_null(strstr(R.it[0].text, "ADDR"));
}

static void targets(void **state)
{
	(void)state;
	run(CM_SHELL, "-A INPUT -j ");
	assert_true(has("ACCEPT"));
	assert_true(has("DROP"));
	assert_true(has("RETURN"));
	assert_true(has("web-in"));
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		if ((*p)->type == EXT_TARGET && ((*p)->families & NFSH_F_IPV4) &&
		    (!(*p)->tables || ((*p)->tables & TBL_BIT(TBL_FILTER))))
			assert_true(has((*p)->name));
}

static void implicit_protocol(void **state)
{
	const struct ext *tcp = ext_find("tcp", EXT_MATCH);

	(void)state;
	if (!tcp) {
		skip();
		return;
	}
	run(CM_SHELL, "-A INPUT -p tcp --dp");
	assert_true(has("--dport"));
	run(CM_SHELL, "-A INPUT -p udp --tcp-f");
	assert_false(has("--tcp-flags"));
}

static void builtins(void **state)
{
	(void)state;
	run(CM_SHELL, "show r");
	assert_true(has("rules"));
	assert_true(has("ruleset"));
	assert_true(has("rollbacks"));
	run(CM_SHELL, "sh c");
	assert_true(has("chains"));
	run(CM_SHELL, "help conn");
	assert_true(has("conntrack"));
	run(CM_SHELL, "restore r");
	assert_int_equal(last_kind, CD_FILE);
	assert_true(has("rules.v4"));
	run(CM_SHELL, "iptables -A I");
	assert_true(has("INPUT"));
	run(CM_SHELL, "commit ");
	assert_true(has("confirmed"));
	assert_int_equal(compl_builtin_lookup(shell_builtins, shell_nbuiltins, "sh"), 1);
	assert_int_equal(compl_builtin_lookup(shell_builtins, shell_nbuiltins, "co"), -2);
	assert_int_equal(compl_builtin_lookup(shell_builtins, shell_nbuiltins, "zzz"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(first_word),
	    cmocka_unit_test(chains),
	    cmocka_unit_test(matches_and_options),
	    cmocka_unit_test(values),
	    cmocka_unit_test(targets),
	    cmocka_unit_test(implicit_protocol),
	    cmocka_unit_test(builtins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

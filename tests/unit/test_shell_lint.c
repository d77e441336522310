/* Lint over iptables -S text: -m state, shadowed rules, an ESTABLISHED accept
 * after a catch-all drop, a DROP policy on INPUT without established/loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shell/shell.h"

static struct lint_msg M[32];

static int lint(const char *spec)
{
	return lint_spec(spec, M, 32);
}

static bool said(int n, const char *chain, int rulenum, const char *text)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(M[i].chain, chain) && M[i].rulenum == rulenum &&
		    strstr(M[i].text, text))
			return true;
	return false;
}

static void clean_ruleset(void **state)
{
	(void)state;
	assert_int_equal(lint("-P INPUT DROP\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"
	                      "-A INPUT -i lo -j ACCEPT\n"
	                      "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	                      "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"),
	                 0);
}

static void old_state_match(void **state)
{
	int n;

	(void)state;
	n = lint("-P INPUT ACCEPT\n-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n");
	assert_int_equal(n, 1);
	assert_true(said(n, "INPUT", 1, "-m conntrack --ctstate"));
}

static void shadowed(void **state)
{
	int n;

	(void)state;
	n = lint("-P INPUT ACCEPT\n-A INPUT -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
	         "-N x\n-A x -s 10.0.0.1/32 -j ACCEPT\n-A x -s 10.0.0.1/32 -j DROP\n"
	         "-A x -s 10.0.0.2/32 -j DROP\n");
	assert_int_equal(n, 2);
	assert_true(said(n, "INPUT", 2, "rule 1 before it matches every packet"));
	assert_true(said(n, "x", 2, "matches the same packets"));
	/* A rule that does not end the chain (a jump, LOG) shadows nothing. */
	assert_int_equal(lint("-P INPUT ACCEPT\n-A INPUT -j x\n-A INPUT -j DROP\n"), 0);
}

static void established_after_drop(void **state)
{
	int n;

	(void)state;
	n = lint("-P INPUT ACCEPT\n-A INPUT -j REJECT --reject-with icmp-port-unreachable\n"
	         "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
	assert_int_equal(n, 1);
	assert_true(said(n, "INPUT", 2, "ESTABLISHED accept (rule 2 of INPUT) comes after rule 1"));
	assert_true(said(n, "INPUT", 2, "rejects"));
}

static void drop_policy(void **state)
{
	int n;

	(void)state;
	n = lint("-P INPUT DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n");
	assert_int_equal(n, 2);
	assert_true(said(n, "INPUT", 0, "ESTABLISHED"));
	assert_true(said(n, "INPUT", 0, "loopback"));
	n = lint("-P INPUT DROP\n-A INPUT -i lo -j ACCEPT\n");
	assert_int_equal(n, 1);
	assert_true(said(n, "INPUT", 0, "ESTABLISHED"));
	assert_int_equal(lint("-P FORWARD DROP\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(clean_ruleset), cmocka_unit_test(old_state_match),
	    cmocka_unit_test(shadowed),      cmocka_unit_test(established_after_drop),
	    cmocka_unit_test(drop_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

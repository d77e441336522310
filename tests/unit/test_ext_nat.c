/* NAT targets (DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP) through cmd_parse(),
 * xlate_rule() and back: the JSON is libnftables' nat statement as
 * iptables-translate writes it (../shared/corpus/iptables/txlate/libxt_DNAT,
 * libipt_SNAT, lib*_MASQUERADE, libxt_REDIRECT), -S as the corpus .t files list
 * it, listings as `nft -j list ruleset` showed them on libnftables 1.0.6, and
 * the refusals (port shift, ports without a protocol, wrong chain). */
/* JSON literals use ' for " to stay readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"

static json_t *load(const char *sq)
{
	char buf[4096];
	json_error_t je;
	json_t *j;
	size_t i;

	for (i = 0; sq[i] && i + 1 < sizeof(buf); i++)
		buf[i] = sq[i] == '\'' ? '"' : sq[i];
	buf[i] = '\0';
	j = json_loads(buf, 0, &je);
	if (!j)
		fail_msg("bad JSON literal at %d: %s: %s", je.position, je.text, buf);
	return j;
}

static int split(const char *line, char *buf, size_t len, char **argv, int max)
{
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (char *t = strtok(buf, " "); t && n < max; t = strtok(NULL, " "))
		argv[n++] = t;
	return n;
}

static void expect_json(const char *what, json_t *got, json_t *want)
{
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);

		print_error("%s\n  got:  %s\n  want: %s\n", what, g, w);
		free(g);
		free(w);
		fail();
	}
}

static void save_of(const struct rule *r, struct strbuf *sb)
{
	sb_init(sb);
	print_rule_save(r, false, sb);
}

/* Parse LINE, compare the whole "expr" with EXPR, then read the emitted object
 * back as if listed and compare -S with SAVE. */
static void check(int family, const char *line, const char *expr, const char *save)
{
	char buf[1024], *argv[64], why[256] = "";
	int n = split(line, buf, sizeof(buf), argv, 64);
	struct cmd c;
	struct nfsh_err e;
	struct rule r;
	struct strbuf sb;
	json_t *o, *want = load(expr);

	if (cmd_parse(n, argv, family, &c, &e) < 0)
		fail_msg("\"%s\" refused: %s (%s)", line, e.msg, e.hint);
	assert_int_equal(c.nrules, 1);
	o = xlate_rule(&c.rules[0], &e);
	if (!o)
		fail_msg("\"%s\": xlate_rule failed: %s", line, e.msg);
	expect_json(line, json_object_get(o, "expr"), want);
	if (xlate_read_rule(o, c.rules[0].table, &r, why, sizeof(why)) != 0)
		fail_msg("\"%s\": read-back failed: %s", line, why);
	save_of(&r, &sb);
	assert_string_equal(sb_str(&sb), save);
	sb_free(&sb);
	rule_release(&r);
	json_decref(o);
	json_decref(want);
	cmd_release(&c);
}

/* A rule as the kernel lists it (nft -j list ruleset) reads back to SAVE. */
static void check_listed(int table, const char *listed, const char *save)
{
	json_t *o = load(listed);
	struct rule r;
	struct strbuf sb;
	char why[256] = "";

	if (xlate_read_rule(o, table, &r, why, sizeof(why)) != 0)
		fail_msg("read-back of %s failed: %s", listed, why);
	save_of(&r, &sb);
	assert_string_equal(sb_str(&sb), save);
	sb_free(&sb);
	rule_release(&r);
	json_decref(o);
}

/* LINE is refused as a parameter problem whose message contains WHY. */
static void check_refused(int family, const char *line, const char *why)
{
	char buf[1024], *argv[64];
	int n = split(line, buf, sizeof(buf), argv, 64);
	struct cmd c;
	struct nfsh_err e;

	memset(&e, 0, sizeof(e));
	if (cmd_parse(n, argv, family, &c, &e) == 0) {
		cmd_release(&c);
		fail_msg("\"%s\" was accepted", line);
	}
	assert_int_equal(e.status, NFSH_EPARAM);
	if (!strstr(e.msg, why))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, e.msg, why);
}

#define C "{'counter':null}"

static void test_dnat(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1",
	      "[" C ",{'dnat':{'addr':'1.1.1.1'}}]",
	      "-A PREROUTING -j DNAT --to-destination 1.1.1.1");
	check(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1-1.1.1.10",
	      "[" C ",{'dnat':{'addr':{'range':['1.1.1.1','1.1.1.10']}}}]",
	      "-A PREROUTING -j DNAT --to-destination 1.1.1.1-1.1.1.10");
	check(
	    NFSH_IPV4,
	    "-t nat -A OUTPUT -p tcp -j DNAT --to-destination 1.2.3.4:1-1023 --random --persistent",
	    "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},'right':"
	    "6}}," C ",{'dnat':{'addr':'1.2.3.4','port':{'range':[1,1023]},'flags':['random',"
	    "'persistent']}}]",
	    "-A OUTPUT -p tcp -j DNAT --to-destination 1.2.3.4:1-1023 --random --persistent");
	check(NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:ssh",
	      "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},'right'"
	      ":6}}," C ",{'dnat':{'addr':'1.1.1.1','port':22}}]",
	      "-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:22");
}

/* Only the port: NF_NAT_RANGE_PROTO_SPECIFIED without an address range. */
static void test_port_only(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :80",
	      "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	      "'right':6}},{'counter':null},{'dnat':{'port':80}}]",
	      "-A PREROUTING -p tcp -j DNAT --to-destination :80");
	check(NFSH_IPV6, "-t nat -A POSTROUTING -p udp -j SNAT --to-source []:81-90",
	      "[{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':17}},"
	      "{'counter':null},{'snat':{'port':{'range':[81,90]}}}]",
	      "-A POSTROUTING -p udp -j SNAT --to-source :81-90");
	check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination :80",
	              "needs -p tcp");
}

static void test_dnat_ipv6(void **state)
{
	(void)state;
	check(NFSH_IPV6, "-t nat -A PREROUTING -j DNAT --to-destination dead::beef-dead::fee7",
	      "[" C ",{'dnat':{'addr':{'range':['dead::beef','dead::fee7']}}}]",
	      "-A PREROUTING -j DNAT --to-destination dead::beef-dead::fee7");
	/* "::1-::5" starts with ':' but is an address range, not ":PORT". */
	check(NFSH_IPV6, "-t nat -A PREROUTING -j DNAT --to-destination ::1-::5",
	      "[" C ",{'dnat':{'addr':{'range':['::1','::5']}}}]",
	      "-A PREROUTING -j DNAT --to-destination ::1-::5");
	check(NFSH_IPV6,
	      "-t nat -A PREROUTING -p tcp -j DNAT --to-destination [fec0::1234-fec0::2000]:1-20",
	      "[{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':6}}," C
	      ",{'dnat':{'addr':{'range':['fec0::1234','fec0::2000']},'port':{'range':[1,20]}}}]",
	      "-A PREROUTING -p tcp -j DNAT --to-destination [fec0::1234-fec0::2000]:1-20");
}

static void test_snat(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t nat -A POSTROUTING -o eth0 -j SNAT --to 1.2.3.4 --random --persistent",
	      "[{'match':{'op':'==','left':{'meta':{'key':'oifname'}},'right':'eth0'}}," C
	      ",{'snat':{'addr':'1.2.3.4','flags':['random','persistent']}}]",
	      "-A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4 --random --persistent");
	check(NFSH_IPV6,
	      "-t nat -A INPUT -p tcp -j SNAT --to-source [fec0::1234]:123 --random-fully "
	      "--persistent",
	      "[{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':6}}," C
	      ",{'snat':{'addr':'fec0::1234','port':123,'flags':['fully-random','persistent']}}]",
	      "-A INPUT -p tcp -j SNAT --to-source [fec0::1234]:123 --random-fully --persistent");
	check(NFSH_IPV4,
	      "-t nat -A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully",
	      "[" C ",{'snat':{'addr':'1.1.1.1','flags':['random','fully-random']}}]",
	      "-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully");
}

static void test_masquerade_redirect(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t nat -A POSTROUTING -j MASQUERADE", "[" C ",{'masquerade':null}]",
	      "-A POSTROUTING -j MASQUERADE");
	check(NFSH_IPV4,
	      "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535 --random",
	      "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	      "'right':17}}," C ",{'masquerade':{'port':{'range':[1024,65535]},'flags':'random'}}]",
	      "-A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535 --random");
	check(NFSH_IPV6, "-t nat -A POSTROUTING -j MASQUERADE --random-fully",
	      "[" C ",{'masquerade':{'flags':'fully-random'}}]",
	      "-A POSTROUTING -j MASQUERADE --random-fully");
	check(NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 0",
	      "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},'right'"
	      ":6}}," C ",{'redirect':{'port':0}}]",
	      "-A PREROUTING -p tcp -j REDIRECT --to-ports 0");
	check(NFSH_IPV4, "-t nat -A OUTPUT -p udp -j REDIRECT --to-ports 512-512",
	      "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	      "'right':17}}," C ",{'redirect':{'port':512}}]",
	      "-A OUTPUT -p udp -j REDIRECT --to-ports 512");
	check(NFSH_IPV4, "-t nat -A PREROUTING -j REDIRECT --random",
	      "[" C ",{'redirect':{'flags':'random'}}]", "-A PREROUTING -j REDIRECT --random");
}

static void test_netmap(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t nat -A PREROUTING -j NETMAP --to 1.2.3.0/24",
	      "[" C ",{'dnat':{'addr':{'prefix':{'addr':'1.2.3.0','len':24}},'flags':'netmap',"
	      "'type_flags':'prefix'}}]",
	      "-A PREROUTING -j NETMAP --to 1.2.3.0/24");
	check(NFSH_IPV4, "-t nat -A POSTROUTING -j NETMAP --to 1.2.3.4",
	      "[" C ",{'snat':{'addr':{'prefix':{'addr':'1.2.3.4','len':32}},'flags':'netmap',"
	      "'type_flags':'prefix'}}]",
	      "-A POSTROUTING -j NETMAP --to 1.2.3.4/32");
	check(NFSH_IPV6, "-t nat -A INPUT -j NETMAP --to dead::/64",
	      "[" C ",{'snat':{'addr':{'prefix':{'addr':'dead::','len':64}},'flags':'netmap',"
	      "'type_flags':'prefix'}}]",
	      "-A INPUT -j NETMAP --to dead::/64");
}

/* Listings as libnftables 1.0.6 printed them (nft -j list ruleset). */
static void test_listed(void **state)
{
	(void)state;
	check_listed(TBL_NAT,
	             "{'family':'ip','table':'nfsh-nat','chain':'PREROUTING','handle':3,'expr':["
	             "{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	             "'right':6}},{'counter':{'packets':0,'bytes':0}},{'dnat':{'addr':'1.2.3.4',"
	             "'port':{'range':[1,1023]},'flags':['random','persistent']}}]}",
	             "-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:1-1023 --random "
	             "--persistent");
	check_listed(TBL_NAT,
	             "{'family':'ip','table':'nfsh-nat','chain':'PREROUTING','handle':4,'expr':["
	             "{'counter':{'packets':0,'bytes':0}},{'redirect':null}]}",
	             "-A PREROUTING -j REDIRECT");
	check_listed(TBL_NAT,
	             "{'family':'ip','table':'nfsh-nat','chain':'POSTROUTING','handle':7,'expr':["
	             "{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':'udp'}},"
	             "{'counter':{'packets':0,'bytes':0}},{'masquerade':{'port':10,"
	             "'flags':'fully-random'}}]}",
	             "-A POSTROUTING -p udp -j MASQUERADE --to-ports 10 --random-fully");
	check_listed(
	    TBL_NAT,
	    "{'family':'ip','table':'nfsh-nat','chain':'PREROUTING','handle':10,'expr':["
	    "{'counter':{'packets':0,'bytes':0}},{'dnat':{'addr':{'prefix':{'addr':'1.2.3.0',"
	    "'len':24}},'flags':'netmap','type_flags':'prefix'}}]}",
	    "-A PREROUTING -j NETMAP --to 1.2.3.0/24");
}

static void test_refused(void **state)
{
	(void)state;
	check_refused(NFSH_IPV4,
	              "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	              "1.1.1.1:1000-2000/1000",
	              "port shift");
	check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1:1025-65535",
	              "needs -p tcp");
	check_refused(NFSH_IPV4,
	              "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	              "1.1.1.1-1.1.1.10:1025-65536",
	              "invalid port range");
	check_refused(NFSH_IPV4,
	              "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:echo-ssh",
	              "invalid port range");
	check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT", "needs --to-destination");
	check_refused(NFSH_IPV4, "-t nat -A POSTROUTING -j DNAT --to-destination 1.1.1.1",
	              "not allowed in chain");
	check_refused(NFSH_IPV4, "-A INPUT -j SNAT --to-source 1.1.1.1",
	              "not allowed in the filter");
	check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j MASQUERADE", "not allowed in chain");
	check_refused(NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10-ssh",
	              "invalid port range");
	check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j REDIRECT --to-ports 42", "needs -p tcp");
	check_refused(NFSH_IPV4, "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports -1",
	              "invalid port range");
	check_refused(NFSH_IPV6, "-t nat -A PREROUTING -j DNAT --to-destination [dead::beef]80",
	              "expected [ADDR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dnat),
	    cmocka_unit_test(test_port_only),
	    cmocka_unit_test(test_dnat_ipv6),
	    cmocka_unit_test(test_snat),
	    cmocka_unit_test(test_masquerade_redirect),
	    cmocka_unit_test(test_netmap),
	    cmocka_unit_test(test_listed),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Header-rewriting and logging targets of issue 3 (DSCP, TTL, HL, CLASSIFY,
 * NFLOG, TRACE) through cmd_parse(), xlate_rule() and back, with the JSON of
 * ../shared/corpus/iptables/txlate/libxt_DSCP, libxt_CLASSIFY, libxt_NFLOG and
 * libxt_TRACE and -S as the corpus .t files list it; and the refused targets
 * (NFQUEUE, TCPMSS, TTL/HL arithmetic). */
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

static void test_header_targets(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-A OUTPUT -j DSCP --set-dscp 1",
	      "[" C ",{'mangle':{'key':{'payload':{'protocol':'ip','field':'dscp'}},'value':1}}]",
	      "-A OUTPUT -j DSCP --set-dscp 0x01");
	check(NFSH_IPV6, "-t mangle -A POSTROUTING -j DSCP --set-dscp-class EF",
	      "[" C ",{'mangle':{'key':{'payload':{'protocol':'ip6','field':'dscp'}},'value':46}}]",
	      "-A POSTROUTING -j DSCP --set-dscp 0x2e");
	check(NFSH_IPV4, "-t mangle -A PREROUTING -j TTL --ttl-set 42",
	      "[" C ",{'mangle':{'key':{'payload':{'protocol':'ip','field':'ttl'}},'value':42}}]",
	      "-A PREROUTING -j TTL --ttl-set 42");
	check(NFSH_IPV6, "-t mangle -A PREROUTING -j HL --hl-set 42",
	      "[" C
	      ",{'mangle':{'key':{'payload':{'protocol':'ip6','field':'hoplimit'}},'value':42}}]",
	      "-A PREROUTING -j HL --hl-set 42");
	check(NFSH_IPV4, "-A OUTPUT -j CLASSIFY --set-class 1:234",
	      "[" C ",{'mangle':{'key':{'meta':{'key':'priority'}},'value':'1:234'}}]",
	      "-A OUTPUT -j CLASSIFY --set-class 0001:0234");
	check(NFSH_IPV4, "-t raw -A PREROUTING -j TRACE",
	      "[" C ",{'mangle':{'key':{'meta':{'key':'nftrace'}},'value':1}}]",
	      "-A PREROUTING -j TRACE");
	/* nft names 0:0 and ffff:ffff; the listing uses the names. */
	check_listed(TBL_MANGLE,
	             "{'family':'ip','table':'nfsh-mangle','chain':'OUTPUT','expr':[{'counter':{"
	             "'packets':0,'bytes':0}},{'mangle':{'key':{'meta':{'key':'priority'}},"
	             "'value':'root'}}]}",
	             "-A OUTPUT -j CLASSIFY --set-class ffff:ffff");
	check_listed(TBL_MANGLE,
	             "{'family':'ip','table':'nfsh-mangle','chain':'OUTPUT','expr':[{'counter':{"
	             "'packets':0,'bytes':0}},{'mangle':{'key':{'payload':{'protocol':'ip',"
	             "'field':'dscp'}},'value':'lephb'}}]}",
	             "-A OUTPUT -j DSCP --set-dscp 0x01");
}

static void test_nflog(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-A FORWARD -j NFLOG --nflog-group 32 --nflog-prefix Prefix",
	      "[" C ",{'log':{'prefix':'Prefix','group':32}}]",
	      "-A FORWARD -j NFLOG --nflog-prefix Prefix --nflog-group 32");
	check(NFSH_IPV4, "-A INPUT -j NFLOG --nflog-threshold 2",
	      "[" C ",{'log':{'group':0,'queue-threshold':2}}]",
	      "-A INPUT -j NFLOG --nflog-threshold 2");
	check(NFSH_IPV6, "-A INPUT -j NFLOG --nflog-size 256 --nflog-group 0",
	      "[" C ",{'log':{'group':0,'snaplen':256}}]", "-A INPUT -j NFLOG --nflog-size 256");
	/* --nflog-range is ignored by the kernel without the copy-length flag. */
	check(NFSH_IPV4, "-A INPUT -j NFLOG --nflog-range 1", "[" C ",{'log':{'group':0}}]",
	      "-A INPUT -j NFLOG");
}

static void test_refused(void **state)
{
	(void)state;
	check_refused(NFSH_IPV4, "-A INPUT -j NFQUEUE", "no nft queue expression");
	check_refused(NFSH_IPV4, "-A INPUT -j NFQUEUE --queue-num 3", "no nft queue expression");
	check_refused(NFSH_IPV4, "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu",
	              "no exact nftables form");
	check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j TTL --ttl-inc 1", "cannot add");
	check_refused(NFSH_IPV6, "-t mangle -A PREROUTING -j HL --hl-dec 1", "cannot add");
	check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j TTL --ttl-set 256",
	              "invalid --ttl-set");
	check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j DSCP --set-dscp 0x40",
	              "invalid --set-dscp");
	check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j DSCP", "needs --set-dscp");
	check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j CLASSIFY", "needs --set-class");
	check_refused(NFSH_IPV4, "-A INPUT -j NFLOG --nflog-group 65536", "invalid --nflog-group");
	check_refused(NFSH_IPV4, "-A INPUT -j TRACE", "not allowed in the filter");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_targets),
	    cmocka_unit_test(test_nflog),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Header and socket matches of issue 3 (connmark, length, ttl, hl, dscp, ecn,
 * owner; helper refused) through cmd_parse(), xlate_rule() and back, with the
 * JSON of ../shared/corpus/iptables/txlate/libxt_connmark, libxt_length,
 * libipt_ttl, libip6t_hl, libxt_dscp, libxt_ecn and libxt_owner, and -S as the
 * corpus .t files list it. */
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

#define C                  "{'counter':null}"
#define M(op, left, right) "{'match':{'op':'" op "','left':" left ",'right':" right "}}"

static void test_connmark_length(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-A INPUT -m connmark --mark 2",
	      "[" M("==", "{'ct':{'key':'mark'}}", "2") "," C "]",
	      "-A INPUT -m connmark --mark 0x2");
	check(NFSH_IPV4, "-A INPUT -m connmark ! --mark 10/10",
	      "[" M("!=", "{'&':[{'ct':{'key':'mark'}},10]}", "10") "," C "]",
	      "-A INPUT -m connmark ! --mark 0xa/0xa");
	check(NFSH_IPV6, "-A INPUT -m connmark --mark 0/0xffffffff",
	      "[" M("==", "{'ct':{'key':'mark'}}", "0") "," C "]",
	      "-A INPUT -m connmark --mark 0x0");
	check(NFSH_IPV4, "-A INPUT -p icmp -m length --length 86:0xffff",
	      "[" M("==", "{'payload':{'protocol':'ip','field':'protocol'}}",
	            "1") "," M("==", "{'meta':{'key':'length'}}", "{'range':[86,65535]}") "," C "]",
	      "-A INPUT -p icmp -m length --length 86:65535");
	check(NFSH_IPV4, "-A INPUT -m length ! --length 40",
	      "[" M("!=", "{'meta':{'key':'length'}}", "40") "," C "]",
	      "-A INPUT -m length ! --length 40");
	/* The kernel lists a contiguous connmark mask as a prefix. */
	check_listed(TBL_FILTER,
	             "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	             "{'match':{'op':'==','left':{'ct':{'key':'mark'}},'right':{'prefix':{"
	             "'addr':4294967295,'len':0}}}},{'counter':{'packets':0,'bytes':0}}]}",
	             "-A INPUT -m connmark --mark 0xffffffff/0x0");
}

static void test_ttl_hl(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-A INPUT -m ttl --ttl-eq 3",
	      "[" M("==", "{'payload':{'protocol':'ip','field':'ttl'}}", "3") "," C "]",
	      "-A INPUT -m ttl --ttl-eq 3");
	check(NFSH_IPV4, "-A INPUT -m ttl ! --ttl-eq 3",
	      "[" M("!=", "{'payload':{'protocol':'ip','field':'ttl'}}", "3") "," C "]",
	      "-A INPUT -m ttl ! --ttl-eq 3");
	check(NFSH_IPV4, "-A INPUT -m ttl --ttl-gt 5",
	      "[" M(">", "{'payload':{'protocol':'ip','field':'ttl'}}", "5") "," C "]",
	      "-A INPUT -m ttl --ttl-gt 5");
	check(NFSH_IPV6, "-A INPUT -m hl --hl-lt 42",
	      "[" M("<", "{'payload':{'protocol':'ip6','field':'hoplimit'}}", "42") "," C "]",
	      "-A INPUT -m hl --hl-lt 42");
}

static void test_dscp_ecn(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-A INPUT -m dscp --dscp 0x32",
	      "[" M("==", "{'payload':{'protocol':'ip','field':'dscp'}}", "50") "," C "]",
	      "-A INPUT -m dscp --dscp 0x32");
	check(NFSH_IPV6, "-A INPUT -m dscp ! --dscp-class EF",
	      "[" M("!=", "{'payload':{'protocol':'ip6','field':'dscp'}}", "46") "," C "]",
	      "-A INPUT -m dscp ! --dscp 0x2e");
	check(NFSH_IPV4, "-A INPUT -m ecn --ecn-ip-ect 2",
	      "[" M("==", "{'payload':{'protocol':'ip','field':'ecn'}}", "'ect0'") "," C "]",
	      "-A INPUT -m ecn --ecn-ip-ect 2");
	/* A negated flag is a bit test ("!"), not "tcp flags != ecn". */
	check(NFSH_IPV4, "-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr",
	      "[" M("==", "{'payload':{'protocol':'ip','field':'protocol'}}", "6") "," M(
	          "!", "{'payload':{'protocol':'tcp','field':'flags'}}",
	          "'ecn'") "," M("in", "{'payload':{'protocol':'tcp','field':'flags'}}",
	                         "'cwr'") "," C "]",
	      "-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr");
	/* nft hides the protocol in front of tcp flags: -p tcp comes back anyway. */
	check_listed(TBL_FILTER,
	             "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	             "{'match':{'op':'in','left':{'payload':{'protocol':'tcp','field':'flags'}},"
	             "'right':'cwr'}},{'counter':{'packets':0,'bytes':0}}]}",
	             "-A INPUT -p tcp -m ecn --ecn-tcp-cwr");
}

static void test_owner(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t nat -A OUTPUT -m owner --uid-owner root -j ACCEPT",
	      "[" M("==", "{'meta':{'key':'skuid'}}", "0") "," C ",{'accept':null}]",
	      "-A OUTPUT -m owner --uid-owner 0 -j ACCEPT");
	check(NFSH_IPV6, "-t mangle -A POSTROUTING -m owner --uid-owner 0-10 --gid-owner 0-10",
	      "[" M("==", "{'meta':{'key':'skuid'}}", "{'range':[0,10]}") "," M(
	          "==", "{'meta':{'key':'skgid'}}", "{'range':[0,10]}") "," C "]",
	      "-A POSTROUTING -m owner --uid-owner 0-10 --gid-owner 0-10");
	check(NFSH_IPV4, "-A OUTPUT -m owner --socket-exists",
	      "[" M(">=", "{'meta':{'key':'skuid'}}", "0") "," C "]",
	      "-A OUTPUT -m owner --socket-exists");
}

static void test_refused(void **state)
{
	(void)state;
	check_refused(NFSH_IPV4, "-A INPUT -m connmark --mark 0xfffffffff", "invalid --mark");
	check_refused(NFSH_IPV4, "-A INPUT -m connmark", "needs --mark");
	check_refused(NFSH_IPV4, "-A INPUT -m length --length 4:3", "invalid --length");
	check_refused(NFSH_IPV4, "-A INPUT -m length --length -1:65535", "invalid --length");
	check_refused(NFSH_IPV4, "-A INPUT -m ttl --ttl-eq 256", "invalid --ttl-eq");
	check_refused(NFSH_IPV6, "-A INPUT -m hl --hl-gt 42 --hl-eq 42", "takes one of");
	check_refused(NFSH_IPV4, "-A INPUT -m dscp --dscp 0x40", "invalid --dscp");
	check_refused(NFSH_IPV4, "-A INPUT -m dscp --dscp 0x3f --dscp-class CS0", "takes one of");
	check_refused(NFSH_IPV4, "-A INPUT -m ecn --ecn-tcp-cwr", "need -p tcp");
	check_refused(NFSH_IPV4, "-A INPUT -m owner --uid-owner 0", "only in OUTPUT");
	check_refused(NFSH_IPV4, "-A OUTPUT -m owner ! --uid-owner 0", "no exact nftables form");
	check_refused(NFSH_IPV4, "-A OUTPUT -m owner --gid-owner 0 --suppl-groups",
	              "supplementary");
	check_refused(NFSH_IPV4, "-A INPUT -m helper --helper ftp", "master");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connmark_length), cmocka_unit_test(test_ttl_hl),
	    cmocka_unit_test(test_dscp_ecn),        cmocka_unit_test(test_owner),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* MARK, CONNMARK, CT and NOTRACK targets through cmd_parse(), xlate_rule() and
 * back: meta/ct mark mangle statements in iptables-translate's forms
 * (../shared/corpus/iptables/txlate/libxt_MARK, libxt_CONNMARK,
 * libxt_NOTRACK), -S in iptables-save's canonical --set-xmark form (libxt_MARK.t,
 * libxt_CONNMARK.t, libxt_CT.t), the and/or/xor forms the kernel lists folded
 * back, and the refusals. */
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

#define C     "{'counter':null}"
#define META  "{'meta':{'key':'mark'}}"
#define CTM   "{'ct':{'key':'mark'}}"
#define SETM  "{'mangle':{'key':" META ",'value':"
#define SETCT "{'mangle':{'key':" CTM ",'value':"

static void test_mark(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --set-mark 64", "[" C "," SETM "64}}]",
	      "-A OUTPUT -j MARK --set-xmark 0x40/0xffffffff");
	check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --set-xmark 0x40/0x32",
	      "[" C "," SETM "{'^':[{'&':[" META ",4294967245]},64]}}}]",
	      "-A OUTPUT -j MARK --set-xmark 0x40/0x32");
	check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --or-mark 64",
	      "[" C "," SETM "{'|':[" META ",64]}}}]", "-A OUTPUT -j MARK --set-xmark 0x40/0x40");
	check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --and-mark 64",
	      "[" C "," SETM "{'&':[" META ",64]}}}]",
	      "-A OUTPUT -j MARK --set-xmark 0x0/0xffffffbf");
	check(NFSH_IPV6, "-A INPUT -j MARK --xor-mark 64", "[" C "," SETM "{'^':[" META ",64]}}}]",
	      "-A INPUT -j MARK --set-xmark 0x40/0x0");
	/* --set-mark V/M keeps the bits outside M|V: mask M|V. */
	check(NFSH_IPV4, "-A INPUT -j MARK --set-mark 0x1/0xf0",
	      "[" C "," SETM "{'^':[{'&':[" META ",4294967054]},1]}}}]",
	      "-A INPUT -j MARK --set-xmark 0x1/0xf1");
	check(NFSH_IPV4, "-A INPUT -j MARK --set-xmark 4294967295", "[" C "," SETM "4294967295}}]",
	      "-A INPUT -j MARK --set-xmark 0xffffffff/0xffffffff");
}

static void test_connmark(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --set-mark 0x16",
	      "[" C "," SETCT "22}}]", "-A PREROUTING -j CONNMARK --set-xmark 0x16/0xffffffff");
	check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --and-mark 0x16",
	      "[" C "," SETCT "{'&':[" CTM ",22]}}}]",
	      "-A PREROUTING -j CONNMARK --set-xmark 0x0/0xffffffe9");
	/* xt_CONNMARK: ctmark = (ctmark & ~M) ^ V. */
	check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --set-xmark 0x16/0x12",
	      "[" C "," SETCT "{'^':[{'&':[" CTM ",4294967277]},22]}}}]",
	      "-A PREROUTING -j CONNMARK --set-xmark 0x16/0x12");
	check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --save-mark",
	      "[" C "," SETCT META "}}]",
	      "-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff");
	check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --restore-mark",
	      "[" C "," SETM CTM "}}]",
	      "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff");
	check(NFSH_IPV6, "-t mangle -A OUTPUT -j CONNMARK --save-mark --nfmask 0xfffffff",
	      "[" C "," SETCT "{'&':[" META ",268435455]}}}]",
	      "-A OUTPUT -j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff");
	check(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK --restore-mark --ctmask 0xff",
	      "[" C "," SETM "{'&':[" CTM ",255]}}}]",
	      "-A OUTPUT -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xff");
}

static void test_ct(void **state)
{
	(void)state;
	check(NFSH_IPV4, "-t raw -A PREROUTING -j CT --notrack", "[" C ",{'notrack':null}]",
	      "-A PREROUTING -j CT --notrack");
	check(NFSH_IPV4, "-t raw -A PREROUTING -j NOTRACK", "[" C ",{'notrack':null}]",
	      "-A PREROUTING -j NOTRACK");
	check(NFSH_IPV6, "-t raw -A OUTPUT -j CT --zone 65535",
	      "[" C ",{'mangle':{'key':{'ct':{'key':'zone'}},'value':65535}}]",
	      "-A OUTPUT -j CT --zone 65535");
	check(NFSH_IPV4, "-t raw -A OUTPUT -j CT --zone-orig 5",
	      "[" C ",{'mangle':{'key':{'ct':{'key':'zone','dir':'original'}},'value':5}}]",
	      "-A OUTPUT -j CT --zone-orig 5");
	check(NFSH_IPV4,
	      "-t raw -A PREROUTING -j CT --ctevents new,related,destroy,reply,assured,protoinfo,"
	      "helper,mark",
	      "[" C ",{'mangle':{'key':{'ct':{'key':'event'}},'value':['new','related','destroy',"
	      "'reply','assured','protoinfo','helper','mark']}}]",
	      "-A PREROUTING -j CT --ctevents "
	      "new,related,destroy,reply,assured,protoinfo,helper,mark");
}

/* What the kernel lists (libnftables 1.0.6) folds back into iptables' form. */
static void test_listed(void **state)
{
	(void)state;
	check_listed(TBL_MANGLE,
	             "{'family':'ip','table':'nfsh-mangle','chain':'PREROUTING','expr':["
	             "{'counter':{'packets':0,'bytes':0}}," SETCT "{'|':[{'^':[" CTM
	             ",4]},18]}}}]}",
	             "-A PREROUTING -j CONNMARK --set-xmark 0x16/0x12");
	check_listed(TBL_MANGLE,
	             "{'family':'ip','table':'nfsh-mangle','chain':'PREROUTING','expr':["
	             "{'counter':{'packets':0,'bytes':0}}," SETM "{'|':[" META ",64]}}}]}",
	             "-A PREROUTING -j MARK --set-xmark 0x40/0x40");
	check_listed(TBL_MANGLE,
	             "{'family':'ip','table':'nfsh-mangle','chain':'PREROUTING','expr':["
	             "{'counter':{'packets':0,'bytes':0}}," SETM "{'&':[" CTM ",255]}}}]}",
	             "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xff");
	check_listed(
	    TBL_RAW,
	    "{'family':'ip','table':'nfsh-raw','chain':'PREROUTING','comment':'nfsh:j=NOTRACK',"
	    "'expr':[{'counter':{'packets':0,'bytes':0}},{'notrack':null}]}",
	    "-A PREROUTING -j NOTRACK");
	/* A contiguous mask comes back as a prefix (meta mark & 0xffff0000 ==
	 * 0x10000 as 0x00010000/16, & 0 == 0 as len 0): -S read them as "not
	 * expressible" and -C/-D found nothing. */
	check_listed(TBL_FILTER,
	             "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	             "{'match':{'op':'==','left':" META
	             ",'right':{'prefix':{'addr':65536,'len':16}}}},"
	             "{'counter':{'packets':0,'bytes':0}},{'accept':null}]}",
	             "-A INPUT -m mark --mark 0x10000/0xffff0000 -j ACCEPT");
	check_listed(TBL_FILTER,
	             "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	             "{'match':{'op':'!=','left':" META ",'right':{'prefix':{'addr':0,'len':0}}}},"
	             "{'counter':{'packets':0,'bytes':0}}]}",
	             "-A INPUT -m mark ! --mark 0x0/0x0");
	check_listed(TBL_FILTER,
	             "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	             "{'match':{'op':'==','left':{'meta':{'key':'iifgroup'}},'right':{'prefix':{'"
	             "addr':65536,'len':16}}}},"
	             "{'counter':{'packets':0,'bytes':0}}]}",
	             "-A INPUT -m devgroup --src-group 0x10000/0xffff0000");
}

static void test_refused(void **state)
{
	(void)state;
	check_refused(NFSH_IPV4, "-A INPUT -j MARK", "needs one of");
	check_refused(NFSH_IPV4, "-A INPUT -j MARK --set-xmark 4294967296", "invalid set-xmark");
	check_refused(NFSH_IPV4, "-A INPUT -j MARK --set-xmark -1", "invalid set-xmark");
	check_refused(NFSH_IPV4, "-A INPUT -j MARK --set-mark 1 --or-mark 2", "takes one of");
	check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK", "needs --set-mark");
	check_refused(NFSH_IPV4,
	              "-t mangle -A OUTPUT -j CONNMARK --restore-mark --nfmask 0xfffffff",
	              "two registers");
	check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK --save-mark --ctmask 0xff",
	              "two registers");
	check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK --set-mark 1 --nfmask 1",
	              "go with --save-mark");
	check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --zone 65536", "invalid zone");
	check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --helper ftp", "ct helper object");
	check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --expevents new", "expectation event");
	check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --notrack --zone 1", "untracked");
	check_refused(NFSH_IPV4, "-A INPUT -j CT --notrack", "not allowed in the filter");
	check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j NOTRACK", "not allowed in the mangle");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mark),    cmocka_unit_test(test_connmark),
	    cmocka_unit_test(test_ct),      cmocka_unit_test(test_listed),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

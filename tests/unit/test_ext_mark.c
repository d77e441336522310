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
#include "harness/xq.h"

#define C     "{'counter':null}"
#define META  "{'meta':{'key':'mark'}}"
#define CTM   "{'ct':{'key':'mark'}}"
#define SETM  "{'mangle':{'key':" META ",'value':"
#define SETCT "{'mangle':{'key':" CTM ",'value':"

static void test_mark(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --set-mark 64", "[" C "," SETM "64}}]",
	         "-A OUTPUT -j MARK --set-xmark 0x40/0xffffffff");
	xq_check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --set-xmark 0x40/0x32",
	         "[" C "," SETM "{'^':[{'&':[" META ",4294967245]},64]}}}]",
	         "-A OUTPUT -j MARK --set-xmark 0x40/0x32");
	xq_check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --or-mark 64",
	         "[" C "," SETM "{'|':[" META ",64]}}}]",
	         "-A OUTPUT -j MARK --set-xmark 0x40/0x40");
	xq_check(NFSH_IPV4, "-t mangle -A OUTPUT -j MARK --and-mark 64",
	         "[" C "," SETM "{'&':[" META ",64]}}}]",
	         "-A OUTPUT -j MARK --set-xmark 0x0/0xffffffbf");
	xq_check(NFSH_IPV6, "-A INPUT -j MARK --xor-mark 64",
	         "[" C "," SETM "{'^':[" META ",64]}}}]", "-A INPUT -j MARK --set-xmark 0x40/0x0");
	/* --set-mark V/M keeps the bits outside M|V: mask M|V. */
	xq_check(NFSH_IPV4, "-A INPUT -j MARK --set-mark 0x1/0xf0",
	         "[" C "," SETM "{'^':[{'&':[" META ",4294967054]},1]}}}]",
	         "-A INPUT -j MARK --set-xmark 0x1/0xf1");
	xq_check(NFSH_IPV4, "-A INPUT -j MARK --set-xmark 4294967295",
	         "[" C "," SETM "4294967295}}]",
	         "-A INPUT -j MARK --set-xmark 0xffffffff/0xffffffff");
}

static void test_connmark(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --set-mark 0x16",
	         "[" C "," SETCT "22}}]", "-A PREROUTING -j CONNMARK --set-xmark 0x16/0xffffffff");
	xq_check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --and-mark 0x16",
	         "[" C "," SETCT "{'&':[" CTM ",22]}}}]",
	         "-A PREROUTING -j CONNMARK --set-xmark 0x0/0xffffffe9");
	/* xt_CONNMARK: ctmark = (ctmark & ~M) ^ V. */
	xq_check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --set-xmark 0x16/0x12",
	         "[" C "," SETCT "{'^':[{'&':[" CTM ",4294967277]},22]}}}]",
	         "-A PREROUTING -j CONNMARK --set-xmark 0x16/0x12");
	xq_check(NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --save-mark",
	         "[" C "," SETCT META "}}]",
	         "-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff");
	xq_check(
	    NFSH_IPV4, "-t mangle -A PREROUTING -j CONNMARK --restore-mark",
	    "[" C "," SETM CTM "}}]",
	    "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff");
	xq_check(NFSH_IPV6, "-t mangle -A OUTPUT -j CONNMARK --save-mark --nfmask 0xfffffff",
	         "[" C "," SETCT "{'&':[" META ",268435455]}}}]",
	         "-A OUTPUT -j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff");
	xq_check(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK --restore-mark --ctmask 0xff",
	         "[" C "," SETM "{'&':[" CTM ",255]}}}]",
	         "-A OUTPUT -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xff");
}

static void test_ct(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t raw -A PREROUTING -j CT --notrack", "[" C ",{'notrack':null}]",
	         "-A PREROUTING -j CT --notrack");
	xq_check(NFSH_IPV4, "-t raw -A PREROUTING -j NOTRACK", "[" C ",{'notrack':null}]",
	         "-A PREROUTING -j NOTRACK");
	xq_check(NFSH_IPV6, "-t raw -A OUTPUT -j CT --zone 65535",
	         "[" C ",{'mangle':{'key':{'ct':{'key':'zone'}},'value':65535}}]",
	         "-A OUTPUT -j CT --zone 65535");
	xq_check(NFSH_IPV4, "-t raw -A OUTPUT -j CT --zone-orig 5",
	         "[" C ",{'mangle':{'key':{'ct':{'key':'zone','dir':'original'}},'value':5}}]",
	         "-A OUTPUT -j CT --zone-orig 5");
	xq_check(
	    NFSH_IPV4,
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
	xq_check_listed(TBL_MANGLE,
	                "{'family':'ip','table':'nfsh-mangle','chain':'PREROUTING','expr':["
	                "{'counter':{'packets':0,'bytes':0}}," SETCT "{'|':[{'^':[" CTM
	                ",4]},18]}}}]}",
	                "-A PREROUTING -j CONNMARK --set-xmark 0x16/0x12");
	xq_check_listed(TBL_MANGLE,
	                "{'family':'ip','table':'nfsh-mangle','chain':'PREROUTING','expr':["
	                "{'counter':{'packets':0,'bytes':0}}," SETM "{'|':[" META ",64]}}}]}",
	                "-A PREROUTING -j MARK --set-xmark 0x40/0x40");
	xq_check_listed(
	    TBL_MANGLE,
	    "{'family':'ip','table':'nfsh-mangle','chain':'PREROUTING','expr':["
	    "{'counter':{'packets':0,'bytes':0}}," SETM "{'&':[" CTM ",255]}}}]}",
	    "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xff");
	xq_check_listed(
	    TBL_RAW,
	    "{'family':'ip','table':'nfsh-raw','chain':'PREROUTING','comment':'nfsh:j=NOTRACK',"
	    "'expr':[{'counter':{'packets':0,'bytes':0}},{'notrack':null}]}",
	    "-A PREROUTING -j NOTRACK");
	/* A contiguous mask comes back as a prefix (meta mark & 0xffff0000 ==
	 * 0x10000 as 0x00010000/16, & 0 == 0 as len 0): -S read them as "not
	 * expressible" and -C/-D found nothing. */
	xq_check_listed(TBL_FILTER,
	                "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	                "{'match':{'op':'==','left':" META
	                ",'right':{'prefix':{'addr':65536,'len':16}}}},"
	                "{'counter':{'packets':0,'bytes':0}},{'accept':null}]}",
	                "-A INPUT -m mark --mark 0x10000/0xffff0000 -j ACCEPT");
	xq_check_listed(TBL_FILTER,
	                "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	                "{'match':{'op':'!=','left':" META
	                ",'right':{'prefix':{'addr':0,'len':0}}}},"
	                "{'counter':{'packets':0,'bytes':0}}]}",
	                "-A INPUT -m mark ! --mark 0x0/0x0");
	xq_check_listed(
	    TBL_FILTER,
	    "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	    "{'match':{'op':'==','left':{'meta':{'key':'iifgroup'}},'right':{'prefix':{'"
	    "addr':65536,'len':16}}}},"
	    "{'counter':{'packets':0,'bytes':0}}]}",
	    "-A INPUT -m devgroup --src-group 0x10000/0xffff0000");
}

static void test_refused(void **state)
{
	(void)state;
	xq_check_refused(NFSH_IPV4, "-A INPUT -j MARK", "needs one of");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j MARK --set-xmark 4294967296", "invalid set-xmark");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j MARK --set-xmark -1", "invalid set-xmark");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j MARK --set-mark 1 --or-mark 2", "takes one of");
	xq_check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK", "needs --set-mark");
	xq_check_refused(NFSH_IPV4,
	                 "-t mangle -A OUTPUT -j CONNMARK --restore-mark --nfmask 0xfffffff",
	                 "two registers");
	xq_check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK --save-mark --ctmask 0xff",
	                 "two registers");
	xq_check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j CONNMARK --set-mark 1 --nfmask 1",
	                 "go with --save-mark");
	xq_check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --zone 65536", "invalid zone");
	xq_check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --helper ftp", "ct helper object");
	xq_check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --expevents new", "expectation event");
	xq_check_refused(NFSH_IPV4, "-t raw -A OUTPUT -j CT --notrack --zone 1", "untracked");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j CT --notrack", "not allowed in the filter");
	xq_check_refused(NFSH_IPV4, "-t mangle -A OUTPUT -j NOTRACK", "not allowed in the mangle");
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

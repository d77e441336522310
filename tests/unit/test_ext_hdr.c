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
#include "harness/xq.h"

#define C                  "{'counter':null}"
#define M(op, left, right) "{'match':{'op':'" op "','left':" left ",'right':" right "}}"

static void test_connmark_length(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-A INPUT -m connmark --mark 2",
	         "[" M("==", "{'ct':{'key':'mark'}}", "2") "," C "]",
	         "-A INPUT -m connmark --mark 0x2");
	xq_check(NFSH_IPV4, "-A INPUT -m connmark ! --mark 10/10",
	         "[" M("!=", "{'&':[{'ct':{'key':'mark'}},10]}", "10") "," C "]",
	         "-A INPUT -m connmark ! --mark 0xa/0xa");
	xq_check(NFSH_IPV6, "-A INPUT -m connmark --mark 0/0xffffffff",
	         "[" M("==", "{'ct':{'key':'mark'}}", "0") "," C "]",
	         "-A INPUT -m connmark --mark 0x0");
	xq_check(NFSH_IPV4, "-A INPUT -p icmp -m length --length 86:0xffff",
	         "[" M("==", "{'payload':{'protocol':'ip','field':'protocol'}}", "1") "," M(
	             "==", "{'meta':{'key':'length'}}", "{'range':[86,65535]}") "," C "]",
	         "-A INPUT -p icmp -m length --length 86:65535");
	xq_check(NFSH_IPV4, "-A INPUT -m length ! --length 40",
	         "[" M("!=", "{'meta':{'key':'length'}}", "40") "," C "]",
	         "-A INPUT -m length ! --length 40");
	/* The kernel lists a contiguous connmark mask as a prefix. */
	xq_check_listed(TBL_FILTER,
	                "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	                "{'match':{'op':'==','left':{'ct':{'key':'mark'}},'right':{'prefix':{"
	                "'addr':4294967295,'len':0}}}},{'counter':{'packets':0,'bytes':0}}]}",
	                "-A INPUT -m connmark --mark 0xffffffff/0x0");
}

static void test_ttl_hl(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-A INPUT -m ttl --ttl-eq 3",
	         "[" M("==", "{'payload':{'protocol':'ip','field':'ttl'}}", "3") "," C "]",
	         "-A INPUT -m ttl --ttl-eq 3");
	xq_check(NFSH_IPV4, "-A INPUT -m ttl ! --ttl-eq 3",
	         "[" M("!=", "{'payload':{'protocol':'ip','field':'ttl'}}", "3") "," C "]",
	         "-A INPUT -m ttl ! --ttl-eq 3");
	xq_check(NFSH_IPV4, "-A INPUT -m ttl --ttl-gt 5",
	         "[" M(">", "{'payload':{'protocol':'ip','field':'ttl'}}", "5") "," C "]",
	         "-A INPUT -m ttl --ttl-gt 5");
	xq_check(NFSH_IPV6, "-A INPUT -m hl --hl-lt 42",
	         "[" M("<", "{'payload':{'protocol':'ip6','field':'hoplimit'}}", "42") "," C "]",
	         "-A INPUT -m hl --hl-lt 42");
}

static void test_dscp_ecn(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-A INPUT -m dscp --dscp 0x32",
	         "[" M("==", "{'payload':{'protocol':'ip','field':'dscp'}}", "50") "," C "]",
	         "-A INPUT -m dscp --dscp 0x32");
	xq_check(NFSH_IPV6, "-A INPUT -m dscp ! --dscp-class EF",
	         "[" M("!=", "{'payload':{'protocol':'ip6','field':'dscp'}}", "46") "," C "]",
	         "-A INPUT -m dscp ! --dscp 0x2e");
	xq_check(NFSH_IPV4, "-A INPUT -m ecn --ecn-ip-ect 2",
	         "[" M("==", "{'payload':{'protocol':'ip','field':'ecn'}}", "'ect0'") "," C "]",
	         "-A INPUT -m ecn --ecn-ip-ect 2");
	/* A negated flag is a bit test ("!"), not "tcp flags != ecn". */
	xq_check(NFSH_IPV4, "-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr",
	         "[" M("==", "{'payload':{'protocol':'ip','field':'protocol'}}", "6") "," M(
	             "!", "{'payload':{'protocol':'tcp','field':'flags'}}",
	             "'ecn'") "," M("in", "{'payload':{'protocol':'tcp','field':'flags'}}",
	                            "'cwr'") "," C "]",
	         "-A INPUT -p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr");
	/* nft hides the protocol in front of tcp flags: -p tcp comes back anyway. */
	xq_check_listed(TBL_FILTER,
	                "{'family':'ip','table':'nfsh-filter','chain':'INPUT','expr':["
	                "{'match':{'op':'in','left':{'payload':{'protocol':'tcp','field':'flags'}},"
	                "'right':'cwr'}},{'counter':{'packets':0,'bytes':0}}]}",
	                "-A INPUT -p tcp -m ecn --ecn-tcp-cwr");
}

static void test_owner(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t nat -A OUTPUT -m owner --uid-owner root -j ACCEPT",
	         "[" M("==", "{'meta':{'key':'skuid'}}", "0") "," C ",{'accept':null}]",
	         "-A OUTPUT -m owner --uid-owner 0 -j ACCEPT");
	xq_check(NFSH_IPV6, "-t mangle -A POSTROUTING -m owner --uid-owner 0-10 --gid-owner 0-10",
	         "[" M("==", "{'meta':{'key':'skuid'}}", "{'range':[0,10]}") "," M(
	             "==", "{'meta':{'key':'skgid'}}", "{'range':[0,10]}") "," C "]",
	         "-A POSTROUTING -m owner --uid-owner 0-10 --gid-owner 0-10");
	xq_check(NFSH_IPV4, "-A OUTPUT -m owner --socket-exists",
	         "[" M(">=", "{'meta':{'key':'skuid'}}", "0") "," C "]",
	         "-A OUTPUT -m owner --socket-exists");
}

static void test_refused(void **state)
{
	(void)state;
	xq_check_refused(NFSH_IPV4, "-A INPUT -m connmark --mark 0xfffffffff", "invalid --mark");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m connmark", "needs --mark");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m length --length 4:3", "invalid --length");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m length --length -1:65535", "invalid --length");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m ttl --ttl-eq 256", "invalid --ttl-eq");
	xq_check_refused(NFSH_IPV6, "-A INPUT -m hl --hl-gt 42 --hl-eq 42", "takes one of");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m dscp --dscp 0x40", "invalid --dscp");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m dscp --dscp 0x3f --dscp-class CS0",
	                 "takes one of");
	xq_check_refused(NFSH_IPV4, "-A INPUT -p udp -m ecn --ecn-tcp-cwr", "need -p tcp");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m owner --uid-owner 0", "only in OUTPUT");
	xq_check_refused(NFSH_IPV4, "-A OUTPUT -m owner ! --uid-owner 0", "no exact nftables form");
	xq_check_refused(NFSH_IPV4, "-A OUTPUT -m owner --gid-owner 0 --suppl-groups",
	                 "supplementary");
	xq_check_refused(NFSH_IPV4, "-A INPUT -m helper --helper ftp", "master");
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

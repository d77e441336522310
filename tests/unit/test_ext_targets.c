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
#include "harness/xq.h"

#define C "{'counter':null}"

static void test_header_targets(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-A OUTPUT -j DSCP --set-dscp 1",
	         "[" C
	         ",{'mangle':{'key':{'payload':{'protocol':'ip','field':'dscp'}},'value':1}}]",
	         "-A OUTPUT -j DSCP --set-dscp 0x01");
	xq_check(NFSH_IPV6, "-t mangle -A POSTROUTING -j DSCP --set-dscp-class EF",
	         "[" C
	         ",{'mangle':{'key':{'payload':{'protocol':'ip6','field':'dscp'}},'value':46}}]",
	         "-A POSTROUTING -j DSCP --set-dscp 0x2e");
	xq_check(NFSH_IPV4, "-t mangle -A PREROUTING -j TTL --ttl-set 42",
	         "[" C
	         ",{'mangle':{'key':{'payload':{'protocol':'ip','field':'ttl'}},'value':42}}]",
	         "-A PREROUTING -j TTL --ttl-set 42");
	xq_check(
	    NFSH_IPV6, "-t mangle -A PREROUTING -j HL --hl-set 42",
	    "[" C
	    ",{'mangle':{'key':{'payload':{'protocol':'ip6','field':'hoplimit'}},'value':42}}]",
	    "-A PREROUTING -j HL --hl-set 42");
	xq_check(NFSH_IPV4, "-A OUTPUT -j CLASSIFY --set-class 1:234",
	         "[" C ",{'mangle':{'key':{'meta':{'key':'priority'}},'value':'1:234'}}]",
	         "-A OUTPUT -j CLASSIFY --set-class 0001:0234");
	xq_check(NFSH_IPV4, "-t raw -A PREROUTING -j TRACE",
	         "[" C ",{'mangle':{'key':{'meta':{'key':'nftrace'}},'value':1}}]",
	         "-A PREROUTING -j TRACE");
	/* nft names 0:0 and ffff:ffff; the listing uses the names. */
	xq_check_listed(TBL_MANGLE,
	                "{'family':'ip','table':'nfsh-mangle','chain':'OUTPUT','expr':[{'counter':{"
	                "'packets':0,'bytes':0}},{'mangle':{'key':{'meta':{'key':'priority'}},"
	                "'value':'root'}}]}",
	                "-A OUTPUT -j CLASSIFY --set-class ffff:ffff");
	xq_check_listed(TBL_MANGLE,
	                "{'family':'ip','table':'nfsh-mangle','chain':'OUTPUT','expr':[{'counter':{"
	                "'packets':0,'bytes':0}},{'mangle':{'key':{'payload':{'protocol':'ip',"
	                "'field':'dscp'}},'value':'lephb'}}]}",
	                "-A OUTPUT -j DSCP --set-dscp 0x01");
}

static void test_nflog(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-A FORWARD -j NFLOG --nflog-group 32 --nflog-prefix Prefix",
	         "[" C ",{'log':{'prefix':'Prefix','group':32}}]",
	         "-A FORWARD -j NFLOG --nflog-prefix Prefix --nflog-group 32");
	xq_check(NFSH_IPV4, "-A INPUT -j NFLOG --nflog-threshold 2",
	         "[" C ",{'log':{'group':0,'queue-threshold':2}}]",
	         "-A INPUT -j NFLOG --nflog-threshold 2");
	xq_check(NFSH_IPV6, "-A INPUT -j NFLOG --nflog-size 256 --nflog-group 0",
	         "[" C ",{'log':{'group':0,'snaplen':256}}]", "-A INPUT -j NFLOG --nflog-size 256");
	/* --nflog-range is ignored by the kernel without the copy-length flag. */
	xq_check(NFSH_IPV4, "-A INPUT -j NFLOG --nflog-range 1", "[" C ",{'log':{'group':0}}]",
	         "-A INPUT -j NFLOG");
}

static void test_refused(void **state)
{
	(void)state;
	xq_check_refused(NFSH_IPV4, "-A INPUT -j NFQUEUE", "no nft queue expression");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j NFQUEUE --queue-num 3", "no nft queue expression");
	xq_check_refused(NFSH_IPV4, "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu",
	                 "no exact nftables form");
	xq_check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j TTL --ttl-inc 1", "cannot add");
	xq_check_refused(NFSH_IPV6, "-t mangle -A PREROUTING -j HL --hl-dec 1", "cannot add");
	xq_check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j TTL --ttl-set 256",
	                 "invalid --ttl-set");
	xq_check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j DSCP --set-dscp 0x40",
	                 "invalid --set-dscp");
	xq_check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j DSCP", "needs --set-dscp");
	xq_check_refused(NFSH_IPV4, "-t mangle -A PREROUTING -j CLASSIFY", "needs --set-class");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j NFLOG --nflog-group 65536",
	                 "invalid --nflog-group");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j TRACE", "not allowed in the filter");
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

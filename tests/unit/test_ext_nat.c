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
#include "harness/xq.h"

#define C "{'counter':null}"

static void test_dnat(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1",
	         "[" C ",{'dnat':{'addr':'1.1.1.1'}}]",
	         "-A PREROUTING -j DNAT --to-destination 1.1.1.1");
	xq_check(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1-1.1.1.10",
	         "[" C ",{'dnat':{'addr':{'range':['1.1.1.1','1.1.1.10']}}}]",
	         "-A PREROUTING -j DNAT --to-destination 1.1.1.1-1.1.1.10");
	xq_check(
	    NFSH_IPV4,
	    "-t nat -A OUTPUT -p tcp -j DNAT --to-destination 1.2.3.4:1-1023 --random --persistent",
	    "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},'right':"
	    "6}}," C ",{'dnat':{'addr':'1.2.3.4','port':{'range':[1,1023]},'flags':['random',"
	    "'persistent']}}]",
	    "-A OUTPUT -p tcp -j DNAT --to-destination 1.2.3.4:1-1023 --random --persistent");
	xq_check(
	    NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:ssh",
	    "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},'right'"
	    ":6}}," C ",{'dnat':{'addr':'1.1.1.1','port':22}}]",
	    "-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:22");
}

/* Only the port: NF_NAT_RANGE_PROTO_SPECIFIED without an address range. */
static void test_port_only(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :80",
	         "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	         "'right':6}},{'counter':null},{'dnat':{'port':80}}]",
	         "-A PREROUTING -p tcp -j DNAT --to-destination :80");
	xq_check(NFSH_IPV6, "-t nat -A POSTROUTING -p udp -j SNAT --to-source []:81-90",
	         "[{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':17}},"
	         "{'counter':null},{'snat':{'port':{'range':[81,90]}}}]",
	         "-A POSTROUTING -p udp -j SNAT --to-source :81-90");
	xq_check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT --to-destination :80",
	                 "needs -p tcp");
}

static void test_dnat_ipv6(void **state)
{
	(void)state;
	xq_check(NFSH_IPV6, "-t nat -A PREROUTING -j DNAT --to-destination dead::beef-dead::fee7",
	         "[" C ",{'dnat':{'addr':{'range':['dead::beef','dead::fee7']}}}]",
	         "-A PREROUTING -j DNAT --to-destination dead::beef-dead::fee7");
	/* "::1-::5" starts with ':' but is an address range, not ":PORT". */
	xq_check(NFSH_IPV6, "-t nat -A PREROUTING -j DNAT --to-destination ::1-::5",
	         "[" C ",{'dnat':{'addr':{'range':['::1','::5']}}}]",
	         "-A PREROUTING -j DNAT --to-destination ::1-::5");
	xq_check(
	    NFSH_IPV6,
	    "-t nat -A PREROUTING -p tcp -j DNAT --to-destination [fec0::1234-fec0::2000]:1-20",
	    "[{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':6}}," C
	    ",{'dnat':{'addr':{'range':['fec0::1234','fec0::2000']},'port':{'range':[1,20]}}}]",
	    "-A PREROUTING -p tcp -j DNAT --to-destination [fec0::1234-fec0::2000]:1-20");
}

static void test_snat(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4,
	         "-t nat -A POSTROUTING -o eth0 -j SNAT --to 1.2.3.4 --random --persistent",
	         "[{'match':{'op':'==','left':{'meta':{'key':'oifname'}},'right':'eth0'}}," C
	         ",{'snat':{'addr':'1.2.3.4','flags':['random','persistent']}}]",
	         "-A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4 --random --persistent");
	xq_check(
	    NFSH_IPV6,
	    "-t nat -A INPUT -p tcp -j SNAT --to-source [fec0::1234]:123 --random-fully "
	    "--persistent",
	    "[{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':6}}," C
	    ",{'snat':{'addr':'fec0::1234','port':123,'flags':['fully-random','persistent']}}]",
	    "-A INPUT -p tcp -j SNAT --to-source [fec0::1234]:123 --random-fully --persistent");
	xq_check(NFSH_IPV4,
	         "-t nat -A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully",
	         "[" C ",{'snat':{'addr':'1.1.1.1','flags':['random','fully-random']}}]",
	         "-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully");
}

static void test_masquerade_redirect(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t nat -A POSTROUTING -j MASQUERADE", "[" C ",{'masquerade':null}]",
	         "-A POSTROUTING -j MASQUERADE");
	xq_check(
	    NFSH_IPV4, "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535 --random",
	    "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	    "'right':17}}," C ",{'masquerade':{'port':{'range':[1024,65535]},'flags':'random'}}]",
	    "-A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535 --random");
	xq_check(NFSH_IPV6, "-t nat -A POSTROUTING -j MASQUERADE --random-fully",
	         "[" C ",{'masquerade':{'flags':'fully-random'}}]",
	         "-A POSTROUTING -j MASQUERADE --random-fully");
	xq_check(
	    NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 0",
	    "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},'right'"
	    ":6}}," C ",{'redirect':{'port':0}}]",
	    "-A PREROUTING -p tcp -j REDIRECT --to-ports 0");
	xq_check(NFSH_IPV4, "-t nat -A OUTPUT -p udp -j REDIRECT --to-ports 512-512",
	         "[{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	         "'right':17}}," C ",{'redirect':{'port':512}}]",
	         "-A OUTPUT -p udp -j REDIRECT --to-ports 512");
	xq_check(NFSH_IPV4, "-t nat -A PREROUTING -j REDIRECT --random",
	         "[" C ",{'redirect':{'flags':'random'}}]", "-A PREROUTING -j REDIRECT --random");
}

static void test_netmap(void **state)
{
	(void)state;
	xq_check(NFSH_IPV4, "-t nat -A PREROUTING -j NETMAP --to 1.2.3.0/24",
	         "[" C ",{'dnat':{'addr':{'prefix':{'addr':'1.2.3.0','len':24}},'flags':'netmap',"
	         "'type_flags':'prefix'}}]",
	         "-A PREROUTING -j NETMAP --to 1.2.3.0/24");
	xq_check(NFSH_IPV4, "-t nat -A POSTROUTING -j NETMAP --to 1.2.3.4",
	         "[" C ",{'snat':{'addr':{'prefix':{'addr':'1.2.3.4','len':32}},'flags':'netmap',"
	         "'type_flags':'prefix'}}]",
	         "-A POSTROUTING -j NETMAP --to 1.2.3.4/32");
	xq_check(NFSH_IPV6, "-t nat -A INPUT -j NETMAP --to dead::/64",
	         "[" C ",{'snat':{'addr':{'prefix':{'addr':'dead::','len':64}},'flags':'netmap',"
	         "'type_flags':'prefix'}}]",
	         "-A INPUT -j NETMAP --to dead::/64");
}

/* Listings as libnftables 1.0.6 printed them (nft -j list ruleset). */
static void test_listed(void **state)
{
	(void)state;
	xq_check_listed(
	    TBL_NAT,
	    "{'family':'ip','table':'nfsh-nat','chain':'PREROUTING','handle':3,'expr':["
	    "{'match':{'op':'==','left':{'payload':{'protocol':'ip','field':'protocol'}},"
	    "'right':6}},{'counter':{'packets':0,'bytes':0}},{'dnat':{'addr':'1.2.3.4',"
	    "'port':{'range':[1,1023]},'flags':['random','persistent']}}]}",
	    "-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:1-1023 --random "
	    "--persistent");
	xq_check_listed(TBL_NAT,
	                "{'family':'ip','table':'nfsh-nat','chain':'PREROUTING','handle':4,'expr':["
	                "{'counter':{'packets':0,'bytes':0}},{'redirect':null}]}",
	                "-A PREROUTING -j REDIRECT");
	xq_check_listed(
	    TBL_NAT,
	    "{'family':'ip','table':'nfsh-nat','chain':'POSTROUTING','handle':7,'expr':["
	    "{'match':{'op':'==','left':{'meta':{'key':'l4proto'}},'right':'udp'}},"
	    "{'counter':{'packets':0,'bytes':0}},{'masquerade':{'port':10,"
	    "'flags':'fully-random'}}]}",
	    "-A POSTROUTING -p udp -j MASQUERADE --to-ports 10 --random-fully");
	xq_check_listed(
	    TBL_NAT,
	    "{'family':'ip','table':'nfsh-nat','chain':'PREROUTING','handle':10,'expr':["
	    "{'counter':{'packets':0,'bytes':0}},{'dnat':{'addr':{'prefix':{'addr':'1.2.3.0',"
	    "'len':24}},'flags':'netmap','type_flags':'prefix'}}]}",
	    "-A PREROUTING -j NETMAP --to 1.2.3.0/24");
}

static void test_refused(void **state)
{
	(void)state;
	xq_check_refused(NFSH_IPV4,
	                 "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	                 "1.1.1.1:1000-2000/1000",
	                 "port shift");
	xq_check_refused(NFSH_IPV4,
	                 "-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1:1025-65535",
	                 "needs -p tcp");
	xq_check_refused(NFSH_IPV4,
	                 "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	                 "1.1.1.1-1.1.1.10:1025-65536",
	                 "invalid port range");
	xq_check_refused(NFSH_IPV4,
	                 "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:echo-ssh",
	                 "invalid port range");
	xq_check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j DNAT", "needs --to-destination");
	xq_check_refused(NFSH_IPV4, "-t nat -A POSTROUTING -j DNAT --to-destination 1.1.1.1",
	                 "not allowed in chain");
	xq_check_refused(NFSH_IPV4, "-A INPUT -j SNAT --to-source 1.1.1.1",
	                 "not allowed in the filter");
	xq_check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j MASQUERADE", "not allowed in chain");
	xq_check_refused(NFSH_IPV4, "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10-ssh",
	                 "invalid port range");
	xq_check_refused(NFSH_IPV4, "-t nat -A PREROUTING -j REDIRECT --to-ports 42",
	                 "needs -p tcp");
	xq_check_refused(NFSH_IPV4, "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports -1",
	                 "invalid port range");
	xq_check_refused(NFSH_IPV6, "-t nat -A PREROUTING -j DNAT --to-destination [dead::beef]80",
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

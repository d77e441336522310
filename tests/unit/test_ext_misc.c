/* limit, comment, mark, iprange, mac, addrtype, pkttype, LOG and REJECT:
 * words through cmd_parse(), the JSON statements xlate_rule() emits (as the
 * corpus' expected nft text lists in the kernel), the iptables-save text, the
 * read-back of that JSON, and of kernel-style listings (nft -j list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"
#include "harness/xw.h"

static void test_limit(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -m limit --limit 3/m --limit-burst 3",
	         "[{\"limit\":{\"rate\":3,\"burst\":3,\"per\":\"minute\"}}," C "]",
	         "-A INPUT -m limit --limit 3/min --limit-burst 3");
	xw_check(V4, "-A INPUT -m limit --limit 10/s --limit-burst 0",
	         "[{\"limit\":{\"rate\":10,\"burst\":5,\"per\":\"second\"}}," C "]",
	         "-A INPUT -m limit --limit 10/sec");
	/* iptables canonicalises 60/minute to 1/sec. */
	xw_check(V4, "-A INPUT -m limit --limit 60/minute",
	         "[{\"limit\":{\"rate\":1,\"burst\":5,\"per\":\"second\"}}," C "]",
	         "-A INPUT -m limit --limit 1/sec");
	xw_check(V4, "-A INPUT -m limit --limit 1000/day",
	         "[{\"limit\":{\"rate\":1000,\"burst\":5,\"per\":\"day\"}}," C "]", NULL);
	xw_check(V4, "-A INPUT -m limit",
	         "[{\"limit\":{\"rate\":3,\"burst\":5,\"per\":\"hour\"}}," C "]",
	         "-A INPUT -m limit --limit 3/hour");
	xw_refuse(V4, "-A INPUT -m limit --limit 0/sec", "0/sec");
	xw_refuse(V4, "-A INPUT -m limit --limit 3/fortnight", "3/fortnight");
	xw_refuse(V4, "-A INPUT -m limit --limit 20000/sec", "20000/sec");
	xw_refuse(V4, "-A INPUT -m limit --limit-burst 10001", "10001");
	/* The kernel lists burst 5 for an omitted burst. */
	xw_listed(V4,
	          "[{\"limit\":{\"rate\":10,\"burst\":5,\"per\":\"second\"}},{\"counter\":{"
	          "\"packets\":1,\"bytes\":2}}]",
	          NULL, "-A INPUT -m limit --limit 10/sec");
}

static void test_comment(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -s 192.168.0.0 -m comment --comment A_privatized_IP_block",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	         "\"saddr\"}},\"right\":\"192.168.0.0\"}}," C "]",
	         "-A INPUT -s 192.168.0.0/32 -m comment --comment \"A privatized IP block\"");
	xw_check(
	    V4, "-A INPUT -m comment --comment foo -m mark --mark 1 -j ACCEPT",
	    "[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"mark\"}},\"right\":1}}," C
	    ",{\"accept\":null}]",
	    "-A INPUT -m comment --comment foo -m mark --mark 0x1 -j ACCEPT");
	xw_check(V4, "-A INPUT -m comment --comment a\"b -j DROP", "[" C ",{\"drop\":null}]",
	         "-A INPUT -m comment --comment \"a\\\"b\" -j DROP");
	xw_refuse(V4, "-A INPUT -m comment", "comment");
	xw_refuse(V4, "-A INPUT -m comment --comment a -m comment --comment b", "comment");
	xw_listed(V4, "[" C ",{\"accept\":null}]", "hi there",
	          "-A INPUT -m comment --comment \"hi there\" -j ACCEPT");
	xw_listed(V4, "[" C "]", "x ;nfsh:c=0", "-A INPUT -m comment --comment x");
	/* A user comment that looks like nfsh's form tag reads back whole (it was
	 * taken for a tag: --comment nfsh:m=state read back as no comment). */
	xw_check(V4, "-A INPUT -m comment --comment nfsh:m=state -j ACCEPT",
	         "[" C ",{\"accept\":null}]",
	         "-A INPUT -m comment --comment \"nfsh:m=state\" -j ACCEPT");
	xw_check(V4, "-A INPUT -m comment --comment a_;nfsh:m=state -j ACCEPT",
	         "[" C ",{\"accept\":null}]",
	         "-A INPUT -m comment --comment \"a ;nfsh:m=state\" -j ACCEPT");
	xw_listed(V4, "[" C "]",
	          "nfsh:m=state ;nfsh:", "-A INPUT -m comment --comment \"nfsh:m=state\"");
}

static void test_comment_length(void **state)
{
	char line[400], x[300];

	(void)state;
	memset(x, 'x', 253);
	x[253] = '\0';
	snprintf(line, sizeof(line), "-A INPUT -m comment --comment %s", x);
	xw_check(V4, line, "[" C "]", NULL);
	memset(x, 'x', 254);
	x[254] = '\0';
	snprintf(line, sizeof(line), "-A INPUT -m comment --comment %s", x);
	xw_refuse(V4, line, x);
}

static void test_mark(void **state)
{
	(void)state;
	xw_check(
	    V4, "-A INPUT -p tcp -m mark ! --mark 0xa/0xa",
	    "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	    "\"protocol\"}},\"right\":6}},{\"match\":{\"op\":\"!=\",\"left\":{\"&\":[{\"meta\":"
	    "{\"key\":\"mark\"}},10]},\"right\":10}}," C "]",
	    NULL);
	xw_check(V4, "-A INPUT -m mark --mark 4294967295",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"mark\"}},\"right\":"
	         "4294967295}}," C "]",
	         "-A INPUT -m mark --mark 0xffffffff");
	xw_check(V4, "-A INPUT -m mark --mark 0x0/0xff0",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"&\":[{\"meta\":{\"key\":\"mark\"}},4080]},"
	         "\"right\":0}}," C "]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m mark --mark 4294967296", "4294967296");
	xw_refuse(V4, "-A INPUT -m mark --mark -1", NULL);
	xw_refuse(V4, "-A INPUT -m mark", "mark");
}

static void test_iprange(void **state)
{
	(void)state;
	xw_check(
	    V4,
	    "-A INPUT -m iprange --dst-range 3.3.3.3-6.6.6.6 --src-range 4.4.4.4-7.7.7.7 -j ACCEPT",
	    "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	    "\"saddr\"}},\"right\":{\"range\":[\"4.4.4.4\",\"7.7.7.7\"]}}},{\"match\":{\"op\":"
	    "\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}},\"right\":"
	    "{\"range\":[\"3.3.3.3\",\"6.6.6.6\"]}}}," C ",{\"accept\":null}]",
	    "-A INPUT -m iprange --src-range 4.4.4.4-7.7.7.7 --dst-range 3.3.3.3-6.6.6.6 -j "
	    "ACCEPT");
	xw_check(V6, "-A INPUT -m iprange ! --dst-range ::2d01-::2d03 -j ACCEPT",
	         "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ip6\",\"field\":"
	         "\"daddr\"}},\"right\":{\"range\":[\"::2d01\",\"::2d03\"]}}}," C
	         ",{\"accept\":null}]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m iprange", "iprange");
	/* One address is the range from it to itself (iptables-nft 1.8.9 takes it
	 * and lists it so; it was refused). */
	xw_check(V4, "-A INPUT -m iprange --src-range 1.1.1.1",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	         "\"saddr\"}},\"right\":{\"range\":[\"1.1.1.1\",\"1.1.1.1\"]}}}," C "]",
	         "-A INPUT -m iprange --src-range 1.1.1.1-1.1.1.1");
	xw_refuse(V4, "-A INPUT -m iprange --src-range 1.1.1.1-", "1.1.1.1-");
	xw_refuse(V4, "-A INPUT -m iprange --src-range ::1", "::1");
	xw_refuse(V4, "-A INPUT -m iprange --src-range 1.1.1.9-1.1.1.1", "1.1.1.9-1.1.1.1");
}

static void test_mac(void **state)
{
	(void)state;
	xw_check(
	    V4, "-A INPUT -m mac --mac-source 0A:12:3e:4f:b2:c6 -j DROP",
	    "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ether\",\"field\":"
	    "\"saddr\"}},\"right\":\"0a:12:3e:4f:b2:c6\"}}," C ",{\"drop\":null}]",
	    "-A INPUT -m mac --mac-source 0a:12:3e:4f:b2:c6 -j DROP");
	xw_check(
	    V6, "-A FORWARD -m mac ! --mac-source 42:01:02:03:04:05",
	    "[{\"match\":{\"op\":\"!=\",\"left\":{\"payload\":{\"protocol\":\"ether\",\"field\":"
	    "\"saddr\"}},\"right\":\"42:01:02:03:04:05\"}}," C "]",
	    NULL);
	xw_refuse(V4, "-A INPUT -m mac --mac-source 42:01:02:03:04", "42:01:02:03:04");
	xw_refuse(V4, "-A INPUT -m mac --mac-source 42:01:02:03:04:05:06", NULL);
	xw_refuse(V4, "-A OUTPUT -m mac --mac-source 42:01:02:03:04:05", "OUTPUT");
	xw_refuse(V4, "-A INPUT -m mac", "mac");
}

static void test_addrtype(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -m addrtype ! --dst-type ANYCAST,LOCAL",
	         "[{\"match\":{\"op\":\"!=\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":"
	         "[\"daddr\"]}},\"right\":{\"set\":[\"local\",\"anycast\"]}}}," C "]",
	         "-A INPUT -m addrtype ! --dst-type LOCAL,ANYCAST");
	xw_check(V4, "-A INPUT -m addrtype --limit-iface-in --dst-type ANYCAST,LOCAL",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":"
	         "[\"daddr\",\"iif\"]}},\"right\":{\"set\":[\"local\",\"anycast\"]}}}," C "]",
	         "-A INPUT -m addrtype --dst-type LOCAL,ANYCAST --limit-iface-in");
	xw_check(V4, "-A OUTPUT -m addrtype --src-type LOCAL --dst-type UNSPEC --limit-iface-out",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"fib\":{\"result\":\"type\",\"flags\":"
	         "[\"saddr\",\"oif\"]}},\"right\":\"local\"}},{\"match\":{\"op\":\"==\",\"left\":"
	         "{\"fib\":{\"result\":\"type\",\"flags\":[\"daddr\",\"oif\"]}},\"right\":"
	         "\"unspec\"}}," C "]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m addrtype", "addrtype");
	xw_refuse(V4, "-A INPUT -m addrtype --src-type wrong", "wrong");
	xw_refuse(V4, "-A INPUT -m addrtype --limit-iface-in", "addrtype");
	xw_refuse(V4, "-A INPUT -m addrtype --src-type LOCAL --limit-iface-in --limit-iface-out",
	          NULL);
	xw_refuse(V4, "-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in",
	          "--limit-iface-in");
	xw_refuse(V4, "-A INPUT -m addrtype --src-type LOCAL --limit-iface-out",
	          "--limit-iface-out");
	xw_refuse(V6, "-A INPUT -m addrtype --src-type BROADCAST", "BROADCAST");
}

static void test_pkttype(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -m pkttype ! --pkt-type unicast -j DROP",
	         "[{\"match\":{\"op\":\"!=\",\"left\":{\"meta\":{\"key\":\"pkttype\"}},\"right\":"
	         "\"host\"}}," C ",{\"drop\":null}]",
	         NULL);
	xw_check(V4, "-A INPUT -m pkttype --pkt-type multicast -j ACCEPT",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"pkttype\"}},\"right\":"
	         "\"multicast\"}}," C ",{\"accept\":null}]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m pkttype --pkt-type wrong", "wrong");
	xw_refuse(V4, "-A INPUT -m pkttype", "pkttype");
}

static void test_log(void **state)
{
	(void)state;
	xw_check(V4, "-A FORWARD -p tcp -j LOG --log-level error",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	         "\"protocol\"}},\"right\":6}}," C ",{\"log\":{\"level\":\"err\"}}]",
	         "-A FORWARD -p tcp -j LOG --log-level 3");
	xw_check(V6, "-A INPUT -j LOG", "[" C ",{\"log\":null}]", NULL);
	xw_check(
	    V4,
	    "-A INPUT -j LOG --log-prefix test:_ --log-level alert --log-uid --log-tcp-sequence",
	    "[" C ",{\"log\":{\"prefix\":\"test: \",\"level\":\"alert\",\"flags\":[\"tcp "
	    "sequence\",\"skuid\"]}}]",
	    "-A INPUT -j LOG --log-prefix \"test: \" --log-level 1 --log-tcp-sequence --log-uid");
	xw_check(V4, "-A INPUT -j LOG --log-level 4 --log-prefix Random",
	         "[" C ",{\"log\":{\"prefix\":\"Random\"}}]",
	         "-A INPUT -j LOG --log-prefix Random");
	xw_refuse(V4, "-A INPUT -j LOG --log-prefix test --log-level bad", "bad");
	xw_refuse(V4, "-A INPUT -j LOG --log-prefix", NULL);
	xw_refuse(V4, "-A INPUT -j LOG --log-prefix 0123456789012345678901234567890", NULL);
	xw_listed(V4, "[" C ",{\"log\":{\"flags\":\"all\"}}]", NULL,
	          "-A INPUT -j LOG --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid "
	          "--log-macdecode");
	xw_listed(V4, "[" C ",{\"log\":{\"level\":\"debug\",\"flags\":\"ether\"}}]", NULL,
	          "-A INPUT -j LOG --log-level 7 --log-macdecode");
}

static void test_reject(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -j REJECT", "[" C ",{\"reject\":null}]",
	         "-A INPUT -j REJECT --reject-with icmp-port-unreachable");
	xw_check(V4, "-A FORWARD -p tcp -j REJECT --reject-with icmp-net-unreachable",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	         "\"protocol\"}},\"right\":6}}," C
	         ",{\"reject\":{\"type\":\"icmp\",\"expr\":\"net-unreachable\"}}]",
	         NULL);
	xw_check(V4, "-A INPUT -j REJECT --reject-with icmp-proto-unreachable",
	         "[" C ",{\"reject\":{\"type\":\"icmp\",\"expr\":\"prot-unreachable\"}}]", NULL);
	xw_check(V4, "-A INPUT -p tcp -j REJECT --reject-with tcp-rst",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	         "\"protocol\"}},\"right\":6}}," C ",{\"reject\":{\"type\":\"tcp reset\"}}]",
	         "-A INPUT -p tcp -j REJECT --reject-with tcp-reset");
	xw_check(V6, "-A INPUT -j REJECT --reject-with icmp6-adm-prohibited",
	         "[" C ",{\"reject\":{\"type\":\"icmpv6\",\"expr\":\"admin-prohibited\"}}]", NULL);
	xw_check(V6, "-A INPUT -j REJECT --reject-with icmp6-reject-route",
	         "[" C ",{\"reject\":{\"type\":\"icmpv6\",\"expr\":\"reject-route\"}}]", NULL);
	xw_refuse(V6, "-A INPUT -j REJECT --reject-with tcp-reset", "tcp-reset");
	xw_refuse(V4, "-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset", "tcp-reset");
	xw_refuse(V4, "-A INPUT -j REJECT --reject-with icmp6-no-route", "icmp6-no-route");
	xw_refuse(V6, "-A INPUT -j REJECT --reject-with icmp-host-prohibited", NULL);
	/* The kernel lists the default explicitly. */
	xw_listed(V4, "[" C ",{\"reject\":{\"type\":\"icmp\",\"expr\":\"port-unreachable\"}}]",
	          NULL, "-A INPUT -j REJECT --reject-with icmp-port-unreachable");
	xw_listed(V6, "[" C ",{\"reject\":{\"type\":\"icmpv6\",\"expr\":\"port-unreachable\"}}]",
	          NULL, "-A INPUT -j REJECT --reject-with icmp6-port-unreachable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit),
	    cmocka_unit_test(test_comment),
	    cmocka_unit_test(test_comment_length),
	    cmocka_unit_test(test_mark),
	    cmocka_unit_test(test_iprange),
	    cmocka_unit_test(test_mac),
	    cmocka_unit_test(test_addrtype),
	    cmocka_unit_test(test_pkttype),
	    cmocka_unit_test(test_log),
	    cmocka_unit_test(test_reject),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* -m hashlimit: words through cmd_parse(), the meter statement xlate_rule()
 * emits (the JSON libnftables lists for the corpus' expected nft text), the
 * iptables-save text (iptables' own, from the corpus' .t file), the read-back,
 * kernel-style listings, and the refusals naming the bad word. */
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

#define DADDR4 "{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}}"
#define SADDR4 "{\"payload\":{\"protocol\":\"ip\",\"field\":\"saddr\"}}"
#define VER4   "{\"payload\":{\"protocol\":\"ip\",\"field\":\"version\"}}"

/* {"meter": {...}} with key VAL, timeout T seconds, size 65535, limit LIMIT. */
#define METER(NAME, VAL, T, LIMIT)                                                                 \
	"{\"meter\":{\"name\":\"" NAME "\",\"key\":{\"elem\":{\"val\":" VAL ",\"timeout\":" T      \
	"}},\"size\":65535,\"stmt\":{\"limit\":" LIMIT "}}}"

static void test_corpus_txlate(void **state)
{
	(void)state;
	/* libxt_hashlimit.txlate, both vectors. */
	xw_check(V4,
	         "-A OUTPUT -p tcp --dport 443 -m hashlimit --hashlimit-above 20kb/s "
	         "--hashlimit-burst 1mb --hashlimit-mode dstip --hashlimit-name https "
	         "--hashlimit-dstmask 24",
	         "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":"
	         "\"dport\"}},\"right\":443}}," METER(
	             "https", "{\"&\":[" DADDR4 ",\"255.255.255.0\"]}", "60",
	             "{\"rate\":20,\"rate_unit\":\"kbytes\",\"per\":\"second\",\"burst\":1,"
	             "\"burst_unit\":\"mbytes\",\"inv\":true}") "," C "]",
	         "-A OUTPUT -p tcp -m tcp --dport 443 -m hashlimit --hashlimit-above 20kb/s "
	         "--hashlimit-burst 1mb --hashlimit-mode dstip --hashlimit-name https "
	         "--hashlimit-dstmask 24");
	xw_check(
	    V4,
	    "-A OUTPUT -m hashlimit --hashlimit-upto 300 --hashlimit-burst 15 --hashlimit-mode "
	    "srcip,dstip --hashlimit-name https --hashlimit-htable-expire 300000",
	    "[" METER("https", "{\"concat\":[" DADDR4 "," SADDR4 "]}", "300",
	              "{\"rate\":300,\"per\":\"second\",\"burst\":15}") "," C "]",
	    "-A OUTPUT -m hashlimit --hashlimit-upto 300/sec --hashlimit-burst 15 "
	    "--hashlimit-mode srcip,dstip --hashlimit-name https --hashlimit-htable-expire "
	    "300000");
}

static void test_packet_rates(void **state)
{
	(void)state;
	/* No mode: one group, keyed by the IP version every packet shares. The
	 * default expiry is one unit of the rate as typed (xt: udata->mult). */
	xw_check(
	    V4, "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name mini1",
	    "[" METER("mini1", VER4, "1", "{\"rate\":1,\"per\":\"second\",\"burst\":5}") "," C "]",
	    "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name "
	    "mini1");
	xw_check(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-above 1/day --hashlimit-burst 1 --hashlimit-name "
	    "mini1",
	    "[" METER("mini1", VER4, "86400",
	              "{\"rate\":1,\"per\":\"day\",\"burst\":1,\"inv\":true}") "," C "]",
	    NULL);
	xw_check(V4,
	         "-A INPUT -m hashlimit --hashlimit-upto 1000000/sec --hashlimit-burst 5 "
	         "--hashlimit-name mini1",
	         "[" METER("mini1", VER4, "1",
	                   "{\"rate\":1000000,\"per\":\"second\",\"burst\":5}") "," C "]",
	         NULL);
	/* 60/minute is 1/sec to iptables; the expiry stays the typed minute. */
	xw_check(
	    V4, "-A INPUT -m hashlimit --hashlimit 60/m --hashlimit-name x",
	    "[" METER("x", VER4, "60", "{\"rate\":1,\"per\":\"second\",\"burst\":5}") "," C "]",
	    "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name x "
	    "--hashlimit-htable-expire 60000");
	/* ! --hashlimit-upto is --hashlimit-above. */
	xw_check(V4, "-A INPUT -m hashlimit ! --hashlimit-upto 5/hour --hashlimit-name x",
	         "[" METER("x", VER4, "3600",
	                   "{\"rate\":5,\"per\":\"hour\",\"burst\":5,\"inv\":true}") "," C "]",
	         "-A INPUT -m hashlimit --hashlimit-above 5/hour --hashlimit-burst 5 "
	         "--hashlimit-name x");
	xw_check(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 1 --hashlimit-mode "
	    "dstip --hashlimit-name mini1 --hashlimit-htable-max 2000 --hashlimit-htable-expire "
	    "2000",
	    "[{\"meter\":{\"name\":\"mini1\",\"key\":{\"elem\":{\"val\":" DADDR4
	    ",\"timeout\":2}},\"size\":2000,\"stmt\":{\"limit\":{\"rate\":1,\"per\":"
	    "\"second\",\"burst\":1}}}}," C "]",
	    NULL);
}

static void test_ports_and_masks(void **state)
{
	(void)state;
	/* The key in xt's mode-bit order: dstip, dstport, srcip, srcport; ports of
	 * the rule's protocol. */
	xw_check(
	    V4,
	    "-A INPUT -p udp -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode "
	    "srcport,dstip,srcip,dstport --hashlimit-name p --hashlimit-srcmask 16",
	    "[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip\",\"field\":"
	    "\"protocol\"}},\"right\":17}}," METER(
	        "p",
	        "{\"concat\":[" DADDR4 ",{\"payload\":{\"protocol\":\"udp\",\"field\":\"dport\"}},"
	        "{\"&\":[" SADDR4 ",\"255.255.0.0\"]},{\"payload\":{\"protocol\":\"udp\",\"field\":"
	        "\"sport\"}}]}",
	        "1", "{\"rate\":10,\"per\":\"second\",\"burst\":5}") "," C "]",
	    "-A INPUT -p udp -m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 "
	    "--hashlimit-mode srcip,srcport,dstip,dstport --hashlimit-name p "
	    "--hashlimit-srcmask 16");
	xw_check(
	    V6,
	    "-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name "
	    "v6 --hashlimit-srcmask 64",
	    "[" METER("v6",
	              "{\"&\":[{\"payload\":{\"protocol\":\"ip6\",\"field\":\"saddr\"}},"
	              "\"ffff:ffff:ffff:ffff::\"]}",
	              "1", "{\"rate\":10,\"per\":\"second\",\"burst\":5}") "," C "]",
	    "-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-mode "
	    "srcip --hashlimit-name v6 --hashlimit-srcmask 64");
}

static void test_byte_rates(void **state)
{
	(void)state;
	/* libxt_hashlimit.t's byte cases; a burst makes the default expiry 60 s, none 15 s. */
	xw_check(V4,
	         "-A INPUT -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb "
	         "--hashlimit-name mini5",
	         "[" METER("mini5", VER4, "60",
	                   "{\"rate\":4,\"rate_unit\":\"kbytes\",\"per\":\"second\",\"burst\":400,"
	                   "\"burst_unit\":\"kbytes\"}") "," C "]",
	         NULL);
	/* 10mb/s is a cost whose bytes are 10486704; iptables prints it as 10mb/s. */
	xw_check(V4, "-A INPUT -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6",
	         "[" METER("mini6", VER4, "15",
	                   "{\"rate\":10,\"rate_unit\":\"mbytes\",\"per\":\"second\"}") "," C "]",
	         NULL);
	xw_check(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb "
	    "--hashlimit-name mini7",
	    "[" METER("mini7", VER4, "60",
	              "{\"rate\":123456,\"rate_unit\":\"bytes\",\"per\":\"second\",\"burst\":1,"
	              "\"burst_unit\":\"mbytes\"}") "," C "]",
	    NULL);
}

static void test_refusals(void **state)
{
	(void)state;
	/* The corpus' FAIL lines. */
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-name mini1", "hashlimit");
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 1/sec", "hashlimit");
	xw_refuse(V4, "-A INPUT -m hashlimit", "hashlimit");
	/* Bad values name themselves. */
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 3/fortnight --hashlimit-name x",
	          "3/fortnight");
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 0/sec --hashlimit-name x", "0/sec");
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 2000000/sec --hashlimit-name x",
	          "2000000/sec");
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 5gb/s --hashlimit-name x", "5gb/s");
	/* fuzz_cmd_parse found these dividing by zero: xt's cost of the smallest
	 * byte rates reads back as 0 bytes a second. */
	xw_refuse(V4,
	          "-A FORWARD -p tcp -m hashlimit --hashlimit-above 4b/s --hashlimit-burst 1mb "
	          "--hashlimit-name h",
	          "--hashlimit-above");
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 15b/s --hashlimit-name h",
	          "--hashlimit-upto");
	xw_refuse(
	    V4, "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-burst 0 --hashlimit-name x",
	    "0");
	xw_refuse(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-burst 3gb --hashlimit-name x",
	    "3gb");
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-mode srcip,bogus "
	          "--hashlimit-name x",
	          "bogus");
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-mode srcip "
	          "--hashlimit-srcmask 33 --hashlimit-name x",
	          "33");
	xw_refuse(V4, "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name a/b", "a/b");
	xw_refuse(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-above 2/s --hashlimit-name x",
	    "2/s");
	/* A packet rate with a byte burst. */
	xw_refuse(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-burst 1mb --hashlimit-name x",
	    "--hashlimit-burst");
	/* A byte burst below one quantum of the rate (xt: "burst cannot be smaller"). */
	xw_refuse(
	    V4,
	    "-A INPUT -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 1kb --hashlimit-name x",
	    "--hashlimit-burst");
	/* Ports need a protocol that has them. */
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-mode dstport "
	          "--hashlimit-name x",
	          "--hashlimit-mode");
	xw_refuse(V4,
	          "-A INPUT -p icmp -m hashlimit --hashlimit-upto 1/s --hashlimit-mode srcport "
	          "--hashlimit-name x",
	          "--hashlimit-mode");
	/* libnftables' JSON timeout is whole seconds. */
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x "
	          "--hashlimit-htable-expire 1500",
	          "1500");
	/* No native form: refused with the reason. */
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x "
	          "--hashlimit-htable-gcinterval 60000",
	          "--hashlimit-htable-gcinterval");
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x "
	          "--hashlimit-htable-size 1024",
	          "--hashlimit-htable-size");
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 40/sec --hashlimit-mode srcip "
	          "--hashlimit-name rate1 --hashlimit-rate-match",
	          "--hashlimit-rate-match");
	xw_refuse(V4,
	          "-A INPUT -m hashlimit --hashlimit-upto 40/sec --hashlimit-name r "
	          "--hashlimit-rate-interval 10",
	          "--hashlimit-rate-interval");
}

/* A listed rule that must stay "not expressible in iptables syntax". */
static void listed_foreign(const char *expr)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "family", "ip", "table", "nfsh-filter", "chain",
	                      "INPUT", "expr", json_loads(expr, 0, NULL));
	struct rule r;
	char why[512];

	assert_non_null(o);
	assert_int_equal(xlate_read_rule(o, TBL_FILTER, &r, why, sizeof(why)), 1);
	rule_release(&r);
	json_decref(o);
}

/* Listings as the kernel gives them back. */
static void test_listed(void **state)
{
	(void)state;
	/* libnftables lists the no-mode key as "ip version >> 4". */
	xw_listed(V4,
	          "[{\"meter\":{\"key\":{\"elem\":{\"val\":{\">>\":[" VER4 ",4]},\"timeout\":1}},"
	          "\"stmt\":{\"limit\":{\"rate\":1,\"burst\":5,\"per\":\"second\"}},\"size\":65535,"
	          "\"name\":\"mini1\"}},{\"counter\":{\"packets\":0,\"bytes\":0}}]",
	          NULL,
	          "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 "
	          "--hashlimit-name mini1");
	/* The tcp dependency in front of a port key is hidden in the listing: the
	 * ports give the rule its protocol back. */
	xw_listed(
	    V4,
	    "[{\"meter\":{\"key\":{\"elem\":{\"val\":{\"concat\":[{\"payload\":{\"protocol\":"
	    "\"tcp\",\"field\":\"dport\"}}," SADDR4 "]},\"timeout\":60}},\"stmt\":{\"limit\":{"
	    "\"rate\":20,\"burst\":1,\"per\":\"second\",\"inv\":true,\"rate_unit\":\"kbytes\","
	    "\"burst_unit\":\"mbytes\"}},\"size\":65535,\"name\":\"https\"}},{\"counter\":{"
	    "\"packets\":0,\"bytes\":0}},{\"drop\":null}]",
	    NULL,
	    "-A INPUT -p tcp -m hashlimit --hashlimit-above 20kb/s --hashlimit-burst 1mb "
	    "--hashlimit-mode srcip,dstport --hashlimit-name https -j DROP");
	/* A meter without timeout never forgets: no hashlimit reads like it. */
	listed_foreign(
	    "[{\"meter\":{\"key\":{\"elem\":{\"val\":" SADDR4 "}},\"stmt\":{\"limit\":{"
	    "\"rate\":1,\"burst\":5,\"per\":\"second\"}},\"size\":65535,\"name\":\"m\"}},"
	    "{\"counter\":{\"packets\":0,\"bytes\":0}}]");
	/* Nor a key of something xt cannot hash (the mark). */
	listed_foreign("[{\"meter\":{\"key\":{\"elem\":{\"val\":{\"meta\":{\"key\":\"mark\"}},"
	               "\"timeout\":1}},\"stmt\":{\"limit\":{\"rate\":1,\"burst\":5,\"per\":"
	               "\"second\"}},\"size\":65535,\"name\":\"m\"}}]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus_txlate),   cmocka_unit_test(test_packet_rates),
	    cmocka_unit_test(test_ports_and_masks), cmocka_unit_test(test_byte_rates),
	    cmocka_unit_test(test_refusals),        cmocka_unit_test(test_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

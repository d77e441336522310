/* The extensions of issue 3 beyond the core set: esp, ah, ipcomp, sctp, dccp,
 * quota, statistic, cpu, devgroup, realm, cgroup, time, connbytes, tcpmss,
 * socket, rpfilter, policy, frag, hbh, dst, rt, mh, TEE, TPROXY, SYNPROXY,
 * AUDIT and the refused modules: words through cmd_parse(), the JSON
 * xlate_rule() emits, the iptables-save text, and the read-back of listings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"
#include "harness/xw.h"

#define M(L, OP, R) "{\"match\":{\"op\":\"" OP "\",\"left\":" L ",\"right\":" R "}}"
#define PL(P, F)    "{\"payload\":{\"protocol\":\"" P "\",\"field\":\"" F "\"}}"
#define XH(N, F)    "{\"exthdr\":{\"name\":\"" N "\",\"field\":\"" F "\"}}"
#define META(K)     "{\"meta\":{\"key\":\"" K "\"}}"

static void test_ipsec(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -p esp -m esp --espspi 500:600",
	         "[" M(PL("esp", "spi"), "==", "{\"range\":[500,600]}") "," C "]", NULL);
	xw_check(V4, "-A INPUT -p esp -m esp --espspi 0:4294967295",
	         "[" M(META("l4proto"), "==", "50") "," C "]", "-A INPUT -p esp -m esp");
	xw_check(V4, "-A INPUT -p esp -m esp ! --espspi :",
	         "[" M(PL("esp", "spi"), "!=", "{\"range\":[0,4294967295]}") "," C "]",
	         "-A INPUT -p esp -m esp ! --espspi 0:4294967295");
	xw_refuse(V4, "-A INPUT -m esp --espspi 1", "esp");
	xw_refuse(V4, "-A INPUT -p esp -m esp --espspi 4:3", "4:3");
	xw_check(V4, "-A INPUT -p ah -m ah ! --ahspi 50",
	         "[" M(PL("ah", "spi"), "!=", "50") "," C "]", NULL);
	/* ip6tables' -m ah needs no -p; --ahlen counts bytes, (field + 2) * 4. */
	xw_check(V6, "-A INPUT -m ah --ahspi 500 ! --ahlen 120 --ahres",
	         "[" M(PL("ah", "spi"), "==", "500") "," M(PL("ah", "hdrlength"), "!=", "28") "," M(
	             PL("ah", "reserved"), "==", "0") "," C "]",
	         NULL);
	xw_refuse(V6, "-A INPUT -m ah --ahlen 22", "22");
	xw_refuse(V4, "-A INPUT -p ah -m ah --ahlen 16", "ahlen");
	xw_check(V4, "-A INPUT -p ipcomp -m ipcomp --ipcompspi 4:",
	         "[" M(PL("comp", "cpi"), "==", "{\"range\":[4,65535]}") "," C "]",
	         "-A INPUT -p ipcomp -m ipcomp --ipcompspi 4:4294967295");
	xw_refuse(V4, "-A INPUT -p ipcomp -m ipcomp --compres", "--compres");
	xw_check(V4, "-A INPUT -m policy --dir in --pol ipsec",
	         "[" M(META("secpath"), "==", "true") "," C "]", NULL);
	xw_check(V4, "-A OUTPUT -m policy --dir out --pol none",
	         "[" M("{\"rt\":{\"key\":\"ipsec\"}}", "==", "false") "," C "]", NULL);
	xw_refuse(V4, "-A INPUT -m policy --dir in --pol ipsec --strict", "strict");
	xw_listed(V4, "[" M(META("ipsec"), "==", "true") "," C "]", NULL,
	          "-A INPUT -m policy --dir in --pol ipsec");
}

static void test_sctp_dccp(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -p sctp -m sctp --sport 1:65535 ! --dport 80",
	         "[" M(PL("sctp", "sport"), "==", "{\"range\":[1,65535]}") "," M(
	             PL("sctp", "dport"), "!=", "80") "," C "]",
	         NULL);
	xw_check(V4, "-A INPUT -p sctp -m sctp --chunk-types all INIT,DATA:iUbE",
	         "[" M("{\"&\":[{\"sctp chunk\":{\"name\":\"data\",\"field\":\"flags\"}},15]}",
	               "==", "5") "," M("{\"sctp chunk\":{\"name\":\"init\"}}", "==", "true") "," C
	                                                                                      "]",
	         "-A INPUT -p sctp -m sctp --chunk-types all DATA:iUbE,INIT");
	xw_refuse(V4, "-A INPUT -p sctp --chunk-types any INIT,DATA", "INIT,DATA");
	xw_refuse(V4, "-A INPUT -p sctp --chunk-types all PAD", "PAD");
	xw_refuse(V4, "-A INPUT -p sctp --chunk-types all DATA:X", "DATA:X");
	xw_check(V4, "-A INPUT -p dccp -m dccp --sport 0:65535 --dccp-types CLOSE,INVALID",
	         "[" M(PL("dccp", "sport"), "==", "{\"range\":[0,65535]}") "," M(
	             PL("dccp", "type"), "==", "{\"set\":[\"close\",{\"range\":[10,15]}]}") "," C
	                                                                                    "]",
	         NULL);
	xw_refuse(V4, "-A INPUT -p dccp -m dccp --dccp-option 4", "--dccp-option");
	/* The kernel's set merges adjacent types into ranges. */
	xw_listed(V4,
	          "[" M(PL("dccp", "type"), "==", "{\"set\":[{\"range\":[\"request\",15]}]}") "," C
	                                                                                      "]",
	          NULL,
	          "-A INPUT -p dccp -m dccp --dccp-types "
	          "REQUEST,RESPONSE,DATA,ACK,DATAACK,CLOSEREQ,CLOSE,RESET,SYNC,SYNCACK,INVALID");
}

static void test_meta_matches(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -m quota ! --quota 111",
	         "[{\"quota\":{\"val\":111,\"val_unit\":\"bytes\",\"inv\":true}}," C "]", NULL);
	xw_refuse(V4, "-A INPUT -m quota --quota 18446744073709551615", "18446744073709551615");
	xw_listed(V4, "[{\"quota\":{\"val\":1,\"val_unit\":\"mbytes\",\"used\":5}}," C "]", NULL,
	          "-A INPUT -m quota --quota 1048576");
	xw_check(V4, "-A INPUT -m statistic --mode random --probability 0.1",
	         "[" M("{\"&\":[" META("random") ",2147483647]}", "<", "214748365") "," C "]",
	         "-A INPUT -m statistic --mode random --probability 0.10000000009");
	xw_check(V4, "-A INPUT -m statistic --mode nth ! --every 10 --packet 5",
	         "[" M("{\"numgen\":{\"mode\":\"inc\",\"mod\":10,\"offset\":0}}", "!=", "5") "," C
	                                                                                     "]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m statistic --mode nth --every 5 --packet 5", "--packet");
	xw_refuse(V4, "-A INPUT -m statistic --mode nth --every 5", "nth");
	xw_check(V4, "-A INPUT -m cpu ! --cpu 1", "[" M(META("cpu"), "!=", "1") "," C "]", NULL);
	xw_check(V4, "-A FORWARD -m devgroup ! --src-group 0x2 --dst-group 0xc/0xc",
	         "[" M(META("iifgroup"), "!=", "2") "," M("{\"&\":[" META("oifgroup") ",12]}",
	                                                  "==", "12") "," C "]",
	         NULL);
	xw_check(V4, "-A INPUT -m realm --realm 0x1/0x2a",
	         "[" M("{\"&\":[" META("rtclassid") ",42]}", "==", "1") "," C "]", NULL);
	xw_listed(V4, "[" M(META("rtclassid"), "==", "\"4\"") "," C "]", NULL,
	          "-A INPUT -m realm --realm 0x4");
	xw_check(V4, "-A INPUT -m cgroup ! --cgroup 1", "[" M(META("cgroup"), "!=", "1") "," C "]",
	         NULL);
	xw_refuse(V4, "-A OUTPUT -m cgroup --path /", "--path");
	xw_check(V4,
	         "-A INPUT -m connbytes ! --connbytes 200 --connbytes-mode packets "
	         "--connbytes-dir reply",
	         "[" M("{\"ct\":{\"key\":\"packets\",\"dir\":\"reply\"}}", "<", "200") "," C "]",
	         NULL);
	xw_check(V4,
	         "-A INPUT -m connbytes --connbytes 200:600 --connbytes-mode bytes "
	         "--connbytes-dir both",
	         "[" M("{\"ct\":{\"key\":\"bytes\"}}", "==", "{\"range\":[200,600]}") "," C "]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m connbytes --connbytes 1 --connbytes-dir both", "connbytes");
}

static void test_time(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -m time --timestart 12:00 --weekdays Sa,Su",
	         "[" M(META("hour"), "==", "{\"range\":[\"12:00:00\",\"23:59:59\"]}") "," M(
	             META("day"), "==", "{\"set\":[6,0]}") "," C "]",
	         "-A INPUT -m time --timestart 12:00:00 --timestop 23:59:59 --weekdays Sat,Sun");
	xw_check(V4, "-A INPUT -m time --datestop 2021-01-29T00:00:00",
	         "[" M(META("time"),
	               "==", "{\"range\":[\"1970-01-01 00:00:00\",\"2021-01-29 00:00:00\"]}") "," C
	                                                                                      "]",
	         NULL);
	xw_refuse(V4, "-A INPUT -m time --monthdays 1", "--monthdays");
	xw_refuse(V4, "-A INPUT -m time --timestart 22:00 --timestop 06:00", "--timestart");
	xw_listed(V4,
	          "[" M(META("hour"), "==", "{\"range\":[\"12:00\",\"19:00\"]}") "," M(
	              META("day"), "==", "{\"set\":[\"Monday\",\"Friday\"]}") "," C "]",
	          NULL,
	          "-A INPUT -m time --timestart 12:00:00 --timestop 19:00:00 --weekdays Mon,Fri");
}

static void test_tcp_socket_fib(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -p tcp -m tcpmss --mss 1461:65535",
	         "[" M(PL("ip", "protocol"),
	               "==", "6") "," M("{\"tcp option\":{\"name\":\"maxseg\",\"field\":\"size\"}}",
	                                "==", "{\"range\":[1461,65535]}") "," C "]",
	         NULL);
	/* ! --mss: xt also matches TCP packets without the option (test_ext_tos.c). */
	xw_refuse(V4, "-A INPUT -p tcp -m tcpmss ! --mss 1461:65535", "--mss");
	xw_check(V4, "-A INPUT -m socket --transparent --nowildcard",
	         "[" M("{\"socket\":{\"key\":\"transparent\"}}", "==", "1") "," C "]", NULL);
	xw_check(V4, "-A INPUT -m socket",
	         "[" M("{\"socket\":{\"key\":\"wildcard\"}}", "==", "0") "," C "]", NULL);
	xw_refuse(V4, "-A INPUT -m socket --restore-skmark", "--restore-skmark");
	xw_check(V6, "-t mangle -A PREROUTING -m rpfilter --validmark --invert",
	         "[" M("{\"fib\":{\"result\":\"oif\",\"flags\":[\"saddr\",\"mark\",\"iif\"]}}",
	               "==", "0") "," C "]",
	         "-A PREROUTING -m rpfilter --validmark --invert");
	xw_refuse(V4, "-t mangle -A PREROUTING -m rpfilter --accept-local", "--accept-local");
}

static void test_exthdr(void **state)
{
	(void)state;
	xw_check(
	    V6, "-A INPUT -m frag --fragid 100 --fragres --fragmore",
	    "[" M(XH("frag", "id"), "==", "100") "," M(XH("frag", "reserved"), "==", "0") "," M(
	        XH("frag", "reserved2"), "==", "0") "," M(XH("frag", "more-fragments"),
	                                                  "==", "1") "," C "]",
	    NULL);
	xw_check(V6, "-A INPUT -m frag --fragid 0:4294967295",
	         "[" M("{\"exthdr\":{\"name\":\"frag\"}}", "==", "true") "," C "]",
	         "-A INPUT -m frag");
	xw_refuse(V6, "-A INPUT -m frag --fraglen 8", "--fraglen");
	xw_refuse(V6, "-A INPUT -m frag --fragmore --fraglast", "fraglast");
	/* Lengths count bytes: (field + 1) * 8. */
	xw_check(V6, "-A INPUT -m hbh ! --hbh-len 16",
	         "[" M(XH("hbh", "hdrlength"), "!=", "1") "," C "]", NULL);
	xw_check(V6, "-A INPUT -m dst",
	         "[" M("{\"exthdr\":{\"name\":\"dst\"}}", "==", "true") "," C "]", NULL);
	xw_refuse(V6, "-A INPUT -m hbh --hbh-len 22", "22");
	xw_refuse(V6, "-A INPUT -m dst --dst-opts 1:2", "1:2");
	xw_check(V6, "-A INPUT -m rt --rt-type 0 ! --rt-segsleft 26 --rt-len 24",
	         "[" M(XH("rt", "type"), "==", "0") "," M(XH("rt", "seg-left"), "!=", "26") "," M(
	             XH("rt", "hdrlength"), "==", "2") "," C "]",
	         NULL);
	xw_check(V6, "-A INPUT -m rt ! --rt-segsleft :",
	         "[" M(XH("rt", "seg-left"), "!=", "{\"range\":[0,255]}") "," C "]",
	         "-A INPUT -m rt ! --rt-segsleft 0:4294967295");
	xw_refuse(V6, "-A INPUT -m rt --rt-0-res", "rt-0-res");
	xw_check(V6, "-A INPUT -p mh -m mh --mh-type 1:3",
	         "[" M(XH("mh", "type"), "==", "{\"range\":[1,3]}") "," C "]",
	         "-A INPUT -p mobility-header -m mh --mh-type 1:3");
	xw_listed(V6,
	          "[" M(XH("mh", "type"),
	                "==", "{\"range\":[\"home-test-init\",\"home-test\"]}") "," C "]",
	          NULL, "-A INPUT -p mobility-header -m mh --mh-type 1:3");
	xw_refuse(V6, "-A INPUT -m mh", "mh");
}

static void test_targets(void **state)
{
	(void)state;
	xw_check(V6, "-A INPUT -j TEE --gateway ab12:00a1:1112:acba:: --oif eth0",
	         "[" C ",{\"dup\":{\"addr\":\"ab12:a1:1112:acba::\",\"dev\":\"eth0\"}}]",
	         "-A INPUT -j TEE --gateway ab12:a1:1112:acba:: --oif eth0");
	xw_refuse(V4, "-A INPUT -j TEE", "TEE");
	xw_check(V4,
	         "-t mangle -A PREROUTING -p tcp -j TPROXY --on-port 12345 --on-ip 10.0.0.1 "
	         "--tproxy-mark 0x23/0xff",
	         "[" M(PL("ip", "protocol"), "==",
	               "6") "," C
	                    ",{\"tproxy\":{\"addr\":\"10.0.0.1\",\"port\":12345}},{\"mangle\":"
	                    "{\"key\":" META("mark") ",\"value\":{\"^\":[{\"&\":[" META(
	                        "mark") ",4294967040]},35]}}},{\"accept\":null}]",
	         "-A PREROUTING -p tcp -j TPROXY --on-port 12345 --on-ip 10.0.0.1 "
	         "--tproxy-mark 0x23/0xff");
	xw_refuse(V4, "-t mangle -A PREROUTING -j TPROXY --on-port 1", "TPROXY");
	xw_check(V4, "-A INPUT -p tcp -j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460",
	         "[" M(PL("ip", "protocol"),
	               "==", "6") "," C ",{\"synproxy\":{\"mss\":1460,\"wscale\":9,\"flags\":["
	                          "\"timestamp\",\"sack-perm\"]}}]",
	         NULL);
	xw_refuse(V4, "-A INPUT -j SYNPROXY --mss 1460", "SYNPROXY");
	xw_check(V4, "-A INPUT -j AUDIT --type accept", "[" C ",{\"log\":{\"level\":\"audit\"}}]",
	         NULL);
	xw_refuse(V4, "-A INPUT -j AUDIT --type wrong", "wrong");
}

static void test_refused(void **state)
{
	(void)state;
	xw_refuse(V4, "-A INPUT -m u32 --u32 0>>22&0x3C@12>>26&0x3C@0=0x1", "u32");
	xw_refuse(V4, "-A INPUT -m string --algo bm --string x", "string");
	xw_refuse(V4, "-A INPUT -m recent --name x --rcheck --seconds 60", "recent");
	xw_refuse(V4, "-A INPUT -m cluster --cluster-total-nodes 2 --cluster-local-node 1",
	          "cluster");
	xw_refuse(V6, "-A INPUT -m eui64", "eui64");
	xw_refuse(V4, "-A INPUT -j SET --add-set x src", "SET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipsec),          cmocka_unit_test(test_sctp_dccp),
	    cmocka_unit_test(test_meta_matches),   cmocka_unit_test(test_time),
	    cmocka_unit_test(test_tcp_socket_fib), cmocka_unit_test(test_exthdr),
	    cmocka_unit_test(test_targets),        cmocka_unit_test(test_refused),
	};

	/* -m time refuses to load when the local zone is not UTC (nft would shift
	 * the times); the tests run as in a UTC zone. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* TOS target, tos match, AUDIT --type read-back, CONNMARK shifts, and
 * tcpmss/ecn without -p tcp: words through cmd_parse(), the JSON xlate_rule()
 * emits, the iptables-save text, the read-back of what nfsh emitted (form tag
 * included) and of rules as libnftables 1.0.6 lists them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "harness/xw.h"
#include "xlate/xlate.h"

#define M(L, OP, R) "{\"match\":{\"op\":\"" OP "\",\"left\":" L ",\"right\":" R "}}"
#define PL(P, F)    "{\"payload\":{\"protocol\":\"" P "\",\"field\":\"" F "\"}}"
#define RAW(O, L)   "{\"payload\":{\"base\":\"nh\",\"offset\":" #O ",\"len\":" #L "}}"
#define AND(X, K)   "{\"&\":[" X "," K "]}"
#define SET(KEY, V) "{\"mangle\":{\"key\":" KEY ",\"value\":" V "}}"
#define CTMARK      "{\"ct\":{\"key\":\"mark\"}}"
#define METAMARK    "{\"meta\":{\"key\":\"mark\"}}"

static void test_tos_target_fields(void **state)
{
	(void)state;
	/* A number is VALUE/0xff: the whole byte, DSCP and ECN. */
	xw_check(V4, "-A OUTPUT -j TOS --set-tos 0x1f",
	         "[" C "," SET(PL("ip", "dscp"), "7") "," SET(PL("ip", "ecn"), "3") "]",
	         "-A OUTPUT -j TOS --set-tos 0x1f/0xff");
	xw_check(V6, "-A OUTPUT -j TOS --set-tos 0x10/0xfc",
	         "[" C "," SET(PL("ip6", "dscp"), "4") "]", "-A OUTPUT -j TOS --set-tos 0x10/0xfc");
	xw_check(V4, "-A OUTPUT -j TOS --set-tos 0x01/0x03",
	         "[" C "," SET(PL("ip", "ecn"), "1") "]", NULL);
	/* As nft lists it: ECN by name, DSCP by class name. */
	xw_listed(V4,
	          "[" C "," SET(PL("ip", "dscp"), "\"ef\"") "," SET(PL("ip", "ecn"), "\"ce\"") "]",
	          "nfsh:j=TOS", "-A INPUT -j TOS --set-tos 0xbb/0xff");
	/* Without the tag "ip dscp set" is -j DSCP's. */
	xw_listed(V4, "[" C "," SET(PL("ip", "dscp"), "4") "]", NULL,
	          "-A INPUT -j DSCP --set-dscp 0x04");
	xw_listed(V4, "[" C "," SET(PL("ip", "dscp"), "4") "]", "nfsh:j=TOS",
	          "-A INPUT -j TOS --set-tos 0x10/0xfc");
}

static void test_tos_target_partial(void **state)
{
	(void)state;
	/* A name is NAME/0x3f: the two top bits stay. IPv4 has no exact form (a
	 * raw write keeps the header checksum stale), IPv6 a raw 16-bit write. */
	xw_refuse(V4, "-A OUTPUT -j TOS --set-tos Minimize-Delay", "TOS");
	xw_refuse(V4, "-A OUTPUT -j TOS --or-tos 0x12", "TOS");
	xw_check(V6, "-A OUTPUT -j TOS --set-tos Minimize-Delay",
	         "[" C "," SET(RAW(0, 16), "{\"^\":[" AND(RAW(0, 16), "64527") ",256]}") "]",
	         "-A OUTPUT -j TOS --set-tos 0x10/0x3f");
	xw_check(V6, "-A OUTPUT -j TOS --xor-tos 0x12",
	         "[" C "," SET(RAW(0, 16), "{\"^\":[" AND(RAW(0, 16), "65535") ",288]}") "]",
	         "-A OUTPUT -j TOS --set-tos 0x12/0x00");
	/* As 1.0.6 lists 0x12/0x34: (x & 0xfdbf ^ 0x20) | 0x100. */
	xw_listed(V6,
	          "[" C "," SET(RAW(0, 16),
	                        "{\"|\":[{\"^\":[" AND(RAW(0, 16), "64959") ",32]},256]}") "]",
	          "nfsh:j=TOS", "-A INPUT -j TOS --set-tos 0x12/0x34");
	/* A bare AND is listed with the mask inverted by 1.0.6: refused. */
	xw_refuse(V6, "-A OUTPUT -j TOS --and-tos 0x12", "TOS");
	xw_refuse(V6, "-A OUTPUT -j TOS --set-tos 0/0", "TOS");
	xw_refuse(V6, "-A OUTPUT -j TOS --set-tos 0x100", "0x100");
	xw_refuse(V6, "-A OUTPUT -j TOS --set-tos Minimize-Delay --or-tos 1", "or-tos");
	xw_refuse(V6, "-A OUTPUT -j TOS", "TOS");
}

static void test_tos_match(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -m tos --tos Minimize-Delay",
	         "[" M(AND(RAW(8, 8), "63"), "==", "16") "," C "]",
	         "-A INPUT -m tos --tos 0x10/0x3f");
	/* The whole byte as a one-value range: "@nh,8,8 != 0x10" would be listed
	 * as two != tests, which reload as an AND. */
	xw_check(V4, "-A INPUT -m tos ! --tos 0x10",
	         "[" M(RAW(8, 8), "!=", "{\"range\":[16,16]}") "," C "]",
	         "-A INPUT -m tos ! --tos 0x10/0xff");
	xw_check(V6, "-A INPUT -m tos --tos 0x0f/0x0f",
	         "[" M(AND(RAW(0, 16), "240"), "==", "240") "," C "]", NULL);
	/* nft lists the IPv6 range as @nh,4,8. */
	xw_listed(V6, "[" M(RAW(4, 8), "!=", "{\"range\":[255,255]}") "]", NULL,
	          "-A INPUT -m tos ! --tos 0xff/0xff");
	/* A DSCP-only mask is listed as ip dscp: tos's when the tag says so. */
	xw_listed(V4, "[" M(PL("ip", "dscp"), "!=", "4") "]", "nfsh:i=tos:0",
	          "-A INPUT -m tos ! --tos 0x10/0xfc");
	xw_listed(V4, "[" M(PL("ip", "dscp"), "!=", "4") "]", NULL,
	          "-A INPUT -m dscp ! --dscp 0x04");
	xw_listed(V6, "[" M(PL("ip6", "ecn"), "==", "\"ect0\"") "]", "nfsh:i=tos:0",
	          "-A INPUT -m tos --tos 0x02/0x03");
	xw_refuse(V4, "-A INPUT -m tos --tos 0x11/0x10", "--tos");
	xw_refuse(V4, "-A INPUT -m tos --tos wrong", "wrong");
	xw_refuse(V4, "-A INPUT -m tos", "tos");
}

static void test_audit_type(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -j AUDIT --type drop", "[" C ",{\"log\":{\"level\":\"audit\"}}]",
	         NULL);
	xw_check(V6, "-A INPUT -m comment --comment x -j AUDIT --type reject",
	         "[" C ",{\"log\":{\"level\":\"audit\"}}]", NULL);
	xw_listed(V4, "[" C ",{\"log\":{\"level\":\"audit\"}}]", "nfsh:j=AUDIT:drop",
	          "-A INPUT -j AUDIT --type drop");
	xw_listed(V4, "[" C ",{\"log\":{\"level\":\"audit\"}}]", NULL,
	          "-A INPUT -j AUDIT --type accept");
}

static void test_connmark_shift(void **state)
{
	(void)state;
	xw_check(V4, "-A INPUT -j CONNMARK --set-mark 0x23/0x42 --right-shift-mark 5",
	         "[" C
	         "," SET(CTMARK, "{\">>\":[{\"^\":[" AND(CTMARK, "4294967196") ",35]},5]}") "]",
	         "-A INPUT -j CONNMARK --set-xmark 0x23/0x63 --right-shift-mark 5");
	xw_check(V4, "-A INPUT -j CONNMARK --save-mark --nfmask 0xff --left-shift-mark 8",
	         "[" C "," SET(CTMARK, "{\"<<\":[" AND(METAMARK, "255") ",8]}") "]",
	         "-A INPUT -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xffffffff "
	         "--left-shift-mark 8");
	/* As 1.0.6 lists it: (ct mark & 0xffffffbf | 0x23) >> 5. */
	xw_listed(V4,
	          "[" C
	          "," SET(CTMARK, "{\">>\":[{\"|\":[" AND(CTMARK, "4294967231") ",35]},5]}") "]",
	          NULL, "-A INPUT -j CONNMARK --set-xmark 0x23/0x63 --right-shift-mark 5");
	xw_listed(V4, "[" C "," SET(METAMARK, "{\">>\":[" CTMARK ",3]}") "]", NULL,
	          "-A INPUT -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff "
	          "--right-shift-mark 3");
	xw_refuse(V4, "-A INPUT -j CONNMARK --set-mark 1 --right-shift-mark 32", "32");
	xw_refuse(V4, "-A INPUT -j CONNMARK --set-mark 1 --right-shift-mark 1 --left-shift-mark 1",
	          "left-shift-mark");
}

/* line is accepted and emits want_expr (the save text differs from the
 * read-back here: -p tcp comes back). */
static void emits(int family, const char *line, const char *want_expr)
{
	char buf[512], *argv[32];
	int n = 0;
	struct cmd c;
	struct nfsh_err e;
	json_t *o, *want;
	char *got;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < 32; t = strtok(NULL, " "))
		argv[n++] = t;
	if (cmd_parse(n, argv, family, &c, &e) < 0)
		fail_msg("\"%s\" refused: %s", line, e.msg);
	o = xlate_rule(&c.rules[0], &e);
	assert_non_null(o);
	want = json_loads(want_expr, 0, NULL);
	assert_non_null(want);
	got = json_dumps(json_object_get(o, "expr"), JSON_COMPACT);
	if (!json_equal(json_object_get(o, "expr"), want))
		fail_msg("\"%s\"\n  got  %s\n  want %s", line, got, want_expr);
	free(got);
	json_decref(want);
	json_decref(o);
	cmd_release(&c);
}

#define MSS "{\"tcp option\":{\"name\":\"maxseg\",\"field\":\"size\"}}"

static void test_without_p_tcp(void **state)
{
	(void)state;
	/* The tcp option load tests the protocol itself; read back with -p tcp. */
	emits(V4, "-A INPUT -m tcpmss --mss 42", "[" M(MSS, "==", "42") "," C "]");
	xw_listed(V4, "[" M(MSS, "==", "42") "," C "]", NULL, "-A INPUT -p tcp -m tcpmss --mss 42");
	xw_refuse(V4, "-A INPUT -p udp -m tcpmss --mss 42", "tcpmss");
	/* Inverted, xt_tcpmss takes packets without the option; nft does not. */
	xw_refuse(V4, "-A INPUT -p tcp -m tcpmss ! --mss 42", "--mss");
	/* nft puts meta l4proto tcp before tcp flags. */
	emits(V6, "-A INPUT -m ecn --ecn-tcp-cwr",
	      "[" M(PL("tcp", "flags"), "in", "\"cwr\"") "," C "]");
	xw_listed(V6, "[" M(PL("tcp", "flags"), "in", "\"cwr\"") "," C "]", NULL,
	          "-A INPUT -p tcp -m ecn --ecn-tcp-cwr");
	xw_refuse(V4, "-A INPUT -p udp -m ecn --ecn-tcp-ece", "ecn");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tos_target_fields), cmocka_unit_test(test_tos_target_partial),
	    cmocka_unit_test(test_tos_match),         cmocka_unit_test(test_audit_type),
	    cmocka_unit_test(test_connmark_shift),    cmocka_unit_test(test_without_p_tcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tcp, udp, icmp, icmp6 and multiport through the whole pipeline, without
 * privileges:
 *  - cmd_parse() of the option words, xlate_rule() gives the expected
 *    libnftables JSON (the forms of ../shared/corpus/iptables/txlate/
 *    libxt_tcp, libxt_udp, libipt_icmp, libip6t_icmp6, libxt_multiport);
 *  - print_rule_save() of the parsed rule, and of the rule read back from its
 *    own JSON by xlate_read_rule(), is the iptables-save line (the .t files'
 *    LISTED column);
 *  - kernel-style listings (taken from `nft -j list ruleset` in a netns: the
 *    protocol dependency hidden, values as names, "! MASK"/"in MASK" flag
 *    forms) read back to the same lines;
 *  - the .t FAIL lines and nfsh's own refusals are parameter errors (exit 2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"

#define TCP(f)      "{\"payload\":{\"protocol\":\"tcp\",\"field\":\"" f "\"}}"
#define UDP(f)      "{\"payload\":{\"protocol\":\"udp\",\"field\":\"" f "\"}}"
#define M(op, l, r) "{\"match\":{\"op\":\"" op "\",\"left\":" l ",\"right\":" r "}}"

struct emit_case {
	int family;
	const char *line; /* after "-A INPUT" */
	const char *expr; /* the statements before "counter" */
	const char *save; /* -S, after "-A INPUT" */
};

static const struct emit_case emit_cases[] = {
    /* libxt_tcp.txlate */
    {NFSH_IPV4, "-p tcp -i eth0 --sport 53 -j ACCEPT",
     "[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"iifname\"}},\"right\":\"eth0\"}}," M(
         "==", TCP("sport"), "53") "]",
     " -i eth0 -p tcp -m tcp --sport 53 -j ACCEPT"},
    {NFSH_IPV4, "-p tcp --dport 1020:1023 --sport 53 -j ACCEPT",
     "[" M("==", TCP("sport"), "53") "," M("==", TCP("dport"), "{\"range\":[1020,1023]}") "]",
     " -p tcp -m tcp --sport 53 --dport 1020:1023 -j ACCEPT"},
    {NFSH_IPV4, "-p tcp -d 8.8.8.8 -j ACCEPT",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}", "6") "," M(
         "==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"daddr\"}}", "\"8.8.8.8\"") "]",
     " -d 8.8.8.8/32 -p tcp -j ACCEPT"},
    {NFSH_IPV4, "-p tcp --tcp-flags ACK,FIN FIN -j DROP",
     "[" M("==", "{\"&\":[" TCP("flags") ",[\"fin\",\"ack\"]]}", "\"fin\"") "]",
     " -p tcp -m tcp --tcp-flags FIN,ACK FIN -j DROP"},
    {NFSH_IPV4, "-p tcp --syn --dport 80 -j ACCEPT",
     "[" M("==", TCP("dport"), "80") "," M(
         "==", "{\"&\":[" TCP("flags") ",[\"fin\",\"syn\",\"rst\",\"ack\"]]}", "\"syn\"") "]",
     " -p tcp -m tcp --dport 80 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT"},
    {NFSH_IPV4, "-p tcp ! --tcp-flags ALL NONE",
     "[" M("!=", "{\"&\":[" TCP("flags") ",[\"fin\",\"syn\",\"rst\",\"psh\",\"ack\",\"urg\"]]}",
           "0") "]",
     " -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"},
    {NFSH_IPV4, "-p tcp --tcp-option 23",
     "[" M("==", "{\"tcp option\":{\"base\":23,\"offset\":0,\"len\":8}}", "true") "]",
     " -p tcp -m tcp --tcp-option 23"},
    {NFSH_IPV4, "-p tcp ! --tcp-option 23",
     "[" M("==", "{\"tcp option\":{\"base\":23,\"offset\":0,\"len\":8}}", "false") "]",
     " -p tcp -m tcp ! --tcp-option 23"},
    /* A full range tests nothing: the protocol alone, written as the corpus does. */
    {NFSH_IPV4, "-p tcp --sport 0:65535 -j ACCEPT",
     "[" M("==", "{\"meta\":{\"key\":\"l4proto\"}}", "6") "]", " -p tcp -m tcp -j ACCEPT"},
    {NFSH_IPV4, "-p tcp ! --sport 0:65535 -j ACCEPT",
     "[" M("!=", TCP("sport"), "{\"range\":[0,65535]}") "]",
     " -p tcp -m tcp ! --sport 0:65535 -j ACCEPT"},
    {NFSH_IPV4, "-p tcp -m tcp --sport :4", "[" M("==", TCP("sport"), "{\"range\":[0,4]}") "]",
     " -p tcp -m tcp --sport 0:4"},
    {NFSH_IPV4, "-p tcp -m tcp --dport 4:", "[" M("==", TCP("dport"), "{\"range\":[4,65535]}") "]",
     " -p tcp -m tcp --dport 4:65535"},
    {NFSH_IPV4, "-m tcp --dport 1 -p 6", "[" M("==", TCP("dport"), "1") "]",
     " -p tcp -m tcp --dport 1"},
    {NFSH_IPV4, "-p tcp --dport ssh", "[" M("==", TCP("dport"), "22") "]",
     " -p tcp -m tcp --dport 22"},
    {NFSH_IPV6, "-p tcp -m tcp", "[" M("==", "{\"meta\":{\"key\":\"l4proto\"}}", "6") "]",
     " -p tcp -m tcp"},
    /* libxt_udp.txlate */
    {NFSH_IPV4, "-p udp -o eth0 --dport 53:66 -j DROP",
     "[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"eth0\"}}," M(
         "==", UDP("dport"), "{\"range\":[53,66]}") "]",
     " -o eth0 -p udp -m udp --dport 53:66 -j DROP"},
    {NFSH_IPV4, "-p udp ! --sport 0:65535 -j ACCEPT",
     "[" M("!=", UDP("sport"), "{\"range\":[0,65535]}") "]",
     " -p udp -m udp ! --sport 0:65535 -j ACCEPT"},
    {NFSH_IPV6, "-p udp -m udp ! --sport 1 --dport 65535",
     "[" M("!=", UDP("sport"), "1") "," M("==", UDP("dport"), "65535") "]",
     " -p udp -m udp ! --sport 1 --dport 65535"},
    /* Two != of single ports: libnftables 1.0.6 would merge them into one
     * != of both (true when either differs), so the later is a one-port
     * range (emit.c keep_port_neqs_apart); read back as one port. */
    {NFSH_IPV4, "-p tcp ! --sport 80 ! --dport 22 -j DROP",
     "[" M("!=", TCP("sport"), "80") "," M("!=", TCP("dport"), "{\"range\":[22,22]}") "]",
     " -p tcp -m tcp ! --sport 80 ! --dport 22 -j DROP"},
    {NFSH_IPV6, "-p udp ! --dport 53 ! --sport 5353",
     "[" M("!=", UDP("sport"), "5353") "," M("!=", UDP("dport"), "{\"range\":[53,53]}") "]",
     " -p udp -m udp ! --sport 5353 ! --dport 53"},
    {NFSH_IPV4, "-p tcp ! --dport 22", "[" M("!=", TCP("dport"), "22") "]",
     " -p tcp -m tcp ! --dport 22"},
    /* libipt_icmp.txlate: no -p needed, icmp type brings its protocol */
    {NFSH_IPV4, "-m icmp --icmp-type echo-reply -j ACCEPT",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}}", "0") "]",
     " -p icmp -m icmp --icmp-type 0 -j ACCEPT"},
    {NFSH_IPV4, "-m icmp ! --icmp-type 3 -j ACCEPT",
     "[" M("!=", "{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}}", "3") "]",
     " -p icmp -m icmp ! --icmp-type 3 -j ACCEPT"},
    {NFSH_IPV4, "-m icmp --icmp-type any -j ACCEPT",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}", "1") "]",
     " -p icmp -m icmp --icmp-type any -j ACCEPT"},
    {NFSH_IPV4, "-p icmp -m icmp --icmp-type 255/0:255",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}", "1") "]",
     " -p icmp -m icmp --icmp-type any"},
    {NFSH_IPV4, "-p icmp -m icmp --icmp-type 255/255",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}}", "255") "," M(
         "==", "{\"payload\":{\"protocol\":\"icmp\",\"field\":\"code\"}}", "255") "]",
     " -p icmp -m icmp --icmp-type 255/255"},
    /* iptables negates type and code together: one test of the pair. */
    {NFSH_IPV4, "-p icmp ! --icmp-type host-unreachable",
     "[" M("!=",
           "{\"concat\":[{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}},{\"payload\":{"
           "\"protocol\":\"icmp\",\"field\":\"code\"}}]}",
           "{\"set\":[{\"concat\":[3,1]}]}") "]",
     " -p icmp -m icmp ! --icmp-type 3/1"},
    /* libip6t_icmp6.txlate */
    {NFSH_IPV6, "-m icmp6 --icmpv6-type neighbour-advertisement -j ACCEPT",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"type\"}}", "136") "]",
     " -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT"},
    {NFSH_IPV6, "-p ipv6-icmp -m icmp6 --icmpv6-type 1/0",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"type\"}}",
           "1") "," M("==", "{\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"code\"}}", "0") "]",
     " -p ipv6-icmp -m icmp6 --icmpv6-type 1/0"},
    {NFSH_IPV6, "-p icmpv6 --icmpv6-type mld-listener-reduction",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"type\"}}", "132") "]",
     " -p ipv6-icmp -m icmp6 --icmpv6-type 132"},
    /* libxt_multiport.txlate */
    {NFSH_IPV4, "-p tcp -m multiport --dports 80,81 -j ACCEPT",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "6") "," M("==", TCP("dport"), "{\"set\":[80,81]}") "]",
     " -p tcp -m multiport --dports 80,81 -j ACCEPT"},
    {NFSH_IPV4, "-p tcp -m multiport ! --dports 80:88 -j ACCEPT",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "6") "," M("!=", TCP("dport"), "{\"range\":[80,88]}") "]",
     " -p tcp -m multiport ! --dports 80:88 -j ACCEPT"},
    {NFSH_IPV4, "-p tcp -m multiport --ports 10",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "6") "," M("==", "{\"concat\":[" TCP("sport") "," TCP("dport") "]}",
                      "{\"set\":[{\"concat\":[{\"range\":[0,65535]},10]},{\"concat\":[10,{"
                      "\"range\":[0,65535]}]}]}") "]",
     " -p tcp -m multiport --ports 10"},
    /* The kernel's set is sorted: so is the rule (-S, -C and -D agree). */
    {NFSH_IPV6, "-p tcp -m multiport --dports 443,80:90,85",
     "[" M("==", "{\"meta\":{\"key\":\"l4proto\"}}",
           "6") "," M("==", TCP("dport"), "{\"set\":[{\"range\":[80,90]},443]}") "]",
     " -p tcp -m multiport --dports 80:90,443"},
    /* With a range in the set libnftables also merges neighbours (it listed
     * --dports 1,2,3:5 back as { 1-5 }, and -C/-D of the typed rule found
     * nothing); single ports alone stay apart, as the kernel keeps them. */
    {NFSH_IPV4, "-p tcp -m multiport --dports 1,2,3:5,7",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "6") "," M("==", TCP("dport"), "{\"set\":[{\"range\":[1,5]},7]}") "]",
     " -p tcp -m multiport --dports 1:5,7"},
    {NFSH_IPV4, "-p tcp -m multiport --dports 23,22",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "6") "," M("==", TCP("dport"), "{\"set\":[22,23]}") "]",
     " -p tcp -m multiport --dports 22,23"},
    /* An item reaching 65535: disjoint rectangles, P x any then (not P) x P. */
    {NFSH_IPV6, "-p udp -m multiport ! --ports 53,1024:65535",
     "[" M("==", "{\"meta\":{\"key\":\"l4proto\"}}", "17") "," M(
         "!=", "{\"concat\":[" UDP("sport") "," UDP("dport") "]}",
         "{\"set\":[{\"concat\":[53,{\"range\":[0,65535]}]},{\"concat\":[{\"range\":[1024,"
         "65535]},{\"range\":[0,65535]}]},{\"concat\":[{\"range\":[0,52]},53]},{\"concat\":[{"
         "\"range\":[0,52]},{\"range\":[1024,65535]}]},{\"concat\":[{\"range\":[54,1023]},53]},"
         "{\"concat\":[{\"range\":[54,1023]},{\"range\":[1024,65535]}]}]}") "]",
     " -p udp -m multiport ! --ports 53,1024:65535"},
    {NFSH_IPV4, "-p sctp -m multiport --sports 53,1024:65535",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "132") "," M("==", "{\"payload\":{\"protocol\":\"sctp\",\"field\":\"sport\"}}",
                        "{\"set\":[53,{\"range\":[1024,65535]}]}") "]",
     " -p sctp -m multiport --sports 53,1024:65535"},
};

static int parse_line(const char *line, int family, struct cmd *c, struct nfsh_err *e)
{
	char buf[2048], *argv[64];
	int n = 0;

	/* FORWARD: the corpus lines use -i and -o, and iptables refuses -o in INPUT. */
	snprintf(buf, sizeof(buf), "-A FORWARD %s", line);
	for (char *t = strtok(buf, " "); t && n < 64; t = strtok(NULL, " "))
		argv[n++] = t;
	return cmd_parse(n, argv, family, c, e);
}

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	if (!j)
		fail_msg("bad JSON literal at %d: %s (%s)", je.position, je.text, text);
	return j;
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

static void expect_save(const char *what, const struct rule *r, const char *want)
{
	struct strbuf sb;
	char full[512];

	snprintf(full, sizeof(full), "-A %s%s", r->chain, want);
	sb_init(&sb);
	print_rule_save(r, false, &sb);
	if (strcmp(sb_str(&sb), full)) {
		print_error("%s\n  got:  %s\n  want: %s\n", what, sb_str(&sb), full);
		sb_free(&sb);
		fail();
	}
	sb_free(&sb);
}

static void check_emit(const struct emit_case *k)
{
	struct cmd c;
	struct nfsh_err e;
	json_t *o, *expr, *head, *want;
	struct rule back;
	char why[512];
	size_t i;

	if (parse_line(k->line, k->family, &c, &e) < 0)
		fail_msg("\"%s\" refused: %s", k->line, e.msg);
	assert_int_equal(c.nrules, 1);
	expect_save(k->line, &c.rules[0], k->save);
	o = xlate_rule(&c.rules[0], &e);
	if (!o)
		fail_msg("\"%s\": xlate_rule failed: %s", k->line, e.msg);
	expr = json_object_get(o, "expr");
	head = json_array();
	for (i = 0;
	     i < json_array_size(expr) && !json_object_get(json_array_get(expr, i), "counter"); i++)
		json_array_append(head, json_array_get(expr, i));
	want = load(k->expr);
	expect_json(k->line, head, want);
	/* Read back from its own JSON (the listing keeps the comment's form tag). */
	if (xlate_read_rule(o, TBL_FILTER, &back, why, sizeof(why)) != 0)
		fail_msg("\"%s\": read-back refused: %s", k->line, why);
	expect_save(k->line, &back, k->save);
	rule_release(&back);
	json_decref(want);
	json_decref(head);
	json_decref(o);
	cmd_release(&c);
}

static void test_emit_and_save(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(emit_cases) / sizeof(emit_cases[0]); i++)
		check_emit(&emit_cases[i]);
}

struct read_case {
	const char *family;
	const char *expr;    /* as `nft -j list ruleset` lists it */
	const char *comment; /* or NULL */
	const char *save;    /* -S, after "-A INPUT" */
};

static const struct read_case read_cases[] = {
    /* One port: -m tcp's expression; the form tag says multiport was written. */
    {"ip", "[" M("!=", TCP("dport"), "{\"range\":[80,88]}") ",{\"counter\":null}]",
     "nfsh:i=multiport:0", " -p tcp -m multiport ! --dports 80:88"},
    {"ip", "[" M("!=", TCP("dport"), "{\"range\":[80,88]}") ",{\"counter\":null}]", NULL,
     " -p tcp -m tcp ! --dport 80:88"},
    /* The protocol test in front of tcp dport is hidden by the listing. */
    {"ip",
     "[" M("==", TCP("dport"), "{\"set\":[80,81]}") ",{\"counter\":{\"packets\":0,"
                                                    "\"bytes\":0}},{\"accept\":null}]",
     NULL, " -p tcp -m multiport --dports 80,81 -j ACCEPT"},
    {"ip",
     "[" M("==", TCP("sport"), "53") "," M("==", TCP("dport"),
                                           "{\"range\":[1020,1023]}") ",{\"counter\":null}]",
     NULL, " -p tcp -m tcp --sport 53 --dport 1020:1023"},
    {"ip",
     "[" M("!", TCP("flags"),
           "[\"fin\",\"syn\",\"rst\",\"psh\",\"ack\",\"urg\"]") ",{\"counter\":null}]",
     NULL, " -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"},
    {"ip",
     "[" M("in", TCP("flags"),
           "[\"fin\",\"syn\",\"rst\",\"psh\",\"ack\",\"urg\"]") ",{\"counter\":null}]",
     NULL, " -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"},
    {"ip",
     "[" M("==", "{\"&\":[" TCP("flags") ",[\"fin\",\"syn\",\"rst\",\"psh\",\"ack\",\"urg\"]]}",
           "[\"fin\",\"syn\",\"rst\",\"psh\",\"ack\",\"urg\"]") ",{\"counter\":null}]",
     NULL, " -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG FIN,SYN,RST,PSH,ACK,URG"},
    {"ip", "[" M("==", "{\"tcp option\":{\"name\":\"maxseg\"}}", "false") ",{\"counter\":null}]",
     NULL, " -p tcp -m tcp ! --tcp-option 2"},
    {"ip",
     "[" M("==", "{\"meta\":{\"key\":\"l4proto\"}}",
           "\"tcp\"") ",{\"counter\":null},{\"accept\":null}]",
     "nfsh:i=tcp:0", " -p tcp -m tcp -j ACCEPT"},
    {"ip",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "\"tcp\"") ",{\"counter\":null}]",
     NULL, " -p tcp"},
    {"ip",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}}",
           "\"destination-unreachable\"") "," M("==",
                                                "{\"payload\":{\"protocol\":\"icmp\","
                                                "\"field\":\"code\"}}",
                                                "{\"range\":[\"host-unreachable\",\"port-"
                                                "unreachable\"]}") ",{\"counter\":null}]",
     NULL, " -p icmp -m icmp --icmp-type 3/1:3"},
    {"ip",
     "[" M("==", "{\"payload\":{\"protocol\":\"ip\",\"field\":\"protocol\"}}",
           "\"icmp\"") ",{\"counter\":null}]",
     "nfsh:i=icmp:0", " -p icmp -m icmp --icmp-type any"},
    {"ip6",
     "[" M("==", "{\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"type\"}}",
           "\"nd-neighbor-advert\"") ",{\"counter\":null}]",
     NULL, " -p ipv6-icmp -m icmp6 --icmpv6-type 136"},
    {"ip6",
     "[" M("!=",
           "{\"concat\":[{\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"type\"}},{"
           "\"payload\":{\"protocol\":\"icmpv6\",\"field\":\"code\"}}]}",
           "{\"set\":[{\"concat\":[\"destination-unreachable\",\"addr-unreachable\"]}]"
           "}") ",{\"counter\":null}]",
     NULL, " -p ipv6-icmp -m icmp6 ! --icmpv6-type 1/3"},
    {"ip",
     "[" M("==", "{\"concat\":[" UDP("sport") "," UDP("dport") "]}",
           "{\"set\":[{\"concat\":[{\"range\":[0,65535]},10]},{\"concat\":[10,{"
           "\"range\":[0,65535]}]},{\"concat\":[{\"range\":[0,65535]},20]},{\"concat\":"
           "[20,{\"range\":[0,65535]}]}]}") ",{\"counter\":null}]",
     NULL, " -p udp -m multiport --ports 10,20"},
    {"ip",
     "[" M("==", "{\"payload\":{\"protocol\":\"dccp\",\"field\":\"dport\"}}",
           "53") ",{\"counter\":null}]",
     NULL, " -p dccp -m dccp --dport 53"}, /* untagged: dccp's own (cc42936) */
};

static void test_read_listing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
		const struct read_case *k = &read_cases[i];
		json_t *o = json_object();
		struct rule r;
		char why[512];

		json_object_set_new(o, "family", json_string(k->family));
		json_object_set_new(o, "table", json_string("nfsh-filter"));
		json_object_set_new(o, "chain", json_string("INPUT"));
		json_object_set_new(o, "handle", json_integer(4));
		json_object_set_new(o, "expr", load(k->expr));
		if (k->comment)
			json_object_set_new(o, "comment", json_string(k->comment));
		if (xlate_read_rule(o, TBL_FILTER, &r, why, sizeof(why)) != 0)
			fail_msg("%s: read-back refused: %s", k->save, why);
		expect_save(k->expr, &r, k->save);
		rule_release(&r);
		json_decref(o);
	}
}

/* Rules that cannot be read as these matches stay "not expressible". */
static void test_read_refused(void **state)
{
	static const char *const exprs[] = {
	    /* nft's icmp type 255 is one type; iptables' 255 is every type. */
	    "[" M("==", "{\"payload\":{\"protocol\":\"icmp\",\"field\":\"type\"}}", "255") "]",
	    /* ECE has no --tcp-flags name. */
	    "[" M("==", "{\"&\":[" TCP("flags") ",\"ecn\"]}", "\"ecn\"") "]",
	    /* Not the pairs of any port list. */
	    "[" M("==", "{\"concat\":[" TCP("sport") "," TCP("dport") "]}",
	          "{\"set\":[{\"concat\":[10,20]}]}") "]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		json_t *o = json_object();
		struct rule r;
		char why[512];

		json_object_set_new(o, "family", json_string("ip"));
		json_object_set_new(o, "chain", json_string("INPUT"));
		json_object_set_new(o, "expr", load(exprs[i]));
		assert_int_equal(xlate_read_rule(o, TBL_FILTER, &r, why, sizeof(why)), 1);
		rule_release(&r);
		json_decref(o);
	}
}

static void test_refusals(void **state)
{
	static const struct {
		int family;
		const char *line;
	} bad[] = {
	    {NFSH_IPV4, "-p tcp -m tcp --sport 4:3"},
	    {NFSH_IPV4, "-p tcp -m tcp --sport 65536"},
	    {NFSH_IPV4, "-p tcp -m tcp --dport -1"},
	    {NFSH_IPV4, "-m tcp --dport 1"},
	    {NFSH_IPV4, "! -p tcp --dport 1"},
	    {NFSH_IPV4, "-p udp -m udp --sport 4:3"},
	    {NFSH_IPV4, "-m udp --dport 1"},
	    {NFSH_IPV4, "-p tcp --syn --tcp-flags ALL SYN"},
	    {NFSH_IPV4, "-p tcp --tcp-flags ALL BOGUS"},
	    {NFSH_IPV4, "-p tcp --tcp-option 256"},
	    {NFSH_IPV4, "-m icmp"},
	    {NFSH_IPV4, "-p icmp --icmp-type bogus"},
	    {NFSH_IPV4, "-p icmp ! --icmp-type any"},
	    {NFSH_IPV4, "-p udp -m icmp --icmp-type 8"},
	    {NFSH_IPV6, "-m icmp6"},
	    {NFSH_IPV6,
	     "-p ipv6-icmp -m icmp6 --icmpv6-type no-route --icmpv6-type packet-too-big"},
	    {NFSH_IPV6, "-p icmp --icmp-type 8"},
	    {NFSH_IPV4, "-p tcp -m multiport --sports 1024:65536"},
	    {NFSH_IPV4, "-p udp -m multiport --ports 1024:65536"},
	    {NFSH_IPV4, "-p tcp --multiport"},
	    {NFSH_IPV4, "-m multiport"},
	    {NFSH_IPV4, "-m multiport --dports 80"},
	    {NFSH_IPV4, "-p icmp -m multiport --dports 80"},
	    {NFSH_IPV4, "-p tcp -m multiport --dports 80 --sports 90"},
	    {NFSH_IPV4, "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"},
	    {NFSH_IPV4, "-p tcp -m multiport --dports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16"},
	    {NFSH_IPV4, "-p tcp -m multiport --dports 80,,81"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cmd c;
		struct nfsh_err e;

		memset(&e, 0, sizeof(e));
		if (parse_line(bad[i].line, bad[i].family, &c, &e) == 0) {
			cmd_release(&c);
			fail_msg("\"%s\" accepted", bad[i].line);
		}
		if (e.status != NFSH_EPARAM)
			fail_msg("\"%s\": status %d, want %d (%s)", bad[i].line, e.status,
			         NFSH_EPARAM, e.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_emit_and_save),
	    cmocka_unit_test(test_read_listing),
	    cmocka_unit_test(test_read_refused),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The iptables command grammar, word by word: every command, the generic rule
 * options, getopt-style spelling (bundles, --long=value, unique prefixes), and
 * the error record (status, offending word, hint) of each kind of mistake.
 * Only -m conntrack / -m state among the extensions: the others have their own
 * tests beside them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd.h"
#include "xlate/xlate.h"

#define MAXW 64

/* Split a line at blanks ('_' stands for a blank inside a word). */
static int split(const char *line, char *buf, size_t len, char **argv)
{
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (char *t = strtok(buf, " "); t && n < MAXW; t = strtok(NULL, " ")) {
		for (char *q = t; *q; q++)
			if (*q == '_')
				*q = ' ';
		argv[n++] = t;
	}
	return n;
}

static int parse_fam(const char *line, int family, struct cmd *c, struct nfsh_err *e)
{
	char buf[2048], *argv[MAXW];
	int n = split(line, buf, sizeof(buf), argv);

	return cmd_parse(n, argv, family, c, e);
}

/* Parse a line that must be accepted. */
static void ok(const char *line, struct cmd *c)
{
	struct nfsh_err e;

	if (parse_fam(line, NFSH_IPV4, c, &e) < 0)
		fail_msg("\"%s\" refused: %s [word \"%s\"]", line, e.msg, e.word);
}

/* Parse a line that must be refused with this status and offending word;
 * want_hint: the hint must not be empty. */
static void bad(const char *line, int status, const char *word, bool want_hint)
{
	struct cmd c;
	struct nfsh_err e;

	if (parse_fam(line, NFSH_IPV4, &c, &e) == 0) {
		cmd_release(&c);
		fail_msg("\"%s\" accepted", line);
	}
	assert_int_equal(e.status, status);
	if (strcmp(e.word, word))
		fail_msg("\"%s\": offending word \"%s\", want \"%s\" (%s)", line, e.word, word,
		         e.msg);
	assert_true(e.msg[0] != '\0');
	if (want_hint && !e.hint[0])
		fail_msg("\"%s\": no hint (%s)", line, e.msg);
	assert_int_equal(c.nrules, 0);
	assert_null(c.rules);
}

/* The k-th expanded rule in iptables-save form. */
static void want_save(const struct cmd *c, int k, const char *want)
{
	struct strbuf sb;

	assert_true(k < c->nrules);
	sb_init(&sb);
	print_rule_save(&c->rules[k], false, &sb);
	assert_string_equal(sb_str(&sb), want);
	sb_free(&sb);
}

/* Parse, expect one rule, compare its -S form. */
static void rule_is(const char *line, const char *want)
{
	struct cmd c;

	ok(line, &c);
	assert_int_equal(c.nrules, 1);
	want_save(&c, 0, want);
	cmd_release(&c);
}

static void test_commands(void **state)
{
	struct cmd c;

	(void)state;
	ok("-A INPUT -j ACCEPT", &c);
	assert_int_equal(c.op, OP_APPEND);
	assert_string_equal(c.chain, "INPUT");
	assert_int_equal(c.table, TBL_FILTER);
	assert_int_equal(c.family, NFSH_IPV4);
	assert_int_equal(c.nrules, 1);
	assert_int_equal(c.rules[0].target_kind, TGT_ACCEPT);
	cmd_release(&c);

	ok("-I INPUT -j DROP", &c);
	assert_int_equal(c.op, OP_INSERT);
	assert_int_equal(c.rulenum, 0);
	cmd_release(&c);
	ok("-I INPUT 3 -j DROP", &c);
	assert_int_equal(c.op, OP_INSERT);
	assert_int_equal(c.rulenum, 3);
	assert_int_equal(c.rules[0].target_kind, TGT_DROP);
	cmd_release(&c);

	ok("-D INPUT 2", &c);
	assert_int_equal(c.op, OP_DELETE);
	assert_int_equal(c.rulenum, 2);
	assert_int_equal(c.nrules, 0);
	cmd_release(&c);
	ok("-D INPUT -s 10.0.0.1 -j RETURN", &c);
	assert_int_equal(c.op, OP_DELETE);
	assert_int_equal(c.rulenum, 0);
	want_save(&c, 0, "-A INPUT -s 10.0.0.1/32 -j RETURN");
	cmd_release(&c);

	ok("-R FORWARD 4 -j ACCEPT", &c);
	assert_int_equal(c.op, OP_REPLACE);
	assert_string_equal(c.chain, "FORWARD");
	assert_int_equal(c.rulenum, 4);
	cmd_release(&c);

	ok("-C OUTPUT -o eth0 -j DROP", &c);
	assert_int_equal(c.op, OP_CHECK);
	want_save(&c, 0, "-A OUTPUT -o eth0 -j DROP");
	cmd_release(&c);

	ok("-N web", &c);
	assert_int_equal(c.op, OP_NEWCHAIN);
	assert_string_equal(c.chain, "web");
	cmd_release(&c);
	ok("-X web", &c);
	assert_int_equal(c.op, OP_DELCHAIN);
	assert_string_equal(c.chain, "web");
	cmd_release(&c);
	ok("-X", &c);
	assert_int_equal(c.op, OP_DELCHAIN);
	assert_string_equal(c.chain, "");
	cmd_release(&c);

	ok("-E old new", &c);
	assert_int_equal(c.op, OP_RENAME);
	assert_string_equal(c.chain, "old");
	assert_string_equal(c.newname, "new");
	cmd_release(&c);

	ok("-F", &c);
	assert_int_equal(c.op, OP_FLUSH);
	assert_string_equal(c.chain, "");
	cmd_release(&c);
	ok("-F INPUT", &c);
	assert_string_equal(c.chain, "INPUT");
	cmd_release(&c);

	ok("-Z", &c);
	assert_int_equal(c.op, OP_ZERO);
	cmd_release(&c);
	ok("-Z INPUT 2", &c);
	assert_int_equal(c.op, OP_ZERO);
	assert_string_equal(c.chain, "INPUT");
	assert_int_equal(c.rulenum, 2);
	cmd_release(&c);

	ok("-P INPUT DROP", &c);
	assert_int_equal(c.op, OP_POLICY);
	assert_string_equal(c.chain, "INPUT");
	assert_string_equal(c.policy, "DROP");
	cmd_release(&c);

	ok("-L", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_false(c.verbose || c.numeric || c.exact || c.line_numbers);
	cmd_release(&c);
	ok("-L INPUT -v -n -x --line-numbers", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_string_equal(c.chain, "INPUT");
	assert_true(c.verbose && c.numeric && c.exact && c.line_numbers);
	cmd_release(&c);
	ok("-L -Z", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_true(c.zero_after_list);
	cmd_release(&c);

	ok("-S", &c);
	assert_int_equal(c.op, OP_SPEC);
	cmd_release(&c);
	ok("-S INPUT 1", &c);
	assert_int_equal(c.op, OP_SPEC);
	assert_string_equal(c.chain, "INPUT");
	assert_int_equal(c.rulenum, 1);
	cmd_release(&c);

	ok("-h", &c);
	assert_int_equal(c.op, OP_HELP);
	cmd_release(&c);
	ok("-V", &c);
	assert_int_equal(c.op, OP_VERSION);
	cmd_release(&c);
}

static void test_long_commands(void **state)
{
	struct cmd c;

	(void)state;
	ok("--append INPUT --jump ACCEPT", &c);
	assert_int_equal(c.op, OP_APPEND);
	assert_int_equal(c.rules[0].target_kind, TGT_ACCEPT);
	cmd_release(&c);
	ok("--insert INPUT 2 --jump DROP", &c);
	assert_int_equal(c.op, OP_INSERT);
	assert_int_equal(c.rulenum, 2);
	cmd_release(&c);
	ok("--list-rules INPUT", &c);
	assert_int_equal(c.op, OP_SPEC);
	cmd_release(&c);
	ok("--list --numeric --verbose --exact", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_true(c.verbose && c.numeric && c.exact);
	cmd_release(&c);
	ok("--new-chain web", &c);
	assert_int_equal(c.op, OP_NEWCHAIN);
	cmd_release(&c);
	ok("--delete-chain web", &c);
	assert_int_equal(c.op, OP_DELCHAIN);
	cmd_release(&c);
	ok("--rename-chain a b", &c);
	assert_int_equal(c.op, OP_RENAME);
	cmd_release(&c);
	ok("--policy FORWARD ACCEPT", &c);
	assert_int_equal(c.op, OP_POLICY);
	cmd_release(&c);
	ok("--flush", &c);
	assert_int_equal(c.op, OP_FLUSH);
	cmd_release(&c);
	ok("--zero INPUT", &c);
	assert_int_equal(c.op, OP_ZERO);
	cmd_release(&c);
	ok("--check INPUT -j ACCEPT", &c);
	assert_int_equal(c.op, OP_CHECK);
	cmd_release(&c);
	ok("--replace INPUT 1 -j ACCEPT", &c);
	assert_int_equal(c.op, OP_REPLACE);
	cmd_release(&c);
	ok("--delete INPUT 1", &c);
	assert_int_equal(c.op, OP_DELETE);
	cmd_release(&c);
}

static void test_tables(void **state)
{
	static const struct {
		const char *line;
		int table;
	} t[] = {
	    {"-t filter -A INPUT", TBL_FILTER},        {"-t nat -A PREROUTING", TBL_NAT},
	    {"-t mangle -A PREROUTING", TBL_MANGLE},   {"-t raw -A OUTPUT", TBL_RAW},
	    {"-t security -A INPUT", TBL_SECURITY},    {"-A OUTPUT -t raw", TBL_RAW},
	    {"--table=nat -A OUTPUT", TBL_NAT},        {"-tnat -A OUTPUT", TBL_NAT},
	    {"--table mangle -A FORWARD", TBL_MANGLE},
	};
	struct cmd c;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ok(t[i].line, &c);
		assert_int_equal(c.table, t[i].table);
		assert_int_equal(c.rules[0].table, t[i].table);
		cmd_release(&c);
	}
	bad("-t nosuch -A INPUT", NFSH_EPARAM, "nosuch", true);
	bad("-t filtr -A INPUT", NFSH_EPARAM, "filtr", true);
	bad("-t nat -t raw -A INPUT", NFSH_EPARAM, "raw", false);
	bad("-A INPUT -t", NFSH_EPARAM, "-t", false);
}

static void test_protocols(void **state)
{
	(void)state;
	rule_is("-A INPUT -p tcp", "-A INPUT -p tcp");
	rule_is("-A INPUT -p udp", "-A INPUT -p udp");
	rule_is("-A INPUT -p icmp", "-A INPUT -p icmp");
	rule_is("-A INPUT -p 6", "-A INPUT -p tcp");
	rule_is("-A INPUT -p 17", "-A INPUT -p udp");
	rule_is("-A INPUT -p 47", "-A INPUT -p gre");
	rule_is("-A INPUT -p 253", "-A INPUT -p 253");
	rule_is("-A INPUT -p TCP", "-A INPUT -p tcp");
	rule_is("-A INPUT -p all", "-A INPUT");
	rule_is("-A INPUT -p 0", "-A INPUT");
	rule_is("-A INPUT ! -p tcp", "-A INPUT ! -p tcp");
	rule_is("-A INPUT --protocol=udp", "-A INPUT -p udp");
	rule_is("-A INPUT --proto udp", "-A INPUT -p udp");
	rule_is("-A INPUT -pudp", "-A INPUT -p udp");
	/* iptables >= 1.6 refuses the old "-p ! tcp" too. */
	bad("-A INPUT -p ! tcp", NFSH_EPARAM, "!", true);
	bad("-A INPUT -p tcpp", NFSH_EPARAM, "tcpp", true);
	bad("-A INPUT -p nosuchproto", NFSH_EPARAM, "nosuchproto", true);
	bad("-A INPUT -p 256", NFSH_EPARAM, "256", true);
	bad("-A INPUT ! -p all", NFSH_EPARAM, "all", false);
	bad("-A INPUT -p tcp -p udp", NFSH_EPARAM, "udp", false);
	bad("-A INPUT -p", NFSH_EPARAM, "-p", false);
}

static void test_addresses(void **state)
{
	struct cmd c;

	(void)state;
	rule_is("-A INPUT -s 10.0.0.1", "-A INPUT -s 10.0.0.1/32");
	rule_is("-A INPUT -s 10.1.2.3/8", "-A INPUT -s 10.0.0.0/8");
	rule_is("-A INPUT -d 192.168.0.0/16", "-A INPUT -d 192.168.0.0/16");
	rule_is("-A INPUT -s 10.0.0.0/255.255.0.0", "-A INPUT -s 10.0.0.0/16");
	rule_is("-A INPUT -s 0.0.0.0/0", "-A INPUT");
	rule_is("-A INPUT -d 1.2.3.4/255.255.0.255", "-A INPUT -d 1.2.0.4/255.255.0.255");
	rule_is("-A INPUT ! -s 172.16.0.0/12", "-A INPUT ! -s 172.16.0.0/12");
	rule_is("-A INPUT ! -d 1.1.1.1", "-A INPUT ! -d 1.1.1.1/32");
	rule_is("-A INPUT --source 1.1.1.1 --destination 2.2.2.2",
	        "-A INPUT -s 1.1.1.1/32 -d 2.2.2.2/32");
	rule_is("-A INPUT --src 1.1.1.1 --dst 2.2.2.2", "-A INPUT -s 1.1.1.1/32 -d 2.2.2.2/32");
	rule_is("-A INPUT --dest 2.2.2.2", "-A INPUT -d 2.2.2.2/32");
	rule_is("-A INPUT --sou=3.3.3.3", "-A INPUT -s 3.3.3.3/32");

	ok("-A INPUT -s 10.0.0.1,10.0.0.2 -d 1.1.1.1,2.2.2.0/24,3.3.3.3 -j ACCEPT", &c);
	assert_int_equal(c.nrules, 6);
	want_save(&c, 0, "-A INPUT -s 10.0.0.1/32 -d 1.1.1.1/32 -j ACCEPT");
	want_save(&c, 1, "-A INPUT -s 10.0.0.1/32 -d 2.2.2.0/24 -j ACCEPT");
	want_save(&c, 2, "-A INPUT -s 10.0.0.1/32 -d 3.3.3.3/32 -j ACCEPT");
	want_save(&c, 3, "-A INPUT -s 10.0.0.2/32 -d 1.1.1.1/32 -j ACCEPT");
	want_save(&c, 5, "-A INPUT -s 10.0.0.2/32 -d 3.3.3.3/32 -j ACCEPT");
	cmd_release(&c);
	ok("-A INPUT ! -s 10.0.0.1,10.0.0.2 -j DROP", &c);
	assert_int_equal(c.nrules, 2);
	want_save(&c, 1, "-A INPUT ! -s 10.0.0.2/32 -j DROP");
	cmd_release(&c);

	/* iptables' numeric form (xtables_numeric_to_ipaddr): one number is a
	 * network, octets in C notation; checked against iptables-nft 1.8.9. */
	rule_is("-A INPUT -s 0/0", "-A INPUT");
	rule_is("-A INPUT -s 10/8", "-A INPUT -s 10.0.0.0/8");
	rule_is("-A INPUT -d 0", "-A INPUT -d 0.0.0.0/32");
	rule_is("-A INPUT -s 0x0a.0.0.1", "-A INPUT -s 10.0.0.1/32");
	rule_is("-A INPUT -s 010.001.002.003", "-A INPUT -s 8.1.2.3/32");
	rule_is("-A INPUT -s 1.2.3.4/0xff.0.0.0", "-A INPUT -s 1.0.0.0/8");
	bad("-A INPUT -s 08.1.1.1", NFSH_EPARAM, "08.1.1.1", true);
	bad("-A INPUT -s 1.2.3", NFSH_EPARAM, "1.2.3", true); /* the resolver's form */
	bad("-A INPUT -s 256", NFSH_EPARAM, "256", true);
	bad("-A INPUT -s 1.2.3.4.5", NFSH_EPARAM, "1.2.3.4.5", true);
	bad("-A INPUT -s 1..2.3", NFSH_EPARAM, "1..2.3", true);
	bad("-A INPUT -s 1.2.3.-4", NFSH_EPARAM, "1.2.3.-4", true);
	bad("-A INPUT -s 1.2.3.4.", NFSH_EPARAM, "1.2.3.4.", true);
	bad("-A INPUT -s 1.2.3.4/0xff.0.0", NFSH_EPARAM, "1.2.3.4/0xff.0.0", true);
	bad("-A INPUT -s 1.2.3.999", NFSH_EPARAM, "1.2.3.999", true);
	bad("-A INPUT -s 10.0.0.0/33", NFSH_EPARAM, "10.0.0.0/33", true);
	bad("-A INPUT -d 10.0.0.0/255.0.255.256", NFSH_EPARAM, "10.0.0.0/255.0.255.256", true);
	bad("-A INPUT -s 10.0.0.1,www.example.org", NFSH_EPARAM, "www.example.org", true);
	bad("-A INPUT -s ::1", NFSH_EPARAM, "::1", true);
	bad("-A INPUT -s", NFSH_EPARAM, "-s", false);
	bad("-A INPUT -s 1.1.1.1 -s 2.2.2.2", NFSH_EPARAM, "2.2.2.2", false);
}

static void test_ipv6(void **state)
{
	struct cmd c;
	struct nfsh_err e;

	(void)state;
	assert_int_equal(parse_fam("-A INPUT -s 2001:db8::/32 -d ::1 -j ACCEPT", NFSH_IPV6, &c, &e),
	                 0);
	assert_int_equal(c.family, NFSH_IPV6);
	want_save(&c, 0, "-A INPUT -s 2001:db8::/32 -d ::1/128 -j ACCEPT");
	cmd_release(&c);
	assert_int_equal(parse_fam("-6 -A INPUT -s 2001:db8::1", NFSH_IPV4, &c, &e), 0);
	assert_int_equal(c.family, NFSH_IPV6);
	cmd_release(&c);
	assert_int_equal(parse_fam("-A INPUT -s 10.0.0.1", NFSH_IPV6, &c, &e), -1);
	assert_int_equal(e.status, NFSH_EPARAM);
	assert_string_equal(e.word, "10.0.0.1");
	assert_int_equal(parse_fam("-A INPUT -f", NFSH_IPV6, &c, &e), -1);
	assert_string_equal(e.word, "-f");
	assert_true(e.msg[0] != '\0');
}

static void test_interfaces_fragment(void **state)
{
	(void)state;
	rule_is("-A INPUT -i eth0", "-A INPUT -i eth0");
	rule_is("-A INPUT -i eth+", "-A INPUT -i eth+");
	rule_is("-A INPUT ! -i lo", "-A INPUT ! -i lo");
	rule_is("-A FORWARD -i br0 -o wg+", "-A FORWARD -i br0 -o wg+");
	rule_is("-A OUTPUT ! -o eth1", "-A OUTPUT ! -o eth1");
	rule_is("-A OUTPUT --out-interface eth1", "-A OUTPUT -o eth1");
	rule_is("-A INPUT --in-interface=eth1", "-A INPUT -i eth1");
	rule_is("-A INPUT -f", "-A INPUT -f");
	rule_is("-A INPUT ! -f", "-A INPUT ! -f");
	rule_is("-A INPUT --fragment", "-A INPUT -f");
	/* A + before the end is a literal character (iptables 1.8.9 accepts
	 * -i eth+0; the corpus' generic.txlate has -o eth++ -> oifname "eth+*"). */
	rule_is("-A INPUT -i eth+0", "-A INPUT -i eth+0");
	rule_is("-A FORWARD -o eth++", "-A FORWARD -o eth++");
	rule_is("-A FORWARD -i + -o *", "-A FORWARD -i + -o *");
	bad("-A INPUT -i eth/0", NFSH_EPARAM, "eth/0", false);
	bad("-A INPUT -i abcdefghijklmnopq", NFSH_EPARAM, "abcdefghijklmnopq", false);
	bad("-A INPUT -i eth0 -i eth1", NFSH_EPARAM, "eth1", false);
}

static void test_targets(void **state)
{
	struct cmd c;

	(void)state;
	rule_is("-A INPUT -j ACCEPT", "-A INPUT -j ACCEPT");
	rule_is("-A INPUT -j DROP", "-A INPUT -j DROP");
	rule_is("-A INPUT -j RETURN", "-A INPUT -j RETURN");
	rule_is("-A INPUT", "-A INPUT");
	ok("-A INPUT -j web", &c);
	assert_int_equal(c.rules[0].target_kind, TGT_JUMP);
	assert_string_equal(c.rules[0].jump, "web");
	cmd_release(&c);
	ok("-A INPUT -g web", &c);
	assert_int_equal(c.rules[0].target_kind, TGT_GOTO);
	want_save(&c, 0, "-A INPUT -g web");
	cmd_release(&c);
	rule_is("-A INPUT --jump=web", "-A INPUT -j web");
	rule_is("-A INPUT --goto web", "-A INPUT -g web");
	bad("-A INPUT -j ACCEPT -j DROP", NFSH_EPARAM, "DROP", false);
	bad("-A INPUT ! -j ACCEPT", NFSH_EPARAM, "-j", false);
	bad("-A INPUT -j", NFSH_EPARAM, "-j", false);
	bad("-A INPUT -g ACCEPT", NFSH_EPARAM, "ACCEPT", false);
	/* QUEUE is NFQUEUE, which this kernel cannot do natively (it was called
	 * "a chain name reserved for a verdict"). */
	bad("-A INPUT -j QUEUE", NFSH_EPARAM, "QUEUE", true);
}

static void test_counters_wait(void **state)
{
	struct cmd c;

	(void)state;
	ok("-A INPUT -c 10 2000 -j ACCEPT", &c);
	assert_true(c.rules[0].counters_set);
	assert_int_equal(c.rules[0].packets, 10);
	assert_int_equal(c.rules[0].bytes, 2000);
	cmd_release(&c);
	ok("-A INPUT --set-counters 3,400", &c);
	assert_int_equal(c.rules[0].packets, 3);
	assert_int_equal(c.rules[0].bytes, 400);
	cmd_release(&c);
	ok("-w -A INPUT -j ACCEPT", &c);
	assert_int_equal(c.op, OP_APPEND);
	cmd_release(&c);
	ok("-w 5 -W 100000 -A INPUT -j ACCEPT", &c);
	assert_int_equal(c.op, OP_APPEND);
	assert_int_equal(c.nrules, 1);
	cmd_release(&c);
	ok("-A INPUT -j ACCEPT --wait 3", &c);
	assert_int_equal(c.nrules, 1);
	cmd_release(&c);
	bad("-A INPUT -c 10", NFSH_EPARAM, "10", false);
	bad("-A INPUT -c x 10", NFSH_EPARAM, "x", false);
}

/* iptables' commands_v_options and the -L/-S + -Z pairs (audit of issue 2,
 * each checked against iptables-nft 1.8.9). */
static void test_command_option_pairs(void **state)
{
	struct cmd c;

	(void)state;
	bad("-A INPUT -n -j ACCEPT", NFSH_EPARAM, "-n", true);
	bad("-A INPUT -x -j ACCEPT", NFSH_EPARAM, "-x", true);
	bad("-I INPUT --line-numbers", NFSH_EPARAM, "--line-numbers", true);
	bad("-F -n", NFSH_EPARAM, "-n", true);
	bad("-S -n", NFSH_EPARAM, "-n", true);
	bad("-Z --numeric", NFSH_EPARAM, "--numeric", true);
	bad("-D INPUT -j ACCEPT -c 1 2", NFSH_EPARAM, "-c", true);
	bad("-C INPUT -j ACCEPT --set-counters 1,2", NFSH_EPARAM, "--set-counters", true);
	bad("-P INPUT DROP -c 1 2", NFSH_EPARAM, "-c", true);
	/* A port option without -p names the protocols that have it, tcp first
	 * (the hint said "-p dccp", the first registered). */
	{
		struct nfsh_err e;

		assert_int_equal(parse_fam("-A INPUT --dport 22", NFSH_IPV4, &c, &e), -1);
		assert_string_equal(e.word, "--dport");
		assert_string_equal(e.hint, "--dport needs -p tcp (or udp, dccp, sctp) before it");
		assert_int_equal(parse_fam("-A INPUT --icmpv6-type 1", NFSH_IPV6, &c, &e), -1);
		assert_string_equal(e.hint, "--icmpv6-type needs -p icmpv6 before it");
	}
	/* -o never with INPUT or PREROUTING, -i never with OUTPUT or POSTROUTING. */
	bad("-A INPUT -o eth0", NFSH_EPARAM, "-o", true);
	bad("-t nat -A PREROUTING ! -o eth0 -j ACCEPT", NFSH_EPARAM, "-o", true);
	bad("-C OUTPUT -i eth0", NFSH_EPARAM, "-i", true);
	bad("-t mangle -I POSTROUTING -i eth0", NFSH_EPARAM, "-i", true);
	/* DROP is inhibited in the nat table, as policy and as target. */
	bad("-t nat -P OUTPUT DROP", NFSH_EPARAM, "DROP", true);
	bad("-t nat -A POSTROUTING -o eth0 -j DROP", NFSH_EPARAM, "DROP", true);
	ok("-t nat -P OUTPUT ACCEPT", &c);
	cmd_release(&c);
	ok("-t nat -D POSTROUTING 1", &c);
	cmd_release(&c);
	rule_is("-t raw -A PREROUTING -j DROP", "-A PREROUTING -j DROP");
	rule_is("-A FORWARD -i eth0 -o eth1", "-A FORWARD -i eth0 -o eth1");
	rule_is("-A mychain -i eth0 -o eth1", "-A mychain -i eth0 -o eth1");
	ok("-A INPUT -v -j ACCEPT", &c);
	assert_true(c.verbose);
	cmd_release(&c);

	ok("-L INPUT 2 -n --line-numbers", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_string_equal(c.chain, "INPUT");
	assert_int_equal(c.rulenum, 2);
	cmd_release(&c);
	ok("-S -Z", &c);
	assert_int_equal(c.op, OP_SPEC);
	assert_true(c.zero_after_list);
	cmd_release(&c);
	ok("-Z INPUT 1 -S", &c);
	assert_int_equal(c.op, OP_SPEC);
	assert_true(c.zero_after_list);
	assert_string_equal(c.chain, "INPUT");
	assert_int_equal(c.rulenum, 1);
	cmd_release(&c);
	ok("-Z -L -v -x", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_true(c.zero_after_list && c.exact);
	cmd_release(&c);
	bad("-S -L", NFSH_EPARAM, "-L", true);
}

static void test_bundles_and_prefixes(void **state)
{
	struct cmd c;

	(void)state;
	ok("-nvL", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_true(c.numeric && c.verbose);
	cmd_release(&c);
	ok("-nvxL INPUT", &c);
	assert_true(c.numeric && c.verbose && c.exact);
	assert_string_equal(c.chain, "INPUT");
	cmd_release(&c);
	ok("-LINPUT", &c);
	assert_int_equal(c.op, OP_LIST);
	assert_string_equal(c.chain, "INPUT");
	cmd_release(&c);
	ok("-AINPUT -jACCEPT", &c);
	assert_int_equal(c.op, OP_APPEND);
	assert_int_equal(c.rules[0].target_kind, TGT_ACCEPT);
	cmd_release(&c);
	ok("--line -L", &c);
	assert_true(c.line_numbers);
	cmd_release(&c);
	ok("--list --num --verb", &c);
	assert_true(c.numeric && c.verbose);
	cmd_release(&c);
	rule_is("-A INPUT -m conntrack --ctd REPLY", "-A INPUT -m conntrack --ctdir REPLY");
	rule_is("-A INPUT -m conntrack --ctstate NEW --ctp tcp",
	        "-A INPUT -m conntrack --ctstate NEW --ctproto 6");
	rule_is("-A INPUT -m state --st NEW", "-A INPUT -m state --state NEW");
	rule_is("-A INPUT -m conntrack --ctstate=NEW", "-A INPUT -m conntrack --ctstate NEW");
	/* Ambiguous prefixes: --de (delete, delete-chain, destination), --ctorig. */
	bad("--de INPUT", NFSH_EPARAM, "--de", true);
	bad("-A INPUT -m conntrack --ctst NEW", NFSH_EPARAM, "--ctst", true);
	bad("-A INPUT -m conntrack --ctorig 1.1.1.1", NFSH_EPARAM, "--ctorig", true);
	bad("-A INPUT -m conntrack --ctrepl=1.1.1.1", NFSH_EPARAM, "--ctrepl=1.1.1.1", true);
	bad("-A INPUT -q", NFSH_EPARAM, "-q", true);
	bad("-nqL", NFSH_EPARAM, "-nqL", true);
}

static void test_conntrack_state_grammar(void **state)
{
	(void)state;
	rule_is("-A INPUT -m state --state NEW,ESTABLISHED -j ACCEPT",
	        "-A INPUT -m state --state NEW,ESTABLISHED -j ACCEPT");
	rule_is("-A INPUT -m state ! --state INVALID", "-A INPUT -m state ! --state INVALID");
	rule_is("-A INPUT -m state --state new", "-A INPUT -m state --state NEW");
	rule_is("-A INPUT -p tcp -m conntrack --ctstate NEW -m state --state ESTABLISHED",
	        "-A INPUT -p tcp -m conntrack --ctstate NEW -m state --state ESTABLISHED");
	rule_is("-A INPUT -m conntrack --ctstate NEW --ctstatus ASSURED --ctdir REPLY",
	        "-A INPUT -m conntrack --ctstate NEW --ctstatus ASSURED --ctdir REPLY");
	rule_is("-A INPUT -m conntrack ! --ctproto udp", "-A INPUT -m conntrack ! --ctproto 17");
	rule_is("-A INPUT -m conntrack --ctorigsrc 10.0.0.0/8",
	        "-A INPUT -m conntrack --ctorigsrc 10.0.0.0/8");
	rule_is("--append INPUT --match conntrack --ctstate NEW --jump ACCEPT",
	        "-A INPUT -m conntrack --ctstate NEW -j ACCEPT");
	/* An option of a match goes to the match loaded before it. */
	bad("-A INPUT --ctstate NEW -m conntrack", NFSH_EPARAM, "--ctstate", true);
	bad("-A INPUT -m state --ctstate NEW", NFSH_EPARAM, "--ctstate", true);
}

static void test_errors(void **state)
{
	(void)state;
	bad("-A INPUT --bogus", NFSH_EPARAM, "--bogus", true);
	bad("-A INPUT --sourc3 1.1.1.1", NFSH_EPARAM, "--sourc3", true);
	bad("-A INPUT -m nosuchmatch", NFSH_EPARAM, "nosuchmatch", true);
	bad("-A INPUT -m conntrak --ctstate NEW", NFSH_EPARAM, "conntrak", true);
	bad("-A INPUT -m state --state BOGUS", NFSH_EPARAM, "BOGUS", true);
	bad("-A INPUT -m state --state NEW,BOGUS", NFSH_EPARAM, "BOGUS", true);
	bad("-A INPUT -m conntrack --ctstate ESTABLISHD", NFSH_EPARAM, "ESTABLISHD", true);
	bad("-A INPUT -m conntrack --ctstatus NOPE", NFSH_EPARAM, "NOPE", true);
	bad("-A INPUT -m conntrack --ctdir SIDEWAYS", NFSH_EPARAM, "SIDEWAYS", true);
	bad("-A INPUT -m state --state", NFSH_EPARAM, "--state", true);
	bad("-A INPUT -m conntrack --ctorigsrc", NFSH_EPARAM, "--ctorigsrc", true);
	bad("-A INPUT -m conntrack --ctorigsrc 1.2.3", NFSH_EPARAM, "1.2.3", false);
	bad("-A", NFSH_EPARAM, "-A", false);
	bad("-A INPUT -m", NFSH_EPARAM, "-m", false);
	bad("-R INPUT", NFSH_EPARAM, "-R", false);
	bad("-R INPUT x -j ACCEPT", NFSH_EPARAM, "x", false);
	bad("-E onlyone", NFSH_EPARAM, "-E", false);
	bad("-P INPUT", NFSH_EPARAM, "-P", false);
	bad("-P INPUT MAYBE", NFSH_EPARAM, "MAYBE", true);
	bad("-P web DROP", NFSH_EPARAM, "web", false);
	bad("-D INPUT 0", NFSH_EPARAM, "0", false);
	bad("-D INPUT 2 -j ACCEPT", NFSH_EPARAM, "-j", false);
	/* Two commands. */
	bad("-A INPUT -D INPUT", NFSH_EPARAM, "-D", true);
	bad("-L -F", NFSH_EPARAM, "-F", true);
	bad("-A INPUT -A INPUT", NFSH_EPARAM, "-A", false);
	/* Rule options with a command that takes no rule. */
	bad("-L INPUT -s 1.1.1.1", NFSH_EPARAM, "-s", false);
	bad("-F INPUT -j ACCEPT", NFSH_EPARAM, "-j", false);
	/* Stray words and no command. */
	bad("INPUT -j ACCEPT", NFSH_EPARAM, "INPUT", true);
	bad("-A INPUT extra", NFSH_EPARAM, "extra", true);
	bad("-j ACCEPT", NFSH_EPARAM, "", false);
	/* Chain names. */
	bad("-N ACCEPT", NFSH_EPARAM, "ACCEPT", false);
	bad("-N INPUT", NFSH_EPARAM, "INPUT", false);
	bad("-N abcdefghijklmnopqrstuvwxyz0123", NFSH_EPARAM, "abcdefghijklmnopqrstuvwxyz0123",
	    true);
	bad("-X INPUT", NFSH_EPARAM, "INPUT", false);
	bad("-E INPUT foo", NFSH_EPARAM, "INPUT", false);
	bad("-E foo OUTPUT", NFSH_EPARAM, "OUTPUT", false);
}

static void test_bang_misuse(void **state)
{
	(void)state;
	bad("-A INPUT ! ! -s 1.1.1.1", NFSH_EPARAM, "!", false);
	bad("-A INPUT -s 1.1.1.1 !", NFSH_EPARAM, "!", false);
	bad("-A INPUT ! -m state --state NEW", NFSH_EPARAM, "-m", false);
	bad("! -A INPUT", NFSH_EPARAM, "-A", false);
	bad("-A INPUT ! -t filter", NFSH_EPARAM, "-t", false);
	/* The message says where the ! goes. */
	bad("-A INPUT -m state --state ! NEW", NFSH_EPARAM, "--state", false);
	bad("-A INPUT -m conntrack ! --ctorigsrc ! 1.1.1.1", NFSH_EPARAM, "--ctorigsrc", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_long_commands),
	    cmocka_unit_test(test_tables),
	    cmocka_unit_test(test_protocols),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_interfaces_fragment),
	    cmocka_unit_test(test_targets),
	    cmocka_unit_test(test_counters_wait),
	    cmocka_unit_test(test_command_option_pairs),
	    cmocka_unit_test(test_bundles_and_prefixes),
	    cmocka_unit_test(test_conntrack_state_grammar),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_bang_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

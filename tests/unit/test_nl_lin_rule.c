/* nll_rule_fast (src/nft/nl_lin_rule.c) against the JSON path it stands in
 * for: for every rule it builds, the NEWRULE payload must be byte for byte
 * nll_rule(xlate_rule(r))'s and the comment xlate's; a rule it does not
 * build must be refused (1), never built differently. Each table entry says
 * which it expects, and the count of built rules is asserted, so the test
 * cannot pass by refusing everything.
 *
 * Also a sweep over a file of rules (NFSH_LIN_RULES=FILE; restore-like:
 * "*table" puts "-t table" before the lines after it, "@4" / "@6" sets the
 * family, lines starting with "-" are commands (those without a rule, -F
 * or -N, count for nothing), the rest is skipped): counts built / refused / unparsed and fails
 * on any mismatch. tests/conformance/nl_lin_rule_corpus.sh feeds it the
 * shared corpus. NFSH_LIN_MODE=parse|fast|json with the sweep only parses,
 * or builds one way (payload included), NFSH_LIN_REPEAT times, for
 * instruction counts (perf stat); NFSH_LIN_VERBOSE=1 lists the refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "cmd/cmd.h"
#include "io/io.h"
#include "nft/nl_lin.h"
#include "nft/nl_lin_rule.h"
#include "xlate/xlate.h"

enum { BUILT = 0, REFUSED = 1, JSON_ONLY = 2 };

/* One rule's NEWRULE payload in a zeroed page; returns its length. */
static size_t payload(struct nftnl_rule *r, int nfproto, char *page, size_t len)
{
	struct nlmsghdr *nlh;

	memset(page, 0, len);
	nlh = nftnl_nlmsg_build_hdr(page, NFT_MSG_NEWRULE, (uint16_t)nfproto,
	                            NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return nlh->nlmsg_len;
}

static char page_a[NLL_MSG_MAX], page_b[NLL_MSG_MAX];

/* Both ways for one rule of the model. Returns BUILT or REFUSED (the fast
 * path's answer); *why gets a mismatch, "" when none. */
static int both_ways(const struct rule *r, char *why, size_t whylen)
{
	char comment[NFSH_COMMENT_MAX + 64];
	struct nftnl_rule *fast = NULL, *slow = NULL;
	struct nfsh_err e;
	json_t *j;
	int rc, nfproto = 0;
	const char *jc;
	size_t la, lb;

	why[0] = '\0';
	memset(comment, 'x', sizeof(comment));
	rc = nll_rule_fast(r, &fast, comment, sizeof(comment));
	err_clear(&e);
	j = xlate_rule(r, &e);
	if (j)
		slow = nll_rule(j, &nfproto);
	if (rc == 1) {
		if (fast)
			snprintf(why, whylen, "refused but *out set");
		json_decref(j);
		if (slow)
			nftnl_rule_free(slow);
		return REFUSED;
	}
	if (rc != 0) {
		snprintf(why, whylen, "returned %d", rc);
	} else if (!j) {
		snprintf(why, whylen, "built, but xlate refuses: %.200s", e.msg);
	} else if (!slow) {
		snprintf(why, whylen, "built, but nll_rule refuses the JSON");
	} else {
		la = payload(fast, nfproto, page_a, sizeof(page_a));
		lb = payload(slow, nfproto, page_b, sizeof(page_b));
		jc = json_string_value(json_object_get(j, "comment"));
		if (la != lb || memcmp(page_a, page_b, la))
			snprintf(why, whylen, "payload differs (%zu vs %zu bytes)", la, lb);
		else if (strcmp(comment, jc ? jc : ""))
			snprintf(why, whylen, "comment \"%.100s\", xlate \"%.100s\"", comment,
			         jc ? jc : "");
	}
	if (fast)
		nftnl_rule_free(fast);
	if (slow)
		nftnl_rule_free(slow);
	json_decref(j);
	return BUILT;
}

static struct io_words words;

/* Parses "-t T -A ..." words of one line for family (4 or 6). */
static int parse_line(const char *line, int family, struct cmd *c, struct nfsh_err *e)
{
	err_clear(e);
	if (io_split_line(line, &words, e) < 0)
		return -1;
	return cmd_parse(words.n, words.w, family == 6 ? NFSH_IPV6 : NFSH_IPV4, c, e);
}

/* ---- the table ---- */

struct tcase {
	int family;
	const char *line;
	int expect; /* BUILT or REFUSED */
};

/* Comments of n characters: A32 is 32. */
#define A32  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define C128 A32 A32 A32 A32
#define C224 C128 A32 A32 A32
#define C235 C224 "bbbbbbbbbbb"
#define C253 C235 "cccccccccccccccccc"

static const struct tcase cases[] = {
    /* verdicts */
    {4, "-A INPUT -j ACCEPT", BUILT},
    {4, "-A INPUT -j DROP", BUILT},
    {4, "-A INPUT -j RETURN", BUILT},
    {4, "-A INPUT", BUILT},
    {4, "-A INPUT -j MYCHAIN", BUILT},
    {4, "-A INPUT -g MYCHAIN", BUILT},
    {6, "-A FORWARD -j DOCKER-USER", BUILT},
    /* addresses */
    {4, "-A INPUT -s 10.0.0.1 -j ACCEPT", BUILT},
    {4, "-A INPUT -s 10.0.0.0/8 -j ACCEPT", BUILT},
    {4, "-A INPUT -s 10.1.0.0/16 -d 192.168.1.0/24 -j DROP", BUILT},
    {4, "-A INPUT ! -s 10.0.0.0/8 -j DROP", BUILT},
    {4, "-A INPUT -d 10.0.0.0/9 -j ACCEPT", BUILT},
    {4, "-A INPUT ! -d 172.16.0.0/12 -j ACCEPT", BUILT},
    {4, "-A INPUT -s 0.0.0.0/0 -j ACCEPT", BUILT},
    {4, "-A INPUT ! -s 0.0.0.0/0 -j ACCEPT", REFUSED},
    {4, "-A INPUT -s 1.2.3.4/32 -j ACCEPT", BUILT},
    {4, "-A INPUT -s 1.2.3.5/31", BUILT},
    {4, "-A INPUT -s 10.0.0.0/255.255.0.0 -j ACCEPT", BUILT},
    {4, "-A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT", REFUSED},
    {4, "-A INPUT -s 10.0.0.0/1 -d 255.255.255.254/31", BUILT},
    {6, "-A INPUT -s 2001:db8::/32 -j ACCEPT", BUILT},
    {6, "-A INPUT -s 2001:db8::1 -d ::1/128 -j ACCEPT", BUILT},
    {6, "-A INPUT ! -d fe80::/10 -j DROP", BUILT},
    {6, "-A INPUT -s 2001:db8::/33", BUILT},
    {6, "-A INPUT -s ::/0 -j ACCEPT", BUILT},
    {6, "-A INPUT ! -s ::/0 -j ACCEPT", REFUSED},
    {6, "-A INPUT -d ::/1 ! -s 2001:db8:1:2:3:4:5:6/127", BUILT},
    /* protocols */
    {4, "-A INPUT -p tcp -j ACCEPT", BUILT},
    {4, "-A INPUT -p udp -j ACCEPT", BUILT},
    {4, "-A INPUT ! -p tcp -j ACCEPT", BUILT},
    {4, "-A INPUT -p icmp -j ACCEPT", BUILT},
    {4, "-A INPUT -p 47 -j ACCEPT", BUILT},
    {4, "-A INPUT -p gre -j ACCEPT", BUILT},
    {4, "-A INPUT -p all -j ACCEPT", BUILT},
    {4, "-A INPUT ! -p udp -s 10.0.0.0/8 -j DROP", BUILT},
    {6, "-A INPUT -p tcp -j ACCEPT", BUILT},
    {6, "-A INPUT ! -p udp -j ACCEPT", BUILT},
    {6, "-A INPUT -p ipv6-icmp -j ACCEPT", BUILT},
    /* ports */
    {4, "-A INPUT -p tcp --dport 22 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --sport 1024:65535 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp ! --dport 22 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --dport 1000:2000 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp ! --dport 1000:2000 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --sport 80 --dport 443 -j ACCEPT", BUILT},
    /* pairs libnftables does not merge: each port alone */
    {4, "-A INPUT -p tcp -m tcp --sport 80 ! --dport 443 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --sport 1:2 --dport 443 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp --sport 1024:65535 --dport 22 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp ! --sport 80 --dport 443 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp --sport 1:2 ! --dport 3:4 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp ! --sport 1:2 ! --dport 3:4 -j ACCEPT", BUILT},
    {4, "-A INPUT -p udp --sport 53 --dport 1024:65535 -j ACCEPT", BUILT},
    {6, "-A INPUT -p udp ! --sport 1:2 --dport 3 -j ACCEPT", BUILT},
    /* two != of single ports: libnftables merges them into a wrong test */
    {4, "-A INPUT -p tcp ! --sport 80 ! --dport 443 -j ACCEPT", REFUSED},
    {6, "-A INPUT -p udp -m udp ! --sport 53 ! --dport 53 -j ACCEPT", REFUSED},
    {4, "-A INPUT -p tcp -m tcp --dport 0 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --dport 65535 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --dport 80:80 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp --dport 0:65535 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp ! --dport 0:65535 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp -m tcp -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp --dport ssh -j ACCEPT", BUILT},
    {4, "-A INPUT -p udp -m udp --dport 53 -j ACCEPT", BUILT},
    {4, "-A INPUT -p udp -m udp --sport 53 --dport 53 -j ACCEPT", BUILT},
    {4, "-A INPUT -p udp -m udp ! --sport 53 -j ACCEPT", BUILT},
    {4, "-A INPUT -p udp --dport :1023 -j DROP", BUILT},
    {4, "-A INPUT -p udp --dport 1024: -j DROP", BUILT},
    {4, "-A INPUT -p udp -m udp -j DROP", BUILT},
    {4, "-A INPUT -s 10.0.0.0/24 -p udp -m udp --dport 1025 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp --syn -j DROP", REFUSED},
    {4, "-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j DROP", REFUSED},
    {6, "-A INPUT -p tcp --dport 22 -j ACCEPT", BUILT},
    {6, "-A INPUT -i eth0 -p udp --sport 547 --dport 546 -j ACCEPT", BUILT},
    {6, "-A INPUT -p udp ! --dport 1:1024 -j ACCEPT", BUILT},
    /* comments */
    {4, "-A INPUT -m comment --comment hello -j ACCEPT", BUILT},
    {4, "-A INPUT -m comment --comment \"with spaces\" -j ACCEPT", BUILT},
    {4, "-A INPUT -m comment --comment \"a \\\"quoted\\\" 'word'\" -j ACCEPT", BUILT},
    {4, "-A INPUT -m comment --comment x -p tcp --dport 22 -j ACCEPT", BUILT},
    {4, "-A INPUT -p tcp --dport 22 -m comment --comment x -j ACCEPT", BUILT},
    {4, "-A INPUT -m comment --comment nfsh:m=state -j ACCEPT", BUILT},
    {4, "-A INPUT -m comment --comment \"a ;nfsh:x\" -j ACCEPT", BUILT},
    /* up to NLL_COMMENT_MAX, 253, with the tag: as long as libnftables takes
     * (-m comment refuses a longer text itself) */
    {4, "-A INPUT -m comment --comment " C128 " -j ACCEPT", BUILT},
    {6, "-A INPUT -m comment --comment " C253 " -j ACCEPT", BUILT},
    /* " ;nfsh:m=state c=0" is 18 more */
    {4, "-A INPUT -m comment --comment " C235 " -m state --state NEW -j ACCEPT", BUILT},
    {4, "-A INPUT -m comment --comment " C235 "d -m state --state NEW -j ACCEPT", REFUSED},
    /* " ;nfsh:i=tcp:0" is 14 more */
    {6, "-A INPUT -p tcp -m tcp -m comment --comment " C224 "eeeeeeeeeeeeeee", BUILT},
    {6, "-A INPUT -p tcp -m tcp -m comment --comment " C224 "eeeeeeeeeeeeeeee", REFUSED},
    {4, "-A INPUT -p tcp -m tcp -m comment --comment \"kube: svc/ns\" -j KUBE-SVC-1", BUILT},
    {6, "-A INPUT -m comment --comment \"v6 rule\" -j ACCEPT", BUILT},
    /* form tags past match 9: i=tcp:10, c=11, m=state twice */
    {4,
     "-A INPUT -p tcp -m tcp -m tcp -m tcp -m tcp -m tcp -m tcp -m tcp -m tcp -m tcp -m tcp -m "
     "tcp -m comment --comment late -m state --state NEW -m state --state NEW -j ACCEPT",
     BUILT},
    /* conntrack, state */
    {4, "-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT", BUILT},
    {4, "-A INPUT -m conntrack --ctstate NEW -j ACCEPT", BUILT},
    {4, "-A INPUT -m conntrack ! --ctstate INVALID -j ACCEPT", BUILT},
    {4, "-A INPUT -m conntrack --ctstate INVALID -j DROP", BUILT},
    {4, "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT", BUILT},
    {4, "-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT", BUILT},
    {4, "-A INPUT -m conntrack --ctstate DNAT -j ACCEPT", BUILT},
    {4, "-A INPUT -m conntrack --ctproto tcp -j ACCEPT", REFUSED},
    {4, "-A INPUT -m state ! --state NEW -j DROP", BUILT},
    {4, "-A INPUT -m state --state NEW -m comment --comment c -p tcp --dport 80 -j ACCEPT", BUILT},
    {6, "-A INPUT -m state --state ESTABLISHED -j ACCEPT", BUILT},
    /* interfaces */
    {4, "-A INPUT -i eth0 -j ACCEPT", BUILT},
    {4, "-A INPUT -i eth+ -j ACCEPT", BUILT},
    {4, "-A INPUT ! -i eth0 -j ACCEPT", BUILT},
    {4, "-A INPUT ! -i eth+ -j ACCEPT", BUILT},
    {4, "-A INPUT -i + -j ACCEPT", BUILT},
    {4, "-A INPUT ! -i + -j ACCEPT", REFUSED},
    {4, "-A FORWARD -i br-1234 -o docker0 -j ACCEPT", BUILT},
    {4, "-A FORWARD ! -o abcdefghijklmno -j ACCEPT", BUILT},
    {4, "-A OUTPUT -o lo -j ACCEPT", BUILT},
    {6, "-A FORWARD -i veth+ ! -o wg0 -j ACCEPT", BUILT},
    /* icmp */
    {4, "-A INPUT -p icmp --icmp-type echo-request -j ACCEPT", BUILT},
    {4, "-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT", BUILT},
    {4, "-A INPUT -p icmp -m icmp ! --icmp-type 8 -j ACCEPT", BUILT},
    {4, "-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT", BUILT},
    {4, "-A INPUT -p icmp -m icmp ! --icmp-type 3/4 -j ACCEPT", REFUSED},
    {4, "-A INPUT -p icmp --icmp-type port-unreachable -j DROP", BUILT},
    {6, "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT", BUILT},
    {6, "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/3 -j ACCEPT", BUILT},
    {6, "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 128 -j ACCEPT", BUILT},
    /* nat */
    {4, "-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080", BUILT},
    {4, "-t nat -A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1", BUILT},
    {4, "-t nat -A PREROUTING -d 1.2.3.4 -p udp -j DNAT --to-destination 10.0.0.1:53", BUILT},
    {4, "-t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1", BUILT},
    {4, "-t nat -A POSTROUTING -s 10.0.0.0/24 -j SNAT --to-source 1.2.3.4", BUILT},
    {4, "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000-2000", BUILT},
    {4, "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4-1.2.3.10", BUILT},
    {4, "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4 --random-fully", BUILT},
    {4, "-t nat -A POSTROUTING -o eth0 -j MASQUERADE", BUILT},
    {4, "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2000", BUILT},
    {4, "-t nat -A POSTROUTING -j MASQUERADE --random", BUILT},
    {4,
     "-t nat -A POSTROUTING -s 10.0.0.0/8 ! -d 10.0.0.0/8 -m comment --comment m -j "
     "MASQUERADE",
     BUILT},
    {6, "-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [2001:db8::1]:8080",
     BUILT},
    {4, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :8080", BUILT},
    {4, "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90", BUILT},
    {4, "-t nat -A PREROUTING -p udp ! --dport 53 -j DNAT --to-destination 1.1.1.1:53", BUILT},
    {4, "-t nat -A PREROUTING ! -p tcp -j DNAT --to-destination 1.1.1.1", BUILT},
    {4, "-t nat -A PREROUTING -p sctp -j DNAT --to-destination 1.1.1.1:80", REFUSED},
    {6, "-t nat -A POSTROUTING -o eth0 -j MASQUERADE", BUILT},
    {6, "-t nat -A POSTROUTING -j SNAT --to-source 2001:db8::1", BUILT},
    /* reject */
    {4, "-A INPUT -j REJECT", BUILT},
    {4, "-A INPUT -p tcp -j REJECT --reject-with tcp-reset", BUILT},
    {4, "-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset", BUILT},
    {4, "-A INPUT -j REJECT --reject-with icmp-host-prohibited", BUILT},
    {4, "-A INPUT -j REJECT --reject-with icmp-port-unreachable", BUILT},
    {4, "-A INPUT -j REJECT --reject-with icmp-admin-prohibited", BUILT},
    {4, "-A INPUT -j REJECT --reject-with icmp-net-unreachable", BUILT},
    {4, "-A INPUT -j REJECT --reject-with icmp-proto-unreachable", BUILT},
    {6, "-A INPUT -j REJECT", BUILT},
    {6, "-A INPUT -j REJECT --reject-with icmp6-adm-prohibited", BUILT},
    {6, "-A INPUT -j REJECT --reject-with icmp6-addr-unreachable", BUILT},
    {6, "-A INPUT -j REJECT --reject-with icmp6-policy-fail", REFUSED},
    {6, "-A INPUT -p tcp -j REJECT --reject-with tcp-reset", BUILT},
    /* log */
    {4, "-A INPUT -j LOG", BUILT},
    {4, "-A INPUT -j LOG --log-prefix \"IN: \"", BUILT},
    {4, "-A INPUT -j LOG --log-level debug --log-tcp-sequence", BUILT},
    {4, "-A INPUT -j LOG --log-level 4", BUILT},
    {4,
     "-A INPUT -j LOG --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid "
     "--log-macdecode",
     BUILT},
    {4, "-A INPUT -j LOG --log-prefix \"cost $5\"", REFUSED},
    {6, "-A INPUT -j LOG --log-prefix x --log-level alert --log-uid", BUILT},
    /* mark */
    {4, "-t mangle -A PREROUTING -j MARK --set-mark 0x1", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --set-xmark 0x1/0xff", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --set-xmark 0x0/0xff", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --or-mark 0x4", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --xor-mark 0x4", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --and-mark 0xff", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --set-mark 0x10/0xf0", BUILT},
    {4, "-t mangle -A PREROUTING -j MARK --xor-mark 0xffffffff", REFUSED},
    {4, "-t nat -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000", BUILT},
    /* counters (-c: values only when not 0), fragments */
    {4, "-A INPUT -c 10 20 -j ACCEPT", BUILT},
    {6, "-A INPUT -c 1 2", BUILT},
    {4, "-A INPUT -c 0 0 -j ACCEPT", BUILT},
    {4, "-A INPUT -c 0 77 -p udp -j DROP", BUILT},
    {6, "-A INPUT -c 9 0 -s 2001:db8::/32", BUILT},
    {4, "-A INPUT -c 4294967296,9223372036854775807 -j RETURN", BUILT},
    {6, "-A INPUT -p tcp --dport 22 -c 18446744073709551615 9223372036854775808 -j ACCEPT", BUILT},
    {4, "-A INPUT -f -j DROP", REFUSED},
};

/* Not built here: the JSON path's. (-m string never gets here: it has no
 * native form and the parser refuses it.) */
static const struct tcase refused[] = {
    {4, "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT", REFUSED},
    {4, "-A INPUT -m limit --limit 5/min -j ACCEPT", REFUSED},
    {4, "-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-name x -j ACCEPT", REFUSED},
    {4, "-A INPUT -p tcp -m connlimit --connlimit-above 10 -j REJECT", REFUSED},
    {4, "-A INPUT -m mark --mark 0x1 -j ACCEPT", REFUSED},
    {4, "-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT", REFUSED},
    {4, "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080", REFUSED},
    {4, "-A INPUT -m iprange --src-range 1.1.1.1-1.1.1.5", REFUSED},
    {4, "-A INPUT -m mac --mac-source 00:11:22:33:44:55", REFUSED},
    {4, "-t mangle -A PREROUTING -j CONNMARK --set-mark 1", REFUSED},
    {4, "-A INPUT -m pkttype --pkt-type broadcast", REFUSED},
    {4, "-A INPUT -p tcp -m tcp --tcp-option 2", REFUSED},
    {4, "-A INPUT -m conntrack --ctstatus ASSURED", REFUSED},
    {4, "-A INPUT -j NFLOG", REFUSED},
    {6, "-A INPUT -p tcp -m multiport --sports 1:2,5 -j ACCEPT", REFUSED},
};

static int run_case(const struct tcase *t)
{
	struct cmd c;
	struct nfsh_err e;
	char why[256];
	int rc = REFUSED;

	if (parse_line(t->line, t->family, &c, &e) < 0)
		fail_msg("\"%s\" does not parse: %s", t->line, e.msg);
	assert_true(c.nrules >= 1);
	for (int i = 0; i < c.nrules; i++) {
		rc = both_ways(&c.rules[i], why, sizeof(why));
		if (why[0])
			fail_msg("IPv%d \"%s\": %s", t->family, t->line, why);
		if (rc != t->expect)
			fail_msg("IPv%d \"%s\": %s, expected %s", t->family, t->line,
			         rc == BUILT ? "built" : "refused",
			         t->expect == BUILT ? "built" : "refused");
	}
	cmd_release(&c);
	return rc;
}

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static void test_shapes(void **state)
{
	int built = 0;

	(void)state;
	for (int i = 0; i < N(cases); i++)
		built += run_case(&cases[i]) == BUILT;
	/* Every entry's answer is asserted above; the count says the table is
	 * mostly built rules. */
	assert_int_equal(N(cases), 177);
	assert_int_equal(built, 160);
}

static void test_refused(void **state)
{
	(void)state;
	for (int i = 0; i < N(refused); i++)
		assert_int_equal(run_case(&refused[i]), REFUSED);
}

/* The comment buffer: too small for the comment is a refusal, not a cut. */
static void test_comment_room(void **state)
{
	struct cmd c;
	struct nfsh_err e;
	struct nftnl_rule *out = (struct nftnl_rule *)&c;
	char small[4];

	(void)state;
	assert_int_equal(parse_line("-A INPUT -m comment --comment hello", 4, &c, &e), 0);
	assert_int_equal(nll_rule_fast(&c.rules[0], &out, small, sizeof(small)), 1);
	assert_null(out);
	cmd_release(&c);
}

/* ---- the sweep ---- */

struct sweep {
	long built, refused, unparsed, mismatched;
};

static void sweep_line(const char *line, int family, const char *table, struct sweep *s)
{
	char full[8300], why[256];
	struct cmd c;
	struct nfsh_err e;

	snprintf(full, sizeof(full), "%s%s%s", table[0] ? "-t " : "", table, line);
	if (parse_line(full, family, &c, &e) < 0) {
		s->unparsed++;
		return;
	}
	for (int i = 0; i < c.nrules; i++) {
		int rc = both_ways(&c.rules[i], why, sizeof(why));

		if (why[0]) {
			s->mismatched++;
			print_message("MISMATCH IPv%d %s: %s\n", family, full, why);
		}
		if (rc == BUILT)
			s->built++;
		else
			s->refused++;
		if (rc != BUILT && getenv("NFSH_LIN_VERBOSE"))
			print_message("refused IPv%d %s\n", family, full);
	}
	cmd_release(&c);
}

/* One way only, for instruction counts. */
static void time_line(const char *line, int family, const char *table, const char *mode, long *n)
{
	char full[8300], comment[NFSH_COMMENT_MAX + 64];
	struct cmd c;
	struct nfsh_err e;

	snprintf(full, sizeof(full), "%s%s%s", table[0] ? "-t " : "", table, line);
	if (parse_line(full, family, &c, &e) < 0)
		return;
	for (int i = 0; i < c.nrules; i++) {
		struct nftnl_rule *r = NULL;
		int nfproto = family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

		if (!strcmp(mode, "fast")) {
			nll_rule_fast(&c.rules[i], &r, comment, sizeof(comment));
		} else if (!strcmp(mode, "json")) {
			json_t *j = xlate_rule(&c.rules[i], &e);

			r = j ? nll_rule(j, &nfproto) : NULL;
			json_decref(j);
		}
		if (r) {
			payload(r, nfproto, page_a, 4096);
			nftnl_rule_free(r);
			(*n)++;
		}
	}
	cmd_release(&c);
}

static void test_sweep(void **state)
{
	const char *path = getenv("NFSH_LIN_RULES"), *mode = getenv("NFSH_LIN_MODE");
	int repeat = getenv("NFSH_LIN_REPEAT") ? atoi(getenv("NFSH_LIN_REPEAT")) : 1;
	struct sweep s = {0};
	char line[8192], table[32];
	int family;
	long n = 0;
	FILE *f;

	(void)state;
	if (!path)
		skip();
	for (int k = 0; k < repeat; k++) {
		assert_non_null(f = fopen(path, "r"));
		family = 4;
		table[0] = '\0';
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '@')
				family = line[1] == '6' ? 6 : 4;
			else if (line[0] == '*')
				snprintf(table, sizeof(table), "%.30s ", line + 1);
			else if (line[0] == '-' && mode)
				time_line(line, family, table, mode, &n);
			else if (line[0] == '-')
				sweep_line(line, family, table, &s);
		}
		fclose(f);
	}
	if (mode) {
		print_message("mode %s: %ld rules built\n", mode, n);
		return;
	}
	print_message("sweep %s: %ld built, %ld refused, %ld unparsed, %ld mismatched\n", path,
	              s.built, s.refused, s.unparsed, s.mismatched);
	assert_int_equal(s.mismatched, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shapes),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_comment_room),
	    cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* ctnetlink parser and printers on captured and constructed messages: dump replies
 * (captured from this kernel, conntrack -L output beside them), events, errors,
 * malformed attributes; filters; the command-line parser. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "ct/ct_cli.h"

/* Captured from a dump (IPCTNL_MSG_CT_GET|NLM_F_DUMP) with nf_conntrack_acct=1 after
 *   conntrack -I -s 2001:db8::1 -d 2001:db8::2 -p udp --sport 10 --dport 20 -t 50 \
 *       --dst-nat 2001:db8::3
 *   conntrack -I -s 192.168.1.2 -d 10.0.0.1 -p tcp --sport 52046 --dport 443 \
 *       --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 431999 -m 7 -w 3 */
static const uint8_t cap_udp6[] = {
    0x28, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x90, 0x50, 0x00, 0x00,
    0x0a, 0x00, 0x00, 0x00, 0x4c, 0x00, 0x01, 0x80, 0x2c, 0x00, 0x01, 0x80, 0x14, 0x00, 0x03, 0x00,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x14, 0x00, 0x04, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x1c, 0x00, 0x02, 0x80, 0x05, 0x00, 0x01, 0x00, 0x11, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x02, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00, 0x00, 0x14, 0x00, 0x00,
    0x4c, 0x00, 0x02, 0x80, 0x2c, 0x00, 0x01, 0x80, 0x14, 0x00, 0x03, 0x00, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x14, 0x00, 0x04, 0x00,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x1c, 0x00, 0x02, 0x80, 0x05, 0x00, 0x01, 0x00, 0x11, 0x00, 0x00, 0x00, 0x06, 0x00, 0x02, 0x00,
    0x00, 0x14, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00,
    0x00, 0x00, 0x01, 0xa8, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0c, 0x00,
    0xc6, 0xbc, 0x68, 0x1c, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x07, 0x00,
    0x00, 0x00, 0x00, 0x31, 0x1c, 0x00, 0x09, 0x80, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x1c, 0x00, 0x0a, 0x80, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0c, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x18, 0x80,
    0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t cap_tcp4[] = {
    0x30, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x90, 0x50, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x34, 0x00, 0x01, 0x80, 0x14, 0x00, 0x01, 0x80, 0x08, 0x00, 0x01, 0x00,
    0xc0, 0xa8, 0x01, 0x02, 0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x1c, 0x00, 0x02, 0x80,
    0x05, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x06, 0x00, 0x02, 0x00, 0xcb, 0x4e, 0x00, 0x00,
    0x06, 0x00, 0x03, 0x00, 0x01, 0xbb, 0x00, 0x00, 0x34, 0x00, 0x02, 0x80, 0x14, 0x00, 0x01, 0x80,
    0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x08, 0x00, 0x02, 0x00, 0xc0, 0xa8, 0x01, 0x02,
    0x1c, 0x00, 0x02, 0x80, 0x05, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x06, 0x00, 0x02, 0x00,
    0x01, 0xbb, 0x00, 0x00, 0x06, 0x00, 0x03, 0x00, 0xcb, 0x4e, 0x00, 0x00, 0x06, 0x00, 0x12, 0x00,
    0x00, 0x03, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x08, 0x00, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x07, 0x08, 0x00, 0x0c, 0x00, 0xa9, 0x8f, 0xb3, 0x3d, 0x08, 0x00, 0x0b, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x07, 0x00, 0x00, 0x06, 0x97, 0x7e, 0x30, 0x00, 0x04, 0x80,
    0x2c, 0x00, 0x01, 0x80, 0x05, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x04, 0x00,
    0x0a, 0x00, 0x00, 0x00, 0x06, 0x00, 0x05, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x09, 0x80,
    0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x0a, 0x80, 0x0c, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x18, 0x80, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};

static struct ct_msg parse_ok(const uint8_t *buf)
{
	struct ct_msg m;

	assert_int_equal(ct_msg_parse((const struct nlmsghdr *)buf, &m), MNL_CB_OK);
	return m;
}

static const char *fmt(const struct ct_msg *m, unsigned of)
{
	static struct ct_line l; /* test-only: one result at a time */

	ct_format_default(&l, m, of, CT_EV_NONE, NULL);
	return l.buf;
}

static void test_default_tcp(void **state)
{
	(void)state;
	struct ct_msg m = parse_ok(cap_tcp4);
	assert_string_equal(
	    fmt(&m, 0), "tcp      6 431998 ESTABLISHED src=192.168.1.2 dst=10.0.0.1 sport=52046 "
	                "dport=443 packets=0 bytes=0 src=10.0.0.1 dst=192.168.1.2 sport=443 "
	                "dport=52046 packets=0 bytes=0 [ASSURED] mark=7 zone=3 use=1");
	assert_string_equal(fmt(&m, CT_O_EXT | CT_O_ID),
	                    "ipv4     2 tcp      6 431998 ESTABLISHED src=192.168.1.2 dst=10.0.0.1 "
	                    "sport=52046 dport=443 packets=0 bytes=0 src=10.0.0.1 dst=192.168.1.2 "
	                    "sport=443 dport=52046 packets=0 bytes=0 [ASSURED] mark=7 zone=3 use=1 "
	                    "id=2844767037");
}

static void test_default_udp6_dnat(void **state)
{
	(void)state;
	struct ct_msg m = parse_ok(cap_udp6);
	assert_string_equal(
	    fmt(&m, 0),
	    "udp      17 49 src=2001:db8::1 dst=2001:db8::2 sport=10 dport=20 packets=0 "
	    "bytes=0 [UNREPLIED] src=2001:db8::3 dst=2001:db8::1 sport=20 dport=10 "
	    "packets=0 bytes=0 mark=0 use=1");
}

static void test_save(void **state)
{
	struct ct_line l;
	(void)state;
	struct ct_msg m = parse_ok(cap_udp6);
	ct_format_save(&l, &m, CT_EV_NONE);
	assert_string_equal(l.buf,
	                    "-A -t 49 -u UNSET -s 2001:db8::1 -d 2001:db8::2 -g 2001:db8::3 "
	                    "-q 2001:db8::1 -p udp --sport 10 --dport 20 --reply-port-src 20 "
	                    "--reply-port-dst 10");
	m = parse_ok(cap_tcp4);
	ct_format_save(&l, &m, CT_EV_DESTROY);
	assert_string_equal(l.buf,
	                    "-D -t 431998 -u SEEN_REPLY,ASSURED -w 3 -s 192.168.1.2 -d 10.0.0.1 "
	                    "-r 10.0.0.1 -q 192.168.1.2 -p tcp --sport 52046 --dport 443 "
	                    "--reply-port-src 443 --reply-port-dst 52046 --state ESTABLISHED");
}

static void test_json(void **state)
{
	struct ct_line l;
	(void)state;
	struct ct_msg m = parse_ok(cap_tcp4);
	assert_int_equal(ct_format_json(&l, &m, CT_EV_NEW, NULL), 0);
	assert_string_equal(
	    l.buf, "{\"event\":\"new\",\"family\":\"ipv4\",\"protocol\":\"tcp\",\"protonum\":6,"
	           "\"timeout\":431998,\"state\":\"ESTABLISHED\",\"orig\":{\"src\":\"192.168.1.2\","
	           "\"dst\":\"10.0.0.1\",\"sport\":52046,\"dport\":443,\"packets\":0,\"bytes\":0},"
	           "\"reply\":{\"src\":\"10.0.0.1\",\"dst\":\"192.168.1.2\",\"sport\":443,"
	           "\"dport\":52046,\"packets\":0,\"bytes\":0},\"status\":[\"SEEN_REPLY\","
	           "\"ASSURED\",\"CONFIRMED\"],\"mark\":7,\"zone\":3,\"use\":1,\"id\":2844767037}");
}

/* Parse a conntrack command line into its filter. */
static struct ct_cmd *cmd(const char *line)
{
	static char buf[512];
	char *argv[64], *save = NULL, *tok;
	int argc = 0;
	struct ct_cmd *c = calloc(1, sizeof(*c));
	struct nfsh_err e;

	assert_non_null(c);
	snprintf(buf, sizeof(buf), "conntrack %s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err_clear(&e);
	if (ct_cmd_parse(c, argc, argv, &e) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

static bool matches(const char *line, const uint8_t *msg)
{
	struct ct_cmd *c = cmd(line);
	struct ct_msg m = parse_ok(msg);
	bool r;

	assert_non_null(c);
	r = ct_filter_match(&c->f, &m);
	ct_cmd_free(c);
	free(c);
	return r;
}

static void test_filters(void **state)
{
	(void)state;
	assert_true(matches("-L", cap_tcp4));
	assert_true(matches("-L -p tcp", cap_tcp4));
	assert_false(matches("-L -p udp", cap_tcp4));
	assert_true(matches("-L -f ipv4", cap_tcp4));
	assert_false(matches("-L -f ipv6", cap_tcp4));
	assert_true(matches("-L -s 192.168.1.0/24", cap_tcp4));
	assert_false(matches("-L -s 192.168.2.0/24", cap_tcp4));
	assert_true(matches("-L -s 192.168.0.0 --mask-src 255.255.0.0", cap_tcp4));
	assert_true(matches("-L --mask-src 255.255.0.0 -s 192.168.0.0", cap_tcp4));
	assert_false(matches("-L -s 192.168.0.0 --mask-src 255.255.255.0", cap_tcp4));
	assert_true(matches("-L -d 10.0.0.0 --mask-dst 255.0.0.0", cap_tcp4));
	assert_true(matches("-L -r 10.0.0.1 -q 192.168.1.2", cap_tcp4));
	assert_true(matches("-L -p tcp --sport 52046 --dport 443", cap_tcp4));
	assert_false(matches("-L -p tcp --dport 80", cap_tcp4));
	assert_true(matches("-L -p tcp --reply-port-src 443", cap_tcp4));
	assert_true(matches("-L -p tcp --state ESTABLISHED", cap_tcp4));
	assert_false(matches("-L -p tcp --state SYN_SENT", cap_tcp4));
	assert_true(matches("-L -m 7", cap_tcp4));
	assert_true(matches("-L -m 3/3", cap_tcp4));
	assert_false(matches("-L -m 8/8", cap_tcp4));
	assert_true(matches("-L -u ASSURED", cap_tcp4));
	assert_false(matches("-L -u UNREPLIED", cap_tcp4));
	assert_false(matches("-L -u !SEEN_REPLY", cap_tcp4));
	assert_true(matches("-L -w 3", cap_tcp4));
	assert_false(matches("-L -w 0", cap_tcp4));
	assert_true(matches("-L -w 0", cap_udp6));
	assert_true(matches("-L -i 2844767037", cap_tcp4));
	assert_false(matches("-L --dst-nat", cap_tcp4));
	assert_true(matches("-L --dst-nat", cap_udp6));
	assert_true(matches("-L --dst-nat 2001:db8::3", cap_udp6));
	assert_false(matches("-L --dst-nat 2001:db8::4", cap_udp6));
	assert_false(matches("-L --src-nat", cap_udp6));
	assert_true(matches("-L --any-nat", cap_udp6));
	assert_true(matches("-L -s 2001:db8::/64", cap_udp6));
	assert_false(matches("-L -s 2001:db9::/32", cap_udp6));
	assert_true(matches("-L -u UNREPLIED", cap_udp6));
}

/* The kernel part of a filter: exact only for what ctnetlink matches exactly. */
static void test_kernel_exact(void **state)
{
	static const struct {
		const char *line;
		bool exact;
	} cases[] = {
	    {"-D -m 7", true},
	    {"-D -f ipv6", true},
	    {"-D -w 3", true},
	    {"-D -w 0", false},
	    {"-D -s 1.1.1.1", true},
	    {"-D -s 1.1.1.0/24", false},
	    {"-D -s 2001:db8::1", false}, /* IPv6 addresses: user space only */
	    {"-D -f ipv4 -p tcp --dport 80", true},
	    {"-D -p tcp --dport 80", false}, /* CTA_FILTER needs a family */
	    {"-D -p tcp --state ESTABLISHED", false},
	    {"-D -u SEEN_REPLY", true},
	    {"-D --src-nat", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ct_cmd *c = cmd(cases[i].line);
		assert_non_null(c);
		if (ct_filter_kernel_exact(&c->f) != cases[i].exact)
			fail_msg("%s: exact should be %d", cases[i].line, cases[i].exact);
		ct_cmd_free(c);
		free(c);
	}
}

static void test_cmdline_errors(void **state)
{
	static const char *const bad[] = {
	    "-L --foo",
	    "-L -p tcp --state XX",
	    "-L -f ipv5",
	    "-L -s 1.1.1.1 -d ::1",
	    "-L --dst-nat --any-nat",
	    "-L --dst-nat 1.1.1.1:",
	    "-L --dst-nat 1.1.1.1:65536",
	    "-L --dst-nat 1.1.1.1:80:80",
	    "-L -p 256",
	    "-L -p foo",
	    "-L -m x",
	    "-L -u FOO",
	    "-L -L",
	    "",
	    "-E -e FOO",
	    "-L -o bogus",
	    "-L --mask-src 255.0.0.0",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ct_cmd *c = cmd(bad[i]);
		if (c) {
			ct_cmd_free(c);
			free(c);
			fail_msg("accepted: %s", bad[i]);
		}
	}
	struct ct_cmd *c = cmd("-L --dst-nat [2001:db8::3]:80");
	assert_non_null(c);
	assert_int_equal(c->f.nat_port, 80);
	ct_cmd_free(c);
	free(c);
}

/* Events: constructed as the kernel sends them. */
static size_t build_event(uint8_t *buf, uint8_t msgtype, uint16_t flags)
{
	struct nlmsghdr *nlh = ct_req_start((char *)buf, ct_type(msgtype), 0, AF_INET, 0, 0);
	struct ct_tuple t = {.l3 = AF_INET, .l4 = IPPROTO_UDP, .has_l4 = true};

	nlh->nlmsg_flags = flags;
	memcpy(t.src, "\x0a\x00\x00\x01", 4);
	memcpy(t.dst, "\x0a\x00\x00\x02", 4);
	t.has_src = t.has_dst = t.has_sport = t.has_dport = true;
	t.sport = 1000, t.dport = 53;
	ct_put_tuple(nlh, CTA_TUPLE_ORIG, &t);
	memcpy(t.src, "\x0a\x00\x00\x02", 4);
	memcpy(t.dst, "\x0a\x00\x00\x01", 4);
	t.sport = 53, t.dport = 1000;
	ct_put_tuple(nlh, CTA_TUPLE_REPLY, &t);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED));
	if (msgtype == IPCTNL_MSG_CT_NEW)
		mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(30));
	mnl_attr_put_u32(nlh, CTA_MARK, 0);
	return nlh->nlmsg_len;
}

static void test_events(void **state)
{
	uint8_t buf[1024];
	struct ct_line l;
	struct ct_msg m;
	(void)state;

	build_event(buf, IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL);
	m = parse_ok(buf);
	assert_int_equal(ct_msg_evtype(&m), CT_EV_NEW);
	ct_format_default(&l, &m, 0, CT_EV_NEW, NULL);
	assert_string_equal(l.buf, "    [NEW] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=1000 "
	                           "dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 "
	                           "dport=1000 mark=0");
	build_event(buf, IPCTNL_MSG_CT_NEW, 0);
	m = parse_ok(buf);
	assert_int_equal(ct_msg_evtype(&m), CT_EV_UPDATE);
	build_event(buf, IPCTNL_MSG_CT_DELETE, 0);
	m = parse_ok(buf);
	assert_int_equal(ct_msg_evtype(&m), CT_EV_DESTROY);
	ct_format_default(&l, &m, 0, CT_EV_DESTROY, NULL);
	assert_string_equal(l.buf, "[DESTROY] udp      17 src=10.0.0.1 dst=10.0.0.2 sport=1000 "
	                           "dport=53 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=53 "
	                           "dport=1000 mark=0");
}

/* Malformed attributes are refused, never read past. */
static void test_malformed(void **state)
{
	uint8_t buf[512];
	struct nlmsghdr *nlh;
	struct nlattr *n1, *n2;
	struct ct_msg m;
	(void)state;

	nlh = ct_req_start((char *)buf, ct_type(IPCTNL_MSG_CT_NEW), 0, AF_INET6, 0, 0);
	n1 = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V6_SRC, 8, "12345678"); /* 8 bytes, not 16 */
	mnl_attr_nest_end(nlh, n2);
	mnl_attr_nest_end(nlh, n1);
	assert_int_equal(ct_msg_parse(nlh, &m), MNL_CB_ERROR);

	nlh = ct_req_start((char *)buf, ct_type(IPCTNL_MSG_CT_NEW), 0, AF_INET, 0, 0);
	mnl_attr_put_u16(nlh, CTA_MARK, 1); /* u16 where a u32 belongs */
	assert_int_equal(ct_msg_parse(nlh, &m), MNL_CB_ERROR);

	nlh = ct_req_start((char *)buf, ct_type(IPCTNL_MSG_CT_NEW), 0, AF_INET, 0, 0);
	mnl_attr_put_u32(nlh, CTA_TUPLE_ORIG, 1); /* not a nest */
	assert_int_equal(ct_msg_parse(nlh, &m), MNL_CB_ERROR);

	nlh = ct_req_start((char *)buf, ct_type(IPCTNL_MSG_CT_NEW), 0, AF_INET, 0, 0);
	mnl_attr_put_u32(nlh, 200, 1); /* unknown attribute: skipped */
	assert_int_equal(ct_msg_parse(nlh, &m), MNL_CB_OK);

	/* a truncated capture */
	memcpy(buf, cap_tcp4, 64);
	((struct nlmsghdr *)buf)->nlmsg_len = 64;
	assert_int_equal(ct_msg_parse((struct nlmsghdr *)buf, &m), MNL_CB_ERROR);
}

/* An error reply as the kernel sends it: mnl_cb_run fails with its errno. */
static void test_error_reply(void **state)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;
	(void)state;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 7;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -ENOENT;
	assert_int_equal(mnl_cb_run(buf, nlh->nlmsg_len, 7, 0, NULL, NULL), MNL_CB_ERROR);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(ct_strerror(ENOENT, CT_CMD_DELETE), "such conntrack doesn't exist");
	assert_string_equal(ct_strerror(EEXIST, CT_CMD_CREATE),
	                    "Such conntrack exists, try -U to update");
}

static void test_labels(void **state)
{
	uint8_t buf[1024];
	uint32_t bits[4] = {0};
	struct nlmsghdr *nlh;
	struct ct_msg m;
	struct ct_line l;
	(void)state;

	build_event(buf, IPCTNL_MSG_CT_NEW, NLM_F_CREATE);
	nlh = (struct nlmsghdr *)buf;
	bits[0] = 1u << 3;
	bits[1] = 1u << 1; /* label 33 */
	mnl_attr_put(nlh, CTA_LABELS, sizeof(bits), bits);
	m = parse_ok(buf);
	assert_true(matches("-L -l 3", buf));
	assert_true(matches("-L -l 3,33", buf));
	assert_false(matches("-L -l 4", buf));
	assert_int_equal(ct_format_json(&l, &m, CT_EV_NONE, NULL), 0);
	assert_non_null(strstr(l.buf, "\"labels\":[3,33]"));
}

/* The kernel part of a dump request, read back attribute by attribute. */
static int req_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, CTA_MAX) >= 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void test_kernel_request(void **state)
{
	char buf[CT_REQBUF];
	const struct nlattr *tb[CTA_MAX + 1] = {0}, *ftb[CTA_FILTER_MAX + 1] = {0};
	struct ct_tuple_tb otb;
	struct ct_tuple t;
	struct nlmsghdr *nlh;
	struct ct_cmd *c =
	    cmd("-L -f ipv4 -p tcp -s 1.2.3.4 --dport 80 -m 5/0xff -u SEEN_REPLY,!ASSURED -w 3");
	struct nlattr *a;
	(void)state;

	assert_non_null(c);
	nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_GET), NLM_F_DUMP, c->f.family, 1, 0);
	assert_true(ct_filter_put_kernel(nlh, &c->f));
	assert_true(ct_filter_kernel_exact(&c->f));
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), req_cb, tb);
	assert_int_equal(ntohl(mnl_attr_get_u32(tb[CTA_MARK])), 5);
	assert_int_equal(ntohl(mnl_attr_get_u32(tb[CTA_MARK_MASK])), 0xff);
	assert_int_equal(ntohl(mnl_attr_get_u32(tb[CTA_STATUS])), IPS_SEEN_REPLY);
	assert_int_equal(ntohl(mnl_attr_get_u32(tb[CTA_STATUS_MASK])),
	                 IPS_SEEN_REPLY | IPS_ASSURED);
	assert_int_equal(ntohs(mnl_attr_get_u16(tb[CTA_ZONE])), 3);
	mnl_attr_for_each_nested(a, tb[CTA_FILTER]) ftb[mnl_attr_get_type(a)] = a;
	/* IP_SRC | PROTO_NUM | PROTO_DST_PORT */
	assert_int_equal(mnl_attr_get_u32(ftb[CTA_FILTER_ORIG_FLAGS]),
	                 (1u << 0) | (1u << 3) | (1u << 5));
	/* the protocol number is matched in both directions */
	assert_int_equal(mnl_attr_get_u32(ftb[CTA_FILTER_REPLY_FLAGS]), 1u << 3);
	/* the tuple carries the values, parsed with the reply parser */
	memset(&otb, 0, sizeof(otb));
	mnl_attr_for_each_nested(a, tb[CTA_TUPLE_ORIG])
	{
		struct nlattr *b;
		mnl_attr_for_each_nested(b, a)
		{
			if (mnl_attr_get_type(a) == CTA_TUPLE_IP)
				otb.ip[mnl_attr_get_type(b)] = b;
			else
				otb.proto[mnl_attr_get_type(b)] = b;
		}
	}
	ct_tuple_get(&otb, AF_INET, &t);
	assert_true(t.has_src && !t.has_dst);
	assert_memory_equal(t.src, "\x01\x02\x03\x04", 4);
	assert_true(t.has_l4 && t.l4 == IPPROTO_TCP && t.has_dport && t.dport == 80 &&
	            !t.has_sport);
	ct_cmd_free(c);
	free(c);

	/* IPv6 addresses never go to the kernel (it returned the inverse set here) */
	c = cmd("-L -s 2001:db8::1 -p udp");
	nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_GET), NLM_F_DUMP, c->f.family, 1, 0);
	ct_filter_put_kernel(nlh, &c->f);
	memset(tb, 0, sizeof(tb));
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), req_cb, tb);
	memset(ftb, 0, sizeof(ftb));
	mnl_attr_for_each_nested(a, tb[CTA_FILTER]) ftb[mnl_attr_get_type(a)] = a;
	assert_int_equal(mnl_attr_get_u32(ftb[CTA_FILTER_ORIG_FLAGS]), 1u << 3);
	assert_false(ct_filter_kernel_exact(&c->f));
	ct_cmd_free(c);
	free(c);
}

/* -o save output is a command line that parses back to the same tuple. */
static void test_save_roundtrip(void **state)
{
	struct ct_line l;
	struct ct_msg m = parse_ok(cap_tcp4);
	struct ct_cmd *c;
	struct ct_tuple o;
	(void)state;

	ct_format_save(&l, &m, CT_EV_NONE);
	c = cmd(l.buf);
	assert_non_null(c);
	assert_int_equal(c->command, CT_CMD_ADD);
	ct_tuple_get(&m.orig, m.family, &o);
	assert_memory_equal(c->orig.src, o.src, 4);
	assert_memory_equal(c->orig.dst, o.dst, 4);
	assert_int_equal(c->orig.sport, o.sport);
	assert_int_equal(c->orig.dport, o.dport);
	assert_int_equal(c->zone, 3);
	assert_int_equal(c->tcp_state, 3);
	assert_int_equal(c->status, IPS_SEEN_REPLY | IPS_ASSURED);
	assert_true(c->has_timeout && c->timeout == 431998);
	assert_true(ct_filter_match(&c->f, &m));
	ct_cmd_free(c);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_tcp),    cmocka_unit_test(test_default_udp6_dnat),
	    cmocka_unit_test(test_save),           cmocka_unit_test(test_json),
	    cmocka_unit_test(test_filters),        cmocka_unit_test(test_kernel_exact),
	    cmocka_unit_test(test_cmdline_errors), cmocka_unit_test(test_events),
	    cmocka_unit_test(test_malformed),      cmocka_unit_test(test_error_reply),
	    cmocka_unit_test(test_labels),         cmocka_unit_test(test_kernel_request),
	    cmocka_unit_test(test_save_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

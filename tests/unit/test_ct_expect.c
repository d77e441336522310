/* Expectation messages: parsed (every attribute validated) and printed as
 * conntrack -L expect and -E expect print them. The expected lines are
 * conntrack 1.4.7's output for an FTP PASV expectation on this kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "ct/ct_cli.h"

static struct ct_tuple v4_tuple(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	struct ct_tuple t;

	memset(&t, 0, sizeof(t));
	t.l3 = AF_INET;
	t.l4 = IPPROTO_TCP;
	t.has_l4 = t.has_src = t.has_dst = t.has_sport = t.has_dport = true;
	inet_pton(AF_INET, src, t.src);
	inet_pton(AF_INET, dst, t.dst);
	t.sport = sport, t.dport = dport;
	return t;
}

/* The attributes in the kernel's order (ctnetlink_exp_dump_expect). */
static struct nlmsghdr *build_exp(char *buf, uint8_t msgtype, uint16_t flags)
{
	struct nlmsghdr *nlh = ct_req_start(
	    buf, (uint16_t)((NFNL_SUBSYS_CTNETLINK_EXP << 8) | msgtype), flags, AF_INET, 0, 0);
	struct ct_tuple t = v4_tuple("127.0.0.1", "127.0.0.1", 0, 40000);
	struct ct_tuple m = v4_tuple("255.255.255.255", "255.255.255.255", 0, 65535);
	struct ct_tuple master = v4_tuple("127.0.0.1", "127.0.0.1", 39644, 21);

	ct_put_tuple(nlh, CTA_EXPECT_TUPLE, &t);
	ct_put_tuple(nlh, CTA_EXPECT_MASK, &m);
	ct_put_tuple(nlh, CTA_EXPECT_MASTER, &master);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(299));
	mnl_attr_put_u32(nlh, CTA_EXPECT_ID, htonl(0x12345678));
	mnl_attr_put_u32(nlh, CTA_EXPECT_FLAGS, htonl(0));
	mnl_attr_put_u32(nlh, CTA_EXPECT_CLASS, htonl(0));
	mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME, "ftp");
	return nlh;
}

static void test_text(void **state)
{
	char buf[CT_REQBUF];
	struct ct_line l;
	(void)state;

	assert_int_equal(
	    ct_exp_format(&l, build_exp(buf, IPCTNL_MSG_EXP_NEW, NLM_F_MULTI), false, CT_EV_NONE),
	    0);
	assert_string_equal(l.buf, "299 proto=6 src=127.0.0.1 dst=127.0.0.1 sport=0 dport=40000 "
	                           "mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 "
	                           "dport=65535 master-src=127.0.0.1 master-dst=127.0.0.1 "
	                           "sport=39644 dport=21 class=0 helper=ftp");
	assert_int_equal(
	    ct_exp_format(&l, build_exp(buf, IPCTNL_MSG_EXP_DELETE, 0), false, CT_EV_DESTROY), 0);
	assert_true(strncmp(l.buf, "[DESTROY] 299 proto=6 ", 22) == 0);
}

static void test_xml(void **state)
{
	char buf[CT_REQBUF];
	struct ct_line l;
	(void)state;

	assert_int_equal(
	    ct_exp_format(&l, build_exp(buf, IPCTNL_MSG_EXP_NEW, NLM_F_CREATE), true, CT_EV_NEW),
	    0);
	assert_string_equal(
	    l.buf,
	    "<flow type=\"new\"><layer3 protonum=\"2\" protoname=\"ipv4\"><expected><src>127.0.0.1"
	    "</src><dst>127.0.0.1</dst></expected><mask><src>255.255.255.255</src><dst>"
	    "255.255.255.255</dst></mask><master><src>127.0.0.1</src><dst>127.0.0.1</dst></master>"
	    "</layer3><layer4 protonum=\"6\" protoname=\"tcp\"><expected><sport>0</sport><dport>"
	    "40000</dport></expected><mask><sport>0</sport><dport>65535</dport></mask><master>"
	    "<sport>39644</sport><dport>21</dport></master></layer4><meta><helper-name>ftp"
	    "</helper-name><timeout>299</timeout><class>0</class></meta></flow>");
}

/* A wrong length anywhere, a helper name without its NUL, a truncated nest: refused. */
static void test_malformed(void **state)
{
	char buf[CT_REQBUF];
	struct ct_line l;
	struct nlmsghdr *nlh;
	struct nlattr *a;
	(void)state;

	nlh = build_exp(buf, IPCTNL_MSG_EXP_NEW, 0);
	mnl_attr_put_u16(nlh, CTA_EXPECT_TIMEOUT, 1); /* u32 attribute with 2 bytes */
	assert_int_equal(ct_exp_format(&l, nlh, false, CT_EV_NONE), -1);

	nlh = build_exp(buf, IPCTNL_MSG_EXP_NEW, 0);
	mnl_attr_put(nlh, CTA_EXPECT_FN, 3, "abc"); /* NUL_STRING without NUL */
	assert_int_equal(ct_exp_format(&l, nlh, false, CT_EV_NONE), -1);

	nlh = build_exp(buf, IPCTNL_MSG_EXP_NEW, 0);
	a = (struct nlattr *)((char *)nlh + mnl_nlmsg_size(sizeof(struct nfgenmsg)));
	a->nla_len += 8; /* the first nest claims more than it holds */
	assert_int_equal(ct_exp_format(&l, nlh, false, CT_EV_NONE), -1);

	nlh = build_exp(buf, IPCTNL_MSG_EXP_NEW, 0);
	nlh->nlmsg_len -= 2; /* the message ends inside the last attribute */
	assert_int_equal(ct_exp_format(&l, nlh, false, CT_EV_NONE), -1);

	nlh = build_exp(buf, IPCTNL_MSG_EXP_NEW, 0);
	mnl_attr_put_u32(nlh, 200, 7); /* unknown attribute types are skipped */
	assert_int_equal(ct_exp_format(&l, nlh, false, CT_EV_NONE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_xml),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

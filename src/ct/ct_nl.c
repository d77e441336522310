/* ctnetlink sockets and requests over libmnl. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ct/ct_int.h"

int ct_sock_open(struct ct_sock *s, unsigned groups)
{
	memset(s, 0, sizeof(*s));
	s->buf = malloc(CT_RCVBUF);
	if (!s->buf)
		return -ENOMEM;
	s->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!s->nl) {
		int e = errno;
		free(s->buf);
		s->buf = NULL;
		return -e;
	}
	if (mnl_socket_bind(s->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		ct_sock_close(s);
		return -e;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void ct_sock_close(struct ct_sock *s)
{
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

struct nlmsghdr *ct_req_start(char *buf, uint16_t type, uint16_t flags, uint8_t family,
                              uint8_t version, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = version;
	nfg->res_id = 0;
	return nlh;
}

int ct_sock_run(struct ct_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++s->seq;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(s->nl, s->buf, CT_RCVBUF);
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(s->buf, (size_t)n, s->seq, s->portid, cb, data);
		if (ret < 0)
			return errno ? -errno : -EINVAL;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

void ct_put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct ct_tuple *t)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type), *n2;
	bool v6 = t->l3 == AF_INET6;

	n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (t->has_src) {
		if (v6)
			mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, t->src);
		else
			mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, t->src);
	}
	if (t->has_dst) {
		if (v6)
			mnl_attr_put(nlh, CTA_IP_V6_DST, 16, t->dst);
		else
			mnl_attr_put(nlh, CTA_IP_V4_DST, 4, t->dst);
	}
	mnl_attr_nest_end(nlh, n2);
	n2 = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	if (t->has_l4)
		mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->l4);
	if (t->has_sport)
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
	if (t->has_dport)
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	if (t->l4 == IPPROTO_ICMPV6) {
		if (t->has_iid)
			mnl_attr_put_u16(nlh, CTA_PROTO_ICMPV6_ID, htons(t->iid));
		if (t->has_itype)
			mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_TYPE, t->itype);
		if (t->has_icode)
			mnl_attr_put_u8(nlh, CTA_PROTO_ICMPV6_CODE, t->icode);
	} else if (t->l4 == IPPROTO_ICMP) {
		if (t->has_iid)
			mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(t->iid));
		if (t->has_itype)
			mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, t->itype);
		if (t->has_icode)
			mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, t->icode);
	}
	mnl_attr_nest_end(nlh, n2);
	if (t->has_zone)
		mnl_attr_put_u16(nlh, CTA_TUPLE_ZONE, htons(t->zone));
	mnl_attr_nest_end(nlh, nest);
}

/* Copy a tuple from a dump reply into a request (delete/update by tuple). */
void ct_put_tuple_tb(struct nlmsghdr *nlh, uint16_t type, const struct ct_tuple_tb *tb)
{
	struct ct_tuple t;

	ct_tuple_get(tb, 0, &t);
	ct_put_tuple(nlh, type, &t);
}

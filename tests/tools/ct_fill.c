/* Fill the conntrack table of the current namespace through ctnetlink, fast:
 * many IPCTNL_MSG_CT_NEW messages per sendto, errors read back without ACKs.
 *   ct_fill COUNT [--v6] [--zone Z] [--mark M] [--base N]
 * Entries are UDP 10.a.b.c:sport -> 10.255.0.1:53 (or fd00::a:b:c). */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH (64 * 1024)

static void put_tuple(struct nlmsghdr *nlh, int type, int v6, const uint8_t *src,
                      const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, v6 ? 16 : 4, src);
	mnl_attr_put(nlh, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, v6 ? 16 : 4, dst);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_UDP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static int drain(struct mnl_socket *nl, char *rbuf, unsigned long *errors)
{
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(nl), rbuf, MNL_SOCKET_BUFFER_SIZE, MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, (int)n);
		     h = mnl_nlmsg_next(h, (int *)&n))
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (e->error)
					(*errors)++;
			}
	}
}

int main(int argc, char **argv)
{
	unsigned long count, errors = 0, base = 0, i;
	int v6 = 0, zone = -1;
	long mark = -1;
	char *buf, rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	size_t off = 0;
	uint32_t seq = (uint32_t)time(NULL);

	if (argc < 2) {
		fprintf(stderr, "usage: ct_fill COUNT [--v6] [--zone Z] [--mark M] [--base N]\n");
		return 2;
	}
	count = strtoul(argv[1], NULL, 0);
	for (int a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--v6"))
			v6 = 1;
		else if (!strcmp(argv[a], "--zone") && a + 1 < argc)
			zone = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--mark") && a + 1 < argc)
			mark = strtol(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--base") && a + 1 < argc)
			base = strtoul(argv[++a], NULL, 0);
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	buf = malloc(BATCH);
	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ct_fill: netlink");
		return 1;
	}
	{
		int v = 8 * 1024 * 1024;
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v));
	}
	for (i = 0; i < count; i++) {
		unsigned long k = i + base;
		uint8_t src[16] = {0}, dst[16] = {0};
		uint16_t sport = (uint16_t)(1024 + (k % 60000)), dport = 53;
		unsigned long h = k / 60000;
		struct nlmsghdr *nlh;
		struct nfgenmsg *nfg;

		if (v6) {
			src[0] = 0xfd, src[13] = (uint8_t)(h >> 16), src[14] = (uint8_t)(h >> 8),
			src[15] = (uint8_t)h;
			dst[0] = 0xfd, dst[15] = 1, dst[1] = 0xff;
		} else {
			src[0] = 10, src[1] = (uint8_t)(h >> 16), src[2] = (uint8_t)(h >> 8),
			src[3] = (uint8_t)h;
			dst[0] = 10, dst[1] = 255, dst[3] = 1;
		}
		if (off + 512 > BATCH) {
			if (mnl_socket_sendto(nl, buf, off) < 0) {
				perror("ct_fill: sendto");
				return 1;
			}
			off = 0;
			drain(nl, rbuf, &errors);
		}
		nlh = mnl_nlmsg_put_header(buf + off);
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
		nlh->nlmsg_seq = ++seq;
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = v6 ? AF_INET6 : AF_INET;
		nfg->version = 0;
		put_tuple(nlh, CTA_TUPLE_ORIG, v6, src, dst, sport, dport);
		put_tuple(nlh, CTA_TUPLE_REPLY, v6, dst, src, dport, sport);
		mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_SEEN_REPLY));
		mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(3600));
		if (mark >= 0)
			mnl_attr_put_u32(nlh, CTA_MARK, htonl((uint32_t)mark));
		if (zone >= 0)
			mnl_attr_put_u16(nlh, CTA_ZONE, htons((uint16_t)zone));
		off += nlh->nlmsg_len;
	}
	if (off && mnl_socket_sendto(nl, buf, off) < 0) {
		perror("ct_fill: sendto");
		return 1;
	}
	/* A final ACKed no-op so all errors for earlier messages have arrived. */
	{
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct nfgenmsg *nfg;
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = ++seq;
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		memset(nfg, 0, sizeof(*nfg));
		mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
		for (int done = 0; !done;) {
			ssize_t n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
			if (n <= 0)
				break;
			for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, (int)n);
			     h = mnl_nlmsg_next(h, (int *)&n)) {
				if (h->nlmsg_type == NLMSG_ERROR) {
					struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
					if (h->nlmsg_seq == seq)
						done = 1;
					else if (e->error)
						errors++;
				}
			}
		}
	}
	mnl_socket_close(nl);
	free(buf);
	if (errors)
		fprintf(stderr, "ct_fill: %lu of %lu creates failed\n", errors, count);
	return errors ? 1 : 0;
}

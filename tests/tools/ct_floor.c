/* The floor for listing: a bare libmnl dump that counts entries and prints nothing
 * (no parsing, no formatting). `ct_floor` prints the count. */
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(unsigned long *)data)++;
	return MNL_CB_OK;
}

int main(void)
{
	static char buf[64 * 1024];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned long n = 0;
	unsigned portid, seq = (unsigned)time(NULL);
	int ret;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = 0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 1;
	do {
		ssize_t r = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (r <= 0)
			return 1;
		ret = mnl_cb_run(buf, (size_t)r, seq, portid, count_cb, &n);
	} while (ret > 0);
	mnl_socket_close(nl);
	printf("%lu\n", n);
	return ret < 0;
}

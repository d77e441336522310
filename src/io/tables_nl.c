/* The names of the tables of one family, in the kernel's order, by one
 * NFT_MSG_GETTABLE dump over libmnl. libnftables 1.0.6 answers "list tables"
 * only after dumping every rule of every family (its cache), which on a host
 * with 50k rules costs seconds for a few names. */
#include "io/io.h"
#include "rule/rule.h"

#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct names {
	int *ids, max, n;
};

static int on_table(const struct nlmsghdr *nlh, void *data)
{
	struct names *nm = data;
	struct nftnl_table *t = nftnl_table_alloc();
	const char *name;
	int id;

	if (!t)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, t) == 0 &&
	    (name = nftnl_table_get_str(t, NFTNL_TABLE_NAME)) && !strncmp(name, "nfsh-", 5) &&
	    (id = table_lookup(name + 5)) >= 0 && !strcmp(table_by_id(id)->nftname, name) &&
	    nm->n < nm->max)
		nm->ids[nm->n++] = id;
	nftnl_table_free(t);
	return MNL_CB_OK;
}

int io_list_tables_nl(int family, int *ids, int max, struct nfsh_err *e)
{
	struct names nm = {ids, max, 0};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	uint32_t seq = (uint32_t)time(NULL), port;
	struct nlmsghdr *nlh;
	int rc = -1;
	ssize_t len;

	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, NFSH_EKERNEL, NULL, "cannot open a netfilter netlink socket: %m");
		goto out;
	}
	port = mnl_socket_get_portid(nl);
	nlh = nftnl_table_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE,
	                                  family == NFSH_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
	                                  NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err_set(e, NFSH_EKERNEL, NULL, "cannot list tables: %m");
		goto out;
	}
	while ((len = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE)) > 0) {
		int r = mnl_cb_run(buf, (size_t)len, seq, port, on_table, &nm);

		if (r < 0) {
			err_set(e, NFSH_EKERNEL, NULL, "cannot list tables: %m");
			goto out;
		}
		if (r == MNL_CB_STOP)
			break;
	}
	rc = len < 0 ? err_set(e, NFSH_EKERNEL, NULL, "cannot list tables: %m") : nm.n;
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}

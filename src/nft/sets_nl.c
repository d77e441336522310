/* The sets of one table by one NFT_MSG_GETSET dump over libmnl, filtered by
 * table in the kernel. libnftables 1.0.6 would fill its whole cache (every
 * rule of every table) to answer "list sets". Used after "flush table": the
 * sets nfsh declared for rules (connlimit's, restore's shared port lists)
 * would otherwise stay behind, empty and unreferenced, one per -F cycle. */
#include "nft/sets_nl.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "rule/rule.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct own_sets {
	json_t *cmds;
	int family;
	const char *table;
	int n;
};

int nl_is_own_set(const char *name)
{
	return !strncmp(name, "connlimit", 9) || !strncmp(name, "nfsh-p-", 7);
}

static void drop_set(struct own_sets *o, const char *name)
{
	json_t *set = nftj_object();

	nftj_put_str(set, "family", o->family == NFSH_IPV6 ? "ip6" : "ip");
	nftj_put_str(set, "table", o->table);
	nftj_put_str(set, "name", name);
	nftb_cmd(o->cmds, "delete", "set", set);
	o->n++;
}

static int on_set(const struct nlmsghdr *nlh, void *data)
{
	struct own_sets *o = data;
	struct nftnl_set *s = nftnl_set_alloc();
	const char *name, *table;

	if (!s)
		return MNL_CB_ERROR;
	/* Anonymous sets (and meters, bound to their rule) go with the rules. */
	if (nftnl_set_nlmsg_parse(nlh, s) == 0 && (name = nftnl_set_get_str(s, NFTNL_SET_NAME)) &&
	    (table = nftnl_set_get_str(s, NFTNL_SET_TABLE)) && !strcmp(table, o->table) &&
	    !(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) && nl_is_own_set(name))
		drop_set(o, name);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

static int dump_sets(struct mnl_socket *nl, char *buf, struct own_sets *o)
{
	uint32_t seq = (uint32_t)time(NULL), port = mnl_socket_get_portid(nl);
	struct nftnl_set *filter = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	ssize_t len;

	if (!filter)
		return -1;
	nlh = nftnl_set_nlmsg_build_hdr(buf, NFT_MSG_GETSET,
	                                o->family == NFSH_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
	                                NLM_F_DUMP, seq);
	nftnl_set_set_str(filter, NFTNL_SET_TABLE, o->table);
	nftnl_set_nlmsg_build_payload(nlh, filter);
	nftnl_set_free(filter);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	while ((len = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE)) > 0) {
		int r = mnl_cb_run(buf, (size_t)len, seq, port, on_set, o);

		if (r < 0)
			return errno == ENOENT ? 0 : -1; /* no such table: no sets */
		if (r == MNL_CB_STOP)
			return 0;
	}
	return len < 0 ? -1 : 0;
}

int nl_drop_own_sets(json_t *cmds, int family, const char *nftname, struct nfsh_err *e)
{
	struct own_sets o = {cmds, family, nftname, 0};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	int rc = -1;

	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err_set(e, NFSH_EKERNEL, NULL, "cannot open a netfilter netlink socket: %m");
	else if (dump_sets(nl, buf, &o) < 0)
		err_set(e, NFSH_EKERNEL, NULL, "cannot list the sets of %s: %m", nftname);
	else
		rc = o.n;
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}

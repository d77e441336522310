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
#include <libnftnl/batch.h>
#include <libnftnl/set.h>
#include <linux/netfilter/nfnetlink.h>
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

/* ---- after a commit that removed rules ----
 * A shared list ("nfsh-p-...") or a connlimit set can lose its last rule to
 * a -D, -R, -F CHAIN or -X whose batch could not know that no other rule of
 * the table still refers to it (read-back shows the elements, not the set;
 * nothing in the kernel exports a set's use count). So each candidate is
 * deleted in a transaction of its own: the kernel refuses (EBUSY) a set a
 * rule still uses, and that transaction alone is aborted. */

/* One-message batch: delete the set (family, table, name). */
static size_t build_delset(char *buf, int nfproto, const char *table, const char *name,
                           uint32_t *seq)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	size_t len;

	if (!s)
		return 0;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_batch_begin(buf, (*seq)++);
	len = NLMSG_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len);
	nlh = nftnl_set_nlmsg_build_hdr(buf + len, NFT_MSG_DELSET, (uint16_t)nfproto, NLM_F_ACK,
	                                (*seq)++);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	len += NLMSG_ALIGN(nlh->nlmsg_len);
	nftnl_batch_end(buf + len, (*seq)++);
	return len + NLMSG_ALIGN(((struct nlmsghdr *)(buf + len))->nlmsg_len);
}

/* Sends one batch and reads its single answer; true when the set went. */
static bool try_delete(struct mnl_socket *nl, char *buf, size_t len, uint32_t seq)
{
	uint32_t port = mnl_socket_get_portid(nl);
	ssize_t n;

	if (mnl_socket_sendto(nl, buf, len) < 0)
		return false;
	n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_BUFFER_SIZE);
	return n > 0 && mnl_cb_run(buf, (size_t)n, seq, port, NULL, NULL) >= 0;
}

int nl_gc_own_sets(int family, const char *nftname)
{
	json_t *cmds = json_array(), *cmd;
	struct nfsh_err ignored;
	struct mnl_socket *nl = NULL;
	char *buf = NULL;
	uint32_t seq = (uint32_t)time(NULL);
	size_t i;
	int gone = 0;

	err_clear(&ignored);
	if (!cmds || nl_drop_own_sets(cmds, family, nftname, &ignored) <= 0)
		goto out;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	buf = calloc(1, MNL_SOCKET_BUFFER_SIZE);
	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	json_array_foreach(cmds, i, cmd)
	{
		json_t *set = json_object_get(json_object_get(cmd, "delete"), "set");
		const char *name = json_string_value(json_object_get(set, "name"));
		size_t len;

		memset(buf, 0, MNL_SOCKET_BUFFER_SIZE); /* no stale padding goes out */
		len = name ? build_delset(buf, family == NFSH_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
		                          nftname, name, &seq)
		           : 0;
		/* The answer to the DELSET message (seq - 2) is what counts. */
		if (len && try_delete(nl, buf, len, seq - 2))
			gone++;
	}
out:
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	json_decref(cmds);
	return gone;
}

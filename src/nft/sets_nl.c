/* The sets of one table by one NFT_MSG_GETSET dump over libmnl, filtered by
 * table in the kernel. libnftables 1.0.6 would fill its whole cache (every
 * rule of every table) to answer "list sets". Used after "flush table": the
 * sets nfsh declared for rules (connlimit's, restore's shared port lists)
 * would otherwise stay behind, empty and unreferenced, one per -F cycle. */
#include "nft/sets_nl.h"
#include "nft/shared_sets.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "nft/nl_write.h"
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
	int family;
	const char *table;
	void (*found)(struct own_sets *o, const char *name);
	json_t *cmds; /* nl_drop_own_sets: the "delete set" commands */
	char **names; /* nl_gc_own_sets: the names */
	int n;
};

int nl_is_own_set(const char *name)
{
	return !strncmp(name, "connlimit", 9) ||
	       !strncmp(name, NFSH_SHARED_SET_PREFIX, strlen(NFSH_SHARED_SET_PREFIX));
}

/* found() of nl_drop_own_sets. */
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
		o->found(o, name);
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

/* The own sets of o->table, each handed to o->found; -1 with e set. */
static int list_own_sets(struct own_sets *o, struct nfsh_err *e)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE);
	int rc = -1;

	if (!nl || !buf || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err_set(e, NFSH_EKERNEL, NULL, "cannot open a netfilter netlink socket: %m");
	else if (dump_sets(nl, buf, o) < 0)
		err_set(e, NFSH_EKERNEL, NULL, "cannot list the sets of %s: %m", o->table);
	else
		rc = o->n;
	if (nl)
		mnl_socket_close(nl);
	free(buf);
	return rc;
}

int nl_drop_own_sets(json_t *cmds, int family, const char *nftname, struct nfsh_err *e)
{
	struct own_sets o = {.family = family, .table = nftname, .found = drop_set, .cmds = cmds};

	return list_own_sets(&o, e);
}

/* ---- after a commit that removed rules ----
 * A shared list ("nfsh-p-...") or a connlimit set can lose its last rule to
 * a -D, -R, -F CHAIN or -X whose batch could not know that no other rule of
 * the table still refers to it (read-back shows the elements, not the set;
 * nothing in the kernel exports a set's use count). So each candidate is
 * deleted in a transaction of its own: the kernel refuses (EBUSY) a set a
 * rule still uses, and that transaction alone is aborted. */

/* found() of nl_gc_own_sets. */
static void keep_name(struct own_sets *o, const char *name)
{
	char **names = realloc(o->names, (size_t)(o->n + 1) * sizeof(*names));

	if (!names)
		return;
	o->names = names;
	if ((names[o->n] = strdup(name)))
		o->n++;
}

/* DELSET of the set (family, table, name) as one batch through the bulk
 * sender (nl_write.c), which tells a commit from an abort. */
static bool delete_set(int nfproto, const char *table, const char *name, uint32_t *seq)
{
	char page[1024] = {0};
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int err;

	if (!s)
		return false;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = nftnl_set_nlmsg_build_hdr(page, NFT_MSG_DELSET, (uint16_t)nfproto, 0, *seq);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	*seq += 5; /* the message, the markers and the two generation requests */
	return nlw_apply_msgs(page, NLMSG_ALIGN(nlh->nlmsg_len), *seq - 4, &err) == NLW_APPLIED;
}

int nl_gc_own_sets(int family, const char *nftname)
{
	struct own_sets o = {.family = family, .table = nftname, .found = keep_name};
	struct nfsh_err ignored;
	uint32_t seq = (uint32_t)time(NULL);
	int gone = 0;

	err_clear(&ignored);
	if (list_own_sets(&o, &ignored) > 0)
		for (int i = 0; i < o.n; i++)
			gone += delete_set(family == NFSH_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
			                   nftname, o.names[i], &seq);
	for (int i = 0; i < o.n; i++)
		free(o.names[i]);
	free(o.names);
	return gone;
}

/* Small batches over libmnl/libnftnl (see nl_write.h).
 *
 * The linearisation below is what libnftables 1.0.6 makes of the JSON nfsh
 * emits, for a few common statements: addresses (exact or byte-aligned
 * prefixes: a short load), interface names (exact: NUL-padded to IFNAMSIZ;
 * "eth*": the prefix), ip protocol / meta l4proto, tcp/udp ports (with the
 * "meta l4proto" dependency libnftables adds when no protocol match came
 * before), ct state flag lists, counter, verdicts, the comment. Everything
 * else makes the batch go through libnftables. tests/integration/io_fastwrite.sh
 * compares the kernel's bytecode of both paths command by command. */
#include "nft/nl_write.h"
#include "nft/nl_lin.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A batch of one command is a handful of messages; more is not ours. */
#define NLW_MAX_MSGS 8

/* ---- "add" of a table or chain that is there already ----
 * libnftables sends it anyway, and the kernel makes it a no-op update. But a
 * committed chain update makes closing the socket wait for the kernel's
 * deferred release (synchronize_rcu: 4-12 ms here, most of one -A). When the
 * object exists exactly as asked, the message is left out: the same
 * outcome. If it vanishes before the commit, the rule fails (ENOENT), the
 * batch aborts and libnftables does it all. */

static int on_obj(const struct nlmsghdr *nlh, void *data)
{
	void **obj = data;
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (type == NFT_MSG_NEWTABLE)
		return nftnl_table_nlmsg_parse(nlh, obj[0]) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	if (type == NFT_MSG_NEWCHAIN)
		return nftnl_chain_nlmsg_parse(nlh, obj[1]) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	return MNL_CB_OK;
}

/* Ask for one object; true when it came back (into obj). */
static bool get_obj(struct mnl_socket *q, struct nlmsghdr *req, void **obj)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t port = mnl_socket_get_portid(q), seq = req->nlmsg_seq;
	ssize_t len;
	int rc = MNL_CB_ERROR;

	if (mnl_socket_sendto(q, req, req->nlmsg_len) < 0)
		return false;
	while ((len = mnl_socket_recvfrom(q, buf, sizeof(buf))) > 0) {
		rc = mnl_cb_run(buf, (size_t)len, seq, port, on_obj, obj);
		if (rc <= MNL_CB_STOP)
			break;
	}
	return rc == MNL_CB_STOP;
}

static bool table_as_asked(struct mnl_socket *q, struct nftnl_table *want, uint32_t *seq)
{
	char buf[512] = {0};
	struct nftnl_table *ask = nftnl_table_alloc(), *have = nftnl_table_alloc();
	void *obj[2] = {have, NULL};
	struct nlmsghdr *nlh;
	bool same = false;

	if (q && ask && have) {
		nftnl_table_set_str(ask, NFTNL_TABLE_NAME,
		                    nftnl_table_get_str(want, NFTNL_TABLE_NAME));
		nlh = nftnl_table_nlmsg_build_hdr(
		    buf, NFT_MSG_GETTABLE, (uint16_t)nftnl_table_get_u32(want, NFTNL_TABLE_FAMILY),
		    NLM_F_ACK, (*seq)++);
		nftnl_table_nlmsg_build_payload(nlh, ask);
		/* "add table" sends flags 0: a dormant table would wake up. */
		same = get_obj(q, nlh, obj) && nftnl_table_is_set(have, NFTNL_TABLE_NAME) &&
		       nftnl_table_get_u32(have, NFTNL_TABLE_FLAGS) == 0;
	}
	nftnl_table_free(ask);
	nftnl_table_free(have);
	return same;
}

static bool chain_as_asked(struct mnl_socket *q, struct nftnl_chain *want, uint32_t *seq)
{
	char buf[512] = {0};
	struct nftnl_chain *ask = nftnl_chain_alloc(), *have = nftnl_chain_alloc();
	void *obj[2] = {NULL, have};
	struct nlmsghdr *nlh;
	bool same = false, base = nftnl_chain_is_set(want, NFTNL_CHAIN_HOOKNUM);

	/* A policy to set is a change: always sent. */
	if (q && ask && have && !nftnl_chain_is_set(want, NFTNL_CHAIN_POLICY)) {
		nftnl_chain_set_str(ask, NFTNL_CHAIN_TABLE,
		                    nftnl_chain_get_str(want, NFTNL_CHAIN_TABLE));
		nftnl_chain_set_str(ask, NFTNL_CHAIN_NAME,
		                    nftnl_chain_get_str(want, NFTNL_CHAIN_NAME));
		nlh = nftnl_chain_nlmsg_build_hdr(
		    buf, NFT_MSG_GETCHAIN, (uint16_t)nftnl_chain_get_u32(want, NFTNL_CHAIN_FAMILY),
		    NLM_F_ACK, (*seq)++);
		nftnl_chain_nlmsg_build_payload(nlh, ask);
		same = get_obj(q, nlh, obj) && nftnl_chain_is_set(have, NFTNL_CHAIN_NAME) &&
		       nftnl_chain_is_set(have, NFTNL_CHAIN_HOOKNUM) == base;
		if (same && base)
			same = nftnl_chain_get_u32(have, NFTNL_CHAIN_HOOKNUM) ==
			           nftnl_chain_get_u32(want, NFTNL_CHAIN_HOOKNUM) &&
			       nftnl_chain_get_s32(have, NFTNL_CHAIN_PRIO) ==
			           nftnl_chain_get_s32(want, NFTNL_CHAIN_PRIO) &&
			       nftnl_chain_is_set(have, NFTNL_CHAIN_TYPE) &&
			       !strcmp(nftnl_chain_get_str(have, NFTNL_CHAIN_TYPE),
			               nftnl_chain_get_str(want, NFTNL_CHAIN_TYPE));
	}
	nftnl_chain_free(ask);
	nftnl_chain_free(have);
	return same;
}

/* A table or chain item whose object is there as asked: left out. */
static bool there_as_asked(json_t *item, struct mnl_socket *q, uint32_t *seq)
{
	json_t *what = json_object_get(item, "add"), *o;
	bool same = false;

	if (!q || !what || json_object_size(item) != 1)
		return false;
	if ((o = json_object_get(what, "chain"))) {
		struct nftnl_chain *c = nll_chain(o);

		same = c && chain_as_asked(q, c, seq);
		nftnl_chain_free(c);
	} else if ((o = json_object_get(what, "table"))) {
		struct nftnl_table *t = nll_table(o);

		same = t && table_as_asked(q, t, seq);
		nftnl_table_free(t);
	}
	return same;
}

/* One item into the batch (or nothing, for a table or chain there as
 * asked); *nmsgs counts messages. */
static bool put_item(struct strbuf *msgs, json_t *item, uint32_t *seq, struct mnl_socket *q,
                     int *nmsgs)
{
	int n;

	if (there_as_asked(item, q, seq))
		return true;
	if ((n = nll_item(msgs, item, seq)) < 0)
		return false;
	*nmsgs += n;
	return true;
}

/* The whole batch in one sendmsg: the kernel takes one datagram as one
 * transaction. */
static int send_msgs(struct mnl_socket *nl, const struct strbuf *msgs)
{
	struct iovec iov = {.iov_base = msgs->buf, .iov_len = msgs->len};
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	struct msghdr msg = {
	    .msg_name = &snl, .msg_namelen = sizeof(snl), .msg_iov = &iov, .msg_iovlen = 1};

	return sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0 ? -1 : 0;
}

/* Every message answered with an ACK of 0: committed. An error answer: the
 * kernel aborted the whole batch, nothing changed. No answer after the batch
 * went out: nobody can tell. */
static enum nlw_result send_batch(const struct strbuf *msgs, int nmsgs)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int acks = 0;
	enum nlw_result rc = NLW_NOT_APPLIED;
	ssize_t len = 0;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	if (send_msgs(nl, msgs) < 0)
		goto out;
	rc = NLW_UNKNOWN;
	while (acks < nmsgs && (len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *err;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				goto out;
			err = mnl_nlmsg_get_payload(nlh);
			if (err->error != 0) {
				rc = NLW_NOT_APPLIED;
				goto out;
			}
			acks++;
		}
	}
	if (acks == nmsgs)
		rc = NLW_APPLIED;
out:
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

static bool trace(void)
{
	const char *t = getenv("NFSH_WRITE_TRACE");

	return t && !strcmp(t, "1");
}

/* The batch's begin or end marker, appended to msgs. */
static void put_marker(struct strbuf *msgs, bool begin, uint32_t seq)
{
	char page[128] = {0};

	if (begin)
		nftnl_batch_begin(page, seq);
	else
		nftnl_batch_end(page, seq);
	sb_addn(msgs, page, NLMSG_ALIGN(((struct nlmsghdr *)page)->nlmsg_len));
}

enum nlw_result nlw_apply(json_t *cmds)
{
	const char *w = getenv("NFSH_WRITER");
	struct strbuf msgs;
	uint32_t seq = (uint32_t)time(NULL);
	size_t i;
	json_t *item;
	bool ok = true;
	enum nlw_result rc = NLW_NOT_APPLIED;
	struct mnl_socket *q;
	int nmsgs = 0;

	if ((w && !strcmp(w, "nft")) || !json_is_array(cmds) || json_array_size(cmds) == 0 ||
	    json_array_size(cmds) > NLW_MAX_MSGS)
		return NLW_NOT_APPLIED;
	sb_init(&msgs);
	put_marker(&msgs, true, seq++);
	/* For the existence questions; without it every message is sent. */
	q = mnl_socket_open(NETLINK_NETFILTER);
	if (q && mnl_socket_bind(q, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(q);
		q = NULL;
	}
	json_array_foreach(cmds, i, item)
	{
		if (!(ok = put_item(&msgs, item, &seq, q, &nmsgs)))
			break;
	}
	if (q)
		mnl_socket_close(q);
	if (ok && nmsgs == 0) {
		rc = NLW_APPLIED; /* everything there already, as asked */
		if (trace())
			fprintf(stderr, "nfsh: write: netlink (nothing to change)\n");
	} else if (ok) {
		put_marker(&msgs, false, seq++);
		rc = msgs.oom ? NLW_NOT_APPLIED : send_batch(&msgs, nmsgs);
		if (trace())
			fprintf(stderr, "nfsh: write: %s\n",
			        rc == NLW_APPLIED       ? "netlink"
			        : rc == NLW_NOT_APPLIED ? "kernel refused; libnftables"
			                                : "no answer");
	} else if (trace()) {
		char *txt = json_dumps(item, JSON_COMPACT);

		fprintf(stderr, "nfsh: write: libnftables for %s\n", txt ? txt : "?");
		free(txt);
	}
	sb_free(&msgs);
	return rc;
}

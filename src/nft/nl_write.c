/* Batches over libmnl/libnftnl without libnftables (see nl_write.h): one
 * command's batch, with the existence checks that leave out what is there
 * as asked, and a whole restore's batch; both sent in one transaction by
 * nlw_apply_msgs. The messages come from nl_lin.c, which linearises nfsh's
 * JSON exactly as libnftables 1.0.6 does; tests/integration/io_fastwrite.sh
 * and io_fastrestore.sh compare the kernel's bytecode of both paths. */
#include "nft/nl_write.h"
#include "nft/gen.h"
#include "nft/nl_lin.h"
#include "util/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
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
#include <sys/time.h>
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

/* ---- a whole batch in one transaction ----
 * libnftables 1.0.6 and iptables-nft send a batch's messages without
 * NLM_F_ACK: on success the kernel answers nothing, on failure it queues an
 * error for each refused message (or one for the batch, when the commit
 * itself fails) after aborting the whole transaction. nfnetlink handles the
 * batch inside sendmsg, so by the time sendmsg returns the outcome is final
 * and its errors are queued. Silence alone could also mean a lost answer,
 * so a generation request follows the batch on the same socket: every
 * error of the batch is queued before its reply, and a commit moves the
 * generation that the request before the batch saw. */

/* How long to wait for the generation reply; the kernel has answered when
 * sendmsg returns, so this is only for a socket gone wrong. */
#define NLW_BULK_TIMEOUT_S 30
/* Errors of a refused batch: small (NETLINK_CAP_ACK), a few thousand fit. */
#define NLW_BULK_RCVBUF (4 << 20)

static void set_buf(int fd, int force, int plain, size_t want)
{
	int v = want > INT_MAX / 2 ? INT_MAX / 2 : (int)want;

	/* The forced size needs CAP_NET_ADMIN; the plain one is capped by
	 * net.core.[rw]mem_max (then a long batch fails with EMSGSIZE and
	 * goes through libnftables). */
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
}

/* For the test of a batch longer than the socket may send:
 * NFSH_WRITE_FAULT=small-sndbuf leaves the send buffer at 64 KiB (set
 * without forcing), as net.core.wmem_max does in a user namespace. */
static bool small_sndbuf(void)
{
	const char *f = getenv("NFSH_WRITE_FAULT");

	return f && !strcmp(f, "small-sndbuf");
}

static struct mnl_socket *bulk_socket(size_t len)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct timeval tv = {.tv_sec = NLW_BULK_TIMEOUT_S};
	int one = 1, fd;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	fd = mnl_socket_get_fd(nl);
	/* Errors without a copy of the refused message. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (small_sndbuf())
		set_buf(fd, SO_SNDBUF, SO_SNDBUF, 65536);
	else
		set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, len + 65536);
	set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, NLW_BULK_RCVBUF);
	return nl;
}

static int ask_gen(struct mnl_socket *nl, uint32_t seq)
{
	char buf[64] = {0};
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, seq);

	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static bool gen_of(const struct nlmsghdr *nlh, uint32_t *gen)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == NFTA_GEN_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			*gen = ntohl(mnl_attr_get_u32(a));
			return true;
		}
	}
	return false;
}

enum gen_read {
	GEN_OK,   /* the reply came; *err is the first error queued before it */
	GEN_LOST, /* answers were dropped (ENOBUFS): there were errors */
	GEN_NONE, /* no reply: the socket failed or timed out */
};

/* Everything queued up to the reply to generation request seq. */
static enum gen_read read_to_gen(struct mnl_socket *nl, uint32_t seq, uint32_t *gen, int *err)
{
	static char buf[NLL_MSG_MAX + 4096]; /* an error may quote a message */
	uint16_t newgen = (uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN);
	ssize_t len;

	while ((len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				if (e->error && !*err)
					*err = -e->error;
			} else if (nlh->nlmsg_type == newgen && nlh->nlmsg_seq == seq) {
				return gen_of(nlh, gen) ? GEN_OK : GEN_NONE;
			}
		}
	}
	if (len < 0 && errno == ENOBUFS)
		return GEN_LOST;
	return GEN_NONE;
}

/* The batch's messages without NLM_F_ACK (nll_item asks for one each). */
static void clear_acks(char *msgs, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)msgs;
	int left = len > INT_MAX ? INT_MAX : (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
		nlh->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
}

/* begin + msgs + end in one sendmsg: the kernel takes one datagram as one
 * transaction. */
static int send_bulk(struct mnl_socket *nl, char *msgs, size_t len, uint32_t seq)
{
	char begin[128] = {0}, end[128] = {0};
	struct nlmsghdr *b = nftnl_batch_begin(begin, seq), *e = nftnl_batch_end(end, seq + 1);
	struct iovec iov[3] = {
	    {begin, NLMSG_ALIGN(b->nlmsg_len)}, {msgs, len}, {end, NLMSG_ALIGN(e->nlmsg_len)}};
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	struct msghdr msg = {
	    .msg_name = &snl, .msg_namelen = sizeof(snl), .msg_iov = iov, .msg_iovlen = 3};
	size_t total = iov[0].iov_len + len + iov[2].iov_len;
	ssize_t sent = sendmsg(mnl_socket_get_fd(nl), &msg, 0);

	return sent == (ssize_t)total ? 0 : -1;
}

/* For the tests of what follows a lost answer: NFSH_WRITE_FAULT=lose-answer
 * reads nothing after the batch went out, as if the answer never came. */
static bool answer_lost(void)
{
	const char *f = getenv("NFSH_WRITE_FAULT");

	return f && !strcmp(f, "lose-answer");
}

enum nlw_result nlw_apply_msgs(char *msgs, size_t len, uint32_t seq, int *err)
{
	struct mnl_socket *nl = bulk_socket(len);
	uint32_t before = 0, after = 0;
	enum nlw_result rc = NLW_NOT_APPLIED;
	enum gen_read got;

	*err = 0;
	if (!nl) {
		*err = errno;
		return NLW_NOT_APPLIED;
	}
	clear_acks(msgs, len);
	/* The generation before, on the same socket. */
	if (ask_gen(nl, seq + 2) < 0 || read_to_gen(nl, seq + 2, &before, err) != GEN_OK || *err) {
		*err = *err ? *err : errno;
		goto out;
	}
	if (send_bulk(nl, msgs, len, seq) < 0) {
		*err = errno; /* not taken in: nothing ran */
		goto out;
	}
	rc = NLW_UNKNOWN;
	if (answer_lost() || ask_gen(nl, seq + 3) < 0)
		goto out;
	got = read_to_gen(nl, seq + 3, &after, err);
	if (got == GEN_OK)
		rc = *err || after == before ? NLW_NOT_APPLIED : NLW_APPLIED;
	else if (got == GEN_LOST && nft_genid(&after) == 0 && after == before)
		rc = NLW_NOT_APPLIED; /* errors were dropped; nothing committed */
	if (got == GEN_LOST && !*err)
		*err = ENOBUFS;
out:
	mnl_socket_close(nl);
	return rc;
}

static bool trace(void)
{
	const char *t = getenv("NFSH_WRITE_TRACE");

	return t && !strcmp(t, "1");
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
	int nmsgs = 0, err;

	if ((w && !strcmp(w, "nft")) || !json_is_array(cmds) || json_array_size(cmds) == 0 ||
	    json_array_size(cmds) > NLW_MAX_MSGS)
		return NLW_NOT_APPLIED;
	sb_init(&msgs);
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
		rc = msgs.oom ? NLW_NOT_APPLIED : nlw_apply_msgs(msgs.buf, msgs.len, seq, &err);
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

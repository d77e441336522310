/* nll_batch: runs every item of a libnftables JSON batch ({"nftables":
 * [...]}, as `nfsh restore --emit-json` prints it) through nll_item
 * (src/nft/nl_lin.c).
 *
 *   nll_batch count FILE   prints how many items linearise and, for each
 *                          refused shape (verb, object, statement names),
 *                          how many items of it were refused; exit 0.
 *   nll_batch apply FILE   sends the whole batch as one netlink
 *                          transaction (exit 0 when every message was
 *                          acknowledged, 1 when an item is refused, 4 when
 *                          the kernel refused the batch). For the tests that
 *                          compare the kernel's state with libnftables'.
 *   nll_batch dump-known FILE  as dump, the refused items left out.
 *   nll_batch dump FILE    writes the batch's bytes (begin and end markers
 *                          included) to stdout, to compare with what
 *                          libnftables sends (tests/integration/io_nl_bytes.sh).
 */
#include "nft/nl_lin.h"
#include "util/strbuf.h"

#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* A short name for an item's shape: "add rule: match(payload) counter ...". */
static void shape(json_t *item, struct strbuf *sb)
{
	const char *verb, *kind, *k;
	json_t *what, *o, *exprs, *st, *v;
	size_t i;

	json_object_foreach(item, verb, what)
	{
		json_object_foreach(what, kind, o)
		{
			sb_addf(sb, "%s %s:", verb, kind);
			exprs = json_object_get(o, "expr");
			json_array_foreach(exprs, i, st)
			{
				json_object_foreach(st, k, v)
				{
					json_t *left = json_object_get(v, "left");
					const char *lk = NULL;

					sb_addf(sb, " %s", k);
					if (left && json_object_iter(left))
						lk = json_object_iter_key(json_object_iter(left));
					if (!strcmp(k, "match") && lk)
						sb_addf(sb, "(%s%s)", lk,
						        json_is_array(json_object_get(v, "right"))
						            ? "[]"
						        : json_object_get(
						              json_object_get(v, "right"), "set")
						            ? "{}"
						            : "");
				}
			}
			if (!strcmp(kind, "rule") && json_object_get(o, "handle"))
				sb_add(sb, " +handle");
			if (!strcmp(kind, "rule") && json_object_get(o, "index"))
				sb_add(sb, " +index");
		}
	}
}

/* The statement of a refused rule that makes it refused: the first whose
 * prefix of the rule's statements no longer linearises (NULL: none). */
static json_t *culprit(struct nll_ctx *ctx, json_t *item)
{
	json_t *copy = json_deep_copy(item), *what = json_object_iter_value(json_object_iter(copy));
	json_t *rule = json_object_get(what, "rule"), *exprs = json_object_get(rule, "expr");
	json_t *all = json_deep_copy(exprs), *bad = NULL;
	struct strbuf out;
	uint32_t seq = 1;

	sb_init(&out);
	for (size_t k = 1; rule && k <= json_array_size(all) && !bad; k++) {
		json_array_clear(exprs);
		for (size_t i = 0; i < k; i++)
			json_array_append(exprs, json_array_get(all, i));
		json_object_del(rule, "comment");
		if (nll_batch_item(ctx, &out, copy, &seq) < 0)
			bad = json_incref(json_array_get(all, k - 1));
		sb_reset(&out);
	}
	sb_free(&out);
	json_decref(all);
	json_decref(copy);
	return bad;
}

static int count(json_t *items)
{
	json_t *tally = json_object(), *item, *v;
	struct strbuf out, sh;
	uint32_t seq = 1;
	size_t i, ok = 0, refused = 0;
	const char *k;
	struct nll_ctx ctx;

	nll_ctx_init(&ctx);
	sb_init(&out);
	sb_init(&sh);
	json_array_foreach(items, i, item)
	{
		if (nll_batch_item(&ctx, &out, item, &seq) >= 0) {
			ok++;
			sb_reset(&out);
			continue;
		}
		refused++;
		sb_reset(&sh);
		shape(item, &sh);
		if (getenv("NLL_WHY")) {
			json_t *bad = culprit(&ctx, item);
			char *t = bad ? json_dumps(bad, JSON_COMPACT) : NULL;

			sb_addf(&sh, " <- %s", t ? t : "(the item itself)");
			free(t);
			json_decref(bad);
		}
		v = json_object_get(tally, sb_str(&sh));
		json_object_set_new(tally, sb_str(&sh),
		                    json_integer(v ? json_integer_value(v) + 1 : 1));
	}
	printf("items %zu linearised %zu refused %zu\n", ok + refused, ok, refused);
	json_object_foreach(tally, k, v) printf("%8lld %s\n", (long long)json_integer_value(v), k);
	sb_free(&out);
	sb_free(&sh);
	json_decref(tally);
	nll_ctx_free(&ctx);
	return 0;
}

static void marker(struct strbuf *msgs, bool begin, uint32_t seq)
{
	char page[128] = {0};

	if (begin)
		nftnl_batch_begin(page, seq);
	else
		nftnl_batch_end(page, seq);
	sb_addn(msgs, page, NLMSG_ALIGN(((struct nlmsghdr *)page)->nlmsg_len));
}

/* Sends msgs in one datagram (the kernel takes one as one transaction),
 * then reads nmsgs acknowledgements. */
static int send_all(const struct strbuf *msgs, int nmsgs)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	static char buf[1 << 16];
	int acks = 0, rcv = 1 << 26, snd = (int)msgs->len + (1 << 16);
	ssize_t len;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 4;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd));
	if (send(mnl_socket_get_fd(nl), msgs->buf, msgs->len, 0) < 0) {
		perror("nll_batch: send");
		mnl_socket_close(nl);
		return 4;
	}
	while (acks < nmsgs && (len = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *h = (const void *)buf;
		int left = (int)len;

		for (; mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left)) {
			const struct nlmsgerr *err = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR || err->error) {
				fprintf(stderr, "nll_batch: kernel: %s (message %u)\n",
				        strerror(-err->error), err->msg.nlmsg_seq);
				mnl_socket_close(nl);
				return 4;
			}
			acks++;
		}
	}
	mnl_socket_close(nl);
	return acks == nmsgs ? 0 : 4;
}

/* skip: a refused item is left out (named on stderr) instead of failing. */
static int apply(json_t *items, bool dump, bool skip)
{
	struct strbuf msgs;
	uint32_t seq = 1;
	json_t *item;
	size_t i;
	int n, nmsgs = 0, rc;
	struct nll_ctx ctx;

	nll_ctx_init(&ctx);
	sb_init(&msgs);
	marker(&msgs, true, seq++);
	json_array_foreach(items, i, item)
	{
		if ((n = nll_batch_item(&ctx, &msgs, item, &seq)) < 0) {
			char *t = json_dumps(item, JSON_COMPACT);

			fprintf(stderr, "nll_batch: refused: %s\n", t ? t : "?");
			free(t);
			if (skip)
				continue;
			sb_free(&msgs);
			nll_ctx_free(&ctx);
			return 1;
		}
		nmsgs += n;
	}
	marker(&msgs, false, seq++);
	if (dump)
		rc = fwrite(msgs.buf, 1, msgs.len, stdout) == msgs.len ? 0 : 4;
	else
		rc = msgs.oom ? 4 : send_all(&msgs, nmsgs);
	sb_free(&msgs);
	nll_ctx_free(&ctx);
	return rc;
}

int main(int argc, char **argv)
{
	json_error_t err;
	json_t *root, *items;
	int rc;

	if (argc != 3 || (strcmp(argv[1], "count") && strcmp(argv[1], "apply") &&
	                  strcmp(argv[1], "dump") && strcmp(argv[1], "dump-known"))) {
		fprintf(stderr, "usage: nll_batch count|apply|dump|dump-known FILE.json\n");
		return 2;
	}
	if (!(root = json_load_file(argv[2], 0, &err)) ||
	    !json_is_array(items = json_object_get(root, "nftables"))) {
		fprintf(stderr, "nll_batch: %s: %s\n", argv[2],
		        root ? "no nftables array" : err.text);
		return 2;
	}
	rc = !strcmp(argv[1], "count")
	         ? count(items)
	         : apply(items, !strncmp(argv[1], "dump", 4), !strcmp(argv[1], "dump-known"));
	json_decref(root);
	return rc;
}

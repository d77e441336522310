/* A dump in two stages: one thread receives (the kernel fills the next batch inside
 * recvmsg), the caller's thread parses, filters and prints the previous batch.
 * On two cores the listing then costs about what the kernel's side costs alone.
 * Memory stays bounded: CT_RING receive buffers, reused. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ct/ct_int.h"

#define CT_RING 2
/* The kernel puts at most ~32 KiB in one dump batch (it caps its skb there). */
#define CT_RING_BUF (32 * 1024)

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *buf[CT_RING];
	size_t len[CT_RING];
	unsigned head, tail; /* head: next to fill; tail: next to consume */
	bool done, stop;
	int err;
	int fd;
};

/* Does this batch end the dump (NLMSG_DONE or an error)? */
static bool batch_ends(const char *buf, size_t n)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
		if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR ||
		    !(h->nlmsg_flags & NLM_F_MULTI))
			return true;
	return false;
}

static void *rx_main(void *arg)
{
	struct ring *r = arg;

	for (;;) {
		unsigned slot;
		ssize_t n;
		bool last;

		pthread_mutex_lock(&r->mu);
		while (r->head - r->tail == CT_RING && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		slot = r->head % CT_RING;
		pthread_mutex_unlock(&r->mu);
		n = recv(r->fd, r->buf[slot], CT_RING_BUF, 0);
		if (n < 0 && errno == EINTR)
			continue;
		last = n <= 0 || batch_ends(r->buf[slot], (size_t)n);
		pthread_mutex_lock(&r->mu);
		if (n < 0)
			r->err = errno;
		else if (!r->stop)
			r->len[slot] = (size_t)n, r->head++;
		if (last)
			r->done = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (last)
			return NULL;
	}
}

static int consume(struct ct_sock *s, struct ring *r, mnl_cb_t cb, void *data)
{
	int ret = 0;

	for (;;) {
		unsigned slot;
		int cr;

		pthread_mutex_lock(&r->mu);
		while (r->tail == r->head && !r->done)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->tail == r->head) {
			if (r->err && !ret)
				ret = -r->err;
			pthread_mutex_unlock(&r->mu);
			return ret;
		}
		slot = r->tail % CT_RING;
		pthread_mutex_unlock(&r->mu);
		cr = ret ? MNL_CB_OK
		         : mnl_cb_run(r->buf[slot], r->len[slot], s->seq, s->portid, cb, data);
		if (cr < 0 && !ret)
			ret = errno ? -errno : -EINVAL;
		pthread_mutex_lock(&r->mu);
		r->tail++;
		if (ret)
			r->stop = true; /* keep draining until the kernel ends the dump */
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
}

int ct_sock_run_dump(struct ct_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct ring r;
	pthread_attr_t attr;
	pthread_t th;
	int ret, i;

	memset(&r, 0, sizeof(r));
	if (pthread_attr_init(&attr) != 0)
		return ct_sock_run(s, nlh, cb, data);
	for (i = 0; i < CT_RING; i++)
		if (!(r.buf[i] = malloc(CT_RING_BUF)))
			break;
	if (i < CT_RING || pthread_mutex_init(&r.mu, NULL) || pthread_cond_init(&r.cv, NULL)) {
		while (i-- > 0)
			free(r.buf[i]);
		pthread_attr_destroy(&attr);
		return ct_sock_run(s, nlh, cb, data); /* fall back to one thread */
	}
	r.fd = mnl_socket_get_fd(s->nl);
	nlh->nlmsg_seq = ++s->seq;
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
	} else if (pthread_attr_setstacksize(&attr, 64 * 1024) ||
	           pthread_create(&th, &attr, rx_main, &r) != 0) {
		s->seq--;
		ret = -EAGAIN;
	} else {
		ret = consume(s, &r, cb, data);
		pthread_join(th, NULL);
	}
	pthread_attr_destroy(&attr);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	for (i = 0; i < CT_RING; i++)
		free(r.buf[i]);
	return ret;
}

/* -E: events from the conntrack multicast groups, filtered in user space.
 * The socket gets a 16 MiB buffer (SO_RCVBUFFORCE when privileged); when the
 * kernel still drops events (ENOBUFS) we print how many, read from the socket's
 * drop counter in /proc/net/netlink, and resynchronise with a dump. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ct/ct_cli.h"

#define PROG            "conntrack v1.4.7 (nfsh)"
#define CT_EVENT_RCVBUF (16 * 1024 * 1024)

struct ev_ctx {
	const struct ct_cmd *c;
	struct ct_out *o;
	uint64_t shown;
	uint32_t last_portid; /* cache of the last requester's name */
	char last_sfx[96];
};

/* As conntrack -E: events caused by a netlink request name the requester,
 * its program name when the port id is a live process. */
static const char *userspace_sfx(struct ev_ctx *x, uint32_t portid)
{
	char path[48], comm[32] = "";
	FILE *f;

	if (!portid)
		return NULL;
	if (portid == x->last_portid)
		return x->last_sfx;
	snprintf(path, sizeof(path), "/proc/%u/comm", portid);
	if ((f = fopen(path, "re"))) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0])
		snprintf(x->last_sfx, sizeof(x->last_sfx), " [USERSPACE] portid=%u progname=%s",
		         portid, comm);
	else
		snprintf(x->last_sfx, sizeof(x->last_sfx), " [USERSPACE] portid=%u", portid);
	x->last_portid = portid;
	return x->last_sfx;
}

static int ev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *x = data;
	enum ct_evtype ev;
	struct ct_msg m;

	if (ct_msg_parse(nlh, &m) < 0)
		return MNL_CB_OK; /* one malformed event must not end the listener */
	ev = ct_msg_evtype(&m);
	if (!(x->c->events & ct_evtype_flag(ev)) || !ct_filter_match(&x->c->f, &m))
		return MNL_CB_OK;
	ct_out_emit_sfx(x->o, &m, ev, userspace_sfx(x, m.portid));
	x->shown++;
	return MNL_CB_OK;
}

/* The "Drops" column of our socket in /proc/net/netlink (matched by inode). */
static uint64_t sock_drops(int fd)
{
	struct stat st;
	char line[512];
	uint64_t drops = 0;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/self/net/netlink", "re")))
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[10];
		char sk[32];
		if (sscanf(line, "%31s %llu %llu %llx %llu %llu %llu %llu %llu %llu", sk, &v[0],
		           &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 10 &&
		    v[8] == (unsigned long long)st.st_ino)
			drops = v[7];
	}
	fclose(f);
	return drops;
}

static int resync_fn(const struct ct_msg *m, void *data)
{
	struct ev_ctx *x = data;

	ct_out_emit(x->o, m, CT_EV_RESYNC);
	return MNL_CB_OK;
}

static void resync(struct ev_ctx *x)
{
	struct ct_sock s;

	if (ct_sock_open(&s, 0) < 0)
		return;
	ct_dump(&s, &x->c->f, IPCTNL_MSG_CT_GET, resync_fn, x);
	ct_sock_close(&s);
}

static unsigned groups_of(unsigned ev)
{
	unsigned g = 0;

	if (ev & CT_EVF_NEW)
		g |= 1u << (NFNLGRP_CONNTRACK_NEW - 1);
	if (ev & CT_EVF_UPDATE)
		g |= 1u << (NFNLGRP_CONNTRACK_UPDATE - 1);
	if (ev & CT_EVF_DESTROY)
		g |= 1u << (NFNLGRP_CONNTRACK_DESTROY - 1);
	return g;
}

static void size_buffer(int fd, unsigned long want)
{
	int v = (int)(want ? want : CT_EVENT_RCVBUF);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

/* Read until the queue is empty. Returns -errno on a hard error, 1 when the
 * kernel reported ENOBUFS, 0 otherwise. */
static int drain(struct ct_sock *s, struct ev_ctx *x)
{
	int fd = mnl_socket_get_fd(s->nl), overrun = 0;

	for (;;) {
		ssize_t n = recv(fd, s->buf, CT_RCVBUF, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			overrun = 1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		mnl_cb_run(s->buf, (size_t)n, 0, 0, ev_cb, x);
	}
	ct_out_flush(x->o);
	return overrun;
}

/* After an overrun the kernel counts every further drop but raises ENOBUFS again
 * only once the queue has emptied: so compare the drop counter after every
 * drain while congested, and resynchronise until it stops moving. */
static int event_loop(struct ct_sock *s, int sfd, struct ev_ctx *x)
{
	int fd = mnl_socket_get_fd(s->nl);
	uint64_t lost_seen = sock_drops(fd);
	struct pollfd p[2] = {{fd, POLLIN, 0}, {sfd, POLLIN, 0}};
	bool congested = false;

	for (;;) {
		int r;
		if (poll(p, 2, congested ? 200 : -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			/* consume it, or it is delivered when the mask is restored */
			if (read(sfd, &si, sizeof(si)) < 0)
				return 0;
			return 0;
		}
		r = drain(s, x);
		if (r < 0)
			return r;
		if (r > 0)
			congested = true;
		if (congested) {
			uint64_t d = sock_drops(fd);
			if (d == lost_seen) {
				congested = r > 0;
				continue;
			}
			fprintf(stderr,
			        "%s: WARNING: the kernel dropped %llu events (ENOBUFS); "
			        "resynchronising with a dump\n",
			        PROG, (unsigned long long)(d - lost_seen));
			lost_seen = d;
			resync(x);
			ct_out_flush(x->o);
		}
	}
}

int ct_cmd_event(struct ct_cmd *c)
{
	struct ev_ctx x = {c, NULL, 0, 0, ""};
	struct ct_sock s;
	struct ct_out o;
	sigset_t mask, old;
	int sfd, r;

	if (c->table == CT_TAB_EXPECT)
		return ct_expect_event(c);
	if ((r = ct_open(c, &s, groups_of(c->events))) != 0)
		return r;
	size_buffer(mnl_socket_get_fd(s.nl), c->bufsize);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	ct_out_init(&o, stdout, c->of, &c->lm);
	x.o = &o;
	r = sfd < 0 ? -errno : event_loop(&s, sfd, &x);
	ct_out_free(&o);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ct_sock_close(&s);
	fprintf(stderr, "%s: %llu flow events have been shown.\n", PROG,
	        (unsigned long long)x.shown);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	return 0;
}

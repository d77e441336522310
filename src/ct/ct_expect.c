/* The expectation table (NFNL_SUBSYS_CTNETLINK_EXP): list, get, create, delete,
 * count, flush and events, in conntrack(8)'s syntax and output.
 *
 * conntrack(8) names the parts of an expectation with these options:
 *   -s/-d/-p/--sport/--dport        the master connection (-I), or for -G/-D the
 *                                   tuple the expectation would match
 *   --tuple-src/--tuple-dst/--tuple-port-src/--tuple-port-dst  the expected tuple
 *   --mask-src/--mask-dst/--mask-port-src/--mask-port-dst      its mask
 * nfsh adds --master-src/--master-dst (the master by name; filters for -L/-D). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ct/ct_cli.h"
#include "ct/ct_exp_int.h"

#define PROG "conntrack v1.4.7 (nfsh)"

/* The sink: text or XML (header before the first entry, as conntrack). */
struct exp_out {
	struct ct_out o;
	bool xml, header_done;
};

static void exp_emit(struct exp_out *w, const struct exp_msg *x, enum ct_evtype ev)
{
	struct ct_line *l = &w->o.line;

	if (w->xml && !w->header_done) {
		static const char hdr[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<expect>\n";
		ct_out_text(&w->o, hdr, sizeof(hdr) - 1);
		w->header_done = true;
	}
	if (!w->xml && (w->o.of & CT_O_TMS)) {
		struct timeval tv;
		char tmp[48];
		int n;
		gettimeofday(&tv, NULL);
		n = snprintf(tmp, sizeof(tmp), "[%-8ld.%-6ld]\t", (long)tv.tv_sec,
		             (long)tv.tv_usec);
		ct_out_text(&w->o, tmp, (size_t)n);
	}
	if (w->xml)
		ct_exp_format_xml(l, x, ev, (w->o.of & CT_O_TMS) != 0);
	else
		ct_exp_format_text(l, x, ev);
	ct_line_addn(l, "\n", 1);
	ct_out_text(&w->o, l->buf, l->len);
	w->o.n++;
}

static int exp_out_init(struct exp_out *w, const struct ct_cmd *c)
{
	memset(w, 0, sizeof(*w));
	w->xml = (c->of & CT_O_XML) != 0;
	return ct_out_init(&w->o, stdout, c->of, NULL);
}

static void exp_out_free(struct exp_out *w)
{
	if (w->xml && w->header_done)
		ct_out_text(&w->o, "</expect>\n", 10);
	ct_out_free(&w->o);
}

/* Filters for -L/-D/-E expect: family, protocol, the expected tuple's and the
 * master's addresses (with prefixes). */
static bool addr_in(const struct ct_addr_match *m, const struct ct_tuple *t, const uint8_t *a)
{
	if (!m->set)
		return true;
	if (m->family != t->l3)
		return false;
	for (int i = 0; i < (t->l3 == AF_INET6 ? 16 : 4); i++)
		if ((a[i] & m->mask[i]) != (m->addr[i] & m->mask[i]))
			return false;
	return true;
}

static bool exp_match(const struct ct_cmd *c, const struct exp_msg *x)
{
	struct exp_tuples e;

	ct_exp_tuples_get(x, &e);
	if (c->family && e.t.l3 != c->family)
		return false;
	if (c->l4 >= 0 && e.t.l4 != c->l4)
		return false;
	return addr_in(&c->exp_src, &e.t, e.t.src) && addr_in(&c->exp_dst, &e.t, e.t.dst) &&
	       addr_in(&c->master_src, &e.master, e.master.src) &&
	       addr_in(&c->master_dst, &e.master, e.master.dst);
}

/* Messages as conntrack's err2str for the expectation commands. */
static const char *exp_strerror(int err, enum ct_command cmd)
{
	if (err == ENOENT && cmd == CT_CMD_CREATE)
		return "master conntrack not found";
	if (err == EINVAL)
		return "invalid parameters";
	if (err == EPERM)
		return "sorry, you must be root or get CAP_NET_ADMIN capability to do this";
	return strerror(err);
}

static int exp_fail(const struct ct_cmd *c, int err)
{
	if (c->nfsh_face && (err == EPERM || err == EACCES))
		return ct_fail_kernel(c, err);
	ct_fail(NFSH_EOTHER, "Operation failed: %s", exp_strerror(err, c->command));
	if (c->nfsh_face && err == EOPNOTSUPP && c->command == CT_CMD_CREATE)
		fprintf(stderr, "nfsh: the master connection has no helper: an expectation "
		                "needs one (nft: ct helper set)\n");
	return NFSH_EOTHER;
}

static uint16_t exp_type(uint8_t msg)
{
	return (uint16_t)((NFNL_SUBSYS_CTNETLINK_EXP << 8) | msg);
}

/* One request on a fresh socket; 0 or the exit status (after saying why). */
static int exp_request(struct ct_cmd *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct ct_sock s;
	int r;

	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	r = ct_sock_run(&s, nlh, cb, data);
	ct_sock_close(&s);
	return r < 0 ? exp_fail(c, -r) : 0;
}

/* -L expect */
struct list_ctx {
	const struct ct_cmd *c;
	struct exp_out *w;
	uint64_t seen;
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *lc = data;
	struct exp_msg x;

	if (ct_exp_parse(nlh, &x) < 0)
		return MNL_CB_ERROR;
	lc->seen++;
	if (exp_match(lc->c, &x))
		exp_emit(lc->w, &x, CT_EV_NONE);
	return MNL_CB_OK;
}

static int check_output(const struct ct_cmd *c)
{
	if (c->of & (CT_O_SAVE | CT_O_JSON))
		return ct_fail(NFSH_EPARAM, "%s",
		               c->of & CT_O_SAVE
		                   ? "save output format is not supported for table of expectations"
		                   : "json output format is not supported for table of "
		                     "expectations; the text and xml formats carry every field");
	return 0;
}

int ct_expect_list(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct exp_out w;
	struct list_ctx lc = {c, &w, 0};
	int r;

	if ((r = check_output(c)) != 0)
		return r;
	if (exp_out_init(&w, c) < 0)
		return NFSH_EOTHER;
	r = exp_request(
	    c, ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_GET), NLM_F_DUMP, c->family, 0, 0),
	    list_cb, &lc);
	exp_out_free(&w);
	if (r)
		return r;
	fprintf(stderr, "%s: %llu expectations have been shown.\n", PROG,
	        (unsigned long long)w.o.n);
	return 0;
}

static int exp_count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(uint64_t *)data)++;
	return MNL_CB_OK;
}

int ct_expect_count(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	uint64_t n = 0;
	int r = exp_request(
	    c, ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_GET), NLM_F_DUMP, c->family, 0, 0),
	    exp_count_cb, &n);

	if (r)
		return r;
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

int ct_expect_flush(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	int r = exp_request(
	    c, ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_DELETE), NLM_F_ACK, c->family, 0, 0), NULL,
	    NULL);

	if (r)
		return r;
	fprintf(stderr, "%s: expectation table has been emptied.\n", PROG);
	return 0;
}

/* The tuple -G/-D look up: -s/-d/-p and the ports, as a packet would carry them. */
static int lookup_tuple(const struct ct_cmd *c, struct nfsh_err *e)
{
	if (!c->orig_src || !c->orig_dst)
		return err_set(e, NFSH_EPARAM, "", "you have to specify `--src' and `--dst'");
	if (c->l4 < 0)
		return err_set(e, NFSH_EPARAM, "",
		               "You need to supply the `--protonum' option for this command");
	if (ct_exp_has_ports((uint8_t)c->l4) && (!c->orig.has_sport || !c->orig.has_dport))
		return err_set(e, NFSH_EPARAM, "", "you have to specify `--sport' and `--dport'");
	return 0;
}

static int param_fail(const struct nfsh_err *e)
{
	fprintf(stderr, "%s: %s\nTry `conntrack -h' or 'conntrack --help' for more information.\n",
	        PROG, e->msg);
	return NFSH_EPARAM;
}

static void put_zone(struct nlmsghdr *nlh, const struct ct_cmd *c)
{
	if (c->zone >= 0)
		mnl_attr_put_u16(nlh, CTA_EXPECT_ZONE, htons((uint16_t)c->zone));
}

/* -G expect: the expectation a connection with this tuple would match. */
static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct exp_msg x;

	if (ct_exp_parse(nlh, &x) < 0)
		return MNL_CB_ERROR;
	exp_emit(data, &x, CT_EV_NONE);
	return MNL_CB_OK;
}

int ct_expect_get(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct nlmsghdr *nlh;
	struct nfsh_err e;
	struct exp_out w;
	int r;

	err_clear(&e);
	if (lookup_tuple(c, &e) < 0)
		return param_fail(&e);
	if ((r = check_output(c)) != 0)
		return r;
	nlh = ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_GET), NLM_F_ACK, c->family, 0, 0);
	ct_put_tuple(nlh, CTA_EXPECT_TUPLE, &c->orig);
	put_zone(nlh, c);
	if (exp_out_init(&w, c) < 0)
		return NFSH_EOTHER;
	r = exp_request(c, nlh, get_cb, &w);
	exp_out_free(&w);
	return r;
}

/* -D expect: by tuple (one kernel lookup, as conntrack), or, with only filters
 * (-p, -f, --tuple-src/-dst, --master-src/-dst), every expectation that matches,
 * each removed by its own tuple and id. Deleted expectations are printed. */
struct del_ctx {
	struct ct_cmd *c;
	struct ct_sock *s2;
	struct exp_out *w;
	uint64_t n;
	int err;
	char buf[CT_REQBUF];
};

static int del_cb(const struct nlmsghdr *nlh, void *data)
{
	struct del_ctx *d = data;
	struct nlmsghdr *req;
	struct exp_msg x;
	int r;

	if (ct_exp_parse(nlh, &x) < 0)
		return MNL_CB_ERROR;
	if (!exp_match(d->c, &x))
		return MNL_CB_OK;
	req = ct_req_start(d->buf, exp_type(IPCTNL_MSG_EXP_DELETE), NLM_F_ACK, x.family, 0, 0);
	ct_put_tuple_tb(req, CTA_EXPECT_TUPLE, &x.tuple);
	if (x.tb[CTA_EXPECT_ZONE])
		mnl_attr_put(req, CTA_EXPECT_ZONE, 2, mnl_attr_get_payload(x.tb[CTA_EXPECT_ZONE]));
	if (x.tb[CTA_EXPECT_ID])
		mnl_attr_put(req, CTA_EXPECT_ID, 4, mnl_attr_get_payload(x.tb[CTA_EXPECT_ID]));
	r = ct_sock_run(d->s2, req, NULL, NULL);
	if (r == -ENOENT)
		return MNL_CB_OK; /* expired meanwhile */
	if (r < 0) {
		d->err = -r;
		return MNL_CB_OK;
	}
	exp_emit(d->w, &x, CT_EV_NONE);
	d->n++;
	return MNL_CB_OK;
}

static int delete_by_tuple(struct ct_cmd *c, struct exp_out *w, uint64_t *n)
{
	char buf[CT_REQBUF];
	struct nlmsghdr *nlh;
	struct ct_sock s;
	int r;

	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	/* read it first, so the deleted expectation can be printed */
	nlh = ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_GET), NLM_F_ACK, c->family, 0, 0);
	ct_put_tuple(nlh, CTA_EXPECT_TUPLE, &c->orig);
	put_zone(nlh, c);
	r = ct_sock_run(&s, nlh, get_cb, w);
	if (r == 0) {
		nlh =
		    ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_DELETE), NLM_F_ACK, c->family, 0, 0);
		ct_put_tuple(nlh, CTA_EXPECT_TUPLE, &c->orig);
		put_zone(nlh, c);
		r = ct_sock_run(&s, nlh, NULL, NULL);
	}
	ct_sock_close(&s);
	if (r < 0)
		return exp_fail(c, -r);
	*n = 1;
	return 0;
}

static int delete_matching(struct ct_cmd *c, struct exp_out *w, uint64_t *n)
{
	struct del_ctx *d = calloc(1, sizeof(*d));
	char buf[CT_REQBUF];
	struct ct_sock s2;
	int r;

	if (!d)
		return NFSH_EOTHER;
	if ((r = ct_open(c, &s2, 0)) != 0) {
		free(d);
		return r;
	}
	d->c = c, d->s2 = &s2, d->w = w;
	r = exp_request(
	    c, ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_GET), NLM_F_DUMP, c->family, 0, 0), del_cb,
	    d);
	ct_sock_close(&s2);
	*n = d->n;
	if (r == 0 && d->err && !d->n)
		r = exp_fail(c, d->err);
	free(d);
	return r;
}

int ct_expect_delete(struct ct_cmd *c)
{
	struct exp_out w;
	uint64_t n = 0;
	int r;

	if ((r = check_output(c)) != 0)
		return r;
	if (exp_out_init(&w, c) < 0)
		return NFSH_EOTHER;
	if (c->orig_src || c->orig_dst) {
		struct nfsh_err e;
		err_clear(&e);
		if (lookup_tuple(c, &e) < 0) {
			exp_out_free(&w);
			return param_fail(&e);
		}
		r = delete_by_tuple(c, &w, &n);
	} else {
		r = delete_matching(c, &w, &n);
	}
	exp_out_free(&w);
	if (r)
		return r;
	fprintf(stderr, "%s: %llu expectations have been deleted.\n", PROG, (unsigned long long)n);
	return n == 0 && !c->in_load ? NFSH_EOTHER : 0;
}

/* -I expect: master, expected tuple and mask are all mandatory, as conntrack
 * requires; the expectation's protocol is -p's (conntrack 1.4.7 stores the
 * --tuple-port value there instead, a bug nfsh does not copy). */
static const char *missing_create_option(const struct ct_cmd *c)
{
	bool master_src = c->orig_src || c->master_src.set;
	bool master_dst = c->orig_dst || c->master_dst.set;

	if (!master_src || !master_dst)
		return "--src' and `--dst";
	if (c->l4 < 0)
		return "--protonum";
	if (!c->has_timeout)
		return "--timeout";
	if (!c->exp_src.set)
		return "--tuple-src";
	if (!c->exp_dst.set)
		return "--tuple-dst";
	if (!c->mask_src && c->exp_src.plen == (c->family == AF_INET6 ? 128 : 32))
		return "--mask-src";
	if (!c->mask_dst && c->exp_dst.plen == (c->family == AF_INET6 ? 128 : 32))
		return "--mask-dst";
	if (!ct_exp_has_ports((uint8_t)c->l4))
		return NULL;
	if (!c->orig.has_sport)
		return "--sport";
	if (!c->orig.has_dport)
		return "--dport";
	if (!c->has_exp_mask_sport)
		return "--mask-port-src";
	if (!c->has_exp_mask_dport)
		return "--mask-port-dst";
	if (!c->has_exp_sport)
		return "--tuple-port-src";
	if (!c->has_exp_dport)
		return "--tuple-port-dst";
	return NULL;
}

static void build_create_tuples(const struct ct_cmd *c, struct ct_tuple *master, struct ct_tuple *t,
                                struct ct_tuple *mask)
{
	*master = c->orig;
	if (c->master_src.set)
		memcpy(master->src, c->master_src.addr, 16), master->has_src = true;
	if (c->master_dst.set)
		memcpy(master->dst, c->master_dst.addr, 16), master->has_dst = true;
	memset(t, 0, sizeof(*t));
	memset(mask, 0, sizeof(*mask));
	t->l3 = mask->l3 = master->l3 = c->family;
	t->l4 = mask->l4 = (uint8_t)c->l4;
	t->has_l4 = mask->has_l4 = true;
	memcpy(t->src, c->exp_src.addr, 16), t->has_src = true;
	memcpy(t->dst, c->exp_dst.addr, 16), t->has_dst = true;
	/* a CIDR on --tuple-src/-dst is the mask unless --mask-* names one */
	memcpy(mask->src, c->mask_src ? c->mask_src_v : c->exp_src.mask, 16);
	memcpy(mask->dst, c->mask_dst ? c->mask_dst_v : c->exp_dst.mask, 16);
	mask->has_src = mask->has_dst = true;
	if (ct_exp_has_ports(t->l4)) {
		t->sport = c->exp_sport, t->dport = c->exp_dport;
		mask->sport = c->exp_mask_sport, mask->dport = c->exp_mask_dport;
		t->has_sport = t->has_dport = mask->has_sport = mask->has_dport = true;
	}
}

int ct_expect_create(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct ct_tuple master, t, mask;
	struct nlmsghdr *nlh;
	struct ct_sock s;
	const char *miss;
	int r;

	if (c->command == CT_CMD_ADD)
		return ct_fail(NFSH_EPARAM, "%s", "Can't do --add on expectations");
	if ((miss = missing_create_option(c))) {
		fprintf(stderr,
		        "%s: You need to supply the `%s' option for this command\n"
		        "Try `conntrack -h' or 'conntrack --help' for more information.\n",
		        PROG, miss);
		return NFSH_EPARAM;
	}
	build_create_tuples(c, &master, &t, &mask);
	nlh = ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_NEW), NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
	                   c->family, 0, 0);
	ct_put_tuple(nlh, CTA_EXPECT_MASTER, &master);
	ct_put_tuple(nlh, CTA_EXPECT_TUPLE, &t);
	ct_put_tuple(nlh, CTA_EXPECT_MASK, &mask);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(c->timeout));
	put_zone(nlh, c);
	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	r = ct_sock_run(&s, nlh, NULL, NULL);
	if (r == 0) {
		/* The kernel starts a new expectation with its helper's timeout and
		 * ignores CTA_EXPECT_TIMEOUT there; a change request (which must
		 * name master, tuple and mask again) sets -t. */
		nlh = ct_req_start(buf, exp_type(IPCTNL_MSG_EXP_NEW), NLM_F_ACK, c->family, 0, 0);
		ct_put_tuple(nlh, CTA_EXPECT_MASTER, &master);
		ct_put_tuple(nlh, CTA_EXPECT_TUPLE, &t);
		ct_put_tuple(nlh, CTA_EXPECT_MASK, &mask);
		mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(c->timeout));
		put_zone(nlh, c);
		r = ct_sock_run(&s, nlh, NULL, NULL);
	}
	ct_sock_close(&s);
	if (r < 0)
		return exp_fail(c, -r);
	return 0; /* conntrack says nothing either */
}

/* -E expect: groups EXP_NEW/EXP_UPDATE/EXP_DESTROY, filtered in user space. */
struct ev_ctx {
	const struct ct_cmd *c;
	struct exp_out *w;
	uint64_t shown;
};

static int ev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *ev = data;
	enum ct_evtype t;
	struct exp_msg x;

	if (ct_exp_parse(nlh, &x) < 0)
		return MNL_CB_OK; /* one malformed event must not end the listener */
	t = ct_exp_evtype(&x);
	if (!(ev->c->events & ct_evtype_flag(t)) || !exp_match(ev->c, &x))
		return MNL_CB_OK;
	exp_emit(ev->w, &x, t);
	ev->shown++;
	return MNL_CB_OK;
}

static unsigned exp_groups(unsigned ev)
{
	unsigned g = 0;

	if (ev & CT_EVF_NEW)
		g |= 1u << (NFNLGRP_CONNTRACK_EXP_NEW - 1);
	if (ev & CT_EVF_UPDATE)
		g |= 1u << (NFNLGRP_CONNTRACK_EXP_UPDATE - 1);
	if (ev & CT_EVF_DESTROY)
		g |= 1u << (NFNLGRP_CONNTRACK_EXP_DESTROY - 1);
	return g;
}

static int event_loop(struct ct_sock *s, int sfd, struct ev_ctx *ev)
{
	int fd = mnl_socket_get_fd(s->nl);
	struct pollfd p[2] = {{fd, POLLIN, 0}, {sfd, POLLIN, 0}};

	for (;;) {
		ssize_t n;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) < 0)
				return 0;
			return 0;
		}
		n = recv(fd, s->buf, CT_RCVBUF, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			/* expectations are few; say so rather than resynchronise */
			fprintf(stderr,
			        "%s: WARNING: the kernel dropped expectation events "
			        "(ENOBUFS)\n",
			        PROG);
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		mnl_cb_run(s->buf, (size_t)n, 0, 0, ev_cb, ev);
		ct_out_flush(&ev->w->o);
	}
}

int ct_expect_event(struct ct_cmd *c)
{
	struct exp_out w;
	struct ev_ctx ev = {c, &w, 0};
	struct ct_sock s;
	sigset_t mask, old;
	int sfd, r;

	if ((r = check_output(c)) != 0)
		return r;
	if ((r = ct_open(c, &s, exp_groups(c->events))) != 0)
		return r;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (exp_out_init(&w, c) < 0) {
		ct_sock_close(&s);
		return NFSH_EOTHER;
	}
	r = sfd < 0 ? -errno : event_loop(&s, sfd, &ev);
	exp_out_free(&w);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ct_sock_close(&s);
	fprintf(stderr, "%s: %llu expectation events have been shown.\n", PROG,
	        (unsigned long long)ev.shown);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	return 0;
}

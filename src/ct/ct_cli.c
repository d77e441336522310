/* conntrack(8) commands: list, get, delete, flush, create, update, count, stats, load. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct.h"
#include "ct/ct_cli.h"

#define PROG "conntrack v1.4.7 (nfsh)"

static void msg(const char *fmt, unsigned long long n, const char *what)
{
	fprintf(stderr, "%s: ", PROG);
	fprintf(stderr, fmt, n, what);
	fputc('\n', stderr);
}

int ct_fail(int status, const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", PROG);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return status;
}

/* Messages as conntrack's err2str for the common kernel errors. */
const char *ct_strerror(int err, enum ct_command cmd)
{
	switch (err) {
	case EEXIST:
		if (cmd == CT_CMD_CREATE)
			return "Such conntrack exists, try -U to update";
		break;
	case ENOENT:
		return "such conntrack doesn't exist";
	case EPERM:
		return "sorry, you must be root or get CAP_NET_ADMIN capability to do this";
	case EINVAL:
		return "invalid parameters";
	case ETIME:
		return "conntrack has expired";
	}
	return strerror(err);
}

/* The face we answer as: the name `conntrack` is the drop-in and keeps
 * conntrack(8)'s messages and exit statuses; `nfsh conntrack` (nfsh execs
 * nfsh-conntrack under its own name) follows nfsh's conventions (issue 7). */
static bool is_nfsh_face(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	base = base ? base + 1 : argv0;
	return base && strcmp(base, "conntrack") != 0;
}

static bool no_capability(int err)
{
	return err == EPERM || err == EACCES;
}

/* nfsh's message for a kernel that refuses us: exit 4 and point at --sandbox. */
static int fail_no_capability(int err)
{
	fprintf(stderr, "nfsh: conntrack: %s; nfsh needs CAP_NET_ADMIN; try --sandbox\n",
	        strerror(err));
	return NFSH_EKERNEL;
}

int ct_fail_kernel(const struct ct_cmd *c, int err)
{
	if (c->nfsh_face && no_capability(err))
		return fail_no_capability(err);
	return ct_fail(NFSH_EOTHER, "Operation failed: %s", ct_strerror(err, c->command));
}

int ct_open(const struct ct_cmd *c, struct ct_sock *s, unsigned groups)
{
	int r = ct_sock_open(s, groups);

	if (r == 0)
		return 0;
	if (c->nfsh_face && no_capability(-r))
		return fail_no_capability(-r);
	if (c->nfsh_face)
		return ct_fail(NFSH_EOTHER, "Can't open handler: %s", strerror(-r));
	/* the drop-in: conntrack's words (its -E binds through libmnl and says so) */
	if (groups && c->table != CT_TAB_EXPECT) {
		fprintf(stderr, "mnl_socket_bind: %s\n", strerror(-r));
		return ct_fail(NFSH_EOTHER, "%s", "Can't open netlink socket");
	}
	return ct_fail(NFSH_EOTHER, "%s", "Can't open handler");
}

uint16_t ct_type(uint8_t msg)
{
	return (uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | msg);
}

/* Dump with every filter the kernel does exactly; cb sees only matching entries. */
struct dump_ctx {
	const struct ct_filter *uf; /* user-space reference (NULL: trust the kernel) */
	int (*fn)(const struct ct_msg *m, void *data);
	void *data;
	uint64_t rejected;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct ct_msg m;

	if (ct_msg_parse(nlh, &m) < 0)
		return MNL_CB_ERROR;
	if (d->uf && !ct_filter_match(d->uf, &m)) {
		d->rejected++;
		return MNL_CB_OK;
	}
	return d->fn(&m, d->data);
}

int ct_dump(struct ct_sock *s, const struct ct_filter *f, uint8_t msgtype,
            int (*fn)(const struct ct_msg *, void *), void *data)
{
	char *buf = malloc(CT_REQBUF);
	struct ct_filter uf = *f;
	struct dump_ctx d = {&uf, fn, data, 0};
	struct nlmsghdr *nlh;
	int r;

	if (!buf)
		return -ENOMEM;
	nlh = ct_req_start(buf, ct_type(msgtype), NLM_F_DUMP, f->family, 1, 0);
	if (ct_filter_put_kernel(nlh, f) && f->kernel_only)
		ct_filter_kernel_strip(&uf);
	if (ct_filter_empty(&uf))
		d.uf = NULL;
	r = ct_sock_run(s, nlh, dump_cb, &d);
	free(buf);
	/* Everything the kernel filtered exactly is re-checked; an entry it should
	 * have dropped means its filter is wrong here: say so, print only the truth. */
	if (r == 0 && d.rejected && ct_filter_kernel_exact(f) && !f->no_kernel)
		fprintf(stderr,
		        "%s: WARNING: the kernel filter let %llu non-matching entries "
		        "through; they were filtered in user space\n",
		        PROG, (unsigned long long)d.rejected);
	return r;
}

/* -L */
static int list_fn(const struct ct_msg *m, void *data)
{
	ct_out_emit(data, m, CT_EV_NONE);
	return MNL_CB_OK;
}

static int cmd_list(struct ct_cmd *c, uint8_t msgtype)
{
	struct ct_sock s;
	struct ct_out o;
	int r;

	if (c->table == CT_TAB_EXPECT)
		return ct_expect_list(c);
	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	if (ct_out_init(&o, stdout, c->of, &c->lm) < 0) {
		ct_sock_close(&s);
		return NFSH_EOTHER;
	}
	r = ct_dump(&s, &c->f, msgtype, list_fn, &o);
	ct_out_free(&o);
	ct_sock_close(&s);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	msg("%llu %s been shown.", o.n, "flow entries have");
	return 0;
}

/* -C */
static int count_fn(const struct ct_msg *m, void *data)
{
	(void)m;
	(*(uint64_t *)data)++;
	return MNL_CB_OK;
}

static int stats_global_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == CTA_STATS_GLOBAL_ENTRIES &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*(uint64_t *)data = ntohl(mnl_attr_get_u32(a));
	}
	return MNL_CB_OK;
}

static int cmd_count(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct ct_sock s;
	uint64_t n = 0;
	int r;

	if (c->table == CT_TAB_EXPECT)
		return ct_expect_count(c);
	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	if (ct_filter_empty(&c->f)) {
		struct nlmsghdr *nlh =
		    ct_req_start(buf, ct_type(IPCTNL_MSG_CT_GET_STATS), NLM_F_ACK, AF_UNSPEC, 0, 0);
		r = ct_sock_run(&s, nlh, stats_global_cb, &n);
	} else {
		r = ct_dump(&s, &c->f, IPCTNL_MSG_CT_GET, count_fn, &n);
	}
	ct_sock_close(&s);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

/* -S */
static int stats_cpu_cb(const struct nlmsghdr *nlh, void *data)
{
	static const struct {
		int type;
		const char *name;
	} f[] = {{CTA_STATS_FOUND, "found"},
	         {CTA_STATS_INVALID, "invalid"},
	         {CTA_STATS_INSERT, "insert"},
	         {CTA_STATS_INSERT_FAILED, "insert_failed"},
	         {CTA_STATS_DROP, "drop"},
	         {CTA_STATS_EARLY_DROP, "early_drop"},
	         {CTA_STATS_ERROR, "error"},
	         {CTA_STATS_SEARCH_RESTART, "search_restart"},
	         {CTA_STATS_CLASH_RESOLVE, "clash_resolve"},
	         {CTA_STATS_CHAIN_TOOLONG, "chaintoolong"}};
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	uint32_t v[CTA_STATS_MAX + 1] = {0};
	struct nlattr *a;

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(*nfg))
	{
		int t = mnl_attr_get_type(a);
		if (t <= CTA_STATS_MAX && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			v[t] = ntohl(mnl_attr_get_u32(a));
	}
	printf("cpu=%-4u\t", ntohs(nfg->res_id));
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		printf("%s=%u ", f[i].name, v[f[i].type]);
	printf("\n");
	return MNL_CB_OK;
}

static int cmd_stats(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct nlmsghdr *nlh;
	struct ct_sock s;
	int r;

	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_GET_STATS_CPU), NLM_F_DUMP, AF_UNSPEC, 0, 0);
	r = ct_sock_run(&s, nlh, stats_cpu_cb, NULL);
	ct_sock_close(&s);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	return 0;
}

/* -F: one message; nfgenmsg.version 1 makes the kernel honour the family. */
static int cmd_flush(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct nlmsghdr *nlh;
	struct ct_sock s;
	int r;

	if (c->table == CT_TAB_EXPECT)
		return ct_expect_flush(c);
	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_DELETE), NLM_F_ACK, c->family, 1, 0);
	r = ct_sock_run(&s, nlh, NULL, NULL);
	ct_sock_close(&s);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	fprintf(stderr, "%s: connection tracking table has been emptied.\n", PROG);
	return 0;
}

static int ack_only(struct ct_sock *s, struct nlmsghdr *nlh)
{
	return ct_sock_run(s, nlh, NULL, NULL);
}

/* -D: list what matches, then remove it: one filtered flush when the kernel's
 * filter is exact, otherwise one delete per entry (by tuple and id). */
struct del_ctx {
	struct ct_sock *s2;
	struct ct_out *o;
	bool per_entry;
	uint64_t n;
	char buf[CT_REQBUF];
};

static int del_fn(const struct ct_msg *m, void *data)
{
	struct del_ctx *d = data;
	struct nlmsghdr *nlh;

	if (d->per_entry) {
		nlh =
		    ct_req_start(d->buf, ct_type(IPCTNL_MSG_CT_DELETE), NLM_F_ACK, m->family, 0, 0);
		ct_put_tuple_tb(nlh, CTA_TUPLE_ORIG, &m->orig);
		if (m->tb[CTA_ZONE])
			mnl_attr_put(nlh, CTA_ZONE, 2, mnl_attr_get_payload(m->tb[CTA_ZONE]));
		if (m->tb[CTA_ID])
			mnl_attr_put(nlh, CTA_ID, 4, mnl_attr_get_payload(m->tb[CTA_ID]));
		if (ack_only(d->s2, nlh) < 0)
			return MNL_CB_OK; /* gone meanwhile */
	}
	/* conntrack prints deleted entries plainly; -o save writes them as -D lines */
	ct_out_emit(d->o, m, (d->o->of & CT_O_SAVE) ? CT_EV_DESTROY : CT_EV_NONE);
	d->n++;
	return MNL_CB_OK;
}

/* CTA_FILTER needs a family: a protocol/port filter without -f is exact as one
 * filtered flush per family. */
static bool exact_per_family(const struct ct_filter *f)
{
	struct ct_filter g = *f;

	if (f->family || f->no_kernel)
		return false;
	g.family = AF_INET;
	if (!ct_filter_kernel_exact(&g))
		return false;
	g.family = AF_INET6;
	return ct_filter_kernel_exact(&g);
}

static int filtered_flush(struct ct_sock *s, char *buf, const struct ct_filter *f)
{
	static const uint8_t fams[] = {AF_INET, AF_INET6};
	struct ct_filter g = *f;
	struct nlmsghdr *nlh;
	int r = 0;

	for (size_t i = 0; i < sizeof(fams) && r == 0; i++) {
		if (f->family && i > 0)
			break;
		if (!f->family && ct_filter_kernel_exact(f))
			g.family = 0; /* no tuple part: one message covers both */
		else if (!f->family)
			g.family = fams[i];
		nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_DELETE), NLM_F_ACK, g.family, 1, 0);
		ct_filter_put_kernel(nlh, &g);
		r = ack_only(s, nlh);
		if (!g.family)
			break;
	}
	return r;
}

static int cmd_delete(struct ct_cmd *c)
{
	struct ct_sock s, s2;
	struct ct_out o;
	struct del_ctx *d;
	int r;

	if (c->table == CT_TAB_EXPECT)
		return ct_expect_delete(c);
	d = calloc(1, sizeof(*d));
	if (!d)
		return NFSH_EOTHER;
	if ((r = ct_open(c, &s, 0)) != 0) {
		free(d);
		return r;
	}
	if ((r = ct_open(c, &s2, 0)) != 0 || ct_out_init(&o, stdout, c->of, &c->lm) < 0) {
		if (r == 0)
			ct_sock_close(&s2);
		ct_sock_close(&s);
		free(d);
		return r ? r : NFSH_EOTHER;
	}
	o.xml_bare = true; /* conntrack -D -o xml reports entries, not a document */
	d->s2 = &s2;
	d->o = &o;
	d->per_entry = !ct_filter_kernel_exact(&c->f) && !exact_per_family(&c->f);
	r = ct_dump(&s, &c->f, IPCTNL_MSG_CT_GET, del_fn, d);
	if (r == 0 && !d->per_entry && d->n)
		r = filtered_flush(&s2, d->buf, &c->f);
	ct_out_free(&o);
	ct_sock_close(&s2);
	ct_sock_close(&s);
	if (r < 0) {
		free(d);
		return ct_fail_kernel(c, -r);
	}
	msg("%llu %s been deleted.", d->n, "flow entries have");
	r = (d->n == 0 && !c->in_load) ? NFSH_EOTHER : 0;
	free(d);
	return r;
}

static int run_cmd(struct ct_cmd *c)
{
	switch (c->command) {
	case CT_CMD_LIST:
		if (c->table == CT_TAB_DYING || c->table == CT_TAB_UNCONFIRMED)
			return cmd_list(c, c->table == CT_TAB_DYING
			                       ? IPCTNL_MSG_CT_GET_DYING
			                       : IPCTNL_MSG_CT_GET_UNCONFIRMED);
		return cmd_list(c, IPCTNL_MSG_CT_GET);
	case CT_CMD_COUNT:
		return cmd_count(c);
	case CT_CMD_STATS:
		return cmd_stats(c);
	case CT_CMD_FLUSH:
		return cmd_flush(c);
	case CT_CMD_DELETE:
		return cmd_delete(c);
	case CT_CMD_CREATE:
	case CT_CMD_ADD:
		return ct_cmd_create(c);
	case CT_CMD_UPDATE:
		return ct_cmd_update(c);
	case CT_CMD_GET:
		return ct_cmd_get(c);
	case CT_CMD_EVENT:
		return ct_cmd_event(c);
	case CT_CMD_LOAD:
		return ct_cmd_load(c);
	case CT_CMD_HELP:
		ct_usage(stdout);
		return 0;
	case CT_CMD_VERSION:
		printf("conntrack v1.4.7 (nfsh)\n");
		return 0;
	case CT_CMD_NONE:
		break;
	}
	return NFSH_EPARAM;
}

int ct_cli_run(int argc, char **argv, bool in_load)
{
	struct nfsh_err e;
	struct ct_cmd *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return NFSH_EOTHER;
	err_clear(&e);
	if (ct_cmd_parse(c, argc, argv, &e) < 0) {
		fprintf(stderr, "%s: %s", PROG, e.msg);
		if (e.hint[0])
			fprintf(stderr, "; %s", e.hint);
		fprintf(stderr,
		        "\nTry `conntrack -h' or 'conntrack --help' for more information.\n");
		ct_cmd_free(c);
		free(c);
		return e.status ? e.status : NFSH_EPARAM;
	}
	c->in_load = in_load;
	c->nfsh_face = is_nfsh_face(argv[0]);
	if (c->of & (CT_O_LABELS))
		ct_labelmap_load(&c->lm);
	r = run_cmd(c);
	fflush(stdout);
	ct_cmd_free(c);
	free(c);
	return r;
}

int ct_cli_main(int argc, char **argv)
{
	/* `nfsh conntrack top ...` is the live view */
	if (argc > 1 && strcmp(argv[1], "top") == 0)
		return ct_top_main(argc - 2, argv + 2);
	return ct_cli_run(argc, argv, false);
}

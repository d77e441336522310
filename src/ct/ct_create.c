/* -I/-A create, -U update, -G get, -R load: the commands that build a tuple. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct_cli.h"

#define PROG "conntrack v1.4.7 (nfsh)"

static bool l4_has_ports(int l4)
{
	return l4 == IPPROTO_TCP || l4 == IPPROTO_UDP || l4 == IPPROTO_UDPLITE ||
	       l4 == IPPROTO_SCTP || l4 == IPPROTO_DCCP;
}

static bool l4_is_icmp(int l4)
{
	return l4 == IPPROTO_ICMP || l4 == IPPROTO_ICMPV6;
}

/* Fill the direction not given from the other, as conntrack does: swap addresses
 * and ports, apply --src-nat/--dst-nat, invert the ICMP type. */
static int complete_tuples(struct ct_cmd *c, struct nfsh_err *e)
{
	struct ct_tuple *o = &c->orig, *r = &c->reply;
	bool have_o = c->orig_src && c->orig_dst, have_r = c->reply_src && c->reply_dst;
	size_t n = c->family == AF_INET6 ? 16 : 4;

	if (!have_o && !have_r)
		return err_set(e, NFSH_EPARAM, "", "missing source or destination address");
	if (c->l4 < 0)
		return err_set(e, NFSH_EPARAM, "", "missing protocol (-p)");
	if (!c->has_timeout)
		return err_set(e, NFSH_EPARAM, "", "missing timeout (-t)");
	if (!have_o) {
		memcpy(o->src, r->dst, n), memcpy(o->dst, r->src, n);
		o->has_src = o->has_dst = true;
		o->sport = r->dport, o->has_sport = r->has_dport;
		o->dport = r->sport, o->has_dport = r->has_sport;
	}
	if (!have_r) {
		memcpy(r->src, c->dnat.set ? c->dnat.addr : o->dst, n);
		memcpy(r->dst, c->snat.set ? c->snat.addr : o->src, n);
		r->has_src = r->has_dst = true;
	}
	if ((c->dnat.set || c->snat.set) &&
	    (c->dnat.set ? c->dnat.family : c->snat.family) != c->family)
		return err_set(e, NFSH_EPARAM, "", "mismatched address family");
	if (l4_has_ports(c->l4)) {
		if (!r->has_sport && o->has_dport)
			r->sport = c->dnat_port >= 0 ? (uint16_t)c->dnat_port : o->dport,
			r->has_sport = true;
		if (!r->has_dport && o->has_sport)
			r->dport = c->snat_port >= 0 ? (uint16_t)c->snat_port : o->sport,
			r->has_dport = true;
		if (!o->has_sport || !o->has_dport || !r->has_sport || !r->has_dport)
			return err_set(e, NFSH_EPARAM, "", "missing port (--sport/--dport)");
	}
	if (l4_is_icmp(c->l4)) {
		if (!o->has_itype || !o->has_icode || !o->has_iid)
			return err_set(e, NFSH_EPARAM, "",
			               "missing --icmp-type/--icmp-code/--icmp-id");
		r->itype = ct_icmp_reply_type((uint8_t)c->l4, o->itype);
		r->icode = o->icode;
		r->iid = o->iid;
		r->has_itype = r->has_icode = r->has_iid = true;
	}
	return 0;
}

/* CTA_NAT_SRC/DST: the kernel sets up NAT (and the *_NAT_DONE bits) as for a packet. */
static void put_nat(struct nlmsghdr *nlh, uint16_t type, const struct ct_addr_match *a, int port)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	if (a->family == AF_INET6) {
		mnl_attr_put(nlh, CTA_NAT_V6_MINIP, 16, a->addr);
		mnl_attr_put(nlh, CTA_NAT_V6_MAXIP, 16, a->addr);
	} else {
		mnl_attr_put(nlh, CTA_NAT_V4_MINIP, 4, a->addr);
		mnl_attr_put(nlh, CTA_NAT_V4_MAXIP, 4, a->addr);
	}
	if (port >= 0) {
		struct nlattr *p = mnl_attr_nest_start(nlh, CTA_NAT_PROTO);
		mnl_attr_put_u16(nlh, CTA_PROTONAT_PORT_MIN, htons((uint16_t)port));
		mnl_attr_put_u16(nlh, CTA_PROTONAT_PORT_MAX, htons((uint16_t)port));
		mnl_attr_nest_end(nlh, p);
	}
	mnl_attr_nest_end(nlh, n);
}

static void put_labels(struct nlmsghdr *nlh, const uint8_t bits[16], const uint8_t mask[16])
{
	mnl_attr_put(nlh, CTA_LABELS, 16, bits);
	mnl_attr_put(nlh, CTA_LABELS_MASK, 16, mask);
}

int ct_cmd_create(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct nfsh_err e;
	struct nlmsghdr *nlh;
	struct ct_sock s;
	uint16_t flags = NLM_F_CREATE | NLM_F_ACK;
	int r;

	err_clear(&e);
	if (c->table == CT_TAB_EXPECT)
		return ct_expect_create(c);
	if (complete_tuples(c, &e) < 0) {
		fprintf(stderr, "%s: %s\n", PROG, e.msg);
		return NFSH_EPARAM;
	}
	if (c->command == CT_CMD_CREATE)
		flags |= NLM_F_EXCL;
	nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_NEW), flags, c->family, 0, 0);
	ct_put_tuple(nlh, CTA_TUPLE_ORIG, &c->orig);
	ct_put_tuple(nlh, CTA_TUPLE_REPLY, &c->reply);
	/* IPS_CONFIRMED is required by this kernel for a create (else EBUSY). */
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(c->status | IPS_CONFIRMED));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(c->timeout));
	if (c->has_mark)
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(c->mark));
	if (c->snat.set)
		put_nat(nlh, CTA_NAT_SRC, &c->snat, c->snat_port);
	if (c->dnat.set)
		put_nat(nlh, CTA_NAT_DST, &c->dnat, c->dnat_port);
	if (c->zone >= 0)
		mnl_attr_put_u16(nlh, CTA_ZONE, htons((uint16_t)c->zone));
	if (c->tcp_state >= 0 && c->l4 == IPPROTO_TCP) {
		struct nlattr *n1 = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		struct nlattr *n2 = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, (uint8_t)c->tcp_state);
		mnl_attr_nest_end(nlh, n2);
		mnl_attr_nest_end(nlh, n1);
	}
	if (c->set_labels) {
		uint8_t all[16];
		memset(all, 0xff, sizeof(all));
		put_labels(nlh, c->labels, all);
	}
	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	r = ct_sock_run(&s, nlh, NULL, NULL);
	ct_sock_close(&s);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	fprintf(stderr, "%s: 1 flow entries have been %s.\n", PROG,
	        c->command == CT_CMD_ADD ? "added" : "created");
	return 0;
}

/* -G: one entry by its original (or reply) tuple. */
static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_msg m;

	if (ct_msg_parse(nlh, &m) < 0)
		return MNL_CB_ERROR;
	ct_out_emit(data, &m, CT_EV_NONE);
	return MNL_CB_OK;
}

/* -U: every entry matching the tuple filter gets the new mark/status/timeout/labels;
 * entries that would not change are left alone and not counted, as conntrack. */
struct upd_ctx {
	struct ct_cmd *c;
	struct ct_sock *s2;
	struct ct_out *o;
	uint64_t n;
	int err;
	char buf[CT_REQBUF];
};

static void label_update(const struct ct_cmd *c, const uint8_t old[16], uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		out[i] = c->set_labels ? c->labels[i] : old[i];
		out[i] = (uint8_t)((out[i] | c->labels_add[i]) & ~c->labels_del[i]);
	}
}

static int upd_fn(const struct ct_msg *m, void *data)
{
	struct upd_ctx *u = data;
	const struct ct_cmd *c = u->c;
	uint32_t mark = 0, status = 0, nmark, nstatus;
	uint8_t old[16], nl[16];
	bool lchg, changed;
	struct nlmsghdr *nlh;
	int r;

	ct_get_u32(m->tb[CTA_MARK], &mark);
	ct_get_u32(m->tb[CTA_STATUS], &status);
	ct_msg_labels(m, old);
	nmark = c->has_mark ? (mark & ~c->mark_mask) | (c->mark & c->mark_mask) : mark;
	nstatus = c->has_status ? status | c->status : status;
	label_update(c, old, nl);
	lchg = (c->has_label_add || c->has_label_del) && memcmp(old, nl, 16) != 0;
	changed = c->has_timeout || nmark != mark || nstatus != status || lchg;
	if (!changed)
		return MNL_CB_OK;
	nlh = ct_req_start(u->buf, ct_type(IPCTNL_MSG_CT_NEW), NLM_F_ACK, m->family, 0, 0);
	ct_put_tuple_tb(nlh, CTA_TUPLE_ORIG, &m->orig);
	if (m->tb[CTA_ZONE])
		mnl_attr_put(nlh, CTA_ZONE, 2, mnl_attr_get_payload(m->tb[CTA_ZONE]));
	if (m->tb[CTA_ID])
		mnl_attr_put(nlh, CTA_ID, 4, mnl_attr_get_payload(m->tb[CTA_ID]));
	if (nmark != mark)
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(nmark));
	if (nstatus != status)
		mnl_attr_put_u32(nlh, CTA_STATUS, htonl(nstatus));
	if (c->has_timeout)
		mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(c->timeout));
	if (lchg) {
		uint8_t all[16];
		memset(all, 0xff, sizeof(all));
		put_labels(nlh, nl, all);
	}
	r = ct_sock_run(u->s2, nlh, NULL, NULL);
	if (r < 0) {
		u->err = -r;
		return MNL_CB_OK;
	}
	u->n++;
	/* as conntrack: print the entry as it is now */
	nlh = ct_req_start(u->buf, ct_type(IPCTNL_MSG_CT_GET), NLM_F_ACK, m->family, 0, 0);
	ct_put_tuple_tb(nlh, CTA_TUPLE_ORIG, &m->orig);
	if (m->tb[CTA_ZONE])
		mnl_attr_put(nlh, CTA_ZONE, 2, mnl_attr_get_payload(m->tb[CTA_ZONE]));
	ct_sock_run(u->s2, nlh, get_cb, u->o);
	return MNL_CB_OK;
}

int ct_cmd_update(struct ct_cmd *c)
{
	struct ct_sock s, s2;
	struct upd_ctx *u = calloc(1, sizeof(*u));
	struct ct_filter f = c->f;
	struct ct_out o;
	int r;

	if (c->table == CT_TAB_EXPECT) {
		free(u);
		return ct_fail(NFSH_EPARAM, "%s", "Can't do --update on expectations");
	}
	if (!u)
		return NFSH_EOTHER;
	/* mark, status and timeout are what -U sets, not what it selects */
	f.mark_set = false;
	f.status_set = false;
	if ((r = ct_open(c, &s, 0)) != 0) {
		free(u);
		return r;
	}
	if ((r = ct_open(c, &s2, 0)) != 0) {
		ct_sock_close(&s);
		free(u);
		return r;
	}
	ct_out_init(&o, stdout, c->of, &c->lm);
	o.xml_bare = true; /* as conntrack -U -o xml: <flow> lines, no document */
	u->c = c, u->s2 = &s2, u->o = &o;
	r = ct_dump(&s, &f, IPCTNL_MSG_CT_GET, upd_fn, u);
	ct_out_free(&o);
	ct_sock_close(&s);
	ct_sock_close(&s2);
	if (r < 0 || (u->n == 0 && u->err)) {
		int err = r < 0 ? -r : u->err;
		free(u);
		return ct_fail_kernel(c, err);
	}
	fprintf(stderr, "%s: %llu flow entries have been updated.\n", PROG,
	        (unsigned long long)u->n);
	r = (u->n == 0 && !c->in_load) ? NFSH_EOTHER : 0;
	free(u);
	return r;
}

int ct_cmd_get(struct ct_cmd *c)
{
	char buf[CT_REQBUF];
	struct nlmsghdr *nlh;
	struct ct_sock s;
	struct ct_out o;
	bool by_orig = c->orig_src && c->orig_dst;
	int r;

	if (c->table == CT_TAB_EXPECT)
		return ct_expect_get(c);
	if (!by_orig && !(c->reply_src && c->reply_dst))
		return ct_fail(NFSH_EPARAM, "%s", "missing source or destination address");
	if (c->l4 < 0)
		return ct_fail(NFSH_EPARAM, "%s", "missing protocol (-p)");
	nlh = ct_req_start(buf, ct_type(IPCTNL_MSG_CT_GET), NLM_F_ACK, c->family, 0, 0);
	ct_put_tuple(nlh, by_orig ? CTA_TUPLE_ORIG : CTA_TUPLE_REPLY,
	             by_orig ? &c->orig : &c->reply);
	if (c->zone >= 0)
		mnl_attr_put_u16(nlh, CTA_ZONE, htons((uint16_t)c->zone));
	if ((r = ct_open(c, &s, 0)) != 0)
		return r;
	ct_out_init(&o, stdout, c->of, &c->lm);
	r = ct_sock_run(&s, nlh, get_cb, &o);
	ct_out_free(&o);
	ct_sock_close(&s);
	if (r < 0)
		return ct_fail_kernel(c, -r);
	fprintf(stderr, "%s: %llu flow entries have been shown.\n", PROG, (unsigned long long)o.n);
	return 0;
}

/* -R FILE|-: one conntrack command per line; blank lines are skipped. */
int ct_cmd_load(struct ct_cmd *c)
{
	FILE *f = strcmp(c->load_file, "-") == 0 ? stdin : fopen(c->load_file, "re");
	char line[4096];
	int status = 0, lineno = 0;

	if (!f)
		return ct_fail(NFSH_EOTHER, "can't open `%s'", c->load_file);
	while (fgets(line, sizeof(line), f)) {
		char *argv[128], *save = NULL, *tok;
		int argc = 1, r;

		lineno++;
		argv[0] = (char *)(c->nfsh_face ? "nfsh-conntrack" : "conntrack");
		for (tok = strtok_r(line, " \t\r\n", &save); tok && argc < 127;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;
		if (argc == 1)
			continue;
		if (strcmp(argv[1], "-R") == 0 || strcmp(argv[1], "--load-file") == 0) {
			fprintf(stderr, "%s: line %d: -R is not allowed inside -R\n", PROG, lineno);
			status = NFSH_EPARAM;
			continue;
		}
		r = ct_cli_run(argc, argv, true);
		if (r && !status)
			status = r;
	}
	if (f != stdin)
		fclose(f);
	return status;
}

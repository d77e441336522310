/* The expectation table (NFNL_SUBSYS_CTNETLINK_EXP): list, count, flush. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct_cli.h"

#define PROG "conntrack v1.4.7 (nfsh)"

static int exp_store_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, CTA_EXPECT_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case CTA_EXPECT_MASTER:
	case CTA_EXPECT_TUPLE:
	case CTA_EXPECT_MASK:
	case CTA_EXPECT_NAT:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		break;
	case CTA_EXPECT_TIMEOUT:
	case CTA_EXPECT_ID:
	case CTA_EXPECT_FLAGS:
	case CTA_EXPECT_CLASS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case CTA_EXPECT_ZONE:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		break;
	case CTA_EXPECT_HELP_NAME:
	case CTA_EXPECT_FN:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

static void exp_tuple_get(const struct nlattr *nest, struct ct_tuple *t)
{
	struct ct_tuple_tb tb;
	struct nlattr *a;

	memset(&tb, 0, sizeof(tb));
	memset(t, 0, sizeof(*t));
	if (!nest)
		return;
	/* one level at a time: the ip and proto nests, each attribute validated */
	mnl_attr_for_each_nested(a, nest)
	{
		struct nlattr *b;
		int type = mnl_attr_get_type(a);

		if ((type != CTA_TUPLE_IP && type != CTA_TUPLE_PROTO) ||
		    mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			continue;
		mnl_attr_for_each_nested(b, a)
		{
			int bt = mnl_attr_get_type(b);
			if (type == CTA_TUPLE_IP && bt <= CTA_IP_MAX &&
			    mnl_attr_validate2(b, MNL_TYPE_BINARY, bt >= CTA_IP_V6_SRC ? 16 : 4) ==
			        0)
				tb.ip[bt] = b;
			else if (type == CTA_TUPLE_PROTO && bt <= CTA_PROTO_MAX &&
			         mnl_attr_validate(b,
			                           bt == CTA_PROTO_NUM || bt >= CTA_PROTO_ICMP_TYPE
			                               ? MNL_TYPE_U8
			                               : MNL_TYPE_U16) == 0)
				tb.proto[bt] = b;
		}
	}
	ct_tuple_get(&tb, 0, t);
}

static void put_exp_tuple(struct ct_line *l, const char *pfx, const struct ct_tuple *t)
{
	ct_line_add(l, pfx);
	ct_line_add(l, "src=");
	ct_format_addr(l, t->l3, t->src);
	ct_line_add(l, " ");
	ct_line_add(l, pfx);
	ct_line_add(l, "dst=");
	ct_format_addr(l, t->l3, t->dst);
	ct_line_add(l, " ");
	if (t->has_sport) {
		ct_line_add(l, "sport=");
		ct_line_u64(l, t->sport);
		ct_line_add(l, " dport=");
		ct_line_u64(l, t->dport);
		ct_line_add(l, " ");
	}
}

static int exp_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_EXPECT_MAX + 1] = {0};
	struct ct_out *o = data;
	struct ct_line *l = &o->line;
	struct ct_tuple t, mask, master;
	uint32_t v;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), exp_store_cb, tb) < 0)
		return MNL_CB_ERROR;
	ct_line_reset(l);
	if (ct_get_u32(tb[CTA_EXPECT_TIMEOUT], &v)) {
		ct_line_u64(l, v);
		ct_line_add(l, " ");
	}
	exp_tuple_get(tb[CTA_EXPECT_TUPLE], &t);
	exp_tuple_get(tb[CTA_EXPECT_MASK], &mask);
	exp_tuple_get(tb[CTA_EXPECT_MASTER], &master);
	ct_line_add(l, "proto=");
	ct_line_u64(l, t.l4);
	ct_line_add(l, " ");
	put_exp_tuple(l, "", &t);
	/* the mask tuple carries no family of its own */
	mask.l3 = t.l3;
	put_exp_tuple(l, "mask-", &mask);
	put_exp_tuple(l, "master-", &master);
	if (ct_get_u32(tb[CTA_EXPECT_FLAGS], &v)) {
		if (v & 1)
			ct_line_add(l, "PERMANENT ");
		if (v & 2)
			ct_line_add(l, "INACTIVE ");
		if (v & 4)
			ct_line_add(l, "USERSPACE ");
	}
	if (ct_get_u32(tb[CTA_EXPECT_CLASS], &v)) {
		ct_line_add(l, "class=");
		ct_line_u64(l, v);
		ct_line_add(l, " ");
	}
	if (tb[CTA_EXPECT_HELP_NAME]) {
		ct_line_add(l, "helper=");
		ct_line_add(l, mnl_attr_get_str(tb[CTA_EXPECT_HELP_NAME]));
	}
	while (l->len && l->buf[l->len - 1] == ' ')
		l->buf[--l->len] = '\0';
	ct_line_add(l, "\n");
	ct_out_text(o, l->buf, l->len);
	o->n++;
	return MNL_CB_OK;
}

static int exp_request(struct ct_cmd *c, uint8_t msg, uint16_t flags, mnl_cb_t cb, void *data)
{
	char buf[CT_REQBUF];
	struct nlmsghdr *nlh;
	struct ct_sock s;
	int r;

	if (ct_open(&s, 0) < 0)
		return -1;
	nlh = ct_req_start(buf, (uint16_t)((NFNL_SUBSYS_CTNETLINK_EXP << 8) | msg), flags,
	                   c->family, 0, 0);
	r = ct_sock_run(&s, nlh, cb, data);
	ct_sock_close(&s);
	if (r < 0)
		ct_fail(NFSH_EOTHER, "Operation failed: %s", ct_strerror(-r, c->command));
	return r;
}

int ct_expect_list(struct ct_cmd *c)
{
	struct ct_out o;
	int r;

	if (ct_out_init(&o, stdout, c->of, NULL) < 0)
		return NFSH_EOTHER;
	r = exp_request(c, IPCTNL_MSG_EXP_GET, NLM_F_DUMP, exp_cb, &o);
	ct_out_free(&o);
	if (r < 0)
		return NFSH_EOTHER;
	fprintf(stderr, "%s: %llu expectations have been shown.\n", PROG, (unsigned long long)o.n);
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
	uint64_t n = 0;

	if (exp_request(c, IPCTNL_MSG_EXP_GET, NLM_F_DUMP, exp_count_cb, &n) < 0)
		return NFSH_EOTHER;
	printf("%llu\n", (unsigned long long)n);
	return 0;
}

int ct_expect_flush(struct ct_cmd *c)
{
	if (exp_request(c, IPCTNL_MSG_EXP_DELETE, NLM_F_ACK, NULL, NULL) < 0)
		return NFSH_EOTHER;
	fprintf(stderr, "%s: expectation table has been emptied.\n", PROG);
	return 0;
}

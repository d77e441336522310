/* ctnetlink attribute parsing in the libmnl style: one validate-and-store step per
 * nest, every attribute checked by mnl_attr_validate's rules, tb[type] = attr. */
#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

#include "ct/ct_int.h"

struct tb_ctx {
	const struct nlattr **tb;
	int max;
	const enum mnl_attr_data_type *types; /* indexed by type, MNL_TYPE_UNSPEC: no check */
	const uint16_t *lens;                 /* fixed lengths for MNL_TYPE_BINARY */
};

/* mnl_attr_validate's rules, inline: this runs ~30 times per entry, and the
 * library calls were a measurable share of a listing. */
static bool attr_valid(const struct nlattr *a, enum mnl_attr_data_type t, uint16_t fixed)
{
	uint16_t n = (uint16_t)(a->nla_len - MNL_ATTR_HDRLEN);
	const char *p = (const char *)a + MNL_ATTR_HDRLEN;

	switch (t) {
	case MNL_TYPE_U8:
		return n == 1;
	case MNL_TYPE_U16:
		return n == 2;
	case MNL_TYPE_U32:
		return n == 4;
	case MNL_TYPE_U64:
		return n == 8;
	case MNL_TYPE_NESTED:
		return n == 0 || n >= MNL_ATTR_HDRLEN;
	case MNL_TYPE_NUL_STRING:
		return n > 0 && p[n - 1] == '\0';
	case MNL_TYPE_BINARY:
		return !fixed || n == fixed;
	default:
		return mnl_attr_validate(a, t) == 0;
	}
}

static int store(const struct tb_ctx *c, const struct nlattr *attr)
{
	int type = attr->nla_type & NLA_TYPE_MASK;

	/* Unknown types are skipped, not fatal: newer kernels add attributes. */
	if (type > c->max)
		return MNL_CB_OK;
	if (c->types && c->types[type] != MNL_TYPE_UNSPEC &&
	    !attr_valid(attr, c->types[type], c->lens ? c->lens[type] : 0))
		return MNL_CB_ERROR;
	c->tb[type] = attr;
	return MNL_CB_OK;
}

/* Walk len bytes of attributes, storing each. Every byte must belong to an
 * attribute that fits: libmnl's walkers stop quietly at one that does not, and
 * a truncated message would parse as a shorter valid one. */
static int walk(const void *start, size_t len, const struct tb_ctx *c)
{
	const struct nlattr *a = start;
	size_t left = len;

	while (left >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= left) {
		size_t step = MNL_ALIGN(a->nla_len);
		if (store(c, a) < 0)
			return MNL_CB_ERROR;
		if (step >= left) {
			left = 0;
			break;
		}
		left -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return left == 0 ? MNL_CB_OK : MNL_CB_ERROR;
}

int ct_parse_nest(const struct nlattr *nest, const struct nlattr **tb, int max,
                  const enum mnl_attr_data_type *types, const uint16_t *lens)
{
	struct tb_ctx c = {tb, max, types, lens};

	/* tb is part of a message struct that its parser zeroed */
	if (!nest)
		return MNL_CB_OK;
	if (!attr_valid(nest, MNL_TYPE_NESTED, 0))
		return MNL_CB_ERROR;
	return walk((const char *)nest + MNL_ATTR_HDRLEN, nest->nla_len - MNL_ATTR_HDRLEN, &c);
}

static const enum mnl_attr_data_type top_types[CT_TB_MAX + 1] = {
    [CTA_TUPLE_ORIG] = MNL_TYPE_NESTED,
    [CTA_TUPLE_REPLY] = MNL_TYPE_NESTED,
    [CTA_TUPLE_MASTER] = MNL_TYPE_NESTED,
    [CTA_STATUS] = MNL_TYPE_U32,
    [CTA_PROTOINFO] = MNL_TYPE_NESTED,
    [CTA_HELP] = MNL_TYPE_NESTED,
    [CTA_TIMEOUT] = MNL_TYPE_U32,
    [CTA_MARK] = MNL_TYPE_U32,
    [CTA_COUNTERS_ORIG] = MNL_TYPE_NESTED,
    [CTA_COUNTERS_REPLY] = MNL_TYPE_NESTED,
    [CTA_USE] = MNL_TYPE_U32,
    [CTA_ID] = MNL_TYPE_U32,
    [CTA_SECMARK] = MNL_TYPE_U32,
    [CTA_ZONE] = MNL_TYPE_U16,
    [CTA_SECCTX] = MNL_TYPE_NESTED,
    [CTA_TIMESTAMP] = MNL_TYPE_NESTED,
    [CTA_TIMESTAMP_EVENT] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type tuple_types[CTA_TUPLE_MAX + 1] = {
    [CTA_TUPLE_IP] = MNL_TYPE_NESTED,
    [CTA_TUPLE_PROTO] = MNL_TYPE_NESTED,
    [CTA_TUPLE_ZONE] = MNL_TYPE_U16,
};

static const enum mnl_attr_data_type ip_types[CTA_IP_MAX + 1] = {
    [CTA_IP_V4_SRC] = MNL_TYPE_U32,
    [CTA_IP_V4_DST] = MNL_TYPE_U32,
    [CTA_IP_V6_SRC] = MNL_TYPE_BINARY,
    [CTA_IP_V6_DST] = MNL_TYPE_BINARY,
};
static const uint16_t ip_lens[CTA_IP_MAX + 1] = {
    [CTA_IP_V6_SRC] = 16,
    [CTA_IP_V6_DST] = 16,
};

static const enum mnl_attr_data_type proto_types[CTA_PROTO_MAX + 1] = {
    [CTA_PROTO_NUM] = MNL_TYPE_U8,         [CTA_PROTO_SRC_PORT] = MNL_TYPE_U16,
    [CTA_PROTO_DST_PORT] = MNL_TYPE_U16,   [CTA_PROTO_ICMP_ID] = MNL_TYPE_U16,
    [CTA_PROTO_ICMP_TYPE] = MNL_TYPE_U8,   [CTA_PROTO_ICMP_CODE] = MNL_TYPE_U8,
    [CTA_PROTO_ICMPV6_ID] = MNL_TYPE_U16,  [CTA_PROTO_ICMPV6_TYPE] = MNL_TYPE_U8,
    [CTA_PROTO_ICMPV6_CODE] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type pinfo_types[CTA_PROTOINFO_MAX + 1] = {
    [CTA_PROTOINFO_TCP] = MNL_TYPE_NESTED,
    [CTA_PROTOINFO_DCCP] = MNL_TYPE_NESTED,
    [CTA_PROTOINFO_SCTP] = MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type tcp_types[CTA_PROTOINFO_TCP_MAX + 1] = {
    [CTA_PROTOINFO_TCP_STATE] = MNL_TYPE_U8,
    [CTA_PROTOINFO_TCP_WSCALE_ORIGINAL] = MNL_TYPE_U8,
    [CTA_PROTOINFO_TCP_WSCALE_REPLY] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type sctp_types[CTA_PROTOINFO_SCTP_MAX + 1] = {
    [CTA_PROTOINFO_SCTP_STATE] = MNL_TYPE_U8,
    [CTA_PROTOINFO_SCTP_VTAG_ORIGINAL] = MNL_TYPE_U32,
    [CTA_PROTOINFO_SCTP_VTAG_REPLY] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type dccp_types[CTA_PROTOINFO_DCCP_MAX + 1] = {
    [CTA_PROTOINFO_DCCP_STATE] = MNL_TYPE_U8,
    [CTA_PROTOINFO_DCCP_ROLE] = MNL_TYPE_U8,
    [CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type cnt_types[CTA_COUNTERS_MAX + 1] = {
    [CTA_COUNTERS_PACKETS] = MNL_TYPE_U64,
    [CTA_COUNTERS_BYTES] = MNL_TYPE_U64,
    [CTA_COUNTERS32_PACKETS] = MNL_TYPE_U32,
    [CTA_COUNTERS32_BYTES] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type ts_types[CTA_TIMESTAMP_MAX + 1] = {
    [CTA_TIMESTAMP_START] = MNL_TYPE_U64,
    [CTA_TIMESTAMP_STOP] = MNL_TYPE_U64,
};

static const enum mnl_attr_data_type help_types[CTA_HELP_MAX + 1] = {
    [CTA_HELP_NAME] = MNL_TYPE_NUL_STRING,
};

static const enum mnl_attr_data_type secctx_types[CTA_SECCTX_MAX + 1] = {
    [CTA_SECCTX_NAME] = MNL_TYPE_NUL_STRING,
};

int ct_parse_tuple(const struct nlattr *nest, struct ct_tuple_tb *t)
{
	if (ct_parse_nest(nest, t->t, CTA_TUPLE_MAX, tuple_types, NULL) < 0)
		return MNL_CB_ERROR;
	if (ct_parse_nest(t->t[CTA_TUPLE_IP], t->ip, CTA_IP_MAX, ip_types, ip_lens) < 0)
		return MNL_CB_ERROR;
	return ct_parse_nest(t->t[CTA_TUPLE_PROTO], t->proto, CTA_PROTO_MAX, proto_types, NULL);
}

/* The attributes after the nfgenmsg header of a message. */
static int walk_msg(const struct nlmsghdr *nlh, const struct tb_ctx *c)
{
	size_t hdr = mnl_nlmsg_size(MNL_ALIGN(sizeof(struct nfgenmsg)));

	/* mnl_nlmsg_ok compares the length as an int: one of 2 GiB and more
	 * passes it as negative, and the payload would be read past the buffer. */
	if (nlh->nlmsg_len < hdr || nlh->nlmsg_len > INT_MAX)
		return MNL_CB_ERROR;
	return walk((const char *)nlh + hdr, nlh->nlmsg_len - hdr, c);
}

int ct_parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb, int max,
                   const enum mnl_attr_data_type *types)
{
	struct tb_ctx c = {tb, max, types, NULL};

	return walk_msg(nlh, &c);
}

int ct_msg_parse(const struct nlmsghdr *nlh, struct ct_msg *m)
{
	const struct nfgenmsg *nfg;
	struct tb_ctx c = {m->tb, CT_TB_MAX, top_types, NULL};

	memset(m, 0, sizeof(*m));
	if (walk_msg(nlh, &c) < 0)
		return MNL_CB_ERROR;
	nfg = mnl_nlmsg_get_payload(nlh);
	m->family = nfg->nfgen_family;
	m->msgtype = nlh->nlmsg_type & 0xff;
	m->nlflags = nlh->nlmsg_flags;
	m->portid = nlh->nlmsg_pid;
	if (ct_parse_tuple(m->tb[CTA_TUPLE_ORIG], &m->orig) < 0 ||
	    ct_parse_tuple(m->tb[CTA_TUPLE_REPLY], &m->reply) < 0 ||
	    ct_parse_tuple(m->tb[CTA_TUPLE_MASTER], &m->master) < 0)
		return MNL_CB_ERROR;
	if (ct_parse_nest(m->tb[CTA_PROTOINFO], m->protoinfo, CTA_PROTOINFO_MAX, pinfo_types,
	                  NULL) < 0 ||
	    ct_parse_nest(m->protoinfo[CTA_PROTOINFO_TCP], m->tcp, CTA_PROTOINFO_TCP_MAX, tcp_types,
	                  NULL) < 0 ||
	    ct_parse_nest(m->protoinfo[CTA_PROTOINFO_SCTP], m->sctp, CTA_PROTOINFO_SCTP_MAX,
	                  sctp_types, NULL) < 0 ||
	    ct_parse_nest(m->protoinfo[CTA_PROTOINFO_DCCP], m->dccp, CTA_PROTOINFO_DCCP_MAX,
	                  dccp_types, NULL) < 0)
		return MNL_CB_ERROR;
	if (ct_parse_nest(m->tb[CTA_COUNTERS_ORIG], m->cnt[0], CTA_COUNTERS_MAX, cnt_types, NULL) <
	        0 ||
	    ct_parse_nest(m->tb[CTA_COUNTERS_REPLY], m->cnt[1], CTA_COUNTERS_MAX, cnt_types, NULL) <
	        0 ||
	    ct_parse_nest(m->tb[CTA_TIMESTAMP], m->ts, CTA_TIMESTAMP_MAX, ts_types, NULL) < 0 ||
	    ct_parse_nest(m->tb[CTA_HELP], m->help, CTA_HELP_MAX, help_types, NULL) < 0 ||
	    ct_parse_nest(m->tb[CTA_SECCTX], m->secctx, CTA_SECCTX_MAX, secctx_types, NULL) < 0)
		return MNL_CB_ERROR;
	if (m->tb[CTA_LABELS] && mnl_attr_get_payload_len(m->tb[CTA_LABELS]) > 16)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

#define PAYLOAD(a) ((const char *)(a) + MNL_ATTR_HDRLEN)

void ct_tuple_get(const struct ct_tuple_tb *tb, uint8_t family, struct ct_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->l3 = family;
	if (tb->ip[CTA_IP_V4_SRC] || tb->ip[CTA_IP_V4_DST])
		t->l3 = AF_INET;
	else if (tb->ip[CTA_IP_V6_SRC] || tb->ip[CTA_IP_V6_DST])
		t->l3 = AF_INET6;
	if (t->l3 == AF_INET) {
		if ((t->has_src = tb->ip[CTA_IP_V4_SRC] != NULL))
			memcpy(t->src, PAYLOAD(tb->ip[CTA_IP_V4_SRC]), 4);
		if ((t->has_dst = tb->ip[CTA_IP_V4_DST] != NULL))
			memcpy(t->dst, PAYLOAD(tb->ip[CTA_IP_V4_DST]), 4);
	} else if (t->l3 == AF_INET6) {
		if ((t->has_src = tb->ip[CTA_IP_V6_SRC] != NULL))
			memcpy(t->src, PAYLOAD(tb->ip[CTA_IP_V6_SRC]), 16);
		if ((t->has_dst = tb->ip[CTA_IP_V6_DST] != NULL))
			memcpy(t->dst, PAYLOAD(tb->ip[CTA_IP_V6_DST]), 16);
	}
	t->has_l4 = ct_get_u8(tb->proto[CTA_PROTO_NUM], &t->l4);
	t->has_sport = ct_get_u16(tb->proto[CTA_PROTO_SRC_PORT], &t->sport);
	t->has_dport = ct_get_u16(tb->proto[CTA_PROTO_DST_PORT], &t->dport);
	if (t->l4 == IPPROTO_ICMPV6) {
		t->has_itype = ct_get_u8(tb->proto[CTA_PROTO_ICMPV6_TYPE], &t->itype);
		t->has_icode = ct_get_u8(tb->proto[CTA_PROTO_ICMPV6_CODE], &t->icode);
		t->has_iid = ct_get_u16(tb->proto[CTA_PROTO_ICMPV6_ID], &t->iid);
	} else {
		t->has_itype = ct_get_u8(tb->proto[CTA_PROTO_ICMP_TYPE], &t->itype);
		t->has_icode = ct_get_u8(tb->proto[CTA_PROTO_ICMP_CODE], &t->icode);
		t->has_iid = ct_get_u16(tb->proto[CTA_PROTO_ICMP_ID], &t->iid);
	}
	t->has_zone = ct_get_u16(tb->t[CTA_TUPLE_ZONE], &t->zone);
}

uint8_t ct_msg_l4(const struct ct_msg *m)
{
	uint8_t v = 0;

	if (!ct_get_u8(m->orig.proto[CTA_PROTO_NUM], &v))
		ct_get_u8(m->reply.proto[CTA_PROTO_NUM], &v);
	return v;
}

bool ct_msg_tcp_state(const struct ct_msg *m, uint8_t *state)
{
	return ct_get_u8(m->tcp[CTA_PROTOINFO_TCP_STATE], state);
}

size_t ct_msg_labels(const struct ct_msg *m, uint8_t out[16])
{
	size_t n;

	memset(out, 0, 16);
	if (!m->tb[CTA_LABELS])
		return 0;
	n = mnl_attr_get_payload_len(m->tb[CTA_LABELS]);
	if (n > 16)
		n = 16;
	memcpy(out, mnl_attr_get_payload(m->tb[CTA_LABELS]), n);
	return n;
}

/* Events: DESTROY is its own message type; NEW carries NLM_F_CREATE|NLM_F_EXCL. */
enum ct_evtype ct_msg_evtype(const struct ct_msg *m)
{
	if (m->msgtype == IPCTNL_MSG_CT_DELETE)
		return CT_EV_DESTROY;
	if (m->nlflags & (NLM_F_CREATE | NLM_F_EXCL))
		return CT_EV_NEW;
	return CT_EV_UPDATE;
}

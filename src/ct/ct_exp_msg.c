/* An expectation message of ctnetlink: parsed without copying, and printed
 * as conntrack(8) prints it (libnetfilter_conntrack's nfexp_snprintf text
 * line, or its XML). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ct/ct_cli.h"
#include "ct/ct_exp_int.h"

static const enum mnl_attr_data_type exp_types[CTA_EXPECT_MAX + 1] = {
    [CTA_EXPECT_MASTER] = MNL_TYPE_NESTED, [CTA_EXPECT_TUPLE] = MNL_TYPE_NESTED,
    [CTA_EXPECT_MASK] = MNL_TYPE_NESTED,   [CTA_EXPECT_TIMEOUT] = MNL_TYPE_U32,
    [CTA_EXPECT_ID] = MNL_TYPE_U32,        [CTA_EXPECT_HELP_NAME] = MNL_TYPE_NUL_STRING,
    [CTA_EXPECT_ZONE] = MNL_TYPE_U16,      [CTA_EXPECT_FLAGS] = MNL_TYPE_U32,
    [CTA_EXPECT_CLASS] = MNL_TYPE_U32,     [CTA_EXPECT_NAT] = MNL_TYPE_NESTED,
    [CTA_EXPECT_FN] = MNL_TYPE_NUL_STRING,
};

static const enum mnl_attr_data_type exp_nat_types[CTA_EXPECT_NAT_MAX + 1] = {
    [CTA_EXPECT_NAT_DIR] = MNL_TYPE_U32,
    [CTA_EXPECT_NAT_TUPLE] = MNL_TYPE_NESTED,
};

int ct_exp_parse(const struct nlmsghdr *nlh, struct exp_msg *x)
{
	const struct nfgenmsg *nfg;

	memset(x, 0, sizeof(*x));
	if (ct_parse_attrs(nlh, x->tb, CTA_EXPECT_MAX, exp_types) < 0)
		return MNL_CB_ERROR;
	nfg = mnl_nlmsg_get_payload(nlh);
	x->family = nfg->nfgen_family;
	x->msgtype = nlh->nlmsg_type & 0xff;
	x->nlflags = nlh->nlmsg_flags;
	if (ct_parse_tuple(x->tb[CTA_EXPECT_TUPLE], &x->tuple) < 0 ||
	    ct_parse_tuple(x->tb[CTA_EXPECT_MASK], &x->mask) < 0 ||
	    ct_parse_tuple(x->tb[CTA_EXPECT_MASTER], &x->master) < 0 ||
	    ct_parse_nest(x->tb[CTA_EXPECT_NAT], x->nat, CTA_EXPECT_NAT_MAX, exp_nat_types, NULL) <
	        0 ||
	    ct_parse_tuple(x->nat[CTA_EXPECT_NAT_TUPLE], &x->nat_tuple) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

void ct_exp_tuples_get(const struct exp_msg *x, struct exp_tuples *e)
{
	ct_tuple_get(&x->tuple, x->family, &e->t);
	ct_tuple_get(&x->mask, e->t.l3, &e->mask);
	ct_tuple_get(&x->master, x->family, &e->master);
	e->mask.l3 = e->t.l3;
}

enum ct_evtype ct_exp_evtype(const struct exp_msg *x)
{
	if (x->msgtype == IPCTNL_MSG_EXP_DELETE)
		return CT_EV_DESTROY;
	if (x->nlflags & (NLM_F_CREATE | NLM_F_EXCL))
		return CT_EV_NEW;
	return CT_EV_UPDATE;
}

/* Text: libnetfilter_conntrack's nfexp_snprintf default line. */
bool ct_exp_has_ports(uint8_t l4)
{
	return l4 == IPPROTO_TCP || l4 == IPPROTO_UDP || l4 == IPPROTO_UDPLITE ||
	       l4 == IPPROTO_SCTP || l4 == IPPROTO_DCCP;
}

static void text_tuple(struct ct_line *l, const char *pfx, const struct ct_tuple *t, uint8_t l4)
{
	ct_line_add(l, pfx);
	ct_line_add(l, "src=");
	ct_format_addr(l, t->l3, t->src);
	ct_line_add(l, " ");
	ct_line_add(l, pfx);
	ct_line_add(l, "dst=");
	ct_format_addr(l, t->l3, t->dst);
	ct_line_add(l, " ");
	if (ct_exp_has_ports(l4)) {
		ct_line_add(l, "sport=");
		ct_line_u64(l, t->sport);
		ct_line_add(l, " dport=");
		ct_line_u64(l, t->dport);
		ct_line_add(l, " ");
	}
}

static const char *const ev_tags[] = {"", "    [NEW] ", " [UPDATE] ", "[DESTROY] ", ""};

void ct_exp_format_text(struct ct_line *l, const struct exp_msg *x, enum ct_evtype ev)
{
	struct exp_tuples e;
	uint32_t v;

	ct_exp_tuples_get(x, &e);
	ct_line_reset(l);
	ct_line_add(l, ev_tags[ev]);
	if (ct_get_u32(x->tb[CTA_EXPECT_TIMEOUT], &v)) {
		ct_line_u64(l, v);
		ct_line_add(l, " ");
	}
	ct_line_add(l, "proto=");
	ct_line_u64(l, e.t.l4);
	ct_line_add(l, " ");
	text_tuple(l, "", &e.t, e.t.l4);
	text_tuple(l, "mask-", &e.mask, e.t.l4);
	text_tuple(l, "master-", &e.master, e.master.l4);
	if (ct_get_u32(x->tb[CTA_EXPECT_FLAGS], &v)) {
		if (v & NF_CT_EXPECT_PERMANENT)
			ct_line_add(l, "PERMANENT ");
		if (v & NF_CT_EXPECT_INACTIVE)
			ct_line_add(l, "INACTIVE ");
		if (v & NF_CT_EXPECT_USERSPACE)
			ct_line_add(l, "USERSPACE ");
	}
	if (ct_get_u32(x->tb[CTA_EXPECT_CLASS], &v)) {
		ct_line_add(l, "class=");
		ct_line_u64(l, v);
		ct_line_add(l, " ");
	}
	if (x->tb[CTA_EXPECT_HELP_NAME]) {
		ct_line_add(l, "helper=");
		ct_line_add(l, mnl_attr_get_str(x->tb[CTA_EXPECT_HELP_NAME]));
	}
	while (l->len && l->buf[l->len - 1] == ' ')
		l->buf[--l->len] = '\0';
}

/* XML: libnetfilter_conntrack's expectation XML, one <flow> per line. */
static void xml_addrs(struct ct_line *l, const char *tag, const struct ct_tuple *t)
{
	ct_line_add(l, "<");
	ct_line_add(l, tag);
	ct_line_add(l, "><src>");
	ct_format_addr(l, t->l3, t->src);
	ct_line_add(l, "</src><dst>");
	ct_format_addr(l, t->l3, t->dst);
	ct_line_add(l, "</dst></");
	ct_line_add(l, tag);
	ct_line_add(l, ">");
}

static void xml_ports(struct ct_line *l, const char *tag, const struct ct_tuple *t, uint8_t l4)
{
	ct_line_add(l, "<");
	ct_line_add(l, tag);
	ct_line_add(l, ">");
	if (ct_exp_has_ports(l4)) {
		ct_line_add(l, "<sport>");
		ct_line_u64(l, t->sport);
		ct_line_add(l, "</sport><dport>");
		ct_line_u64(l, t->dport);
		ct_line_add(l, "</dport>");
	}
	ct_line_add(l, "</");
	ct_line_add(l, tag);
	ct_line_add(l, ">");
}

static const char *const xml_types[] = {"<flow>", "<flow type=\"new\">", "<flow type=\"update\">",
                                        "<flow type=\"destroy\">", "<flow>"};

void ct_exp_format_xml(struct ct_line *l, const struct exp_msg *x, enum ct_evtype ev, bool when)
{
	struct exp_tuples e;
	uint32_t v;
	uint16_t z;

	ct_exp_tuples_get(x, &e);
	ct_line_reset(l);
	ct_line_add(l, xml_types[ev]);
	ct_line_add(l, "<layer3 protonum=\"");
	ct_line_u64(l, e.t.l3);
	ct_line_add(l, "\" protoname=\"");
	ct_line_add(l, ct_l3_name(e.t.l3));
	ct_line_add(l, "\">");
	xml_addrs(l, "expected", &e.t);
	xml_addrs(l, "mask", &e.mask);
	xml_addrs(l, "master", &e.master);
	ct_line_add(l, "</layer3><layer4 protonum=\"");
	ct_line_u64(l, e.t.l4);
	ct_line_add(l, "\" protoname=\"");
	ct_line_add(l, ct_l4_name(e.t.l4));
	ct_line_add(l, "\">");
	xml_ports(l, "expected", &e.t, e.t.l4);
	xml_ports(l, "mask", &e.mask, e.t.l4);
	xml_ports(l, "master", &e.master, e.t.l4);
	ct_line_add(l, "</layer4><meta>");
	if (x->tb[CTA_EXPECT_HELP_NAME]) {
		ct_line_add(l, "<helper-name>");
		ct_line_add(l, mnl_attr_get_str(x->tb[CTA_EXPECT_HELP_NAME]));
		ct_line_add(l, "</helper-name>");
	}
	if (ct_get_u32(x->tb[CTA_EXPECT_TIMEOUT], &v)) {
		ct_line_add(l, "<timeout>");
		ct_line_u64(l, v);
		ct_line_add(l, "</timeout>");
	}
	if (ct_get_u32(x->tb[CTA_EXPECT_CLASS], &v)) {
		ct_line_add(l, "<class>");
		ct_line_u64(l, v);
		ct_line_add(l, "</class>");
	}
	if (ct_get_u16(x->tb[CTA_EXPECT_ZONE], &z)) {
		ct_line_add(l, "<zone>");
		ct_line_u64(l, z);
		ct_line_add(l, "</zone>");
	}
	if (when)
		ct_format_xml_when(l);
	if (ct_get_u32(x->tb[CTA_EXPECT_FLAGS], &v)) {
		if (v & NF_CT_EXPECT_PERMANENT)
			ct_line_add(l, "<permanent/>");
		if (v & NF_CT_EXPECT_INACTIVE)
			ct_line_add(l, "<inactive/>");
		if (v & NF_CT_EXPECT_USERSPACE)
			ct_line_add(l, "<userspace/>");
	}
	ct_line_add(l, "</meta></flow>");
}

int ct_exp_format(struct ct_line *l, const struct nlmsghdr *nlh, bool xml, enum ct_evtype ev)
{
	struct exp_msg x;

	if (ct_exp_parse(nlh, &x) < 0)
		return -1;
	if (xml)
		ct_exp_format_xml(l, &x, ev, false);
	else
		ct_exp_format_text(l, &x, ev);
	return l->trunc ? -1 : 0;
}

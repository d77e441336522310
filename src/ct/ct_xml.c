/* -o xml: one <flow> per line, byte for byte what conntrack 1.4.7 prints through
 * libnetfilter_conntrack 1.0.9 (its snprintf_xml.c), read from the parsed tb[]. */
#include <string.h>
#include <time.h>

#include "ct/ct_int.h"

static void tag_u64(struct ct_line *l, const char *tag, uint64_t v)
{
	ct_line_addn(l, "<", 1);
	ct_line_add(l, tag);
	ct_line_addn(l, ">", 1);
	ct_line_u64(l, v);
	ct_line_addn(l, "</", 2);
	ct_line_add(l, tag);
	ct_line_addn(l, ">", 1);
}

static void tag_str(struct ct_line *l, const char *tag, const char *s)
{
	ct_line_addn(l, "<", 1);
	ct_line_add(l, tag);
	ct_line_addn(l, ">", 1);
	ct_line_add(l, s);
	ct_line_addn(l, "</", 2);
	ct_line_add(l, tag);
	ct_line_addn(l, ">", 1);
}

/* Ports and GRE keys; libnetfilter_conntrack prints nothing for ICMP here. */
static void xml_l4(struct ct_line *l, const struct ct_tuple *t)
{
	switch (ct_l4_kind(t->l4)) {
	case CT_L4_PORTS:
		tag_u64(l, "sport", t->sport);
		tag_u64(l, "dport", t->dport);
		break;
	case CT_L4_GRE_KEYS: {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "<srckey>0x%x</srckey><dstkey>0x%x</dstkey>", t->sport,
		         t->dport);
		ct_line_add(l, tmp);
		break;
	}
	case CT_L4_ICMP:
	case CT_L4_NONE:
		break;
	}
}

static void xml_dir(struct ct_line *l, const char *dir, const struct ct_tuple *t,
                    const struct nlattr *const *cnt)
{
	uint64_t p, b;

	ct_line_add(l, "<meta direction=\"");
	ct_line_add(l, dir);
	ct_line_add(l, "\"><layer3 protonum=\"");
	ct_line_u64(l, t->l3);
	ct_line_add(l, "\" protoname=\"");
	ct_line_add(l, ct_l3_name(t->l3));
	ct_line_add(l, "\"><src>");
	ct_format_addr(l, t->l3, t->src);
	ct_line_add(l, "</src><dst>");
	ct_format_addr(l, t->l3, t->dst);
	ct_line_add(l, "</dst></layer3><layer4 protonum=\"");
	ct_line_u64(l, t->l4);
	ct_line_add(l, "\" protoname=\"");
	ct_line_add(l, ct_l4_name(t->l4));
	ct_line_add(l, "\">");
	xml_l4(l, t);
	ct_line_add(l, "</layer4>");
	if (t->has_zone)
		tag_u64(l, "zone", t->zone);
	if (ct_get_u64(cnt[CTA_COUNTERS_PACKETS], &p) && ct_get_u64(cnt[CTA_COUNTERS_BYTES], &b)) {
		ct_line_add(l, "<counters>");
		tag_u64(l, "packets", p);
		tag_u64(l, "bytes", b);
		ct_line_add(l, "</counters>");
	}
	ct_line_add(l, "</meta>");
}

static bool has_independent(const struct ct_msg *m)
{
	static const int attrs[] = {CTA_TIMEOUT, CTA_MARK,   CTA_SECMARK,  CTA_ZONE,
	                            CTA_USE,     CTA_STATUS, CTA_ID,       CTA_TIMESTAMP,
	                            CTA_SECCTX,  CTA_LABELS, CTA_PROTOINFO};

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (m->tb[attrs[i]])
			return true;
	return false;
}

static void xml_state(struct ct_line *l, const struct ct_msg *m)
{
	uint8_t st;

	if (ct_get_u8(m->tcp[CTA_PROTOINFO_TCP_STATE], &st))
		tag_str(l, "state", ct_tcp_state_name(st));
	if (ct_get_u8(m->sctp[CTA_PROTOINFO_SCTP_STATE], &st))
		tag_str(l, "state", ct_sctp_state_name(st));
	if (ct_get_u8(m->dccp[CTA_PROTOINFO_DCCP_STATE], &st))
		tag_str(l, "state", ct_dccp_state_name(st));
}

static void xml_timestamps(struct ct_line *l, const struct ct_msg *m, unsigned of)
{
	uint64_t t0 = 0, t1 = 0;
	bool has0 = ct_get_u64(m->ts[CTA_TIMESTAMP_START], &t0);
	bool has1 = ct_get_u64(m->ts[CTA_TIMESTAMP_STOP], &t1);

	if ((of & CT_O_KTMS) && (has0 || has1)) {
		ct_line_add(l, "<timestamp>");
		if (has0)
			tag_u64(l, "start", t0);
		if (has1)
			tag_u64(l, "stop", t1);
		ct_line_add(l, "</timestamp>");
	}
	if (has0 && has1)
		tag_u64(l, "deltatime", (t1 - t0) / 1000000000ULL);
	else if (has0)
		tag_u64(l, "deltatime", (uint64_t)time(NULL) - t0 / 1000000000ULL);
}

static void xml_independent(struct ct_line *l, const struct ct_msg *m, unsigned of)
{
	uint32_t v, status = 0;
	uint16_t z;
	bool has_status;

	ct_line_add(l, "<meta direction=\"independent\">");
	xml_state(l, m);
	if (ct_get_u32(m->tb[CTA_TIMEOUT], &v))
		tag_u64(l, "timeout", v);
	if (ct_get_u32(m->tb[CTA_MARK], &v))
		tag_u64(l, "mark", v);
	if (ct_get_u32(m->tb[CTA_SECMARK], &v))
		tag_u64(l, "secmark", v);
	if (m->secctx[CTA_SECCTX_NAME])
		tag_str(l, "secctx", mnl_attr_get_str(m->secctx[CTA_SECCTX_NAME]));
	if (ct_get_u16(m->tb[CTA_ZONE], &z))
		tag_u64(l, "zone", z);
	if (ct_get_u32(m->tb[CTA_USE], &v))
		tag_u64(l, "use", v);
	if (ct_get_u32(m->tb[CTA_ID], &v))
		tag_u64(l, "id", v);
	has_status = ct_get_u32(m->tb[CTA_STATUS], &status);
	if (has_status && (status & IPS_ASSURED))
		ct_line_add(l, "<assured/>");
	if (has_status && !(status & IPS_SEEN_REPLY))
		ct_line_add(l, "<unreplied/>");
	xml_timestamps(l, m, of);
	ct_line_add(l, "</meta>");
}

/* -o xml,timestamp on events: the time of printing, as libnetfilter_conntrack. */
void ct_format_xml_when(struct ct_line *l)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return;
	ct_line_add(l, "<when>");
	tag_u64(l, "hour", (uint64_t)tm.tm_hour);
	{
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "<min>%02d</min><sec>%02d</sec>", tm.tm_min, tm.tm_sec);
		ct_line_add(l, tmp);
	}
	tag_u64(l, "wday", (uint64_t)tm.tm_wday + 1);
	tag_u64(l, "day", (uint64_t)tm.tm_mday);
	tag_u64(l, "month", (uint64_t)tm.tm_mon + 1);
	tag_u64(l, "year", (uint64_t)tm.tm_year + 1900);
	ct_line_add(l, "</when>");
}

static const char *const flow_open[] = {"<flow>", "<flow type=\"new\">", "<flow type=\"update\">",
                                        "<flow type=\"destroy\">", "<flow>"};

void ct_format_xml(struct ct_line *l, const struct ct_msg *m, unsigned of, enum ct_evtype ev)
{
	struct ct_tuple o, r;

	ct_line_reset(l);
	ct_line_add(l, flow_open[ev]);
	ct_tuple_get(&m->orig, m->family, &o);
	ct_tuple_get(&m->reply, m->family, &r);
	xml_dir(l, "original", &o, m->cnt[0]);
	xml_dir(l, "reply", &r, m->cnt[1]);
	if (has_independent(m))
		xml_independent(l, m, of);
	if ((of & CT_O_TMS) && ev != CT_EV_NONE)
		ct_format_xml_when(l);
	if (m->help[CTA_HELP_NAME])
		tag_str(l, "helper", mnl_attr_get_str(m->help[CTA_HELP_NAME]));
	ct_line_add(l, "</flow>");
}

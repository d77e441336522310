/* -o json: one object per entry (schemas/conntrack-entry.schema.json). */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ct/ct_int.h"

static json_t *addr_json(uint8_t fam, const uint8_t *a)
{
	struct ct_line l;

	ct_line_reset(&l);
	ct_format_addr(&l, fam, a);
	return json_string(l.buf);
}

static json_t *tuple_json(const struct ct_tuple *t, const struct nlattr *const *cnt)
{
	json_t *o = json_object();
	uint64_t p, b;

	if (t->has_src)
		json_object_set_new(o, "src", addr_json(t->l3, t->src));
	if (t->has_dst)
		json_object_set_new(o, "dst", addr_json(t->l3, t->dst));
	if (t->has_sport)
		json_object_set_new(o, "sport", json_integer(t->sport));
	if (t->has_dport)
		json_object_set_new(o, "dport", json_integer(t->dport));
	if (t->has_itype)
		json_object_set_new(o, "icmp_type", json_integer(t->itype));
	if (t->has_icode)
		json_object_set_new(o, "icmp_code", json_integer(t->icode));
	if (t->has_iid)
		json_object_set_new(o, "icmp_id", json_integer(t->iid));
	if (t->has_zone)
		json_object_set_new(o, "zone", json_integer(t->zone));
	if (ct_get_u64(cnt[CTA_COUNTERS_PACKETS], &p) && ct_get_u64(cnt[CTA_COUNTERS_BYTES], &b)) {
		json_object_set_new(o, "packets", json_integer((json_int_t)p));
		json_object_set_new(o, "bytes", json_integer((json_int_t)b));
	}
	return o;
}

static json_t *status_json(uint32_t st)
{
	static const char *const names[16] = {
	    "EXPECTED",   "SEEN_REPLY",   "ASSURED",      "CONFIRMED", "SRC_NAT",       "DST_NAT",
	    "SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING",     "FIXED_TIMEOUT", "TEMPLATE",
	    "UNTRACKED",  "HELPER",       "OFFLOAD",      "HW_OFFLOAD"};
	json_t *a = json_array();

	for (int i = 0; i < 16; i++)
		if (st & (1u << i))
			json_array_append_new(a, json_string(names[i]));
	return a;
}

static json_t *labels_json(const struct ct_msg *m, const struct ct_labelmap *lm)
{
	uint8_t bits[16];
	size_t n = ct_msg_labels(m, bits);
	json_t *a = json_array();

	for (size_t i = 0; i < n * 8; i++) {
		uint32_t w;
		memcpy(&w, bits + (i / 32) * 4, 4);
		if (!(w & (1u << (i % 32))))
			continue;
		if (lm && lm->name[i])
			json_array_append_new(a, json_string(lm->name[i]));
		else
			json_array_append_new(a, json_integer((json_int_t)i));
	}
	return a;
}

int ct_format_json(struct ct_line *l, const struct ct_msg *m, enum ct_evtype ev,
                   const struct ct_labelmap *lm)
{
	static const char *const evn[] = {NULL, "new", "update", "destroy", "resync"};
	struct ct_tuple o, r;
	json_t *j = json_object();
	uint32_t v;
	uint16_t z;
	uint64_t t;
	uint8_t st, l4 = ct_msg_l4(m);
	char *s;

	ct_tuple_get(&m->orig, m->family, &o);
	ct_tuple_get(&m->reply, m->family, &r);
	if (evn[ev])
		json_object_set_new(j, "event", json_string(evn[ev]));
	json_object_set_new(j, "family", json_string(ct_l3_name(o.l3 ? o.l3 : m->family)));
	json_object_set_new(j, "protocol", json_string(ct_l4_name(l4)));
	json_object_set_new(j, "protonum", json_integer(l4));
	if (ct_get_u32(m->tb[CTA_TIMEOUT], &v))
		json_object_set_new(j, "timeout", json_integer(v));
	if (ct_get_u8(m->tcp[CTA_PROTOINFO_TCP_STATE], &st))
		json_object_set_new(j, "state", json_string(ct_tcp_state_name(st)));
	else if (ct_get_u8(m->sctp[CTA_PROTOINFO_SCTP_STATE], &st))
		json_object_set_new(j, "state", json_string(ct_sctp_state_name(st)));
	else if (ct_get_u8(m->dccp[CTA_PROTOINFO_DCCP_STATE], &st))
		json_object_set_new(j, "state", json_string(ct_dccp_state_name(st)));
	json_object_set_new(j, "orig", tuple_json(&o, m->cnt[0]));
	json_object_set_new(j, "reply", tuple_json(&r, m->cnt[1]));
	if (ct_get_u32(m->tb[CTA_STATUS], &v))
		json_object_set_new(j, "status", status_json(v));
	if (ct_get_u32(m->tb[CTA_MARK], &v))
		json_object_set_new(j, "mark", json_integer(v));
	if (ct_get_u32(m->tb[CTA_SECMARK], &v))
		json_object_set_new(j, "secmark", json_integer(v));
	if (ct_get_u16(m->tb[CTA_ZONE], &z))
		json_object_set_new(j, "zone", json_integer(z));
	if (ct_get_u32(m->tb[CTA_USE], &v))
		json_object_set_new(j, "use", json_integer(v));
	if (ct_get_u32(m->tb[CTA_ID], &v))
		json_object_set_new(j, "id", json_integer(v));
	if (ct_get_u64(m->ts[CTA_TIMESTAMP_START], &t))
		json_object_set_new(j, "start_ns", json_integer((json_int_t)t));
	if (ct_get_u64(m->ts[CTA_TIMESTAMP_STOP], &t))
		json_object_set_new(j, "stop_ns", json_integer((json_int_t)t));
	if (ct_get_u64(m->tb[CTA_TIMESTAMP_EVENT], &t))
		json_object_set_new(j, "event_ns", json_integer((json_int_t)t));
	if (m->help[CTA_HELP_NAME])
		json_object_set_new(j, "helper",
		                    json_string(mnl_attr_get_str(m->help[CTA_HELP_NAME])));
	if (m->secctx[CTA_SECCTX_NAME])
		json_object_set_new(j, "secctx",
		                    json_string(mnl_attr_get_str(m->secctx[CTA_SECCTX_NAME])));
	if (m->tb[CTA_LABELS])
		json_object_set_new(j, "labels", labels_json(m, lm));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return -1;
	ct_line_reset(l);
	ct_line_add(l, s);
	free(s);
	return l->trunc ? -1 : 0;
}

/* -o json: one object per entry (schemas/conntrack-entry.schema.json), written
 * straight into the line buffer. No JSON library: nfsh-conntrack then maps
 * libmnl and libc only, and a listing builds and frees no tree per entry. The
 * text is what jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) gave. */
#include <stdlib.h>
#include <string.h>

#include "ct/ct_int.h"

/* A JSON writer over ct_line: separators are placed by the writer. */
struct jw {
	struct ct_line *l;
	bool first; /* nothing written in the current object or array yet */
};

static void jw_sep(struct jw *w)
{
	if (!w->first)
		ct_line_addn(w->l, ",", 1);
	w->first = false;
}

/* A string as jansson escapes it: quote, backslash and control characters. */
static void jw_str(struct ct_line *l, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	ct_line_addn(l, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
		switch (c) {
		case '"':
			ct_line_addn(l, "\\\"", 2);
			break;
		case '\\':
			ct_line_addn(l, "\\\\", 2);
			break;
		case '\b':
			ct_line_addn(l, "\\b", 2);
			break;
		case '\f':
			ct_line_addn(l, "\\f", 2);
			break;
		case '\n':
			ct_line_addn(l, "\\n", 2);
			break;
		case '\r':
			ct_line_addn(l, "\\r", 2);
			break;
		case '\t':
			ct_line_addn(l, "\\t", 2);
			break;
		default:
			if (c < 0x20)
				ct_line_addn(l, esc, 6);
			else
				ct_line_addn(l, (const char *)&c, 1);
		}
	}
	ct_line_addn(l, "\"", 1);
}

static void jw_key(struct jw *w, const char *key)
{
	jw_sep(w);
	jw_str(w->l, key);
	ct_line_addn(w->l, ":", 1);
}

static void kv_str(struct jw *w, const char *key, const char *v)
{
	jw_key(w, key);
	jw_str(w->l, v);
}

static void kv_u64(struct jw *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	ct_line_u64(w->l, v);
}

static void kv_addr(struct jw *w, const char *key, uint8_t fam, const uint8_t *a)
{
	jw_key(w, key);
	ct_line_addn(w->l, "\"", 1);
	ct_format_addr(w->l, fam, a);
	ct_line_addn(w->l, "\"", 1);
}

static void open_nest(struct jw *w, const char *key, const char *bracket)
{
	jw_key(w, key);
	ct_line_add(w->l, bracket);
	w->first = true;
}

static void close_nest(struct jw *w, const char *bracket)
{
	ct_line_add(w->l, bracket);
	w->first = false;
}

static void tuple_json(struct jw *w, const char *key, const struct ct_tuple *t,
                       const struct nlattr *const *cnt)
{
	uint64_t p, b;

	open_nest(w, key, "{");
	if (t->has_src)
		kv_addr(w, "src", t->l3, t->src);
	if (t->has_dst)
		kv_addr(w, "dst", t->l3, t->dst);
	if (t->has_sport)
		kv_u64(w, "sport", t->sport);
	if (t->has_dport)
		kv_u64(w, "dport", t->dport);
	if (t->has_itype)
		kv_u64(w, "icmp_type", t->itype);
	if (t->has_icode)
		kv_u64(w, "icmp_code", t->icode);
	if (t->has_iid)
		kv_u64(w, "icmp_id", t->iid);
	if (t->has_zone)
		kv_u64(w, "zone", t->zone);
	if (ct_get_u64(cnt[CTA_COUNTERS_PACKETS], &p) && ct_get_u64(cnt[CTA_COUNTERS_BYTES], &b)) {
		kv_u64(w, "packets", p);
		kv_u64(w, "bytes", b);
	}
	close_nest(w, "}");
}

static void status_json(struct jw *w, uint32_t st)
{
	static const char *const names[16] = {
	    "EXPECTED",   "SEEN_REPLY",   "ASSURED",      "CONFIRMED", "SRC_NAT",       "DST_NAT",
	    "SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING",     "FIXED_TIMEOUT", "TEMPLATE",
	    "UNTRACKED",  "HELPER",       "OFFLOAD",      "HW_OFFLOAD"};

	open_nest(w, "status", "[");
	for (int i = 0; i < 16; i++)
		if (st & (1u << i)) {
			jw_sep(w);
			jw_str(w->l, names[i]);
		}
	close_nest(w, "]");
}

static void labels_json(struct jw *w, const struct ct_msg *m, const struct ct_labelmap *lm)
{
	uint8_t bits[16];
	size_t n = ct_msg_labels(m, bits);

	open_nest(w, "labels", "[");
	for (size_t i = 0; i < n * 8; i++) {
		uint32_t word;
		memcpy(&word, bits + (i / 32) * 4, 4);
		if (!(word & (1u << (i % 32))))
			continue;
		jw_sep(w);
		if (lm && lm->name[i])
			jw_str(w->l, lm->name[i]);
		else
			ct_line_u64(w->l, i);
	}
	close_nest(w, "]");
}

static void state_json(struct jw *w, const struct ct_msg *m)
{
	uint8_t st;

	if (ct_get_u8(m->tcp[CTA_PROTOINFO_TCP_STATE], &st))
		kv_str(w, "state", ct_tcp_state_name(st));
	else if (ct_get_u8(m->sctp[CTA_PROTOINFO_SCTP_STATE], &st))
		kv_str(w, "state", ct_sctp_state_name(st));
	else if (ct_get_u8(m->dccp[CTA_PROTOINFO_DCCP_STATE], &st))
		kv_str(w, "state", ct_dccp_state_name(st));
}

static void meta_json(struct jw *w, const struct ct_msg *m, const struct ct_labelmap *lm)
{
	uint32_t v;
	uint16_t z;
	uint64_t t;

	if (ct_get_u32(m->tb[CTA_STATUS], &v))
		status_json(w, v);
	if (ct_get_u32(m->tb[CTA_MARK], &v))
		kv_u64(w, "mark", v);
	if (ct_get_u32(m->tb[CTA_SECMARK], &v))
		kv_u64(w, "secmark", v);
	if (ct_get_u16(m->tb[CTA_ZONE], &z))
		kv_u64(w, "zone", z);
	if (ct_get_u32(m->tb[CTA_USE], &v))
		kv_u64(w, "use", v);
	if (ct_get_u32(m->tb[CTA_ID], &v))
		kv_u64(w, "id", v);
	if (ct_get_u64(m->ts[CTA_TIMESTAMP_START], &t))
		kv_u64(w, "start_ns", t);
	if (ct_get_u64(m->ts[CTA_TIMESTAMP_STOP], &t))
		kv_u64(w, "stop_ns", t);
	if (ct_get_u64(m->tb[CTA_TIMESTAMP_EVENT], &t))
		kv_u64(w, "event_ns", t);
	if (m->help[CTA_HELP_NAME])
		kv_str(w, "helper", mnl_attr_get_str(m->help[CTA_HELP_NAME]));
	if (m->secctx[CTA_SECCTX_NAME])
		kv_str(w, "secctx", mnl_attr_get_str(m->secctx[CTA_SECCTX_NAME]));
	if (m->tb[CTA_LABELS])
		labels_json(w, m, lm);
}

int ct_format_json(struct ct_line *l, const struct ct_msg *m, enum ct_evtype ev,
                   const struct ct_labelmap *lm)
{
	static const char *const evn[] = {NULL, "new", "update", "destroy", "resync"};
	struct jw w = {l, true};
	struct ct_tuple o, r;
	uint8_t l4 = ct_msg_l4(m);
	uint32_t v;

	ct_line_reset(l);
	ct_tuple_get(&m->orig, m->family, &o);
	ct_tuple_get(&m->reply, m->family, &r);
	ct_line_addn(l, "{", 1);
	if (evn[ev])
		kv_str(&w, "event", evn[ev]);
	kv_str(&w, "family", ct_l3_name(o.l3 ? o.l3 : m->family));
	kv_str(&w, "protocol", ct_l4_name(l4));
	kv_u64(&w, "protonum", l4);
	if (ct_get_u32(m->tb[CTA_TIMEOUT], &v))
		kv_u64(&w, "timeout", v);
	state_json(&w, m);
	tuple_json(&w, "orig", &o, m->cnt[0]);
	tuple_json(&w, "reply", &r, m->cnt[1]);
	meta_json(&w, m, lm);
	ct_line_addn(l, "}", 1);
	return l->trunc ? -1 : 0;
}

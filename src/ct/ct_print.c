/* conntrack(8) text: the default line (byte-identical to conntrack -L), extended,
 * id, timestamps, labels, and -o save. Printers read the parsed tb[] only. */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "ct/ct_int.h"

void ct_line_reset(struct ct_line *l)
{
	l->len = 0;
	l->trunc = false;
	l->buf[0] = '\0';
}

void ct_line_u64(struct ct_line *l, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ct_line_addn(l, tmp + i, sizeof(tmp) - i);
}

static void add_pad(struct ct_line *l, const char *s, size_t width)
{
	size_t n = strlen(s);

	ct_line_addn(l, s, n);
	while (n++ < width)
		ct_line_addn(l, " ", 1);
}

void ct_format_addr(struct ct_line *l, uint8_t family, const uint8_t *a)
{
	char tmp[INET6_ADDRSTRLEN];

	if (family == AF_INET) {
		char tmp[16], *p = tmp;
		for (int i = 0; i < 4; i++) {
			unsigned v = a[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = '.';
		}
		ct_line_addn(l, tmp, (size_t)(p - tmp - 1));
		return;
	}
	if (inet_ntop(AF_INET6, a, tmp, sizeof(tmp)))
		ct_line_add(l, tmp);
}

static void kv_u64(struct ct_line *l, const char *key, uint64_t v)
{
	ct_line_add(l, key);
	ct_line_u64(l, v);
	ct_line_addn(l, " ", 1);
}

enum ct_l4_kind ct_l4_kind(uint8_t l4)
{
	switch (l4) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return CT_L4_PORTS;
	case IPPROTO_GRE:
		return CT_L4_GRE_KEYS;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return CT_L4_ICMP;
	}
	return CT_L4_NONE;
}

static void put_tuple(struct ct_line *l, const struct ct_tuple *t)
{
	if (t->l3 == AF_INET || t->l3 == AF_INET6) {
		ct_line_add(l, "src=");
		ct_format_addr(l, t->l3, t->src);
		ct_line_add(l, " dst=");
		ct_format_addr(l, t->l3, t->dst);
		ct_line_addn(l, " ", 1);
	}
	switch (ct_l4_kind(t->l4)) {
	case CT_L4_PORTS:
		kv_u64(l, "sport=", t->sport);
		kv_u64(l, "dport=", t->dport);
		break;
	case CT_L4_GRE_KEYS: {
		char tmp[48];
		snprintf(tmp, sizeof(tmp), "srckey=0x%x dstkey=0x%x ", t->sport, t->dport);
		ct_line_add(l, tmp);
		break;
	}
	case CT_L4_ICMP:
		kv_u64(l, "type=", t->itype);
		kv_u64(l, "code=", t->icode);
		kv_u64(l, "id=", t->iid);
		break;
	case CT_L4_NONE:
		break;
	}
}

static void put_counters(struct ct_line *l, const struct nlattr *const *cnt)
{
	uint64_t p, b;

	if (ct_get_u64(cnt[CTA_COUNTERS_PACKETS], &p) && ct_get_u64(cnt[CTA_COUNTERS_BYTES], &b)) {
		kv_u64(l, "packets=", p);
		kv_u64(l, "bytes=", b);
	}
}

static void put_ctime(struct ct_line *l, const char *key, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char tmp[64];

	if (!localtime_r(&t, &tm) || !strftime(tmp, sizeof(tmp), "%a %b %e %H:%M:%S %Y", &tm))
		return;
	ct_line_add(l, key);
	ct_line_add(l, tmp);
	ct_line_add(l, "] ");
}

static void put_labels(struct ct_line *l, const struct ct_msg *m, const struct ct_labelmap *lm)
{
	uint8_t bits[16];
	size_t n = ct_msg_labels(m, bits);
	bool first = true;

	if (!m->tb[CTA_LABELS] || !lm || !lm->loaded)
		return;
	ct_line_add(l, "labels=");
	for (size_t i = 0; i < n * 8; i++) {
		uint32_t w;
		memcpy(&w, bits + (i / 32) * 4, 4);
		if (!(w & (1u << (i % 32))) || !lm->name[i] || !lm->name[i][0])
			continue;
		if (!first)
			ct_line_addn(l, ",", 1);
		ct_line_add(l, lm->name[i]);
		first = false;
	}
	ct_line_addn(l, " ", 1);
}

static const char *const ev_tags[] = {"", "    [NEW] ", " [UPDATE] ", "[DESTROY] ", " [RESYNC] "};

void ct_format_default(struct ct_line *l, const struct ct_msg *m, unsigned of, enum ct_evtype ev,
                       const struct ct_labelmap *lm)
{
	struct ct_tuple o, r;
	uint32_t v32, status = 0;
	uint16_t v16;
	uint8_t l4 = ct_msg_l4(m), st;
	uint64_t t0 = 0, t1 = 0;
	bool has_status;

	ct_line_reset(l);
	ct_line_add(l, ev_tags[ev]);
	ct_tuple_get(&m->orig, m->family, &o);
	ct_tuple_get(&m->reply, m->family, &r);
	if (of & CT_O_EXT) {
		add_pad(l, ct_l3_name(o.l3 ? o.l3 : m->family), 8);
		ct_line_addn(l, " ", 1);
		kv_u64(l, "", o.l3 ? o.l3 : m->family);
	}
	add_pad(l, ct_l4_name(l4), 8);
	ct_line_addn(l, " ", 1);
	kv_u64(l, "", l4);
	if (ct_get_u32(m->tb[CTA_TIMEOUT], &v32))
		kv_u64(l, "", v32);
	if (ct_get_u8(m->tcp[CTA_PROTOINFO_TCP_STATE], &st)) {
		ct_line_add(l, ct_tcp_state_name(st));
		ct_line_addn(l, " ", 1);
	}
	if (ct_get_u8(m->sctp[CTA_PROTOINFO_SCTP_STATE], &st)) {
		ct_line_add(l, ct_sctp_state_name(st));
		ct_line_addn(l, " ", 1);
	}
	if (ct_get_u8(m->dccp[CTA_PROTOINFO_DCCP_STATE], &st)) {
		ct_line_add(l, ct_dccp_state_name(st));
		ct_line_addn(l, " ", 1);
	}
	put_tuple(l, &o);
	if (o.has_zone)
		kv_u64(l, "zone-orig=", o.zone);
	put_counters(l, m->cnt[0]);
	has_status = ct_get_u32(m->tb[CTA_STATUS], &status);
	if (has_status && !(status & (1 << 1)))
		ct_line_add(l, "[UNREPLIED] ");
	put_tuple(l, &r);
	if (r.has_zone)
		kv_u64(l, "zone-reply=", r.zone);
	put_counters(l, m->cnt[1]);
	if (has_status) {
		if (status & (1 << 15))
			ct_line_add(l, "[HW_OFFLOAD] ");
		else if (status & (1 << 14))
			ct_line_add(l, "[OFFLOAD] ");
		else if (status & (1 << 2))
			ct_line_add(l, "[ASSURED] ");
	}
	if (ct_get_u32(m->tb[CTA_MARK], &v32))
		kv_u64(l, "mark=", v32);
	if (ct_get_u32(m->tb[CTA_SECMARK], &v32))
		kv_u64(l, "secmark=", v32);
	if (m->secctx[CTA_SECCTX_NAME]) {
		ct_line_add(l, "secctx=");
		ct_line_add(l, mnl_attr_get_str(m->secctx[CTA_SECCTX_NAME]));
		ct_line_addn(l, " ", 1);
	}
	if (ct_get_u16(m->tb[CTA_ZONE], &v16))
		kv_u64(l, "zone=", v16);
	if (ct_get_u64(m->ts[CTA_TIMESTAMP_START], &t0)) {
		uint64_t stop_s;
		if (ct_get_u64(m->ts[CTA_TIMESTAMP_STOP], &t1) && t1)
			stop_s = t1 / 1000000000ULL;
		else
			stop_s = (uint64_t)time(NULL);
		kv_u64(l, "delta-time=", stop_s - t0 / 1000000000ULL);
		if (of & CT_O_KTMS) {
			put_ctime(l, "[start=", t0);
			if (m->ts[CTA_TIMESTAMP_STOP])
				put_ctime(l, "[stop=", t1);
		}
	}
	if (m->help[CTA_HELP_NAME]) {
		ct_line_add(l, "helper=");
		ct_line_add(l, mnl_attr_get_str(m->help[CTA_HELP_NAME]));
		ct_line_addn(l, " ", 1);
	}
	if (ct_get_u32(m->tb[CTA_USE], &v32))
		kv_u64(l, "use=", v32);
	if ((of & CT_O_ID) && ct_get_u32(m->tb[CTA_ID], &v32))
		kv_u64(l, "id=", v32);
	put_labels(l, m, lm);
	if (l->len && l->buf[l->len - 1] == ' ')
		l->buf[--l->len] = '\0';
}

/* -o save: the line conntrack -R (and -I) reads back. */
static void save_addr(struct ct_line *l, const char *opt, uint8_t fam, const uint8_t *a)
{
	ct_line_add(l, opt);
	ct_format_addr(l, fam, a);
	ct_line_addn(l, " ", 1);
}

static void save_status(struct ct_line *l, uint32_t status)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} map[] = {{1 << 0, "EXPECTED"},
	           {1 << 1, "SEEN_REPLY"},
	           {1 << 2, "ASSURED"},
	           {1 << 10, "FIXED_TIMEOUT"}};
	bool any = false;

	ct_line_add(l, "-u ");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!(status & map[i].bit))
			continue;
		if (any)
			ct_line_addn(l, ",", 1);
		ct_line_add(l, map[i].name);
		any = true;
	}
	ct_line_add(l, any ? " " : "UNSET ");
}

void ct_format_save(struct ct_line *l, const struct ct_msg *m, enum ct_evtype ev)
{
	static const char *const cmd[] = {"-A ", "-A ", "-U ", "-D ", "-A "};
	struct ct_tuple o, r;
	uint32_t v32;
	uint16_t v16;
	uint8_t l4 = ct_msg_l4(m), st;
	uint32_t st32 = 0;
	size_t fam_len = 0;

	ct_line_reset(l);
	ct_line_add(l, cmd[ev]);
	ct_tuple_get(&m->orig, m->family, &o);
	ct_tuple_get(&m->reply, m->family, &r);
	if (ct_get_u32(m->tb[CTA_TIMEOUT], &v32))
		kv_u64(l, "-t ", v32);
	if (ct_get_u32(m->tb[CTA_STATUS], &v32))
		save_status(l, v32);
	if (ct_get_u32(m->tb[CTA_SECMARK], &v32))
		kv_u64(l, "-c ", v32);
	if (ct_get_u16(m->tb[CTA_ZONE], &v16))
		kv_u64(l, "-w ", v16);
	if (o.has_zone)
		kv_u64(l, "--orig-zone ", o.zone);
	if (r.has_zone)
		kv_u64(l, "--reply-zone ", r.zone);
	if (o.l3 != AF_INET && o.l3 != AF_INET6) {
		fprintf(stderr, "WARNING: unsupported l3proto %d, skipping.\n", o.l3);
		ct_line_reset(l);
		return;
	}
	fam_len = o.l3 == AF_INET ? 4 : 16;
	if (o.has_src)
		save_addr(l, "-s ", o.l3, o.src);
	if (o.has_dst)
		save_addr(l, "-d ", o.l3, o.dst);
	ct_get_u32(m->tb[CTA_STATUS], &st32);
	if (r.has_src)
		save_addr(
		    l, (st32 & IPS_DST_NAT_DONE) && memcmp(r.src, o.dst, fam_len) ? "-g " : "-r ",
		    o.l3, r.src);
	if (r.has_dst)
		save_addr(
		    l, (st32 & IPS_SRC_NAT_DONE) && memcmp(r.dst, o.src, fam_len) ? "-n " : "-q ",
		    o.l3, r.dst);
	switch (ct_l4_kind(l4)) {
	case CT_L4_PORTS:
		ct_line_add(l, "-p ");
		ct_line_add(l, ct_l4_name(l4));
		ct_line_addn(l, " ", 1);
		if (o.has_sport)
			kv_u64(l, "--sport ", o.sport);
		if (o.has_dport)
			kv_u64(l, "--dport ", o.dport);
		if (r.has_sport)
			kv_u64(l, "--reply-port-src ", r.sport);
		if (r.has_dport)
			kv_u64(l, "--reply-port-dst ", r.dport);
		if (l4 == IPPROTO_TCP && ct_get_u8(m->tcp[CTA_PROTOINFO_TCP_STATE], &st)) {
			ct_line_add(l, "--state ");
			ct_line_add(l, ct_tcp_state_name(st));
			ct_line_addn(l, " ", 1);
		}
		break;
	case CT_L4_ICMP: {
		bool v6 = l4 == IPPROTO_ICMPV6;
		ct_line_add(l, "-p ");
		ct_line_add(l, ct_l4_name(l4));
		ct_line_addn(l, " ", 1);
		if (o.has_itype)
			kv_u64(l, v6 ? "--icmpv6-type " : "--icmp-type ", o.itype);
		if (o.has_icode)
			kv_u64(l, v6 ? "--icmpv6-code " : "--icmp-code ", o.icode);
		if (o.has_iid)
			kv_u64(l, v6 ? "--icmpv6-id " : "--icmp-id ", o.iid);
		break;
	}
	default:
		kv_u64(l, "-p ", l4);
	}
	while (l->len && l->buf[l->len - 1] == ' ')
		l->buf[--l->len] = '\0';
}

/* Filters: the user-space reference match for every criterion, and the part the
 * kernel can do exactly (family, mark/mask, status/mask, zone, CTA_FILTER tuples). */
#include <arpa/inet.h>
#include <string.h>

#include "ct/ct_int.h"

void ct_filter_init(struct ct_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->l4 = -1;
	f->zone = f->tcp_state = f->secmark = f->nat_port = -1;
	for (int i = 0; i < 2; i++) {
		struct ct_dir_filter *d = i ? &f->reply : &f->orig;
		d->sport = d->dport = d->itype = d->icode = d->iid = d->zone = -1;
	}
}

static bool addr_match(const struct ct_addr_match *a, bool has, uint8_t l3, const uint8_t *v)
{
	if (!a->set)
		return true;
	if (!has || l3 != a->family)
		return false;
	for (int i = 0; i < (l3 == AF_INET ? 4 : 16); i++)
		if ((v[i] & a->mask[i]) != (a->addr[i] & a->mask[i]))
			return false;
	return true;
}

static bool dir_match(const struct ct_dir_filter *d, const struct ct_tuple *t)
{
	if (!addr_match(&d->src, t->has_src, t->l3, t->src) ||
	    !addr_match(&d->dst, t->has_dst, t->l3, t->dst))
		return false;
	if (d->sport >= 0 && (!t->has_sport || t->sport != d->sport))
		return false;
	if (d->dport >= 0 && (!t->has_dport || t->dport != d->dport))
		return false;
	if (d->itype >= 0 && (!t->has_itype || t->itype != d->itype))
		return false;
	if (d->icode >= 0 && (!t->has_icode || t->icode != d->icode))
		return false;
	if (d->iid >= 0 && (!t->has_iid || t->iid != d->iid))
		return false;
	if (d->zone >= 0 && (t->has_zone ? t->zone : 0) != d->zone)
		return false;
	return true;
}

/* As libnetfilter_conntrack's IS_SNAT/IS_SPAT: NAT done and the tuple differs. */
static bool is_snat(uint32_t st, const struct ct_tuple *o, const struct ct_tuple *r)
{
	size_t n = o->l3 == AF_INET ? 4 : 16;
	return (st & IPS_SRC_NAT_DONE) && (memcmp(r->dst, o->src, n) != 0 || r->dport != o->sport);
}

static bool is_dnat(uint32_t st, const struct ct_tuple *o, const struct ct_tuple *r)
{
	size_t n = o->l3 == AF_INET ? 4 : 16;
	return (st & IPS_DST_NAT_DONE) && (memcmp(r->src, o->dst, n) != 0 || r->sport != o->dport);
}

static bool nat_side_match(const struct ct_filter *f, bool nat, const struct ct_tuple *t,
                           bool src_side)
{
	if (!nat)
		return false;
	if (f->nat_addr.set && !addr_match(&f->nat_addr, true, t->l3, src_side ? t->dst : t->src))
		return false;
	if (f->nat_port >= 0 && (src_side ? t->dport : t->sport) != f->nat_port)
		return false;
	return true;
}

static bool nat_match(const struct ct_filter *f, const struct ct_msg *m, const struct ct_tuple *o,
                      const struct ct_tuple *r)
{
	uint32_t st = 0;
	bool s, d;

	ct_get_u32(m->tb[CTA_STATUS], &st);
	s = nat_side_match(f, is_snat(st, o, r), r, true);
	d = nat_side_match(f, is_dnat(st, o, r), r, false);

	if (f->nat & CT_NAT_ANY)
		return s || d;
	if ((f->nat & CT_NAT_SRC) && !s)
		return false;
	if ((f->nat & CT_NAT_DST) && !d)
		return false;
	return true;
}

static bool labels_match(const struct ct_filter *f, const struct ct_msg *m)
{
	uint8_t have[16];

	ct_msg_labels(m, have);
	for (int i = 0; i < 16; i++)
		if ((have[i] & f->labels[i]) != f->labels[i])
			return false;
	return true;
}

bool ct_filter_match(const struct ct_filter *f, const struct ct_msg *m)
{
	struct ct_tuple o, r;
	uint32_t v = 0;
	uint16_t z = 0;
	uint8_t st;

	ct_tuple_get(&m->orig, m->family, &o);
	if (f->family && o.l3 != f->family)
		return false;
	if (f->l4 >= 0 && ct_msg_l4(m) != f->l4)
		return false;
	ct_tuple_get(&m->reply, m->family, &r);
	if (!dir_match(&f->orig, &o) || !dir_match(&f->reply, &r))
		return false;
	if (f->mark_set) {
		ct_get_u32(m->tb[CTA_MARK], &v);
		if ((v & f->mark_mask) != f->mark)
			return false;
	}
	if (f->status_set) {
		v = 0;
		ct_get_u32(m->tb[CTA_STATUS], &v);
		if ((v & f->status_on) != f->status_on || (v & f->status_off))
			return false;
	}
	if (f->zone >= 0) {
		ct_get_u16(m->tb[CTA_ZONE], &z);
		if (z != f->zone)
			return false;
	}
	if (f->tcp_state >= 0 && (!ct_msg_tcp_state(m, &st) || st != f->tcp_state))
		return false;
	if (f->secmark >= 0) {
		v = 0;
		ct_get_u32(m->tb[CTA_SECMARK], &v);
		if (v != (uint32_t)f->secmark)
			return false;
	}
	if (f->nat && !nat_match(f, m, &o, &r))
		return false;
	if (f->labels_set && !labels_match(f, m))
		return false;
	if (f->id_set && (!ct_get_u32(m->tb[CTA_ID], &v) || v != f->id))
		return false;
	return true;
}

/* CTA_FILTER can match an address only exactly, and IPv6 addresses not at all
 * here (FACTS.md: the kernel returned the inverse set). */
static bool kaddr_ok(const struct ct_addr_match *a)
{
	return a->set && a->family == AF_INET && a->plen == 32;
}

static uint32_t kdir_flags(const struct ct_filter *f, const struct ct_dir_filter *d)
{
	uint32_t fl = 0;
	bool icmp6 = f->l4 == IPPROTO_ICMPV6;

	if (!f->family)
		return 0; /* the kernel parses CTA_FILTER tuples only for a known family */
	if (kaddr_ok(&d->src))
		fl |= 1u << 0;
	if (kaddr_ok(&d->dst))
		fl |= 1u << 1;
	if (f->l4 >= 0)
		fl |= 1u << 3;
	if (f->l4 >= 0 && d->sport >= 0)
		fl |= 1u << 4;
	if (f->l4 >= 0 && d->dport >= 0)
		fl |= 1u << 5;
	if (f->l4 >= 0 && d->itype >= 0)
		fl |= 1u << (icmp6 ? 9 : 6);
	if (f->l4 >= 0 && d->icode >= 0)
		fl |= 1u << (icmp6 ? 10 : 7);
	if (f->l4 >= 0 && d->iid >= 0)
		fl |= 1u << (icmp6 ? 11 : 8);
	return fl;
}

static void put_kdir(struct nlmsghdr *nlh, uint16_t type, const struct ct_filter *f,
                     const struct ct_dir_filter *d, uint32_t fl)
{
	struct ct_tuple t = {0};

	t.l3 = f->family;
	if (fl & 1) {
		t.has_src = true;
		memcpy(t.src, d->src.addr, 4);
	}
	if (fl & 2) {
		t.has_dst = true;
		memcpy(t.dst, d->dst.addr, 4);
	}
	t.has_l4 = f->l4 >= 0;
	t.l4 = (uint8_t)f->l4;
	t.has_sport = d->sport >= 0 && (fl & (1u << 4));
	t.sport = (uint16_t)d->sport;
	t.has_dport = d->dport >= 0 && (fl & (1u << 5));
	t.dport = (uint16_t)d->dport;
	t.has_itype = d->itype >= 0, t.itype = (uint8_t)d->itype;
	t.has_icode = d->icode >= 0, t.icode = (uint8_t)d->icode;
	t.has_iid = d->iid >= 0, t.iid = (uint16_t)d->iid;
	ct_put_tuple(nlh, type, &t);
}

bool ct_filter_put_kernel(struct nlmsghdr *nlh, const struct ct_filter *f)
{
	uint32_t of = kdir_flags(f, &f->orig), rf = kdir_flags(f, &f->reply);

	if (f->no_kernel)
		return false;
	if (f->mark_set) {
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(f->mark));
		mnl_attr_put_u32(nlh, CTA_MARK_MASK, htonl(f->mark_mask));
	}
	if (f->status_set && (f->status_on | f->status_off)) {
		mnl_attr_put_u32(nlh, CTA_STATUS, htonl(f->status_on));
		mnl_attr_put_u32(nlh, CTA_STATUS_MASK, htonl(f->status_on | f->status_off));
	}
	if (f->zone > 0)
		mnl_attr_put_u16(nlh, CTA_ZONE, htons((uint16_t)f->zone));
	if (of || rf) {
		struct nlattr *nest;
		if (of)
			put_kdir(nlh, CTA_TUPLE_ORIG, f, &f->orig, of);
		if (rf)
			put_kdir(nlh, CTA_TUPLE_REPLY, f, &f->reply, rf);
		nest = mnl_attr_nest_start(nlh, CTA_FILTER);
		mnl_attr_put_u32(nlh, CTA_FILTER_ORIG_FLAGS, of);
		mnl_attr_put_u32(nlh, CTA_FILTER_REPLY_FLAGS, rf);
		mnl_attr_nest_end(nlh, nest);
	}
	return true;
}

static bool kdir_exact(const struct ct_filter *f, const struct ct_dir_filter *d)
{
	uint32_t fl = kdir_flags(f, d);

	if (d->src.set && !(fl & 1))
		return false;
	if (d->dst.set && !(fl & 2))
		return false;
	if (d->zone >= 0)
		return false;
	return true;
}

/* True when the kernel alone selects exactly the entries ct_filter_match would. */
bool ct_filter_kernel_exact(const struct ct_filter *f)
{
	if (f->no_kernel)
		return ct_filter_empty(f);
	if (f->l4 >= 0 && !f->family)
		return false;
	if (!kdir_exact(f, &f->orig) || !kdir_exact(f, &f->reply))
		return false;
	if (f->zone == 0 || f->id_set || f->tcp_state >= 0 || f->secmark >= 0 || f->nat ||
	    f->labels_set)
		return false;
	return true;
}

/* For the testing switch --kernel-only: forget what was pushed to the kernel. */
void ct_filter_kernel_strip(struct ct_filter *f)
{
	for (int i = 0; i < 2; i++) {
		struct ct_dir_filter *d = i ? &f->reply : &f->orig;
		uint32_t fl = kdir_flags(f, d);
		if (fl & 1)
			d->src.set = false;
		if (fl & 2)
			d->dst.set = false;
		if (fl & (1u << 4))
			d->sport = -1;
		if (fl & (1u << 5))
			d->dport = -1;
	}
	f->mark_set = false;
	if (f->status_on | f->status_off)
		f->status_set = false;
	if (f->zone > 0)
		f->zone = -1;
}

bool ct_filter_empty(const struct ct_filter *f)
{
	struct ct_filter e;

	ct_filter_init(&e);
	e.no_kernel = f->no_kernel;
	e.kernel_only = f->kernel_only;
	return memcmp(&e, f, sizeof(e)) == 0;
}

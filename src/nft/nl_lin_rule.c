/* A rule of the model as the libnftnl rule nll_rule(xlate_rule(r)) gives,
 * built without the JSON in between (see nl_lin_rule.h).
 *
 * Two steps, as the JSON path takes them. First the statements xlate
 * (src/xlate/emit.c) would write, in its order: interfaces, protocol,
 * addresses, then each match's (the protocol test left out when a match
 * named after it emitted something, as iptables-translate does). Then those
 * statements linearised as nl_lin_expr.c linearises their JSON, with its
 * builders (nl_lin_int.h): the "meta l4proto" dependency libnftables puts
 * before a transport field, its merge of "sport == A" followed by
 * "dport == B" (icmp type and code) into one load, and every refusal of
 * nl_lin_expr.c kept as a refusal here (return 1: the caller takes the JSON
 * path, which refuses or goes through libnftables). Then the counter and
 * the target. The comment is xlate's, with nfsh's form tag.
 *
 * Built here: IPv4/IPv6 -s/-d (host or prefix, !), -i/-o (+ wildcard, !),
 * -p (!), -m tcp/udp --sport/--dport (port, range, !), -m comment,
 * -m conntrack --ctstate / -m state --state, -m icmp/icmp6 --icmp(v6)-type,
 * -j ACCEPT/DROP/RETURN/chain, -g chain, DNAT/SNAT (address or range,
 * ports, flags), MASQUERADE, REJECT, LOG, MARK, -c (the counter's starting
 * values). Not: -f, every other match and target.
 *
 * The extensions' private data are read through their headers (ext/tcp.h,
 * LOG.h, REJECT.h, MARK.h, comment.h, ...), the REJECT codes and MARK
 * forms through their functions, the comment through xlate_comment: what
 * those decide is decided in one place. tests/unit/test_nl_lin_rule.c
 * holds the bytes to the JSON path's, rule by rule. */
#include "nft/nl_lin_rule.h"
#include "nft/nl_lin_int.h"

/* The private data of the extensions read here, and xlate's comment:
 * this file stands in for xlate and the extensions' emit functions. */
#include "ext/LOG.h"
#include "ext/MARK.h"
#include "ext/REJECT.h"
#include "ext/comment.h"
#include "ext/conntrack.h"
#include "ext/ext.h"
#include "ext/icmp.h"
#include "ext/markops.h"
#include "ext/nat.h"
#include "ext/tcp.h"
#include "rule/rule.h"
#include "xlate/xlate.h"

#include <arpa/inet.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <string.h>

/* One statement of xlate's, as much of it as the linearisation needs. */
enum fkind {
	FS_IFACE, /* meta iifname/oifname ==|!= NAME */
	FS_PROTO, /* ip protocol (key 0) or meta l4proto (key 1) ==|!= l4 */
	FS_ADDR,  /* ip/ip6 saddr/daddr ==|!= address or prefix */
	FS_PORT,  /* tcp/udp (l4) sport (first) or dport ==|!= lo[-hi] */
	FS_ICMP,  /* icmp/icmpv6 (l4 1/58) type (first) or code == value */
	FS_CT,    /* ct state/status (key) in | ! the flags in lo */
};

struct fstmt {
	enum fkind kind;
	uint32_t op; /* NFT_CMP_EQ or NFT_CMP_NEQ (FS_CT: of the final cmp) */
	uint32_t key;
	int l4;
	bool first; /* FS_PORT, FS_ICMP: the field at offset 0; FS_ADDR: saddr */
	unsigned lo, hi;
	const struct iface_match *iface;
	const struct addr_match *addr;
};

/* More than any rule of the shapes here has (32 matches of two ports). */
#define FAST_STMTS 72

struct fbuild {
	const struct rule *r;
	struct fstmt s[FAST_STMTS];
	int n;
	bool kept[NFSH_MAX_MATCHES]; /* xlate's keep_name: "i=NAME:K" in the tag */
	const char *comment;         /* the user's comment (comment's text), "" for none */
};

static struct fstmt *push(struct fbuild *b, enum fkind kind, uint32_t op)
{
	struct fstmt *s;

	if (b->n >= FAST_STMTS)
		return NULL;
	s = &b->s[b->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->op = op;
	return s;
}

static uint32_t eq_or_neq(bool invert)
{
	return invert ? NFT_CMP_NEQ : NFT_CMP_EQ;
}

static bool named(const struct ext_inst *in, const char *name)
{
	return !strcmp(in->ext->name, name);
}

/* ---- the matches' statements, as their emit functions write them ---- */

/* tcp and udp (src/ext/tcp.c, udp.c): sport, dport when they test
 * something; with neither, "meta l4proto P" and the form tag keeps the
 * match's name. tcp's flags and options are not built here. */
static bool ports_stmts(struct fbuild *b, int k, int l4)
{
	const struct ext_inst *in = &b->r->matches[k];
	const struct port_match *pm[2];
	int n = 0;

	if (l4 == 6) {
		const struct tcp_priv *p = in->priv;

		if (p->opt_set || (p->flags_set && (p->mask || p->flags_inv)))
			return false;
		pm[0] = &p->sport, pm[1] = &p->dport;
	} else {
		const struct udp_priv *p = in->priv;

		pm[0] = &p->sport, pm[1] = &p->dport;
	}
	for (int f = 0; f < 2; f++) {
		struct fstmt *s;

		if (!port_match_active(pm[f]))
			continue;
		if (!(s = push(b, FS_PORT, eq_or_neq(pm[f]->invert))))
			return false;
		s->l4 = l4, s->first = f == 0, s->lo = pm[f]->lo, s->hi = pm[f]->hi;
		n++;
	}
	if (n == 0) {
		struct fstmt *s = push(b, FS_PROTO, NFT_CMP_EQ);

		if (!s)
			return false;
		s->key = 1, s->l4 = l4;
		b->kept[k] = true;
	}
	return true;
}

/* icmp and icmp6 (src/ext/icmp.c): IPv4's "any" is "ip protocol 1" (name
 * kept); a type with every code is one test; with one code, two (merged
 * when linearised). A code range or a negated code gives statements
 * nl_lin_expr.c refuses. */
static bool icmp_stmts(struct fbuild *b, int k, bool v6)
{
	const struct icmp_priv *p = b->r->matches[k].priv;
	bool all_codes = p->code_lo == 0 && p->code_hi == 255;
	int l4 = v6 ? 58 : 1;
	struct fstmt *s;

	if (!v6 && (!p->set || (p->type == 255 && all_codes))) {
		if (!(s = push(b, FS_PROTO, NFT_CMP_EQ)))
			return false;
		s->key = 0, s->l4 = 1;
		b->kept[k] = true;
		return true;
	}
	if (!p->set || p->type > 255 || (!all_codes && (p->inv || p->code_lo != p->code_hi)))
		return false;
	if (!(s = push(b, FS_ICMP, eq_or_neq(p->inv))))
		return false;
	s->l4 = l4, s->first = true, s->lo = s->hi = p->type;
	if (all_codes)
		return true;
	if (!(s = push(b, FS_ICMP, NFT_CMP_EQ)))
		return false;
	s->l4 = l4, s->lo = s->hi = p->code_lo;
	return true;
}

/* conntrack --ctstate / state --state (src/ext/conntrack.c ct_emit): the
 * real states as "ct state", SNAT/DNAT as "ct status". Other conntrack
 * options are not built here. */
static bool ct_state_stmts(struct fbuild *b, int k)
{
	const struct ct_priv *p = b->r->matches[k].priv;
	bool neg = p->invert & (1u << CT_STATE);
	unsigned real = p->state & CTS_REAL;
	unsigned nat =
	    (p->state & CTS_SNAT ? CTST_SNAT : 0) | (p->state & CTS_DNAT ? CTST_DNAT : 0);
	struct fstmt *s;

	if (p->given != 1u << CT_STATE)
		return false;
	/* "in" any of the flags: (x & mask) != 0; "!" none: == 0. */
	if (real) {
		if (!(s = push(b, FS_CT, neg ? NFT_CMP_EQ : NFT_CMP_NEQ)))
			return false;
		s->key = NFT_CT_STATE, s->lo = real;
	}
	if (nat) {
		if (!(s = push(b, FS_CT, neg ? NFT_CMP_EQ : NFT_CMP_NEQ)))
			return false;
		s->key = NFT_CT_STATUS, s->lo = nat;
	}
	return true;
}

/* -m comment: no statement; the text becomes the rule's comment. */
static bool comment_take(struct fbuild *b, int k)
{
	const struct comment_priv *p = b->r->matches[k].priv;

	if (!memchr(p->text, '\0', sizeof(p->text)))
		return false;
	b->comment = p->text;
	return true;
}

/* Match k's statements; *count: how many (xlate's test of whether the
 * protocol is implied). */
static bool match_stmts(struct fbuild *b, int k, int *count)
{
	const struct ext_inst *in = &b->r->matches[k];
	int before = b->n;
	bool ok;

	if (named(in, "tcp"))
		ok = ports_stmts(b, k, 6);
	else if (named(in, "udp"))
		ok = ports_stmts(b, k, 17);
	else if (named(in, "icmp") || named(in, "icmp6"))
		ok = icmp_stmts(b, k, named(in, "icmp6"));
	else if (named(in, "conntrack") || named(in, "state"))
		ok = ct_state_stmts(b, k);
	else if (named(in, "comment"))
		ok = comment_take(b, k);
	else
		ok = false;
	*count = b->n - before;
	return ok;
}

/* ---- the rule's own fields, as xlate_rule_exprs writes them ---- */

/* -i/-o: "-i +" tests nothing; "! -i +" is iifname "INVAL/D" and a literal
 * trailing '*' is escaped: nl_lin_expr.c refuses both, and so does
 * iface_lin. */
static bool iface_stmt(struct fbuild *b, const struct iface_match *m, uint32_t key)
{
	struct fstmt *s;

	if (!m->set || (!strcmp(m->name, "+") && !m->invert))
		return true;
	if (!(s = push(b, FS_IFACE, eq_or_neq(m->invert))))
		return false;
	s->key = key, s->iface = m;
	return true;
}

static bool addr_stmt(struct fbuild *b, const struct addr_match *m, bool daddr)
{
	struct fstmt *s;

	if (!m->set || (m->prefix == 0 && !m->invert))
		return true;
	if (!(s = push(b, FS_ADDR, eq_or_neq(m->invert))))
		return false;
	s->addr = m, s->first = !daddr;
	return true;
}

/* The statements in xlate's order. The matches' come first here (then
 * moved behind the rule's own): whether one of them implies the protocol
 * decides the protocol test. */
static bool rule_stmts(struct fbuild *b)
{
	const struct rule *r = b->r;
	struct fstmt pre[5];
	bool implied = false;
	int count, nm, npre;

	for (int k = 0; k < r->nmatches; k++) {
		if (!match_stmts(b, k, &count))
			return false;
		implied |= r->matches[k].ext->implicit_proto &&
		           r->matches[k].ext->implicit_proto == r->proto && count > 0;
	}
	/* The rule's own statements go after the matches', then to the front. */
	nm = b->n;
	if (r->frag_set || !iface_stmt(b, &r->in, NFT_META_IIFNAME) ||
	    !iface_stmt(b, &r->out, NFT_META_OIFNAME))
		return false;
	if (r->proto_set && (r->proto || r->proto_invert) && !implied) {
		struct fstmt *s = push(b, FS_PROTO, eq_or_neq(r->proto_invert));

		if (!s)
			return false;
		/* IPv6: meta l4proto (extension headers may come first). */
		s->key = r->family == NFSH_IPV6, s->l4 = r->proto;
	}
	if (!addr_stmt(b, &r->src, false) || !addr_stmt(b, &r->dst, true))
		return false;
	npre = b->n - nm;
	memcpy(pre, &b->s[nm], (size_t)npre * sizeof(pre[0]));
	memmove(&b->s[npre], b->s, (size_t)nm * sizeof(b->s[0]));
	memcpy(b->s, pre, (size_t)npre * sizeof(pre[0]));
	return true;
}

/* ---- the statements linearised, as nl_lin_expr.c does ---- */

static bool iface_lin(struct lin *l, const struct fstmt *s)
{
	const char *name = s->iface->name;
	size_t n = strlen(name);
	bool wild = n > 0 && name[n - 1] == '+';
	char buf[IFNAMSIZ] = {0};

	/* lin_iface's character set; '+' only as the wildcard. */
	if (n == 0 || n >= IFNAMSIZ || (wild && n == 1))
		return false;
	for (size_t i = 0; i < n - wild; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == '@'))
			return false;
	}
	memcpy(buf, name, n - wild);
	nll_load_meta(l, s->key);
	/* A wildcard compares its prefix only; a name all 16 bytes, NUL padded. */
	nll_cmp(l, s->op, buf, wild ? (uint32_t)(n - 1) : IFNAMSIZ);
	return true;
}

static bool proto_lin(struct lin *l, const struct fstmt *s)
{
	uint8_t b = (uint8_t)s->l4;

	if (s->l4 < 0 || s->l4 > 255 || (s->key == 0 && l->nfproto != NFPROTO_IPV4))
		return false;
	if (s->key == 0)
		nll_load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, 9, 1);
	else
		nll_load_meta(l, NFT_META_L4PROTO);
	nll_cmp(l, s->op, &b, 1);
	nll_note_l4(l, s->op, s->l4);
	return true;
}

static bool addr_lin(struct lin *l, const struct fstmt *s)
{
	const struct addr_match *m = s->addr;
	bool v6 = l->nfproto == NFPROTO_IPV6;
	uint32_t full = v6 ? 16 : 4, plen = (uint32_t)m->prefix;
	uint32_t off = s->first ? (v6 ? 8 : 12) : (v6 ? 24 : 16);

	/* A non-contiguous mask is a binop, /0 (negated) a prefix of 0:
	 * nl_lin_expr.c takes neither. */
	if (m->family != (v6 ? NFSH_IPV6 : NFSH_IPV4) || m->prefix <= 0 || plen > full * 8)
		return false;
	/* libnftables keeps host bits as written: addr_of refuses them. */
	for (uint32_t bit = plen; bit < full * 8; bit++)
		if (m->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	/* A byte-aligned prefix is a short load; any other all of the
	 * address, masked. */
	nll_load_payload(l, NFT_PAYLOAD_NETWORK_HEADER, off, plen % 8 == 0 ? plen / 8 : full);
	nll_cmp_addr(l, s->op, m->addr, full, plen);
	return true;
}

static bool port_lin(struct lin *l, const struct fstmt *s)
{
	uint16_t lo = htons((uint16_t)s->lo), hi = htons((uint16_t)s->hi);

	if (s->lo > s->hi || s->hi > 65535 || !nll_l4_dependency(l, s->l4))
		return false;
	nll_load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, s->first ? 0 : 2, 2);
	if (s->lo == s->hi)
		nll_cmp(l, s->op, &lo, 2);
	else if (s->op == NFT_CMP_EQ) {
		/* == a range: two compares; != : one range expression. */
		nll_cmp(l, NFT_CMP_GTE, &lo, 2);
		nll_cmp(l, NFT_CMP_LTE, &hi, 2);
	} else {
		nll_range(l, NFT_RANGE_NEQ, &lo, &hi, 2);
	}
	return true;
}

static bool icmp_family_ok(const struct lin *l, int l4)
{
	return l4 == 58 ? l->nfproto == NFPROTO_IPV6 : l->nfproto == NFPROTO_IPV4;
}

static bool icmp_lin(struct lin *l, const struct fstmt *s)
{
	uint8_t b = (uint8_t)s->lo;

	if (s->lo > 255 || !icmp_family_ok(l, s->l4) || !nll_l4_dependency(l, s->l4))
		return false;
	nll_load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, s->first ? 0 : 1, 1);
	nll_cmp(l, s->op, &b, 1);
	return true;
}

static bool ct_lin(struct lin *l, const struct fstmt *s)
{
	uint32_t mask = s->lo, zero = 0;

	nll_load_ct(l, s->key, -1);
	nll_bitwise(l, &mask, &zero, 4, false);
	nll_cmp(l, s->op, &zero, 4);
	return true;
}

static bool stmt_lin(struct lin *l, const struct fstmt *s)
{
	switch (s->kind) {
	case FS_IFACE:
		return iface_lin(l, s);
	case FS_PROTO:
		return proto_lin(l, s);
	case FS_ADDR:
		return addr_lin(l, s);
	case FS_PORT:
		return port_lin(l, s);
	case FS_ICMP:
		return icmp_lin(l, s);
	case FS_CT:
		return ct_lin(l, s);
	}
	return false;
}

static bool th_stmt(const struct fstmt *s)
{
	return s->kind == FS_PORT || s->kind == FS_ICMP;
}

/* nl_lin_expr.c's merge_pair: "sport == A" then "dport == B" of one
 * protocol (icmp type then code) are one load of both, as libnftables
 * merges them; ports where either is a range or the ops differ each go
 * alone; two != of single ports libnftables merges wrongly (see
 * merge_pair), refused; any other pair of those two fields in a row is
 * refused there. 1: both linearised; 0: not such a pair, or each alone;
 * -1: refused. */
static int merge_lin(struct lin *l, const struct fstmt *a, const struct fstmt *b)
{
	bool ports = a->kind == FS_PORT;
	uint8_t data[4];

	if (!th_stmt(a) || !th_stmt(b) || a->kind != b->kind || a->l4 != b->l4 || !a->first ||
	    b->first)
		return 0;
	if (ports && (a->lo != a->hi || b->lo != b->hi || a->op != b->op))
		return 0;
	if (a->op != NFT_CMP_EQ || b->op != NFT_CMP_EQ || a->lo != a->hi || b->lo != b->hi ||
	    a->lo > (ports ? 65535u : 255u) || b->lo > (ports ? 65535u : 255u))
		return -1;
	if ((!ports && !icmp_family_ok(l, a->l4)) || !nll_l4_dependency(l, a->l4))
		return -1;
	if (ports) {
		uint16_t v[2] = {htons((uint16_t)a->lo), htons((uint16_t)b->lo)};

		memcpy(data, v, 4);
	} else {
		data[0] = (uint8_t)a->lo;
		data[1] = (uint8_t)b->lo;
	}
	nll_load_payload(l, NFT_PAYLOAD_TRANSPORT_HEADER, 0, ports ? 4 : 2);
	nll_cmp(l, NFT_CMP_EQ, data, ports ? 4 : 2);
	return 1;
}

static bool stmts_lin(struct lin *l, const struct fbuild *b)
{
	for (int i = 0; i < b->n; i++) {
		int m = i + 1 < b->n ? merge_lin(l, &b->s[i], &b->s[i + 1]) : 0;

		if (m < 0 || (m == 0 && !stmt_lin(l, &b->s[i])) || l->bad)
			return false;
		i += m == 1;
	}
	return true;
}

/* ---- the target ---- */

static void verdict(struct lin *l, int v, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
		if (chain)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	}
	nll_add(l, e);
}

/* nat_emit's statement as lin_nat linearises it: the address (range) and
 * port (range) in registers from 1 on, in that order. */
static bool nat_lin(struct lin *l, const struct rule *r, bool masq, bool snat)
{
	const struct nat_priv *p = r->target.priv;
	uint32_t flags = 0, reg = NFT_REG_1, areg = 0, preg = 0;
	bool arange = false, prange = p->port_lo != p->port_hi;
	uint32_t alen = r->family == NFSH_IPV6 ? 16 : 4;

	/* A dnat/snat with neither address nor port (null or flags only) and
	 * a masquerade with an address are refused by lin_nat. */
	if (masq ? p->has_addr : !p->has_addr && !p->has_port)
		return false;
	flags |= p->flags & NAT_F_RANDOM ? NF_NAT_RANGE_PROTO_RANDOM : 0;
	flags |= p->flags & NAT_F_FULLY ? NF_NAT_RANGE_PROTO_RANDOM_FULLY : 0;
	flags |= p->flags & NAT_F_PERSISTENT ? NF_NAT_RANGE_PERSISTENT : 0;
	/* A port needs the transport protocol known, as libnftables checks. */
	if (p->has_port && l->l4 != 6 && l->l4 != 17)
		return false;
	if (p->has_addr) {
		if (p->family != r->family)
			return false;
		arange = memcmp(p->lo, p->hi, 16) != 0;
		nll_imm_data(l, reg, p->lo, alen);
		if (arange)
			nll_imm_data(l, reg + 1, p->hi, alen);
		areg = reg;
		reg += arange ? 2 : 1;
	}
	if (p->has_port) {
		uint16_t lo = htons((uint16_t)p->port_lo), hi = htons((uint16_t)p->port_hi);

		if (p->port_lo > 65535 || p->port_hi > 65535)
			return false;
		nll_imm_data(l, reg, &lo, 2);
		if (prange)
			nll_imm_data(l, reg + 1, &hi, 2);
		preg = reg;
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	}
	nll_nat_stmt(l, masq ? "masq" : snat ? "snat" : "dnat", areg, arange, preg, prange, flags);
	return true;
}

/* REJECT (src/ext/REJECT.c): the default type is a bare "reject", which
 * libnftables sends as icmp(v6) port-unreachable, the default's code; the
 * codes lin_reject does not know (policy-fail, reject-route) are refused. */
static bool reject_lin(struct lin *l, const struct rule *r)
{
	int code = reject_icmp_code(r->target.priv, r->family);
	uint32_t t = NFT_REJECT_ICMP_UNREACH;
	struct nftnl_expr *e;

	if (code == REJECT_TCP_RESET) {
		/* libnftables adds a dependency when no tcp match came: refused
		 * there, so here. */
		if (l->l4 != 6 || l->l4_unknown)
			return false;
		t = NFT_REJECT_TCP_RST;
		code = 0;
	} else if (!nll_reject_code(l->nfproto, code)) {
		return false;
	}
	if ((e = nftnl_expr_alloc("reject"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, t);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, (uint8_t)code);
	}
	nll_add(l, e);
	return true;
}

/* LOG (src/ext/LOG.c): the default level is not sent; the flag bits are
 * nf_log's, all of them "all" (NF_LOG_MASK). */
static bool log_lin(struct lin *l, const struct rule *r)
{
	const struct log_priv *p = r->target.priv;
	bool level = p->level_set && p->level != LOG_LEVEL_DEFAULT;
	struct nftnl_expr *e;

	/* A '$' would be a variable to libnftables: lin_log refuses it. */
	if (memchr(p->prefix, '\0', sizeof(p->prefix)) == NULL || strchr(p->prefix, '$') ||
	    (level && p->level > 7) || (p->flags & ~NF_LOG_MASK))
		return false;
	if ((e = nftnl_expr_alloc("log"))) {
		if (p->prefix[0])
			nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, p->prefix);
		if (level)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, p->level);
		if (p->flags)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_FLAGS, p->flags);
	}
	nll_add(l, e);
	return true;
}

/* MARK (src/ext/MARK.c, markops.c): new = (mark & ~mask) ^ value, in
 * markop_form's forms; each a bitwise of meta mark (reg 1 = (reg 1 & M) ^
 * X) except the value alone, then "meta mark set" from reg 1. The masks
 * lin_mangle refuses (all or no bits) are refused here. */
static bool mark_lin(struct lin *l, const struct rule *r)
{
	const struct mark_priv *p = r->target.priv;
	uint32_t v = p->value, keep = ~p->mask, m = keep, x = v;
	struct nftnl_expr *e;

	switch (markop_form(v, p->mask)) {
	case MF_VALUE:
		break;
	case MF_AND: /* mark & keep */
		x = 0;
		if (keep == 0xffffffffu)
			return false;
		break;
	case MF_OR: /* mark | v */
		m = ~v;
		break;
	case MF_XOR: /* mark ^ v */
		m = 0xffffffffu;
		if (v == 0xffffffffu)
			return false;
		break;
	case MF_AND_XOR: /* (mark & keep) ^ v */
		break;
	}
	if (p->mask == 0xffffffffu) {
		nll_imm_data(l, NFT_REG_1, &v, 4);
	} else {
		nll_load_meta(l, NFT_META_MARK);
		nll_bitwise(l, &m, &x, 4, true);
	}
	if ((e = nftnl_expr_alloc("meta"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	nll_add(l, e);
	return true;
}

static bool target_lin(struct lin *l, const struct rule *r)
{
	const struct ext_inst *t = &r->target;

	switch (r->target_kind) {
	case TGT_NONE:
		return true;
	case TGT_ACCEPT:
		verdict(l, NF_ACCEPT, NULL);
		return true;
	case TGT_DROP:
		verdict(l, NF_DROP, NULL);
		return true;
	case TGT_RETURN:
		verdict(l, NFT_RETURN, NULL);
		return true;
	case TGT_JUMP:
	case TGT_GOTO:
		verdict(l, r->target_kind == TGT_JUMP ? NFT_JUMP : NFT_GOTO, r->jump);
		return true;
	case TGT_EXT:
		break;
	default:
		return false;
	}
	/* None of these has an alias or a target form in the tag. */
	if (named(t, "DNAT") || named(t, "SNAT") || named(t, "MASQUERADE"))
		return nat_lin(l, r, named(t, "MASQUERADE"), named(t, "SNAT"));
	if (named(t, "REJECT"))
		return reject_lin(l, r);
	if (named(t, "LOG"))
		return log_lin(l, r);
	if (named(t, "MARK"))
		return mark_lin(l, r);
	return false;
}

/* ---- the comment ---- */

/* xlate's comment (xlate_comment: the user's text and the form tag); false
 * when nl_lin.c refuses it (longer than NLL_COMMENT_MAX, which is also
 * xlate's limit, NFSH_NFT_COMMENT_MAX). No target built here has a form in
 * the tag (xlate's target_form). */
static bool comment_of(const struct fbuild *b, char *out, size_t outlen)
{
	size_t n = xlate_comment(b->r, b->kept, NULL, b->comment, out, outlen);

	if (n <= NLL_COMMENT_MAX && n < outlen)
		return true;
	out[0] = '\0';
	return false;
}

/* ---- the rule ---- */

int nll_rule_fast(const struct rule *r, struct nftnl_rule **out, char *comment, size_t commentlen)
{
	struct fbuild b; /* not zeroed whole: 4 KiB of statements a rule */
	struct lin l = {.l4 = -1};
	const struct table_desc *t = table_by_id(r->table);

	*out = NULL;
	b.r = r, b.n = 0, b.comment = "";
	memset(b.kept, 0, sizeof(b.kept));
	if ((r->family != NFSH_IPV4 && r->family != NFSH_IPV6) || !t || commentlen == 0 ||
	    !rule_stmts(&b) || !comment_of(&b, comment, commentlen))
		return 1;
	l.nfproto = r->family == NFSH_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	if (!(l.r = nftnl_rule_alloc()))
		return -1;
	nftnl_rule_set_u32(l.r, NFTNL_RULE_FAMILY, (uint32_t)l.nfproto);
	nftnl_rule_set_str(l.r, NFTNL_RULE_TABLE, t->nftname);
	nftnl_rule_set_str(l.r, NFTNL_RULE_CHAIN, r->chain);
	if (stmts_lin(&l, &b)) {
		/* xlate's counter: with -c, the values it was given. */
		nll_counter(&l, r->counters_set ? r->packets : 0, r->counters_set ? r->bytes : 0);
		if (!l.bad && target_lin(&l, r) && !l.bad) {
			*out = l.r;
			return 0;
		}
	}
	nftnl_rule_free(l.r);
	comment[0] = '\0';
	/* add() marks an allocation failure and an overlong rule alike. */
	return l.bad && l.nexprs <= NLL_EXPRS_MAX ? -1 : 1;
}

/* A rule's statements as libnftables 1.0.6 linearises them (nl_lin_expr.c):
 * verdicts, mark setting, limit, log, reject, NAT, counter. */
#include "nft/nl_lin_int.h"

#include <arpa/inet.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <string.h>

static bool lin_verdict(struct lin *l, const char *name, json_t *body)
{
	struct nftnl_expr *e;
	int v;
	const char *target = NULL;

	if (!strcmp(name, "accept"))
		v = NF_ACCEPT;
	else if (!strcmp(name, "drop"))
		v = NF_DROP;
	else if (!strcmp(name, "return"))
		v = NFT_RETURN;
	else if (!strcmp(name, "jump") || !strcmp(name, "goto")) {
		v = name[0] == 'j' ? NFT_JUMP : NFT_GOTO;
		target = json_string_value(json_object_get(body, "target"));
		if (!target || json_object_size(body) != 1 ||
		    strlen(target) >= NFT_CHAIN_MAXNAMELEN)
			return false;
	} else
		return false;
	if (!target && !json_is_null(body))
		return false;
	if ((e = nll_expr("immediate"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
		if (target)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, target);
	}
	nll_add(l, e);
	return true;
}

/* The mark value forms nfsh writes (src/ext/markops.c): N; KEY; KEY & M;
 * KEY | V; KEY ^ V; (KEY & M) ^ V, KEY one of meta mark, ct mark. */
static bool mark_value(struct lin *l, json_t *v)
{
	json_t *a = json_object_get(v, "&"), *o = json_object_get(v, "|");
	json_t *x = json_object_get(v, "^"), *ops = a ? a : o ? o : x;
	uint32_t n, mask, xor = 0;

	if (nll_u32_of(v, &n)) {
		nll_imm_data(l, NFT_REG_1, &n, 4);
		return true;
	}
	if (!ops)
		return nll_load_mark(l, v);
	if (json_object_size(v) != 1 || json_array_size(ops) != 2 ||
	    !nll_u32_of(json_array_get(ops, 1), &n))
		return false;
	if (x && json_object_get(json_array_get(ops, 0), "&")) {
		json_t *in = json_object_get(json_array_get(ops, 0), "&");

		if (json_object_size(json_array_get(ops, 0)) != 1 || json_array_size(in) != 2 ||
		    !nll_u32_of(json_array_get(in, 1), &mask) || mask == 0xffffffffu || n == 0 ||
		    !nll_load_mark(l, json_array_get(in, 0)))
			return false;
		xor = n;
	} else {
		if (n == 0 || n == 0xffffffffu || !nll_load_mark(l, json_array_get(ops, 0)))
			return false;
		mask = a ? n : o ? ~n : 0xffffffffu;
		xor = a ? 0 : n;
	}
	nll_bitwise(l, &mask, &xor, 4, true);
	return true;
}

static bool lin_mangle(struct lin *l, json_t *body)
{
	json_t *key = json_object_get(body, "key");
	const char *m = nll_key_of(key, "meta"), *c = nll_key_of(key, "ct");
	struct nftnl_expr *e;

	if (json_object_size(body) != 2 ||
	    !(m ? !strcmp(m, "mark") && json_object_size(json_object_get(key, "meta")) == 1
	        : c && !strcmp(c, "mark") && json_object_size(json_object_get(key, "ct")) == 1) ||
	    !mark_value(l, json_object_get(body, "value")))
		return false;
	if (m && (e = nll_expr("meta"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	} else if (!m && (e = nll_expr("ct"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	}
	nll_add(l, e);
	return true;
}

static bool lin_limit(struct lin *l, json_t *body)
{
	static const char *const keys[] = {"rate",      "burst",      "per",
	                                   "rate_unit", "burst_unit", "inv"};
	static const char *const units[] = {"bytes", "kbytes", "mbytes"};
	static const char *const pers[] = {"second", "minute", "hour", "day", "week"};
	static const uint64_t secs[] = {1, 60, 3600, 86400, 604800};
	const char *ru = json_string_value(json_object_get(body, "rate_unit"));
	const char *bu = json_string_value(json_object_get(body, "burst_unit"));
	int per =
	    nll_name_index(json_string_value(json_object_get(body, "per")), pers, NLL_NAMES(pers));
	int rs = ru ? nll_name_index(ru, units, NLL_NAMES(units)) : -1;
	int bs = bu ? nll_name_index(bu, units, NLL_NAMES(units)) : rs >= 0 ? 0 : -1;
	json_t *inv = json_object_get(body, "inv");
	json_int_t rate, burst = -1;
	const char *k;
	json_t *v;
	struct nftnl_expr *e;
	bool bytes = ru != NULL;

	json_object_foreach(body, k,
	                    v) if (nll_name_index(k, keys, NLL_NAMES(keys)) < 0) return false;
	if (per < 0 || !nll_int_in(json_object_get(body, "rate"), 1, 0xffffffffll, &rate) ||
	    (json_object_get(body, "burst") &&
	     !nll_int_in(json_object_get(body, "burst"), 0, 0xffffffffll, &burst)) ||
	    (inv && !json_is_boolean(inv)) || (ru && rs < 0) || (bu && (bs < 0 || !bytes)) ||
	    (bytes && burst < 0))
		return false;
	/* Packets: burst 5 when none is given; bytes: refused without one. */
	if (!bytes && burst < 0)
		burst = 5;
	if ((e = nll_expr("limit"))) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE,
		                   (uint64_t)rate << (bytes ? 10 * rs : 0));
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, secs[per]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST,
		                   (uint32_t)((uint64_t)burst << (bytes ? 10 * bs : 0)));
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE,
		                   bytes ? NFT_LIMIT_PKT_BYTES : NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS,
		                   json_is_true(inv) ? NFT_LIMIT_F_INV : 0);
	}
	nll_add(l, e);
	return true;
}

static bool log_flags(json_t *f, uint32_t *out)
{
	static const char *const names[] = {"tcp sequence", "tcp options", "ip options",
	                                    "skuid",        NULL,          "ether"};
	json_t *list = json_is_array(f) ? f : NULL;
	size_t i, n = list ? json_array_size(list) : 1;

	*out = 0;
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(list ? json_array_get(list, i) : f);
		int b = nll_name_index(s, names, NLL_NAMES(names));

		if (s && !strcmp(s, "all"))
			*out |= NF_LOG_MASK;
		else if (b < 0)
			return false;
		else
			*out |= 1u << b;
	}
	return n > 0;
}

static bool lin_log(struct lin *l, json_t *body)
{
	static const char *const keys[] = {"prefix", "level",   "flags",
	                                   "group",  "snaplen", "queue-threshold"};
	static const char *const levels[] = {"emerg",  "alert", "crit",  "err",  "warn",
	                                     "notice", "info",  "debug", "audit"};
	const char *prefix = json_string_value(json_object_get(body, "prefix"));
	json_t *lv = json_object_get(body, "level"), *fl = json_object_get(body, "flags");
	json_t *gr = json_object_get(body, "group"), *v;
	json_t *sl = json_object_get(body, "snaplen"),
	       *qt = json_object_get(body, "queue-threshold");
	json_int_t snaplen = 0, qthreshold = 0;
	int level = lv ? nll_name_index(json_string_value(lv), levels, NLL_NAMES(levels)) : -1;
	uint32_t flags = 0;
	json_int_t group = 0;
	const char *k;
	struct nftnl_expr *e;

	if (!json_is_null(body)) {
		json_object_foreach(body, k, v) if (nll_name_index(k, keys, NLL_NAMES(keys)) <
		                                    0) return false;
		if ((json_object_get(body, "prefix") &&
		     (!prefix || !*prefix || strlen(prefix) > 127)) ||
		    (lv && level < 0) || (fl && !log_flags(fl, &flags)) ||
		    (gr && (!nll_int_in(gr, 0, 65535, &group) || lv || fl)) ||
		    (sl && (!gr || !nll_int_in(sl, 0, 0xffffffffll, &snaplen))) ||
		    (qt && (!gr || !nll_int_in(qt, 0, 65535, &qthreshold))))
			return false;
	}
	/* The prefix is written as is: no variables in it. */
	if (prefix && strchr(prefix, '$'))
		return false;
	if ((e = nll_expr("log"))) {
		if (prefix)
			nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
		if (gr) {
			nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, (uint16_t)group);
			if (sl)
				nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, (uint32_t)snaplen);
			if (qt)
				nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD,
				                   (uint16_t)qthreshold);
		} else {
			if (lv)
				nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, (uint32_t)level);
			if (flags)
				nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_FLAGS, flags);
		}
	}
	nll_add(l, e);
	return true;
}

/* The ICMP and ICMPv6 codes of reject checked here, by their names. */
static const char *const reject_icmp[] = {
    "net-unreachable",      "host-unreachable", "prot-unreachable",       "port-unreachable",
    [9] = "net-prohibited", "host-prohibited",  [13] = "admin-prohibited"};
static const char *const reject_icmp6[] = {"no-route", "admin-prohibited", NULL, "addr-unreachable",
                                           "port-unreachable"};

bool nll_reject_code(int nfproto, int code)
{
	bool v6 = nfproto == NFPROTO_IPV6;

	return code >= 0 &&
	       (size_t)code < (v6 ? NLL_NAMES(reject_icmp6) : NLL_NAMES(reject_icmp)) &&
	       (v6 ? reject_icmp6 : reject_icmp)[code];
}

static bool lin_reject(struct lin *l, json_t *body)
{
	bool v6 = l->nfproto == NFPROTO_IPV6;
	const char *type = json_string_value(json_object_get(body, "type"));
	const char *code = json_string_value(json_object_get(body, "expr"));
	uint32_t t = NFT_REJECT_ICMP_UNREACH;
	int c = v6 ? 4 : 3; /* port-unreachable */
	struct nftnl_expr *e;

	if (!json_is_null(body)) {
		if (!type || json_object_size(body) != (code ? 2u : 1u))
			return false;
		if (!strcmp(type, "tcp reset") && !code) {
			/* libnftables adds a dependency when no tcp match came. */
			if (l->l4 != 6 || l->l4_unknown)
				return false;
			t = NFT_REJECT_TCP_RST;
			c = 0;
		} else if (!strcmp(type, v6 ? "icmpv6" : "icmp") && code) {
			c = v6 ? nll_name_index(code, reject_icmp6, NLL_NAMES(reject_icmp6))
			       : nll_name_index(code, reject_icmp, NLL_NAMES(reject_icmp));
			if (c < 0)
				return false;
		} else {
			return false;
		}
	}
	if ((e = nll_expr("reject"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, t);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, (uint8_t)c);
	}
	nll_add(l, e);
	return true;
}

static bool nat_flags(json_t *f, uint32_t *out)
{
	static const char *const names[] = {"random", "persistent", "fully-random"};
	static const uint32_t bits[] = {NF_NAT_RANGE_PROTO_RANDOM, NF_NAT_RANGE_PERSISTENT,
	                                NF_NAT_RANGE_PROTO_RANDOM_FULLY};
	json_t *list = json_is_array(f) ? f : NULL;
	size_t i, n = list ? json_array_size(list) : 1;

	for (i = 0; i < n; i++) {
		int b = nll_name_index(json_string_value(list ? json_array_get(list, i) : f), names,
		                       NLL_NAMES(names));

		if (b < 0)
			return false;
		*out |= bits[b];
	}
	return n > 0;
}

/* A nat address or port: one value or a range; registers from reg. */
static bool nat_value(struct lin *l, json_t *v, bool port, uint32_t reg, bool *is_range)
{
	json_t *r = json_object_get(v, "range");
	uint8_t a[2][16];
	bool v6 = l->nfproto == NFPROTO_IPV6;
	uint32_t len = port ? 2 : v6 ? 16 : 4, plen;

	*is_range = r != NULL;
	for (size_t i = 0; i < (r ? 2u : 1u); i++) {
		json_t *x = r ? json_array_get(r, i) : v;
		json_int_t p;

		if (port) {
			uint16_t be;

			if (!nll_int_in(x, 0, 65535, &p))
				return false;
			be = htons((uint16_t)p);
			memcpy(a[i], &be, 2);
		} else if (!json_is_string(x) || !nll_addr_of(x, v6, a[i], &plen)) {
			return false;
		}
	}
	if (r && (json_object_size(v) != 1 || json_array_size(r) != 2 || !memcmp(a[0], a[1], len)))
		return false;
	nll_imm_data(l, reg, a[0], len);
	if (r)
		nll_imm_data(l, reg + 1, a[1], len);
	return true;
}

/* snat / dnat / masquerade / redirect. */
static bool lin_nat(struct lin *l, const char *name, json_t *body)
{
	static const char *const keys[] = {"addr", "port", "flags"};
	bool masq = !strcmp(name, "masquerade"), redir = !strcmp(name, "redirect");
	json_t *addr = json_object_get(body, "addr"), *port = json_object_get(body, "port");
	json_t *fl = json_object_get(body, "flags"), *v;
	uint32_t flags = 0, reg = NFT_REG_1, areg = 0, preg = 0;
	bool arange = false, prange = false;
	const char *k;

	if (!json_is_null(body)) {
		json_object_foreach(body, k, v) if (nll_name_index(k, keys, NLL_NAMES(keys)) <
		                                    0) return false;
		if ((fl && !nat_flags(fl, &flags)) || ((masq || redir) && addr) ||
		    (!masq && !redir && !addr && !port))
			return false;
	} else if (!masq && !redir) {
		return false;
	}
	/* A port needs the transport protocol known, as libnftables checks. */
	if (port && (l->l4 != 6 && l->l4 != 17))
		return false;
	if (addr) {
		if (!nat_value(l, addr, false, reg, &arange))
			return false;
		areg = reg;
		reg += arange ? 2 : 1;
	}
	if (port) {
		if (!nat_value(l, port, true, reg, &prange))
			return false;
		preg = reg;
		flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	}
	nll_nat_stmt(l,
	             masq             ? "masq"
	             : redir          ? "redir"
	             : name[0] == 's' ? "snat"
	                              : "dnat",
	             areg, arange, preg, prange, flags);
	return true;
}

void nll_nat_stmt(struct lin *l, const char *kind, uint32_t areg, bool arange, uint32_t preg,
                  bool prange, uint32_t flags)
{
	bool masq = !strcmp(kind, "masq"), redir = !strcmp(kind, "redir");
	struct nftnl_expr *e;

	/* No NF_NAT_RANGE_MAP_IPS: libnftables leaves it to the kernel. */
	if (masq || redir) {
		if ((e = nll_expr(kind))) {
			if (preg) {
				nftnl_expr_set_u32(e,
				                   masq ? NFTNL_EXPR_MASQ_REG_PROTO_MIN
				                        : NFTNL_EXPR_REDIR_REG_PROTO_MIN,
				                   preg);
				if (prange)
					nftnl_expr_set_u32(e,
					                   masq ? NFTNL_EXPR_MASQ_REG_PROTO_MAX
					                        : NFTNL_EXPR_REDIR_REG_PROTO_MAX,
					                   preg + 1);
			}
			if (flags)
				nftnl_expr_set_u32(
				    e, masq ? NFTNL_EXPR_MASQ_FLAGS : NFTNL_EXPR_REDIR_FLAGS,
				    flags);
		}
		nll_add(l, e);
		return;
	}
	if ((e = nll_expr("nat"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE,
		                   kind[0] == 's' ? NFT_NAT_SNAT : NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, (uint32_t)l->nfproto);
		if (areg) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, areg);
			if (arange)
				nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, areg + 1);
		}
		if (preg) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, preg);
			if (prange)
				nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, preg + 1);
		}
		if (flags)
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, flags);
	}
	nll_add(l, e);
}

void nll_counter(struct lin *l, uint64_t packets, uint64_t bytes)
{
	struct nftnl_expr *e = nll_expr("counter");

	/* libnftables sets a value only when it is not 0 (the kernel starts
	 * from 0 without it); libnftnl sends bytes, then packets. */
	if (e && packets)
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, packets);
	if (e && bytes)
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, bytes);
	nll_add(l, e);
}

/* null: a new counter; {"packets": P, "bytes": B}: one starting from those
 * (iptables-restore -c). libnftables reads both with json_unpack's "I"
 * into uint64_t, so a negative number is its 64-bit pattern (nftj_counter
 * writes counts past INT64_MAX so). Anything else in the object would be a
 * named counter's reference or a key libnftables ignores: refused. */
static bool lin_counter(struct lin *l, json_t *body)
{
	json_t *p = json_object_get(body, "packets"), *b = json_object_get(body, "bytes");

	if (json_is_null(body)) {
		nll_add(l, nll_expr("counter"));
		return true;
	}
	if (json_object_size(body) != 2 || !json_is_integer(p) || !json_is_integer(b))
		return false;
	nll_counter(l, (uint64_t)json_integer_value(p), (uint64_t)json_integer_value(b));
	return true;
}

bool nll_stmt(struct lin *l, json_t *st)
{
	const char *name;
	json_t *body;
	void *it = json_object_iter(st);

	if (!it || json_object_size(st) != 1)
		return false;
	name = json_object_iter_key(it);
	body = json_object_iter_value(it);
	if (!strcmp(name, "match"))
		return nll_match(l, body);
	if (!strcmp(name, "counter"))
		return lin_counter(l, body);
	if (!strcmp(name, "notrack")) {
		if (!json_is_null(body))
			return false;
		nll_add(l, nll_expr(name));
		return true;
	}
	if (!strcmp(name, "mangle"))
		return lin_mangle(l, body);
	if (!strcmp(name, "limit"))
		return lin_limit(l, body);
	if (!strcmp(name, "log"))
		return lin_log(l, body);
	if (!strcmp(name, "reject"))
		return lin_reject(l, body);
	if (!strcmp(name, "snat") || !strcmp(name, "dnat") || !strcmp(name, "masquerade") ||
	    !strcmp(name, "redirect"))
		return lin_nat(l, name, body);
	return lin_verdict(l, name, body);
}

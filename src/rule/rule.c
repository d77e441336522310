#include "util/strbuf.h"
#include "rule/rule.h"
#include "ext/ext.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *family_nft_name(int family)
{
	return family == NFSH_IPV6 ? "ip6" : "ip";
}

/* Hooks and priorities as iptables-nft registers them (NF_IP_PRI_*). */
static const struct builtin_chain filter_chains[] = {
    {"INPUT", HOOK_INPUT, "filter", 0},
    {"FORWARD", HOOK_FORWARD, "filter", 0},
    {"OUTPUT", HOOK_OUTPUT, "filter", 0},
};
static const struct builtin_chain nat_chains[] = {
    {"PREROUTING", HOOK_PREROUTING, "nat", -100},
    {"INPUT", HOOK_INPUT, "nat", 100},
    {"OUTPUT", HOOK_OUTPUT, "nat", -100},
    {"POSTROUTING", HOOK_POSTROUTING, "nat", 100},
};
static const struct builtin_chain mangle_chains[] = {
    {"PREROUTING", HOOK_PREROUTING, "filter", -150},   {"INPUT", HOOK_INPUT, "filter", -150},
    {"FORWARD", HOOK_FORWARD, "filter", -150},         {"OUTPUT", HOOK_OUTPUT, "route", -150},
    {"POSTROUTING", HOOK_POSTROUTING, "filter", -150},
};
static const struct builtin_chain raw_chains[] = {
    {"PREROUTING", HOOK_PREROUTING, "filter", -300},
    {"OUTPUT", HOOK_OUTPUT, "filter", -300},
};
static const struct builtin_chain security_chains[] = {
    {"INPUT", HOOK_INPUT, "filter", 50},
    {"FORWARD", HOOK_FORWARD, "filter", 50},
    {"OUTPUT", HOOK_OUTPUT, "filter", 50},
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const struct table_desc tables[TBL_COUNT] = {
    [TBL_FILTER] = {"filter", "nfsh-filter", filter_chains, N(filter_chains)},
    [TBL_NAT] = {"nat", "nfsh-nat", nat_chains, N(nat_chains)},
    [TBL_MANGLE] = {"mangle", "nfsh-mangle", mangle_chains, N(mangle_chains)},
    [TBL_RAW] = {"raw", "nfsh-raw", raw_chains, N(raw_chains)},
    [TBL_SECURITY] = {"security", "nfsh-security", security_chains, N(security_chains)},
};

const struct table_desc *table_by_id(int id)
{
	return id >= 0 && id < TBL_COUNT ? &tables[id] : NULL;
}

int table_lookup(const char *name)
{
	for (int i = 0; i < TBL_COUNT; i++)
		if (strcmp(tables[i].name, name) == 0)
			return i;
	return -1;
}

const struct builtin_chain *table_builtin(int table, const char *chain)
{
	const struct table_desc *t = table_by_id(table);

	for (int i = 0; t && i < t->nchains; i++)
		if (strcmp(t->chains[i].name, chain) == 0)
			return &t->chains[i];
	return NULL;
}

const char *hook_nft_name(int hook)
{
	static const char *const names[HOOK_COUNT] = {"prerouting", "input", "forward", "output",
	                                              "postrouting"};

	return hook >= 0 && hook < HOOK_COUNT ? names[hook] : "?";
}

void rule_init(struct rule *r, int family, int table, const char *chain)
{
	memset(r, 0, sizeof(*r));
	r->family = family;
	r->table = table;
	str_copy(r->chain, sizeof(r->chain), chain ? chain : "");
}

void rule_release(struct rule *r)
{
	for (int i = 0; i < r->nmatches; i++) {
		free(r->matches[i].priv);
		r->matches[i].priv = NULL;
	}
	r->nmatches = 0;
	free(r->target.priv);
	r->target.priv = NULL;
	r->target.ext = NULL;
}

static int inst_copy(struct ext_inst *d, const struct ext_inst *s)
{
	size_t n;

	*d = *s;
	if (!s->priv || !s->ext)
		return 0;
	/* An extension without private data (TRACE) still owns a 1-byte block
	 * (the parser allocates one): copy it too, or both rules free it. */
	n = s->ext->priv_size;
	d->priv = malloc(n ? n : 1);
	if (!d->priv)
		return -1;
	memcpy(d->priv, s->priv, n);
	return 0;
}

int rule_copy(struct rule *dst, const struct rule *src)
{
	*dst = *src;
	dst->target.priv = NULL;
	for (int i = 0; i < src->nmatches; i++)
		if (inst_copy(&dst->matches[i], &src->matches[i]) < 0)
			goto fail;
	if (inst_copy(&dst->target, &src->target) < 0)
		goto fail;
	return 0;
fail:
	rule_release(dst);
	return -1;
}

static const struct {
	const char *name;
	int num;
} protos[] = {
    {"icmp", 1},
    {"igmp", 2},
    {"ipencap", 4},
    {"tcp", 6},
    {"egp", 8},
    {"udp", 17},
    {"ipv6", 41},
    {"gre", 47},
    {"esp", 50},
    {"ah", 51},
    {"icmpv6", 58},
    {"ipv6-icmp", 58},
    {"ospf", 89},
    {"pim", 103},
    {"vrrp", 112},
    {"l2tp", 115},
    {"sctp", 132},
    {"udplite", 136},
    {"dccp", 33},
    /* The first name of a number is the one -S prints: /etc/protocols'. */
    {"mobility-header", 135},
    {"mh", 135},
    {"ipv6-mh", 135},
    {"ipcomp", 108},
    {"comp", 108},
    {"mpls-in-ip", 137},
};

int proto_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (strcasecmp(protos[i].name, name) == 0)
			return protos[i].num;
	return -1;
}

const char *proto_name(int num)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == num)
			return protos[i].name;
	return NULL;
}

static int mask_to_prefix(const uint8_t *mask, int bytes)
{
	int n = 0, i = 0;

	for (; i < bytes && mask[i] == 0xff; i++)
		n += 8;
	if (i < bytes) {
		uint8_t b = mask[i];

		while (b & 0x80) {
			n++;
			b = (uint8_t)(b << 1);
		}
		if (b)
			return -1;
		for (i++; i < bytes; i++)
			if (mask[i])
				return -1;
	}
	return n;
}

static void prefix_to_mask(int prefix, uint8_t *mask, int bytes)
{
	memset(mask, 0, 16);
	for (int i = 0; i < bytes; i++) {
		int bits = prefix - i * 8;

		mask[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
	}
}

/* ADDR[/PREFIX|/MASK]; hostnames are refused: a firewall must not depend on DNS. */
/* iptables' own numeric IPv4 form (xtables_numeric_to_ipaddr), tried when
 * inet_pton refuses: four dotted numbers in C notation (0x0a, 012), or one
 * number as a network with the rest zero ("0/0", "10/8"). The forms only the
 * resolver takes ("1.2.3", "256") stay refused: nfsh resolves no names. */
static int ip4_numeric(const char *s, uint8_t *out)
{
	int n = 0;

	for (;;) {
		char *end;
		unsigned long v;

		if (!isalnum((unsigned char)*s))
			return -1;
		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno || v > 255 || end == s || n == 4)
			return -1;
		out[n++] = (uint8_t)v;
		if (*end == '\0')
			break;
		if (*end != '.')
			return -1;
		s = end + 1;
	}
	if (n == 1) {
		out[1] = out[2] = out[3] = 0;
		return 0;
	}
	return n == 4 ? 0 : -1;
}

static int addr_pton(int af, const char *s, uint8_t *out)
{
	if (inet_pton(af, s, out) == 1)
		return 0;
	return af == AF_INET ? ip4_numeric(s, out) : -1;
}

int addr_parse(const char *text, int family, struct addr_match *m)
{
	char buf[128], *slash;
	int af = family == NFSH_IPV6 ? AF_INET6 : AF_INET;
	int bytes = family == NFSH_IPV6 ? 16 : 4;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(m->addr, 0, sizeof(m->addr));
	if (addr_pton(af, buf, m->addr) < 0)
		return -1;
	if (!slash) {
		m->prefix = bytes * 8;
	} else if (strspn(slash, "0123456789") == strlen(slash) && *slash) {
		long p = strtol(slash, NULL, 10);

		if (p < 0 || p > bytes * 8 || strlen(slash) > 3)
			return -1;
		m->prefix = (int)p;
	} else {
		if (addr_pton(af, slash, m->mask) < 0)
			return -1;
		m->prefix = mask_to_prefix(m->mask, bytes);
	}
	if (m->prefix >= 0)
		prefix_to_mask(m->prefix, m->mask, bytes);
	for (int i = 0; i < bytes; i++)
		m->addr[i] &= m->mask[i];
	m->family = family;
	m->set = true;
	return 0;
}

/* Dotted quad without inet_ntop's sprintf (read-back prints one or two
 * addresses a rule: a large part of a 50k-rule save). */
static size_t ipv4_ntop(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return (size_t)(p - buf - 1);
}

void addr_ntop(int family, const uint8_t *addr, char *buf, size_t len)
{
	if (family != NFSH_IPV6 && len >= INET_ADDRSTRLEN) {
		ipv4_ntop(addr, buf);
		return;
	}
	if (!inet_ntop(family == NFSH_IPV6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void addr_format(const struct addr_match *m, char *buf, size_t len, bool with_mask_always)
{
	char a[INET6_ADDRSTRLEN], k[INET6_ADDRSTRLEN];
	int full = m->family == NFSH_IPV6 ? 128 : 32;
	size_t n;

	addr_ntop(m->family, m->addr, a, sizeof(a));
	if (m->prefix < 0) {
		addr_ntop(m->family, m->mask, k, sizeof(k));
		snprintf(buf, len, "%s/%s", a, k);
		return;
	}
	/* "A" or "A/N": no printf, as for the address itself. */
	n = strlen(a);
	if (n + 5 > len) {
		snprintf(buf, len, "%s", a);
		return;
	}
	memcpy(buf, a, n);
	if (m->prefix != full || with_mask_always) {
		buf[n++] = '/';
		if (m->prefix >= 100)
			buf[n++] = (char)('0' + m->prefix / 100);
		if (m->prefix >= 10)
			buf[n++] = (char)('0' + m->prefix / 10 % 10);
		buf[n++] = (char)('0' + m->prefix % 10);
	}
	buf[n] = '\0';
}

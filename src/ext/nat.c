/* NAT helpers shared by DNAT, SNAT, MASQUERADE, REDIRECT and NETMAP. Every
 * iptables NAT range maps one to one onto nftables' nat statement: address
 * range -> addr (NF_NAT_RANGE_MAP_IPS), port range -> port
 * (NF_NAT_RANGE_PROTO_SPECIFIED), --random/--random-fully/--persistent -> the
 * flags random/fully-random/persistent. The one thing with no native form is
 * DNAT's port shift ("/BASE", NF_NAT_RANGE_PROTO_OFFSET): nft_nat has no base
 * port register, so it is refused. */
#include "ext/nat.h"
#include "nft/json.h"

#include <arpa/inet.h>
#include <string.h>

static int pton(int family, const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	return inet_pton(family == NFSH_IPV6 ? AF_INET6 : AF_INET, s, out) == 1 ? 0 : -1;
}

static int parse_one_port(const char *s, bool names, unsigned *port)
{
	unsigned long long v;

	if (parse_uint(s, 65535, &v) == 0 && strspn(s, "0123456789") == strlen(s)) {
		*port = (unsigned)v;
		return 0;
	}
	return names ? parse_port(s, port) : -1;
}

int nat_parse_ports(struct nat_priv *p, const char *arg, const char *what, struct nfsh_err *e)
{
	char buf[64], *dash, *slash;

	if (strlen(arg) >= sizeof(buf) || !*arg)
		return err_set(e, NFSH_EPARAM, arg, "invalid port range \"%s\" for %s", arg, what);
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		err_set(e, NFSH_EPARAM, arg,
		        "%s \"%s\": a port shift (/BASE) has no nftables form (the nat "
		        "expression has no base port)",
		        what, arg);
		err_hint(e,
		         "give the port range alone, or one rule per port with dnat to ADDR:PORT");
		return -1;
	}
	/* A service name is taken only as a whole single port (ssh, ftp-data),
	 * as iptables does; inside a range both ends are numbers. */
	if (parse_one_port(buf, true, &p->port_lo) == 0) {
		p->port_hi = p->port_lo;
	} else {
		dash = strchr(buf, '-');
		if (!dash || dash == buf)
			goto bad;
		*dash++ = '\0';
		if (parse_one_port(buf, false, &p->port_lo) < 0 ||
		    parse_one_port(dash, false, &p->port_hi) < 0 || p->port_lo > p->port_hi)
			goto bad;
	}
	p->has_port = true;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "invalid port range \"%s\" for %s", arg, what);
	err_hint(e, "PORT or PORT-PORT, numbers 0-65535 (a service name only alone)");
	return -1;
}

static int parse_addrs(int family, struct nat_priv *p, char *s, const char *what,
                       struct nfsh_err *e)
{
	char *dash = strchr(s, '-');

	if (dash)
		*dash++ = '\0';
	if (pton(family, s, p->lo) < 0 || (dash && pton(family, dash, p->hi) < 0)) {
		err_set(e, NFSH_EPARAM, s, "invalid address \"%s%s%s\" for %s", s, dash ? "-" : "",
		        dash ? dash : "", what);
		err_hint(e, family == NFSH_IPV6 ? "ADDR[-ADDR] or [ADDR[-ADDR]]:PORT[-PORT]"
		                                : "ADDR[-ADDR][:PORT[-PORT]]");
		return -1;
	}
	if (!dash)
		memcpy(p->hi, p->lo, 16);
	else if (memcmp(p->lo, p->hi, 16) > 0)
		return err_set(e, NFSH_EPARAM, s, "address range for %s goes backwards", what);
	p->family = family;
	p->has_addr = true;
	return 0;
}

int nat_parse_to(const struct ext_parse_ctx *c, struct nat_priv *p, const char *arg,
                 const char *what, struct nfsh_err *e)
{
	char buf[128], *ports = NULL, *addr = buf;

	if (strlen(arg) >= sizeof(buf) || !*arg)
		return err_set(e, NFSH_EPARAM, arg, "invalid %s \"%s\"", what, arg);
	strcpy(buf, arg);
	if (buf[0] == ':' && buf[1] != ':') {
		/* ":PORT[-PORT]": only the port changes (NF_NAT_RANGE_PROTO_SPECIFIED
		 * without MAP_IPS), nft "dnat to :PORT". "::1-::5" is an IPv6
		 * address range, not a port. */
		return nat_parse_ports(p, buf + 1, what, e);
	}
	if (c->family == NFSH_IPV6) {
		if (buf[0] == '[') {
			char *close = strchr(buf, ']');

			if (!close || (close[1] && close[1] != ':'))
				return err_set(e, NFSH_EPARAM, arg,
				               "invalid %s \"%s\": expected "
				               "[ADDR[-ADDR]]:PORT[-PORT]",
				               what, arg);
			*close = '\0';
			addr = buf + 1;
			if (close[1] == ':')
				ports = close + 2;
		}
	} else {
		ports = strchr(buf, ':');
		if (ports)
			*ports++ = '\0';
	}
	if (!*addr) {
		if (ports)
			return nat_parse_ports(p, ports, what, e); /* "[]:PORT" */
		err_set(e, NFSH_EPARAM, arg, "%s \"%s\" has no address", what, arg);
		err_hint(e, "ADDR[-ADDR], or :PORT[-PORT] to change only the port");
		return -1;
	}
	if (parse_addrs(c->family, p, addr, what, e) < 0)
		return -1;
	if (ports && nat_parse_ports(p, ports, what, e) < 0)
		return -1;
	return 0;
}

int nat_check_ports(const struct ext_parse_ctx *c, const struct nat_priv *p, const char *target,
                    struct nfsh_err *e)
{
	const struct rule *r = c->rule;

	if (!p->has_port)
		return 0;
	if (r && r->proto_set && !r->proto_invert &&
	    (r->proto == 6 || r->proto == 17 || r->proto == 132 || r->proto == 33 ||
	     r->proto == 136))
		return 0;
	err_set(e, NFSH_EPARAM, target, "%s with ports needs -p tcp, udp, sctp, dccp or udplite",
	        target);
	err_hint(e, "add e.g. -p tcp before -j %s (ports exist only for those protocols)", target);
	return -1;
}

static json_t *port_value(unsigned lo, unsigned hi)
{
	if (lo == hi)
		return nftj_int(lo);
	return nftj_range(nftj_int(lo), nftj_int(hi));
}

static json_t *flags_value(unsigned flags)
{
	static const char *const names[] = {"random", "fully-random", "persistent"};
	json_t *arr = nftj_array(), *one = NULL;
	int n = 0;

	for (int k = 0; k < 3; k++)
		if (flags & (1u << k)) {
			nftj_push(arr, nftj_str(names[k]));
			n++;
		}
	if (n != 1)
		return arr;
	one = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return one;
}

int nat_emit(struct emit_ctx *x, const char *name, const struct nat_priv *p, bool netmap)
{
	char a[64], b[64];
	json_t *body;

	if (!netmap && !p->has_addr && !p->has_port && !p->flags)
		return ext_emit(x, nftj_stmt(name, NULL));
	body = nftj_object();
	if (netmap) {
		addr_ntop(p->net.family, p->net.addr, a, sizeof(a));
		nftj_put(body, "addr", nftj_prefix(a, p->net.prefix));
		nftj_put_str(body, "flags", "netmap");
		nftj_put_str(body, "type_flags", "prefix");
		return ext_emit(x, nftj_stmt(name, body));
	}
	if (p->has_addr) {
		addr_ntop(p->family, p->lo, a, sizeof(a));
		addr_ntop(p->family, p->hi, b, sizeof(b));
		nftj_put(body, "addr",
		         memcmp(p->lo, p->hi, 16) ? nftj_range(nftj_str(a), nftj_str(b))
		                                  : nftj_str(a));
	}
	if (p->has_port)
		nftj_put(body, "port", port_value(p->port_lo, p->port_hi));
	if (p->flags)
		nftj_put(body, "flags", flags_value(p->flags));
	return ext_emit(x, nftj_stmt(name, body));
}

/* ---- read-back ---- */

static bool read_flags(json_t *v, unsigned *flags, bool *netmap)
{
	static const char *const names[] = {"random", "fully-random", "persistent"};
	json_t *el;
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < n; i++) {
		const char *s;
		int k;

		el = json_is_array(v) ? json_array_get(v, i) : v;
		s = json_string_value(el);
		if (!s)
			return false;
		if (strcmp(s, "netmap") == 0) {
			*netmap = true;
			continue;
		}
		for (k = 0; k < 3 && strcmp(s, names[k]); k++)
			;
		if (k == 3)
			return false;
		*flags |= 1u << k;
	}
	return true;
}

static bool read_port(json_t *v, struct nat_priv *p)
{
	json_t *a, *b;
	long long x, y;

	if (nftj_get_int(v, &x))
		y = x;
	else if (!nftj_get_range(v, &a, &b) || !nftj_get_int(a, &x) || !nftj_get_int(b, &y))
		return false;
	if (x < 0 || y > 65535 || x > y)
		return false;
	p->port_lo = (unsigned)x;
	p->port_hi = (unsigned)y;
	p->has_port = true;
	return true;
}

static bool read_addr(int family, json_t *v, struct nat_priv *p, bool netmap)
{
	json_t *a, *b;
	const char *pa;
	int len;
	char text[80];

	if (netmap) {
		if (!nftj_get_prefix(v, &pa, &len))
			return false;
		snprintf(text, sizeof(text), "%s/%d", pa, len);
		return addr_parse(text, family, &p->net) == 0;
	}
	if (json_is_string(v)) {
		if (pton(family, json_string_value(v), p->lo) < 0)
			return false;
		memcpy(p->hi, p->lo, 16);
	} else if (nftj_get_range(v, &a, &b) && json_is_string(a) && json_is_string(b)) {
		if (pton(family, json_string_value(a), p->lo) < 0 ||
		    pton(family, json_string_value(b), p->hi) < 0)
			return false;
	} else {
		return false;
	}
	p->family = family;
	p->has_addr = true;
	return true;
}

int nat_recognise(struct read_ctx *r, const char *name, struct nat_priv *p, bool want_addr,
                  bool netmap)
{
	json_t *body, *v;
	const char *sname = nftj_stmt_name(read_peek(r, 0), &body);
	const char *key;
	bool is_netmap = false;

	if (!sname || strcmp(sname, name))
		return 0;
	if (!json_is_null(body)) {
		if (!json_is_object(body))
			return 0;
		json_object_foreach(body, key, v)
		{
			bool ok;

			if (strcmp(key, "addr") == 0)
				ok = want_addr && read_addr(r->family, v, p, netmap);
			else if (strcmp(key, "port") == 0)
				ok = !netmap && read_port(v, p);
			else if (strcmp(key, "flags") == 0)
				ok = read_flags(v, &p->flags, &is_netmap);
			else if (strcmp(key, "type_flags") == 0)
				ok = netmap && json_is_string(v) &&
				     strcmp(json_string_value(v), "prefix") == 0;
			else if (strcmp(key, "family") == 0)
				ok = json_is_string(v) &&
				     strcmp(json_string_value(v), family_nft_name(r->family)) == 0;
			else
				ok = false;
			if (!ok)
				return 0;
		}
	}
	if (is_netmap != netmap || (netmap && (p->flags || !p->net.set)))
		return 0;
	read_take(r, 1);
	return 1;
}

/* ---- printing ---- */

void nat_format_ports(const struct nat_priv *p, struct strbuf *sb)
{
	if (p->port_lo == p->port_hi)
		sb_addf(sb, "%u", p->port_lo);
	else
		sb_addf(sb, "%u-%u", p->port_lo, p->port_hi);
}

void nat_format_to(const struct nat_priv *p, struct strbuf *sb)
{
	char a[64], b[64];
	bool v6 = p->family == NFSH_IPV6, brackets = v6 && p->has_port;

	if (p->has_addr) {
		addr_ntop(p->family, p->lo, a, sizeof(a));
		addr_ntop(p->family, p->hi, b, sizeof(b));
		sb_addf(sb, "%s%s", brackets ? "[" : "", a);
		if (memcmp(p->lo, p->hi, 16))
			sb_addf(sb, "-%s", b);
		if (brackets)
			sb_addc(sb, ']');
	}
	if (p->has_port) {
		sb_addc(sb, ':');
		nat_format_ports(p, sb);
	}
}

void nat_format_flags(const struct nat_priv *p, bool save, struct strbuf *sb)
{
	static const char *const names[] = {"random", "random-fully", "persistent"};

	for (int k = 0; k < 3; k++)
		if (p->flags & (1u << k))
			sb_addf(sb, " %s%s", save ? "--" : "", names[k]);
}

void nat_save_to_ports(const struct nat_priv *p, struct strbuf *sb)
{
	if (p->has_port) {
		sb_add(sb, " --to-ports ");
		nat_format_ports(p, sb);
	}
	nat_format_flags(p, true, sb);
}

void nat_list_to_ports(const struct nat_priv *p, const char *label, struct strbuf *sb)
{
	struct strbuf tmp;

	if (p->has_port) {
		sb_add(sb, label);
		nat_format_ports(p, sb);
	}
	/* Flags come with a leading blank; alone they start the field. */
	sb_init(&tmp);
	nat_format_flags(p, false, &tmp);
	sb_add(sb, sb_str(&tmp) + (p->has_port || !tmp.len ? 0 : 1));
	sb_free(&tmp);
}

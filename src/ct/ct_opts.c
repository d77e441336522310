/* conntrack(8) command-line parsing. No getopt (it keeps global state): one option
 * table, and every error names the offending word. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ct/ct_cmd.h"

enum arg { A_NONE, A_REQ, A_OPT };

enum opt_id {
	O_LIST,
	O_CREATE,
	O_ADD,
	O_UPDATE,
	O_DELETE,
	O_GET,
	O_EVENT,
	O_FLUSH,
	O_COUNT,
	O_STATS,
	O_LOAD,
	O_HELP,
	O_VERSION,
	O_SRC,
	O_DST,
	O_RSRC,
	O_RDST,
	O_PROTO,
	O_TIMEOUT,
	O_STATUS,
	O_EVMASK,
	O_ZERO,
	O_MARK,
	O_SECMARK,
	O_ID,
	O_FAMILY,
	O_OUTPUT,
	O_SNAT,
	O_DNAT,
	O_ANYNAT,
	O_ZONE,
	O_OZONE,
	O_RZONE,
	O_LABEL,
	O_LADD,
	O_LDEL,
	O_BUFSIZE,
	O_MASKSRC,
	O_MASKDST,
	O_SPORT,
	O_DPORT,
	O_RSPORT,
	O_RDPORT,
	O_STATE,
	O_ITYPE,
	O_ICODE,
	O_IID,
	O_TSRC,
	O_TDST,
	O_MSRC,
	O_MDST,
	O_TSPORT,
	O_TDPORT,
	O_MSPORT,
	O_MDPORT,
	O_USERSPACE_FILTER,
	O_KERNEL_ONLY,
};

/* The one option table: parsing, `conntrack -h`, and the shell's completion
 * (ct_cli_options[], in the cmd_option shape) all read it.
 * X(long, short, arg, id, metavar, help) */
#define CT_OPTS(X)                                                                                 \
	X("dump", 'L', A_OPT, O_LIST, "TABLE", "list the conntrack or expectation table")          \
	X("create", 'I', A_OPT, O_CREATE, "TABLE", "create an entry (fails if it exists)")         \
	X("add", 'A', A_OPT, O_ADD, "TABLE", "create or update an entry")                          \
	X("update", 'U', A_OPT, O_UPDATE, "TABLE", "update the matching entries")                  \
	X("delete", 'D', A_OPT, O_DELETE, "TABLE", "delete the matching entries")                  \
	X("get", 'G', A_OPT, O_GET, "TABLE", "show one entry by its tuple")                        \
	X("event", 'E', A_OPT, O_EVENT, "TABLE", "show events")                                    \
	X("flush", 'F', A_OPT, O_FLUSH, "TABLE", "flush the table (-f: one family only)")          \
	X("count", 'C', A_OPT, O_COUNT, "TABLE", "count the entries")                              \
	X("stats", 'S', A_OPT, O_STATS, "TABLE", "per-CPU statistics")                             \
	X("load-file", 'R', A_REQ, O_LOAD, "FILE", "run the commands in FILE (- for stdin)")       \
	X("help", 'h', A_NONE, O_HELP, NULL, "this help")                                          \
	X("version", 'V', A_NONE, O_VERSION, NULL, "version")                                      \
	X("orig-src", 's', A_REQ, O_SRC, "ADDR[/LEN]", "original source address")                  \
	X("src", 0, A_REQ, O_SRC, "ADDR[/LEN]", "original source address")                         \
	X("orig-dst", 'd', A_REQ, O_DST, "ADDR[/LEN]", "original destination address")             \
	X("dst", 0, A_REQ, O_DST, "ADDR[/LEN]", "original destination address")                    \
	X("reply-src", 'r', A_REQ, O_RSRC, "ADDR[/LEN]", "reply source address")                   \
	X("reply-dst", 'q', A_REQ, O_RDST, "ADDR[/LEN]", "reply destination address")              \
	X("protonum", 'p', A_REQ, O_PROTO, "PROTO", "layer 4 protocol (name or number)")           \
	X("proto", 0, A_REQ, O_PROTO, "PROTO", "layer 4 protocol (name or number)")                \
	X("timeout", 't', A_REQ, O_TIMEOUT, "SECONDS", "timeout to set (-I, -U)")                  \
	X("status", 'u', A_REQ, O_STATUS, "STATUS,...", "ASSURED, SEEN_REPLY, UNREPLIED, ...")     \
	X("event-mask", 'e', A_REQ, O_EVMASK, "EVENTS", "NEW, UPDATES, DESTROY, ALL")              \
	X("zero", 'z', A_NONE, O_ZERO, NULL, "zero counters while listing (accepted)")             \
	X("mark", 'm', A_REQ, O_MARK, "MARK[/MASK]", "mark to match or set")                       \
	X("secmark", 'c', A_REQ, O_SECMARK, "SECMARK", "security mark")                            \
	X("id", 'i', A_REQ, O_ID, "ID", "entry id")                                                \
	X("family", 'f', A_REQ, O_FAMILY, "ipv4|ipv6", "layer 3 family")                           \
	X("output", 'o', A_REQ, O_OUTPUT, "FORMAT,...",                                            \
	  "extended, id, timestamp, ktimestamp, labels, save, json, xml")                          \
	X("src-nat", 'n', A_OPT, O_SNAT, "ADDR[:PORT]", "source-NATed entries")                    \
	X("dst-nat", 'g', A_OPT, O_DNAT, "ADDR[:PORT]", "destination-NATed entries")               \
	X("any-nat", 'j', A_OPT, O_ANYNAT, "ADDR[:PORT]", "NATed entries, either way")             \
	X("zone", 'w', A_REQ, O_ZONE, "ZONE", "conntrack zone")                                    \
	X("orig-zone", 0, A_REQ, O_OZONE, "ZONE", "zone of the original direction")                \
	X("reply-zone", 0, A_REQ, O_RZONE, "ZONE", "zone of the reply direction")                  \
	X("label", 'l', A_REQ, O_LABEL, "LABEL,...", "connection labels (names or bits)")          \
	X("label-add", 0, A_REQ, O_LADD, "LABEL,...", "labels to add (-U)")                        \
	X("label-del", 0, A_OPT, O_LDEL, "LABEL,...", "labels to remove, all without one (-U)")    \
	X("buffer-size", 'b', A_REQ, O_BUFSIZE, "BYTES", "event socket buffer (-E)")               \
	X("mask-src", 0, A_REQ, O_MASKSRC, "MASK", "netmask for -s")                               \
	X("mask-dst", 0, A_REQ, O_MASKDST, "MASK", "netmask for -d")                               \
	X("sport", 0, A_REQ, O_SPORT, "PORT", "original source port")                              \
	X("orig-port-src", 0, A_REQ, O_SPORT, "PORT", "original source port")                      \
	X("dport", 0, A_REQ, O_DPORT, "PORT", "original destination port")                         \
	X("orig-port-dst", 0, A_REQ, O_DPORT, "PORT", "original destination port")                 \
	X("reply-port-src", 0, A_REQ, O_RSPORT, "PORT", "reply source port")                       \
	X("reply-port-dst", 0, A_REQ, O_RDPORT, "PORT", "reply destination port")                  \
	X("state", 0, A_REQ, O_STATE, "STATE", "TCP state")                                        \
	X("icmp-type", 0, A_REQ, O_ITYPE, "TYPE", "ICMP type")                                     \
	X("icmp-code", 0, A_REQ, O_ICODE, "CODE", "ICMP code")                                     \
	X("icmp-id", 0, A_REQ, O_IID, "ID", "ICMP id")                                             \
	X("icmpv6-type", 0, A_REQ, O_ITYPE, "TYPE", "ICMPv6 type")                                 \
	X("icmpv6-code", 0, A_REQ, O_ICODE, "CODE", "ICMPv6 code")                                 \
	X("icmpv6-id", 0, A_REQ, O_IID, "ID", "ICMPv6 id")                                         \
	X("tuple-src", 0, A_REQ, O_TSRC, "ADDR[/LEN]", "expectation tuple source (-I expect)")     \
	X("tuple-dst", 0, A_REQ, O_TDST, "ADDR[/LEN]", "expectation tuple destination")            \
	X("tuple-port-src", 0, A_REQ, O_TSPORT, "PORT", "expectation tuple source port")           \
	X("tuple-port-dst", 0, A_REQ, O_TDPORT, "PORT", "expectation tuple destination port")      \
	X("mask-port-src", 0, A_REQ, O_MSPORT, "PORT", "expectation mask of the source port")      \
	X("mask-port-dst", 0, A_REQ, O_MDPORT, "PORT", "expectation mask of the destination port") \
	X("master-src", 0, A_REQ, O_MSRC, "ADDR[/LEN]", "expectation master source")               \
	X("master-dst", 0, A_REQ, O_MDST, "ADDR[/LEN]", "expectation master destination")

/* nfsh testing switches (not offered for completion): compare the kernel's
 * filtering with the user-space reference. */
#define CT_TEST_OPTS(X)                                                                            \
	X("nfsh-userspace-filter", 0, A_NONE, O_USERSPACE_FILTER, NULL, "filter in user space")    \
	X("nfsh-kernel-only", 0, A_NONE, O_KERNEL_ONLY, NULL, "trust the kernel's filter")

struct opt {
	const char *lng;
	char shrt;
	enum arg arg;
	enum opt_id id;
	const char *metavar, *help;
};

#define AS_OPT(l, s, a, i, m, h) {l, s, a, i, m, h},
static const struct opt opts[] = {CT_OPTS(AS_OPT) CT_TEST_OPTS(AS_OPT)};

#define AS_CMD_OPTION(l, s, a, i, m, h) {l, s, a == A_NONE ? 0 : a == A_REQ ? 1 : -1, false, m, h},
const struct cmd_option ct_cli_options[] = {CT_OPTS(AS_CMD_OPTION)};
const int ct_cli_noptions = sizeof(ct_cli_options) / sizeof(ct_cli_options[0]);

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static const struct opt *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strlen(opts[i].lng) == n && strncmp(opts[i].lng, name, n) == 0)
			return &opts[i];
	return NULL;
}

static const struct opt *find_short(char c)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (opts[i].shrt == c)
			return &opts[i];
	return NULL;
}

static int parse_u32(const char *s, uint32_t *v, unsigned long max)
{
	char *end;
	unsigned long long x;

	if (!*s || *s == '-')
		return -1;
	x = strtoull(s, &end, 0);
	if (*end || x > max)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* Address with optional /CIDR; family is inferred and must agree with c->family. */
static int parse_addr(struct ct_cmd *c, const char *s, struct ct_addr_match *a, bool allow_cidr,
                      struct nfsh_err *e)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint8_t fam;
	uint32_t plen;

	if (strlen(s) >= sizeof(tmp))
		return err_set(e, NFSH_EPARAM, s, "Invalid IP address `%s'", s);
	strcpy(tmp, s);
	slash = allow_cidr ? strchr(tmp, '/') : NULL;
	if (slash)
		*slash++ = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, tmp, a->addr) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, tmp, a->addr) == 1)
		fam = AF_INET6;
	else
		return err_set(e, NFSH_EPARAM, s, "Invalid IP address `%s'", s);
	if (c->family && c->family != fam)
		return err_set(e, NFSH_EPARAM, s, "mismatched address family");
	c->family = fam;
	plen = fam == AF_INET ? 32 : 128;
	if (slash && parse_u32(slash, &plen, fam == AF_INET ? 32 : 128) < 0)
		return err_set(e, NFSH_EPARAM, s, "invalid netmask `%s'", slash);
	a->set = true;
	a->family = fam;
	a->plen = (int)plen;
	for (uint32_t i = 0; i < plen; i++)
		a->mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	return 0;
}

/* A netmask given as an address (--mask-src 255.255.255.0). */
static int parse_mask(struct ct_cmd *c, const char *s, uint8_t out[16], int *plen,
                      struct nfsh_err *e)
{
	uint8_t fam;
	int n;

	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		fam = AF_INET, n = 4;
	else if (inet_pton(AF_INET6, s, out) == 1)
		fam = AF_INET6, n = 16;
	else
		return err_set(e, NFSH_EPARAM, s, "Invalid IP address `%s'", s);
	if (c->family && c->family != fam)
		return err_set(e, NFSH_EPARAM, s, "mismatched address family");
	c->family = fam;
	*plen = 0;
	for (int i = 0; i < n * 8; i++)
		if (out[i / 8] & (0x80 >> (i % 8)))
			(*plen)++;
	return 0;
}

/* --src-nat/--dst-nat [ADDR[:PORT]] or [ADDR6]:PORT. */
static int parse_nat(struct ct_cmd *c, const char *s, struct ct_addr_match *a, int *port,
                     struct nfsh_err *e)
{
	char tmp[INET6_ADDRSTRLEN + 16];
	char *addr = tmp, *colon = NULL;
	uint32_t p;

	*port = -1;
	if (!s)
		return 0;
	if (strlen(s) >= sizeof(tmp))
		return err_set(e, NFSH_EPARAM, s, "Invalid IP address `%s'", s);
	strcpy(tmp, s);
	if (tmp[0] == '[') {
		char *close = strchr(tmp, ']');
		if (!close || close[1] != ':')
			return err_set(e, NFSH_EPARAM, s, "Invalid IP address `%s'", s);
		*close = '\0';
		addr = tmp + 1;
		colon = close + 1;
	} else {
		colon = strchr(tmp, ':');
		if (colon && strchr(colon + 1, ':') && inet_pton(AF_INET6, tmp, a->addr) == 1)
			colon = NULL; /* a bare IPv6 address */
		else if (colon && strchr(colon + 1, ':'))
			return err_set(e, NFSH_EPARAM, s, "Invalid port `%s'", s);
	}
	if (colon) {
		*colon++ = '\0';
		if (parse_u32(colon, &p, 65535) < 0)
			return err_set(e, NFSH_EPARAM, s, "Invalid port `%s'", colon);
		*port = (int)p;
	}
	return parse_addr(c, addr, a, false, e);
}

static int parse_labels(struct ct_cmd *c, const char *s, uint8_t bits[16], struct nfsh_err *e)
{
	char tmp[256];
	char *save = NULL, *tok;

	if (strlen(s) >= sizeof(tmp))
		return err_set(e, NFSH_EPARAM, s, "label list too long");
	strcpy(tmp, s);
	ct_labelmap_load(&c->lm);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int b = ct_labelmap_bit(&c->lm, tok);
		uint32_t w;
		if (b < 0)
			return err_set(e, NFSH_EPARAM, tok, "unknown label `%s'", tok);
		memcpy(&w, bits + (b / 32) * 4, 4);
		w |= 1u << (b % 32);
		memcpy(bits + (b / 32) * 4, &w, 4);
	}
	return 0;
}

static int set_command(struct ct_cmd *c, enum ct_command cmd, const char *word, const char *arg,
                       struct nfsh_err *e)
{
	if (c->command != CT_CMD_NONE)
		return err_set(e, NFSH_EPARAM, word, "Invalid commands combination");
	c->command = cmd;
	if (!arg)
		return 0;
	if (strcmp(arg, "conntrack") == 0)
		c->table = CT_TAB_CONNTRACK;
	else if (strcmp(arg, "expect") == 0 || strcmp(arg, "expectation") == 0)
		c->table = CT_TAB_EXPECT;
	else if (strcmp(arg, "dying") == 0)
		c->table = CT_TAB_DYING;
	else if (strcmp(arg, "unconfirmed") == 0)
		c->table = CT_TAB_UNCONFIRMED;
	else
		return err_set(e, NFSH_EPARAM, arg, "Can't find table `%s'", arg);
	return 0;
}

static int parse_output(struct ct_cmd *c, const char *s, struct nfsh_err *e)
{
	static const struct {
		const char *name;
		unsigned flag;
	} names[] = {{"xml", CT_O_XML},
	             {"extended", CT_O_EXT},
	             {"timestamp", CT_O_TMS},
	             {"id", CT_O_ID},
	             {"ktimestamp", CT_O_KTMS},
	             {"labels", CT_O_LABELS},
	             {"userspace", CT_O_USERSPACE},
	             {"save", CT_O_SAVE},
	             {"json", CT_O_JSON}};
	const char *p = s;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p), i;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (n && strlen(names[i].name) == n &&
			    strncasecmp(p, names[i].name, n) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			err_set(e, NFSH_EPARAM, s, "Bad parameter `%s'", s);
			err_hint(e, "output is one of extended, id, timestamp, ktimestamp, labels, "
			            "save, json, xml");
			return -1;
		}
		c->of |= names[i].flag;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int parse_events(struct ct_cmd *c, const char *s, struct nfsh_err *e)
{
	const char *p = s;

	c->events = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 3 && !strncasecmp(p, "ALL", 3))
			c->events |= CT_EVF_ALL;
		else if (n == 3 && !strncasecmp(p, "NEW", 3))
			c->events |= CT_EVF_NEW;
		else if (n >= 6 && n <= 7 && !strncasecmp(p, "UPDATES", n))
			c->events |= CT_EVF_UPDATE;
		else if (n == 7 && !strncasecmp(p, "DESTROY", 7))
			c->events |= CT_EVF_DESTROY;
		else
			return err_set(e, NFSH_EPARAM, s, "Bad parameter `%s'", s);
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int port_opt(const char *s, uint16_t *port, bool *has, int *filt, struct nfsh_err *e)
{
	uint32_t v;

	if (parse_u32(s, &v, 65535) < 0)
		return err_set(e, NFSH_EPARAM, s, "invalid port `%s'", s);
	*port = (uint16_t)v;
	*has = true;
	*filt = (int)v;
	return 0;
}

static int u8_opt(const char *s, uint8_t *v8, bool *has, int *filt, struct nfsh_err *e)
{
	uint32_t v;

	if (parse_u32(s, &v, 255) < 0)
		return err_set(e, NFSH_EPARAM, s, "invalid value `%s'", s);
	*v8 = (uint8_t)v, *has = true, *filt = (int)v;
	return 0;
}

static int addr_opt(struct ct_cmd *c, const char *s, struct ct_addr_match *fm, uint8_t *tv,
                    bool *has, struct nfsh_err *e)
{
	if (parse_addr(c, s, fm, true, e) < 0)
		return -1;
	memcpy(tv, fm->addr, 16);
	*has = true;
	return 0;
}

static int apply_opt(struct ct_cmd *c, const struct opt *o, const char *word, const char *arg,
                     struct nfsh_err *e)
{
	struct ct_filter *f = &c->f;
	uint32_t v;

	switch (o->id) {
	case O_LIST:
		return set_command(c, CT_CMD_LIST, word, arg, e);
	case O_CREATE:
		return set_command(c, CT_CMD_CREATE, word, arg, e);
	case O_ADD:
		return set_command(c, CT_CMD_ADD, word, arg, e);
	case O_UPDATE:
		return set_command(c, CT_CMD_UPDATE, word, arg, e);
	case O_DELETE:
		return set_command(c, CT_CMD_DELETE, word, arg, e);
	case O_GET:
		return set_command(c, CT_CMD_GET, word, arg, e);
	case O_EVENT:
		return set_command(c, CT_CMD_EVENT, word, arg, e);
	case O_FLUSH:
		return set_command(c, CT_CMD_FLUSH, word, arg, e);
	case O_COUNT:
		return set_command(c, CT_CMD_COUNT, word, arg, e);
	case O_STATS:
		return set_command(c, CT_CMD_STATS, word, arg, e);
	case O_LOAD:
		c->load_file = arg;
		return set_command(c, CT_CMD_LOAD, word, NULL, e);
	case O_HELP:
		return set_command(c, CT_CMD_HELP, word, NULL, e);
	case O_VERSION:
		return set_command(c, CT_CMD_VERSION, word, NULL, e);
	case O_SRC:
		c->orig_src = true;
		return addr_opt(c, arg, &f->orig.src, c->orig.src, &c->orig.has_src, e);
	case O_DST:
		c->orig_dst = true;
		return addr_opt(c, arg, &f->orig.dst, c->orig.dst, &c->orig.has_dst, e);
	case O_RSRC:
		c->reply_src = true;
		return addr_opt(c, arg, &f->reply.src, c->reply.src, &c->reply.has_src, e);
	case O_RDST:
		c->reply_dst = true;
		return addr_opt(c, arg, &f->reply.dst, c->reply.dst, &c->reply.has_dst, e);
	case O_MASKSRC:
		c->mask_src = true;
		return parse_mask(c, arg, c->mask_src_v, &c->mask_src_len, e);
	case O_MASKDST:
		c->mask_dst = true;
		return parse_mask(c, arg, c->mask_dst_v, &c->mask_dst_len, e);
	case O_PROTO: {
		int p = ct_l4_parse(arg);
		if (p < 0)
			return err_set(e, NFSH_EPARAM, arg, "unknown protocol `%s'", arg);
		c->l4 = f->l4 = p;
		return 0;
	}
	case O_TIMEOUT:
		if (parse_u32(arg, &c->timeout, 0xffffffffUL) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid timeout `%s'", arg);
		c->has_timeout = true;
		return 0;
	case O_STATUS:
		if (ct_status_parse(arg, &f->status_on, &f->status_off, e) < 0)
			return -1;
		f->status_set = c->has_status = true;
		c->status = f->status_on;
		return 0;
	case O_EVMASK:
		return parse_events(c, arg, e);
	case O_ZERO:
		return 0;
	case O_MARK: {
		char *end;
		unsigned long long val, mask = 0xffffffffULL;
		if (!*arg || *arg == '-')
			return err_set(e, NFSH_EPARAM, arg, "invalid mark `%s'", arg);
		val = strtoull(arg, &end, 0);
		if (*end == '/')
			mask = strtoull(end + 1, &end, 0);
		if (*end || val > 0xffffffffULL || mask > 0xffffffffULL)
			return err_set(e, NFSH_EPARAM, arg, "invalid mark `%s'", arg);
		c->mark = f->mark = (uint32_t)val;
		c->mark_mask = f->mark_mask = (uint32_t)mask;
		f->mark &= f->mark_mask;
		c->has_mark = f->mark_set = true;
		return 0;
	}
	case O_SECMARK:
		if (parse_u32(arg, &v, 0xffffffffUL) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid secmark `%s'", arg);
		f->secmark = (int)v;
		return 0;
	case O_ID:
		if (parse_u32(arg, &c->id, 0xffffffffUL) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid id `%s'", arg);
		c->has_id = f->id_set = true;
		f->id = c->id;
		return 0;
	case O_FAMILY:
		if (strcmp(arg, "ipv4") == 0)
			v = AF_INET;
		else if (strcmp(arg, "ipv6") == 0)
			v = AF_INET6;
		else
			return err_set(e, NFSH_EPARAM, arg, "`%s' unsupported protocol", arg);
		if (c->family && c->family != v)
			return err_set(e, NFSH_EPARAM, arg, "mismatched address family");
		c->family = (uint8_t)v;
		return 0;
	case O_OUTPUT:
		return parse_output(c, arg, e);
	case O_SNAT:
		f->nat |= CT_NAT_SRC;
		if (parse_nat(c, arg, &c->snat, &c->snat_port, e) < 0)
			return -1;
		f->nat_addr = c->snat, f->nat_port = c->snat_port;
		return 0;
	case O_DNAT:
		f->nat |= CT_NAT_DST;
		if (parse_nat(c, arg, &c->dnat, &c->dnat_port, e) < 0)
			return -1;
		f->nat_addr = c->dnat, f->nat_port = c->dnat_port;
		return 0;
	case O_ANYNAT:
		f->nat |= CT_NAT_ANY;
		return parse_nat(c, arg, &f->nat_addr, &f->nat_port, e);
	case O_ZONE:
		if (parse_u32(arg, &v, 65535) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid zone `%s'", arg);
		c->zone = f->zone = (int)v;
		return 0;
	case O_OZONE:
		if (parse_u32(arg, &v, 65535) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid zone `%s'", arg);
		c->orig.zone = (uint16_t)v, c->orig.has_zone = true, f->orig.zone = (int)v;
		return 0;
	case O_RZONE:
		if (parse_u32(arg, &v, 65535) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid zone `%s'", arg);
		c->reply.zone = (uint16_t)v, c->reply.has_zone = true, f->reply.zone = (int)v;
		return 0;
	case O_LABEL:
		c->set_labels = f->labels_set = true;
		if (parse_labels(c, arg, f->labels, e) < 0)
			return -1;
		memcpy(c->labels, f->labels, 16);
		return 0;
	case O_LADD:
		c->has_label_add = true;
		return parse_labels(c, arg, c->labels_add, e);
	case O_LDEL:
		c->has_label_del = true;
		if (!arg) {
			memset(c->labels_del, 0xff, 16);
			return 0;
		}
		return parse_labels(c, arg, c->labels_del, e);
	case O_BUFSIZE:
		if (parse_u32(arg, &v, 0xffffffffUL) < 0)
			return err_set(e, NFSH_EPARAM, arg, "invalid buffer size `%s'", arg);
		c->bufsize = v;
		return 0;
	case O_SPORT:
		return port_opt(arg, &c->orig.sport, &c->orig.has_sport, &f->orig.sport, e);
	case O_DPORT:
		return port_opt(arg, &c->orig.dport, &c->orig.has_dport, &f->orig.dport, e);
	case O_RSPORT:
		return port_opt(arg, &c->reply.sport, &c->reply.has_sport, &f->reply.sport, e);
	case O_RDPORT:
		return port_opt(arg, &c->reply.dport, &c->reply.has_dport, &f->reply.dport, e);
	case O_STATE: {
		int st = ct_tcp_state_parse(arg);
		if (st < 0)
			return err_set(e, NFSH_EPARAM, arg, "unknown TCP state `%s'", arg);
		c->tcp_state = f->tcp_state = st;
		return 0;
	}
	case O_ITYPE:
		return u8_opt(arg, &c->orig.itype, &c->orig.has_itype, &f->orig.itype, e);
	case O_ICODE:
		return u8_opt(arg, &c->orig.icode, &c->orig.has_icode, &f->orig.icode, e);
	case O_IID: {
		bool has;
		int fl = 0;
		if (port_opt(arg, &c->orig.iid, &has, &fl, e) < 0)
			return -1;
		c->orig.has_iid = true, f->orig.iid = fl;
		return 0;
	}
	case O_TSRC:
		return parse_addr(c, arg, &c->exp_src, true, e);
	case O_TDST:
		return parse_addr(c, arg, &c->exp_dst, true, e);
	case O_MSRC:
		return parse_addr(c, arg, &c->master_src, true, e);
	case O_MDST:
		return parse_addr(c, arg, &c->master_dst, true, e);
	case O_TSPORT: {
		int unused;
		return port_opt(arg, &c->exp_sport, &c->has_exp_sport, &unused, e);
	}
	case O_TDPORT: {
		int unused;
		return port_opt(arg, &c->exp_dport, &c->has_exp_dport, &unused, e);
	}
	case O_MSPORT: {
		int unused;
		return port_opt(arg, &c->exp_mask_sport, &c->has_exp_mask_sport, &unused, e);
	}
	case O_MDPORT: {
		int unused;
		return port_opt(arg, &c->exp_mask_dport, &c->has_exp_mask_dport, &unused, e);
	}
	case O_USERSPACE_FILTER:
		f->no_kernel = true;
		return 0;
	case O_KERNEL_ONLY:
		f->kernel_only = true;
		return 0;
	}
	return 0;
}

/* Optional arguments: the next word when it does not look like an option. */
static const char *opt_arg(const struct opt *o, const char *attached, int argc, char **argv, int *i,
                           struct nfsh_err *e)
{
	if (o->arg == A_NONE)
		return NULL;
	if (attached)
		return attached;
	if (*i + 1 < argc && (o->arg == A_REQ || argv[*i + 1][0] != '-'))
		return argv[++*i];
	if (o->arg == A_REQ) {
		err_set(e, NFSH_EPARAM, argv[*i], "option `%s' requires an argument", argv[*i]);
		return NULL;
	}
	return NULL;
}

static int check_cmd(struct ct_cmd *c, struct nfsh_err *e)
{
	struct ct_filter *f = &c->f;
	int nats = !!(f->nat & CT_NAT_SRC) + !!(f->nat & CT_NAT_DST) + !!(f->nat & CT_NAT_ANY);

	if (c->command == CT_CMD_NONE)
		return err_set(e, NFSH_EPARAM, "", "no command specified");
	if ((f->nat & CT_NAT_ANY) && nats > 1)
		return err_set(e, NFSH_EPARAM, "--any-nat",
		               "Illegal combination of --any-nat with --src-nat/--dst-nat");
	/* for expectations the masks belong to --tuple-src/--tuple-dst (ct_expect.c) */
	if (c->table != CT_TAB_EXPECT &&
	    ((c->mask_src && !c->orig_src) || (c->mask_dst && !c->orig_dst)))
		return err_set(e, NFSH_EPARAM, c->mask_src ? "--mask-src" : "--mask-dst",
		               "--mask-src/--mask-dst need -s/-d");
	/* a netmask applies to -s/-d whichever came first on the line */
	if (c->mask_src) {
		memcpy(f->orig.src.mask, c->mask_src_v, 16);
		f->orig.src.plen = c->mask_src_len;
	}
	if (c->mask_dst) {
		memcpy(f->orig.dst.mask, c->mask_dst_v, 16);
		f->orig.dst.plen = c->mask_dst_len;
	}
	f->family = c->family;
	c->orig.l3 = c->reply.l3 = c->family;
	if (c->l4 >= 0) {
		c->orig.has_l4 = c->reply.has_l4 = true;
		c->orig.l4 = c->reply.l4 = (uint8_t)c->l4;
	}
	if ((c->orig.has_sport || c->orig.has_dport || c->reply.has_sport || c->reply.has_dport ||
	     f->tcp_state >= 0) &&
	    c->l4 < 0)
		return err_set(e, NFSH_EPARAM, "", "protocol-specific options need -p");
	return 0;
}

int ct_cmd_parse(struct ct_cmd *c, int argc, char **argv, struct nfsh_err *e)
{
	memset(c, 0, sizeof(*c));
	ct_filter_init(&c->f);
	c->l4 = -1;
	c->tcp_state = -1;
	c->zone = -1;
	c->snat_port = c->dnat_port = -1;
	c->events = CT_EVF_ALL;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *attached = NULL, *arg;
		const struct opt *o = NULL;

		if (w[0] == '-' && w[1] == '-' && w[2]) {
			const char *eq = strchr(w + 2, '=');
			size_t n = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
			o = find_long(w + 2, n);
			attached = eq ? eq + 1 : NULL;
		} else if (w[0] == '-' && w[1]) {
			o = find_short(w[1]);
			attached = w[2] ? w + 2 : NULL;
		} else {
			continue; /* stray word: conntrack ignores it */
		}
		if (!o) {
			err_set(e, NFSH_EPARAM, w, "unknown option `%s'", w);
			return -1;
		}
		if (o->arg == A_NONE && attached)
			return err_set(e, NFSH_EPARAM, w, "option `%s' takes no argument", w);
		err_clear(e);
		arg = opt_arg(o, attached, argc, argv, &i, e);
		if (e->status)
			return -1;
		if (apply_opt(c, o, w, arg, e) < 0) {
			e->argi = i;
			return -1;
		}
	}
	return check_cmd(c, e);
}

void ct_cmd_free(struct ct_cmd *c)
{
	ct_labelmap_free(&c->lm);
}

void ct_usage(FILE *f)
{
	fputs("Command line interface for the connection tracking system (nfsh)\n"
	      "Usage: conntrack [commands] [options]\n",
	      f);
	for (size_t i = 0; i < sizeof(ct_cli_options) / sizeof(ct_cli_options[0]); i++) {
		const struct cmd_option *o = &ct_cli_options[i];
		char head[64];

		if (i == 0 || strcmp(o->longname, "orig-src") == 0)
			fputs(i == 0 ? "\nCommands:\n" : "\nOptions:\n", f);
		if (o->shortname)
			snprintf(head, sizeof(head), "-%c, --%s", o->shortname, o->longname);
		else
			snprintf(head, sizeof(head), "    --%s", o->longname);
		fprintf(f, "  %-22s %-12s %s\n", head, o->metavar ? o->metavar : "", o->help);
	}
}

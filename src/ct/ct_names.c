/* Symbol tables: one per enum, driving both parsing and printing. */
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "ct/ct_int.h"

struct sym {
	const char *name;
	unsigned val;
};

static const struct sym l4_names[] = {
    {"tcp", IPPROTO_TCP},   {"udp", IPPROTO_UDP},       {"udplite", IPPROTO_UDPLITE},
    {"icmp", IPPROTO_ICMP}, {"icmpv6", IPPROTO_ICMPV6}, {"sctp", IPPROTO_SCTP},
    {"gre", IPPROTO_GRE},   {"dccp", IPPROTO_DCCP},
};

/* Index is the kernel's TCP_CONNTRACK_* value; 9 is LISTEN on input, SYN_SENT2 on output. */
static const char *const tcp_states[] = {
    "NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
    "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2",
};

static const char *const sctp_states[] = {
    "NONE",          "CLOSED",        "COOKIE_WAIT",       "COOKIE_ECHOED",  "ESTABLISHED",
    "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT", "HEARTBEAT_SENT", "HEARTBEAT_ACKED",
};

static const char *const dccp_states[] = {
    "NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING", "TIMEWAIT",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *ct_l3_name(uint8_t l3)
{
	switch (l3) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	default:
		return "unknown";
	}
}

const char *ct_l4_name(uint8_t l4)
{
	for (size_t i = 0; i < N(l4_names); i++)
		if (l4_names[i].val == l4)
			return l4_names[i].name;
	return "unknown";
}

/* Names conntrack knows, then /etc/protocols, then a number 0..255, as conntrack. */
int ct_l4_parse(const char *s)
{
	struct protoent pe, *res = NULL;
	char buf[1024];
	char *end;
	unsigned long v;

	for (size_t i = 0; i < N(l4_names); i++)
		if (strcasecmp(l4_names[i].name, s) == 0)
			return (int)l4_names[i].val;
	if (getprotobyname_r(s, &pe, buf, sizeof(buf), &res) == 0 && res)
		return res->p_proto;
	if (*s == '-' || *s == '\0')
		return -1;
	v = strtoul(s, &end, 0);
	if (*end != '\0' || v > 255)
		return -1;
	return (int)v;
}

const char *ct_tcp_state_name(uint8_t st)
{
	return st < N(tcp_states) ? tcp_states[st] : tcp_states[0];
}

int ct_tcp_state_parse(const char *s)
{
	if (strcasecmp(s, "LISTEN") == 0)
		return 9;
	if (strcasecmp(s, "TIME_WAIT") == 0 || strcasecmp(s, "TIME-WAIT") == 0)
		return 7;
	for (size_t i = 0; i < N(tcp_states); i++)
		if (strcasecmp(tcp_states[i], s) == 0)
			return (int)i;
	return -1;
}

const char *ct_sctp_state_name(uint8_t st)
{
	return st < N(sctp_states) ? sctp_states[st] : sctp_states[0];
}

const char *ct_dccp_state_name(uint8_t st)
{
	return st < N(dccp_states) ? dccp_states[st] : dccp_states[0];
}

static const struct sym status_names[] = {
    {"ASSURED", 1 << 2},        {"SEEN_REPLY", 1 << 1}, {"UNSET", 0},
    {"FIXED_TIMEOUT", 1 << 10}, {"EXPECTED", 1 << 0},   {"OFFLOAD", 1 << 14},
    {"HW_OFFLOAD", 1 << 15},
};

/* "SEEN_REPLY,!ASSURED,UNREPLIED": set bits and bits that must be clear. */
int ct_status_parse(const char *list, uint32_t *set, uint32_t *unset, struct nfsh_err *e)
{
	const char *p = list;

	*set = *unset = 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		bool neg = n > 0 && *p == '!';
		size_t i;

		if (neg)
			p++, n--;
		if (n == 0)
			return err_set(e, NFSH_EPARAM, list, "Bad parameter `%s'", list);
		if (!neg && n == 9 && strncasecmp(p, "UNREPLIED", 9) == 0) {
			*unset |= 1 << 1;
		} else {
			for (i = 0; i < N(status_names); i++)
				if (strlen(status_names[i].name) == n &&
				    strncasecmp(p, status_names[i].name, n) == 0)
					break;
			if (i == N(status_names)) {
				err_set(e, NFSH_EPARAM, list, "Bad parameter `%s'", list);
				err_hint(e,
				         "status is one of ASSURED, SEEN_REPLY, UNSET, "
				         "FIXED_TIMEOUT, EXPECTED, OFFLOAD, HW_OFFLOAD, UNREPLIED");
				return -1;
			}
			*(neg ? unset : set) |= status_names[i].val;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* The reply type of an ICMP request, as the kernel's invert tables. */
uint8_t ct_icmp_reply_type(uint8_t l4, uint8_t type)
{
	if (l4 == IPPROTO_ICMP) {
		static const uint8_t inv[] = {[8] = 1,   [0] = 9,   [13] = 15, [14] = 14,
		                              [15] = 17, [16] = 16, [17] = 19, [18] = 18};
		/* stored +1 so that 0 means "no inverse" */
		if (type < sizeof(inv) && inv[type])
			return inv[type] - 1;
		return type;
	}
	if (l4 == IPPROTO_ICMPV6) {
		if (type == 128)
			return 129;
		if (type == 129)
			return 128;
		if (type == 139)
			return 140;
		if (type == 140)
			return 139;
	}
	return type;
}

/* Internals shared by the src/ct/ files: parsed messages, tuples, filters, sockets. */
#ifndef NFSH_CT_INT_H
#define NFSH_CT_INT_H

#include <arpa/inet.h>
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "util/err.h"

/* Not in the installed uapi headers, present on the running kernel. */
#ifndef CTA_TIMESTAMP_EVENT
#define CTA_TIMESTAMP_EVENT 27
#endif
#define CT_TB_MAX (CTA_TIMESTAMP_EVENT > CTA_MAX ? CTA_TIMESTAMP_EVENT : CTA_MAX)

/* Receive buffer: the kernel fills at most ~32 KiB per recv; give it room. */
#define CT_RCVBUF (64 * 1024)
/* Requests we build are small: a tuple or two and a filter. */
#define CT_REQBUF 8192

/* One tuple nest, validated and stored: tb[] pointers into the message. */
struct ct_tuple_tb {
	const struct nlattr *t[CTA_TUPLE_MAX + 1];
	const struct nlattr *ip[CTA_IP_MAX + 1];
	const struct nlattr *proto[CTA_PROTO_MAX + 1];
};

/* A ctnetlink conntrack message, parsed without copying: every nest has its tb[]. */
struct ct_msg {
	uint8_t family;
	uint8_t msgtype; /* IPCTNL_MSG_CT_NEW / _DELETE */
	uint16_t nlflags;
	uint32_t portid; /* nlmsg_pid: non-zero when a netlink request caused the event */
	const struct nlattr *tb[CT_TB_MAX + 1];
	struct ct_tuple_tb orig, reply, master;
	const struct nlattr *protoinfo[CTA_PROTOINFO_MAX + 1];
	const struct nlattr *tcp[CTA_PROTOINFO_TCP_MAX + 1];
	const struct nlattr *sctp[CTA_PROTOINFO_SCTP_MAX + 1];
	const struct nlattr *dccp[CTA_PROTOINFO_DCCP_MAX + 1];
	const struct nlattr *cnt[2][CTA_COUNTERS_MAX + 1];
	const struct nlattr *ts[CTA_TIMESTAMP_MAX + 1];
	const struct nlattr *help[CTA_HELP_MAX + 1];
	const struct nlattr *secctx[CTA_SECCTX_MAX + 1];
};

/* A tuple in host order, decoded from a ct_tuple_tb (or built from the command line). */
struct ct_tuple {
	uint8_t l3; /* AF_INET / AF_INET6, 0 unknown */
	uint8_t l4; /* IPPROTO_* */
	bool has_l4;
	uint8_t src[16], dst[16];
	bool has_src, has_dst;
	uint16_t sport, dport; /* host order */
	bool has_sport, has_dport;
	uint8_t itype, icode;
	uint16_t iid;
	bool has_itype, has_icode, has_iid;
	uint16_t zone;
	bool has_zone;
};

/* ct_attr.c: parse and read. */
int ct_msg_parse(const struct nlmsghdr *nlh, struct ct_msg *m);
/* The validate-and-store steps, for other message kinds (expectations): top-level
 * attributes, one nest, one tuple nest. tb[] must be zeroed by the caller; types[]
 * is indexed by attribute type (MNL_TYPE_UNSPEC: stored unchecked). */
int ct_parse_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb, int max,
                   const enum mnl_attr_data_type *types);
int ct_parse_nest(const struct nlattr *nest, const struct nlattr **tb, int max,
                  const enum mnl_attr_data_type *types, const uint16_t *lens);
int ct_parse_tuple(const struct nlattr *nest, struct ct_tuple_tb *t);
void ct_tuple_get(const struct ct_tuple_tb *tb, uint8_t family, struct ct_tuple *t);
/* Readers of validated attributes, host order out (big-endian on the wire);
 * inline, since every printer and filter calls them per entry. */

static inline bool ct_get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a)
		return false;
	*v = *(const uint8_t *)((const char *)(a) + MNL_ATTR_HDRLEN);
	return true;
}

static inline bool ct_get_u16(const struct nlattr *a, uint16_t *v)
{
	uint16_t x;

	if (!a)
		return false;
	memcpy(&x, ((const char *)(a) + MNL_ATTR_HDRLEN), 2);
	*v = ntohs(x);
	return true;
}

static inline bool ct_get_u32(const struct nlattr *a, uint32_t *v)
{
	uint32_t x;

	if (!a)
		return false;
	memcpy(&x, ((const char *)(a) + MNL_ATTR_HDRLEN), 4);
	*v = ntohl(x);
	return true;
}

static inline bool ct_get_u64(const struct nlattr *a, uint64_t *v)
{
	uint64_t x;

	if (!a)
		return false;
	memcpy(&x, ((const char *)(a) + MNL_ATTR_HDRLEN), 8);
	*v = be64toh(x);
	return true;
}

uint8_t ct_msg_l4(const struct ct_msg *m);
bool ct_msg_tcp_state(const struct ct_msg *m, uint8_t *state);
/* Labels: raw host-order bitmap, up to 128 bits. Returns the number of bytes. */
size_t ct_msg_labels(const struct ct_msg *m, uint8_t out[16]);

/* ct_names.c: the one symbol table per enum. */
const char *ct_l3_name(uint8_t l3);
const char *ct_l4_name(uint8_t l4); /* "unknown" for the rest, as conntrack */
int ct_l4_parse(const char *s);     /* -1 when unknown */
const char *ct_tcp_state_name(uint8_t st);
int ct_tcp_state_parse(const char *s); /* -1 when unknown */
const char *ct_sctp_state_name(uint8_t st);
const char *ct_dccp_state_name(uint8_t st);
int ct_status_parse(const char *list, uint32_t *set, uint32_t *unset, struct nfsh_err *e);
uint8_t ct_icmp_reply_type(uint8_t l4, uint8_t type);

/* Output formats (-o), flags combine. */
enum {
	CT_O_EXT = 1 << 0,
	CT_O_ID = 1 << 1,
	CT_O_TMS = 1 << 2,
	CT_O_KTMS = 1 << 3,
	CT_O_LABELS = 1 << 4,
	CT_O_SAVE = 1 << 5,
	CT_O_JSON = 1 << 6,
	CT_O_XML = 1 << 7,
	CT_O_USERSPACE = 1 << 8,
};

/* Connlabel names (connlabel.conf), loaded once per command. */
struct ct_labelmap {
	char *name[128];
	bool loaded;
};
void ct_labelmap_load(struct ct_labelmap *lm);
void ct_labelmap_free(struct ct_labelmap *lm);
int ct_labelmap_bit(const struct ct_labelmap *lm, const char *name); /* -1 unknown */

/* ct_print.c: one line of text (no newline) into a bounded buffer. */
#define CT_LINE_MAX 2048
struct ct_line {
	char buf[CT_LINE_MAX];
	size_t len;
	bool trunc;
};
enum ct_evtype { CT_EV_NONE = 0, CT_EV_NEW, CT_EV_UPDATE, CT_EV_DESTROY, CT_EV_RESYNC };
enum ct_evtype ct_msg_evtype(const struct ct_msg *m);
void ct_line_reset(struct ct_line *l);
/* Inline: called a dozen times per entry, mostly with literals. */
static inline void ct_line_addn(struct ct_line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 1 - l->len; /* len < sizeof(buf) always */

	/* n only ever shrinks here: gcc -O2 sees that a copy never reads past s. */
	if (n > room) {
		l->trunc = true;
		n = room;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}
static inline void ct_line_add(struct ct_line *l, const char *s)
{
	ct_line_addn(l, s, strlen(s));
}
void ct_line_u64(struct ct_line *l, uint64_t v);
void ct_format_default(struct ct_line *l, const struct ct_msg *m, unsigned oflags,
                       enum ct_evtype ev, const struct ct_labelmap *lm);
void ct_format_save(struct ct_line *l, const struct ct_msg *m, enum ct_evtype ev);
/* How a tuple's layer 4 part is printed: what the protocol's tuple holds. */
enum ct_l4_kind { CT_L4_NONE, CT_L4_PORTS, CT_L4_GRE_KEYS, CT_L4_ICMP };
enum ct_l4_kind ct_l4_kind(uint8_t l4);
void ct_format_addr(struct ct_line *l, uint8_t family, const uint8_t *a);

/* ct_json.c: one JSON object per entry, schemas/conntrack-entry.schema.json. */
int ct_format_json(struct ct_line *l, const struct ct_msg *m, enum ct_evtype ev,
                   const struct ct_labelmap *lm);

/* ct_xml.c: -o xml, one <flow> as libnetfilter_conntrack prints it. */
void ct_format_xml(struct ct_line *l, const struct ct_msg *m, unsigned oflags, enum ct_evtype ev);
void ct_format_xml_when(struct ct_line *l); /* <when>: now, local time */

/* ct_filter.c */
struct ct_addr_match {
	bool set;
	uint8_t family;
	uint8_t addr[16], mask[16];
	int plen;
};
struct ct_dir_filter {
	struct ct_addr_match src, dst;
	int sport, dport; /* -1 unset */
	int itype, icode, iid;
	int zone;
};
enum { CT_NAT_SRC = 1, CT_NAT_DST = 2, CT_NAT_ANY = 4 };
struct ct_filter {
	uint8_t family; /* 0: any */
	int l4;         /* -1: any */
	struct ct_dir_filter orig, reply;
	bool mark_set;
	uint32_t mark, mark_mask;
	bool status_set;
	uint32_t status_on, status_off;
	int zone;      /* -1 */
	int tcp_state; /* -1 */
	int secmark;   /* -1 */
	unsigned nat;  /* CT_NAT_* */
	struct ct_addr_match nat_addr;
	int nat_port;
	bool labels_set;
	uint8_t labels[16];
	bool id_set;
	uint32_t id;
	bool no_kernel;   /* testing: filter everything in user space */
	bool kernel_only; /* testing: trust the kernel for what it filters */
};
void ct_filter_init(struct ct_filter *f);
bool ct_filter_match(const struct ct_filter *f, const struct ct_msg *m);
/* Append what the kernel can filter exactly to a dump/flush request and report
 * whether the kernel part covers the whole filter (then a flush is exact). */
bool ct_filter_put_kernel(struct nlmsghdr *nlh, const struct ct_filter *f);
bool ct_filter_kernel_exact(const struct ct_filter *f);
void ct_filter_kernel_strip(struct ct_filter *f); /* drop what the kernel filtered */
bool ct_filter_empty(const struct ct_filter *f);

/* ct_nl.c */
struct ct_sock {
	struct mnl_socket *nl;
	unsigned portid;
	uint32_t seq;
	char *buf; /* CT_RCVBUF bytes */
};
int ct_sock_open(struct ct_sock *s, unsigned groups);
void ct_sock_close(struct ct_sock *s);
struct nlmsghdr *ct_req_start(char *buf, uint16_t subsys_type, uint16_t flags, uint8_t family,
                              uint8_t version, uint32_t seq);
/* Send nlh, run cb on every reply message until done/ACK. Returns 0 or -errno. */
int ct_sock_run(struct ct_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
void ct_put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct ct_tuple *t);
void ct_put_tuple_tb(struct nlmsghdr *nlh, uint16_t type, const struct ct_tuple_tb *tb);

/* ct_out.c: a buffered sink for entries in the chosen format. */
struct ct_out {
	FILE *f;
	unsigned of;
	const struct ct_labelmap *lm;
	char *buf;
	size_t len, cap;
	uint64_t n;
	bool xml_open; /* -o xml: the <conntrack> document was opened */
	bool xml_bare; /* -o xml: <flow> lines only, no document (-D, -U, as conntrack) */
	struct ct_line line;
};
int ct_out_init(struct ct_out *o, FILE *f, unsigned of, const struct ct_labelmap *lm);
void ct_out_emit(struct ct_out *o, const struct ct_msg *m, enum ct_evtype ev);
/* The same with text appended to a text line (conntrack -E's " [USERSPACE] ..."). */
void ct_out_emit_sfx(struct ct_out *o, const struct ct_msg *m, enum ct_evtype ev, const char *sfx);
void ct_out_text(struct ct_out *o, const char *s, size_t n);
void ct_out_flush(struct ct_out *o);
void ct_out_free(struct ct_out *o);

#endif

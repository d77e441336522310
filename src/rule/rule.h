/* The rule model: what every face produces and every printer consumes.
 * Also the fixed facts of iptables' world: families, tables, built-in chains,
 * their hooks and priorities, and how nfsh names its own nftables tables. */
#ifndef NFSH_RULE_H
#define NFSH_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFSH_CHAIN_MAX   28 /* under iptables' XT_EXTENSION_MAXNAMELEN (29), with its NUL */
#define NFSH_IFNAME_MAX  16 /* IFNAMSIZ, including the NUL */
#define NFSH_MAX_MATCHES 32
#define NFSH_COMMENT_MAX 256

enum nfsh_family {
	NFSH_IPV4 = 1,
	NFSH_IPV6 = 2,
};
#define NFSH_F_IPV4 (1u << NFSH_IPV4)
#define NFSH_F_IPV6 (1u << NFSH_IPV6)
#define NFSH_F_ANY  (NFSH_F_IPV4 | NFSH_F_IPV6)

/* nftables family keyword ("ip", "ip6"). */
const char *family_nft_name(int family);

enum nfsh_table { TBL_FILTER, TBL_NAT, TBL_MANGLE, TBL_RAW, TBL_SECURITY, TBL_COUNT };
#define TBL_BIT(t) (1u << (t))

enum nfsh_hook {
	HOOK_PREROUTING,
	HOOK_INPUT,
	HOOK_FORWARD,
	HOOK_OUTPUT,
	HOOK_POSTROUTING,
	HOOK_COUNT
};
#define HOOK_BIT(h) (1u << (h))
#define HOOK_ALL    ((1u << HOOK_COUNT) - 1)

struct builtin_chain {
	const char *name; /* iptables name: INPUT, ... */
	int hook;         /* enum nfsh_hook */
	const char *type; /* nft chain type: filter, nat, route */
	int prio;
};

struct table_desc {
	const char *name;    /* iptables name: filter, nat, ... */
	const char *nftname; /* nfsh's nftables table: nfsh-filter, ... */
	const struct builtin_chain *chains;
	int nchains;
};

const struct table_desc *table_by_id(int id);
int table_lookup(const char *name); /* enum nfsh_table or -1 */
const struct builtin_chain *table_builtin(int table, const char *chain);
const char *hook_nft_name(int hook);

/* A source or destination address match. */
struct addr_match {
	bool set;
	bool invert;
	int family;       /* NFSH_IPV4 or NFSH_IPV6 */
	uint8_t addr[16]; /* network byte order, already masked */
	uint8_t mask[16];
	int prefix; /* prefix length, or -1 when the mask is not contiguous */
};

struct iface_match {
	bool set;
	bool invert;
	char name[NFSH_IFNAME_MAX + 1]; /* as typed, "eth+" for a wildcard */
};

struct ext;
/* One loaded match or target: its extension and that extension's private data. */
struct ext_inst {
	const struct ext *ext;
	void *priv;
};

enum target_kind {
	TGT_NONE, /* no -j: the rule only counts */
	TGT_ACCEPT,
	TGT_DROP,
	TGT_RETURN,
	TGT_JUMP, /* -j USERCHAIN */
	TGT_GOTO, /* -g USERCHAIN */
	TGT_EXT,  /* an extension target: LOG, REJECT, ... */
};

struct rule {
	int family;
	int table;
	char chain[NFSH_CHAIN_MAX + 1];

	struct addr_match src, dst;
	struct iface_match in, out;
	bool proto_set, proto_invert;
	int proto; /* IP protocol number; 0 with proto_set means "all" */
	bool frag_set, frag_invert;

	struct ext_inst matches[NFSH_MAX_MATCHES];
	int nmatches;

	int target_kind;
	char jump[NFSH_CHAIN_MAX + 1];
	struct ext_inst target;

	bool counters_set; /* -c given, or read back from the kernel */
	uint64_t packets, bytes;
	uint64_t handle; /* read back: the nftables rule handle; 0 otherwise */
};

void rule_init(struct rule *r, int family, int table, const char *chain);
/* Free extension private data; the struct itself is the caller's. */
void rule_release(struct rule *r);
/* Deep copy (private data duplicated). Returns 0, or -1 on allocation failure. */
int rule_copy(struct rule *dst, const struct rule *src);

/* Protocols: name <-> number as /etc/protocols, without reading it (bounded, fixed). */
int proto_lookup(const char *name); /* number, or -1 */
const char *proto_name(int num);    /* NULL for a number without a name */

/* Addresses: text forms as iptables prints them. */
int addr_parse(const char *text, int family, struct addr_match *m); /* 0 or -1 */
void addr_format(const struct addr_match *m, char *buf, size_t len, bool with_mask_always);
/* Plain address (no mask) text. */
void addr_ntop(int family, const uint8_t *addr, char *buf, size_t len);

#endif

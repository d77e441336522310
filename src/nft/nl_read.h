/* A listing of one nfsh table read straight from the kernel over libmnl and
 * libnftnl, in the JSON shape libnftables' "list table" gives, for the
 * expressions nfsh itself writes. libnftables 1.0.6 spends seconds on a
 * 50k-rule table (its cache, delinearisation, JSON text that we parse again);
 * this reader does the same in a fraction of that. Anything it does not know
 * exactly makes it give up, and the caller lists through libnftables. */
#ifndef NFSH_NFT_NL_READ_H
#define NFSH_NFT_NL_READ_H

#include "util/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nlr_result {
	NLR_OK,          /* *out holds the listing */
	NLR_UNSUPPORTED, /* some object is not one this reader knows exactly */
	NLR_ERROR,       /* e is set */
};

/* A table read as nlr_list_table does (below), streamed: emit gets each object (borrowed) in
 * listing order; a negative return stops the listing (NLR_ERROR). Objects given before an
 * NLR_UNSUPPORTED are to be discarded by the caller. */
typedef int (*nlr_emit)(json_t *obj, void *ctx);
/* Called once the chains and sets are given, before any rule of a whole
 * table: it may reorder names (the n chain names, kernel order) in place,
 * and the rules then come chain by chain in that order (save prints them as
 * they come). A negative return stops the listing (NLR_ERROR). */
typedef int (*nlr_order)(char **names, size_t n, void *ctx);
/* A chain given without JSON: its name, whether it is a base chain, and
 * then its policy ("accept" or "drop"). A negative return stops the
 * listing. */
typedef int (*nlr_chain_fn)(const char *name, bool base, const char *policy, void *ctx);

/* The chains of every table of a family, from one chain dump: the kernel
 * does not filter its chain dump by table, so reading three tables dumped
 * every chain three times (15k chains: a tenth of a 50k-rule save). */
struct nlr_chains;
struct nlr_chains *nlr_chains_dump(int family, struct nfsh_err *e);
void nlr_chains_free(struct nlr_chains *cs);

/* A rule in the shapes most nfsh rules have (interfaces, addresses, the
 * protocol, ports, the counter, a verdict, jump, DNAT/SNAT to one address,
 * MASQUERADE), read without building its JSON: the same statements, in the
 * same order, as the JSON listing would give (the protocol dependency left
 * out as there). Everything else is given as JSON. */
enum nlr_fkind {
	NLF_IFACE,   /* text: the name as listed ("eth0", "eth*"); out: oifname */
	NLF_ADDR,    /* text: the address; plen: its prefix, -1 for all of it; out: daddr */
	NLF_PROTO,   /* text: the protocol's name; meta: "meta l4proto", else "ip protocol" */
	NLF_PORT,    /* l4: 6 or 17; port to port_hi; out: dport */
	NLF_COUNTER, /* packets, bytes */
	NLF_VERDICT, /* verdict: NF_ACCEPT, NF_DROP, NFT_RETURN, NFT_JUMP, NFT_GOTO; chain */
	NLF_NAT,     /* out: dnat, else snat; text: the address; port, -1 for none */
	NLF_MASQ,    /* masquerade, nothing more */
};
struct nlr_fstmt {
	enum nlr_fkind kind;
	bool neq; /* op "!=" (else "==") */
	bool out;
	bool meta;
	int l4, plen, port, port_hi;
	char text[48];
	uint64_t packets, bytes;
	int verdict;
	const char *chain; /* borrowed from the dumped rule */
};
#define NLR_FAST_MAX 16
struct nlr_fast {
	int family;
	const char *chain, *comment; /* borrowed; comment NULL when none */
	uint64_t handle;
	int n;
	struct nlr_fstmt s[NLR_FAST_MAX];
};
/* 1: the rule was taken; 0: give it as JSON (through emit) instead; -1:
 * stop the listing (NLR_ERROR). */
typedef int (*nlr_fast_fn)(const struct nlr_fast *r, void *ctx);

struct nlr_req {
	int family; /* NFSH_IPV4 / NFSH_IPV6 */
	const char *table;
	const char *chain; /* one chain's rules only, or NULL */
	bool partial;
	nlr_emit emit;
	nlr_order order;       /* NULL: the kernel's chain order */
	nlr_fast_fn fast;      /* NULL: every rule as JSON */
	nlr_chain_fn chain_fn; /* NULL: every chain as JSON */
	void *ctx;
	const struct nlr_chains *chains; /* the family's chains dumped already, or NULL */
};
enum nlr_result nlr_read_table(const struct nlr_req *q, bool *missing, struct nfsh_err *e);

/* The chains, the shared sets ("nfsh-p-*", with their elements) and the rules
 * of table `table` (nft name) of family NFSH_IPV4/NFSH_IPV6, as a JSON array
 * of {"chain": ...}, {"set": ...} and {"rule": ...} objects; with chain, the
 * rules of that chain only. A missing table gives an empty array and
 * *missing = true. With partial (for checking this reader), rules it does not
 * read are left out instead of making the whole listing NLR_UNSUPPORTED. */
enum nlr_result nlr_list_table(int family, const char *table, const char *chain, bool partial,
                               json_t **out, bool *missing, struct nfsh_err *e);

#endif

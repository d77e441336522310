/* What nl_read.c (the table's dumps) and nl_read_sets.c (its sets and their
 * elements) share; not for other files. */
#ifndef NFSH_NFT_NL_READ_DUMP_H
#define NFSH_NFT_NL_READ_DUMP_H

#include "nft/nl_read_int.h"

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

struct anon_elems;

/* One listing in progress. */
struct dump {
	int family;
	const char *table;
	nlr_emit emit;         /* each object, in listing order */
	nlr_order order;       /* the order of the chains' rules, or NULL */
	nlr_fast_fn fast;      /* rules of the common shapes, or NULL */
	nlr_chain_fn chain_fn; /* chains without JSON, or NULL */
	void *ctx;
	/* Names of the table's chains, in the kernel's order (until order). */
	char **names;
	size_t nnames, names_cap;
	struct leaf_cache cache;
	json_t *sets;                    /* names of shared sets seen */
	json_t *anon_types;              /* anonymous set name -> [key type, key len, flags] */
	json_t *anon;                    /* anonymous set name -> {"set": [...]} */
	struct anon_elems *raw;          /* the anonymous set being dumped */
	json_t *elems;                   /* the set whose elements are being dumped */
	const char *chain;               /* rules of this chain only, or NULL */
	const struct nlr_chains *cached; /* the family's chains, dumped already */
	struct nlr_chains *all;          /* where keep_chain puts every chain */
	bool partial;                    /* skip the rules not read, keep the others */
	bool unsupported, nomem, stopped;
	int (*parse)(const struct nlmsghdr *nlh, struct dump *d);
};

/* Hand one object (stolen) to the caller; -1 when o is NULL. */
int nlr_dump_emit(struct dump *d, json_t *o);
/* Send one request and run every answer through d->parse. 0, or -errno. */
int nlr_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, struct dump *d);
/* A request header of type for family in buf, with the next sequence number. */
struct nlmsghdr *nlr_hdr(char *buf, uint16_t type, int family, uint16_t flags, uint32_t *seq);

/* The table's shared sets, emitted each with its elements (rules refer to
 * them), and its anonymous sets' elements into d->anon (nl_read_sets.c). */
int nlr_read_sets(struct mnl_socket *nl, struct dump *d, uint32_t *seq);

#endif

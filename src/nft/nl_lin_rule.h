/* A rule of the model straight as the libnftnl rule nl_lin.c makes of its
 * JSON, for restores: the common shapes skip jansson both ways (xlate's
 * statements, nl_lin's reading of them). Anything else is left to the JSON
 * path, never built differently. */
#ifndef NFSH_NFT_NL_LIN_RULE_H
#define NFSH_NFT_NL_LIN_RULE_H

#include <stddef.h>

struct nftnl_rule;
struct rule;

/* r as the libnftnl rule nll_rule(xlate_rule(r)) gives — family, table,
 * chain and expressions, no comment — built straight from the model, and
 * comment as xlate_rule_exprs writes it ("" for none). 0: *out set (caller
 * frees with nftnl_rule_free). 1: r has something this file does not build
 * (the caller goes through JSON; *out NULL). -1: out of memory. */
int nll_rule_fast(const struct rule *r, struct nftnl_rule **out, char *comment, size_t commentlen);

#endif

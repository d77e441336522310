/* Shared by MARK.c and CONNMARK.c (and their read-back): a 32-bit mark update
 * of iptables' form new = (old & ~mask) ^ value, as a native mangle statement
 * ("meta mark set ...", "ct mark set ..."), and the reverse: any and/or/xor
 * chain over one mark key folded back into (value, mask). Not an extension. */
#ifndef NFSH_EXT_MARKOPS_H
#define NFSH_EXT_MARKOPS_H

#include "ext/ext.h"

#include <stdint.h>

enum mark_key {
	MK_META, /* meta mark (the packet mark) */
	MK_CT,   /* ct mark (the connection mark) */
};

/* A fresh {"meta": {"key": "mark"}} or {"ct": {"key": "mark"}}. */
json_t *markop_key(enum mark_key k);
/* The form iptables-translate writes new = (old & ~mask) ^ value in: 0x40,
 * mark and M, mark or V, mark xor V, mark and M xor V. markop_value's, and
 * src/nft/nl_lin_rule.c's, which builds the netlink of the same forms. */
enum markop_form { MF_VALUE, MF_AND, MF_OR, MF_XOR, MF_AND_XOR };
enum markop_form markop_form(uint32_t value, uint32_t mask);
/* The value expression for new = (old & ~mask) ^ value, in markop_form's
 * form. */
json_t *markop_value(enum mark_key k, uint32_t value, uint32_t mask);
/* {"mangle": {"key": KEY(dst), "value": v}} (steals v). */
json_t *markop_set(enum mark_key dst, json_t *v);

/* Is stmt a mangle of dst's mark? Then *value gets the value expression. */
bool markop_is_set(json_t *stmt, enum mark_key dst, json_t **value);
/* Fold a value expression made of src's mark and &, |, ^ with constants into
 * new = (src & *keep) ^ *x. A bare constant gives keep 0. false when the
 * expression uses anything else. */
bool markop_fold(json_t *v, enum mark_key src, uint32_t *keep, uint32_t *x);
/* Does v use src's mark anywhere? */
bool markop_uses(json_t *v, enum mark_key src);

/* 0..0xffffffff with an optional /MASK; mask defaults to def_mask. */
int markop_parse(const char *arg, bool allow_mask, uint32_t def_mask, uint32_t *value,
                 uint32_t *mask, const char *what, struct nfsh_err *e);

#endif

/* Shared by the dscp match and the DSCP target: DiffServ class names. */
#ifndef NFSH_EXT_DSCP_H
#define NFSH_EXT_DSCP_H

#include "ext/ext.h"

/* CS0-CS7, BE, AF11-AF43, EF, and nft's listing names VA, LEPHB. */
extern const struct sym dscp_classes[];

/* A listed DSCP value: a number 0-0x3f or a class name nft prints ("ef"). */
bool dscp_read_value(json_t *v, unsigned *out);
/* A listed ECN value: a number 0-3 or nft's name (not-ect, ect1, ect0, ce). */
bool ecn_read_value(json_t *v, unsigned *out);

/* The TOS byte (IPv6 traffic class) as -m tos and -j TOS take it: VALUE[/MASK]
 * with both 0-0xff, the mask 0xff by default, or one of the RFC 1349 names
 * (Minimize-Delay, ...), which stand for NAME/0x3f as in iptables. */
int tos_parse_value(const char *arg, unsigned *value, unsigned *mask, const char *what,
                    struct nfsh_err *e);

/* The TOS byte is DSCP (bits 7-2) and ECN (bits 1-0); nft names both fields
 * and lists a byte test or write that covers them whole as those fields. */
#define TOS_DSCP_BITS 0xfcu
#define TOS_ECN_BITS  0x03u

/* Read-back: does the form tag say this rule has a -m tos that is not read
 * yet? Then its "ip dscp"/"ip ecn" statements are tos's, not -m dscp's or
 * -m ecn's. XXX: with -m dscp written before such a -m tos, the dscp test is
 * read as part of the tos one (the same packets match). */
bool tos_match_pending(const struct read_ctx *r);

#endif

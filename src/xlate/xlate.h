/* The two walks that ask the extension registry:
 *   rule model -> libnftables JSON rule (emit), and
 *   listed JSON rule -> rule model (read-back);
 * and the iptables printers over the rule model. */
#ifndef NFSH_XLATE_H
#define NFSH_XLATE_H

#include <jansson.h>
#include <stdbool.h>

#include "rule/rule.h"
#include "util/err.h"
#include "util/strbuf.h"

struct ext_decls; /* ext/ext.h */

/* The rule's statement array and comment (with nfsh's form tag). 0 or -1. */
int xlate_rule_exprs(const struct rule *r, struct ext_decls *decls, json_t **exprs, char *comment,
                     size_t commentlen, struct nfsh_err *e);
/* A complete {"family", "table", "chain", "expr", "comment"} rule object. A
 * rule whose matches need a table-level set (connlimit) appends its "add set"
 * command to decls->cmds; with decls NULL such a rule is refused. */
json_t *xlate_rule_decls(const struct rule *r, struct ext_decls *decls, struct nfsh_err *e);
/* xlate_rule_decls(r, NULL, e). */
json_t *xlate_rule(const struct rule *r, struct nfsh_err *e);
/* For a read-back rule that goes: the commands removing the sets it alone
 * used (connlimit's), appended to decls->cmds. 0 or -1. */
int xlate_rule_release(const struct rule *r, struct ext_decls *decls, struct nfsh_err *e);

/* Read-back of one listed {"rule": {...}} body into out (rule_init'ed here).
 * Returns 0, or 1 when the rule has statements no iptables syntax expresses
 * (out then holds what was understood; *why names the statement), -1 on error. */
int xlate_read_rule(json_t *rule, int table, struct rule *out, char *why, size_t whylen);
/* The same for a rule the netlink reader gave without JSON (nft/nl_read.h):
 * 1 when read, 0 when it is to be read from its JSON instead (out released). */
struct nlr_fast;
int xlate_read_fast(const struct nlr_fast *f, int table, struct rule *out);

/* "-A CHAIN ..." in iptables-save canonical form, no newline. With counters,
 * "-c PKTS BYTES" is placed where iptables puts it (before the target). */
void print_rule_save(const struct rule *r, bool counters, struct strbuf *sb);
/* The match and target part only (" -p tcp -m tcp --dport 22 -j ACCEPT"). */
void print_rule_body(const struct rule *r, bool counters, struct strbuf *sb);

/* The form tag kept in the rule comment: "nfsh:m=state". */
#define NFSH_TAG_PREFIX "nfsh:"
/* Longest rule comment the kernel stores (256 bytes of user data, less the TLV). */
#define NFSH_NFT_COMMENT_MAX 253
/* The rule comment xlate_rule_exprs writes: the user's text (user, "" for
 * none) and nfsh's form tag, joined by " ;" (kept[k]: match k emitted only
 * what reads back as generic; target_form: the target's form word, NULL for
 * none). Written to out as snprintf writes (cut, terminated); returns the
 * whole length. No printf and no allocation: src/nft/nl_lin_rule.c writes
 * it for every rule of a restore. */
size_t xlate_comment(const struct rule *r, const bool *kept, const char *target_form,
                     const char *user, char *out, size_t outlen);
/* Split a listed comment into the user's part and the tag (both may be empty). */
void xlate_split_comment(const char *comment, char *user, size_t ulen, char *tag, size_t tlen);

#endif

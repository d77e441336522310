/* -L and -S over nfsh's tables, in iptables' own layouts. */
#ifndef NFSH_CMD_PRINT_H
#define NFSH_CMD_PRINT_H

#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/run.h"
#include "util/strbuf.h"

int print_listing(struct nfsh_session *s, const struct cmd *c, FILE *out, struct nfsh_err *e);
/* One chain of a table in -S form (all chains when chain is NULL). */
void print_spec(const struct table_info *ti, const char *chain, int rulenum, bool counters,
                FILE *out);
/* The one-line form iptables -v prints for the rule of -A, -I, -R, -D, -C
 * (FMT_PRINT_RULE: "ACCEPT  tcp opt -- in * out *  1.2.3.4  -> 0.0.0.0/0   tcp dpt:22"). */
void print_rule_brief(const struct rule *r, FILE *out);
/* xtables_print_num: counters as iptables -L prints them. */
void print_num(struct strbuf *sb, unsigned long long n, bool exact, bool notable);

#endif

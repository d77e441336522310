/* Unit-test harness for extensions, words split at blanks with '_' for a
 * blank inside a word: cmd_parse() -> xlate_rule() JSON and -S text, read-back,
 * refusals, and kernel-style listed rules. Shared by test_ext_{misc,more}.c. */
#ifndef NFSH_TEST_XW_H
#define NFSH_TEST_XW_H

#include <jansson.h>

#include "rule/rule.h"

/* Shorthands of the expected-JSON literals. */
#define C  "{\"counter\":null}"
#define V4 NFSH_IPV4
#define V6 NFSH_IPV6

void xw_check(int family, const char *line, const char *want_expr, const char *want_save);
void xw_refuse(int family, const char *line, const char *word);
void xw_listed(int family, const char *expr, const char *comment, const char *want);

#endif

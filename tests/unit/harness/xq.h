/* Unit-test harness for extensions, JSON literals written with ' for ":
 * words -> cmd_parse() -> xlate_rule() JSON and -S text, read-back of listed
 * rules, and refusals. Shared by test_ext_{hdr,mark,nat,targets}.c. */
#ifndef NFSH_TEST_XQ_H
#define NFSH_TEST_XQ_H

#include <jansson.h>

json_t *xq_load(const char *sq);
void xq_check(int family, const char *line, const char *expr, const char *save);
void xq_check_listed(int table, const char *listed, const char *save);
void xq_check_refused(int family, const char *line, const char *why);

#endif

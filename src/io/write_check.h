/* The write check of the restores built without JSON (io/write_check.c). */
#ifndef NFSH_IO_WRITE_CHECK_H
#define NFSH_IO_WRITE_CHECK_H

#include <jansson.h>
#include <stdbool.h>

#include "nft/nl_lin.h"
#include "rule/rule.h"
#include "util/err.h"

struct nftnl_rule;

/* Whether NFSH_WRITE_CHECK=fast is set (read once). */
bool io_write_check_on(void);
/* nr (with comment) against the message ru's JSON gives: 0 the same, -1 with
 * e set and both dumped on stderr. */
int io_write_check_rule(const struct rule *ru, struct nftnl_rule *nr, const char *comment,
                        struct nfsh_err *e);
/* The chain d against the message of its JSON viajson, as above. */
int io_write_check_chain(const struct nll_chain_def *d, json_t *viajson, struct nfsh_err *e);

#endif

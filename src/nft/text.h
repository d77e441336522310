/* libnftables JSON -> nft text, for `nfsh translate` and `show nft`. It covers
 * the statements nfsh emits; an unknown statement is printed as its JSON so it
 * can never be silently dropped. */
#ifndef NFSH_NFT_TEXT_H
#define NFSH_NFT_TEXT_H

#include <jansson.h>

#include "util/strbuf.h"

void nftt_expr(json_t *expr, struct strbuf *sb);
void nftt_stmt(json_t *stmt, struct strbuf *sb);
/* One batch command ({"add": {"rule": ...}}) as an nft command line. */
void nftt_command(json_t *cmd, struct strbuf *sb);

#endif

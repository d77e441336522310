/* -m comment's private data, for src/nft/nl_lin_rule.c, which takes the
 * rule's comment straight from it instead of through comment_emit (see
 * LOG.h for why one header per extension read so). */
#ifndef NFSH_EXT_COMMENT_H
#define NFSH_EXT_COMMENT_H

#define COMMENT_IPT_MAX 255 /* XT_MAX_COMMENT_LEN - 1 */

struct comment_priv {
	char text[COMMENT_IPT_MAX + 1];
};

#endif

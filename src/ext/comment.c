/* -m comment --comment TEXT: the nftables rule comment (no statement).
 * nftables keeps one comment per rule in the rule's user data, so a rule takes
 * one -m comment; iptables' 255 characters do not all fit there (see below). */
#include "util/strbuf.h"
#include "ext/comment.h"
#include "ext/ext.h"

#include <string.h>

/* The kernel's rule user data is 256 bytes; the comment's TLV header and NUL
 * leave 253 characters (measured: 254 fails with libnftables 1.0.6). */
#define COMMENT_NFT_MAX 253

static const struct ext_opt comment_opts[] = {
    {"comment", 0, 1, 0, VK_WORD, NULL, "TEXT",
     "comment kept with the rule (the nftables rule comment)"},
};

static int comment_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                         bool invert, const char *const *args, struct nfsh_err *e)
{
	struct comment_priv *p = priv;
	size_t n = strlen(args[0]);

	(void)c;
	(void)opt;
	(void)invert;
	if (n > COMMENT_IPT_MAX) {
		err_set(e, NFSH_EPARAM, args[0], "comment is %zu characters long", n);
		err_hint(e, "at most %d", COMMENT_NFT_MAX);
		return -1;
	}
	if (n > COMMENT_NFT_MAX) {
		err_set(e, NFSH_EPARAM, args[0],
		        "comment is %zu characters: an nftables rule comment holds at most %d", n,
		        COMMENT_NFT_MAX);
		err_hint(e, "shorten it to %d characters", COMMENT_NFT_MAX);
		return -1;
	}
	if (strchr(args[0], '\n')) {
		err_set(e, NFSH_EPARAM, args[0], "comment contains a newline");
		err_hint(e, "one line of text");
		return -1;
	}
	memcpy(p->text, args[0], n + 1);
	return 0;
}

static int comment_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct comment_priv *p = priv;
	int n = 0;

	if (!p->text[0]) {
		err_set(e, NFSH_EPARAM, "comment", "-m comment needs --comment TEXT");
		err_hint(e, "e.g. -m comment --comment \"allow ssh\"");
		return -1;
	}
	for (int k = 0; k < c->rule->nmatches; k++)
		if (strcmp(c->rule->matches[k].ext->name, "comment") == 0)
			n++;
	if (n > 1) {
		err_set(e, NFSH_EPARAM, "comment",
		        "more than one -m comment: an nftables rule has one comment");
		err_hint(e, "join the texts into one --comment");
		return -1;
	}
	return 0;
}

static int comment_emit(struct emit_ctx *x, const void *priv)
{
	const struct comment_priv *p = priv;

	str_copy(x->comment, sizeof(x->comment), p->text);
	return 0;
}

/* The comment is claimed once every statement has been read, so it reads back
 * as the last match; the rule's form tag puts it back where it was written. */
static int comment_recognise(struct read_ctx *r, void *priv)
{
	struct comment_priv *p = priv;

	if (read_peek(r, 0) || !r->comment || r->comment_taken)
		return 0;
	if (strlen(r->comment) > COMMENT_IPT_MAX)
		return 0;
	str_copy(p->text, sizeof(p->text), r->comment);
	r->comment_taken = true;
	return 1;
}

static void comment_save(const void *priv, int family, struct strbuf *sb)
{
	const struct comment_priv *p = priv;

	(void)family;
	sb_add(sb, " --comment");
	ext_save_string(sb, p->text);
}

static void comment_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct comment_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "/* %s */", p->text);
}

const struct ext ext_comment = {
    .name = "comment",
    .type = EXT_MATCH,
    .help = "attach a comment to the rule (the nftables rule comment)",
    .families = NFSH_F_ANY,
    .opts = comment_opts,
    .nopts = 1,
    .priv_size = sizeof(struct comment_priv),
    .parse = comment_parse,
    .check = comment_check,
    .emit = comment_emit,
    .recognise = comment_recognise,
    .save = comment_save,
    .list = comment_list,
};
EXT_REGISTER(ext_comment);

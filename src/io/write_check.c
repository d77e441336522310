/* NFSH_WRITE_CHECK=fast: every rule and chain a restore builds straight into
 * its netlink message (nl_lin_rule.c, nl_lin.c) is built a second time the
 * JSON way, through nl_lin, and the two messages must be the same bytes;
 * NFSH_WRITE_FAULT puts one byte off, for the tests that the check can fail. */
#include "io/write_check.h"
#include "nft/nl_lin.h"
#include "nft/nl_lin_rule.h"
#include "util/strbuf.h"
#include "xlate/xlate.h"

#include <libnftnl/rule.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NFSH_WRITE_CHECK=fast, read once: this is asked for every rule of a
 * restore, and getenv walks the whole environment each time. */
bool io_write_check_on(void)
{
	static int on = -1;

	if (on < 0) {
		const char *c = getenv("NFSH_WRITE_CHECK");

		on = c && !strcmp(c, "fast");
	}
	return on;
}

/* The NEWRULE message of an add of nr with comment, into out. */
static bool add_msg(struct strbuf *out, struct nftnl_rule *nr, const char *comment)
{
	uint32_t seq = 1;

	return nll_rule_item(out, "add", nr, 0, comment, &seq) == 1 && !out->oom;
}

static void dump_msg(const char *what, const struct strbuf *m)
{
	fprintf(stderr, "nfsh: write check: %s:", what);
	for (size_t i = 0; i < m->len; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", (unsigned char)m->buf[i]);
	fputc('\n', stderr);
}

/* NFSH_WRITE_CHECK=fast: are the messages built without JSON (a) those
 * made from the JSON (b)? Both dumped when not. fault: the NFSH_WRITE_FAULT
 * that puts a's last byte off, for the tests that the check can fail (one
 * for rules, one for chains: a restore's first chain line comes before its
 * first rule). */
static bool same_msgs(struct strbuf *a, const struct strbuf *b, const char *fault)
{
	const char *f = getenv("NFSH_WRITE_FAULT");
	bool same;

	if (f && !strcmp(f, fault) && a->len)
		a->buf[a->len - 1] ^= 1;
	same = !a->oom && !b->oom && a->len && a->len == b->len && !memcmp(a->buf, b->buf, a->len);
	if (!same) {
		dump_msg("without JSON", a);
		dump_msg("through JSON", b);
	}
	return same;
}

/* NFSH_WRITE_CHECK=fast: the rule built without JSON must give the bytes its
 * JSON gives through nl_lin (which io_nl_bytes holds to libnftables'). */
int io_write_check_rule(const struct rule *ru, struct nftnl_rule *nr, const char *comment,
                        struct nfsh_err *e)
{
	json_t *o = xlate_rule(ru, e);
	struct nftnl_rule *viajson = NULL;
	struct strbuf a, b;
	int nfproto, rc = -1;

	sb_init(&a);
	sb_init(&b);
	if (o && (viajson = nll_rule(o, &nfproto))) {
		add_msg(&a, nr, comment);
		add_msg(&b, viajson, json_string_value(json_object_get(o, "comment")));
	}
	if (!same_msgs(&a, &b, "fast-byte"))
		err_set(e, NFSH_EOTHER, ru->chain,
		        "write check: the rule built without JSON differs from its JSON form");
	else
		rc = 0;
	if (viajson)
		nftnl_rule_free(viajson);
	json_decref(o);
	sb_free(&a);
	sb_free(&b);
	return rc;
}

/* NFSH_WRITE_CHECK=fast: the chain's message built without JSON must be
 * the one its JSON gives through nl_lin. */
int io_write_check_chain(const struct nll_chain_def *d, json_t *viajson, struct nfsh_err *e)
{
	struct strbuf a, b;
	uint32_t sa = 1, sb = 1;
	int rc = 0;

	sb_init(&a);
	sb_init(&b);
	nll_chain_item(&a, d, false, &sa);
	nll_item(&b, viajson, &sb);
	if (!same_msgs(&a, &b, "fast-chain-byte"))
		rc =
		    err_set(e, NFSH_EOTHER, d->name,
		            "write check: the chain built without JSON differs from its JSON form");
	sb_free(&a);
	sb_free(&b);
	return rc;
}

/* -j AUDIT --type accept|drop|reject: an audit record of the packet,
 * log level audit. Since Linux 4.11 the kernel's AUDIT target no longer writes
 * the type into the record (audit_ip4/audit_ip6 log mark, addresses and
 * protocol; xt_AUDIT.c ignores info->type), so the three types log the same
 * and "log level audit" is exact for each. nft keeps no type: the form tag
 * (j=AUDIT:drop, j=AUDIT:reject) remembers the one written, for -S. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

struct audit_priv {
	int type; /* index + 1 into types */
};

static const char *const types[] = {"accept", "drop", "reject", NULL};

static const struct ext_opt audit_opts[] = {
    {"type", 0, 1, 0, VK_ENUM, types, "accept|drop|reject", "what the record is about"},
};

static int audit_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct audit_priv *p = priv;

	(void)c;
	(void)opt;
	(void)invert;
	for (int i = 0; types[i]; i++)
		if (!strcmp(args[0], types[i])) {
			p->type = i + 1;
			return 0;
		}
	err_set(e, NFSH_EPARAM, args[0], "unknown --type \"%s\"", args[0]);
	err_hint(e, "accept, drop or reject");
	return -1;
}

static int audit_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct audit_priv *p = priv;

	(void)c;
	if (p->type)
		return 0;
	err_set(e, NFSH_EPARAM, "AUDIT", "-j AUDIT needs --type accept|drop|reject");
	return -1;
}

static int audit_emit(struct emit_ctx *x, const void *priv)
{
	json_t *b = nftj_object();

	const struct audit_priv *p = priv;

	/* accept is what a rule without a tag reads back as. */
	if (p->type > 1)
		x->target_form = types[p->type - 1];
	nftj_put_str(b, "level", "audit");
	return ext_emit(x, nftj_stmt("log", b));
}

static int audit_recognise(struct read_ctx *r, void *priv)
{
	struct audit_priv *p = priv;
	json_t *body;
	const char *name = read_peek(r, 0) ? nftj_stmt_name(read_peek(r, 0), &body) : NULL;
	const char *level;
	char form[16];

	if (!name || strcmp(name, "log") || !json_is_object(body) || json_object_size(body) != 1)
		return 0;
	level = json_string_value(json_object_get(body, "level"));
	if (!level || strcmp(level, "audit"))
		return 0;
	p->type = 1;
	if (read_tag_target(r, "AUDIT", form, sizeof(form)))
		for (int i = 0; types[i]; i++)
			if (!strcmp(form, types[i]))
				p->type = i + 1;
	read_take(r, 1);
	return 1;
}

static void audit_save(const void *priv, int family, struct strbuf *sb)
{
	const struct audit_priv *p = priv;

	(void)family;
	sb_addf(sb, " --type %s", types[p->type - 1]);
}

static void audit_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct audit_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "AUDIT %s", types[p->type - 1]);
}

const struct ext ext_AUDIT = {
    .name = "AUDIT",
    .type = EXT_TARGET,
    .help = "write an audit record of the packet (log level audit)",
    .families = NFSH_F_ANY,
    .opts = audit_opts,
    .nopts = 1,
    .priv_size = sizeof(struct audit_priv),
    .parse = audit_parse,
    .check = audit_check,
    .emit = audit_emit,
    .recognise = audit_recognise,
    .save = audit_save,
    .list = audit_list,
};
EXT_REGISTER(ext_AUDIT);

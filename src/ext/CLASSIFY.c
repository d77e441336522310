/* -j CLASSIFY --set-class MAJOR:MINOR: "meta priority set MAJOR:MINOR" (both
 * set skb->priority; nft names 0:0 "none" and ffff:ffff "root"). */
#include "ext/ext.h"
#include "nft/json.h"

#include <stdio.h>
#include <string.h>

struct classify_priv {
	bool given;
	unsigned major, minor;
};

static const struct ext_opt classify_opts[] = {
    {"set-class", 0, 1, 0, VK_WORD, NULL, "MAJOR:MINOR", "tc class, hexadecimal 0-ffff each"},
};

/* "MAJOR:MINOR" in hexadecimal, each 0-ffff. */
static int parse_class(const char *s, unsigned *major, unsigned *minor)
{
	char a[16], *colon;
	unsigned long long x, y;

	if (strlen(s) >= sizeof(a) || !(colon = strchr(strcpy(a, s), ':')))
		return -1;
	*colon++ = '\0';
	if (!*a || !*colon || strspn(a, "0123456789abcdefABCDEF") != strlen(a) ||
	    strspn(colon, "0123456789abcdefABCDEF") != strlen(colon) || strlen(a) > 4 ||
	    strlen(colon) > 4)
		return -1;
	if (sscanf(a, "%llx", &x) != 1 || sscanf(colon, "%llx", &y) != 1)
		return -1;
	*major = (unsigned)x;
	*minor = (unsigned)y;
	return 0;
}

static int classify_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                          bool invert, const char *const *args, struct nfsh_err *e)
{
	struct classify_priv *p = priv;

	(void)c;
	(void)opt;
	(void)invert;
	if (parse_class(args[0], &p->major, &p->minor) < 0) {
		err_set(e, NFSH_EPARAM, args[0], "invalid --set-class \"%s\"", args[0]);
		err_hint(e, "MAJOR:MINOR, hexadecimal 0-ffff each, e.g. 1:10");
		return -1;
	}
	p->given = true;
	return 0;
}

static int classify_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)c;
	if (((struct classify_priv *)priv)->given)
		return 0;
	err_set(e, NFSH_EPARAM, "CLASSIFY", "-j CLASSIFY needs --set-class");
	err_hint(e, "e.g. -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10");
	return -1;
}

static int classify_emit(struct emit_ctx *x, const void *priv)
{
	const struct classify_priv *p = priv;
	json_t *body = nftj_object();
	char v[16];

	snprintf(v, sizeof(v), "%x:%x", p->major, p->minor);
	nftj_put(body, "key", nftj_meta("priority"));
	nftj_put(body, "value", nftj_str(v));
	return ext_emit(x, nftj_stmt("mangle", body));
}

static int classify_recognise(struct read_ctx *r, void *priv)
{
	struct classify_priv *p = priv;
	json_t *body, *v;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body), *key, *s;

	if (!name || strcmp(name, "mangle") || !nftj_is_meta(json_object_get(body, "key"), &key) ||
	    strcmp(key, "priority"))
		return 0;
	v = json_object_get(body, "value");
	s = json_string_value(v);
	if (s && strcmp(s, "none") == 0)
		p->major = p->minor = 0;
	else if (s && strcmp(s, "root") == 0)
		p->major = p->minor = 0xffff;
	else if (!s || parse_class(s, &p->major, &p->minor) < 0)
		return 0;
	p->given = true;
	read_take(r, 1);
	return 1;
}

static void classify_save(const void *priv, int family, struct strbuf *sb)
{
	const struct classify_priv *p = priv;

	(void)family;
	sb_addf(sb, " --set-class %04x:%04x", p->major, p->minor);
}

static void classify_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct classify_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_addf(sb, "CLASSIFY set %x:%x", p->major, p->minor);
}

const struct ext ext_CLASSIFY = {
    .name = "CLASSIFY",
    .type = EXT_TARGET,
    .help = "set the tc class of the packet (meta priority set)",
    .families = NFSH_F_ANY,
    .opts = classify_opts,
    .nopts = 1,
    .priv_size = sizeof(struct classify_priv),
    .parse = classify_parse,
    .check = classify_check,
    .emit = classify_emit,
    .recognise = classify_recognise,
    .save = classify_save,
    .list = classify_list,
};
EXT_REGISTER(ext_CLASSIFY);

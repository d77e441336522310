/* -m socket: a socket for the packet exists (nft socket).
 *   (no option)       socket wildcard 0: found and not bound to 0.0.0.0/::
 *   --nowildcard      the wildcard bound ones too: socket wildcard <= 1
 *   --transparent     socket transparent 1 (with --nowildcard alone: no
 *                     wildcard test, as iptables-translate)
 *   --restore-skmark  meta mark set socket mark: refused, libnftables 1.0.6's
 *                     JSON parser does not take a socket expression as a value
 * Allowed where the kernel's socket expression is: PREROUTING, INPUT, OUTPUT. */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

enum { S_TRANSPARENT, S_NOWILDCARD, S_RESTORE };

struct socket_priv {
	bool transparent, nowildcard, restore;
};

static const struct ext_opt socket_opts[] = {
    {"transparent", S_TRANSPARENT, 0, 0, VK_NONE, NULL, NULL, "socket has IP_TRANSPARENT set"},
    {"nowildcard", S_NOWILDCARD, 0, 0, VK_NONE, NULL, NULL,
     "also sockets bound to the wildcard address"},
    {"restore-skmark", S_RESTORE, 0, 0, VK_NONE, NULL, NULL, "set the packet mark to the socket's"},
};

static int socket_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                        bool invert, const char *const *args, struct nfsh_err *e)
{
	struct socket_priv *p = priv;

	(void)c;
	(void)invert;
	(void)args;
	if (opt->id == S_RESTORE) {
		/* The JSON parser of libnftables 1.0.6 refuses a socket expression as
		 * a statement's value ("Expression type socket not allowed in context
		 * (STMT)"); nft text takes it. */
		err_set(e, NFSH_EPARAM, "--restore-skmark",
		        "--restore-skmark needs \"meta mark set socket mark\", which libnftables "
		        "1.0.6 does not support in JSON");
		err_hint(e, "set the mark in a separate nft rule: socket wildcard 0 meta mark set "
		            "socket mark");
		return -1;
	}
	if (opt->id == S_TRANSPARENT)
		p->transparent = true;
	else if (opt->id == S_NOWILDCARD)
		p->nowildcard = true;
	else
		p->restore = true;
	return 0;
}

static json_t *sock(const char *key)
{
	json_t *b = nftj_object();

	nftj_put_str(b, "key", key);
	return nftj_put(nftj_object(), "socket", b);
}

static int socket_emit(struct emit_ctx *x, const void *priv)
{
	const struct socket_priv *p = priv;
	json_t *m;
	int rc = 0;

	if (!p->nowildcard)
		rc |= ext_emit(x, nftj_match("==", sock("wildcard"), nftj_int(0)));
	else if (!p->transparent)
		rc |= ext_emit(x, nftj_match("<=", sock("wildcard"), nftj_int(1)));
	if (p->transparent)
		rc |= ext_emit(x, nftj_match("==", sock("transparent"), nftj_int(1)));
	if (p->restore) {
		m = nftj_object();
		nftj_put(m, "key", nftj_meta("mark"));
		nftj_put(m, "value", sock("mark"));
		rc |= ext_emit(x, nftj_stmt("mangle", m));
	}
	return rc ? -1 : 0;
}

static bool is_sock(json_t *v, const char *key)
{
	const char *k = json_string_value(json_object_get(json_object_get(v, "socket"), "key"));

	return k && !strcmp(k, key);
}

static bool read_test(json_t *s, const char *key, const char *want_op, long long want)
{
	const char *op;
	json_t *left, *right;
	long long v;

	return nftj_get_match(s, &op, &left, &right) && !strcmp(op, want_op) &&
	       is_sock(left, key) && nftj_get_int(right, &v) && v == want;
}

static int socket_recognise(struct read_ctx *r, void *priv)
{
	struct socket_priv *p = priv;
	json_t *body;
	const char *name;
	bool wild0 = false;

	if (read_test(read_peek(r, 0), "wildcard", "==", 0)) {
		wild0 = true;
		read_take(r, 1);
	} else if (read_test(read_peek(r, 0), "wildcard", "<=", 1)) {
		p->nowildcard = true;
		read_take(r, 1);
	}
	if (read_test(read_peek(r, 0), "transparent", "==", 1)) {
		p->transparent = true;
		p->nowildcard |= !wild0;
		read_take(r, 1);
	}
	if (!wild0 && !p->nowildcard && !p->transparent)
		return 0;
	name = read_peek(r, 0) ? nftj_stmt_name(read_peek(r, 0), &body) : NULL;
	if (name && !strcmp(name, "mangle") && is_sock(json_object_get(body, "value"), "mark")) {
		const char *k;

		if (nftj_is_meta(json_object_get(body, "key"), &k) && !strcmp(k, "mark")) {
			p->restore = true;
			read_take(r, 1);
		}
	}
	return 1;
}

static void socket_save(const void *priv, int family, struct strbuf *sb)
{
	const struct socket_priv *p = priv;

	(void)family;
	if (p->transparent)
		sb_add(sb, " --transparent");
	if (p->nowildcard)
		sb_add(sb, " --nowildcard");
	if (p->restore)
		sb_add(sb, " --restore-skmark");
}

static void socket_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct socket_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "socket");
	if (p->transparent)
		sb_add(sb, " --transparent");
	if (p->nowildcard)
		sb_add(sb, " --nowildcard");
	if (p->restore)
		sb_add(sb, " --restore-skmark");
}

const struct ext ext_socket = {
    .name = "socket",
    .type = EXT_MATCH,
    .help = "a local socket for the packet exists (nft socket)",
    .families = NFSH_F_ANY,
    .hooks = HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_OUTPUT),
    .opts = socket_opts,
    .nopts = 3,
    .priv_size = sizeof(struct socket_priv),
    .parse = socket_parse,
    .emit = socket_emit,
    .recognise = socket_recognise,
    .save = socket_save,
    .list = socket_list,
};
EXT_REGISTER(ext_socket);

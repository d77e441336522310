/* -m owner: the local socket's owner, for locally generated packets.
 *   --uid-owner ID[-ID]|NAME   meta skuid ID[-ID]
 *   --gid-owner ID[-ID]|NAME   meta skgid ID[-ID]
 *   --socket-exists            meta skuid >= 0 (nft's meta skuid stops the rule
 *                              exactly when xt_owner finds no socket file)
 * Refused: a negated option (xt_owner matches "! --uid-owner 0" for packets
 * without a socket, nft's meta skuid != 0 does not: no single native rule
 * matches both) and --suppl-groups (nft cannot test supplementary groups). */
#include "ext/ext.h"
#include "nft/json.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>

enum { OWN_UID, OWN_GID, OWN_SOCKET, OWN_SUPPL };

struct owner_priv {
	unsigned given;
	unsigned long long lo[2], hi[2];
};

static const struct ext_opt owner_opts[] = {
    {"uid-owner", OWN_UID, 1, EXT_OPT_INV, VK_WORD, NULL, "USER|UID[-UID]",
     "socket's file owner (fsuid)"},
    {"gid-owner", OWN_GID, 1, EXT_OPT_INV, VK_WORD, NULL, "GROUP|GID[-GID]",
     "socket's file group (fsgid)"},
    {"socket-exists", OWN_SOCKET, 0, EXT_OPT_INV, VK_NONE, NULL, NULL,
     "the packet has a local socket"},
    {"suppl-groups", OWN_SUPPL, 0, EXT_OPT_INV, VK_NONE, NULL, NULL,
     "also supplementary groups (no nftables form)"},
};

static int lookup_id(int id, const char *name, unsigned long long *out)
{
	char buf[4096];

	if (id == OWN_UID) {
		struct passwd pw, *res = NULL;

		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res)
			return -1;
		*out = res->pw_uid;
	} else {
		struct group gr, *res = NULL;

		if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) || !res)
			return -1;
		*out = res->gr_gid;
	}
	return 0;
}

static int parse_ids(struct owner_priv *p, int id, const char *arg, struct nfsh_err *e)
{
	char a[64], *dash;
	unsigned long long *lo = &p->lo[id], *hi = &p->hi[id];

	if (strlen(arg) >= sizeof(a) || !*arg)
		goto bad;
	strcpy(a, arg);
	dash = strchr(a, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_uint(a, 0xfffffffeull, lo) < 0) {
		if (dash || lookup_id(id, a, lo) < 0) {
			err_set(e, NFSH_EPARAM, arg, "unknown %s \"%s\"",
			        id == OWN_UID ? "user" : "group", arg);
			err_hint(e, "a name known to this host, a number, or a range N-M");
			return -1;
		}
		*hi = *lo;
		return 0;
	}
	if (!dash)
		*hi = *lo;
	else if (parse_uint(dash, 0xfffffffeull, hi) < 0 || *hi < *lo)
		goto bad;
	return 0;
bad:
	err_set(e, NFSH_EPARAM, arg, "invalid --%s \"%s\"", owner_opts[id].name, arg);
	err_hint(e, "a name, a number, or a range N-M");
	return -1;
}

static int owner_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                       bool invert, const char *const *args, struct nfsh_err *e)
{
	struct owner_priv *p = priv;

	(void)c;
	if (opt->id == OWN_SUPPL) {
		err_set(e, NFSH_EPARAM, "--suppl-groups",
		        "--suppl-groups has no nftables form: meta skgid tests only the file's "
		        "group, not the supplementary groups");
		err_hint(e, "use --gid-owner alone (meta skgid)");
		return -1;
	}
	if (invert) {
		err_set(e, NFSH_EPARAM, opt->name,
		        "! --%s has no exact nftables form: iptables also matches packets "
		        "without a socket, nft's meta %s does not",
		        opt->name, opt->id == OWN_GID ? "skgid" : "skuid");
		err_hint(e, "without the \"!\", or write nft 'meta skuid != ID' knowing it skips "
		            "socketless packets");
		return -1;
	}
	p->given |= 1u << opt->id;
	if (opt->id == OWN_SOCKET)
		return 0;
	return parse_ids(p, opt->id, args[0], e);
}

static int owner_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct owner_priv *p = priv;
	const struct builtin_chain *bc = c->chain ? table_builtin(c->table, c->chain) : NULL;

	if (!p->given) {
		err_set(e, NFSH_EPARAM, "owner",
		        "-m owner needs --uid-owner, --gid-owner or --socket-exists");
		err_hint(e, "e.g. -A OUTPUT -m owner --uid-owner 1000");
		return -1;
	}
	if (bc && bc->hook != HOOK_OUTPUT && bc->hook != HOOK_POSTROUTING) {
		err_set(e, NFSH_EPARAM, "owner",
		        "-m owner is valid only in OUTPUT and POSTROUTING");
		err_hint(e, "only locally generated packets have an owning socket");
		return -1;
	}
	return 0;
}

static int owner_emit(struct emit_ctx *x, const void *priv)
{
	const struct owner_priv *p = priv;
	static const char *const keys[] = {"skuid", "skgid"};
	int rc = 0;

	if (p->given & (1u << OWN_SOCKET))
		rc |= ext_emit(x, nftj_match(">=", nftj_meta("skuid"), nftj_int(0)));
	for (int k = 0; k < 2; k++) {
		if (!(p->given & (1u << k)))
			continue;
		rc |= ext_emit(x, nftj_match("==", nftj_meta(keys[k]),
		                             p->lo[k] == p->hi[k]
		                                 ? nftj_int((long long)p->lo[k])
		                                 : nftj_range(nftj_int((long long)p->lo[k]),
		                                              nftj_int((long long)p->hi[k]))));
	}
	return rc ? -1 : 0;
}

static bool read_one(struct owner_priv *p, json_t *stmt)
{
	const char *op, *key;
	json_t *left, *right, *a, *b;
	long long lo, hi;
	int k;

	if (!nftj_get_match(stmt, &op, &left, &right) || !nftj_is_meta(left, &key))
		return false;
	k = strcmp(key, "skuid") == 0 ? OWN_UID : strcmp(key, "skgid") == 0 ? OWN_GID : -1;
	if (k < 0)
		return false;
	if (strcmp(op, ">=") == 0 && k == OWN_UID && nftj_get_int(right, &lo) && lo == 0 &&
	    !(p->given & (1u << OWN_SOCKET))) {
		p->given |= 1u << OWN_SOCKET;
		return true;
	}
	if (strcmp(op, "==") || (p->given & (1u << k)))
		return false;
	if (nftj_get_int(right, &lo))
		hi = lo;
	else if (!nftj_get_range(right, &a, &b) || !nftj_get_int(a, &lo) || !nftj_get_int(b, &hi))
		return false;
	if (lo < 0 || hi < lo)
		return false;
	p->lo[k] = (unsigned long long)lo;
	p->hi[k] = (unsigned long long)hi;
	p->given |= 1u << k;
	return true;
}

static int owner_recognise(struct read_ctx *r, void *priv)
{
	int n = 0;

	while (read_peek(r, 0) && read_one(priv, read_peek(r, 0))) {
		read_take(r, 1);
		n++;
	}
	return n > 0;
}

static void format(const struct owner_priv *p, bool save, struct strbuf *sb)
{
	static const char *const names[] = {"uid-owner", "gid-owner"};

	if (p->given & (1u << OWN_SOCKET))
		sb_add(sb, save ? " --socket-exists" : " owner socket exists");
	for (int k = 0; k < 2; k++) {
		if (!(p->given & (1u << k)))
			continue;
		sb_addf(sb, save ? " --%s %llu" : " owner %s match %llu",
		        save ? names[k] : (k ? "GID" : "UID"), p->lo[k]);
		if (p->hi[k] != p->lo[k])
			sb_addf(sb, "-%llu", p->hi[k]);
	}
}

static void owner_save(const void *priv, int family, struct strbuf *sb)
{
	(void)family;
	format(priv, true, sb);
}

static void owner_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	struct strbuf tmp;

	(void)family;
	(void)numeric;
	sb_init(&tmp);
	format(priv, false, &tmp);
	sb_add(sb, sb_str(&tmp) + 1);
	sb_free(&tmp);
}

const struct ext ext_owner = {
    .name = "owner",
    .type = EXT_MATCH,
    .help = "owner of the local socket (meta skuid/skgid; OUTPUT and POSTROUTING)",
    .families = NFSH_F_ANY,
    .opts = owner_opts,
    .nopts = sizeof(owner_opts) / sizeof(owner_opts[0]),
    .priv_size = sizeof(struct owner_priv),
    .parse = owner_parse,
    .check = owner_check,
    .emit = owner_emit,
    .recognise = owner_recognise,
    .save = owner_save,
    .list = owner_list,
};
EXT_REGISTER(ext_owner);

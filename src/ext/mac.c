/* -m mac [!] --mac-source XX:XX:XX:XX:XX:XX: ether saddr [!=] MAC.
 * Only where a packet arrived on an Ethernet-like device: PREROUTING, INPUT
 * and FORWARD, as iptables' mac match allows. */
#include "ext/ext.h"
#include "nft/json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct mac_priv {
	bool given, invert;
	uint8_t addr[6];
};

static const struct ext_opt mac_opts[] = {
    {"mac-source", 0, 1, EXT_OPT_INV, VK_WORD, NULL, "XX:XX:XX:XX:XX:XX", "source MAC address"},
};

/* Six colon-separated two-digit hex octets, as xtables_parse_mac. */
static bool parse_mac(const char *s, uint8_t *out)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *o = s + 3 * i;
		unsigned v;

		if (!isxdigit((unsigned char)o[0]) || !isxdigit((unsigned char)o[1]) ||
		    (i < 5 && o[2] != ':'))
			return false;
		if (sscanf(o, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

static void format_mac(const uint8_t *a, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int mac_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct mac_priv *p = priv;

	(void)c;
	(void)opt;
	if (!parse_mac(args[0], p->addr)) {
		err_set(e, NFSH_EPARAM, args[0], "bad MAC address \"%s\"", args[0]);
		err_hint(e, "six hex octets: XX:XX:XX:XX:XX:XX");
		return -1;
	}
	p->given = true;
	p->invert = invert;
	return 0;
}

static int mac_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	const struct mac_priv *p = priv;
	const struct builtin_chain *bc = table_builtin(c->table, c->chain);

	if (!p->given) {
		err_set(e, NFSH_EPARAM, "mac", "-m mac needs --mac-source");
		err_hint(e, "e.g. -m mac --mac-source 00:11:22:33:44:55");
		return -1;
	}
	/* Outgoing packets have no link-layer source yet. */
	if (bc && bc->hook != HOOK_PREROUTING && bc->hook != HOOK_INPUT &&
	    bc->hook != HOOK_FORWARD) {
		err_set(e, NFSH_EPARAM, c->chain, "-m mac cannot be used in chain %s", c->chain);
		err_hint(e, "only in PREROUTING, INPUT or FORWARD");
		return -1;
	}
	return 0;
}

static int mac_emit(struct emit_ctx *x, const void *priv)
{
	const struct mac_priv *p = priv;
	char buf[32];

	format_mac(p->addr, buf, sizeof(buf));
	return ext_emit(
	    x, nftj_match(p->invert ? "!=" : "==", nftj_payload("ether", "saddr"), nftj_str(buf)));
}

static int mac_recognise(struct read_ctx *r, void *priv)
{
	struct mac_priv *p = priv;
	const char *op, *proto, *field;
	json_t *left, *right;

	if (!nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    !nftj_is_payload(left, &proto, &field) || strcmp(proto, "ether") ||
	    strcmp(field, "saddr") || (strcmp(op, "==") && strcmp(op, "!=")) ||
	    !json_is_string(right) || !parse_mac(json_string_value(right), p->addr))
		return 0;
	p->given = true;
	p->invert = strcmp(op, "!=") == 0;
	read_take(r, 1);
	return 1;
}

static void mac_save(const void *priv, int family, struct strbuf *sb)
{
	const struct mac_priv *p = priv;
	char buf[32];

	(void)family;
	format_mac(p->addr, buf, sizeof(buf));
	sb_addf(sb, "%s --mac-source %s", p->invert ? " !" : "", buf);
}

static void mac_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct mac_priv *p = priv;
	char buf[32];

	(void)family;
	(void)numeric;
	format_mac(p->addr, buf, sizeof(buf));
	sb_addf(sb, "MAC %s%s", p->invert ? "! " : "", buf);
}

const struct ext ext_mac = {
    .name = "mac",
    .type = EXT_MATCH,
    .help = "source MAC address (ether saddr); PREROUTING, INPUT and FORWARD only",
    .families = NFSH_F_ANY,
    .opts = mac_opts,
    .nopts = 1,
    .priv_size = sizeof(struct mac_priv),
    .parse = mac_parse,
    .check = mac_check,
    .emit = mac_emit,
    .recognise = mac_recognise,
    .save = mac_save,
    .list = mac_list,
};
EXT_REGISTER(ext_mac);

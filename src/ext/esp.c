/* -m esp [!] --espspi SPI[:SPI]: esp spi [!=] A[-B]. Like udp, the match
 * needs -p esp; without a test (or with the full range) it only means the
 * protocol, written meta l4proto esp as iptables-translate does. */
#include "ext/idrange.h"
#include "ext/tcp.h"
#include "nft/json.h"

#define ESP_PROTO 50

struct esp_priv {
	struct idrange spi;
};

static const struct ext_opt esp_opts[] = {
    {"espspi", 0, 1, EXT_OPT_INV, VK_NUMBER, NULL, "SPI[:SPI]",
     "security parameter index, or a range (0-4294967295)"},
};

static int esp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                     bool invert, const char *const *args, struct nfsh_err *e)
{
	struct esp_priv *p = priv;

	(void)c;
	(void)opt;
	if (idrange_parse(&p->spi, invert, args[0], UINT32_MAX, "espspi", e) < 0)
		return -1;
	/* The full range tests nothing: iptables saves it as a bare -m esp. */
	if (idrange_full(&p->spi, UINT32_MAX))
		p->spi.set = false;
	return 0;
}

static int esp_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	(void)priv;
	return need_proto(c, ESP_PROTO, "esp", e);
}

static int esp_emit(struct emit_ctx *x, const void *priv)
{
	const struct esp_priv *p = priv;

	if (p->spi.set)
		return ext_emit(x, idrange_expr(nftj_payload("esp", "spi"), &p->spi));
	x->keep_name = true;
	return ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(ESP_PROTO)));
}

static int esp_recognise(struct read_ctx *r, void *priv)
{
	struct esp_priv *p = priv;

	if (r->rule->proto_set && (r->rule->proto != ESP_PROTO || r->rule->proto_invert))
		return 0;
	if (!idrange_read(read_peek(r, 0), "esp", "spi", UINT32_MAX, &p->spi))
		return 0;
	read_take(r, 1);
	read_claim_proto(r, ESP_PROTO);
	return 1;
}

static void esp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct esp_priv *p = priv;

	(void)family;
	idrange_save(&p->spi, "espspi", sb);
}

static void esp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct esp_priv *p = priv;

	(void)family;
	(void)numeric;
	sb_add(sb, "esp");
	idrange_list(&p->spi, "spi", sb);
}

const struct ext ext_esp = {
    .name = "esp",
    .type = EXT_MATCH,
    .help = "IPsec ESP security parameter index (esp spi)",
    .families = NFSH_F_ANY,
    .opts = esp_opts,
    .nopts = 1,
    .priv_size = sizeof(struct esp_priv),
    .implicit_proto = ESP_PROTO,
    .parse = esp_parse,
    .check = esp_check,
    .emit = esp_emit,
    .recognise = esp_recognise,
    .save = esp_save,
    .list = esp_list,
};
EXT_REGISTER(ext_esp);

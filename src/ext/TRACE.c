/* -j TRACE: "meta nftrace set 1" (the same skb->nf_trace bit xt_TRACE sets;
 * nft monitor trace shows the packets). */
#include "ext/ext.h"
#include "nft/json.h"

#include <string.h>

static int trace_emit(struct emit_ctx *x, const void *priv)
{
	json_t *body = nftj_object();

	(void)priv;
	nftj_put(body, "key", nftj_meta("nftrace"));
	nftj_put(body, "value", nftj_int(1));
	return ext_emit(x, nftj_stmt("mangle", body));
}

static int trace_recognise(struct read_ctx *r, void *priv)
{
	json_t *body;
	const char *name = nftj_stmt_name(read_peek(r, 0), &body), *key;
	long long v;

	(void)priv;
	if (!name || strcmp(name, "mangle") || !nftj_is_meta(json_object_get(body, "key"), &key) ||
	    strcmp(key, "nftrace") || !nftj_get_int(json_object_get(body, "value"), &v) || v != 1)
		return 0;
	read_take(r, 1);
	return 1;
}

const struct ext ext_TRACE = {
    .name = "TRACE",
    .type = EXT_TARGET,
    .help = "trace the packet through the ruleset (meta nftrace set 1; raw table)",
    .families = NFSH_F_ANY,
    .tables = TBL_BIT(TBL_RAW),
    .emit = trace_emit,
    .recognise = trace_recognise,
};
EXT_REGISTER(ext_TRACE);

/* -m sctp (loaded by -p sctp): ports and chunk types.
 *   [!] --sport/--dport P[:P]             sctp sport|dport [!=] P[-P]
 *   --chunk-types all|only TYPE[:FLAGS],...
 *        all:  each listed chunk exists (or its flags match);
 *        only: that, and every other chunk type is missing, as iptables-translate.
 * "any" with more than one type and a negated list have no native form: nft
 * tests each chunk on its own and has no "one of these chunks". As with
 * iptables-translate, -m sctp without -p gives the rule protocol sctp. */
#include "ext/tcp.h"
#include "nft/json.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define SCTP_PROTO 132

enum { SCTP_SPORT, SCTP_DPORT, SCTP_CHUNKS };
enum { MODE_NONE, MODE_ALL, MODE_ONLY };

/* iptables' table order (libxt_sctp), which iptables-translate follows. */
static const struct chunk {
	const char *name, *nft;
	unsigned id;
	const char *flags; /* flag letters, bit 7 first ('-' = none) */
	bool old_nft;      /* known to libnftables 1.0.6 */
} chunks[] = {
    {"DATA", "data", 0, "----IUBE", true},
    {"INIT", "init", 1, NULL, true},
    {"INIT_ACK", "init-ack", 2, NULL, true},
    {"SACK", "sack", 3, NULL, true},
    {"HEARTBEAT", "heartbeat", 4, NULL, true},
    {"HEARTBEAT_ACK", "heartbeat-ack", 5, NULL, true},
    {"ABORT", "abort", 6, "-------T", true},
    {"SHUTDOWN", "shutdown", 7, NULL, true},
    {"SHUTDOWN_ACK", "shutdown-ack", 8, NULL, true},
    {"ERROR", "error", 9, NULL, true},
    {"COOKIE_ECHO", "cookie-echo", 10, NULL, true},
    {"COOKIE_ACK", "cookie-ack", 11, NULL, true},
    {"ECN_ECNE", "ecne", 12, NULL, true},
    {"ECN_CWR", "cwr", 13, NULL, true},
    {"SHUTDOWN_COMPLETE", "shutdown-complete", 14, "-------T", true},
    {"I_DATA", "i-data", 64, "----IUBE", false},
    {"RE_CONFIG", "re-config", 130, NULL, false},
    {"PAD", "pad", 132, NULL, false},
    {"ASCONF", "asconf", 193, NULL, true},
    {"ASCONF_ACK", "asconf-ack", 128, NULL, true},
    {"FORWARD_TSN", "forward-tsn", 192, NULL, true},
    {"I_FORWARD_TSN", "i-forward-tsn", 194, NULL, false},
};
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

struct sctp_priv {
	struct port_match sport, dport;
	int mode;
	uint32_t present;                      /* bit i: chunks[i] listed */
	uint8_t fmask[NCHUNKS], fval[NCHUNKS]; /* flag tests of listed chunks */
};

static const char *const modes[] = {"all", "any", "only", NULL};

static const struct ext_opt sctp_opts[] = {
    {"source-port", SCTP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "source port or range"},
    {"sport", SCTP_SPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]", "source port or range"},
    {"destination-port", SCTP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port or range"},
    {"dport", SCTP_DPORT, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[:PORT]",
     "destination port or range"},
    {"chunk-types", SCTP_CHUNKS, 2, EXT_OPT_INV, VK_ENUM, modes, "all|any TYPE[:FLAGS][,...]",
     "chunks present (any: of one type; only: not in libnftables 1.0.6)"},
};

/* "TYPE" or "TYPE:FLAGS" with FLAGS letters of that type, upper case = set. */
static int parse_chunk(struct sctp_priv *p, const char *tok, struct nfsh_err *e)
{
	char name[32];
	const char *colon = strchr(tok, ':');
	size_t n = colon ? (size_t)(colon - tok) : strlen(tok), i;

	if (n >= sizeof(name))
		goto bad;
	memcpy(name, tok, n);
	name[n] = '\0';
	for (i = 0; i < NCHUNKS; i++)
		if (strcasecmp(chunks[i].name, name) == 0)
			break;
	if (i == NCHUNKS)
		goto bad;
	if (!chunks[i].old_nft) {
		err_set(e, NFSH_EPARAM, tok,
		        "SCTP chunk %s: \"sctp chunk %s\" is something libnftables 1.0.6 does not "
		        "support",
		        chunks[i].name, chunks[i].nft);
		err_hint(e, "no native test for this chunk type here (newer nftables has it)");
		return -1;
	}
	p->present |= 1u << i;
	for (const char *f = colon ? colon + 1 : ""; *f; f++) {
		const char *hit =
		    chunks[i].flags ? strchr(chunks[i].flags, toupper((unsigned char)*f)) : NULL;
		unsigned bit;

		if (!hit || *f == '-')
			return err_set(e, NFSH_EPARAM, tok, "chunk %s has no flag '%c'",
			               chunks[i].name, *f);
		bit = 1u << (7 - (unsigned)(hit - chunks[i].flags));
		p->fmask[i] |= (uint8_t)bit;
		if (isupper((unsigned char)*f))
			p->fval[i] |= (uint8_t)bit;
	}
	return 0;
bad:
	err_set(e, NFSH_EPARAM, tok, "unknown SCTP chunk type \"%s\"", tok);
	err_hint(e, "DATA, INIT, INIT_ACK, SACK, HEARTBEAT, ABORT, SHUTDOWN, ... (DATA:IUBE, "
	            "ABORT:T flags)");
	return -1;
}

static int parse_chunks(struct sctp_priv *p, bool invert, const char *const *args,
                        struct nfsh_err *e)
{
	char buf[1024], *save = NULL;
	bool any = strcasecmp(args[0], "any") == 0;

	if (invert)
		return err_set(e, NFSH_EPARAM, "!",
		               "! --chunk-types has no native form: nft tests chunks one by one; "
		               "write the chunks that must be missing with --chunk-types only");
	if (!any && strcasecmp(args[0], "all") && strcasecmp(args[0], "only")) {
		err_set(e, NFSH_EPARAM, args[0], "unknown --chunk-types mode \"%s\"", args[0]);
		err_hint(e, "all, any or only");
		return -1;
	}
	if (strlen(args[1]) >= sizeof(buf))
		return err_set(e, NFSH_EPARAM, args[1], "chunk list too long");
	snprintf(buf, sizeof(buf), "%s", args[1]);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (parse_chunk(p, t, e) < 0)
			return -1;
	/* "any" of one type is "all" of it; of several it is an OR nft lacks. */
	if (any && __builtin_popcount(p->present) > 1) {
		err_set(e, NFSH_EPARAM, args[1],
		        "--chunk-types any with several types has no native form (nft has no "
		        "\"one of these chunks\")");
		err_hint(e, "one rule per chunk type with --chunk-types all TYPE");
		return -1;
	}
	p->mode = strcasecmp(args[0], "only") == 0 ? MODE_ONLY : MODE_ALL;
	/* "only" must say every other type is missing, and four of them
	 * (I_DATA, RE_CONFIG, PAD, I_FORWARD_TSN) have no name in 1.0.6. */
	if (p->mode == MODE_ONLY) {
		err_set(e, NFSH_EPARAM, args[0],
		        "--chunk-types only needs \"sctp chunk i-data missing\" and three more "
		        "chunk types that libnftables 1.0.6 does not support");
		err_hint(e, "--chunk-types all TYPE,... tests the listed chunks");
		return -1;
	}
	return 0;
}

static int sctp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                      bool invert, const char *const *args, struct nfsh_err *e)
{
	struct sctp_priv *p = priv;

	(void)c;
	if (opt->id == SCTP_SPORT)
		return port_match_parse(&p->sport, invert, args[0], "sport", e);
	if (opt->id == SCTP_DPORT)
		return port_match_parse(&p->dport, invert, args[0], "dport", e);
	return parse_chunks(p, invert, args, e);
}

static json_t *chunk_expr(const char *nft, const char *field)
{
	json_t *b = nftj_object();

	nftj_put_str(b, "name", nft);
	if (field)
		nftj_put_str(b, "field", field);
	return nftj_put(nftj_object(), "sctp chunk", b);
}

static int sctp_emit(struct emit_ctx *x, const void *priv)
{
	const struct sctp_priv *p = priv;
	int rc = 0;

	if (p->sport.set)
		rc |= ext_emit(x, port_match_expr("sctp", "sport", &p->sport));
	if (p->dport.set)
		rc |= ext_emit(x, port_match_expr("sctp", "dport", &p->dport));
	for (size_t i = 0; p->mode && i < NCHUNKS; i++) {
		bool in = p->present & (1u << i);

		if (in && p->fmask[i])
			rc |= ext_emit(
			    x, nftj_match("==",
			                  nftj_binop("&", chunk_expr(chunks[i].nft, "flags"),
			                             nftj_int(p->fmask[i])),
			                  nftj_int(p->fval[i])));
		else if (in || p->mode == MODE_ONLY)
			rc |= ext_emit(
			    x, nftj_match("==", chunk_expr(chunks[i].nft, NULL), nftj_bool(in)));
	}
	if (!p->sport.set && !p->dport.set && !p->mode) {
		x->keep_name = true;
		rc |= ext_emit(x, nftj_match("==", nftj_meta("l4proto"), nftj_int(SCTP_PROTO)));
	}
	return rc ? -1 : 0;
}

/* sctp chunk NAME [flags & M] == true|false|V; the chunk index or -1. */
static int read_chunk(json_t *s, struct sctp_priv *p, int *missing)
{
	const char *op, *name;
	json_t *left, *right, *bin, *c;
	long long mask = 0, val = 0;
	size_t i;

	if (!nftj_get_match(s, &op, &left, &right) || strcmp(op, "=="))
		return -1;
	if ((bin = json_object_get(left, "&"))) {
		if (!json_is_array(bin) || !nftj_get_int(json_array_get(bin, 1), &mask) ||
		    !nftj_get_int(right, &val) || mask <= 0 || mask > 255 || (val & ~mask))
			return -1;
		left = json_array_get(bin, 0);
	}
	c = json_object_get(left, "sctp chunk");
	name = json_string_value(json_object_get(c, "name"));
	if (!name)
		return -1;
	for (i = 0; i < NCHUNKS; i++)
		if (strcmp(chunks[i].nft, name) == 0)
			break;
	if (i == NCHUNKS || (p->present | *missing) & (1u << i))
		return -1;
	if (bin) {
		if (!chunks[i].flags || !json_object_get(c, "field"))
			return -1;
		p->fmask[i] = (uint8_t)mask;
		p->fval[i] = (uint8_t)val;
		p->present |= 1u << i;
	} else if (json_is_true(right)) {
		p->present |= 1u << i;
	} else if (json_is_false(right)) {
		*missing |= 1 << i;
	} else {
		return -1;
	}
	return (int)i;
}

static int sctp_recognise(struct read_ctx *r, void *priv)
{
	struct sctp_priv *p = priv;
	int n = 0, missing = 0;
	size_t start = r->pos;
	json_t *s;

	if (r->rule->proto_set && (r->rule->proto != SCTP_PROTO || r->rule->proto_invert))
		return 0;
	while ((s = read_peek(r, 0)) && (port_match_read(s, "sctp", "sport", &p->sport) ||
	                                 port_match_read(s, "sctp", "dport", &p->dport) ||
	                                 read_chunk(s, p, &missing) >= 0)) {
		read_take(r, 1);
		n++;
	}
	if (!n)
		return 0;
	if (missing && (p->present | (uint32_t)missing) != (1u << NCHUNKS) - 1) {
		r->pos = start; /* some chunks missing but not all others: not iptables' "only" */
		return 0;
	}
	if (p->present || missing)
		p->mode = missing ? MODE_ONLY : MODE_ALL;
	read_claim_proto(r, SCTP_PROTO);
	return 1;
}

static void save_port(const struct port_match *m, const char *opt, struct strbuf *sb)
{
	if (!m->set)
		return;
	sb_addf(sb, "%s --%s %u", m->invert ? " !" : "", opt, m->lo);
	if (m->hi != m->lo)
		sb_addf(sb, ":%u", m->hi);
}

/* Chunks in id order with their flags, as libxt_sctp's print_chunks. */
static void print_chunks(const struct sctp_priv *p, struct strbuf *sb)
{
	bool first = true;

	sb_add(sb, p->mode == MODE_ONLY ? " only " : " all ");
	for (unsigned id = 0; id < 256; id++)
		for (size_t i = 0; i < NCHUNKS; i++) {
			if (chunks[i].id != id || !(p->present & (1u << i)))
				continue;
			sb_addf(sb, "%s%s", first ? "" : ",", chunks[i].name);
			first = false;
			if (p->fmask[i])
				sb_addc(sb, ':');
			for (int b = 7; b >= 0; b--)
				if (p->fmask[i] & (1u << b)) {
					char f = chunks[i].flags[7 - b];

					sb_addc(sb, p->fval[i] & (1u << b) ? f : (char)tolower(f));
				}
		}
}

static void sctp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct sctp_priv *p = priv;

	(void)family;
	save_port(&p->sport, "sport", sb);
	save_port(&p->dport, "dport", sb);
	if (p->mode) {
		sb_add(sb, " --chunk-types");
		print_chunks(p, sb);
	}
}

static void sctp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct sctp_priv *p = priv;

	(void)family;
	sb_add(sb, "sctp");
	port_match_list(&p->sport, "spt", "sctp", numeric, sb);
	port_match_list(&p->dport, "dpt", "sctp", numeric, sb);
	if (p->mode)
		print_chunks(p, sb);
}

const struct ext ext_sctp = {
    .name = "sctp",
    .type = EXT_MATCH,
    .help = "SCTP ports and chunk types (loaded by -p sctp)",
    .families = NFSH_F_ANY,
    .opts = sctp_opts,
    .nopts = sizeof(sctp_opts) / sizeof(sctp_opts[0]),
    .priv_size = sizeof(struct sctp_priv),
    .implicit_proto = SCTP_PROTO,
    .parse = sctp_parse,
    .emit = sctp_emit,
    .recognise = sctp_recognise,
    .save = sctp_save,
    .list = sctp_list,
};
EXT_REGISTER(ext_sctp);

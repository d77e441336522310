/* Read-back: a listed rule's statements -> rule model. Generic parts (interfaces,
 * addresses, protocol, fragment, counter, verdicts) are recognised here; every
 * other statement must be claimed by an extension, or the rule is reported as
 * not expressible in iptables syntax. */
#include "util/strbuf.h"
#include "xlate/xlate.h"
#include "ext/ext.h"
#include "ext/tcp.h"
#include "nft/json.h"
#include "nft/nl_read.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

void xlate_split_comment(const char *comment, char *user, size_t ulen, char *tag, size_t tlen)
{
	const char *t = NULL;
	size_t n;

	user[0] = tag[0] = '\0';
	if (!comment)
		return;
	/* The tag is after the last " ;nfsh:", or the whole comment when it has
	 * none and starts with "nfsh:" (emit adds an empty tag after a user
	 * comment that looks like one). */
	{
		const char *p = strstr(comment, " ;" NFSH_TAG_PREFIX);

		if (p) {
			while (strstr(p + 1, " ;" NFSH_TAG_PREFIX))
				p = strstr(p + 1, " ;" NFSH_TAG_PREFIX);
			t = p + 2;
		} else if (strncmp(comment, NFSH_TAG_PREFIX, strlen(NFSH_TAG_PREFIX)) == 0) {
			t = comment;
		}
	}
	n = t ? (size_t)((t == comment ? t : t - 2) - comment) : strlen(comment);
	if (n >= ulen)
		n = ulen - 1;
	memcpy(user, comment, n);
	user[n] = '\0';
	if (t)
		snprintf(tag, tlen, "%s", t + strlen(NFSH_TAG_PREFIX));
}

static bool read_iface(struct rule *r, const char *op, json_t *left, json_t *right)
{
	const char *key;
	struct iface_match *m;
	size_t n;

	if (!nftj_is_meta(left, &key) || !json_is_string(right))
		return false;
	if (strcmp(key, "iifname") == 0)
		m = &r->in;
	else if (strcmp(key, "oifname") == 0)
		m = &r->out;
	else
		return false;
	if (m->set || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	/* The inverse of emit.c's iface_expr: "INVAL/D" is `! -i +`, a trailing
	 * * is +, a trailing \\* is a literal *. */
	if (strcmp(json_string_value(right), "INVAL/D") == 0 && strcmp(op, "==") == 0) {
		snprintf(m->name, sizeof(m->name), "+");
		m->set = m->invert = true;
		return true;
	}
	n = strlen(json_string_value(right));
	if (n == 0 || n > sizeof(m->name))
		return false;
	if (n >= 2 && strcmp(json_string_value(right) + n - 2, "\\*") == 0) {
		snprintf(m->name, sizeof(m->name), "%.*s*", (int)(n - 2), json_string_value(right));
	} else {
		if (n >= sizeof(m->name))
			return false;
		str_copy(m->name, sizeof(m->name), json_string_value(right));
		if (m->name[n - 1] == '*')
			m->name[n - 1] = '+';
	}
	m->set = true;
	m->invert = strcmp(op, "!=") == 0;
	return true;
}

static bool parse_plain_addr(int family, const char *text, uint8_t *out)
{
	memset(out, 0, 16);
	return inet_pton(family == NFSH_IPV6 ? AF_INET6 : AF_INET, text, out) == 1;
}

static bool read_addr(struct rule *r, const char *op, json_t *left, json_t *right)
{
	const char *proto, *field, *a;
	json_t *inner = left;
	struct addr_match *m, tmp = {0};
	int len, family = r->family, full = r->family == NFSH_IPV6 ? 128 : 32;
	json_t *bin = json_object_get(left, "&");
	char text[128];

	if (bin && json_is_array(bin) && json_array_size(bin) == 2)
		inner = json_array_get(bin, 0);
	if (!nftj_is_payload(inner, &proto, &field))
		return false;
	if (strcmp(proto, family == NFSH_IPV6 ? "ip6" : "ip"))
		return false;
	if (strcmp(field, "saddr") == 0)
		m = &r->src;
	else if (strcmp(field, "daddr") == 0)
		m = &r->dst;
	else
		return false;
	if (m->set || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	if (bin) {
		json_t *mask = json_array_get(bin, 1);

		if (!json_is_string(mask) || !json_is_string(right))
			return false;
		snprintf(text, sizeof(text), "%s/%s", json_string_value(right),
		         json_string_value(mask));
		if (addr_parse(text, family, &tmp) < 0)
			return false;
	} else if (nftj_get_prefix(right, &a, &len)) {
		if (len < 0 || len > full || !parse_plain_addr(family, a, tmp.addr))
			return false;
		snprintf(text, sizeof(text), "%s/%d", a, len);
		if (addr_parse(text, family, &tmp) < 0)
			return false;
	} else if (json_is_string(right)) {
		if (addr_parse(json_string_value(right), family, &tmp) < 0)
			return false;
	} else {
		return false;
	}
	*m = tmp;
	m->invert = strcmp(op, "!=") == 0;
	return true;
}

static int proto_value(json_t *right)
{
	long long v;

	if (nftj_get_int(right, &v))
		return v >= 0 && v <= 255 ? (int)v : -1;
	if (json_is_string(right))
		return proto_lookup(json_string_value(right));
	return -1;
}

static bool read_proto(struct rule *r, const char *op, json_t *left, json_t *right)
{
	const char *proto, *field, *key;
	int num;

	if (r->family == NFSH_IPV6) {
		if (!nftj_is_meta(left, &key) || strcmp(key, "l4proto"))
			return false;
	} else {
		if (nftj_is_meta(left, &key)) {
			if (strcmp(key, "l4proto"))
				return false;
		} else if (!nftj_is_payload(left, &proto, &field) || strcmp(proto, "ip") ||
		           strcmp(field, "protocol")) {
			return false;
		}
	}
	if (r->proto_set || (strcmp(op, "==") && strcmp(op, "!=")))
		return false;
	num = proto_value(right);
	if (num < 0)
		return false;
	r->proto_set = true;
	r->proto = num;
	r->proto_invert = strcmp(op, "!=") == 0;
	return true;
}

static bool read_frag(struct rule *r, const char *op, json_t *left, json_t *right)
{
	json_t *bin = json_object_get(left, "&");
	const char *proto, *field;
	long long mask, val;

	if (r->family != NFSH_IPV4 || !json_is_array(bin) || json_array_size(bin) != 2)
		return false;
	if (!nftj_is_payload(json_array_get(bin, 0), &proto, &field) || strcmp(proto, "ip") ||
	    strcmp(field, "frag-off"))
		return false;
	if (!nftj_get_int(json_array_get(bin, 1), &mask) || mask != 0x1fff ||
	    !nftj_get_int(right, &val) || val != 0)
		return false;
	r->frag_set = true;
	r->frag_invert = strcmp(op, "==") == 0;
	return true;
}

/* Generic parts: one match statement. */
static bool read_generic_match(struct rule *r, json_t *stmt)
{
	const char *op;
	json_t *left, *right;

	if (!nftj_get_match(stmt, &op, &left, &right))
		return false;
	return read_iface(r, op, left, right) || read_addr(r, op, left, right) ||
	       read_proto(r, op, left, right) || read_frag(r, op, left, right);
}

static bool read_counter(struct rule *r, json_t *stmt)
{
	json_t *body = json_object_get(stmt, "counter");
	long long v;

	if (!body)
		return false;
	r->counters_set = true;
	if (nftj_get_int(json_object_get(body, "packets"), &v))
		r->packets = (uint64_t)v;
	if (nftj_get_int(json_object_get(body, "bytes"), &v))
		r->bytes = (uint64_t)v;
	return true;
}

static bool read_verdict(struct rule *r, json_t *stmt)
{
	json_t *body;
	const char *name = nftj_stmt_name(stmt, &body);
	const char *target;

	if (!name || r->target_kind != TGT_NONE)
		return false;
	if (strcmp(name, "accept") == 0)
		r->target_kind = TGT_ACCEPT;
	else if (strcmp(name, "drop") == 0)
		r->target_kind = TGT_DROP;
	else if (strcmp(name, "return") == 0)
		r->target_kind = TGT_RETURN;
	else if (strcmp(name, "jump") == 0 || strcmp(name, "goto") == 0) {
		target = json_string_value(json_object_get(body, "target"));
		if (!target || strlen(target) > NFSH_CHAIN_MAX)
			return false;
		r->target_kind = name[0] == 'j' ? TGT_JUMP : TGT_GOTO;
		str_copy(r->jump, sizeof(r->jump), target);
	} else
		return false;
	return true;
}

/* Offer the statements at the cursor to every extension of the given type.
 * Alias extensions (state) never recognise: their originals do. */
static int read_ext(struct read_ctx *rc, enum ext_type type)
{
	struct rule *r = rc->rule;
	/* One zeroed buffer serves every extension that declines: a calloc and
	 * a free per extension tried were a quarter of a 50k-rule read-back. */
	void *priv = NULL;
	size_t room = 0;

	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++) {
		const struct ext *x = *p;
		size_t need = x->priv_size ? x->priv_size : 1;
		int got;
		size_t pos = rc->pos;

		if (x->type != type || !x->recognise || x->alias_of)
			continue;
		if (!(x->families & (1u << r->family)))
			continue;
		if (type == EXT_MATCH && r->nmatches >= NFSH_MAX_MATCHES)
			break;
		/* A rule has one target: a second target statement (fuzz_read_rule
		 * found it leaking the first's data) makes the rule not iptables'. */
		if (type == EXT_TARGET && r->target_kind == TGT_EXT)
			break;
		if (need > room) {
			free(priv);
			room = need < 256 ? 256 : need;
			if (!(priv = calloc(1, room)))
				return -1;
		} else {
			memset(priv, 0, need);
		}
		got = x->recognise(rc, priv);
		if (got <= 0) {
			rc->pos = pos;
			if (got < 0) {
				free(priv);
				return -1;
			}
			continue;
		}
		if (type == EXT_MATCH) {
			r->matches[r->nmatches].ext = x;
			r->matches[r->nmatches].priv = priv;
			r->nmatches++;
		} else {
			r->target_kind = TGT_EXT;
			r->target.ext = x;
			r->target.priv = priv;
		}
		return 1;
	}
	free(priv);
	return 0;
}

/* "c=K": the comment match, read back last, stood at index K. */
static void move_comment(struct rule *r, int k)
{
	int last = r->nmatches - 1;
	struct ext_inst c;

	if (last < 1 || k < 0 || k >= last || strcmp(r->matches[last].ext->name, "comment"))
		return;
	c = r->matches[last];
	memmove(&r->matches[k + 1], &r->matches[k], (size_t)(last - k) * sizeof(c));
	r->matches[k] = c;
}

/* "i=NAME:K": an implicit match (tcp for -p tcp) without options of its own,
 * whose statement was read as the bare protocol: put it back at K. Zeroed
 * private data is an extension's "no options" state. */
static void insert_empty(struct rule *r, const char *spec)
{
	char name[64];
	const char *colon = strchr(spec, ':');
	const struct ext *x;
	int k;
	void *priv;

	if (!colon || (size_t)(colon - spec) >= sizeof(name) || r->nmatches >= NFSH_MAX_MATCHES)
		return;
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = '\0';
	x = ext_find(name, EXT_MATCH);
	if (!x || !x->implicit_proto || !r->proto_set || r->proto != x->implicit_proto)
		return;
	for (k = 0; k < r->nmatches; k++)
		if (r->matches[k].ext == x)
			return;
	k = atoi(colon + 1);
	if (k < 0 || k > r->nmatches)
		k = r->nmatches;
	priv = calloc(1, x->priv_size ? x->priv_size : 1);
	if (!priv)
		return;
	memmove(&r->matches[k + 1], &r->matches[k],
	        (size_t)(r->nmatches - k) * sizeof(r->matches[0]));
	r->matches[k] = (struct ext_inst){x, priv};
	r->nmatches++;
}

/* "m=state,...", "c=K", "j=NAME" and "i=NAME:K": give instances back the names
 * and places they were written with. */
static void apply_tag(struct rule *r, const char *tag)
{
	char buf[256], *save = NULL, *tok;
	int next = 0;

	/* Empty implicit matches first: the positions in "c=K" count them. */
	str_copy(buf, sizeof(buf), tag);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (strncmp(tok, "i=", 2) == 0)
			insert_empty(r, tok + 2);
	save = NULL;
	str_copy(buf, sizeof(buf), tag);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "m=", 2) == 0) {
			char *s2 = NULL, *name;

			for (name = strtok_r(tok + 2, ",", &s2); name;
			     name = strtok_r(NULL, ",", &s2)) {
				const struct ext *alias = ext_find(name, EXT_MATCH);

				if (!alias || !alias->alias_of)
					continue;
				for (; next < r->nmatches; next++)
					if (strcmp(r->matches[next].ext->name, alias->alias_of) ==
					    0) {
						r->matches[next++].ext = alias;
						break;
					}
			}
		} else if (strncmp(tok, "c=", 2) == 0) {
			move_comment(r, atoi(tok + 2));
		} else if (strncmp(tok, "j=", 2) == 0 && r->target_kind == TGT_EXT) {
			const struct ext *alias = ext_find(tok + 2, EXT_TARGET);

			if (alias && alias->alias_of &&
			    strcmp(alias->alias_of, r->target.ext->name) == 0)
				r->target.ext = alias;
		}
	}
}

int xlate_read_rule(json_t *rule, int table, struct rule *out, char *why, size_t whylen)
{
	const char *family = json_string_value(json_object_get(rule, "family"));
	const char *chain = json_string_value(json_object_get(rule, "chain"));
	json_t *exprs = json_object_get(rule, "expr");
	char user[NFSH_COMMENT_MAX + 64], tag[256];
	struct read_ctx rc;
	long long handle;

	rule_init(out, family && strcmp(family, "ip6") == 0 ? NFSH_IPV6 : NFSH_IPV4, table, chain);
	why[0] = '\0';
	if (nftj_get_int(json_object_get(rule, "handle"), &handle))
		out->handle = (uint64_t)handle;
	if (!json_is_array(exprs)) {
		snprintf(why, whylen, "rule without statements");
		return 1;
	}
	xlate_split_comment(json_string_value(json_object_get(rule, "comment")), user, sizeof(user),
	                    tag, sizeof(tag));
	rc = (struct read_ctx){
	    out->family, table, exprs, 0, out, user[0] ? user : NULL, false, tag[0] ? tag : NULL};
	while (rc.pos < json_array_size(exprs)) {
		json_t *stmt = json_array_get(exprs, rc.pos);
		int got;

		if (out->target_kind == TGT_NONE && !out->counters_set && out->nmatches == 0 &&
		    read_generic_match(out, stmt)) {
			rc.pos++;
			continue;
		}
		if (read_counter(out, stmt) || read_verdict(out, stmt)) {
			rc.pos++;
			continue;
		}
		got = read_ext(&rc, out->counters_set ? EXT_TARGET : EXT_MATCH);
		if (got == 0 && !out->counters_set && read_generic_match(out, stmt)) {
			rc.pos++;
			continue;
		}
		if (got <= 0) {
			char *txt = json_dumps(stmt, JSON_COMPACT);

			snprintf(why, whylen, "%s", txt ? txt : "statement");
			free(txt);
			return 1;
		}
	}
	/* The comment is no statement: offer it once all statements are read. */
	if (rc.comment && !rc.comment_taken && read_ext(&rc, EXT_MATCH) < 0)
		return -1;
	if (rc.comment && !rc.comment_taken) {
		/* A comment nobody claimed (no comment extension?): keep it visible. */
		snprintf(why, whylen, "comment \"%s\"", rc.comment);
		return 1;
	}
	if (tag[0])
		apply_tag(out, tag);
	return 0;
}

/* ---- rules read without JSON (nl_read.h's struct nlr_fast) ----
 *
 * The same reading as xlate_read_rule's for the shapes a struct nlr_fast
 * holds, in the order that reading takes: the generic matches first (while
 * nothing else is read, they are tried before any extension), then the
 * ports (the first extension in the registry to claim "tcp dport N" is tcp,
 * as for udp: multiport only with an i=multiport tag), the counter, the
 * verdict or target, and the comment last. The extensions' private data is
 * made by their own parsers from the words iptables would take. Anything
 * else, including a tag that extensions read (i=, j=), is left to the JSON
 * reading (0). NFSH_READ_CHECK=fast compares the two (cmd/table_read.c). */

static bool fast_iface(struct rule *r, const struct nlr_fstmt *st)
{
	struct iface_match *m = st->out ? &r->out : &r->in;
	size_t n = strlen(st->text);

	if (m->set || n == 0 || n >= sizeof(m->name) ||
	    (n >= 2 && !strcmp(st->text + n - 2, "\\*")) || !strcmp(st->text, "INVAL/D"))
		return false;
	memcpy(m->name, st->text, n + 1);
	if (m->name[n - 1] == '*')
		m->name[n - 1] = '+';
	m->set = true;
	m->invert = st->neq;
	return true;
}

static bool fast_addr(struct rule *r, const struct nlr_fstmt *st)
{
	struct addr_match *m = st->out ? &r->dst : &r->src, tmp = {0};
	int full = r->family == NFSH_IPV6 ? 128 : 32;
	uint8_t plain[16];
	char text[128];

	if (m->set)
		return false;
	if (st->plen >= 0) {
		if (st->plen > full || !parse_plain_addr(r->family, st->text, plain))
			return false;
		snprintf(text, sizeof(text), "%s/%d", st->text, st->plen);
	} else {
		str_copy(text, sizeof(text), st->text);
	}
	if (addr_parse(text, r->family, &tmp) < 0)
		return false;
	*m = tmp;
	m->invert = st->neq;
	return true;
}

static bool fast_proto(struct rule *r, const struct nlr_fstmt *st)
{
	int num = proto_lookup(st->text);

	if ((r->family == NFSH_IPV6 && !st->meta) || r->proto_set || num < 0)
		return false;
	r->proto_set = true;
	r->proto = num;
	r->proto_invert = st->neq;
	return true;
}

/* A zeroed instance of extension name, or NULL. */
static struct ext_inst fast_inst(const char *name, enum ext_type type, int family)
{
	const struct ext *x = ext_find(name, type);
	struct ext_inst in = {0};

	if (!x || !(x->families & (1u << family)) || x->alias_of)
		return in;
	in.ext = x;
	in.priv = calloc(1, x->priv_size ? x->priv_size : 1);
	if (!in.priv)
		in.ext = NULL;
	return in;
}

/* Option opt of in's extension with one word, through its parser. */
static bool fast_parse(struct ext_inst *in, const struct rule *r, const char *opt, bool invert,
                       const char *word)
{
	struct ext_parse_ctx pc = {r->family, r->table, r->chain, r};
	const char *args[] = {word, NULL};
	const struct ext_opt *o;
	struct nfsh_err e;
	bool ambiguous = false;

	err_clear(&e);
	o = ext_opt_find(in->ext, opt, &ambiguous);
	return o && !ambiguous && in->ext->parse &&
	       in->ext->parse(&pc, in->priv, o, invert, args, &e) == 0;
}

static void fast_drop(struct ext_inst *in)
{
	free(in->priv);
	in->ext = NULL;
	in->priv = NULL;
}

/* The sport or dport field of a tcp or udp match's private data. */
static struct port_match *fast_port(struct ext_inst *in, int l4, bool dport)
{
	if (l4 == 6) {
		struct tcp_priv *p = in->priv;

		return dport ? &p->dport : &p->sport;
	}
	struct udp_priv *p = in->priv;

	return dport ? &p->dport : &p->sport;
}

/* The run of port statements at s[*i] as one tcp or udp match. */
static bool fast_ports(struct rule *r, const struct nlr_fast *f, int *i)
{
	int l4 = f->s[*i].l4;
	struct ext_inst in = fast_inst(l4 == 6 ? "tcp" : "udp", EXT_MATCH, r->family);

	if ((l4 != 6 && l4 != 17) || !in.ext || r->nmatches >= NFSH_MAX_MATCHES ||
	    (r->proto_set && (r->proto != l4 || r->proto_invert))) {
		fast_drop(&in);
		return false;
	}
	for (; *i < f->n && f->s[*i].kind == NLF_PORT; (*i)++) {
		const struct nlr_fstmt *st = &f->s[*i];
		struct port_match *m = fast_port(&in, l4, st->out);

		/* What port_match_parse makes of "LO[:HI]", without the text. */
		if (st->l4 != l4 || m->set || st->port < 0 || st->port_hi > 65535 ||
		    st->port > st->port_hi) {
			fast_drop(&in);
			return false;
		}
		*m = (struct port_match){.set = true,
		                         .invert = st->neq,
		                         .lo = (unsigned)st->port,
		                         .hi = (unsigned)st->port_hi};
	}
	r->matches[r->nmatches++] = in;
	if (!r->proto_set) {
		r->proto_set = true;
		r->proto = l4;
		r->proto_invert = false;
	}
	return true;
}

static bool fast_target(struct rule *r, const struct nlr_fstmt *st)
{
	struct ext_inst in;
	char to[64];

	if (st->kind == NLF_VERDICT) {
		switch (st->verdict) {
		case NF_ACCEPT:
			r->target_kind = TGT_ACCEPT;
			return true;
		case NF_DROP:
			r->target_kind = TGT_DROP;
			return true;
		case NFT_RETURN:
			r->target_kind = TGT_RETURN;
			return true;
		default:
			if (!st->chain || strlen(st->chain) > NFSH_CHAIN_MAX)
				return false;
			r->target_kind = st->verdict == NFT_JUMP ? TGT_JUMP : TGT_GOTO;
			str_copy(r->jump, sizeof(r->jump), st->chain);
			return true;
		}
	}
	if (st->kind == NLF_MASQ)
		in = fast_inst("MASQUERADE", EXT_TARGET, r->family);
	else if (st->kind == NLF_NAT)
		in = fast_inst(st->out ? "DNAT" : "SNAT", EXT_TARGET, r->family);
	else
		return false;
	if (!in.ext)
		return false;
	if (st->kind == NLF_NAT) {
		bool v6 = r->family == NFSH_IPV6;

		if (st->port < 0)
			str_copy(to, sizeof(to), st->text);
		else
			snprintf(to, sizeof(to), "%s%s%s:%d", v6 ? "[" : "", st->text,
			         v6 ? "]" : "", st->port);
		if (!fast_parse(&in, r, st->out ? "to-destination" : "to-source", false, to)) {
			fast_drop(&in);
			return false;
		}
	}
	r->target_kind = TGT_EXT;
	r->target = in;
	return true;
}

/* The comment, claimed last as the comment match. */
static bool fast_comment(struct rule *r, const char *user)
{
	struct ext_inst in;

	if (strlen(user) > 255 || r->nmatches >= NFSH_MAX_MATCHES) /* comment.c's limit */
		return false;
	in = fast_inst("comment", EXT_MATCH, r->family);
	if (!in.ext)
		return false;
	if (!fast_parse(&in, r, "comment", false, user)) {
		fast_drop(&in);
		return false;
	}
	r->matches[r->nmatches++] = in;
	return true;
}

static bool fast_body(const struct nlr_fast *f, struct rule *out, const char *user)
{
	int i = 0;

	for (; i < f->n; i++) {
		const struct nlr_fstmt *st = &f->s[i];

		if (st->kind == NLF_IFACE   ? !fast_iface(out, st)
		    : st->kind == NLF_ADDR  ? !fast_addr(out, st)
		    : st->kind == NLF_PROTO ? !fast_proto(out, st)
		                            : true)
			break;
	}
	if (i < f->n && f->s[i].kind == NLF_IFACE)
		return false;
	if (i < f->n && (f->s[i].kind == NLF_ADDR || f->s[i].kind == NLF_PROTO))
		return false;
	if (i < f->n && f->s[i].kind == NLF_PORT && !fast_ports(out, f, &i))
		return false;
	if (i >= f->n || f->s[i].kind != NLF_COUNTER)
		return false;
	out->counters_set = true;
	out->packets = f->s[i].packets;
	out->bytes = f->s[i].bytes;
	i++;
	if (i < f->n && !fast_target(out, &f->s[i++]))
		return false;
	return i == f->n && (!user[0] || fast_comment(out, user));
}

/* Recognisers read the tag too (i=multiport, i=tos, j=TOS...): the only
 * entries taken here are those apply_tag alone reads (m=, c=) and the empty
 * implicit tcp or udp match (i=tcp:K, i=udp:K). */
static bool fast_tag_ok(const char *tag)
{
	for (const char *t = tag; (t = strchr(t, '=')); t++) {
		if (t == tag)
			return false;
		if (t[-1] == 'm' || t[-1] == 'c')
			continue;
		if (t[-1] != 'i' || (strncmp(t + 1, "tcp:", 4) && strncmp(t + 1, "udp:", 4)))
			return false;
	}
	return true;
}

int xlate_read_fast(const struct nlr_fast *f, int table, struct rule *out)
{
	char user[NFSH_COMMENT_MAX + 64], tag[256];

	rule_init(out, f->family, table, f->chain);
	out->handle = f->handle;
	xlate_split_comment(f->comment, user, sizeof(user), tag, sizeof(tag));
	if (!fast_tag_ok(tag) || !fast_body(f, out, user)) {
		rule_release(out);
		return 0;
	}
	if (tag[0])
		apply_tag(out, tag);
	return 1;
}

/* -m multiport: up to 15 ports (a range takes two) of tcp, udp, udplite, sctp
 * or dccp (-p is required, as in iptables).
 *   --sports|--dports [!] LIST   PROTO sport|dport [!=] { P, LO-HI, ... }
 *                                (one item: no set, as iptables-translate writes it)
 *   --ports [!] LIST             source OR destination port in LIST: one test of
 *                                the pair, PROTO sport . PROTO dport [!=] { ... },
 *                                exact, so no rule pair is needed.
 * For --ports the set is the corpus form { 0-65535 . P, P . 0-65535, ... } when
 * the kernel takes it; its interval set refuses elements whose corners lie in
 * another one, which happens when an item reaches port 0 or 65535. Then the
 * same pairs are written as disjoint rectangles: P x any, and (not P) x P.
 * A one-item --sports/--dports of tcp/udp is the expression -m tcp --dport
 * writes; the form tag (i=multiport:K) tells read-back which one was written.
 * Lists are kept sorted with overlaps merged, as the kernel's set holds them
 * (iptables -S would print them as typed). */
#include "ext/tcp.h"
#include "nft/json.h"

#include <stdlib.h>
#include <string.h>

#define MP_SLOTS 15 /* xt_multiport's XT_MULTI_PORTS */

enum mp_kind { MP_NONE, MP_SPORTS, MP_DPORTS, MP_PORTS };

struct mp_item {
	unsigned lo, hi;
};

struct mp_priv {
	int kind; /* enum mp_kind */
	bool inv;
	int proto; /* the rule's protocol, for service names in -L */
	int n;
	struct mp_item it[MP_SLOTS];
};

static const struct {
	int proto;
	const char *name;
} mp_protos[] = {
    {6, "tcp"}, {17, "udp"}, {136, "udplite"}, {132, "sctp"}, {33, "dccp"},
};

static const char *l4_name(int proto)
{
	for (size_t i = 0; i < sizeof(mp_protos) / sizeof(mp_protos[0]); i++)
		if (mp_protos[i].proto == proto)
			return mp_protos[i].name;
	return NULL;
}

static int l4_proto(const char *name)
{
	for (size_t i = 0; i < sizeof(mp_protos) / sizeof(mp_protos[0]); i++)
		if (strcmp(mp_protos[i].name, name) == 0)
			return mp_protos[i].proto;
	return 0;
}

static const struct ext_opt mp_opts[] = {
    {"source-ports", MP_SPORTS, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[,PORT:PORT...]",
     "source port in the list (up to 15 ports, a range counts two)"},
    {"sports", MP_SPORTS, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[,PORT:PORT...]",
     "source port in the list (up to 15 ports, a range counts two)"},
    {"destination-ports", MP_DPORTS, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[,PORT:PORT...]",
     "destination port in the list (up to 15 ports, a range counts two)"},
    {"dports", MP_DPORTS, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[,PORT:PORT...]",
     "destination port in the list (up to 15 ports, a range counts two)"},
    {"ports", MP_PORTS, 1, EXT_OPT_INV, VK_PORT, NULL, "PORT[,PORT:PORT...]",
     "source or destination port in the list"},
};

static int slots(const struct mp_priv *p)
{
	int s = 0;

	for (int i = 0; i < p->n; i++)
		s += p->it[i].lo == p->it[i].hi ? 1 : 2;
	return s;
}

static int mp_parse(const struct ext_parse_ctx *c, void *priv, const struct ext_opt *opt,
                    bool invert, const char *const *args, struct nfsh_err *e)
{
	struct mp_priv *p = priv;
	char buf[512], *save = NULL, *tok;
	const char *arg = args[0];

	(void)c;
	if (p->kind)
		return err_set(e, NFSH_EPARAM, opt->name,
		               "-m multiport takes one of --sports, --dports, --ports, once");
	if (strlen(arg) >= sizeof(buf) || !*arg || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,"))
		return err_set(e, NFSH_EPARAM, arg, "bad port list \"%s\" for --%s", arg,
		               opt->name);
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct mp_item *m = &p->it[p->n];

		if (p->n >= MP_SLOTS || parse_port_range(tok, &m->lo, &m->hi) < 0 ||
		    m->lo > m->hi) {
			if (p->n < MP_SLOTS)
				err_set(e, NFSH_EPARAM, tok, "invalid port or range \"%s\" in --%s",
				        tok, opt->name);
			else
				err_set(e, NFSH_EPARAM, arg, "too many ports in --%s \"%s\"",
				        opt->name, arg);
			err_hint(e,
			         "up to %d ports 0-65535 or service names, a range FIRST:LAST "
			         "counting two",
			         MP_SLOTS);
			return -1;
		}
		p->n++;
	}
	if (slots(p) > MP_SLOTS) {
		err_set(e, NFSH_EPARAM, arg, "too many ports in --%s \"%s\": %d of %d slots",
		        opt->name, arg, slots(p), MP_SLOTS);
		err_hint(e, "a range counts two; split the list over two rules");
		return -1;
	}
	p->kind = opt->id;
	p->inv = invert;
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct mp_item *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorted, overlaps merged: the set of ports as disjoint ranges. With
 * adjacent, neighbours (22 and 23-25) merge too, as libnftables merges them in
 * a set that holds a range: --dports 1,2,4:5 lists back as { 1-2, 4-5 }, while
 * a list of single ports (22,23) stays as it is. */
static int normalise(const struct mp_item *in, int n, struct mp_item *out, bool adjacent)
{
	int k = 0;

	memcpy(out, in, (size_t)n * sizeof(*in));
	qsort(out, (size_t)n, sizeof(*out), cmp_item);
	for (int i = 0; i < n; i++) {
		if (k &&
		    (out[i].lo <= out[k - 1].hi || (adjacent && out[i].lo == out[k - 1].hi + 1))) {
			if (out[i].hi > out[k - 1].hi)
				out[k - 1].hi = out[i].hi;
			continue;
		}
		out[k++] = out[i];
	}
	return k;
}

static int mp_check(const struct ext_parse_ctx *c, void *priv, struct nfsh_err *e)
{
	struct mp_priv *p = priv;
	const struct rule *r = c->rule;

	if (!p->kind) {
		err_set(e, NFSH_EPARAM, "multiport",
		        "-m multiport needs --sports, --dports or --ports");
		err_hint(e, "e.g. -p tcp -m multiport --dports 80,443");
		return -1;
	}
	if (!r || !r->proto_set || r->proto_invert || !l4_name(r->proto)) {
		err_set(e, NFSH_EPARAM, "multiport",
		        "-m multiport needs -p tcp, udp, udplite, sctp or dccp");
		err_hint(e, "add -p tcp (or udp...) to the rule");
		return -1;
	}
	p->proto = r->proto;
	/* The kernel keeps a set sorted and merges overlapping items, and read-back
	 * can only see that: the rule says the same, so -S, -C and -D agree. */
	if (p->n > 1) {
		struct mp_item tmp[MP_SLOTS];
		bool ranges = false;

		for (int i = 0; i < p->n; i++)
			ranges |= p->it[i].lo != p->it[i].hi;
		p->n = normalise(p->it, p->n, tmp, ranges && p->kind != MP_PORTS);
		memcpy(p->it, tmp, (size_t)p->n * sizeof(tmp[0]));
	}
	return 0;
}

static json_t *item_value(const struct mp_item *m)
{
	if (m->lo == m->hi)
		return nftj_int(m->lo);
	return nftj_range(nftj_int(m->lo), nftj_int(m->hi));
}

static json_t *pair(json_t *a, json_t *b)
{
	return nftj_put(nftj_object(), "concat", nftj_push(nftj_push(nftj_array(), a), b));
}

/* The pairs of --ports as set elements: the corpus form when the kernel's
 * interval set takes it, else disjoint rectangles (see the top of the file). */
static json_t *ports_elements(const struct mp_item *in, int n)
{
	struct mp_item P[MP_SLOTS], C[MP_SLOTS + 1];
	struct mp_item any = {0, 65535};
	int np = normalise(in, n, P, false), nc = 0;
	bool corners = false;
	json_t *els = nftj_array();
	unsigned next = 0;

	for (int i = 0; i < np; i++)
		corners |= P[i].lo == 0 || P[i].hi == 65535;
	if (!corners) {
		for (int i = 0; i < np; i++) {
			nftj_push(els, pair(item_value(&any), item_value(&P[i])));
			nftj_push(els, pair(item_value(&P[i]), item_value(&any)));
		}
		return els;
	}
	for (int i = 0; i < np; i++) {
		if (P[i].lo > next)
			C[nc++] = (struct mp_item){next, P[i].lo - 1};
		next = P[i].hi + 1;
	}
	if (next <= 65535)
		C[nc++] = (struct mp_item){next, 65535};
	for (int i = 0; i < np; i++)
		nftj_push(els, pair(item_value(&P[i]), item_value(&any)));
	for (int c = 0; c < nc; c++)
		for (int i = 0; i < np; i++)
			nftj_push(els, pair(item_value(&C[c]), item_value(&P[i])));
	return els;
}

static int mp_emit(struct emit_ctx *x, const void *priv)
{
	const struct mp_priv *p = priv;
	const char *l4 = l4_name(x->rule->proto);
	const char *op = p->inv ? "!=" : "==";
	json_t *els;

	if (!l4)
		return err_set(x->err, NFSH_EPARAM, "multiport",
		               "-m multiport needs -p tcp|udp|...");
	if (p->kind == MP_PORTS)
		return ext_emit(
		    x, nftj_match(op, pair(nftj_payload(l4, "sport"), nftj_payload(l4, "dport")),
		                  nftj_set(ports_elements(p->it, p->n))));
	if (p->n == 1) {
		/* tcp's and udp's own --sport/--dport: the form tag keeps "multiport". */
		x->keep_name = x->rule->proto == 6 || x->rule->proto == 17;
		return ext_emit(
		    x, nftj_match(op, nftj_payload(l4, p->kind == MP_SPORTS ? "sport" : "dport"),
		                  item_value(&p->it[0])));
	}
	els = nftj_array();
	for (int i = 0; i < p->n; i++)
		nftj_push(els, item_value(&p->it[i]));
	return ext_emit(x,
	                nftj_match(op, nftj_payload(l4, p->kind == MP_SPORTS ? "sport" : "dport"),
	                           nftj_set(els)));
}

/* ---- read-back ---- */

static bool read_item(json_t *v, struct mp_item *m)
{
	json_t *a, *b;
	long long lo, hi;

	if (nftj_get_int(v, &lo))
		hi = lo;
	else if (!nftj_get_range(v, &a, &b) || !nftj_get_int(a, &lo) || !nftj_get_int(b, &hi))
		return false;
	if (lo < 0 || hi > 65535 || lo > hi)
		return false;
	m->lo = (unsigned)lo;
	m->hi = (unsigned)hi;
	return true;
}

/* Rectangles of a --ports set, compared in a canonical order. */
struct rect {
	struct mp_item a, b;
};

static int cmp_rect(const void *x, const void *y)
{
	const struct rect *r = x, *s = y;

	if (r->a.lo != s->a.lo)
		return r->a.lo < s->a.lo ? -1 : 1;
	if (r->a.hi != s->a.hi)
		return r->a.hi < s->a.hi ? -1 : 1;
	if (r->b.lo != s->b.lo)
		return r->b.lo < s->b.lo ? -1 : 1;
	return r->b.hi < s->b.hi ? -1 : r->b.hi > s->b.hi;
}

static int rects_of(json_t *els, struct rect *out, int max)
{
	size_t i;
	json_t *el;
	int n = 0;

	json_array_foreach(els, i, el)
	{
		json_t *c = json_object_get(el, "concat");

		if (n >= max || !json_is_array(c) || json_array_size(c) != 2 ||
		    !read_item(json_array_get(c, 0), &out[n].a) ||
		    !read_item(json_array_get(c, 1), &out[n].b))
			return -1;
		n++;
	}
	qsort(out, (size_t)n, sizeof(*out), cmp_rect);
	return n;
}

#define MP_RECTS (MP_SLOTS + MP_SLOTS * (MP_SLOTS + 1))

/* The port list whose pairs are exactly these elements, in either form. */
static bool read_ports(struct mp_priv *p, json_t *els)
{
	struct rect got[MP_RECTS], want[MP_RECTS];
	json_t *mine;
	int ng, nw;

	ng = rects_of(els, got, MP_RECTS);
	if (ng <= 0)
		return false;
	p->n = 0;
	/* Both forms hold P x any: its first halves are the list. */
	for (int i = 0; i < ng; i++)
		if (got[i].b.lo == 0 && got[i].b.hi == 65535) {
			if (p->n >= MP_SLOTS)
				return false;
			p->it[p->n++] = got[i].a;
		}
	if (!p->n || slots(p) > MP_SLOTS)
		return false;
	mine = ports_elements(p->it, p->n);
	nw = rects_of(mine, want, MP_RECTS);
	json_decref(mine);
	return nw == ng && memcmp(got, want, (size_t)ng * sizeof(got[0])) == 0;
}

static bool is_port_field(json_t *e, const char **l4, const char **field)
{
	return nftj_is_payload(e, l4, field) && l4_proto(*l4) &&
	       (strcmp(*field, "sport") == 0 || strcmp(*field, "dport") == 0);
}

static int mp_recognise(struct read_ctx *r, void *priv)
{
	struct mp_priv *p = priv;
	const char *op, *l4, *field, *l4b, *fieldb;
	json_t *left, *right, *lc, *els;
	size_t i;
	json_t *v;

	if (!read_peek(r, 0) || !nftj_get_match(read_peek(r, 0), &op, &left, &right) ||
	    (strcmp(op, "==") && strcmp(op, "!=")))
		return 0;
	lc = json_object_get(left, "concat");
	if (lc) {
		if (!json_is_array(lc) || json_array_size(lc) != 2 ||
		    !is_port_field(json_array_get(lc, 0), &l4, &field) ||
		    !is_port_field(json_array_get(lc, 1), &l4b, &fieldb) || strcmp(l4, l4b) ||
		    strcmp(field, "sport") || strcmp(fieldb, "dport") || !nftj_get_set(right) ||
		    !read_ports(p, nftj_get_set(right)))
			return 0;
		p->kind = MP_PORTS;
	} else {
		if (!is_port_field(left, &l4, &field))
			return 0;
		els = nftj_get_set(right);
		if (els) {
			json_array_foreach(els, i, v)
			{
				if (p->n >= MP_SLOTS || !read_item(v, &p->it[p->n]))
					return 0;
				p->n++;
			}
			if (!p->n || slots(p) > MP_SLOTS)
				return 0;
		} else {
			/* One item of tcp/udp/sctp/dccp is -m tcp --dport's (sctp's,
			 * dccp's) too: ours only when the form tag says multiport was
			 * written. */
			if (((l4_proto(l4) == 6 || l4_proto(l4) == 17 || l4_proto(l4) == 132 ||
			      l4_proto(l4) == 33) &&
			     !read_tag_names(r, "multiport")) ||
			    !read_item(right, &p->it[0]))
				return 0;
			p->n = 1;
		}
		p->kind = field[0] == 's' ? MP_SPORTS : MP_DPORTS;
	}
	p->inv = op[0] == '!';
	p->proto = l4_proto(l4);
	if (r->rule->proto_set && (r->rule->proto != p->proto || r->rule->proto_invert))
		return 0;
	read_take(r, 1);
	read_claim_proto(r, p->proto);
	return 1;
}

/* ---- printing ---- */

static const char *const kind_names[] = {"", "sports", "dports", "ports"};

static void mp_save(const void *priv, int family, struct strbuf *sb)
{
	const struct mp_priv *p = priv;

	(void)family;
	sb_addf(sb, "%s --%s ", p->inv ? " !" : "", kind_names[p->kind]);
	for (int i = 0; i < p->n; i++) {
		sb_addf(sb, "%s%u", i ? "," : "", p->it[i].lo);
		if (p->it[i].hi != p->it[i].lo)
			sb_addf(sb, ":%u", p->it[i].hi);
	}
}

/* iptables -L: "multiport dports http,https", "multiport sports  !53,1024:65535". */
static void mp_list(const void *priv, int family, bool numeric, struct strbuf *sb)
{
	const struct mp_priv *p = priv;
	const char *l4 = l4_name(p->proto) ? l4_name(p->proto) : "tcp";

	(void)family;
	sb_addf(sb, "multiport %s %s", kind_names[p->kind], p->inv ? " !" : "");
	for (int i = 0; i < p->n; i++) {
		if (i)
			sb_addc(sb, ',');
		port_print(p->it[i].lo, l4, numeric, sb);
		if (p->it[i].hi != p->it[i].lo) {
			sb_addc(sb, ':');
			port_print(p->it[i].hi, l4, numeric, sb);
		}
	}
}

const struct ext ext_multiport = {
    .name = "multiport",
    .type = EXT_MATCH,
    .help = "lists of source and/or destination ports (tcp, udp, udplite, sctp, dccp)",
    .families = NFSH_F_ANY,
    .opts = mp_opts,
    .nopts = sizeof(mp_opts) / sizeof(mp_opts[0]),
    .priv_size = sizeof(struct mp_priv),
    .parse = mp_parse,
    .check = mp_check,
    .emit = mp_emit,
    .recognise = mp_recognise,
    .save = mp_save,
    .list = mp_list,
};
EXT_REGISTER(ext_multiport);

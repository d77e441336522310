/* iptables -S and -L layouts, column for column as iptables-nft 1.8.9 prints
 * them (compared against it in tests/integration). */
#include "cmd/print.h"
#include "ext/ext.h"
#include "xlate/xlate.h"

#include <string.h>

void print_num(struct strbuf *sb, unsigned long long n, bool exact, bool notable)
{
	static const char units[] = "KMGT";

	if (exact) {
		sb_addf(sb, notable ? "%llu " : "%8llu ", n);
		return;
	}
	if (n <= 99999) {
		sb_addf(sb, notable ? "%llu " : "%5llu ", n);
		return;
	}
	for (int u = 0; u < 4; u++) {
		n = (n + 500) / 1000;
		if (n <= 9999 || u == 3) {
			sb_addf(sb, notable ? "%llu%c " : "%4llu%c ", n, units[u]);
			return;
		}
	}
}

static void spec_chain_head(const struct chain_info *ch, bool counters, FILE *out)
{
	if (ch->builtin)
		fprintf(out, "-P %s %s%s\n", ch->name, ch->policy, counters ? " -c 0 0" : "");
	else
		fprintf(out, "-N %s\n", ch->name);
}

static void spec_rule(const struct chain_info *ch, int k, bool counters, FILE *out)
{
	struct strbuf sb;

	if (ch->foreign && ch->foreign[k]) {
		fprintf(out, "# -A %s: rule not expressible in iptables syntax: %s\n", ch->name,
		        ch->foreign[k]);
		return;
	}
	sb_init(&sb);
	print_rule_save(&ch->rules[k], counters, &sb);
	fprintf(out, "%s\n", sb_str(&sb));
	sb_free(&sb);
}

void print_spec(const struct table_info *ti, const char *chain, int rulenum, bool counters,
                FILE *out)
{
	for (int i = 0; i < ti->nchains; i++) {
		const struct chain_info *ch = &ti->chains[i];

		if (chain && strcmp(ch->name, chain))
			continue;
		if (rulenum) {
			if (rulenum <= ch->nrules)
				spec_rule(ch, rulenum - 1, counters, out);
			continue;
		}
		spec_chain_head(ch, counters, out);
	}
	if (rulenum)
		return;
	for (int i = 0; i < ti->nchains; i++) {
		const struct chain_info *ch = &ti->chains[i];

		if (chain && strcmp(ch->name, chain))
			continue;
		for (int k = 0; k < ch->nrules; k++)
			spec_rule(ch, k, counters, out);
	}
}

struct list_fmt {
	bool verbose, numeric, exact, linenum;
};

static void list_header(const struct chain_info *ch, const struct list_fmt *f, FILE *out)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_addf(&sb, "Chain %s", ch->name);
	if (ch->builtin) {
		sb_addf(&sb, " (policy %s", ch->policy);
		if (f->verbose) {
			/* nfsh's base chains keep no policy counters: iptables-nft shows 0 too. */
			sb_add(&sb, " ");
			print_num(&sb, 0, f->exact, true);
			sb_add(&sb, "packets, ");
			print_num(&sb, 0, f->exact, true);
			sb_add(&sb, "bytes");
		}
		sb_add(&sb, ")\n");
	} else {
		sb_addf(&sb, " (%d references)\n", ch->refs);
	}
	if (f->linenum)
		sb_addf(&sb, "%-4s ", "num");
	if (f->verbose) {
		if (f->exact)
			sb_addf(&sb, "%8s %10s ", "pkts", "bytes");
		else
			sb_addf(&sb, "%5s %5s ", "pkts", "bytes");
	}
	sb_addf(&sb, "%-9s  prot opt", "target");
	if (f->verbose)
		sb_addf(&sb, " %-6s %-6s ", "in", "out");
	sb_addf(&sb, " %-19s  %-19s \n", "source", "destination");
	fputs(sb_str(&sb), out);
	sb_free(&sb);
}

static const char *target_name(const struct rule *r)
{
	switch (r->target_kind) {
	case TGT_ACCEPT:
		return "ACCEPT";
	case TGT_DROP:
		return "DROP";
	case TGT_RETURN:
		return "RETURN";
	case TGT_JUMP:
	case TGT_GOTO:
		return r->jump;
	case TGT_EXT:
		/* iptables shows an alias target under the real one (NOTRACK is CT). */
		return r->target.ext->alias_of ? r->target.ext->alias_of : r->target.ext->name;
	default:
		return "";
	}
}

/* An extension's -L text after one blank; nothing at all when it prints nothing
 * (NFLOG without options), so lines end as iptables' do. */
static void list_ext(const struct ext *x, const void *priv, int family, bool numeric,
                     struct strbuf *sb)
{
	struct strbuf tmp;

	sb_init(&tmp);
	x->list(priv, family, numeric, &tmp);
	if (tmp.len) {
		sb_addc(sb, ' ');
		sb_add(sb, sb_str(&tmp));
	}
	sb_free(&tmp);
}

static void list_addr(struct strbuf *sb, const struct addr_match *m, int family, bool numeric)
{
	char buf[128];
	struct addr_match any = {.set = true, .family = family, .prefix = 0};

	if (!m->set)
		m = &any;
	sb_addc(sb, m->invert ? '!' : ' ');
	if (m->prefix == 0 && !numeric)
		snprintf(buf, sizeof(buf), "anywhere");
	else
		addr_format(m, buf, sizeof(buf), m->prefix == 0);
	sb_addf(sb, "%-19s ", buf);
}

static void list_iface(struct strbuf *sb, const struct iface_match *m, bool numeric)
{
	char buf[NFSH_IFNAME_MAX + 2];

	if (m->set)
		snprintf(buf, sizeof(buf), "%s%s", m->invert ? "!" : "", m->name);
	else
		snprintf(buf, sizeof(buf), "%s", numeric ? "*" : "any");
	sb_addf(sb, "%-6s ", buf);
}

static void list_rule(const struct rule *r, int num, const struct list_fmt *f, struct strbuf *sb)
{
	const char *pname = r->proto ? proto_name(r->proto) : "all";
	char pbuf[16];

	/* iptables and ip6tables name protocol 58 as /etc/protocols does (as -S
	 * does too). */
	if (r->proto == 58)
		pname = "ipv6-icmp";

	if (f->linenum)
		sb_addf(sb, "%-4d ", num);
	if (f->verbose) {
		print_num(sb, r->packets, f->exact, false);
		print_num(sb, r->bytes, f->exact, false);
	}
	sb_addf(sb, "%-9s ", target_name(r));
	sb_addc(sb, r->proto_invert ? '!' : ' ');
	if (f->numeric || !pname)
		snprintf(pbuf, sizeof(pbuf), "%d", r->proto);
	else
		snprintf(pbuf, sizeof(pbuf), "%s", pname);
	sb_addf(sb, "%-4s ", pbuf);
	sb_addc(sb, r->frag_invert ? '!' : '-');
	sb_addc(sb, r->frag_set ? 'f' : '-');
	sb_addc(sb, ' ');
	if (f->verbose) {
		sb_addc(sb, ' ');
		list_iface(sb, &r->in, f->numeric);
		list_iface(sb, &r->out, f->numeric);
	}
	list_addr(sb, &r->src, r->family, f->numeric);
	list_addr(sb, &r->dst, r->family, f->numeric);
	/* iptables prints "[goto] " before the matches, right after the address columns. */
	if (r->target_kind == TGT_GOTO)
		sb_add(sb, "[goto] ");
	for (int k = 0; k < r->nmatches; k++)
		if (r->matches[k].ext->list)
			list_ext(r->matches[k].ext, r->matches[k].priv, r->family, f->numeric, sb);
	if (r->target_kind == TGT_EXT && r->target.ext->list)
		list_ext(r->target.ext, r->target.priv, r->family, f->numeric, sb);
}

/* xtables_chain_protos: the names iptables prints without a lookup. */
static const char *brief_proto(int proto)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {{0, "all"},        {1, "icmp"},   {6, "tcp"},
	             {17, "udp"},       {50, "esp"},   {51, "ah"},
	             {58, "ipv6-icmp"}, {132, "sctp"}, {135, "mobility-header"},
	             {136, "udplite"}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == proto)
			return names[i].name;
	return NULL;
}

void print_rule_brief(const struct rule *r, FILE *out)
{
	struct list_fmt f = {.numeric = true};
	const char *pname = brief_proto(r->proto);
	struct addr_match any = {.set = true, .family = r->family, .prefix = 0};
	const struct addr_match *src = r->src.set ? &r->src : &any;
	const struct addr_match *dst = r->dst.set ? &r->dst : &any;
	char a[128], b[128];
	struct strbuf sb;

	sb_init(&sb);
	sb_addf(&sb, "%s %c", target_name(r), r->proto_invert ? '!' : ' ');
	if (pname)
		sb_addf(&sb, "%s ", pname);
	else
		sb_addf(&sb, "%d ", r->proto);
	sb_addf(&sb, "opt %c%c ", r->frag_invert ? '!' : '-', r->frag_set ? 'f' : '-');
	sb_addf(&sb, "in %s%s ", r->in.set && r->in.invert ? "!" : "",
	        r->in.set ? r->in.name : "*");
	sb_addf(&sb, "out %s%s ", r->out.set && r->out.invert ? "!" : "",
	        r->out.set ? r->out.name : "*");
	addr_format(src, a, sizeof(a), src->prefix == 0);
	addr_format(dst, b, sizeof(b), dst->prefix == 0);
	sb_addf(&sb, "%c%s %c-> %s  ", src->invert ? '!' : ' ', a, dst->invert ? '!' : ' ', b);
	if (r->target_kind == TGT_GOTO)
		sb_add(&sb, "[goto] ");
	for (int k = 0; k < r->nmatches; k++)
		if (r->matches[k].ext->list)
			list_ext(r->matches[k].ext, r->matches[k].priv, r->family, f.numeric, &sb);
	if (r->target_kind == TGT_EXT && r->target.ext->list)
		list_ext(r->target.ext, r->target.priv, r->family, f.numeric, &sb);
	fprintf(out, "%s\n", sb_str(&sb));
	sb_free(&sb);
}

static void list_chain(const struct chain_info *ch, const struct list_fmt *f, FILE *out)
{
	struct strbuf sb;

	list_header(ch, f, out);
	sb_init(&sb);
	for (int k = 0; k < ch->nrules; k++) {
		sb_reset(&sb);
		if (ch->foreign && ch->foreign[k])
			sb_addf(&sb, "%s# not expressible in iptables syntax: %s",
			        f->linenum ? "     " : "", ch->foreign[k]);
		else
			list_rule(&ch->rules[k], k + 1, f, &sb);
		fprintf(out, "%s\n", sb_str(&sb));
	}
	sb_free(&sb);
}

int print_listing(struct nfsh_session *s, const struct cmd *c, FILE *out, struct nfsh_err *e)
{
	struct table_info ti;
	struct list_fmt f = {c->verbose, c->numeric, c->exact, c->line_numbers};
	bool first = true;

	if (table_read(s, c->family, c->table, NULL, &ti, e) < 0)
		return -1;
	if (c->chain[0] && !table_find_chain(&ti, c->chain)) {
		table_info_free(&ti);
		err_set(e, NFSH_EOTHER, c->chain, "chain \"%s\" does not exist in table %s",
		        c->chain, table_by_id(c->table)->name);
		return -1;
	}
	if (c->op == OP_SPEC) {
		print_spec(&ti, c->chain[0] ? c->chain : NULL, c->rulenum, c->verbose, out);
		table_info_free(&ti);
		return 0;
	}
	if (c->rulenum) {
		/* -L CHAIN N: that rule's line alone, without the chain header, as
		 * iptables prints it; nothing when there is no such rule. */
		struct chain_info *ch = table_find_chain(&ti, c->chain);
		struct strbuf sb;

		sb_init(&sb);
		if (c->rulenum <= ch->nrules && !(ch->foreign && ch->foreign[c->rulenum - 1])) {
			list_rule(&ch->rules[c->rulenum - 1], c->rulenum, &f, &sb);
			fprintf(out, "%s\n", sb_str(&sb));
		}
		sb_free(&sb);
		table_info_free(&ti);
		return 0;
	}
	for (int i = 0; i < ti.nchains; i++) {
		if (c->chain[0] && strcmp(ti.chains[i].name, c->chain))
			continue;
		if (!first)
			fputc('\n', out);
		first = false;
		list_chain(&ti.chains[i], &f, out);
	}
	table_info_free(&ti);
	return 0;
}

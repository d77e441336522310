/* iptables-save canonical form of the rule model, as iptables-nft-save prints it:
 *   -A CHAIN [!] -s A/M [!] -d A/M [!] -i IF [!] -o IF [!] -p P [!] -f
 *            -m NAME OPTS... [-c P B] -j TARGET OPTS | -g CHAIN */
#include "xlate/xlate.h"
#include "ext/ext.h"

#include <string.h>

static void save_addr(struct strbuf *sb, const char *opt, const struct addr_match *m)
{
	char buf[128];

	if (!m->set || (m->prefix == 0 && !m->invert))
		return;
	addr_format(m, buf, sizeof(buf), true);
	sb_add(sb, m->invert ? " ! " : " ");
	sb_add(sb, opt);
	sb_addc(sb, ' ');
	sb_add(sb, buf);
}

static void save_iface(struct strbuf *sb, const char *opt, const struct iface_match *m)
{
	if (!m->set)
		return;
	sb_add(sb, m->invert ? " ! " : " ");
	sb_add(sb, opt);
	sb_addc(sb, ' ');
	sb_add_word(sb, m->name);
}

static void save_proto(struct strbuf *sb, const struct rule *r)
{
	const char *name;

	if (!r->proto_set || (!r->proto && !r->proto_invert))
		return;
	name = proto_name(r->proto);
	/* /etc/protocols' name, which iptables and ip6tables both print. */
	if (name && r->proto == 58)
		name = "ipv6-icmp";
	sb_add(sb, r->proto_invert ? " ! -p " : " -p ");
	if (name)
		sb_add(sb, name);
	else
		sb_add_uint(sb, (unsigned)r->proto);
}

static void save_target(struct strbuf *sb, const struct rule *r)
{
	switch (r->target_kind) {
	case TGT_ACCEPT:
		sb_add(sb, " -j ACCEPT");
		break;
	case TGT_DROP:
		sb_add(sb, " -j DROP");
		break;
	case TGT_RETURN:
		sb_add(sb, " -j RETURN");
		break;
	case TGT_JUMP:
		sb_add(sb, " -j ");
		sb_add(sb, r->jump);
		break;
	case TGT_GOTO:
		sb_add(sb, " -g ");
		sb_add(sb, r->jump);
		break;
	case TGT_EXT:
		sb_add(sb, " -j ");
		sb_add(sb, r->target.ext->name);
		if (r->target.ext->save)
			r->target.ext->save(r->target.priv, r->family, sb);
		break;
	default:
		break;
	}
}

void print_rule_body(const struct rule *r, bool counters, struct strbuf *sb)
{
	save_addr(sb, "-s", &r->src);
	save_addr(sb, "-d", &r->dst);
	save_iface(sb, "-i", &r->in);
	save_iface(sb, "-o", &r->out);
	save_proto(sb, r);
	if (r->frag_set)
		sb_addf(sb, "%s -f", r->frag_invert ? " !" : "");
	for (int k = 0; k < r->nmatches; k++) {
		const struct ext *x = r->matches[k].ext;

		sb_add(sb, " -m ");
		sb_add(sb, x->name);
		if (x->save)
			x->save(r->matches[k].priv, r->family, sb);
	}
	if (counters) {
		sb_add(sb, " -c ");
		sb_add_uint(sb, r->packets);
		sb_addc(sb, ' ');
		sb_add_uint(sb, r->bytes);
	}
	save_target(sb, r);
}

void print_rule_save(const struct rule *r, bool counters, struct strbuf *sb)
{
	sb_add(sb, "-A ");
	sb_add(sb, r->chain);
	print_rule_body(r, counters, sb);
}

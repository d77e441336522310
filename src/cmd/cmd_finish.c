/* Once every word is read: the checks across options (what a command takes,
 * extensions' own final checks) and the -s/-d address lists expanded into
 * one rule per source and destination, as iptables does. */
#include "cmd/cmd_parse_int.h"
#include "ext/ext.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool op_takes_rule(int op)
{
	return op == OP_APPEND || op == OP_INSERT || op == OP_DELETE || op == OP_REPLACE ||
	       op == OP_CHECK;
}

static int check_exts(struct parser *p)
{
	struct ext_parse_ctx ctx = {p->c->family, p->c->table, p->c->chain, &p->r};
	const struct builtin_chain *bc = table_builtin(p->c->table, p->c->chain);

	for (int k = 0; k < p->r.nmatches; k++) {
		const struct ext *x = p->r.matches[k].ext;

		if (x->tables && !(x->tables & TBL_BIT(p->c->table)))
			return cp_perr(p, -1, x->name, "match \"%s\" is not allowed in this table",
			               x->name);
		if (x->check && x->check(&ctx, p->r.matches[k].priv, p->e) < 0) {
			if (!p->e->status)
				p->e->status = NFSH_EPARAM;
			return -1;
		}
	}
	/* A protocol's own match its check let through without -p (-m icmp
	 * --icmp-type 8, as iptables-translate takes it): its payload test brings
	 * the protocol and the listing reads back as -p icmp, so the rule says so
	 * too (-C and -D compare the -S text). */
	for (int k = 0; k < p->r.nmatches && !p->r.proto_set; k++)
		if (p->r.matches[k].ext->implicit_proto &&
		    !(p->r.matches[k].ext->proto_optional & (1u << p->c->family))) {
			p->r.proto_set = true;
			p->r.proto = p->r.matches[k].ext->implicit_proto;
		}
	if (p->r.target_kind == TGT_EXT) {
		const struct ext *x = p->r.target.ext;

		if (x->tables && !(x->tables & TBL_BIT(p->c->table))) {
			err_set(p->e, NFSH_EPARAM, x->name,
			        "target \"%s\" is not allowed in the %s table", x->name,
			        table_by_id(p->c->table)->name);
			return -1;
		}
		if (x->hooks && bc && !(x->hooks & HOOK_BIT(bc->hook))) {
			err_set(p->e, NFSH_EPARAM, x->name,
			        "target \"%s\" is not allowed in chain %s", x->name, p->c->chain);
			return -1;
		}
		if (x->check && x->check(&ctx, p->r.target.priv, p->e) < 0) {
			if (!p->e->status)
				p->e->status = NFSH_EPARAM;
			return -1;
		}
	}
	return 0;
}

/* Split a comma list of addresses; each is parsed for the command's family. */
static int split_addrs(struct parser *p, const char *list, struct addr_match *out, int max, int *n,
                       bool inv)
{
	char buf[ADDR_LIST_MAX], *save = NULL, *tok;

	*n = 0;
	if (!list || !list[0]) {
		out[0] = (struct addr_match){0};
		*n = 1;
		return 0;
	}
	strcpy(buf, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n >= max)
			return cp_perr(p, -1, list, "too many addresses in \"%.40s...\"", list);
		if (addr_parse(tok, p->c->family, &out[*n]) < 0) {
			cp_perr(p, -1, tok, "invalid address \"%s\"", tok);
			err_hint(p->e, p->c->family == NFSH_IPV6
			                   ? "an IPv6 address with an optional /prefix or /mask "
			                     "(host names are not resolved)"
			                   : "an IPv4 address with an optional /prefix or "
			                     "/dotted-mask (host names are not resolved)");
			return -1;
		}
		out[*n].invert = inv;
		(*n)++;
	}
	if (*n == 0)
		return cp_perr(p, -1, list, "empty address list \"%s\"", list);
	return 0;
}

/* Entries a comma list can hold, at least 1, at most NFSH_MAX_EXPANDED. */
static int list_len(const char *list)
{
	int n = 1;

	for (; list && *list && n < NFSH_MAX_EXPANDED; list++)
		n += *list == ',';
	return n;
}

/* Room for n addresses: buf (of cap) when they fit, most lists being one
 * address; else the heap. */
static struct addr_match *addr_room(int n, struct addr_match *buf, int cap)
{
	return n <= cap ? buf : calloc((size_t)n, sizeof(*buf));
}

/* The parsed rule into r: the last expanded rule takes it over (most
 * commands expand to one), the others copy it. */
static int take_rule(struct parser *p, struct rule *r, bool last)
{
	if (!last)
		return rule_copy(r, &p->r);
	*r = p->r;
	p->r.nmatches = 0;
	p->r.target.priv = NULL;
	return 0;
}

/* -s a,b -d c: one rule per pair, as iptables does. */
static int expand_rules(struct parser *p)
{
	enum { ON_STACK = 8 };
	struct addr_match sbuf[ON_STACK], dbuf[ON_STACK];
	int ns, nd, ms = list_len(p->srcs), md = list_len(p->dsts);
	/* Sized by the lists: two NFSH_MAX_EXPANDED arrays per command were an
	 * mmap, page faults and a memset each, most of a 50k-line restore. */
	struct addr_match *sv = addr_room(ms, sbuf, ON_STACK);
	struct addr_match *dv = addr_room(md, dbuf, ON_STACK);
	int rc = -1;

	if (!sv || !dv) {
		err_set(p->e, NFSH_EOTHER, NULL, "out of memory");
		goto out;
	}
	if (split_addrs(p, p->srcs, sv, ms, &ns, p->r.src.invert) < 0 ||
	    split_addrs(p, p->dsts, dv, md, &nd, p->r.dst.invert) < 0)
		goto out;
	if ((long)ns * nd > NFSH_MAX_EXPANDED) {
		cp_perr(p, -1, p->srcs, "address lists expand to too many rules%s", "");
		goto out;
	}
	/* Not zeroed: every rule is written whole by take_rule. */
	p->c->rules = malloc((size_t)ns * (size_t)nd * sizeof(struct rule));
	if (!p->c->rules) {
		err_set(p->e, NFSH_EOTHER, NULL, "out of memory");
		goto out;
	}
	for (int a = 0; a < ns; a++)
		for (int b = 0; b < nd; b++) {
			struct rule *r = &p->c->rules[p->c->nrules];

			if (take_rule(p, r, a == ns - 1 && b == nd - 1) < 0) {
				err_set(p->e, NFSH_EOTHER, NULL, "out of memory");
				goto out;
			}
			p->c->nrules++;
			r->src = sv[a];
			r->dst = dv[b];
		}
	rc = 0;
out:
	if (sv != sbuf)
		free(sv);
	if (dv != dbuf)
		free(dv);
	return rc;
}

int cp_finish(struct parser *p)
{
	struct cmd *c = p->c;

	if (c->op == OP_NONE)
		return cp_perr(p, -1, NULL, "no command given%s", "");
	if (c->op == OP_HELP || c->op == OP_VERSION)
		return 0;
	/* iptables' commands_v_options: -n, -x and --line-numbers only list, and
	 * -c sets the counters of a new rule: -D and -C compare without them. */
	if (p->list_opt[0] && c->op != OP_LIST) {
		err_set(p->e, NFSH_EPARAM, p->list_opt, "option \"%s\" cannot be used with %s",
		        p->list_opt, cmd_op_letter(c->op));
		err_hint(p->e, "-n, -x and --line-numbers go with -L");
		return -1;
	}
	if (p->counters_opt[0] && (c->op == OP_DELETE || c->op == OP_CHECK)) {
		err_set(p->e, NFSH_EPARAM, p->counters_opt, "option \"%s\" cannot be used with %s",
		        p->counters_opt, cmd_op_letter(c->op));
		err_hint(p->e, "-c sets the counters of a rule -A, -I or -R writes");
		return -1;
	}
	if (p->counters_opt[0] && c->op == OP_POLICY) {
		err_set(p->e, NFSH_EPARAM, p->counters_opt, "option \"%s\" cannot be used with -P",
		        p->counters_opt);
		err_hint(p->e, "nfsh's built-in chains keep no policy counters (libnftables 1.0.6 "
		               "cannot set them); -S -v shows them as 0 0");
		return -1;
	}
	if (p->rule_opts_seen && !op_takes_rule(c->op)) {
		err_set(p->e, NFSH_EPARAM, p->first_rule_opt,
		        "option \"%s\" cannot be used with %s", p->first_rule_opt,
		        cmd_op_letter(c->op));
		return -1;
	}
	if (c->op == OP_DELETE && c->rulenum && p->rule_opts_seen) {
		err_set(p->e, NFSH_EPARAM, p->first_rule_opt,
		        "-D takes a rule number or a rule, not both (at \"%s\")",
		        p->first_rule_opt);
		return -1;
	}
	if (c->op == OP_POLICY) {
		if (!table_builtin(c->table, c->chain))
			return cp_perr(
			    p, -1, c->chain,
			    "\"%s\" is not a built-in chain: only built-in chains have a "
			    "policy",
			    c->chain);
		if (strcmp(c->policy, "ACCEPT") && strcmp(c->policy, "DROP")) {
			cp_perr(p, -1, c->policy, "bad policy \"%s\"", c->policy);
			err_hint(p->e, "ACCEPT or DROP");
			return -1;
		}
	}
	/* iptables inhibits DROP in the nat table, as a policy and as a target. */
	if (c->table == TBL_NAT && ((c->op == OP_POLICY && strcmp(c->policy, "DROP") == 0) ||
	                            (op_takes_rule(c->op) && !(c->op == OP_DELETE && c->rulenum) &&
	                             p->r.target_kind == TGT_DROP))) {
		err_set(p->e, NFSH_EPARAM, "DROP",
		        "the nat table is not intended for filtering: DROP is refused there");
		err_hint(p->e, "drop in the filter table (or raw/mangle) instead");
		return -1;
	}
	if ((c->op == OP_NEWCHAIN || c->op == OP_RENAME) &&
	    table_builtin(c->table, c->op == OP_RENAME ? c->newname : c->chain))
		return cp_perr(p, -1, c->op == OP_RENAME ? c->newname : c->chain,
		               "\"%s\" is a built-in chain name",
		               c->op == OP_RENAME ? c->newname : c->chain);
	if (c->op == OP_RENAME && table_builtin(c->table, c->chain))
		return cp_perr(p, -1, c->chain, "built-in chain \"%s\" cannot be renamed",
		               c->chain);
	if (c->op == OP_DELCHAIN && c->chain[0] && table_builtin(c->table, c->chain))
		return cp_perr(p, -1, c->chain, "built-in chain \"%s\" cannot be deleted",
		               c->chain);
	if (!op_takes_rule(c->op) || (c->op == OP_DELETE && c->rulenum))
		return 0;
	/* As iptables: by the chain's name, in every table. */
	if (p->r.out.set && (!strcmp(c->chain, "INPUT") || !strcmp(c->chain, "PREROUTING"))) {
		err_set(p->e, NFSH_EPARAM, "-o", "can't use -o with %s", c->chain);
		err_hint(p->e, "packets on %s have no output interface yet", c->chain);
		return -1;
	}
	if (p->r.in.set && (!strcmp(c->chain, "OUTPUT") || !strcmp(c->chain, "POSTROUTING"))) {
		err_set(p->e, NFSH_EPARAM, "-i", "can't use -i with %s", c->chain);
		err_hint(p->e, "packets on %s have no input interface", c->chain);
		return -1;
	}
	str_copy(p->r.chain, sizeof(p->r.chain), c->chain);
	p->r.family = c->family;
	p->r.table = c->table;
	if (check_exts(p) < 0)
		return -1;
	return expand_rules(p);
}

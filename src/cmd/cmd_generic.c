/* iptables' own options, each word by word as iptables(8) takes them:
 * the commands and their chain and rule number, -p, -s/-d (kept as given,
 * expanded by cmd_finish.c), -i/-o, -f, -m, -j/-g, -c, -t, -4/-6 and the
 * list options. */
#include "cmd/cmd_parse_int.h"
#include "ext/ext.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int set_command(struct parser *p, int op, const char *word)
{
	if (p->c->op == op)
		return cp_perr(p, p->i - 1, word, "command %s given twice", word);
	/* iptables allows -L or -S together with -Z (list, then zero). */
	if ((p->c->op == OP_LIST || p->c->op == OP_SPEC) && op == OP_ZERO) {
		p->c->zero_after_list = true;
		return 0;
	}
	if (p->c->op == OP_ZERO && (op == OP_LIST || op == OP_SPEC) && !p->c->zero_after_list) {
		p->c->zero_after_list = true;
		p->c->op = op;
		return 0;
	}
	if (p->c->op != OP_NONE) {
		err_set(p->e, NFSH_EPARAM, word, "cannot use %s with %s", word,
		        cmd_op_letter(p->c->op));
		err_hint(p->e, "one command per line");
		p->e->argi = p->i - 1;
		return -1;
	}
	p->c->op = op;
	return 0;
}

static int valid_chain_name(struct parser *p, const char *name, int argi)
{
	static const char *const reserved[] = {"ACCEPT", "DROP", "QUEUE", "RETURN", NULL};

	if (strlen(name) > NFSH_CHAIN_MAX) {
		err_set(p->e, NFSH_EPARAM, name, "chain name \"%s\" is too long", name);
		err_hint(p->e, "at most %d characters", NFSH_CHAIN_MAX);
		p->e->argi = argi;
		return -1;
	}
	if (!*name || name[0] == '-' || name[0] == '!' || strpbrk(name, " \t\n\"'"))
		return cp_perr(p, argi, name, "invalid chain name \"%s\"", name);
	for (int k = 0; reserved[k]; k++)
		if (strcmp(name, reserved[k]) == 0)
			return cp_perr(p, argi, name, "chain name \"%s\" is reserved for a verdict",
			               name);
	return 0;
}

static int take_chain(struct parser *p, const char *arg, int argi)
{
	if (valid_chain_name(p, arg, argi) < 0)
		return -1;
	str_copy(p->c->chain, sizeof(p->c->chain), arg);
	return 0;
}

static int take_rulenum(struct parser *p, const char *w, int argi, int *out)
{
	unsigned long long v;

	if (parse_uint(w, 1000000000, &v) < 0 || v == 0)
		return cp_perr(p, argi, w, "invalid rule number \"%s\"", w);
	*out = (int)v;
	return 0;
}

/* A command option: its chain and optional words. */
static int do_command(struct parser *p, int go, const char *word, const char *arg, int argi)
{
	static const int ops[] = {
	    [GO_APPEND] = OP_APPEND,     [GO_CHECK] = OP_CHECK,       [GO_DELETE] = OP_DELETE,
	    [GO_INSERT] = OP_INSERT,     [GO_REPLACE] = OP_REPLACE,   [GO_LIST] = OP_LIST,
	    [GO_SPEC] = OP_SPEC,         [GO_FLUSH] = OP_FLUSH,       [GO_ZERO] = OP_ZERO,
	    [GO_NEWCHAIN] = OP_NEWCHAIN, [GO_DELCHAIN] = OP_DELCHAIN, [GO_RENAME] = OP_RENAME,
	    [GO_POLICY] = OP_POLICY,     [GO_HELP] = OP_HELP,         [GO_VERSION] = OP_VERSION};
	const char *w;

	if (set_command(p, ops[go], word) < 0)
		return -1;
	switch (go) {
	case GO_HELP:
	case GO_VERSION:
		return 0;
	case GO_LIST:
	case GO_FLUSH:
	case GO_DELCHAIN:
	case GO_ZERO:
	case GO_SPEC:
		if (arg && take_chain(p, arg, argi) < 0)
			return -1;
		if (arg && (go == GO_ZERO || go == GO_SPEC || go == GO_LIST) &&
		    (w = cp_peek_arg(p)) && cp_is_number(w)) {
			p->i++;
			return take_rulenum(p, w, p->i - 1, &p->c->rulenum);
		}
		return 0;
	case GO_RENAME:
	case GO_POLICY:
		/* arg is the first word; the second follows. */
		if (take_chain(p, arg, argi) < 0)
			return -1;
		w = p->i < p->argc ? p->argv[p->i] : NULL;
		if (!w)
			return cp_perr(p, argi, word, "%s needs two arguments", word);
		p->i++;
		if (go == GO_RENAME) {
			if (valid_chain_name(p, w, p->i - 1) < 0)
				return -1;
			str_copy(p->c->newname, sizeof(p->c->newname), w);
		} else {
			str_copy(p->c->policy, sizeof(p->c->policy), w);
		}
		return 0;
	case GO_REPLACE:
		if (take_chain(p, arg, argi) < 0)
			return -1;
		w = p->i < p->argc ? p->argv[p->i] : NULL;
		if (!w)
			return cp_perr(p, argi, word, "%s needs a chain and a rule number", word);
		p->i++;
		return take_rulenum(p, w, p->i - 1, &p->c->rulenum);
	case GO_INSERT:
	case GO_DELETE:
		if (take_chain(p, arg, argi) < 0)
			return -1;
		if ((w = cp_peek_arg(p)) && cp_is_number(w)) {
			p->i++;
			return take_rulenum(p, w, p->i - 1, &p->c->rulenum);
		}
		return 0;
	default:
		return take_chain(p, arg, argi);
	}
}

static int set_iface(struct parser *p, struct iface_match *m, const char *arg, int argi, bool inv)
{
	size_t n = strlen(arg);

	if (m->set)
		return cp_perr(p, argi, arg, "interface given twice (\"%s\")", arg);
	if (n == 0 || n >= NFSH_IFNAME_MAX) {
		err_set(p->e, NFSH_EPARAM, arg, "interface name \"%s\" must be 1 to %d characters",
		        arg, NFSH_IFNAME_MAX - 1);
		p->e->argi = argi;
		return -1;
	}
	/* A + before the end is a literal character, as in iptables (eth++ is
	 * the interface "eth+" and a wildcard); the kernel refuses '/' and ' '. */
	if (strpbrk(arg, " /\"'"))
		return cp_perr(p, argi, arg, "invalid interface name \"%s\"", arg);
	m->set = true;
	m->invert = inv;
	str_copy(m->name, sizeof(m->name), arg);
	return 0;
}

static int set_proto(struct parser *p, const char *arg, int argi, bool inv)
{
	unsigned long long v;
	int num;

	if (p->r.proto_set)
		return cp_perr(p, argi, arg, "protocol given twice (\"%s\")", arg);
	if (strcasecmp(arg, "all") == 0)
		num = 0;
	else if (parse_uint(arg, 255, &v) == 0)
		num = (int)v;
	else if ((num = proto_lookup(arg)) < 0) {
		static const char *const names[] = {"tcp", "udp", "udplite", "icmp", "icmpv6",
		                                    "esp", "ah",  "sctp",    "mh",   "dccp",
		                                    "gre", "all", NULL};
		const char *close = err_closest(arg, names, -1);

		cp_perr(p, argi, arg, "unknown protocol \"%s\"", arg);
		if (close)
			err_hint(p->e, "did you mean \"%s\"?", close);
		else
			err_hint(p->e, "a name (tcp, udp, icmp, ...), a number 0-255, or all");
		return -1;
	}
	if (num == 0 && inv)
		return cp_perr(p, argi, arg, "rule would never match, protocol \"%s\" inverted",
		               arg);
	p->r.proto_set = true;
	p->r.proto = num;
	p->r.proto_invert = inv;
	return 0;
}

int cp_load_match(struct parser *p, const struct ext *x, int argi)
{
	struct ext_inst *in;

	if (p->r.nmatches >= NFSH_MAX_MATCHES)
		return cp_perr(p, argi, x->name, "too many matches in one rule (at \"%s\")",
		               x->name);
	in = &p->r.matches[p->r.nmatches];
	in->ext = x;
	in->priv = calloc(1, x->priv_size ? x->priv_size : 1);
	if (!in->priv)
		return err_set(p->e, NFSH_EOTHER, NULL, "out of memory");
	p->opt_seen[p->r.nmatches] = 0;
	p->r.nmatches++;
	return 0;
}

static int do_match(struct parser *p, const char *name, int argi)
{
	const struct ext *x = ext_find(name, EXT_MATCH);

	if (!x) {
		const char *names[256];
		int n = 0;
		const char *close;

		for (const struct ext *const *q = ext_begin(); q < ext_end() && n < 255; q++)
			if ((*q)->type == EXT_MATCH)
				names[n++] = (*q)->name;
		cp_perr(p, argi, name, "unknown match \"%s\"", name);
		close = err_closest(name, names, n);
		if (ext_find(name, EXT_TARGET))
			err_hint(p->e, "\"%s\" is a target: use -j %s", name, name);
		else if (close)
			err_hint(p->e, "did you mean \"-m %s\"?", close);
		else
			err_hint(p->e, "see 'nfsh help matches'");
		return -1;
	}
	if (!(x->families & (1u << p->c->family)))
		return cp_perr(p, argi, name, "match \"%s\" is not available for this family",
		               name);
	return cp_load_match(p, x, argi);
}

static int do_target(struct parser *p, const char *name, int argi, bool is_goto)
{
	const struct ext *x;

	if (p->r.target_kind != TGT_NONE)
		return cp_perr(p, argi, name, "more than one target given (\"%s\")", name);
	if (!is_goto) {
		if (strcmp(name, "ACCEPT") == 0) {
			p->r.target_kind = TGT_ACCEPT;
			return 0;
		}
		if (strcmp(name, "DROP") == 0) {
			p->r.target_kind = TGT_DROP;
			return 0;
		}
		if (strcmp(name, "RETURN") == 0) {
			p->r.target_kind = TGT_RETURN;
			return 0;
		}
		if (strcmp(name, "QUEUE") == 0) {
			/* iptables' QUEUE is NFQUEUE --queue-num 0 (ext/NFQUEUE.c). */
			cp_perr(
			    p, argi, name,
			    "-j QUEUE cannot be native here: it is NFQUEUE --queue-num 0, and this "
			    "kernel has no nft queue expression (CONFIG_NFT_QUEUE unset)%s",
			    "");
			err_hint(p->e,
			         "on a kernel with nft_queue the native form is 'queue num 0'; "
			         "nfsh does not use xt compat");
			return -1;
		}
		x = ext_find(name, EXT_TARGET);
		if (x) {
			if (!(x->families & (1u << p->c->family)))
				return cp_perr(p, argi, name,
				               "target \"%s\" is not available for this family",
				               name);
			p->r.target_kind = TGT_EXT;
			p->r.target.ext = x;
			p->r.target.priv = calloc(1, x->priv_size ? x->priv_size : 1);
			if (!p->r.target.priv)
				return err_set(p->e, NFSH_EOTHER, NULL, "out of memory");
			p->opt_seen[NFSH_MAX_MATCHES] = 0;
			return 0;
		}
	}
	if (valid_chain_name(p, name, argi) < 0)
		return -1;
	p->r.target_kind = is_goto ? TGT_GOTO : TGT_JUMP;
	str_copy(p->r.jump, sizeof(p->r.jump), name);
	return 0;
}

static int do_counters(struct parser *p, const char *a, const char *b, int argi)
{
	unsigned long long pk, by;
	char buf[64];
	const char *comma = strchr(a, ',');

	/* Both "-c PKTS BYTES" and "-c PKTS,BYTES" are accepted, as iptables does. */
	if (comma && (size_t)(comma - a) < sizeof(buf)) {
		memcpy(buf, a, (size_t)(comma - a));
		buf[comma - a] = '\0';
		if (parse_uint(buf, ~0ull, &pk) < 0 || parse_uint(comma + 1, ~0ull, &by) < 0)
			return cp_perr(p, argi, a, "invalid counters \"%s\"", a);
	} else {
		if (!b)
			return cp_perr(p, argi, a, "-c needs packet and byte counts (at \"%s\")",
			               a);
		if (parse_uint(a, ~0ull, &pk) < 0)
			return cp_perr(p, argi, a, "invalid packet counter \"%s\"", a);
		if (parse_uint(b, ~0ull, &by) < 0)
			return cp_perr(p, argi + 1, b, "invalid byte counter \"%s\"", b);
		p->i++;
	}
	p->r.counters_set = true;
	p->r.packets = pk;
	p->r.bytes = by;
	return 0;
}

void cp_note_rule_opt(struct parser *p, const char *word)
{
	if (!p->rule_opts_seen)
		str_copy(p->first_rule_opt, sizeof(p->first_rule_opt), word);
	p->rule_opts_seen = true;
}

/* A generic option with its first argument (NULL when it takes none). */
int cp_do_generic(struct parser *p, int go, const char *word, const char *arg, int argi)
{
	bool inv = p->inv;

	if (inv && !cmd_options[go].invertible)
		return cp_perr(p, p->inv_argi, word, "option \"%s\" cannot be inverted with !",
		               word);
	p->inv = false;
	if (go <= GO_VERSION)
		return do_command(p, go, word, arg, argi);
	switch (go) {
	case GO_PROTO:
		cp_note_rule_opt(p, word);
		return set_proto(p, arg, argi, inv);
	case GO_SRC:
	case GO_SRC2:
	case GO_DST:
	case GO_DST2: {
		bool src = go == GO_SRC || go == GO_SRC2;
		const char **list = src ? &p->srcs : &p->dsts;
		struct addr_match *m = src ? &p->r.src : &p->r.dst;

		cp_note_rule_opt(p, word);
		if (*list)
			return cp_perr(p, argi, arg, "%s given twice",
			               src ? "source" : "destination");
		if (strlen(arg) >= ADDR_LIST_MAX)
			return cp_perr(p, argi, word, "address list after %s is too long", word);
		*list = arg;
		m->invert = inv;
		return 0;
	}
	case GO_IN:
		cp_note_rule_opt(p, word);
		return set_iface(p, &p->r.in, arg, argi, inv);
	case GO_OUT:
		cp_note_rule_opt(p, word);
		return set_iface(p, &p->r.out, arg, argi, inv);
	case GO_FRAG:
		cp_note_rule_opt(p, word);
		if (p->c->family == NFSH_IPV6)
			return cp_perr(p, argi, word, "%s is not available for IPv6; use -m frag",
			               word);
		p->r.frag_set = true;
		p->r.frag_invert = inv;
		return 0;
	case GO_JUMP:
	case GO_GOTO:
		cp_note_rule_opt(p, word);
		return do_target(p, arg, argi, go == GO_GOTO);
	case GO_MATCH:
		cp_note_rule_opt(p, word);
		return do_match(p, arg, argi);
	case GO_NUMERIC:
	case GO_EXACT:
	case GO_LINENUM:
		if (!p->list_opt[0])
			str_copy(p->list_opt, sizeof(p->list_opt), word);
		if (go == GO_NUMERIC)
			p->c->numeric = true;
		else if (go == GO_EXACT)
			p->c->exact = true;
		else
			p->c->line_numbers = true;
		return 0;
	case GO_VERBOSE:
		p->c->verbose = true;
		return 0;
	case GO_TABLE: {
		int t = table_lookup(arg);

		if (t < 0) {
			static const char *const names[] = {"filter", "nat",      "mangle",
			                                    "raw",    "security", NULL};
			const char *close = err_closest(arg, names, -1);

			cp_perr(p, argi, arg, "unknown table \"%s\"", arg);
			if (close)
				err_hint(p->e, "did you mean \"%s\"?", close);
			else
				err_hint(p->e, "one of: filter, nat, mangle, raw, security");
			return -1;
		}
		if (p->table_given && t != p->c->table)
			return cp_perr(p, argi, arg, "table given twice (\"%s\")", arg);
		p->table_given = true;
		p->c->table = t;
		return 0;
	}
	case GO_COUNTERS:
		cp_note_rule_opt(p, word);
		str_copy(p->counters_opt, sizeof(p->counters_opt), word);
		return do_counters(p, arg, p->i < p->argc ? p->argv[p->i] : NULL, argi);
	case GO_WAIT: {
		const char *w = cp_peek_arg(p);

		if (w && cp_is_number(w))
			p->i++;
		return 0;
	}
	case GO_WAITINT:
	case GO_MODPROBE:
		return 0;
	case GO_IPV4:
		p->c->family = NFSH_IPV4;
		return 0;
	case GO_IPV6:
		p->c->family = NFSH_IPV6;
		return 0;
	}
	return cp_perr(p, argi, word, "unhandled option \"%s\"", word);
}

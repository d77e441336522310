/* The iptables command-line grammar, as iptables(8) and getopt_long accept it:
 * bundled short options (-nvL), --long and --long=value, unique prefixes of long
 * options (generic and those of loaded extensions alike), `!` before an option,
 * implicit protocol matches after -p, and address lists that expand a command
 * into several rules. */
#include "util/strbuf.h"
#include "cmd/cmd.h"
#include "ext/ext.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	GO_APPEND,
	GO_CHECK,
	GO_DELETE,
	GO_INSERT,
	GO_REPLACE,
	GO_LIST,
	GO_SPEC,
	GO_FLUSH,
	GO_ZERO,
	GO_NEWCHAIN,
	GO_DELCHAIN,
	GO_RENAME,
	GO_POLICY,
	GO_HELP,
	GO_VERSION,
	GO_PROTO,
	GO_SRC,
	GO_DST,
	GO_IN,
	GO_OUT,
	GO_FRAG,
	GO_JUMP,
	GO_GOTO,
	GO_MATCH,
	GO_NUMERIC,
	GO_VERBOSE,
	GO_EXACT,
	GO_LINENUM,
	GO_TABLE,
	GO_COUNTERS,
	GO_WAIT,
	GO_WAITINT,
	GO_IPV4,
	GO_IPV6,
	GO_MODPROBE,
	GO_SRC2,
	GO_DST2,
};

/* Index = GO_* above. */
const struct cmd_option cmd_options[] = {
    {"append", 'A', 1, false, "CHAIN", "append a rule to the end of CHAIN"},
    {"check", 'C', 1, false, "CHAIN", "check whether a rule exists in CHAIN"},
    {"delete", 'D', 1, false, "CHAIN [RULENUM]", "delete a rule, by spec or number"},
    {"insert", 'I', 1, false, "CHAIN [RULENUM]", "insert a rule at RULENUM (default 1)"},
    {"replace", 'R', 2, false, "CHAIN RULENUM", "replace rule RULENUM of CHAIN"},
    {"list", 'L', -1, false, "[CHAIN]", "list the rules of a chain or all chains"},
    {"list-rules", 'S', -1, false, "[CHAIN [RULENUM]]", "print rules as iptables-save does"},
    {"flush", 'F', -1, false, "[CHAIN]", "delete every rule of a chain or all chains"},
    {"zero", 'Z', -1, false, "[CHAIN [RULENUM]]", "zero packet and byte counters"},
    {"new-chain", 'N', 1, false, "CHAIN", "create a user-defined chain"},
    {"delete-chain", 'X', -1, false, "[CHAIN]", "delete a user-defined chain (or all)"},
    {"rename-chain", 'E', 2, false, "OLD NEW", "rename a user-defined chain"},
    {"policy", 'P', 2, false, "CHAIN TARGET", "set the policy of a built-in chain"},
    {"help", 'h', 0, false, NULL, "show help"},
    {"version", 'V', 0, false, NULL, "print the version"},
    {"protocol", 'p', 1, true, "PROTO", "protocol: name, number or all"},
    {"source", 's', 1, true, "ADDR[/MASK][,...]", "source address(es)"},
    {"destination", 'd', 1, true, "ADDR[/MASK][,...]", "destination address(es)"},
    {"in-interface", 'i', 1, true, "IFACE[+]", "input interface (+ is a wildcard)"},
    {"out-interface", 'o', 1, true, "IFACE[+]", "output interface (+ is a wildcard)"},
    {"fragment", 'f', 0, true, NULL, "match second and further fragments only"},
    {"jump", 'j', 1, false, "TARGET", "target of the rule"},
    {"goto", 'g', 1, false, "CHAIN", "continue in CHAIN without return"},
    {"match", 'm', 1, false, "MATCH", "load a match extension"},
    {"numeric", 'n', 0, false, NULL, "numeric output of addresses and ports"},
    {"verbose", 'v', 0, false, NULL, "verbose: counters and interfaces"},
    {"exact", 'x', 0, false, NULL, "exact counter values"},
    {"line-numbers", 0, 0, false, NULL, "print rule numbers when listing"},
    {"table", 't', 1, false, "TABLE", "table: filter, nat, mangle, raw, security"},
    {"set-counters", 'c', 2, false, "PKTS BYTES", "initial counters of the rule"},
    {"wait", 'w', -1, false, "[SECONDS]", "accepted for compatibility (nfsh never locks)"},
    {"wait-interval", 'W', 1, false, "USECS", "accepted for compatibility"},
    {"ipv4", '4', 0, false, NULL, "IPv4 (iptables)"},
    {"ipv6", '6', 0, false, NULL, "IPv6 (ip6tables)"},
    {"modprobe", 'M', 1, false, "PROGRAM", "accepted for compatibility (ignored)"},
    {"src", 0, 1, true, "ADDR[/MASK][,...]", "same as --source"},
    {"dst", 0, 1, true, "ADDR[/MASK][,...]", "same as --destination"},
};
const int cmd_noptions = (int)(sizeof(cmd_options) / sizeof(cmd_options[0]));

#define ADDR_LIST_MAX 4096 /* bytes of one -s or -d list */

struct parser {
	int argc;
	char *const *argv;
	int i; /* next word */
	struct cmd *c;
	struct rule r; /* the rule being built; expanded at the end */
	/* -s and -d lists as given: argv words, alive while the command is parsed */
	const char *srcs, *dsts;
	bool inv; /* a `!` is pending */
	int inv_argi;
	bool rule_opts_seen;     /* an option that only makes sense with a rule */
	char first_rule_opt[64]; /* a copy: short options are spelled in a stack buffer */
	char list_opt[32];       /* the first of -n, -x, --line-numbers: -L only */
	char counters_opt[32];   /* -c as written: not with -D or -C */
	bool table_given;
	unsigned long long opt_seen[NFSH_MAX_MATCHES + 1]; /* per instance: options given */
	struct nfsh_err *e;
};

const char *cmd_op_letter(int op)
{
	static const char *const l[] = {"",   "-A", "-I", "-D", "-R", "-C", "-N", "-X",
	                                "-E", "-F", "-Z", "-P", "-L", "-S", "-h", "-V"};

	return op >= 0 && op < (int)(sizeof(l) / sizeof(l[0])) ? l[op] : "?";
}

static int perr(struct parser *p, int argi, const char *word, const char *fmt, const char *a)
{
	err_set(p->e, NFSH_EPARAM, word, fmt, a);
	p->e->argi = argi;
	return -1;
}

/* The next word, when it is an argument (not an option, not `!`). */
static const char *peek_arg(struct parser *p)
{
	const char *w;

	if (p->i >= p->argc)
		return NULL;
	w = p->argv[p->i];
	if ((w[0] == '-' && w[1]) || strcmp(w, "!") == 0)
		return NULL;
	return w;
}

static bool is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int set_command(struct parser *p, int op, const char *word)
{
	if (p->c->op == op)
		return perr(p, p->i - 1, word, "command %s given twice", word);
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
		return perr(p, argi, name, "invalid chain name \"%s\"", name);
	for (int k = 0; reserved[k]; k++)
		if (strcmp(name, reserved[k]) == 0)
			return perr(p, argi, name, "chain name \"%s\" is reserved for a verdict",
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
		return perr(p, argi, w, "invalid rule number \"%s\"", w);
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
		if (arg && (go == GO_ZERO || go == GO_SPEC || go == GO_LIST) && (w = peek_arg(p)) &&
		    is_number(w)) {
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
			return perr(p, argi, word, "%s needs two arguments", word);
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
			return perr(p, argi, word, "%s needs a chain and a rule number", word);
		p->i++;
		return take_rulenum(p, w, p->i - 1, &p->c->rulenum);
	case GO_INSERT:
	case GO_DELETE:
		if (take_chain(p, arg, argi) < 0)
			return -1;
		if ((w = peek_arg(p)) && is_number(w)) {
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
		return perr(p, argi, arg, "interface given twice (\"%s\")", arg);
	if (n == 0 || n >= NFSH_IFNAME_MAX) {
		err_set(p->e, NFSH_EPARAM, arg, "interface name \"%s\" must be 1 to %d characters",
		        arg, NFSH_IFNAME_MAX - 1);
		p->e->argi = argi;
		return -1;
	}
	/* A + before the end is a literal character, as in iptables (eth++ is
	 * the interface "eth+" and a wildcard); the kernel refuses '/' and ' '. */
	if (strpbrk(arg, " /\"'"))
		return perr(p, argi, arg, "invalid interface name \"%s\"", arg);
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
		return perr(p, argi, arg, "protocol given twice (\"%s\")", arg);
	if (strcasecmp(arg, "all") == 0)
		num = 0;
	else if (parse_uint(arg, 255, &v) == 0)
		num = (int)v;
	else if ((num = proto_lookup(arg)) < 0) {
		static const char *const names[] = {"tcp", "udp", "udplite", "icmp", "icmpv6",
		                                    "esp", "ah",  "sctp",    "mh",   "dccp",
		                                    "gre", "all", NULL};
		const char *close = err_closest(arg, names, -1);

		perr(p, argi, arg, "unknown protocol \"%s\"", arg);
		if (close)
			err_hint(p->e, "did you mean \"%s\"?", close);
		else
			err_hint(p->e, "a name (tcp, udp, icmp, ...), a number 0-255, or all");
		return -1;
	}
	if (num == 0 && inv)
		return perr(p, argi, arg, "rule would never match, protocol \"%s\" inverted", arg);
	p->r.proto_set = true;
	p->r.proto = num;
	p->r.proto_invert = inv;
	return 0;
}

static int load_match(struct parser *p, const struct ext *x, int argi)
{
	struct ext_inst *in;

	if (p->r.nmatches >= NFSH_MAX_MATCHES)
		return perr(p, argi, x->name, "too many matches in one rule (at \"%s\")", x->name);
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
		perr(p, argi, name, "unknown match \"%s\"", name);
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
		return perr(p, argi, name, "match \"%s\" is not available for this family", name);
	return load_match(p, x, argi);
}

static int do_target(struct parser *p, const char *name, int argi, bool is_goto)
{
	const struct ext *x;

	if (p->r.target_kind != TGT_NONE)
		return perr(p, argi, name, "more than one target given (\"%s\")", name);
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
			perr(
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
				return perr(p, argi, name,
				            "target \"%s\" is not available for this family", name);
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
			return perr(p, argi, a, "invalid counters \"%s\"", a);
	} else {
		if (!b)
			return perr(p, argi, a, "-c needs packet and byte counts (at \"%s\")", a);
		if (parse_uint(a, ~0ull, &pk) < 0)
			return perr(p, argi, a, "invalid packet counter \"%s\"", a);
		if (parse_uint(b, ~0ull, &by) < 0)
			return perr(p, argi + 1, b, "invalid byte counter \"%s\"", b);
		p->i++;
	}
	p->r.counters_set = true;
	p->r.packets = pk;
	p->r.bytes = by;
	return 0;
}

static void note_rule_opt(struct parser *p, const char *word)
{
	if (!p->rule_opts_seen)
		str_copy(p->first_rule_opt, sizeof(p->first_rule_opt), word);
	p->rule_opts_seen = true;
}

/* A generic option with its first argument (NULL when it takes none). */
static int do_generic(struct parser *p, int go, const char *word, const char *arg, int argi)
{
	bool inv = p->inv;

	if (inv && !cmd_options[go].invertible)
		return perr(p, p->inv_argi, word, "option \"%s\" cannot be inverted with !", word);
	p->inv = false;
	if (go <= GO_VERSION)
		return do_command(p, go, word, arg, argi);
	switch (go) {
	case GO_PROTO:
		note_rule_opt(p, word);
		return set_proto(p, arg, argi, inv);
	case GO_SRC:
	case GO_SRC2:
	case GO_DST:
	case GO_DST2: {
		bool src = go == GO_SRC || go == GO_SRC2;
		const char **list = src ? &p->srcs : &p->dsts;
		struct addr_match *m = src ? &p->r.src : &p->r.dst;

		note_rule_opt(p, word);
		if (*list)
			return perr(p, argi, arg, "%s given twice", src ? "source" : "destination");
		if (strlen(arg) >= ADDR_LIST_MAX)
			return perr(p, argi, word, "address list after %s is too long", word);
		*list = arg;
		m->invert = inv;
		return 0;
	}
	case GO_IN:
		note_rule_opt(p, word);
		return set_iface(p, &p->r.in, arg, argi, inv);
	case GO_OUT:
		note_rule_opt(p, word);
		return set_iface(p, &p->r.out, arg, argi, inv);
	case GO_FRAG:
		note_rule_opt(p, word);
		if (p->c->family == NFSH_IPV6)
			return perr(p, argi, word, "%s is not available for IPv6; use -m frag",
			            word);
		p->r.frag_set = true;
		p->r.frag_invert = inv;
		return 0;
	case GO_JUMP:
	case GO_GOTO:
		note_rule_opt(p, word);
		return do_target(p, arg, argi, go == GO_GOTO);
	case GO_MATCH:
		note_rule_opt(p, word);
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

			perr(p, argi, arg, "unknown table \"%s\"", arg);
			if (close)
				err_hint(p->e, "did you mean \"%s\"?", close);
			else
				err_hint(p->e, "one of: filter, nat, mangle, raw, security");
			return -1;
		}
		if (p->table_given && t != p->c->table)
			return perr(p, argi, arg, "table given twice (\"%s\")", arg);
		p->table_given = true;
		p->c->table = t;
		return 0;
	}
	case GO_COUNTERS:
		note_rule_opt(p, word);
		str_copy(p->counters_opt, sizeof(p->counters_opt), word);
		return do_counters(p, arg, p->i < p->argc ? p->argv[p->i] : NULL, argi);
	case GO_WAIT: {
		const char *w = peek_arg(p);

		if (w && is_number(w))
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
	return perr(p, argi, word, "unhandled option \"%s\"", word);
}

/* Where a long option was found. */
struct opt_hit {
	int go;   /* generic option index, or -1 */
	int inst; /* extension instance (NFSH_MAX_MATCHES: the target) */
	const struct ext_opt *xo;
};

static struct ext_inst *inst_at(struct parser *p, int inst)
{
	return inst == NFSH_MAX_MATCHES ? &p->r.target : &p->r.matches[inst];
}

/* Exact names first (generic, then matches in load order, then the target);
 * then unique prefixes over the same set, as getopt_long does over iptables'
 * merged option table. Returns 1 found, 0 not found, -1 ambiguous (error set). */
static int find_long(struct parser *p, const char *name, int argi, struct opt_hit *h)
{
	struct opt_hit cand = {-1, -1, NULL};
	int ncand = 0;
	size_t len = strlen(name);
	bool amb;

	/* The first letter first: most words of a rule are an extension's
	 * options, and this loop ran ~40 strcmp for each. */
	for (int g = 0; g < cmd_noptions; g++)
		if (cmd_options[g].longname[0] == name[0] &&
		    strcmp(cmd_options[g].longname, name) == 0) {
			*h = (struct opt_hit){g, -1, NULL};
			return 1;
		}
	for (int k = 0; k <= NFSH_MAX_MATCHES; k++) {
		struct ext_inst *in;

		if (k >= p->r.nmatches && k < NFSH_MAX_MATCHES)
			continue;
		in = inst_at(p, k);
		if (!in->ext)
			continue;
		for (size_t o = 0; o < in->ext->nopts; o++)
			if (strcmp(in->ext->opts[o].name, name) == 0) {
				/* The latest instance of the same extension gets it. */
				cand = (struct opt_hit){-1, k, &in->ext->opts[o]};
			}
	}
	if (cand.xo) {
		*h = cand;
		return 1;
	}
	for (int g = 0; g < cmd_noptions; g++)
		if (strncmp(cmd_options[g].longname, name, len) == 0) {
			cand = (struct opt_hit){g, -1, NULL};
			ncand++;
		}
	for (int k = 0; k <= NFSH_MAX_MATCHES; k++) {
		struct ext_inst *in;
		const struct ext_opt *xo;

		if (k >= p->r.nmatches && k < NFSH_MAX_MATCHES)
			continue;
		in = inst_at(p, k);
		if (!in->ext)
			continue;
		xo = ext_opt_find(in->ext, name, &amb);
		if (amb)
			ncand += 2;
		else if (xo) {
			if (!(cand.xo && cand.xo == xo))
				ncand++;
			cand = (struct opt_hit){-1, k, xo};
		}
	}
	if (ncand == 1) {
		*h = cand;
		return 1;
	}
	if (ncand > 1) {
		/* The offending word is the user's own, "--de" or "--de=x". */
		perr(p, argi, p->argv[argi], "option \"--%s\" is ambiguous", name);
		err_hint(p->e, "type more of the option name");
		return -1;
	}
	return 0;
}

/* An unknown option: say why, and what would work. */
static int unknown_option(struct parser *p, const char *word, const char *name, int argi)
{
	const char *names[512];
	int n = 0;
	const struct ext *owner = NULL;
	const char *close;

	for (int g = 0; g < cmd_noptions && n < 511; g++)
		names[n++] = cmd_options[g].longname;
	for (int k = 0; k < p->r.nmatches && n < 511; k++)
		for (size_t o = 0; o < p->r.matches[k].ext->nopts && n < 511; o++)
			names[n++] = p->r.matches[k].ext->opts[o].name;
	if (p->r.target.ext)
		for (size_t o = 0; o < p->r.target.ext->nopts && n < 511; o++)
			names[n++] = p->r.target.ext->opts[o].name;
	if (p->r.proto_set && ext_for_proto(p->r.proto)) {
		const struct ext *px = ext_for_proto(p->r.proto);

		for (size_t o = 0; o < px->nopts && n < 511; o++)
			names[n++] = px->opts[o].name;
	}
	close = err_closest(name, names, n);
	/* The owner to name: of several protocol matches with this option
	 * (--dport: tcp, udp, dccp, sctp), the lowest protocol number, so the
	 * hint says tcp rather than whichever registered first; the others are
	 * listed after it. */
	for (const struct ext *const *q = ext_begin(); q < ext_end(); q++) {
		bool amb;
		const struct ext_opt *xo = ext_opt_find(*q, name, &amb);

		if (!xo || strcmp(xo->name, name) || (*q)->type != EXT_MATCH)
			continue;
		if (!owner || (owner->implicit_proto && (*q)->implicit_proto &&
		               (*q)->implicit_proto < owner->implicit_proto))
			owner = *q;
	}
	if (owner && owner->implicit_proto) {
		/* "-p tcp (or udp, dccp, sctp)": the protocols by number. */
		int protos[16], np = 0;
		char list[128];
		size_t len = 0;

		for (const struct ext *const *q = ext_begin(); q < ext_end() && np < 16; q++) {
			bool amb;
			const struct ext_opt *xo = ext_opt_find(*q, name, &amb);
			int k = np;

			if (!xo || strcmp(xo->name, name) || !(*q)->implicit_proto)
				continue;
			for (; k > 0 && protos[k - 1] > (*q)->implicit_proto; k--)
				protos[k] = protos[k - 1];
			protos[k] = (*q)->implicit_proto;
			np++;
		}
		list[0] = '\0';
		for (int k = 0; k < np && len < sizeof(list); k++) {
			const char *pn = proto_name(protos[k]);
			char num[12];

			if (!pn) {
				snprintf(num, sizeof(num), "%d", protos[k]);
				pn = num;
			}
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
			                        k == 0   ? ""
			                        : k == 1 ? " (or "
			                                 : ", ",
			                        pn);
		}
		if (np > 1 && len < sizeof(list))
			snprintf(list + len, sizeof(list) - len, ")");
		perr(p, argi, word, "unknown option \"%s\"", word);
		if (close)
			err_hint(p->e, "did you mean \"--%s\"?", close);
		else
			err_hint(p->e, "%s needs -p %s before it", word, list);
		return -1;
	}
	perr(p, argi, word, "unknown option \"%s\"", word);
	if (close)
		err_hint(p->e, "did you mean \"--%s\"?", close);
	else if (owner)
		err_hint(p->e, "%s belongs to -m %s", word, owner->name);
	else
		err_hint(p->e, "see 'nfsh -h' or 'nfsh help MATCH'");
	return -1;
}

/* Collect the words of an extension option and hand them to its parser. */
static int do_ext_opt(struct parser *p, const struct opt_hit *h, const char *word,
                      const char *inline_arg, int argi)
{
	struct ext_inst *in = inst_at(p, h->inst);
	const struct ext_opt *xo = h->xo;
	const char *args[3] = {NULL, NULL, NULL};
	int bit = (int)(xo - in->ext->opts);
	struct ext_parse_ctx ctx = {p->c->family, p->c->table, p->c->chain, &p->r};
	bool inv = p->inv;

	note_rule_opt(p, word);
	if (inv && !(xo->flags & EXT_OPT_INV))
		return perr(p, p->inv_argi, word, "option \"%s\" cannot be inverted with !", word);
	p->inv = false;
	if (bit < 64 && (p->opt_seen[h->inst] & (1ull << bit)) && !(xo->flags & EXT_OPT_MULTI))
		return perr(p, argi, word, "option \"%s\" given twice", word);
	if (bit < 64)
		p->opt_seen[h->inst] |= 1ull << bit;
	for (int k = 0; k < xo->nargs; k++) {
		if (k == 0 && inline_arg) {
			args[0] = inline_arg;
			continue;
		}
		if (p->i >= p->argc) {
			err_set(p->e, NFSH_EPARAM, word, "option \"%s\" needs an argument", word);
			if (xo->metavar)
				err_hint(p->e, "%s %s", word, xo->metavar);
			p->e->argi = argi;
			return -1;
		}
		if (strcmp(p->argv[p->i], "!") == 0)
			return perr(p, p->i, word, "\"!\" goes before the option (write: ! %s ...)",
			            word);
		args[k] = p->argv[p->i++];
	}
	if (in->ext->parse(&ctx, in->priv, xo, inv, args, p->e) < 0) {
		if (p->e->argi < 0)
			p->e->argi = xo->nargs ? p->i - 1 : argi;
		if (!p->e->status)
			p->e->status = NFSH_EPARAM;
		return -1;
	}
	return 0;
}

static int do_long(struct parser *p, const char *word)
{
	char name[128];
	const char *eq = strchr(word + 2, '=');
	const char *inline_arg = eq ? eq + 1 : NULL;
	int argi = p->i - 1;
	struct opt_hit h;
	int r;
	size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);

	if (len == 0 || len >= sizeof(name))
		return perr(p, argi, word, "unknown option \"%s\"", word);
	memcpy(name, word + 2, len);
	name[len] = '\0';
	r = find_long(p, name, argi, &h);
	if (r == 0 && p->r.proto_set && p->r.proto) {
		/* iptables loads the protocol's match on its first unknown option. */
		const struct ext *x = ext_for_proto(p->r.proto);
		bool amb;

		if (x && ext_opt_find(x, name, &amb) && !amb) {
			bool loaded = false;

			for (int k = 0; k < p->r.nmatches; k++)
				loaded |= p->r.matches[k].ext == x;
			if (!loaded) {
				if (load_match(p, x, argi) < 0)
					return -1;
				r = find_long(p, name, argi, &h);
			}
		}
	}
	if (r < 0)
		return -1;
	if (r == 0)
		return unknown_option(p, word, name, argi);
	if (h.go >= 0) {
		const char *arg = inline_arg;
		int n = cmd_options[h.go].nargs;

		if (n > 0 && !arg) {
			if (p->i >= p->argc)
				return perr(p, argi, word, "option \"%s\" needs an argument", word);
			arg = p->argv[p->i++];
		} else if (n < 0 && !arg) {
			arg = peek_arg(p);
			if (arg)
				p->i++;
		}
		return do_generic(p, h.go, word, arg, p->i - 1);
	}
	return do_ext_opt(p, &h, word, inline_arg, argi);
}

static int find_short(char ch)
{
	for (int g = 0; g < cmd_noptions; g++)
		if (cmd_options[g].shortname == ch)
			return g;
	return -1;
}

/* -X, -nvL, -ptcp: getopt-style short options. */
static int do_short(struct parser *p, const char *word)
{
	int argi = p->i - 1;

	for (const char *s = word + 1; *s; s++) {
		int g = find_short(*s);
		char opt[3] = {'-', *s, '\0'};
		const char *arg = NULL;

		if (g < 0) {
			perr(p, argi, word, "unknown option \"%s\"", opt);
			err_hint(p->e, "see 'nfsh -h'");
			return -1;
		}
		if (cmd_options[g].nargs > 0) {
			if (s[1])
				arg = s + 1;
			else if (p->i < p->argc)
				arg = p->argv[p->i++];
			else
				return perr(p, argi, word, "option \"%s\" needs an argument", opt);
			return do_generic(p, g, opt, arg, p->i - 1);
		}
		if (cmd_options[g].nargs < 0) {
			if (s[1])
				arg = s + 1;
			else if ((arg = peek_arg(p)))
				p->i++;
			return do_generic(p, g, opt, arg, p->i - 1);
		}
		if (do_generic(p, g, opt, NULL, argi) < 0)
			return -1;
		if (s[1] && p->inv)
			return -1;
	}
	return 0;
}

static int parse_words(struct parser *p)
{
	while (p->i < p->argc) {
		const char *w = p->argv[p->i++];

		if (strcmp(w, "!") == 0) {
			if (p->inv)
				return perr(p, p->i - 1, w, "multiple \"!\" in a row%s", "");
			p->inv = true;
			p->inv_argi = p->i - 1;
			continue;
		}
		if (w[0] == '-' && w[1] == '-' && w[2]) {
			if (do_long(p, w) < 0)
				return -1;
		} else if (w[0] == '-' && w[1] && w[1] != '-') {
			if (do_short(p, w) < 0)
				return -1;
		} else {
			perr(p, p->i - 1, w, "unexpected word \"%s\"", w);
			if (p->c->op == OP_NONE)
				err_hint(p->e, "a command comes first, e.g. -A INPUT");
			else
				err_hint(p->e, "options start with - or --; quote arguments that "
				               "contain blanks");
			return -1;
		}
	}
	if (p->inv)
		return perr(p, p->inv_argi, "!", "\"!\" at the end, with nothing to invert%s", "");
	return 0;
}

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
			return perr(p, -1, x->name, "match \"%s\" is not allowed in this table",
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
			return perr(p, -1, list, "too many addresses in \"%.40s...\"", list);
		if (addr_parse(tok, p->c->family, &out[*n]) < 0) {
			perr(p, -1, tok, "invalid address \"%s\"", tok);
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
		return perr(p, -1, list, "empty address list \"%s\"", list);
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
		perr(p, -1, p->srcs, "address lists expand to too many rules%s", "");
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

static int finish(struct parser *p)
{
	struct cmd *c = p->c;

	if (c->op == OP_NONE)
		return perr(p, -1, NULL, "no command given%s", "");
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
			return perr(p, -1, c->chain,
			            "\"%s\" is not a built-in chain: only built-in chains have a "
			            "policy",
			            c->chain);
		if (strcmp(c->policy, "ACCEPT") && strcmp(c->policy, "DROP")) {
			perr(p, -1, c->policy, "bad policy \"%s\"", c->policy);
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
		return perr(p, -1, c->op == OP_RENAME ? c->newname : c->chain,
		            "\"%s\" is a built-in chain name",
		            c->op == OP_RENAME ? c->newname : c->chain);
	if (c->op == OP_RENAME && table_builtin(c->table, c->chain))
		return perr(p, -1, c->chain, "built-in chain \"%s\" cannot be renamed", c->chain);
	if (c->op == OP_DELCHAIN && c->chain[0] && table_builtin(c->table, c->chain))
		return perr(p, -1, c->chain, "built-in chain \"%s\" cannot be deleted", c->chain);
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

int cmd_parse(int argc, char *const *argv, int family, struct cmd *c, struct nfsh_err *e)
{
	/* On the stack: a heap block this size (over 1 KiB) made malloc
	 * consolidate its fastbins for every command of a bulk restore. */
	struct parser parser = {0}, *p = &parser;
	int rc;

	memset(c, 0, sizeof(*c));
	err_clear(e);
	c->family = family;
	c->table = TBL_FILTER;
	p->argc = argc;
	p->argv = argv;
	p->c = c;
	p->e = e;
	rule_init(&p->r, family, TBL_FILTER, "");
	rc = 0;
	for (int i = 0; i < argc && rc == 0; i++)
		if ((rc = err_check_utf8(e, argv[i])) < 0)
			e->argi = i;
	if (rc == 0)
		rc = parse_words(p);
	if (rc == 0)
		rc = finish(p);
	rule_release(&p->r);
	if (rc < 0) {
		if (!e->status)
			e->status = NFSH_EPARAM;
		cmd_release(c);
		return -1;
	}
	return 0;
}

void cmd_release(struct cmd *c)
{
	for (int k = 0; k < c->nrules; k++)
		rule_release(&c->rules[k]);
	free(c->rules);
	c->rules = NULL;
	c->nrules = 0;
}

/* The iptables command-line grammar, as iptables(8) and getopt_long accept it:
 * bundled short options (-nvL), --long and --long=value, unique prefixes of long
 * options (generic and those of loaded extensions alike), `!` before an option,
 * implicit protocol matches after -p, and address lists that expand a command
 * into several rules. */
#include "cmd/cmd_parse_int.h"
#include "ext/ext.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

const char *cmd_op_letter(int op)
{
	static const char *const l[] = {"",   "-A", "-I", "-D", "-R", "-C", "-N", "-X",
	                                "-E", "-F", "-Z", "-P", "-L", "-S", "-h", "-V"};

	return op >= 0 && op < (int)(sizeof(l) / sizeof(l[0])) ? l[op] : "?";
}

int cp_perr(struct parser *p, int argi, const char *word, const char *fmt, const char *a)
{
	err_set(p->e, NFSH_EPARAM, word, fmt, a);
	p->e->argi = argi;
	return -1;
}

/* The next word, when it is an argument (not an option, not `!`). */
const char *cp_peek_arg(struct parser *p)
{
	const char *w;

	if (p->i >= p->argc)
		return NULL;
	w = p->argv[p->i];
	if ((w[0] == '-' && w[1]) || strcmp(w, "!") == 0)
		return NULL;
	return w;
}

bool cp_is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
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
		cp_perr(p, argi, p->argv[argi], "option \"--%s\" is ambiguous", name);
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
		cp_perr(p, argi, word, "unknown option \"%s\"", word);
		if (close)
			err_hint(p->e, "did you mean \"--%s\"?", close);
		else
			err_hint(p->e, "%s needs -p %s before it", word, list);
		return -1;
	}
	cp_perr(p, argi, word, "unknown option \"%s\"", word);
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

	cp_note_rule_opt(p, word);
	if (inv && !(xo->flags & EXT_OPT_INV))
		return cp_perr(p, p->inv_argi, word, "option \"%s\" cannot be inverted with !",
		               word);
	p->inv = false;
	if (bit < 64 && (p->opt_seen[h->inst] & (1ull << bit)) && !(xo->flags & EXT_OPT_MULTI))
		return cp_perr(p, argi, word, "option \"%s\" given twice", word);
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
			return cp_perr(p, p->i, word,
			               "\"!\" goes before the option (write: ! %s ...)", word);
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
		return cp_perr(p, argi, word, "unknown option \"%s\"", word);
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
				if (cp_load_match(p, x, argi) < 0)
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
				return cp_perr(p, argi, word, "option \"%s\" needs an argument",
				               word);
			arg = p->argv[p->i++];
		} else if (n < 0 && !arg) {
			arg = cp_peek_arg(p);
			if (arg)
				p->i++;
		}
		return cp_do_generic(p, h.go, word, arg, p->i - 1);
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
			cp_perr(p, argi, word, "unknown option \"%s\"", opt);
			err_hint(p->e, "see 'nfsh -h'");
			return -1;
		}
		if (cmd_options[g].nargs > 0) {
			if (s[1])
				arg = s + 1;
			else if (p->i < p->argc)
				arg = p->argv[p->i++];
			else
				return cp_perr(p, argi, word, "option \"%s\" needs an argument",
				               opt);
			return cp_do_generic(p, g, opt, arg, p->i - 1);
		}
		if (cmd_options[g].nargs < 0) {
			if (s[1])
				arg = s + 1;
			else if ((arg = cp_peek_arg(p)))
				p->i++;
			return cp_do_generic(p, g, opt, arg, p->i - 1);
		}
		if (cp_do_generic(p, g, opt, NULL, argi) < 0)
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
				return cp_perr(p, p->i - 1, w, "multiple \"!\" in a row%s", "");
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
			cp_perr(p, p->i - 1, w, "unexpected word \"%s\"", w);
			if (p->c->op == OP_NONE)
				err_hint(p->e, "a command comes first, e.g. -A INPUT");
			else
				err_hint(p->e, "options start with - or --; quote arguments that "
				               "contain blanks");
			return -1;
		}
	}
	if (p->inv)
		return cp_perr(p, p->inv_argi, "!", "\"!\" at the end, with nothing to invert%s",
		               "");
	return 0;
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
		rc = cp_finish(p);
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

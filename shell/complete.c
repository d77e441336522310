/* The completion engine. It walks the words before the cursor the way the
 * parser does (same option tables, same implicit -p loading), to learn which
 * matches and target are loaded and whether the cursor sits on an option's
 * argument; then it offers what that point accepts. */
#include "shell/complete.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "ext/ext.h"
#include "rule/rule.h"

const struct shell_builtin shell_builtins[] = {
    {"help", "[TOPIC|EXTENSION]", "explain commands, matches, targets and built-ins"},
    {"show", "WHAT", "show rules, tables, chains, counters, ruleset, nft, candidate, rollbacks"},
    {"translate", "IPTABLES-ARGS", "print the nft commands of an iptables command"},
    {"family", "4|6", "address family of lines without iptables/ip6tables"},
    {"history", NULL, "list the lines typed so far"},
    {"begin", NULL, "start a candidate: stage later commands instead of applying them"},
    {"diff", NULL, "what the candidate would change (iptables -S lines with +/-)"},
    {"check", NULL, "dry-run the candidate against the kernel, and lint it"},
    {"commit", "[confirmed [SECONDS]]", "apply the candidate in one transaction"},
    {"confirm", NULL, "keep a `commit confirmed` change (stops the revert)"},
    {"abort", NULL, "drop the candidate"},
    {"rollback", "[N]", "restore the ruleset saved before commit N (0 = latest)"},
    {"lint", NULL, "look for mistakes in nfsh's live rules"},
    {"iptables", "ARGS", "an IPv4 iptables command"},
    {"ip6tables", "ARGS", "an IPv6 ip6tables command"},
    {"conntrack", "ARGS", "the connection tracking table (conntrack(8) syntax)"},
    {"save", NULL, "print nfsh's rules in iptables-save format"},
    {"restore", "FILE", "apply an iptables-save file in one transaction"},
    {"import", "FILE", "import rules from a file"},
    {"quit", NULL, "leave the shell"},
    {"exit", NULL, "leave the shell"},
};
const int shell_nbuiltins = (int)(sizeof(shell_builtins) / sizeof(shell_builtins[0]));

const struct shell_builtin shell_show_topics[] = {
    {"rules", NULL, "rules of the current table in iptables -S form"},
    {"tables", NULL, "nftables tables: nfsh's and foreign ones"},
    {"chains", NULL, "chains with policy and rule count"},
    {"counters", NULL, "rules with packet and byte counters"},
    {"ruleset", NULL, "every nfsh table in iptables -S form"},
    {"nft", NULL, "nfsh's tables in nft syntax"},
    {"candidate", NULL, "commands staged since begin"},
    {"rollbacks", NULL, "saved snapshots that rollback can restore"},
};
const int shell_nshow_topics = (int)(sizeof(shell_show_topics) / sizeof(shell_show_topics[0]));

static const struct shell_builtin argv_subcommands[] = {
    {"translate", "ARGS", "print the nft commands of an iptables command"},
    {"conntrack", "ARGS", "the connection tracking table"},
    {"save", NULL, "print rules in iptables-save format"},
    {"restore", "FILE", "apply an iptables-save file"},
    {"import", "FILE", "import rules from a file"},
    {"export", NULL, "export rules"},
    {"shell", NULL, "the interactive shell"},
    {"help", "[TOPIC]", "explain commands, matches, targets"},
    {"--sandbox", "[ARGS]", "run nfsh in a private network namespace"},
};

int compl_builtin_lookup(const struct shell_builtin *tab, int n, const char *word)
{
	int hit = -1, nhit = 0;
	size_t len = strlen(word);

	if (!len)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(tab[i].name, word) == 0)
			return i;
		if (strncmp(tab[i].name, word, len) == 0) {
			hit = i;
			nhit++;
		}
	}
	return nhit == 1 ? hit : nhit > 1 ? -2 : -1;
}

static void add_item(struct compl_res *res, const char *text, const char *help, bool value)
{
	struct compl_item *it;

	for (int i = 0; i < res->n; i++)
		if (strcmp(res->it[i].text, text) == 0)
			return;
	if (res->n >= COMPL_MAX)
		return;
	it = &res->it[res->n++];
	snprintf(it->text, sizeof(it->text), "%s", text);
	snprintf(it->help, sizeof(it->help), "%s", help ? help : "");
	it->meta[0] = '\0';
	it->value = value;
}

void compl_add(struct compl_res *res, const char *prefix, const char *text, const char *help)
{
	if (strncmp(text, prefix, strlen(prefix)) == 0)
		add_item(res, text, help, true);
}

void compl_note(struct compl_res *res, const char *what, const char *help)
{
	char buf[COMPL_TEXT_MAX];

	snprintf(buf, sizeof(buf), "<%s>", what);
	add_item(res, buf, help, false);
}

/* Values are matched without regard to case (state names are). */
static void add_value(struct compl_res *res, const char *prefix, const char *text, const char *help)
{
	if (strncasecmp(text, prefix, strlen(prefix)) == 0)
		add_item(res, text, help, true);
}

static void add_tab(struct compl_res *res, const char *prefix, const struct shell_builtin *t, int n)
{
	for (int i = 0; i < n; i++)
		compl_add(res, prefix, t[i].name, t[i].help);
}

/* What the walk learned about the command so far. */
struct walk {
	const struct compl_env *env;
	int family, table;
	bool have_cmd;
	int cmd_go;
	bool proto_set;
	int proto;
	const struct ext *m[NFSH_MAX_MATCHES];
	int nm;
	const struct ext *target;
};

static int go_index(const char *longname)
{
	for (int g = 0; g < cmd_noptions; g++)
		if (strcmp(cmd_options[g].longname, longname) == 0)
			return g;
	return -1;
}

/* Command options come first in cmd_options[], up to --version. */
static bool is_command(int g)
{
	return g <= go_index("version");
}

static bool is_go(int g, const char *name)
{
	return g >= 0 && strcmp(cmd_options[g].longname, name) == 0;
}

static const struct ext *implicit_ext(const struct walk *w)
{
	const struct ext *x = w->proto_set && w->proto ? ext_for_proto(w->proto) : NULL;

	for (int k = 0; x && k < w->nm; k++)
		if (w->m[k] == x)
			return NULL;
	return x;
}

/* The extensions whose options are valid at this point, in parser order. */
static int live_exts(const struct walk *w, const struct ext **out)
{
	int n = 0;

	for (int k = 0; k < w->nm; k++)
		out[n++] = w->m[k];
	if (implicit_ext(w))
		out[n++] = implicit_ext(w);
	if (w->target)
		out[n++] = w->target;
	return n;
}

/* A long option by exact name, then unique prefix, as the parser finds it. */
static int find_long(const struct walk *w, const char *name, int *go, const struct ext_opt **xo)
{
	const struct ext *xs[NFSH_MAX_MATCHES + 2];
	int nx = live_exts(w, xs), hits = 0;
	size_t len = strlen(name);

	*go = -1;
	*xo = NULL;
	if ((*go = go_index(name)) >= 0)
		return 1;
	for (int k = 0; k < nx; k++)
		for (size_t o = 0; o < xs[k]->nopts; o++)
			if (strcmp(xs[k]->opts[o].name, name) == 0) {
				*xo = &xs[k]->opts[o];
				return 1;
			}
	for (int g = 0; g < cmd_noptions; g++)
		if (strncmp(cmd_options[g].longname, name, len) == 0) {
			*go = g;
			hits++;
		}
	for (int k = 0; k < nx; k++)
		for (size_t o = 0; o < xs[k]->nopts; o++)
			if (strncmp(xs[k]->opts[o].name, name, len) == 0 &&
			    *xo != &xs[k]->opts[o]) {
				*xo = &xs[k]->opts[o];
				hits++;
			}
	if (hits != 1) {
		*go = -1;
		*xo = NULL;
		return 0;
	}
	if (*xo)
		*go = -1;
	return 1;
}

static int find_short(char c)
{
	for (int g = 0; g < cmd_noptions; g++)
		if (cmd_options[g].shortname == c)
			return g;
	return -1;
}

/* The effect of a generic option's argument on what follows. */
static void apply_generic(struct walk *w, int g, const char *arg)
{
	if (is_go(g, "match")) {
		const struct ext *x = ext_find(arg, EXT_MATCH);

		if (x && w->nm < NFSH_MAX_MATCHES)
			w->m[w->nm++] = x;
	} else if (is_go(g, "protocol")) {
		int p = proto_lookup(arg);

		w->proto_set = true;
		w->proto = p < 0 ? 0 : p;
	} else if (is_go(g, "jump")) {
		w->target = ext_find(arg, EXT_TARGET);
	} else if (is_go(g, "table")) {
		int t = table_lookup(arg);

		if (t >= 0)
			w->table = t;
	}
}

static void apply_flag(struct walk *w, int g)
{
	if (is_command(g)) {
		w->have_cmd = true;
		w->cmd_go = g;
	}
	if (is_go(g, "ipv4"))
		w->family = NFSH_IPV4;
	if (is_go(g, "ipv6"))
		w->family = NFSH_IPV6;
}

static void dyn(const struct walk *w, enum compl_dyn kind, const char *cur, struct compl_res *res)
{
	if (w->env->dyn)
		w->env->dyn(w->env->arg, kind, w->family, w->table, cur, res);
}

static void add_builtin_chains(const struct walk *w, const char *cur, struct compl_res *res)
{
	const struct table_desc *t = table_by_id(w->table);

	for (int i = 0; t && i < t->nchains; i++)
		compl_add(res, cur, t->chains[i].name, "built-in chain");
}

static void add_exts(const struct walk *w, enum ext_type type, const char *cur,
                     struct compl_res *res)
{
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++) {
		const struct ext *x = *p;

		if (x->type != type || !(x->families & (1u << w->family)))
			continue;
		if (type == EXT_TARGET && x->tables && !(x->tables & TBL_BIT(w->table)))
			continue;
		compl_add(res, cur, x->name, x->help);
	}
}

static void complete_generic_arg(const struct walk *w, int g, int k, const char *cur,
                                 struct compl_res *res)
{
	const struct cmd_option *o = &cmd_options[g];
	const char *n = o->longname;

	if (is_go(g, "new-chain") || (is_go(g, "rename-chain") && k == 1)) {
		compl_note(res, "CHAIN", "name of the new chain");
	} else if (is_go(g, "delete-chain") || is_go(g, "rename-chain")) {
		dyn(w, CD_USER_CHAIN, cur, res);
	} else if (is_go(g, "policy")) {
		if (k == 0)
			add_builtin_chains(w, cur, res);
		else {
			compl_add(res, cur, "ACCEPT", "let packets through");
			compl_add(res, cur, "DROP", "discard packets");
		}
	} else if (is_command(g) && k == 0 && o->nargs != 0) {
		add_builtin_chains(w, cur, res);
		dyn(w, CD_USER_CHAIN, cur, res);
	} else if (is_command(g)) {
		compl_note(res, "RULENUM", "rule number, from 1");
	} else if (is_go(g, "protocol")) {
		static const char *const protos[] = {"tcp",  "udp",  "udplite", "icmp", "icmpv6",
		                                     "sctp", "dccp", "esp",     "ah",   "gre",
		                                     "mh",   "all",  NULL};
		for (int i = 0; protos[i]; i++)
			if (!((w->family == NFSH_IPV4 && !strcmp(protos[i], "icmpv6")) ||
			      (w->family == NFSH_IPV6 && !strcmp(protos[i], "icmp"))))
				compl_add(res, cur, protos[i], NULL);
	} else if (is_go(g, "jump")) {
		compl_add(res, cur, "ACCEPT", "let the packet through");
		compl_add(res, cur, "DROP", "discard the packet");
		compl_add(res, cur, "RETURN", "return to the calling chain");
		add_exts(w, EXT_TARGET, cur, res);
		dyn(w, CD_USER_CHAIN, cur, res);
	} else if (is_go(g, "goto")) {
		dyn(w, CD_USER_CHAIN, cur, res);
	} else if (is_go(g, "match")) {
		add_exts(w, EXT_MATCH, cur, res);
	} else if (is_go(g, "table")) {
		for (int t = 0; t < TBL_COUNT; t++)
			compl_add(res, cur, table_by_id(t)->name, NULL);
	} else if (is_go(g, "in-interface") || is_go(g, "out-interface")) {
		dyn(w, CD_IFACE, cur, res);
	} else {
		compl_note(res, o->metavar ? o->metavar : n, o->help);
	}
}

/* A comma list: complete the element after the last comma, keeping the
 * elements before it and leaving out those already given. */
static void complete_list(const struct ext_opt *xo, const char *cur, struct compl_res *res)
{
	const char *last = strrchr(cur, ',');
	size_t keep = last ? (size_t)(last - cur + 1) : 0;
	char text[COMPL_TEXT_MAX];

	for (int i = 0; xo->values[i]; i++) {
		const char *v = xo->values[i];
		size_t vl = strlen(v);
		bool given = false;

		for (const char *p = cur; p < cur + keep; p = strchr(p, ',') + 1) {
			if (strncasecmp(p, v, vl) == 0 && p[vl] == ',')
				given = true;
			if (!strchr(p, ','))
				break;
		}
		if (given || strncasecmp(v, cur + keep, strlen(cur + keep)) != 0)
			continue;
		snprintf(text, sizeof(text), "%.*s%s", (int)keep, cur, v);
		add_item(res, text, NULL, true);
	}
	res->no_space = true;
}

static void complete_ext_arg(const struct walk *w, const struct ext_opt *xo, const char *cur,
                             struct compl_res *res)
{
	switch (xo->vkind) {
	case VK_ENUM:
		for (int i = 0; xo->values && xo->values[i]; i++)
			add_value(res, cur, xo->values[i], NULL);
		break;
	case VK_LIST:
		if (xo->values)
			complete_list(xo, cur, res);
		break;
	case VK_IFACE:
		dyn(w, CD_IFACE, cur, res);
		break;
	case VK_CHAIN:
		dyn(w, CD_CHAIN, cur, res);
		break;
	default:
		compl_note(res, xo->metavar ? xo->metavar : xo->name, xo->help);
	}
}

static void opt_item(struct compl_res *res, const char *cur, const char *text, const char *metavar,
                     const char *help)
{
	int before = res->n;

	compl_add(res, cur, text, help);
	if (res->n > before && metavar)
		snprintf(res->it[res->n - 1].meta, sizeof(res->it[0].meta), "%s", metavar);
}

/* Options valid here: the commands until one is given, then the rule options
 * and those of every loaded extension. Long forms when the word starts with
 * "--", otherwise the short form where there is one. */
static void complete_options(const struct walk *w, const char *cur, struct compl_res *res)
{
	const struct ext *xs[NFSH_MAX_MATCHES + 2];
	int nx = live_exts(w, xs);
	bool longonly = strncmp(cur, "--", 2) == 0;
	char text[COMPL_TEXT_MAX];

	/* FRR's <cr>: the command could end here. */
	if (w->have_cmd && !cur[0])
		add_item(res, "<cr>", "run the command as it is", false);
	/* The loaded extensions' options first: they are what this point is about. */
	for (int k = 0; k < nx; k++)
		for (size_t o = 0; o < xs[k]->nopts; o++) {
			snprintf(text, sizeof(text), "--%s", xs[k]->opts[o].name);
			opt_item(res, cur, text, xs[k]->opts[o].metavar, xs[k]->opts[o].help);
		}
	for (int g = 0; g < cmd_noptions; g++) {
		const struct cmd_option *o = &cmd_options[g];

		if (w->have_cmd && is_command(g))
			continue;
		if (!longonly && o->shortname)
			snprintf(text, sizeof(text), "-%c", o->shortname);
		else
			snprintf(text, sizeof(text), "--%s", o->longname);
		opt_item(res, cur, text, o->metavar, o->help);
	}
}

/* Walk an iptables command; complete its argument or the next option. */
static void complete_iptables(struct walk *w, int nwords, char *const *words, const char *cur,
                              struct compl_res *res)
{
	int i = 0;

	while (i < nwords) {
		const char *word = words[i++];
		int g = -1, nargs;
		const struct ext_opt *xo = NULL;

		if (strncmp(word, "--", 2) == 0 && word[2]) {
			char name[128];
			const char *eq = strchr(word, '=');
			size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);

			snprintf(name, sizeof(name), "%.*s", (int)len, word + 2);
			if (!find_long(w, name, &g, &xo) && w->proto_set && w->proto &&
			    ext_for_proto(w->proto)) {
				bool amb;

				if (ext_opt_find(ext_for_proto(w->proto), name, &amb) &&
				    w->nm < NFSH_MAX_MATCHES) {
					w->m[w->nm++] = ext_for_proto(w->proto);
					find_long(w, name, &g, &xo);
				}
			}
			if (xo && implicit_ext(w) && xo >= implicit_ext(w)->opts &&
			    xo < implicit_ext(w)->opts + implicit_ext(w)->nopts)
				w->m[w->nm++] = implicit_ext(w);
			if (g < 0 && !xo)
				continue;
			if (g >= 0)
				apply_flag(w, g);
			nargs = g >= 0 ? cmd_options[g].nargs : xo->nargs;
			if (eq) {
				if (g >= 0)
					apply_generic(w, g, eq + 1);
				continue;
			}
		} else if (word[0] == '-' && word[1] && word[1] != '-') {
			const char *s = word + 1;

			for (; *s; s++) {
				g = find_short(*s);
				if (g < 0)
					break;
				apply_flag(w, g);
				if (cmd_options[g].nargs != 0)
					break;
			}
			if (g < 0 || !*s || cmd_options[g].nargs == 0)
				continue;
			nargs = cmd_options[g].nargs;
			if (s[1]) {
				apply_generic(w, g, s + 1);
				if (nargs < 2)
					continue;
				/* -Rchain NUM: the remaining argument follows. */
			}
		} else {
			continue; /* `!`, rule numbers, stray words */
		}
		/* Take the option's arguments; the cursor may be on one of them. */
		for (int k = 0; k < (nargs < 0 ? 1 : nargs); k++) {
			bool optional = nargs < 0;

			if (i < nwords) {
				if (optional && words[i][0] == '-')
					break;
				if (g >= 0 && k == 0)
					apply_generic(w, g, words[i]);
				i++;
				continue;
			}
			if (optional && cur[0] == '-')
				break;
			if (g >= 0)
				complete_generic_arg(w, g, k, cur, res);
			else
				complete_ext_arg(w, xo, cur, res);
			if (!optional)
				return;
			if (cur[0])
				return;
			break;
		}
	}
	complete_options(w, cur, res);
}

/* src/ct may publish its option table in the cmd_option shape; until it
 * does, conntrack lines get a description only. */
extern const struct cmd_option ct_cli_options[] __attribute__((weak));
extern const int ct_cli_noptions __attribute__((weak));

static void complete_conntrack(const char *cur, struct compl_res *res)
{
	char text[COMPL_TEXT_MAX];

	if (!ct_cli_options || !&ct_cli_noptions) {
		compl_note(res, "CONNTRACK-ARGS", "conntrack(8) arguments: -L, -E, -D, -F, ...");
		return;
	}
	for (int i = 0; i < ct_cli_noptions; i++) {
		const struct cmd_option *o = &ct_cli_options[i];

		if (strncmp(cur, "--", 2) && o->shortname)
			snprintf(text, sizeof(text), "-%c", o->shortname);
		else
			snprintf(text, sizeof(text), "--%s", o->longname);
		opt_item(res, cur, text, o->metavar, o->help);
	}
}

static void complete_first(const struct compl_env *env, const char *cur, struct compl_res *res)
{
	struct walk w = {.env = env, .family = env->family};

	if (env->mode == CM_SHELL)
		add_tab(res, cur, shell_builtins, shell_nbuiltins);
	else
		add_tab(res, cur, argv_subcommands,
		        (int)(sizeof(argv_subcommands) / sizeof(argv_subcommands[0])));
	if (!cur[0] || cur[0] == '-')
		complete_options(&w, cur, res);
}

static void complete_help(const char *cur, struct compl_res *res)
{
	compl_add(res, cur, "commands", "iptables commands and rule options");
	compl_add(res, cur, "matches", "the match extensions (-m NAME)");
	compl_add(res, cur, "targets", "the target extensions (-j NAME)");
	compl_add(res, cur, "shell", "quoting, history, completion, candidates");
	add_tab(res, cur, shell_builtins, shell_nbuiltins);
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		compl_add(res, cur, (*p)->name, (*p)->help);
}

void compl_run(const struct compl_env *env, int nwords, char *const *words, const char *cur,
               struct compl_res *res)
{
	struct walk w = {.env = env, .family = env->family};
	const char *first;
	int b;

	res->n = 0;
	res->no_space = false;
	if (nwords == 0 || (env->mode == CM_ARGV && nwords == 1 &&
	                    (!strcmp(words[0], "-4") || !strcmp(words[0], "-6")))) {
		complete_first(env, cur, res);
		return;
	}
	first = words[0];
	if (env->mode == CM_ARGV && (!strcmp(first, "-4") || !strcmp(first, "-6"))) {
		w.family = first[1] == '6' ? NFSH_IPV6 : NFSH_IPV4;
		words++;
		nwords--;
		first = words[0];
	}
	if (first[0] == '-') {
		complete_iptables(&w, nwords, words, cur, res);
		return;
	}
	b = compl_builtin_lookup(shell_builtins, shell_nbuiltins, first);
	first = b >= 0 ? shell_builtins[b].name : first;
	if (!strcmp(first, "iptables") || !strcmp(first, "ip6tables")) {
		w.family = first[2] == '6' ? NFSH_IPV6 : NFSH_IPV4;
		complete_iptables(&w, nwords - 1, words + 1, cur, res);
	} else if (!strcmp(first, "translate")) {
		if (cur[0] == '-' && cur[1] == '-') {
			compl_add(res, cur, "--json", "print the libnftables JSON batch");
			compl_add(res, cur, "--full", "include the table and chain creation");
		}
		complete_iptables(&w, nwords - 1, words + 1, cur, res);
	} else if (!strcmp(first, "help") && nwords == 1) {
		complete_help(cur, res);
	} else if (!strcmp(first, "show") && nwords == 1) {
		add_tab(res, cur, shell_show_topics, shell_nshow_topics);
	} else if (!strcmp(first, "family") && nwords == 1) {
		compl_add(res, cur, "4", "IPv4 (iptables)");
		compl_add(res, cur, "6", "IPv6 (ip6tables)");
	} else if (!strcmp(first, "restore") || !strcmp(first, "import")) {
		dyn(&w, CD_FILE, cur, res);
	} else if (!strcmp(first, "commit") && nwords == 1) {
		compl_add(res, cur, "confirmed", "revert unless `confirm` is typed in time");
	} else if (!strcmp(first, "commit") && nwords == 2) {
		compl_note(res, "SECONDS", "time to confirm (default 60)");
	} else if (!strcmp(first, "rollback") && nwords == 1) {
		compl_note(res, "N", "snapshot number from `show rollbacks` (default 0)");
	} else if (!strcmp(first, "conntrack")) {
		complete_conntrack(cur, res);
	}
}

/* `help`: generated from the same tables as the parser and completion. */
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "cmd/oneshot.h"
#include "ext/ext.h"
#include "shell/complete.h"
#include "shell/shell.h"

static void list_exts(FILE *out, enum ext_type type)
{
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		if ((*p)->type == type)
			fprintf(out, "  %-14s %s\n", (*p)->name, (*p)->help ? (*p)->help : "");
}

static void print_values(FILE *out, const char *const *v)
{
	int col = 0;

	fputs("        values:", out);
	col = 15;
	for (int i = 0; v[i]; i++) {
		if (col + (int)strlen(v[i]) > 78) {
			fputs("\n               ", out);
			col = 15;
		}
		col += fprintf(out, " %s", v[i]);
	}
	fputc('\n', out);
}

static void print_ext(FILE *out, const struct ext *x)
{
	fprintf(out, "%s %s: %s\n", x->type == EXT_MATCH ? "-m" : "-j", x->name,
	        x->help ? x->help : "");
	if (x->alias_of)
		fprintf(out, "  (another name for %s)\n", x->alias_of);
	if (x->implicit_proto)
		fprintf(out, "  (loaded by -p %s too)\n", x->name);
	if (!x->nopts)
		fputs("  no options\n", out);
	for (size_t i = 0; i < x->nopts; i++) {
		const struct ext_opt *o = &x->opts[i];
		char left[96];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->metavar ? " " : "",
		         o->metavar ? o->metavar : "");
		fprintf(out, "  %s%-34s %s\n", o->flags & EXT_OPT_INV ? "[!] " : "    ", left,
		        o->help ? o->help : "");
		if ((o->vkind == VK_ENUM || o->vkind == VK_LIST) && o->values)
			print_values(out, o->values);
	}
}

static void overview(FILE *out)
{
	fputs("nfsh shell: iptables commands (with or without a leading iptables/ip6tables)\n"
	      "and these built-ins (any unique prefix will do):\n\n",
	      out);
	for (int i = 0; i < shell_nbuiltins; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", shell_builtins[i].name,
		         shell_builtins[i].args ? shell_builtins[i].args : "");
		fprintf(out, "  %-28s %s\n", left, shell_builtins[i].help);
	}
	fputs("\nhelp commands | matches | targets | shell | NAME (a match, target or built-in)\n"
	      "TAB completes, ? lists what may come next.\n",
	      out);
}

static void shell_topic(FILE *out)
{
	fputs("Lines are split like a POSIX shell: 'single' and \"double\" quotes, \\ escapes,\n"
	      "# comments, and a trailing \\ continues the line. Changes apply at once, unless\n"
	      "a candidate is open: begin stages commands; show candidate, diff and check look\n"
	      "at them; commit applies them in one transaction (commit confirmed SECONDS\n"
	      "reverts unless confirm is typed in time, even if the shell dies); abort drops\n"
	      "them. Every commit keeps a snapshot: show rollbacks, rollback N.\n"
	      "History is kept in $XDG_STATE_HOME/nfsh/history. NO_COLOR turns colour off.\n",
	      out);
}

/* `help --dport`, `help -j`: every table entry of that name. */
static bool help_option(FILE *out, const char *topic)
{
	const char *name = topic + (topic[1] == '-' ? 2 : 1);
	bool found = false;

	for (int i = 0; i < cmd_noptions; i++) {
		const struct cmd_option *o = &cmd_options[i];

		if ((topic[1] == '-' && strcmp(o->longname, name)) ||
		    (topic[1] != '-' && (strlen(name) != 1 || o->shortname != name[0])))
			continue;
		fprintf(out, "%s--%s%s%s%s: %s\n",
		        o->shortname ? (char[]){'-', o->shortname, ',', ' ', 0} : "", o->longname,
		        o->metavar ? " " : "", o->metavar ? o->metavar : "",
		        o->invertible ? " (! inverts it)" : "", o->help);
		found = true;
	}
	for (const struct ext *const *p = ext_begin(); topic[1] == '-' && p < ext_end(); p++)
		for (size_t i = 0; i < (*p)->nopts; i++) {
			const struct ext_opt *o = &(*p)->opts[i];

			if (strcmp(o->name, name))
				continue;
			fprintf(out, "--%s%s%s (%s %s)%s: %s\n", o->name, o->metavar ? " " : "",
			        o->metavar ? o->metavar : "", (*p)->type == EXT_MATCH ? "-m" : "-j",
			        (*p)->name, o->flags & EXT_OPT_INV ? " (! inverts it)" : "",
			        o->help ? o->help : "");
			found = true;
		}
	return found;
}

int help_print(FILE *out, const char *topic, struct nfsh_err *e)
{
	bool found = false;
	int b;

	if (!topic) {
		overview(out);
		return 0;
	}
	if (!strcmp(topic, "commands")) {
		oneshot_usage(out, "nfsh");
		return 0;
	}
	if (!strcmp(topic, "matches") || !strcmp(topic, "targets")) {
		fprintf(out, "%s:\n", topic[0] == 'm' ? "Matches (-m NAME)" : "Targets (-j NAME)");
		list_exts(out, topic[0] == 'm' ? EXT_MATCH : EXT_TARGET);
		if (topic[0] == 't')
			fputs("  ACCEPT DROP RETURN and user chains are built in\n", out);
		return 0;
	}
	if (topic[0] == '-' && topic[1] && help_option(out, topic))
		return 0;
	if (!strcmp(topic, "shell")) {
		shell_topic(out);
		return 0;
	}
	for (const struct ext *const *p = ext_begin(); p < ext_end(); p++)
		if (!strcasecmp((*p)->name, topic)) {
			if (found)
				fputc('\n', out);
			print_ext(out, *p);
			found = true;
		}
	if (found)
		return 0;
	b = compl_builtin_lookup(shell_builtins, shell_nbuiltins, topic);
	if (b >= 0) {
		fprintf(out, "%s %s\n  %s\n", shell_builtins[b].name,
		        shell_builtins[b].args ? shell_builtins[b].args : "",
		        shell_builtins[b].help);
		if (!strcmp(shell_builtins[b].name, "show"))
			for (int i = 0; i < shell_nshow_topics; i++)
				fprintf(out, "  show %-12s %s\n", shell_show_topics[i].name,
				        shell_show_topics[i].help);
		return 0;
	}
	{
		const char *names[300];
		int n = 0;
		const char *close;

		for (const struct ext *const *p = ext_begin(); p < ext_end() && n < 250; p++)
			names[n++] = (*p)->name;
		for (int i = 0; i < shell_nbuiltins && n < 299; i++)
			names[n++] = shell_builtins[i].name;
		close = err_closest(topic, names, n);
		err_set(e, NFSH_EPARAM, topic, "no help for \"%s\"", topic);
		e->argi = 1;
		if (close)
			err_hint(e, "did you mean \"help %s\"?", close);
		else
			err_hint(e, "help matches, help targets or help commands list the names");
	}
	return -1;
}

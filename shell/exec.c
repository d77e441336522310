/* One shell line: lex it, find the built-in or hand it to the iptables
 * grammar, and report errors under the line with a caret. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>

#include "cmd/oneshot.h"
#include "cmd/print.h"
#include "cmd/run.h"
#include "ext/ext.h"
#include "shell/complete.h"
#include "shell/shell.h"

int ct_cli_main(int argc, char **argv) __attribute__((weak));
int io_save_main(int family, int argc, char **argv) __attribute__((weak));
int io_restore_main(int family, int argc, char **argv) __attribute__((weak));
int io_import_main(int argc, char **argv) __attribute__((weak));

static const char *col(const struct shell *sh, const char *code)
{
	return sh->color ? code : "";
}

void shell_warn(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%swarning:%s ", col(sh, "\033[33m"), col(sh, "\033[0m"));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The word the error names: by index, else by text. */
static int find_word(const struct lex_line *l, int argi, const struct nfsh_err *e)
{
	if (argi >= 0 && argi < l->nwords)
		return argi;
	if (!e->word[0])
		return -1;
	for (int i = 0; i < l->nwords; i++)
		if (strcmp(l->w[i].text, e->word) == 0)
			return i;
	for (int i = 0; i < l->nwords; i++)
		if (strncmp(l->w[i].text, "--", 2) == 0 && strcmp(l->w[i].text + 2, e->word) == 0)
			return i;
	for (int i = 0; i < l->nwords; i++)
		if (strstr(l->w[i].text, e->word))
			return i;
	return -1;
}

void shell_error(struct shell *sh, const char *line, const struct lex_line *l, int argi,
                 const struct nfsh_err *e)
{
	int k = l ? find_word(l, argi, e) : -1;

	fflush(stdout);
	if (!sh->interactive && sh->lineno)
		fprintf(stderr, "nfsh: line %d: ", sh->lineno);
	fprintf(stderr, "%serror:%s %s\n", col(sh, "\033[1;31m"), col(sh, "\033[0m"), e->msg);
	if (k >= 0) {
		int start = l->w[k].start, end = l->w[k].end;
		const char *text = l->w[k].text, *sub = e->word[0] ? strstr(text, e->word) : NULL;

		/* One bad element of a list: underline just that element, when the
		 * word was typed without quotes (its text is then its span). */
		if (sub && sub != text && (int)strlen(text) == end - start) {
			start += (int)(sub - text);
			end = start + (int)strlen(e->word);
		}

		fputs("  ", stderr);
		for (const char *p = line; *p; p++)
			fputc(*p == '\n' || *p == '\t' ? ' ' : *p, stderr);
		fputs("\n  ", stderr);
		for (int i = 0; i < start; i++)
			fputc(' ', stderr);
		fprintf(stderr, "%s^", col(sh, "\033[1;32m"));
		for (int i = start + 1; i < end; i++)
			fputc('~', stderr);
		fprintf(stderr, "%s\n", col(sh, "\033[0m"));
	}
	if (e->hint[0])
		fprintf(stderr, "  hint: %s\n", e->hint);
}

int shell_session(struct shell *sh, struct nfsh_err *e)
{
	if (sh->sess_ok)
		return 0;
	if (sess_open(&sh->sess, e) < 0)
		return -1;
	sh->sess_ok = true;
	return 0;
}

static bool modifies(int op)
{
	return op != OP_LIST && op != OP_SPEC && op != OP_CHECK && op != OP_HELP &&
	       op != OP_VERSION;
}

/* Warnings about the rules just typed (the rule-level part of lint). */
static void entry_lint(struct shell *sh, const struct cmd *c)
{
	for (int k = 0; k < c->nrules && k < 1; k++)
		for (int m = 0; m < c->rules[k].nmatches; m++)
			if (strcmp(c->rules[k].matches[m].ext->name, "state") == 0)
				shell_warn(sh, "-m state is the old name of -m conntrack --ctstate "
				               "(the same kernel expression, ct state); prefer it");
}

/* After a change applied live: chain-level lint about what was just added. */
static void after_lint(struct shell *sh, const struct cmd *c)
{
	struct table_info ti;
	struct nfsh_err e;
	struct lint_msg msgs[32];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	if (c->op != OP_APPEND && c->op != OP_INSERT && c->op != OP_POLICY)
		return;
	if (table_read(&sh->sess, c->family, c->table, NULL, &ti, &e) < 0)
		return;
	f = open_memstream(&buf, &len);
	if (!f) {
		table_info_free(&ti);
		return;
	}
	print_spec(&ti, NULL, 0, false, f);
	fclose(f);
	n = lint_spec(buf, msgs, 32);
	for (int i = 0; i < n; i++) {
		struct chain_info *ch = table_find_chain(&ti, msgs[i].chain);
		int want = c->op == OP_APPEND && ch ? ch->nrules
		           : c->op == OP_INSERT     ? (c->rulenum ? c->rulenum : 1)
		                                    : 0;

		/* -m state was already said on entry, a lockout before applying. */
		if (strcmp(msgs[i].chain, c->chain) == 0 && msgs[i].rulenum == want &&
		    !strstr(msgs[i].text, "-m state") &&
		    !(c->op == OP_POLICY && strstr(msgs[i].text, "ESTABLISHED traffic")))
			shell_warn(sh, "%s", msgs[i].text);
	}
	free(buf);
	table_info_free(&ti);
}

/* Before a live -P INPUT DROP: the table as it would be, linted for lockout. */
static void before_policy(struct shell *sh, const struct cmd *c)
{
	struct table_info ti;
	struct nfsh_err e;
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f;

	if (c->op != OP_POLICY || c->table != TBL_FILTER || strcmp(c->chain, "INPUT") ||
	    strcmp(c->policy, "DROP"))
		return;
	if (table_read(&sh->sess, c->family, c->table, NULL, &ti, &e) < 0)
		return;
	f = open_memstream(&buf, &len);
	if (f) {
		print_spec(&ti, NULL, 0, false, f);
		fclose(f);
		if ((p = strstr(buf, "-P INPUT ACCEPT\n"))) {
			memcpy(p, "-P INPUT DROP\n", 14);
			memmove(p + 14, p + 16, strlen(p + 16) + 1);
		}
		if (strstr(buf, "-P INPUT DROP"))
			lint_lockout_warn(sh, buf);
	}
	free(buf);
	table_info_free(&ti);
}

static int run_iptables(struct shell *sh, const char *line, const struct lex_line *l, int off,
                        int family)
{
	struct cmd c;
	struct nfsh_err e;
	int rc;

	if (cmd_parse(l->nwords - off, l->argv + off, family, &c, &e) < 0) {
		shell_error(sh, line, l, e.argi >= 0 ? e.argi + off : -1, &e);
		return e.status ? e.status : 2;
	}
	if (c.op == OP_HELP || c.op == OP_VERSION) {
		if (c.op == OP_HELP)
			oneshot_usage(stdout, "nfsh");
		else
			printf("nfsh v0.1.0 (nf_tables native)\n");
		cmd_release(&c);
		return 0;
	}
	entry_lint(sh, &c);
	if (shell_session(sh, &e) < 0) {
		cmd_release(&c);
		shell_error(sh, line, l, -1, &e);
		return e.status ? e.status : 4;
	}
	if (sh->cand && modifies(c.op))
		rc = cand_stage(sh, &c, line, &e) < 0 ? (e.status ? e.status : 1) : 0;
	else {
		before_policy(sh, &c);
		rc = cmd_run(&sh->sess, &c, stdout, &e);
		if (rc == 0 && modifies(c.op))
			after_lint(sh, &c);
	}
	if (rc)
		shell_error(sh, line, l, e.argi >= 0 ? e.argi + off : -1, &e);
	cmd_release(&c);
	return rc;
}

static bool has_word(int argc, char **argv, const char *w)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], w))
			return true;
	return false;
}

/* Faces of other rooms, called with the words as their argv. */
static int run_face(struct shell *sh, const char *name, const struct lex_line *l)
{
	char **argv = (char **)l->argv;
	int argc = l->nwords, rc;

	fflush(stdout);
	if (!strcmp(name, "conntrack") && ct_cli_main)
		rc = ct_cli_main(argc, argv);
	else if (!strcmp(name, "save") && io_save_main)
		rc = io_save_main(sh->family, argc - 1, argv + 1);
	else if (!strcmp(name, "restore") && io_restore_main)
		rc = has_word(argc, argv, "--confirm")
		         ? confirm_restore_main(sh->family, argc - 1, argv + 1)
		         : io_restore_main(sh->family, argc - 1, argv + 1);
	else if (!strcmp(name, "import") && io_import_main)
		rc = io_import_main(argc, argv);
	else {
		struct nfsh_err e;

		err_set(&e, NFSH_EOTHER, name, "%s is not part of this build", name);
		shell_error(sh, "", NULL, -1, &e);
		return 1;
	}
	fflush(stdout);
	return rc;
}

static int show_history(void)
{
	HIST_ENTRY **h = history_list();

	for (int i = 0; h && h[i]; i++)
		printf("%5d  %s\n", i + history_base, h[i]->line);
	return 0;
}

static int set_family(struct shell *sh, const struct lex_line *l, struct nfsh_err *e)
{
	if (l->nwords < 2) {
		printf("family %d\n", sh->family == NFSH_IPV6 ? 6 : 4);
		return 0;
	}
	if (!strcmp(l->argv[1], "4") || !strcmp(l->argv[1], "ipv4") || !strcmp(l->argv[1], "ip"))
		sh->family = NFSH_IPV4;
	else if (!strcmp(l->argv[1], "6") || !strcmp(l->argv[1], "ipv6") ||
	         !strcmp(l->argv[1], "ip6"))
		sh->family = NFSH_IPV6;
	else {
		err_set(e, NFSH_EPARAM, l->argv[1], "unknown family \"%s\"", l->argv[1]);
		err_hint(e, "family 4 or family 6");
		e->argi = 1;
		return -1;
	}
	return 0;
}

static int unknown_word(struct shell *sh, const char *line, const struct lex_line *l, int b)
{
	const char *names[64];
	struct nfsh_err e;
	const char *w = l->argv[0];

	for (int i = 0; i < shell_nbuiltins && i < 63; i++)
		names[i] = shell_builtins[i].name;
	names[shell_nbuiltins < 63 ? shell_nbuiltins : 63] = NULL;
	if (b == -2) {
		struct strbuf sb;

		sb_init(&sb);
		for (int i = 0; i < shell_nbuiltins; i++)
			if (!strncmp(shell_builtins[i].name, w, strlen(w)))
				sb_addf(&sb, "%s%s", sb.len ? ", " : "", shell_builtins[i].name);
		err_set(&e, NFSH_EPARAM, w, "\"%s\" is ambiguous", w);
		err_hint(&e, "one of: %s", sb_str(&sb));
		sb_free(&sb);
	} else {
		const char *close = err_closest(w, names, -1);

		err_set(&e, NFSH_EPARAM, w, "unknown command \"%s\"", w);
		if (close)
			err_hint(&e, "did you mean \"%s\"?", close);
		else
			err_hint(&e, "an iptables command (-A INPUT ...) or a built-in; try help");
	}
	shell_error(sh, line, l, 0, &e);
	return 2;
}

static int builtin(struct shell *sh, const char *line, const struct lex_line *l, const char *name)
{
	struct nfsh_err e;
	char **argv = (char **)l->argv;
	int argc = l->nwords, rc = 0;

	err_clear(&e);
	if (!strcmp(name, "quit") || !strcmp(name, "exit")) {
		sh->quit = true;
		return 0;
	}
	if (!strcmp(name, "iptables") || !strcmp(name, "ip6tables"))
		return run_iptables(sh, line, l, 1, name[2] == '6' ? NFSH_IPV6 : NFSH_IPV4);
	if (!strcmp(name, "conntrack") || !strcmp(name, "save") || !strcmp(name, "restore") ||
	    !strcmp(name, "import"))
		return run_face(sh, name, l);
	if (!strcmp(name, "translate")) {
		fflush(stdout);
		rc = oneshot_translate("nfsh", sh->family, argc - 1, argv + 1);
		fflush(stdout);
		return rc;
	}
	if (!strcmp(name, "help"))
		rc = help_print(stdout, argc > 1 ? argv[1] : NULL, &e);
	else if (!strcmp(name, "history"))
		rc = show_history();
	else if (!strcmp(name, "family"))
		rc = set_family(sh, l, &e);
	else if (shell_session(sh, &e) < 0)
		rc = -1;
	else if (!strcmp(name, "show"))
		rc = shell_show(sh, argc - 1, argv + 1, &e);
	else if (!strcmp(name, "begin"))
		rc = cand_begin(sh, &e);
	else if (!strcmp(name, "diff"))
		rc = cand_diff(sh, &e);
	else if (!strcmp(name, "check"))
		rc = cand_check(sh, &e);
	else if (!strcmp(name, "commit"))
		rc = cand_commit(sh, argc - 1, argv + 1, &e);
	else if (!strcmp(name, "abort"))
		rc = cand_abort(sh);
	else if (!strcmp(name, "confirm"))
		rc = confirm_keep(sh, &e);
	else if (!strcmp(name, "rollback"))
		rc = rollback_run(sh, argc - 1, argv + 1, &e);
	else if (!strcmp(name, "lint"))
		rc = lint_live(sh, stdout) >= 0 ? 0 : -1;
	fflush(stdout);
	if (rc < 0) {
		/* Built-ins count words after their own name. */
		if (e.argi >= 0 && !strcmp(name, "show"))
			e.argi++;
		shell_error(sh, line, l, e.argi, &e);
		return e.status ? e.status : 1;
	}
	return rc;
}

int shell_exec(struct shell *sh, const char *line)
{
	struct lex_line *l = malloc(sizeof(*l));
	struct nfsh_err e;
	int rc, b;

	if (!l)
		return 4;
	rc = lex_split(line, l, &e);
	if (rc != LEX_OK) {
		if (rc == LEX_INCOMPLETE)
			err_set(&e, NFSH_EPARAM, NULL, "unterminated %s at the end of the input",
			        l->open_quote ? "quote" : "line (trailing \\)");
		shell_error(sh, line, NULL, -1, &e);
		free(l);
		return 2;
	}
	if (l->nwords == 0) {
		free(l);
		return 0;
	}
	if (l->argv[0][0] == '-') {
		rc = run_iptables(sh, line, l, 0, sh->family);
	} else {
		b = compl_builtin_lookup(shell_builtins, shell_nbuiltins, l->argv[0]);
		rc = b < 0 ? unknown_word(sh, line, l, b)
		           : builtin(sh, line, l, shell_builtins[b].name);
	}
	free(l);
	return rc;
}

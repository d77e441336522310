/* `show ...`: read-only views of nfsh's tables and of the shell's state. */
#include <string.h>

#include "nft/json.h"
#include "cmd/print.h"
#include "cmd/run.h"
#include "nft/text.h"
#include "shell/complete.h"
#include "shell/shell.h"

static const int families[] = {NFSH_IPV4, NFSH_IPV6};

void shell_print_ruleset(struct nfsh_session *s, FILE *out)
{
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < TBL_COUNT; t++) {
			struct table_info ti;
			struct nfsh_err e;

			if (table_read(s, families[f], t, NULL, &ti, &e) < 0)
				continue;
			if (ti.exists) {
				fprintf(out, "*%s %s\n", family_nft_name(families[f]),
				        table_by_id(t)->name);
				print_spec(&ti, NULL, 0, false, out);
			}
			table_info_free(&ti);
		}
}

static int run_words(struct shell *sh, int argc, char **argv, struct nfsh_err *e)
{
	struct cmd c;
	int rc;

	if (cmd_parse(argc, argv, sh->family, &c, e) < 0)
		return -1;
	rc = cmd_run(&sh->sess, &c, stdout, e);
	cmd_release(&c);
	return rc ? -1 : 0;
}

static int show_tables(struct shell *sh, struct nfsh_err *e)
{
	json_t *arr = sess_list(&sh->sess, "list tables", NULL, e), *o;
	size_t i;

	if (!arr)
		return -1;
	json_array_foreach(arr, i, o)
	{
		json_t *t = json_object_get(o, "table");
		const char *name, *fam;

		if (!t)
			continue;
		name = json_string_value(json_object_get(t, "name"));
		fam = json_string_value(json_object_get(t, "family"));
		printf("%-6s %-24s %s\n", fam ? fam : "?", name ? name : "?",
		       name && !strncmp(name, "nfsh-", 5) ? "nfsh" : "foreign (read-only)");
	}
	json_decref(arr);
	return 0;
}

static int show_chains(struct shell *sh, struct nfsh_err *e)
{
	(void)e;
	for (int t = 0; t < TBL_COUNT; t++) {
		struct table_info ti;

		if (table_read(&sh->sess, sh->family, t, NULL, &ti, e) < 0)
			return -1;
		for (int i = 0; ti.exists && i < ti.nchains; i++) {
			struct chain_info *ch = &ti.chains[i];

			printf("%-9s %-30s %-8s %4d rule%s", table_by_id(t)->name, ch->name,
			       ch->builtin ? ch->policy : "-", ch->nrules,
			       ch->nrules == 1 ? " " : "s");
			if (!ch->builtin)
				printf("  %d reference%s", ch->refs, ch->refs == 1 ? "" : "s");
			putchar('\n');
		}
		table_info_free(&ti);
	}
	return 0;
}

static int show_nft(struct shell *sh, struct nfsh_err *e)
{
	json_t *snap = snap_take(&sh->sess, e), *o;
	struct strbuf sb;
	size_t i;

	if (!snap)
		return -1;
	sb_init(&sb);
	json_array_foreach(snap, i, o)
	{
		json_t *cmd = nftj_stmt("add", json_incref(o));

		sb_reset(&sb);
		nftt_command(cmd, &sb);
		printf("%s\n", sb_str(&sb));
		json_decref(cmd);
	}
	sb_free(&sb);
	json_decref(snap);
	return 0;
}

int shell_show(struct shell *sh, int argc, char **argv, struct nfsh_err *e)
{
	int k;
	const char *what;

	if (argc < 1) {
		err_set(e, NFSH_EPARAM, "show", "show what?");
		err_hint(e, "rules, tables, chains, counters, ruleset, nft, candidate, rollbacks");
		return -1;
	}
	k = compl_builtin_lookup(shell_show_topics, shell_nshow_topics, argv[0]);
	if (k < 0) {
		const char *names[16];

		for (int i = 0; i < shell_nshow_topics && i < 15; i++)
			names[i] = shell_show_topics[i].name;
		names[shell_nshow_topics] = NULL;
		err_set(e, NFSH_EPARAM, argv[0], "%s show topic \"%s\"",
		        k == -2 ? "ambiguous" : "unknown", argv[0]);
		e->argi = 0;
		what = err_closest(argv[0], names, -1);
		if (what && k != -2)
			err_hint(e, "did you mean \"show %s\"?", what);
		else
			err_hint(
			    e,
			    "rules, tables, chains, counters, ruleset, nft, candidate, rollbacks");
		return -1;
	}
	what = shell_show_topics[k].name;
	if (!strcmp(what, "rules")) {
		char *w[] = {"-S", "-t", argc > 1 ? argv[1] : "filter", NULL};
		return run_words(sh, 3, w, e);
	}
	if (!strcmp(what, "counters")) {
		char *w[] = {"-L", "-v", "-n", "-x", "-t", argc > 1 ? argv[1] : "filter", NULL};
		return run_words(sh, 6, w, e);
	}
	if (!strcmp(what, "tables"))
		return show_tables(sh, e);
	if (!strcmp(what, "chains"))
		return show_chains(sh, e);
	if (!strcmp(what, "ruleset")) {
		shell_print_ruleset(&sh->sess, stdout);
		return 0;
	}
	if (!strcmp(what, "nft"))
		return show_nft(sh, e);
	if (!strcmp(what, "candidate"))
		return cand_show(sh);
	return rollback_show(sh, e);
}

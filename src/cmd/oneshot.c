#include "cmd/oneshot.h"
#include "cmd/cmd.h"
#include "cmd/run.h"
#include "nft/batch.h"
#include "nft/json.h"
#include "nft/text.h"

#include <stdlib.h>
#include <string.h>

void oneshot_usage(FILE *out, const char *prog)
{
	fprintf(out, "Usage: %s [-4|-6] [-t TABLE] COMMAND [CHAIN] [RULE-SPEC] [OPTIONS]\n\n",
	        prog);
	fprintf(out,
	        "Commands and options (iptables(8) syntax; long options may be abbreviated):\n");
	for (int i = 0; i < cmd_noptions; i++) {
		char left[64];

		if (cmd_options[i].shortname)
			snprintf(left, sizeof(left), "-%c, --%s %s", cmd_options[i].shortname,
			         cmd_options[i].longname,
			         cmd_options[i].metavar ? cmd_options[i].metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s %s", cmd_options[i].longname,
			         cmd_options[i].metavar ? cmd_options[i].metavar : "");
		fprintf(out, "  %s%-38s %s\n", cmd_options[i].invertible ? "[!] " : "    ", left,
		        cmd_options[i].help);
	}
	fprintf(
	    out,
	    "\nMatches (-m NAME) and targets (-j NAME): 'nfsh help NAME' lists their options.\n");
}

static int report(const char *prog, const struct nfsh_err *e)
{
	err_print(stderr, prog, e);
	return e->status ? e->status : 1;
}

int oneshot_iptables(const char *prog, int family, int argc, char **argv)
{
	struct cmd c;
	struct nfsh_err e;
	struct nfsh_session s;
	int rc;

	if (cmd_parse(argc, argv, family, &c, &e) < 0)
		return report(prog, &e);
	if (c.op == OP_HELP) {
		oneshot_usage(stdout, prog);
		return 0;
	}
	if (c.op == OP_VERSION) {
		printf("%s v0.1.0 (nfsh, nf_tables native)\n", prog);
		return 0;
	}
	if (sess_open(&s, &e) < 0) {
		cmd_release(&c);
		return report(prog, &e);
	}
	rc = cmd_run(&s, &c, stdout, &e);
	sess_close(&s);
	cmd_release(&c);
	if (rc)
		report(prog, &e);
	return rc;
}

/* The leading add table / add chain commands that create nfsh's table on
 * demand are left out of the translation unless asked for. */
static bool is_ensure(json_t *cmd)
{
	json_t *add = json_object_get(cmd, "add");
	json_t *ch = add ? json_object_get(add, "chain") : NULL;

	if (!add)
		return false;
	if (json_object_get(add, "table"))
		return true;
	return ch && json_object_get(ch, "hook") && !json_object_get(ch, "policy");
}

/* {"nftables": [{"list": {"table": ...}}]} for nfsh's table of family. */
static json_t *list_table_doc(int family, int table)
{
	json_t *cmds = nftj_array(), *doc;

	nftb_cmd(cmds, "list", "table", nftb_table(family, table_by_id(table)->nftname));
	doc = nftb_document(cmds);
	json_decref(cmds);
	return doc;
}

int oneshot_translate(const char *prog, int family, int argc, char **argv)
{
	struct cmd c;
	struct nfsh_err e;
	struct nfsh_session s;
	bool json = false, full = false, have_session;
	json_t *cmds;
	int rc;

	while (argc > 0 && (strcmp(argv[0], "--json") == 0 || strcmp(argv[0], "--full") == 0)) {
		json |= argv[0][2] == 'j';
		full |= argv[0][2] == 'f';
		argc--;
		argv++;
	}
	if (cmd_parse(argc, argv, family, &c, &e) < 0)
		return report(prog, &e);
	/* Translation works without privileges; only commands that name a rule
	 * by number or spec need to read the live ruleset. */
	have_session = sess_open(&s, &e) == 0;
	err_clear(&e);
	cmds = nftj_array();
	rc = cmd_build(have_session ? &s : NULL, &c, cmds, &e);
	if (rc == 1 && json) {
		/* Listing commands: the libnftables command that shows the same. */
		json_t *root = list_table_doc(c.family, c.table);
		char *txt = root ? json_dumps(root, JSON_INDENT(2)) : NULL;

		if (txt)
			printf("%s\n", txt);
		free(txt);
		json_decref(root);
		rc = 0;
	} else if (rc == 1) {
		/* Listing commands: the nft command that shows the same. */
		printf("nft list table %s %s\n", family_nft_name(c.family),
		       table_by_id(c.table)->nftname);
		rc = 0;
	} else if (rc == 0 && json) {
		json_t *root = nftb_document(cmds);
		char *txt = json_dumps(root, JSON_INDENT(2));

		printf("%s\n", txt);
		free(txt);
		json_decref(root);
	} else if (rc == 0) {
		size_t i;
		json_t *cmd;
		struct strbuf sb;

		sb_init(&sb);
		json_array_foreach(cmds, i, cmd)
		{
			if (!full && is_ensure(cmd))
				continue;
			sb_reset(&sb);
			nftt_command(cmd, &sb);
			printf("nft '%s'\n", sb_str(&sb));
		}
		sb_free(&sb);
	}
	json_decref(cmds);
	if (have_session)
		sess_close(&s);
	cmd_release(&c);
	return rc < 0 ? report(prog, &e) : 0;
}

/* The candidate: begin stages commands (their batches are built with
 * cmd_build_staged but not applied), diff and check look at the result,
 * commit applies everything as one transaction. Rule numbers and specs of a
 * staged command mean the rules as the earlier staged commands leave them:
 * the candidate's stage (cmd/stage.c) keeps the touched chains.
 *
 * diff and check need the ruleset the candidate would produce. It is computed
 * for real, not guessed: a child process enters a fresh network namespace,
 * loads a snapshot of nfsh's tables there, applies the staged batch and prints
 * the result. The host's ruleset is only read. */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nft/batch.h"
#include "nft/json.h"
#include "cmd/run.h"
#include "cmd/stage.h"
#include "ext/ext.h"
#include "shell/shell.h"

int cand_begin(struct shell *sh, struct nfsh_err *e)
{
	if (sh->cand) {
		err_set(e, NFSH_EOTHER, "begin", "a candidate is already open (%d staged)",
		        sh->nstaged);
		err_hint(e, "commit or abort it first");
		return -1;
	}
	struct stage_sink sink;

	sh->cand_cmds = nftj_array();
	if (sh->cand_cmds) {
		stage_array_sink(&sink, sh->cand_cmds);
		sh->cand_stage = stage_new(&sh->sess, &sink);
	}
	if (!sh->cand_cmds || !sh->cand_stage) {
		json_decref(sh->cand_cmds);
		sh->cand_cmds = NULL;
		return err_set(e, NFSH_EOTHER, NULL, "out of memory");
	}
	sh->cand = true;
	printf("candidate open: commands are staged; show candidate, diff, check, commit, abort\n");
	return 0;
}

int cand_stage(struct shell *sh, const struct cmd *c, const char *line, struct nfsh_err *e)
{
	size_t before = json_array_size(sh->cand_cmds);

	if (sh->nstaged >= SHELL_MAX_STAGED)
		return err_set(e, NFSH_EOTHER, NULL, "too many staged commands (%d)",
		               SHELL_MAX_STAGED);
	/* A refused command stages nothing: the stage changes nothing on an
	 * error, and what was appended for it (add table) is taken back. */
	if (cmd_build_staged(&sh->sess, sh->cand_stage, c, sh->cand_cmds, e) < 0) {
		nftb_truncate(sh->cand_cmds, before);
		return -1;
	}
	sh->staged[sh->nstaged++] = strdup(line);
	if (c->op == OP_NEWCHAIN && sh->ncand_chains < 64)
		snprintf(sh->cand_chains[sh->ncand_chains++], NFSH_CHAIN_MAX + 1, "%s", c->chain);
	printf("staged (%d)\n", sh->nstaged);
	return 0;
}

int cand_show(struct shell *sh)
{
	if (!sh->cand) {
		printf("no candidate (begin opens one)\n");
		return 0;
	}
	for (int i = 0; i < sh->nstaged; i++)
		printf("%3d  %s\n", i + 1, sh->staged[i]);
	if (!sh->nstaged)
		printf("candidate open, nothing staged\n");
	return 0;
}

void cand_free(struct shell *sh)
{
	for (int i = 0; i < sh->nstaged; i++)
		free(sh->staged[i]);
	sh->nstaged = 0;
	sh->ncand_chains = 0;
	json_decref(sh->cand_cmds);
	sh->cand_cmds = NULL;
	stage_free(sh->cand_stage);
	sh->cand_stage = NULL;
	sh->cand = false;
}

int cand_abort(struct shell *sh)
{
	int n = sh->nstaged;

	if (!sh->cand) {
		printf("no candidate\n");
		return 0;
	}
	cand_free(sh);
	printf("candidate dropped (%d staged command%s)\n", n, n == 1 ? "" : "s");
	return 0;
}

static int need_cand(struct shell *sh, const char *word, struct nfsh_err *e)
{
	if (sh->cand)
		return 0;
	err_set(e, NFSH_EOTHER, word, "no candidate is open");
	err_hint(e, "begin opens one");
	return -1;
}

/* The handles of nfsh's rules in listing order, by "family table chain". */
static json_t *rule_handles(struct nfsh_session *s, struct nfsh_err *e)
{
	json_t *all = sess_list(s, "list ruleset", NULL, e), *map;

	if (!all)
		return NULL;
	map = nftb_own_rule_handles(all);
	json_decref(all);
	return map;
}

/* In the child: a fresh netns, the snapshot, the batch with its handles
 * mapped; print the result. The staged batch addresses live rules by handle;
 * the snapshot loaded here gives the same rules, in the same order, new
 * handles, so they are mapped (in a copy of cmds); when the chains differ,
 * the ruleset changed between the two listings. */
static void simulate_child(json_t *snap, json_t *live, json_t *cmds, int fd)
{
	struct nfsh_session s = {0};
	struct nfsh_err e;
	FILE *out = fdopen(fd, "w");
	json_t *restore = NULL, *sim = NULL, *mapped = NULL;
	int rc = 0;

	if (!out)
		_exit(3);
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(out, "!cannot enter a private network namespace to simulate\n");
		fclose(out);
		_exit(2);
	}
	if (sess_open(&s, &e) < 0 || !(restore = snap_restore_batch(&s, snap, &e)) ||
	    sess_apply(&s, restore, &e) < 0 || !(sim = rule_handles(&s, &e))) {
		fprintf(out, "!%s%s%s\n", e.msg, e.hint[0] ? "; " : "", e.hint);
		rc = 1;
	} else if (!(mapped = nftb_map_handles(cmds, live, sim))) {
		fprintf(out, "!the ruleset changed while the candidate was simulated; try again\n");
		rc = 1;
	} else if (sess_apply(&s, mapped, &e) < 0) {
		fprintf(out, "!%s%s%s\n", e.msg, e.hint[0] ? "; " : "", e.hint);
		rc = 1;
	} else {
		shell_print_ruleset(&s, out);
	}
	/* Freed although the child ends here: a leak checker follows forks. */
	json_decref(restore);
	json_decref(sim);
	json_decref(mapped);
	json_decref(live);
	json_decref(snap);
	sess_close(&s);
	fclose(out);
	_exit(rc);
}

/* The ruleset the candidate would produce, as text (malloc'ed); NULL with e. */
static char *simulate(struct shell *sh, struct nfsh_err *e)
{
	json_t *snap = snap_take(&sh->sess, e), *live = snap ? rule_handles(&sh->sess, e) : NULL;
	int fds[2], status;
	pid_t pid;
	struct strbuf sb;
	char buf[4096];
	ssize_t n;

	if (!live) {
		json_decref(snap);
		return NULL;
	}
	if (pipe(fds) < 0) {
		json_decref(live);
		json_decref(snap);
		err_set(e, NFSH_EOTHER, NULL, "pipe: %m");
		return NULL;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		simulate_child(snap, live, sh->cand_cmds, fds[1]);
	}
	close(fds[1]);
	json_decref(live);
	json_decref(snap);
	sb_init(&sb);
	while (pid > 0 && (n = read(fds[0], buf, sizeof(buf))) > 0)
		sb_addn(&sb, buf, (size_t)n);
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		const char *t = sb.buf && sb.buf[0] == '!' ? sb.buf + 1 : "the simulation failed";

		err_set(e, NFSH_EKERNEL, NULL, "%.*s", (int)strcspn(t, "\n"), t);
		sb_free(&sb);
		return NULL;
	}
	return sb.buf ? sb.buf : strdup("");
}

static char *live_text(struct shell *sh)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	shell_print_ruleset(&sh->sess, f);
	fclose(f);
	return buf;
}

static int split_lines(char *text, char **lines, int max)
{
	int n = 0;

	for (char *p = text; p && *p && n < max;) {
		char *eol = strchr(p, '\n');

		if (eol)
			*eol = '\0';
		lines[n++] = p;
		p = eol ? eol + 1 : NULL;
	}
	return n;
}

#define DIFF_MAX 2000

/* Longest-common-subsequence diff; only changed lines and section headers. */
static void print_diff(char **a, int na, char **b, int nb)
{
	unsigned short *t = calloc((size_t)(na + 1) * (size_t)(nb + 1), sizeof(*t));
	int i = 0, j = 0, changes = 0;
	const char *section = NULL, *shown = NULL;

	if (!t)
		return;
#define T(x, y) t[(size_t)(x) * (size_t)(nb + 1) + (size_t)(y)]
	for (int x = na - 1; x >= 0; x--)
		for (int y = nb - 1; y >= 0; y--)
			T(x, y) = !strcmp(a[x], b[y])         ? T(x + 1, y + 1) + 1
			          : T(x + 1, y) > T(x, y + 1) ? T(x + 1, y)
			                                      : T(x, y + 1);
	while (i < na || j < nb) {
		const char *line;
		char sign;

		if (i < na && j < nb && !strcmp(a[i], b[j])) {
			if (a[i][0] == '*')
				section = a[i];
			i++;
			j++;
			continue;
		}
		if (i < na && (j >= nb || T(i + 1, j) >= T(i, j + 1))) {
			line = a[i++];
			sign = '-';
		} else {
			line = b[j++];
			sign = '+';
		}
		if (line[0] == '*') {
			printf("%c%s\n", sign, line);
			section = shown = NULL;
		} else {
			if (section && section != shown)
				printf(" %s\n", section);
			shown = section;
			printf("%c %s\n", sign, line);
		}
		changes++;
	}
#undef T
	if (!changes)
		printf("no changes\n");
	free(t);
}

int cand_diff(struct shell *sh, struct nfsh_err *e)
{
	char *before, *after, *a[DIFF_MAX], *b[DIFF_MAX];

	if (need_cand(sh, "diff", e) < 0)
		return -1;
	if (!(after = simulate(sh, e)))
		return -1;
	before = live_text(sh);
	if (!before) {
		free(after);
		return err_set(e, NFSH_EOTHER, NULL, "out of memory");
	}
	print_diff(a, split_lines(before, a, DIFF_MAX), b, split_lines(after, b, DIFF_MAX));
	free(before);
	free(after);
	return 0;
}

/* Lint the filter sections of a simulated ruleset. */
static int lint_text(char *text)
{
	int total = 0;

	for (char *p = strstr(text, "*"); p;) {
		char *next = strstr(p + 1, "\n*");
		bool filter = !strncmp(p, "*ip filter\n", 11) || !strncmp(p, "*ip6 filter\n", 12);
		bool v6 = p[3] == '6';
		struct lint_msg msgs[64];
		int n;

		if (next)
			*next = '\0';
		n = filter ? lint_spec(p, msgs, 64) : 0;
		for (int i = 0; i < n; i++)
			printf("lint: %s%s: %s\n", v6 ? "ip6 " : "", msgs[i].chain, msgs[i].text);
		total += n;
		p = next ? next + 1 : NULL;
	}
	return total;
}

int cand_check(struct shell *sh, struct nfsh_err *e)
{
	char *after;
	int rc, n;

	if (need_cand(sh, "check", e) < 0)
		return -1;
	sh->sess.dry_run = true;
	rc = sess_apply(&sh->sess, sh->cand_cmds, e);
	sh->sess.dry_run = false;
	if (rc < 0)
		return -1;
	printf("check: the kernel accepts the candidate (%zu batch command%s)\n",
	       json_array_size(sh->cand_cmds), json_array_size(sh->cand_cmds) == 1 ? "" : "s");
	after = simulate(sh, e);
	if (!after)
		return -1;
	n = lint_text(after);
	printf("lint: %d finding%s\n", n, n == 1 ? "" : "s");
	free(after);
	return 0;
}

/* Before a commit: warn when the filter tables it leaves would lock this host
 * out (INPUT drops by policy and nothing admits ESTABLISHED replies). */
static void lockout_check(struct shell *sh)
{
	struct nfsh_err e;
	char *after = simulate(sh, &e);

	for (char *p = after ? strstr(after, "*") : NULL; p;) {
		char *next = strstr(p + 1, "\n*");

		if (next)
			*next = '\0';
		if (!strncmp(p, "*ip filter\n", 11) || !strncmp(p, "*ip6 filter\n", 12))
			lint_lockout_warn(sh, p);
		p = next ? next + 1 : NULL;
	}
	free(after);
}

int cand_commit(struct shell *sh, int argc, char **argv, struct nfsh_err *e)
{
	int secs = 0;

	if (argc > 0 && !strncmp(argv[0], "confirmed", strlen(argv[0]))) {
		unsigned long long v = 60;

		if (argc > 1 && (parse_uint(argv[1], 86400, &v) < 0 || v == 0)) {
			err_set(e, NFSH_EPARAM, argv[1], "invalid number of seconds \"%s\"",
			        argv[1]);
			err_hint(e, "1 to 86400; default 60");
			e->argi = 2;
			return -1;
		}
		secs = (int)v;
	} else if (argc > 0) {
		err_set(e, NFSH_EPARAM, argv[0], "unexpected word \"%s\"", argv[0]);
		err_hint(e, "commit, or commit confirmed [SECONDS]");
		e->argi = 1;
		return -1;
	}
	if (need_cand(sh, "commit", e) < 0)
		return -1;
	lockout_check(sh);
	if (confirm_apply(sh, sh->cand_cmds, secs, e) < 0) {
		/* Kernel rules are staged by handle: one another program removed
		 * since makes the batch fail rather than hit another rule. */
		if (strstr(e->msg, "No such file or directory"))
			err_hint(e,
			         "a rule or chain the candidate names is gone; if another program "
			         "changed the ruleset since, abort and stage the commands again");
		return -1;
	}
	printf("committed %d command%s in one transaction\n", sh->nstaged,
	       sh->nstaged == 1 ? "" : "s");
	cand_free(sh);
	return 0;
}

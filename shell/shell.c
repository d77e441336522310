/* The shell: a readline loop on a terminal, a script reader otherwise, and
 * the hidden `nfsh --complete` entry point. Completion and `?` both ask the
 * engine in complete.c. */
#include "shell/shell.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd/run.h"
#include "shell/complete.h"
#include "util/privfile.h"

/* readline's callbacks take no argument: the one shell of this process. */
static struct shell *the_shell;

static void add_chains(struct shell *sh, bool user_only, int family, int table, const char *prefix,
                       struct compl_res *res)
{
	struct table_info ti;
	struct nfsh_err e;

	if (shell_session(sh, &e) == 0 &&
	    table_read(&sh->sess, family, table, NULL, &ti, &e) == 0) {
		for (int i = 0; i < ti.nchains; i++)
			if (!user_only || !ti.chains[i].builtin)
				compl_add(res, prefix, ti.chains[i].name,
				          ti.chains[i].builtin ? "built-in chain" : "user chain");
		table_info_free(&ti);
	}
	for (int i = 0; i < sh->ncand_chains; i++)
		compl_add(res, prefix, sh->cand_chains[i], "user chain (staged)");
}

static void add_files(const char *prefix, struct compl_res *res)
{
	char dir[PATH_MAX], text[COMPL_TEXT_MAX];
	const char *slash = strrchr(prefix, '/'), *base = slash ? slash + 1 : prefix;
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - prefix + 1) : 1,
	         slash ? prefix : ".");
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char path[PATH_MAX];

		if (de->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(de->d_name, base, strlen(base)) || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		bool isdir;

		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		isdir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		if (snprintf(text, sizeof(text), "%.*s%s%s", slash ? (int)(slash - prefix + 1) : 0,
		             prefix, de->d_name, isdir ? "/" : "") >= (int)sizeof(text))
			continue;
		compl_add(res, prefix, text, isdir ? "directory" : "file");
		if (isdir)
			res->no_space = true;
	}
	closedir(d);
}

static void dyn_names(void *arg, enum compl_dyn kind, int family, int table, const char *prefix,
                      struct compl_res *res)
{
	struct shell *sh = arg;

	if (kind == CD_CHAIN || kind == CD_USER_CHAIN) {
		add_chains(sh, kind == CD_USER_CHAIN, family, table, prefix, res);
	} else if (kind == CD_IFACE) {
		struct if_nameindex *ifs = if_nameindex();

		for (struct if_nameindex *p = ifs; p && p->if_index; p++)
			compl_add(res, prefix, p->if_name, "interface");
		if (ifs)
			if_freenameindex(ifs);
	} else if (kind == CD_FILE) {
		add_files(prefix, res);
	}
}

/* Lex the line up to the cursor: complete words, and the one under it. */
static struct compl_res *complete_at(struct shell *sh, const char *line, int point,
                                     enum compl_mode mode, bool *in_quote)
{
	struct lex_line *l = malloc(sizeof(*l));
	struct compl_res *res = calloc(1, sizeof(*res));
	struct compl_env env = {mode, sh->family, dyn_names, sh};
	char *upto = strndup(line, (size_t)point);
	struct nfsh_err e;
	int rc;

	if (!l || !res || !upto) {
		free(l);
		free(res);
		free(upto);
		return NULL;
	}
	rc = lex_split(upto, l, &e);
	if (in_quote)
		*in_quote = rc == LEX_INCOMPLETE && l->open_quote;
	if (rc >= 0) {
		bool partial = !l->trailing_blank && l->nwords > 0;
		int n = partial ? l->nwords - 1 : l->nwords;

		compl_run(&env, n, l->argv, partial ? l->argv[n] : "", res);
	}
	free(upto);
	free(l);
	return res;
}

static struct compl_res *rl_res;
static int rl_idx;

static char *generator(const char *text, int state)
{
	(void)text;
	if (!state)
		rl_idx = 0;
	while (rl_res && rl_idx < rl_res->n) {
		struct compl_item *it = &rl_res->it[rl_idx++];

		if (it->value)
			return strdup(it->text);
	}
	return NULL;
}

static void print_items(const struct compl_res *res)
{
	char left[COMPL_TEXT_MAX + 80];
	int width = 8;

	for (int i = 0; i < res->n; i++) {
		int w = (int)(strlen(res->it[i].text) + strlen(res->it[i].meta)) + 1;

		if (w > width)
			width = w;
	}
	if (width > 36)
		width = 36;
	for (int i = 0; i < res->n; i++) {
		snprintf(left, sizeof(left), "%s %s", res->it[i].text, res->it[i].meta);
		printf("  %-*s  %s\n", width, left, res->it[i].help);
	}
	if (res->n == 0)
		printf("  <cr>  (nothing more is expected here)\n");
}

static char **attempt(const char *text, int start, int end)
{
	char **m;
	bool notes_only = true;

	(void)start;
	rl_attempted_completion_over = 1;
	free(rl_res);
	rl_res = complete_at(the_shell, rl_line_buffer, end, CM_SHELL, NULL);
	if (!rl_res)
		return NULL;
	for (int i = 0; i < rl_res->n; i++)
		notes_only &= !rl_res->it[i].value;
	if (rl_res->n && notes_only) {
		/* Free text is expected (an address, a number): say what it is. */
		putchar('\n');
		print_items(rl_res);
		rl_on_new_line();
		return NULL;
	}
	rl_completion_append_character = rl_res->no_space ? '\0' : ' ';
	m = rl_completion_matches(text, generator);
	return m;
}

/* `?`: what may come next, with one line each (FRR / Junos style). */
static int question(int count, int key)
{
	struct compl_res *res;
	bool in_quote = false;

	(void)count;
	res = complete_at(the_shell, rl_line_buffer, rl_point, CM_SHELL, &in_quote);
	if (!res || in_quote) {
		free(res);
		rl_insert_text((char[]){(char)key, 0});
		return 0;
	}
	putchar('\n');
	print_items(res);
	free(res);
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

/* Ctrl-C drops the line being typed, as in bash; it never ends the shell.
 * readline has restored the terminal before it passes the signal on. */
static void on_sigint(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, "\n", 1) < 0)
		return;
	rl_on_new_line();
	rl_replace_line("", 0);
	rl_redisplay();
}

/* History: $XDG_STATE_HOME/nfsh/history, the newest HISTORY_KEEP lines.
 * readline's own writers (append_history, write_history) open the file by
 * path and follow a symlink at its name, so the file is handled here: through
 * the state directory's descriptor, opened and checked once at start, read
 * with O_NOFOLLOW and replaced whole (temporary + rename) on every line. */
#define HISTORY_KEEP      2000
#define HISTORY_MAX_BYTES (4 << 20) /* a file larger than this is not read */

/* The history file's text into sb, nothing if there is none or it cannot be
 * trusted (a symlink, not ours, too large). */
static void history_load(int dfd, struct strbuf *sb)
{
	struct nfsh_err e;
	char buf[8192];
	ssize_t n;
	int fd = priv_open_read_at(dfd, "history", &e);

	sb_reset(sb);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0 && sb->len + (size_t)n <= HISTORY_MAX_BYTES)
		sb_addn(sb, buf, (size_t)n);
	close(fd);
	if (n != 0 || sb->oom)
		sb_reset(sb);
}

/* Where the newest `keep` lines of text begin. */
static const char *last_lines(const char *text, size_t len, int keep)
{
	size_t i = len;

	if (i > 0 && text[i - 1] == '\n')
		i--;
	while (i > 0)
		if (text[--i] == '\n' && --keep == 0)
			return text + i + 1;
	return text;
}

static void history_setup(struct shell *sh)
{
	char dir[PATH_MAX];
	struct nfsh_err e;
	struct strbuf sb;
	char *line, *save = NULL;

	using_history();
	stifle_history(HISTORY_KEEP);
	sh->history_dir = state_dir_open(dir, sizeof(dir), true, &e);
	if (sh->history_dir < 0)
		return;
	sb_init(&sb);
	history_load(sh->history_dir, &sb);
	for (line = sb.len ? strtok_r(sb.buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		add_history(line);
	sb_free(&sb);
}

/* Add line to the file: what it holds now (another shell may have added to
 * it since we started) plus this line, the newest HISTORY_KEEP, written
 * whole. A failure turns the file off for this session, with one warning. */
static void history_add(struct shell *sh, const char *line)
{
	struct strbuf old, out;
	struct nfsh_err e;
	const char *text;

	add_history(line);
	if (sh->history_dir < 0)
		return;
	sb_init(&old);
	sb_init(&out);
	history_load(sh->history_dir, &old);
	sb_addn(&out, old.buf ? old.buf : "", old.len);
	if (out.len && out.buf[out.len - 1] != '\n')
		sb_addc(&out, '\n');
	sb_add(&out, line);
	sb_addc(&out, '\n');
	text = out.oom ? NULL : last_lines(out.buf, out.len, HISTORY_KEEP);
	if (!text || priv_write_at(sh->history_dir, "history", text,
	                           out.len - (size_t)(text - out.buf), &e) < 0) {
		shell_warn(sh, "history is not saved from here on: %s",
		           text ? e.msg : "out of memory");
		close(sh->history_dir);
		sh->history_dir = -1;
	}
	sb_free(&old);
	sb_free(&out);
}

/* Read one logical line: continue while the lexer wants more (open quote,
 * trailing backslash). NULL at end of input. *nul is set when a script line
 * held a NUL byte, which would cut it short without a word. */
static char *read_logical(struct shell *sh, FILE *in, bool *nul)
{
	struct strbuf sb;
	struct lex_line *l = malloc(sizeof(*l));
	struct nfsh_err e;
	const char *prompt = sh->cand ? "nfsh(candidate)> " : "nfsh> ";
	char pbuf[96];
	bool first = true;

	if (!l)
		return NULL;
	if (sh->interactive && getenv("NFSH_SANDBOX")) {
		snprintf(pbuf, sizeof(pbuf), "(sandbox) %s", prompt);
		prompt = pbuf;
	}
	sb_init(&sb);
	for (;;) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t len = 0;

		if (sh->interactive) {
			line = readline(first ? prompt : "> ");
		} else if ((len = getline(&line, &cap, in)) < 0) {
			free(line);
			line = NULL;
		}
		if (!line)
			break;
		if (!sh->interactive) {
			sh->lineno++;
			if (memchr(line, '\0', (size_t)len))
				*nul = true;
			line[strcspn(line, "\n")] = '\0';
		}
		if (!first)
			sb_addc(&sb, '\n');
		sb_add(&sb, line);
		free(line);
		first = false;
		if (lex_split(sb_str(&sb), l, &e) != LEX_INCOMPLETE)
			break;
	}
	free(l);
	if (first) {
		sb_free(&sb);
		return NULL;
	}
	return sb.buf ? sb.buf : strdup("");
}

static int loop(struct shell *sh, FILE *in)
{
	int rc = 0, last = 0;
	char *line;
	bool nul = false;

	while (!sh->quit && (line = read_logical(sh, in, &nul))) {
		int start = sh->lineno;

		if (sh->interactive && line[strspn(line, " \t")])
			history_add(sh, line);
		if (nul) {
			fprintf(stderr, "nfsh: line %d: error: the line contains a NUL byte\n",
			        sh->lineno);
			last = NFSH_EPARAM;
			nul = false;
		} else {
			last = shell_exec(sh, line);
		}
		free(line);
		if (last && !sh->interactive) {
			rc = last;
			if (!sh->keep_going) {
				(void)start;
				break;
			}
		}
	}
	if (sh->interactive && !sh->quit)
		putchar('\n');
	return sh->interactive ? 0 : rc;
}

static void shell_init(struct shell *sh)
{
	const char *nc = getenv("NO_COLOR");

	memset(sh, 0, sizeof(*sh));
	sh->history_dir = -1;
	sh->family = NFSH_IPV4;
	sh->color = isatty(STDOUT_FILENO) && !(nc && nc[0]);
	the_shell = sh;
}

int shell_main(int argc, char **argv)
{
	struct shell sh;
	FILE *in = stdin;
	int rc;

	shell_init(&sh);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep-going") || !strcmp(argv[i], "-k"))
			sh.keep_going = true;
		else if (!strcmp(argv[i], "-6"))
			sh.family = NFSH_IPV6;
		else if (!strcmp(argv[i], "-4"))
			sh.family = NFSH_IPV4;
		else if (in == stdin && argv[i][0] != '-' && (in = fopen(argv[i], "re")))
			continue;
		else {
			fprintf(stderr, "nfsh shell: %s: %s\n", argv[i],
			        argv[i][0] == '-' ? "unknown option" : strerror(errno));
			return 2;
		}
	}
	sh.interactive = in == stdin && isatty(STDIN_FILENO);
	if (sh.interactive) {
		rl_readline_name = "nfsh";
		rl_attempted_completion_function = attempt;
		rl_completer_word_break_characters = " \t";
		rl_completer_quote_characters = "\"'";
		rl_variable_bind("show-all-if-ambiguous", "on");
		rl_bind_key('?', question);
		signal(SIGINT, on_sigint);
		history_setup(&sh);
		if (isatty(STDERR_FILENO) && !getenv("NFSH_QUIET"))
			fprintf(stderr, "nfsh shell: TAB completes, ? lists what may come next, "
			                "help explains, quit leaves.\n");
	}
	rc = loop(&sh, in);
	if (in != stdin)
		fclose(in);
	cand_free(&sh);
	free(rl_res);
	rl_res = NULL;
	if (sh.sess_ok)
		sess_close(&sh.sess);
	if (sh.history_dir >= 0)
		close(sh.history_dir);
	return rc;
}

/* nfsh --complete [--describe] WORDS... CUR: candidates one per line. */
int shell_complete_main(int argc, char **argv)
{
	struct shell sh;
	struct compl_res *res = calloc(1, sizeof(*res));
	struct compl_env env;
	bool describe = argc > 1 && !strcmp(argv[1], "--describe");
	int first = describe ? 2 : 1;
	int nwords = argc - first > 0 ? argc - first - 1 : 0;
	const char *cur = argc - first > 0 ? argv[argc - 1] : "";

	if (!res)
		return 4;
	shell_init(&sh);
	env = (struct compl_env){CM_ARGV, NFSH_IPV4, dyn_names, &sh};
	compl_run(&env, nwords, argv + first, cur, res);
	for (int i = 0; i < res->n; i++)
		if (res->it[i].value) {
			if (describe && res->it[i].help[0])
				printf("%s\t%s\n", res->it[i].text, res->it[i].help);
			else
				printf("%s\n", res->it[i].text);
		}
	free(res);
	if (sh.sess_ok)
		sess_close(&sh.sess);
	return 0;
}

/* nfsh help [TOPIC] */
int shell_help_main(int argc, char **argv)
{
	struct nfsh_err e;

	if (help_print(stdout, argc > 1 ? argv[1] : NULL, &e) < 0) {
		err_print(stderr, "nfsh", &e);
		return e.status ? e.status : 2;
	}
	return 0;
}

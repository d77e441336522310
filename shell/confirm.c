/* Snapshots, commit confirmed, rollback.
 *
 * A snapshot is the libnftables listing of nfsh's own tables (nfsh-*), handles
 * removed. Restoring it is one batch: every nfsh table that exists now or in the
 * snapshot is added (a no-op if present) and deleted, then the snapshot's objects
 * are added; the kernel applies all of it or nothing.
 *
 * `commit confirmed` forks a detached reverter (its own session, setsid, stdio on
 * /dev/null) that waits for a token file to disappear; `confirm` removes it.
 * If the deadline passes first the reverter renames the token (so a late confirm
 * cannot race it) and restores the snapshot. It does not depend on the shell:
 * killing the shell or losing the terminal leaves it running.
 *
 * Only the reverter ever restores. The token's names in the state directory:
 *   pending-P-T            armed: the reverter waits for the deadline
 *   (none)                 confirmed: the reverter leaves
 *   pending-P-T.now        nfsh asks for the revert at once (n on the terminal)
 *   pending-P-T.reverting  the reverter is restoring the snapshot
 * nfsh asking and then waiting, instead of reverting itself, is what makes a
 * revert immune to nfsh's death: when the terminal goes away, the tty wakes
 * nfsh's read before it sends the SIGHUP, so nfsh would begin a revert and be
 * killed halfway (seen in CI: the new ruleset stayed in, the token gone). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ext/ext.h"
#include "nft/json.h"
#include "shell/shell.h"
#include "util/privfile.h"

#define ROLLBACK_KEEP 10

static int mkdirs(char *path, mode_t mode)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int state_dir_open(char *buf, size_t len, bool for_history, struct nfsh_err *e)
{
	const char *env = getenv("NFSH_STATE_DIR"), *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (env && env[0] && !for_history)
		snprintf(buf, len, "%s", env);
	else if (!for_history && geteuid() == 0)
		snprintf(buf, len, "/var/lib/nfsh");
	else if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/nfsh", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.local/state/nfsh", home);
	else
		return err_set(e, NFSH_EOTHER, NULL, "no state directory (HOME is not set)");
	if (mkdirs(buf, 0700) < 0)
		return err_set(e, NFSH_EOTHER, buf, "cannot create %s: %s", buf, strerror(errno));
	/* Snapshots and history go there: a symlink planted in its place, a
	 * directory of someone else or one others may write would let another
	 * user read them or swap them. Checked once, on the descriptor that
	 * every access then goes through. */
	return priv_dir_open(buf, e);
}

/* Rollback files are rollback-SEQ.json; the newest has the largest SEQ. */
static int list_rollbacks(int dfd, long *seqs, int max)
{
	/* A descriptor of its own: one dup'ed from dfd would share its offset. */
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int n = 0;

	if (fd >= 0 && !d)
		close(fd);

	while (d && (de = readdir(d))) {
		long v;
		char tail[8];

		if (sscanf(de->d_name, "rollback-%ld.jso%1s", &v, tail) == 2 && n < max)
			seqs[n++] = v;
	}
	if (d)
		closedir(d);
	for (int i = 1; i < n; i++) /* newest first */
		for (int j = i; j > 0 && seqs[j] > seqs[j - 1]; j--) {
			long t = seqs[j];

			seqs[j] = seqs[j - 1];
			seqs[j - 1] = t;
		}
	return n;
}

int snap_save_rollback(json_t *snap, const char *why, struct nfsh_err *e)
{
	char dir[PATH_MAX], name[64];
	long seqs[256];
	int n, dfd;
	json_t *doc;
	char *text;
	int rc;

	if ((dfd = state_dir_open(dir, sizeof(dir), false, e)) < 0)
		return -1;
	n = list_rollbacks(dfd, seqs, 256);
	snprintf(name, sizeof(name), "rollback-%06ld.json", n ? seqs[0] + 1 : 1);
	doc = nftj_object();
	nftj_put_int(doc, "time", (long long)time(NULL));
	nftj_put_str(doc, "why", why);
	nftj_put(doc, "snapshot", json_incref(snap));
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text) {
		close(dfd);
		return err_set(e, NFSH_EOTHER, NULL, "out of memory");
	}
	rc = priv_write_at(dfd, name, text, strlen(text), e);
	free(text);
	for (int i = ROLLBACK_KEEP - 1; rc == 0 && i < n; i++) {
		snprintf(name, sizeof(name), "rollback-%06ld.json", seqs[i]);
		unlinkat(dfd, name, 0);
	}
	close(dfd);
	return rc;
}

long long confirm_clock_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

#define NOW_SUFFIX   ".now"
#define TAKEN_SUFFIX ".reverting"

/* Wait for the deadline, a confirm or a request to revert now. Returns true
 * when the snapshot is to be restored (the token is then renamed to taken, so
 * neither a late confirm nor a late request can race the revert), *asked
 * telling which of the two it was. */
static bool reverter_wait(int dfd, const char *token, const char *taken, int secs, bool *asked)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	long long deadline = confirm_clock_ms() + secs * 1000LL;
	char now[NAME_MAX + 16];

	snprintf(now, sizeof(now), "%s" NOW_SUFFIX, token);
	for (;;) {
		if (faccessat(dfd, token, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
			if (confirm_clock_ms() < deadline) {
				nanosleep(&tick, NULL);
				continue;
			}
			if (renameat(dfd, token, dfd, taken) == 0)
				return *asked = false, true;
		}
		/* Gone: confirmed, or renamed to now (perhaps just now). nfsh
		 * makes now only from the token, so none can appear later. */
		*asked = renameat(dfd, now, dfd, taken) == 0;
		return *asked;
	}
}

static void reverter_log(int dfd, const char *line)
{
	/* An append-only log: O_APPEND keeps each line whole, O_NOFOLLOW keeps
	 * it in the directory. */
	int fd =
	    openat(dfd, "revert.log", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd >= 0) {
		ssize_t w = write(fd, line, strlen(line));

		(void)w;
		close(fd);
	}
}

/* Everything it touches is relative to dfd, the state directory checked once
 * by confirm_arm, and it keeps only that descriptor and /dev/null open. Its
 * pid goes to report, for nfsh to know whether it still runs. */
static void reverter(int dfd, const char *token, json_t *snap, int secs, int report)
{
	char taken[NAME_MAX + 16], logline[NFSH_ERR_MSG + NAME_MAX + 64];
	struct nfsh_session s;
	struct nfsh_err e;
	json_t *batch;
	bool asked;
	pid_t pid;
	int fd;

	setsid();
	if ((pid = fork()) != 0) {
		ssize_t w = write(report, &pid, sizeof(pid));

		(void)w;
		_exit(0);
	}
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	/* With stdio closed the directory may sit on 0-2, which /dev/null
	 * is about to take. */
	if (dfd < 3)
		dfd = fcntl(dfd, F_DUPFD, 3);
	fd = open("/dev/null", O_RDWR);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (dfd > 3)
		close_range(3, (unsigned int)dfd - 1, 0);
	close_range((unsigned int)dfd + 1, ~0u, 0);
	snprintf(taken, sizeof(taken), "%s" TAKEN_SUFFIX, token);
	if (!reverter_wait(dfd, token, taken, secs, &asked))
		_exit(0); /* confirmed */
	err_clear(&e);
	if (sess_open(&s, &e) == 0 && (batch = snap_restore_batch(&s, snap, &e)) &&
	    sess_apply(&s, batch, &e) == 0) {
		if (asked)
			snprintf(logline, sizeof(logline), "%ld %s reverted: not kept\n",
			         (long)time(NULL), token);
		else
			snprintf(logline, sizeof(logline),
			         "%ld %s reverted: not confirmed in %d s\n", (long)time(NULL),
			         token, secs);
	} else {
		snprintf(logline, sizeof(logline), "%ld %s revert FAILED: %s\n", (long)time(NULL),
		         token, e.msg);
	}
	/* The line first: nfsh, waiting for taken to go, then reads it. */
	reverter_log(dfd, logline);
	unlinkat(dfd, taken, 0);
	_exit(0);
}

int confirm_arm(json_t *snap, int secs, struct confirm_token *t, struct nfsh_err *e)
{
	static const char text[] = "commit confirmed\n";
	char dir[PATH_MAX];
	int report[2];
	pid_t pid, grandchild = 0;

	t->dfd = -1;
	t->reverter = 0;
	if ((t->dfd = state_dir_open(dir, sizeof(dir), false, e)) < 0)
		return -1;
	snprintf(t->name, sizeof(t->name), "pending-%d-%ld", (int)getpid(), (long)time(NULL));
	if (pipe2(report, O_CLOEXEC) < 0) {
		confirm_release(t);
		return err_set(e, NFSH_EOTHER, NULL, "cannot start the reverter: %s",
		               strerror(errno));
	}
	if (priv_write_at(t->dfd, t->name, text, sizeof(text) - 1, e) < 0) {
		confirm_release(t);
		close(report[0]);
		close(report[1]);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		reverter(t->dfd, t->name, snap, secs, report[1]);
	close(report[1]);
	if (pid < 0) {
		confirm_disarm(t);
		confirm_release(t);
		close(report[0]);
		return err_set(e, NFSH_EOTHER, NULL, "cannot start the reverter: %s",
		               strerror(errno));
	}
	waitpid(pid, NULL, 0);
	if (read(report[0], &grandchild, sizeof(grandchild)) != (ssize_t)sizeof(grandchild))
		grandchild = 0; /* unknown: confirm_revert then waits by time alone */
	close(report[0]);
	t->reverter = grandchild;
	return 0;
}

bool confirm_disarm(const struct confirm_token *t)
{
	return t->dfd >= 0 && unlinkat(t->dfd, t->name, 0) == 0;
}

void confirm_release(struct confirm_token *t)
{
	if (t->dfd >= 0)
		close(t->dfd);
	t->dfd = -1;
}

/* For the test that nfsh's death after asking changes nothing:
 * NFSH_CONFIRM_FAULT=exit-after-ask. */
static void fault_after_ask(void)
{
	const char *f = getenv("NFSH_CONFIRM_FAULT");

	if (f && !strcmp(f, "exit-after-ask"))
		_exit(9);
}

/* Whether pid still runs: a zombie does not (an init that does not reap
 * would leave the ended reverter as one, and kill(pid, 0) succeeds on it). */
static bool running(pid_t pid)
{
	char path[64], stat[128], *close_paren;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return true; /* no /proc: kill's answer stands */
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	stat[n > 0 ? n : 0] = '\0';
	close_paren = strrchr(stat, ')');
	return !(close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z');
}

static bool exists_at(int dfd, const char *name)
{
	return faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The reverter's line for name in revert.log (the last one, which is the
 * only one: the token names pid and time), copied to line. */
static bool find_log_line(int dfd, const char *name, char *line, size_t len)
{
	char buf[65536];
	size_t nlen = strlen(name);
	struct nfsh_err e;
	bool found = false;
	off_t size;
	ssize_t n;
	int fd;

	if ((fd = priv_open_read_at(dfd, "revert.log", &e)) < 0)
		return false;
	size = lseek(fd, 0, SEEK_END);
	n = pread(fd, buf, sizeof(buf) - 1,
	          size > (off_t)sizeof(buf) - 1 ? size - (off_t)(sizeof(buf) - 1) : 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	for (char *l = buf, *end; l && *l; l = end ? end + 1 : NULL) {
		char *sp = strchr(l, ' ');

		if ((end = strchr(l, '\n')))
			*end = '\0';
		if (sp && !strncmp(sp + 1, name, nlen) && sp[1 + nlen] == ' ') {
			snprintf(line, len, "%s", sp + 2 + nlen);
			found = true;
		}
	}
	return found;
}

/* Every name is looked up in the directory confirm_arm checked (t->dfd), not
 * by path: the path could have been swapped for another since. */
int confirm_revert(const struct confirm_token *t, struct nfsh_err *e)
{
	struct timespec tick = {0, 20 * 1000 * 1000};
	char now[sizeof(t->name) + 16], taken[sizeof(t->name) + 16], line[NFSH_ERR_MSG + 64] = "";
	time_t give_up = time(NULL) + 600;
	int dfd = t->dfd;
	bool asked;

	snprintf(now, sizeof(now), "%s" NOW_SUFFIX, t->name);
	snprintf(taken, sizeof(taken), "%s" TAKEN_SUFFIX, t->name);
	asked = renameat(dfd, t->name, dfd, now) == 0;

	/* If the token is gone the reverter has taken it already (the
	 * deadline), and this only waits; or it was confirmed. */
	if (asked)
		fault_after_ask();
	while ((exists_at(dfd, now) || exists_at(dfd, taken)) && time(NULL) < give_up) {
		if (t->reverter > 0 && !running(t->reverter) &&
		    (exists_at(dfd, now) || exists_at(dfd, taken))) {
			/* Nobody is left to act on them. */
			unlinkat(dfd, now, 0);
			unlinkat(dfd, taken, 0);
			return err_set(e, NFSH_EKERNEL, NULL,
			               "the reverter ended without restoring the previous ruleset"),
			       err_hint(e, "in the shell, 'rollback' restores it"), -1;
		}
		nanosleep(&tick, NULL);
	}
	if (exists_at(dfd, now) || exists_at(dfd, taken))
		return err_set(e, NFSH_EKERNEL, NULL,
		               "the reverter has not restored the previous ruleset in 600 s"),
		       err_hint(e, "in the shell, 'rollback' restores it"), -1;
	if (!find_log_line(dfd, t->name, line, sizeof(line)) && !asked)
		return 1; /* confirmed by `nfsh confirm` */
	if (!line[0])
		return err_set(e, NFSH_EKERNEL, NULL, "the reverter left no word in revert.log"),
		       err_hint(e, "in the shell, 'show rollbacks' and 'rollback' restore it"), -1;
	if (strncmp(line, "reverted:", 9))
		return err_set(e, NFSH_EKERNEL, NULL, "the reverter says: %s", line),
		       err_hint(e, "in the shell, 'rollback' restores the previous ruleset"), -1;
	return 0;
}

int confirm_apply(struct shell *sh, json_t *cmds, int secs, struct nfsh_err *e)
{
	json_t *snap = snap_take(&sh->sess, e);
	struct confirm_token token = {.dfd = -1};

	if (!snap)
		return -1;
	if (snap_save_rollback(snap, secs ? "commit confirmed" : "commit", e) < 0) {
		json_decref(snap);
		return -1;
	}
	/* Arm the reverter before applying: there must be no moment at which the
	 * change is live and nothing would take it back (a SIGKILL right after
	 * the apply). If the apply fails, removing the token disarms it. */
	if (secs > 0 && confirm_arm(snap, secs, &token, e) < 0) {
		json_decref(snap);
		return -1;
	}
	if (sess_apply(&sh->sess, cmds, e) < 0) {
		confirm_disarm(&token);
		confirm_release(&token);
		json_decref(snap);
		return -1;
	}
	confirm_release(&token);
	if (secs > 0)
		printf("applied; reverting in %d s unless you type confirm\n", secs);
	json_decref(snap);
	return 0;
}

int confirm_keep(struct shell *sh, struct nfsh_err *e)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int n = 0, dfd;

	(void)sh;
	if ((dfd = state_dir_open(dir, sizeof(dir), false, e)) < 0)
		return -1;
	/* fdopendir owns dfd from here; unlinkat uses it until closedir. */
	if (!(d = fdopendir(dfd)))
		close(dfd);
	while (d && (de = readdir(d))) {
		/* A name with a suffix is being reverted (or asked to be). */
		if (strncmp(de->d_name, "pending-", 8) || strchr(de->d_name, '.'))
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0)
			n++;
	}
	if (d)
		closedir(d);
	if (!n) {
		err_set(e, NFSH_EOTHER, "confirm", "nothing to confirm");
		err_hint(e, "no commit confirmed is pending (it may have been reverted already)");
		return -1;
	}
	printf("confirmed: the change is kept\n");
	return 0;
}

static json_t *load_rollback(int dfd, const char *dir, long seq, struct nfsh_err *e)
{
	char name[64];
	json_error_t je;
	json_t *doc;
	int fd;

	snprintf(name, sizeof(name), "rollback-%06ld.json", seq);
	if ((fd = priv_open_read_at(dfd, name, e)) < 0) {
		char why[NFSH_ERR_MSG];

		snprintf(why, sizeof(why), "%s", e->msg);
		err_set(e, NFSH_EOTHER, name, "%s/%s", dir, why);
		return NULL;
	}
	doc = json_loadfd(fd, 0, &je);
	close(fd);
	if (!doc || !json_is_array(json_object_get(doc, "snapshot"))) {
		json_decref(doc);
		err_set(e, NFSH_EOTHER, name, "%s/%s is not an nfsh snapshot", dir, name);
		return NULL;
	}
	return doc;
}

int rollback_show(struct shell *sh, struct nfsh_err *e)
{
	char dir[PATH_MAX];
	long seqs[256];
	int n, dfd;

	(void)sh;
	if ((dfd = state_dir_open(dir, sizeof(dir), false, e)) < 0)
		return -1;
	n = list_rollbacks(dfd, seqs, 256);
	if (!n)
		printf("no rollback snapshots in %s\n", dir);
	for (int i = 0; i < n; i++) {
		json_t *doc = load_rollback(dfd, dir, seqs[i], e), *o;
		time_t t;
		char when[32] = "?";
		int tables = 0, rules = 0;
		size_t k;

		if (!doc)
			continue;
		t = (time_t)json_integer_value(json_object_get(doc, "time"));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		json_array_foreach(json_object_get(doc, "snapshot"), k, o)
		{
			tables += json_object_get(o, "table") != NULL;
			rules += json_object_get(o, "rule") != NULL;
		}
		printf("%3d  %s  before %-17s %d table%s, %d rule%s\n", i, when,
		       json_string_value(json_object_get(doc, "why")), tables,
		       tables == 1 ? "" : "s", rules, rules == 1 ? "" : "s");
		json_decref(doc);
	}
	close(dfd);
	return 0;
}

int rollback_run(struct shell *sh, int argc, char **argv, struct nfsh_err *e)
{
	char dir[PATH_MAX];
	long seqs[256];
	unsigned long long k = 0;
	json_t *doc, *batch, *now;
	int n, rc, dfd;

	if (argc > 0 && parse_uint(argv[0], 255, &k) < 0) {
		err_set(e, NFSH_EPARAM, argv[0], "invalid snapshot number \"%s\"", argv[0]);
		err_hint(e, "a number from show rollbacks");
		e->argi = 1;
		return -1;
	}
	if (sh->cand) {
		err_set(e, NFSH_EOTHER, "rollback", "a candidate is open");
		return err_hint(e, "commit or abort it first"), -1;
	}
	if ((dfd = state_dir_open(dir, sizeof(dir), false, e)) < 0)
		return -1;
	n = list_rollbacks(dfd, seqs, 256);
	doc = (int)k < n ? load_rollback(dfd, dir, seqs[k], e) : NULL;
	close(dfd);
	if ((int)k >= n) {
		err_set(e, NFSH_EOTHER, argc ? argv[0] : "rollback", "no snapshot %llu (%d kept)",
		        k, n);
		e->argi = argc ? 1 : 0;
		return err_hint(e, "show rollbacks lists them"), -1;
	}
	if (!doc)
		return -1;
	now = snap_take(&sh->sess, e);
	batch = now ? snap_restore_batch(&sh->sess, json_object_get(doc, "snapshot"), e) : NULL;
	rc = batch ? sess_apply(&sh->sess, batch, e) : -1;
	/* The state rolled away from becomes a snapshot too, so rollback 0 undoes it. */
	if (rc == 0 && snap_save_rollback(now, "rollback", e) < 0)
		rc = -1;
	if (rc == 0)
		printf("rolled back to snapshot %llu\n", k);
	json_decref(batch);
	json_decref(now);
	json_decref(doc);
	return rc;
}

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
 * killing the shell or losing the terminal leaves it running. */
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

/* Everything it touches is relative to dfd, the state directory checked once
 * by confirm_arm, and it keeps only that descriptor and /dev/null open. */
static void reverter(int dfd, const char *token, json_t *snap, int secs)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	time_t deadline = time(NULL) + secs;
	char taken[NAME_MAX + 16], logline[NFSH_ERR_MSG + 64];
	struct nfsh_session s;
	struct nfsh_err e;
	json_t *batch;
	int fd;

	setsid();
	if (fork() != 0)
		_exit(0);
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
	while (time(NULL) < deadline) {
		if (faccessat(dfd, token, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			_exit(0); /* confirmed */
		nanosleep(&tick, NULL);
	}
	snprintf(taken, sizeof(taken), "%s.reverting", token);
	if (renameat(dfd, token, dfd, taken) < 0)
		_exit(0); /* confirmed at the last moment */
	if (sess_open(&s, &e) == 0 && (batch = snap_restore_batch(&s, snap, &e)) &&
	    sess_apply(&s, batch, &e) == 0)
		snprintf(logline, sizeof(logline), "%ld reverted: not confirmed in %d s\n",
		         (long)time(NULL), secs);
	else
		snprintf(logline, sizeof(logline), "%ld revert FAILED: %s\n", (long)time(NULL),
		         e.msg);
	/* An append-only log: O_APPEND keeps each line whole, O_NOFOLLOW keeps
	 * it in the directory. */
	fd =
	    openat(dfd, "revert.log", O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, logline, strlen(logline));

		(void)w;
		close(fd);
	}
	unlinkat(dfd, taken, 0);
	_exit(0);
}

int confirm_arm(json_t *snap, int secs, char *token, size_t len, struct nfsh_err *e)
{
	static const char text[] = "commit confirmed\n";
	char dir[PATH_MAX], name[64];
	pid_t pid;
	int dfd;

	if ((dfd = state_dir_open(dir, sizeof(dir), false, e)) < 0)
		return -1;
	snprintf(name, sizeof(name), "pending-%d-%ld", (int)getpid(), (long)time(NULL));
	snprintf(token, len, "%s/%s", dir, name);
	if (priv_write_at(dfd, name, text, sizeof(text) - 1, e) < 0) {
		close(dfd);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		reverter(dfd, name, snap, secs);
	if (pid < 0) {
		unlinkat(dfd, name, 0);
		close(dfd);
		return err_set(e, NFSH_EOTHER, NULL, "cannot start the reverter: %s",
		               strerror(errno));
	}
	close(dfd);
	waitpid(pid, NULL, 0);
	return 0;
}

int confirm_apply(struct shell *sh, json_t *cmds, int secs, struct nfsh_err *e)
{
	json_t *snap = snap_take(&sh->sess, e);
	char token[PATH_MAX + 64];

	if (!snap)
		return -1;
	if (snap_save_rollback(snap, secs ? "commit confirmed" : "commit", e) < 0) {
		json_decref(snap);
		return -1;
	}
	/* Arm the reverter before applying: there must be no moment at which the
	 * change is live and nothing would take it back (a SIGKILL right after
	 * the apply). If the apply fails, removing the token disarms it. */
	if (secs > 0 && confirm_arm(snap, secs, token, sizeof(token), e) < 0) {
		json_decref(snap);
		return -1;
	}
	if (sess_apply(&sh->sess, cmds, e) < 0) {
		if (secs > 0)
			unlink(token);
		json_decref(snap);
		return -1;
	}
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
		if (strncmp(de->d_name, "pending-", 8) || strstr(de->d_name, ".reverting"))
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

/* nfsh restore --confirm SECONDS FILE (like iptables-apply) and nfsh confirm.
 *
 * The reverter of `commit confirmed` (confirm.c) is armed with a snapshot of
 * nfsh's tables BEFORE the restore is applied, so no moment exists where the
 * new ruleset is in and nothing would take it out again: killing nfsh (even
 * with SIGKILL) or losing the terminal leaves the detached reverter to restore
 * the snapshot at the deadline. On a terminal nfsh asks; y keeps the ruleset
 * (the token is removed), anything else or no answer has the reverter revert
 * at once, and nfsh waits for it. Without a terminal `nfsh confirm` keeps it.
 * A restore that fails changed nothing and disarms the reverter. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shell/shell.h"

int io_restore_main(int family, int argc, char **argv) __attribute__((weak));

static void report(const struct nfsh_err *e)
{
	fprintf(stderr, "nfsh restore: %s", e->msg);
	if (e->hint[0])
		fprintf(stderr, "; %s", e->hint);
	fputc('\n', stderr);
}

/* y or n from the terminal until deadline; 0 for no answer. */
static int ask(int tty, int secs, long long deadline_ms)
{
	char line[16];

	dprintf(tty, "Keep the new ruleset? [y/N] (reverting in %d s) ", secs);
	for (;;) {
		struct pollfd p = {.fd = tty, .events = POLLIN};
		long long left = deadline_ms - confirm_clock_ms();
		ssize_t n;

		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n = read(tty, line, sizeof(line) - 1);
		if (n <= 0)
			break;
		line[n] = '\0';
		return line[0] == 'y' || line[0] == 'Y' ? 'y' : 'n';
	}
	dprintf(tty, "\n");
	return 0;
}

/* Not kept: the reverter restores the previous ruleset (nfsh only asks and
 * waits, so its own death cannot stop a revert halfway). */
static int revert_now(const struct confirm_token *token, const char *said)
{
	struct nfsh_err e;

	int rc;

	err_clear(&e);
	if ((rc = confirm_revert(token, &e)) < 0) {
		report(&e);
		return NFSH_EKERNEL;
	}
	if (rc == 1) {
		printf("confirmed meanwhile ('nfsh confirm'): the new ruleset is kept\n");
		return 0;
	}
	fprintf(stderr, "nfsh restore: %s: the previous ruleset is restored\n", said);
	return 1;
}

static int parse_secs(const char *w, int *secs)
{
	char *end;
	long v = strtol(w ? w : "", &end, 10);

	if (!w || !*w || *end || v < 1 || v > 86400) {
		fprintf(stderr, "nfsh restore: --confirm needs a number of seconds, 1 to 86400\n");
		return -1;
	}
	*secs = (int)v;
	return 0;
}

int confirm_restore_main(int family, int argc, char **argv)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	struct confirm_token token = {.dfd = -1};
	int nargs = 0, secs = 0, rc, tty, answer;
	bool dry = false;
	struct nfsh_session s;
	struct nfsh_err e;
	json_t *snap = NULL;
	long long deadline_ms;

	if (!args || !io_restore_main) {
		free(args);
		fprintf(stderr, "nfsh restore: not part of this build\n");
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--confirm")) {
			if (parse_secs(i + 1 < argc ? argv[i + 1] : NULL, &secs) < 0) {
				free(args);
				return NFSH_EPARAM;
			}
			i++;
			continue;
		}
		dry |= !strcmp(argv[i], "--test") || !strcmp(argv[i], "-t") ||
		       !strcmp(argv[i], "--emit-json");
		args[nargs++] = argv[i];
	}
	if (dry) { /* nothing is applied, nothing to revert */
		rc = io_restore_main(family, nargs, args);
		free(args);
		return rc;
	}
	err_clear(&e);
	if (sess_open(&s, &e) < 0 || !(snap = snap_take(&s, &e)) ||
	    snap_save_rollback(snap, "restore --confirm", &e) < 0 ||
	    confirm_arm(snap, secs, &token, &e) < 0) {
		report(&e);
		json_decref(snap);
		sess_close(&s);
		free(args);
		return e.status ? e.status : 1;
	}
	deadline_ms = confirm_clock_ms() + secs * 1000LL;
	rc = io_restore_main(family, nargs, args);
	free(args);
	if (rc != 0) {
		confirm_disarm(&token); /* nothing was applied */
	} else if ((tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		printf("applied; reverting in %d s unless you run 'nfsh confirm'\n", secs);
	} else {
		answer = ask(tty, secs, deadline_ms);
		close(tty);
		if (answer == 'y' && confirm_disarm(&token))
			printf("confirmed: the new ruleset is kept\n");
		else if (answer == 'y') /* the deadline came first */
			rc = revert_now(&token, "too late");
		else
			rc = revert_now(&token, "not confirmed");
	}
	confirm_release(&token);
	json_decref(snap);
	sess_close(&s);
	return rc;
}

int confirm_main(int argc, char **argv)
{
	struct nfsh_err e;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Usage: nfsh confirm\n");
		return NFSH_EPARAM;
	}
	err_clear(&e);
	if (confirm_keep(NULL, &e) < 0) {
		fprintf(stderr, "nfsh confirm: %s", e.msg);
		if (e.hint[0])
			fprintf(stderr, "; %s", e.hint);
		fputc('\n', stderr);
		return 1;
	}
	return 0;
}

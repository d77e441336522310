/* util/privfile: private directory checks, atomic replacement that never
 * follows what is planted at the name, and reads that refuse what is not a
 * regular file of ours. Runs in a fresh directory under /tmp. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/privfile.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nfsh-privfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_content(const char *name, const char *want)
{
	char p[128], got[64] = "";
	FILE *f;
	size_t n;

	path_of(p, sizeof(p), name);
	f = fopen(p, "r");
	assert_non_null(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	assert_string_equal(got, want);
}

/* Only the named files: no temporary left behind. */
static int count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static void dir_checks(void **state)
{
	struct nfsh_err e;
	char sub[128], link[128];
	int fd;

	(void)state;
	err_clear(&e);
	fd = priv_dir_open(dir, &e);
	assert_true(fd >= 0);
	close(fd);

	path_of(sub, sizeof(sub), "open");
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(priv_dir_open(sub, &e), -1);
	assert_non_null(strstr(e.msg, "not a private directory"));
	assert_int_equal(chmod(sub, 0700), 0);

	path_of(link, sizeof(link), "link");
	assert_int_equal(symlink(sub, link), 0);
	err_clear(&e);
	assert_int_equal(priv_dir_open(link, &e), -1);
	assert_non_null(strstr(e.msg, "not a private directory"));
	unlink(link);
	rmdir(sub);
}

static void write_replaces_planted_names(void **state)
{
	struct nfsh_err e;
	char p[128], victim[128];
	struct stat st;
	int fd;

	(void)state;
	err_clear(&e);
	fd = priv_dir_open(dir, &e);
	assert_true(fd >= 0);
	umask(0);
	assert_int_equal(priv_write_at(fd, "f", "one\n", 4, &e), 0);
	expect_content("f", "one\n");
	path_of(p, sizeof(p), "f");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	umask(022);

	/* A symlink at the name: replaced, its target untouched. */
	put("victim", "victim\n");
	path_of(victim, sizeof(victim), "victim");
	unlink(p);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(priv_write_at(fd, "f", "two\n", 4, &e), 0);
	expect_content("victim", "victim\n");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	expect_content("f", "two\n");

	/* A hard link at the name: the other name keeps the old content. */
	unlink(p);
	assert_int_equal(link(victim, p), 0);
	assert_int_equal(priv_write_at(fd, "f", "three\n", 6, &e), 0);
	expect_content("victim", "victim\n");
	expect_content("f", "three\n");

	assert_int_equal(count_entries(), 2); /* f and victim, no temporary */
	close(fd);
	unlink(p);
	unlink(victim);
}

static void write_failure_leaves_nothing(void **state)
{
	struct nfsh_err e;
	char d[128], x[128];
	int fd;

	(void)state;
	err_clear(&e);
	fd = priv_dir_open(dir, &e);
	assert_true(fd >= 0);
	/* A directory at the name: the rename fails (EISDIR), the temporary
	 * goes with it. */
	path_of(d, sizeof(d), "d");
	assert_int_equal(mkdir(d, 0700), 0);
	put("d/x", "x");
	assert_int_equal(priv_write_at(fd, "d", "new\n", 4, &e), -1);
	assert_non_null(strstr(e.msg, "cannot write d"));
	assert_int_equal(count_entries(), 1);
	close(fd);
	path_of(x, sizeof(x), "d/x");
	unlink(x);
	rmdir(d);
}

static void read_refuses_what_is_not_ours(void **state)
{
	struct nfsh_err e;
	char p[128], victim[128];
	int fd, rfd;

	(void)state;
	err_clear(&e);
	fd = priv_dir_open(dir, &e);
	assert_true(fd >= 0);
	put("victim", "victim\n");
	path_of(victim, sizeof(victim), "victim");
	path_of(p, sizeof(p), "link");
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(priv_open_read_at(fd, "link", &e), -1);
	assert_non_null(strstr(e.msg, "symlink"));

	path_of(p, sizeof(p), "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(priv_open_read_at(fd, "fifo", &e), -1); /* and did not block */
	assert_non_null(strstr(e.msg, "not a regular file"));

	assert_int_equal(priv_open_read_at(fd, "missing", &e), -1);
	rfd = priv_open_read_at(fd, "victim", &e);
	assert_true(rfd >= 0);
	close(rfd);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dir_checks),
	    cmocka_unit_test(write_replaces_planted_names),
	    cmocka_unit_test(write_failure_leaves_nothing),
	    cmocka_unit_test(read_refuses_what_is_not_ours),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

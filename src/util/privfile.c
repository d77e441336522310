#include "util/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

int priv_dir_open(const char *path, struct nfsh_err *e)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno != ELOOP && errno != ENOTDIR)
		return err_set(e, NFSH_EOTHER, path, "cannot open %s: %s", path, strerror(errno));
	/* Checked on the descriptor, so what is checked is what is used. */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		if (fd >= 0)
			close(fd);
		err_set(e, NFSH_EOTHER, path,
		        "%s is not a private directory (a symlink, another owner's, or writable "
		        "by others)",
		        path);
		err_hint(e, "remove it, or point NFSH_STATE_DIR at a directory of your own");
		return -1;
	}
	return fd;
}

/* mkstemp, relative to dirfd: ".NAME.XXXXXX", created exclusively (O_EXCL
 * never follows a symlink), 0600 whatever the umask. */
static int temp_at(int dirfd, const char *name, char *tmp, size_t len)
{
	for (int tries = 0; tries < 64; tries++) {
		unsigned int r;
		int fd;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (unsigned int)getpid() * 2654435761u + (unsigned int)tries;
		if (snprintf(tmp, len, ".%s.%08x", name, r) >= (int)len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int priv_write_at(int dirfd, const char *name, const void *data, size_t len, struct nfsh_err *e)
{
	char tmp[NAME_MAX + 1];
	int fd = temp_at(dirfd, name, tmp, sizeof(tmp)), saved;

	if (fd < 0)
		return err_set(e, NFSH_EOTHER, name, "cannot create a temporary file for %s: %s",
		               name, strerror(errno));
	if (fchmod(fd, 0600) == 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0) {
		if (close(fd) == 0 && renameat(dirfd, tmp, dirfd, name) == 0)
			return 0;
		fd = -1;
	}
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return err_set(e, NFSH_EOTHER, name, "cannot write %s: %s", name, strerror(saved));
}

int priv_open_read_at(int dirfd, const char *name, struct nfsh_err *e)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		int saved = errno;

		err_set(e, NFSH_EOTHER, name, "cannot open %s: %s", name,
		        saved == ELOOP ? "it is a symlink" : strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		err_set(e, NFSH_EOTHER, name, "%s is not a regular file of ours", name);
		errno = EPERM;
		return -1;
	}
	/* Back to blocking reads: O_NONBLOCK was only for the open. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

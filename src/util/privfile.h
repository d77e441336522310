/* Private files (history, snapshots, confirm tokens) in a private directory.
 *
 * The directory is opened once, checked on its descriptor (a directory, ours,
 * writable by nobody else, not reached through a final symlink), and every
 * later access goes through that descriptor with openat/renameat: swapping
 * the directory or planting a symlink in it afterwards redirects nothing.
 * Files are written whole to a fresh 0600 temporary in the same directory and
 * renamed over the name, so a reader sees the old or the new file, never half
 * of one, and a symlink planted at the name is replaced, not followed. */
#ifndef NFSH_UTIL_PRIVFILE_H
#define NFSH_UTIL_PRIVFILE_H

#include <stddef.h>

#include "util/err.h"

/* Open path as a private directory: returns a descriptor or -1 with e set. */
int priv_dir_open(const char *path, struct nfsh_err *e);

/* Replace dirfd/name with len bytes of data, atomically (temporary + fsync +
 * rename). Returns 0, or -1 with e set and no temporary left behind. */
int priv_write_at(int dirfd, const char *name, const void *data, size_t len, struct nfsh_err *e);

/* Open dirfd/name for reading: a regular file of ours, never through a
 * symlink (and never blocking on a planted FIFO). Returns a descriptor, or
 * -1 with errno set (ENOENT when there is none) and e set. */
int priv_open_read_at(int dirfd, const char *name, struct nfsh_err *e);

#endif

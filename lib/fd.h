/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_FD_H
#define BERTH_LIB_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Paths inside a container root are untrusted: an image can plant symlinks
 * and ".." anywhere.  Everything here resolves a path relative to a root
 * directory fd as if that fd were "/": absolute symlinks restart at the root,
 * ".." never climbs above it, and magic links (/proc/PID/fd/N and friends)
 * are refused.  With openat2(2) this is RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS;
 * kernels without openat2 (ENOSYS) get a per-component walk with O_NOFOLLOW
 * that gives the same answers (lib/fd.c, tested by forcing it).
 *
 * All functions return a new O_CLOEXEC fd (or 0) on success and -errno on
 * failure; none of them prints. */

/* Open PATH (absolute or relative, both taken from the root) inside ROOTFD.
 * FLAGS are open(2) flags (O_CLOEXEC is always added); O_CREAT is honoured
 * for the last component only, which is never followed if it is a symlink
 * when O_NOFOLLOW or O_CREAT|O_EXCL is given. */
int fd_open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* Create every missing directory of PATH inside ROOTFD with MODE (like
 * mkdir -p, each created relative to its parent fd, so MODE & ~umask) and
 * return an O_PATH|O_DIRECTORY fd of the last one.  -ENOTDIR if a component
 * exists and is not a directory (after resolving symlinks inside the root);
 * -ENOENT if it is a dangling symlink (its target is not created). */
int fd_mkdir_p_in_root(int rootfd, const char *path, mode_t mode);

/* Use the fallback walk even where openat2 exists (for tests); the
 * environment variable BERTH_NO_OPENAT2=1 has the same effect. */
void fd_force_fallback(bool force);

/* Whether openat2 is in use (false when forced off or when the kernel lacks it). */
bool fd_has_openat2(void);

/* Read the whole of PATH relative to DIRFD (AT_FDCWD allowed) into a
 * NUL-terminated malloc'd buffer; fails with -EFBIG past MAX bytes (a file of
 * exactly MAX bytes is fine).  RET_LEN may be NULL; on failure *RET_BUF is
 * left alone. */
int fd_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len);

/* Read everything from FD until EOF, as above. */
int fd_read_all(int fd, size_t max, char **ret_buf, size_t *ret_len);

/* Write all of BUF to FD, retrying on EINTR and short writes. */
int fd_write_all(int fd, const void *buf, size_t len);

/* Replace NAME in DIRFD atomically: write a temporary file in the same
 * directory, fsync it, rename it over NAME (and fsync the directory).  NAME
 * may have a directory part; it gets a new inode owned by the caller, with
 * exactly MODE (the umask is not applied).  On failure NAME is unchanged and
 * no temporary file is left, except when only the final directory fsync
 * fails: then the new content is in place but may not survive a crash. */
int fd_write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);

/* The same, durable only when DURABLE: without it, readers still see the
 * old or the new content, never a mix, but a crash may lose the change.
 * For state that does not outlive a reboot anyway (the runtime's state
 * directory), where two fsyncs per write would be most of `berth run`. */
int fd_replace_file_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
                       bool durable);

/* Send up to LEN bytes of DATA on the socket SOCK with the fd FD attached
 * (SCM_RIGHTS) when FD >= 0.  Returns the bytes sent (a stream socket may
 * take fewer) or -errno; EINTR is retried, SIGPIPE never raised. */
ssize_t fd_send_fd(int sock, const void *data, size_t len, int fd);

/* Receive up to SIZE bytes into BUF (recvmsg FLAGS added).  *RET_FD gets
 * the first fd that came with them, close-on-exec, or -1; any further ones
 * are closed, and a truncated control message is -EBADMSG.  Returns the
 * bytes received (0 at EOF) or -errno. */
ssize_t fd_recv_fd(int sock, void *buf, size_t size, int flags, int *ret_fd);

#endif

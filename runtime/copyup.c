/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

/* Deeper trees are refused rather than recursed into. */
#define COPYUP_MAX_DEPTH 64

static int
copy_file(int src_dir, int dst_dir, const char *name, const struct stat *st)
{
    _cleanup_close_ int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int out = -1;
    char buf[65536];
    ssize_t n;

    if (in < 0)
        return -errno;
    out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 st->st_mode & 07777);
    if (out < 0)
        return -errno;
    while ((n = read(in, buf, sizeof(buf))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -errno;
            }
            off += w;
        }
    }
    if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
        return -errno;
    return 0;
}

static int copy_dir(int src, int dst, int depth, struct error **err);

static int
copy_entry(int src, int dst, const char *name, int depth, struct error **err)
{
    struct stat st;
    int rc = 0;

    if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return error_set(err, errno, "'%s'", name);
    switch (st.st_mode & S_IFMT) {
    case S_IFDIR: {
        _cleanup_close_ int s = -1;
        _cleanup_close_ int d = -1;

        if (mkdirat(dst, name, 0700) < 0)
            return error_set(err, errno, "mkdir '%s'", name);
        s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s < 0 || d < 0)
            return error_set(err, errno, "open '%s'", name);
        rc = copy_dir(s, d, depth + 1, err);
        if (rc < 0)
            return error_wrap(err, "'%s'", name);
        /* Mode and owner last, so that a read-only directory gets filled. */
        if (fchown(d, st.st_uid, st.st_gid) < 0 || fchmod(d, st.st_mode & 07777) < 0)
            return error_set(err, errno, "'%s'", name);
        return 0;
    }
    case S_IFREG:
        rc = copy_file(src, dst, name, &st);
        break;
    case S_IFLNK: {
        char target[PATH_MAX];
        ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

        if (n < 0)
            return error_set(err, errno, "readlink '%s'", name);
        target[n] = '\0';
        if (symlinkat(target, dst, name) < 0
            || fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
            rc = -errno;
        break;
    }
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
        if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0) {
            /* A user namespace may not make devices: leave them out. */
            if (errno == EPERM && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
                return 0;
            rc = -errno;
        } else if (fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) {
            rc = -errno;
        }
        break;
    default:
        return 0;
    }
    return rc < 0 ? error_set(err, -rc, "copy '%s'", name) : 0;
}

static int
copy_dir(int src, int dst, int depth, struct error **err)
{
    struct dirent *de;
    DIR *d;
    int fd, rc = 0;

    if (depth > COPYUP_MAX_DEPTH)
        return error_setx(err, ELOOP, "more than %d directories deep", COPYUP_MAX_DEPTH);
    fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno, "open");
    d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return error_set(err, errno, "read directory");
    }
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        rc = copy_entry(src, dst, de->d_name, depth, err);
    }
    closedir(d);
    return rc;
}

int
copyup_tree_at(int src_fd, int dst_fd, struct error **err)
{
    _cleanup_close_ int src = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int dst = openat(dst_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    int rc;

    if (src < 0 || dst < 0)
        return error_set(err, errno, "tmpcopyup: open");
    rc = copy_dir(src, dst, 0, err);
    if (rc < 0)
        return error_wrap(err, "tmpcopyup");
    /* The tmpfs root takes the mode and owner of the directory it covers. */
    if (fstat(src, &st) == 0
        && (fchown(dst, st.st_uid, st.st_gid) < 0 || fchmod(dst, st.st_mode & 07777) < 0))
        return error_set(err, errno, "tmpcopyup: mode of the root");
    return 0;
}

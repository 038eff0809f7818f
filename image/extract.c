/* SPDX-License-Identifier: Apache-2.0 */
/* Applying a layer to a root filesystem (image-spec layer.md, "Applying
 * Changesets"): each entry's parent is resolved inside the root, and the
 * entry is created relative to that parent's fd.  The contract is in
 * image/extract.h; removals are in image/remove.c.
 *
 * What a hostile layer cannot do, and why:
 * - Leave the root by name: leading "/" and "./" are dropped, "." is
 *   skipped and any ".." component is refused, so a name is a plain
 *   downward path.
 * - Leave it through a symlink in a parent: parents are resolved with
 *   fd_open_in_root(), where symlinks are followed as if the root were "/"
 *   (absolute targets restart at the root, ".." stops there).  Following
 *   them, rather than refusing them, is what images need: with a merged
 *   /usr, a lower layer has "lib -> usr/lib" and an upper one adds
 *   "lib/x86_64-linux-gnu/libfoo.so" through it, as docker, containerd and
 *   umoci allow.  Both choices are safe; only this one is compatible.
 * - Leave it through the last component: it is created with O_EXCL, or
 *   mkdirat/symlinkat/mknodat/linkat, which never follow it; an existing
 *   one is removed first (never followed either), and metadata is set on
 *   the fd or with AT_SYMLINK_NOFOLLOW.
 * - Link to a host file: a hardlink's target is resolved the same way, in
 *   the root, and linked with linkat(..., 0), which does not follow it.
 * - Replace the root itself (umoci's CVE-2021-29136): an entry for "." may
 *   only be a directory, and then only changes the root's metadata. */
#include "image/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/extract-marks.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

/* A directory whose metadata is set once the layer is done, deepest first:
 * its mode may forbid us to fill it, and filling it changes its mtime. */
struct dir_meta {
    char *path; /* normalised, "" for the root */
    size_t depth, seq;
    dev_t dev;
    ino_t ino;
    bool only_mode; /* a lower directory we made writable: give its mode back */
    mode_t mode;
    uid_t uid;
    gid_t gid;
    struct timespec times[2];
};

struct apply {
    int rootfd;
    struct image_tar *t;
    const char *layer;
    const struct image_extract_opts *o;
    struct image_extract_stats *stats;
    struct error **err;
    uid_t euid;
    const char *entry; /* the current entry's name as stored, for errors */

    struct extract_marks marks;

    /* The last parent directory: tar entries come grouped by directory. */
    char *cache_path;
    int cache_fd;
    struct stat cache_st;
    bool cache_stale; /* something was removed since: resolve again */

    struct dir_meta *dirs;
    size_t n_dirs, dirs_alloc;
};

static int fail(struct apply *x, int errnum, const char *fmt, ...) ATTR_PRINTF(3, 4);
static int failx(struct apply *x, int errnum, const char *fmt, ...) ATTR_PRINTF(3, 4);

/* "layer sha256:...: entry 'a/b': what went wrong: strerror" */
static int
vfail(struct apply *x, int errnum, bool with_strerror, const char *fmt, va_list ap)
{
    _cleanup_free_ char *what = xvasprintf(fmt, ap);

    if (with_strerror)
        return error_set(x->err, errnum, "%s: entry '%s': %s", x->layer, x->entry, what);
    return error_setx(x->err, errnum, "%s: entry '%s': %s", x->layer, x->entry, what);
}

static int
fail(struct apply *x, int errnum, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vfail(x, errnum, true, fmt, ap);
    va_end(ap);
    return rc;
}

static int
failx(struct apply *x, int errnum, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vfail(x, errnum, false, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- names ---- */

/* PATH as a plain downward path: no leading "/" or "./", no "." or empty
 * components, no trailing "/"; "" is the root.  -EINVAL for a ".."
 * component, which is refused rather than clamped: no tool writes one, and
 * its only use is an attack. */
static int
normalise(const char *path, char **ret)
{
    char *out = xmalloc(strlen(path) + 1), *o = out;

    for (const char *p = path; *p != '\0';) {
        size_t len;

        p += strspn(p, "/");
        len = strcspn(p, "/");
        if (len == 0)
            break;
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            free(out);
            return -EINVAL;
        }
        if (!(len == 1 && p[0] == '.')) {
            if (o > out)
                *o++ = '/';
            memcpy(o, p, len);
            o += len;
        }
        p += len;
    }
    *o = '\0';
    *ret = out;
    return 0;
}

/* Split a normalised non-root PATH in place into its parent ("" for the
 * root) and its last component. */
static void
split(char *path, const char **ret_parent, const char **ret_name)
{
    char *slash = strrchr(path, '/');

    if (slash == NULL) {
        *ret_parent = "";
        *ret_name = path;
    } else {
        *slash = '\0';
        *ret_parent = path;
        *ret_name = slash + 1;
    }
}

static size_t
depth_of(const char *path)
{
    size_t d = path[0] != '\0';

    for (const char *p = path; *p != '\0'; p++)
        d += *p == '/';
    return d;
}

/* ---- parents ---- */

static void
cache_drop(struct apply *x)
{
    free(x->cache_path);
    x->cache_path = NULL;
    if (x->cache_fd >= 0)
        close(x->cache_fd);
    x->cache_fd = -1;
    x->cache_stale = false;
}

/* Make FD the cached directory PATH (takes FD). */
static int
cache_set(struct apply *x, const char *path, int fd)
{
    cache_drop(x);
    if (fstat(fd, &x->cache_st) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    x->cache_path = xstrdup(path);
    x->cache_fd = fd;
    return 0;
}

/* Create the missing directories of PARENT like tar does (0755 whatever the
 * umask, owned by us), each with mkdirat in the one before, which was
 * resolved in the root.  Returns an fd of the last one. */
static int
mkdir_parents(struct apply *x, const char *parent)
{
    _cleanup_close_ int cur = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 3);
    _cleanup_free_ char *prefix = xstrdup(parent);
    bool created = false;

    if (cur < 0)
        return fail(x, errno, "dup the root fd");
    for (char *p = prefix; *p != '\0';) {
        size_t len = strcspn(p, "/");
        char saved = p[len];
        struct stat st;
        int fd = -ENOENT;

        p[len] = '\0';
        /* Until one is missing, resolve each prefix in the root: an
           existing component may be a symlink. */
        if (!created)
            fd = fd_open_in_root(x->rootfd, prefix, O_PATH | O_DIRECTORY, 0);
        if (fd == -ENOENT) {
            if (fstat(cur, &st) < 0)
                return fail(x, errno, "parent '%s'", prefix);
            if (mkdirat(cur, p, 0755) < 0) {
                /* A symlink that leads nowhere in the root: tar would
                   fail too, and making its target could mean anything. */
                if (errno == EEXIST && fstatat(cur, p, &st, AT_SYMLINK_NOFOLLOW) == 0
                    && S_ISLNK(st.st_mode))
                    return failx(x, ENOENT,
                                 "parent '%s' is a symlink to nothing in the root directory",
                                 prefix);
                return fail(x, errno, "create the parent directory '%s'", prefix);
            }
            fd = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                return fail(x, errno, "parent '%s'", prefix);
            if (fchmod(fd, 0755) < 0) {
                close(fd);
                return fail(x, errno, "parent '%s': chmod", prefix);
            }
            extract_marks_set(&x->marks, st.st_dev, st.st_ino, p, MARK_FRESH);
            created = true;
        } else if (fd < 0) {
            return fail(x, -fd, "parent '%s'", prefix);
        }
        close(cur);
        cur = fd;
        p[len] = saved;
        p += len;
        p += strspn(p, "/");
    }
    return TAKE_FD(cur);
}

/* The directory PARENT (normalised) resolved in the root, from the cache if
 * it is the last one, created if missing and CREATE.  Returns a borrowed
 * fd (valid until the next call), -ENOENT/-ENOTDIR without an error set
 * when it does not exist and !CREATE, or -errno with the error set. */
static int
get_parent(struct apply *x, const char *parent, bool create)
{
    int fd;

    if (x->cache_path != NULL && !x->cache_stale && strcmp(x->cache_path, parent) == 0)
        return x->cache_fd;
    if (parent[0] != '\0')
        fd = fd_open_in_root(x->rootfd, parent, O_PATH | O_DIRECTORY, 0);
    else if ((fd = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 3)) < 0)
        fd = -errno;
    if (fd == -ENOENT && create)
        fd = mkdir_parents(x, parent);
    else if ((fd == -ENOENT || fd == -ENOTDIR) && !create)
        return fd;
    else if (fd < 0)
        return fail(x, -fd, "parent '%s'", parent);
    if (fd < 0)
        return fd;
    fd = cache_set(x, parent, fd);
    if (fd < 0)
        return fail(x, -fd, "parent '%s'", parent);
    return x->cache_fd;
}

static void
defer_dir(struct apply *x, const char *path, const struct stat *st, bool only_mode, mode_t mode,
          const struct image_tar_entry *e)
{
    struct dir_meta *d;

    x->dirs = xgrow(x->dirs, &x->dirs_alloc, x->n_dirs, sizeof(*x->dirs));
    d = &x->dirs[x->n_dirs];
    *d = (struct dir_meta){
        .path = xstrdup(path),
        .depth = depth_of(path),
        .seq = x->n_dirs,
        .dev = st->st_dev,
        .ino = st->st_ino,
        .only_mode = only_mode,
        .mode = mode,
    };
    if (e != NULL) {
        d->uid = (uid_t)e->uid;
        d->gid = (gid_t)e->gid;
        d->times[0] = e->atime;
        d->times[1] = e->mtime;
    }
    x->n_dirs++;
}

/* chmod an fd that may be O_PATH (fchmod refuses those): through its magic
 * link, which names exactly that inode. */
static int
chmod_fd(int fd, mode_t mode)
{
    char proc[64];

    if (fchmod(fd, mode) == 0)
        return 0;
    if (errno != EBADF)
        return -1;
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    return chmod(proc, mode);
}

/* Non-root: the directory PFD (PARENT) is a lower layer's and lacks write
 * or search permission for us, its owner.  Add them until the end of the
 * layer.  Returns 1 when it changed something (so that the caller tries
 * again), 0 when it could not help. */
static int
make_writable(struct apply *x, int pfd, const char *parent)
{
    struct stat st;

    if (x->euid == 0 || fstat(pfd, &st) < 0 || st.st_uid != x->euid || (st.st_mode & 0700) == 0700)
        return 0;
    if (chmod_fd(pfd, (st.st_mode & 07777) | 0700) < 0)
        return 0;
    defer_dir(x, parent, &st, true, st.st_mode & 07777, NULL);
    return 1;
}

/* ---- metadata ---- */

static int
check_ids(struct apply *x, const struct image_tar_entry *e)
{
    if (e->uid >= (uint64_t)(uid_t)-1 || e->gid >= (uint64_t)(gid_t)-1)
        return failx(x, EINVAL, "uid %llu or gid %llu is out of range", (unsigned long long)e->uid,
                     (unsigned long long)e->gid);
    return 0;
}

static int
chown_fail(struct apply *x, const struct image_tar_entry *e, int errnum)
{
    if (errnum == EINVAL)
        return failx(x, EINVAL,
                     "chown to uid %llu gid %llu: the id is not mapped in this user namespace",
                     (unsigned long long)e->uid, (unsigned long long)e->gid);
    return fail(x, errnum, "chown to uid %llu gid %llu", (unsigned long long)e->uid,
                (unsigned long long)e->gid);
}

/* Only file capabilities and user.* are kept: the rest (security.selinux,
 * trusted.*, system.posix_acl_*) describes the host that built the layer
 * or needs privileges we do not want to use on its behalf. */
static int
set_xattrs(struct apply *x, int fd, const struct image_tar_entry *e, bool regular)
{
    for (size_t i = 0; i < e->n_xattrs; i++) {
        const struct image_tar_xattr *xa = &e->xattrs[i];
        bool user = strncmp(xa->name, "user.", 5) == 0;
        bool cap = strcmp(xa->name, "security.capability") == 0;

        if ((!user && !cap) || (cap && !regular)) {
            x->stats->skipped_xattrs++;
            continue;
        }
        if (fsetxattr(fd, xa->name, xa->value, xa->size, 0) == 0)
            continue;
        /* Not every filesystem takes user.* (tmpfs before 6.6), nor every
           value: not worth failing the image for. */
        if (user
            && (errno == EPERM || errno == ENOTSUP || errno == E2BIG || errno == ERANGE
                || errno == EINVAL || errno == EACCES || errno == ENOSPC)) {
            x->stats->skipped_xattrs++;
            continue;
        }
        /* A capability matters: without it the program fails later, so
           with real ownership it is an error; without, the caller already
           warns that ownership (and with it capabilities) is lost. */
        if (cap && !x->o->chown && (errno == EPERM || errno == ENOTSUP || errno == EINVAL)) {
            x->stats->skipped_xattrs++;
            continue;
        }
        return fail(x, errno, "set the extended attribute '%s'", xa->name);
    }
    return 0;
}

/* Owner, mode, xattrs and times of a file we hold open.  chown comes first:
 * it clears the setuid and setgid bits and security.capability. */
static int
set_meta_fd(struct apply *x, int fd, const struct image_tar_entry *e)
{
    struct timespec times[2] = {e->atime, e->mtime};

    if (x->o->chown && fchown(fd, (uid_t)e->uid, (gid_t)e->gid) < 0)
        return chown_fail(x, e, errno);
    if (fchmod(fd, e->mode & 07777) < 0)
        return fail(x, errno, "chmod");
    if (set_xattrs(x, fd, e, true) < 0)
        return -1;
    if (futimens(fd, times) < 0)
        return fail(x, errno, "set the times");
    return 0;
}

/* The same for a node we cannot open (a symlink, a fifo, a device), by
 * name in its parent. */
static int
set_meta_at(struct apply *x, int pfd, const char *name, const struct image_tar_entry *e,
            bool symlink)
{
    struct timespec times[2] = {e->atime, e->mtime};

    if (x->o->chown && fchownat(pfd, name, (uid_t)e->uid, (gid_t)e->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return chown_fail(x, e, errno);
    /* A symlink has no mode.  For a fifo or a device, NAME is the node
       mknodat made a moment ago: nothing else writes this tree while a
       layer is applied, so fchmodat has nothing to follow. */
    if (!symlink && fchmodat(pfd, name, e->mode & 07777, 0) < 0)
        return fail(x, errno, "chmod");
    x->stats->skipped_xattrs += e->n_xattrs;
    if (utimensat(pfd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(x, errno, "set the times");
    return 0;
}

/* ---- replacing what is there ---- */

enum { KEEP_DIR = 1, RETRY = 2 };

/* Creating NAME in PFD (PARENT) failed with ERRNUM.  EEXIST: the lower
 * layer's entry goes ("Changeset over existing files": removed, unless both
 * are directories), RETRY; or it is a directory and so is the new one,
 * KEEP_DIR.  EACCES: a read-only lower directory we own is made writable,
 * RETRY.  Else the error, set. */
static int
make_room(struct apply *x, int pfd, const char *parent, const char *name, int errnum, bool is_dir,
          const char *what)
{
    struct stat st;

    if (errnum == EACCES && make_writable(x, pfd, parent) > 0)
        return RETRY;
    if (errnum != EEXIST)
        return fail(x, errnum, "%s", what);
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(x, errno, "%s", what);
    if (is_dir && S_ISDIR(st.st_mode))
        return KEEP_DIR;
    x->cache_stale = true; /* a cached path may have led through it */
    if (S_ISDIR(st.st_mode)) {
        /* EEXIST came before any permission check: removing needs them. */
        make_writable(x, pfd, parent);
        if (extract_prune_at(NULL, pfd, 0, 0, name, x->err) < 0)
            return error_wrap(x->err, "%s: entry '%s': replace the directory", x->layer, x->entry);
    } else if (unlinkat(pfd, name, 0) < 0) {
        if (errno == EACCES && make_writable(x, pfd, parent) > 0 && unlinkat(pfd, name, 0) == 0)
            return RETRY;
        return fail(x, errno, "remove the existing '%s'", name);
    }
    return RETRY;
}

/* ---- entries ---- */

static int
write_data(struct apply *x, int fd, const struct image_tar_entry *e)
{
    int64_t pos = 0;
    const void *buf;
    size_t len;
    int64_t off;
    int r;

    while ((r = image_tar_read_block(x->t, &buf, &len, &off, x->err)) > 0) {
        if (off != pos) {
            /* A hole of a sparse entry stays a hole. */
            if (off < pos || lseek(fd, off, SEEK_SET) < 0)
                return fail(x, off < pos ? EBADMSG : errno, "write at offset %lld", (long long)off);
            pos = off;
        }
        r = fd_write_all(fd, buf, len);
        if (r < 0)
            return fail(x, -r, "write");
        pos += (int64_t)len;
        x->stats->bytes += len;
    }
    if (r < 0)
        return r; /* the stream's error names the layer; the entry is not at fault */
    if (pos < e->size && ftruncate(fd, e->size) < 0)
        return fail(x, errno, "truncate to %lld bytes", (long long)e->size);
    return 0;
}

static int
create_file(struct apply *x, int pfd, const char *parent, const char *name,
            const struct image_tar_entry *e)
{
    _cleanup_close_ int fd = -1;

    for (int attempt = 0;; attempt++) {
        int rc;

        fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0)
            break;
        if (attempt == 3)
            return fail(x, errno, "create");
        rc = make_room(x, pfd, parent, name, errno, false, "create");
        if (rc < 0)
            return rc;
    }
    if (write_data(x, fd, e) < 0 || set_meta_fd(x, fd, e) < 0)
        return -1;
    extract_marks_set(&x->marks, x->cache_st.st_dev, x->cache_st.st_ino, name, MARK_FRESH);
    return 0;
}

static int
create_dir(struct apply *x, int pfd, const char *parent, const char *name, const char *path,
           const struct image_tar_entry *e)
{
    enum extract_mark mark = MARK_FRESH;
    dev_t pdev = x->cache_st.st_dev;
    ino_t pino = x->cache_st.st_ino;
    struct stat st;
    int fd, rc;

    for (int attempt = 0;; attempt++) {
        /* 0700 until the layer is done, so that we can fill it whatever
           its mode (and nobody else can look in meanwhile). */
        if (mkdirat(pfd, name, 0700) == 0)
            break;
        if (attempt == 3)
            return fail(x, errno, "create the directory");
        rc = make_room(x, pfd, parent, name, errno, true, "create the directory");
        if (rc < 0)
            return rc;
        if (rc == KEEP_DIR) {
            mark = MARK_KEPT;
            break;
        }
    }
    /* A lower directory we own, read-only or even mode 0 (we are not
       root): ours to fill until the end of the layer, which sets the
       entry's mode.  make_room saw a directory there, not a symlink. */
    if (mark == MARK_KEPT && x->euid != 0 && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
        && S_ISDIR(st.st_mode) && st.st_uid == x->euid && (st.st_mode & 0700) != 0700
        && fchmodat(pfd, name, (st.st_mode & 07777) | 0700, 0) < 0)
        return fail(x, errno, "make the directory writable");
    fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return fail(x, errno, "open the directory");
    if (fstat(fd, &st) < 0
        || (mark == MARK_FRESH && (st.st_mode & 0700) != 0700 && fchmod(fd, 0700) < 0)) {
        /* (a umask that takes the owner's bits away) */
        rc = errno;
        close(fd);
        return fail(x, rc, "fstat or chmod the new directory");
    }
    if (set_xattrs(x, fd, e, false) < 0) {
        close(fd);
        return -1;
    }
    extract_marks_set(&x->marks, pdev, pino, name, mark);
    defer_dir(x, path, &st, false, e->mode & 07777, e);
    /* Its entries come next, most likely. */
    rc = cache_set(x, path, fd);
    if (rc < 0)
        return fail(x, -rc, "fstat");
    return 0;
}

static int
create_symlink(struct apply *x, int pfd, const char *parent, const char *name,
               const struct image_tar_entry *e)
{
    const char *target = e->linkname != NULL ? e->linkname : "";

    if (target[0] == '\0')
        return failx(x, EINVAL, "symlink with an empty target");
    for (int attempt = 0;; attempt++) {
        int rc;

        /* The target is stored as it is and never followed here. */
        if (symlinkat(target, pfd, name) == 0)
            break;
        if (attempt == 3)
            return fail(x, errno, "create the symlink");
        rc = make_room(x, pfd, parent, name, errno, false, "create the symlink");
        if (rc < 0)
            return rc;
    }
    if (set_meta_at(x, pfd, name, e, true) < 0)
        return -1;
    extract_marks_set(&x->marks, x->cache_st.st_dev, x->cache_st.st_ino, name, MARK_FRESH);
    return 0;
}

static int
create_hardlink(struct apply *x, int pfd, const char *parent, const char *name,
                const struct image_tar_entry *e)
{
    _cleanup_free_ char *target = NULL;
    _cleanup_close_ int tfd = -1;
    const char *tparent, *tname;
    struct stat tst, st;

    if (normalise(e->linkname != NULL ? e->linkname : "", &target) < 0)
        return failx(x, EINVAL, "hardlink target '%s' has a '..' component", e->linkname);
    if (target[0] == '\0')
        return failx(x, EINVAL, "hardlink to the root directory");
    split(target, &tparent, &tname);
    /* The target's parent in the root, like any parent, and the target
       itself never followed: a hardlink can only reach an inode that is
       already in the root. */
    if (tparent[0] != '\0')
        tfd = fd_open_in_root(x->rootfd, tparent, O_PATH | O_DIRECTORY, 0);
    else if ((tfd = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 3)) < 0)
        tfd = -errno;
    if (tfd < 0)
        return fail(x, -tfd, "hardlink target '%s'", e->linkname);
    if (fstatat(tfd, tname, &tst, AT_SYMLINK_NOFOLLOW) < 0)
        return fail(x, errno, "hardlink target '%s'", e->linkname);
    if (S_ISDIR(tst.st_mode))
        return failx(x, EPERM, "hardlink target '%s' is a directory", e->linkname);
    /* Already the same inode (a link to itself, or a repeated entry). */
    if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == tst.st_dev
        && st.st_ino == tst.st_ino)
        return 0;
    for (int attempt = 0;; attempt++) {
        int rc;

        if (linkat(tfd, tname, pfd, name, 0) == 0)
            break;
        if (attempt == 3)
            return fail(x, errno, "link to '%s'", e->linkname);
        rc = make_room(x, pfd, parent, name, errno, false, "create the hardlink");
        if (rc < 0)
            return rc;
    }
    extract_marks_set(&x->marks, x->cache_st.st_dev, x->cache_st.st_ino, name, MARK_FRESH);
    return 0;
}

static int
create_node(struct apply *x, int pfd, const char *parent, const char *name,
            const struct image_tar_entry *e)
{
    mode_t type = e->type == IMAGE_TAR_FIFO  ? S_IFIFO
                  : e->type == IMAGE_TAR_CHR ? S_IFCHR
                                             : S_IFBLK;
    dev_t dev = type == S_IFIFO ? 0 : makedev(e->rdev_major, e->rdev_minor);

    if (type != S_IFIFO && !x->o->mknod) {
        x->stats->skipped_devices++;
        return 0;
    }
    for (int attempt = 0;; attempt++) {
        int rc;

        if (mknodat(pfd, name, type | 0600, dev) == 0)
            break;
        if (errno == EPERM && type != S_IFIFO)
            return fail(x, errno, "create the device %u:%u (needs CAP_MKNOD)", e->rdev_major,
                        e->rdev_minor);
        if (attempt == 3)
            return fail(x, errno, "create the node");
        rc = make_room(x, pfd, parent, name, errno, false, "create the node");
        if (rc < 0)
            return rc;
    }
    if (set_meta_at(x, pfd, name, e, false) < 0)
        return -1;
    extract_marks_set(&x->marks, x->cache_st.st_dev, x->cache_st.st_ino, name, MARK_FRESH);
    return 0;
}

/* ".wh.NAME" and ".wh..wh..opq" (layer.md "Whiteouts").  The parent is
 * resolved in the root like any other, and never created: a whiteout in a
 * directory that does not exist has nothing to hide. */
static int
apply_whiteout(struct apply *x, const char *parent, const char *leaf)
{
    const char *name = leaf + 4;
    int pfd, rc;

    if (strcmp(leaf, ".wh..wh..opq") != 0 && strncmp(leaf, ".wh..wh.", 8) == 0)
        return 0; /* other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not ours */
    if (strcmp(leaf, ".wh..wh..opq") != 0
        && (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0))
        return failx(x, EINVAL, "whiteout of '%s' does not name an entry of its directory", name);
    x->stats->whiteouts++;
    pfd = get_parent(x, parent, false);
    if (pfd == -ENOENT || pfd == -ENOTDIR)
        return 0;
    if (pfd < 0)
        return pfd;
    x->cache_stale = true; /* a cached path may lead through what goes */
    make_writable(x, pfd, parent);
    if (strcmp(leaf, ".wh..wh..opq") == 0) {
        /* "An opaque whiteout file hides all children of the bin/
           including sub-directories and all descendants", but only
           lower ones: "a/.wh..wh..opq is applied first, before creating
           the new version of a/b, regardless of the ordering". */
        rc = extract_prune_children_at(&x->marks, pfd, x->err);
    } else {
        /* "Whiteout files MUST only apply to resources in lower/parent
           layers." */
        rc = extract_prune_at(&x->marks, pfd, x->cache_st.st_dev, x->cache_st.st_ino, name, x->err);
    }
    return rc < 0 ? error_wrap(x->err, "%s: whiteout '%s'", x->layer, x->entry) : 0;
}

static int
apply_root(struct apply *x, const struct image_tar_entry *e)
{
    struct stat st;

    /* CVE-2021-29136: umoci let a layer replace the root with a symlink,
       and then wrote through it. */
    if (e->type != IMAGE_TAR_DIR)
        return failx(x, EINVAL, "the root directory can only be a directory");
    if (fstat(x->rootfd, &st) < 0)
        return fail(x, errno, "fstat the root");
    defer_dir(x, "", &st, false, e->mode & 07777, e);
    return 0;
}

static int
apply_entry(struct apply *x, const struct image_tar_entry *e)
{
    _cleanup_free_ char *path = NULL;
    _cleanup_free_ char *dirpath = NULL;
    const char *parent, *name;
    int pfd;

    x->entry = e->path;
    x->stats->entries++;
    if (normalise(e->path, &path) < 0)
        return failx(x, EINVAL, "path has a '..' component");
    if (e->type != IMAGE_TAR_HARDLINK && check_ids(x, e) < 0)
        return -1;
    if (path[0] == '\0')
        return apply_root(x, e);
    if (e->type == IMAGE_TAR_DIR)
        dirpath = xstrdup(path);
    split(path, &parent, &name);
    /* Whatever its type: "it is not possible to create a filesystem which
       has a file or directory with a name beginning with .wh." */
    if (strncmp(name, ".wh.", 4) == 0)
        return apply_whiteout(x, parent, name);
    if (e->type == IMAGE_TAR_OTHER)
        return 0; /* sockets are made by the programs that listen on them */
    pfd = get_parent(x, parent, true);
    if (pfd < 0)
        return pfd;
    switch (e->type) {
    case IMAGE_TAR_REG:
        return create_file(x, pfd, parent, name, e);
    case IMAGE_TAR_DIR:
        return create_dir(x, pfd, parent, name, dirpath, e);
    case IMAGE_TAR_SYMLINK:
        return create_symlink(x, pfd, parent, name, e);
    case IMAGE_TAR_HARDLINK:
        return create_hardlink(x, pfd, parent, name, e);
    case IMAGE_TAR_CHR:
    case IMAGE_TAR_BLK:
    case IMAGE_TAR_FIFO:
        return create_node(x, pfd, parent, name, e);
    case IMAGE_TAR_OTHER:
        break;
    }
    return 0;
}

static int
cmp_dirs(const void *a, const void *b)
{
    const struct dir_meta *x = a, *y = b;

    if (x->depth != y->depth)
        return x->depth > y->depth ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The directories' own metadata, deepest first: a parent's mode may shut
 * us out of its children, and setting a child's metadata does not touch
 * the parent's mtime. */
static int
finish_dirs(struct apply *x)
{
    if (x->n_dirs > 1)
        qsort(x->dirs, x->n_dirs, sizeof(*x->dirs), cmp_dirs);
    for (size_t i = 0; i < x->n_dirs; i++) {
        const struct dir_meta *d = &x->dirs[i];
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (d->path[0] == '\0')
            fd = openat(x->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        else
            fd = fd_open_in_root(x->rootfd, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        /* Gone or replaced by a later entry of the layer: not ours to set. */
        if (fd < 0 || fstat(fd, &st) < 0 || st.st_dev != d->dev || st.st_ino != d->ino)
            continue;
        x->entry = d->path[0] != '\0' ? d->path : ".";
        if (!d->only_mode && x->o->chown && fchown(fd, d->uid, d->gid) < 0)
            return fail(x, errno, "chown the directory to uid %u gid %u", (unsigned)d->uid,
                        (unsigned)d->gid);
        if (fchmod(fd, d->mode) < 0)
            return fail(x, errno, "chmod the directory");
        if (!d->only_mode && futimens(fd, d->times) < 0)
            return fail(x, errno, "set the directory's times");
    }
    return 0;
}

static void
apply_done(struct apply *x)
{
    cache_drop(x);
    extract_marks_clear(&x->marks);
    for (size_t i = 0; i < x->n_dirs; i++)
        free(x->dirs[i].path);
    free(x->dirs);
}

int
image_layer_apply_at(int rootfd, struct image_tar *t, const char *layer,
                     const struct image_extract_opts *o, struct image_extract_stats *stats,
                     struct error **err)
{
    _cleanup_(apply_done) struct apply x = {
        .rootfd = rootfd,
        .t = t,
        .layer = layer,
        .o = o,
        .stats = stats,
        .err = err,
        .euid = geteuid(),
        .cache_fd = -1,
    };

    extract_marks_init(&x.marks);
    for (;;) {
        const struct image_tar_entry *e;
        int rc = image_tar_next(t, &e, err);

        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        if (apply_entry(&x, e) < 0)
            return -error_errnum(*err);
    }
    return finish_dirs(&x);
}

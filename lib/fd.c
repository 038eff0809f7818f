/* SPDX-License-Identifier: Apache-2.0 */
/* In-root path resolution (openat2, or a per-component walk where the kernel
 * lacks it) and whole-file helpers.  The contract is in lib/fd.h. */
#include "lib/fd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#ifndef SYS_openat2
#define SYS_openat2 437 /* the same number on every architecture */
#endif

/* The kernel's MAXSYMLINKS: resolving the 41st symlink of one lookup fails
 * with ELOOP, so symlink loops end there too. */
#define MAX_SYMLINKS 40
/* openat2 with RESOLVE_IN_ROOT returns EAGAIN when a rename or mount raced
 * with a ".." step; the walk never opens "..", so it is the last resort. */
#define OPENAT2_RETRIES 16
/* O_CREAT|O_EXCL attempts before giving up on temporary names. */
#define TMP_ATTEMPTS 64

static bool force_fallback;
static int openat2_state; /* 0 not probed yet, 1 usable, -1 unusable */

void
fd_force_fallback(bool force)
{
    __atomic_store_n(&force_fallback, force, __ATOMIC_RELAXED);
}

static void
set_openat2_state(int state)
{
    __atomic_store_n(&openat2_state, state, __ATOMIC_RELAXED);
}

/* Probe once.  A size of 0 is refused with EINVAL by every kernel that has
 * openat2, before it looks at anything else; ENOSYS means an old kernel and
 * EPERM a seccomp profile (older Docker defaults) that blocks syscalls it
 * does not know. */
static bool
kernel_has_openat2(void)
{
    int state = __atomic_load_n(&openat2_state, __ATOMIC_RELAXED);
    const char *env;

    if (state != 0)
        return state > 0;
    env = getenv("BERTH_NO_OPENAT2");
    if (env != NULL && strcmp(env, "1") == 0)
        state = -1;
    else if (syscall(SYS_openat2, AT_FDCWD, "", NULL, (size_t)0) < 0
             && (errno == ENOSYS || errno == EPERM))
        state = -1;
    else
        state = 1;
    set_openat2_state(state);
    return state > 0;
}

bool
fd_has_openat2(void)
{
    return !__atomic_load_n(&force_fallback, __ATOMIC_RELAXED) && kernel_has_openat2();
}

static int
open_in_root_openat2(int rootfd, const char *path, int flags, mode_t mode)
{
    struct open_how how = {
        .flags = (unsigned int)(flags | O_CLOEXEC),
        /* openat2 refuses a mode without O_CREAT/O_TMPFILE, where open(2)
           ignores it. */
        .mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };

    for (int i = 0; i < OPENAT2_RETRIES; i++) {
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

        if (fd >= 0)
            return (int)fd;
        if (errno != EAGAIN && errno != EINTR)
            return -errno;
    }
    return -EAGAIN;
}

/* The fallback walk.  Directories entered so far are kept as a stack of
 * O_PATH fds, so ".." pops back to the directory we came from instead of
 * opening "..": at the root it stays there, and a directory moved out of the
 * root while we stand in it cannot lead us out.  The cost is one fd per
 * level of depth. */
struct walk {
    int rootfd;   /* borrowed */
    int *dirs;    /* owned, below the root, deepest last */
    size_t ndirs; /* current depth */
    size_t alloc;
    char *path; /* what is left to resolve; rewritten when a symlink is spliced in */
    size_t pos; /* next byte of path to look at */
    int nlinks; /* symlinks followed so far */
};

static void
walk_done(struct walk *w)
{
    while (w->ndirs > 0)
        close(w->dirs[--w->ndirs]);
    free(w->dirs);
    free(w->path);
}

static int
walk_cur(const struct walk *w)
{
    return w->ndirs > 0 ? w->dirs[w->ndirs - 1] : w->rootfd;
}

static void
walk_push(struct walk *w, int fd)
{
    w->dirs = xgrow(w->dirs, &w->alloc, w->ndirs, sizeof(*w->dirs));
    w->dirs[w->ndirs++] = fd;
}

/* ".." at the root is the root, as with RESOLVE_IN_ROOT. */
static void
walk_pop(struct walk *w)
{
    if (w->ndirs > 0)
        close(w->dirs[--w->ndirs]);
}

/* A symlink on procfs is a magic link (/proc/PID/fd/N, exe, cwd, root,
 * ns/NAME, map_files/RANGE) when following it jumps straight to an object
 * rather than reading its text: through one, a container's /proc would hand back
 * host files and fds, so RESOLVE_NO_MAGICLINKS refuses them.  Userspace
 * cannot ask whether a link is magic, but their text always gives it away:
 * it is a path from the reader's root ("/usr/bin/sh", "/memfd:x (deleted)")
 * or "type:[inode]" ("pipe:[42]", "net:[4026531840]").  The ordinary procfs
 * symlinks, which openat2 does follow, all hold relative text: self ("PID"),
 * thread-self ("PID/task/TID"), mounts ("self/mounts"), net ("self/net").
 * So on procfs only a relative target without ':' is followed. */
static bool
is_magic_link(int linkfd, const char *target)
{
    struct statfs sfs;

    /* If we cannot tell, assume the worst. */
    if (fstatfs(linkfd, &sfs) < 0)
        return true;
    if (sfs.f_type != PROC_SUPER_MAGIC)
        return false;
    return target[0] == '/' || strchr(target, ':') != NULL;
}

/* LINKFD is an O_PATH|O_NOFOLLOW fd of a symlink in the current directory and
 * REST points into w->path just past its name: resolve the link's text in
 * place of the name, from the root when it is absolute. */
static int
walk_follow(struct walk *w, int linkfd, const char *rest)
{
    char target[PATH_MAX];
    ssize_t n;
    char *path;

    if (++w->nlinks > MAX_SYMLINKS)
        return -ELOOP;
    n = readlinkat(linkfd, "", target, sizeof(target));
    if (n < 0)
        return -errno;
    if ((size_t)n >= sizeof(target))
        return -ENAMETOOLONG;
    if (n == 0) /* the kernel resolves an empty symlink to ENOENT */
        return -ENOENT;
    target[n] = '\0';
    if (is_magic_link(linkfd, target))
        return -ELOOP; /* what openat2 says for RESOLVE_NO_MAGICLINKS */
    if (target[0] == '/')
        while (w->ndirs > 0)
            walk_pop(w);
    /* REST keeps its leading slashes, so "link/" still ends in a slash and
       still demands a directory once the link is replaced by its text. */
    path = xasprintf("%s%s", target, rest);
    free(w->path);
    w->path = path;
    w->pos = 0;
    return 0;
}

/* Step into COMP, a component that is not the last one: follow it if it is
 * a symlink, else it must be a directory. */
static int
walk_step(struct walk *w, const char *comp, const char *rest)
{
    _cleanup_close_ int fd = openat(walk_cur(w), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (S_ISLNK(st.st_mode))
        return walk_follow(w, fd, rest);
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    w->pos = (size_t)(rest - w->path);
    walk_push(w, TAKE_FD(fd));
    return 0;
}

/* Open COMP, the last component, with the caller's flags.  Returns 0 with
 * *RET_FD set, 1 when COMP was a symlink now spliced into w->path, or
 * -errno.  Like open(2), a trailing symlink is followed unless O_NOFOLLOW is
 * given, or O_CREAT|O_EXCL (which fails with EEXIST on any existing name). */
static int
walk_last(struct walk *w, const char *comp, const char *rest, int flags, mode_t mode, int *ret_fd)
{
    bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
    struct stat st;
    int rc;

    if (follow) {
        _cleanup_close_ int probe = openat(walk_cur(w), comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);

        /* A failed probe (ENOENT before O_CREAT, EACCES...) is left to the
           real open below, which reports or fixes it. */
        if (probe >= 0 && fstat(probe, &st) == 0 && S_ISLNK(st.st_mode)) {
            rc = walk_follow(w, probe, rest);
            return rc < 0 ? rc : 1;
        }
    }

    /* Always O_NOFOLLOW: if a symlink replaced COMP after the probe, the
       kernel would follow it from the host's root.  Losing that race gives
       ELOOP (or ENOTDIR with O_DIRECTORY) instead of an escape. */
    _cleanup_close_ int fd = openat(walk_cur(w), comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);

    if (fd < 0)
        return -errno;
    /* O_PATH|O_NOFOLLOW opens a symlink itself rather than failing: same
       race, but here it can be followed properly. */
    if (follow && (flags & O_PATH)) {
        if (fstat(fd, &st) < 0)
            return -errno;
        if (S_ISLNK(st.st_mode)) {
            rc = walk_follow(w, fd, rest);
            return rc < 0 ? rc : 1;
        }
    }
    *ret_fd = TAKE_FD(fd);
    return 0;
}

static bool
is_name(const char *comp, const char *name)
{
    return strcmp(comp, name) == 0;
}

static int
open_in_root_walk(int rootfd, const char *path, int flags, mode_t mode)
{
    _cleanup_(walk_done) struct walk w = {.rootfd = rootfd, .path = xstrdup(path)};
    char comp[NAME_MAX + 1];

    if (*path == '\0')
        return -ENOENT;
    for (;;) {
        const char *p = w.path + w.pos + strspn(w.path + w.pos, "/");
        size_t len = strcspn(p, "/");
        const char *rest = p + len;
        size_t slashes = strspn(rest, "/");
        bool last = rest[slashes] == '\0';
        int rc, fd = -1;

        /* The path ended on a directory: "/", ".", ".." or "dir/".  Reopen
           it with the caller's flags; "." makes the kernel answer O_CREAT
           with EISDIR (EEXIST with O_EXCL) and O_WRONLY with EISDIR, as it
           does for the same path through openat2. */
        if (len == 0) {
            fd = openat(walk_cur(&w), ".", flags | O_CLOEXEC, mode);
            return fd < 0 ? -errno : fd;
        }
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        memcpy(comp, p, len);
        comp[len] = '\0';

        if (is_name(comp, ".")) {
            w.pos = (size_t)(rest - w.path);
        } else if (is_name(comp, "..")) {
            walk_pop(&w);
            w.pos = (size_t)(rest - w.path);
        } else if (last && slashes == 0) {
            rc = walk_last(&w, comp, rest, flags, mode, &fd);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return fd;
        } else {
            /* "name/" cannot be created, even when missing: the kernel
               checks this before looking the name up. */
            if (last && (flags & O_CREAT))
                return -EISDIR;
            rc = walk_step(&w, comp, rest);
            if (rc < 0)
                return rc;
        }
    }
}

int
fd_open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
    mode &= 07777; /* openat2 refuses other bits, openat drops them */
    if (strnlen(path, PATH_MAX) >= PATH_MAX)
        return -ENAMETOOLONG;
    if (fd_has_openat2()) {
        int fd = open_in_root_openat2(rootfd, path, flags, mode);

        if (fd != -ENOSYS && fd != -EAGAIN)
            return fd;
        /* ENOSYS after a good probe: a seccomp filter installed since. */
        if (fd == -ENOSYS)
            set_openat2_state(-1);
    }
    return open_in_root_walk(rootfd, path, flags, mode);
}

int
fd_mkdir_p_in_root(int rootfd, const char *path, mode_t mode)
{
    _cleanup_close_ int cur = fd_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
    size_t pos = 0;

    if (cur < 0)
        return cur;
    if (*path == '\0')
        return -ENOENT;
    for (;;) {
        size_t len;

        pos += strspn(path + pos, "/");
        len = strcspn(path + pos, "/");
        if (len == 0)
            return TAKE_FD(cur);

        _cleanup_close_ int parent = TAKE_FD(cur);
        _cleanup_free_ char *name = xstrndup(path + pos, len);
        _cleanup_free_ char *prefix = xstrndup(path, pos + len);

        /* EEXIST also covers a symlink or a file in the way: the open below
           follows the first inside the root and fails on the second with
           ENOTDIR (and on a dangling symlink with ENOENT). */
        if (!is_name(name, ".") && !is_name(name, "..") && mkdirat(parent, name, mode) < 0
            && errno != EEXIST)
            return -errno;
        /* Reopen the whole prefix from the root rather than NAME from
           PARENT: NAME may be a symlink, planted beforehand or swapped in
           since the mkdirat, and it has to resolve inside the root. */
        cur = fd_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
        if (cur < 0)
            return cur;
        pos += len;
    }
}

int
fd_read_all(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
    /* Room for max + 1 bytes, to see that there are too many, and a NUL. */
    size_t cap = max > SIZE_MAX - 2 ? SIZE_MAX : max + 2;
    size_t alloc = cap < 4096 ? cap : 4096;
    size_t len = 0;
    _cleanup_free_ char *buf = xmalloc(alloc);

    for (;;) {
        ssize_t n;

        if (len + 1 == alloc) {
            alloc = alloc > cap / 2 ? cap : alloc * 2;
            buf = xrealloc(buf, alloc);
        }
        n = read(fd, buf + len, alloc - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max)
            return -EFBIG;
    }
    buf[len] = '\0';
    if (ret_len != NULL)
        *ret_len = len;
    *ret_buf = TAKE_PTR(buf);
    return 0;
}

int
fd_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
    _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    return fd_read_all(fd, max, ret_buf, ret_len);
}

int
fd_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0) /* not supposed to happen for len > 0; do not spin */
            return -EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint32_t
random_u32(void)
{
    static uint32_t counter;
    uint32_t r;
    struct timespec ts;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
        return r;
    /* Early boot, or a seccomp filter: uniqueness is all O_EXCL needs. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16)
           ^ __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

/* Create ".NAME.XXXXXXXX.tmp" next to NAME (keeping NAME's directory part)
 * with O_EXCL, so an existing file or symlink is never reused.  The base
 * name is cut short so that the temporary name stays within NAME_MAX. */
static int
open_tmp_at(int dirfd, const char *name, const char *base, char **ret_tmp)
{
    for (int i = 0;; i++) {
        _cleanup_free_ char *tmp =
            xasprintf("%.*s.%.200s.%08x.tmp", (int)(base - name), name, base, random_u32());
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (fd >= 0) {
            *ret_tmp = TAKE_PTR(tmp);
            return fd;
        }
        if (errno != EEXIST || i + 1 >= TMP_ATTEMPTS)
            return -errno;
    }
}

/* Fill the temporary file, give it MODE exactly (not MODE & ~umask: state
 * files must not depend on the caller's umask) and make it durable before
 * it gets its real name, so a crash never leaves NAME empty. */
static int
fill_tmp(int fd, const void *buf, size_t len, mode_t mode, bool durable)
{
    int rc = fd_write_all(fd, buf, len);

    if (rc < 0)
        return rc;
    if (fchmod(fd, mode & 07777) < 0 || (durable && fsync(fd) < 0))
        return -errno;
    return 0;
}

/* Make the rename durable.  EINVAL means a filesystem that cannot sync
 * directories (some FUSE ones): nothing more can be done there. */
static int
fsync_dir_of_at(int dirfd, const char *name, const char *base)
{
    _cleanup_free_ char *dir = base > name ? xstrndup(name, (size_t)(base - name)) : xstrdup(".");
    _cleanup_close_ int fd = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0 && errno != EINVAL)
        return -errno;
    return 0;
}

int
fd_write_file_atomic_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
    return fd_replace_file_at(dirfd, name, buf, len, mode, true);
}

int
fd_replace_file_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
                   bool durable)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash != NULL ? slash + 1 : name;
    _cleanup_free_ char *tmp = NULL;
    int fd, rc;

    if (*base == '\0' || is_name(base, ".") || is_name(base, ".."))
        return -EINVAL;
    fd = open_tmp_at(dirfd, name, base, &tmp);
    if (fd < 0)
        return fd;
    rc = fill_tmp(fd, buf, len, mode, durable);
    /* close() can report a failed writeback (NFS) that fsync missed. */
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
        rc = -errno;
    if (rc < 0) {
        unlinkat(dirfd, tmp, 0);
        return rc;
    }
    return durable ? fsync_dir_of_at(dirfd, name, base) : 0;
}

ssize_t
fd_send_fd(int sock, const void *data, size_t len, int fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;

    if (fd >= 0) {
        struct cmsghdr *cm;

        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    }
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

ssize_t
fd_recv_fd(int sock, void *buf, size_t size, int flags, int *ret_fd)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * 8)];
    } u;
    struct iovec iov = {.iov_base = buf, .iov_len = size};
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = u.buf,
        .msg_controllen = sizeof(u.buf),
    };
    ssize_t n;

    *ret_fd = -1;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
        size_t nfds;

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++) {
            int got;

            memcpy(&got, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            /* Keep the first; an extra fd is nothing the caller asked for. */
            if (*ret_fd < 0)
                *ret_fd = got;
            else
                close(got);
        }
    }
    if (mh.msg_flags & MSG_CTRUNC) {
        if (*ret_fd >= 0)
            close(*ret_fd);
        *ret_fd = -1;
        return -EBADMSG;
    }
    return n;
}

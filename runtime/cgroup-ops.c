/* SPDX-License-Identifier: Apache-2.0 */
/* Operations on a live cgroup: freeze and thaw (cgroup.freeze), kill
 * (cgroup.kill), the processes (cgroup.procs), and cgroup.events. */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

#define FREEZE_TIMEOUT_MS 10000

uint64_t
cgroup_read_key(int dirfd, const char *file, const char *key, bool *ret_found)
{
    _cleanup_free_ char *buf = NULL;
    size_t klen = strlen(key);

    if (ret_found)
        *ret_found = false;
    if (fd_read_file_at(dirfd, file, 1u << 20, &buf, NULL) < 0)
        return 0;
    for (const char *line = buf; *line;) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
            if (ret_found)
                *ret_found = true;
            return strtoull(line + klen + 1, NULL, 10);
        }
        line += strcspn(line, "\n");
        line += *line == '\n';
    }
    return 0;
}

static uint64_t
events_key(const char *path, const char *key, bool *found)
{
    _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        *found = false;
        return 0;
    }
    return cgroup_read_key(fd, "cgroup.events", key, found);
}

bool
cgroup_is_frozen(const char *path)
{
    bool found;

    return path != NULL && events_key(path, "frozen", &found) == 1 && found;
}

bool
cgroup_is_populated(const char *path)
{
    bool found;

    return path != NULL && events_key(path, "populated", &found) == 1 && found;
}

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* cgroup.events changes are notified to poll(2) as POLLPRI (kernfs). */
static int
wait_frozen(int dirfd, const char *path, bool want, struct error **err)
{
    _cleanup_close_ int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    long deadline = now_ms() + FREEZE_TIMEOUT_MS;

    if (fd < 0)
        return error_set(err, errno, "open '%s/cgroup.events'", path);
    for (;;) {
        char buf[256];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        struct pollfd pfd = {.fd = fd, .events = POLLPRI};
        const char *f;
        long left;

        if (n < 0)
            return error_set(err, errno, "read '%s/cgroup.events'", path);
        buf[n] = '\0';
        f = strstr(buf, "frozen ");
        if (f != NULL && (f == buf || f[-1] == '\n') && (f[7] == '1') == want)
            return 0;
        left = deadline - now_ms();
        if (left <= 0)
            return error_setx(err, ETIMEDOUT, "the cgroup '%s' was not %s after %d s", path,
                              want ? "frozen" : "thawed", FREEZE_TIMEOUT_MS / 1000);
        /* Also wake up now and then: a notification between the read
         * and the poll would otherwise be waited for in vain. */
        if (poll(&pfd, 1, left < 100 ? (int)left : 100) < 0 && errno != EINTR)
            return error_set(err, errno, "poll '%s/cgroup.events'", path);
    }
}

int
cgroup_freeze(const char *path, bool freeze, struct error **err)
{
    _cleanup_close_ int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int fd = -1;
    int rc;

    if (dfd < 0)
        return error_set(err, errno, "cgroup '%s'", path);
    fd = openat(dfd, "cgroup.freeze", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno,
                         errno == ENOENT ? "'%s/cgroup.freeze' (the cgroup v2 freezer needs "
                                           "Linux 5.2)"
                                         : "open '%s/cgroup.freeze'",
                         path);
    rc = fd_write_all(fd, freeze ? "1" : "0", 1);
    if (rc < 0)
        return error_set(err, -rc, "write '%s/cgroup.freeze'", path);
    return wait_frozen(dfd, path, freeze, err);
}

static int
add_procs_at(int pfd, pid_t **ret, size_t *n, size_t *alloc, int depth)
{
    _cleanup_free_ char *buf = NULL;
    DIR *d;
    struct dirent *de;
    int rc;

    if (depth > 64)
        return -ELOOP;
    rc = fd_read_file_at(pfd, "cgroup.procs", 1u << 24, &buf, NULL);
    if (rc < 0)
        return rc;
    for (char *line = buf; *line;) {
        long pid = strtol(line, NULL, 10);

        /* 0: a process outside our pid namespace. */
        if (pid > 0) {
            *ret = xgrow(*ret, alloc, *n, sizeof(**ret));
            (*ret)[(*n)++] = (pid_t)pid;
        }
        line += strcspn(line, "\n");
        line += *line == '\n';
    }
    d = fdopendir(openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d == NULL)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        int sub;

        if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        sub = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            continue;
        rc = add_procs_at(sub, ret, n, alloc, depth + 1);
        close(sub);
        if (rc < 0 && rc != -ENOENT) {
            closedir(d);
            return rc;
        }
    }
    closedir(d);
    return 0;
}

int
cgroup_procs(const char *path, pid_t **ret, size_t *ret_n, struct error **err)
{
    _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    pid_t *out = NULL;
    size_t n = 0, alloc = 0;
    int rc;

    *ret = NULL;
    *ret_n = 0;
    if (fd < 0)
        return errno == ENOENT ? 0 : error_set(err, errno, "cgroup '%s'", path);
    rc = add_procs_at(fd, &out, &n, &alloc, 0);
    if (rc < 0 && rc != -ENOENT) {
        free(out);
        return error_set(err, -rc, "read '%s/cgroup.procs'", path);
    }
    *ret = out;
    *ret_n = n;
    return 0;
}

int
cgroup_signal_all(const char *path, int sig, struct error **err)
{
    _cleanup_close_ int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_free_ pid_t *pids = NULL;
    bool was_frozen, froze = false;
    size_t n;
    int rc;

    if (dfd < 0)
        return errno == ENOENT ? 0 : error_set(err, errno, "cgroup '%s'", path);
    /* Linux 5.14: the kernel kills the whole subtree, and nothing forked
     * meanwhile escapes. */
    if (sig == SIGKILL) {
        _cleanup_close_ int kfd = openat(dfd, "cgroup.kill", O_WRONLY | O_CLOEXEC);

        if (kfd >= 0) {
            rc = fd_write_all(kfd, "1", 1);
            if (rc < 0)
                return error_set(err, -rc, "write '%s/cgroup.kill'", path);
            return 0;
        }
        if (errno != ENOENT)
            return error_set(err, errno, "open '%s/cgroup.kill'", path);
    }
    /* Frozen, the processes cannot fork new ones past the list, nor exit
     * and have their pid reused before the signal. */
    was_frozen = cgroup_is_frozen(path);
    if (!was_frozen) {
        struct error *ignored = NULL;

        froze = cgroup_freeze(path, true, &ignored) == 0;
        error_free(&ignored);
    }
    rc = cgroup_procs(path, &pids, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        kill(pids[i], sig);
    if (froze) {
        struct error *ignored = NULL;
        int thaw = cgroup_freeze(path, false, rc == 0 ? err : &ignored);

        error_free(&ignored);
        if (rc == 0)
            rc = thaw;
    }
    return rc;
}

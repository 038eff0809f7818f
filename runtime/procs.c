/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/procs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/state.h"

static bool
init_alive(const struct spec_state *st)
{
    unsigned long long t;

    if (!st->has_pid || st->pid <= 0)
        return false;
    t = state_proc_start_time((pid_t)st->pid);
    if (t == 0)
        return false;
    return !(st->priv && st->priv->has_init_start_time && st->priv->init_start_time != t);
}

/* A pidfd for init, taken only after checking it is still our init: the
 * pidfd then pins the process, so no signal can hit a reused pid. */
static int
init_pidfd(const struct spec_state *st)
{
    int fd;

    if (!init_alive(st)) {
        errno = ESRCH;
        return -1;
    }
    fd = (int)syscall(SYS_pidfd_open, (pid_t)st->pid, 0);
    if (fd < 0)
        return -1;
    if (!init_alive(st)) {
        close(fd);
        errno = ESRCH;
        return -1;
    }
    return fd;
}

int
procs_signal_init(const struct spec_state *st, int sig)
{
    _cleanup_close_ int fd = init_pidfd(st);

    if (fd < 0)
        return -1;
    return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

static bool
read_ppid(pid_t pid, pid_t *ret)
{
    char path[64], buf[512];
    _cleanup_close_ int fd = -1;
    ssize_t n;
    char *p;
    int ppid;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    p = strrchr(buf, ')');
    if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
        return false;
    *ret = ppid;
    return true;
}

static bool
same_pidns(pid_t pid, const struct stat *ns)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
    return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

static const char *
cgroup_of(const struct spec_state *st)
{
    return st->priv != NULL ? st->priv->cgroup_path : NULL;
}

/* The processes of the container's cgroup, init first. */
static int
cgroup_list(const struct spec_state *st, pid_t **ret, size_t *ret_n, struct error **err)
{
    int rc = cgroup_procs(cgroup_of(st), ret, ret_n, err);

    if (rc < 0)
        return rc;
    for (size_t i = 1; i < *ret_n; i++)
        if ((*ret)[i] == st->pid) {
            (*ret)[i] = (*ret)[0];
            (*ret)[0] = (pid_t)st->pid;
        }
    return 0;
}

int
procs_list(const struct spec_state *st, pid_t **ret, size_t *ret_n, struct error **err)
{
    pid_t *all = NULL, *parent = NULL, *out = NULL;
    size_t n_all = 0, alloc_all = 0, alloc_parent = 0, n_out = 0, alloc_out = 0;
    bool pidns = st->priv && st->priv->pidns;
    struct stat ns;
    struct dirent *de;
    DIR *d;

    *ret = NULL;
    *ret_n = 0;
    if (cgroup_of(st) != NULL)
        return cgroup_list(st, ret, ret_n, err);
    if (!init_alive(st))
        return 0;
    if (pidns) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)st->pid);
        if (stat(path, &ns) < 0)
            return error_set(err, errno, "'%s'", path);
    }
    d = opendir("/proc");
    if (d == NULL)
        return error_set(err, errno, "read /proc");
    while ((de = readdir(d)) != NULL) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        pid_t pp;

        if (*end != '\0' || pid <= 0 || !read_ppid((pid_t)pid, &pp))
            continue;
        all = xgrow(all, &alloc_all, n_all, sizeof(*all));
        parent = xgrow(parent, &alloc_parent, n_all, sizeof(*parent));
        all[n_all] = (pid_t)pid;
        parent[n_all++] = pp;
    }
    closedir(d);

    out = xgrow(out, &alloc_out, n_out, sizeof(*out));
    out[n_out++] = (pid_t)st->pid;
    if (pidns) {
        for (size_t i = 0; i < n_all; i++)
            if (all[i] != st->pid && same_pidns(all[i], &ns)) {
                out = xgrow(out, &alloc_out, n_out, sizeof(*out));
                out[n_out++] = all[i];
            }
    } else {
        /* Breadth-first over the parent links from init. */
        for (size_t k = 0; k < n_out; k++)
            for (size_t i = 0; i < n_all; i++)
                if (parent[i] == out[k] && all[i] != out[k]) {
                    out = xgrow(out, &alloc_out, n_out, sizeof(*out));
                    out[n_out++] = all[i];
                }
    }
    free(all);
    free(parent);
    *ret = out;
    *ret_n = n_out;
    return 0;
}

int
procs_signal_all(const struct spec_state *st, int sig, struct error **err)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n;
    int rc;

    /* The cgroup holds all of them, wherever they forked to. */
    if (cgroup_of(st) != NULL)
        return cgroup_signal_all(cgroup_of(st), sig, err);
    /* In its own pid namespace, SIGKILL to init takes every process with
     * it (pid_namespaces(7)). */
    if (sig == SIGKILL && st->priv && st->priv->pidns)
        return procs_signal_init(st, sig) < 0 && errno != ESRCH
                   ? error_set(err, errno, "signal init")
                   : 0;
    rc = procs_list(st, &pids, &n, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (i == 0)
            procs_signal_init(st, sig);
        else
            kill(pids[i], sig);
    }
    return 0;
}

int
procs_kill_and_wait(const struct spec_state *st, struct error **err)
{
    _cleanup_close_ int fd = init_pidfd(st);
    struct pollfd pfd;
    int rc;

    if (fd < 0)
        return errno == ESRCH ? 0 : error_set(err, errno, "pidfd_open %d", (int)st->pid);
    rc = procs_signal_all(st, SIGKILL, err);
    if (rc < 0)
        return rc;
    /* A pidfd becomes readable when the process exits, whoever reaps it. */
    pfd.fd = fd;
    pfd.events = POLLIN;
    do
        rc = poll(&pfd, 1, 10000);
    while (rc < 0 && errno == EINTR);
    if (rc == 0)
        return error_setx(err, ETIMEDOUT, "init (pid %d) did not die within 10 s of SIGKILL",
                          (int)st->pid);
    return 0;
}

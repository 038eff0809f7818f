/* SPDX-License-Identifier: Apache-2.0 */
/* The container's init, from clone3 to execve.  Every failure is sent to
 * the parent (or, after start, to the `start` caller) as {errno, message};
 * nothing here prints. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/idmap.h"
#include "runtime/process.h"
#include "runtime/rootfs.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

static void __attribute__((noreturn)) fail(int fd, struct error **err)
{
    sync_send_error(fd, *err);
    error_free(err);
    _exit(127);
}

static int
set_names(const struct spec *s, struct error **err)
{
    if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
        return error_set(err, errno, "hostname '%s'", s->hostname);
    if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
        return error_set(err, errno, "domainname '%s'", s->domainname);
    return 0;
}

/* linux.sysctl through the container's own /proc/sys, resolved in the new
 * root so that a symlink in the image cannot redirect the write.  Before
 * rootfs_finish: linux.readonlyPaths has /proc/sys by default (EROFS after),
 * and runc too writes them before it makes the readonly paths. */
static int
set_sysctls(int root, const struct spec *s, struct error **err)
{
    const struct strmap *m = s->linux_ ? &s->linux_->sysctl : NULL;

    if (m == NULL || m->n == 0)
        return 0;
    for (size_t i = 0; i < m->n; i++) {
        _cleanup_free_ char *path = xasprintf("/proc/sys/%s", m->items[i].key);
        _cleanup_close_ int fd = -1;
        struct statfs sfs;
        int rc;

        for (char *c = path + strlen("/proc/sys/"); *c; c++)
            if (*c == '.')
                *c = '/';
        fd = fd_open_in_root(root, path, O_WRONLY | O_NOFOLLOW, 0);
        if (fd < 0)
            return error_set(err, -fd, "linux.sysctl[\"%s\"]", m->items[i].key);
        /* CVE-2025-52881: a mount over /proc (or a part of it) could turn
         * the write into one on another file; only a real procfs file is
         * written. */
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
            return error_setx(err, EPERM,
                              "linux.sysctl[\"%s\"]: '%s' in the container is not on procfs",
                              m->items[i].key, path);
        rc = fd_write_all(fd, m->items[i].value, strlen(m->items[i].value));
        if (rc < 0)
            return error_set(err, -rc, "linux.sysctl[\"%s\"] = \"%s\"", m->items[i].key,
                             m->items[i].value);
    }
    return 0;
}

/* In a new user namespace, wait for the parent to write our id maps, then
 * become its root (the ids we arrived with may not be mapped at all). */
static int
enter_userns(struct container *c, struct error **err)
{
    struct sync_msg msg;
    int rc;

    rc = sync_send(c->sync_fd, SYNC_USERNS, 0);
    if (rc < 0)
        return error_set(err, -rc, "sync");
    rc = sync_expect(c->sync_fd, SYNC_MAPS_DONE, &msg, err);
    if (rc < 0)
        return rc;
    if (setresgid(0, 0, 0) < 0)
        return error_set(err, errno, "setresgid 0 in the user namespace (is gid 0 mapped?)");
    if (setresuid(0, 0, 0) < 0)
        return error_set(err, errno, "setresuid 0 in the user namespace (is uid 0 mapped?)");
    return 0;
}

/* Joined namespaces need setns before the new ones are made, and a new or
 * joined pid namespace only applies to children: fork once more, report the
 * grandchild as init and leave. */
static int
slow_path_namespaces(struct container *c, struct error **err)
{
    unsigned long rest = c->ns.new_flags & ~(unsigned long)CLONE_NEWUSER;
    int rc;

    rc = ns_join_paths(c->spec, err);
    if (rc < 0)
        return rc;
    if (c->ns.new_user) {
        if (unshare(CLONE_NEWUSER) < 0)
            return error_set(err, errno, "unshare user namespace");
        rc = enter_userns(c, err);
        if (rc < 0)
            return rc;
    }
    if (rest && unshare((int)rest) < 0)
        return error_set(err, errno, "unshare namespaces");
    if (c->ns.new_pid || c->ns.join_pid) {
        pid_t pid = fork();

        if (pid < 0)
            return error_set(err, errno, "fork into the pid namespace");
        if (pid > 0) {
            rc = sync_send(c->sync_fd, SYNC_INIT_PID, pid);
            _exit(rc < 0 ? 1 : 0);
        }
    }
    return 0;
}

/* Look process.args[0] up before `create` returns, as runc does: engines
 * tell a missing program from other failures by create's error (podman:
 * "no such file or directory" or "executable file not found" make exit
 * status 127), and a start that cannot exec would leave them guessing.
 * Looked up as init, in the container's root, before the process's own
 * user and capabilities: a program that user may not run still fails at
 * start, with that reason. */
static int
check_executable(const struct spec_process *p, struct error **err)
{
    const char *argv0 = p->args.n > 0 ? p->args.items[0] : NULL;
    _cleanup_free_ char *path = NULL;
    struct stat st;

    if (argv0 == NULL || strchr(argv0, '/') == NULL) {
        path = process_find_executable(argv0, &p->env, err);
        return path == NULL ? -error_errnum(*err) : 0;
    }
    /* Relative to process.cwd, where the process will start. */
    if (argv0[0] != '/' && p->cwd != NULL)
        path = xasprintf("%s/%s", p->cwd, argv0);
    /* The reasons in lower case, as Go writes them: engines match runc's
     * words (the docker CLI makes "no such file or directory" status 127
     * and "permission denied" 126, case-sensitively). */
    if (stat(path ? path : argv0, &st) < 0) {
        int e = errno;

        return error_setx(err, e, "process.args[0]: exec '%s': %s", argv0,
                          e == ENOENT    ? "no such file or directory"
                          : e == ENOTDIR ? "not a directory"
                          : e == EACCES  ? "permission denied"
                          : e == ELOOP   ? "too many levels of symbolic links"
                                         : strerror(e));
    }
    /* execve(2) says EACCES for a directory, and runc passes that on. */
    if (S_ISDIR(st.st_mode))
        return error_setx(err, EACCES,
                          "process.args[0]: exec '%s': permission denied (a directory)", argv0);
    /* No execute bit for anyone: nobody can run it (runc: "permission
     * denied" at create). */
    if (S_ISREG(st.st_mode) && (st.st_mode & 0111) == 0)
        return error_setx(err, EACCES, "process.args[0]: exec '%s': permission denied (mode %04o)",
                          argv0, (unsigned)(st.st_mode & 07777));
    return 0;
}

static void __attribute__((noreturn)) wait_and_exec(struct container *c)
{
    struct process_opts po = {
        .preserve_fds = c->opts->preserve_fds,
        .no_new_keyring = c->opts->no_new_keyring,
        .pid1 = getpid() == 1,
        /* By `create`, from outside (create.c). */
        .oom_score_adj_done = true,
        .seccomp = c->seccomp,
    };
    struct error *err = NULL;
    int conn;

    /* Block until `start` connects; the socket outlives `create`. */
    do
        conn = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    while (conn < 0 && errno == EINTR);
    if (conn < 0)
        _exit(127);
    po.start_fd = conn;
    close(c->listen_fd);
    if (hooks_init_start(c, &err) == 0)
        process_exec(c->spec, &po, &err);
    /* Only reached on failure: tell `start` why. */
    sync_send_error(conn, err);
    _exit(127);
}

void
init_main(struct container *c)
{
    struct rootfs_opts ro = {
        .rootfs_path = c->rootfs_path,
        .no_pivot = c->opts->no_pivot,
        .mknod_ok = !c->ns.new_user && !c->rootless,
        .env =
            {
                .in_userns = c->ns.new_user,
                .new_net = c->ns.new_net,
                .new_ipc = c->ns.new_ipc,
                .new_cgroup = c->ns.new_cgroup,
                .bundle_fd = c->bundle_fd,
            },
    };
    struct error *err = NULL;
    _cleanup_close_ int rootfd = -1;
    int *idmap_fds = NULL;
    int devnull, rc;

    /* Die with the parent while setting up: a killed `create` must not
     * leave a half-made container behind. */
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* Our copy of the state directory fd shares its flock(2) lock, which
     * would otherwise be held for as long as init lives. */
    close(c->state_dirfd);
    if (process_initial_affinity(c->spec->process, &err) < 0)
        fail(c->sync_fd, &err);
    if (c->ns.has_paths)
        rc = slow_path_namespaces(c, &err);
    else
        rc = c->ns.new_user ? enter_userns(c, &err) : 0;
    if (rc < 0)
        fail(c->sync_fd, &err);
    if (c->ns.new_time && ns_setup_time(c->spec, &err) < 0)
        fail(c->sync_fd, &err);
    if (set_names(c->spec, &err) < 0)
        fail(c->sync_fd, &err);
    /* Relative bind sources are relative to the bundle, as with runc.  By
     * path, not fchdir(bundle_fd): that fd is a mount of the parent's
     * namespace, and open_tree(2) clones only mounts of our own (EINVAL). */
    if (chdir(c->bundle_path) < 0) {
        error_set(&err, errno, "chdir to the bundle");
        fail(c->sync_fd, &err);
    }
    /* The host's /dev/null, opened in our own mount namespace (open_tree
     * clones only mounts of the caller's namespace) before the switch. */
    devnull = rootfs_open_devnull(&err);
    if (devnull < 0)
        fail(c->sync_fd, &err);
    /* Idmapped mounts are made by the parent, in the host's user namespace. */
    if (idmap_receive_mounts(c->sync_fd, c->spec, &idmap_fds, &err) < 0)
        fail(c->sync_fd, &err);
    ro.env.idmap_fds = idmap_fds;
    rootfd = rootfs_prepare(c->spec, &ro, &err);
    if (rootfd < 0)
        fail(c->sync_fd, &err);
    idmap_close_mounts(idmap_fds, c->spec->n_mounts);
    ro.env.idmap_fds = NULL;
    if (set_sysctls(rootfd, c->spec, &err) < 0)
        fail(c->sync_fd, &err);
    if (rootfs_finish(rootfd, c->spec, devnull, &err) < 0 || hooks_init_create(c, &err) < 0
        || rootfs_pivot(rootfd, &ro, &err) < 0 || rootfs_set_propagation(c->spec, &err) < 0)
        fail(c->sync_fd, &err);
    /* The terminal during create, as runc: the console socket gets the
     * master before `create` returns, so that an engine can attach before
     * `start`; and after the switch, so that the pty comes from the
     * container's own devpts. */
    if (terminal_setup_init(c, &err) < 0)
        fail(c->sync_fd, &err);
    if (check_executable(c->spec->process, &err) < 0)
        fail(c->sync_fd, &err);
    close(devnull);
    close(c->bundle_fd);
    /* From here on init outlives `create`; the parent's death is normal.
     * Before READY: the parent may exit as soon as it has it, and a death
     * signal still armed would kill init then (a rare "stopped" container
     * right after create).  Should the parent die first, the send fails. */
    prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    if (sync_send(c->sync_fd, SYNC_READY, 0) < 0)
        _exit(127);
    close(c->sync_fd);
    wait_and_exec(c);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* `exec` (runc-exec(8)): a new process in a live container.
 *
 *   berth exec           stays in the host's namespaces throughout
 *     | fork
 *     A                  joins the container's namespaces: setns(2) on
 *     |                  init's pidfd with every flag at once (the kernel
 *     |                  orders them, the user namespace first), or
 *     |                  the /proc/PID/ns files one by one before 5.8; then
 *     | clone3(CLONE_PARENT | CLONE_INTO_CGROUP)
 *     B                  berth's own child, born in the container's pid
 *                        namespace and cgroup: joins the cgroup namespace,
 *                        takes the terminal, then process_exec() (rlimits,
 *                        capabilities, user, no_new_privs, LSM labels,
 *                        seccomp last) and execve.
 *
 * A reports B's pid on its sync socket and exits.  B's sync socket is
 * close-on-exec: EOF says it exec'd, anything else is {errno, message},
 * as from init.  Being B's parent, berth can wait for it and forward
 * signals without ever entering the container itself.  Both A and B run
 * this binary inside the container's namespaces: see runtime/exeguard.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/exec.h"
#include "runtime/exeguard.h"
#include "runtime/filter.h"
#include "runtime/hooks.h"
#include "runtime/lsm.h"
#include "runtime/process-caps.h"
#include "runtime/process.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

DEFINE_CLEANUP_FUNC(struct spec_state *, spec_state_free)
DEFINE_CLEANUP_FUNC(struct sfilter *, sfilter_free)

/* A's SYNC_INIT_PID value: B's pid, with this bit when B could not be
 * placed in the container's cgroup (rootless, not delegated to us). */
#define EXEC_PID_NO_CGROUP (1LL << 32)

static const struct {
    const char *name; /* in /proc/PID/ns/ */
    unsigned long flag;
} ns_types[] = {
    {"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},        {"pid", CLONE_NEWPID},
    {"net", CLONE_NEWNET},   {"uts", CLONE_NEWUTS},       {"ipc", CLONE_NEWIPC},
    {"time", CLONE_NEWTIME}, {"cgroup", CLONE_NEWCGROUP},
};

struct exec_run {
    struct spec *cfg; /* the configuration with the exec'd process */
    const struct runtime_exec_opts *o;
    pid_t init;
    int pidfd;            /* init's */
    unsigned long join;   /* CLONE_NEW* A joins (never the cgroup namespace) */
    int cgroupns_fd;      /* the cgroup namespace B joins, or -1 */
    int cgroup_fd;        /* B's cgroup (CLONE_INTO_CGROUP), or -1 */
    bool cgroup_optional; /* rootless without --cgroup: without it rather than fail */
    bool privileged;      /* root: the user namespace is joined last */
    const struct sfilter *filter;
    int state_dirfd; /* held (locked) by the parent; A and B close it */
    int sync_a[2], sync_b[2];
    struct runtime_create_opts topts; /* for terminal_open */
    struct container tc;
};

static void __attribute__((noreturn)) fail(int fd, struct error **err)
{
    sync_send_error(fd, *err);
    error_free(err);
    _exit(127);
}

/* ---- the parent: what to join ---- */

/* init's pidfd, taken only once init's start time says the pid is still
 * the container's (state.h), and checked again after: the pidfd then pins
 * that process, so nothing below can reach a process that reused the pid. */
static int
open_init(const struct spec_state *st, struct error **err)
{
    unsigned long long want =
        st->priv && st->priv->has_init_start_time ? st->priv->init_start_time : 0;
    pid_t pid = (pid_t)st->pid;
    _cleanup_close_ int fd = -1;
    unsigned long long t;

    if (!st->has_pid || pid <= 0)
        return error_setx(err, ESRCH, "container is not running");
    t = state_proc_start_time(pid);
    if (t == 0 || (want && t != want))
        return error_setx(err, ESRCH, "container is not running");
    fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return error_set(err, errno, "pidfd_open of init (pid %d)", (int)pid);
    t = state_proc_start_time(pid);
    if (t == 0 || (want && t != want))
        return error_setx(err, ESRCH, "container is not running");
    return TAKE_FD(fd);
}

/* The namespaces of init that differ from ours, as CLONE_NEW* flags. */
static int
differing_namespaces(pid_t init, unsigned long *ret, struct error **err)
{
    *ret = 0;
    for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++) {
        char self[64], other[64];
        struct stat a, b;

        snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_types[i].name);
        snprintf(other, sizeof(other), "/proc/%d/ns/%s", (int)init, ns_types[i].name);
        if (stat(self, &a) < 0 && errno == ENOENT)
            continue; /* a namespace type this kernel lacks (time before 5.6) */
        if (stat(other, &b) < 0)
            return error_set(err, errno, "'%s'", other);
        if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
            *ret |= ns_types[i].flag;
    }
    return 0;
}

/* Where B is born: the container's cgroup, or the sub-cgroup --cgroup
 * names (runc: "[<controller>:]<cgroup>", an existing sub-cgroup; cgroup v2
 * has no controllers to name).  Sets x->cgroup_fd (-1: none). */
static int
open_cgroup(struct exec_run *x, const struct spec_state *st, struct error **err)
{
    const char *path = st->priv ? st->priv->cgroup_path : NULL;
    const char *sub = x->o->cgroup;
    bool rootless = st->priv && st->priv->rootless;
    _cleanup_close_ int base = -1;
    int fd;

    x->cgroup_fd = -1;
    if (path == NULL) {
        /* Rootless without delegation: create said so already. */
        if (sub != NULL)
            return error_setx(err, ENOENT, "--cgroup '%s': the container has no cgroup", sub);
        return 0;
    }
    base = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (base < 0)
        return error_set(err, errno, "the container's cgroup '%s'", path);
    x->cgroup_optional = rootless && sub == NULL;
    if (sub == NULL) {
        x->cgroup_fd = TAKE_FD(base);
        return 0;
    }
    if (strchr(sub, ':') != NULL) {
        if (sub[0] != ':')
            return error_setx(err, EINVAL,
                              "--cgroup '%s': cgroup v1 controllers cannot be named: berth only "
                              "uses cgroup v2 (give the sub-cgroup alone)",
                              sub);
        sub++;
    }
    while (*sub == '/')
        sub++;
    if (*sub == '\0') {
        x->cgroup_fd = TAKE_FD(base);
        return 0;
    }
    for (const char *c = sub; *c != '\0';) {
        size_t len = strcspn(c, "/");

        if (len == 2 && strncmp(c, "..", 2) == 0)
            return error_setx(err, EINVAL, "--cgroup '%s': '..' would leave the container's cgroup",
                              x->o->cgroup);
        c += len;
        while (*c == '/')
            c++;
    }
    fd = openat(base, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno, "--cgroup '%s': sub-cgroup of '%s'", x->o->cgroup, path);
    x->cgroup_fd = fd;
    return 0;
}

/* runc's checkTerminal, in exec's words. */
static int
check_terminal(const struct spec_process *p, const struct runtime_exec_opts *o, struct error **err)
{
    bool terminal = p->has_terminal && p->terminal;

    if (o->detach && terminal && o->console_socket == NULL)
        return error_setx(err, EINVAL,
                          "cannot allocate a terminal if berth will detach without "
                          "--console-socket to hand it over");
    if (o->console_socket != NULL && !terminal)
        return error_setx(err, EINVAL,
                          "--console-socket '%s': cannot use a console socket without a terminal "
                          "(--tty)",
                          o->console_socket);
    if (o->console_socket != NULL && !o->detach)
        return error_setx(err, EINVAL,
                          "--console-socket '%s': cannot use a console socket without --detach "
                          "(in the foreground berth relays the terminal itself)",
                          o->console_socket);
    return 0;
}

/* ---- A: into the namespaces ---- */

/* Before Linux 5.8 setns(2) takes no pidfd: the /proc/PID/ns files one by one,
 * all opened before any is joined (joining the mount namespace changes
 * what /proc is), the user namespace first when we are unprivileged (it
 * grants what joining the others takes) and last when we are root (who may
 * need its host powers for namespaces the host owns). */
static int
join_by_path(const struct exec_run *x, struct error **err)
{
    enum { N = sizeof(ns_types) / sizeof(ns_types[0]) };
    int fds[N];
    struct pollfd pfd = {.fd = x->pidfd, .events = POLLIN};
    int rc = 0;

    for (size_t i = 0; i < N; i++) {
        char path[64];

        fds[i] = -1;
        if (!(x->join & ns_types[i].flag))
            continue;
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)x->init, ns_types[i].name);
        fds[i] = open(path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) {
            rc = error_set(err, errno, "'%s'", path);
            break;
        }
    }
    /* init still running after the opens: they are its namespaces, not
     * those of a process that took its pid. */
    if (rc == 0 && poll(&pfd, 1, 0) != 0)
        rc = error_setx(err, ESRCH, "container init (pid %d) exited", (int)x->init);
    for (int pass = 0; rc == 0 && pass < 3; pass++) {
        for (size_t i = 0; rc == 0 && i < N; i++) {
            bool user = ns_types[i].flag == CLONE_NEWUSER;
            bool now = pass == 1 ? !user : (user && (pass == 0) == !x->privileged);

            if (fds[i] < 0 || !now)
                continue;
            if (setns(fds[i], (int)ns_types[i].flag) < 0)
                rc = error_set(err, errno, "join the %s namespace of init (pid %d)",
                               ns_types[i].name, (int)x->init);
        }
    }
    for (size_t i = 0; i < N; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

static int
join_namespaces(const struct exec_run *x, struct error **err)
{
    if (x->join == 0)
        return 0;
    if (setns(x->pidfd, (int)x->join) == 0)
        return 0;
    /* EINVAL: a kernel that takes only namespace fds (before 5.8). */
    if (errno != EINVAL)
        return error_set(err, errno, "join the namespaces of init (pid %d)", (int)x->init);
    return join_by_path(x, err);
}

static pid_t
clone_into(int cgroup_fd)
{
    /* CLONE_PARENT: B is berth's child, not ours; exit_signal must be 0
     * with it (the kernel takes our own, SIGCHLD). */
    struct clone_args args = {.flags = CLONE_PARENT};

    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static void __attribute__((noreturn)) child_main(struct exec_run *x);

static void __attribute__((noreturn)) intermediate_main(struct exec_run *x)
{
    struct error *err = NULL;
    int64_t value;
    pid_t pid;

    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    /* process.oomScoreAdj while /proc/self/oom_score_adj is still ours:
     * once we are not dumpable it belongs to the host's root, which the
     * container's user namespace may not map.  B inherits it. */
    if (process_apply_oom_score_adj(x->cfg->process, 0, &err) < 0)
        fail(x->sync_a[1], &err);
    /* Not dumpable from here to B's execve (runtime/exeguard.h): B is
     * visible in the container, with our fds and memory. */
    if (exeguard_undumpable(&err) < 0)
        fail(x->sync_a[1], &err);
    /* Our copy shares the parent's lock; and a host directory has no
     * business in the container's namespaces (CVE-2024-21626). */
    close(x->state_dirfd);
    close(x->sync_a[0]);
    close(x->sync_b[0]);
    if (x->tc.console_recv_fd >= 0)
        close(x->tc.console_recv_fd);
    if (join_namespaces(x, &err) < 0)
        fail(x->sync_a[1], &err);
    pid = clone_into(x->cgroup_fd);
    value = pid;
    /* Rootless, the container's cgroup may not be ours to enter (the
     * common ancestor's cgroup.procs is not writable): go on without it,
     * as create does without delegation, and say so. */
    if (pid < 0 && x->cgroup_fd >= 0 && x->cgroup_optional
        && (errno == EACCES || errno == EPERM || errno == ENOENT)) {
        pid = clone_into(-1);
        value = pid | EXEC_PID_NO_CGROUP;
    }
    if (pid == 0) {
        close(x->sync_a[1]);
        child_main(x);
    }
    if (pid < 0) {
        error_set(&err, errno, "clone3 into the container%s", x->cgroup_fd >= 0 ? "'s cgroup" : "");
        fail(x->sync_a[1], &err);
    }
    _exit(sync_send(x->sync_a[1], SYNC_INIT_PID, value) < 0 ? 1 : 0);
}

/* ---- B: the process ---- */

static void __attribute__((noreturn)) child_main(struct exec_run *x)
{
    const struct spec_process *p = x->cfg->process;
    struct process_opts po = {
        .preserve_fds = x->o->preserve_fds,
        .seccomp = x->filter,
        .start_fd = x->sync_b[1],
        .oom_score_adj_done = true,
    };
    struct error *err = NULL;

    if (x->cgroup_fd >= 0)
        close(x->cgroup_fd);
    close(x->pidfd);
    /* setns(2) of a cgroup namespace applies at once, so here, once in the
     * container's cgroup: the namespace's root is that cgroup, and our own
     * cgroup must be one its processes can see. */
    if (x->cgroupns_fd >= 0) {
        if (setns(x->cgroupns_fd, CLONE_NEWCGROUP) < 0) {
            error_set(&err, errno, "join the cgroup namespace of init (pid %d)", (int)x->init);
            fail(x->sync_b[1], &err);
        }
        close(x->cgroupns_fd);
    }
    if (process_initial_affinity(p, &err) < 0)
        fail(x->sync_b[1], &err);
    /* The pty from the container's own /dev/ptmx (we are in its mount
     * namespace and root), the master to the console socket or to berth. */
    if (x->tc.console_fd >= 0) {
        if (terminal_setup(p, x->tc.console_fd, false, &err) < 0)
            fail(x->sync_b[1], &err);
        close(x->tc.console_fd);
    }
    process_exec(x->cfg, &po, &err);
    fail(x->sync_b[1], &err);
}

/* ---- the parent: launch and wait for the exec ---- */

static void
reap(pid_t pid, bool kill_first)
{
    if (pid <= 0)
        return;
    if (kill_first)
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* A's report: B's pid, or A's error. */
static int
receive_pid(struct exec_run *x, pid_t *ret, bool *ret_no_cgroup, struct error **err)
{
    struct sync_msg msg;
    int rc = sync_recv(x->sync_a[0], &msg);

    if (rc == -EPIPE)
        return error_setx(err, EPIPE, "joining the container: berth's helper exited");
    if (rc < 0)
        return error_set(err, -rc, "joining the container");
    if (msg.type == SYNC_ERROR)
        return error_setx(err, msg.errnum > 0 ? msg.errnum : EIO, "%s", msg.text);
    if (msg.type != SYNC_INIT_PID || (msg.value & ~EXEC_PID_NO_CGROUP) <= 0)
        return error_setx(err, EPROTO, "joining the container: unexpected message %u", msg.type);
    *ret = (pid_t)(msg.value & ~EXEC_PID_NO_CGROUP);
    *ret_no_cgroup = (msg.value & EXEC_PID_NO_CGROUP) != 0;
    return 0;
}

/* B's report: EOF once it exec'd, or its error.  With a notify filter, the
 * listener passes through us to the agent first (runtime/filter.h), with
 * the state of the container as the agent sees it for this process. */
static int
wait_exec(struct exec_run *x, const struct spec_state *st, int agent, pid_t child,
          struct error **err)
{
    struct sync_msg msg;
    int rc;

    if (agent >= 0) {
        struct spec_state as = *st;

        as.status = (char *)"running";
        as.pid = child;
        as.has_pid = true;
        rc = filter_relay(x->sync_b[0], agent, x->cfg, &as, err);
        if (rc < 0)
            return rc;
    }
    rc = sync_recv(x->sync_b[0], &msg);
    if (rc == -EPIPE)
        return 0;
    if (rc < 0)
        return error_set(err, -rc, "waiting for the process to start");
    if (msg.type == SYNC_ERROR)
        return error_setx(err, msg.errnum > 0 ? msg.errnum : EIO, "%s", msg.text);
    return error_setx(err, EPROTO, "unexpected message %u from the process", msg.type);
}

static int
launch(const struct runtime_ctx *ctx, struct exec_run *x, const struct spec_state *st, int agent,
       pid_t *ret, struct error **err)
{
    pid_t helper, child = -1;
    bool no_cgroup = false;
    int rc;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync_a) < 0)
        return error_set(err, errno, "socketpair");
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync_b) < 0) {
        rc = error_set(err, errno, "socketpair");
        close(x->sync_a[0]);
        close(x->sync_a[1]);
        return rc;
    }
    helper = fork();
    if (helper == 0)
        intermediate_main(x);
    close(x->sync_a[1]);
    close(x->sync_b[1]);
    if (helper < 0) {
        close(x->sync_a[0]);
        close(x->sync_b[0]);
        return error_set(err, errno, "fork");
    }
    /* B has its own copy now: only its EOF may end wait_exec. */
    if (x->tc.console_fd >= 0) {
        close(x->tc.console_fd);
        x->tc.console_fd = -1;
    }
    rc = receive_pid(x, &child, &no_cgroup, err);
    close(x->sync_a[0]);
    reap(helper, rc < 0);
    if (rc < 0 && agent >= 0)
        close(agent);
    if (rc == 0 && no_cgroup && ctx->warn != NULL) {
        _cleanup_free_ char *msg = xasprintf(
            "the container's cgroup '%s' is not ours to enter: the process runs outside it",
            st->priv->cgroup_path);
        ctx->warn(ctx->warn_data, msg);
    }
    if (rc == 0)
        rc = wait_exec(x, st, agent, child, err);
    close(x->sync_b[0]);
    if (rc < 0) {
        /* It exits by itself after its report; a relay failure leaves it
         * waiting on the socket, which is closed now. */
        reap(child, false);
        return rc;
    }
    *ret = child;
    return 0;
}

/* The steps up to the launch, with everything held in X. */
static int
prepare(const struct runtime_ctx *ctx, const char *id, struct exec_run *x, int dirfd,
        const struct spec_state *st, struct sfilter **ret_filter, int *ret_agent,
        struct error **err)
{
    const struct spec_seccomp *sc;
    const char *status = state_status(dirfd, st);
    int rc;

    /* runc: "cannot exec in a stopped container"; a created one is fine. */
    if (strcmp(status, "stopped") == 0)
        return error_setx(err, ESRCH, "container '%s' is not running", id);
    if (!x->o->ignore_paused && st->priv != NULL && cgroup_is_frozen(st->priv->cgroup_path))
        return error_setx(err, EBUSY,
                          "container '%s' is paused (resume it, or use --ignore-paused)", id);
    x->pidfd = open_init(st, err);
    if (x->pidfd < 0)
        return x->pidfd;
    x->init = (pid_t)st->pid;
    /* CVE-2019-5736 (runtime/exeguard.h): when the container could write
     * our binary, run from a sealed copy of it.  The re-executed berth
     * starts this command over. */
#ifndef BERTH_BENCH_NO_EXE_MEMFD
    if (exeguard_exe_reachable_from(x->init) && (rc = exeguard_reexec(err)) < 0)
        return rc;
#endif
    x->cfg = hooks_load_config_at(dirfd, err);
    if (x->cfg == NULL)
        return -error_errnum(*err);
    if ((rc = exec_build_process(x->cfg, x->o, err)) < 0)
        return rc;
    if ((rc = check_terminal(x->cfg->process, x->o, err)) < 0)
        return rc;
    if ((rc = lsm_check(x->cfg, err)) < 0)
        return rc;
    /* The container's filter, compiled here as create does; the child
     * only loads it (STYLE.md). */
    sc = x->cfg->linux_ ? x->cfg->linux_->seccomp : NULL;
    if (sc != NULL) {
        rc = filter_compile(ctx->root, sc, ret_filter, err);
        if (rc < 0)
            return error_wrap(err, "config.json");
        x->filter = *ret_filter;
    }
    if ((rc = filter_agent_open(x->cfg, ret_agent, err)) < 0)
        return rc;
    if ((rc = open_cgroup(x, st, err)) < 0)
        return rc;
    if ((rc = differing_namespaces(x->init, &x->join, err)) < 0)
        return rc;
    /* As create does (runtime/process-caps.h): in the container's own user
     * namespace the process starts with every capability. */
    if (x->cfg->process != NULL)
        caps_keep_grantable(x->cfg->process->capabilities, (x->join & CLONE_NEWUSER) != 0,
                            ctx->warn, ctx->warn_data);
    if (x->join & CLONE_NEWCGROUP) {
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns/cgroup", (int)x->init);
        x->cgroupns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (x->cgroupns_fd < 0)
            return error_set(err, errno, "'%s'", path);
        x->join &= ~(unsigned long)CLONE_NEWCGROUP;
    }
    x->privileged = geteuid() == 0;
    /* The console socket is connected here, as the caller, in the host's
     * namespaces (terminal.h). */
    x->topts.console_socket = x->o->console_socket;
    x->topts.foreground = !x->o->detach;
    x->topts.ret_console = x->o->ret_console;
    x->tc.spec = x->cfg;
    x->tc.opts = &x->topts;
    return terminal_open(&x->tc, err);
}

/* The caller's fds past stdio and --preserve-fds (and socket activation's)
 * are not the process's (create.c does the same). */
static void
close_inherited_fds(int preserve_fds)
{
    const char *listen = getenv("LISTEN_FDS");
    int n_listen = listen ? atoi(listen) : 0;

    syscall(SYS_close_range, 3U + (unsigned)preserve_fds + (n_listen > 0 ? (unsigned)n_listen : 0U),
            ~0U, 0);
}

int
runtime_exec(const struct runtime_ctx *ctx, const char *id, const struct runtime_exec_opts *o,
             pid_t *ret_pid, struct error **err)
{
    _cleanup_close_ int rootfd = -1;
    _cleanup_close_ int dirfd = -1;
    _cleanup_close_ int agent = -1;
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_(sfilter_freep) struct sfilter *filter = NULL;
    struct exec_run x = {
        .o = o,
        .pidfd = -1,
        .cgroupns_fd = -1,
        .cgroup_fd = -1,
        .tc = {.console_fd = -1, .console_recv_fd = -1},
    };
    pid_t pid = -1;
    int rc;

    close_inherited_fds(o->preserve_fds);
    rc = state_check_id(id, err);
    if (rc < 0)
        return rc;
    rootfd = state_root_open(ctx->root, err);
    if (rootfd < 0)
        return rootfd;
    dirfd = state_dir_open(rootfd, id, err);
    if (dirfd < 0)
        return dirfd;
    close(TAKE_FD(rootfd));
    st = state_read(dirfd, id, err);
    if (st == NULL)
        return -error_errnum(*err);
    x.state_dirfd = dirfd;
    rc = prepare(ctx, id, &x, dirfd, st, &filter, &agent, err);
    if (rc == 0)
        rc = launch(ctx, &x, st, TAKE_FD(agent), &pid, err);
    if (rc == 0 && o->pid_file != NULL)
        rc = runtime_write_pid_file(o->pid_file, pid, err);
    /* Last: on success the caller owns the master. */
    if (rc == 0)
        rc = terminal_receive(&x.tc, err);
    if (rc < 0 && pid > 0)
        reap(pid, true);
    terminal_close(&x.tc);
    if (x.pidfd >= 0)
        close(x.pidfd);
    if (x.cgroup_fd >= 0)
        close(x.cgroup_fd);
    if (x.cgroupns_fd >= 0)
        close(x.cgroupns_fd);
    if (x.cfg != NULL)
        spec_free(x.cfg);
    if (rc < 0)
        return error_wrap(err, "exec '%s'", id);
    *ret_pid = pid;
    return 0;
}

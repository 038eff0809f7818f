/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>

#include "bundle/validate.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/lsm.h"
#include "runtime/filter.h"
#include "runtime/process-caps.h"

extern char **environ;

static int
apply_rlimits(const struct spec_process *p, struct error **err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct spec_rlimit *r = &p->rlimits[i];
        int res = bundle_rlimit_resource(r->type);
        struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};

        if (res < 0)
            return error_setx(err, EINVAL, "process.rlimits[%zu].type: unknown limit \"%s\"", i,
                              r->type);
        if (setrlimit(res, &rl) < 0)
            return error_set(err, errno, "process.rlimits[%zu] (%s %llu/%llu)", i, r->type,
                             (unsigned long long)r->soft, (unsigned long long)r->hard);
    }
    return 0;
}

int
process_apply_oom_score_adj(const struct spec_process *p, pid_t pid, struct error **err)
{
    _cleanup_close_ int fd = -1;
    char buf[32], path[64];
    int n, rc;

    /* config.md: "If oomScoreAdj is not set, the runtime MUST NOT change
     * the value of oom_score_adj." */
    if (!p->has_oom_score_adj)
        return 0;
    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
    else
        snprintf(path, sizeof(path), "/proc/self/oom_score_adj");
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno, "process.oomScoreAdj: open '%s'", path);
    n = snprintf(buf, sizeof(buf), "%d", (int)p->oom_score_adj);
    rc = fd_write_all(fd, buf, (size_t)n);
    if (rc < 0)
        return error_set(err, -rc, "process.oomScoreAdj: set %d", (int)p->oom_score_adj);
    return 0;
}

static int
apply_personality(const struct spec *s, struct error **err)
{
    const struct spec_personality *pe = s->linux_ ? s->linux_->personality : NULL;
    unsigned long persona;

    if (pe == NULL || pe->domain == SPEC_PERS_UNSET)
        return 0;
    persona = pe->domain == SPEC_PERS_LINUX32 ? PER_LINUX32 : PER_LINUX;
    if (personality(persona) < 0)
        return error_set(err, errno, "linux.personality");
    return 0;
}

static int
apply_io_priority(const struct spec_process *p, struct error **err)
{
    /* IOPRIO_PRIO_VALUE(class, data) = class << 13 | data */
    int cls;

    if (p->io_priority == NULL)
        return 0;
    switch ((enum spec_ioprio_class)p->io_priority->class_) {
    case SPEC_IOPRIO_RT:
        cls = 1;
        break;
    case SPEC_IOPRIO_BE:
        cls = 2;
        break;
    case SPEC_IOPRIO_IDLE:
        cls = 3;
        break;
    case SPEC_IOPRIO_UNSET:
    case SPEC_IOPRIO__COUNT:
    default:
        return 0;
    }
    if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
                cls << 13 | (p->io_priority->has_priority ? p->io_priority->priority : 0))
        < 0)
        return error_set(err, errno, "process.ioPriority");
    return 0;
}

/* sched_setattr(2)'s argument (not in glibc 2.36's headers). */
struct sched_attr_v1 {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

static int
apply_scheduler(const struct spec_process *p, struct error **err)
{
    /* enum spec_sched_policy order: the kernel's SCHED_* numbers are 0..6. */
    static const uint32_t policy[SPEC_SCHED__COUNT] = {
        [SPEC_SCHED_OTHER] = 0,    [SPEC_SCHED_FIFO] = 1, [SPEC_SCHED_RR] = 2,
        [SPEC_SCHED_BATCH] = 3,    [SPEC_SCHED_ISO] = 4,  [SPEC_SCHED_IDLE] = 5,
        [SPEC_SCHED_DEADLINE] = 6,
    };
    static const uint64_t flag[SPEC_SCHED_FLAG__COUNT] = {
        [SPEC_SCHED_FLAG_RESET_ON_FORK] = 0x01,  [SPEC_SCHED_FLAG_RECLAIM] = 0x02,
        [SPEC_SCHED_FLAG_DL_OVERRUN] = 0x04,     [SPEC_SCHED_FLAG_KEEP_POLICY] = 0x08,
        [SPEC_SCHED_FLAG_KEEP_PARAMS] = 0x10,    [SPEC_SCHED_FLAG_UTIL_CLAMP_MIN] = 0x20,
        [SPEC_SCHED_FLAG_UTIL_CLAMP_MAX] = 0x40,
    };
    const struct spec_scheduler *sc = p->scheduler;
    struct sched_attr_v1 attr = {.size = sizeof(attr)};

    if (sc == NULL || sc->policy <= SPEC_SCHED_UNSET || sc->policy >= SPEC_SCHED__COUNT)
        return 0;
    attr.sched_policy = policy[sc->policy];
    for (size_t i = 0; i < sc->flags.n; i++)
        if (sc->flags.items[i] > 0 && sc->flags.items[i] < SPEC_SCHED_FLAG__COUNT)
            attr.sched_flags |= flag[sc->flags.items[i]];
    attr.sched_nice = sc->has_nice ? sc->nice : 0;
    attr.sched_priority = sc->has_priority ? (uint32_t)sc->priority : 0;
    attr.sched_runtime = sc->has_runtime ? sc->runtime : 0;
    attr.sched_deadline = sc->has_deadline ? sc->deadline : 0;
    attr.sched_period = sc->has_period ? sc->period : 0;
    if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
        return error_set(err, errno, "process.scheduler (%s)",
                         spec_enum_name(&spec_enum_sched_policy, sc->policy));
    return 0;
}

/* "0-3,7" into a cpu set. */
static int
parse_cpu_list(const char *list, cpu_set_t *set)
{
    const char *p = list;

    CPU_ZERO(set);
    while (*p) {
        char *end;
        unsigned long lo, hi;

        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
        lo = strtoul(p, &end, 10);
        hi = lo;
        p = end;
        if (*p == '-') {
            hi = strtoul(p + 1, &end, 10);
            if (end == p + 1)
                return -EINVAL;
            p = end;
        }
        if (hi < lo || hi >= CPU_SETSIZE)
            return -EINVAL;
        for (unsigned long c = lo; c <= hi; c++)
            CPU_SET(c, set);
    }
    return 0;
}

static int
set_affinity(const char *list, const char *field, struct error **err)
{
    cpu_set_t set;

    if (list == NULL)
        return 0;
    if (parse_cpu_list(list, &set) < 0)
        return error_setx(err, EINVAL, "process.execCPUAffinity.%s: bad CPU list \"%s\"", field,
                          list);
    if (sched_setaffinity(0, sizeof(set), &set) < 0)
        return error_set(err, errno, "process.execCPUAffinity.%s \"%s\"", field, list);
    return 0;
}

/* config.md execCPUAffinity: "final" is where the process runs once it is
 * in the container (set right before exec); "initial" where the runtime's
 * process runs before that (set as init starts, see
 * process_initial_affinity). */
static int
apply_affinity(const struct spec_process *p, struct error **err)
{
    return p->exec_cpu_affinity ? set_affinity(p->exec_cpu_affinity->final, "final", err) : 0;
}

int
process_initial_affinity(const struct spec_process *p, struct error **err)
{
    return p && p->exec_cpu_affinity ? set_affinity(p->exec_cpu_affinity->initial, "initial", err)
                                     : 0;
}

static int
apply_user(const struct spec_process *p, struct error **err)
{
    const struct spec_user *u = p->user;
    uid_t uid = u && u->has_uid ? u->uid : 0;
    gid_t gid = u && u->has_gid ? u->gid : 0;

    if (u && u->additional_gids.n > 0) {
        if (setgroups(u->additional_gids.n, u->additional_gids.items) < 0)
            return error_set(err, errno, "process.user.additionalGids");
    } else if (setgroups(0, NULL) < 0 && errno != EPERM) {
        /* EPERM: setgroups is denied in a user namespace mapped by an
         * unprivileged caller; there are no groups to drop there anyway. */
        return error_set(err, errno, "process.user: drop supplementary groups");
    }
    if (setresgid(gid, gid, gid) < 0)
        return error_set(err, errno, "process.user.gid %u", (unsigned)gid);
    if (setresuid(uid, uid, uid) < 0)
        return error_set(err, errno, "process.user.uid %u", (unsigned)uid);
    return 0;
}

char *
process_find_executable(const char *argv0, const struct strv *env, struct error **err)
{
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    _cleanup_free_ char *copy = NULL;
    char *save = NULL;
    int last_errno = ENOENT;

    if (argv0 == NULL || argv0[0] == '\0') {
        error_setx(err, EINVAL, "process.args[0] is empty");
        return NULL;
    }
    if (strchr(argv0, '/') != NULL)
        return xstrdup(argv0);
    for (size_t i = 0; env && i < env->n; i++)
        if (strncmp(env->items[i], "PATH=", 5) == 0)
            path = env->items[i] + 5;
    copy = xstrdup(path);
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *cand = xasprintf("%s/%s", dir[0] ? dir : ".", argv0);
        struct stat st;

        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
            if (access(cand, X_OK) == 0)
                return cand;
            last_errno = EACCES;
        }
        free(cand);
    }
    /* runc's wording, "executable file not found in $PATH", is what engines
     * match to report a missing program (podman: exit status 127). */
    if (last_errno == EACCES)
        error_setx(err, EACCES, "process.args[0]: executable \"%s\" is not executable", argv0);
    else
        error_setx(err, ENOENT,
                   "process.args[0]: executable \"%s\" not found in $PATH "
                   "(executable file not found in $PATH)",
                   argv0);
    return NULL;
}

/* CVE-2024-21626: a cwd reached through a leaked fd would lie outside the
 * container's root; getcwd(3) reports such a directory as unreachable. */
static int
enter_cwd(const struct spec_process *p, struct error **err)
{
    char buf[4096];

    if (chdir(p->cwd) < 0)
        return error_set(err, errno, "process.cwd '%s'", p->cwd);
    if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
        return error_setx(err, EPERM, "process.cwd '%s' is outside the container's root", p->cwd);
    return 0;
}

static char **
build_env(const struct spec_process *p, const struct process_opts *o, int *ret_listen_fds)
{
    const char *listen = getenv("LISTEN_FDS");
    size_t n = p->env.n;
    char **envp = xcalloc(n + 3, sizeof(char *));
    size_t k = 0;

    *ret_listen_fds = 0;
    for (size_t i = 0; i < n; i++)
        envp[k++] = p->env.items[i];
    /* Socket activation passed through, as runc does: the fds follow
     * stdio, and the container's init is the listener. */
    if (listen && atoi(listen) > 0) {
        *ret_listen_fds = atoi(listen);
        envp[k++] = xasprintf("LISTEN_FDS=%d", *ret_listen_fds);
        envp[k++] = xasprintf("LISTEN_PID=%d", o->pid1 ? 1 : (int)getpid());
    }
    envp[k] = NULL;
    return envp;
}

/* The process starts with every signal at its default and none blocked:
 * nothing of how berth's caller treated signals (a background job ignores
 * SIGINT) or of berth's own handling may be inherited through execve. */
static void
reset_signals(void)
{
    struct sigaction sa = {.sa_handler = SIG_DFL};
    sigset_t none;

    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL); /* fails harmlessly for glibc's reserved ones */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int
process_exec(const struct spec *s, const struct process_opts *o, struct error **err)
{
    const struct spec_process *p = s->process;
    _cleanup_free_ char *exe = NULL;
    char **envp, **argv;
    int listen_fds, rc;
    bool nnp;

    if (p == NULL)
        return error_setx(err, EINVAL, "process: not set, nothing to run");
    if (p->args.n == 0)
        return error_setx(err, EINVAL, "process.args: empty, nothing to run");
    nnp = p->has_no_new_privileges && p->no_new_privileges;
    reset_signals();
    if ((rc = apply_rlimits(p, err)) < 0
        || (!o->oom_score_adj_done && (rc = process_apply_oom_score_adj(p, 0, err)) < 0))
        return rc;
    /* A session keyring of its own, so that the container does not see
     * the caller's keys.  Not fatal where the kernel has no keyrings or
     * refuses them to us (ENOSYS, EPERM, EACCES from a seccomp profile),
     * nor over the per-user key quota (EDQUOT): the quota of the host uid
     * the container's root maps to, reached by an unprivileged user who
     * starts many containers quickly (real root's quota is a million), and
     * the keys the container would then share are that same user's own. */
    if (!o->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0
        && errno != ENOSYS && errno != EPERM && errno != EACCES && errno != EDQUOT)
        return error_set(err, errno, "join a new session keyring");
    if ((rc = apply_personality(s, err)) < 0 || (rc = apply_io_priority(p, err)) < 0
        || (rc = apply_affinity(p, err)) < 0 || (rc = apply_scheduler(p, err)) < 0)
        return rc;
    if ((rc = caps_drop_bounding(p->capabilities, err)) < 0)
        return rc;
    /* Keep the permitted set across setuid, to narrow it ourselves after. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return error_set(err, errno, "PR_SET_KEEPCAPS");
    /* seccomp(2) without no_new_privs needs CAP_SYS_ADMIN in our user
     * namespace, which the setresuid() of apply_user() can take away: like
     * runc (standard_init_linux.go), load the filter before the ids and
     * capabilities change then.  runc loads it before the bounding set
     * too; berth loads it a step later, so the filter sees fewer of our own
     * syscalls and every profile that works with runc works here. */
    if (o->seccomp != NULL && !nnp && (rc = filter_load(o->seccomp, o->start_fd, err)) < 0)
        return rc;
    if ((rc = apply_user(p, err)) < 0)
        return rc;
    if ((rc = caps_apply(p->capabilities, err)) < 0)
        return rc;
    umask(p->user && p->user->has_umask ? p->user->umask : 022);
    if ((rc = enter_cwd(p, err)) < 0)
        return rc;
    exe = process_find_executable(p->args.items[0], &p->env, err);
    if (exe == NULL)
        return -error_errnum(*err);
    if ((rc = lsm_apply_exec(p, err)) < 0)
        return rc;
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_set(err, errno, "process.noNewPrivileges");
    envp = build_env(p, o, &listen_fds);
    argv = xcalloc(p->args.n + 1, sizeof(char *));
    memcpy(argv, p->args.items, p->args.n * sizeof(char *));
    /* Nothing of ours may leak into the container (CVE-2024-21626): every
     * fd above stdio, the preserved ones and the activation sockets is
     * closed at exec. */
    syscall(SYS_close_range, 3 + o->preserve_fds + listen_fds, ~0U, CLOSE_RANGE_CLOEXEC);
    /* With no_new_privs, seccomp is the last step before execve
     * (config-linux.md, DESIGN.md): only execve itself goes through the
     * filter, so a profile needs to allow nothing of ours. */
    if (o->seccomp != NULL && nnp && (rc = filter_load(o->seccomp, o->start_fd, err)) < 0) {
        free(argv);
        free(envp);
        return rc;
    }
    execve(exe, argv, envp);
    rc = errno;
    free(argv);
    free(envp);
    return error_set(err, rc, "exec '%s'", exe);
}

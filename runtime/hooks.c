/* SPDX-License-Identifier: Apache-2.0 */
/* config.md "POSIX-platform Hooks": fork and execve each hook with the
 * state on its stdin, wait for it under its timeout, and say why it failed.
 * Used by the parent during create (prestart, createRuntime), by init
 * (createContainer, startContainer), by start (poststart) and by delete
 * (poststop); nothing here prints. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/procs.h"
#include "runtime/runtime.h"
#include "runtime/state.h"
#include "runtime/sync.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* How much of a hook's stderr is kept, and how much of it an error quotes:
 * the message also has to fit a sync message from init (sync.h). */
#define STDERR_KEEP 4096
#define STDERR_QUOTE_LINES 3
#define STDERR_QUOTE_MAX 1024
/* Without pidfd_open (Linux < 5.3), how often to look for the hook's exit. */
#define POLL_FALLBACK_MS 50
/* The state of a container is small; a pipe can be grown to hold it all so
 * that writing it never waits for the hook (which may not read it). */
#define STATE_MAX (1u << 20)

struct tail {
    char buf[STDERR_KEEP];
    size_t len;
};

static void
tail_add(struct tail *t, const char *p, size_t n)
{
    if (n >= sizeof(t->buf)) {
        memcpy(t->buf, p + n - sizeof(t->buf), sizeof(t->buf));
        t->len = sizeof(t->buf);
        return;
    }
    if (t->len + n > sizeof(t->buf)) {
        size_t drop = t->len + n - sizeof(t->buf);
        memmove(t->buf, t->buf + drop, t->len - drop);
        t->len -= drop;
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

/* The last few non-empty lines of T joined with "; ", or NULL when there
 * are none (malloc'd). */
static char *
tail_quote(const struct tail *t)
{
    const char *starts[STDERR_QUOTE_LINES];
    size_t lens[STDERR_QUOTE_LINES];
    size_t n = 0, end = t->len;
    char *out, *p;
    size_t total = 0;

    while (end > 0 && n < STDERR_QUOTE_LINES) {
        size_t start = end;

        while (start > 0 && t->buf[start - 1] != '\n')
            start--;
        if (end > start) {
            size_t len = end - start;

            if (t->buf[end - 1] == '\r')
                len--;
            if (len > 0) {
                starts[n] = t->buf + start;
                lens[n] = len;
                total += len + 2;
                n++;
            }
        }
        end = start > 0 ? start - 1 : 0;
    }
    if (n == 0)
        return NULL;
    out = p = xmalloc(total + 1);
    while (n-- > 0) {
        memcpy(p, starts[n], lens[n]);
        p += lens[n];
        if (n > 0) {
            memcpy(p, "; ", 2);
            p += 2;
        }
    }
    *p = '\0';
    if (strlen(out) > STDERR_QUOTE_MAX) {
        /* Keep the end: the last words usually say what went wrong. */
        size_t len = strlen(out);
        memmove(out + 3, out + len - (STDERR_QUOTE_MAX - 3), STDERR_QUOTE_MAX - 3 + 1);
        memcpy(out, "...", 3);
    }
    for (p = out; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t')
            *p = '?';
    return out;
}

/* Move FD above the standard streams, so that the dup2 calls in the child
 * can never overwrite one pipe end with another. */
static int
fd_above_stdio(int fd)
{
    int nfd;

    if (fd > STDERR_FILENO)
        return fd;
    nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    close(fd);
    return nfd;
}

static int
make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    p[0] = fd_above_stdio(p[0]);
    p[1] = fd_above_stdio(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        int e = errno;

        if (p[0] >= 0)
            close(p[0]);
        if (p[1] >= 0)
            close(p[1]);
        return -e;
    }
    return 0;
}

static void
close_pair(int p[2])
{
    for (int i = 0; i < 2; i++)
        if (p[i] >= 0) {
            close(p[i]);
            p[i] = -1;
        }
}

/* A pipe whose read end yields STATE then EOF.  All of it is written now,
 * before the hook exists: a hook that never reads stdin must neither block
 * us nor make us take SIGPIPE. */
static int
state_pipe(const char *json, size_t len, int *ret_fd)
{
    int p[2];
    int rc = make_pipe(p);

    if (rc < 0)
        return rc;
    /* A pipe holds 64 KiB, or one page once the user has used up
     * pipe-user-pages-soft; grow it when that may not be enough. */
    if (len > 4096 && fcntl(p[1], F_SETPIPE_SZ, (int)len) < 0 && len > 65536)
        goto fail;
    if (fcntl(p[1], F_SETFL, O_NONBLOCK) < 0)
        goto fail;
    rc = fd_write_all(p[1], json, len);
    if (rc < 0) {
        errno = -rc;
        goto fail;
    }
    close(p[1]);
    *ret_fd = p[0];
    return 0;
fail:
    rc = -errno;
    close_pair(p);
    return rc;
}

static void
move_fd(int from, int to)
{
    if (from == to)
        fcntl(to, F_SETFD, 0);
    else
        dup2(from, to);
}

/* The child between fork and execve: only async-signal-safe calls. */
static void __attribute__((noreturn))
child_exec(const char *path, char *const argv[], char *const envp[], int in_fd, int err_fd,
           int exec_fd)
{
    sigset_t none;
    int e;

    /* Signal dispositions set to ignore survive execve; the mask too. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    move_fd(in_fd, STDIN_FILENO);
    move_fd(err_fd, STDERR_FILENO);
    /* Only the three standard streams reach the hook: an inherited fd of
     * the state directory would keep its lock, a preserved fd of the
     * container would leak to the host.  CLOEXEC rather than close keeps
     * EXEC_FD open until the execve succeeds. */
    syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(path, argv, envp);
    e = errno;
    (void)!write(exec_fd, &e, sizeof(e));
    _exit(127);
}

static char **
build_vector(const struct strv *v, const char *fallback)
{
    size_t n = v->n > 0 ? v->n : (fallback ? 1 : 0);
    char **out = xcalloc(n + 1, sizeof(*out));

    if (v->n > 0)
        memcpy(out, v->items, v->n * sizeof(*out));
    else if (fallback)
        out[0] = (char *)fallback;
    return out;
}

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
drain(int *fd, struct tail *t)
{
    char buf[4096];
    ssize_t r;

    while (*fd >= 0) {
        r = read(*fd, buf, sizeof(buf));
        if (r > 0) {
            tail_add(t, buf, (size_t)r);
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 || errno != EAGAIN) {
            close(*fd);
            *fd = -1;
        }
        return;
    }
}

static void
reap(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

/* Wait for PID, collecting its stderr from *ERR_FD, at most TIMEOUT_MS
 * (< 0: forever).  Returns 0 with the wait status in *status, or -ETIMEDOUT
 * after killing and reaping it. */
static int
wait_hook(pid_t pid, int *err_fd, struct tail *t, int64_t timeout_ms, int *status)
{
    _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;

    fcntl(*err_fd, F_SETFL, O_NONBLOCK);
    for (;;) {
        struct pollfd pfd[2];
        nfds_t n = 0;
        int wait = -1;

        if (deadline >= 0) {
            int64_t left = deadline - now_ms();

            if (left <= 0) {
                /* pid > 0: it came from fork(). */
                kill(pid, SIGKILL);
                reap(pid, status);
                drain(err_fd, t);
                return -ETIMEDOUT;
            }
            wait = left > INT_MAX ? INT_MAX : (int)left;
        }
        if (pidfd < 0) {
            pid_t r = waitpid(pid, status, WNOHANG);

            if (r == pid)
                break;
            if (wait < 0 || wait > POLL_FALLBACK_MS)
                wait = POLL_FALLBACK_MS;
        } else {
            pfd[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        }
        if (*err_fd >= 0)
            pfd[n++] = (struct pollfd){.fd = *err_fd, .events = POLLIN};
        if (poll(pfd, n, wait) < 0 && errno != EINTR)
            return -errno;
        drain(err_fd, t);
        if (pidfd >= 0 && (pfd[0].revents & POLLIN)) {
            reap(pid, status);
            break;
        }
    }
    /* What the hook wrote before it exited is in the pipe; a background
     * child of the hook may keep the pipe open, so take only that. */
    drain(err_fd, t);
    return 0;
}

static int
hook_failed(struct error **err, const char *kind, size_t i, const char *path, int status,
            const struct tail *t)
{
    _cleanup_free_ char *quote = tail_quote(t);
    _cleanup_free_ char *why = NULL;

    if (WIFEXITED(status))
        why = xasprintf("exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        why = xasprintf("killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        why = xasprintf("wait status 0x%x", (unsigned)status);
    if (quote)
        return error_setx(err, ECANCELED, "hooks.%s[%zu] '%s': %s; stderr: %s", kind, i, path, why,
                          quote);
    return error_setx(err, ECANCELED, "hooks.%s[%zu] '%s': %s", kind, i, path, why);
}

static int
run_one(const struct spec_hook *h, const char *kind, size_t i, const char *json, size_t len,
        struct error **err)
{
    _cleanup_free_ char **argv = build_vector(&h->args, h->path);
    _cleanup_free_ char **envp = build_vector(&h->env, NULL);
    _cleanup_close_ int in_fd = -1;
    int errp[2] = {-1, -1}, execp[2] = {-1, -1};
    _cleanup_free_ struct tail *t = xcalloc(1, sizeof(*t));
    int64_t timeout_ms = h->has_timeout && h->timeout < INT64_MAX / 1000 ? h->timeout * 1000 : -1;
    int status = 0, exec_errno = 0;
    pid_t pid;
    ssize_t r;
    int rc;

    rc = state_pipe(json, len, &in_fd);
    if (rc < 0) {
        return error_set(err, -rc, "hooks.%s[%zu] '%s': pass the state on stdin", kind, i, h->path);
    }
    if ((rc = make_pipe(errp)) < 0 || (rc = make_pipe(execp)) < 0) {
        close_pair(errp);
        return error_set(err, -rc, "hooks.%s[%zu] '%s': pipe", kind, i, h->path);
    }
    pid = fork();
    if (pid < 0) {
        rc = error_set(err, errno, "hooks.%s[%zu] '%s': fork", kind, i, h->path);
        close_pair(errp);
        close_pair(execp);
        return rc;
    }
    if (pid == 0)
        child_exec(h->path, argv, envp, in_fd, errp[1], execp[1]);
    close(errp[1]);
    close(execp[1]);
    /* EOF means execve succeeded (the write end was close-on-exec). */
    do
        r = read(execp[0], &exec_errno, sizeof(exec_errno));
    while (r < 0 && errno == EINTR);
    close(execp[0]);
    if (r == (ssize_t)sizeof(exec_errno)) {
        reap(pid, &status);
        close(errp[0]);
        return error_set(err, exec_errno, "hooks.%s[%zu] '%s': execve", kind, i, h->path);
    }
    rc = wait_hook(pid, &errp[0], t, timeout_ms, &status);
    if (errp[0] >= 0)
        close(errp[0]);
    if (rc == -ETIMEDOUT)
        rc = error_setx(err, ETIMEDOUT, "hooks.%s[%zu] '%s': timed out after %lld s", kind, i,
                        h->path, (long long)h->timeout);
    else if (rc < 0)
        rc = error_set(err, -rc, "hooks.%s[%zu] '%s': wait", kind, i, h->path);
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        rc = hook_failed(err, kind, i, h->path, status, t);
    return rc;
}

static int
state_json(const struct spec_state *state, char **ret, size_t *ret_len, struct error **err)
{
    int rc = spec_state_write(state, false, ret, ret_len, err);

    if (rc < 0)
        return error_wrap(err, "state for hooks");
    if (*ret_len > STATE_MAX) {
        free(*ret);
        *ret = NULL;
        return error_setx(err, EFBIG, "state for hooks: %zu bytes, more than %u", *ret_len,
                          STATE_MAX);
    }
    return 0;
}

int
hooks_run(const struct spec_hook *hooks, size_t n, const char *kind, const struct spec_state *state,
          struct error **err)
{
    _cleanup_free_ char *json = NULL;
    size_t len = 0;
    int rc;

    if (n == 0)
        return 0;
    rc = state_json(state, &json, &len, err);
    if (rc < 0)
        return rc;
    /* config.md: "Hooks MUST be called in the listed order." */
    for (size_t i = 0; i < n; i++) {
        rc = run_one(&hooks[i], kind, i, json, len, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

size_t
hooks_run_warn(const struct spec_hook *hooks, size_t n, const char *kind,
               const struct spec_state *state, void (*warn)(const void *data, const char *msg),
               const void *data)
{
    _cleanup_free_ char *json = NULL;
    struct error *err = NULL;
    size_t len = 0, failed = 0;

    if (n == 0)
        return 0;
    if (state_json(state, &json, &len, &err) < 0) {
        if (warn)
            warn(data, err->msg);
        error_free(&err);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        if (run_one(&hooks[i], kind, i, json, len, &err) < 0) {
            if (warn)
                warn(data, err->msg);
            error_free(&err);
            failed++;
        }
    }
    return failed;
}

struct spec *
hooks_load_config_at(int dirfd, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int rc = fd_read_file_at(dirfd, STATE_CONFIG_FILE, 16u << 20, &buf, &len);

    if (rc < 0) {
        error_set(err, -rc, "read '%s' saved at create", STATE_CONFIG_FILE);
        return NULL;
    }
    return spec_parse(buf, len, STATE_CONFIG_FILE, err);
}

/* The state a hook sees: the runtime.md fields of FULL (berth's private
 * part and runc's extras left out) with STATUS, and PID only when > 0
 * (runtime.md: the pid is REQUIRED only for created and running).  Borrows
 * every string. */
static struct spec_state
hooks_state(const struct spec_state *full, const char *status, pid_t pid)
{
    return (struct spec_state){
        .oci_version = full->oci_version,
        .id = full->id,
        .status = (char *)status,
        .has_pid = pid > 0,
        .pid = pid > 0 ? pid : 0,
        .bundle = full->bundle,
        .annotations = full->annotations,
    };
}

/* Any hook of the create phase (prestart, createRuntime, createContainer)? */
static bool
hooks_has_create(const struct spec *s)
{
    const struct spec_hooks *h = s->hooks;

    return h && (h->n_prestart > 0 || h->n_create_runtime > 0 || h->n_create_container > 0);
}

/* ---- the lifecycle points ---- */

static struct spec_state
container_state(const struct container *c, const char *status, pid_t pid)
{
    return (struct spec_state){
        .oci_version = (char *)SPEC_OCI_VERSION,
        .id = (char *)c->id,
        .status = (char *)status,
        .has_pid = pid > 0,
        .pid = pid > 0 ? pid : 0,
        .bundle = c->bundle_path,
        .annotations = c->spec->annotations,
    };
}

int
hooks_create_runtime(const struct container *c, pid_t init, struct error **err)
{
    const struct spec_hooks *h = c->spec->hooks;
    struct spec_state st = container_state(c, "creating", init);
    int rc;

    if (h == NULL)
        return 0;
    /* config.md "Prestart": "The prestart hooks MUST be called before the
     * createRuntime hooks"; both "MUST be executed in the runtime
     * namespace": here, in the parent. */
    rc = hooks_run(h->prestart, h->n_prestart, "prestart", &st, err);
    if (rc == 0)
        rc = hooks_run(h->create_runtime, h->n_create_runtime, "createRuntime", &st, err);
    return rc;
}

int
hooks_init_create(const struct container *c, struct error **err)
{
    const struct spec_hooks *h = c->spec->hooks;
    struct spec_state st = container_state(c, "creating", getpid());
    struct sync_msg msg;
    int rc;

    if (!hooks_has_create(c->spec))
        return 0;
    rc = sync_send(c->sync_fd, SYNC_HOOKS, 0);
    if (rc < 0)
        return error_set(err, -rc, "sync");
    rc = sync_expect(c->sync_fd, SYNC_HOOKS_DONE, &msg, err);
    if (rc < 0)
        return rc;
    /* config.md "CreateContainer Hooks": after createRuntime, before
     * pivot_root, "executed in the container namespace" while the path
     * "MUST resolve in the runtime namespace": we are in the container's
     * namespaces, and the host's filesystem is still our root. */
    return hooks_run(h->create_container, h->n_create_container, "createContainer", &st, err);
}

int
hooks_init_start(const struct container *c, struct error **err)
{
    const struct spec_hooks *h = c->spec->hooks;
    struct spec_state st = container_state(c, "created", getpid());

    if (h == NULL)
        return 0;
    /* config.md "StartContainer Hooks": the path "MUST resolve in the
     * container namespace": after pivot_root, before the user process. */
    return hooks_run(h->start_container, h->n_start_container, "startContainer", &st, err);
}

int
hooks_poststart(const struct spec *cfg, const struct spec_state *full, struct error **err)
{
    struct spec_state st = hooks_state(full, "running", (pid_t)full->pid);
    struct error *ignored = NULL;
    int rc;

    if (cfg->hooks == NULL)
        return 0;
    rc = hooks_run(cfg->hooks->poststart, cfg->hooks->n_poststart, "poststart", &st, err);
    if (rc < 0) {
        /* runtime.md "Lifecycle" step 9: "If any poststart hook fails, the
         * runtime MUST generate an error, stop the container, and continue
         * the lifecycle at step 12." */
        procs_kill_and_wait(full, &ignored);
        error_free(&ignored);
    }
    return rc;
}

struct spec *
hooks_delete_config(const struct runtime_ctx *ctx, int dirfd, const char *id)
{
    struct error *err = NULL;
    struct spec *cfg = hooks_load_config_at(dirfd, &err);

    if (cfg == NULL) {
        if (ctx->warn) {
            _cleanup_free_ char *msg =
                xasprintf("delete '%s': poststop hooks not run: %s", id, err->msg);
            ctx->warn(ctx->warn_data, msg);
        }
        error_free(&err);
    }
    return cfg;
}

struct warn_prefix {
    const struct runtime_ctx *ctx;
    const char *op, *id;
};

static void
warn_with_prefix(const void *data, const char *msg)
{
    const struct warn_prefix *wp = data;
    _cleanup_free_ char *full = xasprintf("%s '%s': %s", wp->op, wp->id, msg);

    wp->ctx->warn(wp->ctx->warn_data, full);
}

static void
run_poststop(const struct runtime_ctx *ctx, const char *op, const struct spec_hooks *h,
             const struct spec_state *st)
{
    struct warn_prefix wp = {.ctx = ctx, .op = op, .id = st->id};

    if (h == NULL)
        return;
    /* runtime.md "Lifecycle" step 13: "If any poststop hook fails, the
     * runtime MUST log a warning, but the remaining hooks and lifecycle
     * continue as if the hook had succeeded." */
    hooks_run_warn(h->poststop, h->n_poststop, "poststop", st, ctx->warn ? warn_with_prefix : NULL,
                   &wp);
}

void
hooks_poststop(const struct runtime_ctx *ctx, const char *op, const struct spec *cfg,
               const struct spec_state *full)
{
    struct spec_state st = hooks_state(full, "stopped", 0);

    if (cfg != NULL)
        run_poststop(ctx, op, cfg->hooks, &st);
}

void
hooks_create_failed(const struct runtime_ctx *ctx, const struct container *c)
{
    struct spec_state st = container_state(c, "stopped", 0);

    run_poststop(ctx, "create", c->spec->hooks, &st);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* list, ps, signals, and waiting for init in `run`. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/procs.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

static int
cmp_state(const void *a, const void *b)
{
    const struct spec_state *x = *(struct spec_state *const *)a;
    const struct spec_state *y = *(struct spec_state *const *)b;
    return strcmp(x->id, y->id);
}

int
runtime_list(const struct runtime_ctx *ctx, struct spec_state ***ret, size_t *ret_n,
             struct error **err)
{
    _cleanup_free_ char *root = state_root_path(ctx->root);
    struct spec_state **out = NULL;
    size_t n = 0, alloc = 0;
    struct dirent *de;
    DIR *d;

    *ret = NULL;
    *ret_n = 0;
    d = opendir(root);
    if (d == NULL)
        return errno == ENOENT ? 0 : error_set(err, errno, "state root '%s'", root);
    while ((de = readdir(d)) != NULL) {
        struct error *ignored = NULL;
        struct spec_state *st;

        if (de->d_name[0] == '.' || state_check_id(de->d_name, &ignored) < 0) {
            error_free(&ignored);
            continue;
        }
        /* Containers being created or deleted right now are skipped, as
         * runc does, rather than making the whole listing fail. */
        st = runtime_state(ctx, de->d_name, &ignored);
        error_free(&ignored);
        if (st == NULL)
            continue;
        out = xgrow(out, &alloc, n, sizeof(*out));
        out[n++] = st;
    }
    closedir(d);
    if (n > 1)
        qsort(out, n, sizeof(*out), cmp_state);
    *ret = out;
    *ret_n = n;
    return 0;
}

void
runtime_list_free(struct spec_state **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        spec_state_free(list[i]);
    free(list);
}

int
runtime_ps(const struct runtime_ctx *ctx, const char *id, pid_t **ret, size_t *ret_n,
           struct error **err)
{
    struct spec_state *st = runtime_state(ctx, id, err);
    int rc;

    if (st == NULL)
        return -error_errnum(*err);
    rc = procs_list(st, ret, ret_n, err);
    spec_state_free(st);
    return rc < 0 ? error_wrap(err, "ps '%s'", id) : 0;
}

int
runtime_parse_signal(const char *s)
{
    static const struct {
        const char *name;
        int sig;
    } table[] = {
        {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
        {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
        {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
        {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
        {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
        {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
        {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
        {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
        {"SYS", SIGSYS},
    };
    char *end;
    long n;

    if (s == NULL || *s == '\0')
        return -1;
    n = strtol(s, &end, 10);
    if (*end == '\0')
        return n > 0 && n < NSIG ? (int)n : -1;
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, s) == 0)
            return table[i].sig;
    /* RTMIN+N, RTMAX-N */
    if (strncmp(s, "RTMIN", 5) == 0) {
        n = s[5] == '\0' ? 0 : (s[5] == '+' ? strtol(s + 6, &end, 10) : -1);
        if (n >= 0 && SIGRTMIN + n <= SIGRTMAX && (s[5] == '\0' || *end == '\0'))
            return SIGRTMIN + (int)n;
    }
    if (strncmp(s, "RTMAX", 5) == 0) {
        n = s[5] == '\0' ? 0 : (s[5] == '-' ? strtol(s + 6, &end, 10) : -1);
        if (n >= 0 && SIGRTMAX - n >= SIGRTMIN && (s[5] == '\0' || *end == '\0'))
            return SIGRTMAX - (int)n;
    }
    return -1;
}

int
runtime_wait_forward(pid_t pid, struct error **err)
{
    static const int forwarded[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT,
                                    SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};
    _cleanup_close_ int sfd = -1;
    sigset_t mask, old;
    int status;

    sigemptyset(&mask);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        sigaddset(&mask, forwarded[i]);
    sigprocmask(SIG_BLOCK, &mask, &old);
    sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        return error_set(err, errno, "signalfd");
    }
    for (;;) {
        struct signalfd_siginfo si;
        pid_t w;

        /* Reap everything that reaches us (we are a subreaper in `run`);
         * only init's status matters. */
        while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
            if (w == pid) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                if (WIFEXITED(status))
                    return WEXITSTATUS(status);
                return 128 + WTERMSIG(status);
            }
        }
        if (w < 0 && errno == ECHILD) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            return error_set(err, ECHILD, "wait for init %d", (int)pid);
        }
        if (read(sfd, &si, sizeof(si)) != sizeof(si)) {
            if (errno == EINTR)
                continue;
            sigprocmask(SIG_SETMASK, &old, NULL);
            return error_set(err, errno, "read signalfd");
        }
        if (si.ssi_signo != SIGCHLD)
            kill(pid, (int)si.ssi_signo);
    }
}

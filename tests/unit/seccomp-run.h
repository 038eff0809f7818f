/* SPDX-License-Identifier: Apache-2.0 */
/* For the seccomp unit tests: load a compiled filter in a child and make
 * system calls under it, native ones with syscall(2) and, on x86_64,
 * 32-bit ones with int $0x80, reporting each errno to the parent. */
#ifndef BERTH_TESTS_UNIT_SECCOMP_RUN_H
#define BERTH_TESTS_UNIT_SECCOMP_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp/sfilter.h"

#define RUN_MAX_CALLS 32

struct call {
    long nr;
    unsigned long a[3];
    bool i386; /* a 32-bit x86 call (int $0x80) */
};

/* -errno or the result of a 32-bit call. */
static inline long
i386_syscall(long nr, unsigned long a, unsigned long b, unsigned long c)
{
#if defined(__x86_64__)
    long ret;

    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
#else
    (void)nr, (void)a, (void)b, (void)c;
    return -ENOSYS;
#endif
}

/* Can this process make 32-bit x86 calls (IA32 emulation)?  Asked in a
 * child: without it, int $0x80 is a SIGSEGV. */
static inline bool
can_i386(void)
{
#if defined(__x86_64__)
    int status;
    pid_t pid = fork();

    if (pid == 0)
        _exit(i386_syscall(20 /* getpid */, 0, 0, 0) > 0 ? 0 : 1);
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
#else
    return false;
#endif
}

/* Load F (no_new_privs first) in a child and make the N CALLS.  RET[i] is
 * the errno of call i (0: success), -1 if it was not reached.  Returns the
 * signal that ended the child, 0 if it exited, -1 if it could not load. */
static inline int
run_calls(const struct sfilter *f, const struct call *calls, size_t n, int *ret)
{
    int p[2], status;
    pid_t pid;

    for (size_t i = 0; i < n; i++)
        ret[i] = -1;
    if (n > RUN_MAX_CALLS || pipe2(p, O_CLOEXEC) < 0)
        abort();
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        struct error *e = NULL;
        int res[RUN_MAX_CALLS];

        close(p[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sfilter_load(f, &e) < 0)
            syscall(SYS_exit_group, 100);
        for (size_t i = 0; i < n; i++) {
            long r;

            if (calls[i].i386) {
                r = i386_syscall(calls[i].nr, calls[i].a[0], calls[i].a[1], calls[i].a[2]);
                res[i] = r < 0 && r > -4096 ? (int)-r : 0;
            } else {
                r = syscall(calls[i].nr, calls[i].a[0], calls[i].a[1], calls[i].a[2], 0, 0, 0);
                res[i] = r < 0 ? errno : 0;
            }
            /* A clone or fork that got through: the new child leaves. */
            if (r == 0 && (calls[i].nr == SYS_clone || calls[i].nr == SYS_fork))
                syscall(SYS_exit_group, 0);
            syscall(SYS_write, p[1], &res[i], sizeof(int));
        }
        syscall(SYS_exit_group, 0);
    }
    close(p[1]);
    for (size_t i = 0; i < n; i++)
        if (read(p[0], &ret[i], sizeof(int)) != (ssize_t)sizeof(int))
            break;
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            abort();
    if (WIFSIGNALED(status))
        return WTERMSIG(status);
    return WEXITSTATUS(status) == 100 ? -1 : 0;
}

#endif

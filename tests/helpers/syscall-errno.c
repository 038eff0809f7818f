/* SPDX-License-Identifier: Apache-2.0 */
/* syscall-errno CALL...: make each system call and print one line per call
 * with the errno it failed with, 0 when it succeeded.  For the seccomp
 * tests, built statically so that it runs in an empty rootfs.
 *
 * CALL is NAME[:ARG0[:ARG1...]], up to six arguments in C notation
 * (decimal, 0x hex, 0 octal; a leading '-' negates): "getppid:7:0x10".
 * NAME is one of the table below or a syscall number.  The calls in the
 * table ignore their arguments (or take harmless ones), yet seccomp sees
 * the registers as passed, so argument filters can be tested with them.
 * A clone that succeeds exits at once in the new process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
    const char *name;
    long nr;
} calls[] = {
    {"getpid", SYS_getpid},
    {"getppid", SYS_getppid},
    {"getuid", SYS_getuid},
    {"geteuid", SYS_geteuid},
    {"getgid", SYS_getgid},
    {"getegid", SYS_getegid},
    {"gettid", SYS_gettid},
    {"sched_yield", SYS_sched_yield},
    {"getpgrp", SYS_getpgrp},
    {"umask", SYS_umask},
    /* For the default profile: with null pointers these fail (EFAULT,
     * EINVAL) or do nothing harmful when the filter lets them through. */
    {"keyctl", SYS_keyctl},
    {"unshare", SYS_unshare},
    {"mount", SYS_mount},
    {"clone", SYS_clone},
    {"clone3", SYS_clone3},
    {"personality", SYS_personality},
    {"socket", SYS_socket},
    {"pidfd_open", SYS_pidfd_open},
    {"close", SYS_close},
};

static int
parse_ulong(const char *s, unsigned long *ret)
{
    char *end;
    int neg = *s == '-';

    errno = 0;
    *ret = strtoul(s + neg, &end, 0);
    if (errno != 0 || end == s + neg || *end != '\0')
        return -1;
    if (neg)
        *ret = -*ret;
    return 0;
}

static int
do_call(char *spec)
{
    unsigned long a[6] = {0};
    char *name = strtok(spec, ":");
    char *arg;
    long nr = -1, rc;
    int n = 0;

    if (name == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
        if (strcmp(calls[i].name, name) == 0)
            nr = calls[i].nr;
    if (nr < 0) {
        unsigned long u;

        if (parse_ulong(name, &u) < 0) {
            fprintf(stderr, "syscall-errno: unknown syscall '%s'\n", name);
            return -1;
        }
        nr = (long)u;
    }
    while ((arg = strtok(NULL, ":")) != NULL) {
        if (n == 6 || parse_ulong(arg, &a[n]) < 0) {
            fprintf(stderr, "syscall-errno: bad argument '%s' for '%s'\n", arg, name);
            return -1;
        }
        n++;
    }
    errno = 0;
    rc = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (rc == 0 && nr == SYS_clone)
        _exit(0);
    printf("%d\n", rc < 0 ? errno : 0);
    fflush(stdout);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: syscall-errno NAME[:ARG...]...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (do_call(argv[i]) < 0)
            return 2;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp/sfilter-default.c and seccomp/default-profile.json: the default
 * profile resolves for a capability set, validates, compiles, and blocks
 * and allows what it must in a child that loads it. */
#include <errno.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "bundle/spec.h"
#include "lib/diag.h"
#include "lib/error.h"
#include "seccomp/sfilter.h"
#include "tests/unit/seccomp-run.h"
#include "tests/unit/tap.h"

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* runc's default bounding set, which `berth spec` writes. */
static char *default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
static const struct strv default_capv = {default_caps, 3};

static struct spec_seccomp *
resolve(const struct strv *caps)
{
    struct error *err = NULL;
    struct spec_seccomp *sc = sfilter_default_profile(caps, &err);

    if (sc == NULL) {
        tap_diag("sfilter_default_profile: %s", err ? err->msg : "?");
        error_free(&err);
    }
    return sc;
}

/* The entries naming NAME, and how many of them have no args. */
static size_t
count_name(const struct spec_seccomp *sc, const char *name, size_t *ret_plain)
{
    size_t n = 0, plain = 0;

    for (size_t i = 0; i < sc->n_syscalls; i++)
        for (size_t j = 0; j < sc->syscalls[i].names.n; j++)
            if (strcmp(sc->syscalls[i].names.items[j], name) == 0) {
                n++;
                plain += sc->syscalls[i].n_args == 0;
            }
    if (ret_plain != NULL)
        *ret_plain = plain;
    return n;
}

static const struct spec_syscall *
find(const struct spec_seccomp *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_syscalls; i++)
        for (size_t j = 0; j < sc->syscalls[i].names.n; j++)
            if (strcmp(sc->syscalls[i].names.items[j], name) == 0)
                return &sc->syscalls[i];
    return NULL;
}

static void
test_resolution(void)
{
    struct spec_seccomp *sc = resolve(&default_capv);
    const struct spec_syscall *clone3, *sock;
    size_t plain = 0, unknown = 0;

    tap_ok(sc != NULL, "the default profile resolves for runc's default capabilities");
    if (sc == NULL)
        return;
    tap_ok(sc->default_action == SPEC_SCMP_ACT_ERRNO && sc->has_default_errno_ret
               && sc->default_errno_ret == EPERM,
           "an allowlist: SCMP_ACT_ERRNO, EPERM");
#if defined(__x86_64__)
    tap_ok(sc->architectures.n == 3 && sc->architectures.items[0] == SPEC_SCMP_ARCH_X86_64
               && sc->architectures.items[1] == SPEC_SCMP_ARCH_X86
               && sc->architectures.items[2] == SPEC_SCMP_ARCH_X32,
           "architectures: x86_64, x86, x32");
    tap_ok(count_name(sc, "arch_prctl", NULL) == 1, "the x86 group is there (arch_prctl)");
#else
    tap_ok(sc->architectures.n >= 1, "architectures: the native family # SKIP not x86_64");
    tap_ok(1, "# SKIP not x86_64");
#endif
    tap_ok(count_name(sc, "cacheflush", NULL) == 0
               && count_name(sc, "s390_runtime_instr", NULL) == 0,
           "groups of other architectures are left out");
    tap_ok(count_name(sc, "keyctl", NULL) == 0 && count_name(sc, "add_key", NULL) == 0
               && count_name(sc, "io_uring_setup", NULL) == 0,
           "keyctl, add_key and io_uring_setup are not allowed");
    tap_ok(count_name(sc, "mount", NULL) == 0 && count_name(sc, "unshare", NULL) == 0
               && count_name(sc, "setns", NULL) == 0 && count_name(sc, "chroot", NULL) == 0,
           "the CAP_SYS_ADMIN and CAP_SYS_CHROOT groups are left out");
    tap_ok(count_name(sc, "clone", &plain) == 1 && plain == 0,
           "clone is allowed only with its namespace flags clear");
    clone3 = find(sc, "clone3");
    tap_ok(clone3 != NULL && clone3->action == SPEC_SCMP_ACT_ERRNO && clone3->has_errno_ret
               && clone3->errno_ret == ENOSYS,
           "clone3 fails with ENOSYS");
    tap_ok(count_name(sc, "personality", &plain) == 5 && plain == 0,
           "personality: five allowed personas");
    sock = find(sc, "socket");
    tap_ok(sock != NULL && sock->n_args == 1 && sock->args[0].op == SPEC_SCMP_CMP_NE
               && sock->args[0].value == AF_VSOCK,
           "socket: anything but AF_VSOCK");
    for (size_t i = 0; i < sc->n_syscalls; i++)
        for (size_t j = 0; j < sc->syscalls[i].names.n; j++)
            unknown +=
                seccomp_syscall_resolve_name(sc->syscalls[i].names.items[j]) == __NR_SCMP_ERROR;
    tap_is_int(unknown, 0, "no name this libseccomp does not know is written");
    sfilter_profile_free(sc);

    {
        char *caps[] = {"CAP_SYS_ADMIN", "CAP_SYS_CHROOT", "CAP_KILL", NULL};
        struct strv capv = {caps, 3};

        sc = resolve(&capv);
        tap_ok(sc != NULL && count_name(sc, "mount", NULL) == 1
                   && count_name(sc, "chroot", NULL) == 1 && find(sc, "clone3") != NULL
                   && find(sc, "clone3")->action == SPEC_SCMP_ACT_ALLOW,
               "with CAP_SYS_ADMIN and CAP_SYS_CHROOT: mount, chroot, clone3 allowed");
        tap_ok(sc != NULL && count_name(sc, "clone", &plain) == 1 && plain == 1,
               "and clone without conditions");
        sfilter_profile_free(sc);
    }
    sc = resolve(NULL);
    tap_ok(sc != NULL && count_name(sc, "mount", NULL) == 0, "no capabilities (NULL) is fine");
    sfilter_profile_free(sc);
}

/* The default spec with the profile, as `berth spec` writes it, validates
 * without a word. */
static void
test_validates(void)
{
    struct spec *s = spec_default();
    struct diags d;

    s->linux_->seccomp = resolve(&s->process->capabilities->bounding);
    diags_init(&d, "config.json");
    spec_validate(s, &d);
    tap_ok(s->linux_->seccomp != NULL && d.n == 0,
           "spec_default() with the profile: no error, no warning (%zu)", d.n);
    for (size_t i = 0; i < d.n; i++) {
        char *line = diag_format(&d, &d.items[i]);
        tap_diag("%s", line);
        free(line);
    }
    diags_free(&d);
    spec_free(s);
}

static void
test_behaviour(void)
{
    struct spec_seccomp *sc = resolve(&default_capv);
    struct error *err = NULL;
    struct sfilter *f = NULL;
    static const struct {
        struct call c;
        int want;
        const char *what;
    } cases[] = {
        {{SYS_getpid, {0}, false}, 0, "getpid works"},
        {{SYS_keyctl, {0}, false}, EPERM, "keyctl: EPERM"},
        {{SYS_unshare, {CLONE_NEWUSER}, false}, EPERM, "unshare(CLONE_NEWUSER): EPERM"},
        {{SYS_clone, {CLONE_NEWUSER | SIGCHLD}, false}, EPERM, "clone(CLONE_NEWUSER): EPERM"},
        {{SYS_clone, {SIGCHLD}, false}, 0, "clone(SIGCHLD), a fork, works"},
        {{SYS_clone3, {0}, false}, ENOSYS, "clone3: ENOSYS, so that libcs fall back to clone"},
        {{SYS_mount, {0}, false}, EPERM, "mount: EPERM"},
        {{SYS_personality, {0xffffffffUL}, false}, 0, "personality(0xffffffff) works"},
        {{SYS_personality, {READ_IMPLIES_EXEC}, false},
         EPERM,
         "personality(READ_IMPLIES_EXEC): EPERM"},
        {{SYS_socket, {AF_VSOCK, SOCK_STREAM}, false}, EPERM, "socket(AF_VSOCK): EPERM"},
        {{SYS_socket, {AF_UNIX, SOCK_STREAM}, false}, 0, "socket(AF_UNIX) works"},
        {{1000, {0}, false}, ENOSYS, "syscall 1000, newer than the profile: ENOSYS"},
    };
    enum { N = sizeof(cases) / sizeof(cases[0]) };
    struct call calls[N];
    int got[N], sig;

    if (sc == NULL || sfilter_compile(sc, &f, &err) < 0) {
        tap_ok(0, "the default profile compiles: %s", err ? err->msg : "");
        error_free(&err);
        sfilter_profile_free(sc);
        return;
    }
    tap_ok(f->skipped.n == 0 && f->n_stub > 0 && f->n_insns < 4096,
           "it compiles: %zu instructions, a stub of %zu, nothing skipped", f->n_insns, f->n_stub);
    for (size_t i = 0; i < N; i++)
        calls[i] = cases[i].c;
    sig = run_calls(f, calls, N, got);
    tap_is_int(sig, 0, "the child loads it and makes every call");
    for (size_t i = 0; i < N; i++)
        tap_is_int(got[i], cases[i].want, "%s", cases[i].what);
    sfilter_free(f);
    sfilter_profile_free(sc);
}

int
main(void)
{
    test_resolution();
    test_validates();
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) == 0 || errno != EFAULT) {
        tap_ok(1, "behaviour # SKIP seccomp(2) filters are not available here");
        return tap_done();
    }
#if defined(__x86_64__)
    test_behaviour();
#endif
    return tap_done();
}

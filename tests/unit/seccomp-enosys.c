/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp/sfilter-enosys.c: under an errno default, syscalls numbered
 * above every name of the profile fail with ENOSYS; the rest keep their
 * rule or the default errno.  Checked for real, in a child that loads the
 * compiled filter (tests/unit/seccomp-run.h). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "seccomp/sfilter-int.h"
#include "seccomp/sfilter.h"
#include "tests/unit/seccomp-run.h"
#include "tests/unit/tap.h"

#define NAMES(...)                                                                                 \
    ((struct strv){.items = (char *[]){__VA_ARGS__, NULL},                                         \
                   .n = sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)})
#define ENUMS(...)                                                                                 \
    ((struct enumv){.items = (int[]){__VA_ARGS__}, .n = sizeof((int[]){__VA_ARGS__}) / sizeof(int)})

/* An allowlist whose largest name is exit_group (231 on x86_64, 252 on
 * i386), and gettid (186, 224), which fails with 42. */
static struct spec_syscall rules[] = {
    {.names = NAMES("write", "exit_group", "getpid", "getppid"), .action = SPEC_SCMP_ACT_ALLOW},
    {.names = NAMES("gettid"),
     .action = SPEC_SCMP_ACT_ERRNO,
     .has_errno_ret = true,
     .errno_ret = 42},
};

static struct spec_seccomp
profile(int default_action)
{
    return (struct spec_seccomp){
        .default_action = default_action,
        .syscalls = rules,
        .n_syscalls = sizeof(rules) / sizeof(rules[0]),
    };
}

static struct sfilter *
compile(const struct spec_seccomp *sc)
{
    struct error *err = NULL;
    struct sfilter *f = NULL;

    if (sfilter_compile(sc, &f, &err) < 0) {
        tap_diag("compile: %s", err->msg);
        error_free(&err);
        return NULL;
    }
    return f;
}

static void
test_errno_default(void)
{
    struct spec_seccomp sc = profile(SPEC_SCMP_ACT_ERRNO);
    struct sfilter *f = compile(&sc);
    const struct call calls[] = {
        {SYS_getpid, {0}, false},
        {SYS_getuid, {0}, false},     /* below the largest name, not named */
        {SYS_gettid, {0}, false},     /* named, errno 42 */
        {SYS_pidfd_open, {0}, false}, /* above: libseccomp knows it, the profile does not */
        {1000, {0}, false},           /* above: no syscall at all */
    };
    int got[5];

    tap_ok(f != NULL && f->n_stub > 0, "an errno default gets a stub (%zu instructions)",
           f ? f->n_stub : 0);
    if (f == NULL)
        return;
    tap_is_int(run_calls(f, calls, 5, got), 0, "the filter loads and the calls return");
    tap_is_int(got[0], 0, "an allowed syscall works");
    tap_is_int(got[1], EPERM, "a syscall below the largest name keeps the default errno");
    tap_is_int(got[2], 42, "a named syscall keeps its own errno");
    tap_is_int(got[3], ENOSYS, "pidfd_open, newer than the profile, fails with ENOSYS");
    tap_is_int(got[4], ENOSYS, "syscall 1000 fails with ENOSYS");
    sfilter_free(f);

    sc.has_default_errno_ret = true;
    sc.default_errno_ret = 13;
    f = compile(&sc);
    if (f != NULL) {
        tap_is_int(run_calls(f, calls, 5, got), 0, "with defaultErrnoRet 13");
        tap_ok(got[1] == 13 && got[3] == ENOSYS,
               "the default errno below, ENOSYS above (got %d and %d)", got[1], got[3]);
    }
    sfilter_free(f);

    sc.default_errno_ret = ENOSYS;
    f = compile(&sc);
    tap_ok(f != NULL && f->n_stub == 0, "defaultErrnoRet ENOSYS needs no stub");
    sfilter_free(f);
}

static void
test_other_defaults(void)
{
    static const int defaults[] = {SPEC_SCMP_ACT_ALLOW, SPEC_SCMP_ACT_KILL_PROCESS,
                                   SPEC_SCMP_ACT_TRAP, SPEC_SCMP_ACT_LOG};
    const struct call above = {SYS_pidfd_open, {0}, false};

    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        struct spec_seccomp sc = profile(defaults[i]);
        struct sfilter *f = compile(&sc);
        const char *name = spec_enum_name(&spec_enum_seccomp_action, defaults[i]);

        tap_ok(f != NULL && f->n_stub == 0, "default %s gets no stub", name);
        sfilter_free(f);
    }
    /* A kill default stays a kill for what is newer than the profile. */
    {
        struct spec_seccomp sc = profile(SPEC_SCMP_ACT_KILL_PROCESS);
        struct sfilter *f = compile(&sc);
        int got;

        if (f != NULL)
            tap_is_int(run_calls(f, &above, 1, &got), SIGSYS,
                       "under SCMP_ACT_KILL_PROCESS a newer syscall still kills");
        sfilter_free(f);
    }
}

static void
test_i386(void)
{
    struct spec_seccomp sc = profile(SPEC_SCMP_ACT_ERRNO);
    struct sfilter *f;
    /* i386 numbers: getpid 20, getuid 24, gettid 224, fstatat64 300. */
    const struct call calls[] = {
        {20, {0}, true},
        {24, {0}, true},
        {224, {0}, true},
        {300, {0}, true},
    };
    int got[4];

    if (!can_i386()) {
        tap_ok(1, "32-bit calls # SKIP this process cannot make them (no IA32 emulation)");
        return;
    }
    sc.architectures = ENUMS(SPEC_SCMP_ARCH_X86);
    f = compile(&sc);
    if (f == NULL)
        return;
    tap_is_int(run_calls(f, calls, 4, got), 0, "a filter of x86_64 and x86 loads");
    tap_ok(got[0] == 0 && got[1] == EPERM && got[2] == 42 && got[3] == ENOSYS,
           "x86: allowed, default errno, own errno, ENOSYS above its own largest name (got %d "
           "%d %d %d)",
           got[0], got[1], got[2], got[3]);
    sfilter_free(f);
}

static void
test_x32(void)
{
    struct spec_seccomp sc = profile(SPEC_SCMP_ACT_KILL_PROCESS);
    const struct call x32_getpid = {0x40000000L | SYS_getpid, {0}, false};
    struct sfilter *f;
    int got, sig;

    sc.architectures = ENUMS(SPEC_SCMP_ARCH_X86, SPEC_SCMP_ARCH_X32);
    f = compile(&sc);
    if (f == NULL)
        return;
    sig = run_calls(f, &x32_getpid, 1, &got);
    if (f->no_x32) {
        tap_ok(f->n_stub > 0, "x32 left out (this kernel cannot run it): a stub even under a "
                              "kill default");
        tap_ok(sig == 0 && got == ENOSYS,
               "an x32 call gets ENOSYS, what the kernel answers (signal %d, errno %d)", sig, got);
    } else {
        tap_ok(1, "x32 kept # SKIP this kernel runs x32 code, or berth runs under a filter");
        tap_ok(sig == 0 && got == 0, "an x32 getpid works under the x32 section");
    }
    sfilter_free(f);
}

/* Run the stub alone on (ARCH, NR), as the kernel would: 1 when it answers
 * ENOSYS, 0 when it goes on to libseccomp's program, -1 on anything else. */
static int
stub_says(const struct sock_filter *insns, size_t n, uint32_t arch, uint32_t nr)
{
    uint32_t a = 0;

    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *in = &insns[pc];

        switch (in->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            a = in->k == offsetof(struct seccomp_data, arch) ? arch : nr;
            break;
        case BPF_JMP | BPF_JA:
            pc += in->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == in->k ? in->jt : in->jf;
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            pc += a > in->k ? in->jt : in->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= in->k ? in->jt : in->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & in->k) ? in->jt : in->jf;
            break;
        case BPF_RET | BPF_K:
            return in->k == (SECCOMP_RET_ERRNO | ENOSYS) ? 1 : -1;
        default:
            return -1;
        }
    }
    return 0; /* past the stub: libseccomp's first instruction */
}

/* The x86 family with x32 kept (a kernel that runs x32), read by a small
 * BPF interpreter, so that every branch is checked on any kernel. */
static void
test_stub_layout(void)
{
    const uint32_t x32 = 0x40000000U;
    struct spec_seccomp sc = profile(SPEC_SCMP_ACT_ERRNO);
    const uint32_t arches[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32};
    struct sock_filter *stub = NULL;
    struct error *err = NULL;
    size_t n = 0;
    /* exit_group is the largest name: 231 on x86_64 and x32, 252 on i386. */
    static const struct {
        uint32_t arch, nr;
        int want;
        const char *what;
    } cases[] = {
        {AUDIT_ARCH_X86_64, 231, 0, "x86_64: the largest name goes on"},
        {AUDIT_ARCH_X86_64, 232, 1, "x86_64: one above gets ENOSYS"},
        {AUDIT_ARCH_X86_64, 0, 0, "x86_64: read goes on"},
        {AUDIT_ARCH_X86_64, x32 | 231, 0, "x32: its largest name goes on"},
        {AUDIT_ARCH_X86_64, x32 | 300, 1, "x32: above it gets ENOSYS"},
        {AUDIT_ARCH_X86_64, x32 | 520, 0, "x32: the compat range (512 up) goes on"},
        {AUDIT_ARCH_I386, 252, 0, "i386: the largest name goes on"},
        {AUDIT_ARCH_I386, 253, 1, "i386: one above gets ENOSYS"},
        {AUDIT_ARCH_AARCH64, 999, 0, "an architecture outside the filter goes on"},
    };

    if (sfilter_enosys_stub(&sc, arches, 3, false, &stub, &n, &err) < 0 || n == 0) {
        tap_ok(0, "the stub for x86_64, x86 and x32: %s", err ? err->msg : "empty");
        error_free(&err);
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tap_is_int(stub_says(stub, n, cases[i].arch, cases[i].nr), cases[i].want, "%s",
                   cases[i].what);
    free(stub);

    /* x32 left out: every x32 call is answered, native ones as before. */
    if (sfilter_enosys_stub(&sc, arches, 2, true, &stub, &n, &err) == 0 && n > 0) {
        tap_ok(stub_says(stub, n, AUDIT_ARCH_X86_64, x32 | 39) == 1
                   && stub_says(stub, n, AUDIT_ARCH_X86_64, x32 | 520) == 1
                   && stub_says(stub, n, AUDIT_ARCH_X86_64, 39) == 0
                   && stub_says(stub, n, AUDIT_ARCH_X86_64, 232) == 1,
               "without x32: x32 calls get ENOSYS, x86_64 ones are checked as before");
        free(stub);
    } else {
        tap_ok(0, "the stub without x32");
    }
    sc.default_action = SPEC_SCMP_ACT_ALLOW;
    if (sfilter_enosys_stub(&sc, arches, 2, true, &stub, &n, &err) == 0 && n > 0) {
        tap_ok(stub_says(stub, n, AUDIT_ARCH_X86_64, x32 | 39) == 1
                   && stub_says(stub, n, AUDIT_ARCH_X86_64, 1000) == 0,
               "without x32 under an allow default: only x32 calls are answered");
        free(stub);
    } else {
        tap_ok(0, "the x32 stub under an allow default");
    }
}

int
main(void)
{
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) == 0 || errno != EFAULT)
        tap_skip_all("seccomp(2) filters are not available here");
#if !defined(__x86_64__)
    tap_skip_all("the syscall numbers of these tests are x86_64's");
#endif
    test_errno_default();
    test_other_defaults();
    test_i386();
    test_x32();
    test_stub_layout();
    return tap_done();
}

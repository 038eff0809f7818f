/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp/sfilter.c: linux.seccomp -> libseccomp rules -> BPF.
 *
 * Behaviour is checked for real: a forked child sets no_new_privs, loads
 * the compiled program with sfilter_load() and makes getppid(2) with chosen
 * register values (getppid ignores its arguments, the filter sees them),
 * then reports the errno through a pipe; kill actions show as SIGSYS.
 * What does not show in behaviour (architectures, actions data, flags,
 * skipped names, errors) is read from the filter, the pseudo filter code
 * (seccomp_export_pfc) or the error message. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "seccomp/sfilter.h"
#include "tests/unit/tap.h"

#define NAMES(...)                                                                                 \
    ((struct strv){.items = (char *[]){__VA_ARGS__, NULL},                                         \
                   .n = sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)})
#define ARGS(...)                                                                                  \
    .args = (struct spec_seccomp_arg[]){__VA_ARGS__},                                              \
    .n_args = sizeof((struct spec_seccomp_arg[]){__VA_ARGS__}) / sizeof(struct spec_seccomp_arg)
#define ARG(i, o, v)                                                                               \
    {                                                                                              \
        .index = (i), .op = SPEC_SCMP_CMP_##o, .value = (v)                                        \
    }
#define ENUMS(...)                                                                                 \
    ((struct enumv){.items = (int[]){__VA_ARGS__}, .n = sizeof((int[]){__VA_ARGS__}) / sizeof(int)})

/* What the child saw: the errno of getppid (0: it succeeded), or the
 * signal that ended it. */
struct outcome {
    int err;
    int sig;
};

/* A filter whose default is not ALLOW must let the child report and exit. */
static const struct spec_syscall reporting = {
    .names = {.items = (char *[]){"write", "exit", "exit_group", NULL}, .n = 3},
    .action = SPEC_SCMP_ACT_ALLOW,
};

static struct error *err;

static int
compile(const struct spec_seccomp *sc, struct sfilter **ret)
{
    error_free(&err);
    return sfilter_compile(sc, ret, &err);
}

/* Load SC in a child and call getppid(A0, A1).  -1 on a setup failure. */
static int
run_call(const struct spec_seccomp *sc, unsigned long a0, unsigned long a1, struct outcome *o)
{
    struct sfilter *f = NULL;
    int p[2], status, got = -1;
    pid_t pid;

    if (compile(sc, &f) < 0) {
        tap_diag("compile: %s", err ? err->msg : "?");
        return -1;
    }
    if (pipe2(p, O_CLOEXEC) < 0)
        abort();
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        struct error *e = NULL;
        int r;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || sfilter_load(f, &e) < 0)
            syscall(SYS_exit_group, 100);
        r = (int)syscall(SYS_getppid, a0, a1, 0, 0, 0, 0);
        r = r < 0 ? errno : 0;
        syscall(SYS_write, p[1], &r, sizeof(r));
        syscall(SYS_exit_group, 0);
    }
    close(p[1]);
    sfilter_free(f);
    o->err = -1;
    o->sig = 0;
    if (read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
        o->err = got;
    close(p[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            abort();
    if (WIFSIGNALED(status))
        o->sig = WTERMSIG(status);
    else if (WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

/* The errno of getppid(A0, A1) under SC; -1 if the child did not report. */
static int
errno_of(const struct spec_seccomp *sc, unsigned long a0, unsigned long a1)
{
    struct outcome o;

    if (run_call(sc, a0, a1, &o) < 0 || o.sig != 0)
        return -1;
    return o.err;
}

/* An ALLOW filter with one getppid rule: errno 42 when the args match. */
static struct spec_seccomp
one_rule(struct spec_syscall *rule)
{
    static char *getppid_name[] = {"getppid", NULL};

    rule->names = (struct strv){.items = getppid_name, .n = 1};
    if (rule->action == SPEC_SCMP_ACT_UNSET) {
        rule->action = SPEC_SCMP_ACT_ERRNO;
        rule->has_errno_ret = true;
        rule->errno_ret = 42;
    }
    return (struct spec_seccomp){
        .default_action = SPEC_SCMP_ACT_ALLOW,
        .syscalls = rule,
        .n_syscalls = 1,
    };
}

/* The pseudo filter code of SC, or NULL. */
static char *
pfc_of(const struct spec_seccomp *sc)
{
    scmp_filter_ctx ctx = NULL;
    char *text = NULL;
    int fd;
    off_t size;

    error_free(&err);
    if (sfilter_translate(sc, &ctx, NULL, &err) < 0)
        return NULL;
    fd = memfd_create("pfc", MFD_CLOEXEC);
    if (fd >= 0 && seccomp_export_pfc(ctx, fd) == 0 && (size = lseek(fd, 0, SEEK_END)) > 0) {
        text = xcalloc(1, (size_t)size + 1);
        if (pread(fd, text, (size_t)size, 0) != size) {
            free(text);
            text = NULL;
        }
    }
    if (fd >= 0)
        close(fd);
    seccomp_release(ctx);
    return text;
}

static bool
error_is(const char *want)
{
    if (err != NULL && err->msg != NULL && strstr(err->msg, want) != NULL)
        return true;
    tap_diag("error: %s", err && err->msg ? err->msg : "(none)");
    tap_diag("wanted: %s", want);
    return false;
}

static void
test_actions(void)
{
    struct spec_syscall r;
    struct spec_seccomp sc;
    struct outcome o;

    r = (struct spec_syscall){
        .action = SPEC_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = 42};
    sc = one_rule(&r);
    tap_is_int(errno_of(&sc, 0, 0), 42, "SCMP_ACT_ERRNO with errnoRet 42");
    r = (struct spec_syscall){.action = SPEC_SCMP_ACT_ERRNO};
    sc = one_rule(&r);
    tap_is_int(errno_of(&sc, 0, 0), EPERM, "SCMP_ACT_ERRNO without errnoRet is EPERM (runc)");
    r = (struct spec_syscall){
        .action = SPEC_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = 65537};
    sc = one_rule(&r);
    tap_is_int(errno_of(&sc, 0, 0), 4094,
               "an errnoRet above 4094 (libseccomp's largest) is capped, not truncated");
    r = (struct spec_syscall){.action = SPEC_SCMP_ACT_TRACE};
    sc = one_rule(&r);
    tap_is_int(errno_of(&sc, 0, 0), ENOSYS, "SCMP_ACT_TRACE without a tracer fails with ENOSYS");
    r = (struct spec_syscall){.action = SPEC_SCMP_ACT_ALLOW};
    sc = one_rule(&r);
    sc.default_action = SPEC_SCMP_ACT_ERRNO;
    sc.has_default_errno_ret = true;
    sc.default_errno_ret = 7;
    {
        struct spec_syscall both[2] = {r, reporting};

        sc.syscalls = both;
        sc.n_syscalls = 2;
        tap_is_int(errno_of(&sc, 0, 0), 0, "SCMP_ACT_ALLOW under an errno default");
    }
    r = (struct spec_syscall){.action = SPEC_SCMP_ACT_LOG};
    sc = one_rule(&r);
    tap_is_int(errno_of(&sc, 0, 0), 0, "SCMP_ACT_LOG lets the call through");

    static const struct {
        int action;
        const char *name;
    } kills[] = {
        {SPEC_SCMP_ACT_KILL, "SCMP_ACT_KILL"},
        {SPEC_SCMP_ACT_KILL_THREAD, "SCMP_ACT_KILL_THREAD"},
        {SPEC_SCMP_ACT_KILL_PROCESS, "SCMP_ACT_KILL_PROCESS"},
        {SPEC_SCMP_ACT_TRAP, "SCMP_ACT_TRAP"},
    };
    for (size_t i = 0; i < sizeof(kills) / sizeof(kills[0]); i++) {
        r = (struct spec_syscall){.action = kills[i].action};
        sc = one_rule(&r);
        if (run_call(&sc, 0, 0, &o) < 0)
            o.sig = -1;
        tap_is_int(o.sig, SIGSYS, "%s ends the process with SIGSYS", kills[i].name);
    }
}

static void
test_action_data(void)
{
    struct spec_syscall r = {.action = SPEC_SCMP_ACT_TRACE, .has_errno_ret = true, .errno_ret = 7};
    struct spec_seccomp sc = one_rule(&r);
    char *pfc = pfc_of(&sc);

    tap_ok(pfc && strstr(pfc, "action TRACE(7);"), "SCMP_ACT_TRACE takes errnoRet as its data");
    free(pfc);
    r = (struct spec_syscall){.action = SPEC_SCMP_ACT_TRACE};
    sc = one_rule(&r);
    pfc = pfc_of(&sc);
    tap_ok(pfc && strstr(pfc, "action TRACE(1);"), "SCMP_ACT_TRACE defaults to EPERM (runc)");
    free(pfc);
    r = (struct spec_syscall){.action = SPEC_SCMP_ACT_KILL};
    sc = one_rule(&r);
    pfc = pfc_of(&sc);
    tap_ok(pfc && strstr(pfc, "action KILL;") && !strstr(pfc, "KILL_PROCESS"),
           "SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD");
    free(pfc);
}

static void
test_default_action(void)
{
    struct spec_syscall rules[1] = {reporting};
    struct spec_seccomp sc = {
        .default_action = SPEC_SCMP_ACT_ERRNO,
        .has_default_errno_ret = true,
        .default_errno_ret = 38,
        .syscalls = rules,
        .n_syscalls = 1,
    };
    struct outcome o;

    tap_is_int(errno_of(&sc, 0, 0), 38, "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 38");
    sc.has_default_errno_ret = false;
    tap_is_int(errno_of(&sc, 0, 0), EPERM, "defaultAction SCMP_ACT_ERRNO defaults to EPERM");
    sc.default_action = SPEC_SCMP_ACT_KILL_PROCESS;
    if (run_call(&sc, 0, 0, &o) < 0)
        o.sig = -1;
    tap_is_int(o.sig, SIGSYS, "defaultAction SCMP_ACT_KILL_PROCESS");
}

/* Each operator against the value 10, with the argument below, at and
 * above it. */
static void
test_operators(void)
{
    static const struct {
        int op;
        const char *name;
        bool match[3]; /* 9, 10, 11 */
    } ops[] = {
        {SPEC_SCMP_CMP_NE, "SCMP_CMP_NE", {true, false, true}},
        {SPEC_SCMP_CMP_LT, "SCMP_CMP_LT", {true, false, false}},
        {SPEC_SCMP_CMP_LE, "SCMP_CMP_LE", {true, true, false}},
        {SPEC_SCMP_CMP_EQ, "SCMP_CMP_EQ", {false, true, false}},
        {SPEC_SCMP_CMP_GE, "SCMP_CMP_GE", {false, true, true}},
        {SPEC_SCMP_CMP_GT, "SCMP_CMP_GT", {false, false, true}},
    };

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        struct spec_seccomp_arg a = {.index = 1, .op = ops[i].op, .value = 10};
        struct spec_syscall r = {.args = &a, .n_args = 1};
        struct spec_seccomp sc = one_rule(&r);
        int got[3];

        for (int k = 0; k < 3; k++)
            got[k] = errno_of(&sc, 0, 9 + (unsigned long)k);
        tap_ok(got[0] == (ops[i].match[0] ? 42 : 0) && got[1] == (ops[i].match[1] ? 42 : 0)
                   && got[2] == (ops[i].match[2] ? 42 : 0),
               "%s 10 on args[1]: 9, 10, 11 give %d %d %d", ops[i].name, got[0], got[1], got[2]);
    }

    /* MASKED_EQ: (arg & value) == valueTwo. */
    struct spec_seccomp_arg m = {.index = 0,
                                 .op = SPEC_SCMP_CMP_MASKED_EQ,
                                 .value = 0xf0,
                                 .has_value_two = true,
                                 .value_two = 0x30};
    struct spec_syscall r = {.args = &m, .n_args = 1};
    struct spec_seccomp sc = one_rule(&r);

    tap_is_int(errno_of(&sc, 0x35, 0), 42, "SCMP_CMP_MASKED_EQ: 0x35 & 0xf0 == 0x30 matches");
    tap_is_int(errno_of(&sc, 0x45, 0), 0, "SCMP_CMP_MASKED_EQ: 0x45 & 0xf0 != 0x30");
    m.has_value_two = false;
    tap_is_int(errno_of(&sc, 0x0f, 0), 42, "SCMP_CMP_MASKED_EQ: valueTwo absent is 0");

    /* The comparisons are on 64 bits. */
    struct spec_seccomp_arg e = ARG(0, EQ, 5);
    r = (struct spec_syscall){.args = &e, .n_args = 1};
    sc = one_rule(&r);
    tap_is_int(errno_of(&sc, 0x100000005UL, 0), 0, "SCMP_CMP_EQ 5 does not match 0x100000005");
    e.value = 0x100000005UL;
    tap_is_int(errno_of(&sc, 0x100000005UL, 0), 42, "SCMP_CMP_EQ on a 64-bit value");
}

static void
test_conditions(void)
{
    struct spec_syscall r = {ARGS(ARG(0, EQ, 1), ARG(1, EQ, 2))};
    struct spec_seccomp sc = one_rule(&r);

    tap_is_int(errno_of(&sc, 1, 2), 42, "conditions on different args: both hold");
    tap_is_int(errno_of(&sc, 1, 3), 0, "conditions on different args are AND-ed");

    /* runc: conditions on the same argument become one rule each. */
    r = (struct spec_syscall){ARGS(ARG(0, EQ, 1), ARG(0, EQ, 2))};
    sc = one_rule(&r);
    tap_ok(errno_of(&sc, 1, 0) == 42 && errno_of(&sc, 2, 0) == 42,
           "conditions on the same arg: either one matches (one rule each, as runc)");
    tap_is_int(errno_of(&sc, 3, 0), 0, "conditions on the same arg: neither holds");
    r = (struct spec_syscall){ARGS(ARG(0, EQ, 1), ARG(1, EQ, 2), ARG(0, EQ, 3))};
    sc = one_rule(&r);
    tap_ok(errno_of(&sc, 9, 2) == 42 && errno_of(&sc, 3, 0) == 42 && errno_of(&sc, 9, 9) == 0,
           "a repeated arg splits every condition of the rule, as runc");
}

static void
test_names(void)
{
    struct spec_syscall r = {.action = SPEC_SCMP_ACT_ERRNO,
                             .has_errno_ret = true,
                             .errno_ret = 42,
                             .names = NAMES("berth_no_such_syscall", "getppid", "nor_this_one")};
    struct spec_seccomp sc = {
        .default_action = SPEC_SCMP_ACT_ALLOW, .syscalls = &r, .n_syscalls = 1};
    struct sfilter *f = NULL;

    tap_is_int(compile(&sc, &f), 0, "unknown syscall names do not fail the filter");
    tap_is_int(f ? f->skipped.n : 0, 2, "both unknown names are listed");
    if (f && f->skipped.n == 2) {
        tap_ok(strstr(f->skipped.items[0], "linux.seccomp.syscalls[0].names[0]")
                   && strstr(f->skipped.items[0], "'berth_no_such_syscall'"),
               "the line names the field and the syscall: %s", f->skipped.items[0]);
        tap_ok(strstr(f->skipped.items[1], "names[2]") != NULL, "second skipped is names[2]");
    }
    sfilter_free(f);
    tap_is_int(errno_of(&sc, 0, 0), 42, "the rule still applies to the known name");

    /* A name of another architecture of the filter resolves to a
     * pseudo-syscall, which libseccomp handles per architecture. */
    r.names = NAMES("socketcall");
    f = NULL;
    tap_is_int(compile(&sc, &f), 0, "a syscall of another architecture compiles");
    tap_is_int(f ? f->skipped.n : 1, 0, "and is not reported as unknown");
    sfilter_free(f);
}

static void
test_redundant_rule(void)
{
    struct spec_syscall r = {.action = SPEC_SCMP_ACT_ERRNO, .names = NAMES("getppid")};
    struct spec_seccomp sc = {
        .default_action = SPEC_SCMP_ACT_ERRNO, .syscalls = &r, .n_syscalls = 1};
    struct sfilter *f = NULL;

    /* libseccomp refuses a rule with the default action (EACCES). */
    tap_is_int(compile(&sc, &f), 0, "a rule with the default action is left out");
    sfilter_free(f);
    r.has_errno_ret = true;
    r.errno_ret = 9;
    f = NULL;
    tap_is_int(compile(&sc, &f), 0, "ERRNO(9) under ERRNO(EPERM) is a different action");
    sfilter_free(f);
}

static void
test_architectures(void)
{
    struct spec_syscall r = {.action = SPEC_SCMP_ACT_ERRNO};
    struct spec_seccomp sc = one_rule(&r);
    char *pfc;

    sc.architectures = ENUMS(SPEC_SCMP_ARCH_X86);
    pfc = pfc_of(&sc);
    tap_ok(pfc && strstr(pfc, "filter for arch x86 (") != NULL, "architectures adds x86");
#if defined(__x86_64__)
    tap_ok(pfc && strstr(pfc, "filter for arch x86_64 (") != NULL,
           "the native architecture is always there");
#else
    tap_ok(1, "the native architecture is always there # SKIP not x86_64");
#endif
    free(pfc);
    sc.architectures = ENUMS(SPEC_SCMP_ARCH_X86, SPEC_SCMP_ARCH_X86_64, SPEC_SCMP_ARCH_X32);
    pfc = pfc_of(&sc);
    tap_ok(pfc != NULL, "the native architecture listed again is fine");
    free(pfc);
    if (seccomp_arch_resolve_name("loongarch64") == 0) {
        sc.architectures = ENUMS(SPEC_SCMP_ARCH_X86, SPEC_SCMP_ARCH_LOONGARCH64);
        pfc = pfc_of(&sc);
        tap_ok(pfc == NULL && error_is("linux.seccomp.architectures[1]: libseccomp")
                   && error_is("SCMP_ARCH_LOONGARCH64"),
               "an architecture libseccomp lacks is an error naming it");
        free(pfc);
    } else {
        tap_ok(1, "an architecture libseccomp lacks # SKIP this libseccomp has them all");
    }
}

static void
test_flags(void)
{
    struct spec_syscall r = {.action = SPEC_SCMP_ACT_ERRNO};
    struct spec_seccomp sc = one_rule(&r);
    struct sfilter *f = NULL;

    sc.flags = ENUMS(SPEC_SCMP_FLAG_TSYNC, SPEC_SCMP_FLAG_LOG, SPEC_SCMP_FLAG_SPEC_ALLOW);
    tap_is_int(compile(&sc, &f), 0, "TSYNC, LOG and SPEC_ALLOW compile");
    tap_is_int(f ? f->flags : 0,
               SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW,
               "and become the seccomp(2) flags");
    sfilter_free(f);
    tap_is_int(errno_of(&sc, 0, 0), EPERM, "a filter with those flags loads and works");
    sc.flags = ENUMS(SPEC_SCMP_FLAG_WAIT_KILLABLE_RECV);
    f = NULL;
    if (compile(&sc, &f) == 0)
        tap_is_int(f->flags, 0, "WAIT_KILLABLE_RECV without a notify rule is left out");
    else
        tap_ok(error_is("linux.seccomp.flags[0]: this kernel does not support "
                        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
               "WAIT_KILLABLE_RECV refused by this kernel, naming the flag");
    sfilter_free(f);
    sc.flags = ENUMS(SPEC_SCMP_FLAG_TSYNC, SPEC_SCMP_FLAG_UNSET);
    f = NULL;
    tap_ok(compile(&sc, &f) < 0 && error_is("linux.seccomp.flags[1]"), "an unset flag is refused");
    sfilter_free(f);
}

static void
test_errors(void)
{
    struct spec_syscall rules[3] = {
        {.names = NAMES("getpid"), .action = SPEC_SCMP_ACT_ALLOW},
        {.names = NAMES("getuid"), .action = SPEC_SCMP_ACT_ALLOW},
        {.names = NAMES("getppid"), .action = SPEC_SCMP_ACT_NOTIFY},
    };
    struct spec_seccomp sc = {.default_action = SPEC_SCMP_ACT_ERRNO,
                              .listener_path = (char *)"/run/agent.sock",
                              .syscalls = rules,
                              .n_syscalls = 3};
    struct sfilter *f = NULL;

    tap_ok(compile(&sc, &f) == -ENOENT
               && error_is("linux.seccomp.listenerPath '/run/agent.sock': No such file"),
           "SCMP_ACT_NOTIFY with a listenerPath that does not exist names the field");
    tap_ok(f == NULL, "nothing is returned on failure");

    rules[2] = (struct spec_syscall){.names = NAMES("getppid"),
                                     .action = SPEC_SCMP_ACT_ALLOW,
                                     ARGS(ARG(0, EQ, 1), ARG(6, EQ, 1))};
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.syscalls[2].args[1].index: 6 is out of range"),
           "an argument index above 5 names the field");
    rules[2].args[1] = (struct spec_seccomp_arg){.index = 1};
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.syscalls[2].args[1].op: required"),
           "a missing operator names the field");
    rules[2].args[1].op = SPEC_SCMP_CMP__COUNT;
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.syscalls[2].args[1].op: unknown operator"),
           "an unknown operator names the field");
    rules[1].has_errno_ret = true;
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.syscalls[1].errnoRet: SCMP_ACT_ALLOW takes no errno"),
           "an errnoRet on an action without one names the field (config-linux.md MUST)");
    rules[1].has_errno_ret = false;
    rules[1].action = SPEC_SCMP_ACT_UNSET;
    tap_ok(compile(&sc, &f) == -EINVAL && error_is("linux.seccomp.syscalls[1].action: required"),
           "a missing action names the field");
    rules[1].action = SPEC_SCMP_ACT_ALLOW;
    rules[2].args[1].op = SPEC_SCMP_CMP_EQ;
    sc.default_action = SPEC_SCMP_ACT_KILL;
    sc.has_default_errno_ret = true;
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.defaultErrnoRet: SCMP_ACT_KILL takes no errno"),
           "a defaultErrnoRet on a default action without one names the field");
    sc.default_action = SPEC_SCMP_ACT_UNSET;
    tap_ok(compile(&sc, &f) == -EINVAL && error_is("linux.seccomp.defaultAction: required"),
           "a missing default action names the field");
    tap_ok(f == NULL, "still nothing returned");
}

/* A unix socket bound at a fresh path, for listenerPath; "" if none. */
static char agent_dir[64];
static char agent_path[128];

static const char *
agent_socket(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (agent_path[0] != '\0')
        return agent_path;
    strcpy(agent_dir, "/tmp/berth-unit-XXXXXX");
    if (mkdtemp(agent_dir) == NULL)
        return "";
    snprintf(agent_path, sizeof(agent_path), "%s/agent.sock", agent_dir);
    memcpy(sa.sun_path, agent_path, strlen(agent_path) + 1); /* 38 bytes */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        agent_path[0] = '\0';
    if (fd >= 0)
        close(fd);
    return agent_path;
}

/* The child loads F, sends the listener over SOCK and calls getppid; the
 * parent answers the notification with errno 42.  The child's errno, or
 * -1. */
static int
notify_round_trip(struct sfilter *f)
{
    int sp[2], p[2], status, got = -1, listener = -1;
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(p, O_CLOEXEC) < 0)
        abort();
    pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        struct error *e = NULL;
        int fd = -1, r;
        char one = 1;
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int))];
        } u = {0};
        struct iovec iov = {.iov_base = &one, .iov_len = 1};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || (fd = sfilter_load(f, &e)) <= 0)
            syscall(SYS_exit_group, 100);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        if (sendmsg(sp[1], &mh, 0) != 1)
            syscall(SYS_exit_group, 101);
        r = (int)syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
        r = r < 0 ? errno : 0;
        syscall(SYS_write, p[1], &r, sizeof(r));
        syscall(SYS_exit_group, 0);
    }
    close(sp[1]);
    close(p[1]);
    {
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int))];
        } u;
        char one;
        struct iovec iov = {.iov_base = &one, .iov_len = 1};
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};

        if (recvmsg(sp[0], &mh, MSG_CMSG_CLOEXEC) == 1 && CMSG_FIRSTHDR(&mh) != NULL)
            memcpy(&listener, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
    }
    if (listener >= 0) {
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;

        memset(&req, 0, sizeof(req));
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0) {
            memset(&resp, 0, sizeof(resp));
            resp.id = req.id;
            resp.error = req.data.nr == SYS_getppid ? -42 : -1;
            if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
                tap_diag("SECCOMP_IOCTL_NOTIF_SEND: %s", strerror(errno));
        }
        close(listener);
    }
    if (read(p[0], &got, sizeof(got)) != (ssize_t)sizeof(got))
        got = -1;
    close(p[0]);
    close(sp[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            abort();
    return got;
}

static void
test_notify(void)
{
    struct spec_syscall rules[2] = {
        {.names = NAMES("getppid"), .action = SPEC_SCMP_ACT_NOTIFY},
        {.names = NAMES("getpid"), .action = SPEC_SCMP_ACT_ERRNO},
    };
    struct spec_seccomp sc = {.default_action = SPEC_SCMP_ACT_ALLOW,
                              .listener_path = (char *)agent_socket(),
                              .syscalls = rules,
                              .n_syscalls = 2};
    struct sfilter *f = NULL;

    if (sc.listener_path[0] == '\0') {
        tap_ok(1, "notify # SKIP cannot bind a unix socket in /tmp");
        return;
    }
    tap_is_int(compile(&sc, &f), 0, "SCMP_ACT_NOTIFY compiles with a socket at listenerPath");
    tap_ok(f && f->notify && (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER),
           "and is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER");
    if (f != NULL)
        tap_is_int(notify_round_trip(f), 42,
                   "sfilter_load returns the listener, whose answer the notified call gets");
    sfilter_free(f);

    sc.flags = ENUMS(SPEC_SCMP_FLAG_WAIT_KILLABLE_RECV, SPEC_SCMP_FLAG_TSYNC);
    f = NULL;
    if (compile(&sc, &f) == 0) {
        tap_ok((f->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
                   && (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER),
               "WAIT_KILLABLE_RECV is kept with a notify rule");
        tap_ok(!(f->flags & SECCOMP_FILTER_FLAG_TSYNC)
                   || (f->flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH),
               "TSYNC comes with TSYNC_ESRCH next to NEW_LISTENER (or is dropped)");
        tap_is_int(notify_round_trip(f), 42, "and that filter loads and notifies");
    } else {
        tap_ok(error_is("this kernel does not support"), "flags refused by this kernel # SKIP");
        tap_ok(1, "# SKIP");
        tap_ok(1, "# SKIP");
    }
    sfilter_free(f);
    sc.flags = (struct enumv){0};

    rules[1] =
        (struct spec_syscall){.names = NAMES("getpid", "sendmsg"), .action = SPEC_SCMP_ACT_NOTIFY};
    f = NULL;
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.syscalls[1].names[1]: SCMP_ACT_NOTIFY on 'sendmsg' is "
                           "not supported"),
           "SCMP_ACT_NOTIFY on sendmsg, init's hand-off, is refused naming it");
    rules[1].names = NAMES("close", "recvmsg");
    tap_is_int(compile(&sc, &f), 0, "close and recvmsg may be notified");
    sfilter_free(f);
    f = NULL;

    rules[1] = (struct spec_syscall){.names = NAMES("getpid"), .action = SPEC_SCMP_ACT_ALLOW};
    sc.default_action = SPEC_SCMP_ACT_NOTIFY;
    tap_ok(compile(&sc, &f) == -EINVAL
               && error_is("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default"),
           "SCMP_ACT_NOTIFY as the default action is refused");
    sc.default_action = SPEC_SCMP_ACT_ALLOW;
    sc.listener_path = (char *)"/proc/self/status";
    tap_ok(compile(&sc, &f) == -ENOTSOCK
               && error_is("linux.seccomp.listenerPath '/proc/self/status': not a socket"),
           "a listenerPath that is no socket is refused");
    sc.listener_path = NULL;
    tap_ok(compile(&sc, &f) == -EINVAL && error_is("linux.seccomp.listenerPath: required"),
           "a notify rule without listenerPath is refused");
    tap_ok(f == NULL, "nothing returned");
    unlink(agent_path);
    rmdir(agent_dir);
}

/* Many rules: libseccomp's binary tree (above 32), and the kernel's limit
 * of 4096 instructions caught at compile time. */
static void
test_sizes(void)
{
    enum { MANY = 5000 };
    static char *getppid_name[] = {"getppid", NULL};
    struct spec_seccomp_arg *args = xcalloc(MANY, sizeof(*args));
    struct spec_syscall *rules = xcalloc(MANY + 1, sizeof(*rules));
    struct spec_seccomp sc = {.default_action = SPEC_SCMP_ACT_ALLOW, .syscalls = rules};
    struct sfilter *f = NULL;

    for (size_t i = 0; i < MANY; i++) {
        args[i] = (struct spec_seccomp_arg){.index = 0, .op = SPEC_SCMP_CMP_EQ, .value = i};
        rules[i] = (struct spec_syscall){.names = {.items = getppid_name, .n = 1},
                                         .action = SPEC_SCMP_ACT_ERRNO,
                                         .has_errno_ret = true,
                                         .errno_ret = 42,
                                         .args = &args[i],
                                         .n_args = 1};
    }
    sc.n_syscalls = 40;
    tap_ok(errno_of(&sc, 39, 0) == 42 && errno_of(&sc, 40, 0) == 0,
           "40 rules (binary-tree optimisation) behave");
    sc.n_syscalls = MANY;
    tap_ok(compile(&sc, &f) == -EINVAL && error_is("more than the kernel's limit of 4096"),
           "a filter over 4096 instructions fails at compile time");
    free(rules);
    free(args);
}

int
main(void)
{
    /* A NULL program fails with EFAULT where seccomp filters work. */
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) == 0 || errno != EFAULT)
        tap_skip_all("seccomp(2) filters are not available here");
    test_actions();
    test_action_data();
    test_default_action();
    test_operators();
    test_conditions();
    test_names();
    test_redundant_rule();
    test_architectures();
    test_flags();
    test_errors();
    test_notify();
    test_sizes();
    error_free(&err);
    return tap_done();
}

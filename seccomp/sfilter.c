/* SPDX-License-Identifier: Apache-2.0 */
/* sfilter_compile(): linux.seccomp -> libseccomp rules -> BPF, in the
 * parent.  See sfilter.h for the translation rules and why they are
 * runc's. */
#include "seccomp/sfilter.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "seccomp/sfilter-int.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1U << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1U << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1U << 5)
#endif

/* The kernel refuses longer programs (BPF_MAXINSNS, linux/bpf_common.h). */
#define SFILTER_MAX_INSNS 4096

/* Above this many syscall names, berth asks libseccomp for a binary tree of
 * syscall numbers instead of a linear scan, as runc does above this many
 * rules (one name each in runc's config); libseccomp <= 2.5.4 misbehaves
 * with the tree and no rules at all, hence a threshold rather than always.
 * Counting entries instead would leave a profile that groups its names,
 * like the default one (20-odd entries, 300-odd names), linear: a longer
 * walk for every syscall, and a load several times slower, since the
 * kernel runs the filter for every syscall number when it is installed
 * (its action cache). */
#define SFILTER_OPTIMIZE_ABOVE 32

static void
scmp_releasep(scmp_filter_ctx *ctx)
{
    if (*ctx != NULL)
        seccomp_release(*ctx);
}

const char *
sfilter_libseccomp_version(char *buf, size_t size)
{
    const struct scmp_version *v = seccomp_version();

    if (v == NULL)
        snprintf(buf, size, "(unknown version)");
    else
        snprintf(buf, size, "%u.%u.%u", v->major, v->minor, v->micro);
    return buf;
}

/* libseccomp's action value for a spec action.  config-linux.md, errnoRet:
 * "When the action doesn't support an errno, the runtime MUST print and
 * error and fail" (-ENOMSG; the validator says so first).  runc's
 * defaults: EPERM for both ERRNO and TRACE.  The kernel caps an errno at
 * MAX_ERRNO (4095), but libseccomp refuses 4095 itself (EINVAL), so berth
 * caps at 4094, and the validator warns above it; capping comes before the
 * low 16 bits are kept (where 65537 would become errno 1, as in runc). */
#define SFILTER_MAX_ERRNO 4094

static int
action_value(int action, bool has_errno, uint32_t errno_ret, uint32_t *ret)
{
    uint32_t data = has_errno ? errno_ret : EPERM;

    if (has_errno && action != SPEC_SCMP_ACT_ERRNO && action != SPEC_SCMP_ACT_TRACE
        && spec_enum_name(&spec_enum_seccomp_action, action) != NULL)
        return -ENOMSG;
    switch ((enum spec_seccomp_action)action) {
    case SPEC_SCMP_ACT_KILL:
    case SPEC_SCMP_ACT_KILL_THREAD:
        *ret = SCMP_ACT_KILL_THREAD;
        return 0;
    case SPEC_SCMP_ACT_KILL_PROCESS:
        *ret = SCMP_ACT_KILL_PROCESS;
        return 0;
    case SPEC_SCMP_ACT_TRAP:
        *ret = SCMP_ACT_TRAP;
        return 0;
    case SPEC_SCMP_ACT_ERRNO:
        *ret = SCMP_ACT_ERRNO(data > SFILTER_MAX_ERRNO ? SFILTER_MAX_ERRNO : data);
        return 0;
    case SPEC_SCMP_ACT_TRACE:
        *ret = SCMP_ACT_TRACE(data);
        return 0;
    case SPEC_SCMP_ACT_ALLOW:
        *ret = SCMP_ACT_ALLOW;
        return 0;
    case SPEC_SCMP_ACT_LOG:
        *ret = SCMP_ACT_LOG;
        return 0;
    case SPEC_SCMP_ACT_NOTIFY:
        *ret = SCMP_ACT_NOTIFY;
        return 0;
    case SPEC_SCMP_ACT_UNSET:
    case SPEC_SCMP_ACT__COUNT:
        break;
    }
    return -EINVAL;
}

/* FIELD is the action's JSON path, ERRNO_FIELD its errno's. */
static int
action_error(int rc, int action, const char *field, const char *errno_field, struct error **err)
{
    const char *name = spec_enum_name(&spec_enum_seccomp_action, action);

    if (rc == -ENOMSG)
        return error_setx(err, EINVAL,
                          "%s: %s takes no errno (only SCMP_ACT_ERRNO and "
                          "SCMP_ACT_TRACE do)",
                          errno_field, name);
    if (rc == -EOPNOTSUPP)
        return error_setx(err, EINVAL,
                          "%s: SCMP_ACT_NOTIFY cannot be the default action: it would stop "
                          "init's own syscalls before the agent has the notify fd",
                          field);
    if (name == NULL)
        return error_setx(err, EINVAL, "%s: required", field);
    return error_setx(err, EINVAL, "%s: unknown action %s", field, name);
}

static int
compare_op(int op, enum scmp_compare *ret)
{
    switch ((enum spec_seccomp_op)op) {
    case SPEC_SCMP_CMP_NE:
        *ret = SCMP_CMP_NE;
        return 0;
    case SPEC_SCMP_CMP_LT:
        *ret = SCMP_CMP_LT;
        return 0;
    case SPEC_SCMP_CMP_LE:
        *ret = SCMP_CMP_LE;
        return 0;
    case SPEC_SCMP_CMP_EQ:
        *ret = SCMP_CMP_EQ;
        return 0;
    case SPEC_SCMP_CMP_GE:
        *ret = SCMP_CMP_GE;
        return 0;
    case SPEC_SCMP_CMP_GT:
        *ret = SCMP_CMP_GT;
        return 0;
    case SPEC_SCMP_CMP_MASKED_EQ:
        *ret = SCMP_CMP_MASKED_EQ;
        return 0;
    case SPEC_SCMP_CMP_UNSET:
    case SPEC_SCMP_CMP__COUNT:
        break;
    }
    return -EINVAL;
}

uint32_t
sfilter_arch_token(int arch)
{
    const char *name = spec_enum_name(&spec_enum_seccomp_arch, arch);
    char lower[32];
    size_t i;

    if (name == NULL || strncmp(name, "SCMP_ARCH_", 10) != 0)
        return 0;
    name += 10;
    for (i = 0; name[i] != '\0' && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[i] = '\0';
    return seccomp_arch_resolve_name(lower);
}

static int
add_architectures(scmp_filter_ctx ctx, const struct spec_seccomp *sc, bool no_x32,
                  struct error **err)
{
    char v[32];

    for (size_t i = 0; i < sc->architectures.n; i++) {
        int arch = sc->architectures.items[i];
        uint32_t token = sfilter_arch_token(arch);
        int rc;

        if (token == 0)
            return error_setx(err, EINVAL,
                              "linux.seccomp.architectures[%zu]: libseccomp %s does not support "
                              "the architecture %s",
                              i, sfilter_libseccomp_version(v, sizeof(v)),
                              spec_enum_name(&spec_enum_seccomp_arch, arch)
                                  ? spec_enum_name(&spec_enum_seccomp_arch, arch)
                                  : "(unset)");
        if (no_x32 && token == SCMP_ARCH_X32)
            continue;
        rc = seccomp_arch_add(ctx, token);
        /* EEXIST: the native architecture, always there, or a repeat. */
        if (rc < 0 && rc != -EEXIST)
            return error_set(err, -rc, "linux.seccomp.architectures[%zu]: add %s", i,
                             spec_enum_name(&spec_enum_seccomp_arch, arch));
    }
    return 0;
}

/* Does any argument index appear in two conditions? */
static bool
has_repeated_index(const struct spec_syscall *s)
{
    unsigned seen = 0;

    for (size_t i = 0; i < s->n_args; i++) {
        if (seen & (1U << s->args[i].index))
            return true;
        seen |= 1U << s->args[i].index;
    }
    return false;
}

static int
build_conditions(const struct spec_syscall *s, size_t rule, struct scmp_arg_cmp *conds,
                 struct error **err)
{
    for (size_t k = 0; k < s->n_args; k++) {
        const struct spec_seccomp_arg *a = &s->args[k];
        enum scmp_compare op;

        /* seccomp_data holds six arguments. */
        if (a->index > 5)
            return error_setx(err, EINVAL,
                              "linux.seccomp.syscalls[%zu].args[%zu].index: %" PRIu32
                              " is out of range (0 to 5)",
                              rule, k, a->index);
        if (compare_op(a->op, &op) < 0)
            return error_setx(err, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].op: %s", rule, k,
                              a->op == SPEC_SCMP_CMP_UNSET ? "required" : "unknown operator");
        /* datum_a is the mask of SCMP_CMP_MASKED_EQ, datum_b the value it
         * must give; the other operators read datum_a only. */
        conds[k] = (struct scmp_arg_cmp){
            .arg = a->index,
            .op = op,
            .datum_a = a->value,
            .datum_b = a->has_value_two ? a->value_two : 0,
        };
    }
    return 0;
}

/* The syscall that hands the listener from init to `berth start`
 * (runtime/filter.c): notified, it would wait for an answer from an agent
 * that can only get the listener through it.  What init does after it
 * (close, recvmsg while it waits, execve) reaches the agent, which by then
 * has the listener, as in runc (which refuses only write, its hand-off). */
static bool
is_handoff_syscall(int nr)
{
    return nr == SYS_sendmsg;
}

/* The rules for one name of syscalls[RULE]. */
static int
add_name(scmp_filter_ctx ctx, const struct spec_syscall *s, size_t rule, size_t j, uint32_t action,
         const struct scmp_arg_cmp *conds, struct strv *skipped, struct error **err)
{
    const char *name = s->names.items[j];
    /* A name of another architecture of the filter resolves to a negative
     * pseudo-syscall number that libseccomp maps per architecture; only a
     * name unknown everywhere is skipped. */
    int nr = seccomp_syscall_resolve_name(name);
    int rc;

    if (action == SCMP_ACT_NOTIFY && is_handoff_syscall(nr))
        return error_setx(err, EINVAL,
                          "linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY on '%s' is not "
                          "supported: init hands the notify fd over with it, so the agent could "
                          "never answer",
                          rule, j, name);
    if (nr == __NR_SCMP_ERROR) {
        char v[32];

        if (skipped != NULL)
            strv_push(skipped, xasprintf("linux.seccomp.syscalls[%zu].names[%zu]: libseccomp %s "
                                         "does not know the syscall '%s': skipped",
                                         rule, j, sfilter_libseccomp_version(v, sizeof(v)), name));
        return 0;
    }
    if (s->n_args == 0 || !has_repeated_index(s)) {
        rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)s->n_args, conds);
        if (rc < 0)
            return error_set(err, -rc, "linux.seccomp.syscalls[%zu].names[%zu] '%s': add rule",
                             rule, j, name);
        return 0;
    }
    /* runc: "If two or more arguments have the same condition, revert to
     * old behavior, adding each condition as a separate rule". */
    for (size_t k = 0; k < s->n_args; k++) {
        rc = seccomp_rule_add_array(ctx, action, nr, 1, &conds[k]);
        if (rc < 0)
            return error_set(
                err, -rc, "linux.seccomp.syscalls[%zu].args[%zu]: add rule for '%s' (names[%zu])",
                rule, k, name, j);
    }
    return 0;
}

static int
add_syscall(scmp_filter_ctx ctx, const struct spec_syscall *s, size_t rule, uint32_t default_action,
            struct strv *skipped, struct error **err)
{
    _cleanup_free_ char *field = xasprintf("linux.seccomp.syscalls[%zu].action", rule);
    _cleanup_free_ char *errno_field = xasprintf("linux.seccomp.syscalls[%zu].errnoRet", rule);
    _cleanup_free_ struct scmp_arg_cmp *conds = NULL;
    uint32_t action;
    int rc;

    rc = action_value(s->action, s->has_errno_ret, s->errno_ret, &action);
    if (rc < 0)
        return action_error(rc, s->action, field, errno_field, err);
    /* The same as the default: nothing to add (libseccomp says EACCES). */
    if (action == default_action)
        return 0;
    conds = xcalloc(s->n_args + 1, sizeof(*conds));
    rc = build_conditions(s, rule, conds, err);
    if (rc < 0)
        return rc;
    for (size_t j = 0; j < s->names.n; j++) {
        rc = add_name(ctx, s, rule, j, action, conds, skipped, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static size_t
count_names(const struct spec_seccomp *sc)
{
    size_t n = 0;

    for (size_t i = 0; i < sc->n_syscalls; i++)
        n += sc->syscalls[i].names.n;
    return n;
}

/* sfilter_translate(), NO_X32: without the x32 section (see
 * kernel_lacks_x32()). */
static int
translate(const struct spec_seccomp *sc, bool no_x32, scmp_filter_ctx *ret_ctx,
          struct strv *skipped, struct error **err)
{
    _cleanup_(scmp_releasep) scmp_filter_ctx ctx = NULL;
    uint32_t default_action;
    int rc;

    rc = action_value(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret,
                      &default_action);
    /* Also refused by the validator (as by runc): see sfilter.h. */
    if (rc == 0 && sc->default_action == SPEC_SCMP_ACT_NOTIFY)
        rc = -EOPNOTSUPP;
    if (rc < 0)
        return action_error(rc, sc->default_action, "linux.seccomp.defaultAction",
                            "linux.seccomp.defaultErrnoRet", err);
    ctx = seccomp_init(default_action);
    if (ctx == NULL) {
        char v[32];

        /* libseccomp checks the action against the kernel too. */
        return error_setx(err, EINVAL,
                          "linux.seccomp.defaultAction: libseccomp %s cannot use %s on this kernel",
                          sfilter_libseccomp_version(v, sizeof(v)),
                          spec_enum_name(&spec_enum_seccomp_action, sc->default_action));
    }
    rc = add_architectures(ctx, sc, no_x32, err);
    if (rc < 0)
        return rc;
    /* Best effort, as runc: a libseccomp without it makes a linear filter. */
    if (count_names(sc) > SFILTER_OPTIMIZE_ABOVE)
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        rc = add_syscall(ctx, &sc->syscalls[i], i, default_action, skipped, err);
        if (rc < 0)
            return rc;
    }
    *ret_ctx = TAKE_PTR(ctx);
    return 0;
}

int
sfilter_translate(const struct spec_seccomp *sc, scmp_filter_ctx *ret_ctx, struct strv *skipped,
                  struct error **err)
{
    return translate(sc, false, ret_ctx, skipped, err);
}

/* Can this kernel not run x32 code (CONFIG_X86_X32_ABI off, as in most
 * distributions' kernels, or syscall.x32=n)?  Then no x32 syscall ever
 * runs, whatever the filter says: the kernel answers ENOSYS.  The x32
 * section of a filter is then dead weight, a third of the program for a
 * profile like the default one, and the kernel JIT-compiles it at every
 * load; the stub answers those calls with the same ENOSYS instead.  The
 * probe is getpid's x32 number, made only when berth itself runs without
 * a seccomp filter (one without x32 could kill it for the probe). */
static bool
kernel_lacks_x32(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
    _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    bool unfiltered = false;

    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "Seccomp:", 8) == 0)
            unfiltered = strtol(line + 8, NULL, 10) == 0;
    if (!unfiltered)
        return false;
    return syscall(0x40000000L | SYS_getpid) < 0 && errno == ENOSYS;
#else
    return false;
#endif
}

static bool
has_arch(const uint32_t *arches, size_t n, uint32_t arch)
{
    for (size_t i = 0; i < n; i++)
        if (arches[i] == arch)
            return true;
    return false;
}

static unsigned int
kernel_flag(int flag)
{
    switch ((enum spec_seccomp_flag)flag) {
    case SPEC_SCMP_FLAG_TSYNC:
        return SECCOMP_FILTER_FLAG_TSYNC;
    case SPEC_SCMP_FLAG_LOG:
        return SECCOMP_FILTER_FLAG_LOG;
    case SPEC_SCMP_FLAG_SPEC_ALLOW:
        return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    case SPEC_SCMP_FLAG_WAIT_KILLABLE_RECV:
        return SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    case SPEC_SCMP_FLAG_UNSET:
    case SPEC_SCMP_FLAG__COUNT:
        break;
    }
    return 0;
}

/* The kernel checks the flags before it reads the program, so a NULL
 * program fails with EFAULT exactly when they are valid, and installs
 * nothing (libseccomp and runc probe the same way).  Only EINVAL is a "no":
 * a seccomp(2) denied by a filter of our own caller proves nothing, and the
 * load in the child reports it. */
static bool
kernel_refuses_flags(unsigned int flags)
{
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EINVAL;
}

static int
flag_error(size_t i, int flag, struct error **err)
{
    return error_setx(err, EINVAL, "linux.seccomp.flags[%zu]: this kernel does not support %s", i,
                      spec_enum_name(&spec_enum_seccomp_flag, flag));
}

/* flags -> seccomp(2) flags, plus NEW_LISTENER for a filter that notifies.
 * WAIT_KILLABLE_RECV only changes how a notified task waits, and the kernel
 * takes it only with NEW_LISTENER: without a notify rule it is left out,
 * after the kernel has shown that it knows it (libseccomp does the same).
 * The kernel refuses TSYNC with NEW_LISTENER unless TSYNC_ESRCH (5.7)
 * comes along; where that is missing TSYNC is dropped, which changes
 * nothing: init loads the filter with a single thread. */
static int
filter_flags(const struct spec_seccomp *sc, bool notify, unsigned int *ret, struct error **err)
{
    unsigned int flags = 0;

    for (size_t i = 0; i < sc->flags.n; i++) {
        int f = sc->flags.items[i];
        unsigned int kf = kernel_flag(f);

        if (kf == 0)
            return error_setx(err, EINVAL, "linux.seccomp.flags[%zu]: unknown flag", i);
        if (kf == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
            if (kernel_refuses_flags(kf | SECCOMP_FILTER_FLAG_NEW_LISTENER))
                return flag_error(i, f, err);
            if (notify)
                flags |= kf;
            continue;
        }
        if (kernel_refuses_flags(kf))
            return flag_error(i, f, err);
        flags |= kf;
    }
    if (notify) {
        if (kernel_refuses_flags(SECCOMP_FILTER_FLAG_NEW_LISTENER))
            return error_setx(err, EINVAL,
                              "linux.seccomp.syscalls: this kernel does not support "
                              "SCMP_ACT_NOTIFY (seccomp user notification, Linux 5.0)");
        flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
            flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
            if (kernel_refuses_flags(flags))
                flags &= ~(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
        }
    }
    *ret = flags;
    return 0;
}

bool
sfilter_has_notify(const struct spec_seccomp *sc)
{
    for (size_t i = 0; i < sc->n_syscalls; i++)
        if (sc->syscalls[i].action == SPEC_SCMP_ACT_NOTIFY)
            return true;
    return false;
}

/* config-linux.md, listenerPath: "If sending to this socket fails, the
 * runtime MUST generate an error".  The fd is sent at `start`
 * (runtime/notify.c), but a path that is no socket at all is a config
 * error, caught here before anything runs, as runc does at create. */
int
sfilter_check_listener(const struct spec_seccomp *sc, struct error **err)
{
    struct stat st;

    if (sc->listener_path == NULL || sc->listener_path[0] == '\0')
        return error_setx(err, EINVAL,
                          "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY (the agent "
                          "that answers the notifications listens there)");
    if (stat(sc->listener_path, &st) < 0)
        return error_set(err, errno, "linux.seccomp.listenerPath '%s'", sc->listener_path);
    if (!S_ISSOCK(st.st_mode))
        return error_setx(err, ENOTSOCK, "linux.seccomp.listenerPath '%s': not a socket",
                          sc->listener_path);
    return 0;
}

void
sfilter_filter_arches(const struct spec_seccomp *sc, uint32_t **ret, size_t *ret_n)
{
    uint32_t *arches = xcalloc(sc->architectures.n + 1, sizeof(*arches));
    size_t n = 0;

    arches[n++] = seccomp_arch_native();
    for (size_t i = 0; i < sc->architectures.n; i++) {
        uint32_t token = sfilter_arch_token(sc->architectures.items[i]);
        bool seen = token == 0;

        for (size_t k = 0; k < n && !seen; k++)
            seen = arches[k] == token;
        if (!seen)
            arches[n++] = token;
    }
    *ret = arches;
    *ret_n = n;
}

/* seccomp_export_bpf() writes to an fd (seccomp_export_bpf_mem() came in
 * libseccomp 2.6): a memfd, read back whole, after the N_STUB instructions
 * of STUB. */
static int
export_bpf(scmp_filter_ctx ctx, const struct sock_filter *stub, size_t n_stub,
           struct sock_filter **ret, size_t *ret_n, struct error **err)
{
    _cleanup_close_ int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
    _cleanup_free_ struct sock_filter *insns = NULL;
    struct stat st;
    size_t size, done = 0;
    int rc;

    if (fd < 0)
        return error_set(err, errno, "linux.seccomp: memfd_create");
    rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0)
        return error_set(err, -rc, "linux.seccomp: export the filter");
    if (fstat(fd, &st) < 0)
        return error_set(err, errno, "linux.seccomp: fstat the exported filter");
    size = (size_t)st.st_size;
    if (size == 0 || size % sizeof(struct sock_filter) != 0)
        return error_setx(err, EIO, "linux.seccomp: libseccomp exported %zu bytes of BPF", size);
    if (n_stub + size / sizeof(struct sock_filter) > SFILTER_MAX_INSNS)
        return error_setx(err, EINVAL,
                          "linux.seccomp: the filter has %zu BPF instructions, more than the "
                          "kernel's limit of %d",
                          n_stub + size / sizeof(struct sock_filter), SFILTER_MAX_INSNS);
    insns = xmalloc(n_stub * sizeof(*stub) + size);
    if (n_stub > 0)
        memcpy(insns, stub, n_stub * sizeof(*stub));
    while (done < size) {
        ssize_t n = pread(fd, (char *)(insns + n_stub) + done, size - done, (off_t)done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return error_set(err, n < 0 ? errno : EIO, "linux.seccomp: read the exported filter");
        done += (size_t)n;
    }
    *ret_n = n_stub + size / sizeof(struct sock_filter);
    *ret = TAKE_PTR(insns);
    return 0;
}

/* The program of the built-in entry B, which libseccomp compiled from this
 * very config when berth was built (sfilter-builtin.c), for F->no_x32.
 * False when B has none for it. */
static bool
take_builtin(struct sfilter *f, const struct sfilter_builtin *b)
{
    const struct sfilter_builtin_prog *p = &b->prog[f->no_x32 ? 1 : 0];

    if (p->insns == NULL)
        return false;
    f->insns = xmalloc(p->n_insns * sizeof(*f->insns));
    memcpy(f->insns, p->insns, p->n_insns * sizeof(*f->insns));
    f->n_insns = p->n_insns;
    f->n_stub = p->n_stub;
    for (size_t i = 0; i < b->n_skipped; i++)
        strv_push(&f->skipped, xstrdup(b->skipped[i]));
    return true;
}

/* The program through libseccomp: the rules, the ENOSYS stub, the export. */
static int
compile_libseccomp(const struct spec_seccomp *sc, const uint32_t *arches, size_t n_arches,
                   struct sfilter *f, struct error **err)
{
    _cleanup_(scmp_releasep) scmp_filter_ctx ctx = NULL;
    _cleanup_free_ struct sock_filter *stub = NULL;
    int rc;

    rc = translate(sc, f->no_x32, &ctx, &f->skipped, err);
    if (rc < 0)
        return rc;
    if (f->notify) {
        rc = sfilter_check_listener(sc, err);
        if (rc < 0)
            return rc;
    }
    rc = sfilter_enosys_stub(sc, arches, n_arches, f->no_x32, &stub, &f->n_stub, err);
    if (rc < 0)
        return rc;
    return export_bpf(ctx, stub, f->n_stub, &f->insns, &f->n_insns, err);
}

/* sfilter_compile(), with the program of the built-in entry B when there
 * is one (NULL: libseccomp's).  Everything that depends on the kernel (the
 * flags, x32) is decided here in both cases; libseccomp's part depends on
 * the config and on libseccomp only, which B was compiled with. */
static int
compile(const struct spec_seccomp *sc, enum sfilter_x32 x32, const struct sfilter_builtin *b,
        struct sfilter **ret, struct error **err)
{
    _cleanup_(sfilter_freep) struct sfilter *f = xcalloc(1, sizeof(*f));
    _cleanup_free_ uint32_t *arches = NULL;
    size_t n_arches;
    int rc;

    f->notify = sfilter_has_notify(sc);
    rc = filter_flags(sc, f->notify, &f->flags, err);
    if (rc < 0)
        return rc;
    sfilter_filter_arches(sc, &arches, &n_arches);
    f->no_x32 =
        has_arch(arches, n_arches, SCMP_ARCH_X32)
        && (x32 == SFILTER_X32_LEAVE_OUT || (x32 == SFILTER_X32_PROBE && kernel_lacks_x32()));
    if (b != NULL && take_builtin(f, b)) {
        /* The generator embeds no notify config; the check stays with
         * the program it belongs to all the same. */
        if (f->notify && (rc = sfilter_check_listener(sc, err)) < 0)
            return rc;
    } else {
        rc = compile_libseccomp(sc, arches, n_arches, f, err);
        if (rc < 0)
            return rc;
    }
    *ret = TAKE_PTR(f);
    return 0;
}

int
sfilter_compile(const struct spec_seccomp *sc, struct sfilter **ret, struct error **err)
{
    return compile(sc, SFILTER_X32_PROBE, sfilter_builtin_find(sc), ret, err);
}

int
sfilter_compile_builtin(const struct spec_seccomp *sc, struct sfilter **ret, struct error **err)
{
    const struct sfilter_builtin *b = sfilter_builtin_find(sc);
    int rc;

    if (b == NULL)
        return 0;
    rc = compile(sc, SFILTER_X32_PROBE, b, ret, err);
    return rc < 0 ? rc : 1;
}

int
sfilter_compile_libseccomp(const struct spec_seccomp *sc, enum sfilter_x32 x32,
                           struct sfilter **ret, struct error **err)
{
    return compile(sc, x32, NULL, ret, err);
}

void
sfilter_free(struct sfilter *f)
{
    if (f == NULL)
        return;
    free(f->insns);
    strv_clear(&f->skipped);
    free(f);
}

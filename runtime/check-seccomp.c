/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`, linux.seccomp against this libseccomp and this kernel:
 * architectures libseccomp cannot resolve, filter flags the kernel refuses,
 * actions that either lacks, syscall names it does not know (rules for
 * those are skipped, as runc and crun do), and the notify listener socket.
 * Then, when none of that (nor the validator) found an error, the filter
 * is compiled exactly as `create` compiles it (sfilter_compile()), so that
 * whatever else create would refuse, check refuses too. */
#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"
#include "seccomp/sfilter.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

/* Each filter flag's kernel flag.  berth exports the program from
 * libseccomp and passes the flags to seccomp(2) itself
 * (seccomp/sfilter-load.c), so they need the kernel only, whatever
 * libseccomp's API level. */
static const unsigned long kernel_flags[SPEC_SCMP_FLAG__COUNT] = {
    [SPEC_SCMP_FLAG_TSYNC] = SECCOMP_FILTER_FLAG_TSYNC,
    [SPEC_SCMP_FLAG_LOG] = SECCOMP_FILTER_FLAG_LOG,
    [SPEC_SCMP_FLAG_SPEC_ALLOW] = SECCOMP_FILTER_FLAG_SPEC_ALLOW,
    [SPEC_SCMP_FLAG_WAIT_KILLABLE_RECV] = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

static const char *
libseccomp_version(char *buf, size_t size)
{
    const struct scmp_version *v = seccomp_version();

    snprintf(buf, size, "%u.%u.%u", v->major, v->minor, v->micro);
    return buf;
}

/* libseccomp's name for an architecture: "SCMP_ARCH_X86_64" -> "x86_64". */
static uint32_t
arch_token(int arch)
{
    const char *name = spec_enum_name(&spec_enum_seccomp_arch, arch);
    char lower[32];
    size_t i;

    if (name == NULL || strncmp(name, "SCMP_ARCH_", 10) != 0)
        return 0;
    for (i = 0; name[10 + i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)name[10 + i]);
    lower[i] = '\0';
    return seccomp_arch_resolve_name(lower);
}

/* The kernel validates the flags before it copies the filter in, so a NULL
 * filter fails with EFAULT exactly when the flags are supported (runc and
 * libseccomp probe the same way). */
static bool
kernel_has_flag(unsigned long flag)
{
    if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
        flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER; /* only valid together */
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

/* The kernel's return value for an action, and the libseccomp API level
 * it needs; 0 for actions every kernel with seccomp filters has. */
static uint32_t
action_ret(int action, unsigned *ret_api)
{
    *ret_api = 0;
    switch ((enum spec_seccomp_action)action) {
    case SPEC_SCMP_ACT_KILL_PROCESS:
        *ret_api = 3;
        return SECCOMP_RET_KILL_PROCESS;
    case SPEC_SCMP_ACT_LOG:
        *ret_api = 3;
        return SECCOMP_RET_LOG;
    case SPEC_SCMP_ACT_NOTIFY:
        *ret_api = 5;
        return SECCOMP_RET_USER_NOTIF;
    case SPEC_SCMP_ACT_UNSET:
    case SPEC_SCMP_ACT_KILL:
    case SPEC_SCMP_ACT_KILL_THREAD:
    case SPEC_SCMP_ACT_TRAP:
    case SPEC_SCMP_ACT_ERRNO:
    case SPEC_SCMP_ACT_TRACE:
    case SPEC_SCMP_ACT_ALLOW:
    case SPEC_SCMP_ACT__COUNT:
        break;
    }
    return 0;
}

static void
check_action(struct check *c, int action, const char *path)
{
    const char *name = spec_enum_name(&spec_enum_seccomp_action, action);
    unsigned api;
    uint32_t ret = action_ret(action, &api);
    char v[32];

    if (ret == 0)
        return;
    if (seccomp_api_get() < api)
        check_error(c, NULL, path, "%s needs libseccomp API level %u, and libseccomp %s has %u",
                    name, api, libseccomp_version(v, sizeof(v)), seccomp_api_get());
    else if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &ret) < 0)
        check_error(c, NULL, path, "this kernel does not support the seccomp action %s", name);
}

static void
check_names(struct check *c, size_t i, const struct spec_syscall *sc, const uint32_t *arches,
            size_t n_arches)
{
    _cleanup_free_ char *unknown = NULL;
    size_t n_unknown = 0, last = 0;
    char v[32];

    for (size_t j = 0; j < sc->names.n; j++) {
        const char *name = sc->names.items[j];
        bool known = seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;

        for (size_t a = 0; !known && a < n_arches; a++)
            known = seccomp_syscall_resolve_name_arch(arches[a], name) != __NR_SCMP_ERROR;
        if (known)
            continue;
        if (unknown == NULL) {
            unknown = xasprintf("'%s'", name);
        } else {
            char *more = xasprintf("%s, '%s'", unknown, name);

            free(unknown);
            unknown = more;
        }
        n_unknown++;
        last = j;
    }
    if (n_unknown == 1)
        check_warning(c, "the rule is applied to the other syscalls it names",
                      JP("linux.seccomp.syscalls[%zu].names[%zu]", i, last),
                      "libseccomp %s does not know the syscall %s, so it is skipped",
                      libseccomp_version(v, sizeof(v)), unknown);
    else if (n_unknown > 1)
        check_warning(c, "the rule is applied to the other syscalls it names",
                      JP("linux.seccomp.syscalls[%zu].names", i),
                      "libseccomp %s does not know the syscalls %s, so they are skipped",
                      libseccomp_version(v, sizeof(v)), unknown);
}

/* Has the validator or a check above found an error in linux.seccomp? */
static bool
has_seccomp_errors(const struct check *c)
{
    for (size_t i = 0; i < c->d->n; i++)
        if (c->d->items[i].level == DIAG_ERROR
            && strncmp(c->d->items[i].path, "linux.seccomp", 13) == 0)
            return true;
    return false;
}

/* Compile as create does, and report its refusal: its message starts with
 * the JSON path ("linux.seccomp.syscalls[2].names[0]: ...", or
 * "linux.seccomp.listenerPath '/x': ..."), which becomes the finding's. */
static void
check_compile(struct check *c, const struct spec_seccomp *sc)
{
    struct sfilter *f = NULL;
    struct error *err = NULL;
    const char *msg, *rest;
    size_t n;

    if (sfilter_compile(sc, &f, &err) == 0) {
        sfilter_free(f);
        return;
    }
    msg = err->msg;
    n = strncmp(msg, "linux.seccomp", 13) == 0 ? strcspn(msg, ": ") : 0;
    rest = msg + n;
    rest += strspn(rest, ": ");
    if (n == 0)
        check_error(c, NULL, "linux.seccomp", "%s", msg);
    else
        check_error(c, NULL, JP("%.*s", (int)n, msg), "%s", rest);
    error_free(&err);
}

void
runtime_check_seccomp(struct check *c)
{
    const struct spec_seccomp *sc = c->s->linux_->seccomp;
    _cleanup_free_ uint32_t *arches = NULL;
    size_t n_arches = 0;
    char v[32];

    if (sc == NULL)
        return;
    arches = xcalloc(sc->architectures.n + 1, sizeof(*arches));
    for (size_t i = 0; i < sc->architectures.n; i++) {
        uint32_t token = arch_token(sc->architectures.items[i]);

        if (token != 0)
            arches[n_arches++] = token;
        else if (spec_enum_name(&spec_enum_seccomp_arch, sc->architectures.items[i]) != NULL)
            check_error(c, "remove it, or use a newer libseccomp",
                        JP("linux.seccomp.architectures[%zu]", i),
                        "libseccomp %s does not support the architecture %s",
                        libseccomp_version(v, sizeof(v)),
                        spec_enum_name(&spec_enum_seccomp_arch, sc->architectures.items[i]));
    }
    for (size_t i = 0; i < sc->flags.n; i++) {
        int f = sc->flags.items[i];
        const char *name = spec_enum_name(&spec_enum_seccomp_flag, f);

        if (name == NULL)
            continue;
        if (!kernel_has_flag(kernel_flags[f]))
            check_error(c, NULL, JP("linux.seccomp.flags[%zu]", i),
                        "this kernel does not support the seccomp flag %s", name);
    }
    check_action(c, sc->default_action, "linux.seccomp.defaultAction");
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        check_action(c, sc->syscalls[i].action, JP("linux.seccomp.syscalls[%zu].action", i));
        check_names(c, i, &sc->syscalls[i], arches, n_arches);
    }
    /* config-linux.md: "If the SCMP_ACT_NOTIFY action is not used this
     * value is ignored". */
    if (sfilter_has_notify(sc) && sc->listener_path != NULL && sc->listener_path[0] != '\0') {
        struct stat st;

        if (stat(sc->listener_path, &st) < 0)
            check_error(c, "start the seccomp agent first", "linux.seccomp.listenerPath",
                        "'%s' does not exist: %s", sc->listener_path, strerror(errno));
        else if (!S_ISSOCK(st.st_mode))
            check_error(c, NULL, "linux.seccomp.listenerPath", "'%s' is not a socket",
                        sc->listener_path);
    }
    if (!has_seccomp_errors(c))
        check_compile(c, sc);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp/sfilter-builtin.c: the default profile of `berth spec` is
 * compiled at build time, and the programs berth carries are, byte for
 * byte, what libseccomp compiles from it here (x32 kept and left out);
 * sfilter_compile(), `berth check` and the cache take them for that very
 * config and for no other. */
#include <dirent.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "seccomp/sfilter-int.h"
#include "seccomp/sfilter.h"
#include "tests/unit/seccomp-run.h"
#include "tests/unit/tap.h"

DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

/* config.json as `berth spec` (ROOTLESS: --rootless) writes it, loaded as
 * `create` loads it; PRETTY: tab-indented, as spec writes, or compact. */
static struct spec *
written_spec(bool rootless, bool pretty)
{
    struct spec *s = rootless ? spec_default_rootless(1000, 1000) : spec_default();
    struct spec *loaded = NULL;
    struct error *err = NULL;
    char *buf = NULL;
    size_t len;

    s->linux_->seccomp = sfilter_default_profile(&s->process->capabilities->bounding, &err);
    if (s->linux_->seccomp != NULL && spec_write(s, pretty, &buf, &len, &err) == 0)
        loaded = spec_load(buf, len, "config.json", &err);
    if (loaded == NULL) {
        tap_diag("the default spec: %s", err != NULL ? err->msg : "?");
        error_free(&err);
    }
    free(buf);
    spec_free(s);
    return loaded;
}

static struct sfilter *
libseccomp(const struct spec_seccomp *sc, enum sfilter_x32 x32)
{
    struct error *err = NULL;
    struct sfilter *f = NULL;

    if (sfilter_compile_libseccomp(sc, x32, &f, &err) < 0) {
        tap_diag("sfilter_compile_libseccomp: %s", err->msg);
        error_free(&err);
    }
    return f;
}

static struct sfilter *
compiled(const struct spec_seccomp *sc)
{
    struct error *err = NULL;
    struct sfilter *f = NULL;

    if (sfilter_compile(sc, &f, &err) < 0) {
        tap_diag("sfilter_compile: %s", err->msg);
        error_free(&err);
    }
    return f;
}

static bool
same_skipped(const struct sfilter *f, const char *const *lines, size_t n)
{
    if (f->skipped.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(f->skipped.items[i], lines[i]) != 0)
            return false;
    return true;
}

/* Is the built-in program P (with B's skipped lines) what libseccomp gave
 * in F, instruction for instruction?  Says where they part. */
static bool
same_as_builtin(const struct sfilter *f, const struct sfilter_builtin *b,
                const struct sfilter_builtin_prog *p)
{
    if (f == NULL || p->insns == NULL)
        return false;
    if (f->n_insns != p->n_insns || f->n_stub != p->n_stub) {
        tap_diag("libseccomp: %zu instructions (stub %zu); built in: %zu (stub %zu)", f->n_insns,
                 f->n_stub, p->n_insns, p->n_stub);
        return false;
    }
    for (size_t i = 0; i < f->n_insns; i++)
        if (memcmp(&f->insns[i], &p->insns[i], sizeof(f->insns[i])) != 0) {
            tap_diag("instruction %zu: libseccomp {%#x, %u, %u, %#x}, built in {%#x, %u, %u, %#x}",
                     i, f->insns[i].code, f->insns[i].jt, f->insns[i].jf, f->insns[i].k,
                     p->insns[i].code, p->insns[i].jt, p->insns[i].jf, p->insns[i].k);
            return false;
        }
    return same_skipped(f, b->skipped, b->n_skipped);
}

static bool
same_filter(const struct sfilter *a, const struct sfilter *b)
{
    if (a == NULL || b == NULL || a->n_insns != b->n_insns || a->n_stub != b->n_stub
        || a->flags != b->flags || a->notify != b->notify || a->no_x32 != b->no_x32
        || a->skipped.n != b->skipped.n
        || memcmp(a->insns, b->insns, a->n_insns * sizeof(*a->insns)) != 0)
        return false;
    for (size_t i = 0; i < a->skipped.n; i++)
        if (strcmp(a->skipped.items[i], b->skipped.items[i]) != 0)
            return false;
    return true;
}

static bool
has_x32(const struct spec_seccomp *sc)
{
    for (size_t i = 0; i < sc->architectures.n; i++)
        if (sc->architectures.items[i] == SPEC_SCMP_ARCH_X32)
            return true;
    return false;
}

/* The programs berth carries for the written profile are libseccomp's. */
static void
test_equal(bool rootless)
{
    const char *what = rootless ? "rootless" : "root";
    _cleanup_(spec_freep) struct spec *s = written_spec(rootless, true);
    const struct spec_seccomp *sc = s != NULL ? s->linux_->seccomp : NULL;
    const struct sfilter_builtin *b = sc != NULL ? sfilter_builtin_find(sc) : NULL;
    struct sfilter *keep, *out, *fast, *slow;

    tap_ok(b != NULL, "%s: the profile of `berth spec` is built in", what);
    if (b == NULL)
        return;
    keep = libseccomp(sc, SFILTER_X32_KEEP);
    tap_ok(keep != NULL && !keep->no_x32 && same_as_builtin(keep, b, &b->prog[0]),
           "%s: with x32, the built-in program is libseccomp's, byte for byte (%zu instructions)",
           what, b->prog[0].n_insns);
    out = libseccomp(sc, SFILTER_X32_LEAVE_OUT);
    if (has_x32(sc))
        tap_ok(out != NULL && out->no_x32 && same_as_builtin(out, b, &b->prog[1]),
               "%s: x32 left out, the built-in program is libseccomp's, byte for byte (%zu "
               "instructions)",
               what, b->prog[1].n_insns);
    else
        tap_ok(out != NULL && !out->no_x32 && b->prog[1].insns == NULL,
               "%s: no x32 in the filter, no second program", what);

    /* sfilter_compile() decides x32 with the kernel, as before. */
    fast = compiled(sc);
    slow = libseccomp(sc, SFILTER_X32_PROBE);
    tap_ok(same_filter(fast, slow),
           "%s: sfilter_compile() gives what libseccomp gives on this kernel (x32 %s)", what,
           slow != NULL && slow->no_x32 ? "left out" : "kept");
    sfilter_free(keep);
    sfilter_free(out);
    sfilter_free(fast);
    sfilter_free(slow);
}

/* The same config however its JSON is written, and whatever it says where
 * the program does not look. */
static void
test_same_config(void)
{
    _cleanup_(spec_freep) struct spec *compact = written_spec(false, false);
    char *caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
    struct strv capv = {caps, 3};
    struct error *err = NULL;
    struct spec_seccomp *direct = sfilter_default_profile(&capv, &err);

    tap_ok(compact != NULL && sfilter_builtin_find(compact->linux_->seccomp) != NULL,
           "compact JSON: built in");
    tap_ok(direct != NULL && sfilter_builtin_find(direct) != NULL,
           "sfilter_default_profile() itself, for runc's default capabilities: built in");
    if (compact != NULL) {
        struct spec_seccomp *sc = compact->linux_->seccomp;

        /* Only read for a notify rule, which the profile has not. */
        sc->listener_path = strdup("/run/agent.sock");
        tap_ok(sfilter_builtin_find(sc) != NULL, "with a listenerPath: built in");
    }
    sfilter_profile_free(direct);
    error_free(&err);
}

/* Any change to what shapes the program: not built in, and libseccomp
 * compiles it as before.  Each mutation is undone before the next. */
static void
test_other_configs(void)
{
    _cleanup_(spec_freep) struct spec *s = written_spec(false, true);
    struct spec_seccomp *sc = s != NULL ? s->linux_->seccomp : NULL;
    struct spec_syscall *with_args = NULL, *plain = NULL;
    struct sfilter *f;

    if (sc == NULL) {
        tap_ok(0, "the default spec loads");
        return;
    }
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        if (sc->syscalls[i].n_args > 0 && with_args == NULL)
            with_args = &sc->syscalls[i];
        if (sc->syscalls[i].n_args == 0 && sc->syscalls[i].names.n >= 2 && plain == NULL)
            plain = &sc->syscalls[i];
    }
    if (with_args == NULL || plain == NULL) {
        tap_ok(0, "the profile has a rule with args and one with two names");
        return;
    }

    sc->default_errno_ret = EACCES;
    tap_ok(sfilter_builtin_find(sc) == NULL, "defaultErrnoRet changed: not built in");
    f = compiled(sc);
    tap_ok(f != NULL && f->n_insns > 0, "and libseccomp compiles it");
    sfilter_free(f);
    sc->default_errno_ret = EPERM;

    with_args->args[0].value ^= 1;
    tap_ok(sfilter_builtin_find(sc) == NULL, "an argument's value changed: not built in");
    with_args->args[0].value ^= 1;

    with_args->args[0].op =
        with_args->args[0].op == SPEC_SCMP_CMP_EQ ? SPEC_SCMP_CMP_NE : SPEC_SCMP_CMP_EQ;
    tap_ok(sfilter_builtin_find(sc) == NULL, "an argument's operator changed: not built in");
    with_args->args[0].op =
        with_args->args[0].op == SPEC_SCMP_CMP_EQ ? SPEC_SCMP_CMP_NE : SPEC_SCMP_CMP_EQ;

    {
        char *t = plain->names.items[0];

        plain->names.items[0] = plain->names.items[1];
        plain->names.items[1] = t;
        tap_ok(sfilter_builtin_find(sc) == NULL, "two names swapped: not built in");
        plain->names.items[1] = plain->names.items[0];
        plain->names.items[0] = t;
    }

    plain->names.n--;
    tap_ok(sfilter_builtin_find(sc) == NULL, "a name fewer: not built in");
    plain->names.n++;

    plain->action = SPEC_SCMP_ACT_LOG;
    tap_ok(sfilter_builtin_find(sc) == NULL, "an action changed: not built in");
    plain->action = SPEC_SCMP_ACT_ALLOW;

    plain->has_errno_ret = true;
    tap_ok(sfilter_builtin_find(sc) == NULL, "an errnoRet added: not built in");
    plain->has_errno_ret = false;

    sc->architectures.n--;
    tap_ok(sfilter_builtin_find(sc) == NULL, "an architecture fewer: not built in");
    f = compiled(sc);
    tap_ok(f != NULL && f->n_insns > 0, "and libseccomp compiles it");
    sfilter_free(f);
    sc->architectures.n++;

    {
        int flag = SPEC_SCMP_FLAG_SPEC_ALLOW;

        sc->flags.items = &flag;
        sc->flags.n = 1;
        tap_ok(sfilter_builtin_find(sc) == NULL, "a flag added: not built in");
        sc->flags.items = NULL;
        sc->flags.n = 0;
    }

    tap_ok(sfilter_builtin_find(sc) != NULL, "every change undone: built in again");

    {
        char *caps[] = {"CAP_SYS_ADMIN", "CAP_KILL", NULL};
        struct strv capv = {caps, 2};
        struct error *err = NULL;
        struct spec_seccomp *admin = sfilter_default_profile(&capv, &err);

        tap_ok(admin != NULL && sfilter_builtin_find(admin) == NULL,
               "the profile for another bounding set (CAP_SYS_ADMIN): not built in");
        sfilter_profile_free(admin);
        error_free(&err);
    }
}

static size_t
count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    while (d != NULL && (de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    if (d != NULL)
        closedir(d);
    return n;
}

/* create: the built-in program, without the cache; another config still
 * goes through it. */
static void
test_cache(void)
{
    _cleanup_(spec_freep) struct spec *s = written_spec(false, true);
    struct spec_seccomp *sc = s != NULL ? s->linux_->seccomp : NULL;
    char dir[] = "/tmp/berth-unit-builtin.XXXXXX";
    struct sfilter *f = NULL, *want;
    struct error *err = NULL;
    int fd;

    if (sc == NULL || mkdtemp(dir) == NULL) {
        tap_ok(0, "a cache directory: %s", strerror(errno));
        return;
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    want = libseccomp(sc, SFILTER_X32_PROBE);
    tap_ok(sfilter_compile_cached(fd, sc, &f, &err) == 0 && same_filter(f, want),
           "sfilter_compile_cached(): the built-in program");
    tap_is_int(count_files(dir), 0, "and nothing stored in the cache");
    sfilter_free(f);
    sfilter_free(want);
    f = NULL;

    sc->default_errno_ret = EACCES;
    want = libseccomp(sc, SFILTER_X32_PROBE);
    tap_ok(sfilter_compile_cached(fd, sc, &f, &err) == 0 && same_filter(f, want),
           "another config: libseccomp's program");
    tap_is_int(count_files(dir), 1, "stored in the cache");
    sfilter_free(f);
    sfilter_free(want);
    error_free(&err);

    {
        DIR *d = opendir(dir);
        struct dirent *de;

        while (d != NULL && (de = readdir(d)) != NULL)
            if (de->d_name[0] != '.')
                unlinkat(fd, de->d_name, 0);
        if (d != NULL)
            closedir(d);
    }
    close(fd);
    rmdir(dir);
}

/* The built-in program of this kernel loads and filters. */
static void
test_loads(void)
{
    _cleanup_(spec_freep) struct spec *s = written_spec(false, true);
    struct sfilter *f = s != NULL ? compiled(s->linux_->seccomp) : NULL;
    struct call calls[] = {
        {SYS_getpid, {0}, false},
        {SYS_keyctl, {0}, false},
        {1000, {0}, false},
    };
    int got[3] = {-1, -1, -1};

    if (f == NULL) {
        tap_ok(0, "the built-in program");
        return;
    }
    tap_is_int(run_calls(f, calls, 3, got), 0, "the child loads the built-in program");
    tap_ok(got[0] == 0 && got[1] == EPERM && got[2] == ENOSYS,
           "getpid works, keyctl EPERM, syscall 1000 ENOSYS (%d %d %d)", got[0], got[1], got[2]);
    sfilter_free(f);
}

int
main(void)
{
    test_equal(false);
    test_equal(true);
    test_same_config();
    test_other_configs();
    test_cache();
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) == 0 || errno != EFAULT) {
        tap_ok(1, "loads # SKIP seccomp(2) filters are not available here");
        return tap_done();
    }
    test_loads();
    return tap_done();
}

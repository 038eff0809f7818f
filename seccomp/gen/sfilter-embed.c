/* SPDX-License-Identifier: Apache-2.0 */
/* sfilter-embed: a build tool, run by the Makefile, that compiles the
 * default seccomp profile of `berth spec` (root and rootless) with
 * libseccomp, as `create` would, and prints the programs as the C header
 * seccomp/default-profile.bpf.h, which seccomp/sfilter-builtin.c includes.
 * Why, and what keeps it exact: sfilter-builtin.c.
 *
 * It is linked from berth's own objects, all but sfilter-builtin.o (which
 * needs its output), so it translates exactly as berth does; its
 * sfilter_builtin_find() below finds nothing, which makes every compile
 * go through libseccomp.
 *
 *   sfilter-embed >default-profile.bpf.h
 *
 * Exits 1 with a message on stderr when the profile cannot be compiled or
 * is not one a built-in program can stand for. */
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "seccomp/sfilter-int.h"
#include "seccomp/sfilter.h"

#define SELF "sfilter-embed"

/* This tool has no built-in programs: it makes them. */
const struct sfilter_builtin *
sfilter_builtin_find(const struct spec_seccomp *sc)
{
    (void)sc;
    return NULL;
}

DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

/* One config to embed: its form and its two programs. */
struct entry {
    unsigned char *form;
    size_t form_len;
    struct sfilter *prog[2]; /* [no_x32]; [1] NULL when nothing is left out */
};

static void
entry_clear(struct entry *e)
{
    free(e->form);
    sfilter_free(e->prog[0]);
    sfilter_free(e->prog[1]);
    *e = (struct entry){0};
}

/* Does libseccomp take ACTION without asking the kernel?  It asks before
 * it takes SCMP_ACT_LOG, SCMP_ACT_KILL_PROCESS and SCMP_ACT_NOTIFY (the
 * build host's answer could differ from the one where berth runs), and a
 * notify rule needs a listener checked at every create. */
static bool
is_static_action(int action)
{
    switch ((enum spec_seccomp_action)action) {
    case SPEC_SCMP_ACT_KILL:
    case SPEC_SCMP_ACT_KILL_THREAD:
    case SPEC_SCMP_ACT_TRAP:
    case SPEC_SCMP_ACT_ERRNO:
    case SPEC_SCMP_ACT_TRACE:
    case SPEC_SCMP_ACT_ALLOW:
        return true;
    case SPEC_SCMP_ACT_KILL_PROCESS:
    case SPEC_SCMP_ACT_LOG:
    case SPEC_SCMP_ACT_NOTIFY:
    case SPEC_SCMP_ACT_UNSET:
    case SPEC_SCMP_ACT__COUNT:
        break;
    }
    return false;
}

static int
check_actions(const struct spec_seccomp *sc, struct error **err)
{
    const char *why = "takes the kernel's answer at run time: it cannot be compiled at build time";

    if (!is_static_action(sc->default_action))
        return error_setx(err, EINVAL, "linux.seccomp.defaultAction: %s %s",
                          spec_enum_name(&spec_enum_seccomp_action, sc->default_action), why);
    for (size_t i = 0; i < sc->n_syscalls; i++)
        if (!is_static_action(sc->syscalls[i].action))
            return error_setx(err, EINVAL, "linux.seccomp.syscalls[%zu].action: %s %s", i,
                              spec_enum_name(&spec_enum_seccomp_action, sc->syscalls[i].action),
                              why);
    return 0;
}

static bool
same_skipped(const struct sfilter *a, const struct sfilter *b)
{
    if (a->skipped.n != b->skipped.n)
        return false;
    for (size_t i = 0; i < a->skipped.n; i++)
        if (strcmp(a->skipped.items[i], b->skipped.items[i]) != 0)
            return false;
    return true;
}

/* The default profile exactly as `create` sees it after `berth spec`
 * (ROOTLESS: --rootless): the spec written as config.json and loaded back,
 * then compiled, x32 kept and left out. */
static int
make_entry(bool rootless, struct entry *e, struct error **err)
{
    _cleanup_(spec_freep) struct spec *s =
        rootless ? spec_default_rootless(geteuid(), getegid()) : spec_default();
    _cleanup_(spec_freep) struct spec *loaded = NULL;
    _cleanup_free_ char *buf = NULL;
    const struct spec_seccomp *sc;
    size_t len;
    int rc;

    /* As runtime/cli/spec.c does. */
    s->linux_->seccomp = sfilter_default_profile(&s->process->capabilities->bounding, err);
    if (s->linux_->seccomp == NULL)
        return -EINVAL;
    rc = spec_write(s, true, &buf, &len, err);
    if (rc < 0)
        return rc;
    loaded = spec_load(buf, len, "config.json", err);
    if (loaded == NULL)
        return -EINVAL;
    sc = loaded->linux_->seccomp;
    rc = check_actions(sc, err);
    if (rc < 0)
        return rc;
    if (sfilter_has_notify(sc))
        return error_setx(err, EINVAL, "linux.seccomp: a notify rule needs a listener at run time");
    rc = sfilter_compile_libseccomp(sc, SFILTER_X32_KEEP, &e->prog[0], err);
    if (rc < 0)
        return rc;
    rc = sfilter_compile_libseccomp(sc, SFILTER_X32_LEAVE_OUT, &e->prog[1], err);
    if (rc < 0)
        return rc;
    /* No x32 in the filter: nothing to leave out, one program. */
    if (!e->prog[1]->no_x32) {
        sfilter_free(e->prog[1]);
        e->prog[1] = NULL;
    } else if (!same_skipped(e->prog[0], e->prog[1])) {
        return error_setx(err, EPROTO,
                          "linux.seccomp: the skipped names differ with x32 left out (a bug of "
                          "sfilter.c)");
    }
    sfilter_config_form(sc, &e->form, &e->form_len);
    return 0;
}

/* S as a C string literal. */
static void
print_string(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\%03o", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void
print_form(size_t k, const struct entry *e)
{
    printf("static const unsigned char builtin_form_%zu[] = {", k);
    for (size_t i = 0; i < e->form_len; i++)
        printf("%s0x%02x,", i % 16 == 0 ? "\n    " : " ", e->form[i]);
    printf("\n};\n");
}

static void
print_prog(size_t k, int x, const struct sfilter *f)
{
    printf("/* %zu instructions, the first %zu the ENOSYS stub; x32 %s */\n", f->n_insns, f->n_stub,
           x ? "left out" : "kept");
    printf("static const struct sock_filter builtin_prog_%zu_%d[] = {\n", k, x);
    for (size_t i = 0; i < f->n_insns; i++)
        printf("    {0x%04x, %u, %u, 0x%08" PRIx32 "},\n", f->insns[i].code, f->insns[i].jt,
               f->insns[i].jf, f->insns[i].k);
    printf("};\n");
}

static void
print_entry(size_t k, const struct entry *e)
{
    const struct sfilter *f = e->prog[0];

    print_form(k, e);
    for (int x = 0; x < 2; x++)
        if (e->prog[x] != NULL)
            print_prog(k, x, e->prog[x]);
    printf("static const char *const builtin_skipped_%zu[] = {\n", k);
    for (size_t i = 0; i < f->skipped.n; i++) {
        printf("    ");
        print_string(f->skipped.items[i]);
        printf(",\n");
    }
    printf("    NULL,\n};\n\n");
}

static void
print_table_row(size_t k, const struct entry *e)
{
    printf("    {\n");
    printf("        .form = builtin_form_%zu,\n", k);
    printf("        .form_len = sizeof(builtin_form_%zu),\n", k);
    printf("        .prog = {\n");
    for (int x = 0; x < 2; x++)
        if (e->prog[x] != NULL)
            printf("            {builtin_prog_%zu_%d, %zu, %zu},\n", k, x, e->prog[x]->n_insns,
                   e->prog[x]->n_stub);
        else
            printf("            {NULL, 0, 0},\n");
    printf("        },\n");
    printf("        .skipped = builtin_skipped_%zu,\n", k);
    printf("        .n_skipped = %zu,\n", e->prog[0]->skipped.n);
    printf("    },\n");
}

int
main(void)
{
    const struct scmp_version *v = seccomp_version();
    struct entry entries[2] = {{0}};
    size_t n = 0;
    struct error *err = NULL;

    if (v == NULL) {
        fprintf(stderr, SELF ": libseccomp does not tell its version\n");
        return 1;
    }
    for (int rootless = 0; rootless < 2; rootless++) {
        struct entry *e = &entries[n];
        bool seen = false;

        if (make_entry(rootless, e, &err) < 0) {
            fprintf(stderr, SELF ": the default profile%s: %s\n", rootless ? " (rootless)" : "",
                    err->msg);
            error_free(&err);
            entry_clear(&entries[0]);
            entry_clear(&entries[1]);
            return 1;
        }
        /* The same bounding set gives the same profile: one entry. */
        for (size_t k = 0; k < n && !seen; k++)
            seen = entries[k].form_len == e->form_len
                   && memcmp(entries[k].form, e->form, e->form_len) == 0;
        if (seen)
            entry_clear(e);
        else
            n++;
    }

    printf("/* Generated by " SELF " (seccomp/gen/sfilter-embed.c) for seccomp/sfilter-builtin.c:\n"
           " * the default profile of `berth spec`, compiled with libseccomp %u.%u.%u. */\n\n",
           v->major, v->minor, v->micro);
    printf("#define BUILTIN_LIBSECCOMP_MAJOR %uU\n", v->major);
    printf("#define BUILTIN_LIBSECCOMP_MINOR %uU\n", v->minor);
    printf("#define BUILTIN_LIBSECCOMP_MICRO %uU\n", v->micro);
    printf("#define BUILTIN_NATIVE_ARCH 0x%08" PRIx32 "U\n\n", seccomp_arch_native());
    for (size_t k = 0; k < n; k++)
        print_entry(k, &entries[k]);
    printf("static const struct sfilter_builtin builtin[] = {\n");
    for (size_t k = 0; k < n; k++)
        print_table_row(k, &entries[k]);
    printf("    {.form = NULL},\n};\n");
    for (size_t k = 0; k < n; k++)
        entry_clear(&entries[k]);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, SELF ": write the header: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp/sfilter-cache.c: a compiled filter is read back from the cache
 * for the same config, never for another one, and a damaged or foreign
 * cache file only costs a compile. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "seccomp/sfilter.h"
#include "tests/unit/tap.h"

#define NAMES(...)                                                                                 \
    ((struct strv){.items = (char *[]){__VA_ARGS__, NULL},                                         \
                   .n = sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)})

static char dir[64];
static int dirfd_ = -1;

static struct spec_syscall rules_a[] = {
    {.names = NAMES("getppid", "berth_unknown_call"), .action = SPEC_SCMP_ACT_ERRNO},
};
static struct spec_syscall rules_b[] = {
    {.names = NAMES("getpid"), .action = SPEC_SCMP_ACT_ERRNO},
};
static struct spec_seccomp config_a = {
    .default_action = SPEC_SCMP_ACT_ALLOW, .syscalls = rules_a, .n_syscalls = 1};
static struct spec_seccomp config_b = {
    .default_action = SPEC_SCMP_ACT_ALLOW, .syscalls = rules_b, .n_syscalls = 1};

/* The names of the files in the cache directory; their number. */
static size_t
entries(char names[][64], size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    while (d != NULL && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.') {
            if (n < max && strlen(de->d_name) < 64)
                memcpy(names[n], de->d_name, strlen(de->d_name) + 1);
            n++;
        }
    if (d != NULL)
        closedir(d);
    return n;
}

static bool
same_filter(const struct sfilter *a, const struct sfilter *b)
{
    return a != NULL && b != NULL && a->n_insns == b->n_insns && a->n_stub == b->n_stub
           && a->flags == b->flags && a->notify == b->notify
           && memcmp(a->insns, b->insns, a->n_insns * sizeof(*a->insns)) == 0
           && a->skipped.n == b->skipped.n;
}

static struct sfilter *
cached(int fd, const struct spec_seccomp *sc)
{
    struct error *err = NULL;
    struct sfilter *f = NULL;

    if (sfilter_compile_cached(fd, sc, &f, &err) < 0) {
        tap_diag("sfilter_compile_cached: %s", err->msg);
        error_free(&err);
    }
    return f;
}

static struct sfilter *
compiled(const struct spec_seccomp *sc)
{
    struct error *err = NULL;
    struct sfilter *f = NULL;

    if (sfilter_compile(sc, &f, &err) < 0)
        error_free(&err);
    return f;
}

static void
test_hits(void)
{
    struct sfilter *want_a = compiled(&config_a), *want_b = compiled(&config_b);
    struct sfilter *f, *g;
    char names[4][64], path[256];
    struct stat st;

    f = cached(dirfd_, &config_a);
    tap_ok(same_filter(f, want_a), "a miss compiles");
    tap_is_int(entries(names, 4), 1, "and stores one file");
    snprintf(path, sizeof(path), "%s/%s", dir, names[0]);
    tap_ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "private to its owner (0600)");
    g = cached(dirfd_, &config_a);
    tap_ok(same_filter(g, want_a), "a hit gives the same program");
    tap_ok(g != NULL && g->skipped.n == 1 && strstr(g->skipped.items[0], "berth_unknown_call"),
           "and the same skipped-name lines");
    sfilter_free(f);
    sfilter_free(g);

    f = cached(dirfd_, &config_b);
    tap_ok(same_filter(f, want_b), "another config gets its own program");
    tap_is_int(entries(names, 4), 2, "in a second file");
    sfilter_free(f);

    /* A damaged file (cut short) is a miss, and is rewritten. */
    if (truncate(path, 100) == 0) {
        f = cached(dirfd_, &config_a);
        tap_ok(same_filter(f, want_a), "a damaged file is ignored");
        tap_ok(stat(path, &st) == 0 && st.st_size > 100, "and replaced");
        sfilter_free(f);
    } else {
        tap_ok(0, "truncate '%s': %s", path, strerror(errno));
        tap_ok(0, "replaced");
    }
    /* Config B's file under config A's name: the name (a hash) matches,
     * the key inside does not.  A crafted collision gets no foreign
     * filter. */
    {
        char other[256], *a = NULL;

        entries(names, 4);
        snprintf(other, sizeof(other), "%s/%s", dir,
                 strcmp(path + strlen(dir) + 1, names[0]) == 0 ? names[1] : names[0]);
        a = strdup(path);
        if (rename(other, a) == 0) {
            f = cached(dirfd_, &config_a);
            tap_ok(same_filter(f, want_a), "a file whose key differs is never used");
            sfilter_free(f);
        } else {
            tap_ok(0, "rename: %s", strerror(errno));
        }
        free(a);
    }
    sfilter_free(want_a);
    sfilter_free(want_b);
}

static void
test_no_cache(void)
{
    struct sfilter *f = cached(-1, &config_b);
    struct sfilter *want = compiled(&config_b);

    tap_ok(same_filter(f, want), "without a cache directory it compiles");
    sfilter_free(f);
    sfilter_free(want);
}

/* Past 64 files the directory is emptied before the next is added. */
static void
test_trim(void)
{
    char names[4][64];
    struct sfilter *f;

    for (int i = 0; i < 70; i++) {
        char p[256];
        FILE *fp;

        snprintf(p, sizeof(p), "%s/%016x", dir, i);
        fp = fopen(p, "w");
        if (fp != NULL)
            fclose(fp);
    }
    /* A config not cached yet: a miss, which stores. */
    rules_b[0].names = NAMES("gettid");
    f = cached(dirfd_, &config_b);
    tap_ok(f != NULL, "a miss in a full cache compiles");
    tap_is_int(entries(names, 4), 1, "and the full cache was emptied first");
    sfilter_free(f);
}

int
main(void)
{
    strcpy(dir, "/tmp/berth-unit-XXXXXX");
    if (mkdtemp(dir) == NULL)
        tap_skip_all("cannot make a temporary directory");
    dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    test_hits();
    test_no_cache();
    test_trim();
    close(dirfd_);
    {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            tap_diag("could not remove %s", dir);
    }
    return tap_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroup-stats.c: the stats event's data from a cgroup's files,
 * here a scratch directory holding what the kernel would write, and some
 * things it would not. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fd.h"
#include "lib/json.h"
#include "runtime/cgroup.h"
#include "tests/unit/tap.h"

static char dir[] = "/tmp/berth-unit-stats.XXXXXX";

static void
put(int dirfd, const char *file, const char *text)
{
    int fd = openat(dirfd, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0 || fd_write_all(fd, text, strlen(text)) < 0 || close(fd) < 0) {
        printf("Bail out! write %s: %s\n", file, strerror(errno));
        exit(1);
    }
}

/* The stats of DIRFD, parsed back. */
static struct json_value *
stats(int dirfd)
{
    struct json_writer *w = json_writer_new(false);
    struct error *err = NULL;
    char *buf = NULL;
    size_t len;
    struct json_value *doc;

    cgroup_stats_write(dirfd, w);
    if (json_writer_finish(w, &buf, &len, &err) < 0) {
        printf("Bail out! json_writer_finish: %s\n", err->msg);
        exit(1);
    }
    doc = json_parse(buf, len, "stats", &err);
    tap_ok(doc != NULL, "the stats are valid JSON: %s", doc ? "yes" : err->msg);
    if (doc == NULL)
        exit(1);
    free(buf);
    return doc;
}

/* The number text at PATH ("cpu", "psi", "some", "avg10"), or NULL. */
static const char *
number_at(const struct json_value *v, const char *const *path, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        v = json_get(v, path[i]);
    return v != NULL && v->type == JSON_NUMBER ? v->u.str.text : NULL;
}

#define AT(doc, ...)                                                                               \
    number_at(doc, (const char *const[]){__VA_ARGS__},                                             \
              sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static bool
eq(const char *got, const char *want)
{
    return got != NULL && strcmp(got, want) == 0;
}

int
main(void)
{
    struct json_value *doc;
    int dirfd;

    if (mkdtemp(dir) == NULL || (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        printf("Bail out! %s: %s\n", dir, strerror(errno));
        return 1;
    }

    /* No PSI files: no "psi" anywhere, as runc leaves it out. */
    put(dirfd, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
    doc = stats(dirfd);
    tap_ok(json_get(json_get(doc, "cpu"), "psi") == NULL
               && json_get(json_get(doc, "memory"), "psi") == NULL
               && json_get(json_get(doc, "blkio"), "psi") == NULL,
           "no pressure files: no psi");
    tap_ok(eq(AT(doc, "cpu", "usage", "total"), "1500000"), "cpu usage in ns");
    json_free(doc);

    /* What the kernel writes; cpu.pressure without "full" (before 5.13). */
    put(dirfd, "cpu.pressure", "some avg10=1.50 avg60=0.25 avg300=0.00 total=123456\n");
    put(dirfd, "memory.pressure",
        "some avg10=007 avg60=01.5 avg300=0.50 total=7\n"
        "full avg10=99.99 avg60=10.00 avg300=0.01 total=18446744073709551615\n");
    /* Not what the kernel writes: nothing of it may reach the JSON but
       numbers (and memory's "some" above has leading zeros). */
    put(dirfd, "io.pressure",
        "some avg10=1e999 avg60=-1 avg300=\"x\" total=12\n"
        "full avg10=2.} avg60=.5 avg300=12345678901234567890123456789012.5\n");
    doc = stats(dirfd);
    tap_ok(eq(AT(doc, "cpu", "psi", "some", "avg10"), "1.50")
               && eq(AT(doc, "cpu", "psi", "some", "avg60"), "0.25")
               && eq(AT(doc, "cpu", "psi", "some", "total"), "123456"),
           "cpu.pressure some: the kernel's numbers");
    tap_ok(eq(AT(doc, "cpu", "psi", "full", "avg10"), "0")
               && eq(AT(doc, "cpu", "psi", "full", "total"), "0"),
           "cpu.pressure without a full line: zeros, as Go writes a zero struct");
    tap_ok(eq(AT(doc, "memory", "psi", "full", "avg10"), "99.99")
               && eq(AT(doc, "memory", "psi", "full", "total"), "18446744073709551615")
               && eq(AT(doc, "memory", "psi", "some", "total"), "7"),
           "memory.pressure: some and full");
    tap_ok(eq(AT(doc, "memory", "psi", "some", "avg10"), "0")
               && eq(AT(doc, "memory", "psi", "some", "avg60"), "0")
               && eq(AT(doc, "memory", "psi", "some", "avg300"), "0.50"),
           "a number with a leading zero becomes 0 (JSON has none)");
    tap_ok(eq(AT(doc, "blkio", "psi", "some", "avg10"), "0")
               && eq(AT(doc, "blkio", "psi", "some", "avg60"), "0")
               && eq(AT(doc, "blkio", "psi", "some", "avg300"), "0")
               && eq(AT(doc, "blkio", "psi", "some", "total"), "12"),
           "io.pressure: what is not a plain decimal becomes 0");
    tap_ok(eq(AT(doc, "blkio", "psi", "full", "avg10"), "0")
               && eq(AT(doc, "blkio", "psi", "full", "avg60"), "0")
               && eq(AT(doc, "blkio", "psi", "full", "avg300"), "0")
               && eq(AT(doc, "blkio", "psi", "full", "total"), "0"),
           "io.pressure full: a number cut short or too long becomes 0");
    json_free(doc);

    unlinkat(dirfd, "cpu.stat", 0);
    unlinkat(dirfd, "cpu.pressure", 0);
    unlinkat(dirfd, "memory.pressure", 0);
    unlinkat(dirfd, "io.pressure", 0);
    close(dirfd);
    rmdir(dir);
    return tap_done();
}

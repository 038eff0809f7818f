/* SPDX-License-Identifier: Apache-2.0 */
/* `events`: the "data" of runc's stats event (runc types/events.go, filled
 * as runc's libcontainer/cgroups/fs2 fills it), from a cgroup's files,
 * with the pressure stall information (PSI) of runc 1.2 in cpu, memory and
 * blkio.
 * Field names and order are runc's; so is what Go's encoder leaves out
 * (omitempty: a zero number, an empty list or map).  A controller that is
 * not enabled for the cgroup (a hybrid host) leaves its numbers at zero,
 * where runc would fail: the rest is still worth reporting. */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static char *
read_at(int dirfd, const char *file)
{
    char *buf = NULL;

    if (fd_read_file_at(dirfd, file, 1u << 20, &buf, NULL) < 0)
        return NULL;
    return buf;
}

/* A single-value file: a number, or "max" (UINT64_MAX, as runc reports an
 * unlimited value).  *FOUND false when the file is missing. */
static uint64_t
read_u64(int dirfd, const char *file, bool *found)
{
    _cleanup_free_ char *buf = read_at(dirfd, file);
    bool dummy;

    if (found == NULL)
        found = &dummy;
    *found = buf != NULL;
    if (buf == NULL)
        return 0;
    if (strncmp(buf, "max", 3) == 0)
        return UINT64_MAX;
    return strtoull(buf, NULL, 10);
}

/* "key": value, left out when zero (Go's omitempty). */
static void
w_u64_oe(struct json_writer *w, const char *key, uint64_t v)
{
    if (v == 0)
        return;
    json_w_key(w, key);
    json_w_uint64(w, v);
}

static void
w_u64(struct json_writer *w, const char *key, uint64_t v)
{
    json_w_key(w, key);
    json_w_uint64(w, v);
}

/* One line of a PSI file, "some avg10=0.00 avg60=0.00 avg300=0.00
 * total=0", as runc's PSIData: {"avg10": ..., "avg60": ..., "avg300": ...,
 * "total": ...}.  The averages are the kernel's text when it is a plain
 * decimal number that JSON allows as it is (no leading zero), else 0; a missing line (no
 * "full" for cpu before Linux 5.13) is all zeros, as Go writes a zero
 * struct. */
static void
write_psi_line(struct json_writer *w, const char *key, const char *line)
{
    static const char *const avgs[] = {"avg10", "avg60", "avg300"};

    json_w_key(w, key);
    json_w_object_begin(w);
    for (size_t i = 0; i < sizeof(avgs) / sizeof(avgs[0]); i++) {
        _cleanup_free_ char *want = xasprintf(" %s=", avgs[i]);
        const char *at = line != NULL ? strstr(line, want) : NULL;
        size_t n = 0;
        char text[32] = "0";

        if (at != NULL) {
            at += strlen(want);
            n = strspn(at, "0123456789");
            if (n > 1 && at[0] == '0')
                n = 0; /* a leading zero: not a JSON number */
            if (n > 0 && at[n] == '.' && strspn(at + n + 1, "0123456789") > 0)
                n += 1 + strspn(at + n + 1, "0123456789");
            if (n > 0 && n < sizeof(text) && (at[n] == ' ' || at[n] == '\n' || at[n] == '\0'))
                snprintf(text, sizeof(text), "%.*s", (int)n, at);
        }
        json_w_key(w, avgs[i]);
        json_w_number_text(w, text);
    }
    {
        const char *at = line != NULL ? strstr(line, " total=") : NULL;

        json_w_key(w, "total");
        json_w_uint64(w, at != NULL ? strtoull(at + 7, NULL, 10) : 0);
    }
    json_w_object_end(w);
}

/* "psi": {"some": ..., "full": ...} from FILE (cpu.pressure,
 * memory.pressure, io.pressure); left out, as runc leaves it out, when the
 * kernel has no PSI for the cgroup (no file, or EOPNOTSUPP on reading). */
static void
write_psi(int dirfd, const char *file, struct json_writer *w)
{
    _cleanup_free_ char *buf = read_at(dirfd, file);
    const char *some = NULL, *full = NULL;

    if (buf == NULL)
        return;
    for (char *line = buf; *line;) {
        size_t len = strcspn(line, "\n");

        if (strncmp(line, "some ", 5) == 0)
            some = line + 4;
        else if (strncmp(line, "full ", 5) == 0)
            full = line + 4;
        line += len;
        if (*line == '\n')
            *line++ = '\0';
    }
    json_w_key(w, "psi");
    json_w_object_begin(w);
    write_psi_line(w, "some", some);
    write_psi_line(w, "full", full);
    json_w_object_end(w);
}

static void
write_cpu(int dirfd, struct json_writer *w)
{
    uint64_t usec = cgroup_read_key(dirfd, "cpu.stat", "usage_usec", NULL);
    uint64_t user = cgroup_read_key(dirfd, "cpu.stat", "user_usec", NULL);
    uint64_t sys = cgroup_read_key(dirfd, "cpu.stat", "system_usec", NULL);

    json_w_key(w, "cpu");
    json_w_object_begin(w);
    json_w_key(w, "usage");
    json_w_object_begin(w);
    w_u64_oe(w, "total", usec * 1000);
    w_u64(w, "kernel", sys * 1000);
    w_u64(w, "user", user * 1000);
    json_w_object_end(w);
    json_w_key(w, "throttling");
    json_w_object_begin(w);
    w_u64_oe(w, "periods", cgroup_read_key(dirfd, "cpu.stat", "nr_periods", NULL));
    w_u64_oe(w, "throttledPeriods", cgroup_read_key(dirfd, "cpu.stat", "nr_throttled", NULL));
    w_u64_oe(w, "throttledTime", cgroup_read_key(dirfd, "cpu.stat", "throttled_usec", NULL) * 1000);
    json_w_object_end(w);
    write_psi(dirfd, "cpu.pressure", w);
    json_w_object_end(w);
}

static void
write_entry(struct json_writer *w, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
            uint64_t failcnt)
{
    json_w_key(w, key);
    json_w_object_begin(w);
    w_u64(w, "limit", limit);
    w_u64_oe(w, "usage", usage);
    w_u64_oe(w, "max", max);
    w_u64(w, "failcnt", failcnt);
    json_w_object_end(w);
}

static void
write_memory(int dirfd, struct json_writer *w)
{
    _cleanup_free_ char *stat = read_at(dirfd, "memory.stat");
    uint64_t usage = read_u64(dirfd, "memory.current", NULL);
    uint64_t limit = read_u64(dirfd, "memory.max", NULL);
    uint64_t swap = read_u64(dirfd, "memory.swap.current", NULL);
    uint64_t swap_limit = read_u64(dirfd, "memory.swap.max", NULL);

    json_w_key(w, "memory");
    json_w_object_begin(w);
    w_u64_oe(w, "cache", cgroup_read_key(dirfd, "memory.stat", "file", NULL));
    write_entry(w, "usage", limit, usage, read_u64(dirfd, "memory.peak", NULL),
                cgroup_read_key(dirfd, "memory.events", "max", NULL));
    /* cgroup v1 reported memory+swap; runc keeps that meaning. */
    if (swap_limit != UINT64_MAX && limit != UINT64_MAX)
        swap_limit += limit;
    write_entry(w, "swap", swap_limit, swap + usage, 0,
                cgroup_read_key(dirfd, "memory.swap.events", "max", NULL));
    write_entry(w, "kernel", 0, 0, 0, 0);
    write_entry(w, "kernelTCP", 0, 0, 0, 0);
    if (stat != NULL && *stat) {
        json_w_key(w, "raw");
        json_w_object_begin(w);
        for (char *line = stat; *line;) {
            size_t len = strcspn(line, "\n");
            char *sp = memchr(line, ' ', len);

            if (sp != NULL) {
                *sp = '\0';
                json_w_key(w, line);
                json_w_uint64(w, strtoull(sp + 1, NULL, 10));
            }
            line += len;
            line += *line == '\n';
        }
        json_w_object_end(w);
    }
    write_psi(dirfd, "memory.pressure", w);
    json_w_object_end(w);
}

static void
write_pids(int dirfd, struct json_writer *w)
{
    bool found;
    uint64_t current = read_u64(dirfd, "pids.current", &found);
    uint64_t limit = read_u64(dirfd, "pids.max", NULL);

    /* runc without the pids controller: the processes of cgroup.procs. */
    if (!found) {
        _cleanup_free_ char *procs = read_at(dirfd, "cgroup.procs");
        for (const char *p = procs; p && *p; p++)
            current += *p == '\n';
    }
    json_w_key(w, "pids");
    json_w_object_begin(w);
    w_u64_oe(w, "current", current);
    w_u64_oe(w, "limit", limit == UINT64_MAX ? 0 : limit);
    json_w_object_end(w);
}

struct blkio_entry {
    uint64_t major, minor, value;
    const char *op;
};

struct blkio_list {
    struct blkio_entry *v;
    size_t n, alloc;
};

static void
blkio_add(struct blkio_list *l, uint64_t major, uint64_t minor, const char *op, uint64_t value)
{
    l->v = xgrow(l->v, &l->alloc, l->n, sizeof(*l->v));
    l->v[l->n++] = (struct blkio_entry){major, minor, value, op};
}

static void
blkio_write(struct json_writer *w, const char *key, const struct blkio_list *l)
{
    if (l->n == 0)
        return;
    json_w_key(w, key);
    json_w_array_begin(w);
    for (size_t i = 0; i < l->n; i++) {
        json_w_object_begin(w);
        w_u64_oe(w, "major", l->v[i].major);
        w_u64_oe(w, "minor", l->v[i].minor);
        json_w_key(w, "op");
        json_w_string(w, l->v[i].op);
        w_u64_oe(w, "value", l->v[i].value);
        json_w_object_end(w);
    }
    json_w_array_end(w);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
static void
write_blkio(int dirfd, struct json_writer *w)
{
    _cleanup_free_ char *stat = read_at(dirfd, "io.stat");
    struct blkio_list bytes = {0}, ios = {0};

    for (char *line = stat; line && *line;) {
        size_t len = strcspn(line, "\n");
        char *end = line + len;
        char save = *end;
        unsigned long long major, minor;
        char *tok, *sp = NULL;

        *end = '\0';
        if (sscanf(line, "%llu:%llu", &major, &minor) == 2) {
            strtok_r(line, " ", &sp);
            for (tok = strtok_r(NULL, " ", &sp); tok; tok = strtok_r(NULL, " ", &sp)) {
                uint64_t v = strtoull(strchr(tok, '=') ? strchr(tok, '=') + 1 : "0", NULL, 10);
                if (strncmp(tok, "rbytes=", 7) == 0)
                    blkio_add(&bytes, major, minor, "Read", v);
                else if (strncmp(tok, "wbytes=", 7) == 0)
                    blkio_add(&bytes, major, minor, "Write", v);
                else if (strncmp(tok, "dbytes=", 7) == 0)
                    blkio_add(&bytes, major, minor, "Discard", v);
                else if (strncmp(tok, "rios=", 5) == 0)
                    blkio_add(&ios, major, minor, "Read", v);
                else if (strncmp(tok, "wios=", 5) == 0)
                    blkio_add(&ios, major, minor, "Write", v);
                else if (strncmp(tok, "dios=", 5) == 0)
                    blkio_add(&ios, major, minor, "Discard", v);
            }
        }
        *end = save;
        line = end + (save == '\n');
    }
    json_w_key(w, "blkio");
    json_w_object_begin(w);
    blkio_write(w, "ioServiceBytesRecursive", &bytes);
    blkio_write(w, "ioServicedRecursive", &ios);
    write_psi(dirfd, "io.pressure", w);
    json_w_object_end(w);
    free(bytes.v);
    free(ios.v);
}

/* /sys/kernel/mm/hugepages/hugepages-2048kB -> "2MB", the cgroup's name. */
static char *
page_size_name(const char *dir)
{
    unsigned long long kb;

    if (sscanf(dir, "hugepages-%llukB", &kb) != 1 || kb == 0)
        return NULL;
    if (kb % (1024 * 1024) == 0)
        return xasprintf("%lluGB", kb / (1024 * 1024));
    if (kb % 1024 == 0)
        return xasprintf("%lluMB", kb / 1024);
    return xasprintf("%lluKB", kb);
}

static void
write_hugetlb(int dirfd, struct json_writer *w)
{
    DIR *d = opendir("/sys/kernel/mm/hugepages");
    struct dirent *de;

    json_w_key(w, "hugetlb");
    json_w_object_begin(w);
    while (d != NULL && (de = readdir(d)) != NULL) {
        _cleanup_free_ char *size = page_size_name(de->d_name);
        _cleanup_free_ char *cur = NULL;
        _cleanup_free_ char *events = NULL;
        bool found;
        uint64_t usage;

        if (size == NULL)
            continue;
        cur = xasprintf("hugetlb.%s.current", size);
        events = xasprintf("hugetlb.%s.events", size);
        usage = read_u64(dirfd, cur, &found);
        if (!found)
            continue;
        json_w_key(w, size);
        json_w_object_begin(w);
        w_u64_oe(w, "usage", usage);
        w_u64(w, "failcnt", cgroup_read_key(dirfd, events, "max", NULL));
        json_w_object_end(w);
    }
    if (d != NULL)
        closedir(d);
    json_w_object_end(w);
}

void
cgroup_stats_write(int dirfd, struct json_writer *w)
{
    json_w_object_begin(w);
    write_cpu(dirfd, w);
    write_memory(dirfd, w);
    write_pids(dirfd, w);
    write_blkio(dirfd, w);
    write_hugetlb(dirfd, w);
    json_w_object_end(w);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* image/archive.c: entries and their fields, data, the DiffID over every
 * uncompressed byte (tar, gzip, zstd; threaded and not), truncated and
 * corrupt streams, the size cap, errors of the source passed through, and
 * the index of a plain tar file checked by reading the data back. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/digest.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "tests/unit/image-tarw.h"
#include "tests/unit/tap.h"

static char tmpdir[] = "/tmp/berth-image-archive-XXXXXX";

static void
sha256_of(const void *buf, size_t len, struct image_digest *d)
{
    struct image_hash *h = image_hash_new(IMAGE_DIGEST_SHA256);

    image_hash_update(h, buf, len);
    image_hash_final(h, d);
    image_hash_free(h);
}

/* Read the whole stream: entries, their data (hashed), finish. */
struct walk {
    int rc;
    char *msg;
    size_t entries;
    uint64_t data_bytes;
    struct image_digest diff;
    uint64_t bytes;
};

static void
walk_stream(const unsigned char *buf, size_t len, size_t chunk, enum image_compression c,
            uint64_t max, struct walk *w)
{
    struct memsrc src = {.p = buf, .len = len, .chunk = chunk};
    struct image_hash *h = image_hash_new(IMAGE_DIGEST_SHA256);
    struct error *err = NULL;
    struct image_tar *t;
    char data[8192];

    memset(w, 0, sizeof(*w));
    t = image_tar_open(memsrc_read, &src, c, h, max, "layer test", &err);
    if (t == NULL) {
        w->rc = -err->errnum;
        goto out;
    }
    for (;;) {
        const struct image_tar_entry *e;
        int rc = image_tar_next(t, &e, &err);
        ssize_t n;

        if (rc <= 0) {
            w->rc = rc;
            break;
        }
        w->entries++;
        while ((n = image_tar_read(t, data, sizeof(data), &err)) > 0)
            w->data_bytes += (uint64_t)n;
        if (n < 0) {
            w->rc = (int)n;
            break;
        }
    }
    if (w->rc == 0)
        w->rc = image_tar_finish(t, &err);
    w->bytes = image_tar_bytes(t);
    image_tar_free(t);
out:
    if (w->rc == 0)
        image_hash_final(h, &w->diff);
    if (err != NULL)
        w->msg = xstrdup(err->msg);
    error_free(&err);
    image_hash_free(h);
}

static const struct tent sample[] = {
    {.path = "./", .type = 'd', .mode = 0755},
    {.path = "./etc/",
     .type = 'd',
     .mode = 0750,
     .uid = 0,
     .gid = 42,
     .mtime = 1234567890,
     .nsec = 500000000},
    {.path = "./etc/passwd", .type = 'f', .mode = 0644, .data = "root:x:0:0::/root:/bin/sh\n"},
    {.path = "./bin/su",
     .type = 'f',
     .mode = 04755,
     .uid = 0,
     .data = "ELF",
     .xname = {"security.capability", "user.note"},
     .xval = {"\x01\x00\x00\x02", "hello"},
     .xlen = {4, 5}},
    {.path = "./bin/sh", .type = 'l', .link = "busybox"},
    {.path = "./bin/ash", .type = 'h', .link = "./bin/su"},
    {.path = "./dev/null", .type = 'c', .mode = 0666, .maj = 1, .min = 3},
    {.path = "./dev/sda", .type = 'b', .mode = 0660, .maj = 8, .min = 0},
    {.path = "./run/fifo", .type = 'p', .mode = 0600},
    {.path = "./big", .type = 'f', .size = 300000, .data = "start"},
    {.path = "./caf\xc3\xa9/\xe2\x98\x83", .type = 'f', .data = "utf-8"},
    {0},
};

static void
test_entries(void)
{
    struct tarw w;
    struct memsrc src;
    struct error *err = NULL;
    struct image_tar *t;
    const struct image_tar_entry *e;
    size_t n = 0;
    bool fields_ok = true;

    tarw_build(&w, TARW_NONE, sample);
    src = (struct memsrc){.p = w.buf, .len = w.len};
    t = image_tar_open(memsrc_read, &src, IMAGE_COMPRESSION_AUTO, NULL, 0, "layer x", &err);
    tap_ok(t != NULL, "open a plain tar stream");
    if (t == NULL)
        return;
    while (image_tar_next(t, &e, &err) > 0) {
        const struct tent *s = &sample[n++];

        if (strcmp(e->path, s->path) != 0) {
            tap_diag("entry %zu: path '%s', expected '%s'", n, e->path, s->path);
            fields_ok = false;
        }
        if (strcmp(s->path, "./etc/") == 0)
            tap_ok(e->type == IMAGE_TAR_DIR && e->mode == 0750 && e->gid == 42
                       && e->mtime.tv_sec == 1234567890 && e->mtime.tv_nsec == 500000000
                       && e->atime.tv_sec == 1234567890,
                   "a directory: type, mode, gid, mtime with nanoseconds, atime = mtime");
        if (strcmp(s->path, "./bin/su") == 0) {
            bool cap = false, user = false;
            char buf[16];
            ssize_t r;

            for (size_t i = 0; i < e->n_xattrs; i++) {
                if (strcmp(e->xattrs[i].name, "security.capability") == 0)
                    cap = e->xattrs[i].size == 4
                          && memcmp(e->xattrs[i].value, "\x01\0\0\x02", 4) == 0;
                if (strcmp(e->xattrs[i].name, "user.note") == 0)
                    user = e->xattrs[i].size == 5 && memcmp(e->xattrs[i].value, "hello", 5) == 0;
            }
            tap_ok(e->type == IMAGE_TAR_REG && e->mode == 04755 && e->size == 3,
                   "a setuid file: type, mode 04755, size");
            tap_ok(cap && user, "its xattrs: security.capability and user.note, binary-safe");
            r = image_tar_read(t, buf, sizeof(buf), &err);
            tap_ok(r == 3 && memcmp(buf, "ELF", 3) == 0, "its data");
        }
        if (strcmp(s->path, "./bin/sh") == 0)
            tap_ok(e->type == IMAGE_TAR_SYMLINK && strcmp(e->linkname, "busybox") == 0,
                   "a symlink and its target");
        if (strcmp(s->path, "./bin/ash") == 0)
            tap_ok(e->type == IMAGE_TAR_HARDLINK && strcmp(e->linkname, "./bin/su") == 0,
                   "a hardlink and its target, as stored");
        if (strcmp(s->path, "./dev/null") == 0)
            tap_ok(e->type == IMAGE_TAR_CHR && e->rdev_major == 1 && e->rdev_minor == 3,
                   "a character device 1:3");
        if (strcmp(s->path, "./dev/sda") == 0)
            tap_ok(e->type == IMAGE_TAR_BLK && e->rdev_major == 8 && e->rdev_minor == 0,
                   "a block device 8:0");
        if (strcmp(s->path, "./run/fifo") == 0)
            tap_ok(e->type == IMAGE_TAR_FIFO, "a fifo");
        if (strcmp(s->path, "./big") == 0) {
            const void *blk;
            size_t len, total = 0;
            int64_t off, expect = 0;
            bool contiguous = true, start = false;
            int r;

            while ((r = image_tar_read_block(t, &blk, &len, &off, &err)) > 0) {
                if (off != expect)
                    contiguous = false;
                if (off == 0)
                    start = len >= 5 && memcmp(blk, "start", 5) == 0;
                expect = off + (int64_t)len;
                total += len;
            }
            tap_ok(r == 0 && total == 300000 && contiguous && start,
                   "image_tar_read_block: 300000 bytes in contiguous blocks (%zu)", total);
        }
    }
    tap_ok(fields_ok && n == sizeof(sample) / sizeof(sample[0]) - 1,
           "every entry, names as stored (UTF-8 included): %zu", n);
    tap_ok(image_tar_finish(t, &err) == 0, "finish");
    if (err)
        tap_diag("%s", err->msg);
    error_free(&err);
    image_tar_free(t);
    free(w.buf);
}

/* gzip -dc | sha256sum, the way a person would check a DiffID. */
static bool
sha256sum_of_gunzip(const unsigned char *gz, size_t len, const char *want_hex)
{
    char path[256], cmd[512], out[128] = "";
    FILE *f, *p;

    snprintf(path, sizeof(path), "%s/layer.tar.gz", tmpdir);
    f = fopen(path, "w");
    if (f == NULL || fwrite(gz, 1, len, f) != len || fclose(f) != 0)
        return false;
    snprintf(cmd, sizeof(cmd), "gzip -dc '%s' | sha256sum", path);
    p = popen(cmd, "r");
    if (p == NULL)
        return false;
    if (fgets(out, sizeof(out), p) == NULL)
        out[0] = '\0';
    pclose(p);
    return strncmp(out, want_hex, 64) == 0;
}

static void
test_diffid(void)
{
    static const char *const names[] = {"tar", "gzip", "zstd"};
    static const enum image_compression comps[] = {IMAGE_COMPRESSION_NONE, IMAGE_COMPRESSION_GZIP,
                                                   IMAGE_COMPRESSION_ZSTD};
    struct tarw plain;
    struct image_digest want;

    tarw_build(&plain, TARW_NONE, sample);
    sha256_of(plain.buf, plain.len, &want);
    /* libarchive pads to 10240-byte records: the DiffID covers the padding. */
    tap_ok(plain.len % 10240 == 0, "the plain stream is padded to a record (%zu bytes)", plain.len);

    for (int f = 0; f < 3; f++) {
        struct tarw w;

        tarw_build(&w, (enum tarw_filter)f, sample);
        for (int threaded = 0; threaded < 2; threaded++) {
            image_tar_force_sync(!threaded);
            for (int explicit = 0; explicit < 2; explicit ++) {
                for (size_t chunk = 1; chunk <= 65536; chunk *= 4096) {
                    struct walk r;

                    walk_stream(w.buf, w.len, chunk, explicit ? comps[f] : IMAGE_COMPRESSION_AUTO,
                                0, &r);
                    tap_ok(r.rc == 0 && image_digest_equal(&r.diff, &want) && r.bytes == plain.len
                               && r.entries == 11,
                           "%s, %s, %s, source chunks of %zu: DiffID = sha256 of the %zu "
                           "uncompressed bytes",
                           names[f], threaded ? "threaded" : "one thread",
                           explicit ? "explicit" : "sniffed", chunk, plain.len);
                    if (r.rc != 0)
                        tap_diag("rc %d: %s", r.rc, r.msg ? r.msg : "");
                    free(r.msg);
                }
            }
        }
        if (f == TARW_GZIP) {
            if (system("command -v gzip >/dev/null && command -v sha256sum >/dev/null") == 0)
                tap_ok(sha256sum_of_gunzip(w.buf, w.len, want.hex),
                       "gzip -dc | sha256sum agrees: %.12s...", want.hex);
        }
        free(w.buf);
    }
    image_tar_force_sync(false);
    free(plain.buf);
}

static void
test_empty_and_garbage(void)
{
    static const unsigned char garbage[1024] = "this is not a tar archive at all";
    struct image_digest empty;
    struct walk r;

    sha256_of("", 0, &empty);
    walk_stream((const unsigned char *)"", 0, 0, IMAGE_COMPRESSION_AUTO, 0, &r);
    tap_ok(r.rc == 0 && r.entries == 0 && image_digest_equal(&r.diff, &empty),
           "an empty stream: no entries, sha256 of nothing");
    free(r.msg);

    walk_stream(garbage, sizeof(garbage), 0, IMAGE_COMPRESSION_AUTO, 0, &r);
    tap_ok(r.rc < 0 && r.msg && strstr(r.msg, "layer test") != NULL, "garbage: an error (%s)",
           r.msg ? r.msg : "");
    free(r.msg);
}

static void
test_mismatch(void)
{
    static const unsigned char xz[] = {0xfd, '7', 'z', 'X', 'Z', 0, 1, 2, 3, 4};
    struct tarw w, gz;
    struct walk r;

    tarw_build(&w, TARW_NONE, sample);
    tarw_build(&gz, TARW_GZIP, sample);
    walk_stream(w.buf, w.len, 0, IMAGE_COMPRESSION_GZIP, 0, &r);
    tap_ok(r.rc == -EINVAL && r.msg && strstr(r.msg, "expected gzip data"),
           "gzip asked, plain tar given: %s", r.msg ? r.msg : "");
    free(r.msg);
    walk_stream(gz.buf, gz.len, 0, IMAGE_COMPRESSION_ZSTD, 0, &r);
    tap_ok(r.rc == -EINVAL && r.msg && strstr(r.msg, "but it is gzip"),
           "zstd asked, gzip given: %s", r.msg ? r.msg : "");
    free(r.msg);
    walk_stream(gz.buf, gz.len, 0, IMAGE_COMPRESSION_NONE, 0, &r);
    tap_ok(r.rc == -EINVAL, "uncompressed asked, gzip given: %s", r.msg ? r.msg : "");
    free(r.msg);
    walk_stream(xz, sizeof(xz), 0, IMAGE_COMPRESSION_AUTO, 0, &r);
    tap_ok(r.rc == -EINVAL && r.msg && strstr(r.msg, "xz"), "xz is named: %s", r.msg ? r.msg : "");
    free(r.msg);
    free(w.buf);
    free(gz.buf);
}

/* Every cut of a compressed stream is an error naming the layer, never a
 * crash and never a silent success with a short archive. */
static void
test_truncated(void)
{
    static const char *const names[] = {"tar", "gzip", "zstd"};

    for (int f = 0; f < 3; f++) {
        struct tarw w;
        size_t bad = 0, cuts = 0;

        tarw_build(&w, (enum tarw_filter)f, sample);
        for (int threaded = 0; threaded < 2; threaded++) {
            image_tar_force_sync(!threaded);
            for (size_t cut = 0; cut < w.len; cut += (f == TARW_NONE ? 509 : 7)) {
                struct walk r;

                /* A plain tar cut inside its final padding is still whole. */
                if (f == TARW_NONE && cut >= 512 * 600)
                    break;
                walk_stream(w.buf, cut, 0, IMAGE_COMPRESSION_AUTO, 0, &r);
                cuts++;
                if (cut > 0
                    && (r.rc >= 0 || r.msg == NULL || strstr(r.msg, "layer test") == NULL)) {
                    if (bad++ < 3)
                        tap_diag("cut at %zu: rc %d %s", cut, r.rc, r.msg ? r.msg : "");
                }
                free(r.msg);
            }
        }
        image_tar_force_sync(false);
        tap_ok(bad == 0, "%s cut at %zu places: each an error naming the layer", names[f], cuts);
        free(w.buf);
    }
    {
        struct tarw w;
        struct walk r;

        tarw_build(&w, TARW_GZIP, sample);
        walk_stream(w.buf, w.len - 5, 0, IMAGE_COMPRESSION_AUTO, 0, &r);
        tap_ok(r.rc < 0 && r.msg && strstr(r.msg, "layer test: gzip:"),
               "a truncated gzip stream says gzip: %s", r.msg ? r.msg : "");
        free(r.msg);
        free(w.buf);
    }
}

/* Flip bytes of a compressed stream: errors or entries, never a crash
 * (under the sanitizers this is a small fuzz run). */
static void
test_corrupt(void)
{
    static const char *const names[] = {"tar", "gzip", "zstd"};
    unsigned int seed = 12345;

    for (int f = 0; f < 3; f++) {
        struct tarw w;
        size_t errors = 0, runs = 0;

        tarw_build(&w, (enum tarw_filter)f, sample);
        for (int i = 0; i < 300; i++) {
            unsigned char *copy = xmalloc(w.len);
            struct walk r;

            memcpy(copy, w.buf, w.len);
            for (int k = 0; k < 1 + i % 4; k++) {
                size_t at = (size_t)rand_r(&seed) % (f == TARW_NONE ? 4096 : w.len);
                copy[at] = (unsigned char)rand_r(&seed);
            }
            image_tar_force_sync(i % 2);
            walk_stream(copy, w.len, 0, IMAGE_COMPRESSION_AUTO, 0, &r);
            errors += r.rc < 0;
            runs++;
            free(r.msg);
            free(copy);
        }
        image_tar_force_sync(false);
        tap_ok(runs == 300, "%s with random bytes flipped, %zu runs: no crash (%zu errors)",
               names[f], runs, errors);
        free(w.buf);
    }
}

static void
test_cap(void)
{
    static const struct tent bomb[] = {
        {.path = "zeros", .type = 'f', .size = 64 << 20},
        {0},
    };
    struct tarw w;

    tarw_build(&w, TARW_GZIP, bomb);
    tap_ok(w.len < (1 << 20), "64 MiB of zeros gzip to %zu bytes", w.len);
    for (int threaded = 0; threaded < 2; threaded++) {
        struct walk r;

        image_tar_force_sync(!threaded);
        walk_stream(w.buf, w.len, 0, IMAGE_COMPRESSION_AUTO, 1 << 20, &r);
        tap_ok(r.rc == -EFBIG && r.msg
                   && strcmp(r.msg, "layer test: unpacked size exceeds the limit of 1048576 "
                                    "bytes (--max-size)")
                          == 0
                   && r.bytes <= (1 << 20) + (1 << 19),
               "%s: a gzip bomb stops at the limit: %s (read %llu)",
               threaded ? "threaded" : "one thread", r.msg ? r.msg : "",
               (unsigned long long)r.bytes);
        free(r.msg);
        walk_stream(w.buf, w.len, 0, IMAGE_COMPRESSION_AUTO, (64 << 20) + 10240, &r);
        tap_ok(r.rc == 0, "a limit of exactly the size passes");
        free(r.msg);
    }
    image_tar_force_sync(false);
    free(w.buf);
}

/* The source's errors come out as they are, at any point. */
static void
test_source_error(void)
{
    static const char *const names[] = {"tar", "gzip", "zstd"};

    for (int f = 0; f < 3; f++) {
        struct tarw w;
        size_t bad = 0, n = 0;

        tarw_build(&w, (enum tarw_filter)f, sample);
        for (int threaded = 0; threaded < 2; threaded++) {
            image_tar_force_sync(!threaded);
            for (size_t at = 0; at <= w.len; at += w.len / 7 + 1) {
                struct memsrc src = {.p = w.buf,
                                     .len = w.len,
                                     .chunk = 1000,
                                     .fail_at = at,
                                     .fail_msg = "blob sha256:abc: digest mismatch"};
                struct error *err = NULL;
                struct image_tar *t = image_tar_open(memsrc_read, &src, IMAGE_COMPRESSION_AUTO,
                                                     NULL, 0, "layer y", &err);
                int rc = t == NULL ? -1 : 0;
                const struct image_tar_entry *e;
                char buf[4096];

                while (rc == 0) {
                    ssize_t r;

                    rc = image_tar_next(t, &e, &err);
                    if (rc <= 0)
                        break;
                    while ((r = image_tar_read(t, buf, sizeof(buf), &err)) > 0)
                        ;
                    rc = r < 0 ? (int)r : 0;
                }
                if (rc == 0)
                    rc = image_tar_finish(t, &err);
                n++;
                if (rc >= 0 || err == NULL
                    || strcmp(err->msg, "blob sha256:abc: digest mismatch") != 0) {
                    if (bad++ < 3)
                        tap_diag("fail at %zu: rc %d: %s", at, rc, err ? err->msg : "");
                }
                error_free(&err);
                image_tar_free(t);
            }
        }
        image_tar_force_sync(false);
        tap_ok(bad == 0, "%s: a failing source's error comes out intact (%zu points)", names[f], n);
        free(w.buf);
    }
}

/* finish reads the source to its end: the blob digest covers every byte,
 * even after the compressed stream (here: garbage after the gzip member). */
static void
test_finish_drains(void)
{
    struct tarw w;
    unsigned char *buf;
    struct memsrc src;
    struct error *err = NULL;
    struct image_tar *t;
    const struct image_tar_entry *e;
    int rc;

    tarw_build(&w, TARW_GZIP, sample);
    buf = xmalloc(w.len + 3000);
    memcpy(buf, w.buf, w.len);
    memset(buf + w.len, 'x', 3000);
    src = (struct memsrc){.p = buf, .len = w.len + 3000, .chunk = 512};
    t = image_tar_open(memsrc_read, &src, IMAGE_COMPRESSION_AUTO, NULL, 0, "layer z", &err);
    while (t != NULL && (rc = image_tar_next(t, &e, &err)) > 0)
        ;
    rc = t ? image_tar_finish(t, &err) : -1;
    tap_ok(rc == 0 && src.pos == src.len,
           "finish reads the source to its end, trailing bytes included (%zu of %zu)", src.pos,
           src.len);
    if (err)
        tap_diag("%s", err->msg);
    error_free(&err);
    image_tar_free(t);
    free(buf);
    free(w.buf);
}

/* Stop early: free with the helper thread still working. */
static void
test_free_early(void)
{
    static const struct tent many[] = {
        {.path = "a", .type = 'f', .size = 8 << 20},
        {.path = "b", .type = 'f', .size = 8 << 20},
        {0},
    };
    struct tarw w;
    struct memsrc src;
    struct error *err = NULL;
    struct image_tar *t;
    const struct image_tar_entry *e;

    tarw_build(&w, TARW_GZIP, many);
    src = (struct memsrc){.p = w.buf, .len = w.len, .chunk = 100};
    t = image_tar_open(memsrc_read, &src, IMAGE_COMPRESSION_AUTO, NULL, 0, "layer f", &err);
    tap_ok(t != NULL && image_tar_next(t, &e, &err) == 1, "read one entry and stop");
    image_tar_free(t);
    tap_ok(1, "freed with the stream half read");
    free(w.buf);
}

static void
test_index(void)
{
    static const struct tent members[] = {
        {.path = "oci-layout", .type = 'f', .data = "{\"imageLayoutVersion\":\"1.0.0\"}"},
        {.path = "./blobs/", .type = 'd'},
        {.path = "./blobs/sha256/aaaa", .type = 'f', .data = "first blob"},
        {.path = "/blobs/sha256/bbbb", .type = 'f', .size = 70000, .data = "second"},
        {.path = "blobs/sha256/dup", .type = 'f', .data = "old"},
        {.path = "blobs/sha256/dup", .type = 'f', .data = "new content"},
        {.path = "l1/layer.tar", .type = 'l', .link = "../blobs/sha256/aaaa"},
        {.path = "l2/layer.tar", .type = 'l', .link = "../l1/layer.tar"},
        {.path = "h", .type = 'h', .link = "oci-layout"},
        {.path = "bad/layer.tar", .type = 'l', .link = "../../../etc/passwd"},
        {.path = "a-very-long-directory-name-that-does-not-fit-in-one-hundred-bytes/"
                 "and-so-needs-a-pax-header/blob",
         .type = 'f',
         .data = "long"},
        {0},
    };
    static const struct {
        const char *path, *data;
        size_t size;
    } want[] = {
        {"oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 0},
        {"blobs/sha256/aaaa", "first blob", 0},
        {"blobs/sha256/bbbb", "second", 70000},
        {"blobs/sha256/dup", "new content", 0},
        {"l1/layer.tar", "first blob", 0},
        {"l2/layer.tar", "first blob", 0},
        {"h", "{\"imageLayoutVersion\":\"1.0.0\"}", 0},
        {"a-very-long-directory-name-that-does-not-fit-in-one-hundred-bytes/"
         "and-so-needs-a-pax-header/blob",
         "long", 0},
    };
    char path[256];
    struct tarw w, gz;
    struct image_tar_member *m = NULL;
    size_t n = 0;
    struct error *err = NULL;
    int fd, rc;

    tarw_build(&w, TARW_NONE, members);
    snprintf(path, sizeof(path), "%s/archive.tar", tmpdir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, w.buf, w.len) != (ssize_t)w.len) {
        printf("Bail out! write %s\n", path);
        exit(1);
    }
    lseek(fd, 123, SEEK_SET);
    rc = image_tar_index_fd(fd, "archive.tar", &m, &n, &err);
    tap_ok(rc == 0 && n == sizeof(want) / sizeof(want[0]), "index: %zu members", n);
    if (err)
        tap_diag("%s", err->msg);
    tap_ok(lseek(fd, 0, SEEK_CUR) == 123, "the fd's offset is left alone");
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct image_tar_member *found = NULL;
        size_t size = want[i].size ? want[i].size : strlen(want[i].data);
        char *buf = xcalloc(1, size + 1);
        bool ok;

        for (size_t j = 0; j < n; j++)
            if (strcmp(m[j].path, want[i].path) == 0)
                found = &m[j];
        ok = found != NULL && found->size == size
             && pread(fd, buf, size, (off_t)found->offset) == (ssize_t)size
             && memcmp(buf, want[i].data, strlen(want[i].data)) == 0;
        tap_ok(ok, "member '%s': %zu bytes read back at its offset", want[i].path, size);
        free(buf);
    }
    for (size_t j = 1; j < n; j++)
        if (strcmp(m[j - 1].path, m[j].path) >= 0)
            tap_ok(0, "sorted: '%s' before '%s'", m[j - 1].path, m[j].path);
    image_tar_members_free(m, n);
    close(fd);

    tarw_build(&gz, TARW_GZIP, members);
    snprintf(path, sizeof(path), "%s/archive.tar.gz", tmpdir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, gz.buf, gz.len) != (ssize_t)gz.len) {
        printf("Bail out! write %s\n", path);
        exit(1);
    }
    rc = image_tar_index_fd(fd, "archive.tar.gz", &m, &n, &err);
    tap_ok(rc == -EINVAL && err && strstr(err->msg, "'archive.tar.gz'") && strstr(err->msg, "gzip"),
           "a compressed archive is refused: %s", err ? err->msg : "");
    error_free(&err);
    close(fd);

    /* Cut inside the second blob's data. */
    snprintf(path, sizeof(path), "%s/cut.tar", tmpdir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, w.buf, 6000) != 6000) {
        printf("Bail out! write %s\n", path);
        exit(1);
    }
    rc = image_tar_index_fd(fd, "cut.tar", &m, &n, &err);
    tap_ok(rc < 0 && err && strstr(err->msg, "'cut.tar'"), "a truncated archive: %s",
           err ? err->msg : "");
    error_free(&err);
    close(fd);
    free(w.buf);
    free(gz.buf);
}

/* The index of the plain tar BUF (LEN bytes), written to NAME in tmpdir. */
static int
index_buf(const void *buf, size_t len, const char *name, struct image_tar_member **m, size_t *n,
          int *ret_fd, struct error **err)
{
    char path[256];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
        printf("Bail out! write %s\n", path);
        exit(1);
    }
    *ret_fd = fd;
    return image_tar_index_fd(fd, name, m, n, err);
}

static const struct image_tar_member *
member_named(const struct image_tar_member *m, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].path, path) == 0)
            return &m[i];
    return NULL;
}

/* One ustar header block for NAME of TYPE with SIZE bytes, checksummed. */
static void
ustar_header(unsigned char *h, const char *name, char type, size_t size)
{
    unsigned sum = 0;

    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000644", 8);
    memcpy(h + 108, "0000000", 8);
    memcpy(h + 116, "0000000", 8);
    snprintf((char *)h + 124, 12, "%011zo", size);
    memcpy(h + 136, "00000000000", 12);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (size_t i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* Entries the index cannot serve in place: a member whose pax header gives
 * a size that is not what it stores, and names whose last entry is not a
 * regular file.  None may be served from its data or from an earlier
 * member of the same name. */
static void
test_index_not_in_place(void)
{
    static const char rec[] = "26 SCHILY.realsize=100000\n";
    static const struct tent shadowed[] = {
        {.path = "blob", .type = 'f', .data = "old blob"},
        {.path = "blob", .type = 'd'},
        {.path = "x", .type = 'f', .data = "old x"},
        {.path = "x", .type = 'l', .link = "nowhere"},
        {.path = "y", .type = 'l', .link = "nowhere"},
        {.path = "y", .type = 'f', .data = "fresh y"},
        {.path = "z", .type = 'f', .data = "old z"},
        {.path = "z", .type = 'l', .link = "y"},
        {0},
    };
    unsigned char *t = xcalloc(1, 512 * 9);
    struct image_tar_member *m = NULL;
    const struct image_tar_member *f;
    struct error *err = NULL;
    struct tarw w;
    size_t n = 0;
    char buf[16] = "";
    int fd, rc;

    /* pax record, a.txt (12 bytes stored, realsize 100000), b (3 bytes). */
    ustar_header(t, "PaxHeaders/a.txt", 'x', strlen(rec));
    memcpy(t + 512, rec, strlen(rec));
    ustar_header(t + 1024, "a.txt", '0', 12);
    memcpy(t + 1536, "twelve bytes", 12);
    ustar_header(t + 2048, "b", '0', 3);
    memcpy(t + 2560, "bbb", 3);
    rc = index_buf(t, 512 * 9, "realsize.tar", &m, &n, &fd, &err);
    tap_ok(rc == 0, "an archive with a pax realsize is indexed: %s", err ? err->msg : "ok");
    tap_ok(rc == 0 && member_named(m, n, "a.txt") == NULL,
           "a member whose stored bytes are not its size is left out");
    f = rc == 0 ? member_named(m, n, "b") : NULL;
    tap_ok(f != NULL && f->size == 3 && pread(fd, buf, 3, (off_t)f->offset) == 3
               && memcmp(buf, "bbb", 3) == 0,
           "the member after it is still read in place");
    error_free(&err);
    image_tar_members_free(m, n);
    close(fd);
    free(t);

    tarw_build(&w, TARW_NONE, shadowed);
    rc = index_buf(w.buf, w.len, "shadowed.tar", &m, &n, &fd, &err);
    tap_ok(rc == 0, "shadowed names: indexed: %s", err ? err->msg : "ok");
    tap_ok(rc == 0 && member_named(m, n, "blob") == NULL,
           "a directory after a file of its name: the file is not served");
    tap_ok(rc == 0 && member_named(m, n, "x") == NULL,
           "a dangling link after a file of its name: the file is not served");
    f = rc == 0 ? member_named(m, n, "y") : NULL;
    tap_ok(f != NULL && f->size == 7 && pread(fd, buf, 7, (off_t)f->offset) == 7
               && memcmp(buf, "fresh y", 7) == 0,
           "a file after a link of its name is served");
    f = rc == 0 ? member_named(m, n, "z") : NULL;
    tap_ok(f != NULL && f->size == 7 && pread(fd, buf, 7, (off_t)f->offset) == 7
               && memcmp(buf, "fresh y", 7) == 0,
           "a link after a file of its name serves what the link leads to");
    error_free(&err);
    image_tar_members_free(m, n);
    close(fd);
    free(w.buf);
}

int
main(void)
{
    if (mkdtemp(tmpdir) == NULL) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    test_entries();
    test_diffid();
    test_empty_and_garbage();
    test_mismatch();
    test_truncated();
    test_corrupt();
    test_cap();
    test_source_error();
    test_finish_drains();
    test_free_early();
    test_index();
    test_index_not_in_place();
    {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            tap_diag("could not remove %s", tmpdir);
    }
    return tap_done();
}

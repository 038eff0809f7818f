/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers for tests/unit/image-archive.c and image-extract.c: tar
 * streams built in memory with libarchive's write API (any name, any type,
 * gzip or zstd), and a read callback over a buffer that can be cut short
 * or made to fail. */
#ifndef BERTH_TESTS_UNIT_IMAGE_TARW_H
#define BERTH_TESTS_UNIT_IMAGE_TARW_H

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <archive.h>
#include <archive_entry.h>

#include "image/archive.h"
#include "lib/error.h"

enum tarw_filter { TARW_NONE, TARW_GZIP, TARW_ZSTD };

/* tent.mode for a mode of 0 (0 means the default, 0644 or 0755). */
#define TENT_MODE_0 010000000

struct tarw {
    struct archive *a;
    unsigned char *buf;
    size_t len, cap;
};

/* One entry.  type: 'f' file, 'd' dir, 'l' symlink, 'h' hardlink, 'p' fifo,
 * 'c'/'b' devices, 's' socket.  size > strlen(data) repeats zeros. */
struct tent {
    const char *path;
    char type;
    mode_t mode;
    const char *data;
    const char *link;
    long long uid, gid;
    time_t mtime;
    long nsec;
    unsigned maj, min;
    const char *xname[3];
    const char *xval[3];
    size_t xlen[3]; /* 0: strlen(xval) */
    int64_t size;   /* 0: strlen(data) */
};

static void
tarw_die(const char *what, struct archive *a)
{
    printf("Bail out! %s: %s\n", what, a ? archive_error_string(a) : "");
    exit(1);
}

static la_ssize_t
tarw_write_cb(struct archive *a, void *client, const void *buf, size_t len)
{
    struct tarw *w = client;

    (void)a;
    if (w->len + len > w->cap) {
        w->cap = (w->len + len) * 2 + 4096;
        w->buf = realloc(w->buf, w->cap);
        if (w->buf == NULL)
            abort();
    }
    memcpy(w->buf + w->len, buf, len);
    w->len += len;
    return (la_ssize_t)len;
}

/* libarchive's pax writer needs a UTF-8 locale to write non-ASCII names
 * (in the C locale it crashes on them); the reader under test runs in the
 * C locale, like berth-image by default. */
static void
tarw_open(struct tarw *w, enum tarw_filter filter)
{
    memset(w, 0, sizeof(*w));
    setlocale(LC_CTYPE, "C.UTF-8");
    w->a = archive_write_new();
    if (archive_write_set_format_pax(w->a) != ARCHIVE_OK)
        tarw_die("pax", w->a);
    if (filter == TARW_GZIP && archive_write_add_filter_gzip(w->a) != ARCHIVE_OK)
        tarw_die("gzip", w->a);
    if (filter == TARW_ZSTD && archive_write_add_filter_zstd(w->a) != ARCHIVE_OK)
        tarw_die("zstd", w->a);
    if (archive_write_open(w->a, w, NULL, tarw_write_cb, NULL) != ARCHIVE_OK)
        tarw_die("open", w->a);
}

static void
tarw_add(struct tarw *w, const struct tent *t)
{
    struct archive_entry *e = archive_entry_new();
    int64_t size = 0;
    size_t dlen = t->data ? strlen(t->data) : 0;

    archive_entry_set_pathname_utf8(e, t->path);
    archive_entry_set_uid(e, t->uid);
    archive_entry_set_gid(e, t->gid);
    archive_entry_set_mtime(e, t->mtime ? t->mtime : 1000000000, t->nsec);
    switch (t->type) {
    case 'f':
        archive_entry_set_filetype(e, AE_IFREG);
        size = t->size ? t->size : (int64_t)dlen;
        break;
    case 'd':
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
    case 'l':
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t->link);
        break;
    case 'h':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t->link);
        break;
    case 'p':
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
    case 'c':
    case 'b':
        archive_entry_set_filetype(e, t->type == 'c' ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdevmajor(e, t->maj);
        archive_entry_set_rdevminor(e, t->min);
        break;
    case 's':
        archive_entry_set_filetype(e, AE_IFSOCK);
        break;
    default:
        abort();
    }
    archive_entry_set_perm(e, t->mode == TENT_MODE_0 ? 0
                              : t->mode              ? t->mode
                                                     : (t->type == 'd' ? 0755 : 0644));
    archive_entry_set_size(e, size);
    for (int i = 0; i < 3 && t->xname[i]; i++)
        archive_entry_xattr_add_entry(e, t->xname[i], t->xval[i],
                                      t->xlen[i] ? t->xlen[i] : strlen(t->xval[i]));
    if (archive_write_header(w->a, e) != ARCHIVE_OK)
        tarw_die("header", w->a);
    if (size > 0) {
        static const char zeros[65536];
        int64_t left = size;

        if (dlen > 0 && archive_write_data(w->a, t->data, dlen) != (la_ssize_t)dlen)
            tarw_die("data", w->a);
        left -= (int64_t)dlen;
        while (left > 0) {
            size_t n = left > (int64_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;
            if (archive_write_data(w->a, zeros, n) != (la_ssize_t)n)
                tarw_die("data", w->a);
            left -= (int64_t)n;
        }
    }
    archive_entry_free(e);
}

/* Finish the stream: w->buf holds w->len bytes (the caller frees buf). */
static void
tarw_close(struct tarw *w)
{
    if (archive_write_close(w->a) != ARCHIVE_OK)
        tarw_die("close", w->a);
    archive_write_free(w->a);
    w->a = NULL;
    setlocale(LC_CTYPE, "C");
}

/* Compress W's stream in place as gzip or zstd would (without padding the
 * compressed bytes): libarchive's "raw" format writes one file's bytes. */
static void
tarw_compress(struct tarw *w, enum tarw_filter filter)
{
    struct tarw out;
    struct archive_entry *e = archive_entry_new();

    memset(&out, 0, sizeof(out));
    out.a = archive_write_new();
    if (archive_write_set_format_raw(out.a) != ARCHIVE_OK
        || (filter == TARW_GZIP && archive_write_add_filter_gzip(out.a) != ARCHIVE_OK)
        || (filter == TARW_ZSTD && archive_write_add_filter_zstd(out.a) != ARCHIVE_OK)
        || archive_write_set_bytes_in_last_block(out.a, 1) != ARCHIVE_OK
        || archive_write_open(out.a, &out, NULL, tarw_write_cb, NULL) != ARCHIVE_OK)
        tarw_die("raw", out.a);
    archive_entry_set_pathname(e, "data");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)w->len);
    if (archive_write_header(out.a, e) != ARCHIVE_OK
        || archive_write_data(out.a, w->buf, w->len) != (la_ssize_t)w->len
        || archive_write_close(out.a) != ARCHIVE_OK)
        tarw_die("raw data", out.a);
    archive_write_free(out.a);
    archive_entry_free(e);
    free(w->buf);
    w->buf = out.buf;
    w->len = out.len;
}

/* Build a whole stream from a list of entries ending with path == NULL:
 * a tar padded to 10240-byte records like tar(1) writes, then compressed. */
static void
tarw_build(struct tarw *w, enum tarw_filter filter, const struct tent *ents)
{
    tarw_open(w, TARW_NONE);
    for (; ents->path != NULL; ents++)
        tarw_add(w, ents);
    tarw_close(w);
    if (filter != TARW_NONE)
        tarw_compress(w, filter);
}

/* A read callback over a buffer: at most CHUNK bytes a call (0: all), and
 * at FAIL_AT (when FAIL_MSG is set) an error with that message. */
struct memsrc {
    const unsigned char *p;
    size_t len, pos, chunk;
    size_t fail_at;
    const char *fail_msg;
    int calls_after_eof;
};

static ssize_t
memsrc_read(void *opaque, void *buf, size_t len, struct error **err)
{
    struct memsrc *s = opaque;
    size_t n = s->len - s->pos;

    if (s->fail_msg != NULL && s->pos >= s->fail_at)
        return error_setx(err, EBADMSG, "%s", s->fail_msg);
    if (n == 0)
        s->calls_after_eof++;
    if (n > len)
        n = len;
    if (s->chunk && n > s->chunk)
        n = s->chunk;
    if (s->fail_msg != NULL && s->pos + n > s->fail_at)
        n = s->fail_at - s->pos;
    if (n > 0)
        memcpy(buf, s->p + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

#endif

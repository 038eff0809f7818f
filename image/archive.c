/* SPDX-License-Identifier: Apache-2.0 */
/* Tar streams through libarchive, the only file of image/ that sees it
 * (the contract is in image/archive.h).
 *
 * A layer goes through two libarchive readers.  The outer one has the
 * decompression filter and the "raw" format: its output is the
 * uncompressed stream, which is counted (the size cap) and hashed (the
 * DiffID) here, in big chunks.  The inner one has the tar format and reads
 * those chunks through a callback, without copying them.
 *
 * The outer reader runs in a helper thread that fills a small ring of
 * chunks ahead of the inner one; the caller's thread hashes each chunk as
 * it takes it, then parses and creates files (image/extract.c).  Measured
 * on a 1.4 GB gzip layer, inflating is about 60% of the work, hashing 12%
 * and the kernel's side of creating files most of the rest, so this split
 * keeps both cores busy.  image_tar_force_sync() does it all in the
 * caller's thread. */
#include "image/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* One chunk of the uncompressed stream: big enough that the inner reader
 * rarely has to stitch a header across two of them, and that the
 * per-chunk locking is lost in the noise. */
#define CHUNK_SIZE (256 * 1024)
/* Chunks in flight between the two threads: 2 MiB of read-ahead, so that
 * on a busy machine either thread can run for a while without the other. */
#define N_SLOTS 8
/* Compressed bytes asked from the source at a time. */
#define SRC_SIZE (128 * 1024)

static bool force_sync;

void
image_tar_force_sync(bool force)
{
    __atomic_store_n(&force_sync, force, __ATOMIC_RELAXED);
}

static bool
want_thread(void)
{
    const char *env = getenv("BERTH_IMAGE_THREADS");

    if (__atomic_load_n(&force_sync, __ATOMIC_RELAXED))
        return false;
    return env == NULL || strcmp(env, "0") != 0;
}

struct slot {
    unsigned char *buf;
    size_t len;
};

struct image_tar {
    char *name;

    /* ---- the producer: source, decompression, cap (and hash if alone) ---- */
    image_read_fn read;
    void *opaque;
    struct image_hash *hash; /* borrowed; NULL: no hash */
    uint64_t max_bytes;
    enum image_compression comp; /* as found in the stream */
    struct archive *outer;       /* NULL for an uncompressed stream */
    unsigned char *srcbuf;       /* SRC_SIZE compressed bytes */
    size_t pre_len;              /* sniffed bytes at srcbuf not handed out yet */
    bool src_eof, out_eof;
    /* Whether the producer hashes: alone, or when it has no inflating to
       do; else the consumer does as it takes each chunk, so that inflating
       (the most work by far) has a core to itself. */
    bool hash_here;
    uint64_t bytes;     /* uncompressed bytes produced (atomic) */
    struct error *perr; /* the producer's error, once it failed */
    int prc;

    /* ---- between the two: a ring of filled chunks ---- */
    bool threaded, thread_started;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled, freed;
    struct slot slots[N_SLOTS];
    unsigned head, count; /* filled slots: head .. head+count-1 */
    bool held;            /* the inner reader is using slots[head] */
    bool done;            /* the producer stopped: end of stream or error */
    bool cancel;

    /* ---- the consumer: tar entries ---- */
    struct archive *inner;
    struct image_tar_entry entry;
    struct image_tar_xattr *xattrs;
    size_t xattrs_alloc;
    bool eof, finished;
    struct error *cerr; /* the first error returned to the caller: sticky */
};

static const char *
comp_name(enum image_compression c)
{
    switch (c) {
    case IMAGE_COMPRESSION_GZIP:
        return "gzip";
    case IMAGE_COMPRESSION_ZSTD:
        return "zstd";
    case IMAGE_COMPRESSION_AUTO:
    case IMAGE_COMPRESSION_NONE:
        break;
    }
    return "tar";
}

/* libarchive's errno, or EBADMSG for "the data is wrong", which it reports
 * as ARCHIVE_ERRNO_FILE_FORMAT (EILSEQ on Linux) or ARCHIVE_ERRNO_MISC (-1). */
static int
archive_errnum(struct archive *a)
{
    int e = archive_errno(a);

    if (e <= 0 || e == EILSEQ)
        return EBADMSG;
    return e;
}

static const char *
archive_msg(struct archive *a)
{
    const char *s = archive_error_string(a);

    return s != NULL ? s : "unknown error";
}

/* ---------------------------------------------------------------------- */
/* The producer */

/* Read from the caller's source; its error is kept as it is. */
static ssize_t
src_read(struct image_tar *t, void *buf, size_t len)
{
    ssize_t n;

    if (t->src_eof)
        return 0;
    n = t->read(t->opaque, buf, len, &t->perr);
    if (n < 0) {
        if (t->perr == NULL)
            error_set(&t->perr, (int)-n, "%s: read", t->name);
        t->prc = -t->perr->errnum;
        return -1;
    }
    if (n == 0)
        t->src_eof = true;
    return n;
}

static la_ssize_t
outer_read_cb(struct archive *a, void *client, const void **buf)
{
    struct image_tar *t = client;
    ssize_t n;

    *buf = t->srcbuf;
    if (t->pre_len > 0) {
        n = (ssize_t)t->pre_len;
        t->pre_len = 0;
        return n;
    }
    n = src_read(t, t->srcbuf, SRC_SIZE);
    if (n < 0) {
        archive_set_error(a, t->perr->errnum, "%s", t->perr->msg);
        return ARCHIVE_FATAL;
    }
    return n;
}

/* The decompressor failed: corrupt or truncated data, or the source's own
 * error (which outer_read_cb passed through libarchive and is kept as it
 * was in t->perr). */
static void
decompress_fail(struct image_tar *t)
{
    if (t->perr == NULL)
        error_setx(&t->perr, archive_errnum(t->outer), "%s: %s: %s", t->name, comp_name(t->comp),
                   archive_msg(t->outer));
    t->prc = -t->perr->errnum;
}

/* Everything after the end of the compressed stream still belongs to the
 * blob: read it so that the caller's digest of the blob covers it. */
static int
drain_source(struct image_tar *t)
{
    ssize_t n;

    t->pre_len = 0;
    while ((n = src_read(t, t->srcbuf, SRC_SIZE)) > 0)
        ;
    return n < 0 ? -1 : 0;
}

/* Fill BUF with up to CAP uncompressed bytes, hashed and counted: the byte
 * count, 0 at the end of the stream, -1 with t->perr set. */
static ssize_t
produce(struct image_tar *t, unsigned char *buf, size_t cap)
{
    size_t n = 0;
    uint64_t total;

    if (t->prc < 0)
        return -1;
    while (n < cap && !t->out_eof) {
        ssize_t r;

        if (t->outer != NULL) {
            r = archive_read_data(t->outer, buf + n, cap - n);
            if (r < 0) {
                decompress_fail(t);
                return -1;
            }
        } else if (t->pre_len > 0) {
            /* The bytes that were read to sniff the compression. */
            r = (ssize_t)(t->pre_len < cap - n ? t->pre_len : cap - n);
            memcpy(buf + n, t->srcbuf, (size_t)r);
            memmove(t->srcbuf, t->srcbuf + r, t->pre_len - (size_t)r);
            t->pre_len -= (size_t)r;
        } else {
            r = src_read(t, buf + n, cap - n);
            if (r < 0)
                return -1;
        }
        if (r == 0) {
            t->out_eof = true;
            if (t->outer != NULL && drain_source(t) < 0)
                return -1;
            break;
        }
        n += (size_t)r;
    }
    if (n == 0)
        return 0;
    total = __atomic_add_fetch(&t->bytes, n, __ATOMIC_RELAXED);
    if (t->max_bytes > 0 && total > t->max_bytes) {
        if (t->perr == NULL)
            error_setx(&t->perr, EFBIG,
                       "%s: unpacked size exceeds the limit of %llu bytes (--max-size)", t->name,
                       (unsigned long long)t->max_bytes);
        t->prc = -EFBIG;
        return -1;
    }
    if (t->hash != NULL && t->hash_here)
        image_hash_update(t->hash, buf, n);
    return (ssize_t)n;
}

static void *
producer_main(void *arg)
{
    struct image_tar *t = arg;
    sigset_t all;

    /* Signals are the caller's business: its thread gets them. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        unsigned idx;
        ssize_t n;

        pthread_mutex_lock(&t->mu);
        while (t->count == N_SLOTS && !t->cancel)
            pthread_cond_wait(&t->freed, &t->mu);
        if (t->cancel) {
            t->done = true;
            pthread_mutex_unlock(&t->mu);
            break;
        }
        idx = (t->head + t->count) % N_SLOTS;
        pthread_mutex_unlock(&t->mu);

        /* slots[idx] is outside the filled range: only we touch it. */
        n = produce(t, t->slots[idx].buf, CHUNK_SIZE);

        pthread_mutex_lock(&t->mu);
        if (n > 0) {
            t->slots[idx].len = (size_t)n;
            t->count++;
        } else {
            t->done = true;
        }
        pthread_cond_signal(&t->filled);
        pthread_mutex_unlock(&t->mu);
        if (n <= 0)
            break;
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* The consumer */

/* Release the chunk the inner reader was using. */
static void
release_held(struct image_tar *t)
{
    if (t->held) {
        t->head = (t->head + 1) % N_SLOTS;
        t->count--;
        t->held = false;
        pthread_cond_signal(&t->freed);
    }
}

static la_ssize_t
inner_read_cb(struct archive *a, void *client, const void **buf)
{
    struct image_tar *t = client;
    ssize_t n;

    if (!t->threaded) {
        n = produce(t, t->slots[0].buf, CHUNK_SIZE);
        if (n < 0) {
            archive_set_error(a, t->perr->errnum, "%s", t->perr->msg);
            return ARCHIVE_FATAL;
        }
        *buf = t->slots[0].buf;
        return n;
    }
    pthread_mutex_lock(&t->mu);
    release_held(t);
    while (t->count == 0 && !t->done)
        pthread_cond_wait(&t->filled, &t->mu);
    if (t->count > 0) {
        t->held = true;
        *buf = t->slots[t->head].buf;
        n = (ssize_t)t->slots[t->head].len;
        pthread_mutex_unlock(&t->mu);
        if (t->hash != NULL && !t->hash_here)
            image_hash_update(t->hash, *buf, (size_t)n);
        return n;
    }
    pthread_mutex_unlock(&t->mu);
    if (t->prc < 0) {
        archive_set_error(a, t->perr->errnum, "%s", t->perr->msg);
        return ARCHIVE_FATAL;
    }
    *buf = NULL;
    return 0;
}

/* Whether the producer has stopped with an error (and the consumer may
 * read t->perr). */
static bool
producer_failed(struct image_tar *t)
{
    bool failed;

    if (!t->threaded)
        return t->prc < 0;
    pthread_mutex_lock(&t->mu);
    failed = t->done && t->prc < 0;
    pthread_mutex_unlock(&t->mu);
    return failed;
}

/* Set *ERR from the sticky error. */
static int
return_sticky(struct image_tar *t, struct error **err)
{
    return error_setx(err, t->cerr->errnum, "%s", t->cerr->msg);
}

/* The inner reader failed: the producer's error when it is the cause (a
 * truncated gzip stream, the size cap, the source), else libarchive's. */
static int
consumer_fail(struct image_tar *t, const char *what, struct error **err)
{
    if (t->cerr == NULL) {
        if (producer_failed(t))
            error_setx(&t->cerr, t->perr->errnum, "%s", t->perr->msg);
        else if (archive_filter_bytes(t->inner, -1) == 0)
            error_setx(&t->cerr, archive_errnum(t->inner), "%s: %s: %s", t->name, what,
                       archive_msg(t->inner));
        else
            error_setx(&t->cerr, archive_errnum(t->inner),
                       "%s: %s at byte %lld of the uncompressed stream: %s", t->name, what,
                       (long long)archive_filter_bytes(t->inner, -1), archive_msg(t->inner));
    }
    return return_sticky(t, err);
}

static void
stop_producer(struct image_tar *t)
{
    if (!t->thread_started)
        return;
    pthread_mutex_lock(&t->mu);
    t->cancel = true;
    pthread_cond_broadcast(&t->freed);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->thread, NULL);
    t->thread_started = false;
}

void
image_tar_free(struct image_tar *t)
{
    if (t == NULL)
        return;
    stop_producer(t);
    if (t->threaded) {
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->filled);
        pthread_cond_destroy(&t->freed);
    }
    if (t->inner != NULL)
        archive_read_free(t->inner);
    if (t->outer != NULL)
        archive_read_free(t->outer);
    for (size_t i = 0; i < N_SLOTS; i++)
        free(t->slots[i].buf);
    free(t->srcbuf);
    free(t->xattrs);
    error_free(&t->perr);
    error_free(&t->cerr);
    free(t->name);
    free(t);
}

DEFINE_CLEANUP_FUNC(struct image_tar *, image_tar_free)

/* Read the first bytes of the source into srcbuf and tell the compression
 * by its magic number. */
static int
sniff(struct image_tar *t, enum image_compression want, struct error **err)
{
    static const unsigned char gzip_magic[] = {0x1f, 0x8b};
    static const unsigned char zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};
    static const unsigned char xz_magic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
    static const unsigned char bzip2_magic[] = {'B', 'Z', 'h'};
    enum image_compression got = IMAGE_COMPRESSION_NONE;
    const char *other = NULL;

    while (t->pre_len < sizeof(xz_magic)) {
        ssize_t n = src_read(t, t->srcbuf + t->pre_len, SRC_SIZE - t->pre_len);

        if (n < 0) {
            error_setx(err, t->perr->errnum, "%s", t->perr->msg);
            return -1;
        }
        if (n == 0)
            break;
        t->pre_len += (size_t)n;
    }
#define HAS_MAGIC(m) (t->pre_len >= sizeof(m) && memcmp(t->srcbuf, m, sizeof(m)) == 0)
    if (HAS_MAGIC(gzip_magic))
        got = IMAGE_COMPRESSION_GZIP;
    else if (HAS_MAGIC(zstd_magic))
        got = IMAGE_COMPRESSION_ZSTD;
    else if (HAS_MAGIC(xz_magic))
        other = "xz";
    else if (HAS_MAGIC(bzip2_magic))
        other = "bzip2";
#undef HAS_MAGIC
    if (other != NULL)
        return error_setx(err, EINVAL,
                          "%s: the data is compressed with %s; layers are tar, tar+gzip or "
                          "tar+zstd",
                          t->name, other);
    if (want != IMAGE_COMPRESSION_AUTO && want != got)
        return error_setx(err, EINVAL, "%s: expected %s data, but it is %s%s", t->name,
                          want == IMAGE_COMPRESSION_NONE ? "uncompressed" : comp_name(want),
                          got == IMAGE_COMPRESSION_NONE ? "not compressed" : comp_name(got),
                          got == IMAGE_COMPRESSION_NONE && want != IMAGE_COMPRESSION_NONE
                              ? " (no magic number)"
                              : "");
    t->comp = got;
    return 0;
}

static int
open_outer(struct image_tar *t, struct error **err)
{
    struct archive_entry *ae;
    int r;

    t->outer = archive_read_new();
    if (t->outer == NULL)
        return error_setx(err, ENOMEM, "%s: archive_read_new failed", t->name);
    r = t->comp == IMAGE_COMPRESSION_GZIP ? archive_read_support_filter_gzip(t->outer)
                                          : archive_read_support_filter_zstd(t->outer);
    /* ARCHIVE_WARN: libarchive would run an external program, which we
       never want for an untrusted stream. */
    if (r != ARCHIVE_OK)
        return error_setx(err, ENOTSUP, "%s: libarchive has no built-in %s decompressor", t->name,
                          comp_name(t->comp));
    if (archive_read_support_format_raw(t->outer) != ARCHIVE_OK
        || archive_read_open(t->outer, t, NULL, outer_read_cb, NULL) != ARCHIVE_OK) {
        if (t->prc < 0)
            return error_setx(err, t->perr->errnum, "%s", t->perr->msg);
        return error_setx(err, archive_errnum(t->outer), "%s: %s: %s", t->name, comp_name(t->comp),
                          archive_msg(t->outer));
    }
    r = archive_read_next_header(t->outer, &ae);
    if (r == ARCHIVE_EOF) {
        t->out_eof = true;
    } else if (r != ARCHIVE_OK) {
        if (t->prc < 0)
            return error_setx(err, t->perr->errnum, "%s", t->perr->msg);
        return error_setx(err, archive_errnum(t->outer), "%s: %s: %s", t->name, comp_name(t->comp),
                          archive_msg(t->outer));
    }
    return 0;
}

static void
start_producer(struct image_tar *t)
{
    t->hash_here = true;
    if (!want_thread())
        return;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->filled, NULL);
    pthread_cond_init(&t->freed, NULL);
    t->threaded = true;
    t->hash_here = t->comp == IMAGE_COMPRESSION_NONE;
    for (size_t i = 1; i < N_SLOTS; i++)
        t->slots[i].buf = xmalloc(CHUNK_SIZE);
    if (pthread_create(&t->thread, NULL, producer_main, t) == 0) {
        t->thread_started = true;
    } else {
        /* No thread: all of it in the caller's. */
        t->threaded = false;
        t->hash_here = true;
    }
}

struct image_tar *
image_tar_open(image_read_fn read, void *opaque, enum image_compression c,
               struct image_hash *uncompressed, uint64_t max_bytes, const char *name,
               struct error **err)
{
    _cleanup_(image_tar_freep) struct image_tar *t = xcalloc(1, sizeof(*t));

    t->name = xstrdup(name != NULL ? name : "tar stream");
    t->read = read;
    t->opaque = opaque;
    t->hash = uncompressed;
    t->max_bytes = max_bytes;
    t->srcbuf = xmalloc(SRC_SIZE);
    t->slots[0].buf = xmalloc(CHUNK_SIZE);

    if (sniff(t, c, err) < 0)
        return NULL;
    if (t->comp != IMAGE_COMPRESSION_NONE && open_outer(t, err) < 0)
        return NULL;

    /* From here on only the producer touches the source and the outer
       reader. */
    start_producer(t);

    t->inner = archive_read_new();
    if (t->inner == NULL) {
        error_setx(err, ENOMEM, "%s: archive_read_new failed", t->name);
        return NULL;
    }
    /* ustar, pax, GNU and old v7 headers; "empty" makes a stream of no
       bytes at all an archive of no entries rather than an error. */
    if (archive_read_support_format_tar(t->inner) != ARCHIVE_OK
        || archive_read_support_format_empty(t->inner) != ARCHIVE_OK
        || archive_read_open(t->inner, t, NULL, inner_read_cb, NULL) != ARCHIVE_OK) {
        consumer_fail(t, "not a tar archive", err);
        return NULL;
    }
    return TAKE_PTR(t);
}

/* ---------------------------------------------------------------------- */
/* Entries */

static enum image_tar_type
entry_type(struct archive_entry *ae)
{
    if (archive_entry_hardlink(ae) != NULL || archive_entry_hardlink_utf8(ae) != NULL)
        return IMAGE_TAR_HARDLINK;
    switch (archive_entry_filetype(ae)) {
    case AE_IFREG:
        return IMAGE_TAR_REG;
    case AE_IFDIR:
        return IMAGE_TAR_DIR;
    case AE_IFLNK:
        return IMAGE_TAR_SYMLINK;
    case AE_IFCHR:
        return IMAGE_TAR_CHR;
    case AE_IFBLK:
        return IMAGE_TAR_BLK;
    case AE_IFIFO:
        return IMAGE_TAR_FIFO;
    default:
        return IMAGE_TAR_OTHER;
    }
}

/* A name as stored: libarchive converts pax's UTF-8 names to the locale's
 * charset and may fail where that is ASCII; the UTF-8 bytes are the file
 * name then. */
static const char *
entry_path(struct archive_entry *ae)
{
    const char *p = archive_entry_pathname(ae);

    if (p == NULL)
        p = archive_entry_pathname_utf8(ae);
    return p != NULL ? p : "";
}

static const char *
entry_link(struct archive_entry *ae, bool hard)
{
    const char *p = hard ? archive_entry_hardlink(ae) : archive_entry_symlink(ae);

    if (p == NULL)
        p = hard ? archive_entry_hardlink_utf8(ae) : archive_entry_symlink_utf8(ae);
    return p != NULL ? p : "";
}

/* More extended attributes than any filesystem keeps on one file: past
 * this an entry is refused (it would only cost time). */
#define MAX_XATTRS 1024

static int
fill_entry(struct image_tar *t, struct archive_entry *ae)
{
    struct image_tar_entry *e = &t->entry;
    const char *xname;
    const void *xvalue;
    size_t xsize;
    int n;

    memset(e, 0, sizeof(*e));
    e->path = entry_path(ae);
    e->type = entry_type(ae);
    e->mode = archive_entry_mode(ae) & 07777;
    e->uid = (uint64_t)archive_entry_uid(ae);
    e->gid = (uint64_t)archive_entry_gid(ae);
    e->size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
    if (archive_entry_mtime_is_set(ae)) {
        e->mtime.tv_sec = archive_entry_mtime(ae);
        e->mtime.tv_nsec = archive_entry_mtime_nsec(ae);
    }
    if (archive_entry_atime_is_set(ae)) {
        e->atime.tv_sec = archive_entry_atime(ae);
        e->atime.tv_nsec = archive_entry_atime_nsec(ae);
    } else {
        e->atime = e->mtime;
    }
    if (e->type == IMAGE_TAR_SYMLINK || e->type == IMAGE_TAR_HARDLINK)
        e->linkname = entry_link(ae, e->type == IMAGE_TAR_HARDLINK);
    e->rdev_major = (unsigned int)archive_entry_rdevmajor(ae);
    e->rdev_minor = (unsigned int)archive_entry_rdevminor(ae);

    n = archive_entry_xattr_reset(ae);
    if (n > MAX_XATTRS)
        return -E2BIG;
    while (n > 0 && archive_entry_xattr_next(ae, &xname, &xvalue, &xsize) == ARCHIVE_OK) {
        size_t j;

        if (xname == NULL)
            continue;
        /* libarchive's own writer stores each xattr twice (SCHILY.xattr
           and LIBARCHIVE.xattr): the last of one name wins. */
        for (j = 0; j < e->n_xattrs && strcmp(t->xattrs[j].name, xname) != 0; j++)
            ;
        if (j < e->n_xattrs) {
            t->xattrs[j] = (struct image_tar_xattr){xname, xvalue, xsize};
            continue;
        }
        if (e->n_xattrs == t->xattrs_alloc)
            t->xattrs = xgrow(t->xattrs, &t->xattrs_alloc, e->n_xattrs, sizeof(*t->xattrs));
        t->xattrs[e->n_xattrs++] = (struct image_tar_xattr){xname, xvalue, xsize};
    }
    e->xattrs = e->n_xattrs > 0 ? t->xattrs : NULL;
    return 0;
}

int
image_tar_next(struct image_tar *t, const struct image_tar_entry **ret, struct error **err)
{
    struct archive_entry *ae;
    int r;

    if (t->cerr != NULL)
        return return_sticky(t, err);
    if (t->eof)
        return 0;
    r = archive_read_next_header(t->inner, &ae);
    if (r == ARCHIVE_EOF) {
        t->eof = true;
        return 0;
    }
    /* ARCHIVE_WARN is a header libarchive could read but not fully
       convert (a name in another charset, an odd pax record); the entry is
       usable.  ARCHIVE_RETRY is a damaged header: stop there. */
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return consumer_fail(t, "tar header", err);
    if (fill_entry(t, ae) < 0) {
        error_setx(&t->cerr, E2BIG, "%s: entry '%s': more than %d extended attributes", t->name,
                   entry_path(ae), MAX_XATTRS);
        return return_sticky(t, err);
    }
    *ret = &t->entry;
    return 1;
}

ssize_t
image_tar_read(struct image_tar *t, void *buf, size_t len, struct error **err)
{
    la_ssize_t n;

    if (t->cerr != NULL)
        return return_sticky(t, err);
    n = archive_read_data(t->inner, buf, len);
    if (n < 0)
        return consumer_fail(t, "data of an entry", err);
    return n;
}

int
image_tar_read_block(struct image_tar *t, const void **ret_buf, size_t *ret_len,
                     int64_t *ret_offset, struct error **err)
{
    la_int64_t off;
    int r;

    if (t->cerr != NULL)
        return return_sticky(t, err);
    r = archive_read_data_block(t->inner, ret_buf, ret_len, &off);
    if (r == ARCHIVE_EOF)
        return 0;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return consumer_fail(t, "data of an entry", err);
    *ret_offset = off;
    return 1;
}

int
image_tar_finish(struct image_tar *t, struct error **err)
{
    if (t->cerr != NULL)
        return return_sticky(t, err);
    if (t->finished)
        return 0;
    if (!t->eof)
        return error_setx(err, EINVAL, "%s: finish before the end of the archive (a bug)", t->name);
    if (t->threaded) {
        /* What the tar reader did not need (the rest of the end-of-archive
           blocks, padding) is hashed all the same. */
        pthread_mutex_lock(&t->mu);
        release_held(t);
        for (;;) {
            struct slot *s;

            while (t->count == 0 && !t->done)
                pthread_cond_wait(&t->filled, &t->mu);
            if (t->count == 0)
                break;
            s = &t->slots[t->head];
            t->held = true;
            pthread_mutex_unlock(&t->mu);
            if (t->hash != NULL && !t->hash_here)
                image_hash_update(t->hash, s->buf, s->len);
            pthread_mutex_lock(&t->mu);
            release_held(t);
        }
        pthread_mutex_unlock(&t->mu);
    } else {
        ssize_t n;

        while ((n = produce(t, t->slots[0].buf, CHUNK_SIZE)) > 0)
            ;
    }
    if (t->prc < 0) {
        error_setx(&t->cerr, t->perr->errnum, "%s", t->perr->msg);
        return return_sticky(t, err);
    }
    t->finished = true;
    return 0;
}

uint64_t
image_tar_bytes(const struct image_tar *t)
{
    return __atomic_load_n(&t->bytes, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------------- */
/* Indexing an uncompressed tar file */

struct index_src {
    int fd;
    uint64_t pos, size;
    unsigned char buf[64 * 1024];
};

static la_ssize_t
index_read_cb(struct archive *a, void *client, const void **buf)
{
    struct index_src *s = client;
    ssize_t n;

    do
        n = pread(s->fd, s->buf, sizeof(s->buf), (off_t)s->pos);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        archive_set_error(a, errno, "read");
        return ARCHIVE_FATAL;
    }
    s->pos += (uint64_t)n;
    *buf = s->buf;
    return n;
}

/* Members' data is never read: skipping it (archive_read_data_skip, and
 * archive_read_next_header past the rest) only moves the offset. */
static la_int64_t
index_skip_cb(struct archive *a, void *client, la_int64_t request)
{
    struct index_src *s = client;
    uint64_t left = s->pos < s->size ? s->size - s->pos : 0;
    uint64_t n = (uint64_t)request < left ? (uint64_t)request : left;

    (void)a;
    s->pos += n;
    return (la_int64_t)n;
}

struct index_link {
    char *path, *target; /* both normalised; target "" when unusable */
    size_t seq;
};

struct index_member {
    struct image_tar_member m;
    size_t seq; /* order in the archive: the last of duplicates wins */
    /* An entry of that name that cannot be read in place (not a regular
       file, sparse, a link that leads nowhere): when it comes last, the
       name is left out rather than served from an earlier member. */
    bool gone;
};

static char *
member_path(const char *p)
{
    for (;;) {
        if (p[0] == '/')
            p++;
        else if (p[0] == '.' && p[1] == '/')
            p += 2;
        else
            break;
    }
    return xstrdup(p);
}

/* TARGET of the symlink at PATH as an archive path ("a/b" + "../c" = "c"),
 * or NULL when it is absolute or climbs out of the archive. */
static char *
symlink_member(const char *path, const char *target)
{
    const char *slash = strrchr(path, '/');
    _cleanup_free_ char *joined = NULL;
    char *out, *o;

    if (target[0] == '/' || target[0] == '\0')
        return NULL;
    joined =
        slash != NULL ? xasprintf("%.*s/%s", (int)(slash - path), path, target) : xstrdup(target);
    out = xmalloc(strlen(joined) + 1);
    o = out;
    for (char *p = joined; *p != '\0';) {
        size_t len = strcspn(p, "/");

        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (o == out) {
                free(out);
                return NULL;
            }
            while (o > out && o[-1] != '/')
                o--;
            if (o > out)
                o--;
        } else {
            if (o > out)
                *o++ = '/';
            memcpy(o, p, len);
            o += len;
        }
        p += len;
        p += strspn(p, "/");
    }
    *o = '\0';
    return out;
}

static int
cmp_member(const void *a, const void *b)
{
    const struct index_member *x = a, *y = b;
    int c = strcmp(x->m.path, y->m.path);

    if (c != 0)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct index_member *
find_member(const struct index_member *v, size_t n, const char *path)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].m.path, path);

        if (c == 0)
            return &v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The last link named PATH.  Links are few (docker save's duplicate
 * layers), so a scan will do. */
static const struct index_link *
find_link(const struct index_link *v, size_t n, const char *path)
{
    const struct index_link *found = NULL;

    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].path, path) == 0)
            found = &v[i];
    return found;
}

struct index {
    struct index_member *mem;
    size_t n_mem, mem_alloc;
    struct index_link *links;
    size_t n_links, links_alloc;
};

static void
index_clear(struct index *x)
{
    for (size_t i = 0; i < x->n_mem; i++)
        free(x->mem[i].m.path);
    free(x->mem);
    for (size_t i = 0; i < x->n_links; i++) {
        free(x->links[i].path);
        free(x->links[i].target);
    }
    free(x->links);
}

static void
index_add(struct index *x, char *path, uint64_t offset, uint64_t size, size_t seq)
{
    x->mem = xgrow(x->mem, &x->mem_alloc, x->n_mem, sizeof(*x->mem));
    x->mem[x->n_mem++] = (struct index_member){{path, offset, size}, seq, false};
}

static void
index_add_gone(struct index *x, char *path, size_t seq)
{
    size_t len = strlen(path);

    /* A directory's name as a member's: "blob/" stands for "blob". */
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0';
    index_add(x, path, 0, 0, seq);
    x->mem[x->n_mem - 1].gone = true;
}

/* Sort by path and keep the last in the archive of each name, as
 * extracting the archive would; then, with DROP_GONE, leave out the names
 * whose last entry cannot be read in place. */
static void
index_sort_unique(struct index *x, bool drop_gone)
{
    size_t out = 0;

    if (x->n_mem > 1)
        qsort(x->mem, x->n_mem, sizeof(*x->mem), cmp_member);
    for (size_t i = 0; i < x->n_mem; i++) {
        if ((i + 1 < x->n_mem && strcmp(x->mem[i].m.path, x->mem[i + 1].m.path) == 0)
            || (drop_gone && x->mem[i].gone)) {
            free(x->mem[i].m.path);
            continue;
        }
        x->mem[out++] = x->mem[i];
    }
    x->n_mem = out;
}

/* A link stands for the regular member it leads to (docker save writes
 * "ID/layer.tar" as a symlink to an identical layer's): follow a few
 * levels, never out of the archive. */
static void
index_resolve_links(struct index *x)
{
    size_t base = x->n_mem; /* the sorted regular members */

    for (size_t i = 0; i < x->n_links; i++) {
        const struct index_link *l = &x->links[i];
        const char *target = l->target;
        const struct index_member *m = NULL;

        if (find_link(x->links, x->n_links, l->path) != l)
            continue; /* replaced by a later link of the same name */
        for (int depth = 0; depth < 16 && target[0] != '\0'; depth++) {
            const struct index_link *next;

            m = find_member(x->mem, base, target);
            if (m != NULL)
                break; /* gone or not, the name's last entry is that member */
            next = find_link(x->links, x->n_links, target);
            if (next == NULL)
                break;
            target = next->target;
        }
        if (m != NULL && !m->gone)
            index_add(x, xstrdup(l->path), m->m.offset, m->m.size, l->seq);
        else
            index_add_gone(x, xstrdup(l->path), l->seq);
    }
    index_sort_unique(x, true);
}

/* One header: a regular member is recorded with its data's offset, a link
 * for later. */
/* Whether the 512-byte block H is a tar header whose checksum holds: the
 * sum of its bytes with the checksum field counted as spaces, unsigned or
 * (as some old writers made it) signed, against the octal number stored in
 * that field. */
static bool
header_checksum_ok(const unsigned char *h)
{
    uint64_t want = 0, sum_u = 0;
    int64_t sum_s = 0;
    size_t i = 148;
    bool digits = false;

    while (i < 156 && h[i] == ' ')
        i++;
    for (; i < 156 && h[i] >= '0' && h[i] <= '7'; i++) {
        want = want * 8 + (uint64_t)(h[i] - '0');
        digits = true;
    }
    if (!digits || (i < 156 && h[i] != ' ' && h[i] != 0))
        return false;
    for (i = 0; i < 512; i++) {
        unsigned char c = i >= 148 && i < 156 ? ' ' : h[i];

        sum_u += c;
        sum_s += (signed char)c;
    }
    return want == sum_u || (int64_t)want == sum_s;
}

/* Whether the member whose data starts at DATA_OFF has that data as one
 * plain run of bytes, as far as its header block (the one just before the
 * data) says.  Not when:
 *   - that block is no header (a bad checksum): the extension block of an
 *     old-GNU sparse header, whose isextended byte libarchive follows
 *     whatever the entry's type;
 *   - it is an old-GNU header ("ustar  \0") with a realsize field, which
 *     libarchive takes whenever its first byte is not NUL (even "0"): it
 *     reports that as the size, with no sparse map, and delivers the
 *     stored bytes followed by a hole;
 *   - it is an old-GNU header whose isextended byte is set.
 * Such a member is treated as sparse (not indexed). */
static bool
is_plain_data(int fd, uint64_t data_off)
{
    unsigned char h[512];

    if (data_off < sizeof(h)
        || pread(fd, h, sizeof(h), (off_t)(data_off - sizeof(h))) != (ssize_t)sizeof(h))
        return false;
    if (!header_checksum_ok(h))
        return false;
    if (memcmp(h + 257, "ustar  \0", 8) == 0 && (h[482] != 0 || h[483] != 0))
        return false;
    return true;
}

/* Whether the header blocks of a member, the bytes from HDR_START (where
 * the previous member ended) to DATA_OFF, hold no pax record of a sparse
 * file ("GNU.sparse.*", any version) or of a real size: libarchive follows
 * those with a sparse map of its own, even one it does not report (entries
 * past the size are left out of the entry's map, not of the reader's), so
 * the member's bytes in the file are not its content. */
static bool
headers_plain(int fd, uint64_t hdr_start, uint64_t data_off)
{
    static const char *const keys[] = {"GNU.sparse.", "SCHILY.realsize"};
    _cleanup_free_ char *buf = NULL;
    size_t len;

    if (data_off < hdr_start || data_off - hdr_start > (1u << 20))
        return false;
    len = (size_t)(data_off - hdr_start);
    buf = xmalloc(len + 1);
    if (pread(fd, buf, len, (off_t)hdr_start) != (ssize_t)len)
        return false;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (memmem(buf, len, keys[i], strlen(keys[i])) != NULL)
            return false;
    return true;
}

static int
index_entry(struct archive *a, struct archive_entry *ae, struct index *x, size_t seq, int fd,
            uint64_t hdr_start, uint64_t file_size, const char *name, struct error **err)
{
    enum image_tar_type type = entry_type(ae);
    uint64_t off, stored;
    int64_t size;

    if (type == IMAGE_TAR_HARDLINK || type == IMAGE_TAR_SYMLINK) {
        bool hard = type == IMAGE_TAR_HARDLINK;
        char *path = member_path(entry_path(ae));
        char *target =
            hard ? member_path(entry_link(ae, true)) : symlink_member(path, entry_link(ae, false));

        x->links = xgrow(x->links, &x->links_alloc, x->n_links, sizeof(*x->links));
        x->links[x->n_links++] = (struct index_link){path, target ? target : xstrdup(""), seq};
        return 0;
    }
    /* A sparse member's data is not one run of bytes in the file. */
    if (type != IMAGE_TAR_REG || archive_entry_sparse_reset(ae) > 0) {
        index_add_gone(x, member_path(entry_path(ae)), seq);
        return 0;
    }
    /* The tar reader has consumed exactly the header blocks (and any pax
       or GNU long-name blocks before them): the data starts here. */
    off = (uint64_t)archive_filter_bytes(a, -1);
    size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
    /* Skip the data now (a seek, nothing is read) to see how many bytes
       the member really stores: a realsize (old-GNU, or pax SCHILY.realsize
       and GNU.sparse.*) or a sparse map read with the data makes the size
       libarchive reports differ from them, and then the bytes in the file
       are not the content. */
    if (archive_read_data_skip(a) != ARCHIVE_OK)
        return error_setx(err, EBADMSG, "'%s': member '%s': the archive is truncated", name,
                          entry_path(ae));
    stored = (uint64_t)archive_filter_bytes(a, -1) - off;
    if (size < 0 || stored != (((uint64_t)size + 511) & ~(uint64_t)511)
        || archive_entry_sparse_reset(ae) > 0 || !is_plain_data(fd, off)
        || !headers_plain(fd, hdr_start, off)) {
        index_add_gone(x, member_path(entry_path(ae)), seq);
        return 0;
    }
    if (off > file_size || (uint64_t)size > file_size - off)
        return error_setx(err, EBADMSG, "'%s': member '%s': the archive is truncated", name,
                          entry_path(ae));
    index_add(x, member_path(entry_path(ae)), off, (uint64_t)size, seq);
    return 0;
}

static const char *
compressed_magic(int fd)
{
    static const struct {
        unsigned char magic[6];
        size_t len;
        const char *name;
    } magics[] = {
        {{0x1f, 0x8b}, 2, "gzip"},
        {{0x28, 0xb5, 0x2f, 0xfd}, 4, "zstd"},
        {{0xfd, '7', 'z', 'X', 'Z', 0}, 6, "xz"},
        {{'B', 'Z', 'h'}, 3, "bzip2"},
    };
    unsigned char head[6];
    ssize_t got = pread(fd, head, sizeof(head), 0);

    for (size_t i = 0; got > 0 && i < sizeof(magics) / sizeof(magics[0]); i++)
        if ((size_t)got >= magics[i].len && memcmp(head, magics[i].magic, magics[i].len) == 0)
            return magics[i].name;
    return NULL;
}

DEFINE_CLEANUP_FUNC(struct archive *, archive_read_free)

int
image_tar_index_fd(int fd, const char *name, struct image_tar_member **ret, size_t *ret_n,
                   struct error **err)
{
    _cleanup_free_ struct index_src *src = xcalloc(1, sizeof(*src));
    _cleanup_(index_clear) struct index x = {0};
    _cleanup_(archive_read_freep) struct archive *a = NULL;
    const char *comp;
    struct stat st;
    size_t seq = 0;

    if (fstat(fd, &st) < 0)
        return error_set(err, errno, "'%s'", name);
    comp = compressed_magic(fd);
    if (comp != NULL)
        return error_setx(err, EINVAL,
                          "'%s': the archive is compressed with %s; only a plain tar archive "
                          "can be read in place",
                          name, comp);
    src->fd = fd;
    src->size = (uint64_t)st.st_size;

    a = archive_read_new();
    if (a == NULL)
        return error_setx(err, ENOMEM, "'%s': archive_read_new failed", name);
    if (archive_read_support_format_tar(a) != ARCHIVE_OK
        || archive_read_set_read_callback(a, index_read_cb) != ARCHIVE_OK
        || archive_read_set_skip_callback(a, index_skip_cb) != ARCHIVE_OK
        || archive_read_set_callback_data(a, src) != ARCHIVE_OK
        || archive_read_open1(a) != ARCHIVE_OK)
        return error_setx(err, archive_errnum(a), "'%s': not a tar archive: %s", name,
                          archive_msg(a));
    for (;;) {
        struct archive_entry *ae;
        /* Where this member's headers start: the end of the last one. */
        uint64_t hdr_start = (uint64_t)archive_filter_bytes(a, -1);
        int r = archive_read_next_header(a, &ae);

        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return error_setx(err, archive_errnum(a), "'%s': at byte %lld: %s", name,
                              (long long)archive_filter_bytes(a, -1), archive_msg(a));
        if (index_entry(a, ae, &x, ++seq, src->fd, hdr_start, src->size, name, err) < 0)
            return -error_errnum(*err);
    }
    index_sort_unique(&x, false);
    index_resolve_links(&x);

    *ret = xcalloc(x.n_mem > 0 ? x.n_mem : 1, sizeof(**ret));
    for (size_t i = 0; i < x.n_mem; i++)
        (*ret)[i] = x.mem[i].m;
    *ret_n = x.n_mem;
    x.n_mem = 0; /* the paths are the caller's now */
    return 0;
}

void
image_tar_members_free(struct image_tar_member *m, size_t n)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(m[i].path);
    free(m);
}

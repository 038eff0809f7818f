/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: arbitrary bytes as a layer (tar, tar+gzip or tar+zstd,
 * sniffed) opened with image_tar_open and applied with image_layer_apply_at
 * to a fresh directory "root" in a scratch directory of this process, which
 * also holds a "canary" directory with a file in it.
 *
 * Invariants, each checked with abort():
 *   - nothing outside root changes: the canary directory and its file keep
 *     their inode, mode, owner, link count, times and content, and the
 *     scratch directory gains no entry;
 *   - root is still the directory it was (never replaced, CVE-2021-29136);
 *   - with mknod off, no device node is ever created in root;
 *   - a refused layer says why: *err set with a positive errno that the
 *     return value matches, and a message that names the layer;
 *   - an uncompressed layer that was applied and finished was hashed and
 *     counted whole: its uncompressed digest is the digest of the input;
 *   - whatever a layer made, image_remove_tree_at removes it;
 *   - no file descriptor is leaked (ASan and LSan see the memory).
 *
 * A plain tar also goes through image_tar_index_fd (archives of blobs are
 * read in place): every member it finds lies inside the file, its path is
 * normalised, the list is sorted without duplicates, and the bytes at its
 * offset are the data that the streaming reader gives for a regular entry
 * of that path (or, for a member that a link stands for, of some regular
 * entry), unless the archive has old-GNU headers (has_gnu_header).  That
 * checks the index's one assumption about libarchive: that the data starts
 * where the tar reader stopped reading the headers.
 *
 * Cheap tar headers: before a plain (uncompressed) input is applied, the
 * checksum of every header is recomputed (the ones found by walking the
 * entry sizes, and any block with the ustar magic), so that mutations are
 * not all spent on "damaged tar header".  Set FUZZ_LAYER_WRITE=FILE to get
 * the bytes as applied (to replay a finding with berth-image), and
 * FUZZ_LAYER_VERBOSE=1 to see each layer's outcome.
 *
 * Safety, since this may run as root and writes whatever a layer says: the
 * scratch directory is under $TMPDIR (or /tmp); as root the process first
 * moves to a mount namespace of its own, mounts a tmpfs (nodev, nosuid,
 * noexec) there, and drops CAP_MKNOD, so that even a broken extractor
 * cannot create a device.  A root escape would show in the canary
 * checks; the host only risks what a broken extractor writes by an
 * absolute path, and that is what the checks are there to catch first. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/digest.h"
#include "image/extract.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

#define LAYER "layer fuzz"
#define LAYER_PREFIX LAYER ": "
/* The size cap, far above what 64 KiB of gzip or zstd can honestly hold
 * for a tar of small files, and far below what fills a disk. */
#define MAX_BYTES (8u << 20)
#define CANARY_TEXT "a file outside the root that no layer may touch\n"
/* How deep the device check looks (each level holds an fd). */
#define WALK_MAX_DEPTH 128

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[PATH_MAX];
static int scratchfd = -1;
static bool on_tmpfs;
static bool verbose;
static struct stat canary_dir_st, canary_file_st;

static void
die(const char *what)
{
    fprintf(stderr, "fuzz-layer: %s: %s\n", what, strerror(errno));
    abort();
}

/* ---- setup ---- */

/* Drop CAP_MKNOD, with the raw syscalls (no libcap).  Dropping it from
 * our own effective and permitted sets needs no privilege; the bounding
 * set (which only matters across exec) needs CAP_SETPCAP, so that part is
 * best effort. */
static void
drop_mknod(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

    (void)prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0);
    if (syscall(SYS_capget, &hdr, data) < 0)
        die("capget");
    data[CAP_TO_INDEX(CAP_MKNOD)].effective &= ~CAP_TO_MASK(CAP_MKNOD);
    data[CAP_TO_INDEX(CAP_MKNOD)].permitted &= ~CAP_TO_MASK(CAP_MKNOD);
    data[CAP_TO_INDEX(CAP_MKNOD)].inheritable &= ~CAP_TO_MASK(CAP_MKNOD);
    if (syscall(SYS_capset, &hdr, data) < 0)
        die("capset");
}

/* As root: a mount namespace of our own with a tmpfs on the scratch
 * directory (fast, gone with the process).  Before libFuzzer starts its
 * threads: unshare(CLONE_NEWNS) refuses a process that shares its
 * filesystem information with another thread. */
static void
private_tmpfs(void)
{
    if (geteuid() != 0)
        return;
    drop_mknod();
    if (unshare(CLONE_NEWNS) < 0) {
        fprintf(stderr, "fuzz-layer: unshare(CLONE_NEWNS): %s; fuzzing on disk\n", strerror(errno));
        return;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        die("make the mounts private");
    if (mount("fuzz-layer", scratch, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0700,size=256m")
        < 0)
        die("mount a tmpfs on the scratch directory");
    on_tmpfs = true;
}

static void
cleanup(void)
{
    struct error *err = NULL;

    if (scratchfd < 0)
        return;
    if (image_remove_tree_at(scratchfd, "root", &err) < 0
        || image_remove_tree_at(scratchfd, "canary", &err) < 0) {
        fprintf(stderr, "fuzz-layer: %s\n", err->msg);
        error_free(&err);
    }
    close(scratchfd);
    scratchfd = -1;
    if (on_tmpfs)
        umount2(scratch, MNT_DETACH);
    rmdir(scratch);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    int fd;

    (void)argc;
    (void)argv;
    verbose = getenv("FUZZ_LAYER_VERBOSE") != NULL;
    snprintf(scratch, sizeof(scratch), "%s/berth-fuzz-layer.XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(scratch) == NULL)
        die("mkdtemp");
    private_tmpfs();
    scratchfd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (scratchfd < 0)
        die(scratch);
    atexit(cleanup);
    fprintf(stderr, "fuzz-layer: scratch directory %s%s\n", scratch,
            on_tmpfs ? " (a tmpfs in a mount namespace of its own)" : "");

    if (mkdirat(scratchfd, "canary", 0755) < 0)
        die("mkdir canary");
    fd = openat(scratchfd, "canary/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || fd_write_all(fd, CANARY_TEXT, strlen(CANARY_TEXT)) < 0 || close(fd) < 0)
        die("write canary/file");
    if (fstatat(scratchfd, "canary", &canary_dir_st, AT_SYMLINK_NOFOLLOW) < 0
        || fstatat(scratchfd, "canary/file", &canary_file_st, AT_SYMLINK_NOFOLLOW) < 0)
        die("stat the canary");
    return 0;
}

/* ---- checks ---- */

/* The lowest free fd: the same before and after an input, or it leaked one. */
static int
lowest_free_fd(void)
{
    int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

    if (fd < 0)
        die("dup");
    close(fd);
    return fd;
}

static bool
same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode
           && a->st_uid == b->st_uid && a->st_gid == b->st_gid && a->st_nlink == b->st_nlink
           && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
           && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec
           && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Whether directory DIRFD holds exactly the entries NAMES (NULL-ended),
 * besides "." and "..". */
static bool
has_exactly(int dirfd, const char *const *names)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t want = 0, seen = 0;
    struct dirent *de;
    DIR *d;

    if (fd < 0 || (d = fdopendir(fd)) == NULL)
        die("list the scratch directory");
    while (names[want] != NULL)
        want++;
    while ((errno = 0, de = readdir(d)) != NULL) {
        bool known = false;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        for (size_t i = 0; i < want && !known; i++)
            known = strcmp(de->d_name, names[i]) == 0;
        if (!known) {
            fprintf(stderr, "fuzz-layer: unexpected '%s' outside the root\n", de->d_name);
            closedir(d);
            return false;
        }
        seen++;
    }
    if (errno != 0)
        die("readdir");
    closedir(d);
    return seen == want;
}

static void
check_outside(void)
{
    static const char *const canary_names[] = {"file", NULL};
    _cleanup_free_ char *text = NULL;
    int canaryfd;
    struct stat st;
    size_t len = 0;

    if (fstatat(scratchfd, "canary", &st, AT_SYMLINK_NOFOLLOW) < 0
        || !same_stat(&st, &canary_dir_st))
        abort(); /* the canary directory was changed, replaced or removed */
    if (fstatat(scratchfd, "canary/file", &st, AT_SYMLINK_NOFOLLOW) < 0
        || !same_stat(&st, &canary_file_st))
        abort(); /* the canary file was written, linked, chmod-ed or replaced */
    if (fd_read_file_at(scratchfd, "canary/file", 4096, &text, &len) < 0
        || len != strlen(CANARY_TEXT) || memcmp(text, CANARY_TEXT, len) != 0)
        abort();
    canaryfd = openat(scratchfd, "canary", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (canaryfd < 0)
        die("open canary");
    if (!has_exactly(canaryfd, canary_names))
        abort();
    close(canaryfd);
}

/* Abort on a device node under FD_DIR (which is closed; a negative one is
 * a directory we could not open, and skipped). */
static void
check_no_devices(int fd_dir, int depth)
{
    struct dirent *de;
    DIR *d;

    if (fd_dir < 0)
        return;
    d = fdopendir(fd_dir);
    if (d == NULL)
        die("fdopendir");
    while ((errno = 0, de = readdir(d)) != NULL) {
        struct stat st;
        int fd;

        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fstatat(fd_dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            die("fstatat in the root");
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            fprintf(stderr, "fuzz-layer: a device '%s' was created with mknod off\n", de->d_name);
            abort();
        }
        if (!S_ISDIR(st.st_mode) || depth >= WALK_MAX_DEPTH)
            continue;
        /* A directory of mode 0 is still open to root; as anyone else,
           what we cannot list we skip (the extractor could not fill it
           either, once its mode was set). */
        fd = openat(fd_dir, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        check_no_devices(fd, depth + 1);
    }
    if (errno != 0)
        die("readdir in the root");
    closedir(d);
}

static void
check_error(int rc, const struct error *err)
{
    if (rc >= 0 || err == NULL || err->errnum <= 0 || err->errnum != -rc || err->msg == NULL
        || strncmp(err->msg, LAYER_PREFIX, strlen(LAYER_PREFIX)) != 0) {
        fprintf(stderr, "fuzz-layer: rc %d, error %d '%s'\n", rc, err ? err->errnum : 0,
                err && err->msg ? err->msg : "(none)");
        abort();
    }
}

/* ---- the input ---- */

struct source {
    const uint8_t *buf;
    size_t len, off, chunk;
};

static ssize_t
source_read(void *opaque, void *buf, size_t len, struct error **err)
{
    struct source *s = opaque;
    size_t n = s->len - s->off;

    (void)err;
    if (n > len)
        n = len;
    if (n > s->chunk)
        n = s->chunk;
    memcpy(buf, s->buf + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static uint64_t
octal_field(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    size_t i = 0;

    if (p[0] & 0x80) { /* base-256, GNU and star */
        for (i = 1; i < n; i++)
            v = (v << 8) | p[i];
        return v;
    }
    while (i < n && (p[i] == ' ' || p[i] == '0'))
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
        v = v * 8 + (uint64_t)(p[i] - '0');
    return v;
}

static void
fix_checksum(uint8_t *h)
{
    unsigned sum = 0;

    memset(h + 148, ' ', 8);
    for (size_t i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum & 0777777);
    h[155] = ' ';
}

static bool
is_zero_block(const uint8_t *h)
{
    for (size_t i = 0; i < 512; i++)
        if (h[i] != 0)
            return false;
    return true;
}

/* Recompute the checksum of the headers of a plain tar (see the top). */
static void
fix_checksums(uint8_t *buf, size_t len)
{
    size_t next = 0; /* the next header by the entry sizes */

    for (size_t off = 0; off + 512 <= len; off += 512) {
        uint8_t *h = buf + off;
        bool header = off == next || memcmp(h + 257, "ustar", 5) == 0;

        if (!header || is_zero_block(h))
            continue;
        fix_checksum(h);
        if (off == next) {
            /* Links, devices, directories and fifos have no data. */
            uint64_t size = h[156] >= '1' && h[156] <= '6' ? 0 : octal_field(h + 124, 12);
            uint64_t blocks = size / 512 + (size % 512 != 0);

            next = blocks < (len - off) / 512 ? off + 512 + blocks * 512 : len;
        }
    }
}

static bool
is_compressed(const uint8_t *d, size_t n)
{
    return (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
           || (n >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd);
}

/* Per-input choices the input cannot aim at but that replay the same:
 * the threaded reader, the openat2 fallback walk, short reads. */
static uint32_t
mix(const uint8_t *d, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 16777619u;
    return h;
}

/* ---- image_tar_index_fd against the streaming reader ---- */

struct streamed {
    char *path; /* as image_tar_index_fd writes member paths */
    bool regular;
    bool sparse;                /* data in blocks with holes: never indexed */
    struct image_digest digest; /* of a regular entry's data */
};

/* No leading "/" or "./": the index's member paths. */
static char *
member_name(const char *p)
{
    for (;;) {
        if (p[0] == '/')
            p++;
        else if (p[0] == '.' && p[1] == '/')
            p += 2;
        else
            return xstrdup(p);
    }
}

static void
streamed_free(struct streamed *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}

/* Every entry of the plain tar BUF, with the digest of each regular
 * entry's data, read with the streaming reader; false when it refuses the
 * archive somewhere (the entries so far are still returned). */
static bool
stream_entries(const uint8_t *buf, size_t len, struct streamed **ret, size_t *ret_n)
{
    struct source src = {buf, len, 0, SIZE_MAX};
    struct error *err = NULL;
    struct image_tar *t;
    const struct image_tar_entry *e;
    struct streamed *v = NULL;
    size_t n = 0, alloc = 0;
    bool ok = false;
    int r;

    image_tar_force_sync(true);
    t = image_tar_open(source_read, &src, IMAGE_COMPRESSION_NONE, NULL, MAX_BYTES, LAYER, &err);
    if (t == NULL)
        goto out;
    while ((r = image_tar_next(t, &e, &err)) > 0) {
        struct streamed *s;

        v = xgrow(v, &alloc, n, sizeof(*v));
        s = &v[n++];
        s->path = member_name(e->path);
        s->regular = e->type == IMAGE_TAR_REG;
        s->sparse = false;
        if (s->regular) {
            /* Blocks, not image_tar_read: that fills the holes of a sparse
               entry with zeros, terabytes of them if the header says so. */
            struct image_hash *h = image_hash_new(IMAGE_DIGEST_SHA256);
            const void *data;
            size_t got;
            int64_t off, pos = 0;

            while ((r = image_tar_read_block(t, &data, &got, &off, &err)) > 0) {
                s->sparse |= off != pos;
                image_hash_update(h, data, got);
                pos = off + (int64_t)got;
            }
            image_hash_final(h, &s->digest);
            image_hash_free(h);
            if (r < 0)
                goto out;
        }
    }
    ok = r == 0;
out:
    error_free(&err);
    image_tar_free(t);
    *ret = v;
    *ret_n = n;
    return ok;
}

/* Whether a block of BUF has the old-GNU magic.  libarchive's readings
 * of such headers (realsize, isextended, sparse maps, long names) differ
 * between a stream and a seekable file in corners that have nothing to do
 * with the index (a damaged long-name header is resynchronised on
 * differently), so the data of such an archive is not compared. */
static bool
has_gnu_header(const uint8_t *buf, size_t len)
{
    for (size_t off = 0; off + 512 <= len; off += 512)
        if (memcmp(buf + off + 257, "ustar  \0", 8) == 0)
            return true;
    return false;
}

/* image_tar_index_fd on the plain tar BUF, checked against the streaming
 * reader (see the top). */
static void
check_index(const uint8_t *buf, size_t len)
{
    struct image_tar_member *m = NULL;
    struct streamed *v = NULL;
    struct error *err = NULL;
    size_t n = 0, n_entries = 0;
    bool streamed_all;
    int fd, rc;

    fd = memfd_create("fuzz-layer-index", MFD_CLOEXEC);
    if (fd < 0 || fd_write_all(fd, buf, len) < 0)
        die("memfd");
    rc = image_tar_index_fd(fd, "fuzz.tar", &m, &n, &err);
    if (rc < 0) {
        if (err == NULL || err->errnum != -rc || err->msg == NULL
            || strncmp(err->msg, "'fuzz.tar': ", strlen("'fuzz.tar': ")) != 0)
            abort();
        error_free(&err);
        close(fd);
        return;
    }
    streamed_all = stream_entries(buf, len, &v, &n_entries) && !has_gnu_header(buf, len);
    for (size_t i = 0; i < n; i++) {
        struct image_digest d;
        struct image_hash *h;
        bool is_link = false, found = false;

        if (m[i].offset > len || m[i].size > len - m[i].offset)
            abort(); /* outside the file */
        if (m[i].path[0] == '/' || strncmp(m[i].path, "./", 2) == 0)
            abort();
        if (i > 0 && strcmp(m[i - 1].path, m[i].path) >= 0)
            abort(); /* not sorted, or a duplicate */
        if (!streamed_all)
            continue;
        h = image_hash_new(IMAGE_DIGEST_SHA256);
        image_hash_update(h, buf + m[i].offset, m[i].size);
        image_hash_final(h, &d);
        image_hash_free(h);
        for (size_t j = 0; j < n_entries; j++)
            is_link |= !v[j].regular && strcmp(v[j].path, m[i].path) == 0;
        for (size_t j = 0; j < n_entries && !found; j++)
            found = v[j].regular && !v[j].sparse && (is_link || strcmp(v[j].path, m[i].path) == 0)
                    && image_digest_equal(&v[j].digest, &d);
        if (!found) {
            fprintf(stderr,
                    "fuzz-layer: index member '%s' at %llu (%llu bytes) is not the data of "
                    "that entry\n",
                    m[i].path, (unsigned long long)m[i].offset, (unsigned long long)m[i].size);
            abort();
        }
    }
    streamed_free(v, n_entries);
    image_tar_members_free(m, n);
    close(fd);
}

static void
write_replay(const uint8_t *buf, size_t len)
{
    const char *path = getenv("FUZZ_LAYER_WRITE");
    int fd;

    if (path == NULL || path[0] == '\0')
        return;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || fd_write_all(fd, buf, len) < 0 || close(fd) < 0)
        die(path);
}

/* Apply the layer and check what the calls return. */
static void
apply(int rootfd, const uint8_t *buf, size_t len, uint32_t h)
{
    static const struct image_extract_opts opts = {.chown = false, .mknod = false};
    struct image_extract_stats stats = {0};
    struct source src = {buf, len, 0, (h & 0x10) ? 1000 : SIZE_MAX};
    struct image_hash *hash = image_hash_new(IMAGE_DIGEST_SHA256);
    struct error *err = NULL;
    struct image_tar *t;
    int rc;

    image_tar_force_sync((h & 0x7) != 0);
    fd_force_fallback((h & 0x60) == 0);
    t = image_tar_open(source_read, &src, IMAGE_COMPRESSION_AUTO, hash, MAX_BYTES, LAYER, &err);
    if (t == NULL) {
        check_error(err != NULL ? -err->errnum : -1, err);
        goto out;
    }
    rc = image_layer_apply_at(rootfd, t, LAYER, &opts, &stats, &err);
    if (rc < 0) {
        check_error(rc, err);
        goto out;
    }
    if (err != NULL)
        abort();
    rc = image_tar_finish(t, &err);
    if (rc < 0) {
        check_error(rc, err);
        goto out;
    }
    if (!is_compressed(buf, len)) {
        struct image_hash *whole = image_hash_new(IMAGE_DIGEST_SHA256);
        struct image_digest a, b;

        image_hash_update(whole, buf, len);
        image_hash_final(whole, &a);
        image_hash_free(whole);
        image_hash_final(hash, &b);
        if (!image_digest_equal(&a, &b) || image_tar_bytes(t) != len)
            abort();
    }
out:
    if (verbose)
        fprintf(stderr, "fuzz-layer: %s%s (%s, %s, %s; %llu entries, %llu bytes, %llu whiteouts)\n",
                err != NULL ? "refused: " : "applied", err != NULL ? err->msg : "",
                (h & 0x7) == 0 ? "threaded" : "sync", (h & 0x60) == 0 ? "no openat2" : "openat2",
                src.chunk == SIZE_MAX ? "whole reads" : "short reads",
                (unsigned long long)stats.entries, (unsigned long long)stats.bytes,
                (unsigned long long)stats.whiteouts);
    error_free(&err);
    image_tar_free(t);
    image_hash_free(hash);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const only_canary[] = {"canary", NULL};
    static const char *const root_and_canary[] = {"canary", "root", NULL};
    int fd_mark = lowest_free_fd();
    uint8_t *buf = xmalloc(size ? size : 1);
    uint32_t h = mix(data, size);
    struct error *err = NULL;
    struct stat before, after;
    int rootfd;

    memcpy(buf, data, size);
    if (!is_compressed(buf, size))
        fix_checksums(buf, size);
    write_replay(buf, size);

    if (mkdirat(scratchfd, "root", 0755) < 0)
        die("mkdir root");
    rootfd = openat(scratchfd, "root", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0 || fstat(rootfd, &before) < 0)
        die("open root");

    apply(rootfd, buf, size, h);
    fd_force_fallback(false);
    if (!is_compressed(buf, size))
        check_index(buf, size);

    /* Root is where it was, the same directory. */
    if (fstatat(scratchfd, "root", &after, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(after.st_mode)
        || after.st_dev != before.st_dev || after.st_ino != before.st_ino)
        abort();
    if (!has_exactly(scratchfd, root_and_canary))
        abort();
    check_outside();
    /* (Root's mode may have become 0 by an entry for ".": as anyone but
       root, skipped.) */
    check_no_devices(openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0);
    close(rootfd);

    if (image_remove_tree_at(scratchfd, "root", &err) < 0) {
        fprintf(stderr, "fuzz-layer: %s\n", err->msg);
        abort();
    }
    if (!has_exactly(scratchfd, only_canary))
        abort();
    check_outside();
    free(buf);
    if (lowest_free_fd() != fd_mark)
        abort(); /* an fd leaked */
    return 0;
}

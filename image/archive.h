/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_ARCHIVE_H
#define BERTH_IMAGE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "image/digest.h"
#include "lib/error.h"

/* The only door to libarchive (image/archive.c): tar streams read entry by
 * entry into plain structs, so that the rest of image/ never sees
 * libarchive and it could be swapped in one file.  Nothing here touches the
 * filesystem: image/extract.c creates the inodes. */

/* Where a tar stream's bytes come from: returns the number of bytes put in
 * BUF (0 at the end of the stream) or -errno with *ERR set.  Errors from the
 * callback (a digest mismatch, a truncated blob) come back out of
 * image_tar_next/read with the callback's message intact. */
typedef ssize_t (*image_read_fn)(void *opaque, void *buf, size_t len, struct error **err);

enum image_compression {
    IMAGE_COMPRESSION_AUTO = 0, /* sniff: none, gzip or zstd */
    IMAGE_COMPRESSION_NONE,
    IMAGE_COMPRESSION_GZIP,
    IMAGE_COMPRESSION_ZSTD,
};

enum image_tar_type {
    IMAGE_TAR_REG = 1,
    IMAGE_TAR_DIR,
    IMAGE_TAR_SYMLINK,
    IMAGE_TAR_HARDLINK,
    IMAGE_TAR_CHR,
    IMAGE_TAR_BLK,
    IMAGE_TAR_FIFO,
    IMAGE_TAR_OTHER, /* sockets and anything else: never created */
};

struct image_tar_xattr {
    const char *name;
    const void *value;
    size_t size;
};

/* One entry, valid until the next image_tar_next() or image_tar_free(). */
struct image_tar_entry {
    const char *path; /* as stored (no normalisation); never NULL */
    enum image_tar_type type;
    mode_t mode; /* permission bits with setuid/setgid/sticky (07777) */
    uint64_t uid, gid;
    int64_t size; /* bytes of data (regular files) */
    struct timespec mtime;
    struct timespec atime; /* mtime when the archive has none */
    const char *linkname;  /* symlink target or hardlink target path; NULL otherwise */
    unsigned int rdev_major, rdev_minor;
    struct image_tar_xattr *xattrs;
    size_t n_xattrs;
};

struct image_tar;

/* Open a tar stream read through READ(OPAQUE), decompressed as COMPRESSION
 * says.  When UNCOMPRESSED is not NULL every byte of the decompressed
 * stream (the layer's DiffID input: headers, data and the trailing zero
 * blocks) is fed to it; image_tar_finish() makes sure the whole stream was
 * consumed.  MAX_BYTES (0: no limit) caps the decompressed size: past it,
 * -EFBIG with an error saying the limit (a decompression bomb).  NAME is
 * what errors call the stream ("layer sha256:..."). */
struct image_tar *image_tar_open(image_read_fn read, void *opaque, enum image_compression c,
                                 struct image_hash *uncompressed, uint64_t max_bytes,
                                 const char *name, struct error **err);

/* The next entry: 1 with *RET set, 0 at the end of the archive, -errno on
 * error (a corrupt or truncated stream names the stream and the offset). */
int image_tar_next(struct image_tar *t, const struct image_tar_entry **ret, struct error **err)
    ATTR_WUR;

/* Read the current entry's data: bytes read, 0 at its end, -errno. */
ssize_t image_tar_read(struct image_tar *t, void *buf, size_t len, struct error **err) ATTR_WUR;

/* The same without a copy, and without expanding the holes of a sparse
 * entry: 1 with *RET_BUF pointing at *RET_LEN bytes that belong at
 * *RET_OFFSET in the file (valid until the next call), 0 at the end of the
 * entry, -errno.  Bytes between blocks, and after the last one up to the
 * entry's size, are zeros.  Do not mix with image_tar_read on one entry. */
int image_tar_read_block(struct image_tar *t, const void **ret_buf, size_t *ret_len,
                         int64_t *ret_offset, struct error **err) ATTR_WUR;

/* After image_tar_next() returned 0: read what is left of the stream (the
 * end-of-archive blocks and padding) so that the uncompressed hash and the
 * caller's compressed hash cover all of it. */
int image_tar_finish(struct image_tar *t, struct error **err) ATTR_WUR;

/* READ and the decompression run in a helper thread that works up to 1 MiB
 * ahead of the caller, so that inflating overlaps with hashing and creating
 * files: READ must not rely on running in the caller's thread (it does not
 * run concurrently with itself), and the caller must not use the
 * UNCOMPRESSED hash before image_tar_finish() returned 0.  Signals are
 * blocked in that thread.  FORCE (or the environment variable
 * BERTH_IMAGE_THREADS=0) does it all in the caller's thread instead: for
 * tests, fuzzing and measurements. */
void image_tar_force_sync(bool force);

/* Decompressed bytes read so far. */
uint64_t image_tar_bytes(const struct image_tar *t);

void image_tar_free(struct image_tar *t);

/* ---- archives of blobs (oci-archive:, docker-archive:) ---- */

/* A regular file inside an uncompressed tar file, found by one pass over
 * the headers: its data is SIZE bytes at OFFSET in the tar file, so that
 * blobs are read with pread(2) and never copied out. */
struct image_tar_member {
    char *path; /* normalised: no leading "./" or "/" */
    uint64_t offset;
    uint64_t size;
};

/* Index the regular files of the uncompressed tar file FD (which stays
 * open and owned by the caller).  A compressed archive is -EINVAL with an
 * error saying so; NAME is the file's name for errors. */
int image_tar_index_fd(int fd, const char *name, struct image_tar_member **ret, size_t *ret_n,
                       struct error **err) ATTR_WUR;
void image_tar_members_free(struct image_tar_member *m, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_SOURCE_H
#define BERTH_IMAGE_SOURCE_H

#include <stdint.h>

#include "image/archive.h"
#include "image/image.h"
#include "lib/error.h"

/* Internal to image/: the insides of struct image_source, shared by
 * source.c (opening, the verifying blob reader), source-oci.c (an image
 * layout directory) and source-archive.c (a tar file read in place), and
 * the few calls image/resolve.c makes besides the blob readers. */

struct image_source {
    enum image_transport transport;
    char *name; /* DIR or FILE as given, for errors */
    /* oci: the layout directory (O_PATH | O_DIRECTORY); archives: the
     * tar file (O_RDONLY), read with pread(2) */
    int fd;
    struct image_tar_member *members; /* archives: the regular files */
    size_t n_members;
};

/* Where a file or blob's bytes are: SIZE bytes at OFFSET of FD.  OWN_FD
 * says whether FD is the caller's to close (a blob file of a layout) or the
 * archive's (borrowed). */
struct image_source_span {
    int fd;
    bool own_fd;
    uint64_t offset;
    uint64_t size;
};

/* source-oci.c: open the layout directory PATH into S. */
int image_source_oci_open(struct image_source *s, const char *path, struct error **err) ATTR_WUR;
/* source-oci.c: open NAME ("index.json", "blobs/sha256/<hex>") inside the
 * layout: resolved beneath the layout directory, the last component never
 * followed, and it must be a regular file.  -ENOENT with an error naming
 * the file when absent. */
int image_source_oci_span(struct image_source *s, const char *name, struct image_source_span *ret,
                          struct error **err) ATTR_WUR;

/* source-archive.c: open and index the tar file PATH into S. */
int image_source_archive_open(struct image_source *s, const char *path, struct error **err)
    ATTR_WUR;
/* source-archive.c: the member NAME (normalised like the index: no "./");
 * -ENOENT with an error naming the member and the archive when absent. */
int image_source_archive_span(struct image_source *s, const char *name,
                              struct image_source_span *ret, struct error **err) ATTR_WUR;

/* Either of the above, as S's transport says. */
int image_source_span(struct image_source *s, const char *name, struct image_source_span *ret,
                      struct error **err) ATTR_WUR;

/* How errors name the file NAME of S: "DIR/index.json", "FILE/manifest.json". */
char *image_source_file_label(const struct image_source *s, const char *name);

/* Read the whole file NAME of S (a layout's index.json, an archive's
 * manifest.json), refused past MAX bytes (-EFBIG).  NUL-terminated. */
int image_source_read_file(struct image_source *s, const char *name, size_t max, char **ret_buf,
                           size_t *ret_len, struct error **err) ATTR_WUR;

/* The size of the file NAME of S (-ENOENT with an error when absent). */
int image_source_file_size(struct image_source *s, const char *name, int64_t *ret,
                           struct error **err) ATTR_WUR;

#endif

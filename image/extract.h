/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_EXTRACT_H
#define BERTH_IMAGE_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "image/archive.h"
#include "lib/error.h"

/* Applying layers to a root filesystem (image-spec layer.md): every inode is
 * created relative to its parent directory's fd, parents are resolved inside
 * the root (lib/fd.h), and nothing is ever followed or created outside it. */

struct image_extract_opts {
    /* Set each entry's owner from the layer (as root, or as root of a user
     * namespace mapped with subordinate ids).  Without it every inode keeps
     * the caller's ids. */
    bool chown;
    /* Create character and block devices; without it they are skipped and
     * counted in skipped_devices (one summary warning, by the caller). */
    bool mknod;
};

struct image_extract_stats {
    uint64_t entries;
    uint64_t bytes;           /* file data written */
    uint64_t skipped_devices; /* device nodes not created (no mknod) */
    uint64_t skipped_xattrs;  /* xattrs outside security.capability and user.* or refused */
    uint64_t whiteouts;
};

/* Apply the layer read from T to the root directory ROOTFD (an O_PATH or
 * O_RDONLY directory fd).  LAYER names the layer in errors, e.g.
 * "layer sha256:abcd...": "layer sha256:abcd...: entry 'a/../b': ...".
 * Whiteouts (".wh.NAME") and opaque markers (".wh..wh..opq") remove what
 * lower layers put there, never entries of this same layer.  Directory
 * modes and times are set once the layer is done.  STATS accumulates. */
int image_layer_apply_at(int rootfd, struct image_tar *t, const char *layer,
                         const struct image_extract_opts *o, struct image_extract_stats *stats,
                         struct error **err) ATTR_WUR;

/* Remove NAME in DIRFD and, if it is a directory, everything under it,
 * never following a symlink (each level opened with O_NOFOLLOW relative to
 * its parent).  Directories without write or search permission for the
 * caller are made so first.  A missing NAME is success. */
int image_remove_tree_at(int dirfd, const char *name, struct error **err) ATTR_WUR;

#endif

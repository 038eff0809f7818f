/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_EXTRACT_MARKS_H
#define BERTH_IMAGE_EXTRACT_MARKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

/* Internal to image/extract.c and image/remove.c: what the layer being
 * applied has put where, so that its whiteouts spare it (layer.md:
 * "Whiteout files MUST only apply to resources in lower/parent layers").
 *
 * A directory entry is named by its parent directory's inode and its name,
 * never by its path: a path can reach the same place in several ways
 * (through symlinks, clamped in the root), an inode and a name cannot.
 * Only a 62-bit hash of the three is kept (8 bytes an entry).  A collision
 * can only make a lower file look like this layer's, so that a whiteout
 * leaves it in place: never a removal too many, and never anything outside
 * the root. */

enum extract_mark {
    MARK_NONE = 0,
    MARK_FRESH = 1, /* made by this layer: nothing from a lower layer in it */
    MARK_KEPT = 2,  /* a lower directory this layer has a directory entry for */
};

struct extract_marks {
    uint64_t *keys; /* 0: empty; else hash | mark in the low two bits */
    size_t cap, n;
    uint64_t seed;
};

void extract_marks_init(struct extract_marks *m);
void extract_marks_clear(struct extract_marks *m);
void extract_marks_set(struct extract_marks *m, dev_t dev, ino_t dir, const char *name,
                       enum extract_mark mark);
enum extract_mark extract_marks_get(const struct extract_marks *m, dev_t dev, ino_t dir,
                                    const char *name);

/* Remove NAME in DIRFD (a directory of device DEV and inode DIR) and
 * everything under it, except what MARKS (NULL: nothing) says this layer
 * made; a directory holding some of that stays, with only that in it, as
 * does a directory marked MARK_KEPT.  Never follows a symlink.  Returns 1
 * when something of NAME stays, 0 when it is gone (or was never there),
 * -errno with *ERR naming the path below NAME that failed. */
int extract_prune_at(const struct extract_marks *marks, int dirfd, dev_t dev, ino_t dir,
                     const char *name, struct error **err) ATTR_WUR;

/* The same for every entry of the directory DIRFD (an opaque whiteout):
 * DIRFD itself stays. */
int extract_prune_children_at(const struct extract_marks *marks, int dirfd, struct error **err)
    ATTR_WUR;

#endif

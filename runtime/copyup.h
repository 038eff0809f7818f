/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_COPYUP_H
#define BERTH_RUNTIME_COPYUP_H

#include "lib/error.h"

/* "tmpcopyup" (a runc/crun extension to config.md's mount options): copy
 * what the image has at a tmpfs mount's destination into the new tmpfs, so
 * that the mount hides nothing.  SRC_FD is the destination directory before
 * the mount (O_PATH is enough), DST_FD the root of the new, not yet attached
 * tmpfs.  Every inode is created relative to its parent's fd and nothing
 * from the image is followed: symlinks are copied as symlinks.  Device
 * nodes that a user namespace may not create are skipped. */
int copyup_tree_at(int src_fd, int dst_fd, struct error **err);

#endif

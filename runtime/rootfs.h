/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_ROOTFS_H
#define BERTH_RUNTIME_ROOTFS_H

#include <stdbool.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "runtime/mount.h"

struct rootfs_opts {
    const char *rootfs_path; /* absolute host path of root.path */
    bool no_pivot;           /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
    bool mknod_ok;           /* device nodes can be created (root, no user namespace) */
    struct mount_env env;
};

/* In the container's new mount namespace, before pivot_root: set the
 * propagation of "/", bind the rootfs onto itself, make every mount,
 * device and link.  Returns an O_PATH fd of the rootfs. */
int rootfs_prepare(const struct spec *s, const struct rootfs_opts *o, struct error **err);

/* Switch to the rootfs (pivot_root, or chroot with no_pivot) and detach the
 * old root. */
int rootfs_pivot(int rootfd, const struct rootfs_opts *o, struct error **err);

/* Before the switch, on the prepared rootfs: masked and read-only paths
 * (resolved inside ROOTFD) and a read-only root.  DEVNULL_FD is an O_PATH fd
 * of the host's /dev/null, checked to be char 1:3, in our mount namespace:
 * open_tree(2) clones only mounts of the caller's namespace, which the host
 * tree stops being part of once the old root is detached. */
int rootfs_finish(int rootfd, const struct spec *s, int devnull_fd, struct error **err);

/* After the switch: linux.rootfsPropagation on the new "/". */
int rootfs_set_propagation(const struct spec *s, struct error **err);

/* Open the host's /dev/null O_PATH and check that it is the null device. */
int rootfs_open_devnull(struct error **err);

#endif

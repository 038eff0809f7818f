/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_MOUNT_H
#define BERTH_RUNTIME_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* What the container's environment allows, for choosing fallbacks. */
struct mount_env {
    bool in_userns;  /* init runs in a user namespace it created */
    bool new_net;    /* with its own network namespace (sysfs can be mounted) */
    bool new_ipc;    /* with its own IPC namespace (mqueue can be mounted) */
    bool new_cgroup; /* with its own cgroup namespace */
    int bundle_fd;   /* relative bind sources are relative to the bundle (as runc) */
    /* Per mounts[] index, the detached idmapped tree the parent made for an
     * idmapped mount (runtime/idmap.h), else -1; NULL when there are none.
     * Still owned by the caller. */
    const int *idmap_fds;
};

/* Mount config.json mounts[INDEX] inside ROOTFD, creating the destination
 * inside the rootfs when missing (directories, or an empty file for a bind
 * mount of a file), never following a symlink out of it.  The destination
 * is resolved with RESOLVE_IN_ROOT; the mount is attached with
 * move_mount(2) onto that fd (or mount(2) on /proc/self/fd/N on kernels
 * without the new mount API). */
int mount_apply_at(int rootfd, const struct spec_mount *m, size_t index,
                   const struct mount_env *env, struct error **err);

/* Resolve PATH inside ROOTFD, creating it if missing: a directory when
 * IS_DIR, else an empty regular file.  Returns an O_PATH fd. */
int mount_ensure_dest_at(int rootfd, const char *path, bool is_dir, struct error **err);

/* Bind mount the host file or directory SOURCE onto DEST_FD (an O_PATH fd),
 * recursively when RECURSIVE, then apply MOUNT_ATTR_* ATTR (read-only,
 * nosuid, ...) to the new mount. */
int mount_bind_fd(const char *source, int dest_fd, bool recursive, uint64_t attr,
                  struct error **err);

/* Change the attributes of the mount at FD: set SET and clear CLR
 * (MOUNT_ATTR_*), recursively when RECURSIVE. */
int mount_setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr, struct error **err);

#endif

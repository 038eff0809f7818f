/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_IDMAP_H
#define BERTH_RUNTIME_IDMAP_H

/* Idmapped mounts: config.md "idmap" and "ridmap", and mounts[].uidMappings
 * and gidMappings (config.md "POSIX-platform Mounts").
 *
 * Direction.  A mount's mappings are written verbatim ("containerID hostID
 * size") as the uid_map/gid_map of a user namespace that is then given to
 * mount_setattr(2) MOUNT_ATTR_IDMAP, as runc and crun do: an id stored in
 * the source filesystem is read as a containerID and appears through the
 * mount as the matching hostID; a file created through the mount by hostID
 * is stored as containerID.  A container with a user namespace of its own
 * then sees that hostID through its own mapping.  Example, a container
 * without a user namespace: {"containerID": 1000, "hostID": 0, "size": 1}
 * shows files owned by 1000 on disk as owned by root, and what root creates
 * is stored as 1000.  "idmap" without mappings takes the container's user
 * namespace: with linux.uidMappings 0 -> 100000, host root's files appear
 * as root inside, and the container's root writes files owned by host root.
 *
 * Who makes them.  The kernel lets only a caller with CAP_SYS_ADMIN in the
 * user namespace that owns the source's superblock idmap a mount (fs/
 * namespace.c can_idmap_mount(): "We're not controlling the superblock."),
 * i.e. root in the initial user namespace for a host filesystem; init, in
 * the container's user namespace, cannot.  So the parent (berth create, in
 * the host's mount namespace) makes each one as a detached tree,
 * open_tree(OPEN_TREE_CLONE) then mount_setattr(MOUNT_ATTR_IDMAP), when init
 * asks (SYNC_IDMAP, after its user namespace exists), and sends the tree fds
 * over the sync socket (SCM_RIGHTS).  Init applies the mount's other
 * options to each tree and attaches it with move_mount(2) in its own mount
 * namespace, which the kernel allows for the root of an anonymous tree
 * (do_move_mount(): "otherwise the source must be the root of some anon
 * namespace"; tested on 6.18).  Without root there is no way to do it for a
 * host filesystem, and berth says so before creating anything. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* Is M an idmapped mount ("idmap", "ridmap", or uidMappings/gidMappings)? */
bool idmap_is_idmapped(const struct spec_mount *m);

/* Does S have an idmapped mount at all?  Both sides ask, to agree on
 * whether the SYNC_IDMAP step happens. */
bool idmap_wanted(const struct spec *s);

/* Why mounts[I] of S cannot be made as an idmapped mount by berth for a
 * caller who is root in the initial user namespace (PRIVILEGED) or not: a
 * constant message for "mounts[I]: ..."; NULL when it can be, or is not
 * idmapped.  Pure. */
const char *idmap_refusal(const struct spec *s, size_t i, bool privileged);

/* Does mounts[I] with mappings of its own have exactly the container's
 * linux.uidMappings and gidMappings?  Then the container's user namespace
 * gives the same idmapping and no namespace of its own is made.  Pure. */
bool idmap_same_as_container(const struct spec *s, size_t i);

/* Parent, before anything is created: every idmapped mount of S can be
 * made (idmap_refusal).  -EPERM/-EINVAL with *err naming the mount. */
int idmap_check(const struct spec *s, bool rootless, struct error **err) ATTR_WUR;

/* Parent, on SYNC_IDMAP from init: make every idmapped mount of S as a
 * detached tree (relative sources against BUNDLE_FD) and send each to init
 * over SOCK, then SYNC_IDMAP_DONE.  INIT is init's pid: its user namespace
 * is the one "idmap" without mappings uses.  On failure nothing is sent
 * after the failing tree and init is expected to be killed by the caller;
 * *err names mounts[N]. */
int idmap_send_mounts(const struct spec *s, int bundle_fd, pid_t init, int sock, struct error **err)
    ATTR_WUR;

/* Init, in its namespaces: when S has idmapped mounts, ask the parent for
 * them over SOCK and receive them.  *RET_FDS is then an array of
 * s->n_mounts fds, -1 where the mount is not idmapped (free it with
 * idmap_close_mounts); NULL when S has none. */
int idmap_receive_mounts(int sock, const struct spec *s, int **ret_fds, struct error **err)
    ATTR_WUR;

/* Close what idmap_receive_mounts returned and free the array. */
void idmap_close_mounts(int *fds, size_t n);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_MOUNT_OPTS_H
#define BERTH_RUNTIME_MOUNT_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* The plan for one entry of config.json "mounts": the mount(8)-style option
 * strings of config.md "Linux mount options" turned into what the kernel
 * wants.  Pure: no syscalls, so it is unit-tested on its own
 * (tests/unit/runtime-mount-opts.c); the code that mounts reads the plan. */

enum mount_kind {
    MOUNT_KIND_FS,   /* a new filesystem instance: tmpfs, proc, sysfs, devpts, ... */
    MOUNT_KIND_BIND, /* option "bind" or "rbind", or type "bind" */
};

struct mount_plan {
    enum mount_kind kind;
    bool recursive; /* "rbind": the submounts of the source come along */
    bool remount;   /* "remount": change the mount already at the destination */

    /* MS_* flags from <sys/mount.h>, as mount(8) computes them: `flags` is
     * what the options set, `clear` what they explicitly unset ("rw" puts
     * MS_RDONLY here, "suid" MS_NOSUID, ...), so the two never overlap.  For
     * a new filesystem they are the flags of that mount; for a bind mount
     * they belong to the bind remount, which affects the top mount only.
     * Never MS_BIND, MS_REC, MS_REMOUNT or a propagation flag: those are
     * `kind`, `recursive`, `remount` and `propagation`.  Of MS_NOATIME,
     * MS_RELATIME and MS_STRICTATIME at most one is in `flags`. */
    unsigned long flags;
    unsigned long clear;

    /* 0, or one of MS_PRIVATE, MS_SHARED, MS_SLAVE, MS_UNBINDABLE, with
     * MS_REC for the "r" variants ("rslave" = MS_SLAVE | MS_REC). */
    unsigned long propagation;

    /* MOUNT_ATTR_* for mount_setattr(2) with AT_RECURSIVE, from the "r"
     * options (rro, rnosuid, rnodev, rnoexec, rnodiratime, rnosymfollow,
     * the atime ones, and their opposites); both 0 when there are none.
     * The atime setting is one 3-value field (MOUNT_ATTR__ATIME): when an
     * option sets it, attr_clr holds all of MOUNT_ATTR__ATIME and attr_set
     * the value (MOUNT_ATTR_RELATIME being 0), as the kernel requires.
     * Never MOUNT_ATTR_IDMAP: see `idmap`. */
    uint64_t attr_set;
    uint64_t attr_clr;

    /* "idmap" or "ridmap", or uidMappings/gidMappings on the mount: apply
     * MOUNT_ATTR_IDMAP.  The mapping is the mount's uidMappings and
     * gidMappings, else the container's user namespace (the caller checks
     * that there is one: config.md "idmap").  Recursive for "ridmap"; the
     * later of "idmap" and "ridmap" wins. */
    bool idmap;
    bool idmap_recursive;

    bool copy_up; /* "tmpcopyup" (runc/crun extension): copy the image's directory into the tmpfs */

    /* The options that are none of the above, comma-joined in their order,
     * for mount(2)'s data argument ("mode=755,size=65536k"); NULL if none. */
    char *data;
};

/* Build the plan for M (its type, options and id mappings; source and
 * destination are not looked at).  Later options override earlier ones
 * ("ro" then "rw" is rw).  Options that are not mount flags are
 * filesystem data, except on a bind mount, which has no filesystem to take
 * them.  On success returns 0 and fills *ret, which the caller frees with
 * mount_plan_free().  On failure returns -EINVAL with *err naming the
 * option ('option "tmpcopyup": ...', 'options[2]: empty option') or field,
 * for the caller to wrap with "mounts[N]", and leaves *ret zeroed. */
int mount_plan_build(const struct spec_mount *m, struct mount_plan *ret, struct error **err)
    ATTR_WUR;

/* The option strings berth gives a meaning to, for `berth features`. */
size_t mount_opts_count(void);
const char *mount_opts_name(size_t i);

/* Free what the plan owns and zero it; safe on a zeroed plan. */
void mount_plan_free(struct mount_plan *p);

#endif

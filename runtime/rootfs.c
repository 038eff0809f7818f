/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/vfs.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "runtime/devices.h"

static unsigned long
propagation_flag(int p)
{
    switch ((enum spec_propagation)p) {
    case SPEC_PROP_PRIVATE:
        return MS_PRIVATE;
    case SPEC_PROP_SHARED:
        return MS_SHARED;
    case SPEC_PROP_SLAVE:
        return MS_SLAVE;
    case SPEC_PROP_UNBINDABLE:
        return MS_UNBINDABLE;
    case SPEC_PROP_UNSET:
    case SPEC_PROP__COUNT:
        break;
    }
    return 0;
}

/* Does the config mount its own /dev from the host (a bind)?  Then the
 * default devices are the host's and are not created. */
static bool
binds_host_dev(const struct spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        const struct spec_mount *m = &s->mounts[i];
        bool bind = m->type && strcmp(m->type, "bind") == 0;

        for (size_t j = 0; !bind && j < m->options.n; j++)
            bind = strcmp(m->options.items[j], "bind") == 0
                   || strcmp(m->options.items[j], "rbind") == 0;
        if (bind && strcmp(m->destination, "/dev") == 0)
            return true;
    }
    return false;
}

/* A missing process.cwd is created (mode 0755, owned by the container's
 * root), as runc and crun do, after the mounts it may lie in and before
 * root.readonly.  An existing one, or one that does not resolve to a plain
 * path in the rootfs, is left to the chdir of process_exec, which reports
 * it. */
static int
make_cwd_at(int rootfd, const struct spec *s, struct error **err)
{
    const char *cwd = s->process ? s->process->cwd : NULL;
    _cleanup_close_ int fd = -1;

    if (cwd == NULL || cwd[0] != '/')
        return 0;
    fd = fd_open_in_root(rootfd, cwd, O_PATH, 0);
    if (fd != -ENOENT)
        return 0;
    fd = fd_mkdir_p_in_root(rootfd, cwd, 0755);
    if (fd < 0)
        return error_set(err, -fd, "process.cwd '%s': create", cwd);
    return 0;
}

int
rootfs_prepare(const struct spec *s, const struct rootfs_opts *o, struct error **err)
{
    unsigned long prop = s->linux_ ? propagation_flag(s->linux_->rootfs_propagation) : 0;
    _cleanup_close_ int rootfd = -1;
    int rc;

    /* Keep our mounts from reaching the host: "/" becomes a slave (runc's
     * default) or what rootfsPropagation asks, recursively.  A "shared"
     * choice applies to the container's root after the switch only. */
    if (prop == 0 || prop == MS_SHARED)
        prop = MS_SLAVE;
    if (mount(NULL, "/", NULL, MS_REC | prop, NULL) < 0)
        return error_set(err, errno, "make / %s", prop == MS_SLAVE ? "rslave" : "private");
    /* pivot_root(2) needs the new root to be a mount point. */
    if (mount(o->rootfs_path, o->rootfs_path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return error_set(err, errno, "root.path '%s': bind onto itself", o->rootfs_path);
    rootfd = open(o->rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return error_set(err, errno, "root.path '%s'", o->rootfs_path);

    for (size_t i = 0; i < s->n_mounts; i++) {
        rc = mount_apply_at(rootfd, &s->mounts[i], i, &o->env, err);
        if (rc < 0)
            return rc;
    }
    if (!binds_host_dev(s)) {
        rc = devices_setup_at(rootfd, s, o->mknod_ok, err);
        if (rc < 0)
            return rc;
    }
    rc = make_cwd_at(rootfd, s, err);
    if (rc < 0)
        return rc;
    return TAKE_FD(rootfd);
}

int
rootfs_pivot(int rootfd, const struct rootfs_opts *o, struct error **err)
{
    if (fchdir(rootfd) < 0)
        return error_set(err, errno, "chdir to the rootfs");
    if (o->no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
            return error_set(err, errno, "--no-pivot: move the rootfs to /");
        if (chroot(".") < 0)
            return error_set(err, errno, "--no-pivot: chroot");
    } else {
        /* pivot_root(".", ".") stacks the old root on top of the new one;
         * detaching it leaves only the container's tree, with no path back
         * to the host (no temporary directory inside the image needed). */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return error_set(err, errno, "pivot_root");
        if (umount2(".", MNT_DETACH) < 0)
            return error_set(err, errno, "detach the old root");
    }
    if (chdir("/") < 0)
        return error_set(err, errno, "chdir /");
    return 0;
}

int
rootfs_open_devnull(struct error **err)
{
    _cleanup_close_ int fd = open("/dev/null", O_PATH | O_CLOEXEC);
    struct stat st;

    if (fd < 0 || fstat(fd, &st) < 0)
        return error_set(err, errno, "open /dev/null");
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return error_setx(err, EINVAL, "/dev/null is not the null device (char 1:3)");
    return TAKE_FD(fd);
}

static int
sys_open_tree(int dfd, const char *path, unsigned flags)
{
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int
move_onto(int mfd, int dest)
{
    return (int)syscall(SYS_move_mount, mfd, "", dest, "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* config-linux.md "Masked Paths": "The runtime MUST mask these paths by
 * bind-mounting them with /dev/null or read-only tmpfs ..." (we use an
 * empty read-only tmpfs for directories). */
static int
mask_path(int rootfd, const char *path, size_t index, int devnull_fd, struct error **err)
{
    _cleanup_close_ int fd = -1;
    _cleanup_close_ int mfd = -1;
    struct stat st;

    /* O_NOFOLLOW on the leaf: a masked path swapped for a symlink
     * (CVE-2025-31133) is masked itself, its target is never touched. */
    fd = fd_open_in_root(rootfd, path, O_PATH | O_NOFOLLOW, 0);
    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return error_set(err, -fd, "linux.maskedPaths[%zu] '%s'", index, path);
    if (fstat(fd, &st) < 0)
        return error_set(err, errno, "linux.maskedPaths[%zu] '%s'", index, path);
    if (S_ISDIR(st.st_mode)) {
        int fsfd = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);

        if (fsfd < 0)
            return error_set(err, errno, "linux.maskedPaths[%zu] '%s': tmpfs", index, path);
        if (syscall(SYS_fsconfig, fsfd, FSCONFIG_SET_STRING, "size", "0", 0) < 0
            || syscall(SYS_fsconfig, fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
            int e = errno;
            close(fsfd);
            return error_set(err, e, "linux.maskedPaths[%zu] '%s': tmpfs", index, path);
        }
        mfd = (int)syscall(SYS_fsmount, fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        close(fsfd);
    } else {
        mfd = sys_open_tree(devnull_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    }
    if (mfd < 0)
        return error_set(err, errno, "linux.maskedPaths[%zu] '%s'", index, path);
    if (move_onto(mfd, fd) < 0)
        return error_set(err, errno, "linux.maskedPaths[%zu] '%s': mount", index, path);
    return 0;
}

static int
readonly_path(int rootfd, const char *path, size_t index, struct error **err)
{
    _cleanup_close_ int fd = fd_open_in_root(rootfd, path, O_PATH, 0);
    _cleanup_close_ int mfd = -1;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                                          | MOUNT_ATTR_NOEXEC};

    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return error_set(err, -fd, "linux.readonlyPaths[%zu] '%s'", index, path);
    mfd = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
    if (mfd < 0)
        return error_set(err, errno, "linux.readonlyPaths[%zu] '%s'", index, path);
    if (syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr))
        < 0) {
        /* Flags locked by a less privileged mount (nodev, noexec on /proc in
         * a user namespace) may not be set by us: fall back to read-only. */
        attr.attr_set = MOUNT_ATTR_RDONLY;
        if (syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr))
            < 0)
            return error_set(err, errno, "linux.readonlyPaths[%zu] '%s': read-only", index, path);
    }
    if (move_onto(mfd, fd) < 0)
        return error_set(err, errno, "linux.readonlyPaths[%zu] '%s': mount", index, path);
    return 0;
}

int
rootfs_finish(int rootfd, const struct spec *s, int devnull_fd, struct error **err)
{
    const struct spec_linux *lx = s->linux_;
    int rc;

    for (size_t i = 0; lx && i < lx->masked_paths.n; i++) {
        rc = mask_path(rootfd, lx->masked_paths.items[i], i, devnull_fd, err);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; lx && i < lx->readonly_paths.n; i++) {
        rc = readonly_path(rootfd, lx->readonly_paths.items[i], i, err);
        if (rc < 0)
            return rc;
    }
    /* config.md root.readonly; the remount of the top mount only, as runc. */
    if (s->root && s->root->readonly) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (syscall(SYS_mount_setattr, rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
            return error_set(err, errno, "root.readonly");
    }
    return 0;
}

int
rootfs_set_propagation(const struct spec *s, struct error **err)
{
    const struct spec_linux *lx = s->linux_;

    if (lx && lx->rootfs_propagation
        && mount(NULL, "/", NULL, MS_REC | propagation_flag(lx->rootfs_propagation), NULL) < 0)
        return error_set(err, errno, "linux.rootfsPropagation");
    return 0;
}

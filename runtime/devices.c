/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/mount.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/mount.h"

struct dev_node {
    const char *path;
    mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
    unsigned major, minor;
    mode_t mode;
    uid_t uid;
    gid_t gid;
    bool has_owner;
};

static const struct dev_node default_devices[] = {
    {"/dev/null", S_IFCHR, 1, 3, 0666, 0, 0, false},
    {"/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0, false},
    {"/dev/full", S_IFCHR, 1, 7, 0666, 0, 0, false},
    {"/dev/random", S_IFCHR, 1, 8, 0666, 0, 0, false},
    {"/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0, false},
    {"/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0, false},
};

/* Split "/dev/a/b" into a parent fd inside the root and the leaf name. */
static int
open_parent_at(int rootfd, const char *path, char **ret_leaf, struct error **err)
{
    _cleanup_free_ char *copy = xstrdup(path);
    char *slash = strrchr(copy, '/');
    int fd;

    if (slash == NULL || slash[1] == '\0')
        return error_setx(err, EINVAL, "device path '%s' has no file name", path);
    *slash = '\0';
    fd = fd_mkdir_p_in_root(rootfd, copy[0] ? copy : "/", 0755);
    if (fd < 0)
        return error_set(err, -fd, "device '%s': create parent", path);
    *ret_leaf = xstrdup(slash + 1);
    return fd;
}

static int
create_node(int rootfd, const struct dev_node *d, bool mknod_ok, struct error **err)
{
    _cleanup_free_ char *leaf = NULL;
    _cleanup_close_ int parent = open_parent_at(rootfd, d->path, &leaf, err);
    _cleanup_close_ int dest = -1;
    struct stat st;

    if (parent < 0)
        return parent;
    /* config-linux.md "Devices": "If a file already exists at path that does
     * not match the requested device, the runtime MUST generate an error." */
    if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if ((st.st_mode & S_IFMT) == d->type
            && (d->type == S_IFIFO || st.st_rdev == makedev(d->major, d->minor)))
            return 0;
        if (!S_ISREG(st.st_mode) || st.st_size != 0)
            return error_setx(err, EEXIST, "device '%s': a different file exists there", d->path);
        /* An empty file left by an image (or a bind target): replace it. */
        if (unlinkat(parent, leaf, 0) < 0)
            return error_set(err, errno, "device '%s': remove placeholder", d->path);
    }
    if (mknod_ok || d->type == S_IFIFO) {
        if (mknodat(parent, leaf, d->type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
            return error_set(err, errno, "device '%s': mknod", d->path);
        /* mknod is subject to the umask; the spec's fileMode is exact. */
        if (fchmodat(parent, leaf, d->mode & 07777, 0) < 0)
            return error_set(err, errno, "device '%s': chmod", d->path);
        if (d->has_owner && fchownat(parent, leaf, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
            return error_set(err, errno, "device '%s': chown", d->path);
        return 0;
    }
    /* A user namespace cannot mknod: bind the host's node onto an empty file. */
    {
        struct stat hs;
        int f = openat(parent, leaf, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (f < 0)
            return error_set(err, errno, "device '%s': create bind target", d->path);
        close(f);
        /* The host node has to be the requested device, not just its name. */
        if (stat(d->path, &hs) < 0 || (hs.st_mode & S_IFMT) != d->type
            || hs.st_rdev != makedev(d->major, d->minor))
            return error_setx(err, ENODEV,
                              "device '%s' (%u:%u): not present on the host at that path, and "
                              "a user namespace cannot create device nodes",
                              d->path, d->major, d->minor);
        dest = openat(parent, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (dest < 0)
            return error_set(err, errno, "device '%s'", d->path);
        return mount_bind_fd(d->path, dest, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err);
    }
}

static int
make_link(int rootfd, const char *target, const char *path, struct error **err)
{
    _cleanup_free_ char *leaf = NULL;
    _cleanup_close_ int parent = open_parent_at(rootfd, path, &leaf, err);

    if (parent < 0)
        return parent;
    if (symlinkat(target, parent, leaf) < 0 && errno != EEXIST)
        return error_set(err, errno, "symlink '%s' -> '%s'", path, target);
    return 0;
}

static mode_t
spec_dev_mode(int type)
{
    switch ((enum spec_dev_type)type) {
    case SPEC_DEV_CHAR:
    case SPEC_DEV_UNBUFFERED:
        return S_IFCHR;
    case SPEC_DEV_BLOCK:
        return S_IFBLK;
    case SPEC_DEV_FIFO:
        return S_IFIFO;
    case SPEC_DEV_UNSET:
    case SPEC_DEV__COUNT:
        break;
    }
    return 0;
}

int
devices_setup_at(int rootfd, const struct spec *s, bool mknod_ok, struct error **err)
{
    static const struct {
        const char *target, *path;
    } links[] = {
        {"/proc/self/fd", "/dev/fd"},       {"/proc/self/fd/0", "/dev/stdin"},
        {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
        {"pts/ptmx", "/dev/ptmx"},
    };
    const struct spec_linux *lx = s->linux_;
    int rc;

    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
        bool overridden = false;

        for (size_t j = 0; lx && j < lx->n_devices; j++)
            if (strcmp(lx->devices[j].path, default_devices[i].path) == 0)
                overridden = true;
        if (overridden)
            continue;
        rc = create_node(rootfd, &default_devices[i], mknod_ok, err);
        if (rc < 0)
            return rc;
    }
    for (size_t i = 0; lx && i < lx->n_devices; i++) {
        const struct spec_device *d = &lx->devices[i];
        struct dev_node n = {
            .path = d->path,
            .type = spec_dev_mode(d->type),
            .major = (unsigned)d->major,
            .minor = (unsigned)d->minor,
            .mode = d->has_file_mode ? d->file_mode : 0666,
            .uid = d->uid,
            .gid = d->gid,
            .has_owner = d->has_uid || d->has_gid,
        };

        rc = create_node(rootfd, &n, mknod_ok, err);
        if (rc < 0)
            return error_wrap(err, "linux.devices[%zu]", i);
    }
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        rc = make_link(rootfd, links[i].target, links[i].path, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

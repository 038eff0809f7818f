/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`, mounts and devices: bind sources exist on the host (a
 * relative source is relative to the bundle, as runc does), the kernel knows
 * each filesystem type, and a user namespace can mount it; devices in a user
 * namespace can only be bind-mounted from the host, so they must exist
 * there. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"
#include "runtime/idmap.h"

/* Filesystems flagged FS_USERNS_MOUNT in the kernel: the only ones a user
 * namespace can mount. */
static const char *const userns_filesystems[] = {
    "proc",   "sysfs",   "tmpfs",   "ramfs", "devpts",      "mqueue",
    "cgroup", "cgroup2", "overlay", "fuse",  "binfmt_misc",
};

static bool
has_option(const struct spec_mount *m, const char *opt)
{
    for (size_t i = 0; i < m->options.n; i++)
        if (strcmp(m->options.items[i], opt) == 0)
            return true;
    return false;
}

static bool
is_bind(const struct spec_mount *m)
{
    return (m->type != NULL && strcmp(m->type, "bind") == 0) || has_option(m, "bind")
           || has_option(m, "rbind");
}

/* "fuse.sshfs" is mounted as "fuse" with a subtype. */
static char *
fs_base_type(const char *type)
{
    return xstrndup(type, strcspn(type, "."));
}

static bool
fs_listed(const char *filesystems, const char *type)
{
    for (const char *line = filesystems; line && *line;) {
        const char *name = strchr(line, '\t');
        size_t n;

        name = name ? name + 1 : line;
        n = strcspn(name, "\n");
        if (strlen(type) == n && strncmp(name, type, n) == 0)
            return true;
        line = strchr(name, '\n');
        line += line != NULL;
    }
    return false;
}

/* A filesystem module is loaded on the first mount of its type (the kernel
 * asks for "fs-TYPE"), so not being in /proc/filesystems yet is fine when
 * modules.alias knows the alias. */
static bool
fs_loadable(const char *type)
{
    _cleanup_free_ char *alias = NULL;
    _cleanup_free_ char *needle = NULL;
    _cleanup_free_ char *file = NULL;
    struct utsname u;
    size_t len;

    if (uname(&u) < 0)
        return false;
    file = xasprintf("/lib/modules/%s/modules.alias", u.release);
    if (fd_read_file_at(AT_FDCWD, file, 64u << 20, &alias, &len) < 0)
        return false;
    needle = xasprintf("\nalias fs-%s ", type);
    return strstr(alias, needle) != NULL || strncmp(alias, needle + 1, strlen(needle + 1)) == 0;
}

static bool
is_userns_mountable(const char *type)
{
    for (size_t i = 0; i < sizeof(userns_filesystems) / sizeof(userns_filesystems[0]); i++)
        if (strcmp(type, userns_filesystems[i]) == 0)
            return true;
    return false;
}

/* What a user namespace cannot mount: each of these needs the namespace
 * that the filesystem shows to be owned by the container's user namespace. */
static void
check_userns_fs(struct check *c, size_t i, const char *type)
{
    const char *p = JP("mounts[%zu].type", i);

    if (!is_userns_mountable(type))
        check_warning(c, "bind-mount it from the host instead", p,
                      "'%s' filesystems cannot be mounted inside a user namespace", type);
    else if (strcmp(type, "proc") == 0 && !runtime_check_creates_ns(c, SPEC_NS_PID))
        check_error(c, "add {\"type\": \"pid\"} to linux.namespaces", p,
                    "proc cannot be mounted in a new user namespace without a new pid namespace "
                    "(the kernel refuses it, and berth has no fallback)");
    else if (strcmp(type, "mqueue") == 0 && !runtime_check_creates_ns(c, SPEC_NS_IPC))
        check_warning(c, "add {\"type\": \"ipc\"} to linux.namespaces for an mqueue of its own", p,
                      "mqueue cannot be mounted in a user namespace without a new IPC namespace, "
                      "so berth bind-mounts the host's /dev/mqueue instead");
    else if (strcmp(type, "sysfs") == 0 && !runtime_check_creates_ns(c, SPEC_NS_NETWORK))
        check_warning(c, "add {\"type\": \"network\"} to linux.namespaces for a sysfs of its own",
                      p,
                      "sysfs cannot be mounted in a user namespace without a new network "
                      "namespace, so berth bind-mounts the host's /sys instead");
    else if ((strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
             && !runtime_check_creates_ns(c, SPEC_NS_CGROUP))
        check_warning(c, "add {\"type\": \"cgroup\"} to linux.namespaces", p,
                      "cgroup2 cannot be mounted in a user namespace without a new cgroup "
                      "namespace, so berth bind-mounts the host's cgroup v2 hierarchy instead");
}

/* Binding a directory onto a file (or the reverse) fails with ENOTDIR.  The
 * destination is looked up in the rootfs unless an earlier mount hides it. */
static void
check_bind_destination(struct check *c, size_t i, const struct stat *src)
{
    const struct spec_mount *m = &c->s->mounts[i];
    _cleanup_close_ int fd = -1;
    struct stat st;

    if (c->rootfd < 0 || m->destination == NULL || m->destination[0] != '/')
        return;
    if (runtime_check_mount_covering(c, m->destination, i) >= 0)
        return;
    fd = fd_open_in_root(c->rootfd, m->destination, O_PATH, 0);
    if (fd < 0 || fstat(fd, &st) < 0)
        return; /* missing destinations are created */
    if (S_ISDIR(src->st_mode) && !S_ISDIR(st.st_mode))
        check_error(c, NULL, JP("mounts[%zu].destination", i),
                    "'%s' is not a directory in the rootfs, and the source '%s' is one",
                    m->destination, m->source);
    else if (!S_ISDIR(src->st_mode) && S_ISDIR(st.st_mode))
        check_error(c, NULL, JP("mounts[%zu].destination", i),
                    "'%s' is a directory in the rootfs, and the source '%s' is not", m->destination,
                    m->source);
}

static void
check_mount(struct check *c, size_t i, const char *filesystems)
{
    const struct spec_mount *m = &c->s->mounts[i];
    _cleanup_free_ char *base = NULL;
    const char *why;
    struct stat st;

    /* The same refusal as `create` (runtime/idmap.h). */
    why = idmap_refusal(c->s, i, !c->rootless && c->init_userns);
    if (why != NULL)
        check_error(c, NULL, JP("mounts[%zu]", i), "%s", why);
    if (is_bind(m)) {
        if (m->source == NULL || *m->source == '\0')
            return;
        if (fstatat(c->bundle_dirfd, m->source, &st, 0) == 0)
            check_bind_destination(c, i, &st);
        else if (errno == ENOENT || errno == ENOTDIR)
            check_error(c, NULL, JP("mounts[%zu].source", i), "'%s' does not exist on the host%s",
                        m->source,
                        m->source[0] == '/' ? "" : " (relative to the bundle directory)");
        else
            check_error(c, NULL, JP("mounts[%zu].source", i), "cannot reach '%s': %s", m->source,
                        strerror(errno));
        return;
    }
    if (m->type == NULL || *m->type == '\0') {
        check_error(c, "set a filesystem type, or add \"rbind\" to the options",
                    JP("mounts[%zu].type", i), "a mount that is not a bind mount needs a type");
        return;
    }
    base = fs_base_type(m->type);
    if (filesystems != NULL && !fs_listed(filesystems, base) && !fs_loadable(base)) {
        check_error(
            c, "see /proc/filesystems for the types this kernel knows", JP("mounts[%zu].type", i),
            "filesystem type '%s' is not known to this kernel, and no module provides it", m->type);
        return;
    }
    if (runtime_check_creates_ns(c, SPEC_NS_USER))
        check_userns_fs(c, i, base);
}

/* config-linux.md "Devices": the runtime "MAY supply them however it
 * likes"; mknod(2) is not allowed in a user namespace, so there berth
 * bind-mounts the host's device node, which must exist. */
static void
check_devices(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;

    if (l->n_devices == 0 || !check_has_ns(c, SPEC_NS_USER))
        return;
    check_warning(c, NULL, "linux.devices",
                  "in a user namespace devices cannot be created, so berth bind-mounts them from "
                  "the host");
    for (size_t i = 0; i < l->n_devices; i++) {
        const struct spec_device *dev = &l->devices[i];
        bool want_blk = dev->type == SPEC_DEV_BLOCK;
        struct stat st;

        if (dev->path == NULL || dev->path[0] != '/')
            continue;
        if (stat(dev->path, &st) < 0) {
            check_error(c, "create the node on the host, or remove the entry",
                        JP("linux.devices[%zu].path", i), "'%s' does not exist on the host: %s",
                        dev->path, strerror(errno));
            continue;
        }
        if (dev->type == SPEC_DEV_FIFO ? !S_ISFIFO(st.st_mode)
                                       : !(want_blk ? S_ISBLK(st.st_mode) : S_ISCHR(st.st_mode)))
            check_warning(c, NULL, JP("linux.devices[%zu].type", i),
                          "'%s' on the host is not a %s device, and that is what gets bind-mounted",
                          dev->path,
                          dev->type == SPEC_DEV_FIFO ? "fifo"
                          : want_blk                 ? "block"
                                                     : "character");
        else if (dev->type != SPEC_DEV_FIFO && dev->has_major && dev->has_minor
                 && (major(st.st_rdev) != dev->major || minor(st.st_rdev) != dev->minor))
            check_warning(c, NULL, JP("linux.devices[%zu]", i),
                          "'%s' on the host is %u:%u, not %lld:%lld, and the host's node is what "
                          "gets bind-mounted",
                          dev->path, major(st.st_rdev), minor(st.st_rdev), (long long)dev->major,
                          (long long)dev->minor);
    }
}

void
runtime_check_mounts(struct check *c)
{
    _cleanup_free_ char *filesystems = runtime_check_read_file("/proc/filesystems");

    for (size_t i = 0; i < c->s->n_mounts; i++)
        check_mount(c, i, filesystems);
    if (c->s->linux_ != NULL)
        check_devices(c);
}

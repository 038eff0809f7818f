/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/copyup.h"
#include "runtime/mount-opts.h"

/* glibc 2.36 has no wrappers for the new mount API. */
static int
sys_fsopen(const char *fs, unsigned flags)
{
    return (int)syscall(SYS_fsopen, fs, flags);
}

static int
sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
    return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}

static int
sys_fsmount(int fd, unsigned flags, unsigned attr)
{
    return (int)syscall(SYS_fsmount, fd, flags, attr);
}

static int
sys_move_mount(int from_fd, const char *from, int to_fd, const char *to, unsigned flags)
{
    return (int)syscall(SYS_move_mount, from_fd, from, to_fd, to, flags);
}

static int
sys_open_tree(int dfd, const char *path, unsigned flags)
{
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int
sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr)
{
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

/* MS_* per-mount flags as MOUNT_ATTR_* (the atime field is a value). */
static uint64_t
ms_to_attr(unsigned long ms)
{
    uint64_t a = 0;

    if (ms & MS_RDONLY)
        a |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID)
        a |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV)
        a |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC)
        a |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NODIRATIME)
        a |= MOUNT_ATTR_NODIRATIME;
    if (ms & MS_NOSYMFOLLOW)
        a |= MOUNT_ATTR_NOSYMFOLLOW;
    if (ms & MS_NOATIME)
        a |= MOUNT_ATTR_NOATIME;
    else if (ms & MS_STRICTATIME)
        a |= MOUNT_ATTR_STRICTATIME;
    return a;
}

static bool
sets_atime(unsigned long ms)
{
    return (ms & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) != 0;
}

int
mount_setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr, struct error **err)
{
    struct mount_attr attr = {.attr_set = set, .attr_clr = clr};

    if (set == 0 && clr == 0)
        return 0;
    if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr) < 0)
        return error_set(err, errno, "mount_setattr");
    return 0;
}

int
mount_ensure_dest_at(int rootfd, const char *path, bool is_dir, struct error **err)
{
    _cleanup_free_ char *copy = xstrdup(path);
    _cleanup_close_ int parent = -1;
    int fd;
    char *base;

    fd = fd_open_in_root(rootfd, path, O_PATH, 0);
    if (fd >= 0 || fd != -ENOENT)
        return fd >= 0 ? fd : error_set(err, -fd, "destination '%s'", path);

    /* Create it: parents first, each relative to its parent's fd. */
    base = strrchr(copy, '/');
    if (base != NULL) {
        *base++ = '\0';
        parent = fd_mkdir_p_in_root(rootfd, copy[0] ? copy : "/", 0755);
    } else {
        base = copy;
        parent = fd_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
    }
    if (parent < 0)
        return error_set(err, -parent, "destination '%s': create parent", path);
    if (is_dir) {
        if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
            return error_set(err, errno, "destination '%s': mkdir", path);
    } else {
        /* openat relative to an O_PATH parent: O_NOFOLLOW|O_EXCL never
         * writes through a symlink planted by the image. */
        int f = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST)
            return error_set(err, errno, "destination '%s': create", path);
        if (f >= 0)
            close(f);
    }
    fd = fd_open_in_root(rootfd, path, O_PATH, 0);
    if (fd < 0)
        return error_set(err, -fd, "destination '%s'", path);
    return fd;
}

static int
attach(int mfd, int dest_fd, struct error **err)
{
    if (sys_move_mount(mfd, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return error_set(err, errno, "move_mount");
    return 0;
}

int
mount_bind_fd(const char *source, int dest_fd, bool recursive, uint64_t attr, struct error **err)
{
    _cleanup_close_ int mfd = -1;
    int rc;

    mfd = sys_open_tree(AT_FDCWD, source,
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
    if (mfd < 0)
        return error_set(err, errno, "open_tree '%s'", source);
    rc = mount_setattr_fd(mfd, false, attr, 0, err);
    if (rc < 0)
        return rc;
    return attach(mfd, dest_fd, err);
}

/* Superblock flags that are not per-mount attributes, as fsconfig keys. */
static int
config_sb_flags(int fsfd, unsigned long ms)
{
    static const struct {
        unsigned long flag;
        const char *key;
    } map[] = {
        {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"}, {MS_LAZYTIME, "lazytime"},
        {MS_MANDLOCK, "mand"},    {MS_SILENT, "silent"},   {MS_I_VERSION, "iversion"},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if ((ms & map[i].flag) && sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, map[i].key, NULL, 0) < 0)
            return -errno;
    return 0;
}

/* The filesystem options: "key=value" → string, "key" → flag. */
static int
config_data(int fsfd, const char *data, char **ret_bad)
{
    _cleanup_free_ char *copy = data ? xstrdup(data) : NULL;
    char *save = NULL;

    for (char *opt = copy ? strtok_r(copy, ",", &save) : NULL; opt;
         opt = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(opt, '=');
        int rc;

        if (eq) {
            *eq = '\0';
            rc = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
            *eq = '=';
        } else {
            rc = sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
        }
        if (rc < 0) {
            *ret_bad = xstrdup(opt);
            return -errno;
        }
    }
    return 0;
}

/* The kernel explains fsconfig failures through the fs context fd. */
static void
read_fs_log(int fsfd, char *buf, size_t size)
{
    ssize_t n;

    buf[0] = '\0';
    n = read(fsfd, buf, size - 1);
    if (n > 0) {
        buf[n] = '\0';
        if (buf[n - 1] == '\n')
            buf[n - 1] = '\0';
    } else {
        buf[0] = '\0';
    }
}

static int
mount_new_fs(const char *type, const char *source, const struct mount_plan *plan, int dest_fd,
             struct error **err)
{
    _cleanup_close_ int fsfd = -1;
    _cleanup_close_ int mfd = -1;
    _cleanup_free_ char *bad = NULL;
    char log[512];
    uint64_t attr = ms_to_attr(plan->flags);
    int rc;

    fsfd = sys_fsopen(type, FSOPEN_CLOEXEC);
    if (fsfd < 0)
        return error_set(err, errno, "fsopen '%s'", type);
    rc = config_data(fsfd, plan->data, &bad);
    if (rc < 0) {
        read_fs_log(fsfd, log, sizeof(log));
        return error_set(err, -rc, "option '%s'%s%s", bad, log[0] ? ": " : "", log);
    }
    rc = config_sb_flags(fsfd, plan->flags);
    if (rc == 0 && source && source[0]
        && sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
        rc = -errno;
    if (rc == 0 && sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        rc = -errno;
    if (rc < 0) {
        read_fs_log(fsfd, log, sizeof(log));
        return error_set(err, -rc, "mount %s%s%s", type, log[0] ? ": " : "", log);
    }
    /* With tmpcopyup the tmpfs is filled while detached and writable, and
     * only then made read-only (if asked) and attached. */
    mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC,
                      (unsigned)(plan->copy_up ? attr & ~(uint64_t)MOUNT_ATTR_RDONLY : attr));
    if (mfd < 0)
        return error_set(err, errno, "fsmount %s", type);
    if (plan->copy_up) {
        rc = copyup_tree_at(dest_fd, mfd, err);
        if (rc == 0 && (attr & MOUNT_ATTR_RDONLY))
            rc = mount_setattr_fd(mfd, false, MOUNT_ATTR_RDONLY, 0, err);
        if (rc < 0)
            return rc;
    }
    return attach(mfd, dest_fd, err);
}

/* The host's cgroup v2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
 * hybrid hosts; NULL if there is none. */
static const char *
host_cgroup2_path(void)
{
    struct stat st;
    static const char *const candidates[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};

    for (size_t i = 0; i < 2; i++) {
        char probe[64];
        snprintf(probe, sizeof(probe), "%s/cgroup.controllers", candidates[i]);
        if (stat(probe, &st) == 0)
            return candidates[i];
    }
    return NULL;
}

/* Remove "gid=N" from the data: in a user namespace where gid N is not
 * mapped, devpts refuses it (runc's rootless spec leaves it out too). */
static bool
drop_gid_option(struct mount_plan *plan)
{
    char *p;

    if (plan->data == NULL || (p = strstr(plan->data, "gid=")) == NULL)
        return false;
    if (p != plan->data && p[-1] != ',')
        return false;
    {
        char *end = strchr(p, ',');
        if (end)
            memmove(p, end + 1, strlen(end + 1) + 1);
        else if (p != plan->data)
            p[-1] = '\0';
        else
            p[0] = '\0';
    }
    if (plan->data[0] == '\0') {
        free(plan->data);
        plan->data = NULL;
    }
    return true;
}

static int
apply_fs(const struct spec_mount *m, struct mount_plan *plan, int dest_fd,
         const struct mount_env *env, struct error **err)
{
    const char *type = m->type;
    struct error *first = NULL;
    const char *fallback = NULL;
    int rc;

    if (strcmp(type, "cgroup") == 0)
        type = "cgroup2"; /* berth is cgroup v2 only */
    rc = mount_new_fs(type, m->source, plan, dest_fd, &first);
    if (rc == 0)
        return 0;

    /* Fallbacks that runc also makes, each for a mount the kernel refuses
     * in a user namespace that does not own the matching namespace. */
    if (strcmp(type, "devpts") == 0 && rc == -EINVAL && drop_gid_option(plan)) {
        error_free(&first);
        return mount_new_fs(type, m->source, plan, dest_fd, err);
    }
    if (rc == -EPERM || rc == -EBUSY || rc == -EACCES) {
        if (strcmp(type, "sysfs") == 0)
            fallback = "/sys";
        else if (strcmp(type, "mqueue") == 0)
            fallback = "/dev/mqueue";
        else if (strcmp(type, "cgroup2") == 0)
            fallback = host_cgroup2_path();
    }
    (void)env;
    if (fallback == NULL) {
        *err = first;
        return rc;
    }
    error_free(&first);
    return mount_bind_fd(fallback, dest_fd, true,
                         ms_to_attr(plan->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)),
                         err);
}

/* An idmapped mount comes as a tree the parent made (IDMAP_TREE, see
 * runtime/idmap.h), otherwise it is cloned here. */
static int
apply_bind(const struct spec_mount *m, const struct mount_plan *plan, int idmap_tree, int dest_fd,
           const struct mount_env *env, struct error **err)
{
    _cleanup_close_ int mfd = -1;
    uint64_t set, clr;
    int rc;

    if (m->source == NULL)
        return error_setx(err, EINVAL, "bind mount without a source");
    if (idmap_tree >= 0)
        mfd = fcntl(idmap_tree, F_DUPFD_CLOEXEC, 3);
    else
        /* A relative source from the cwd, the bundle as init's mount
         * namespace sees it (env->bundle_fd is the parent's: EINVAL). */
        mfd = sys_open_tree(AT_FDCWD, m->source,
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                | (plan->recursive ? AT_RECURSIVE : 0));
    (void)env;
    if (mfd < 0)
        return error_set(err, errno, "source '%s'", m->source);
    /* The flags of a bind remount affect the top mount only, as with
     * mount(2) MS_REMOUNT|MS_BIND; the "r" options go to every submount. */
    set = ms_to_attr(plan->flags);
    clr = ms_to_attr(plan->clear);
    if (sets_atime(plan->flags))
        clr |= MOUNT_ATTR__ATIME;
    rc = mount_setattr_fd(mfd, false, set, clr & ~set, err);
    if (rc < 0)
        return rc;
    rc = mount_setattr_fd(mfd, true, plan->attr_set, plan->attr_clr, err);
    if (rc < 0)
        return error_wrap(err, "recursive options");
    return attach(mfd, dest_fd, err);
}

static bool
source_is_dir(const struct spec_mount *m, const struct mount_env *env)
{
    struct stat st;
    int dfd = m->source && m->source[0] == '/' ? AT_FDCWD : env->bundle_fd;

    if (m->source == NULL || fstatat(dfd, m->source, &st, 0) < 0)
        return true; /* let the bind report the missing source */
    return S_ISDIR(st.st_mode);
}

int
mount_apply_at(int rootfd, const struct spec_mount *m, size_t index, const struct mount_env *env,
               struct error **err)
{
    struct mount_plan plan;
    _cleanup_close_ int dest = -1;
    int idmap_tree = -1;
    bool is_bind;
    int rc;

    rc = mount_plan_build(m, &plan, err);
    if (rc < 0)
        return error_wrap(err, "mounts[%zu]", index);
    is_bind = plan.kind == MOUNT_KIND_BIND;
    if (plan.idmap) {
        /* Made by the parent (runtime/idmap.h): only it may idmap a host
         * filesystem.  create refuses idmap on anything but a bind mount. */
        idmap_tree = env->idmap_fds != NULL ? env->idmap_fds[index] : -1;
        if (idmap_tree < 0 || !is_bind) {
            mount_plan_free(&plan);
            return error_setx(err, EPROTO,
                              "mounts[%zu] (destination \"%s\"): no idmapped bind mount from the "
                              "parent",
                              index, m->destination);
        }
    }
    if (!is_bind && (m->type == NULL || m->type[0] == '\0')) {
        mount_plan_free(&plan);
        return error_setx(err, EINVAL, "mounts[%zu] (destination \"%s\"): no type", index,
                          m->destination);
    }
    dest = mount_ensure_dest_at(rootfd, m->destination, !is_bind || source_is_dir(m, env), err);
    if (dest < 0) {
        mount_plan_free(&plan);
        return error_wrap(err, "mounts[%zu]", index);
    }
    rc = is_bind ? apply_bind(m, &plan, idmap_tree, dest, env, err)
                 : apply_fs(m, &plan, dest, env, err);
    if (rc == 0 && plan.propagation) {
        /* Propagation of the mount now attached at the destination. */
        _cleanup_close_ int at = fd_open_in_root(rootfd, m->destination, O_PATH, 0);
        struct mount_attr attr = {.propagation = plan.propagation & ~(unsigned long)MS_REC};

        if (at < 0)
            rc = error_set(err, -at, "reopen");
        else if (sys_mount_setattr(at, "",
                                   AT_EMPTY_PATH | ((plan.propagation & MS_REC) ? AT_RECURSIVE : 0),
                                   &attr)
                 < 0)
            rc = error_set(err, errno, "set propagation");
    }
    mount_plan_free(&plan);
    if (rc < 0)
        return error_wrap(err, "mounts[%zu] (destination \"%s\")", index, m->destination);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The container's cgroup: decide, create, enable controllers, write the
 * plan, remove.  config-linux.md "Control groups". */
#include "runtime/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

#define CGROUP_FILE_MAX (1u << 20)

/* FILE of the cgroup directory DIRFD, its trailing newline cut; NULL when
 * unreadable. */
static char *
read_line_at(int dirfd, const char *file)
{
    char *buf = NULL;

    if (fd_read_file_at(dirfd, file, CGROUP_FILE_MAX, &buf, NULL) < 0)
        return NULL;
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

static char *
read_line(const char *dir, const char *file)
{
    _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

    return fd < 0 ? NULL : read_line_at(fd, file);
}

static const char *
or_none(const char *list)
{
    return list && *list ? list : "none";
}

/* ---- deciding ---- */

static char *
not_applied_warning(const struct cgroup_plan *plan, bool with_devices, const char *why)
{
    _cleanup_free_ char *fields = cgroup_plan_fields(plan, with_devices);

    return xasprintf("%s, so berth runs the container without a cgroup, and these limits are "
                     "not applied: %s",
                     why, fields);
}

int
cgroup_prepare(const struct spec *s, const char *id, bool rootless, struct cgroup_setup *ret,
               char **ret_warning, struct error **err)
{
    const struct spec_linux *l = s->linux_;
    const char *cgpath = l ? l->cgroups_path : NULL;
    bool explicit_path = cgpath != NULL && *cgpath != '\0';
    const char *mnt = cgroup_mount();
    _cleanup_free_ char *own = NULL;
    _cleanup_free_ char *near = NULL;
    bool has_limits;
    int rc;

    memset(ret, 0, sizeof(*ret));
    ret->dirfd = -1;
    ret->rootless = rootless;
    *ret_warning = NULL;
    rc = cgroup_plan_build(l ? l->resources : NULL, &ret->plan, err);
    if (rc < 0)
        return rc;
    /* A user namespace cannot have a device program (it needs
     * CAP_SYS_ADMIN in the initial one), nor can it create device nodes:
     * the device list is not a limit there. */
    has_limits = !cgroup_plan_is_empty(&ret->plan, !rootless);
    if (mnt == NULL) {
        const char *why = "this host has no cgroup2 filesystem at /sys/fs/cgroup or "
                          "/sys/fs/cgroup/unified, and berth supports cgroup v2 only";
        if (explicit_path)
            return error_setx(err, EOPNOTSUPP, "linux.cgroupsPath: %s", why);
        if (has_limits && !rootless) {
            _cleanup_free_ char *fields = cgroup_plan_fields(&ret->plan, true);
            return error_setx(err, EOPNOTSUPP, "%s: %s", fields, why);
        }
        if (has_limits)
            *ret_warning = not_applied_warning(&ret->plan, false, why);
        return 0;
    }
    own = cgroup_own_path();
    ret->path = cgroup_resolve(mnt, own, cgpath, id, err);
    if (ret->path == NULL)
        return -EINVAL;
    ret->mount = mnt;
    if (!rootless)
        return 0;
    /* DESIGN.md "Cgroups": without delegation, carry on without a cgroup
     * and say which limits are not applied; with an explicit cgroupsPath,
     * it is an error. */
    near = cgroup_nearest_existing(mnt, ret->path);
    if (cgroup_is_delegated(near))
        return 0;
    if (explicit_path)
        return error_setx(err, EACCES,
                          "linux.cgroupsPath: cannot create the cgroup '%s': '%s' is not "
                          "delegated to uid %u (run berth in a delegated cgroup, e.g. with "
                          "systemd-run --user --scope -p Delegate=yes)",
                          ret->path, near, (unsigned)geteuid());
    if (has_limits) {
        _cleanup_free_ char *why =
            xasprintf("the cgroup '%s' is not delegated to uid %u", near, (unsigned)geteuid());
        *ret_warning = not_applied_warning(&ret->plan, false, why);
    }
    free(ret->path);
    ret->path = NULL;
    ret->mount = NULL;
    return 0;
}

void
cgroup_setup_free(struct cgroup_setup *cg)
{
    if (cg->dirfd >= 0)
        close(cg->dirfd);
    cg->dirfd = -1;
    free(cg->path);
    cg->path = NULL;
    cgroup_plan_free(&cg->plan);
}

/* ---- controllers ---- */

static int
write_str_at(int dirfd, const char *file, const char *value)
{
    _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0)
        return -errno;
    return fd_write_all(fd, value, strlen(value));
}

/* The controllers the plan requires: those of its fields.  A unified key's
 * controller is only wanted: its file may exist without it. */
static char *
required_controllers(const struct cgroup_plan *plan)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < plan->n; i++) {
        const char *c = plan->writes[i].controller;
        char *next;

        if (c == NULL || plan->writes[i].unified || cgroup_list_has(out, c))
            continue;
        next = xasprintf("%s%s%s", out, *out ? " " : "", c);
        free(out);
        out = next;
    }
    return out;
}

static int
enable_one_level(const char *dir, const char *available, const char *required,
                 const struct cgroup_plan *plan, struct error **err)
{
    _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_free_ char *have = NULL;
    _cleanup_free_ char *ctl = xasprintf("%s/cgroup.subtree_control", dir);
    _cleanup_free_ char *avail = xstrdup(available);
    char *save = NULL;
    bool writable;

    if (dfd < 0)
        return error_set(err, errno, "cgroup '%s'", dir);
    have = read_line_at(dfd, "cgroup.subtree_control");
    if (have == NULL)
        have = xstrdup("");
    writable = faccessat(dfd, "cgroup.subtree_control", W_OK, AT_EACCESS) == 0;
    for (char *c = strtok_r(avail, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
        _cleanup_free_ char *plus = xasprintf("+%s", c);
        int rc;

        if (cgroup_list_has(have, c))
            continue;
        rc = writable ? write_str_at(dfd, "cgroup.subtree_control", plus) : -EACCES;
        if (rc < 0 && cgroup_list_has(required, c)) {
            const char *field = cgroup_plan_field_of(plan, c);
            /* EBUSY: cgroup v2's "no internal processes" rule. */
            return error_set(err, -rc, "%s: cannot enable the %s controller in '%s'%s", field, c,
                             ctl,
                             rc == -EBUSY ? " (that cgroup holds processes, and a cgroup with "
                                            "processes cannot enable controllers for children)"
                                          : "");
        }
    }
    return 0;
}

/* Every controller the plan requires is bound to this hierarchy: checked
 * before anything is made, so that a limit whose controller is missing (a
 * hybrid host binds most of them to v1) fails cleanly. */
static int
check_available(const char *mnt, const char *available, const struct cgroup_plan *plan,
                struct error **err)
{
    _cleanup_free_ char *required = required_controllers(plan);
    char *save = NULL;

    for (char *c = strtok_r(required, " ", &save); c; c = strtok_r(NULL, " ", &save))
        if (!cgroup_list_has(available, c))
            return error_setx(err, EOPNOTSUPP,
                              "%s: the %s controller is not available in the cgroup v2 "
                              "hierarchy at '%s' (available: %s)",
                              cgroup_plan_field_of(plan, c), c, mnt, or_none(available));
    return 0;
}

/* config-linux.md "Unified": "The OCI runtime MUST ensure that the needed
 * cgroup controllers are enabled for the cgroup." */
int
cgroup_enable_controllers(const char *mnt, const char *path, const struct cgroup_plan *plan,
                          struct error **err)
{
    _cleanup_free_ char *available = read_line(mnt, "cgroup.controllers");
    _cleanup_free_ char *required = required_controllers(plan);
    _cleanup_free_ char *dir = xstrdup(mnt);
    const char *rest = path + strlen(mnt);
    int rc;

    if (available == NULL)
        return error_set(err, errno, "read '%s/cgroup.controllers'", mnt);
    rc = check_available(mnt, available, plan, err);
    if (rc < 0)
        return rc;
    /* From the top down to the leaf's parent: a controller is available
     * to a cgroup only when its parent enabled it. */
    for (;;) {
        size_t len;
        char *next;

        rest += strspn(rest, "/");
        len = strcspn(rest, "/");
        if (len == 0)
            break;
        rc = enable_one_level(dir, available, required, plan, err);
        if (rc < 0)
            return rc;
        next = xasprintf("%s/%.*s", dir, (int)len, rest);
        free(dir);
        dir = next;
        rest += len;
    }
    return 0;
}

/* ---- creating ---- */

/* Make every missing directory of CG->path below the mount, remembering
 * where the ones we made start. */
static int
make_path(struct cgroup_setup *cg, struct error **err)
{
    _cleanup_close_ int fd = open(cg->mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
    const char *p = cg->path + strlen(cg->mount);

    if (fd < 0)
        return error_set(err, errno, "cgroup mount '%s'", cg->mount);
    cg->first_created = 0;
    cg->created_leaf = false;
    while (*p) {
        _cleanup_free_ char *name = NULL;
        size_t len;
        int next;

        p += strspn(p, "/");
        len = strcspn(p, "/");
        if (len == 0)
            break;
        name = xstrndup(p, len);
        next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
                return error_set(err, errno, "linux.cgroupsPath: create the cgroup '%.*s'",
                                 (int)(p + len - cg->path), cg->path);
            if (cg->first_created == 0)
                cg->first_created = (size_t)(p - cg->path) + len;
            cg->created_leaf = p[len] == '\0' || p[len + strspn(p + len, "/")] == '\0';
            next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (next < 0)
            return error_set(err, errno, "linux.cgroupsPath: cgroup '%.*s'",
                             (int)(p + len - cg->path), cg->path);
        close(fd);
        fd = next;
        p += len;
    }
    return 0;
}

/* config-linux.md "Control groups": a runtime MAY check whether the cgroup
 * is fit for purpose, and MUST generate an error if not, for example "a
 * frozen cgroup or (for create) a non-empty cgroup": another container's
 * processes would be limited, frozen and killed with ours. */
static int
check_reused(const char *path, struct error **err)
{
    if (cgroup_is_populated(path))
        return error_setx(err, EBUSY, "linux.cgroupsPath: the cgroup '%s' already has processes",
                          path);
    if (cgroup_is_frozen(path))
        return error_setx(err, EBUSY, "linux.cgroupsPath: the cgroup '%s' is frozen", path);
    return 0;
}

int
cgroup_create(struct cgroup_setup *cg, const struct spec *s, struct error **err)
{
    const struct spec_linux *l = s->linux_;
    _cleanup_free_ char *available = NULL;
    int rc;

    if (cg->path == NULL)
        return 0;
    available = read_line(cg->mount, "cgroup.controllers");
    if (available == NULL)
        return error_set(err, errno, "read '%s/cgroup.controllers'", cg->mount);
    rc = check_available(cg->mount, available, &cg->plan, err);
    if (rc < 0)
        return rc;
    rc = make_path(cg, err);
    if (rc == 0 && !cg->created_leaf)
        rc = check_reused(cg->path, err);
    cg->owned = rc == 0;
    if (rc == 0)
        rc = cgroup_enable_controllers(cg->mount, cg->path, &cg->plan, err);
    if (rc == 0) {
        cg->dirfd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->dirfd < 0)
            rc = error_set(err, errno, "cgroup '%s'", cg->path);
    }
    if (rc == 0)
        rc = cgroup_apply(cg->dirfd, cg->path, &cg->plan, err);
    if (rc == 0 && cg->plan.devices && !cg->rootless) {
        rc = cgroup_devices_apply(cg->dirfd, l->resources, l, err);
        if (rc < 0)
            error_wrap(err, "linux.resources.devices");
    }
    if (rc < 0)
        cgroup_abandon(cg);
    return rc;
}

/* ---- applying ---- */

static int
write_value(int fd, const struct cgroup_write *w, const char *value)
{
    const char *p = value;

    if (!w->per_line)
        return fd_write_all(fd, value, strlen(value));
    /* io.max, rdma.max and the like take one entry per write(2). */
    while (*p) {
        size_t len = strcspn(p, "\n");
        if (len > 0) {
            ssize_t n = write(fd, p, len);
            if (n < 0)
                return -errno;
        }
        p += len;
        p += *p == '\n';
    }
    return 0;
}

/* config-linux.md "Unified": "The runtime MUST generate an error when the
 * configuration refers to a cgroup controller that is not present or that
 * cannot be enabled"; so do berth's own fields. */
static int
missing_file(int dirfd, const char *path, const struct cgroup_write *w, struct error **err)
{
    _cleanup_free_ char *have = NULL;

    if (w->controller != NULL) {
        have = read_line_at(dirfd, "cgroup.controllers");
        if (have != NULL && !cgroup_list_has(have, w->controller))
            return error_setx(err, EOPNOTSUPP,
                              "%s: the %s controller is not available in '%s' (available: %s)",
                              w->field, w->controller, path, or_none(have));
    }
    return error_setx(err, ENOENT, "%s: the cgroup '%s' has no file '%s'", w->field, path, w->file);
}

int
cgroup_apply(int dirfd, const char *path, const struct cgroup_plan *plan, struct error **err)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct cgroup_write *w = &plan->writes[i];
        const char *file = w->file, *value = w->value;
        _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        int rc;

        if (fd < 0 && errno == ENOENT && w->alt_file != NULL) {
            file = w->alt_file;
            value = w->alt_value;
            fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        }
        if (fd < 0 && errno == ENOENT && w->optional)
            continue;
        if (fd < 0 && errno == ENOENT)
            return missing_file(dirfd, path, w, err);
        if (fd < 0)
            return error_set(err, errno, "%s: open '%s/%s'", w->field, path, file);
        rc = write_value(fd, w, value);
        if (rc < 0)
            return error_set(err, -rc, "%s: write '%s' to '%s/%s'", w->field, value, path, file);
    }
    return 0;
}

/* ---- placing init ---- */

pid_t
cgroup_clone3(unsigned long flags, const struct cgroup_setup *cg)
{
    struct clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
    _cleanup_free_ char *own = NULL;
    _cleanup_free_ char *back = NULL;
    pid_t pid;
    int saved;

    if (cg == NULL || cg->dirfd < 0)
        return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    /* BERTH_NO_CLONE_INTO_CGROUP=1: the fallback, for the tests. */
    if (getenv("BERTH_NO_CLONE_INTO_CGROUP") == NULL) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cg->dirfd;
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        /* Before Linux 5.7: E2BIG (a clone_args larger than the kernel
         * knows) or EINVAL (an unknown flag). */
        if (pid >= 0 || (errno != E2BIG && errno != EINVAL))
            return pid;
    }
    args.flags = flags;
    args.cgroup = 0;
    own = cgroup_own_path();
    if (own == NULL) {
        errno = ENOENT;
        return -1;
    }
    back = xasprintf("%s%s", cg->mount, strcmp(own, "/") == 0 ? "" : own);
    /* "0" moves the writer. */
    if (write_str_at(cg->dirfd, "cgroup.procs", "0") < 0)
        return -1;
    pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    if (pid != 0) {
        _cleanup_close_ int bfd = open(back, O_PATH | O_DIRECTORY | O_CLOEXEC);

        saved = errno;
        if (bfd >= 0)
            (void)write_str_at(bfd, "cgroup.procs", "0");
        errno = saved;
    }
    return pid;
}

/* ---- removing ---- */

static void
sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Remove the cgroup DIRFD/NAME and every cgroup below it (the container
 * may have made its own with a cgroup namespace), deepest first. */
static int
remove_tree_at(int pfd, const char *name, int depth)
{
    _cleanup_close_ int fd = -1;
    DIR *d;
    struct dirent *de;

    if (depth > 64)
        return -ELOOP;
    fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    d = fdopendir(TAKE_FD(fd));
    if (d == NULL)
        return -errno;
    while ((de = readdir(d)) != NULL)
        if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            remove_tree_at(dirfd(d), de->d_name, depth + 1);
    closedir(d);
    if (unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int
cgroup_remove(const char *path, struct error **err)
{
    _cleanup_free_ char *parent = xstrdup(path);
    char *slash = strrchr(parent, '/');
    _cleanup_close_ int pfd = -1;
    struct error *ignored = NULL;
    int rc = 0;

    if (slash == NULL || slash == parent)
        return error_setx(err, EINVAL, "cgroup '%s': not a cgroup below a mount", path);
    *slash = '\0';
    pfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (pfd < 0)
        return errno == ENOENT ? 0 : error_set(err, errno, "cgroup '%s'", parent);
    if (faccessat(pfd, slash + 1, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
        return 0;
    /* A stopped container's init is gone, but not necessarily all it
     * started (without a pid namespace, a daemon survives it). */
    if (cgroup_is_populated(path) && cgroup_signal_all(path, SIGKILL, &ignored) < 0)
        error_free(&ignored);
    /* Killed processes leave the cgroup as they exit, not at once: the
     * kernel refuses rmdir (EBUSY) meanwhile. */
    for (int i = 0; i < 200; i++) {
        rc = remove_tree_at(pfd, slash + 1, 0);
        if (rc != -EBUSY)
            break;
        sleep_ms(i < 20 ? 5 : 50);
    }
    if (rc < 0)
        return error_set(err, -rc, "remove the cgroup '%s'", path);
    return 0;
}

void
cgroup_abandon(struct cgroup_setup *cg)
{
    struct error *ignored = NULL;

    if (cg->path == NULL)
        return;
    if (cg->dirfd >= 0) {
        close(cg->dirfd);
        cg->dirfd = -1;
    }
    /* A cgroup found populated is another's: left alone. */
    if (cg->owned && cg->created_leaf) {
        if (cgroup_remove(cg->path, &ignored) < 0)
            error_free(&ignored);
    } else if (cg->owned) {
        /* Found empty: only what init left in it goes. */
        if (cgroup_is_populated(cg->path) && cgroup_signal_all(cg->path, SIGKILL, &ignored) < 0)
            error_free(&ignored);
    }
    /* The parents create made, deepest first; one that another container
     * uses by now is not empty, and stays. */
    if (cg->first_created > 0) {
        _cleanup_free_ char *dir = xstrdup(cg->path);
        char *slash;

        while ((slash = strrchr(dir, '/')) != NULL && (size_t)(slash - dir) >= cg->first_created) {
            *slash = '\0';
            if (rmdir(dir) < 0 && errno != ENOENT)
                break;
        }
    }
}

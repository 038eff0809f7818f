/* SPDX-License-Identifier: Apache-2.0 */
/* Where the container's cgroup goes: the cgroup v2 mount, our own cgroup,
 * and linux.cgroupsPath (config-linux.md "Cgroups Path"). */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

const char *
cgroup_mount(void)
{
    static const char *const candidates[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    struct statfs sfs;

    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (statfs(candidates[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
            return candidates[i];
    return NULL;
}

char *
cgroup_own_path(void)
{
    _cleanup_free_ char *buf = NULL;
    const char *line;

    if (fd_read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL) < 0)
        return NULL;
    for (line = buf; line && *line;) {
        if (strncmp(line, "0::", 3) == 0)
            return xstrndup(line + 3, strcspn(line + 3, "\n"));
        line = strchr(line, '\n');
        line += line != NULL;
    }
    return NULL;
}

/* Append the components of P to OUT (which ends without a '/'), dropping
 * empty and "." ones; -EINVAL on "..". */
static int
append_clean(char **out, const char *p)
{
    while (*p) {
        size_t len = strcspn(p, "/");
        char *next;

        if (len == 2 && p[0] == '.' && p[1] == '.')
            return -EINVAL;
        if (len > 0 && !(len == 1 && p[0] == '.')) {
            next = xasprintf("%s/%.*s", *out, (int)len, p);
            free(*out);
            *out = next;
        }
        p += len;
        p += *p == '/';
    }
    return 0;
}

char *
cgroup_resolve(const char *mnt, const char *own, const char *cgroups_path, const char *id,
               struct error **err)
{
    _cleanup_free_ char *out = xstrdup(mnt);
    _cleanup_free_ char *parent = NULL;
    const char *rel = cgroups_path;

    while (strlen(out) > 1 && out[strlen(out) - 1] == '/')
        out[strlen(out) - 1] = '\0';
    if (strcmp(out, "/") == 0)
        out[0] = '\0';
    /* config-linux.md "Cgroups Path": "In the case of an absolute path
     * (starting with /), the runtime MUST take the path to be relative to
     * the cgroups mount point." */
    if (rel != NULL && *rel == '/') {
        if (append_clean(&out, rel) < 0)
            goto dotdot;
        return TAKE_PTR(out);
    }
    /* systemd's "slice:prefix:name" is for --systemd-cgroup; taken as a
     * plain name it would make a cgroup nobody asked for. */
    if (rel != NULL && strchr(rel, ':') != NULL) {
        error_setx(err, EINVAL,
                   "linux.cgroupsPath: '%s' is systemd's slice:prefix:name form, and berth "
                   "does not manage cgroups through systemd",
                   rel);
        return NULL;
    }
    /* runc: relative to the parent of our own cgroup. */
    parent = xstrdup(own ? own : "/");
    if (strrchr(parent, '/') != NULL)
        *strrchr(parent, '/') = '\0';
    if (append_clean(&out, parent) < 0)
        goto dotdot;
    if (rel == NULL || *rel == '\0') {
        if (append_clean(&out, "berth") < 0 || append_clean(&out, id) < 0)
            goto dotdot;
    } else if (append_clean(&out, rel) < 0) {
        goto dotdot;
    }
    if (*out == '\0')
        return xstrdup("/");
    return TAKE_PTR(out);
dotdot:
    error_setx(err, EINVAL,
               "linux.cgroupsPath: '%s' has a '..' component, which could leave the cgroup "
               "hierarchy",
               rel && *rel ? rel : id);
    return NULL;
}

char *
cgroup_nearest_existing(const char *mnt, const char *path)
{
    char *dir = xstrdup(path);
    size_t floor = strlen(mnt);

    while (access(dir, F_OK) < 0 && strlen(dir) > floor) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL || (size_t)(slash - dir) < floor)
            break;
        *slash = '\0';
    }
    if (strlen(dir) < floor) {
        free(dir);
        dir = xstrdup(mnt);
    }
    return dir;
}

bool
cgroup_is_delegated(const char *dir)
{
    _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);

    return faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0
           && faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
}

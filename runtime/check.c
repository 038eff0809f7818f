/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`: the entry point, what we know about the caller, and the
 * helpers the groups of checks (runtime/check-*.c) share. */
#include "runtime/check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"

void
runtime_check_add(struct check *c, enum diag_level level, const char *hint, const char *path,
                  const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    diags_add(c->d, level, path, hint, "%s", msg);
    free(msg);
}

const char *
runtime_check_path(struct check *c, const char *fmt, ...)
{
    va_list ap;

    free(c->path);
    va_start(ap, fmt);
    c->path = xvasprintf(fmt, ap);
    va_end(ap);
    return c->path;
}

bool
runtime_check_creates_ns(const struct check *c, int type)
{
    return c->ns[type] >= 0 && c->s->linux_->namespaces[c->ns[type]].path == NULL;
}

/* The next component of *P ("" and "." skipped), or NULL at the end. */
static const char *
next_component(const char **p, size_t *ret_len)
{
    for (;;) {
        const char *s = *p + strspn(*p, "/");
        size_t n = strcspn(s, "/");

        *p = s + n;
        if (n == 0)
            return NULL;
        if (n == 1 && s[0] == '.')
            continue;
        *ret_len = n;
        return s;
    }
}

/* Whether DIR is PATH or a parent of it, comparing components (both taken
 * from the container's "/"; ".." is left alone, as mounts resolve it). */
static bool
path_is_under(const char *path, const char *dir)
{
    for (;;) {
        size_t nd, np;
        const char *d = next_component(&dir, &nd);
        const char *p = next_component(&path, &np);

        if (d == NULL)
            return true;
        if (p == NULL || nd != np || memcmp(d, p, nd) != 0)
            return false;
    }
}

long
runtime_check_mount_covering(const struct check *c, const char *path, size_t n)
{
    for (size_t i = 0; i < n && i < c->s->n_mounts; i++) {
        const char *dest = c->s->mounts[i].destination;

        if (dest != NULL && path_is_under(path, dest))
            return (long)i;
    }
    return -1;
}

char *
runtime_check_read_file(const char *path)
{
    char *buf;
    size_t len;

    if (fd_read_file_at(AT_FDCWD, path, 1u << 20, &buf, &len) < 0)
        return NULL;
    return buf;
}

char *
runtime_check_host_which(const char *name)
{
    const char *path = getenv("PATH");

    if (path == NULL || *path == '\0')
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");

        if (n > 0) {
            char *file = xasprintf("%.*s/%s", (int)n, path, name);
            struct stat st;

            if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
                return file;
            free(file);
        }
        path += n;
        path += *path == ':';
    }
    return NULL;
}

DEFINE_CLEANUP_FUNC(cap_t, cap_free)

static bool
has_effective_cap(cap_t caps, cap_value_t cap)
{
    cap_flag_value_t v = CAP_CLEAR;

    return caps != NULL && cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

/* The initial user namespace maps every id to itself: "0 0 4294967295". */
static bool
in_init_userns(void)
{
    _cleanup_free_ char *map = runtime_check_read_file("/proc/self/uid_map");
    unsigned long inside, outside, count;

    if (map == NULL)
        return true; /* no user namespaces in this kernel */
    return sscanf(map, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && outside == 0
           && count == 4294967295UL && strchr(map, '\n') == map + strlen(map) - 1;
}

static void
learn_caller(struct check *c)
{
    _cleanup_(cap_freep) cap_t caps = cap_get_proc();

    c->uid = geteuid();
    c->gid = getegid();
    c->rootless = c->uid != 0;
    c->init_userns = in_init_userns();
    c->cap_sys_admin = has_effective_cap(caps, CAP_SYS_ADMIN);
    c->cap_net_admin = has_effective_cap(caps, CAP_NET_ADMIN);
    c->cap_sys_resource = has_effective_cap(caps, CAP_SYS_RESOURCE) && c->init_userns;
}

static void
learn_namespaces(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;

    for (int t = 0; t < SPEC_NS__COUNT; t++)
        c->ns[t] = -1;
    for (size_t i = 0; l != NULL && i < l->n_namespaces; i++) {
        int t = l->namespaces[i].type;

        if (t > SPEC_NS_UNSET && t < SPEC_NS__COUNT && c->ns[t] < 0)
            c->ns[t] = (long)i;
    }
}

/* config.md "Root": "A directory MUST exist at the path declared by the
 * field"; a relative path is relative to the bundle. */
static void
check_root(struct check *c)
{
    const char *path = c->s->root ? c->s->root->path : NULL;
    const char *rel;
    int fd;

    if (path == NULL || *path == '\0')
        return; /* spec_validate reports a missing root */
    rel = path[0] == '/' ? "" : " (relative to the bundle directory)";
    fd = openat(c->bundle_dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        c->rootfd = fd;
        return;
    }
    if (errno == ENOENT)
        check_error(c, "create the root filesystem there, e.g. unpack an image with berth-image",
                    "root.path", "'%s' does not exist%s", path, rel);
    else if (errno == ENOTDIR)
        check_error(c, NULL, "root.path", "'%s' is not a directory%s", path, rel);
    else
        check_error(c, NULL, "root.path", "cannot open '%s'%s: %s", path, rel, strerror(errno));
}

size_t
runtime_check_bundle(int bundle_dirfd, const struct spec *s, struct diags *diags)
{
    struct check c = {.bundle_dirfd = bundle_dirfd, .rootfd = -1, .s = s, .d = diags};
    size_t errors = diags->n_errors;

    learn_caller(&c);
    learn_namespaces(&c);
    check_root(&c);
    /* config.md leaves process optional (for a container that only holds
     * namespaces), but create has nothing to start without one, and berth
     * needs at least its own mount namespace. */
    if (s->process == NULL)
        check_error(&c, "berth spec writes a config with one", "process",
                    "berth needs a process to create a container");
    if (s->linux_ == NULL)
        check_error(&c, "berth spec writes a config with one", "linux",
                    "berth needs a linux section with at least a mount namespace");
    runtime_check_process(&c);
    runtime_check_hooks(&c);
    if (s->linux_ != NULL) {
        runtime_check_ids(&c);
        runtime_check_namespaces(&c);
    }
    runtime_check_mounts(&c);
    if (s->linux_ != NULL) {
        runtime_check_seccomp(&c);
        runtime_check_cgroups(&c);
    }
    free(c.path);
    if (c.rootfd >= 0)
        close(c.rootfd);
    return diags->n_errors - errors;
}

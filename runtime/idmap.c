/* SPDX-License-Identifier: Apache-2.0 */
/* Idmapped mounts: the parent makes them as detached trees, init attaches
 * them.  See runtime/idmap.h for the direction of the mappings and why the
 * parent is the one who can make them. */
#include "runtime/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/mount.h>
#include <linux/sched.h>

#include "bundle/validate.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/mount-opts.h"
#include "runtime/sync.h"
#include "runtime/userns.h"

/* ---- deciding (pure) ---- */

bool
idmap_is_idmapped(const struct spec_mount *m)
{
    if (m->uid_mappings != NULL || m->gid_mappings != NULL)
        return true;
    for (size_t i = 0; i < m->options.n; i++)
        if (strcmp(m->options.items[i], "idmap") == 0 || strcmp(m->options.items[i], "ridmap") == 0)
            return true;
    return false;
}

bool
idmap_wanted(const struct spec *s)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (idmap_is_idmapped(&s->mounts[i]))
            return true;
    return false;
}

static bool
has_own_mappings(const struct spec_mount *m)
{
    return m->uid_mappings != NULL || m->gid_mappings != NULL;
}

const char *
idmap_refusal(const struct spec *s, size_t i, bool privileged)
{
    const struct spec_mount *m = &s->mounts[i];

    if (!idmap_is_idmapped(m))
        return NULL;
    /* As runc: MOUNT_ATTR_IDMAP applies to a mount of an existing tree. */
    if (!bundle_mount_is_bind(m))
        return "idmapped mounts are supported on bind mounts only (add \"bind\" or \"rbind\" to "
               "options)";
    /* config.md "idmap": "If there are no uidMappings and gidMappings
     * specified and the container isn't using user namespaces, an error
     * MUST be returned." */
    if (!has_own_mappings(m) && bundle_find_namespace(s, SPEC_NS_USER) == NULL)
        return "\"idmap\" without uidMappings and gidMappings takes the container's user "
               "namespace, and the container has none";
    if (!privileged)
        return "an idmapped mount needs berth to run as root in the initial user namespace (the "
               "kernel idmaps a mount only for a caller with CAP_SYS_ADMIN over its "
               "filesystem, and a host filesystem belongs to the initial user namespace)";
    return NULL;
}

static bool
same_maps(const struct spec_id_mapping *a, size_t na, const struct spec_id_mapping *b, size_t nb)
{
    if (na != nb || na == 0)
        return false;
    for (size_t i = 0; i < na; i++)
        if (a[i].container_id != b[i].container_id || a[i].host_id != b[i].host_id
            || a[i].size != b[i].size)
            return false;
    return true;
}

bool
idmap_same_as_container(const struct spec *s, size_t i)
{
    const struct spec_mount *m = &s->mounts[i];
    const struct spec_linux *lx = s->linux_;
    const struct spec_namespace *user = bundle_find_namespace(s, SPEC_NS_USER);

    /* Only a user namespace berth creates has linux.uidMappings as its maps. */
    if (lx == NULL || user == NULL || user->path != NULL || !has_own_mappings(m))
        return false;
    return same_maps(m->uid_mappings, m->n_uid_mappings, lx->uid_mappings, lx->n_uid_mappings)
           && same_maps(m->gid_mappings, m->n_gid_mappings, lx->gid_mappings, lx->n_gid_mappings);
}

int
idmap_check(const struct spec *s, bool rootless, struct error **err)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        const char *why = idmap_refusal(s, i, !rootless);

        if (why != NULL)
            return error_setx(err, rootless && bundle_mount_is_bind(&s->mounts[i]) ? EPERM : EINVAL,
                              "config.json: mounts[%zu]: %s", i, why);
    }
    return 0;
}

/* ---- the parent: making the trees ---- */

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

/* Only root in the initial user namespace gets here (idmap_refusal): it
 * writes any map directly, no setgroups "deny" or newuidmap. */
static int
write_map(pid_t pid, const char *file, const struct spec_id_mapping *maps, size_t n,
          struct error **err)
{
    return userns_write_map_direct(pid, file, maps, n, err);
}

/* With the holder PID in a new user namespace: write M's maps and open the
 * namespace. */
static int
map_and_open(pid_t pid, const struct spec_mount *m, struct error **err)
{
    char path[64];
    int fd, rc;

    rc = write_map(pid, "uid_map", m->uid_mappings, m->n_uid_mappings, err);
    if (rc < 0)
        return error_wrap(err, "uidMappings");
    rc = write_map(pid, "gid_map", m->gid_mappings, m->n_gid_mappings, err);
    if (rc < 0)
        return error_wrap(err, "gidMappings");
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno, "open '%s'", path);
    return fd;
}

/* A user namespace with M's uidMappings and gidMappings, as an fd.  A child
 * made with clone3(CLONE_NEWUSER) holds it while the maps are written,
 * blocked reading a pipe; closing our end lets it exit, so it is never
 * signalled, and it also goes when we die. */
static int
open_mount_userns(const struct spec_mount *m, struct error **err)
{
    struct clone_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
    int p[2], fd;
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) < 0)
        return error_set(err, errno, "pipe");
    pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    if (pid < 0) {
        int e = errno;

        close(p[0]);
        close(p[1]);
        return error_set(err, e, "clone3 a user namespace for the mappings");
    }
    if (pid == 0) {
        char c;

        close(p[1]);
        while (read(p[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(p[0]);
    fd = map_and_open(pid, m, err);
    close(p[1]);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return fd;
}

/* The user namespace that gives mounts[I] its mapping, as an fd. */
static int
open_userns_for(const struct spec *s, size_t i, pid_t init, struct error **err)
{
    char path[64];
    int fd;

    if (has_own_mappings(&s->mounts[i]) && !idmap_same_as_container(s, i))
        return open_mount_userns(&s->mounts[i], err);
    /* config.md "idmap": without mappings "the runtime MAY use the
     * container's user namespace mapping"; and with the container's own
     * mappings it is the same namespace. */
    if (init <= 0)
        return error_setx(err, EPROTO, "no container init to take the user namespace from");
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)init);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno, "the container's user namespace '%s'", path);
    return fd;
}

/* mounts[I] as a detached, idmapped tree. */
static int
make_tree(const struct spec *s, size_t i, int bundle_fd, pid_t init, struct error **err)
{
    const struct spec_mount *m = &s->mounts[i];
    struct mount_plan plan;
    _cleanup_close_ int userns = -1;
    _cleanup_close_ int tree = -1;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};
    const char *why = idmap_refusal(s, i, true);
    int rc;

    if (why != NULL)
        return error_setx(err, EINVAL, "%s", why);
    if (m->source == NULL || m->source[0] == '\0')
        return error_setx(err, EINVAL, "bind mount without a source");
    rc = mount_plan_build(m, &plan, err);
    if (rc < 0)
        return rc;
    userns = open_userns_for(s, i, init, err);
    if (userns < 0) {
        mount_plan_free(&plan);
        return userns;
    }
    /* Relative sources are relative to the bundle, as in mount.c. */
    tree = sys_open_tree(m->source[0] == '/' ? AT_FDCWD : bundle_fd, m->source,
                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (plan.recursive ? AT_RECURSIVE : 0));
    if (tree < 0) {
        mount_plan_free(&plan);
        return error_set(err, errno, "source '%s'", m->source);
    }
    attr.userns_fd = (uint64_t)userns;
    /* "ridmap" idmaps the submounts of an "rbind" too (config.md: "the
     * mapping is applied recursively"); "idmap" the top mount only. */
    rc = sys_mount_setattr(tree, "", AT_EMPTY_PATH | (plan.idmap_recursive ? AT_RECURSIVE : 0),
                           &attr);
    if (rc < 0 && errno == EINVAL)
        rc = error_set(err, EINVAL,
                       "source '%s': the kernel cannot idmap its filesystem%s (mount_setattr "
                       "MOUNT_ATTR_IDMAP)",
                       m->source,
                       plan.idmap_recursive && plan.recursive ? " or that of one of its submounts"
                                                              : "");
    else if (rc < 0)
        rc = error_set(err, errno, "source '%s': mount_setattr MOUNT_ATTR_IDMAP", m->source);
    mount_plan_free(&plan);
    if (rc < 0)
        return rc;
    return TAKE_FD(tree);
}

int
idmap_send_mounts(const struct spec *s, int bundle_fd, pid_t init, int sock, struct error **err)
{
    int rc;

    for (size_t i = 0; i < s->n_mounts; i++) {
        _cleanup_close_ int tree = -1;

        if (!idmap_is_idmapped(&s->mounts[i]))
            continue;
        tree = make_tree(s, i, bundle_fd, init, err);
        if (tree < 0)
            return error_wrap(err, "mounts[%zu] (destination \"%s\")", i, s->mounts[i].destination);
        rc = sync_send_fd(sock, SYNC_IDMAP_FD, (int64_t)i, tree);
        if (rc < 0)
            return error_set(err, -rc, "send the idmapped mount to init");
    }
    rc = sync_send(sock, SYNC_IDMAP_DONE, 0);
    if (rc < 0)
        return error_set(err, -rc, "sync");
    return 0;
}

/* ---- init: receiving them ---- */

/* Take one SYNC_IDMAP_FD (or the final SYNC_IDMAP_DONE: returns 1). */
static int
receive_one(int sock, const struct spec *s, int *fds, struct error **err)
{
    struct sync_msg msg;
    int fd = -1;
    ssize_t n = sync_recv_fd(sock, &msg, &fd);
    size_t index;

    if (n == 0)
        return error_setx(err, EPIPE, "idmapped mounts: the parent went away");
    if (n < 0)
        return error_set(err, (int)-n, "idmapped mounts: receive");
    if (msg.type == SYNC_IDMAP_DONE && fd < 0)
        return 1;
    index = (size_t)msg.value;
    if (msg.type != SYNC_IDMAP_FD || fd < 0 || msg.value < 0 || index >= s->n_mounts
        || fds[index] >= 0 || !idmap_is_idmapped(&s->mounts[index])) {
        if (fd >= 0)
            close(fd);
        return error_setx(err, EPROTO, "idmapped mounts: unexpected message %u (value %lld)",
                          msg.type, (long long)msg.value);
    }
    fds[index] = fd;
    return 0;
}

int
idmap_receive_mounts(int sock, const struct spec *s, int **ret_fds, struct error **err)
{
    int *fds;
    int rc;

    *ret_fds = NULL;
    if (!idmap_wanted(s))
        return 0;
    fds = xcalloc(s->n_mounts, sizeof(int));
    for (size_t i = 0; i < s->n_mounts; i++)
        fds[i] = -1;
    rc = sync_send(sock, SYNC_IDMAP, 0);
    if (rc < 0) {
        idmap_close_mounts(fds, s->n_mounts);
        return error_set(err, -rc, "sync");
    }
    while ((rc = receive_one(sock, s, fds, err)) == 0)
        ;
    for (size_t i = 0; rc > 0 && i < s->n_mounts; i++)
        if (idmap_is_idmapped(&s->mounts[i]) && fds[i] < 0)
            rc = error_setx(err, EPROTO, "mounts[%zu]: no idmapped mount from the parent", i);
    if (rc < 0) {
        idmap_close_mounts(fds, s->n_mounts);
        return rc;
    }
    *ret_fds = fds;
    return 0;
}

void
idmap_close_mounts(int *fds, size_t n)
{
    for (size_t i = 0; fds != NULL && i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
}

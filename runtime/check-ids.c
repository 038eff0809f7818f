/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`, user namespaces and id mappings: a new user namespace
 * needs mappings, mappings need a user namespace, an unprivileged caller
 * needs both, and every id it maps beyond its own needs newuidmap/newgidmap
 * and a range in /etc/subuid or /etc/subgid.  The process's own ids and the
 * rootfs owner must be mapped too. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"
#include "runtime/userns.h"

/* The kernel's limit on lines in uid_map/gid_map (since Linux 4.15). */
#define MAX_MAP_LINES 340

struct id_range {
    uint64_t start, count;
};

/* The ranges in SUBID_FILE ("name:start:count", the name may be the numeric
 * uid) for USER or UID.  Malformed lines are skipped, as shadow does. */
static size_t
read_subids(const char *file, const char *user, uid_t uid, struct id_range **ret)
{
    _cleanup_free_ char *buf = runtime_check_read_file(file);
    struct id_range *v = NULL;
    size_t n = 0, alloc = 0;
    char uidstr[16];

    snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)uid);
    for (char *save = NULL, *line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *end;
        unsigned long long start, count;

        if (c2 == NULL)
            continue;
        *c1 = '\0';
        if (strcmp(line, uidstr) != 0 && (user == NULL || strcmp(line, user) != 0))
            continue;
        errno = 0;
        start = strtoull(c1 + 1, &end, 10);
        if (errno || end != c2)
            continue;
        count = strtoull(c2 + 1, &end, 10);
        if (errno || (*end != '\0' && *end != ' ' && *end != '\t') || count == 0)
            continue;
        v = xgrow(v, &alloc, n, sizeof(*v));
        v[n++] = (struct id_range){start, count};
    }
    *ret = v;
    return n;
}

/* Whether the union of RANGES covers [start, start + count), which is what
 * shadow's newuidmap checks (adjacent ranges chain). */
static bool
ranges_cover(const struct id_range *ranges, size_t n, uint64_t start, uint64_t count)
{
    uint64_t pos = start, end = start + count;

    while (pos < end) {
        bool moved = false;

        for (size_t i = 0; i < n; i++) {
            if (ranges[i].start <= pos && pos < ranges[i].start + ranges[i].count) {
                pos = ranges[i].start + ranges[i].count;
                moved = true;
            }
        }
        if (!moved)
            return false;
    }
    return true;
}

static bool
id_mapped(const struct spec_id_mapping *m, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
            return true;
    return false;
}

static bool
host_id_mapped(const struct spec_id_mapping *m, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (id >= m[i].host_id && id - m[i].host_id < m[i].size)
            return true;
    return false;
}

/* "0-65535, 100000" for the container side of a mapping, for messages. */
static char *
container_ranges(const struct spec_id_mapping *m, size_t n)
{
    char *s = xstrdup("");

    for (size_t i = 0; i < n && i < 4; i++) {
        char *next;

        if (i == 3)
            next = xasprintf("%s, ...", s);
        else if (m[i].size == 1)
            next = xasprintf("%s%s%u", s, i ? ", " : "", m[i].container_id);
        else
            next = xasprintf("%s%s%u-%llu", s, i ? ", " : "", m[i].container_id,
                             (unsigned long long)m[i].container_id + m[i].size - 1);
        free(s);
        s = next;
    }
    return s;
}

/* The kernel refuses setuid/setgid/setgroups to an id with no mapping. */
static void
check_process_ids(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    const struct spec_user *u = c->s->process ? c->s->process->user : NULL;
    _cleanup_free_ char *uids = container_ranges(l->uid_mappings, l->n_uid_mappings);
    _cleanup_free_ char *gids = container_ranges(l->gid_mappings, l->n_gid_mappings);

    if (u == NULL)
        return;
    if (l->n_uid_mappings && u->has_uid && !id_mapped(l->uid_mappings, l->n_uid_mappings, u->uid))
        check_error(c, "map it in linux.uidMappings, or run the process as a mapped uid",
                    "process.user.uid",
                    "uid %u is not mapped in the user namespace (container uids mapped: %s)",
                    u->uid, uids);
    if (l->n_gid_mappings && u->has_gid && !id_mapped(l->gid_mappings, l->n_gid_mappings, u->gid))
        check_error(c, "map it in linux.gidMappings, or run the process as a mapped gid",
                    "process.user.gid",
                    "gid %u is not mapped in the user namespace (container gids mapped: %s)",
                    u->gid, gids);
    for (size_t i = 0; l->n_gid_mappings && i < u->additional_gids.n; i++) {
        uint32_t g = u->additional_gids.items[i];

        if (!id_mapped(l->gid_mappings, l->n_gid_mappings, g))
            check_error(c, "map it in linux.gidMappings, or drop it",
                        JP("process.user.additionalGids[%zu]", i),
                        "gid %u is not mapped in the user namespace (container gids mapped: %s)", g,
                        gids);
    }
}

/* A rootfs whose owner is not mapped shows up as the overflow id inside,
 * and container root cannot write to it: allowed, but rarely meant. */
static void
check_rootfs_owner(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    struct stat st;

    if (c->rootfd < 0 || (c->s->root->has_readonly && c->s->root->readonly)
        || l->n_uid_mappings == 0 || fstat(c->rootfd, &st) < 0)
        return;
    if (!host_id_mapped(l->uid_mappings, l->n_uid_mappings, st.st_uid))
        check_warning(c, "chown the rootfs to the host uid that container root maps to",
                      "root.path",
                      "'%s' is owned by host uid %u, which is not mapped in the user namespace: "
                      "inside it belongs to nobody and root cannot write to it",
                      c->s->root->path, (unsigned)st.st_uid);
}

/* newuidmap works for an unprivileged caller only when it is setuid root
 * or carries file capabilities (Fedora ships it with cap_setuid=ep). */
static bool
helper_is_privileged(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return false;
    if ((st.st_mode & S_ISUID) && st.st_uid == 0)
        return true;
    return getxattr(path, "security.capability", NULL, 0) > 0;
}

/* An unprivileged caller may write one mapping of its own id itself; any
 * other map goes through newuidmap/newgidmap, which checks each range
 * against the subordinate id file (and also allows the caller's own id). */
static void
check_rootless_map(struct check *c, bool gid, const struct spec_id_mapping *m, size_t n)
{
    const char *field = gid ? "linux.gidMappings" : "linux.uidMappings";
    const char *helper_name = gid ? "newgidmap" : "newuidmap";
    const char *file = gid ? "/etc/subgid" : "/etc/subuid";
    const char *kind = gid ? "gid" : "uid";
    uint32_t own = gid ? (uint32_t)c->gid : (uint32_t)c->uid;
    struct passwd *pw = getpwuid(c->uid);
    const char *user = pw ? pw->pw_name : NULL;
    _cleanup_free_ char *helper = NULL;
    _cleanup_free_ struct id_range *ranges = NULL;
    size_t n_ranges;

    if (n == 0 || userns_map_method(m, n, own, false, gid) != IDMAP_HELPER)
        return;
    helper = runtime_check_host_which(helper_name);
    n_ranges = read_subids(file, user, c->uid, &ranges);
    for (size_t i = 0; i < n; i++) {
        unsigned long long first = m[i].host_id, last = first + m[i].size - (m[i].size > 0);
        char hint[256];

        if (m[i].size == 1 && m[i].host_id == own)
            continue;
        if (helper == NULL) {
            check_error(
                c, "install the uidmap package, or map only your own id (berth spec --rootless)",
                JP("%s[%zu]", field, i),
                "mapping host %ss %llu-%llu needs %s, which is not installed", kind, first, last,
                helper_name);
        } else if (!helper_is_privileged(helper)) {
            check_error(c, "reinstall the uidmap package", JP("%s[%zu]", field, i),
                        "mapping host %ss %llu-%llu needs %s, but '%s' is neither setuid root nor "
                        "has file capabilities",
                        kind, first, last, helper_name, helper);
        } else if (!ranges_cover(ranges, n_ranges, first, m[i].size)) {
            snprintf(hint, sizeof(hint),
                     "as root: usermod --add-sub%ss %llu-%llu %s; or map only your own id "
                     "(berth spec --rootless)",
                     kind, first, last, user ? user : "USER");
            check_error(c, hint, JP("%s[%zu]", field, i),
                        "host %ss %llu-%llu are not delegated to %s%s%s (uid %u) in %s", kind,
                        first, last, user ? "user '" : "", user ? user : "you", user ? "'" : "",
                        (unsigned)c->uid, file);
        }
    }
}

static void
check_map_shape(struct check *c, const char *field, size_t n)
{
    if (n > MAX_MAP_LINES)
        check_error(c, NULL, field, "%zu mappings, and the kernel accepts at most %d", n,
                    MAX_MAP_LINES);
}

void
runtime_check_ids(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    const struct spec_user *u = c->s->process ? c->s->process->user : NULL;
    /* as runtime/userns.c decides: root in a user namespace other than the
     * initial one has the limits of an unprivileged user on the host */
    bool privileged = !c->rootless && c->init_userns;

    /* Mappings without a user namespace, and a user namespace with only one
     * of the two mappings, are spec_validate's. */
    if (!check_has_ns(c, SPEC_NS_USER)) {
        if (c->rootless)
            check_error(c, "berth spec --rootless writes a config with one", "linux.namespaces",
                        "an unprivileged user (uid %u) can only run a container in a user "
                        "namespace, and none is listed",
                        (unsigned)c->uid);
        return;
    }
    if (!runtime_check_creates_ns(c, SPEC_NS_USER))
        return; /* joined: the namespace has its mappings already */
    if (l->n_uid_mappings == 0 && l->n_gid_mappings == 0)
        check_error(c, "berth spec --rootless writes mappings of your own uid and gid",
                    JP("linux.namespaces[%ld]", c->ns[SPEC_NS_USER]),
                    "berth does not make up id mappings: a new user namespace needs "
                    "linux.uidMappings and linux.gidMappings");
    check_map_shape(c, "linux.uidMappings", l->n_uid_mappings);
    check_map_shape(c, "linux.gidMappings", l->n_gid_mappings);
    check_process_ids(c);
    check_rootfs_owner(c);
    if (privileged)
        return;
    check_rootless_map(c, false, l->uid_mappings, l->n_uid_mappings);
    check_rootless_map(c, true, l->gid_mappings, l->n_gid_mappings);
    /* user_namespaces(7): an unprivileged process writes its own gid map
     * only after denying setgroups(2), for good. */
    if (userns_map_method(l->gid_mappings, l->n_gid_mappings, c->gid, false, true)
            == IDMAP_DIRECT_DENY
        && u != NULL && u->additional_gids.n > 0)
        check_error(c,
                    "map a gid range from /etc/subgid (newgidmap allows setgroups), or drop them",
                    "process.user.additionalGids",
                    "setgroups is denied in a user namespace whose only gid mapping is your own "
                    "gid, so additional gids cannot be set");
}

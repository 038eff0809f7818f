/* SPDX-License-Identifier: Apache-2.0 */
/* An image's /etc/passwd and /etc/group: parsing, reading them inside the
 * rootfs, and config.User resolved against them.  The contract is in
 * image/passwd.h. */
#include "image/passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

#define PASSWD_FIELDS 7 /* name:password:uid:gid:gecos:home:shell */
#define GROUP_FIELDS 4  /* name:password:gid:members */

struct field {
    const char *p;
    size_t n;
};

/* ---- parsing ---- */

/* Split LINE (N bytes) at ':' into at most MAX fields (the last one keeps
 * any further colons); returns how many there are. */
static size_t
split_fields(const char *line, size_t n, struct field *f, size_t max)
{
    size_t count = 0;
    const char *end = line + n;

    for (const char *p = line;; count++) {
        const char *colon = count + 1 < max ? memchr(p, ':', (size_t)(end - p)) : NULL;

        f[count].p = p;
        f[count].n = (size_t)((colon ? colon : end) - p);
        if (colon == NULL)
            return count + 1;
        p = colon + 1;
    }
}

/* A decimal id: digits only (no sign, no blanks), below 2^32-1, which
 * setuid(2) and friends take as "no change" rather than as an id. */
static bool
parse_id(const char *p, size_t n, uint32_t *ret)
{
    uint64_t v = 0;

    if (n == 0 || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v >= UINT32_MAX)
        return false;
    *ret = (uint32_t)v;
    return true;
}

/* Call LINE_FN on each line of TEXT that may hold an entry: not blank, not
 * a comment, not a NIS compat line, no NUL byte; "\r\n" endings are
 * accepted. */
static void
for_each_line(const char *text, size_t len, void (*line_fn)(const char *, size_t, void *),
              void *data)
{
    const char *p = text, *end = text + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);

        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > 0 && p[0] != '#' && p[0] != '+' && p[0] != '-' && memchr(p, '\0', n) == NULL)
            line_fn(p, n, data);
        p = nl ? nl + 1 : end;
    }
}

struct passwd_acc {
    struct image_passwd *p;
    size_t alloc;
};

static void
passwd_line(const char *line, size_t n, void *data)
{
    struct passwd_acc *acc = data;
    struct field f[PASSWD_FIELDS];
    struct image_passwd_entry *e;
    size_t nf = split_fields(line, n, f, PASSWD_FIELDS);
    uint32_t uid, gid;

    /* The home directory and the shell are optional, as in runc's and
     * busybox's parsers; without a uid and a gid there is no entry. */
    if (nf < 4 || f[0].n == 0 || !parse_id(f[2].p, f[2].n, &uid) || !parse_id(f[3].p, f[3].n, &gid))
        return;
    acc->p->items = xgrow(acc->p->items, &acc->alloc, acc->p->n, sizeof(*acc->p->items));
    e = &acc->p->items[acc->p->n++];
    e->name = xstrndup(f[0].p, f[0].n);
    e->uid = uid;
    e->gid = gid;
    e->home = nf > 5 && f[5].n > 0 ? xstrndup(f[5].p, f[5].n) : NULL;
}

void
image_passwd_parse(const char *text, size_t len, struct image_passwd *ret)
{
    struct passwd_acc acc = {.p = ret};

    ret->items = NULL;
    ret->n = 0;
    for_each_line(text, len, passwd_line, &acc);
}

struct group_acc {
    struct image_group *g;
    size_t alloc;
};

static void
group_members(const char *p, size_t n, struct strv *ret)
{
    const char *end = p + n;
    size_t alloc = 0;

    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;

        if (stop > p) {
            ret->items = xgrow(ret->items, &alloc, ret->n, sizeof(*ret->items));
            ret->items[ret->n++] = xstrndup(p, (size_t)(stop - p));
        }
        p = comma ? comma + 1 : end;
    }
}

static void
group_line(const char *line, size_t n, void *data)
{
    struct group_acc *acc = data;
    struct field f[GROUP_FIELDS];
    struct image_group_entry *e;
    size_t nf = split_fields(line, n, f, GROUP_FIELDS);
    uint32_t gid;

    if (nf < 3 || f[0].n == 0 || !parse_id(f[2].p, f[2].n, &gid))
        return;
    acc->g->items = xgrow(acc->g->items, &acc->alloc, acc->g->n, sizeof(*acc->g->items));
    e = &acc->g->items[acc->g->n++];
    e->name = xstrndup(f[0].p, f[0].n);
    e->gid = gid;
    if (nf > 3)
        group_members(f[3].p, f[3].n, &e->members);
}

void
image_group_parse(const char *text, size_t len, struct image_group *ret)
{
    struct group_acc acc = {.g = ret};

    ret->items = NULL;
    ret->n = 0;
    for_each_line(text, len, group_line, &acc);
}

void
image_passwd_clear(struct image_passwd *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->items[i].name);
        free(p->items[i].home);
    }
    free(p->items);
    p->items = NULL;
    p->n = 0;
}

void
image_group_clear(struct image_group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->items[i].name);
        for (size_t j = 0; j < g->items[i].members.n; j++)
            free(g->items[i].members.items[j]);
        free(g->items[i].members.items);
    }
    free(g->items);
    g->items = NULL;
    g->n = 0;
}

const struct image_passwd_entry *
image_passwd_by_name(const struct image_passwd *p, const char *name)
{
    for (size_t i = 0; p != NULL && i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    return NULL;
}

const struct image_passwd_entry *
image_passwd_by_uid(const struct image_passwd *p, uint32_t uid)
{
    for (size_t i = 0; p != NULL && i < p->n; i++)
        if (p->items[i].uid == uid)
            return &p->items[i];
    return NULL;
}

const struct image_group_entry *
image_group_by_name(const struct image_group *g, const char *name)
{
    for (size_t i = 0; g != NULL && i < g->n; i++)
        if (strcmp(g->items[i].name, name) == 0)
            return &g->items[i];
    return NULL;
}

/* ---- reading inside the rootfs ---- */

/* Read PATH of the rootfs into *RET_BUF.  1 when read, 0 when absent. */
static int
read_etc_file_at(int rootfd, const char *path, char **ret_buf, size_t *ret_len, struct error **err)
{
    /* Look before opening for reading: opening a FIFO blocks, and opening
     * a device node (which an image unpacked by root may carry, and a
     * symlink may lead to) runs its driver, a watchdog's for one. */
    _cleanup_close_ int pathfd = fd_open_in_root(rootfd, path, O_PATH, 0);
    _cleanup_close_ int fd = -1;
    struct stat st, now;
    int rc;

    /* No file, or an /etc that is not a directory: the image has none. */
    if (pathfd == -ENOENT || pathfd == -ENOTDIR)
        return 0;
    if (pathfd < 0)
        return error_set(err, -pathfd, "'%s' in the image", path);
    if (fstat(pathfd, &st) < 0)
        return error_set(err, errno, "'%s' in the image: stat", path);
    if (!S_ISREG(st.st_mode))
        return error_setx(err, EINVAL, "'%s' in the image is not a regular file", path);
    if (st.st_size > (off_t)IMAGE_PASSWD_MAX)
        return error_setx(err, EFBIG, "'%s' in the image: %lld bytes, more than the %u allowed",
                          path, (long long)st.st_size, IMAGE_PASSWD_MAX);
    /* Resolved again, then checked to be the same inode: only someone who
     * can already change the rootfs could swap in something else between
     * the two opens, and O_NONBLOCK keeps even a FIFO from hanging us. */
    fd = fd_open_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
    if (fd < 0)
        return error_set(err, -fd, "'%s' in the image: open", path);
    if (fstat(fd, &now) < 0)
        return error_set(err, errno, "'%s' in the image: stat", path);
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino || !S_ISREG(now.st_mode))
        return error_setx(err, EAGAIN, "'%s' in the image changed while it was opened", path);
    rc = fd_read_all(fd, IMAGE_PASSWD_MAX, ret_buf, ret_len);
    if (rc == -EFBIG)
        return error_setx(err, EFBIG, "'%s' in the image: more than the %u bytes allowed", path,
                          IMAGE_PASSWD_MAX);
    if (rc < 0)
        return error_set(err, -rc, "'%s' in the image: read", path);
    return 1;
}

int
image_passwd_read_at(int rootfd, struct image_passwd *ret, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int rc = read_etc_file_at(rootfd, "/etc/passwd", &buf, &len, err);

    ret->items = NULL;
    ret->n = 0;
    if (rc > 0)
        image_passwd_parse(buf, len, ret);
    return rc;
}

int
image_group_read_at(int rootfd, struct image_group *ret, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    int rc = read_etc_file_at(rootfd, "/etc/group", &buf, &len, err);

    ret->items = NULL;
    ret->n = 0;
    if (rc > 0)
        image_group_parse(buf, len, ret);
    return rc;
}

/* ---- config.User ---- */

static bool
is_numeric(const char *s)
{
    return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

static bool
u32v_has(const struct u32v *v, uint32_t x)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i] == x)
            return true;
    return false;
}

/* The gids of the groups that list NAME as a member, in file order, each
 * once.  conversion.md: "a converter SHOULD set the value of
 * process.user.additionalGids to a value corresponding to the user in the
 * container's context ... parsing /etc/group and determining the group
 * memberships of the user". */
static void
member_gids(const struct image_group *group, const char *name, struct u32v *ret)
{
    size_t alloc = 0;

    /* Present even when empty: the user was looked up, and is in no group. */
    ret->items = xgrow(NULL, &alloc, 0, sizeof(*ret->items));
    ret->n = 0;
    for (size_t i = 0; group != NULL && i < group->n; i++) {
        const struct image_group_entry *g = &group->items[i];

        for (size_t j = 0; j < g->members.n; j++) {
            if (strcmp(g->members.items[j], name) != 0 || u32v_has(ret, g->gid))
                continue;
            ret->items = xgrow(ret->items, &alloc, ret->n, sizeof(*ret->items));
            ret->items[ret->n++] = g->gid;
            break;
        }
    }
}

/* conversion.md "Config.User": "If the values of user or group in
 * Config.User are numeric (uid or gid) then the values MUST be copied
 * verbatim to process.user.uid and process.user.gid respectively."  Out of
 * range is an error rather than a wrapped number. */
static int
parse_numeric(const char *config_user, const char *what, const char *s, uint32_t *ret,
              struct error **err)
{
    uint32_t v;

    if (!parse_id(s, strlen(s), &v))
        return error_setx(err, EINVAL, "config.User '%s': %s %s is out of range (0 to 4294967294)",
                          config_user, what, s);
    *ret = v;
    return 0;
}

static int
resolve_user_part(const char *config_user, const char *name, const struct image_passwd *passwd,
                  struct image_user *u, struct error **err)
{
    const struct image_passwd_entry *e;

    if (is_numeric(name)) {
        int rc = parse_numeric(config_user, "uid", name, &u->uid, err);

        if (rc < 0)
            return rc;
        /* Not in the spec, but what runc, crun and Docker do: a uid with
         * a passwd entry runs with that entry's group. */
        e = image_passwd_by_uid(passwd, u->uid);
        u->gid = e ? e->gid : 0;
    } else {
        /* "If Config.User does not correspond to a user in the container's
         * context, the converter MUST return an error." */
        e = image_passwd_by_name(passwd, name);
        if (e == NULL)
            return error_setx(err, EINVAL, "config.User '%s': no such user in the image's %s",
                              config_user,
                              passwd ? "/etc/passwd" : "rootfs (it has no /etc/passwd)");
        u->uid = e->uid;
        u->gid = e->gid;
    }
    if (e != NULL && e->home != NULL)
        u->home = xstrdup(e->home);
    return 0;
}

static int
resolve_group_part(const char *config_user, const char *name, const struct image_group *group,
                   struct image_user *u, struct error **err)
{
    const struct image_group_entry *g;

    if (is_numeric(name))
        return parse_numeric(config_user, "gid", name, &u->gid, err);
    g = image_group_by_name(group, name);
    if (g == NULL)
        return error_setx(err, EINVAL, "config.User '%s': no such group '%s' in the image's %s",
                          config_user, name,
                          group ? "/etc/group" : "rootfs (it has no /etc/group)");
    u->gid = g->gid;
    return 0;
}

int
image_user_resolve(const char *user, const struct image_passwd *passwd,
                   const struct image_group *group, struct image_user *ret, struct error **err)
{
    struct image_user u = {0};
    _cleanup_free_ char *name = NULL;
    const char *colon;
    int rc;

    memset(ret, 0, sizeof(*ret));
    /* "If Config.User is not defined, the converted process.user value is
     * implementation-defined": root, as Docker and podman run it, with the
     * group and home of uid 0's entry like any bare uid. */
    if (user == NULL || user[0] == '\0')
        return image_user_resolve("0", passwd, group, ret, err);

    colon = strchr(user, ':');
    name = colon ? xstrndup(user, (size_t)(colon - user)) : xstrdup(user);
    if (name[0] == '\0')
        return error_setx(err, EINVAL, "config.User '%s': the user part is empty", user);
    if (colon != NULL && colon[1] == '\0')
        return error_setx(err, EINVAL, "config.User '%s': the group part is empty", user);

    rc = resolve_user_part(user, name, passwd, &u, err);
    if (rc == 0 && colon != NULL)
        rc = resolve_group_part(user, colon + 1, group, &u, err);
    /* "The converter SHOULD NOT modify process.user.additionalGids if the
     * value of user in Config.User is numeric or if Config.User specifies
     * a group."  (runc also adds them for a uid with a passwd entry; the
     * spec's rule is followed here.) */
    if (rc == 0 && colon == NULL && !is_numeric(name))
        member_gids(group, name, &u.additional_gids);
    if (rc < 0) {
        image_user_clear(&u);
        return rc;
    }
    *ret = u;
    return 0;
}

void
image_user_clear(struct image_user *u)
{
    free(u->additional_gids.items);
    free(u->home);
    memset(u, 0, sizeof(*u));
}

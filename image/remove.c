/* SPDX-License-Identifier: Apache-2.0 */
/* Removing trees without following symlinks: whiteouts, opaque
 * directories, entries replaced by a layer, and image_remove_tree_at().
 * Also the marks of what the layer being applied has made (see
 * image/extract-marks.h), which decide what a whiteout spares. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/extract-marks.h"
#include "image/extract.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* ---- marks ---- */

static uint64_t
mix64(uint64_t x)
{
    /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t
mark_hash(const struct extract_marks *m, dev_t dev, ino_t dir, const char *name)
{
    uint64_t h = m->seed ^ mix64((uint64_t)dir + mix64((uint64_t)dev));

    /* FNV-1a over the name, seeded */
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    h = mix64(h) & ~(uint64_t)3;
    return h != 0 ? h : 4;
}

void
extract_marks_init(struct extract_marks *m)
{
    struct timespec ts;

    memset(m, 0, sizeof(*m));
    /* A seed the layer cannot guess, so that it cannot aim collisions. */
    if (getrandom(&m->seed, sizeof(m->seed), GRND_NONBLOCK) != (ssize_t)sizeof(m->seed)) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        m->seed = mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid());
    }
}

void
extract_marks_clear(struct extract_marks *m)
{
    free(m->keys);
    m->keys = NULL;
    m->cap = m->n = 0;
}

static size_t
mark_slot(const uint64_t *keys, size_t cap, uint64_t h)
{
    size_t i = (size_t)(h >> 2) & (cap - 1);

    while (keys[i] != 0 && (keys[i] & ~(uint64_t)3) != h)
        i = (i + 1) & (cap - 1);
    return i;
}

static void
marks_grow(struct extract_marks *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    uint64_t *keys = xcalloc(cap, sizeof(*keys));

    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i] != 0)
            keys[mark_slot(keys, cap, m->keys[i] & ~(uint64_t)3)] = m->keys[i];
    free(m->keys);
    m->keys = keys;
    m->cap = cap;
}

void
extract_marks_set(struct extract_marks *m, dev_t dev, ino_t dir, const char *name,
                  enum extract_mark mark)
{
    uint64_t h = mark_hash(m, dev, dir, name);
    size_t i;

    if ((m->n + 1) * 2 > m->cap)
        marks_grow(m);
    i = mark_slot(m->keys, m->cap, h);
    if (m->keys[i] == 0)
        m->n++;
    m->keys[i] = h | (uint64_t)mark;
}

enum extract_mark
extract_marks_get(const struct extract_marks *m, dev_t dev, ino_t dir, const char *name)
{
    size_t i;

    if (m == NULL || m->n == 0)
        return MARK_NONE;
    i = mark_slot(m->keys, m->cap, mark_hash(m, dev, dir, name));
    return (enum extract_mark)(m->keys[i] & 3);
}

/* ---- pruning ---- */

/* Deeper than this is refused rather than risking the stack; every level
 * holds one fd, so RLIMIT_NOFILE usually says EMFILE first. */
#define MAX_DEPTH 4096

struct prune {
    const struct extract_marks *marks;
    uid_t euid;
    struct error **err;
};

static int prune_entry(struct prune *p, int dirfd, const struct stat *dst, const char *name,
                       const char *path, unsigned depth);

/* The names in the directory DIRFD, read before anything is removed. */
static int
list_dir(int dirfd, char ***ret, size_t *ret_n)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d;
    char **names = NULL;
    size_t n = 0, alloc = 0;
    struct dirent *de;

    if (fd < 0)
        return -errno;
    d = fdopendir(fd);
    if (d == NULL) {
        int e = errno;
        close(fd);
        return -e;
    }
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        names = xgrow(names, &alloc, n, sizeof(*names));
        names[n++] = xstrdup(de->d_name);
        errno = 0;
    }
    if (errno != 0) {
        int e = errno;
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        closedir(d);
        return -e;
    }
    closedir(d);
    *ret = names;
    *ret_n = n;
    return 0;
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Prune every entry of the directory FD (DST its stat).  Returns whether
 * anything stayed. */
static int
prune_dir(struct prune *p, int fd, const struct stat *dst, const char *path, unsigned depth)
{
    char **names = NULL;
    size_t n = 0;
    bool kept = false;
    int rc;

    if (depth > MAX_DEPTH)
        return error_setx(p->err, ELOOP, "'%s': directories nested too deep", path);
    rc = list_dir(fd, &names, &n);
    if (rc < 0)
        return error_set(p->err, -rc, "'%s': read the directory", path);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *sub = xasprintf("%s/%s", path, names[i]);

        rc = prune_entry(p, fd, dst, names[i], sub, depth + 1);
        if (rc < 0)
            break;
        if (rc > 0)
            kept = true;
    }
    free_names(names, n);
    return rc < 0 ? rc : kept;
}

/* NAME in DIRFD is a directory ST: prune its entries, then remove it unless
 * something stayed or this layer has it. */
static int
prune_subdir(struct prune *p, int dirfd, const char *name, const struct stat *st,
             enum extract_mark mark, const char *path, unsigned depth)
{
    bool fixed = false;
    int rc;

    /* Removing entries needs write and search permission on the directory:
       a layer may well have made it 0555 or 0000.  As root this never
       matters; as its owner we may give them to ourselves.  The name was
       just seen as a directory, and nothing else writes this tree. */
    if (p->euid != 0 && st->st_uid == p->euid && (st->st_mode & 0300) != 0300) {
        if (fchmodat(dirfd, name, (st->st_mode & 07777) | 0700, 0) < 0)
            return error_set(p->err, errno, "'%s': make it writable", path);
        fixed = true;
    }
    {
        _cleanup_close_ int fd =
            openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
            return error_set(p->err, errno, "'%s'", path);
        rc = prune_dir(p, fd, st, path, depth);
        if (rc < 0)
            return rc;
        if (rc > 0 || mark == MARK_KEPT) {
            /* It stays: as it was. */
            if (fixed && fchmod(fd, st->st_mode & 07777) < 0)
                return error_set(p->err, errno, "'%s': restore its mode", path);
            return 1;
        }
    }
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return error_set(p->err, errno, "'%s': remove", path);
    return 0;
}

static int
prune_entry(struct prune *p, int dirfd, const struct stat *dst, const char *name, const char *path,
            unsigned depth)
{
    enum extract_mark mark = MARK_NONE;
    struct stat st;

    if (p->marks != NULL)
        mark = extract_marks_get(p->marks, dst->st_dev, dst->st_ino, name);
    if (mark == MARK_FRESH)
        return 1;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return error_set(p->err, errno, "'%s'", path);
    }
    if (S_ISDIR(st.st_mode))
        return prune_subdir(p, dirfd, name, &st, mark, path, depth);
    /* Anything else, symlinks included, goes as a name. */
    if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
        return error_set(p->err, errno, "'%s': remove", path);
    return 0;
}

int
extract_prune_at(const struct extract_marks *marks, int dirfd, dev_t dev, ino_t dir,
                 const char *name, struct error **err)
{
    struct prune p = {marks, geteuid(), err};
    struct stat dst = {.st_dev = dev, .st_ino = dir};

    return prune_entry(&p, dirfd, &dst, name, name, 0);
}

int
extract_prune_children_at(const struct extract_marks *marks, int dirfd, struct error **err)
{
    struct prune p = {marks, geteuid(), err};
    struct stat dst;

    if (fstat(dirfd, &dst) < 0)
        return error_set(err, errno, "fstat");
    return prune_dir(&p, dirfd, &dst, ".", 0);
}

int
image_remove_tree_at(int dirfd, const char *name, struct error **err)
{
    struct prune p = {NULL, geteuid(), err};
    struct stat dst = {0};
    int rc;

    if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0
        || name[0] == '\0')
        return error_setx(err, EINVAL, "remove '%s': not a name in its directory", name);
    rc = prune_entry(&p, dirfd, &dst, name, name, 0);
    if (rc < 0)
        return error_wrap(err, "remove");
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* image/extract.c and image/remove.c: layers built in memory are applied to
 * a scratch root.  Every kind of entry with its metadata; whiteouts and
 * opaque directories across layers and within one (layer.md's own
 * examples); replacing one kind of entry by another; every escape we know
 * of, with a canary directory beside the root and the host's /etc watched,
 * with openat2 and with the fallback walk; truncated and oversized layers
 * and the DiffID.  Root is not needed: what needs it (ownership, devices,
 * file capabilities) runs only as root, and the unprivileged paths run in a
 * child that drops to nobody when the tests run as root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "image/archive.h"
#include "image/digest.h"
#include "image/extract.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "tests/unit/image-tarw.h"
#include "tests/unit/tap.h"

static char base[] = "/tmp/berth-image-extract-XXXXXX";
static bool is_root;
static struct stat host_passwd;
/* A name that an escape would create in the host's /etc. */
#define HOST_EVIL "/etc/berth-image-extract-evil"

static void
die(const char *what)
{
    printf("Bail out! %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
pathf(const char *fmt, ...)
{
    static char ring[8][4096];
    static unsigned next;
    char *buf = ring[next++ % 8];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, 4096, fmt, ap);
    va_end(ap);
    return buf;
}

/* A fresh root directory BASE/NAME, as an O_PATH fd. */
static int
new_root(const char *name)
{
    const char *p = pathf("%s/%s", base, name);
    int fd;

    if (mkdir(p, 0755) < 0 || chmod(p, 0755) < 0)
        die(p);
    fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        die(p);
    return fd;
}

struct result {
    int rc;
    char msg[1024];
    struct image_extract_stats st;
    struct image_digest diff;
    uint64_t bytes;
};

static struct image_extract_opts opts;

static void
apply_buf(int rootfd, const unsigned char *buf, size_t len, uint64_t max, struct result *r)
{
    struct memsrc src = {.p = buf, .len = len, .chunk = 7000};
    struct image_hash *h = image_hash_new(IMAGE_DIGEST_SHA256);
    struct error *err = NULL;
    struct image_tar *t;

    memset(r, 0, sizeof(*r));
    t = image_tar_open(memsrc_read, &src, IMAGE_COMPRESSION_AUTO, h, max, "layer L", &err);
    if (t == NULL) {
        r->rc = -err->errnum;
    } else {
        r->rc = image_layer_apply_at(rootfd, t, "layer L", &opts, &r->st, &err);
        if (r->rc == 0)
            r->rc = image_tar_finish(t, &err);
        r->bytes = image_tar_bytes(t);
        image_tar_free(t);
    }
    if (r->rc == 0)
        image_hash_final(h, &r->diff);
    if (err != NULL)
        snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
    error_free(&err);
    image_hash_free(h);
}

static int
apply(int rootfd, const struct tent *ents, struct result *r)
{
    struct tarw w;

    tarw_build(&w, TARW_GZIP, ents);
    apply_buf(rootfd, w.buf, w.len, 0, r);
    free(w.buf);
    if (r->rc < 0)
        tap_diag("apply: %s", r->msg);
    return r->rc;
}

/* ---- looking at the result ---- */

static bool
lstat_at(int rootfd, const char *path, struct stat *st)
{
    return fstatat(rootfd, path, st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool
exists(int rootfd, const char *path)
{
    struct stat st;

    return lstat_at(rootfd, path, &st);
}

static bool
has_content(int rootfd, const char *path, const char *want)
{
    char *buf = NULL;
    size_t len = 0;
    bool ok;
    int fd = openat(rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return false;
    ok = fd_read_all(fd, 1 << 20, &buf, &len) == 0 && len == strlen(want)
         && memcmp(buf, want, len) == 0;
    close(fd);
    free(buf);
    return ok;
}

static bool
is_mode(int rootfd, const char *path, mode_t type, mode_t mode)
{
    struct stat st;

    if (!lstat_at(rootfd, path, &st))
        return false;
    if ((st.st_mode & S_IFMT) != type || (st.st_mode & 07777) != mode)
        tap_diag("'%s': mode %o, expected %o", path, st.st_mode, type | mode);
    return (st.st_mode & S_IFMT) == type && (st.st_mode & 07777) == mode;
}

static size_t
count_entries(int dirfd, const char *path)
{
    int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;
    size_t n = 0;

    if (d == NULL)
        return (size_t)-1;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Nothing outside the roots has moved: the canary directory beside them,
 * the host's /etc/passwd and /etc. */
static bool
outside_intact(void)
{
    int basefd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat st, cst;
    bool ok;

    ok = basefd >= 0 && has_content(basefd, "canary/file", "canary")
         && is_mode(basefd, "canary/file", S_IFREG, 0644)
         && is_mode(basefd, "canary", S_IFDIR, 0755) && count_entries(basefd, "canary") == 2
         && count_entries(basefd, "canary/sub") == 0 && lstat("/etc/passwd", &st) == 0
         && st.st_ino == host_passwd.st_ino && st.st_nlink == host_passwd.st_nlink
         && st.st_mode == host_passwd.st_mode && access(HOST_EVIL, F_OK) < 0
         && lstat_at(basefd, "canary", &cst) && cst.st_mtime == 1000;
    if (basefd >= 0)
        close(basefd);
    return ok;
}

/* ---- entries ---- */

static void
test_kinds(void)
{
    static const struct tent layer[] = {
        {.path = "./", .type = 'd', .mode = 0751, .mtime = 1111},
        {.path = "./etc/", .type = 'd', .mode = 0750, .mtime = 2222},
        {.path = "./etc/hosts",
         .type = 'f',
         .mode = 0640,
         .data = "127.0.0.1 localhost\n",
         .mtime = 3333,
         .nsec = 123456789},
        {.path = "./bin/", .type = 'd', .mode = 0755, .mtime = 4444},
        {.path = "./bin/busybox", .type = 'f', .mode = 0755, .data = "ELF..."},
        {.path = "./bin/sh", .type = 'l', .link = "/bin/busybox", .mtime = 5555},
        {.path = "./bin/ls", .type = 'h', .link = "./bin/busybox"},
        {.path = "./run/fifo", .type = 'p', .mode = 0620, .mtime = 6666},
        {.path = "./dev/null", .type = 'c', .mode = 0666, .maj = 1, .min = 3},
        {.path = "./dev/loop0", .type = 'b', .mode = 0660, .maj = 7, .min = 0},
        {.path = "deep/a/b/c", .type = 'f', .data = "deep"},
        {.path = "ro/", .type = 'd', .mode = 0555, .mtime = 7777},
        {.path = "ro/inside", .type = 'f', .mode = 0400, .data = "x"},
        {.path = "ro/sub/", .type = 'd', .mode = 0500},
        {.path = "ro/sub/deeper", .type = 'f', .data = "y"},
        {.path = "empty", .type = 'f', .mode = TENT_MODE_0},
        {.path = "sticky/", .type = 'd', .mode = 01777},
        {.path = "big", .type = 'f', .size = 1 << 20, .data = "head"},
        {.path = ".wh..wh.plnk", .type = 'f', .data = "aufs"},
        {0},
    };
    int root = new_root("kinds");
    struct result r;
    struct stat st, st2;
    char link[64];
    ssize_t n;

    tap_ok(apply(root, layer, &r) == 0, "a layer of every kind of entry");
    tap_ok(is_mode(root, ".", S_IFDIR, 0751) && lstat_at(root, ".", &st) && st.st_mtime == 1111,
           "the root's entry sets its mode and mtime");
    tap_ok(is_mode(root, "etc", S_IFDIR, 0750) && lstat_at(root, "etc", &st) && st.st_mtime == 2222,
           "a directory: mode and mtime set after its contents");
    tap_ok(has_content(root, "etc/hosts", "127.0.0.1 localhost\n")
               && is_mode(root, "etc/hosts", S_IFREG, 0640) && lstat_at(root, "etc/hosts", &st)
               && st.st_mtim.tv_sec == 3333 && st.st_mtim.tv_nsec == 123456789,
           "a file: content, mode, mtime with nanoseconds");
    n = readlinkat(root, "bin/sh", link, sizeof(link) - 1);
    tap_ok(n == 12 && memcmp(link, "/bin/busybox", 12) == 0 && lstat_at(root, "bin/sh", &st)
               && S_ISLNK(st.st_mode) && st.st_mtime == 5555,
           "a symlink: its target as stored, its own mtime");
    tap_ok(lstat_at(root, "bin/ls", &st) && lstat_at(root, "bin/busybox", &st2)
               && st.st_ino == st2.st_ino && st.st_nlink == 2,
           "a hardlink: the same inode");
    tap_ok(is_mode(root, "run/fifo", S_IFIFO, 0620) && lstat_at(root, "run/fifo", &st)
               && st.st_mtime == 6666,
           "a fifo, mode and mtime");
    if (opts.mknod) {
        tap_ok(is_mode(root, "dev/null", S_IFCHR, 0666) && lstat_at(root, "dev/null", &st)
                   && st.st_rdev == makedev(1, 3) && is_mode(root, "dev/loop0", S_IFBLK, 0660)
                   && lstat_at(root, "dev/loop0", &st) && st.st_rdev == makedev(7, 0),
               "devices 1:3 and 7:0 (as root)");
        tap_is_int(r.st.skipped_devices, 0, "no device skipped");
    } else {
        tap_ok(!exists(root, "dev/null") && !exists(root, "dev/loop0") && exists(root, "dev"),
               "devices are not created without mknod");
        tap_is_int(r.st.skipped_devices, 2, "and counted as skipped");
    }
    tap_ok(has_content(root, "deep/a/b/c", "deep") && is_mode(root, "deep", S_IFDIR, 0755)
               && is_mode(root, "deep/a/b", S_IFDIR, 0755),
           "missing parents are made 0755, whatever the umask");
    tap_ok(is_mode(root, "ro", S_IFDIR, 0555) && is_mode(root, "ro/sub", S_IFDIR, 0500)
               && lstat_at(root, "ro/sub/deeper", &st) && lstat_at(root, "ro", &st2)
               && st2.st_mtime == 7777,
           "read-only directories are filled, then get their mode");
    tap_ok(is_mode(root, "empty", S_IFREG, 0) && lstat_at(root, "empty", &st) && st.st_size == 0,
           "an empty file of mode 0");
    tap_ok(is_mode(root, "sticky", S_IFDIR, 01777), "a sticky directory");
    tap_ok(lstat_at(root, "big", &st) && st.st_size == 1 << 20, "a 1 MiB file");
    tap_ok(!exists(root, ".wh..wh.plnk"), "AUFS metadata (.wh..wh.*) is not created");
    tap_is_int(r.st.entries, 19, "entries counted");
    tap_is_int(r.st.bytes, strlen("127.0.0.1 localhost\n") + 6 + 4 + 1 + 1 + (1 << 20),
               "file bytes counted");
    close(root);
}

/* Ownership, setuid bits and file capabilities: root only. */
static void
test_owners(void)
{
    /* struct vfs_cap_data, revision 2, effective, CAP_NET_RAW permitted */
    static const char cap[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00};
    static const struct tent layer[] = {
        {.path = "d/", .type = 'd', .mode = 02775, .uid = 1000, .gid = 1001},
        {.path = "d/su", .type = 'f', .mode = 04755, .uid = 1000, .gid = 1001, .data = "x"},
        {.path = "d/sg", .type = 'f', .mode = 02755, .uid = 0, .gid = 50, .data = "x"},
        {.path = "d/ping",
         .type = 'f',
         .mode = 0755,
         .data = "x",
         .xname = {"security.capability", "user.mime", "trusted.overlay.x"},
         .xval = {cap, "text/plain", "y"},
         .xlen = {20, 0, 0}},
        {.path = "d/link", .type = 'l', .link = "su", .uid = 1000, .gid = 1001},
        {.path = "d/fifo", .type = 'p', .mode = 0600, .uid = 1002, .gid = 1003},
        {0},
    };
    int root;
    struct result r;
    struct stat st;
    char buf[64];
    ssize_t n;

    if (!is_root) {
        tap_ok(1, "# SKIP ownership, setuid and capabilities need root");
        return;
    }
    root = new_root("owners");
    tap_ok(apply(root, layer, &r) == 0, "a layer with owners");
    tap_ok(lstat_at(root, "d", &st) && st.st_uid == 1000 && st.st_gid == 1001
               && (st.st_mode & 07777) == 02775,
           "a directory's owner and setgid bit");
    tap_ok(lstat_at(root, "d/su", &st) && st.st_uid == 1000 && st.st_gid == 1001
               && (st.st_mode & 07777) == 04755,
           "setuid survives the chown (chown first)");
    tap_ok(lstat_at(root, "d/sg", &st) && st.st_gid == 50 && (st.st_mode & 07777) == 02755,
           "setgid");
    n = getxattr(pathf("%s/owners/d/ping", base), "security.capability", buf, sizeof(buf));
    tap_ok(n == 20 && memcmp(buf, cap, 20) == 0, "security.capability is set (%zd bytes)", n);
    n = getxattr(pathf("%s/owners/d/ping", base), "user.mime", buf, sizeof(buf));
    tap_ok((n == 10 && memcmp(buf, "text/plain", 10) == 0) || r.st.skipped_xattrs == 2,
           "user.* is set (or counted where the filesystem refuses)");
    tap_ok(getxattr(pathf("%s/owners/d/ping", base), "trusted.overlay.x", buf, sizeof(buf)) < 0
               && r.st.skipped_xattrs >= 1,
           "trusted.* is skipped and counted (%llu)", (unsigned long long)r.st.skipped_xattrs);
    tap_ok(lstat_at(root, "d/link", &st) && st.st_uid == 1000 && st.st_gid == 1001,
           "a symlink's own owner");
    tap_ok(lstat_at(root, "d/fifo", &st) && st.st_uid == 1002 && st.st_gid == 1003,
           "a fifo's owner");
    close(root);
}

/* ---- whiteouts ---- */

static void
test_whiteouts(void)
{
    /* layer.md "Whiteouts", word for word */
    static const struct tent base_layer[] = {
        {.path = "file1", .type = 'f', .data = "1"},
        {.path = "a/file2", .type = 'f', .data = "2"},
        {.path = "b/", .type = 'd'},
        {.path = "b/inside", .type = 'f', .data = "b"},
        {.path = "c/file3", .type = 'f', .data = "3"},
        {0},
    };
    static const struct tent next[] = {
        {.path = ".wh.file1", .type = 'f'},     {.path = "a/.wh.file2", .type = 'f'},
        {.path = ".wh.b", .type = 'f'},         {.path = "file4", .type = 'f', .data = "4"},
        {.path = "nowhere/.wh.x", .type = 'f'}, {0},
    };
    int root = new_root("whiteouts");
    struct result r;

    apply(root, base_layer, &r);
    tap_ok(apply(root, next, &r) == 0, "layer.md's whiteout example");
    tap_ok(!exists(root, "file1") && !exists(root, "a/file2") && exists(root, "a")
               && !exists(root, "b") && has_content(root, "c/file3", "3")
               && has_content(root, "file4", "4"),
           "file1, a/file2 and b/ are gone; c/file3 and file4 are there");
    tap_ok(!exists(root, ".wh.file1") && !exists(root, "a/.wh.file2") && !exists(root, ".wh.b")
               && !exists(root, "nowhere"),
           "the whiteouts themselves are hidden, and make no parents");
    tap_is_int(r.st.whiteouts, 4, "whiteouts counted");
    close(root);
}

static void
test_opaque(void)
{
    /* layer.md "Opaque Whiteout", first example */
    static const struct tent l1[] = {
        {.path = "etc/my-app-config", .type = 'f', .data = "c"},
        {.path = "bin/my-app-binary", .type = 'f', .data = "b"},
        {.path = "bin/my-app-tools", .type = 'f', .data = "t"},
        {.path = "bin/tools/my-app-tool-one", .type = 'f', .data = "1"},
        {0},
    };
    static const struct tent l2[] = {
        {.path = "bin/", .type = 'd', .mode = 0711},
        {.path = "bin/.wh..wh..opq", .type = 'f'},
        {0},
    };
    /* the second example: the opaque marker after the new entries */
    static const struct tent m1[] = {
        {.path = "a/", .type = 'd'},
        {.path = "a/b/", .type = 'd'},
        {.path = "a/b/c/", .type = 'd'},
        {.path = "a/b/c/bar", .type = 'f', .data = "bar"},
        {.path = "a/old", .type = 'f', .data = "old"},
        {.path = "a/implicit/lower", .type = 'f', .data = "lower"},
        {0},
    };
    static const struct tent m2[] = {
        {.path = "a/", .type = 'd'},
        {.path = "a/b/", .type = 'd'},
        {.path = "a/b/c/", .type = 'd'},
        {.path = "a/b/c/foo", .type = 'f', .data = "foo"},
        {.path = "a/new", .type = 'f', .data = "new"},
        {.path = "a/implicit/upper", .type = 'f', .data = "upper"},
        {.path = "a/.wh..wh..opq", .type = 'f'},
        {0},
    };
    int root = new_root("opaque");
    int root2 = new_root("opaque2");
    struct result r;

    apply(root, l1, &r);
    tap_ok(apply(root, l2, &r) == 0, "layer.md's opaque example");
    tap_ok(count_entries(root, "bin") == 0 && is_mode(root, "bin", S_IFDIR, 0711)
               && has_content(root, "etc/my-app-config", "c") && !exists(root, "bin/.wh..wh..opq"),
           "bin/ is empty (sub-directories too), etc/ untouched");

    apply(root2, m1, &r);
    tap_ok(apply(root2, m2, &r) == 0, "an opaque marker after the layer's own entries");
    tap_ok(has_content(root2, "a/b/c/foo", "foo") && !exists(root2, "a/b/c/bar")
               && has_content(root2, "a/new", "new") && !exists(root2, "a/old"),
           "\"applied first, regardless of the ordering\": a/b/c/foo and a/new stay, bar and "
           "old go");
    tap_ok(has_content(root2, "a/implicit/upper", "upper") && !exists(root2, "a/implicit/lower"),
           "a lower directory the layer wrote into without an entry keeps only the new file");
    close(root);
    close(root2);
}

static void
test_same_layer(void)
{
    static const struct tent l1[] = {
        {.path = "x", .type = 'f', .data = "lower"},
        {.path = "z", .type = 'f', .data = "lower"},
        {.path = "d/old", .type = 'f', .data = "old"},
        {.path = "p/old", .type = 'f', .data = "old"},
        {0},
    };
    static const struct tent l2[] = {
        {.path = "x", .type = 'f', .data = "upper"},
        {.path = ".wh.x", .type = 'f'},
        {.path = "y", .type = 'f', .data = "new"},
        {.path = ".wh.y", .type = 'f'},
        {.path = ".wh.z", .type = 'f'},
        {.path = "z", .type = 'f', .data = "recreated"},
        {.path = "d/", .type = 'd'},
        {.path = "d/new", .type = 'f', .data = "new"},
        {.path = ".wh.d", .type = 'f'},
        {.path = "p/q/new", .type = 'f', .data = "new"},
        {.path = ".wh.p", .type = 'f'},
        {0},
    };
    int root = new_root("same");
    struct result r;

    apply(root, l1, &r);
    tap_ok(apply(root, l2, &r) == 0, "whiteouts of the layer's own entries");
    tap_ok(has_content(root, "x", "upper") && has_content(root, "y", "new"),
           "a whiteout after the layer's own file spares it (\"MUST only apply to lower "
           "layers\")");
    tap_ok(has_content(root, "z", "recreated"), "a whiteout before a new file: the new one");
    tap_ok(has_content(root, "d/new", "new") && !exists(root, "d/old"),
           "a whiteout of a directory the layer has: only its lower content goes");
    tap_ok(has_content(root, "p/q/new", "new") && !exists(root, "p/old"),
           "... also when the layer only wrote below it");
    close(root);
}

static void
test_replace(void)
{
    static const struct tent l1[] = {
        {.path = "f", .type = 'f', .data = "file"},     {.path = "d/", .type = 'd'},
        {.path = "d/x/y", .type = 'f', .data = "deep"}, {.path = "l", .type = 'l', .link = "f"},
        {.path = "dd/", .type = 'd', .mode = 0755},     {.path = "dd/z", .type = 'f', .data = "z"},
        {.path = "h", .type = 'f', .data = "h"},        {0},
    };
    static const struct tent l2[] = {
        {.path = "f/", .type = 'd', .mode = 0700},
        {.path = "f/y", .type = 'f', .data = "now a dir"},
        {.path = "d", .type = 'f', .data = "now a file"},
        {.path = "l/", .type = 'd'},
        {.path = "dd/", .type = 'd', .mode = 0710, .mtime = 4242},
        {.path = "h", .type = 'l', .link = "f"},
        {.path = "self", .type = 'f', .data = "s"},
        {.path = "self", .type = 'h', .link = "self"},
        {0},
    };
    static const struct tent bad[] = {
        {.path = "dirlink", .type = 'h', .link = "dd"},
        {0},
    };
    int root = new_root("replace");
    struct result r;
    struct stat st;

    apply(root, l1, &r);
    tap_ok(apply(root, l2, &r) == 0, "replacing entries of a lower layer");
    tap_ok(is_mode(root, "f", S_IFDIR, 0700) && has_content(root, "f/y", "now a dir"),
           "a file replaced by a directory");
    tap_ok(has_content(root, "d", "now a file"), "a directory (not empty) replaced by a file");
    tap_ok(is_mode(root, "l", S_IFDIR, 0755), "a symlink replaced by a directory");
    tap_ok(is_mode(root, "dd", S_IFDIR, 0710) && lstat_at(root, "dd", &st) && st.st_mtime == 4242
               && has_content(root, "dd/z", "z"),
           "a directory over a directory: new metadata, content kept");
    tap_ok(lstat_at(root, "h", &st) && S_ISLNK(st.st_mode), "a file replaced by a symlink");
    tap_ok(has_content(root, "self", "s"), "a hardlink to itself is harmless");
    {
        struct tarw w;
        tarw_build(&w, TARW_NONE, bad);
        apply_buf(root, w.buf, w.len, 0, &r);
        free(w.buf);
    }
    tap_ok(r.rc < 0 && strstr(r.msg, "entry 'dirlink': hardlink target 'dd' is a directory"),
           "a hardlink to a directory is refused: %s", r.msg);
    close(root);
}

/* ---- attacks ---- */

struct attack {
    const char *what;
    struct tent entries[4];
    const char *error;  /* NULL: accepted, kept inside */
    const char *inside; /* what must exist in the root afterwards */
};

static void
run_attacks(const char *mode)
{
    static const struct tent lower[] = {
        {.path = "etc/passwd", .type = 'f', .data = "root:x:0:0:in the root\n"},
        {.path = "slash", .type = 'l', .link = "/"},
        {.path = "up", .type = 'l', .link = "../../../../../../../../../.."},
        {.path = "out", .type = 'l', .link = "../canary"},
        {.path = "outabs", .type = 'l', .link = "CANARY"}, /* replaced below */
        {.path = "outfile", .type = 'l', .link = "../canary/file"},
        {.path = "outdir", .type = 'l', .link = "../canary"},
        {.path = "setc", .type = 'l', .link = "/etc"},
        {.path = "supetc", .type = 'l', .link = "../../../../etc"},
        {.path = "victim", .type = 'f', .data = "v"},
        {.path = "chain1", .type = 'l', .link = "chain2"},
        {.path = "chain2", .type = 'l', .link = "../canary"},
        {0},
    };
    const struct attack attacks[] = {
        {"'..' entry",
         {{.path = "../evil", .type = 'f', .data = "x"}},
         "layer L: entry '../evil': path has a '..' component",
         NULL},
        {"'..' in the middle",
         {{.path = "a/../../evil", .type = 'f', .data = "x"}},
         "entry 'a/../../evil': path has a '..' component",
         NULL},
        {"'..' directory", {{.path = "../", .type = 'd'}}, "path has a '..' component", NULL},
        {"absolute name", {{.path = "/abs/file", .type = 'f', .data = "x"}}, NULL, "abs/file"},
        {"absolute name to /etc",
         {{.path = HOST_EVIL, .type = 'f', .data = "x"}},
         NULL,
         &HOST_EVIL[1]},
        {"parent symlink to /",
         {{.path = "slash/etc/berth-image-extract-evil", .type = 'f'}},
         NULL,
         "etc/berth-image-extract-evil"},
        {"parent symlink to ../../..", {{.path = "up/etc/evil2", .type = 'f'}}, NULL, "etc/evil2"},
        {"parent symlink to ../canary", {{.path = "out/pwned", .type = 'f'}}, "out", NULL},
        {"parent symlink chain to ../canary",
         {{.path = "chain1/pwned", .type = 'f'}},
         "chain1",
         NULL},
        {"parent symlink to the canary's absolute path",
         {{.path = "outabs/pwned", .type = 'f', .data = "in"}},
         "parent 'outabs' is a symlink to nothing",
         NULL},
        {"directory over a symlink out",
         {{.path = "outdir/", .type = 'd', .mode = 0777, .mtime = 5}},
         NULL,
         "outdir"},
        {"file over a symlink out",
         {{.path = "outfile", .type = 'f', .data = "replaced"}},
         NULL,
         "outfile"},
        {"hardlink to ../../etc/passwd",
         {{.path = "h1", .type = 'h', .link = "../../etc/passwd"}},
         "entry 'h1': hardlink target '../../etc/passwd' has a '..' component",
         NULL},
        {"hardlink to /etc/passwd",
         {{.path = "h2", .type = 'h', .link = "/etc/passwd"}},
         NULL,
         "h2"},
        {"hardlink through a symlink to /etc",
         {{.path = "h3", .type = 'h', .link = "setc/passwd"}},
         NULL,
         "h3"},
        {"hardlink through a symlink to ../../etc",
         {{.path = "h4", .type = 'h', .link = "supetc/passwd"}},
         NULL,
         "h4"},
        {"hardlink through a symlink to the canary",
         {{.path = "h5", .type = 'h', .link = "out/file"}},
         "hardlink target 'out/file'",
         NULL},
        {"hardlink over a symlink out",
         {{.path = "t", .type = 'f', .data = "t"}, {.path = "outfile", .type = 'h', .link = "t"}},
         NULL,
         "outfile"},
        {"whiteout '.wh..'",
         {{.path = ".wh..", .type = 'f'}},
         "whiteout of '.' does not name an entry",
         NULL},
        {"whiteout '.wh...'",
         {{.path = "etc/.wh...", .type = 'f'}},
         "whiteout of '..' does not name an entry",
         NULL},
        {"whiteout '.wh.'", {{.path = ".wh.", .type = 'f'}}, "whiteout of '' does not name", NULL},
        {"whiteout through a symlink out", {{.path = "out/.wh.file", .type = 'f'}}, NULL, NULL},
        {"opaque through a symlink out", {{.path = "out/.wh..wh..opq", .type = 'f'}}, NULL, NULL},
        {"whiteout through a symlink to /",
         {{.path = "slash/.wh.victim", .type = 'f'}},
         NULL,
         NULL},
        {"root as a symlink",
         {{.path = ".", .type = 'l', .link = "/"}},
         "entry '.': the root directory can only be a directory",
         NULL},
        {"root as a symlink, './'",
         {{.path = "./", .type = 'l', .link = "../canary"}},
         "the root directory can only be a directory",
         NULL},
        {"root as a file",
         {{.path = ".", .type = 'f', .data = "x"}},
         "the root directory can only be a directory",
         NULL},
        {"root as a hardlink",
         {{.path = ".", .type = 'h', .link = "etc/passwd"}},
         "the root directory can only be a directory",
         NULL},
        {"hardlink to the root",
         {{.path = "hr", .type = 'h', .link = "./"}},
         "hardlink to the root directory",
         NULL},
        {"directory replaced by a symlink out, then its metadata",
         {{.path = "meta/", .type = 'd', .mode = 0777},
          {.path = "meta", .type = 'l', .link = "../canary"}},
         NULL,
         "meta"},
        {"a symlink then a file through it",
         {{.path = "sneaky", .type = 'l', .link = "../canary"},
          {.path = "sneaky/file", .type = 'f', .data = "pwned"}},
         "sneaky",
         NULL},
        {0},
    };
    int root;
    struct result r;

    for (const struct attack *a = attacks; a->what != NULL; a++) {
        /* Each attack gets a fresh root with the planted symlinks. */
        const char *name = pathf("attack-%s-%zu", mode, (size_t)(a - attacks));
        struct tent lw[sizeof(lower) / sizeof(lower[0])];
        struct tent ents[5] = {0};
        char canary_abs[256], inside[512];
        bool ok;

        memcpy(lw, lower, sizeof(lower));
        snprintf(canary_abs, sizeof(canary_abs), "%s/canary", base);
        lw[4].link = canary_abs;
        root = new_root(name);
        if (apply(root, lw, &r) < 0) {
            tap_ok(0, "%s: plant the lower layer", mode);
            close(root);
            continue;
        }
        for (size_t i = 0; i < 4 && a->entries[i].path; i++)
            ents[i] = a->entries[i];
        {
            struct tarw w;
            tarw_build(&w, TARW_NONE, ents);
            apply_buf(root, w.buf, w.len, 0, &r);
            free(w.buf);
        }
        if (a->inside != NULL && strncmp(a->inside, "CANARY", 6) == 0)
            snprintf(inside, sizeof(inside), "%s%s", canary_abs + 1, a->inside + 6);
        else
            snprintf(inside, sizeof(inside), "%s", a->inside ? a->inside : "");
        if (a->error != NULL)
            ok = r.rc < 0 && strstr(r.msg, a->error) != NULL && strstr(r.msg, "layer L") != NULL;
        else
            ok = r.rc == 0 && (a->inside == NULL || exists(root, inside));
        tap_ok(ok && outside_intact() && is_mode(root, ".", S_IFDIR, 0755), "%s: %s: %s", mode,
               a->what, r.rc < 0 ? r.msg : "kept inside the root");
        if (!ok)
            tap_diag("rc %d msg '%s' inside '%s'", r.rc, r.msg, inside);
        close(root);
    }

    /* The hardlinks above reached the root's own /etc/passwd. */
    root = new_root(pathf("attack-%s-links", mode));
    apply(root, lower, &r);
    {
        static const struct tent links[] = {
            {.path = "h2", .type = 'h', .link = "/etc/passwd"},
            {.path = "h3", .type = 'h', .link = "setc/passwd"},
            {.path = "h4", .type = 'h', .link = "supetc/passwd"},
            {0},
        };
        struct stat mine, h2, h3, h4;

        apply(root, links, &r);
        tap_ok(r.rc == 0 && lstat_at(root, "etc/passwd", &mine) && lstat_at(root, "h2", &h2)
                   && lstat_at(root, "h3", &h3) && lstat_at(root, "h4", &h4)
                   && h2.st_ino == mine.st_ino && h3.st_ino == mine.st_ino
                   && h4.st_ino == mine.st_ino && mine.st_ino != host_passwd.st_ino
                   && mine.st_nlink == 4 && has_content(root, "h2", "root:x:0:0:in the root\n"),
               "%s: hardlinks to /etc/passwd reach the root's own, never the host's", mode);
    }
    close(root);
}

static void
test_attacks(void)
{
    run_attacks("openat2");
    fd_force_fallback(true);
    run_attacks("fallback");
    fd_force_fallback(false);
}

/* ---- streams ---- */

static void
test_streams(void)
{
    static const struct tent layer[] = {
        {.path = "a/", .type = 'd'},
        {.path = "a/file", .type = 'f', .size = 200000, .data = "data"},
        {.path = "b", .type = 'f', .data = "b"},
        {0},
    };
    static const struct tent bomb[] = {
        {.path = "zeros", .type = 'f', .size = 32 << 20},
        {0},
    };
    struct tarw plain, gz, zst, big;
    struct image_digest want;
    struct result r;
    int root;
    size_t bad = 0, cuts = 0;

    tarw_build(&plain, TARW_NONE, layer);
    tarw_build(&gz, TARW_GZIP, layer);
    tarw_build(&zst, TARW_ZSTD, layer);
    {
        struct image_hash *h = image_hash_new(IMAGE_DIGEST_SHA256);
        image_hash_update(h, plain.buf, plain.len);
        image_hash_final(h, &want);
        image_hash_free(h);
    }
    root = new_root("stream-tar");
    apply_buf(root, plain.buf, plain.len, 0, &r);
    tap_ok(r.rc == 0 && image_digest_equal(&r.diff, &want) && r.bytes == plain.len,
           "tar: applied, DiffID over all %zu bytes", plain.len);
    close(root);
    root = new_root("stream-gzip");
    apply_buf(root, gz.buf, gz.len, 0, &r);
    tap_ok(r.rc == 0 && image_digest_equal(&r.diff, &want), "tar+gzip: applied, same DiffID");
    close(root);
    root = new_root("stream-zstd");
    apply_buf(root, zst.buf, zst.len, 0, &r);
    tap_ok(r.rc == 0 && image_digest_equal(&r.diff, &want), "tar+zstd: applied, same DiffID");
    close(root);

    for (size_t cut = 1; cut < gz.len; cut += gz.len / 23 + 1) {
        root = new_root(pathf("stream-cut-%zu", cut));
        apply_buf(root, gz.buf, cut, 0, &r);
        cuts++;
        if (r.rc >= 0 || strncmp(r.msg, "layer L", 7) != 0) {
            bad++;
            tap_diag("cut at %zu: rc %d %s", cut, r.rc, r.msg);
        }
        close(root);
    }
    tap_ok(bad == 0, "a truncated gzip layer is an error naming the layer (%zu cuts)", cuts);

    tarw_build(&big, TARW_GZIP, bomb);
    root = new_root("stream-bomb");
    apply_buf(root, big.buf, big.len, 4 << 20, &r);
    tap_ok(r.rc == -EFBIG
               && strcmp(r.msg, "layer L: unpacked size exceeds the limit of 4194304 bytes "
                                "(--max-size)")
                      == 0,
           "a gzip bomb (%zu bytes to 32 MiB) stops at --max-size: %s", big.len, r.msg);
    close(root);
    free(plain.buf);
    free(gz.buf);
    free(zst.buf);
    free(big.buf);
}

/* Layers with random bytes flipped in their headers: whatever they say,
 * nothing outside the root moves and nothing crashes (a small fuzz run,
 * meant for the sanitizer build). */
static void
test_mutations(void)
{
    static const struct tent lower[] = {
        {.path = "etc/passwd", .type = 'f', .data = "root"},
        {.path = "out", .type = 'l', .link = "../canary"},
        {.path = "slash", .type = 'l', .link = "/"},
        {.path = "d/x", .type = 'f', .data = "x"},
        {0},
    };
    static const struct tent layer[] = {
        {.path = "a/", .type = 'd', .mode = 0700},
        {.path = "a/b", .type = 'f', .data = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
        {.path = "a/l", .type = 'l', .link = "../../../canary"},
        {.path = "a/h", .type = 'h', .link = "a/b"},
        {.path = "d/.wh.x", .type = 'f'},
        {.path = "d/.wh..wh..opq", .type = 'f'},
        {.path = "p", .type = 'p'},
        {.path = "slash/etc/f", .type = 'f', .data = "in"},
        {.path = "x/y/z", .type = 'f', .data = "z"},
        {0},
    };
    unsigned int seed = 4242;
    struct tarw w;
    size_t errors = 0, runs = 0;
    bool intact = true;

    tarw_build(&w, TARW_NONE, layer);
    for (int i = 0; i < 150; i++) {
        unsigned char *copy = xmalloc(w.len);
        int root = new_root(pathf("mutant-%d", i));
        struct result r;

        memcpy(copy, w.buf, w.len);
        for (int k = 0; k < 1 + i % 3; k++) {
            /* Mostly in the headers and pax records, where names live. */
            size_t at = (size_t)rand_r(&seed) % (w.len < 512 * 24 ? w.len : 512 * 24);
            copy[at] = (unsigned char)(i % 2 ? rand_r(&seed) : "./.wh.\0/"[rand_r(&seed) % 9]);
        }
        /* Keep the headers' checksums right, or all of it is "damaged". */
        for (size_t b = 0; b + 512 <= w.len; b += 512) {
            unsigned char *h = copy + b;
            unsigned sum = 0;

            if (memcmp(h + 257, "ustar", 5) != 0)
                continue;
            memset(h + 148, ' ', 8);
            for (int k = 0; k < 512; k++)
                sum += h[k];
            snprintf((char *)h + 148, 8, "%06o", sum);
        }
        apply(root, lower, &r);
        apply_buf(root, copy, w.len, 0, &r);
        errors += r.rc < 0;
        runs++;
        if (!outside_intact()) {
            intact = false;
            tap_diag("mutant %d escaped (%s)", i, r.msg);
        }
        close(root);
        free(copy);
    }
    tap_ok(intact, "%zu mutated layers: nothing outside the root moved (%zu refused)", runs,
           errors);
    free(w.buf);
}

/* In a user namespace that maps one id (rootless without subordinate
 * ids), a chown to another id is EINVAL: the error names the entry and the
 * id. */
static void
test_unmapped(void)
{
    static const struct tent layer[] = {
        {.path = "mine", .type = 'f', .data = "x"},
        {.path = "theirs", .type = 'f', .uid = 1000, .gid = 1000, .data = "x"},
        {0},
    };
    int root = new_root("unmapped");
    int pipefd[2];
    char msg[512] = "";
    pid_t pid;
    int status;
    ssize_t n;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        die("pipe");
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char map[64];
        uid_t uid = geteuid();
        gid_t gid = getegid();
        struct result r;
        int fd;

        close(pipefd[0]);
        if (unshare(CLONE_NEWUSER) < 0)
            _exit(77);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
        fd = open("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, map, strlen(map)) < 0)
            _exit(78);
        close(fd);
        fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && write(fd, "deny", 4) < 0)
            _exit(78);
        if (fd >= 0)
            close(fd);
        snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
        fd = open("/proc/self/gid_map", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, map, strlen(map)) < 0)
            _exit(78);
        close(fd);
        opts = (struct image_extract_opts){.chown = true};
        {
            struct tarw w;
            tarw_build(&w, TARW_NONE, layer);
            apply_buf(root, w.buf, w.len, 0, &r);
            free(w.buf);
        }
        if (write(pipefd[1], r.msg, strlen(r.msg)) < 0)
            _exit(79);
        _exit(r.rc < 0 ? 0 : 1);
    }
    close(pipefd[1]);
    n = read(pipefd[0], msg, sizeof(msg) - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(pipefd[0]);
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid");
    if (WIFEXITED(status) && WEXITSTATUS(status) >= 77) {
        tap_ok(1, "# SKIP no user namespace here (status %d)", WEXITSTATUS(status));
    } else {
        tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0
                   && strcmp(msg, "layer L: entry 'theirs': chown to uid 1000 gid 1000: the id "
                                  "is not mapped in this user namespace")
                          == 0,
               "an unmapped owner: %s", msg);
        tap_ok(exists(root, "mine"), "the entries before it were made");
    }
    close(root);
}

/* ---- as an unprivileged user ---- */

static int
unprivileged_checks(int root)
{
    static const struct tent l1[] = {
        {.path = "ro/", .type = 'd', .mode = 0555},
        {.path = "ro/a", .type = 'f', .data = "a"},
        {.path = "locked/", .type = 'd', .mode = TENT_MODE_0},
        {.path = "locked/sub/", .type = 'd', .mode = 0500},
        {.path = "locked/sub/x", .type = 'f', .data = "x"},
        {.path = "cap",
         .type = 'f',
         .data = "x",
         .xname = {"security.capability"},
         .xval = {"\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                  "\x00"},
         .xlen = {20}},
        {.path = "dev/null", .type = 'c', .maj = 1, .min = 3},
        {.path = "setuid", .type = 'f', .mode = 04755, .data = "x"},
        {.path = "shut/", .type = 'd', .mode = TENT_MODE_0},
        {.path = "shut2/", .type = 'd', .mode = TENT_MODE_0},
        {0},
    };
    static const struct tent l2[] = {
        {.path = "shut/in", .type = 'f', .data = "in"},
        {.path = "shut2/", .type = 'd', .mode = 0750},
        {.path = "shut2/in", .type = 'f', .data = "in"},
        {.path = "ro/b", .type = 'f', .data = "b"},
        {.path = "ro/.wh.a", .type = 'f'},
        {.path = ".wh.locked", .type = 'f'},
        {0},
    };
    struct result r;
    int failed = 0;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failed++;                                                                              \
            printf("# unprivileged: ");                                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)
    opts = (struct image_extract_opts){0};
    apply(root, l1, &r);
    CHECK(r.rc == 0, "layer 1: %s", r.msg);
    CHECK(r.st.skipped_devices == 1, "devices skipped: %llu",
          (unsigned long long)r.st.skipped_devices);
    CHECK(r.st.skipped_xattrs == 1, "capability skipped: %llu",
          (unsigned long long)r.st.skipped_xattrs);
    CHECK(is_mode(root, "setuid", S_IFREG, 04755), "setuid bit of our own file");
    CHECK(is_mode(root, "locked", S_IFDIR, 0), "a directory of mode 0, filled");
    apply(root, l2, &r);
    CHECK(r.rc == 0, "layer 2: %s", r.msg);
    CHECK(has_content(root, "ro/b", "b") && !exists(root, "ro/a"),
          "a file added to and one removed from a read-only lower directory");
    CHECK(is_mode(root, "ro", S_IFDIR, 0555), "which keeps its mode");
    CHECK(!exists(root, "locked"), "a whiteout removes a tree of mode 0 and 0500");
    CHECK(is_mode(root, "shut", S_IFDIR, 0) && is_mode(root, "shut2", S_IFDIR, 0750),
          "lower directories of mode 0 get a file each, and keep or get their mode");
    CHECK(fchmodat(root, "shut", 0700, 0) == 0 && has_content(root, "shut/in", "in")
              && has_content(root, "shut2/in", "in"),
          "the files are there");
    {
        struct error *err = NULL;
        static const struct tent l3[] = {
            {.path = "gone/", .type = 'd', .mode = 0500},
            {.path = "gone/sub/", .type = 'd', .mode = TENT_MODE_0},
            {0},
        };
        apply(root, l3, &r);
        CHECK(image_remove_tree_at(root, "gone", &err) == 0 && !exists(root, "gone"),
              "image_remove_tree_at on read-only directories: %s", err ? err->msg : "");
        error_free(&err);
    }
    return failed;
#undef CHECK
}

static void
test_unprivileged(void)
{
    const char *dir = pathf("%s/unpriv", base);
    pid_t pid;
    int status, root;

    if (!is_root) {
        root = new_root("unpriv");
        tap_is_int(unprivileged_checks(root), 0, "as an unprivileged user");
        close(root);
        opts = (struct image_extract_opts){.chown = is_root, .mknod = is_root};
        return;
    }
    if (mkdir(dir, 0755) < 0 || chown(dir, 65534, 65534) < 0)
        die(dir);
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0
            || setresuid(65534, 65534, 65534) < 0)
            _exit(100);
        root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
            _exit(101);
        is_root = false;
        status = unprivileged_checks(root);
        fflush(stdout);
        _exit(status);
    }
    if (waitpid(pid, &status, 0) < 0)
        die("waitpid");
    tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "as nobody: read-only and mode-0 directories, skipped devices and capabilities "
           "(status %d)",
           status);
}

int
main(void)
{
    int basefd;

    is_root = geteuid() == 0;
    opts = (struct image_extract_opts){.chown = is_root, .mknod = is_root};
    umask(077); /* to show the modes do not depend on it */
    if (mkdtemp(base) == NULL || chmod(base, 0755) < 0)
        die("mkdtemp");
    if (lstat("/etc/passwd", &host_passwd) < 0)
        die("/etc/passwd");
    /* The canary: a directory beside the roots that no layer may touch. */
    basefd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (basefd < 0 || mkdirat(basefd, "canary", 0755) < 0 || mkdirat(basefd, "canary/sub", 0755) < 0
        || fchmodat(basefd, "canary", 0755, 0) < 0 || fchmodat(basefd, "canary/sub", 0755, 0) < 0
        || fd_write_file_atomic_at(basefd, "canary/file", "canary", 6, 0644) < 0
        || utimensat(basefd, "canary", (struct timespec[2]){{1000, 0}, {1000, 0}}, 0) < 0)
        die("canary");
    close(basefd);
    unlink(HOST_EVIL);

    test_kinds();
    test_owners();
    test_whiteouts();
    test_opaque();
    test_same_layer();
    test_replace();
    test_attacks();
    test_streams();
    test_mutations();
    test_unmapped();
    test_unprivileged();

    {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", base, base);
        if (system(cmd) != 0)
            tap_diag("could not remove %s", base);
    }
    return tap_done();
}

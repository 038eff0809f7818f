/* SPDX-License-Identifier: Apache-2.0 */
/* lib/fd.c: in-root resolution against hostile symlinks, with openat2 and
 * with the fallback walk (every case runs in both modes and must give the
 * same answer), mkdir -p, atomic writes and bounded reads.  No root needed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

/* Names that a resolution escaping to the host would create there. */
#define HOST_ETC_FILE "/etc/berth-fd-test-created"
#define HOST_ETC_DIR "/etc/berth-fd-test-dir"

static char *tmpbase;     /* mkdtemp'd; each mode gets its own tree below it */
static bool have_openat2; /* the kernel's answer, before any forcing */

enum mode { MODE_OPENAT2, MODE_FALLBACK, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = {"openat2", "fallback"};

/* A result in words that do not depend on inode numbers, so that the two
 * modes (each with its own tree) can be compared. */
#define OUTCOME_MAX 256

static void
die(const char *what)
{
    printf("Bail out! %s: %s\n", what, strerror(errno));
    exit(1);
}

/* Format a path into one of a few static buffers: enough for the calls
 * that one statement makes, and nothing to free. */
static const char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
pathf(const char *fmt, ...)
{
    static char ring[4][PATH_MAX];
    static unsigned next;
    char *buf = ring[next++ % 4];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, PATH_MAX, fmt, ap);
    va_end(ap);
    return buf;
}

static void
write_file(const char *path, const char *content)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0 || fd_write_all(fd, content, strlen(content)) < 0)
        die(path);
}

static void
make_dir(const char *path)
{
    if (mkdir(path, 0755) < 0)
        die(path);
}

static void
make_link(const char *target, const char *path)
{
    if (symlink(target, path) < 0)
        die(path);
}

/* The tree for one mode, BASE = tmpbase/MODE:
 *   outside/secret        what an escape would reach
 *   root/                 the root handed to fd_*_in_root
 *   root/etc/passwd, root/dir/sub/file, root/outside/ (a decoy: ".." that
 *   climbs past the root must land here, not in BASE/outside)
 * and hostile symlinks in root/ (see the case table). */
static char *
build_tree(enum mode m)
{
    char *base = xasprintf("%s/%s", tmpbase, mode_names[m]);

#define AT(rel) pathf("%s/%s", base, rel)
    make_dir(base);
    make_dir(AT("outside"));
    write_file(AT("outside/secret"), "host secret\n");
    make_dir(AT("root"));
    make_dir(AT("root/etc"));
    write_file(AT("root/etc/passwd"), "root passwd\n");
    make_dir(AT("root/dir"));
    make_dir(AT("root/dir/sub"));
    write_file(AT("root/dir/sub/file"), "file\n");
    make_dir(AT("root/outside"));
    make_link("../../..", AT("root/dir/up"));
    make_link("/etc", AT("root/dir/sub/abs-etc"));
    make_link("/dir/sub/../sub", AT("root/dir/sub/abs-sub"));
    make_link("/etc", AT("root/abs-etc"));
    make_link("../../../../etc", AT("root/rel-etc"));
    make_link("dir", AT("root/dir-link"));
    make_link("dir/sub/file", AT("root/file-link"));
    make_link("/dir/sub/file", AT("root/abs-file-link"));
    make_link("loop-b", AT("root/loop-a"));
    make_link("loop-a", AT("root/loop-b"));
    make_link("self-loop", AT("root/self-loop"));
    make_link(HOST_ETC_FILE, AT("root/dangling-etc"));
    make_link("../../outside/created-up", AT("root/dangling-up"));
    make_link("../../outside", AT("root/up-outside"));
    make_link("/missing/x", AT("root/dangling-missing"));
    make_link("/proc/self/exe", AT("root/proc-exe"));
    make_link("/proc/self/fd/0", AT("root/proc-fd"));
    /* The real host path of BASE/outside: inside the root it names
       ROOT/BASE/outside, which does not exist. */
    make_link(AT("outside"), AT("root/host-outside"));
    make_link(AT("outside/created-host"), AT("root/dangling-host"));
    /* c0 -> c1 -> ... -> c39 -> dir is 40 symlinks, the most one lookup may
       follow; cx -> c0 is one too many. */
    for (int i = 0; i < 40; i++)
        make_link(i < 39 ? pathf("c%d", i + 1) : "dir", pathf("%s/root/c%d", base, i));
    make_link("c0", AT("root/cx"));
#undef AT
    return base;
}

struct open_case {
    const char *path;
    int flags;
    const char *want; /* expected inode, relative to BASE (or absolute), NULL for an error */
    int want_errno;
};

#define CREAT_W (O_WRONLY | O_CREAT)

static const struct open_case open_cases[] = {
    {"etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"/etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"//etc//./passwd", O_RDONLY, "root/etc/passwd", 0},
    {"abs-etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"abs-etc", O_RDONLY | O_DIRECTORY, "root/etc", 0},
    /* An absolute link below the root restarts at the root, not where it is. */
    {"dir/sub/abs-etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"dir-link/sub/abs-sub/abs-sub/file", O_RDONLY, "root/dir/sub/file", 0},
    /* A trailing slash follows the link even with O_NOFOLLOW. */
    {"abs-etc/", O_PATH | O_NOFOLLOW, "root/etc", 0},
    {"rel-etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"../../../etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"dir/up/etc/passwd", O_RDONLY, "root/etc/passwd", 0},
    {"dir/up/../../outside", O_PATH, "root/outside", 0},
    {"dir/../../..", O_PATH | O_DIRECTORY, "root", 0},
    {"dir/sub/../../../../etc", O_RDONLY | O_DIRECTORY, "root/etc", 0},
    {"/", O_PATH, "root", 0},
    {".", O_RDONLY | O_DIRECTORY, "root", 0},
    {"..", O_PATH, "root", 0},
    {"", O_PATH, NULL, ENOENT},
    {"dir-link/sub/file", O_RDONLY, "root/dir/sub/file", 0},
    {"dir-link/..", O_PATH, "root", 0},
    {"file-link", O_RDONLY, "root/dir/sub/file", 0},
    {"abs-file-link", O_RDONLY, "root/dir/sub/file", 0},
    {"file-link/", O_RDONLY, NULL, ENOTDIR},
    {"file-link/", O_PATH, NULL, ENOTDIR},
    {"file-link/.", O_PATH, NULL, ENOTDIR},
    {"dir/sub/file/", O_RDONLY, NULL, ENOTDIR},
    {"dir/sub/file/..", O_PATH, NULL, ENOTDIR},
    {"file-link", O_RDONLY | O_DIRECTORY, NULL, ENOTDIR},
    {"file-link", O_RDONLY | O_NOFOLLOW, NULL, ELOOP},
    {"file-link", O_PATH | O_NOFOLLOW, "root/file-link", 0},
    {"loop-a", O_RDONLY, NULL, ELOOP},
    {"self-loop/x", O_PATH, NULL, ELOOP},
    {"c0", O_PATH | O_DIRECTORY, "root/dir", 0},
    {"cx", O_PATH, NULL, ELOOP},
    {"host-outside/secret", O_RDONLY, NULL, ENOENT},
    {"dangling-host", CREAT_W, NULL, ENOENT},
    {"proc-exe", O_RDONLY, NULL, ENOENT},
    {"proc-exe", O_PATH | O_NOFOLLOW, "root/proc-exe", 0},
    {"proc-fd", O_PATH, NULL, ENOENT},
    {"dangling-missing", CREAT_W, NULL, ENOENT},
    /* While they dangle: */
    {"dangling-etc", CREAT_W | O_EXCL, NULL, EEXIST},
    {"dangling-etc", CREAT_W | O_NOFOLLOW, NULL, ELOOP},
    {"dangling-etc", CREAT_W, "root" HOST_ETC_FILE, 0},
    {"dangling-etc", O_RDONLY, "root" HOST_ETC_FILE, 0},
    {"dangling-up", CREAT_W, "root/outside/created-up", 0},
    {"newfile", CREAT_W, "root/newfile", 0},
    {"newfile", CREAT_W | O_EXCL, NULL, EEXIST},
    {"dir-link/newfile", CREAT_W | O_EXCL, "root/dir/newfile", 0},
    {"newdir/", CREAT_W, NULL, EISDIR},
    {"abs-etc/", CREAT_W, NULL, EISDIR},
    {"etc", CREAT_W, NULL, EISDIR},
    {".", O_RDONLY | O_CREAT, NULL, EISDIR},
    {"/", O_RDONLY | O_CREAT | O_EXCL, NULL, EEXIST},
    {"etc", O_WRONLY, NULL, EISDIR},
    {"missing/x", CREAT_W, NULL, ENOENT},
    {"etc/passwd/x", CREAT_W, NULL, ENOTDIR},
};

#define N_OPEN_CASES (sizeof(open_cases) / sizeof(open_cases[0]))

static char outcomes[MODE_COUNT][N_OPEN_CASES][OUTCOME_MAX];

/* Describe RC, an fd or -errno, as "=WANT" when it is the inode at WANT
 * (relative to BASE unless absolute) and O_CLOEXEC, else as what it is. */
static void
describe(int rc, const char *base, const char *want, int flags, char *out)
{
    _cleanup_free_ char *wpath = NULL;
    struct stat got, exp;
    int fdflags;

    if (rc < 0) {
        snprintf(out, OUTCOME_MAX, "error %s", strerrorname_np(-rc));
        return;
    }
    if (fstat(rc, &got) < 0 || (fdflags = fcntl(rc, F_GETFD)) < 0) {
        snprintf(out, OUTCOME_MAX, "fd, but fstat: %s", strerror(errno));
        return;
    }
    if (want == NULL) {
        snprintf(out, OUTCOME_MAX, "fd %lu:%lu", (unsigned long)got.st_dev,
                 (unsigned long)got.st_ino);
        return;
    }
    wpath = want[0] == '/' ? xstrdup(want) : xasprintf("%s/%s", base, want);
    /* An O_PATH|O_NOFOLLOW fd may be the symlink itself. */
    if (((flags & (O_PATH | O_NOFOLLOW)) == (O_PATH | O_NOFOLLOW) ? lstat(wpath, &exp)
                                                                  : stat(wpath, &exp))
        < 0)
        snprintf(out, OUTCOME_MAX, "fd, but %s is missing", want);
    else if (got.st_dev != exp.st_dev || got.st_ino != exp.st_ino)
        snprintf(out, OUTCOME_MAX, "fd %lu:%lu, not %s", (unsigned long)got.st_dev,
                 (unsigned long)got.st_ino, want);
    else if (!(fdflags & FD_CLOEXEC))
        snprintf(out, OUTCOME_MAX, "=%s without O_CLOEXEC", want);
    else
        snprintf(out, OUTCOME_MAX, "=%s", want);
}

static void __attribute__((format(printf, 4, 5)))
expect(const char *got, const char *want, int want_errno, const char *fmt, ...)
{
    char buf[OUTCOME_MAX], what[OUTCOME_MAX];
    va_list ap;

    if (want != NULL)
        snprintf(buf, sizeof(buf), "=%s", want);
    else
        snprintf(buf, sizeof(buf), "error %s", strerrorname_np(want_errno));
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    tap_is_str(got, buf, "%s", what);
}

static bool
host_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* Nothing may appear next to BASE/outside/secret. */
static int
count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void
test_open_cases(enum mode m, const char *base, int rootfd)
{
    const char *mn = mode_names[m];

    for (size_t i = 0; i < N_OPEN_CASES; i++) {
        const struct open_case *c = &open_cases[i];
        _cleanup_close_ int fd = fd_open_in_root(rootfd, c->path, c->flags, 0644);

        describe(fd, base, c->want, c->flags, outcomes[m][i]);
        expect(outcomes[m][i], c->want, c->want_errno, "%s: open '%s' flags %#o", mn, c->path,
               (unsigned)c->flags);
        if (m != MODE_OPENAT2)
            tap_is_str(outcomes[m][i], outcomes[MODE_OPENAT2][i], "%s: '%s' same as openat2", mn,
                       c->path);
    }
    tap_is_int(count_entries(pathf("%s/outside", base)), 1, "%s: nothing created outside the root",
               mn);
    tap_ok(!host_exists(HOST_ETC_FILE), "%s: nothing created in the host's /etc", mn);
}

struct mkdir_case {
    const char *path;
    const char *want; /* relative to BASE, NULL for an error */
    int want_errno;
};

static const struct mkdir_case mkdir_cases[] = {
    {"a/b/c", "root/a/b/c", 0},
    {"a/b/c", "root/a/b/c", 0}, /* again: all there already */
    {"/etc", "root/etc", 0},
    {"/", "root", 0},
    {"abs-etc/berth-fd-test-dir/x", "root" HOST_ETC_DIR "/x", 0},
    {"rel-etc/../etc/y", "root/etc/y", 0},
    {"dir/up/../../made", "root/made", 0},
    {"up-outside/z", "root/outside/z", 0},
    /* An earlier open case created the file dangling-up points to. */
    {"dangling-up/../z", NULL, ENOTDIR},
    {"dir-link//sub/./new", "root/dir/sub/new", 0},
    {"dir/sub/abs-etc/w", "root/etc/w", 0},
    {"host-outside/z", NULL, ENOENT},
    {"dangling-missing/z", NULL, ENOENT},
    {"dir/sub/file/x", NULL, ENOTDIR},
    {"file-link/x", NULL, ENOTDIR},
    {"file-link", NULL, ENOTDIR},
    {"loop-a/x", NULL, ELOOP},
};

#define N_MKDIR_CASES (sizeof(mkdir_cases) / sizeof(mkdir_cases[0]))

static char mkdir_outcomes[MODE_COUNT][N_MKDIR_CASES][OUTCOME_MAX];

static void
test_mkdir_cases(enum mode m, const char *base, int rootfd)
{
    const char *mn = mode_names[m];

    for (size_t i = 0; i < N_MKDIR_CASES; i++) {
        const struct mkdir_case *c = &mkdir_cases[i];
        _cleanup_close_ int fd = fd_mkdir_p_in_root(rootfd, c->path, 0750);
        char *out = mkdir_outcomes[m][i];

        describe(fd, base, c->want, 0, out);
        if (fd >= 0 && (fcntl(fd, F_GETFL) & O_PATH) == 0)
            snprintf(out, OUTCOME_MAX, "not an O_PATH fd");
        expect(out, c->want, c->want_errno, "%s: mkdir_p '%s'", mn, c->path);
        if (m != MODE_OPENAT2)
            tap_is_str(out, mkdir_outcomes[MODE_OPENAT2][i], "%s: mkdir_p '%s' same as openat2", mn,
                       c->path);
    }

    struct stat st;

    tap_ok(stat(pathf("%s/root/a/b", base), &st) == 0 && (st.st_mode & 07777) == 0750,
           "%s: mkdir_p creates with mode & ~umask", mn);
    tap_is_int(count_entries(pathf("%s/outside", base)), 1,
               "%s: mkdir_p created nothing outside the root", mn);
    tap_ok(!host_exists(HOST_ETC_DIR), "%s: mkdir_p created nothing in the host's /etc", mn);
}

/* Magic links need a procfs, and an unprivileged test cannot mount one in a
 * tree: use the host's "/" as the root, where /proc is (usually) procfs. */
static void
test_magic_links(enum mode m)
{
    static const struct open_case cases[] = {
        {"proc/self/status", O_RDONLY, "/proc/self/status", 0},
        {"/proc/thread-self/status", O_RDONLY, "/proc/thread-self/status", 0},
        {"proc/mounts", O_RDONLY, "/proc/self/mounts", 0},
        {"proc/self/exe", O_RDONLY, NULL, ELOOP},
        {"proc/self/exe", O_PATH | O_NOFOLLOW, "/proc/self/exe", 0},
        {"proc/self/cwd/", O_PATH, NULL, ELOOP},
        {"proc/self/root/etc", O_PATH, NULL, ELOOP},
        {"proc/self/ns/net", O_RDONLY, NULL, ELOOP},
        {"proc/self/fd/0", O_PATH, NULL, ELOOP},
        {"proc/../proc/self/fd/1/", O_PATH, NULL, ELOOP},
    };
    static char magic_outcomes[MODE_COUNT][sizeof(cases) / sizeof(cases[0])][OUTCOME_MAX];
    const char *mn = mode_names[m];
    _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct statfs sfs;

    if (statfs("/proc", &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
        tap_ok(1, "%s: # SKIP no procfs on /proc", mn);
        return;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct open_case *c = &cases[i];
        _cleanup_close_ int fd = fd_open_in_root(rootfd, c->path, c->flags, 0);
        char *out = magic_outcomes[m][i];

        describe(fd, "", c->want, c->flags, out);
        expect(out, c->want, c->want_errno, "%s: host root, open '%s' flags %#o", mn, c->path,
               (unsigned)c->flags);
        if (m != MODE_OPENAT2)
            tap_is_str(out, magic_outcomes[MODE_OPENAT2][i], "%s: '%s' same as openat2", mn,
                       c->path);
    }
}

static void
run_mode(enum mode m)
{
    _cleanup_free_ char *base = build_tree(m);
    _cleanup_free_ char *root = xasprintf("%s/root", base);
    _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (rootfd < 0)
        die(root);
    fd_force_fallback(m == MODE_FALLBACK);
    tap_is_int(fd_has_openat2(), m == MODE_OPENAT2 && have_openat2, "%s: fd_has_openat2()",
               mode_names[m]);
    test_open_cases(m, base, rootfd);
    test_mkdir_cases(m, base, rootfd);
    test_magic_links(m);
}

/* No temporary file may be left behind: DIR holds exactly N entries. */
static bool
only_entries(const char *dir, int n)
{
    return count_entries(dir) == n;
}

static void
test_atomic_write(void)
{
    _cleanup_free_ char *dir = xasprintf("%s/atomic", tmpbase);
    _cleanup_free_ char *path = xasprintf("%s/state.json", dir);
    _cleanup_close_ int dirfd = -1;
    _cleanup_free_ char *buf = NULL;
    struct stat st, st2;
    size_t len = 0;
    int rc;

    make_dir(dir);
    dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        die(dir);

    rc = fd_write_file_atomic_at(dirfd, "state.json", "{}\n", 3, 0664);
    tap_is_int(rc, 0, "atomic write: new file");
    rc = fd_read_file_at(dirfd, "state.json", 3, &buf, &len);
    tap_ok(rc == 0 && len == 3 && strcmp(buf, "{}\n") == 0, "atomic write: content");
    tap_ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0664,
           "atomic write: mode is exactly 0664 despite umask 027");
    tap_ok(only_entries(dir, 1), "atomic write: no temporary file left");

    rc = fd_write_file_atomic_at(dirfd, "state.json", "{\"a\": 1}\n", 9, 0600);
    free(TAKE_PTR(buf));
    tap_is_int(rc, 0, "atomic write: replace");
    tap_ok(fd_read_file_at(dirfd, "state.json", 100, &buf, &len) == 0 && len == 9
               && strcmp(buf, "{\"a\": 1}\n") == 0,
           "atomic write: replaced content");
    tap_ok(stat(path, &st2) == 0 && st2.st_ino != st.st_ino && (st2.st_mode & 07777) == 0600,
           "atomic write: a new inode with the new mode");
    free(TAKE_PTR(buf));

    make_dir(pathf("%s/sub", dir));
    tap_is_int(fd_write_file_atomic_at(dirfd, "sub/inner", "", 0, 0644), 0,
               "atomic write: empty file in a subdirectory");
    tap_ok(fd_read_file_at(dirfd, "sub/inner", 0, &buf, &len) == 0 && len == 0,
           "atomic write: empty file reads back empty");
    free(TAKE_PTR(buf));
    tap_ok(only_entries(pathf("%s/sub", dir), 1), "atomic write: no temporary in sub/");

    /* Renaming a file over a directory fails: NAME stays, no temp is left. */
    make_dir(pathf("%s/adir", dir));
    rc = fd_write_file_atomic_at(dirfd, "adir", "x", 1, 0644);
    tap_is_int(rc, -EISDIR, "atomic write over a directory fails");
    tap_ok(stat(pathf("%s/adir", dir), &st) == 0 && S_ISDIR(st.st_mode),
           "atomic write: failed target unchanged");
    tap_ok(only_entries(dir, 3), "atomic write: failure leaves no temporary file");
    tap_is_int(fd_write_file_atomic_at(dirfd, "missing/x", "x", 1, 0644), -ENOENT,
               "atomic write: missing directory");
    tap_is_int(fd_write_file_atomic_at(dirfd, "sub/", "x", 1, 0644), -EINVAL,
               "atomic write: NAME without a file name");
}

static void
test_read(void)
{
    _cleanup_free_ char *path = xasprintf("%s/big", tmpbase);
    size_t big = 100000, len = 0;
    _cleanup_free_ char *data = xmalloc(big);
    char *buf = NULL;
    int pipefd[2];
    int rc;

    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

        tap_ok(fd >= 0 && fd_write_all(fd, data, big) == 0, "write_all: 100000 bytes");
    }
    rc = fd_read_file_at(AT_FDCWD, path, big, &buf, &len);
    tap_ok(rc == 0 && len == big && memcmp(buf, data, big) == 0 && buf[big] == '\0',
           "read_file_at: max == size reads it all, NUL-terminated");
    free(TAKE_PTR(buf));
    rc = fd_read_file_at(AT_FDCWD, path, big - 1, &buf, &len);
    tap_is_int(rc, -EFBIG, "read_file_at: one byte past max is EFBIG");
    tap_ok(buf == NULL, "read_file_at: no buffer on failure");
    tap_is_int(fd_read_file_at(AT_FDCWD, path, 0, &buf, NULL), -EFBIG, "read_file_at: max 0");
    rc = fd_read_file_at(AT_FDCWD, path, SIZE_MAX, &buf, NULL);
    tap_ok(rc == 0 && buf != NULL && strlen(buf) == big, "read_file_at: max SIZE_MAX, no ret_len");
    free(TAKE_PTR(buf));
    tap_is_int(fd_read_file_at(AT_FDCWD, "/nonexistent/berth", 10, &buf, &len), -ENOENT,
               "read_file_at: ENOENT");

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        die("pipe2");
    rc = fd_write_all(pipefd[1], "through a pipe", 14);
    close(pipefd[1]);
    tap_is_int(rc, 0, "write_all: pipe");
    rc = fd_read_all(pipefd[0], 14, &buf, &len);
    close(pipefd[0]);
    tap_ok(rc == 0 && len == 14 && strcmp(buf, "through a pipe") == 0, "read_all: pipe");
    free(buf);
}

/* BERTH_NO_OPENAT2 is read once, at the first use: look in a child that has
 * not used lib/fd.c yet. */
static void
test_env_fallback(void)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        die("fork");
    if (pid == 0) {
        setenv("BERTH_NO_OPENAT2", "1", 1);
        _exit(fd_has_openat2() ? 1 : 0);
    }
    tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "BERTH_NO_OPENAT2=1 disables openat2");
}

/* Should a resolution have escaped (as root, with a broken lib/fd.c), undo
 * what it made in the host's /etc; the tests above have already failed. */
static void
remove_escapes(bool existed_before)
{
    if (existed_before)
        return;
    unlink(HOST_ETC_FILE);
    rmdir(HOST_ETC_DIR "/x");
    rmdir(HOST_ETC_DIR);
}

static void
remove_tree(const char *path)
{
    _cleanup_free_ char *cmd = xasprintf("rm -rf -- '%s'", path);

    if (system(cmd) != 0)
        tap_diag("could not remove %s", path);
}

int
main(void)
{
    const char *tmpdir = getenv("TMPDIR");
    bool escapes_existed;

    umask(027);
    test_env_fallback();

    tmpbase = xasprintf("%s/berth-lib-fd-XXXXXX", tmpdir != NULL ? tmpdir : "/tmp");
    if (mkdtemp(tmpbase) == NULL)
        die("mkdtemp");
    escapes_existed = host_exists(HOST_ETC_FILE) || host_exists(HOST_ETC_DIR);
    if (escapes_existed)
        tap_diag("%s or %s exists before the test: remove them", HOST_ETC_FILE, HOST_ETC_DIR);

    fd_force_fallback(false);
    have_openat2 = fd_has_openat2();
    if (!have_openat2)
        tap_diag("no openat2 here: both runs use the fallback");
    run_mode(MODE_OPENAT2);
    run_mode(MODE_FALLBACK);
    fd_force_fallback(false);
    test_atomic_write();
    test_read();

    remove_escapes(escapes_existed);
    remove_tree(tmpbase);
    free(tmpbase);
    return tap_done();
}

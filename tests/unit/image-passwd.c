/* SPDX-License-Identifier: Apache-2.0 */
/* image/passwd.c: parsing an image's /etc/passwd and /etc/group (odd lines
 * skipped, never a failure), reading them inside a rootfs (symlinks
 * resolved in the root, only regular files, a size cap), and every form of
 * config.User resolved against them.  Each read test runs with openat2 and
 * with the fallback walk. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/passwd.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

static const char passwd_text[] = "# comment line\n"
                                  "root:x:0:0:root:/root:/bin/sh\n"
                                  "\n"
                                  "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                                  "bob:x:1001:100::/home/bob:/bin/sh\n"
                                  "daemon:x:2:2:daemon:/sbin:/sbin/nologin\n"
                                  "nohome:x:1002:1002\n"
                                  "+nis\n"
                                  "-nis2:x:5:5::/:\n"
                                  "short:x:1003\n"
                                  ":x:1004:1004::/:/bin/sh\n"
                                  "badid:x:12a:1::/:/bin/sh\n"
                                  "neg:x:-1:1::/:/bin/sh\n"
                                  "huge:x:4294967295:1::/:/bin/sh\n"
                                  "big:x:4294967294:4294967294::/big:/bin/sh\n"
                                  "alice:x:2000:2000:second alice:/other:/bin/sh\n"
                                  "crlf:x:1005:1005::/home/crlf:/bin/sh\r\n"
                                  "last:x:1006:1006::/home/last:/bin/sh"; /* no newline */

static const char group_text[] = "root:x:0:\n"
                                 "wheel:x:10:root,alice\n"
                                 "staff:x:50:bob,,alice,\n"
                                 "# comment:x:51:alice\n"
                                 "users:x:100\n"
                                 "audio:x:29:alice\n"
                                 "again:x:10:alice\n"
                                 "bad:x:zz:alice\n"
                                 "alice:x:1000:\n";

static void
test_passwd_parse(void)
{
    struct image_passwd p;
    const struct image_passwd_entry *e;

    image_passwd_parse(passwd_text, sizeof(passwd_text) - 1, &p);
    /* root alice bob daemon nohome big alice(2nd) crlf last */
    tap_is_int(p.n, 9, "passwd: nine entries, the odd lines skipped");
    e = image_passwd_by_name(&p, "alice");
    tap_ok(e && e->uid == 1000 && e->gid == 1000, "passwd: the first alice wins");
    tap_is_str(e ? e->home : NULL, "/home/alice", "passwd: home directory");
    e = image_passwd_by_name(&p, "nohome");
    tap_ok(e && e->uid == 1002 && e->home == NULL, "passwd: four fields are enough, no home");
    tap_ok(image_passwd_by_name(&p, "short") == NULL, "passwd: three fields are skipped");
    tap_ok(image_passwd_by_name(&p, "+nis") == NULL && image_passwd_by_uid(&p, 5) == NULL,
           "passwd: NIS compat lines are skipped");
    tap_ok(image_passwd_by_uid(&p, 1004) == NULL, "passwd: an empty name is skipped");
    tap_ok(image_passwd_by_name(&p, "badid") == NULL && image_passwd_by_name(&p, "neg") == NULL,
           "passwd: non-numeric and negative ids are skipped");
    tap_ok(image_passwd_by_name(&p, "huge") == NULL, "passwd: uid 4294967295 is skipped");
    e = image_passwd_by_name(&p, "big");
    tap_ok(e && e->uid == 4294967294u && e->gid == 4294967294u, "passwd: uid 4294967294 is fine");
    e = image_passwd_by_name(&p, "crlf");
    tap_is_str(e ? e->home : NULL, "/home/crlf", "passwd: a CRLF line ending is dropped");
    e = image_passwd_by_name(&p, "last");
    tap_ok(e && e->uid == 1006, "passwd: the last line needs no newline");
    e = image_passwd_by_uid(&p, 0);
    tap_is_str(e ? e->name : NULL, "root", "passwd: lookup by uid");
    tap_ok(image_passwd_by_name(NULL, "root") == NULL, "passwd: a NULL file finds nothing");
    image_passwd_clear(&p);
    tap_ok(p.n == 0 && p.items == NULL, "passwd: clear empties");
}

static void
test_passwd_odd_input(void)
{
    struct image_passwd p;
    size_t big = 300000;
    char *line = xmalloc(big + 128);
    static const char nul_text[] = "evil:x:7:7::/\0:/bin/sh\nok:x:8:8::/ok:/bin/sh\n";
    const struct image_passwd_entry *e;

    /* A very long gecos field: no line-length limit below the file cap. */
    memcpy(line, "long:x:3000:3000:", 17);
    memset(line + 17, 'g', big);
    strcpy(line + 17 + big, ":/home/long:/bin/sh\nnext:x:3001:3001::/n:/bin/sh\n");
    image_passwd_parse(line, strlen(line), &p);
    e = image_passwd_by_name(&p, "long");
    tap_ok(p.n == 2 && e && e->uid == 3000, "passwd: a 300 KB line parses");
    tap_is_str(e ? e->home : NULL, "/home/long", "passwd: fields after a long one");
    image_passwd_clear(&p);
    free(line);

    image_passwd_parse(nul_text, sizeof(nul_text) - 1, &p);
    tap_ok(p.n == 1 && image_passwd_by_name(&p, "ok") != NULL,
           "passwd: a line with a NUL byte is skipped, the next one kept");
    image_passwd_clear(&p);

    image_passwd_parse("", 0, &p);
    tap_ok(p.n == 0, "passwd: empty text");
    image_passwd_clear(&p);
    image_passwd_parse("\n\n\r\n::::\n:::\n", 12, &p);
    tap_ok(p.n == 0, "passwd: only blank and empty lines");
    image_passwd_clear(&p);
    /* Fields past the seventh are ignored, like runc's parser. */
    image_passwd_parse("x:x:9:9:g:/h:/s:extra:more", 26, &p);
    tap_ok(p.n == 1 && p.items[0].uid == 9, "passwd: extra fields are ignored");
    image_passwd_clear(&p);
}

static void
test_group_parse(void)
{
    struct image_group g;
    const struct image_group_entry *e;

    image_group_parse(group_text, sizeof(group_text) - 1, &g);
    tap_is_int(g.n, 7, "group: seven entries (comment and bad gid skipped)");
    e = image_group_by_name(&g, "staff");
    tap_ok(e && e->gid == 50 && e->members.n == 2, "group: empty member names are dropped");
    tap_ok(e && e->members.n == 2 && strcmp(e->members.items[0], "bob") == 0
               && strcmp(e->members.items[1], "alice") == 0,
           "group: members in order");
    e = image_group_by_name(&g, "users");
    tap_ok(e && e->gid == 100 && e->members.n == 0, "group: three fields, no members");
    e = image_group_by_name(&g, "root");
    tap_ok(e && e->gid == 0 && e->members.n == 0, "group: an empty member list");
    tap_ok(image_group_by_name(&g, "bad") == NULL, "group: a bad gid is skipped");
    image_group_clear(&g);
}

/* ---- config.User ---- */

struct db {
    struct image_passwd p;
    struct image_group g;
};

static void
db_init(struct db *d)
{
    image_passwd_parse(passwd_text, sizeof(passwd_text) - 1, &d->p);
    image_group_parse(group_text, sizeof(group_text) - 1, &d->g);
}

static void
db_clear(struct db *d)
{
    image_passwd_clear(&d->p);
    image_group_clear(&d->g);
}

/* Resolve USER; on success compare with the wanted ids (WANT_GIDS: NULL
 * means additionalGids must be unset). */
static void
check_user(const struct db *d, const char *user, uint32_t uid, uint32_t gid,
           const uint32_t *want_gids, size_t n_want, const char *home)
{
    struct image_user u;
    struct error *err = NULL;
    int rc = image_user_resolve(user, &d->p, &d->g, &u, &err);
    bool gids_ok;

    tap_ok(rc == 0, "user '%s': resolves%s%s", user ? user : "(null)", err ? ": " : "",
           err ? err->msg : "");
    error_free(&err);
    if (rc < 0)
        return;
    tap_ok(u.uid == uid && u.gid == gid, "user '%s': uid %" PRIu32 " gid %" PRIu32,
           user ? user : "(null)", uid, gid);
    if (u.uid != uid || u.gid != gid)
        tap_diag("got uid %" PRIu32 " gid %" PRIu32, u.uid, u.gid);
    if (want_gids == NULL) {
        gids_ok = u.additional_gids.items == NULL && u.additional_gids.n == 0;
    } else {
        gids_ok = u.additional_gids.items != NULL && u.additional_gids.n == n_want;
        for (size_t i = 0; gids_ok && i < n_want; i++)
            gids_ok = u.additional_gids.items[i] == want_gids[i];
    }
    tap_ok(gids_ok, "user '%s': additional gids %s", user ? user : "(null)",
           want_gids ? "as listed" : "unset");
    tap_is_str(u.home, home, "user '%s': home", user ? user : "(null)");
    image_user_clear(&u);
}

static void
check_user_error(const struct image_passwd *p, const struct image_group *g, const char *user,
                 const char *want_msg)
{
    struct image_user u;
    struct error *err = NULL;
    int rc = image_user_resolve(user, p, g, &u, &err);

    tap_ok(rc == -EINVAL && err != NULL, "user '%s': refused with EINVAL", user);
    tap_is_str(err ? err->msg : NULL, want_msg, "user '%s': message", user);
    tap_ok(u.additional_gids.items == NULL && u.home == NULL, "user '%s': nothing left", user);
    error_free(&err);
}

static void
test_user_forms(void)
{
    struct db d;
    /* wheel(10), staff(50), audio(29), alice(1000) has no members; "again"
     * repeats gid 10, listed once */
    static const uint32_t alice_gids[] = {10, 50, 29};
    static const uint32_t bob_gids[] = {50};

    db_init(&d);
    check_user(&d, NULL, 0, 0, NULL, 0, "/root");
    check_user(&d, "", 0, 0, NULL, 0, "/root");
    check_user(&d, "alice", 1000, 1000, alice_gids, 3, "/home/alice");
    check_user(&d, "bob", 1001, 100, bob_gids, 1, "/home/bob");
    check_user(&d, "nohome", 1002, 1002, (const uint32_t[]){0}, 0, NULL);
    check_user(&d, "1001", 1001, 100, NULL, 0, "/home/bob");
    check_user(&d, "4242", 4242, 0, NULL, 0, NULL);
    check_user(&d, "alice:staff", 1000, 50, NULL, 0, "/home/alice");
    check_user(&d, "alice:77", 1000, 77, NULL, 0, "/home/alice");
    check_user(&d, "1000:staff", 1000, 50, NULL, 0, "/home/alice");
    check_user(&d, "4242:4343", 4242, 4343, NULL, 0, NULL);
    check_user(&d, "4242:users", 4242, 100, NULL, 0, NULL);
    check_user(&d, "0:0", 0, 0, NULL, 0, "/root");
    check_user(&d, "007", 7, 0, NULL, 0, NULL);

    check_user_error(&d.p, &d.g, "mallory",
                     "config.User 'mallory': no such user in the image's /etc/passwd");
    check_user_error(&d.p, &d.g, "alice:nogroup",
                     "config.User 'alice:nogroup': no such group 'nogroup' in the image's "
                     "/etc/group");
    check_user_error(&d.p, &d.g, "1000:nogroup",
                     "config.User '1000:nogroup': no such group 'nogroup' in the image's "
                     "/etc/group");
    check_user_error(&d.p, &d.g, "mallory:staff",
                     "config.User 'mallory:staff': no such user in the image's /etc/passwd");
    check_user_error(&d.p, &d.g, "alice:", "config.User 'alice:': the group part is empty");
    check_user_error(&d.p, &d.g, ":staff", "config.User ':staff': the user part is empty");
    check_user_error(&d.p, &d.g, "4294967295",
                     "config.User '4294967295': uid 4294967295 is out of range (0 to 4294967294)");
    check_user_error(&d.p, &d.g, "99999999999",
                     "config.User '99999999999': uid 99999999999 is out of range (0 to "
                     "4294967294)");
    check_user_error(&d.p, &d.g, "1:99999999999",
                     "config.User '1:99999999999': gid 99999999999 is out of range (0 to "
                     "4294967294)");
    /* Without the files: numbers still work, names do not. */
    check_user_error(NULL, NULL, "alice",
                     "config.User 'alice': no such user in the image's rootfs (it has no "
                     "/etc/passwd)");
    check_user_error(&d.p, NULL, "alice:staff",
                     "config.User 'alice:staff': no such group 'staff' in the image's rootfs "
                     "(it has no /etc/group)");
    db_clear(&d);

    {
        struct image_user u;
        struct error *err = NULL;
        int rc = image_user_resolve("1000:50", NULL, NULL, &u, &err);

        tap_ok(rc == 0 && u.uid == 1000 && u.gid == 50 && u.home == NULL,
               "user '1000:50' without /etc/passwd nor /etc/group");
        image_user_clear(&u);
        rc = image_user_resolve("alice", &(struct image_passwd){0}, NULL, &u, &err);
        tap_ok(rc == -EINVAL, "user 'alice' with an empty /etc/passwd: refused");
        tap_is_str(err ? err->msg : NULL,
                   "config.User 'alice': no such user in the image's /etc/passwd",
                   "user 'alice' with an empty /etc/passwd: message");
        error_free(&err);
        rc = image_user_resolve("root", &(struct image_passwd){0}, NULL, &u, &err);
        tap_ok(rc == -EINVAL, "user 'root' needs an entry too");
        error_free(&err);
    }
}

/* ---- reading inside a rootfs ---- */

static char tmpdir[] = "/tmp/berth-image-passwd-XXXXXX";

static void
write_file(const char *rel, const char *text)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static void
make_dir(const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);

    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
}

static void
make_link(const char *target, const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);

    unlink(path);
    if (symlink(target, path) < 0) {
        perror(path);
        exit(1);
    }
}

static void
remove_path(const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);

    /* unlink(2) says EISDIR for a directory on Linux. */
    if (unlink(path) < 0 && errno == EISDIR)
        rmdir(path);
}

static int
open_root(const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        perror(path);
        exit(1);
    }
    return fd;
}

/* Read root/etc/passwd; returns the rc, *NAME the first entry's name. */
static int
read_first(int rootfd, char **name, struct error **err)
{
    struct image_passwd p;
    int rc = image_passwd_read_at(rootfd, &p, err);

    *name = rc > 0 && p.n > 0 ? xstrdup(p.items[0].name) : NULL;
    image_passwd_clear(&p);
    return rc;
}

static void
test_read_at(const char *mode)
{
    _cleanup_close_ int rootfd = -1;
    struct error *err = NULL;
    char *name = NULL;
    struct image_group g;
    int rc;

    make_dir("root");
    make_dir("root/etc");
    make_dir("root/inside");
    rootfd = open_root("root");

    /* No files at all. */
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == 0 && err == NULL, "%s: no /etc/passwd is not an error", mode);
    rc = image_group_read_at(rootfd, &g, &err);
    tap_ok(rc == 0 && g.n == 0 && err == NULL, "%s: no /etc/group either", mode);
    image_group_clear(&g);

    write_file("root/etc/passwd", "inroot:x:1:1::/:/bin/sh\n");
    write_file("root/etc/group", "grp:x:5:inroot\n");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == 1 && name && strcmp(name, "inroot") == 0, "%s: /etc/passwd read", mode);
    free(name);
    rc = image_group_read_at(rootfd, &g, &err);
    tap_ok(rc == 1 && g.n == 1 && g.items[0].gid == 5, "%s: /etc/group read", mode);
    image_group_clear(&g);

    /* A relative symlink climbing out: in the root ".." stops at "/", so
     * it names root/inside/passwd, never tmpdir/inside/passwd. */
    make_dir("inside");
    write_file("inside/passwd", "host:x:0:0::/:/bin/sh\n");
    write_file("root/inside/passwd", "contained:x:2:2::/:/bin/sh\n");
    make_link("../../../inside/passwd", "root/etc/passwd");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == 1 && name && strcmp(name, "contained") == 0,
           "%s: a relative symlink out of the root resolves inside it", mode);
    free(name);

    /* An absolute one is taken from the rootfs too. */
    make_link("/../../inside/passwd", "root/etc/passwd");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == 1 && name && strcmp(name, "contained") == 0,
           "%s: '/../../inside/passwd' resolves inside the root", mode);
    free(name);

    /* /etc/passwd -> /../../etc/passwd: on the host that is the host's
     * file; in the root it is itself, a loop. */
    make_link("/../../etc/passwd", "root/etc/passwd");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == -ELOOP && err != NULL,
           "%s: '/../../etc/passwd' is a loop in the root, never "
           "the host's file",
           mode);
    tap_is_str(err ? err->msg : NULL,
               "'/etc/passwd' in the image: Too many levels of symbolic links",
               "%s: the loop is named", mode);
    error_free(&err);
    free(name);

    /* A dangling symlink: no file. */
    make_link("/nowhere/passwd", "root/etc/passwd");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == 0 && err == NULL, "%s: a dangling symlink is no /etc/passwd", mode);

    /* A FIFO must not hang the read. */
    remove_path("root/etc/passwd");
    {
        _cleanup_free_ char *fifo = xasprintf("%s/root/etc/passwd", tmpdir);

        if (mkfifo(fifo, 0644) < 0) {
            perror(fifo);
            exit(1);
        }
    }
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == -EINVAL && err != NULL, "%s: a FIFO is refused, without blocking", mode);
    tap_is_str(err ? err->msg : NULL, "'/etc/passwd' in the image is not a regular file",
               "%s: the FIFO is named", mode);
    error_free(&err);
    remove_path("root/etc/passwd");

    /* A directory. */
    make_dir("root/etc/passwd");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == -EINVAL && err != NULL, "%s: a directory is refused", mode);
    error_free(&err);
    remove_path("root/etc/passwd");

    /* Past the cap, sparse so that it costs nothing. */
    {
        _cleanup_free_ char *path = xasprintf("%s/root/etc/passwd", tmpdir);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0 || ftruncate(fd, (off_t)IMAGE_PASSWD_MAX + 1) < 0) {
            perror(path);
            exit(1);
        }
    }
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == -EFBIG && err != NULL && strstr(err->msg, "'/etc/passwd'") != NULL,
           "%s: a file past IMAGE_PASSWD_MAX is refused", mode);
    error_free(&err);
    remove_path("root/etc/passwd");

    /* /etc that is a file: no /etc/passwd. */
    remove_path("root/etc/group");
    remove_path("root/etc");
    write_file("root/etc", "not a directory\n");
    rc = read_first(rootfd, &name, &err);
    tap_ok(rc == 0 && err == NULL, "%s: /etc as a file means no /etc/passwd", mode);
    remove_path("root/etc");
    remove_path("root/inside/passwd");
    remove_path("root/inside");
    remove_path("inside/passwd");
    remove_path("inside");
    remove_path("root");
}

int
main(void)
{
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_passwd_parse();
    test_passwd_odd_input();
    test_group_parse();
    test_user_forms();
    fd_force_fallback(false);
    test_read_at(fd_has_openat2() ? "openat2" : "walk");
    fd_force_fallback(true);
    test_read_at("fallback walk");
    fd_force_fallback(false);
    rmdir(tmpdir);
    return tap_done();
}

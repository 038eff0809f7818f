/* SPDX-License-Identifier: Apache-2.0 */
/* `berth spec [--bundle DIR] [--rootless]`: write a starter config.json into
 * the bundle directory, like `runc spec`.  An existing config.json is never
 * replaced, even one that appears while we write. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/cli/cli.h"
#include "seccomp/sfilter.h"

#define CONFIG_NAME "config.json"

static void
usage(FILE *out)
{
    fprintf(out, "Usage: berth spec [OPTIONS]\n\n"
                 "Write a starter " CONFIG_NAME " into the bundle directory: a shell (sh) in\n"
                 "rootfs/ with a terminal, few capabilities and the usual namespaces.\n\n"
                 "Options:\n"
                 "  -b, --bundle DIR   the bundle directory (default: the current one)\n"
                 "  --rootless         a spec for an unprivileged user: a user namespace\n"
                 "                     mapping your uid and gid to root, no network namespace,\n"
                 "                     no cgroup settings\n"
                 "  -h, --help         print this help\n\n"
                 "An existing " CONFIG_NAME " is never overwritten.  See berth-spec(8).\n");
}

/* The path of config.json in DIR, as the user would type it. */
static char *
config_path(const char *dir)
{
    size_t n = strlen(dir);

    return xasprintf("%s%s" CONFIG_NAME, dir, (n > 0 && dir[n - 1] == '/') ? "" : "/");
}

static int
write_and_sync(int fd, const char *buf, size_t len)
{
    int rc = fd_write_all(fd, buf, len);

    if (rc < 0)
        return rc;
    if (fsync(fd) < 0)
        return -errno;
    return 0;
}

/* Remove the config.json we created (OURS) after a failed write, but only
 * if the name still refers to it: someone may have renamed theirs over it. */
static void
remove_if_ours(int dirfd, const struct stat *ours)
{
    struct stat now;

    if (fstatat(dirfd, CONFIG_NAME, &now, AT_SYMLINK_NOFOLLOW) < 0)
        return;
    if (ours->st_dev == now.st_dev && ours->st_ino == now.st_ino)
        unlinkat(dirfd, CONFIG_NAME, 0);
}

/* Make the new directory entry durable.  EINVAL means a filesystem that
 * cannot sync directories (some FUSE ones): nothing more can be done. */
static int
sync_dir(int dirfd)
{
    _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0 && errno != EINVAL)
        return -errno;
    return 0;
}

/* Create DIRFD/config.json exclusively and fill it with BUF.  On failure no
 * file of ours is left behind and an existing one is untouched. */
static int
create_config_at(int dirfd, const char *path, const char *buf, size_t len, struct error **err)
{
    _cleanup_close_ int fd = -1;
    struct stat ours;
    int rc;

    /* O_EXCL also refuses a dangling symlink named config.json, which
     * O_CREAT alone would follow and create its target.  0666 less the
     * umask, as runc: config.json is not secret, and the user's umask says
     * who else may read their files. */
    fd = openat(dirfd, CONFIG_NAME, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EEXIST)
            return error_setx(err, EEXIST, "spec: '%s' already exists; remove it first", path);
        return error_set(err, errno, "spec: create '%s'", path);
    }
    if (fstat(fd, &ours) < 0) {
        rc = -errno;
        unlinkat(dirfd, CONFIG_NAME, 0); /* created a moment ago, by us */
        return error_set(err, -rc, "spec: stat '%s'", path);
    }
    rc = write_and_sync(fd, buf, len);
    if (rc == 0 && close(TAKE_FD(fd)) < 0) /* NFS reports failed writeback here */
        rc = -errno;
    if (rc < 0) {
        remove_if_ours(dirfd, &ours);
        return error_set(err, -rc, "spec: write '%s'", path);
    }
    rc = sync_dir(dirfd);
    if (rc < 0)
        return error_set(err, -rc, "spec: sync the directory of '%s'", path);
    return 0;
}

int
cli_spec(const struct cli_globals *g, int argc, char **argv)
{
    enum { OPT_ROOTLESS = 256 };
    static const struct option options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"rootless", no_argument, NULL, OPT_ROOTLESS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *bundle = ".";
    bool rootless = false;
    struct error *err = NULL;
    _cleanup_close_ int dirfd = -1;
    _cleanup_free_ char *path = NULL;
    _cleanup_free_ char *buf = NULL;
    struct spec *s;
    size_t len = 0;
    int c, rc;

    while ((c = getopt_long(argc, argv, ":b:h", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            bundle = optarg;
            break;
        case OPT_ROOTLESS:
            rootless = true;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(g, "spec", "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return cli_usage_error(g, "spec", "unknown option '-%c'", optopt);
            return cli_usage_error(g, "spec", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(g, "spec", "unexpected argument '%s'", argv[optind]);

    dirfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        error_set(&err, errno, "spec: bundle '%s'", bundle);
        return cli_fail(g, &err);
    }
    path = config_path(bundle);

    /* The effective ids, as runc: the kernel lets an unprivileged process
     * map exactly its effective uid and gid (user_namespaces(7)). */
    s = rootless ? spec_default_rootless(geteuid(), getegid()) : spec_default();
    /* berth's default seccomp profile (berth-seccomp(7)), resolved for the
     * spec's bounding set; bundle/ knows nothing of seccomp/. */
    s->linux_->seccomp = sfilter_default_profile(&s->process->capabilities->bounding, &err);
    rc = s->linux_->seccomp != NULL ? spec_write(s, true, &buf, &len, &err) : -EINVAL;
    spec_free(s);
    if (rc < 0) {
        error_wrap(&err, "spec");
        return cli_fail(g, &err);
    }
    if (create_config_at(dirfd, path, buf, len, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

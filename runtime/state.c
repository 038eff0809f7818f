/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/state.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

#define STATE_MAX_SIZE (1u << 20)

static bool
dir_is_ours(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

/* Is this process in the initial user namespace, which maps every id to
 * itself ("0 0 4294967295")? */
static bool
in_initial_userns(void)
{
    unsigned long inside, outside, count;
    char line[128];
    FILE *f = fopen("/proc/self/uid_map", "re");
    bool initial = true; /* no /proc/self/uid_map: no user namespaces */

    if (f != NULL) {
        initial = fgets(line, sizeof(line), f) != NULL
                  && sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0
                  && outside == 0 && count == 4294967295UL && fgets(line, sizeof(line), f) == NULL;
        fclose(f);
    }
    return initial;
}

char *
state_root_path(const char *root)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *user = getenv("USER");

    if (root != NULL && root[0] != '\0')
        return xstrdup(root);
    /* Root in a user namespace that is not the initial one: rootless
     * podman runs its runtime as uid 0 of the user namespace it made for
     * the user, with that user's $XDG_RUNTIME_DIR, and /run/berth there
     * belongs to nobody.  runc's rule (shouldHonorXDGRuntimeDir): such a
     * root uses $XDG_RUNTIME_DIR/berth unless $USER is "root". */
    if (geteuid() == 0) {
        if (xdg != NULL && xdg[0] == '/' && (user == NULL || strcmp(user, "root") != 0)
            && !in_initial_userns())
            return xasprintf("%s/berth", xdg);
        return xstrdup("/run/berth");
    }
    if (xdg != NULL && xdg[0] == '/' && dir_is_ours(xdg))
        return xasprintf("%s/berth", xdg);
    {
        char run_user[64];

        snprintf(run_user, sizeof(run_user), "/run/user/%u", (unsigned)geteuid());
        if (dir_is_ours(run_user))
            return xasprintf("%s/berth", run_user);
    }
    /* No runtime dir (e.g. `su` without a login session): a private
     * directory under /tmp, checked for ownership when opened. */
    return xasprintf("/tmp/berth-%u", (unsigned)geteuid());
}

int
state_root_open(const char *root, struct error **err)
{
    _cleanup_free_ char *path = state_root_path(root);
    _cleanup_close_ int fd = -1;
    struct stat st;
    char *slash;

    fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        /* Create missing parents too (a fresh tmpfs /run/user/UID). */
        for (slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return error_set(err, errno, "state root: mkdir '%s'", path);
            *slash = '/';
        }
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
            return error_set(err, errno, "state root: mkdir '%s'", path);
        fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0)
        return error_set(err, errno, "state root '%s'", path);
    if (fstat(fd, &st) < 0)
        return error_set(err, errno, "state root '%s'", path);
    /* In a shared place like /tmp, someone else could have made it first. */
    if (st.st_uid != geteuid())
        return error_setx(err, EPERM, "state root '%s' belongs to uid %u, not to us", path,
                          (unsigned)st.st_uid);
    return TAKE_FD(fd);
}

int
state_check_id(const char *id, struct error **err)
{
    size_t n = strlen(id);

    if (n == 0)
        return error_setx(err, EINVAL, "container id is empty");
    if (n > 1024)
        return error_setx(err, EINVAL, "container id is longer than 1024 bytes");
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return error_setx(err, EINVAL, "invalid container id '%s'", id);
    for (const char *c = id; *c; c++)
        if (!isalnum((unsigned char)*c) && strchr("_+.-", *c) == NULL)
            return error_setx(err, EINVAL,
                              "invalid container id '%s': only letters, digits and _+.- allowed",
                              id);
    return 0;
}

static int
lock_dir(int rootfd, const char *id, struct error **err)
{
    _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0) {
        if (errno == ENOENT)
            return error_setx(err, ENOENT, "container '%s' does not exist", id);
        return error_set(err, errno, "container '%s': open state directory", id);
    }
    if (flock(fd, LOCK_EX) < 0)
        return error_set(err, errno, "container '%s': lock state directory", id);
    return TAKE_FD(fd);
}

int
state_dir_create(int rootfd, const char *id, struct error **err)
{
    int rc = state_check_id(id, err);

    if (rc < 0)
        return rc;
    if (mkdirat(rootfd, id, 0700) < 0) {
        if (errno == EEXIST)
            return error_setx(err, EEXIST, "container '%s' already exists", id);
        return error_set(err, errno, "container '%s': create state directory", id);
    }
    return lock_dir(rootfd, id, err);
}

int
state_dir_open(int rootfd, const char *id, struct error **err)
{
    int rc = state_check_id(id, err);

    if (rc < 0)
        return rc;
    return lock_dir(rootfd, id, err);
}

int
state_dir_remove(int rootfd, const char *id, struct error **err)
{
    _cleanup_close_ int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d;
    struct dirent *de;

    if (fd < 0)
        return errno == ENOENT ? 0 : error_set(err, errno, "container '%s': open state", id);
    d = fdopendir(fd);
    if (d == NULL)
        return error_set(err, errno, "container '%s': read state directory", id);
    fd = -1; /* owned by d now */
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
            int e = errno;
            closedir(d);
            return error_set(err, e, "container '%s': remove '%s'", id, de->d_name);
        }
    }
    closedir(d);
    if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return error_set(err, errno, "container '%s': remove state directory", id);
    return 0;
}

int
state_write(int dirfd, const struct spec_state *st, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc;

    rc = spec_state_write(st, false, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = fd_replace_file_at(dirfd, STATE_FILE, buf, len, 0600, false);
    if (rc < 0)
        return error_set(err, -rc, "write '%s'", STATE_FILE);
    return 0;
}

struct spec_state *
state_read(int dirfd, const char *id, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc;

    rc = fd_read_file_at(dirfd, STATE_FILE, STATE_MAX_SIZE, &buf, &len);
    if (rc < 0) {
        /* A directory without state.json is a create that died half-way. */
        if (rc == -ENOENT)
            error_setx(err, ENOENT, "container '%s' does not exist", id);
        else
            error_set(err, -rc, "container '%s': read state", id);
        return NULL;
    }
    return spec_state_parse(buf, len, STATE_FILE, err);
}

unsigned long long
state_proc_start_time(pid_t pid)
{
    char path[64], buf[1024];
    _cleanup_close_ int fd = -1;
    unsigned long long start = 0;
    ssize_t n;
    char *p, state;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: skip to the last ')'. */
    p = strrchr(buf, ')');
    if (p == NULL || sscanf(p + 1, " %c", &state) != 1)
        return 0;
    if (state == 'Z' || state == 'X')
        return 0;
    /* Field 22 is starttime; after ')' come fields 3.. */
    p++;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p + 1, ' ');
    }
    if (p == NULL || sscanf(p, " %llu", &start) != 1)
        return 0;
    return start;
}

const char *
state_status(int dirfd, const struct spec_state *st)
{
    unsigned long long now;
    struct stat sb;

    if (!st->has_pid || st->pid <= 0)
        return "stopped";
    now = state_proc_start_time((pid_t)st->pid);
    if (now == 0)
        return "stopped";
    if (st->priv && st->priv->has_init_start_time && st->priv->init_start_time != now)
        return "stopped"; /* the pid was reused by another process */
    if (fstatat(dirfd, STATE_EXEC_SOCK, &sb, AT_SYMLINK_NOFOLLOW) == 0)
        return "created";
    return "running";
}

char *
state_now_rfc3339(void)
{
    struct timespec ts;
    struct tm tm;
    char buf[64];
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
    return xstrdup(buf);
}

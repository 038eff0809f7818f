/* SPDX-License-Identifier: Apache-2.0 */
/* CVE-2019-5736 defences (runtime/exeguard.h). */
#include "runtime/exeguard.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "bundle/spec.h"

extern char **environ;

#define EXEGUARD_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int
exeguard_undumpable(struct error **err)
{
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return error_set(err, errno, "PR_SET_DUMPABLE 0");
    return 0;
}

bool
exeguard_shares_userns(pid_t pid)
{
    char path[64];
    struct stat self, other;

    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
    if (stat("/proc/self/ns/user", &self) < 0 || stat(path, &other) < 0)
        return true;
    return self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

bool
exeguard_is_sealed(void)
{
    _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    int seals;

    if (fd < 0)
        return false;
    /* EINVAL on anything but a memfd (or a file of a filesystem with
     * seals): not sealed. */
    seals = fcntl(fd, F_GET_SEALS);
    return seals >= 0 && (seals & EXEGUARD_SEALS) == EXEGUARD_SEALS;
}

/* Copy all of SRC (SIZE bytes) into DST: copy_file_range where the kernel
 * does it between these filesystems, else sendfile. */
static int
copy_all(int src, int dst, off_t size)
{
    off_t done = 0;
    bool use_sendfile = false;

    while (done < size) {
        size_t want = (size_t)(size - done);
        ssize_t n;

        if (!use_sendfile) {
            n = copy_file_range(src, NULL, dst, NULL, want, 0);
            if (n < 0
                && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
                use_sendfile = true;
                continue;
            }
        } else {
            n = sendfile(dst, src, NULL, want);
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EIO; /* the file shrank under us */
        done += n;
    }
    return 0;
}

/* Our argv again, from /proc/self/cmdline (the library has no argv).  The
 * strings point into *RET_BUF. */
static char **
read_argv(char **ret_buf, int *ret_errno)
{
    size_t len = 0, n = 0;
    char *buf = NULL;
    char **argv;
    int rc = fd_read_file_at(AT_FDCWD, "/proc/self/cmdline", 1u << 20, &buf, &len);

    if (rc < 0) {
        *ret_errno = -rc;
        return NULL;
    }
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '\0';
    argv = xcalloc(n + 2, sizeof(char *));
    n = 0;
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
        argv[n++] = buf + i;
    argv[n] = NULL;
    *ret_buf = buf;
    return argv;
}

int
exeguard_reexec(struct error **err)
{
    _cleanup_close_ int src = -1;
    _cleanup_close_ int mfd = -1;
    _cleanup_free_ char *cmdline = NULL;
    _cleanup_free_ char **argv = NULL;
    struct stat st;
    int rc, e = 0;

    if (exeguard_is_sealed())
        return 0;
    src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (src < 0 || fstat(src, &st) < 0)
        return error_set(err, errno, "CVE-2019-5736 guard: open '/proc/self/exe'");
    mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return error_set(err, errno, "CVE-2019-5736 guard: memfd_create");
    rc = copy_all(src, mfd, st.st_size);
    if (rc < 0)
        return error_set(err, -rc, "CVE-2019-5736 guard: copy '/proc/self/exe' into a memfd");
    if (fcntl(mfd, F_ADD_SEALS, EXEGUARD_SEALS) < 0)
        return error_set(err, errno, "CVE-2019-5736 guard: seal the memfd copy of berth");
    /* The file we copied, for what keys on our binary (the seccomp
     * cache: seccomp/sfilter-cache.c). */
    {
        char id[128];

        snprintf(id, sizeof(id), "%llu:%llu:%llu:%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino, (unsigned long long)st.st_size,
                 (unsigned long long)st.st_mtim.tv_sec, (unsigned long long)st.st_mtim.tv_nsec);
        if (setenv("_BERTH_EXE_ID", id, 1) < 0)
            return error_set(err, errno, "CVE-2019-5736 guard: setenv");
    }
    argv = read_argv(&cmdline, &e);
    if (argv == NULL)
        return error_set(err, e, "CVE-2019-5736 guard: read '/proc/self/cmdline'");
    fexecve(mfd, argv, environ);
    return error_set(err, errno, "CVE-2019-5736 guard: execute the sealed copy of berth");
}

/* Whether a file with owner UID and mode MODE is writable from a user
 * namespace with uid mappings MAPS (host ids in hostID..hostID+size). */
static bool
writable_through(uid_t uid, mode_t mode, const struct spec_id_mapping *maps, size_t n)
{
    if (mode & (S_IWGRP | S_IWOTH))
        return true;
    for (size_t i = 0; i < n; i++)
        if ((uint64_t)uid >= maps[i].host_id
            && (uint64_t)uid < (uint64_t)maps[i].host_id + maps[i].size)
            return true;
    return false;
}

static bool
exe_stat(struct stat *st)
{
    return stat("/proc/self/exe", st) == 0;
}

bool
exeguard_exe_reachable(const struct spec_id_mapping *maps, size_t n)
{
    struct stat st;

    if (maps == NULL || !exe_stat(&st))
        return true;
    return writable_through(st.st_uid, st.st_mode, maps, n);
}

bool
exeguard_exe_reachable_from(pid_t pid)
{
    _cleanup_free_ char *text = NULL;
    _cleanup_free_ struct spec_id_mapping *maps = NULL;
    size_t len = 0, n = 0, cap = 0;
    char path[64];
    struct stat st;

    if (exeguard_shares_userns(pid) || !exe_stat(&st))
        return true;
    snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
    if (fd_read_file_at(AT_FDCWD, path, 1u << 16, &text, &len) < 0)
        return true;
    /* "inside outside count" lines. */
    for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
        unsigned long inside, outside, count;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) != 3)
            return true;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            maps = xrealloc(maps, cap * sizeof(*maps));
        }
        maps[n++] = (struct spec_id_mapping){.container_id = (uint32_t)inside,
                                             .host_id = (uint32_t)outside,
                                             .size = (uint32_t)count};
    }
    return writable_through(st.st_uid, st.st_mode, maps, n);
}

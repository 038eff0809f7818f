/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

enum idmap_method
userns_map_method(const struct spec_id_mapping *maps, size_t n, uid_t self, bool privileged,
                  bool is_gid)
{
    if (privileged)
        return IDMAP_DIRECT;
    if (n == 1 && maps[0].size == 1 && maps[0].host_id == self)
        return is_gid ? IDMAP_DIRECT_DENY : IDMAP_DIRECT;
    return IDMAP_HELPER;
}

char *
userns_map_text(const struct spec_id_mapping *maps, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%u %u %u\n", maps[i].container_id, maps[i].host_id, maps[i].size);
    fclose(f);
    return buf;
}

static int
write_proc_file(pid_t pid, const char *name, const char *text, struct error **err)
{
    char path[64];
    _cleanup_close_ int fd = -1;
    int rc;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(err, errno, "open '%s'", path);
    /* The map files take the whole map in one write(2). */
    rc = fd_write_all(fd, text, strlen(text));
    if (rc < 0)
        return error_set(err, -rc, "write '%s'", path);
    return 0;
}

int
userns_write_map_direct(pid_t pid, const char *file, const struct spec_id_mapping *maps, size_t n,
                        struct error **err)
{
    _cleanup_free_ char *text = userns_map_text(maps, n);

    return write_proc_file(pid, file, text, err);
}

/* Run newuidmap/newgidmap PID C H S ...; its stderr becomes the message. */
static int
run_helper(const char *helper, pid_t pid, const struct spec_id_mapping *maps, size_t n,
           struct error **err)
{
    size_t argc = 2 + 3 * n + 1;
    char **argv = xcalloc(argc, sizeof(char *));
    int pipefd[2];
    char msg[1024];
    ssize_t got = 0, r;
    pid_t child;
    int status, rc = 0;

    argv[0] = xstrdup(helper);
    argv[1] = xasprintf("%d", (int)pid);
    for (size_t i = 0; i < n; i++) {
        argv[2 + 3 * i] = xasprintf("%u", maps[i].container_id);
        argv[3 + 3 * i] = xasprintf("%u", maps[i].host_id);
        argv[4 + 3 * i] = xasprintf("%u", maps[i].size);
    }
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        rc = error_set(err, errno, "pipe");
        goto out;
    }
    child = fork();
    if (child < 0) {
        rc = error_set(err, errno, "fork");
        close(pipefd[0]);
        close(pipefd[1]);
        goto out;
    }
    if (child == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        dup2(pipefd[1], STDOUT_FILENO);
        execvp(helper, argv);
        dprintf(STDERR_FILENO, "%s", strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    while (got < (ssize_t)sizeof(msg) - 1
           && (r = read(pipefd[0], msg + got, sizeof(msg) - 1 - (size_t)got)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        got += r;
    }
    msg[got] = '\0';
    close(pipefd[0]);
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        while (got > 0 && (msg[got - 1] == '\n' || msg[got - 1] == ' '))
            msg[--got] = '\0';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            rc = error_setx(err, ENOENT,
                            "%s: %s (mapping more than your own id needs the setuid helpers "
                            "from the uidmap package)",
                            helper, msg[0] ? msg : "not found");
        else
            rc = error_setx(err, EPERM, "%s failed: %s (are the ranges in /etc/sub%cid?)", helper,
                            msg[0] ? msg : "no message", helper[3] == 'u' ? 'u' : 'g');
    }
out:
    for (size_t i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return rc;
}

static int
write_one(pid_t pid, const struct spec_id_mapping *maps, size_t n, bool is_gid, bool privileged,
          struct error **err)
{
    uid_t self = is_gid ? getegid() : geteuid();
    enum idmap_method m = userns_map_method(maps, n, self, privileged, is_gid);
    _cleanup_free_ char *text = NULL;
    int rc;

    switch (m) {
    case IDMAP_HELPER:
        return run_helper(is_gid ? "newgidmap" : "newuidmap", pid, maps, n, err);
    case IDMAP_DIRECT_DENY:
        /* user_namespaces(7): an unprivileged writer of gid_map must first
         * deny setgroups(2), or it could drop supplementary groups that
         * were meant to restrict it. */
        rc = write_proc_file(pid, "setgroups", "deny", err);
        if (rc < 0)
            return rc;
        break;
    case IDMAP_DIRECT:
        break;
    }
    text = userns_map_text(maps, n);
    return write_proc_file(pid, is_gid ? "gid_map" : "uid_map", text, err);
}

int
userns_write_maps(pid_t pid, const struct spec_linux *lx, struct error **err)
{
    /* Root in the initial user namespace may write any map; anyone else is
     * treated as unprivileged (podman's rootless mode runs us as "root" in
     * its own user namespace, where the helpers are what works). */
    bool privileged = geteuid() == 0 && access("/proc/self/uid_map", R_OK) == 0;
    int rc;

    if (privileged) {
        _cleanup_free_ char *own = NULL;
        size_t len;
        if (fd_read_file_at(AT_FDCWD, "/proc/self/uid_map", 4096, &own, &len) == 0)
            privileged = strstr(own, "4294967295") != NULL;
    }
    rc = write_one(pid, lx->uid_mappings, lx->n_uid_mappings, false, privileged, err);
    if (rc < 0)
        return error_wrap(err, "linux.uidMappings");
    rc = write_one(pid, lx->gid_mappings, lx->n_gid_mappings, true, privileged, err);
    if (rc < 0)
        return error_wrap(err, "linux.gidMappings");
    return 0;
}

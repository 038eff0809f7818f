/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacking without root.  With subordinate ids (/etc/subuid, /etc/subgid)
 * the whole unpack runs inside a user namespace mapped with them, so that
 * the layers' owners are real: root of the namespace is the caller, and
 * layer id N (N >= 1) is subordinate id START + N - 1 on the host.  Without
 * them, every owner collapses to the caller. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

extern char **environ;

/* Write TEXT to the proc file PATH in one write(2). */
static int
fd_write_file_at_path(const char *path, const char *text)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    size_t len = strlen(text);

    if (fd < 0)
        return -errno;
    if (write(fd, text, len) != (ssize_t)len)
        return -errno;
    return 0;
}

/* Parse one decimal uint32 ending at END (':' or '\n' or NUL). */
static bool
parse_u32(const char *s, const char **end, uint32_t *ret)
{
    uint64_t v = 0;
    const char *p = s;

    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *end = p;
    *ret = (uint32_t)v;
    return true;
}

int
image_subid_find(const char *text, const char *name, uint32_t id, uint32_t *ret_start,
                 uint32_t *ret_count)
{
    const char *line = text;

    while (line != NULL && *line != '\0') {
        const char *nl = strchr(line, '\n');
        const char *colon = memchr(line, ':', nl ? (size_t)(nl - line) : strlen(line));
        const char *p;
        uint32_t owner, start, count;
        bool match = false;

        if (colon != NULL && line[0] != '#') {
            size_t klen = (size_t)(colon - line);

            if (name != NULL && strlen(name) == klen && strncmp(line, name, klen) == 0)
                match = true;
            else if (parse_u32(line, &p, &owner) && p == colon && owner == id)
                match = true;
            if (match && parse_u32(colon + 1, &p, &start) && *p == ':'
                && parse_u32(p + 1, &p, &count) && (*p == '\n' || *p == '\0') && count > 0) {
                *ret_start = start;
                *ret_count = count;
                return 0;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    return -ENOENT;
}

static bool
have_program(const char *prog)
{
    const char *path = getenv("PATH");
    _cleanup_free_ char *copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *save = NULL;

    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        _cleanup_free_ char *full = NULL;

        if (asprintf(&full, "%s/%s", dir, prog) < 0)
            abort();
        if (access(full, X_OK) == 0)
            return true;
    }
    return false;
}

static int
lookup_range(const char *file, const char *name, uint32_t id, uint32_t *start, uint32_t *count)
{
    _cleanup_free_ char *text = NULL;

    if (fd_read_file_at(AT_FDCWD, file, 16 << 20, &text, NULL) < 0)
        return -ENOENT;
    return image_subid_find(text, name, id, start, count);
}

int
image_idmap_plan(uid_t uid, gid_t gid, const char *subuid, const char *subgid,
                 struct image_idmap_plan *ret, struct error **err)
{
    struct passwd *pw = getpwuid(uid);
    const char *name = pw ? pw->pw_name : NULL;
    uint32_t us, uc, gs, gc;

    (void)err;
    memset(ret, 0, sizeof(*ret));
    ret->uid_mappings[0] = (struct spec_id_mapping){.container_id = 0, .host_id = uid, .size = 1};
    ret->gid_mappings[0] = (struct spec_id_mapping){.container_id = 0, .host_id = gid, .size = 1};
    ret->n_uid_mappings = ret->n_gid_mappings = 1;
    if (lookup_range(subuid, name, uid, &us, &uc) == 0
        && lookup_range(subgid, name, uid, &gs, &gc) == 0 && have_program("newuidmap")
        && have_program("newgidmap")) {
        /* Ids 1..N of the namespace, up to the shorter range, so that both
         * maps cover the same ids. */
        uint32_t n = uc < gc ? uc : gc;

        if (n > UINT32_MAX - 1)
            n = UINT32_MAX - 1;
        ret->uid_mappings[1] =
            (struct spec_id_mapping){.container_id = 1, .host_id = us, .size = n};
        ret->gid_mappings[1] =
            (struct spec_id_mapping){.container_id = 1, .host_id = gs, .size = n};
        ret->n_uid_mappings = ret->n_gid_mappings = 2;
        ret->userns = true;
        ret->chown = true;
        return 0;
    }
    /* Still a user namespace, with the caller's own ids only: root of it
     * may write into the read-only directories that layers make, and remove
     * them on failure, which the plain caller may not. */
    ret->userns = true;
    ret->collapsed = true;
    return 0;
}

/* newuidmap PID C H S ... (or newgidmap); its own stderr says what failed. */
static int
run_map_helper(const char *prog, pid_t pid, const struct spec_id_mapping *m, size_t n,
               struct error **err)
{
    char nums[1 + 3 * 2][16];
    char *argv[2 + 1 + 3 * 2 + 1];
    size_t k = 0;
    pid_t child;
    int status, rc;

    argv[k++] = (char *)prog;
    snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
    argv[k++] = nums[0];
    for (size_t i = 0; i < n && i < 2; i++) {
        snprintf(nums[1 + 3 * i], sizeof(nums[0]), "%u", m[i].container_id);
        snprintf(nums[2 + 3 * i], sizeof(nums[0]), "%u", m[i].host_id);
        snprintf(nums[3 + 3 * i], sizeof(nums[0]), "%u", m[i].size);
        argv[k++] = nums[1 + 3 * i];
        argv[k++] = nums[2 + 3 * i];
        argv[k++] = nums[3 + 3 * i];
    }
    argv[k] = NULL;
    rc = posix_spawnp(&child, prog, NULL, NULL, argv, environ);
    if (rc != 0)
        return error_set(err, rc, "run '%s'", prog);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return error_set(err, errno, "wait for '%s'", prog);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return error_setx(err, EPERM, "'%s' failed (see its message above): check the ranges in %s",
                          prog, strcmp(prog, "newuidmap") == 0 ? "/etc/subuid" : "/etc/subgid");
    return 0;
}

/* The single-id case: a process may map its own ids into a namespace it
 * created (user_namespaces(7)), with setgroups denied first for the gid. */
static int
enter_userns_self(const struct image_idmap_plan *plan, struct error **err)
{
    char text[64];
    int rc;

    if (unshare(CLONE_NEWUSER) < 0)
        return error_set(err, errno, "unshare a user namespace");
    snprintf(text, sizeof(text), "0 %u 1\n", plan->uid_mappings[0].host_id);
    rc = fd_write_file_at_path("/proc/self/uid_map", text);
    if (rc == 0)
        rc = fd_write_file_at_path("/proc/self/setgroups", "deny");
    if (rc == 0) {
        snprintf(text, sizeof(text), "0 %u 1\n", plan->gid_mappings[0].host_id);
        rc = fd_write_file_at_path("/proc/self/gid_map", text);
    }
    if (rc < 0)
        return error_set(err, -rc, "map the caller's ids into the user namespace");
    return 0;
}

/* Subordinate ranges: newuidmap and newgidmap, run by a child left in the
 * parent namespace, map this process once it has unshared. */
static int
enter_userns_helpers(const struct image_idmap_plan *plan, struct error **err)
{
    pid_t self = getpid();
    int ready[2], done[2];
    pid_t child;
    char c = 0;
    int status, rc;

    if (pipe2(ready, O_CLOEXEC) < 0)
        return error_set(err, errno, "pipe");
    if (pipe2(done, O_CLOEXEC) < 0) {
        rc = errno;
        close(ready[0]);
        close(ready[1]);
        return error_set(err, rc, "pipe");
    }
    child = fork();
    if (child < 0) {
        rc = errno;
        close(ready[0]), close(ready[1]), close(done[0]), close(done[1]);
        return error_set(err, rc, "fork");
    }
    if (child == 0) {
        /* In the parent namespace: wait until our parent has unshared, then
         * map it.  Errors reach the parent as our exit status; the helpers
         * print their own messages. */
        struct error *cerr = NULL;

        close(ready[1]);
        close(done[0]);
        if (read(ready[0], &c, 1) != 1)
            _exit(2);
        if (run_map_helper("newuidmap", self, plan->uid_mappings, plan->n_uid_mappings, &cerr) < 0
            || run_map_helper("newgidmap", self, plan->gid_mappings, plan->n_gid_mappings, &cerr)
                   < 0) {
            if (write(done[1], cerr->msg, strlen(cerr->msg)) < 0)
                _exit(3);
            _exit(1);
        }
        _exit(0);
    }
    close(ready[0]);
    close(done[1]);
    rc = unshare(CLONE_NEWUSER) < 0 ? -errno : 0;
    if (rc == 0 && write(ready[1], &c, 1) != 1)
        rc = -errno;
    close(ready[1]);
    {
        char msg[512];
        ssize_t n = read(done[0], msg, sizeof(msg) - 1);

        close(done[0]);
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
        if (rc < 0)
            return error_set(err, -rc, "unshare a user namespace");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            msg[n > 0 ? n : 0] = '\0';
            return error_setx(err, EPERM, "map ids into the user namespace: %s",
                              n > 0 ? msg : "newuidmap/newgidmap failed");
        }
    }
    return 0;
}

int
image_enter_userns(const struct image_idmap_plan *plan, struct error **err)
{
    int rc =
        plan->n_uid_mappings == 1 ? enter_userns_self(plan, err) : enter_userns_helpers(plan, err);

    if (rc < 0)
        return rc;
    if (setresgid(0, 0, 0) < 0)
        return error_set(err, errno, "setresgid(0) in the user namespace");
    if (setresuid(0, 0, 0) < 0)
        return error_set(err, errno, "setresuid(0) in the user namespace");
    /* Supplementary groups cannot be changed (setgroups is allowed after a
     * helper map, but there is nothing to gain): keep them. */
    return 0;
}

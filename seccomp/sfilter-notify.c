/* SPDX-License-Identifier: Apache-2.0 */
/* The seccomp agent's end of SCMP_ACT_NOTIFY (config-linux.md, listenerPath
 * and "The Container Process State"): connect to its socket, and send it
 * the listener fd with the container process state.  `berth start` does
 * this (runtime/notify.c) once init has loaded the filter. */
#include "seccomp/sfilter.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* config-linux.md: "This socket MUST use AF_UNIX domain and SOCK_STREAM
 * type."  A path too long for sun_path is reached through its directory's
 * fd in /proc/self/fd, as create.c does for exec.sock. */
int
sfilter_agent_connect(const char *path, struct error **err)
{
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    _cleanup_close_ int dirfd = -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int rc;

    if (fd < 0)
        return error_set(err, errno, "linux.seccomp.listenerPath '%s': socket", path);
    if (strlen(path) < sizeof(sa.sun_path)) {
        memcpy(sa.sun_path, path, strlen(path) + 1);
    } else {
        _cleanup_free_ char *dir = xstrdup(path);
        _cleanup_free_ char *base = xstrdup(path);

        dirfd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            return error_set(err, errno, "linux.seccomp.listenerPath '%s': open its directory",
                             path);
        rc = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
                      basename(base));
        if (rc < 0 || (size_t)rc >= sizeof(sa.sun_path))
            return error_setx(err, ENAMETOOLONG,
                              "linux.seccomp.listenerPath '%s': the socket's name is too long",
                              path);
    }
    do
        rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    while (rc < 0 && errno == EINTR);
    if (rc < 0)
        return error_set(err, errno,
                         "linux.seccomp.listenerPath '%s': connect to the seccomp agent", path);
    return TAKE_FD(fd);
}

/* The state of runtime.md "State" alone: runc's additions (rootfs,
 * created, owner) and berth's private part stay out of what an agent
 * receives. */
static struct json_value *
public_state(const struct spec_state *st, struct error **err)
{
    struct spec_state pub = {
        .oci_version = (char *)SPEC_OCI_VERSION,
        .id = st->id,
        .status = st->status,
        .has_pid = st->has_pid,
        .pid = st->pid,
        .bundle = st->bundle,
        .annotations = st->annotations,
    };
    _cleanup_free_ char *buf = NULL;
    size_t len;

    if (spec_state_write(&pub, false, &buf, &len, err) < 0)
        return NULL;
    return json_parse(buf, len, "state", err);
}

int
sfilter_process_state(const struct spec_state *st, const char *metadata, char **ret,
                      struct error **err)
{
    struct json_value *state = public_state(st, err);
    struct json_writer *w;
    size_t len;

    if (state == NULL)
        return error_wrap(err, "the container process state");
    w = json_writer_new(false);
    json_w_object_begin(w);
    json_w_key(w, "ociVersion");
    json_w_string(w, SPEC_OCI_VERSION);
    /* "The index of the name in this array corresponds to index of the file
     * descriptors in the SCM_RIGHTS array." */
    json_w_key(w, "fds");
    json_w_array_begin(w);
    json_w_string(w, "seccompFd");
    json_w_array_end(w);
    json_w_key(w, "pid");
    json_w_int64(w, st->pid);
    if (metadata != NULL) {
        json_w_key(w, "metadata");
        json_w_string(w, metadata);
    }
    json_w_key(w, "state");
    json_w_value(w, state);
    json_w_object_end(w);
    json_free(state);
    if (json_writer_finish(w, ret, &len, err) < 0)
        return error_wrap(err, "the container process state");
    return 0;
}

/* "The container runtime MAY use several sendmsg(2) calls ... If more than
 * one sendmsg(2) is used, the file descriptors MUST be sent only in the
 * first call." */
int
sfilter_agent_send(int sock, int listener_fd, const char *state, struct error **err)
{
    size_t len = strlen(state), done = 0;

    while (done < len) {
        ssize_t n = fd_send_fd(sock, state + done, len - done, done == 0 ? listener_fd : -1);

        if (n < 0)
            return error_set(err, (int)-n, "send the notify fd and the container state");
        done += (size_t)n;
    }
    return 0;
}

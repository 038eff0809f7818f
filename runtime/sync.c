/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/sync.h"

#include "lib/fd.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int
sync_send(int fd, enum sync_type type, int64_t value)
{
    struct sync_msg m = {.type = type, .value = value};
    /* Only the header is sent for plain messages. */
    size_t len = offsetof(struct sync_msg, text);

    while (send(fd, &m, len, MSG_NOSIGNAL) < 0) {
        if (errno != EINTR)
            return -errno;
    }
    return 0;
}

void
sync_send_error(int fd, const struct error *err)
{
    struct sync_msg m = {.type = SYNC_ERROR};
    size_t n;

    m.errnum = err ? err->errnum : EIO;
    n = strlen(err && err->msg ? err->msg : "unknown error");
    if (n >= sizeof(m.text))
        n = sizeof(m.text) - 1;
    memcpy(m.text, err && err->msg ? err->msg : "unknown error", n);
    m.text[n] = '\0';
    while (send(fd, &m, offsetof(struct sync_msg, text) + n + 1, MSG_NOSIGNAL) < 0
           && errno == EINTR)
        ;
}

int
sync_recv(int fd, struct sync_msg *msg)
{
    ssize_t n;

    memset(msg, 0, sizeof(*msg));
    do
        n = recv(fd, msg, sizeof(*msg), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (n == 0)
        return -EPIPE;
    if ((size_t)n < offsetof(struct sync_msg, text))
        return -EBADMSG;
    msg->text[sizeof(msg->text) - 1] = '\0';
    return 0;
}

int
sync_expect(int fd, enum sync_type type, struct sync_msg *msg, struct error **err)
{
    int rc = sync_recv(fd, msg);

    if (rc == -EPIPE)
        return error_setx(err, EPIPE, "container init exited before finishing setup");
    if (rc < 0)
        return error_set(err, -rc, "reading from container init");
    if (msg->type == SYNC_ERROR)
        return error_setx(err, msg->errnum > 0 ? msg->errnum : EIO, "%s", msg->text);
    if (msg->type != (uint32_t)type)
        return error_setx(err, EPROTO, "container init sent step %u, expected %u", msg->type,
                          (unsigned)type);
    return 0;
}

int
sync_send_fd(int fd, enum sync_type type, int64_t value, int attached)
{
    struct sync_msg m = {.type = type, .value = value};
    ssize_t n = fd_send_fd(fd, &m, offsetof(struct sync_msg, text), attached);

    return n < 0 ? (int)n : 0;
}

ssize_t
sync_recv_fd(int fd, struct sync_msg *msg, int *ret_fd)
{
    ssize_t n;

    memset(msg, 0, sizeof(*msg));
    n = fd_recv_fd(fd, msg, sizeof(*msg), 0, ret_fd);
    msg->text[sizeof(msg->text) - 1] = '\0';
    return n;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp-agent [-e ERRNO] [-t SECONDS] SOCKET STATE: a seccomp agent for
 * the SCMP_ACT_NOTIFY tests (config-linux.md, listenerPath).
 *
 * It listens on the unix socket SOCKET (the name appears once it listens:
 * it binds a temporary name and renames it), accepts one connection,
 * receives the container process state with the listener fd (SCM_RIGHTS),
 * and writes the state to the file STATE (atomically, so that a test can
 * wait for it).  Then it answers the notifications: mkdir and mkdirat fail
 * with ERRNO (-e), or succeed without doing anything (the default); any
 * other syscall goes on as if not filtered.  It prints one line per
 * notification ("mkdirat 1" with the answer's errno) and exits 0 when no
 * process uses the filter any more, 1 on a protocol error, 2 after SECONDS
 * (default 30) without anything to do.
 *
 * seccomp-agent -b SOCKET only binds SOCKET and exits: a socket nobody
 * listens on, for the test of an agent that is not there. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void __attribute__((noreturn)) die(const char *what)
{
    fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int
bind_at(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0)
        die("socket");
    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        die(path);
    }
    strcpy(sa.sun_path, path);
    unlink(path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("bind");
    return fd;
}

/* Read the whole state (until EOF) and the fd that came with it. */
static char *
receive(int conn, int *ret_fd)
{
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);

    *ret_fd = -1;
    if (buf == NULL)
        die("malloc");
    for (;;) {
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int) * 4)];
        } u;
        struct iovec iov = {.iov_base = buf + len, .iov_len = cap - len - 1};
        struct msghdr mh = {
            .msg_iov = &iov,
            .msg_iovlen = 1,
            .msg_control = u.b,
            .msg_controllen = sizeof(u.b),
        };
        ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("recvmsg");
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
            if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                continue;
            if (*ret_fd >= 0 || len > 0) {
                fprintf(stderr, "seccomp-agent: fds after the first message, or more than one\n");
                exit(1);
            }
            memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len + 1 >= cap) {
            fprintf(stderr, "seccomp-agent: state too long\n");
            exit(1);
        }
    }
    buf[len] = '\0';
    return buf;
}

static void
write_state(const char *path, const char *text)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
        die(tmp);
    if (rename(tmp, path) < 0)
        die("rename");
}

static int
serve(int listener, int answer_errno, int timeout_s)
{
    for (;;) {
        struct seccomp_notif req;
        struct seccomp_notif_resp resp;
        struct pollfd p = {.fd = listener, .events = POLLIN};
        const char *name = "other";
        int rc = poll(&p, 1, timeout_s * 1000);

        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            die("poll");
        if (rc == 0) {
            fprintf(stderr, "seccomp-agent: nothing for %d s\n", timeout_s);
            return 2;
        }
        if (!(p.revents & POLLIN))
            return 0; /* POLLHUP: no task uses the filter any more */
        memset(&req, 0, sizeof(req));
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
            if (errno == EINTR || errno == ENOENT)
                continue;
            die("SECCOMP_IOCTL_NOTIF_RECV");
        }
        memset(&resp, 0, sizeof(resp));
        resp.id = req.id;
        if (req.data.nr == SYS_mkdirat || req.data.nr == SYS_mkdir) {
            name = req.data.nr == SYS_mkdirat ? "mkdirat" : "mkdir";
            resp.error = -answer_errno;
        } else {
            resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        }
        /* ENOENT: the task was killed meanwhile. */
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
            die("SECCOMP_IOCTL_NOTIF_SEND");
        printf("%s %d\n", name, answer_errno);
        fflush(stdout);
    }
}

int
main(int argc, char **argv)
{
    char tmp[4096];
    int answer_errno = 0, timeout_s = 30, opt, fd, conn, listener;
    struct pollfd p;
    char *state;

    while ((opt = getopt(argc, argv, "e:t:b:")) != -1) {
        switch (opt) {
        case 'e':
            answer_errno = atoi(optarg);
            break;
        case 't':
            timeout_s = atoi(optarg);
            break;
        case 'b':
            bind_at(optarg);
            return 0;
        default:
            return 64;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: seccomp-agent [-e ERRNO] [-t SECONDS] SOCKET STATE\n"
                        "       seccomp-agent -b SOCKET\n");
        return 64;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", argv[optind]);
    fd = bind_at(tmp);
    if (listen(fd, 4) < 0)
        die("listen");
    if (rename(tmp, argv[optind]) < 0)
        die("rename");
    p = (struct pollfd){.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_s * 1000) <= 0) {
        fprintf(stderr, "seccomp-agent: no connection for %d s\n", timeout_s);
        return 2;
    }
    conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0)
        die("accept");
    state = receive(conn, &listener);
    close(conn);
    if (listener < 0) {
        fprintf(stderr, "seccomp-agent: no fd came with the state\n");
        return 1;
    }
    write_state(argv[optind + 1], state);
    free(state);
    return serve(listener, answer_errno, timeout_s);
}

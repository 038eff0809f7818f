/* SPDX-License-Identifier: Apache-2.0 */
/* recvtty: the receiving end of `berth create --console-socket`, for the
 * tests (runc has one of the same name).
 *
 *   recvtty [-i TEXT] [-o FILE] [-n FILE] [-t SECONDS] SOCKET
 *
 * Listens on the unix socket SOCKET (created here; it exists once we are
 * ready), accepts one connection and receives one fd with SCM_RIGHTS.  The
 * fd must be a pty master (TIOCGPTN).  Then:
 *   -n FILE  writes the message data sent with the fd, then a line
 *            "pts N" with the pty's number, to FILE;
 *   -i TEXT  writes TEXT to the master, as typed input;
 *   -o FILE  copies everything read from the master to FILE (default
 *            stdout) until every peer fd is closed (EIO).
 * Exits 0 then, 1 on an error, 124 after the timeout (default 20 s). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void
die(const char *what)
{
    fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void
on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "recvtty: timed out\n";
    (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
    _exit(124);
}

static void
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("write");
        buf += n;
        len -= (size_t)n;
    }
}

/* Accept one connection on LISTENER and receive one fd; its data goes to
 * NAME (NUL-terminated, at most SIZE - 1 bytes). */
static int
receive(int listener, char *name, size_t size)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    struct iovec iov = {.iov_base = name, .iov_len = size - 1};
    struct msghdr mh = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = u.buf,
        .msg_controllen = sizeof(u.buf),
    };
    struct cmsghdr *cm;
    ssize_t n;
    int conn, fd;

    do
        conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    while (conn < 0 && errno == EINTR);
    if (conn < 0)
        die("accept");
    do
        n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        die("recvmsg");
    name[n] = '\0';
    cm = CMSG_FIRSTHDR(&mh);
    if (cm == NULL || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS
        || cm->cmsg_len != CMSG_LEN(sizeof(int)) || (mh.msg_flags & MSG_CTRUNC)) {
        fprintf(stderr, "recvtty: the message carries no single fd\n");
        exit(1);
    }
    memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    close(conn);
    return fd;
}

int
main(int argc, char **argv)
{
    const char *input = NULL, *out_path = NULL, *name_path = NULL;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    unsigned timeout = 20;
    char name[4096], buf[4096];
    FILE *name_file = NULL;
    int opt, listener, master, out = STDOUT_FILENO, ptn;

    while ((opt = getopt(argc, argv, "i:o:n:t:")) != -1) {
        switch (opt) {
        case 'i':
            input = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'n':
            name_path = optarg;
            break;
        case 't':
            timeout = (unsigned)atoi(optarg);
            break;
        default:
            fprintf(stderr, "usage: recvtty [-i TEXT] [-o FILE] [-n FILE] [-t SECONDS] SOCKET\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "recvtty: one socket path is needed\n");
        return 2;
    }
    signal(SIGALRM, on_alarm);
    alarm(timeout);
    /* Both before the chdir below, which must not change what they name. */
    if (name_path && (name_file = fopen(name_path, "we")) == NULL)
        die(name_path);
    if (out_path && (out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        die(out_path);
    /* Bind the last component from its directory, so that the path may be
     * longer than sun_path (berth must cope with such paths too). */
    {
        char *path = argv[optind], *slash = strrchr(path, '/');

        if (slash != NULL) {
            *slash = '\0';
            if (chdir(path[0] ? path : "/") < 0)
                die(path);
            path = slash + 1;
        }
        if (strlen(path) + strlen(".tmp") >= sizeof(sa.sun_path)) {
            fprintf(stderr, "recvtty: socket name '%s' is too long\n", path);
            return 2;
        }
        strcpy(sa.sun_path, path);
    }
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0)
        die("socket");
    /* Bind under a temporary name and rename: the socket appears only once
     * it listens, so that a caller can wait for the path. */
    {
        struct sockaddr_un tmp = sa;
        char final[sizeof(sa.sun_path)];

        snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.tmp", sa.sun_path);
        unlink(tmp.sun_path);
        if (bind(listener, (struct sockaddr *)&tmp, sizeof(tmp)) < 0)
            die("bind");
        if (listen(listener, 1) < 0)
            die("listen");
        strcpy(final, sa.sun_path);
        if (rename(tmp.sun_path, final) < 0)
            die("rename");
    }
    master = receive(listener, name, sizeof(name));
    close(listener);
    if (ioctl(master, TIOCGPTN, &ptn) < 0)
        die("the received fd is not a pty master: TIOCGPTN");
    if (name_file) {
        fprintf(name_file, "%s\npts %d\n", name, ptn);
        if (fclose(name_file) != 0)
            die(name_path);
    }
    if (input)
        write_all(master, input, strlen(input));
    for (;;) {
        ssize_t n = read(master, buf, sizeof(buf));

        if (n < 0 && errno == EINTR)
            continue;
        /* EIO: no peer fd is left, the container's process is gone. */
        if (n < 0 && errno == EIO)
            break;
        if (n < 0)
            die("read the master");
        if (n == 0)
            break;
        write_all(out, buf, (size_t)n);
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* process.terminal: the pty of the container's process (terminal.h), and
 * the relay of a foreground `run` between it and our own stdio. */
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/mount.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

static bool
has_terminal(const struct spec *s)
{
    return s->process != NULL && s->process->has_terminal && s->process->terminal;
}

int
terminal_check(const struct spec *s, const struct runtime_create_opts *o, struct error **err)
{
    const struct spec_console_size *cs = s->process ? s->process->console_size : NULL;
    bool terminal = has_terminal(s);
    bool detach = !o->foreground;

    /* runc's checkTerminal: "cannot allocate tty if runc will detach
     * without setting console socket", and "cannot use console socket if
     * runc will not detach or allocate tty". */
    if (detach && terminal && o->console_socket == NULL)
        return error_setx(err, EINVAL,
                          "config.json: process.terminal: cannot allocate a terminal if berth will "
                          "detach without --console-socket to hand it over");
    if (o->console_socket != NULL && !terminal)
        return error_setx(err, EINVAL,
                          "--console-socket '%s': cannot use a console socket if berth will not "
                          "allocate a terminal (config.json: process.terminal is false)",
                          o->console_socket);
    if (o->console_socket != NULL && !detach)
        return error_setx(err, EINVAL,
                          "--console-socket '%s': cannot use a console socket if berth will not "
                          "detach (run without --detach attaches the terminal itself)",
                          o->console_socket);
    /* config.md "consoleSize": "Runtimes MUST ignore consoleSize if
     * terminal is false or unset." */
    if (!terminal || cs == NULL)
        return 0;
    if (cs->height > USHRT_MAX)
        return error_setx(err, EINVAL,
                          "config.json: process.consoleSize.height: %llu is more than %u",
                          (unsigned long long)cs->height, USHRT_MAX);
    if (cs->width > USHRT_MAX)
        return error_setx(err, EINVAL,
                          "config.json: process.consoleSize.width: %llu is more than %u",
                          (unsigned long long)cs->width, USHRT_MAX);
    return 0;
}

/* ---- passing the master ---- */

int
terminal_send_fd(int sock, int fd, const char *name, struct error **err)
{
    ssize_t n = fd_send_fd(sock, name, strlen(name), fd);

    if (n < 0)
        return error_set(err, (int)-n, "send the terminal");
    return 0;
}

int
terminal_recv_fd(int sock, int flags, struct error **err)
{
    char data[256];
    int fd;
    ssize_t n = fd_recv_fd(sock, data, sizeof(data), flags, &fd);

    if (n == -EBADMSG)
        return error_setx(err, EBADMSG, "receive the terminal: control data truncated");
    if (n < 0)
        return error_set(err, (int)-n, "receive the terminal");
    if (fd < 0)
        return error_setx(err, n == 0 ? EPIPE : EBADMSG,
                          "receive the terminal: no file descriptor in the message");
    return fd;
}

/* ---- parent: where init sends the master ---- */

/* Connect to the caller's console socket.  A path too long for sun_path is
 * reached through an fd of its directory.  runc and the engines listen with
 * SOCK_STREAM; a SOCK_SEQPACKET listener refuses that with EPROTOTYPE. */
static int
connect_console(const char *path, struct error **err)
{
    static const int types[] = {SOCK_STREAM, SOCK_SEQPACKET};
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    _cleanup_close_ int dirfd = -1;
    size_t len = strlen(path);

    if (len == 0)
        return error_setx(err, EINVAL, "--console-socket: empty path");
    if (len < sizeof(sa.sun_path)) {
        memcpy(sa.sun_path, path, len + 1);
    } else {
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        int n;

        if (slash == NULL)
            return error_set(err, ENAMETOOLONG, "--console-socket '%s'", path);
        *slash = '\0';
        dirfd = open(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            return error_set(err, errno, "--console-socket '%s'", path);
        n = snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, slash + 1);
        if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
            return error_set(err, ENAMETOOLONG, "--console-socket '%s'", path);
    }
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        _cleanup_close_ int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

        if (fd < 0)
            return error_set(err, errno, "--console-socket '%s': socket", path);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return TAKE_FD(fd);
        if (errno != EPROTOTYPE)
            break;
    }
    return error_set(err, errno, "--console-socket '%s': connect", path);
}

int
terminal_open(struct container *c, struct error **err)
{
    int sp[2], fd;

    c->console_fd = -1;
    c->console_recv_fd = -1;
    if (!has_terminal(c->spec))
        return 0;
    /* The console socket is a path on the host, connected here as the
     * caller: init, in the container's user and mount namespaces (or past
     * pivot_root), may not be allowed to reach it, and must never resolve
     * a host path itself. */
    if (c->opts->console_socket != NULL) {
        fd = connect_console(c->opts->console_socket, err);
        if (fd < 0)
            return fd;
        c->console_fd = fd;
        return 0;
    }
    if (!c->opts->foreground || c->opts->ret_console == NULL)
        return error_setx(err, EINVAL,
                          "config.json: process.terminal: no --console-socket to send it to");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return error_set(err, errno, "socketpair for the terminal");
    c->console_recv_fd = sp[0];
    c->console_fd = sp[1];
    return 0;
}

/* Copy the size of our own terminal (stdin's, else stdout's) to the pty,
 * as runc does; a terminal that reports no size leaves consoleSize. */
static void
resize_from_host(int master)
{
    struct winsize ws;

    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
        return;
    if (ws.ws_row == 0 || ws.ws_col == 0)
        return;
    /* On a master, TIOCSWINSZ sets the peer's size and signals its
     * foreground process group. */
    ioctl(master, TIOCSWINSZ, &ws);
}

int
terminal_receive(struct container *c, struct error **err)
{
    struct termios t;
    int fd;

    if (c->console_recv_fd < 0)
        return 0;
    /* init sent it before SYNC_READY, so it is already queued. */
    fd = terminal_recv_fd(c->console_recv_fd, MSG_DONTWAIT, err);
    if (fd < 0)
        return error_wrap(err, "terminal from init");
    /* Before start, so that the process's first output and size are
     * right.  Termios requests on a master act on its peer.  When our
     * stdout is no terminal (a file, a pipe), the output is plain "\n" as
     * with runc; on a terminal, the pty's "\r\n" passes through our raw
     * terminal unchanged. */
    if (!isatty(STDOUT_FILENO) && tcgetattr(fd, &t) == 0) {
        t.c_oflag &= ~(tcflag_t)ONLCR;
        tcsetattr(fd, TCSANOW, &t);
    }
    resize_from_host(fd);
    *c->opts->ret_console = fd;
    return 0;
}

void
terminal_close(struct container *c)
{
    if (c->console_fd >= 0)
        close(c->console_fd);
    if (c->console_recv_fd >= 0)
        close(c->console_recv_fd);
    c->console_fd = -1;
    c->console_recv_fd = -1;
}

/* ---- init: the pty ---- */

/* config-linux.md "Default Devices": "/dev/console is set up if terminal is
 * enabled in the config by bind mounting the pseudoterminal pty to
 * /dev/console."  The mount goes onto an fd of /dev/console opened without
 * following a symlink: an image that plants /dev/console -> somewhere
 * cannot redirect the mount (the /dev/console race of CVE-2025-52565). */
static int
mount_console_at(int root, int peer, struct error **err)
{
    _cleanup_close_ int dev = fd_open_in_root(root, "/dev", O_PATH | O_DIRECTORY, 0);
    _cleanup_close_ int dest = -1;
    _cleanup_close_ int tree = -1;
    struct stat st;

    if (dev < 0)
        return error_set(err, -dev, "open '/dev' in the container");
    dest = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (dest < 0 && errno == ENOENT) {
        int f = openat(dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);

        if (f < 0 && errno != EEXIST)
            return error_set(err, errno, "create '/dev/console'");
        if (f >= 0)
            close(f);
        dest = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
    if (dest < 0 || fstat(dest, &st) < 0)
        return error_set(err, errno, "open '/dev/console'");
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
        return error_setx(err, EINVAL,
                          "'/dev/console' in the container is not a file or a device (mode 0%o): "
                          "refusing to mount the terminal on it",
                          (unsigned)(st.st_mode & S_IFMT));
    tree =
        (int)syscall(SYS_open_tree, peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree >= 0) {
        if (syscall(SYS_move_mount, tree, "", dest, "",
                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
            < 0)
            return error_set(err, errno, "mount the terminal on '/dev/console': move_mount");
        return 0;
    }
    if (errno != ENOSYS)
        return error_set(err, errno, "mount the terminal on '/dev/console': open_tree");
    {
        char src[64], dst[64];

        snprintf(src, sizeof(src), "/proc/self/fd/%d", peer);
        snprintf(dst, sizeof(dst), "/proc/self/fd/%d", dest);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
            return error_set(err, errno, "mount the terminal on '/dev/console'");
    }
    return 0;
}

/* Let the process's user own its terminal, as runc does: only the uid (the
 * devpts mount may have chosen the group, e.g. gid=5).  An unmapped id
 * (EINVAL), an owner we may not change (EPERM) or a read-only devpts
 * (EROFS) leave it as it is. */
static int
chown_peer(const struct spec_process *p, int peer, struct error **err)
{
    struct stat st;

    if (p->user == NULL || !p->user->has_uid)
        return 0;
    if (fstat(peer, &st) < 0)
        return error_set(err, errno, "stat the terminal");
    if (st.st_uid == p->user->uid)
        return 0;
    if (fchown(peer, p->user->uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM
        && errno != EROFS)
        return error_set(err, errno, "chown the terminal to process.user.uid %u", p->user->uid);
    return 0;
}

/* A new session with PEER as its controlling terminal, and PEER as stdin,
 * stdout and stderr.  Takes PEER. */
static int
become_terminal_owner(int peer, struct error **err)
{
    int rc = 0;

    /* EPERM: already the leader of a session (of our own making). */
    if (setsid() < 0 && !(errno == EPERM && getsid(0) == getpid()))
        rc = error_set(err, errno, "setsid");
    else if (ioctl(peer, TIOCSCTTY, 0) < 0)
        rc = error_set(err, errno, "make the terminal the controlling terminal (TIOCSCTTY)");
    for (int i = 0; rc == 0 && i <= 2; i++) {
        /* dup2 onto itself keeps close-on-exec: clear it instead. */
        if (i == peer ? fcntl(i, F_SETFD, 0) < 0 : dup2(peer, i) < 0)
            rc = error_set(err, errno, "make the terminal fd %d", i);
    }
    if (peer > 2)
        close(peer);
    return rc;
}

int
terminal_setup(const struct spec_process *p, int sock_fd, bool mount_console, struct error **err)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int master = -1;
    _cleanup_close_ int peer = -1;
    struct stat st;
    int unlock = 0, n, rc;

    if (root < 0)
        return error_set(err, errno, "open /");
    /* The container's /dev/ptmx (-> pts/ptmx of its own devpts instance),
     * resolved inside its root. */
    master = fd_open_in_root(root, "/dev/ptmx", O_RDWR | O_NOCTTY, 0);
    if (master < 0)
        return error_set(err, -master,
                         "process.terminal: open '/dev/ptmx' in the container (is devpts mounted "
                         "on /dev/pts?)");
    if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode))
        return error_setx(err, ENOTTY, "process.terminal: '/dev/ptmx' is not a device");
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
        return error_set(err, errno, "process.terminal: '/dev/ptmx' is not a pty multiplexer");
    /* The peer straight from the master, never by opening /dev/pts/N: a
     * path can be swapped under us (CVE-2025-52565). */
    peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (peer < 0)
        return error_set(err, errno, "process.terminal: open the peer of /dev/pts/%d (TIOCGPTPEER)",
                         n);
    if (p->console_size && p->console_size->height && p->console_size->width) {
        struct winsize ws = {
            .ws_row = (unsigned short)p->console_size->height,
            .ws_col = (unsigned short)p->console_size->width,
        };
        if (ioctl(master, TIOCSWINSZ, &ws) < 0)
            return error_set(err, errno, "process.consoleSize");
    }
    if ((rc = chown_peer(p, peer, err)) < 0)
        return rc;
    if (mount_console && (rc = mount_console_at(root, peer, err)) < 0)
        return rc;
    if ((rc = terminal_send_fd(sock_fd, master, TERMINAL_MSG_NAME, err)) < 0)
        return error_wrap(err, "process.terminal");
    return become_terminal_owner(TAKE_FD(peer), err);
}

int
terminal_setup_init(struct container *c, struct error **err)
{
    int rc;

    if (c->console_recv_fd >= 0)
        close(c->console_recv_fd);
    c->console_recv_fd = -1;
    if (c->console_fd < 0)
        return 0;
    rc = terminal_setup(c->spec->process, c->console_fd, true, err);
    close(c->console_fd);
    c->console_fd = -1;
    return rc;
}

/* ---- foreground run: the relay ---- */

struct relay {
    pid_t pid;
    int master;
    int sfd;
    bool master_open;
    bool in_open;
    char in[4096]; /* read from stdin, not yet written to the master */
    size_t in_len, in_off;
};

/* Master -> stdout.  False once the master is done (EIO: every peer fd is
 * closed).  A failing stdout drops the output but keeps draining, so that
 * the container never blocks on a full terminal. */
static bool
pump_out(struct relay *r)
{
    char buf[8192];
    ssize_t n = read(r->master, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;
    (void)fd_write_all(STDOUT_FILENO, buf, (size_t)n);
    return true;
}

static void
pump_in(struct relay *r, short revents)
{
    ssize_t n;

    if (r->in_len == 0 && (revents & (POLLIN | POLLHUP | POLLERR))) {
        n = read(STDIN_FILENO, r->in, sizeof(r->in));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return;
        /* At EOF we stop reading, as runc does; the terminal stays open. */
        if (n <= 0) {
            r->in_open = false;
            return;
        }
        r->in_len = (size_t)n;
        r->in_off = 0;
    }
    while (r->in_off < r->in_len) {
        n = write(r->master, r->in + r->in_off, r->in_len - r->in_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return; /* wait for POLLOUT on the master */
        if (n <= 0) {
            r->in_open = false;
            r->in_len = r->in_off = 0;
            return;
        }
        r->in_off += (size_t)n;
    }
    r->in_len = r->in_off = 0;
}

/* Whatever the process wrote before it exited. */
static void
drain(struct relay *r)
{
    while (r->master_open && pump_out(r)) {
        struct pollfd pfd = {.fd = r->master, .events = POLLIN};

        /* Non-blocking: stop as soon as nothing is left. */
        if (poll(&pfd, 1, 0) <= 0)
            break;
    }
}

static int
exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
relay_loop(struct relay *r, struct error **err)
{
    for (;;) {
        struct pollfd fds[3];
        int status;
        pid_t w;

        /* Reap everything that reaches us (we are a subreaper in `run`);
         * only init's status matters. */
        while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
            if (w == r->pid) {
                drain(r);
                return exit_code(status);
            }
        }
        if (w < 0 && errno == ECHILD)
            return error_set(err, ECHILD, "wait for init %d", (int)r->pid);
        fds[0] = (struct pollfd){.fd = r->sfd, .events = POLLIN};
        fds[1] = (struct pollfd){
            .fd = r->master_open ? r->master : -1,
            .events = (short)(POLLIN | (r->in_len ? POLLOUT : 0)),
        };
        fds[2] =
            (struct pollfd){.fd = r->in_open && !r->in_len ? STDIN_FILENO : -1, .events = POLLIN};
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            return error_set(err, errno, "poll");
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;

            if (read(r->sfd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGWINCH)
                    resize_from_host(r->master);
                else if (si.ssi_signo != SIGCHLD && r->pid > 0)
                    kill(r->pid, (int)si.ssi_signo);
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            r->master_open = pump_out(r);
        if ((fds[1].revents & POLLOUT) || fds[2].revents)
            pump_in(r, fds[2].revents);
        if (!r->master_open)
            r->in_open = false; /* nobody left to read it */
    }
}

int
runtime_wait_terminal(pid_t pid, int master, struct error **err)
{
    static const int caught[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT,
                                 SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};
    _cleanup_close_ int m = master;
    struct relay r = {.pid = pid, .master = master, .master_open = true};
    struct termios saved, raw;
    bool is_raw = false;
    sigset_t mask, old;
    int rc, flags;

    if (pid <= 0)
        return error_setx(err, EINVAL, "wait for init: bad pid %d", (int)pid);
    flags = fcntl(m, F_GETFL);
    if (flags < 0 || fcntl(m, F_SETFL, flags | O_NONBLOCK) < 0)
        return error_set(err, errno, "terminal: O_NONBLOCK");
    sigemptyset(&mask);
    for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
        sigaddset(&mask, caught[i]);
    sigprocmask(SIG_BLOCK, &mask, &old);
    r.sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (r.sfd < 0) {
        rc = error_set(err, errno, "signalfd");
        sigprocmask(SIG_SETMASK, &old, NULL);
        return rc;
    }
    r.in_open = fcntl(STDIN_FILENO, F_GETFD) >= 0;
    /* Keys go to the container's terminal as they are typed; its line
     * discipline does the echo, ^C and the rest. */
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        is_raw = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
    }
    rc = relay_loop(&r, err);
    if (is_raw)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
    close(r.sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

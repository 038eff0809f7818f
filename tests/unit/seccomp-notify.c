/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp/sfilter-notify.c: the container process state sent to a seccomp
 * agent (config-linux.md "The Container Process State"), the connection to
 * its socket, and the fd passed with SCM_RIGHTS. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "lib/json.h"
#include "seccomp/sfilter.h"
#include "tests/unit/tap.h"

static char dir[256];
static struct error *err;

static const char *
str_at(const struct json_value *v, const char *key)
{
    const struct json_value *m = v != NULL ? json_get(v, key) : NULL;

    return m != NULL && m->type == JSON_STRING ? m->u.str.text : NULL;
}

static void
test_state(void)
{
    struct strpair ann[] = {{(char *)"k", (char *)"v"}};
    struct spec_state_private priv = {.has_pidns = true, .pidns = true};
    struct spec_state st = {
        .oci_version = (char *)"1.3.0",
        .id = (char *)"web",
        .status = (char *)"created",
        .has_pid = true,
        .pid = 4422,
        .bundle = (char *)"/containers/web",
        .annotations = {.items = ann, .n = 1},
        .rootfs = (char *)"/containers/web/rootfs",
        .created = (char *)"2025-01-01T00:00:00Z",
        .owner = (char *)"",
        .priv = &priv,
    };
    struct json_value *v = NULL, *w = NULL;
    const struct json_value *fds, *state, *pid;
    char *text = NULL;
    int64_t n = 0;

    tap_is_int(sfilter_process_state(&st, "MKNOD=/dev/null", &text, &err), 0,
               "the container process state is written");
    if (text != NULL)
        v = json_parse(text, strlen(text), "state", &err);
    tap_ok(v != NULL && v->type == JSON_OBJECT, "as one JSON object: %s", text ? text : "");
    tap_is_str(str_at(v, "ociVersion"), SPEC_OCI_VERSION, "ociVersion");
    fds = v != NULL ? json_get(v, "fds") : NULL;
    tap_ok(fds != NULL && fds->type == JSON_ARRAY && fds->u.arr.n == 1
               && strcmp(fds->u.arr.items[0]->u.str.text, "seccompFd") == 0,
           "fds: [\"seccompFd\"]");
    pid = v != NULL ? json_get(v, "pid") : NULL;
    tap_ok(pid != NULL && json_number_int64(pid, 0, INT32_MAX, &n) == 0 && n == 4422,
           "pid: the container process");
    tap_is_str(str_at(v, "metadata"), "MKNOD=/dev/null", "metadata: listenerMetadata");
    state = v != NULL ? json_get(v, "state") : NULL;
    tap_ok(state != NULL && state->type == JSON_OBJECT, "state: an object");
    tap_ok(str_at(state, "id") && strcmp(str_at(state, "id"), "web") == 0
               && strcmp(str_at(state, "status"), "created") == 0
               && strcmp(str_at(state, "bundle"), "/containers/web") == 0
               && json_get(state, "pid") != NULL && json_get(state, "annotations") != NULL,
           "state: id, status, pid, bundle, annotations");
    tap_ok(state != NULL && json_get(state, "rootfs") == NULL && json_get(state, "created") == NULL
               && json_get(state, "owner") == NULL && json_get(state, "berth") == NULL,
           "state: runtime-spec's fields only, no runc additions nor berth's own");
    json_free(v);
    free(text);
    text = NULL;

    tap_is_int(sfilter_process_state(&st, NULL, &text, &err), 0, "without listenerMetadata");
    if (text != NULL)
        w = json_parse(text, strlen(text), "state", &err);
    tap_ok(w != NULL && json_get(w, "metadata") == NULL, "metadata is left out");
    json_free(w);
    free(text);
}

/* A listening socket at PATH (0 on success). */
static int
listen_at(const char *path, int *ret)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0) {
        close(fd);
        return -1;
    }
    *ret = fd;
    return 0;
}

static void
test_send(void)
{
    char path[300], buf[512];
    int lfd = -1, conn, peer, p[2], got = -1;
    const char *state = "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":1}";
    ssize_t n, total = 0;
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int) * 4)];
    } u;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};

    snprintf(path, sizeof(path), "%s/agent.sock", dir);
    if (listen_at(path, &lfd) < 0 || pipe2(p, O_CLOEXEC) < 0) {
        tap_ok(0, "listen at '%s': %s", path, strerror(errno));
        return;
    }
    conn = sfilter_agent_connect(path, &err);
    tap_ok(conn >= 0, "sfilter_agent_connect reaches a listening agent");
    peer = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0 || peer < 0)
        return;
    tap_is_int(sfilter_agent_send(conn, p[1], state, &err), 0, "the state and the fd are sent");
    close(conn);
    n = recvmsg(peer, &mh, MSG_CMSG_CLOEXEC);
    if (n > 0 && CMSG_FIRSTHDR(&mh) != NULL && CMSG_FIRSTHDR(&mh)->cmsg_type == SCM_RIGHTS)
        memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
    total = n > 0 ? n : 0;
    while (n > 0 && (size_t)total < sizeof(buf) - 1) {
        n = read(peer, buf + total, sizeof(buf) - 1 - (size_t)total);
        if (n > 0)
            total += n;
    }
    buf[total] = '\0';
    tap_is_str(buf, state, "the agent reads the whole state, then EOF");
    tap_ok(got >= 0, "with one fd (SCM_RIGHTS)");
    if (got >= 0) {
        char c = 0;

        /* The write end of our pipe: what goes in comes out of ours. */
        tap_ok(write(got, "x", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'x',
               "which is the fd that was sent");
        close(got);
    }
    close(peer);
    close(p[0]);
    close(p[1]);
    close(lfd);
    unlink(path);
}

static void
test_connect_errors(void)
{
    char path[300], longdir[512], longpath[600];
    int fd, lfd = -1;

    snprintf(path, sizeof(path), "%s/none.sock", dir);
    error_free(&err);
    fd = sfilter_agent_connect(path, &err);
    tap_ok(fd == -ENOENT && err != NULL && strstr(err->msg, "linux.seccomp.listenerPath '")
               && strstr(err->msg, "No such file or directory"),
           "a missing socket names listenerPath: %s", err ? err->msg : "");
    /* Bound, nobody listening: an agent that is not there. */
    {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        snprintf(path, sizeof(path), "%s/dead.sock", dir);
        memcpy(sa.sun_path, path, strlen(path) + 1);
        if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            close(s);
    }
    error_free(&err);
    fd = sfilter_agent_connect(path, &err);
    tap_ok(fd == -ECONNREFUSED && err != NULL
               && strstr(err->msg, "connect to the seccomp agent: Connection refused"),
           "nobody listening: %s", err ? err->msg : "");
    unlink(path);

    /* A path longer than sun_path goes through its directory's fd. */
    snprintf(longdir, sizeof(longdir), "%s/%0150d", dir, 0);
    snprintf(longpath, sizeof(longpath), "%s/a.sock", longdir);
    if (mkdir(longdir, 0700) == 0 && chdir(longdir) == 0 && listen_at("a.sock", &lfd) == 0) {
        error_free(&err);
        fd = sfilter_agent_connect(longpath, &err);
        tap_ok(fd >= 0, "a listenerPath of %zu bytes connects: %s", strlen(longpath),
               err ? err->msg : "ok");
        if (fd >= 0)
            close(fd);
        close(lfd);
        unlink("a.sock");
    } else {
        tap_ok(0, "make '%s': %s", longdir, strerror(errno));
    }
    if (chdir("/") < 0)
        abort();
    rmdir(longdir);
}

int
main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/berth-unit-XXXXXX");
    if (mkdtemp(dir) == NULL)
        tap_skip_all("cannot make a temporary directory");
    test_state();
    test_send();
    test_connect_errors();
    rmdir(dir);
    error_free(&err);
    return tap_done();
}

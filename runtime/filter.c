/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp across create, init and start: see filter.h. */
#include "runtime/filter.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/state.h"
#include "runtime/sync.h"

/* The cache of compiled filters, in the state root.  The '@' keeps the
 * name from ever being a container id (state_check_id()). */
#define CACHE_DIR "seccomp@cache"

/* The cache directory, made if missing; -1 when there is none we can
 * trust: it must be ours and writable by no one else, since a filter read
 * from it is loaded as it is. */
static int
open_cache_dir(const char *root)
{
    struct error *ignored = NULL;
    _cleanup_close_ int rootfd = state_root_open(root, &ignored);
    _cleanup_close_ int fd = -1;
    struct stat st;

    error_free(&ignored);
    if (rootfd < 0)
        return -1;
    if (mkdirat(rootfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
        return -1;
    fd = openat(rootfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0)
        return -1;
    return TAKE_FD(fd);
}

int
filter_compile(const char *root, const struct spec_seccomp *sc, struct sfilter **ret,
               struct error **err)
{
    _cleanup_close_ int cache = open_cache_dir(root);

    return sfilter_compile_cached(cache, sc, ret, err);
}

/* ---- init ---- */

int
filter_load(const struct sfilter *f, int start_fd, struct error **err)
{
    struct sync_msg m;
    int listener, rc, extra;
    ssize_t n;

    listener = sfilter_load(f, err);
    if (listener <= 0)
        return listener;
    if (start_fd < 3) {
        close(listener);
        return error_setx(err, EINVAL,
                          "linux.seccomp: SCMP_ACT_NOTIFY: no connection to hand the notify fd "
                          "over");
    }
    rc = sync_send_fd(start_fd, SYNC_SECCOMP, 0, listener);
    close(listener);
    if (rc < 0)
        return error_set(err, -rc, "linux.seccomp: hand the notify fd to `berth start`");
    n = sync_recv_fd(start_fd, &m, &extra);
    if (extra >= 0)
        close(extra);
    if (n < 0)
        return error_set(err, (int)-n, "linux.seccomp: wait for the seccomp agent");
    if (n == 0)
        return error_setx(err, EPIPE,
                          "linux.seccomp: `berth start` could not pass the notify fd to the "
                          "seccomp agent");
    if (m.type != SYNC_SECCOMP_DONE)
        return error_setx(err, EPROTO, "linux.seccomp: unexpected message %u from `berth start`",
                          m.type);
    return 0;
}

/* ---- start ---- */

int
filter_agent_open(const struct spec *cfg, int *ret_fd, struct error **err)
{
    const struct spec_seccomp *sc =
        cfg != NULL && cfg->linux_ != NULL ? cfg->linux_->seccomp : NULL;
    int fd;

    *ret_fd = -1;
    if (sc == NULL || !sfilter_has_notify(sc))
        return 0;
    if (sc->listener_path == NULL)
        return error_setx(err, EINVAL, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
    fd = sfilter_agent_connect(sc->listener_path, err);
    if (fd < 0)
        return fd;
    *ret_fd = fd;
    return 0;
}

int
filter_relay(int conn, int agent, const struct spec *cfg, const struct spec_state *st,
             struct error **err)
{
    _cleanup_close_ int agent_fd = agent;
    _cleanup_close_ int listener = -1;
    _cleanup_free_ char *state = NULL;
    const struct spec_seccomp *sc;
    struct spec_state created;
    struct sync_msg m;
    ssize_t n;
    int rc;

    if (agent_fd < 0)
        return 0;
    sc = cfg->linux_->seccomp;
    n = sync_recv_fd(conn, &m, &listener);
    if (n < 0)
        return error_set(err, (int)-n, "waiting for init's seccomp notify fd");
    if (n == 0)
        return error_setx(err, EPIPE,
                          "container init exited before handing over the seccomp notify fd");
    if (m.type == SYNC_ERROR)
        return error_setx(err, m.errnum > 0 ? m.errnum : EIO, "%s", m.text);
    if (m.type != SYNC_SECCOMP || listener < 0)
        return error_setx(err, EPROTO, "init sent message %u instead of the seccomp notify fd",
                          m.type);
    /* The container process has not run yet: it is still "created". */
    created = *st;
    created.status = (char *)"created";
    rc = sfilter_process_state(&created, sc->listener_metadata, &state, err);
    if (rc == 0)
        rc = sfilter_agent_send(agent_fd, listener, state, err);
    if (rc < 0)
        return error_wrap(err, "linux.seccomp.listenerPath '%s'", sc->listener_path);
    /* config-linux.md: "The connection MUST NOT be reused and it MUST be
     * closed after sending a seccomp state." */
    close(TAKE_FD(agent_fd));
    rc = sync_send(conn, SYNC_SECCOMP_DONE, 0);
    if (rc < 0)
        return error_set(err, -rc, "tell init that the seccomp agent has the notify fd");
    return 0;
}

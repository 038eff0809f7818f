/* SPDX-License-Identifier: Apache-2.0 */
/* start, state, kill, delete (runtime.md "Operations"). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/filter.h"
#include "runtime/hooks.h"
#include "runtime/procs.h"
#include "runtime/runtime.h"
#include "runtime/state.h"
#include "runtime/sync.h"

DEFINE_CLEANUP_FUNC(struct spec_state *, spec_state_free)
DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

/* Open and lock ID's state directory and read its state. */
static int
load(const struct runtime_ctx *ctx, const char *id, int *ret_dirfd, struct spec_state **ret,
     struct error **err)
{
    _cleanup_close_ int rootfd = state_root_open(ctx->root, err);
    _cleanup_close_ int dirfd = -1;

    if (rootfd < 0)
        return rootfd;
    dirfd = state_dir_open(rootfd, id, err);
    if (dirfd < 0)
        return dirfd;
    *ret = state_read(dirfd, id, err);
    if (*ret == NULL)
        return -error_errnum(*err);
    *ret_dirfd = TAKE_FD(dirfd);
    return 0;
}

int
runtime_start(const struct runtime_ctx *ctx, const char *id, struct error **err)
{
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_(spec_freep) struct spec *cfg = NULL;
    _cleanup_close_ int dirfd = -1;
    _cleanup_close_ int conn = -1;
    _cleanup_close_ int agent = -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *status;
    struct sync_msg msg;
    int rc;

    rc = load(ctx, id, &dirfd, &st, err);
    if (rc < 0)
        return rc;
    status = state_status(dirfd, st);
    /* runtime.md "start": "Attempting to start a container that is not
     * created MUST have no effect on the container and MUST generate an
     * error." */
    if (strcmp(status, "created") != 0)
        return error_setx(err, EINVAL, "start '%s': container is %s, not created", id, status);
    /* A frozen init could not answer: start would wait for resume. */
    if (st->priv != NULL && cgroup_is_frozen(st->priv->cgroup_path))
        return error_setx(err, EINVAL, "start '%s': container is paused, not created", id);
    /* The poststart hooks and the seccomp agent of the configuration
     * frozen at create, read only when it has any (states of older berth
     * lack the flag: read it then). */
    if (st->priv == NULL || !st->priv->has_config_at_start || st->priv->config_at_start) {
        cfg = hooks_load_config_at(dirfd, err);
        if (cfg == NULL)
            return error_wrap(err, "start '%s'", id);
    }
    /* A seccomp agent that is not listening fails start before init is
     * asked to do anything (runtime/filter.h). */
    if (filter_agent_open(cfg, &agent, err) < 0)
        return error_wrap(err, "start '%s'", id);
    conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (conn < 0)
        return error_set(err, errno, "start '%s': socket", id);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, STATE_EXEC_SOCK);
    if (connect(conn, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return error_set(err, errno, "start '%s': connect to init", id);
    /* Once init has been asked to start, the container is no longer
     * "created", whatever happens next. */
    unlinkat(dirfd, STATE_EXEC_SOCK, 0);
    if (filter_relay(conn, TAKE_FD(agent), cfg, st, err) < 0)
        return error_wrap(err, "start '%s'", id);
    /* init closes the connection by exec (close-on-exec), or sends why it
     * could not exec. */
    rc = sync_recv(conn, &msg);
    if (rc == -EPIPE)
        return cfg != NULL && hooks_poststart(cfg, st, err) < 0 ? error_wrap(err, "start '%s'", id)
                                                                : 0;
    if (rc < 0)
        return error_set(err, -rc, "start '%s': waiting for init", id);
    if (msg.type == SYNC_ERROR)
        return error_setx(err, msg.errnum > 0 ? msg.errnum : EIO, "start '%s': %s", id, msg.text);
    return error_setx(err, EPROTO, "start '%s': unexpected message from init", id);
}

struct spec_state *
runtime_state(const struct runtime_ctx *ctx, const char *id, struct error **err)
{
    _cleanup_close_ int dirfd = -1;
    struct spec_state *st = NULL;

    if (load(ctx, id, &dirfd, &st, err) < 0)
        return NULL;
    free(st->status);
    st->status = xstrdup(state_status(dirfd, st));
    /* runc's "paused": created or running, with the cgroup frozen. */
    if (strcmp(st->status, "stopped") != 0 && st->priv != NULL
        && cgroup_is_frozen(st->priv->cgroup_path)) {
        free(st->status);
        st->status = xstrdup("paused");
    }
    /* runc reports pid 0 for a stopped container. */
    if (strcmp(st->status, "stopped") == 0)
        st->pid = 0;
    return st;
}

int
runtime_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all, struct error **err)
{
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_close_ int dirfd = -1;
    const char *status;
    int rc;

    rc = load(ctx, id, &dirfd, &st, err);
    if (rc < 0)
        return rc;
    status = state_status(dirfd, st);
    /* runtime.md "kill": only created or running containers. */
    if (strcmp(status, "stopped") == 0)
        /* runc's words: containerd's shim maps "container not running"
         * (and "no such process") to "process already finished"; any other
         * text becomes an unknown error, and `ctr task rm -f` fails. */
        return error_setx(err, ESRCH, "kill '%s': container not running", id);
    if (all) {
        rc = procs_signal_all(st, sig, err);
        return rc < 0 ? error_wrap(err, "kill '%s'", id) : 0;
    }
    if (procs_signal_init(st, sig) < 0)
        return error_set(err, errno, "kill '%s': signal %d", id, sig);
    return 0;
}

int
runtime_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct error **err)
{
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_(spec_freep) struct spec *cfg = NULL;
    _cleanup_close_ int rootfd = -1;
    _cleanup_close_ int dirfd = -1;
    const char *status;
    int rc;

    rootfd = state_root_open(ctx->root, err);
    if (rootfd < 0)
        return rootfd;
    dirfd = state_dir_open(rootfd, id, err);
    /* delete --force is idempotent, as with runc: engines call it to be
     * sure a container is gone. */
    if (dirfd == -ENOENT && force) {
        error_free(err);
        return 0;
    }
    if (dirfd < 0)
        return dirfd;
    st = state_read(dirfd, id, err);
    if (st == NULL) {
        /* A state directory without a readable state is debris of a
         * create that was killed: --force cleans it up. */
        if (!force)
            return -error_errnum(*err);
        error_free(err);
        return state_dir_remove(rootfd, id, err);
    }
    status = state_status(dirfd, st);
    /* runtime.md "delete" wants a stopped container; like runc we also
     * delete one that was created but never started (its init only
     * waits), and a running one with --force. */
    if (strcmp(status, "running") == 0 && !force)
        return error_setx(err, EBUSY,
                          "delete '%s': container is running (stop it first, or use --force)", id);
    if (strcmp(status, "stopped") != 0) {
        rc = procs_kill_and_wait(st, err);
        if (rc < 0)
            return error_wrap(err, "delete '%s'", id);
    }
    /* Whatever init left behind goes with the cgroup (a daemon that
     * outlived a stopped init, without a pid namespace). */
    if (st->priv != NULL && st->priv->cgroup_path != NULL) {
        rc = cgroup_remove(st->priv->cgroup_path, err);
        if (rc < 0)
            return error_wrap(err, "delete '%s'", id);
    }
    /* Read before the state directory, which holds it, goes; and only
     * when there are poststop hooks (states written by older berth lack the
     * flag: read it then). */
    if (st->priv == NULL || !st->priv->has_config_at_delete || st->priv->config_at_delete)
        cfg = hooks_delete_config(ctx, dirfd, id);
    rc = state_dir_remove(rootfd, id, err);
    if (rc < 0)
        return error_wrap(err, "delete '%s'", id);
    /* config.md "Poststop": "called after the container is deleted but
     * before the delete operation returns". */
    hooks_poststop(ctx, "delete", cfg, st);
    return 0;
}

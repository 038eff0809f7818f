/* SPDX-License-Identifier: Apache-2.0 */
/* pause, resume, update and events (runtime.h): the operations runc has
 * beyond runtime.md's, all through the container's cgroup. */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

DEFINE_CLEANUP_FUNC(struct spec_state *, spec_state_free)

/* Open and lock ID's state directory, read its state; the status too. */
static int
load(const struct runtime_ctx *ctx, const char *id, int *ret_dirfd, struct spec_state **ret,
     const char **ret_status, struct error **err)
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
    *ret_status = state_status(dirfd, *ret);
    *ret_dirfd = TAKE_FD(dirfd);
    return 0;
}

static const char *
cgroup_of(const struct spec_state *st)
{
    return st->priv != NULL ? st->priv->cgroup_path : NULL;
}

static int
no_cgroup(const char *op, const char *id, struct error **err)
{
    return error_setx(err, EOPNOTSUPP,
                      "%s '%s': the container has no cgroup (berth runs a rootless container "
                      "without one when the user's cgroup is not delegated)",
                      op, id);
}

/* pause (FREEZE) or resume: cgroup.freeze, waiting until it holds. */
static int
set_frozen(const struct runtime_ctx *ctx, const char *id, bool freeze, struct error **err)
{
    const char *op = freeze ? "pause" : "resume";
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_close_ int dirfd = -1;
    const char *status;
    int rc = load(ctx, id, &dirfd, &st, &status, err);

    if (rc < 0)
        return rc;
    if (strcmp(status, "stopped") == 0)
        return error_setx(err, EINVAL, "%s '%s': container is stopped", op, id);
    if (cgroup_of(st) == NULL)
        return no_cgroup(op, id, err);
    if (cgroup_is_frozen(cgroup_of(st)) == freeze)
        return error_setx(err, EINVAL, "%s '%s': container is %s", op, id,
                          freeze ? "already paused" : "not paused");
    rc = cgroup_freeze(cgroup_of(st), freeze, err);
    return rc < 0 ? error_wrap(err, "%s '%s'", op, id) : 0;
}

int
runtime_pause(const struct runtime_ctx *ctx, const char *id, struct error **err)
{
    return set_frozen(ctx, id, true, err);
}

int
runtime_resume(const struct runtime_ctx *ctx, const char *id, struct error **err)
{
    return set_frozen(ctx, id, false, err);
}

int
runtime_update(const struct runtime_ctx *ctx, const char *id, const struct runtime_update_opts *o,
               struct error **err)
{
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_close_ int dirfd = -1;
    const char *status;
    int rc = load(ctx, id, &dirfd, &st, &status, err);

    if (rc < 0)
        return rc;
    if (strcmp(status, "stopped") == 0)
        return error_setx(err, EINVAL, "update '%s': container is stopped", id);
    if (cgroup_of(st) == NULL)
        return no_cgroup("update", id, err);
    rc = cgroup_update(ctx, dirfd, st, o, err);
    return rc < 0 ? error_wrap(err, "update '%s'", id) : 0;
}

/* ---- events ---- */

/* One event line of runc's shape: {"type": TYPE, "id": ID}, with "data"
 * (the cgroup's statistics) when CGFD is not -1. */
static int
emit_event(const char *type, int cgfd, const char *id, const struct runtime_events_opts *o,
           struct error **err)
{
    struct json_writer *w = json_writer_new(false);
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc;

    json_w_object_begin(w);
    json_w_key(w, "type");
    json_w_string(w, type);
    json_w_key(w, "id");
    json_w_string(w, id);
    if (cgfd >= 0) {
        json_w_key(w, "data");
        cgroup_stats_write(cgfd, w);
    }
    json_w_object_end(w);
    rc = json_writer_finish(w, &buf, &len, err);
    if (rc < 0)
        return rc;
    o->emit(o->emit_data, buf);
    return 0;
}

static int
emit_stats(int cgfd, const char *id, const struct runtime_events_opts *o, struct error **err)
{
    return emit_event("stats", cgfd, id, o, err);
}

static int
emit_oom(const char *id, const struct runtime_events_opts *o, struct error **err)
{
    return emit_event("oom", -1, id, o, err);
}

static long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Stats every interval, an oom event per kill (memory.events oom_kill
 * going up: the kernel notifies changes to poll(2) as POLLPRI), until
 * cgroup.events says the cgroup is empty. */
static int
stream(int cgfd, const char *id, const struct runtime_events_opts *o, struct error **err)
{
    _cleanup_close_ int mem = openat(cgfd, "memory.events", O_RDONLY | O_CLOEXEC);
    _cleanup_close_ int ev = openat(cgfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    uint64_t ooms = cgroup_read_key(cgfd, "memory.events", "oom_kill", NULL);
    unsigned interval = o->interval_ms ? o->interval_ms : 5000;
    long next = now_ms();
    int rc;

    if (ev < 0)
        return errno == ENOENT ? 0 : error_set(err, errno, "open cgroup.events");
    for (;;) {
        struct pollfd pfd[2] = {{.fd = ev, .events = POLLPRI}, {.fd = mem, .events = POLLPRI}};
        uint64_t now_ooms = cgroup_read_key(cgfd, "memory.events", "oom_kill", NULL);
        bool found;
        long wait;

        /* Read every time, not only when notified: a kill between the
         * read and the poll is not lost. */
        if (now_ooms > ooms) {
            rc = emit_oom(id, o, err);
            if (rc < 0)
                return rc;
        }
        ooms = now_ooms > ooms ? now_ooms : ooms;
        if (now_ms() >= next) {
            rc = emit_stats(cgfd, id, o, err);
            if (rc < 0)
                return rc;
            next += interval;
        }
        if (cgroup_read_key(cgfd, "cgroup.events", "populated", &found) == 0 || !found)
            return 0;
        wait = next - now_ms();
        if (wait < 0)
            wait = 0;
        if (poll(pfd, mem >= 0 ? 2 : 1, wait > 1000 ? 1000 : (int)wait) < 0 && errno != EINTR)
            return error_set(err, errno, "poll");
    }
}

int
runtime_events(const struct runtime_ctx *ctx, const char *id, const struct runtime_events_opts *o,
               struct error **err)
{
    _cleanup_(spec_state_freep) struct spec_state *st = NULL;
    _cleanup_close_ int cgfd = -1;
    const char *status;
    int dirfd = -1;
    int rc = load(ctx, id, &dirfd, &st, &status, err);

    if (rc < 0)
        return rc;
    /* The lock goes now: events may run for as long as the container, and
     * delete, kill or update must not wait for it. */
    close(dirfd);
    if (strcmp(status, "stopped") == 0)
        return error_setx(err, EINVAL, "events '%s': container is stopped", id);
    if (cgroup_of(st) == NULL)
        return no_cgroup("events", id, err);
    cgfd = open(cgroup_of(st), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0)
        return error_set(err, errno, "events '%s': cgroup '%s'", id, cgroup_of(st));
    rc = o->stats ? emit_stats(cgfd, id, o, err) : stream(cgfd, id, o, err);
    return rc < 0 ? error_wrap(err, "events '%s'", id) : 0;
}

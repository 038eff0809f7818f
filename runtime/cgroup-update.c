/* SPDX-License-Identifier: Apache-2.0 */
/* `update`: new linux.resources for a live container.  As runc does, the
 * new values are merged into what the container has (here: the
 * configuration frozen at create, runtime/state.h), and the whole result is
 * written to the cgroup, so that a partial change (a quota without its
 * period, a swap limit without the memory limit) keeps the rest. */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/hooks.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

/* ---- merging (pure) ---- */

#define TAKE(d, s, has, f)                                                                         \
    do {                                                                                           \
        if ((s)->has) {                                                                            \
            (d)->has = true;                                                                       \
            (d)->f = (s)->f;                                                                       \
        }                                                                                          \
    } while (0)

static void *
alloc_if_null(void **p, size_t size)
{
    if (*p == NULL)
        *p = xcalloc(1, size);
    return *p;
}

static void
replace_str(char **dst, const char *src)
{
    if (src == NULL)
        return;
    free(*dst);
    *dst = xstrdup(src);
}

static void
merge_memory(struct spec_memory **dstp, const struct spec_memory *s)
{
    struct spec_memory *d = alloc_if_null((void **)dstp, sizeof(**dstp));

    TAKE(d, s, has_limit, limit);
    TAKE(d, s, has_reservation, reservation);
    TAKE(d, s, has_swap, swap);
    TAKE(d, s, has_kernel, kernel);
    TAKE(d, s, has_kernel_tcp, kernel_tcp);
    TAKE(d, s, has_swappiness, swappiness);
    TAKE(d, s, has_disable_oom_killer, disable_oom_killer);
    TAKE(d, s, has_use_hierarchy, use_hierarchy);
    TAKE(d, s, has_check_before_update, check_before_update);
}

static void
merge_cpu(struct spec_cpu **dstp, const struct spec_cpu *s)
{
    struct spec_cpu *d = alloc_if_null((void **)dstp, sizeof(**dstp));

    TAKE(d, s, has_shares, shares);
    TAKE(d, s, has_quota, quota);
    TAKE(d, s, has_burst, burst);
    TAKE(d, s, has_period, period);
    TAKE(d, s, has_realtime_runtime, realtime_runtime);
    TAKE(d, s, has_realtime_period, realtime_period);
    TAKE(d, s, has_idle, idle);
    replace_str(&d->cpus, s->cpus);
    replace_str(&d->mems, s->mems);
}

/* A list SRC gives replaces DST's: the element types are plain data. */
static void *
copy_array(const void *src, size_t n, size_t size)
{
    void *p;

    if (n == 0)
        return NULL;
    p = xmalloc(n * size);
    memcpy(p, src, n * size);
    return p;
}

#define REPLACE_LIST(d, s, f)                                                                      \
    do {                                                                                           \
        if ((s)->n_##f > 0) {                                                                      \
            free((d)->f);                                                                          \
            (d)->f = copy_array((s)->f, (s)->n_##f, sizeof(*(s)->f));                              \
            (d)->n_##f = (s)->n_##f;                                                               \
        }                                                                                          \
    } while (0)

static void
merge_block_io(struct spec_block_io **dstp, const struct spec_block_io *s)
{
    struct spec_block_io *d = alloc_if_null((void **)dstp, sizeof(**dstp));

    TAKE(d, s, has_weight, weight);
    TAKE(d, s, has_leaf_weight, leaf_weight);
    REPLACE_LIST(d, s, weight_device);
    REPLACE_LIST(d, s, throttle_read_bps_device);
    REPLACE_LIST(d, s, throttle_write_bps_device);
    REPLACE_LIST(d, s, throttle_read_iops_device);
    REPLACE_LIST(d, s, throttle_write_iops_device);
}

static void
merge_network(struct spec_network **dstp, const struct spec_network *s)
{
    struct spec_network *d = alloc_if_null((void **)dstp, sizeof(**dstp));

    TAKE(d, s, has_class_id, class_id);
    if (s->n_priorities > 0) {
        for (size_t i = 0; i < d->n_priorities; i++)
            free(d->priorities[i].name);
        free(d->priorities);
        d->priorities = copy_array(s->priorities, s->n_priorities, sizeof(*s->priorities));
        d->n_priorities = s->n_priorities;
        for (size_t i = 0; i < d->n_priorities; i++)
            d->priorities[i].name = xstrdup(s->priorities[i].name);
    }
}

static void
merge_devices(struct spec_resources *d, const struct spec_resources *s)
{
    if (s->n_devices == 0)
        return;
    for (size_t i = 0; i < d->n_devices; i++) {
        free(d->devices[i].type);
        free(d->devices[i].access);
    }
    free(d->devices);
    d->devices = copy_array(s->devices, s->n_devices, sizeof(*s->devices));
    d->n_devices = s->n_devices;
    for (size_t i = 0; i < d->n_devices; i++) {
        d->devices[i].type = s->devices[i].type ? xstrdup(s->devices[i].type) : NULL;
        d->devices[i].access = s->devices[i].access ? xstrdup(s->devices[i].access) : NULL;
    }
}

static void
merge_hugepages(struct spec_resources *d, const struct spec_resources *s)
{
    size_t alloc = d->n_hugepage_limits;

    for (size_t i = 0; i < s->n_hugepage_limits; i++) {
        const struct spec_hugepage_limit *h = &s->hugepage_limits[i];
        size_t j;

        for (j = 0; j < d->n_hugepage_limits; j++)
            if (strcmp(d->hugepage_limits[j].page_size, h->page_size) == 0)
                break;
        if (j == d->n_hugepage_limits) {
            d->hugepage_limits =
                xgrow(d->hugepage_limits, &alloc, d->n_hugepage_limits, sizeof(*h));
            d->hugepage_limits[d->n_hugepage_limits++].page_size = xstrdup(h->page_size);
        }
        d->hugepage_limits[j].limit = h->limit;
    }
}

static void
merge_rdma(struct spec_resources *d, const struct spec_resources *s)
{
    size_t alloc = d->n_rdma;

    for (size_t i = 0; i < s->n_rdma; i++) {
        const struct spec_rdma *r = &s->rdma[i];
        struct spec_rdma *t;
        size_t j;

        for (j = 0; j < d->n_rdma; j++)
            if (strcmp(d->rdma[j].key, r->key) == 0)
                break;
        if (j == d->n_rdma) {
            d->rdma = xgrow(d->rdma, &alloc, d->n_rdma, sizeof(*r));
            d->rdma[d->n_rdma++].key = xstrdup(r->key);
        }
        t = &d->rdma[j];
        TAKE(t, r, has_hca_handles, hca_handles);
        TAKE(t, r, has_hca_objects, hca_objects);
    }
}

static void
merge_unified(struct strmap *d, const struct strmap *s)
{
    size_t alloc = d->n;

    for (size_t i = 0; i < s->n; i++) {
        size_t j;

        for (j = 0; j < d->n; j++)
            if (strcmp(d->items[j].key, s->items[i].key) == 0)
                break;
        if (j == d->n) {
            d->items = xgrow(d->items, &alloc, d->n, sizeof(*d->items));
            d->items[d->n++].key = xstrdup(s->items[i].key);
        }
        replace_str(&d->items[j].value, s->items[i].value ? s->items[i].value : "");
    }
}

void
cgroup_resources_merge(struct spec_resources *dst, const struct spec_resources *src)
{
    if (src == NULL)
        return;
    merge_devices(dst, src);
    if (src->memory != NULL)
        merge_memory(&dst->memory, src->memory);
    if (src->cpu != NULL)
        merge_cpu(&dst->cpu, src->cpu);
    if (src->pids != NULL) {
        alloc_if_null((void **)&dst->pids, sizeof(*dst->pids));
        dst->pids->limit = src->pids->limit;
    }
    if (src->block_io != NULL)
        merge_block_io(&dst->block_io, src->block_io);
    merge_hugepages(dst, src);
    if (src->network != NULL)
        merge_network(&dst->network, src->network);
    merge_rdma(dst, src);
    merge_unified(&dst->unified, &src->unified);
}

/* ---- runtime_update ---- */

/* The LinuxResources JSON of PATH ("-": stdin), parsed as the
 * linux.resources of a configuration so that errors name its fields. */
static struct spec *
read_resources(const char *path, struct error **err)
{
    static const char prefix[] =
        "{\"ociVersion\":\"" SPEC_OCI_VERSION "\",\"linux\":{\"resources\":";
    _cleanup_free_ char *buf = NULL;
    _cleanup_free_ char *doc = NULL;
    size_t len = 0;
    int rc;

    if (strcmp(path, "-") == 0)
        rc = fd_read_all(STDIN_FILENO, 1u << 20, &buf, &len);
    else
        rc = fd_read_file_at(AT_FDCWD, path, 1u << 20, &buf, &len);
    if (rc < 0) {
        error_set(err, -rc, "--resources '%s'", path);
        return NULL;
    }
    /* On the first line, so that line numbers in messages stay true.
     * Parsed only: the values are validated once merged into the whole
     * configuration, which a partial one would fail (no root, ...). */
    doc = xasprintf("%s%s}}", prefix, buf);
    return spec_parse(doc, strlen(doc), strcmp(path, "-") == 0 ? "stdin" : path, err);
}

static int
check_before_update(int dirfd, const struct cgroup_plan *plan, struct error **err)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct cgroup_write *w = &plan->writes[i];
        _cleanup_free_ char *cur = NULL;
        unsigned long long limit, usage;

        if (strcmp(w->file, "memory.max") != 0 || strcmp(w->value, "max") == 0)
            continue;
        if (fd_read_file_at(dirfd, "memory.current", 64, &cur, NULL) < 0)
            continue;
        limit = strtoull(w->value, NULL, 10);
        usage = strtoull(cur, NULL, 10);
        /* config-linux.md "Memory": checkBeforeUpdate "MUST reject the new
         * limit" when it is lower than the current usage. */
        if (limit < usage)
            return error_setx(err, EBUSY,
                              "%s: %llu is below the current usage %llu (checkBeforeUpdate)",
                              w->field, limit, usage);
    }
    return 0;
}

int
cgroup_update(const struct runtime_ctx *ctx, int dirfd, const struct spec_state *st,
              const struct runtime_update_opts *o, struct error **err)
{
    const char *path = st->priv->cgroup_path;
    const char *mnt = cgroup_mount();
    _cleanup_(spec_freep) struct spec *cfg = NULL;
    _cleanup_(spec_freep) struct spec *upd = NULL;
    _cleanup_(cgroup_plan_free) struct cgroup_plan plan = {0};
    _cleanup_close_ int cgfd = -1;
    _cleanup_free_ char *buf = NULL;
    struct spec_resources *res;
    struct diags diags;
    bool devices = false;
    size_t len;
    int rc;

    if (mnt == NULL || strncmp(path, mnt, strlen(mnt)) != 0)
        return error_setx(err, ENOENT, "the cgroup '%s' is not in this host's cgroup2 hierarchy",
                          path);
    if (o->resources_path != NULL) {
        upd = read_resources(o->resources_path, err);
        if (upd == NULL)
            return -EINVAL;
    }
    cfg = hooks_load_config_at(dirfd, err);
    if (cfg == NULL)
        return -error_errnum(*err);
    if (cfg->linux_ == NULL)
        cfg->linux_ = xcalloc(1, sizeof(*cfg->linux_));
    if (cfg->linux_->resources == NULL)
        cfg->linux_->resources = xcalloc(1, sizeof(*cfg->linux_->resources));
    res = cfg->linux_->resources;
    if (upd != NULL && upd->linux_ != NULL && upd->linux_->resources != NULL) {
        cgroup_resources_merge(res, upd->linux_->resources);
        devices |= upd->linux_->resources->n_devices > 0;
    }
    if (o->flags != NULL) {
        cgroup_resources_merge(res, o->flags);
        devices |= o->flags->n_devices > 0;
    }
    diags_init(&diags, "the updated configuration");
    spec_validate(cfg, &diags);
    rc = diags_to_error(&diags, err);
    diags_free(&diags);
    if (rc < 0)
        return rc;
    rc = cgroup_plan_build(res, &plan, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < plan.n_ignored && ctx->warn != NULL; i++) {
        _cleanup_free_ char *msg = xasprintf("%s: cgroup v2 has no such setting: ignored, as "
                                             "runc does",
                                             plan.ignored[i]);
        ctx->warn(ctx->warn_data, msg);
    }
    rc = cgroup_enable_controllers(mnt, path, &plan, err);
    if (rc < 0)
        return rc;
    cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgfd < 0)
        return error_set(err, errno, "cgroup '%s'", path);
    if (plan.check_before_update && check_before_update(cgfd, &plan, err) < 0)
        return -EBUSY;
    rc = cgroup_apply(cgfd, path, &plan, err);
    if (rc < 0)
        return rc;
    /* A user namespace has no device program (runtime/cgroup.c). */
    if (devices && !(st->priv->has_rootless && st->priv->rootless)) {
        rc = cgroup_devices_apply(cgfd, res, cfg->linux_, err);
        if (rc < 0)
            return error_wrap(err, "linux.resources.devices");
    }
    rc = spec_write(cfg, false, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = fd_replace_file_at(dirfd, STATE_CONFIG_FILE, buf, len, 0600, false);
    if (rc < 0)
        return error_set(err, -rc, "save the new resources in '%s'", STATE_CONFIG_FILE);
    return 0;
}

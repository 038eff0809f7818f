/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources -> the cgroup v2 files to write (config-linux.md
 * "Control groups").  The spec's values keep their cgroup v1 meaning; they
 * are converted as runc and crun convert them, so that an engine gets the
 * same limits from berth as from them:
 *   memory.limit        memory.max          (-1: "max"; 0: unset)
 *   memory.reservation  memory.low
 *   memory.swap         memory.swap.max = swap - limit (swap is memory+swap)
 *   cpu.shares          cpu.weight          (cgroup_shares_to_weight)
 *   cpu.quota, period   cpu.max "QUOTA PERIOD" ("max" for no quota)
 *   cpu.burst, idle     cpu.max.burst, cpu.idle
 *   cpu.cpus, mems      cpuset.cpus, cpuset.mems
 *   pids.limit          pids.max            (-1: "max"; 0 is a limit)
 *   blockIO.weight      io.bfq.weight, else io.weight (converted)
 *   blockIO.throttle*   io.max "MAJ:MIN rbps=N" (0: "max", no limit, as in v1)
 *   hugepageLimits      hugetlb.SIZE.max and, where the kernel has it,
 *                       hugetlb.SIZE.rsvd.max
 *   rdma                rdma.max "DEVICE hca_handle=N hca_object=N"
 *   unified             the key, verbatim, written last
 * Nothing here touches the system. */
#include "runtime/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

#define RES "linux.resources."

/* ---- conversions ---- */

#define LN2 0.69314718055994530942
#define LN10 2.30258509299404568402

/* log2 and 10^x without libm (the runtime does not link it).  Both are
 * exact where the conversion needs exactness: log2 of a power of two is its
 * exponent, and 10^x for an integer x is a product of tens, so that the
 * anchors 1024 -> 100 and 262144 -> 10000 come out as integers, as they do
 * with glibc's log2() and pow().  tests/unit/runtime-cgroup-plan.c checks a
 * sample against values computed with glibc; over the whole range 2..262144
 * the results were found identical. */
static double
log2_of(double x)
{
    double z, z2, term, sum = 0;
    int k = 0;

    while (x >= 2) {
        x /= 2;
        k++;
    }
    while (x < 1) {
        x *= 2;
        k--;
    }
    if (x > 1.4142135623730951) {
        x /= 2;
        k++;
    }
    /* ln(x) = 2 atanh((x - 1) / (x + 1)), |z| <= 0.18 here. */
    z = (x - 1) / (x + 1);
    z2 = z * z;
    term = z;
    for (int n = 1; n < 60; n += 2) {
        sum += term / n;
        term *= z2;
    }
    return k + 2 * sum / LN2;
}

static double
pow10_of(double e)
{
    long n = (long)e;
    double f, p = 1, term = 1, sum = 1;

    if ((double)n > e)
        n--;
    f = (e - (double)n) * LN10;
    for (long i = 0; i < n; i++)
        p *= 10;
    for (long i = 0; i > n; i--)
        p /= 10;
    for (int i = 1; i < 40; i++) {
        term *= f / i;
        sum += term;
    }
    return p * sum;
}

uint64_t
cgroup_shares_to_weight(uint64_t shares)
{
    double l, e, w;
    uint64_t c;

    if (shares == 0)
        return 0;
    if (shares <= 2)
        return 1;
    if (shares >= 262144)
        return 10000;
    l = log2_of((double)shares);
    e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    w = pow10_of(e);
    c = (uint64_t)w;
    return (double)c < w ? c + 1 : c;
}

uint64_t
cgroup_blkio_to_io_weight(uint64_t weight)
{
    if (weight == 0)
        return 0;
    if (weight < 10)
        weight = 10;
    return 1 + (weight - 10) * 9999 / 990;
}

int
cgroup_swap_max(bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *ret,
                struct error **err)
{
    int64_t mem = has_limit ? limit : 0;
    int64_t sw = has_swap ? swap : 0;

    /* runc (ConvertMemorySwapToCgroupV2Value): an unlimited memory without
     * a swap value lifts the swap limit too, as v1's memsw followed it. */
    if (mem == -1 && sw == 0) {
        *ret = -1;
        return 1;
    }
    if (sw == 0)
        return 0; /* unset */
    if (sw == -1) {
        *ret = -1;
        return 1;
    }
    if (mem <= 0)
        return error_setx(err, EINVAL,
                          RES "memory.swap: a swap limit needs a memory limit (swap is the limit "
                              "of memory plus swap)");
    if (sw < mem)
        return error_setx(err, EINVAL,
                          RES "memory.swap: %" PRId64 " is below the memory limit %" PRId64
                              " (swap is the limit of memory plus swap)",
                          sw, mem);
    *ret = sw - mem;
    return 1;
}

/* Core files a unified key may name: the limits.  The rest belong to the
 * runtime (cgroup.procs, cgroup.threads and cgroup.subtree_control move
 * processes and enable controllers, cgroup.freeze and cgroup.kill stop the
 * container, cgroup.type changes the cgroup's kind) or are read-only. */
static const char *const core_limits[] = {
    "cgroup.max.depth",
    "cgroup.max.descendants",
    "cgroup.pressure",
};

int
cgroup_check_unified_key(const char *key, struct error **err)
{
    const char *dot = strchr(key, '.');

    /* The key is opened relative to the cgroup's directory: a '/' or a
     * ".." would reach another cgroup's files (or another filesystem). */
    if (strchr(key, '/') != NULL)
        return error_setx(err, EINVAL, "'%s' is not a file name: it has a '/'", key);
    if (strcmp(key, ".") == 0 || strcmp(key, "..") == 0 || key[0] == '\0')
        return error_setx(err, EINVAL, "'%s' is not a file of the cgroup", key);
    if (dot == NULL || dot == key || dot[1] == '\0')
        return error_setx(err, EINVAL,
                          "'%s' is not a cgroup interface file (CONTROLLER.FILE, e.g. "
                          "'memory.max')",
                          key);
    if (strncmp(key, "cgroup.", 7) == 0) {
        for (size_t i = 0; i < sizeof(core_limits) / sizeof(core_limits[0]); i++)
            if (strcmp(key, core_limits[i]) == 0)
                return 0;
        return error_setx(err, EINVAL,
                          "'%s' is managed by the runtime (accepted cgroup.* keys: "
                          "cgroup.max.depth, cgroup.max.descendants, cgroup.pressure)",
                          key);
    }
    return 0;
}

/* ---- building ---- */

static struct cgroup_write *
add(struct cgroup_plan *p, const char *controller, const char *file, char *value, char *field)
{
    struct cgroup_write *w;

    p->writes = xgrow(p->writes, &p->alloc, p->n, sizeof(*p->writes));
    w = &p->writes[p->n++];
    w->file = xstrdup(file);
    w->value = value;
    w->field = field;
    w->controller = controller ? xstrdup(controller) : NULL;
    return w;
}

static char *
num_or_max(int64_t v)
{
    return v < 0 ? xstrdup("max") : xasprintf("%" PRId64, v);
}

static void
ignore(struct cgroup_plan *p, const char *field)
{
    p->ignored = xgrow(p->ignored, &p->alloc_ignored, p->n_ignored, sizeof(*p->ignored));
    p->ignored[p->n_ignored++] = xstrdup(field);
}

static int
plan_memory(const struct spec_memory *m, struct cgroup_plan *p, struct error **err)
{
    int64_t swap;
    int rc;

    if (m->has_limit && m->limit != 0)
        add(p, "memory", "memory.max", num_or_max(m->limit), xstrdup(RES "memory.limit"));
    if (m->has_reservation && m->reservation != 0)
        add(p, "memory", "memory.low", num_or_max(m->reservation),
            xstrdup(RES "memory.reservation"));
    rc = cgroup_swap_max(m->has_swap, m->swap, m->has_limit, m->limit, &swap, err);
    if (rc < 0)
        return rc;
    if (rc > 0) {
        /* Without swap (or its accounting) there is no memory.swap.max,
         * and "max" or "0" are what the system does anyway: runc ignores
         * the missing file for them. */
        struct cgroup_write *w =
            add(p, "memory", "memory.swap.max", num_or_max(swap), xstrdup(RES "memory.swap"));
        w->optional = swap <= 0;
    }
    /* runc ignores these on cgroup v2 (kernel memory is part of memory.max
     * there; the OOM killer cannot be turned off, only memory.oom.group
     * changes what it kills). */
    if (m->has_kernel && m->kernel > 0)
        ignore(p, RES "memory.kernel");
    if (m->has_kernel_tcp && m->kernel_tcp > 0)
        ignore(p, RES "memory.kernelTCP");
    if (m->has_disable_oom_killer && m->disable_oom_killer)
        ignore(p, RES "memory.disableOOMKiller");
    /* Docker sends -1 (as a uint64) for "unset". */
    if (m->has_swappiness && m->swappiness != UINT64_MAX)
        return error_setx(err, EINVAL,
                          RES "memory.swappiness: cgroup v2 has no per-cgroup swappiness "
                              "(memory.swap.max limits swap instead)");
    if (m->has_use_hierarchy && !m->use_hierarchy)
        return error_setx(err, EINVAL,
                          RES "memory.useHierarchy: false is not possible with cgroup v2, whose "
                              "accounting is always hierarchical");
    p->check_before_update = m->has_check_before_update && m->check_before_update;
    return 0;
}

static int
plan_cpu(const struct spec_cpu *c, struct cgroup_plan *p, struct error **err)
{
    int64_t quota = c->has_quota ? c->quota : 0;
    uint64_t period = c->has_period ? c->period : 0;

    if ((c->has_realtime_runtime && c->realtime_runtime != 0)
        || (c->has_realtime_period && c->realtime_period != 0))
        return error_setx(err, EINVAL, RES "cpu.%s: cgroup v2 has no realtime CPU limits",
                          c->has_realtime_runtime && c->realtime_runtime != 0 ? "realtimeRuntime"
                                                                              : "realtimePeriod");
    if (c->cpus != NULL && *c->cpus)
        add(p, "cpuset", "cpuset.cpus", xstrdup(c->cpus), xstrdup(RES "cpu.cpus"));
    if (c->mems != NULL && *c->mems)
        add(p, "cpuset", "cpuset.mems", xstrdup(c->mems), xstrdup(RES "cpu.mems"));
    if (c->has_shares && c->shares != 0)
        add(p, "cpu", "cpu.weight", xasprintf("%" PRIu64, cgroup_shares_to_weight(c->shares)),
            xstrdup(RES "cpu.shares"));
    /* runc (fs2 setCPU): "max" for no quota; the period only when given,
     * the kernel keeping its own (100 ms) otherwise. */
    if (quota != 0 || period != 0) {
        char *v = quota > 0 ? xasprintf("%" PRId64, quota) : xstrdup("max");

        if (period != 0) {
            char *vp = xasprintf("%s %" PRIu64, v, period);
            free(v);
            v = vp;
        }
        add(p, "cpu", "cpu.max", v, xstrdup(quota != 0 ? RES "cpu.quota" : RES "cpu.period"));
    }
    if (c->has_burst)
        add(p, "cpu", "cpu.max.burst", xasprintf("%" PRIu64, c->burst), xstrdup(RES "cpu.burst"));
    if (c->has_idle)
        add(p, "cpu", "cpu.idle", xasprintf("%" PRId64, c->idle), xstrdup(RES "cpu.idle"));
    return 0;
}

/* io.max takes one device per write. */
static void
plan_throttle(struct cgroup_plan *p, const char *key, const char *name,
              const struct spec_throttle_device *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *v = t[i].rate == 0
                      ? xasprintf("%" PRId64 ":%" PRId64 " %s=max", t[i].major, t[i].minor, name)
                      : xasprintf("%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor,
                                  name, t[i].rate);
        add(p, "io", "io.max", v, xasprintf(RES "blockIO.%s[%zu]", key, i));
    }
}

static int
plan_block_io(const struct spec_block_io *b, struct cgroup_plan *p, struct error **err)
{
    if (b->has_leaf_weight && b->leaf_weight != 0)
        return error_setx(err, EINVAL, RES "blockIO.leafWeight: cgroup v2 has no leaf weights");
    /* BFQ takes the v1 weight as it is; the io controller's own weight
     * (io.cost) has the v2 range. */
    if (b->has_weight && b->weight != 0) {
        struct cgroup_write *w = add(p, "io", "io.bfq.weight", xasprintf("%u", b->weight),
                                     xstrdup(RES "blockIO.weight"));
        w->alt_file = xstrdup("io.weight");
        w->alt_value = xasprintf("default %" PRIu64, cgroup_blkio_to_io_weight(b->weight));
    }
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct spec_weight_device *d = &b->weight_device[i];
        struct cgroup_write *w;

        if (d->has_leaf_weight && d->leaf_weight != 0)
            return error_setx(err, EINVAL,
                              RES "blockIO.weightDevice[%zu].leafWeight: cgroup v2 has no leaf "
                                  "weights",
                              i);
        if (!d->has_weight || d->weight == 0)
            continue;
        w = add(p, "io", "io.bfq.weight",
                xasprintf("%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight),
                xasprintf(RES "blockIO.weightDevice[%zu].weight", i));
        w->alt_file = xstrdup("io.weight");
        w->alt_value = xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                                 cgroup_blkio_to_io_weight(d->weight));
    }
    plan_throttle(p, "throttleReadBpsDevice", "rbps", b->throttle_read_bps_device,
                  b->n_throttle_read_bps_device);
    plan_throttle(p, "throttleWriteBpsDevice", "wbps", b->throttle_write_bps_device,
                  b->n_throttle_write_bps_device);
    plan_throttle(p, "throttleReadIOPSDevice", "riops", b->throttle_read_iops_device,
                  b->n_throttle_read_iops_device);
    plan_throttle(p, "throttleWriteIOPSDevice", "wiops", b->throttle_write_iops_device,
                  b->n_throttle_write_iops_device);
    return 0;
}

static char *
keyed_field(const char *parent, const char *key)
{
    struct json_path jp = {0};
    char *s;

    json_path_push_key(&jp, "linux");
    json_path_push_key(&jp, "resources");
    json_path_push_key(&jp, parent);
    json_path_push_key(&jp, key);
    s = xstrdup(json_path_str(&jp));
    json_path_free(&jp);
    return s;
}

/* hugetlb: config-linux.md "Huge page limits" limits reservations where the
 * kernel accounts them (Linux 5.7, hugetlb.SIZE.rsvd.max), and usage
 * always; runc writes both. */
static void
plan_hugepages(const struct spec_resources *r, struct cgroup_plan *p)
{
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct spec_hugepage_limit *h = &r->hugepage_limits[i];
        char *file = xasprintf("hugetlb.%s.max", h->page_size);
        char *rsvd = xasprintf("hugetlb.%s.rsvd.max", h->page_size);
        struct cgroup_write *w;

        add(p, "hugetlb", file, xasprintf("%" PRIu64, h->limit),
            xasprintf(RES "hugepageLimits[%zu].limit", i));
        w = add(p, "hugetlb", rsvd, xasprintf("%" PRIu64, h->limit),
                xasprintf(RES "hugepageLimits[%zu].limit", i));
        w->optional = true;
        free(file);
        free(rsvd);
    }
}

static int
plan_rdma(const struct spec_resources *r, struct cgroup_plan *p, struct error **err)
{
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct spec_rdma *d = &r->rdma[i];
        char *v;

        /* A device name with a space or a newline would write another
         * device's limits. */
        if (d->key[0] == '\0' || d->key[strcspn(d->key, " \t\n=")] != '\0') {
            _cleanup_free_ char *f = keyed_field("rdma", d->key);
            return error_setx(err, EINVAL, "%s: '%s' is not an RDMA device name", f, d->key);
        }
        if (d->has_hca_handles && d->has_hca_objects)
            v = xasprintf("%s hca_handle=%u hca_object=%u", d->key, d->hca_handles, d->hca_objects);
        else if (d->has_hca_handles)
            v = xasprintf("%s hca_handle=%u", d->key, d->hca_handles);
        else if (d->has_hca_objects)
            v = xasprintf("%s hca_object=%u", d->key, d->hca_objects);
        else
            continue;
        add(p, "rdma", "rdma.max", v, keyed_field("rdma", d->key));
    }
    return 0;
}

/* config-linux.md "Unified": "Configuration unknown to the runtime MUST
 * still be written to the relevant file": every key is, as it is. */
static int
plan_unified(const struct strmap *u, struct cgroup_plan *p, struct error **err)
{
    for (size_t i = 0; i < u->n; i++) {
        const char *key = u->items[i].key;
        _cleanup_free_ char *field = keyed_field("unified", key);
        _cleanup_free_ char *ctrl = NULL;
        struct cgroup_write *w;

        if (cgroup_check_unified_key(key, err) < 0)
            return error_wrap(err, "%s", field);
        /* crun skips empty values: there is nothing to write. */
        if (u->items[i].value == NULL || u->items[i].value[0] == '\0')
            continue;
        ctrl = xstrndup(key, strcspn(key, "."));
        w = add(p, strcmp(ctrl, "cgroup") == 0 ? NULL : ctrl, key, xstrdup(u->items[i].value),
                TAKE_PTR(field));
        w->per_line = true;
        w->unified = true;
    }
    return 0;
}

int
cgroup_plan_build(const struct spec_resources *r, struct cgroup_plan *plan, struct error **err)
{
    int rc = 0;

    memset(plan, 0, sizeof(*plan));
    if (r == NULL)
        return 0;
    if (r->network != NULL && (r->network->has_class_id || r->network->n_priorities > 0))
        rc = error_setx(err, EINVAL,
                        RES "network: cgroup v2 has no net_cls or net_prio controller (classes "
                            "and priorities are set with BPF or tc instead)");
    if (rc == 0 && r->cpu != NULL)
        rc = plan_cpu(r->cpu, plan, err);
    if (rc == 0 && r->memory != NULL)
        rc = plan_memory(r->memory, plan, err);
    if (rc == 0 && r->pids != NULL)
        add(plan, "pids", "pids.max", num_or_max(r->pids->limit), xstrdup(RES "pids.limit"));
    if (rc == 0 && r->block_io != NULL)
        rc = plan_block_io(r->block_io, plan, err);
    if (rc == 0)
        plan_hugepages(r, plan);
    if (rc == 0)
        rc = plan_rdma(r, plan, err);
    /* Last: a unified key overrides what a field wrote to the same file. */
    if (rc == 0)
        rc = plan_unified(&r->unified, plan, err);
    plan->devices = r->n_devices > 0;
    if (rc < 0)
        cgroup_plan_free(plan);
    return rc;
}

void
cgroup_plan_free(struct cgroup_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        struct cgroup_write *w = &plan->writes[i];
        free(w->file);
        free(w->value);
        free(w->field);
        free(w->controller);
        free(w->alt_file);
        free(w->alt_value);
    }
    free(plan->writes);
    for (size_t i = 0; i < plan->n_ignored; i++)
        free(plan->ignored[i]);
    free(plan->ignored);
    memset(plan, 0, sizeof(*plan));
}

bool
cgroup_plan_is_empty(const struct cgroup_plan *plan, bool with_devices)
{
    return plan->n == 0 && !(with_devices && plan->devices);
}

char *
cgroup_plan_fields(const struct cgroup_plan *plan, bool with_devices)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < plan->n; i++) {
        bool seen = false;
        char *next;

        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(plan->writes[j].field, plan->writes[i].field) == 0;
        if (seen)
            continue;
        next = xasprintf("%s%s%s", out, *out ? ", " : "", plan->writes[i].field);
        free(out);
        out = next;
    }
    if (with_devices && plan->devices) {
        char *next = xasprintf("%s%s%s", out, *out ? ", " : "", RES "devices");
        free(out);
        out = next;
    }
    return out;
}

bool
cgroup_list_has(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; p && *p;) {
        p += strspn(p, " \n");
        if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return true;
        p += strcspn(p, " \n");
    }
    return false;
}

char *
cgroup_plan_controllers(const struct cgroup_plan *plan)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < plan->n; i++) {
        const char *c = plan->writes[i].controller;
        char *next;

        if (c == NULL || cgroup_list_has(out, c))
            continue;
        next = xasprintf("%s%s%s", out, *out ? " " : "", c);
        free(out);
        out = next;
    }
    return out;
}

const char *
cgroup_plan_field_of(const struct cgroup_plan *plan, const char *controller)
{
    for (size_t i = 0; i < plan->n; i++)
        if (plan->writes[i].controller && strcmp(plan->writes[i].controller, controller) == 0)
            return plan->writes[i].field;
    return NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* spec_validate(), part: linux.cgroupsPath and linux.resources
 * (config-linux.md "Control groups").  berth drives cgroup v2 only, so the
 * ranges are those of the v1-style values as runc converts them to v2
 * (cpu.shares -> cpu.weight, blkio.weight -> io.weight, memory+swap ->
 * memory.swap.max); "0 means unset" where runc reads it so. */
#include "bundle/validate.h"

#include <inttypes.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* config-linux.md "Cgroups Path": "Runtimes MAY consider certain
 * cgroupsPath values to be invalid, and MUST generate an error if this is
 * the case."  A ".." component would put the container's cgroup outside
 * the place the runtime (or the systemd slice) gives it. */
void
validate_cgroups_path(struct validator *v, const char *path)
{
    const char *c = path;

    if (path == NULL)
        return;
    for (;;) {
        size_t len = strcspn(c, "/");

        if (len == 2 && c[0] == '.' && c[1] == '.') {
            validate_error(v, "cgroupsPath", "\"%s\" has a \"..\" component", path);
            return;
        }
        if (c[len] == '\0')
            return;
        c += len + 1;
    }
}

/* ---- devices, memory, cpu, pids ---- */

/* config-linux.md "Allowed Device list": type is a, c or b; access "a
 * composition of r (read), w (write), and m (mknod)".  runc reads a major
 * or minor of -1 as "*". */
static void
check_device_rules(struct validator *v, const struct spec_resources *r)
{
    size_t mark = validate_push_key(v, "devices");

    for (size_t i = 0; i < r->n_devices; i++) {
        const struct spec_device_cgroup *d = &r->devices[i];
        size_t im = validate_push_index(v, i);

        if (d->type != NULL && strcmp(d->type, "a") != 0 && strcmp(d->type, "c") != 0
            && strcmp(d->type, "b") != 0)
            validate_error(v, "type", "unknown device type \"%s\" (accepted: a, c, b)", d->type);
        if (d->access != NULL && d->access[strspn(d->access, "rwm")] != '\0')
            validate_error(v, "access", "\"%s\" is not a combination of r, w and m", d->access);
        if (d->has_major && d->major < -1)
            validate_error(v, "major", "%" PRId64 " is out of range (-1 for any, or 0 and above)",
                           d->major);
        if (d->has_minor && d->minor < -1)
            validate_error(v, "minor", "%" PRId64 " is out of range (-1 for any, or 0 and above)",
                           d->minor);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

static void
check_memory_value(struct validator *v, const char *key, bool has, int64_t value)
{
    if (has && value < -1)
        validate_error(v, key, "%" PRId64 " is out of range (-1 for unlimited, or 0 and above)",
                       value);
}

/* config-linux.md "Memory": "Values for memory specify the limit in bytes,
 * or -1 for unlimited memory"; swappiness is 0 to 100.  swap is the limit
 * of memory plus swap (runc's reading, converted to memory.swap.max as
 * swap - limit), so it needs a memory limit and cannot be below it.
 * Docker sends swappiness -1 as a uint64, which runc reads as unset. */
static void
check_memory(struct validator *v, const struct spec_memory *m)
{
    size_t mark = validate_push_key(v, "memory");

    check_memory_value(v, "limit", m->has_limit, m->limit);
    check_memory_value(v, "reservation", m->has_reservation, m->reservation);
    check_memory_value(v, "swap", m->has_swap, m->swap);
    check_memory_value(v, "kernel", m->has_kernel, m->kernel);
    check_memory_value(v, "kernelTCP", m->has_kernel_tcp, m->kernel_tcp);
    if (m->has_swap && m->swap > 0) {
        if (!m->has_limit || m->limit <= 0)
            validate_error(v, "swap",
                           "a swap limit needs a memory limit (swap is the limit of memory plus "
                           "swap)");
        else if (m->swap < m->limit)
            validate_error(v, "swap",
                           "%" PRId64 " is below the memory limit %" PRId64
                           " (swap is the limit of memory plus swap)",
                           m->swap, m->limit);
    }
    if (m->has_swappiness && m->swappiness > 100 && m->swappiness != UINT64_MAX)
        validate_error(v, "swappiness", "%" PRIu64 " is out of range (0 to 100)", m->swappiness);
    /* cgroup v2 has no kernel memory limits. */
    if (m->has_kernel && m->kernel > 0)
        validate_warning(v, "kernel", "not supported by cgroup v2: ignored");
    if (m->has_kernel_tcp && m->kernel_tcp > 0)
        validate_warning(v, "kernelTCP", "not supported by cgroup v2: ignored");
    validate_pop(v, mark);
}

/* config-linux.md "CPU", with the kernel's limits: quota and period are at
 * least 1 ms (min_cfs_quota_period) and period at most 1 s
 * (max_cfs_quota_period); cpu.shares is 2 to 262144 (MIN_SHARES,
 * MAX_SHARES), which runc maps onto cpu.weight's 1 to 10000; burst "MUST be
 * no larger than any positive quota"; a realtime runtime fits in its
 * period; idle is 0 or 1. */
static void
check_cpu(struct validator *v, const struct spec_cpu *c)
{
    size_t mark = validate_push_key(v, "cpu");

    if (c->has_shares && (c->shares == 1 || c->shares > 262144))
        validate_error(v, "shares", "%" PRIu64 " is out of range (2 to 262144)", c->shares);
    if (c->has_quota && (c->quota < -1 || (c->quota > 0 && c->quota < 1000)))
        validate_error(v, "quota",
                       "%" PRId64 " is out of range (-1 for unlimited, or 1000 and above)",
                       c->quota);
    if (c->has_period && c->period != 0 && (c->period < 1000 || c->period > 1000000))
        validate_error(v, "period", "%" PRIu64 " is out of range (1000 to 1000000)", c->period);
    if (c->has_burst && c->has_quota && c->quota > 0 && c->burst > (uint64_t)c->quota)
        validate_error(v, "burst", "%" PRIu64 " is larger than quota %" PRId64, c->burst, c->quota);
    if (c->has_realtime_runtime && c->realtime_runtime < -1)
        validate_error(v, "realtimeRuntime",
                       "%" PRId64 " is out of range (-1 for unlimited, or 0 and above)",
                       c->realtime_runtime);
    else if (c->has_realtime_runtime && c->has_realtime_period && c->realtime_runtime > 0
             && (uint64_t)c->realtime_runtime > c->realtime_period)
        validate_error(v, "realtimeRuntime", "%" PRId64 " is larger than realtimePeriod %" PRIu64,
                       c->realtime_runtime, c->realtime_period);
    if (c->has_idle && c->idle != 0 && c->idle != 1)
        validate_error(v, "idle", "%" PRId64 " is out of range (0 or 1)", c->idle);
    validate_cpu_list(v, "cpus", c->cpus, "CPU list");
    validate_cpu_list(v, "mems", c->mems, "memory node list");
    validate_pop(v, mark);
}

/* ---- block I/O, hugepages, network, rdma, unified ---- */

/* blkio.weight and leafWeight are 10 to 1000 (runc maps them onto
 * io.weight's 1 to 10000), 0 being unset. */
static void
check_blkio_weight(struct validator *v, const char *key, bool has, uint16_t weight)
{
    if (has && weight != 0 && (weight < 10 || weight > 1000))
        validate_error(v, key, "%u is out of range (10 to 1000)", weight);
}

static void
check_block_device(struct validator *v, int64_t major, int64_t minor)
{
    if (major < 0)
        validate_error(v, "major", "%" PRId64 " is not a device major number", major);
    if (minor < 0)
        validate_error(v, "minor", "%" PRId64 " is not a device minor number", minor);
}

static void
check_throttle(struct validator *v, const char *key, const struct spec_throttle_device *t, size_t n)
{
    size_t mark = validate_push_key(v, key);

    for (size_t i = 0; i < n; i++) {
        size_t im = validate_push_index(v, i);
        check_block_device(v, t[i].major, t[i].minor);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* config-linux.md "Block IO", weightDevice: "You MUST specify at least one
 * of weight or leafWeight in a given entry". */
static void
check_block_io(struct validator *v, const struct spec_block_io *b)
{
    size_t mark = validate_push_key(v, "blockIO");
    size_t wm;

    check_blkio_weight(v, "weight", b->has_weight, b->weight);
    check_blkio_weight(v, "leafWeight", b->has_leaf_weight, b->leaf_weight);
    wm = validate_push_key(v, "weightDevice");
    for (size_t i = 0; i < b->n_weight_device; i++) {
        const struct spec_weight_device *w = &b->weight_device[i];
        size_t im = validate_push_index(v, i);

        check_block_device(v, w->major, w->minor);
        if (!w->has_weight && !w->has_leaf_weight)
            validate_error(v, NULL, "needs weight or leafWeight");
        check_blkio_weight(v, "weight", w->has_weight, w->weight);
        check_blkio_weight(v, "leafWeight", w->has_leaf_weight, w->leaf_weight);
        validate_pop(v, im);
    }
    validate_pop(v, wm);
    check_throttle(v, "throttleReadBpsDevice", b->throttle_read_bps_device,
                   b->n_throttle_read_bps_device);
    check_throttle(v, "throttleWriteBpsDevice", b->throttle_write_bps_device,
                   b->n_throttle_write_bps_device);
    check_throttle(v, "throttleReadIOPSDevice", b->throttle_read_iops_device,
                   b->n_throttle_read_iops_device);
    check_throttle(v, "throttleWriteIOPSDevice", b->throttle_write_iops_device,
                   b->n_throttle_write_iops_device);
    validate_pop(v, mark);
}

/* config-linux.json: pageSize matches ^[1-9][0-9]*[KMG]B$ ("64KB", "2MB",
 * "1GB"), the <hugepagesize> of hugetlb.<hugepagesize>.limit_in_bytes. */
static bool
is_page_size(const char *s)
{
    size_t digits = strspn(s, "0123456789");

    return digits > 0 && s[0] != '0' && s[digits] != '\0' && strchr("KMG", s[digits]) != NULL
           && s[digits + 1] == 'B' && s[digits + 2] == '\0';
}

static void
check_hugepages(struct validator *v, const struct spec_resources *r)
{
    size_t mark = validate_push_key(v, "hugepageLimits");

    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const char *size = r->hugepage_limits[i].page_size;
        size_t im = validate_push_index(v, i);

        if (size != NULL && !is_page_size(size)) {
            validate_error(v, "pageSize",
                           "\"%s\" is not a page size (a number and KB, MB or GB, e.g. \"2MB\")",
                           size);
        } else if (size != NULL) {
            for (size_t j = 0; j < i; j++)
                if (r->hugepage_limits[j].page_size != NULL
                    && strcmp(r->hugepage_limits[j].page_size, size) == 0) {
                    validate_error(v, "pageSize",
                                   "\"%s\" is listed twice (also "
                                   "hugepageLimits[%zu])",
                                   size, j);
                    break;
                }
        }
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* priorities[].name is an "interface name in runtime network namespace". */
static void
check_network(struct validator *v, const struct spec_network *n)
{
    size_t mark = validate_push_key(v, "network");
    size_t pm = validate_push_key(v, "priorities");

    for (size_t i = 0; i < n->n_priorities; i++) {
        const char *name = n->priorities[i].name;
        size_t im = validate_push_index(v, i);

        if (name != NULL && !bundle_is_valid_ifname(name))
            validate_error(v, "name", "\"%s\" is not an interface name", name);
        validate_pop(v, im);
    }
    validate_pop(v, pm);
    validate_pop(v, mark);
}

/* config-linux.md "RDMA": "You MUST specify at least one of the hcaHandles
 * or hcaObjects in a given entry". */
static void
check_rdma(struct validator *v, const struct spec_resources *r)
{
    size_t mark = validate_push_key(v, "rdma");

    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct spec_rdma *d = &r->rdma[i];

        if (d->key[0] == '\0')
            validate_error(v, "", "device name must not be empty");
        else if (!d->has_hca_handles && !d->has_hca_objects)
            validate_error(v, d->key, "needs hcaHandles or hcaObjects");
    }
    validate_pop(v, mark);
}

/* config-linux.md "Unified": "Each key in the map refers to a file in the
 * cgroup unified hierarchy", the container's own cgroup directory: so a
 * file name, of the CONTROLLER.FILE form of cgroup v2 interface files, no
 * '/' (it would write outside the cgroup).  Of the core cgroup.* files only
 * the limits are accepted: the rest are the runtime's (cgroup.procs,
 * cgroup.threads and cgroup.subtree_control move processes and enable
 * controllers, cgroup.freeze and cgroup.kill would stop the container
 * before it starts, cgroup.type changes the cgroup's kind) or read-only. */
static void
check_unified(struct validator *v, const struct strmap *unified)
{
    static const char *const core_limits[] = {
        "cgroup.max.depth",
        "cgroup.max.descendants",
        "cgroup.pressure",
    };
    size_t mark = validate_push_key(v, "unified");

    for (size_t i = 0; i < unified->n; i++) {
        const char *key = unified->items[i].key;
        const char *dot = strchr(key, '.');
        bool accepted = false;

        if (strchr(key, '/') != NULL) {
            validate_error(v, key, "\"%s\" is not a file name: it has a '/'", key);
            continue;
        }
        if (dot == NULL || dot == key || dot[1] == '\0') {
            validate_error(v, key,
                           "\"%s\" is not a cgroup interface file (CONTROLLER.FILE, e.g. "
                           "\"memory.max\")",
                           key);
            continue;
        }
        if (strncmp(key, "cgroup.", 7) != 0)
            continue;
        for (size_t j = 0; j < COUNT(core_limits); j++)
            if (strcmp(key, core_limits[j]) == 0)
                accepted = true;
        if (!accepted)
            validate_error(v, key,
                           "\"%s\" is managed by the runtime (accepted cgroup.* keys: "
                           "cgroup.max.depth, cgroup.max.descendants, cgroup.pressure)",
                           key);
    }
    validate_pop(v, mark);
}

void
validate_resources(struct validator *v, const struct spec_resources *r)
{
    check_device_rules(v, r);
    if (r->memory != NULL)
        check_memory(v, r->memory);
    if (r->cpu != NULL)
        check_cpu(v, r->cpu);
    /* config-linux.md "PIDs": -1 is no limit, and "0 is a valid limit". */
    if (r->pids != NULL && r->pids->limit < -1) {
        size_t mark = validate_push_key(v, "pids");
        validate_error(v, "limit", "%" PRId64 " is out of range (-1 for unlimited, or 0 and above)",
                       r->pids->limit);
        validate_pop(v, mark);
    }
    if (r->block_io != NULL)
        check_block_io(v, r->block_io);
    check_hugepages(v, r);
    if (r->network != NULL)
        check_network(v, r->network);
    check_rdma(v, r);
    check_unified(v, &r->unified);
}

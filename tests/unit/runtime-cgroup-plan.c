/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroup-plan.c: linux.resources -> the cgroup v2 files to write,
 * and the v1 -> v2 conversions (cpu shares, blkio weights, swap). */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "runtime/cgroup.h"
#include "tests/unit/tap.h"

/* ---- conversions ---- */

static void
test_shares(void)
{
    /* Values from glibc's log2() and pow(), the formula of crun 1.23 and
     * runc 1.3.2: ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares). */
    static const struct {
        uint64_t shares, weight;
    } cases[] = {
        {0, 0},      {1, 1},        {2, 1},          {3, 2},          {100, 17},
        {512, 59},   {1023, 100},   {1024, 100},     {1025, 101},     {2048, 174},
        {4096, 303}, {65536, 3023}, {262143, 10000}, {262144, 10000}, {300000, 10000},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        tap_is_int(cgroup_shares_to_weight(cases[i].shares), cases[i].weight,
                   "cpu.shares %" PRIu64 " -> cpu.weight %" PRIu64, cases[i].shares,
                   cases[i].weight);
    /* Monotonic over the whole range, within 1..10000. */
    {
        uint64_t prev = 1;
        bool ok = true;
        for (uint64_t s = 2; s <= 262144; s++) {
            uint64_t w = cgroup_shares_to_weight(s);
            if (w < prev || w < 1 || w > 10000)
                ok = false;
            prev = w;
        }
        tap_ok(ok, "cpu.weight grows with cpu.shares and stays in 1..10000");
    }
}

static void
test_blkio_weight(void)
{
    tap_is_int(cgroup_blkio_to_io_weight(10), 1, "blkio.weight 10 -> io.weight 1");
    tap_is_int(cgroup_blkio_to_io_weight(500), 4950, "blkio.weight 500 -> io.weight 4950");
    tap_is_int(cgroup_blkio_to_io_weight(1000), 10000, "blkio.weight 1000 -> io.weight 10000");
    tap_is_int(cgroup_blkio_to_io_weight(0), 0, "blkio.weight 0 stays unset");
}

static void
test_swap(void)
{
    struct error *err = NULL;
    int64_t v = 42;

    tap_is_int(cgroup_swap_max(true, 300, true, 100, &v, &err), 1, "swap 300, limit 100: written");
    tap_is_int(v, 200, "memory.swap.max is swap - limit");
    tap_is_int(cgroup_swap_max(true, 100, true, 100, &v, &err), 1, "swap = limit: written");
    tap_is_int(v, 0, "swap = limit: no swap at all");
    tap_is_int(cgroup_swap_max(true, -1, true, 100, &v, &err), 1, "swap -1: written");
    tap_is_int(v, -1, "swap -1: max");
    v = 42;
    tap_is_int(cgroup_swap_max(false, 0, true, 100, &v, &err), 0, "no swap: nothing written");
    tap_is_int(cgroup_swap_max(true, 0, true, 100, &v, &err), 0, "swap 0: unset, as runc");
    tap_is_int(cgroup_swap_max(false, 0, true, -1, &v, &err), 1,
               "unlimited memory without swap: written");
    tap_is_int(v, -1, "unlimited memory lifts the swap limit too");
    tap_is_int(cgroup_swap_max(true, 50, true, 100, &v, &err), -EINVAL, "swap below limit");
    tap_ok(err && strstr(err->msg, "linux.resources.memory.swap: 50 is below the memory limit"),
           "the error names memory.swap: %s", err ? err->msg : "(none)");
    error_free(&err);
    tap_is_int(cgroup_swap_max(true, 50, false, 0, &v, &err), -EINVAL, "swap without limit");
    tap_ok(err && strstr(err->msg, "needs a memory limit"), "and says why");
    error_free(&err);
}

static void
test_unified_keys(void)
{
    static const char *const good[] = {"memory.max",      "io.max",           "cpu.pressure",
                                       "hugetlb.2MB.max", "cgroup.max.depth", "memory.oom.group"};
    static const char *const bad[] = {"../memory.max",
                                      "memory.max/x",
                                      "..",
                                      ".",
                                      "",
                                      "memory",
                                      ".max",
                                      "memory.",
                                      "cgroup.procs",
                                      "cgroup.kill",
                                      "cgroup.freeze",
                                      "cgroup.subtree_control"};

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct error *err = NULL;
        tap_is_int(cgroup_check_unified_key(good[i], &err), 0, "unified key '%s' accepted",
                   good[i]);
        error_free(&err);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct error *err = NULL;
        tap_is_int(cgroup_check_unified_key(bad[i], &err), -EINVAL, "unified key '%s' refused",
                   bad[i]);
        error_free(&err);
    }
}

/* ---- plans ---- */

static const struct cgroup_write *
find(const struct cgroup_plan *p, const char *file, size_t nth)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->writes[i].file, file) == 0 && nth-- == 0)
            return &p->writes[i];
    return NULL;
}

static const char *
value_of(const struct cgroup_plan *p, const char *file)
{
    const struct cgroup_write *w = find(p, file, 0);
    return w ? w->value : NULL;
}

static void
test_plan_memory_cpu_pids(void)
{
    struct spec_memory mem = {.has_limit = true,
                              .limit = 4194304,
                              .has_reservation = true,
                              .reservation = 1048576,
                              .has_swap = true,
                              .swap = 8388608,
                              .has_kernel = true,
                              .kernel = 1000,
                              .has_swappiness = true,
                              .swappiness = UINT64_MAX};
    struct spec_cpu cpu = {.has_shares = true,
                           .shares = 1024,
                           .has_quota = true,
                           .quota = 50000,
                           .has_period = true,
                           .period = 100000,
                           .has_burst = true,
                           .burst = 1000,
                           .has_idle = true,
                           .idle = 0,
                           .cpus = (char *)"0-1",
                           .mems = (char *)"0"};
    struct spec_pids pids = {.limit = 0};
    struct spec_resources r = {.memory = &mem, .cpu = &cpu, .pids = &pids};
    struct cgroup_plan p;
    struct error *err = NULL;
    char *s;

    tap_is_int(cgroup_plan_build(&r, &p, &err), 0, "memory, cpu and pids planned");
    tap_is_str(value_of(&p, "memory.max"), "4194304", "memory.limit -> memory.max");
    tap_is_str(value_of(&p, "memory.low"), "1048576", "memory.reservation -> memory.low");
    tap_is_str(value_of(&p, "memory.swap.max"), "4194304", "memory.swap.max = swap - limit");
    tap_ok(find(&p, "memory.swap.max", 0) && !find(&p, "memory.swap.max", 0)->optional,
           "a real swap limit is required to apply");
    tap_is_str(value_of(&p, "cpu.weight"), "100", "cpu.shares 1024 -> cpu.weight 100");
    tap_is_str(value_of(&p, "cpu.max"), "50000 100000", "quota and period -> cpu.max");
    tap_is_str(value_of(&p, "cpu.max.burst"), "1000", "burst -> cpu.max.burst");
    tap_is_str(value_of(&p, "cpu.idle"), "0", "idle -> cpu.idle");
    tap_is_str(value_of(&p, "cpuset.cpus"), "0-1", "cpus -> cpuset.cpus");
    tap_is_str(value_of(&p, "cpuset.mems"), "0", "mems -> cpuset.mems");
    tap_is_str(value_of(&p, "pids.max"), "0", "pids.limit 0 is a limit (config-linux.md)");
    tap_is_str(find(&p, "pids.max", 0)->field, "linux.resources.pids.limit",
               "each write names its field");
    tap_is_int(p.n_ignored, 1, "memory.kernel is ignored, as runc does");
    tap_is_str(p.n_ignored ? p.ignored[0] : NULL, "linux.resources.memory.kernel",
               "and listed to be said once");
    s = cgroup_plan_controllers(&p);
    tap_is_str(s, "cpuset cpu memory pids", "the controllers needed, each once");
    free(s);
    s = cgroup_plan_fields(&p, false);
    tap_ok(strstr(s, "linux.resources.memory.limit, linux.resources.memory.reservation") != NULL,
           "the fields for the rootless warning: %s", s);
    free(s);
    cgroup_plan_free(&p);

    /* unlimited values */
    mem = (struct spec_memory){.has_limit = true, .limit = -1};
    cpu = (struct spec_cpu){.has_quota = true, .quota = -1, .has_period = true, .period = 50000};
    pids.limit = -1;
    tap_is_int(cgroup_plan_build(&r, &p, &err), 0, "unlimited values planned");
    tap_is_str(value_of(&p, "memory.max"), "max", "memory.limit -1 -> max");
    tap_is_str(value_of(&p, "memory.swap.max"), "max", "and swap follows it, as runc");
    tap_ok(find(&p, "memory.swap.max", 0)->optional, "no swap file is fine for max");
    tap_is_str(value_of(&p, "cpu.max"), "max 50000", "quota -1 -> cpu.max max PERIOD");
    tap_is_str(value_of(&p, "pids.max"), "max", "pids.limit -1 -> max");
    cgroup_plan_free(&p);

    /* quota alone keeps the kernel's period */
    cpu = (struct spec_cpu){.has_quota = true, .quota = 20000};
    r.memory = NULL;
    r.pids = NULL;
    tap_is_int(cgroup_plan_build(&r, &p, &err), 0, "quota alone planned");
    tap_is_str(value_of(&p, "cpu.max"), "20000", "cpu.max gets only the quota");
    tap_is_int(p.n, 1, "and nothing else");
    cgroup_plan_free(&p);
}

static void
test_plan_io_hugetlb_rdma_unified(void)
{
    struct spec_weight_device wd[] = {{.major = 8, .minor = 0, .has_weight = true, .weight = 500}};
    struct spec_throttle_device rbps[] = {
        {.major = 8, .minor = 0, .has_rate = true, .rate = 1048576},
        {.major = 8, .minor = 16, .has_rate = true, .rate = 0}};
    struct spec_throttle_device wiops[] = {
        {.major = 253, .minor = 1, .has_rate = true, .rate = 100}};
    struct spec_block_io bio = {.has_weight = true,
                                .weight = 10,
                                .weight_device = wd,
                                .n_weight_device = 1,
                                .throttle_read_bps_device = rbps,
                                .n_throttle_read_bps_device = 2,
                                .throttle_write_iops_device = wiops,
                                .n_throttle_write_iops_device = 1};
    struct spec_hugepage_limit hp[] = {{.page_size = (char *)"2MB", .limit = 4194304}};
    struct spec_rdma rdma[] = {{.key = (char *)"mlx5_1",
                                .has_hca_handles = true,
                                .hca_handles = 3,
                                .has_hca_objects = true,
                                .hca_objects = 10000},
                               {.key = (char *)"rxe3", .has_hca_objects = true, .hca_objects = 7}};
    struct strpair uni[] = {{(char *)"memory.high", (char *)"8M"},
                            {(char *)"io.max", (char *)"259:0 rbps=2097152\n253:0 wiops=120"},
                            {(char *)"memory.oom.group", (char *)""}};
    struct spec_resources r = {.block_io = &bio,
                               .hugepage_limits = hp,
                               .n_hugepage_limits = 1,
                               .rdma = rdma,
                               .n_rdma = 2,
                               .unified = {uni, 3}};
    const struct cgroup_write *w;
    struct cgroup_plan p;
    struct error *err = NULL;

    tap_is_int(cgroup_plan_build(&r, &p, &err), 0, "io, hugetlb, rdma and unified planned");
    w = find(&p, "io.bfq.weight", 0);
    tap_is_str(w ? w->value : NULL, "10", "blockIO.weight -> io.bfq.weight as it is");
    tap_is_str(w ? w->alt_file : NULL, "io.weight", "else io.weight");
    tap_is_str(w ? w->alt_value : NULL, "default 1", "converted to the v2 range");
    w = find(&p, "io.bfq.weight", 1);
    tap_is_str(w ? w->value : NULL, "8:0 500", "weightDevice -> io.bfq.weight MAJ:MIN W");
    tap_is_str(w ? w->alt_value : NULL, "8:0 4950", "or io.weight MAJ:MIN converted");
    tap_is_str(w ? w->field : NULL, "linux.resources.blockIO.weightDevice[0].weight",
               "named by its index");
    tap_is_str(find(&p, "io.max", 0)->value, "8:0 rbps=1048576", "throttleReadBpsDevice line");
    tap_is_str(find(&p, "io.max", 1)->value, "8:16 rbps=max", "rate 0 lifts the limit, as in v1");
    tap_is_str(find(&p, "io.max", 1)->field, "linux.resources.blockIO.throttleReadBpsDevice[1]",
               "each device its own field");
    tap_is_str(find(&p, "io.max", 2)->value, "253:1 wiops=100", "throttleWriteIOPSDevice line");
    tap_is_str(value_of(&p, "hugetlb.2MB.max"), "4194304", "hugepageLimits -> hugetlb.SIZE.max");
    w = find(&p, "hugetlb.2MB.rsvd.max", 0);
    tap_ok(w && strcmp(w->value, "4194304") == 0 && w->optional,
           "and the reservation limit where the kernel has it");
    tap_is_str(find(&p, "rdma.max", 0)->value, "mlx5_1 hca_handle=3 hca_object=10000",
               "rdma -> rdma.max");
    tap_is_str(find(&p, "rdma.max", 1)->value, "rxe3 hca_object=7", "only the limits given");
    tap_is_str(find(&p, "rdma.max", 0)->field, "linux.resources.rdma.mlx5_1", "rdma field");
    w = find(&p, "memory.high", 0);
    tap_ok(w && strcmp(w->value, "8M") == 0 && w->unified && strcmp(w->controller, "memory") == 0,
           "a unified key verbatim, with its controller");
    tap_is_str(w ? w->field : NULL, "linux.resources.unified[\"memory.high\"]", "unified field");
    w = find(&p, "io.max", 3);
    tap_ok(w && w->per_line && w->unified, "a multi-line unified value is written line by line");
    tap_ok(find(&p, "memory.oom.group", 0) == NULL, "an empty unified value is skipped");
    tap_ok(p.writes[p.n - 1].unified, "unified keys come last, overriding the fields");
    cgroup_plan_free(&p);
}

static void
expect_error(const struct spec_resources *r, const char *want, const char *what)
{
    struct cgroup_plan p;
    struct error *err = NULL;
    int rc = cgroup_plan_build(r, &p, &err);

    tap_ok(rc == -EINVAL && err && strstr(err->msg, want), "%s: %s", what,
           err ? err->msg : "(no error)");
    error_free(&err);
}

static void
test_plan_refusals(void)
{
    struct spec_cpu rt = {.has_realtime_runtime = true, .realtime_runtime = 1000};
    struct spec_memory swappiness = {.has_swappiness = true, .swappiness = 60};
    struct spec_memory hier = {.has_use_hierarchy = true, .use_hierarchy = false};
    struct spec_block_io leaf = {.has_leaf_weight = true, .leaf_weight = 100};
    struct spec_network net = {.has_class_id = true, .class_id = 1};
    struct strpair evil[] = {{(char *)"../../cgroup.procs", (char *)"1"}};
    struct strpair procs[] = {{(char *)"cgroup.procs", (char *)"1"}};
    struct spec_rdma bad_dev[] = {{.key = (char *)"mlx5 x", .has_hca_handles = true}};

    expect_error(&(struct spec_resources){.cpu = &rt}, "linux.resources.cpu.realtimeRuntime",
                 "realtime refused");
    expect_error(&(struct spec_resources){.memory = &swappiness},
                 "linux.resources.memory.swappiness", "swappiness refused");
    expect_error(&(struct spec_resources){.memory = &hier}, "linux.resources.memory.useHierarchy",
                 "useHierarchy false refused");
    expect_error(&(struct spec_resources){.block_io = &leaf}, "linux.resources.blockIO.leafWeight",
                 "leafWeight refused");
    expect_error(&(struct spec_resources){.network = &net}, "linux.resources.network",
                 "network refused");
    expect_error(&(struct spec_resources){.unified = {evil, 1}},
                 "linux.resources.unified[\"../../cgroup.procs\"]", "unified '..' refused");
    expect_error(&(struct spec_resources){.unified = {procs, 1}},
                 "linux.resources.unified[\"cgroup.procs\"]", "unified cgroup.procs refused");
    expect_error(&(struct spec_resources){.rdma = bad_dev, .n_rdma = 1}, "not an RDMA device",
                 "an rdma name with a space refused");
}

static void
test_plan_empty(void)
{
    struct spec_device_cgroup deny[] = {{.allow = false, .access = (char *)"rwm"}};
    struct spec_resources r = {.devices = deny, .n_devices = 1};
    struct spec_network empty_net = {0};
    struct cgroup_plan p;
    struct error *err = NULL;
    char *s;

    tap_is_int(cgroup_plan_build(NULL, &p, &err), 0, "no resources: an empty plan");
    tap_ok(cgroup_plan_is_empty(&p, true), "nothing to do");
    cgroup_plan_free(&p);
    r.network = &empty_net;
    tap_is_int(cgroup_plan_build(&r, &p, &err), 0, "devices only");
    tap_ok(p.devices && p.n == 0, "a device program, no files");
    tap_ok(cgroup_plan_is_empty(&p, false), "empty when devices do not count (rootless)");
    tap_ok(!cgroup_plan_is_empty(&p, true), "not empty when they do");
    s = cgroup_plan_fields(&p, true);
    tap_is_str(s, "linux.resources.devices", "named as a field");
    free(s);
    cgroup_plan_free(&p);
}

int
main(void)
{
    test_shares();
    test_blkio_weight();
    test_swap();
    test_unified_keys();
    test_plan_memory_cpu_pids();
    test_plan_io_hugetlb_rdma_unified();
    test_plan_refusals();
    test_plan_empty();
    return tap_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroup-update.c: merging new resources into a container's, as
 * runc's update does, then the plan of the result. */
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "runtime/cgroup.h"
#include "tests/unit/tap.h"

static const char stored[] =
    "{\"ociVersion\":\"1.0.0\",\"linux\":{\"resources\":{"
    "\"memory\":{\"limit\":1048576,\"swap\":2097152},"
    "\"cpu\":{\"quota\":10000,\"period\":100000,\"cpus\":\"0-1\"},"
    "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0},{\"pageSize\":\"1GB\",\"limit\":0}],"
    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}},"
    "\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
    "\"unified\":{\"memory.high\":\"900000\",\"pids.max\":\"10\"}}}}";

static const char *
value_of(const struct cgroup_plan *p, const char *file)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->writes[i].file, file) == 0)
            return p->writes[i].value;
    return NULL;
}

int
main(void)
{
    struct error *err = NULL;
    struct spec *s = spec_parse(stored, strlen(stored), "stored", &err);
    struct spec_memory mem = {.has_limit = true, .limit = 1572864};
    struct spec_cpu cpu = {.has_period = true, .period = 50000, .mems = (char *)"0"};
    struct spec_hugepage_limit hp[] = {{.page_size = (char *)"2MB", .limit = 4194304},
                                       {.page_size = (char *)"64KB", .limit = 65536}};
    struct spec_rdma rdma[] = {{.key = (char *)"mlx5_1", .has_hca_objects = true, .hca_objects = 9},
                               {.key = (char *)"rxe0", .has_hca_handles = true, .hca_handles = 1}};
    struct strpair uni[] = {{(char *)"pids.max", (char *)"20"},
                            {(char *)"cpu.weight", (char *)"50"}};
    struct spec_device_cgroup dev[] = {{.allow = true, .type = (char *)"c", .access = (char *)"r"}};
    struct spec_resources upd = {.memory = &mem,
                                 .cpu = &cpu,
                                 .hugepage_limits = hp,
                                 .n_hugepage_limits = 2,
                                 .rdma = rdma,
                                 .n_rdma = 2,
                                 .devices = dev,
                                 .n_devices = 1,
                                 .unified = {uni, 2}};
    struct spec_resources *r;
    struct cgroup_plan p;

    tap_ok(s != NULL, "the stored configuration parses: %s", err ? err->msg : "");
    if (s == NULL)
        return tap_done();
    r = s->linux_->resources;
    cgroup_resources_merge(r, &upd);
    tap_is_int(r->memory->limit, 1572864, "memory.limit replaced");
    tap_ok(r->memory->has_swap && r->memory->swap == 2097152, "memory.swap kept");
    tap_ok(r->cpu->has_quota && r->cpu->quota == 10000, "cpu.quota kept");
    tap_is_int(r->cpu->period, 50000, "cpu.period replaced");
    tap_is_str(r->cpu->cpus, "0-1", "cpu.cpus kept");
    tap_is_str(r->cpu->mems, "0", "cpu.mems added");
    tap_is_int(r->n_hugepage_limits, 3, "hugepageLimits merged by page size");
    tap_is_int(r->hugepage_limits[0].limit, 4194304, "2MB replaced");
    tap_is_int(r->hugepage_limits[1].limit, 0, "1GB kept");
    tap_is_str(r->hugepage_limits[2].page_size, "64KB", "64KB added");
    tap_is_int(r->n_rdma, 2, "rdma merged by device");
    tap_ok(r->rdma[0].has_hca_handles && r->rdma[0].hca_handles == 3 && r->rdma[0].has_hca_objects
               && r->rdma[0].hca_objects == 9,
           "mlx5_1 keeps hcaHandles and gets hcaObjects");
    tap_is_int(r->n_devices, 1, "a device list given replaces the old one");
    tap_ok(r->devices[0].allow && strcmp(r->devices[0].access, "r") == 0, "with the new rule");
    tap_is_int(r->unified.n, 3, "unified merged by key");
    tap_ok(cgroup_plan_build(r, &p, &err) == 0, "the merged resources plan");
    tap_is_str(value_of(&p, "memory.max"), "1572864", "memory.max");
    tap_is_str(value_of(&p, "memory.swap.max"), "524288", "swap recomputed against the new limit");
    tap_is_str(value_of(&p, "cpu.max"), "10000 50000", "cpu.max: the kept quota, the new period");
    tap_is_str(value_of(&p, "pids.max"), "20", "the unified key replaced");
    tap_is_str(value_of(&p, "cpu.weight"), "50", "a unified key added");
    cgroup_plan_free(&p);
    spec_free(s);
    return tap_done();
}

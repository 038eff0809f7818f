/* SPDX-License-Identifier: Apache-2.0 */
/* berth update [--resources FILE] [runc's per-field flags] ID: new
 * linux.resources for a created, running or paused container. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

static void
usage(FILE *out)
{
    fprintf(out, "Usage: berth update [OPTIONS] CONTAINER-ID\n\n"
                 "Change the resource limits of a container.  Values not given keep theirs.\n\n"
                 "  -r, --resources FILE         linux.resources JSON to merge (- for stdin)\n"
                 "      --memory BYTES           memory limit (k, m, g suffixes; -1: none)\n"
                 "      --memory-reservation BYTES  memory.low\n"
                 "      --memory-swap BYTES      memory plus swap limit (-1: no swap limit)\n"
                 "      --kernel-memory BYTES    accepted, ignored on cgroup v2 (as runc)\n"
                 "      --kernel-memory-tcp BYTES  accepted, ignored on cgroup v2 (as runc)\n"
                 "      --pids-limit N           maximum number of processes (-1: none)\n"
                 "      --cpu-shares N           relative CPU weight, v1 scale (2 to 262144)\n"
                 "      --cpu-weight N           cpu.weight itself (1 to 10000)\n"
                 "      --cpu-quota US           CPU time per period (-1: none)\n"
                 "      --cpu-period US          the period of --cpu-quota\n"
                 "      --cpu-burst US           cpu.max.burst\n"
                 "      --cpu-idle 0|1           SCHED_IDLE for the container\n"
                 "      --cpu-rt-period US       refused: cgroup v2 has no realtime limits\n"
                 "      --cpu-rt-runtime US      refused: cgroup v2 has no realtime limits\n"
                 "      --cpuset-cpus LIST       CPUs allowed (0-3,7)\n"
                 "      --cpuset-mems LIST       memory nodes allowed\n"
                 "      --blkio-weight N         block I/O weight, v1 scale (10 to 1000)\n"
                 "  -h, --help                   print this help\n");
}

/* runc's units.RAMInBytes: a number with an optional binary suffix (k, m,
 * g, t, p, then an optional "i" and "b"), or -1. */
static int
parse_bytes(const char *s, int64_t *ret)
{
    const char *units = "kmgtp";
    char *end;
    long long v;
    int shift = 0;

    if (strcmp(s, "-1") == 0) {
        *ret = -1;
        return 0;
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0)
        return -1;
    end += *end == ' ';
    if (*end && strchr(units, tolower((unsigned char)*end)) != NULL) {
        shift = 10 * (int)(strchr(units, tolower((unsigned char)*end)) - units + 1);
        end++;
        end += tolower((unsigned char)*end) == 'i';
    }
    end += tolower((unsigned char)*end) == 'b';
    if (*end != '\0' || (shift && v > (INT64_MAX >> shift)))
        return -1;
    *ret = (int64_t)v << shift;
    return 0;
}

static int
parse_i64(const char *s, int64_t min, int64_t *ret)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < min)
        return -1;
    *ret = v;
    return 0;
}

int
cli_update(const struct cli_globals *g, int argc, char **argv)
{
    enum {
        OPT_MEMORY = 256,
        OPT_MEM_RES,
        OPT_SWAP,
        OPT_KMEM,
        OPT_KMEM_TCP,
        OPT_PIDS,
        OPT_SHARES,
        OPT_WEIGHT,
        OPT_QUOTA,
        OPT_PERIOD,
        OPT_BURST,
        OPT_IDLE,
        OPT_RT_PERIOD,
        OPT_RT_RUNTIME,
        OPT_CPUS,
        OPT_MEMS,
        OPT_BLKIO,
        OPT_L3,
        OPT_MEMBW,
    };
    static const struct option options[] = {
        {"resources", required_argument, NULL, 'r'},
        {"memory", required_argument, NULL, OPT_MEMORY},
        {"memory-reservation", required_argument, NULL, OPT_MEM_RES},
        {"memory-swap", required_argument, NULL, OPT_SWAP},
        {"kernel-memory", required_argument, NULL, OPT_KMEM},
        {"kernel-memory-tcp", required_argument, NULL, OPT_KMEM_TCP},
        {"pids-limit", required_argument, NULL, OPT_PIDS},
        {"cpu-share", required_argument, NULL, OPT_SHARES},
        {"cpu-shares", required_argument, NULL, OPT_SHARES},
        {"cpu-weight", required_argument, NULL, OPT_WEIGHT},
        {"cpu-quota", required_argument, NULL, OPT_QUOTA},
        {"cpu-period", required_argument, NULL, OPT_PERIOD},
        {"cpu-burst", required_argument, NULL, OPT_BURST},
        {"cpu-idle", required_argument, NULL, OPT_IDLE},
        {"cpu-rt-period", required_argument, NULL, OPT_RT_PERIOD},
        {"cpu-rt-runtime", required_argument, NULL, OPT_RT_RUNTIME},
        {"cpuset-cpus", required_argument, NULL, OPT_CPUS},
        {"cpuset-mems", required_argument, NULL, OPT_MEMS},
        {"blkio-weight", required_argument, NULL, OPT_BLKIO},
        {"l3-cache-schema", required_argument, NULL, OPT_L3},
        {"mem-bw-schema", required_argument, NULL, OPT_MEMBW},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct spec_memory mem = {0};
    struct spec_cpu cpu = {0};
    struct spec_pids pids = {0};
    struct spec_block_io bio = {0};
    struct strpair weight = {(char *)"cpu.weight", NULL};
    struct spec_resources flags = {0};
    struct runtime_update_opts o = {0};
    bool any = false;
    struct error *err = NULL;
    int64_t v;
    int c, li = -1;

    while ((c = getopt_long(argc, argv, "+:r:h", options, &li)) != -1) {
        char opt[64];
        bool bad = false;

        if (li >= 0)
            snprintf(opt, sizeof(opt), "--%s", options[li].name);
        else
            snprintf(opt, sizeof(opt), "%s", optind > 0 ? argv[optind - 1] : "");
        li = -1;

        any |= c != 'h' && c != ':' && c != '?';
        switch (c) {
        case 'r':
            o.resources_path = optarg;
            break;
        case OPT_MEMORY:
            bad = parse_bytes(optarg, &mem.limit) < 0;
            mem.has_limit = true;
            flags.memory = &mem;
            break;
        case OPT_MEM_RES:
            bad = parse_bytes(optarg, &mem.reservation) < 0;
            mem.has_reservation = true;
            flags.memory = &mem;
            break;
        case OPT_SWAP:
            bad = parse_bytes(optarg, &mem.swap) < 0;
            mem.has_swap = true;
            flags.memory = &mem;
            break;
        case OPT_KMEM:
            bad = parse_bytes(optarg, &mem.kernel) < 0;
            mem.has_kernel = true;
            flags.memory = &mem;
            break;
        case OPT_KMEM_TCP:
            bad = parse_bytes(optarg, &mem.kernel_tcp) < 0;
            mem.has_kernel_tcp = true;
            flags.memory = &mem;
            break;
        case OPT_PIDS:
            bad = parse_i64(optarg, -1, &pids.limit) < 0;
            flags.pids = &pids;
            break;
        case OPT_SHARES:
            bad = parse_i64(optarg, 0, &v) < 0;
            cpu.shares = (uint64_t)v;
            cpu.has_shares = true;
            flags.cpu = &cpu;
            break;
        case OPT_WEIGHT:
            bad = parse_i64(optarg, 1, &v) < 0 || v > 10000;
            weight.value = optarg;
            flags.unified = (struct strmap){&weight, 1};
            break;
        case OPT_QUOTA:
            bad = parse_i64(optarg, -1, &cpu.quota) < 0;
            cpu.has_quota = true;
            flags.cpu = &cpu;
            break;
        case OPT_PERIOD:
            bad = parse_i64(optarg, 0, &v) < 0;
            cpu.period = (uint64_t)v;
            cpu.has_period = true;
            flags.cpu = &cpu;
            break;
        case OPT_BURST:
            bad = parse_i64(optarg, 0, &v) < 0;
            cpu.burst = (uint64_t)v;
            cpu.has_burst = true;
            flags.cpu = &cpu;
            break;
        case OPT_IDLE:
            bad = parse_i64(optarg, 0, &cpu.idle) < 0 || cpu.idle > 1;
            cpu.has_idle = true;
            flags.cpu = &cpu;
            break;
        case OPT_RT_PERIOD:
            bad = parse_i64(optarg, 0, &v) < 0;
            cpu.realtime_period = (uint64_t)v;
            cpu.has_realtime_period = true;
            flags.cpu = &cpu;
            break;
        case OPT_RT_RUNTIME:
            bad = parse_i64(optarg, -1, &cpu.realtime_runtime) < 0;
            cpu.has_realtime_runtime = true;
            flags.cpu = &cpu;
            break;
        case OPT_CPUS:
            cpu.cpus = optarg;
            flags.cpu = &cpu;
            break;
        case OPT_MEMS:
            cpu.mems = optarg;
            flags.cpu = &cpu;
            break;
        case OPT_BLKIO:
            bad = parse_i64(optarg, 0, &v) < 0 || v > 65535;
            bio.weight = (uint16_t)v;
            bio.has_weight = true;
            flags.block_io = &bio;
            break;
        case OPT_L3:
        case OPT_MEMBW:
            return cli_usage_error(g, "update", "%s: berth does not implement linux.intelRdt", opt);
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(g, "update", "option '%s' needs a value", opt);
        default:
            return cli_usage_error(g, "update", "unknown option '%s'", opt);
        }
        if (bad)
            return cli_usage_error(g, "update", "%s: not a valid value: '%s'", opt, optarg);
    }
    if (optind != argc - 1)
        return cli_usage_error(g, "update",
                               optind >= argc ? "a container id is required"
                                              : "exactly one container id is expected");
    if (!any)
        return cli_usage_error(g, "update", "nothing to update: give --resources or a flag");
    o.flags = &flags;
    if (runtime_update(&ctx, argv[optind], &o, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

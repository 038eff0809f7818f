/* SPDX-License-Identifier: Apache-2.0 */
/* berth-image unpack [--platform P] [--rootless] [--force] [--max-size N] SRC BUNDLE [-- CMD...] */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/cli/cli.h"
#include "image/image.h"

/* 32 GiB: more than any sane image, less than a disk. */
#define DEFAULT_MAX_SIZE (32ULL << 30)

static volatile int cancelled;

static void
on_signal(int sig)
{
    (void)sig;
    cancelled = 1;
}

struct progress {
    bool shown;
};

static void
show_progress(void *opaque, size_t layer, size_t n_layers, uint64_t bytes, uint64_t size)
{
    struct progress *p = opaque;

    fprintf(stderr, "\rlayer %zu of %zu: %.1f of %.1f MiB   ", layer + 1, n_layers,
            (double)bytes / (1 << 20), (double)size / (1 << 20));
    p->shown = true;
}

static void
usage(FILE *out)
{
    fprintf(out,
            "Usage: berth-image unpack [OPTIONS] SRC BUNDLE [-- CMD [ARG...]]\n\n"
            "Unpack the image SRC into the new bundle directory BUNDLE (config.json and\n"
            "rootfs/), checking every digest.  CMD replaces the image's Cmd.\n\n"
            "  --platform OS/ARCH[/VARIANT]  the image to pick from an index (default: the host)\n"
            "  --rootless                    write a rootless config.json (implied without root)\n"
            "  --force                       replace an existing BUNDLE\n"
            "  --max-size SIZE               refuse layers unpacking to more than SIZE in all\n"
            "                                (K, M, G, T suffixes; 0: no limit; default 32G)\n"
            "  -h, --help                    print this help\n\n"
            "SRC is oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG] or\n"
            "docker-archive:FILE[:NAME:TAG].  See berth-image-unpack(8).\n");
}

static void
warn_ownership(const struct image_idmap_plan *plan)
{
    if (plan->collapsed)
        icli_warn("no subordinate ids for this user in /etc/subuid and /etc/subgid (or no "
                  "newuidmap/newgidmap): every file is owned by you, and the bundle maps you "
                  "to root");
}

int
icli_unpack(int argc, char **argv)
{
    enum { OPT_PLATFORM = 256, OPT_ROOTLESS, OPT_FORCE, OPT_MAX_SIZE };
    static const struct option options[] = {
        {"platform", required_argument, NULL, OPT_PLATFORM},
        {"rootless", no_argument, NULL, OPT_ROOTLESS},
        {"force", no_argument, NULL, OPT_FORCE},
        {"max-size", required_argument, NULL, OPT_MAX_SIZE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct image_unpack_opts o = {.max_size = DEFAULT_MAX_SIZE, .cancel = &cancelled};
    struct image_platform platform = {0};
    struct image_idmap_plan plan;
    struct image_unpack_result res;
    struct progress prog = {0};
    struct strv args = {0};
    struct error *err = NULL;
    bool have_platform = false;
    int c, rc;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (c) {
        case OPT_PLATFORM:
            if (have_platform)
                image_platform_clear(&platform);
            if (image_platform_parse(optarg, &platform, &err) < 0)
                return icli_fail(&err);
            have_platform = true;
            break;
        case OPT_ROOTLESS:
            o.rootless = true;
            break;
        case OPT_FORCE:
            o.force = true;
            break;
        case OPT_MAX_SIZE: {
            unsigned long long v;

            if (icli_parse_size(optarg, &v) < 0)
                return icli_usage_error("unpack", "--max-size: '%s' is not a size", optarg);
            o.max_size = v;
            break;
        }
        case 'h':
            usage(stdout);
            return ICLI_EXIT_OK;
        case ':':
            return icli_usage_error("unpack", "option '%s' needs a value", argv[optind - 1]);
        default:
            return icli_usage_error("unpack", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 2)
        return icli_usage_error("unpack", "expected SRC and BUNDLE");
    o.src = argv[optind];
    o.bundle = argv[optind + 1];
    if (argc - optind > 2) {
        if (strcmp(argv[optind + 2], "--") != 0)
            return icli_usage_error("unpack", "unexpected '%s' (a command goes after '--')",
                                    argv[optind + 2]);
        args.items = argv + optind + 3;
        args.n = (size_t)(argc - optind - 3);
        o.args = &args;
    }
    if (have_platform)
        o.platform = &platform;

    if (geteuid() != 0) {
        o.rootless = true;
        if (image_idmap_plan(getuid(), getgid(), "/etc/subuid", "/etc/subgid", &plan, &err) < 0)
            return icli_fail(&err);
        if (plan.userns && image_enter_userns(&plan, &err) < 0)
            return icli_fail(&err);
        o.idmap = &plan;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    if (isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_opaque = &prog;
    }
    rc = image_unpack(&o, &res, &err);
    if (prog.shown)
        fputc('\n', stderr);
    if (have_platform)
        image_platform_clear(&platform);
    if (rc < 0)
        return icli_fail(&err);
    if (o.idmap != NULL)
        warn_ownership(o.idmap);
    if (res.stats.skipped_devices > 0)
        icli_warn("%llu device node%s not created (making devices needs root)",
                  (unsigned long long)res.stats.skipped_devices,
                  res.stats.skipped_devices == 1 ? " was" : "s were");
    return ICLI_EXIT_OK;
}

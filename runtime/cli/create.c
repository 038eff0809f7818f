/* SPDX-License-Identifier: Apache-2.0 */
/* berth create [options] ID, and the options it shares with run.
 * cli_parse_create returns CLI_EXIT_FAILURE (after printing why) for
 * --systemd-cgroup, besides what cli.h says. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

static void
usage(FILE *out, const char *cmd)
{
    fprintf(out,
            "Usage: berth %s [OPTIONS] CONTAINER-ID\n\n"
            "Options:\n"
            "  -b, --bundle DIR          bundle directory (default: current directory)\n"
            "      --pid-file FILE       write init's pid to FILE\n"
            "      --console-socket SOCK send the terminal's master fd to SOCK\n"
            "      --preserve-fds N      pass N more fds (from 3) to the container\n"
            "      --no-pivot            use MS_MOVE and chroot instead of pivot_root\n"
            "      --no-new-keyring      keep the caller's session keyring\n"
            "%s"
            "  -h, --help                show this help\n",
            cmd,
            strcmp(cmd, "run") == 0
                ? "  -d, --detach              return once started; do not wait\n"
                  "      --keep                keep the container after it exits\n"
                : "");
}

/* runtime_create_opts.debug: the library's debug lines, with --debug. */
static void
create_debug(const void *data, const char *msg)
{
    cli_debug(data, "%s", msg);
}

int
cli_parse_create(const struct cli_globals *g, const char *cmd, int argc, char **argv,
                 struct cli_create_args *a)
{
    enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_PRESERVE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_KEEP };
    static const struct option options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"pid-file", required_argument, NULL, OPT_PID_FILE},
        {"console-socket", required_argument, NULL, OPT_CONSOLE},
        {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
        {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
        {"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
        {"detach", no_argument, NULL, 'd'},
        {"keep", no_argument, NULL, OPT_KEEP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool is_run = strcmp(cmd, "run") == 0;
    int c;

    memset(a, 0, sizeof(*a));
    a->opts.debug = create_debug;
    a->opts.debug_data = g;
    while ((c = getopt_long(argc, argv, is_run ? "+:b:dh" : "+:b:h", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            a->opts.bundle = optarg;
            break;
        case OPT_PID_FILE:
            a->opts.pid_file = optarg;
            break;
        case OPT_CONSOLE:
            a->opts.console_socket = optarg;
            break;
        case OPT_PRESERVE: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end != '\0' || n < 0 || n > 65536)
                return cli_usage_error(g, cmd, "--preserve-fds: not a count: '%s'", optarg);
            a->opts.preserve_fds = (int)n;
            break;
        }
        case OPT_NO_PIVOT:
            a->opts.no_pivot = true;
            break;
        case OPT_NO_KEYRING:
            a->opts.no_new_keyring = true;
            break;
        case 'd':
            if (!is_run)
                return cli_usage_error(g, cmd, "unknown option '--detach'");
            a->detach = true;
            break;
        case OPT_KEEP:
            if (!is_run)
                return cli_usage_error(g, cmd, "unknown option '--keep'");
            a->keep = true;
            break;
        case 'h':
            usage(stdout, cmd);
            return -1;
        case ':':
            return cli_usage_error(g, cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(g, cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(g, cmd,
                               optind >= argc ? "a container id is required"
                                              : "exactly one container id is expected");
    a->id = argv[optind];
    /* Engines pass --systemd-cgroup when they are configured for systemd's
     * cgroup driver; then linux.cgroupsPath is "slice:prefix:name" and they
     * expect the runtime to ask systemd for the cgroup.  berth writes
     * cgroupfs itself: running the container anyway would put it somewhere
     * the engine never looks, so create and run refuse, and say what to
     * change.  The other commands accept the flag: they act on containers
     * that exist already. */
    if (g->systemd_cgroup) {
        struct error *err = NULL;

        error_setx(&err, ENOTSUP,
                   "%s '%s': --systemd-cgroup: berth has no systemd cgroup driver; configure "
                   "the engine for cgroupfs (podman: --cgroup-manager cgroupfs, or "
                   "cgroup_manager = \"cgroupfs\" in containers.conf; containerd: "
                   "SystemdCgroup = false in the runc options; CRI-O: cgroup_manager = "
                   "\"cgroupfs\"; Docker: native.cgroupdriver=cgroupfs)",
                   cmd, a->id);
        return cli_fail(g, &err);
    }
    return 0;
}

int
cli_create(const struct cli_globals *g, int argc, char **argv)
{
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct cli_create_args a;
    struct error *err = NULL;
    pid_t pid;
    int rc = cli_parse_create(g, "create", argc, argv, &a);

    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (runtime_create(&ctx, a.id, &a.opts, &pid, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cli/cli.h"

struct command {
    const char *name;
    int (*run)(const struct cli_globals *g, int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"check", cli_check, "check a bundle and explain why it would not run here"},
    {"create", cli_create, "create a container, its init waiting for start"},
    {"delete", cli_delete, "delete a stopped (or, with --force, any) container"},
    {"events", cli_events, "show a container's resource usage and OOM kills"},
    {"exec", cli_exec, "run a new process in a running container"},
    {"features", cli_features, "show the enabled features (runtime-spec features.md)"},
    {"kill", cli_kill, "send a signal to the container's init (or all its processes)"},
    {"list", cli_list, "list containers"},
    {"pause", cli_pause, "freeze every process of a container"},
    {"ps", cli_ps, "list the container's processes"},
    {"resume", cli_resume, "thaw a paused container"},
    {"run", cli_run, "create and start a container, wait for it and delete it"},
    {"spec", cli_spec, "create a new specification file (config.json)"},
    {"start", cli_start, "start the user process of a created container"},
    {"state", cli_state, "print the state of a container as JSON"},
    {"update", cli_update, "change a running container's resource limits"},
};

static void
usage(FILE *out)
{
    fprintf(out, "Usage: berth [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
                 "berth runs OCI runtime-spec bundles in user namespaces.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nGlobal options:\n"
                 "  --root DIR             state directory (default /run/berth for root,\n"
                 "                         $XDG_RUNTIME_DIR/berth otherwise)\n"
                 "  --log FILE             write log lines to FILE\n"
                 "  --log-format FORMAT    text (default) or json\n"
                 "  --debug                verbose logging\n"
                 "  --systemd-cgroup       accepted; create and run refuse it: berth has no\n"
                 "                         systemd cgroup driver (configure cgroupfs)\n"
                 "  --rootless VALUE       accepted for runc compatibility (auto)\n"
                 "  -v, --version          print the version\n"
                 "  -h, --help             print this help\n\n"
                 "See berth(8) and berth-COMMAND(8).\n");
}

int
main(int argc, char **argv)
{
    enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS };
    static const struct option options[] = {
        {"root", required_argument, NULL, OPT_ROOT},
        {"log", required_argument, NULL, OPT_LOG},
        {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
        {"debug", no_argument, NULL, OPT_DEBUG},
        {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
        {"rootless", required_argument, NULL, OPT_ROOTLESS},
        {"version", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_globals g = {.log_format = "text"};
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:vh", options, NULL)) != -1) {
        switch (c) {
        case OPT_ROOT:
            g.root = optarg;
            break;
        case OPT_LOG:
            g.log = optarg;
            break;
        case OPT_LOG_FORMAT:
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
                return cli_usage_error(
                    &g, NULL, "--log-format: unknown format '%s' (accepted: text, json)", optarg);
            g.log_format = optarg;
            break;
        case OPT_DEBUG:
            g.debug = true;
            break;
        case OPT_SYSTEMD:
            g.systemd_cgroup = true;
            break;
        case OPT_ROOTLESS:
            g.rootless_set = true;
            g.rootless = optarg;
            break;
        case 'v':
            cli_print_version();
            return CLI_EXIT_OK;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(&g, NULL, "option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt && strncmp(argv[optind - 1], "--", 2) != 0)
                return cli_usage_error(&g, NULL, "option '-%c' is unknown or needs a value",
                                       optopt);
            return cli_usage_error(&g, NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[optind], commands[i].name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;

            optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
            opterr = 0;
            return commands[i].run(&g, sub_argc, sub_argv);
        }
    }
    if (strcmp(argv[optind], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    return cli_usage_error(&g, NULL, "unknown command '%s'", argv[optind]);
}

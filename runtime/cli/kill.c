/* SPDX-License-Identifier: Apache-2.0 */
/* berth kill [--all] ID [SIGNAL]: SIGTERM by default; names or numbers. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

int
cli_kill(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root};
    struct error *err = NULL;
    bool all = false;
    int sig = SIGTERM;
    int c;

    while ((c = getopt_long(argc, argv, "+ah", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'h':
            printf("Usage: berth kill [--all] CONTAINER-ID [SIGNAL]\n\n"
                   "SIGNAL is a name (TERM, SIGKILL, RTMIN+1) or a number; default TERM.\n");
            return CLI_EXIT_OK;
        default:
            return cli_usage_error(g, "kill", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(g, "kill", "a container id is required");
    if (argc - optind > 2)
        return cli_usage_error(g, "kill", "too many arguments");
    if (argc - optind == 2) {
        sig = runtime_parse_signal(argv[optind + 1]);
        if (sig < 0)
            return cli_usage_error(g, "kill", "unknown signal '%s'", argv[optind + 1]);
    }
    if (runtime_kill(&ctx, argv[optind], sig, all, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth delete [--force] ID */
#include <getopt.h>
#include <stdio.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

int
cli_delete(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct error *err = NULL;
    bool force = false;
    int c;

    while ((c = getopt_long(argc, argv, "+fh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 'h':
            printf("Usage: berth delete [--force] CONTAINER-ID\n");
            return CLI_EXIT_OK;
        default:
            return cli_usage_error(g, "delete", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(g, "delete",
                               optind >= argc ? "a container id is required"
                                              : "exactly one container id is expected");
    if (runtime_delete(&ctx, argv[optind], force, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

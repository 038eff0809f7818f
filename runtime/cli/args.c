/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>

#include "runtime/cli/cli.h"

int
cli_parse_id(const struct cli_globals *g, const char *cmd, int argc, char **argv,
             const char **ret_id)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        if (c == 'h') {
            printf("Usage: berth %s CONTAINER-ID\n", cmd);
            return -1;
        }
        return cli_usage_error(g, cmd, "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_usage_error(g, cmd,
                               optind >= argc ? "a container id is required"
                                              : "exactly one container id is expected");
    *ret_id = argv[optind];
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

int
cli_start(const struct cli_globals *g, int argc, char **argv)
{
    struct runtime_ctx ctx = {.root = g->root};
    struct error *err = NULL;
    const char *id;
    int rc = cli_parse_id(g, "start", argc, argv, &id);

    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (runtime_start(&ctx, id, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

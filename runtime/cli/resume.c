/* SPDX-License-Identifier: Apache-2.0 */
/* berth resume ID: thaw a paused container (cgroup.freeze). */
#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

int
cli_resume(const struct cli_globals *g, int argc, char **argv)
{
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct error *err = NULL;
    const char *id;
    int rc = cli_parse_id(g, "resume", argc, argv, &id);

    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (runtime_resume(&ctx, id, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

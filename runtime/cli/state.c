/* SPDX-License-Identifier: Apache-2.0 */
/* berth state ID: runc's state JSON (runtime.md "State"). */
#include <stdio.h>
#include <stdlib.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

int
cli_state(const struct cli_globals *g, int argc, char **argv)
{
    struct runtime_ctx ctx = {.root = g->root};
    struct error *err = NULL;
    struct spec_state *st;
    const char *id;
    char *buf;
    size_t len;
    int rc = cli_parse_id(g, "state", argc, argv, &id);

    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    st = runtime_state(&ctx, id, &err);
    if (st == NULL)
        return cli_fail(g, &err);
    /* berth's private part stays in the state directory. */
    spec_state_hide_private(st);
    rc = spec_state_write(st, true, &buf, &len, &err);
    spec_state_free(st);
    if (rc < 0)
        return cli_fail(g, &err);
    fwrite(buf, 1, len, stdout);
    free(buf);
    return CLI_EXIT_OK;
}

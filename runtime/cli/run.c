/* SPDX-License-Identifier: Apache-2.0 */
/* berth run [options] ID: create, start, and (without --detach) wait and
 * delete, passing the exit status through (128+N for signal N). */
#include <stdio.h>
#include <unistd.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

int
cli_run(const struct cli_globals *g, int argc, char **argv)
{
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct cli_create_args a;
    struct error *err = NULL;
    pid_t pid;
    int rc = cli_parse_create(g, "run", argc, argv, &a);
    int status;
    int console = -1; /* the pty master, when berth allocates the terminal */

    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    a.opts.foreground = !a.detach;
    a.opts.ret_console = &console;
    if (runtime_create(&ctx, a.id, &a.opts, &pid, &err) < 0)
        return cli_fail(g, &err);
    if (runtime_start(&ctx, a.id, &err) < 0) {
        struct error *ignored = NULL;
        if (console >= 0)
            close(console);
        runtime_delete(&ctx, a.id, true, &ignored);
        error_free(&ignored);
        return cli_fail(g, &err);
    }
    if (a.detach)
        return CLI_EXIT_OK;
    status =
        console >= 0 ? runtime_wait_terminal(pid, console, &err) : runtime_wait_forward(pid, &err);
    if (status < 0)
        cli_fail(g, &err);
    if (!a.keep && runtime_delete(&ctx, a.id, true, &err) < 0)
        cli_fail(g, &err);
    return status < 0 ? CLI_EXIT_FAILURE : status;
}

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_CLI_H
#define BERTH_RUNTIME_CLI_H

#include <stdbool.h>

#include "lib/error.h"

/* The `berth` command line: runc's contract.  main.c parses the global flags
 * and dispatches to one function per subcommand, each in its own file here.
 * A subcommand parses its own flags (getopt_long, starting at argv[0] = its
 * name), calls the library, prints the error once, and returns the exit
 * status. */

/* Exit statuses. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

struct cli_globals {
    const char *root;       /* --root: state directory */
    const char *log;        /* --log: file for log lines (engines pass one) */
    const char *log_format; /* --log-format: "text" (default) or "json" */
    bool debug;             /* --debug */
    bool systemd_cgroup;    /* --systemd-cgroup */
    bool rootless_set;      /* --rootless given */
    const char *rootless;   /* --rootless true|false|auto */
};

/* Print ERR ("berth: MSG", one line per line of a multi-line message) to
 * stderr and to --log in the chosen format, free it, and return
 * CLI_EXIT_FAILURE. */
int cli_fail(const struct cli_globals *g, struct error **err);

/* Print "berth CMD: MSG" and "Try 'berth CMD --help'." and return CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_globals *g, const char *cmd, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

/* A warning line on stderr (and --log). */
void cli_warn(const struct cli_globals *g, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* runtime_ctx.warn for the library's warnings: DATA is the cli_globals. */
void cli_runtime_warn(const void *data, const char *msg);
/* A debug line, only with --debug. */
void cli_debug(const struct cli_globals *g, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Arguments of create and run. */
#include "runtime/runtime.h"
struct cli_create_args {
    struct runtime_create_opts opts;
    const char *id;
    bool detach; /* run --detach */
    bool keep;   /* run --keep */
};

/* Parse create/run arguments (CMD is "create" or "run").  Returns 0, -1
 * when --help was printed, or CLI_EXIT_USAGE after printing the error. */
int cli_parse_create(const struct cli_globals *g, const char *cmd, int argc, char **argv,
                     struct cli_create_args *a);

/* Parse "CMD [--help] ID" (start, state, ...); same returns as above. */
int cli_parse_id(const struct cli_globals *g, const char *cmd, int argc, char **argv,
                 const char **ret_id);

/* Subcommands. */
int cli_create(const struct cli_globals *g, int argc, char **argv);
int cli_run(const struct cli_globals *g, int argc, char **argv);
int cli_start(const struct cli_globals *g, int argc, char **argv);
int cli_state(const struct cli_globals *g, int argc, char **argv);
int cli_kill(const struct cli_globals *g, int argc, char **argv);
int cli_delete(const struct cli_globals *g, int argc, char **argv);
int cli_list(const struct cli_globals *g, int argc, char **argv);
int cli_ps(const struct cli_globals *g, int argc, char **argv);
int cli_pause(const struct cli_globals *g, int argc, char **argv);
int cli_resume(const struct cli_globals *g, int argc, char **argv);
int cli_update(const struct cli_globals *g, int argc, char **argv);
int cli_events(const struct cli_globals *g, int argc, char **argv);
int cli_exec(const struct cli_globals *g, int argc, char **argv);
int cli_spec(const struct cli_globals *g, int argc, char **argv);
int cli_check(const struct cli_globals *g, int argc, char **argv);
int cli_features(const struct cli_globals *g, int argc, char **argv);

/* `berth --version` text. */
void cli_print_version(void);

#endif

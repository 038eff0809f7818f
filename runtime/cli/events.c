/* SPDX-License-Identifier: Apache-2.0 */
/* berth events [--stats] [--interval DURATION] ID: runc's event stream,
 * one JSON object a line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

static void
print_line(const void *data, const char *json)
{
    (void)data;
    printf("%s\n", json);
    fflush(stdout);
}

/* A Go duration as runc takes it ("5s", "500ms", "1m", "1.5s"), or plain
 * seconds; 0 on error. */
static unsigned
parse_interval(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    double ms;

    if (end == s || v <= 0)
        return 0;
    if (*end == '\0' || strcmp(end, "s") == 0)
        ms = v * 1000;
    else if (strcmp(end, "ms") == 0)
        ms = v;
    else if (strcmp(end, "m") == 0)
        ms = v * 60000;
    else
        return 0;
    return ms >= 1 && ms < 86400000.0 ? (unsigned)ms : 0;
}

int
cli_events(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"stats", no_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct runtime_events_opts o = {.interval_ms = 5000, .emit = print_line};
    struct error *err = NULL;
    int c;

    while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (c) {
        case 's':
            o.stats = true;
            break;
        case 'i':
            o.interval_ms = parse_interval(optarg);
            if (o.interval_ms == 0)
                return cli_usage_error(g, "events", "--interval: not a duration: '%s'", optarg);
            break;
        case 'h':
            printf("Usage: berth events [--stats] [--interval DURATION] CONTAINER-ID\n\n"
                   "Without --stats, print the container's stats every DURATION (default 5s)\n"
                   "and an \"oom\" event for each OOM kill, until the container is gone.\n");
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(g, "events", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(g, "events", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(g, "events",
                               optind >= argc ? "a container id is required"
                                              : "exactly one container id is expected");
    if (runtime_events(&ctx, argv[optind], &o, &err) < 0)
        return cli_fail(g, &err);
    return CLI_EXIT_OK;
}

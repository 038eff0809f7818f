/* SPDX-License-Identifier: Apache-2.0 */
/* berth list [--format table|json] [-q] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

static int
print_json(const struct cli_globals *g, struct spec_state **list, size_t n)
{
    struct json_writer *w = json_writer_new(false);
    struct error *err = NULL;
    char *buf;
    size_t len;

    /* runc prints the list as one JSON array of states ("null" when
     * empty: engines accept both, [] is kinder to jq). */
    json_w_array_begin(w);
    for (size_t i = 0; i < n; i++) {
        const struct spec_state *st = list[i];

        json_w_object_begin(w);
        json_w_key(w, "ociVersion");
        json_w_string(w, st->oci_version);
        json_w_key(w, "id");
        json_w_string(w, st->id);
        json_w_key(w, "pid");
        json_w_int64(w, st->has_pid ? st->pid : 0);
        json_w_key(w, "status");
        json_w_string(w, st->status);
        json_w_key(w, "bundle");
        json_w_string(w, st->bundle);
        json_w_key(w, "rootfs");
        json_w_string(w, st->rootfs ? st->rootfs : "");
        json_w_key(w, "created");
        json_w_string(w, st->created ? st->created : "");
        json_w_key(w, "owner");
        json_w_string(w, st->owner ? st->owner : "");
        if (st->annotations.items) {
            json_w_key(w, "annotations");
            json_w_object_begin(w);
            for (size_t j = 0; j < st->annotations.n; j++) {
                json_w_key(w, st->annotations.items[j].key);
                json_w_string(w, st->annotations.items[j].value);
            }
            json_w_object_end(w);
        }
        json_w_object_end(w);
    }
    json_w_array_end(w);
    if (json_writer_finish(w, &buf, &len, &err) < 0)
        return cli_fail(g, &err);
    printf("%s\n", buf);
    free(buf);
    return CLI_EXIT_OK;
}

int
cli_list(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root};
    struct spec_state **list;
    struct error *err = NULL;
    const char *format = "table";
    bool quiet = false;
    size_t n;
    int c, rc;

    while ((c = getopt_long(argc, argv, "+:f:qh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0)
                return cli_usage_error(
                    g, "list", "--format: unknown format '%s' (accepted: table, json)", optarg);
            format = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            printf("Usage: berth list [--format table|json] [--quiet]\n");
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(g, "list", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(g, "list", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error(g, "list", "no arguments expected");
    if (runtime_list(&ctx, &list, &n, &err) < 0)
        return cli_fail(g, &err);
    if (quiet) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", list[i]->id);
        rc = CLI_EXIT_OK;
    } else if (strcmp(format, "json") == 0) {
        rc = print_json(g, list, n);
    } else {
        printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
               "OWNER");
        for (size_t i = 0; i < n; i++)
            printf("%-12s %-8lld %-10s %-40s %-31s %s\n", list[i]->id,
                   (long long)(list[i]->has_pid ? list[i]->pid : 0), list[i]->status,
                   list[i]->bundle, list[i]->created ? list[i]->created : "",
                   list[i]->owner ? list[i]->owner : "");
        rc = CLI_EXIT_OK;
    }
    runtime_list_free(list, n);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* `berth features` (runtime-spec features.md, runc's command of that name)
 * and `berth --version`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/cleanup.h"
#include "runtime/cli/cli.h"
#include "runtime/features.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "unknown"
#endif
#ifndef BERTH_COMMIT
#define BERTH_COMMIT "unknown"
#endif

static void
features_usage(FILE *out)
{
    fprintf(out, "Usage: berth features\n\n"
                 "Print the features this build of berth implements, as the JSON\n"
                 "Features structure of the OCI runtime-spec (features.md).\n\n"
                 "Options:\n"
                 "  -h, --help    print this help\n\n"
                 "See berth-features(8).\n");
}

int
cli_features(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    _cleanup_free_ char *buf = NULL;
    struct error *err = NULL;
    size_t len;
    int c;

    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        switch (c) {
        case 'h':
            features_usage(stdout);
            return CLI_EXIT_OK;
        default:
            /* A long option is named by its argument ("--bogus", "--help=x"),
             * a short one by optopt: inside a group "-xy" optind has not
             * moved on yet. */
            if (optopt == 0 || strncmp(argv[optind - 1], "--", 2) == 0)
                return cli_usage_error(g, "features", "unknown option '%s'", argv[optind - 1]);
            return cli_usage_error(g, "features", "unknown option '-%c'", optopt);
        }
    }
    if (optind < argc)
        return cli_usage_error(g, "features", "unexpected argument '%s'", argv[optind]);

    if (runtime_features_json(true, &buf, &len, &err) < 0)
        return cli_fail(g, &err);
    if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
        error_set(&err, errno, "features: writing to standard output");
        return cli_fail(g, &err);
    }
    return CLI_EXIT_OK;
}

void
cli_print_version(void)
{
    _cleanup_free_ char *libseccomp = runtime_libseccomp_version();

    printf("berth version %s\n"
           "commit: %s\n"
           "spec: %s\n"
           "libseccomp: %s\n",
           BERTH_VERSION, BERTH_COMMIT, SPEC_OCI_VERSION, libseccomp);
}

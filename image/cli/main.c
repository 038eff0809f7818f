/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/cli/cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"inspect", icli_inspect, "show an image's manifest, platform, layers and config"},
    {"remove", icli_remove, "remove a bundle that unpack made (rootless ownership included)"},
    {"unpack", icli_unpack, "turn an image into a runtime bundle (config.json + rootfs)"},
};

int
icli_fail(struct error **err)
{
    const char *msg = *err && (*err)->msg ? (*err)->msg : "unknown error";
    const char *line = msg;

    /* A multi-line message (several problems) keeps the prefix on each. */
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);

        fprintf(stderr, "berth-image: %.*s\n", len, line);
        line = nl ? nl + 1 : NULL;
    }
    error_free(err);
    return ICLI_EXIT_FAILURE;
}

int
icli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "berth-image%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'berth-image%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
    return ICLI_EXIT_USAGE;
}

void
icli_warn(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "berth-image: warning: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int
icli_parse_size(const char *s, unsigned long long *ret)
{
    char *end;
    unsigned long long v, mult = 1;

    if (s == NULL || *s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return -EINVAL;
    if (*end != '\0') {
        switch (*end) {
        case 'K':
        case 'k':
            mult = 1ULL << 10;
            break;
        case 'M':
        case 'm':
            mult = 1ULL << 20;
            break;
        case 'G':
        case 'g':
            mult = 1ULL << 30;
            break;
        case 'T':
        case 't':
            mult = 1ULL << 40;
            break;
        default:
            return -EINVAL;
        }
        if (end[1] != '\0' && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
            return -EINVAL;
    }
    if (v > ~0ULL / mult)
        return -ERANGE;
    *ret = v * mult;
    return 0;
}

static void
usage(FILE *out)
{
    fprintf(out, "Usage: berth-image COMMAND [OPTIONS] [ARGS]\n\n"
                 "berth-image turns OCI images into runtime bundles.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nImages (SRC):\n"
                 "  oci:DIR[:TAG|@DIGEST]           an OCI image layout (TAG defaults to latest)\n"
                 "  oci-archive:FILE[:TAG]          a tar of an OCI image layout\n"
                 "  docker-archive:FILE[:NAME:TAG]  a `docker save` archive\n\n"
                 "Options:\n"
                 "  -v, --version   print the version\n"
                 "  -h, --help      print this help\n\n"
                 "See berth-image(8) and berth-image-COMMAND(8).\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ICLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0
        || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return ICLI_EXIT_OK;
    }
    if (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("berth-image version %s\ncommit: %s\n", BERTH_VERSION, BERTH_COMMIT);
        return ICLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (argv[1][0] == '-')
        return icli_usage_error(NULL, "unknown option '%s'", argv[1]);
    return icli_usage_error(NULL, "unknown command '%s'", argv[1]);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check [--bundle DIR] [--format text|json]`: every reason the bundle
 * would not run here, without running it.  Parse errors, spec_validate()
 * and the host checks (runtime/check.h) all become findings, printed on
 * stdout; exit 1 when any is an error. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/check.h"
#include "runtime/cli/cli.h"

/* Beyond this config.json is refused unread (as spec_load_bundle_at does). */
#define CONFIG_MAX_SIZE (16u << 20)
/* Findings kept; a seccomp profile can legitimately yield many warnings. */
#define CHECK_CAP 1000

static void
usage(FILE *out)
{
    fprintf(out, "Usage: berth check [OPTIONS]\n\n"
                 "Check a bundle against this host and user without running it, and explain every\n"
                 "reason it would not start: config errors, missing files in the rootfs, id\n"
                 "mappings you may not use, namespaces, capabilities, rlimits, mounts, seccomp,\n"
                 "cgroups and sysctls.\n\n"
                 "Options:\n"
                 "  -b, --bundle DIR     the bundle directory (default: the current directory)\n"
                 "  -f, --format FORMAT  text (default) or json\n"
                 "  -h, --help           print this help\n\n"
                 "Exit status: 0 when the bundle would start (warnings allowed), 1 when it would\n"
                 "not, 2 on a usage error.  See berth-check(8).\n");
}

/* The length of the JSON path that starts S ("linux.sysctl[\"a.b\"]",
 * "mounts[2].type"), or 0. */
static size_t
path_span(const char *s)
{
    size_t i = 0;

    for (;;) {
        if (isalpha((unsigned char)s[i]) || s[i] == '_') {
            while (isalnum((unsigned char)s[i]) || s[i] == '_')
                i++;
        } else if (s[i] == '[' && s[i + 1] == '"') {
            for (i += 2; s[i] && s[i] != '"'; i++)
                if (s[i] == '\\' && s[i + 1])
                    i++;
            if (s[i] != '"' || s[i + 1] != ']')
                return 0;
            i += 2;
        } else if (s[i] == '[' && isdigit((unsigned char)s[i + 1])) {
            for (i++; isdigit((unsigned char)s[i]); i++)
                ;
            if (s[i++] != ']')
                return 0;
        } else {
            return 0;
        }
        if (s[i] == '.' && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_'))
            i++;
        else if (s[i] != '[')
            return i;
    }
}

/* spec_parse reports its problems as one error, a line each, formatted by
 * diag_format ("config.json: PATH: MSG"): split them back into findings. */
static void
add_parse_errors(struct diags *d, const char *msg)
{
    const char *prefix = "config.json: ";

    for (const char *line = msg; line && *line;) {
        size_t len = strcspn(line, "\n");
        _cleanup_free_ char *text = xstrndup(line, len);
        const char *p = text;
        unsigned long more;
        size_t span;

        line += len + (line[len] == '\n');
        if (sscanf(p, "(%lu more problems not shown)", &more) == 1) {
            d->dropped += more;
            d->n_errors += more;
            continue;
        }
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            p += strlen(prefix);
        span = path_span(p);
        if (span > 0 && strncmp(p + span, ": ", 2) == 0) {
            _cleanup_free_ char *path = xstrndup(p, span);

            diags_add(d, DIAG_ERROR, path, NULL, "%s", p + span + 2);
        } else {
            diags_add(d, DIAG_ERROR, "", NULL, "%s", p);
        }
    }
}

static size_t
count_warnings(const struct diags *d)
{
    size_t n = 0;

    for (size_t i = 0; i < d->n; i++)
        n += d->items[i].level == DIAG_WARNING;
    return n;
}

static void
print_text(const struct diags *d)
{
    size_t warnings = count_warnings(d);

    for (size_t i = 0; i < d->n; i++) {
        _cleanup_free_ char *line = diag_format(d, &d->items[i]);

        printf("%s: %s\n", d->items[i].level == DIAG_ERROR ? "error" : "warning", line);
        if (d->items[i].hint != NULL)
            printf("  hint: %s\n", d->items[i].hint);
    }
    if (d->dropped)
        printf("(%zu more problems not shown)\n", d->dropped);
    printf("check: %zu error%s, %zu warning%s\n", d->n_errors, d->n_errors == 1 ? "" : "s",
           warnings, warnings == 1 ? "" : "s");
}

static int
print_json(const struct cli_globals *g, const struct diags *d)
{
    struct json_writer *w = json_writer_new(true);
    struct error *err = NULL;
    _cleanup_free_ char *buf = NULL;
    size_t len;

    json_w_array_begin(w);
    for (size_t i = 0; i < d->n; i++) {
        json_w_object_begin(w);
        json_w_key(w, "level");
        json_w_string(w, d->items[i].level == DIAG_ERROR ? "error" : "warning");
        json_w_key(w, "path");
        json_w_string(w, d->items[i].path);
        json_w_key(w, "message");
        json_w_string(w, d->items[i].msg);
        json_w_key(w, "hint");
        if (d->items[i].hint != NULL)
            json_w_string(w, d->items[i].hint);
        else
            json_w_null(w);
        json_w_object_end(w);
    }
    json_w_array_end(w);
    if (json_writer_finish(w, &buf, &len, &err) < 0)
        return cli_fail(g, &err);
    fwrite(buf, 1, len, stdout);
    return 0;
}

/* Parse, validate and check the bundle's config.json into D. */
static void
check_bundle(int dirfd, const char *bundle, struct diags *d)
{
    _cleanup_free_ char *buf = NULL;
    struct error *err = NULL;
    struct spec *s;
    size_t len;
    int rc;

    rc = fd_read_file_at(dirfd, "config.json", CONFIG_MAX_SIZE, &buf, &len);
    if (rc < 0) {
        diags_add(d, DIAG_ERROR, "", rc == -ENOENT ? "berth spec writes a default one" : NULL,
                  "cannot read config.json in the bundle '%s': %s", bundle, strerror(-rc));
        return;
    }
    s = spec_parse(buf, len, "config.json", &err);
    if (s == NULL) {
        add_parse_errors(d, err ? err->msg : "cannot parse config.json");
        error_free(&err);
        return;
    }
    spec_validate(s, d);
    runtime_check_bundle(dirfd, s, d);
    spec_free(s);
}

int
cli_check(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"bundle", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *bundle = ".";
    bool json = false;
    _cleanup_close_ int dirfd = -1;
    struct diags d;
    int c, status = 0;

    while ((c = getopt_long(argc, argv, "+b:f:h", options, NULL)) != -1) {
        switch (c) {
        case 'b':
            bundle = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0)
                return cli_usage_error(
                    g, "check", "--format: unknown format '%s' (accepted: text, json)", optarg);
            json = strcmp(optarg, "json") == 0;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            if (optopt)
                return cli_usage_error(g, "check", "option '-%c' is unknown or needs a value",
                                       optopt);
            return cli_usage_error(g, "check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(g, "check", "unexpected argument '%s'", argv[optind]);
    dirfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) {
        struct error *err = NULL;

        error_set(&err, errno, "bundle '%s'", bundle);
        return cli_fail(g, &err);
    }
    diags_init(&d, "config.json");
    d.cap = CHECK_CAP;
    check_bundle(dirfd, bundle, &d);
    if (json)
        status = print_json(g, &d);
    else
        print_text(&d);
    if (json && status != 0) {
        diags_free(&d);
        return status;
    }
    status = diags_has_errors(&d) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    diags_free(&d);
    return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Output of the CLI: errors, warnings and debug lines go to stderr and, with
 * --log, are appended to that file as text or as the JSON lines that
 * containerd's shim and conmon parse: {"level":"error","msg":"...","time":"..."}. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/cli/cli.h"

static void
format_time(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

static void
log_to_file(const struct cli_globals *g, const char *level, const char *msg)
{
    _cleanup_close_ int fd = -1;
    char when[64];
    char *line = NULL;

    if (g->log == NULL)
        return;
    fd = open(g->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return; /* logging must never turn a result into a failure */
    format_time(when, sizeof(when));
    if (strcmp(g->log_format, "json") == 0) {
        struct json_writer *w = json_writer_new(false);
        struct error *err = NULL;
        size_t len;

        json_w_object_begin(w);
        json_w_key(w, "level");
        json_w_string(w, level);
        json_w_key(w, "msg");
        json_w_string(w, msg);
        json_w_key(w, "time");
        json_w_string(w, when);
        json_w_object_end(w);
        if (json_writer_finish(w, &line, &len, &err) < 0) {
            error_free(&err);
            return;
        }
        line = xrealloc(line, len + 2);
        line[len] = '\n';
        line[len + 1] = '\0';
    } else {
        line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", when, level, msg);
    }
    (void)fd_write_all(fd, line, strlen(line));
    free(line);
}

static void
emit(const struct cli_globals *g, const char *level, const char *msg)
{
    const char *p = msg;

    /* One stderr line per message line, each prefixed, so that a list of
     * config problems reads as a list. */
    while (*p) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);

        if (strcmp(level, "error") == 0)
            fprintf(stderr, "berth: %.*s\n", n, p);
        else
            fprintf(stderr, "berth: %s: %.*s\n", level, n, p);
        p += n;
        if (*p == '\n')
            p++;
    }
    log_to_file(g, level, msg);
}

int
cli_fail(const struct cli_globals *g, struct error **err)
{
    emit(g, "error", (err && *err) ? (*err)->msg : "unknown error");
    error_free(err);
    return CLI_EXIT_FAILURE;
}

int
cli_usage_error(const struct cli_globals *g, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    char *msg, *full;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    full = cmd ? xasprintf("%s: %s", cmd, msg) : xstrdup(msg);
    emit(g, "error", full);
    fprintf(stderr, "Try 'berth %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    free(msg);
    free(full);
    return CLI_EXIT_USAGE;
}

void
cli_warn(const struct cli_globals *g, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    emit(g, "warning", msg);
    free(msg);
}

void
cli_runtime_warn(const void *data, const char *msg)
{
    emit(data, "warning", msg);
}

void
cli_debug(const struct cli_globals *g, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (!g->debug)
        return;
    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    emit(g, "debug", msg);
    free(msg);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* berth ps [--format table|json] ID [PS-ARGS...]: json is the array of pids
 * engines read; table runs ps(1) (default -ef) and keeps the header and the
 * container's lines, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

static bool
has_pid(const pid_t *pids, size_t n, long pid)
{
    for (size_t i = 0; i < n; i++)
        if (pids[i] == pid)
            return true;
    return false;
}

static int
print_table(const struct cli_globals *g, const pid_t *pids, size_t n, char **ps_args, int n_args)
{
    char **argv = xcalloc((size_t)n_args + 3, sizeof(char *));
    struct error *err = NULL;
    int pipefd[2], status, pid_col = -1;
    char *line = NULL;
    size_t cap = 0;
    bool header = true;
    FILE *f;
    pid_t child;

    argv[0] = (char *)"ps";
    if (n_args == 0)
        argv[1] = (char *)"-ef";
    for (int i = 0; i < n_args; i++)
        argv[1 + i] = ps_args[i];
    if (pipe2(pipefd, O_CLOEXEC) < 0 || (child = fork()) < 0) {
        free(argv);
        error_set(&err, errno, "ps");
        return cli_fail(g, &err);
    }
    if (child == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        execvp("ps", argv);
        _exit(127);
    }
    free(argv);
    close(pipefd[1]);
    f = fdopen(pipefd[0], "r");
    while (f && getline(&line, &cap, f) > 0) {
        if (header) {
            /* Find the PID column in the header. */
            char *save = NULL, *copy = xstrdup(line);
            int col = 0;
            for (char *t = strtok_r(copy, " \t\n", &save); t;
                 t = strtok_r(NULL, " \t\n", &save), col++)
                if (strcmp(t, "PID") == 0)
                    pid_col = col;
            free(copy);
            fputs(line, stdout);
            header = false;
            continue;
        }
        if (pid_col >= 0) {
            char *save = NULL, *copy = xstrdup(line);
            char *t = strtok_r(copy, " \t\n", &save);
            for (int col = 0; t && col < pid_col; col++)
                t = strtok_r(NULL, " \t\n", &save);
            if (t && has_pid(pids, n, strtol(t, NULL, 10)))
                fputs(line, stdout);
            free(copy);
        }
    }
    free(line);
    if (f)
        fclose(f);
    waitpid(child, &status, 0);
    if (pid_col < 0) {
        error_setx(&err, EINVAL, "ps: no PID column in the output of ps");
        return cli_fail(g, &err);
    }
    return CLI_EXIT_OK;
}

int
cli_ps(const struct cli_globals *g, int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root};
    struct error *err = NULL;
    const char *format = "table";
    pid_t *pids;
    size_t n;
    int c, rc;

    while ((c = getopt_long(argc, argv, "+:f:h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0)
                return cli_usage_error(
                    g, "ps", "--format: unknown format '%s' (accepted: table, json)", optarg);
            format = optarg;
            break;
        case 'h':
            printf("Usage: berth ps [--format table|json] CONTAINER-ID [PS-ARGS...]\n");
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(g, "ps", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(g, "ps", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(g, "ps", "a container id is required");
    if (runtime_ps(&ctx, argv[optind], &pids, &n, &err) < 0)
        return cli_fail(g, &err);
    if (strcmp(format, "json") == 0) {
        printf("[");
        for (size_t i = 0; i < n; i++)
            printf("%s%d", i ? "," : "", (int)pids[i]);
        printf("]\n");
        rc = CLI_EXIT_OK;
    } else {
        rc = print_table(g, pids, n, argv + optind + 1, argc - optind - 1);
    }
    free(pids);
    return rc;
}

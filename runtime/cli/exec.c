/* SPDX-License-Identifier: Apache-2.0 */
/* berth exec [options] ID [COMMAND [ARGS...]]: runc-exec(8).  In the
 * foreground berth waits for the process and exits with its status (128+N
 * for signal N); every failure to start it exits 255, as runc does, so that
 * a caller can tell berth's failure from the process's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "runtime/cli/cli.h"
#include "runtime/runtime.h"

#define EXEC_EXIT_FAILED 255

static void
usage(FILE *out)
{
    fprintf(out, "Usage: berth exec [OPTIONS] CONTAINER-ID COMMAND [ARGS...]\n"
                 "       berth exec [OPTIONS] --process FILE CONTAINER-ID\n\n"
                 "Run a new process in a running container.\n\n"
                 "Options:\n"
                 "  -p, --process FILE        the process as runtime-spec JSON (the other process\n"
                 "                            options are then ignored, as with runc)\n"
                 "  -d, --detach              return once the process has started\n"
                 "  -t, --tty                 allocate a pseudoterminal\n"
                 "      --console-socket SOCK send the terminal's master fd to SOCK (with -d -t)\n"
                 "      --pid-file FILE       write the process's pid to FILE\n"
                 "      --cwd DIR             working directory in the container\n"
                 "  -e, --env NAME=VALUE      set an environment variable (repeatable)\n"
                 "  -u, --user UID[:GID]      user and group ids\n"
                 "  -g, --additional-gids GID supplementary group (repeatable)\n"
                 "  -c, --cap CAP             add a capability (repeatable)\n"
                 "      --no-new-privs        set no_new_privs\n"
                 "      --apparmor PROFILE    AppArmor profile\n"
                 "      --process-label LABEL SELinux label\n"
                 "      --preserve-fds N      pass N more fds (from 3) to the process\n"
                 "      --ignore-paused       exec even in a paused container\n"
                 "      --cgroup PATH         run in this existing sub-cgroup of the container's\n"
                 "  -h, --help                show this help\n");
}

static bool
parse_u32(const char *s, uint32_t *ret)
{
    char *end;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX)
        return false;
    *ret = (uint32_t)v;
    return true;
}

/* A growing array of flag values, borrowed from argv. */
struct list {
    char **items;
    size_t n, alloc;
};

static void
list_add(struct list *l, char *s)
{
    l->items = xgrow(l->items, &l->alloc, l->n, sizeof(char *));
    l->items[l->n++] = s;
}

int
cli_exec(const struct cli_globals *g, int argc, char **argv)
{
    enum {
        OPT_CONSOLE = 256,
        OPT_PID_FILE,
        OPT_CWD,
        OPT_NNP,
        OPT_APPARMOR,
        OPT_LABEL,
        OPT_PRESERVE,
        OPT_IGNORE_PAUSED,
        OPT_CGROUP,
    };
    static const struct option options[] = {
        {"process", required_argument, NULL, 'p'},
        {"detach", no_argument, NULL, 'd'},
        {"tty", no_argument, NULL, 't'},
        {"console-socket", required_argument, NULL, OPT_CONSOLE},
        {"pid-file", required_argument, NULL, OPT_PID_FILE},
        {"cwd", required_argument, NULL, OPT_CWD},
        {"env", required_argument, NULL, 'e'},
        {"user", required_argument, NULL, 'u'},
        {"additional-gids", required_argument, NULL, 'g'},
        {"cap", required_argument, NULL, 'c'},
        {"no-new-privs", no_argument, NULL, OPT_NNP},
        {"apparmor", required_argument, NULL, OPT_APPARMOR},
        {"process-label", required_argument, NULL, OPT_LABEL},
        {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
        {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
        {"cgroup", required_argument, NULL, OPT_CGROUP},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct runtime_ctx ctx = {.root = g->root, .warn = cli_runtime_warn, .warn_data = g};
    struct runtime_exec_opts o = {0};
    struct list env = {0}, caps = {0};
    uint32_t *gids = NULL;
    size_t n_gids = 0, alloc_gids = 0;
    struct error *err = NULL;
    int console = -1;
    pid_t pid;
    int c, rc, status;
    const char *id;
    bool started = false;

    while ((c = getopt_long(argc, argv, "+:p:dte:u:g:c:h", options, NULL)) != -1) {
        switch (c) {
        case 'p':
            o.process_path = optarg;
            break;
        case 'd':
            o.detach = true;
            break;
        case 't':
            o.tty = true;
            break;
        case OPT_CONSOLE:
            o.console_socket = optarg;
            break;
        case OPT_PID_FILE:
            o.pid_file = optarg;
            break;
        case OPT_CWD:
            o.cwd = optarg;
            break;
        case 'e':
            list_add(&env, optarg);
            break;
        case 'u': {
            /* Parsed in a copy: argv is read again from /proc/self/cmdline
             * when berth re-executes itself (runtime/exeguard.h). */
            char *copy = xstrdup(optarg);
            char *colon = strchr(copy, ':');
            bool ok;

            if (colon)
                *colon = '\0';
            ok = parse_u32(copy, &o.uid) && (colon == NULL || parse_u32(colon + 1, &o.gid));
            free(copy);
            if (!ok) {
                rc = cli_usage_error(g, "exec", "--user '%s': not UID[:GID] (numeric ids)", optarg);
                goto out;
            }
            o.has_uid = true;
            o.has_gid = colon != NULL;
            break;
        }
        case 'g': {
            uint32_t gid;

            if (!parse_u32(optarg, &gid)) {
                rc =
                    cli_usage_error(g, "exec", "--additional-gids '%s': not a numeric gid", optarg);
                goto out;
            }
            gids = xgrow(gids, &alloc_gids, n_gids, sizeof(*gids));
            gids[n_gids++] = gid;
            break;
        }
        case 'c':
            list_add(&caps, optarg);
            break;
        case OPT_NNP:
            o.no_new_privs = true;
            break;
        case OPT_APPARMOR:
            o.apparmor = optarg;
            break;
        case OPT_LABEL:
            o.process_label = optarg;
            break;
        case OPT_PRESERVE: {
            char *end;
            long n = strtol(optarg, &end, 10);

            if (*end != '\0' || end == optarg || n < 0 || n > 65536) {
                rc = cli_usage_error(g, "exec", "--preserve-fds: not a count: '%s'", optarg);
                goto out;
            }
            o.preserve_fds = (int)n;
            break;
        }
        case OPT_IGNORE_PAUSED:
            o.ignore_paused = true;
            break;
        case OPT_CGROUP:
            o.cgroup = optarg;
            break;
        case 'h':
            usage(stdout);
            rc = CLI_EXIT_OK;
            goto out;
        case ':':
            rc = cli_usage_error(g, "exec", "option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            rc = cli_usage_error(g, "exec", "unknown option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    if (optind >= argc) {
        rc = cli_usage_error(g, "exec", "a container id is required");
        goto out;
    }
    id = argv[optind++];
    if (o.process_path == NULL && optind >= argc) {
        rc = cli_usage_error(g, "exec", "a command is required (or --process FILE)");
        goto out;
    }
    if (o.process_path != NULL && optind < argc) {
        rc = cli_usage_error(g, "exec", "give either --process or a command, not both");
        goto out;
    }
    o.args = argv + optind;
    o.n_args = (size_t)(argc - optind);
    o.env = env.items;
    o.n_env = env.n;
    o.caps = caps.items;
    o.n_caps = caps.n;
    o.additional_gids = gids;
    o.n_additional_gids = n_gids;
    o.ret_console = &console;
    started = true;
    if (runtime_exec(&ctx, id, &o, &pid, &err) < 0) {
        cli_fail(g, &err);
        rc = EXEC_EXIT_FAILED;
        goto out;
    }
    if (o.detach) {
        rc = CLI_EXIT_OK;
        goto out;
    }
    status =
        console >= 0 ? runtime_wait_terminal(pid, console, &err) : runtime_wait_forward(pid, &err);
    if (status < 0) {
        cli_fail(g, &err);
        status = EXEC_EXIT_FAILED;
    }
    rc = status;
out:
    /* A usage error is a failure to start too. */
    if (!started && rc == CLI_EXIT_USAGE)
        rc = EXEC_EXIT_FAILED;
    free(env.items);
    free(caps.items);
    free(gids);
    return rc;
}

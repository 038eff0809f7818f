/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_RUNTIME_H
#define BERTH_RUNTIME_RUNTIME_H

/* The runtime's operations (runtime.md "Operations"), one call each, used
 * by the `berth` CLI.  None of them prints; errors come back in *err. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

struct runtime_ctx {
    const char *root; /* --root, or NULL for the default */
    /* Warnings (runtime.md "Warnings"), such as a failed poststop hook: the
     * operation goes on.  NULL drops them. */
    void (*warn)(const void *data, const char *msg);
    const void *warn_data;
};

struct runtime_create_opts {
    const char *bundle;         /* --bundle, default "." */
    const char *pid_file;       /* --pid-file */
    const char *console_socket; /* --console-socket */
    int preserve_fds;           /* --preserve-fds */
    bool no_pivot;              /* --no-pivot */
    bool no_new_keyring;        /* --no-new-keyring */
    bool foreground;            /* `run` without --detach: we stay init's parent */
    int *ret_console; /* foreground with process.terminal: gets the pty master (caller closes) */
    /* Debug lines (e.g. seccomp syscall names skipped), for --debug; may be
     * NULL.  Called in the calling process, before create returns. */
    void (*debug)(const void *data, const char *msg);
    const void *debug_data;
};

/* create: set up the container and leave init waiting for start.
 * On success *ret_pid is init's pid.  On failure nothing is left: no state
 * directory, no process, no mount (runtime.md "Errors"). */
int runtime_create(const struct runtime_ctx *ctx, const char *id,
                   const struct runtime_create_opts *o, pid_t *ret_pid, struct error **err);

/* start: let init exec the user process.  Fails if the container is not
 * "created" (runtime.md "start"); reports an exec failure of init. */
int runtime_start(const struct runtime_ctx *ctx, const char *id, struct error **err);

/* state: the state with the live status filled in.  Caller frees. */
struct spec_state *runtime_state(const struct runtime_ctx *ctx, const char *id, struct error **err);

/* kill: send SIG to init, or with ALL to every process of the container. */
int runtime_kill(const struct runtime_ctx *ctx, const char *id, int sig, bool all,
                 struct error **err);

/* delete: remove a stopped container; with FORCE kill it first. */
int runtime_delete(const struct runtime_ctx *ctx, const char *id, bool force, struct error **err);

/* list: the states of every container under the root, sorted by id. */
int runtime_list(const struct runtime_ctx *ctx, struct spec_state ***ret, size_t *ret_n,
                 struct error **err);
void runtime_list_free(struct spec_state **list, size_t n);

/* ps: host pids of the processes in the container. */
int runtime_ps(const struct runtime_ctx *ctx, const char *id, pid_t **ret, size_t *ret_n,
               struct error **err);

/* pause, resume: freeze or thaw every process of the container through its
 * cgroup (cgroup.freeze), returning once the kernel reports it done.  pause
 * takes a created or running container, resume a paused one; a container
 * without a cgroup (rootless without delegation) cannot be paused. */
int runtime_pause(const struct runtime_ctx *ctx, const char *id, struct error **err);
int runtime_resume(const struct runtime_ctx *ctx, const char *id, struct error **err);

/* update: change a live container's linux.resources.  The new values (the
 * LinuxResources JSON of RESOURCES_PATH, "-" for stdin, then the fields set
 * in FLAGS) are merged into the configuration frozen at create, as runc
 * merges them, which is validated, written to the cgroup, and kept for the
 * next update.  Either may be NULL. */
struct runtime_update_opts {
    const char *resources_path;         /* --resources */
    const struct spec_resources *flags; /* --memory, --cpu-quota, ... */
};
int runtime_update(const struct runtime_ctx *ctx, const char *id,
                   const struct runtime_update_opts *o, struct error **err);

/* events: runc's event stream, one JSON object per call of EMIT:
 *   {"type":"stats","id":ID,"data":{cpu, memory, pids, blkio, hugetlb}}
 *   {"type":"oom","id":ID}  when the kernel OOM-kills a process of it
 * With STATS, one stats event and return; else a stats event every
 * INTERVAL_MS and an oom event as each kill happens, until the container's
 * cgroup is empty or gone. */
struct runtime_events_opts {
    bool stats;
    unsigned interval_ms;
    void (*emit)(const void *data, const char *json);
    const void *emit_data;
};
int runtime_events(const struct runtime_ctx *ctx, const char *id,
                   const struct runtime_events_opts *o, struct error **err);

/* exec: run another process in a live container (runc-exec(8)).  Without
 * PROCESS_PATH the process is the one of the configuration frozen at create
 * (env, cwd, user, capabilities, rlimits, ...) with ARGS and the fields set
 * below overriding it, as runc builds it; with PROCESS_PATH (a runtime-spec
 * process object) that file is the process.  The new process joins every
 * namespace of the container's init and its cgroup (or the sub-cgroup
 * CGROUP), and gets the container's seccomp filter, AppArmor profile and
 * SELinux label (or the overrides).  Returns once it has exec'd, its host
 * pid in *RET_PID; a failure before that comes back in *err with the
 * child's errno and message.  runtime/exec.c says how. */
struct runtime_exec_opts {
    const char *process_path; /* --process FILE (JSON), or NULL */
    char *const *args;        /* COMMAND ARGS... (without --process) */
    size_t n_args;
    bool detach;                /* --detach: nobody relays a terminal */
    bool tty;                   /* --tty */
    const char *console_socket; /* --console-socket */
    const char *pid_file;       /* --pid-file */
    const char *cwd;            /* --cwd */
    char *const *env;           /* --env K=V, repeatable: replaces K or adds it */
    size_t n_env;
    bool has_uid, has_gid; /* --user UID[:GID] */
    uint32_t uid, gid;
    const uint32_t *additional_gids; /* --additional-gids, repeatable */
    size_t n_additional_gids;
    char *const *caps; /* --cap, repeatable: added to bounding, effective, permitted */
    size_t n_caps;
    bool no_new_privs;         /* --no-new-privs */
    const char *apparmor;      /* --apparmor */
    const char *process_label; /* --process-label */
    int preserve_fds;          /* --preserve-fds */
    bool ignore_paused;        /* --ignore-paused */
    const char *cgroup;        /* --cgroup: a sub-cgroup of the container's */
    /* Foreground with a terminal and no console socket: gets the pty master
     * (the caller relays it with runtime_wait_terminal and closes it). */
    int *ret_console;
};
int runtime_exec(const struct runtime_ctx *ctx, const char *id, const struct runtime_exec_opts *o,
                 pid_t *ret_pid, struct error **err);

/* Write PID to PATH atomically (a temporary file renamed over it), as
 * create's and exec's --pid-file. */
int runtime_write_pid_file(const char *path, pid_t pid, struct error **err);

/* Wait for init (our child in `run`) and return its exit status as a shell
 * would: the code, or 128+N for signal N.  Forwards SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH to init meanwhile. */
int runtime_wait_forward(pid_t pid, struct error **err);

/* runtime_wait_forward for a process with a terminal: relay between our
 * stdin/stdout and MASTER (the pty master from ret_console, which this
 * takes and closes) until init exits, with stdin in raw mode while it is a
 * terminal and our terminal's size following SIGWINCH onto the pty. */
int runtime_wait_terminal(pid_t pid, int master, struct error **err);

/* Signal names and numbers: "KILL", "SIGKILL", "9" -> 9; -1 if unknown. */
int runtime_parse_signal(const char *s);

#endif

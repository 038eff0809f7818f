/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_PROCESS_H
#define BERTH_RUNTIME_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "seccomp/sfilter.h"

struct process_opts {
    int preserve_fds;    /* --preserve-fds: fds 3..3+N-1 stay open */
    bool no_new_keyring; /* --no-new-keyring */
    bool pid1;           /* init is pid 1 of its own pid namespace (for LISTEN_PID) */
    /* linux.seccomp, loaded last (see process_exec), or NULL */
    const struct sfilter *seccomp;
    /* The start connection, over which a seccomp notify fd is handed to
     * `berth start` (runtime/filter.h); below 3: none. */
    int start_fd;
    /* process.oomScoreAdj was applied already, from outside: a process
     * that is not dumpable (after an id change in a user namespace, or
     * exec's: runtime/exeguard.h) cannot open its own oom_score_adj, which
     * then belongs to the host's root. */
    bool oom_score_adj_done;
};

/* process.oomScoreAdj to /proc/PID/oom_score_adj (PID 0: ourselves);
 * nothing when unset. */
int process_apply_oom_score_adj(const struct spec_process *p, pid_t pid, struct error **err);

/* Everything between "start" and execve(2), in runc's order: rlimits,
 * oom_score_adj, keyring, personality, I/O priority, scheduler, CPU
 * affinity, the bounding set, groups and ids, capabilities, umask, cwd,
 * no_new_privs, closing fds, the seccomp filter, and execve (without
 * no_new_privs the filter comes before the ids: see process.c).  Returns
 * only on failure, with *err naming the process field. */
int process_exec(const struct spec *s, const struct process_opts *o, struct error **err);

/* execCPUAffinity.initial, for init as it starts. */
int process_initial_affinity(const struct spec_process *p, struct error **err);

/* Resolve ARGV0 as execvp(3) would, but with the PATH of the container's
 * environment ENV rather than ours.  Returns a malloc'd path, or NULL with
 * *err. */
char *process_find_executable(const char *argv0, const struct strv *env, struct error **err);

#endif

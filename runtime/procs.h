/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_PROCS_H
#define BERTH_RUNTIME_PROCS_H

#include <stddef.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* The container's processes: those of its cgroup when it has one (init
 * first); without one, every process in init's pid namespace when the
 * container has its own, else init and its descendants.  *ret is
 * malloc'd, init first. */
int procs_list(const struct spec_state *st, pid_t **ret, size_t *ret_n, struct error **err);

/* Signal init through a pidfd, after checking that the pid still belongs
 * to it (start time); -1 with errno on failure (ESRCH when gone). */
int procs_signal_init(const struct spec_state *st, int sig);

/* Signal every process of the container. */
int procs_signal_all(const struct spec_state *st, int sig, struct error **err);

/* SIGKILL the container and wait (up to 10 s) until init is gone. */
int procs_kill_and_wait(const struct spec_state *st, struct error **err);

#endif

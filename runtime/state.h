/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_STATE_H
#define BERTH_RUNTIME_STATE_H

/* The state directory: ROOT/ID/ holds
 *   state.json   the container state (runtime.md) plus berth's private part
 *   config.json  the configuration as it was at create time (runtime.md:
 *                "Any updates to config.json after this step MUST NOT affect
 *                the container"), used by delete for poststop hooks
 *   exec.sock    the socket init waits on between create and start
 * Every command locks ROOT/ID (flock on the directory) for its duration. */

#include <stdbool.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

#define STATE_FILE "state.json"
#define STATE_CONFIG_FILE "config.json"
#define STATE_EXEC_SOCK "exec.sock"

/* The state root: ROOT if given, else /run/berth for root, else
 * $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth when that directory is
 * ours, else /tmp/berth-UID.  Returns a malloc'd path. */
char *state_root_path(const char *root);

/* Open (creating with mode 0700 if needed) the state root; O_PATH|O_DIRECTORY fd. */
int state_root_open(const char *root, struct error **err);

/* Container ids: runc's rule, [A-Za-z0-9_+.-]+ and neither "." nor "..",
 * at most 1024 bytes. */
int state_check_id(const char *id, struct error **err);

/* Create ROOTFD/ID exclusively and lock it.  Returns an fd of the directory
 * (O_DIRECTORY, holding the lock).  -EEXIST: "container 'ID' already exists". */
int state_dir_create(int rootfd, const char *id, struct error **err);

/* Open and lock an existing ROOTFD/ID.  -ENOENT: "container 'ID' does not exist". */
int state_dir_open(int rootfd, const char *id, struct error **err);

/* Remove ROOTFD/ID and everything in it (a flat directory). */
int state_dir_remove(int rootfd, const char *id, struct error **err);

int state_write(int dirfd, const struct spec_state *st, struct error **err);
struct spec_state *state_read(int dirfd, const char *id, struct error **err);

/* Start time (clock ticks after boot) of PID from /proc/PID/stat, or 0 when
 * the process does not exist.  Zombies count as gone. */
unsigned long long state_proc_start_time(pid_t pid);

/* The live status of a container from its state: "created" while init waits
 * for start, "running" once it has been started, "stopped" when init is
 * gone (or its pid now belongs to another process). */
const char *state_status(int dirfd, const struct spec_state *st);

/* RFC 3339 UTC time with nanoseconds, as runc writes "created". */
char *state_now_rfc3339(void);

#endif

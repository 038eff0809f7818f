/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_HOOKS_H
#define BERTH_RUNTIME_HOOKS_H

/* config.md "POSIX-platform Hooks": run a list of hooks, one after the
 * other, each with the container state on its stdin.  Internal to runtime/;
 * the call sites (create.c, init.c, lifecycle.c) pick the moment, the status
 * and the pid of the state. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* Run HOOKS[0..N) in order: fork, execve(path, args or {path}, env or {}),
 * the compact state JSON of STATE on stdin (then EOF), stdout inherited,
 * stderr captured, no other fd.  A hook fails when it cannot be executed,
 * exits non-zero, is killed, or outlives its timeout (then it is SIGKILLed).
 * The first failure stops the list: *err names it,
 *   "hooks.KIND[i] '/path': exit status 2; stderr: <its last lines>",
 *   "hooks.KIND[i] '/path': timed out after 5 s",
 * and the remaining hooks do not run.  KIND is the config.json name
 * ("createRuntime").  Hooks left running in the background by a hook are
 * not waited for. */
int hooks_run(const struct spec_hook *hooks, size_t n, const char *kind,
              const struct spec_state *state, struct error **err);

/* Like hooks_run, but every hook runs whatever the others did: each
 * failure is handed to WARN (when not NULL) as a message, as runtime.md
 * wants of poststop ("the runtime MUST log a warning, but the remaining
 * hooks and lifecycle continue").  Returns the number of failed hooks. */
size_t hooks_run_warn(const struct spec_hook *hooks, size_t n, const char *kind,
                      const struct spec_state *state,
                      void (*warn)(const void *data, const char *msg), const void *data);

/* The configuration frozen at create (state.h STATE_CONFIG_FILE) in the
 * state directory DIRFD, parsed.  Hooks of start and delete come from here,
 * never from the bundle (runtime.md "Lifecycle" step 2: "Any updates to
 * config.json after this step MUST NOT affect the container").  Caller
 * frees with spec_free. */
struct spec *hooks_load_config_at(int dirfd, struct error **err);

/* ---- the lifecycle points (runtime.md "Lifecycle") ---- */

struct container;
struct runtime_ctx;

/* Steps 3 and 4, in the parent during create, when init asks (SYNC_HOOKS):
 * prestart then createRuntime, status "creating", INIT as the host sees it. */
int hooks_create_runtime(const struct container *c, pid_t init, struct error **err);

/* Step 5, in init after the rootfs is ready and before pivot_root: ask the
 * parent for steps 3 and 4 (SYNC_HOOKS, SYNC_HOOKS_DONE), then run the
 * createContainer hooks in the container's namespaces, status "creating",
 * init's pid as the container sees it.  Nothing is exchanged when the
 * configuration has no create-phase hook. */
int hooks_init_create(const struct container *c, struct error **err);

/* Step 7, in init once `start` has connected, before the user process is
 * set up: startContainer, status "created". */
int hooks_init_start(const struct container *c, struct error **err);

/* Step 9, in `start` once init has exec'd: poststart, status "running".
 * On failure the container is killed (runtime.md: "generate an error, stop
 * the container, and continue the lifecycle at step 12"; the state stays,
 * for `delete`) and *err names the hook. */
int hooks_poststart(const struct spec *cfg, const struct spec_state *st, struct error **err);

/* Step 13 in delete: the frozen configuration of the container in DIRFD
 * for hooks_poststop, read before the state directory goes; NULL (after a
 * warning through CTX) when it cannot be read. */
struct spec *hooks_delete_config(const struct runtime_ctx *ctx, int dirfd, const char *id);

/* Step 13: poststop, status "stopped", every failure a warning through
 * CTX prefixed with "OP 'ID': ".  CFG may be NULL (no hooks). */
void hooks_poststop(const struct runtime_ctx *ctx, const char *op, const struct spec *cfg,
                    const struct spec_state *st);

/* Step 13 after a create that failed once the create-phase hooks had
 * begun (their side effects, such as a network, may need the cleanup). */
void hooks_create_failed(const struct runtime_ctx *ctx, const struct container *c);

#endif

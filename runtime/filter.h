/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_FILTER_H
#define BERTH_RUNTIME_FILTER_H

/* linux.seccomp in the runtime's three processes (the filter itself is
 * seccomp/'s):
 *
 *   create  filter_compile(): the BPF, through a cache in the state root;
 *   init    filter_load(): load it right before execve; with a notify rule,
 *           hand the listener fd to `berth start` over the start connection
 *           (exec.sock) and wait until the agent has it;
 *   start   filter_agent_open() before asking init to start, then
 *           filter_relay(): take the fd from init and send it, with the
 *           container process state, to the agent at listenerPath.
 *
 * The hand-off is at `start` because that is when init loads the filter
 * (the container process must be the one filtered, and it only execs at
 * start).  runc loads at create and hands over from there; the agent gets
 * the same message, with status "created" rather than "creating".  An
 * agent that is not listening fails `start` before init is asked to do
 * anything, so the container stays "created", as if start had not been
 * tried (runtime.md "Errors"), and `run` deletes it. */

#include "bundle/spec.h"
#include "lib/error.h"
#include "seccomp/sfilter.h"

/* sfilter_compile() SC, or take the program from the cache of the state
 * root ROOT (--root, NULL for the default) when an identical config was
 * compiled there by this very berth and libseccomp on this kernel.  A
 * cache that cannot be used is skipped, never an error. */
int filter_compile(const char *root, const struct spec_seccomp *sc, struct sfilter **ret,
                   struct error **err) ATTR_WUR;

/* Load F (init, process_exec).  With a notify listener, send it over
 * START_FD (the accepted start connection; a value below 3 means there is
 * none) as SYNC_SECCOMP and wait for SYNC_SECCOMP_DONE.  sfilter_compile()
 * refuses to notify the sendmsg; the close and recvmsg after it may be
 * notified, the agent having the fd by then. */
int filter_load(const struct sfilter *f, int start_fd, struct error **err) ATTR_WUR;

/* `start`: when CFG (the config frozen at create; NULL when start does not
 * read it) notifies, connect to its listenerPath; *RET_FD is the socket, or
 * -1 when there is nothing to hand over.  A create that records whether
 * start needs the config must count sfilter_has_notify() as a need. */
int filter_agent_open(const struct spec *cfg, int *ret_fd, struct error **err) ATTR_WUR;

/* `start`, after asking init to start: receive the listener fd on CONN
 * and send it with the state ST (the container's, "created") and CFG's
 * listenerMetadata over AGENT, which this closes; then let init go on.
 * Nothing to do when AGENT is -1.  On failure init gets EOF, and exits
 * without running the container process. */
int filter_relay(int conn, int agent, const struct spec *cfg, const struct spec_state *st,
                 struct error **err) ATTR_WUR;

#endif

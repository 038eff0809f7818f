/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_TERMINAL_H
#define BERTH_RUNTIME_TERMINAL_H

/* process.terminal: a pseudoterminal for the container's process.
 *
 * init allocates the pty from the container's own devpts (after the switch
 * to the new root), keeps the peer as its stdio and controlling terminal,
 * and hands the master over a unix socket with SCM_RIGHTS.  That socket is
 * opened by the parent before clone3 (so init never resolves a host path
 * from inside the container):
 *   - `create` and `run --detach`: the caller's --console-socket, connected
 *     by the parent as the caller;
 *   - foreground `run`: one end of a socketpair whose other end the parent
 *     reads the master from, to relay between it and its own stdio. */

#include <stdbool.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "runtime/container.h"
#include "runtime/runtime.h"

/* What the master is sent with as the message data (runc sends the master's
 * file name, which is this). */
#define TERMINAL_MSG_NAME "/dev/ptmx"

/* runc's rules for process.terminal and --console-socket, checked before
 * anything is made: a detached container with a terminal needs a console
 * socket, and a console socket needs a detached container with a terminal.
 * Also checks process.consoleSize when the terminal is on (it is ignored
 * otherwise).  EINVAL with the reason. */
int terminal_check(const struct spec *s, const struct runtime_create_opts *o, struct error **err);

/* Parent, before clone3: set c->console_fd (init's end: the connected
 * --console-socket, or one end of a socketpair) and c->console_recv_fd (the
 * parent's end of that socketpair, foreground `run` only).  Both are -1
 * without a terminal.  On failure both are -1 and nothing is open. */
int terminal_open(struct container *c, struct error **err);

/* Parent, once init reported ready: in a foreground `run`, take the master
 * init sent and store it in *c->opts->ret_console (the caller owns it).
 * A no-op without a socketpair. */
int terminal_receive(struct container *c, struct error **err);

/* Parent: close c->console_fd and c->console_recv_fd (safe when -1). */
void terminal_close(struct container *c);

/* init, after the switch to the new root and before reporting ready: close
 * the parent's end, and with a terminal run terminal_setup on
 * c->console_fd (and /dev/console), then close it. */
int terminal_setup_init(struct container *c, struct error **err);

/* In the process's namespaces and root: allocate a pty from /dev/ptmx (the
 * container's), size it from P->consoleSize, bind-mount the peer on
 * /dev/console when MOUNT_CONSOLE, send the master over SOCK_FD, then make
 * the peer our controlling terminal in a new session and stdin, stdout and
 * stderr.  No pty fd is left open besides 0, 1 and 2. */
int terminal_setup(const struct spec_process *p, int sock_fd, bool mount_console,
                   struct error **err);

/* Send FD over the unix socket SOCK with NAME as data (SCM_RIGHTS). */
int terminal_send_fd(int sock, int fd, const char *name, struct error **err);

/* Receive one fd from the unix socket SOCK (close-on-exec).  Returns the fd,
 * or -errno with *err. */
int terminal_recv_fd(int sock, int flags, struct error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_SYNC_H
#define BERTH_RUNTIME_SYNC_H

/* The parent (berth create/run) and the container's init step through a
 * SOCK_SEQPACKET socketpair, one message per step, so that a failure inside
 * the child reaches the parent as {errno, message} and never as a bare
 * "exit status 1". */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

enum sync_type {
    SYNC_USERNS = 1, /* child -> parent: my new user namespace exists, write the id maps */
    SYNC_MAPS_DONE,  /* parent -> child: the maps are written */
    SYNC_INIT_PID,   /* child -> parent: the init process is this pid (after a second fork) */
    SYNC_HOOKS,      /* child -> parent: run prestart/createRuntime hooks now */
    SYNC_HOOKS_DONE, /* parent -> child: hooks ran */
    SYNC_READY,      /* child -> parent: the container is created, init waits for start */
    SYNC_ERROR,      /* child -> parent: setup failed; errnum and message follow */
    /* On the start connection (exec.sock), runtime/filter.c: */
    SYNC_SECCOMP,      /* init -> start: the seccomp notify listener fd (SCM_RIGHTS) */
    SYNC_SECCOMP_DONE, /* start -> init: the agent has it, go on */
    /* Idmapped mounts, runtime/idmap.c (after SYNC_MAPS_DONE, before the mounts): */
    SYNC_IDMAP,      /* child -> parent: make the idmapped mounts (in my user namespace) */
    SYNC_IDMAP_FD,   /* parent -> child: value = mounts[] index, the detached tree (SCM_RIGHTS) */
    SYNC_IDMAP_DONE, /* parent -> child: all sent */
};

struct sync_msg {
    uint32_t type;
    int32_t errnum; /* SYNC_ERROR */
    int64_t value;  /* SYNC_INIT_PID: the pid */
    char text[3072];
};

/* Send a message of TYPE; for SYNC_ERROR use sync_send_error. */
int sync_send(int fd, enum sync_type type, int64_t value);
/* Send ERR as SYNC_ERROR (used by the child right before _exit). */
void sync_send_error(int fd, const struct error *err);
/* Send a message of TYPE and VALUE with the fd FD attached. */
int sync_send_fd(int fd, enum sync_type type, int64_t value, int attached);
/* Receive the next message and the fd that came with it (-1 if none).
 * Returns the message length, 0 at EOF, or -errno. */
ssize_t sync_recv_fd(int fd, struct sync_msg *msg, int *ret_fd);

/* Receive the next message into *MSG.  -EPIPE when the peer is gone. */
int sync_recv(int fd, struct sync_msg *msg);
/* Receive a message and require TYPE: a SYNC_ERROR becomes *err (with the
 * child's errno and message), EOF becomes "init exited unexpectedly". */
int sync_expect(int fd, enum sync_type type, struct sync_msg *msg, struct error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_CONTAINER_H
#define BERTH_RUNTIME_CONTAINER_H

/* Internal to runtime/: what the parent (create.c) hands to the container's
 * init (init.c) across clone3(2). */

#include <stdbool.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "seccomp/sfilter.h"
#include "runtime/namespaces.h"
#include "runtime/runtime.h"

struct container {
    const char *id;
    struct spec *spec;
    char *bundle_path; /* absolute */
    char *rootfs_path; /* absolute */
    int bundle_fd;     /* O_PATH of the bundle directory */
    struct ns_plan ns;
    const struct runtime_create_opts *opts;
    int sync_fd;     /* this side of the sync socketpair */
    int listen_fd;   /* exec.sock, on which init waits for `start` */
    int state_dirfd; /* the locked state directory: init must not keep the lock */
    bool rootless;   /* not root in the initial user namespace */
    /* linux.seccomp compiled by the parent, or NULL */
    struct sfilter *seccomp;
    bool hooks_started;  /* the parent ran create-phase hooks: a failed create runs poststop */
    int console_fd;      /* process.terminal: where init sends the pty master, or -1 */
    int console_recv_fd; /* foreground run: the parent's end receiving it, or -1 */
};

/* The container's init: never returns.  Runs in the child of clone3, with
 * the new namespaces of c->ns.new_flags already made. */
void init_main(struct container *c) __attribute__((noreturn));

#endif

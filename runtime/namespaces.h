/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_NAMESPACES_H
#define BERTH_RUNTIME_NAMESPACES_H

#include <stdbool.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* What to do with namespaces, decided from linux.namespaces. */
struct ns_plan {
    unsigned long new_flags; /* CLONE_NEW* to create */
    bool has_paths;          /* any namespace joined by path */
    bool new_user;
    bool join_user; /* a user namespace joined by path */
    bool new_pid;
    bool join_pid; /* pid namespace joined by path: init needs a second fork */
    bool new_time; /* created with unshare + timens_offsets, not with clone */
    bool new_net;
    bool new_uts;
    bool new_ipc;
    bool new_mount;
    bool new_cgroup;
};

/* CLONE_NEW* for a spec namespace type, or 0. */
unsigned long ns_clone_flag(int type);
/* The /proc/PID/ns/ file name for a type ("mnt", "net", ...). */
const char *ns_proc_name(int type);

void ns_plan_build(const struct spec *s, struct ns_plan *ret);

/* Join every namespace given by path, the user namespace first (it grants
 * the capabilities needed to join the others it owns).  In the child.
 * config-linux.md "Namespaces": "The runtime MUST generate an error if path
 * is not associated with a namespace of type type." */
int ns_join_paths(const struct spec *s, struct error **err);

/* Unshare a time namespace, write its offsets and enter it (the calling
 * process joins through /proc/self/ns/time_for_children). */
int ns_setup_time(const struct spec *s, struct error **err);

#endif

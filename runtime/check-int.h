/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_CHECK_INT_H
#define BERTH_RUNTIME_CHECK_INT_H

/* Internal to runtime/check*.c: the state the host checks share.  Each file
 * holds one group of checks (see runtime/check.h for the contract). */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/diag.h"
#include "lib/error.h"

struct check {
    int bundle_dirfd;
    int rootfd; /* O_PATH of root.path, or -1 when it cannot be opened */
    const struct spec *s;
    struct diags *d;

    /* The caller. */
    uid_t uid; /* effective */
    gid_t gid;
    bool rootless;         /* euid != 0 */
    bool init_userns;      /* in the initial user namespace */
    bool cap_sys_admin;    /* effective, in the caller's user namespace */
    bool cap_net_admin;    /* likewise */
    bool cap_sys_resource; /* effective and in the initial user namespace: rlimits,
                              oom_score_adj and the like are checked against it */

    /* linux.namespaces: index of the first entry of each type, -1 if absent. */
    long ns[SPEC_NS__COUNT];

    char *path; /* the last runtime_check_path() */
};

/* Add a finding at the JSON path PATH; HINT may be NULL. */
void runtime_check_add(struct check *c, enum diag_level level, const char *hint, const char *path,
                       const char *fmt, ...) ATTR_PRINTF(5, 6);
/* Format a JSON path; valid until the next call. */
const char *runtime_check_path(struct check *c, const char *fmt, ...) ATTR_PRINTF(2, 3);
#define JP(...) runtime_check_path(c, __VA_ARGS__) /* uses the local `c` */
#define check_error(c, hint, ...) runtime_check_add((c), DIAG_ERROR, (hint), __VA_ARGS__)
#define check_warning(c, hint, ...) runtime_check_add((c), DIAG_WARNING, (hint), __VA_ARGS__)

/* The spec lists a namespace of TYPE (to create or to join). */
static inline bool
check_has_ns(const struct check *c, int type)
{
    return c->ns[type] >= 0;
}

/* The spec creates a new namespace of TYPE (listed without a path). */
bool runtime_check_creates_ns(const struct check *c, int type);

/* Index of one of the first N mounts whose destination is PATH or one of
 * its parents (so that the rootfs content at PATH is not what the process
 * will see), or -1. */
long runtime_check_mount_covering(const struct check *c, const char *path, size_t n);

/* Read a small file (AT_FDCWD-relative) into a NUL-terminated buffer, or NULL. */
char *runtime_check_read_file(const char *path);

/* Look NAME up in the host's $PATH (or a default); a malloc'd path or NULL. */
char *runtime_check_host_which(const char *name);

/* The groups of checks, one per file. */
void runtime_check_process(struct check *c); /* check-process.c: cwd, args[0], rlimits, caps, ... */
void runtime_check_hooks(struct check *c);   /* check-process.c */
void runtime_check_ids(struct check *c);     /* check-ids.c: user namespace and id mappings */
void runtime_check_namespaces(struct check *c); /* check-ns.c: namespace paths, uts, time, sysctl */
void runtime_check_mounts(struct check *c);     /* check-mounts.c: mounts and devices */
void runtime_check_seccomp(struct check *c);    /* check-seccomp.c */
void runtime_check_cgroups(struct check *c);    /* check-cgroup.c */

#endif

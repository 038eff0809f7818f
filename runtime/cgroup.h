/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_CGROUP_H
#define BERTH_RUNTIME_CGROUP_H

/* cgroup v2, internal to runtime/ (DESIGN.md "Cgroups").  berth never
 * drives a v1 hierarchy: on a hybrid host only the controllers bound to the
 * unified mount (/sys/fs/cgroup/unified) are used, and a limit that needs
 * another one is an error naming its field.
 *
 *   cgroup-plan.c     linux.resources -> the files to write, values
 *                     converted from their v1 meaning (pure, unit-tested)
 *   cgroup-path.c     finding the hierarchy, cgroupsPath -> a directory
 *   cgroup.c          the container's cgroup: create, enable controllers,
 *                     apply a plan, remove
 *   cgroup-devices.c  linux.resources.devices -> a BPF_PROG_TYPE_CGROUP_DEVICE
 *                     program, loaded with bpf(2)
 *   cgroup-ops.c      freeze, kill, processes, events files
 *   cgroup-stats.c    `events`: runc's stats JSON, OOM kills
 *   cgroup-update.c   `update`: merging new resources into the frozen config
 *   cgroup-commands.c pause, resume, update, events (runtime.h) */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* ---- the plan (cgroup-plan.c) ---- */

/* One file to write in the container's cgroup. */
struct cgroup_write {
    char *file;       /* relative to the cgroup directory: "memory.max" */
    char *value;      /* without a newline */
    char *field;      /* the JSON path it comes from: "linux.resources.memory.limit" */
    char *controller; /* the controller the file belongs to; NULL for cgroup core files */
    char *alt_file;   /* written instead, with ALT_VALUE, when FILE does not exist */
    char *alt_value;
    bool optional; /* FILE may be missing: then there is nothing to limit (no swap) */
    bool per_line; /* VALUE holds lines, each written with its own write(2) */
    bool unified;  /* a linux.resources.unified key: its controller is enabled where
                      available, and a missing file is the error (PSI files such as
                      cpu.pressure exist without their controller) */
};

struct cgroup_plan {
    struct cgroup_write *writes;
    size_t n, alloc;
    /* Fields accepted but without effect on cgroup v2, as runc ignores them
     * (memory.kernel, memory.kernelTCP, memory.disableOOMKiller): the
     * caller says so once. */
    char **ignored;
    size_t n_ignored, alloc_ignored;
    bool devices;             /* linux.resources.devices: a device program to load */
    bool check_before_update; /* memory.checkBeforeUpdate */
};

/* linux.resources -> PLAN.  Fails (EINVAL, naming the field) on what cgroup
 * v2 cannot express: realtime CPU limits, leaf weights, swappiness, network
 * classes and priorities, useHierarchy false, a unified key outside the
 * cgroup.  R may be NULL (an empty plan).  On failure PLAN is freed. */
int cgroup_plan_build(const struct spec_resources *r, struct cgroup_plan *plan, struct error **err)
    ATTR_WUR;
void cgroup_plan_free(struct cgroup_plan *plan);

/* Whether the plan asks for anything (a file to write or a device list). */
bool cgroup_plan_is_empty(const struct cgroup_plan *plan, bool with_devices);

/* The distinct fields of the plan's writes, ", "-separated (malloc'd), with
 * "linux.resources.devices" when WITH_DEVICES and the plan has a device list. */
char *cgroup_plan_fields(const struct cgroup_plan *plan, bool with_devices);

/* The controllers the plan's writes need, space-separated, each once
 * (malloc'd; "" for none). */
char *cgroup_plan_controllers(const struct cgroup_plan *plan);

/* The field of the plan's first write to a file of CONTROLLER, or NULL. */
const char *cgroup_plan_field_of(const struct cgroup_plan *plan, const char *controller);

/* cpu.shares (2..262144) -> cpu.weight (1..10000), as crun 1.23 and runc
 * 1.3.2 convert it: a quadratic in log2(shares) through (2, 1), (1024, 100)
 * and (262144, 10000), rounded up.  0 stays 0 (unset). */
uint64_t cgroup_shares_to_weight(uint64_t shares);

/* blkio.weight (10..1000) -> io.weight (1..10000), runc's linear map. */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);

/* memory.swap.max from the OCI swap (memory + swap) and limit, as runc
 * converts them: 1 and *RET (-1 for "max"), 0 when nothing is to be
 * written, or -EINVAL with *err naming linux.resources.memory.swap. */
int cgroup_swap_max(bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *ret,
                    struct error **err);

/* A linux.resources.unified key: a file name of the form CONTROLLER.FILE,
 * inside the cgroup (no '/', never "." or ".."), and not one of the core
 * files the runtime manages (cgroup.procs, cgroup.freeze, ...).  0 or
 * -EINVAL with the reason (without the field: the caller names it). */
int cgroup_check_unified_key(const char *key, struct error **err);

/* ---- where the cgroup is (cgroup-path.c) ---- */

/* The cgroup v2 mount: /sys/fs/cgroup when it is cgroup2, else
 * /sys/fs/cgroup/unified (a hybrid host), else NULL (a v1-only host, which
 * berth does not drive). */
const char *cgroup_mount(void);

/* This process's cgroup ("/user.slice/..."), from the "0::" line of
 * /proc/self/cgroup, malloc'd; NULL when there is none. */
char *cgroup_own_path(void);

/* The directory of the container's cgroup, as runc places it without
 * systemd (libcontainer/cgroups/fs2 defaultDirPath):
 *   - an absolute cgroupsPath is taken from the mount point;
 *   - a relative one from the parent of our own cgroup OWN (our own cgroup
 *     holds processes, us included, so no controller could be enabled for
 *     children in it: cgroup v2's "no internal processes" rule);
 *   - none (NULL or "") is "berth/ID", relative as above.
 * "." components and repeated slashes are dropped; "..", which could climb
 * out of the hierarchy, and systemd's "slice:prefix:name" form are refused
 * (EINVAL, naming linux.cgroupsPath).  Pure; returns MNT + the path. */
char *cgroup_resolve(const char *mnt, const char *own, const char *cgroups_path, const char *id,
                     struct error **err);

/* The nearest existing directory at or above PATH, not above MNT (malloc'd). */
char *cgroup_nearest_existing(const char *mnt, const char *path);

/* Whether the caller may create cgroups in DIR and move processes there:
 * DIR and its cgroup.procs are writable to it (a delegated subtree). */
bool cgroup_is_delegated(const char *dir);

/* Whether NAME is in LIST, a space- or newline-separated set of names. */
bool cgroup_list_has(const char *list, const char *name);

/* ---- the container's cgroup (cgroup.c) ---- */

struct cgroup_setup {
    const char *mount; /* the hierarchy */
    char *path;        /* the container's cgroup directory, or NULL: none */
    struct cgroup_plan plan;
    bool rootless;        /* no device program: a user namespace cannot have one */
    bool created_leaf;    /* create made PATH (else it existed, empty) */
    bool owned;           /* PATH is the container's: made, or found empty */
    size_t first_created; /* PATH's length up to the first directory create made */
    int dirfd;            /* O_RDONLY|O_DIRECTORY of PATH once created, else -1 */
};

/* Decide whether and where the container gets a cgroup, and plan its
 * resources; nothing is touched.  Root always gets one (where a cgroup2
 * mount exists); an unprivileged caller gets one in a delegated subtree, or
 * runs without (RET->path NULL) and *RET_WARNING says which limits are not
 * applied (malloc'd, NULL when none were asked for).  With an explicit
 * cgroupsPath and no delegation, it is an error.  RET->plan->ignored lists
 * the fields ignored as runc does. */
int cgroup_prepare(const struct spec *s, const char *id, bool rootless, struct cgroup_setup *ret,
                   char **ret_warning, struct error **err) ATTR_WUR;

/* Make the cgroup (and missing parents), enable the controllers the plan
 * needs (and, best effort, the others available) in cgroup.subtree_control
 * from the top down, write the plan, load the device program.  Fails when
 * the cgroup already holds processes or is frozen (config-linux.md "Control
 * groups").  On failure what was made is removed again. */
int cgroup_create(struct cgroup_setup *cg, const struct spec *s, struct error **err) ATTR_WUR;

/* Undo cgroup_create after a failed create: kill what is in the cgroup and
 * remove the directories create made. */
void cgroup_abandon(struct cgroup_setup *cg);

void cgroup_setup_free(struct cgroup_setup *cg);

/* clone3(2) with FLAGS, the child born in CG's cgroup when CG has one:
 * with CLONE_INTO_CGROUP (Linux 5.7), else by moving ourselves there for
 * the clone and back after it, so that a new cgroup namespace is rooted
 * at the container's cgroup either way (BERTH_NO_CLONE_INTO_CGROUP=1 in
 * the environment forces that way, for the tests).  Returns as fork(2)
 * does. */
pid_t cgroup_clone3(unsigned long flags, const struct cgroup_setup *cg);

/* Enable the controllers for the cgroup PATH, in every cgroup.subtree_control
 * from the mount MNT down to PATH's parent: those PLAN needs (a failure is an
 * error naming the field that needs it) and, best effort, every other one
 * available, as runc does, so that stats and later updates find them. */
int cgroup_enable_controllers(const char *mnt, const char *path, const struct cgroup_plan *plan,
                              struct error **err) ATTR_WUR;

/* Write PLAN's files in the cgroup DIRFD (whose path PATH names it in
 * messages).  Each failure names the field. */
int cgroup_apply(int dirfd, const char *path, const struct cgroup_plan *plan, struct error **err)
    ATTR_WUR;

/* Kill every process in the cgroup PATH, wait until it is empty and remove
 * it (retrying while the kernel still counts it populated).  A missing
 * cgroup is no error. */
int cgroup_remove(const char *path, struct error **err) ATTR_WUR;

/* ---- operations on a live cgroup (cgroup-ops.c) ---- */

/* Freeze (FREEZE true) or thaw the cgroup, and wait (up to 10 s) until
 * cgroup.events says it is. */
int cgroup_freeze(const char *path, bool freeze, struct error **err) ATTR_WUR;

/* "frozen 1" in cgroup.events (false when unreadable). */
bool cgroup_is_frozen(const char *path);

/* "populated 1" in cgroup.events; false when unreadable or gone. */
bool cgroup_is_populated(const char *path);

/* The pids of every process in the cgroup and its descendants (the ones
 * visible in our pid namespace), in *RET (malloc'd).  A missing cgroup is an
 * empty list. */
int cgroup_procs(const char *path, pid_t **ret, size_t *ret_n, struct error **err) ATTR_WUR;

/* Send SIG to every process in the cgroup: SIGKILL through cgroup.kill
 * (Linux 5.14), else with the cgroup frozen (so that nothing forks away
 * meanwhile), each pid of cgroup.procs, leaving it frozen if it was. */
int cgroup_signal_all(const char *path, int sig, struct error **err) ATTR_WUR;

/* The value of KEY in a flat-keyed cgroup file ("oom_kill 3"), or 0. */
uint64_t cgroup_read_key(int dirfd, const char *file, const char *key, bool *ret_found);

/* ---- the device program (cgroup-devices.c) ---- */

struct bpf_insn;

/* The instructions of a BPF_PROG_TYPE_CGROUP_DEVICE program for the rules
 * RULES (linux.resources.devices order: a later rule overrides an earlier
 * one, per access bit, as the v1 devices cgroup did), then the devices of
 * linux.devices and runc's default allowed devices.  Pure.  *RET malloc'd. */
size_t cgroup_devices_program(const struct spec_resources *r, const struct spec_linux *l,
                              struct bpf_insn **ret);

/* Load the program for R and L and attach it to the cgroup DIRFD (an
 * O_RDONLY directory fd), replacing any device program attached before. */
int cgroup_devices_apply(int dirfd, const struct spec_resources *r, const struct spec_linux *l,
                         struct error **err) ATTR_WUR;

/* ---- update (cgroup-update.c) ---- */

/* Merge SRC into DST as runc's update does: each value SRC sets replaces
 * DST's; a list SRC gives (devices, the blockIO device lists, network
 * priorities) replaces DST's; hugepageLimits, rdma and unified merge entry
 * by entry on their key.  Everything is copied: SRC is left alone. */
void cgroup_resources_merge(struct spec_resources *dst, const struct spec_resources *src);

struct runtime_ctx;
struct runtime_update_opts;

/* runtime_update on the container of state ST, whose state directory DIRFD
 * the caller holds locked: merge, validate, enable controllers, write the
 * cgroup (and the device program when new device rules came), keep the
 * merged configuration in the state directory.  ST has a cgroup. */
int cgroup_update(const struct runtime_ctx *ctx, int dirfd, const struct spec_state *st,
                  const struct runtime_update_opts *o, struct error **err) ATTR_WUR;

/* ---- stats (cgroup-stats.c) ---- */

struct json_writer;

/* runc's stats object ("data" of a stats event) for the cgroup DIRFD:
 * cpu, memory, pids, blkio, hugetlb. */
void cgroup_stats_write(int dirfd, struct json_writer *w);

#endif

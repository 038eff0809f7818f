/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_BUNDLE_VALIDATE_H
#define BERTH_BUNDLE_VALIDATE_H

/* The value checks behind spec_validate() (bundle/spec.h), for reuse by the
 * runtime and `berth check`, and the internals that the
 * bundle/spec-validate*.c files share.
 *
 * spec_validate() is split by job:
 *   spec-validate.c          ociVersion, root, mounts, hooks, annotations,
 *                            hostname; the entry point and the helpers below
 *   spec-validate-process.c  process: user, args, env, capabilities, rlimits,
 *                            scheduler, I/O priority, CPU affinity
 *   spec-validate-linux.c    namespaces, id mappings, time offsets, devices,
 *                            network devices, sysctl, masked and read-only
 *                            paths, Intel RDT, personality, memory policy
 *   spec-validate-cgroup.c   linux.resources and linux.cgroupsPath
 *   spec-validate-seccomp.c  linux.seccomp */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle/spec.h"
#include "lib/diag.h"
#include "lib/json.h"

/* ---- helpers for the runtime and `berth check` ---- */

/* The highest capability number berth knows (CAP_CHECKPOINT_RESTORE). */
#define BUNDLE_CAP_LAST 40

/* The number of a capability given by its capabilities(7) name
 * ("CAP_CHOWN" is 0, "CAP_CHECKPOINT_RESTORE" is 40), or -1 when unknown. */
int bundle_capability_value(const char *name);
bool bundle_is_known_capability(const char *name);
/* The name of capability VALUE, or NULL past BUNDLE_CAP_LAST. */
const char *bundle_capability_name(int value);

/* The RLIMIT_* resource number for a name of getrlimit(2) ("RLIMIT_NOFILE"),
 * or -1 when Linux has no such limit. */
int bundle_rlimit_resource(const char *name);

/* Parse a Linux CPU or memory-node list as cpuset.cpus, set_mempolicy(2)
 * nodes and execCPUAffinity take it: comma-separated numbers and ranges
 * ("0-3,7"), optionally with a stride ("0-15:2/4", the kernel's
 * bitmap_parselist), spaces allowed around items.  The empty string is an
 * empty list.  If SET is not NULL it is a bitmap of NBITS bits in unsigned
 * longs (cpu_set_t's layout: pass set->__bits and CPU_SETSIZE); it is
 * cleared, then each listed number is set, and a number >= NBITS fails.
 * Returns true when S is a valid list. */
bool bundle_parse_cpu_list(const char *s, unsigned long *set, size_t nbits);

/* Whether NAME is a network interface name the kernel accepts
 * (dev_valid_name(): 1 to 15 bytes, not "." or "..", no '/', ':' or
 * whitespace).  A "%d" template such as "eth%d" is accepted. */
bool bundle_is_valid_ifname(const char *name);

/* Parse a SemVer 2.0.0 version ("1.2.0", "1.0.2-dev", "1.1.0+build.5").
 * Returns false when S is not one (including numbers past UINT64_MAX). */
bool bundle_parse_semver(const char *s, uint64_t *ret_major, uint64_t *ret_minor,
                         uint64_t *ret_patch);

/* Whether OPT is one of the mount option strings of config.md "Linux mount
 * options" (the mount(8) flags, propagation, recursive flags, tmpcopyup,
 * idmap, ridmap).  Anything else is filesystem data. */
bool bundle_is_mount_flag_option(const char *opt);

/* Whether M is a bind mount: "bind" or "rbind" in its options, or type
 * "bind" (runc's reading). */
bool bundle_mount_is_bind(const struct spec_mount *m);

/* The first entry of linux.namespaces of TYPE (enum spec_ns_type), or NULL
 * when the container shares that namespace with the runtime. */
const struct spec_namespace *bundle_find_namespace(const struct spec *s, int type);

/* ---- internal to bundle/spec-validate*.c ---- */

struct validator {
    const struct spec *spec;
    struct diags *diags;
    struct json_path path; /* where the walk is */
};

static inline size_t
validate_push_key(struct validator *v, const char *key)
{
    return json_path_push_key(&v->path, key);
}

static inline size_t
validate_push_index(struct validator *v, size_t index)
{
    return json_path_push_index(&v->path, index);
}

static inline void
validate_pop(struct validator *v, size_t mark)
{
    json_path_pop(&v->path, mark);
}

/* Add a problem at the current path, or at its member KEY when KEY is not
 * NULL.  Control characters in the message (from config values) are
 * escaped, so that every problem stays on one line. */
void validate_error(struct validator *v, const char *key, const char *fmt, ...) ATTR_PRINTF(3, 4);
void validate_warning(struct validator *v, const char *key, const char *fmt, ...) ATTR_PRINTF(3, 4);

static inline bool
validate_is_absolute(const char *path)
{
    return path != NULL && path[0] == '/';
}

/* Each checks the member KEY of the current path. */
void validate_absolute_path(struct validator *v, const char *key, const char *path);
/* env and hooks[].env: every entry is NAME=VALUE with a non-empty NAME. */
void validate_env(struct validator *v, const char *key, const struct strv *env);
/* linux.uidMappings, mounts[].uidMappings, ...: the rules of user_namespaces(7). */
void validate_id_mappings(struct validator *v, const char *key, const struct spec_id_mapping *m,
                          size_t n);
/* A CPU or node list in member KEY. */
void validate_cpu_list(struct validator *v, const char *key, const char *list, const char *what);

/* The sections, called with the path at the object they check. */
void validate_process(struct validator *v, const struct spec_process *p);
void validate_linux(struct validator *v, const struct spec_linux *l);
void validate_cgroups_path(struct validator *v, const char *path);
void validate_resources(struct validator *v, const struct spec_resources *r);
void validate_seccomp(struct validator *v, const struct spec_seccomp *sc);

#endif

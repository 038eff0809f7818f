/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_BUNDLE_SPEC_H
#define BERTH_BUNDLE_SPEC_H

/* The runtime-spec v1.3.0 Linux configuration (config.md, config-linux.md)
 * as typed C structs, and the container state (runtime.md).
 *
 * Presence is explicit, so that a parse/write round trip is lossless:
 *   - strings and objects: NULL when absent;
 *   - scalars: a has_NAME flag beside the value;
 *   - arrays and maps: items == NULL when absent; a present but empty array
 *     has items != NULL and n == 0;
 *   - enums: 0 (the _UNSET value) when absent.
 * Everything is owned by the struct spec and freed by spec_free(). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"
#include "lib/error.h"

#define SPEC_OCI_VERSION "1.3.0"

struct strv {
    char **items;
    size_t n;
};

/* bundle/strv.c.  strv_push takes S (malloc'd); strv_add copies it. */
void strv_push(struct strv *v, char *s);
void strv_add(struct strv *v, const char *s);
void strv_copy(struct strv *ret, const struct strv *src);
void strv_clear(struct strv *v);
bool strv_contains(const struct strv *v, const char *s);

struct u32v {
    uint32_t *items;
    size_t n;
};

/* An array of enum values (see the _names tables below). */
struct enumv {
    int *items;
    size_t n;
};

struct strpair {
    char *key;
    char *value;
};

/* A JSON object of string values, in document order. */
struct strmap {
    struct strpair *items;
    size_t n;
};

/* ---- enums: value 0 is "absent"; spec_enum_name() gives the JSON text ---- */

enum spec_ns_type {
    SPEC_NS_UNSET,
    SPEC_NS_MOUNT,
    SPEC_NS_PID,
    SPEC_NS_NETWORK,
    SPEC_NS_UTS,
    SPEC_NS_IPC,
    SPEC_NS_USER,
    SPEC_NS_CGROUP,
    SPEC_NS_TIME,
    SPEC_NS__COUNT,
};

enum spec_dev_type {
    SPEC_DEV_UNSET,
    SPEC_DEV_CHAR,       /* "c" */
    SPEC_DEV_BLOCK,      /* "b" */
    SPEC_DEV_UNBUFFERED, /* "u" */
    SPEC_DEV_FIFO,       /* "p" */
    SPEC_DEV__COUNT,
};

enum spec_propagation {
    SPEC_PROP_UNSET,
    SPEC_PROP_PRIVATE,
    SPEC_PROP_SHARED,
    SPEC_PROP_SLAVE,
    SPEC_PROP_UNBINDABLE,
    SPEC_PROP__COUNT,
};

enum spec_ioprio_class {
    SPEC_IOPRIO_UNSET,
    SPEC_IOPRIO_RT,
    SPEC_IOPRIO_BE,
    SPEC_IOPRIO_IDLE,
    SPEC_IOPRIO__COUNT,
};

enum spec_sched_policy {
    SPEC_SCHED_UNSET,
    SPEC_SCHED_OTHER,
    SPEC_SCHED_FIFO,
    SPEC_SCHED_RR,
    SPEC_SCHED_BATCH,
    SPEC_SCHED_ISO,
    SPEC_SCHED_IDLE,
    SPEC_SCHED_DEADLINE,
    SPEC_SCHED__COUNT,
};

enum spec_sched_flag {
    SPEC_SCHED_FLAG_UNSET,
    SPEC_SCHED_FLAG_RESET_ON_FORK,
    SPEC_SCHED_FLAG_RECLAIM,
    SPEC_SCHED_FLAG_DL_OVERRUN,
    SPEC_SCHED_FLAG_KEEP_POLICY,
    SPEC_SCHED_FLAG_KEEP_PARAMS,
    SPEC_SCHED_FLAG_UTIL_CLAMP_MIN,
    SPEC_SCHED_FLAG_UTIL_CLAMP_MAX,
    SPEC_SCHED_FLAG__COUNT,
};

enum spec_seccomp_action {
    SPEC_SCMP_ACT_UNSET,
    SPEC_SCMP_ACT_KILL,
    SPEC_SCMP_ACT_KILL_PROCESS,
    SPEC_SCMP_ACT_KILL_THREAD,
    SPEC_SCMP_ACT_TRAP,
    SPEC_SCMP_ACT_ERRNO,
    SPEC_SCMP_ACT_TRACE,
    SPEC_SCMP_ACT_ALLOW,
    SPEC_SCMP_ACT_LOG,
    SPEC_SCMP_ACT_NOTIFY,
    SPEC_SCMP_ACT__COUNT,
};

enum spec_seccomp_flag {
    SPEC_SCMP_FLAG_UNSET,
    SPEC_SCMP_FLAG_TSYNC,
    SPEC_SCMP_FLAG_LOG,
    SPEC_SCMP_FLAG_SPEC_ALLOW,
    SPEC_SCMP_FLAG_WAIT_KILLABLE_RECV,
    SPEC_SCMP_FLAG__COUNT,
};

enum spec_seccomp_op {
    SPEC_SCMP_CMP_UNSET,
    SPEC_SCMP_CMP_NE,
    SPEC_SCMP_CMP_LT,
    SPEC_SCMP_CMP_LE,
    SPEC_SCMP_CMP_EQ,
    SPEC_SCMP_CMP_GE,
    SPEC_SCMP_CMP_GT,
    SPEC_SCMP_CMP_MASKED_EQ,
    SPEC_SCMP_CMP__COUNT,
};

enum spec_seccomp_arch {
    SPEC_SCMP_ARCH_UNSET,
    SPEC_SCMP_ARCH_X86,
    SPEC_SCMP_ARCH_X86_64,
    SPEC_SCMP_ARCH_X32,
    SPEC_SCMP_ARCH_ARM,
    SPEC_SCMP_ARCH_AARCH64,
    SPEC_SCMP_ARCH_LOONGARCH64,
    SPEC_SCMP_ARCH_M68K,
    SPEC_SCMP_ARCH_MIPS,
    SPEC_SCMP_ARCH_MIPS64,
    SPEC_SCMP_ARCH_MIPS64N32,
    SPEC_SCMP_ARCH_MIPSEL,
    SPEC_SCMP_ARCH_MIPSEL64,
    SPEC_SCMP_ARCH_MIPSEL64N32,
    SPEC_SCMP_ARCH_PPC,
    SPEC_SCMP_ARCH_PPC64,
    SPEC_SCMP_ARCH_PPC64LE,
    SPEC_SCMP_ARCH_S390,
    SPEC_SCMP_ARCH_S390X,
    SPEC_SCMP_ARCH_SH,
    SPEC_SCMP_ARCH_SHEB,
    SPEC_SCMP_ARCH_PARISC,
    SPEC_SCMP_ARCH_PARISC64,
    SPEC_SCMP_ARCH_RISCV64,
    SPEC_SCMP_ARCH__COUNT,
};

enum spec_personality_domain {
    SPEC_PERS_UNSET,
    SPEC_PERS_LINUX,
    SPEC_PERS_LINUX32,
    SPEC_PERS__COUNT,
};

enum spec_mempolicy_mode {
    SPEC_MPOL_UNSET,
    SPEC_MPOL_DEFAULT,
    SPEC_MPOL_BIND,
    SPEC_MPOL_INTERLEAVE,
    SPEC_MPOL_WEIGHTED_INTERLEAVE,
    SPEC_MPOL_PREFERRED,
    SPEC_MPOL_PREFERRED_MANY,
    SPEC_MPOL_LOCAL,
    SPEC_MPOL__COUNT,
};

enum spec_mempolicy_flag {
    SPEC_MPOL_F_UNSET,
    SPEC_MPOL_F_NUMA_BALANCING,
    SPEC_MPOL_F_RELATIVE_NODES,
    SPEC_MPOL_F_STATIC_NODES,
    SPEC_MPOL_F__COUNT,
};

/* A table of an enum's JSON names, indexed by value (index 0 is NULL). */
struct spec_enum {
    const char *noun; /* for messages: unknown NOUN "x" */
    const char *const *names;
    int count; /* the _COUNT value */
};

extern const struct spec_enum spec_enum_ns_type, spec_enum_dev_type, spec_enum_propagation,
    spec_enum_ioprio_class, spec_enum_sched_policy, spec_enum_sched_flag, spec_enum_seccomp_action,
    spec_enum_seccomp_flag, spec_enum_seccomp_op, spec_enum_seccomp_arch,
    spec_enum_personality_domain, spec_enum_mempolicy_mode, spec_enum_mempolicy_flag;

/* The JSON name of VALUE, or NULL when out of range or unset. */
const char *spec_enum_name(const struct spec_enum *e, int value);
/* The value for NAME, or 0 when unknown. */
int spec_enum_value(const struct spec_enum *e, const char *name);

/* ---- config.md ---- */

struct spec_id_mapping {
    uint32_t container_id; /* containerID */
    uint32_t host_id;      /* hostID */
    uint32_t size;
};

struct spec_mount {
    char *destination; /* required */
    char *source;
    char *type;
    struct strv options;
    struct spec_id_mapping *uid_mappings; /* uidMappings */
    size_t n_uid_mappings;
    struct spec_id_mapping *gid_mappings; /* gidMappings */
    size_t n_gid_mappings;
};

struct spec_root {
    char *path; /* required */
    bool has_readonly;
    bool readonly;
};

struct spec_console_size {
    uint64_t height; /* required */
    uint64_t width;  /* required */
};

struct spec_user {
    bool has_uid, has_gid, has_umask;
    uint32_t uid;
    uint32_t gid;
    uint32_t umask;
    struct u32v additional_gids; /* additionalGids */
    char *username;
};

struct spec_capabilities {
    struct strv bounding;
    struct strv effective;
    struct strv inheritable;
    struct strv permitted;
    struct strv ambient;
};

struct spec_rlimit {
    char *type;          /* required, RLIMIT_* */
    uint64_t soft, hard; /* required */
};

struct spec_io_priority {
    int class_; /* enum spec_ioprio_class; required */
    bool has_priority;
    int32_t priority;
};

struct spec_scheduler {
    int policy; /* enum spec_sched_policy; required */
    bool has_nice, has_priority, has_runtime, has_deadline, has_period;
    int32_t nice;
    int32_t priority;
    struct enumv flags; /* enum spec_sched_flag */
    uint64_t runtime;
    uint64_t deadline;
    uint64_t period;
};

struct spec_cpu_affinity {
    char *initial;
    char *final;
};

struct spec_process {
    bool has_terminal;
    bool terminal;
    struct spec_console_size *console_size; /* consoleSize */
    struct spec_user *user;
    struct strv args;
    char *command_line; /* commandLine (Windows only; kept for round trips) */
    struct strv env;
    char *cwd; /* required */
    struct spec_capabilities *capabilities;
    struct spec_rlimit *rlimits;
    size_t n_rlimits;
    bool has_no_new_privileges;
    bool no_new_privileges; /* noNewPrivileges */
    char *apparmor_profile; /* apparmorProfile */
    bool has_oom_score_adj;
    int32_t oom_score_adj;                /* oomScoreAdj */
    char *selinux_label;                  /* selinuxLabel */
    struct spec_io_priority *io_priority; /* ioPriority */
    struct spec_scheduler *scheduler;
    struct spec_cpu_affinity *exec_cpu_affinity; /* execCPUAffinity */
};

struct spec_hook {
    char *path; /* required */
    struct strv args;
    struct strv env;
    bool has_timeout;
    int64_t timeout; /* > 0 */
};

struct spec_hooks {
    struct spec_hook *prestart; /* deprecated, still run */
    size_t n_prestart;
    struct spec_hook *create_runtime; /* createRuntime */
    size_t n_create_runtime;
    struct spec_hook *create_container; /* createContainer */
    size_t n_create_container;
    struct spec_hook *start_container; /* startContainer */
    size_t n_start_container;
    struct spec_hook *poststart;
    size_t n_poststart;
    struct spec_hook *poststop;
    size_t n_poststop;
};

/* ---- config-linux.md ---- */

struct spec_namespace {
    int type; /* enum spec_ns_type; required */
    char *path;
};

struct spec_time_offset {
    bool has_secs, has_nanosecs;
    int64_t secs;
    uint32_t nanosecs;
};

struct spec_time_offsets {
    struct spec_time_offset *boottime;
    struct spec_time_offset *monotonic;
};

struct spec_device {
    int type;   /* enum spec_dev_type; required */
    char *path; /* required */
    bool has_file_mode, has_major, has_minor, has_uid, has_gid;
    uint32_t file_mode; /* fileMode, 0..0777 */
    int64_t major, minor;
    uint32_t uid, gid;
};

struct spec_net_device {
    char *key; /* the host interface name (map key) */
    char *name;
};

struct spec_device_cgroup {
    bool allow; /* required */
    char *type;
    bool has_major, has_minor;
    int64_t major, minor;
    char *access;
};

struct spec_memory {
    bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
    bool has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
    int64_t limit;
    int64_t reservation;
    int64_t swap;
    int64_t kernel;
    int64_t kernel_tcp; /* kernelTCP */
    uint64_t swappiness;
    bool disable_oom_killer;  /* disableOOMKiller */
    bool use_hierarchy;       /* useHierarchy */
    bool check_before_update; /* checkBeforeUpdate */
};

struct spec_cpu {
    bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime;
    bool has_realtime_period, has_idle;
    uint64_t shares;
    int64_t quota;
    uint64_t burst;
    uint64_t period;
    int64_t realtime_runtime; /* realtimeRuntime */
    uint64_t realtime_period; /* realtimePeriod */
    char *cpus;
    char *mems;
    int64_t idle;
};

struct spec_pids {
    int64_t limit; /* required */
};

struct spec_weight_device {
    int64_t major, minor; /* required */
    bool has_weight, has_leaf_weight;
    uint16_t weight;
    uint16_t leaf_weight; /* leafWeight */
};

struct spec_throttle_device {
    int64_t major, minor; /* required */
    bool has_rate;
    uint64_t rate;
};

struct spec_block_io {
    bool has_weight, has_leaf_weight;
    uint16_t weight;
    uint16_t leaf_weight;
    struct spec_weight_device *weight_device; /* weightDevice */
    size_t n_weight_device;
    struct spec_throttle_device *throttle_read_bps_device; /* throttleReadBpsDevice */
    size_t n_throttle_read_bps_device;
    struct spec_throttle_device *throttle_write_bps_device; /* throttleWriteBpsDevice */
    size_t n_throttle_write_bps_device;
    struct spec_throttle_device *throttle_read_iops_device; /* throttleReadIOPSDevice */
    size_t n_throttle_read_iops_device;
    struct spec_throttle_device *throttle_write_iops_device; /* throttleWriteIOPSDevice */
    size_t n_throttle_write_iops_device;
};

struct spec_hugepage_limit {
    char *page_size; /* pageSize; required */
    uint64_t limit;  /* required */
};

struct spec_net_priority {
    char *name;        /* required */
    uint32_t priority; /* required */
};

struct spec_network {
    bool has_class_id;
    uint32_t class_id; /* classID */
    struct spec_net_priority *priorities;
    size_t n_priorities;
};

struct spec_rdma {
    char *key; /* the device name (map key) */
    bool has_hca_handles, has_hca_objects;
    uint32_t hca_handles; /* hcaHandles */
    uint32_t hca_objects; /* hcaObjects */
};

struct spec_resources {
    struct spec_device_cgroup *devices;
    size_t n_devices;
    struct spec_memory *memory;
    struct spec_cpu *cpu;
    struct spec_pids *pids;
    struct spec_block_io *block_io;              /* blockIO */
    struct spec_hugepage_limit *hugepage_limits; /* hugepageLimits */
    size_t n_hugepage_limits;
    struct spec_network *network;
    struct spec_rdma *rdma;
    size_t n_rdma;
    struct strmap unified;
};

struct spec_intel_rdt {
    char *clos_id; /* closID */
    struct strv schemata;
    char *l3_cache_schema; /* l3CacheSchema */
    char *mem_bw_schema;   /* memBwSchema */
    bool has_enable_monitoring;
    bool enable_monitoring; /* enableMonitoring */
};

struct spec_seccomp_arg {
    uint32_t index; /* required */
    uint64_t value; /* required */
    bool has_value_two;
    uint64_t value_two; /* valueTwo */
    int op;             /* enum spec_seccomp_op; required */
};

struct spec_syscall {
    struct strv names; /* required, at least one */
    int action;        /* enum spec_seccomp_action; required */
    bool has_errno_ret;
    uint32_t errno_ret; /* errnoRet */
    struct spec_seccomp_arg *args;
    size_t n_args;
};

struct spec_seccomp {
    int default_action; /* defaultAction, enum spec_seccomp_action; required */
    bool has_default_errno_ret;
    uint32_t default_errno_ret; /* defaultErrnoRet */
    struct enumv architectures; /* enum spec_seccomp_arch */
    struct enumv flags;         /* enum spec_seccomp_flag */
    char *listener_path;        /* listenerPath */
    char *listener_metadata;    /* listenerMetadata */
    struct spec_syscall *syscalls;
    size_t n_syscalls;
};

struct spec_personality {
    int domain; /* enum spec_personality_domain */
    struct strv flags;
};

struct spec_memory_policy {
    int mode; /* enum spec_mempolicy_mode */
    char *nodes;
    struct enumv flags; /* enum spec_mempolicy_flag */
};

struct spec_linux {
    struct spec_namespace *namespaces;
    size_t n_namespaces;
    struct spec_id_mapping *uid_mappings; /* uidMappings */
    size_t n_uid_mappings;
    struct spec_id_mapping *gid_mappings; /* gidMappings */
    size_t n_gid_mappings;
    struct spec_time_offsets *time_offsets; /* timeOffsets */
    struct spec_device *devices;
    size_t n_devices;
    struct spec_net_device *net_devices; /* netDevices */
    size_t n_net_devices;
    char *cgroups_path; /* cgroupsPath */
    struct spec_resources *resources;
    struct spec_intel_rdt *intel_rdt; /* intelRdt */
    struct strmap sysctl;
    struct spec_seccomp *seccomp;
    int rootfs_propagation;     /* rootfsPropagation, enum spec_propagation */
    struct strv masked_paths;   /* maskedPaths */
    struct strv readonly_paths; /* readonlyPaths */
    char *mount_label;          /* mountLabel */
    struct spec_personality *personality;
    struct spec_memory_policy *memory_policy; /* memoryPolicy */
};

struct spec {
    char *oci_version; /* ociVersion; required */
    struct spec_process *process;
    struct spec_root *root;
    char *hostname;
    char *domainname;
    struct spec_mount *mounts;
    size_t n_mounts;
    struct spec_hooks *hooks;
    struct strmap annotations;
    struct spec_linux *linux_; /* "linux" is a predefined macro in GNU C */
};

/* ---- runtime.md: the state of a container ---- */

struct spec_state {
    char *oci_version; /* ociVersion; required */
    char *id;          /* required */
    char *status;      /* required: creating, created, running, stopped (and paused) */
    bool has_pid;
    int64_t pid;
    char *bundle; /* required */
    struct strmap annotations;
    /* runc's additions, which engines read */
    char *rootfs;
    char *created; /* RFC 3339 with nanoseconds */
    char *owner;
    /* berth's own, kept in the state directory only ("berth" object) */
    struct spec_state_private *priv;
};

/* What berth keeps about a container beyond the public state. */
struct spec_state_private {
    bool has_init_start_time;
    uint64_t init_start_time; /* initStartTime: /proc/PID/stat field 22, guards against pid reuse */
    bool has_pidns;
    bool pidns;        /* pidns: init is pid 1 of a new pid namespace */
    char *cgroup_path; /* cgroupPath: absolute path of the container's cgroup, if any */
    bool has_rootless;
    bool rootless;
    /* Which later operations need the frozen config.json, so that the
     * others never parse it (a seccomp profile makes it ~100 KiB). */
    bool has_config_at_start, has_config_at_delete;
    bool config_at_start;  /* configAtStart: poststart hooks, a seccomp agent */
    bool config_at_delete; /* configAtDelete: poststop hooks */
};

/* ---- parsing, validation, writing ---- */

/* Parse config.json text.  Type errors, out-of-range numbers, unknown enum
 * values and missing required fields are all collected into DIAGS (whose
 * file name prefixes each message); unknown fields are ignored, as config.md
 * "Extensibility" requires.  Returns NULL with *err set (all problems, one per
 * line) on any error, including JSON syntax errors with line and column. */
struct spec *spec_parse(const char *buf, size_t len, const char *file, struct error **err);

/* Parse, then validate (spec_validate) the result. */
struct spec *spec_load(const char *buf, size_t len, const char *file, struct error **err);

/* Read BUNDLE_DIRFD/config.json and spec_load() it. */
struct spec *spec_load_bundle_at(int bundle_dirfd, struct error **err);

/* Check the MUSTs of the spec that the schema alone does not express
 * (absolute paths, duplicate namespaces and rlimits, device majors, ...).
 * Adds problems to DIAGS; returns the number of errors added. */
size_t spec_validate(const struct spec *s, struct diags *diags);

/* Serialise; PRETTY gives tab-indented output like `runc spec`. */
int spec_write(const struct spec *s, bool pretty, char **ret_buf, size_t *ret_len,
               struct error **err) ATTR_WUR;

void spec_free(struct spec *s);

struct spec_state *spec_state_parse(const char *buf, size_t len, const char *file,
                                    struct error **err);
int spec_state_write(const struct spec_state *st, bool pretty, char **ret_buf, size_t *ret_len,
                     struct error **err) ATTR_WUR;
void spec_state_free(struct spec_state *st);
/* Drop berth's private part (before printing the state). */
void spec_state_hide_private(struct spec_state *st);

/* Parse a runtime-spec process object alone (for `exec --process`). */
struct spec_process *spec_process_parse(const char *buf, size_t len, const char *file,
                                        struct error **err);
void spec_process_free(struct spec_process *p);

/* Default configurations (bundle/spec-default.c): runc's `spec` output, and
 * its rootless variant mapping UID and GID to root in a user namespace. */
struct spec *spec_default(void);
struct spec *spec_default_rootless(uint32_t uid, uint32_t gid);

#endif

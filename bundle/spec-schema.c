/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON shape of runtime-spec v1.3.0 config.json and state.json, one table
 * per object, in the order `runc spec` writes fields.  Types and bounds follow
 * schema/config-schema.json, config-linux.json, defs.json, defs-linux.json. */
#include <stddef.h>
#include <string.h>

#include "bundle/codec.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MSIZE(T, m) sizeof(((T *)0)->m)

/* The tables below are laid out by hand, one field per line: clang-format
 * would spread each constructor over four lines and pack the fields. */
/* clang-format off */

/* Field constructors; T is the C struct, J the JSON name, M the member. */
#define STR(T, J, M) {J, CK_STR, 0, offsetof(T, M), 0, 0, NULL, 0, 0}
#define STR_REQ(T, J, M) {J, CK_STR, CF_REQUIRED, offsetof(T, M), 0, 0, NULL, 0, 0}
#define BOOL(T, J, M) {J, CK_BOOL, 0, offsetof(T, M), offsetof(T, has_##M), 0, NULL, 0, 0}
#define BOOL_REQ(T, J, M) {J, CK_BOOL, CF_REQUIRED, offsetof(T, M), CODEC_NO_FLAG, 0, NULL, 0, 0}
#define INT(T, J, M) {J, CK_INT, 0, offsetof(T, M), offsetof(T, has_##M), MSIZE(T, M), NULL, 0, 0}
#define INT_REQ(T, J, M)                                                                           \
    {J, CK_INT, CF_REQUIRED, offsetof(T, M), CODEC_NO_FLAG, MSIZE(T, M), NULL, 0, 0}
#define INT_RANGE(T, J, M, LO, HI)                                                                 \
    {J, CK_INT, 0, offsetof(T, M), offsetof(T, has_##M), MSIZE(T, M), NULL, LO, HI}
#define UINT(T, J, M) {J, CK_UINT, 0, offsetof(T, M), offsetof(T, has_##M), MSIZE(T, M), NULL, 0, 0}
#define UINT_REQ(T, J, M)                                                                          \
    {J, CK_UINT, CF_REQUIRED, offsetof(T, M), CODEC_NO_FLAG, MSIZE(T, M), NULL, 0, 0}
#define UINT_RANGE(T, J, M, HI)                                                                    \
    {J, CK_UINT, 0, offsetof(T, M), offsetof(T, has_##M), MSIZE(T, M), NULL, 0, HI}
#define ENUM(T, J, M, E) {J, CK_ENUM, 0, offsetof(T, M), 0, 0, &E, 0, 0}
#define ENUM_REQ(T, J, M, E) {J, CK_ENUM, CF_REQUIRED, offsetof(T, M), 0, 0, &E, 0, 0}
#define STRV(T, J, M) {J, CK_STRV, 0, offsetof(T, M), 0, 0, NULL, 0, 0}
#define STRV_REQ(T, J, M) {J, CK_STRV, CF_REQUIRED, offsetof(T, M), 0, 0, NULL, 0, 0}
#define U32V(T, J, M) {J, CK_U32V, 0, offsetof(T, M), 0, 0, NULL, 0, 0}
#define ENUMV(T, J, M, E) {J, CK_ENUMV, 0, offsetof(T, M), 0, 0, &E, 0, 0}
#define STRMAP(T, J, M) {J, CK_STRMAP, 0, offsetof(T, M), 0, 0, NULL, 0, 0}
#define OBJ(T, J, M, SUB) {J, CK_OBJ, 0, offsetof(T, M), 0, 0, &SUB, 0, 0}
#define ARR(T, J, M, SUB) {J, CK_ARR, 0, offsetof(T, M), offsetof(T, n_##M), 0, &SUB, 0, 0}
#define OBJMAP(T, J, M, SUB) {J, CK_OBJMAP, 0, offsetof(T, M), offsetof(T, n_##M), 0, &SUB, 0, 0}
/* A table longer than CODEC_MAX_FIELDS is a compile error (a negative array size). */
#define FIELD_COUNT(FIELDS) \
    (COUNT(FIELDS) + 0 * sizeof(char[COUNT(FIELDS) <= CODEC_MAX_FIELDS ? 1 : -1]))
#define TYPE(NAME, T, FIELDS) {NAME, sizeof(T), FIELDS, FIELD_COUNT(FIELDS)}

/* ---- enums ---- */

#define ENUM_TABLE(var, noun, count, ...)                                                          \
    static const char *const var##_names[] = {NULL, __VA_ARGS__};                                  \
    _Static_assert(COUNT(var##_names) == (count), #var " table size");                             \
    const struct spec_enum spec_enum_##var = {noun, var##_names, count}

ENUM_TABLE(ns_type, "namespace", SPEC_NS__COUNT, "mount", "pid", "network", "uts", "ipc", "user",
           "cgroup", "time");
ENUM_TABLE(dev_type, "device type", SPEC_DEV__COUNT, "c", "b", "u", "p");
ENUM_TABLE(propagation, "propagation", SPEC_PROP__COUNT, "private", "shared", "slave",
           "unbindable");
ENUM_TABLE(ioprio_class, "I/O priority class", SPEC_IOPRIO__COUNT, "IOPRIO_CLASS_RT",
           "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
ENUM_TABLE(sched_policy, "scheduler policy", SPEC_SCHED__COUNT, "SCHED_OTHER", "SCHED_FIFO",
           "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");
ENUM_TABLE(sched_flag, "scheduler flag", SPEC_SCHED_FLAG__COUNT, "SCHED_FLAG_RESET_ON_FORK",
           "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
           "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX");
ENUM_TABLE(seccomp_action, "seccomp action", SPEC_SCMP_ACT__COUNT, "SCMP_ACT_KILL",
           "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
           "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");
ENUM_TABLE(seccomp_flag, "seccomp flag", SPEC_SCMP_FLAG__COUNT, "SECCOMP_FILTER_FLAG_TSYNC",
           "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
           "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
ENUM_TABLE(seccomp_op, "operator", SPEC_SCMP_CMP__COUNT, "SCMP_CMP_NE", "SCMP_CMP_LT",
           "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
ENUM_TABLE(seccomp_arch, "seccomp architecture", SPEC_SCMP_ARCH__COUNT, "SCMP_ARCH_X86",
           "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
           "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
           "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
           "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
           "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
           "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64");
ENUM_TABLE(personality_domain, "personality domain", SPEC_PERS__COUNT, "LINUX", "LINUX32");
ENUM_TABLE(mempolicy_mode, "memory policy mode", SPEC_MPOL__COUNT, "MPOL_DEFAULT", "MPOL_BIND",
           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED",
           "MPOL_PREFERRED_MANY", "MPOL_LOCAL");
ENUM_TABLE(mempolicy_flag, "memory policy flag", SPEC_MPOL_F__COUNT, "MPOL_F_NUMA_BALANCING",
           "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES");

const char *
spec_enum_name(const struct spec_enum *e, int value)
{
    if (value <= 0 || value >= e->count)
        return NULL;
    return e->names[value];
}

int
spec_enum_value(const struct spec_enum *e, const char *name)
{
    for (int i = 1; i < e->count; i++)
        if (strcmp(e->names[i], name) == 0)
            return i;
    return 0;
}

/* ---- config.md ---- */

#define T struct spec_id_mapping
static const struct codec_field id_mapping_fields[] = {
    UINT_REQ(T, "containerID", container_id),
    UINT_REQ(T, "hostID", host_id),
    UINT_REQ(T, "size", size),
};
#undef T
static const struct codec_type id_mapping_type =
    TYPE("idMapping", struct spec_id_mapping, id_mapping_fields);

#define T struct spec_mount
static const struct codec_field mount_fields[] = {
    STR_REQ(T, "destination", destination),
    STR(T, "type", type),
    STR(T, "source", source),
    STRV(T, "options", options),
    ARR(T, "uidMappings", uid_mappings, id_mapping_type),
    ARR(T, "gidMappings", gid_mappings, id_mapping_type),
};
#undef T
static const struct codec_type mount_type = TYPE("mount", struct spec_mount, mount_fields);

#define T struct spec_root
static const struct codec_field root_fields[] = {
    STR_REQ(T, "path", path),
    BOOL(T, "readonly", readonly),
};
#undef T
static const struct codec_type root_type = TYPE("root", struct spec_root, root_fields);

#define T struct spec_console_size
static const struct codec_field console_size_fields[] = {
    UINT_REQ(T, "height", height),
    UINT_REQ(T, "width", width),
};
#undef T
static const struct codec_type console_size_type =
    TYPE("consoleSize", struct spec_console_size, console_size_fields);

#define T struct spec_user
static const struct codec_field user_fields[] = {
    UINT(T, "uid", uid),
    UINT(T, "gid", gid),
    UINT(T, "umask", umask),
    U32V(T, "additionalGids", additional_gids),
    STR(T, "username", username),
};
#undef T
static const struct codec_type user_type = TYPE("user", struct spec_user, user_fields);

#define T struct spec_capabilities
static const struct codec_field capabilities_fields[] = {
    STRV(T, "bounding", bounding),   STRV(T, "effective", effective),
    STRV(T, "inheritable", inheritable), STRV(T, "permitted", permitted),
    STRV(T, "ambient", ambient),
};
#undef T
static const struct codec_type capabilities_type =
    TYPE("capabilities", struct spec_capabilities, capabilities_fields);

#define T struct spec_rlimit
static const struct codec_field rlimit_fields[] = {
    STR_REQ(T, "type", type),
    UINT_REQ(T, "hard", hard),
    UINT_REQ(T, "soft", soft),
};
#undef T
static const struct codec_type rlimit_type = TYPE("rlimit", struct spec_rlimit, rlimit_fields);

#define T struct spec_io_priority
static const struct codec_field io_priority_fields[] = {
    ENUM_REQ(T, "class", class_, spec_enum_ioprio_class),
    INT(T, "priority", priority),
};
#undef T
static const struct codec_type io_priority_type =
    TYPE("ioPriority", struct spec_io_priority, io_priority_fields);

#define T struct spec_scheduler
static const struct codec_field scheduler_fields[] = {
    ENUM_REQ(T, "policy", policy, spec_enum_sched_policy),
    INT(T, "nice", nice),
    INT(T, "priority", priority),
    ENUMV(T, "flags", flags, spec_enum_sched_flag),
    UINT(T, "runtime", runtime),
    UINT(T, "deadline", deadline),
    UINT(T, "period", period),
};
#undef T
static const struct codec_type scheduler_type =
    TYPE("scheduler", struct spec_scheduler, scheduler_fields);

#define T struct spec_cpu_affinity
static const struct codec_field cpu_affinity_fields[] = {
    STR(T, "initial", initial),
    STR(T, "final", final),
};
#undef T
static const struct codec_type cpu_affinity_type =
    TYPE("execCPUAffinity", struct spec_cpu_affinity, cpu_affinity_fields);

#define T struct spec_process
static const struct codec_field process_fields[] = {
    BOOL(T, "terminal", terminal),
    OBJ(T, "consoleSize", console_size, console_size_type),
    OBJ(T, "user", user, user_type),
    STRV(T, "args", args),
    STR(T, "commandLine", command_line),
    STRV(T, "env", env),
    STR_REQ(T, "cwd", cwd),
    OBJ(T, "capabilities", capabilities, capabilities_type),
    ARR(T, "rlimits", rlimits, rlimit_type),
    BOOL(T, "noNewPrivileges", no_new_privileges),
    STR(T, "apparmorProfile", apparmor_profile),
    INT(T, "oomScoreAdj", oom_score_adj),
    STR(T, "selinuxLabel", selinux_label),
    OBJ(T, "ioPriority", io_priority, io_priority_type),
    OBJ(T, "scheduler", scheduler, scheduler_type),
    OBJ(T, "execCPUAffinity", exec_cpu_affinity, cpu_affinity_type),
};
#undef T
const struct codec_type codec_process = TYPE("process", struct spec_process, process_fields);

#define T struct spec_hook
static const struct codec_field hook_fields[] = {
    STR_REQ(T, "path", path),
    STRV(T, "args", args),
    STRV(T, "env", env),
    INT(T, "timeout", timeout),
};
#undef T
static const struct codec_type hook_type = TYPE("hook", struct spec_hook, hook_fields);

#define T struct spec_hooks
static const struct codec_field hooks_fields[] = {
    ARR(T, "prestart", prestart, hook_type),
    ARR(T, "createRuntime", create_runtime, hook_type),
    ARR(T, "createContainer", create_container, hook_type),
    ARR(T, "startContainer", start_container, hook_type),
    ARR(T, "poststart", poststart, hook_type),
    ARR(T, "poststop", poststop, hook_type),
};
#undef T
static const struct codec_type hooks_type = TYPE("hooks", struct spec_hooks, hooks_fields);

/* ---- config-linux.md ---- */

#define T struct spec_namespace
static const struct codec_field namespace_fields[] = {
    ENUM_REQ(T, "type", type, spec_enum_ns_type),
    STR(T, "path", path),
};
#undef T
static const struct codec_type namespace_type =
    TYPE("namespace", struct spec_namespace, namespace_fields);

#define T struct spec_time_offset
static const struct codec_field time_offset_fields[] = {
    INT(T, "secs", secs),
    UINT(T, "nanosecs", nanosecs),
};
#undef T
static const struct codec_type time_offset_type =
    TYPE("timeOffset", struct spec_time_offset, time_offset_fields);

#define T struct spec_time_offsets
static const struct codec_field time_offsets_fields[] = {
    OBJ(T, "boottime", boottime, time_offset_type),
    OBJ(T, "monotonic", monotonic, time_offset_type),
};
#undef T
static const struct codec_type time_offsets_type =
    TYPE("timeOffsets", struct spec_time_offsets, time_offsets_fields);

#define T struct spec_device
static const struct codec_field device_fields[] = {
    STR_REQ(T, "path", path),
    ENUM_REQ(T, "type", type, spec_enum_dev_type),
    INT(T, "major", major),
    INT(T, "minor", minor),
    UINT_RANGE(T, "fileMode", file_mode, 0777),
    UINT(T, "uid", uid),
    UINT(T, "gid", gid),
};
#undef T
static const struct codec_type device_type = TYPE("device", struct spec_device, device_fields);

#define T struct spec_net_device
static const struct codec_field net_device_fields[] = {
    STR(T, "name", name),
};
#undef T
static const struct codec_type net_device_type =
    TYPE("netDevice", struct spec_net_device, net_device_fields);

#define T struct spec_device_cgroup
static const struct codec_field device_cgroup_fields[] = {
    BOOL_REQ(T, "allow", allow),
    STR(T, "type", type),
    INT(T, "major", major),
    INT(T, "minor", minor),
    STR(T, "access", access),
};
#undef T
static const struct codec_type device_cgroup_type =
    TYPE("deviceCgroup", struct spec_device_cgroup, device_cgroup_fields);

#define T struct spec_memory
static const struct codec_field memory_fields[] = {
    INT(T, "limit", limit),
    INT(T, "reservation", reservation),
    INT(T, "swap", swap),
    INT(T, "kernel", kernel),
    INT(T, "kernelTCP", kernel_tcp),
    UINT(T, "swappiness", swappiness),
    BOOL(T, "disableOOMKiller", disable_oom_killer),
    BOOL(T, "useHierarchy", use_hierarchy),
    BOOL(T, "checkBeforeUpdate", check_before_update),
};
#undef T
static const struct codec_type memory_type = TYPE("memory", struct spec_memory, memory_fields);

#define T struct spec_cpu
static const struct codec_field cpu_fields[] = {
    UINT(T, "shares", shares),
    INT(T, "quota", quota),
    UINT(T, "burst", burst),
    UINT(T, "period", period),
    INT(T, "realtimeRuntime", realtime_runtime),
    UINT(T, "realtimePeriod", realtime_period),
    STR(T, "cpus", cpus),
    STR(T, "mems", mems),
    INT(T, "idle", idle),
};
#undef T
static const struct codec_type cpu_type = TYPE("cpu", struct spec_cpu, cpu_fields);

#define T struct spec_pids
static const struct codec_field pids_fields[] = {
    INT_REQ(T, "limit", limit),
};
#undef T
static const struct codec_type pids_type = TYPE("pids", struct spec_pids, pids_fields);

#define T struct spec_weight_device
static const struct codec_field weight_device_fields[] = {
    INT_REQ(T, "major", major),
    INT_REQ(T, "minor", minor),
    UINT(T, "weight", weight),
    UINT(T, "leafWeight", leaf_weight),
};
#undef T
static const struct codec_type weight_device_type =
    TYPE("weightDevice", struct spec_weight_device, weight_device_fields);

#define T struct spec_throttle_device
static const struct codec_field throttle_device_fields[] = {
    INT_REQ(T, "major", major),
    INT_REQ(T, "minor", minor),
    UINT(T, "rate", rate),
};
#undef T
static const struct codec_type throttle_device_type =
    TYPE("throttleDevice", struct spec_throttle_device, throttle_device_fields);

#define T struct spec_block_io
static const struct codec_field block_io_fields[] = {
    UINT(T, "weight", weight),
    UINT(T, "leafWeight", leaf_weight),
    ARR(T, "weightDevice", weight_device, weight_device_type),
    ARR(T, "throttleReadBpsDevice", throttle_read_bps_device, throttle_device_type),
    ARR(T, "throttleWriteBpsDevice", throttle_write_bps_device, throttle_device_type),
    ARR(T, "throttleReadIOPSDevice", throttle_read_iops_device, throttle_device_type),
    ARR(T, "throttleWriteIOPSDevice", throttle_write_iops_device, throttle_device_type),
};
#undef T
static const struct codec_type block_io_type =
    TYPE("blockIO", struct spec_block_io, block_io_fields);

#define T struct spec_hugepage_limit
static const struct codec_field hugepage_limit_fields[] = {
    STR_REQ(T, "pageSize", page_size),
    UINT_REQ(T, "limit", limit),
};
#undef T
static const struct codec_type hugepage_limit_type =
    TYPE("hugepageLimit", struct spec_hugepage_limit, hugepage_limit_fields);

#define T struct spec_net_priority
static const struct codec_field net_priority_fields[] = {
    STR_REQ(T, "name", name),
    UINT_REQ(T, "priority", priority),
};
#undef T
static const struct codec_type net_priority_type =
    TYPE("netPriority", struct spec_net_priority, net_priority_fields);

#define T struct spec_network
static const struct codec_field network_fields[] = {
    UINT(T, "classID", class_id),
    ARR(T, "priorities", priorities, net_priority_type),
};
#undef T
static const struct codec_type network_type = TYPE("network", struct spec_network, network_fields);

#define T struct spec_rdma
static const struct codec_field rdma_fields[] = {
    UINT(T, "hcaHandles", hca_handles),
    UINT(T, "hcaObjects", hca_objects),
};
#undef T
static const struct codec_type rdma_type = TYPE("rdma", struct spec_rdma, rdma_fields);

#define T struct spec_resources
static const struct codec_field resources_fields[] = {
    ARR(T, "devices", devices, device_cgroup_type),
    OBJ(T, "memory", memory, memory_type),
    OBJ(T, "cpu", cpu, cpu_type),
    OBJ(T, "pids", pids, pids_type),
    OBJ(T, "blockIO", block_io, block_io_type),
    ARR(T, "hugepageLimits", hugepage_limits, hugepage_limit_type),
    OBJ(T, "network", network, network_type),
    OBJMAP(T, "rdma", rdma, rdma_type),
    STRMAP(T, "unified", unified),
};
#undef T
static const struct codec_type resources_type =
    TYPE("resources", struct spec_resources, resources_fields);

#define T struct spec_intel_rdt
static const struct codec_field intel_rdt_fields[] = {
    STR(T, "closID", clos_id),
    STRV(T, "schemata", schemata),
    STR(T, "l3CacheSchema", l3_cache_schema),
    STR(T, "memBwSchema", mem_bw_schema),
    BOOL(T, "enableMonitoring", enable_monitoring),
};
#undef T
static const struct codec_type intel_rdt_type =
    TYPE("intelRdt", struct spec_intel_rdt, intel_rdt_fields);

#define T struct spec_seccomp_arg
static const struct codec_field seccomp_arg_fields[] = {
    UINT_REQ(T, "index", index),
    UINT_REQ(T, "value", value),
    UINT(T, "valueTwo", value_two),
    ENUM_REQ(T, "op", op, spec_enum_seccomp_op),
};
#undef T
static const struct codec_type seccomp_arg_type =
    TYPE("seccompArg", struct spec_seccomp_arg, seccomp_arg_fields);

#define T struct spec_syscall
static const struct codec_field syscall_fields[] = {
    STRV_REQ(T, "names", names),
    ENUM_REQ(T, "action", action, spec_enum_seccomp_action),
    UINT(T, "errnoRet", errno_ret),
    ARR(T, "args", args, seccomp_arg_type),
};
#undef T
static const struct codec_type syscall_type = TYPE("syscall", struct spec_syscall, syscall_fields);

#define T struct spec_seccomp
static const struct codec_field seccomp_fields[] = {
    ENUM_REQ(T, "defaultAction", default_action, spec_enum_seccomp_action),
    UINT(T, "defaultErrnoRet", default_errno_ret),
    ENUMV(T, "architectures", architectures, spec_enum_seccomp_arch),
    ENUMV(T, "flags", flags, spec_enum_seccomp_flag),
    STR(T, "listenerPath", listener_path),
    STR(T, "listenerMetadata", listener_metadata),
    ARR(T, "syscalls", syscalls, syscall_type),
};
#undef T
static const struct codec_type seccomp_type = TYPE("seccomp", struct spec_seccomp, seccomp_fields);

#define T struct spec_personality
static const struct codec_field personality_fields[] = {
    ENUM(T, "domain", domain, spec_enum_personality_domain),
    STRV(T, "flags", flags),
};
#undef T
static const struct codec_type personality_type =
    TYPE("personality", struct spec_personality, personality_fields);

#define T struct spec_memory_policy
static const struct codec_field memory_policy_fields[] = {
    ENUM(T, "mode", mode, spec_enum_mempolicy_mode),
    STR(T, "nodes", nodes),
    ENUMV(T, "flags", flags, spec_enum_mempolicy_flag),
};
#undef T
static const struct codec_type memory_policy_type =
    TYPE("memoryPolicy", struct spec_memory_policy, memory_policy_fields);

#define T struct spec_linux
static const struct codec_field linux_fields[] = {
    ARR(T, "uidMappings", uid_mappings, id_mapping_type),
    ARR(T, "gidMappings", gid_mappings, id_mapping_type),
    ARR(T, "devices", devices, device_type),
    OBJMAP(T, "netDevices", net_devices, net_device_type),
    STR(T, "cgroupsPath", cgroups_path),
    OBJ(T, "resources", resources, resources_type),
    OBJ(T, "intelRdt", intel_rdt, intel_rdt_type),
    STRMAP(T, "sysctl", sysctl),
    ARR(T, "namespaces", namespaces, namespace_type),
    OBJ(T, "timeOffsets", time_offsets, time_offsets_type),
    OBJ(T, "seccomp", seccomp, seccomp_type),
    ENUM(T, "rootfsPropagation", rootfs_propagation, spec_enum_propagation),
    STRV(T, "maskedPaths", masked_paths),
    STRV(T, "readonlyPaths", readonly_paths),
    STR(T, "mountLabel", mount_label),
    OBJ(T, "personality", personality, personality_type),
    OBJ(T, "memoryPolicy", memory_policy, memory_policy_type),
};
#undef T
static const struct codec_type linux_type = TYPE("linux", struct spec_linux, linux_fields);

#define T struct spec
static const struct codec_field spec_fields[] = {
    STR_REQ(T, "ociVersion", oci_version),
    OBJ(T, "process", process, codec_process),
    OBJ(T, "root", root, root_type),
    STR(T, "hostname", hostname),
    STR(T, "domainname", domainname),
    ARR(T, "mounts", mounts, mount_type),
    OBJ(T, "hooks", hooks, hooks_type),
    STRMAP(T, "annotations", annotations),
    OBJ(T, "linux", linux_, linux_type),
};
#undef T
const struct codec_type codec_spec = TYPE("config", struct spec, spec_fields);

/* ---- runtime.md state, with runc's additions ---- */

#define T struct spec_state_private
static const struct codec_field state_private_fields[] = {
    UINT(T, "initStartTime", init_start_time),
    BOOL(T, "pidns", pidns),
    STR(T, "cgroupPath", cgroup_path),
    BOOL(T, "rootless", rootless),
    BOOL(T, "configAtStart", config_at_start),
    BOOL(T, "configAtDelete", config_at_delete),
};
#undef T
static const struct codec_type state_private_type =
    TYPE("berth", struct spec_state_private, state_private_fields);

#define T struct spec_state
static const struct codec_field state_fields[] = {
    STR_REQ(T, "ociVersion", oci_version),
    STR_REQ(T, "id", id),
    INT(T, "pid", pid),
    STR_REQ(T, "status", status),
    STR_REQ(T, "bundle", bundle),
    STR(T, "rootfs", rootfs),
    STR(T, "created", created),
    STR(T, "owner", owner),
    STRMAP(T, "annotations", annotations),
    OBJ(T, "berth", priv, state_private_type),
};
#undef T
const struct codec_type codec_state = TYPE("state", struct spec_state, state_fields);

/* clang-format on */

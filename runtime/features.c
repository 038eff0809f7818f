/* SPDX-License-Identifier: Apache-2.0 */
/* The Features structure of runtime-spec v1.3.0 (features.md,
 * features-linux.md): what berth implements, and nothing it does not.
 *
 * The document is assembled from three sources, so that it cannot drift from
 * the code it describes:
 *   - `impl` below: one flag per runtime feature, true only once the code that
 *     carries it out exists.  Turning a feature on is a one-line change here,
 *     made in the commit that implements it;
 *   - the parser's and validator's name tables (bundle/spec.h,
 *     bundle/validate.h) for the names that config.json may contain and berth
 *     recognises: namespaces, capabilities, seccomp names, memory policy
 *     modes and flags;
 *   - libseccomp, asked at run time which actions and architectures it can
 *     express, and the kernel, which seccomp filter flags it accepts.
 *
 * The spec distinguishes an absent (or null) property, "not reported", from an
 * empty one, "none": features.md, "The null value MUST NOT be confused with an
 * empty value".  berth reports what it knows, so an unimplemented list is
 * written empty and an unimplemented switch is written false. */
#include "runtime/features.h"
#include "runtime/mount-opts.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "bundle/validate.h"
#include "lib/json.h"
#include "lib/xalloc.h"

#ifndef BERTH_VERSION
#define BERTH_VERSION "unknown"
#endif
#ifndef BERTH_COMMIT
#define BERTH_COMMIT "unknown"
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ociVersionMin and ociVersionMax: features.md, "The runtime MUST accept this
 * value as the ociVersion property of config.json".  berth parses every 1.x
 * config.json up to the version it was written against. */
#define FEATURES_OCI_VERSION_MIN "1.0.0"
#define FEATURES_OCI_VERSION_MAX SPEC_OCI_VERSION

/* What berth carries out today: a switch is on only once the code that acts
 * on a container exists.  Each one is flipped by the commit that implements
 * it, and the document follows. */
static const struct {
    bool hooks;                /* config.json hooks run at their points (all six) */
    bool seccomp;              /* linux.seccomp is compiled and loaded */
    bool cgroup_v1;            /* never: berth is cgroup v2 only (DESIGN.md) */
    bool cgroup_v2;            /* linux.resources applied through cgroup v2 */
    bool cgroup_systemd;       /* --systemd-cgroup, system instance */
    bool cgroup_systemd_user;  /* --systemd-cgroup, user instance */
    bool cgroup_rdma;          /* linux.resources.rdma */
    bool apparmor;             /* process.apparmorProfile applied */
    bool selinux;              /* process.selinuxLabel and linux.mountLabel applied */
    bool intel_rdt;            /* linux.intelRdt */
    bool intel_rdt_schemata;   /* linux.intelRdt.schemata */
    bool intel_rdt_monitoring; /* linux.intelRdt.enableMonitoring */
    bool idmap_mounts;         /* mounts[].uidMappings and gidMappings used */
    bool net_devices;          /* linux.netDevices moved into the container */
} impl = {
    .hooks = true,
    .seccomp = true,
    .cgroup_v1 = false,
    .cgroup_v2 = true, /* runtime/cgroup*.c */
    .cgroup_systemd = false,
    .cgroup_systemd_user = false,
    .cgroup_rdma = true, /* rdma.max, runtime/cgroup-plan.c */
    .apparmor = false,
    .selinux = false,
    .intel_rdt = false,
    .intel_rdt_schemata = false,
    .intel_rdt_monitoring = false,
    .idmap_mounts = true, /* runtime/idmap.c */
    .net_devices = false,
};

/* features.md, hooks: "The runtime MUST support the elements in this array as
 * the hooks property of config.json": the names are listed only once berth
 * runs them, not merely parses them.  The six arrays of struct spec_hooks. */
static const char *const hook_names[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

/* linux.capabilities: the names the validator recognises in
 * process.capabilities (bundle/validate.h), which must cover every capability
 * of the kernel headers berth is built with. */
_Static_assert(BUNDLE_CAP_LAST >= CAP_LAST_CAP,
               "bundle_capability_name() lacks capabilities that <linux/capability.h> defines");

/* ---- libseccomp and the kernel ---- */

static bool
libseccomp_at_least(unsigned int major, unsigned int minor)
{
    const struct scmp_version *v = seccomp_version();

    if (v == NULL)
        return false;
    return v->major > major || (v->major == major && v->minor >= minor);
}

/* The libseccomp release that introduced each action; the others date from
 * 2.0.  This is a property of the library, not of the kernel: features-linux.md
 * describes seccomp support "irrelevant to the kernel version of the host".
 * berth carries out every one of them, SCMP_ACT_NOTIFY included (the
 * listener goes to the agent through runtime/filter.c). */
static bool
libseccomp_has_action(int action)
{
    switch ((enum spec_seccomp_action)action) {
    case SPEC_SCMP_ACT_KILL_PROCESS:
    case SPEC_SCMP_ACT_LOG:
        return libseccomp_at_least(2, 4);
    case SPEC_SCMP_ACT_NOTIFY:
        return libseccomp_at_least(2, 5);
    case SPEC_SCMP_ACT_KILL_THREAD: /* the action value of SCMP_ACT_KILL */
    case SPEC_SCMP_ACT_KILL:
    case SPEC_SCMP_ACT_TRAP:
    case SPEC_SCMP_ACT_ERRNO:
    case SPEC_SCMP_ACT_TRACE:
    case SPEC_SCMP_ACT_ALLOW:
        return true;
    case SPEC_SCMP_ACT_UNSET:
    case SPEC_SCMP_ACT__COUNT:
        break;
    }
    return false;
}

/* "SCMP_ARCH_X86_64" is libseccomp's "x86_64": the spec's names are
 * libseccomp's, upper-cased and prefixed.  An architecture this libseccomp
 * was built without resolves to 0. */
static bool
libseccomp_has_arch(const char *spec_name)
{
    static const char prefix[] = "SCMP_ARCH_";
    char lower[32];
    size_t i;

    if (strncmp(spec_name, prefix, sizeof(prefix) - 1) != 0)
        return false;
    spec_name += sizeof(prefix) - 1;
    for (i = 0; spec_name[i] != '\0' && i < sizeof(lower) - 1; i++)
        lower[i] = (char)(spec_name[i] >= 'A' && spec_name[i] <= 'Z' ? spec_name[i] - 'A' + 'a'
                                                                     : spec_name[i]);
    if (spec_name[i] != '\0')
        return false;
    lower[i] = '\0';
    return seccomp_arch_resolve_name(lower) != 0;
}

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Does the kernel accept FLAGS for SECCOMP_SET_MODE_FILTER?  With a NULL
 * program the kernel refuses unknown flags (EINVAL) before it copies the
 * program (EFAULT), so nothing is ever installed; libseccomp probes the same
 * way.  A seccomp(2) that is missing or itself filtered counts as "no". */
static bool
kernel_has_filter_flags(unsigned long flags)
{
    long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL);

    return rc < 0 && errno == EFAULT;
}

/* supportedFlags: berth exports the BPF from libseccomp and loads it with
 * seccomp(2) itself (seccomp/sfilter-load.c), passing the flags straight to
 * the kernel, so no libseccomp attribute is involved: a flag is supported
 * when the kernel knows it.  This is the check sfilter_compile() makes. */
static bool
seccomp_flag_is_supported(int flag)
{
    switch ((enum spec_seccomp_flag)flag) {
    case SPEC_SCMP_FLAG_TSYNC:
        return kernel_has_filter_flags(SECCOMP_FILTER_FLAG_TSYNC);
    case SPEC_SCMP_FLAG_LOG:
        return kernel_has_filter_flags(SECCOMP_FILTER_FLAG_LOG);
    case SPEC_SCMP_FLAG_SPEC_ALLOW:
        return kernel_has_filter_flags(SECCOMP_FILTER_FLAG_SPEC_ALLOW);
    case SPEC_SCMP_FLAG_WAIT_KILLABLE_RECV:
        /* The kernel accepts it only together with NEW_LISTENER. */
        return kernel_has_filter_flags(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
                                       | SECCOMP_FILTER_FLAG_NEW_LISTENER);
    case SPEC_SCMP_FLAG_UNSET:
    case SPEC_SCMP_FLAG__COUNT:
        break;
    }
    return false;
}

char *
runtime_libseccomp_version(void)
{
    const struct scmp_version *v = seccomp_version();

    if (v == NULL)
        return xstrdup("unknown");
    return xasprintf("%u.%u.%u", v->major, v->minor, v->micro);
}

/* ---- writing ---- */

static void
write_strings(struct json_writer *w, const char *key, const char *const *names, size_t n)
{
    json_w_key(w, key);
    json_w_array_begin(w);
    for (size_t i = 0; i < n; i++)
        json_w_string(w, names[i]);
    json_w_array_end(w);
}

/* The names of enum table E, optionally only those KEEP accepts. */
static void
write_enum_names(struct json_writer *w, const char *key, const struct spec_enum *e,
                 bool (*keep)(int value))
{
    json_w_key(w, key);
    json_w_array_begin(w);
    for (int v = 1; v < e->count; v++)
        if (keep == NULL || keep(v))
            json_w_string(w, spec_enum_name(e, v));
    json_w_array_end(w);
}

static bool
keep_arch(int value)
{
    return libseccomp_has_arch(spec_enum_name(&spec_enum_seccomp_arch, value));
}

static void
write_bool(struct json_writer *w, const char *key, bool value)
{
    json_w_key(w, key);
    json_w_bool(w, value);
}

/* An object holding the single member "enabled". */
static void
write_enabled(struct json_writer *w, const char *key, bool enabled)
{
    json_w_key(w, key);
    json_w_object_begin(w);
    write_bool(w, "enabled", enabled);
    json_w_object_end(w);
}

static void
write_seccomp(struct json_writer *w)
{
    json_w_key(w, "seccomp");
    json_w_object_begin(w);
    write_bool(w, "enabled", impl.seccomp);
    /* actions, operators, archs and knownFlags are the names berth
     * recognises in config.json and can hand to libseccomp; whether it
     * applies them is "enabled". */
    write_enum_names(w, "actions", &spec_enum_seccomp_action, libseccomp_has_action);
    /* Every operator has been in libseccomp since 2.0. */
    write_enum_names(w, "operators", &spec_enum_seccomp_op, NULL);
    write_enum_names(w, "archs", &spec_enum_seccomp_arch, keep_arch);
    write_enum_names(w, "knownFlags", &spec_enum_seccomp_flag, NULL);
    /* "The runtime MUST recognize and support the elements in this array":
     * without seccomp support berth supports no flag. */
    json_w_key(w, "supportedFlags");
    json_w_array_begin(w);
    if (impl.seccomp)
        for (int v = 1; v < spec_enum_seccomp_flag.count; v++)
            if (seccomp_flag_is_supported(v))
                json_w_string(w, spec_enum_name(&spec_enum_seccomp_flag, v));
    json_w_array_end(w);
    json_w_object_end(w);
}

static void
write_linux(struct json_writer *w)
{
    json_w_key(w, "linux");
    json_w_object_begin(w);

    /* features-linux.md: "The recognized names of the namespaces, including
     * namespaces that might not be supported by the host": the parser's. */
    write_enum_names(w, "namespaces", &spec_enum_ns_type, NULL);
    json_w_key(w, "capabilities");
    json_w_array_begin(w);
    for (int cap = 0; cap <= BUNDLE_CAP_LAST; cap++)
        json_w_string(w, bundle_capability_name(cap));
    json_w_array_end(w);

    json_w_key(w, "cgroup");
    json_w_object_begin(w);
    write_bool(w, "v1", impl.cgroup_v1);
    write_bool(w, "v2", impl.cgroup_v2);
    write_bool(w, "systemd", impl.cgroup_systemd);
    write_bool(w, "systemdUser", impl.cgroup_systemd_user);
    write_bool(w, "rdma", impl.cgroup_rdma);
    json_w_object_end(w);

    write_seccomp(w);
    write_enabled(w, "apparmor", impl.apparmor);
    write_enabled(w, "selinux", impl.selinux);

    json_w_key(w, "intelRdt");
    json_w_object_begin(w);
    write_bool(w, "enabled", impl.intel_rdt);
    write_bool(w, "schemata", impl.intel_rdt_schemata);
    write_bool(w, "monitoring", impl.intel_rdt_monitoring);
    json_w_object_end(w);

    /* idmap.enabled: "whether the runtime parses and attempts to use the
     * uidMappings and gidMappings properties of mounts": parsing alone is
     * not enough. */
    json_w_key(w, "mountExtensions");
    json_w_object_begin(w);
    write_enabled(w, "idmap", impl.idmap_mounts);
    json_w_object_end(w);

    write_enabled(w, "netDevices", impl.net_devices);

    /* "Recognized memory policies. Includes policies that may not be
     * supported by the host": the parser's tables. */
    json_w_key(w, "memoryPolicy");
    json_w_object_begin(w);
    write_enum_names(w, "modes", &spec_enum_mempolicy_mode, NULL);
    write_enum_names(w, "flags", &spec_enum_mempolicy_flag, NULL);
    json_w_object_end(w);

    json_w_object_end(w);
}

static void
write_annotations(struct json_writer *w)
{
    char *libseccomp = runtime_libseccomp_version();

    /* features.md: annotations "MUST be a key-value map that follows the same
     * convention as" config.json's: reverse-domain keys of our own, and
     * libseccomp's key as runc writes it. */
    json_w_key(w, "annotations");
    json_w_object_begin(w);
    json_w_key(w, "io.github.seccomp.libseccomp.version");
    json_w_string(w, libseccomp);
    json_w_key(w, "run.berth.commit");
    json_w_string(w, BERTH_COMMIT);
    json_w_key(w, "run.berth.version");
    json_w_string(w, BERTH_VERSION);
    json_w_object_end(w);
    free(libseccomp);
}

int
runtime_features_json(bool pretty, char **ret_buf, size_t *ret_len, struct error **err)
{
    struct json_writer *w = json_writer_new(pretty);
    int rc;

    json_w_object_begin(w);
    json_w_key(w, "ociVersionMin");
    json_w_string(w, FEATURES_OCI_VERSION_MIN);
    json_w_key(w, "ociVersionMax");
    json_w_string(w, FEATURES_OCI_VERSION_MAX);
    write_strings(w, "hooks", hook_names, impl.hooks ? COUNT(hook_names) : 0);
    /* mountOptions: "The runtime MUST recognize the elements in this array as
     * the options of mounts objects": the option table of the mount code
     * itself (runtime/mount-opts.c); anything else is filesystem data. */
    json_w_key(w, "mountOptions");
    json_w_array_begin(w);
    for (size_t i = 0; i < mount_opts_count(); i++)
        json_w_string(w, mount_opts_name(i));
    json_w_array_end(w);
    write_linux(w);
    write_annotations(w);
    /* config.json annotations that change what berth does: it reads none. */
    write_strings(w, "potentiallyUnsafeConfigAnnotations", NULL, 0);
    json_w_object_end(w);

    rc = json_writer_finish(w, ret_buf, ret_len, err);
    if (rc < 0)
        return error_wrap(err, "features");
    return 0;
}

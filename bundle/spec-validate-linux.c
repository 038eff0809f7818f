/* SPDX-License-Identifier: Apache-2.0 */
/* spec_validate(), part: the linux object of config-linux.md, except
 * resources (spec-validate-cgroup.c) and seccomp (spec-validate-seccomp.c),
 * and the CPU list and interface name parsers the runtime shares. */
#include "bundle/validate.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- CPU lists, interface names ---- */

/* Stop long before any overflow; the kernel's NR_CPUS and MAX_NUMNODES are
 * at most 8192 and 1024. */
#define CPU_LIST_MAX 1000000u

static bool
parse_list_number(const char **p, unsigned *ret)
{
    const char *s = *p;
    unsigned n = 0;

    if (!isdigit((unsigned char)*s))
        return false;
    for (; isdigit((unsigned char)*s); s++) {
        n = n * 10 + (unsigned)(*s - '0');
        if (n > CPU_LIST_MAX)
            return false;
    }
    *p = s;
    *ret = n;
    return true;
}

static void
skip_spaces(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

/* One item: N, N-M or N-M:USED/GROUP. */
static bool
parse_cpu_item(const char **p, unsigned long *set, size_t nbits)
{
    const size_t word = sizeof(unsigned long) * 8;
    unsigned lo, hi, used = 1, group = 1;

    if (!parse_list_number(p, &lo))
        return false;
    hi = lo;
    if (**p == '-') {
        (*p)++;
        if (!parse_list_number(p, &hi) || hi < lo)
            return false;
        if (**p == ':') {
            (*p)++;
            if (!parse_list_number(p, &used) || *(*p)++ != '/' || !parse_list_number(p, &group)
                || used == 0 || group == 0 || used > group)
                return false;
        }
    }
    if (set == NULL)
        return true;
    if (hi >= nbits)
        return false;
    for (unsigned n = lo; n <= hi; n++)
        if ((n - lo) % group < used)
            set[n / word] |= 1ul << (n % word);
    return true;
}

bool
bundle_parse_cpu_list(const char *s, unsigned long *set, size_t nbits)
{
    const size_t word = sizeof(unsigned long) * 8;

    if (set != NULL)
        memset(set, 0, (nbits + word - 1) / word * sizeof(unsigned long));
    skip_spaces(&s);
    if (*s == '\0')
        return true;
    for (;;) {
        skip_spaces(&s);
        if (!parse_cpu_item(&s, set, nbits))
            return false;
        skip_spaces(&s);
        if (*s == '\0')
            return true;
        if (*s++ != ',')
            return false;
    }
}

void
validate_cpu_list(struct validator *v, const char *key, const char *list, const char *what)
{
    if (list != NULL && !bundle_parse_cpu_list(list, NULL, 0))
        validate_error(v, key, "\"%s\" is not a %s (numbers and ranges, e.g. \"0-3,7\")", list,
                       what);
}

bool
bundle_is_valid_ifname(const char *name)
{
    size_t len = strlen(name);

    /* IFNAMSIZ is 16, with the NUL. */
    if (len == 0 || len >= 16 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (const char *c = name; *c; c++)
        if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
            return false;
    return true;
}

/* ---- namespaces and id mappings ---- */

/* config-linux.md "Namespaces": "If a namespaces field contains duplicated
 * namespaces with same type, the runtime MUST generate an error"; path
 * "MUST be an absolute path in the runtime mount namespace". */
static void
check_namespaces(struct validator *v, const struct spec_linux *l)
{
    size_t mark = validate_push_key(v, "namespaces");

    for (size_t i = 0; i < l->n_namespaces; i++) {
        const struct spec_namespace *ns = &l->namespaces[i];
        size_t im = validate_push_index(v, i);

        for (size_t j = 0; j < i; j++)
            if (ns->type != SPEC_NS_UNSET && l->namespaces[j].type == ns->type) {
                validate_error(v, "type", "namespace \"%s\" is listed twice (also namespaces[%zu])",
                               spec_enum_name(&spec_enum_ns_type, ns->type), j);
                break;
            }
        validate_absolute_path(v, "path", ns->path);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* user_namespaces(7) and the kernel's map_write(): at most 340 lines
 * (UID_GID_MAP_MAX_EXTENTS), no empty range, no range whose end wraps past
 * 2^32 - 1 (id 4294967295 is (uid_t)-1 and never maps), and no two ranges
 * that overlap on either side. */
void
validate_id_mappings(struct validator *v, const char *key, const struct spec_id_mapping *m,
                     size_t n)
{
    size_t mark = validate_push_key(v, key);

    if (n > 340)
        validate_error(v, NULL, "%zu entries are more than the kernel's limit of 340", n);
    for (size_t i = 0; i < n; i++) {
        uint64_t c_end = (uint64_t)m[i].container_id + m[i].size;
        uint64_t h_end = (uint64_t)m[i].host_id + m[i].size;
        size_t im = validate_push_index(v, i);

        if (m[i].size == 0) {
            validate_error(v, "size", "must be greater than zero");
        } else if (c_end > UINT32_MAX || h_end > UINT32_MAX) {
            validate_error(v, "size",
                           "%s %" PRIu32 " plus size %" PRIu32 " goes past the last id 4294967294",
                           c_end > UINT32_MAX ? "containerID" : "hostID",
                           c_end > UINT32_MAX ? m[i].container_id : m[i].host_id, m[i].size);
        } else {
            for (size_t j = 0; j < i; j++) {
                bool c_overlap = m[i].container_id < (uint64_t)m[j].container_id + m[j].size
                                 && m[j].container_id < c_end;
                bool h_overlap =
                    m[i].host_id < (uint64_t)m[j].host_id + m[j].size && m[j].host_id < h_end;

                if (m[j].size == 0)
                    continue;
                if (c_overlap)
                    validate_error(v, "containerID",
                                   "container ids %" PRIu32 "-%" PRIu64 " overlap %s[%zu]",
                                   m[i].container_id, c_end - 1, key, j);
                if (h_overlap)
                    validate_error(v, "hostID", "host ids %" PRIu32 "-%" PRIu64 " overlap %s[%zu]",
                                   m[i].host_id, h_end - 1, key, j);
                if (c_overlap || h_overlap)
                    break;
            }
        }
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* Mappings without a user namespace have nothing to map (runc refuses them
 * too).  A new user namespace with neither mapping maps no id at all: the
 * runtime has to make them up, which is worth a warning.  One without the
 * other leaves every file owned by nobody on one side: runc refuses it. */
static void
check_user_namespace(struct validator *v, const struct spec_linux *l)
{
    const struct spec_namespace *user = bundle_find_namespace(v->spec, SPEC_NS_USER);
    bool has_uid = l->uid_mappings != NULL, has_gid = l->gid_mappings != NULL;

    if (user == NULL) {
        if (has_uid)
            validate_error(v, "uidMappings",
                           "needs a user namespace (add {\"type\": \"user\"} to linux.namespaces)");
        if (has_gid)
            validate_error(v, "gidMappings",
                           "needs a user namespace (add {\"type\": \"user\"} to linux.namespaces)");
    } else if (user->path == NULL) {
        if (!has_uid && !has_gid)
            validate_warning(v, "namespaces",
                             "the new user namespace has no uidMappings or gidMappings: the "
                             "runtime will have to choose them");
        else if (!has_gid)
            validate_error(v, "uidMappings", "must be given together with gidMappings");
        else if (!has_uid)
            validate_error(v, "gidMappings", "must be given together with uidMappings");
    }
    if (has_uid)
        validate_id_mappings(v, "uidMappings", l->uid_mappings, l->n_uid_mappings);
    if (has_gid)
        validate_id_mappings(v, "gidMappings", l->gid_mappings, l->n_gid_mappings);
}

/* time_namespaces(7): offsets are written to /proc/PID/timens_offsets of a
 * new time namespace before any process enters it, so they need one of the
 * container's own (runc refuses them without), and cannot apply to one
 * joined by path.  The kernel takes nanoseconds below one second. */
static void
check_time_offset(struct validator *v, const char *key, const struct spec_time_offset *t)
{
    size_t mark;

    if (t == NULL || !t->has_nanosecs || t->nanosecs < 1000000000u)
        return;
    mark = validate_push_key(v, key);
    validate_error(v, "nanosecs", "%" PRIu32 " is out of range (0 to 999999999)", t->nanosecs);
    validate_pop(v, mark);
}

static void
check_time_offsets(struct validator *v, const struct spec_time_offsets *t)
{
    const struct spec_namespace *time = bundle_find_namespace(v->spec, SPEC_NS_TIME);
    size_t mark;

    if (time == NULL)
        validate_error(v, "timeOffsets",
                       "needs a time namespace (add {\"type\": \"time\"} to linux.namespaces)");
    else if (time->path != NULL)
        validate_error(v, "timeOffsets", "cannot be applied to the time namespace joined at '%s'",
                       time->path);
    mark = validate_push_key(v, "timeOffsets");
    check_time_offset(v, "boottime", t->boottime);
    check_time_offset(v, "monotonic", t->monotonic);
    validate_pop(v, mark);
}

/* ---- devices, network devices ---- */

/* config-linux.md "Devices": path is the "full path to device inside
 * container" (an absolute path; it "MAY be anywhere in the container
 * filesystem, notably outside of /dev"); major and minor are "REQUIRED
 * unless type is p"; "The same type, major and minor SHOULD NOT be used for
 * multiple devices".  Two entries for one path cannot both be created.
 * The kernel's dev_t has 12 bits of major and 20 of minor. */
static void
check_device(struct validator *v, const struct spec_device *devs, size_t i)
{
    const struct spec_device *d = &devs[i];
    const char *type = spec_enum_name(&spec_enum_dev_type, d->type);

    validate_absolute_path(v, "path", d->path);
    for (size_t j = 0; j < i && d->path != NULL; j++)
        if (devs[j].path != NULL && strcmp(devs[j].path, d->path) == 0) {
            validate_error(v, "path", "\"%s\" is listed twice (also devices[%zu])", d->path, j);
            break;
        }
    if (d->type == SPEC_DEV_FIFO) {
        if (d->has_major || d->has_minor)
            validate_warning(v, d->has_major ? "major" : "minor", "ignored for device type \"p\"");
        return;
    }
    if (type == NULL)
        return;
    if (!d->has_major)
        validate_error(v, "major", "required for device type \"%s\"", type);
    else if (d->major < 0 || d->major > 4095)
        validate_error(v, "major", "%" PRId64 " is out of range (0 to 4095)", d->major);
    if (!d->has_minor)
        validate_error(v, "minor", "required for device type \"%s\"", type);
    else if (d->minor < 0 || d->minor > 1048575)
        validate_error(v, "minor", "%" PRId64 " is out of range (0 to 1048575)", d->minor);
    if (!d->has_major || !d->has_minor)
        return;
    for (size_t j = 0; j < i; j++)
        if (devs[j].type == d->type && devs[j].has_major && devs[j].has_minor
            && devs[j].major == d->major && devs[j].minor == d->minor) {
            validate_warning(v, NULL, "same type, major and minor as devices[%zu]", j);
            break;
        }
}

static void
check_devices(struct validator *v, const struct spec_linux *l)
{
    size_t mark = validate_push_key(v, "devices");

    for (size_t i = 0; i < l->n_devices; i++) {
        size_t im = validate_push_index(v, i);
        check_device(v, l->devices, i);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* config-linux.md "Network Devices": the key is the host interface and
 * name its name in the container, both real interface names.  Two
 * entries cannot land on the same name ("If a network device with the
 * specified name already exists in the container namespace, the runtime
 * MUST generate an error") unless it is a "%d" template.  Moving devices
 * needs a network namespace of the container's; without one, "The runtime
 * MUST check if moving the network interface to the container namespace is
 * possible" and fail at create, but the spec's own good example
 * (schema/test/config/good/linux-netdevice.json) has no namespaces, so the
 * configuration itself only gets a warning. */
static void
check_net_devices(struct validator *v, const struct spec_linux *l)
{
    size_t mark;

    if (l->n_net_devices > 0 && bundle_find_namespace(v->spec, SPEC_NS_NETWORK) == NULL)
        validate_warning(v, "netDevices",
                         "there is no network namespace to move them into (add {\"type\": "
                         "\"network\"} to linux.namespaces)");
    mark = validate_push_key(v, "netDevices");
    for (size_t i = 0; i < l->n_net_devices; i++) {
        const struct spec_net_device *d = &l->net_devices[i];
        const char *target = d->name != NULL ? d->name : d->key;
        size_t km = validate_push_key(v, d->key);

        if (!bundle_is_valid_ifname(d->key))
            validate_error(v, NULL,
                           "\"%s\" is not an interface name (1 to 15 bytes, no '/', ':' or space)",
                           d->key);
        if (d->name != NULL && !bundle_is_valid_ifname(d->name))
            validate_error(v, "name",
                           "\"%s\" is not an interface name (1 to 15 bytes, no '/', ':' or space)",
                           d->name);
        for (size_t j = 0; j < i && strstr(target, "%d") == NULL; j++) {
            const struct spec_net_device *o = &l->net_devices[j];

            if (strcmp(o->name != NULL ? o->name : o->key, target) == 0) {
                validate_error(v, d->name != NULL ? "name" : NULL,
                               "\"%s\" is also the name of \"%s\" in the container", target,
                               o->key);
                break;
            }
        }
        validate_pop(v, km);
    }
    validate_pop(v, mark);
}

/* ---- sysctl ---- */

/* sysctl(8) names use '.' or '/' as separator, whichever comes first; in
 * the dotted form a '/' stands for a '.' inside a component
 * ("net.ipv4.conf.eth0/100.rp_filter").  The runtime writes
 * /proc/sys/<components joined by '/'>, so a component that is empty, "."
 * or ".." would climb out of the key's place. */
static bool
is_valid_sysctl_name(const char *name)
{
    size_t first = strcspn(name, "./");
    char sep = name[first] == '/' ? '/' : '.';
    char other = sep == '.' ? '/' : '.';
    const char *c = name;

    for (;;) {
        size_t len = strcspn(c, sep == '.' ? "." : "/");
        bool dots = len > 0;

        /* after translation, "." or ".." is a component of only dots */
        for (size_t k = 0; k < len; k++)
            if (c[k] != other)
                dots = false;
        if (len == 0 || (dots && len <= 2))
            return false;
        if (c[len] == '\0')
            return true;
        c += len + 1;
    }
}

static bool
is_ipc_sysctl(const char *name)
{
    static const char *const ipc[] = {
        "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",      "kernel.sem",
        "kernel.shmall",      "kernel.shmmax",      "kernel.shmmni",      "kernel.shm_rmid_forced",
        "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id",
    };

    for (size_t i = 0; i < COUNT(ipc); i++)
        if (strcmp(name, ipc[i]) == 0)
            return true;
    return strncmp(name, "fs.mqueue.", 10) == 0;
}

/* Only namespaced sysctls are safe to set: anything else would change the
 * host.  The rules are runc's (libcontainer/configs/validate): IPC ones need
 * an IPC namespace, net.* a network namespace (one joined by path is taken
 * on trust), kernel.domainname a UTS namespace, and kernel.hostname
 * conflicts with the hostname field. */
static void
check_sysctl_scope(struct validator *v, const char *dotted)
{
    if (is_ipc_sysctl(dotted)) {
        if (bundle_find_namespace(v->spec, SPEC_NS_IPC) == NULL)
            validate_error(v, NULL,
                           "needs an IPC namespace (add {\"type\": \"ipc\"} to "
                           "linux.namespaces)");
    } else if (strncmp(dotted, "net.", 4) == 0) {
        if (bundle_find_namespace(v->spec, SPEC_NS_NETWORK) == NULL)
            validate_error(v, NULL,
                           "needs a network namespace (add {\"type\": \"network\"} to "
                           "linux.namespaces)");
    } else if (strcmp(dotted, "kernel.domainname") == 0) {
        if (bundle_find_namespace(v->spec, SPEC_NS_UTS) == NULL)
            validate_error(v, NULL,
                           "needs a UTS namespace (add {\"type\": \"uts\"} to "
                           "linux.namespaces)");
    } else if (strcmp(dotted, "kernel.hostname") == 0) {
        validate_error(v, NULL, "conflicts with the hostname field: set that instead");
    } else {
        validate_error(v, NULL, "\"%s\" is not namespaced: setting it would change the host",
                       dotted);
    }
}

static void
check_sysctl(struct validator *v, const struct strmap *sysctl)
{
    size_t mark = validate_push_key(v, "sysctl");

    for (size_t i = 0; i < sysctl->n; i++) {
        const char *key = sysctl->items[i].key;
        size_t km = validate_push_key(v, key);

        if (key[0] == '\0') {
            validate_error(v, NULL, "key must not be empty");
        } else if (!is_valid_sysctl_name(key)) {
            validate_error(v, NULL, "\"%s\" is not a sysctl name (an empty, \".\" or \"..\" part)",
                           key);
        } else {
            char *dotted = xstrdup(key);

            /* runc's convertSysctlVariableToDotsSeparator */
            if (key[strcspn(key, "./")] == '/')
                for (char *c = dotted; *c; c++)
                    *c = *c == '/' ? '.' : *c == '.' ? '/' : *c;
            check_sysctl_scope(v, dotted);
            free(dotted);
        }
        validate_pop(v, km);
    }
    validate_pop(v, mark);
}

/* ---- paths, Intel RDT, personality, memory policy ---- */

/* config-linux.md "Masked Paths", "Readonly Paths": "The values MUST be
 * absolute paths in the container namespace"; they are mounts, which need
 * the container's own mount namespace (runc refuses them without). */
static void
check_path_list(struct validator *v, const char *key, const struct strv *paths)
{
    size_t mark;

    if (paths->n > 0 && bundle_find_namespace(v->spec, SPEC_NS_MOUNT) == NULL)
        validate_error(v, key,
                       "needs a mount namespace (add {\"type\": \"mount\"} to linux.namespaces)");
    mark = validate_push_key(v, key);
    for (size_t i = 0; i < paths->n; i++) {
        size_t im = validate_push_index(v, i);
        validate_absolute_path(v, NULL, paths->items[i]);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* config-linux.md "IntelRdt": memBwSchema "MUST start with MB: and MUST NOT
 * contain newlines", schemata entries "MUST NOT contain newlines",
 * l3CacheSchema "SHOULD start with L3: and SHOULD NOT contain newlines".
 * closID names a directory of the resctrl filesystem, "/" being its root:
 * anything with a '/' or a dot name would escape it (runc refuses those). */
static void
check_intel_rdt(struct validator *v, const struct spec_intel_rdt *rdt)
{
    size_t mark = validate_push_key(v, "intelRdt");
    const char *clos = rdt->clos_id;

    if (clos != NULL && strcmp(clos, "/") != 0
        && (clos[0] == '\0' || strcmp(clos, ".") == 0 || strcmp(clos, "..") == 0
            || strchr(clos, '/') != NULL || strchr(clos, '\n') != NULL))
        validate_error(v, "closID",
                       "\"%s\" is not a CLOS name (a directory name in resctrl, or \"/\")", clos);
    if (rdt->l3_cache_schema != NULL) {
        if (strncmp(rdt->l3_cache_schema, "L3:", 3) != 0)
            validate_warning(v, "l3CacheSchema", "\"%s\" does not start with \"L3:\"",
                             rdt->l3_cache_schema);
        if (strchr(rdt->l3_cache_schema, '\n') != NULL)
            validate_warning(v, "l3CacheSchema", "contains a newline");
    }
    if (rdt->mem_bw_schema != NULL) {
        if (strncmp(rdt->mem_bw_schema, "MB:", 3) != 0)
            validate_error(v, "memBwSchema", "\"%s\" does not start with \"MB:\"",
                           rdt->mem_bw_schema);
        if (strchr(rdt->mem_bw_schema, '\n') != NULL)
            validate_error(v, "memBwSchema", "must not contain a newline");
    }
    for (size_t i = 0; i < rdt->schemata.n; i++)
        if (strchr(rdt->schemata.items[i], '\n') != NULL) {
            size_t sm = validate_push_key(v, "schemata");
            validate_push_index(v, i);
            validate_error(v, NULL, "must not contain a newline");
            validate_pop(v, sm);
        }
    validate_pop(v, mark);
}

/* config-linux.md "Personality": domain is REQUIRED; for flags "Currently
 * no flag values are supported", so any is an unsupported value. */
static void
check_personality(struct validator *v, const struct spec_personality *p)
{
    size_t mark = validate_push_key(v, "personality");

    if (p->domain == SPEC_PERS_UNSET)
        validate_error(v, "domain", "required field is missing");
    for (size_t i = 0; i < p->flags.n; i++) {
        size_t fm = validate_push_key(v, "flags");
        validate_push_index(v, i);
        validate_error(v, NULL, "unknown personality flag \"%s\" (runtime-spec defines none)",
                       p->flags.items[i]);
        validate_pop(v, fm);
    }
    validate_pop(v, mark);
}

static bool
has_flag(const struct enumv *flags, int flag)
{
    for (size_t i = 0; i < flags->n; i++)
        if (flags->items[i] == flag)
            return true;
    return false;
}

/* config-linux.md "Memory policy": mode is REQUIRED; "Some modes require
 * that there are no nodes, e.g. MPOL_DEFAULT and MPOL_LOCAL. Others that
 * there is at least one node, e.g. MPOL_BIND and MPOL_INTERLEAVE.  See
 * set_mempolicy(2)", which also says MPOL_PREFERRED with no nodes means
 * local allocation, MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude
 * each other and neither goes with MPOL_LOCAL, and MPOL_F_NUMA_BALANCING
 * needs MPOL_BIND (or MPOL_PREFERRED_MANY since Linux 6.9). */
static void
check_memory_policy(struct validator *v, const struct spec_memory_policy *mp)
{
    const char *mode = spec_enum_name(&spec_enum_mempolicy_mode, mp->mode);
    bool has_nodes = mp->nodes != NULL && mp->nodes[0] != '\0';
    size_t mark = validate_push_key(v, "memoryPolicy");

    if (mode == NULL)
        validate_error(v, "mode", "required field is missing");
    validate_cpu_list(v, "nodes", mp->nodes, "node list");
    switch (mp->mode) {
    case SPEC_MPOL_DEFAULT:
    case SPEC_MPOL_LOCAL:
        if (has_nodes)
            validate_error(v, "nodes", "%s takes no nodes", mode);
        break;
    case SPEC_MPOL_BIND:
    case SPEC_MPOL_INTERLEAVE:
    case SPEC_MPOL_WEIGHTED_INTERLEAVE:
    case SPEC_MPOL_PREFERRED_MANY:
        if (!has_nodes)
            validate_error(v, "nodes", "%s needs at least one node", mode);
        break;
    case SPEC_MPOL_PREFERRED:
    case SPEC_MPOL_UNSET:
    case SPEC_MPOL__COUNT:
        break;
    }
    if (has_flag(&mp->flags, SPEC_MPOL_F_STATIC_NODES)
        && has_flag(&mp->flags, SPEC_MPOL_F_RELATIVE_NODES))
        validate_error(v, "flags",
                       "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each "
                       "other");
    else if (mp->mode == SPEC_MPOL_LOCAL
             && (has_flag(&mp->flags, SPEC_MPOL_F_STATIC_NODES)
                 || has_flag(&mp->flags, SPEC_MPOL_F_RELATIVE_NODES)))
        validate_error(v, "flags", "MPOL_LOCAL takes no node flags");
    if (has_flag(&mp->flags, SPEC_MPOL_F_NUMA_BALANCING) && mp->mode != SPEC_MPOL_BIND
        && mp->mode != SPEC_MPOL_PREFERRED_MANY && mode != NULL)
        validate_error(v, "flags",
                       "MPOL_F_NUMA_BALANCING needs MPOL_BIND or MPOL_PREFERRED_MANY, not %s",
                       mode);
    validate_pop(v, mark);
}

void
validate_linux(struct validator *v, const struct spec_linux *l)
{
    check_namespaces(v, l);
    check_user_namespace(v, l);
    if (l->time_offsets != NULL)
        check_time_offsets(v, l->time_offsets);
    check_devices(v, l);
    check_net_devices(v, l);
    validate_cgroups_path(v, l->cgroups_path);
    if (l->resources != NULL) {
        size_t mark = validate_push_key(v, "resources");
        validate_resources(v, l->resources);
        validate_pop(v, mark);
    }
    if (l->intel_rdt != NULL)
        check_intel_rdt(v, l->intel_rdt);
    check_sysctl(v, &l->sysctl);
    if (l->seccomp != NULL) {
        size_t mark = validate_push_key(v, "seccomp");
        validate_seccomp(v, l->seccomp);
        validate_pop(v, mark);
    }
    check_path_list(v, "maskedPaths", &l->masked_paths);
    check_path_list(v, "readonlyPaths", &l->readonly_paths);
    if (l->personality != NULL)
        check_personality(v, l->personality);
    if (l->memory_policy != NULL)
        check_memory_policy(v, l->memory_policy);
}

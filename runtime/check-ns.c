/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`, namespaces: the kernel supports and allows the ones to
 * create; the ones to join are namespace files of the right type that the
 * caller may enter; berth's own need for a mount namespace; and sysctls
 * that do not exist here. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
    int clone_flag;
    const char *name; /* /proc/self/ns/NAME, /proc/sys/user/max_NAME_namespaces */
} ns_info[SPEC_NS__COUNT] = {
    [SPEC_NS_MOUNT] = {CLONE_NEWNS, "mnt"},         [SPEC_NS_PID] = {CLONE_NEWPID, "pid"},
    [SPEC_NS_NETWORK] = {CLONE_NEWNET, "net"},      [SPEC_NS_UTS] = {CLONE_NEWUTS, "uts"},
    [SPEC_NS_IPC] = {CLONE_NEWIPC, "ipc"},          [SPEC_NS_USER] = {CLONE_NEWUSER, "user"},
    [SPEC_NS_CGROUP] = {CLONE_NEWCGROUP, "cgroup"}, [SPEC_NS_TIME] = {CLONE_NEWTIME, "time"},
};

static const char *
ns_type_name(int clone_flag)
{
    for (int t = 1; t < SPEC_NS__COUNT; t++)
        if (ns_info[t].clone_flag == clone_flag)
            return spec_enum_name(&spec_enum_ns_type, t);
    return "unknown";
}

static bool
same_file(int a, int b)
{
    struct stat sa, sb;

    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev
           && sa.st_ino == sb.st_ino;
}

/* Whether the caller has CAP_SYS_ADMIN in the user namespace USERNS, by the
 * kernel's rule (cap_capable): in its own namespace if the capability is
 * effective; in a descendant whose ancestor just below the caller's
 * namespace is owned by the caller's euid; never in one outside. */
static bool
privileged_in(const struct check *c, int userns, int own)
{
    _cleanup_close_ int cur = fcntl(userns, F_DUPFD_CLOEXEC, 3);

    while (cur >= 0) {
        _cleanup_close_ int parent = -1;
        uid_t owner;

        if (same_file(cur, own))
            return c->cap_sys_admin;
        parent = ioctl(cur, NS_GET_PARENT);
        if (parent < 0)
            return false; /* EPERM: above the caller's namespace */
        if (same_file(parent, own) && ioctl(cur, NS_GET_OWNER_UID, &owner) == 0 && owner == c->uid)
            return true;
        close(cur);
        cur = TAKE_FD(parent);
    }
    return false;
}

/* config-linux.md "Namespaces": "The runtime MUST generate an error if
 * path is not associated with a namespace of type type." */
static void
check_ns_path(struct check *c, size_t i, const struct spec_namespace *ns, bool joins_userns)
{
    const char *want = spec_enum_name(&spec_enum_ns_type, ns->type);
    _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    _cleanup_close_ int own = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    _cleanup_close_ int owner = -1;
    int type;

    JP("linux.namespaces[%zu].path", i);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
        check_error(c, NULL, c->path, "'%s' does not exist", ns->path);
        return;
    }
    if (fd < 0) {
        check_error(c, NULL, c->path, "cannot open '%s': %s", ns->path, strerror(errno));
        return;
    }
    type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0) {
        check_error(c, "use a /proc/PID/ns file or a bind mount of one", c->path,
                    "'%s' is not a namespace file", ns->path);
        return;
    }
    if (type != ns_info[ns->type].clone_flag) {
        check_error(c, NULL, c->path, "'%s' is a %s namespace, not %s", ns->path,
                    ns_type_name(type), want);
        return;
    }
    if (own < 0)
        return;
    if (ns->type == SPEC_NS_USER) {
        if (same_file(fd, own))
            check_error(c, "leave the user namespace out to stay in it", c->path,
                        "'%s' is the user namespace berth runs in, and the kernel refuses to "
                        "enter it again",
                        ns->path);
        else if (!privileged_in(c, fd, own))
            check_error(c, NULL, c->path,
                        "berth cannot join the user namespace '%s': only its owner or a "
                        "privileged process can",
                        ns->path);
        return;
    }
    if (joins_userns)
        return; /* joined after the user namespace, with its credentials */
    owner = ioctl(fd, NS_GET_USERNS);
    if (owner < 0 || !privileged_in(c, owner, own))
        check_error(c, c->rootless ? "join a namespace created by a container of your own" : NULL,
                    c->path,
                    "berth cannot join the %s namespace '%s': joining needs CAP_SYS_ADMIN in "
                    "the user namespace that owns it",
                    want, ns->path);
}

/* Namespaces the kernel lacks or that a sysctl disables. */
static void
check_ns_create(struct check *c, size_t i, int type)
{
    char file[64], hint[64];
    _cleanup_free_ char *max = NULL;

    snprintf(file, sizeof(file), "/proc/self/ns/%s", ns_info[type].name);
    if (access(file, F_OK) < 0 && errno == ENOENT) {
        check_error(c, NULL, JP("linux.namespaces[%zu].type", i),
                    "this kernel has no %s namespaces (no '%s')",
                    spec_enum_name(&spec_enum_ns_type, type), file);
        return;
    }
    snprintf(file, sizeof(file), "/proc/sys/user/max_%s_namespaces", ns_info[type].name);
    snprintf(hint, sizeof(hint), "as root: sysctl user.max_%s_namespaces=15000",
             ns_info[type].name);
    max = runtime_check_read_file(file);
    if (max != NULL && strtol(max, NULL, 10) == 0)
        check_error(c, hint, JP("linux.namespaces[%zu].type", i),
                    "new %s namespaces are disabled on this host ('%s' is 0)",
                    spec_enum_name(&spec_enum_ns_type, type), file);
    if (type == SPEC_NS_USER && c->rootless) {
        _cleanup_free_ char *clone =
            runtime_check_read_file("/proc/sys/kernel/unprivileged_userns_clone");
        _cleanup_free_ char *aa =
            runtime_check_read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");

        if (clone != NULL && strtol(clone, NULL, 10) == 0)
            check_error(c, "as root: sysctl kernel.unprivileged_userns_clone=1",
                        JP("linux.namespaces[%zu].type", i),
                        "unprivileged user namespaces are disabled on this host "
                        "(kernel.unprivileged_userns_clone is 0)");
        if (aa != NULL && strtol(aa, NULL, 10) != 0)
            check_warning(c, "an AppArmor profile for berth must allow userns",
                          JP("linux.namespaces[%zu].type", i),
                          "AppArmor restricts unprivileged user namespaces on this host "
                          "(kernel.apparmor_restrict_unprivileged_userns is 1)");
    }
}

/* Whether a sysctl exists here.  spec_validate enforces runc's rules on
 * which keys are allowed; only the namespaced ones the container gets a
 * namespace for are worth looking up. */
static void
check_sysctl(struct check *c, const char *raw, const char *path)
{
    static const char *const ipc_prefixes[] = {"kernel.msg", "kernel.sem", "kernel.shm",
                                               "fs.mqueue."};
    _cleanup_free_ char *file = xasprintf("/proc/sys/%s", raw);
    _cleanup_free_ char *dotted = xstrdup(raw);
    bool slash = raw[strcspn(raw, "./")] == '/';
    int ns = 0;

    /* runc's convertSysctlVariableToDotsSeparator: the first separator
     * decides; the other character stands for itself within a component */
    for (char *p = file + 10; *p && !slash; p++)
        *p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
    for (char *p = dotted; *p && slash; p++)
        *p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
    for (size_t k = 0; k < sizeof(ipc_prefixes) / sizeof(ipc_prefixes[0]); k++)
        if (strncmp(dotted, ipc_prefixes[k], strlen(ipc_prefixes[k])) == 0)
            ns = SPEC_NS_IPC;
    if (strncmp(dotted, "net.", 4) == 0)
        ns = SPEC_NS_NETWORK;
    if (ns == 0 || !check_has_ns(c, ns))
        return;
    if (access(file, F_OK) < 0 && errno == ENOENT)
        check_warning(c, "a kernel module may be missing, or the name is misspelt", path,
                      "sysctl %s does not exist on this host ('%s')", dotted, file);
}

/* config-linux.md "Network Devices": "The runtime MUST check if moving the
 * network interface to the container namespace is possible": the interface
 * must exist here, and moving it needs CAP_NET_ADMIN over this namespace. */
static void
check_net_devices(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    struct json_path jp = {0};

    json_path_push_key(&jp, "linux");
    json_path_push_key(&jp, "netDevices");
    for (size_t i = 0; i < l->n_net_devices; i++) {
        const char *name = l->net_devices[i].key;
        size_t mark = json_path_push_key(&jp, name);

        if (if_nametoindex(name) == 0)
            check_error(c, "ip link shows the interfaces of this host", json_path_str(&jp),
                        "there is no network interface '%s' on this host", name);
        else if (c->rootless || !c->cap_net_admin)
            check_error(c, NULL, json_path_str(&jp),
                        "moving the interface '%s' into the container needs CAP_NET_ADMIN in this "
                        "network namespace, which berth does not have",
                        name);
        json_path_pop(&jp, mark);
    }
    json_path_free(&jp);
}

void
runtime_check_namespaces(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    bool joins_userns = check_has_ns(c, SPEC_NS_USER) && !runtime_check_creates_ns(c, SPEC_NS_USER);
    struct json_path jp = {0};

    for (size_t i = 0; i < l->n_namespaces; i++) {
        const struct spec_namespace *ns = &l->namespaces[i];

        if (ns->type <= SPEC_NS_UNSET || ns->type >= SPEC_NS__COUNT || c->ns[ns->type] != (long)i)
            continue; /* unknown or duplicate: spec_validate */
        if (ns->path == NULL)
            check_ns_create(c, i, ns->type);
        else if (ns->path[0] == '/')
            check_ns_path(c, i, ns, joins_userns);
    }
    /* hostname, domainname and timeOffsets without their namespace are
     * spec_validate's; berth itself needs a mount namespace to pivot_root. */
    if (!runtime_check_creates_ns(c, SPEC_NS_MOUNT))
        check_error(c, "add {\"type\": \"mount\"} to linux.namespaces", "linux.namespaces",
                    "berth needs a new mount namespace (type \"mount\" without a path)");
    json_path_push_key(&jp, "linux");
    json_path_push_key(&jp, "sysctl");
    for (size_t i = 0; i < l->sysctl.n; i++) {
        size_t mark = json_path_push_key(&jp, l->sysctl.items[i].key);

        check_sysctl(c, l->sysctl.items[i].key, json_path_str(&jp));
        json_path_pop(&jp, mark);
    }
    json_path_free(&jp);
    check_net_devices(c);
}

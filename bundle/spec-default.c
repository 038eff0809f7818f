/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration `berth spec` writes: what `runc spec` (runc 1.1.5, as
 * packaged in Debian 12) writes on a cgroup v2 host, and the rootless variant
 * of `runc spec --rootless`.  Deliberate differences from runc 1.1.5:
 *   - ociVersion is ours (SPEC_OCI_VERSION), hostname is "berth";
 *   - the cgroup namespace is always there: runc adds it only when
 *     /sys/fs/cgroup is cgroup2 (libcontainer/specconv Example()), and berth
 *     only ever runs on cgroup v2, so the output need not depend on the host;
 *   - process.capabilities has no "ambient" set (runc 1.2 dropped it too):
 *     without the same capabilities in "inheritable", which runc 1.1 already
 *     stopped setting, the kernel refuses to raise them, and config.md
 *     "capabilities" makes every run log a warning about it.
 * Newer runc (1.2+) also masks /sys/devices/virtual/tpm; we follow the
 * installed runc's list. */
#include "bundle/spec.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define DEFAULT_HOSTNAME "berth"

static const char *const default_args[] = {"sh", NULL};

static const char *const default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm",
    NULL,
};

static const char *const default_caps[] = {
    "CAP_AUDIT_WRITE",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    NULL,
};

static const char *const default_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/sys/firmware",
    "/proc/scsi",
    NULL,
};

static const char *const default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

struct mount_tmpl {
    const char *destination;
    const char *type;
    const char *source;
    const char *const *options; /* NULL-terminated; NULL: no "options" member */
};

static const struct mount_tmpl default_mounts[] = {
    {"/proc", "proc", "proc", NULL},
    {"/dev", "tmpfs", "tmpfs",
     (const char *const[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
    {"/dev/pts", "devpts", "devpts",
     (const char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
                           NULL}},
    {"/dev/shm", "tmpfs", "shm",
     (const char *const[]){"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
    {"/dev/mqueue", "mqueue", "mqueue", (const char *const[]){"nosuid", "noexec", "nodev", NULL}},
    {"/sys", "sysfs", "sysfs", (const char *const[]){"nosuid", "noexec", "nodev", "ro", NULL}},
    {"/sys/fs/cgroup", "cgroup", "cgroup",
     (const char *const[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* Mounting sysfs takes CAP_SYS_ADMIN in the user namespace that owns the
 * network namespace; a rootless container keeps the host's network
 * namespace, so it gets the host's /sys bind-mounted read-only, as in runc. */
static const struct mount_tmpl rootless_sys_mount = {
    .destination = "/sys",
    .type = "none",
    .source = "/sys",
    .options = (const char *const[]){"rbind", "nosuid", "noexec", "nodev", "ro", NULL},
};

/* ---- builders: everything they return is owned by the spec ---- */

/* A present strv from a NULL-terminated list (items is never NULL, so that
 * an empty list is still written as []). */
static struct strv
strv_new(const char *const *list, bool (*keep)(const char *))
{
    struct strv v = {0};
    size_t n = 0;

    while (list[n] != NULL)
        n++;
    v.items = xcalloc(n + 1, sizeof(*v.items));
    for (size_t i = 0; i < n; i++) {
        if (keep == NULL || keep(list[i]))
            v.items[v.n++] = xstrdup(list[i]);
    }
    return v;
}

/* runc's ToRootless: drop uid= and gid= mount options, which name ids that
 * a single-id user namespace does not map (gid=5 for /dev/pts). */
static bool
is_not_id_option(const char *opt)
{
    return strncmp(opt, "uid=", 4) != 0 && strncmp(opt, "gid=", 4) != 0;
}

static void
mount_init(struct spec_mount *m, const struct mount_tmpl *t, bool rootless)
{
    m->destination = xstrdup(t->destination);
    m->type = xstrdup(t->type);
    m->source = xstrdup(t->source);
    if (t->options != NULL)
        m->options = strv_new(t->options, rootless ? is_not_id_option : NULL);
}

static void
mounts_init(struct spec *s, bool rootless)
{
    s->mounts = xcalloc(COUNT(default_mounts), sizeof(*s->mounts));
    s->n_mounts = COUNT(default_mounts);
    for (size_t i = 0; i < COUNT(default_mounts); i++) {
        const struct mount_tmpl *t = &default_mounts[i];

        if (rootless && strcmp(t->destination, "/sys") == 0)
            t = &rootless_sys_mount;
        mount_init(&s->mounts[i], t, rootless);
    }
}

static struct spec_process *
process_new(void)
{
    struct spec_process *p = xcalloc(1, sizeof(*p));

    p->has_terminal = true;
    p->terminal = true;
    p->user = xcalloc(1, sizeof(*p->user));
    p->user->has_uid = true;
    p->user->has_gid = true;
    p->args = strv_new(default_args, NULL);
    p->env = strv_new(default_env, NULL);
    p->cwd = xstrdup("/");
    p->capabilities = xcalloc(1, sizeof(*p->capabilities));
    p->capabilities->bounding = strv_new(default_caps, NULL);
    p->capabilities->effective = strv_new(default_caps, NULL);
    p->capabilities->permitted = strv_new(default_caps, NULL);
    p->rlimits = xcalloc(1, sizeof(*p->rlimits));
    p->n_rlimits = 1;
    p->rlimits[0].type = xstrdup("RLIMIT_NOFILE");
    p->rlimits[0].soft = 1024;
    p->rlimits[0].hard = 1024;
    p->has_no_new_privileges = true;
    p->no_new_privileges = true;
    return p;
}

/* Deny every device access; the runtime adds back its default devices. */
static struct spec_resources *
resources_new(void)
{
    struct spec_resources *r = xcalloc(1, sizeof(*r));

    r->devices = xcalloc(1, sizeof(*r->devices));
    r->n_devices = 1;
    r->devices[0].allow = false;
    r->devices[0].access = xstrdup("rwm");
    return r;
}

static void
namespaces_init(struct spec_linux *l, bool rootless)
{
    /* Order as runc's; rootless drops network (an unprivileged user could
     * not configure one) and appends user. */
    static const int full[] = {
        SPEC_NS_PID, SPEC_NS_NETWORK, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_MOUNT, SPEC_NS_CGROUP,
    };
    static const int unprivileged[] = {
        SPEC_NS_PID, SPEC_NS_IPC, SPEC_NS_UTS, SPEC_NS_MOUNT, SPEC_NS_CGROUP, SPEC_NS_USER,
    };
    const int *types = rootless ? unprivileged : full;
    size_t n = rootless ? COUNT(unprivileged) : COUNT(full);

    l->namespaces = xcalloc(n, sizeof(*l->namespaces));
    l->n_namespaces = n;
    for (size_t i = 0; i < n; i++)
        l->namespaces[i].type = types[i];
}

static struct spec_id_mapping *
id_mapping_new(uint32_t host_id)
{
    struct spec_id_mapping *m = xcalloc(1, sizeof(*m));

    m->container_id = 0;
    m->host_id = host_id;
    m->size = 1;
    return m;
}

static struct spec_linux *
linux_new(bool rootless, uint32_t uid, uint32_t gid)
{
    struct spec_linux *l = xcalloc(1, sizeof(*l));

    /* A rootless container gets no cgroup settings: without delegation
     * there is nowhere to apply them. */
    if (!rootless)
        l->resources = resources_new();
    namespaces_init(l, rootless);
    if (rootless) {
        l->uid_mappings = id_mapping_new(uid);
        l->n_uid_mappings = 1;
        l->gid_mappings = id_mapping_new(gid);
        l->n_gid_mappings = 1;
    }
    l->masked_paths = strv_new(default_masked_paths, NULL);
    l->readonly_paths = strv_new(default_readonly_paths, NULL);
    return l;
}

static struct spec *
spec_new(bool rootless, uint32_t uid, uint32_t gid)
{
    struct spec *s = xcalloc(1, sizeof(*s));

    s->oci_version = xstrdup(SPEC_OCI_VERSION);
    s->process = process_new();
    s->root = xcalloc(1, sizeof(*s->root));
    s->root->path = xstrdup("rootfs");
    s->root->has_readonly = true;
    s->root->readonly = true;
    s->hostname = xstrdup(DEFAULT_HOSTNAME);
    mounts_init(s, rootless);
    s->linux_ = linux_new(rootless, uid, gid);
    return s;
}

struct spec *
spec_default(void)
{
    return spec_new(false, 0, 0);
}

struct spec *
spec_default_rootless(uint32_t uid, uint32_t gid)
{
    return spec_new(true, uid, gid);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`, cgroups: berth uses cgroup v2 only, at /sys/fs/cgroup or,
 * on hybrid hosts, /sys/fs/cgroup/unified.  Each resource needs its
 * controller in that hierarchy; an unprivileged caller needs a delegated
 * cgroup (else berth runs without one, and the limits are not applied); and
 * intelRdt needs resctrl. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"

#ifndef RDTGROUP_SUPER_MAGIC
#define RDTGROUP_SUPER_MAGIC 0x7655821
#endif

static const char *
cgroup2_mount(void)
{
    static const char *const candidates[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
    struct statfs sfs;

    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
        if (statfs(candidates[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
            return candidates[i];
    return NULL;
}

/* The caller's cgroup v2 path ("0::/user.slice/..."), or NULL. */
static char *
own_cgroup(void)
{
    _cleanup_free_ char *buf = runtime_check_read_file("/proc/self/cgroup");
    const char *line = buf;

    while (line && *line) {
        if (strncmp(line, "0::", 3) == 0)
            return xstrndup(line + 3, strcspn(line + 3, "\n"));
        line = strchr(line, '\n');
        line += line != NULL;
    }
    return NULL;
}

static bool
is_writable(const char *dir)
{
    _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);

    return faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0
           && faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0;
}

static bool
has_controller(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; p && *p;) {
        p += strspn(p, " \n");
        if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return true;
        p += strcspn(p, " \n");
    }
    return false;
}

/* Only "deny everything" device rules: what a rootless container gets
 * anyway, since it cannot create device nodes. */
static bool
devices_deny_only(const struct spec_resources *r)
{
    for (size_t i = 0; i < r->n_devices; i++)
        if (r->devices[i].allow)
            return false;
    return true;
}

struct need {
    const char *field;      /* under linux.resources */
    const char *controller; /* NULL: cgroup v2 has no such limit */
};

/* The resources that are set, with the controller each needs. */
static size_t
needs_of(const struct spec_resources *r, struct need *v)
{
    const struct spec_cpu *cpu = r->cpu;
    size_t n = 0;

    if (r->memory != NULL)
        v[n++] = (struct need){"memory", "memory"};
    if (cpu != NULL
        && (cpu->has_shares || cpu->has_quota || cpu->has_period || cpu->has_burst
            || cpu->has_idle))
        v[n++] = (struct need){"cpu", "cpu"};
    if (cpu != NULL && (cpu->has_realtime_runtime || cpu->has_realtime_period))
        v[n++] = (struct need){"cpu.realtimeRuntime", NULL};
    if (cpu != NULL && ((cpu->cpus && *cpu->cpus) || (cpu->mems && *cpu->mems)))
        v[n++] = (struct need){cpu->cpus && *cpu->cpus ? "cpu.cpus" : "cpu.mems", "cpuset"};
    if (r->pids != NULL)
        v[n++] = (struct need){"pids", "pids"};
    if (r->block_io != NULL)
        v[n++] = (struct need){"blockIO", "io"};
    if (r->n_hugepage_limits)
        v[n++] = (struct need){"hugepageLimits", "hugetlb"};
    if (r->network != NULL)
        v[n++] = (struct need){"network", NULL};
    if (r->n_rdma)
        v[n++] = (struct need){"rdma", "rdma"};
    return n;
}

/* config-linux.md "Unified": "The runtime MUST generate an error when the
 * configuration refers to a cgroup controller that is not present or that
 * cannot be enabled." */
static void
check_unified(struct check *c, const char *mnt, const char *controllers)
{
    const struct strmap *u = &c->s->linux_->resources->unified;
    struct json_path jp = {0};

    json_path_push_key(&jp, "linux");
    json_path_push_key(&jp, "resources");
    json_path_push_key(&jp, "unified");
    for (size_t i = 0; i < u->n; i++) {
        const char *key = u->items[i].key;
        _cleanup_free_ char *ctrl = xstrndup(key, strcspn(key, "."));
        size_t mark = json_path_push_key(&jp, key);

        if (strcmp(ctrl, "cgroup") != 0 && !has_controller(controllers, ctrl))
            check_error(c, NULL, json_path_str(&jp),
                        "the %s controller is not available in the cgroup v2 hierarchy at '%s'",
                        ctrl, mnt);
        json_path_pop(&jp, mark);
    }
    json_path_free(&jp);
}

/* A rootless caller: is there a cgroup it may create children in? */
static bool
rootless_delegated(struct check *c, const char *mnt, const char *own, char **ret_dir)
{
    const char *cgpath = c->s->linux_->cgroups_path;
    _cleanup_free_ char *dir = NULL;

    if (own == NULL || strcmp(own, "/") == 0)
        own = "";
    if (cgpath != NULL && *cgpath && cgpath[0] != '/' && strchr(cgpath, ':') != NULL) {
        *ret_dir = xasprintf("%s%s", mnt, own);
        return true; /* systemd "slice:prefix:name": --systemd-cgroup's business */
    }
    if (cgpath != NULL && *cgpath)
        dir = cgpath[0] == '/' ? xasprintf("%s%s", mnt, cgpath)
                               : xasprintf("%s%s/%s", mnt, own, cgpath);
    else
        dir = xasprintf("%s%s", mnt, own);
    /* The nearest existing ancestor is where berth would have to create it. */
    while (access(dir, F_OK) < 0 && strrchr(dir, '/') >= dir + strlen(mnt))
        *strrchr(dir, '/') = '\0';
    *ret_dir = TAKE_PTR(dir);
    return is_writable(*ret_dir);
}

void
runtime_check_cgroups(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    const struct spec_resources *r = l->resources;
    const char *mnt = cgroup2_mount();
    _cleanup_free_ char *own = own_cgroup();
    _cleanup_free_ char *dir = NULL;
    _cleanup_free_ char *controllers = NULL;
    _cleanup_free_ char *file = NULL;
    struct need needs[16];
    size_t n;

    if (l->intel_rdt != NULL) {
        struct statfs sfs;

        if (statfs("/sys/fs/resctrl", &sfs) < 0 || sfs.f_type != RDTGROUP_SUPER_MAGIC)
            check_error(c, "as root: mount -t resctrl resctrl /sys/fs/resctrl", "linux.intelRdt",
                        "no resctrl filesystem is mounted at /sys/fs/resctrl");
    }
    n = r ? needs_of(r, needs) : 0;
    if (mnt == NULL) {
        if (n > 0 || (r && r->unified.n > 0))
            check_warning(c, NULL, "linux.resources",
                          "this host has no cgroup v2 hierarchy, and berth uses cgroup v2 only: "
                          "the limits are not applied");
        return;
    }
    /* DESIGN.md: rootless without delegation, berth carries on without a
     * cgroup and says which limits were not applied; with an explicit
     * cgroupsPath it is an error. */
    if (c->rootless && !rootless_delegated(c, mnt, own, &dir)) {
        if (l->cgroups_path != NULL && *l->cgroups_path)
            check_error(c, "leave cgroupsPath out to run without a cgroup", "linux.cgroupsPath",
                        "berth cannot create the cgroup '%s': '%s' is not delegated to uid %u",
                        l->cgroups_path, dir, (unsigned)c->uid);
        else if (r != NULL && (n > 0 || r->unified.n > 0 || !devices_deny_only(r)))
            check_warning(c,
                          "run berth in a delegated cgroup, e.g. systemd-run --user --scope "
                          "-p Delegate=yes",
                          "linux.resources",
                          "your cgroup '%s' is not delegated to uid %u, so berth runs the "
                          "container without a cgroup and none of these limits is applied",
                          dir, (unsigned)c->uid);
        return;
    }
    if (r == NULL)
        return;
    file = xasprintf("%s/cgroup.controllers", c->rootless ? dir : mnt);
    controllers = runtime_check_read_file(file);
    if (controllers == NULL)
        controllers = xstrdup("");
    controllers[strcspn(controllers, "\n")] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (needs[i].controller == NULL)
            check_warning(c, NULL, JP("linux.resources.%s", needs[i].field),
                          "cgroup v2 has no such limit, so it is not applied");
        else if (!has_controller(controllers, needs[i].controller))
            check_warning(c,
                          "a hybrid host binds it to cgroup v1; boot with "
                          "systemd.unified_cgroup_hierarchy=1 to move it",
                          JP("linux.resources.%s", needs[i].field),
                          "the %s controller is not available in the cgroup v2 hierarchy at '%s' "
                          "(available: %s), so this limit is not applied",
                          needs[i].controller, mnt, *controllers ? controllers : "none");
    }
    check_unified(c, mnt, controllers);
}

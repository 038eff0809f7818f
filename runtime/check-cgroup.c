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
#include "runtime/cgroup.h"
#include "runtime/check-int.h"

#ifndef RDTGROUP_SUPER_MAGIC
#define RDTGROUP_SUPER_MAGIC 0x7655821
#endif

/* "linux.resources.x: message" (a plan error) as a finding at its path. */
static void
add_plan_error(struct check *c, const char *msg)
{
    const char *sep = strstr(msg, ": ");

    if (sep == NULL)
        check_error(c, NULL, "linux.resources", "%s", msg);
    else
        check_error(c, NULL, JP("%.*s", (int)(sep - msg), msg), "%s", sep + 2);
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

        if (strcmp(ctrl, "cgroup") != 0 && !cgroup_list_has(controllers, ctrl))
            check_error(c, NULL, json_path_str(&jp),
                        "the %s controller is not available in the cgroup v2 hierarchy at '%s'",
                        ctrl, mnt);
        json_path_pop(&jp, mark);
    }
    json_path_free(&jp);
}

/* As runtime_create decides (runtime/cgroup.c, cgroup_prepare): where the
 * cgroup would go, and whether an unprivileged caller may make it there. */
void
runtime_check_cgroups(struct check *c)
{
    const struct spec_linux *l = c->s->linux_;
    const struct spec_resources *r = l->resources;
    const char *cgpath = l->cgroups_path;
    const char *mnt = cgroup_mount();
    _cleanup_(cgroup_plan_free) struct cgroup_plan plan = {0};
    _cleanup_free_ char *own = NULL;
    _cleanup_free_ char *path = NULL;
    _cleanup_free_ char *near = NULL;
    _cleanup_free_ char *controllers = NULL;
    _cleanup_free_ char *file = NULL;
    struct error *err = NULL;
    bool has_limits;

    if (l->intel_rdt != NULL) {
        struct statfs sfs;

        if (statfs("/sys/fs/resctrl", &sfs) < 0 || sfs.f_type != RDTGROUP_SUPER_MAGIC)
            check_error(c, "as root: mount -t resctrl resctrl /sys/fs/resctrl", "linux.intelRdt",
                        "no resctrl filesystem is mounted at /sys/fs/resctrl");
    }
    if (cgroup_plan_build(r, &plan, &err) < 0) {
        add_plan_error(c, err->msg);
        error_free(&err);
        return;
    }
    /* The validator already says so of memory.kernel and kernelTCP. */
    for (size_t i = 0; i < plan.n_ignored; i++)
        if (strstr(plan.ignored[i], "disableOOMKiller") != NULL)
            check_warning(c, NULL, plan.ignored[i],
                          "cgroup v2 has no such setting: ignored, as runc does");
    /* A user namespace has no device program (runtime/cgroup.c). */
    has_limits = !cgroup_plan_is_empty(&plan, !c->rootless);
    if (mnt == NULL) {
        if (has_limits)
            runtime_check_add(c, c->rootless ? DIAG_WARNING : DIAG_ERROR, NULL, "linux.resources",
                              "this host has no cgroup v2 hierarchy, and berth uses cgroup v2 "
                              "only%s",
                              c->rootless ? ": the limits are not applied" : "");
        return;
    }
    own = cgroup_own_path();
    path = cgroup_resolve(mnt, own, cgpath, "ID", &err);
    if (path == NULL) {
        add_plan_error(c, err->msg);
        error_free(&err);
        return;
    }
    /* DESIGN.md: rootless without delegation, berth carries on without a
     * cgroup and says which limits were not applied; with an explicit
     * cgroupsPath it is an error. */
    near = cgroup_nearest_existing(mnt, path);
    if (c->rootless && !cgroup_is_delegated(near)) {
        if (cgpath != NULL && *cgpath)
            check_error(c, "leave cgroupsPath out to run without a cgroup", "linux.cgroupsPath",
                        "berth cannot create the cgroup '%s': '%s' is not delegated to uid %u",
                        cgpath, near, (unsigned)c->uid);
        else if (has_limits)
            check_warning(c,
                          "run berth in a delegated cgroup, e.g. systemd-run --user --scope "
                          "-p Delegate=yes",
                          "linux.resources",
                          "the cgroup '%s' is not delegated to uid %u, so berth runs the "
                          "container without a cgroup and none of these limits is applied",
                          near, (unsigned)c->uid);
        return;
    }
    if (r == NULL)
        return;
    file = xasprintf("%s/cgroup.controllers", mnt);
    controllers = runtime_check_read_file(file);
    if (controllers == NULL)
        controllers = xstrdup("");
    controllers[strcspn(controllers, "\n")] = '\0';
    for (size_t i = 0; i < plan.n; i++) {
        const struct cgroup_write *w = &plan.writes[i];
        bool first = true;

        if (w->controller == NULL || w->unified || cgroup_list_has(controllers, w->controller))
            continue;
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(plan.writes[j].field, w->field) != 0;
        if (first)
            check_error(c,
                        "a hybrid host binds it to cgroup v1; boot with "
                        "systemd.unified_cgroup_hierarchy=1 to move it",
                        w->field,
                        "the %s controller is not available in the cgroup v2 hierarchy at '%s' "
                        "(available: %s)",
                        w->controller, mnt, *controllers ? controllers : "none");
    }
    check_unified(c, mnt, controllers);
}

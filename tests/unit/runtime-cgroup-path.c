/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroup-path.c: linux.cgroupsPath -> the cgroup's directory, as
 * runc places it without systemd, and the controller lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "runtime/cgroup.h"
#include "tests/unit/tap.h"

static void
is_path(const char *mnt, const char *own, const char *cgpath, const char *want)
{
    struct error *err = NULL;
    char *got = cgroup_resolve(mnt, own, cgpath, "web", &err);

    tap_is_str(got, want, "cgroupsPath '%s' from own cgroup '%s' -> %s", cgpath ? cgpath : "(none)",
               own ? own : "(none)", want);
    free(got);
    error_free(&err);
}

static void
is_refused(const char *cgpath, const char *want)
{
    struct error *err = NULL;
    char *got = cgroup_resolve("/sys/fs/cgroup", "/user.slice/x.scope", cgpath, "web", &err);

    tap_ok(got == NULL && err && strstr(err->msg, want), "cgroupsPath '%s' refused: %s", cgpath,
           err ? err->msg : "(accepted)");
    free(got);
    error_free(&err);
}

int
main(void)
{
    const char *mnt = "/sys/fs/cgroup";

    /* Absolute: from the mount point. */
    is_path(mnt, "/user.slice/u.scope", "/machine/web", "/sys/fs/cgroup/machine/web");
    is_path("/sys/fs/cgroup/unified", "/", "/a//b/./c/", "/sys/fs/cgroup/unified/a/b/c");
    /* Relative: from the parent of our own cgroup, which holds processes. */
    is_path(mnt, "/user.slice/user-1000.slice/session-2.scope", "pods/web",
            "/sys/fs/cgroup/user.slice/user-1000.slice/pods/web");
    is_path(mnt, "/", "pods/web", "/sys/fs/cgroup/pods/web");
    is_path(mnt, "/delegated/shell", "x", "/sys/fs/cgroup/delegated/x");
    /* None: berth/ID, relative. */
    is_path(mnt, "/", NULL, "/sys/fs/cgroup/berth/web");
    is_path(mnt, "/", "", "/sys/fs/cgroup/berth/web");
    is_path("/sys/fs/cgroup/unified", "/", NULL, "/sys/fs/cgroup/unified/berth/web");
    is_path(mnt, "/delegated/shell", NULL, "/sys/fs/cgroup/delegated/berth/web");
    is_path(mnt, NULL, NULL, "/sys/fs/cgroup/berth/web");
    /* Refused. */
    is_refused("/a/../../etc", "'..'");
    is_refused("../x", "'..'");
    is_refused("system.slice:docker:web", "slice:prefix:name");

    tap_ok(cgroup_list_has("cpuset cpu io memory", "cpu"), "'cpu' in a controller list");
    tap_ok(!cgroup_list_has("cpuset io memory", "cpu"), "'cpu' is not 'cpuset'");
    tap_ok(cgroup_list_has("memory\n", "memory"), "a list read from a file, newline and all");
    tap_ok(!cgroup_list_has("", "memory"), "an empty list");
    return tap_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/mount-opts.c: config.json mounts[].options -> struct mount_plan.
 * Every option group of config.md "Linux mount options", overrides, data
 * order, recursive mount_setattr attributes (with the 3-value atime field),
 * bind kinds, idmap, tmpcopyup, the mounts of `runc spec`, and the errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "runtime/mount-opts.h"
#include "tests/unit/tap.h"

/* A NULL-terminated option list; NO_OPTS is a present but empty "options". */
#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_OPTS ((const char *const[]){NULL})

/* Flags that must never appear in plan.flags: they have fields of their own. */
#define MS_NOT_FLAGS                                                                               \
    (MS_BIND | MS_REC | MS_REMOUNT | MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

static struct error *err;

/* Build a plan for a mount of TYPE (NULL: absent) with OPTS (NULL: absent).
 * On failure the error stays in `err` for the caller to look at. */
static int
build(struct mount_plan *p, const char *type, const char *const *opts)
{
    struct spec_mount m = {.destination = (char *)"/x", .type = (char *)type};
    int rc;

    error_free(&err);
    if (opts != NULL) {
        size_t n = 0;

        while (opts[n] != NULL)
            n++;
        m.options.items = xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            m.options.items[i] = xstrdup(opts[i]);
        m.options.n = n;
    }
    memset(p, 0xa5, sizeof(*p)); /* the plan must be filled whatever was there */
    rc = mount_plan_build(&m, p, &err);
    for (size_t i = 0; i < m.options.n; i++)
        free(m.options.items[i]);
    free(m.options.items);
    return rc;
}

static bool
is_zero_plan(const struct mount_plan *p)
{
    static const struct mount_plan zero;

    return memcmp(p, &zero, sizeof(zero)) == 0;
}

/* The plan invariants that hold for any successful build. */
static bool
is_sane(const struct mount_plan *p)
{
    uint64_t atime_clr = p->attr_clr & MOUNT_ATTR__ATIME;

    if ((p->flags & p->clear) != 0 || (p->flags & MS_NOT_FLAGS) != 0 || (p->clear & MS_NOT_FLAGS))
        return false;
    if (__builtin_popcountl(p->flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) > 1)
        return false;
    if ((p->attr_set & p->attr_clr & ~(uint64_t)MOUNT_ATTR__ATIME) != 0)
        return false;
    /* the kernel's rule: MOUNT_ATTR__ATIME wholly in attr_clr, or not at all
     * and then no atime bits in attr_set */
    if (atime_clr != 0 && atime_clr != MOUNT_ATTR__ATIME)
        return false;
    if (atime_clr == 0 && (p->attr_set & MOUNT_ATTR__ATIME) != 0)
        return false;
    return (p->attr_set & MOUNT_ATTR_IDMAP) == 0;
}

/* Build, expect success, and check flags/clear/propagation/attrs/data. */
static void
expect(const char *what, const char *type, const char *const *opts, unsigned long flags,
       unsigned long clear, unsigned long propagation, uint64_t attr_set, uint64_t attr_clr,
       const char *data)
{
    struct mount_plan p;
    int rc = build(&p, type, opts);
    bool ok = rc == 0 && p.flags == flags && p.clear == clear && p.propagation == propagation
              && p.attr_set == attr_set && p.attr_clr == attr_clr
              && ((data == NULL && p.data == NULL)
                  || (data != NULL && p.data != NULL && strcmp(data, p.data) == 0))
              && is_sane(&p);

    tap_ok(ok, "%s", what);
    if (!ok) {
        if (rc < 0) {
            tap_diag("failed: %s", err ? err->msg : "(no error set)");
        } else {
            tap_diag("got      flags=%#lx clear=%#lx prop=%#lx attr_set=%#llx attr_clr=%#llx "
                     "data=%s sane=%d",
                     p.flags, p.clear, p.propagation, (unsigned long long)p.attr_set,
                     (unsigned long long)p.attr_clr, p.data ? p.data : "(null)", is_sane(&p));
            tap_diag("expected flags=%#lx clear=%#lx prop=%#lx attr_set=%#llx attr_clr=%#llx "
                     "data=%s",
                     flags, clear, propagation, (unsigned long long)attr_set,
                     (unsigned long long)attr_clr, data ? data : "(null)");
        }
    }
    if (rc == 0)
        mount_plan_free(&p);
}

/* Build, expect -EINVAL with exactly MSG, and a zeroed plan. */
static void
expect_error(const char *what, const char *type, const char *const *opts, const char *msg)
{
    struct mount_plan p;
    int rc = build(&p, type, opts);
    bool ok = rc == -EINVAL && err != NULL && err->errnum == EINVAL && is_zero_plan(&p);

    tap_ok(ok, "%s: fails with EINVAL and leaves the plan zeroed", what);
    if (!ok)
        tap_diag("rc=%d zeroed=%d", rc, is_zero_plan(&p));
    tap_is_str(err ? err->msg : NULL, msg, "%s: message", what);
    if (rc == 0)
        mount_plan_free(&p);
}

struct flag_case {
    const char *set, *unset;
    unsigned long flag;
};

/* Every mount(8) flag pair of the table: each alone, then each overriding
 * the other in both orders. */
static void
test_flag_pairs(void)
{
    static const struct flag_case cases[] = {
        {"ro", "rw", MS_RDONLY},
        {"nosuid", "suid", MS_NOSUID},
        {"nodev", "dev", MS_NODEV},
        {"noexec", "exec", MS_NOEXEC},
        {"sync", "async", MS_SYNCHRONOUS},
        {"mand", "nomand", MS_MANDLOCK},
        {"nodiratime", "diratime", MS_NODIRATIME},
        {"iversion", "noiversion", MS_I_VERSION},
        {"lazytime", "nolazytime", MS_LAZYTIME},
        {"silent", "loud", MS_SILENT},
        {"nosymfollow", "symfollow", MS_NOSYMFOLLOW},
    };
    char what[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct flag_case *c = &cases[i];

        snprintf(what, sizeof(what), "\"%s\" sets %#lx", c->set, c->flag);
        expect(what, "tmpfs", OPTS(c->set), c->flag, 0, 0, 0, 0, NULL);
        snprintf(what, sizeof(what), "\"%s\" clears %#lx", c->unset, c->flag);
        expect(what, "tmpfs", OPTS(c->unset), 0, c->flag, 0, 0, 0, NULL);
        snprintf(what, sizeof(what), "\"%s\" then \"%s\": the later wins (cleared)", c->set,
                 c->unset);
        expect(what, "tmpfs", OPTS(c->set, c->unset), 0, c->flag, 0, 0, 0, NULL);
        snprintf(what, sizeof(what), "\"%s\" then \"%s\": the later wins (set)", c->unset, c->set);
        expect(what, "tmpfs", OPTS(c->unset, c->set), c->flag, 0, 0, 0, 0, NULL);
    }
    expect("\"dirsync\" sets MS_DIRSYNC", "tmpfs", OPTS("dirsync"), MS_DIRSYNC, 0, 0, 0, 0, NULL);
    expect("\"defaults\" changes nothing", "tmpfs", OPTS("defaults"), 0, 0, 0, 0, 0, NULL);
    expect("\"defaults\" does not undo an earlier \"ro\"", "tmpfs", OPTS("ro", "defaults"),
           MS_RDONLY, 0, 0, 0, 0, NULL);
    expect("several flags add up", "tmpfs", OPTS("nosuid", "nodev", "noexec", "ro"),
           MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, 0, 0, 0, 0, NULL);
    expect("ro, rw, ro: the last wins", "tmpfs", OPTS("ro", "rw", "ro"), MS_RDONLY, 0, 0, 0, 0,
           NULL);
}

/* MS_NOATIME, MS_RELATIME and MS_STRICTATIME: the last one set wins. */
static void
test_atime_flags(void)
{
    expect("noatime", "tmpfs", OPTS("noatime"), MS_NOATIME, MS_RELATIME | MS_STRICTATIME, 0, 0, 0,
           NULL);
    expect("relatime", "tmpfs", OPTS("relatime"), MS_RELATIME, MS_NOATIME | MS_STRICTATIME, 0, 0, 0,
           NULL);
    expect("strictatime", "tmpfs", OPTS("strictatime"), MS_STRICTATIME, MS_NOATIME | MS_RELATIME, 0,
           0, 0, NULL);
    expect("strictatime then noatime: noatime", "tmpfs", OPTS("strictatime", "noatime"), MS_NOATIME,
           MS_RELATIME | MS_STRICTATIME, 0, 0, 0, NULL);
    expect("noatime then relatime: relatime", "tmpfs", OPTS("noatime", "relatime"), MS_RELATIME,
           MS_NOATIME | MS_STRICTATIME, 0, 0, 0, NULL);
    expect("atime clears noatime only", "tmpfs", OPTS("atime"), 0, MS_NOATIME, 0, 0, 0, NULL);
    expect("noatime then atime", "tmpfs", OPTS("noatime", "atime"), 0,
           MS_NOATIME | MS_RELATIME | MS_STRICTATIME, 0, 0, 0, NULL);
    expect("norelatime and nostrictatime clear their flag", "tmpfs",
           OPTS("norelatime", "nostrictatime"), 0, MS_RELATIME | MS_STRICTATIME, 0, 0, 0, NULL);
    expect("noatime survives a later nostrictatime", "tmpfs", OPTS("noatime", "nostrictatime"),
           MS_NOATIME, MS_RELATIME | MS_STRICTATIME, 0, 0, 0, NULL);
    expect("nodiratime is independent of the atime setting", "tmpfs",
           OPTS("nodiratime", "strictatime"), MS_NODIRATIME | MS_STRICTATIME,
           MS_NOATIME | MS_RELATIME, 0, 0, 0, NULL);
}

static void
test_propagation(void)
{
    static const struct {
        const char *name;
        unsigned long want;
    } cases[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    char what[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(what, sizeof(what), "propagation \"%s\"", cases[i].name);
        expect(what, "none", OPTS("rbind", cases[i].name), 0, 0, cases[i].want, 0, 0, NULL);
    }
    expect("rshared then private: the last wins, without MS_REC", "none",
           OPTS("rbind", "rshared", "private"), 0, 0, MS_PRIVATE, 0, 0, NULL);
    expect("private then rslave: the last wins, with MS_REC", "none",
           OPTS("bind", "private", "rslave"), 0, 0, MS_SLAVE | MS_REC, 0, 0, NULL);
    expect("propagation on a new filesystem", "tmpfs", OPTS("rshared", "mode=755"), 0, 0,
           MS_SHARED | MS_REC, 0, 0, "mode=755");
}

struct attr_case {
    const char *set, *unset;
    uint64_t attr;
};

static void
test_recursive_attrs(void)
{
    static const struct attr_case cases[] = {
        {"rro", "rrw", MOUNT_ATTR_RDONLY},
        {"rnosuid", "rsuid", MOUNT_ATTR_NOSUID},
        {"rnodev", "rdev", MOUNT_ATTR_NODEV},
        {"rnoexec", "rexec", MOUNT_ATTR_NOEXEC},
        {"rnodiratime", "rdiratime", MOUNT_ATTR_NODIRATIME},
        {"rnosymfollow", "rsymfollow", MOUNT_ATTR_NOSYMFOLLOW},
    };
    char what[128];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct attr_case *c = &cases[i];

        snprintf(what, sizeof(what), "\"%s\" sets attribute %#llx", c->set,
                 (unsigned long long)c->attr);
        expect(what, "none", OPTS("rbind", c->set), 0, 0, 0, c->attr, 0, NULL);
        snprintf(what, sizeof(what), "\"%s\" clears attribute %#llx", c->unset,
                 (unsigned long long)c->attr);
        expect(what, "none", OPTS("rbind", c->unset), 0, 0, 0, 0, c->attr, NULL);
        snprintf(what, sizeof(what), "\"%s\" then \"%s\": cleared", c->set, c->unset);
        expect(what, "none", OPTS("rbind", c->set, c->unset), 0, 0, 0, 0, c->attr, NULL);
        snprintf(what, sizeof(what), "\"%s\" then \"%s\": set", c->unset, c->set);
        expect(what, "none", OPTS("rbind", c->unset, c->set), 0, 0, 0, c->attr, 0, NULL);
    }
    expect("rro does not touch the MS_* flags, and ro not the attributes", "none",
           OPTS("rbind", "rro", "nosuid"), MS_NOSUID, 0, 0, MOUNT_ATTR_RDONLY, 0, NULL);
    expect("several recursive attributes add up", "none",
           OPTS("rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rexec"), 0, 0, 0,
           MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC, NULL);
}

/* The atime field of mount_setattr(2) takes one of three values; whoever
 * sets it puts all of MOUNT_ATTR__ATIME in attr_clr. */
static void
test_recursive_atime(void)
{
    const uint64_t A = MOUNT_ATTR__ATIME;

    expect("rnoatime", "none", OPTS("rbind", "rnoatime"), 0, 0, 0, MOUNT_ATTR_NOATIME, A, NULL);
    expect("rstrictatime", "none", OPTS("rbind", "rstrictatime"), 0, 0, 0, MOUNT_ATTR_STRICTATIME,
           A, NULL);
    expect("rrelatime is value 0 with the whole field cleared", "none", OPTS("rbind", "rrelatime"),
           0, 0, 0, MOUNT_ATTR_RELATIME, A, NULL);
    expect("rnoatime then rstrictatime: strictatime only", "none",
           OPTS("rbind", "rnoatime", "rstrictatime"), 0, 0, 0, MOUNT_ATTR_STRICTATIME, A, NULL);
    expect("rstrictatime then rrelatime: relatime", "none",
           OPTS("rbind", "rstrictatime", "rrelatime"), 0, 0, 0, MOUNT_ATTR_RELATIME, A, NULL);
    expect("ratime alone: the kernel default, relatime", "none", OPTS("rbind", "ratime"), 0, 0, 0,
           MOUNT_ATTR_RELATIME, A, NULL);
    expect("rnoatime then ratime: relatime", "none", OPTS("rbind", "rnoatime", "ratime"), 0, 0, 0,
           MOUNT_ATTR_RELATIME, A, NULL);
    expect("rstrictatime then ratime: stays strictatime", "none",
           OPTS("rbind", "rstrictatime", "ratime"), 0, 0, 0, MOUNT_ATTR_STRICTATIME, A, NULL);
    expect("rstrictatime then rnostrictatime: relatime", "none",
           OPTS("rbind", "rstrictatime", "rnostrictatime"), 0, 0, 0, MOUNT_ATTR_RELATIME, A, NULL);
    expect("rnoatime then rnostrictatime: stays noatime", "none",
           OPTS("rbind", "rnoatime", "rnostrictatime"), 0, 0, 0, MOUNT_ATTR_NOATIME, A, NULL);
    expect("rnorelatime: strictatime", "none", OPTS("rbind", "rnorelatime"), 0, 0, 0,
           MOUNT_ATTR_STRICTATIME, A, NULL);
    expect("rnoatime then rnorelatime: stays noatime", "none",
           OPTS("rbind", "rnoatime", "rnorelatime"), 0, 0, 0, MOUNT_ATTR_NOATIME, A, NULL);
    expect("rnodiratime beside rnoatime: both bits, field cleared", "none",
           OPTS("rbind", "rnodiratime", "rnoatime"), 0, 0, 0,
           MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOATIME, A, NULL);
    expect("rnoatime then rdiratime: rdiratime leaves the field alone", "none",
           OPTS("rbind", "rnoatime", "rdiratime"), 0, 0, 0, MOUNT_ATTR_NOATIME,
           A | MOUNT_ATTR_NODIRATIME, NULL);
}

static void
test_kinds(void)
{
    struct mount_plan p;
    int rc;

    rc = build(&p, "tmpfs", OPTS("nosuid"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_FS && !p.recursive && !p.remount,
           "tmpfs is a new filesystem, not recursive, not a remount");
    mount_plan_free(&p);

    rc = build(&p, "none", OPTS("bind"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && !p.recursive, "\"bind\": not recursive");
    mount_plan_free(&p);

    rc = build(&p, "none", OPTS("ro", "rbind"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && p.recursive && p.flags == MS_RDONLY,
           "\"rbind\": recursive; MS_BIND and MS_REC stay out of flags");
    mount_plan_free(&p);

    rc = build(&p, "bind", NULL);
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && !p.recursive,
           "type \"bind\" without options: a non-recursive bind mount");
    mount_plan_free(&p);

    rc = build(&p, "bind", OPTS("rbind"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && p.recursive,
           "type \"bind\" with \"rbind\": recursive");
    mount_plan_free(&p);

    rc = build(&p, NULL, OPTS("rbind", "bind"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && p.recursive,
           "no type, \"rbind\" then \"bind\": still recursive (as runc)");
    mount_plan_free(&p);

    rc = build(&p, "tmpfs", OPTS("bind"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND,
           "type \"tmpfs\" with \"bind\": a bind mount, the type is a dummy");
    mount_plan_free(&p);

    rc = build(&p, "proc", NO_OPTS);
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_FS && p.flags == 0 && p.data == NULL,
           "present but empty options: nothing set");
    mount_plan_free(&p);

    rc = build(&p, NULL, OPTS("remount", "ro"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_FS && p.remount && p.flags == MS_RDONLY,
           "\"remount\" without a type: a remount of what is mounted there");
    mount_plan_free(&p);

    rc = build(&p, "none", OPTS("bind", "remount", "ro", "nosuid"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && p.remount && p.flags == (MS_RDONLY | MS_NOSUID),
           "\"bind,remount,ro\": a bind remount");
    mount_plan_free(&p);
}

static void
test_data(void)
{
    expect("unknown options become data, in order, flags taken out", "tmpfs",
           OPTS("size=65536k", "nosuid", "mode=755", "strictatime", "nr_inodes=1k"),
           MS_NOSUID | MS_STRICTATIME, MS_NOATIME | MS_RELATIME, 0, 0, 0,
           "size=65536k,mode=755,nr_inodes=1k");
    expect("data without '=' is passed as is", "devpts", OPTS("newinstance"), 0, 0, 0, 0, 0,
           "newinstance");
    expect("a repeated data option is kept twice, in order", "tmpfs", OPTS("size=1k", "size=2k"), 0,
           0, 0, 0, 0, "size=1k,size=2k");
    expect("an option holding a comma (SELinux context) stays whole", "tmpfs",
           OPTS("context=\"system_u:object_r:container_file_t:s0:c1,c2\"", "ro"), MS_RDONLY, 0, 0,
           0, 0, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
    expect("options match case-sensitively: \"RO\" is data", "tmpfs", OPTS("RO"), 0, 0, 0, 0, 0,
           "RO");
    expect("overlay options pass through", "overlay",
           OPTS("lowerdir=/l1:/l2", "upperdir=/u", "workdir=/w", "userxattr"), 0, 0, 0, 0, 0,
           "lowerdir=/l1:/l2,upperdir=/u,workdir=/w,userxattr");
}

/* The mounts of `runc spec` (runc 1.1) and `runc spec --rootless`. */
static void
test_runc_defaults(void)
{
    const unsigned long nse = MS_NOSUID | MS_NOEXEC | MS_NODEV;
    struct mount_plan p;
    int rc;

    rc = build(&p, "proc", NULL);
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_FS && is_zero_plan(&p), "runc spec: /proc, no options");
    mount_plan_free(&p);

    expect("runc spec: /dev tmpfs", "tmpfs",
           OPTS("nosuid", "strictatime", "mode=755", "size=65536k"), MS_NOSUID | MS_STRICTATIME,
           MS_NOATIME | MS_RELATIME, 0, 0, 0, "mode=755,size=65536k");
    expect("runc spec: /dev/pts devpts", "devpts",
           OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
           MS_NOSUID | MS_NOEXEC, 0, 0, 0, 0, "newinstance,ptmxmode=0666,mode=0620,gid=5");
    expect("runc spec: /dev/shm tmpfs", "tmpfs",
           OPTS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"), nse, 0, 0, 0, 0,
           "mode=1777,size=65536k");
    expect("runc spec: /dev/mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev"), nse, 0, 0, 0, 0,
           NULL);
    expect("runc spec: /sys sysfs ro", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro"),
           nse | MS_RDONLY, 0, 0, 0, 0, NULL);
    expect("runc spec: /sys/fs/cgroup", "cgroup",
           OPTS("nosuid", "noexec", "nodev", "relatime", "ro"), nse | MS_RELATIME | MS_RDONLY,
           MS_NOATIME | MS_STRICTATIME, 0, 0, 0, NULL);

    rc = build(&p, "none", OPTS("rbind", "nosuid", "noexec", "nodev", "ro"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_BIND && p.recursive && p.flags == (nse | MS_RDONLY)
               && p.data == NULL && p.attr_set == 0,
           "runc spec --rootless: /sys rbind ro (top mount only)");
    mount_plan_free(&p);
}

static void
test_idmap(void)
{
    struct spec_id_mapping map = {.container_id = 0, .host_id = 100000, .size = 65536};
    struct spec_mount m = {
        .destination = (char *)"/data", .source = (char *)"/src", .type = (char *)"none"};
    char *opts[] = {(char *)"rbind", (char *)"ridmap"};
    struct mount_plan p;
    int rc;

    rc = build(&p, "none", OPTS("bind", "idmap"));
    tap_ok(rc == 0 && p.idmap && !p.idmap_recursive && p.data == NULL
               && (p.attr_set & MOUNT_ATTR_IDMAP) == 0,
           "\"idmap\": idmapped, not recursive, not data, not in attr_set");
    mount_plan_free(&p);

    rc = build(&p, "none", OPTS("rbind", "ridmap"));
    tap_ok(rc == 0 && p.idmap && p.idmap_recursive, "\"ridmap\": recursive idmap");
    mount_plan_free(&p);

    rc = build(&p, "none", OPTS("rbind", "ridmap", "idmap"));
    tap_ok(rc == 0 && p.idmap && !p.idmap_recursive, "\"ridmap\" then \"idmap\": the later wins");
    mount_plan_free(&p);

    rc = build(&p, "tmpfs", OPTS("idmap", "size=1m"));
    tap_ok(rc == 0 && p.kind == MOUNT_KIND_FS && p.idmap && p.data && !strcmp(p.data, "size=1m"),
           "\"idmap\" on a new filesystem (tmpfs supports it) is allowed");
    mount_plan_free(&p);

    rc = build(&p, "none", OPTS("rbind"));
    tap_ok(rc == 0 && !p.idmap, "no idmap option and no mappings: not idmapped");
    mount_plan_free(&p);

    /* mappings without an option: idmapped anyway (config.md: "the runtime
     * MUST use those values") */
    m.uid_mappings = m.gid_mappings = &map;
    m.n_uid_mappings = m.n_gid_mappings = 1;
    error_free(&err);
    rc = mount_plan_build(&m, &p, &err);
    tap_ok(rc == 0 && p.idmap && !p.idmap_recursive,
           "uidMappings/gidMappings without an option: idmapped, not recursive");
    mount_plan_free(&p);

    m.options.items = opts;
    m.options.n = 2;
    rc = mount_plan_build(&m, &p, &err);
    tap_ok(rc == 0 && p.idmap && p.idmap_recursive && p.recursive,
           "mappings with \"ridmap\": recursive idmap");
    mount_plan_free(&p);

    m.gid_mappings = NULL;
    m.n_gid_mappings = 0;
    rc = mount_plan_build(&m, &p, &err);
    tap_ok(rc == -EINVAL && is_zero_plan(&p), "uidMappings without gidMappings fails");
    tap_is_str(err ? err->msg : NULL, "uidMappings: given without gidMappings",
               "uidMappings without gidMappings: message");
    error_free(&err);

    m.gid_mappings = &map;
    m.n_gid_mappings = 1;
    m.uid_mappings = NULL;
    m.n_uid_mappings = 0;
    rc = mount_plan_build(&m, &p, &err);
    tap_is_str(rc == -EINVAL && err ? err->msg : NULL, "gidMappings: given without uidMappings",
               "gidMappings without uidMappings fails");
    error_free(&err);

    m.uid_mappings = &map;
    m.n_uid_mappings = 0; /* present but empty */
    rc = mount_plan_build(&m, &p, &err);
    tap_is_str(rc == -EINVAL && err ? err->msg : NULL, "uidMappings: empty",
               "an empty uidMappings fails");
    error_free(&err);
}

static void
test_copyup(void)
{
    struct mount_plan p;
    int rc;

    rc = build(&p, "tmpfs", OPTS("tmpcopyup", "mode=755"));
    tap_ok(rc == 0 && p.copy_up && p.data && strcmp(p.data, "mode=755") == 0,
           "\"tmpcopyup\" on tmpfs: copy_up, and not data");
    mount_plan_free(&p);

    rc = build(&p, "tmpfs", OPTS("mode=755"));
    tap_ok(rc == 0 && !p.copy_up, "no \"tmpcopyup\": no copy_up");
    mount_plan_free(&p);

    expect_error("tmpcopyup on a bind mount", "tmpfs", OPTS("rbind", "tmpcopyup"),
                 "option \"tmpcopyup\": needs a tmpfs, not a bind mount");
    expect_error("tmpcopyup on proc", "proc", OPTS("tmpcopyup"),
                 "option \"tmpcopyup\": needs type \"tmpfs\", not \"proc\"");
    expect_error("tmpcopyup on a remount", "tmpfs", OPTS("remount", "tmpcopyup"),
                 "option \"tmpcopyup\": needs a new tmpfs, not a remount");
}

static void
test_errors(void)
{
    struct mount_plan p;

    expect_error("an empty option", "tmpfs", OPTS("nosuid", "", "ro"), "options[1]: empty option");
    expect_error("an unknown option on a bind mount", "none", OPTS("rbind", "rbindx", "ro"),
                 "option \"rbindx\": unknown, and a bind mount takes no filesystem options");
    expect_error("data on a type \"bind\" mount", "bind", OPTS("mode=755"),
                 "option \"mode=755\": unknown, and a bind mount takes no filesystem options");
    expect_error("crun's idmap=... syntax on a bind mount", "none",
                 OPTS("bind", "idmap=uids=0-1000-10"),
                 "option \"idmap=uids=0-1000-10\": unknown, and a bind mount takes no "
                 "filesystem options");
    expect_error("no type and no bind", NULL, OPTS("nosuid"),
                 "type: missing, and neither \"bind\" nor \"rbind\" is among the options");
    expect_error("an empty type and no bind", "", NULL,
                 "type: missing, and neither \"bind\" nor \"rbind\" is among the options");
    expect_error("idmap with remount", "none", OPTS("bind", "remount", "idmap"),
                 "option \"remount\": an idmapped mount cannot be a remount");

    /* the message names the option, ready for the caller's "mounts[3]" */
    build(&p, "none", OPTS("rbind", "rbindx"));
    error_wrap(&err, "mounts[3]");
    tap_is_str(err ? err->msg : NULL,
               "mounts[3]: option \"rbindx\": unknown, and a bind mount takes no filesystem "
               "options",
               "the caller's wrap reads as one chain");
    error_free(&err);

    memset(&p, 0, sizeof(p));
    mount_plan_free(&p);
    mount_plan_free(&p);
    mount_plan_free(NULL);
    tap_ok(is_zero_plan(&p), "mount_plan_free on a zeroed plan, twice, and on NULL");
}

int
main(void)
{
    test_flag_pairs();
    test_atime_flags();
    test_propagation();
    test_recursive_attrs();
    test_recursive_atime();
    test_kinds();
    test_data();
    test_runc_defaults();
    test_idmap();
    test_copyup();
    test_errors();
    error_free(&err);
    return tap_done();
}

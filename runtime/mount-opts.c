/* SPDX-License-Identifier: Apache-2.0 */
/* config.json mounts[].options -> struct mount_plan: the option table of
 * config.md "Linux mount options", read the way mount(8) and runc read it. */
#include "runtime/mount-opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/xalloc.h"

#define MS_ATIME_MASK (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

enum opt_kind {
    OPT_NOOP,          /* "defaults" */
    OPT_FLAG_SET,      /* value: MS_* to set */
    OPT_FLAG_CLEAR,    /* value: MS_* to clear */
    OPT_FLAG_ATIME,    /* value: the MS_* atime flag to set, clearing the other two */
    OPT_PROPAGATION,   /* value: MS_SHARED etc., maybe | MS_REC */
    OPT_ATTR_SET,      /* value: MOUNT_ATTR_* to set recursively */
    OPT_ATTR_CLEAR,    /* value: MOUNT_ATTR_* to clear recursively */
    OPT_ATTR_ATIME,    /* value: the MOUNT_ATTR_* atime setting */
    OPT_ATTR_NOTATIME, /* not atime setting `value`: if it is (or none is planned), use `other` */
    OPT_BIND,
    OPT_RBIND,
    OPT_REMOUNT,
    OPT_IDMAP,
    OPT_RIDMAP,
    OPT_COPYUP,
};

struct opt {
    const char *name;
    enum opt_kind kind;
    uint64_t value;
    uint64_t other;
};

/* config.md "Linux mount options": the MUST rows follow mount(8)'s
 * filesystem-independent options, the r* rows are mount_setattr(2) with
 * AT_RECURSIVE, and "idmap"/"ridmap" "SHOULD NOT be passed to the
 * underlying mount(2) call". */
static const struct opt opts[] = {
    {"defaults", OPT_NOOP, 0, 0},

    {"ro", OPT_FLAG_SET, MS_RDONLY, 0},
    {"rw", OPT_FLAG_CLEAR, MS_RDONLY, 0},
    {"nosuid", OPT_FLAG_SET, MS_NOSUID, 0},
    {"suid", OPT_FLAG_CLEAR, MS_NOSUID, 0},
    {"nodev", OPT_FLAG_SET, MS_NODEV, 0},
    {"dev", OPT_FLAG_CLEAR, MS_NODEV, 0},
    {"noexec", OPT_FLAG_SET, MS_NOEXEC, 0},
    {"exec", OPT_FLAG_CLEAR, MS_NOEXEC, 0},
    {"sync", OPT_FLAG_SET, MS_SYNCHRONOUS, 0},
    {"async", OPT_FLAG_CLEAR, MS_SYNCHRONOUS, 0},
    {"dirsync", OPT_FLAG_SET, MS_DIRSYNC, 0},
    {"mand", OPT_FLAG_SET, MS_MANDLOCK, 0},
    {"nomand", OPT_FLAG_CLEAR, MS_MANDLOCK, 0},
    {"nodiratime", OPT_FLAG_SET, MS_NODIRATIME, 0},
    {"diratime", OPT_FLAG_CLEAR, MS_NODIRATIME, 0},
    {"iversion", OPT_FLAG_SET, MS_I_VERSION, 0},
    {"noiversion", OPT_FLAG_CLEAR, MS_I_VERSION, 0},
    {"lazytime", OPT_FLAG_SET, MS_LAZYTIME, 0},
    {"nolazytime", OPT_FLAG_CLEAR, MS_LAZYTIME, 0},
    {"silent", OPT_FLAG_SET, MS_SILENT, 0},
    {"loud", OPT_FLAG_CLEAR, MS_SILENT, 0},
    {"nosymfollow", OPT_FLAG_SET, MS_NOSYMFOLLOW, 0},
    {"symfollow", OPT_FLAG_CLEAR, MS_NOSYMFOLLOW, 0},
    {"noatime", OPT_FLAG_ATIME, MS_NOATIME, 0},
    {"relatime", OPT_FLAG_ATIME, MS_RELATIME, 0},
    {"strictatime", OPT_FLAG_ATIME, MS_STRICTATIME, 0},
    {"atime", OPT_FLAG_CLEAR, MS_NOATIME, 0},
    {"norelatime", OPT_FLAG_CLEAR, MS_RELATIME, 0},
    {"nostrictatime", OPT_FLAG_CLEAR, MS_STRICTATIME, 0},

    {"private", OPT_PROPAGATION, MS_PRIVATE, 0},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC, 0},
    {"shared", OPT_PROPAGATION, MS_SHARED, 0},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC, 0},
    {"slave", OPT_PROPAGATION, MS_SLAVE, 0},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC, 0},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE, 0},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC, 0},

    {"rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY, 0},
    {"rrw", OPT_ATTR_CLEAR, MOUNT_ATTR_RDONLY, 0},
    {"rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID, 0},
    {"rsuid", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSUID, 0},
    {"rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV, 0},
    {"rdev", OPT_ATTR_CLEAR, MOUNT_ATTR_NODEV, 0},
    {"rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC, 0},
    {"rexec", OPT_ATTR_CLEAR, MOUNT_ATTR_NOEXEC, 0},
    {"rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", OPT_ATTR_CLEAR, MOUNT_ATTR_NODIRATIME, 0},
    {"rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rrelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME, 0},
    {"rnoatime", OPT_ATTR_ATIME, MOUNT_ATTR_NOATIME, 0},
    {"rstrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME, 0},
    /* The opposites have no value of their own in the 3-value field:
     * "ratime" and "rnostrictatime" fall back to the kernel's default
     * (relatime), and "not relatime" can only mean strictatime. */
    {"ratime", OPT_ATTR_NOTATIME, MOUNT_ATTR_NOATIME, MOUNT_ATTR_RELATIME},
    {"rnostrictatime", OPT_ATTR_NOTATIME, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_ATTR_NOTATIME, MOUNT_ATTR_RELATIME, MOUNT_ATTR_STRICTATIME},

    {"bind", OPT_BIND, 0, 0},
    {"rbind", OPT_RBIND, 0, 0},
    {"remount", OPT_REMOUNT, 0, 0},
    {"idmap", OPT_IDMAP, 0, 0},
    {"ridmap", OPT_RIDMAP, 0, 0},
    {"tmpcopyup", OPT_COPYUP, 0, 0},
};

size_t
mount_opts_count(void)
{
    return sizeof(opts) / sizeof(opts[0]);
}

const char *
mount_opts_name(size_t i)
{
    return i < mount_opts_count() ? opts[i].name : NULL;
}

static const struct opt *
opt_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

static void
flag_set(struct mount_plan *p, unsigned long f)
{
    p->flags |= f;
    p->clear &= ~f;
}

static void
flag_clear(struct mount_plan *p, unsigned long f)
{
    p->flags &= ~f;
    p->clear |= f;
}

static void
attr_set(struct mount_plan *p, uint64_t a)
{
    p->attr_set |= a;
    p->attr_clr &= ~a;
}

static void
attr_clear(struct mount_plan *p, uint64_t a)
{
    p->attr_set &= ~a;
    p->attr_clr |= a;
}

/* mount_setattr(2): "users wanting to transition to a different atime
 * setting cannot simply specify the atime setting in attr_set, but must
 * also include MOUNT_ATTR__ATIME in the attr_clr field" (the kernel
 * rejects a partial MOUNT_ATTR__ATIME in attr_clr with EINVAL). */
static void
attr_atime(struct mount_plan *p, uint64_t setting)
{
    p->attr_set = (p->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | setting;
    p->attr_clr |= MOUNT_ATTR__ATIME;
}

static bool
has_attr_atime(const struct mount_plan *p)
{
    return (p->attr_clr & MOUNT_ATTR__ATIME) != 0;
}

/* Append one filesystem option to p->data, comma-separated. */
static void
data_append(struct mount_plan *p, const char *o)
{
    size_t old = p->data ? strlen(p->data) : 0;
    size_t add = strlen(o);

    p->data = xrealloc(p->data, old + (old ? 1 : 0) + add + 1);
    if (old)
        p->data[old++] = ',';
    memcpy(p->data + old, o, add + 1);
}

static void
apply_option(struct mount_plan *p, const struct opt *o)
{
    switch (o->kind) {
    case OPT_NOOP:
        break;
    case OPT_FLAG_SET:
        flag_set(p, o->value);
        break;
    case OPT_FLAG_CLEAR:
        flag_clear(p, o->value);
        break;
    case OPT_FLAG_ATIME:
        /* mount(8) keeps the three as independent bits and the kernel then
         * prefers strictatime over noatime over relatime whatever their
         * order; here the last one wins, as it does for every other option. */
        flag_clear(p, MS_ATIME_MASK & ~o->value);
        flag_set(p, o->value);
        break;
    case OPT_PROPAGATION:
        p->propagation = o->value;
        break;
    case OPT_ATTR_SET:
        attr_set(p, o->value);
        break;
    case OPT_ATTR_CLEAR:
        attr_clear(p, o->value);
        break;
    case OPT_ATTR_ATIME:
        attr_atime(p, o->value);
        break;
    case OPT_ATTR_NOTATIME:
        /* "rnoatime,rnostrictatime" stays noatime, as "noatime,nostrictatime"
         * does for mount(8); only the setting being negated is replaced. */
        if (!has_attr_atime(p) || (p->attr_set & MOUNT_ATTR__ATIME) == o->value)
            attr_atime(p, o->other);
        break;
    case OPT_BIND:
        p->kind = MOUNT_KIND_BIND;
        break;
    case OPT_RBIND:
        /* As in runc, a later "bind" does not undo the recursion. */
        p->kind = MOUNT_KIND_BIND;
        p->recursive = true;
        break;
    case OPT_REMOUNT:
        p->remount = true;
        break;
    case OPT_IDMAP:
        p->idmap = true;
        p->idmap_recursive = false;
        break;
    case OPT_RIDMAP:
        p->idmap = true;
        p->idmap_recursive = true;
        break;
    case OPT_COPYUP:
        p->copy_up = true;
        break;
    }
}

static int
check_mappings(const struct spec_mount *m, struct error **err)
{
    bool has_uid = m->uid_mappings != NULL, has_gid = m->gid_mappings != NULL;

    /* config.md "POSIX-platform Mounts": uidMappings "If specified, it MUST
     * be specified along with gidMappings" (and the other way round). */
    if (has_uid && !has_gid)
        return error_setx(err, EINVAL, "uidMappings: given without gidMappings");
    if (has_gid && !has_uid)
        return error_setx(err, EINVAL, "gidMappings: given without uidMappings");
    if (has_uid && m->n_uid_mappings == 0)
        return error_setx(err, EINVAL, "uidMappings: empty");
    if (has_gid && m->n_gid_mappings == 0)
        return error_setx(err, EINVAL, "gidMappings: empty");
    return 0;
}

/* The combinations that cannot work, checked once every option is in. */
static int
check_plan(const struct spec_mount *m, const struct mount_plan *p, const char *first_data,
           struct error **err)
{
    const char *type = m->type && m->type[0] ? m->type : NULL;

    /* config.md: "A mount is a bind mount if it has either bind or rbind
     * in the options"; anything else creates a filesystem, which needs a
     * type (a remount reuses the one already mounted). */
    if (p->kind == MOUNT_KIND_FS && !p->remount && type == NULL)
        return error_setx(err, EINVAL,
                          "type: missing, and neither \"bind\" nor \"rbind\" is among the options");
    /* mount(2) ignores data for a bind mount, so an unknown option there is
     * a typo or a feature we lack ("idmap=uids=..."): failing beats
     * silently mounting something other than what was asked for. */
    if (p->kind == MOUNT_KIND_BIND && first_data != NULL)
        return error_setx(err, EINVAL,
                          "option \"%s\": unknown, and a bind mount takes no filesystem options",
                          first_data);
    /* tmpcopyup fills a new, empty tmpfs with what the image has there. */
    if (p->copy_up && p->kind == MOUNT_KIND_BIND)
        return error_setx(err, EINVAL, "option \"tmpcopyup\": needs a tmpfs, not a bind mount");
    if (p->copy_up && p->remount)
        return error_setx(err, EINVAL, "option \"tmpcopyup\": needs a new tmpfs, not a remount");
    /* (type is set here: a new filesystem without one failed above) */
    if (p->copy_up && (type == NULL || strcmp(type, "tmpfs") != 0))
        return error_setx(err, EINVAL, "option \"tmpcopyup\": needs type \"tmpfs\", not \"%s\"",
                          type ? type : "");
    /* MOUNT_ATTR_IDMAP only applies to a mount not yet attached. */
    if (p->idmap && p->remount)
        return error_setx(err, EINVAL, "option \"remount\": an idmapped mount cannot be a remount");
    return check_mappings(m, err);
}

int
mount_plan_build(const struct spec_mount *m, struct mount_plan *ret, struct error **err)
{
    struct mount_plan p = {.kind = MOUNT_KIND_FS};
    const char *first_data = NULL;
    int rc;

    memset(ret, 0, sizeof(*ret));
    if (m->type && strcmp(m->type, "bind") == 0)
        p.kind = MOUNT_KIND_BIND; /* as runc and crun do */

    for (size_t i = 0; i < m->options.n; i++) {
        const char *name = m->options.items[i];
        const struct opt *o;

        if (name == NULL || name[0] == '\0') {
            mount_plan_free(&p);
            return error_setx(err, EINVAL, "options[%zu]: empty option", i);
        }
        o = opt_lookup(name);
        if (o != NULL) {
            apply_option(&p, o);
            continue;
        }
        /* config.md: "Runtimes SHOULD treat unknown options as
         * filesystem-specific ones and pass those as a comma-separated
         * string to the fifth (const void *data) argument of mount(2)". */
        if (first_data == NULL)
            first_data = name;
        data_append(&p, name);
    }

    if (m->uid_mappings != NULL || m->gid_mappings != NULL)
        p.idmap = true; /* config.md: "the runtime MUST use those values" */

    rc = check_plan(m, &p, first_data, err);
    if (rc < 0) {
        mount_plan_free(&p);
        return rc;
    }
    *ret = p;
    return 0;
}

void
mount_plan_free(struct mount_plan *p)
{
    if (p == NULL)
        return;
    free(p->data);
    memset(p, 0, sizeof(*p));
}

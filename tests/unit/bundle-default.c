/* SPDX-License-Identifier: Apache-2.0 */
/* bundle/spec-default.c: the default and rootless specs are written exactly
 * as the reference files in tests/data (checked by eye against `runc spec`
 * when they were made; see the comment at the top of spec-default.c), parse
 * back to the same fields, validate, and survive a second round trip
 * unchanged.  $BERTH_TEST_DATA overrides the data directory (default
 * tests/data, relative to the repository root, where make runs). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

static const char *const masked[] = {
    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi",
};

static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const char *const mount_dests[] = {
    "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool
strv_equals(const struct strv *v, const char *const *want, size_t n)
{
    if (v->items == NULL || v->n != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v->items[i] == NULL || strcmp(v->items[i], want[i]) != 0)
            return false;
    }
    return true;
}

static const struct spec_mount *
find_mount(const struct spec *s, const char *dest)
{
    for (size_t i = 0; i < s->n_mounts; i++) {
        if (strcmp(s->mounts[i].destination, dest) == 0)
            return &s->mounts[i];
    }
    return NULL;
}

/* The namespace types of S as a comma-separated list, e.g. "pid,ipc". */
static char *
ns_list(const struct spec *s)
{
    char *out = xstrdup("");

    for (size_t i = 0; i < s->linux_->n_namespaces; i++) {
        const char *name = spec_enum_name(&spec_enum_ns_type, s->linux_->namespaces[i].type);
        char *next = xasprintf("%s%s%s", out, i ? "," : "", name ? name : "?");

        free(out);
        out = next;
    }
    return out;
}

static char *
write_spec(const struct spec *s, const char *what, size_t *ret_len)
{
    struct error *err = NULL;
    char *buf = NULL;
    size_t len = 0;
    int rc = spec_write(s, true, &buf, &len, &err);

    tap_ok(rc == 0, "%s: spec_write", what);
    if (rc < 0) {
        tap_diag("%s", err->msg);
        error_free(&err);
        return NULL;
    }
    tap_ok(strlen(buf) == len, "%s: written length matches the text", what);
    *ret_len = len;
    return buf;
}

static void
check_against_file(const char *what, const char *buf, size_t len, const char *name)
{
    const char *dir = getenv("BERTH_TEST_DATA") ? getenv("BERTH_TEST_DATA") : "tests/data";
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    _cleanup_free_ char *want = NULL;
    size_t want_len = 0;
    int rc = fd_read_file_at(AT_FDCWD, path, 1 << 20, &want, &want_len);

    tap_ok(rc == 0, "%s: read '%s'", what, path);
    if (rc < 0) {
        tap_diag("%s", strerror(-rc));
        return;
    }
    tap_ok(want_len == len && memcmp(want, buf, len) == 0,
           "%s: pretty output is byte for byte '%s'", what, path);
    if (want_len != len || memcmp(want, buf, len) != 0) {
        size_t i = 0;

        while (i < len && i < want_len && buf[i] == want[i])
            i++;
        tap_diag("first difference at byte %zu (got %zu bytes, expected %zu)", i, len, want_len);
        tap_diag("got: %.60s", buf + i);
        tap_diag("expected: %.60s", want + i);
    }
}

/* Fields shared by both variants. */
static void
check_common(const char *what, const struct spec *s)
{
    const struct spec_process *p = s->process;
    const struct spec_mount *m;

    tap_is_str(s->oci_version, SPEC_OCI_VERSION, "%s: ociVersion", what);
    tap_is_str(s->hostname, "berth", "%s: hostname", what);
    tap_ok(s->root && strcmp(s->root->path, "rootfs") == 0 && s->root->has_readonly
               && s->root->readonly,
           "%s: root is rootfs, read-only", what);
    tap_ok(p && p->has_terminal && p->terminal, "%s: process.terminal true", what);
    tap_ok(p && p->user && p->user->has_uid && p->user->uid == 0 && p->user->has_gid
               && p->user->gid == 0 && !p->user->has_umask
               && p->user->additional_gids.items == NULL,
           "%s: process.user 0:0 and nothing else", what);
    tap_ok(strv_equals(&p->args, (const char *const[]){"sh"}, 1), "%s: process.args [sh]", what);
    tap_ok(strv_equals(&p->env,
                       (const char *const[]){
                           "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           "TERM=xterm"},
                       2),
           "%s: process.env PATH and TERM", what);
    tap_is_str(p->cwd, "/", "%s: process.cwd", what);
    tap_ok(p->capabilities && strv_equals(&p->capabilities->bounding, caps, COUNT(caps))
               && strv_equals(&p->capabilities->effective, caps, COUNT(caps))
               && strv_equals(&p->capabilities->permitted, caps, COUNT(caps)),
           "%s: bounding, effective, permitted capabilities", what);
    tap_ok(p->capabilities && p->capabilities->inheritable.items == NULL
               && p->capabilities->ambient.items == NULL,
           "%s: no inheritable or ambient capabilities", what);
    tap_ok(p->n_rlimits == 1 && strcmp(p->rlimits[0].type, "RLIMIT_NOFILE") == 0
               && p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 1024,
           "%s: RLIMIT_NOFILE 1024/1024", what);
    tap_ok(p->has_no_new_privileges && p->no_new_privileges, "%s: noNewPrivileges", what);

    tap_is_int(s->n_mounts, COUNT(mount_dests), "%s: mount count", what);
    for (size_t i = 0; i < s->n_mounts && i < COUNT(mount_dests); i++)
        tap_is_str(s->mounts[i].destination, mount_dests[i], "%s: mounts[%zu].destination", what,
                   i);
    m = find_mount(s, "/proc");
    tap_ok(m && strcmp(m->type, "proc") == 0 && m->options.items == NULL,
           "%s: /proc is proc without options", what);
    m = find_mount(s, "/sys/fs/cgroup");
    tap_ok(m && strcmp(m->type, "cgroup") == 0 && strv_contains(&m->options, "ro"),
           "%s: /sys/fs/cgroup is a read-only cgroup mount", what);

    tap_ok(strv_equals(&s->linux_->masked_paths, masked, COUNT(masked)),
           "%s: linux.maskedPaths as runc", what);
    tap_ok(strv_equals(&s->linux_->readonly_paths, readonly, COUNT(readonly)),
           "%s: linux.readonlyPaths as runc", what);
    tap_ok(s->hooks == NULL && s->annotations.items == NULL && s->domainname == NULL,
           "%s: no hooks, annotations or domainname", what);
}

static void
check_default(const struct spec *s)
{
    const struct spec_mount *m;
    _cleanup_free_ char *ns = ns_list(s);

    check_common("default", s);
    tap_is_str(ns, "pid,network,ipc,uts,mount,cgroup", "default: namespaces");
    tap_ok(s->linux_->uid_mappings == NULL && s->linux_->gid_mappings == NULL,
           "default: no id mappings");
    tap_ok(s->linux_->resources && s->linux_->resources->n_devices == 1
               && !s->linux_->resources->devices[0].allow
               && s->linux_->resources->devices[0].type == NULL
               && strcmp(s->linux_->resources->devices[0].access, "rwm") == 0,
           "default: devices cgroup denies all (rwm)");
    m = find_mount(s, "/dev/pts");
    tap_ok(m && strv_contains(&m->options, "gid=5"), "default: /dev/pts has gid=5");
    m = find_mount(s, "/sys");
    tap_ok(m && strcmp(m->type, "sysfs") == 0 && strcmp(m->source, "sysfs") == 0
               && strv_equals(&m->options, (const char *const[]){"nosuid", "noexec", "nodev", "ro"},
                              4),
           "default: /sys is a read-only sysfs");
}

static void
check_rootless(const struct spec *s, uint32_t uid, uint32_t gid)
{
    const struct spec_linux *l = s->linux_;
    const struct spec_mount *m;
    _cleanup_free_ char *ns = ns_list(s);

    check_common("rootless", s);
    tap_is_str(ns, "pid,ipc,uts,mount,cgroup,user", "rootless: namespaces, no network, user last");
    tap_ok(l->n_uid_mappings == 1 && l->uid_mappings[0].container_id == 0
               && l->uid_mappings[0].host_id == uid && l->uid_mappings[0].size == 1,
           "rootless: uidMappings 0 -> %u, size 1", uid);
    tap_ok(l->n_gid_mappings == 1 && l->gid_mappings[0].container_id == 0
               && l->gid_mappings[0].host_id == gid && l->gid_mappings[0].size == 1,
           "rootless: gidMappings 0 -> %u, size 1", gid);
    tap_ok(l->resources == NULL, "rootless: no linux.resources");
    m = find_mount(s, "/dev/pts");
    tap_ok(m && !strv_contains(&m->options, "gid=5") && strv_contains(&m->options, "newinstance"),
           "rootless: /dev/pts without gid=5");
    m = find_mount(s, "/sys");
    tap_ok(m && strcmp(m->type, "none") == 0 && strcmp(m->source, "/sys") == 0
               && strv_equals(&m->options,
                              (const char *const[]){"rbind", "nosuid", "noexec", "nodev", "ro"}, 5),
           "rootless: /sys is a read-only rbind of the host's");
}

/* Write S, compare with the reference file, parse it back, check the fields
 * with CHECK, validate, and check a second write gives the same bytes. */
static void
round_trip(const char *what, struct spec *s, const char *ref, void (*check)(const struct spec *))
{
    struct error *err = NULL;
    _cleanup_free_ char *buf = NULL;
    _cleanup_free_ char *again = NULL;
    struct spec *parsed;
    struct diags diags;
    size_t len = 0, again_len = 0;

    check(s);
    buf = write_spec(s, what, &len);
    if (buf == NULL)
        return;
    tap_ok(len > 0 && buf[0] == '{' && strstr(buf, "\n\t\"ociVersion\": ") != NULL
               && buf[len - 1] == '\n',
           "%s: pretty output is tab-indented and ends with a newline", what);
    check_against_file(what, buf, len, ref);

    parsed = spec_parse(buf, len, "config.json", &err);
    tap_ok(parsed != NULL, "%s: output parses", what);
    if (parsed == NULL) {
        tap_diag("%s", err->msg);
        error_free(&err);
        return;
    }
    check(parsed);

    diags_init(&diags, "config.json");
    spec_validate(parsed, &diags);
    tap_ok(!diags_has_errors(&diags), "%s: output validates", what);
    for (size_t i = 0; i < diags.n; i++) {
        char *line = diag_format(&diags, &diags.items[i]);

        tap_diag("%s", line);
        free(line);
    }
    diags_free(&diags);

    again = write_spec(parsed, what, &again_len);
    tap_ok(again && again_len == len && memcmp(again, buf, len) == 0,
           "%s: parse and write again gives the same bytes", what);
    spec_free(parsed);
}

static uint32_t rootless_uid, rootless_gid;

static void
check_rootless_ids(const struct spec *s)
{
    check_rootless(s, rootless_uid, rootless_gid);
}

int
main(void)
{
    struct spec *a, *b;

    a = spec_default();
    round_trip("default", a, "spec-default.json", check_default);

    rootless_uid = 1000;
    rootless_gid = 1000;
    b = spec_default_rootless(1000, 1000);
    round_trip("rootless", b, "spec-default-rootless-1000.json", check_rootless_ids);
    spec_free(b);

    /* Distinct ids land in the right maps, and each call builds a fresh,
     * independent spec (freeing one leaves the other intact). */
    rootless_uid = 4242;
    rootless_gid = 77;
    b = spec_default_rootless(4242, 77);
    check_rootless_ids(b);
    spec_free(a);
    tap_is_str(b->mounts[0].destination, "/proc", "a freed default spec shares nothing");
    spec_free(b);

    rootless_uid = UINT32_MAX - 1;
    rootless_gid = UINT32_MAX - 1;
    b = spec_default_rootless(UINT32_MAX - 1, UINT32_MAX - 1);
    {
        _cleanup_free_ char *buf = NULL;
        struct error *err = NULL;
        struct spec *parsed;
        size_t len = 0;

        buf = write_spec(b, "rootless high ids", &len);
        parsed = buf ? spec_parse(buf, len, "config.json", &err) : NULL;
        tap_ok(parsed && parsed->linux_->uid_mappings[0].host_id == UINT32_MAX - 1
                   && parsed->linux_->gid_mappings[0].host_id == UINT32_MAX - 1,
               "rootless: host ids up to 2^32-2 survive a round trip");
        if (err) {
            tap_diag("%s", err->msg);
            error_free(&err);
        }
        spec_free(parsed);
    }
    spec_free(b);
    return tap_done();
}

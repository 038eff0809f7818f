/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/idmap.c, the deciding half: which mounts are idmapped, which
 * of them berth refuses and why (not a bind mount, no user namespace to take
 * the mapping from, not root), and when a mount's own mappings are the
 * container's. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "runtime/idmap.h"
#include "tests/unit/tap.h"

static char *opt_bind[] = {"bind"};
static char *opt_rbind_ridmap[] = {"rbind", "ridmap"};
static char *opt_bind_idmap[] = {"bind", "idmap"};
static char *opt_idmap[] = {"idmap"};
static char *opt_nosuid[] = {"nosuid"};

static struct spec_id_mapping ns_map[] = {{0, 100000, 65536}};
static struct spec_id_mapping other_map[] = {{0, 100000, 1000}};
static struct spec_id_mapping two_maps[] = {{0, 100000, 1}, {1, 200000, 10}};

#define STRV(a) ((struct strv){.items = (a), .n = sizeof(a) / sizeof((a)[0])})

static struct spec_mount
mnt(const char *type, struct strv opts, struct spec_id_mapping *uids, size_t nu,
    struct spec_id_mapping *gids, size_t ng)
{
    return (struct spec_mount){
        .destination = (char *)"/data",
        .source = (char *)"/srv",
        .type = (char *)type,
        .options = opts,
        .uid_mappings = uids,
        .n_uid_mappings = nu,
        .gid_mappings = gids,
        .n_gid_mappings = ng,
    };
}

/* A spec with the one mount M; with a new user namespace (maps ns_map) when
 * USERNS is 1, one joined by path when 2, none when 0. */
static struct spec_namespace user_ns = {.type = SPEC_NS_USER};
static struct spec_namespace user_ns_path = {.type = SPEC_NS_USER,
                                             .path = (char *)"/proc/1/ns/user"};
static struct spec_namespace mount_ns = {.type = SPEC_NS_MOUNT};
static struct spec_linux lx;
static struct spec sp;
static struct spec_mount the_mount;

static const struct spec *
spec_with(struct spec_mount m, int userns)
{
    memset(&lx, 0, sizeof(lx));
    memset(&sp, 0, sizeof(sp));
    the_mount = m;
    sp.mounts = &the_mount;
    sp.n_mounts = 1;
    sp.linux_ = &lx;
    lx.namespaces = userns == 0 ? &mount_ns : userns == 1 ? &user_ns : &user_ns_path;
    lx.n_namespaces = 1;
    if (userns == 1) {
        lx.uid_mappings = ns_map;
        lx.n_uid_mappings = 1;
        lx.gid_mappings = ns_map;
        lx.n_gid_mappings = 1;
    }
    return &sp;
}

static bool
starts_with(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_is_idmapped(void)
{
    struct spec_mount m;

    m = mnt(NULL, STRV(opt_bind), NULL, 0, NULL, 0);
    tap_ok(!idmap_is_idmapped(&m), "a plain bind mount is not idmapped");
    m = mnt(NULL, STRV(opt_bind_idmap), NULL, 0, NULL, 0);
    tap_ok(idmap_is_idmapped(&m), "\"idmap\" makes an idmapped mount");
    m = mnt(NULL, STRV(opt_rbind_ridmap), NULL, 0, NULL, 0);
    tap_ok(idmap_is_idmapped(&m), "\"ridmap\" makes an idmapped mount");
    m = mnt(NULL, STRV(opt_bind), ns_map, 1, ns_map, 1);
    tap_ok(idmap_is_idmapped(&m), "uidMappings and gidMappings alone make an idmapped mount");
    tap_ok(idmap_wanted(spec_with(m, 0)), "a spec with one is wanted");
    m = mnt(NULL, STRV(opt_bind), NULL, 0, NULL, 0);
    tap_ok(!idmap_wanted(spec_with(m, 1)), "a spec without one is not");
}

static void
test_refusal(void)
{
    struct spec_mount m;

    m = mnt(NULL, STRV(opt_bind), NULL, 0, NULL, 0);
    tap_ok(idmap_refusal(spec_with(m, 0), 0, false) == NULL, "no refusal for a plain mount");

    m = mnt("tmpfs", STRV(opt_idmap), ns_map, 1, ns_map, 1);
    tap_ok(starts_with(idmap_refusal(spec_with(m, 1), 0, true),
                       "idmapped mounts are supported on bind mounts only"),
           "idmap on a tmpfs is refused");
    m = mnt("bind", STRV(opt_idmap), ns_map, 1, ns_map, 1);
    tap_ok(idmap_refusal(spec_with(m, 0), 0, true) == NULL, "type \"bind\" is a bind mount");

    m = mnt(NULL, STRV(opt_bind_idmap), NULL, 0, NULL, 0);
    tap_ok(starts_with(idmap_refusal(spec_with(m, 0), 0, true),
                       "\"idmap\" without uidMappings and gidMappings takes the container's user "
                       "namespace, and the container has none"),
           "idmap without mappings and without a user namespace is refused (config.md MUST)");
    tap_ok(idmap_refusal(spec_with(m, 1), 0, true) == NULL,
           "idmap without mappings in a user namespace, as root: fine");
    tap_ok(idmap_refusal(spec_with(m, 2), 0, true) == NULL,
           "... also with a joined user namespace");

    m = mnt(NULL, STRV(opt_rbind_ridmap), ns_map, 1, ns_map, 1);
    tap_ok(idmap_refusal(spec_with(m, 0), 0, true) == NULL,
           "mappings without a user namespace: fine");
    tap_ok(
        starts_with(idmap_refusal(spec_with(m, 1), 0, false),
                    "an idmapped mount needs berth to run as root in the initial user namespace"),
        "without root: refused");
}

static void
test_same_as_container(void)
{
    struct spec_mount m;

    m = mnt(NULL, STRV(opt_bind_idmap), ns_map, 1, ns_map, 1);
    tap_ok(idmap_same_as_container(spec_with(m, 1), 0), "the container's own mappings");
    tap_ok(!idmap_same_as_container(spec_with(m, 0), 0), "... but no user namespace: no");
    tap_ok(!idmap_same_as_container(spec_with(m, 2), 0), "... a joined one: no");
    m = mnt(NULL, STRV(opt_bind_idmap), other_map, 1, ns_map, 1);
    tap_ok(!idmap_same_as_container(spec_with(m, 1), 0), "another uid size: no");
    m = mnt(NULL, STRV(opt_bind_idmap), ns_map, 1, two_maps, 2);
    tap_ok(!idmap_same_as_container(spec_with(m, 1), 0), "more gid mappings: no");
    m = mnt(NULL, STRV(opt_bind_idmap), NULL, 0, NULL, 0);
    tap_ok(!idmap_same_as_container(spec_with(m, 1), 0), "no mappings of its own: no");
}

static void
test_check(void)
{
    struct error *err = NULL;
    struct spec_mount m;
    int rc;

    m = mnt(NULL, STRV(opt_bind_idmap), ns_map, 1, ns_map, 1);
    rc = idmap_check(spec_with(m, 1), false, &err);
    tap_is_int(rc, 0, "idmap_check as root: ok");
    rc = idmap_check(spec_with(m, 1), true, &err);
    tap_is_int(rc, -EPERM, "idmap_check rootless: -EPERM");
    tap_ok(err != NULL && starts_with(err->msg, "config.json: mounts[0]: an idmapped mount needs "),
           "... naming config.json: mounts[0]");
    error_free(&err);
    m = mnt("tmpfs", STRV(opt_nosuid), ns_map, 1, ns_map, 1);
    rc = idmap_check(spec_with(m, 1), true, &err);
    tap_is_int(rc, -EINVAL, "a non-bind idmapped mount: -EINVAL, also rootless");
    error_free(&err);
}

int
main(void)
{
    test_is_idmapped();
    test_refusal();
    test_same_as_container();
    test_check();
    return tap_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* image/convert.c: image config -> config.json per image-spec conversion.md.
 * Images and configs are built by hand (image_config_parse is tested on its
 * own); the rootfs is a temporary directory with an /etc/passwd and an
 * /etc/group.  Every spec made is checked with spec_validate and must
 * survive spec_write -> spec_parse -> spec_write unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define STRV(...)                                                                                  \
    ((struct strv){.items = (char *[]){__VA_ARGS__, NULL},                                         \
                   .n = sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)})
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char tmpdir[] = "/tmp/berth-image-convert-XXXXXX";
static int rootfd = -1;

/* ---- helpers ---- */

static void
write_file(const char *rel, const char *text)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static void
make_dir(const char *rel)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, rel);

    if (mkdir(path, 0755) < 0) {
        perror(path);
        exit(1);
    }
}

/* A linux/amd64 config running /bin/true, nothing else set.  (STRV's
 * compound literals live only as long as the block that makes them.) */
static struct image_config
base_config(void)
{
    static char *true_cmd[] = {"/bin/true", NULL};

    return (struct image_config){
        .architecture = "amd64",
        .os = "linux",
        .has_cmd = true,
        .cmd = {.items = true_cmd, .n = 1},
    };
}

static struct image
image_of(struct image_config *c)
{
    return (struct image){.name = "oci:/tmp/img:test", .config = c};
}

static bool
strv_equals(const struct strv *v, const char *const *want, size_t n)
{
    if (v->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v->items[i], want[i]) != 0)
            return false;
    return true;
}

static size_t
env_count(const struct strv *env, const char *name)
{
    size_t n = strlen(name), count = 0;

    for (size_t i = 0; i < env->n; i++)
        if (strncmp(env->items[i], name, n) == 0 && env->items[i][n] == '=')
            count++;
    return count;
}

static const char *
annotation(const struct spec *s, const char *key)
{
    for (size_t i = 0; i < s->annotations.n; i++)
        if (strcmp(s->annotations.items[i].key, key) == 0)
            return s->annotations.items[i].value;
    return NULL;
}

static const struct spec_mount *
find_mount(const struct spec *s, const char *dest)
{
    for (size_t i = 0; i < s->n_mounts; i++)
        if (strcmp(s->mounts[i].destination, dest) == 0)
            return &s->mounts[i];
    return NULL;
}

static bool
has_ns(const struct spec *s, int type)
{
    for (size_t i = 0; i < s->linux_->n_namespaces; i++)
        if (s->linux_->namespaces[i].type == type)
            return true;
    return false;
}

/* spec_validate finds no error, and write -> parse -> write is stable. */
static void
check_valid_and_round_trip(const struct spec *s, const char *what)
{
    struct diags d;
    struct error *err = NULL;
    _cleanup_free_ char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    struct spec *back;

    diags_init(&d, "config.json");
    spec_validate(s, &d);
    tap_ok(d.n_errors == 0, "%s: spec_validate finds no error", what);
    for (size_t i = 0; i < d.n; i++) {
        _cleanup_free_ char *line = diag_format(&d, &d.items[i]);
        tap_diag("%s", line);
    }
    diags_free(&d);
    if (spec_write(s, true, &a, &alen, &err) < 0) {
        tap_ok(0, "%s: spec_write: %s", what, err->msg);
        error_free(&err);
        return;
    }
    back = spec_load(a, alen, "config.json", &err);
    tap_ok(back != NULL, "%s: the written config loads back%s%s", what, err ? ": " : "",
           err ? err->msg : "");
    error_free(&err);
    if (back == NULL)
        return;
    if (spec_write(back, true, &b, &blen, &err) < 0)
        error_free(&err);
    tap_ok(b != NULL && alen == blen && memcmp(a, b, alen) == 0, "%s: round trip is lossless",
           what);
    spec_free(back);
}

/* Convert, expecting success. */
static struct spec *
convert(struct image_config *c, const struct image_convert_opts *o, const char *what)
{
    struct image img = image_of(c);
    struct error *err = NULL;
    struct spec *s = image_to_spec_at(rootfd, &img, o, &err);

    tap_ok(s != NULL, "%s: converts%s%s", what, err ? ": " : "", err ? err->msg : "");
    error_free(&err);
    return s;
}

/* Convert, expecting failure with MSG. */
static void
convert_fails(struct image_config *c, const struct image_convert_opts *o, const char *msg,
              const char *what)
{
    struct image img = image_of(c);
    struct error *err = NULL;
    struct spec *s = image_to_spec_at(rootfd, &img, o, &err);

    tap_ok(s == NULL && err != NULL && err->errnum == EINVAL, "%s: refused with EINVAL", what);
    tap_is_str(err ? err->msg : NULL, msg, "%s: message", what);
    error_free(&err);
    spec_free(s);
}

/* ---- the defaults ---- */

static void
test_defaults(void)
{
    struct image_config c = base_config();
    struct spec *s = convert(&c, NULL, "defaults");
    struct spec *def = spec_default();
    static const char *const args[] = {"/bin/true"};
    static const char *const env[] = {DEFAULT_PATH, "HOME=/root"};

    if (s == NULL)
        return;
    tap_is_str(s->root->path, "rootfs", "defaults: root.path");
    tap_ok(s->root->has_readonly && !s->root->readonly, "defaults: root.readonly is false");
    tap_ok(s->process->has_terminal && !s->process->terminal, "defaults: terminal is false");
    tap_ok(strv_equals(&s->process->args, args, 1), "defaults: args from Cmd");
    tap_ok(strv_equals(&s->process->env, env, 2), "defaults: PATH and HOME, no TERM");
    tap_is_str(s->process->cwd, "/", "defaults: cwd");
    tap_ok(s->process->user->has_uid && s->process->user->uid == 0 && s->process->user->has_gid
               && s->process->user->gid == 0 && s->process->user->additional_gids.items == NULL,
           "defaults: root, no additionalGids");
    tap_is_str(s->hostname, def->hostname, "defaults: berth spec's hostname");
    tap_ok(s->n_mounts == def->n_mounts, "defaults: berth spec's mounts");
    tap_ok(s->linux_->n_namespaces == def->linux_->n_namespaces && has_ns(s, SPEC_NS_NETWORK)
               && !has_ns(s, SPEC_NS_USER),
           "defaults: berth spec's namespaces");
    tap_ok(s->linux_->masked_paths.n == def->linux_->masked_paths.n
               && s->linux_->readonly_paths.n == def->linux_->readonly_paths.n,
           "defaults: masked and read-only paths");
    {
        static const char *const podman_caps[] = {
            "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
            "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
            "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT",
        };
        const struct spec_capabilities *caps = s->process->capabilities;

        tap_ok(strv_equals(&caps->bounding, podman_caps, 11)
                   && strv_equals(&caps->effective, podman_caps, 11)
                   && strv_equals(&caps->permitted, podman_caps, 11),
               "defaults: podman's default capabilities");
    }
    tap_ok(s->linux_->seccomp != NULL && s->linux_->seccomp->default_action == SPEC_SCMP_ACT_ERRNO
               && s->linux_->seccomp->n_syscalls > 0,
           "defaults: the default seccomp profile");
    tap_ok(s->linux_->resources != NULL, "defaults: the device cgroup rule");
    tap_ok(s->process->has_no_new_privileges && s->process->no_new_privileges,
           "defaults: noNewPrivileges");
    tap_is_str(annotation(s, "org.opencontainers.image.os"), "linux", "defaults: os annotation");
    tap_is_str(annotation(s, "org.opencontainers.image.architecture"), "amd64",
               "defaults: architecture annotation");
    tap_ok(s->annotations.n == 2, "defaults: no other annotation");
    check_valid_and_round_trip(s, "defaults");
    spec_free(def);
    spec_free(s);
}

/* ---- process.args ---- */

static void
check_args(struct image_config *c, const struct strv *user_args, const char *const *want, size_t n,
           const char *what)
{
    struct image_convert_opts o = {.args = user_args};
    struct spec *s = convert(c, &o, what);

    if (s == NULL)
        return;
    tap_ok(strv_equals(&s->process->args, want, n), "%s: args", what);
    if (!strv_equals(&s->process->args, want, n))
        for (size_t i = 0; i < s->process->args.n; i++)
            tap_diag("args[%zu] = %s", i, s->process->args.items[i]);
    spec_free(s);
}

static void
test_args(void)
{
    struct image_config c = base_config();
    struct strv user = STRV("sh", "-c", "echo hi");
    struct strv none = {0};

    c.has_entrypoint = true;
    c.entrypoint = STRV("/entry", "--flag");
    c.cmd = STRV("serve", "--port=80");
    check_args(&c, NULL, (const char *const[]){"/entry", "--flag", "serve", "--port=80"}, 4,
               "Entrypoint + Cmd");
    check_args(&c, &none, (const char *const[]){"/entry", "--flag", "serve", "--port=80"}, 4,
               "empty -- CMD changes nothing");
    check_args(&c, &user, (const char *const[]){"/entry", "--flag", "sh", "-c", "echo hi"}, 5,
               "-- CMD replaces Cmd, keeps Entrypoint");

    c.has_cmd = false;
    c.cmd = (struct strv){0};
    check_args(&c, NULL, (const char *const[]){"/entry", "--flag"}, 2, "Entrypoint alone");

    c.has_cmd = true;
    c.cmd = (struct strv){.items = (char *[]){NULL}, .n = 0};
    check_args(&c, NULL, (const char *const[]){"/entry", "--flag"}, 2, "Entrypoint, empty Cmd");

    c = base_config();
    c.cmd = STRV("nginx", "-g", "daemon off;");
    check_args(&c, NULL, (const char *const[]){"nginx", "-g", "daemon off;"}, 3, "Cmd alone");
    check_args(&c, &user, (const char *const[]){"sh", "-c", "echo hi"}, 3, "-- CMD replaces Cmd");
    c.has_entrypoint = true;
    c.entrypoint = (struct strv){.items = (char *[]){NULL}, .n = 0};
    check_args(&c, NULL, (const char *const[]){"nginx", "-g", "daemon off;"}, 3,
               "empty Entrypoint, Cmd");

    c = base_config();
    c.has_cmd = false;
    c.cmd = (struct strv){0};
    check_args(&c, &user, (const char *const[]){"sh", "-c", "echo hi"}, 3,
               "-- CMD without Entrypoint or Cmd");
    convert_fails(&c, NULL,
                  "the image has no Entrypoint and no Cmd: give the command to run after '--'",
                  "no Entrypoint, no Cmd, no -- CMD");
    c.has_cmd = true;
    c.cmd = (struct strv){.items = (char *[]){NULL}, .n = 0};
    convert_fails(&c, NULL,
                  "the image has no Entrypoint and no Cmd: give the command to run after '--'",
                  "empty Cmd only");

    c = base_config();
    c.cmd = STRV("", "x");
    convert_fails(&c, NULL, "config.Cmd[0] is empty: it names the program to run", "empty Cmd[0]");
    c.has_entrypoint = true;
    c.entrypoint = STRV("");
    convert_fails(&c, NULL, "config.Entrypoint[0] is empty: it names the program to run",
                  "empty Entrypoint[0]");
    c = base_config();
    {
        struct strv empty_first = STRV("", "y");
        struct image_convert_opts o = {.args = &empty_first};

        convert_fails(&c, &o, "the command after '--' is empty: it names the program to run",
                      "empty -- CMD[0]");
    }
}

/* ---- process.env and cwd ---- */

static void
test_env(void)
{
    struct image_config c = base_config();
    struct spec *s;
    static const char *const env1[] = {"FOO=bar", "EMPTY=",     "DUP=1",
                                       "DUP=2",   DEFAULT_PATH, "HOME=/root"};
    static const char *const env2[] = {"PATH=/opt/bin", "HOME=/data", "X=a=b"};

    c.env = STRV("FOO=bar", "EMPTY=", "DUP=1", "DUP=2");
    s = convert(&c, NULL, "env without PATH");
    if (s != NULL) {
        tap_ok(strv_equals(&s->process->env, env1, COUNT(env1)),
               "env: the image's, verbatim and in order, then PATH and HOME");
        check_valid_and_round_trip(s, "env");
        spec_free(s);
    }

    c.env = STRV("PATH=/opt/bin", "HOME=/data", "X=a=b");
    s = convert(&c, NULL, "env with PATH and HOME");
    if (s != NULL) {
        tap_ok(strv_equals(&s->process->env, env2, COUNT(env2)),
               "env: the image's PATH and HOME are kept, nothing added");
        tap_ok(env_count(&s->process->env, "TERM") == 0, "env: no TERM");
        spec_free(s);
    }

    c.env = STRV("OK=1", "NOEQUALS");
    convert_fails(&c, NULL, "config.Env[1] 'NOEQUALS': not in NAME=VALUE form", "env 'NOEQUALS'");
    c.env = STRV("=value");
    convert_fails(&c, NULL, "config.Env[0] '=value': not in NAME=VALUE form", "env '=value'");
}

static void
test_cwd(void)
{
    static const struct {
        const char *wd, *want;
    } cases[] = {
        {NULL, "/"}, {"", "/"}, {"/srv/app", "/srv/app"}, {"app/dir", "/app/dir"}, {"/", "/"},
    };

    for (size_t i = 0; i < COUNT(cases); i++) {
        struct image_config c = base_config();
        struct spec *s;

        c.working_dir = (char *)cases[i].wd;
        s = convert(&c, NULL, "WorkingDir");
        if (s == NULL)
            continue;
        tap_is_str(s->process->cwd, cases[i].want, "WorkingDir '%s' -> cwd",
                   cases[i].wd ? cases[i].wd : "(absent)");
        spec_free(s);
    }
}

/* ---- process.user ---- */

static void
check_user(const char *user, uint32_t uid, uint32_t gid, const uint32_t *gids, size_t n_gids,
           const char *home)
{
    struct image_config c = base_config();
    struct spec *s;
    const struct spec_user *u;
    _cleanup_free_ char *want_home = home ? xasprintf("HOME=%s", home) : NULL;
    bool gids_ok;

    c.user = (char *)user;
    s = convert(&c, NULL, "User");
    if (s == NULL)
        return;
    u = s->process->user;
    tap_ok(u->uid == uid && u->gid == gid, "User '%s': uid %u gid %u", user, uid, gid);
    gids_ok = u->additional_gids.n == n_gids
              && (n_gids == 0 ? u->additional_gids.items == NULL
                              : memcmp(u->additional_gids.items, gids, n_gids * 4) == 0);
    tap_ok(gids_ok, "User '%s': additionalGids", user);
    tap_ok(want_home == NULL || strv_contains(&s->process->env, want_home), "User '%s': %s", user,
           want_home ? want_home : "no HOME check");
    check_valid_and_round_trip(s, user);
    spec_free(s);
}

static void
test_user(void)
{
    struct image_config c = base_config();

    check_user("", 0, 0, NULL, 0, "/root");
    check_user("root", 0, 0, (const uint32_t[]){10}, 1, "/root");
    check_user("app", 1000, 1000, (const uint32_t[]){10, 44}, 2, "/home/app");
    check_user("app:video", 1000, 44, NULL, 0, "/home/app");
    check_user("app:5", 1000, 5, NULL, 0, "/home/app");
    check_user("1000", 1000, 1000, NULL, 0, "/home/app");
    check_user("1000:video", 1000, 44, NULL, 0, "/home/app");
    check_user("1000:7", 1000, 7, NULL, 0, "/home/app");
    check_user("555", 555, 0, NULL, 0, "/");

    c.user = "nobody-here";
    convert_fails(&c, NULL, "config.User 'nobody-here': no such user in the image's /etc/passwd",
                  "unknown user");
    c.user = "app:nogroup";
    convert_fails(&c, NULL,
                  "config.User 'app:nogroup': no such group 'nogroup' in the image's /etc/group",
                  "unknown group");
}

/* ---- annotations ---- */

static void
test_annotations(void)
{
    struct image_config c = base_config();
    struct spec *s;

    c.variant = "v2";
    c.os_version = "10.0.1";
    c.author = "someone <a@b.c>";
    c.created = "2024-01-02T03:04:05.123456789Z";
    c.stop_signal = "SIGQUIT";
    c.exposed_ports = STRV("80/tcp", "443/tcp", "53/udp");
    c.os_features = STRV("win32k", "other");
    c.labels = (struct strmap){
        .items =
            (struct strpair[]){
                {"org.opencontainers.image.architecture", "from-label"},
                {"com.example.team", "infra"},
                {"org.opencontainers.image.stopSignal", "SIGTERM"},
            },
        .n = 3,
    };
    s = convert(&c, NULL, "annotations");
    if (s == NULL)
        return;
    tap_is_str(s->annotations.items[0].key, "org.opencontainers.image.architecture",
               "annotations: labels first, in order");
    tap_is_str(annotation(s, "org.opencontainers.image.architecture"), "from-label",
               "annotations: a label beats the architecture field");
    tap_is_str(annotation(s, "org.opencontainers.image.stopSignal"), "SIGTERM",
               "annotations: a label beats StopSignal");
    tap_is_str(annotation(s, "com.example.team"), "infra", "annotations: other labels copied");
    tap_is_str(annotation(s, "org.opencontainers.image.os"), "linux", "annotations: os");
    tap_is_str(annotation(s, "org.opencontainers.image.variant"), "v2", "annotations: variant");
    tap_is_str(annotation(s, "org.opencontainers.image.os.version"), "10.0.1",
               "annotations: os.version");
    tap_is_str(annotation(s, "org.opencontainers.image.author"), "someone <a@b.c>",
               "annotations: author");
    tap_is_str(annotation(s, "org.opencontainers.image.created"), "2024-01-02T03:04:05.123456789Z",
               "annotations: created, verbatim");
    tap_is_str(annotation(s, "org.opencontainers.image.exposedPorts"), "80/tcp,443/tcp,53/udp",
               "annotations: exposedPorts, comma-separated");
    tap_is_str(annotation(s, "org.opencontainers.image.os.features"), "win32k,other",
               "annotations: os.features, comma-separated");
    tap_ok(s->annotations.n == 10, "annotations: 3 labels and 7 implicit ones, each key once");
    tap_ok(annotation(s, "org.opencontainers.image.ref.name") == NULL,
           "annotations: nothing from the index");
    check_valid_and_round_trip(s, "annotations");
    spec_free(s);

    /* An image whose manifest has annotations: not copied. */
    {
        struct image_config c2 = base_config();
        struct image img = image_of(&c2);
        struct error *err = NULL;

        img.manifest_annotations = (struct strmap){
            .items = (struct strpair[]){{"org.opencontainers.image.title", "t"}},
            .n = 1,
        };
        img.ref_name = "test";
        s = image_to_spec_at(rootfd, &img, NULL, &err);
        tap_ok(s != NULL && annotation(s, "org.opencontainers.image.title") == NULL
                   && annotation(s, "org.opencontainers.image.ref.name") == NULL,
               "annotations: the manifest's are not copied (conversion.md: SHOULD NOT)");
        error_free(&err);
        spec_free(s);
    }

    c = base_config();
    c.os = "windows";
    convert_fails(&c, NULL, "config.os 'windows': berth runs only linux images", "windows image");
}

/* ---- Config.Volumes ---- */

static void
test_volumes(void)
{
    struct image_config c = base_config();
    struct spec *s;
    size_t base_n;
    static const char *const opts[] = {"rw", "nosuid", "nodev", "tmpcopyup"};

    {
        struct spec *def = spec_default();
        base_n = def->n_mounts;
        spec_free(def);
    }
    c.volumes = STRV("/var/lib/data/cache", "/var/lib/data", "/srv");
    s = convert(&c, NULL, "volumes");
    if (s == NULL)
        return;
    tap_ok(s->n_mounts == base_n + 3, "volumes: one mount each, after the defaults");
    tap_ok(s->n_mounts == base_n + 3 && strcmp(s->mounts[base_n].destination, "/srv") == 0
               && strcmp(s->mounts[base_n + 1].destination, "/var/lib/data") == 0
               && strcmp(s->mounts[base_n + 2].destination, "/var/lib/data/cache") == 0,
           "volumes: sorted, a parent before what it holds");
    {
        const struct spec_mount *m = find_mount(s, "/var/lib/data");

        tap_ok(m && strcmp(m->type, "tmpfs") == 0 && strcmp(m->source, "tmpfs") == 0
                   && strv_equals(&m->options, opts, COUNT(opts)),
               "volumes: tmpfs seeded from the image (tmpcopyup)");
    }
    check_valid_and_round_trip(s, "volumes");
    spec_free(s);

    c.volumes = STRV("data");
    convert_fails(&c, NULL, "config.Volumes 'data': not an absolute path, so not a place to mount",
                  "relative volume");
    c.volumes = STRV("//");
    convert_fails(&c, NULL, "config.Volumes '//': cannot mount a volume over /", "volume '/'");
}

/* ---- rootless ---- */

static void
test_rootless(void)
{
    struct image_config c = base_config();
    struct spec *s;
    static const struct spec_id_mapping uids[] = {{0, 1000, 1}, {1, 100000, 65536}};
    static const struct spec_id_mapping gids[] = {{0, 1000, 1}, {1, 100000, 65536}};
    static const struct spec_id_mapping one_uid[] = {{0, 1000, 1}};
    static const struct spec_id_mapping one_gid[] = {{0, 1000, 1}};
    struct image_convert_opts ranges = {
        .rootless = true,
        .uid_mappings = uids,
        .n_uid_mappings = 2,
        .gid_mappings = gids,
        .n_gid_mappings = 2,
    };
    struct image_convert_opts single = {
        .rootless = true,
        .uid_mappings = one_uid,
        .n_uid_mappings = 1,
        .gid_mappings = one_gid,
        .n_gid_mappings = 1,
    };
    struct image_convert_opts plain = {.rootless = true};

    s = convert(&c, &plain, "rootless");
    if (s != NULL) {
        struct spec *def = spec_default_rootless(geteuid(), getegid());

        tap_ok(has_ns(s, SPEC_NS_USER) && !has_ns(s, SPEC_NS_NETWORK),
               "rootless: a user namespace, no network namespace");
        tap_ok(s->linux_->n_uid_mappings == 1 && s->linux_->uid_mappings[0].host_id == geteuid()
                   && s->linux_->uid_mappings[0].size == 1 && s->linux_->n_gid_mappings == 1
                   && s->linux_->gid_mappings[0].host_id == getegid(),
               "rootless: without mappings, our own ids to 0 (berth spec --rootless)");
        tap_ok(s->linux_->resources == NULL, "rootless: no cgroup settings");
        tap_ok(s->n_mounts == def->n_mounts && find_mount(s, "/sys")
                   && strcmp(find_mount(s, "/sys")->type, "none") == 0,
               "rootless: berth spec --rootless's mounts");
        tap_ok(s->linux_->seccomp != NULL, "rootless: the default seccomp profile");
        check_valid_and_round_trip(s, "rootless");
        spec_free(def);
        spec_free(s);
    }

    c.user = "app";
    s = convert(&c, &ranges, "rootless with subordinate ranges");
    if (s != NULL) {
        tap_ok(s->linux_->n_uid_mappings == 2
                   && memcmp(s->linux_->uid_mappings, uids, sizeof(uids)) == 0
                   && s->linux_->n_gid_mappings == 2
                   && memcmp(s->linux_->gid_mappings, gids, sizeof(gids)) == 0,
               "rootless: the given mappings replace our own");
        tap_ok(s->process->user->uid == 1000 && s->process->user->gid == 1000,
               "rootless: a mapped user runs as itself");
        tap_ok(s->process->user->additional_gids.items == NULL,
               "rootless: no additionalGids even when mapped (runc refuses them rootless)");
        check_valid_and_round_trip(s, "rootless ranges");
        spec_free(s);
    }

    convert_fails(&c, &single,
                  "config.User 'app': uid 1000 is not mapped in the rootless user namespace; "
                  "map a range of subordinate ids (/etc/subuid) to run this image",
                  "rootless single id, non-root user");
    c.user = "0:44";
    convert_fails(&c, &single,
                  "config.User '0:44': gid 44 is not mapped in the rootless user namespace; "
                  "map a range of subordinate ids (/etc/subgid) to run this image",
                  "rootless single id, unmapped group");
    c.user = "root";
    s = convert(&c, &single, "rootless single id, root");
    if (s != NULL) {
        tap_ok(s->process->user->uid == 0 && s->process->user->additional_gids.items == NULL,
               "rootless single id: additionalGids dropped (setgroups is denied)");
        check_valid_and_round_trip(s, "rootless single id");
        spec_free(s);
    }
    c.user = NULL;
    {
        struct image_convert_opts o = ranges;

        o.rootless = false;
        convert_fails(&c, &o, "id mappings are for a rootless config only",
                      "mappings without rootless");
    }
}

/* ---- the rootfs's files ---- */

static void
test_rootfs_files(void)
{
    struct image_config c = base_config();
    _cleanup_free_ char *link = xasprintf("%s/root/etc/group", tmpdir);
    _cleanup_free_ char *saved = xasprintf("%s/root/etc/group.saved", tmpdir);
    struct spec *s;

    /* /etc/group a symlink climbing out: resolved in the root. */
    if (rename(link, saved) < 0 || symlink("/../../../etc/group.saved", link) < 0) {
        perror(link);
        exit(1);
    }
    c.user = "app";
    s = convert(&c, NULL, "/etc/group as a symlink");
    tap_ok(s != NULL && s->process->user->additional_gids.n == 2,
           "a symlinked /etc/group is read inside the root");
    spec_free(s);
    unlink(link);
    if (rename(saved, link) < 0) {
        perror(saved);
        exit(1);
    }

    /* No /etc at all: numeric users only. */
    {
        _cleanup_close_ int saved_root = rootfd;
        _cleanup_free_ char *empty = xasprintf("%s/empty", tmpdir);

        make_dir("empty");
        rootfd = open(empty, O_PATH | O_DIRECTORY | O_CLOEXEC);
        c.user = "1234:5678";
        s = convert(&c, NULL, "numeric user, no /etc/passwd");
        tap_ok(s && s->process->user->uid == 1234 && s->process->user->gid == 5678
                   && strv_contains(&s->process->env, "HOME=/"),
               "no /etc/passwd: a numeric user works, HOME=/");
        spec_free(s);
        c.user = "app";
        convert_fails(&c, NULL,
                      "config.User 'app': no such user in the image's rootfs (it has no "
                      "/etc/passwd)",
                      "named user, no /etc/passwd");
        close(rootfd);
        rootfd = TAKE_FD(saved_root);
        rmdir(empty);
    }
}

static void
setup_rootfs(void)
{
    _cleanup_free_ char *root = NULL;

    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    make_dir("root");
    make_dir("root/etc");
    write_file("root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                                  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                  "app:x:1000:1000:App:/home/app:/bin/sh\n");
    write_file("root/etc/group", "root:x:0:\n"
                                 "wheel:x:10:root,app\n"
                                 "video:x:44:app\n"
                                 "app:x:1000:\n");
    root = xasprintf("%s/root", tmpdir);
    rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        perror(root);
        exit(1);
    }
}

static void
cleanup_rootfs(void)
{
    static const char *const files[] = {"root/etc/passwd", "root/etc/group"};

    for (size_t i = 0; i < COUNT(files); i++) {
        _cleanup_free_ char *p = xasprintf("%s/%s", tmpdir, files[i]);
        unlink(p);
    }
    {
        _cleanup_free_ char *etc = xasprintf("%s/root/etc", tmpdir);
        _cleanup_free_ char *root = xasprintf("%s/root", tmpdir);
        rmdir(etc);
        rmdir(root);
    }
    close(rootfd);
    rmdir(tmpdir);
}

int
main(void)
{
    setup_rootfs();
    test_defaults();
    test_args();
    test_env();
    test_cwd();
    test_user();
    test_annotations();
    test_volumes();
    test_rootless();
    test_rootfs_files();
    cleanup_rootfs();
    return tap_done();
}

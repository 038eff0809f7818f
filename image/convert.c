/* SPDX-License-Identifier: Apache-2.0 */
/* image config -> config.json, per image-spec v1.1.1 conversion.md, on top
 * of the defaults `berth spec` writes.  The choices conversion.md leaves to
 * the implementation, and where berth stands:
 *   - the base is spec_default() or spec_default_rootless() with berth's
 *     default seccomp profile, as `berth spec [--rootless]` writes it (same
 *     namespaces, mounts, masked and read-only paths, capabilities, rlimits,
 *     hostname); the caller's subordinate ranges replace the rootless
 *     mappings of the caller's own ids when given;
 *   - the capabilities are podman's default set, not `berth spec`'s three:
 *     images are made to run under an engine, and their entrypoints chown,
 *     switch users and bind low ports (nginx's master, postgres's initdb);
 *     the seccomp profile is resolved for that set;
 *   - root.readonly is false: images expect to write to their root (umoci,
 *     podman and Docker all leave it writable), unlike `berth spec`'s true;
 *   - process.terminal is false: the bundle runs as a service, with `berth
 *     run` attached to no terminal, and TERM is left out of the environment
 *     with it (Docker and podman add TERM only with a tty);
 *   - `-- CMD` replaces Cmd and keeps Entrypoint, as `docker run IMAGE CMD`
 *     and `podman run IMAGE CMD` do; no Entrypoint, no Cmd and no CMD is an
 *     error, as there is nothing to run;
 *   - process.env gets PATH (runc's default list) and HOME (the passwd
 *     entry's home, else "/") when the image does not set them, as Docker,
 *     podman and runc do; nothing the image sets is changed;
 *   - a relative WorkingDir is taken from "/", as podman does;
 *   - an empty User is root, with uid 0's group and home;
 *   - each of Config.Volumes becomes a tmpfs mount seeded with the image's
 *     content there ("tmpcopyup", which berth, runc and crun support), so
 *     application data stays out of the rootfs and lasts as long as the
 *     container; umoci mounts an empty tmpfs instead, hiding that content;
 *   - rootless: a uid or gid the user namespace does not map is an error
 *     (the container could not start), and additionalGids are left out: an
 *     unprivileged runc refuses any ("cannot set any additional groups in
 *     a rootless container"), and with only the caller's gid mapped the
 *     kernel denies setgroups(2) to every runtime;
 *   - the manifest's and the index's annotations (ref.name among them) are
 *     not copied: "A converter SHOULD NOT attempt to extract annotations
 *     from manifests or image indices." */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "image/passwd.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/xalloc.h"
#include "seccomp/sfilter.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Annotation keys from conversion.md "Annotation Fields" and
 * "Config.ExposedPorts". */
#define ANN_OS "org.opencontainers.image.os"
#define ANN_ARCH "org.opencontainers.image.architecture"
#define ANN_VARIANT "org.opencontainers.image.variant"
#define ANN_OS_VERSION "org.opencontainers.image.os.version"
#define ANN_OS_FEATURES "org.opencontainers.image.os.features"
#define ANN_AUTHOR "org.opencontainers.image.author"
#define ANN_CREATED "org.opencontainers.image.created"
#define ANN_STOP_SIGNAL "org.opencontainers.image.stopSignal"
#define ANN_EXPOSED_PORTS "org.opencontainers.image.exposedPorts"

DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

static void
image_passwd_clearp(struct image_passwd *p)
{
    image_passwd_clear(p);
}

static void
image_group_clearp(struct image_group *g)
{
    image_group_clear(g);
}

static void
image_user_clearp(struct image_user *u)
{
    image_user_clear(u);
}

/* ---- small containers ---- */

static void
strv_append_all(struct strv *v, const struct strv *from)
{
    for (size_t i = 0; from != NULL && i < from->n; i++)
        strv_push(v, xstrdup(from->items[i]));
}

/* podman's default capabilities (containers.conf "default_capabilities"). */
static const char *const image_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
    "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT",
};

static void
set_caps(struct spec_capabilities *caps)
{
    struct strv *sets[] = {&caps->bounding, &caps->effective, &caps->permitted};

    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        strv_clear(sets[i]);
        for (size_t k = 0; k < sizeof(image_caps) / sizeof(image_caps[0]); k++)
            strv_push(sets[i], xstrdup(image_caps[k]));
    }
}

static bool
strmap_has(const struct strmap *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].key, key) == 0)
            return true;
    return false;
}

static void
strmap_push(struct strmap *m, const char *key, const char *value)
{
    m->items = xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
    m->items[m->n].key = xstrdup(key);
    m->items[m->n].value = xstrdup(value);
    m->n++;
}

/* ---- the base ---- */

static struct spec_id_mapping *
mappings_dup(const struct spec_id_mapping *m, size_t n)
{
    struct spec_id_mapping *copy = xcalloc(n, sizeof(*copy));

    memcpy(copy, m, n * sizeof(*copy));
    return copy;
}

/* `berth spec` or `berth spec --rootless`, with the caller's mappings. */
static struct spec *
base_spec(const struct image_convert_opts *o, struct error **err)
{
    _cleanup_(spec_freep) struct spec *s = NULL;
    struct spec_linux *l;

    if (!o->rootless && (o->n_uid_mappings > 0 || o->n_gid_mappings > 0)) {
        error_setx(err, EINVAL, "id mappings are for a rootless config only");
        return NULL;
    }
    /* The effective ids, as `berth spec --rootless`: the kernel lets an
     * unprivileged process map exactly those (user_namespaces(7)).  A
     * caller inside a user namespace of its own (a rootless unpack) passes
     * the mappings as the host sees them instead. */
    s = o->rootless ? spec_default_rootless(geteuid(), getegid()) : spec_default();
    l = s->linux_;
    if (o->n_uid_mappings > 0) {
        free(l->uid_mappings);
        l->uid_mappings = mappings_dup(o->uid_mappings, o->n_uid_mappings);
        l->n_uid_mappings = o->n_uid_mappings;
    }
    if (o->n_gid_mappings > 0) {
        free(l->gid_mappings);
        l->gid_mappings = mappings_dup(o->gid_mappings, o->n_gid_mappings);
        l->n_gid_mappings = o->n_gid_mappings;
    }
    set_caps(s->process->capabilities);
    /* berth's default seccomp profile for the spec's bounding set, as
     * `berth spec` adds it (bundle/ knows nothing of seccomp/). */
    l->seccomp = sfilter_default_profile(&s->process->capabilities->bounding, err);
    if (l->seccomp == NULL) {
        error_wrap(err, "the default seccomp profile");
        return NULL;
    }
    s->root->has_readonly = true;
    s->root->readonly = false;
    s->process->has_terminal = true;
    s->process->terminal = false;
    return TAKE_PTR(s);
}

/* ---- process.args ---- */

/* conversion.md "Verbatim Fields": Config.Entrypoint and Config.Cmd go to
 * process.args; "If both Config.Entrypoint and Config.Cmd are specified,
 * the converter MUST append the value of Config.Cmd to the value of
 * Config.Entrypoint and set process.args to that combined value."  The
 * caller's ARGS are an externally provided input standing for Cmd. */
static int
set_args(struct spec_process *p, const struct image_config *c, const struct strv *args,
         struct error **err)
{
    bool user_args = args != NULL && args->n > 0;
    const struct strv *cmd = user_args ? args : &c->cmd;
    const char *first;

    strv_clear(&p->args);
    strv_append_all(&p->args, &c->entrypoint);
    strv_append_all(&p->args, cmd);
    if (p->args.n == 0)
        return error_setx(err, EINVAL,
                          "the image has no Entrypoint and no Cmd: give the command to run "
                          "after '--'");
    if (p->args.items[0][0] != '\0')
        return 0;
    if (c->entrypoint.n > 0)
        first = "config.Entrypoint[0]";
    else if (user_args)
        first = "the command after '--'";
    else
        first = "config.Cmd[0]";
    return error_setx(err, EINVAL, "%s is empty: it names the program to run", first);
}

/* ---- process.env ---- */

static bool
env_has(const struct strv *env, const char *name)
{
    size_t n = strlen(name);

    for (size_t i = 0; i < env->n; i++)
        if (strncmp(env->items[i], name, n) == 0 && env->items[i][n] == '=')
            return true;
    return false;
}

/* conversion.md: Config.Env goes verbatim to process.env; "The converter
 * MAY add additional entries to process.env but it SHOULD NOT add entries
 * that have variable names present in Config.Env." */
static int
set_env(struct spec_process *p, const struct image_config *c, const char *home, struct error **err)
{
    for (size_t i = 0; i < c->env.n; i++) {
        const char *e = c->env.items[i];

        /* config.md: "Entries are in the format of VARNAME=VARVALUE"; the
         * runtime refuses anything else, so say so now. */
        if (strchr(e, '=') == NULL || e[0] == '=')
            return error_setx(err, EINVAL, "config.Env[%zu] '%s': not in NAME=VALUE form", i, e);
    }
    strv_clear(&p->env);
    strv_append_all(&p->env, &c->env);
    if (!env_has(&p->env, "PATH"))
        strv_push(&p->env, xstrdup(DEFAULT_PATH));
    if (!env_has(&p->env, "HOME"))
        strv_push(&p->env, xasprintf("HOME=%s", home ? home : "/"));
    return 0;
}

/* ---- process.cwd ---- */

static void
set_cwd(struct spec_process *p, const struct image_config *c)
{
    const char *wd = c->working_dir;

    free(p->cwd);
    /* Verbatim; config.md "cwd ... MUST be an absolute path", so a relative
     * WorkingDir (which Docker's builder never writes) is taken from "/". */
    if (wd == NULL || wd[0] == '\0')
        p->cwd = xstrdup("/");
    else if (wd[0] != '/')
        p->cwd = xasprintf("/%s", wd);
    else
        p->cwd = xstrdup(wd);
}

/* ---- process.user ---- */

static bool
id_mapped(const struct spec_id_mapping *m, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (id >= m[i].container_id && (uint64_t)id - m[i].container_id < m[i].size)
            return true;
    return false;
}

/* A rootless container runs in a user namespace: the kernel refuses
 * setuid/setgid to an id it does not map, so such a config could never
 * start.  Supplementary groups are dropped instead of failing the image
 * over them: runc run by an unprivileged user refuses to set any, and with
 * a single gid mapped (the caller's own, written after denying setgroups,
 * user_namespaces(7)) no runtime can. */
static int
fit_user_to_mappings(const char *config_user, const struct spec_linux *l, struct image_user *u,
                     struct error **err)
{
    if (!id_mapped(l->uid_mappings, l->n_uid_mappings, u->uid))
        return error_setx(err, EINVAL,
                          "config.User '%s': uid %u is not mapped in the rootless user namespace; "
                          "map a range of subordinate ids (/etc/subuid) to run this image",
                          config_user, u->uid);
    if (!id_mapped(l->gid_mappings, l->n_gid_mappings, u->gid))
        return error_setx(err, EINVAL,
                          "config.User '%s': gid %u is not mapped in the rootless user namespace; "
                          "map a range of subordinate ids (/etc/subgid) to run this image",
                          config_user, u->gid);
    free(u->additional_gids.items);
    u->additional_gids.items = NULL;
    u->additional_gids.n = 0;
    return 0;
}

static int
read_user_db_at(int rootfd, struct image_passwd *pw, bool *has_pw, struct image_group *gr,
                bool *has_gr, struct error **err)
{
    int rc = image_passwd_read_at(rootfd, pw, err);

    if (rc < 0)
        return rc;
    *has_pw = rc > 0;
    rc = image_group_read_at(rootfd, gr, err);
    if (rc < 0)
        return rc;
    *has_gr = rc > 0;
    return 0;
}

/* conversion.md "Config.User"; the rules are in image_user_resolve(). */
static int
resolve_user_at(int rootfd, const struct spec *s, const struct image_config *c,
                struct image_user *ret, struct error **err)
{
    _cleanup_(image_passwd_clearp) struct image_passwd pw = {0};
    _cleanup_(image_group_clearp) struct image_group gr = {0};
    bool has_pw = false, has_gr = false;
    int rc = read_user_db_at(rootfd, &pw, &has_pw, &gr, &has_gr, err);

    if (rc < 0)
        return error_wrap(err, "config.User '%s'", c->user ? c->user : "");
    rc = image_user_resolve(c->user, has_pw ? &pw : NULL, has_gr ? &gr : NULL, ret, err);
    if (rc < 0)
        return rc;
    if (s->linux_->n_uid_mappings > 0 || s->linux_->n_gid_mappings > 0) {
        rc = fit_user_to_mappings(c->user ? c->user : "", s->linux_, ret, err);
        if (rc < 0) {
            image_user_clear(ret);
            return rc;
        }
    }
    return 0;
}

static void
set_user(struct spec_process *p, struct image_user *u)
{
    struct spec_user *su = p->user;

    su->has_uid = true;
    su->uid = u->uid;
    su->has_gid = true;
    su->gid = u->gid;
    free(su->additional_gids.items);
    su->additional_gids.items = NULL;
    su->additional_gids.n = 0;
    if (u->additional_gids.n > 0) {
        su->additional_gids = u->additional_gids;
        u->additional_gids.items = NULL;
        u->additional_gids.n = 0;
    }
}

/* ---- mounts for Config.Volumes ---- */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* conversion.md "Optional Fields" note 2: "Implementations SHOULD provide
 * mounts for these locations such that application data is not written to
 * the container's root filesystem.  If a converter implements conversion
 * for this field using mountpoints, it SHOULD set the destination of the
 * mountpoint to the value specified in Config.Volumes.  An implementation
 * MAY seed the contents of the mount with data in the image at the same
 * location."  Sorted, so that a volume inside another is mounted after it
 * (a path sorts before every longer path it is a prefix of). */
static int
add_volumes(struct spec *s, const struct image_config *c, struct error **err)
{
    static const char *const options[] = {"rw", "nosuid", "nodev", "tmpcopyup"};
    _cleanup_free_ char **sorted = NULL;
    size_t n = c->volumes.n;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = c->volumes.items[i];

        if (v[0] != '/')
            return error_setx(err, EINVAL,
                              "config.Volumes '%s': not an absolute path, so not a place to mount",
                              v);
        if (v[strspn(v, "/")] == '\0')
            return error_setx(err, EINVAL, "config.Volumes '%s': cannot mount a volume over /", v);
    }
    sorted = xcalloc(n, sizeof(*sorted));
    memcpy(sorted, c->volumes.items, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_str);
    s->mounts = xrealloc(s->mounts, (s->n_mounts + n) * sizeof(*s->mounts));
    for (size_t i = 0; i < n; i++) {
        struct spec_mount *m = &s->mounts[s->n_mounts++];

        memset(m, 0, sizeof(*m));
        m->destination = xstrdup(sorted[i]);
        m->type = xstrdup("tmpfs");
        m->source = xstrdup("tmpfs");
        for (size_t j = 0; j < sizeof(options) / sizeof(options[0]); j++)
            strv_push(&m->options, xstrdup(options[j]));
    }
    return 0;
}

/* ---- annotations ---- */

/* "If a user has explicitly specified this annotation with Config.Labels,
 * then the value specified in this field takes lower precedence and the
 * converter MUST instead use the value from Config.Labels." */
static void
add_implicit(struct strmap *m, const char *key, const char *value)
{
    if (value != NULL && value[0] != '\0' && !strmap_has(m, key))
        strmap_push(m, key, value);
}

static char *
join(const struct strv *v, const char *sep)
{
    size_t len = 1;
    char *out;

    for (size_t i = 0; i < v->n; i++)
        len += strlen(v->items[i]) + strlen(sep);
    out = xcalloc(len, 1);
    for (size_t i = 0; i < v->n; i++) {
        if (i > 0)
            strcat(out, sep);
        strcat(out, v->items[i]);
    }
    return out;
}

/* conversion.md "Annotation Fields" and "Annotations".  Config.Labels go
 * first and unchanged ("A converter MUST NOT modify the values of
 * annotations specified in the image"); each implicit annotation is added
 * only where no label has its key ("the value specified in Config.Labels
 * MUST take precedence"). */
static void
set_annotations(struct spec *s, const struct image_config *c)
{
    struct strmap *m = &s->annotations;
    _cleanup_free_ char *ports = NULL;

    for (size_t i = 0; i < c->labels.n; i++)
        strmap_push(m, c->labels.items[i].key, c->labels.items[i].value);
    /* Notes 2-9: "The value of this field MUST be set as the value of
     * org.opencontainers.image.<field> in annotations". */
    add_implicit(m, ANN_OS, c->os);
    add_implicit(m, ANN_ARCH, c->architecture);
    add_implicit(m, ANN_VARIANT, c->variant);
    add_implicit(m, ANN_OS_VERSION, c->os_version);
    /* Note 6: os.features, an array, joined with commas as exposedPorts
     * are (annotation values are strings). */
    if (c->os_features.n > 0) {
        _cleanup_free_ char *features = join(&c->os_features, ",");

        add_implicit(m, ANN_OS_FEATURES, features);
    }
    add_implicit(m, ANN_AUTHOR, c->author);
    add_implicit(m, ANN_CREATED, c->created);
    add_implicit(m, ANN_STOP_SIGNAL, c->stop_signal);
    /* "Config.ExposedPorts": "converters SHOULD set the
     * org.opencontainers.image.exposedPorts annotation, unless doing so
     * will cause a conflict", as the keys, comma-separated. */
    if (c->exposed_ports.n > 0) {
        ports = join(&c->exposed_ports, ",");
        add_implicit(m, ANN_EXPOSED_PORTS, ports);
    }
}

/* ---- the whole ---- */

static int
validate(const struct spec *s, struct error **err)
{
    struct diags d;
    int rc;

    diags_init(&d, "config.json");
    spec_validate(s, &d);
    rc = diags_to_error(&d, err);
    diags_free(&d);
    return rc;
}

/* The runtime config is for Linux: berth runs nothing else. */
static int
check_os(const struct image_config *c, struct error **err)
{
    if (c->os != NULL && strcmp(c->os, "linux") != 0)
        return error_setx(err, EINVAL, "config.os '%s': berth runs only linux images", c->os);
    return 0;
}

struct spec *
image_to_spec_at(int rootfd, const struct image *img, const struct image_convert_opts *o,
                 struct error **err)
{
    static const struct image_convert_opts no_opts = {0};
    const struct image_config *c = img != NULL ? img->config : NULL;
    _cleanup_(spec_freep) struct spec *s = NULL;
    _cleanup_(image_user_clearp) struct image_user u = {0};

    if (o == NULL)
        o = &no_opts;
    if (c == NULL) {
        error_setx(err, EINVAL, "image '%s': no image config", img && img->name ? img->name : "");
        return NULL;
    }
    if (check_os(c, err) < 0)
        return NULL;
    s = base_spec(o, err);
    if (s == NULL)
        return NULL;
    if (set_args(s->process, c, o->args, err) < 0)
        return NULL;
    if (resolve_user_at(rootfd, s, c, &u, err) < 0)
        return NULL;
    set_user(s->process, &u);
    if (set_env(s->process, c, u.home, err) < 0)
        return NULL;
    set_cwd(s->process, c);
    if (add_volumes(s, c, err) < 0)
        return NULL;
    set_annotations(s, c);
    /* Anything the image put in that the runtime would refuse is caught
     * here, rather than at `berth run`. */
    if (validate(s, err) < 0) {
        error_wrap(err, "the config.json made from the image");
        return NULL;
    }
    return TAKE_PTR(s);
}

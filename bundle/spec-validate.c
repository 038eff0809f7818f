/* SPDX-License-Identifier: Apache-2.0 */
/* spec_validate(): the MUSTs of runtime-spec v1.3.0 config.md and
 * config-linux.md that the typed parse (bundle/codec.c: JSON types, integer
 * ranges, enum values, required fields) cannot express, for a Linux runtime.
 * Every problem names its JSON path; errors are the spec's MUSTs and what
 * the kernel would refuse anyway, warnings the SHOULDs and what a runtime
 * ignores.  This file: the entry point, ociVersion, root, mounts, hooks,
 * annotations, hostname; see bundle/validate.h for the other files. */
#include "bundle/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reporting ---- */

/* Copy MSG with control characters escaped: a value from the config may
 * hold a newline, and diags_to_error() puts one problem on each line. */
static char *
escape_controls(const char *msg)
{
    size_t len = strlen(msg);
    char *out = xmalloc(len * 4 + 1);
    char *o = out;

    for (const char *c = msg; *c; c++) {
        unsigned char ch = (unsigned char)*c;

        if (ch == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (ch == '\t') {
            *o++ = '\\';
            *o++ = 't';
        } else if (ch < 0x20 || ch == 0x7f) {
            o += sprintf(o, "\\x%02x", ch);
        } else {
            *o++ = (char)ch;
        }
    }
    *o = '\0';
    return out;
}

static void
validate_add(struct validator *v, enum diag_level level, const char *key, const char *fmt,
             va_list ap)
{
    char *raw = xvasprintf(fmt, ap);
    char *msg = escape_controls(raw);
    size_t mark = key ? validate_push_key(v, key) : v->path.depth;

    diags_add(v->diags, level, json_path_str(&v->path), NULL, "%s", msg);
    validate_pop(v, mark);
    free(msg);
    free(raw);
}

void
validate_error(struct validator *v, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    validate_add(v, DIAG_ERROR, key, fmt, ap);
    va_end(ap);
}

void
validate_warning(struct validator *v, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    validate_add(v, DIAG_WARNING, key, fmt, ap);
    va_end(ap);
}

void
validate_absolute_path(struct validator *v, const char *key, const char *path)
{
    if (path != NULL && !validate_is_absolute(path))
        validate_error(v, key, "\"%s\" is not an absolute path", path);
}

/* config.md "Process": env has "the same semantics as IEEE Std 1003.1-2008's
 * environ", whose entries are name=value; execve(2) would pass anything, but
 * a program's getenv() could never see such an entry. */
void
validate_env(struct validator *v, const char *key, const struct strv *env)
{
    size_t mark = validate_push_key(v, key);

    for (size_t i = 0; i < env->n; i++) {
        const char *e = env->items[i];
        size_t im = validate_push_index(v, i);

        if (strchr(e, '=') == NULL)
            validate_error(v, NULL, "\"%s\" is not in NAME=VALUE form", e);
        else if (e[0] == '=')
            validate_error(v, NULL, "\"%s\" has an empty variable name", e);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

const struct spec_namespace *
bundle_find_namespace(const struct spec *s, int type)
{
    if (s == NULL || s->linux_ == NULL)
        return NULL;
    for (size_t i = 0; i < s->linux_->n_namespaces; i++)
        if (s->linux_->namespaces[i].type == type)
            return &s->linux_->namespaces[i];
    return NULL;
}

/* ---- ociVersion ---- */

/* A SemVer numeric identifier: digits, no leading zero.  Advances *P. */
static bool
parse_number(const char **p, uint64_t *ret)
{
    const char *s = *p;
    uint64_t n = 0;

    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *p = s;
    *ret = n;
    return true;
}

static bool
is_ident_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; in a pre-release,
 * an identifier of digits only must not have a leading zero. */
static bool
parse_identifiers(const char **p, bool prerelease)
{
    const char *s = *p;

    for (;;) {
        const char *start = s;
        bool digits = true;

        while (is_ident_char(*s)) {
            if (*s < '0' || *s > '9')
                digits = false;
            s++;
        }
        if (s == start)
            return false;
        if (prerelease && digits && start[0] == '0' && s - start > 1)
            return false;
        if (*s != '.')
            break;
        s++;
    }
    *p = s;
    return true;
}

bool
bundle_parse_semver(const char *s, uint64_t *ret_major, uint64_t *ret_minor, uint64_t *ret_patch)
{
    uint64_t major, minor, patch;

    if (s == NULL || !parse_number(&s, &major) || *s++ != '.' || !parse_number(&s, &minor)
        || *s++ != '.' || !parse_number(&s, &patch))
        return false;
    if (*s == '-') {
        s++;
        if (!parse_identifiers(&s, true))
            return false;
    }
    if (*s == '+') {
        s++;
        if (!parse_identifiers(&s, false))
            return false;
    }
    if (*s != '\0')
        return false;
    *ret_major = major;
    *ret_minor = minor;
    *ret_patch = patch;
    return true;
}

/* config.md "Specification version": ociVersion "MUST be in SemVer v2.0.0
 * format", and the spec "retains forward and backward compatibility within
 * major versions".  berth implements 1.x, so 2.x and later are refused.
 * Pre-1.0 drafts (0.x, e.g. the spec's own example "0.5.0-dev") only get a
 * warning: their syntax parsed as 1.x, and runc and crun run them.  A newer
 * 1.x minor is compatible by that promise; what it adds is unknown to berth
 * and ignored, as config.md "Extensibility" requires, which deserves a
 * warning. */
static void
check_version(struct validator *v, const char *version)
{
    uint64_t major, minor, patch, our_major = 0, our_minor = 0, our_patch = 0;

    if (version == NULL) {
        validate_error(v, "ociVersion", "required field is missing");
        return;
    }
    if (!bundle_parse_semver(version, &major, &minor, &patch)) {
        validate_error(v, "ociVersion",
                       "\"%s\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. \"%s\")",
                       version, SPEC_OCI_VERSION);
        return;
    }
    if (!bundle_parse_semver(SPEC_OCI_VERSION, &our_major, &our_minor, &our_patch))
        abort(); /* a build error, not a config error */
    if (major == 0)
        validate_warning(v, "ociVersion",
                         "\"%s\" is a pre-1.0 draft version; read as runtime-spec %s", version,
                         SPEC_OCI_VERSION);
    else if (major != our_major)
        validate_error(v, "ociVersion",
                       "unsupported version \"%s\" (accepted: 1.x.y; berth implements %s)", version,
                       SPEC_OCI_VERSION);
    else if (minor > our_minor)
        validate_warning(v, "ociVersion",
                         "\"%s\" is newer than runtime-spec %s, which berth implements: fields "
                         "added since are ignored",
                         version, SPEC_OCI_VERSION);
}

/* ---- root ---- */

/* config.md "Root": "On all other platforms [than Windows], this field is
 * REQUIRED", and path is REQUIRED. */
static void
check_root(struct validator *v, const struct spec_root *root)
{
    size_t mark;

    if (root == NULL) {
        validate_error(v, "root", "required field is missing (root is required on Linux)");
        return;
    }
    mark = validate_push_key(v, "root");
    if (root->path == NULL)
        validate_error(v, "path", "required field is missing");
    else if (root->path[0] == '\0')
        validate_error(v, "path", "must not be empty");
    validate_pop(v, mark);
}

/* ---- mounts ---- */

/* The option strings of config.md "Linux mount options" (its MUST, SHOULD
 * and MAY rows), and "rnodev", which runc and crun also know; everything
 * else is filesystem data. */
/* clang-format off */
static const char *const mount_flag_options[] = {
    "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
    "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
    "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private",
    "ratime", "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev",
    "rnodiratime", "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro",
    "rprivate", "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid",
    "rsymfollow", "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid",
    "symfollow", "sync", "tmpcopyup", "unbindable", "idmap", "ridmap",
};
/* clang-format on */

/* Filesystem options without '=' that configs commonly carry (runc's own
 * default spec has "newinstance" for devpts); passing them as data is what
 * config.md asks, so they get no warning. */
static const char *const common_data_options[] = {
    "newinstance", "userxattr",    "volatile", "acl",       "noacl",
    "user_xattr",  "nouser_xattr", "inode64",  "noinode64",
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

bool
bundle_is_mount_flag_option(const char *opt)
{
    return in_list(opt, mount_flag_options, COUNT(mount_flag_options));
}

bool
bundle_mount_is_bind(const struct spec_mount *m)
{
    if (m->type != NULL && strcmp(m->type, "bind") == 0)
        return true;
    for (size_t i = 0; i < m->options.n; i++)
        if (strcmp(m->options.items[i], "bind") == 0 || strcmp(m->options.items[i], "rbind") == 0)
            return true;
    return false;
}

/* idmap and ridmap (config.md "Linux mount options"): with uidMappings and
 * gidMappings those are used; without, "the runtime MAY use the container's
 * user namespace mapping, otherwise an error MUST be returned", and "if there
 * are no uidMappings and gidMappings specified and the container isn't using
 * user namespaces, an error MUST be returned". */
static void
check_mount_idmap(struct validator *v, const struct spec_mount *m)
{
    bool has_maps = m->uid_mappings != NULL || m->gid_mappings != NULL;
    const char *seen = NULL;
    size_t mark;

    mark = validate_push_key(v, "options");
    for (size_t i = 0; i < m->options.n; i++) {
        const char *opt = m->options.items[i];
        size_t im;

        if (strcmp(opt, "idmap") != 0 && strcmp(opt, "ridmap") != 0)
            continue;
        im = validate_push_index(v, i);
        if (seen != NULL && strcmp(seen, opt) != 0)
            validate_error(v, NULL, "\"%s\" conflicts with \"%s\"", opt, seen);
        else if (!has_maps && bundle_find_namespace(v->spec, SPEC_NS_USER) == NULL)
            validate_error(v, NULL,
                           "\"%s\" needs uidMappings and gidMappings, or a user namespace to take "
                           "them from",
                           opt);
        seen = opt;
        validate_pop(v, im);
    }
    validate_pop(v, mark);

    /* config.md "POSIX-platform Mounts": each of uidMappings and gidMappings
     * "MUST be specified along with" the other, and options "SHOULD contain
     * either idmap or ridmap". */
    if (m->uid_mappings != NULL && m->gid_mappings == NULL)
        validate_error(v, "uidMappings", "must be given together with gidMappings");
    if (m->gid_mappings != NULL && m->uid_mappings == NULL)
        validate_error(v, "gidMappings", "must be given together with uidMappings");
    if (has_maps && seen == NULL)
        validate_warning(v, "options",
                         "uidMappings and gidMappings are given without \"idmap\" or \"ridmap\"");
    if (m->uid_mappings != NULL)
        validate_id_mappings(v, "uidMappings", m->uid_mappings, m->n_uid_mappings);
    if (m->gid_mappings != NULL)
        validate_id_mappings(v, "gidMappings", m->gid_mappings, m->n_gid_mappings);
}

/* Unknown options are filesystem data ("Runtimes SHOULD treat unknown
 * options as filesystem-specific ones"); key=value ones obviously so, bare
 * words get a warning since they are as likely a misspelt flag.  A bind
 * mount cannot take data at all: mount(2) ignores it with MS_BIND, so an
 * option that would silently not apply is an error, as in runc. */
static void
check_mount_options(struct validator *v, const struct spec_mount *m)
{
    bool bind = bundle_mount_is_bind(m);
    size_t mark = validate_push_key(v, "options");

    for (size_t i = 0; i < m->options.n; i++) {
        const char *opt = m->options.items[i];
        size_t im = validate_push_index(v, i);

        if (opt[0] == '\0')
            validate_warning(v, NULL, "empty option is ignored");
        else if (bundle_is_mount_flag_option(opt))
            ; /* a flag */
        else if (bind)
            validate_error(v, NULL,
                           "\"%s\" is not a mount flag: a bind mount takes no filesystem options",
                           opt);
        else if (strchr(opt, '=') == NULL
                 && !in_list(opt, common_data_options, COUNT(common_data_options)))
            validate_warning(v, NULL, "unknown option \"%s\" is passed to the filesystem", opt);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

static void
check_mount(struct validator *v, const struct spec_mount *m)
{
    /* config.md "Mounts", Linux: destination "SHOULD be an absolute path.
     * For compatibility with old tools and configurations, it MAY be a
     * relative path, in which case it MUST be interpreted as relative to
     * "/". Relative paths are deprecated."  So a warning, as runc gives. */
    if (m->destination != NULL && m->destination[0] == '\0')
        validate_error(v, "destination", "must not be empty");
    else if (m->destination != NULL && !validate_is_absolute(m->destination))
        validate_warning(v, "destination",
                         "\"%s\" is not an absolute path: taken as relative to \"/\" (relative "
                         "destinations are deprecated)",
                         m->destination);

    if (bundle_mount_is_bind(m) && (m->source == NULL || m->source[0] == '\0'))
        validate_error(v, "source", "required for a bind mount");
    check_mount_options(v, m);
    check_mount_idmap(v, m);
}

static void
check_mounts(struct validator *v, const struct spec *s)
{
    size_t mark = validate_push_key(v, "mounts");

    for (size_t i = 0; i < s->n_mounts; i++) {
        size_t im = validate_push_index(v, i);
        check_mount(v, &s->mounts[i]);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* ---- hooks ---- */

/* config.md "POSIX-platform Hooks": "path MUST be absolute"; "If set,
 * timeout MUST be greater than zero". */
static void
check_hook_list(struct validator *v, const char *key, const struct spec_hook *hooks, size_t n)
{
    size_t mark = validate_push_key(v, key);

    for (size_t i = 0; i < n; i++) {
        const struct spec_hook *h = &hooks[i];
        size_t im = validate_push_index(v, i);

        validate_absolute_path(v, "path", h->path);
        if (h->has_timeout && h->timeout <= 0)
            validate_error(v, "timeout", "%lld is not greater than zero", (long long)h->timeout);
        validate_env(v, "env", &h->env);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

static void
check_hooks(struct validator *v, const struct spec_hooks *h)
{
    size_t mark;

    if (h == NULL)
        return;
    mark = validate_push_key(v, "hooks");
    check_hook_list(v, "prestart", h->prestart, h->n_prestart);
    check_hook_list(v, "createRuntime", h->create_runtime, h->n_create_runtime);
    check_hook_list(v, "createContainer", h->create_container, h->n_create_container);
    check_hook_list(v, "startContainer", h->start_container, h->n_start_container);
    check_hook_list(v, "poststart", h->poststart, h->n_poststart);
    check_hook_list(v, "poststop", h->poststop, h->n_poststop);
    validate_pop(v, mark);
}

/* ---- annotations, hostname ---- */

/* config.md "Annotations": "Keys MUST NOT be an empty string." */
static void
check_annotations(struct validator *v, const struct strmap *a)
{
    size_t mark = validate_push_key(v, "annotations");

    for (size_t i = 0; i < a->n; i++)
        if (a->items[i].key[0] == '\0')
            validate_error(v, "", "key must not be empty");
    validate_pop(v, mark);
}

/* sethostname(2) and setdomainname(2) take at most 64 bytes.  Without a UTS
 * namespace of its own the container would rename the host, which runc
 * refuses too. */
static void
check_uts_name(struct validator *v, const char *key, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return;
    if (strlen(name) > 64)
        validate_error(v, key, "\"%s\" is longer than 64 bytes", name);
    if (bundle_find_namespace(v->spec, SPEC_NS_UTS) == NULL)
        validate_error(v, key,
                       "setting it needs a UTS namespace (add {\"type\": \"uts\"} to "
                       "linux.namespaces)");
}

size_t
spec_validate(const struct spec *s, struct diags *diags)
{
    struct validator v = {.spec = s, .diags = diags};
    size_t before = diags->n_errors;

    check_version(&v, s->oci_version);
    check_root(&v, s->root);
    check_mounts(&v, s);
    if (s->process != NULL) {
        size_t mark = validate_push_key(&v, "process");
        validate_process(&v, s->process);
        validate_pop(&v, mark);
    }
    check_hooks(&v, s->hooks);
    check_annotations(&v, &s->annotations);
    check_uts_name(&v, "hostname", s->hostname);
    check_uts_name(&v, "domainname", s->domainname);
    if (s->linux_ != NULL) {
        size_t mark = validate_push_key(&v, "linux");
        validate_linux(&v, s->linux_);
        validate_pop(&v, mark);
    }
    json_path_free(&v.path);
    return diags->n_errors - before;
}

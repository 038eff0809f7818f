/* SPDX-License-Identifier: Apache-2.0 */
/* sfilter_default_profile(): seccomp/default-profile.json, compiled in,
 * resolved for a capability set and the native architecture into a
 * linux.seccomp object.  The data file's format is described at its top;
 * the resolved groups are written back as runtime-spec JSON and parsed by
 * the bundle's own parser, so the profile is exactly what a config.json
 * carrying it would give. */
#include "seccomp/sfilter.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "seccomp/sfilter-int.h"

/* Made by the Makefile from seccomp/default-profile.json. */
#include "seccomp/default-profile.json.h"

#define DATA_NAME "seccomp/default-profile.json"

static void
json_freep(struct json_value **v)
{
    if (*v != NULL)
        json_free(*v);
}

/* The spec name of the architecture libseccomp runs natively, such as
 * "SCMP_ARCH_X86_64"; NULL if the spec has no name for it. */
static const char *
native_arch_name(void)
{
    uint32_t native = seccomp_arch_native();

    for (int a = 1; a < spec_enum_seccomp_arch.count; a++)
        if (sfilter_arch_token(a) == native)
            return spec_enum_name(&spec_enum_seccomp_arch, a);
    return NULL;
}

/* Does the array of strings LIST hold S (ANY) / are all of its strings in
 * CAPS (!ANY)?  An absent list: false for ANY, true for all. */
static bool
list_matches(const struct json_value *list, const struct strv *caps, const char *s, bool any)
{
    if (list == NULL || list->type != JSON_ARRAY)
        return !any;
    for (size_t i = 0; i < list->u.arr.n; i++) {
        const struct json_value *e = list->u.arr.items[i];
        bool hit =
            e->type == JSON_STRING
            && (caps != NULL ? strv_contains(caps, e->u.str.text) : strcmp(e->u.str.text, s) == 0);

        if (any && hit)
            return true;
        if (!any && !hit)
            return false;
    }
    return !any;
}

/* includes: every capability, and the native architecture among the
 * arches; excludes: any capability, or the native architecture. */
static bool
group_applies(const struct json_value *g, const struct strv *caps, const char *arch)
{
    const struct json_value *inc = json_get(g, "includes");
    const struct json_value *exc = json_get(g, "excludes");

    if (inc != NULL) {
        const struct json_value *arches = json_get(inc, "arches");

        if (!list_matches(json_get(inc, "caps"), caps, NULL, false))
            return false;
        if (arches != NULL && !list_matches(arches, NULL, arch, true))
            return false;
    }
    if (exc != NULL) {
        if (json_get(exc, "caps") != NULL && list_matches(json_get(exc, "caps"), caps, NULL, true))
            return false;
        if (list_matches(json_get(exc, "arches"), NULL, arch, true))
            return false;
    }
    return true;
}

/* Is NAME a syscall this libseccomp knows on one of ARCHES? */
static bool
is_known(const char *name, const uint32_t *arches, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (seccomp_syscall_resolve_name_arch(arches[i], name) != __NR_SCMP_ERROR)
            return true;
    return false;
}

/* One group as a runtime-spec syscall; nothing when none of its names is
 * known here. */
static void
write_group(struct json_writer *w, const struct json_value *g, const uint32_t *arches, size_t n)
{
    const struct json_value *names = json_get(g, "names");
    static const char *const keep[] = {"action", "errnoRet", "args"};
    size_t known = 0;

    for (size_t i = 0; names != NULL && i < names->u.arr.n; i++)
        known += is_known(names->u.arr.items[i]->u.str.text, arches, n);
    if (known == 0)
        return;
    json_w_object_begin(w);
    json_w_key(w, "names");
    json_w_array_begin(w);
    for (size_t i = 0; i < names->u.arr.n; i++)
        if (is_known(names->u.arr.items[i]->u.str.text, arches, n))
            json_w_string(w, names->u.arr.items[i]->u.str.text);
    json_w_array_end(w);
    for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
        const struct json_value *v = json_get(g, keep[k]);

        if (v != NULL) {
            json_w_key(w, keep[k]);
            json_w_value(w, v);
        }
    }
    json_w_object_end(w);
}

/* archMap[ARCH], or ARCH alone when the map lacks it. */
static void
write_architectures(struct json_writer *w, const struct json_value *data, const char *arch)
{
    const struct json_value *map = json_get(data, "archMap");
    const struct json_value *list = map != NULL ? json_get(map, arch) : NULL;

    json_w_key(w, "architectures");
    if (list != NULL) {
        json_w_value(w, list);
    } else {
        json_w_array_begin(w);
        json_w_string(w, arch);
        json_w_array_end(w);
    }
}

/* The resolved profile, as a config.json holding it and nothing else. */
static int
resolve(const struct json_value *data, const struct strv *caps, const char *arch, char **ret,
        size_t *ret_len, struct error **err)
{
    const struct json_value *groups = json_get(data, "syscalls");
    struct json_writer *w = json_writer_new(false);
    static const char *const keep[] = {"defaultAction", "defaultErrnoRet"};
    _cleanup_free_ uint32_t *arches = NULL;
    struct spec_seccomp probe = {0};
    struct enumv ev = {0};
    size_t n_arches;

    /* The architectures of the filter, as sfilter_compile() will see them,
     * to tell which names this libseccomp knows. */
    {
        const struct json_value *map = json_get(data, "archMap");
        const struct json_value *list = map != NULL ? json_get(map, arch) : NULL;

        ev.items = xcalloc(list != NULL ? list->u.arr.n + 1 : 1, sizeof(int));
        for (size_t i = 0; list != NULL && i < list->u.arr.n; i++)
            ev.items[ev.n++] =
                spec_enum_value(&spec_enum_seccomp_arch, list->u.arr.items[i]->u.str.text);
        probe.architectures = ev;
        sfilter_filter_arches(&probe, &arches, &n_arches);
        free(ev.items);
    }
    json_w_object_begin(w);
    json_w_key(w, "ociVersion");
    json_w_string(w, SPEC_OCI_VERSION);
    json_w_key(w, "linux");
    json_w_object_begin(w);
    json_w_key(w, "seccomp");
    json_w_object_begin(w);
    for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
        const struct json_value *v = json_get(data, keep[k]);

        if (v != NULL) {
            json_w_key(w, keep[k]);
            json_w_value(w, v);
        }
    }
    write_architectures(w, data, arch);
    json_w_key(w, "syscalls");
    json_w_array_begin(w);
    for (size_t i = 0; groups != NULL && groups->type == JSON_ARRAY && i < groups->u.arr.n; i++) {
        const struct json_value *g = groups->u.arr.items[i];

        if (group_applies(g, caps, arch))
            write_group(w, g, arches, n_arches);
    }
    json_w_array_end(w);
    json_w_object_end(w);
    json_w_object_end(w);
    json_w_object_end(w);
    return json_writer_finish(w, ret, ret_len, err);
}

/* The shapes resolve() relies on; the parser checks the rest. */
static int
check_data(const struct json_value *data, struct error **err)
{
    const struct json_value *groups = json_get(data, "syscalls");
    const struct json_value *map = json_get(data, "archMap");

    if (data->type != JSON_OBJECT || groups == NULL || groups->type != JSON_ARRAY
        || (map != NULL && map->type != JSON_OBJECT))
        return error_setx(err, EINVAL, DATA_NAME ": not a profile");
    for (size_t i = 0; map != NULL && i < map->u.obj.n; i++) {
        const struct json_value *l = map->u.obj.items[i].value;

        if (l->type != JSON_ARRAY)
            return error_setx(err, EINVAL, DATA_NAME ": archMap.%s: not an array",
                              map->u.obj.items[i].key);
        for (size_t k = 0; k < l->u.arr.n; k++)
            if (l->u.arr.items[k]->type != JSON_STRING)
                return error_setx(err, EINVAL, DATA_NAME ": archMap.%s[%zu]: not a string",
                                  map->u.obj.items[i].key, k);
    }
    for (size_t i = 0; i < groups->u.arr.n; i++) {
        const struct json_value *names = json_get(groups->u.arr.items[i], "names");

        if (groups->u.arr.items[i]->type != JSON_OBJECT || names == NULL
            || names->type != JSON_ARRAY)
            return error_setx(err, EINVAL, DATA_NAME ": syscalls[%zu].names: required", i);
        for (size_t k = 0; k < names->u.arr.n; k++)
            if (names->u.arr.items[k]->type != JSON_STRING)
                return error_setx(err, EINVAL, DATA_NAME ": syscalls[%zu].names[%zu]: not a string",
                                  i, k);
    }
    return 0;
}

DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

struct spec_seccomp *
sfilter_default_profile(const struct strv *caps, struct error **err)
{
    static const struct strv none = {0};
    _cleanup_(json_freep) struct json_value *data = NULL;
    _cleanup_(spec_freep) struct spec *s = NULL;
    _cleanup_free_ char *buf = NULL;
    const char *arch = native_arch_name();
    struct spec_seccomp *sc;
    size_t len;

    if (arch == NULL) {
        error_setx(err, EINVAL,
                   "the default seccomp profile: libseccomp's native architecture "
                   "has no runtime-spec name");
        return NULL;
    }
    data = json_parse(default_profile_json, strlen(default_profile_json), DATA_NAME, err);
    if (data == NULL || check_data(data, err) < 0
        || resolve(data, caps != NULL ? caps : &none, arch, &buf, &len, err) < 0)
        return NULL;
    s = spec_parse(buf, len, DATA_NAME, err);
    if (s == NULL)
        return NULL;
    sc = TAKE_PTR(s->linux_->seccomp);
    return sc;
}

void
sfilter_profile_free(struct spec_seccomp *sc)
{
    struct spec_linux *l;
    struct spec *s;

    if (sc == NULL)
        return;
    /* The bundle frees a seccomp object only as part of a spec. */
    l = xcalloc(1, sizeof(*l));
    s = xcalloc(1, sizeof(*s));
    l->seccomp = sc;
    s->linux_ = l;
    spec_free(s);
}

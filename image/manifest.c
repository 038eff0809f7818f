/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON documents of an image into plain structs: oci-layout, image
 * index, image manifest, descriptors, the image config (config.md) and
 * docker save's manifest.json.  Each parser walks the tree of lib/json.h
 * keeping the JSON path, collects every problem (lib/diag.h) and returns
 * them together: "config sha256:...: config.Env[2]: expected a string, got
 * a number".  Unknown fields are ignored everywhere (config.md: "Any extra
 * fields ... MUST NOT generate an error"), and null stands for absent
 * ("Any OPTIONAL field MAY also be set to null, which is equivalent to
 * being absent"). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/json.h"
#include "lib/xalloc.h"

DEFINE_CLEANUP_FUNC(struct json_value *, json_free)

/* ---- strv and strmap ---- */

static void
strmap_add(struct strmap *m, const char *key, const char *value)
{
    m->items = xrealloc(m->items, (m->n + 1) * sizeof(*m->items));
    m->items[m->n].key = xstrdup(key);
    m->items[m->n].value = xstrdup(value);
    m->n++;
}

void
image_strmap_copy(struct strmap *ret, const struct strmap *src)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < src->n; i++)
        strmap_add(ret, src->items[i].key, src->items[i].value);
}

void
image_strmap_clear(struct strmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    m->items = NULL;
    m->n = 0;
}

const char *
image_strmap_get(const struct strmap *m, const char *key)
{
    for (size_t i = m->n; i > 0; i--)
        if (strcmp(m->items[i - 1].key, key) == 0)
            return m->items[i - 1].value;
    return NULL;
}

/* ---- media types ---- */

static const struct {
    const char *mt;
    enum image_media_kind kind;
    enum image_compression compression; /* layers */
} media_types[] = {
    {IMAGE_MT_OCI_INDEX, IMAGE_MEDIA_INDEX, 0},
    {IMAGE_MT_DOCKER_LIST, IMAGE_MEDIA_INDEX, 0},
    {IMAGE_MT_OCI_MANIFEST, IMAGE_MEDIA_MANIFEST, 0},
    {IMAGE_MT_DOCKER_MANIFEST, IMAGE_MEDIA_MANIFEST, 0},
    {IMAGE_MT_OCI_CONFIG, IMAGE_MEDIA_CONFIG, 0},
    {IMAGE_MT_DOCKER_CONFIG, IMAGE_MEDIA_CONFIG, 0},
    /* manifest.md: implementations MUST support tar, tar+gzip and the two
     * nondistributable ones, SHOULD support tar+zstd. */
    {"application/vnd.oci.image.layer.v1.tar", IMAGE_MEDIA_LAYER, IMAGE_COMPRESSION_NONE},
    {"application/vnd.oci.image.layer.v1.tar+gzip", IMAGE_MEDIA_LAYER, IMAGE_COMPRESSION_GZIP},
    {"application/vnd.oci.image.layer.v1.tar+zstd", IMAGE_MEDIA_LAYER, IMAGE_COMPRESSION_ZSTD},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar", IMAGE_MEDIA_LAYER,
     IMAGE_COMPRESSION_NONE},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", IMAGE_MEDIA_LAYER,
     IMAGE_COMPRESSION_GZIP},
    {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", IMAGE_MEDIA_LAYER,
     IMAGE_COMPRESSION_ZSTD},
    {"application/vnd.docker.image.rootfs.diff.tar.gzip", IMAGE_MEDIA_LAYER,
     IMAGE_COMPRESSION_GZIP},
    {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", IMAGE_MEDIA_LAYER,
     IMAGE_COMPRESSION_GZIP},
    {IMAGE_MT_DOCKER_LAYER_TAR, IMAGE_MEDIA_LAYER, IMAGE_COMPRESSION_NONE},
};

enum image_media_kind
image_media_type_kind(const char *mt)
{
    for (size_t i = 0; mt != NULL && i < sizeof(media_types) / sizeof(media_types[0]); i++)
        if (strcmp(mt, media_types[i].mt) == 0)
            return media_types[i].kind;
    return IMAGE_MEDIA_UNKNOWN;
}

bool
image_layer_compression(const char *mt, enum image_compression *ret)
{
    for (size_t i = 0; mt != NULL && i < sizeof(media_types) / sizeof(media_types[0]); i++)
        if (media_types[i].kind == IMAGE_MEDIA_LAYER && strcmp(mt, media_types[i].mt) == 0) {
            *ret = media_types[i].compression;
            return true;
        }
    return false;
}

/* ---- the reader: a JSON path and the problems found ---- */

struct rd {
    struct json_path path;
    struct diags diags;
};

static void
rd_init(struct rd *r, const char *name)
{
    memset(r, 0, sizeof(*r));
    diags_init(&r->diags, name);
}

/* Turn the problems into *ERR (-EINVAL) or return 0; frees R. */
static int
rd_finish(struct rd *r, struct error **err)
{
    int rc = diags_to_error(&r->diags, err);

    diags_free(&r->diags);
    json_path_free(&r->path);
    return rc;
}

static void ATTR_PRINTF(2, 3) rd_error(struct rd *r, const char *fmt, ...)
{
    _cleanup_free_ char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    /* The values quoted come from the image: a control character (a
     * decoded "\n") would start a line of its own in the message. */
    for (char *c = msg; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    diags_error(&r->diags, json_path_str(&r->path), "%s", msg);
}

static void
rd_type_error(struct rd *r, const char *want, const struct json_value *v)
{
    if (v->type == JSON_STRING || v->type == JSON_NUMBER)
        rd_error(r, "expected %s, got %s %s%s%s", want, json_type_name(v->type),
                 v->type == JSON_STRING ? "\"" : "", v->u.str.text,
                 v->type == JSON_STRING ? "\"" : "");
    else
        rd_error(r, "expected %s, got %s", want, json_type_name(v->type));
}

/* Whether V (never NULL) has type T; reports it otherwise. */
static bool
rd_expect(struct rd *r, const struct json_value *v, enum json_type t)
{
    static const char *const names[] = {
        [JSON_NULL] = "null",       [JSON_BOOL] = "a boolean", [JSON_NUMBER] = "an integer",
        [JSON_STRING] = "a string", [JSON_ARRAY] = "an array", [JSON_OBJECT] = "an object",
    };

    if (v->type == t)
        return true;
    rd_type_error(r, names[t], v);
    return false;
}

/* The member KEY of OBJ, pushed on the path: NULL (and nothing pushed)
 * when absent or null; a required one is then reported. */
static const struct json_value *
rd_member(struct rd *r, const struct json_value *obj, const char *key, bool required, size_t *mark)
{
    const struct json_value *v = json_get(obj, key);

    if (v == NULL || v->type == JSON_NULL) {
        if (required) {
            size_t m = json_path_push_key(&r->path, key);
            rd_error(r, "required%s", v != NULL ? ", not null" : "");
            json_path_pop(&r->path, m);
        }
        return NULL;
    }
    *mark = json_path_push_key(&r->path, key);
    return v;
}

/* A string member as a new string; NULL when absent, null or not a string. */
static char *
rd_str(struct rd *r, const struct json_value *obj, const char *key, bool required)
{
    size_t mark;
    const struct json_value *v = rd_member(r, obj, key, required, &mark);
    char *s = NULL;

    if (v == NULL)
        return NULL;
    if (rd_expect(r, v, JSON_STRING))
        s = xstrdup(v->u.str.text);
    json_path_pop(&r->path, mark);
    return s;
}

static void
rd_strv_value(struct rd *r, const struct json_value *v, struct strv *ret)
{
    if (!rd_expect(r, v, JSON_ARRAY))
        return;
    for (size_t i = 0; i < v->u.arr.n; i++) {
        size_t mark = json_path_push_index(&r->path, i);
        const struct json_value *item = v->u.arr.items[i];

        if (rd_expect(r, item, JSON_STRING))
            strv_add(ret, item->u.str.text);
        json_path_pop(&r->path, mark);
    }
}

/* An array of strings; returns whether it was present (and not null). */
static bool
rd_strv(struct rd *r, const struct json_value *obj, const char *key, bool required,
        struct strv *ret)
{
    size_t mark;
    const struct json_value *v = rd_member(r, obj, key, required, &mark);

    if (v == NULL)
        return false;
    rd_strv_value(r, v, ret);
    json_path_pop(&r->path, mark);
    return true;
}

/* An object of strings (annotations, labels). */
static void
rd_strmap(struct rd *r, const struct json_value *obj, const char *key, struct strmap *ret)
{
    size_t mark;
    const struct json_value *v = rd_member(r, obj, key, false, &mark);

    if (v == NULL)
        return;
    if (rd_expect(r, v, JSON_OBJECT)) {
        for (size_t i = 0; i < v->u.obj.n; i++) {
            const struct json_member *m = &v->u.obj.items[i];
            size_t m2 = json_path_push_key(&r->path, m->key);

            if (rd_expect(r, m->value, JSON_STRING))
                strmap_add(ret, m->key, m->value->u.str.text);
            json_path_pop(&r->path, m2);
        }
    }
    json_path_pop(&r->path, mark);
}

/* The keys of an object used as a set (ExposedPorts, Volumes: Go's
 * map[string]struct{}, whose values are {}). */
static void
rd_keys(struct rd *r, const struct json_value *obj, const char *key, struct strv *ret)
{
    size_t mark;
    const struct json_value *v = rd_member(r, obj, key, false, &mark);

    if (v == NULL)
        return;
    if (rd_expect(r, v, JSON_OBJECT)) {
        for (size_t i = 0; i < v->u.obj.n; i++) {
            const struct json_member *m = &v->u.obj.items[i];
            size_t m2 = json_path_push_key(&r->path, m->key);

            if (m->value->type == JSON_OBJECT || m->value->type == JSON_NULL)
                strv_add(ret, m->key);
            else
                rd_type_error(r, "an object", m->value);
            json_path_pop(&r->path, m2);
        }
    }
    json_path_pop(&r->path, mark);
}

static bool
rd_bool(struct rd *r, const struct json_value *obj, const char *key)
{
    size_t mark;
    const struct json_value *v = rd_member(r, obj, key, false, &mark);
    bool b = false;

    if (v == NULL)
        return false;
    if (rd_expect(r, v, JSON_BOOL))
        b = v->u.boolean;
    json_path_pop(&r->path, mark);
    return b;
}

/* An integer in [MIN, MAX]; DEF when absent (or invalid: reported). */
static int64_t
rd_int(struct rd *r, const struct json_value *obj, const char *key, bool required, int64_t min,
       int64_t max, int64_t def)
{
    size_t mark;
    const struct json_value *v = rd_member(r, obj, key, required, &mark);
    int64_t n = def;

    if (v == NULL)
        return def;
    if (rd_expect(r, v, JSON_NUMBER)) {
        int64_t got;
        int rc = json_number_int64(v, min, max, &got);

        if (rc == -ERANGE)
            rd_error(r, "%s is out of range (%" PRId64 " to %" PRId64 ")", v->u.str.text, min, max);
        else if (rc < 0)
            rd_error(r, "expected an integer, got %s", v->u.str.text);
        else
            n = got;
    }
    json_path_pop(&r->path, mark);
    return n;
}

/* A digest member into RET; false when absent or invalid (reported). */
static bool
rd_digest(struct rd *r, const struct json_value *v, struct image_digest *ret)
{
    struct error *derr = NULL;

    if (!rd_expect(r, v, JSON_STRING))
        return false;
    if (image_digest_parse(v->u.str.text, ret, &derr) < 0) {
        rd_error(r, "%s", derr->msg);
        error_free(&derr);
        return false;
    }
    return true;
}

/* schemaVersion: image-index.md and manifest.md "MUST be 2". */
static void
rd_schema_version(struct rd *r, const struct json_value *doc)
{
    size_t mark;
    const struct json_value *v = rd_member(r, doc, "schemaVersion", true, &mark);
    int64_t n;

    if (v == NULL)
        return;
    if (rd_expect(r, v, JSON_NUMBER)
        && (json_number_int64(v, INT64_MIN, INT64_MAX, &n) < 0 || n != 2))
        rd_error(r, "unsupported schema version %s (expected 2)", v->u.str.text);
    json_path_pop(&r->path, mark);
}

/* Parse BUF as a JSON object; NULL with *ERR otherwise. */
static struct json_value *
parse_object(const char *buf, size_t len, const char *name, struct error **err)
{
    struct json_value *doc = json_parse(buf, len, name, err);

    if (doc != NULL && doc->type != JSON_OBJECT) {
        error_setx(err, EINVAL, "%s: expected a JSON object, got %s", name,
                   json_type_name(doc->type));
        json_free(doc);
        return NULL;
    }
    return doc;
}

/* ---- oci-layout ---- */

int
image_layout_check(const char *buf, size_t len, const char *name, struct error **err)
{
    _cleanup_(json_freep) struct json_value *doc = parse_object(buf, len, name, err);
    _cleanup_free_ char *version = NULL;
    struct rd r;

    if (doc == NULL)
        return -error_errnum(*err);
    rd_init(&r, name);
    /* image-layout.md: oci-layout "MUST contain an imageLayoutVersion field". */
    version = rd_str(&r, doc, "imageLayoutVersion", true);
    if (version != NULL && strncmp(version, "1.", 2) != 0) {
        size_t mark = json_path_push_key(&r.path, "imageLayoutVersion");
        rd_error(&r, "unsupported image layout version \"%s\" (expected 1.0.0)", version);
        json_path_pop(&r.path, mark);
    }
    return rd_finish(&r, err);
}

/* ---- descriptors and platforms ---- */

void
image_descriptor_clear(struct image_descriptor *d)
{
    if (d == NULL)
        return;
    free(d->media_type);
    image_strmap_clear(&d->annotations);
    if (d->platform != NULL) {
        image_platform_clear(d->platform);
        free(d->platform);
    }
    free(d->path);
    memset(d, 0, sizeof(*d));
}

void
image_descriptor_copy(struct image_descriptor *ret, const struct image_descriptor *src)
{
    memset(ret, 0, sizeof(*ret));
    ret->media_type = src->media_type ? xstrdup(src->media_type) : NULL;
    ret->digest = src->digest;
    ret->size = src->size;
    image_strmap_copy(&ret->annotations, &src->annotations);
    if (src->platform != NULL) {
        ret->platform = xcalloc(1, sizeof(*ret->platform));
        image_platform_copy(ret->platform, src->platform);
    }
    ret->path = src->path ? xstrdup(src->path) : NULL;
    ret->digest_is_diff_id = src->digest_is_diff_id;
}

static void
rd_platform(struct rd *r, const struct json_value *desc, struct image_descriptor *d)
{
    size_t mark;
    const struct json_value *v = rd_member(r, desc, "platform", false, &mark);
    struct image_platform *p;

    if (v == NULL)
        return;
    if (rd_expect(r, v, JSON_OBJECT)) {
        p = d->platform = xcalloc(1, sizeof(*p));
        p->architecture = rd_str(r, v, "architecture", true);
        p->os = rd_str(r, v, "os", true);
        p->os_version = rd_str(r, v, "os.version", false);
        rd_strv(r, v, "os.features", false, &p->os_features);
        p->variant = rd_str(r, v, "variant", false);
    }
    json_path_pop(&r->path, mark);
}

/* descriptor.md: mediaType, digest and size are REQUIRED. */
static void
rd_descriptor(struct rd *r, const struct json_value *v, struct image_descriptor *d,
              bool with_platform)
{
    size_t mark;
    const struct json_value *dv;

    if (!rd_expect(r, v, JSON_OBJECT))
        return;
    d->media_type = rd_str(r, v, "mediaType", true);
    dv = rd_member(r, v, "digest", true, &mark);
    if (dv != NULL) {
        rd_digest(r, dv, &d->digest);
        json_path_pop(&r->path, mark);
    }
    d->size = rd_int(r, v, "size", true, 0, INT64_MAX, -1);
    rd_strmap(r, v, "annotations", &d->annotations);
    if (with_platform)
        rd_platform(r, v, d);
}

/* ---- image index ---- */

void
image_index_clear(struct image_index *ix)
{
    free(ix->media_type);
    for (size_t i = 0; i < ix->n_manifests; i++)
        image_descriptor_clear(&ix->manifests[i]);
    free(ix->manifests);
    image_strmap_clear(&ix->annotations);
    memset(ix, 0, sizeof(*ix));
}

/* mediaType "when used, ... MUST contain" the document's own type. */
static char *
rd_own_media_type(struct rd *r, const struct json_value *doc, enum image_media_kind kind,
                  const char *what)
{
    char *mt = rd_str(r, doc, "mediaType", false);

    if (mt != NULL && image_media_type_kind(mt) != kind) {
        size_t mark = json_path_push_key(&r->path, "mediaType");
        rd_error(r, "\"%s\" is not %s media type", mt, what);
        json_path_pop(&r->path, mark);
    }
    return mt;
}

/* The REQUIRED array of descriptors KEY of DOC ("manifests", "layers"). */
static void
rd_descriptors(struct rd *r, const struct json_value *doc, const char *key, bool with_platform,
               struct image_descriptor **ret, size_t *ret_n)
{
    size_t mark;
    const struct json_value *v = rd_member(r, doc, key, true, &mark);

    if (v == NULL)
        return;
    if (rd_expect(r, v, JSON_ARRAY)) {
        *ret = xcalloc(v->u.arr.n ? v->u.arr.n : 1, sizeof(**ret));
        *ret_n = v->u.arr.n;
        for (size_t i = 0; i < v->u.arr.n; i++) {
            size_t m2 = json_path_push_index(&r->path, i);

            rd_descriptor(r, v->u.arr.items[i], &(*ret)[i], with_platform);
            json_path_pop(&r->path, m2);
        }
    }
    json_path_pop(&r->path, mark);
}

int
image_index_parse(const char *buf, size_t len, const char *name, struct image_index *ret,
                  struct error **err)
{
    _cleanup_(json_freep) struct json_value *doc = parse_object(buf, len, name, err);
    struct image_index ix = {0};
    struct rd r;
    int rc;

    if (doc == NULL)
        return -error_errnum(*err);
    rd_init(&r, name);
    rd_schema_version(&r, doc);
    ix.media_type = rd_own_media_type(&r, doc, IMAGE_MEDIA_INDEX, "an image index");
    /* image-index.md: manifests "MUST be present", possibly empty. */
    rd_descriptors(&r, doc, "manifests", true, &ix.manifests, &ix.n_manifests);
    rd_strmap(&r, doc, "annotations", &ix.annotations);
    rc = rd_finish(&r, err);
    if (rc < 0) {
        image_index_clear(&ix);
        return rc;
    }
    *ret = ix;
    return 0;
}

/* ---- image manifest ---- */

void
image_manifest_clear(struct image_manifest *m)
{
    free(m->media_type);
    free(m->artifact_type);
    image_descriptor_clear(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        image_descriptor_clear(&m->layers[i]);
    free(m->layers);
    image_strmap_clear(&m->annotations);
    memset(m, 0, sizeof(*m));
}

int
image_manifest_parse(const char *buf, size_t len, const char *name, struct image_manifest *ret,
                     struct error **err)
{
    _cleanup_(json_freep) struct json_value *doc = parse_object(buf, len, name, err);
    struct image_manifest m = {0};
    const struct json_value *v;
    size_t mark;
    struct rd r;
    int rc;

    if (doc == NULL)
        return -error_errnum(*err);
    rd_init(&r, name);
    rd_schema_version(&r, doc);
    m.media_type = rd_own_media_type(&r, doc, IMAGE_MEDIA_MANIFEST, "an image manifest");
    m.artifact_type = rd_str(&r, doc, "artifactType", false);
    v = rd_member(&r, doc, "config", true, &mark);
    if (v != NULL) {
        rd_descriptor(&r, v, &m.config, false);
        json_path_pop(&r.path, mark);
    }
    rd_descriptors(&r, doc, "layers", false, &m.layers, &m.n_layers);
    rd_strmap(&r, doc, "annotations", &m.annotations);
    rc = rd_finish(&r, err);
    if (rc < 0) {
        image_manifest_clear(&m);
        return rc;
    }
    *ret = m;
    return 0;
}

/* ---- the image config (config.md) ---- */

void
image_config_free(struct image_config *c)
{
    if (c == NULL)
        return;
    free(c->architecture);
    free(c->os);
    free(c->variant);
    free(c->os_version);
    strv_clear(&c->os_features);
    free(c->created);
    free(c->author);
    free(c->user);
    strv_clear(&c->exposed_ports);
    strv_clear(&c->env);
    strv_clear(&c->entrypoint);
    strv_clear(&c->cmd);
    strv_clear(&c->volumes);
    free(c->working_dir);
    image_strmap_clear(&c->labels);
    free(c->stop_signal);
    free(c->rootfs_type);
    free(c->diff_ids);
    free(c);
}

static void
rd_exec_config(struct rd *r, const struct json_value *cv, struct image_config *c)
{
    if (!rd_expect(r, cv, JSON_OBJECT))
        return;
    c->user = rd_str(r, cv, "User", false);
    rd_keys(r, cv, "ExposedPorts", &c->exposed_ports);
    rd_strv(r, cv, "Env", false, &c->env);
    /* Docker writes "Entrypoint": null for none: absent, like a missing key
     * (conversion.md tells an absent Entrypoint from an empty one). */
    c->has_entrypoint = rd_strv(r, cv, "Entrypoint", false, &c->entrypoint);
    c->has_cmd = rd_strv(r, cv, "Cmd", false, &c->cmd);
    rd_keys(r, cv, "Volumes", &c->volumes);
    c->working_dir = rd_str(r, cv, "WorkingDir", false);
    rd_strmap(r, cv, "Labels", &c->labels);
    c->stop_signal = rd_str(r, cv, "StopSignal", false);
    c->args_escaped = rd_bool(r, cv, "ArgsEscaped");
}

static void
rd_rootfs(struct rd *r, const struct json_value *rv, struct image_config *c)
{
    const struct json_value *ids;
    size_t mark;

    if (!rd_expect(r, rv, JSON_OBJECT))
        return;
    c->rootfs_type = rd_str(r, rv, "type", true);
    /* config.md: rootfs.type "MUST be set to layers.  Implementations MUST
     * generate an error if they encounter a unknown value". */
    if (c->rootfs_type != NULL && strcmp(c->rootfs_type, "layers") != 0) {
        size_t m = json_path_push_key(&r->path, "type");
        rd_error(r, "unsupported rootfs type \"%s\" (expected \"layers\")", c->rootfs_type);
        json_path_pop(&r->path, m);
    }
    ids = rd_member(r, rv, "diff_ids", true, &mark);
    if (ids == NULL)
        return;
    if (rd_expect(r, ids, JSON_ARRAY)) {
        c->diff_ids = xcalloc(ids->u.arr.n ? ids->u.arr.n : 1, sizeof(*c->diff_ids));
        c->n_diff_ids = ids->u.arr.n;
        for (size_t i = 0; i < ids->u.arr.n; i++) {
            size_t m = json_path_push_index(&r->path, i);
            rd_digest(r, ids->u.arr.items[i], &c->diff_ids[i]);
            json_path_pop(&r->path, m);
        }
    }
    json_path_pop(&r->path, mark);
}

struct image_config *
image_config_parse(const char *buf, size_t len, const char *name, struct error **err)
{
    _cleanup_(json_freep) struct json_value *doc = parse_object(buf, len, name, err);
    struct image_config *c;
    const struct json_value *v;
    size_t mark;
    struct rd r;

    if (doc == NULL)
        return NULL;
    c = xcalloc(1, sizeof(*c));
    rd_init(&r, name);
    c->created = rd_str(&r, doc, "created", false);
    c->author = rd_str(&r, doc, "author", false);
    c->architecture = rd_str(&r, doc, "architecture", true);
    c->os = rd_str(&r, doc, "os", true);
    c->os_version = rd_str(&r, doc, "os.version", false);
    rd_strv(&r, doc, "os.features", false, &c->os_features);
    c->variant = rd_str(&r, doc, "variant", false);
    v = rd_member(&r, doc, "config", false, &mark);
    if (v != NULL) {
        rd_exec_config(&r, v, c);
        json_path_pop(&r.path, mark);
    }
    v = rd_member(&r, doc, "rootfs", true, &mark);
    if (v != NULL) {
        rd_rootfs(&r, v, c);
        json_path_pop(&r.path, mark);
    }
    if (rd_finish(&r, err) < 0) {
        image_config_free(c);
        return NULL;
    }
    return c;
}

/* ---- docker save's manifest.json ---- */

void
image_docker_manifest_clear(struct image_docker_manifest *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].config);
        strv_clear(&m->items[i].repo_tags);
        strv_clear(&m->items[i].layers);
    }
    free(m->items);
    memset(m, 0, sizeof(*m));
}

int
image_docker_manifest_parse(const char *buf, size_t len, const char *name,
                            struct image_docker_manifest *ret, struct error **err)
{
    _cleanup_(json_freep) struct json_value *doc = json_parse(buf, len, name, err);
    struct image_docker_manifest m = {0};
    struct rd r;
    int rc;

    if (doc == NULL)
        return -error_errnum(*err);
    rd_init(&r, name);
    if (rd_expect(&r, doc, JSON_ARRAY)) {
        m.items = xcalloc(doc->u.arr.n ? doc->u.arr.n : 1, sizeof(*m.items));
        m.n = doc->u.arr.n;
        for (size_t i = 0; i < doc->u.arr.n; i++) {
            const struct json_value *e = doc->u.arr.items[i];
            size_t mark = json_path_push_index(&r.path, i);

            if (rd_expect(&r, e, JSON_OBJECT)) {
                m.items[i].config = rd_str(&r, e, "Config", true);
                rd_strv(&r, e, "RepoTags", false, &m.items[i].repo_tags);
                rd_strv(&r, e, "Layers", true, &m.items[i].layers);
            }
            json_path_pop(&r.path, mark);
        }
    }
    rc = rd_finish(&r, err);
    if (rc < 0) {
        image_docker_manifest_clear(&m);
        return rc;
    }
    *ret = m;
    return 0;
}

int
image_docker_member_digest(const char *member, struct image_digest *ret, struct error **err)
{
    const char *base = strrchr(member, '/');
    _cleanup_free_ char *text = NULL;
    size_t n;
    struct error *derr = NULL;

    base = base != NULL ? base + 1 : member;
    n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".json") == 0)
        n -= 5;
    /* "blobs/sha512/<hex>" names its algorithm; the old layout is sha256. */
    if (base - member == 13 && strncmp(member, "blobs/sha512/", 13) == 0)
        text = xasprintf("sha512:%.*s", (int)n, base);
    else
        text = xasprintf("sha256:%.*s", (int)n, base);
    if (image_digest_parse(text, ret, &derr) < 0) {
        error_free(&derr);
        return error_setx(err, EINVAL, "'%s' is not named by the digest of its content", member);
    }
    return 0;
}

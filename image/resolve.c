/* SPDX-License-Identifier: Apache-2.0 */
/* From a reference to one image: the index.json entry with the tag or the
 * digest (or docker save's manifest.json entry), image indexes followed to
 * the platform wanted, then the manifest, the config and the layers, each
 * blob read and verified against its descriptor on the way. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "image/source.h"
#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"

/* Manifests, indexes, index.json and manifest.json are small documents;
 * configs carry the history and can be larger.  Anything past these is
 * refused before it is read. */
#define MANIFEST_MAX ((size_t)4 << 20)
#define CONFIG_MAX ((size_t)16 << 20)
/* index.json -> index -> index -> manifest is already unusual. */
#define INDEX_DEPTH_MAX 4

#define REF_NAME "org.opencontainers.image.ref.name"

/* What the walk knows so far. */
struct walk {
    struct image_source *s;
    struct image *img;
    const struct image_platform *want; /* never NULL: the host's when not asked */
    bool want_explicit;                /* --platform was given */
    bool platform_from_index;          /* img->platform came from an index entry */
};

static char *
desc_label(const char *what, const struct image_descriptor *d)
{
    char dg[IMAGE_DIGEST_STR_MAX];

    return xasprintf("%s %s", what, image_digest_str(&d->digest, dg));
}

/* A growing ", "-separated list for messages. */
static void
list_add(char **list, const char *item)
{
    char *n = *list ? xasprintf("%s, %s", *list, item) : xstrdup(item);

    free(*list);
    *list = n;
}

/* ---- choosing by platform ---- */

/* The first of CANDS (index entries) whose platform satisfies W->want
 * (image-index.md: "If multiple manifests match a client or runtime's
 * requirements, the first matching entry SHOULD be used"); else the first
 * without a platform (platform is OPTIONAL there).
 * LABEL names the index in the error that lists what it offers. */
static ssize_t
pick_platform(struct walk *w, const struct image_descriptor *const *cands, size_t n,
              const char *label, struct error **err)
{
    _cleanup_free_ char *wanted = NULL, *offered = NULL;

    for (size_t i = 0; i < n; i++)
        if (cands[i]->platform != NULL && image_platform_match(w->want, cands[i]->platform))
            return (ssize_t)i;
    for (size_t i = 0; i < n; i++)
        if (cands[i]->platform == NULL)
            return (ssize_t)i;
    wanted = image_platform_str(w->want);
    if (n == 0)
        return error_setx(err, ENOENT, "%s: no image manifests in the index", label);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *p = image_platform_str(cands[i]->platform);
        list_add(&offered, p);
    }
    return error_setx(err, ENOENT, "%s: no image for the platform %s (the index has: %s)", label,
                      wanted, offered);
}

/* Entries of IX a consumer can follow: image-index.md, "an encountered
 * mediaType that is unknown to the implementation MUST NOT generate an
 * error", so the others are skipped, not refused. */
static const struct image_descriptor **
known_entries(const struct image_index *ix, size_t *ret_n)
{
    const struct image_descriptor **c = xcalloc(ix->n_manifests + 1, sizeof(*c));
    size_t n = 0;

    for (size_t i = 0; i < ix->n_manifests; i++) {
        enum image_media_kind k = image_media_type_kind(ix->manifests[i].media_type);

        if (k == IMAGE_MEDIA_INDEX || k == IMAGE_MEDIA_MANIFEST)
            c[n++] = &ix->manifests[i];
    }
    *ret_n = n;
    return c;
}

static void
take_platform(struct walk *w, const struct image_descriptor *d)
{
    if (d->platform == NULL)
        return;
    image_platform_clear(&w->img->platform);
    image_platform_copy(&w->img->platform, d->platform);
    w->platform_from_index = true;
}

/* ---- manifest, config, layers ---- */

static int
check_config_platform(struct walk *w, const struct image_config *c, const char *label,
                      struct error **err)
{
    struct image_platform have = {
        .os = c->os, .architecture = c->architecture, .variant = c->variant};
    _cleanup_free_ char *h = NULL, *want = NULL;

    if (!w->want_explicit || w->platform_from_index || image_platform_match(w->want, &have))
        return 0;
    h = image_platform_str(&have);
    want = image_platform_str(w->want);
    return error_setx(err, ENOENT, "%s: the image is for %s, not %s", label, h, want);
}

static void
platform_from_config(struct walk *w, const struct image_config *c)
{
    struct image_platform *p = &w->img->platform;

    if (w->platform_from_index)
        return;
    image_platform_clear(p);
    p->os = c->os ? xstrdup(c->os) : NULL;
    p->architecture = c->architecture ? xstrdup(c->architecture) : NULL;
    p->variant = c->variant ? xstrdup(c->variant) : NULL;
    p->os_version = c->os_version ? xstrdup(c->os_version) : NULL;
}

/* Read and parse the config D describes into W->img. */
static int
read_config(struct walk *w, const struct image_descriptor *d, struct error **err)
{
    struct image *img = w->img;
    _cleanup_free_ char *label = desc_label("config", d);
    int rc;

    image_descriptor_copy(&img->config_desc, d);
    rc = image_blob_read_all(w->s, d, CONFIG_MAX, &img->config_json, &img->config_len, err);
    if (rc < 0)
        return rc;
    img->config = image_config_parse(img->config_json, img->config_len, label, err);
    if (img->config == NULL)
        return -error_errnum(*err);
    rc = check_config_platform(w, img->config, label, err);
    if (rc < 0)
        return rc;
    platform_from_config(w, img->config);
    return 0;
}

static int
check_layer_count(const struct image *img, size_t n_layers, const char *label, struct error **err)
{
    char dg[IMAGE_DIGEST_STR_MAX];

    if (n_layers == img->config->n_diff_ids)
        return 0;
    return error_setx(
        err, EINVAL, "%s: %zu layers, but config %s lists %zu diff_ids (rootfs.diff_ids)", label,
        n_layers, image_digest_str(&img->config_desc.digest, dg), img->config->n_diff_ids);
}

static int
use_manifest(struct walk *w, const struct image_manifest *m, const char *label, struct error **err)
{
    struct image *img = w->img;
    const char *cmt = m->config.media_type;
    int rc;

    /* manifest.md: implementations "MUST NOT attempt to parse the referenced
     * content if this media type is unknown". */
    if (image_media_type_kind(cmt) != IMAGE_MEDIA_CONFIG) {
        if (m->artifact_type != NULL || (cmt != NULL && strcmp(cmt, IMAGE_MT_OCI_EMPTY) == 0))
            return error_setx(err, EINVAL,
                              "%s: an artifact (artifactType '%s'), not a container image", label,
                              m->artifact_type ? m->artifact_type : "");
        return error_setx(err, EINVAL,
                          "%s: config.mediaType '%s' is not an image config (expected '%s')", label,
                          cmt ? cmt : "", IMAGE_MT_OCI_CONFIG);
    }
    for (size_t i = 0; i < m->n_layers; i++) {
        enum image_compression c;

        if (!image_layer_compression(m->layers[i].media_type, &c))
            return error_setx(err, EINVAL, "%s: layers[%zu]: unsupported layer media type '%s'",
                              label, i, m->layers[i].media_type ? m->layers[i].media_type : "");
    }
    rc = read_config(w, &m->config, err);
    if (rc < 0)
        return rc;
    rc = check_layer_count(img, m->n_layers, label, err);
    if (rc < 0)
        return rc;
    img->layers = xcalloc(m->n_layers + 1, sizeof(*img->layers));
    img->n_layers = m->n_layers;
    for (size_t i = 0; i < m->n_layers; i++) {
        image_descriptor_copy(&img->layers[i].desc, &m->layers[i]);
        img->layers[i].diff_id = img->config->diff_ids[i];
    }
    image_strmap_copy(&img->manifest_annotations, &m->annotations);
    return 0;
}

/* Follow D: an index to the entry for the platform, a manifest to its
 * config and layers. */
static int
follow(struct walk *w, const struct image_descriptor *d, unsigned depth, struct error **err)
{
    enum image_media_kind kind = image_media_type_kind(d->media_type);
    _cleanup_free_ char *buf = NULL, *label = NULL;
    size_t len;
    int rc;

    if (kind == IMAGE_MEDIA_INDEX) {
        struct image_index ix;
        _cleanup_free_ const struct image_descriptor **cands = NULL;
        size_t n;
        ssize_t k;

        label = desc_label("index", d);
        if (depth >= INDEX_DEPTH_MAX)
            return error_setx(err, ELOOP, "%s: image indexes nested more than %d deep", label,
                              INDEX_DEPTH_MAX);
        rc = image_blob_read_all(w->s, d, MANIFEST_MAX, &buf, &len, err);
        if (rc < 0)
            return rc;
        rc = image_index_parse(buf, len, label, &ix, err);
        if (rc < 0)
            return rc;
        cands = known_entries(&ix, &n);
        k = pick_platform(w, cands, n, label, err);
        if (k >= 0) {
            take_platform(w, cands[k]);
            rc = follow(w, cands[k], depth + 1, err);
        } else {
            rc = (int)k;
        }
        image_index_clear(&ix);
        return rc;
    }
    if (kind == IMAGE_MEDIA_MANIFEST) {
        struct image_manifest m;
        struct image *img = w->img;

        label = desc_label("manifest", d);
        image_descriptor_copy(&img->manifest, d);
        rc = image_blob_read_all(w->s, d, MANIFEST_MAX, &img->manifest_json, &img->manifest_len,
                                 err);
        if (rc < 0)
            return rc;
        rc = image_manifest_parse(img->manifest_json, img->manifest_len, label, &m, err);
        if (rc < 0)
            return rc;
        rc = use_manifest(w, &m, label, err);
        image_manifest_clear(&m);
        return rc;
    }
    label = desc_label("blob", d);
    return error_setx(err, EINVAL,
                      "%s: unsupported media type '%s' (expected an image index or manifest)",
                      label, d->media_type ? d->media_type : "");
}

/* ---- oci: and oci-archive: ---- */

/* "NAME:TAG" whose tag is TAG ("docker.io/library/alpine:3" for "3"), as
 * some tools write ref.name. */
static bool
ref_name_has_tag(const char *name, const char *tag)
{
    const char *slash = strrchr(name, '/');
    const char *colon = strrchr(slash ? slash : name, ':');

    return colon != NULL && colon != name && strcmp(colon + 1, tag) == 0;
}

static int
no_such_tag(const struct image_index *ix, const char *label, const char *tag, bool explicit,
            struct error **err)
{
    _cleanup_free_ char *tags = NULL, *digests = NULL;

    for (size_t i = 0; i < ix->n_manifests; i++) {
        const char *name = image_strmap_get(&ix->manifests[i].annotations, REF_NAME);
        char dg[IMAGE_DIGEST_STR_MAX];

        if (name != NULL)
            list_add(&tags, name);
        else
            list_add(&digests, image_digest_str(&ix->manifests[i].digest, dg));
    }
    if (ix->n_manifests == 0)
        return error_setx(err, ENOENT, "%s: the index lists no images", label);
    if (tags != NULL)
        return error_setx(err, ENOENT, "%s: no image tagged '%s' (tags: %s)", label, tag, tags);
    return error_setx(err, ENOENT,
                      "%s: no image tagged '%s'%s: no entry has an " REF_NAME
                      " annotation; name one by digest (@DIGEST): %s",
                      label, tag, explicit ? "" : " (the default)", digests);
}

/* The entries of index.json that REF names, into CANDS; *RET_NAME the
 * ref.name that matched. */
static int
select_entries(const struct image_index *ix, const struct image_ref *ref, const char *label,
               const struct image_descriptor **cands, size_t *ret_n, const char **ret_name,
               struct error **err)
{
    const char *tag = ref->tag ? ref->tag : "latest";
    const char *full = NULL;
    size_t n = 0;
    bool any_name = false;

    if (ref->digest != NULL) {
        struct image_digest want;

        if (image_digest_parse(ref->digest, &want, err) < 0)
            return -error_errnum(*err);
        for (size_t i = 0; i < ix->n_manifests && n == 0; i++)
            if (image_digest_equal(&ix->manifests[i].digest, &want))
                cands[n++] = &ix->manifests[i];
        if (n == 0)
            return error_setx(err, ENOENT, "%s: no entry with the digest %s", label, ref->digest);
        *ret_n = n;
        return 0;
    }
    for (size_t i = 0; i < ix->n_manifests; i++) {
        const char *name = image_strmap_get(&ix->manifests[i].annotations, REF_NAME);

        any_name |= name != NULL;
        if (name != NULL && strcmp(name, tag) == 0) {
            cands[n++] = &ix->manifests[i];
            *ret_name = name;
        }
    }
    /* A tag cannot name "registry/app:1" (a ':' in SRC ends the path at
     * the last one): let "oci:DIR:1" find it when only one name fits. */
    for (size_t i = 0; i < ix->n_manifests && n == 0; i++) {
        const char *name = image_strmap_get(&ix->manifests[i].annotations, REF_NAME);

        if (name == NULL || !ref_name_has_tag(name, tag))
            continue;
        if (full != NULL && strcmp(full, name) != 0)
            return error_setx(err, EINVAL,
                              "%s: tag '%s' is ambiguous: both '%s' and '%s' have it; name the "
                              "image by digest (@DIGEST)",
                              label, tag, full, name);
        full = name;
    }
    for (size_t i = 0; i < ix->n_manifests && full != NULL; i++) {
        const char *name = image_strmap_get(&ix->manifests[i].annotations, REF_NAME);

        if (name != NULL && strcmp(name, full) == 0)
            cands[n++] = &ix->manifests[i];
    }
    if (full != NULL)
        *ret_name = full;
    /* As skopeo: without a tag, a layout holding a single untagged image
     * means that image. */
    if (n == 0 && ref->tag == NULL && ix->n_manifests == 1 && !any_name)
        cands[n++] = &ix->manifests[0];
    if (n == 0)
        return no_such_tag(ix, label, tag, ref->tag != NULL, err);
    *ret_n = n;
    return 0;
}

static int
resolve_oci(struct walk *w, const struct image_ref *ref, struct error **err)
{
    _cleanup_free_ char *buf = NULL, *label = image_source_file_label(w->s, "index.json");
    _cleanup_free_ const struct image_descriptor **cands = NULL;
    const char *name = NULL;
    struct image_index ix;
    size_t len, n = 0;
    ssize_t k = 0;
    int rc;

    rc = image_source_read_file(w->s, "index.json", MANIFEST_MAX, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = image_index_parse(buf, len, label, &ix, err);
    if (rc < 0)
        return rc;
    cands = xcalloc(ix.n_manifests + 1, sizeof(*cands));
    rc = select_entries(&ix, ref, label, cands, &n, &name, err);
    if (rc >= 0 && n > 1) {
        /* Several entries with the tag: one per platform, like an index. */
        k = pick_platform(w, cands, n, label, err);
        rc = k < 0 ? (int)k : 0;
    }
    if (rc >= 0) {
        if (name != NULL)
            w->img->ref_name = xstrdup(name);
        if (n > 1)
            take_platform(w, cands[k]);
        rc = follow(w, cands[k], 0, err);
    }
    image_index_clear(&ix);
    return rc;
}

/* ---- docker-archive: ---- */

static int
docker_select(struct walk *w, const struct image_docker_manifest *dm, const struct image_ref *ref,
              const char *label, size_t *ret, struct error **err)
{
    _cleanup_free_ char *tags = NULL;

    if (ref->docker_index >= 0) {
        if ((size_t)ref->docker_index >= dm->n)
            return error_setx(err, ENOENT, "%s: no image @%ld (the archive has %zu)", label,
                              ref->docker_index, dm->n);
        *ret = (size_t)ref->docker_index;
        return 0;
    }
    for (size_t i = 0; i < dm->n; i++)
        for (size_t j = 0; j < dm->items[i].repo_tags.n; j++) {
            const char *t = dm->items[i].repo_tags.items[j];
            _cleanup_free_ char *norm = NULL;
            struct error *nerr = NULL;

            list_add(&tags, t);
            if (ref->tag == NULL)
                continue;
            /* RepoTags are written as docker shows them ("busybox:latest");
             * compare the full forms.  A tag that is not a valid reference
             * can only match as written. */
            if (image_docker_ref_normalize(t, &norm, &nerr) < 0)
                error_free(&nerr);
            if ((norm != NULL && strcmp(norm, ref->tag) == 0) || strcmp(t, ref->tag) == 0) {
                *ret = i;
                free(w->img->ref_name);
                w->img->ref_name = xstrdup(t);
                return 0;
            }
        }
    if (ref->tag != NULL)
        return error_setx(err, ENOENT, "%s: no image tagged '%s' (tags: %s)", label, ref->tag,
                          tags ? tags : "none");
    if (dm->n == 1) {
        *ret = 0;
        return 0;
    }
    if (dm->n == 0)
        return error_setx(err, ENOENT, "%s: the archive holds no images", label);
    return error_setx(err, EINVAL,
                      "%s: the archive holds %zu images: choose one with "
                      "docker-archive:FILE:NAME:TAG or docker-archive:FILE:@INDEX (tags: %s)",
                      label, dm->n, tags ? tags : "none");
}

/* The entry as the image's "manifest": its JSON, re-serialised. */
static int
docker_manifest(struct image *img, const struct image_docker_entry *e, struct error **err)
{
    struct json_writer *jw = json_writer_new(false);
    struct image_hash *h;
    int rc;

    json_w_object_begin(jw);
    json_w_key(jw, "Config");
    json_w_string(jw, e->config);
    json_w_key(jw, "RepoTags");
    json_w_array_begin(jw);
    for (size_t i = 0; i < e->repo_tags.n; i++)
        json_w_string(jw, e->repo_tags.items[i]);
    json_w_array_end(jw);
    json_w_key(jw, "Layers");
    json_w_array_begin(jw);
    for (size_t i = 0; i < e->layers.n; i++)
        json_w_string(jw, e->layers.items[i]);
    json_w_array_end(jw);
    json_w_object_end(jw);
    rc = json_writer_finish(jw, &img->manifest_json, &img->manifest_len, err);
    if (rc < 0)
        return rc;
    h = image_hash_new(IMAGE_DIGEST_SHA256);
    image_hash_update(h, img->manifest_json, img->manifest_len);
    image_hash_final(h, &img->manifest.digest);
    image_hash_free(h);
    img->manifest.media_type = xstrdup("application/json");
    img->manifest.size = (int64_t)img->manifest_len;
    img->manifest.path = xstrdup("manifest.json");
    return 0;
}

static int
docker_layers(struct walk *w, const struct image_docker_entry *e, const char *label,
              struct error **err)
{
    struct image *img = w->img;
    int rc = check_layer_count(img, e->layers.n, label, err);

    if (rc < 0)
        return rc;
    img->layers = xcalloc(e->layers.n + 1, sizeof(*img->layers));
    img->n_layers = e->layers.n;
    for (size_t i = 0; i < e->layers.n; i++) {
        struct image_layer *l = &img->layers[i];

        /* docker save writes uncompressed tars, and DiffIDs are the
         * digests of uncompressed tars: the digest of the member, if it
         * really is uncompressed.  Some tools compress them anyway, so the
         * blob reader checks only the size and the unpacker, which
         * decompresses whatever it finds, checks the DiffID. */
        l->diff_id = img->config->diff_ids[i];
        l->desc.media_type = xstrdup(IMAGE_MT_DOCKER_LAYER_TAR);
        l->desc.digest = l->diff_id;
        l->desc.path = xstrdup(e->layers.items[i]);
        l->desc.digest_is_diff_id = true;
        rc = image_source_file_size(w->s, e->layers.items[i], &l->desc.size, err);
        if (rc < 0)
            return error_wrap(err, "%s: Layers[%zu]", label, i);
    }
    return 0;
}

static int
resolve_docker(struct walk *w, const struct image_ref *ref, struct error **err)
{
    _cleanup_free_ char *buf = NULL, *label = image_source_file_label(w->s, "manifest.json");
    _cleanup_free_ char *entry_label = NULL;
    struct image_docker_manifest dm;
    struct image_descriptor cd = {0};
    const struct image_docker_entry *e;
    size_t len, k = 0;
    int rc;

    rc = image_source_read_file(w->s, "manifest.json", MANIFEST_MAX, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = image_docker_manifest_parse(buf, len, label, &dm, err);
    if (rc < 0)
        return rc;
    rc = docker_select(w, &dm, ref, label, &k, err);
    if (rc < 0)
        goto out;
    e = &dm.items[k];
    entry_label = xasprintf("%s: [%zu]", label, k);
    /* The config is named by its digest: "<hex>.json", or
     * "blobs/sha256/<hex>" in Docker 25+ saves. */
    rc = image_docker_member_digest(e->config, &cd.digest, err);
    if (rc < 0) {
        rc = error_wrap(err, "%s.Config", entry_label);
        goto out;
    }
    cd.path = xstrdup(e->config);
    cd.media_type = xstrdup(IMAGE_MT_DOCKER_CONFIG);
    rc = image_source_file_size(w->s, e->config, &cd.size, err);
    if (rc < 0) {
        rc = error_wrap(err, "%s.Config", entry_label);
        goto out;
    }
    rc = read_config(w, &cd, err);
    if (rc >= 0)
        rc = docker_layers(w, e, entry_label, err);
    if (rc >= 0)
        rc = docker_manifest(w->img, e, err);
out:
    image_descriptor_clear(&cd);
    image_docker_manifest_clear(&dm);
    return rc;
}

/* ---- the whole ---- */

struct image *
image_resolve(struct image_source *s, const struct image_ref *ref,
              const struct image_platform *want, struct error **err)
{
    struct image *img = xcalloc(1, sizeof(*img));
    struct image_platform host = {0};
    struct walk w = {.s = s, .img = img, .want = want, .want_explicit = want != NULL};
    int rc;

    img->name = image_ref_str(ref);
    if (want == NULL) {
        image_platform_host(&host);
        w.want = &host;
    }
    if (ref->transport == IMAGE_DOCKER_ARCHIVE)
        rc = resolve_docker(&w, ref, err);
    else
        rc = resolve_oci(&w, ref, err);
    image_platform_clear(&host);
    if (rc < 0) {
        image_free(img);
        return NULL;
    }
    return img;
}

void
image_free(struct image *img)
{
    if (img == NULL)
        return;
    free(img->name);
    image_descriptor_clear(&img->manifest);
    free(img->manifest_json);
    image_strmap_clear(&img->manifest_annotations);
    image_descriptor_clear(&img->config_desc);
    free(img->config_json);
    image_config_free(img->config);
    for (size_t i = 0; i < img->n_layers; i++)
        image_descriptor_clear(&img->layers[i].desc);
    free(img->layers);
    image_platform_clear(&img->platform);
    free(img->ref_name);
    free(img);
}

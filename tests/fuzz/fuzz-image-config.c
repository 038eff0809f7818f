/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the JSON documents of an image (image/manifest.h) and
 * the reference, platform and member-name parsers (image/image.h), on the
 * same arbitrary bytes.  Each input goes through every JSON parser whole,
 * and through the string parsers up to its first NUL.
 *
 * Invariants, each checked with abort():
 *   - a refused document says why: *err set, errno EINVAL, every line of
 *     the message names the document ("config.json: ...");
 *   - an accepted document leaves *err alone, and what the spec calls
 *     REQUIRED is there: a config's architecture, os and rootfs (of type
 *     "layers"), a descriptor's mediaType, size >= 0 and a valid digest,
 *     an index platform's os and architecture, a docker entry's Config;
 *     a descriptor copies deeply (ASan sees a shallow copy at the clears);
 *   - every digest the parsers return is one image_digest_parse accepts
 *     and prints back the same;
 *   - a parsed reference or platform prints as text that parses back to
 *     the same, a platform matches itself, and normalising a docker
 *     reference twice changes nothing. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/manifest.h"
#include "lib/xalloc.h"

#define NAME "doc.json"
#define NAME_PREFIX NAME ": "

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refused document: -EINVAL and every line names it. */
static void
check_doc_error(int rc, struct error **err)
{
    const struct error *e = *err;

    if (rc != -EINVAL || e == NULL || e->errnum != EINVAL || e->msg == NULL)
        abort();
    for (const char *line = e->msg; line != NULL; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, NAME_PREFIX, strlen(NAME_PREFIX)) != 0
            && strncmp(line, "(", 1) != 0) /* "(N more problems not shown)" */
            abort();
    }
    error_free(err);
}

/* A refused string: -EINVAL with a message. */
static void
check_str_error(int rc, struct error **err)
{
    if (rc != -EINVAL || *err == NULL || (*err)->errnum != EINVAL || (*err)->msg == NULL
        || (*err)->msg[0] == '\0')
        abort();
    error_free(err);
}

static void
check_digest(const struct image_digest *d)
{
    char buf[IMAGE_DIGEST_STR_MAX];
    struct image_digest again;
    struct error *err = NULL;

    if (d->alg != IMAGE_DIGEST_SHA256 && d->alg != IMAGE_DIGEST_SHA512)
        abort();
    if (image_digest_parse(image_digest_str(d, buf), &again, &err) < 0)
        abort();
    if (!image_digest_equal(d, &again) || strcmp(d->hex, again.hex) != 0)
        abort();
}

static void
check_platform(const struct image_platform *p)
{
    struct image_platform copy;

    if (p->os == NULL || p->architecture == NULL)
        abort();
    if (!image_platform_match(p, p))
        abort();
    image_platform_copy(&copy, p);
    if (!image_platform_match(p, &copy))
        abort();
    image_platform_clear(&copy);
}

static void
check_descriptor(const struct image_descriptor *d)
{
    struct image_descriptor copy;

    if (d->media_type == NULL || d->size < 0)
        abort();
    check_digest(&d->digest);
    if (d->platform != NULL)
        check_platform(d->platform);
    image_descriptor_copy(&copy, d);
    if (strcmp(copy.media_type, d->media_type) != 0 || copy.size != d->size
        || !image_digest_equal(&copy.digest, &d->digest)
        || (copy.platform == NULL) != (d->platform == NULL))
        abort();
    image_descriptor_clear(&copy);
}

static void
fuzz_config(const char *buf, size_t len)
{
    struct error *err = NULL;
    struct image_config *c = image_config_parse(buf, len, NAME, &err);

    if (c == NULL) {
        check_doc_error(err != NULL ? -err->errnum : 0, &err);
        return;
    }
    if (err != NULL || c->architecture == NULL || c->os == NULL || c->rootfs_type == NULL
        || strcmp(c->rootfs_type, "layers") != 0)
        abort();
    for (size_t i = 0; i < c->n_diff_ids; i++)
        check_digest(&c->diff_ids[i]);
    /* Entries only where the field was present. */
    if ((!c->has_entrypoint && c->entrypoint.n > 0) || (!c->has_cmd && c->cmd.n > 0))
        abort();
    image_config_free(c);
}

static void
fuzz_index(const char *buf, size_t len)
{
    struct error *err = NULL;
    struct image_index ix;
    int rc = image_index_parse(buf, len, NAME, &ix, &err);

    if (rc < 0) {
        check_doc_error(rc, &err);
        return;
    }
    if (rc != 0 || err != NULL)
        abort();
    if (ix.media_type != NULL && image_media_type_kind(ix.media_type) != IMAGE_MEDIA_INDEX)
        abort();
    for (size_t i = 0; i < ix.n_manifests; i++)
        check_descriptor(&ix.manifests[i]);
    image_index_clear(&ix);
}

static void
fuzz_manifest(const char *buf, size_t len)
{
    struct error *err = NULL;
    struct image_manifest m;
    int rc = image_manifest_parse(buf, len, NAME, &m, &err);

    if (rc < 0) {
        check_doc_error(rc, &err);
        return;
    }
    if (rc != 0 || err != NULL)
        abort();
    if (m.media_type != NULL && image_media_type_kind(m.media_type) != IMAGE_MEDIA_MANIFEST)
        abort();
    check_descriptor(&m.config);
    if (m.config.platform != NULL)
        abort(); /* only index entries have one */
    for (size_t i = 0; i < m.n_layers; i++) {
        enum image_compression comp;

        check_descriptor(&m.layers[i]);
        (void)image_layer_compression(m.layers[i].media_type, &comp);
    }
    image_manifest_clear(&m);
}

static void
fuzz_docker_manifest(const char *buf, size_t len)
{
    struct error *err = NULL;
    struct image_docker_manifest m;
    int rc = image_docker_manifest_parse(buf, len, NAME, &m, &err);

    if (rc < 0) {
        check_doc_error(rc, &err);
        return;
    }
    if (rc != 0 || err != NULL)
        abort();
    for (size_t i = 0; i < m.n; i++) {
        struct image_digest d;

        if (m.items[i].config == NULL)
            abort();
        rc = image_docker_member_digest(m.items[i].config, &d, &err);
        if (rc < 0)
            check_str_error(rc, &err);
        else
            check_digest(&d);
    }
    image_docker_manifest_clear(&m);
}

static void
fuzz_layout(const char *buf, size_t len)
{
    struct error *err = NULL;
    int rc = image_layout_check(buf, len, NAME, &err);

    if (rc < 0)
        check_doc_error(rc, &err);
    else if (rc != 0 || err != NULL)
        abort();
}

static bool
str_eq(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

static void
fuzz_ref(const char *s)
{
    struct error *err = NULL;
    struct image_ref r, again;
    char *text;
    int rc = image_ref_parse(s, &r, &err);

    if (rc < 0) {
        check_str_error(rc, &err);
        return;
    }
    if (err != NULL || r.path == NULL || r.path[0] == '\0')
        abort();
    if (r.digest != NULL) {
        struct image_digest d;

        if (image_digest_parse(r.digest, &d, &err) < 0)
            abort();
    }
    text = image_ref_str(&r);
    if (image_ref_parse(text, &again, &err) < 0)
        abort();
    if (again.transport != r.transport || !str_eq(again.path, r.path) || !str_eq(again.tag, r.tag)
        || !str_eq(again.digest, r.digest) || again.docker_index != r.docker_index)
        abort();
    free(text);
    image_ref_clear(&again);
    image_ref_clear(&r);
}

static void
fuzz_docker_ref(const char *s)
{
    struct error *err = NULL;
    char *norm = NULL, *twice = NULL;
    int rc = image_docker_ref_normalize(s, &norm, &err);

    if (rc < 0) {
        check_str_error(rc, &err);
        return;
    }
    if (image_docker_ref_normalize(norm, &twice, &err) < 0 || strcmp(norm, twice) != 0)
        abort();
    free(norm);
    free(twice);
}

static void
fuzz_platform(const char *s)
{
    struct error *err = NULL;
    struct image_platform p, again;
    char *text;
    int rc = image_platform_parse(s, &p, &err);

    if (rc < 0) {
        check_str_error(rc, &err);
        return;
    }
    check_platform(&p);
    text = image_platform_str(&p);
    if (image_platform_parse(text, &again, &err) < 0)
        abort();
    if (!str_eq(p.os, again.os) || !str_eq(p.architecture, again.architecture)
        || !str_eq(p.variant, again.variant))
        abort();
    free(text);
    image_platform_clear(&again);
    image_platform_clear(&p);
}

static void
fuzz_member(const char *s)
{
    struct error *err = NULL;
    struct image_digest d;
    int rc = image_docker_member_digest(s, &d, &err);

    if (rc < 0)
        check_str_error(rc, &err);
    else
        check_digest(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    char *s;

    fuzz_config(buf, size);
    fuzz_index(buf, size);
    fuzz_manifest(buf, size);
    fuzz_docker_manifest(buf, size);
    fuzz_layout(buf, size);

    s = xstrndup(buf, size);
    fuzz_ref(s);
    fuzz_docker_ref(s);
    fuzz_platform(s);
    fuzz_member(s);
    free(s);
    return 0;
}

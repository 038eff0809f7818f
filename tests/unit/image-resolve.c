/* SPDX-License-Identifier: Apache-2.0 */
/* image/source*.c and image/resolve.c on images the test builds itself in a
 * temporary directory (blobs written under their computed sha256): an OCI
 * layout, the same as an oci-archive, and docker save archives.  Tag,
 * digest and platform selection, nested indexes, and every verification:
 * digest mismatches, truncated and oversized blobs, symlinked blobs, size
 * caps, layer counts, media types. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "image/manifest.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

#define MT_LAYER "application/vnd.oci.image.layer.v1.tar"

static char tmp[256];

/* ---- a tree of files, written as a directory or a tar ---- */

struct file {
    char *path;
    char *data;
    size_t len;
    char *link; /* a symlink instead */
};

struct tree {
    struct file *f;
    size_t n;
};

static void
tree_add_n(struct tree *t, const char *path, const char *data, size_t len)
{
    t->f = xrealloc(t->f, (t->n + 1) * sizeof(*t->f));
    t->f[t->n].path = xstrdup(path);
    t->f[t->n].data = xmalloc(len + 1);
    memcpy(t->f[t->n].data, data, len);
    t->f[t->n].len = len;
    t->f[t->n].link = NULL;
    t->n++;
}

static void
tree_add(struct tree *t, const char *path, const char *data)
{
    tree_add_n(t, path, data, strlen(data));
}

static void
tree_free(struct tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->f[i].path);
        free(t->f[i].data);
        free(t->f[i].link);
    }
    free(t->f);
    memset(t, 0, sizeof(*t));
}

static void
sha256_hex(const char *data, size_t len, char *hex)
{
    struct image_hash *h = image_hash_new(IMAGE_DIGEST_SHA256);
    struct image_digest d;

    image_hash_update(h, data, len);
    image_hash_final(h, &d);
    image_hash_free(h);
    strcpy(hex, d.hex);
}

/* Add DATA as a blob; DIGEST gets "sha256:<hex>". */
static void
tree_blob(struct tree *t, const char *data, char *digest)
{
    char hex[65], path[128];

    sha256_hex(data, strlen(data), hex);
    snprintf(path, sizeof(path), "blobs/sha256/%s", hex);
    tree_add(t, path, data);
    snprintf(digest, IMAGE_DIGEST_STR_MAX, "sha256:%s", hex);
}

static void
write_file(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
        perror(path);
        exit(1);
    }
    close(fd);
}

static void
mkdir_parents(const char *path)
{
    char *p = xstrdup(path);

    for (char *s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(p, 0755);
        *s = '/';
    }
    free(p);
}

static char *
tree_write_dir(const struct tree *t, const char *name)
{
    char *dir = xasprintf("%s/%s", tmp, name);

    mkdir(dir, 0755);
    for (size_t i = 0; i < t->n; i++) {
        char *p = xasprintf("%s/%s", dir, t->f[i].path);

        mkdir_parents(p);
        if (t->f[i].link != NULL) {
            if (symlink(t->f[i].link, p) < 0)
                perror(p);
        } else {
            write_file(p, t->f[i].data, t->f[i].len);
        }
        free(p);
    }
    return dir;
}

/* A ustar header for PATH. */
static void
tar_header(FILE *f, const char *path, size_t size, char type, const char *link)
{
    unsigned char h[512] = {0};
    unsigned sum = 0;

    snprintf((char *)h, 100, "%s", path);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", size);
    snprintf((char *)h + 136, 12, "%011o", 0);
    memset(h + 148, ' ', 8);
    h[156] = (unsigned char)type;
    if (link != NULL)
        snprintf((char *)h + 157, 100, "%s", link);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    for (size_t i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    fwrite(h, 1, 512, f);
}

static char *
tree_write_tar(const struct tree *t, const char *name)
{
    char *file = xasprintf("%s/%s", tmp, name);
    FILE *f = fopen(file, "we");
    static const char zero[1024];

    for (size_t i = 0; i < t->n; i++) {
        if (t->f[i].link != NULL) {
            tar_header(f, t->f[i].path, 0, '2', t->f[i].link);
            continue;
        }
        tar_header(f, t->f[i].path, t->f[i].len, '0', NULL);
        fwrite(t->f[i].data, 1, t->f[i].len, f);
        fwrite(zero, 1, (512 - t->f[i].len % 512) % 512, f);
    }
    fwrite(zero, 1, 1024, f);
    fclose(f);
    return file;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* ---- images ---- */

struct built {
    char manifest[IMAGE_DIGEST_STR_MAX];
    size_t manifest_size;
    char config[IMAGE_DIGEST_STR_MAX];
    char layer[IMAGE_DIGEST_STR_MAX];
};

/* An image for ARCH[/VARIANT]: a layer, its config, its manifest.  EXTRA
 * goes into the manifest's JSON (layers, artifactType); NULL for one layer. */
static void
add_image_ex(struct tree *t, const char *arch, const char *variant, const char *config_mt,
             const char *layers_json, struct built *b)
{
    char *layer = xasprintf("layer for %s", arch);
    char *config, *manifest, *layers;

    tree_blob(t, layer, b->layer);
    config = xasprintf("{\"architecture\":\"%s\",%s%s%s\"os\":\"linux\","
                       "\"config\":{\"Cmd\":[\"/bin/sh\"]},"
                       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
                       arch, variant ? "\"variant\":\"" : "", variant ? variant : "",
                       variant ? "\"," : "", b->layer);
    tree_blob(t, config, b->config);
    layers = layers_json ? xstrdup(layers_json)
                         : xasprintf("[{\"mediaType\":\"" MT_LAYER "\",\"digest\":\"%s\","
                                     "\"size\":%zu}]",
                                     b->layer, strlen(layer));
    manifest = xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MT_OCI_MANIFEST "\","
                         "\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu},"
                         "\"layers\":%s,\"annotations\":{\"built.for\":\"%s\"}}",
                         config_mt ? config_mt : IMAGE_MT_OCI_CONFIG, b->config, strlen(config),
                         layers, arch);
    tree_blob(t, manifest, b->manifest);
    b->manifest_size = strlen(manifest);
    free(layer);
    free(config);
    free(manifest);
    free(layers);
}

static void
add_image(struct tree *t, const char *arch, const char *variant, struct built *b)
{
    add_image_ex(t, arch, variant, NULL, NULL, b);
}

/* An index descriptor for B, with a platform when ARCH is given and a
 * ref.name when NAME is. */
static char *
entry(const char *mt, const char *digest, size_t size, const char *arch, const char *variant,
      const char *name)
{
    char *plat = arch ? xasprintf(",\"platform\":{\"os\":\"linux\",\"architecture\":\"%s\"%s%s%s}",
                                  arch, variant ? ",\"variant\":\"" : "", variant ? variant : "",
                                  variant ? "\"" : "")
                      : xstrdup("");
    char *ann =
        name ? xasprintf(",\"annotations\":{\"org.opencontainers.image.ref.name\":\"%s\"}", name)
             : xstrdup("");
    char *e = xasprintf("{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu%s%s}", mt, digest,
                        size, plat, ann);

    free(plat);
    free(ann);
    return e;
}

static char *
index_json(const char *entries)
{
    return xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MT_OCI_INDEX "\","
                     "\"manifests\":[%s]}",
                     entries);
}

static void
layout_files(struct tree *t, const char *entries)
{
    char *ix = index_json(entries);

    tree_add(t, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
    tree_add(t, "index.json", ix);
    free(ix);
}

/* ---- resolving ---- */

static struct image *
resolve(const char *src, const char *platform, char **ret_msg, int *ret_rc)
{
    struct image_ref ref = {0};
    struct image_platform want = {0};
    struct image_source *s = NULL;
    struct image *img = NULL;
    struct error *err = NULL;

    if (image_ref_parse(src, &ref, &err) == 0
        && (platform == NULL || image_platform_parse(platform, &want, &err) == 0)
        && (s = image_source_open(&ref, &err)) != NULL)
        img = image_resolve(s, &ref, platform ? &want : NULL, &err);
    if (img == NULL && err == NULL)
        tap_diag("failed without an error");
    if (img != NULL && err != NULL)
        tap_diag("succeeded with an error set");
    if (ret_msg != NULL)
        *ret_msg = err ? xstrdup(err->msg) : NULL;
    if (ret_rc != NULL)
        *ret_rc = -error_errnum(err);
    error_free(&err);
    image_source_free(s);
    image_ref_clear(&ref);
    image_platform_clear(&want);
    return img;
}

static struct image *
resolve_ok(const char *src, const char *platform, const char *what)
{
    char *msg = NULL;
    struct image *img = resolve(src, platform, &msg, NULL);

    tap_ok(img != NULL, "%s: resolves", what);
    if (img == NULL)
        tap_diag("%s", msg);
    free(msg);
    return img;
}

/* SRC fails to resolve with RC and a message containing each WANT. */
static void
resolve_bad(const char *src, const char *platform, int rc_want, const char *what, const char *want1,
            const char *want2)
{
    char *msg = NULL;
    int rc = 0;
    struct image *img = resolve(src, platform, &msg, &rc);
    bool ok = img == NULL && rc == rc_want && msg != NULL && strstr(msg, want1) != NULL
              && (want2 == NULL || strstr(msg, want2) != NULL);

    tap_ok(ok, "%s: refused", what);
    if (!ok)
        tap_diag("rc %d (want %d), error: %s; expected: '%s' and '%s'", rc, rc_want,
                 msg ? msg : "(none)", want1, want2 ? want2 : "");
    image_free(img);
    free(msg);
}

/* ---- OCI layouts ---- */

static void
test_layout_basic(void)
{
    struct tree t = {0};
    struct built a, b;
    char *e1, *e2, *entries, *dir, *src, *digest_src, *cfg;
    struct image *img;

    add_image(&t, "amd64", NULL, &a);
    add_image(&t, "arm64", NULL, &b);
    e1 = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, "latest");
    e2 = entry(IMAGE_MT_OCI_MANIFEST, b.manifest, b.manifest_size, NULL, NULL, "v2");
    entries = xasprintf("%s,%s", e1, e2);
    layout_files(&t, entries);
    dir = tree_write_dir(&t, "basic");

    src = xasprintf("oci:%s", dir);
    img = resolve_ok(src, NULL, "oci:DIR (latest by default)");
    if (img != NULL) {
        char dg[IMAGE_DIGEST_STR_MAX];

        tap_is_str(img->name, src, "image name is the SRC");
        tap_is_str(image_digest_str(&img->manifest.digest, dg), a.manifest, "manifest digest");
        tap_is_int(img->manifest_len, a.manifest_size, "manifest bytes");
        tap_is_str(image_digest_str(&img->config_desc.digest, dg), a.config, "config digest");
        tap_is_str(img->config->architecture, "amd64", "config parsed");
        tap_is_int(img->n_layers, 1, "one layer");
        tap_is_str(image_digest_str(&img->layers[0].desc.digest, dg), a.layer, "layer digest");
        tap_is_str(image_digest_str(&img->layers[0].diff_id, dg), a.layer, "layer diff_id");
        tap_ok(!img->layers[0].desc.digest_is_diff_id, "OCI layers are verified as blobs");
        tap_is_str(img->platform.architecture, "amd64", "platform from the config");
        tap_is_str(img->ref_name, "latest", "ref_name");
        tap_is_str(image_strmap_get(&img->manifest_annotations, "built.for"), "amd64",
                   "manifest annotations");
    }
    image_free(img);
    free(src);

    src = xasprintf("oci:%s:v2", dir);
    img = resolve_ok(src, NULL, "oci:DIR:v2");
    tap_ok(img != NULL && strcmp(img->config->architecture, "arm64") == 0, "v2 is the arm64 one");
    image_free(img);
    free(src);

    /* the platform of a single image is not checked unless asked for */
    src = xasprintf("oci:%s:v2", dir);
    resolve_bad(src, "linux/s390x", -ENOENT, "--platform against a single image's config",
                "the image is for linux/arm64, not linux/s390x", NULL);
    img = resolve_ok(src, "linux/arm64", "--platform matching a single image");
    image_free(img);
    free(src);

    digest_src = xasprintf("oci:%s@%s", dir, b.manifest);
    img = resolve_ok(digest_src, NULL, "oci:DIR@DIGEST");
    tap_ok(img != NULL && strcmp(img->config->architecture, "arm64") == 0 && img->ref_name == NULL,
           "the digest picks its entry");
    image_free(img);
    free(digest_src);

    digest_src = xasprintf("oci:%s@%s", dir, a.config);
    resolve_bad(digest_src, NULL, -ENOENT, "digest not in index.json",
                "index.json: no entry "
                "with the digest",
                a.config);
    free(digest_src);

    src = xasprintf("oci:%s:v3", dir);
    resolve_bad(src, NULL, -ENOENT, "unknown tag", "/basic/index.json: no image tagged 'v3'",
                "(tags: latest, v2)");
    free(src);

    /* a blob of the wrong kind where a manifest is expected */
    cfg = xasprintf("oci:%s@%s", dir, a.layer);
    resolve_bad(cfg, NULL, -ENOENT, "layer digest", "no entry with the digest", NULL);
    free(cfg);

    free(e1);
    free(e2);
    free(entries);
    free(dir);
    tree_free(&t);
}

static void
test_untagged(void)
{
    struct tree t = {0}, t2 = {0};
    struct built a, b;
    char *e, *e2, *dir, *src;
    struct image *img;

    add_image(&t, "amd64", NULL, &a);
    e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, NULL);
    layout_files(&t, e);
    dir = tree_write_dir(&t, "untagged");
    src = xasprintf("oci:%s", dir);
    img = resolve_ok(src, NULL, "a single untagged image without a tag");
    tap_ok(img != NULL && img->ref_name == NULL, "no ref_name");
    image_free(img);
    free(src);
    src = xasprintf("oci:%s:latest", dir);
    resolve_bad(src, NULL, -ENOENT, "explicit tag on an untagged layout",
                "no image tagged 'latest': no entry has an org.opencontainers.image.ref.name",
                a.manifest);
    free(src);
    free(dir);
    free(e);

    /* two untagged images: no default */
    add_image(&t2, "amd64", NULL, &a);
    add_image(&t2, "arm64", NULL, &b);
    e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, NULL);
    {
        char *eb = entry(IMAGE_MT_OCI_MANIFEST, b.manifest, b.manifest_size, NULL, NULL, NULL);
        e2 = xasprintf("%s,%s", e, eb);
        free(eb);
    }
    layout_files(&t2, e2);
    dir = tree_write_dir(&t2, "untagged2");
    src = xasprintf("oci:%s", dir);
    resolve_bad(src, NULL, -ENOENT, "two untagged images", "no image tagged 'latest' (the default)",
                b.manifest);
    free(src);
    free(dir);
    free(e);
    free(e2);
    tree_free(&t);
    tree_free(&t2);
}

/* ref.name written in full ("docker.io/library/alpine:3"): the tag finds
 * it; several entries with one tag are chosen between by platform. */
static void
test_full_names_and_platform_tags(void)
{
    struct tree t = {0};
    struct built a, b, c;
    char *es[3], *entries, *dir, *src;
    struct image *img;

    add_image(&t, "amd64", NULL, &a);
    add_image(&t, "arm", "v7", &b);
    add_image(&t, "s390x", NULL, &c);
    es[0] = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, "amd64", NULL,
                  "docker.io/library/alpine:3");
    es[1] = entry(IMAGE_MT_OCI_MANIFEST, b.manifest, b.manifest_size, "arm", "v7",
                  "docker.io/library/alpine:3");
    es[2] =
        entry(IMAGE_MT_OCI_MANIFEST, c.manifest, c.manifest_size, "s390x", NULL, "quay.io/other:4");
    entries = xasprintf("%s,%s,%s", es[0], es[1], es[2]);
    layout_files(&t, entries);
    dir = tree_write_dir(&t, "fullnames");

    src = xasprintf("oci:%s:3", dir);
    img = resolve_ok(src, "linux/arm/v7", "tag of a full ref.name, two platforms");
    tap_ok(img != NULL && strcmp(img->config->architecture, "arm") == 0
               && strcmp(img->ref_name, "docker.io/library/alpine:3") == 0
               && strcmp(img->platform.variant, "v7") == 0,
           "the arm/v7 entry, its platform and full name");
    image_free(img);
    resolve_bad(src, "linux/ppc64le", -ENOENT, "no entry of the tag for the platform",
                "no image for the platform linux/ppc64le",
                "(the index has: linux/amd64, "
                "linux/arm/v7)");
    free(src);
    src = xasprintf("oci:%s:4", dir);
    img = resolve_ok(src, NULL, "another full name");
    image_free(img);
    free(src);

    free(entries);
    free(dir);

    /* two names with the tag: which one is meant cannot be guessed */
    free(es[2]);
    es[2] =
        entry(IMAGE_MT_OCI_MANIFEST, c.manifest, c.manifest_size, "s390x", NULL, "quay.io/other:3");
    entries = xasprintf("%s,%s", es[0], es[2]);
    t.n -= 2; /* the previous oci-layout and index.json */
    free(t.f[t.n].path);
    free(t.f[t.n].data);
    free(t.f[t.n + 1].path);
    free(t.f[t.n + 1].data);
    layout_files(&t, entries);
    dir = tree_write_dir(&t, "ambiguous");
    src = xasprintf("oci:%s:3", dir);
    resolve_bad(src, NULL, -EINVAL, "a tag of two full names",
                "tag '3' is ambiguous: both 'docker.io/library/alpine:3' and 'quay.io/other:3'",
                "by digest");
    free(src);
    for (int i = 0; i < 3; i++)
        free(es[i]);
    free(entries);
    free(dir);
    tree_free(&t);
}

/* index.json -> image index -> manifests for several platforms. */
static void
test_index_platforms(void)
{
    struct tree t = {0};
    struct built a, b, c, u;
    struct image_platform host;
    char *es[5], *inner, *ixdg_e, *dir, *src;
    char ixdg[IMAGE_DIGEST_STR_MAX];
    struct image *img;

    image_platform_host(&host);
    add_image(&t, "ppc64le", NULL, &a);
    add_image(&t, "arm", "v7", &b);
    add_image(&t, host.architecture, host.variant, &c);
    add_image(&t, "unknown", NULL, &u);
    es[0] = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, "ppc64le", NULL, NULL);
    es[1] = entry(IMAGE_MT_OCI_MANIFEST, b.manifest, b.manifest_size, "arm", "v7", NULL);
    es[2] = entry(IMAGE_MT_OCI_MANIFEST, c.manifest, c.manifest_size, host.architecture,
                  host.variant, NULL);
    /* an attestation-like entry of an unknown type: skipped, never fatal */
    es[3] = entry("application/vnd.in-toto+json", u.manifest, u.manifest_size, "s390x", NULL, NULL);
    es[4] = NULL;
    {
        char *joined = xasprintf("%s,%s,%s,%s", es[3], es[0], es[1], es[2]);
        inner = index_json(joined);
        free(joined);
    }
    tree_blob(&t, inner, ixdg);
    ixdg_e = entry(IMAGE_MT_OCI_INDEX, ixdg, strlen(inner), NULL, NULL, "multi");
    layout_files(&t, ixdg_e);
    dir = tree_write_dir(&t, "platforms");
    src = xasprintf("oci:%s:multi", dir);

    img = resolve_ok(src, NULL, "index, host platform");
    tap_ok(img != NULL && strcmp(img->config->architecture, host.architecture) == 0,
           "the host's image (%s)", host.architecture);
    image_free(img);
    img = resolve_ok(src, "linux/arm/v7", "index, --platform linux/arm/v7");
    tap_ok(img != NULL && strcmp(img->platform.architecture, "arm") == 0
               && strcmp(img->platform.variant, "v7") == 0
               && strcmp(img->config->architecture, "arm") == 0,
           "the arm/v7 image, platform from the index entry");
    image_free(img);
    img = resolve_ok(src, "linux/ppc64le", "index, --platform linux/ppc64le");
    tap_ok(img != NULL && strcmp(img->config->architecture, "ppc64le") == 0, "the ppc64le one");
    image_free(img);
    resolve_bad(src, "linux/s390x", -ENOENT, "index without the platform", "index sha256:",
                "no image for the platform linux/s390x (the index has: "
                "linux/ppc64le, linux/arm/v7, linux/");
    resolve_bad(src, "linux/arm/v6", -ENOENT, "another variant", "linux/arm/v6", NULL);

    for (int i = 0; i < 4; i++)
        free(es[i]);
    free(inner);
    free(ixdg_e);
    free(dir);
    free(src);
    image_platform_clear(&host);
    tree_free(&t);
}

static void
test_nesting(void)
{
    struct tree t = {0};
    struct built a;
    char prev[IMAGE_DIGEST_STR_MAX];
    const char *prev_mt = IMAGE_MT_OCI_MANIFEST;
    size_t prev_size;
    char *top, *dir, *src;
    struct image *img;

    add_image(&t, "amd64", NULL, &a);
    strcpy(prev, a.manifest);
    prev_size = a.manifest_size;
    /* 5 indexes deep: index.json -> i5 -> ... -> i1 -> manifest */
    for (int i = 1; i <= 5; i++) {
        char *e = entry(prev_mt, prev, prev_size, "amd64", NULL, NULL);
        char *ix = index_json(e);
        char name[16];

        tree_blob(&t, ix, prev);
        prev_size = strlen(ix);
        prev_mt = IMAGE_MT_OCI_INDEX;
        snprintf(name, sizeof(name), "d%d", i);
        top = entry(IMAGE_MT_OCI_INDEX, prev, prev_size, NULL, NULL, name);
        if (i == 4 || i == 5) {
            struct tree only = {0};
            char *dname = xasprintf("nest%d", i);

            for (size_t k = 0; k < t.n; k++)
                tree_add_n(&only, t.f[k].path, t.f[k].data, t.f[k].len);
            layout_files(&only, top);
            dir = tree_write_dir(&only, dname);
            src = xasprintf("oci:%s:%s", dir, name);
            if (i == 4) {
                img = resolve_ok(src, "linux/amd64", "indexes nested 4 deep");
                image_free(img);
            } else {
                resolve_bad(src, "linux/amd64", -ELOOP, "indexes nested 5 deep",
                            "image indexes nested more than 4 deep", NULL);
            }
            free(src);
            free(dir);
            free(dname);
            tree_free(&only);
        }
        free(top);
        free(e);
        free(ix);
    }
    tree_free(&t);
}

/* Each verification, on a copy of a good layout with one thing broken. */
static void
test_verification(void)
{
    struct tree t = {0};
    struct built a;
    char *e, *dir, *src, *path;
    char hex_cfg[65];

    add_image(&t, "amd64", NULL, &a);
    e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, "latest");
    layout_files(&t, e);
    strcpy(hex_cfg, a.config + 7);
    dir = tree_write_dir(&t, "verify");
    src = xasprintf("oci:%s", dir);

    /* one byte changed in the config */
    path = xasprintf("%s/blobs/sha256/%s", dir, hex_cfg);
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = fopen(path, "re");
        char fixed[IMAGE_DIGEST_STR_MAX + 64];

        buf = xmalloc(4096);
        len = fread(buf, 1, 4096, f);
        fclose(f);
        buf[len] = '\0';
        buf[strstr(buf, "amd64") - buf] = 'A';
        write_file(path, buf, len);
        snprintf(fixed, sizeof(fixed),
                 "blob %s: digest mismatch: the content hashes to sha256:", a.config);
        resolve_bad(src, NULL, -EBADMSG, "config with one byte changed", fixed, NULL);
        /* truncated */
        write_file(path, buf, len - 1);
        resolve_bad(src, NULL, -EBADMSG, "truncated config", a.config, "truncated: the blob has");
        /* longer than the descriptor says */
        buf[strstr(buf, "Amd64") - buf] = 'a';
        buf[len] = '\n';
        write_file(path, buf, len + 1);
        resolve_bad(src, NULL, -EBADMSG, "config longer than its size", "size mismatch", NULL);
        /* missing */
        unlink(path);
        resolve_bad(src, NULL, -ENOENT, "missing config", a.config, "No such file");
        /* a symlink to the right content */
        write_file(path, buf, len);
        {
            char *real = xasprintf("%s/real-config", dir);

            rename(path, real);
            if (symlink(real, path) < 0)
                perror(path);
            resolve_bad(src, NULL, -ELOOP, "symlinked blob", "is a symbolic link", NULL);
            unlink(path);
            rename(real, path);
            free(real);
        }
        free(buf);
    }
    {
        struct image *img = resolve_ok(src, NULL, "repaired layout");
        image_free(img);
    }
    free(path);

    /* no oci-layout, a bad one */
    path = xasprintf("%s/oci-layout", dir);
    unlink(path);
    resolve_bad(src, NULL, -ENOENT, "no oci-layout", "is not an OCI image layout", NULL);
    write_file(path, "{\"imageLayoutVersion\":\"9\"}", 26);
    resolve_bad(src, NULL, -EINVAL, "bad oci-layout", "/verify/oci-layout: imageLayoutVersion",
                NULL);
    write_file(path, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
    free(path);

    /* a broken index.json */
    path = xasprintf("%s/index.json", dir);
    write_file(path, "{\"schemaVersion\":2,\"manifests\":[{}]}", 36);
    resolve_bad(src, NULL, -EINVAL, "bad index.json",
                "/verify/index.json: manifests[0].mediaType: "
                "required",
                NULL);
    free(path);
    free(src);
    free(dir);
    src = xasprintf("oci:%s/nonexistent", tmp);
    resolve_bad(src, NULL, -ENOENT, "no such layout", "image layout '", "nonexistent'");
    free(src);
    free(e);
    tree_free(&t);
}

/* Manifest problems that resolve must refuse. */
static void
test_manifest_rules(void)
{
    struct {
        const char *name, *config_mt, *layers;
        int rc;
        const char *want;
    } cases[] = {
        {"badlayer", NULL, "[{\"mediaType\":\"application/x-tar\",\"digest\":\"%s\",\"size\":1}]",
         -EINVAL, "layers[0]: unsupported layer media type 'application/x-tar'"},
        {"twolayers", NULL,
         "[{\"mediaType\":\"" MT_LAYER "\",\"digest\":\"%s\",\"size\":1},"
         "{\"mediaType\":\"" MT_LAYER "\",\"digest\":\"%s\",\"size\":1}]",
         -EINVAL, "2 layers, but config sha256:"},
        {"artifact", IMAGE_MT_OCI_EMPTY, NULL, -EINVAL, "an artifact"},
        {"helm", "application/vnd.cncf.helm.config.v1+json", NULL, -EINVAL,
         "config.mediaType 'application/vnd.cncf.helm.config.v1+json' is not an image config"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tree t = {0};
        struct built a;
        char *layers = NULL, *e, *dir, *src;
        char fake[IMAGE_DIGEST_STR_MAX];

        tree_blob(&t, "x", fake);
        if (cases[i].layers != NULL)
            layers = xasprintf(cases[i].layers, fake, fake);
        add_image_ex(&t, "amd64", NULL, cases[i].config_mt, layers, &a);
        e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, NULL);
        layout_files(&t, e);
        dir = tree_write_dir(&t, cases[i].name);
        src = xasprintf("oci:%s", dir);
        resolve_bad(src, NULL, cases[i].rc, cases[i].name, "manifest sha256:", cases[i].want);
        free(src);
        free(dir);
        free(e);
        free(layers);
        tree_free(&t);
    }

    /* an index.json entry of an unknown type, chosen by its tag */
    {
        struct tree t = {0};
        struct built a;
        char *e, *dir, *src;

        add_image(&t, "amd64", NULL, &a);
        e = entry("application/vnd.example+json", a.manifest, a.manifest_size, NULL, NULL, "x");
        layout_files(&t, e);
        dir = tree_write_dir(&t, "unknowntype");
        src = xasprintf("oci:%s:x", dir);
        resolve_bad(src, NULL, -EINVAL, "unknown entry type",
                    "unsupported media type 'application/vnd.example+json'", NULL);
        free(src);
        free(dir);
        free(e);
        tree_free(&t);
    }
    /* a manifest over the size cap is refused before it is read */
    {
        struct tree t = {0};
        struct built a;
        char *e, *dir, *src;

        add_image(&t, "amd64", NULL, &a);
        e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, (size_t)5 << 20, NULL, NULL, NULL);
        layout_files(&t, e);
        dir = tree_write_dir(&t, "huge");
        src = xasprintf("oci:%s", dir);
        resolve_bad(src, NULL, -EFBIG, "5 MiB manifest",
                    "5242880 bytes, more than the 4194304 "
                    "allowed",
                    NULL);
        free(src);
        free(dir);
        free(e);
        tree_free(&t);
    }
}

/* The blob reader itself: streaming, verification at the last byte, a file
 * that shrinks while it is read. */
static void
test_blob_reader(void)
{
    struct tree t = {0};
    struct built a;
    char *e, *dir, *src, *path;
    struct image_ref ref = {0};
    struct image_source *s = NULL;
    struct image_descriptor d = {0};
    struct error *err = NULL;
    struct image_blob *b;
    char buf[8];
    char data[] = "0123456789abcdefghij";
    char dg[IMAGE_DIGEST_STR_MAX];
    ssize_t n, total = 0;
    char *all = NULL;
    size_t len = 0;
    int rc;

    add_image(&t, "amd64", NULL, &a);
    tree_blob(&t, data, dg);
    e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, NULL);
    layout_files(&t, e);
    dir = tree_write_dir(&t, "reader");
    src = xasprintf("oci:%s", dir);
    if (image_ref_parse(src, &ref, &err) < 0 || (s = image_source_open(&ref, &err)) == NULL) {
        tap_ok(false, "open %s: %s", src, err ? err->msg : "?");
        error_free(&err);
        return;
    }
    d.media_type = xstrdup(MT_LAYER);
    if (image_digest_parse(dg, &d.digest, &err) < 0)
        abort();
    d.size = (int64_t)strlen(data);

    b = image_blob_open(s, &d, &err);
    tap_ok(b != NULL, "blob opens");
    while (b != NULL && (n = image_blob_read(b, buf, sizeof(buf), &err)) > 0)
        total += n;
    tap_ok(b != NULL && n == 0 && total == (ssize_t)strlen(data), "read in small pieces, then 0");
    tap_ok(b != NULL && image_blob_read(b, buf, sizeof(buf), &err) == 0, "0 again after the end");
    image_blob_close(b);

    rc = image_blob_read_all(s, &d, 64, &all, &len, &err);
    tap_ok(rc == 0 && len == strlen(data) && strcmp(all, data) == 0, "read_all");
    free(all);
    rc = image_blob_read_all(s, &d, 10, &all, &len, &err);
    tap_ok(rc == -EFBIG && err != NULL && strstr(err->msg, "20 bytes, more than the 10 allowed"),
           "read_all over its cap");
    error_free(&err);

    /* the bytes change after the open: the mismatch comes with the last bytes */
    path = xasprintf("%s/blobs/sha256/%s", dir, d.digest.hex);
    b = image_blob_open(s, &d, &err);
    write_file(path, "0123456789ABCDEFGHIJ", 20);
    n = b ? image_blob_read(b, buf, sizeof(buf), &err) : -1;
    tap_ok(n == 8, "first piece read");
    n = b ? image_blob_read(b, buf, sizeof(buf), &err) : -1;
    tap_ok(n == 8, "second piece read");
    n = b ? image_blob_read(b, buf, sizeof(buf), &err) : -1;
    tap_ok(n == -EBADMSG && err != NULL
               && strstr(err->msg, "digest mismatch: the content hashes to"),
           "the last piece reports the mismatch");
    if (err != NULL)
        tap_ok(strstr(err->msg, dg) != NULL, "the error names the expected digest");
    error_free(&err);
    image_blob_close(b);

    /* the file shrinks after the open */
    write_file(path, data, strlen(data));
    b = image_blob_open(s, &d, &err);
    if (truncate(path, 12) < 0)
        perror(path);
    total = 0;
    while (b != NULL && (n = image_blob_read(b, buf, sizeof(buf), &err)) > 0)
        total += n;
    tap_ok(n == -EBADMSG && total == 12 && err != NULL
               && strstr(err->msg, "truncated: ends at 12 of 20 bytes") != NULL,
           "a file shrinking under the reader is an error, not a short blob");
    if (err != NULL && strstr(err->msg, "truncated") == NULL)
        tap_diag("%s", err->msg);
    error_free(&err);
    image_blob_close(b);
    write_file(path, data, strlen(data));

    /* a descriptor without a valid size */
    d.size = -1;
    b = image_blob_open(s, &d, &err);
    tap_ok(b == NULL && err != NULL && strstr(err->msg, "invalid size -1"), "negative size");
    error_free(&err);

    /* an empty blob */
    {
        struct tree e2 = {0};
        char edg[IMAGE_DIGEST_STR_MAX];

        tree_blob(&e2, "", edg);
        free(tree_write_dir(&e2, "reader"));
        image_descriptor_clear(&d);
        if (image_digest_parse(edg, &d.digest, &err) < 0)
            abort();
        d.size = 0;
        b = image_blob_open(s, &d, &err);
        tap_ok(b != NULL && image_blob_read(b, buf, sizeof(buf), &err) == 0 && err == NULL,
               "an empty blob verifies");
        image_blob_close(b);
        error_free(&err);
        tree_free(&e2);
    }

    image_descriptor_clear(&d);
    image_source_free(s);
    image_ref_clear(&ref);
    free(path);
    free(src);
    free(dir);
    free(e);
    tree_free(&t);
}

/* ---- archives ---- */

static void
test_oci_archive(void)
{
    struct tree t = {0};
    struct built a, b;
    char *e, *file, *src;
    struct image *img;

    add_image(&t, "amd64", NULL, &a);
    add_image(&t, "arm64", "v8", &b);
    {
        char *e1 = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, "1.0");
        char *e2 = entry(IMAGE_MT_OCI_MANIFEST, b.manifest, b.manifest_size, NULL, NULL, "2.0");
        e = xasprintf("%s,%s", e1, e2);
        free(e1);
        free(e2);
    }
    layout_files(&t, e);
    file = tree_write_tar(&t, "oci.tar");
    src = xasprintf("oci-archive:%s:2.0", file);
    img = resolve_ok(src, NULL, "oci-archive:FILE:TAG");
    tap_ok(img != NULL && strcmp(img->config->architecture, "arm64") == 0
               && strcmp(img->platform.variant, "v8") == 0,
           "the arm64/v8 image from the archive");
    image_free(img);
    free(src);
    src = xasprintf("oci-archive:%s:3.0", file);
    resolve_bad(src, NULL, -ENOENT, "oci-archive unknown tag",
                "oci.tar/index.json: no image "
                "tagged '3.0'",
                "(tags: 1.0, 2.0)");
    free(src);
    free(file);

    /* a config changed inside the archive */
    for (size_t i = 0; i < t.n; i++)
        if (strstr(t.f[i].path, a.config + 7) != NULL)
            t.f[i].data[strstr(t.f[i].data, "amd64") - t.f[i].data] = 'X';
    file = tree_write_tar(&t, "oci-bad.tar");
    src = xasprintf("oci-archive:%s:1.0", file);
    resolve_bad(src, NULL, -EBADMSG, "oci-archive with a changed config", a.config,
                "digest mismatch: the content hashes to");
    free(src);
    free(file);

    /* not a layout at all */
    {
        struct tree n = {0};

        tree_add(&n, "hello.txt", "hi");
        file = tree_write_tar(&n, "plain.tar");
        src = xasprintf("oci-archive:%s", file);
        resolve_bad(src, NULL, -ENOENT, "a tar without oci-layout", "is not an OCI image layout",
                    "no member 'oci-layout'");
        free(src);
        free(file);
        tree_free(&n);
    }
    free(e);
    tree_free(&t);
}

/* docker save's format: manifest.json, <hex>.json configs, <id>/layer.tar. */
static void
add_docker_image(struct tree *t, const char *arch, const char *id, int n_diff_ids, char *config_hex,
                 char *layer_dg)
{
    char *layer = xasprintf("tar bytes of %s", id);
    char hex[65];
    char *config, *path, *ids;

    sha256_hex(layer, strlen(layer), hex);
    snprintf(layer_dg, IMAGE_DIGEST_STR_MAX, "sha256:%s", hex);
    path = xasprintf("%s/layer.tar", id);
    tree_add(t, path, layer);
    ids = n_diff_ids == 1 ? xasprintf("\"%s\"", layer_dg)
                          : xasprintf("\"%s\",\"%s\"", layer_dg, layer_dg);
    config = xasprintf("{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Entrypoint\":null,"
                       "\"Cmd\":[\"sh\"],\"Env\":null},\"rootfs\":{\"type\":\"layers\","
                       "\"diff_ids\":[%s]}}",
                       arch, ids);
    sha256_hex(config, strlen(config), config_hex);
    free(path);
    path = xasprintf("%s.json", config_hex);
    tree_add(t, path, config);
    free(path);
    free(config);
    free(layer);
    free(ids);
}

static void
test_docker_archive(void)
{
    struct tree t = {0};
    char c1[65], c2[65], l1[IMAGE_DIGEST_STR_MAX], l2[IMAGE_DIGEST_STR_MAX];
    char *manifest, *file, *src;
    struct image *img;

    add_docker_image(&t, "amd64", "aaa", 1, c1, l1);
    add_docker_image(&t, "arm64", "bbb", 1, c2, l2);
    manifest = xasprintf("[{\"Config\":\"%s.json\",\"RepoTags\":[\"busybox:latest\"],"
                         "\"Layers\":[\"aaa/layer.tar\"]},"
                         "{\"Config\":\"%s.json\",\"RepoTags\":[\"quay.io/x/y:2\",\"y:2\"],"
                         "\"Layers\":[\"bbb/layer.tar\"]}]",
                         c1, c2);
    tree_add(&t, "manifest.json", manifest);
    /* a duplicate layer written as a symlink, as docker save does */
    t.f = xrealloc(t.f, (t.n + 1) * sizeof(*t.f));
    t.f[t.n] = (struct file){xstrdup("ccc/layer.tar"), xstrdup(""), 0, xstrdup("../aaa/layer.tar")};
    t.n++;
    file = tree_write_tar(&t, "docker.tar");

    src = xasprintf("docker-archive:%s:busybox:latest", file);
    img = resolve_ok(src, NULL, "docker-archive:FILE:busybox:latest");
    if (img != NULL) {
        char dg[IMAGE_DIGEST_STR_MAX];

        tap_is_str(img->config->architecture, "amd64", "the busybox image");
        tap_is_str(img->ref_name, "busybox:latest", "ref_name is the RepoTag");
        tap_is_int(img->n_layers, 1, "one layer");
        tap_is_str(img->layers[0].desc.path, "aaa/layer.tar", "layer member");
        tap_is_str(image_digest_str(&img->layers[0].desc.digest, dg), l1,
                   "layer digest is the diff_id");
        tap_ok(img->layers[0].desc.digest_is_diff_id, "flagged digest_is_diff_id");
        tap_is_int(img->layers[0].desc.size, strlen("tar bytes of aaa"), "layer size");
        {
            char *want = xasprintf("%s.json", c1);
            tap_is_str(img->config_desc.path, want, "config member");
            free(want);
        }
        tap_is_str(img->config_desc.digest.hex, c1, "config digest from its name");
        tap_ok(img->manifest_json != NULL && strstr(img->manifest_json, "\"RepoTags\"") != NULL,
               "the manifest.json entry as manifest_json");
        tap_ok(!img->config->has_entrypoint && img->config->has_cmd, "docker nulls");
    }
    image_free(img);
    free(src);

    src = xasprintf("docker-archive:%s:docker.io/library/busybox:latest", file);
    img = resolve_ok(src, NULL, "docker.io/library/busybox:latest matches busybox:latest");
    image_free(img);
    free(src);
    src = xasprintf("docker-archive:%s:busybox", file);
    img = resolve_ok(src, NULL, "busybox means busybox:latest");
    image_free(img);
    free(src);
    src = xasprintf("docker-archive:%s:quay.io/x/y:2", file);
    img = resolve_ok(src, "linux/arm64", "a registry name");
    tap_ok(img != NULL && strcmp(img->config->architecture, "arm64") == 0, "the arm64 image");
    image_free(img);
    free(src);
    src = xasprintf("docker-archive:%s:@1", file);
    img = resolve_ok(src, NULL, "@1");
    tap_ok(img != NULL && strcmp(img->config->architecture, "arm64") == 0 && img->ref_name == NULL,
           "@1 is the second image");
    image_free(img);
    free(src);
    src = xasprintf("docker-archive:%s:@2", file);
    resolve_bad(src, NULL, -ENOENT, "@2", "no image @2 (the archive has 2)", NULL);
    free(src);
    src = xasprintf("docker-archive:%s", file);
    resolve_bad(src, NULL, -EINVAL, "two images, none named", "the archive holds 2 images",
                "busybox:latest, quay.io/x/y:2, y:2");
    free(src);
    src = xasprintf("docker-archive:%s:nginx:1", file);
    resolve_bad(src, NULL, -ENOENT, "unknown name", "no image tagged 'docker.io/library/nginx:1'",
                NULL);
    free(src);
    src = xasprintf("docker-archive:%s:busybox:latest", file);
    resolve_bad(src, "linux/s390x", -ENOENT, "docker image of another platform",
                "the image is for linux/amd64, not linux/s390x", NULL);
    free(src);

    /* the layer through the blob reader: size checked, digest left to the
     * DiffID check */
    {
        struct image_ref ref = {0};
        struct image_source *s = NULL;
        struct error *err = NULL;
        char *all = NULL;
        size_t len = 0;

        src = xasprintf("docker-archive:%s:busybox", file);
        img = resolve_ok(src, NULL, "for the blob reader");
        if (img != NULL && image_ref_parse(src, &ref, &err) == 0
            && (s = image_source_open(&ref, &err)) != NULL) {
            int rc = image_blob_read_all(s, &img->layers[0].desc, 1024, &all, &len, &err);

            tap_ok(rc == 0 && len == strlen("tar bytes of aaa")
                       && strcmp(all, "tar bytes of aaa") == 0,
                   "docker layer read from the archive");
            free(all);
            /* the symlinked member reads as its target */
            free(img->layers[0].desc.path);
            img->layers[0].desc.path = xstrdup("ccc/layer.tar");
            rc = image_blob_read_all(s, &img->layers[0].desc, 1024, &all, &len, &err);
            tap_ok(rc == 0 && strcmp(all, "tar bytes of aaa") == 0, "a symlinked layer member");
            free(all);
        }
        if (err != NULL)
            tap_diag("%s", err->msg);
        error_free(&err);
        image_source_free(s);
        image_ref_clear(&ref);
        image_free(img);
        free(src);
    }
    free(file);
    free(manifest);
    tree_free(&t);

    /* broken archives */
    {
        struct tree b = {0};

        add_docker_image(&b, "amd64", "aaa", 2, c1, l1);
        manifest = xasprintf("[{\"Config\":\"%s.json\",\"RepoTags\":null,"
                             "\"Layers\":[\"aaa/layer.tar\"]}]",
                             c1);
        tree_add(&b, "manifest.json", manifest);
        file = tree_write_tar(&b, "docker-count.tar");
        src = xasprintf("docker-archive:%s", file);
        resolve_bad(src, NULL, -EINVAL, "layer count", "manifest.json: [0]: 1 layers, but config",
                    "lists 2 diff_ids");
        free(src);
        free(file);
        free(manifest);

        /* a config whose name is not its digest */
        manifest = xasprintf("[{\"Config\":\"%064d.json\",\"Layers\":[\"aaa/layer.tar\"]}]", 0);
        for (size_t i = 0; i < b.n; i++)
            if (strstr(b.f[i].path, ".json") != NULL && strcmp(b.f[i].path, "manifest.json") != 0) {
                free(b.f[i].path);
                b.f[i].path = xasprintf("%064d.json", 0);
            }
        b.n--; /* drop the old manifest.json */
        free(b.f[b.n].path);
        free(b.f[b.n].data);
        tree_add(&b, "manifest.json", manifest);
        file = tree_write_tar(&b, "docker-badcfg.tar");
        src = xasprintf("docker-archive:%s", file);
        resolve_bad(src, NULL, -EBADMSG, "config not matching its name",
                    "blob sha256:0000000000000000000000000000000000000000000000000000000000000000 "
                    "('0000000000000000000000000000000000000000000000000000000000000000.json'): "
                    "digest mismatch",
                    NULL);
        free(src);
        free(file);
        free(manifest);

        /* a layer missing from the archive */
        manifest = xasprintf("[{\"Config\":\"%064d.json\",\"Layers\":[\"zzz/layer.tar\"]}]", 0);
        b.n--;
        free(b.f[b.n].path);
        free(b.f[b.n].data);
        tree_add(&b, "manifest.json", manifest);
        file = tree_write_tar(&b, "docker-nolayer.tar");
        src = xasprintf("docker-archive:%s", file);
        resolve_bad(src, NULL, -EBADMSG, "config checked before layers", "digest mismatch", NULL);
        free(src);
        free(file);
        free(manifest);
        tree_free(&b);

        tree_add(&b, "hello", "x");
        file = tree_write_tar(&b, "docker-none.tar");
        src = xasprintf("docker-archive:%s", file);
        resolve_bad(src, NULL, -ENOENT, "no manifest.json", "is not a docker archive",
                    "no member 'manifest.json'");
        free(src);
        free(file);
        tree_free(&b);
    }
}

/* Docker 25+: an OCI layout and a manifest.json naming blobs/sha256/... */
static void
test_docker25(void)
{
    struct tree t = {0};
    struct built a;
    char *e, *manifest, *file, *src;
    struct image *img;

    add_image(&t, "amd64", NULL, &a);
    e = entry(IMAGE_MT_OCI_MANIFEST, a.manifest, a.manifest_size, NULL, NULL, "latest");
    layout_files(&t, e);
    manifest = xasprintf("[{\"Config\":\"blobs/sha256/%s\",\"RepoTags\":[\"app:1\"],"
                         "\"Layers\":[\"blobs/sha256/%s\"]}]",
                         a.config + 7, a.layer + 7);
    tree_add(&t, "manifest.json", manifest);
    file = tree_write_tar(&t, "docker25.tar");
    src = xasprintf("docker-archive:%s:app:1", file);
    img = resolve_ok(src, NULL, "Docker 25 save as docker-archive");
    if (img != NULL) {
        char *want = xasprintf("blobs/sha256/%s", a.layer + 7);
        tap_is_str(img->layers[0].desc.path, want, "layers named blobs/sha256/<hex>");
        tap_is_str(img->config_desc.digest.hex, a.config + 7, "config digest from its path");
        free(want);
    }
    image_free(img);
    free(src);
    src = xasprintf("oci-archive:%s", file);
    img = resolve_ok(src, NULL, "the same file as oci-archive");
    image_free(img);
    free(src);
    free(file);
    free(manifest);
    free(e);
    tree_free(&t);
}

int
main(void)
{
    const char *base = getenv("TMPDIR");

    snprintf(tmp, sizeof(tmp), "%s/berth-image-resolve-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmp) == NULL)
        tap_skip_all("mkdtemp failed");
    test_layout_basic();
    test_untagged();
    test_full_names_and_platform_tags();
    test_index_platforms();
    test_nesting();
    test_verification();
    test_manifest_rules();
    test_blob_reader();
    test_oci_archive();
    test_docker_archive();
    test_docker25();
    nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return tap_done();
}

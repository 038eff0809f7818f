/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_MANIFEST_H
#define BERTH_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "image/archive.h"
#include "image/image.h"
#include "lib/error.h"

/* Internal to image/: the JSON documents of an image (image-spec
 * image-layout.md, image-index.md, manifest.md, descriptor.md and Docker's
 * `docker save` manifest.json) parsed into plain structs by
 * image/manifest.c, for image/resolve.c.  Every parser takes the NAME that
 * prefixes its errors ("index sha256:...", "img/index.json") and reports
 * problems with their JSON path: "index sha256:...: manifests[1].size:
 * expected an integer, got \"12\"". */

/* ---- string maps (bundle/spec.h's struct strmap; string lists: bundle/strv.c) ---- */

void image_strmap_copy(struct strmap *ret, const struct strmap *src);
void image_strmap_clear(struct strmap *m);
/* The value of KEY (the last one if repeated), or NULL. */
const char *image_strmap_get(const struct strmap *m, const char *key);

/* ---- media types (media-types.md and Docker's) ---- */

#define IMAGE_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMAGE_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMAGE_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define IMAGE_MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define IMAGE_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMAGE_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMAGE_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define IMAGE_MT_DOCKER_LAYER_TAR "application/vnd.docker.image.rootfs.diff.tar"

enum image_media_kind {
    IMAGE_MEDIA_UNKNOWN = 0,
    IMAGE_MEDIA_INDEX,    /* OCI image index, Docker manifest list */
    IMAGE_MEDIA_MANIFEST, /* OCI image manifest, Docker v2 schema 2 manifest */
    IMAGE_MEDIA_CONFIG,   /* OCI image config, Docker container config */
    IMAGE_MEDIA_LAYER,    /* a tar, plain or compressed (image_layer_compression) */
};

/* What MT (NULL allowed) names; anything else is IMAGE_MEDIA_UNKNOWN. */
enum image_media_kind image_media_type_kind(const char *mt);

/* The compression of a layer media type: false for a type that is not a
 * layer (the caller's error names it). */
bool image_layer_compression(const char *mt, enum image_compression *ret);

/* ---- the oci-layout file (image-layout.md) ---- */

/* Check an oci-layout file: a JSON object with a string imageLayoutVersion
 * of major version 1.  -EINVAL with NAME in the error otherwise. */
int image_layout_check(const char *buf, size_t len, const char *name, struct error **err) ATTR_WUR;

/* ---- image index (image-index.md) and image manifest (manifest.md) ---- */

struct image_index {
    char *media_type; /* the document's own mediaType; NULL when absent */
    struct image_descriptor *manifests;
    size_t n_manifests;
    struct strmap annotations;
};

/* schemaVersion must be 2; mediaType, when present, an index type;
 * descriptors need mediaType, a registered digest and a size >= 0. */
int image_index_parse(const char *buf, size_t len, const char *name, struct image_index *ret,
                      struct error **err) ATTR_WUR;
void image_index_clear(struct image_index *ix);

struct image_manifest {
    char *media_type;    /* NULL when absent */
    char *artifact_type; /* NULL when absent */
    struct image_descriptor config;
    struct image_descriptor *layers;
    size_t n_layers;
    struct strmap annotations;
};

/* schemaVersion must be 2; mediaType, when present, a manifest type.  The
 * media types of config and layers are left for the caller to judge
 * (manifest.md: storing a manifest must not fail on unknown ones). */
int image_manifest_parse(const char *buf, size_t len, const char *name, struct image_manifest *ret,
                         struct error **err) ATTR_WUR;
void image_manifest_clear(struct image_manifest *m);

/* ---- docker save's manifest.json ---- */

struct image_docker_entry {
    char *config;          /* member holding the config: "<hex>.json", "blobs/sha256/<hex>" */
    struct strv repo_tags; /* as written ("busybox:latest"); may be empty */
    struct strv layers;    /* members holding the layers, base first */
};

struct image_docker_manifest {
    struct image_docker_entry *items;
    size_t n;
};

int image_docker_manifest_parse(const char *buf, size_t len, const char *name,
                                struct image_docker_manifest *ret, struct error **err) ATTR_WUR;
void image_docker_manifest_clear(struct image_docker_manifest *m);

/* The digest a docker-archive member's name carries: "<hex>.json" or
 * "<hex>" (old saves), "blobs/sha256/<hex>" (Docker 25+): sha256 of the
 * member.  -EINVAL if the name carries none. */
int image_docker_member_digest(const char *member, struct image_digest *ret, struct error **err)
    ATTR_WUR;

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_IMAGE_H
#define BERTH_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "image/digest.h"
#include "image/extract.h"
#include "lib/error.h"

/* OCI images into bundles.  The pieces, each in its own file:
 *   ref.c       "oci:DIR:TAG" and friends (skopeo's transport names)
 *   source*.c   blobs of an image layout, an OCI archive or a docker archive,
 *               each verified against its digest and size while read
 *   manifest.c  index, manifest, image config and docker manifest.json
 *               -> the structs below; platform matching
 *   resolve.c   ref -> one image: manifest, config and layers
 *   archive.c   tar streams (the only libarchive user), extract.c layers
 *   convert.c   image config -> struct spec (image-spec conversion.md),
 *               passwd.c the rootfs's /etc/passwd and /etc/group
 *   unpack.c    the whole `berth-image unpack`, atomic and tidy */

/* ---- references ---- */

enum image_transport {
    IMAGE_OCI = 1,        /* oci:DIR[:TAG|@DIGEST] */
    IMAGE_OCI_ARCHIVE,    /* oci-archive:FILE[:TAG] */
    IMAGE_DOCKER_ARCHIVE, /* docker-archive:FILE[:NAME:TAG | :@INDEX] */
};

struct image_ref {
    enum image_transport transport;
    char *path;        /* DIR or FILE */
    char *tag;         /* oci/oci-archive: ref.name to match; docker: "NAME:TAG"; NULL if absent */
    char *digest;      /* oci: @DIGEST (validated); NULL if absent */
    long docker_index; /* docker-archive:FILE:@N; -1 if absent */
};

/* Parse SRC.  Errors quote SRC and say which forms exist. */
int image_ref_parse(const char *src, struct image_ref *ret, struct error **err) ATTR_WUR;
void image_ref_clear(struct image_ref *r);
/* R written back as SRC text ("oci:DIR:TAG", "docker-archive:FILE:@1");
 * the caller frees it. */
char *image_ref_str(const struct image_ref *r);
/* A docker reference "NAME[:TAG]" in its full normalised form, as docker
 * compares them: "busybox" and "docker.io/library/busybox:latest" are both
 * "docker.io/library/busybox:latest".  Digests are refused (docker save
 * records tags only).  The caller frees *RET. */
int image_docker_ref_normalize(const char *s, char **ret, struct error **err) ATTR_WUR;

/* ---- platforms ---- */

struct image_platform {
    char *os;
    char *architecture;
    char *variant; /* NULL if none */
    char *os_version;
    struct strv os_features;
};

/* The host's platform in OCI terms (linux/amd64, linux/arm64/v8, ...). */
void image_platform_host(struct image_platform *ret);
/* The platform of a uname(2) machine name ("x86_64" -> linux/amd64,
 * "armv7l" -> linux/arm/v7); unknown names are kept as the architecture. */
void image_platform_from_machine(const char *machine, struct image_platform *ret);
/* "OS/ARCH[/VARIANT]" as given to --platform. */
int image_platform_parse(const char *s, struct image_platform *ret, struct error **err) ATTR_WUR;
/* Whether HAVE (an index entry's platform) satisfies WANT. */
bool image_platform_match(const struct image_platform *want, const struct image_platform *have);
void image_platform_clear(struct image_platform *p);
/* "os/arch[/variant]" as given (not normalised); the caller frees it. */
char *image_platform_str(const struct image_platform *p);
/* Deep copy of SRC into RET. */
void image_platform_copy(struct image_platform *ret, const struct image_platform *src);

/* ---- descriptors (descriptor.md) ---- */

struct image_descriptor {
    char *media_type;
    struct image_digest digest;
    int64_t size;
    struct strmap annotations;
    struct image_platform *platform; /* in an index; NULL otherwise */
    /* docker-archive: the member holding the blob ("abc/layer.tar"); NULL
     * for content-addressed blobs */
    char *path;
    /* docker-archive layers: DIGEST is the layer's DiffID, the digest of
     * the uncompressed tar, while the member may be stored compressed.
     * image_blob_read then checks the size only; the caller's DiffID check
     * of the decompressed stream (which it does for every layer) is what
     * verifies the content. */
    bool digest_is_diff_id;
};

void image_descriptor_clear(struct image_descriptor *d);
/* Deep copy of SRC into RET. */
void image_descriptor_copy(struct image_descriptor *ret, const struct image_descriptor *src);

/* ---- the image config (config.md) ---- */

struct image_config {
    char *architecture, *os, *variant, *os_version;
    struct strv os_features; /* os.features */
    char *created, *author;
    /* config.* */
    char *user;
    struct strv exposed_ports; /* the keys of ExposedPorts, "80/tcp" */
    struct strv env;
    bool has_entrypoint, has_cmd; /* absent vs. empty matter (conversion.md) */
    struct strv entrypoint;
    struct strv cmd;
    struct strv volumes; /* the keys of Volumes */
    char *working_dir;
    struct strmap labels;
    char *stop_signal;
    bool args_escaped; /* ArgsEscaped (Windows only; read and ignored) */
    /* rootfs */
    char *rootfs_type; /* must be "layers" */
    struct image_digest *diff_ids;
    size_t n_diff_ids;
};

/* Parse an image config; NAME ("config sha256:...") prefixes errors, with
 * the JSON path: "config sha256:...: config.Env[2]: expected a string". */
struct image_config *image_config_parse(const char *buf, size_t len, const char *name,
                                        struct error **err);
void image_config_free(struct image_config *c);

/* ---- sources of blobs ---- */

struct image_source;

/* Open the layout directory or archive that REF names. */
struct image_source *image_source_open(const struct image_ref *ref, struct error **err);
void image_source_free(struct image_source *s);

struct image_blob;

/* Open the blob D describes.  Reading it checks, as the bytes go by, its
 * size (never more than D->size is read; fewer at EOF is an error) and, at
 * its end, its digest: a mismatch is -EBADMSG with an error naming the
 * blob and both digests ("blob sha256:aaa...: digest mismatch: the content
 * hashes to sha256:bbb..."). */
struct image_blob *image_blob_open(struct image_source *s, const struct image_descriptor *d,
                                   struct error **err);
/* image_read_fn's shape (image/archive.h): bytes, 0 at the verified end. */
ssize_t image_blob_read(void *blob, void *buf, size_t len, struct error **err);
void image_blob_close(struct image_blob *b);

/* The whole (small) blob: manifests and configs, refused past MAX bytes. */
int image_blob_read_all(struct image_source *s, const struct image_descriptor *d, size_t max,
                        char **ret_buf, size_t *ret_len, struct error **err) ATTR_WUR;

/* ---- a resolved image ---- */

struct image_layer {
    struct image_descriptor desc; /* the blob as stored (compressed or not) */
    struct image_digest diff_id;  /* from the config's rootfs.diff_ids */
};

struct image {
    char *name;                       /* how errors and inspect name it: the SRC text */
    struct image_descriptor manifest; /* the manifest chosen (via index/platform) */
    char *manifest_json;              /* its bytes, verified */
    size_t manifest_len;
    struct strmap manifest_annotations;
    struct image_descriptor config_desc;
    char *config_json;
    size_t config_len;
    struct image_config *config;
    struct image_layer *layers;
    size_t n_layers;
    struct image_platform platform; /* the platform chosen (or the config's) */
    char *ref_name;                 /* org.opencontainers.image.ref.name that matched, if any */
};

/* Find the image REF names in S: the index entry with the tag (or the
 * digest), an image index resolved to the entry matching WANT (NULL: the
 * host), the manifest and config read and verified, the layers listed with
 * their diff_ids (counts must agree).  Errors name the blob or file.
 * docker-archive has no manifest blob: MANIFEST_JSON is the manifest.json
 * entry chosen, re-serialised, and MANIFEST describes those bytes (media
 * type "application/json", path "manifest.json"); its layers have
 * digest_is_diff_id set. */
struct image *image_resolve(struct image_source *s, const struct image_ref *ref,
                            const struct image_platform *want, struct error **err);
void image_free(struct image *img);

/* ---- conversion to a runtime config (conversion.md) ---- */

struct image_convert_opts {
    /* Replaces Cmd when non-empty (`unpack ... -- CMD`); Entrypoint stays. */
    const struct strv *args;
    /* Make a rootless config: a user namespace with these mappings (the
     * caller's uid to 0, or the subordinate ranges); none of the mounts
     * that need real root. */
    bool rootless;
    const struct spec_id_mapping *uid_mappings;
    size_t n_uid_mappings;
    const struct spec_id_mapping *gid_mappings;
    size_t n_gid_mappings;
};

/* Build the bundle's config: berth spec's defaults (spec_default /
 * spec_default_rootless) with the image config applied per conversion.md.
 * ROOTFD is the unpacked rootfs, read (never written) for the user and
 * group names in config.User through /etc/passwd and /etc/group resolved
 * inside it; an unknown name is an error naming it. */
struct spec *image_to_spec_at(int rootfd, const struct image *img,
                              const struct image_convert_opts *o, struct error **err);

/* ---- unpacking into a bundle (unpack.c) ---- */

/* How the caller's ids reach the layers' owners (rootless.c). */
struct image_idmap_plan {
    bool userns;    /* extraction runs in a user namespace mapped as below */
    bool chown;     /* owners from the layers are set (subordinate ids) */
    bool collapsed; /* no subordinate ids: one id mapped, every owner becomes
                     * the caller */
    struct spec_id_mapping uid_mappings[2];
    size_t n_uid_mappings;
    struct spec_id_mapping gid_mappings[2];
    size_t n_gid_mappings;
};

/* Decide from the caller's ids and /etc/subuid, /etc/subgid (SUBUID and
 * SUBGID: their paths, for tests) how a rootless unpack maps ids: the
 * caller to 0 and, when the user has ranges in both files and newuidmap
 * and newgidmap are installed, the first range of each to 1..N. */
int image_idmap_plan(uid_t uid, gid_t gid, const char *subuid, const char *subgid,
                     struct image_idmap_plan *ret, struct error **err) ATTR_WUR;

/* The ranges for UID (or user NAME) in a subuid/subgid file's TEXT: the
 * first matching line "NAME-or-ID:START:COUNT".  0 when found, -ENOENT
 * when not; malformed lines are skipped. */
int image_subid_find(const char *text, const char *name, uint32_t id, uint32_t *ret_start,
                     uint32_t *ret_count);

/* Move this process into a new user namespace mapped per PLAN and become
 * its root: with one id, the maps are written directly; with ranges,
 * newuidmap and newgidmap run from a child left in the parent namespace.
 * The process must be single-threaded. */
int image_enter_userns(const struct image_idmap_plan *plan, struct error **err) ATTR_WUR;

struct image_unpack_opts {
    const char *src;                       /* the SRC text, parsed by image_unpack */
    const char *bundle;                    /* BUNDLE: created, or replaced with FORCE */
    const struct image_platform *platform; /* NULL: the host's */
    bool rootless;                         /* a rootless config.json (implied when not root) */
    bool force;
    uint64_t max_size;                    /* cap on the decompressed size of all layers; 0: none */
    const struct strv *args;              /* -- CMD... */
    const struct image_idmap_plan *idmap; /* for non-root callers; NULL as root */
    /* Set asynchronously (a signal) to stop: the unpack fails with EINTR
     * and removes what it made. */
    volatile int *cancel;
    /* Called after each layer and every few MiB (a progress display),
     * possibly from another thread. */
    void (*progress)(void *opaque, size_t layer, size_t n_layers, uint64_t layer_bytes,
                     uint64_t layer_size);
    void *progress_opaque;
};

struct image_unpack_result {
    struct image_extract_stats stats;
    size_t n_layers;
};

/* The whole of `berth-image unpack`: resolve SRC, extract its layers into
 * a temporary directory beside BUNDLE (mode 0700), write config.json, and
 * rename it into place.  On failure nothing of it remains. */
int image_unpack(const struct image_unpack_opts *o, struct image_unpack_result *ret,
                 struct error **err) ATTR_WUR;

/* Remove a bundle made by image_unpack (with files owned by subordinate
 * ids, which the caller may only remove from inside the user namespace). */
int image_remove_bundle(const char *bundle, struct error **err) ATTR_WUR;

#endif

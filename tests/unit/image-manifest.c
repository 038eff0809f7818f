/* SPDX-License-Identifier: Apache-2.0 */
/* image/manifest.c: oci-layout, image index, image manifest, image config
 * and docker manifest.json parsing, with the JSON path of each problem in
 * its error; media type classification. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/manifest.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

#define H1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define D1 "sha256:" H1
#define D2 "sha256:" H2

#define STR_(x) #x
#define STR(x) STR_(x)
#define LINE_STR STR(__LINE__)

/* Check that ERR is set and its message contains WANT. */
static void
expect_error(struct error **err, int rc, const char *want, const char *what)
{
    bool ok = rc == -EINVAL && *err != NULL && strstr((*err)->msg, want) != NULL;

    tap_ok(ok, "%s: refused with the expected error", what);
    if (!ok)
        tap_diag("rc %d, error: %s, expected: %s", rc, *err ? (*err)->msg : "(none)", want);
    error_free(err);
}

/* ---- media types and oci-layout ---- */

static void
test_media_types(void)
{
    enum image_compression c = IMAGE_COMPRESSION_AUTO;

    tap_ok(image_media_type_kind(IMAGE_MT_OCI_INDEX) == IMAGE_MEDIA_INDEX, "OCI index");
    tap_ok(image_media_type_kind(IMAGE_MT_DOCKER_LIST) == IMAGE_MEDIA_INDEX, "docker list");
    tap_ok(image_media_type_kind(IMAGE_MT_OCI_MANIFEST) == IMAGE_MEDIA_MANIFEST, "OCI manifest");
    tap_ok(image_media_type_kind(IMAGE_MT_DOCKER_MANIFEST) == IMAGE_MEDIA_MANIFEST,
           "docker manifest");
    tap_ok(image_media_type_kind(IMAGE_MT_DOCKER_CONFIG) == IMAGE_MEDIA_CONFIG, "docker config");
    tap_ok(image_media_type_kind("application/vnd.in-toto+json") == IMAGE_MEDIA_UNKNOWN,
           "unknown type");
    tap_ok(image_media_type_kind(NULL) == IMAGE_MEDIA_UNKNOWN, "NULL type");
    tap_ok(image_layer_compression("application/vnd.oci.image.layer.v1.tar+zstd", &c)
               && c == IMAGE_COMPRESSION_ZSTD,
           "tar+zstd layer");
    tap_ok(
        image_layer_compression("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", &c)
            && c == IMAGE_COMPRESSION_GZIP,
        "nondistributable tar+gzip layer");
    tap_ok(image_layer_compression("application/vnd.docker.image.rootfs.diff.tar.gzip", &c)
               && c == IMAGE_COMPRESSION_GZIP,
           "docker gzip layer");
    tap_ok(image_layer_compression("application/vnd.docker.image.rootfs.diff.tar", &c)
               && c == IMAGE_COMPRESSION_NONE,
           "docker tar layer");
    tap_ok(!image_layer_compression(IMAGE_MT_OCI_CONFIG, &c), "a config is not a layer");
    tap_ok(!image_layer_compression("application/x-tar", &c), "unknown layer type");
}

static void
test_layout(void)
{
    struct error *err = NULL;
    const char *good = "{\"imageLayoutVersion\": \"1.0.0\", \"extra\": 1}";
    int rc;

    tap_ok(image_layout_check(good, strlen(good), "L/oci-layout", &err) == 0, "oci-layout 1.0.0");
    rc = image_layout_check("{}", 2, "L/oci-layout", &err);
    expect_error(&err, rc, "L/oci-layout: imageLayoutVersion: required", "no version");
    rc = image_layout_check("{\"imageLayoutVersion\":1}", 24, "L/oci-layout", &err);
    expect_error(&err, rc, "imageLayoutVersion: expected a string, got a number 1", "numeric");
    rc = image_layout_check("{\"imageLayoutVersion\":\"2.0.0\"}", 30, "L/oci-layout", &err);
    expect_error(&err, rc, "unsupported image layout version \"2.0.0\"", "version 2");
    rc = image_layout_check("[]", 2, "L/oci-layout", &err);
    expect_error(&err, rc, "L/oci-layout: expected a JSON object, got an array", "array");
    rc = image_layout_check("{", 1, "L/oci-layout", &err);
    tap_ok(rc < 0 && err != NULL && strstr(err->msg, "L/oci-layout") != NULL, "bad JSON");
    error_free(&err);
}

/* ---- image index ---- */

static void
test_index(void)
{
    const char *doc =
        "{\"schemaVersion\": 2, \"mediaType\": \"" IMAGE_MT_OCI_INDEX "\","
        " \"manifests\": ["
        "  {\"mediaType\": \"" IMAGE_MT_OCI_MANIFEST "\", \"digest\": \"" D1 "\","
        "   \"size\": 7143, \"platform\": {\"architecture\": \"ppc64le\","
        "   \"os\": \"linux\"}},"
        "  {\"mediaType\": \"" IMAGE_MT_OCI_MANIFEST "\", \"digest\": \"" D2 "\","
        "   \"size\": 7682, \"platform\": {\"architecture\": \"arm\", \"os\": \"linux\","
        "   \"variant\": \"v7\", \"os.version\": \"6.1\", \"os.features\": [\"x\"]},"
        "   \"annotations\": {\"org.opencontainers.image.ref.name\": \"v1\"},"
        "   \"unknown\": {\"x\": 1}}"
        " ], \"annotations\": {\"a\": \"b\"}}";
    struct image_index ix = {0};
    struct error *err = NULL;
    int rc = image_index_parse(doc, strlen(doc), "index.json", &ix, &err);

    tap_ok(rc == 0, "index parses");
    if (rc < 0) {
        tap_diag("%s", err->msg);
        error_free(&err);
        return;
    }
    tap_is_int(ix.n_manifests, 2, "two manifests");
    tap_is_str(ix.media_type, IMAGE_MT_OCI_INDEX, "index media type");
    tap_is_str(ix.manifests[0].digest.hex, H1, "manifests[0].digest");
    tap_is_int(ix.manifests[0].size, 7143, "manifests[0].size");
    tap_ok(ix.manifests[0].platform != NULL, "manifests[0].platform");
    tap_is_str(ix.manifests[0].platform->architecture, "ppc64le", "manifests[0] architecture");
    tap_is_str(ix.manifests[1].platform->variant, "v7", "manifests[1] variant");
    tap_is_str(ix.manifests[1].platform->os_version, "6.1", "manifests[1] os.version");
    tap_is_int(ix.manifests[1].platform->os_features.n, 1, "manifests[1] os.features");
    tap_is_str(image_strmap_get(&ix.manifests[1].annotations, "org.opencontainers.image.ref.name"),
               "v1", "manifests[1] ref.name");
    tap_is_str(image_strmap_get(&ix.annotations, "a"), "b", "index annotations");
    image_index_clear(&ix);

    /* a docker manifest list and an empty index */
    doc = "{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MT_DOCKER_LIST "\",\"manifests\":[]}";
    rc = image_index_parse(doc, strlen(doc), "list", &ix, &err);
    tap_ok(rc == 0 && ix.n_manifests == 0, "docker manifest list, empty");
    image_index_clear(&ix);
    error_free(&err);

#define BAD_INDEX(json, want)                                                                      \
    do {                                                                                           \
        const char *j_ = (json);                                                                   \
        rc = image_index_parse(j_, strlen(j_), "index sha256:abc", &ix, &err);                     \
        expect_error(&err, rc, (want), "index at line " LINE_STR);                                 \
    } while (0)

    BAD_INDEX("{\"manifests\":[]}", "index sha256:abc: schemaVersion: required");
    BAD_INDEX("{\"schemaVersion\":1,\"manifests\":[]}",
              "schemaVersion: unsupported schema version 1 (expected 2)");
    BAD_INDEX("{\"schemaVersion\":\"2\",\"manifests\":[]}",
              "schemaVersion: expected an integer, got a string \"2\"");
    BAD_INDEX("{\"schemaVersion\":2}", "manifests: required");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":null}", "manifests: required, not null");
    BAD_INDEX("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MT_OCI_MANIFEST "\",\"manifests\":[]}",
              "mediaType: \"" IMAGE_MT_OCI_MANIFEST "\" is not an image index media type");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":1}]}",
              "manifests[0].mediaType: required");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"size\":1}]}",
              "manifests[0].digest: required");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:AB\","
              "\"size\":1}]}",
              "manifests[0].digest: digest 'sha256:AB'");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\"}]}",
              "manifests[0].size: required");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
              "\"size\":-1}]}",
              "manifests[0].size: -1 is out of range");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
              "\"size\":1.5}]}",
              "manifests[0].size: expected an integer, got 1.5");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
              "\"size\":1,\"platform\":{\"os\":\"linux\"}}]}",
              "manifests[0].platform.architecture: required");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
              "\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\","
              "\"os.features\":[1]}}]}",
              "manifests[0].platform[\"os.features\"][0]: expected a string");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
              "\"size\":1,\"annotations\":{\"k\":1}}]}",
              "manifests[0].annotations.k: expected a string, got a number 1");
    BAD_INDEX("{\"schemaVersion\":2,\"manifests\":[3]}",
              "manifests[0]: expected an object, got a number 3");
    BAD_INDEX("[1]", "index sha256:abc: expected a JSON object, got an array");
    /* every problem is reported, one per line */
    BAD_INDEX("{\"schemaVersion\":3,\"manifests\":[{\"mediaType\":1,\"digest\":\"" D1 "\","
              "\"size\":1}]}",
              "index sha256:abc: schemaVersion: unsupported schema version 3 (expected 2)\n"
              "index sha256:abc: manifests[0].mediaType: expected a string, got a number 1");
#undef BAD_INDEX
}

/* ---- image manifest ---- */

static void
test_manifest(void)
{
    const char *doc =
        "{\"schemaVersion\": 2, \"mediaType\": \"" IMAGE_MT_OCI_MANIFEST "\","
        " \"config\": {\"mediaType\": \"" IMAGE_MT_OCI_CONFIG "\", \"digest\": \"" D1 "\","
        "  \"size\": 7023},"
        " \"layers\": [{\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\","
        "  \"digest\": \"" D2 "\", \"size\": 32654}],"
        " \"subject\": {\"whatever\": 1}, \"annotations\": {\"com.example.key1\": \"value1\"}}";
    struct image_manifest m = {0};
    struct error *err = NULL;
    int rc = image_manifest_parse(doc, strlen(doc), "manifest", &m, &err);

    tap_ok(rc == 0, "manifest parses");
    if (rc < 0) {
        tap_diag("%s", err->msg);
        error_free(&err);
        return;
    }
    tap_is_str(m.config.media_type, IMAGE_MT_OCI_CONFIG, "config.mediaType");
    tap_is_int(m.config.size, 7023, "config.size");
    tap_is_int(m.n_layers, 1, "one layer");
    tap_is_str(m.layers[0].digest.hex, H2, "layers[0].digest");
    tap_is_str(image_strmap_get(&m.annotations, "com.example.key1"), "value1", "annotations");
    tap_ok(m.artifact_type == NULL, "no artifactType");
    image_manifest_clear(&m);

    /* a docker v2 manifest without layers */
    doc = "{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MT_DOCKER_MANIFEST "\","
          "\"config\":{\"mediaType\":\"" IMAGE_MT_DOCKER_CONFIG "\",\"digest\":\"" D1 "\","
          "\"size\":2},\"layers\":[]}";
    rc = image_manifest_parse(doc, strlen(doc), "manifest", &m, &err);
    tap_ok(rc == 0 && m.n_layers == 0, "docker manifest, no layers");
    image_manifest_clear(&m);
    error_free(&err);

#define BAD_MANIFEST(json, want)                                                                   \
    do {                                                                                           \
        const char *j_ = (json);                                                                   \
        rc = image_manifest_parse(j_, strlen(j_), "manifest sha256:abc", &m, &err);                \
        expect_error(&err, rc, (want), "manifest at line " LINE_STR);                              \
    } while (0)

    BAD_MANIFEST("{\"schemaVersion\":2,\"layers\":[]}", "manifest sha256:abc: config: required");
    BAD_MANIFEST("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
                 "\"size\":1}}",
                 "manifest sha256:abc: layers: required");
    BAD_MANIFEST("{\"schemaVersion\":2,\"mediaType\":\"" IMAGE_MT_OCI_INDEX "\",\"config\":{"
                 "\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
                 "mediaType: \"" IMAGE_MT_OCI_INDEX "\" is not an image manifest media type");
    BAD_MANIFEST("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1 "\","
                 "\"size\":1},\"layers\":[{\"mediaType\":\"x\",\"digest\":\"" D1 "\",\"size\":1},"
                 "{\"mediaType\":\"x\",\"digest\":\"md5:00\",\"size\":1}]}",
                 "layers[1].digest: digest 'md5:00': unsupported algorithm");
    BAD_MANIFEST("{\"schemaVersion\":2,\"config\":[],\"layers\":[]}",
                 "config: expected an object, got an array");
#undef BAD_MANIFEST
}

/* ---- image config ---- */

static const char full_config[] =
    "{\"created\": \"2015-10-31T22:22:56.015925234Z\","
    " \"author\": \"Alyssa P. Hacker <alyspdev@example.com>\","
    " \"architecture\": \"arm64\", \"variant\": \"v8\", \"os\": \"linux\", \"os.version\": \"x\","
    " \"config\": {\"User\": \"alice\", \"ExposedPorts\": {\"8080/tcp\": {}, \"53/udp\": {}},"
    "  \"Env\": [\"PATH=/usr/bin:/bin\", \"FOO=oci_is_a\"],"
    "  \"Entrypoint\": [\"/bin/my-app-binary\"],"
    "  \"Cmd\": [\"--foreground\", \"--config\", \"/etc/my-app.d/default.cfg\"],"
    "  \"Volumes\": {\"/var/job-result-data\": {}, \"/var/log/my-app-logs\": {}},"
    "  \"WorkingDir\": \"/home/alice\", \"Labels\": {\"com.example.git.url\": \"u\"},"
    "  \"StopSignal\": \"SIGRTMIN+3\", \"ArgsEscaped\": true, \"Memory\": 2048,"
    "  \"Healthcheck\": {\"Test\": [\"NONE\"]}, \"Hostname\": \"\"},"
    " \"rootfs\": {\"diff_ids\": [\"" D1 "\", \"" D2 "\"], \"type\": \"layers\"},"
    " \"history\": [{\"created_by\": \"/bin/sh\", \"empty_layer\": true}],"
    " \"container_config\": {\"Cmd\": 5}}";

static void
test_config(void)
{
    struct error *err = NULL;
    struct image_config *c = image_config_parse(full_config, strlen(full_config), "config", &err);
    const char *doc;

    tap_ok(c != NULL, "full config parses");
    if (c == NULL) {
        tap_diag("%s", err->msg);
        error_free(&err);
        return;
    }
    tap_is_str(c->architecture, "arm64", "architecture");
    tap_is_str(c->os, "linux", "os");
    tap_is_str(c->variant, "v8", "variant");
    tap_is_str(c->os_version, "x", "os.version");
    tap_is_str(c->created, "2015-10-31T22:22:56.015925234Z", "created");
    tap_is_str(c->author, "Alyssa P. Hacker <alyspdev@example.com>", "author");
    tap_is_str(c->user, "alice", "User");
    tap_is_int(c->exposed_ports.n, 2, "ExposedPorts");
    tap_is_str(c->exposed_ports.items[1], "53/udp", "ExposedPorts key");
    tap_is_int(c->env.n, 2, "Env");
    tap_is_str(c->env.items[1], "FOO=oci_is_a", "Env[1]");
    tap_ok(c->has_entrypoint && c->entrypoint.n == 1, "Entrypoint");
    tap_ok(c->has_cmd && c->cmd.n == 3, "Cmd");
    tap_is_str(c->cmd.items[2], "/etc/my-app.d/default.cfg", "Cmd[2]");
    tap_is_int(c->volumes.n, 2, "Volumes");
    tap_is_str(c->volumes.items[0], "/var/job-result-data", "Volumes key");
    tap_is_str(c->working_dir, "/home/alice", "WorkingDir");
    tap_is_str(image_strmap_get(&c->labels, "com.example.git.url"), "u", "Labels");
    tap_is_str(c->stop_signal, "SIGRTMIN+3", "StopSignal");
    tap_ok(c->args_escaped, "ArgsEscaped");
    tap_is_str(c->rootfs_type, "layers", "rootfs.type");
    tap_is_int(c->n_diff_ids, 2, "diff_ids");
    tap_is_str(c->diff_ids[1].hex, H2, "diff_ids[1]");
    image_config_free(c);

    /* What Docker writes for an image without a command or environment:
     * nulls, which are absent (config.md), and Entrypoint [] stays present. */
    doc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"author\":null,\"config\":{"
          "\"Entrypoint\":null,\"Cmd\":null,\"Env\":null,\"Labels\":null,\"Volumes\":null,"
          "\"ExposedPorts\":null,\"User\":\"\",\"WorkingDir\":\"\"},"
          "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    c = image_config_parse(doc, strlen(doc), "config", &err);
    tap_ok(c != NULL, "docker nulls accepted");
    if (c != NULL) {
        tap_ok(!c->has_entrypoint && !c->has_cmd, "null Entrypoint and Cmd are absent");
        tap_ok(c->env.n == 0 && c->labels.n == 0 && c->author == NULL, "null Env, Labels, author");
        tap_is_str(c->user, "", "empty User kept");
        tap_is_int(c->n_diff_ids, 0, "no diff_ids");
    }
    image_config_free(c);
    error_free(&err);

    doc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Entrypoint\":[]},"
          "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    c = image_config_parse(doc, strlen(doc), "config", &err);
    tap_ok(c != NULL && c->has_entrypoint && c->entrypoint.n == 0 && !c->has_cmd,
           "empty Entrypoint is present, absent Cmd is not");
    image_config_free(c);
    error_free(&err);

    doc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":null,"
          "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    c = image_config_parse(doc, strlen(doc), "config", &err);
    tap_ok(c != NULL && c->user == NULL, "config: null");
    image_config_free(c);
    error_free(&err);

#define BAD_CONFIG(json, want)                                                                     \
    do {                                                                                           \
        const char *j_ = (json);                                                                   \
        c = image_config_parse(j_, strlen(j_), "config sha256:" H1, &err);                         \
        expect_error(&err, c == NULL ? -error_errnum(err) : 0, (want),                             \
                     "config at line " LINE_STR);                                                  \
        image_config_free(c);                                                                      \
    } while (0)
#define ROOTFS "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}"

    BAD_CONFIG("{\"os\":\"linux\"," ROOTFS "}", "config sha256:" H1 ": architecture: required");
    BAD_CONFIG("{\"architecture\":\"amd64\"," ROOTFS "}", ": os: required");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\"}", ": rootfs: required");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"A=1\","
               "\"B=2\",3]}," ROOTFS "}",
               "config sha256:" H1 ": config.Env[2]: expected a string, got a number 3");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":\"ls\"}," ROOTFS
               "}",
               ": config.Cmd: expected an array, got a string \"ls\"");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":0}," ROOTFS "}",
               ": config.User: expected a string, got a number 0");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"ExposedPorts\":"
               "{\"80/tcp\":1}}," ROOTFS "}",
               ": config.ExposedPorts[\"80/tcp\"]: expected an object, got a number 1");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Volumes\":[]}," ROOTFS
               "}",
               ": config.Volumes: expected an object, got an array");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"a.b\":"
               "true}}," ROOTFS "}",
               ": config.Labels[\"a.b\"]: expected a string, got a boolean");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"ArgsEscaped\":1},"
               "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
               ": config.ArgsEscaped: expected a boolean, got a number 1");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"StopSignal\":9},"
               "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
               ": config.StopSignal: expected a string, got a number 9");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":\"x\"," ROOTFS "}",
               ": config: expected an object, got a string \"x\"");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"tar\","
               "\"diff_ids\":[]}}",
               ": rootfs.type: unsupported rootfs type \"tar\" (expected \"layers\")");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[]}}",
               ": rootfs.type: required");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}",
               ": rootfs.diff_ids: required");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
               "\"diff_ids\":[\"" D1 "\",\"sha256:xyz\"]}}",
               ": rootfs.diff_ids[1]: digest 'sha256:xyz'");
    BAD_CONFIG("{\"architecture\":\"amd64\",\"os\":\"linux\",\"os.features\":\"x\"," ROOTFS "}",
               ": [\"os.features\"]: expected an array");
    BAD_CONFIG("\"x\"", "config sha256:" H1 ": expected a JSON object, got a string");
    BAD_CONFIG("{\"architecture\":\"amd64\",", "config sha256:" H1);
#undef BAD_CONFIG
#undef ROOTFS
}

/* ---- docker manifest.json ---- */

static void
test_docker_manifest(void)
{
    const char *doc =
        "[{\"Config\":\"" H1 ".json\",\"RepoTags\":[\"busybox:latest\",\"busybox:1\"],"
        "\"Layers\":[\"a/layer.tar\",\"b/layer.tar\"],\"LayerSources\":{}},"
        " {\"Config\":\"blobs/sha256/" H2 "\",\"RepoTags\":null,\"Layers\":[]}]";
    struct image_docker_manifest dm = {0};
    struct image_digest d;
    struct error *err = NULL;
    int rc = image_docker_manifest_parse(doc, strlen(doc), "b.tar/manifest.json", &dm, &err);

    tap_ok(rc == 0 && dm.n == 2, "manifest.json parses");
    if (rc == 0) {
        tap_is_str(dm.items[0].config, H1 ".json", "[0].Config");
        tap_is_int(dm.items[0].repo_tags.n, 2, "[0].RepoTags");
        tap_is_str(dm.items[0].layers.items[1], "b/layer.tar", "[0].Layers[1]");
        tap_is_int(dm.items[1].repo_tags.n, 0, "[1].RepoTags null");
    }
    image_docker_manifest_clear(&dm);
    error_free(&err);

    rc = image_docker_manifest_parse("{}", 2, "b.tar/manifest.json", &dm, &err);
    expect_error(&err, rc, "b.tar/manifest.json: expected an array, got an object", "object");
    rc = image_docker_manifest_parse("[{\"Layers\":[]}]", 15, "m", &dm, &err);
    expect_error(&err, rc, "m: [0].Config: required", "no Config");
    doc = "[{\"Config\":\"c.json\",\"Layers\":[\"a\",1]}]";
    rc = image_docker_manifest_parse(doc, strlen(doc), "m", &dm, &err);
    expect_error(&err, rc, "m: [0].Layers[1]: expected a string, got a number 1", "bad layer");
    doc = "[{\"Config\":\"c.json\",\"RepoTags\":\"a:b\",\"Layers\":[]}]";
    rc = image_docker_manifest_parse(doc, strlen(doc), "m", &dm, &err);
    expect_error(&err, rc, "m: [0].RepoTags: expected an array", "bad RepoTags");

    tap_ok(image_docker_member_digest(H1 ".json", &d, &err) == 0 && d.alg == IMAGE_DIGEST_SHA256
               && strcmp(d.hex, H1) == 0,
           "digest of '<hex>.json'");
    tap_ok(image_docker_member_digest("blobs/sha256/" H2, &d, &err) == 0 && strcmp(d.hex, H2) == 0,
           "digest of 'blobs/sha256/<hex>'");
    rc = image_docker_member_digest("config.json", &d, &err);
    expect_error(&err, rc, "'config.json' is not named by the digest of its content",
                 "config.json");
    rc = image_docker_member_digest("blobs/sha256/" H1 "0", &d, &err);
    expect_error(&err, rc, "is not named by the digest", "too long");
}

/* ---- descriptor copies ---- */

static void
test_copy(void)
{
    const char *doc = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"" D1
                      "\",\"size\":3,\"annotations\":{\"k\":\"v\"},\"platform\":{\"os\":\"linux\","
                      "\"architecture\":\"arm\",\"variant\":\"v6\"}}]}";
    struct image_index ix = {0};
    struct image_descriptor c;
    struct error *err = NULL;

    if (image_index_parse(doc, strlen(doc), "i", &ix, &err) < 0) {
        tap_ok(false, "index for copy: %s", err->msg);
        error_free(&err);
        return;
    }
    image_descriptor_copy(&c, &ix.manifests[0]);
    image_index_clear(&ix);
    tap_ok(c.size == 3 && strcmp(c.media_type, "m") == 0 && strcmp(c.digest.hex, H1) == 0
               && c.platform != NULL && strcmp(c.platform->variant, "v6") == 0
               && strcmp(image_strmap_get(&c.annotations, "k"), "v") == 0,
           "image_descriptor_copy is deep");
    image_descriptor_clear(&c);
}

int
main(void)
{
    test_media_types();
    test_layout();
    test_index();
    test_manifest();
    test_config();
    test_docker_manifest();
    test_copy();
    return tap_done();
}

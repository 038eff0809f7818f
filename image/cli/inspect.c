/* SPDX-License-Identifier: Apache-2.0 */
/* berth-image inspect [--json] [--platform P] SRC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/cli/cli.h"
#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/json.h"

DEFINE_CLEANUP_FUNC(struct image_source *, image_source_free)
DEFINE_CLEANUP_FUNC(struct image *, image_free)

static void
usage(FILE *out)
{
    fprintf(out,
            "Usage: berth-image inspect [OPTIONS] SRC\n\n"
            "Show the manifest, platform, layers and config of the image SRC, after\n"
            "checking the digests of the manifest and the config.\n\n"
            "  --json                        print JSON for scripts\n"
            "  --platform OS/ARCH[/VARIANT]  the image to pick from an index (default: the host)\n"
            "  -h, --help                    print this help\n\n"
            "See berth-image-inspect(8).\n");
}

static const char *
short_media_type(const char *mt)
{
    static const struct {
        const char *full, *brief;
    } names[] = {
        {"application/vnd.oci.image.layer.v1.tar", "tar"},
        {"application/vnd.oci.image.layer.v1.tar+gzip", "tar+gzip"},
        {"application/vnd.oci.image.layer.v1.tar+zstd", "tar+zstd"},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar", "tar (nondistributable)"},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
         "tar+gzip (nondistributable)"},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
         "tar+zstd (nondistributable)"},
        {"application/vnd.docker.image.rootfs.diff.tar.gzip", "docker tar.gzip"},
        {"application/vnd.docker.image.rootfs.diff.tar", "docker tar"},
    };

    for (size_t i = 0; mt && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(mt, names[i].full) == 0)
            return names[i].brief;
    return mt ? mt : "?";
}

static void
print_size(uint64_t n)
{
    if (n < 1024)
        printf("%llu B", (unsigned long long)n);
    else if (n < (1 << 20))
        printf("%.1f KiB", (double)n / 1024);
    else if (n < (1 << 30))
        printf("%.1f MiB", (double)n / (1 << 20));
    else
        printf("%.2f GiB", (double)n / (1 << 30));
}

static void
print_strv(const char *label, const struct strv *v, bool present)
{
    if (!present && v->n == 0)
        return;
    printf("%-12s[", label);
    for (size_t i = 0; i < v->n; i++)
        printf("%s\"%s\"", i ? ", " : "", v->items[i]);
    printf("]\n");
}

static void
print_text(const struct image *img)
{
    const struct image_config *c = img->config;
    char d[IMAGE_DIGEST_STR_MAX];
    uint64_t total = 0;

    printf("Image:      %s\n", img->name ? img->name : "");
    if (img->ref_name)
        printf("Ref name:   %s\n", img->ref_name);
    printf("Manifest:   %s (%s, %lld bytes)\n", image_digest_str(&img->manifest.digest, d),
           img->manifest.media_type ? img->manifest.media_type : "?",
           (long long)img->manifest.size);
    printf("Platform:   %s/%s%s%s\n", img->platform.os ? img->platform.os : "?",
           img->platform.architecture ? img->platform.architecture : "?",
           img->platform.variant ? "/" : "", img->platform.variant ? img->platform.variant : "");
    printf("Config:     %s (%lld bytes)\n", image_digest_str(&img->config_desc.digest, d),
           (long long)img->config_desc.size);
    if (c->created)
        printf("Created:    %s\n", c->created);
    if (c->author)
        printf("Author:     %s\n", c->author);
    for (size_t i = 0; i < img->n_layers; i++)
        total += (uint64_t)img->layers[i].desc.size;
    printf("Layers:     %zu, ", img->n_layers);
    print_size(total);
    printf("\n");
    for (size_t i = 0; i < img->n_layers; i++) {
        const struct image_layer *l = &img->layers[i];

        printf("  %2zu  %s  %-10s ", i + 1, image_digest_str(&l->desc.digest, d),
               short_media_type(l->desc.media_type));
        print_size((uint64_t)l->desc.size);
        printf("\n      diff_id %s\n", image_digest_str(&l->diff_id, d));
    }
    print_strv("Entrypoint:", &c->entrypoint, c->has_entrypoint);
    print_strv("Cmd:", &c->cmd, c->has_cmd);
    for (size_t i = 0; i < c->env.n; i++)
        printf("%-12s%s\n", i == 0 ? "Env:" : "", c->env.items[i]);
    if (c->working_dir && *c->working_dir)
        printf("WorkingDir: %s\n", c->working_dir);
    if (c->user && *c->user)
        printf("User:       %s\n", c->user);
    if (c->exposed_ports.n)
        print_strv("Ports:", &c->exposed_ports, true);
    if (c->volumes.n)
        print_strv("Volumes:", &c->volumes, true);
    if (c->stop_signal)
        printf("StopSignal: %s\n", c->stop_signal);
    for (size_t i = 0; i < c->labels.n; i++)
        printf("%-12s%s=%s\n", i == 0 ? "Labels:" : "", c->labels.items[i].key,
               c->labels.items[i].value);
}

static void
write_descriptor(struct json_writer *w, const struct image_descriptor *desc)
{
    char d[IMAGE_DIGEST_STR_MAX];

    json_w_object_begin(w);
    json_w_key(w, "mediaType");
    json_w_string(w, desc->media_type ? desc->media_type : "");
    json_w_key(w, "digest");
    json_w_string(w, image_digest_str(&desc->digest, d));
    json_w_key(w, "size");
    json_w_int64(w, desc->size);
    json_w_object_end(w);
}

static int
print_json(const struct image *img, struct error **err)
{
    struct json_writer *w = json_writer_new(true);
    struct json_value *cfg = json_parse(img->config_json, img->config_len, "config", err);
    char d[IMAGE_DIGEST_STR_MAX];
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc;

    if (cfg == NULL) {
        json_writer_free(w);
        return -error_errnum(*err);
    }
    json_w_object_begin(w);
    json_w_key(w, "name");
    json_w_string(w, img->name ? img->name : "");
    if (img->ref_name) {
        json_w_key(w, "refName");
        json_w_string(w, img->ref_name);
    }
    json_w_key(w, "manifest");
    write_descriptor(w, &img->manifest);
    json_w_key(w, "platform");
    json_w_object_begin(w);
    json_w_key(w, "os");
    json_w_string(w, img->platform.os ? img->platform.os : "");
    json_w_key(w, "architecture");
    json_w_string(w, img->platform.architecture ? img->platform.architecture : "");
    if (img->platform.variant) {
        json_w_key(w, "variant");
        json_w_string(w, img->platform.variant);
    }
    json_w_object_end(w);
    json_w_key(w, "configDescriptor");
    write_descriptor(w, &img->config_desc);
    json_w_key(w, "layers");
    json_w_array_begin(w);
    for (size_t i = 0; i < img->n_layers; i++) {
        const struct image_layer *l = &img->layers[i];

        json_w_object_begin(w);
        json_w_key(w, "mediaType");
        json_w_string(w, l->desc.media_type ? l->desc.media_type : "");
        json_w_key(w, "digest");
        json_w_string(w, image_digest_str(&l->desc.digest, d));
        json_w_key(w, "size");
        json_w_int64(w, l->desc.size);
        json_w_key(w, "diffID");
        json_w_string(w, image_digest_str(&l->diff_id, d));
        json_w_object_end(w);
    }
    json_w_array_end(w);
    json_w_key(w, "config");
    json_w_value(w, cfg);
    json_w_object_end(w);
    json_free(cfg);
    rc = json_writer_finish(w, &buf, &len, err);
    if (rc < 0)
        return rc;
    fwrite(buf, 1, len, stdout);
    if (len == 0 || buf[len - 1] != '\n')
        putchar('\n');
    return 0;
}

int
icli_inspect(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_PLATFORM };
    static const struct option options[] = {
        {"json", no_argument, NULL, OPT_JSON},
        {"platform", required_argument, NULL, OPT_PLATFORM},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct image_platform platform = {0};
    _cleanup_(image_source_freep) struct image_source *src = NULL;
    _cleanup_(image_freep) struct image *img = NULL;
    struct image_ref ref = {0};
    struct error *err = NULL;
    bool json = false, have_platform = false;
    int c, rc = 0;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_PLATFORM:
            if (have_platform)
                image_platform_clear(&platform);
            if (image_platform_parse(optarg, &platform, &err) < 0)
                return icli_fail(&err);
            have_platform = true;
            break;
        case 'h':
            usage(stdout);
            return ICLI_EXIT_OK;
        case ':':
            return icli_usage_error("inspect", "option '%s' needs a value", argv[optind - 1]);
        default:
            return icli_usage_error("inspect", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return icli_usage_error("inspect", "expected one SRC");
    if (image_ref_parse(argv[optind], &ref, &err) < 0)
        rc = -1;
    if (rc == 0)
        src = image_source_open(&ref, &err);
    if (src != NULL)
        img = image_resolve(src, &ref, have_platform ? &platform : NULL, &err);
    image_ref_clear(&ref);
    if (have_platform)
        image_platform_clear(&platform);
    if (img == NULL)
        return icli_fail(&err);
    if (json) {
        if (print_json(img, &err) < 0)
            return icli_fail(&err);
    } else {
        print_text(img);
    }
    return ICLI_EXIT_OK;
}

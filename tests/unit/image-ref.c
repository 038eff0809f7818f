/* SPDX-License-Identifier: Apache-2.0 */
/* image/ref.c and image/platform.c: SRC references in every form (and the
 * errors for the malformed ones), docker reference normalisation, the
 * host's platform from uname names, --platform parsing and index entry
 * matching. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- references ---- */

static void
ok_ref(const char *src, enum image_transport t, const char *path, const char *tag,
       const char *digest, long index)
{
    struct image_ref r = {0};
    struct error *err = NULL;
    int rc = image_ref_parse(src, &r, &err);

    tap_ok(rc == 0 && err == NULL, "parse '%s'", src);
    if (rc < 0) {
        tap_diag("%s", err ? err->msg : "(no error)");
        error_free(&err);
        return;
    }
    tap_ok(r.transport == t, "'%s': transport", src);
    tap_is_str(r.path, path, "'%s': path", src);
    tap_is_str(r.tag, tag, "'%s': tag", src);
    tap_is_str(r.digest, digest, "'%s': digest", src);
    tap_is_int(r.docker_index, index, "'%s': docker index", src);
    image_ref_clear(&r);
}

/* SRC is refused with an error quoting it and containing WANT. */
static void
bad_ref(const char *src, const char *want)
{
    struct image_ref r = {0};
    struct error *err = NULL;
    int rc = image_ref_parse(src, &r, &err);
    char quoted[512];

    snprintf(quoted, sizeof(quoted), "'%s'", src);
    tap_ok(rc == -EINVAL && err != NULL && strstr(err->msg, quoted) != NULL
               && strstr(err->msg, want) != NULL,
           "refuse '%s' (%s)", src, want);
    if (err != NULL && (strstr(err->msg, want) == NULL || strstr(err->msg, quoted) == NULL))
        tap_diag("got: %s", err->msg);
    if (rc == 0)
        image_ref_clear(&r);
    error_free(&err);
}

static void
test_refs(void)
{
    ok_ref("oci:img", IMAGE_OCI, "img", NULL, NULL, -1);
    ok_ref("oci:./img:latest", IMAGE_OCI, "./img", "latest", NULL, -1);
    ok_ref("oci:/srv/img:v1.0_rc-2", IMAGE_OCI, "/srv/img", "v1.0_rc-2", NULL, -1);
    ok_ref("oci:img@" D64, IMAGE_OCI, "img", NULL, D64, -1);
    /* the LAST ':' separates the tag, and only a valid tag */
    ok_ref("oci:/a:b/img", IMAGE_OCI, "/a:b/img", NULL, NULL, -1);
    ok_ref("oci:/a:b/img:t", IMAGE_OCI, "/a:b/img", "t", NULL, -1);
    ok_ref("oci:dir:-x", IMAGE_OCI, "dir:-x", NULL, NULL, -1);
    ok_ref("oci:dir@home:x", IMAGE_OCI, "dir@home", "x", NULL, -1);
    ok_ref("oci:a@b", IMAGE_OCI, "a@b", NULL, NULL, -1);
    ok_ref("oci:img@md5:0123", IMAGE_OCI, "img@md5", "0123", NULL, -1);
    /* 128 characters is the longest tag; 129 are part of the path */
    {
        char src[300], tag[130];

        memset(tag, 'a', 128);
        tag[128] = '\0';
        snprintf(src, sizeof(src), "oci:d:%s", tag);
        ok_ref(src, IMAGE_OCI, "d", tag, NULL, -1);
        snprintf(src, sizeof(src), "oci:d:%sb", tag);
        ok_ref(src, IMAGE_OCI, src + 4, NULL, NULL, -1);
    }
    ok_ref("oci-archive:img.tar", IMAGE_OCI_ARCHIVE, "img.tar", NULL, NULL, -1);
    ok_ref("oci-archive:/x/img.tar:1.2", IMAGE_OCI_ARCHIVE, "/x/img.tar", "1.2", NULL, -1);
    ok_ref("oci-archive:img.tar@" D64, IMAGE_OCI_ARCHIVE, "img.tar", NULL, D64, -1);
    ok_ref("docker-archive:b.tar", IMAGE_DOCKER_ARCHIVE, "b.tar", NULL, NULL, -1);
    ok_ref("docker-archive:b.tar:busybox:latest", IMAGE_DOCKER_ARCHIVE, "b.tar",
           "docker.io/library/busybox:latest", NULL, -1);
    ok_ref("docker-archive:b.tar:busybox", IMAGE_DOCKER_ARCHIVE, "b.tar",
           "docker.io/library/busybox:latest", NULL, -1);
    ok_ref("docker-archive:b.tar:docker.io/library/busybox:1", IMAGE_DOCKER_ARCHIVE, "b.tar",
           "docker.io/library/busybox:1", NULL, -1);
    ok_ref("docker-archive:b.tar:localhost:5000/app:v2", IMAGE_DOCKER_ARCHIVE, "b.tar",
           "localhost:5000/app:v2", NULL, -1);
    ok_ref("docker-archive:b.tar:@0", IMAGE_DOCKER_ARCHIVE, "b.tar", NULL, NULL, 0);
    ok_ref("docker-archive:b.tar:@12", IMAGE_DOCKER_ARCHIVE, "b.tar", NULL, NULL, 12);

    bad_ref("img", "no transport");
    bad_ref("docker://busybox", "unknown transport 'docker'");
    bad_ref("dir:/x", "unknown transport 'dir'");
    bad_ref("oci:", "missing the directory");
    bad_ref("oci::latest", "missing the directory");
    bad_ref("oci:img:", "empty tag");
    bad_ref("oci:img@sha256:abc", "needs 64 hex digits");
    bad_ref("oci:img@sha384:0123456789abcdef0123456789abcdef0123456789abcdef",
            "unsupported algorithm");
    bad_ref("oci-archive:", "missing the file");
    bad_ref("docker-archive:", "missing the file");
    bad_ref("docker-archive::busybox", "missing the file");
    bad_ref("docker-archive:b.tar:", "empty reference");
    bad_ref("docker-archive:b.tar:@", "not an image index");
    bad_ref("docker-archive:b.tar:@-1", "not an image index");
    bad_ref("docker-archive:b.tar:@1x", "not an image index");
    bad_ref("docker-archive:b.tar:@99999999999", "not an image index");
    bad_ref("docker-archive:b.tar:busybox@" D64, "digests are not supported");
    bad_ref("docker-archive:b.tar:BusyBox:1", "invalid repository name");
    bad_ref("docker-archive:b.tar:busybox:", "invalid tag");
    bad_ref("docker-archive:b.tar:a..b:1", "invalid repository name");
    bad_ref("docker-archive:b.tar:a/:1", "invalid repository name");
    /* every error lists the accepted forms */
    bad_ref("oci:", "oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG|@DIGEST], "
                    "docker-archive:FILE[:NAME:TAG|:@INDEX]");
}

static void
test_ref_str(void)
{
    const char *const srcs[] = {
        "oci:img",
        "oci:img:v1",
        ("oci:img@" D64),
        "oci-archive:/x/a.tar:1",
        "docker-archive:b.tar",
        "docker-archive:b.tar:@3",
        "docker-archive:b.tar:docker.io/library/busybox:latest",
    };

    for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
        struct image_ref r = {0};
        struct error *err = NULL;
        char *s = NULL;

        if (image_ref_parse(srcs[i], &r, &err) == 0)
            s = image_ref_str(&r);
        tap_ok(s != NULL && strcmp(s, srcs[i]) == 0, "image_ref_str round trip '%s'", srcs[i]);
        if (s != NULL && strcmp(s, srcs[i]) != 0)
            tap_diag("got '%s'", s);
        free(s);
        image_ref_clear(&r);
        error_free(&err);
    }
}

static void
norm(const char *in, const char *want)
{
    char *got = NULL;
    struct error *err = NULL;
    int rc = image_docker_ref_normalize(in, &got, &err);

    if (want == NULL) {
        tap_ok(rc == -EINVAL && err != NULL && got == NULL, "normalize '%s' refused", in);
    } else {
        tap_is_str(got, want, "normalize '%s'", in);
        if (err != NULL)
            tap_diag("%s", err->msg);
    }
    free(got);
    error_free(&err);
}

static void
test_docker_refs(void)
{
    norm("busybox", "docker.io/library/busybox:latest");
    norm("busybox:latest", "docker.io/library/busybox:latest");
    norm("library/busybox:1.36", "docker.io/library/busybox:1.36");
    norm("docker.io/library/busybox:latest", "docker.io/library/busybox:latest");
    norm("index.docker.io/library/busybox", "docker.io/library/busybox:latest");
    norm("docker.io/busybox", "docker.io/library/busybox:latest");
    norm("user/app:v1", "docker.io/user/app:v1");
    norm("quay.io/org/app:v1", "quay.io/org/app:v1");
    norm("localhost/app", "localhost/app:latest");
    norm("localhost:5000/a/b/c:t", "localhost:5000/a/b/c:t");
    norm("Registry.Example/app:1", "Registry.Example/app:1");
    norm("[::1]:5000/app:1", "[::1]:5000/app:1");
    norm("my-reg.example.com:443/a_b/c__d/e--f.g:x", "my-reg.example.com:443/a_b/c__d/e--f.g:x");
    norm("", NULL);
    norm(":tag", NULL);
    norm("app:", NULL);
    norm("app:-x", NULL);
    norm("App", NULL);
    norm("a_", NULL);
    norm("a___b", NULL);
    norm("-reg.example/app", NULL);
    norm("reg.example:port/app", NULL);
    norm("a//b", NULL);
    norm("app@" D64, NULL);
    {
        /* 255 bytes is docker's limit on the normalised name: 237 bytes
         * make exactly 255 with "docker.io/library/", 238 one too many. */
        char name[300];
        char want[400];

        memset(name, 'a', 238);
        name[238] = '\0';
        norm(name, NULL);
        name[237] = '\0';
        snprintf(want, sizeof(want), "docker.io/library/%s:latest", name);
        norm(name, want);
    }
}

/* ---- platforms ---- */

static void
machine(const char *m, const char *want)
{
    struct image_platform p;
    char *s;

    image_platform_from_machine(m, &p);
    s = image_platform_str(&p);
    tap_is_str(s, want, "uname machine '%s'", m);
    free(s);
    image_platform_clear(&p);
}

static void
test_host(void)
{
    struct image_platform p;

    machine("x86_64", "linux/amd64");
    machine("aarch64", "linux/arm64/v8");
    machine("arm64", "linux/arm64/v8");
    machine("armv7l", "linux/arm/v7");
    machine("armv6l", "linux/arm/v6");
    machine("i686", "linux/386");
    machine("i386", "linux/386");
    machine("ppc64le", "linux/ppc64le");
    machine("s390x", "linux/s390x");
    machine("riscv64", "linux/riscv64");
    machine("loongarch64", "linux/loong64");
    machine("weird9", "linux/weird9");

    image_platform_host(&p);
    tap_ok(p.os != NULL && strcmp(p.os, "linux") == 0 && p.architecture != NULL
               && strchr(p.architecture, '_') == NULL,
           "host platform is linux/%s", p.architecture ? p.architecture : "?");
    image_platform_clear(&p);
}

static void
plat_parse(const char *s, const char *os, const char *arch, const char *variant)
{
    struct image_platform p = {0};
    struct error *err = NULL;
    int rc = image_platform_parse(s, &p, &err);

    if (os == NULL) {
        tap_ok(rc == -EINVAL && err != NULL && strstr(err->msg, s) != NULL,
               "--platform '%s' refused", s);
    } else {
        tap_ok(rc == 0, "--platform '%s' parses", s);
        tap_is_str(p.os, os, "'%s': os", s);
        tap_is_str(p.architecture, arch, "'%s': architecture", s);
        tap_is_str(p.variant, variant, "'%s': variant", s);
    }
    image_platform_clear(&p);
    error_free(&err);
}

static void
test_platform_parse(void)
{
    plat_parse("linux/amd64", "linux", "amd64", NULL);
    plat_parse("linux/arm/v7", "linux", "arm", "v7");
    plat_parse("Linux/ARM64/v8", "linux", "arm64", "v8");
    plat_parse("linux", NULL, NULL, NULL);
    plat_parse("linux/", NULL, NULL, NULL);
    plat_parse("/amd64", NULL, NULL, NULL);
    plat_parse("linux//v7", NULL, NULL, NULL);
    plat_parse("linux/arm/v7/x", NULL, NULL, NULL);
    plat_parse("linux/am d64", NULL, NULL, NULL);
    plat_parse("", NULL, NULL, NULL);
}

/* WANT ("os/arch[/variant]") against HAVE (os, arch, variant or NULL). */
static void
match(const char *want_s, const char *os, const char *arch, const char *variant, bool expect)
{
    struct image_platform want = {0};
    struct image_platform have = {
        .os = (char *)os, .architecture = (char *)arch, .variant = (char *)variant};
    struct error *err = NULL;

    if (image_platform_parse(want_s, &want, &err) < 0) {
        tap_ok(false, "parse %s", want_s);
        error_free(&err);
        return;
    }
    tap_ok(image_platform_match(&want, &have) == expect, "%s %s %s/%s%s%s", want_s,
           expect ? "matches" : "does not match", os ? os : "(null)", arch ? arch : "(null)",
           variant ? "/" : "", variant ? variant : "");
    image_platform_clear(&want);
}

static void
test_platform_match(void)
{
    match("linux/amd64", "linux", "amd64", NULL, true);
    match("linux/amd64", "linux", "amd64", "v3", true);
    match("linux/amd64", "linux", "x86_64", NULL, true);
    match("linux/amd64", "windows", "amd64", NULL, false);
    match("linux/amd64", "linux", "arm64", NULL, false);
    match("linux/amd64", NULL, "amd64", NULL, false);
    match("linux/amd64/v2", "linux", "amd64", "v3", false);
    match("linux/amd64/v1", "linux", "amd64", NULL, true);
    /* arm64 without a variant is v8, both ways */
    match("linux/arm64/v8", "linux", "arm64", NULL, true);
    match("linux/arm64", "linux", "arm64", "v8", true);
    match("linux/arm64/v8", "linux", "aarch64", "8", true);
    match("linux/arm64/v8", "linux", "arm64", "v9", false);
    match("linux/arm64", "linux", "arm64", "v9", false);
    /* arm without a variant is v7 */
    match("linux/arm/v7", "linux", "arm", NULL, true);
    match("linux/arm/v7", "linux", "arm", "7", true);
    match("linux/arm/v7", "linux", "arm", "v6", false);
    match("linux/arm/v6", "linux", "armel", NULL, true);
    match("linux/arm/v7", "linux", "armhf", NULL, true);
    match("linux/386", "linux", "i386", NULL, true);
    match("linux/ppc64le", "linux", "ppc64le", NULL, true);
    match("linux/s390x", "linux", "ppc64le", NULL, false);
    {
        struct image_platform w = {0}, c = {0};
        struct error *err = NULL;
        char *s;

        tap_ok(image_platform_parse("linux/arm/v7", &w, &err) == 0, "parse for copy");
        image_platform_copy(&c, &w);
        s = image_platform_str(&c);
        tap_is_str(s, "linux/arm/v7", "image_platform_copy");
        tap_ok(image_platform_match(&w, &c), "a copy matches its original");
        free(s);
        image_platform_clear(&w);
        image_platform_clear(&c);
        tap_ok(!image_platform_match(&w, NULL), "no platform never matches");
    }
}

int
main(void)
{
    test_refs();
    test_ref_str();
    test_docker_refs();
    test_host();
    test_platform_parse();
    test_platform_match();
    return tap_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Platforms (image-index.md "platform"): the host's in OCI terms, the
 * --platform argument, and matching an index entry against the one wanted.
 * Names are compared after the normalisation containerd applies
 * ("aarch64" is arm64, arm64 without a variant is v8, "armhf" is arm/v7),
 * so that an index written by any tool matches the host. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "image/image.h"
#include "image/manifest.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

struct norm {
    const char *os, *arch, *variant; /* variant NULL: none */
};

static bool
eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

static bool
is_empty(const char *s)
{
    return s == NULL || *s == '\0';
}

/* The canonical names of an (os, architecture, variant) triple.  The
 * strings returned are the inputs or static ones. */
static struct norm
normalize(const char *os, const char *arch, const char *variant)
{
    static const char *const arm_variants[] = {"v5", "v6", "v7", "v8"};
    struct norm n = {os, arch, is_empty(variant) ? NULL : variant};

    if (eq(os, "macos"))
        n.os = "darwin";
    if (eq(arch, "x86_64") || eq(arch, "x86-64") || eq(arch, "amd64")) {
        n.arch = "amd64";
        if (eq(n.variant, "v1"))
            n.variant = NULL;
    } else if (eq(arch, "aarch64") || eq(arch, "arm64")) {
        n.arch = "arm64";
        if (n.variant == NULL || eq(n.variant, "8") || eq(n.variant, "v8") || eq(n.variant, "v8.0"))
            n.variant = "v8";
        else if (eq(n.variant, "9") || eq(n.variant, "9.0") || eq(n.variant, "v9.0"))
            n.variant = "v9";
    } else if (eq(arch, "armhf")) {
        n.arch = "arm";
        n.variant = "v7";
    } else if (eq(arch, "armel")) {
        n.arch = "arm";
        n.variant = "v6";
    } else if (eq(arch, "arm")) {
        if (n.variant == NULL)
            n.variant = "v7";
        else if (strlen(n.variant) == 1 && n.variant[0] >= '5' && n.variant[0] <= '8')
            n.variant = arm_variants[n.variant[0] - '5'];
    } else if (eq(arch, "i386") || eq(arch, "i486") || eq(arch, "i586") || eq(arch, "i686")
               || eq(arch, "x86") || eq(arch, "386")) {
        n.arch = "386";
    }
    return n;
}

void
image_platform_from_machine(const char *machine, struct image_platform *ret)
{
    struct norm n;

    memset(ret, 0, sizeof(*ret));
    ret->os = xstrdup("linux");
    /* uname's names for 32-bit arm carry the variant: armv7l, armv6l... */
    if (strncmp(machine, "armv", 4) == 0 && machine[4] >= '5' && machine[4] <= '8') {
        ret->architecture = xstrdup("arm");
        ret->variant = xasprintf("v%c", machine[4]);
        return;
    }
    if (strcmp(machine, "ppc64le") == 0 || strcmp(machine, "s390x") == 0
        || strcmp(machine, "riscv64") == 0 || strcmp(machine, "ppc64") == 0
        || strcmp(machine, "mips64") == 0) {
        ret->architecture = xstrdup(machine);
        return;
    }
    if (strcmp(machine, "loongarch64") == 0) {
        ret->architecture = xstrdup("loong64");
        return;
    }
    n = normalize("linux", machine, NULL);
    ret->architecture = xstrdup(n.arch);
    if (n.variant != NULL)
        ret->variant = xstrdup(n.variant);
}

void
image_platform_host(struct image_platform *ret)
{
    struct utsname u;

    if (uname(&u) < 0) /* cannot fail with a valid buffer */
        abort();
    image_platform_from_machine(u.machine, ret);
}

static bool
is_platform_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

int
image_platform_parse(const char *s, struct image_platform *ret, struct error **err)
{
    const char *parts[3];
    size_t lens[3], n = 0;
    const char *p = s;
    struct image_platform pl = {0};

    for (;;) {
        size_t len = strcspn(p, "/");

        if (n == 3)
            return error_setx(err, EINVAL,
                              "platform '%s': too many components (expected OS/ARCH[/VARIANT])", s);
        parts[n] = p;
        lens[n++] = len;
        if (len == 0)
            return error_setx(err, EINVAL,
                              "platform '%s': empty component (expected OS/ARCH[/VARIANT])", s);
        for (size_t i = 0; i < len; i++)
            if (!is_platform_char(p[i]))
                return error_setx(err, EINVAL, "platform '%s': invalid character '%c'", s, p[i]);
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    if (n < 2)
        return error_setx(err, EINVAL, "platform '%s': expected OS/ARCH[/VARIANT]", s);
    pl.os = xstrndup(parts[0], lens[0]);
    pl.architecture = xstrndup(parts[1], lens[1]);
    if (n == 3)
        pl.variant = xstrndup(parts[2], lens[2]);
    for (char *c = pl.os; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    for (char *c = pl.architecture; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    *ret = pl;
    return 0;
}

bool
image_platform_match(const struct image_platform *want, const struct image_platform *have)
{
    struct norm w, h;

    if (want == NULL || have == NULL || have->os == NULL || have->architecture == NULL)
        return false;
    w = normalize(want->os, want->architecture, want->variant);
    h = normalize(have->os, have->architecture, have->variant);
    if (!eq(w.os, h.os) || !eq(w.arch, h.arch))
        return false;
    /* A variant asked for must be the one offered; without one, any
     * variant of the architecture will do (the first in the index wins). */
    if (w.variant != NULL && !eq(w.variant, h.variant))
        return false;
    return true;
}

void
image_platform_clear(struct image_platform *p)
{
    if (p == NULL)
        return;
    free(p->os);
    free(p->architecture);
    free(p->variant);
    free(p->os_version);
    strv_clear(&p->os_features);
    memset(p, 0, sizeof(*p));
}

char *
image_platform_str(const struct image_platform *p)
{
    const char *os = p->os ? p->os : "?", *arch = p->architecture ? p->architecture : "?";

    if (!is_empty(p->variant))
        return xasprintf("%s/%s/%s", os, arch, p->variant);
    return xasprintf("%s/%s", os, arch);
}

void
image_platform_copy(struct image_platform *ret, const struct image_platform *src)
{
    memset(ret, 0, sizeof(*ret));
    ret->os = src->os ? xstrdup(src->os) : NULL;
    ret->architecture = src->architecture ? xstrdup(src->architecture) : NULL;
    ret->variant = src->variant ? xstrdup(src->variant) : NULL;
    ret->os_version = src->os_version ? xstrdup(src->os_version) : NULL;
    strv_copy(&ret->os_features, &src->os_features);
}

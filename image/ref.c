/* SPDX-License-Identifier: Apache-2.0 */
/* Image references in skopeo's transport syntax: oci:DIR[:TAG|@DIGEST],
 * oci-archive:FILE[:TAG|@DIGEST], docker-archive:FILE[:NAME[:TAG]|:@INDEX],
 * and docker references ("busybox:latest") normalised as docker compares
 * them.  Pure string work: nothing here touches the filesystem. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

static const char ref_forms[] = "expected oci:DIR[:TAG|@DIGEST], oci-archive:FILE[:TAG|@DIGEST], "
                                "docker-archive:FILE[:NAME:TAG|:@INDEX]";

/* A tag as docker and annotations.md's common usage write it:
 * [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
static bool
is_tag(const char *s, size_t len)
{
    if (len == 0 || len > 128)
        return false;
    if (!(isalnum((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

static bool
is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* descriptor.md's digest grammar: algorithm ":" encoded, with
 * algorithm ::= [a-z0-9]+ ([+._-] [a-z0-9]+)* and encoded ::= [a-zA-Z0-9=_-]+.
 * Text of that shape after '@', with a registered algorithm or an encoded
 * part as long as a hash's, is meant as a digest (and must then be a valid
 * one); anything else after '@' is part of the path ("oci:dir@home:x" is
 * the tag x of the directory "dir@home"). */
static bool
looks_like_digest(const char *s)
{
    const char *colon = strchr(s, ':');
    bool want_alnum = true;

    if (colon == NULL || colon == s || colon[1] == '\0')
        return false;
    for (const char *c = s; c < colon; c++) {
        if (is_lower_alnum(*c))
            want_alnum = false;
        else if (!want_alnum && strchr("+._-", *c) != NULL)
            want_alnum = true;
        else
            return false;
    }
    if (want_alnum)
        return false;
    for (const char *c = colon + 1; *c; c++)
        if (!isalnum((unsigned char)*c) && strchr("=_-", *c) == NULL)
            return false;
    return strncmp(s, "sha256:", 7) == 0 || strncmp(s, "sha512:", 7) == 0
           || strlen(colon + 1) >= 32;
}

/* oci: and oci-archive: — "PATH", "PATH:TAG" or "PATH@DIGEST".  The LAST
 * ':' separates a tag, and only when what follows it is a valid tag: a path
 * may hold ':' elsewhere ("oci:/srv/a:b/img" is the directory "/srv/a:b/img"). */
static int
parse_oci(const char *src, const char *rest, struct image_ref *r, struct error **err)
{
    const char *at = strrchr(rest, '@');
    const char *colon;
    size_t path_len = strlen(rest);

    if (at != NULL && looks_like_digest(at + 1)) {
        struct image_digest d;
        struct error *derr = NULL;

        if (image_digest_parse(at + 1, &d, &derr) < 0) {
            int rc = error_setx(err, EINVAL, "image '%s': %s", src, derr->msg);
            error_free(&derr);
            return rc;
        }
        r->digest = xstrndup(at + 1, strlen(at + 1));
        path_len = (size_t)(at - rest);
    } else if ((colon = strrchr(rest, ':')) != NULL) {
        size_t tag_len = strlen(colon + 1);

        if (tag_len == 0)
            return error_setx(err, EINVAL, "image '%s': empty tag after ':' (%s)", src, ref_forms);
        if (is_tag(colon + 1, tag_len)) {
            r->tag = xstrdup(colon + 1);
            path_len = (size_t)(colon - rest);
        }
    }
    if (path_len == 0)
        return error_setx(err, EINVAL, "image '%s': missing the %s (%s)", src,
                          r->transport == IMAGE_OCI ? "directory" : "file", ref_forms);
    r->path = xstrndup(rest, path_len);
    return 0;
}

/* docker-archive: — "FILE", "FILE:NAME[:TAG]" or "FILE:@INDEX".  As in
 * skopeo, the FIRST ':' ends the file name: a docker reference holds ':'
 * itself ("localhost:5000/app:1"), so a path cannot. */
static int
parse_docker(const char *src, const char *rest, struct image_ref *r, struct error **err)
{
    const char *colon = strchr(rest, ':');
    size_t path_len = colon != NULL ? (size_t)(colon - rest) : strlen(rest);

    if (path_len == 0)
        return error_setx(err, EINVAL, "image '%s': missing the file (%s)", src, ref_forms);
    if (colon != NULL) {
        const char *what = colon + 1;

        if (*what == '\0')
            return error_setx(err, EINVAL, "image '%s': empty reference after ':' (%s)", src,
                              ref_forms);
        if (*what == '@') {
            char *end = NULL;
            long n;

            if (!isdigit((unsigned char)what[1]))
                return error_setx(
                    err, EINVAL, "image '%s': '%s' is not an image index (@0, @1, ...)", src, what);
            errno = 0;
            n = strtol(what + 1, &end, 10);
            if (errno != 0 || *end != '\0' || n > INT_MAX)
                return error_setx(
                    err, EINVAL, "image '%s': '%s' is not an image index (@0, @1, ...)", src, what);
            r->docker_index = n;
        } else {
            struct error *rerr = NULL;

            if (image_docker_ref_normalize(what, &r->tag, &rerr) < 0) {
                int rc = error_setx(err, EINVAL, "image '%s': %s (%s)", src, rerr->msg, ref_forms);
                error_free(&rerr);
                return rc;
            }
        }
    }
    r->path = xstrndup(rest, path_len);
    return 0;
}

int
image_ref_parse(const char *src, struct image_ref *ret, struct error **err)
{
    static const struct {
        const char *prefix;
        enum image_transport t;
    } transports[] = {
        {"oci:", IMAGE_OCI},
        {"oci-archive:", IMAGE_OCI_ARCHIVE},
        {"docker-archive:", IMAGE_DOCKER_ARCHIVE},
    };
    struct image_ref r = {.docker_index = -1};
    const char *rest = NULL;
    int rc;

    for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
        size_t n = strlen(transports[i].prefix);

        if (strncmp(src, transports[i].prefix, n) == 0) {
            r.transport = transports[i].t;
            rest = src + n;
            break;
        }
    }
    if (rest == NULL) {
        const char *colon = strchr(src, ':');

        if (colon != NULL && colon != src
            && strspn(src, "abcdefghijklmnopqrstuvwxyz-") == (size_t)(colon - src))
            return error_setx(err, EINVAL, "image '%s': unknown transport '%.*s' (%s)", src,
                              (int)(colon - src), src, ref_forms);
        return error_setx(err, EINVAL, "image '%s': no transport (%s)", src, ref_forms);
    }
    if (r.transport == IMAGE_DOCKER_ARCHIVE)
        rc = parse_docker(src, rest, &r, err);
    else
        rc = parse_oci(src, rest, &r, err);
    if (rc < 0) {
        image_ref_clear(&r);
        return rc;
    }
    *ret = r;
    return 0;
}

void
image_ref_clear(struct image_ref *r)
{
    free(r->path);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof(*r));
    r->docker_index = -1;
}

char *
image_ref_str(const struct image_ref *r)
{
    const char *t = r->transport == IMAGE_OCI           ? "oci"
                    : r->transport == IMAGE_OCI_ARCHIVE ? "oci-archive"
                                                        : "docker-archive";
    const char *path = r->path ? r->path : "";

    if (r->digest != NULL)
        return xasprintf("%s:%s@%s", t, path, r->digest);
    if (r->tag != NULL)
        return xasprintf("%s:%s:%s", t, path, r->tag);
    if (r->transport == IMAGE_DOCKER_ARCHIVE && r->docker_index >= 0)
        return xasprintf("%s:%s:@%ld", t, path, r->docker_index);
    return xasprintf("%s:%s", t, path);
}

/* ---- docker references (distribution's reference grammar) ---- */

/* domain-component ::= [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9],
 * joined by '.', then an optional ":port"; or an IPv6 address in brackets. */
static bool
is_domain(const char *s, size_t len)
{
    size_t i = 0;

    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);

        if (close == NULL || close == s + 1)
            return false;
        for (const char *c = s + 1; c < close; c++)
            if (!isxdigit((unsigned char)*c) && *c != ':')
                return false;
        i = (size_t)(close - s) + 1;
    } else {
        for (;;) {
            size_t start = i;

            while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
                i++;
            if (i == start || s[start] == '-' || s[i - 1] == '-')
                return false;
            if (i < len && s[i] == '.') {
                i++;
                continue;
            }
            break;
        }
    }
    if (i < len && s[i] == ':') {
        size_t digits = strspn(s + i + 1, "0123456789");

        if (digits == 0 || i + 1 + digits != len)
            return false;
        i = len;
    }
    return i == len;
}

/* path-component ::= [a-z0-9]+ (separator [a-z0-9]+)*, with
 * separator ::= [_.] | "__" | "-"+ ; components joined by '/'. */
static bool
is_remote_name(const char *s, size_t len)
{
    size_t i = 0;

    for (;;) {
        size_t start = i;

        while (i < len && s[i] != '/') {
            if (!is_lower_alnum(s[i]))
                return false;
            while (i < len && is_lower_alnum(s[i]))
                i++;
            if (i < len && s[i] != '/') {
                size_t sep = i;

                if (s[i] == '_' && i + 1 < len && s[i + 1] == '_')
                    i += 2;
                else if (s[i] == '_' || s[i] == '.')
                    i++;
                else
                    while (i < len && s[i] == '-')
                        i++;
                if (i == sep || i == len || !is_lower_alnum(s[i]))
                    return false;
            }
        }
        if (i == start)
            return false;
        if (i == len)
            return true;
        i++; /* the '/' */
    }
}

int
image_docker_ref_normalize(const char *s, char **ret, struct error **err)
{
    const char *slash = strrchr(s, '/');
    const char *colon = strrchr(slash != NULL ? slash : s, ':');
    const char *tag = "latest";
    size_t name_len = colon != NULL ? (size_t)(colon - s) : strlen(s);
    const char *first = memchr(s, '/', name_len);
    const char *domain = "docker.io", *remote = s;
    size_t domain_len = strlen(domain), remote_len = name_len;
    bool library;

    if (strchr(s, '@') != NULL)
        return error_setx(err, EINVAL, "reference '%s': digests are not supported, only NAME[:TAG]",
                          s);
    if (colon != NULL) {
        tag = colon + 1;
        if (!is_tag(tag, strlen(tag)))
            return error_setx(err, EINVAL, "reference '%s': invalid tag '%s'", s, tag);
    }
    if (name_len == 0)
        return error_setx(err, EINVAL, "reference '%s': missing the name", s);
    if (name_len > 255)
        return error_setx(err, EINVAL, "reference '%s': the name is longer than 255 bytes", s);
    /* As docker decides: the first component is a registry when it looks
     * like a host name (a dot or a port), is "localhost", or has capitals
     * (which a repository name never has). */
    if (first != NULL) {
        size_t n = (size_t)(first - s);
        bool host = memchr(s, '.', n) != NULL || memchr(s, ':', n) != NULL
                    || (n == 9 && strncmp(s, "localhost", 9) == 0);

        for (size_t i = 0; i < n && !host; i++)
            host = isupper((unsigned char)s[i]);
        if (host) {
            if (!is_domain(s, n))
                return error_setx(err, EINVAL, "reference '%s': invalid registry '%.*s'", s, (int)n,
                                  s);
            domain = s;
            domain_len = n;
            remote = first + 1;
            remote_len = name_len - n - 1;
            if (domain_len == 15 && strncmp(domain, "index.docker.io", 15) == 0) {
                domain = "docker.io";
                domain_len = 9;
            }
        }
    }
    if (!is_remote_name(remote, remote_len))
        return error_setx(err, EINVAL,
                          "reference '%s': invalid repository name '%.*s' (lowercase letters, "
                          "digits and separators)",
                          s, (int)remote_len, remote);
    library = domain_len == 9 && strncmp(domain, "docker.io", 9) == 0
              && memchr(remote, '/', remote_len) == NULL;
    /* The limit is on the normalised name, as docker checks it: otherwise
     * a name accepted here would be refused once normalised. */
    if (domain_len + 1 + (library ? 8 : 0) + remote_len > 255)
        return error_setx(err, EINVAL, "reference '%s': the name is longer than 255 bytes", s);
    *ret = xasprintf("%.*s/%s%.*s:%s", (int)domain_len, domain, library ? "library/" : "",
                     (int)remote_len, remote, tag);
    return 0;
}

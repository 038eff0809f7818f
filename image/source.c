/* SPDX-License-Identifier: Apache-2.0 */
/* Sources of blobs, and the verifying blob reader.  A blob is read through
 * a span (SIZE bytes at OFFSET of an fd: a layout's blob file, or a member
 * of an archive read in place) and checked while the bytes go by: never
 * more than the descriptor's size is read, fewer is an error, and the digest
 * is compared as soon as the last byte has been hashed.
 *
 * descriptor.md "Verification": "Before consuming content targeted by a
 * descriptor from untrusted sources, the byte content SHOULD be verified
 * against the digest string.  Before calculating the digest, the size of
 * the content SHOULD be verified". */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/manifest.h"
#include "image/source.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* oci-layout is a few bytes; anything large is not one. */
#define LAYOUT_FILE_MAX (64u << 10)

static void
span_release(struct image_source_span *sp)
{
    if (sp->own_fd && sp->fd >= 0)
        close(sp->fd);
    sp->fd = -1;
    sp->own_fd = false;
}

int
image_source_span(struct image_source *s, const char *name, struct image_source_span *ret,
                  struct error **err)
{
    if (s->transport == IMAGE_OCI)
        return image_source_oci_span(s, name, ret, err);
    return image_source_archive_span(s, name, ret, err);
}

char *
image_source_file_label(const struct image_source *s, const char *name)
{
    return xasprintf("%s/%s", s->name, name);
}

/* Read exactly LEN bytes at OFF of SP into BUF: -EIO if the file ends
 * first (it shrank since it was measured). */
static ssize_t
span_pread(const struct image_source_span *sp, void *buf, size_t len, uint64_t off)
{
    for (;;) {
        ssize_t n = pread(sp->fd, buf, len, (off_t)(sp->offset + off));

        if (n >= 0 || errno != EINTR)
            return n < 0 ? -errno : n;
    }
}

int
image_source_read_file(struct image_source *s, const char *name, size_t max, char **ret_buf,
                       size_t *ret_len, struct error **err)
{
    struct image_source_span sp = {.fd = -1};
    _cleanup_free_ char *buf = NULL;
    size_t got = 0;
    int rc = image_source_span(s, name, &sp, err);

    if (rc < 0)
        return rc;
    if (sp.size > max) {
        span_release(&sp);
        return error_setx(err, EFBIG, "'%s/%s': %" PRIu64 " bytes, more than the %zu allowed",
                          s->name, name, sp.size, max);
    }
    buf = xmalloc((size_t)sp.size + 1);
    while (got < sp.size) {
        ssize_t n = span_pread(&sp, buf + got, (size_t)sp.size - got, got);

        if (n <= 0) {
            span_release(&sp);
            if (n == 0)
                return error_setx(err, EIO, "'%s/%s': truncated at %zu of %" PRIu64 " bytes",
                                  s->name, name, got, sp.size);
            return error_set(err, (int)-n, "'%s/%s': read", s->name, name);
        }
        got += (size_t)n;
    }
    span_release(&sp);
    buf[got] = '\0';
    if (ret_len != NULL)
        *ret_len = got;
    *ret_buf = TAKE_PTR(buf);
    return 0;
}

int
image_source_file_size(struct image_source *s, const char *name, int64_t *ret, struct error **err)
{
    struct image_source_span sp = {.fd = -1};
    int rc = image_source_span(s, name, &sp, err);

    if (rc < 0)
        return rc;
    span_release(&sp);
    if (sp.size > INT64_MAX)
        return error_setx(err, EFBIG, "'%s/%s': too large", s->name, name);
    *ret = (int64_t)sp.size;
    return 0;
}

/* ---- opening a source ---- */

static int
check_layout(struct image_source *s, struct error **err)
{
    _cleanup_free_ char *buf = NULL, *label = NULL;
    size_t len;
    int rc = image_source_read_file(s, "oci-layout", LAYOUT_FILE_MAX, &buf, &len, err);

    if (rc == -ENOENT)
        return error_wrap(err, "'%s' is not an OCI image layout", s->name);
    if (rc < 0)
        return rc;
    label = image_source_file_label(s, "oci-layout");
    return image_layout_check(buf, len, label, err);
}

struct image_source *
image_source_open(const struct image_ref *ref, struct error **err)
{
    struct image_source *s = xcalloc(1, sizeof(*s));
    int rc;

    s->transport = ref->transport;
    s->name = xstrdup(ref->path);
    s->fd = -1;
    if (ref->transport == IMAGE_OCI)
        rc = image_source_oci_open(s, ref->path, err);
    else
        rc = image_source_archive_open(s, ref->path, err);
    if (rc < 0)
        goto fail;
    /* image-layout.md: oci-layout "MUST exist".  A docker save archive has
     * manifest.json instead (and, from Docker 25, an OCI layout too: its
     * manifest.json is still what docker-archive: reads). */
    if (ref->transport == IMAGE_DOCKER_ARCHIVE) {
        int64_t size;

        rc = image_source_file_size(s, "manifest.json", &size, err);
        if (rc == -ENOENT)
            rc = error_wrap(err, "'%s' is not a docker archive", s->name);
    } else {
        rc = check_layout(s, err);
    }
    if (rc < 0)
        goto fail;
    return s;
fail:
    image_source_free(s);
    return NULL;
}

void
image_source_free(struct image_source *s)
{
    if (s == NULL)
        return;
    if (s->fd >= 0)
        close(s->fd);
    if (s->members != NULL)
        image_tar_members_free(s->members, s->n_members);
    free(s->name);
    free(s);
}

/* ---- blobs ---- */

struct image_blob {
    struct image_source_span span;
    uint64_t size, pos;
    struct image_hash *hash; /* NULL: the digest is the caller's to check */
    struct image_digest want;
    char *name; /* "blob sha256:...", for errors */
    bool verified;
};

static char *
blob_name(const struct image_descriptor *d)
{
    char dg[IMAGE_DIGEST_STR_MAX];

    if (d->path != NULL && d->digest_is_diff_id)
        return xasprintf("blob '%s'", d->path);
    if (d->path != NULL)
        return xasprintf("blob %s ('%s')", image_digest_str(&d->digest, dg), d->path);
    return xasprintf("blob %s", image_digest_str(&d->digest, dg));
}

/* image-layout.md: "The content of blobs/<alg>/<encoded> MUST match the
 * digest <alg>:<encoded>"; an archive's members are held to the same. */
struct image_blob *
image_blob_open(struct image_source *s, const struct image_descriptor *d, struct error **err)
{
    struct image_blob *b;
    _cleanup_free_ char *name = NULL, *file = NULL;
    struct image_source_span sp = {.fd = -1};

    if (d->digest.alg != IMAGE_DIGEST_SHA256 && d->digest.alg != IMAGE_DIGEST_SHA512) {
        error_setx(err, EINVAL, "blob '%s': descriptor without a digest", d->path ? d->path : "?");
        return NULL;
    }
    name = blob_name(d);
    if (d->size < 0) {
        error_setx(err, EINVAL, "%s: invalid size %" PRId64, name, d->size);
        return NULL;
    }
    /* The digest was validated (image_digest_parse): lowercase hex of the
     * algorithm's length, safe as a file name. */
    if (d->path == NULL)
        file = xasprintf("blobs/%s/%s", image_digest_alg_name(d->digest.alg), d->digest.hex);
    if (image_source_span(s, d->path ? d->path : file, &sp, err) < 0) {
        error_wrap(err, "%s", name);
        return NULL;
    }
    if (sp.size != (uint64_t)d->size) {
        error_setx(err, EBADMSG,
                   "%s: %s: the blob has %" PRIu64 " bytes, the descriptor says %" PRId64, name,
                   sp.size < (uint64_t)d->size ? "truncated" : "size mismatch", sp.size, d->size);
        span_release(&sp);
        return NULL;
    }
    b = xcalloc(1, sizeof(*b));
    b->span = sp;
    b->size = (uint64_t)d->size;
    b->want = d->digest;
    b->name = TAKE_PTR(name);
    if (!d->digest_is_diff_id)
        b->hash = image_hash_new(d->digest.alg);
    return b;
}

/* The whole blob has been hashed: compare. */
static int
blob_verify(struct image_blob *b, struct error **err)
{
    char got[IMAGE_DIGEST_STR_MAX];
    struct image_digest d;

    b->verified = true;
    if (b->hash == NULL)
        return 0;
    image_hash_final(b->hash, &d);
    image_hash_free(b->hash);
    b->hash = NULL;
    if (!image_digest_equal(&d, &b->want))
        return error_setx(err, EBADMSG, "%s: digest mismatch: the content hashes to %s", b->name,
                          image_digest_str(&d, got));
    return 0;
}

ssize_t
image_blob_read(void *blob, void *buf, size_t len, struct error **err)
{
    struct image_blob *b = blob;
    uint64_t left = b->size - b->pos;
    ssize_t n;

    if (left == 0) {
        /* An empty blob, or a caller reading on after the last byte. */
        if (!b->verified && blob_verify(b, err) < 0)
            return -error_errnum(*err);
        return 0;
    }
    if (len > left)
        len = (size_t)left;
    if (len > SSIZE_MAX)
        len = SSIZE_MAX;
    n = span_pread(&b->span, buf, len, b->pos);
    if (n < 0)
        return error_set(err, (int)-n, "%s: read", b->name);
    if (n == 0)
        return error_setx(err, EBADMSG, "%s: truncated: ends at %" PRIu64 " of %" PRIu64 " bytes",
                          b->name, b->pos, b->size);
    if (b->hash != NULL)
        image_hash_update(b->hash, buf, (size_t)n);
    b->pos += (uint64_t)n;
    /* Verify with the last bytes, not at the next call: a reader that
     * stops once it has what it wants still gets them checked. */
    if (b->pos == b->size && blob_verify(b, err) < 0)
        return -error_errnum(*err);
    return n;
}

void
image_blob_close(struct image_blob *b)
{
    if (b == NULL)
        return;
    span_release(&b->span);
    image_hash_free(b->hash);
    free(b->name);
    free(b);
}

DEFINE_CLEANUP_FUNC(struct image_blob *, image_blob_close)

int
image_blob_read_all(struct image_source *s, const struct image_descriptor *d, size_t max,
                    char **ret_buf, size_t *ret_len, struct error **err)
{
    _cleanup_(image_blob_closep) struct image_blob *b = NULL;
    _cleanup_free_ char *buf = NULL;
    size_t got = 0;
    ssize_t n;

    if (d->size > 0 && (uint64_t)d->size > max) {
        _cleanup_free_ char *name = blob_name(d);
        return error_setx(err, EFBIG, "%s: %" PRId64 " bytes, more than the %zu allowed", name,
                          d->size, max);
    }
    b = image_blob_open(s, d, err);
    if (b == NULL)
        return -error_errnum(*err);
    buf = xmalloc((size_t)b->size + 1);
    while ((n = image_blob_read(b, buf + got, (size_t)b->size - got, err)) > 0)
        got += (size_t)n;
    if (n < 0)
        return (int)n;
    buf[got] = '\0';
    if (ret_len != NULL)
        *ret_len = got;
    *ret_buf = TAKE_PTR(buf);
    return 0;
}

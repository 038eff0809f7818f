/* SPDX-License-Identifier: Apache-2.0 */
/* Digests of blobs and layers, with libcrypto's EVP interface. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "image/digest.h"
#include "lib/xalloc.h"

struct image_hash {
    enum image_digest_alg alg;
    EVP_MD_CTX *ctx;
};

static size_t
alg_hex_len(enum image_digest_alg alg)
{
    return alg == IMAGE_DIGEST_SHA512 ? 128 : 64;
}

const char *
image_digest_alg_name(enum image_digest_alg alg)
{
    return alg == IMAGE_DIGEST_SHA512 ? "sha512" : "sha256";
}

/* S as an error message may show it: a digest comes from the image, and a
 * control character (a newline) would forge a line of the message.  Bytes
 * outside printable ASCII become \xNN; past 140 bytes, "...". */
static const char *
shown(const char *s, char *buf, size_t size)
{
    size_t o = 0;

    for (size_t i = 0; s[i] != '\0' && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i == 140) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
    }
    buf[o] = '\0';
    return buf;
}

int
image_digest_parse(const char *s, struct image_digest *ret, struct error **err)
{
    const char *colon = s ? strchr(s, ':') : NULL;
    enum image_digest_alg alg;
    char show[640];
    size_t n;

    if (colon == NULL)
        return error_setx(err, EINVAL, "digest '%s': expected ALGORITHM:HEX",
                          shown(s ? s : "", show, sizeof(show)));
    if ((size_t)(colon - s) == 6 && strncmp(s, "sha256", 6) == 0)
        alg = IMAGE_DIGEST_SHA256;
    else if ((size_t)(colon - s) == 6 && strncmp(s, "sha512", 6) == 0)
        alg = IMAGE_DIGEST_SHA512;
    else
        return error_setx(err, EINVAL, "digest '%s': unsupported algorithm (sha256, sha512)",
                          shown(s, show, sizeof(show)));
    n = strlen(colon + 1);
    if (n != alg_hex_len(alg))
        return error_setx(err, EINVAL, "digest '%s': %s needs %zu hex digits, not %zu",
                          shown(s, show, sizeof(show)), image_digest_alg_name(alg),
                          alg_hex_len(alg), n);
    for (size_t i = 0; i < n; i++) {
        char c = colon[1 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return error_setx(err, EINVAL, "digest '%s': not lowercase hex",
                              shown(s, show, sizeof(show)));
    }
    ret->alg = alg;
    memcpy(ret->hex, colon + 1, n + 1);
    return 0;
}

char *
image_digest_str(const struct image_digest *d, char *buf)
{
    strcpy(buf, image_digest_alg_name(d->alg));
    strcat(buf, ":");
    strcat(buf, d->hex);
    return buf;
}

bool
image_digest_equal(const struct image_digest *a, const struct image_digest *b)
{
    return a->alg == b->alg && strcmp(a->hex, b->hex) == 0;
}

struct image_hash *
image_hash_new(enum image_digest_alg alg)
{
    struct image_hash *h = xcalloc(1, sizeof(*h));

    h->alg = alg;
    h->ctx = EVP_MD_CTX_new();
    if (h->ctx == NULL
        || EVP_DigestInit_ex(h->ctx, alg == IMAGE_DIGEST_SHA512 ? EVP_sha512() : EVP_sha256(), NULL)
               != 1)
        abort();
    return h;
}

void
image_hash_update(struct image_hash *h, const void *buf, size_t len)
{
    if (len > 0 && EVP_DigestUpdate(h->ctx, buf, len) != 1)
        abort();
}

void
image_hash_final(struct image_hash *h, struct image_digest *ret)
{
    static const char hexdig[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1)
        abort();
    ret->alg = h->alg;
    for (unsigned int i = 0; i < n; i++) {
        ret->hex[2 * i] = hexdig[md[i] >> 4];
        ret->hex[2 * i + 1] = hexdig[md[i] & 15];
    }
    ret->hex[2 * n] = '\0';
}

void
image_hash_free(struct image_hash *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

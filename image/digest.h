/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_DIGEST_H
#define BERTH_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* Content digests (image-spec descriptor.md "Digests"): ALGORITHM ":" ENCODED.
 * The registered algorithms are sha256 and sha512; both are computed with
 * libcrypto, streaming, so a blob is hashed while it is read. */

enum image_digest_alg {
    IMAGE_DIGEST_SHA256 = 1,
    IMAGE_DIGEST_SHA512,
};

#define IMAGE_DIGEST_MAX_HEX 128
/* "sha512:" + 128 hex + NUL */
#define IMAGE_DIGEST_STR_MAX (7 + IMAGE_DIGEST_MAX_HEX + 1)

struct image_digest {
    enum image_digest_alg alg;
    char hex[IMAGE_DIGEST_MAX_HEX + 1]; /* lowercase, exactly the algorithm's length */
};

/* Parse "sha256:<64 hex>" or "sha512:<128 hex>".  Anything else (unknown
 * algorithm, wrong length, uppercase or non-hex characters) is -EINVAL with
 * an error quoting S.  Only validated digests ever become file names. */
int image_digest_parse(const char *s, struct image_digest *ret, struct error **err) ATTR_WUR;

/* "sha256:..." into BUF (at least IMAGE_DIGEST_STR_MAX bytes); returns BUF. */
char *image_digest_str(const struct image_digest *d, char *buf);
const char *image_digest_alg_name(enum image_digest_alg alg);
bool image_digest_equal(const struct image_digest *a, const struct image_digest *b);

struct image_hash;

/* A streaming hash; aborts on out-of-memory like xmalloc. */
struct image_hash *image_hash_new(enum image_digest_alg alg);
void image_hash_update(struct image_hash *h, const void *buf, size_t len);
/* Finish into RET (same algorithm); the hash cannot be updated afterwards. */
void image_hash_final(struct image_hash *h, struct image_digest *ret);
void image_hash_free(struct image_hash *h);

#endif

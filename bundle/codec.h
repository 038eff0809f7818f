/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_BUNDLE_CODEC_H
#define BERTH_BUNDLE_CODEC_H

/* Internal to bundle/: the JSON shape of every spec struct is described once,
 * as a table of fields (spec-schema.c), and one generic walker parses, writes
 * and frees any of them (codec.c).  Parsing and writing therefore cannot
 * drift apart, and a round trip is lossless by construction. */

#include <stddef.h>
#include <stdint.h>

#include "bundle/spec.h"
#include "lib/diag.h"
#include "lib/json.h"

enum codec_kind {
    CK_STR,    /* char * */
    CK_BOOL,   /* bool, presence in has_ */
    CK_INT,    /* int8..int64 by size, presence in has_ */
    CK_UINT,   /* uint8..uint64 by size, presence in has_ */
    CK_ENUM,   /* int, 0 = absent; sub = struct spec_enum */
    CK_STRV,   /* struct strv */
    CK_U32V,   /* struct u32v */
    CK_ENUMV,  /* struct enumv; sub = struct spec_enum */
    CK_STRMAP, /* struct strmap */
    CK_OBJ,    /* pointer to a struct; sub = struct codec_type */
    CK_ARR,    /* pointer to an array of structs, size_t count at aux; sub = codec_type */
    CK_OBJMAP, /* like CK_ARR, the JSON is an object; element's first member is char *key */
};

#define CF_REQUIRED (1u << 0)
/* aux for a scalar that is always present (a required one) */
#define CODEC_NO_FLAG ((size_t)-1)

struct codec_field {
    const char *name;
    enum codec_kind kind;
    unsigned flags;
    size_t off;      /* offset of the value */
    size_t aux;      /* CK_BOOL/INT/UINT: offset of has_ flag; CK_ARR/OBJMAP: of the count */
    size_t size;     /* CK_INT/UINT: sizeof the value */
    const void *sub; /* struct codec_type or struct spec_enum */
    int64_t min;     /* CK_INT/UINT bounds when min < max, else the type's own */
    int64_t max;
};

/* The most fields a type may have (codec_parse keeps one value per field
 * on the stack); spec-schema.c checks its tables against it.  Within a
 * type, no two fields have the same JSON name. */
#define CODEC_MAX_FIELDS 32

struct codec_type {
    const char *name;
    size_t size;
    const struct codec_field *fields;
    size_t n_fields;
};

extern const struct codec_type codec_spec, codec_state, codec_process;

/* Parse V into OBJ (zeroed, of TYPE->size).  Problems go to DIAGS with PATH
 * as the location of V. */
void codec_parse(const struct codec_type *type, const struct json_value *v, void *obj,
                 struct json_path *path, struct diags *diags);
void codec_write(const struct codec_type *type, const void *obj, struct json_writer *w);
/* Free what OBJ owns (not OBJ itself). */
void codec_free(const struct codec_type *type, void *obj);

/* Parse a whole document of TYPE into a new object, or NULL with *err. */
void *codec_parse_doc(const struct codec_type *type, const char *buf, size_t len, const char *file,
                      struct error **err);
int codec_write_doc(const struct codec_type *type, const void *obj, bool pretty, char **ret_buf,
                    size_t *ret_len, struct error **err);
void codec_free_doc(const struct codec_type *type, void *obj);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#include "bundle/codec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define AT(obj, off, type) ((type *)((char *)(obj) + (off)))
#define CAT(obj, off, type) ((const type *)((const char *)(obj) + (off)))

/* Arrays that are present but empty still get a non-NULL pointer, so that
 * presence survives a round trip (see bundle/spec.h). */
static void *
alloc_items(size_t n, size_t size)
{
    return xcalloc(n ? n : 1, size);
}

static void
type_error(struct diags *d, struct json_path *p, const char *want, const struct json_value *v)
{
    diags_error(d, json_path_str(p), "expected %s, got %s", want, json_type_name(v->type));
}

/* ---- scalars ---- */

static bool
int_bounds(const struct codec_field *f, int64_t *ret_min, int64_t *ret_max)
{
    if (f->min < f->max) {
        *ret_min = f->min;
        *ret_max = f->max;
        return true;
    }
    switch (f->size) {
    case 1:
        *ret_min = INT8_MIN, *ret_max = INT8_MAX;
        break;
    case 2:
        *ret_min = INT16_MIN, *ret_max = INT16_MAX;
        break;
    case 4:
        *ret_min = INT32_MIN, *ret_max = INT32_MAX;
        break;
    default:
        *ret_min = INT64_MIN, *ret_max = INT64_MAX;
        break;
    }
    return false;
}

static uint64_t
uint_max(const struct codec_field *f)
{
    if (f->min < f->max)
        return (uint64_t)f->max;
    switch (f->size) {
    case 1:
        return UINT8_MAX;
    case 2:
        return UINT16_MAX;
    case 4:
        return UINT32_MAX;
    default:
        return UINT64_MAX;
    }
}

static void
store_int(void *dst, size_t size, int64_t v)
{
    switch (size) {
    case 1:
        *(int8_t *)dst = (int8_t)v;
        break;
    case 2:
        *(int16_t *)dst = (int16_t)v;
        break;
    case 4:
        *(int32_t *)dst = (int32_t)v;
        break;
    default:
        *(int64_t *)dst = v;
        break;
    }
}

static int64_t
load_int(const void *src, size_t size)
{
    switch (size) {
    case 1:
        return *(const int8_t *)src;
    case 2:
        return *(const int16_t *)src;
    case 4:
        return *(const int32_t *)src;
    default:
        return *(const int64_t *)src;
    }
}

static void
store_uint(void *dst, size_t size, uint64_t v)
{
    switch (size) {
    case 1:
        *(uint8_t *)dst = (uint8_t)v;
        break;
    case 2:
        *(uint16_t *)dst = (uint16_t)v;
        break;
    case 4:
        *(uint32_t *)dst = (uint32_t)v;
        break;
    default:
        *(uint64_t *)dst = v;
        break;
    }
}

static uint64_t
load_uint(const void *src, size_t size)
{
    switch (size) {
    case 1:
        return *(const uint8_t *)src;
    case 2:
        return *(const uint16_t *)src;
    case 4:
        return *(const uint32_t *)src;
    default:
        return *(const uint64_t *)src;
    }
}

static bool
parse_int(const struct codec_field *f, const struct json_value *v, void *dst, struct json_path *p,
          struct diags *d)
{
    int64_t min, max, n;
    int rc;

    if (v->type != JSON_NUMBER) {
        type_error(d, p, "an integer", v);
        return false;
    }
    int_bounds(f, &min, &max);
    rc = json_number_int64(v, min, max, &n);
    if (rc == -EINVAL) {
        diags_error(d, json_path_str(p), "expected an integer, got %s", v->u.str.text);
        return false;
    }
    if (rc == -ERANGE) {
        diags_error(d, json_path_str(p), "%s is out of range (%" PRId64 " to %" PRId64 ")",
                    v->u.str.text, min, max);
        return false;
    }
    store_int(dst, f->size, n);
    return true;
}

static bool
parse_uint_value(const struct json_value *v, uint64_t max, uint64_t *ret, struct json_path *p,
                 struct diags *d)
{
    int rc;

    if (v->type != JSON_NUMBER) {
        type_error(d, p, "a non-negative integer", v);
        return false;
    }
    rc = json_number_uint64(v, max, ret);
    if (rc == -EINVAL) {
        diags_error(d, json_path_str(p), "expected an integer, got %s", v->u.str.text);
        return false;
    }
    if (rc == -ERANGE) {
        diags_error(d, json_path_str(p), "%s is out of range (0 to %" PRIu64 ")", v->u.str.text,
                    max);
        return false;
    }
    return true;
}

static void
enum_error(const struct spec_enum *e, const char *got, struct json_path *p, struct diags *d)
{
    char *list = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&list, &len);

    if (f == NULL)
        abort();
    for (int i = 1; i < e->count; i++)
        fprintf(f, "%s%s", i > 1 ? ", " : "", e->names[i]);
    fclose(f);
    diags_add(d, DIAG_ERROR, json_path_str(p), NULL, "unknown %s \"%s\" (accepted: %s)", e->noun,
              got, list);
    free(list);
}

static bool
parse_enum(const struct spec_enum *e, const struct json_value *v, int *dst, struct json_path *p,
           struct diags *d)
{
    int value;

    if (v->type != JSON_STRING) {
        type_error(d, p, "a string", v);
        return false;
    }
    value = spec_enum_value(e, v->u.str.text);
    if (value == 0) {
        enum_error(e, v->u.str.text, p, d);
        return false;
    }
    *dst = value;
    return true;
}

/* ---- composite values ---- */

static bool
expect(const struct json_value *v, enum json_type t, struct json_path *p, struct diags *d)
{
    if (v->type == t)
        return true;
    type_error(d, p, json_type_name(t), v);
    return false;
}

static void
parse_strv(const struct json_value *v, struct strv *dst, struct json_path *p, struct diags *d)
{
    if (!expect(v, JSON_ARRAY, p, d))
        return;
    dst->items = alloc_items(v->u.arr.n, sizeof(char *));
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const struct json_value *e = v->u.arr.items[i];
        size_t mark = json_path_push_index(p, i);

        if (expect(e, JSON_STRING, p, d))
            dst->items[dst->n++] = xstrdup(e->u.str.text);
        json_path_pop(p, mark);
    }
}

static void
parse_u32v(const struct json_value *v, struct u32v *dst, struct json_path *p, struct diags *d)
{
    if (!expect(v, JSON_ARRAY, p, d))
        return;
    dst->items = alloc_items(v->u.arr.n, sizeof(uint32_t));
    for (size_t i = 0; i < v->u.arr.n; i++) {
        size_t mark = json_path_push_index(p, i);
        uint64_t n;

        if (parse_uint_value(v->u.arr.items[i], UINT32_MAX, &n, p, d))
            dst->items[dst->n++] = (uint32_t)n;
        json_path_pop(p, mark);
    }
}

static void
parse_enumv(const struct spec_enum *e, const struct json_value *v, struct enumv *dst,
            struct json_path *p, struct diags *d)
{
    if (!expect(v, JSON_ARRAY, p, d))
        return;
    dst->items = alloc_items(v->u.arr.n, sizeof(int));
    for (size_t i = 0; i < v->u.arr.n; i++) {
        size_t mark = json_path_push_index(p, i);
        int value;

        if (parse_enum(e, v->u.arr.items[i], &value, p, d))
            dst->items[dst->n++] = value;
        json_path_pop(p, mark);
    }
}

static void
parse_strmap(const struct json_value *v, struct strmap *dst, struct json_path *p, struct diags *d)
{
    if (!expect(v, JSON_OBJECT, p, d))
        return;
    dst->items = alloc_items(v->u.obj.n, sizeof(struct strpair));
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct json_member *m = &v->u.obj.items[i];
        size_t mark = json_path_push_key(p, m->key);
        size_t j;

        if (!expect(m->value, JSON_STRING, p, d)) {
            json_path_pop(p, mark);
            continue;
        }
        /* A repeated key: the last one wins, as in every JSON decoder engines use. */
        for (j = 0; j < dst->n; j++)
            if (strcmp(dst->items[j].key, m->key) == 0)
                break;
        if (j < dst->n) {
            free(dst->items[j].value);
        } else {
            dst->items[j].key = xstrdup(m->key);
            dst->n++;
        }
        dst->items[j].value = xstrdup(m->value->u.str.text);
        json_path_pop(p, mark);
    }
}

static void
parse_array(const struct codec_type *sub, const struct json_value *v, void **dst, size_t *count,
            struct json_path *p, struct diags *d)
{
    char *items;

    if (!expect(v, JSON_ARRAY, p, d))
        return;
    items = alloc_items(v->u.arr.n, sub->size);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        size_t mark = json_path_push_index(p, i);
        codec_parse(sub, v->u.arr.items[i], items + i * sub->size, p, d);
        json_path_pop(p, mark);
    }
    *dst = items;
    *count = v->u.arr.n;
}

static void
parse_objmap(const struct codec_type *sub, const struct json_value *v, void **dst, size_t *count,
             struct json_path *p, struct diags *d)
{
    char *items;
    size_t n = 0;

    if (!expect(v, JSON_OBJECT, p, d))
        return;
    items = alloc_items(v->u.obj.n, sub->size);
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const struct json_member *m = &v->u.obj.items[i];
        size_t mark = json_path_push_key(p, m->key);
        char *elem = NULL;

        for (size_t j = 0; j < n; j++)
            if (strcmp(*(char **)(items + j * sub->size), m->key) == 0) {
                elem = items + j * sub->size; /* repeated key: last wins */
                codec_free(sub, elem);
                free(*(char **)elem);
                memset(elem, 0, sub->size);
            }
        if (elem == NULL)
            elem = items + n++ * sub->size;
        codec_parse(sub, m->value, elem, p, d);
        *(char **)elem = xstrdup(m->key);
        json_path_pop(p, mark);
    }
    *dst = items;
    *count = n;
}

static void
set_flag(void *obj, const struct codec_field *f)
{
    if (f->aux != CODEC_NO_FLAG)
        *AT(obj, f->aux, bool) = true;
}

static void
parse_field(const struct codec_field *f, const struct json_value *v, void *obj, struct json_path *p,
            struct diags *d)
{
    void *dst = AT(obj, f->off, void);
    uint64_t u;

    switch (f->kind) {
    case CK_STR:
        if (expect(v, JSON_STRING, p, d))
            *(char **)dst = xstrdup(v->u.str.text);
        break;
    case CK_BOOL:
        if (expect(v, JSON_BOOL, p, d)) {
            *(bool *)dst = v->u.boolean;
            set_flag(obj, f);
        }
        break;
    case CK_INT:
        if (parse_int(f, v, dst, p, d))
            set_flag(obj, f);
        break;
    case CK_UINT:
        if (parse_uint_value(v, uint_max(f), &u, p, d)) {
            store_uint(dst, f->size, u);
            set_flag(obj, f);
        }
        break;
    case CK_ENUM:
        parse_enum(f->sub, v, dst, p, d);
        break;
    case CK_STRV:
        parse_strv(v, dst, p, d);
        break;
    case CK_U32V:
        parse_u32v(v, dst, p, d);
        break;
    case CK_ENUMV:
        parse_enumv(f->sub, v, dst, p, d);
        break;
    case CK_STRMAP:
        parse_strmap(v, dst, p, d);
        break;
    case CK_OBJ:
        if (expect(v, JSON_OBJECT, p, d)) {
            const struct codec_type *sub = f->sub;
            void *child = xcalloc(1, sub->size);
            codec_parse(sub, v, child, p, d);
            *(void **)dst = child;
        }
        break;
    case CK_ARR:
        parse_array(f->sub, v, dst, AT(obj, f->aux, size_t), p, d);
        break;
    case CK_OBJMAP:
        parse_objmap(f->sub, v, dst, AT(obj, f->aux, size_t), p, d);
        break;
    }
}

/* strcmp() for the short keys of a config, without a call. */
static inline bool
same_name(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Set VALS[i] to the value of TYPE's field i in object V (NULL when
 * absent), the last one when a key is repeated, as json_get() would.
 * One pass over the members: documents mostly list the fields in the
 * tables' order, so the search starts after the field last found. */
static void
find_fields(const struct codec_type *type, const struct json_value *v,
            const struct json_value **vals)
{
    size_t n = type->n_fields, next = 0;

    memset(vals, 0, n * sizeof(*vals));
    for (size_t m = 0; m < v->u.obj.n; m++) {
        const char *key = v->u.obj.items[m].key;

        for (size_t k = 0; k < n; k++) {
            size_t i = next + k < n ? next + k : next + k - n;
            const char *name = type->fields[i].name;

            if (same_name(name, key)) {
                vals[i] = v->u.obj.items[m].value;
                next = i + 1 < n ? i + 1 : 0;
                break;
            }
        }
    }
}

void
codec_parse(const struct codec_type *type, const struct json_value *v, void *obj,
            struct json_path *p, struct diags *d)
{
    const struct json_value *vals[CODEC_MAX_FIELDS];

    if (!expect(v, JSON_OBJECT, p, d))
        return;
    find_fields(type, v, vals);
    for (size_t i = 0; i < type->n_fields; i++) {
        const struct codec_field *f = &type->fields[i];
        const struct json_value *fv = vals[i];
        size_t mark;

        /* null is read as absent, as Go's encoding/json does for the
         * pointers and slices that runc and the engines marshal. */
        if (fv == NULL || fv->type == JSON_NULL) {
            if (f->flags & CF_REQUIRED) {
                mark = json_path_push_key(p, f->name);
                diags_error(d, json_path_str(p), "required field is missing");
                json_path_pop(p, mark);
            }
        } else {
            mark = json_path_push_key(p, f->name);
            parse_field(f, fv, obj, p, d);
            json_path_pop(p, mark);
        }
    }
}

/* ---- writing ---- */

static bool
field_present(const struct codec_field *f, const void *obj)
{
    switch (f->kind) {
    case CK_STR:
    case CK_OBJ:
    case CK_ARR:
    case CK_OBJMAP:
        return *CAT(obj, f->off, void *) != NULL;
    case CK_BOOL:
    case CK_INT:
    case CK_UINT:
        return f->aux == CODEC_NO_FLAG || *CAT(obj, f->aux, bool);
    case CK_ENUM:
        return *CAT(obj, f->off, int) != 0;
    case CK_STRV:
        return CAT(obj, f->off, struct strv)->items != NULL;
    case CK_U32V:
        return CAT(obj, f->off, struct u32v)->items != NULL;
    case CK_ENUMV:
        return CAT(obj, f->off, struct enumv)->items != NULL;
    case CK_STRMAP:
        return CAT(obj, f->off, struct strmap)->items != NULL;
    }
    return false;
}

static void
write_enum(const struct spec_enum *e, int value, struct json_writer *w)
{
    const char *name = spec_enum_name(e, value);
    /* An out-of-range value can only come from code, not from parsing;
     * writing it as null keeps the document valid and visible. */
    if (name)
        json_w_string(w, name);
    else
        json_w_null(w);
}

static void
write_field(const struct codec_field *f, const void *obj, struct json_writer *w)
{
    const void *src = CAT(obj, f->off, void);

    switch (f->kind) {
    case CK_STR:
        json_w_string(w, *(char *const *)src);
        break;
    case CK_BOOL:
        json_w_bool(w, *(const bool *)src);
        break;
    case CK_INT:
        json_w_int64(w, load_int(src, f->size));
        break;
    case CK_UINT:
        json_w_uint64(w, load_uint(src, f->size));
        break;
    case CK_ENUM:
        write_enum(f->sub, *(const int *)src, w);
        break;
    case CK_STRV: {
        const struct strv *sv = src;
        json_w_array_begin(w);
        for (size_t i = 0; i < sv->n; i++)
            json_w_string(w, sv->items[i]);
        json_w_array_end(w);
        break;
    }
    case CK_U32V: {
        const struct u32v *uv = src;
        json_w_array_begin(w);
        for (size_t i = 0; i < uv->n; i++)
            json_w_uint64(w, uv->items[i]);
        json_w_array_end(w);
        break;
    }
    case CK_ENUMV: {
        const struct enumv *ev = src;
        json_w_array_begin(w);
        for (size_t i = 0; i < ev->n; i++)
            write_enum(f->sub, ev->items[i], w);
        json_w_array_end(w);
        break;
    }
    case CK_STRMAP: {
        const struct strmap *m = src;
        json_w_object_begin(w);
        for (size_t i = 0; i < m->n; i++) {
            json_w_key(w, m->items[i].key);
            json_w_string(w, m->items[i].value);
        }
        json_w_object_end(w);
        break;
    }
    case CK_OBJ:
        codec_write(f->sub, *(void *const *)src, w);
        break;
    case CK_ARR: {
        const struct codec_type *sub = f->sub;
        const char *items = *(char *const *)src;
        size_t n = *CAT(obj, f->aux, size_t);
        json_w_array_begin(w);
        for (size_t i = 0; i < n; i++)
            codec_write(sub, items + i * sub->size, w);
        json_w_array_end(w);
        break;
    }
    case CK_OBJMAP: {
        const struct codec_type *sub = f->sub;
        const char *items = *(char *const *)src;
        size_t n = *CAT(obj, f->aux, size_t);
        json_w_object_begin(w);
        for (size_t i = 0; i < n; i++) {
            const char *elem = items + i * sub->size;
            json_w_key(w, *(char *const *)elem);
            codec_write(sub, elem, w);
        }
        json_w_object_end(w);
        break;
    }
    }
}

void
codec_write(const struct codec_type *type, const void *obj, struct json_writer *w)
{
    json_w_object_begin(w);
    for (size_t i = 0; i < type->n_fields; i++) {
        const struct codec_field *f = &type->fields[i];

        if (!field_present(f, obj))
            continue;
        json_w_key(w, f->name);
        write_field(f, obj, w);
    }
    json_w_object_end(w);
}

/* ---- freeing ---- */

static void
free_field(const struct codec_field *f, void *obj)
{
    void *src = AT(obj, f->off, void);

    switch (f->kind) {
    case CK_STR:
        free(*(char **)src);
        break;
    case CK_BOOL:
    case CK_INT:
    case CK_UINT:
    case CK_ENUM:
        break;
    case CK_STRV: {
        struct strv *sv = src;
        for (size_t i = 0; i < sv->n; i++)
            free(sv->items[i]);
        free(sv->items);
        break;
    }
    case CK_U32V:
        free(((struct u32v *)src)->items);
        break;
    case CK_ENUMV:
        free(((struct enumv *)src)->items);
        break;
    case CK_STRMAP: {
        struct strmap *m = src;
        for (size_t i = 0; i < m->n; i++) {
            free(m->items[i].key);
            free(m->items[i].value);
        }
        free(m->items);
        break;
    }
    case CK_OBJ:
        if (*(void **)src) {
            codec_free(f->sub, *(void **)src);
            free(*(void **)src);
        }
        break;
    case CK_ARR:
    case CK_OBJMAP: {
        const struct codec_type *sub = f->sub;
        char *items = *(char **)src;
        size_t n = *AT(obj, f->aux, size_t);
        for (size_t i = 0; i < n; i++) {
            codec_free(sub, items + i * sub->size);
            /* CK_OBJMAP elements carry their key as the first member. */
            if (f->kind == CK_OBJMAP)
                free(*(char **)(items + i * sub->size));
        }
        free(items);
        break;
    }
    }
}

void
codec_free(const struct codec_type *type, void *obj)
{
    if (obj == NULL)
        return;
    for (size_t i = 0; i < type->n_fields; i++)
        free_field(&type->fields[i], obj);
}

/* ---- documents ---- */

void *
codec_parse_doc(const struct codec_type *type, const char *buf, size_t len, const char *file,
                struct error **err)
{
    struct json_path path = {0};
    struct json_value *root;
    struct diags diags;
    void *obj;

    root = json_parse(buf, len, file, err);
    if (root == NULL)
        return NULL;
    diags_init(&diags, file);
    obj = xcalloc(1, type->size);
    codec_parse(type, root, obj, &path, &diags);
    json_path_free(&path);
    json_free(root);
    if (diags_to_error(&diags, err) < 0) {
        diags_free(&diags);
        codec_free_doc(type, obj);
        return NULL;
    }
    diags_free(&diags);
    return obj;
}

int
codec_write_doc(const struct codec_type *type, const void *obj, bool pretty, char **ret_buf,
                size_t *ret_len, struct error **err)
{
    struct json_writer *w = json_writer_new(pretty);

    codec_write(type, obj, w);
    return json_writer_finish(w, ret_buf, ret_len, err);
}

void
codec_free_doc(const struct codec_type *type, void *obj)
{
    if (obj == NULL)
        return;
    codec_free(type, obj);
    free(obj);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: lib/json.c's fast reader against yajl, its judge.
 * lib/json.c is #included (and left out of this target's other sources,
 * tests/fuzz/fuzz.mk) to reach its two static readers.
 *
 * Invariants, each checked with abort():
 *   - the fast reader accepts nothing that yajl refuses, and builds exactly
 *     the tree that yajl's callbacks build (lib/json.c's one rule);
 *   - yajl's refusal says why: *err set, errno EINVAL, the message names
 *     the document; its acceptance leaves *err alone;
 *   - an accepted tree holds no string with a NUL, nests no deeper than
 *     JSON_MAX_DEPTH, and can be written (compact and pretty: the writer
 *     refuses nothing the reader accepted) to text that parses back to the
 *     same tree;
 *   - every number converts as json.h says: json_number_double never finds
 *     trailing text, and an integer read with json_number_int64/uint64
 *     prints back as its source text;
 *   - a JSON path through any key stays one printable line. */
#include "lib/json.c"

#define NAME "doc.json"
#define NAME_PREFIX NAME ": "

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
same(const struct json_value *a, const struct json_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case JSON_NULL:
        return true;
    case JSON_BOOL:
        return a->u.boolean == b->u.boolean;
    case JSON_NUMBER:
    case JSON_STRING:
        return a->u.str.len == b->u.str.len
               && memcmp(a->u.str.text, b->u.str.text, a->u.str.len + 1) == 0;
    case JSON_ARRAY:
        if (a->u.arr.n != b->u.arr.n)
            return false;
        for (size_t i = 0; i < a->u.arr.n; i++)
            if (!same(a->u.arr.items[i], b->u.arr.items[i]))
                return false;
        return true;
    case JSON_OBJECT:
        if (a->u.obj.n != b->u.obj.n)
            return false;
        for (size_t i = 0; i < a->u.obj.n; i++)
            if (strcmp(a->u.obj.items[i].key, b->u.obj.items[i].key) != 0
                || !same(a->u.obj.items[i].value, b->u.obj.items[i].value))
                return false;
        return true;
    }
    return false;
}

/* The source text of an integer: -?[0-9]+ (JSON has no leading zeros). */
static bool
is_integer_text(const char *s)
{
    s += *s == '-';
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!is_digit((unsigned char)*s))
            return false;
    return true;
}

static void
check_number(const struct json_value *v)
{
    const char *text = v->u.str.text;
    char buf[32];
    int64_t i;
    uint64_t u;
    double d;
    int rc;

    rc = json_number_double(v, &d);
    if (rc != 0 && rc != -ERANGE)
        abort();
    rc = json_number_int64(v, INT64_MIN, INT64_MAX, &i);
    if (rc == 0) {
        snprintf(buf, sizeof(buf), "%" PRId64, i);
        if (strcmp(buf, text) != 0 && !(strcmp(text, "-0") == 0 && i == 0))
            abort();
    } else if (rc == -EINVAL ? is_integer_text(text) : rc != -ERANGE || !is_integer_text(text)) {
        abort(); /* an integer refused as not one, or a non-integer out of range */
    }
    rc = json_number_uint64(v, UINT64_MAX, &u);
    if (rc == 0) {
        snprintf(buf, sizeof(buf), "%" PRIu64, u);
        if (strcmp(buf, text) != 0 && !(strcmp(text, "-0") == 0 && u == 0))
            abort();
    } else if ((rc == -EINVAL) != !is_integer_text(text)) {
        abort();
    }
}

/* The tree's own rules, walked with a JSON path as image/ and bundle/ do. */
static void
check_tree(const struct json_value *v, size_t depth, struct json_path *path, size_t *budget)
{
    if (depth > JSON_MAX_DEPTH)
        abort();
    switch (v->type) {
    case JSON_NULL:
    case JSON_BOOL:
        break;
    case JSON_NUMBER:
        check_number(v);
        if (strlen(v->u.str.text) != v->u.str.len)
            abort();
        break;
    case JSON_STRING:
        if (strlen(v->u.str.text) != v->u.str.len)
            abort();
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->u.arr.n; i++) {
            size_t mark = json_path_push_index(path, i);
            check_tree(v->u.arr.items[i], depth + 1, path, budget);
            json_path_pop(path, mark);
        }
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->u.obj.n; i++) {
            size_t mark = json_path_push_key(path, v->u.obj.items[i].key);

            /* Formatting is linear in the depth: a few hundred paths are
               plenty to see every kind of key. */
            if (*budget > 0) {
                (*budget)--;
                for (const char *c = json_path_str(path); *c != '\0'; c++)
                    if ((unsigned char)*c < 0x20)
                        abort();
            }
            check_tree(v->u.obj.items[i].value, depth + 1, path, budget);
            json_path_pop(path, mark);
        }
        break;
    }
}

static void
check_round_trip(const struct json_value *v, bool pretty)
{
    struct json_writer *w = json_writer_new(pretty);
    struct error *err = NULL;
    struct json_value *again;
    char *out = NULL;
    size_t len = 0;

    json_w_value(w, v);
    if (json_writer_finish(w, &out, &len, &err) < 0)
        abort();
    again = json_parse(out, len, NAME, &err);
    if (again == NULL || err != NULL || !same(v, again))
        abort();
    json_free(again);
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct error *err = NULL;
    struct json_value *f = parse_fast((const char *)data, size);
    struct json_value *y = parse_yajl((const char *)data, size, NAME, &err);
    struct json_path path = {0};
    size_t budget = 256;

    if (y == NULL) {
        if (f != NULL)
            abort(); /* the fast reader accepted what yajl refuses */
        if (err == NULL || err->errnum != EINVAL || err->msg == NULL
            || strncmp(err->msg, NAME_PREFIX, strlen(NAME_PREFIX)) != 0)
            abort();
        error_free(&err);
        return 0;
    }
    if (err != NULL)
        abort();
    if (f != NULL && !same(f, y))
        abort(); /* the fast reader built another tree */
    check_tree(y, 0, &path, &budget);
    json_path_free(&path);
    check_round_trip(y, false);
    check_round_trip(y, true);
    json_free(f);
    json_free(y);
    return 0;
}

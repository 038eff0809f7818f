/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON writer (lib/json.h): yajl_gen behind a small API that keeps its
 * own view of the nesting, so that misuse is an error, never bad output. */
#include "lib/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "lib/xalloc.h"

/* ---- writing ---------------------------------------------------------- */

struct json_writer {
    yajl_gen g;
    bool pretty;
    bool failed;            /* sticky: no yajl call after the first misuse */
    yajl_gen_status status; /* why, for the message */
    /* Our own view of the nesting, because yajl_gen accepts a mismatched
     * close and crashes on calls after a stray one. */
    bool is_object[JSON_MAX_DEPTH + 1];
    int depth;
    bool key_pending; /* in an object: a key was written, its value not yet */
};

struct json_writer *
json_writer_new(bool pretty)
{
    struct json_writer *w = xcalloc(1, sizeof(*w));

    w->g = yajl_gen_alloc(NULL);
    if (w->g == NULL)
        abort();
    w->pretty = pretty;
    yajl_gen_config(w->g, yajl_gen_validate_utf8, 1);
    if (pretty) {
        yajl_gen_config(w->g, yajl_gen_beautify, 1);
        yajl_gen_config(w->g, yajl_gen_indent_string, "\t");
    }
    w->status = yajl_gen_status_ok;
    return w;
}

void
json_writer_free(struct json_writer *w)
{
    if (w == NULL)
        return;
    yajl_gen_free(w->g);
    free(w);
}

static void
misuse(struct json_writer *w, yajl_gen_status why)
{
    if (!w->failed) {
        w->failed = true;
        w->status = why;
    }
}

static void
check(struct json_writer *w, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok)
        misuse(w, st);
}

/* May a value come now?  In an object only after its key. */
static bool
value_ok(struct json_writer *w)
{
    if (w->failed)
        return false;
    if (w->depth > 0 && w->is_object[w->depth - 1]) {
        if (!w->key_pending) {
            misuse(w, yajl_gen_keys_must_be_strings);
            return false;
        }
        w->key_pending = false;
    }
    return true;
}

static void
open_container(struct json_writer *w, bool object)
{
    if (!value_ok(w))
        return;
    if (w->depth >= JSON_MAX_DEPTH) {
        misuse(w, yajl_max_depth_exceeded);
        return;
    }
    w->is_object[w->depth++] = object;
    check(w, object ? yajl_gen_map_open(w->g) : yajl_gen_array_open(w->g));
}

static void
close_container(struct json_writer *w, bool object)
{
    if (w->failed)
        return;
    if (w->depth == 0 || w->is_object[w->depth - 1] != object || w->key_pending) {
        misuse(w, yajl_gen_in_error_state);
        return;
    }
    w->depth--;
    check(w, object ? yajl_gen_map_close(w->g) : yajl_gen_array_close(w->g));
}

void
json_w_object_begin(struct json_writer *w)
{
    open_container(w, true);
}

void
json_w_object_end(struct json_writer *w)
{
    close_container(w, true);
}

void
json_w_array_begin(struct json_writer *w)
{
    open_container(w, false);
}

void
json_w_array_end(struct json_writer *w)
{
    close_container(w, false);
}

void
json_w_key(struct json_writer *w, const char *key)
{
    if (w->failed)
        return;
    if (w->depth == 0 || !w->is_object[w->depth - 1] || w->key_pending) {
        misuse(w, yajl_gen_keys_must_be_strings);
        return;
    }
    w->key_pending = true;
    check(w, yajl_gen_string(w->g, (const unsigned char *)key, strlen(key)));
}

void
json_w_string(struct json_writer *w, const char *s)
{
    if (value_ok(w))
        check(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
}

void
json_w_int64(struct json_writer *w, int64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

    if (value_ok(w))
        check(w, yajl_gen_number(w->g, buf, (size_t)n));
}

void
json_w_uint64(struct json_writer *w, uint64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

    if (value_ok(w))
        check(w, yajl_gen_number(w->g, buf, (size_t)n));
}

void
json_w_bool(struct json_writer *w, bool v)
{
    if (value_ok(w))
        check(w, yajl_gen_bool(w->g, v));
}

void
json_w_null(struct json_writer *w)
{
    if (value_ok(w))
        check(w, yajl_gen_null(w->g));
}

void
json_w_number_text(struct json_writer *w, const char *text)
{
    if (value_ok(w))
        check(w, yajl_gen_number(w->g, text, strlen(text)));
}

void
json_w_value(struct json_writer *w, const struct json_value *v)
{
    switch (v->type) {
    case JSON_NULL:
        json_w_null(w);
        break;
    case JSON_BOOL:
        json_w_bool(w, v->u.boolean);
        break;
    case JSON_NUMBER:
        json_w_number_text(w, v->u.str.text);
        break;
    case JSON_STRING:
        json_w_string(w, v->u.str.text);
        break;
    case JSON_ARRAY:
        json_w_array_begin(w);
        for (size_t i = 0; i < v->u.arr.n; i++)
            json_w_value(w, v->u.arr.items[i]);
        json_w_array_end(w);
        break;
    case JSON_OBJECT:
        json_w_object_begin(w);
        for (size_t i = 0; i < v->u.obj.n; i++) {
            json_w_key(w, v->u.obj.items[i].key);
            json_w_value(w, v->u.obj.items[i].value);
        }
        json_w_object_end(w);
        break;
    }
}

static const char *
gen_status_text(yajl_gen_status st)
{
    switch (st) {
    case yajl_gen_invalid_string:
        return "string is not valid UTF-8";
    case yajl_gen_keys_must_be_strings:
    case yajl_gen_in_error_state:
    case yajl_gen_generation_complete:
        return "unbalanced document";
    case yajl_max_depth_exceeded:
        return "nesting too deep";
    case yajl_gen_invalid_number:
        return "invalid number";
    case yajl_gen_no_buf:
    case yajl_gen_status_ok:
        break;
    }
    return "generator error";
}

int
json_writer_finish(struct json_writer *w, char **ret_buf, size_t *ret_len, struct error **err)
{
    const unsigned char *out;
    size_t len;
    char *buf;

    if (!w->failed && w->depth != 0)
        misuse(w, yajl_gen_in_error_state);
    if (w->failed) {
        int rc = error_setx(err, EINVAL, "writing JSON: %s", gen_status_text(w->status));
        json_writer_free(w);
        return rc;
    }
    /* yajl_gen only knows the document is complete once the outer
     * container is closed; an unclosed one yields a partial buffer. */
    if (yajl_gen_get_buf(w->g, &out, &len) != yajl_gen_status_ok || len == 0) {
        json_writer_free(w);
        return error_setx(err, EINVAL, "writing JSON: empty document");
    }
    buf = xmalloc(len + 2);
    memcpy(buf, out, len);
    if (w->pretty && buf[len - 1] != '\n')
        buf[len++] = '\n';
    buf[len] = '\0';
    json_writer_free(w);
    *ret_buf = buf;
    if (ret_len)
        *ret_len = len;
    return 0;
}

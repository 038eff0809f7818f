/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/json.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "lib/xalloc.h"

/* ---- parsing ---------------------------------------------------------- */

struct frame {
    struct json_value *value;
    size_t alloc;
    char *pending_key; /* objects: the key waiting for its value */
};

struct builder {
    struct json_value *root;
    struct frame *stack;
    size_t depth, alloc;
    const char *error; /* set by a callback that aborts the parse */
};

static struct json_value *
value_new(enum json_type type)
{
    struct json_value *v = xcalloc(1, sizeof(*v));
    v->type = type;
    return v;
}

/* Attach V to the container on top of the stack (or make it the root). */
static int
builder_add(struct builder *b, struct json_value *v)
{
    struct frame *top;

    if (b->depth == 0) {
        b->root = v;
        return 1;
    }
    top = &b->stack[b->depth - 1];
    if (top->value->type == JSON_ARRAY) {
        top->value->u.arr.items = xgrow(top->value->u.arr.items, &top->alloc, top->value->u.arr.n,
                                        sizeof(*top->value->u.arr.items));
        top->value->u.arr.items[top->value->u.arr.n++] = v;
    } else {
        struct json_member *m;

        top->value->u.obj.items = xgrow(top->value->u.obj.items, &top->alloc, top->value->u.obj.n,
                                        sizeof(*top->value->u.obj.items));
        m = &top->value->u.obj.items[top->value->u.obj.n++];
        m->key = top->pending_key;
        m->value = v;
        top->pending_key = NULL;
    }
    return 1;
}

static int
builder_push(struct builder *b, struct json_value *v)
{
    if (b->depth >= JSON_MAX_DEPTH) {
        json_free(v);
        b->error = "nesting too deep";
        return 0;
    }
    builder_add(b, v);
    b->stack = xgrow(b->stack, &b->alloc, b->depth, sizeof(*b->stack));
    b->stack[b->depth].value = v;
    b->stack[b->depth].alloc = 0;
    b->stack[b->depth].pending_key = NULL;
    b->depth++;
    return 1;
}

static int
cb_null(void *ctx)
{
    return builder_add(ctx, value_new(JSON_NULL));
}

static int
cb_boolean(void *ctx, int boolean)
{
    struct json_value *v = value_new(JSON_BOOL);
    v->u.boolean = boolean != 0;
    return builder_add(ctx, v);
}

static struct json_value *
text_value(enum json_type type, const unsigned char *s, size_t len)
{
    struct json_value *v = value_new(type);
    v->u.str.text = xstrndup((const char *)s, len);
    v->u.str.len = len;
    return v;
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
    return builder_add(ctx, text_value(JSON_NUMBER, (const unsigned char *)s, len));
}

static int
cb_string(void *ctx, const unsigned char *s, size_t len)
{
    struct builder *b = ctx;

    /* A NUL inside a string would silently truncate it in C. */
    if (memchr(s, '\0', len) != NULL) {
        b->error = "string contains a NUL character";
        return 0;
    }
    return builder_add(b, text_value(JSON_STRING, s, len));
}

static int
cb_start_map(void *ctx)
{
    return builder_push(ctx, value_new(JSON_OBJECT));
}

static int
cb_start_array(void *ctx)
{
    return builder_push(ctx, value_new(JSON_ARRAY));
}

static int
cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct builder *b = ctx;
    struct frame *top = &b->stack[b->depth - 1];

    if (memchr(s, '\0', len) != NULL) {
        b->error = "object key contains a NUL character";
        return 0;
    }
    free(top->pending_key);
    top->pending_key = xstrndup((const char *)s, len);
    return 1;
}

static int
cb_end(void *ctx)
{
    struct builder *b = ctx;
    b->depth--;
    return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

static void
position(const char *buf, size_t off, size_t *ret_line, size_t *ret_col)
{
    size_t line = 1, col = 1;

    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
            col++; /* count characters, not UTF-8 continuation bytes */
        }
    }
    *ret_line = line;
    *ret_col = col;
}

/* yajl's messages start with "parse error: " or "lexical error: " and may
 * end with a period and newline; keep the part that says what is wrong. */
static char *
clean_yajl_message(const char *m)
{
    const char *p = strstr(m, "error: ");
    char *s = xstrdup(p ? p + strlen("error: ") : m);
    size_t n = strlen(s);

    while (n > 0 && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '.'))
        s[--n] = '\0';
    return s;
}

struct json_value *
json_parse(const char *buf, size_t len, const char *name, struct error **err)
{
    struct builder b = {0};
    yajl_handle h;
    yajl_status st;
    size_t line, col, off;

    h = yajl_alloc(&callbacks, NULL, &b);
    if (h == NULL)
        abort();
    st = yajl_parse(h, (const unsigned char *)buf, len);
    off = yajl_get_bytes_consumed(h);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
        off = len;
    }
    if (st != yajl_status_ok) {
        char *msg;

        if (b.error != NULL) {
            msg = xstrdup(b.error);
        } else {
            unsigned char *raw = yajl_get_error(h, 0, (const unsigned char *)buf, len);
            msg = clean_yajl_message((const char *)raw);
            yajl_free_error(h, raw);
        }
        if (off > len)
            off = len;
        /* yajl counts the offending byte as consumed; point at it. */
        if (off > 0 && st != yajl_status_ok && off < len)
            off--;
        position(buf, off, &line, &col);
        if (len == 0 || (b.root == NULL && strspn(buf, " \t\r\n") == len))
            error_setx(err, EINVAL, "%s: empty document, expected a JSON object", name);
        else
            error_setx(err, EINVAL, "%s: line %zu, column %zu: %s", name, line, col, msg);
        free(msg);
        for (size_t i = 0; i < b.depth; i++)
            free(b.stack[i].pending_key);
        free(b.stack);
        json_free(b.root);
        yajl_free(h);
        return NULL;
    }
    yajl_free(h);
    free(b.stack);
    return b.root;
}

void
json_free(struct json_value *v)
{
    if (v == NULL)
        return;
    switch (v->type) {
    case JSON_STRING:
    case JSON_NUMBER:
        free(v->u.str.text);
        break;
    case JSON_ARRAY:
        for (size_t i = 0; i < v->u.arr.n; i++)
            json_free(v->u.arr.items[i]);
        free(v->u.arr.items);
        break;
    case JSON_OBJECT:
        for (size_t i = 0; i < v->u.obj.n; i++) {
            free(v->u.obj.items[i].key);
            json_free(v->u.obj.items[i].value);
        }
        free(v->u.obj.items);
        break;
    case JSON_NULL:
    case JSON_BOOL:
        break;
    }
    free(v);
}

const struct json_value *
json_get(const struct json_value *obj, const char *key)
{
    if (obj == NULL || obj->type != JSON_OBJECT)
        return NULL;
    for (size_t i = obj->u.obj.n; i > 0; i--)
        if (strcmp(obj->u.obj.items[i - 1].key, key) == 0)
            return obj->u.obj.items[i - 1].value;
    return NULL;
}

const char *
json_type_name(enum json_type t)
{
    switch (t) {
    case JSON_NULL:
        return "null";
    case JSON_BOOL:
        return "a boolean";
    case JSON_NUMBER:
        return "a number";
    case JSON_STRING:
        return "a string";
    case JSON_ARRAY:
        return "an array";
    case JSON_OBJECT:
        return "an object";
    }
    return "?";
}

/* ---- numbers ---------------------------------------------------------- */

static bool
is_integer_text(const char *s)
{
    return strpbrk(s, ".eE") == NULL;
}

int
json_number_int64(const struct json_value *v, int64_t min, int64_t max, int64_t *ret)
{
    long long n;
    char *end;

    if (v->type != JSON_NUMBER || !is_integer_text(v->u.str.text))
        return -EINVAL;
    errno = 0;
    n = strtoll(v->u.str.text, &end, 10);
    if (*end != '\0')
        return -EINVAL;
    if (errno == ERANGE || n < min || n > max)
        return -ERANGE;
    *ret = n;
    return 0;
}

int
json_number_uint64(const struct json_value *v, uint64_t max, uint64_t *ret)
{
    unsigned long long n;
    char *end;

    if (v->type != JSON_NUMBER || !is_integer_text(v->u.str.text))
        return -EINVAL;
    if (v->u.str.text[0] == '-')
        return strspn(v->u.str.text + 1, "0") == strlen(v->u.str.text + 1) ? (*ret = 0, 0)
                                                                             : -ERANGE;
    errno = 0;
    n = strtoull(v->u.str.text, &end, 10);
    if (*end != '\0')
        return -EINVAL;
    if (errno == ERANGE || n > max)
        return -ERANGE;
    *ret = n;
    return 0;
}

int
json_number_double(const struct json_value *v, double *ret)
{
    char *end;

    if (v->type != JSON_NUMBER)
        return -EINVAL;
    errno = 0;
    *ret = strtod(v->u.str.text, &end);
    if (*end != '\0')
        return -EINVAL;
    return errno == ERANGE ? -ERANGE : 0;
}

/* ---- paths ------------------------------------------------------------ */

static bool
is_identifier(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

static void
path_append(struct json_path *p, const char *s)
{
    size_t n = strlen(s);

    if (p->len + n + 1 > p->alloc) {
        p->alloc = (p->len + n + 1) * 2;
        p->buf = xrealloc(p->buf, p->alloc);
    }
    memcpy(p->buf + p->len, s, n + 1);
    p->len += n;
}

size_t
json_path_push_key(struct json_path *p, const char *key)
{
    size_t mark = p->len;

    if (is_identifier(key)) {
        if (p->len)
            path_append(p, ".");
        path_append(p, key);
    } else {
        /* Escape quotes and backslashes so that the path stays readable. */
        path_append(p, "[\"");
        for (const char *c = key; *c; c++) {
            char one[5] = {0};

            if (*c == '"' || *c == '\\')
                snprintf(one, sizeof(one), "\\%c", *c);
            else if ((unsigned char)*c < 0x20)
                snprintf(one, sizeof(one), "\\x%02x", (unsigned char)*c);
            else
                one[0] = *c;
            path_append(p, one);
        }
        path_append(p, "\"]");
    }
    return mark;
}

size_t
json_path_push_index(struct json_path *p, size_t index)
{
    size_t mark = p->len;
    char buf[32];

    snprintf(buf, sizeof(buf), "[%zu]", index);
    path_append(p, buf);
    return mark;
}

void
json_path_pop(struct json_path *p, size_t mark)
{
    if (mark < p->len) {
        p->len = mark;
        p->buf[mark] = '\0';
    }
}

void
json_path_free(struct json_path *p)
{
    free(p->buf);
    p->buf = NULL;
    p->len = p->alloc = 0;
}

/* ---- writing ---------------------------------------------------------- */

struct json_writer {
    yajl_gen g;
    bool pretty;
    int depth;              /* open containers */
    yajl_gen_status status; /* first failure, sticky */
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
check(struct json_writer *w, yajl_gen_status st)
{
    if (w->status == yajl_gen_status_ok)
        w->status = st;
}

void
json_w_object_begin(struct json_writer *w)
{
    w->depth++;
    check(w, yajl_gen_map_open(w->g));
}

void
json_w_object_end(struct json_writer *w)
{
    w->depth--;
    check(w, yajl_gen_map_close(w->g));
}

void
json_w_array_begin(struct json_writer *w)
{
    w->depth++;
    check(w, yajl_gen_array_open(w->g));
}

void
json_w_array_end(struct json_writer *w)
{
    w->depth--;
    check(w, yajl_gen_array_close(w->g));
}

void
json_w_key(struct json_writer *w, const char *key)
{
    check(w, yajl_gen_string(w->g, (const unsigned char *)key, strlen(key)));
}

void
json_w_string(struct json_writer *w, const char *s)
{
    check(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
}

void
json_w_int64(struct json_writer *w, int64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
    check(w, yajl_gen_number(w->g, buf, (size_t)n));
}

void
json_w_uint64(struct json_writer *w, uint64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
    check(w, yajl_gen_number(w->g, buf, (size_t)n));
}

void
json_w_bool(struct json_writer *w, bool v)
{
    check(w, yajl_gen_bool(w->g, v));
}

void
json_w_null(struct json_writer *w)
{
    check(w, yajl_gen_null(w->g));
}

void
json_w_number_text(struct json_writer *w, const char *text)
{
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

    if (w->status == yajl_gen_status_ok && w->depth != 0)
        w->status = yajl_gen_in_error_state;
    if (w->status != yajl_gen_status_ok) {
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

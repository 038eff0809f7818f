/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/json.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "lib/xalloc.h"

/* ---- parsing ---------------------------------------------------------- */

/* The whole tree of one document lives in an arena, freed at once: a
 * config is thousands of small values, and one malloc each made parsing
 * allocator-bound.  Children are gathered on a shared stack while their
 * container is open and copied into the arena when it closes. */
struct arena_chunk {
    struct arena_chunk *next;
    size_t used, size;
    max_align_t data[];
};

struct json_arena {
    struct arena_chunk *head;
};

static void *
arena_alloc(struct json_arena *a, size_t n)
{
    struct arena_chunk *c = a->head;
    void *p;

    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (c == NULL || c->size - c->used < n) {
        size_t size = n > 32768 ? n : 32768;

        c = xmalloc(sizeof(*c) + size);
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

static void
arena_free(struct json_arena *a)
{
    while (a->head) {
        struct arena_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

struct frame {
    struct json_value *value;
    size_t first; /* index of its first child on the child stack */
};

struct child {
    const char *key; /* objects */
    struct json_value *value;
};

struct builder {
    struct json_arena arena;
    struct json_value *root;
    struct frame *stack;
    size_t depth, alloc;
    struct child *children; /* of every open container, in order */
    size_t n_children, alloc_children;
    const char *pending_key; /* the key waiting for its value */
    const char *error;       /* set by a callback that aborts the parse */
};

static struct json_value *
value_new(struct builder *b, enum json_type type)
{
    struct json_value *v = arena_alloc(&b->arena, sizeof(*v));

    memset(v, 0, sizeof(*v));
    v->type = type;
    return v;
}

static char *
arena_strndup(struct builder *b, const unsigned char *s, size_t len)
{
    char *p = arena_alloc(&b->arena, len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* Attach V to the open container (or make it the root). */
static int
builder_add(struct builder *b, struct json_value *v)
{
    struct child *c;

    if (b->depth == 0) {
        b->root = v;
        return 1;
    }
    b->children = xgrow(b->children, &b->alloc_children, b->n_children, sizeof(*b->children));
    c = &b->children[b->n_children++];
    c->key = b->pending_key;
    c->value = v;
    b->pending_key = NULL;
    return 1;
}

static int
builder_push(struct builder *b, struct json_value *v)
{
    if (b->depth >= JSON_MAX_DEPTH) {
        b->error = "nesting too deep";
        return 0;
    }
    builder_add(b, v);
    b->stack = xgrow(b->stack, &b->alloc, b->depth, sizeof(*b->stack));
    b->stack[b->depth].value = v;
    b->stack[b->depth].first = b->n_children;
    b->depth++;
    return 1;
}

static int
cb_null(void *ctx)
{
    return builder_add(ctx, value_new(ctx, JSON_NULL));
}

static int
cb_boolean(void *ctx, int boolean)
{
    struct json_value *v = value_new(ctx, JSON_BOOL);
    v->u.boolean = boolean != 0;
    return builder_add(ctx, v);
}

static struct json_value *
text_value(struct builder *b, enum json_type type, const unsigned char *s, size_t len)
{
    struct json_value *v = value_new(b, type);
    v->u.str.text = arena_strndup(b, s, len);
    v->u.str.len = len;
    return v;
}

static int
cb_number(void *ctx, const char *s, size_t len)
{
    return builder_add(ctx, text_value(ctx, JSON_NUMBER, (const unsigned char *)s, len));
}

/* Whether S is valid UTF-8 (RFC 3629: no overlongs, no surrogates, at
 * most U+10FFFF), with an ASCII fast path. */
static bool
is_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        uint32_t cp;
        size_t n;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff))
            || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
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
    if (!is_utf8(s, len)) {
        b->error = "invalid bytes in UTF8 string";
        return 0;
    }
    return builder_add(b, text_value(b, JSON_STRING, s, len));
}

static int
cb_start_map(void *ctx)
{
    return builder_push(ctx, value_new(ctx, JSON_OBJECT));
}

static int
cb_start_array(void *ctx)
{
    return builder_push(ctx, value_new(ctx, JSON_ARRAY));
}

static int
cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct builder *b = ctx;

    if (memchr(s, '\0', len) != NULL) {
        b->error = "object key contains a NUL character";
        return 0;
    }
    if (!is_utf8(s, len)) {
        b->error = "invalid bytes in UTF8 string";
        return 0;
    }
    b->pending_key = arena_strndup(b, s, len);
    return 1;
}

static int
cb_end(void *ctx)
{
    struct builder *b = ctx;
    struct frame *f = &b->stack[--b->depth];
    struct json_value *v = f->value;
    size_t n = b->n_children - f->first;
    /* No pointer arithmetic on a still-NULL stack (an empty first container). */
    struct child *kids = n ? &b->children[f->first] : NULL;

    if (v->type == JSON_ARRAY) {
        v->u.arr.items = arena_alloc(&b->arena, (n ? n : 1) * sizeof(*v->u.arr.items));
        for (size_t i = 0; i < n; i++)
            v->u.arr.items[i] = kids[i].value;
        v->u.arr.n = n;
    } else {
        v->u.obj.items = arena_alloc(&b->arena, (n ? n : 1) * sizeof(*v->u.obj.items));
        for (size_t i = 0; i < n; i++) {
            v->u.obj.items[i].key = (char *)kids[i].key;
            v->u.obj.items[i].value = kids[i].value;
        }
        v->u.obj.n = n;
    }
    b->n_children = f->first;
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

static bool
is_blank(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
            return false;
    return true;
}

static bool
lexer_points_at_byte(const char *msg)
{
    static const char *const at_byte[] = {
        "invalid character inside string",
        "inside a string, '\\' occurs before",
        "invalid (non-hex) character occurs after",
        "probable comment found",
    };

    for (size_t i = 0; i < sizeof(at_byte) / sizeof(at_byte[0]); i++)
        if (strstr(msg, at_byte[i]) != NULL)
            return true;
    return false;
}

struct json_value *
json_parse(const char *buf, size_t len, const char *name, struct error **err)
{
    struct builder b = {0};
    yajl_handle h;
    yajl_status st;
    size_t line, col, off;
    bool at_end = false;

    h = yajl_alloc(&callbacks, NULL, &b);
    if (h == NULL)
        abort();
    /* Strings are checked for UTF-8 in the callbacks, faster than yajl's
     * byte-by-byte validation in its lexer. */
    yajl_config(h, yajl_dont_validate_strings, 1);
    st = yajl_parse(h, (const unsigned char *)buf, len);
    off = yajl_get_bytes_consumed(h);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
        off = len;
        at_end = true;
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
        /* yajl counts the offending byte as consumed, except for the
         * lexer errors it reports after stepping back onto the byte;
         * point at the offending byte either way. */
        if (!at_end && off > 0 && !lexer_points_at_byte(msg))
            off--;
        position(buf, off, &line, &col);
        if (is_blank(buf, len))
            error_setx(err, EINVAL, "%s: empty document, expected a JSON object", name);
        else
            error_setx(err, EINVAL, "%s: line %zu, column %zu: %s", name, line, col, msg);
        free(msg);
        free(b.stack);
        free(b.children);
        arena_free(&b.arena);
        yajl_free(h);
        return NULL;
    }
    yajl_free(h);
    free(b.stack);
    free(b.children);
    /* The root carries the arena; json_free() of the root frees it all. */
    b.root->arena = arena_alloc(&b.arena, sizeof(struct json_arena));
    *b.root->arena = b.arena;
    return b.root;
}

void
json_free(struct json_value *v)
{
    struct json_arena a;

    if (v == NULL || v->arena == NULL)
        return;
    /* The arena's own record lives in the arena: copy it out first. */
    a = *v->arena;
    arena_free(&a);
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
buf_append(struct json_path *p, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > p->buf_alloc) {
        p->buf_alloc = (*len + n + 1) * 2;
        p->buf = xrealloc(p->buf, p->buf_alloc);
    }
    memcpy(p->buf + *len, s, n);
    *len += n;
    p->buf[*len] = '\0';
}

static size_t
push(struct json_path *p, const char *key, size_t index)
{
    size_t mark = p->depth;

    p->elems = xgrow(p->elems, &p->alloc, p->depth, sizeof(*p->elems));
    p->elems[p->depth].key = key;
    p->elems[p->depth].index = index;
    p->depth++;
    return mark;
}

size_t
json_path_push_key(struct json_path *p, const char *key)
{
    return push(p, key, 0);
}

size_t
json_path_push_index(struct json_path *p, size_t index)
{
    return push(p, NULL, index);
}

void
json_path_pop(struct json_path *p, size_t mark)
{
    if (mark < p->depth)
        p->depth = mark;
}

const char *
json_path_str(struct json_path *p)
{
    size_t len = 0;

    buf_append(p, &len, "", 0);
    for (size_t i = 0; i < p->depth; i++) {
        const char *key = p->elems[i].key;
        char num[32];

        if (key == NULL) {
            int n = snprintf(num, sizeof(num), "[%zu]", p->elems[i].index);
            buf_append(p, &len, num, (size_t)n);
        } else if (is_identifier(key)) {
            if (len)
                buf_append(p, &len, ".", 1);
            buf_append(p, &len, key, strlen(key));
        } else {
            /* Escape quotes, backslashes and controls so that the path
             * stays one readable line. */
            buf_append(p, &len, "[\"", 2);
            for (const char *c = key; *c; c++) {
                char one[8];
                int n;

                if (*c == '"' || *c == '\\')
                    n = snprintf(one, sizeof(one), "\\%c", *c);
                else if ((unsigned char)*c < 0x20)
                    n = snprintf(one, sizeof(one), "\\x%02x", (unsigned char)*c);
                else
                    n = snprintf(one, sizeof(one), "%c", *c);
                buf_append(p, &len, one, (size_t)n);
            }
            buf_append(p, &len, "\"]", 2);
        }
    }
    return p->buf;
}

void
json_path_free(struct json_path *p)
{
    free(p->elems);
    free(p->buf);
    memset(p, 0, sizeof(*p));
}

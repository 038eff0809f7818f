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
    struct arena_chunk *head; /* the one being filled */
    size_t next_size;         /* of the next chunk; 0 before the first */
};

/* What the tree holds: values, their item arrays, texts, and the json_arena
 * record; none needs more than a value's alignment. */
#define ARENA_ALIGN _Alignof(struct json_value)
_Static_assert(_Alignof(struct json_member) <= ARENA_ALIGN, "arena alignment");
_Static_assert(_Alignof(struct json_arena) <= ARENA_ALIGN, "arena alignment");
#define ARENA_CHUNK_MIN 32768
#define ARENA_CHUNK_MAX (1u << 20)

/* The slow path of arena_alloc, kept out of its inlined fast path. */
static void *arena_alloc_chunk(struct json_arena *a, size_t n) __attribute__((noinline));

static void *
arena_alloc_chunk(struct json_arena *a, size_t n)
{
    struct arena_chunk *c, *head = a->head;
    size_t size;

    if (a->next_size == 0)
        a->next_size = ARENA_CHUNK_MIN;
    if (n > a->next_size / 4) {
        /* A big block gets a chunk of its own, behind the one being
         * filled, whose free space stays in use. */
        c = xmalloc(sizeof(*c) + n);
        c->size = c->used = n;
        if (head != NULL) {
            c->next = head->next;
            head->next = c;
        } else {
            c->next = NULL;
            a->head = c;
        }
        return c->data;
    }
    /* Each chunk twice the last (up to a limit): a big document takes a
     * handful of mallocs. */
    size = a->next_size;
    if (a->next_size < ARENA_CHUNK_MAX)
        a->next_size *= 2;
    c = xmalloc(sizeof(*c) + size);
    c->size = size;
    c->used = n;
    c->next = head;
    a->head = c;
    return c->data;
}

static inline void *
arena_alloc(struct json_arena *a, size_t n)
{
    struct arena_chunk *c = a->head;
    void *p;

    n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    if (c == NULL || c->size - c->used < n)
        return arena_alloc_chunk(a, n);
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

static inline struct json_value *
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

/* Append a child of the open container to the child stack. */
static inline void
child_push(struct builder *b, const char *key, struct json_value *v)
{
    struct child *c;

    if (b->n_children == b->alloc_children)
        b->children = xgrow(b->children, &b->alloc_children, b->n_children, sizeof(*b->children));
    c = &b->children[b->n_children++];
    c->key = key;
    c->value = v;
}

/* Give container V its children: those on the child stack from FIRST on. */
static void
children_pop(struct builder *b, struct json_value *v, size_t first)
{
    size_t n = b->n_children - first;
    /* No pointer arithmetic on a still-NULL stack (an empty first container). */
    struct child *kids = n ? &b->children[first] : NULL;

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
    b->n_children = first;
}

/* Attach V to the open container (or make it the root). */
static int
builder_add(struct builder *b, struct json_value *v)
{
    if (b->depth == 0) {
        b->root = v;
        return 1;
    }
    child_push(b, b->pending_key, v);
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

    children_pop(b, f->value, f->first);
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

/* The root carries the arena; json_free() of the root frees it all. */
static struct json_value *
builder_finish(struct builder *b)
{
    free(b->stack);
    free(b->children);
    b->root->arena = arena_alloc(&b->arena, sizeof(struct json_arena));
    *b->root->arena = b->arena;
    return b->root;
}

static void
builder_discard(struct builder *b)
{
    free(b->stack);
    free(b->children);
    arena_free(&b->arena);
}

/* The reference reader: yajl, and the callbacks above. */
static struct json_value *
parse_yajl(const char *buf, size_t len, const char *name, struct error **err)
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
        builder_discard(&b);
        yajl_free(h);
        return NULL;
    }
    yajl_free(h);
    return builder_finish(&b);
}

/* ---- the fast reader -------------------------------------------------- */

/* yajl's lexer takes some 20 instructions a byte and was a third of the
 * time of loading a config.  This reader takes the plain subset of JSON
 * that configs are written in and builds the same tree as the callbacks
 * above, with the strings left in a copy of the document.  It gives up,
 * without a message, on anything else: \u0000 and surrogates (yajl has
 * rules of its own for them), whitespace other than space, tab, CR and LF
 * (yajl also skips \v and \f), bad UTF-8, too deep a nesting, and every
 * syntax error.  yajl then parses the document again: it either accepts
 * it, building the tree itself, or refuses it with the message and
 * position it always gave.  The one rule to keep: accept nothing that
 * yajl would refuse, and build exactly the tree its callbacks would. */
struct reader {
    unsigned char *p, *end; /* in the document's copy in the arena */
    struct builder *b;
};

/* Bytes that end a run of plain string content: the quote, the
 * backslash and the control characters that yajl refuses in strings. */
static const bool string_stop[256] = {
    [0x00 ... 0x1f] = true,
    ['"'] = true,
    ['\\'] = true,
};

static const bool is_space[256] = {
    [' '] = true,
    ['\t'] = true,
    ['\n'] = true,
    ['\r'] = true,
};

static inline void
skip_space(struct reader *r)
{
    unsigned char *p = r->p, *end = r->end;

    while (p < end && is_space[*p])
        p++;
    r->p = p;
}

static inline bool
is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The escapes that stand for one ASCII byte; 0 for the others. */
static unsigned char
simple_escape(unsigned char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

/* The code point of the four hex digits of a \u escape at P (END bounds
 * them), or -1 when they are not four hex digits or stand for U+0000 or a
 * UTF-16 surrogate: yajl turns the one into a NUL, which is refused, and
 * pairs the others by rules of its own, so they are left to it.  Go's
 * encoding/json writes <, > and & as \u003c, \u003e and \u0026. */
static long
bmp_escape(const unsigned char *p, const unsigned char *end)
{
    long cp = 0;

    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        int d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        cp = cp << 4 | d;
    }
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    return cp;
}

/* Write CP (below U+10000) as UTF-8 at O; returns the bytes written. */
static size_t
put_utf8(char *o, long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    o[0] = (char)(0xe0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
}

/* A string whose opening quote is at r->p, or NULL to give up.  The text
 * stays where it is in the arena's copy of the document: the closing
 * quote becomes its NUL, and escapes are decoded in place (each is longer
 * than what it stands for). */
static char *
read_string(struct reader *r, size_t *ret_len)
{
    unsigned char *s = r->p + 1, *p = s, *end = r->end;
    unsigned char high = 0; /* every byte or'ed in: is any of them non-ASCII? */
    bool escaped = false;
    char *text = (char *)s, *o;
    size_t len;

    for (;;) {
        while (p < end && !string_stop[*p])
            high |= *p++;
        if (p == end)
            return NULL;
        if (*p == '"')
            break;
        if (*p != '\\' || p + 1 == end)
            return NULL;
        if (p[1] == 'u') {
            long cp = bmp_escape(p + 2, end);

            if (cp < 0)
                return NULL;
            if (cp >= 0x80)
                high |= 0x80;
            p += 6;
        } else if (simple_escape(p[1]) != 0) {
            p += 2;
        } else {
            return NULL;
        }
        escaped = true;
    }
    r->p = p + 1;
    if (!escaped) {
        len = (size_t)(p - s);
    } else {
        o = text;
        for (const unsigned char *q = s; q < p; q++) {
            if (*q != '\\') {
                *o++ = (char)*q;
            } else if (*++q == 'u') {
                o += put_utf8(o, bmp_escape(q + 1, p));
                q += 4;
            } else {
                *o++ = (char)simple_escape(*q);
            }
        }
        len = (size_t)(o - text);
    }
    text[len] = '\0';
    /* What cb_string and cb_map_key check; a NUL cannot come without \u0000. */
    if ((high & 0x80) && !is_utf8((const unsigned char *)text, len))
        return NULL;
    *ret_len = len;
    return text;
}

/* A number (JSON's grammar, which yajl's lexer follows) at r->p.  Its
 * text is copied, not ended in place: the byte after it is the next
 * token's. */
static struct json_value *
read_number(struct reader *r)
{
    const unsigned char *s = r->p, *p = s, *end = r->end;

    if (p < end && *p == '-')
        p++;
    if (p == end)
        return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && is_digit(*p))
            p++;
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        if (++p == end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        if (++p < end && (*p == '+' || *p == '-'))
            p++;
        if (p == end || !is_digit(*p))
            return NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    r->p = (unsigned char *)p;
    return text_value(r->b, JSON_NUMBER, s, (size_t)(p - s));
}

static struct json_value *
read_word(struct reader *r, const char *word, enum json_type type, bool boolean)
{
    size_t n = strlen(word);
    struct json_value *v;

    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return NULL;
    r->p += n;
    v = value_new(r->b, type);
    v->u.boolean = boolean;
    return v;
}

static struct json_value *read_value(struct reader *r, size_t depth);

/* An array or object at r->p, DEPTH containers deep (counting itself). */
static struct json_value *
read_container(struct reader *r, size_t depth)
{
    bool is_object = *r->p == '{';
    unsigned char close = is_object ? '}' : ']';
    struct builder *b = r->b;
    struct json_value *v, *child;
    size_t first = b->n_children;

    /* The callbacks' limit: builder_push refuses the container that
     * would be JSON_MAX_DEPTH + 1 deep. */
    if (depth > JSON_MAX_DEPTH)
        return NULL;
    v = value_new(b, is_object ? JSON_OBJECT : JSON_ARRAY);
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == close) {
        r->p++;
        children_pop(b, v, first);
        return v;
    }
    for (;;) {
        const char *key = NULL;

        if (is_object) {
            size_t key_len;

            if (r->p == r->end || *r->p != '"' || (key = read_string(r, &key_len)) == NULL)
                return NULL;
            skip_space(r);
            if (r->p == r->end || *r->p != ':')
                return NULL;
            r->p++;
            skip_space(r);
        }
        child = read_value(r, depth);
        if (child == NULL)
            return NULL;
        child_push(b, key, child);
        skip_space(r);
        if (r->p == r->end)
            return NULL;
        if (*r->p == close)
            break;
        if (*r->p != ',')
            return NULL;
        r->p++;
        skip_space(r);
    }
    r->p++;
    children_pop(b, v, first);
    return v;
}

/* A value at r->p (no space before it), inside DEPTH containers. */
static struct json_value *
read_value(struct reader *r, size_t depth)
{
    struct json_value *v;
    size_t len;
    char *text;

    if (r->p == r->end)
        return NULL;
    switch (*r->p) {
    case '{':
    case '[':
        return read_container(r, depth + 1);
    case '"':
        text = read_string(r, &len);
        if (text == NULL)
            return NULL;
        v = value_new(r->b, JSON_STRING);
        v->u.str.text = text;
        v->u.str.len = len;
        return v;
    case 't':
        return read_word(r, "true", JSON_BOOL, true);
    case 'f':
        return read_word(r, "false", JSON_BOOL, false);
    case 'n':
        return read_word(r, "null", JSON_NULL, false);
    default:
        return read_number(r);
    }
}

/* The document's tree, or NULL when the fast reader gives up. */
static struct json_value *
parse_fast(const char *buf, size_t len)
{
    struct builder b = {0};
    unsigned char *copy = arena_alloc(&b.arena, len + 1);
    struct reader r = {copy, copy + len, &b};

    if (len > 0)
        memcpy(copy, buf, len);
    skip_space(&r);
    b.root = read_value(&r, 0);
    if (b.root != NULL)
        skip_space(&r);
    /* Trailing bytes (yajl: "trailing garbage") and every failure above. */
    if (b.root == NULL || r.p != r.end) {
        builder_discard(&b);
        return NULL;
    }
    return builder_finish(&b);
}

struct json_value *
json_parse(const char *buf, size_t len, const char *name, struct error **err)
{
    struct json_value *v = parse_fast(buf, len);

    return v != NULL ? v : parse_yajl(buf, len, name, err);
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

/* S, all decimal digits, as a number: -EINVAL when S is empty or holds
 * anything else (an integer's text has no fraction and no exponent),
 * -ERANGE past UINT64_MAX.  By hand, not strtoull: a seccomp profile is
 * mostly numbers, and strtoull's locale and base handling showed. */
static int
digits_uint64(const char *s, uint64_t *ret)
{
    uint64_t n = 0;
    bool overflow = false;

    if (*s == '\0')
        return -EINVAL;
    for (; *s; s++) {
        unsigned d = (unsigned)(*s - '0');

        if (d > 9)
            return -EINVAL;
        if (n > (UINT64_MAX - d) / 10)
            overflow = true; /* keep going: a later '.' still makes it -EINVAL */
        else
            n = n * 10 + d;
    }
    if (overflow)
        return -ERANGE;
    *ret = n;
    return 0;
}

int
json_number_int64(const struct json_value *v, int64_t min, int64_t max, int64_t *ret)
{
    bool neg;
    uint64_t u;
    int64_t n;
    int rc;

    if (v->type != JSON_NUMBER)
        return -EINVAL;
    neg = v->u.str.text[0] == '-';
    rc = digits_uint64(v->u.str.text + neg, &u);
    if (rc < 0)
        return rc;
    if (u > (uint64_t)INT64_MAX + neg)
        return -ERANGE;
    n = neg && u > 0 ? -(int64_t)(u - 1) - 1 : (int64_t)u;
    if (n < min || n > max)
        return -ERANGE;
    *ret = n;
    return 0;
}

int
json_number_uint64(const struct json_value *v, uint64_t max, uint64_t *ret)
{
    bool neg;
    uint64_t u;
    int rc;

    if (v->type != JSON_NUMBER)
        return -EINVAL;
    neg = v->u.str.text[0] == '-';
    rc = digits_uint64(v->u.str.text + neg, &u);
    if (rc < 0)
        return rc;
    /* -0 is zero; every other negative number is out of range. */
    if ((neg && u != 0) || u > max)
        return -ERANGE;
    *ret = u;
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

    if (p->depth == p->alloc)
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

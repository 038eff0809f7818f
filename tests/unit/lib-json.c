/* SPDX-License-Identifier: Apache-2.0 */
/* lib/json.c: the tree parser (numbers as text, escapes, UTF-8, NUL, depth,
 * error positions), json_get, number conversions, the path builder and the
 * writer (compact, pretty, misuse, UTF-8, json_w_value round trips).
 * Checks that a bug could turn into a crash run in a child process, so that
 * they fail one test instead of ending the run. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

/* ---- helpers ---- */

static struct json_value *
parse_str(const char *s, char **ret_msg)
{
    struct error *err = NULL;
    struct json_value *v = json_parse(s, strlen(s), "t.json", &err);

    if (ret_msg != NULL)
        *ret_msg = err != NULL ? xstrdup(err->msg) : NULL;
    if (v == NULL && err == NULL)
        tap_diag("json_parse returned NULL without an error");
    if (v != NULL && err != NULL)
        tap_diag("json_parse set an error on success");
    error_free(&err);
    return v;
}

/* The error message json_parse gives for S (NULL if it parses); caller frees. */
static char *
parse_error(const char *s, size_t len)
{
    struct error *err = NULL;
    struct json_value *v = json_parse(s, len, "t.json", &err);
    char *msg = err != NULL ? xstrdup(err->msg) : NULL;

    json_free(v);
    error_free(&err);
    return msg;
}

static void
expect_parse_error(const char *s, const char *want, const char *what)
{
    char *msg = parse_error(s, strlen(s));

    tap_is_str(msg, want, "parse error: %s", what);
    free(msg);
}

/* Finish W; returns the buffer (caller frees) or NULL, with the error
 * message in *ret_msg when RET_MSG is given. */
static char *
finish(struct json_writer *w, size_t *ret_len, char **ret_msg)
{
    struct error *err = NULL;
    char *buf = NULL;
    int rc = json_writer_finish(w, &buf, ret_len, &err);

    if (ret_msg != NULL)
        *ret_msg = err != NULL ? xstrdup(err->msg) : NULL;
    if ((rc < 0) != (err != NULL))
        tap_diag("json_writer_finish: rc %d does not match the error", rc);
    if (rc < 0 && rc != -EINVAL)
        tap_diag("json_writer_finish: rc %d, expected -EINVAL", rc);
    error_free(&err);
    return rc < 0 ? NULL : buf;
}

static char *
write_value(const struct json_value *v, bool pretty)
{
    struct json_writer *w = json_writer_new(pretty);

    json_w_value(w, v);
    return finish(w, NULL, NULL);
}

/* Run FN in a child: 0 when it returned 0, else its exit status or
 * 128 + the signal that killed it. */
static int
run_isolated(int (*fn)(void))
{
    pid_t pid;
    int status;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        printf("Bail out! fork: %s\n", strerror(errno));
        exit(1);
    }
    if (pid == 0)
        _exit(fn());
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* ---- parsing ---- */

static void
test_parse_structure(void)
{
    const char *doc = "{\"s\": \"x\", \"n\": 12, \"t\": true, \"f\": false, \"z\": null,\n"
                      " \"a\": [1, [2, {\"k\": []}], {}],\n"
                      " \"o\": {\"p\": {\"q\": \"deep\"}}}";
    struct json_value *v = parse_str(doc, NULL);
    const struct json_value *a, *inner, *k, *q;

    tap_ok(v != NULL && v->type == JSON_OBJECT && v->u.obj.n == 7, "object with 7 members");
    if (v == NULL || v->type != JSON_OBJECT || v->u.obj.n != 7)
        return;
    tap_ok(strcmp(v->u.obj.items[0].key, "s") == 0 && strcmp(v->u.obj.items[6].key, "o") == 0,
           "members keep document order");
    tap_ok(json_get(v, "s")->type == JSON_STRING && strcmp(json_get(v, "s")->u.str.text, "x") == 0,
           "string member");
    tap_ok(json_get(v, "n")->type == JSON_NUMBER && strcmp(json_get(v, "n")->u.str.text, "12") == 0,
           "number member");
    tap_ok(json_get(v, "t")->type == JSON_BOOL && json_get(v, "t")->u.boolean, "true member");
    tap_ok(json_get(v, "f")->type == JSON_BOOL && !json_get(v, "f")->u.boolean, "false member");
    tap_ok(json_get(v, "z")->type == JSON_NULL, "null member");
    a = json_get(v, "a");
    tap_ok(a->type == JSON_ARRAY && a->u.arr.n == 3, "array of 3");
    inner = a->u.arr.items[1];
    tap_ok(inner->type == JSON_ARRAY && inner->u.arr.n == 2
               && inner->u.arr.items[1]->type == JSON_OBJECT,
           "nested array holds an object");
    k = json_get(inner->u.arr.items[1], "k");
    tap_ok(k != NULL && k->type == JSON_ARRAY && k->u.arr.n == 0, "empty nested array");
    tap_ok(a->u.arr.items[2]->type == JSON_OBJECT && a->u.arr.items[2]->u.obj.n == 0,
           "empty object");
    q = json_get(json_get(json_get(v, "o"), "p"), "q");
    tap_ok(q != NULL && strcmp(q->u.str.text, "deep") == 0, "nested objects");
    json_free(v);

    v = parse_str("  [true]  \n", NULL);
    tap_ok(v != NULL && v->type == JSON_ARRAY && v->u.arr.n == 1,
           "surrounding whitespace is fine; a top-level array parses");
    json_free(v);
    v = parse_str("\"top\"", NULL);
    tap_ok(v != NULL && v->type == JSON_STRING, "a top-level scalar parses");
    json_free(v);
}

static void
test_parse_numbers(void)
{
    static const char *const texts[] = {
        "18446744073709551615",
        "-9223372036854775808",
        "0",
        "-0",
        "1.5",
        "1e3",
        "-2.5E-7",
        "123456789012345678901234567890",
    };
    char doc[512] = "[";
    struct json_value *v;

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        strcat(doc, texts[i]);
        strcat(doc, i + 1 < sizeof(texts) / sizeof(texts[0]) ? ", " : "]");
    }
    v = parse_str(doc, NULL);
    tap_ok(v != NULL && v->u.arr.n == sizeof(texts) / sizeof(texts[0]), "numbers parse");
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const struct json_value *n = v->u.arr.items[i];
        tap_ok(n->type == JSON_NUMBER && strcmp(n->u.str.text, texts[i]) == 0
                   && n->u.str.len == strlen(texts[i]),
               "number %s kept as its source text", texts[i]);
    }
    json_free(v);
}

static void
test_parse_strings(void)
{
    const char *doc = "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u4e2d\\ud83d\\ude00\","
                      " \"h\xc3\xa9llo \xe2\x9c\x93\", \"\", \"\\u0041\\u007f\"]";
    struct json_value *v = parse_str(doc, NULL);
    const struct json_value *s;

    tap_ok(v != NULL && v->u.arr.n == 5, "strings parse");
    if (v == NULL)
        return;
    s = v->u.arr.items[0];
    tap_ok(s->u.str.len == 8 && memcmp(s->u.str.text, "\"\\/\b\f\n\r\t", 9) == 0,
           "simple escapes decoded");
    s = v->u.arr.items[1];
    tap_is_str(s->u.str.text, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80",
               "\\u escapes (and a surrogate pair) decoded to UTF-8");
    tap_is_int(s->u.str.len, 9, "decoded length counts bytes");
    s = v->u.arr.items[2];
    tap_is_str(s->u.str.text, "h\xc3\xa9llo \xe2\x9c\x93", "raw UTF-8 kept as is");
    s = v->u.arr.items[3];
    tap_ok(s->type == JSON_STRING && s->u.str.len == 0 && s->u.str.text[0] == '\0', "empty string");
    tap_is_str(v->u.arr.items[4]->u.str.text, "A\x7f", "\\u0041\\u007f");
    json_free(v);
}

static void
test_parse_nul(void)
{
    char *msg = NULL;
    struct json_value *v = parse_str("[\"a\\u0000b\"]", &msg);

    tap_ok(v == NULL && msg != NULL && strncmp(msg, "t.json: line 1, column ", 23) == 0
               && strstr(msg, ": string contains a NUL character") != NULL,
           "\\u0000 in a string is refused");
    free(msg);
    json_free(v);
    v = parse_str("{\"k\\u0000\": 1}", &msg);
    tap_ok(v == NULL && msg != NULL && strstr(msg, ": object key contains a NUL character"),
           "\\u0000 in an object key is refused");
    free(msg);
    json_free(v);
    msg = parse_error("[\"a\0b\"]", 7);
    tap_ok(msg != NULL && strncmp(msg, "t.json: line 1, column ", 23) == 0,
           "a raw NUL byte in a string is refused");
    free(msg);
}

static char *
nested(const char *open, const char *close, size_t depth)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = xmalloc(depth * (lo + lc) + 1), *p = s;

    for (size_t i = 0; i < depth; i++, p += lo)
        memcpy(p, open, lo);
    for (size_t i = 0; i < depth; i++, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    return s;
}

static void
test_parse_depth(void)
{
    char *doc = nested("[", "]", JSON_MAX_DEPTH), want[128];
    struct json_value *v = parse_str(doc, NULL);
    const struct json_value *c = v;
    size_t depth = 0;

    while (c != NULL && c->type == JSON_ARRAY) {
        depth++;
        c = c->u.arr.n ? c->u.arr.items[0] : NULL;
    }
    tap_is_int(depth, JSON_MAX_DEPTH, "JSON_MAX_DEPTH nested arrays are accepted");
    json_free(v);
    free(doc);

    snprintf(want, sizeof(want), "t.json: line 1, column %d: nesting too deep", JSON_MAX_DEPTH + 1);
    doc = nested("[", "]", JSON_MAX_DEPTH + 1);
    expect_parse_error(doc, want, "one array deeper than JSON_MAX_DEPTH");
    free(doc);

    snprintf(want, sizeof(want), "t.json: line 1, column %d: nesting too deep",
             5 * JSON_MAX_DEPTH + 1);
    doc = nested("{\"a\":", "}", JSON_MAX_DEPTH + 1);
    expect_parse_error(doc, want, "one object deeper than JSON_MAX_DEPTH");
    free(doc);

    /* A million levels: refused at the limit, never recursed into. */
    snprintf(want, sizeof(want), "t.json: line 1, column %d: nesting too deep", JSON_MAX_DEPTH + 1);
    doc = nested("[", "", 1000000);
    expect_parse_error(doc, want, "a nesting bomb is refused cleanly");
    free(doc);
}

static void
test_parse_errors(void)
{
    expect_parse_error("", "t.json: empty document, expected a JSON object", "empty input");
    expect_parse_error(" \n\t\r\n", "t.json: empty document, expected a JSON object",
                       "whitespace only");
    expect_parse_error("{} x\n", "t.json: line 1, column 4: trailing garbage", "trailing garbage");
    expect_parse_error("{}{}", "t.json: line 1, column 3: trailing garbage", "two documents");
    expect_parse_error("{}\n\n]\n", "t.json: line 3, column 1: trailing garbage",
                       "trailing bracket on a later line");
    expect_parse_error("{\"a\": [1, 2", "t.json: line 1, column 12: premature EOF",
                       "truncated array");
    expect_parse_error("{\n\t\"a\": {\n\t\t\"b\": \"x", "t.json: line 3, column 10: premature EOF",
                       "truncated inside a string, line 3");
    expect_parse_error("{\n", "t.json: line 2, column 1: premature EOF",
                       "truncated after a newline");
    expect_parse_error("hello", "t.json: line 1, column 1: invalid char in json text",
                       "not JSON at all");
    expect_parse_error("[\"\xc3\xa9\xc3\xa9\xc3\xa9\", x]",
                       "t.json: line 1, column 9: invalid char in json text",
                       "columns count characters, not UTF-8 bytes");
    expect_parse_error("{\n  \"a\": 1,\n  \"b\": x }\n",
                       "t.json: line 3, column 8: invalid char in json text", "error on line 3");

    char *msg = parse_error("[\"a\xff\"]\n", 6);
    tap_ok(msg != NULL && strstr(msg, "invalid bytes in UTF8 string") != NULL,
           "invalid UTF-8 is refused");
    free(msg);
    msg = parse_error("/* c */ {}", 10);
    tap_ok(msg != NULL && strncmp(msg, "t.json: line 1, column 1: ", 26) == 0,
           "comments are refused");
    free(msg);
    msg = parse_error("[1, 2]", 3);
    tap_is_str(msg, "t.json: line 1, column 4: premature EOF", "LEN bounds the input");
    free(msg);
}

/* The column of an error points at the offending character, whether or not
 * anything follows it (files end with a newline, strings often do not). */
static void
test_parse_error_position_at_end(void)
{
    static const struct {
        const char *doc, *want;
    } cases[] = {
        {"{]", "t.json: line 1, column 2: invalid object key (must be a string)"},
        {"[1,]", "t.json: line 1, column 4: unallowed token at this point in JSON text"},
        {"{} x", "t.json: line 1, column 4: trailing garbage"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *with_nl = xasprintf("%s\n", cases[i].doc);

        expect_parse_error(with_nl, cases[i].want, cases[i].doc);
        expect_parse_error(cases[i].doc, cases[i].want, "same, at the very end of the input");
        free(with_nl);
    }
    /* yajl already stops at a control character inside a string. */
    expect_parse_error("{\"a\": \"x\ty\"}\n",
                       "t.json: line 1, column 9: invalid character inside string",
                       "a raw tab inside a string");
}

/* json_parse takes (buf, len): the buffer need not be NUL-terminated.  Put
 * the input at the very end of a page followed by an inaccessible one, so
 * that reading past LEN faults in any build. */
static const char *guard_input;

static int
parse_at_page_end(void)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t len = strlen(guard_input);
    char *map =
        mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *buf, *msg;

    if (map == MAP_FAILED || mprotect(map + page, (size_t)page, PROT_NONE) < 0)
        return 2;
    buf = map + page - len;
    memcpy(buf, guard_input, len);
    msg = parse_error(buf, len);
    return msg != NULL && strncmp(msg, "t.json: ", 8) == 0 ? 0 : 3;
}

static void
test_parse_unterminated_buffer(void)
{
    static const char *const inputs[] = {"   \n", "{\"a\": 1", "{} x", "[\"a\\u0000\"]", "{]"};

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        int rc;

        guard_input = inputs[i];
        rc = run_isolated(parse_at_page_end);
        tap_ok(rc == 0, "no read past LEN for input %zu", i);
        if (rc != 0)
            tap_diag("child exited with %d", rc);
    }
}

/* ---- json_get, type names ---- */

static void
test_get(void)
{
    struct json_value *v = parse_str("{\"a\": 1, \"b\": 2, \"a\": 3, \"\": 4}", NULL);
    struct json_value *arr = parse_str("[1]", NULL);

    tap_ok(v != NULL && v->u.obj.n == 4, "the tree keeps repeated keys");
    tap_is_str(json_get(v, "a")->u.str.text, "3", "json_get: the last repeated key wins");
    tap_is_str(json_get(v, "b")->u.str.text, "2", "json_get: other key");
    tap_is_str(json_get(v, "")->u.str.text, "4", "json_get: empty key");
    tap_ok(json_get(v, "c") == NULL, "json_get: missing key gives NULL");
    tap_ok(json_get(arr, "a") == NULL, "json_get on an array gives NULL");
    tap_ok(json_get(NULL, "a") == NULL, "json_get on NULL gives NULL");
    json_free(v);
    json_free(arr);

    static const char *const names[] = {"null",     "a boolean", "a number",
                                        "a string", "an array",  "an object"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        tap_ok(strcmp(json_type_name((enum json_type)i), names[i]) == 0, "type name %s", names[i]);
}

/* ---- numbers ---- */

static void
test_number_int64(void)
{
    static const struct {
        const char *text;
        int64_t min, max;
        int rc;
        int64_t want;
    } cases[] = {
        {"0", INT64_MIN, INT64_MAX, 0, 0},
        {"-0", INT64_MIN, INT64_MAX, 0, 0},
        {"-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN},
        {"9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX},
        {"9223372036854775808", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"-9223372036854775809", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"123456789012345678901234567890", INT64_MIN, INT64_MAX, -ERANGE, 0},
        {"65535", 0, UINT16_MAX, 0, 65535},
        {"70000", 0, UINT16_MAX, -ERANGE, 0},
        {"-1", 0, 10, -ERANGE, 0},
        {"-2147483649", INT32_MIN, INT32_MAX, -ERANGE, 0},
        {"-2147483648", INT32_MIN, INT32_MAX, 0, INT32_MIN},
        {"1.5", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"1.0", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"1e3", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"1E3", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"-2e-1", INT64_MIN, INT64_MAX, -EINVAL, 0},
        {"1e400", INT64_MIN, INT64_MAX, -EINVAL, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *doc = xasprintf("[%s]", cases[i].text);
        struct json_value *v = parse_str(doc, NULL);
        int64_t n = 42;
        int rc = json_number_int64(v->u.arr.items[0], cases[i].min, cases[i].max, &n);

        tap_ok(rc == cases[i].rc && n == (rc == 0 ? cases[i].want : 42),
               "json_number_int64(%s in [%lld, %lld]) = %d", cases[i].text, (long long)cases[i].min,
               (long long)cases[i].max, cases[i].rc);
        if (rc != cases[i].rc || n != (rc == 0 ? cases[i].want : 42))
            tap_diag("got rc %d, value %lld", rc, (long long)n);
        json_free(v);
        free(doc);
    }

    struct json_value *v = parse_str("[\"1\", true]", NULL);
    int64_t n = 42;
    tap_ok(json_number_int64(v->u.arr.items[0], INT64_MIN, INT64_MAX, &n) == -EINVAL && n == 42,
           "json_number_int64 of a string is -EINVAL");
    tap_ok(json_number_int64(v->u.arr.items[1], INT64_MIN, INT64_MAX, &n) == -EINVAL && n == 42,
           "json_number_int64 of a boolean is -EINVAL");
    json_free(v);
}

static void
test_number_uint64(void)
{
    static const struct {
        const char *text;
        uint64_t max;
        int rc;
        uint64_t want;
    } cases[] = {
        {"0", UINT64_MAX, 0, 0},
        {"0", 0, 0, 0},
        {"-0", UINT64_MAX, 0, 0},
        {"18446744073709551615", UINT64_MAX, 0, UINT64_MAX},
        {"18446744073709551616", UINT64_MAX, -ERANGE, 0},
        {"4294967295", UINT32_MAX, 0, UINT32_MAX},
        {"4294967296", UINT32_MAX, -ERANGE, 0},
        {"70000", UINT16_MAX, -ERANGE, 0},
        {"-1", UINT64_MAX, -ERANGE, 0},
        {"-18446744073709551616", UINT64_MAX, -ERANGE, 0},
        {"1.5", UINT64_MAX, -EINVAL, 0},
        {"2e0", UINT64_MAX, -EINVAL, 0},
        {"-1.5", UINT64_MAX, -EINVAL, 0},
        {"1.0", UINT64_MAX, -EINVAL, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *doc = xasprintf("[%s]", cases[i].text);
        struct json_value *v = parse_str(doc, NULL);
        uint64_t n = 42;
        int rc = json_number_uint64(v->u.arr.items[0], cases[i].max, &n);

        tap_ok(rc == cases[i].rc && n == (rc == 0 ? cases[i].want : 42),
               "json_number_uint64(%s, max %llu) = %d", cases[i].text,
               (unsigned long long)cases[i].max, cases[i].rc);
        if (rc != cases[i].rc || n != (rc == 0 ? cases[i].want : 42))
            tap_diag("got rc %d, value %llu", rc, (unsigned long long)n);
        json_free(v);
        free(doc);
    }

    struct json_value *v = parse_str("[\"1\", null]", NULL);
    uint64_t n = 42;
    tap_ok(json_number_uint64(v->u.arr.items[0], UINT64_MAX, &n) == -EINVAL && n == 42,
           "json_number_uint64 of a string is -EINVAL");
    tap_ok(json_number_uint64(v->u.arr.items[1], UINT64_MAX, &n) == -EINVAL && n == 42,
           "json_number_uint64 of null is -EINVAL");
    json_free(v);
}

static void
test_number_double(void)
{
    struct json_value *v = parse_str("[1.5e3, -0.25, 1e400, \"1\", 18446744073709551615]", NULL);
    double d = 0;

    tap_ok(json_number_double(v->u.arr.items[0], &d) == 0 && d == 1500.0, "double 1.5e3");
    tap_ok(json_number_double(v->u.arr.items[1], &d) == 0 && d == -0.25, "double -0.25");
    tap_ok(json_number_double(v->u.arr.items[2], &d) == -ERANGE, "double 1e400 is -ERANGE");
    tap_ok(json_number_double(v->u.arr.items[3], &d) == -EINVAL, "double of a string is -EINVAL");
    tap_ok(json_number_double(v->u.arr.items[4], &d) == 0 && d == 18446744073709551615.0,
           "double of a large integer");
    json_free(v);
}

/* ---- paths ---- */

static void
test_path(void)
{
    struct json_path p = {0};
    size_t m_linux, m_ns, m_idx, m_root;

    tap_is_str(json_path_str(&p), "", "empty path is \"\"");
    m_linux = json_path_push_key(&p, "linux");
    m_ns = json_path_push_key(&p, "namespaces");
    m_idx = json_path_push_index(&p, 2);
    json_path_push_key(&p, "type");
    tap_is_str(json_path_str(&p), "linux.namespaces[2].type", "keys and an index");
    json_path_pop(&p, m_idx);
    tap_is_str(json_path_str(&p), "linux.namespaces", "pop to the index mark");
    json_path_push_index(&p, 18446744073709551615u);
    tap_is_str(json_path_str(&p), "linux.namespaces[18446744073709551615]", "largest index");
    json_path_pop(&p, m_ns);
    tap_is_str(json_path_str(&p), "linux", "pop to the namespaces mark");
    json_path_pop(&p, p.depth + 5);
    tap_is_str(json_path_str(&p), "linux", "popping to a mark past the end does nothing");
    json_path_pop(&p, m_linux);
    tap_is_str(json_path_str(&p), "", "pop everything");

    m_root = json_path_push_index(&p, 0);
    tap_is_str(json_path_str(&p), "[0]", "index at the root");
    json_path_pop(&p, m_root);

    static const struct {
        const char *key, *want;
    } keys[] = {
        {"_x1", "a._x1"},
        {"org.example/x", "a[\"org.example/x\"]"},
        {"a b", "a[\"a b\"]"},
        {"1abc", "a[\"1abc\"]"},
        {"", "a[\"\"]"},
        {"q\"b\\s", "a[\"q\\\"b\\\\s\"]"},
        {"nl\nx", "a[\"nl\\x0ax\"]"},
        {"\xc3\xa9", "a[\"\xc3\xa9\"]"},
    };
    json_path_push_key(&p, "a");
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        size_t mark = json_path_push_key(&p, keys[i].key);
        tap_ok(strcmp(json_path_str(&p), keys[i].want) == 0, "key quoting: %s", keys[i].want);
        if (strcmp(json_path_str(&p), keys[i].want) != 0)
            tap_diag("got %s", json_path_str(&p));
        json_path_pop(&p, mark);
    }
    json_path_pop(&p, 0);
    json_path_push_key(&p, "a.b");
    json_path_push_key(&p, "c");
    tap_is_str(json_path_str(&p), "[\"a.b\"].c", "quoted key at the root, then a plain one");
    json_path_pop(&p, 0);

    for (int i = 0; i < 1000; i++)
        json_path_push_key(&p, "abcdefgh");
    tap_is_int(p.depth, 1000, "a long path grows");
    tap_is_int(strlen(json_path_str(&p)), 1000 * 9 - 1, "and formats as one NUL-terminated string");
    json_path_free(&p);
    tap_ok(p.elems == NULL && p.depth == 0 && strcmp(json_path_str(&p), "") == 0,
           "json_path_free resets the path");
    json_path_free(&p);
}

/* ---- writer ---- */

static void
write_sample(struct json_writer *w)
{
    json_w_object_begin(w);
    json_w_key(w, "s");
    json_w_string(w, "q\"b\\s/\n\t\x01\xc3\xa9");
    json_w_key(w, "i");
    json_w_int64(w, INT64_MIN);
    json_w_key(w, "u");
    json_w_uint64(w, UINT64_MAX);
    json_w_key(w, "t");
    json_w_bool(w, true);
    json_w_key(w, "f");
    json_w_bool(w, false);
    json_w_key(w, "n");
    json_w_null(w);
    json_w_key(w, "a");
    json_w_array_begin(w);
    json_w_int64(w, -1);
    json_w_number_text(w, "1.50E+3");
    json_w_array_end(w);
    json_w_key(w, "o");
    json_w_object_begin(w);
    json_w_key(w, "k");
    json_w_string(w, "");
    json_w_object_end(w);
    json_w_object_end(w);
}

static void
test_writer(void)
{
    struct json_writer *w;
    char *buf, *msg;
    size_t len = 0;

    w = json_writer_new(false);
    write_sample(w);
    buf = finish(w, &len, NULL);
    tap_is_str(buf,
               "{\"s\":\"q\\\"b\\\\s/\\n\\t\\u0001\xc3\xa9\",\"i\":-9223372036854775808,"
               "\"u\":18446744073709551615,\"t\":true,\"f\":false,\"n\":null,"
               "\"a\":[-1,1.50E+3],\"o\":{\"k\":\"\"}}",
               "compact output");
    tap_is_int(len, buf ? strlen(buf) : 0, "compact: length returned");
    free(buf);

    w = json_writer_new(true);
    write_sample(w);
    buf = finish(w, &len, NULL);
    tap_is_str(buf,
               "{\n"
               "\t\"s\": \"q\\\"b\\\\s/\\n\\t\\u0001\xc3\xa9\",\n"
               "\t\"i\": -9223372036854775808,\n"
               "\t\"u\": 18446744073709551615,\n"
               "\t\"t\": true,\n"
               "\t\"f\": false,\n"
               "\t\"n\": null,\n"
               "\t\"a\": [\n"
               "\t\t-1,\n"
               "\t\t1.50E+3\n"
               "\t],\n"
               "\t\"o\": {\n"
               "\t\t\"k\": \"\"\n"
               "\t}\n"
               "}\n",
               "pretty output: tab indent, final newline");
    tap_is_int(len, buf ? strlen(buf) : 0, "pretty: length returned");
    free(buf);

    w = json_writer_new(true);
    json_w_string(w, "x");
    buf = finish(w, NULL, NULL);
    tap_is_str(buf, "\"x\"\n", "pretty scalar ends with a newline (RET_LEN may be NULL)");
    free(buf);

    w = json_writer_new(false);
    json_w_array_begin(w);
    json_w_array_end(w);
    buf = finish(w, &len, NULL);
    tap_ok(buf != NULL && strcmp(buf, "[]") == 0 && len == 2, "compact has no final newline");
    free(buf);

    w = json_writer_new(false);
    buf = finish(w, NULL, &msg);
    tap_ok(buf == NULL, "nothing written is an error");
    tap_is_str(msg, "writing JSON: empty document", "empty document message");
    free(msg);

    w = json_writer_new(false);
    json_w_array_begin(w);
    json_w_string(w, "a\xff");
    json_w_array_end(w);
    buf = finish(w, NULL, &msg);
    tap_ok(buf == NULL, "invalid UTF-8 string is an error");
    tap_is_str(msg, "writing JSON: string is not valid UTF-8", "invalid UTF-8 message");
    free(msg);

    w = json_writer_new(true);
    json_w_object_begin(w);
    json_w_key(w, "\xc3");
    json_w_int64(w, 1);
    json_w_object_end(w);
    buf = finish(w, NULL, &msg);
    tap_ok(buf == NULL && msg && strstr(msg, "not valid UTF-8"), "invalid UTF-8 key is an error");
    free(msg);
}

/* Each misuse must give -EINVAL; none may produce a buffer. */
static const char *const misuses[] = {
    "object never closed",       "object closed, never opened", "array closed, never opened",
    "object closed as an array", "array closed as an object",   "key without a value",
    "number as a key",           "two top-level values",        "stray close, then more calls",
};

static void
misuse(struct json_writer *w, size_t which)
{
    switch (which) {
    case 0:
        json_w_object_begin(w);
        break;
    case 1:
        json_w_object_end(w);
        break;
    case 2:
        json_w_array_end(w);
        break;
    case 3:
        json_w_object_begin(w);
        json_w_key(w, "a");
        json_w_int64(w, 1);
        json_w_array_end(w);
        break;
    case 4:
        json_w_array_begin(w);
        json_w_object_end(w);
        break;
    case 5:
        json_w_object_begin(w);
        json_w_key(w, "a");
        json_w_object_end(w);
        break;
    case 6:
        json_w_object_begin(w);
        json_w_int64(w, 1);
        json_w_int64(w, 2);
        json_w_object_end(w);
        break;
    case 7:
        json_w_string(w, "a");
        json_w_string(w, "b");
        break;
    default:
        json_w_object_end(w);
        json_w_object_begin(w);
        json_w_key(w, "a");
        json_w_null(w);
        json_w_object_end(w);
        break;
    }
}

static size_t misuse_index;

static int
run_misuse(void)
{
    struct json_writer *w = json_writer_new(false);
    char *msg = NULL, *buf;

    misuse(w, misuse_index);
    buf = finish(w, NULL, &msg);
    if (buf != NULL) {
        printf("# produced: %s\n", buf);
        fflush(stdout);
        return 1;
    }
    if (msg == NULL || strncmp(msg, "writing JSON: ", 14) != 0)
        return 2;
    free(msg);
    return 0;
}

static void
test_writer_misuse(void)
{
    for (misuse_index = 0; misuse_index < sizeof(misuses) / sizeof(misuses[0]); misuse_index++) {
        int rc = run_isolated(run_misuse);

        tap_ok(rc == 0, "unbalanced writer calls are an error: %s", misuses[misuse_index]);
        if (rc != 0)
            tap_diag("child exited with %d (1: a buffer was produced, >128: crashed)", rc);
    }
}

static void
test_w_value_round_trip(void)
{
    const char *in = "{\"a\": [1, -0, 1.50E+3, 18446744073709551615, -9223372036854775808],\n"
                     " \"b\": {\"c\": null, \"d\": true, \"e\": false, \"d\": []},\n"
                     " \"s\": \"\\u00e9\\n\\\"\\/\", \"\": {}}";
    const char *want = "{\"a\":[1,-0,1.50E+3,18446744073709551615,-9223372036854775808],"
                       "\"b\":{\"c\":null,\"d\":true,\"e\":false,\"d\":[]},"
                       "\"s\":\"\xc3\xa9\\n\\\"/\",\"\":{}}";
    struct json_value *v = parse_str(in, NULL), *v2;
    char *compact = write_value(v, false), *pretty = write_value(v, true), *again;

    tap_is_str(compact, want, "json_w_value: compact, number texts and repeated keys kept");
    v2 = parse_str(pretty ? pretty : "", NULL);
    again = v2 ? write_value(v2, false) : NULL;
    tap_is_str(again, want, "json_w_value: pretty output parses back to the same document");
    free(again);
    json_free(v2);
    v2 = parse_str(compact ? compact : "", NULL);
    again = v2 ? write_value(v2, false) : NULL;
    tap_is_str(again, want, "json_w_value: compact output is a fixed point");
    free(again);
    json_free(v2);
    free(compact);
    free(pretty);
    json_free(v);

    /* Whatever json_parse accepts, json_w_value must be able to write. */
    char *doc = nested("[", "]", JSON_MAX_DEPTH);
    v = parse_str(doc, NULL);
    again = v ? write_value(v, false) : NULL;
    tap_is_str(again, doc, "json_w_value writes a document nested JSON_MAX_DEPTH deep");
    free(again);
    json_free(v);
    free(doc);
}

int
main(void)
{
    test_parse_structure();
    test_parse_numbers();
    test_parse_strings();
    test_parse_nul();
    test_parse_depth();
    test_parse_errors();
    test_parse_error_position_at_end();
    test_parse_unterminated_buffer();
    test_get();
    test_number_int64();
    test_number_uint64();
    test_number_double();
    test_path();
    test_writer();
    test_writer_misuse();
    test_w_value_round_trip();
    return tap_done();
}

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_JSON_H
#define BERTH_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* The one user of yajl: the reader in lib/json.c, the writer in
 * lib/json-write.c.  The reader parses the plain JSON that configs are
 * written in itself and hands anything else, errors included, to yajl, so
 * that yajl still decides what is valid and words every message.
 * A document is parsed into a small tree of json_value;
 * numbers keep their source text so that no uint64 or int64 is ever rounded
 * through a double, and callers convert them with range checks.
 * The writer wraps yajl_gen and emits compact or pretty (tab-indented) JSON. */

enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_value;

struct json_member {
    char *key;
    struct json_value *value;
};

struct json_arena;

struct json_value {
    enum json_type type;
    struct json_arena *arena; /* the document's memory: set on the root only */
    union {
        bool boolean;
        struct {
            char *text; /* NUL-terminated; strings may hold no NUL (refused at parse) */
            size_t len;
        } str; /* JSON_STRING, and JSON_NUMBER's source text */
        struct {
            struct json_value **items;
            size_t n;
        } arr;
        struct {
            struct json_member *items;
            size_t n;
        } obj;
    } u;
};

/* Deepest nesting accepted; deeper documents are refused, not recursed into. */
#define JSON_MAX_DEPTH 127 /* yajl_gen's own limit, so that all we read can be written */

/* Parse one JSON document.  NAME is used in error messages:
 * "config.json: line 3, column 7: invalid object key".  Strings with an
 * embedded NUL and trailing garbage are refused. */
struct json_value *json_parse(const char *buf, size_t len, const char *name, struct error **err);
/* Free a document returned by json_parse (the root; not a subtree). */
void json_free(struct json_value *v);

/* The value of KEY in an object (the last one if the key is repeated), or NULL. */
const struct json_value *json_get(const struct json_value *obj, const char *key);

const char *json_type_name(enum json_type t);

/* Number conversions: 0, or -EINVAL when the text is not an integer (has a
 * fraction or an exponent), -ERANGE when it is outside [MIN, MAX]. */
int json_number_int64(const struct json_value *v, int64_t min, int64_t max, int64_t *ret);
int json_number_uint64(const struct json_value *v, uint64_t max, uint64_t *ret);
int json_number_double(const struct json_value *v, double *ret);

/* A JSON path being built while walking a document: "linux.namespaces[2].type".
 * Keys that are not identifiers are written as ["key"].  Pushing is cheap (no
 * formatting): the text is only made by json_path_str(), when a message needs
 * it.  Pushed keys are not copied and must outlive their push. */
struct json_path_elem {
    const char *key; /* NULL for an array index */
    size_t index;
};

struct json_path {
    struct json_path_elem *elems;
    size_t depth, alloc;
    char *buf; /* json_path_str()'s result */
    size_t buf_alloc;
};

/* Each push returns the previous depth to pass to json_path_pop. */
size_t json_path_push_key(struct json_path *p, const char *key);
size_t json_path_push_index(struct json_path *p, size_t index);
void json_path_pop(struct json_path *p, size_t mark);
/* The path as text ("" at the top), valid until the next call on P. */
const char *json_path_str(struct json_path *p);
void json_path_free(struct json_path *p);

/* Writer. */
struct json_writer;

struct json_writer *json_writer_new(bool pretty);
void json_writer_free(struct json_writer *w);
void json_w_object_begin(struct json_writer *w);
void json_w_object_end(struct json_writer *w);
void json_w_array_begin(struct json_writer *w);
void json_w_array_end(struct json_writer *w);
void json_w_key(struct json_writer *w, const char *key);
void json_w_string(struct json_writer *w, const char *s);
void json_w_int64(struct json_writer *w, int64_t v);
void json_w_uint64(struct json_writer *w, uint64_t v);
void json_w_bool(struct json_writer *w, bool v);
void json_w_null(struct json_writer *w);
/* A number given as text (as kept in the tree); must be valid JSON. */
void json_w_number_text(struct json_writer *w, const char *text);
/* A whole parsed value, recursively. */
void json_w_value(struct json_writer *w, const struct json_value *v);
/* Finish and take the buffer (NUL-terminated, with a final newline when
 * pretty).  Fails with -EINVAL if the calls did not form one valid document
 * (unbalanced, or a string that is not UTF-8); the writer is freed either way. */
int json_writer_finish(struct json_writer *w, char **ret_buf, size_t *ret_len, struct error **err)
    ATTR_WUR;

#endif

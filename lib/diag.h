/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_DIAG_H
#define BERTH_LIB_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* A list of problems found in one document, each naming a JSON path:
 *   config.json: linux.namespaces[2].type: unknown namespace "pidd"
 * Parsing and validation collect every problem (up to a cap) instead of
 * stopping at the first, so one run tells the user all that is wrong. */

enum diag_level {
    DIAG_ERROR,
    DIAG_WARNING,
};

struct diag {
    enum diag_level level;
    char *path; /* JSON path, "" for the document itself */
    char *msg;
    char *hint; /* one-line advice, or NULL */
};

struct diags {
    const char *file; /* file name used as prefix, e.g. "config.json" (not owned) */
    struct diag *items;
    size_t n, alloc;
    size_t cap;     /* keep at most this many (0: DIAG_DEFAULT_CAP) */
    size_t dropped; /* problems beyond the cap */
    size_t n_errors;
};

#define DIAG_DEFAULT_CAP 50

void diags_init(struct diags *d, const char *file);
void diags_free(struct diags *d);

void diags_add(struct diags *d, enum diag_level level, const char *path, const char *hint,
               const char *fmt, ...) ATTR_PRINTF(5, 6);
#define diags_error(d, path, ...) diags_add((d), DIAG_ERROR, (path), NULL, __VA_ARGS__)
#define diags_warning(d, path, ...) diags_add((d), DIAG_WARNING, (path), NULL, __VA_ARGS__)

static inline bool
diags_has_errors(const struct diags *d)
{
    return d->n_errors > 0;
}

/* One line per problem: "FILE: PATH: MSG" (PATH omitted when empty). */
char *diag_format(const struct diags *d, const struct diag *item);

/* If D holds errors, set *err to all of them, one per line (warnings are
 * left out), ending with "(N more problems not shown)" past the cap, and
 * return -EINVAL; otherwise return 0. */
int diags_to_error(const struct diags *d, struct error **err);

#endif

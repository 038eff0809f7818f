/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void
diags_init(struct diags *d, const char *file)
{
    memset(d, 0, sizeof(*d));
    d->file = file;
}

void
diags_free(struct diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].path);
        free(d->items[i].msg);
        free(d->items[i].hint);
    }
    free(d->items);
    d->items = NULL;
    d->n = d->alloc = 0;
}

void
diags_add(struct diags *d, enum diag_level level, const char *path, const char *hint,
          const char *fmt, ...)
{
    size_t cap = d->cap ? d->cap : DIAG_DEFAULT_CAP;
    struct diag *item;
    va_list ap;

    if (level == DIAG_ERROR)
        d->n_errors++;
    if (d->n >= cap) {
        d->dropped++;
        return;
    }
    d->items = xgrow(d->items, &d->alloc, d->n, sizeof(*d->items));
    item = &d->items[d->n++];
    item->level = level;
    item->path = xstrdup(path ? path : "");
    item->hint = hint ? xstrdup(hint) : NULL;
    va_start(ap, fmt);
    item->msg = xvasprintf(fmt, ap);
    va_end(ap);
}

char *
diag_format(const struct diags *d, const struct diag *item)
{
    const char *file = d->file ? d->file : "";
    const char *sep = d->file ? ": " : "";

    if (item->path[0] == '\0')
        return xasprintf("%s%s%s", file, sep, item->msg);
    return xasprintf("%s%s%s: %s", file, sep, item->path, item->msg);
}

int
diags_to_error(const struct diags *d, struct error **err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    if (!diags_has_errors(d))
        return 0;
    f = open_memstream(&buf, &len);
    if (f == NULL)
        return error_set(err, errno, "open_memstream");
    for (size_t i = 0; i < d->n; i++) {
        char *line;

        if (d->items[i].level != DIAG_ERROR)
            continue;
        line = diag_format(d, &d->items[i]);
        fprintf(f, "%s%s", ftell(f) > 0 ? "\n" : "", line);
        free(line);
    }
    if (d->dropped)
        fprintf(f, "\n(%zu more problems not shown)", d->dropped);
    fclose(f);
    error_setx(err, EINVAL, "%s", buf);
    free(buf);
    return -EINVAL;
}

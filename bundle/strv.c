/* SPDX-License-Identifier: Apache-2.0 */
/* struct strv (bundle/spec.h): a list of owned strings.  The helpers here
 * keep a NULL after the last item, but lists built elsewhere (the config
 * parser) need not have one: use n. */
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/xalloc.h"

void
strv_push(struct strv *v, char *s)
{
    v->items = xrealloc(v->items, (v->n + 2) * sizeof(*v->items));
    v->items[v->n++] = s;
    v->items[v->n] = NULL;
}

void
strv_add(struct strv *v, const char *s)
{
    strv_push(v, xstrdup(s));
}

void
strv_copy(struct strv *ret, const struct strv *src)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; src != NULL && i < src->n; i++)
        strv_add(ret, src->items[i]);
}

void
strv_clear(struct strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->n = 0;
}

bool
strv_contains(const struct strv *v, const char *s)
{
    for (size_t i = 0; v != NULL && i < v->n; i++)
        if (strcmp(v->items[i], s) == 0)
            return true;
    return false;
}

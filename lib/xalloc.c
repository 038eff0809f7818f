/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void __attribute__((noreturn)) oom(void)
{
    static const char msg[] = "berth: out of memory\n";
    (void)!fwrite(msg, 1, sizeof(msg) - 1, stderr);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom();
    return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (p == NULL)
        oom();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL)
        oom();
    return p;
}

void *
xgrow(void *p, size_t *alloc, size_t nmemb, size_t size)
{
    size_t want;

    if (nmemb < *alloc)
        return p;
    want = *alloc ? *alloc * 2 : 4;
    if (want <= nmemb)
        want = nmemb + 1;
    if (size != 0 && want > SIZE_MAX / size)
        oom();
    p = xrealloc(p, want * size);
    memset((char *)p + *alloc * size, 0, (want - *alloc) * size);
    *alloc = want;
    return p;
}

char *
xstrdup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL)
        oom();
    return p;
}

char *
xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (p == NULL)
        oom();
    return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
    char *p;
    if (vasprintf(&p, fmt, ap) < 0)
        oom();
    return p;
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

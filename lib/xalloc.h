/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_XALLOC_H
#define BERTH_LIB_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Allocation wrappers: out of memory is the one fatal error, they abort(). */
void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t nmemb, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
/* Grow an array of nmemb elements of size bytes to at least nmemb+1,
 * doubling *alloc; the new tail is zeroed. */
void *xgrow(void *p, size_t *alloc, size_t nmemb, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2), returns_nonnull));
char *xvasprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0), returns_nonnull));

#endif

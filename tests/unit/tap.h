/* SPDX-License-Identifier: Apache-2.0 */
/* A tiny TAP producer for unit tests: each test binary prints "ok N - ..."
 * lines and a plan; tests/run-unit collects them.  Exit 77 means skip. */
#ifndef BERTH_TESTS_TAP_H
#define BERTH_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n;
static int tap_failed;

static inline void __attribute__((format(printf, 2, 3))) tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;

    tap_n++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - ", cond ? "" : "not ", tap_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

#define tap_diag(...)                                                                              \
    do {                                                                                           \
        printf("# ");                                                                              \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)

/* Compare two strings (NULL-safe); print both on mismatch. */
#define tap_is_str(got, want, ...)                                                                 \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        int eq_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0);                 \
        tap_ok(eq_, __VA_ARGS__);                                                                  \
        if (!eq_) {                                                                                \
            tap_diag("     got: %s", g_ ? g_ : "(null)");                                          \
            tap_diag("expected: %s", w_ ? w_ : "(null)");                                          \
        }                                                                                          \
    } while (0)

#define tap_is_int(got, want, ...)                                                                 \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        tap_ok(g_ == w_, __VA_ARGS__);                                                             \
        if (g_ != w_)                                                                              \
            tap_diag("got %lld, expected %lld", g_, w_);                                           \
    } while (0)

/* Print the plan and return the exit status for main(). */
static inline int
tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_failed ? 1 : 0;
}

static inline void __attribute__((noreturn)) tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(77);
}

#endif

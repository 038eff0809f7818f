/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_ERROR_H
#define BERTH_LIB_ERROR_H

#include <stdarg.h>

/* An error travels up as a chain of context, outermost first:
 *   "create 'web': mounts[3].destination '/proc': openat2: No such file or directory"
 * Library code fills one with error_set() and adds context with error_wrap();
 * only the CLI prints it. */
struct error {
    int errnum; /* positive errno; EINVAL for bad configuration */
    char *msg;  /* never NULL once set */
};

#define ATTR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ATTR_WUR __attribute__((warn_unused_result))

/* Fill *err (if err is not NULL and *err is still NULL) with errnum and the
 * formatted message; when errnum is non-zero and the message would not
 * otherwise say it, append ": strerror(errnum)".  Returns -errnum (or -EINVAL
 * when errnum is 0), so "return error_set(err, ...)" reads naturally. */
int error_set(struct error **err, int errnum, const char *fmt, ...) ATTR_PRINTF(3, 4);

/* Like error_set, but never appends strerror: for messages that already say
 * what is wrong (bad configuration, usage). */
int error_setx(struct error **err, int errnum, const char *fmt, ...) ATTR_PRINTF(3, 4);

/* Prepend "context: " to an error already set.  Returns -(*err)->errnum, or
 * -EINVAL if no error was set (a bug, but never a crash). */
int error_wrap(struct error **err, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* Free and reset *err; safe on NULL and on an unset error. */
void error_free(struct error **err);

/* The errno of an error, or 0 when none is set. */
int error_errnum(const struct error *err);

#endif

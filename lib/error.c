/* SPDX-License-Identifier: Apache-2.0 */
#include "lib/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

static int
error_vset(struct error **err, int errnum, int add_strerror, const char *fmt, va_list ap)
{
    struct error *e;
    char *msg;

    if (errnum <= 0)
        errnum = errnum < 0 ? -errnum : EINVAL;
    if (err == NULL || *err != NULL)
        return -errnum;

    msg = xvasprintf(fmt, ap);
    if (add_strerror) {
        char *full = xasprintf("%s: %s", msg, strerror(errnum));
        free(msg);
        msg = full;
    }
    e = xmalloc(sizeof(*e));
    e->errnum = errnum;
    e->msg = msg;
    *err = e;
    return -errnum;
}

int
error_set(struct error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = error_vset(err, errnum, errnum != 0, fmt, ap);
    va_end(ap);
    return rc;
}

int
error_setx(struct error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = error_vset(err, errnum, 0, fmt, ap);
    va_end(ap);
    return rc;
}

int
error_wrap(struct error **err, const char *fmt, ...)
{
    va_list ap;
    char *ctx, *msg;

    if (err == NULL || *err == NULL)
        return -EINVAL;
    va_start(ap, fmt);
    ctx = xvasprintf(fmt, ap);
    va_end(ap);
    msg = xasprintf("%s: %s", ctx, (*err)->msg);
    free(ctx);
    free((*err)->msg);
    (*err)->msg = msg;
    return -(*err)->errnum;
}

void
error_free(struct error **err)
{
    if (err == NULL || *err == NULL)
        return;
    free((*err)->msg);
    free(*err);
    *err = NULL;
}

int
error_errnum(const struct error *err)
{
    return err != NULL ? err->errnum : 0;
}

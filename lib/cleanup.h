/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_LIB_CLEANUP_H
#define BERTH_LIB_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void
freep(void *p)
{
    free(*(void **)p);
}

/* Negative fds (unset, or -errno from a failed open) are ignored; errno is
 * preserved so that cleanup on an error path does not clobber it. */
static inline void
closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

static inline void
fclosep(FILE **f)
{
    if (*f != NULL)
        fclose(*f);
}

/* Hand ownership of a cleanup variable to the caller. */
#define TAKE_FD(fd)                                                                                \
    ({                                                                                             \
        int take_fd_ = (fd);                                                                       \
        (fd) = -1;                                                                                 \
        take_fd_;                                                                                  \
    })
#define TAKE_PTR(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) take_ptr_ = (p);                                                             \
        (p) = NULL;                                                                                \
        take_ptr_;                                                                                 \
    })

/* Define a cleanup function fnp(type *) calling fn(*p) when *p is non-NULL. */
#define DEFINE_CLEANUP_FUNC(type, fn)                                                              \
    static inline void fn##p(type *p)                                                              \
    {                                                                                              \
        if (*p)                                                                                    \
            fn(*p);                                                                                \
    }

#endif

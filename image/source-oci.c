/* SPDX-License-Identifier: Apache-2.0 */
/* An image layout directory (image-layout.md) as a source of files: every
 * file is opened beneath the layout directory's fd, never by a path
 * string, and never through a symlink as the last component. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "image/source.h"
#include "lib/cleanup.h"
#include "lib/fd.h"

int
image_source_oci_open(struct image_source *s, const char *path, struct error **err)
{
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0)
        return error_set(err, errno, "image layout '%s'", path);
    s->fd = fd;
    return 0;
}

int
image_source_oci_span(struct image_source *s, const char *name, struct image_source_span *ret,
                      struct error **err)
{
    /* Resolved as if the layout were "/": a symlinked blobs/ directory
     * cannot lead out of it.  O_NOFOLLOW refuses a symlink as the blob
     * itself, O_NONBLOCK keeps a FIFO planted there from hanging the open
     * (it is then refused as not a regular file). */
    _cleanup_close_ int fd =
        fd_open_in_root(s->fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0);
    struct stat st;

    if (fd == -ELOOP)
        return error_setx(err, ELOOP, "'%s/%s': is a symbolic link", s->name, name);
    if (fd < 0)
        return error_set(err, -fd, "'%s/%s'", s->name, name);
    if (fstat(fd, &st) < 0)
        return error_set(err, errno, "'%s/%s': fstat", s->name, name);
    if (!S_ISREG(st.st_mode))
        return error_setx(err, EINVAL, "'%s/%s': not a regular file", s->name, name);
    ret->fd = TAKE_FD(fd);
    ret->own_fd = true;
    ret->offset = 0;
    ret->size = (uint64_t)st.st_size;
    return 0;
}

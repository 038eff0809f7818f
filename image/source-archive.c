/* SPDX-License-Identifier: Apache-2.0 */
/* A tar file (oci-archive:, docker-archive:) as a source of files: indexed
 * once (image_tar_index_fd), then each member read in place with pread(2),
 * so that blobs are never copied out to a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "image/source.h"
#include "lib/cleanup.h"

int
image_source_archive_open(struct image_source *s, const char *path, struct error **err)
{
    _cleanup_close_ int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    int rc;

    if (fd < 0)
        return error_set(err, errno, "archive '%s'", path);
    if (fstat(fd, &st) < 0)
        return error_set(err, errno, "archive '%s': fstat", path);
    /* Members are read in place at their offsets: a pipe will not do. */
    if (!S_ISREG(st.st_mode))
        return error_setx(err, EINVAL, "archive '%s': not a regular file", path);
    rc = image_tar_index_fd(fd, path, &s->members, &s->n_members, err);
    if (rc < 0)
        return rc;
    s->fd = TAKE_FD(fd);
    return 0;
}

int
image_source_archive_span(struct image_source *s, const char *name, struct image_source_span *ret,
                          struct error **err)
{
    const char *want = name;

    while (want[0] == '/' || (want[0] == '.' && want[1] == '/'))
        want += want[0] == '/' ? 1 : 2;
    /* The last copy of a member wins, as when the archive is extracted. */
    for (size_t i = s->n_members; i > 0; i--) {
        const struct image_tar_member *m = &s->members[i - 1];

        if (strcmp(m->path, want) == 0) {
            ret->fd = s->fd;
            ret->own_fd = false;
            ret->offset = m->offset;
            ret->size = m->size;
            return 0;
        }
    }
    return error_setx(err, ENOENT, "'%s': no member '%s'", s->name, want);
}

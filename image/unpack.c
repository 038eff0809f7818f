/* SPDX-License-Identifier: Apache-2.0 */
/* `berth-image unpack`: an image into a bundle, atomically.  Everything is
 * made in a temporary directory beside BUNDLE (".NAME.unpack-XXXXXX", mode
 * 0700) and renamed into place at the end; any failure removes it, so that
 * BUNDLE is either the complete result or untouched. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

DEFINE_CLEANUP_FUNC(struct image_source *, image_source_free)
DEFINE_CLEANUP_FUNC(struct image *, image_free)
DEFINE_CLEANUP_FUNC(struct image_blob *, image_blob_close)
DEFINE_CLEANUP_FUNC(struct image_tar *, image_tar_free)
DEFINE_CLEANUP_FUNC(struct image_hash *, image_hash_free)
DEFINE_CLEANUP_FUNC(struct spec *, spec_free)

/* The blob reader as the tar reader sees it: counts bytes for the progress
 * display and stops when the caller cancels.  It runs in archive.c's
 * decompression thread: the progress callback must be thread-safe. */
struct layer_feed {
    struct image_blob *blob;
    const struct image_unpack_opts *o;
    size_t layer, n_layers;
    uint64_t read, size, next_report;
};

static ssize_t
feed_read(void *opaque, void *buf, size_t len, struct error **err)
{
    struct layer_feed *f = opaque;
    ssize_t n;

    if (f->o->cancel != NULL && *f->o->cancel)
        return error_setx(err, EINTR, "interrupted");
    n = image_blob_read(f->blob, buf, len, err);
    if (n > 0) {
        f->read += (uint64_t)n;
        if (f->o->progress != NULL && f->read >= f->next_report) {
            f->o->progress(f->o->progress_opaque, f->layer, f->n_layers, f->read, f->size);
            f->next_report = f->read + (4 << 20);
        }
    }
    return n;
}

static int
apply_layer(int rootfd, struct image_source *src, const struct image_layer *l, size_t k, size_t n,
            const struct image_unpack_opts *o, const struct image_extract_opts *xo, uint64_t *used,
            struct image_extract_stats *stats, struct error **err)
{
    char want[IMAGE_DIGEST_STR_MAX], got[IMAGE_DIGEST_STR_MAX], name[IMAGE_DIGEST_STR_MAX + 8];
    struct layer_feed feed = {.o = o, .layer = k, .n_layers = n, .size = (uint64_t)l->desc.size};
    _cleanup_(image_blob_closep) struct image_blob *blob = NULL;
    _cleanup_(image_tar_freep) struct image_tar *tar = NULL;
    _cleanup_(image_hash_freep) struct image_hash *h = image_hash_new(l->diff_id.alg);
    struct image_digest diff;
    uint64_t limit = 0;
    int rc;

    snprintf(name, sizeof(name), "layer %s", image_digest_str(&l->desc.digest, want));
    blob = image_blob_open(src, &l->desc, err);
    if (blob == NULL)
        return error_wrap(err, "%s", name);
    feed.blob = blob;
    if (o->max_size > 0) {
        /* At least one byte of allowance so that a limit already reached
         * reads as "exceeds the limit", not as "no limit". */
        limit = o->max_size > *used ? o->max_size - *used : 1;
    }
    tar = image_tar_open(feed_read, &feed, IMAGE_COMPRESSION_AUTO, h, limit, name, err);
    if (tar == NULL)
        return -error_errnum(*err);
    rc = image_layer_apply_at(rootfd, tar, name, xo, stats, err);
    if (rc < 0)
        return rc;
    /* This reads the blob to its end (what the decompressor did not need
     * too), so that the blob's digest is checked over all of it. */
    rc = image_tar_finish(tar, err);
    if (rc < 0)
        return rc;
    *used += image_tar_bytes(tar);
    image_hash_final(h, &diff);
    if (!image_digest_equal(&diff, &l->diff_id))
        return error_setx(err, EBADMSG,
                          "%s: diff_id mismatch: the image config says %s, the uncompressed "
                          "layer hashes to %s",
                          name, image_digest_str(&l->diff_id, want), image_digest_str(&diff, got));
    if (o->progress != NULL)
        o->progress(o->progress_opaque, k, n, feed.read, feed.size);
    return 0;
}

/* A fresh name beside the bundle: ".BASE.unpack-XXXXXX". */
static int
make_temp_dir_at(int parentfd, const char *base, char **ret_name, struct error **err)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";

    for (int attempt = 0; attempt < 100; attempt++) {
        unsigned char rnd[6];
        char suffix[7];
        char *name;

        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
            return error_set(err, errno, "getrandom");
        for (size_t i = 0; i < sizeof(rnd); i++)
            suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
        suffix[6] = '\0';
        if (asprintf(&name, ".%s.unpack-%s", base, suffix) < 0)
            abort();
        if (mkdirat(parentfd, name, 0700) == 0) {
            *ret_name = name;
            return 0;
        }
        free(name);
        if (errno != EEXIST)
            return error_set(err, errno, "create a temporary directory beside '%s'", base);
    }
    return error_setx(err, EEXIST, "create a temporary directory beside '%s': no free name", base);
}

/* Whether NAME in PARENTFD is absent (1), an empty directory (2), or
 * something else (0). */
static int
bundle_target_state(int parentfd, const char *name)
{
    _cleanup_close_ int fd =
        openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;

    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
            return 1;
        return 0;
    }
    {
        DIR *d = fdopendir(fd);
        struct dirent *de;
        bool empty = true;

        if (d == NULL)
            return 0;
        fd = -1;
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                empty = false;
                break;
            }
        closedir(d);
        return empty ? 2 : 0;
    }
}

static int
write_config_at(int dirfd, const struct image *img, int rootfd, const struct image_unpack_opts *o,
                struct error **err)
{
    struct image_convert_opts co = {.args = o->args, .rootless = o->rootless};
    _cleanup_(spec_freep) struct spec *s = NULL;
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc;

    if (o->idmap != NULL) {
        co.uid_mappings = o->idmap->uid_mappings;
        co.n_uid_mappings = o->idmap->n_uid_mappings;
        co.gid_mappings = o->idmap->gid_mappings;
        co.n_gid_mappings = o->idmap->n_gid_mappings;
    }
    s = image_to_spec_at(rootfd, img, &co, err);
    if (s == NULL)
        return -error_errnum(*err);
    rc = spec_write(s, true, &buf, &len, err);
    if (rc < 0)
        return rc;
    rc = fd_write_file_atomic_at(dirfd, "config.json", buf, len, 0644);
    if (rc < 0)
        return error_set(err, -rc, "write config.json");
    return 0;
}

/* Unpack into the directory TMPFD (empty, ours). */
static int
unpack_into_at(int tmpfd, const struct image_unpack_opts *o, struct image_unpack_result *ret,
               struct error **err)
{
    struct image_ref ref = {0};
    _cleanup_(image_source_freep) struct image_source *src = NULL;
    _cleanup_(image_freep) struct image *img = NULL;
    _cleanup_close_ int rootfd = -1;
    struct image_extract_opts xo = {0};
    uint64_t used = 0;
    int rc;

    rc = image_ref_parse(o->src, &ref, err);
    if (rc < 0)
        return rc;
    src = image_source_open(&ref, err);
    if (src != NULL)
        img = image_resolve(src, &ref, o->platform, err);
    image_ref_clear(&ref);
    if (img == NULL)
        return -error_errnum(*err);

    if (mkdirat(tmpfd, "rootfs", 0755) < 0)
        return error_set(err, errno, "create rootfs");
    rootfd = openat(tmpfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0)
        return error_set(err, errno, "open rootfs");

    if (o->idmap == NULL) {
        xo.chown = xo.mknod = true; /* root */
    } else {
        xo.chown = o->idmap->chown;
        xo.mknod = false; /* a user namespace cannot make devices */
    }
    ret->n_layers = img->n_layers;
    for (size_t i = 0; i < img->n_layers; i++) {
        rc = apply_layer(rootfd, src, &img->layers[i], i, img->n_layers, o, &xo, &used, &ret->stats,
                         err);
        if (rc < 0)
            return rc;
    }
    return write_config_at(tmpfd, img, rootfd, o, err);
}

int
image_unpack(const struct image_unpack_opts *o, struct image_unpack_result *ret, struct error **err)
{
    _cleanup_free_ char *copy1 = xstrdup(o->bundle), *copy2 = xstrdup(o->bundle);
    const char *dir = dirname(copy1), *base = basename(copy2);
    _cleanup_close_ int parentfd = -1, tmpfd = -1;
    _cleanup_free_ char *tmpname = NULL;
    int state, rc;

    memset(ret, 0, sizeof(*ret));
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0
        || strcmp(base, "/") == 0)
        return error_setx(err, EINVAL, "bundle '%s': not a usable directory name", o->bundle);
    parentfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (parentfd < 0)
        return error_set(err, errno, "bundle '%s': open its parent directory '%s'", o->bundle, dir);
    state = bundle_target_state(parentfd, base);
    if (state == 0 && !o->force)
        return error_setx(err, EEXIST,
                          "bundle '%s' exists and is not an empty directory (--force replaces it)",
                          o->bundle);
    rc = make_temp_dir_at(parentfd, base, &tmpname, err);
    if (rc < 0)
        return rc;
    tmpfd = openat(parentfd, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (tmpfd < 0) {
        rc = error_set(err, errno, "open '%s'", tmpname);
        unlinkat(parentfd, tmpname, AT_REMOVEDIR);
        return rc;
    }
    /* The bundle holds setuid files and devices: only its owner may reach
     * them.  (mkdirat applied the umask; make it exactly 0700.) */
    if (fchmod(tmpfd, 0700) < 0)
        rc = error_set(err, errno, "chmod '%s'", tmpname);
    if (rc == 0)
        rc = unpack_into_at(tmpfd, o, ret, err);
    if (rc == 0 && o->cancel != NULL && *o->cancel)
        rc = error_setx(err, EINTR, "interrupted");
    if (rc == 0) {
        state = bundle_target_state(parentfd, base);
        if (state == 1) {
            if (renameat2(parentfd, tmpname, parentfd, base, RENAME_NOREPLACE) < 0)
                rc = error_set(err, errno, "rename the new bundle to '%s'", o->bundle);
        } else if (state == 2 || o->force) {
            /* Swap, then remove what was there (now under the temporary
             * name). */
            if (renameat2(parentfd, tmpname, parentfd, base, RENAME_EXCHANGE) < 0)
                rc = error_set(err, errno, "replace '%s'", o->bundle);
        } else {
            rc = error_setx(err, EEXIST, "bundle '%s' appeared meanwhile (--force replaces it)",
                            o->bundle);
        }
    }
    /* On failure the temporary directory is the half-made bundle; on
     * success after an exchange it is the old bundle.  Either way it
     * goes. */
    {
        struct error *rmerr = NULL;

        if (image_remove_tree_at(parentfd, tmpname, &rmerr) < 0 && rc == 0) {
            *err = rmerr;
            rmerr = NULL;
            rc = error_wrap(err, "remove the old bundle");
        }
        error_free(&rmerr);
    }
    return rc;
}

int
image_remove_bundle(const char *bundle, struct error **err)
{
    _cleanup_free_ char *copy1 = xstrdup(bundle), *copy2 = xstrdup(bundle);
    const char *dir = dirname(copy1), *base = basename(copy2);
    _cleanup_close_ int parentfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (parentfd < 0)
        return error_set(err, errno, "'%s': open its parent directory '%s'", bundle, dir);
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0
        || strcmp(base, "/") == 0)
        return error_setx(err, EINVAL, "'%s': not a removable bundle", bundle);
    /* Only what looks like a bundle: a slip of the tongue must not remove
     * a home directory. */
    if (faccessat(parentfd, base, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
        _cleanup_close_ int dfd =
            openat(parentfd, base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;

        if (dfd < 0 || fstatat(dfd, "config.json", &st, AT_SYMLINK_NOFOLLOW) < 0
            || !S_ISREG(st.st_mode))
            return error_setx(err, EINVAL, "'%s' is not a bundle (no config.json in it)", bundle);
    }
    return image_remove_tree_at(parentfd, base, err);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "bundle/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "bundle/codec.h"
#include "lib/cleanup.h"
#include "lib/fd.h"

/* config.json larger than this is refused before parsing: real ones are a
 * few KiB, seccomp profiles push them to ~100 KiB. */
#define SPEC_MAX_SIZE (16u << 20)

struct spec *
spec_parse(const char *buf, size_t len, const char *file, struct error **err)
{
    return codec_parse_doc(&codec_spec, buf, len, file, err);
}

struct spec *
spec_load(const char *buf, size_t len, const char *file, struct error **err)
{
    struct spec *s = spec_parse(buf, len, file, err);
    struct diags diags;

    if (s == NULL)
        return NULL;
    diags_init(&diags, file);
    spec_validate(s, &diags);
    if (diags_to_error(&diags, err) < 0) {
        diags_free(&diags);
        spec_free(s);
        return NULL;
    }
    diags_free(&diags);
    return s;
}

struct spec *
spec_load_bundle_at(int bundle_dirfd, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc;

    rc = fd_read_file_at(bundle_dirfd, "config.json", SPEC_MAX_SIZE, &buf, &len);
    if (rc < 0) {
        error_set(err, -rc, "config.json");
        return NULL;
    }
    return spec_load(buf, len, "config.json", err);
}

int
spec_write(const struct spec *s, bool pretty, char **ret_buf, size_t *ret_len, struct error **err)
{
    return codec_write_doc(&codec_spec, s, pretty, ret_buf, ret_len, err);
}

void
spec_free(struct spec *s)
{
    codec_free_doc(&codec_spec, s);
}

struct spec_state *
spec_state_parse(const char *buf, size_t len, const char *file, struct error **err)
{
    return codec_parse_doc(&codec_state, buf, len, file, err);
}

int
spec_state_write(const struct spec_state *st, bool pretty, char **ret_buf, size_t *ret_len,
                 struct error **err)
{
    return codec_write_doc(&codec_state, st, pretty, ret_buf, ret_len, err);
}

void
spec_state_free(struct spec_state *st)
{
    codec_free_doc(&codec_state, st);
}

void
spec_state_hide_private(struct spec_state *st)
{
    struct spec_state_private *priv = st->priv;

    if (priv == NULL)
        return;
    free(priv->cgroup_path);
    free(priv);
    st->priv = NULL;
}

struct spec_process *
spec_process_parse(const char *buf, size_t len, const char *file, struct error **err)
{
    return codec_parse_doc(&codec_process, buf, len, file, err);
}

void
spec_process_free(struct spec_process *p)
{
    codec_free_doc(&codec_process, p);
}

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_FEATURES_H
#define BERTH_RUNTIME_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* The runtime-spec v1.3.0 Features structure (features.md,
 * features-linux.md): what this build of berth implements, for `berth
 * features` and the engines that read it.
 *
 * Build the document into *RET_BUF (NUL-terminated, owned by the caller;
 * PRETTY gives tab-indented JSON with a final newline) and its length into
 * *RET_LEN (may be NULL).  Returns 0, or -EINVAL with *err set if the JSON
 * writer refuses the document (a bug); *ret_buf is untouched on failure. */
int runtime_features_json(bool pretty, char **ret_buf, size_t *ret_len, struct error **err)
    ATTR_WUR;

/* The version of the libseccomp that berth runs with (seccomp_version(),
 * which may be newer than the headers it was built against), as
 * "MAJOR.MINOR.MICRO".  The caller frees it. */
char *runtime_libseccomp_version(void) __attribute__((malloc, returns_nonnull));

#endif

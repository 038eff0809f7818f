/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_CHECK_H
#define BERTH_RUNTIME_CHECK_H

/* `berth check`: everything about a bundle that would stop it from running
 * on this host, found without running it.  spec_validate() covers what the
 * config alone gets wrong; these checks compare the config with the machine
 * and the caller: files in the bundle and the rootfs, the caller's uid,
 * capabilities, rlimits and subordinate ids, namespace files, kernel
 * features (filesystems, time namespaces, seccomp), cgroup controllers and
 * LSMs.
 *
 * Errors are findings that would make `berth create` or the container's
 * first exec fail; warnings are findings where berth carries on but the
 * container gets less than it asked for, or where something outside the
 * rootfs (a mount, a hook) may still make it work. */

#include <stddef.h>

#include "bundle/spec.h"
#include "lib/diag.h"

/* Check S, read from the bundle at BUNDLE_DIRFD (an O_PATH or O_RDONLY
 * directory fd; root.path and relative bind mount sources are resolved from
 * it), against this host and the calling user.  S may have failed
 * spec_validate(): every check skips what is missing or malformed.  Adds
 * findings to DIAGS (each with a JSON path, and a hint where there is advice
 * to give) and returns the number of errors added.  Touches nothing: it
 * only opens, stats and reads. */
size_t runtime_check_bundle(int bundle_dirfd, const struct spec *s, struct diags *diags);

#endif

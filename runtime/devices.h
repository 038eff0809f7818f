/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_DEVICES_H
#define BERTH_RUNTIME_DEVICES_H

#include <stdbool.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* config-linux.md "Default Devices": /dev/null, zero, full, random,
 * urandom, tty, plus /dev/ptmx -> pts/ptmx and the /dev/fd, stdin, stdout,
 * stderr links, then linux.devices.  With MKNOD the nodes are created with
 * mknod(2) (root in the initial user namespace); otherwise each is an empty
 * file with the host's device bind-mounted on it, as a user namespace
 * cannot create device nodes. */
int devices_setup_at(int rootfd, const struct spec *s, bool mknod_ok, struct error **err);

#endif

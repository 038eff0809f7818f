/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_PROCESS_CAPS_H
#define BERTH_RUNTIME_PROCESS_CAPS_H

#include "bundle/spec.h"
#include "lib/error.h"

/* The capability number of NAME ("CAP_CHOWN"), or -1. */
int caps_from_name(const char *name);

/* Drop from the bounding set every capability not in CAPS->bounding (all of
 * them when CAPS is NULL).  Needs CAP_SETPCAP: call before changing uid. */
int caps_drop_bounding(const struct spec_capabilities *caps, struct error **err);

/* Set the effective, permitted and inheritable sets to exactly CAPS's, then
 * the ambient set.  An absent set is empty: no inheritable capabilities by
 * default (CVE-2022-29162).  Capabilities this kernel does not know are
 * skipped. */
int caps_apply(const struct spec_capabilities *caps, struct error **err);

/* Leave out of CAPS what the process cannot be granted, and say so through
 * WARN (config.md "capabilities": such a value "MUST be logged as a
 * warning", and runtimes "SHOULD NOT fail").  OWN_USERNS: the process gets
 * its capabilities in a user namespace other than ours (created or
 * joined), where it starts with all of them; otherwise it can keep only
 * what this process holds (its permitted set: a restricted host's root
 * may lack some).  An ambient capability must also be permitted and
 * inheritable, or the kernel refuses to raise it.  Call in the parent,
 * before the process is made. */
void caps_keep_grantable(struct spec_capabilities *caps, bool own_userns,
                         void (*warn)(const void *data, const char *msg), const void *warn_data);

#endif

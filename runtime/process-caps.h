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

#endif

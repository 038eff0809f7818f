/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_LSM_H
#define BERTH_RUNTIME_LSM_H

#include <stdbool.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* AppArmor and SELinux, applied only where the host has them.
 * config.md "Extensibility": "Runtimes MUST generate an error when invalid or
 * unsupported values are encountered", so a profile or label that this host
 * cannot enforce is an error at create, never a silent skip: a container
 * asked to be confined must not run unconfined. */
bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);

/* At create, before anything is set up: refuse labels the host cannot apply. */
int lsm_check(const struct spec *s, struct error **err);

/* In init, right before execve: the exec transition to the profile/label
 * (written to /proc/self/attr/..., applied by the kernel at execve). */
int lsm_apply_exec(const struct spec_process *p, struct error **err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_EXEC_H
#define BERTH_RUNTIME_EXEC_H

/* Internal to runtime/exec*.c: `exec` (runtime_exec in runtime.h). */

#include "bundle/spec.h"
#include "lib/error.h"
#include "runtime/runtime.h"

/* Turn CFG (the configuration frozen at create, which this modifies) into
 * the exec'd process's: CFG->process becomes the --process file, or the
 * template with O's flags applied as runc applies them.  EINVAL naming the
 * flag, or the file and JSON path, at fault. */
int exec_build_process(struct spec *cfg, const struct runtime_exec_opts *o, struct error **err);

#endif

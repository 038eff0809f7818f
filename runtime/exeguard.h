/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_EXEGUARD_H
#define BERTH_RUNTIME_EXEGUARD_H

/* CVE-2019-5736: the host's berth binary rewritten from a container.
 *
 * The process that enters a container (init until start, the child of
 * `exec` until its execve) runs this very binary.  Two ways lead from the
 * container to the host file: a process of the container that sees it opens
 * /proc/PID/exe (O_PATH, a reference to the host file); or the container's
 * program is a script starting "#!/proc/self/exe", so that our own execve
 * runs the host file again inside the container, where its dynamic loader
 * and libraries are the container's.  Either way the attacker then waits
 * for the file to be free (ETXTBSY ends with the last mapping) and opens it
 * for writing through /proc/self/fd/N: the next berth on the host runs the
 * attacker's code.
 *
 * Both end in a write, which only succeeds when the container can write the
 * file: when it shares our user namespace (its root has CAP_DAC_OVERRIDE
 * over a root-owned file), when the file's owner is mapped into its user
 * namespace (a rootless user running a berth they own), or when the mode
 * lets group or others write.  Then berth re-executes itself from a sealed
 * memfd copy of its binary first: /proc/PID/exe is a file nobody can write.
 * Otherwise the host file is out of the container's reach and the copy
 * (about 1.3 ms) is skipped.
 *
 * Separately, the process of `exec` is not dumpable from before it joins
 * the container until its execve: a process of the container with the same
 * ids could otherwise open its /proc/PID/fd, mem or exe (ptrace access). */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

/* PR_SET_DUMPABLE 0 for the calling process (and every child it forks). */
int exeguard_undumpable(struct error **err);

/* Whether PID is in the calling process's user namespace (compared by the
 * st_dev and st_ino of /proc/.../ns/user).  Errors count as "shared": the
 * careful answer. */
bool exeguard_shares_userns(pid_t pid);

/* Whether we run from a sealed memfd already (F_GET_SEALS on
 * /proc/self/exe has the seals exeguard_reexec adds). */
bool exeguard_is_sealed(void);

/* Unless exeguard_is_sealed(): copy /proc/self/exe into a memfd, seal it
 * (F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_WRITE) and fexecve it
 * with our argv (from /proc/self/cmdline) and environment: the program
 * starts over, keeping every fd that is not close-on-exec.  Returns 0 when
 * already sealed; on success it does not return; on failure -errno with
 * *err. */
int exeguard_reexec(struct error **err);

/* Whether the container with user namespace maps MAPS (NULL: it shares
 * ours) could write the binary we run (see above).  N is the number of
 * mappings.  Errors count as "could": the careful answer. */
struct spec_id_mapping;
bool exeguard_exe_reachable(const struct spec_id_mapping *maps, size_t n);

/* The same, for the container of PID: its user namespace and uid_map. */
bool exeguard_exe_reachable_from(pid_t pid);

#endif

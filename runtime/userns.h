/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_RUNTIME_USERNS_H
#define BERTH_RUNTIME_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* How the id maps of a new user namespace get written. */
enum idmap_method {
    IDMAP_DIRECT,      /* write /proc/PID/{uid,gid}_map ourselves */
    IDMAP_DIRECT_DENY, /* the same, after "deny" to /proc/PID/setgroups (one own id) */
    IDMAP_HELPER,      /* newuidmap/newgidmap, authorised by /etc/subuid and /etc/subgid */
};

/* Decide, without side effects, how mappings can be written by a caller
 * with effective id SELF (privileged when PRIVILEGED): a privileged caller
 * writes anything; an unprivileged one writes a single mapping of its own id
 * directly (gid: with setgroups denied, user_namespaces(7)) and needs the
 * setuid helpers for anything else. */
enum idmap_method userns_map_method(const struct spec_id_mapping *maps, size_t n, uid_t self,
                                    bool privileged, bool is_gid);

/* "C H S\n" lines for MAPS, malloc'd. */
char *userns_map_text(const struct spec_id_mapping *maps, size_t n);

/* Write MAPS to /proc/PID/FILE ("uid_map" or "gid_map") ourselves, in the
 * one write(2) the kernel takes: for a caller privileged over PID's parent
 * user namespace. */
int userns_write_map_direct(pid_t pid, const char *file, const struct spec_id_mapping *maps,
                            size_t n, struct error **err);

/* Write the uid and gid maps of LX for the process PID (which must be in a
 * new user namespace), choosing the method above.  Errors name
 * linux.uidMappings / linux.gidMappings. */
int userns_write_maps(pid_t pid, const struct spec_linux *lx, struct error **err);

#endif

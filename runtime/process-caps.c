/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process-caps.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/cleanup.h"

DEFINE_CLEANUP_FUNC(cap_t, cap_free)

int
caps_from_name(const char *name)
{
    char lower[64];
    cap_value_t v;
    size_t i;

    for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[i] = '\0';
    if (strncmp(lower, "cap_", 4) != 0 || cap_from_name(lower, &v) < 0)
        return -1;
    return v;
}

static bool
in_set(const struct strv *set, int cap)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (caps_from_name(set->items[i]) == cap)
            return true;
    return false;
}

int
caps_drop_bounding(const struct spec_capabilities *caps, struct error **err)
{
    int last = (int)cap_max_bits() - 1;

    for (int c = 0; c <= last; c++) {
        if (caps && in_set(&caps->bounding, c))
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            return error_set(err, errno, "process.capabilities.bounding: drop %s", cap_to_name(c));
    }
    return 0;
}

static int
fill(cap_t c, cap_flag_t flag, const struct strv *set)
{
    int last = (int)cap_max_bits() - 1;

    for (size_t i = 0; set && i < set->n; i++) {
        int v = caps_from_name(set->items[i]);
        cap_value_t cv;

        if (v < 0 || v > last)
            continue; /* unknown to this kernel: validation warned already */
        cv = v;
        if (cap_set_flag(c, flag, 1, &cv, CAP_SET) < 0)
            return -errno;
    }
    return 0;
}

int
caps_apply(const struct spec_capabilities *caps, struct error **err)
{
    _cleanup_(cap_freep) cap_t c = cap_init();
    int last = (int)cap_max_bits() - 1;

    if (c == NULL)
        return error_set(err, errno, "cap_init");
    if (caps) {
        if (fill(c, CAP_EFFECTIVE, &caps->effective) < 0
            || fill(c, CAP_PERMITTED, &caps->permitted) < 0
            || fill(c, CAP_INHERITABLE, &caps->inheritable) < 0)
            return error_set(err, errno, "process.capabilities");
    }
    if (cap_set_proc(c) < 0)
        return error_set(err, errno, "process.capabilities: set");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return error_set(err, errno, "process.capabilities.ambient: clear");
    for (size_t i = 0; caps && i < caps->ambient.n; i++) {
        int v = caps_from_name(caps->ambient.items[i]);

        if (v < 0 || v > last)
            continue;
        /* An ambient capability must be permitted and inheritable. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, v, 0, 0) < 0)
            return error_set(err, errno, "process.capabilities.ambient[%zu] %s", i,
                             caps->ambient.items[i]);
    }
    return 0;
}

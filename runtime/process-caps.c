/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/process-caps.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

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

/* Remove from SET the capabilities KEEP says no to, adding each one's name
 * to *LEFT_OUT (once). */
static void
filter_set(struct strv *set, bool (*keep)(int cap, const void *data), const void *data,
           struct strv *left_out)
{
    size_t out = 0;
    int last = (int)cap_max_bits() - 1;

    for (size_t i = 0; i < set->n; i++) {
        int v = caps_from_name(set->items[i]);

        /* Unknown to this kernel: validation warned, caps_apply skips. */
        if (v < 0 || v > last || keep(v, data)) {
            set->items[out++] = set->items[i];
            continue;
        }
        if (!strv_contains(left_out, set->items[i]))
            strv_add(left_out, set->items[i]);
        free(set->items[i]);
    }
    set->n = out; /* a parsed list has no room for a NULL after it */
}

static bool
held(int cap, const void *data)
{
    cap_flag_value_t v = CAP_CLEAR;

    return cap_get_flag((cap_t)data, (cap_value_t)cap, CAP_PERMITTED, &v) == 0 && v == CAP_SET;
}

static bool
raisable(int cap, const void *data)
{
    const struct spec_capabilities *caps = data;

    return in_set(&caps->permitted, cap) && in_set(&caps->inheritable, cap);
}

static char *
joined(const struct strv *v)
{
    size_t len = 1;
    char *out, *p;

    for (size_t i = 0; i < v->n; i++)
        len += strlen(v->items[i]) + 2;
    out = p = xmalloc(len);
    *p = '\0';
    for (size_t i = 0; i < v->n; i++)
        p += sprintf(p, "%s%s", i > 0 ? ", " : "", v->items[i]);
    return out;
}

void
caps_keep_grantable(struct spec_capabilities *caps, bool own_userns,
                    void (*warn)(const void *data, const char *msg), const void *warn_data)
{
    struct strv left_out = {0};

    if (caps == NULL)
        return;
    if (!own_userns) {
        _cleanup_(cap_freep) cap_t cur = cap_get_proc();

        if (cur != NULL) {
            filter_set(&caps->bounding, held, cur, &left_out);
            filter_set(&caps->effective, held, cur, &left_out);
            filter_set(&caps->permitted, held, cur, &left_out);
            filter_set(&caps->inheritable, held, cur, &left_out);
            filter_set(&caps->ambient, held, cur, &left_out);
        }
        if (left_out.n > 0 && warn != NULL) {
            _cleanup_free_ char *names = joined(&left_out);
            _cleanup_free_ char *msg =
                xasprintf("process.capabilities: %s cannot be granted (berth does not hold %s): "
                          "left out",
                          names, left_out.n > 1 ? "them" : "it");
            warn(warn_data, msg);
        }
        strv_clear(&left_out);
    }
    /* capabilities(7): an ambient capability must be permitted and
     * inheritable, or PR_CAP_AMBIENT_RAISE fails (runc goes on silently;
     * engines such as buildah ask for ambient capabilities alone). */
    filter_set(&caps->ambient, raisable, caps, &left_out);
    if (left_out.n > 0 && warn != NULL) {
        _cleanup_free_ char *names = joined(&left_out);
        _cleanup_free_ char *msg = xasprintf(
            "process.capabilities.ambient: %s %s not also permitted and inheritable, so the "
            "kernel refuses to raise %s: left out",
            names, left_out.n > 1 ? "are" : "is", left_out.n > 1 ? "them" : "it");
        warn(warn_data, msg);
    }
    strv_clear(&left_out);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* spec_validate(), part: linux.seccomp (config-linux.md "Seccomp").  Syscall
 * names are not checked: a name unknown to this libseccomp or architecture
 * is skipped by the filter compiler, as runc and crun do, so that one
 * profile serves every kernel. */
#include "bundle/validate.h"

#include <inttypes.h>
#include <string.h>

/* "Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the
 * errno code to return.  When the action doesn't support an errno, the
 * runtime MUST print and error and fail." */
static bool
takes_errno(int action)
{
    return action == SPEC_SCMP_ACT_ERRNO || action == SPEC_SCMP_ACT_TRACE;
}

static void
check_errno(struct validator *v, const char *key, int action, uint32_t value)
{
    const char *name = spec_enum_name(&spec_enum_seccomp_action, action);

    if (name == NULL)
        return;
    if (!takes_errno(action))
        validate_error(v, key, "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not %s",
                       name);
    /* The filter returns 16 bits of data and the kernel caps an errno at
     * MAX_ERRNO (4095), but libseccomp refuses 4095 itself, so 4094 is the
     * largest errno a filter can return: berth caps there
     * (seccomp/sfilter.c), and says so. */
    else if (action == SPEC_SCMP_ACT_ERRNO && value > 4094)
        validate_warning(v, key,
                         "%" PRIu32 " is above 4094, the largest errno a seccomp filter "
                         "can return: capped to 4094",
                         value);
    else if (action == SPEC_SCMP_ACT_TRACE && value > 65535)
        validate_warning(v, key, "%" PRIu32 " does not fit the 16 bits the tracer gets", value);
}

/* Repeated flags or architectures are harmless but a sign of a mistake. */
static void
check_enum_duplicates(struct validator *v, const char *key, const struct enumv *list,
                      const struct spec_enum *e)
{
    size_t mark = validate_push_key(v, key);

    for (size_t i = 0; i < list->n; i++)
        for (size_t j = 0; j < i; j++)
            if (list->items[j] == list->items[i]) {
                size_t im = validate_push_index(v, i);
                validate_warning(v, NULL, "\"%s\" is listed twice (also %s[%zu])",
                                 spec_enum_name(e, list->items[i]), key, j);
                validate_pop(v, im);
                break;
            }
    validate_pop(v, mark);
}

/* args: seccomp(2) filters see the six syscall arguments, index 0 to 5.
 * valueTwo is the datum of SCMP_CMP_MASKED_EQ ((arg & value) == valueTwo;
 * left out it is 0, which Docker's profile relies on); other operators
 * ignore it, and profiles often carry "valueTwo": 0, so only a non-zero one
 * gets a warning. */
static void
check_args(struct validator *v, const struct spec_syscall *sc)
{
    size_t mark = validate_push_key(v, "args");

    for (size_t i = 0; i < sc->n_args; i++) {
        const struct spec_seccomp_arg *a = &sc->args[i];
        size_t im = validate_push_index(v, i);

        if (a->index > 5)
            validate_error(v, "index", "%" PRIu32 " is out of range (0 to 5)", a->index);
        if (a->has_value_two && a->value_two != 0 && a->op != SPEC_SCMP_CMP_MASKED_EQ
            && a->op != SPEC_SCMP_CMP_UNSET)
            validate_warning(v, "valueTwo", "ignored by %s (only SCMP_CMP_MASKED_EQ uses it)",
                             spec_enum_name(&spec_enum_seccomp_op, a->op));
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

static void
check_syscall(struct validator *v, const struct spec_seccomp *s, const struct spec_syscall *sc)
{
    /* "names MUST contain at least one entry." */
    if (sc->names.n == 0)
        validate_error(v, "names", "at least one entry is required");
    for (size_t i = 0; i < sc->names.n; i++)
        if (sc->names.items[i][0] == '\0') {
            size_t mark = validate_push_key(v, "names");
            validate_push_index(v, i);
            validate_error(v, NULL, "must not be empty");
            validate_pop(v, mark);
        }
    /* runc refuses SCMP_ACT_NOTIFY without a listener: the filtered
     * syscalls would block forever with nobody to answer them. */
    if (sc->action == SPEC_SCMP_ACT_NOTIFY && s->listener_path == NULL)
        validate_error(v, "action", "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
    if (sc->has_errno_ret)
        check_errno(v, "errnoRet", sc->action, sc->errno_ret);
    check_args(v, sc);
}

void
validate_seccomp(struct validator *v, const struct spec_seccomp *s)
{
    size_t mark;

    /* A notify default would stop the runtime's own syscalls between
     * loading the filter and exec on a listener that cannot have the
     * notify fd yet; runc refuses it too. */
    if (s->default_action == SPEC_SCMP_ACT_NOTIFY)
        validate_error(v, "defaultAction",
                       "SCMP_ACT_NOTIFY cannot be the default action: it would stop the runtime's "
                       "own syscalls before the listener gets the notify fd");
    if (s->has_default_errno_ret)
        check_errno(v, "defaultErrnoRet", s->default_action, s->default_errno_ret);
    check_enum_duplicates(v, "architectures", &s->architectures, &spec_enum_seccomp_arch);
    check_enum_duplicates(v, "flags", &s->flags, &spec_enum_seccomp_flag);
    /* "listenerMetadata ... MUST NOT be set if listenerPath is not set." */
    if (s->listener_metadata != NULL && s->listener_path == NULL)
        validate_error(v, "listenerMetadata", "must not be set without listenerPath");
    if (s->listener_path != NULL && s->listener_path[0] == '\0')
        validate_error(v, "listenerPath", "must not be empty");

    mark = validate_push_key(v, "syscalls");
    for (size_t i = 0; i < s->n_syscalls; i++) {
        size_t im = validate_push_index(v, i);
        check_syscall(v, s, &s->syscalls[i]);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

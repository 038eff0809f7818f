/* SPDX-License-Identifier: Apache-2.0 */
/* spec_validate(), part: the process object (config.md "Process", "POSIX
 * process", "Linux Process", "User"), and the capability and rlimit
 * tables the runtime shares. */
#include "bundle/validate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- capabilities ---- */

/* capabilities(7), indexed by number: Linux 5.9 added the last one. */
static const char *const capability_names[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
_Static_assert(COUNT(capability_names) == BUNDLE_CAP_LAST + 1, "capability table size");

int
bundle_capability_value(const char *name)
{
    for (size_t i = 0; i < COUNT(capability_names); i++)
        if (strcmp(name, capability_names[i]) == 0)
            return (int)i;
    return -1;
}

bool
bundle_is_known_capability(const char *name)
{
    return bundle_capability_value(name) >= 0;
}

const char *
bundle_capability_name(int value)
{
    if (value < 0 || value > BUNDLE_CAP_LAST)
        return NULL;
    return capability_names[value];
}

/* The shape of every capabilities(7) name, which features-linux.json also
 * uses: ^CAP_[A-Z_]+$ (with digits, for a future CAP_xxx64). */
static bool
looks_like_capability(const char *name)
{
    if (strncmp(name, "CAP_", 4) != 0 || name[4] == '\0')
        return false;
    for (const char *c = name + 4; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return false;
    return true;
}

/* An unknown capability is a warning, not an error, when it is shaped like
 * one.  config.md "Valid values" says runtimes MUST generate an error for
 * invalid or unsupported values, but "capabilities" says more precisely:
 * "Any value which cannot be mapped to a relevant kernel interface, or
 * cannot be granted otherwise MUST be logged as a warning by the runtime.
 * Runtimes SHOULD NOT fail if the container configuration requests
 * capabilities that cannot be granted".  runc and crun warn too, and
 * engines rely on it: they pass the capability list of the newest kernel
 * they know to runtimes on older ones.  A string that cannot be a
 * capability name at all ("chown", "NET_ADMIN") is an invalid value, and an
 * error. */
static void
check_capability_set(struct validator *v, const char *key, const struct strv *set)
{
    size_t mark = validate_push_key(v, key);

    for (size_t i = 0; i < set->n; i++) {
        const char *name = set->items[i];
        size_t im = validate_push_index(v, i);

        if (!looks_like_capability(name))
            validate_error(v, NULL,
                           "\"%s\" is not a capability name (CAP_ and upper case, e.g. CAP_CHOWN)",
                           name);
        else if (!bundle_is_known_capability(name))
            validate_warning(v, NULL,
                             "unknown capability \"%s\" (known: CAP_CHOWN to "
                             "CAP_CHECKPOINT_RESTORE); it will not be granted",
                             name);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* The kernel raises an ambient capability only if it is both permitted and
 * inheritable (PR_CAP_AMBIENT_RAISE fails with EPERM otherwise), and capset
 * refuses an effective one that is not permitted.  Per config.md these are
 * capabilities that "cannot be granted": warnings. */
static void
check_capability_subsets(struct validator *v, const struct spec_capabilities *c)
{
    size_t mark = validate_push_key(v, "ambient");

    for (size_t i = 0; i < c->ambient.n; i++) {
        const char *name = c->ambient.items[i];
        bool p = strv_contains(&c->permitted, name), in = strv_contains(&c->inheritable, name);
        size_t im = validate_push_index(v, i);

        if (!p || !in)
            validate_warning(
                v, NULL, "\"%s\" is not in %s, so the kernel will not raise it as ambient", name,
                !p && !in ? "permitted and inheritable"
                : !p      ? "permitted"
                          : "inheritable");
        validate_pop(v, im);
    }
    validate_pop(v, mark);

    mark = validate_push_key(v, "effective");
    for (size_t i = 0; i < c->effective.n; i++)
        if (!strv_contains(&c->permitted, c->effective.items[i])) {
            size_t im = validate_push_index(v, i);
            validate_warning(v, NULL, "\"%s\" is not in permitted, so it cannot be effective",
                             c->effective.items[i]);
            validate_pop(v, im);
        }
    validate_pop(v, mark);
}

static void
check_capabilities(struct validator *v, const struct spec_capabilities *c)
{
    size_t mark = validate_push_key(v, "capabilities");

    check_capability_set(v, "bounding", &c->bounding);
    check_capability_set(v, "effective", &c->effective);
    check_capability_set(v, "inheritable", &c->inheritable);
    check_capability_set(v, "permitted", &c->permitted);
    check_capability_set(v, "ambient", &c->ambient);
    check_capability_subsets(v, c);
    validate_pop(v, mark);
}

/* ---- rlimits ---- */

static const struct {
    const char *name;
    int resource;
} rlimit_table[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

int
bundle_rlimit_resource(const char *name)
{
    for (size_t i = 0; i < COUNT(rlimit_table); i++)
        if (strcmp(name, rlimit_table[i].name) == 0)
            return rlimit_table[i].resource;
    return -1;
}

/* config.md "POSIX process": "The runtime MUST generate an error for any
 * values which cannot be mapped to a relevant kernel interface"; "If
 * rlimits contains duplicated entries with same type, the runtime MUST
 * generate an error".  setrlimit(2) refuses soft > hard with EINVAL. */
static void
check_rlimits(struct validator *v, const struct spec_rlimit *rl, size_t n)
{
    size_t mark = validate_push_key(v, "rlimits");

    for (size_t i = 0; i < n; i++) {
        size_t im = validate_push_index(v, i);

        if (rl[i].type != NULL && bundle_rlimit_resource(rl[i].type) < 0) {
            validate_error(v, "type",
                           "unknown resource \"%s\" (accepted: RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, "
                           "RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, "
                           "RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, "
                           "RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK)",
                           rl[i].type);
        } else if (rl[i].type != NULL) {
            for (size_t j = 0; j < i; j++)
                if (rl[j].type != NULL && strcmp(rl[j].type, rl[i].type) == 0) {
                    validate_error(v, "type", "\"%s\" is listed twice (also rlimits[%zu])",
                                   rl[i].type, j);
                    break;
                }
        }
        if (rl[i].soft > rl[i].hard)
            validate_error(v, "soft", "%" PRIu64 " is above the hard limit %" PRIu64, rl[i].soft,
                           rl[i].hard);
        validate_pop(v, im);
    }
    validate_pop(v, mark);
}

/* ---- scheduler ---- */

static bool
is_realtime(int policy)
{
    return policy == SPEC_SCHED_FIFO || policy == SPEC_SCHED_RR;
}

/* sched_setattr(2), as the kernel's __checkparam_dl() and
 * valid_policy()/user_check_sched_setscheduler() apply it:
 *   - nice is -20..19 (runc checks it too);
 *   - SCHED_FIFO and SCHED_RR need a static priority of 1..99, every other
 *     policy 0 ("If not set, the runtime must use the value 0", so an unset
 *     priority with SCHED_FIFO is EINVAL);
 *   - runtime, deadline and period belong to SCHED_DEADLINE (runc refuses
 *     them elsewhere), which needs 1024 <= runtime <= deadline <= period
 *     (a period of 0 means "equal to deadline"). */
static void
check_scheduler(struct validator *v, const struct spec_scheduler *s)
{
    const char *policy = spec_enum_name(&spec_enum_sched_policy, s->policy);
    size_t mark = validate_push_key(v, "scheduler");

    if (policy == NULL)
        policy = "?";
    if (s->has_nice && (s->nice < -20 || s->nice > 19))
        validate_error(v, "nice", "%d is out of range (-20 to 19)", s->nice);
    if (is_realtime(s->policy) && (s->priority < 1 || s->priority > 99))
        validate_error(v, "priority", "%s needs a priority from 1 to 99, not %d", policy,
                       s->priority);
    else if (!is_realtime(s->policy) && s->priority != 0)
        validate_error(v, "priority", "only SCHED_FIFO and SCHED_RR take a priority, not %s",
                       policy);

    if (s->policy != SPEC_SCHED_DEADLINE) {
        static const char *const keys[] = {"runtime", "deadline", "period"};
        const uint64_t values[] = {s->runtime, s->deadline, s->period};

        for (size_t i = 0; i < COUNT(keys); i++)
            if (values[i] != 0)
                validate_error(v, keys[i], "only SCHED_DEADLINE takes a %s, not %s", keys[i],
                               policy);
    } else {
        if (s->runtime < 1024)
            validate_error(v, "runtime",
                           "SCHED_DEADLINE needs a runtime of at least 1024 (nanoseconds), not "
                           "%" PRIu64,
                           s->runtime);
        if (s->deadline == 0 || s->deadline < s->runtime)
            validate_error(v, "deadline",
                           "SCHED_DEADLINE needs a deadline no smaller than runtime (%" PRIu64
                           "), not %" PRIu64,
                           s->runtime, s->deadline);
        if (s->period != 0 && s->period < s->deadline)
            validate_error(v, "period",
                           "%" PRIu64 " is smaller than deadline %" PRIu64
                           " (0 means equal to deadline)",
                           s->period, s->deadline);
    }
    validate_pop(v, mark);
}

/* ---- the rest ---- */

static void
check_user(struct validator *v, const struct spec_user *u)
{
    size_t mark = validate_push_key(v, "user");

    /* config.md "POSIX-platform User": uid and gid are REQUIRED (the schema
     * leaves them optional, for Windows' username).  Silently running as
     * root because the field was forgotten is the wrong default. */
    if (!u->has_uid)
        validate_error(v, "uid", "required field is missing");
    if (!u->has_gid)
        validate_error(v, "gid", "required field is missing");
    if (u->has_umask && u->umask > 0777)
        validate_error(v, "umask", "%" PRIu32 " is out of range (0 to 511, which is 0777)",
                       u->umask);
    validate_pop(v, mark);
}

/* config.md "Process": "at least one entry is REQUIRED (non-Windows), and
 * that entry is used with the same semantics as execvp's file".  The
 * process object itself may be absent until start, but when it is given,
 * `create`, `run` and `berth check` all need args: an error, not a warning. */
static void
check_args(struct validator *v, const struct strv *args)
{
    size_t mark;

    if (args->n == 0) {
        validate_error(v, "args", "at least one entry is required");
        return;
    }
    if (args->items[0][0] != '\0')
        return;
    mark = validate_push_key(v, "args");
    validate_push_index(v, 0);
    validate_error(v, NULL, "must not be empty: it names the program to run");
    validate_pop(v, mark);
}

void
validate_process(struct validator *v, const struct spec_process *p)
{
    /* "Runtimes MUST ignore consoleSize if terminal is false or unset." */
    if (p->console_size != NULL && !(p->has_terminal && p->terminal))
        validate_warning(v, "consoleSize", "ignored: terminal is not true");
    if (p->user != NULL)
        check_user(v, p->user);
    check_args(v, &p->args);
    validate_env(v, "env", &p->env);
    /* "cwd ... This value MUST be an absolute path." */
    validate_absolute_path(v, "cwd", p->cwd);
    if (p->capabilities != NULL)
        check_capabilities(v, p->capabilities);
    check_rlimits(v, p->rlimits, p->n_rlimits);
    /* proc(5): oom_score_adj takes -1000 to 1000. */
    if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
        validate_error(v, "oomScoreAdj", "%d is out of range (-1000 to 1000)", p->oom_score_adj);
    /* "The value should be an integer ranging from 0 (highest) to 7 (lowest)";
     * ioprio_set(2) refuses anything else. */
    if (p->io_priority != NULL && p->io_priority->has_priority
        && (p->io_priority->priority < 0 || p->io_priority->priority > 7)) {
        size_t mark = validate_push_key(v, "ioPriority");
        validate_error(v, "priority", "%d is out of range (0 to 7)", p->io_priority->priority);
        validate_pop(v, mark);
    }
    if (p->scheduler != NULL)
        check_scheduler(v, p->scheduler);
    if (p->exec_cpu_affinity != NULL) {
        size_t mark = validate_push_key(v, "execCPUAffinity");
        validate_cpu_list(v, "initial", p->exec_cpu_affinity->initial, "CPU list");
        validate_cpu_list(v, "final", p->exec_cpu_affinity->final, "CPU list");
        validate_pop(v, mark);
    }
}

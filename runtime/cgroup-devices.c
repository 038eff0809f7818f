/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's cgroup (cgroup v2 has no devices
 * controller; the kernel asks the program about every open and mknod of a
 * device node).  Built here as plain instructions and loaded with bpf(2):
 * no libbpf.
 *
 * The rules keep the v1 devices cgroup's meaning (config-linux.md "Allowed
 * Device list": "The runtime MUST apply entries in the listed order"): a
 * new cgroup allows
 * everything, and each rule changes the answer for the devices and access
 * bits it names, so a later rule overrides an earlier one.  The program
 * decides each requested bit (mknod, read, write) apart: for each, the last
 * rule naming that bit and matching the device decides; with none, it is
 * allowed.  An access is allowed when all its bits are.  As runc does, the
 * devices of linux.devices and a set of always-needed ones (/dev/null,
 * /dev/zero, ptys, ...) are allowed after the spec's rules. */
#include "runtime/cgroup.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

struct dev_rule {
    char type;       /* 'a', 'c' or 'b' */
    int64_t major;   /* -1: any */
    int64_t minor;   /* -1: any */
    unsigned access; /* BPF_DEVCG_ACC_* bits */
    bool allow;
};

/* runc's AllowedDevices (libcontainer/specconv), crun's default_devices. */
static const struct dev_rule default_rules[] = {
    {'c', -1, -1, BPF_DEVCG_ACC_MKNOD, true}, /* mknod of any char device */
    {'b', -1, -1, BPF_DEVCG_ACC_MKNOD, true}, /* mknod of any block device */
    {'c', 1, 3, 7, true},                     /* /dev/null */
    {'c', 1, 8, 7, true},                     /* /dev/random */
    {'c', 1, 7, 7, true},                     /* /dev/full */
    {'c', 5, 0, 7, true},                     /* /dev/tty */
    {'c', 1, 5, 7, true},                     /* /dev/zero */
    {'c', 1, 9, 7, true},                     /* /dev/urandom */
    {'c', 5, 1, 7, true},                     /* /dev/console */
    {'c', 136, -1, 7, true},                  /* /dev/pts/N */
    {'c', 5, 2, 7, true},                     /* /dev/ptmx */
    {'c', 10, 200, 7, true},                  /* /dev/net/tun */
};

static unsigned
access_bits(const char *access)
{
    unsigned bits = 0;

    /* Unset: all of them, as the v1 files read "a *:* rwm". */
    if (access == NULL || *access == '\0')
        return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    for (const char *c = access; *c; c++)
        bits |= *c == 'm'   ? BPF_DEVCG_ACC_MKNOD
                : *c == 'r' ? BPF_DEVCG_ACC_READ
                : *c == 'w' ? BPF_DEVCG_ACC_WRITE
                            : 0;
    return bits;
}

static size_t
collect_rules(const struct spec_resources *r, const struct spec_linux *l, struct dev_rule **ret)
{
    size_t n = 0, alloc = 0;
    struct dev_rule *v = NULL;

    for (size_t i = 0; r != NULL && i < r->n_devices; i++) {
        const struct spec_device_cgroup *d = &r->devices[i];
        char t = d->type && *d->type ? d->type[0] : 'a';

        v = xgrow(v, &alloc, n, sizeof(*v));
        v[n++] = (struct dev_rule){
            .type = t,
            .major = t != 'a' && d->has_major ? d->major : -1,
            .minor = t != 'a' && d->has_minor ? d->minor : -1,
            .access = access_bits(d->access),
            .allow = d->allow,
        };
    }
    /* runc allows the devices it creates from linux.devices. */
    for (size_t i = 0; l != NULL && i < l->n_devices; i++) {
        const struct spec_device *d = &l->devices[i];
        char t = d->type == SPEC_DEV_BLOCK                                    ? 'b'
                 : d->type == SPEC_DEV_CHAR || d->type == SPEC_DEV_UNBUFFERED ? 'c'
                                                                              : 0;

        if (t == 0 || !d->has_major || !d->has_minor)
            continue;
        v = xgrow(v, &alloc, n, sizeof(*v));
        v[n++] = (struct dev_rule){t, d->major, d->minor, 7, true};
    }
    for (size_t i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]); i++) {
        v = xgrow(v, &alloc, n, sizeof(*v));
        v[n++] = default_rules[i];
    }
    *ret = v;
    return n;
}

struct prog {
    struct bpf_insn *insns;
    size_t n, alloc;
};

static void
emit(struct prog *p, struct bpf_insn insn)
{
    p->insns = xgrow(p->insns, &p->alloc, p->n, sizeof(*p->insns));
    p->insns[p->n++] = insn;
}

static struct bpf_insn
insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* Registers: r2 type, r3 access, r4 major, r5 minor (from the context in
 * r1, struct bpf_cgroup_dev_ctx), r6 scratch. */
enum { R0 = 0, R1, R2, R3, R4, R5, R6 };

static size_t
checks_of(const struct dev_rule *rule)
{
    return (rule->type != 'a') + (rule->type != 'a' && rule->major >= 0)
           + (rule->type != 'a' && rule->minor >= 0);
}

/* One rule for one access bit: if it matches, allow (jump to the section's
 * end, patched later) or deny (return 0).  *PATCH collects the jumps. */
static void
emit_rule(struct prog *p, const struct dev_rule *rule, size_t **patch, size_t *n_patch,
          size_t *alloc_patch)
{
    size_t action = rule->allow ? 1 : 2;
    size_t left = checks_of(rule);

    if (rule->type != 'a') {
        left--;
        emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, R2, 0, (int16_t)(left + action),
                     rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
        if (rule->major >= 0) {
            left--;
            emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, R4, 0, (int16_t)(left + action),
                         (int32_t)rule->major));
        }
        if (rule->minor >= 0) {
            left--;
            emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, R5, 0, (int16_t)(left + action),
                         (int32_t)rule->minor));
        }
    }
    if (rule->allow) {
        *patch = xgrow(*patch, alloc_patch, *n_patch, sizeof(**patch));
        (*patch)[(*n_patch)++] = p->n;
        emit(p, insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
    } else {
        emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0));
        emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    }
}

size_t
cgroup_devices_program(const struct spec_resources *r, const struct spec_linux *l,
                       struct bpf_insn **ret)
{
    static const unsigned bits[] = {BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE};
    _cleanup_free_ struct dev_rule *rules = NULL;
    size_t n_rules = collect_rules(r, l, &rules);
    struct prog p = {0};

    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, R2, R1, 0, 0));
    emit(&p, insn(BPF_ALU | BPF_AND | BPF_K, R2, 0, 0, 0xffff));
    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, R3, R1, 0, 0));
    emit(&p, insn(BPF_ALU | BPF_RSH | BPF_K, R3, 0, 0, 16));
    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, R4, R1, 4, 0));
    emit(&p, insn(BPF_LDX | BPF_W | BPF_MEM, R5, R1, 8, 0));
    for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
        _cleanup_free_ size_t *patch = NULL;
        size_t n_patch = 0, alloc_patch = 0;

        /* Not requested: the section is skipped. */
        emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_X, R6, R3, 0, 0));
        emit(&p, insn(BPF_ALU64 | BPF_AND | BPF_K, R6, 0, 0, (int32_t)bits[b]));
        patch = xgrow(patch, &alloc_patch, n_patch, sizeof(*patch));
        patch[n_patch++] = p.n;
        emit(&p, insn(BPF_JMP | BPF_JEQ | BPF_K, R6, 0, 0, 0));
        for (size_t i = n_rules; i-- > 0;)
            if (rules[i].access & bits[b])
                emit_rule(&p, &rules[i], &patch, &n_patch, &alloc_patch);
        /* No rule names this device and bit: allowed, as in a new v1
         * devices cgroup. */
        for (size_t i = 0; i < n_patch; i++)
            p.insns[patch[i]].off = (int16_t)(p.n - patch[i] - 1);
    }
    emit(&p, insn(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 1));
    emit(&p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    *ret = p.insns;
    return p.n;
}

/* ---- loading ---- */

static int
sys_bpf(int cmd, union bpf_attr *attr)
{
    return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int
load(const struct bpf_insn *insns, size_t n, struct error **err)
{
    union bpf_attr attr;
    struct rlimit old, inf = {RLIM_INFINITY, RLIM_INFINITY};
    bool raised = false;
    int fd;

    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.insn_cnt = (uint32_t)n;
    attr.license = (uint64_t)(uintptr_t) "Apache-2.0";
    fd = sys_bpf(BPF_PROG_LOAD, &attr);
    /* Before Linux 5.11 programs count against RLIMIT_MEMLOCK.  Raised
     * for this call only: init, forked later, inherits our limits. */
    if (fd < 0 && errno == EPERM && getrlimit(RLIMIT_MEMLOCK, &old) == 0
        && setrlimit(RLIMIT_MEMLOCK, &inf) == 0) {
        raised = true;
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
    }
    if (fd < 0) {
        char log[4096] = "";
        int saved = errno;

        attr.log_level = 1;
        attr.log_buf = (uint64_t)(uintptr_t)log;
        attr.log_size = sizeof(log);
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd < 0) {
            if (raised)
                setrlimit(RLIMIT_MEMLOCK, &old);
            log[strcspn(log, "\n")] = '\0';
            return error_set(
                err, saved,
                *log ? "load the device program (verifier: %s)" : "load the device program%s", log);
        }
    }
    if (raised)
        setrlimit(RLIMIT_MEMLOCK, &old);
    return fd;
}

/* The ids of the device programs attached to DIRFD (*RET malloc'd). */
static int
query(int dirfd, uint32_t **ret, uint32_t *ret_n)
{
    for (uint32_t cap = 64; cap <= 4096; cap *= 2) {
        uint32_t *ids = xcalloc(cap, sizeof(*ids));
        union bpf_attr attr;

        memset(&attr, 0, sizeof(attr));
        attr.query.target_fd = (uint32_t)dirfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
        attr.query.prog_cnt = cap;
        if (sys_bpf(BPF_PROG_QUERY, &attr) == 0) {
            *ret = ids;
            *ret_n = attr.query.prog_cnt;
            return 0;
        }
        free(ids);
        if (errno != ENOSPC)
            return -errno;
    }
    return -ENOSPC;
}

int
cgroup_devices_apply(int dirfd, const struct spec_resources *r, const struct spec_linux *l,
                     struct error **err)
{
    _cleanup_free_ struct bpf_insn *insns = NULL;
    _cleanup_free_ uint32_t *old = NULL;
    _cleanup_close_ int fd = -1;
    uint32_t n_old = 0;
    size_t n = cgroup_devices_program(r, l, &insns);
    union bpf_attr attr;
    int rc;

    fd = load(insns, n, err);
    if (fd < 0)
        return fd;
    rc = query(dirfd, &old, &n_old);
    if (rc < 0)
        return error_set(err, -rc, "query the cgroup's device programs");
    /* The new one first: the cgroup is never without one. */
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)dirfd;
    attr.attach_bpf_fd = (uint32_t)fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
        return error_set(err, errno, "attach the device program");
    for (uint32_t i = 0; i < n_old; i++) {
        _cleanup_close_ int ofd = -1;

        memset(&attr, 0, sizeof(attr));
        attr.prog_id = old[i];
        ofd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (ofd < 0)
            continue; /* gone meanwhile */
        memset(&attr, 0, sizeof(attr));
        attr.target_fd = (uint32_t)dirfd;
        attr.attach_bpf_fd = (uint32_t)ofd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        if (sys_bpf(BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
            return error_set(err, errno, "detach the previous device program");
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The ENOSYS stub: a few BPF instructions before libseccomp's program that
 * make syscalls newer than the profile fail with ENOSYS instead of the
 * default errno, so that libcs fall back to older ones.  Why, and why this
 * way rather than a list of new syscalls: sfilter.h.
 *
 * The layout, for a filter of x86_64 and x86 (ja jumps are 32-bit, the
 * conditional ones 8-bit and relative to the next instruction):
 *
 *        ld  [4]                      arch
 *        jeq #AUDIT_ARCH_X86_64, x86_64
 *        jeq #AUDIT_ARCH_I386, i386
 *        ja  filter                   an architecture the stub does not know
 *   x86_64:
 *        ld  [0]                      nr
 *        jset #0x40000000, out        an x32 call, and no x32 in the filter
 *        jgt #max_x86_64, enosys
 *   out: ja  filter
 *   i386:
 *        ld  [0]
 *        jgt #max_i386, enosys
 *        ja  filter
 *   enosys:
 *        ret #SECCOMP_RET_ERRNO | ENOSYS
 *   filter:                           libseccomp's program, which loads
 *                                     what it needs itself */
#include "seccomp/sfilter-int.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

/* x32 calls carry this bit in the number (__X32_SYSCALL_BIT). */
#define X32_BIT 0x40000000U
/* x32's compat range: the calls whose 64-bit form x32 cannot use live at
 * 512 and up (arch/x86/entry/syscalls/syscall_64.tbl), however old. */
#define X32_COMPAT_FIRST (X32_BIT + 512U)
/* s390 multiplexes large syscall numbers through syscall 0, setup(2),
 * which the kernel leaves in place for numbers it does not know. */
#define S390_MULTIPLEX 0U

/* One section: the architecture as the kernel reports it in
 * seccomp_data.arch, and the largest number the profile names there;
 * x86_64 has a second one for its x32 mode.  0: no name resolved. */
struct section {
    uint32_t audit_arch;
    uint32_t max;
    uint32_t max_x32;
    bool has_native, has_x32;
    bool x32_enosys; /* every x32 call: the kernel cannot run them */
};

/* Jump targets before they are resolved: an instruction index (>= 0), or
 * one of these. */
enum {
    T_NEXT = -1,
    T_ENOSYS = -2,
    T_FILTER = -3,
    T_SECTION = -100, /* T_SECTION - i: the start of section i */
};

struct op {
    uint16_t code;
    uint32_t k;
    long jt, jf; /* targets; for ja, jt */
};

struct prog {
    struct op *ops;
    size_t n, alloc;
};

static size_t
emit(struct prog *p, uint16_t code, uint32_t k, long jt, long jf)
{
    p->ops = xgrow(p->ops, &p->alloc, p->n + 1, sizeof(*p->ops));
    p->ops[p->n] = (struct op){.code = code, .k = k, .jt = jt, .jf = jf};
    return p->n++;
}

/* The largest syscall number the names of SC have on ARCH (a libseccomp
 * token); 0 when none resolves.  On x32, only below the compat range. */
static uint32_t
largest_nr(const struct spec_seccomp *sc, uint32_t arch)
{
    uint32_t max = 0;

    for (size_t i = 0; i < sc->n_syscalls; i++)
        for (size_t j = 0; j < sc->syscalls[i].names.n; j++) {
            int nr = seccomp_syscall_resolve_name_arch(arch, sc->syscalls[i].names.items[j]);

            /* Negative: unknown, or a pseudo-syscall of another
             * architecture that does not exist on this one. */
            if (nr < 0)
                continue;
            if (arch == SCMP_ARCH_X32 && (uint32_t)nr >= X32_COMPAT_FIRST)
                continue;
            if ((uint32_t)nr > max)
                max = (uint32_t)nr;
        }
    return max;
}

static size_t
find_section(struct section *sec, size_t *n, uint32_t audit)
{
    size_t s;

    for (s = 0; s < *n && sec[s].audit_arch != audit; s++)
        ;
    if (s == *n)
        sec[(*n)++] = (struct section){.audit_arch = audit};
    return s;
}

/* One section per architecture the kernel reports, x32 folded into x86_64
 * (its calls come as AUDIT_ARCH_X86_64 with X32_BIT set): the "newer than
 * the profile" checks when NEWER, the x32 answer when NO_X32. */
static size_t
plan_sections(const struct spec_seccomp *sc, const uint32_t *arches, size_t n_arches, bool newer,
              bool no_x32, struct section *sec)
{
    size_t n = 0;

    if (no_x32)
        sec[find_section(sec, &n, AUDIT_ARCH_X86_64)].x32_enosys = true;
    for (size_t i = 0; newer && i < n_arches; i++) {
        bool x32 = arches[i] == SCMP_ARCH_X32;
        uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : arches[i];
        uint32_t max = x32 && no_x32 ? 0 : largest_nr(sc, arches[i]);
        size_t s;

        if (max == 0)
            continue;
        s = find_section(sec, &n, audit);
        if (x32) {
            sec[s].has_x32 = true;
            sec[s].max_x32 = max;
        } else {
            sec[s].has_native = true;
            sec[s].max = max;
        }
    }
    return n;
}

static void
emit_section(struct prog *p, const struct section *s)
{
    const uint16_t jgt = BPF_JMP | BPF_JGT | BPF_K;
    size_t base = p->n, x32_part, out;

    emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
    if (s->audit_arch != AUDIT_ARCH_X86_64) {
        if (s->audit_arch == AUDIT_ARCH_S390 || s->audit_arch == AUDIT_ARCH_S390X)
            emit(p, BPF_JMP | BPF_JEQ | BPF_K, S390_MULTIPLEX, T_ENOSYS, T_NEXT);
        emit(p, jgt, s->max, T_ENOSYS, T_NEXT);
        emit(p, BPF_JMP | BPF_JA, 0, T_FILTER, 0);
        return;
    }
    /* x86_64: ld, jset, the native check, [the x32 checks], out. */
    x32_part = base + 3;
    out = x32_part + (s->has_x32 ? 2 : 0);
    emit(p, BPF_JMP | BPF_JSET | BPF_K, X32_BIT,
         s->x32_enosys ? T_ENOSYS : (long)(s->has_x32 ? x32_part : out), T_NEXT);
    if (s->has_native)
        emit(p, jgt, s->max, T_ENOSYS, (long)out);
    else
        emit(p, BPF_JMP | BPF_JA, 0, (long)out, 0);
    if (s->has_x32) {
        emit(p, BPF_JMP | BPF_JGE | BPF_K, X32_COMPAT_FIRST, (long)out, T_NEXT);
        emit(p, jgt, s->max_x32, T_ENOSYS, (long)out);
    }
    emit(p, BPF_JMP | BPF_JA, 0, T_FILTER, 0);
}

/* Resolve the targets of P into instructions; -EOVERFLOW when a
 * conditional jump is longer than 255. */
static int
assemble(const struct prog *p, size_t enosys, size_t filter, const size_t *starts,
         struct sock_filter *out)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct op *o = &p->ops[i];
        bool is_ja = BPF_CLASS(o->code) == BPF_JMP && BPF_OP(o->code) == BPF_JA;
        long t[2] = {o->jt, o->jf};
        uint32_t rel[2] = {0, 0};

        if (BPF_CLASS(o->code) != BPF_JMP) {
            out[i] = (struct sock_filter)BPF_STMT(o->code, o->k);
            continue;
        }
        for (int k = 0; k < (is_ja ? 1 : 2); k++) {
            long target = t[k];

            if (target == T_NEXT)
                target = (long)i + 1;
            else if (target == T_ENOSYS)
                target = (long)enosys;
            else if (target == T_FILTER)
                target = (long)filter;
            else if (target <= T_SECTION)
                target = (long)starts[T_SECTION - target];
            if (target < (long)i + 1)
                return -EOVERFLOW; /* backwards: a bug of ours */
            rel[k] = (uint32_t)(target - ((long)i + 1));
        }
        if (is_ja) {
            out[i] = (struct sock_filter)BPF_STMT(o->code, rel[0]);
        } else {
            if (rel[0] > 255 || rel[1] > 255)
                return -EOVERFLOW;
            out[i] = (struct sock_filter)BPF_JUMP(o->code, o->k, (uint8_t)rel[0], (uint8_t)rel[1]);
        }
    }
    return 0;
}

static void
prog_freep(struct prog *p)
{
    free(p->ops);
}

int
sfilter_enosys_stub(const struct spec_seccomp *sc, const uint32_t *arches, size_t n_arches,
                    bool no_x32, struct sock_filter **ret, size_t *ret_n, struct error **err)
{
    _cleanup_free_ struct section *sec = NULL;
    _cleanup_free_ size_t *starts = NULL;
    _cleanup_free_ struct sock_filter *insns = NULL;
    _cleanup_(prog_freep) struct prog p = {0};
    size_t n_sec, enosys;

    bool newer = sc->default_action == SPEC_SCMP_ACT_ERRNO
                 && !(sc->has_default_errno_ret && sc->default_errno_ret == ENOSYS);

    *ret = NULL;
    *ret_n = 0;
    if (!newer && !no_x32)
        return 0;
    sec = xcalloc(n_arches + 2, sizeof(*sec));
    n_sec = plan_sections(sc, arches, n_arches, newer, no_x32, sec);
    if (n_sec == 0)
        return 0;
    starts = xcalloc(n_sec, sizeof(*starts));
    emit(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
    for (size_t i = 0; i < n_sec; i++)
        emit(&p, BPF_JMP | BPF_JEQ | BPF_K, sec[i].audit_arch, T_SECTION - (long)i, T_NEXT);
    emit(&p, BPF_JMP | BPF_JA, 0, T_FILTER, 0);
    for (size_t i = 0; i < n_sec; i++) {
        starts[i] = p.n;
        emit_section(&p, &sec[i]);
    }
    enosys = emit(&p, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA), 0, 0);
    insns = xcalloc(p.n, sizeof(*insns));
    if (assemble(&p, enosys, p.n, starts, insns) < 0)
        return error_setx(err, EOVERFLOW, "linux.seccomp: the ENOSYS stub does not fit BPF jumps");
    *ret_n = p.n;
    *ret = TAKE_PTR(insns);
    return 0;
}

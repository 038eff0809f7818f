/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/cgroup-devices.c: the device program, run here by a small
 * interpreter of the instructions it emits, against the v1 devices
 * cgroup's semantics of linux.resources.devices. */
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "runtime/cgroup.h"
#include "tests/unit/tap.h"

#define M BPF_DEVCG_ACC_MKNOD
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

/* Run PROG on one access: the return value, or -1 for an instruction the
 * generator should never emit (or a jump out of the program). */
static int
run(const struct bpf_insn *prog, size_t n, unsigned type, unsigned access, unsigned major,
    unsigned minor)
{
    uint32_t ctx[3] = {(access << 16) | type, major, minor};
    uint64_t reg[11] = {0};
    size_t pc = 0;

    for (int steps = 0; steps < 100000 && pc < n; steps++) {
        const struct bpf_insn *i = &prog[pc++];
        uint64_t src = (i->code & BPF_X) ? reg[i->src_reg] : (uint64_t)(int64_t)i->imm;

        switch (i->code) {
        case BPF_LDX | BPF_W | BPF_MEM:
            if (i->src_reg != 1 || i->off < 0 || i->off > 8 || i->off % 4)
                return -1;
            reg[i->dst_reg] = ctx[i->off / 4];
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            reg[i->dst_reg] = (uint32_t)(reg[i->dst_reg] & src);
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
            break;
        case BPF_ALU64 | BPF_MOV | BPF_X:
        case BPF_ALU64 | BPF_MOV | BPF_K:
            reg[i->dst_reg] = src;
            break;
        case BPF_ALU64 | BPF_AND | BPF_K:
            reg[i->dst_reg] &= src;
            break;
        case BPF_JMP | BPF_JNE | BPF_K:
            if (reg[i->dst_reg] != src)
                pc += (size_t)i->off;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            if (reg[i->dst_reg] == src)
                pc += (size_t)i->off;
            break;
        case BPF_JMP | BPF_JA:
            pc += (size_t)i->off;
            break;
        case BPF_JMP | BPF_EXIT:
            return (int)reg[0];
        default:
            return -1;
        }
    }
    return -1;
}

static struct spec_device_cgroup
rule(bool allow, const char *type, int64_t major, int64_t minor, const char *access)
{
    return (struct spec_device_cgroup){
        .allow = allow,
        .type = (char *)type,
        .has_major = major != -2,
        .major = major,
        .has_minor = minor != -2,
        .minor = minor,
        .access = (char *)access,
    };
}

int
main(void)
{
    /* runc spec's default, then a disk read-only, then a write ban on
     * /dev/zero that the defaults (allowed after) override. */
    struct spec_device_cgroup rules[] = {
        rule(false, NULL, -2, -2, "rwm"), rule(true, "b", 8, 0, "r"),
        rule(true, "c", 10, 229, "rw"),   rule(false, "c", 10, 229, "w"),
        rule(false, "c", 1, 5, "w"),
    };
    struct spec_device linux_dev = {.type = SPEC_DEV_CHAR,
                                    .path = (char *)"/dev/fuse2",
                                    .has_major = true,
                                    .major = 10,
                                    .has_minor = true,
                                    .minor = 231};
    struct spec_resources r = {.devices = rules, .n_devices = 5};
    struct spec_linux l = {.devices = &linux_dev, .n_devices = 1};
    struct bpf_insn *prog = NULL;
    size_t n = cgroup_devices_program(&r, &l, &prog);

    tap_ok(n > 10 && n < 4096, "a program of %zu instructions", n);
    tap_is_int(run(prog, n, CHR, R | W, 1, 3), 1, "/dev/null rw: a default device");
    tap_is_int(run(prog, n, CHR, W, 1, 5), 1, "/dev/zero w: the defaults come after the rules");
    tap_is_int(run(prog, n, CHR, R | W, 136, 7), 1, "/dev/pts/7: any pty");
    tap_is_int(run(prog, n, CHR, M, 99, 99), 1, "mknod of any char device (runc's default)");
    tap_is_int(run(prog, n, BLK, M, 8, 0), 1, "mknod of any block device");
    tap_is_int(run(prog, n, CHR, R, 99, 99), 0, "reading another char device: denied by 'a'");
    tap_is_int(run(prog, n, BLK, R, 8, 0), 1, "block 8:0 read: allowed");
    tap_is_int(run(prog, n, BLK, R | W, 8, 0), 0, "block 8:0 read-write: write not allowed");
    tap_is_int(run(prog, n, BLK, R, 8, 1), 0, "block 8:1: another minor");
    tap_is_int(run(prog, n, CHR, R, 8, 0), 0, "char 8:0: another type");
    tap_is_int(run(prog, n, CHR, R, 10, 229), 1, "10:229 read: the allow stands");
    tap_is_int(run(prog, n, CHR, W, 10, 229), 0, "10:229 write: the later deny wins");
    tap_is_int(run(prog, n, CHR, R | W, 10, 229), 0, "10:229 rw: denied for its write bit");
    tap_is_int(run(prog, n, CHR, R | W, 10, 231), 1, "a linux.devices entry is allowed");
    free(prog);

    /* No deny-all: a new v1 devices cgroup allows everything. */
    {
        struct spec_device_cgroup only[] = {rule(false, "c", 1, 9, "w")};
        struct spec_resources r2 = {.devices = only, .n_devices = 1};

        n = cgroup_devices_program(&r2, NULL, &prog);
        tap_is_int(run(prog, n, BLK, R | W, 8, 0), 1, "without a deny-all, others stay allowed");
        tap_is_int(run(prog, n, CHR, W, 1, 9), 1, "/dev/urandom: a default, allowed after");
        free(prog);
    }
    /* Wildcards: a minor of -1 and an unset major. */
    {
        struct spec_device_cgroup wild[] = {rule(false, "a", -2, -2, ""),
                                            rule(true, "c", 4, -1, "rw"),
                                            rule(true, "b", -2, 3, "r")};
        struct spec_resources r3 = {.devices = wild, .n_devices = 3};

        n = cgroup_devices_program(&r3, NULL, &prog);
        tap_is_int(run(prog, n, CHR, R | W, 4, 64), 1, "c 4:* rw: any minor");
        tap_is_int(run(prog, n, CHR, R | W | M, 4, 64), 1, "mknod comes from the defaults");
        tap_is_int(run(prog, n, BLK, R, 7, 3), 1, "b *:3 r: any major");
        tap_is_int(run(prog, n, BLK, R, 7, 4), 0, "b *:4: denied");
        tap_is_int(run(prog, n, CHR, R, 5, 64), 0, "an empty access means rwm: denied");
        free(prog);
    }
    return tap_done();
}

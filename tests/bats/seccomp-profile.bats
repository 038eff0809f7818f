#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The default seccomp profile that `berth spec` writes (berth-seccomp(7)),
# and ENOSYS for syscalls newer than a profile.  The container runs busybox,
# or tests/helpers/syscall-errno, which makes the syscalls it is given
# (NAME:ARG0:ARG1...) and prints each errno (0 for success).  Every leg
# uses the profile of its own `berth spec` (--rootless when not root).

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    HELPER="${BERTH_BUILD:-$(dirname "$BERTH")}/tests/helpers/syscall-errno"
    [ -x "$HELPER" ] || skip "no $HELPER: build it with make (make bats builds the helpers)"
    make_busybox_bundle "$B"
    cp "$HELPER" "$B/rootfs/bin/syscall-errno"
}

teardown() {
    berth_cleanup
}

# Set the container's calls: args CALL...
calls() {
    local args
    args=$(jq -cn '["/bin/syscall-errno"] + $ARGS.positional' --args "$@")
    update_config "$B" --argjson a "$args" '.process.args = $a'
}

# The outputs of the calls, on one line: "0 42 0".
run_calls() {
    run berth_run "${1:-p1}" "$B"
    output=$(echo "$output" | tr '\n' ' ' | sed 's/ $//')
}

@test "seccomp profile: berth spec writes the default profile into config.json" {
    run jq -c '.linux.seccomp | [.defaultAction, .defaultErrnoRet]' "$B/config.json"
    assert_output '["SCMP_ACT_ERRNO",1]'
    # The native architecture and its 32-bit family.
    if [ "$(uname -m)" = x86_64 ]; then
        run jq -c '.linux.seccomp.architectures' "$B/config.json"
        assert_output '["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]'
    fi
    run jq -r '[.linux.seccomp.syscalls[].names[]] | map(select(. == "keyctl" or . == "add_key"
        or . == "mount" or . == "unshare" or . == "setns" or . == "io_uring_setup")) | length' \
        "$B/config.json"
    assert_output 0
    run jq -c '.linux.seccomp.syscalls[] | select(.names == ["clone3"]) | [.action, .errnoRet]' \
        "$B/config.json"
    assert_output '["SCMP_ACT_ERRNO",38]'
    run jq -c '.linux.seccomp.syscalls[] | select(.names == ["socket"]) | .args' "$B/config.json"
    assert_output '[{"index":0,"value":40,"op":"SCMP_CMP_NE"}]'
    run jq -c '[.linux.seccomp.syscalls[] | select(.names == ["personality"]) | .args[0].value]' \
        "$B/config.json"
    assert_output '[0,8,131072,131080,4294967295]'
}

@test "seccomp profile: the config with it is valid against runtime-spec's schema" {
    local src=${BERTH_SRC:-$BATS_TEST_DIRNAME/../..}
    run "$src/tests/schema-check" "$src/tests/data/schema/config-schema.json" "$B/config.json"
    [ "$status" -ne 2 ] || skip "schema-check cannot run here: $output"
    assert_success
}

@test "seccomp profile: berth check finds nothing wrong with it" {
    cd "$B"
    run berth_cmd check
    assert_success
    refute_output --partial "linux.seccomp"
}

@test "seccomp profile: keyctl, unshare of a user namespace, mount and clone of one are denied" {
    # CLONE_NEWUSER is 0x10000000; clone's flags carry SIGCHLD (17) too.
    calls keyctl:0 unshare:0x10000000 mount:0:0:0:0:0 clone:0x10000011 clone3:0:0 getpid
    run_calls
    assert_success
    #              keyctl unshare mount clone clone3 getpid
    assert_output "1 1 1 1 38 0"
}

@test "seccomp profile: unshare -U in a busybox shell fails, a fork works" {
    update_config "$B" '.process.args = ["sh", "-c", "unshare -U true; echo unshare=$?; (echo sub); true | cat; echo done"]'
    ln -sf busybox "$B/rootfs/bin/unshare"
    run berth_run p1 "$B"
    assert_success
    assert_line --partial "unshare: unshare(0x10000000): Operation not permitted"
    assert_line "unshare=1"
    assert_line "sub"
    assert_line "done"
}

@test "seccomp profile: personality and socket are allowed only with their arguments" {
    # personality: 0xffffffff asks, READ_IMPLIES_EXEC (0x0400000) is not
    # allowed; socket: AF_UNIX (1) is, AF_VSOCK (40) is not.
    calls personality:0xffffffff personality:0x0400000 socket:1:1 socket:40:1
    run_calls
    assert_success
    assert_output "0 1 0 1"
}

@test "seccomp profile: a busybox shell session works under it" {
    update_config "$B" '.process.args = ["sh", "-c",
        "ls / | grep -c bin; cat /etc/passwd | cut -d: -f1; echo $(echo nested) $((6 * 7));
         for i in 1 2 3; do echo $i; done | wc -l; id -u; hostname; sleep 0.01; ps >/dev/null && echo ps;
         readlink /proc/self/exe; test -d /proc/self && echo proc; echo end"]'
    run berth_run p1 "$B"
    assert_success
    assert_output "1
root
nested 42
3
0
berth
ps
/bin/busybox
proc
end"
}

@test "seccomp profile: a syscall newer than the profile fails with ENOSYS" {
    # 1000 is no syscall at all: without the stub, the default errno
    # (EPERM) would answer before the kernel could say ENOSYS.
    calls 1000 keyctl
    run_calls
    assert_success
    assert_output "38 1"
}

@test "seccomp: ENOSYS for a syscall libseccomp knows but the profile does not, EPERM below" {
    # What a static program needs to start, print and exit; the largest of
    # them is rseq (334 on x86_64).  pidfd_open (434) is newer than all of
    # them; getpid (39) is older and not named; getppid is denied by name.
    [ "$(uname -m)" = x86_64 ] || skip "the syscall numbers here are x86_64's"
    calls getppid getpid pidfd_open:0:0 1000
    update_config "$B" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO",
        "syscalls": [
          {"names": ["execve", "brk", "arch_prctl", "mprotect", "mmap", "munmap", "newfstatat",
                     "fstat", "prlimit64", "readlink", "readlinkat", "rseq", "set_robust_list",
                     "set_tid_address", "getrandom", "write", "writev", "exit", "exit_group"],
           "action": "SCMP_ACT_ALLOW"},
          {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
    run_calls
    assert_success
    #              getppid getpid pidfd_open 1000
    assert_output "1 1 38 38"
}

@test "seccomp: no ENOSYS stub under a kill default: a newer syscall kills" {
    [ "$(uname -m)" = x86_64 ] || skip "the syscall numbers here are x86_64's"
    calls getpid pidfd_open:0:0
    update_config "$B" '.linux.seccomp = {"defaultAction": "SCMP_ACT_KILL_PROCESS",
        "syscalls": [
          {"names": ["execve", "brk", "arch_prctl", "mprotect", "mmap", "munmap", "newfstatat",
                     "fstat", "prlimit64", "readlink", "readlinkat", "rseq", "set_robust_list",
                     "set_tid_address", "getrandom", "write", "writev", "exit", "exit_group",
                     "getpid"],
           "action": "SCMP_ACT_ALLOW"}]}'
    run berth_run k1 "$B"
    [ "$status" -eq 159 ]
    assert_output "0"
}

@test "seccomp profile: it comes compiled with berth: create caches nothing" {
    calls getpid keyctl:0
    run_calls
    assert_success
    assert_output "0 1"
    [ "$(ls -A "$ROOT/seccomp@cache" 2>/dev/null | wc -l)" -eq 0 ]
    # Any change makes it another filter, compiled by libseccomp and cached.
    update_config "$B" '.linux.seccomp.defaultErrnoRet = 13'
    run_calls p2
    assert_success
    assert_output "0 13"
    [ "$(ls -A "$ROOT/seccomp@cache" | wc -l)" -eq 1 ]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.seccomp: the filter compiled by `create` and loaded by init before
# execve.  The container runs tests/helpers/syscall-errno (static), which
# makes the syscalls it is given (NAME:ARG0:ARG1...) and prints each errno
# (0 for success); the getters it calls ignore their arguments, but seccomp
# sees them.  Root and rootless legs alike.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    HELPER="${BERTH_BUILD:-$(dirname "$BERTH")}/tests/helpers/syscall-errno"
    [ -x "$HELPER" ] || skip "no $HELPER: build it with make (make bats builds the helpers)"
    make_busybox_bundle "$B"
    cp "$HELPER" "$B/rootfs/bin/syscall-errno"
}

# Set the container's calls: args CALL...
calls() {
    local args
    args=$(jq -cn '["/bin/syscall-errno"] + $ARGS.positional' --args "$@")
    update_config "$B" --argjson a "$args" '.process.args = $a'
}

# Set linux.seccomp to the JSON $1.
seccomp() {
    update_config "$B" --argjson s "$1" '.linux.seccomp = $s'
}

# The outputs of the calls, on one line: "0 42 0".
run_calls() {
    run berth_run "${1:-s1}" "$B"
    output=$(echo "$output" | tr '\n' ' ' | sed 's/ $//')
}

@test "seccomp: SCMP_ACT_ERRNO returns errnoRet, other syscalls pass" {
    calls getppid getpid getppid
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run_calls
    assert_success
    assert_output "42 0 42"
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet returns EPERM" {
    calls getppid
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}'
    run_calls
    assert_success
    assert_output "1"
}

@test "seccomp: kill actions end the container by SIGSYS (exit status 159)" {
    local action
    calls getpid getppid
    for action in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
        seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
                  \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"$action\"}]}"
        run berth_run k1 "$B"
        echo "$action: status $status: $output"
        [ "$status" -eq 159 ]
        # The call before the killing one got through.
        assert_output "0"
    done
}

@test "seccomp: SCMP_ACT_LOG and SCMP_ACT_ALLOW let the call through, SCMP_ACT_TRACE gives ENOSYS" {
    calls getppid getpid getuid
    seccomp '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 42,
              "syscalls": [
                {"names": ["getppid"], "action": "SCMP_ACT_LOG"},
                {"names": ["getpid"], "action": "SCMP_ACT_TRACE", "errnoRet": 3},
                {"names": ["getuid", "execve", "brk", "arch_prctl", "mprotect", "mmap",
                           "munmap", "newfstatat", "fstat", "prlimit64", "readlink",
                           "readlinkat", "rseq", "set_robust_list", "set_tid_address",
                           "getrandom", "write", "writev", "exit", "exit_group"],
                 "action": "SCMP_ACT_ALLOW"}]}'
    run_calls
    assert_success
    assert_output "0 38 0"
}

@test "seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet" {
    # What a static program needs to start, print and exit; the getters
    # are left to the default.
    calls getppid getpid gettid
    seccomp '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 42,
              "syscalls": [
                {"names": ["execve", "brk", "arch_prctl", "mprotect", "mmap", "munmap",
                           "newfstatat", "fstat", "prlimit64", "readlink", "readlinkat",
                           "rseq", "set_robust_list", "set_tid_address", "getrandom", "write",
                           "writev", "exit", "exit_group", "gettid"],
                 "action": "SCMP_ACT_ALLOW"}]}'
    run_calls
    assert_success
    assert_output "42 42 0"
}

@test "seccomp: each argument operator" {
    # One syscall per operator, each against the value 10 on args[1], called
    # with 9, 10 and 11.
    calls getppid:0:9 getppid:0:10 getppid:0:11 getpid:0:9 getpid:0:10 getpid:0:11 \
        getuid:0:9 getuid:0:10 getuid:0:11 geteuid:0:9 geteuid:0:10 geteuid:0:11 \
        getgid:0:9 getgid:0:10 getgid:0:11 getegid:0:9 getegid:0:10 getegid:0:11
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 1, "op": "SCMP_CMP_NE", "value": 10}]},
        {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 1, "op": "SCMP_CMP_LT", "value": 10}]},
        {"names": ["getuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 1, "op": "SCMP_CMP_LE", "value": 10}]},
        {"names": ["geteuid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 1, "op": "SCMP_CMP_EQ", "value": 10}]},
        {"names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 1, "op": "SCMP_CMP_GE", "value": 10}]},
        {"names": ["getegid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 1, "op": "SCMP_CMP_GT", "value": 10}]}]}'
    run_calls
    assert_success
    #              NE       LT       LE        EQ       GE        GT
    assert_output "42 0 42 42 0 0 42 42 0 0 42 0 0 42 42 0 0 42"
}

@test "seccomp: SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo" {
    calls getppid:0x35 getppid:0x45 getppid:0x3f0
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 0, "op": "SCMP_CMP_MASKED_EQ", "value": 240, "valueTwo": 48}]}]}'
    run_calls
    assert_success
    assert_output "42 0 0"
}

@test "seccomp: conditions on different args are AND-ed, on the same arg OR-ed (as runc)" {
    calls getppid:1:2 getppid:1:3 getpid:1 getpid:2 getpid:3
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 0, "op": "SCMP_CMP_EQ", "value": 1},
                  {"index": 1, "op": "SCMP_CMP_EQ", "value": 2}]},
        {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
         "args": [{"index": 0, "op": "SCMP_CMP_EQ", "value": 1},
                  {"index": 0, "op": "SCMP_CMP_EQ", "value": 2}]}]}'
    run_calls
    assert_success
    assert_output "42 0 42 42 0"
}

@test "seccomp: unknown syscall names are skipped, with a debug line" {
    calls getppid
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["berth_no_such_syscall", "getppid"], "action": "SCMP_ACT_ERRNO",
         "errnoRet": 42}]}'
    run_calls
    assert_success
    assert_output "42"
    cd "$B"
    run timeout 60 setsid -w "$BERTH" --debug --root "$ROOT" run u1 </dev/null
    assert_success
    assert_output --partial "linux.seccomp.syscalls[0].names[0]: libseccomp"
    assert_output --partial "does not know the syscall 'berth_no_such_syscall': skipped"
}

@test "seccomp: the filter is loaded without noNewPrivileges too" {
    calls getppid getpid
    update_config "$B" '.process.noNewPrivileges = false'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run_calls
    assert_success
    assert_output "42 0"
}

@test "seccomp: without noNewPrivileges the filter is loaded before the switch to process.user" {
    requires_root
    # An unprivileged uid could not load a filter without no_new_privs: it
    # must be loaded while init still has CAP_SYS_ADMIN.
    calls getppid geteuid
    update_config "$B" '.process.noNewPrivileges = false | .process.user.uid = 1000 | .process.user.gid = 1000'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run_calls
    assert_success
    assert_output "42 0"
}

@test "seccomp: flags TSYNC, LOG and SPEC_ALLOW" {
    calls getppid
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run_calls
    assert_success
    assert_output "42"
}

@test "seccomp: architectures add to the native one" {
    calls getppid
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"],
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run_calls
    assert_success
    assert_output "42"
}

@test "seccomp: a busybox shell runs under an allow-all filter with a deny rule" {
    update_config "$B" '.process.args = ["sh", "-c", "echo hello; hostname >/dev/null && echo done"]'
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["keyctl", "add_key"], "action": "SCMP_ACT_ERRNO"}]}'
    run berth_run sh1 "$B"
    assert_success
    assert_output "hello
done"
}

@test "seccomp: features reports seccomp enabled with the kernel's flags and SCMP_ACT_NOTIFY" {
    run "$BERTH" features
    assert_success
    run jq -c '.linux.seccomp | [.enabled, (.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG") != null),
        (.actions | index("SCMP_ACT_NOTIFY") != null)]' <<<"$output"
    assert_output "[true,true,true]"
}

@test "seccomp: the compiled filter is cached in the state root and read back" {
    calls getppid
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
    run_calls c1
    assert_success
    assert_output "42"
    [ "$(ls "$ROOT/seccomp@cache" | wc -l)" -eq 1 ]
    run_calls c2
    assert_success
    assert_output "42"
    [ "$(ls "$ROOT/seccomp@cache" | wc -l)" -eq 1 ]
    # Another config, another entry, and its own filter.
    seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 43}]}'
    run_calls c3
    assert_success
    assert_output "43"
    [ "$(ls "$ROOT/seccomp@cache" | wc -l)" -eq 2 ]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# process (config.md "Process", config-linux.md "Sysctl"): args, env, cwd,
# user, umask, rlimits, capabilities, noNewPrivileges, oomScoreAdj,
# hostname and domainname, sysctls, and the fds the process gets.

load helpers
bats_require_minimum_version 1.5.0

setup() {
    setup_tmp
    B="$TMP/bundle"
}

teardown() {
    berth_cleanup
}

# The leg can map more ids than its own: root, or a user with /etc/subuid
# ranges (then the bundle gets the maps 0 -> own id, 1.. -> the range).
requires_id_range() {
    is_root && return 0
    [ "$BERTH_TEST_LEG" = rootless-subuid ] ||
        skip "needs more than one mapped id (root, or /etc/subuid ranges; leg $BERTH_TEST_LEG)"
    command -v newuidmap >/dev/null || skip "newuidmap is not installed"
    local uid gid
    uid=$(id -u)
    gid=$(id -g)
    local sub
    sub=$(grep -E "^($(id -un)|$uid):" /etc/subuid | head -1 | cut -d: -f2)
    [ -n "$sub" ] || skip "no /etc/subuid range for $(id -un)"
    update_config "$B" --argjson u "$uid" --argjson g "$gid" --argjson s "$sub" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $s, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $s, size: 65536}]'
}

@test "process.args are passed exactly, spaces and quotes included" {
    make_busybox_bundle "$B" printf '[%s]\n' "a b" "" "'q'" '$HOME' "*" "-n"
    run berth_run a1 "$B"
    assert_success
    assert_output "[a b]
[]
['q']
[\$HOME]
[*]
[-n]"
}

@test "process.env is the environment, and nothing of the caller's leaks" {
    make_busybox_bundle "$B" env
    update_config "$B" '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "X=a=b"]'
    run env BERTH_LEAK=leaked bash -c "cd '$B' && timeout 20 setsid -w '$BERTH' --root '$ROOT' run e1 </dev/null"
    assert_success
    assert_line "PATH=/bin"
    assert_line "FOO=bar baz"
    assert_line "EMPTY="
    assert_line "X=a=b"
    refute_line --partial BERTH_LEAK
    refute_line --partial "BERTH="
}

@test "args[0] is looked up in the PATH of process.env" {
    mkdir -p "$TMP/x"
    make_busybox_bundle "$B" mytool
    mkdir -p "$B/rootfs/opt/tools"
    printf '#!/bin/sh\necho mytool ran\n' >"$B/rootfs/opt/tools/mytool"
    chmod 755 "$B/rootfs/opt/tools/mytool"
    update_config "$B" '.process.env = ["PATH=/opt/tools:/bin"]'
    run berth_run p1 "$B"
    assert_success
    assert_output "mytool ran"
    # Not executable: a clear error.
    chmod 644 "$B/rootfs/opt/tools/mytool"
    run berth_run p2 "$B"
    assert_failure
    assert_output --partial 'process.args[0]: executable "mytool" is not executable'
}

@test "process.cwd is the working directory" {
    make_busybox_bundle "$B" sh -c 'pwd; echo x >rel && cat /work/dir/rel'
    mkdir -p "$B/rootfs/work/dir"
    update_config "$B" '.process.cwd = "/work/dir" | .root.readonly = false'
    run berth_run c1 "$B"
    assert_success
    assert_output "/work/dir
x"
}

@test "a missing process.cwd is created, as runc does" {
    make_busybox_bundle "$B" sh -c pwd
    # Also when the root is read-only (the default): made before that.
    update_config "$B" '.process.cwd = "/new/cwd/dir" | .root.readonly = true'
    run berth_run c2 "$B"
    assert_success
    assert_output /new/cwd/dir
    [ -d "$B/rootfs/new/cwd/dir" ]
}

@test "a process.cwd that is a file fails and names the field" {
    make_busybox_bundle "$B" sh -c pwd
    touch "$B/rootfs/afile"
    update_config "$B" '.process.cwd = "/afile"'
    run berth_run c3 "$B"
    assert_failure
    assert_output --partial "process.cwd '/afile'"
    assert_output --partial "Not a directory"
    run berth_cmd_t list -q
    assert_output ""
}

@test "process.user uid, gid and additionalGids" {
    make_busybox_bundle "$B" sh -c 'id -u; id -g; id -G; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
    requires_id_range
    update_config "$B" '.process.user = {uid: 1000, gid: 1001, additionalGids: [10, 20, 1001]}'
    run berth_run u1 "$B"
    assert_success
    assert_line --index 0 1000
    assert_line --index 1 1001
    assert_line --regexp '^Uid:\s+1000\s+1000\s+1000\s+1000$'
    assert_line --regexp '^Gid:\s+1001\s+1001\s+1001\s+1001$'
    assert_line --regexp '^Groups:\s+10 20 1001\s*$'
}

@test "a non-root process.user has no capabilities, unless ambient" {
    make_busybox_bundle "$B" sh -c 'grep -E "^Cap(Inh|Prm|Eff|Amb):" /proc/self/status'
    requires_id_range
    update_config "$B" '.process.user = {uid: 1000, gid: 1000}'
    run berth_run u2 "$B"
    assert_success
    assert_line --regexp '^CapPrm:\s+0000000000000000$'
    assert_line --regexp '^CapEff:\s+0000000000000000$'
    assert_line --regexp '^CapAmb:\s+0000000000000000$'
    # CAP_NET_BIND_SERVICE (10) ambient: it survives the exec as uid 1000.
    update_config "$B" '.process.capabilities.inheritable = ["CAP_NET_BIND_SERVICE"]
        | .process.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]'
    run berth_run u3 "$B"
    assert_success
    assert_line --regexp '^CapAmb:\s+0000000000000400$'
    assert_line --regexp '^CapEff:\s+0000000000000400$'
    assert_line --regexp '^CapPrm:\s+0000000000000400$'
}

@test "an ambient capability that is not also inheritable is left out with a warning" {
    make_busybox_bundle "$B" sh -c 'grep -E "^Cap(Amb|Eff):" /proc/self/status'
    # buildah asks for ambient capabilities alone; the kernel would refuse
    # to raise them (config.md: warn, and SHOULD NOT fail).
    update_config "$B" '.process.capabilities.ambient = ["CAP_CHOWN", "CAP_KILL"]'
    run berth_run am1 "$B"
    assert_success
    assert_line --partial "warning: process.capabilities.ambient: CAP_CHOWN, CAP_KILL are not also permitted and inheritable"
    assert_line --regexp '^CapAmb:\s+0000000000000000$'
}

@test "a capability berth itself does not hold is left out with a warning, not an error" {
    is_root || skip "as root without a user namespace only: in one, the process holds every capability"
    command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
    grep -q '^CapPrm:.*[1-9a-f]' /proc/self/status || skip "root holds no capabilities here"
    make_busybox_bundle "$B" sh -c 'grep -E "^Cap(Bnd|Prm|Eff):" /proc/self/status'
    update_config "$B" 'del(.linux.namespaces[] | select(.type == "user"))
        | .process.capabilities.bounding += ["CAP_SYS_NICE"]
        | .process.capabilities.permitted += ["CAP_SYS_NICE"]
        | .process.capabilities.effective += ["CAP_SYS_NICE"]'
    # berth run without CAP_SYS_NICE (23) in its bounding set, so not in its
    # permitted set after execve: docker run --privileged on a host whose
    # root lacks some capability.
    run timeout 60 setsid -w setpriv --bounding-set -sys_nice -- "$BERTH" --root "$ROOT" run -b "$B" nice1 </dev/null
    assert_success
    assert_line --partial "warning: process.capabilities: CAP_SYS_NICE cannot be granted (berth does not hold it): left out"
    local eff
    eff=$(awk '/^CapEff:/ { print $2 }' <<<"$output")
    [ $((0x$eff & (1 << 23))) = 0 ] || fail "CAP_SYS_NICE is effective: $eff"
    [ $((0x$eff & (1 << 5))) != 0 ] || fail "CAP_KILL is not effective: $eff"
}

@test "with the single-id mapping only uid 0 exists: another uid fails clearly" {
    is_root && skip "root maps any id"
    [ "$BERTH_TEST_LEG" = rootless ] || skip "the single-id mapping is the rootless leg's"
    make_busybox_bundle "$B" id
    update_config "$B" '.process.user = {uid: 1000, gid: 1000}'
    run berth_run u4 "$B"
    assert_failure
    assert_output --regexp "process\.user\.(uid|gid)"
}

@test "process.user.umask" {
    make_busybox_bundle "$B" sh -c 'umask; touch /dev/shm/f; stat -c %a /dev/shm/f'
    update_config "$B" '.process.user.umask = 63'
    run berth_run um "$B"
    assert_success
    assert_output "0077
600"
    # Without it: 0022.
    update_config "$B" 'del(.process.user.umask)'
    run berth_run um2 "$B"
    assert_success
    assert_line --index 0 0022
}

@test "process.rlimits: a lower RLIMIT_NOFILE soft limit within the hard one" {
    local hard
    hard=$(ulimit -Hn)
    make_busybox_bundle "$B" sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
    update_config "$B" --argjson h "$hard" '.process.rlimits = [
        {type: "RLIMIT_NOFILE", soft: 100, hard: $h},
        {type: "RLIMIT_CORE", soft: 0, hard: 0}]'
    run berth_run rl "$B"
    assert_success
    assert_output "100
$hard
0"
}

@test "process.rlimits above the hard limit fail without privilege and name the field" {
    is_root && skip "root may raise hard limits"
    local hard
    hard=$(ulimit -Hn)
    make_busybox_bundle "$B" true
    update_config "$B" --argjson h "$((hard + 1))" '.process.rlimits = [
        {type: "RLIMIT_CORE", soft: 0, hard: 0},
        {type: "RLIMIT_NOFILE", soft: $h, hard: $h}]'
    run berth_run rl2 "$B"
    assert_failure
    assert_output --partial "process.rlimits[1] (RLIMIT_NOFILE"
    run berth_cmd_t list -q
    assert_output ""
}

# The capability mask of the names in JSON array $1, as /proc/PID/status prints it.
cap_mask() {
    local m=0 n
    for n in $(jq -r '.[]' <<<"$1"); do
        case $n in
        CAP_CHOWN) m=$((m | 1 << 0)) ;;
        CAP_DAC_OVERRIDE) m=$((m | 1 << 1)) ;;
        CAP_FOWNER) m=$((m | 1 << 3)) ;;
        CAP_FSETID) m=$((m | 1 << 4)) ;;
        CAP_KILL) m=$((m | 1 << 5)) ;;
        CAP_SETGID) m=$((m | 1 << 6)) ;;
        CAP_SETUID) m=$((m | 1 << 7)) ;;
        CAP_SETPCAP) m=$((m | 1 << 8)) ;;
        CAP_NET_BIND_SERVICE) m=$((m | 1 << 10)) ;;
        CAP_NET_RAW) m=$((m | 1 << 13)) ;;
        CAP_SYS_CHROOT) m=$((m | 1 << 18)) ;;
        CAP_MKNOD) m=$((m | 1 << 27)) ;;
        CAP_AUDIT_WRITE) m=$((m | 1 << 29)) ;;
        CAP_SETFCAP) m=$((m | 1 << 31)) ;;
        *) echo "cap_mask: add $n" >&2 && return 1 ;;
        esac
    done
    printf '%016x\n' "$m"
}

@test "the default capabilities are the config's, nothing inheritable or ambient (CVE-2022-29162)" {
    make_busybox_bundle "$B" sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'
    local caps
    caps=$(jq -c .process.capabilities "$B/config.json")
    run berth_run cp1 "$B"
    assert_success
    assert_line --regexp "^CapBnd:\s+$(cap_mask "$(jq -c .bounding <<<"$caps")")$"
    assert_line --regexp "^CapPrm:\s+$(cap_mask "$(jq -c .permitted <<<"$caps")")$"
    assert_line --regexp "^CapEff:\s+$(cap_mask "$(jq -c .effective <<<"$caps")")$"
    assert_line --regexp '^CapInh:\s+0000000000000000$'
    assert_line --regexp '^CapAmb:\s+0000000000000000$'
}

@test "custom capability sets: bounding, permitted and effective apart" {
    make_busybox_bundle "$B" sh -c 'grep -E "^Cap(Inh|Prm|Eff|Bnd):" /proc/self/status'
    update_config "$B" '.process.capabilities = {
        bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"],
        permitted: ["CAP_CHOWN", "CAP_KILL"],
        effective: ["CAP_KILL"]}'
    run berth_run cp2 "$B"
    assert_success
    assert_line --regexp '^CapBnd:\s+00000000000000a1$'
    assert_line --regexp '^CapPrm:\s+0000000000000021$'
    assert_line --regexp '^CapEff:\s+0000000000000021$'
    assert_line --regexp '^CapInh:\s+0000000000000000$'
}

@test "no capabilities at all" {
    make_busybox_bundle "$B" sh -c 'grep -E "^Cap(Prm|Eff|Bnd):" /proc/self/status; touch /x; chown 1 /x 2>&1 || echo refused'
    update_config "$B" 'del(.process.capabilities)'
    run berth_run cp3 "$B"
    assert_success
    assert_line --regexp '^CapBnd:\s+0000000000000000$'
    assert_line --regexp '^CapEff:\s+0000000000000000$'
    assert_line refused
}

@test "process.noNewPrivileges sets no_new_privs" {
    make_busybox_bundle "$B" grep NoNewPrivs /proc/self/status
    update_config "$B" '.process.noNewPrivileges = true'
    run berth_run nn1 "$B"
    assert_success
    assert_output --regexp '^NoNewPrivs:\s+1$'
    grep -qE '^NoNewPrivs:\s+1' /proc/self/status && skip "the test itself runs with no_new_privs"
    update_config "$B" '.process.noNewPrivileges = false'
    run berth_run nn2 "$B"
    assert_success
    assert_output --regexp '^NoNewPrivs:\s+0$'
}

@test "process.oomScoreAdj is set, and left alone when absent" {
    local cur want
    cur=$(cat /proc/self/oom_score_adj)
    want=$((cur + 100 > 1000 ? 1000 : cur + 100))
    make_busybox_bundle "$B" cat /proc/self/oom_score_adj
    update_config "$B" --argjson v "$want" '.process.oomScoreAdj = $v'
    run berth_run oom1 "$B"
    assert_success
    assert_output "$want"
    update_config "$B" 'del(.process.oomScoreAdj)'
    run berth_run oom2 "$B"
    assert_success
    assert_output "$cur"
}

@test "lowering oomScoreAdj without privilege fails and names the field" {
    is_root && skip "root may lower oom_score_adj"
    local cur
    cur=$(cat /proc/self/oom_score_adj)
    [ "$cur" -gt -1000 ] || skip "oom_score_adj is already -1000"
    make_busybox_bundle "$B" true
    update_config "$B" '.process.oomScoreAdj = -1000'
    run berth_run oom3 "$B"
    assert_failure
    assert_output --partial "process.oomScoreAdj"
}

@test "hostname and domainname" {
    make_busybox_bundle "$B" sh -c 'hostname; cat /proc/sys/kernel/domainname; uname -n'
    update_config "$B" '.hostname = "berth-box" | .domainname = "example.test"'
    run berth_run hn "$B"
    assert_success
    assert_output "berth-box
example.test
berth-box"
    # The host's stay what they were.
    [ "$(hostname)" != berth-box ]
}

@test "hostname without a UTS namespace is refused" {
    make_busybox_bundle "$B" hostname
    update_config "$B" '.hostname = "berth-box" | .linux.namespaces |= map(select(.type != "uts"))'
    local before
    before=$(hostname)
    run berth_run hn2 "$B"
    assert_failure
    assert_output --partial hostname
    assert_equal "$(hostname)" "$before"
}

@test "linux.sysctl: net.ipv4.ip_forward in a new network namespace" {
    make_busybox_bundle "$B" cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax
    # The rootless spec has no network namespace of its own.
    update_config "$B" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "12345"}
        | .linux.namespaces |= (if any(.type == "network") then . else . + [{type: "network"}] end)
        | .linux.namespaces |= (if any(.type == "ipc") then . else . + [{type: "ipc"}] end)'
    run berth_run sy "$B"
    if ! is_root && [ "$status" -ne 0 ] && [[ "$output" == *"Permission denied"* ]]; then
        skip "this kernel does not let a user namespace write these sysctls: $output"
    fi
    assert_success
    assert_output "1
12345"
    # The host's value is untouched.
    [ "$(cat /proc/sys/kernel/msgmax)" != 12345 ]
}

@test "linux.sysctl of an unknown key fails and names it" {
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.sysctl = {"net.ipv4.no_such_key": "1"}'
    run berth_run sy2 "$B"
    assert_failure
    assert_output --partial 'linux.sysctl["net.ipv4.no_such_key"]'
    run berth_cmd_t list -q
    assert_output ""
}

@test "only stdio is open in the container" {
    make_busybox_bundle "$B" sh -c 'ls /proc/$$/fd; true'
    exec 5<"$B/config.json" 6>"$TMP/caller-fd"
    run berth_run fd1 "$B"
    exec 5<&- 6>&-
    assert_success
    assert_output "0
1
2"
}

@test "--preserve-fds N passes fds 3 to 3+N-1, and no more" {
    make_busybox_bundle "$B" sh -c 'ls /proc/$$/fd; cat <&3; cat <&4'
    echo three >"$TMP/f3"
    echo four >"$TMP/f4"
    echo five >"$TMP/f5"
    run bash -c "cd '$B' && exec 3<'$TMP/f3' 4<'$TMP/f4' 5<'$TMP/f5' &&
        timeout 20 setsid -w '$BERTH' --root '$ROOT' run --preserve-fds 2 pf </dev/null"
    assert_success
    assert_output "0
1
2
3
4
three
four"
}

@test "LISTEN_FDS and its fds pass through to the container" {
    make_busybox_bundle "$B" sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; ls /proc/$$/fd; cat <&3'
    echo activated >"$TMP/sock"
    run bash -c "cd '$B' && exec 3<'$TMP/sock' 4<'$TMP/sock' &&
        LISTEN_FDS=1 LISTEN_PID=\$\$ timeout 20 setsid -w '$BERTH' --root '$ROOT' run lf </dev/null"
    assert_success
    # init is pid 1 of its pid namespace.
    assert_output "1 1
0
1
2
3
activated"
}

@test "process.scheduler sets the policy and nice value" {
    make_busybox_bundle "$TMP/b" sh -c 'grep -E "^policy" /proc/self/sched; cut -d" " -f19 /proc/self/stat'
    update_config "$TMP/b" '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
    run berth_run sched "$TMP/b"
    assert_success
    assert_line --index 0 --regexp '^policy +: +3$'
    assert_line --index 1 7
}

@test "process.scheduler the kernel refuses is an error naming the field" {
    make_busybox_bundle "$TMP/b"
    # SCHED_DEADLINE with a runtime above its deadline is invalid everywhere.
    update_config "$TMP/b" '.process.scheduler = {"policy": "SCHED_DEADLINE", "runtime": 2000000, "deadline": 1000000, "period": 1000000}'
    run berth_run schedbad "$TMP/b"
    assert_failure
    assert_output --partial "process.scheduler"
}

@test "process.execCPUAffinity.final pins the process" {
    make_busybox_bundle "$TMP/b" grep Cpus_allowed_list /proc/self/status
    update_config "$TMP/b" '.process.execCPUAffinity = {"initial": "0", "final": "0"}'
    run berth_run aff "$TMP/b"
    assert_success
    assert_output --regexp 'Cpus_allowed_list:[[:space:]]+0$'
}

@test "a program the process's user may not execute: start fails, the container is stopped, delete cleans up" {
    local before
    make_busybox_bundle "$B" /bin/prog
    requires_id_range
    before=$(mount_snapshot)
    printf '#!/bin/sh\necho ran\n' >"$B/rootfs/bin/prog"
    chmod 700 "$B/rootfs/bin/prog"
    update_config "$B" '.process.user = {"uid": 1000, "gid": 1000}'
    run berth_create fs "$B"
    assert_success
    run berth_cmd_t start fs
    assert_failure
    assert_output --partial "start 'fs': exec '/bin/prog': Permission denied"
    wait_for_status fs stopped
    run berth_cmd_t delete fs
    assert_success
    run berth_cmd_t list -q
    assert_output ""
    [ ! -e "$ROOT/fs" ] || fail "state directory '$ROOT/fs' is left"
    assert_equal "$(mount_snapshot)" "$before"
}

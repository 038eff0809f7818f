#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# vm-legs: root rootless
# linux.resources applied in a pure cgroup v2 guest: the files berth writes,
# and the limits the kernel then enforces (memory, pids), as root and as a
# user in a delegated subtree.

load cgroup-helpers

setup() {
    cg_setup
    requires_cgroup
}

teardown() {
    cg_teardown
}

@test "vm cgroup: the container's cgroup is berth/ID beside the leg's, and goes with delete" {
    make_busybox_bundle "$B" sh -c 'cat /proc/self/cgroup; sleep 100'
    run berth_create c1 "$B"
    assert_success
    local cg
    cg=$(default_cgroup c1)
    assert_equal "$(cgroup_of c1)" "$cg"
    grep -qx "$(state_of c1 .pid)" "$cg/cgroup.procs"
    if [ "$BERTH_VM_LEG" = rootless ]; then
        # Inside the subtree delegated to the user.
        [[ "$cg" == "$BERTH_VM_DELEGATED"/* ]]
    fi
    run berth_cmd_t start c1
    assert_success
    wait_for_line "$TMP/c1.out" "0::/"
    run berth_cmd_t delete --force c1
    assert_success
    [ ! -e "$cg" ]
}

@test "vm cgroup: memory.max is enforced: the OOM killer kills, and events reports it" {
    # 64 MiB read into one buffer, against a 32 MiB limit without swap.
    make_busybox_bundle "$B" sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo dd=$?'
    update_config "$B" '.linux.resources.memory = {"limit": 33554432, "swap": 33554432, "reservation": 1048576}'
    run berth_create m1 "$B"
    assert_success
    local cg
    cg=$(cgroup_of m1)
    assert_equal "$(cat "$cg/memory.max")" 33554432
    assert_equal "$(cat "$cg/memory.low")" 1048576
    if [ -e "$cg/memory.swap.max" ]; then
        assert_equal "$(cat "$cg/memory.swap.max")" 0
    fi
    "$BERTH" --root "$ROOT" events --interval 1s m1 >"$TMP/events" 2>&1 &
    local ev=$!
    # Its first stats event: it has read the OOM count to start from.
    wait_for_match "$TMP/events" '"type":"stats"'
    run berth_cmd_t start m1
    assert_success
    wait_for_line "$TMP/m1.out" "dd=137"
    [ "$(cg_key "$cg/memory.events" oom_kill)" -ge 1 ]
    # The container is gone: events ends by itself.
    wait "$ev"
    run grep -cxF '{"type":"oom","id":"m1"}' "$TMP/events"
    assert_output 1
}

@test "vm cgroup: a container runs under a tight memory limit" {
    make_busybox_bundle "$B" sh -c 'echo alive'
    update_config "$B" '.linux.resources.memory = {"limit": 4194304}'
    run berth_run tight "$B"
    assert_success
    assert_output alive
}

@test "vm cgroup: pids.max is enforced: fork fails past it" {
    # sh aborts at the first fork that fails.
    make_busybox_bundle "$B" sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo all-forked'
    update_config "$B" '.linux.resources.pids = {"limit": 5}'
    run berth_create p1 "$B"
    assert_success
    local cg
    cg=$(cgroup_of p1)
    assert_equal "$(cat "$cg/pids.max")" 5
    run berth_cmd_t start p1
    assert_success
    wait_for_match "$TMP/p1.out" "can't fork"
    [ "$(cg_key "$cg/pids.events" max)" -ge 1 ]
    run grep -c all-forked "$TMP/p1.out"
    assert_output 0
}

@test "vm cgroup: cpu values go to cpu.weight, cpu.max, cpu.max.burst, cpu.idle and cpuset" {
    make_busybox_bundle "$B" sleep 100
    update_config "$B" '.linux.resources.cpu = {"shares": 1024, "quota": 50000, "period": 200000, "burst": 10000, "cpus": "0", "mems": "0"}'
    run berth_create cpu1 "$B"
    assert_success
    local cg
    cg=$(cgroup_of cpu1)
    assert_equal "$(cat "$cg/cpu.weight")" 100
    assert_equal "$(cat "$cg/cpu.max")" "50000 200000"
    assert_equal "$(cat "$cg/cpu.max.burst")" 10000
    assert_equal "$(cat "$cg/cpuset.cpus")" 0
    assert_equal "$(cat "$cg/cpuset.mems")" 0
    berth_cmd_t delete --force cpu1
    # 262144 shares is the top of cpu.weight; quota -1 is "max".
    update_config "$B" '.linux.resources.cpu = {"shares": 262144, "quota": -1}'
    run berth_create cpu2 "$B"
    assert_success
    cg=$(cgroup_of cpu2)
    assert_equal "$(cat "$cg/cpu.weight")" 10000
    assert_equal "$(cut -d' ' -f1 "$cg/cpu.max")" max
    berth_cmd_t delete --force cpu2
    # idle (the kernel then shows a weight of 0).
    update_config "$B" '.linux.resources.cpu = {"idle": 1}'
    run berth_create cpu3 "$B"
    assert_success
    assert_equal "$(cat "$(cgroup_of cpu3)/cpu.idle")" 1
}

@test "vm cgroup: realtime CPU limits are refused, naming the field" {
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.resources.cpu = {"realtimeRuntime": 1000, "realtimePeriod": 10000}'
    run berth_create rt "$B"
    assert_failure
    assert_output --partial "linux.resources.cpu.realtimeRuntime: cgroup v2 has no realtime CPU limits"
    [ -z "$(state_root_leftovers)" ]
}

@test "vm cgroup: blockIO weight goes to io.weight, throttles to io.max" {
    make_busybox_bundle "$B" sleep 100
    local throttle='[]'
    if [ -b /dev/loop0 ]; then
        throttle='[{"major": 7, "minor": 0, "rate": 1048576}]'
    fi
    update_config "$B" --argjson t "$throttle" \
        '.linux.resources.blockIO = {"weight": 500, "throttleReadBpsDevice": $t, "throttleWriteIOPSDevice": $t}'
    run berth_create io1 "$B"
    assert_success
    local cg
    cg=$(cgroup_of io1)
    if [ -e "$cg/io.bfq.weight" ]; then
        assert_equal "$(head -n 1 "$cg/io.bfq.weight")" "default 500"
    else
        assert_equal "$(head -n 1 "$cg/io.weight")" "default 4950"
    fi
    if [ -b /dev/loop0 ]; then
        run grep '^7:0 ' "$cg/io.max"
        assert_output "7:0 rbps=1048576 wbps=max riops=max wiops=1048576"
    fi
}

@test "vm cgroup: hugepageLimits go to hugetlb.SIZE.max and rsvd.max" {
    [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MB huge pages"
    make_busybox_bundle "$B" sleep 100
    update_config "$B" '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
    run berth_create h1 "$B"
    assert_success
    local cg
    cg=$(cgroup_of h1)
    assert_equal "$(cat "$cg/hugetlb.2MB.max")" 4194304
    if [ -e "$cg/hugetlb.2MB.rsvd.max" ]; then
        assert_equal "$(cat "$cg/hugetlb.2MB.rsvd.max")" 4194304
    fi
}

@test "vm cgroup: unified keys are written verbatim, after the fields" {
    make_busybox_bundle "$B" sleep 100
    update_config "$B" '.linux.resources.pids = {"limit": 100}
        | .linux.resources.unified = {"memory.high": "50M", "pids.max": "20", "memory.oom.group": "1"}'
    run berth_create u1 "$B"
    assert_success
    local cg
    cg=$(cgroup_of u1)
    assert_equal "$(cat "$cg/memory.high")" 52428800
    assert_equal "$(cat "$cg/pids.max")" 20
    assert_equal "$(cat "$cg/memory.oom.group")" 1
}

@test "vm cgroup: a unified key outside the cgroup is refused" {
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.resources.unified = {"../cgroup.procs": "1"}'
    run berth_create u2 "$B"
    assert_failure
    assert_output --partial 'linux.resources.unified["../cgroup.procs"]'
    [ -z "$(state_root_leftovers)" ]
}

@test "vm cgroup: a value the kernel refuses names its field and leaves nothing" {
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.cgroupsPath = "bad-cpuset" | .linux.resources.cpu = {"cpus": "4095"}'
    run berth_create bad "$B"
    assert_failure
    assert_output --partial "linux.resources.cpu.cpus: write '4095' to"
    [ -z "$(state_root_leftovers)" ]
    [ ! -e "$(dirname "$(default_cgroup x)")/../bad-cpuset" ]
}

@test "vm cgroup: devices become a BPF program (root)" {
    requires_root
    [ -c /dev/kmsg ] || skip "no /dev/kmsg"
    # /dev/kmsg (1:11) opened for writing needs no capability; berth spec
    # denies it, /dev/null is among the defaults.
    make_busybox_bundle "$B" sh -c 'printf "" >/dev/null && echo null-ok
        printf "" 2>/dev/null >/dev/kmsg && echo kmsg-ok || echo kmsg-denied'
    update_config "$B" '.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
    run berth_run dv1 "$B"
    assert_success
    assert_line null-ok
    assert_line kmsg-denied
    update_config "$B" '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
    run berth_run dv2 "$B"
    assert_success
    assert_line kmsg-ok
}

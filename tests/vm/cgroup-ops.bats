#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# vm-legs: root rootless
# The commands that work through the container's cgroup, in a pure cgroup
# v2 guest: pause and resume, kill --all, ps, update, events --stats.

load cgroup-helpers

setup() {
    cg_setup
    requires_cgroup
}

teardown() {
    cg_teardown
}

cpu_usec() {
    cg_key "$1/cpu.stat" usage_usec
}

@test "vm cgroup: pause freezes a busy container, resume thaws it" {
    make_busybox_bundle "$B" sh -c 'while :; do :; done'
    run berth_create p1 "$B"
    assert_success
    run berth_cmd_t start p1
    assert_success
    local cg a b
    cg=$(cgroup_of p1)
    run berth_cmd_t pause p1
    assert_success
    assert_equal "$(state_of p1)" paused
    assert_equal "$(cg_key "$cg/cgroup.events" frozen)" 1
    a=$(cpu_usec "$cg")
    sleep 1
    b=$(cpu_usec "$cg")
    assert_equal "$b" "$a"
    run berth_cmd_t resume p1
    assert_success
    assert_equal "$(state_of p1)" running
    a=$(cpu_usec "$cg")
    sleep 1
    b=$(cpu_usec "$cg")
    [ "$b" -gt "$a" ]
}

@test "vm cgroup: kill --all kills every process of the cgroup" {
    make_busybox_bundle "$B" sh -c '(setsid sleep 1001 &); (setsid sleep 1002 &); echo up; sleep 1000'
    # As root, without a pid namespace, so that only the cgroup still knows
    # the daemons (a user namespace cannot mount the host's /proc).
    if is_root; then
        update_config "$B" '.linux.namespaces |= map(select(.type != "pid"))'
    fi
    run berth_create k1 "$B"
    assert_success
    run berth_cmd_t start k1
    assert_success
    wait_for_line "$TMP/k1.out" up
    local cg i
    cg=$(cgroup_of k1)
    for i in $(seq 100); do
        [ "$(wc -l <"$cg/cgroup.procs")" -ge 3 ] && break
        sleep 0.1
    done
    run berth_cmd_t ps --format json k1
    assert_success
    assert_equal "$(jq length <<<"$output")" 3
    run berth_cmd_t kill --all k1 KILL
    assert_success
    for i in $(seq 100); do
        [ "$(cg_key "$cg/cgroup.events" populated)" = 0 ] && break
        sleep 0.1
    done
    assert_equal "$(cg_key "$cg/cgroup.events" populated)" 0
    wait_for_status k1 stopped
    run berth_cmd_t delete k1
    assert_success
    [ ! -e "$cg" ]
}

@test "vm cgroup: update changes a running container's limits" {
    make_busybox_bundle "$B" sleep 100
    update_config "$B" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}, "cpu": {"quota": 10000, "period": 100000}}'
    run berth_create up1 "$B"
    assert_success
    run berth_cmd_t start up1
    assert_success
    local cg
    cg=$(cgroup_of up1)
    run berth_cmd_t update --memory 128m --memory-swap 256m --pids-limit 20 --cpu-quota 20000 \
        --cpu-shares 2048 --cpuset-cpus 0 --blkio-weight 100 up1
    assert_success
    assert_equal "$(cat "$cg/memory.max")" 134217728
    if [ -e "$cg/memory.swap.max" ]; then
        assert_equal "$(cat "$cg/memory.swap.max")" 134217728
    fi
    assert_equal "$(cat "$cg/pids.max")" 20
    # The period given at create stays.
    assert_equal "$(cat "$cg/cpu.max")" "20000 100000"
    assert_equal "$(cat "$cg/cpu.weight")" 174
    assert_equal "$(cat "$cg/cpuset.cpus")" 0
    if [ -e "$cg/io.bfq.weight" ]; then
        assert_equal "$(head -n 1 "$cg/io.bfq.weight")" "default 100"
    else
        assert_equal "$(head -n 1 "$cg/io.weight")" "default 910"
    fi
    # --resources, and a later flag that keeps it.
    run berth_cmd_t update --resources - up1 <<<'{"unified": {"memory.high": "100M"}, "pids": {"limit": 30}}'
    assert_success
    assert_equal "$(cat "$cg/memory.high")" 104857600
    assert_equal "$(cat "$cg/pids.max")" 30
    run berth_cmd_t update --cpu-weight 300 up1
    assert_success
    assert_equal "$(cat "$cg/cpu.weight")" 300
    assert_equal "$(cat "$cg/memory.high")" 104857600
    assert_equal "$(cat "$cg/memory.max")" 134217728
    # Swap below the memory limit is refused and changes nothing.
    run berth_cmd_t update --memory-swap 64m up1
    assert_failure
    assert_output --partial "linux.resources.memory.swap"
    assert_equal "$(cat "$cg/memory.max")" 134217728
}

@test "vm cgroup: checkBeforeUpdate refuses a memory limit below the usage" {
    # The shell keeps 8 MB in a variable (and must not exec its last command).
    make_busybox_bundle "$B" sh -c 'x=$(head -c 8000000 /dev/zero | tr "\0" a); echo big; while :; do sleep 1; done'
    update_config "$B" '.linux.resources.memory = {"limit": 268435456, "checkBeforeUpdate": true}'
    run berth_create cb1 "$B"
    assert_success
    run berth_cmd_t start cb1
    assert_success
    wait_for_line "$TMP/cb1.out" big
    run berth_cmd_t update --memory 1m cb1
    assert_failure
    assert_output --regexp "linux.resources.memory.limit: 1048576 is below the current usage [0-9]+ \(checkBeforeUpdate\)"
    assert_equal "$(cat "$(cgroup_of cb1)/memory.max")" 268435456
}

@test "vm cgroup: events --stats shows the numbers change" {
    make_busybox_bundle "$B" sh -c 'read x </dev/zero & sleep 100'
    update_config "$B" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
    run berth_create st1 "$B"
    assert_success
    run berth_cmd_t events --stats st1
    assert_success
    local before="$output"
    assert_equal "$(jq -r .type <<<"$before")" stats
    assert_equal "$(jq .data.memory.usage.limit <<<"$before")" 67108864
    assert_equal "$(jq .data.pids.limit <<<"$before")" 40
    assert_equal "$(jq .data.pids.current <<<"$before")" 1
    run berth_cmd_t start st1
    assert_success
    sleep 2
    run berth_cmd_t events --stats st1
    assert_success
    # The reading subshell, and sleep (exec'd by sh for its last command).
    assert_equal "$(jq .data.pids.current <<<"$output")" 2
    [ "$(jq .data.cpu.usage.total <<<"$output")" -gt "$(jq '.data.cpu.usage.total // 0' <<<"$before")" ]
    [ "$(jq .data.memory.usage.usage <<<"$output")" -gt 0 ]
    jq -e '.data.memory.raw.anon >= 0' <<<"$output" >/dev/null
}

@test "vm cgroup: delete removes the cgroup of a paused container" {
    make_busybox_bundle "$B" sleep 100
    run berth_create d1 "$B"
    assert_success
    run berth_cmd_t start d1
    assert_success
    local cg
    cg=$(cgroup_of d1)
    run berth_cmd_t pause d1
    assert_success
    run berth_cmd_t delete d1
    assert_failure
    run berth_cmd_t delete --force d1
    assert_success
    [ ! -e "$cg" ]
}

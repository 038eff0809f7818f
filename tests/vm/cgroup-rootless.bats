#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# vm-legs: rootless rootless-nodeleg
# Rootless cgroups in a pure cgroup v2 guest: with a delegated subtree the
# limits apply as for root; without one the container runs without a
# cgroup, after one warning naming the limits not applied.

load cgroup-helpers

setup() {
    cg_setup
    requires_rootless
}

teardown() {
    cg_teardown
}

@test "vm rootless: with delegation, limits apply in the delegated subtree" {
    [ "$BERTH_VM_LEG" = rootless ] || skip "no delegation in leg $BERTH_VM_LEG"
    make_busybox_bundle "$B" sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
    update_config "$B" '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 16}}'
    run berth_run rd1 "$B"
    assert_success
    assert_equal "$output" "$(printf '33554432\n16')"
    # Gone with the container; the subtree's own limits untouched.
    [ ! -e "$BERTH_VM_DELEGATED/berth/rd1" ]
    assert_equal "$(cat "$BERTH_VM_DELEGATED/memory.max")" max
}

@test "vm rootless: with delegation, pause, update and events work" {
    [ "$BERTH_VM_LEG" = rootless ] || skip "no delegation in leg $BERTH_VM_LEG"
    make_busybox_bundle "$B" sleep 100
    run berth_create rd2 "$B"
    assert_success
    run berth_cmd_t start rd2
    assert_success
    run berth_cmd_t pause rd2
    assert_success
    assert_equal "$(state_of rd2)" paused
    run berth_cmd_t resume rd2
    assert_success
    run berth_cmd_t update --pids-limit 9 rd2
    assert_success
    assert_equal "$(cat "$(cgroup_of rd2)/pids.max")" 9
    run berth_cmd_t events --stats rd2
    assert_success
    assert_equal "$(jq .data.pids.limit <<<"$output")" 9
}

@test "vm rootless: with delegation, an explicit cgroupsPath inside the subtree is used" {
    [ "$BERTH_VM_LEG" = rootless ] || skip "no delegation in leg $BERTH_VM_LEG"
    make_busybox_bundle "$B" sleep 100
    update_config "$B" --arg p "${BERTH_VM_DELEGATED#$CG}/mine/rd3" '.linux.cgroupsPath = $p'
    run berth_create rd3 "$B"
    assert_success
    assert_equal "$(cgroup_of rd3)" "$BERTH_VM_DELEGATED/mine/rd3"
    run berth_cmd_t delete --force rd3
    assert_success
    rmdir "$BERTH_VM_DELEGATED/mine"
}

@test "vm rootless: without delegation, one warning, and the container runs" {
    [ "$BERTH_VM_LEG" = rootless-nodeleg ] || skip "delegated in leg $BERTH_VM_LEG"
    make_busybox_bundle "$B" sh -c 'echo ran'
    run berth_run rn0 "$B"
    assert_success
    assert_output ran
    update_config "$B" '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 16}}'
    run berth_run rn1 "$B"
    assert_success
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 --regexp "^berth: warning: the cgroup '$CG(/berth)?' is not delegated to uid $(id -u), so berth runs the container without a cgroup, and these limits are not applied: linux.resources.memory.limit, linux.resources.pids.limit$"
    assert_line --index 1 ran
}

@test "vm rootless: without delegation, an explicit cgroupsPath is an error" {
    [ "$BERTH_VM_LEG" = rootless-nodeleg ] || skip "delegated in leg $BERTH_VM_LEG"
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.cgroupsPath = "/mine"'
    run berth_run rn2 "$B"
    assert_failure
    assert_output --partial "linux.cgroupsPath: cannot create the cgroup '$CG/mine'"
    [ -z "$(state_root_leftovers)" ]
}

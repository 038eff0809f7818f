#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The VM itself (tests/vm/run): a pure cgroup v2 kernel, the leg's user and
# cgroup as tests/vm/init promises, and a container that runs.

load ../bats/helpers

setup() {
    [ -n "${BERTH_VM_LEG:-}" ] || skip "runs in the VM only (tests/vm/run)"
    setup_tmp
}

teardown() {
    berth_cleanup
}

@test "vm: cgroup2 at /sys/fs/cgroup is the only cgroup hierarchy" {
    run awk '$3 == "cgroup" || $3 == "cgroup2" { print $2, $3 }' /proc/mounts
    assert_success
    assert_output "/sys/fs/cgroup cgroup2"
}

@test "vm: the root cgroup offers and enables memory, pids, cpu, io, cpuset and hugetlb" {
    local c
    for c in memory pids cpu io cpuset hugetlb; do
        grep -qw "$c" /sys/fs/cgroup/cgroup.controllers ||
            fail "no '$c' in cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
        grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control ||
            fail "'$c' not enabled in cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
    done
}

@test "vm: the leg runs in its own cgroup, as its user" {
    assert [ -d "$BERTH_VM_CGROUP" ]
    run cat /proc/self/cgroup
    assert_output "0::${BERTH_VM_CGROUP#/sys/fs/cgroup}$([ "$BERTH_VM_CGROUP" = /sys/fs/cgroup ] && echo /)"
    case $BERTH_VM_LEG in
    root) assert_equal "$(id -u)" 0 ;;
    rootless | rootless-nodeleg) assert_equal "$(id -u)" 1000 ;;
    *) fail "unknown leg '$BERTH_VM_LEG'" ;;
    esac
}

@test "vm: the rootless leg's subtree is delegated, the other legs' are not" {
    requires_rootless
    if [ "$BERTH_VM_LEG" = rootless ]; then
        assert [ -n "$BERTH_VM_DELEGATED" ]
        assert_equal "$(stat -c %u "$BERTH_VM_DELEGATED")" "$(id -u)"
        local f
        for f in cgroup.procs cgroup.threads cgroup.subtree_control; do
            assert [ -w "$BERTH_VM_DELEGATED/$f" ]
        done
        # The delegated cgroup's own limits stay root's.
        refute [ -w "$BERTH_VM_DELEGATED/memory.max" ]
        # The delegatee can make a child and enable a controller for it
        # (and puts the subtree back as it found it).
        local had_pids=0
        grep -qw pids "$BERTH_VM_DELEGATED/cgroup.subtree_control" && had_pids=1
        mkdir "$BERTH_VM_DELEGATED/smoke-$$"
        echo +pids >"$BERTH_VM_DELEGATED/cgroup.subtree_control"
        assert [ -f "$BERTH_VM_DELEGATED/smoke-$$/pids.max" ]
        rmdir "$BERTH_VM_DELEGATED/smoke-$$"
        [ $had_pids = 1 ] || echo -pids >"$BERTH_VM_DELEGATED/cgroup.subtree_control"
    else
        assert [ -z "$BERTH_VM_DELEGATED" ]
        refute [ -w "$BERTH_VM_CGROUP/cgroup.procs" ]
        run mkdir "$BERTH_VM_CGROUP/smoke-$$"
        assert_failure
    fi
}

@test "vm: overlayfs is available" {
    grep -qw overlay /proc/filesystems
}

@test "vm: berth runs a busybox container" {
    make_busybox_bundle "$TMP/bundle" sh -c 'echo hello from $(hostname)'
    run berth_run smoke "$TMP/bundle"
    assert_success
    assert_output --partial "hello from"
    assert_equal "$(state_root_leftovers)" ""
}

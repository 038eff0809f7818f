#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What engines (podman with conmon, containerd's runc shim) rely on from
# runc's command line, checked with berth alone: --systemd-cgroup, the
# default state root of root in a user namespace, and the calls an engine
# makes to stop and remove a container.  tests/engines/ has the suites
# with the engines themselves.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
}

teardown() {
    berth_cleanup
}

@test "--systemd-cgroup: create fails, says berth has no systemd cgroup driver and how to use cgroupfs" {
    make_busybox_bundle "$B" sleep 100
    run berth_create sd1 "$B" --pid-file "$TMP/pid"
    assert_success
    run berth_cmd_t delete --force sd1
    assert_success

    run bash -c "cd '$B' && timeout 20 '$BERTH' --root '$ROOT' --systemd-cgroup create sd2 </dev/null"
    assert_equal "$status" 1
    assert_output --partial "create 'sd2': --systemd-cgroup: berth has no systemd cgroup driver"
    assert_output --partial "configure the engine for cgroupfs"
    assert_output --partial "podman: --cgroup-manager cgroupfs"
    assert_output --partial "containerd: SystemdCgroup = false"
    # Nothing was made.
    run state_root_leftovers
    assert_output ""
}

@test "--systemd-cgroup: run fails the same way and runs nothing" {
    make_busybox_bundle "$B" sh -c "touch /tmp/ran"
    run bash -c "cd '$B' && timeout 20 '$BERTH' --root '$ROOT' --systemd-cgroup run sd3 </dev/null"
    assert_equal "$status" 1
    assert_output --partial "run 'sd3': --systemd-cgroup: berth has no systemd cgroup driver"
    [ ! -e "$B/rootfs/tmp/ran" ]
    run state_root_leftovers
    assert_output ""
}

@test "--systemd-cgroup: --help of create still prints the usage" {
    run "$BERTH" --systemd-cgroup create --help
    assert_success
    assert_line --index 0 --partial "Usage: berth create"
}

@test "--systemd-cgroup is accepted by the commands that act on an existing container" {
    make_busybox_bundle "$B" sleep 100
    run berth_create sd4 "$B"
    assert_success
    run berth_cmd_t --systemd-cgroup start sd4
    assert_success
    run berth_cmd_t --systemd-cgroup state sd4
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" running
    run berth_cmd_t --systemd-cgroup list -q
    assert_success
    assert_line sd4
    run berth_cmd_t --systemd-cgroup ps --format json sd4
    assert_success
    [ "$(jq length <<<"$output")" -ge 1 ]
    run berth_cmd_t --systemd-cgroup kill sd4 KILL
    assert_success
    wait_for_status sd4 stopped
    run berth_cmd_t --systemd-cgroup delete sd4
    assert_success
    run berth_cmd_t --systemd-cgroup delete --force sd4
    assert_success
    run state_root_leftovers
    assert_output ""
}

# Rootless podman runs its runtime as uid 0 of a user namespace it made for
# the user, with the user's $XDG_RUNTIME_DIR and no --root.  Which state root
# berth picked shows in its error when that root is a file, not a directory.
@test "root in a user namespace keeps its state in \$XDG_RUNTIME_DIR/berth, as runc does" {
    command -v unshare >/dev/null || skip "unshare is not installed"
    unshare --user --map-root-user true 2>/dev/null || skip "cannot create a user namespace here"
    mkdir -p "$TMP/xdg"
    touch "$TMP/xdg/berth"
    run unshare --user --map-root-user env XDG_RUNTIME_DIR="$TMP/xdg" USER=someone \
        "$BERTH" list -q
    assert_failure
    assert_output "berth: state root '$TMP/xdg/berth': Not a directory"
    rm "$TMP/xdg/berth"
    mkdir -p "$TMP/xdg/berth"
    run unshare --user --map-root-user env XDG_RUNTIME_DIR="$TMP/xdg" USER=someone \
        "$BERTH" list --format json
    assert_success
    assert_output "[]"
    # --root still wins.
    touch "$TMP/other"
    run unshare --user --map-root-user env XDG_RUNTIME_DIR="$TMP/xdg" USER=someone \
        "$BERTH" --root "$TMP/other" list -q
    assert_failure
    assert_output "berth: state root '$TMP/other': Not a directory"
}

@test "root in a user namespace with USER=root or no \$XDG_RUNTIME_DIR keeps /run/berth" {
    command -v unshare >/dev/null || skip "unshare is not installed"
    unshare --user --map-root-user true 2>/dev/null || skip "cannot create a user namespace here"
    mkdir -p "$TMP/xdg"
    touch "$TMP/xdg/berth"
    # /run/berth may or may not be usable in the new user namespace (it is
    # when real root maps itself); either way it is the one berth took.
    run unshare --user --map-root-user env XDG_RUNTIME_DIR="$TMP/xdg" USER=root "$BERTH" list -q
    refute_output --partial "$TMP/xdg"
    [ "$status" -eq 0 ] || assert_output --partial "/run/berth"
    run unshare --user --map-root-user env -u XDG_RUNTIME_DIR USER=someone "$BERTH" list -q
    refute_output --partial "$TMP/xdg"
    [ "$status" -eq 0 ] || assert_output --partial "/run/berth"
}

@test "real root keeps /run/berth; an unprivileged user keeps \$XDG_RUNTIME_DIR/berth" {
    mkdir -p "$TMP/xdg"
    chmod 0700 "$TMP/xdg"
    touch "$TMP/xdg/berth"
    run env XDG_RUNTIME_DIR="$TMP/xdg" USER=someone "$BERTH" list -q
    if is_root; then
        refute_output --partial "$TMP/xdg"
    else
        assert_failure
        assert_output "berth: state root '$TMP/xdg/berth': Not a directory"
    fi
}

# conmon stops a container with `kill ID 15`, then `kill ID 9`, and removes
# it with `delete --force ID`; containerd's shim uses `kill --all` for
# containers that share a pid namespace.
@test "engine stop sequence: kill by number, kill --all, delete --force of a running container" {
    make_busybox_bundle "$B" sh -c 'trap "" TERM; sleep 100 & sleep 100 & echo ready; wait'
    run berth_create st1 "$B"
    assert_success
    run berth_cmd_t start st1
    assert_success
    wait_for_line "$TMP/st1.out" ready
    local pid
    pid=$(state_of st1 .pid)
    run berth_cmd_t ps --format json st1
    assert_success
    [ "$(jq length <<<"$output")" -eq 3 ]
    # TERM is ignored by init...
    run berth_cmd_t kill st1 15
    assert_success
    sleep 0.2
    assert_equal "$(state_of st1)" running
    # ... KILL to every process ends it.
    run berth_cmd_t kill --all st1 9
    assert_success
    wait_for_status st1 stopped
    run berth_cmd_t ps --format json st1
    assert_success
    assert_equal "$(jq length <<<"$output")" 0
    run berth_cmd_t delete --force st1
    assert_success
    run state_root_leftovers
    assert_output ""
    local st
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    [[ $st == gone || $st == Z ]]
}

@test "delete --force of a running container kills every process and leaves nothing" {
    make_busybox_bundle "$B" sh -c 'sleep 100 & echo ready; exec sleep 100'
    run berth_create st2 "$B"
    assert_success
    run berth_cmd_t start st2
    assert_success
    wait_for_line "$TMP/st2.out" ready
    local pids
    pids=$(berth_cmd_t ps --format json st2 | jq -r '.[]')
    [ "$(wc -w <<<"$pids")" -eq 2 ]
    run berth_cmd_t delete --force st2
    assert_success
    run berth_cmd_t state st2
    assert_failure
    local p st
    for p in $pids; do
        st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo gone)
        [[ $st == gone || $st == Z ]] || fail "process $p of st2 is still there ($st)"
    done
    run state_root_leftovers
    assert_output ""
}

@test "run passes a signal death through as 128+N, as conmon reports it" {
    make_busybox_bundle "$B" sh -c 'sleep 100 & kill -KILL $!; wait $!; exit $?'
    run berth_run sr1 "$B"
    assert_equal "$status" 137
    # init itself killed by a signal from outside.
    make_busybox_bundle "$TMP/b2" sleep 100
    (cd "$TMP/b2" && exec setsid "$BERTH" --root "$ROOT" run sr2 </dev/null >/dev/null 2>&1) &
    local runner=$!
    wait_for_status sr2 running
    run berth_cmd_t kill sr2 KILL
    assert_success
    # Not `run wait`: run's subshell is not the runner's parent, and its
    # wait would only see a status that bash had already collected.
    local rc=0
    wait "$runner" || rc=$?
    assert_equal "$rc" 137
}

#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# create, start, state, kill, delete (runtime.md "Operations" and
# "Lifecycle"): the status each step leaves, the errors of steps that are not
# allowed, and that nothing is left behind afterwards.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
}

teardown() {
    berth_cleanup
}

# A container whose init reports the signals it gets, one line each.
make_trap_bundle() {
    make_busybox_bundle "$B" sh -c 'for s in TERM USR1 USR2 HUP; do trap "echo got-$s" $s; done
        echo ready; while :; do sleep 0.05; done'
}

@test "create, state, start, kill and delete walk through created, running and stopped" {
    make_busybox_bundle "$B" sleep 100
    run berth_create c1 "$B"
    assert_success
    assert_output ""

    run berth_cmd_t state c1
    assert_success
    local pid
    pid=$(jq -r .pid <<<"$output")
    assert_equal "$(jq -r .status <<<"$output")" created
    assert_equal "$(jq -r .id <<<"$output")" c1
    assert_equal "$(jq -r .ociVersion <<<"$output")" 1.3.0
    assert_equal "$(jq -r .bundle <<<"$output")" "$(realpath "$B")"
    [[ "$(jq -r .bundle <<<"$output")" == /* ]]
    [ "$pid" -gt 0 ]
    [ -d "/proc/$pid" ]

    run berth_cmd_t start c1
    assert_success
    assert_output ""
    assert_equal "$(state_of c1)" running
    assert_equal "$(state_of c1 .pid)" "$pid"

    run berth_cmd_t kill c1 KILL
    assert_success
    wait_for_status c1 stopped
    assert_equal "$(state_of c1 .pid)" 0

    run berth_cmd_t delete c1
    assert_success
    assert_output ""
    run berth_cmd_t state c1
    assert_failure
    assert_output --partial "container 'c1' does not exist"
    [ -z "$(state_root_leftovers)" ]
}

@test "kill sends TERM by default, and signals by name, SIG name and number" {
    make_trap_bundle
    run berth_create k1 "$B"
    assert_success
    run berth_cmd_t start k1
    assert_success
    wait_for_line "$TMP/k1.out" ready

    run berth_cmd_t kill k1
    assert_success
    wait_for_line "$TMP/k1.out" got-TERM
    run berth_cmd_t kill k1 USR1
    assert_success
    wait_for_line "$TMP/k1.out" got-USR1
    run berth_cmd_t kill k1 SIGUSR2
    assert_success
    wait_for_line "$TMP/k1.out" got-USR2
    run berth_cmd_t kill k1 "$(kill -l HUP)"
    assert_success
    wait_for_line "$TMP/k1.out" got-HUP
    # Handled signals do not stop it.
    assert_equal "$(state_of k1)" running

    run berth_cmd_t kill k1 SIGKILL
    assert_success
    wait_for_status k1 stopped
    assert_equal "$(state_of k1 .pid)" 0
}

@test "kill with an unknown signal is a usage error and leaves the container alone" {
    make_busybox_bundle "$B" sleep 100
    run berth_create k2 "$B"
    assert_success
    run berth_cmd_t start k2
    assert_success
    for sig in FOO SIGFOO 0 99999 -9 ""; do
        run berth_cmd_t kill k2 "$sig"
        assert_failure 2
        assert_output --partial "unknown signal '$sig'"
    done
    assert_equal "$(state_of k2)" running
}

@test "kill of a stopped container fails and says so" {
    make_busybox_bundle "$B" true
    run berth_create k3 "$B"
    assert_success
    run berth_cmd_t start k3
    assert_success
    wait_for_status k3 stopped
    run berth_cmd_t kill k3 KILL
    assert_failure
    # runc's words, which containerd's shim maps to "already finished".
    assert_output "berth: kill 'k3': container not running"
}

@test "create of an existing id fails cleanly and leaves the first container intact" {
    make_busybox_bundle "$B" sleep 100
    run berth_create dup "$B"
    assert_success
    local pid created
    pid=$(state_of dup .pid)
    created=$(state_of dup .created)

    run berth_create dup "$B"
    assert_failure
    assert_output --partial "container 'dup' already exists"

    assert_equal "$(state_of dup)" created
    assert_equal "$(state_of dup .pid)" "$pid"
    assert_equal "$(state_of dup .created)" "$created"
    [ -d "/proc/$pid" ]
    # And it still starts.
    run berth_cmd_t start dup
    assert_success
    assert_equal "$(state_of dup)" running
}

@test "invalid container ids are rejected before anything is made" {
    make_busybox_bundle "$B" true
    local id
    for id in "" "a/b" ".." "." "../escape" "has space" "tab	id" "semi;colon" \
        "$(printf 'x%.0s' $(seq 1025))"; do
        run berth_create "$id" "$B"
        assert_failure
        assert_output --regexp "container id|invalid container id"
    done
    run berth_cmd_t list -q
    assert_output ""
    [ ! -e "$TMP/escape" ]
    [ -z "$(state_root_leftovers)" ]
    # Other commands check the id too and do not touch the paths.
    run berth_cmd_t state "../escape"
    assert_failure
    assert_output --partial "invalid container id"
    run berth_cmd_t delete --force "../x"
    assert_failure
    assert_output --partial "invalid container id"
}

@test "delete of a created container that never started kills its init" {
    make_busybox_bundle "$B" sleep 100
    run berth_create d1 "$B"
    assert_success
    local pid
    pid=$(state_of d1 .pid)
    [ "$pid" -gt 0 ]
    run berth_cmd_t delete d1
    assert_success
    run berth_cmd_t state d1
    assert_failure
    assert_output --partial "does not exist"
    # init is gone (or a zombie waiting for its reaper).
    local st
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    [[ "$st" == gone || "$st" == Z ]]
}

@test "delete of a running container needs --force" {
    make_busybox_bundle "$B" sleep 100
    run berth_create d2 "$B"
    assert_success
    run berth_cmd_t start d2
    assert_success
    local pid
    pid=$(state_of d2 .pid)

    run berth_cmd_t delete d2
    assert_failure
    assert_output --partial "delete 'd2': container is running"
    assert_equal "$(state_of d2)" running

    run berth_cmd_t delete --force d2
    assert_success
    run berth_cmd_t state d2
    assert_failure
    assert_output --partial "does not exist"
    local st
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
    [[ "$st" == gone || "$st" == Z ]]
    # Deleting it again is an error: it no longer exists.
    run berth_cmd_t delete d2
    assert_failure
    assert_output --partial "does not exist"
}

@test "start of a running or a stopped container fails and changes nothing" {
    make_trap_bundle
    run berth_create s1 "$B"
    assert_success
    run berth_cmd_t start s1
    assert_success
    wait_for_line "$TMP/s1.out" ready
    local pid
    pid=$(state_of s1 .pid)

    run berth_cmd_t start s1
    assert_failure
    assert_output --partial "start 's1': container is running, not created"
    assert_equal "$(state_of s1)" running
    assert_equal "$(state_of s1 .pid)" "$pid"
    [ "$(grep -c ready "$TMP/s1.out")" -eq 1 ]

    run berth_cmd_t kill s1 KILL
    wait_for_status s1 stopped
    run berth_cmd_t start s1
    assert_failure
    assert_output --partial "container is stopped, not created"
}

@test "a created container's init holds none of the caller's fds past stdio" {
    make_busybox_bundle "$B" sleep 100
    # A pipe the caller reads to EOF: an init that kept it would block the
    # reader until start (bats itself hangs on its fd 3 like that).
    exec 7>"$TMP/held"
    run berth_create f1 "$B"
    exec 7>&-
    assert_success
    local pid
    pid=$(state_of f1 .pid)
    run ls -l "/proc/$pid/fd/"
    assert_success
    refute_output --partial "$TMP/held"
    # The same through a pipe on fd 9 that cat reads to EOF.
    run timeout 5 bash -c "(cd '$B' && setsid -w '$BERTH' --root '$ROOT' create f2 \
        </dev/null >/dev/null 2>&1) 9>&1 | cat"
    assert_success
    assert_equal "$(state_of f2)" created
}

@test "start, state, kill and delete of an unknown container fail" {
    for cmd in start state "kill" delete; do
        run berth_cmd_t $cmd nosuch
        assert_failure
        assert_output --partial "container 'nosuch' does not exist"
    done
}

@test "--pid-file gets init's pid" {
    make_busybox_bundle "$B" sleep 100
    run berth_create p1 "$B" --pid-file "$TMP/p1.pid"
    assert_success
    [ -f "$TMP/p1.pid" ]
    assert_equal "$(cat "$TMP/p1.pid")" "$(state_of p1 .pid)"
    # Relative to the caller's directory (berth_create runs in the bundle).
    run berth_create p2 "$B" --pid-file p2.pid
    assert_success
    assert_equal "$(cat "$B/p2.pid")" "$(state_of p2 .pid)"
    # A pid file that cannot be written fails the create and leaves nothing.
    run berth_create p3 "$B" --pid-file "$TMP/no/such/dir/p3.pid"
    assert_failure
    assert_output --partial "--pid-file '$TMP/no/such/dir/p3.pid'"
    run berth_cmd_t state p3
    assert_failure
    assert_output --partial "does not exist"
    [ -z "$(pgrep -f "$ROOT create p3")" ]
}

@test "concurrent creates of the same id: exactly one wins" {
    make_busybox_bundle "$B" sleep 100
    local i pids=() ok=0 exists=0
    for i in 1 2 3 4 5 6; do
        berth_create race "$B" >"$TMP/race.$i" 2>&1 &
        pids+=($!)
    done
    for i in 1 2 3 4 5 6; do
        if wait "${pids[$((i - 1))]}"; then
            ok=$((ok + 1))
        elif grep -q "container 'race' already exists" "$TMP/race.$i"; then
            exists=$((exists + 1))
        else
            cat "$TMP/race.$i"
        fi
    done
    assert_equal "$ok" 1
    assert_equal "$exists" 5
    assert_equal "$(state_of race)" created
    run berth_cmd_t list -q
    assert_output race
    run berth_cmd_t start race
    assert_success
}

@test "100 create-start-state-kill-delete cycles leave no state, mount or process" {
    make_busybox_bundle "$B" sleep 100
    local before i
    before=$(mount_snapshot)
    cd "$B"
    # --no-new-keyring: each session keyring counts against the user's key
    # quota (200 keys for a non-root uid) until the exited init is reaped,
    # and the pid 1 of a rootless leg of tests/run-bats does not reap.
    for i in $(seq 100); do
        timeout 10 setsid -w "$BERTH" --root "$ROOT" create --no-new-keyring "cyc$i" \
            </dev/null >"$TMP/cyc.out" 2>&1 ||
            fail "create cyc$i: $(cat "$TMP/cyc.out")"
        timeout 10 "$BERTH" --root "$ROOT" start "cyc$i" || fail "start cyc$i"
        [ "$(state_of "cyc$i")" = running ] || fail "cyc$i is not running"
        timeout 10 "$BERTH" --root "$ROOT" kill "cyc$i" KILL || fail "kill cyc$i"
        wait_for_status "cyc$i" stopped || fail "cyc$i did not stop"
        timeout 10 "$BERTH" --root "$ROOT" delete "cyc$i" || fail "delete cyc$i"
    done
    [ -z "$(state_root_leftovers)" ] || fail "state root not empty: $(state_root_leftovers)"
    assert_equal "$(mount_snapshot)" "$before"
    run pgrep -f -- "--root $ROOT"
    assert_failure
}

# After a failed run or create of ID: no container, no state directory, no
# new mount, no process left.  $1 = ID, $2 = mount_snapshot from before.
assert_nothing_left() {
    local id=$1 before=$2
    run berth_cmd_t list -q
    assert_success
    assert_output ""
    [ ! -e "$ROOT/$id" ] || fail "state directory '$ROOT/$id' is left"
    assert_equal "$(mount_snapshot)" "$before"
    # Every berth process of this test (and init before its exec) has
    # --root $ROOT on its command line.
    run pgrep -f -- "--root $ROOT"
    assert_failure
}

@test "a failing mount leaves nothing behind" {
    local before i
    before=$(mount_snapshot)
    make_busybox_bundle "$B" sleep 100
    i=$(jq '.mounts | length' "$B/config.json")
    update_config "$B" '.mounts += [{destination: "/x", type: "bind", source: "/no/such/source", options: ["rbind"]}]'
    run berth_run fm "$B"
    assert_failure
    assert_output --partial "create 'fm': mounts[$i] (destination \"/x\"): source '/no/such/source'"
    assert_nothing_left fm "$before"
}

@test "a missing rootfs leaves nothing behind" {
    local before
    before=$(mount_snapshot)
    make_busybox_bundle "$B" true
    update_config "$B" '.root.path = "no-such-rootfs"'
    run berth_run fr "$B"
    assert_failure
    assert_output --partial "root.path 'no-such-rootfs': No such file or directory"
    assert_nothing_left fr "$before"
}

@test "a bad namespace path leaves nothing behind" {
    local before i
    before=$(mount_snapshot)
    make_busybox_bundle "$B" true
    i=$(jq '.linux.namespaces | map(.type) | index("uts")' "$B/config.json")
    update_config "$B" --argjson i "$i" '.linux.namespaces[$i].path = "/no/such/ns"'
    run berth_run fn "$B"
    assert_failure
    assert_output --partial "linux.namespaces[$i].path '/no/such/ns': No such file or directory"
    assert_nothing_left fn "$before"
}

@test "a process that cannot be executed leaves nothing behind after run" {
    local before
    before=$(mount_snapshot)
    make_busybox_bundle "$B" /bin/no-such-binary arg
    run berth_run fx "$B"
    assert_failure
    assert_output --partial "process.args[0]: exec '/bin/no-such-binary': no such file or directory"
    assert_nothing_left fx "$before"
}

@test "a missing program fails create, as runc's does, and leaves nothing behind" {
    local before
    before=$(mount_snapshot)
    make_busybox_bundle "$B" /bin/no-such-binary
    run berth_create fs "$B"
    assert_failure
    assert_output --partial "create 'fs'"
    assert_output --partial "process.args[0]: exec '/bin/no-such-binary': no such file or directory"
    assert_nothing_left fs "$before"
    # Relative to process.cwd; a directory is not a program.
    update_config "$B" '.process.cwd = "/bin" | .process.args = ["./no-such"]'
    run berth_create fs "$B"
    assert_failure
    assert_output --partial "process.args[0]: exec './no-such': no such file or directory"
    update_config "$B" '.process.args = ["/bin"]'
    run berth_create fs "$B"
    assert_failure
    assert_output --partial "process.args[0]: exec '/bin': permission denied (a directory)"
    printf 'x\n' >"$B/rootfs/notes"
    chmod 644 "$B/rootfs/notes"
    update_config "$B" '.process.args = ["/notes"]'
    run berth_create fs "$B"
    assert_failure
    assert_output --partial "process.args[0]: exec '/notes': permission denied (mode 0644)"
    assert_nothing_left fs "$before"
}

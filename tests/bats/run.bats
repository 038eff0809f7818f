#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth run: create + start + wait + delete in one.  The exit status passes
# through (128+N for a death by signal N, as a shell reports it), signals to
# berth reach the container, stdio is the container's, --detach returns at
# once.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr, run -N

setup() {
    setup_tmp
    B="$TMP/bundle"
}

teardown() {
    # A `berth run` started in the background by a test, if still there.
    if [ -n "${RUN_PID:-}" ] && [ "$RUN_PID" -gt 0 ]; then
        kill -KILL "$RUN_PID" 2>/dev/null || true
    fi
    berth_cleanup
}

# Start `berth run ID` in the background of the test, in a session of its
# own, with its output in $TMP/ID.out; sets RUN_PID to berth's pid.
run_in_background() {
    local id=$1
    cd "$B"
    # env and setsid exec berth (the background job is no group leader), so
    # $! is berth's pid.
    # A background job of a shell without job control starts with SIGINT
    # and SIGQUIT ignored, and an ignored signal is never forwarded: reset
    # them.
    env --default-signal=INT,QUIT setsid "$BERTH" --root "$ROOT" run "$id" \
        </dev/null >"$TMP/$id.out" 2>&1 &
    RUN_PID=$!
    cd - >/dev/null
}

# Wait (up to 5 s) for RUN_PID to exit; its exit status in RUN_STATUS.
wait_run() {
    local i
    for i in $(seq 100); do
        kill -0 "$RUN_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$RUN_PID" 2>/dev/null && {
        echo "berth run (pid $RUN_PID) still runs after 5 s: killing it" >&2
        kill -KILL "$RUN_PID"
    }
    RUN_STATUS=0
    wait "$RUN_PID" || RUN_STATUS=$?
    RUN_PID=
}

# No pid namespace, and the host's /proc bound in its place (a new proc
# mount needs a pid namespace of our own in a user namespace): the process
# is not a pid 1, which ignores signals it has no handler for.
drop_pidns() {
    update_config "$B" '.linux.namespaces |= map(select(.type != "pid"))
        | .mounts |= map(if .destination == "/proc"
            then {destination: "/proc", type: "bind", source: "/proc", options: ["rbind", "nosuid", "noexec", "nodev"]}
            else . end)'
}

@test "run passes the exit status through and deletes the container" {
    make_busybox_bundle "$B" sh -c 'exit 3'
    run -3 berth_run r1 "$B"
    assert_output ""
    set_args "$B" true
    run berth_run r2 "$B"
    assert_success
    set_args "$B" sh -c 'exit 255'
    run -255 berth_run r3 "$B"
    run berth_cmd_t list -q
    assert_output ""
    [ -z "$(state_root_leftovers)" ]
}

@test "run of a process killed by signal N exits 128+N" {
    make_busybox_bundle "$B" sh -c 'kill -9 $$'
    drop_pidns
    run -137 berth_run sig1 "$B"
    set_args "$B" sh -c 'kill -SEGV $$'
    run -139 berth_run sig2 "$B"
    run berth_cmd_t list -q
    assert_output ""
}

@test "run of a container killed with berth kill exits 137" {
    make_busybox_bundle "$B" sh -c 'echo ready; exec sleep 100'
    run_in_background k1
    wait_for_line "$TMP/k1.out" ready
    wait_for_status k1 running
    run berth_cmd_t kill k1 KILL
    assert_success
    wait_run
    assert_equal "$RUN_STATUS" 137
    run berth_cmd_t list -q
    assert_output ""
}

@test "SIGTERM and SIGINT to berth run are forwarded to the container" {
    make_busybox_bundle "$B" sh -c 'trap "echo got-term; exit 42" TERM
        trap "echo got-int; exit 43" INT
        echo ready; while :; do sleep 0.05; done'
    run_in_background t1
    wait_for_line "$TMP/t1.out" ready
    kill -TERM "$RUN_PID"
    wait_run
    assert_equal "$RUN_STATUS" 42
    run cat "$TMP/t1.out"
    assert_output "ready
got-term"

    run_in_background t2
    wait_for_line "$TMP/t2.out" ready
    kill -INT "$RUN_PID"
    wait_run
    assert_equal "$RUN_STATUS" 43
    run cat "$TMP/t2.out"
    assert_output "ready
got-int"
    run berth_cmd_t list -q
    assert_output ""
}

@test "run --detach returns at once and leaves the container running" {
    make_busybox_bundle "$B" sh -c 'echo started; exec sleep 100'
    local start=$SECONDS rc=0
    # Not through `run`: the container would hold its output pipe open.
    (cd "$B" && timeout 10 setsid -w "$BERTH" --root "$ROOT" run --detach d1 \
        </dev/null >"$TMP/d1.out" 2>&1) || rc=$?
    assert_equal "$rc" 0
    [ $((SECONDS - start)) -lt 5 ]
    assert_equal "$(state_of d1)" running
    wait_for_line "$TMP/d1.out" started
    # -d is the short form.
    (cd "$B" && timeout 10 setsid -w "$BERTH" --root "$ROOT" run -d d2 \
        </dev/null >"$TMP/d2.out" 2>&1) || rc=$?
    assert_equal "$rc" 0
    assert_equal "$(state_of d2)" running
    run berth_cmd_t list -q
    assert_output "d1
d2"
    run berth_cmd_t delete --force d1
    assert_success
}

@test "run passes stdout and stderr through, apart" {
    make_busybox_bundle "$B" sh -c 'echo to-out; echo to-err >&2; echo more-out'
    run --separate-stderr berth_run o1 "$B"
    assert_success
    assert_output "to-out
more-out"
    assert_equal "$stderr" "to-err"
}

@test "run passes stdin through" {
    make_busybox_bundle "$B" cat
    run bash -c "echo data | (cd '$B' && timeout 20 setsid -w '$BERTH' --root '$ROOT' run i1)"
    assert_success
    assert_output data

    # Binary and larger than a pipe buffer, both ways.
    head -c 300000 /dev/urandom >"$TMP/blob"
    (cd "$B" && timeout 20 setsid -w "$BERTH" --root "$ROOT" run i2 <"$TMP/blob" >"$TMP/blob.out")
    cmp "$TMP/blob" "$TMP/blob.out"

    set_args "$B" sh -c 'read line; echo "got:$line"'
    run bash -c "printf 'hello world\n' | (cd '$B' && timeout 20 setsid -w '$BERTH' --root '$ROOT' run i3)"
    assert_success
    assert_output "got:hello world"
}

@test "run --keep leaves the stopped container for state and delete" {
    make_busybox_bundle "$B" sh -c 'exit 7'
    cd "$B"
    run -7 timeout 20 setsid -w "$BERTH" --root "$ROOT" run --keep kp </dev/null
    cd - >/dev/null
    assert_equal "$(state_of kp)" stopped
    run berth_cmd_t delete kp
    assert_success
    run berth_cmd_t list -q
    assert_output ""
}

@test "run of a process that cannot start fails, names it, and leaves nothing" {
    make_busybox_bundle "$B" /no/such/program
    run berth_run bad1 "$B"
    assert_failure
    assert_output --partial "bad1"
    assert_output --partial "/no/such/program"
    run berth_cmd_t list -q
    assert_output ""
    [ -z "$(state_root_leftovers)" ]
    set_args "$B" nosuchcommand
    run berth_run bad2 "$B"
    assert_failure
    assert_output --partial 'process.args[0]: executable "nosuchcommand" not found in $PATH'
    run berth_cmd_t list -q
    assert_output ""
}

#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# SCMP_ACT_NOTIFY with listenerPath and listenerMetadata (config-linux.md
# "Seccomp" and "The Container Process State"): `berth start` hands the
# listener fd to the agent at listenerPath with the container process
# state, and the agent answers the notified syscalls.  The agent is
# tests/helpers/seccomp-agent; it runs as the leg's user, like berth.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    AGENT="${BERTH_BUILD:-$(dirname "$BERTH")}/tests/helpers/seccomp-agent"
    [ -x "$AGENT" ] || skip "no $AGENT: build it with make (make bats builds the helpers)"
    SOCK="$TMP/agent.sock"
    AGENT_PID=
    make_busybox_bundle "$B" sh -c 'mkdir /tmp/made; echo "mkdir=$?"; [ -d /tmp/made ] && echo exists || echo absent'
    # mkdir and mkdirat go to the agent; everything else is allowed.
    update_config "$B" --arg p "$SOCK" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "listenerPath": $p, "listenerMetadata": "berth-test-metadata",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
}

teardown() {
    berth_cleanup
    if [ -n "$AGENT_PID" ] && [ "$AGENT_PID" -gt 0 ]; then
        kill "$AGENT_PID" 2>/dev/null || true
        wait "$AGENT_PID" 2>/dev/null || true
    fi
}

# Start the agent in the background (ARGS for it, e.g. -e 95) and wait
# until it listens (the socket's name appears only then).
start_agent() {
    "$AGENT" -t 20 "$@" "$SOCK" "$TMP/state.json" >"$TMP/agent.out" 2>&1 &
    AGENT_PID=$!
    local i
    for i in $(seq 100); do
        [ -S "$SOCK" ] && return 0
        sleep 0.05
    done
    fail "the agent did not listen: $(cat "$TMP/agent.out")"
}

# Wait (up to 5 s) for the agent to exit; its status.
wait_agent() {
    local i
    for i in $(seq 100); do
        kill -0 "$AGENT_PID" 2>/dev/null || break
        sleep 0.05
    done
    local rc=0
    wait "$AGENT_PID" || rc=$?
    AGENT_PID=
    return $rc
}

@test "seccomp notify: the agent gets the listener and the container process state" {
    start_agent -e 95
    run berth_create n1 "$B"
    assert_success
    local pid
    pid=$(state_of n1 .pid)
    run berth_cmd start n1
    assert_success
    wait_for_status n1 stopped
    # The agent answered mkdir with EOPNOTSUPP (95).
    run cat "$TMP/n1.out"
    assert_line --partial "can't create directory '/tmp/made': Operation not supported"
    assert_line "mkdir=1"
    assert_line "absent"
    run wait_agent
    assert_success
    assert_output ""
    run grep -E '^mkdir(at)? 95$' "$TMP/agent.out"
    assert_success
    # config-linux.md "The Container Process State".
    run jq -c --argjson pid "$pid" --arg b "$(realpath "$B")" '[.ociVersion, .fds, .pid == $pid,
        .metadata, .state.id, .state.status, .state.pid == $pid, .state.bundle == $b,
        .state.ociVersion]' "$TMP/state.json"
    assert_output '["1.3.0",["seccompFd"],true,"berth-test-metadata","n1","created",true,true,"1.3.0"]'
}

@test "seccomp notify: berth run, and an agent that answers success without doing anything" {
    start_agent
    run berth_run n2 "$B"
    assert_success
    assert_output "mkdir=0
absent"
    run wait_agent
    assert_success
}

@test "seccomp notify: the filter is loaded without noNewPrivileges too" {
    update_config "$B" '.process.noNewPrivileges = false'
    start_agent -e 95
    run berth_run n3 "$B"
    assert_success
    assert_line "mkdir=1"
    run wait_agent
    assert_success
}

@test "seccomp notify: no agent listening fails start clearly, and start works once it listens" {
    # A socket nobody listens on: connect is refused.
    "$AGENT" -b "$SOCK"
    run berth_create n4 "$B"
    assert_success
    run berth_cmd start n4
    assert_failure
    assert_output "berth: start 'n4': linux.seccomp.listenerPath '$SOCK': connect to the seccomp agent: Connection refused"
    # start had no effect: the container is still created, and can start.
    assert_equal "$(state_of n4)" created
    start_agent -e 95
    run berth_cmd start n4
    assert_success
    wait_for_status n4 stopped
    run cat "$TMP/n4.out"
    assert_line "mkdir=1"
}

@test "seccomp notify: berth run with no agent listening leaves nothing behind" {
    "$AGENT" -b "$SOCK"
    run berth_run n5 "$B"
    assert_failure
    assert_output --partial "linux.seccomp.listenerPath '$SOCK': connect to the seccomp agent: Connection refused"
    run berth_cmd list -q
    assert_success
    assert_output ""
    [ -z "$(state_root_leftovers)" ]
}

@test "seccomp notify: a listenerPath that does not exist fails create" {
    run berth_run n6 "$B"
    assert_failure
    assert_output "berth: config.json: linux.seccomp.listenerPath '$SOCK': No such file or directory"
    run berth_cmd list -q
    assert_output ""
    [ -z "$(state_root_leftovers)" ]
}

@test "seccomp notify: SCMP_ACT_NOTIFY on sendmsg or as the default action is refused" {
    "$AGENT" -b "$SOCK"
    update_config "$B" '.linux.seccomp.syscalls += [{"names": ["getpid", "sendmsg"], "action": "SCMP_ACT_NOTIFY"}]'
    run berth_run n7 "$B"
    assert_failure
    assert_output --partial "linux.seccomp.syscalls[1].names[1]: SCMP_ACT_NOTIFY on 'sendmsg' is not supported"
    update_config "$B" '.linux.seccomp.defaultAction = "SCMP_ACT_NOTIFY"'
    run berth_run n7 "$B"
    assert_failure
    assert_output --partial "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"
    run berth_cmd list -q
    assert_output ""
}

@test "seccomp notify: berth check reports what create would refuse" {
    "$AGENT" -b "$SOCK"
    update_config "$B" '.linux.seccomp.syscalls += [{"names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY"}]'
    cd "$B"
    run berth_cmd check
    assert_failure
    assert_line "error: config.json: linux.seccomp.syscalls[1].names[0]: SCMP_ACT_NOTIFY on 'sendmsg' is not supported: init hands the notify fd over with it, so the agent could never answer"
}

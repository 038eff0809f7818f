#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd drives berth: ctr with the runc shim (io.containerd.runc.v2)
# and berth as its runc binary, against a private containerd
# (containerd-helpers.bash).  As root only.

load engine-helpers
load containerd-helpers

setup_file() {
    ctrd_setup_file
}

teardown_file() {
    ctrd_teardown_file
}

setup() {
    ctrd_setup
}

teardown() {
    # A failed test must not leave its containers to the next one.
    local id
    [ -z "${CTRD_SKIP:-}" ] || return 0
    for id in $(ctrd containers ls -q 2>/dev/null); do
        ctrd tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1
        ctrd tasks rm -f "$id" >/dev/null 2>&1
        ctrd containers rm "$id" >/dev/null 2>&1
    done
}

# Every line of $1 is one JSON object with the fields containerd's shim
# decodes (level, msg, and a time Go parses as RFC 3339).
assert_json_log() {
    local file=$1
    [ -s "$file" ] || fail "log '$file' is empty"
    run jq -e -s 'all(.[]; (.level | type) == "string" and (.msg | type) == "string"
        and (.time | type) == "string"
        and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")))' "$file"
    assert_success
}

@test "ctr run --rm: output and exit status pass through" {
    run ctrd run "${CTRD_RUN[@]}" --rm "$CTRD_IMAGE" rm1 sh -c 'echo hello from the container; exit 3'
    assert_equal "$status" 3
    assert_output "hello from the container"
    ctrd_assert_clean rm1
}

@test "ctr run --rm: the image's Cmd, status 0" {
    run ctrd run "${CTRD_RUN[@]}" --rm "$CTRD_IMAGE" cmd1
    assert_success
    assert_output "hello from berth"
    ctrd_assert_clean cmd1
}

@test "the shim passes --root, --log and --log-format json; berth's log is JSON lines" {
    ctrd_run_flags "$T/berth-wrapper"
    run ctrd run "${CTRD_RUN[@]}" --rm "$CTRD_IMAGE" flags1 true
    assert_success
    local bundle="$T/state/io.containerd.runtime.v2.task/$CTRD_NS/flags1"
    local globals="--root $T/runc/$CTRD_NS --log $bundle/log.json --log-format json"
    run cat "$T/argv.log"
    assert_line "$globals create --bundle $bundle --pid-file $bundle/init.pid flags1"
    assert_line "$globals start flags1"
    assert_line --regexp "^$globals delete( --force)? flags1\$"
    # No --systemd-cgroup unless asked for.
    refute_output --partial -- "--systemd-cgroup"
    ctrd_assert_clean flags1
}

@test "a failing run surfaces berth's error through ctr, from berth's JSON log" {
    ctrd_run_flags "$T/berth-wrapper"
    run ctrd run "${CTRD_RUN[@]}" --rm "$CTRD_IMAGE" fail1 /no/such/binary
    assert_failure
    # At create, as with runc: after a failed start, ctr's deferred task
    # delete races the shim's reaping of init and can find the task still
    # "created", which it refuses to delete, leaving task and container.
    assert_output --partial "OCI runtime create failed"
    # The shim takes the message from the last "error" line of --log.
    assert_output --partial "exec '/no/such/binary': no such file or directory"
    local ctr_output=$output msg
    assert_json_log "$T/logs/fail1.json"
    msg=$(jq -r -s '[.[] | select(.level == "error")] | last | .msg' "$T/logs/fail1.json")
    [ -n "$msg" ] && [ "$msg" != null ]
    assert_equal "$(grep -cF -- "$msg" <<<"$ctr_output")" 1
    ctrd_assert_clean fail1
}

@test "a bad config fails at create with berth's message naming the JSON path" {
    ctrd_run_flags "$T/berth-wrapper"
    run ctrd run "${CTRD_RUN[@]}" --rm --cwd relative/dir "$CTRD_IMAGE" cfg1 true
    assert_failure
    assert_output --partial "process.cwd"
    assert_output --partial "OCI runtime create failed"
    assert_json_log "$T/logs/cfg1.json"
    ctrd_assert_clean cfg1
}

@test "ctr run -d, task ls, task ps, berth state, kill -s KILL, task rm, container rm" {
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" det1 sleep 1000
    ctrd_wait_status det1 RUNNING
    local pid
    pid=$(ctrd_task_pid det1)
    [ "$pid" -gt 0 ]
    run ctrd tasks ps det1
    assert_success
    assert_line --regexp "^$pid +"
    # The state the shim's go-runc decodes (runc's Container struct).
    run "$BERTH" --root "$T/runc/$CTRD_NS" state det1
    assert_success
    run jq -e --argjson pid "$pid" '.id == "det1" and .pid == $pid and .status == "running"
        and (.bundle | endswith("/berth-test/det1")) and (.rootfs | type) == "string"
        and (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\\.[0-9]+)?Z$"))
        and ((.annotations // {}) | type) == "object"' <<<"$output"
    assert_success
    ctrd tasks kill -s SIGKILL det1
    ctrd_wait_status det1 STOPPED
    run ctrd tasks rm det1
    assert_success
    assert_output --partial "exit code 137"
    ctrd containers rm det1
    ctrd_assert_clean det1 "$pid"
    # Shims of other containerd versions ask `state` for the status and
    # take "does not exist" for stopped.
    run "$BERTH" --root "$T/runc/$CTRD_NS" state det1
    assert_failure
    assert_output --partial "does not exist"
}

@test "ctr task kill: default SIGTERM, and -s reaches the container's init" {
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" kill1 \
        sh -c 'trap "exit 7" USR1; trap "exit 8" TERM; while :; do sleep 0.1; done'
    ctrd_wait_status kill1 RUNNING
    local pid
    pid=$(ctrd_task_pid kill1)
    ctrd tasks kill -s SIGUSR1 kill1
    ctrd_wait_status kill1 STOPPED
    run ctrd tasks rm kill1
    assert_output --partial "exit code 7"
    ctrd containers rm kill1
    ctrd_assert_clean kill1 "$pid"

    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" kill2 \
        sh -c 'trap "exit 7" USR1; trap "exit 8" TERM; while :; do sleep 0.1; done'
    ctrd_wait_status kill2 RUNNING
    pid=$(ctrd_task_pid kill2)
    ctrd tasks kill kill2
    ctrd_wait_status kill2 STOPPED
    run ctrd tasks rm kill2
    assert_output --partial "exit code 8"
    ctrd containers rm kill2
    ctrd_assert_clean kill2 "$pid"
}

@test "ctr task kill of a stopped task: 'process already finished' (not found)" {
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" gone1 true
    ctrd_wait_status gone1 STOPPED
    # The shim maps runc's "container not running" to NotFound; anything
    # else is an "unknown error after kill" and breaks kill-then-delete.
    run ctrd tasks kill -s SIGKILL gone1
    assert_failure
    assert_output --partial "process already finished"
    refute_output --partial "unknown error after kill"
    ctrd tasks rm gone1
    ctrd containers rm gone1
    ctrd_assert_clean gone1
}

@test "ctr task kill -a: kill --all reaches every process" {
    requires_berth_exec
    ctrd_run_flags "$T/berth-wrapper"
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" all1 sh -c 'trap "" TERM; while :; do sleep 0.1; done'
    ctrd_wait_status all1 RUNNING
    local pid
    pid=$(ctrd_task_pid all1)
    ctrd tasks exec -d --fifo-dir "$T/fifo" --exec-id bg all1 sleep 1000
    run ctrd tasks ps all1
    assert_line --partial "ExecID:bg"
    ctrd tasks kill -a -s SIGKILL all1
    ctrd_wait_status all1 STOPPED
    run grep -c -- " kill --all all1 9\$" "$T/argv.log"
    assert_output 1
    run ctrd tasks rm all1
    assert_output --partial "exit code 137"
    ctrd containers rm all1
    ctrd_assert_clean all1 "$pid"
}

@test "ctr task exec: output, exit status, --cwd, --user" {
    requires_berth_exec
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" exec1 sleep 1000
    ctrd_wait_status exec1 RUNNING
    local pid
    pid=$(ctrd_task_pid exec1)
    run ctrd tasks exec --fifo-dir "$T/fifo" --exec-id e1 exec1 sh -c 'echo in exec; exit 5'
    assert_equal "$status" 5
    assert_output "in exec"
    run ctrd tasks exec --fifo-dir "$T/fifo" --exec-id e2 --cwd /etc --user 1000 exec1 sh -c 'pwd; id -u'
    assert_success
    assert_output "/etc
1000"
    ctrd tasks kill -s SIGKILL exec1
    ctrd_wait_status exec1 STOPPED
    ctrd tasks rm exec1
    ctrd containers rm exec1
    ctrd_assert_clean exec1 "$pid"
}

@test "ctr task exec of a missing binary surfaces berth's error" {
    requires_berth_exec
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" exec2 sleep 1000
    ctrd_wait_status exec2 RUNNING
    local pid
    pid=$(ctrd_task_pid exec2)
    run ctrd tasks exec --fifo-dir "$T/fifo" --exec-id bad exec2 /no/such/binary
    assert_failure
    assert_output --partial "OCI runtime exec failed"
    assert_output --partial "'/no/such/binary': No such file or directory"
    # The container is still there and running.
    assert_equal "$(ctrd_task_status exec2)" RUNNING
    ctrd tasks rm -f exec2
    ctrd containers rm exec2
    ctrd_assert_clean exec2 "$pid"
}

@test "ctr run -t and ctr task exec -t: a terminal from --console-socket" {
    ctrd_run_flags "$T/berth-wrapper"
    run script -qec "ctr --address $T/containerd.sock --namespace $CTRD_NS run ${CTRD_RUN[*]} -t --rm $CTRD_IMAGE tty1 sh -c 'tty; exit 4'" /dev/null </dev/null
    assert_equal "$status" 4
    assert_output --regexp "/dev/pts/[0-9]+"
    run grep -c -- " create --bundle .* --console-socket .* tty1\$" "$T/argv.log"
    assert_output 1
    ctrd_assert_clean tty1

    requires_berth_exec
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" tty2 sleep 1000
    ctrd_wait_status tty2 RUNNING
    local pid
    pid=$(ctrd_task_pid tty2)
    run script -qec "ctr --address $T/containerd.sock --namespace $CTRD_NS tasks exec -t --fifo-dir $T/fifo --exec-id t tty2 sh -c 'tty; exit 6'" /dev/null </dev/null
    assert_equal "$status" 6
    assert_output --regexp "/dev/pts/[0-9]+"
    run grep -c -- " exec --process .* --console-socket .* tty2\$" "$T/argv.log"
    assert_output 1
    ctrd tasks rm -f tty2
    ctrd containers rm tty2
    ctrd_assert_clean tty2 "$pid"
}

@test "ctr task pause and resume" {
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" pause1 sleep 1000
    ctrd_wait_status pause1 RUNNING
    local pid
    pid=$(ctrd_task_pid pause1)
    local cg
    cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
    if [ -z "$CG2" ] || [ ! -e "$CG2$cg/cgroup.freeze" ]; then
        ctrd tasks rm -f pause1
        ctrd containers rm pause1
        skip "berth freezes with cgroup v2's cgroup.freeze, and '$CG2$cg' has none here"
    fi
    ctrd tasks pause pause1
    ctrd_wait_status pause1 PAUSED
    assert_equal "$(cat "$CG2$cg/cgroup.freeze")" 1
    run "$BERTH" --root "$T/runc/$CTRD_NS" state pause1
    run jq -r .status <<<"$output"
    assert_output paused
    ctrd tasks resume pause1
    ctrd_wait_status pause1 RUNNING
    assert_equal "$(cat "$CG2$cg/cgroup.freeze")" 0
    ctrd tasks rm -f pause1
    ctrd containers rm pause1
    ctrd_assert_clean pause1 "$pid"
}

@test "ctr task rm of a running task fails; -f kills and deletes it" {
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" del1 sleep 1000
    ctrd_wait_status del1 RUNNING
    local pid
    pid=$(ctrd_task_pid del1)
    run ctrd tasks rm del1
    assert_failure
    assert_equal "$(ctrd_task_status del1)" RUNNING
    run ctrd tasks rm -f del1
    assert_success
    run ctrd containers rm del1
    assert_success
    ctrd_assert_clean del1 "$pid"
}

@test "a lost shim: containerd cleans up with 'delete --force' of the running container" {
    ctrd_run_flags "$T/berth-wrapper"
    ctrd run "${CTRD_RUN[@]}" -d "$CTRD_IMAGE" lost1 sleep 1000
    ctrd_wait_status lost1 RUNNING
    local pid shim
    pid=$(ctrd_task_pid lost1)
    shim=$(awk '{ print $4 }' "/proc/$pid/stat")
    assert_equal "$(cat "/proc/$shim/comm")" containerd-shim
    tr '\0' ' ' <"/proc/$shim/cmdline" | grep -qF -- "-id lost1 -address $T/containerd.sock"
    kill -KILL "$shim"
    # containerd sees the shim go and runs `containerd-shim-runc-v2 delete`,
    # which calls `berth delete --force` on the still running container.
    for _ in $(seq 1 50); do
        grep -q -- " delete --force lost1\$" "$T/argv.log" && break
        sleep 0.1
    done
    run grep -c -- " delete --force lost1\$" "$T/argv.log"
    assert_output 1
    # A killed shim cannot remove its socket: that is containerd's debris in
    # its private /run, not berth's.
    rm -f "$(ctrd_shim_socket lost1)"
    ctrd containers rm lost1
    ctrd_assert_clean lost1 "$pid"
}

@test "ctr run --runc-systemd-cgroup: the shim passes --systemd-cgroup, berth refuses it clearly" {
    ctrd_run_flags "$T/berth-wrapper"
    run ctrd run "${CTRD_RUN[@]}" --runc-systemd-cgroup --cgroup "system.slice:$CTRD_NS:sd1" \
        --rm "$CTRD_IMAGE" sd1 true
    assert_failure
    assert_output --partial "OCI runtime create failed"
    assert_output --partial "systemd"
    run grep -c -- "--systemd-cgroup .*create .* sd1\$" "$T/argv.log"
    assert_output 1
    ctrd_assert_clean sd1
}

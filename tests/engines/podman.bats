#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# podman drives berth (`podman --runtime $BERTH`): run, logs, exec, terminals,
# stop, kill, pause, rm and inspect, as root and rootless (tests/engines/run
# runs this file in the legs of tests/run-bats).  After every test each
# container it made has left no berth state directory, mount or process.
#
# podman never touches the machine's own state here: every call goes through
# pm(), with its storage, run and temporary directories, events log and
# containers.conf in $PT (a directory of its own under /tmp: conmon's socket
# paths must stay short), the vfs storage driver (no mounts: it measured as
# fast as overlay for this small image), the cgroupfs manager, and as root no
# network (netavark must not touch the host's firewall) and fixed rlimits
# (podman would otherwise raise them to its own hard limits, which needs
# CAP_SYS_RESOURCE this machine does not give).  Rootless, $HOME,
# $XDG_RUNTIME_DIR and $XDG_CONFIG_HOME are in $PT too, and the pause
# process (catatonit -P) podman starts for the user is killed by its pid at
# the end.

load engine-helpers
bats_require_minimum_version 1.5.0

IMAGE=localhost/berth-test:latest

# podman with the private directories, as the array PM_ARGV.  run and
# create also get a --cidfile under $PT/cids/TEST (teardown checks every
# container a test made), and as root --network none and the rlimits.
# Usage: pm_argv SUBCOMMAND ARGS...
pm_argv() {
    local sub=$1
    shift
    local -a extra=()
    case $sub in
    run | create)
        mkdir -p "$PT/cids/$BATS_TEST_NUMBER"
        extra=(--cidfile "$(mktemp -u "$PT/cids/$BATS_TEST_NUMBER/cid.XXXXXX")")
        if engine_is_root; then
            extra+=(--network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
        fi
        ;;
    esac
    PM_ARGV=(podman --root "$PT/root" --runroot "$PT/runroot" --tmpdir "$PT/tmp"
        --runtime "$BERTH" --cgroup-manager cgroupfs --events-backend file
        --storage-driver vfs "$sub" "${extra[@]}" "$@")
}

pm() {
    pm_argv "$@"
    timeout 120 "${PM_ARGV[@]}"
}

# The shell command line of pm ARGS... (for engine_on_tty, bash -c).
pm_line() {
    pm_argv "$@"
    printf '%q ' "${PM_ARGV[@]}"
}

# The pid of the pause process rootless podman started for this store, or
# nothing (root, or not started yet).
pause_pid() {
    [ -r "$PT/tmp/pause.pid" ] && cat "$PT/tmp/pause.pid"
}

setup_file() {
    command -v podman >/dev/null || skip "podman is not installed"
    PT=$(mktemp -d /tmp/berth-podman.XXXXXX)
    export PT
    mkdir -p "$PT"/{root,runroot,tmp,run,home,config,image,cids}
    chmod 0700 "$PT/run"
    if ! engine_is_root; then
        export HOME="$PT/home" XDG_RUNTIME_DIR="$PT/run" XDG_CONFIG_HOME="$PT/config"
    fi
    # pids_limit: podman asks for a pids limit of 2048 by default, and on a
    # hybrid host berth has no pids controller to apply it with (cgroup v2
    # only: it refuses, naming linux.resources.pids.limit).  berth in
    # runtime_supports_json: podman then passes --log-format=json --log FILE
    # and reads berth's error from it, as from runc and crun.
    cat >"$PT/containers.conf" <<EOF
[containers]
pids_limit = 0

[engine]
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "$(basename "$BERTH")"]
image_copy_tmp_dir = "$PT/tmp"

[network]
network_config_dir = "$PT/networks"
EOF
    export CONTAINERS_CONF="$PT/containers.conf"
    # No registry: short names resolve to localhost/ only.
    export CONTAINERS_REGISTRIES_CONF="$PT/registries.conf"
    echo 'unqualified-search-registries = []' >"$CONTAINERS_REGISTRIES_CONF"
    engine_build_image "$PT/image"
    pm load -i "$PT/image/docker-archive.tar" >"$PT/load.log" 2>&1 || {
        cat "$PT/load.log" >&2
        return 1
    }
    BERTH_STATE_ROOT=$(engine_berth_default_root)
    export BERTH_STATE_ROOT
}

teardown_file() {
    [ -n "${PT:-}" ] && [ -d "$PT" ] || return 0
    pm rm -a -f -t 0 >/dev/null 2>&1 || true
    if engine_is_root; then
        rm -rf "$PT"
        return 0
    fi
    # Layers unpacked with subordinate ids belong to them: remove them from
    # inside podman's user namespace, then stop its pause process.
    pm unshare rm -rf "$PT/root" "$PT/runroot" >/dev/null 2>&1 || true
    local pid
    pid=$(pause_pid) || true
    if [ -n "$pid" ] && grep -qx 'catatonit' "/proc/$pid/comm" 2>/dev/null; then
        kill "$pid"
    fi
    rm -rf "$PT"
}

teardown() {
    [ -n "${PT:-}" ] && [ -d "$PT/cids/$BATS_TEST_NUMBER" ] || return 0
    local f id mountinfo=/proc/self/mountinfo pid
    if ! engine_is_root && pid=$(pause_pid); then
        mountinfo=/proc/$pid/mountinfo
    fi
    for f in "$PT/cids/$BATS_TEST_NUMBER"/cid.*; do
        [ -s "$f" ] || continue
        id=$(cat "$f")
        pm rm -f -t 0 "$id" >/dev/null 2>&1 || true
        engine_assert_gone "$id" "$BERTH_STATE_ROOT" "$mountinfo"
    done
}

# The id of the container the last pm run/create of this test made.
last_cid() {
    local f
    f=$(ls -t "$PT/cids/$BATS_TEST_NUMBER"/cid.* | head -n 1)
    cat "$f"
}

# Start a detached container running ARGS...; sets $CID.
run_detached() {
    run pm run -d "$IMAGE" "$@"
    assert_success
    CID=${lines[-1]}
    [[ $CID =~ ^[0-9a-f]{64}$ ]] || fail "podman run -d printed '$output', not a container id"
}

inspect() {
    pm inspect -f "$2" "$1"
}

# Wait until container ID's log (stdout and stderr) has the line TEXT.
wait_for_log() {
    engine_wait_until 10 bash -c "$(pm_line logs "$1") 2>&1 | grep -qxF -- '$2'"
}

@test "podman run --rm: the output and the exit status pass through" {
    run pm run --rm "$IMAGE" sh -c 'echo to-stdout; echo to-stderr >&2; exit 3'
    assert_equal "$status" 3
    assert_line to-stdout
    assert_line to-stderr
    run pm run --rm "$IMAGE" true
    assert_success
    assert_output ""
    # The image's own command.
    run pm run --rm "$IMAGE"
    assert_success
    assert_output "hello from berth"
}

@test "podman run --rm: the container runs in its own namespaces as its image says" {
    run pm run --rm "$IMAGE" sh -c 'echo pid=$$; cat /proc/1/comm; hostname; pwd; echo $PATH'
    assert_success
    assert_line pid=1
    assert_line sh
    assert_line "$(cut -c1-12 <<<"$(last_cid)")"
    assert_line /
    assert_line /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

@test "podman run -d and podman logs" {
    run_detached sh -c 'echo line-one; echo line-two >&2; exec sleep 100'
    wait_for_log "$CID" line-two
    run pm logs "$CID"
    assert_success
    assert_line line-one
    assert_line line-two
    run inspect "$CID" '{{.State.Status}} {{.State.Running}}'
    assert_output "running true"
    # berth has the container too, as podman left it: running.
    run "$BERTH" --root "$BERTH_STATE_ROOT" state "$CID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" running
    assert_equal "$(jq -r .pid <<<"$output")" "$(inspect "$CID" '{{.State.Pid}}')"
}

@test "podman exec: output, exit status, -e, -w and -u" {
    requires_berth_exec
    run_detached sleep 100
    run pm exec "$CID" echo exec-ok
    assert_success
    assert_output exec-ok
    run pm exec "$CID" sh -c 'exit 5'
    assert_equal "$status" 5
    run pm exec -e FOO=bar -w /tmp "$CID" sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g)"'
    assert_success
    assert_output "bar /tmp 0:0"
    run pm exec -u 1000:1001 "$CID" sh -c 'echo "$(id -u):$(id -g)"'
    if ! engine_is_root && [ "$(pm unshare cat /proc/self/uid_map | wc -l)" -eq 1 ]; then
        # Rootless without /etc/subuid ranges podman maps only the user's
        # own id: uid 1000 does not exist in the container, and berth says
        # which field it could not apply.
        assert_failure
        assert_output --partial "process.user"
    else
        assert_success
        assert_output "1000:1001"
    fi
    # The exec'd process is in the container's pid namespace.
    run pm exec "$CID" sh -c 'cat /proc/1/comm; echo $$'
    assert_success
    assert_line --index 0 sleep
    [ "${lines[1]}" -gt 1 ]
    run -127 pm exec "$CID" /no/such/program
    assert_output --partial /no/such/program
}

@test "podman exec -it gets a terminal" {
    requires_berth_exec
    run_detached sleep 100
    run engine_on_tty "$(pm_line exec -it "$CID" sh -c 'tty; exit 6')"
    assert_success
    assert_line --regexp '^/dev/pts/[0-9]+$'
    assert_line rc=6
}

@test "podman run -it: the process gets a terminal and its exit status passes through" {
    run engine_on_tty "$(pm_line run --rm -it "$IMAGE" sh -c 'tty; test -t 0 && echo stdin-is-a-tty; exit 4')"
    assert_success
    assert_line --regexp '^/dev/pts/[0-9]+$'
    assert_line stdin-is-a-tty
    assert_line rc=4
}

@test "podman stop: SIGTERM ends a container that handles it" {
    run_detached sh -c 'trap "echo got-TERM; exit 42" TERM; echo ready; while :; do sleep 0.1; done'
    wait_for_log "$CID" ready
    local start=$SECONDS
    run pm stop -t 20 "$CID"
    assert_success
    # Well within -t: it was TERM that ended it, not KILL.
    [ $((SECONDS - start)) -lt 10 ]
    run inspect "$CID" '{{.State.Status}} {{.State.ExitCode}}'
    assert_output "exited 42"
    run pm logs "$CID"
    assert_line got-TERM
}

@test "podman stop -t: a process that ignores SIGTERM is killed after the timeout" {
    run_detached sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
    wait_for_log "$CID" ready
    local start=$SECONDS
    run pm stop -t 2 "$CID"
    assert_success
    [ $((SECONDS - start)) -ge 2 ]
    run inspect "$CID" '{{.State.Status}} {{.State.ExitCode}}'
    assert_output "exited 137"
}

@test "podman kill -s sends the signal; podman kill sends KILL" {
    run_detached sh -c 'trap "echo got-USR1" USR1; trap "echo got-HUP" HUP; echo ready
        while :; do sleep 0.1; done'
    wait_for_log "$CID" ready
    run pm kill -s USR1 "$CID"
    assert_success
    wait_for_log "$CID" got-USR1
    run pm kill -s SIGHUP "$CID"
    assert_success
    wait_for_log "$CID" got-HUP
    run inspect "$CID" '{{.State.Status}}'
    assert_output running
    run pm kill "$CID"
    assert_success
    engine_wait_until 10 bash -c "[ \"\$($(pm_line inspect -f '{{.State.Status}}' "$CID"))\" = exited ]"
    run inspect "$CID" '{{.State.ExitCode}}'
    assert_output 137
}

@test "podman pause and unpause freeze and thaw the container" {
    run_detached sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
    run pm pause "$CID"
    if [ "$status" -ne 0 ]; then
        # Rootless podman on a host whose cgroup v1 hierarchies are mounted
        # (this hybrid host) gives a container no cgroup, and refuses.
        [[ $output == *"cgroup V1"* || $output == *"does not have a cgroup"* ]] ||
            fail "podman pause failed: $output"
        skip "podman cannot pause here: $output"
    fi
    run inspect "$CID" '{{.State.Status}}'
    assert_output paused
    run "$BERTH" --root "$BERTH_STATE_ROOT" state "$CID"
    assert_equal "$(jq -r .status <<<"$output")" paused
    # Frozen: the counter stands still (read from outside the frozen cgroup).
    local pid c1 c2
    pid=$(inspect "$CID" '{{.State.Pid}}')
    c1=$(cat "/proc/$pid/root/tmp/count")
    sleep 0.5
    c2=$(cat "/proc/$pid/root/tmp/count")
    assert_equal "$c2" "$c1"
    run pm unpause "$CID"
    assert_success
    run inspect "$CID" '{{.State.Status}}'
    assert_output running
    engine_wait_until 5 bash -c "[ \"\$(cat /proc/$pid/root/tmp/count)\" != '$c1' ]"
}

@test "podman rm -f removes a running container" {
    run_detached sleep 100
    local pid
    pid=$(inspect "$CID" '{{.State.Pid}}')
    [ -d "/proc/$pid" ]
    run pm rm -f -t 0 "$CID"
    assert_success
    run pm container exists "$CID"
    assert_failure
    engine_assert_gone "$CID" "$BERTH_STATE_ROOT"
    [ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
}

@test "podman inspect shows the exit code of an exited container" {
    run pm run --name "berth-exit-$BATS_TEST_NUMBER" "$IMAGE" sh -c 'exit 7'
    assert_equal "$status" 7
    run inspect "berth-exit-$BATS_TEST_NUMBER" '{{.State.Status}} {{.State.ExitCode}}'
    assert_success
    assert_output "exited 7"
    # podman deleted it from berth once it exited, and keeps its own record.
    [ ! -e "$BERTH_STATE_ROOT/$(last_cid)" ]
    run pm rm "berth-exit-$BATS_TEST_NUMBER"
    assert_success
}

@test "podman ps and podman top show a running container" {
    run_detached sleep 100
    run pm ps --no-trunc -q
    assert_success
    assert_line "$CID"
    # podman top reads /proc of the container's processes; it does not run
    # `berth ps`.
    run pm top "$CID" pid comm
    assert_success
    assert_line --regexp '^1 +sleep$'
}

@test "podman run of a program that cannot be executed fails with berth's reason" {
    run pm run --rm "$IMAGE" /no/such/program
    # berth, like runc, looks the program up at create, and podman maps a
    # create that says "no such file or directory" to 127 (a failure at
    # start would be 126, "cannot invoke").
    [[ $status == 127 ]] || fail "status $status: $output"
    assert_output --partial "/no/such/program"
    run pm run --rm "$IMAGE" /etc/passwd
    [[ $status == 126 ]] || fail "status $status: $output"
    assert_output --partial "/etc/passwd"
}

@test "podman create and start, then podman wait returns the exit code" {
    run pm create "$IMAGE" sh -c 'exit 9'
    assert_success
    local id=${lines[-1]}
    run inspect "$id" '{{.State.Status}}'
    assert_output created
    run pm start "$id"
    assert_success
    run pm wait "$id"
    assert_success
    assert_output 9
    run pm rm "$id"
    assert_success
}

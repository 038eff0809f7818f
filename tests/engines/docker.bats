#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Docker drives berth: a private dockerd (docker-helpers.bash) with berth
# as its default runtime, through Docker's containerd and runc shim.  As
# root only.  Containers run with --network none: the daemon has no bridge.

bats_require_minimum_version 1.5.0

load engine-helpers
load docker-helpers

setup_file() {
    dk_setup_file
}

teardown_file() {
    dk_teardown_file
}

setup() {
    dk_setup
}

teardown() {
    dk_teardown
}

run_none() {
    dk run --network none "$@"
}

@test "docker info: berth is the default runtime" {
    run dk info --format '{{.DefaultRuntime}} {{json .Runtimes}}'
    assert_success
    assert_output --regexp '^berth '
    assert_output --partial "\"path\":\"$BERTH\""
}

@test "docker run --rm: output and exit status pass through; nothing is left" {
    run run_none --name rm1 --rm "$DK_IMAGE" sh -c 'echo hello from the container; exit 3'
    assert_equal "$status" 3
    assert_output "hello from the container"
    run dk ps -aq --filter name=rm1
    assert_output ""
    # The state root holds no container (berth's seccomp cache stays).
    run find "$(dk_state_root)" -mindepth 1 -maxdepth 1 -type d ! -name 'seccomp@cache'
    assert_output ""
}

@test "docker run: the image's Cmd; inspect shows exit code 0; rm leaves nothing" {
    run run_none --name cmd1 "$DK_IMAGE"
    assert_success
    assert_output "hello from berth"
    local id
    id=$(dk_id cmd1)
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' cmd1
    assert_output "exited 0"
    run dk rm cmd1
    assert_success
    dk_assert_gone "$id"
}

@test "docker run -i: stdin reaches the container" {
    run bash -c "printf 'line one\nline two\n' | DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/client $DK_CLIENT run --rm -i --network none $DK_IMAGE sh -c 'wc -l; echo done'"
    assert_success
    assert_line --index 0 --regexp '^ *2$'
    assert_line --index 1 done
}

@test "docker run of a missing program: berth's error, status 127 as with runc" {
    run -127 run_none --rm "$DK_IMAGE" /no/such/program
    [[ $status == 127 ]] || fail "status $status: $output"
    assert_output --partial "process.args[0]: exec '/no/such/program': no such file or directory"
    run -127 run_none --rm "$DK_IMAGE" no-such-program
    [[ $status == 127 ]] || fail "status $status: $output"
    assert_output --partial "executable file not found in \$PATH"
    # Not executable: 126, "cannot invoke".
    run run_none --rm "$DK_IMAGE" /etc/passwd
    [[ $status == 126 ]] || fail "status $status: $output"
    assert_output --partial "permission denied"
    run run_none --rm "$DK_IMAGE" /
    [[ $status == 126 ]] || fail "status $status: $output"
    run dk ps -aq
    assert_output ""
}

@test "docker run -d, exec, top, logs, stop (SIGTERM), inspect, rm" {
    run run_none -d --name life1 "$DK_IMAGE" sh -c \
        'echo started; trap "echo got TERM; exit 3" TERM; while :; do sleep 0.1; done'
    assert_success
    local id=${lines[-1]}
    dk_wait_status life1 running
    run dk exec life1 sh -c 'echo in exec; exit 5'
    assert_equal "$status" 5
    assert_output "in exec"
    run dk exec -u 1000:1000 -w /tmp -e FOO=bar life1 sh -c 'id -u; id -g; pwd; echo $FOO'
    assert_success
    assert_equal "${lines[*]}" "1000 1000 /tmp bar"
    # docker exec -d: the process runs on after exec returns.
    run dk exec -d life1 sh -c 'echo marked >/tmp/marker'
    assert_success
    engine_wait_until 5 dk exec life1 test -s /tmp/marker
    run dk exec life1 cat /tmp/marker
    assert_output marked
    # A missing program in exec: the error, and docker's 126.
    run dk exec life1 /no/such/program
    [[ $status == 126 ]] || fail "status $status: $output"
    assert_output --partial "/no/such/program"
    run dk top life1
    assert_success
    assert_output --partial "trap"
    run dk stop -t 10 life1
    assert_success
    run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' life1
    assert_output "exited 3"
    run dk logs life1
    assert_output $'started\ngot TERM'
    run dk rm life1
    assert_success
    dk_assert_gone "$id"
}

@test "docker kill: SIGKILL by default (137), -s delivers the signal named" {
    run run_none -d --name kill1 "$DK_IMAGE" sh -c \
        'trap "echo got USR1" USR1; echo ready; while :; do sleep 0.1; done'
    assert_success
    local id=${lines[-1]}
    engine_wait_until 10 sh -c "DOCKER_HOST=unix://$T/docker.sock $DK_CLIENT logs kill1 | grep -q ready"
    run dk kill -s USR1 kill1
    assert_success
    engine_wait_until 10 sh -c "DOCKER_HOST=unix://$T/docker.sock $DK_CLIENT logs kill1 | grep -q 'got USR1'"
    run dk kill kill1
    assert_success
    dk_wait_status kill1 exited
    run dk inspect -f '{{.State.ExitCode}}' kill1
    assert_output 137
    run dk rm kill1
    dk_assert_gone "$id"
}

@test "docker pause and unpause: the container's processes stop and go on" {
    [ -n "$CG2" ] || skip "no cgroup v2 hierarchy: berth cannot freeze"
    run run_none -d --name pause1 "$DK_IMAGE" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.05; done'
    assert_success
    local id=${lines[-1]}
    dk_wait_status pause1 running
    run dk pause pause1
    assert_success
    run dk inspect -f '{{.State.Status}} {{.State.Paused}}' pause1
    assert_output "paused true"
    # berth's own view of the container.
    run "$BERTH" --root "$(dk_state_root)" state "$id"
    assert_success
    assert_output --partial '"status": "paused"'
    run dk exec pause1 true
    assert_failure
    assert_output --partial "is paused"
    run dk unpause pause1
    assert_success
    run dk exec pause1 cat /tmp/count
    assert_success
    local a=$output
    engine_wait_until 5 sh -c "[ \"\$(DOCKER_HOST=unix://$T/docker.sock $DK_CLIENT exec pause1 cat /tmp/count)\" -gt $a ]"
    run dk rm -f pause1
    assert_success
    dk_assert_gone "$id"
}

@test "docker rm -f of a running container" {
    run run_none -d --name rmf1 "$DK_IMAGE" sleep 600
    assert_success
    local id=${lines[-1]}
    dk_wait_status rmf1 running
    run dk rm -f rmf1
    assert_success
    dk_assert_gone "$id"
}

@test "docker run -it: a terminal from --console-socket" {
    run engine_on_tty "DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/client $DK_CLIENT run --rm -it --network none $DK_IMAGE sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty'"
    assert_success
    assert_line --regexp '^/dev/pts/[0-9]+$'
    assert_line stdin-is-a-tty
    assert_line rc=0
    # And exec -it into a running container.
    run run_none -d --name tty1 "$DK_IMAGE" sleep 600
    assert_success
    run engine_on_tty "DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/client $DK_CLIENT exec -it tty1 sh -c 'tty; exit 4'"
    assert_line --regexp '^/dev/pts/[0-9]+$'
    assert_line rc=4
}

@test "docker run --init: docker-init is pid 1 and reaps" {
    run run_none --rm --init "$DK_IMAGE" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo'
    assert_success
    assert_output --regexp '^/sbin/docker-init -- sh -c'
}

@test "docker run --user, --read-only, --cap-drop ALL, no-new-privileges" {
    run run_none --rm --user 1000:1000 --read-only --cap-drop ALL \
        --security-opt no-new-privileges "$DK_IMAGE" sh -c \
        'id -u; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; touch /x 2>/dev/null || echo read-only'
    assert_success
    assert_line --index 0 1000
    assert_line "CapEff:	0000000000000000"
    assert_line "NoNewPrivs:	1"
    assert_line read-only
}

@test "docker's default seccomp profile and capabilities apply" {
    run run_none --rm "$DK_IMAGE" sh -c 'grep -E "^(Seccomp|CapBnd)" /proc/self/status'
    assert_success
    assert_line "Seccomp:	2"
    # Docker's 14 default capabilities.
    assert_line "CapBnd:	00000000a80425fb"
    # A syscall the profile refuses: unshare of a user namespace.
    run run_none --rm "$DK_IMAGE" unshare -U true
    assert_failure
    run run_none --rm --security-opt seccomp=unconfined "$DK_IMAGE" sh -c 'grep ^Seccomp: /proc/self/status'
    assert_output "Seccomp:	0"
}

@test "docker run -v (read-only), --tmpfs, --shm-size, --hostname, -e, -w, --ulimit" {
    mkdir -p "$T/vol"
    echo data >"$T/vol/f"
    run run_none --rm -v "$T/vol:/vol:ro" --tmpfs /scratch:size=1m --shm-size 8m \
        --hostname dkhost -e FOO=bar -w /tmp --ulimit nofile=1000:1000 "$DK_IMAGE" sh -c \
        'cat /vol/f; touch /vol/g 2>/dev/null || echo vol-ro; df -k /scratch /dev/shm | awk "NR > 1 { print \$2 }"; hostname; echo $FOO; pwd; ulimit -n'
    assert_success
    assert_equal "${lines[*]}" "data vol-ro 1024 8192 dkhost bar /tmp 1000"
    [ ! -e "$T/vol/g" ]
}

@test "docker healthcheck: exec runs the check until the container is healthy" {
    run run_none -d --name hc1 --health-cmd 'test -e /tmp/ok' --health-interval 1s \
        --health-retries 30 "$DK_IMAGE" sh -c 'sleep 1; touch /tmp/ok; sleep 600'
    assert_success
    engine_wait_until 20 sh -c "[ \"\$(DOCKER_HOST=unix://$T/docker.sock $DK_CLIENT inspect -f '{{.State.Health.Status}}' hc1)\" = healthy ]"
}

@test "docker run --restart on-failure:2 restarts through berth twice" {
    run run_none -d --name rs1 --restart on-failure:2 "$DK_IMAGE" sh -c 'exit 1'
    assert_success
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(dk inspect -f '{{.RestartCount}} {{.State.Status}}' rs1)" = "2 exited" ] && break
        sleep 0.1
    done
    run dk inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' rs1
    assert_output "2 exited 1"
}

@test "docker run --memory where the memory controller is missing: berth names the field" {
    [ -n "$CG2" ] || skip "no cgroup v2 hierarchy"
    if grep -qw memory "$CG2/cgroup.controllers"; then
        # A pure cgroup v2 host: the limit applies.
        run run_none --rm --memory 64m "$DK_IMAGE" cat /sys/fs/cgroup/memory.max
        assert_success
        assert_output 67108864
        return 0
    fi
    run run_none --rm --memory 64m "$DK_IMAGE" true
    assert_failure
    assert_output --partial "linux.resources.memory.limit: the memory controller is not available"
    run dk ps -aq
    assert_output ""
}

@test "docker run --network, --ipc and --pid container:NAME join another container's namespaces" {
    run run_none -d --name ns1 --ipc shareable "$DK_IMAGE" sleep 600
    assert_success
    local net
    net=$(dk exec ns1 readlink /proc/self/ns/net)
    # The client warns on stderr that forwarding is off: output only.
    run --separate-stderr dk run --rm --network container:ns1 --ipc container:ns1 --pid container:ns1 "$DK_IMAGE" \
        sh -c 'readlink /proc/self/ns/net; cat /proc/1/cmdline | tr "\0" " "; echo'
    assert_success
    assert_line --index 0 "$net"
    assert_line --index 1 "sleep 600 "
    # And the host's namespaces.
    run dk run --rm --network none --pid host --uts host "$DK_IMAGE" sh -c 'readlink /proc/self/ns/pid; hostname'
    assert_success
    assert_line --index 0 "$(readlink /proc/self/ns/pid)"
    assert_line --index 1 "$(hostname)"
}

@test "docker build runs RUN steps through berth; docker save unpacks with berth-image and runs the same" {
    mkdir -p "$T/ctx"
    cat >"$T/ctx/Dockerfile" <<'DOCKERFILE'
FROM berth-test:latest
RUN mkdir -p /app/sub && echo one >/app/a && echo two >/app/sub/b && ln -s a /app/link && \
    echo "appuser:x:1234:1234::/app:/bin/sh" >>/etc/passwd && echo "appuser:x:1234:" >>/etc/group && \
    chown 1234:1234 /app/a
RUN rm /app/sub/b && echo changed >/app/a && chmod 4755 /app/a
USER appuser
WORKDIR /app
ENV GREETING=hi
ENTRYPOINT ["sh", "-c"]
CMD ["id -u; id -g; pwd; cat a; ls sub | wc -l; readlink link; stat -c '%a %u' a; echo $GREETING"]
DOCKERFILE
    run env DOCKER_BUILDKIT=0 DOCKER_HOST="unix://$T/docker.sock" DOCKER_CONFIG="$T/client" \
        "$DK_CLIENT" build -q -t berth-built:1 "$T/ctx"
    assert_success
    run run_none --rm berth-built:1
    assert_success
    local want=$output
    assert_equal "${lines[*]}" "1234 1234 /app changed 0 a 4755 1234 hi"

    run dk save -o "$T/built.tar" berth-built:1
    assert_success
    run "$BERTH_BUILD/berth-image" unpack "docker-archive:$T/built.tar:berth-built:1" "$T/built-bundle"
    assert_success
    run timeout 30 setsid -w "$BERTH" --root "$T/berth-run" run -b "$T/built-bundle" built1 </dev/null
    assert_success
    assert_output "$want"
}

@test "docker run --privileged: Docker's capabilities that berth holds, devices, no seccomp" {
    run run_none --rm --privileged "$DK_IMAGE" sh -c \
        'grep -E "^(CapEff|Seccomp):" /proc/self/status; test -c /dev/kmsg && echo devices'
    # On a host whose root lacks capabilities (CAP_SYS_RESOURCE here),
    # berth leaves those out with a warning (config.md "capabilities"),
    # where runc 1.1 fails.
    assert_success
    assert_line "Seccomp:	0"
    assert_line devices
    # Docker 20.10 knows capabilities 0 to 37: the container has each of
    # them that berth holds.
    local ours theirs
    ours=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
    theirs=$(awk '/^CapEff:/ { print $2 }' <<<"$output")
    [ $((0x$theirs)) = $((0x$ours & ((1 << 38) - 1))) ] || fail "CapEff $theirs, berth's $ours"
}

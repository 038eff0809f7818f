#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Security regressions: the attacks that hit runc and crun, replayed against
# berth.  The mount and masked-path ones (CVE-2021-30465, CVE-2019-19921,
# CVE-2025-31133) are in mounts.bats, the capability one (CVE-2022-29162) in
# process.bats; here: fds leaked into the container (CVE-2024-21626), what
# pid 1 runs, and never signalling a process that is not the container's.

load helpers
bats_require_minimum_version 1.5.0

setup() {
    setup_tmp
    B="$TMP/bundle"
    CANARY=
}

teardown() {
    berth_cleanup
    if [ -n "$CANARY" ] && [ "$CANARY" -gt 0 ]; then
        kill -KILL "$CANARY" 2>/dev/null || true
        wait "$CANARY" 2>/dev/null || true
    fi
}

# For each N in 3..12, a bundle $TMP/bN sharing $B's rootfs, with the jq
# FILTER applied ($n is N), run at the same time; $TMP/bN.out and $TMP/bN.rc
# get each one's output and exit status.
run_per_fd() {
    local filter=$1 n pids=()
    for n in $(seq 3 12); do
        mkdir -p "$TMP/b$n"
        jq --arg root "$B/rootfs" --argjson n "$n" ".root.path = \$root | $filter" "$B/config.json" \
            >"$TMP/b$n/config.json"
        (
            rc=0
            cd "$TMP/b$n" && timeout 20 setsid -w "$BERTH" --root "$ROOT" run "fd$n" \
                </dev/null >"$TMP/b$n.out" 2>&1 || rc=$?
            echo "$rc" >"$TMP/b$n.rc"
        ) &
        pids+=($!)
    done
    wait "${pids[@]}"
}

@test "process.cwd through a leaked fd (/proc/self/fd/N) is refused (CVE-2024-21626)" {
    make_busybox_bundle "$B" sh -c 'echo "CWD $(pwd)"; ls'
    run_per_fd '.process.cwd = "/proc/self/fd/\($n)"'
    local n failed=0
    for n in $(seq 3 12); do
        run cat "$TMP/b$n.out"
        if [ "$(cat "$TMP/b$n.rc")" -eq 0 ]; then
            # An fd of init's to the container's own root: cwd is its /.
            assert_line --index 0 "CWD /"
            assert_line bin
            refute_line bundle
            refute_line state
        else
            assert_output --partial "process.cwd '/proc/self/fd/$n'"
            failed=$((failed + 1))
        fi
    done
    [ "$failed" -ge 8 ]
    run berth_cmd_t list -q
    assert_output ""
}

@test "process.cwd through a leaked fd's parent (/proc/self/fd/N/..) is refused (CVE-2024-21626)" {
    make_busybox_bundle "$B" sh -c 'echo "CWD $(pwd)"'
    run_per_fd '.process.cwd = "/proc/self/fd/\($n)/../../.."'
    local n
    for n in $(seq 3 12); do
        run cat "$TMP/b$n.out"
        # The path resolves within the container: to its /, or an error.
        if [ "$(cat "$TMP/b$n.rc")" -eq 0 ]; then
            assert_output "CWD /"
        else
            refute_output --partial CWD
            assert_output --partial "process.cwd"
        fi
    done
}

@test "process.args[0] through a leaked fd never runs a host file (CVE-2024-21626)" {
    make_busybox_bundle "$B" true
    # A host binary in every host directory berth opens: the state root, the
    # bundle, the rootfs's parent, the caller's directory.  It is busybox
    # named "echo" (a script would not do: its interpreter is looked up in
    # the container, and the fd is closed by the time that reads it).
    local dir
    mkdir -p "$ROOT"
    for dir in "$ROOT" "$B" "$TMP" "$PWD"; do
        [ -w "$dir" ] && cp "$B/rootfs/bin/busybox" "$dir/echo"
    done
    run_per_fd '.process.args = ["/proc/self/fd/\($n)/echo", "HOST-FILE-RAN"]'
    rm -f "$PWD/echo"
    local n
    for n in $(seq 3 12); do
        run cat "$TMP/b$n.out"
        refute_output --partial HOST-FILE-RAN
        [ "$(cat "$TMP/b$n.rc")" -ne 0 ]
    done
}

@test "a created container's init holds no fd of a host directory (CVE-2024-21626)" {
    make_busybox_bundle "$B" sleep 100
    run berth_create h1 "$B"
    assert_success
    local pid fd target
    pid=$(state_of h1 .pid)
    for fd in /proc/"$pid"/fd/*; do
        target=$(readlink "$fd")
        case ${fd##*/} in
        0 | 1 | 2) continue ;;
        esac
        case $target in
        socket:* | pipe:* | anon_inode:*) continue ;;
        esac
        # What is left is the container's own root, which a reader outside
        # sees as "/" of a detached tree, never a host path.
        [ "$target" = / ] || fail "init (pid $pid) holds fd ${fd##*/} -> '$target'"
    done
}

@test "pid 1 of the container runs the container's binary, not berth" {
    make_busybox_bundle "$B" sh -c 'readlink /proc/1/exe; tr "\0" " " </proc/1/cmdline; echo'
    run berth_run ex "$B"
    assert_success
    assert_line --index 0 /bin/busybox
    assert_line --index 1 --regexp '^sh -c '
    refute_output --partial berth
}

# Rewrite the pid in ID's state file (berth's own format; a stand-in for a
# pid reused after the container died, or a corrupt file).
forge_pid() {
    local id=$1 pid=$2
    jq --argjson p "$pid" '.pid = $p' "$ROOT/$id/state.json" >"$ROOT/$id/state.json.new"
    mv "$ROOT/$id/state.json.new" "$ROOT/$id/state.json"
}

@test "a reused pid is never signalled: kill and delete leave it alone" {
    make_busybox_bundle "$B" true
    run berth_create rp "$B"
    assert_success
    run berth_cmd_t start rp
    wait_for_status rp stopped
    # Another process now has "the container's" pid.
    sleep 100 </dev/null >/dev/null 2>&1 3>&- &
    CANARY=$!
    forge_pid rp "$CANARY"
    assert_equal "$(state_of rp)" stopped
    assert_equal "$(state_of rp .pid)" 0
    run berth_cmd_t kill rp KILL
    assert_failure
    assert_output --partial "container not running"
    run berth_cmd_t kill --all rp KILL
    assert_failure
    run berth_cmd_t delete --force rp
    assert_success
    kill -0 "$CANARY"
}

@test "a state file with pid 0 or -1 never signals a process group or everything" {
    make_busybox_bundle "$B" true
    # Root: inside a pid namespace of its own, so that a kill(-1) would
    # only reach the canary (and this test would see it die).
    local ns=()
    is_root && ns=(unshare --pid --fork --mount-proc)
    local pid
    for pid in 0 -1 -2; do
        run berth_create "z${pid#-}" "$B"
        assert_success
        run berth_cmd_t start "z${pid#-}"
        wait_for_status "z${pid#-}" stopped
        forge_pid "z${pid#-}" "$pid"
    done
    run "${ns[@]}" bash -c '
        sleep 100 </dev/null >/dev/null 2>&1 &
        canary=$!
        for id in z0 z1 z2; do
            timeout 10 "$0" --root "$1" kill "$id" KILL
            timeout 10 "$0" --root "$1" kill --all "$id" KILL
            timeout 10 "$0" --root "$1" delete --force "$id"
            timeout 10 "$0" --root "$1" delete --force "$id"
        done
        sleep 0.2
        if kill -0 "$canary"; then echo canary-alive; kill -KILL "$canary"; fi' "$BERTH" "$ROOT"
    assert_line canary-alive
    run berth_cmd_t list -q
    assert_output ""
}

@test "a sysctl write that a mount redirects off procfs is refused (CVE-2025-52881)" {
    make_busybox_bundle "$B" true
    echo original >"$TMP/target"
    chmod 666 "$TMP/target"
    # A file bind-mounted over the sysctl's procfs file: the write must not
    # land in whatever sits there instead of procfs.
    update_config "$B" --arg t "$TMP/target" '.linux.sysctl = {"kernel.msgmax": "12345"}
        | .linux.namespaces |= (if any(.type == "ipc") then . else . + [{type: "ipc"}] end)
        | .mounts += [{"destination": "/proc/sys/kernel/msgmax", "type": "bind", "source": $t, "options": ["bind"]}]
        | .linux.readonlyPaths = []'
    run berth_run sysredir "$B"
    assert_failure
    assert_output --partial 'linux.sysctl["kernel.msgmax"]'
    assert_output --partial "not on procfs"
    [ "$(cat "$TMP/target")" = original ]
    run berth_cmd_t list -q
    assert_output ""
}

@test "a mount destination below a symlink to a host path never creates on the host (CVE-2024-45310)" {
    make_busybox_bundle "$B" true
    mkdir -p "$TMP/hostdir"
    # The image points a directory at a host path; the config mounts below
    # it.  Resolved inside the rootfs the link dangles: berth refuses (runc
    # would create the directories inside the rootfs), and the host path
    # stays empty either way.
    ln -s "$TMP/hostdir" "$B/rootfs/escape"
    update_config "$B" '.mounts += [{"destination": "/escape/a/b/c", "type": "tmpfs", "source": "tmpfs"}]'
    run berth_run esc "$B"
    assert_failure
    assert_output --partial "mounts["
    run find "$TMP/hostdir" -mindepth 1
    assert_output ""
    run berth_cmd_t list -q
    assert_output ""
}

@test "--no-pivot runs the container with MS_MOVE and chroot" {
    make_busybox_bundle "$B" sh -c 'ls /; cat /proc/self/mountinfo | head -1'
    run bash -c "cd '$B' && timeout 60 setsid -w '$BERTH' --root '$ROOT' run --no-pivot np </dev/null"
    assert_success
    assert_output --partial bin
    run berth_cmd_t list -q
    assert_output ""
}

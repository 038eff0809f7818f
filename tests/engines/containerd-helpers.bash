# SPDX-License-Identifier: Apache-2.0
# containerd drives berth: a private containerd per test file.
#
# ctrd_setup_file starts containerd with its own config.toml in $T (root,
# state, sockets, temp dir: all under $T), in a mount namespace of its own
# whose /run is a tmpfs: containerd 1.6 puts the shims' sockets in
# /run/containerd/s whatever its config says, and this way they never reach
# the host's /run.  The mounts containerd makes for root filesystems stay in
# that namespace too.  ctrd_teardown_file stops it by pid and removes $T.
#
# Every container runs through the runc shim (io.containerd.runc.v2) with
# BinaryName = $BERTH (`ctr run --runc-binary`) and its state under
# $T/runc/<namespace> (`--runc-root`).

: "${BERTH:?BERTH must point at the berth binary}"

CTRD_NS=berth-test
# shellcheck disable=SC2034 # for the suites
CTRD_IMAGE=docker.io/library/berth-test:latest

# ctr against the private containerd, in the test namespace.
ctrd() {
    ctr --address "$T/containerd.sock" --namespace "$CTRD_NS" "$@"
}

ctrd_pid() {
    cat "$T/containerd.pid"
}

# Is the process PID our containerd (not a reused pid)?
ctrd_is_ours() {
    local pid=$1
    [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--config $T/config.toml"
}

# The cgroup v2 mount point (the unified part on a hybrid host), or nothing.
ctrd_cgroup2_mount() {
    awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

ctrd_write_config() {
    cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
temp = "$T/tmp"
# cri: not tested here and it would want CNI; the snapshotters that need
# special filesystems; opt installs into /opt/containerd; the cgroups
# monitor registers OOM watches on the host's cgroups; tracing: no exporters.
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.internal.v1.opt",
  "io.containerd.monitor.v1.cgroups",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "$T/containerd.sock"

[ttrpc]
  address = "$T/containerd.sock.ttrpc"

[debug]
  address = ""
  level = "debug"

[metrics]
  address = ""

# The tasks service needs the v1 runtime loaded; it is never used here, and
# its shims' state would be under \$T as well.
[plugins."io.containerd.runtime.v1.linux"]
  runtime_root = "$T/runtime-v1"
EOF
}

ctrd_start() {
    mkdir -p "$T/tmp" "$T/fifo" "$T/logs"
    # unshare execs sh, sh execs containerd: $! is containerd's pid.
    # TMPDIR: the shims put console sockets and process.json files there.
    # shellcheck disable=SC2016 # $1 is for that sh
    (
        cd / || exit 1
        TMPDIR="$T/tmp" exec unshare --mount --propagation private \
            sh -c 'mount -t tmpfs -o mode=0755,size=16m berth-ctrd-run /run && exec containerd --config "$1"' \
            sh "$T/config.toml" >"$T/containerd.log" 2>&1 </dev/null 3>&-
    ) &
    echo $! >"$T/containerd.pid"
    for _ in $(seq 1 100); do
        if ctr --address "$T/containerd.sock" version >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$(ctrd_pid)" 2>/dev/null; then
            echo "# containerd exited during start-up:" >&3
            sed 's/^/#   /' "$T/containerd.log" | tail -20 >&3
            return 1
        fi
        sleep 0.1
    done
    echo "# containerd did not answer on $T/containerd.sock within 10 s" >&3
    return 1
}

# Global flags for `ctr run`: berth as the runc binary, its state and the IO
# fifos under $T.  ctr always asks for cpu.shares (1024 by default); on a
# host whose cgroup v2 hierarchy has no cpu controller (hybrid: the v1
# hierarchy has it) berth, cgroup v2 only, cannot apply it and says so, so
# ask for none there.
# shellcheck disable=SC2120 # BINARY is optional
ctrd_run_flags() {
    local binary=${1:-$BERTH}
    CTRD_RUN=(--runc-binary "$binary" --runc-root "$T/runc" --fifo-dir "$T/fifo")
    if [ -n "${CTRD_NO_CPU:-}" ]; then
        CTRD_RUN+=(--cpu-shares 0)
    fi
}

# A runc binary that records its arguments (one line a call in
# $T/argv.log) and keeps a copy of the --log file after every call in
# $T/logs/ID.json (the bundle holding the original goes with the container).
ctrd_write_wrapper() {
    cat >"$T/berth-wrapper" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$T/argv.log"
"$BERTH" "\$@"
rc=\$?
log=
id=
prev=
for a in "\$@"; do
    [ "\$prev" = --log ] && log=\$a
    prev=\$a
    id=\$a
done
[ -n "\$log" ] && [ -f "\$log" ] && cp "\$log" "$T/logs/\$id.json"
exit \$rc
EOF
    chmod 0755 "$T/berth-wrapper"
}

# bats 1.8 cannot skip from setup_file: the reason goes to $CTRD_SKIP and
# ctrd_setup skips every test with it.
ctrd_skip_file() {
    CTRD_SKIP=$1
    export CTRD_SKIP
}

ctrd_setup_file() {
    CTRD_SKIP=
    export CTRD_SKIP
    if [ "$(id -u)" != 0 ]; then
        local why="rootless containerd needs rootlesskit"
        command -v rootlesskit >/dev/null || why+=" (Debian package rootlesskit, not installed)"
        ctrd_skip_file "the containerd suite runs as root only: $why and a containerd-rootless.sh setup (nerdctl's, not in Debian 12)"
        return 0
    fi
    local tool
    for tool in containerd ctr containerd-shim-runc-v2 unshare jq script python3; do
        if ! command -v "$tool" >/dev/null; then
            ctrd_skip_file "$tool is not installed (tests/install-deps)"
            return 0
        fi
    done
    T=$(mktemp -d /tmp/berth-ctrd.XXXXXX)
    export T
    chmod 0711 "$T"

    CG2=$(ctrd_cgroup2_mount)
    export CG2
    # ctr's default cgroupsPath is /NAMESPACE/ID: berth makes the parent
    # and, like runc, leaves it; remember whether it was there before.
    CTRD_CG_PARENT_WAS_THERE=
    if [ -n "$CG2" ] && [ -d "$CG2/$CTRD_NS" ]; then
        CTRD_CG_PARENT_WAS_THERE=1
    fi
    export CTRD_CG_PARENT_WAS_THERE
    CTRD_NO_CPU=
    if [ -z "$CG2" ] || ! grep -qw cpu "$CG2/cgroup.controllers"; then
        CTRD_NO_CPU=1
    fi
    export CTRD_NO_CPU

    ctrd_write_config
    ctrd_write_wrapper
    ctrd_start

    # The image, offline: Debian's busybox-static in one layer.
    local rc=0
    python3 "$BATS_TEST_DIRNAME/../image/mkimage.py" busybox "$T/image" \
        --docker-archive "$T/busybox.tar" >/dev/null 2>"$T/mkimage.err" || rc=$?
    if [ "$rc" = 77 ]; then
        ctrd_skip_file "$(tail -1 "$T/mkimage.err")"
        return 0
    fi
    [ "$rc" = 0 ] || {
        cat "$T/mkimage.err" >&3
        return 1
    }
    ctrd images import "$T/busybox.tar" >/dev/null
}

# Stop containerd by its pid, wait for it, and remove $T.
ctrd_teardown_file() {
    local pid id cg=
    [ -n "${T:-}" ] || return 0
    case $T in
    /tmp/berth-ctrd.*) ;;
    *) return 0 ;;
    esac
    pid=$(cat "$T/containerd.pid" 2>/dev/null)
    if [ -n "$pid" ] && ctrd_is_ours "$pid"; then
        for id in $(ctrd containers ls -q 2>/dev/null); do
            ctrd tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1
            ctrd tasks rm -f "$id" >/dev/null 2>&1
            ctrd containers rm "$id" >/dev/null 2>&1
        done
        engine_stop_daemon "$pid" ctrd_is_ours
    fi
    engine_kill_matching "-address $T/containerd.sock"
    [ -n "$CG2" ] && [ -z "$CTRD_CG_PARENT_WAS_THERE" ] && cg=$CG2/$CTRD_NS
    engine_final_cleanup "$T/runc/$CTRD_NS" "$T" "$cg"
}

# Per test: skip when the file cannot run, else the `ctr run` flags.
ctrd_setup() {
    [ -z "${CTRD_SKIP:-}" ] || skip "$CTRD_SKIP"
    ctrd_run_flags
    : >"$T/argv.log"
}

# The task's pid, from `ctr task ls`.
ctrd_task_pid() {
    ctrd tasks ls | awk -v id="$1" '$1 == id { print $2 }'
}

ctrd_task_status() {
    ctrd tasks ls | awk -v id="$1" '$1 == id { print $3 }'
}

# Wait (10 s at most) for task ID to reach STATUS (RUNNING, STOPPED, PAUSED).
ctrd_wait_status() {
    local id=$1 want=$2
    for _ in $(seq 1 100); do
        [ "$(ctrd_task_status "$id")" = "$want" ] && return 0
        sleep 0.1
    done
    echo "task '$id' is '$(ctrd_task_status "$id")', not '$want'" >&2
    return 1
}

# The shim's socket for container ID, in containerd's private /run: the
# name is sha256(ADDRESS/NAMESPACE/ID) (containerd 1.6 shim.SocketAddress).
ctrd_shim_socket() {
    local sum
    sum=$(printf '%s' "$T/containerd.sock/$CTRD_NS/$1" | sha256sum | cut -d' ' -f1)
    echo "/proc/$(ctrd_pid)/root/run/containerd/s/$sum"
}

# Nothing of container ID is left: no container or task in containerd, no
# berth state dir, no bundle, no mount (here or in containerd's
# namespace), no shim, no shim socket, no cgroup, and PID (when given: the
# container's init) gone.  Shims exit just after the task is deleted:
# allow them 10 s.
ctrd_assert_clean() {
    local id=$1 pid=${2:-} bundle="$T/state/io.containerd.runtime.v2.task/$CTRD_NS/$1" left
    for _ in $(seq 1 100); do
        left=$(ctrd_leftovers "$id" "$pid" "$bundle")
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    echo "left behind by '$id':" >&2
    echo "$left" >&2
    echo "runtime calls (with the wrapper):" >&2
    grep -F -- " $id" "$T/argv.log" >&2
    echo "containerd's log:" >&2
    grep -F -- "$id" "$T/containerd.log" | tail -20 >&2
    return 1
}

ctrd_leftovers() {
    local id=$1 pid=$2 bundle=$3 p
    ctrd containers ls -q | grep -qx -- "$id" && echo "container '$id' in containerd"
    ctrd tasks ls -q | grep -qx -- "$id" && echo "task '$id' in containerd"
    [ -e "$T/runc/$CTRD_NS/$id" ] && echo "berth state dir $T/runc/$CTRD_NS/$id"
    [ -e "$bundle" ] && echo "bundle $bundle"
    grep -F " $bundle" /proc/self/mountinfo | sed 's/^/mount here: /'
    grep -F " $bundle" "/proc/$(ctrd_pid)/mountinfo" | sed 's/^/mount in containerd: /'
    for p in /proc/[0-9]*; do
        if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "-id $id -address $T/containerd.sock"; then
            echo "shim ${p#/proc/}"
        fi
    done
    [ -e "$(ctrd_shim_socket "$id")" ] && echo "shim socket $(ctrd_shim_socket "$id")"
    if [ -n "$CG2" ] && [ -e "$CG2/$CTRD_NS/$id" ]; then
        echo "cgroup $CG2/$CTRD_NS/$id: $(tr '\n' ' ' <"$CG2/$CTRD_NS/$id/cgroup.procs")"
    fi
    if [ -n "$pid" ] && [ -e "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
        echo "process $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
    fi
    return 0
}

# Exec tests need `berth exec`.
requires_berth_exec() {
    "$BERTH" exec --help >/dev/null 2>&1 || skip "berth exec is not there yet ('$BERTH exec --help' fails)"
}

# SPDX-License-Identifier: Apache-2.0
# Docker drives berth: a private dockerd per test file.
#
# dk_setup_file starts dockerd with a daemon.json of its own in $T (data
# root, exec root, pid file, socket: all under $T), berth registered as the
# runtime "berth" and made the default, no bridge and no firewall changes
# (iptables, ip-masq and ip-forward off: tests run with --network none).
# dockerd runs in a mount namespace of its own whose /run is a tmpfs: the
# containerd that dockerd starts and manages, its shims and the overlay
# mounts of the containers' root filesystems all stay there.
# dk_teardown_file removes every container, stops dockerd by pid (it stops
# its containerd), and removes $T.
#
# The runc shim calls berth with --root $T/exec/runtime-runc/moby (Docker
# 20.10 names that directory after runc whatever the runtime).

: "${BERTH:?BERTH must point at the berth binary}"

# shellcheck disable=SC2034 # for the suite
DK_IMAGE=berth-test:latest

# The docker client against the private dockerd.  Debian's client is
# /usr/bin/docker; another one earlier on $PATH works as well (it
# negotiates the API version down).
dk() {
    DOCKER_HOST="unix://$T/docker.sock" DOCKER_CONFIG="$T/client" "$DK_CLIENT" "$@"
}

dk_pid() {
    cat "$T/docker.pid" 2>/dev/null
}

# Is the process PID our dockerd (not a reused pid)?
dk_is_ours() {
    local pid=$1
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--config-file $T/daemon.json"
}

# Berth's state root as the shim passes it.
dk_state_root() {
    echo "$T/exec/runtime-runc/moby"
}

dk_cgroup2_mount() {
    awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

# bats 1.8 cannot skip from setup_file: the reason goes to $DK_SKIP and
# dk_setup skips every test with it.
dk_skip_file() {
    DK_SKIP=$1
    export DK_SKIP
}

dk_write_config() {
    cat >"$T/daemon.json" <<EOF
{
  "data-root": "$T/data",
  "exec-root": "$T/exec",
  "pidfile": "$T/docker.pid",
  "hosts": ["unix://$T/docker.sock"],
  "iptables": false,
  "ip6tables": false,
  "ip-masq": false,
  "ip-forward": false,
  "bridge": "none",
  "storage-driver": "overlay2",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "runtimes": {"berth": {"path": "$BERTH"}},
  "default-runtime": "berth",
  "features": {"buildkit": false},
  "log-level": "debug"
}
EOF
}

dk_start() {
    # unshare execs sh, sh execs dockerd: $! is dockerd's pid (and its
    # pid file says so too, once it is up).
    # shellcheck disable=SC2016 # $1 is for that sh
    (
        cd / || exit 1
        exec unshare --mount --propagation private \
            sh -c 'mount -t tmpfs -o mode=0755,size=16m berth-docker-run /run && exec dockerd --config-file "$1"' \
            sh "$T/daemon.json" >"$T/dockerd.log" 2>&1 </dev/null 3>&-
    ) &
    echo $! >"$T/dockerd.started"
    for _ in $(seq 1 300); do
        if dk version >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$(cat "$T/dockerd.started")" 2>/dev/null; then
            echo "# dockerd exited during start-up:" >&3
            sed 's/^/#   /' "$T/dockerd.log" | tail -20 >&3
            return 1
        fi
        sleep 0.1
    done
    echo "# dockerd did not answer on $T/docker.sock within 30 s" >&3
    return 1
}

dk_setup_file() {
    DK_SKIP=
    export DK_SKIP
    if [ "$(id -u)" != 0 ]; then
        dk_skip_file "the docker suite runs as root only: rootless Docker needs rootlesskit and dockerd-rootless.sh (not in Debian 12's docker.io)"
        return 0
    fi
    local tool
    for tool in dockerd containerd containerd-shim-runc-v2 unshare jq script python3; do
        if ! command -v "$tool" >/dev/null; then
            dk_skip_file "$tool is not installed (tests/install-deps --docker)"
            return 0
        fi
    done
    DK_CLIENT=/usr/bin/docker
    [ -x "$DK_CLIENT" ] || DK_CLIENT=$(command -v docker) || {
        dk_skip_file "the docker client is not installed (tests/install-deps --docker)"
        return 0
    }
    export DK_CLIENT
    T=$(mktemp -d /tmp/berth-docker.XXXXXX)
    export T
    chmod 0711 "$T"
    mkdir -p "$T/client"

    CG2=$(dk_cgroup2_mount)
    export CG2
    # Docker's cgroupfs driver asks for /docker/ID: berth makes the parent
    # and, like runc, leaves it; remember whether it was there before.
    DK_CG_PARENT_WAS_THERE=
    if [ -n "$CG2" ] && [ -d "$CG2/docker" ]; then
        DK_CG_PARENT_WAS_THERE=1
    fi
    export DK_CG_PARENT_WAS_THERE

    dk_write_config
    dk_start || return 1

    # The image, offline: Debian's busybox-static in one layer.
    local rc=0
    python3 "$BATS_TEST_DIRNAME/../image/mkimage.py" busybox "$T/image" \
        --docker-archive "$T/busybox.tar" >/dev/null 2>"$T/mkimage.err" || rc=$?
    if [ "$rc" = 77 ]; then
        dk_skip_file "$(tail -1 "$T/mkimage.err")"
        return 0
    fi
    [ "$rc" = 0 ] || {
        cat "$T/mkimage.err" >&3
        return 1
    }
    dk load -i "$T/busybox.tar" >/dev/null
}

# Remove every container of our dockerd (a failed test must not leave its
# containers to the next one).
dk_remove_all() {
    local ids
    ids=$(dk ps -aq 2>/dev/null)
    # shellcheck disable=SC2086 # one id a word
    [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
}

# Stop dockerd by its pid, wait for it, and remove $T.
dk_teardown_file() {
    local pid cg=
    [ -n "${T:-}" ] || return 0
    case $T in
    /tmp/berth-docker.*) ;;
    *) return 0 ;;
    esac
    pid=$(cat "$T/dockerd.started" 2>/dev/null)
    if [ -n "$pid" ] && dk_is_ours "$pid"; then
        dk_remove_all
        engine_stop_daemon "$pid" dk_is_ours
    fi
    # The containerd of our dockerd and its shims, if they outlived it.
    engine_kill_matching "$T/exec/containerd/containerd"
    [ -n "${CG2:-}" ] && [ -z "$DK_CG_PARENT_WAS_THERE" ] && cg=$CG2/docker
    engine_final_cleanup "$(dk_state_root)" "$T" "$cg"
}

dk_setup() {
    [ -z "${DK_SKIP:-}" ] || skip "$DK_SKIP"
}

dk_teardown() {
    [ -z "${DK_SKIP:-}" ] || return 0
    dk_remove_all
}

# The full id of container NAME.
dk_id() {
    dk inspect -f '{{.Id}}' "$1"
}

# Nothing of container ID (full id) is left once Docker removed it: no
# berth state dir, no mount here or in dockerd's namespace, no process
# (engine_processes_of), no cgroup.
dk_assert_gone() {
    local id=$1
    engine_assert_gone "$id" "$(dk_state_root)" "/proc/$(dk_pid)/mountinfo" || return 1
    if [ -n "${CG2:-}" ] && [ -e "$CG2/docker/$id" ]; then
        echo "cgroup '$CG2/docker/$id' is left" >&2
        return 1
    fi
}

# Wait (10 s at most) until container NAME's State.Status is STATUS.
dk_wait_status() {
    local name=$1 want=$2 got
    for _ in $(seq 1 100); do
        got=$(dk inspect -f '{{.State.Status}}' "$name" 2>/dev/null)
        [ "$got" = "$want" ] && return 0
        sleep 0.1
    done
    echo "container '$name' is '$got', not '$want'" >&2
    return 1
}

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Time `docker run --rm IMAGE /bin/true` with berth, runc and crun as the
# runtime (`docker run --runtime`), side by side in one hyperfine
# invocation, and print each runtime's median and its ratio to runc's.
#
#   tests/bench/docker.sh            30 timed runs per runtime (3 warm-up)
#   tests/bench/docker.sh -r 100     more runs
#
# Needs root and Docker (tests/install-deps --docker).  dockerd runs
# privately, as in tests/engines/docker.bats: its data and exec roots and
# socket in a temporary directory, /run a tmpfs in a mount namespace of its
# own, no bridge and no firewall changes, the three runtimes registered by
# path.  The image is built offline (tests/image/mkimage.py busybox).  A
# runtime whose trial run fails (crun 1.8.1 on a hybrid cgroup host) is
# left out with a note.  BUILD (default build) is honoured.
set -euo pipefail

runs=30
while getopts r:h opt; do
    case $opt in
    r) runs=$OPTARG ;;
    *)
        sed -n '3,16s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/../.."
# shellcheck source=tests/bench/engine-bench.bash
. tests/bench/engine-bench.bash
build=${BUILD:-build}

note() {
    echo "docker.sh: $*" >&2
}

if [ "$(id -u)" != 0 ]; then
    note "needs root"
    exit 77
fi
client=/usr/bin/docker
[ -x "$client" ] || client=$(command -v docker 2>/dev/null) || client=
for tool in dockerd hyperfine runc jq python3 unshare; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps --docker"
        exit 77
    fi
done
[ -n "$client" ] || {
    note "the docker client is not installed; see tests/install-deps --docker"
    exit 77
}

make --no-print-directory BUILD="$build" "$build/berth" >&2
berth=$(realpath "$build/berth")

T=$(mktemp -d /tmp/berth-bench-docker.XXXXXX)
runtimes="\"berth\": {\"path\": \"$berth\"}"
for rt in runc crun; do
    p=$(command -v "$rt" 2>/dev/null) && runtimes+=", \"$rt-bench\": {\"path\": \"$p\"}"
done
cat >"$T/daemon.json" <<JSON
{
  "data-root": "$T/data", "exec-root": "$T/exec", "pidfile": "$T/docker.pid",
  "hosts": ["unix://$T/docker.sock"],
  "iptables": false, "ip6tables": false, "ip-masq": false, "ip-forward": false,
  "bridge": "none", "storage-driver": "overlay2",
  "exec-opts": ["native.cgroupdriver=cgroupfs"],
  "runtimes": {$runtimes}
}
JSON
dk() {
    DOCKER_HOST="unix://$T/docker.sock" DOCKER_CONFIG="$T/client" "$client" "$@"
}
dockerd_pid=
cleanup() {
    local ids
    ids=$(dk ps -aq 2>/dev/null) || true
    # shellcheck disable=SC2086 # one id a word
    [ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1 || true
    if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
        kill -TERM "$dockerd_pid"
        for _ in $(seq 1 150); do
            kill -0 "$dockerd_pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/client"
# shellcheck disable=SC2016 # $1 is for that sh
(
    cd / || exit 1
    exec unshare --mount --propagation private \
        sh -c 'mount -t tmpfs -o mode=0755,size=16m berth-bench-run /run && exec dockerd --config-file "$1"' \
        sh "$T/daemon.json" >"$T/dockerd.log" 2>&1 </dev/null
) &
dockerd_pid=$!
for _ in $(seq 1 300); do
    dk version >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || {
        note "dockerd exited: $(tail -n 1 "$T/dockerd.log")"
        exit 1
    }
    sleep 0.1
done
python3 tests/image/mkimage.py busybox --docker-archive "$T/image.tar" "$T/oci" >/dev/null
dk load -i "$T/image.tar" >/dev/null

image=berth-test:latest
names=() cmds=()
for rt in berth runc crun; do
    name=$rt
    [ "$rt" = berth ] || name=$rt-bench
    if ! dk info --format '{{json .Runtimes}}' | jq -e --arg n "$name" 'has($n)' >/dev/null; then
        note "$rt is not installed: left out"
        continue
    fi
    if ! err=$(dk run --rm --network none --runtime "$name" "$image" /bin/true 2>&1); then
        note "$rt cannot run here, left out: $(tail -n 1 <<<"$err")"
        continue
    fi
    names+=("$rt")
    cmds+=("env DOCKER_HOST=unix://$T/docker.sock DOCKER_CONFIG=$T/client $client run --rm --network none --runtime $name $image /bin/true")
done
engine_bench "$runs" "$T/hf.json" "$(dockerd --version)"

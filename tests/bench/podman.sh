#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Time `podman run --rm IMAGE /bin/true` with berth, runc and crun as the
# runtime (`podman --runtime`), side by side in one hyperfine invocation, and
# print each runtime's median and its ratio to runc's.
#
#   tests/bench/podman.sh            30 timed runs per runtime (3 warm-up)
#   tests/bench/podman.sh -r 100     more runs
#
# Needs root and podman.  podman runs with a private store in a temporary
# directory (vfs, cgroupfs, no network, the events in a file: the same
# settings as tests/engines/podman.bats), so the machine's own podman state
# is not touched.  The image is built offline (tests/image/mkimage.py
# busybox).  A runtime whose trial run fails (crun 1.8.1 on a hybrid cgroup
# host) is left out with a note.  BUILD (default build) is honoured.
set -euo pipefail

runs=30
while getopts r:h opt; do
    case $opt in
    r) runs=$OPTARG ;;
    *)
        sed -n '3,15s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/../.."
# shellcheck source=tests/bench/engine-bench.bash
. tests/bench/engine-bench.bash
build=${BUILD:-build}

note() {
    echo "podman.sh: $*" >&2
}

if [ "$(id -u)" != 0 ]; then
    note "needs root"
    exit 77
fi
for tool in podman hyperfine runc jq python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps"
        exit 77
    fi
done

make --no-print-directory BUILD="$build" "$build/berth" >&2
berth=$(realpath "$build/berth")

T=$(mktemp -d /tmp/berth-bench-podman.XXXXXX)
pm() {
    podman --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp" \
        --cgroup-manager cgroupfs --events-backend file --storage-driver vfs "$@"
}
cleanup() {
    pm rm -a -f -t 0 >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/root" "$T/runroot" "$T/tmp"
# pids_limit: berth applies limits with cgroup v2 only, and a hybrid host has
# no v2 pids controller (see tests/engines/podman.bats).
cat >"$T/containers.conf" <<EOF
[containers]
pids_limit = 0

[engine]
image_copy_tmp_dir = "$T/tmp"

[network]
network_config_dir = "$T/networks"
EOF
export CONTAINERS_CONF="$T/containers.conf"
export CONTAINERS_REGISTRIES_CONF="$T/registries.conf"
echo 'unqualified-search-registries = []' >"$CONTAINERS_REGISTRIES_CONF"
python3 tests/image/mkimage.py busybox --docker-archive "$T/image.tar" "$T/oci" >/dev/null
pm load -i "$T/image.tar" >"$T/load.log" 2>&1 || {
    note "podman load failed: $(tail -n 1 "$T/load.log")"
    exit 1
}

image=localhost/berth-test:latest
run_args="run --rm --network none --ulimit nofile=20000:20000 --ulimit nproc=32768:32768"
names=() cmds=()
for rt in berth runc crun; do
    path=$berth
    [ "$rt" = berth ] || path=$(command -v "$rt" 2>/dev/null) || {
        note "$rt is not installed: left out"
        continue
    }
    # shellcheck disable=SC2086 # run_args is a list of words
    if ! err=$(pm --runtime "$path" $run_args "$image" /bin/true 2>&1); then
        note "$rt cannot run here, left out: $(tail -n 1 <<<"$err")"
        continue
    fi
    names+=("$rt")
    cmds+=("podman --root $T/root --runroot $T/runroot --tmpdir $T/tmp --cgroup-manager cgroupfs --events-backend file --storage-driver vfs --runtime $path $run_args $image /bin/true")
done
engine_bench "$runs" "$T/hf.json" "$(podman --version)"

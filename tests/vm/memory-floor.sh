#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The memory floor (issue 6, "Bars"): the smallest memory.max under which
# `run` of /bin/true still succeeds, for berth and for crun side by side.
# crun claims 512 KiB; runc needs 4 MiB.
#
# Runs in the tests/vm guest as root: tests/vm/run --bench memory-floor.
# For each runtime it first checks that the limit reaches the container
# (a container sleeping under memory.max of 32 MiB, whose cgroup must show
# that limit and hold its process), then bisects memory.max in whole pages
# between 4 KiB and 64 MiB, and confirms the floor by running at it 3 more
# times (a failure there moves the floor up a page and tries again) and once
# a page below it.  The container's cgroup is /berth-floor/RUNTIME-N
# (cgroupsPath), the rootfs busybox, the process /bin/true.
#
# The environment: BERTH (the binary), CRUN (default crun; "none" skips it).
# Prints one line per runtime and ends with
#   memory-floor: berth N KiB, crun N KiB
# The exit status is 1 when a runtime could not be measured.
set -uo pipefail

BERTH=${BERTH:?BERTH must point at the berth binary}
CRUN=${CRUN:-crun}
PAGE=$(getconf PAGESIZE)
LO=$PAGE
HI=$((64 * 1024 * 1024))
CG=/sys/fs/cgroup
PARENT=$CG/berth-floor

[ "$(id -u)" = 0 ] || {
    echo "memory-floor: needs root (it runs in the tests/vm guest)" >&2
    exit 1
}
grep -qw memory $CG/cgroup.controllers 2>/dev/null || {
    echo "memory-floor: no memory controller in $CG (run it in the VM: tests/vm/run --bench memory-floor)" >&2
    exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/memory-floor.XXXXXX") || exit 1
trap 'rm -rf "$WORK"; rmdir "$PARENT"/* "$PARENT" 2>/dev/null' EXIT

# The bundle: busybox as the rootfs, a config from `berth spec` (both
# runtimes read the same file).
B=$WORK/bundle
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/sys" "$B/rootfs/tmp" || exit 1
cp "$(command -v busybox)" "$B/rootfs/bin/busybox" || exit 1
for a in sh true sleep; do
    ln -s busybox "$B/rootfs/bin/$a"
done
"$BERTH" spec --bundle "$B" || exit 1
# ociVersion 1.0.2: crun 1.8 refuses versions it does not know.
jq '.process.terminal = false | .ociVersion = "1.0.2"' "$B/config.json" >"$B/base.json" || exit 1

mkdir -p "$PARENT" && echo +memory >"$PARENT/cgroup.subtree_control" || {
    echo "memory-floor: cannot set up $PARENT" >&2
    exit 1
}

n=0
# run_under RUNTIME LIMIT ARGS...: run the bundle with memory.max LIMIT and
# process.args ARGS under RUNTIME (berth or crun); the runtime's status.
# The output goes to $WORK/last.out.
run_under() {
    local rt=$1 limit=$2 id rc
    shift 2
    n=$((n + 1))
    id=floor-$n
    jq --argjson l "$limit" --arg p "/berth-floor/$rt-$n" --args '
        .process.args = $ARGS.positional
        | .linux.cgroupsPath = $p
        | .linux.resources.memory = {"limit": $l}' -- "$@" <"$B/base.json" >"$B/config.json" ||
        return 125
    case $rt in
    berth)
        (cd "$B" && timeout 60 "$BERTH" --root "$WORK/berth-state" run "$id") \
            </dev/null >"$WORK/last.out" 2>&1
        ;;
    crun)
        timeout 60 "$CRUN" --root "$WORK/crun-state" --cgroup-manager=cgroupfs run \
            --bundle "$B" "$id" </dev/null >"$WORK/last.out" 2>&1
        ;;
    esac
    rc=$?
    # A run killed half-way may leave its cgroup behind.
    rmdir "$PARENT/$rt-$n" 2>/dev/null
    return $rc
}

# limit_reaches RUNTIME: does a container of RUNTIME run in
# /berth-floor/RUNTIME-N under memory.max 32 MiB?
limit_reaches() {
    local rt=$1 want=$((32 * 1024 * 1024)) dir got='' procs='' pid
    run_under "$rt" "$want" sleep 600 &
    pid=$!
    dir=$PARENT/$rt-$((n + 1))
    # (cgroup files have no size: read them.)
    for _ in $(seq 300); do
        procs=$(cat "$dir/cgroup.procs" 2>/dev/null)
        [ -n "$procs" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    got=$(cat "$dir/memory.max" 2>/dev/null)
    # The container's init is PID 1 of its namespace: only SIGKILL reaches
    # it from outside.
    # shellcheck disable=SC2086 # one pid a word
    [ -n "$procs" ] && kill -KILL $procs 2>/dev/null
    wait "$pid"
    n=$((n + 1))
    if [ "$got" != "$want" ] || [ -z "$procs" ]; then
        echo "memory-floor: $rt: a container with memory.limit $want ran with memory.max '${got:-none}' and process(es) '$procs' in $dir; the limit does not reach it:"
        sed 's/^/  /' "$WORK/last.out"
        return 1
    fi
}

# floor RUNTIME: print the floor in bytes.
floor() {
    local rt=$1 lo=$LO hi=$HI mid
    run_under "$rt" "$hi" /bin/true || {
        echo "memory-floor: $rt: /bin/true fails even under $hi bytes:" >&2
        sed 's/^/  /' "$WORK/last.out" >&2
        return 1
    }
    if run_under "$rt" "$lo" /bin/true; then
        echo "$lo"
        return 0
    fi
    # Invariant: fails at lo, runs at hi.
    while [ $((hi - lo)) -gt "$PAGE" ]; do
        mid=$(((lo + hi) / 2 / PAGE * PAGE))
        if run_under "$rt" "$mid" /bin/true; then
            hi=$mid
        else
            lo=$mid
        fi
    done
    # Confirm: 3 more runs at the floor; a failure moves it up a page.
    for _ in $(seq 16); do
        if run_under "$rt" "$hi" /bin/true && run_under "$rt" "$hi" /bin/true &&
            run_under "$rt" "$hi" /bin/true; then
            echo "$hi"
            return 0
        fi
        hi=$((hi + PAGE))
    done
    echo "memory-floor: $rt: no stable floor near $hi bytes" >&2
    return 1
}

# measure RUNTIME: print "RUNTIME N" (KiB) or "RUNTIME -".
measure() {
    local rt=$1 f
    if ! limit_reaches "$rt" >&2; then
        echo "$rt -"
        return 1
    fi
    if ! f=$(floor "$rt"); then
        echo "$rt -"
        return 1
    fi
    # The page below the floor fails (the bisection says so; show why).
    if run_under "$rt" $((f - PAGE)) /bin/true; then
        echo "memory-floor: $rt: ran under $((f - PAGE)) bytes too, this time" >&2
    else
        echo "memory-floor: $rt: under $(((f - PAGE) / 1024)) KiB: $(tail -n 1 "$WORK/last.out")" >&2
    fi
    echo "memory-floor: $rt runs /bin/true under memory.max of $f bytes ($((f / 1024)) KiB)" >&2
    echo "$rt $((f / 1024))"
}

echo "memory-floor: kernel $(uname -r), page $PAGE bytes; $("$BERTH" --version | head -n 1)"
status=0
results=()
r=$(measure berth) || status=1
results+=("$r")
if [ "$CRUN" = none ]; then
    echo "memory-floor: crun skipped (CRUN=none)"
elif command -v "$CRUN" >/dev/null; then
    echo "memory-floor: $("$CRUN" --version | head -n 1)"
    r=$(measure crun) || status=1
    results+=("$r")
else
    echo "memory-floor: no '$CRUN' to compare with"
    status=1
fi

summary=
for r in "${results[@]}"; do
    # shellcheck disable=SC2086 # "RUNTIME KIB", split on purpose
    set -- $r
    if [ "$2" = - ]; then
        summary="$summary${summary:+, }$1 not measured"
    else
        summary="$summary${summary:+, }$1 $2 KiB"
    fi
done
echo "memory-floor: $summary"
exit $status

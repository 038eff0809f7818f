#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Time `run` of /bin/true in a busybox-static bundle: berth, runc and crun
# side by side in one hyperfine invocation, as root and (as BENCH_USER)
# without root, and measure each runtime's peak RSS with /usr/bin/time.
# Prints hyperfine's report on stderr and a markdown table on stdout.
#
#   tests/bench/run.sh             50 timed runs per runtime (3 warm-up)
#   tests/bench/run.sh -r 200      more runs
#   tests/bench/run.sh -m 20       more peak-RSS samples (default 10)
#   tests/bench/run.sh -x          `exec` of /bin/true into a running
#                                  container instead (each runtime runs
#                                  its own, detached, with `sleep`)
#
# Needs root (the root variant, and runuser for the rootless one).
# BUILD (default build) is honoured; BENCH_USER (default berth-test) is the
# unprivileged user of the rootless variant.  A runtime whose trial run
# fails on this host (crun 1.8.1 on hybrid cgroups) is left out with a note.
set -eu

runs=50
rss_runs=10
op=run
while getopts r:m:xh opt; do
    case $opt in
    r) runs=$OPTARG ;;
    m) rss_runs=$OPTARG ;;
    x) op=exec ;;
    *)
        sed -n '3,18s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/../.."
build=${BUILD:-build}
user=${BENCH_USER:-berth-test}

note() {
    echo "run.sh: $*" >&2
}

if [ "$(id -u)" != 0 ]; then
    note "needs root (the root variant, and runuser for the rootless one)"
    exit 77
fi
for tool in hyperfine runc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is missing: apt-get install $tool"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" </dev/null >&2 || true
    fi
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps"
        exit 77
    fi
done
for tool in jq /usr/bin/time busybox runuser; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps"
        exit 77
    fi
done

make --no-print-directory BUILD="$build" "$build/berth" >&2
berth=$(realpath "$build/berth")
busybox=$(command -v busybox)
if ldd "$busybox" >/dev/null 2>&1; then
    note "$busybox is linked dynamically: the bundle needs busybox-static"
    exit 77
fi

tmp=$(mktemp -d /tmp/berth-bench.XXXXXX)
# The rootless variant lives in a subdirectory that BENCH_USER owns.
chmod 711 "$tmp"
id=bench

# runtime_cmd RUNTIME STATE: the command line of RUNTIME with its state root.
runtime_cmd() {
    case $1 in
    berth) echo "$berth --root $2" ;;
    *) echo "$1 --root $2" ;;
    esac
}

# as USER CMD...: CMD as USER ("root" runs it directly), without a session's
# runtime directory so that every runtime uses the --root it is given.
as() {
    u=$1
    shift
    if [ "$u" = root ]; then
        "$@"
    else
        runuser -u "$u" -- env XDG_RUNTIME_DIR= HOME="$tmp/rootless" "$@"
    fi
}

cleanup() {
    for variant in root rootless; do
        [ -d "$tmp/$variant" ] || continue
        u=root
        [ "$variant" = root ] || u=$user
        for rt in berth runc crun; do
            [ -d "$tmp/$variant/state-$rt" ] || continue
            command -v "$rt" >/dev/null 2>&1 || [ "$rt" = berth ] || continue
            for cid in "$id" "$id-trial" "$id-exec"; do
                # shellcheck disable=SC2046 # the command line is split on purpose
                as "$u" $(runtime_cmd "$rt" "$tmp/$variant/state-$rt") delete --force "$cid" \
                    >/dev/null 2>&1 </dev/null || true
            done
        done
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# make_bundle DIR SPEC-FLAGS USER: a busybox-static rootfs and a config
# from `berth spec` (run as USER, so that a rootless config maps USER's ids)
# with /bin/true as the process.  Every runtime reads the same config.json.
make_bundle() {
    dir=$1
    mkdir -p "$dir/rootfs/bin"
    cp "$busybox" "$dir/rootfs/bin/busybox"
    ln -s busybox "$dir/rootfs/bin/true"
    ln -s busybox "$dir/rootfs/bin/sleep"
    args='["/bin/true"]'
    [ "$op" = run ] || args='["/bin/sleep", "100000"]'
    [ "$3" = root ] || chown -R "$3" "$dir"
    # shellcheck disable=SC2086 # $2 is zero or one flag
    as "$3" "$berth" spec $2 --bundle "$dir"
    # ociVersion 1.0.2: crun 1.8.1 rejects the 1.3.0 that berth writes
    # ("unknown version specified"); runc and berth accept both.
    jq --argjson args "$args" '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = $args' \
        "$dir/config.json" >"$dir/config.json.new"
    mv "$dir/config.json.new" "$dir/config.json"
    [ "$3" = root ] || chown "$3" "$dir/config.json"
}

# timed VARIANT RUNTIME: the command line that is timed: `run` of the
# bundle, or `exec` of /bin/true into the container started by trial.
timed() {
    if [ "$op" = run ]; then
        echo "$(runtime_cmd "$2" "$tmp/$1/state-$2") run -b $tmp/$1/bundle $id"
    else
        echo "$(runtime_cmd "$2" "$tmp/$1/state-$2") exec $id-exec /bin/true"
    fi
}

# trial VARIANT USER RUNTIME: one run (for exec: start the container, then
# one exec); on failure print a note and return 1.
trial() {
    state=$tmp/$1/state-$3
    if [ "$op" = exec ]; then
        # shellcheck disable=SC2046 # the command line is split on purpose
        if as "$2" timeout 60 $(runtime_cmd "$3" "$state") run -d -b "$tmp/$1/bundle" "$id-exec" \
            </dev/null >"$tmp/$1/trial-$3.out" 2>&1 &&
            as "$2" timeout 60 $(timed "$1" "$3") </dev/null >>"$tmp/$1/trial-$3.out" 2>&1; then
            return 0
        fi
        # shellcheck disable=SC2046 # the command line is split on purpose
        as "$2" $(runtime_cmd "$3" "$state") delete --force "$id-exec" </dev/null >/dev/null 2>&1 || true
    # shellcheck disable=SC2046 # the command line is split on purpose
    elif as "$2" timeout 60 $(runtime_cmd "$3" "$state") run -b "$tmp/$1/bundle" "$id-trial" \
        </dev/null >"$tmp/$1/trial-$3.out" 2>&1; then
        return 0
    fi
    note "$3 left out of the $1 variant: its trial run failed: $(head -n 3 "$tmp/$1/trial-$3.out")"
    # shellcheck disable=SC2046 # the command line is split on purpose
    as "$2" $(runtime_cmd "$3" "$state") delete --force "$id-trial" </dev/null >/dev/null 2>&1 || true
    return 1
}

# peak_rss VARIANT USER RUNTIME: the median over $rss_runs runs of the
# maximum resident set size, in KiB, that /usr/bin/time reports for `run`
# (or `exec`).
peak_rss() {
    i=0
    while [ "$i" -lt "$rss_runs" ]; do
        # shellcheck disable=SC2046 # the command line is split on purpose
        if as "$2" /usr/bin/time -f %M -o "$tmp/$1/rss-$3.$i" $(timed "$1" "$3") \
            </dev/null >/dev/null 2>&1; then
            tail -n 1 "$tmp/$1/rss-$3.$i"
        else
            note "$1: $3 $op failed while measuring its peak RSS"
        fi
        i=$((i + 1))
    done | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench VARIANT USER: trial runs, one hyperfine invocation over the runtimes
# that work, peak RSS; appends the variant's rows to $tmp/rows.
bench() {
    variant=$1
    u=$2
    vdir=$tmp/$variant
    mkdir -p "$vdir"
    [ "$u" = root ] || chown "$u" "$vdir"
    if [ "$variant" = root ]; then
        make_bundle "$vdir/bundle" "" root
    else
        make_bundle "$vdir/bundle" --rootless "$u"
    fi
    set --
    names=
    for rt in berth runc crun; do
        if [ "$rt" != berth ] && ! command -v "$rt" >/dev/null 2>&1; then
            note "$rt is not installed: left out"
            continue
        fi
        if ! trial "$variant" "$u" "$rt"; then
            if [ "$rt" = berth ]; then
                note "berth does not run the bundle: $(cat "$vdir/trial-berth.out")"
                exit 1
            fi
            continue
        fi
        names="$names $rt"
        set -- "$@" -n "$rt" "$(timed "$variant" "$rt")"
    done
    [ "$u" = root ] || chown "$u" "$vdir"
    note "$variant: hyperfine over$names ($runs runs each)"
    # One invocation, so that the runtimes are measured side by side under
    # the same machine load.  No shell: the commands are plain argv.
    as "$u" hyperfine -N --style basic --warmup 3 --runs "$runs" \
        --export-json "$vdir/hyperfine.json" "$@" >&2
    for rt in $names; do
        # The median wall time, and the mean CPU time (hyperfine gives no
        # median of it) of the runtime and the processes it waited for.
        times=$(jq -r --arg n "$rt" '.results[] | select(.command == $n) |
            "\(.median) \(.user + .system)"' "$vdir/hyperfine.json")
        rss=$(peak_rss "$variant" "$u" "$rt")
        echo "$variant $rt $times $rss" >>"$tmp/rows"
    done
}

: >"$tmp/rows"
load=$(cut -d ' ' -f 1-3 /proc/loadavg)
bench root root
if id "$user" >/dev/null 2>&1; then
    bench rootless "$user"
else
    note "user '$user' does not exist: the rootless variant is left out (set BENCH_USER)"
fi

# The table: medians, the ratio to runc of the same variant, peak RSS.
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
echo
what="\`$op\` of /bin/true"
[ "$op" = run ] || what="$what into a running container (busybox sleep)"
echo "$what, busybox-static bundle; $(nproc) CPUs," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r)," \
    "commit $commit; $runs runs each, peak RSS median of $rss_runs;" \
    "load average $load at the start"
echo
echo "| variant | runtime | median wall time | relative to runc | CPU user+sys (mean) | relative to runc | peak RSS (KiB) |"
echo "|---|---|---:|---:|---:|---:|---:|"
awk '
    function ratio(v, r) { return r > 0 ? sprintf("%.2f", v / r) : "n/a" }
    { variant[NR] = $1; rt[NR] = $2; med[NR] = $3; cpu[NR] = $4; rss[NR] = $5
      if ($2 == "runc") { runc_med[$1] = $3; runc_cpu[$1] = $4 } }
    END {
        for (i = 1; i <= NR; i++)
            printf "| %s | %s | %.1f ms | %s | %.1f ms | %s | %d |\n", variant[i], rt[i],
                med[i] * 1000, ratio(med[i], runc_med[variant[i]]), cpu[i] * 1000,
                ratio(cpu[i], runc_cpu[variant[i]]), rss[i]
    }' "$tmp/rows"
echo
echo "peak RSS: /usr/bin/time's %M for the runtime's \`$op\` in the foreground, which stays the"
echo "parent of what it starts: the largest peak of the runtime process and of the processes it"
echo "waited for (its helpers, the container's /bin/true), not their sum."

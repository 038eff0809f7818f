#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What the default seccomp profile costs: `run` of /bin/true in a
# busybox-static bundle without linux.seccomp and with the profile that
# `berth spec` writes, for berth (with its cache of compiled filters, with
# that cache emptied before every run, and with a fresh state root for
# every run) and runc (and crun where it runs), side by side in one
# hyperfine invocation.  Prints hyperfine's report on stderr and a markdown
# table on stdout: the median wall time and the mean CPU time (user +
# system, with the processes waited for) of each, the cost the profile adds
# to both, and each wall time with the profile over runc's.
#
#   tests/bench/seccomp.sh             50 timed runs each (3 warm-up)
#   tests/bench/seccomp.sh -r 200      more runs
#   tests/bench/seccomp.sh -u USER     as USER, rootless (default: root)
#   tests/bench/seccomp.sh -c OLD      also OLD, another berth binary (say,
#                                      a build of an older commit), timed
#                                      the same three ways (old, old-cold,
#                                      old-fresh) in the same invocation
#   tests/bench/seccomp.sh -b          berth only: leave runc and crun out
#
# Needs root (runuser for the rootless variant).  BUILD (default build) is
# honoured.  A runtime whose trial run fails here is left out with a note.
set -eu

runs=50
user=root
old=
others="runc crun"
while getopts r:u:c:bh opt; do
    case $opt in
    r) runs=$OPTARG ;;
    u) user=$OPTARG ;;
    c) old=$OPTARG ;;
    b) others= ;;
    *)
        sed -n '3,22s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/../.."
build=${BUILD:-build}

note() {
    echo "seccomp.sh: $*" >&2
}

if [ "$(id -u)" != 0 ]; then
    note "needs root (and runuser for the rootless variant)"
    exit 77
fi
for tool in hyperfine jq busybox runuser $others; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps"
        exit 77
    fi
done

make --no-print-directory BUILD="$build" "$build/berth" >&2
busybox=$(command -v busybox)
if ldd "$busybox" >/dev/null 2>&1; then
    note "$busybox is linked dynamically: the bundle needs busybox-static"
    exit 77
fi

tmp=$(mktemp -d /tmp/berth-bench-seccomp.XXXXXX)
chmod 711 "$tmp"
# Copies, which a rebuild during the run cannot replace.
cp "$build/berth" "$tmp/berth"
berth=$tmp/berth
runtimes="berth berth-cold berth-fresh"
if [ -n "$old" ]; then
    cp "$old" "$tmp/berth-old"
    runtimes="$runtimes old old-cold old-fresh"
fi
runtimes="$runtimes $others"
[ "$user" = root ] || chown "$user" "$tmp"
id=bench

# exe RUNTIME: its binary.
exe() {
    case $1 in
    berth*) echo "$berth" ;;
    old*) echo "$tmp/berth-old" ;;
    *) echo "$1" ;;
    esac
}

as() {
    if [ "$user" = root ]; then
        "$@"
    else
        runuser -u "$user" -- env XDG_RUNTIME_DIR= HOME="$tmp" "$@"
    fi
}

cleanup() {
    for rt in $runtimes; do
        [ -d "$tmp/state-$rt" ] || continue
        for b in with without; do
            as "$(exe "$rt")" --root "$tmp/state-$rt" delete --force "$id-$b" >/dev/null 2>&1 </dev/null ||
                true
        done
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two bundles from one `berth spec`: with its seccomp profile, and without.
flag=
[ "$user" = root ] || flag=--rootless
for b in with without; do
    mkdir -p "$tmp/$b/rootfs/bin"
    cp "$busybox" "$tmp/$b/rootfs/bin/busybox"
    ln -s busybox "$tmp/$b/rootfs/bin/true"
done
[ "$user" = root ] || chown -R "$user" "$tmp/with" "$tmp/without"
as "$berth" spec $flag --bundle "$tmp/with"
# ociVersion 1.0.2: crun 1.8.1 rejects 1.3.0; runc and berth accept both.
jq '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"]' \
    "$tmp/with/config.json" >"$tmp/with/config.json.new"
mv "$tmp/with/config.json.new" "$tmp/with/config.json"
jq 'del(.linux.seccomp)' "$tmp/with/config.json" >"$tmp/without/config.json"
[ "$user" = root ] || chown "$user" "$tmp/with/config.json" "$tmp/without/config.json"
profile_rules=$(jq '[.linux.seccomp.syscalls[].names[]] | length' "$tmp/with/config.json")
profile_arches=$(jq -r '.linux.seccomp.architectures | join(",")' "$tmp/with/config.json")

# cmd RUNTIME BUNDLE: the command line of one `run`.
cmd() {
    echo "$(exe "$1") --root $tmp/state-$1 run -b $tmp/$2 $id-$2"
}

set --
names=
for rt in $runtimes; do
    case $rt in
    berth* | old*) ;;
    *) command -v "$rt" >/dev/null 2>&1 || continue ;;
    esac
    ok=true
    for b in without with; do
        # shellcheck disable=SC2046 # the command line is split on purpose
        if ! as timeout 60 $(cmd "$rt" "$b") </dev/null >"$tmp/trial-$rt-$b.out" 2>&1; then
            note "$rt left out: its trial run failed ($b profile): $(head -n 3 "$tmp/trial-$rt-$b.out")"
            ok=false
            break
        fi
    done
    $ok || continue
    for b in without with; do
        case $rt/$b in
        *-cold/without) continue ;;
        esac
        names="$names $rt/$b"
        case $rt in
        *-cold)
            # The cache emptied before each run: the first `create` of a
            # config, which compiles.
            set -- "$@" --prepare "rm -rf $tmp/state-$rt/seccomp@cache" \
                -n "$rt/$b" "$(cmd "$rt" "$b")"
            ;;
        *-fresh)
            # No state root at all: the first container of a host (or of
            # a new --root), both with and without the profile.
            set -- "$@" --prepare "rm -rf $tmp/state-$rt" -n "$rt/$b" "$(cmd "$rt" "$b")"
            ;;
        *) set -- "$@" --prepare true -n "$rt/$b" "$(cmd "$rt" "$b")" ;;
        esac
    done
done
[ "$user" = root ] || chown -R "$user" "$tmp"
note "hyperfine over$names ($runs runs each)"
as hyperfine -N --style basic --warmup 3 --runs "$runs" --export-json "$tmp/hyperfine.json" \
    "$@" >&2

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
echo
echo "\`run\` of /bin/true as $user, busybox-static bundle, with and without the default" \
    "profile of \`berth spec\` ($profile_rules syscall names; $profile_arches);" \
    "$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
    "Linux $(uname -r), commit $commit; $runs runs each, medians"
echo
echo "| runtime | without | with the profile | added | CPU without | CPU with | CPU added | with, relative to runc with |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
jq -r '.results[] | "\(.command) \(.median) \(.user + .system)"' "$tmp/hyperfine.json" | awk '
    { split($1, p, "/"); t[p[1] "/" p[2]] = $2; c[p[1] "/" p[2]] = $3
      if (!(p[1] in seen)) { seen[p[1]] = 1; order[++n] = p[1] } }
    END {
        runc = t["runc/with"] + 0
        for (i = 1; i <= n; i++) {
            rt = order[i]
            base = rt; sub(/-cold$/, "", base); base = base "/without"
            w = t[rt "/with"]; wo = t[base] + 0
            cw = c[rt "/with"]; cwo = c[base] + 0
            # (In parentheses: a bare ">" in printf arguments is a redirection.)
            printf "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %s |\n", rt,
                wo * 1000, w * 1000, (w - wo) * 1000, cwo * 1000, cw * 1000, (cw - cwo) * 1000,
                (runc > 0 ? sprintf("%.3f", w / runc) : "n/a")
        }
    }'
echo
echo "berth: the state root and its cache of compiled filters (seccomp@cache) stay;"
echo "berth-cold: that cache is emptied before each run (the first container of a config);"
echo "berth-fresh: the whole state root is removed before each run (the first container"
echo "of a host), with and without the profile.  berth compiled the default profile at"
echo "build time, so none of them runs libseccomp for it; a config of your own is compiled"
echo "by the first container (berth-cold) and read from the cache after (berth).  runc"
echo "compiles at every run."
[ -z "$old" ] || echo "old, old-cold, old-fresh: the same with $old."

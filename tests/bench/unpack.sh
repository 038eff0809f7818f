#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Time `berth-image unpack` of a Debian bookworm minbase image against
# `umoci unpack` and plain `tar -xzf` of the same layers, side by side in one
# hyperfine invocation per case: one gzip layer and the same tree in three,
# each unpacked to disk and to a tmpfs.  Measures each tool's peak RSS with
# /usr/bin/time.  Prints hyperfine's report on stderr and a markdown table
# on stdout, with the ratios berth-image/umoci and berth-image/tar.
#
#   tests/bench/unpack.sh             10 timed runs per tool (2 warm-up)
#   tests/bench/unpack.sh -r 30       more runs
#   tests/bench/unpack.sh -m 5        more peak-RSS samples (default 3)
#   tests/bench/unpack.sh -c DIR      cache directory for the rootfs and images
#   tests/bench/unpack.sh -T          leave out the tmpfs cases
#
# Needs root (debootstrap, device nodes, the tmpfs mount).  The rootfs is
# made once with debootstrap from the first bookworm mirror in the apt
# sources and packed with tests/image/mkimage.py; both are kept in the cache
# (default ${XDG_CACHE_HOME:-~/.cache}/berth-bench).  BUILD (default build)
# is honoured; TMPDIR says where the scratch directory goes.
set -eu

runs=10
rss_runs=3
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/berth-bench
tmpfs=1
while getopts r:m:c:Th opt; do
    case $opt in
    r) runs=$OPTARG ;;
    m) rss_runs=$OPTARG ;;
    c) cache=$OPTARG ;;
    T) tmpfs=0 ;;
    *)
        sed -n '3,20s/^# \{0,1\}//p' "$0" >&2
        exit 2
        ;;
    esac
done

cd "$(dirname "$0")/../.."
src=$(pwd)
build=${BUILD:-build}

note() {
    echo "unpack.sh: $*" >&2
}

if [ "$(id -u)" != 0 ]; then
    note "needs root (debootstrap, device nodes, a tmpfs mount)"
    exit 77
fi
for pkg in hyperfine:hyperfine umoci:umoci debootstrap:debootstrap; do
    tool=${pkg%%:*}
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is missing: apt-get install ${pkg#*:}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkg#*:}" </dev/null >&2 || true
    fi
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps"
        exit 77
    fi
done
for tool in jq python3 tar /usr/bin/time; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        note "$tool is not installed; see tests/install-deps"
        exit 77
    fi
done

make --no-print-directory BUILD="$build" "$build/berth-image" >&2
# A copy: a rebuild during the run changes nothing.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-unpack.XXXXXX")
mounted=
cleanup() {
    if [ -n "$mounted" ]; then
        umount "$mounted" || note "could not unmount '$mounted'"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cp "$build/berth-image" "$tmp/berth-image"
bimg=$tmp/berth-image

# ---- the image, made once ----

# The first mirror that serves bookworm, from deb822 sources or a
# sources.list line.
mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
            /^$/ { if (ok && uri != "") { print uri; exit } uri = ""; ok = 0 }
            END { if (ok && uri != "") print uri }' "$f"
    done | head -n 1
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" && $0 ~ / bookworm / {
            for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f"
    done | head -n 1
}

# The rootfs is kept while debootstrap stays the same, the layouts while
# mkimage.py does too.
rootfs=$cache/bookworm-minbase
rootfs_stamp="debootstrap $(debootstrap --version 2>/dev/null)"
if [ "$(cat "$cache/rootfs.stamp" 2>/dev/null)" != "$rootfs_stamp" ]; then
    url=$(mirror | head -n 1)
    [ -n "$url" ] || {
        note "no bookworm mirror in /etc/apt/sources.list*"
        exit 1
    }
    rm -rf "$cache"
    mkdir -p "$cache"
    note "debootstrap --variant=minbase bookworm from $url (once, into $cache)"
    debootstrap --variant=minbase bookworm "$rootfs.new" "$url" >"$cache/debootstrap.log" 2>&1 || {
        tail -n 20 "$cache/debootstrap.log" >&2
        exit 1
    }
    # What apt downloaded is not part of an image.
    rm -rf "$rootfs.new/var/cache/apt/archives/"*.deb "$rootfs.new/var/lib/apt/lists/"*_*
    mv "$rootfs.new" "$rootfs"
    echo "$rootfs_stamp" >"$cache/rootfs.stamp"
fi
layout_stamp="mkimage $(sha256sum tests/image/mkimage.py | cut -c1-16)"
if [ "$(cat "$cache/layout.stamp" 2>/dev/null)" != "$layout_stamp" ]; then
    for n in 1 3; do
        note "packing the rootfs as an OCI layout in $n gzip layer(s)"
        rm -rf "$cache/oci-$n"
        python3 tests/image/mkimage.py dir "$rootfs" --oci "$cache/oci-$n" --tag bench \
            --layers "$n" --cmd /bin/bash --summary "$cache/oci-$n.json"
    done
    echo "$layout_stamp" >"$cache/layout.stamp"
fi
size_kib=$(du -sk "$rootfs" | cut -f1)
files=$(find "$rootfs" | wc -l)

# The layer blobs of layout oci-N, in order, as paths.
blobs() {
    jq -r '.images.bench.layers[].digest | ltrimstr("sha256:")' "$cache/oci-$1.json" |
        sed "s|^|$cache/oci-$1/blobs/sha256/|"
}

# ---- the runs ----

rows=$tmp/rows
: >"$rows"

# peak_rss CMD: the median over $rss_runs runs of the peak RSS in KiB, with
# PREP run before each.
peak_rss() {
    i=0
    while [ "$i" -lt "$rss_runs" ]; do
        sh -c "$prep"
        /usr/bin/time -f %M -o "$tmp/rss" sh -c "exec $1" >/dev/null 2>&1 ||
            note "'$1' failed while measuring its peak RSS"
        tail -n 1 "$tmp/rss"
        i=$((i + 1))
    done | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench WHERE LAYERS: the three tools side by side, unpacking oci-LAYERS
# into a fresh directory of WHERE (a directory on disk or the tmpfs).
bench() {
    where=$1 n=$2
    dest=$3
    mkdir -p "$dest"
    tarcmd="mkdir $dest/t"
    for b in $(blobs "$n"); do
        tarcmd="$tarcmd && tar -C $dest/t --numeric-owner -xzf $b"
    done
    # On disk the previous run's tree is moved aside, not deleted: ext4's
    # inode allocator skips inodes freed in the last minutes
    # (recently_deleted() in ialloc.c), so deleting ~7000 of them before
    # each run made every tool spend most of its time in that scan -- a
    # cost of the benchmark, not of unpacking.  The kept trees go at the
    # end; sync gives each run a clean page cache to write into.  A tmpfs
    # has no such scan and too little room to keep the trees.
    if [ "$where" = disk ]; then
        prep="mkdir -p $dest/kept && for d in $dest/b $dest/u $dest/t;"
        prep="$prep do if [ -e \$d ]; then mv \$d \$(mktemp -d $dest/kept/XXXXXX)/; fi; done; sync"
    else
        prep="rm -rf $dest/b $dest/u $dest/t"
    fi
    cmd_berth="$bimg unpack oci:$cache/oci-$n:bench $dest/b"
    cmd_umoci="umoci unpack --image $cache/oci-$n:bench $dest/u"
    cmd_tar="sh -c '$tarcmd'"
    # Each must work before it is timed.
    for c in "$cmd_berth" "$cmd_umoci" "$cmd_tar"; do
        sh -c "$prep"
        sh -c "$c" >/dev/null 2>"$tmp/err" || {
            note "'$c' failed: $(head -n 3 "$tmp/err")"
            exit 1
        }
    done
    note "$where, $n layer(s): hyperfine ($runs runs each)"
    hyperfine --style basic --warmup 2 --runs "$runs" --prepare "$prep" \
        --export-json "$tmp/h.json" \
        -n berth-image "$cmd_berth" -n umoci "$cmd_umoci" -n tar "$cmd_tar" >&2
    rb=$(peak_rss "$cmd_berth")
    ru=$(peak_rss "$cmd_umoci")
    rt=$(peak_rss "$cmd_tar")
    rm -rf "$dest/b" "$dest/u" "$dest/t"
    jq -r --arg w "$where" --arg n "$n" --arg rb "$rb" --arg ru "$ru" --arg rt "$rt" '
        (.results | map({(.command): .}) | add) as $r
        | def cpu(x): x.user + x.system;
          # x with d decimals (d >= 1), as text.
          def fixed(x; d): (pow(10; d)) as $p | (x * $p | round) as $n
              | ($n % $p | tostring) as $f
              | (d - ($f | length)) as $pad
              | "\($n / $p | floor).\(if $pad > 0 then "0" * $pad else "" end)\($f)";
          def ms(x): fixed(x * 1000; 1) + " ms";
          def ratio(a; b): fixed(a / b; 2);
        ["berth-image", "umoci", "tar"][] as $t
        | $r[$t] as $x
        | "| \($w) | \($n) | \($t) | \(ms($x.median)) | \(ms(cpu($x)))"
          + " | \(ratio($x.median; $r["umoci"].median)) | \(ratio($x.median; $r["tar"].median))"
          + " | \({"berth-image": $rb, "umoci": $ru, "tar": $rt}[$t]) |"' \
        "$tmp/h.json" >>"$rows"
}

mkdir "$tmp/disk"
for n in 1 3; do
    bench disk "$n" "$tmp/disk/$n"
done
# Deleted only now, after every disk run (see bench).
rm -rf "$tmp/disk"
if [ "$tmpfs" = 1 ]; then
    mkdir "$tmp/tmpfs"
    mount -t tmpfs -o size=2g,mode=0700 berth-bench "$tmp/tmpfs"
    mounted=$tmp/tmpfs
    for n in 1 3; do
        bench tmpfs "$n" "$tmp/tmpfs"
    done
    umount "$mounted"
    mounted=
fi

echo "Debian bookworm minbase: $files paths, $((size_kib / 1024)) MiB;" \
    "$(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo);" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); berth $(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null || echo '?')"
echo
echo "| destination | layers | tool | median wall time | CPU user+sys (mean) | relative to umoci | relative to tar | peak RSS (KiB) |"
echo "|---|---:|---|---:|---:|---:|---:|---:|"
cat "$rows"

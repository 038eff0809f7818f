#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth-image against other tools: umoci unpacks the same images, and the
# trees must agree (paths, types, modes, owners, sizes, link targets, content
# hashes, xattrs, and the times of all but directories: umoci keeps a
# directory's time when an upper layer adds to it, berth-image does not); skopeo converts between oci, oci-archive and
# docker-archive (and recompresses), and berth-image must give the same tree
# from each form.  Without root umoci runs with --rootless, or as root of a
# user namespace mapped with our subordinate ids when we have them (the
# mapping berth-image uses, so owners compare as they are).

load helpers
load image-helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup_file() {
    require_berth_image
    F=$BATS_FILE_TMPDIR
    export F
    # Device nodes only where umoci and berth-image both make them.
    local dev='[]'
    if is_root; then
        dev='[{"path": "dev/null2", "type": "char", "major": 1, "minor": 3, "mode": "0666"},
              {"path": "dev/loop9", "type": "block", "major": 7, "minor": 9, "mode": "0660"}]'
    fi
    jq --argjson dev "$dev" '.manifests[0].layers[1].entries += $dev' >"$F/spec.json" <<'EOF'
{"manifests": [
  {"tags": ["rich"],
   "config": {"Cmd": ["/bin/sh", "-c", "echo rich"], "Env": ["A=1"], "WorkingDir": "/data",
              "Labels": {"l": "v"}},
   "layers": [
     {"busybox": true},
     {"compression": "gzip", "entries": [
       {"path": "data", "type": "dir", "mode": "0750", "mtime": 1500000000},
       {"path": "data/hello", "content": "hello\n", "mode": "0640", "mtime": 1600000000},
       {"path": "data/setuid", "content": "#!/bin/sh\n", "mode": "04755"},
       {"path": "data/setgid", "content": "#!/bin/sh\n", "mode": "02755"},
       {"path": "data/sticky", "type": "dir", "mode": "01777"},
       {"path": "data/link", "type": "symlink", "target": "hello", "mtime": 1400000000},
       {"path": "data/abs", "type": "symlink", "target": "/etc/passwd"},
       {"path": "data/hard", "type": "hardlink", "target": "data/hello"},
       {"path": "data/fifo", "type": "fifo", "mode": "0600"},
       {"path": "data/xattr", "content": "x", "xattrs": {"user.berth": "yes"}},
       {"path": "data/big", "repeat": ["0123456789abcdef", 40000]},
       {"path": "data/odd mode", "content": "m", "mode": "0517"},
       {"path": "data/long-name-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "content": "long"},
       {"path": "owned", "type": "dir", "uid": 1000, "gid": 1000, "mode": "0770"},
       {"path": "owned/app", "content": "a", "uid": 1000, "gid": 1000},
       {"path": "owned/www", "content": "w", "uid": 33, "gid": 44, "mode": "0600"},
       {"path": "owned/link", "type": "symlink", "target": "app", "uid": 1000, "gid": 1000},
       {"path": "gone", "type": "dir"},
       {"path": "gone/a", "content": "a"},
       {"path": "opq", "type": "dir", "mode": "0711"},
       {"path": "opq/old", "content": "old"},
       {"path": "to-dir", "content": "file"},
       {"path": "to-link", "type": "dir"},
       {"path": "to-link/x", "content": "x"},
       {"path": "etc/motd", "content": "old\n"}]},
     {"compression": "none", "entries": [
       {"path": "data", "type": "dir", "mode": "0755", "mtime": 1500000000},
       {"path": "data/hard2", "type": "hardlink", "target": "data/hello"},
       {"path": "gone", "type": "whiteout"},
       {"path": "opq", "type": "opaque"},
       {"path": "opq/new", "content": "new"},
       {"path": "to-dir", "type": "dir"},
       {"path": "to-dir/in", "content": "in"},
       {"path": "to-link", "type": "symlink", "target": "data"},
       {"path": "etc/motd", "content": "new\n"}]}]},
  {"tags": ["busybox"], "config": {"Cmd": ["/bin/sh"]}, "layers": [{"busybox": true}]},
  {"index": [
     {"platform": {"os": "linux", "architecture": "amd64"}, "config": {"Cmd": ["/arch"]},
      "layers": [{"entries": [{"path": "arch", "content": "amd64\n"}]}]},
     {"platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}, "config": {"Cmd": ["/arch"]},
      "layers": [{"entries": [{"path": "arch", "content": "arm64\n"}]}]}],
   "tags": ["multi"]}
]}
EOF
    mkimage build "$F/spec.json" --oci "$F/oci" --docker-archive "$F/docker.tar" \
        --summary "$F/sum.json"
}

setup() {
    setup_tmp
    P="$TMP/p"
    mkdir "$P"
}

teardown() {
    image_rm "$P"
}

requires_umoci() {
    command -v umoci >/dev/null || skip "umoci is not installed (apt-get install umoci)"
}

requires_skopeo() {
    command -v skopeo >/dev/null || skip "skopeo is not installed (apt-get install skopeo)"
}

# umoci unpack of IMAGE (DIR:TAG) into BUNDLE, as this leg can.
umoci_unpack() {
    local image=$1 bundle=$2
    if is_root; then
        umoci unpack --image "$image" "$bundle"
    elif has_subids; then
        unshare --map-root-user --map-auto -- umoci unpack --image "$image" "$bundle"
    else
        umoci unpack --rootless --image "$image" "$bundle"
    fi
}

# The tree of a bundle umoci made, owners as the container sees them.
umoci_tree() {
    if has_subids; then
        # Listed as root of the same kind of namespace umoci ran in: what
        # it shows is what umoci chowned to.
        as_owner python3 "$MKIMAGE" tree --times "$1/rootfs"
    else
        # umoci --rootless keeps the layer's owners in an xattr of its own.
        python3 "$MKIMAGE" tree --times --ignore-xattr user.rootlesscontainers \
            --config "$1/config.json" "$1/rootfs"
    fi
}

berth_tree() {
    as_owner python3 "$MKIMAGE" tree --times --config "$1/config.json" "$1/rootfs"
}

# Compare two trees, saying which lines differ.
same_tree() {
    local a=$1 b=$2
    if [ "$a" != "$b" ]; then
        echo "the trees differ (< first, > second):" >&2
        diff <(echo "$a") <(echo "$b") >&2
        return 1
    fi
}

# Unpack SRC with berth-image into BUNDLE, showing stderr on failure.
berth_unpack() {
    run --separate-stderr bimg unpack "$@"
    [ "$status" -eq 0 ] || fail "berth-image unpack $*: status $status: $stderr"
}

@test "umoci and berth-image unpack the same tree (layers, whiteouts, links, owners)" {
    requires_umoci
    umoci_unpack "$F/oci:rich" "$P/umoci" >/dev/null
    berth_unpack oci:"$F/oci":rich "$P/berth"
    same_tree "$(umoci_tree "$P/umoci")" "$(berth_tree "$P/berth")"
}

@test "umoci and berth-image unpack the same busybox" {
    requires_umoci
    umoci_unpack "$F/oci:busybox" "$P/umoci" >/dev/null
    berth_unpack oci:"$F/oci":busybox "$P/berth"
    same_tree "$(umoci_tree "$P/umoci")" "$(berth_tree "$P/berth")"
}

@test "umoci and berth-image agree on process args, env and cwd" {
    requires_umoci
    umoci_unpack "$F/oci:rich" "$P/umoci" >/dev/null
    berth_unpack oci:"$F/oci":rich "$P/berth"
    # umoci adds TERM=xterm.
    local f='{args: .process.args, cwd: .process.cwd,
              env: (.process.env | map(select(startswith("TERM=") | not)) | sort)}'
    same_tree "$(jq -S "$f" "$P/umoci/config.json")" "$(jq -S "$f" "$P/berth/config.json")"
}

@test "berth-image reads a layer umoci wrote (umoci repack)" {
    requires_umoci
    cp -a "$F/oci" "$P/layout"
    umoci_unpack "$P/layout:busybox" "$P/work" >/dev/null
    # A change for umoci to pack: a new file, a removed one (a whiteout
    # written by umoci), a changed mode.
    as_owner sh -c "echo repacked >'$P/work/rootfs/etc/repacked' &&
        rm '$P/work/rootfs/etc/group' && chmod 0700 '$P/work/rootfs/home'"
    if is_root; then
        umoci repack --image "$P/layout:repacked" "$P/work"
    elif has_subids; then
        unshare --map-root-user --map-auto -- umoci repack --image "$P/layout:repacked" "$P/work"
    else
        # --rootless comes from the bundle's metadata.
        umoci repack --image "$P/layout:repacked" "$P/work"
    fi
    berth_unpack oci:"$P/layout":repacked "$P/berth"
    [ "$(cat "$P/berth/rootfs/etc/repacked")" = repacked ]
    [ ! -e "$P/berth/rootfs/etc/group" ]
    [ "$(stat -c %a "$P/berth/rootfs/home")" = 700 ]
    umoci_unpack "$P/layout:repacked" "$P/umoci2" >/dev/null
    same_tree "$(umoci_tree "$P/umoci2")" "$(berth_tree "$P/berth")"
}

@test "skopeo's oci-archive gives the tree of the layout" {
    requires_skopeo
    skopeo copy -q oci:"$F/oci":rich oci-archive:"$P/rich.tar":rich
    berth_unpack oci:"$F/oci":rich "$P/a"
    berth_unpack oci-archive:"$P/rich.tar":rich "$P/b"
    same_tree "$(berth_tree "$P/a")" "$(berth_tree "$P/b")"
}

@test "skopeo's docker-archive gives the tree of the layout" {
    requires_skopeo
    skopeo copy -q oci:"$F/oci":rich docker-archive:"$P/rich-docker.tar":example.com/rich:1.0
    berth_unpack oci:"$F/oci":rich "$P/a"
    berth_unpack docker-archive:"$P/rich-docker.tar":example.com/rich:1.0 "$P/b"
    same_tree "$(berth_tree "$P/a")" "$(berth_tree "$P/b")"
    # A single image: no name needed.
    berth_unpack docker-archive:"$P/rich-docker.tar" "$P/c"
    same_tree "$(berth_tree "$P/a")" "$(berth_tree "$P/c")"
    jq -e '.process.args == ["/bin/sh", "-c", "echo rich"]' "$P/c/config.json"
}

@test "skopeo's copy of mkimage's docker archive gives the same tree" {
    requires_skopeo
    skopeo copy -q docker-archive:"$F/docker.tar":berth-test:rich oci:"$P/fromdocker":rich
    berth_unpack docker-archive:"$F/docker.tar":berth-test:rich "$P/a"
    berth_unpack oci:"$P/fromdocker":rich "$P/b"
    same_tree "$(berth_tree "$P/a")" "$(berth_tree "$P/b")"
}

@test "skopeo recompressed to zstd and to plain tar gives the same tree" {
    requires_skopeo
    command -v zstd >/dev/null || skip "zstd is not installed"
    skopeo copy -q --dest-compress-format zstd oci:"$F/oci":rich oci:"$P/zstd":rich
    jq -e '[.layers[].mediaType] | index("application/vnd.oci.image.layer.v1.tar+zstd")' \
        "$P/zstd/blobs/sha256/$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$P/zstd/index.json")"
    berth_unpack oci:"$F/oci":rich "$P/a"
    berth_unpack oci:"$P/zstd":rich "$P/b"
    same_tree "$(berth_tree "$P/a")" "$(berth_tree "$P/b")"
}

@test "skopeo's pick from an index matches berth-image --platform" {
    requires_skopeo
    skopeo copy -q --override-arch arm64 --override-variant v8 oci:"$F/oci":multi \
        oci:"$P/arm":arm
    berth_unpack --platform linux/arm64/v8 oci:"$F/oci":multi "$P/a"
    berth_unpack oci:"$P/arm":arm "$P/b"
    [ "$(cat "$P/a/rootfs/arch")" = arm64 ]
    same_tree "$(berth_tree "$P/a")" "$(berth_tree "$P/b")"
}

@test "skopeo inspect and berth-image inspect --json agree on digests" {
    requires_skopeo
    run --separate-stderr bimg inspect --json oci:"$F/oci":rich
    [ "$status" -eq 0 ] || fail "$stderr"
    local mine theirs
    mine=$(jq -c '[.. | strings | select(test("^sha256:[0-9a-f]{64}$"))] | unique' <<<"$output")
    theirs=$(skopeo inspect oci:"$F/oci":rich | jq -c .Layers)
    jq -e --argjson m "$mine" 'all(.[]; . as $d | $m | index($d))' <<<"$theirs"
    theirs=$(skopeo inspect --config oci:"$F/oci":rich | jq -c .rootfs.diff_ids)
    jq -e --argjson m "$mine" 'all(.[]; . as $d | $m | index($d))' <<<"$theirs"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth-image unpack and inspect: OCI layouts, OCI archives and docker
# archives (skopeo's transport names), tags, digests and platforms, gzip,
# zstd and plain layers, whiteouts and opaque directories, hardlinks,
# special files, xattrs and setuid bits, the config.json made from the image
# config (image-spec conversion.md), --force, and failures that leave
# nothing behind.  The bundles are run with berth, and with runc where it can.
# Fixtures come from tests/image/mkimage.py, built once in setup_file.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup_file() {
    require_berth_image
    F=$BATS_FILE_TMPDIR
    export F
    cat >"$F/spec.json" <<'EOF'
{"manifests": [
  {"tags": ["latest", "v2"],
   "config": {
     "Entrypoint": ["/bin/sh", "-c"],
     "Cmd": ["echo hello from berth; echo cwd=$(pwd) foo=$FOO"],
     "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=bar baz"],
     "WorkingDir": "/home",
     "Labels": {"org.example.label": "yes", "org.opencontainers.image.os": "labelled"},
     "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
     "Volumes": {"/data": {}},
     "StopSignal": "SIGINT"},
   "config_extra": {"author": "berth tests"},
   "layers": [{"busybox": true}]},

  {"tags": ["layers"],
   "config": {"Cmd": ["/bin/sh", "-c", "cat /data/hello /etc/motd"]},
   "layers": [
     {"busybox": true},
     {"compression": "gzip", "entries": [
       {"path": "data", "type": "dir", "mode": "0750"},
       {"path": "data/hello", "content": "hello\n", "mode": "0640", "mtime": 1600000000},
       {"path": "data/setuid", "content": "#!/bin/sh\n", "mode": "04755"},
       {"path": "data/setgid", "content": "#!/bin/sh\n", "mode": "02755"},
       {"path": "data/sticky", "type": "dir", "mode": "01777"},
       {"path": "data/link", "type": "symlink", "target": "hello"},
       {"path": "data/abs", "type": "symlink", "target": "/data/hello"},
       {"path": "data/dangling", "type": "symlink", "target": "/nonexistent/x"},
       {"path": "data/hard", "type": "hardlink", "target": "data/hello"},
       {"path": "data/fifo", "type": "fifo", "mode": "0600"},
       {"path": "data/xattr", "content": "x", "xattrs": {"user.berth": "yes", "user.bin": {"hex": "00ff10"}}},
       {"path": "data/empty", "content": ""},
       {"path": "data/big", "repeat": ["0123456789abcdef", 20000]},
       {"path": "gone", "type": "dir"},
       {"path": "gone/a", "content": "a"},
       {"path": "gone/sub", "type": "dir"},
       {"path": "gone/sub/b", "content": "b"},
       {"path": "opq", "type": "dir", "mode": "0711"},
       {"path": "opq/old", "content": "old"},
       {"path": "opq/oldsub", "type": "dir"},
       {"path": "opq/oldsub/x", "content": "x"},
       {"path": "wh-file", "content": "bye"},
       {"path": "to-dir", "content": "a file first"},
       {"path": "to-file", "type": "dir"},
       {"path": "to-file/x", "content": "x"},
       {"path": "to-link", "type": "dir"},
       {"path": "to-link/x", "content": "x"},
       {"path": "etc/motd", "content": "old motd\n"}]},
     {"compression": "none", "entries": [
       {"path": "data", "type": "dir", "mode": "0755"},
       {"path": "data/hard2", "type": "hardlink", "target": "data/hello"},
       {"path": "gone", "type": "whiteout"},
       {"path": "wh-file", "type": "whiteout"},
       {"path": "never-there", "type": "whiteout"},
       {"path": "opq", "type": "opaque"},
       {"path": "opq/new", "content": "new"},
       {"path": "to-dir", "type": "dir"},
       {"path": "to-dir/inside", "content": "inside"},
       {"path": "to-file", "content": "now a file"},
       {"path": "to-link", "type": "symlink", "target": "data"},
       {"path": "etc/motd", "content": "new motd\n"},
       {"path": "same", "type": "dir"},
       {"path": "same/kept", "content": "kept"},
       {"path": "same/kept", "type": "whiteout"},
       {"path": "same2", "type": "dir"},
       {"path": "same2/kept", "content": "kept"},
       {"path": "same2", "type": "opaque"}]}]},

  {"tags": ["c-gzip"], "config": {"Cmd": ["/c/text"]}, "layers": [{"compression": "gzip", "entries": [
     {"path": "c", "type": "dir"},
     {"path": "c/text", "content": "compressed\n"},
     {"path": "c/big", "repeat": ["berth ", 60000]},
     {"path": "c/link", "type": "symlink", "target": "text"}]}]},
  {"tags": ["c-none"], "config": {"Cmd": ["/c/text"]}, "layers": [{"compression": "none", "entries": [
     {"path": "c", "type": "dir"},
     {"path": "c/text", "content": "compressed\n"},
     {"path": "c/big", "repeat": ["berth ", 60000]},
     {"path": "c/link", "type": "symlink", "target": "text"}]}]},

  {"tags": ["user"], "config": {"User": "app", "Cmd": ["id"]}, "layers": [{"busybox": true}]},
  {"tags": ["user-num"], "config": {"User": "1234:5678", "Cmd": ["id"]}, "layers": [{"busybox": true}]},
  {"tags": ["user-group"], "config": {"User": "app:nobody", "Cmd": ["id"]}, "layers": [{"busybox": true}]},
  {"tags": ["user-ghost"], "config": {"User": "ghost", "Cmd": ["id"]}, "layers": [{"busybox": true}]},
  {"tags": ["cmd-only"], "config": {"Cmd": ["/bin/echo", "cmd"]}, "layers": [{"busybox": true}]},
  {"tags": ["entrypoint-only"], "config": {"Entrypoint": ["/bin/echo", "entry"]}, "layers": [{"busybox": true}]},
  {"tags": ["no-command"], "layers": [{"busybox": true}]},

  {"tags": ["owners"], "config": {"Cmd": ["/o/app"]}, "layers": [{"entries": [
     {"path": "o", "type": "dir"},
     {"path": "o/root", "content": "r"},
     {"path": "o/app", "content": "a", "uid": 1000, "gid": 1000},
     {"path": "o/www", "content": "w", "uid": 33, "gid": 44},
     {"path": "o/dir", "type": "dir", "mode": "0700", "uid": 1000, "gid": 1000},
     {"path": "o/dir/f", "content": "f", "mode": "0600", "uid": 1000, "gid": 1000},
     {"path": "o/link", "type": "symlink", "target": "app", "uid": 1000, "gid": 1000}]}]},

  {"tags": ["caps"], "config": {"Cmd": ["/ping"]}, "layers": [{"entries": [
     {"path": "ping", "content": "x", "mode": "0755",
      "xattrs": {"security.capability": {"hex": "0100000200200000000000000000000000000000"}}}]}]},

  {"tags": ["devices"], "config": {"Cmd": ["/plain"]}, "layers": [{"entries": [
     {"path": "dev", "type": "dir"},
     {"path": "dev/null2", "type": "char", "major": 1, "minor": 3, "mode": "0666"},
     {"path": "dev/loop9", "type": "block", "major": 7, "minor": 9, "mode": "0660"},
     {"path": "dev/fifo", "type": "fifo"},
     {"path": "plain", "content": "plain"}]}]},

  {"index": [
     {"platform": {"os": "linux", "architecture": "amd64"}, "config": {"Cmd": ["/arch"]},
      "layers": [{"entries": [{"path": "arch", "content": "amd64\n"}]}]},
     {"platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}, "config": {"Cmd": ["/arch"]},
      "layers": [{"entries": [{"path": "arch", "content": "arm64\n"}]}]},
     {"platform": {"os": "linux", "architecture": "arm", "variant": "v7"}, "config": {"Cmd": ["/arch"]},
      "layers": [{"entries": [{"path": "arch", "content": "arm/v7\n"}]}]},
     {"platform": {"os": "linux", "architecture": "ppc64le"}, "config": {"Cmd": ["/arch"]},
      "layers": [{"entries": [{"path": "arch", "content": "ppc64le\n"}]}]}],
   "tags": ["multi"]},

  {"name": "flat-amd64", "tags": ["flat"], "repo_tags": [],
   "platform": {"os": "linux", "architecture": "amd64"}, "config": {"Cmd": ["/arch"]},
   "layers": [{"entries": [{"path": "arch", "content": "flat amd64\n"}]}]},
  {"name": "flat-arm64", "tags": ["flat"], "repo_tags": [],
   "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}, "config": {"Cmd": ["/arch"]},
   "layers": [{"entries": [{"path": "arch", "content": "flat arm64\n"}]}]}
]}
EOF
    mkimage build "$F/spec.json" --oci "$F/oci" --oci-archive "$F/oci.tar" \
        --docker-archive "$F/docker.tar" --summary "$F/sum.json"

    # One image alone: the forms without a tag or name.
    mkimage build - --oci "$F/single" --docker-archive "$F/single-docker.tar" \
        --summary "$F/single.json" <<'EOF'
{"config": {"Cmd": ["/bin/sh", "-c", "echo single"]}, "layers": [{"busybox": true}]}
EOF

    # Big enough to be caught in the middle of its unpack.
    mkimage build - --oci "$F/big" --summary /dev/null <<'EOF'
{"tags": ["big"], "config": {"Cmd": ["/x"]},
 "layers": [{"entries": [{"path": "a", "zeros": 33554432}, {"path": "b", "zeros": 33554432}]}]}
EOF

    # zstd needs the zstd command.
    ZSTD=0
    if mkimage build - --oci "$F/zstd" --summary "$F/zstd.json" <<'EOF'; then
{"tags": ["c-zstd"], "config": {"Cmd": ["/c/text"]}, "layers": [{"compression": "zstd", "entries": [
   {"path": "c", "type": "dir"},
   {"path": "c/text", "content": "compressed\n"},
   {"path": "c/big", "repeat": ["berth ", 60000]},
   {"path": "c/link", "type": "symlink", "target": "text"}]}]}
EOF
        ZSTD=1
    fi
    export ZSTD

    # Damaged images, a layout each: a good first layer, then the damage.
    local kind
    for kind in layer-digest missing-blob truncated-blob wrong-size wrong-diff-id \
        diff-id-count config-digest manifest-digest media-type; do
        jq -n --arg k "$kind" '{tags: ["bad"], corrupt: [{kind: $k, layer: 1}], config: {Cmd: ["/f"]},
            layers: [{entries: [{path: "first", type: "dir"},
                                {path: "first/f", repeat: ["x", 5000]}]},
                     {entries: [{path: "second", repeat: ["y", 70000]}]}]}' |
            mkimage build - --oci "$F/bad-$kind" --summary "$F/bad-$kind.json"
    done
    mkimage build - --docker-archive "$F/bad-docker-diffid.tar" \
        --summary "$F/bad-docker-diffid.json" <<'EOF'
{"tags": ["bad"], "corrupt": [{"kind": "wrong-diff-id", "layer": 0}], "config": {"Cmd": ["/f"]},
 "layers": [{"entries": [{"path": "f", "content": "f"}]}]}
EOF
}

setup() {
    setup_tmp
    # Every bundle goes in $P, which holds nothing else: a failed unpack
    # must leave it empty.
    P="$TMP/p"
    mkdir "$P"
    B="$P/bundle"
}

teardown() {
    berth_cleanup
    image_rm "$P"
}

digest_of() { summary_get "$F/sum.json" ".images[\"$1\"].manifest"; }

# ---- sources ----

@test "unpack oci:DIR:TAG makes config.json and rootfs in a 0700 bundle" {
    run --separate-stderr bimg unpack oci:"$F/oci":latest "$B"
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    [ -f "$B/config.json" ]
    [ -d "$B/rootfs" ]
    [ "$(stat -c %a "$B")" = 700 ]
    assert_only_entries "$P" bundle
    cmp /bin/busybox "$B/rootfs/bin/busybox"
    [ "$(readlink "$B/rootfs/bin/sh")" = busybox ]
    [ "$(stat -c %a "$B/rootfs/tmp")" = 1777 ]
    [ "$(stat -c %a "$B/rootfs/root")" = 700 ]
    grep -q '^app:x:1000:1000:' "$B/rootfs/etc/passwd"
    jq -e '.root.path == "rootfs"' "$B/config.json"
}

@test "the unpacked bundle runs with berth" {
    bimg unpack oci:"$F/oci":latest "$B"
    no_terminal "$B"
    run berth_run img "$B"
    [ "$status" -eq 0 ] || fail "berth run: status $status: $output"
    assert_line "hello from berth"
    assert_line "cwd=/home foo=bar baz"
}

@test "the unpacked bundle runs with runc" {
    command -v runc >/dev/null || skip "runc is not installed"
    bimg unpack oci:"$F/oci":latest "$B"
    no_terminal "$B"
    run runc_run img "$B"
    [ "$status" -eq 0 ] || fail "runc run: status $status: $output"
    assert_line "hello from berth"
    assert_line "cwd=/home foo=bar baz"
}

@test "a second tag of the same manifest gives the same tree" {
    bimg unpack oci:"$F/oci":latest "$B"
    bimg unpack oci:"$F/oci":v2 "$P/b2"
    diff <(bundle_tree "$B") <(bundle_tree "$P/b2")
    diff <(jq -S 'del(.linux.uidMappings, .linux.gidMappings)' "$B/config.json") \
        <(jq -S 'del(.linux.uidMappings, .linux.gidMappings)' "$P/b2/config.json")
}

@test "oci:DIR@DIGEST picks the manifest by digest" {
    bimg unpack oci:"$F/oci"@"$(digest_of layers)" "$B"
    [ "$(cat "$B/rootfs/data/hello")" = hello ]
}

@test "oci:DIR@DIGEST of no manifest in the index fails and names it" {
    local d=sha256:0000000000000000000000000000000000000000000000000000000000000000
    run --separate-stderr bimg unpack oci:"$F/oci"@"$d" "$B"
    assert_unpack_failed
    assert_stderr_has "$d"
    assert_only_entries "$P"
}

@test "oci:DIR without a tag takes the only image of the index" {
    bimg unpack oci:"$F/single" "$B"
    no_terminal "$B"
    jq -e '.process.args == ["/bin/sh", "-c", "echo single"]' "$B/config.json"
}

@test "an unknown tag fails, names the tag and leaves nothing" {
    run --separate-stderr bimg unpack oci:"$F/oci":nosuchtag "$B"
    assert_unpack_failed
    assert_stderr_has nosuchtag
    assert_only_entries "$P"
}

@test "oci-archive:FILE:TAG gives the tree and config of oci:DIR:TAG" {
    bimg unpack oci:"$F/oci":layers "$P/a"
    bimg unpack oci-archive:"$F/oci.tar":layers "$B"
    diff <(bundle_tree "$P/a") <(bundle_tree "$B")
    diff <(jq -S . "$P/a/config.json") <(jq -S . "$B/config.json")
}

@test "docker-archive:FILE:NAME:TAG gives the tree and config of oci:DIR:TAG" {
    bimg unpack oci:"$F/oci":layers "$P/a"
    bimg unpack docker-archive:"$F/docker.tar":berth-test:layers "$B"
    diff <(bundle_tree "$P/a") <(bundle_tree "$B")
    diff <(jq -S .process "$P/a/config.json") <(jq -S .process "$B/config.json")
}

@test "docker-archive:FILE of a single image needs no name" {
    bimg unpack docker-archive:"$F/single-docker.tar" "$B"
    jq -e '.process.args == ["/bin/sh", "-c", "echo single"]' "$B/config.json"
    cmp /bin/busybox "$B/rootfs/bin/busybox"
}

@test "docker-archive:FILE:NAME:TAG with an unknown name fails and names it" {
    run --separate-stderr bimg unpack docker-archive:"$F/docker.tar":berth-test:nosuch "$B"
    assert_unpack_failed
    assert_stderr_has "berth-test:nosuch"
    assert_only_entries "$P"
}

@test "a missing layout, archive or bundle parent fails and says which" {
    run --separate-stderr bimg unpack oci:"$TMP/nolayout":latest "$B"
    assert_unpack_failed
    assert_stderr_has "$TMP/nolayout"
    run --separate-stderr bimg unpack oci-archive:"$TMP/no.tar" "$B"
    assert_unpack_failed
    assert_stderr_has "$TMP/no.tar"
    run --separate-stderr bimg unpack oci:"$F/oci":latest "$P/no/such/bundle"
    assert_unpack_failed
    assert_stderr_has "$P/no/such"
    assert_only_entries "$P"
}

@test "an unknown transport is refused and the forms are named" {
    run --separate-stderr bimg unpack docker://busybox "$B"
    [ "$status" -ne 0 ]
    assert_stderr_has "oci:" "oci-archive:" "docker-archive:"
    assert_only_entries "$P"
}

# ---- layers ----

@test "gzip, zstd and uncompressed layers give the same tree" {
    bimg unpack oci:"$F/oci":c-gzip "$P/gz"
    bimg unpack oci:"$F/oci":c-none "$P/none"
    diff <(bundle_tree "$P/gz") <(bundle_tree "$P/none")
    [ "$(cat "$P/gz/rootfs/c/text")" = compressed ]
    [ "$(stat -c %s "$P/gz/rootfs/c/big")" = 360000 ]
    [ "$ZSTD" = 1 ] || skip "zstd is not installed: no zstd layer to compare"
    bimg unpack oci:"$F/zstd":c-zstd "$P/zst"
    diff <(bundle_tree "$P/gz") <(bundle_tree "$P/zst")
}

@test "files, modes, times, links, fifos and xattrs of a layer" {
    bimg unpack oci:"$F/oci":layers "$B"
    local r=$B/rootfs
    [ "$(cat "$r/data/hello")" = hello ]
    [ "$(stat -c %a "$r/data/hello")" = 640 ]
    [ "$(stat -c %Y "$r/data/hello")" = 1600000000 ]
    [ "$(stat -c %a "$r/data/setuid")" = 4755 ]
    [ "$(stat -c %a "$r/data/setgid")" = 2755 ]
    [ "$(stat -c %a "$r/data/sticky")" = 1777 ]
    [ "$(readlink "$r/data/link")" = hello ]
    [ "$(readlink "$r/data/abs")" = /data/hello ]
    [ "$(readlink "$r/data/dangling")" = /nonexistent/x ]
    [ "$(stat -c %F "$r/data/fifo")" = fifo ]
    [ "$(stat -c %a "$r/data/fifo")" = 600 ]
    [ -f "$r/data/empty" ] && [ ! -s "$r/data/empty" ]
    [ "$(stat -c %s "$r/data/big")" = 320000 ]
    [ "$(head -c 16 "$r/data/big")" = 0123456789abcdef ]
    # Extended attributes from SCHILY.xattr.* pax headers.
    [ "$(xattr_hex "$r/data/xattr" user.berth)" = 796573 ]
    [ "$(xattr_hex "$r/data/xattr" user.bin)" = 00ff10 ]
}

@test "file capabilities (security.capability) are kept, for the container's root" {
    bimg unpack oci:"$F/oci":caps "$B"
    local want uid
    if is_root; then
        # VFS_CAP_REVISION_2, effective; permitted CAP_NET_RAW (13).
        want=0100000200200000000000000000000000000000
    else
        # In a user namespace the kernel stores revision 3, with the host
        # uid of the namespace's root: ours.
        uid=$(id -u)
        want=0100000300200000000000000000000000000000$(printf '%02x%02x%02x%02x' \
            $((uid & 255)) $((uid >> 8 & 255)) $((uid >> 16 & 255)) $((uid >> 24 & 255)))
    fi
    [ "$(xattr_hex "$B/rootfs/ping" security.capability)" = "$want" ]
}

@test "hardlinks within a layer and to a lower layer's file share the inode" {
    bimg unpack oci:"$F/oci":layers "$B"
    local r=$B/rootfs
    [ "$(stat -c %i "$r/data/hello")" = "$(stat -c %i "$r/data/hard")" ]
    [ "$(stat -c %i "$r/data/hello")" = "$(stat -c %i "$r/data/hard2")" ]
    [ "$(stat -c %h "$r/data/hello")" = 3 ]
}

@test "whiteouts remove lower files and directories, and replacements change types" {
    bimg unpack oci:"$F/oci":layers "$B"
    local r=$B/rootfs
    [ ! -e "$r/gone" ]
    [ ! -e "$r/wh-file" ]
    [ ! -e "$r/never-there" ]
    # No whiteout file itself shows.
    run find "$r" -name '.wh.*'
    [ -z "$output" ]
    [ "$(cat "$r/to-dir/inside")" = inside ]
    [ "$(cat "$r/to-file")" = "now a file" ]
    [ "$(readlink "$r/to-link")" = data ]
    [ "$(cat "$r/etc/motd")" = "new motd" ]
}

@test "an opaque directory hides the lower layers' entries, keeping its own" {
    bimg unpack oci:"$F/oci":layers "$B"
    local r=$B/rootfs
    [ "$(ls -A "$r/opq")" = new ]
    [ "$(cat "$r/opq/new")" = new ]
    # The directory itself stays, with its mode from the lower layer.
    [ "$(stat -c %a "$r/opq")" = 711 ]
}

@test "a whiteout or opaque marker never removes entries of its own layer" {
    bimg unpack oci:"$F/oci":layers "$B"
    [ "$(cat "$B/rootfs/same/kept")" = kept ]
    [ "$(cat "$B/rootfs/same2/kept")" = kept ]
}

@test "directory modes and times are those of the last layer naming them" {
    bimg unpack oci:"$F/oci":layers "$B"
    # data was 0750 in layer 1, 0755 in layer 2, which also added to it.
    [ "$(stat -c %a "$B/rootfs/data")" = 755 ]
    [ "$(stat -c %Y "$B/rootfs/data")" = 1700000000 ]
}

@test "owners are the layer's as root and with subordinate ids, the user's without" {
    run --separate-stderr bimg unpack oci:"$F/oci":owners "$B"
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    local t a w
    t=$(bundle_tree "$B")
    a=$(expected_owner 1000) w=$(expected_owner 33):$(expected_owner 44)
    grep -q "^o/root f 0644 0:0 " <<<"$t" || fail "$t"
    grep -q "^o/app f 0644 $a:$a " <<<"$t" || fail "$t"
    grep -q "^o/www f 0644 $w " <<<"$t" || fail "$t"
    grep -q "^o/dir d 0700 $a:$a " <<<"$t" || fail "$t"
    grep -q "^o/dir/f f 0600 $a:$a " <<<"$t" || fail "$t"
    grep -q "^o/link l 0777 $a:$a - app " <<<"$t" || fail "$t"
    if is_root || has_subids; then
        [ -z "$stderr" ] || fail "unexpected stderr: $stderr"
    else
        # Without subordinate ids the owners are lost, and it says so once.
        [ "$(grep -c . <<<"$stderr")" = 1 ] || fail "stderr: $stderr"
        assert_stderr_has "berth-image: warning: " "subordinate ids"
    fi
}

@test "with subordinate ids, the config maps them and the owners are real on the host" {
    has_subids || skip "needs an unprivileged user with /etc/subuid ranges (leg $BERTH_TEST_LEG)"
    bimg unpack oci:"$F/oci":owners "$B"
    local start
    start=$(grep -E "^($(id -un)|$(id -u)):" /etc/subuid | head -n 1 | cut -d: -f2)
    jq -e --argjson me "$(id -u)" '.linux.uidMappings | any(.containerID == 0 and .hostID == $me)' "$B/config.json"
    jq -e --argjson s "$start" '.linux.uidMappings | any(.hostID == $s and .size > 1000)' "$B/config.json"
    # On the host: container uid 1000 is a subordinate id, uid 0 is us.
    local host
    host=$(jq -r '.linux.uidMappings[] | select(.containerID <= 1000 and 1000 < .containerID + .size)
        | .hostID + 1000 - .containerID' "$B/config.json")
    [ "$(stat -c %u "$B/rootfs/o/app")" = "$host" ]
    [ "$(stat -c %u "$B/rootfs/o/root")" = "$(id -u)" ]
}

@test "device nodes are made as root, skipped with one warning without" {
    run --separate-stderr bimg unpack oci:"$F/oci":devices "$B"
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    local r=$B/rootfs
    [ "$(cat "$r/plain")" = plain ]
    [ "$(stat -c %F "$r/dev/fifo")" = fifo ]
    if is_root; then
        [ "$(stat -c '%F %t:%T %a' "$r/dev/null2")" = "character special file 1:3 666" ]
        [ "$(stat -c '%F %t:%T %a' "$r/dev/loop9")" = "block special file 7:9 660" ]
        [ -z "$stderr" ] || fail "unexpected stderr: $stderr"
    else
        [ ! -e "$r/dev/null2" ] && [ ! -e "$r/dev/loop9" ]
        # One warning for both devices (and, without subordinate ids, the
        # one about owners).
        [ "$(grep -c 'device' <<<"$stderr")" = 1 ] || fail "stderr: $stderr"
        assert_stderr_has "berth-image: warning: 2 device nodes"
        [ "$(grep -c . <<<"$stderr")" = "$(has_subids && echo 1 || echo 2)" ] ||
            fail "stderr: $stderr"
        ! grep -v '^berth-image: warning: ' <<<"$stderr" || fail "stderr: $stderr"
    fi
}

# ---- the config ----

@test "config.json: args, env and cwd from Entrypoint, Cmd, Env and WorkingDir" {
    bimg unpack oci:"$F/oci":latest "$B"
    local c=$B/config.json
    jq -e '.process.args == ["/bin/sh", "-c", "echo hello from berth; echo cwd=$(pwd) foo=$FOO"]' "$c"
    jq -e '.process.env | index("FOO=bar baz") and index("PATH=/usr/sbin:/usr/bin:/sbin:/bin")' "$c"
    # No variable twice (conversion.md: the converter should not add names
    # that Config.Env has).
    jq -e '[.process.env[] | split("=")[0]] | length == (unique | length)' "$c"
    jq -e '.process.cwd == "/home"' "$c"
}

@test "config.json: annotations from the config, labels first" {
    bimg unpack oci:"$F/oci":latest "$B"
    local c=$B/config.json
    jq -e '.annotations["org.example.label"] == "yes"' "$c"
    # A label wins over the implicit annotation of the same name.
    jq -e '.annotations["org.opencontainers.image.os"] == "labelled"' "$c"
    jq -e '.annotations["org.opencontainers.image.architecture"] == "amd64"' "$c" ||
        [ "$(uname -m)" != x86_64 ]
    jq -e '.annotations["org.opencontainers.image.author"] == "berth tests"' "$c"
    jq -e '.annotations["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z"' "$c"
    jq -e '.annotations["org.opencontainers.image.stopSignal"] == "SIGINT"' "$c"
    jq -e '.annotations["org.opencontainers.image.exposedPorts"] | split(",") | sort == ["53/udp", "80/tcp"]' "$c"
}

@test "config.json: a Volumes entry becomes a mount" {
    bimg unpack oci:"$F/oci":latest "$B"
    jq -e '[.mounts[] | select(.destination == "/data")] | length == 1' "$B/config.json"
}

@test "config.json: Cmd alone, Entrypoint alone" {
    bimg unpack oci:"$F/oci":cmd-only "$P/c"
    jq -e '.process.args == ["/bin/echo", "cmd"]' "$P/c/config.json"
    bimg unpack oci:"$F/oci":entrypoint-only "$P/e"
    jq -e '.process.args == ["/bin/echo", "entry"]' "$P/e/config.json"
}

@test "unpack ... -- CMD replaces Cmd, after the Entrypoint" {
    bimg unpack oci:"$F/oci":latest "$B" -- 'echo over ridden'
    jq -e '.process.args == ["/bin/sh", "-c", "echo over ridden"]' "$B/config.json"
    no_terminal "$B"
    run berth_run over "$B"
    [ "$status" -eq 0 ] || fail "$output"
    [ "$output" = "over ridden" ]
    bimg unpack oci:"$F/oci":cmd-only "$P/c" -- /bin/echo mine
    jq -e '.process.args == ["/bin/echo", "mine"]' "$P/c/config.json"
    bimg unpack oci:"$F/oci":entrypoint-only "$P/e" -- more
    jq -e '.process.args == ["/bin/echo", "entry", "more"]' "$P/e/config.json"
}

@test "an image with neither Entrypoint nor Cmd needs -- CMD" {
    run --separate-stderr bimg unpack oci:"$F/oci":no-command "$B"
    assert_unpack_failed
    assert_stderr_has Entrypoint Cmd
    assert_only_entries "$P"
    bimg unpack oci:"$F/oci":no-command "$B" -- /bin/true
    jq -e '.process.args == ["/bin/true"]' "$B/config.json"
}

# Without subordinate ids only the user's own id is mapped (to 0): an image
# that runs as another user cannot run, and unpack says so.
requires_more_than_one_id() {
    is_root || has_subids || skip "only uid 0 is mapped without subordinate ids (leg $BERTH_TEST_LEG)"
}

@test "config.json: User by name is resolved in the rootfs's /etc/passwd" {
    requires_more_than_one_id
    bimg unpack oci:"$F/oci":user "$B"
    jq -e '.process.user.uid == 1000 and .process.user.gid == 1000' "$B/config.json"
}

@test "without subordinate ids, an image User other than root is refused" {
    is_root && skip "root maps every id"
    has_subids && skip "the subordinate ids map uid 1000 (leg $BERTH_TEST_LEG)"
    run --separate-stderr bimg unpack oci:"$F/oci":user "$B"
    assert_unpack_failed
    assert_stderr_has "config.User 'app'" 1000
    assert_only_entries "$P"
}

@test "config.json: a numeric User is copied, a group by name resolved" {
    requires_more_than_one_id
    bimg unpack oci:"$F/oci":user-num "$P/n"
    jq -e '.process.user.uid == 1234 and .process.user.gid == 5678' "$P/n/config.json"
    bimg unpack oci:"$F/oci":user-group "$P/g"
    jq -e '.process.user.uid == 1000 and .process.user.gid == 65534' "$P/g/config.json"
}

@test "a User the rootfs does not know fails, names it, and leaves nothing" {
    run --separate-stderr bimg unpack oci:"$F/oci":user-ghost "$B"
    assert_unpack_failed
    assert_stderr_has ghost
    assert_only_entries "$P"
}

@test "the image's user runs the process" {
    requires_more_than_one_id
    bimg unpack oci:"$F/oci":user "$B"
    no_terminal "$B"
    run berth_run user "$B"
    [ "$status" -eq 0 ] || fail "$output"
    assert_output --regexp '^uid=1000\(app\) gid=1000\(app\)'
}

@test "config.json: rootless without root, with our mappings" {
    bimg unpack oci:"$F/oci":latest "$B"
    local c=$B/config.json
    if is_root; then
        jq -e '[.linux.namespaces[] | select(.type == "user")] | length == 0' "$c"
        return
    fi
    jq -e '[.linux.namespaces[] | select(.type == "user")] | length == 1' "$c"
    jq -e --argjson me "$(id -u)" '.linux.uidMappings | any(.containerID == 0 and .hostID == $me)' "$c"
    jq -e --argjson me "$(id -g)" '.linux.gidMappings | any(.containerID == 0 and .hostID == $me)' "$c"
    if ! has_subids; then
        jq -e '(.linux.uidMappings | length) == 1 and .linux.uidMappings[0].size == 1' "$c"
    fi
}

# ---- platforms ----

@test "an index resolves to the host's platform by default" {
    [ "$(uname -m)" = x86_64 ] || skip "the index has no entry for $(uname -m)"
    bimg unpack oci:"$F/oci":multi "$B"
    [ "$(cat "$B/rootfs/arch")" = amd64 ]
    jq -e '.annotations["org.opencontainers.image.architecture"] == "amd64"' "$B/config.json"
}

@test "--platform picks the index entry, with or without the variant" {
    bimg unpack --platform linux/arm64/v8 oci:"$F/oci":multi "$P/a"
    [ "$(cat "$P/a/rootfs/arch")" = arm64 ]
    bimg unpack --platform linux/arm64 oci:"$F/oci":multi "$P/b"
    [ "$(cat "$P/b/rootfs/arch")" = arm64 ]
    bimg unpack --platform linux/arm/v7 oci:"$F/oci":multi "$P/c"
    [ "$(cat "$P/c/rootfs/arch")" = arm/v7 ]
    bimg unpack --platform linux/ppc64le oci-archive:"$F/oci.tar":multi "$P/d"
    [ "$(cat "$P/d/rootfs/arch")" = ppc64le ]
    jq -e '.annotations["org.opencontainers.image.architecture"] == "ppc64le"' "$P/d/config.json"
}

@test "an index.json listing one tag per platform resolves like an index" {
    [ "$(uname -m)" = x86_64 ] || skip "the index has no entry for $(uname -m)"
    bimg unpack oci:"$F/oci":flat "$P/a"
    [ "$(cat "$P/a/rootfs/arch")" = "flat amd64" ]
    bimg unpack --platform linux/arm64 oci:"$F/oci":flat "$P/b"
    [ "$(cat "$P/b/rootfs/arch")" = "flat arm64" ]
}

@test "--platform with no matching entry fails and names the platform" {
    run --separate-stderr bimg unpack --platform linux/riscv64 oci:"$F/oci":multi "$B"
    assert_unpack_failed
    assert_stderr_has linux/riscv64
    assert_only_entries "$P"
    run --separate-stderr bimg unpack --platform linux/arm/v6 oci:"$F/oci":multi "$B"
    assert_unpack_failed
    assert_stderr_has linux/arm/v6
    assert_only_entries "$P"
}

@test "--platform that does not parse is refused" {
    run --separate-stderr bimg unpack --platform linux oci:"$F/oci":multi "$B"
    [ "$status" -ne 0 ]
    assert_stderr_has "berth-image: " linux
    assert_only_entries "$P"
}

# ---- inspect ----

# A size as inspect prints it: bytes, then KiB, MiB with one decimal.
human_size() {
    awk -v n="$1" 'BEGIN {
        if (n < 1024) printf "%d B", n
        else if (n < 1048576) printf "%.1f KiB", n / 1024
        else if (n < 1073741824) printf "%.1f MiB", n / 1048576
        else printf "%.2f GiB", n / 1073741824 }'
}

@test "inspect names the manifest digest, platform, layers with sizes and config" {
    run --separate-stderr bimg inspect oci:"$F/oci":layers
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    local s=$F/sum.json i d size
    assert_line --regexp "^Manifest: +$(digest_of layers) "
    assert_line --regexp "^Platform: +linux/amd64$"
    assert_line --regexp "^Config: +$(summary_get "$s" .images.layers.config) "
    assert_line --regexp "^Ref name: +layers$"
    for i in 0 1 2; do
        d=$(layer_digest "$s" layers $i)
        size=$(summary_get "$s" ".images.layers.layers[$i].size")
        assert_line --regexp "^ +$((i + 1)) +$d +tar[+a-z]* +$(human_size "$size")$"
        assert_line --regexp "^ +diff_id $(summary_get "$s" ".images.layers.layers[$i].diff_id")$"
    done
    assert_line --partial "cat /data/hello /etc/motd"
}

@test "inspect --json: the documented fields" {
    run --separate-stderr bimg inspect --json oci:"$F/oci":layers
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    local s=$F/sum.json
    jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
    jq -e --arg n "oci:$F/oci:layers" '.name == $n and .refName == "layers"' <<<"$output"
    jq -e --arg d "$(digest_of layers)" --argjson n "$(summary_get "$s" .images.layers.manifest_size)" \
        '.manifest.digest == $d and .manifest.size == $n
         and .manifest.mediaType == "application/vnd.oci.image.manifest.v1+json"' <<<"$output"
    jq -e --arg d "$(summary_get "$s" .images.layers.config)" '.configDescriptor.digest == $d' <<<"$output"
    jq -e '.platform.os == "linux" and .platform.architecture == "amd64"' <<<"$output"
    # The layers as the manifest and the config list them.
    jq -e --slurpfile sum "$s" '.layers == [$sum[0].images.layers.layers[]
        | {mediaType: .media_type, digest, size, diffID: .diff_id}]' <<<"$output"
    # The config as stored.
    diff <(jq -S .config <<<"$output") \
        <(jq -S . "$F/oci/blobs/sha256/$(summary_get "$s" .images.layers.config | cut -d: -f2)")
}

@test "inspect --platform and inspect of each transport" {
    local arm
    arm=$(summary_get "$F/sum.json" '.images["multi-linux-arm64-v8"].manifest')
    run --separate-stderr bimg inspect --platform linux/arm64 oci:"$F/oci":multi
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    assert_output --partial "$arm"
    assert_output --partial "arm64"
    run --separate-stderr bimg inspect oci-archive:"$F/oci.tar":latest
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    assert_output --partial "$(digest_of latest)"
    run --separate-stderr bimg inspect --json docker-archive:"$F/docker.tar":berth-test:latest
    [ "$status" -eq 0 ] || fail "status $status: $stderr"
    jq -e --arg d "$(summary_get "$F/sum.json" '.images.latest.layers[0].diff_id')" \
        '[.. | strings] | index($d)' <<<"$output"
}

@test "inspect of a damaged image fails and names the blob" {
    run --separate-stderr bimg inspect oci:"$F/bad-manifest-digest":bad
    assert_unpack_failed
    assert_stderr_has "$(summary_get "$F/bad-manifest-digest.json" .images.bad.manifest)"
}

# ---- the bundle directory ----

@test "an existing non-empty bundle is refused and left alone" {
    mkdir "$B"
    echo mine >"$B/keep"
    run --separate-stderr bimg unpack oci:"$F/oci":latest "$B"
    assert_unpack_failed
    assert_stderr_has "$B"
    [ "$(cat "$B/keep")" = mine ]
    [ "$(ls -A "$B")" = keep ]
    assert_only_entries "$P" bundle
}

@test "an existing empty bundle directory is used" {
    mkdir "$B"
    bimg unpack oci:"$F/oci":latest "$B"
    [ -f "$B/config.json" ]
    assert_only_entries "$P" bundle
}

@test "--force replaces an existing bundle" {
    bimg unpack oci:"$F/oci":c-gzip "$B"
    echo mine >"$B/keep"
    bimg unpack --force oci:"$F/oci":latest "$B"
    [ ! -e "$B/keep" ]
    [ ! -e "$B/rootfs/c" ]
    cmp /bin/busybox "$B/rootfs/bin/busybox"
    assert_only_entries "$P" bundle
}

@test "--force with an image that fails keeps the old bundle" {
    bimg unpack oci:"$F/oci":c-gzip "$B"
    local before
    before=$(bundle_tree "$B")
    run --separate-stderr bimg unpack --force oci:"$F/bad-truncated-blob":bad "$B"
    assert_unpack_failed
    [ "$(bundle_tree "$B")" = "$before" ]
    assert_only_entries "$P" bundle
}

@test "--rootless as root writes a rootless config" {
    requires_root
    bimg unpack --rootless oci:"$F/oci":latest "$B"
    jq -e '[.linux.namespaces[] | select(.type == "user")] | length == 1' "$B/config.json"
    jq -e '.linux.uidMappings | length >= 1' "$B/config.json"
}

@test "an interrupted unpack leaves nothing behind" {
    local try pid rc caught=0
    for try in 1 2 3; do
        "$BERTH_IMAGE" unpack oci:"$F/big":big "$B" 2>"$TMP/err" &
        pid=$!
        # The temporary directory beside the bundle shows that it started.
        while kill -0 "$pid" 2>/dev/null; do
            if compgen -G "$P/.*" >/dev/null; then
                kill -INT "$pid"
                caught=1
                break
            fi
        done
        rc=0
        wait "$pid" || rc=$?
        [ "$caught" = 1 ] && break
        image_rm "$B"
    done
    [ "$caught" = 1 ] || fail "the unpack ended before it could be interrupted, 3 times"
    [ "$rc" -ne 0 ] || fail "exit status 0 after SIGINT"
    grep -q '^berth-image: .*interrupted' "$TMP/err" || fail "stderr: $(cat "$TMP/err")"
    assert_only_entries "$P"
}

@test "remove deletes a bundle, and refuses a directory without config.json" {
    bimg unpack oci:"$F/oci":owners "$B"
    bimg remove "$B"
    [ ! -e "$B" ] && [ ! -L "$B" ]
    mkdir "$P/notabundle"
    echo keep >"$P/notabundle/file"
    run --separate-stderr bimg remove "$P/notabundle"
    [ "$status" -ne 0 ]
    assert_stderr_has "$P/notabundle"
    [ "$(cat "$P/notabundle/file")" = keep ]
    # A missing bundle is no error.
    bimg remove "$P/nosuch"
}

# ---- damaged images: the error names the blob, nothing is left ----

# unpack_damaged KIND JQ-FILTER-OF-THE-DIGEST-TO-NAME
unpack_damaged() {
    local kind=$1 filter=$2 want
    want=$(summary_get "$F/bad-$kind.json" "$filter")
    run --separate-stderr bimg unpack oci:"$F/bad-$kind":bad "$B"
    assert_unpack_failed
    assert_stderr_has "$want"
    assert_only_entries "$P"
}

@test "damaged: a layer that does not hash to its digest" {
    unpack_damaged layer-digest '.images.bad.layers[1].digest'
    assert_stderr_has "$(summary_get "$F/bad-layer-digest.json" '.images.bad.layers[1].blob_digest')"
}

@test "damaged: a missing layer blob" {
    unpack_damaged missing-blob '.images.bad.layers[1].digest'
}

@test "damaged: a truncated layer blob" {
    unpack_damaged truncated-blob '.images.bad.layers[1].digest'
}

@test "damaged: a layer size that differs from the descriptor's" {
    unpack_damaged wrong-size '.images.bad.layers[1].digest'
}

@test "damaged: a layer whose content is not its diff_id" {
    unpack_damaged wrong-diff-id '.images.bad.layers[1].digest'
}

@test "damaged: fewer diff_ids than layers" {
    unpack_damaged diff-id-count '.images.bad.config'
}

@test "damaged: a config that does not hash to its digest" {
    unpack_damaged config-digest '.images.bad.config'
}

@test "damaged: a manifest that does not hash to its digest" {
    unpack_damaged manifest-digest '.images.bad.manifest'
}

@test "damaged: a layer of an unknown media type" {
    unpack_damaged media-type '.images.bad.layers[1].media_type'
}

@test "damaged: a docker archive layer that is not its diff_id" {
    run --separate-stderr bimg unpack docker-archive:"$F/bad-docker-diffid.tar" "$B"
    assert_unpack_failed
    assert_stderr_has "$(summary_get "$F/bad-docker-diffid.json" '.images.bad.layers[0].config_diff_id')"
    assert_only_entries "$P"
}

@test "--max-size stops a layer past the limit and leaves nothing" {
    run --separate-stderr bimg unpack --max-size 100000 oci:"$F/oci":latest "$B"
    assert_unpack_failed
    assert_stderr_has "$(layer_digest "$F/sum.json" latest 0)" 100000
    assert_only_entries "$P"
}

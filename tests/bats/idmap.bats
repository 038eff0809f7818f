#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Idmapped mounts: config.md "idmap" and "ridmap", and mounts[].uidMappings
# and gidMappings.  A mount's mappings are the uid_map/gid_map of the user
# namespace given to mount_setattr(2) MOUNT_ATTR_IDMAP, as in runc and crun:
# an id stored on disk is read as a containerID and shows through the mount
# as its hostID (then through the container's own user namespace, if any).
# "idmap" without mappings takes the container's user namespace.  Only root
# in the initial user namespace can idmap a host filesystem; without root
# berth refuses before creating anything.

load helpers

setup() {
    setup_tmp
    W=
    if is_root; then
        # Traversable by the container's root in a user namespace (host uid
        # 100000): $TMP is 0700, and run-bats' $TMPDIR may be private too.
        local base
        for base in "${TMPDIR:-/tmp}" /tmp; do
            W=$(mktemp -d "$base/berth-idmap.XXXXXX")
            chmod 0755 "$W"
            setpriv --reuid=100000 --regid=100000 --clear-groups test -x "$W" && break
            rm -rf "$W"
            W=
        done
        [ -n "$W" ] || W=$(mktemp -d "$TMP/berth-idmap.XXXXXX")
        B="$W/bundle"
    else
        B="$TMP/bundle"
    fi
}

teardown() {
    berth_cleanup
    # Only files: every mount was made in a container's mount namespace.
    [ -n "$W" ] && rm -rf "$W"
    return 0
}

# A busybox bundle running sh -c SCRIPT, with empty /data, /plain and /sub
# in its rootfs (a container root in a user namespace cannot create them).
idmap_bundle() {
    make_busybox_bundle "$B" sh -c "$1"
    mkdir -p "$B/rootfs/data" "$B/rootfs/plain" "$B/rootfs/sub"
}

# Add a mount: add_mount DEST SOURCE OPTIONS-JSON [UIDMAPS-JSON GIDMAPS-JSON]
add_mount() {
    local dest=$1 src=$2 opts=$3 uids=${4:-null} gids=${5:-null}
    update_config "$B" --arg d "$dest" --arg s "$src" --argjson o "$opts" \
        --argjson u "$uids" --argjson g "$gids" \
        '.mounts += [{destination: $d, source: $s, options: $o}
            + (if $u == null then {} else {uidMappings: $u, gidMappings: $g} end)]'
}

# One mapping as JSON: map1 CONTAINER-ID HOST-ID SIZE
map1() {
    printf '[{"containerID": %d, "hostID": %d, "size": %d}]' "$1" "$2" "$3"
}

# A user namespace for the container: container 0-65535 = host 100000-165535,
# with a rootfs its root owns (to create mount points in).
add_userns() {
    chown -R 100000:100000 "$B/rootfs"
    update_config "$B" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# Root only, and the filesystem of DIR must support idmapped mounts (ext4,
# xfs, btrfs and tmpfs do; a probe container tells).
requires_idmap_fs() {
    local dir=$1 probe="$W/probe"
    requires_root
    mkdir -p "$probe/rootfs/data"
    cp "$(command -v busybox)" "$probe/rootfs/true"
    "$BERTH" spec --bundle "$probe" >/dev/null
    update_config "$probe" --arg s "$dir" '.process.terminal = false | .process.args = ["/true"]
        | .mounts += [{destination: "/data", source: $s, options: ["bind", "idmap"],
                       uidMappings: [{containerID: 0, hostID: 1, size: 1}],
                       gidMappings: [{containerID: 0, hostID: 1, size: 1}]}]'
    run berth_run idmap-probe "$probe"
    if [[ "$output" == *"cannot idmap its filesystem"* ]]; then
        skip "the filesystem of '$dir' ($(stat -f -c %T "$dir")) does not support idmapped mounts"
    fi
    [ "$status" -eq 0 ] || {
        echo "probe container failed: $output" >&2
        return 1
    }
}

# The container's root in a user namespace is host uid 100000: it needs to
# reach the bundle.
requires_reachable_by_userns() {
    setpriv --reuid=100000 --regid=100000 --clear-groups test -x "$B/rootfs" ||
        skip "'$B' is not reachable by host uid 100000 (a parent directory is private)"
}

@test "uidMappings on a mount: on-disk ids show as their hostID, and writes are stored as containerID" {
    requires_idmap_fs "$W"
    mkdir "$W/src"
    touch "$W/src/f"
    chown -R 1000:1000 "$W/src"
    idmap_bundle 'stat -c data=%u:%g /data/f; stat -c plain=%u:%g /plain/f
        touch /data/new && stat -c new=%u:%g /data/new'
    add_mount /data "$W/src" '["bind"]' "$(map1 1000 0 1)" "$(map1 1000 0 1)"
    add_mount /plain "$W/src" '["bind"]'
    run berth_run m1 "$B"
    assert_success
    assert_line data=0:0
    assert_line plain=1000:1000
    assert_line new=0:0
    # Created by root through the mount: stored on disk as 1000.
    assert_equal "$(stat -c %u:%g "$W/src/new")" 1000:1000
}

@test "several uid and gid mapping ranges on one mount" {
    requires_idmap_fs "$W"
    mkdir "$W/src"
    touch "$W/src/a" "$W/src/b" "$W/src/c"
    chown 100:211 "$W/src/a"
    chown 101:222 "$W/src/b"
    chown 102:239 "$W/src/c"
    idmap_bundle 'for f in a b c; do stat -c "$f=%u:%g" /data/$f; done'
    add_mount /data "$W/src" '["bind", "idmap"]' \
        '[{"containerID": 100, "hostID": 1000, "size": 1},
          {"containerID": 101, "hostID": 2000, "size": 2}]' \
        '[{"containerID": 210, "hostID": 1100, "size": 10},
          {"containerID": 220, "hostID": 2200, "size": 20}]'
    run berth_run m2 "$B"
    assert_success
    assert_line a=1000:1101
    assert_line b=2000:2202
    assert_line c=2001:2219
}

@test "idmap without mappings takes the container's user namespace" {
    requires_idmap_fs "$W"
    mkdir "$W/src"
    touch "$W/src/root-file" "$W/src/ns-file"
    chown 100000:100000 "$W/src/ns-file"
    idmap_bundle 'cd /data && stat -c "%n=%u:%g" root-file ns-file /plain/root-file /plain/ns-file
        touch /data/new && stat -c new=%u:%g /data/new'
    add_userns
    requires_reachable_by_userns
    add_mount /data "$W/src" '["bind", "idmap"]'
    add_mount /plain "$W/src" '["bind"]'
    run berth_run m3 "$B"
    assert_success
    # Through the idmapped mount the on-disk ids are read as container ids:
    # host root's file is the container root's, and 100000 is no one.
    assert_line root-file=0:0
    assert_line ns-file=65534:65534
    # A plain bind shows host ids through the container's mapping.
    assert_line /plain/root-file=65534:65534
    assert_line /plain/ns-file=0:0
    # The container's root owns the directory through the mount, so it can
    # write there, and what it writes belongs to host root.
    assert_line new=0:0
    assert_equal "$(stat -c %u:%g "$W/src/new")" 0:0
}

@test "mount mappings stack on the container's user namespace" {
    requires_idmap_fs "$W"
    mkdir "$W/src" "$W/src2"
    touch "$W/src/f" "$W/src2/f"
    chown 1000:1000 "$W/src/f"
    chown 1:1 "$W/src2/f"
    idmap_bundle 'stat -c data=%u:%g /data/f; stat -c plain=%u:%g /plain/f'
    add_userns
    requires_reachable_by_userns
    # On disk 1000 -> host 100000 -> container 0.
    add_mount /data "$W/src" '["bind", "idmap"]' "$(map1 1000 100000 1)" "$(map1 1000 100000 1)"
    # The container's own mappings on a mount: on disk 1 -> 100001 -> 1.
    add_mount /plain "$W/src2" '["bind", "idmap"]' \
        "$(map1 0 100000 65536)" "$(map1 0 100000 65536)"
    run berth_run m4 "$B"
    assert_success
    assert_line data=0:0
    assert_line plain=1:1
}

@test "ridmap idmaps the submounts of an rbind, idmap only the top mount" {
    requires_idmap_fs "$W"
    mkdir -p "$W/src/sub"
    touch "$W/src/f"
    chown -R 1000:1000 "$W/src"
    idmap_bundle 'stat -c %n=%u:%g /data/f /data/sub/g /plain/f /plain/sub/g'
    add_mount /data "$W/src" '["rbind", "ridmap"]' "$(map1 1000 0 1)" "$(map1 1000 0 1)"
    add_mount /plain "$W/src" '["rbind", "idmap"]' "$(map1 1000 0 1)" "$(map1 1000 0 1)"
    # The submount (a tmpfs) only exists in a mount namespace of the test's.
    run unshare --mount --propagation private sh -c '
        mount -t tmpfs -o mode=0755 tmpfs "$1/src/sub" && touch "$1/src/sub/g" &&
            chown -R 1000:1000 "$1/src/sub" &&
            cd "$2" && timeout 60 setsid -w "$3" --root "$4" run m5 </dev/null' \
        sh "$W" "$B" "$BERTH" "$ROOT"
    assert_success
    assert_line /data/f=0:0
    assert_line /data/sub/g=0:0
    assert_line /plain/f=0:0
    assert_line /plain/sub/g=1000:1000
}

@test "options of an idmapped mount apply: ro" {
    requires_idmap_fs "$W"
    mkdir "$W/src"
    chown 1000:1000 "$W/src"
    idmap_bundle 'stat -c dir=%u:%g /data; touch /data/x 2>&1 || echo refused'
    add_mount /data "$W/src" '["bind", "ro", "idmap"]' "$(map1 1000 0 1)" "$(map1 1000 0 1)"
    run berth_run m6 "$B"
    assert_success
    assert_line dir=0:0
    assert_line refused
    assert_output --partial "Read-only file system"
    [ ! -e "$W/src/x" ]
}

@test "a filesystem without idmapped mounts is a clear error, and nothing is left" {
    requires_root
    local before
    before=$(mount_snapshot)
    idmap_bundle true
    add_mount /data /proc '["rbind", "ridmap"]' "$(map1 0 1000 1)" "$(map1 0 1000 1)"
    run berth_run m7 "$B"
    assert_failure
    assert_output --partial "mounts[$(($(jq '.mounts | length' "$B/config.json") - 1))]"
    assert_output --partial "source '/proc': the kernel cannot idmap its filesystem"
    run berth_cmd list -q
    assert_output ""
    assert_equal "$(mount_snapshot)" "$before"
}

@test "idmap on a mount that is not a bind mount is refused" {
    idmap_bundle true
    update_config "$B" '.mounts += [{destination: "/data", type: "tmpfs", source: "tmpfs",
        options: ["idmap"], uidMappings: [{containerID: 0, hostID: 1000, size: 1}],
        gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
    local i
    i=$(($(jq '.mounts | length' "$B/config.json") - 1))
    run berth_run m8 "$B"
    assert_failure
    assert_output --partial "mounts[$i]: idmapped mounts are supported on bind mounts only"
    run berth_cmd list -q
    assert_output ""
}

@test "idmap without mappings and without a user namespace is an error" {
    requires_root
    idmap_bundle true
    add_mount /data "$B" '["bind", "idmap"]'
    run berth_run m9 "$B"
    assert_failure
    assert_output --partial "needs uidMappings and gidMappings, or a user namespace"
    run berth_cmd list -q
    assert_output ""
}

@test "without root an idmapped mount is refused before anything is created" {
    requires_rootless
    mkdir "$TMP/src"
    idmap_bundle true
    add_mount /data "$TMP/src" '["bind", "idmap"]' \
        "$(map1 0 "$(id -u)" 1)" "$(map1 0 "$(id -g)" 1)"
    local i
    i=$(($(jq '.mounts | length' "$B/config.json") - 1))
    run berth_run r1 "$B"
    assert_failure
    assert_output --partial "mounts[$i]: an idmapped mount needs berth to run as root in the initial user namespace"
    run berth_cmd list -q
    assert_output ""
    [ ! -e "$ROOT/r1" ]

    # `berth check` says the same.
    run berth_cmd check --bundle "$B"
    assert_failure
    assert_output --partial "mounts[$i]: an idmapped mount needs berth to run as root"
}

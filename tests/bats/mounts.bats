#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# mounts, root.readonly, linux.maskedPaths and linux.readonlyPaths
# (config.md "Mounts", "Root"; config-linux.md "Masked Paths", "Readonly
# Paths"), and the rootfs symlink attacks that have hit other runtimes:
# every destination resolves inside the rootfs, never on the host.

load helpers
bats_require_minimum_version 1.5.0

setup() {
    setup_tmp
    B="$TMP/bundle"
}

teardown() {
    berth_cleanup
}

# Append mount JSON to the bundle's mounts.
add_mount() {
    update_config "$B" --argjson m "$1" '.mounts += [$m]'
}

# The index the next add_mount gets.
next_mount() {
    jq '.mounts | length' "$B/config.json"
}

@test "tmpfs with size and mode options" {
    make_busybox_bundle "$B" sh -c 'stat -c %a /t; grep " /t " /proc/self/mountinfo
        head -c 2000000 /dev/zero >/t/big 2>/dev/null && echo wrote-all || echo write-failed
        stat -c %s /t/big; rm /t/big; echo small >/t/small && cat /t/small'
    add_mount '{"destination": "/t", "type": "tmpfs", "source": "tmpfs",
                "options": ["size=1m", "mode=0710", "nodev", "nosuid"]}'
    run berth_run tm "$B"
    assert_success
    assert_line --index 0 710
    assert_line --index 1 --regexp ' /t .*nosuid,nodev.* - tmpfs tmpfs .*size=1024k'
    assert_line --index 2 write-failed
    [ "${lines[3]}" -le 1048576 ]
    assert_line small
}

@test "bind mounts of a host directory, read-write and read-only" {
    mkdir -p "$TMP/host"
    echo from-host >"$TMP/host/file"
    make_busybox_bundle "$B" sh -c 'cat /rw/file /ro/file
        echo from-rw >/rw/new && echo rw-ok
        touch /ro/other 2>&1 || echo ro-refused'
    add_mount "{\"destination\": \"/rw\", \"type\": \"bind\", \"source\": \"$TMP/host\", \"options\": [\"rbind\", \"rw\"]}"
    add_mount "{\"destination\": \"/ro\", \"type\": \"bind\", \"source\": \"$TMP/host\", \"options\": [\"rbind\", \"ro\"]}"
    run berth_run bd "$B"
    assert_success
    assert_line --index 0 from-host
    assert_line --index 1 from-host
    assert_line rw-ok
    assert_line --partial "Read-only file system"
    assert_line ro-refused
    # The write went to the host directory, the refused one did not.
    assert_equal "$(cat "$TMP/host/new")" from-rw
    [ ! -e "$TMP/host/other" ]
}

@test "a relative bind source is relative to the bundle" {
    mkdir -p "$B/data"
    echo in-bundle >"$B/data/f"
    make_busybox_bundle "$B" cat /d/f
    add_mount '{"destination": "/d", "type": "bind", "source": "data", "options": ["bind"]}'
    run berth_run rel "$B"
    assert_success
    assert_output in-bundle
}

@test "bind mount of a single file, onto a file created for it" {
    echo "single file" >"$TMP/hostfile"
    make_busybox_bundle "$B" sh -c 'cat /etc/bound; stat -c %F /etc/bound'
    add_mount "{\"destination\": \"/etc/bound\", \"type\": \"none\", \"source\": \"$TMP/hostfile\", \"options\": [\"bind\", \"ro\"]}"
    run berth_run bf "$B"
    assert_success
    assert_line --index 0 "single file"
    assert_line --index 1 "regular file"
    # The mount point was created in the rootfs, as a file.
    [ -f "$B/rootfs/etc/bound" ]
}

@test "rbind takes the submounts along" {
    # The host's /dev has submounts (/dev/pts, /dev/shm) in every leg.
    local sub
    sub=$(awk '$5 ~ "^/dev/." { print substr($5, 6); exit }' /proc/self/mountinfo)
    [ -n "$sub" ] || skip "the host's /dev has no submount"
    make_busybox_bundle "$B" sh -c "grep -c ' /hostdev/$sub ' /proc/self/mountinfo"
    add_mount '{"destination": "/hostdev", "type": "bind", "source": "/dev", "options": ["rbind", "nosuid", "noexec"]}'
    run berth_run rb "$B"
    assert_success
    [ "$output" -ge 1 ]
}

@test "bind without r leaves the submounts out (requires root)" {
    requires_root
    mkdir -p "$TMP/outer/sub"
    echo under >"$TMP/outer/sub/hidden"
    make_busybox_bundle "$B" sh -c 'ls -A /b/sub; echo ---; ls -A /rb/sub'
    add_mount "{\"destination\": \"/b\", \"type\": \"bind\", \"source\": \"$TMP/outer\", \"options\": [\"bind\"]}"
    add_mount "{\"destination\": \"/rb\", \"type\": \"bind\", \"source\": \"$TMP/outer\", \"options\": [\"rbind\"]}"
    # The submount is made in a private mount namespace, never on the host.
    run unshare --mount --propagation private sh -c "mount -t tmpfs tmpfs '$TMP/outer/sub' &&
        echo on-tmpfs >'$TMP/outer/sub/top' &&
        cd '$B' && timeout 20 setsid -w '$BERTH' --root '$ROOT' run sub </dev/null"
    assert_success
    assert_output "hidden
---
top"
}

@test "mount destinations are created when missing, nested" {
    echo f >"$TMP/hostfile"
    make_busybox_bundle "$B" sh -c 'stat -c %F /a/b/c /x/y/z/file; grep -c " /a/b/c " /proc/self/mountinfo'
    add_mount '{"destination": "/a/b/c", "type": "tmpfs", "source": "tmpfs"}'
    add_mount "{\"destination\": \"/x/y/z/file\", \"type\": \"bind\", \"source\": \"$TMP/hostfile\", \"options\": [\"bind\"]}"
    run berth_run mk "$B"
    assert_success
    assert_output "directory
regular file
1"
    [ -d "$B/rootfs/a/b/c" ]
    [ -f "$B/rootfs/x/y/z/file" ]
}

@test "a destination that is a symlink to /etc lands on the container's /etc (CVE-2021-30465)" {
    local before
    before=$(mount_snapshot)
    make_busybox_bundle "$B" sh -c 'grep -E " /etc | /evil " /proc/self/mountinfo | cut -d" " -f5; ls -A /etc'
    ln -s /etc "$B/rootfs/evil"
    add_mount '{"destination": "/evil", "type": "tmpfs", "source": "tmpfs"}'
    run berth_run sl "$B"
    assert_success
    # The tmpfs covers the container's /etc (passwd is hidden), not the host's.
    assert_output /etc
    [ -s /etc/passwd ]
    [ -L "$B/rootfs/evil" ]
    assert_equal "$(mount_snapshot)" "$before"
}

@test "a destination that climbs out with .. resolves inside the rootfs (CVE-2021-30465)" {
    local before i
    before=$(mount_snapshot)
    mkdir -p "$TMP/hostonly"
    make_busybox_bundle "$B" sh -c 'grep -c " $0/sub " /proc/self/mountinfo' "$TMP/hostonly"
    ln -s ../../../../../../../../../.."$TMP/hostonly" "$B/rootfs/evil"
    i=$(next_mount)
    add_mount '{"destination": "/evil/sub", "type": "tmpfs", "source": "tmpfs"}'
    # The link's target does not exist in the rootfs: refused.
    run berth_run cl1 "$B"
    assert_failure
    assert_output --regexp "mounts\[$i\].*/evil/sub"
    assert_output --partial "No such file or directory"
    [ -z "$(ls -A "$TMP/hostonly")" ]
    # Once it exists in the rootfs, the mount lands there.
    mkdir -p "$B/rootfs$TMP/hostonly"
    run berth_run cl2 "$B"
    assert_success
    assert_output 1
    [ -d "$B/rootfs$TMP/hostonly/sub" ]
    [ -z "$(ls -A "$TMP/hostonly")" ]
    ! mountpoint -q "$TMP/hostonly/sub" 2>/dev/null
    assert_equal "$(mount_snapshot)" "$before"
}

@test "a bind onto a symlink to a host directory lands inside the rootfs (CVE-2021-30465)" {
    local i
    mkdir -p "$TMP/src" "$TMP/victim"
    echo payload >"$TMP/src/payload"
    make_busybox_bundle "$B" sh -c 'cat /victim-link/payload'
    ln -s "$TMP/victim" "$B/rootfs/victim-link"
    i=$(next_mount)
    add_mount "{\"destination\": \"/victim-link\", \"type\": \"bind\", \"source\": \"$TMP/src\", \"options\": [\"rbind\"]}"
    run berth_run bs1 "$B"
    assert_failure
    assert_output --regexp "mounts\[$i\].*'/victim-link'.*No such file or directory"
    mkdir -p "$B/rootfs$TMP/victim"
    run berth_run bs2 "$B"
    assert_success
    assert_output payload
    [ -z "$(ls -A "$TMP/victim")" ]
    [ -z "$(ls -A "$B/rootfs$TMP/victim")" ]
}

@test "/proc as a symlink in the rootfs never mounts on the host (CVE-2019-19921)" {
    local before
    before=$(mount_snapshot)
    mkdir -p "$TMP/hostproc"
    make_busybox_bundle "$B" true
    rmdir "$B/rootfs/proc" 2>/dev/null || true
    ln -s "$TMP/hostproc" "$B/rootfs/proc"
    run berth_run pl "$B"
    if [ "$status" -ne 0 ]; then
        # Refused: the message names the mount and its destination.
        assert_output --regexp "mounts\[0\].*/proc"
    else
        # Or mounted at the link's target inside the rootfs.
        [ -d "$B/rootfs$TMP/hostproc" ]
    fi
    [ -z "$(ls -A "$TMP/hostproc")" ]
    ! mountpoint -q "$TMP/hostproc"
    assert_equal "$(mount_snapshot)" "$before"
    run berth_cmd_t list -q
    assert_output ""
}

@test "/proc as a symlink to a directory inside the rootfs gets procfs there" {
    make_busybox_bundle "$B" sh -c 'stat -f -c %T /proc/ /realproc; cat /proc/self/status | grep -c "^Pid:"'
    mkdir -p "$B/rootfs/realproc"
    ln -s /realproc "$B/rootfs/proc"
    run berth_run pi "$B"
    assert_success
    assert_output "proc
proc
1"
}

@test "/dev as a symlink to a host path never creates devices on the host" {
    local before
    before=$(mount_snapshot)
    mkdir -p "$TMP/hostdev"
    make_busybox_bundle "$B" sh -c 'ls /dev/null'
    ln -s "$TMP/hostdev" "$B/rootfs/dev"
    run berth_run dl "$B"
    if [ "$status" -ne 0 ]; then
        assert_output --regexp "mounts\[[0-9]+\].*/dev|'/dev"
    else
        assert_output /dev/null
        [ -d "$B/rootfs$TMP/hostdev" ]
    fi
    [ -z "$(ls -A "$TMP/hostdev")" ]
    assert_equal "$(mount_snapshot)" "$before"
}

@test "a mount of an unknown type fails, names mounts[i], and leaves nothing" {
    local before i
    before=$(mount_snapshot)
    make_busybox_bundle "$B" true
    i=$(next_mount)
    add_mount '{"destination": "/x", "type": "nosuchfs", "source": "none"}'
    run berth_run ut "$B"
    assert_failure
    assert_output --partial "create 'ut': mounts[$i] (destination \"/x\"): fsopen 'nosuchfs': No such device"
    run berth_cmd_t list -q
    assert_output ""
    [ ! -e "$ROOT/ut" ]
    assert_equal "$(mount_snapshot)" "$before"
    run pgrep -f -- "--root $ROOT"
    assert_failure
}

@test "a bind of a missing source fails and names it" {
    make_busybox_bundle "$B" true
    local i
    i=$(next_mount)
    add_mount "{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"$TMP/nosuch\", \"options\": [\"bind\"]}"
    run berth_run ms "$B"
    assert_failure
    assert_output --partial "mounts[$i] (destination \"/m\"): source '$TMP/nosuch': No such file or directory"
    [ ! -e "$ROOT/ms" ]
}

@test "root.readonly makes / read-only" {
    make_busybox_bundle "$B" sh -c 'touch /newfile 2>&1; echo x >/bin/x 2>&1
        while read -r _ _ _ _ mp opts _; do [ "$mp" = / ] && echo "$opts"; done </proc/self/mountinfo; true'
    update_config "$B" '.root.readonly = true'
    run berth_run ro "$B"
    assert_success
    assert_line --index 0 --partial "Read-only file system"
    assert_line --index 1 --partial "Read-only file system"
    assert_line --index 2 --regexp '^ro,'
    [ ! -e "$B/rootfs/newfile" ]
    # Mounts on top of it stay writable.
    set_args "$B" sh -c 'echo ok >/dev/shm/x && cat /dev/shm/x'
    run berth_run ro2 "$B"
    assert_success
    assert_output ok
}

@test "masked files are the null device and read empty" {
    local files=() f
    for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
        [ -e "$f" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || skip "none of the default masked files exists on this kernel"
    make_busybox_bundle "$B" sh -c 'for f in "$@"; do echo "$f $(stat -c "%F %t:%T" "$f") $(wc -c <"$f")"; done' sh "${files[@]}"
    update_config "$B" '.linux.maskedPaths |= (. + ["/proc/kcore", "/proc/keys", "/proc/timer_list"] | unique)'
    run berth_run mf "$B"
    assert_success
    for f in "${files[@]}"; do
        assert_line "$f character special file 1:3 0"
    done
}

@test "a masked directory is an empty read-only tmpfs" {
    make_busybox_bundle "$B" sh -c 'ls -A /secret; stat -f -c %T /secret; touch /secret/x 2>&1; echo ---; ls -A /proc/acpi 2>&1 | head -1'
    mkdir -p "$B/rootfs/secret"
    echo hidden >"$B/rootfs/secret/file"
    update_config "$B" '.linux.maskedPaths += ["/secret", "/does/not/exist"]'
    run berth_run md "$B"
    assert_success
    assert_line --index 0 tmpfs
    assert_line --index 1 --partial "Read-only file system"
    assert_line --index 2 ---
    refute_line file
    # /proc/acpi, masked by default, lists nothing (where the host has it).
    if [ -d /proc/acpi ]; then
        assert_equal "${#lines[@]}" 3
    fi
    # The image's file is still there, only covered.
    assert_equal "$(cat "$B/rootfs/secret/file")" hidden
}

@test "readonly paths: /proc/sys and a directory of the image refuse writes" {
    make_busybox_bundle "$B" sh -c 'echo berth >/proc/sys/kernel/hostname 2>&1 || echo refused
        touch /rodir/x 2>&1 || echo refused2; cat /rodir/f'
    mkdir -p "$B/rootfs/rodir"
    echo readable >"$B/rootfs/rodir/f"
    update_config "$B" '.linux.readonlyPaths += ["/rodir", "/does/not/exist"]'
    run berth_run rp "$B"
    assert_success
    assert_line --index 0 --partial "Read-only file system"
    assert_line refused
    assert_line refused2
    assert_line readable
    [ ! -e "$B/rootfs/rodir/x" ]
}

@test "a masked path that is a symlink masks the link, not its target (CVE-2025-31133)" {
    make_busybox_bundle "$B" sh -c 'stat -c "%F %t:%T" /etc/mask-me; wc -c </etc/mask-me
        cat /proc/sys/kernel/core_pattern | wc -l; stat -c %F /proc/sys/kernel/core_pattern'
    ln -s /proc/sys/kernel/core_pattern "$B/rootfs/etc/mask-me"
    update_config "$B" '.linux.maskedPaths += ["/etc/mask-me"]'
    run berth_run cv "$B"
    assert_success
    # The link itself is covered by the null device ...
    assert_line --index 0 "character special file 1:3"
    assert_line --index 1 0
    # ... and core_pattern is untouched: still procfs, not /dev/null.
    assert_line --index 2 1
    assert_line --index 3 "regular empty file"
    [ -L "$B/rootfs/etc/mask-me" ]
}

@test "an image /dev/null that is a symlink is never used to mask (CVE-2025-31133)" {
    # No /dev tmpfs: the image's own /dev is the container's.
    make_busybox_bundle "$B" sh -c 'stat -c "%F %t:%T" /proc/timer_list /proc/keys 2>&1'
    update_config "$B" '.mounts |= map(select(.destination | startswith("/dev") | not))
        | .linux.maskedPaths += ["/proc/timer_list", "/proc/keys"]'
    mkdir -p "$B/rootfs/dev"
    ln -s /proc/sys/kernel/core_pattern "$B/rootfs/dev/null"
    run berth_run dn "$B"
    if [ "$status" -ne 0 ]; then
        # Refused: the symlink is not the null device.
        assert_output --partial "'/dev/null'"
    else
        refute_output --partial "regular"
        assert_line --partial "character special file 1:3"
    fi
    [ -L "$B/rootfs/dev/null" ]
    assert_equal "$(readlink "$B/rootfs/dev/null")" /proc/sys/kernel/core_pattern
}

@test "tmpcopyup fills the tmpfs with what the image had there, read-only if asked" {
    make_busybox_bundle "$TMP/b" sh -c 'cat /opt/cu/sub/f; readlink /opt/cu/link; touch /opt/cu/new 2>&1; grep " /opt/cu " /proc/mounts'
    mkdir -p "$TMP/b/rootfs/opt/cu/sub"
    echo image-data >"$TMP/b/rootfs/opt/cu/sub/f"
    ln -s /etc/passwd "$TMP/b/rootfs/opt/cu/link"
    update_config "$TMP/b" '.mounts += [{"destination": "/opt/cu", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "ro", "nosuid"]}]'
    run berth_run cu "$TMP/b"
    assert_success
    assert_line --index 0 image-data
    assert_line --index 1 /etc/passwd
    assert_output --partial "Read-only file system"
    assert_output --partial "tmpfs /opt/cu tmpfs ro"
    # The image's own files are untouched.
    [ "$(cat "$TMP/b/rootfs/opt/cu/sub/f")" = image-data ]
    [ ! -e "$TMP/b/rootfs/opt/cu/new" ]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth spec: the default and rootless config.json, refusing to overwrite,
# argument errors, and the comparison with `runc spec` where runc exists.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    mkdir -p "$B"
}

# jq -e on the bundle's config.json: fails the test when the filter is false.
cfg() {
    jq -e "$@" "$B/config.json" >/dev/null
}

@test "spec writes runc's default config.json into the current directory" {
    cd "$B"
    run berth_cmd spec
    assert_success
    assert_output ""
    cfg '.ociVersion == "1.3.0" and .hostname == "berth"'
    cfg '.root == {"path": "rootfs", "readonly": true}'
    cfg '.process.terminal == true and .process.user == {"uid": 0, "gid": 0}'
    cfg '.process.args == ["sh"] and .process.cwd == "/"'
    cfg '.process.env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"]'
    cfg '.process.capabilities == {
            "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]}'
    cfg '.process.rlimits == [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]'
    cfg '.process.noNewPrivileges == true'
    cfg '[.mounts[].destination] == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"]'
    cfg '.mounts[] | select(.destination == "/proc") | has("options") | not'
    cfg '.mounts[] | select(.destination == "/dev/pts") | .options | index("gid=5") != null'
    cfg '.mounts[] | select(.destination == "/sys") | .type == "sysfs" and .options == ["nosuid", "noexec", "nodev", "ro"]'
    cfg '[.linux.namespaces[].type] == ["pid", "network", "ipc", "uts", "mount", "cgroup"]'
    cfg '.linux.resources.devices == [{"allow": false, "access": "rwm"}]'
    cfg '(.linux | has("uidMappings") or has("gidMappings")) | not'
    cfg '.linux.maskedPaths | length == 10 and index("/proc/kcore") != null and index("/sys/firmware") != null'
    cfg '.linux.readonlyPaths == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]'
}

@test "spec output is tab-indented like runc and ends with a newline" {
    run berth_cmd spec --bundle "$B"
    assert_success
    run sed -n 2p "$B/config.json"
    assert_output "$(printf '\t"ociVersion": "1.3.0",')"
    [ "$(tail -c 1 "$B/config.json" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "spec -b and a trailing slash name the same directory" {
    run berth_cmd spec -b "$B/"
    assert_success
    [ -f "$B/config.json" ]
    cfg '.hostname == "berth"'
    run berth_cmd spec -b "$B/"
    assert_failure 1
    assert_output "berth: spec: '$B/config.json' already exists; remove it first"
}

@test "spec --rootless maps the caller's uid and gid and adds a user namespace" {
    run berth_cmd spec --rootless --bundle "$B"
    assert_success
    uid=$(id -u)
    gid=$(id -g)
    cfg --argjson u "$uid" '.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}]'
    cfg --argjson g "$gid" '.linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}]'
    cfg '[.linux.namespaces[].type] == ["pid", "ipc", "uts", "mount", "cgroup", "user"]'
    cfg '.linux | has("resources") | not'
    cfg '.mounts[] | select(.destination == "/sys") | .type == "none" and .source == "/sys" and .options == ["rbind", "nosuid", "noexec", "nodev", "ro"]'
    cfg '.mounts[] | select(.destination == "/dev/pts") | .options == ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]'
    cfg '.process.user == {"uid": 0, "gid": 0}'
}

@test "spec creates config.json with mode 0666 less the umask" {
    umask 022
    run berth_cmd spec --bundle "$B"
    assert_success
    [ "$(stat -c %a "$B/config.json")" = 644 ]
    mkdir "$TMP/private"
    umask 077
    run berth_cmd spec --bundle "$TMP/private"
    assert_success
    [ "$(stat -c %a "$TMP/private/config.json")" = 600 ]
}

@test "spec refuses to overwrite an existing config.json" {
    printf 'mine\n' >"$B/config.json"
    run berth_cmd spec --bundle "$B"
    assert_failure 1
    assert_output --partial "spec: '$B/config.json' already exists"
    [ "$(cat "$B/config.json")" = mine ]

    run berth_cmd spec --rootless --bundle "$B"
    assert_failure 1
    assert_output --partial "'$B/config.json' already exists"
    [ "$(cat "$B/config.json")" = mine ]

    cd "$B"
    run berth_cmd spec
    assert_failure 1
    assert_output --partial "'./config.json' already exists"
    [ "$(cat "$B/config.json")" = mine ]
}

@test "spec does not follow a dangling config.json symlink" {
    ln -s "$TMP/elsewhere.json" "$B/config.json"
    run berth_cmd spec --bundle "$B"
    assert_failure 1
    assert_output --partial "'$B/config.json' already exists"
    [ ! -e "$TMP/elsewhere.json" ]
    [ -L "$B/config.json" ]
}

@test "spec --bundle with a missing directory names it" {
    run berth_cmd spec --bundle "$TMP/missing"
    assert_failure 1
    assert_output "berth: spec: bundle '$TMP/missing': No such file or directory"
    [ ! -e "$TMP/missing" ]
}

@test "spec --bundle with a regular file names it" {
    : >"$TMP/file"
    run berth_cmd spec --bundle "$TMP/file"
    assert_failure 1
    assert_output "berth: spec: bundle '$TMP/file': Not a directory"
}

@test "spec in a directory the user cannot write names the file" {
    requires_rootless
    chmod 0555 "$B"
    run berth_cmd spec --bundle "$B"
    chmod 0755 "$B"
    assert_failure 1
    assert_output "berth: spec: create '$B/config.json': Permission denied"
    [ ! -e "$B/config.json" ]
}

@test "spec removes its incomplete file when the disk is full" {
    command -v unshare >/dev/null || skip "unshare is not installed"
    unshare -rm true 2>/dev/null || skip "cannot create a user and mount namespace"
    # A one-page tmpfs, filled up: creating config.json works, writing it
    # fails with ENOSPC.
    run unshare -rm sh -c '
        mount -t tmpfs -o size=4k tmpfs "$1" || exit 99
        head -c 4096 /dev/zero >"$1/fill" 2>/dev/null
        "$2" --root "$3" spec --bundle "$1"
        rc=$?
        ls -A "$1"
        exit $rc' sh "$B" "$BERTH" "$ROOT"
    [ "$status" -ne 99 ] || skip "cannot mount a tmpfs"
    assert_failure 1
    assert_line "berth: spec: write '$B/config.json': No space left on device"
    refute_line config.json
    assert_line fill
}

@test "spec rejects an unknown option" {
    run berth_cmd spec --bogus --bundle "$B"
    assert_failure 2
    assert_line "berth: spec: unknown option '--bogus'"
    assert_line "Try 'berth spec --help'."
    [ ! -e "$B/config.json" ]

    run berth_cmd spec -x
    assert_failure 2
    assert_line "berth: spec: unknown option '-x'"
}

@test "spec rejects an argument" {
    run berth_cmd spec --bundle "$B" extra
    assert_failure 2
    assert_line "berth: spec: unexpected argument 'extra'"
    [ ! -e "$B/config.json" ]
}

@test "spec --bundle without a value is a usage error" {
    run berth_cmd spec --bundle
    assert_failure 2
    assert_line "berth: spec: option '--bundle' needs a value"
}

@test "spec --help prints the usage and writes nothing" {
    cd "$B"
    run berth_cmd spec --help
    assert_success
    assert_line --partial "Usage: berth spec"
    assert_line --partial "--rootless"
    [ ! -e "$B/config.json" ]
}

# runc spec and berth spec must agree except where berth-spec(8) says they
# differ: ociVersion, hostname, no ambient capabilities, the default seccomp
# profile (berth-seccomp(7); runc writes none), and the cgroup namespace,
# which runc adds only when /sys/fs/cgroup is cgroup2.
compare_with_runc() {
    local flag=$1 ours="$TMP/ours" theirs="$TMP/theirs" norm
    command -v runc >/dev/null || skip "runc is not installed"
    mkdir -p "$ours" "$theirs"
    run berth_cmd spec $flag --bundle "$ours"
    assert_success
    (cd "$theirs" && runc spec $flag) || fail "runc spec $flag failed"
    norm='del(.ociVersion, .hostname, .process.capabilities.ambient, .linux.seccomp)'
    if ! jq -e '.linux.namespaces | any(.type == "cgroup")' "$theirs/config.json" >/dev/null; then
        norm="$norm | del(.linux.namespaces[] | select(.type == \"cgroup\"))"
    fi
    run diff <(jq -S "$norm" "$ours/config.json") <(jq -S "$norm" "$theirs/config.json")
    assert_success
    # And the differences are the documented ones.
    jq -e '.ociVersion == "1.3.0" and .hostname == "berth"' "$ours/config.json" >/dev/null
    jq -e '.process.capabilities | has("ambient") | not' "$ours/config.json" >/dev/null
    jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$ours/config.json" >/dev/null
    jq -e '.linux | has("seccomp") | not' "$theirs/config.json" >/dev/null
}

@test "spec matches runc spec apart from the documented differences" {
    compare_with_runc ""
}

@test "spec --rootless matches runc spec --rootless apart from the documented differences" {
    compare_with_runc --rootless
}
